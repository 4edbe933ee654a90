//! §15 and §16 from Python: every record read into levels-only histories
//! (`Keep::levels`, as the CLI reads them), projected (`forecast`) or
//! compared (`impact`) by the core, and kept with the framework so that the
//! Python side can ask for the §15 / §16 JSON and for the fan and forest
//! charts the CLI draws (`vsend-chart`).
//!
//! Options are checked against the CLI's ranges before any record is read,
//! and refused in the CLI's words with the Python option's name.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt};
use vsend_chart::{fan_chart, forest_chart, FanStyle, ForestStyle};
use vsend_core::history::Keep;
use vsend_core::{
    Date, Forecast, ForecastError, ForecastOptions, Framework, Histories, Impact, ImpactError,
    ImpactOptions, MAX_HISTORY_YEARS, MAX_HORIZON, MAX_INFLOW_YEARS, MAX_REPLICATES,
};

use crate::args::date_arg;
use crate::errors::chart_error;
use crate::framework::{framework_of, PyFramework};
use crate::source::{Problems, Source};

/// A whole-number option from `lo` to `hi`, as the CLI allows it: a bool
/// or a non-integer is a `TypeError`, a number outside the range a
/// `ValueError` naming the option, the value and the range.
fn whole(name: &str, value: &Bound<'_, PyAny>, lo: u64, hi: u64) -> PyResult<u64> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        let found = value
            .repr()
            .map_or_else(|_| "?".to_owned(), |r| r.to_string());
        return Err(PyTypeError::new_err(format!(
            "{name}: expected a whole number, got {found}"
        )));
    }
    match value.extract::<u64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(PyValueError::new_err(format!(
            "{name}: {value} is not allowed; allowed a whole number from {lo} to {hi}"
        ))),
    }
}

/// A whole-number option that fits a `u32` (every bound here does).
fn whole32(name: &str, value: &Bound<'_, PyAny>, lo: u32, hi: u32) -> PyResult<u32> {
    let v = whole(name, value, lo.into(), hi.into())?;
    Ok(u32::try_from(v).expect("within a u32 range"))
}

/// Every record of `source` read into levels-only histories (§7's duplicate
/// rule applied), and the earliest accepted review date.
fn read_levels(
    py: Python<'_>,
    fw: &Framework,
    source: &Source<'_>,
    problems: &mut Problems,
) -> PyResult<(Histories, Option<Date>, usize)> {
    let mut histories = Histories::new(Keep::levels(fw));
    let mut first: Option<Date> = None;
    let n = source.read_into(py, fw, problems, |a| {
        histories.add(&a)?;
        first = Some(first.map_or(a.assessed_on(), |f| f.min(a.assessed_on())));
        Ok::<(), vsend_core::Duplicate>(())
    })?;
    Ok((histories, first, n))
}

/// A year after `d` (29 February falls on 28 February).
fn year_after(d: Date) -> Date {
    Date::new(d.year() + 1, d.month(), d.day())
        .or_else(|_| Date::new(d.year() + 1, d.month(), 28))
        .unwrap_or(d)
}

/// A projection error in the CLI's words, naming the Python option at fault
/// and what is allowed: a `ValueError`.
fn forecast_error(e: ForecastError, as_of_given: bool, first: Option<Date>) -> PyErr {
    PyValueError::new_err(match e {
        ForecastError::NoAssessments => "no accepted assessments to project from".to_owned(),
        ForecastError::AsOfBeforeData { as_of, first } => format!(
            "as_of {as_of} is before every assessment (the first is on {first}); a projection needs a year of history, so allowed from {}",
            year_after(first)
        ),
        ForecastError::NoHistory { as_of } => {
            let first = first.map_or(String::new(), |f| {
                format!(
                    " (the first assessment is on {f}, so allowed as_of {} or later)",
                    year_after(f)
                )
            });
            if as_of_given {
                format!("as_of {as_of}: a projection needs at least one year of history before {as_of}{first}")
            } else {
                format!("a projection needs at least one year of history before {as_of}, the latest assessment{first}")
            }
        }
        ForecastError::BacktestHistory { as_of, years } => format!(
            "backtest needs at least two years of history before {as_of} (history 2 to 10, and reviews from two years before); found {years} year{}",
            if years == 1 { "" } else { "s" }
        ),
        e => e.to_string(),
    })
}

/// A §15 projection, with the framework it was made under.
#[pyclass(name = "Projection", module = "vsend._vsend", frozen)]
pub(crate) struct PyProjection {
    fw: Framework,
    forecast: Forecast,
}

