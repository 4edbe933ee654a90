//! `vsend._vsend`: the Rust side of the `vsend` Python package.
//!
//! Everything here is private to the package: the public API, its docs and
//! its pandas types live in `python/vsend/__init__.py`. This module reads
//! records (numpy columns of a DataFrame, a file through the CLI's reader, or
//! JSON lines), validates and scores them with `vsend-core`, and hands back
//! plain arrays and lists for the Python side to wrap.
//!
//! Children's data is sensitive: every message here is built from the core's
//! errors, which echo at most the first 40 characters of the value at fault.

mod fast;

use std::path::Path;

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use vsend_chart::svg_to_png;
use vsend_core::{
    day_number, parse_date, score, Aggregate, Assessment, ChildId, Cohort, Column, ColumnLayout,
    Date, Domain, DomainSet, Framework, FrameworkError, GroupBy, Histories, Keep, Scores,
    SettingId, Suppression, Timeline, TimelineError,
};
use vsend_io::intake::Intake;
use vsend_io::problem::{problems_of, with_unreadable, Cause, CellError, Problem};
use vsend_io::read::{FileError, Input, Plans, Row};

// ---------------------------------------------------------------------------
// Errors: raised as the Python classes of `vsend` (defined in __init__.py).
// ---------------------------------------------------------------------------

/// One problem of an error that is not about a record, as a row of the
/// error's problems DataFrame: `(row, field, value, message)`. `row` is a
/// file's header line where there is one; `None` is `<NA>`.
type ErrProblem = (Option<i64>, Option<String>, Option<String>, String);

/// A problem naming no row: its field is the name before the message's
/// first `": "` (`scale.max_level: …`), if that is a name.
fn err_problem(message: String) -> ErrProblem {
    let field = message
        .split_once(": ")
        .map(|(f, _)| f)
        .filter(|f| !f.is_empty() && !f.contains(char::is_whitespace))
        .map(str::to_owned);
    (None, field, None, message)
}

/// An instance of `vsend.<class>(message, problems)` as a `PyErr`.
fn vsend_error(py: Python<'_>, class: &str, message: String, problems: Vec<ErrProblem>) -> PyErr {
    let made = py
        .import("vsend")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message.clone(), problems)));
    match made {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// An error of one message, naming what it is about in `field`.
fn simple_error(py: Python<'_>, class: &str, field: &str, value: &str, why: String) -> PyErr {
    let problem = (
        None,
        Some(field.to_owned()),
        Some(vsend_core::Found::new(value).as_str().to_owned()),
        why.clone(),
    );
    vsend_error(py, class, why, vec![problem])
}

fn framework_error(py: Python<'_>, e: &FrameworkError) -> PyErr {
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
    vsend_error(py, "FrameworkError", message, problems)
}

/// The problems of a header (§10, §11): one per missing column, unknown
/// column or repeat, naming the column; `prefix` and `line` place a file's.
fn header_problems(
    errors: &vsend_core::HeaderErrors,
    line: Option<i64>,
    prefix: &str,
) -> Vec<ErrProblem> {
    let mut sorted: Vec<&vsend_core::HeaderError> = errors.0.iter().collect();
    sorted.sort_by_key(|e| !matches!(e, vsend_core::HeaderError::Missing(_)));
    let mut out = Vec::new();
    for e in sorted {
        match e {
            vsend_core::HeaderError::Missing(names) => {
                for name in names {
                    let why = format!("{prefix}missing column {name}");
                    out.push((line, Some(name.clone()), None, why));
                }
            }
            vsend_core::HeaderError::OtherFramework { .. } => {
                out.push((line, None, None, format!("{prefix}{e}")));
            }
            vsend_core::HeaderError::Unknown { name, .. }
            | vsend_core::HeaderError::Duplicate { name, .. } => {
                let found = vsend_core::Found::new(name).as_str().to_owned();
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
fn column_error(py: Python<'_>, e: &vsend_core::HeaderErrors) -> PyErr {
    let messages: Vec<String> = e.0.iter().map(ToString::to_string).collect();
    vsend_error(
        py,
        "ColumnError",
        messages.join("; "),
        header_problems(e, None, ""),
    )
}

fn file_error(py: Python<'_>, e: &FileError) -> PyErr {
    match e {
        FileError::Header(name, line, errors) => {
            let line = i64::try_from(*line).ok();
            let problems =
                header_problems(errors, line, &format!("{name}:{}: ", line.unwrap_or(0)));
            vsend_error(py, "ColumnError", e.lines().join("\n"), problems)
        }
        FileError::Framework(..) => {
            let problems = e.lines().into_iter().map(err_problem).collect();
            vsend_error(py, "FrameworkError", e.to_string(), problems)
        }
        other => {
            let problems = vec![(None, Some("(file)".to_owned()), None, other.to_string())];
            vsend_error(py, "FileError", other.to_string(), problems)
        }
    }
}

// ---------------------------------------------------------------------------
// Framework
// ---------------------------------------------------------------------------

/// A Valuing SEND framework (docs/model.md §2): scale, need areas and rules.
#[pyclass(name = "Framework", module = "vsend", frozen)]
struct PyFramework {
    fw: Framework,
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

// ---------------------------------------------------------------------------
// Reading records
// ---------------------------------------------------------------------------

/// One numpy column of a DataFrame, as handed over by the Python side.
enum ColumnData<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    I64(PyReadonlyArray1<'py, i64>),
    Obj(PyReadonlyArray1<'py, PyObject>),
}

/// Levels as text without allocating: the common case of a numeric column.
pub(crate) const SMALL: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// A cell's text: borrowed, or written into the column's scratch buffer.
enum Text<'a> {
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
            found: vsend_core::Found::new(value),
        },
    };
    let column = column.to_owned();
    Problem::new(vsend_core::Format::Csv, Cause::Cell { column, error })
}

/// An ID cell of a float column: NaN is empty; any other value is refused,
/// as a float cannot say how the ID was written (`7`, `7.0`, `007`, `1e20`).
fn float_id(v: f64) -> Result<(), BadCell> {
    if v.is_nan() {
        Ok(())
    } else {
        Err(BadCell::NotId {
            what: "a float".to_owned(),
            value: format!("{v:?}"),
        })
    }
}

fn float_text(v: f64, buf: &mut String) -> Text<'static> {
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

fn int_text(v: i64, buf: &mut String) -> Text<'static> {
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
fn object_text<'a>(obj: &'a Bound<'_, PyAny>, markers: &Markers, buf: &mut String) -> Text<'a> {
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
fn id_text<'a>(
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

/// Checks for Ctrl-C (a pending signal) every [`CHECK_EVERY`] records, so a
/// long read stops with `KeyboardInterrupt` within moments.
pub(crate) fn tick(py: Python<'_>, i: usize) -> PyResult<()> {
    if i.is_multiple_of(CHECK_EVERY) {
        py.check_signals()
    } else {
        Ok(())
    }
}

/// Records read between two checks for Ctrl-C.
pub(crate) const CHECK_EVERY: usize = 1024;

/// What reading gives for each record: an assessment, or its problems.
type Sink<'s> = dyn FnMut(i64, Result<Assessment, Vec<Problem>>) -> PyResult<()> + 's;

/// Resolves a DataFrame's column names (§10): a problem is a `ColumnError`.
fn layout_of(py: Python<'_>, fw: &Framework, names: &[String]) -> PyResult<ColumnLayout> {
    ColumnLayout::new(fw, names.iter().map(String::as_str)).map_err(|e| column_error(py, &e))
}

/// The numpy arrays of a DataFrame's columns, each of `n_rows`.
fn column_data<'py>(
    columns: &Bound<'py, PyList>,
    names: &[String],
    n_rows: usize,
) -> PyResult<Vec<ColumnData<'py>>> {
    let mut data = Vec::with_capacity(columns.len());
    for (c, item) in columns.iter().enumerate() {
        let column = if let Ok(a) = item.extract::<PyReadonlyArray1<'_, f64>>() {
            ColumnData::F64(a)
        } else if let Ok(a) = item.extract::<PyReadonlyArray1<'_, i64>>() {
            ColumnData::I64(a)
        } else if let Ok(a) = item.extract::<PyReadonlyArray1<'_, PyObject>>() {
            ColumnData::Obj(a)
        } else {
            return Err(PyValueError::new_err(format!(
                "column {}: expected a float64, int64 or object numpy array",
                names.get(c).map_or("?", String::as_str)
            )));
        };
        let len = match &column {
            ColumnData::F64(a) => a.len()?,
            ColumnData::I64(a) => a.len()?,
            ColumnData::Obj(a) => a.len()?,
        };
        if len != n_rows {
            return Err(PyValueError::new_err("columns differ in length"));
        }
        data.push(column);
    }
    Ok(data)
}

