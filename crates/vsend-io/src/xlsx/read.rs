//! One sheet of an `.xlsx` workbook read as cohort or plan records.
//!
//! A sheet is read like a CSV file: the first row holding anything is the
//! header (§10's columns, in any order), every later row holding anything is
//! a record, and rows left empty are skipped as blank lines are. Each record
//! is the row's cells as text, in header order, handed to the same parser and
//! validation as a CSV line ([`crate::read::RecordParser`]), so an Excel row
//! and the CSV line with the same text get the same problems. A record's
//! line is the row number Excel shows (1-based, counted from row 1 however
//! far down the table starts), and the input's name carries the sheet:
//! `cohort.xlsx [Sheet1]:8: column need.cl.numeracy: …`.
//!
//! How a cell becomes text:
//!
//! | cell | ID column (`child_id`, `setting_id`, `to_setting_id`) | date column | level column |
//! |---|---|---|---|
//! | text | as typed (leading zeros kept) | as typed (`2025-02-05` is read, `05/02/2025` is not a date) | as typed |
//! | number | a whole number 0 to 10^15 as its digits, noted once per column (see [`Notes`]); a fraction, a negative or a larger number rejects the row | its digits (not a date: rejected by the usual rule) | `2` and `2.0` are `2`; `2.5` is `2.5` (not a level) |
//! | a date (a number with a date format) | rejects the row (Excel turned an ID into a date) | `YYYY-MM-DD`; with a time of day it rejects the row | `YYYY-MM-DD` (not a level) |
//! | TRUE / FALSE | rejects the row | `TRUE` / `FALSE` (not a date) | `TRUE` / `FALSE` (not a level) |
//! | an error (`#N/A`, `#REF!`, …) | rejects the row | rejects the row | rejects the row |
//! | a formula | its saved result, as above; without one, rejects the row | | |
//!
//! A cell with a value outside the header's columns rejects its row, as a
//! CSV line with too many fields does. Header cells must be distinct names:
//! an empty header cell between two names is a file error, named as merged
//! cells when it is part of a merged range.
//!
//! The sheet is streamed: a thread parses the sheet's XML and hands rows
//! over in small batches, so memory follows the workbook's shared text,
//! not the number of rows.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use calamine::{
    DataRef, ExcelDateTime, ExcelDateTimeType, Reader as _, SheetType, SheetVisible, Xlsx,
};
use vsend_core::error::Found;
use vsend_core::Framework;

use super::{cell_address, column_letters};
use crate::problem::{Cause, Problem};
use crate::read::{FileError, Format, Record, Schema};

/// What a column holds, which decides how its cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// An ID (§3): text, never a date or a fraction.
    Id,
    /// A date (§3): a date cell is written `YYYY-MM-DD`.
    Date,
    /// A level (§2): a number cell is written as its number.
    Level,
}

/// Rows handed from the parsing thread at a time.
const BATCH: usize = 512;
/// Batches in flight between the parsing thread and the reader.
const IN_FLIGHT: usize = 4;
/// The largest whole number kept as an ID: Excel keeps 15 significant digits.
const MAX_NUMERIC_ID: f64 = 1e15;

/// A remark about the input that rejects no row: an ID column holding
/// numbers, whose leading zeros Excel has already dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The column the note is about.
    pub column: String,
    /// The whole remark, naming the input, the column, the first row and the fix.
    pub message: String,
}

/// The notes of one input, filled while it is read; a handle taken from
/// [`crate::read::Input::notes`] before reading sees them afterwards.
#[derive(Debug, Clone, Default)]
pub struct Notes(Arc<Mutex<Vec<Note>>>);

impl Notes {
    /// The notes so far, leaving none.
    pub fn take(&self) -> Vec<Note> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn push(&self, note: Note) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(note);
    }
}

/// What is wrong with a workbook or its sheet as a whole: the run stops
/// (exit code 2) with nothing written. Each names the file and says what to do.
#[derive(Debug)]
pub enum WorkbookError {
    /// A zero-byte file.
    Empty(String),
    /// Plain text: most likely a CSV file named `.xlsx`.
    Text(String),
    /// HTML or XML text (some systems export an HTML table as an Excel file).
    Markup(String),
    /// Neither a zip file nor text.
    NotZip {
        /// The file.
        path: String,
        /// Its first bytes, in hex.
        start: String,
    },
    /// An encrypted (password-protected) workbook: an OLE container, not a zip.
    Encrypted(String),
    /// An OLE container that is not encrypted: an Excel 97–2003 `.xls` (or
    /// another old Office file) named `.xlsx`.
    Legacy(String),
    /// A zip file that is not a workbook (a Word document, an OpenDocument
    /// spreadsheet): `missing` is the part a workbook must have.
    NotWorkbook {
        /// The file.
        path: String,
        /// The part not found.
        missing: String,
    },
    /// A damaged zip or workbook.
    Damaged {
        /// The file.
        path: String,
        /// What the reader found.
        detail: String,
    },
    /// A text or tag in a part of the workbook longer than
    /// [`MAX_XML_RUN_BYTES`]: no cohort cell is that long (Excel's own limit
    /// is 32,767 characters), and reading it would hold it in memory whole.
    TooLong {
        /// The file.
        path: String,
        /// The part of the workbook (e.g. `xl/worksheets/sheet1.xml`).
        part: String,
    },
    /// The sheet asked for is not in the workbook.
    NoSuchSheet {
        /// The file.
        path: String,
        /// The name asked for.
        sheet: String,
        /// The workbook's sheets, in order.
        sheets: Vec<String>,
    },
    /// The workbook has no worksheet (only chart sheets, or none).
    NoWorksheet(String),
    /// The sheet asked for is a chart, dialog or macro sheet.
    NotAWorksheet {
        /// The file.
        path: String,
        /// The sheet.
        sheet: String,
    },
    /// A sheet was asked for, but the input is not a workbook.
    SheetOfText {
        /// The file.
        path: String,
        /// The sheet asked for.
        sheet: String,
    },
    /// The sheet has no cell holding anything.
    EmptySheet(String),
    /// A header cell left empty between named ones.
    EmptyHeaderCell {
        /// The input's name (with the sheet).
        name: String,
        /// Its 1-based row.
        row: u32,
        /// The empty cell, e.g. `C1`.
        cell: String,
        /// The merged range it is part of, e.g. `B1:D1`.
        merged: Option<String>,
    },
    /// The sheet could not be read to its end.
    Stopped {
        /// The input's name (with the sheet).
        name: String,
        /// The last row read whole, if any.
        after_row: Option<u32>,
        /// What the reader found.
        detail: String,
    },
}

