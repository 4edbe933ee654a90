//! Tables written as an Excel workbook (`-o OUT.xlsx`).
//!
//! A [`Table`] is one sheet: a bold header row, frozen so that it stays in
//! view, then one row per record. Cells keep their type: numbers and counts
//! are numbers, dates are Excel dates shown `yyyy-mm-dd`, TRUE/FALSE are
//! booleans, absent values are empty cells, and text is always a text cell,
//! never a formula (a child ID `=1+1` stays the text `=1+1`). Columns are as
//! wide as their longest value (within limits). When rows were rejected, a
//! second sheet `problems` lists them with the `--errors` columns `line,
//! field, value, message`.
//!
//! Excel holds at most 1,048,576 rows per sheet, so a table holds at most
//! [`MAX_TABLE_ROWS`] rows under its header: one more is
//! [`TooManyRows`], which stops the run before anything is written (write
//! CSV for more). The problems sheet keeps its first [`MAX_TABLE_ROWS`] − 1
//! problems and ends with a row saying how many more there were (all of
//! them are in `--errors`).
//!
//! A table made with [`Table::streaming`] (for `vsend score`) keeps one row
//! in memory and the rest in an anonymous temporary file (rust_xlsxwriter's
//! constant-memory mode); the workbook is then written, zipped, straight to
//! the output, so memory does not grow with the rows. Other tables are small
//! (summaries, projections, plans) and are held in memory.

use std::fmt;
use std::io::{self, Write};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;
use vsend_core::scored::Cell;
use vsend_core::Domain;

use super::MAX_SHEET_ROWS;
use crate::read::Problem;
use crate::write::push_cell;

/// The most rows a table holds under its header row.
pub const MAX_TABLE_ROWS: u32 = MAX_SHEET_ROWS - 1;

/// The longest text a cell holds (Excel's limit, in characters).
const MAX_CELL_CHARS: usize = 32_767;

/// Column widths, in characters: at least, and at most (longer text wraps
/// out of view, as Excel does).
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

/// More rows than one Excel sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyRows;

impl fmt::Display for TooManyRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "more than {} rows, the most an Excel sheet holds under its header row; write CSV instead (-o OUT.csv)",
            crate::read::thousands(u64::from(MAX_TABLE_ROWS))
        )
    }
}

impl std::error::Error for TooManyRows {}

/// An error of rust_xlsxwriter as an I/O error, for the caller's `writing`.
fn io_error(e: XlsxError) -> io::Error {
    match e {
        XlsxError::IoError(e) => e,
        e => io::Error::other(e.to_string()),
    }
}

/// One sheet of rows under a header, and a `problems` sheet when problems
/// were added; written by [`Table::finish`].
pub struct Table {
    book: Workbook,
    streaming: bool,
    /// The next row to write (0-based; the header is row 0).
    row: u32,
    widths: Vec<usize>,
    date: Format,
    header: Format,
    /// Scratch for a cell's text.
    text: Vec<u8>,
    problems: Option<Problems>,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("rows", &self.row.saturating_sub(1))
            .field("streaming", &self.streaming)
            .finish_non_exhaustive()
    }
}

/// The `problems` sheet: its next row, and the problems not listed.
#[derive(Debug)]
struct Problems {
    row: u32,
    widths: Vec<usize>,
    unlisted: u64,
}

/// The columns of the `problems` sheet: those of the `--errors` CSV.
const PROBLEM_COLUMNS: [&str; 4] = ["line", "field", "value", "message"];

impl Table {
    /// A table held in memory, on sheet `sheet` with `columns` as its header.
    pub fn new(sheet: &str, columns: &[&str]) -> io::Result<Table> {
        Table::create(sheet, columns, false)
    }

    /// A table whose rows go to a temporary file as they are added, for
    /// tables of any length (see the module documentation).
    pub fn streaming(sheet: &str, columns: &[&str]) -> io::Result<Table> {
        Table::create(sheet, columns, true)
    }

