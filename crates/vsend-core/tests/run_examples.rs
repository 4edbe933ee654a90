//! Runs the workspace examples (built by `cargo test` beside the test binaries)
//! so that they are checked on every test run, not only compiled.
//!
//! Checks: §2–§5 as the workspace examples use them.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/run_examples-… → target/<profile>/examples/<name>
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .join("examples");
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn run(name: &str) -> String {
    let path = example(name);
    assert!(
        path.exists(),
        "{} not built; run through `cargo test`",
        path.display()
    );
    let out = Command::new(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn score_one_prints_its_figures() {
    let out = run("score_one");
    assert!(out.contains("child C0042 on 2025-03-14"), "{out}");
    assert!(out.contains("need index 45.0"), "{out}");
    assert!(out.contains("unmet by the setting: [ci]"), "{out}");
    assert!(out.contains("unmet by the family:  [semh]"), "{out}");
    assert!(
        out.contains("primary domain: Communication and interaction"),
        "{out}"
    );
    let json = out.lines().last().unwrap();
    let row: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(row["age_band"], "secondary");
}

#[test]
fn custom_framework_loads_and_scores() {
    let out = run("custom_framework");
    assert!(
        out.contains("northshire-send v2025.1: levels 0..=5, Mean aggregation, 11 areas"),
        "{out}"
    );
    assert!(out.contains("cl    need 1.00 (3 areas)"), "{out}");
    assert!(
        out.contains(
            "rejected as expected: scale.max_level: 12 is outside the allowed range 1 to 10"
        ),
        "{out}"
    );
}
