//! `vsend_forecast` (§15) and `vsend_impact` (§16) from C: the worked examples
//! matched to 1e-9, intervals included; too little history and bad options
//! refused with a status and a message naming what is allowed.
//!
//! Every unsafe call here passes pointers to live Rust values or nulls on purpose.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_char, CString};
use std::ptr;

use serde_json::Value;
use vsend_ffi::*;

mod common;
use common::{close, example, take};

type Call = unsafe extern "C" fn(
    *const VsendFramework,
    i32,
    *const u8,
    usize,
    *const c_char,
    *mut *mut c_char,
    *mut *mut c_char,
    *mut *mut c_char,
) -> VsendStatus;

/// Runs `call` on the history example with `options`: (status, result, error).
fn run(call: Call, options: Option<&str>) -> (VsendStatus, Option<String>, Option<String>) {
    let mut fw = ptr::null_mut();
    assert_eq!(unsafe { vsend_framework_default(&mut fw) }, VsendStatus::Ok);
    let data = example("history-small.csv");
    let options = options.map(|o| CString::new(o).unwrap());
    let (mut result, mut problems, mut error) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        call(
            fw,
            0,
            data.as_ptr(),
            data.len(),
            options.as_ref().map_or(ptr::null(), |o| o.as_ptr()),
            &mut result,
            &mut problems,
            &mut error,
        )
    };
    unsafe { vsend_framework_free(fw) };
    let problems = take(problems);
    if status == VsendStatus::Ok {
        assert_eq!(
            problems.as_deref(),
            Some("[]"),
            "every row of the history is valid"
        );
    }
    (status, take(result), take(error))
}

#[test]
fn the_worked_examples_match_from_c() {
    for (options, expected) in [
        (None, "history-small.forecast.json"),
        (
            Some(r#"{"backtest": true, "horizon": 2}"#),
            "history-small.forecast.backtest.json",
        ),
        (
            Some(r#"{"as_of": "2022-03-01", "horizon": 5, "replicates": 0}"#),
            "history-small.forecast.2022-03-01.b0.json",
        ),
    ] {
        let (status, result, error) = run(vsend_forecast, options);
        assert_eq!(status, VsendStatus::Ok, "{expected}: {error:?}");
        let got: Value = serde_json::from_str(&result.unwrap()).unwrap();
        let want: Value = serde_json::from_slice(&example(expected)).unwrap();
        close(&got, &want, expected);
    }
    let (status, result, error) = run(vsend_impact, None);
    assert_eq!(status, VsendStatus::Ok, "{error:?}");
    let got: Value = serde_json::from_str(&result.unwrap()).unwrap();
    let want: Value = serde_json::from_slice(&example("history-small.impact.json")).unwrap();
    close(&got, &want, "impact");
}

#[test]
fn too_little_history_and_bad_options_are_refused() {
    let (status, result, error) = run(vsend_forecast, Some(r#"{"as_of": "2020-06-01"}"#));
    assert_eq!(status, VsendStatus::InputError);
    assert!(result.is_none());
    assert!(error.unwrap().contains("history"), "names what is missing");
    for (options, says) in [
        (
            r#"{"horizon": 0}"#,
            "options.horizon: 0 is not allowed; allowed a whole number from 1 to 5",
        ),
        (r#"{"horizon": 6}"#, "options.horizon: 6 is not allowed"),
        (
            r#"{"replicates": -1}"#,
            "options.replicates: -1 is not allowed; allowed a whole number from 0 to 10000",
        ),
        (
            r#"{"replicates": 10001}"#,
            "options.replicates: 10001 is not allowed",
        ),
        (r#"{"seed": 1.5}"#, "options.seed: 1.5 is not allowed"),
        (
            r#"{"history": 0}"#,
            "options.history: 0 is not allowed; allowed a whole number from 1 to 10",
        ),
        (r#"{"history": 11}"#, "options.history: 11 is not allowed"),
        (
            r#"{"inflow_years": 0}"#,
            "options.inflow_years: 0 is not allowed",
        ),
        (
            r#"{"backtest": "yes"}"#,
            "options.backtest: \"yes\" is not allowed; allowed true or false",
        ),
        (r#"{"colour": 1}"#, "options.colour: not allowed here"),
        ("[1]", "options: not an object"),
    ] {
        let (status, result, error) = run(vsend_forecast, Some(options));
        assert_eq!(status, VsendStatus::InvalidArgument, "{options}");
        assert!(result.is_none());
        let error = error.unwrap();
        assert!(error.contains(says), "{options}: {error}");
    }
    let (status, _, error) = run(vsend_impact, Some(r#"{"replicates": 10001}"#));
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(error
        .unwrap()
        .contains("options.replicates: 10001 is not allowed"));
    let (status, _, error) = run(vsend_impact, Some(r#"{"horizon": 2}"#));
    assert_eq!(status, VsendStatus::InvalidArgument);
    assert!(error.unwrap().contains("options.horizon: not allowed here"));
}
