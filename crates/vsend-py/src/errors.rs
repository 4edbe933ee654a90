//! Errors: every failure the package raises as one of its own exception
//! classes (defined, with their docstrings, in `python/vsend/__init__.py`).
//!
//! A Rust [`ErrorKind`] names the class; the class object is looked up once
//! per kind and kept ([`ErrorKind::class`]), so no caller names a class by a
//! string. Every error carries its problems as rows of the error's problems
//! DataFrame ([`ErrProblem`]).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;
use vsend_core::{FrameworkError, HeaderError, HeaderErrors};
use vsend_io::read::FileError;

/// The exception classes of `vsend` that the Rust side raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// `vsend.VsendError`: the base class (a summary that is not one, say).
    Vsend,
    /// `vsend.FrameworkError`: a framework that breaks the §2 rules.
    Framework,
    /// `vsend.ColumnError`: missing, unknown or repeated columns (§10, §11).
    Column,
    /// `vsend.FileError`: a file that cannot be read as records.
    File,
    /// `vsend.NotFoundError`: a child or group the data does not have.
    NotFound,
}

impl ErrorKind {
    const ALL: [ErrorKind; 5] = [
        ErrorKind::Vsend,
        ErrorKind::Framework,
        ErrorKind::Column,
        ErrorKind::File,
        ErrorKind::NotFound,
    ];

    /// The class's name in the `vsend` module.
    const fn name(self) -> &'static str {
        match self {
            ErrorKind::Vsend => "VsendError",
            ErrorKind::Framework => "FrameworkError",
            ErrorKind::Column => "ColumnError",
            ErrorKind::File => "FileError",
            ErrorKind::NotFound => "NotFoundError",
        }
    }

    /// The class object, imported from `vsend` on first use and kept.
    fn class(self, py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        static CLASSES: [GILOnceCell<Py<PyType>>; ErrorKind::ALL.len()] =
            [const { GILOnceCell::new() }; ErrorKind::ALL.len()];
        let slot = ErrorKind::ALL
            .iter()
            .position(|&k| k == self)
            .expect("every kind is listed");
        CLASSES[slot].import(py, "vsend", self.name())
    }

    /// An instance of this class, `class(message, problems)`, as a `PyErr`.
    pub(crate) fn err(self, py: Python<'_>, message: String, problems: Vec<ErrProblem>) -> PyErr {
        match self.class(py).and_then(|c| c.call1((message, problems))) {
            Ok(e) => PyErr::from_value(e),
            Err(e) => e,
        }
    }

    /// An error of one message about one value: `field` names what it is
    /// about, and the value is echoed as found (at most 40 characters).
    pub(crate) fn about(self, py: Python<'_>, field: &str, value: &str, why: String) -> PyErr {
        let problem = (
            None,
            Some(field.to_owned()),
            Some(vsend_core::error::Found::new(value).as_str().to_owned()),
            why.clone(),
        );
        self.err(py, why, vec![problem])
    }

    /// An error of one message that names no value.
    pub(crate) fn message(self, py: Python<'_>, why: String) -> PyErr {
        self.err(py, why.clone(), vec![err_problem(why)])
    }
}

/// One problem of an error that is not about a record, as a row of the
/// error's problems DataFrame: `(row, field, value, message)`. `row` is a
/// file's header line where there is one; `None` is `<NA>`.
pub(crate) type ErrProblem = (Option<i64>, Option<String>, Option<String>, String);

/// A problem naming no row: its field is the name before the message's
/// first `": "` (`scale.max_level: …`), if that is a name.
pub(crate) fn err_problem(message: String) -> ErrProblem {
    let field = message
        .split_once(": ")
        .map(|(f, _)| f)
        .filter(|f| !f.is_empty() && !f.contains(char::is_whitespace))
        .map(str::to_owned);
    (None, field, None, message)
}

/// A framework that is not JSON of the §2 shape, or breaks its rules.
pub(crate) fn framework_error(py: Python<'_>, e: &FrameworkError) -> PyErr {
    let messages = match e {
        FrameworkError::Json {
            line,
            column,
            message,
        } => vec![format!("line {line}, column {column}: {message}")],
        FrameworkError::Invalid(list) => list.iter().map(ToString::to_string).collect(),
    };
    let message = format!("bad framework: {}", messages.join("; "));
    let problems = messages.into_iter().map(err_problem).collect();
    ErrorKind::Framework.err(py, message, problems)
}

/// The problems of a header (§10, §11): one per missing column, unknown
/// column or repeat, naming the column; `prefix` and `line` place a file's.
fn header_problems(errors: &HeaderErrors, line: Option<i64>, prefix: &str) -> Vec<ErrProblem> {
    let mut sorted: Vec<&HeaderError> = errors.0.iter().collect();
    sorted.sort_by_key(|e| !matches!(e, HeaderError::Missing(_)));
    let mut out = Vec::new();
    for e in sorted {
        match e {
            HeaderError::Missing(names) => {
                for name in names {
                    let why = format!("{prefix}missing column {name}");
                    out.push((line, Some(name.clone()), None, why));
                }
            }
            HeaderError::OtherFramework { .. } => {
                out.push((line, None, None, format!("{prefix}{e}")));
            }
            HeaderError::Unknown { name, .. } | HeaderError::Duplicate { name, .. } => {
                let found = vsend_core::error::Found::new(name).as_str().to_owned();
                out.push((
                    line,
                    Some(found.clone()),
                    Some(found),
                    format!("{prefix}{e}"),
                ));
            }
        }
    }
    out
}

/// A `ColumnError` for a header (§10, §11) given as a DataFrame's columns.
pub(crate) fn column_error(py: Python<'_>, e: &HeaderErrors) -> PyErr {
    let messages: Vec<String> = e.0.iter().map(ToString::to_string).collect();
    ErrorKind::Column.err(py, messages.join("; "), header_problems(e, None, ""))
}

/// A file that could not be read: its header (`ColumnError`), its
/// framework (`FrameworkError`) or the file itself (`FileError`).
pub(crate) fn file_error(py: Python<'_>, e: &FileError) -> PyErr {
    match e {
        FileError::Header(name, line, errors) => {
            let line = i64::try_from(*line).ok();
            let problems =
                header_problems(errors, line, &format!("{name}:{}: ", line.unwrap_or(0)));
            ErrorKind::Column.err(py, e.lines().join("\n"), problems)
        }
        FileError::Framework(..) => {
            let problems = e.lines().into_iter().map(err_problem).collect();
            ErrorKind::Framework.err(py, e.to_string(), problems)
        }
        other => {
            let problems = vec![(None, Some("(file)".to_owned()), None, other.to_string())];
            ErrorKind::File.err(py, other.to_string(), problems)
        }
    }
}

/// A chart that could not be drawn: a `ValueError`.
pub(crate) fn chart_error(e: vsend_chart::ChartError) -> PyErr {
    PyValueError::new_err(format!("chart: {e}"))
}
