//! Sources: where records come from, decoded once from what the Python side
//! hands over into a [`Source`], and read record by record into whatever
//! takes them (a scorer, a cohort, histories) through the one intake the CLI
//! and the C interface use (`vsend_io::intake`).
//!
//! Every record read is either accepted or reported with its problems
//! ([`Problems`]), numbered as the Python side labels it: a DataFrame's rows
//! and dicts by position (0-based), a file's by line (1-based).

use std::path::{Path, PathBuf};

use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use vsend_core::{Assessment, Column, ColumnLayout, Format, Framework};
use vsend_io::intake::Intake;
use vsend_io::problem::{problems_of, with_unreadable, Cause, Problem};
use vsend_io::read::{Input, Row};

use crate::arrow::ArrowCol;
use crate::cells::{
    arrow_text, bad_cell_problem, float_id, float_text, id_text, int_text, object_text, BadCell,
    Markers, Text,
};
use crate::errors::{column_error, file_error};

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

/// One numpy column of a DataFrame, as handed over by the Python side.
pub(crate) enum ColumnData<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    I64(PyReadonlyArray1<'py, i64>),
    Obj(PyReadonlyArray1<'py, PyObject>),
    /// An Arrow column (a pandas column backed by Arrow, or a table's).
    Arrow(ArrowCol),
}

/// A DataFrame's columns (or dicts made into columns): `names[i]` heads
/// `data[i]`, every column `rows` long.
pub(crate) struct Columns<'py> {
    pub(crate) names: Vec<String>,
    pub(crate) data: Vec<ColumnData<'py>>,
    pub(crate) rows: usize,
}

impl<'py> FromPyObject<'py> for Columns<'py> {
    /// `(names, arrays, rows)`: each array float64, int64 or object, `rows` long.
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        let (names, arrays, rows): (Vec<String>, Bound<'py, PyList>, usize) = ob.extract()?;
        let mut data = Vec::with_capacity(arrays.len());
        for (c, item) in arrays.iter().enumerate() {
            let column = if let Ok(a) = item.extract::<PyReadonlyArray1<'_, f64>>() {
                ColumnData::F64(a)
            } else if let Ok(a) = item.extract::<PyReadonlyArray1<'_, i64>>() {
                ColumnData::I64(a)
            } else if let Ok(a) = item.extract::<PyReadonlyArray1<'_, PyObject>>() {
                ColumnData::Obj(a)
            } else if item.hasattr("__arrow_c_stream__")? {
                let name = names.get(c).map_or("?", String::as_str);
                ColumnData::Arrow(crate::arrow::column_of(name, &item)?)
            } else {
                return Err(PyValueError::new_err(format!(
                    "column {}: expected a float64, int64 or object numpy array, or an Arrow array",
                    names.get(c).map_or("?", String::as_str)
                )));
            };
            let len = match &column {
                ColumnData::F64(a) => a.len()?,
                ColumnData::I64(a) => a.len()?,
                ColumnData::Obj(a) => a.len()?,
                ColumnData::Arrow(a) => a.len(),
            };
            if len != rows {
                return Err(PyValueError::new_err("columns differ in length"));
            }
            data.push(column);
        }
        if data.len() != names.len() {
            return Err(PyValueError::new_err("one name per column"));
        }
        Ok(Columns { names, data, rows })
    }
}