/// A DataFrame column's values, sliced once so that reading does no Python
/// calls for numeric columns.
enum Slice<'a> {
    F64(&'a [f64]),
    I64(&'a [i64]),
    Obj(&'a [PyObject]),
}

fn slices<'a>(data: &'a [ColumnData<'_>]) -> PyResult<Vec<Slice<'a>>> {
    data.iter()
        .map(|c| {
            Ok(match c {
                ColumnData::F64(a) => Slice::F64(a.as_slice()?),
                ColumnData::I64(a) => Slice::I64(a.as_slice()?),
                ColumnData::Obj(a) => Slice::Obj(a.as_slice()?),
            })
        })
        .collect::<Result<_, numpy::NotContiguousError>>()
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The text of one cell, read as a CSV cell's; ID columns (`id`) by the
/// rules of [`id_text`], setting `numeric` when the ID came from a number.
fn read_cell<'a>(
    py: Python<'a>,
    column: &Slice<'a>,
    row: usize,
    id: bool,
    markers: &Markers,
    buf: &mut String,
    numeric: &mut bool,
) -> Text<'a> {
    match column {
        Slice::F64(v) if id => {
            *numeric |= !v[row].is_nan();
            match float_id(v[row]) {
                Ok(()) => Text::Borrowed(""),
                Err(bad) => Text::Bad(bad),
            }
        }
        Slice::F64(v) => float_text(v[row], buf),
        Slice::I64(v) => {
            *numeric |= id;
            int_text(v[row], buf)
        }
        Slice::Obj(objs) => {
            let obj = objs[row].bind(py);
            if id {
                id_text(obj, markers, buf, numeric)
            } else {
                object_text(obj, markers, buf)
            }
        }
    }
}

/// The ID columns that held numbers (named in order, once each): what the
/// `NumericIdWarning` names.
#[derive(Default)]
pub(crate) struct NumericIds(Vec<String>);

impl NumericIds {
    pub(crate) fn note(&mut self, name: &str) {
        if !self.0.iter().any(|n| n == name) {
            self.0.push(name.to_owned());
        }
    }
}

/// What [`read_rows`] calls for each row: its position, its cells' text
/// (bad cells as empty text) and its bad cells with their column.
type RowFn<'f> = dyn FnMut(usize, &[&str], Vec<(usize, BadCell)>) -> PyResult<()> + 'f;

/// Reads cells row by row: `names[i]` heads `columns[i]`, `ids[i]` says
/// whether it is an ID column. Calls `row_fn` with each row's cells (bad
/// cells as empty text) and its bad cells. Checks for Ctrl-C as it goes.
fn read_rows(
    py: Python<'_>,
    names: &[String],
    data: &[ColumnData<'_>],
    ids: &[bool],
    n_rows: usize,
    numeric_ids: &mut NumericIds,
    row_fn: &mut RowFn<'_>,
) -> PyResult<()> {
    let slices = slices(data)?;
    let markers = Markers::new(py)?;
    let width = slices.len();
    let mut scratch: Vec<String> = vec![String::new(); width];
    let mut numeric = vec![false; width];
    for row in 0..n_rows {
        tick(py, row)?;
        let mut bad: Vec<(usize, BadCell)> = Vec::new();
        let mut owned: Vec<Option<&str>> = vec![None; width];
        let mut texts: Vec<Text<'_>> = Vec::with_capacity(width);
        for (c, s) in slices.iter().enumerate() {
            let text = read_cell(
                py,
                s,
                row,
                ids[c],
                &markers,
                &mut scratch[c],
                &mut numeric[c],
            );
            texts.push(text);
        }
        for (c, text) in texts.into_iter().enumerate() {
            owned[c] = Some(match text {
                Text::Borrowed(s) => s,
                Text::Scratch => scratch[c].as_str(),
                Text::Bad(b) => {
                    bad.push((c, b));
                    ""
                }
            });
        }
        let fields: Vec<&str> = owned.into_iter().map(|o| o.unwrap_or("")).collect();
        row_fn(row, &fields, bad)?;
    }
    for (c, &was) in numeric.iter().enumerate() {
        if was {
            numeric_ids.note(&names[c]);
        }
    }
    Ok(())
}

/// Reads DataFrame columns: `names[i]` heads `columns[i]`; records are numbered
/// by position (0-based).
fn read_columns(
    py: Python<'_>,
    fw: &Framework,
    names: Vec<String>,
    columns: &Bound<'_, PyList>,
    n_rows: usize,
    numeric_ids: &mut NumericIds,
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    let layout = layout_of(py, fw, &names)?;
    let data = column_data(columns, &names, n_rows)?;
    let ids: Vec<bool> = layout
        .columns()
        .iter()
        .map(|c| matches!(c, Column::ChildId | Column::SettingId))
        .collect();
    read_rows(
        py,
        &names,
        &data,
        &ids,
        n_rows,
        numeric_ids,
        &mut |row, fields, bad| {
            let outcome =
                with_bad_cells(layout.assessment(fw, fields.iter().copied()), &bad, &names);
            sink(row as i64, outcome)
        },
    )?;
    Ok(n_rows)
}

/// A row's outcome from its validation `result` and its cells in `bad`
/// (not text, or not an ID): those problems first, then the row's own.
pub(crate) fn with_bad_cells<T>(
    result: Result<T, vsend_core::ValidationErrors>,
    bad: &[(usize, BadCell)],
    names: &[String],
) -> Result<T, Vec<Problem>> {
    let unreadable = bad
        .iter()
        .map(|(c, b)| bad_cell_problem(&names[*c], b))
        .collect();
    with_unreadable(unreadable, result, vsend_core::Format::Csv)
}

fn jsonl_problems(errors: vsend_core::ValidationErrors) -> Vec<Problem> {
    problems_of(errors, vsend_core::Format::Jsonl)
}

/// Reads a `.csv` / `.jsonl` / `.xlsx` file with the CLI's reader (`sheet`
/// of a workbook, else its first visible worksheet); records are numbered by
/// their 1-based line, or a sheet's row number. ID columns of a sheet that
/// held numbers are noted in `numeric_ids`.
fn read_path(
    py: Python<'_>,
    fw: &Framework,
    path: &str,
    sheet: Option<&str>,
    numeric_ids: &mut NumericIds,
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    let input = Input::open_sheet(Path::new(path), sheet).map_err(|e| file_error(py, &e))?;
    let notes = input.notes();
    let rows = input.rows(fw).map_err(|e| file_error(py, &e))?;
    let mut n = 0;
    for row in rows {
        tick(py, n)?;
        n += 1;
        match row.map_err(|e| file_error(py, &e))? {
            Row::Accepted { line, value } => sink(line as i64, Ok(value))?,
            Row::Rejected { line, problems } => sink(line as i64, Err(problems))?,
        }
    }
    for note in notes.take() {
        numeric_ids.note(&note.column);
    }
    Ok(n)
}

/// Reads JSON texts in the §10 JSON Lines schema, numbered by position (0-based).
fn read_json(
    py: Python<'_>,
    fw: &Framework,
    lines: &Bound<'_, PyList>,
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    for (i, item) in lines.iter().enumerate() {
        tick(py, i)?;
        let text: String = item.extract()?;
        let outcome = vsend_core::parse_json_line(fw, text.as_bytes()).map_err(jsonl_problems);
        sink(i as i64, outcome)?;
    }
    Ok(lines.len())
}

/// The record format of a source: how its problems name fields (§9).
fn source_format(source: &Bound<'_, PyTuple>) -> PyResult<vsend_core::Format> {
    let kind: String = source.get_item(0)?.extract()?;
    Ok(match kind.as_str() {
        "json" => vsend_core::Format::Jsonl,
        "path" => {
            let path: String = source.get_item(1)?.extract()?;
            vsend_io::read::format_of(Path::new(&path)).unwrap_or(vsend_core::Format::Csv)
        }
        _ => vsend_core::Format::Csv,
    })
}

/// Reads any source the Python side hands over:
/// `("columns", names, arrays, n_rows)`, `("path", path, sheet)` or `("json", texts)`.
/// ID columns that held numbers are noted in `numeric_ids`.
fn read_source(
    py: Python<'_>,
    fw: &Framework,
    source: &Bound<'_, PyTuple>,
    numeric_ids: &mut NumericIds,
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    let kind: String = source.get_item(0)?.extract()?;
    match kind.as_str() {
        "columns" => {
            let names: Vec<String> = source.get_item(1)?.extract()?;
            let arrays = source.get_item(2)?;
            let arrays = arrays.downcast::<PyList>()?;
            let n: usize = source.get_item(3)?.extract()?;
            read_columns(py, fw, names, arrays, n, numeric_ids, sink)
        }
        "path" => {
            let path: String = source.get_item(1)?.extract()?;
            let sheet: Option<String> = match source.len() {
                3.. => source.get_item(2)?.extract()?,
                _ => None,
            };
            read_path(py, fw, &path, sheet.as_deref(), numeric_ids, sink)
        }
        "json" => {
            let lines = source.get_item(1)?;
            read_json(py, fw, lines.downcast::<PyList>()?, sink)
        }
        other => Err(PyValueError::new_err(format!(
            "unknown source kind {other:?}"
        ))),
    }
}

/// Rejected records, as parallel lists: record number, field, value, message;
/// and the ID columns that held numbers.
#[derive(Default)]
struct Problems {
    rows: Vec<i64>,
    fields: Vec<String>,
    values: Vec<String>,
    messages: Vec<String>,
    rejected: usize,
    numeric_ids: NumericIds,
}

impl Problems {
    fn add(&mut self, row: i64, problems: Vec<Problem>) {
        self.rejected += 1;
        for p in problems {
            self.rows.push(row);
            self.fields.push(p.field());
            self.values.push(p.found().to_owned());
            self.messages.push(p.message());
        }
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("row", self.rows.into_pyarray(py))?;
        d.set_item("field", self.fields)?;
        d.set_item("value", self.values)?;
        d.set_item("message", self.messages)?;
        d.set_item("rejected", self.rejected)?;
        d.set_item("numeric_ids", self.numeric_ids.0)?;
        Ok(d)
    }
}

fn framework_of<'a>(fw: &'a Bound<'_, PyFramework>) -> &'a Framework {
    &fw.get().fw
}

// ---------------------------------------------------------------------------
// score
// ---------------------------------------------------------------------------

/// A nullable column being built: values and a mask (true = absent).
struct Nullable<T> {
    values: Vec<T>,
    mask: Vec<bool>,
}

impl<T: Default> Nullable<T> {
    fn with_capacity(n: usize) -> Self {
        Nullable {
            values: Vec::with_capacity(n),
            mask: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, v: Option<T>) {
        self.mask.push(v.is_none());
        self.values.push(v.unwrap_or_default());
    }

    fn retain(&mut self, keep: &[bool]) {
        retain_mask(&mut self.values, keep);
        retain_mask(&mut self.mask, keep);
    }
}

fn retain_mask<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// The scored columns of accepted rows (§10), built without Python objects so
/// that slices of a DataFrame can be scored on every core.
struct Scored {
    rows: Vec<i64>,
    /// Child and date of each row: for the §7 check and the `child_id` column.
    keys: Vec<(ChildId, Date)>,
    setting_id: Vec<Option<SettingId>>,
    assessed_on: Vec<i64>,
    age_band: Vec<i8>,
    need: [Nullable<f64>; 5],
    breadth: [Vec<i64>; 5],
    readiness: [Nullable<i64>; 5],
    confidence: [Nullable<i64>; 5],
    setting_gap: [Nullable<f64>; 5],
    family_gap: [Nullable<f64>; 5],
    complete: Vec<bool>,
    total_need: Nullable<f64>,
    need_index: Nullable<f64>,
    setting_coverage: Nullable<f64>,
    family_coverage: Nullable<f64>,
    unmet_setting: Vec<i8>,
    unmet_family: Vec<i8>,
    primary_domain: Vec<i8>,
    /// §13, present when the framework has banding.
    banded: bool,
    band_score: Nullable<f64>,
    band: Vec<i16>,
    band_raised_by: Vec<i8>,
    top_up: Nullable<f64>,
}

pub(crate) fn bits(set: DomainSet) -> i8 {
    set.iter().map(|d| 1i8 << d.index()).sum()
}

/// Rejected records in input order: record number and its problems.
pub(crate) type Rejected = Vec<(i64, Vec<Problem>)>;

impl Scored {
    fn with_capacity(n: usize) -> Self {
        Scored {
            rows: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            setting_id: Vec::with_capacity(n),
            assessed_on: Vec::with_capacity(n),
            age_band: Vec::with_capacity(n),
            need: std::array::from_fn(|_| Nullable::with_capacity(n)),
            breadth: std::array::from_fn(|_| Vec::with_capacity(n)),
            readiness: std::array::from_fn(|_| Nullable::with_capacity(n)),
            confidence: std::array::from_fn(|_| Nullable::with_capacity(n)),
            setting_gap: std::array::from_fn(|_| Nullable::with_capacity(n)),
            family_gap: std::array::from_fn(|_| Nullable::with_capacity(n)),
            complete: Vec::with_capacity(n),
            total_need: Nullable::with_capacity(n),
            need_index: Nullable::with_capacity(n),
            setting_coverage: Nullable::with_capacity(n),
            family_coverage: Nullable::with_capacity(n),
            unmet_setting: Vec::with_capacity(n),
            unmet_family: Vec::with_capacity(n),
            primary_domain: Vec::with_capacity(n),
            banded: false,
            band_score: Nullable::with_capacity(n),
            band: Vec::with_capacity(n),
            band_raised_by: Vec::with_capacity(n),
            top_up: Nullable::with_capacity(n),
        }
    }

    fn push(
        &mut self,
        row: i64,
        a: &Assessment,
        s: &Scores,
        banding: Option<&vsend_core::Banding>,
    ) {
        self.banded = banding.is_some();
        let band = banding.and_then(|b| b.band(&s.need));
        self.band_score.push(band.map(|r| r.band_score));
        self.top_up.push(band.and_then(|r| r.top_up));
        self.band.push(band.map_or(-1, |r| r.band as i16));
        self.band_raised_by.push(
            band.and_then(|r| r.raised_by)
                .map_or(-1, |d| d.index() as i8),
        );
        self.rows.push(row);
        self.keys.push((a.child_id().clone(), a.assessed_on()));
        self.setting_id.push(a.setting_id().cloned());
        self.assessed_on
            .push(i64::from(day_number(a.assessed_on())) * 86_400);
        self.age_band.push(s.age_band.map_or(-1, |b| b as i8));
        for d in Domain::ALL {
            let i = d.index();
            self.need[i].push(s.need.get(d));
            self.breadth[i].push(i64::from(s.breadth[d]));
            self.readiness[i].push(s.readiness.get(d).map(|x| x as i64));
            self.confidence[i].push(s.confidence.get(d).map(|x| x as i64));
            self.setting_gap[i].push(s.setting_gap.get(d));
            self.family_gap[i].push(s.family_gap.get(d));
        }
        self.complete.push(s.whole.is_some());
        let w = s.whole.as_ref();
        self.total_need.push(w.map(|w| w.total_need));
        self.need_index.push(w.map(|w| w.need_index));
        self.setting_coverage
            .push(w.and_then(|w| w.setting_coverage));
        self.family_coverage.push(w.and_then(|w| w.family_coverage));
        self.unmet_setting
            .push(w.map_or(-1, |w| bits(w.unmet_setting)));
        self.unmet_family
            .push(w.map_or(-1, |w| bits(w.unmet_family)));
        self.primary_domain.push(
            w.and_then(|w| w.primary_domain)
                .map_or(-1, |d| d.index() as i8),
        );
    }

    fn retain(&mut self, keep: &[bool]) {
        retain_mask(&mut self.rows, keep);
        retain_mask(&mut self.keys, keep);
        retain_mask(&mut self.setting_id, keep);
        retain_mask(&mut self.assessed_on, keep);
        retain_mask(&mut self.age_band, keep);
        for i in 0..5 {
            self.need[i].retain(keep);
            retain_mask(&mut self.breadth[i], keep);
            self.readiness[i].retain(keep);
            self.confidence[i].retain(keep);
            self.setting_gap[i].retain(keep);
            self.family_gap[i].retain(keep);
        }
        retain_mask(&mut self.complete, keep);
        self.total_need.retain(keep);
        self.need_index.retain(keep);
        self.setting_coverage.retain(keep);
        self.family_coverage.retain(keep);
        retain_mask(&mut self.unmet_setting, keep);
        retain_mask(&mut self.unmet_family, keep);
        retain_mask(&mut self.primary_domain, keep);
        self.band_score.retain(keep);
        self.top_up.retain(keep);
        retain_mask(&mut self.band, keep);
        retain_mask(&mut self.band_raised_by, keep);
    }

    /// §7 over the rows in input order: of two assessments of a child on one
    /// date the later is rejected, by the core's rule (`Histories`).
    fn reject_duplicates(&mut self, rejected: &mut Rejected, format: vsend_core::Format) {
        let mut seen = Histories::new(Keep::Dates);
        let mut keep = Vec::with_capacity(self.keys.len());
        let before = rejected.len();
        for (i, (child, on)) in self.keys.iter().enumerate() {
            let refused = seen.add_date(child, *on).err();
            keep.push(refused.is_none());
            if let Some(d) = refused {
                rejected.push((self.rows[i], vec![Problem::duplicate(d, format)]));
            }
        }
        if rejected.len() == before {
            return;
        }
        // Problems stay in input order.
        rejected.sort_by_key(|(row, _)| *row);
        self.retain(&keep);
    }

    /// `{column: array}` in §10 order; nullable columns as `(values, mask)`,
    /// categorical ones as codes (the Python side knows the categories).
    /// `ids` gives the input's ID objects, reused where the text is unchanged.
    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let out = PyDict::new(py);
        let nullable = |n: Nullable<f64>| (n.values.into_pyarray(py), n.mask.into_pyarray(py));
        let nullable_i = |n: Nullable<i64>| (n.values.into_pyarray(py), n.mask.into_pyarray(py));
        let child_id: Vec<PyObject> = self
            .rows
            .iter()
            .zip(&self.keys)
            .map(|(_, (id, _))| PyString::new(py, id.as_str()).into_any().unbind())
            .collect();
        let setting_id: Vec<PyObject> = self
            .rows
            .iter()
            .zip(&self.setting_id)
            .map(|(_, id)| match id {
                Some(id) => PyString::new(py, id.as_str()).into_any().unbind(),
                None => py.None(),
            })
            .collect();
        out.set_item("child_id", child_id.into_pyarray(py))?;
        out.set_item("assessed_on", self.assessed_on.into_pyarray(py))?;
        out.set_item("setting_id", setting_id.into_pyarray(py))?;
        out.set_item("age_band", self.age_band.into_pyarray(py))?;
        let [n0, n1, n2, n3, n4] = self.need;
        let [b0, b1, b2, b3, b4] = self.breadth;
        let [r0, r1, r2, r3, r4] = self.readiness;
        let [c0, c1, c2, c3, c4] = self.confidence;
        let [s0, s1, s2, s3, s4] = self.setting_gap;
        let [f0, f1, f2, f3, f4] = self.family_gap;
        let per = [
            (n0, b0, r0, c0, s0, f0),
            (n1, b1, r1, c1, s1, f1),
            (n2, b2, r2, c2, s2, f2),
            (n3, b3, r3, c3, s3, f3),
            (n4, b4, r4, c4, s4, f4),
        ];
        for (d, (n, b, r, c, s, f)) in Domain::ALL.into_iter().zip(per) {
            out.set_item(format!("need.{d}"), nullable(n))?;
            out.set_item(format!("breadth.{d}"), b.into_pyarray(py))?;
            out.set_item(format!("readiness.{d}"), nullable_i(r))?;
            out.set_item(format!("confidence.{d}"), nullable_i(c))?;
            out.set_item(format!("setting_gap.{d}"), nullable(s))?;
            out.set_item(format!("family_gap.{d}"), nullable(f))?;
        }
        out.set_item("complete", self.complete.into_pyarray(py))?;
        out.set_item("total_need", nullable(self.total_need))?;
        out.set_item("need_index", nullable(self.need_index))?;
        out.set_item("setting_coverage", nullable(self.setting_coverage))?;
        out.set_item("family_coverage", nullable(self.family_coverage))?;
        out.set_item("unmet_setting", self.unmet_setting.into_pyarray(py))?;
        out.set_item("unmet_family", self.unmet_family.into_pyarray(py))?;
        out.set_item("primary_domain", self.primary_domain.into_pyarray(py))?;
        if self.banded {
            out.set_item("band_score", nullable(self.band_score))?;
            out.set_item("band", self.band.into_pyarray(py))?;
            out.set_item("band_raised_by", self.band_raised_by.into_pyarray(py))?;
            out.set_item("top_up", nullable(self.top_up))?;
        }
        out.set_item("_rows", self.rows.into_pyarray(py))?;
        Ok(out)
    }
}

/// Validates and scores every record of `source` (§3–§6, §9), rejecting
/// same-date duplicates (§7). Returns `(columns, problems, rows_read)`.
#[pyfunction]
fn score_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let kind: String = source.get_item(0)?.extract()?;
    if kind == "columns" {
        let names: Vec<String> = source.get_item(1)?.extract()?;
        let arrays = source.get_item(2)?;
        let n: usize = source.get_item(3)?.extract()?;
        let layout = layout_of(py, fw, &names)?;
        let data = column_data(arrays.downcast::<PyList>()?, &names, n)?;
        let markers = Markers::new(py)?;
        let mut numeric_ids = NumericIds::default();
        let mut objects: Vec<Option<&[PyObject]>> = Vec::with_capacity(data.len());
        let mut cols: Vec<fast::Col<'_>> = Vec::with_capacity(data.len());
        let mut buf = String::new();
        for (c, column) in slices(&data)?.into_iter().enumerate() {
            let id = matches!(layout.columns()[c], Column::ChildId | Column::SettingId);
            let mut numeric = false;
            match column {
                Slice::F64(values) if id => {
                    // A float ID is refused row by row; NaN is empty.
                    objects.push(None);
                    let cells = values
                        .iter()
                        .map(|&v| {
                            numeric |= !v.is_nan();
                            match float_id(v) {
                                Ok(()) => fast::Cell::Str(""),
                                Err(bad) => fast::Cell::Bad(bad),
                            }
                        })
                        .collect();
                    cols.push(fast::Col::Cells(cells));
                }
                Slice::F64(values) => {
                    objects.push(None);
                    cols.push(fast::Col::F64(Vec::new(), values));
                }
                Slice::I64(values) => {
                    numeric = id && n > 0;
                    objects.push(None);
                    cols.push(fast::Col::I64(Vec::new(), values));
                }
                Slice::Obj(objs) => {
                    objects.push(Some(objs));
                    let mut cells = Vec::with_capacity(n);
                    for (row, o) in objs.iter().enumerate() {
                        tick(py, row)?;
                        let o = o.bind(py);
                        let text = if id {
                            id_text(o, &markers, &mut buf, &mut numeric)
                        } else {
                            object_text(o, &markers, &mut buf)
                        };
                        cells.push(match text {
                            Text::Borrowed(s) => fast::Cell::Str(s),
                            Text::Scratch => fast::Cell::Owned(buf.clone()),
                            Text::Bad(bad) => fast::Cell::Bad(bad),
                        });
                    }
                    cols.push(fast::Col::Cells(cells));
                }
            }
            if numeric {
                numeric_ids.note(&names[c]);
            }
        }
        fast::code_numbers(&mut cols);
        let (scored, rejected) = fast::score_frame(py, fw, &layout, &names, &cols, &objects, n)?;
        let mut problems = Problems {
            numeric_ids,
            ..Problems::default()
        };
        for (row, p) in rejected {
            problems.add(row, p);
        }
        return Ok((scored, problems.into_py(py)?, n));
    }
    let mut scored = Scored::with_capacity(0);
    scored.banded = fw.banding().is_some();
    let mut rejected = Rejected::new();
    let mut numeric_ids = NumericIds::default();
    let n = read_source(py, fw, source, &mut numeric_ids, &mut |row, outcome| {
        match outcome {
            Ok(a) => scored.push(row, &a, &score(fw, &a), fw.banding()),
            Err(p) => rejected.push((row, p)),
        }
        Ok(())
    })?;
    scored.reject_duplicates(&mut rejected, source_format(source)?);
    let mut problems = Problems {
        numeric_ids,
        ..Problems::default()
    };
    for (row, p) in rejected {
        problems.add(row, p);
    }
    Ok((scored.into_py(py)?, problems.into_py(py)?, n))
}

// ---------------------------------------------------------------------------
// cohort, timeline
// ---------------------------------------------------------------------------

fn date_arg(name: &str, text: Option<&str>) -> PyResult<Option<Date>> {
    text.map(|t| {
        parse_date(t).ok_or_else(|| {
            PyValueError::new_err(format!("{name}: {t:?} is not a date; allowed YYYY-MM-DD"))
        })
    })
    .transpose()
}

fn json_to_py<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.getattr("loads")?.call1((text,))
}

fn cohort_of<'f>(
    py: Python<'_>,
    fw: &'f Framework,
    source: &Bound<'_, PyTuple>,
    as_of: Option<Date>,
    problems: &mut Problems,
) -> PyResult<(Cohort<'f>, usize)> {
    let mut cohort = Cohort::new(fw, as_of);
    let n = read_into(py, fw, source, problems, |a| cohort.add(&a))?;
    Ok((cohort, n))
}

