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
//!
//! Pointers become references once, at the top of each call, in one `unsafe`
//! block with its SAFETY note (the conversions are in the `edge` module); the
//! body of every call is safe code.

use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use serde_json::json;
use vsend_core::history::Keep;
use vsend_core::{
    score, ChildId, Cohort, ForecastOptions, Framework, Histories, ImpactOptions, ScoredRow,
    SeenDates, SummaryFile, Suppression, Timeline, MAX_HISTORY_YEARS, MAX_HORIZON,
    MAX_INFLOW_YEARS, MAX_REPLICATES,
};
use vsend_io::intake::intake;
use vsend_io::problem::Cause;
use vsend_io::read::{Assessments, Format, Input, Plans, Schema};
use vsend_io::write::problem_json;

mod edge;
mod options;
mod stream;

use edge::{bytes, c_str, framework, handle, required_text, text, OutHandle, OutString};
use options::Options;

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

/// Runs `body` with panics caught, writing its message to `error` on failure.
fn guard(
    mut error: OutString<'_>,
    body: impl FnOnce() -> Result<VsendStatus, Failure>,
) -> VsendStatus {
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
    error.put(message);
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
    // SAFETY: forwarded from the caller, who promises the same.
    unsafe { edge::free_string(s) }
}

/// Makes the built-in framework, `vsend-default` version 1 (§2).
///
/// # Safety
/// `out` is valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn vsend_framework_default(out: *mut *mut VsendFramework) -> VsendStatus {
    // SAFETY: `out` is null or valid for one write, as promised above.
    let mut out = unsafe { OutHandle::new(out) };
    guard(OutString::none(), || {
        out.put(Framework::default())?;
        Ok(VsendStatus::Ok)
    })
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
    // SAFETY: each pointer as promised above: `json` valid for `len` bytes,
    // `out` and `error` null or valid for one write.
    let (json, mut out, error) = unsafe {
        (
            bytes(json, len, "json"),
            OutHandle::new(out),
            OutString::new(error),
        )
    };
    guard(error, || {
        let text = std::str::from_utf8(json?).map_err(|e| {
            input_error(format!(
                "framework: not valid UTF-8 at byte {}",
                e.valid_up_to()
            ))
        })?;
        let fw =
            Framework::from_json(text).map_err(|e| input_error(format!("bad framework: {e}")))?;
        out.put(fw)?;
        Ok(VsendStatus::Ok)
    })
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
    // SAFETY: `fw` is null or a live handle, `out` null or valid for one write.
    let (fw, mut out) = unsafe { (handle(fw), OutString::new(out)) };
    guard(OutString::none(), || {
        let fw = framework(fw)?;
        out.required("out")?;
        out.put(fw.to_json());
        Ok(VsendStatus::Ok)
    })
}

/// Frees a framework. Null is ignored.
///
/// # Safety
/// `fw` is null or a handle from this library, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vsend_framework_free(fw: *mut VsendFramework) {
    // SAFETY: forwarded from the caller, who promises the same.
    unsafe { edge::free_framework(fw) }
}

/// The problems of one input's rejected rows, as JSON objects in line order.
#[derive(Debug, Default)]
struct Problems {
    json: Vec<serde_json::Value>,
    rejected: u64,
}

impl Problems {
    fn status(&self) -> VsendStatus {
        if self.rejected == 0 {
            VsendStatus::Ok
        } else {
            VsendStatus::Rejected
        }
    }

    /// The problems as a JSON array.
    fn to_json(&self) -> String {
        serde_json::Value::Array(self.json.clone()).to_string()
    }
}

