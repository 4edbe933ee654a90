//! Charts: the same drawing functions the CLI calls (`vsend-chart`), as SVG
//! text for the Python side's `Chart`, and rasterised to PNG on request.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use vsend_chart::svg_to_png;

use crate::args::{child_arg, date_arg, group_by};
use crate::errors::{chart_error, ErrorKind};
use crate::framework::{framework_of, PyFramework};
use crate::source::{Problems, Source};
use crate::summary::{cohort_of, timeline_of};

/// A child's radar (the review on or before `on`, the latest without it),
/// optionally with the previous review's needs. Returns `(svg, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, child, on=None, previous=false, width=800, height=800))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn radar_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    child: &str,
    on: Option<&str>,
    previous: bool,
    width: u32,
    height: u32,
) -> PyResult<(String, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let child = child_arg(child)?;
    let on = date_arg("on", on)?;
    let mut problems = Problems::default();
    // The timeline as of `on` ends at the review drawn: the latest on or before it.
    let (t, n) = timeline_of(py, fw, &source, &child, on, &mut problems)?;
    let view = vsend_chart::ChildRadar {
        on: None,
        previous,
        size: Some((width, height)),
    };
    let svg = vsend_chart::child_radar(fw, &t, &view).map_err(chart_error)?;
    Ok((svg, problems.into_py(py)?, n))
}

/// A child's needs over time. Returns `(svg, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, child, as_of=None, width=1000, height=800))]
pub(crate) fn timeline_chart_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    child: &str,
    as_of: Option<&str>,
    width: u32,
    height: u32,
) -> PyResult<(String, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let child = child_arg(child)?;
    let as_of = date_arg("as_of", as_of)?;
    let mut problems = Problems::default();
    let (t, n) = timeline_of(py, fw, &source, &child, as_of, &mut problems)?;
    let svg = vsend_chart::child_timeline(fw, &t, Some((width, height))).map_err(chart_error)?;
    Ok((svg, problems.into_py(py)?, n))
}

/// A cohort group's mean radar. Returns `(svg, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, group="all", by=None, as_of=None, width=800, height=800))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn cohort_radar_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    group: &str,
    by: Option<&str>,
    as_of: Option<&str>,
    width: u32,
    height: u32,
) -> PyResult<(String, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let as_of = date_arg("as_of", as_of)?;
    let by = group_by(by)?;
    let mut problems = Problems::default();
    let (cohort, n) = cohort_of(py, fw, &source, as_of, &mut problems)?;
    let summary = cohort.summary(by);
    let svg = vsend_chart::group_radar(fw, &summary, group, Some((width, height))).map_err(
        |e| match e {
            vsend_chart::ChartError::NoGroup { .. } => {
                ErrorKind::NotFound.about(py, "group", group, e.to_string())
            }
            e => chart_error(e),
        },
    )?;
    Ok((svg, problems.into_py(py)?, n))
}

/// Rasterises an SVG chart to PNG bytes (embedded font only).
#[pyfunction]
pub(crate) fn svg_png<'py>(py: Python<'py>, svg: &str) -> PyResult<Bound<'py, PyBytes>> {
    let png = py.allow_threads(|| svg_to_png(svg)).map_err(chart_error)?;
    Ok(PyBytes::new(py, &png))
}