/// Reads every record of `source` into `accept` through the one intake
/// (`vsend_io::intake`): rejected records, and those `accept` refuses (§7's
/// same-date duplicates), go to `problems`. Returns the records read.
fn read_into<R: Into<Cause>>(
    py: Python<'_>,
    fw: &Framework,
    source: &Bound<'_, PyTuple>,
    problems: &mut Problems,
    accept: impl FnMut(Assessment) -> Result<(), R>,
) -> PyResult<usize> {
    let mut intake = Intake::new(source_format(source)?, accept);
    let mut numeric_ids = NumericIds::default();
    let n = read_source(py, fw, source, &mut numeric_ids, &mut |row, outcome| {
        if let Err(p) = intake.record(outcome) {
            problems.add(row, p);
        }
        Ok(())
    })?;
    problems.numeric_ids = numeric_ids;
    Ok(n)
}

fn group_by(by: Option<&str>) -> PyResult<Option<GroupBy>> {
    by.map(|b| {
        b.parse::<GroupBy>().map_err(|_| {
            PyValueError::new_err(format!(
                "by: {b:?} is not allowed; allowed setting_id, age_band or primary_domain"
            ))
        })
    })
    .transpose()
}

/// The §8 cohort summary of `source`, made safe to share (§14) with
/// `suppress` (K) and `round_to` (B). Returns `(summary, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, as_of=None, by=None, suppress=None, round_to=None))]
fn cohort_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
    as_of: Option<&str>,
    by: Option<&str>,
    suppress: Option<i64>,
    round_to: Option<i64>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let as_of = date_arg("as_of", as_of)?;
    let by = group_by(by)?;
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
    let suppression = match (suppress, round_to) {
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
    };
    let mut problems = Problems::default();
    let (cohort, n) = cohort_of(py, fw, source, as_of, &mut problems)?;
    let summary = match suppression {
        None => json_to_py(py, &cohort.summary(by))?,
        // §14: small groups merged or left out, small counts hidden, the rest rounded.
        Some(s) => json_to_py(py, &cohort.summary_suppressed(by, s))?,
    };
    Ok((summary, problems.into_py(py)?, n))
}

