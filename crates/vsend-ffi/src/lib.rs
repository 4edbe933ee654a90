//! A C interface to vsend, for council systems written in .NET, Java or
//! anything else that can call C.
//!
//! The interface is small and stable: a framework handle, and calls that take
//! a cohort file's bytes (CSV or JSON Lines, §10 of `docs/model.md`) and give
//! JSON back. The rules:
//!
//! - Every call returns a [`VsendStatus`]; on failure the `error` out-parameter,
//!   when not null, receives a message saying what was wrong and what is allowed.
//! - Every string handed out is UTF-8, NUL-terminated, owned by the caller and
//!   freed with [`vsend_string_free`]; a framework with [`vsend_framework_free`].
//!   Nothing else is ever allocated for the caller.
//! - Inputs are `(pointer, length)` byte ranges, so a NUL byte in the data is
//!   data (and is rejected with a positioned problem), never a truncation.
//! - No panic crosses the boundary: one is caught and reported as
//!   [`VsendStatus::Panic`].
//! - Rejected rows are not failures: the call returns [`VsendStatus::Rejected`]
//!   with every other row processed, and the problems as a JSON array of
//!   `{"line", "field", "value", "message"}`, the same positioned problems the
//!   `vsend` command prints.
//!
//! The header `include/vsend.h` is generated from this file by cbindgen; a
//! test fails when it is out of date.

use std::ffi::{c_char, CStr, CString};
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use serde_json::json;
use vsend_cli::read::{Format, Input, Problem, Row};
use vsend_core::{
    parse_date, score, Assessment, ChildId, Cohort, Framework, GroupBy, Histories, Keep, ScoredRow,
    Timeline,
};

/// What a call did. Every function returns one.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VsendStatus {
    /// Done; every row was accepted.
    Ok = 0,
    /// Done; some rows were rejected. The others are in the result and each
    /// rejected row's problems are in `problems`.
    Rejected = 1,
    /// The input as a whole could not be used (a bad framework, a bad CSV
    /// header, an unknown child); `error` says why. Nothing else was written.
    InputError = 2,
    /// A required pointer was null, or an argument was not valid UTF-8 or not
    /// one of the allowed values; `error` says which.
    InvalidArgument = 3,
    /// vsend panicked. The panic was caught at the boundary; this is a bug.
    Panic = 4,
}

/// The format of a cohort file's bytes (§10).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VsendFormat {
    /// Cohort CSV, UTF-8, header row first.
    Csv = 0,
    /// Cohort JSON Lines, one assessment object per line.
    Jsonl = 1,
}

/// A validated framework (§2). Opaque to C: made by
/// [`vsend_framework_default`] or [`vsend_framework_from_json`], freed by
/// [`vsend_framework_free`].
#[derive(Debug)]
pub struct VsendFramework(Framework);

/// Why a call failed: its status and message.
#[derive(Debug)]
struct Failure(VsendStatus, String);

fn invalid(what: impl Into<String>) -> Failure {
    Failure(VsendStatus::InvalidArgument, what.into())
}

fn input_error(what: impl Into<String>) -> Failure {
    Failure(VsendStatus::InputError, what.into())
}

/// A string for C: NUL-terminated, any interior NUL replaced (JSON never has one).
fn c_string(s: String) -> *mut c_char {
    let s = if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s
    };
    CString::new(s).expect("NULs were replaced").into_raw()
}

/// Writes `value` through `out` when `out` is not null.
///
/// # Safety
/// `out` is null or valid for one pointer write.
unsafe fn put(out: *mut *mut c_char, value: String) {
    if !out.is_null() {
        // SAFETY: the caller passes a writable pointer or null (checked).
        unsafe { *out = c_string(value) };
    }
}

/// Clears an out-parameter so the caller never sees a stale pointer.
///
/// # Safety
/// `out` is null or valid for one pointer write.
unsafe fn clear<T>(out: *mut *mut T) {
    if !out.is_null() {
        // SAFETY: as above.
        unsafe { *out = ptr::null_mut() };
    }
}