impl fmt::Display for WorkbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RESAVE: &str = "open it in Excel and save it again as Excel Workbook (.xlsx)";
        match self {
            WorkbookError::Empty(path) => write!(
                f,
                "{path}: the file is empty (0 bytes); this is not an Excel workbook"
            ),
            WorkbookError::Text(path) => write!(
                f,
                "{path}: this is not an Excel workbook but plain text; is it a CSV named .xlsx? Rename it to .csv, or {RESAVE}"
            ),
            WorkbookError::Markup(path) => write!(
                f,
                "{path}: this is not an Excel workbook but an HTML or XML file named .xlsx; {RESAVE}"
            ),
            WorkbookError::NotZip { path, start } => write!(
                f,
                "{path}: this is not an Excel workbook (an .xlsx file is a zip file, starting with the bytes 50 4B; this one starts with {start}); {RESAVE}"
            ),
            WorkbookError::Encrypted(path) => write!(
                f,
                "{path}: the workbook is password-protected (encrypted), so it cannot be read; in Excel remove the password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save, and try again"
            ),
            WorkbookError::Legacy(path) => write!(
                f,
                "{path}: this is an Excel 97-2003 workbook (.xls) or another old Office file, not an .xlsx; {RESAVE}"
            ),
            WorkbookError::NotWorkbook { path, missing } => write!(
                f,
                "{path}: a zip file but not an Excel workbook (it has no {missing}; is it a Word document or an OpenDocument spreadsheet?); {RESAVE}"
            ),
            WorkbookError::Damaged { path, detail } => write!(
                f,
                "{path}: the workbook is damaged or not an .xlsx file ({detail}); {RESAVE}"
            ),
            WorkbookError::TooLong { path, part } => write!(
                f,
                "{path}: {part} holds a cell or tag over {} bytes (1 MiB); allowed cells up to Excel's own 32,767 characters; the workbook was not read",
                MAX_XML_RUN_BYTES
            ),
            WorkbookError::NoSuchSheet {
                path,
                sheet,
                sheets,
            } => {
                let hint = sheets
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(sheet) || s.trim() == sheet.trim())
                    .map_or(String::new(), |s| format!(" (did you mean {s:?}?)"));
                write!(
                    f,
                    "{path}: no sheet named {sheet:?}{hint}; allowed one of the workbook's sheets: {}",
                    quoted_list(sheets)
                )
            }
            WorkbookError::NoWorksheet(path) => {
                write!(f, "{path}: the workbook has no worksheet of cells to read")
            }
            WorkbookError::NotAWorksheet { path, sheet } => write!(
                f,
                "{path}: sheet {sheet:?} is a chart (or macro) sheet, not a worksheet of cells; name a worksheet"
            ),
            WorkbookError::SheetOfText { path, sheet } => write!(
                f,
                "{path}: sheet {sheet:?} asked for, but this is not an .xlsx workbook; only a workbook has sheets"
            ),
            WorkbookError::EmptySheet(name) => {
                write!(f, "{name}:1: the sheet is empty; expected a header row")
            }
            WorkbookError::EmptyHeaderCell {
                name,
                row,
                cell,
                merged: Some(range),
            } => write!(
                f,
                "{name}:{row}: header cells {range} are merged, so {cell} has no column name; unmerge them and give each column its own header cell"
            ),
            WorkbookError::EmptyHeaderCell {
                name,
                row,
                cell,
                merged: None,
            } => write!(
                f,
                "{name}:{row}: header cell {cell} is empty; allowed a column name in every cell of the header, from its first to its last"
            ),
            WorkbookError::Stopped {
                name,
                after_row,
                detail,
            } => {
                let after = after_row.map_or(String::new(), |r| format!(" after row {r}"));
                write!(
                    f,
                    "{name}: the sheet could not be read{after} ({detail}); {RESAVE}"
                )
            }
        }
    }
}

impl std::error::Error for WorkbookError {}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `path` names an Excel workbook by its extension (`.xlsx`, any case).
pub fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// An opened workbook and the sheet to read.
pub struct Workbook {
    path: PathBuf,
    sheet: String,
    book: Xlsx<BufReader<File>>,
    is_1904: bool,
}

impl fmt::Debug for Workbook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workbook")
            .field("path", &self.path)
            .field("sheet", &self.sheet)
            .finish_non_exhaustive()
    }
}

