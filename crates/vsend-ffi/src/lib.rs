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
use std::path::Path;
use std::ptr;

use serde_json::json;
use vsend_core::{
    parse_date, score, Assessment, ChildId, Cohort, Framework, GroupBy, Histories, Keep, ScoredRow,
    SeenDates, SummaryFile, Timeline,
};
use vsend_io::read::{Assessments, Format, Input, Plans, Problem, Row, Schema};

mod stream;

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
struct Read<T = Assessment> {
    format: Format,
    accepted: Vec<(u64, T)>,
    problems: Vec<serde_json::Value>,
    rejected: u64,
}

impl<T> Read<T> {
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

    /// The problems as a JSON array, in line order (a line's problems in
    /// the order found): duplicates and plans without an assessment are
    /// found after the reading.
    fn problems_json(&mut self) -> String {
        self.problems.sort_by_key(|p| p["line"].as_u64());
        serde_json::Value::Array(std::mem::take(&mut self.problems)).to_string()
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
    read_as::<Assessments>(fw, format, data)
}

/// Reads every record of schema `S` (assessments or plans) from `data`.
fn read_as<S: Schema>(
    fw: &Framework,
    format: VsendFormat,
    data: &[u8],
) -> Result<Read<S::Value>, Failure> {
    let format = match format {
        VsendFormat::Csv => Format::Csv,
        VsendFormat::Jsonl => Format::Jsonl,
    };
    let input = Input::from_reader("input", format, Cursor::new(data.to_vec()));
    let rows = input
        .rows_as::<S>(fw)
        .map_err(|e| input_error(e.to_string()))?;
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
            let mut seen = SeenDates::new();
            let mut out = String::new();
            for (line, a) in std::mem::take(&mut read.accepted) {
                if let Err(d) = seen.add(a.child_id(), a.assessed_on()) {
                    read.duplicate(line, d);
                    continue;
                }
                let row = ScoredRow::new(fw, &a, &score(fw, &a));
                out.push_str(&serde_json::to_string(&row).expect("a scored row serialises"));
                out.push('\n');
            }
            put(scored, out);
            let status = read.status();
            put(problems, read.problems_json());
            Ok(status)
        })
    }
}

/// Scores a cohort file into a file, streaming: memory stays bounded (a few
/// chunks of 16,384 rows or 8 MiB in flight, plus about a hundred bytes per
/// child for §7's same-date check) whatever the size of the input, as with the
/// `vsend score` command. Use this rather than [`vsend_score`] for large
/// inputs.
///
/// - `input_path`: a cohort file, CSV (`.csv`) or JSON Lines (`.jsonl`).
/// - `output_path`: the scored rows, CSV or JSON Lines by its extension.
/// - `errors_path`: null, or a file for the rejected rows' problems, one per
///   line: CSV `line,field,value,message` (`.csv`, text cells defused against
///   spreadsheet formulas) or JSON Lines objects with the same keys (`.jsonl`).
/// - `*counts` gets `{"rows_read", "scored", "rejected"}`; rows_read = scored +
///   rejected.
///
/// Outputs are checked before any row is read (never an input, never each
/// other, never a directory), written to temporary files beside their targets
/// and renamed over them only when the whole run succeeds (status `Ok` or
/// `Rejected`); on any other status no output file is changed.
///
/// # Safety
/// `fw` is a live handle; the paths are NUL-terminated strings (`errors_path`
/// may be null); `counts` is valid for one write; `error` is null or valid for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn vsend_score_file(
    fw: *const VsendFramework,
    input_path: *const c_char,
    output_path: *const c_char,
    errors_path: *const c_char,
    counts: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(counts);
        guard(error, || {
            let fw = framework(fw)?;
            let input = opt_str(input_path, "input_path")?
                .ok_or_else(|| invalid("input_path: null pointer"))?;
            let output = opt_str(output_path, "output_path")?
                .ok_or_else(|| invalid("output_path: null pointer"))?;
            let errors = opt_str(errors_path, "errors_path")?;
            if counts.is_null() {
                return Err(invalid("counts: null pointer"));
            }
            let (read, rejected) = stream::score_file(
                fw,
                Path::new(input),
                Path::new(output),
                errors.map(Path::new),
            )?;
            put(
                counts,
                json!({"rows_read": read, "scored": read - rejected, "rejected": rejected})
                    .to_string(),
            );
            Ok(if rejected == 0 {
                VsendStatus::Ok
            } else {
                VsendStatus::Rejected
            })
        })
    }
}