fn child_arg(child: &str) -> PyResult<ChildId> {
    ChildId::new(child).map_err(|e| PyValueError::new_err(format!("child: {e}")))
}

/// One child's timeline from `source`, with every record read and rejected
/// ones (and the child's same-date duplicates) reported.
fn timeline_of(
    py: Python<'_>,
    fw: &Framework,
    source: &Bound<'_, PyTuple>,
    child: &ChildId,
    as_of: Option<Date>,
    problems: &mut Problems,
) -> PyResult<(Timeline, usize)> {
    // Every child's duplicates are rejected, as by the CLI, so counts agree.
    let mut histories = Histories::new(Keep::Child(child.clone()));
    let n = read_into(py, fw, source, problems, |a| histories.add(&a))?;
    let not_found = || {
        let why = match as_of {
            Some(d) => format!("no accepted assessment of {child} on or before {d}"),
            None => format!("no accepted assessment of {child}"),
        };
        simple_error(py, "NotFoundError", "child", child.as_str(), why)
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
fn timeline_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
    child: &str,
    as_of: Option<&str>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let child = child_arg(child)?;
    let as_of = date_arg("as_of", as_of)?;
    let mut problems = Problems::default();
    let (timeline, n) = timeline_of(py, fw, source, &child, as_of, &mut problems)?;
    Ok((json_to_py(py, &timeline)?, problems.into_py(py)?, n))
}

// ---------------------------------------------------------------------------
// charts
// ---------------------------------------------------------------------------

fn chart_error(e: vsend_chart::ChartError) -> PyErr {
    PyValueError::new_err(format!("chart: {e}"))
}

/// A child's radar (the review on or before `on`, the latest without it),
/// optionally with the previous review's needs. Returns `(svg, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, child, on=None, previous=false, width=800, height=800))]
#[allow(clippy::too_many_arguments)]
fn radar_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
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
    let (t, n) = timeline_of(py, fw, source, &child, on, &mut problems)?;
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
fn timeline_chart_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
    child: &str,
    as_of: Option<&str>,
    width: u32,
    height: u32,
) -> PyResult<(String, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let child = child_arg(child)?;
    let as_of = date_arg("as_of", as_of)?;
    let mut problems = Problems::default();
    let (t, n) = timeline_of(py, fw, source, &child, as_of, &mut problems)?;
    let svg = vsend_chart::child_timeline(fw, &t, Some((width, height))).map_err(chart_error)?;
    Ok((svg, problems.into_py(py)?, n))
}