/// `.xlsx` files start with a zip local header, or the end record of an empty zip.
fn is_zip(start: &[u8]) -> bool {
    start.starts_with(b"PK\x03\x04") || start.starts_with(b"PK\x05\x06")
}

/// The OLE compound file signature: encrypted workbooks and `.xls` files.
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What a file that is not a zip looks like, as an error.
fn not_zip(path: &str, start: &[u8]) -> WorkbookError {
    if start.is_empty() {
        return WorkbookError::Empty(path.into());
    }
    let text = match std::str::from_utf8(start) {
        Ok(t) => Some(t),
        // A multi-byte character cut at the end of the sample.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&start[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text {
        Some(t) if !t.contains('\0') => {
            let t = t.trim_start_matches('\u{feff}').trim_start();
            if t.starts_with('<') {
                WorkbookError::Markup(path.into())
            } else {
                WorkbookError::Text(path.into())
            }
        }
        _ => WorkbookError::NotZip {
            path: path.into(),
            start: start
                .iter()
                .take(4)
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" "),
        },
    }
}

/// The error of a workbook calamine could not open.
fn open_error(path: &str, e: calamine::XlsxError) -> WorkbookError {
    match e {
        calamine::XlsxError::Password => WorkbookError::Encrypted(path.into()),
        calamine::XlsxError::FileNotFound(part) => WorkbookError::NotWorkbook {
            path: path.into(),
            missing: part,
        },
        e => WorkbookError::Damaged {
            path: path.into(),
            detail: e.to_string(),
        },
    }
}

/// The longest text or tag read in a part of a workbook: the reader holds a
/// cell's text whole, so one cell of gigabytes (a small file, compressed)
/// would take that much memory. The same 1 MiB as a CSV line.
pub const MAX_XML_RUN_BYTES: usize = crate::read::MAX_LINE_BYTES;

/// Reads every part of the workbook once, through its decompressor, before
/// the reader sees it: a part whose checksum (CRC-32) does not match its
/// content is damaged (the reader does not check it, so a changed digit
/// would be read as data), and a text or tag longer than
/// [`MAX_XML_RUN_BYTES`] in an XML part is refused before anything holds it.
/// Memory stays at one buffer whatever the parts' sizes.
fn check_parts(path: &Path, shown: &str) -> Result<(), WorkbookError> {
    let damaged = |detail: String| WorkbookError::Damaged {
        path: shown.to_owned(),
        detail,
    };
    let file = File::open(path).map_err(|e| damaged(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| damaged(e.to_string()))?;
    let mut buffer = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| damaged(e.to_string()))?;
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        let xml = name.ends_with(".xml") || name.ends_with(".rels");
        // Bytes since the last `<` or `>`: the length of the text or tag being read.
        let mut run = 0usize;
        loop {
            let n = match part.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(damaged(format!("{name}: {e}"))),
            };
            if !xml {
                continue;
            }
            let chunk = &buffer[..n];
            let mut start = 0;
            for at in memchr::memchr2_iter(b'<', b'>', chunk) {
                if run + (at - start) > MAX_XML_RUN_BYTES {
                    break;
                }
                run = 0;
                start = at + 1;
            }
            run += n - start;
            if run > MAX_XML_RUN_BYTES {
                return Err(WorkbookError::TooLong {
                    path: shown.to_owned(),
                    part: name,
                });
            }
        }
    }
    Ok(())
}

impl Workbook {
    /// Opens the workbook at `path` and picks its sheet: `sheet`, or the
    /// first visible worksheet (hidden and chart sheets are skipped).
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<Workbook, FileError> {
        let shown = path.display().to_string();
        let fail = |e: WorkbookError| FileError::Workbook(Box::new(e));
        let io_error = |e| FileError::Io(shown.clone(), e);
        let mut start = Vec::with_capacity(512);
        File::open(path)
            .and_then(|f| f.take(512).read_to_end(&mut start))
            .map_err(io_error)?;
        if !is_zip(&start) {
            if start.starts_with(&OLE) {
                let file = File::open(path).map_err(io_error)?;
                return Err(fail(match Xlsx::new(BufReader::new(file)) {
                    Err(calamine::XlsxError::Password) => WorkbookError::Encrypted(shown.clone()),
                    _ => WorkbookError::Legacy(shown.clone()),
                }));
            }
            return Err(fail(not_zip(&shown, &start)));
        }
        check_parts(path, &shown).map_err(fail)?;
        let file = File::open(path).map_err(io_error)?;
        let book: Xlsx<_> =
            Xlsx::new(BufReader::new(file)).map_err(|e| fail(open_error(&shown, e)))?;
        let sheets = book.sheets_metadata();
        let sheet = match sheet {
            Some(name) => {
                let Some(found) = sheets.iter().find(|s| s.name == name) else {
                    return Err(fail(WorkbookError::NoSuchSheet {
                        path: shown,
                        sheet: name.into(),
                        sheets: sheets.iter().map(|s| s.name.clone()).collect(),
                    }));
                };
                if found.typ != SheetType::WorkSheet {
                    return Err(fail(WorkbookError::NotAWorksheet {
                        path: shown,
                        sheet: name.into(),
                    }));
                }
                found.name.clone()
            }
            None => {
                let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
                worksheets()
                    .find(|s| s.visible == SheetVisible::Visible)
                    .or_else(|| worksheets().next())
                    .ok_or_else(|| fail(WorkbookError::NoWorksheet(shown.clone())))?
                    .name
                    .clone()
            }
        };
        let is_1904 = book.has_1904_epoch();
        Ok(Workbook {
            path: path.into(),
            sheet,
            book,
            is_1904,
        })
    }