/// Reads every record of schema `S` (assessments or plans) from `data` into
/// `accept`, as the `vsend` command reads a file: the same rows rejected with
/// the same problems, and what `accept` refuses (§7's same-date duplicate, a
/// plan without an assessment) a problem of its row.
fn read_into<S: Schema, R: Into<Cause>>(
    fw: &Framework,
    format: VsendFormat,
    data: &[u8],
    accept: impl FnMut(S::Value) -> Result<(), R>,
) -> Result<Problems, Failure> {
    let format = match format {
        VsendFormat::Csv => Format::Csv,
        VsendFormat::Jsonl => Format::Jsonl,
    };
    // The caller's buffer is lent to the reader, not copied.
    let input = Input::from_reader("input", format, data);
    let mut problems = Problems::default();
    intake(input.rows_as::<S>(fw)?, accept, |row| {
        if row.is_rejected() {
            problems.rejected += 1;
        }
        let json = row.problems.iter().map(|p| problem_json(row.line, p));
        problems.json.extend(json);
        Ok::<_, Failure>(())
    })?;
    Ok(problems)
}

/// As [`read_into`], for the calls that answer with one JSON line per
/// accepted record: `each` handles a record and may add lines to the answer
/// (or refuse it, as `accept` does); returns the lines and the problems.
fn read_json_lines<S: Schema, R: Into<Cause>>(
    fw: &Framework,
    format: VsendFormat,
    data: &[u8],
    mut each: impl FnMut(S::Value, &mut JsonLines) -> Result<(), R>,
) -> Result<(String, Problems), Failure> {
    let mut lines = JsonLines(String::new());
    let read = read_into::<S, R>(fw, format, data, |value| each(value, &mut lines))?;
    Ok((lines.0, read))
}

/// An answer of JSON lines being built.
struct JsonLines(String);

impl JsonLines {
    fn push(&mut self, row: &impl serde::Serialize) {
        self.0
            .push_str(&serde_json::to_string(row).expect("a row of the answer serialises"));
        self.0.push('\n');
    }
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

/// An optional date argument.
fn date_arg(s: Option<&str>, what: &str) -> Result<Option<vsend_core::Date>, Failure> {
    s.map(|s| {
        vsend_core::parse_date(s)
            .ok_or_else(|| invalid(format!("{what}: {s:?} is not a date; allowed YYYY-MM-DD")))
    })
    .transpose()
}

/// Scores every row of a cohort file (§4–§6): `*scored` gets one JSON Lines
/// row per accepted assessment in input order (the §10 scored shape),
/// `*problems` a JSON array of the rejected rows' problems (`[]` when none).
/// Same-date duplicates (§7) are rejected rows.
///
/// `format` is a [`VsendFormat`] value (0 CSV, 1 JSON Lines). The input and
/// the result are held in memory: for large files use [`vsend_score_file`].
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
    // SAFETY: as promised above: `fw` null or a live handle, `data` valid for
    // `len` bytes, each out-pointer null or valid for one write.
    let (fw, data, mut scored, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            OutString::new(scored),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let format = format_arg(format)?;
        scored.required("scored")?;
        problems.required("problems")?;
        let mut seen = SeenDates::new();
        let (out, read) = read_json_lines::<Assessments, _>(fw, format, data?, |a, out| {
            seen.add(a.child_id(), a.assessed_on())?;
            out.push(&ScoredRow::new(fw, &a, &score(fw, &a)));
            Ok::<_, vsend_core::Duplicate>(())
        })?;
        scored.put(out);
        problems.put(read.to_json());
        Ok(read.status())
    })
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
    // SAFETY: as promised above: `fw` null or a live handle, each path null
    // or NUL-terminated, each out-pointer null or valid for one write.
    let (fw, input, output, errors, mut counts, error) = unsafe {
        (
            handle(fw),
            c_str(input_path),
            c_str(output_path),
            c_str(errors_path),
            OutString::new(counts),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let input = required_text(input, "input_path")?;
        let output = required_text(output, "output_path")?;
        let errors = text(errors, "errors_path")?;
        counts.required("counts")?;
        let (read, rejected) = stream::score_file(
            fw,
            Path::new(input),
            Path::new(output),
            errors.map(Path::new),
        )?;
        counts.put(
            json!({"rows_read": read, "scored": read - rejected, "rejected": rejected}).to_string(),
        );
        Ok(if rejected == 0 {
            VsendStatus::Ok
        } else {
            VsendStatus::Rejected
        })
    })
}