/// A cohort group's mean radar. Returns `(svg, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, group="all", by=None, as_of=None, width=800, height=800))]
#[allow(clippy::too_many_arguments)]
fn cohort_radar_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
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
    let (cohort, n) = cohort_of(py, fw, source, as_of, &mut problems)?;
    let summary = cohort.summary(by);
    let svg = vsend_chart::group_radar(fw, &summary, group, Some((width, height))).map_err(
        |e| match e {
            vsend_chart::ChartError::NoGroup { .. } => {
                simple_error(py, "NotFoundError", "group", group, e.to_string())
            }
            e => chart_error(e),
        },
    )?;
    Ok((svg, problems.into_py(py)?, n))
}

// ---------------------------------------------------------------------------
// transitions, plans, comparison (§11, §14)
// ---------------------------------------------------------------------------

/// A school year (§11) given as text (the digits of a whole number), judged
/// by the core's rule, as the CLI's `--year` and the C interface judge
/// theirs: `ValueError` naming the value found and what is allowed.
#[pyfunction]
fn school_year(year: &str) -> PyResult<i16> {
    year.parse::<vsend_core::SchoolYear>()
        .map(vsend_core::SchoolYear::get)
        .map_err(|e| PyValueError::new_err(format!("year: {e}")))
}

/// The §11 phase moves of the school year starting 1 September `year`
/// (checked again by [`school_year`]'s rule). Returns `(moves, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, year, as_of=None))]
fn transitions_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
    year: i64,
    as_of: Option<&str>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let year = vsend_core::SchoolYear::new(year)
        .map_err(|e| PyValueError::new_err(format!("year: {e}")))?;
    let as_of = date_arg("as_of", as_of)?;
    let mut problems = Problems::default();
    let (cohort, n) = cohort_of(py, fw, source, as_of, &mut problems)?;
    let moves = json_to_py(py, &cohort.phase_moves(year.get()))?;
    Ok((moves, problems.into_py(py)?, n))
}