    /// The name problems are reported under: `cohort.xlsx [Sheet1]`.
    pub fn name(&self) -> String {
        format!("{} [{}]", self.path.display(), self.sheet)
    }

    /// The sheet read.
    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    /// Starts reading: the header row is read and resolved by schema `S`
    /// here, the rows after it by [`SheetRows::read`].
    pub(crate) fn start<S: Schema>(
        self,
        framework: &Framework,
        notes: Notes,
    ) -> Result<(SheetRows, S::Layout), FileError> {
        let name = self.name();
        let path = self.path.clone();
        let sheet = self.sheet.clone();
        let (tx, rx) = sync_channel(IN_FLIGHT);
        let Workbook { book, is_1904, .. } = self;
        let thread_sheet = sheet.clone();
        std::thread::Builder::new()
            .name("vsend-xlsx".into())
            .spawn(move || produce(book, &thread_sheet, is_1904, &tx))
            .map_err(|e| FileError::Io(name.clone(), e))?;
        let mut rows = SheetRows {
            name,
            rx,
            pending: Vec::new().into_iter(),
            finished: false,
            last_row: None,
            first: 0,
            kinds: Vec::new(),
            names: Vec::new(),
            numeric: Vec::new(),
            notes,
            text: String::new(),
        };
        let Some(header) = rows.next_raw()? else {
            return Err(FileError::Workbook(Box::new(WorkbookError::EmptySheet(
                rows.name,
            ))));
        };
        let first = header.cells.iter().map(|c| c.0).min().unwrap_or(0);
        let last = header.cells.iter().map(|c| c.0).max().unwrap_or(0);
        let mut names = vec![String::new(); (last - first + 1) as usize];
        for (column, raw) in &header.cells {
            names[(column - first) as usize] = raw.display();
        }
        if let Some(gap) = names.iter().position(String::is_empty) {
            let column = first + gap as u32;
            return Err(FileError::Workbook(Box::new(
                WorkbookError::EmptyHeaderCell {
                    merged: merged_range(&path, &sheet, header.row, column),
                    name: rows.name,
                    row: header.row + 1,
                    cell: cell_address(header.row, column),
                },
            )));
        }
        let line = u64::from(header.row) + 1;
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let layout = S::layout(framework, &refs)
            .map_err(|e| FileError::Header(rows.name.clone(), line, e))?;
        rows.first = first;
        rows.kinds = (0..names.len()).map(|i| S::cell_kind(&layout, i)).collect();
        rows.names = (0..names.len())
            .map(|i| S::column_name(&layout, framework, i))
            .collect();
        rows.numeric = vec![false; names.len()];
        Ok((rows, layout))
    }
}

/// The merged range of the sheet holding cell `(row, column)`, as `B1:D1`;
/// read only for a header with an empty cell (the sheet is read again for it).
fn merged_range(path: &Path, sheet: &str, row: u32, column: u32) -> Option<String> {
    let file = File::open(path).ok()?;
    let mut book: Xlsx<_> = Xlsx::new(BufReader::new(file)).ok()?;
    let regions = book.merge_cells_by_sheet_name(sheet).ok()?;
    let d = regions.iter().find(|d| {
        (d.start.0..=d.end.0).contains(&row) && (d.start.1..=d.end.1).contains(&column)
    })?;
    Some(format!(
        "{}:{}",
        cell_address(d.start.0, d.start.1),
        cell_address(d.end.0, d.end.1)
    ))
}

/// One cell's value as parsed, owned so that it can leave the parsing thread.
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A number with a date or time format: the serial, whether it is a
    /// duration format (`[h]:mm`), and the workbook's epoch.
    Date {
        serial: f64,
        duration: bool,
        is_1904: bool,
    },
    /// A date stored as ISO text (`t="d"` cells).
    DateIso(String),
    /// An error value (`#N/A`).
    Error(String),
    /// A formula whose result was never saved.
    NoValue,
}

impl Raw {
    /// The cell's value; `None` for an empty cell (or an empty text).
    fn of(value: DataRef<'_>, formula: bool, is_1904: bool) -> Option<Raw> {
        Some(match value {
            DataRef::Empty if formula => Raw::NoValue,
            DataRef::Empty => return None,
            DataRef::String(s) if s.is_empty() => return None,
            DataRef::String(s) => Raw::Text(s),
            DataRef::SharedString("") => return None,
            DataRef::SharedString(s) => Raw::Text(s.to_owned()),
            DataRef::Int(n) => Raw::Number(n as f64),
            DataRef::Float(x) => Raw::Number(x),
            DataRef::Bool(b) => Raw::Bool(b),
            DataRef::DateTime(d) => Raw::Date {
                serial: d.as_f64(),
                duration: d.is_duration(),
                is_1904,
            },
            DataRef::DateTimeIso(s) => Raw::DateIso(s),
            DataRef::DurationIso(s) => Raw::Text(s),
            DataRef::Error(e) => Raw::Error(e.to_string()),
        })
    }

    /// The text a header cell is taken as.
    fn display(&self) -> String {
        let mut out = String::new();
        match self {
            Raw::Text(s) | Raw::DateIso(s) | Raw::Error(s) => out.push_str(s),
            Raw::Number(x) => number_text(*x, &mut out),
            Raw::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Raw::Date {
                serial, is_1904, ..
            } => match excel_date(*serial, *is_1904) {
                Some((date, _)) => out.push_str(&date),
                None => number_text(*serial, &mut out),
            },
            Raw::NoValue => {}
        }
        out
    }
}