/// The bytes of a `(pointer, length)` input.
///
/// # Safety
/// `data` is null only with `len == 0`, else valid for `len` bytes.
unsafe fn bytes<'a>(data: *const u8, len: usize, what: &str) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(invalid(format!("{what}: null pointer with length {len}")));
    }
    // SAFETY: the caller promises `len` readable bytes at `data`.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// An optional NUL-terminated UTF-8 argument.
///
/// # Safety
/// `s` is null or a NUL-terminated string.
unsafe fn opt_str<'a>(s: *const c_char, what: &str) -> Result<Option<&'a str>, Failure> {
    if s.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let s = unsafe { CStr::from_ptr(s) };
    s.to_str()
        .map(Some)
        .map_err(|_| invalid(format!("{what}: not valid UTF-8")))
}

/// The framework behind a handle.
///
/// # Safety
/// `fw` is null or a live handle from this library.
unsafe fn framework<'a>(fw: *const VsendFramework) -> Result<&'a Framework, Failure> {
    // SAFETY: the caller passes a live handle or null (checked).
    unsafe { fw.as_ref() }
        .map(|f| &f.0)
        .ok_or_else(|| invalid("framework: null pointer"))
}

/// Runs `body` with panics caught, writing its message to `error` on failure.
///
/// # Safety
/// `error` is null or valid for one pointer write.
unsafe fn guard(
    error: *mut *mut c_char,
    body: impl FnOnce() -> Result<VsendStatus, Failure>,
) -> VsendStatus {
    // SAFETY: forwarded from the caller.
    unsafe { clear(error) };
    let (status, message) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) => return status,
        Ok(Err(Failure(status, message))) => (status, message),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            (
                VsendStatus::Panic,
                format!("internal error (please report): {what}"),
            )
        }
    };
    // SAFETY: forwarded from the caller.
    unsafe { put(error, message) };
    status
}

/// The library's version, e.g. `0.1.0`. Static: never free it.
#[no_mangle]
pub extern "C" fn vsend_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Frees a string this library handed out. Null is ignored.
///
/// # Safety
/// `s` is null or a string from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vsend_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` in this library.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Makes the built-in framework, `vsend-default` version 1 (§2).
///
/// # Safety
/// `out` is valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn vsend_framework_default(out: *mut *mut VsendFramework) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(out);
        guard(ptr::null_mut(), || {
            if out.is_null() {
                return Err(invalid("out: null pointer"));
            }
            *out = Box::into_raw(Box::new(VsendFramework(Framework::default())));
            Ok(VsendStatus::Ok)
        })
    }
}

/// Loads and validates a framework from its JSON (§2). On failure, `error`
/// lists every problem and `*out` is null.
///
/// # Safety
/// `json` is valid for `len` bytes; `out` for one write; `error` is null or
/// valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vsend_framework_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut VsendFramework,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(out);
        guard(error, || {
            if out.is_null() {
                return Err(invalid("out: null pointer"));
            }
            let text = std::str::from_utf8(bytes(json, len, "json")?).map_err(|e| {
                input_error(format!(
                    "framework: not valid UTF-8 at byte {}",
                    e.valid_up_to()
                ))
            })?;
            let fw = Framework::from_json(text)
                .map_err(|e| input_error(format!("bad framework: {e}")))?;
            *out = Box::into_raw(Box::new(VsendFramework(fw)));
            Ok(VsendStatus::Ok)
        })
    }
}

/// The framework as JSON (§2), to store or to start a council's own from.
///
/// # Safety
/// `fw` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vsend_framework_to_json(
    fw: *const VsendFramework,
    out: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(out);
        guard(ptr::null_mut(), || {
            let fw = framework(fw)?;
            if out.is_null() {
                return Err(invalid("out: null pointer"));
            }
            put(out, fw.to_json());
            Ok(VsendStatus::Ok)
        })
    }
}

/// Frees a framework. Null is ignored.
///
/// # Safety
/// `fw` is null or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vsend_framework_free(fw: *mut VsendFramework) {
    if !fw.is_null() {
        // SAFETY: `fw` came from `Box::into_raw` in this library.
        drop(unsafe { Box::from_raw(fw) });
    }
}