/// Summarises a cohort (§8, §12, §13): `options` is null or a JSON object
/// `{"as_of": "YYYY-MM-DD", "by": "setting_id" | "age_band" | "primary_domain",
/// "suppress": K}` (each optional; with `suppress`, the summary is made safe
/// to share, §14). `*summary` gets the cohort summary JSON.
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
            let options = cohort_options(opt_str(options, "options")?)?;
            let mut read = read(fw, format, bytes(data, len, "data")?)?;
            let mut cohort = Cohort::new(fw, options.as_of);
            for (line, a) in std::mem::take(&mut read.accepted) {
                if let Err(d) = cohort.add(&a) {
                    read.duplicate(line, d);
                }
            }
            let json = match options.suppress {
                None => serde_json::to_string(&cohort.summary(options.by)),
                Some(k) => {
                    let shared = cohort
                        .summary_suppressed(options.by, k)
                        .map_err(|e| invalid(e.to_string()))?;
                    serde_json::to_string(&shared)
                }
            }
            .expect("a summary serialises");
            put(summary, json);
            let status = read.status();
            put(problems, read.problems_json());
            Ok(status)
        })
    }
}

/// What `vsend_cohort`'s options ask for.
#[derive(Debug, Default)]
struct CohortOptions {
    as_of: Option<vsend_core::Date>,
    by: Option<GroupBy>,
    suppress: Option<u64>,
}

fn cohort_options(options: Option<&str>) -> Result<CohortOptions, Failure> {
    let mut out = CohortOptions::default();
    let Some(text) = options else {
        return Ok(out);
    };
    let allowed = "allowed \"as_of\" (a date string), \"by\" (a string) and \"suppress\" (a whole number, at least 2)";
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(format!("options: not JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| invalid(format!("options: not an object; {allowed}")))?;
    for (key, v) in object {
        match (key.as_str(), v) {
            (_, serde_json::Value::Null) if ["as_of", "by", "suppress"].contains(&key.as_str()) => {
            }
            ("as_of", serde_json::Value::String(s)) => {
                out.as_of = Some(parse_date(s).ok_or_else(|| {
                    invalid(format!(
                        "options.as_of: {s:?} is not a date; allowed YYYY-MM-DD"
                    ))
                })?)
            }
            ("by", serde_json::Value::String(s)) => {
                out.by = Some(
                    s.parse::<GroupBy>()
                        .map_err(|e| invalid(format!("options.by: {e}")))?,
                )
            }
            ("suppress", v) => {
                out.suppress = Some(v.as_u64().filter(|&k| k >= 2).ok_or_else(|| {
                    invalid(format!(
                        "options.suppress: {v} is not allowed; K is a whole number, at least 2"
                    ))
                })?)
            }
            _ => {
                return Err(invalid(format!(
                    "options.{key}: not allowed here; {allowed}"
                )))
            }
        }
    }
    Ok(out)
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
            let status = read.status();
            put(problems, read.problems_json());
            Ok(status)
        })
    }
}

/// The phase moves of the school year starting 1 September `year` (§11):
/// `as_of` null or a date. `*moves` gets the phase moves JSON.
///
/// # Safety
/// As [`vsend_score`]; `as_of` is null or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vsend_transitions(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    year: i32,
    as_of: *const c_char,
    moves: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(moves);
        clear(problems);
        guard(error, || {
            let fw = framework(fw)?;
            let format = format_arg(format)?;
            if moves.is_null() || problems.is_null() {
                return Err(invalid("moves, problems: null pointer"));
            }
            let year = vsend_core::SchoolYear::new(i64::from(year))
                .map(i16::from)
                .map_err(|_| {
                    invalid(format!(
                        "year: {year} is not a school year; allowed e.g. 2025"
                    ))
                })?;
            let as_of = date_arg(opt_str(as_of, "as_of")?, "as_of")?;
            let mut read = read(fw, format, bytes(data, len, "data")?)?;
            let mut cohort = Cohort::new(fw, as_of);
            for (line, a) in std::mem::take(&mut read.accepted) {
                if let Err(d) = cohort.add(&a) {
                    read.duplicate(line, d);
                }
            }
            let json = serde_json::to_string(&cohort.phase_moves(year)).expect("moves serialise");
            put(moves, json);
            let status = read.status();
            put(problems, read.problems_json());
            Ok(status)
        })
    }
}

