//! Summaries: the §8 cohort summary, plain or made safe to share (§14),
//! one child's §7 timeline, and the §14 comparison of summaries. Every
//! summary is the core's own type serialised as the CLI writes it; the
//! comparison is the core's `compare`, run once, on summaries read back by
//! the core's strict reader.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use vsend_core::history::Keep;
use vsend_core::{
    ChildId, Cohort, Date, Framework, Histories, Suppression, Timeline, TimelineError,
};

use crate::args::{child_arg, date_arg, group_by, json_to_py};
use crate::errors::ErrorKind;
use crate::framework::{framework_of, PyFramework};
use crate::source::{Problems, Source};

/// Every record of `source` read into a cohort as of `as_of`.
pub(crate) fn cohort_of<'f>(
    py: Python<'_>,
    fw: &'f Framework,
    source: &Source<'_>,
    as_of: Option<Date>,
    problems: &mut Problems,
) -> PyResult<(Cohort<'f>, usize)> {
    let mut cohort = Cohort::new(fw, as_of);
    let n = source.read_into(py, fw, problems, |a| cohort.add(&a))?;
    Ok((cohort, n))
}

/// `suppress` (K) and `round_to` (B) as the core's [`Suppression`], checked
/// before any record is read, in the CLI's words.
fn suppression(suppress: Option<i64>, round_to: Option<i64>) -> PyResult<Option<Suppression>> {
    // Checked before reading, as the CLI checks its options.
    let whole = |name: &str, x: Option<i64>, allowed: &str| {
        x.map(|x| {
            u64::try_from(x).map_err(|_| {
                PyValueError::new_err(format!("{name}: {x} is not allowed; allowed {allowed}"))
            })
        })
        .transpose()
    };
    let suppress = whole("suppress", suppress, "a whole number K from 2 to 100")?;
    let round_to = whole("round_to", round_to, "a whole number B from 3 to 100")?;
    Ok(match (suppress, round_to) {
        (None, None) => None,
        (None, Some(b)) => {
            return Err(PyValueError::new_err(format!(
                "round_to: {b} given without suppress; rounding applies only to a summary made safe to share, so give suppress=K too"
            )))
        }
        (Some(k), b) => Some(Suppression::new(k, b).map_err(|e| {
            PyValueError::new_err(match e {
                vsend_core::SuppressError::MinCount(k) => format!(
                    "suppress: {k} is not allowed; allowed a whole number K from 2 to 100 (counts from 1 to K - 1 are hidden)"
                ),
                vsend_core::SuppressError::RoundTo(b) => format!(
                    "round_to: {b} is not allowed; allowed a whole number B from 3 to 100 (every shown count is rounded to a multiple of B)"
                ),
            })
        })?),
    })
}

/// The §8 cohort summary of `source`, made safe to share (§14) with
/// `suppress` (K) and `round_to` (B). Returns `(summary, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, as_of=None, by=None, suppress=None, round_to=None))]
pub(crate) fn cohort_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    as_of: Option<&str>,
    by: Option<&str>,
    suppress: Option<i64>,
    round_to: Option<i64>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let as_of = date_arg("as_of", as_of)?;
    let by = group_by(by)?;
    let suppression = suppression(suppress, round_to)?;
    let mut problems = Problems::default();
    let (cohort, n) = cohort_of(py, fw, &source, as_of, &mut problems)?;
    let summary = match suppression {
        None => json_to_py(py, &cohort.summary(by))?,
        // §14: small groups merged or left out, small counts hidden, the rest rounded.
        Some(s) => json_to_py(py, &cohort.summary_suppressed(by, s))?,
    };
    Ok((summary, problems.into_py(py)?, n))
}

/// One child's timeline from `source`, with every record read and rejected
/// ones (and every child's same-date duplicates) reported.
pub(crate) fn timeline_of(
    py: Python<'_>,
    fw: &Framework,
    source: &Source<'_>,
    child: &ChildId,
    as_of: Option<Date>,
    problems: &mut Problems,
) -> PyResult<(Timeline, usize)> {
    // Every child's duplicates are rejected, as by the CLI, so counts agree.
    let mut histories = Histories::new(Keep::Child(child.clone()));
    let n = source.read_into(py, fw, problems, |a| histories.add(&a))?;
    let not_found = || {
        let why = match as_of {
            Some(d) => format!("no accepted assessment of {child} on or before {d}"),
            None => format!("no accepted assessment of {child}"),
        };
        ErrorKind::NotFound.about(py, "child", child.as_str(), why)
    };
    let history = histories.get(child).ok_or_else(not_found)?;
    let timeline = Timeline::of(fw, history, as_of).map_err(|e| match e {
        TimelineError::Empty => not_found(),
        other => PyValueError::new_err(other.to_string()),
    })?;
    Ok((timeline, n))
}

/// The §7 timeline of one child. Returns `(timeline, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, child, as_of=None))]
pub(crate) fn timeline_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    child: &str,
    as_of: Option<&str>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let child = child_arg(child)?;
    let as_of = date_arg("as_of", as_of)?;
    let mut problems = Problems::default();
    let (timeline, n) = timeline_of(py, fw, &source, &child, as_of, &mut problems)?;
    Ok((json_to_py(py, &timeline)?, problems.into_py(py)?, n))
}

/// §14: compares cohort summaries given as JSON texts, the first the
/// reference. A text that is not a summary, or summaries of different
/// frameworks, raise `VsendError`.
#[pyfunction]
pub(crate) fn compare_json<'py>(
    py: Python<'py>,
    labels: Vec<String>,
    texts: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut summaries = Vec::with_capacity(texts.len());
    for (label, text) in labels.into_iter().zip(&texts) {
        let file = vsend_core::SummaryFile::from_json(text).map_err(|e| {
            let why = format!("{label}: not a cohort summary written by vsend: {e}");
            ErrorKind::Vsend.about(py, "summary", &label, why)
        })?;
        summaries.push((label, file));
    }
    let comparison =
        vsend_core::compare(&summaries).map_err(|e| ErrorKind::Vsend.message(py, e.to_string()))?;
    json_to_py(py, &comparison)
}