/// One row of the sheet: its 0-based number and its cells that hold
/// anything, as `(0-based column, value)`.
#[derive(Debug)]
struct RawRow {
    row: u32,
    cells: Vec<(u32, Raw)>,
}

/// What the parsing thread sends.
enum Msg {
    Rows(Vec<RawRow>),
    /// The sheet was read to its end.
    End,
    /// Reading failed: what calamine found.
    Failed(String),
}

/// The parsing thread: streams the sheet's rows to `tx`, then `End` or
/// `Failed`. Stops early, quietly, when the reader is dropped.
fn produce(mut book: Xlsx<BufReader<File>>, sheet: &str, is_1904: bool, tx: &SyncSender<Msg>) {
    let result = (|| -> Result<bool, calamine::XlsxError> {
        let mut cells = book.worksheet_cells_reader(sheet)?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut row: Option<RawRow> = None;
        while let Some(cell) = cells.next_cell_with_formula_metadata()? {
            let (r, c) = cell.pos;
            let Some(raw) = Raw::of(cell.value, cell.formula.is_some(), is_1904) else {
                continue;
            };
            match &mut row {
                Some(current) if current.row == r => current.cells.push((c, raw)),
                _ => {
                    let next = RawRow {
                        row: r,
                        cells: vec![(c, raw)],
                    };
                    if let Some(done) = row.replace(next) {
                        batch.push(done);
                        if batch.len() == BATCH
                            && tx.send(Msg::Rows(std::mem::take(&mut batch))).is_err()
                        {
                            return Ok(false);
                        }
                    }
                }
            }
        }
        batch.extend(row);
        Ok(batch.is_empty() || tx.send(Msg::Rows(batch)).is_ok())
    })();
    let _ = match result {
        Ok(true) => tx.send(Msg::End),
        Ok(false) => Ok(()),
        Err(e) => tx.send(Msg::Failed(e.to_string())),
    };
}

/// The rows of a sheet after its header, as records.
pub(crate) struct SheetRows {
    name: String,
    rx: Receiver<Msg>,
    pending: std::vec::IntoIter<RawRow>,
    finished: bool,
    /// The last row handed out (0-based), for messages.
    last_row: Option<u32>,
    /// The header's first column (0-based).
    first: u32,
    /// What each header column holds.
    kinds: Vec<CellKind>,
    /// Each header column's name.
    names: Vec<String>,
    /// Whether a number was already noted in each ID column.
    numeric: Vec<bool>,
    notes: Notes,
    /// Scratch for one cell's text.
    text: String,
}