/// Summarises a cohort (§8, §12, §13): `options` is null or a JSON object
/// `{"as_of": "YYYY-MM-DD", "by": "setting_id" | "age_band" | "primary_domain",
/// "suppress": K, "round_to": B}` (each optional). With `suppress` (K from 2
/// to 100) the summary is made safe to share (§14, MODEL 1.2): counts from 1
/// to K - 1 hidden, the others rounded to multiples of B (3 to 100, default
/// the larger of 5 and K), and no mean or share but mean need and met by
/// setting from the rounded counts. `round_to` without `suppress` is an
/// [`VsendStatus::InvalidArgument`]. `*summary` gets the cohort summary JSON.
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
    // SAFETY: as [`vsend_score`]'s, and `options` null or NUL-terminated.
    let (fw, data, options, mut summary, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            c_str(options),
            OutString::new(summary),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let format = format_arg(format)?;
        summary.required("summary")?;
        problems.required("problems")?;
        let options = Options::parse(
            text(options, "options")?,
            &["as_of", "by", "suppress", "round_to"],
            "allowed \"as_of\" (a date string), \"by\" (a string), \"suppress\" (a whole number K from 2 to 100) and \"round_to\" (a whole number B from 3 to 100, with suppress)",
        )?;
        let suppression = match (
            options.whole("suppress", Suppression::MIN_COUNTS, "K is a whole number from 2 to 100")?,
            options.whole("round_to", Suppression::ROUND_TOS, "B is a whole number from 3 to 100")?,
        ) {
            (None, None) => None,
            (None, Some(b)) => {
                return Err(invalid(format!(
                    "options.round_to: {b} given without \"suppress\"; rounding applies only to a summary made safe to share, so give suppress (K) too"
                )))
            }
            (Some(k), b) => {
                Some(Suppression::new(k, b).map_err(|e| invalid(format!("options: {e}")))?)
            }
        };
        let by = options.group_by("by")?;
        let mut cohort = Cohort::new(fw, options.date("as_of")?);
        let read = read_into::<Assessments, _>(fw, format, data?, |a| cohort.add(&a))?;
        let json = match suppression {
            None => serde_json::to_string(&cohort.summary(by)),
            Some(s) => serde_json::to_string(&cohort.summary_suppressed(by, s)),
        }
        .expect("a summary serialises");
        summary.put(json);
        problems.put(read.to_json());
        Ok(read.status())
    })
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
    // SAFETY: as [`vsend_score`]'s, and the two strings null or NUL-terminated.
    let (fw, data, child, as_of, mut timeline, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            c_str(child_id),
            c_str(as_of),
            OutString::new(timeline),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let format = format_arg(format)?;
        timeline.required("timeline")?;
        problems.required("problems")?;
        let child = required_text(child, "child_id")?;
        let child = ChildId::new(child).map_err(|e| invalid(format!("child_id: {e}")))?;
        let as_of = date_arg(text(as_of, "as_of")?, "as_of")?;
        let mut histories = Histories::new(Keep::Child(child.clone()));
        let read = read_into::<Assessments, _>(fw, format, data?, |a| histories.add(&a))?;
        let history = histories
            .get(&child)
            .ok_or_else(|| input_error(format!("child_id: no assessment of {child}")))?;
        let t = Timeline::of(fw, history, as_of)
            .map_err(|e| input_error(format!("child_id {child}: {e}")))?;
        timeline.put(serde_json::to_string(&t).expect("a timeline serialises"));
        problems.put(read.to_json());
        Ok(read.status())
    })
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
    // SAFETY: as [`vsend_score`]'s, and `as_of` null or NUL-terminated.
    let (fw, data, as_of, mut moves, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            c_str(as_of),
            OutString::new(moves),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let format = format_arg(format)?;
        moves.required("moves")?;
        problems.required("problems")?;
        let year = vsend_core::SchoolYear::new(i64::from(year))
            .map(i16::from)
            .map_err(|_| {
                invalid(format!(
                    "year: {year} is not a school year; allowed e.g. 2025"
                ))
            })?;
        let as_of = date_arg(text(as_of, "as_of")?, "as_of")?;
        let mut cohort = Cohort::new(fw, as_of);
        let read = read_into::<Assessments, _>(fw, format, data?, |a| cohort.add(&a))?;
        moves.put(serde_json::to_string(&cohort.phase_moves(year)).expect("moves serialise"));
        problems.put(read.to_json());
        Ok(read.status())
    })
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
    // SAFETY: as [`vsend_score`]'s, for both byte ranges.
    let (fw, data, plans, mut rows, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            bytes(plans, plans_len, "plans"),
            OutString::new(rows),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let (format, plans_format) = (format_arg(format)?, format_arg(plans_format)?);
        rows.required("rows")?;
        problems.required("problems")?;
        let mut histories = Histories::new(Keep::All);
        let cohort = read_into::<Assessments, _>(fw, format, data?, |a| histories.add(&a))?;
        if cohort.rejected > 0 {
            return Err(input_error(format!(
                "the cohort has {} rejected rows; the first problem: {}",
                cohort.rejected, cohort.json[0]
            )));
        }
        // A later plan of a child for a date already planned is rejected
        // (§11), as is a plan whose child has no assessment before the move.
        let mut seen = vsend_core::SeenPlans::new();
        let (out, read) = read_json_lines::<Plans, _>(fw, plans_format, plans?, |plan, out| {
            seen.add(&plan)?;
            out.push(&vsend_core::transition(
                fw,
                histories.get(plan.child_id()),
                &plan,
            )?);
            Ok::<_, Cause>(())
        })?;
        rows.put(out);
        problems.put(read.to_json());
        Ok(read.status())
    })
}

