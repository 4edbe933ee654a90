//! Cells: how one cell of a DataFrame column or a dict is read as the text
//! of a CSV cell, so that a record from pandas is judged by exactly the
//! rules of a record from a file (docs/model.md §9, §10).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use vsend_io::problem::{Cause, CellError, Problem};

use crate::arrow::ArrowCol;

/// Levels as text without allocating: the common case of a numeric column.
pub(crate) const SMALL: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// A cell's text: borrowed, or written into the column's scratch buffer.
pub(crate) enum Text<'a> {
    Borrowed(&'a str),
    Scratch,
    /// Not read as text at all: a problem of its own.
    Bad(BadCell),
}

/// Why a cell of a DataFrame or dict was not read as the text of a CSV cell.
#[derive(Debug, Clone)]
pub(crate) enum BadCell {
    /// A Python string with lone surrogates: not valid text.
    NotText,
    /// An ID cell holding neither text nor a whole number from an integer
    /// column: `what` it is (`a float`, `a boolean`, `a Timestamp`) and its
    /// value as found (at most 40 characters).
    NotId { what: String, value: String },
}

/// The problem of a bad cell in `column`, as a row problem (§9): the column,
/// the value found (at most 40 characters) and what is allowed.
pub(crate) fn bad_cell_problem(column: &str, bad: &BadCell) -> Problem {
    let error = match bad {
        BadCell::NotText => CellError::NotText,
        BadCell::NotId { what, value } => CellError::NotId {
            what: what.clone(),
            found: vsend_core::error::Found::new(value),
        },
    };
    let column = column.to_owned();
    Problem::new(vsend_core::Format::Csv, Cause::Cell { column, error })
}

/// An ID cell of a float column: NaN is empty; any other value is refused,
/// as a float cannot say how the ID was written (`7`, `7.0`, `007`, `1e20`).
pub(crate) fn float_id(v: f64) -> Result<(), BadCell> {
    if v.is_nan() {
        Ok(())
    } else {
        Err(BadCell::NotId {
            what: "a float".to_owned(),
            value: format!("{v:?}"),
        })
    }
}

pub(crate) fn float_text(v: f64, buf: &mut String) -> Text<'static> {
    use std::fmt::Write;
    if v.is_nan() {
        return Text::Borrowed("");
    }
    if v.fract() == 0.0 && (0.0..=10.0).contains(&v) {
        return Text::Borrowed(SMALL[v as usize]);
    }
    buf.clear();
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(buf, "{}", v as i64);
    } else {
        let _ = write!(buf, "{v}");
    }
    Text::Scratch
}

pub(crate) fn int_text(v: i64, buf: &mut String) -> Text<'static> {
    use std::fmt::Write;
    if (0..=10).contains(&v) {
        return Text::Borrowed(SMALL[v as usize]);
    }
    buf.clear();
    let _ = write!(buf, "{v}");
    Text::Scratch
}

/// The Python objects a cell is told apart by: pandas' missing-value
/// markers (`pd.NA`, `pd.NaT`, compared by identity) and numpy's scalar types.
pub(crate) struct Markers {
    missing: [PyObject; 2],
    np_integer: PyObject,
    np_bool: PyObject,
}

impl Markers {
    pub(crate) fn new(py: Python<'_>) -> PyResult<Markers> {
        let pd = py.import("pandas")?;
        let np = py.import("numpy")?;
        Ok(Markers {
            missing: [pd.getattr("NA")?.unbind(), pd.getattr("NaT")?.unbind()],
            np_integer: np.getattr("integer")?.unbind(),
            np_bool: np.getattr("bool_")?.unbind(),
        })
    }

    fn is_missing(&self, obj: &Bound<'_, PyAny>) -> bool {
        obj.is_none() || self.missing.iter().any(|m| m.bind(obj.py()).is(obj))
    }

    fn is_bool(&self, obj: &Bound<'_, PyAny>) -> bool {
        obj.is_instance_of::<PyBool>()
            || obj
                .is_instance(self.np_bool.bind(obj.py()))
                .unwrap_or(false)
    }

    fn is_integer(&self, obj: &Bound<'_, PyAny>) -> bool {
        obj.is_instance_of::<PyInt>()
            || obj
                .is_instance(self.np_integer.bind(obj.py()))
                .unwrap_or(false)
    }
}

/// A Python string's text, or [`BadCell::NotText`].
fn str_text<'a>(s: &'a Bound<'_, PyString>) -> Text<'a> {
    match s.to_str() {
        Ok(s) => Text::Borrowed(s),
        Err(_) => Text::Bad(BadCell::NotText),
    }
}