/// A DataFrame column's values, sliced once so that reading does no Python
/// calls for numeric columns.
pub(crate) enum Slice<'a> {
    F64(&'a [f64]),
    I64(&'a [i64]),
    Obj(&'a [PyObject]),
    Arrow(&'a ArrowCol),
}

impl Columns<'_> {
    /// Every column's values as a slice.
    pub(crate) fn slices(&self) -> PyResult<Vec<Slice<'_>>> {
        self.data
            .iter()
            .map(|c| {
                Ok(match c {
                    ColumnData::F64(a) => Slice::F64(a.as_slice()?),
                    ColumnData::I64(a) => Slice::I64(a.as_slice()?),
                    ColumnData::Obj(a) => Slice::Obj(a.as_slice()?),
                    ColumnData::Arrow(a) => Slice::Arrow(a),
                })
            })
            .collect::<Result<_, numpy::NotContiguousError>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Resolves the column names as a cohort header (§10): a problem is a
    /// `ColumnError`.
    pub(crate) fn layout(&self, py: Python<'_>, fw: &Framework) -> PyResult<ColumnLayout> {
        ColumnLayout::new(fw, self.names.iter().map(String::as_str))
            .map_err(|e| column_error(py, &e))
    }
}

/// Where records come from.
pub(crate) enum Source<'py> {
    /// A DataFrame's columns, or dicts made into columns; numbered by position.
    Columns(Columns<'py>),
    /// A file read with the CLI's reader (a workbook's named sheet, or its
    /// first visible worksheet); numbered by line, or by a sheet's row.
    Path(PathBuf, Option<String>),
    /// JSON texts in the §10 JSON Lines schema; numbered by position.
    Json(Vec<String>),
}

impl<'py> FromPyObject<'py> for Source<'py> {
    /// `("columns", (names, arrays, rows))`, `("table", arrow_table)` (anything
    /// with `__arrow_c_stream__`), `("path", path, sheet)` or `("json", texts)`.
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        let tuple = ob.downcast::<PyTuple>()?;
        let kind: String = tuple.get_item(0)?.extract()?;
        let item = tuple.get_item(1)?;
        match kind.as_str() {
            "columns" => Ok(Source::Columns(item.extract()?)),
            "table" => {
                let (names, columns, rows) = crate::arrow::table_of(&item)?;
                let data = columns.into_iter().map(ColumnData::Arrow).collect();
                Ok(Source::Columns(Columns { names, data, rows }))
            }
            "path" => {
                let sheet: Option<String> = match tuple.len() {
                    3.. => tuple.get_item(2)?.extract()?,
                    _ => None,
                };
                Ok(Source::Path(item.extract::<PathBuf>()?, sheet))
            }
            "json" => Ok(Source::Json(item.extract()?)),
            other => Err(PyValueError::new_err(format!(
                "unknown source kind {other:?}"
            ))),
        }
    }
}

impl Source<'_> {
    /// The record format: how its problems name fields (§9).
    pub(crate) fn format(&self) -> Format {
        match self {
            Source::Json(_) => Format::Jsonl,
            Source::Path(path, _) => vsend_io::read::format_of(path).unwrap_or(Format::Csv),
            Source::Columns(_) => Format::Csv,
        }
    }

    /// Reads every record, calling `sink` with its number and its assessment
    /// or problems. ID columns that held numbers are noted in `numeric_ids`.
    /// Returns the records read.
    pub(crate) fn read(
        &self,
        py: Python<'_>,
        fw: &Framework,
        numeric_ids: &mut NumericIds,
        sink: &mut Sink<'_>,
    ) -> PyResult<usize> {
        match self {
            Source::Columns(columns) => read_columns(py, fw, columns, numeric_ids, sink),
            Source::Path(path, sheet) => {
                read_path(py, fw, path, sheet.as_deref(), numeric_ids, sink)
            }
            Source::Json(lines) => read_json(py, fw, lines, sink),
        }
    }

    /// Reads every record into `accept` through the one intake: rejected
    /// records, and those `accept` refuses (§7's same-date duplicates), go
    /// to `problems`. Returns the records read.
    pub(crate) fn read_into<R: Into<Cause>>(
        &self,
        py: Python<'_>,
        fw: &Framework,
        problems: &mut Problems,
        accept: impl FnMut(Assessment) -> Result<(), R>,
    ) -> PyResult<usize> {
        let mut intake = Intake::new(self.format(), accept);
        let mut numeric_ids = NumericIds::default();
        let n = self.read(py, fw, &mut numeric_ids, &mut |row, outcome| {
            if let Err(p) = intake.record(outcome) {
                problems.add(row, p);
            }
            Ok(())
        })?;
        problems.numeric_ids = numeric_ids;
        Ok(n)
    }
}

/// What reading gives for each record: an assessment, or its problems.
pub(crate) type Sink<'s> = dyn FnMut(i64, Result<Assessment, Vec<Problem>>) -> PyResult<()> + 's;

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
        Slice::Arrow(col) => arrow_text(col, row, id, buf, numeric),
    }
}

/// The ID columns that held numbers (named in order, once each): what the
/// `NumericIdWarning` names.
#[derive(Default)]
pub(crate) struct NumericIds(pub(crate) Vec<String>);

impl NumericIds {
    pub(crate) fn note(&mut self, name: &str) {
        if !self.0.iter().any(|n| n == name) {
            self.0.push(name.to_owned());
        }
    }
}