    fn create(sheet: &str, columns: &[&str], streaming: bool) -> io::Result<Table> {
        let mut book = Workbook::new();
        let header = Format::new().set_bold();
        let ws = add_sheet(&mut book, streaming)?;
        ws.set_name(sheet).map_err(io_error)?;
        write_header(ws, columns, &header)?;
        Ok(Table {
            book,
            streaming,
            row: 1,
            widths: columns.iter().map(|c| c.chars().count()).collect(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            header,
            text: Vec::new(),
            problems: None,
        })
    }

    /// Rows written so far under the header.
    pub fn rows(&self) -> u32 {
        self.row - 1
    }

    /// Adds one row of cells, in header order. A row past
    /// [`MAX_TABLE_ROWS`] is an error wrapping [`TooManyRows`].
    pub fn push(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        if self.row > MAX_TABLE_ROWS {
            return Err(io::Error::other(TooManyRows));
        }
        let row = self.row;
        self.row += 1;
        let ws = self.book.worksheet_from_index(0).map_err(io_error)?;
        for (c, cell) in cells.iter().enumerate() {
            let w = write_cell(ws, row, c as u16, *cell, &self.date, &mut self.text)?;
            if let Some(max) = self.widths.get_mut(c) {
                *max = (*max).max(w);
            }
        }
        Ok(())
    }

    /// The `problems` sheet, made the first time.
    fn problems_sheet(&mut self) -> io::Result<&mut Problems> {
        if self.problems.is_none() {
            let ws = add_sheet(&mut self.book, self.streaming)?;
            ws.set_name("problems").map_err(io_error)?;
            write_header(ws, &PROBLEM_COLUMNS, &self.header)?;
            self.problems = Some(Problems {
                row: 1,
                widths: PROBLEM_COLUMNS.iter().map(|c| c.len()).collect(),
                unlisted: 0,
            });
        }
        Ok(self.problems.as_mut().expect("made above"))
    }

    /// Adds a problem of the rejected record on `line` (its row for a
    /// sheet) to the `problems` sheet, made with the first problem.
    pub fn push_problem(&mut self, line: u64, problem: &Problem) -> io::Result<()> {
        let problems = self.problems_sheet()?;
        // The last row is kept for the count of those not listed.
        if problems.row >= MAX_TABLE_ROWS {
            problems.unlisted += 1;
            return Ok(());
        }
        let row = problems.row;
        problems.row += 1;
        let mut widths = std::mem::take(&mut problems.widths);
        let ws = self.book.worksheet_from_index(1).map_err(io_error)?;
        let (field, message) = (problem.field(), problem.message());
        let cells = [
            Cell::Whole(line as i64),
            Cell::Text(&field),
            Cell::Text(problem.found()),
            Cell::Text(&message),
        ];
        for (c, cell) in cells.into_iter().enumerate() {
            let w = write_cell(ws, row, c as u16, cell, &self.date, &mut self.text)?;
            widths[c] = widths[c].max(w);
        }
        self.problems.as_mut().expect("made above").widths = widths;
        Ok(())
    }

    /// Counts `n` problems not added (kept out by the caller's own cap): the
    /// problems sheet ends with a row saying how many there were.
    pub fn add_unlisted(&mut self, n: u64) -> io::Result<()> {
        if n > 0 {
            self.problems_sheet()?.unlisted += n;
        }
        Ok(())
    }

    /// Adds problems, each with its record's line.
    pub fn push_problems<'a>(
        &mut self,
        problems: impl IntoIterator<Item = &'a (u64, Problem)>,
    ) -> io::Result<()> {
        for (line, p) in problems {
            self.push_problem(*line, p)?;
        }
        Ok(())
    }

    /// Sets the column widths and writes the workbook to `out`.
    pub fn finish(mut self, out: impl Write + Send) -> io::Result<()> {
        let ws = self.book.worksheet_from_index(0).map_err(io_error)?;
        set_widths(ws, &self.widths)?;
        if let Some(problems) = &self.problems {
            let ws = self.book.worksheet_from_index(1).map_err(io_error)?;
            if problems.unlisted > 0 {
                let note = format!(
                    "… and {} more problems not listed here (an Excel sheet holds {} rows); --errors FILE.csv lists them all",
                    problems.unlisted,
                    crate::read::thousands(u64::from(MAX_SHEET_ROWS))
                );
                ws.write_string(problems.row, 3, note).map_err(io_error)?;
            }
            set_widths(ws, &problems.widths)?;
        }
        self.book.save_to_writer(out).map_err(io_error)
    }
}

fn add_sheet(book: &mut Workbook, streaming: bool) -> io::Result<&mut Worksheet> {
    if streaming {
        book.add_worksheet_with_constant_memory().map_err(io_error)
    } else {
        Ok(book.add_worksheet())
    }
}

fn write_header(ws: &mut Worksheet, columns: &[&str], format: &Format) -> io::Result<()> {
    for (c, name) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, format)
            .map_err(io_error)?;
    }
    ws.set_freeze_panes(1, 0).map_err(io_error)?;
    Ok(())
}