impl fmt::Debug for SheetRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SheetRows")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SheetRows {
    /// The next row holding anything, from the parsing thread.
    fn next_raw(&mut self) -> Result<Option<RawRow>, FileError> {
        loop {
            if let Some(row) = self.pending.next() {
                self.last_row = Some(row.row);
                return Ok(Some(row));
            }
            if self.finished {
                return Ok(None);
            }
            let stopped = |detail: String| {
                FileError::Workbook(Box::new(WorkbookError::Stopped {
                    name: self.name.clone(),
                    after_row: self.last_row.map(|r| r + 1),
                    detail,
                }))
            };
            match self.rx.recv() {
                Ok(Msg::Rows(rows)) => self.pending = rows.into_iter(),
                Ok(Msg::End) => self.finished = true,
                Ok(Msg::Failed(detail)) => {
                    self.finished = true;
                    return Err(stopped(detail));
                }
                Err(_) => {
                    self.finished = true;
                    return Err(stopped("the reading thread stopped".into()));
                }
            }
        }
    }

    /// Reads the next row into `record` as cells in header order; `false`
    /// at the end of the sheet.
    pub(crate) fn read(&mut self, record: &mut Record) -> Result<bool, FileError> {
        let Some(mut raw) = self.next_raw()? else {
            return Ok(false);
        };
        record.start_split(u64::from(raw.row) + 1);
        if !raw.cells.is_sorted_by_key(|c| c.0) {
            raw.cells.sort_by_key(|c| c.0);
        }
        let width = self.names.len();
        let mut cells = raw.cells.iter().peekable();
        let mut outside: Option<(u32, &Raw)> = None;
        for i in 0..width {
            let column = self.first + i as u32;
            while let Some((c, value)) = cells.next_if(|(c, _)| *c < column) {
                outside.get_or_insert((*c, value));
            }
            self.text.clear();
            let value = cells.next_if(|(c, _)| *c == column).map(|(_, v)| v);
            if let Some(value) = value {
                if let Err(bad) = self.cell_text(i, value, raw.row) {
                    record.push_cell_problem(bad.problem(&self.names[i]));
                    self.text.clear();
                }
            }
            record.push_cell(&self.text);
        }
        if let Some((c, value)) = outside.or_else(|| cells.next().map(|(c, v)| (*c, v))) {
            let extra = raw
                .cells
                .iter()
                .filter(|(c, _)| *c < self.first || *c >= self.first + width as u32)
                .count();
            let cell = SheetCell::OutsideHeader {
                cell: cell_address(raw.row, c),
                found: Found::new(&value.display()),
                more: extra.saturating_sub(1),
                first: column_letters(self.first),
                last: column_letters(self.first + width as u32 - 1),
            };
            record.push_cell_problem(Problem::new(
                Format::Csv,
                Cause::Sheet { column: None, cell },
            ));
        }
        Ok(true)
    }

    /// Writes the text of cell `value` of header column `i` to `self.text`.
    fn cell_text(&mut self, i: usize, value: &Raw, row: u32) -> Result<(), Bad> {
        let kind = self.kinds[i];
        let out = &mut self.text;
        match value {
            Raw::Text(s) => out.push_str(s),
            Raw::Number(x) if kind == CellKind::Id => {
                id_number(*x, out)?;
                if !self.numeric[i] {
                    self.numeric[i] = true;
                    let column = &self.names[i];
                    self.notes.push(Note {
                        column: column.clone(),
                        message: format!(
                            "{}: column {column} holds numbers, not text (the first in row {}: {out}); they are read as whole numbers, but an ID typed as a number has lost any leading zeros (007 reads as 7): format the column as Text in Excel and type the IDs again",
                            self.name,
                            u64::from(row) + 1
                        ),
                    });
                }
            }
            Raw::Number(x) => number_text(*x, out),
            Raw::Bool(b) if kind == CellKind::Id => {
                return Err(Bad::NotId("a TRUE/FALSE value", upper(*b).into()))
            }
            Raw::Bool(b) => out.push_str(upper(*b)),
            Raw::Date {
                serial,
                duration: true,
                ..
            } => match kind {
                CellKind::Level => number_text(*serial, out),
                CellKind::Id | CellKind::Date => {
                    let mut shown = String::new();
                    number_text(*serial, &mut shown);
                    return Err(Bad::Duration(shown, kind));
                }
            },
            Raw::Date {
                serial, is_1904, ..
            } => {
                let Some((date, time)) = excel_date(*serial, *is_1904) else {
                    // Outside Excel's calendar (Excel shows #####): its number.
                    number_text(*serial, out);
                    return match kind {
                        CellKind::Id => Err(Bad::NotId("a date", out.clone())),
                        _ => Ok(()),
                    };
                };
                match (kind, time) {
                    (CellKind::Id, _) => return Err(Bad::NotId("a date", date)),
                    (CellKind::Date, Some(time)) => {
                        return Err(Bad::TimeOfDay(format!("{date} {time}")))
                    }
                    (_, None) => out.push_str(&date),
                    (CellKind::Level, Some(time)) => {
                        out.push_str(&date);
                        out.push(' ');
                        out.push_str(&time);
                    }
                }
            }
            Raw::DateIso(s) => {
                let (date, time) = split_iso(s);
                match (kind, time) {
                    (CellKind::Id, _) => return Err(Bad::NotId("a date", s.clone())),
                    (CellKind::Date, Some(_)) => return Err(Bad::TimeOfDay(s.replace('T', " "))),
                    (_, None) => out.push_str(date),
                    (CellKind::Level, Some(_)) => out.push_str(s),
                }
            }
            Raw::Error(e) => return Err(Bad::ErrorValue(e.clone())),
            Raw::NoValue => return Err(Bad::NoValue),
        }
        Ok(())
    }
}

fn upper(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

/// A worksheet cell that cannot be read as its column's text: a problem of
/// its row ([`Cause::Sheet`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetCell {
    /// In an ID column: what the cell is, and its value as shown.
    NotId(&'static str, Found),
    /// A date with a time of day in a date column, as shown.
    TimeOfDay(Found),
    /// A duration (`[h]:mm`) in an ID or date column: its number, and whether
    /// the column holds dates.
    Duration(Found, bool),
    /// An error value such as `#N/A`.
    ErrorValue(Found),
    /// A formula without a saved result.
    NoValue,
    /// A value outside the header's columns (`more`: further such cells of
    /// the row), from column `first` to `last`.
    OutsideHeader {
        /// Its address, e.g. `AB7`.
        cell: String,
        /// Its value as shown.
        found: Found,
        /// Further cells of the row outside the header's columns.
        more: usize,
        /// The header's first column letter.
        first: String,
        /// The header's last column letter.
        last: String,
    },
}

impl SheetCell {
    /// The value as shown in the sheet (shortened).
    pub fn found(&self) -> &str {
        match self {
            SheetCell::NotId(_, f)
            | SheetCell::TimeOfDay(f)
            | SheetCell::Duration(f, _)
            | SheetCell::ErrorValue(f)
            | SheetCell::OutsideHeader { found: f, .. } => f.as_str(),
            SheetCell::NoValue => "",
        }
    }
}

/// A cell that cannot be read as its column's text, as the reading finds it.
#[derive(Debug, Clone, PartialEq)]
enum Bad {
    /// In an ID column: what the cell is, and its value as shown.
    NotId(&'static str, String),
    /// A date with a time of day in a date column, as shown.
    TimeOfDay(String),
    /// A duration (`[h]:mm`) in an ID or date column: its number, and the column's kind.
    Duration(String, CellKind),
    /// An error value such as `#N/A`.
    ErrorValue(String),
    /// A formula without a saved result.
    NoValue,
}

impl Bad {
    /// The problem, in column `column`.
    fn problem(self, column: &str) -> Problem {
        let cell = match self {
            Bad::NotId(what, shown) => SheetCell::NotId(what, Found::new(&shown)),
            Bad::TimeOfDay(shown) => SheetCell::TimeOfDay(Found::new(&shown)),
            Bad::Duration(shown, kind) => {
                SheetCell::Duration(Found::new(&shown), kind == CellKind::Date)
            }
            Bad::ErrorValue(e) => SheetCell::ErrorValue(Found::new(&e)),
            Bad::NoValue => SheetCell::NoValue,
        };
        let column = Some(column.to_owned());
        Problem::new(Format::Csv, Cause::Sheet { column, cell })
    }
}

impl fmt::Display for SheetCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetCell::NotId(what, found) => write!(
                f,
                "{found} is {what}, not an ID; allowed text (format the column as Text in Excel and type the IDs again), or a whole number"
            ),
            SheetCell::TimeOfDay(found) => write!(
                f,
                "{found} is a date with a time of day; allowed a date alone (YYYY-MM-DD): format the cells as a date without a time, or take the day with =INT()"
            ),
            SheetCell::Duration(found, dates) => {
                let allowed = if *dates { "a date (YYYY-MM-DD)" } else { "an ID" };
                write!(f, "{found} is a time duration; allowed {allowed}")
            }
            SheetCell::ErrorValue(found) => write!(
                f,
                "the cell holds the Excel error {}; allowed a value: correct the formula, or type the value in",
                found.as_str()
            ),
            SheetCell::NoValue => f.write_str(
                "a formula with no saved result; allowed a value: open the workbook in Excel and save it, so that results are saved with their formulas (or paste the column as values)",
            ),
            SheetCell::OutsideHeader {
                cell,
                found,
                more,
                first,
                last,
            } => {
                let and_more = match more {
                    0 => String::new(),
                    n => format!(" (and {n} more cells)"),
                };
                write!(
                    f,
                    "cell {cell} holds {found}{and_more} outside the header's columns ({first} to {last}); allowed values only in columns with a header"
                )
            }
        }
    }
}