/// What `transition_source` hands back: the planned rows, the plans'
/// problems and count, the cohort's problems and count.
type Planned<'py> = (
    Bound<'py, PyList>,
    Bound<'py, PyDict>,
    usize,
    Bound<'py, PyDict>,
    usize,
);

/// Reads plans given as columns (a DataFrame, or dicts made into columns):
/// `names[i]` heads `columns[i]`, resolved as a plan CSV header is (§11: an
/// unknown, repeated or missing column is a `ColumnError`), and every cell
/// read as the text of a CSV cell, so a plan from pandas is judged by the
/// same rules as a plan file. Plans are numbered by position (0-based).
fn read_plan_columns(
    py: Python<'_>,
    fw: &Framework,
    names: &[String],
    columns: &Bound<'_, PyList>,
    n_rows: usize,
    numeric_ids: &mut NumericIds,
    sink: &mut dyn FnMut(i64, Result<vsend_core::Plan, Vec<Problem>>) -> PyResult<()>,
) -> PyResult<usize> {
    let layout = vsend_core::PlanLayout::new(names.iter().map(String::as_str))
        .map_err(|e| column_error(py, &e))?;
    let data = column_data(columns, names, n_rows)?;
    let ids: Vec<bool> = layout
        .columns()
        .iter()
        .map(|c| {
            matches!(
                c,
                vsend_core::PlanColumn::ChildId | vsend_core::PlanColumn::ToSettingId
            )
        })
        .collect();
    read_rows(
        py,
        names,
        &data,
        &ids,
        n_rows,
        numeric_ids,
        &mut |row, fields, bad| {
            let result = layout.plan(fw, fields.iter().copied());
            sink(row as i64, with_bad_cells(result, &bad, names))
        },
    )?;
    Ok(n_rows)
}

