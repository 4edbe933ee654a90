//! The C interface, called from Rust: the same numbers as the Rust API on the
//! worked examples, and every kind of bad input answered with a status.
//!
//! Every unsafe call here passes pointers to live Rust values or nulls on purpose.
//!
//! Checks: §3–§14 through the C interface.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, CString};
use std::ptr;

use serde_json::Value;
use vsend_ffi::*;

mod common;
use common::{close, example, take};

struct Fw(*mut VsendFramework);

impl Fw {
    fn default() -> Fw {
        let mut fw = ptr::null_mut();
        assert_eq!(unsafe { vsend_framework_default(&mut fw) }, VsendStatus::Ok);
        Fw(fw)
    }
}

impl Drop for Fw {
    fn drop(&mut self) {
        unsafe { vsend_framework_free(self.0) };
    }
}

#[test]
fn cohort_and_timeline_match_the_worked_examples() {
    let fw = Fw::default();
    let data = example("cohort-small.csv");
    let options = CString::new(r#"{"by": "setting_id"}"#).unwrap();
    let (mut summary, mut problems, mut error) =
        (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_cohort(
            fw.0,
            0,
            data.as_ptr(),
            data.len(),
            options.as_ptr(),
            &mut summary,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::Ok, "{:?}", take(error));
    let got: Value = serde_json::from_str(&take(summary).unwrap()).unwrap();
    let want: Value = serde_json::from_slice(&example("cohort-small.by-setting.json")).unwrap();
    close(&got, &want, "summary");
    assert_eq!(take(problems).unwrap(), "[]");

    let child = CString::new("C010000011").unwrap();
    let as_of = CString::new("2025-09-01").unwrap();
    let mut timeline = ptr::null_mut();
    let mut problems = ptr::null_mut();
    let status = unsafe {
        vsend_timeline(
            fw.0,
            0,
            data.as_ptr(),
            data.len(),
            child.as_ptr(),
            as_of.as_ptr(),
            &mut timeline,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::Ok, "{:?}", take(error));
    let got: Value = serde_json::from_str(&take(timeline).unwrap()).unwrap();
    let want: Value = serde_json::from_slice(&example("timeline-C010000011.json")).unwrap();
    close(&got, &want, "timeline");
    take(problems);
}

#[test]
fn bad_rows_and_duplicates_are_positioned_problems() {
    let fw = Fw::default();
    for (input, rejected) in [("cohort-bad-rows.csv", 18), ("cohort-duplicates.csv", 2)] {
        let data = example(input);
        let (mut scored, mut problems, mut error) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            vsend_score(
                fw.0,
                0,
                data.as_ptr(),
                data.len(),
                &mut scored,
                &mut problems,
                &mut error,
            )
        };
        assert_eq!(status, VsendStatus::Rejected);
        assert!(take(error).is_none());
        let scored = take(scored).unwrap();
        let stem = input.trim_end_matches(".csv");
        let want = String::from_utf8(example(&format!("{stem}.scored.jsonl"))).unwrap();
        assert_eq!(scored.lines().count(), want.lines().count(), "{input}");
        let problems: Value = serde_json::from_str(&take(problems).unwrap()).unwrap();
        let mut lines: Vec<u64> = problems
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["line"].as_u64().unwrap())
            .collect();
        lines.dedup();
        assert_eq!(lines.len(), rejected, "{input}: {problems}");
        let data_rows = String::from_utf8_lossy(&data)
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        assert_eq!(
            scored.lines().count() + rejected,
            data_rows,
            "{input}: counts reconcile"
        );
    }
}

#[test]
fn bad_arguments_get_a_status_and_a_message_never_a_crash() {
    let fw = Fw::default();
    let (mut out, mut problems, mut error) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // A null data pointer with a length, a format out of range, a null out-pointer.
    let status = unsafe {
        vsend_score(
            fw.0,
            0,
            ptr::null(),
            10,
            &mut out,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(take(error).unwrap().contains("data: null pointer"));
    assert!(out.is_null() && problems.is_null());
    let status =
        unsafe { vsend_score(fw.0, 9, ptr::null(), 0, &mut out, &mut problems, &mut error) };
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(take(error)
        .unwrap()
        .contains("allowed 0 (CSV) or 1 (JSON Lines)"));
    let status = unsafe {
        vsend_score(
            fw.0,
            0,
            ptr::null(),
            0,
            ptr::null_mut(),
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::InvalidArgument);
    take(error);
    // An empty CSV has no header: an input error, as the CLI says.
    let status =
        unsafe { vsend_score(fw.0, 0, ptr::null(), 0, &mut out, &mut problems, &mut error) };
    assert_eq!(status, VsendStatus::InputError);
    assert!(take(error).unwrap().contains("empty"));
    // Bad cohort options and an unknown child.
    let data = example("cohort-small.csv");
    let options = CString::new(r#"{"by": "colour"}"#).unwrap();
    let status = unsafe {
        vsend_cohort(
            fw.0,
            0,
            data.as_ptr(),
            data.len(),
            options.as_ptr(),
            &mut out,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(take(error).unwrap().contains("options.by"));
    let child = CString::new("C999").unwrap();
    let status = unsafe {
        vsend_timeline(
            fw.0,
            0,
            data.as_ptr(),
            data.len(),
            child.as_ptr(),
            ptr::null(),
            &mut out,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::InputError);
    assert!(take(error).unwrap().contains("no assessment of C999"));
    // A framework that is not JSON, and one with a NUL byte in it.
    let mut bad = ptr::null_mut();
    for json in [&b"{\"id\": 1"[..], &b"{\"id\": \"a\0\"}"[..]] {
        let status =
            unsafe { vsend_framework_from_json(json.as_ptr(), json.len(), &mut bad, &mut error) };
        assert_eq!(status, VsendStatus::InputError);
        assert!(bad.is_null());
        assert!(take(error).unwrap().starts_with("bad framework"));
    }
    let mut json = ptr::null_mut();
    assert_eq!(
        unsafe { vsend_framework_to_json(fw.0, &mut json) },
        VsendStatus::Ok
    );
    let json = take(json).unwrap();
    let mut back = ptr::null_mut();
    let status =
        unsafe { vsend_framework_from_json(json.as_ptr(), json.len(), &mut back, &mut error) };
    assert_eq!(status, VsendStatus::Ok);
    unsafe { vsend_framework_free(back) };
    assert!(unsafe { CStr::from_ptr(vsend_version()) }
        .to_str()
        .unwrap()
        .starts_with("0."));
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn decisions_match_the_worked_examples() {
    let fw = Fw::default();
    let (mut out, mut problems, mut error) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let cohort = example("cohort-small.csv");
    // §11 phase moves.
    let status = unsafe {
        vsend_transitions(
            fw.0,
            0,
            cohort.as_ptr(),
            cohort.len(),
            2025,
            ptr::null(),
            &mut out,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::Ok, "{:?}", take(error));
    let want: Value = serde_json::from_slice(&example("transitions-small-2025.json")).unwrap();
    close(
        &serde_json::from_str(&take(out).unwrap()).unwrap(),
        &want,
        "moves",
    );
    take(problems);
    // §11 plans: 13 rows, 7 rejected on their lines.
    let plans = example("plans-small.csv");
    let (mut rows, mut problems) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_transition(
            fw.0,
            0,
            cohort.as_ptr(),
            cohort.len(),
            0,
            plans.as_ptr(),
            plans.len(),
            &mut rows,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::Rejected, "{:?}", take(error));
    let got = jsonl(&take(rows).unwrap());
    let want = jsonl(&String::from_utf8(example("plans-small.expected.jsonl")).unwrap());
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        close(g, w, &format!("plan {i}"));
    }
    let problems: Value = serde_json::from_str(&take(problems).unwrap()).unwrap();
    let mut lines: Vec<u64> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    lines.dedup();
    assert_eq!(lines, [4, 7, 10, 13, 16, 18, 20]);
    // §14 suppression: the three worked examples.
    for (options, expected) in [
        (
            r#"{"by": "setting_id", "suppress": 3}"#,
            "cohort-small.by-setting.suppress3.json",
        ),
        (
            r#"{"by": "age_band", "suppress": 4}"#,
            "cohort-small.by-age-band.suppress4.json",
        ),
        (
            r#"{"by": "setting_id", "suppress": 3, "round_to": 3}"#,
            "cohort-small.by-setting.suppress3.round3.json",
        ),
    ] {
        let summary =
            cohort_json(&fw, &cohort, options).unwrap_or_else(|e| panic!("{options}: {e:?}"));
        let want: Value = serde_json::from_slice(&example(expected)).unwrap();
        close(&serde_json::from_str(&summary).unwrap(), &want, expected);
    }
    // Comparison: the two terms (exact: each row's suppression null) and a shared summary.
    let terms = |name: &str| -> Value { serde_json::from_slice(&example(name)).unwrap() };
    let input = serde_json::json!([
        {"label": "term-2024-autumn", "summary": terms("term-2024-autumn.json")},
        {"label": "term-2025-summer", "summary": terms("term-2025-summer.json")},
    ])
    .to_string();
    let mut comparison = ptr::null_mut();
    let status = unsafe { vsend_compare(input.as_ptr(), input.len(), &mut comparison, &mut error) };
    assert_eq!(status, VsendStatus::Ok, "{:?}", take(error));
    let mut got: Value = serde_json::from_str(&take(comparison).unwrap()).unwrap();
    for row in got["rows"].as_array_mut().unwrap() {
        assert_eq!(
            row.as_object_mut().unwrap().remove("suppression"),
            Some(Value::Null)
        );
    }
    close(&got, &terms("compare-terms.json"), "comparison");
    let input = serde_json::json!([
        {"label": "exact", "summary": terms("cohort-small.by-setting.json")},
        {"label": "shared", "summary": terms("cohort-small.by-setting.suppress3.round3.json")},
    ])
    .to_string();
    let status = unsafe { vsend_compare(input.as_ptr(), input.len(), &mut comparison, &mut error) };
    assert_eq!(status, VsendStatus::Ok, "{:?}", take(error));
    let got: Value = serde_json::from_str(&take(comparison).unwrap()).unwrap();
    assert_eq!(got["rows"][0]["suppression"], Value::Null);
    assert_eq!(
        got["rows"][1]["suppression"],
        serde_json::json!({"min_count": 3, "round_to": 3})
    );
    // Not a summary; an impossible figure, named by its key path; two labels alike.
    let mut bad = terms("term-2024-autumn.json");
    bad["groups"]["all"]["cl"]["met_by_setting"] = 5.into();
    for (input, says) in [
        (r#"[{"label": "x", "summary": {"child_id": "C1"}}]"#.to_owned(), "not a cohort summary"),
        (
            serde_json::json!([{"label": "x", "summary": bad}]).to_string(),
            "summaries[0] (x): not a cohort summary: groups.all.cl.met_by_setting: 5 is not allowed; allowed a share from 0 to 1, or null",
        ),
        (
            serde_json::json!([
                {"label": "x", "summary": terms("term-2024-autumn.json")},
                {"label": "x", "summary": terms("term-2025-summer.json")},
            ])
            .to_string(),
            "x: the label of summaries 1 and 2",
        ),
    ] {
        let status = unsafe { vsend_compare(input.as_ptr(), input.len(), &mut comparison, &mut error) };
        assert_eq!(status, VsendStatus::InputError, "{says}");
        let message = take(error).unwrap();
        assert!(message.contains(says), "{message}");
        assert!(comparison.is_null());
    }
    // Bad suppression options: InvalidArgument, each named, nothing handed out.
    for (options, says) in [
        (
            r#"{"suppress": 1}"#,
            "options.suppress: 1 is not allowed; K is a whole number from 2 to 100",
        ),
        (
            r#"{"suppress": 101}"#,
            "options.suppress: 101 is not allowed; K is a whole number from 2 to 100",
        ),
        (
            r#"{"suppress": 3, "round_to": 2}"#,
            "options.round_to: 2 is not allowed; B is a whole number from 3 to 100",
        ),
        (
            r#"{"suppress": 3, "round_to": 101}"#,
            "options.round_to: 101 is not allowed; B is a whole number from 3 to 100",
        ),
        (
            r#"{"round_to": 5}"#,
            "options.round_to: 5 given without \"suppress\"",
        ),
        (r#"{"suppress": 3.5}"#, "K is a whole number"),
    ] {
        let err = cohort_json(&fw, &cohort, options).unwrap_err();
        assert_eq!(err.0, VsendStatus::InvalidArgument, "{options}");
        assert!(err.1.contains(says), "{options}: {}", err.1);
    }
}

/// `vsend_cohort` with `options`: the summary, or the status and error.
fn cohort_json(fw: &Fw, cohort: &[u8], options: &str) -> Result<String, (VsendStatus, String)> {
    let options = CString::new(options).unwrap();
    let (mut summary, mut problems, mut error) =
        (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_cohort(
            fw.0,
            0,
            cohort.as_ptr(),
            cohort.len(),
            options.as_ptr(),
            &mut summary,
            &mut problems,
            &mut error,
        )
    };
    take(problems);
    match status {
        VsendStatus::Ok => Ok(take(summary).unwrap()),
        other => {
            assert!(summary.is_null(), "nothing handed out");
            Err((other, take(error).unwrap()))
        }
    }
}

#[test]
fn a_banded_framework_scores_with_its_bands() {
    let json = example("framework-banded.json");
    let (mut fw, mut error) = (ptr::null_mut(), ptr::null_mut());
    let status =
        unsafe { vsend_framework_from_json(json.as_ptr(), json.len(), &mut fw, &mut error) };
    assert_eq!(status, VsendStatus::Ok, "{:?}", take(error));
    let fw = Fw(fw);
    let cohort = example("cohort-small.csv");
    let (mut scored, mut problems) = (ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_score(
            fw.0,
            0,
            cohort.as_ptr(),
            cohort.len(),
            &mut scored,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::Ok);
    take(problems);
    let got = jsonl(&take(scored).unwrap());
    let want = jsonl(&String::from_utf8(example("cohort-small.banded.scored.jsonl")).unwrap());
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        close(g, w, &format!("row {i}"));
    }
}

#[test]
fn a_repeated_plan_for_one_child_and_date_is_a_rejected_plan() {
    // §11 with §7's rule: the later of two plans of a child moving on one date,
    // identical or not, is rejected on its line; another date is a plan of its own.
    let fw = Fw::default();
    let cohort = example("cohort-small.csv");
    let plans = concat!(
        "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind\n",
        "C010000001,S0007,2025-09-03,4,1,1,3,0\n",
        "C010000001,S0009,2025-09-03,0,0,0,0,0\n",
        "C010000001,S0009,2025-10-01,0,0,0,0,0\n",
        "C010000001,S0007,2025-09-03,4,1,1,3,0\n",
    );
    let (mut rows, mut problems, mut error) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        vsend_transition(
            fw.0,
            0,
            cohort.as_ptr(),
            cohort.len(),
            0,
            plans.as_ptr(),
            plans.len(),
            &mut rows,
            &mut problems,
            &mut error,
        )
    };
    assert_eq!(status, VsendStatus::Rejected, "{:?}", take(error));
    let rows = jsonl(&take(rows).unwrap());
    let to: Vec<&str> = rows
        .iter()
        .map(|r| r["to_setting_id"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["S0007", "S0009"]);
    let problems: Value = serde_json::from_str(&take(problems).unwrap()).unwrap();
    let problems = problems.as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    for (p, line) in problems.iter().zip([3, 5]) {
        assert_eq!(p["line"], line);
        assert_eq!(p["field"], "move_on");
        assert_eq!(p["value"], "2025-09-03");
        assert_eq!(
            p["message"],
            "column move_on: \"2025-09-03\" repeats an earlier plan of C010000001 moving on the same date; allowed one plan per child per move date"
        );
    }
}