/// A number as a CSV cell would hold it: whole numbers without a point
/// (`2`, not `2.0`), others in their shortest exact form (`2.5`, `1e20`).
fn number_text(x: f64, out: &mut String) {
    if x.fract() == 0.0 && x.abs() < MAX_NUMERIC_ID {
        out.push_str(itoa::Buffer::new().format(x as i64));
    } else {
        out.push_str(ryu::Buffer::new().format(x));
    }
}

/// A number in an ID column: a whole number from 0 below 10^15 as its digits.
fn id_number(x: f64, out: &mut String) -> Result<(), Bad> {
    let mut shown = String::new();
    number_text(x, &mut shown);
    let what = if x.fract() != 0.0 {
        "a number with a fraction"
    } else if x < 0.0 {
        "a negative number"
    } else if x >= MAX_NUMERIC_ID {
        "a number too large to be an exact ID (Excel keeps 15 digits)"
    } else {
        out.push_str(&shown);
        return Ok(());
    };
    Err(Bad::NotId(what, shown))
}

/// An Excel date serial as `YYYY-MM-DD`, and its time of day when it has
/// one (to the millisecond, as Excel keeps it); `None` outside Excel's
/// calendar (before its epoch, after 9999-12-31).
fn excel_date(serial: f64, is_1904: bool) -> Option<(String, Option<String>)> {
    const DAY_MS: f64 = 86_400_000.0;
    if !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let ms = (serial * DAY_MS).round();
    let days = (ms / DAY_MS).floor();
    let ms = (ms - days * DAY_MS) as u64;
    let (y, m, d, ..) =
        ExcelDateTime::new(days, ExcelDateTimeType::DateTime, is_1904).to_ymd_hms_milli();
    let date = format!("{y:04}-{m:02}-{d:02}");
    let time = (ms != 0).then(|| {
        let (h, min, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        match (s, milli) {
            (0, 0) => format!("{h:02}:{min:02}"),
            (_, 0) => format!("{h:02}:{min:02}:{s:02}"),
            _ => format!("{h:02}:{min:02}:{s:02}.{milli:03}"),
        }
    });
    Some((date, time))
}

/// An ISO date-time's date, and whether it has a time of day other than midnight.
fn split_iso(s: &str) -> (&str, Option<&str>) {
    match s.split_once('T') {
        Some((date, time)) if time.trim_start_matches(['0', ':', '.']).is_empty() => (date, None),
        Some((date, time)) => (date, Some(time)),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(kind: CellKind, raw: Raw) -> Result<String, Bad> {
        let mut rows = SheetRows {
            name: "t.xlsx [S]".into(),
            rx: sync_channel(1).1,
            pending: Vec::new().into_iter(),
            finished: true,
            last_row: None,
            first: 0,
            kinds: vec![kind],
            names: vec!["col".into()],
            numeric: vec![false],
            notes: Notes::default(),
            text: String::new(),
        };
        rows.cell_text(0, &raw, 4)?;
        Ok(rows.text)
    }

    fn date(serial: f64) -> Raw {
        Raw::Date {
            serial,
            duration: false,
            is_1904: false,
        }
    }

    #[test]
    fn numbers_are_levels_as_written() {
        use CellKind::Level;
        assert_eq!(text(Level, Raw::Number(2.0)).unwrap(), "2");
        assert_eq!(text(Level, Raw::Number(2.5)).unwrap(), "2.5");
        assert_eq!(text(Level, Raw::Number(-1.0)).unwrap(), "-1");
        assert_eq!(text(Level, Raw::Number(1e20)).unwrap(), "1e20");
        assert_eq!(text(Level, Raw::Bool(true)).unwrap(), "TRUE");
        assert_eq!(text(Level, Raw::Text("03".into())).unwrap(), "03");
    }

    #[test]
    fn ids_are_text_or_whole_numbers_never_dates_or_fractions() {
        use CellKind::Id;
        assert_eq!(text(Id, Raw::Text("007".into())).unwrap(), "007");
        assert_eq!(text(Id, Raw::Number(10000011.0)).unwrap(), "10000011");
        assert_eq!(
            text(Id, Raw::Number(3.5)),
            Err(Bad::NotId("a number with a fraction", "3.5".into()))
        );
        assert!(
            matches!(text(Id, Raw::Number(1e20)), Err(Bad::NotId(w, s)) if w.contains("too large") && s == "1e20")
        );
        assert!(matches!(
            text(Id, Raw::Number(-4.0)),
            Err(Bad::NotId("a negative number", _))
        ));
        assert_eq!(
            text(Id, date(45693.0)),
            Err(Bad::NotId("a date", "2025-02-05".into()))
        );
        assert!(matches!(text(Id, Raw::Bool(false)), Err(Bad::NotId(..))));
    }

    #[test]
    fn a_numeric_id_column_is_noted_once_with_its_first_row() {
        let notes = Notes::default();
        let mut rows = SheetRows {
            name: "t.xlsx [S]".into(),
            rx: sync_channel(1).1,
            pending: Vec::new().into_iter(),
            finished: true,
            last_row: None,
            first: 0,
            kinds: vec![CellKind::Id],
            names: vec!["child_id".into()],
            numeric: vec![false],
            notes: notes.clone(),
            text: String::new(),
        };
        rows.cell_text(0, &Raw::Number(7.0), 4).unwrap();
        rows.cell_text(0, &Raw::Number(8.0), 5).unwrap();
        let taken = notes.take();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].column, "child_id");
        assert!(
            taken[0].message.starts_with(
                "t.xlsx [S]: column child_id holds numbers, not text (the first in row 5: 7)"
            ),
            "{}",
            taken[0].message
        );
        assert!(taken[0].message.contains("leading zeros"));
    }

    #[test]
    fn dates_are_iso_and_a_time_of_day_rejects_the_row() {
        use CellKind::{Date, Level};
        assert_eq!(text(Date, date(45693.0)).unwrap(), "2025-02-05");
        assert_eq!(
            text(Date, date(45693.5)),
            Err(Bad::TimeOfDay("2025-02-05 12:00".into()))
        );
        // A float a hair off midnight is midnight: Excel keeps milliseconds.
        assert_eq!(text(Date, date(45693.0 + 1e-10)).unwrap(), "2025-02-05");
        assert_eq!(
            text(
                Date,
                Raw::Date {
                    serial: 0.0,
                    duration: false,
                    is_1904: true
                }
            )
            .unwrap(),
            "1904-01-01"
        );
        assert_eq!(text(Date, date(61.0)).unwrap(), "1900-03-01");
        // Excel's 29 February 1900 is no date: the usual rule rejects it.
        assert_eq!(text(Date, date(60.0)).unwrap(), "1900-02-29");
        assert_eq!(text(Date, date(-3.0)).unwrap(), "-3");
        assert_eq!(text(Date, Raw::Number(45693.0)).unwrap(), "45693");
        assert_eq!(
            text(Date, Raw::Text("2025-02-05".into())).unwrap(),
            "2025-02-05"
        );
        assert_eq!(
            text(Date, Raw::DateIso("2025-02-05T00:00:00".into())).unwrap(),
            "2025-02-05"
        );
        assert_eq!(
            text(Date, Raw::DateIso("2025-02-05T09:30:00".into())),
            Err(Bad::TimeOfDay("2025-02-05 09:30:00".into()))
        );
        assert_eq!(text(Level, date(45693.25)).unwrap(), "2025-02-05 06:00");
    }

    #[test]
    fn errors_and_formulas_without_results_reject_the_row() {
        assert_eq!(
            text(CellKind::Level, Raw::Error("#N/A".into())),
            Err(Bad::ErrorValue("#N/A".into()))
        );
        assert_eq!(text(CellKind::Date, Raw::NoValue), Err(Bad::NoValue));
        let p = Bad::NoValue.problem("need.cl.literacy");
        assert!(matches!(
            p.cause,
            Cause::Sheet {
                cell: SheetCell::NoValue,
                ..
            }
        ));
        assert!(p
            .message()
            .starts_with("column need.cl.literacy: a formula with no saved result"));
        let p = Bad::ErrorValue("#REF!".into()).problem("readiness.cl");
        assert_eq!(p.found(), "#REF!");
        assert!(
            p.message().contains("the Excel error #REF!"),
            "{}",
            p.message()
        );
    }

    #[test]
    fn what_a_file_that_is_no_zip_looks_like() {
        assert!(matches!(not_zip("f", b""), WorkbookError::Empty(_)));
        assert!(matches!(
            not_zip("f", b"child_id,assessed_on\n"),
            WorkbookError::Text(_)
        ));
        assert!(matches!(
            not_zip("f", "\u{feff}<html><table>".as_bytes()),
            WorkbookError::Markup(_)
        ));
        let WorkbookError::NotZip { start, .. } = not_zip("f", &[0x00, 0xFF, 0x10, 0x20, 0x30])
        else {
            panic!()
        };
        assert_eq!(start, "00 FF 10 20");
        // A multi-byte character cut by the sample is still text.
        assert!(matches!(
            not_zip("f", &"é".as_bytes()[..1]),
            WorkbookError::Text(_)
        ));
    }
}