/// `str(obj)` into `buf`.
fn str_of(obj: &Bound<'_, PyAny>, buf: &mut String) -> Text<'static> {
    buf.clear();
    match obj.str() {
        Ok(s) => match s.to_str() {
            Ok(s) => buf.push_str(s),
            Err(_) => return Text::Bad(BadCell::NotText),
        },
        Err(_) => return Text::Bad(BadCell::NotText),
    }
    Text::Scratch
}

/// The text of a cell of an object column, read as a CSV cell's: text as
/// it is, None / NaN / `pd.NA` / `pd.NaT` empty, whole numbers in digits,
/// anything else (a date, a bool) by its `str()` for the core to judge.
pub(crate) fn object_text<'a>(
    obj: &'a Bound<'_, PyAny>,
    markers: &Markers,
    buf: &mut String,
) -> Text<'a> {
    // An exact `str` first: a pointer comparison, the common case.
    if let Ok(s) = obj.downcast_exact::<PyString>() {
        return str_text(s);
    }
    if obj.is_none() {
        return Text::Borrowed("");
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return str_text(s);
    }
    if obj.is_instance_of::<PyBool>() {
        // Not a level: let the core say so, naming what it found.
        buf.clear();
        buf.push_str(if obj.is_truthy().unwrap_or(false) {
            "True"
        } else {
            "False"
        });
        return Text::Scratch;
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(v) => int_text(v, buf),
            Err(_) => str_of(obj, buf),
        };
    }
    if let Ok(f) = obj.downcast::<PyFloat>() {
        return float_text(f.value(), buf);
    }
    if markers.is_missing(obj) {
        return Text::Borrowed("");
    }
    // Anything else (a date object, say) is read as its text.
    str_of(obj, buf)
}

/// The text of an ID cell (`child_id`, `setting_id`, `to_setting_id`) of an
/// object column. Text is read as it is, and missing values are empty; a
/// whole number (Python or numpy integer) is read in digits, setting
/// `numeric`; anything else (a float, a bool, a date) is refused, never
/// turned into an ID.
pub(crate) fn id_text<'a>(
    obj: &'a Bound<'_, PyAny>,
    markers: &Markers,
    buf: &mut String,
    numeric: &mut bool,
) -> Text<'a> {
    if let Ok(s) = obj.downcast::<PyString>() {
        return str_text(s);
    }
    if markers.is_missing(obj) {
        return Text::Borrowed("");
    }
    if markers.is_bool(obj) {
        let value = if obj.is_truthy().unwrap_or(false) {
            "True"
        } else {
            "False"
        };
        return Text::Bad(BadCell::NotId {
            what: "a boolean".to_owned(),
            value: value.to_owned(),
        });
    }
    if markers.is_integer(obj) {
        *numeric = true;
        return str_of(obj, buf);
    }
    if let Ok(f) = obj.downcast::<PyFloat>() {
        return match float_id(f.value()) {
            Ok(()) => Text::Borrowed(""),
            Err(bad) => Text::Bad(bad),
        };
    }
    let what = obj
        .get_type()
        .name()
        .map(|n| format!("a {n}"))
        .unwrap_or_else(|_| "not text".to_owned());
    let value = match str_of(obj, buf) {
        Text::Scratch => buf.clone(),
        _ => String::new(),
    };
    Text::Bad(BadCell::NotId { what, value })
}

/// The text of cell `row` of an Arrow column, read as a CSV cell's (null is
/// empty); an ID column (`id`) by the rules of [`id_text`]: text and whole
/// numbers (setting `numeric`) are IDs, a float or anything else is not.
pub(crate) fn arrow_text<'a>(
    col: &'a ArrowCol,
    row: usize,
    id: bool,
    buf: &mut String,
    numeric: &mut bool,
) -> Text<'a> {
    if col.is_null(row) {
        return Text::Borrowed("");
    }
    match col {
        ArrowCol::F64(a) if id => {
            let v = a.get(row).unwrap_or_default();
            *numeric |= !v.is_nan();
            match float_id(v) {
                Ok(()) => Text::Borrowed(""),
                Err(bad) => Text::Bad(bad),
            }
        }
        ArrowCol::F64(a) => float_text(a.get(row).unwrap_or_default(), buf),
        ArrowCol::I64(a) => {
            *numeric |= id;
            int_text(a.get(row).unwrap_or_default(), buf)
        }
        ArrowCol::Digits(t) => {
            *numeric |= id;
            Text::Borrowed(t.get(row).unwrap_or(""))
        }
        ArrowCol::Text(t) => Text::Borrowed(t.get(row).unwrap_or("")),
        ArrowCol::Other { what, text } if id => Text::Bad(BadCell::NotId {
            what: what.clone(),
            value: text.get(row).unwrap_or("").to_owned(),
        }),
        ArrowCol::Other { text, .. } => Text::Borrowed(text.get(row).unwrap_or("")),
    }
}
