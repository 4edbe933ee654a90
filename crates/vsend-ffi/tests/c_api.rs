//! A C program, compiled with the system `cc`, scores the worked example
//! through `libvsend_ffi` and checks the error paths; its scored rows must
//! match the expected outputs to 1e-9, as the Rust API's do.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `target/<profile>/`, where cargo put `libvsend_ffi.so` for this test run.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

fn close(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!((g - w).abs() <= 1e-9, "{at}: got {g}, want {w}");
        }
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                close(g.get(k).unwrap_or(&Value::Null), wv, &format!("{at}.{k}"));
            }
            assert_eq!(g.len(), w.len(), "{at}: keys");
        }
        (g, w) => assert_eq!(g, w, "{at}"),
    }
}

#[test]
fn a_c_program_scores_the_worked_example() {
    if Command::new("cc").arg("--version").output().is_err() {
        eprintln!("skipped: no C compiler `cc` on this machine");
        return;
    }
    let lib = library_dir();
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("score_example");
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let build = Command::new("cc")
        .arg(here.join("tests/c/score_example.c"))
        .arg("-I")
        .arg(here.join("include"))
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lvsend_ffi", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let examples = root().join("fixtures/examples");
    let run = Command::new(&exe)
        .arg(examples.join("cohort-small.csv"))
        .output()
        .unwrap();
    let checks = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "C checks failed:\n{checks}");
    assert!(!checks.contains("FAIL"), "{checks}");
    assert_eq!(
        checks.lines().filter(|l| l.starts_with("ok ")).count(),
        10,
        "{checks}"
    );

    let got: Vec<Value> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Vec<Value> = std::fs::read_to_string(examples.join("cohort-small.scored.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        close(g, w, &format!("row {i}"));
    }
}