/// What reading a cohort file's bytes gave: accepted assessments with their
/// lines, and the problems of rejected rows as JSON objects.
struct Read {
    format: Format,
    accepted: Vec<(u64, Assessment)>,
    problems: Vec<serde_json::Value>,
    rejected: u64,
}

impl Read {
    fn reject(&mut self, line: u64, problems: &[Problem]) {
        self.rejected += 1;
        self.problems.extend(problems.iter().map(
            |p| json!({"line": line, "field": p.field, "value": p.value, "message": p.message}),
        ));
    }

    /// Rejects a same-date duplicate (§7).
    fn duplicate(&mut self, line: u64, d: vsend_core::Duplicate) {
        let problem = Problem::duplicate(d, self.format);
        self.reject(line, &[problem]);
    }

    fn status(&self) -> VsendStatus {
        if self.rejected == 0 {
            VsendStatus::Ok
        } else {
            VsendStatus::Rejected
        }
    }
}

/// Reads every row of `data` against `fw`, as the `vsend` command does.
fn read(fw: &Framework, format: VsendFormat, data: &[u8]) -> Result<Read, Failure> {
    let format = match format {
        VsendFormat::Csv => Format::Csv,
        VsendFormat::Jsonl => Format::Jsonl,
    };
    let input = Input::from_reader("input", format, Cursor::new(data.to_vec()));
    let rows = input.rows(fw).map_err(|e| input_error(e.to_string()))?;
    let mut out = Read {
        format,
        accepted: Vec::new(),
        problems: Vec::new(),
        rejected: 0,
    };
    for row in rows {
        match row.map_err(|e| input_error(e.to_string()))? {
            Row::Accepted { line, value } => out.accepted.push((line, value)),
            Row::Rejected { line, problems } => out.reject(line, &problems),
        }
    }
    Ok(out)
}

/// Format from C, checked (an out-of-range value is an argument error, not UB).
fn format_arg(format: i32) -> Result<VsendFormat, Failure> {
    match format {
        0 => Ok(VsendFormat::Csv),
        1 => Ok(VsendFormat::Jsonl),
        other => Err(invalid(format!(
            "format: {other} is not a format; allowed 0 (CSV) or 1 (JSON Lines)"
        ))),
    }
}

/// Scores every row of a cohort file (§4–§6): `*scored` gets one JSON Lines
/// row per accepted assessment in input order (the §10 scored shape),
/// `*problems` a JSON array of the rejected rows' problems (`[]` when none).
/// Same-date duplicates (§7) are rejected rows.
///
/// `format` is a [`VsendFormat`] value (0 CSV, 1 JSON Lines).
///
/// # Safety
/// `fw` is a live handle; `data` is valid for `len` bytes; each out-pointer is
/// valid for one write (`error` may be null).
#[no_mangle]
pub unsafe extern "C" fn vsend_score(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    scored: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(scored);
        clear(problems);
        guard(error, || {
            let fw = framework(fw)?;
            let format = format_arg(format)?;
            if scored.is_null() || problems.is_null() {
                return Err(invalid("scored, problems: null pointer"));
            }
            let mut read = read(fw, format, bytes(data, len, "data")?)?;
            let mut seen = Histories::new(Keep::Dates);
            let mut out = String::new();
            for (line, a) in std::mem::take(&mut read.accepted) {
                if let Err(d) = seen.add_date(a.child_id(), a.assessed_on()) {
                    read.duplicate(line, d);
                    continue;
                }
                let row = ScoredRow::new(fw, &a, &score(fw, &a));
                out.push_str(&serde_json::to_string(&row).expect("a scored row serialises"));
                out.push('\n');
            }
            put(scored, out);
            put(
                problems,
                serde_json::Value::Array(read.problems.clone()).to_string(),
            );
            Ok(read.status())
        })
    }
}