#[pymethods]
impl PyProjection {
    /// The §15 JSON, as `vsend forecast` writes it.
    fn json(&self) -> PyResult<String> {
        serde_json::to_string(&self.forecast).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The fan chart `vsend forecast --chart` draws, as SVG.
    #[pyo3(signature = (width=1500, height=1080, title=None))]
    fn fan(
        &self,
        py: Python<'_>,
        width: u32,
        height: u32,
        title: Option<String>,
    ) -> PyResult<String> {
        let style = FanStyle {
            width,
            height,
            title,
        };
        py.allow_threads(|| fan_chart(&self.fw, &self.forecast, &style))
            .map_err(chart_error)
    }
}

/// The §15 projection of `source`. Returns `(projection, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, as_of, horizon, replicates, seed, history, inflow_years, backtest))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn forecast_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    as_of: Option<&str>,
    horizon: &Bound<'py, PyAny>,
    replicates: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
    history: &Bound<'py, PyAny>,
    inflow_years: &Bound<'py, PyAny>,
    backtest: bool,
) -> PyResult<(PyProjection, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    // Checked before any record is read, as the CLI checks its options.
    let options = ForecastOptions {
        as_of: date_arg("as_of", as_of)?,
        horizon: whole32("horizon", horizon, 1, MAX_HORIZON)?,
        replicates: whole32("replicates", replicates, 0, MAX_REPLICATES)?,
        seed: whole("seed", seed, 0, u64::MAX)?,
        history: if history.is_none() {
            None
        } else {
            Some(whole32("history", history, 1, MAX_HISTORY_YEARS)?)
        },
        inflow_years: whole32("inflow_years", inflow_years, 1, MAX_INFLOW_YEARS)?,
        backtest,
    };
    options
        .validate()
        .map_err(|e| forecast_error(e, false, None))?;
    let mut problems = Problems::default();
    let (histories, first, n) = read_levels(py, fw, &source, &mut problems)?;
    let projected = py.allow_threads(|| vsend_core::forecast(fw, &histories, &options));
    let forecast = projected.map_err(|e| forecast_error(e, options.as_of.is_some(), first))?;
    let projection = PyProjection {
        fw: fw.clone(),
        forecast,
    };
    Ok((projection, problems.into_py(py)?, n))
}

/// A §16 impact analysis, with the framework it was made under.
#[pyclass(name = "ImpactAnalysis", module = "vsend._vsend", frozen)]
pub(crate) struct PyImpact {
    fw: Framework,
    impact: Impact,
}

#[pymethods]
impl PyImpact {
    /// The §16 JSON, as `vsend impact` writes it.
    fn json(&self) -> PyResult<String> {
        serde_json::to_string(&self.impact).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The forest chart `vsend impact --chart` draws, as SVG.
    #[pyo3(signature = (width=1400, height=1000, title=None))]
    fn forest(
        &self,
        py: Python<'_>,
        width: u32,
        height: u32,
        title: Option<String>,
    ) -> PyResult<String> {
        let style = ForestStyle {
            width,
            height,
            title,
        };
        py.allow_threads(|| forest_chart(&self.fw, &self.impact, &style))
            .map_err(chart_error)
    }
}

/// The §16 impact analysis of `source`. Returns `(impact, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, as_of, replicates, seed))]
pub(crate) fn impact_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    as_of: Option<&str>,
    replicates: &Bound<'py, PyAny>,
    seed: &Bound<'py, PyAny>,
) -> PyResult<(PyImpact, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let options = ImpactOptions {
        as_of: date_arg("as_of", as_of)?,
        replicates: whole32("replicates", replicates, 0, MAX_REPLICATES)?,
        seed: whole("seed", seed, 0, u64::MAX)?,
    };
    let mut problems = Problems::default();
    let (histories, first, n) = read_levels(py, fw, &source, &mut problems)?;
    if let (Some(as_of), Some(first)) = (options.as_of, first) {
        if as_of < first {
            return Err(PyValueError::new_err(format!(
                "as_of {as_of} is before every assessment (the first is on {first}); allowed a date on or after {first}"
            )));
        }
    }
    let analysed = py.allow_threads(|| vsend_core::impact(fw, &histories, &options));
    let impact = analysed.map_err(|e| {
        PyValueError::new_err(match e {
            ImpactError::NoAssessments => "no accepted assessments to analyse".to_owned(),
            e => e.to_string(),
        })
    })?;
    let analysis = PyImpact {
        fw: fw.clone(),
        impact,
    };
    Ok((analysis, problems.into_py(py)?, n))
}