/// What [`read_rows`] calls for each row: its position, its cells' text
/// (bad cells as empty text) and its bad cells with their column.
pub(crate) type RowFn<'f> = dyn FnMut(usize, &[&str], Vec<(usize, BadCell)>) -> PyResult<()> + 'f;

/// Reads cells row by row: `ids[i]` says whether column `i` is an ID
/// column. Calls `row_fn` with each row's cells (bad cells as empty text)
/// and its bad cells. Checks for Ctrl-C as it goes.
pub(crate) fn read_rows(
    py: Python<'_>,
    columns: &Columns<'_>,
    ids: &[bool],
    numeric_ids: &mut NumericIds,
    row_fn: &mut RowFn<'_>,
) -> PyResult<()> {
    let slices = columns.slices()?;
    let markers = Markers::new(py)?;
    let width = slices.len();
    let mut scratch: Vec<String> = vec![String::new(); width];
    let mut numeric = vec![false; width];
    for row in 0..columns.rows {
        tick(py, row)?;
        let mut bad: Vec<(usize, BadCell)> = Vec::new();
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
        let mut fields: Vec<&str> = Vec::with_capacity(width);
        for (c, text) in texts.into_iter().enumerate() {
            fields.push(match text {
                Text::Borrowed(s) => s,
                Text::Scratch => scratch[c].as_str(),
                Text::Bad(b) => {
                    bad.push((c, b));
                    ""
                }
            });
        }
        row_fn(row, &fields, bad)?;
    }
    for (c, &was) in numeric.iter().enumerate() {
        if was {
            numeric_ids.note(&columns.names[c]);
        }
    }
    Ok(())
}

/// Reads a DataFrame's columns as cohort records (§10); records are
/// numbered by position (0-based).
fn read_columns(
    py: Python<'_>,
    fw: &Framework,
    columns: &Columns<'_>,
    numeric_ids: &mut NumericIds,
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    let layout = columns.layout(py, fw)?;
    let ids: Vec<bool> = layout
        .columns()
        .iter()
        .map(|c| matches!(c, Column::ChildId | Column::SettingId))
        .collect();
    read_rows(py, columns, &ids, numeric_ids, &mut |row, fields, bad| {
        let result = layout.assessment(fw, fields.iter().copied());
        sink(row as i64, with_bad_cells(result, &bad, &columns.names))
    })?;
    Ok(columns.rows)
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
    with_unreadable(unreadable, result, Format::Csv)
}

/// Reads a `.csv` / `.jsonl` / `.xlsx` file with the CLI's reader (`sheet`
/// of a workbook, else its first visible worksheet); records are numbered by
/// their 1-based line, or a sheet's row number. ID columns of a sheet that
/// held numbers are noted in `numeric_ids`.
fn read_path(
    py: Python<'_>,
    fw: &Framework,
    path: &Path,
    sheet: Option<&str>,
    numeric_ids: &mut NumericIds,
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    let input = Input::open_sheet(path, sheet).map_err(|e| file_error(py, &e))?;
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
    lines: &[String],
    sink: &mut Sink<'_>,
) -> PyResult<usize> {
    for (i, text) in lines.iter().enumerate() {
        tick(py, i)?;
        let outcome = vsend_core::parse_json_line(fw, text.as_bytes())
            .map_err(|e| problems_of(e, Format::Jsonl));
        sink(i as i64, outcome)?;
    }
    Ok(lines.len())
}

/// Rejected records, as parallel lists: record number, field, value, message;
/// and the ID columns that held numbers.
#[derive(Default)]
pub(crate) struct Problems {
    rows: Vec<i64>,
    fields: Vec<String>,
    values: Vec<String>,
    messages: Vec<String>,
    rejected: usize,
    pub(crate) numeric_ids: NumericIds,
}

impl Problems {
    /// One rejected record and its problems.
    pub(crate) fn add(&mut self, row: i64, problems: Vec<Problem>) {
        self.rejected += 1;
        for p in problems {
            self.rows.push(row);
            self.fields.push(p.field());
            self.values.push(p.found().to_owned());
            self.messages.push(p.message());
        }
    }

    /// `{"row", "field", "value", "message", "rejected", "numeric_ids"}`
    /// for the Python side's problems frame.
    pub(crate) fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
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
