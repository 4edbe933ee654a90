//! `vsend_score_file`: the streaming C call scores a file into a file exactly
//! as the in-memory `vsend_score` and the `vsend score` command do (§4–§7,
//! §10), counts reconcile (§9), and outputs are all or nothing.
//!
//! Every unsafe call here passes pointers to live Rust values or nulls on purpose.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::CString;
use std::path::Path;
use std::ptr;

use serde_json::Value;
use vsend_ffi::*;

mod common;
use common::{example_path, take};

fn c(path: &Path) -> CString {
    CString::new(path.to_str().unwrap()).unwrap()
}

/// Calls `vsend_score_file`; returns the status, the counts and the error.
fn score_file(
    input: &Path,
    output: &Path,
    errors: Option<&Path>,
) -> (VsendStatus, Option<Value>, Option<String>) {
    let mut fw = ptr::null_mut();
    assert_eq!(unsafe { vsend_framework_default(&mut fw) }, VsendStatus::Ok);
    let (input, output) = (c(input), c(output));
    let errors = errors.map(c);
    let (mut counts, mut error) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_score_file(
            fw,
            input.as_ptr(),
            output.as_ptr(),
            errors.as_ref().map_or(ptr::null(), |e| e.as_ptr()),
            &mut counts,
            &mut error,
        )
    };
    unsafe { vsend_framework_free(fw) };
    let counts = take(counts).map(|t| serde_json::from_str(&t).unwrap());
    (status, counts, take(error))
}

/// The in-memory call's scored JSON Lines and problems for `input`.
fn score_in_memory(input: &Path) -> (String, Value) {
    let mut fw = ptr::null_mut();
    assert_eq!(unsafe { vsend_framework_default(&mut fw) }, VsendStatus::Ok);
    let data = std::fs::read(input).unwrap();
    let (mut scored, mut problems, mut error) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    unsafe {
        vsend_score(
            fw,
            0,
            data.as_ptr(),
            data.len(),
            &mut scored,
            &mut problems,
            &mut error,
        )
    };
    unsafe { vsend_framework_free(fw) };
    assert_eq!(take(error), None);
    (
        take(scored).unwrap(),
        serde_json::from_str(&take(problems).unwrap()).unwrap(),
    )
}

#[test]
fn a_file_is_scored_into_a_file_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.jsonl");
    let errors = dir.path().join("problems.jsonl");
    for name in ["cohort-bad-rows.csv", "cohort-duplicates.csv"] {
        let input = example_path(name);
        let (status, counts, error) = score_file(&input, &out, Some(&errors));
        assert_eq!(status, VsendStatus::Rejected, "{name}: {error:?}");
        let counts = counts.unwrap();
        let (scored, problems) = score_in_memory(&input);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), scored, "{name}");
        let written: Vec<Value> = std::fs::read_to_string(&errors)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(Value::Array(written), problems, "{name}");
        let (read, ok, rejected) = (
            counts["rows_read"].as_u64().unwrap(),
            counts["scored"].as_u64().unwrap(),
            counts["rejected"].as_u64().unwrap(),
        );
        assert_eq!(read, ok + rejected, "{name}: counts reconcile");
        assert_eq!(ok as usize, scored.lines().count(), "{name}");
    }
    // CSV out, with the CSV errors report's columns.
    let csv = dir.path().join("scored.csv");
    let errors_csv = dir.path().join("problems.csv");
    let (status, ..) = score_file(
        &example_path("cohort-bad-rows.csv"),
        &csv,
        Some(&errors_csv),
    );
    assert_eq!(status, VsendStatus::Rejected);
    assert!(std::fs::read_to_string(&csv)
        .unwrap()
        .starts_with("child_id,assessed_on,"));
    let report = std::fs::read_to_string(&errors_csv).unwrap();
    assert!(report.starts_with("line,field,value,message\n"), "{report}");
    let (_, problems) = score_in_memory(&example_path("cohort-bad-rows.csv"));
    let problems = problems.as_array().unwrap().len();
    assert!(problems >= 18, "every rejected row has a problem");
    assert_eq!(
        report.lines().count(),
        1 + problems,
        "header, problems: {report}"
    );
}

#[test]
fn outputs_are_checked_first_and_written_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("cohort.csv");
    std::fs::copy(example_path("cohort-small.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();

    // Over the input: refused, the input intact.
    let (status, counts, error) = score_file(&input, &input, None);
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(counts.is_none());
    assert!(error.unwrap().contains("is the input"));
    assert_eq!(std::fs::read(&input).unwrap(), before);

    // Output and errors the same file.
    let same = d.join("same.jsonl");
    let (status, _, error) = score_file(&input, &same, Some(&same));
    assert_eq!(status, VsendStatus::InvalidArgument, "{error:?}");
    assert!(!same.exists());

    // A bad header: an input error, the earlier output untouched, no temp left.
    let out = d.join("scored.jsonl");
    std::fs::write(&out, "yesterday\n").unwrap();
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "child_id,whatever\nC1,2\n").unwrap();
    let (status, _, error) = score_file(&bad, &out, None);
    assert_eq!(status, VsendStatus::InputError, "{error:?}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "yesterday\n");
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".tmp")),
        "no temporary file left: {names:?}"
    );

    // An unknown extension is an argument error before anything is read.
    let (status, _, error) = score_file(&input, &d.join("scored.txt"), None);
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(error.unwrap().contains("allowed extensions .csv or .jsonl"));

    // Null paths.
    let mut fw = ptr::null_mut();
    unsafe { vsend_framework_default(&mut fw) };
    let (mut counts, mut error) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_score_file(
            fw,
            ptr::null(),
            ptr::null(),
            ptr::null(),
            &mut counts,
            &mut error,
        )
    };
    unsafe { vsend_framework_free(fw) };
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(take(error).unwrap().contains("input_path: null pointer"));
}
