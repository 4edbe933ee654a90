//! Arguments: the options of a call checked as the CLI checks its own (a
//! date, a child ID, a grouping), and results handed back as Python values.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use vsend_core::{parse_date, ChildId, Date, GroupBy};

/// A date option (`as_of`, `on`) given as `YYYY-MM-DD` text.
pub(crate) fn date_arg(name: &str, text: Option<&str>) -> PyResult<Option<Date>> {
    text.map(|t| {
        parse_date(t).ok_or_else(|| {
            PyValueError::new_err(format!("{name}: {t:?} is not a date; allowed YYYY-MM-DD"))
        })
    })
    .transpose()
}

/// A child's ID, by the rule of a `child_id` cell (§3).
pub(crate) fn child_arg(child: &str) -> PyResult<ChildId> {
    ChildId::new(child).map_err(|e| PyValueError::new_err(format!("child: {e}")))
}

/// The `by` of a cohort summary (§8).
pub(crate) fn group_by(by: Option<&str>) -> PyResult<Option<GroupBy>> {
    by.map(|b| {
        b.parse::<GroupBy>().map_err(|_| {
            PyValueError::new_err(format!(
                "by: {b:?} is not allowed; allowed setting_id, age_band or primary_domain"
            ))
        })
    })
    .transpose()
}

/// A result as the Python value of its JSON (dicts, lists, numbers, text),
/// the same JSON the CLI writes.
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.getattr("loads")?.call1((text,))
}
