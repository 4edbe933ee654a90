//! Keeps the workspace's `rust-version` (and the README's statement of it) true: no package
//! in the resolved dependency graph (normal, dev and build dependencies of every workspace
//! member; `fuzz/` is outside the workspace) may declare a higher `rust_version`.
//!
//! Checks: no § rule: the build promise of the README.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `1.88` or `1.85.0` as (major, minor, patch), a missing part being 0.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| {
        p.parse::<u64>()
            .unwrap_or_else(|_| panic!("bad rust_version {text:?}"))
    });
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

fn metadata(extra: &[&str]) -> Result<Value, String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(root().join("Cargo.toml"))
        .args(extra)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// The resolved graph for every platform; offline, packages only other platforms use may not
/// be downloaded, and then the graph of this host is checked instead.
fn resolved() -> Value {
    match metadata(&[]) {
        Ok(m) => m,
        Err(all) => {
            let out = Command::new(env!("CARGO")).arg("-vV").output().unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let host = text
                .lines()
                .find_map(|l| l.strip_prefix("host: "))
                .expect("`cargo -vV` names the host");
            let why = all.lines().next().unwrap_or_default();
            println!("every-platform metadata needs a download ({why}); checking {host} only");
            metadata(&["--filter-platform", host]).unwrap_or_else(|e| panic!("{e}"))
        }
    }
}

#[test]
fn no_dependency_needs_a_newer_rust_than_the_workspace_declares() {
    let meta = resolved();
    let packages = meta["packages"].as_array().unwrap();
    let by_id = |id: &str| packages.iter().find(|p| p["id"] == id).unwrap();
    let members: Vec<&Value> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| by_id(id.as_str().unwrap()))
        .collect();
    let declared = members[0]["rust_version"]
        .as_str()
        .expect("the workspace declares rust-version")
        .to_owned();
    for m in &members {
        assert_eq!(
            m["rust_version"].as_str(),
            Some(declared.as_str()),
            "{} must inherit rust-version from the workspace",
            m["name"].as_str().unwrap_or_default()
        );
    }

    let mut offenders: Vec<String> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| by_id(node["id"].as_str().unwrap()))
        .filter_map(|p| {
            let rv = p["rust_version"].as_str()?;
            let (name, v) = (p["name"].as_str()?, p["version"].as_str()?);
            (version(rv) > version(&declared)).then(|| format!("{name} {v} needs Rust {rv}"))
        })
        .collect();
    offenders.sort();
    assert!(
        offenders.is_empty(),
        "the workspace declares rust-version {declared}, but:\n  {}\nraise rust-version in \
         Cargo.toml and README.md, or hold those packages back in Cargo.lock",
        offenders.join("\n  ")
    );

    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust {declared} or later")),
        "README.md must state the minimum supported Rust as \"Rust {declared} or later\""
    );
}