/// Compares cohort summaries (§14), the first the reference: `summaries` is a
/// JSON array of `{"label": "...", "summary": <a summary written by
/// vsend_cohort>}`, exact or shared. `*comparison` gets the comparison JSON;
/// each row's `suppression` is null for an exact summary and `{"min_count":
/// K, "round_to": B}` for a shared (rounded) one. Summaries of different
/// frameworks, two with one label, or anything that is not a summary
/// vsend_cohort could have written (each problem named by its key path) are
/// an [`VsendStatus::InputError`].
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
    // SAFETY: `summaries` valid for `len` bytes, the out-pointers null or
    // valid for one write, as promised above.
    let (summaries, mut comparison, error) = unsafe {
        (
            bytes(summaries, len, "summaries"),
            OutString::new(comparison),
            OutString::new(error),
        )
    };
    guard(error, || {
        comparison.required("comparison")?;
        let value: serde_json::Value = serde_json::from_slice(summaries?)
            .map_err(|e| input_error(format!("summaries: not JSON: {e}")))?;
        let shape = "allowed an array of {\"label\": \"...\", \"summary\": {...}}";
        let items = value
            .as_array()
            .ok_or_else(|| input_error(format!("summaries: not an array; {shape}")))?;
        let mut files = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let (Some(label), Some(summary)) = (item["label"].as_str(), item.get("summary")) else {
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
        comparison.put(serde_json::to_string(&result).expect("a comparison serialises"));
        Ok(VsendStatus::Ok)
    })
}

