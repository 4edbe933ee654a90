//! Keeps `fixtures/examples/` (the worked examples the tests read) identical to the
//! product side's `../shared/examples/` when that directory sits beside the workspace.
//! A fresh clone has no `../shared`: then this test says so and passes. What
//! it did is written straight to stderr, past the test harness's capture, so
//! CI's log says plainly whether the copy was compared.
//!
//! Checks: no § rule: the worked examples are the product side's own.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `crates/vsend-core` → the workspace root, without `..` so messages show plain paths.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/vsend-core sits two levels below the workspace root")
        .to_path_buf()
}

/// Every file under `dir`, keyed by its path relative to `dir` (with `/`), with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap();
                let key = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(key, bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// One line on the real stderr, which `cargo test` does not capture.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "examples_drift: {line}");
}

#[test]
fn examples_match_shared_drift() {
    let root = workspace_root();
    let shared = match root.parent() {
        Some(parent) => parent.join("shared/examples"),
        None => {
            say("NOT COMPARED: the workspace root has no parent directory, so no ../shared/examples");
            return;
        }
    };
    let ours = root.join("fixtures/examples");
    if !shared.is_dir() {
        say(&format!(
            "NOT COMPARED: {} does not exist (a clone on its own); the tests use the copy in {}",
            shared.display(),
            ours.display()
        ));
        return;
    }
    let want = files(&shared);
    let got = files(&ours);
    let mut problems = Vec::new();
    for (name, bytes) in &want {
        match got.get(name) {
            None => problems.push(format!("{name}: in ../shared/examples, missing here")),
            Some(b) if b != bytes => problems.push(format!(
                "{name}: differs ({} bytes in ../shared/examples, {} here)",
                bytes.len(),
                b.len()
            )),
            Some(_) => {}
        }
    }
    for name in got.keys().filter(|n| !want.contains_key(*n)) {
        problems.push(format!("{name}: here, not in ../shared/examples"));
    }
    assert!(
        problems.is_empty(),
        "fixtures/examples/ has drifted from ../shared/examples/; copy the shared files \
         over (cp -a ../shared/examples/. fixtures/examples/):\n  {}",
        problems.join("\n  ")
    );
    say(&format!(
        "compared: {} files identical to {}",
        want.len(),
        shared.display()
    ));
}