fn set_widths(ws: &mut Worksheet, widths: &[usize]) -> io::Result<()> {
    for (c, &w) in widths.iter().enumerate() {
        let w = w.clamp(MIN_WIDTH, MAX_WIDTH) + 2;
        ws.set_column_width(c as u16, w as f64).map_err(io_error)?;
    }
    Ok(())
}

/// Writes one cell; its width in characters as shown.
fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell<'_>,
    date: &Format,
    text: &mut Vec<u8>,
) -> io::Result<usize> {
    let number = |ws: &mut Worksheet, x: f64| -> io::Result<usize> {
        if !x.is_finite() {
            // Excel has no NaN or infinity: written as CSV writes it.
            let shown = x.to_string();
            ws.write_string(row, col, &shown).map_err(io_error)?;
            return Ok(shown.len());
        }
        ws.write_number(row, col, x).map_err(io_error)?;
        Ok(ryu::Buffer::new().format(x).len().min(12))
    };
    match cell {
        Cell::Null => Ok(0),
        Cell::Text(t) => write_text(ws, row, col, t),
        Cell::Date(d) => {
            let excel = u16::try_from(d.year())
                .ok()
                .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
            match excel {
                Some(excel) => {
                    ws.write_datetime_with_format(row, col, excel, date)
                        .map_err(io_error)?;
                    Ok(10)
                }
                // Before 1900, which Excel cannot show as a date: as text.
                None => write_text(ws, row, col, &d.to_string()),
            }
        }
        Cell::Int(n) => number(ws, f64::from(n)),
        Cell::Whole(n) => number(ws, n as f64),
        Cell::Number(x) => number(ws, x),
        Cell::Bool(b) => {
            ws.write_boolean(row, col, b).map_err(io_error)?;
            Ok(5)
        }
        Cell::Domains(_) => {
            text.clear();
            push_cell(text, cell);
            let t = String::from_utf8_lossy(text).into_owned();
            write_text(ws, row, col, &t)
        }
    }
}

/// A text cell, never a formula; cut to Excel's 32,767 characters.
fn write_text(ws: &mut Worksheet, row: u32, col: u16, t: &str) -> io::Result<usize> {
    let t = match t.char_indices().nth(MAX_CELL_CHARS) {
        Some((end, _)) => &t[..end],
        None => t,
    };
    ws.write_string(row, col, t).map_err(io_error)?;
    Ok(t.chars().count())
}

/// A JSON value's scalar fields as the cells of a table row.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonCell {
    /// `null`.
    Null,
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
}

impl JsonCell {
    /// As a table cell: a string that is an ISO date is a date.
    pub fn cell(&self) -> Cell<'_> {
        match self {
            JsonCell::Null => Cell::Null,
            JsonCell::Number(x) => Cell::Number(*x),
            JsonCell::Bool(b) => Cell::Bool(*b),
            JsonCell::Text(t) => match vsend_core::parse_date(t) {
                Some(d) if t.len() == 10 => Cell::Date(d),
                _ => Cell::Text(t),
            },
        }
    }
}

/// A JSON document (a cohort summary, a comparison) as a table: one row per
/// entry of its `rows` member (an object's entries get their key in the
/// first column, named `key_column`), each row's nested fields flattened to
/// dotted columns (`cl.mean_need`, `cl.histogram.0`), arrays of strings
/// joined with `;` as CSV writes domain sets, and the document's other
/// scalar members (`as_of`, `framework_id`) repeated on every row. The
/// columns named in `lead` come first, in that order, then the others in the
/// order first seen (JSON objects' keys sorted).
pub fn json_table(
    document: &Value,
    rows: &str,
    key_column: &str,
    lead: &[&str],
) -> (Vec<String>, Vec<Vec<JsonCell>>) {
    let mut columns: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut table: Vec<Vec<(usize, JsonCell)>> = Vec::new();
    let mut column = |name: String, columns: &mut Vec<String>| -> usize {
        *index.entry(name.clone()).or_insert_with(|| {
            columns.push(name);
            columns.len() - 1
        })
    };
    let mut common = Vec::new();
    if let Value::Object(top) = document {
        for (k, v) in top {
            if k != rows {
                flatten(k, v, &mut common);
            }
        }
    }
    let entries: Vec<(Option<&String>, &Value)> = match document.get(rows) {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (Some(k), v)).collect(),
        Some(Value::Array(items)) => items.iter().map(|v| (None, v)).collect(),
        _ => Vec::new(),
    };
    for (key, value) in entries {
        let mut cells = Vec::new();
        if let Some(key) = key {
            cells.push((
                column(key_column.to_owned(), &mut columns),
                JsonCell::Text(key.clone()),
            ));
        }
        let mut fields = Vec::new();
        flatten("", value, &mut fields);
        for (name, cell) in common.iter().cloned().chain(fields) {
            cells.push((column(name, &mut columns), cell));
        }
        table.push(cells);
    }
    // Column `c` goes to place `order[c]`: the lead columns first.
    let mut places: Vec<usize> = (0..columns.len()).collect();
    places.sort_by_key(|&c| {
        lead.iter()
            .position(|l| *l == columns[c])
            .unwrap_or(lead.len())
    });
    let mut order = vec![0; columns.len()];
    for (place, &c) in places.iter().enumerate() {
        order[c] = place;
    }
    let width = columns.len();
    let rows = table
        .into_iter()
        .map(|cells| {
            let mut row = vec![JsonCell::Null; width];
            for (c, cell) in cells {
                row[order[c]] = cell;
            }
            row
        })
        .collect();
    let columns = places.into_iter().map(|c| columns[c].clone()).collect();
    (columns, rows)
}