/// Transition plans (§11): the cohort's bytes (`format`, `data`, `len`) and
/// the plans' bytes (`plans_format`, `plans`, `plans_len`: CSV with the
/// columns child_id, to_setting_id, move_on, `readiness.<domain>`, or JSON
/// Lines). `*rows` gets one JSON line per accepted plan, in input order;
/// `*problems` the rejected plans' problems (a plan whose child has no
/// assessment on or before the move is rejected, as is a later plan of a
/// child for a `move_on` date already planned). Problems of the cohort's
/// own rows are an [`VsendStatus::InputError`]: plans need a clean cohort.
///
/// # Safety
/// As [`vsend_score`], for both byte ranges.
#[no_mangle]
pub unsafe extern "C" fn vsend_transition(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    plans_format: i32,
    plans: *const u8,
    plans_len: usize,
    rows: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(rows);
        clear(problems);
        guard(error, || {
            let fw = framework(fw)?;
            let (format, plans_format) = (format_arg(format)?, format_arg(plans_format)?);
            if rows.is_null() || problems.is_null() {
                return Err(invalid("rows, problems: null pointer"));
            }
            let mut cohort = read(fw, format, bytes(data, len, "data")?)?;
            let mut histories = Histories::new(Keep::All);
            for (line, a) in std::mem::take(&mut cohort.accepted) {
                if let Err(d) = histories.add(&a) {
                    cohort.duplicate(line, d);
                }
            }
            if cohort.rejected > 0 {
                return Err(input_error(format!(
                    "the cohort has {} rejected rows; the first problem: {}",
                    cohort.rejected, cohort.problems[0]
                )));
            }
            let mut read = read_as::<Plans>(fw, plans_format, bytes(plans, plans_len, "plans")?)?;
            let mut out = String::new();
            // A later plan of a child for a date already planned is rejected (§11).
            let mut seen = vsend_core::SeenPlans::new();
            for (line, plan) in std::mem::take(&mut read.accepted) {
                if let Err(d) = seen.add(&plan) {
                    read.reject(line, &[Problem::duplicate_plan(d, read.format)]);
                    continue;
                }
                match vsend_core::transition(fw, histories.get(plan.child_id()), &plan) {
                    Ok(row) => {
                        out.push_str(&serde_json::to_string(&row).expect("a plan row serialises"));
                        out.push('\n');
                    }
                    Err(e) => {
                        let problem = Problem::no_assessment(&e, read.format);
                        read.reject(line, &[problem]);
                    }
                }
            }
            put(rows, out);
            let status = read.status();
            put(problems, read.problems_json());
            Ok(status)
        })
    }
}

/// Compares cohort summaries (§14), the first the reference: `summaries` is a
/// JSON array of `{"label": "...", "summary": <a summary written by
/// vsend_cohort>}`. `*comparison` gets the comparison JSON. Summaries of
/// different frameworks, or anything that is not a summary, are an
/// [`VsendStatus::InputError`].
///
/// # Safety
/// `summaries` is valid for `len` bytes; `comparison` for one write; `error`
/// null or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vsend_compare(
    summaries: *const u8,
    len: usize,
    comparison: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: the caller's pointers are forwarded unchanged.
    unsafe {
        clear(comparison);
        guard(error, || {
            if comparison.is_null() {
                return Err(invalid("comparison: null pointer"));
            }
            let value: serde_json::Value =
                serde_json::from_slice(bytes(summaries, len, "summaries")?)
                    .map_err(|e| input_error(format!("summaries: not JSON: {e}")))?;
            let shape = "allowed an array of {\"label\": \"...\", \"summary\": {...}}";
            let items = value
                .as_array()
                .ok_or_else(|| input_error(format!("summaries: not an array; {shape}")))?;
            let mut files = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let (Some(label), Some(summary)) = (item["label"].as_str(), item.get("summary"))
                else {
                    return Err(input_error(format!("summaries[{i}]: {shape}")));
                };
                let file = SummaryFile::from_json(&summary.to_string()).map_err(|e| {
                    input_error(format!(
                        "summaries[{i}] ({label}): not a cohort summary: {e}"
                    ))
                })?;
                files.push((label.to_owned(), file));
            }
            let result = vsend_core::compare(&files).map_err(|e| input_error(e.to_string()))?;
            put(
                comparison,
                serde_json::to_string(&result).expect("a comparison serialises"),
            );
            Ok(VsendStatus::Ok)
        })
    }
}

/// An optional date argument.
fn date_arg(s: Option<&str>, what: &str) -> Result<Option<vsend_core::Date>, Failure> {
    s.map(|s| {
        parse_date(s)
            .ok_or_else(|| invalid(format!("{what}: {s:?} is not a date; allowed YYYY-MM-DD")))
    })
    .transpose()
}