/// §11 transition plans against the cohort in `source`: plans from a file
/// (`plans_path`, CSV or JSON Lines) or given as columns (`plan_columns`:
/// `(names, arrays, rows)`, as a DataFrame source; problems then numbered
/// by position). Returns `(rows, plan problems, plans read, cohort
/// problems, cohort rows read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, plans_path=None, plan_columns=None))]
fn transition_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: &Bound<'py, PyTuple>,
    plans_path: Option<&str>,
    plan_columns: Option<(Vec<String>, Bound<'py, PyList>, usize)>,
) -> PyResult<Planned<'py>> {
    let fw = framework_of(framework);
    let mut cohort_problems = Problems::default();
    let mut histories = Histories::new(Keep::All);
    let cohort_rows = read_into(py, fw, source, &mut cohort_problems, |a| histories.add(&a))?;
    let mut planned = Vec::new();
    let mut problems = Problems::default();
    // A repeated child and move date (§11), or a plan with no assessment
    // before the move, is a problem of its row.
    let mut seen = vsend_core::SeenPlans::new();
    let mut plan = |p: vsend_core::Plan| -> Result<(), Cause> {
        seen.add(&p)?;
        planned.push(vsend_core::transition(fw, histories.get(p.child_id()), &p)?);
        Ok(())
    };
    let mut read = 0;
    if let Some(path) = plans_path {
        let input = Input::open(Path::new(path)).map_err(|e| file_error(py, &e))?;
        let mut intake = Intake::new(input.format, &mut plan);
        for r in input.rows_as::<Plans>(fw).map_err(|e| file_error(py, &e))? {
            tick(py, read)?;
            read += 1;
            let (line, outcome) = match r.map_err(|e| file_error(py, &e))? {
                Row::Accepted { line, value } => (line, Ok(value)),
                Row::Rejected { line, problems } => (line, Err(problems)),
            };
            if let Err(p) = intake.record(outcome) {
                problems.add(line as i64, p);
            }
        }
    }
    if let Some((names, columns, n_rows)) = plan_columns {
        let mut numeric_ids = NumericIds::default();
        let mut intake = Intake::new(vsend_core::Format::Csv, &mut plan);
        read += read_plan_columns(
            py,
            fw,
            &names,
            &columns,
            n_rows,
            &mut numeric_ids,
            &mut |i, outcome| {
                if let Err(p) = intake.record(outcome) {
                    problems.add(i, p);
                }
                Ok(())
            },
        )?;
        problems.numeric_ids = numeric_ids;
    }
    let rows = PyList::empty(py);
    for row in &planned {
        rows.append(json_to_py(py, row)?)?;
    }
    Ok((
        rows,
        problems.into_py(py)?,
        read,
        cohort_problems.into_py(py)?,
        cohort_rows,
    ))
}