/// `value`'s scalars under `prefix`, dotted.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, JsonCell)>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Null => out.push((prefix.to_owned(), JsonCell::Null)),
        Value::Bool(b) => out.push((prefix.to_owned(), JsonCell::Bool(*b))),
        Value::Number(n) => out.push((
            prefix.to_owned(),
            n.as_f64().map_or(JsonCell::Null, JsonCell::Number),
        )),
        Value::String(s) => out.push((prefix.to_owned(), JsonCell::Text(s.clone()))),
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
            let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            out.push((prefix.to_owned(), JsonCell::Text(joined.join(";"))));
        }
        Value::Array(items) => {
            // A 5 × 5 matrix over the domains (need_correlation) is named by them.
            let by_domain = prefix.ends_with("correlation") && items.len() == Domain::ALL.len();
            for (i, v) in items.iter().enumerate() {
                let key = if by_domain {
                    Domain::ALL[i].key().to_owned()
                } else {
                    i.to_string()
                };
                let name = join(&key);
                match v {
                    Value::Array(inner) if by_domain && inner.len() == Domain::ALL.len() => {
                        for (j, x) in inner.iter().enumerate() {
                            flatten(&format!("{name}.{}", Domain::ALL[j].key()), x, out);
                        }
                    }
                    v => flatten(&name, v, out),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_documents_flatten_to_rows_and_dotted_columns() {
        let doc = json!({
            "as_of": "2025-07-17",
            "framework_id": "vsend-default",
            "groups": {
                "all": {"children": 3, "cl": {"mean_need": 1.5, "histogram": [0, 1]}, "priorities": ["cl", "semh"]},
                "setting_id=S1": {"children": 1, "cl": {"mean_need": null, "histogram": [1, 0]}, "priorities": []}
            }
        });
        let (columns, rows) = json_table(&doc, "groups", "group", &["group", "children"]);
        assert_eq!(
            columns,
            [
                "group",
                "children",
                "as_of",
                "framework_id",
                "cl.histogram.0",
                "cl.histogram.1",
                "cl.mean_need",
                "priorities"
            ]
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], JsonCell::Text("all".into()));
        assert!(matches!(rows[0][2].cell(), Cell::Date(_)));
        assert_eq!(rows[0][1], JsonCell::Number(3.0));
        assert_eq!(rows[0][7], JsonCell::Text("cl;semh".into()));
        assert_eq!(rows[1][6], JsonCell::Null);
        assert_eq!(rows[1][5], JsonCell::Number(0.0));
    }

    #[test]
    fn correlations_are_named_by_domain() {
        let matrix: Vec<Vec<f64>> = (0..5)
            .map(|i| (0..5).map(|j| (i * 5 + j) as f64).collect())
            .collect();
        let doc = json!({"rows": [{"need_correlation": matrix}]});
        let (columns, rows) = json_table(&doc, "rows", "", &[]);
        assert_eq!(columns[1], "need_correlation.cl.ci");
        assert_eq!(rows[0][1], JsonCell::Number(1.0));
        assert_eq!(columns[24], "need_correlation.ind.ind");
    }

    #[test]
    fn too_many_rows_is_refused() {
        let mut t = Table::new("t", &["a"]).unwrap();
        t.row = MAX_TABLE_ROWS;
        t.push(&[Cell::Int(1)]).unwrap();
        let e = t.push(&[Cell::Int(1)]).unwrap_err();
        assert!(e.get_ref().unwrap().is::<TooManyRows>());
        assert!(e.to_string().starts_with("more than 1,048,575 rows"), "{e}");
        assert_eq!(t.rows(), MAX_TABLE_ROWS);
    }
}
