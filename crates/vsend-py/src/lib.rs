//! `vsend._vsend`: the Rust side of the `vsend` Python package.
//!
//! Everything here is private to the package: the public API, its docs and
//! its pandas types live in `python/vsend/__init__.py`. This module reads
//! records (numpy columns of a DataFrame, a file through the CLI's reader, or
//! JSON lines), validates and scores them with `vsend-core`, and hands back
//! plain arrays and lists for the Python side to wrap.
//!
//! One module per job:
//!
//! | module | job |
//! | --- | --- |
//! | `errors` | the package's exception classes, chosen by `errors::ErrorKind` |
//! | `framework` | the `Framework` class (§2) |
//! | `cells` | one cell of pandas or a dict read as the text of a CSV cell |
//! | `source` | a `source::Source` decoded once, read record by record |
//! | `score`, `fast` | scoring (§3–§7, §13) into named column groups; `fast` is a DataFrame's columnar path |
//! | `summary` | the cohort summary (§8, §14), timelines (§7), comparison (§14) |
//! | `charts` | charts, drawn by `vsend-chart` as for the CLI |
//! | `decisions` | phase moves and transition plans (§11) |
//! | `forecast` | the projection of need (§15) and the impact of support (§16), with their charts |
//! | `arrow` | Arrow columns in (polars, pyarrow, pandas' Arrow-backed columns) and scored columns out |
//! | `args` | options checked as the CLI checks them; results as Python values |
//!
//! Children's data is sensitive: every message here is built from the core's
//! errors, which echo at most the first 40 characters of the value at fault.

mod args;
mod arrow;
mod cells;
mod charts;
mod decisions;
mod errors;
mod fast;
mod forecast;
mod framework;
mod score;
mod source;
mod summary;

use pyo3::prelude::*;
use vsend_core::Domain;

#[pymodule]
fn _vsend(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // numpy's C API is loaded on first use, by running Python code: were that
    // first use the end of a long call with Ctrl-C pending, the import would
    // fail and rust-numpy panic. Load it now, before any such call.
    let _ = numpy::PyArray1::<f64>::zeros(m.py(), 0, false);
    m.add_class::<framework::PyFramework>()?;
    m.add_function(wrap_pyfunction!(score::score_source, m)?)?;
    m.add_function(wrap_pyfunction!(summary::cohort_source, m)?)?;
    m.add_function(wrap_pyfunction!(summary::timeline_source, m)?)?;
    m.add_function(wrap_pyfunction!(summary::compare_json, m)?)?;
    m.add_function(wrap_pyfunction!(charts::radar_source, m)?)?;
    m.add_function(wrap_pyfunction!(charts::timeline_chart_source, m)?)?;
    m.add_function(wrap_pyfunction!(charts::cohort_radar_source, m)?)?;
    m.add_function(wrap_pyfunction!(charts::svg_png, m)?)?;
    m.add_function(wrap_pyfunction!(decisions::transitions_source, m)?)?;
    m.add_function(wrap_pyfunction!(decisions::school_year, m)?)?;
    m.add_function(wrap_pyfunction!(decisions::transition_source, m)?)?;
    m.add_class::<forecast::PyProjection>()?;
    m.add_class::<forecast::PyImpact>()?;
    m.add_function(wrap_pyfunction!(forecast::forecast_source, m)?)?;
    m.add_function(wrap_pyfunction!(forecast::impact_source, m)?)?;
    m.add("PLAN_COLUMNS", vsend_core::PLAN_COLUMNS.to_vec())?;
    m.add("SCORED_COLUMNS", vsend_core::SCORED_COLUMNS.to_vec())?;
    m.add("DOMAINS", Domain::ALL.map(|d| d.key()).to_vec())?;
    Ok(())
}