/// §14: compares cohort summaries given as JSON texts, the first the
/// reference. A text that is not a summary, or summaries of different
/// frameworks, raise `VsendError`.
#[pyfunction]
fn compare_json<'py>(
    py: Python<'py>,
    labels: Vec<String>,
    texts: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut summaries = Vec::with_capacity(texts.len());
    for (label, text) in labels.into_iter().zip(&texts) {
        let file = vsend_core::SummaryFile::from_json(text).map_err(|e| {
            let why = format!("{label}: not a cohort summary written by vsend: {e}");
            simple_error(py, "VsendError", "summary", &label, why)
        })?;
        summaries.push((label, file));
    }
    let comparison = vsend_core::compare(&summaries).map_err(|e| {
        let why = e.to_string();
        vsend_error(py, "VsendError", why.clone(), vec![err_problem(why)])
    })?;
    json_to_py(py, &comparison)
}

/// Rasterises an SVG chart to PNG bytes (embedded font only).
#[pyfunction]
fn svg_png<'py>(py: Python<'py>, svg: &str) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
    let png = py.allow_threads(|| svg_to_png(svg)).map_err(chart_error)?;
    Ok(pyo3::types::PyBytes::new(py, &png))
}

#[pymodule]
fn _vsend(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // numpy's C API is loaded on first use, by running Python code: were that
    // first use the end of a long call with Ctrl-C pending, the import would
    // fail and rust-numpy panic. Load it now, before any such call.
    let _ = numpy::PyArray1::<f64>::zeros(m.py(), 0, false);
    m.add_class::<PyFramework>()?;
    m.add_function(wrap_pyfunction!(score_source, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_source, m)?)?;
    m.add_function(wrap_pyfunction!(timeline_source, m)?)?;
    m.add_function(wrap_pyfunction!(radar_source, m)?)?;
    m.add_function(wrap_pyfunction!(timeline_chart_source, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_radar_source, m)?)?;
    m.add_function(wrap_pyfunction!(svg_png, m)?)?;
    m.add_function(wrap_pyfunction!(transitions_source, m)?)?;
    m.add_function(wrap_pyfunction!(school_year, m)?)?;
    m.add_function(wrap_pyfunction!(transition_source, m)?)?;
    m.add_function(wrap_pyfunction!(compare_json, m)?)?;
    m.add("PLAN_COLUMNS", vsend_core::PLAN_COLUMNS.to_vec())?;
    m.add("SCORED_COLUMNS", vsend_core::SCORED_COLUMNS.to_vec())?;
    m.add("DOMAINS", Domain::ALL.map(|d| d.key()).to_vec())?;
    Ok(())
}
