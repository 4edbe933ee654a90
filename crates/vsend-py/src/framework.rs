//! The `Framework` class: a Valuing SEND framework (docs/model.md §2),
//! loaded and checked by the core, read by every other call.

use pyo3::prelude::*;
use vsend_core::{Aggregate, Framework};

use crate::errors::framework_error;

/// A Valuing SEND framework (docs/model.md §2): scale, need areas and rules.
#[pyclass(name = "Framework", module = "vsend", frozen)]
pub(crate) struct PyFramework {
    pub(crate) fw: Framework,
}

#[pymethods]
impl PyFramework {
    /// The built-in framework `vsend-default` version 1.
    #[staticmethod]
    fn default() -> Self {
        PyFramework {
            fw: Framework::default(),
        }
    }

    /// Loads and validates a framework from JSON text (§2).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        Framework::from_json(text)
            .map(|fw| PyFramework { fw })
            .map_err(|e| framework_error(py, &e))
    }

    /// The framework as JSON text, loadable by `from_json`.
    fn to_json(&self) -> String {
        self.fw.to_json()
    }

    /// The framework's id, echoed in every output.
    #[getter]
    fn id(&self) -> &str {
        self.fw.id()
    }

    /// The framework's version, echoed in every output.
    #[getter]
    fn version(&self) -> &str {
        self.fw.version()
    }

    /// The highest level of the scale (levels are 0 to max_level).
    #[getter]
    fn max_level(&self) -> u8 {
        self.fw.scale().max_level()
    }

    /// One label per level, 0 first.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.fw.scale().labels().to_vec()
    }

    /// How area levels become a domain need: "max" or "mean" (§4).
    #[getter]
    fn aggregate(&self) -> &'static str {
        match self.fw.aggregate() {
            Aggregate::Max => "max",
            Aggregate::Mean => "mean",
        }
    }

    /// The smallest domain change that counts (§7).
    #[getter]
    fn meaningful_change(&self) -> f64 {
        self.fw.meaningful_change()
    }

    /// Days after which a review is overdue (§7).
    #[getter]
    fn review_interval_days(&self) -> u32 {
        self.fw.review_interval_days()
    }

    /// The level from which a domain need counts as high (§12).
    #[getter]
    fn high_need_level(&self) -> u8 {
        self.fw.high_need_level()
    }

    /// The §13 bands `(id, label, min_score, top_up)`, empty without banding.
    #[getter]
    fn bands(&self) -> Vec<(String, String, f64, Option<f64>)> {
        self.fw.banding().map_or_else(Vec::new, |b| {
            b.bands()
                .iter()
                .map(|band| {
                    let id = band.id().to_owned();
                    (id, band.label().to_owned(), band.min_score(), band.top_up())
                })
                .collect()
        })
    }

    /// The scored-output columns (§10) under this framework, in order.
    fn scored_columns(&self) -> Vec<&'static str> {
        vsend_core::scored_columns(&self.fw).to_vec()
    }

    /// `(key, label, domain)` of every need area, in framework order.
    #[getter]
    fn areas(&self) -> Vec<(String, String, &'static str)> {
        self.fw
            .areas()
            .iter()
            .map(|a| (a.key().to_owned(), a.label().to_owned(), a.domain().key()))
            .collect()
    }

    /// The cohort columns this framework reads (§10), required ones first.
    fn columns(&self) -> Vec<(String, bool)> {
        vsend_core::Column::all(&self.fw)
            .into_iter()
            .map(|c| (c.name(&self.fw), c.is_required()))
            .collect()
    }

    /// Frameworks are equal when their JSON is.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .downcast::<PyFramework>()
            .is_ok_and(|o| o.get().fw.to_json() == self.fw.to_json())
    }

    /// A hash of the framework's JSON.
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.fw.to_json().hash(&mut h);
        h.finish()
    }

    /// The id, version, scale and size of the framework.
    fn __repr__(&self) -> String {
        format!(
            "Framework(id={:?}, version={:?}, max_level={}, areas={}, aggregate={:?})",
            self.fw.id(),
            self.fw.version(),
            self.fw.scale().max_level(),
            self.fw.areas().len(),
            self.aggregate()
        )
    }
}

/// The core's framework inside a `Framework` object.
pub(crate) fn framework_of<'a>(fw: &'a Bound<'_, PyFramework>) -> &'a Framework {
    &fw.get().fw
}