/// Summarises a cohort (§8, §12): `options` is null or a JSON object
/// `{"as_of": "YYYY-MM-DD", "by": "setting_id" | "age_band" | "primary_domain"}`
/// (both optional). `*summary` gets the §10 cohort summary JSON.
///
/// # Safety
/// As [`vsend_score`]; `options` is null or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vsend_cohort(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    options: *const c_char,
    summary: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(summary);
        clear(problems);
        guard(error, || {
            let fw = framework(fw)?;
            let format = format_arg(format)?;
            if summary.is_null() || problems.is_null() {
                return Err(invalid("summary, problems: null pointer"));
            }
            let (as_of, by) = cohort_options(opt_str(options, "options")?)?;
            let mut read = read(fw, format, bytes(data, len, "data")?)?;
            let mut cohort = Cohort::new(fw, as_of);
            for (line, a) in std::mem::take(&mut read.accepted) {
                if let Err(d) = cohort.add(&a) {
                    read.duplicate(line, d);
                }
            }
            let json = serde_json::to_string(&cohort.summary(by)).expect("a summary serialises");
            put(summary, json);
            put(
                problems,
                serde_json::Value::Array(read.problems.clone()).to_string(),
            );
            Ok(read.status())
        })
    }
}

fn cohort_options(
    options: Option<&str>,
) -> Result<(Option<vsend_core::Date>, Option<GroupBy>), Failure> {
    let Some(text) = options else {
        return Ok((None, None));
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("options: not JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| invalid("options: allowed a JSON object {\"as_of\", \"by\"}"))?;
    let mut as_of = None;
    let mut by = None;
    for (key, v) in object {
        let text = v.as_str();
        match (key.as_str(), text) {
            ("as_of", Some(s)) => {
                as_of = Some(parse_date(s).ok_or_else(|| {
                    invalid(format!("options.as_of: {s:?} is not a date; allowed YYYY-MM-DD"))
                })?)
            }
            ("by", Some(s)) => {
                by = Some(
                    s.parse::<GroupBy>()
                        .map_err(|e| invalid(format!("options.by: {e}")))?,
                )
            }
            ("as_of" | "by", None) if v.is_null() => {}
            _ => {
                return Err(invalid(format!(
                    "options.{key}: not allowed here; allowed \"as_of\" (a date string) and \"by\" (a string)"
                )))
            }
        }
    }
    Ok((as_of, by))
}

/// One child's timeline (§7) as JSON: `child_id` is the child's ID, `as_of`
/// null or a date `YYYY-MM-DD` (reviews after it are left out and `overdue`
/// is given). An unknown child is an [`VsendStatus::InputError`].
///
/// # Safety
/// As [`vsend_score`]; `child_id` is a NUL-terminated string, `as_of` null or one.
#[no_mangle]
pub unsafe extern "C" fn vsend_timeline(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    child_id: *const c_char,
    as_of: *const c_char,
    timeline: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(timeline);
        clear(problems);
        guard(error, || {
            let fw = framework(fw)?;
            let format = format_arg(format)?;
            if timeline.is_null() || problems.is_null() {
                return Err(invalid("timeline, problems: null pointer"));
            }
            let child =
                opt_str(child_id, "child_id")?.ok_or_else(|| invalid("child_id: null pointer"))?;
            let child = ChildId::new(child).map_err(|e| invalid(format!("child_id: {e}")))?;
            let as_of = match opt_str(as_of, "as_of")? {
                None => None,
                Some(s) => Some(parse_date(s).ok_or_else(|| {
                    invalid(format!("as_of: {s:?} is not a date; allowed YYYY-MM-DD"))
                })?),
            };
            let mut read = read(fw, format, bytes(data, len, "data")?)?;
            let mut histories = Histories::new(Keep::Child(child.clone()));
            for (line, a) in std::mem::take(&mut read.accepted) {
                if let Err(d) = histories.add(&a) {
                    read.duplicate(line, d);
                }
            }
            let history = histories
                .get(&child)
                .ok_or_else(|| input_error(format!("child_id: no assessment of {child}")))?;
            let t = Timeline::of(fw, history, as_of)
                .map_err(|e| input_error(format!("child_id {child}: {e}")))?;
            put(
                timeline,
                serde_json::to_string(&t).expect("a timeline serialises"),
            );
            put(
                problems,
                serde_json::Value::Array(read.problems.clone()).to_string(),
            );
            Ok(read.status())
        })
    }
}