/// Projects need for place planning (§15) from a cohort's review history:
/// `options` is null or a JSON object `{"as_of": "YYYY-MM-DD", "horizon": H
/// (1 to 5, default 3), "replicates": B (0 to 10000, default 200), "seed": S
/// (a whole number, default 1), "history": K (1 to 10 years), "inflow_years":
/// M (1 to 10, default 3), "backtest": true|false}`. `*projection` gets the
/// §15 JSON; too little history is an [`VsendStatus::InputError`] saying so.
/// The same input, options and seed give the same bytes in every build.
///
/// # Safety
/// As [`vsend_cohort`].
#[no_mangle]
pub unsafe extern "C" fn vsend_forecast(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    options: *const c_char,
    projection: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: as [`vsend_cohort`]'s.
    let (fw, data, options, mut projection, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            c_str(options),
            OutString::new(projection),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let format = format_arg(format)?;
        projection.required("projection")?;
        problems.required("problems")?;
        let o = Options::parse(
            text(options, "options")?,
            &["as_of", "horizon", "replicates", "seed", "history", "inflow_years", "backtest"],
            "allowed \"as_of\", \"horizon\", \"replicates\", \"seed\", \"history\", \"inflow_years\" and \"backtest\"",
        )?;
        let whole = |key: &str, max: u32, lo: u64| {
            let allowed = format!("allowed a whole number from {lo} to {max}");
            o.whole(key, lo..=u64::from(max), &allowed)
                .map(|n| n.map(|n| n as u32))
        };
        let defaults = ForecastOptions::default();
        let options = ForecastOptions {
            as_of: o.date("as_of")?,
            horizon: whole("horizon", MAX_HORIZON, 1)?.unwrap_or(defaults.horizon),
            replicates: whole("replicates", MAX_REPLICATES, 0)?.unwrap_or(defaults.replicates),
            seed: o
                .whole(
                    "seed",
                    0..=u64::MAX,
                    "allowed a whole number from 0 to 2^64 - 1",
                )?
                .unwrap_or(defaults.seed),
            history: whole("history", MAX_HISTORY_YEARS, 1)?,
            inflow_years: whole("inflow_years", MAX_INFLOW_YEARS, 1)?
                .unwrap_or(defaults.inflow_years),
            backtest: o.flag("backtest")?.unwrap_or(false),
        };
        let mut histories = Histories::new(Keep::levels(fw));
        let read = read_into::<Assessments, _>(fw, format, data?, |a| histories.add(&a))?;
        let result = vsend_core::forecast(fw, &histories, &options)
            .map_err(|e| input_error(e.to_string()))?;
        projection.put(serde_json::to_string(&result).expect("a projection serialises"));
        problems.put(read.to_json());
        Ok(read.status())
    })
}

/// The impact of support (§16): did needs fall more where a setting's
/// readiness or a family's confidence rose? `options` is null or a JSON
/// object `{"as_of": "YYYY-MM-DD", "replicates": B (0 to 10000, default 200),
/// "seed": S (default 1)}`. `*impact` gets the §16 JSON: an observational
/// comparison, not proof of cause.
///
/// # Safety
/// As [`vsend_cohort`].
#[no_mangle]
pub unsafe extern "C" fn vsend_impact(
    fw: *const VsendFramework,
    format: i32,
    data: *const u8,
    len: usize,
    options: *const c_char,
    impact: *mut *mut c_char,
    problems: *mut *mut c_char,
    error: *mut *mut c_char,
) -> VsendStatus {
    // SAFETY: as [`vsend_cohort`]'s.
    let (fw, data, options, mut impact, mut problems, error) = unsafe {
        (
            handle(fw),
            bytes(data, len, "data"),
            c_str(options),
            OutString::new(impact),
            OutString::new(problems),
            OutString::new(error),
        )
    };
    guard(error, || {
        let fw = framework(fw)?;
        let format = format_arg(format)?;
        impact.required("impact")?;
        problems.required("problems")?;
        let o = Options::parse(
            text(options, "options")?,
            &["as_of", "replicates", "seed"],
            "allowed \"as_of\", \"replicates\" and \"seed\"",
        )?;
        let defaults = ImpactOptions::default();
        let options = ImpactOptions {
            as_of: o.date("as_of")?,
            replicates: o
                .whole(
                    "replicates",
                    0..=u64::from(MAX_REPLICATES),
                    "allowed a whole number from 0 to 10000",
                )?
                .map_or(defaults.replicates, |n| n as u32),
            seed: o
                .whole(
                    "seed",
                    0..=u64::MAX,
                    "allowed a whole number from 0 to 2^64 - 1",
                )?
                .unwrap_or(defaults.seed),
        };
        let mut histories = Histories::new(Keep::levels(fw));
        let read = read_into::<Assessments, _>(fw, format, data?, |a| histories.add(&a))?;
        let result =
            vsend_core::impact(fw, &histories, &options).map_err(|e| input_error(e.to_string()))?;
        impact.put(serde_json::to_string(&result).expect("an impact serialises"));
        problems.put(read.to_json());
        Ok(read.status())
    })
}
