//! Reading cohort files (§10): CSV or JSON Lines in, one [`Row`] per record out.
//! An Excel sheet (`.xlsx`) is read by [`crate::xlsx::read`] into the same
//! records as a CSV line, each row numbered as Excel shows it.
//!
//! Both formats are read one physical line at a time, whatever the line ends
//! (LF, CRLF, a lone CR, or a mix), so that every problem names the line it is
//! really on. No cell can hold a line break (§10): a CSV line is split into its
//! cells here, and a quote left open at the end of a line is an error of that
//! line only. A line is at most [`MAX_LINE_BYTES`] long; a longer one is
//! skipped without being held in memory.
//!
//! Every record becomes either an accepted assessment or a rejected row with
//! its problems, so `rows read = accepted + rejected` holds by construction.
//! Blank lines are counted as lines but are not records. Only problems with
//! the file as a whole (unreadable, bad header) are errors.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use std::path::{Path, PathBuf};

use vsend_core::{Assessment, ColumnLayout, Framework, HeaderErrors, ValidationErrors};

use crate::problem::{problems_of, with_unreadable};
pub use crate::problem::{Cause, Problem};

use crate::xlsx::read::{is_xlsx, CellKind, Notes, SheetRows, Workbook, WorkbookError};

/// The longest line read, in bytes without its line end: a longer data line
/// is a rejected row, a longer header line a file error.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Reused line buffers bigger than this are given back once a line needs
/// far less, so that one wide line does not keep its memory for the whole run.
const KEEP_CAPACITY: usize = 64 << 10;

/// Bytes read from the input at a time.
const READ_BUFFER: usize = 64 << 10;

pub use vsend_core::Format;

/// The input format of `path` by its extension: `.csv`, or `.jsonl` / `.ndjson`.
pub fn format_of(path: &Path) -> Option<Format> {
    Format::from_extension(path.extension()?.to_str()?)
}

/// What is wrong with a header that is not comma-separated cohort CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderHint {
    /// One column holding `;` separators (European Excel).
    Semicolons,
    /// One column holding tabs.
    Tabs,
    /// The first line is a JSON object.
    Json,
    /// The file is UTF-16 ("Unicode Text" from Excel, Notepad's "Unicode").
    Utf16,
}

/// A UTF-16 byte order mark, or text where every other byte is NUL (ASCII
/// column names in UTF-16 without a mark).
fn looks_like_utf16(text: &[u8]) -> bool {
    if text.starts_with(&[0xFF, 0xFE]) || text.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let nuls = text.iter().filter(|&&b| b == 0).count();
    text.len() >= 4 && nuls * 3 >= text.len()
}

/// How a quoted cell went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteError {
    /// A quote opened and not closed before the end of the line.
    Open,
    /// Text between a closing quote and the next comma.
    TextAfter,
}

impl QuoteError {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            QuoteError::Open => "a quote opened here is not closed before the end of the line; a cell cannot span lines",
            QuoteError::TextAfter => "text follows the closing quote; a quoted cell ends at its closing quote (write \"\" for a quote inside it)",
        }
    }
}

/// A problem with the input as a whole: exit code 2.
#[derive(Debug)]
pub enum FileError {
    /// The path does not exist.
    NotFound(PathBuf),
    /// The path is a directory.
    IsDirectory(PathBuf),
    /// The extension is neither `.csv`, `.jsonl` nor `.xlsx`.
    UnknownFormat(PathBuf),
    /// An `.xlsx` input that cannot be read: not a workbook, encrypted,
    /// damaged, no such sheet, an empty sheet or header cell (boxed: rare and large).
    Workbook(Box<WorkbookError>),
    /// Reading failed.
    Io(String, io::Error),
    /// The file has no header row.
    Empty(String),
    /// A JSON Lines file with no record: empty, or only blank lines (as a CSV
    /// file with no header row is [`FileError::Empty`]).
    EmptyJsonl(String),
    /// The header row is not UTF-8.
    HeaderNotUtf8 {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
        /// 1-based column of the bad header.
        column: usize,
        /// 0-based byte offset within that header cell.
        byte: usize,
    },
    /// The header line is longer than [`MAX_LINE_BYTES`].
    HeaderTooLong {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
    },
    /// A quoted header cell is broken.
    HeaderQuote {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
        /// 1-based column where the quote opened.
        column: usize,
        /// What is wrong.
        error: QuoteError,
    },
    /// The header is not comma-separated cohort CSV at all.
    HeaderHint {
        /// The input's name.
        name: String,
        /// The header's physical line.
        line: u64,
        /// What it looks like instead.
        hint: HeaderHint,
    },
    /// Missing, unknown or repeated columns: the input's name, the header's
    /// physical line and the problems.
    Header(String, u64, vsend_core::HeaderErrors),
    /// The framework file could not be used.
    Framework(String, String),
}

impl FileError {
    /// A framework that could not be loaded, one problem per line of the message.
    pub fn framework(name: &str, error: &vsend_core::FrameworkError) -> FileError {
        let text = match error {
            vsend_core::FrameworkError::Invalid(problems) => problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.to_string(),
        };
        FileError::Framework(name.into(), text)
    }

    /// Each problem of the error as a line of its own, in the order to show
    /// them: a missing column first, as the likeliest mistake.
    pub fn lines(&self) -> Vec<String> {
        match self {
            FileError::Header(name, line, errors) => {
                let mut sorted: Vec<&vsend_core::HeaderError> = errors.0.iter().collect();
                sorted.sort_by_key(|e| !matches!(e, vsend_core::HeaderError::Missing(_)));
                sorted
                    .iter()
                    .map(|e| format!("{name}:{line}: {e}"))
                    .collect()
            }
            FileError::Framework(name, text) => text
                .lines()
                .map(|l| format!("{name}: bad framework: {l}"))
                .collect(),
            other => vec![other.to_string()],
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound(p) => write!(f, "{}: no such file", p.display()),
            FileError::IsDirectory(p) => {
                write!(f, "{}: is a directory; expected a .csv, .jsonl or .xlsx file", p.display())
            }
            FileError::UnknownFormat(p) => write!(
                f,
                "{}: unknown input format; allowed extensions .csv, .jsonl, .xlsx (or - for CSV on stdin)",
                p.display()
            ),
            FileError::Io(name, e) => write!(f, "{name}: {e}"),
            FileError::Workbook(e) => e.fmt(f),
            FileError::Empty(name) => write!(f, "{name}:1: the file is empty; expected a header row"),
            FileError::EmptyJsonl(name) => write!(
                f,
                "{name}:1: the file is empty (no line holds a record); expected one JSON object per line"
            ),
            FileError::HeaderNotUtf8 {
                name,
                line,
                column,
                byte,
            } => write!(
                f,
                "{name}:{line}: header column {column} is not valid UTF-8 (byte {byte} of the cell); save the file as UTF-8"
            ),
            FileError::HeaderTooLong { name, line } => write!(
                f,
                "{name}:{line}: the header line is longer than 1 MiB (no line end in its first {} bytes, the most allowed per line); is this a cohort CSV file?",
                thousands(MAX_LINE_BYTES as u64)
            ),
            FileError::HeaderQuote {
                name,
                line,
                column,
                error,
            } => write!(f, "{name}:{line}: header column {column}: {}", error.describe()),
            FileError::HeaderHint { name, line, hint } => match hint {
                HeaderHint::Semicolons => write!(
                    f,
                    "{name}:{line}: the header is one column holding ';' separators; vsend reads comma-separated CSV: save as \"CSV (comma delimited)\""
                ),
                HeaderHint::Tabs => write!(
                    f,
                    "{name}:{line}: the header is one column holding tabs; vsend reads comma-separated CSV: save as \"CSV (comma delimited)\""
                ),
                HeaderHint::Json => write!(
                    f,
                    "{name}:{line}: the first line is a JSON object, not a CSV header; a JSON Lines file must be named .jsonl"
                ),
                HeaderHint::Utf16 => write!(
                    f,
                    "{name}:{line}: the file is UTF-16 text (Excel's \"Unicode Text\", Notepad's \"Unicode\"), not UTF-8; save it as \"CSV UTF-8 (comma delimited)\""
                ),
            },
            FileError::Header(..) | FileError::Framework(..) => f.write_str(&self.lines().join("\n")),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FileError::Io(_, e) => Some(e),
            _ => None,
        }
    }
}

/// `1048576` as `1,048,576`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What one record of the input gave.
// Accepted rows are the common case and are moved once: boxing the assessment
// would put an allocation back on the hot path that inline IDs took out.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Row<T = Assessment> {
    /// A valid record: an assessment, or a transition plan.
    Accepted {
        /// 1-based physical line of the record.
        line: u64,
        /// What the record holds.
        value: T,
    },
    /// A rejected record and every problem found in it.
    Rejected {
        /// 1-based physical line of the record.
        line: u64,
        /// The problems (at least one).
        problems: Vec<Problem>,
    },
}

/// What a file's records are (§10, §11): how a CSV header resolves, and how a
/// row's cells or a JSON line become a value. The reading itself (physical
/// lines, quotes, limits, problems) is the same for every schema.
pub trait Schema {
    /// What an accepted record becomes.
    type Value: Send;
    /// A CSV header, resolved once.
    type Layout: Send + Sync + fmt::Debug;
    /// Resolves a CSV header row.
    fn layout(framework: &Framework, names: &[&str]) -> Result<Self::Layout, HeaderErrors>;
    /// Whether `name` is a column of this schema (for the header hints).
    fn knows_column(framework: &Framework, name: &str) -> bool;
    /// The number of columns in the header.
    fn width(layout: &Self::Layout) -> usize;
    /// The header name of column `index`.
    fn column_name(layout: &Self::Layout, framework: &Framework, index: usize) -> String;
    /// Validates one CSV row's cells, in header order.
    fn from_cells<'a>(
        layout: &Self::Layout,
        framework: &Framework,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<Self::Value, ValidationErrors>;
    /// Validates one JSON Lines record.
    fn from_json(framework: &Framework, line: &[u8]) -> Result<Self::Value, ValidationErrors>;
    /// What column `index` holds, for reading an Excel cell as text.
    fn cell_kind(layout: &Self::Layout, index: usize) -> CellKind;
    /// The value of a plain CSV line read in one pass, or `None` to read it
    /// in full (split, checked, every problem named): never a verdict.
    fn from_plain_line(
        _layout: &Self::Layout,
        _framework: &Framework,
        _line: &[u8],
    ) -> Option<Self::Value> {
        None
    }
}

/// Cohort files: one assessment per record (§3, §10).
#[derive(Debug, Clone, Copy)]
pub struct Assessments;

impl Schema for Assessments {
    type Value = Assessment;
    type Layout = ColumnLayout;
    fn layout(framework: &Framework, names: &[&str]) -> Result<ColumnLayout, HeaderErrors> {
        ColumnLayout::new(framework, names.iter().copied())
    }
    fn knows_column(framework: &Framework, name: &str) -> bool {
        vsend_core::Column::parse(framework, name).is_some()
    }
    fn width(layout: &ColumnLayout) -> usize {
        layout.columns().len()
    }
    fn column_name(layout: &ColumnLayout, framework: &Framework, index: usize) -> String {
        layout
            .columns()
            .get(index)
            .map_or_else(|| (index + 1).to_string(), |c| c.name(framework))
    }
    fn from_cells<'a>(
        layout: &ColumnLayout,
        framework: &Framework,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<Assessment, ValidationErrors> {
        layout.assessment(framework, cells)
    }
    fn from_json(framework: &Framework, line: &[u8]) -> Result<Assessment, ValidationErrors> {
        vsend_core::parse_json_line(framework, line)
    }
    fn cell_kind(layout: &ColumnLayout, index: usize) -> CellKind {
        use vsend_core::Column;
        match layout.columns().get(index) {
            Some(Column::ChildId | Column::SettingId) => CellKind::Id,
            Some(Column::AssessedOn | Column::DateOfBirth) => CellKind::Date,
            _ => CellKind::Level,
        }
    }
    fn from_plain_line(
        layout: &ColumnLayout,
        framework: &Framework,
        line: &[u8],
    ) -> Option<Assessment> {
        layout.plain_assessment(framework, line)
    }
}

/// Transition plan files: one plan per record (§11).
#[derive(Debug, Clone, Copy)]
pub struct Plans;

impl Schema for Plans {
    type Value = vsend_core::Plan;
    type Layout = vsend_core::PlanLayout;
    fn layout(_: &Framework, names: &[&str]) -> Result<Self::Layout, HeaderErrors> {
        vsend_core::PlanLayout::new(names.iter().copied())
    }
    fn knows_column(_: &Framework, name: &str) -> bool {
        vsend_core::PlanColumn::parse(name).is_some()
    }
    fn width(layout: &Self::Layout) -> usize {
        layout.columns().len()
    }
    fn column_name(layout: &Self::Layout, _: &Framework, index: usize) -> String {
        layout
            .columns()
            .get(index)
            .map_or_else(|| (index + 1).to_string(), |c| c.name())
    }
    fn from_cells<'a>(
        layout: &Self::Layout,
        framework: &Framework,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<Self::Value, ValidationErrors> {
        layout.plan(framework, cells)
    }
    fn from_json(framework: &Framework, line: &[u8]) -> Result<Self::Value, ValidationErrors> {
        vsend_core::parse_plan_line(framework, line)
    }
    fn cell_kind(layout: &Self::Layout, index: usize) -> CellKind {
        use vsend_core::PlanColumn;
        match layout.columns().get(index) {
            Some(PlanColumn::ChildId | PlanColumn::ToSettingId) => CellKind::Id,
            Some(PlanColumn::MoveOn) => CellKind::Date,
            _ => CellKind::Level,
        }
    }
}

/// An open input: its display name, size (for progress) and reader.
pub struct Input {
    /// The name used in messages (`cohort.csv`, `<stdin>`, or `cohort.xlsx [Sheet1]`).
    pub name: String,
    /// The size in bytes, when known (not for a workbook, whose bytes are compressed).
    pub len: Option<u64>,
    /// The format, which also decides how problems name fields (§9): an Excel
    /// sheet's records are CSV's (columns by header name).
    pub format: Format,
    source: Source,
    notes: Notes,
}

/// Where an input's records come from.
enum Source {
    /// CSV or JSON Lines text.
    Text(Box<dyn Read + Send>),
    /// A sheet of an Excel workbook, or why it cannot be read: a workbook
    /// that cannot be used fails when reading starts, as a bad CSV header
    /// does, so that a run reports it as it reports those.
    Sheet(Result<Box<Workbook>, FileError>),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .field("len", &self.len)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Input {
    /// Opens `path` (`-` is CSV on stdin), checking it is a readable file of a
    /// known format; an `.xlsx` workbook is read from its first visible worksheet.
    pub fn open(path: &Path) -> Result<Input, FileError> {
        Input::open_sheet(path, None)
    }

    /// Opens `path` as [`Input::open`] does, reading sheet `sheet` of an
    /// `.xlsx` workbook when given (naming a sheet of any other input is an error).
    pub fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<Input, FileError> {
        let sheet_of_text = |sheet: &str| {
            FileError::Workbook(Box::new(WorkbookError::SheetOfText {
                path: path.display().to_string(),
                sheet: sheet.into(),
            }))
        };
        if path == Path::new("-") {
            if let Some(sheet) = sheet {
                return Err(sheet_of_text(sheet));
            }
            return Ok(Input {
                name: "<stdin>".into(),
                len: None,
                format: Format::Csv,
                source: Source::Text(Box::new(io::stdin())),
                notes: Notes::default(),
            });
        }
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => FileError::NotFound(path.into()),
            _ => FileError::Io(path.display().to_string(), e),
        })?;
        if meta.is_dir() {
            return Err(FileError::IsDirectory(path.into()));
        }
        if is_xlsx(path) {
            let book = Workbook::open(path, sheet).map(Box::new);
            return Ok(Input {
                name: book
                    .as_ref()
                    .map_or_else(|_| path.display().to_string(), |b| b.name()),
                len: None,
                format: Format::Csv,
                source: Source::Sheet(book),
                notes: Notes::default(),
            });
        }
        let format = format_of(path).ok_or_else(|| FileError::UnknownFormat(path.into()))?;
        if let Some(sheet) = sheet {
            return Err(sheet_of_text(sheet));
        }
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| FileError::Io(name.clone(), e))?;
        Ok(Input {
            name,
            len: Some(meta.len()),
            format,
            source: Source::Text(Box::new(file)),
            notes: Notes::default(),
        })
    }

    /// A handle on the input's notes (an Excel ID column holding numbers),
    /// filled as it is read: take it before reading, look at it after.
    pub fn notes(&self) -> Notes {
        self.notes.clone()
    }

    /// Whether the input is a sheet of an Excel workbook.
    pub fn is_workbook(&self) -> bool {
        matches!(self.source, Source::Sheet(_))
    }

    /// Wraps any reader, for tests and embedding.
    pub fn from_reader(name: &str, format: Format, reader: impl Read + Send + 'static) -> Input {
        Input {
            name: name.into(),
            len: None,
            format,
            source: Source::Text(Box::new(reader)),
            notes: Notes::default(),
        }
    }

    /// Starts reading a cohort file: reads and checks the CSV header against
    /// `framework` and returns the record reader and the parser for its records.
    pub fn open_records(
        self,
        framework: &Framework,
    ) -> Result<(Reader, RecordParser<'_>), FileError> {
        self.open_as::<Assessments>(framework)
    }

    /// Starts reading records of schema `S` (cohort assessments, or plans).
    pub fn open_as<S: Schema>(
        self,
        framework: &Framework,
    ) -> Result<(Reader, RecordParser<'_, S>), FileError> {
        let reader = match self.source {
            Source::Text(reader) => reader,
            Source::Sheet(book) => {
                let (rows, layout) = book?.start::<S>(framework, self.notes)?;
                let reader = Reader {
                    name: self.name,
                    lines: Lines::Sheet(Box::new(rows)),
                    pending: None,
                };
                let layout = Some(layout);
                return Ok((reader, RecordParser { framework, layout }));
            }
        };
        let mut reader = Reader {
            name: self.name,
            lines: Lines::Text(LineReader::new(reader)),
            pending: None,
        };
        let Lines::Text(lines) = &mut reader.lines else {
            unreachable!("a sheet was started above")
        };
        let layout = match self.format {
            Format::Csv => Some(read_header::<S>(framework, &reader.name, lines)?),
            Format::Jsonl => {
                // The first record is read now, so that a file with none is a
                // file error before any work, as a CSV file with no header is.
                let mut first = Record::default();
                if !reader.read(&mut first)? {
                    return Err(FileError::EmptyJsonl(reader.name));
                }
                reader.pending = Some(first);
                None
            }
        };
        Ok((reader, RecordParser { framework, layout }))
    }

    /// Starts reading assessments against `framework`, one [`Row`] at a time.
    pub fn rows(self, framework: &Framework) -> Result<Rows<'_>, FileError> {
        self.rows_as::<Assessments>(framework)
    }

    /// Starts reading records of schema `S`, one [`Row`] at a time.
    pub fn rows_as<S: Schema>(self, framework: &Framework) -> Result<Rows<'_, S>, FileError> {
        let (reader, parser) = self.open_as::<S>(framework)?;
        Ok(Rows {
            reader,
            parser,
            record: Record::default(),
        })
    }
}

/// Reads the header: the first line that is not blank.
fn read_header<S: Schema>(
    framework: &Framework,
    name: &str,
    lines: &mut LineReader,
) -> Result<S::Layout, FileError> {
    let io_error = |e| FileError::Io(name.into(), e);
    let mut text = Vec::new();
    let line = loop {
        match lines.next_line(&mut text).map_err(io_error)? {
            Next::Eof => return Err(FileError::Empty(name.into())),
            // Not skipped: a header that never ends (`/dev/zero`) would be read for ever.
            Next::TooLong => {
                return Err(FileError::HeaderTooLong {
                    name: name.into(),
                    line: lines.line() + 1,
                })
            }
            Next::Line if text.trim_ascii().is_empty() => continue,
            Next::Line => break lines.line(),
        }
    };
    let hint = |hint| FileError::HeaderHint {
        name: name.into(),
        line,
        hint,
    };
    if text.trim_ascii_start().starts_with(b"{") {
        return Err(hint(HeaderHint::Json));
    }
    if looks_like_utf16(&text) {
        return Err(hint(HeaderHint::Utf16));
    }
    let (mut cells, mut spans) = (Vec::new(), Vec::new());
    let cells = split_fields(&text, &mut cells, &mut spans).map_err(|(column, error)| {
        FileError::HeaderQuote {
            name: name.into(),
            line,
            column: column + 1,
            error,
        }
    })?;
    // One column that splits at another separator into known column names.
    if spans.len() == 1 {
        for (separator, found) in [(b';', HeaderHint::Semicolons), (b'\t', HeaderHint::Tabs)] {
            let known = |name: &[u8]| {
                let name = String::from_utf8_lossy(name);
                let name = name.trim_matches([' ', '"']);
                S::knows_column(framework, name)
            };
            if cells
                .split(|&b| b == separator)
                .filter(|n| known(n))
                .nth(1)
                .is_some()
            {
                return Err(hint(found));
            }
        }
    }
    let mut names = Vec::with_capacity(spans.len());
    for (i, cell) in cells_of(cells, &spans).enumerate() {
        let cell = std::str::from_utf8(cell).map_err(|e| FileError::HeaderNotUtf8 {
            name: name.into(),
            line,
            column: i + 1,
            byte: e.valid_up_to(),
        })?;
        names.push(cell);
    }
    S::layout(framework, &names).map_err(|e| FileError::Header(name.into(), line, e))
}

/// The cells of a split line, in order.
fn cells_of<'a>(buffer: &'a [u8], spans: &'a [(u32, u32)]) -> impl Iterator<Item = &'a [u8]> + 'a {
    spans
        .iter()
        .map(move |&(start, end)| &buffer[start as usize..end as usize])
}

/// Splits one CSV line (at most [`MAX_LINE_BYTES`], so offsets fit `u32`) into
/// its cells: `spans` gets the start and end of each
/// in the buffer returned, the line itself or, when quotes had to be undone,
/// `cells`, where the cells are written one after another.
///
/// Cells are separated by commas. A cell starting with `"` (after any spaces)
/// is quoted up to the closing `"`, with `""` for a quote inside it; spaces
/// around the quotes are dropped, anything else after the closing quote is an
/// error. A quote inside an unquoted cell is kept as it is. Errors give the
/// 0-based column where the quote opened.
fn split_fields<'a>(
    line: &'a [u8],
    cells: &'a mut Vec<u8>,
    spans: &mut Vec<(u32, u32)>,
) -> Result<&'a [u8], (usize, QuoteError)> {
    spans.clear();
    // Most lines have no quotes: their cells are slices of the line.
    if memchr::memchr(b'"', line).is_none() {
        let mut start = 0;
        for comma in memchr::memchr_iter(b',', line) {
            spans.push((start, comma as u32));
            start = comma as u32 + 1;
        }
        spans.push((start, line.len() as u32));
        return Ok(line);
    }
    split_quoted(line, cells, spans)?;
    Ok(cells)
}

/// [`split_fields`] for a line with quotes, copying each cell into `cells`.
fn split_quoted(
    line: &[u8],
    cells: &mut Vec<u8>,
    spans: &mut Vec<(u32, u32)>,
) -> Result<(), (usize, QuoteError)> {
    cells.clear();
    let mut at = 0;
    loop {
        let column = spans.len();
        let start = cells.len() as u32;
        let mut open = at;
        while matches!(line.get(open), Some(b' ' | b'\t')) {
            open += 1;
        }
        if line.get(open) == Some(&b'"') {
            let mut i = open + 1;
            loop {
                let Some(q) = memchr::memchr(b'"', &line[i..]) else {
                    return Err((column, QuoteError::Open));
                };
                cells.extend_from_slice(&line[i..i + q]);
                i += q + 1;
                if line.get(i) == Some(&b'"') {
                    cells.push(b'"');
                    i += 1;
                } else {
                    break;
                }
            }
            while matches!(line.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            spans.push((start, cells.len() as u32));
            match line.get(i) {
                None => return Ok(()),
                Some(b',') => at = i + 1,
                Some(_) => return Err((column, QuoteError::TextAfter)),
            }
        } else {
            let end = memchr::memchr(b',', &line[at..]).map_or(line.len(), |c| at + c);
            cells.extend_from_slice(&line[at..end]);
            spans.push((start, cells.len() as u32));
            if end == line.len() {
                return Ok(());
            }
            at = end + 1;
        }
    }
}

/// Gives back most of a reused buffer's memory when it holds far less than it could.
fn shrink<T>(buffer: &mut Vec<T>) {
    let bytes = buffer.capacity() * std::mem::size_of::<T>();
    if bytes > KEEP_CAPACITY && buffer.len() < buffer.capacity() / 4 {
        buffer.shrink_to(buffer.len());
    }
}

/// A reader that retries reads interrupted by a signal.
struct Retry(Box<dyn Read + Send>);

impl Read for Retry {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => return result,
            }
        }
    }
}

/// What [`LineReader::next_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// The end of the input.
    Eof,
    /// A whole line, without its line end.
    Line,
    /// A line longer than [`MAX_LINE_BYTES`], left part-read: skip it with
    /// [`LineReader::skip_line`] or stop reading.
    TooLong,
}

/// Reads physical lines ended by LF, CRLF or a lone CR, counting them and the
/// bytes consumed. A UTF-8 BOM at the start of the input is dropped.
struct LineReader {
    inner: BufReader<Retry>,
    /// Lines completed so far: the 1-based number of the last line read.
    line: u64,
    /// Bytes consumed so far.
    bytes: u64,
    /// The last line ended with CR: an LF straight after it belongs to it.
    after_cr: bool,
    /// Bytes read so far of a too-long line.
    overflow: u64,
}

/// What one look at the read buffer gave.
enum Scan {
    /// A line end at this offset of the buffer.
    End(usize),
    /// No line end: all of these bytes belong to the line.
    More(usize),
    /// The line would pass the limit.
    TooLong,
    /// The input is over.
    Eof,
}

impl LineReader {
    fn new(reader: Box<dyn Read + Send>) -> LineReader {
        LineReader {
            inner: BufReader::with_capacity(READ_BUFFER, Retry(reader)),
            line: 0,
            bytes: 0,
            after_cr: false,
            overflow: 0,
        }
    }

    /// The number of the last line read.
    fn line(&self) -> u64 {
        self.line
    }

    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
        self.bytes += n as u64;
    }

    /// Looks at the buffered input, first dropping the LF of a CRLF split across reads.
    fn scan(&mut self, room: usize) -> io::Result<Scan> {
        if self.after_cr {
            let avail = self.inner.fill_buf()?;
            if avail.first() == Some(&b'\n') {
                self.consume(1);
            }
            self.after_cr = false;
        }
        let avail = self.inner.fill_buf()?;
        if avail.is_empty() {
            return Ok(Scan::Eof);
        }
        Ok(match memchr::memchr2(b'\n', b'\r', avail) {
            Some(i) if i <= room => Scan::End(i),
            None if avail.len() <= room => Scan::More(avail.len()),
            _ => Scan::TooLong,
        })
    }

    /// Reads the next line into `buf` (cleared first), without its line end.
    fn next_line(&mut self, buf: &mut Vec<u8>) -> io::Result<Next> {
        buf.clear();
        loop {
            match self.scan(MAX_LINE_BYTES - buf.len())? {
                Scan::End(i) => {
                    let avail = self.inner.buffer();
                    buf.extend_from_slice(&avail[..i]);
                    self.after_cr = avail[i] == b'\r';
                    self.consume(i + 1);
                    return Ok(self.finish(buf));
                }
                Scan::More(n) => {
                    buf.extend_from_slice(&self.inner.buffer()[..n]);
                    self.consume(n);
                }
                Scan::TooLong => {
                    self.overflow = buf.len() as u64;
                    buf.clear();
                    return Ok(Next::TooLong);
                }
                Scan::Eof if buf.is_empty() => return Ok(Next::Eof),
                Scan::Eof => return Ok(self.finish(buf)),
            }
        }
    }

    fn finish(&mut self, buf: &mut Vec<u8>) -> Next {
        self.line += 1;
        if self.line == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
        }
        Next::Line
    }

    /// Reads past the rest of a too-long line without keeping it; its length in bytes.
    fn skip_line(&mut self) -> io::Result<u64> {
        let mut length = std::mem::take(&mut self.overflow);
        loop {
            match self.scan(usize::MAX)? {
                Scan::End(i) => {
                    self.after_cr = self.inner.buffer()[i] == b'\r';
                    self.consume(i + 1);
                    length += i as u64;
                    break;
                }
                Scan::More(n) => {
                    self.consume(n);
                    length += n as u64;
                }
                Scan::TooLong => unreachable!("no limit while skipping"),
                Scan::Eof => break,
            }
        }
        self.line += 1;
        Ok(length)
    }
}

/// One record as read, before parsing; its buffers are reused across reads.
#[derive(Debug, Default)]
pub struct Record {
    line: u64,
    /// The line, without its line end.
    text: Vec<u8>,
    /// The length of a line too long to keep.
    too_long: Option<u64>,
    /// The line's cells, one after another, when quotes had to be undone (CSV).
    cells: Vec<u8>,
    /// Where each cell is, in the line or in `cells`.
    spans: Vec<(u32, u32)>,
    /// An Excel row: its cells are in `cells` already, in header order, and
    /// `text` is empty.
    split: bool,
    /// The problems of an Excel row's cells that could not be read as text
    /// (each such cell is empty in `cells`).
    cell_problems: Vec<Problem>,
}

impl Record {
    /// The 1-based physical line of the record (an Excel row's number).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Starts an Excel row numbered `line`: cells follow with [`Record::push_cell`].
    pub(crate) fn start_split(&mut self, line: u64) {
        self.line = line;
        self.text.clear();
        self.too_long = None;
        self.split = true;
        self.cells.clear();
        self.spans.clear();
        self.cell_problems.clear();
    }

    /// Appends the next cell of an Excel row.
    pub(crate) fn push_cell(&mut self, text: &str) {
        let start = self.cells.len() as u32;
        self.cells.extend_from_slice(text.as_bytes());
        self.spans.push((start, self.cells.len() as u32));
    }

    /// Adds a problem of an Excel row's cell.
    pub(crate) fn push_cell_problem(&mut self, problem: Problem) {
        self.cell_problems.push(problem);
    }

    /// The bytes the record holds, for a chunk's budget.
    fn bytes(&self) -> usize {
        if self.split {
            self.cells.len()
        } else {
            self.text.len()
        }
    }
}

/// Where a [`Reader`] takes records from.
enum Lines {
    /// Physical lines of CSV or JSON Lines text.
    Text(LineReader),
    /// Rows of an Excel sheet.
    Sheet(Box<SheetRows>),
}

/// Reads raw records from an input, in order.
pub struct Reader {
    name: String,
    lines: Lines,
    /// A record read ahead (a JSON Lines file's first), handed out first.
    pending: Option<Record>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// Reads the next record into `record`; `false` at the end of the input.
    /// Blank lines are skipped; a line longer than [`MAX_LINE_BYTES`] is
    /// skipped without being kept and becomes a record that parses as rejected.
    pub fn read(&mut self, record: &mut Record) -> Result<bool, FileError> {
        if let Some(mut first) = self.pending.take() {
            std::mem::swap(record, &mut first);
            return Ok(true);
        }
        let lines = match &mut self.lines {
            Lines::Text(lines) => lines,
            Lines::Sheet(rows) => return rows.read(record),
        };
        record.split = false;
        let io_error = |e| FileError::Io(self.name.clone(), e);
        let more = loop {
            match lines.next_line(&mut record.text).map_err(io_error)? {
                Next::Eof => break false,
                Next::TooLong => {
                    record.too_long = Some(lines.skip_line().map_err(io_error)?);
                    break true;
                }
                Next::Line if record.text.trim_ascii().is_empty() => continue,
                Next::Line => {
                    record.too_long = None;
                    break true;
                }
            }
        };
        record.line = lines.line();
        shrink(&mut record.text);
        Ok(more)
    }

    /// Refills `chunk` with the next records, reusing its buffers: at most
    /// `max_records`, and no more once their lines hold `max_bytes`, so that
    /// a chunk of wide rows takes no more memory than one of narrow rows.
    pub fn read_chunk(
        &mut self,
        chunk: &mut Vec<Record>,
        max_records: usize,
        max_bytes: usize,
    ) -> Result<(), FileError> {
        let (mut filled, mut bytes) = (0, 0);
        while filled < max_records && bytes < max_bytes {
            if filled == chunk.len() {
                chunk.push(Record::default());
            }
            if !self.read(&mut chunk[filled])? {
                break;
            }
            bytes += chunk[filled].bytes();
            filled += 1;
        }
        chunk.truncate(filled);
        Ok(())
    }

    /// Bytes consumed so far, for progress (0 for an Excel sheet, whose size is not known).
    pub fn position(&self) -> u64 {
        match &self.lines {
            Lines::Text(lines) => lines.bytes,
            Lines::Sheet(_) => 0,
        }
    }
}

/// Turns raw records into rows. Shared across threads: parsing needs no state.
#[derive(Debug)]
pub struct RecordParser<'f, S: Schema = Assessments> {
    framework: &'f Framework,
    /// The CSV columns; `None` for JSON Lines.
    layout: Option<S::Layout>,
}

impl<'f, S: Schema> RecordParser<'f, S> {
    /// The framework records are validated against.
    pub fn framework(&self) -> &'f Framework {
        self.framework
    }

    /// The format of the records: CSV with a column layout, else JSON Lines.
    pub fn format(&self) -> Format {
        match self.layout {
            Some(_) => Format::Csv,
            None => Format::Jsonl,
        }
    }

    /// Validates one record (§3, §9), using its buffers.
    pub fn parse(&self, record: &mut Record) -> Row<S::Value> {
        let line = record.line;
        if let Some(bytes) = record.too_long {
            return Row::Rejected {
                line,
                problems: vec![Problem::new(Format::Csv, Cause::LineTooLong { bytes })],
            };
        }
        let Some(layout) = &self.layout else {
            return match S::from_json(self.framework, &record.text) {
                Ok(value) => Row::Accepted { line, value },
                Err(errors) => Row::Rejected {
                    line,
                    problems: problems_of(errors, Format::Jsonl),
                },
            };
        };
        if record.split {
            return self.parse_sheet_row(layout, record);
        }
        let row = self.parse_csv(layout, record);
        shrink(&mut record.cells);
        shrink(&mut record.spans);
        row
    }

    fn parse_csv(&self, layout: &S::Layout, record: &mut Record) -> Row<S::Value> {
        let Record {
            line,
            text,
            cells,
            spans,
            ..
        } = record;
        let line = *line;
        // Most rows are plain: read in one pass, with no split and no copy.
        if let Some(value) = S::from_plain_line(layout, self.framework, text) {
            return Row::Accepted { line, value };
        }
        let reject = |problem| Row::Rejected {
            line,
            problems: vec![problem],
        };
        let cells = match split_fields(text, cells, spans) {
            Ok(cells) => cells,
            Err((column, error)) => {
                let column = S::column_name(layout, self.framework, column);
                return reject(Problem::new(Format::Csv, Cause::Quote { column, error }));
            }
        };
        let want = S::width(layout);
        if spans.len() != want {
            let cause = Cause::FieldCount {
                found: spans.len(),
                expected: want,
            };
            return reject(Problem::new(Format::Csv, cause));
        }
        // One UTF-8 check for the whole row: cells are split at ASCII bytes.
        let Ok(text) = std::str::from_utf8(cells) else {
            return self.parse_not_utf8(layout, line, cells, spans);
        };
        let fields = spans
            .iter()
            .map(|&(start, end)| &text[start as usize..end as usize]);
        match S::from_cells(layout, self.framework, fields) {
            Ok(value) => Row::Accepted { line, value },
            Err(errors) => Row::Rejected {
                line,
                problems: problems_of(errors, Format::Csv),
            },
        }
    }

    /// An Excel row, its cells already split: validated as a CSV line with
    /// the same cells is, its unreadable cells (validated as empty) reported
    /// first and not again as missing.
    fn parse_sheet_row(&self, layout: &S::Layout, record: &mut Record) -> Row<S::Value> {
        let line = record.line;
        let text = std::str::from_utf8(&record.cells).expect("sheet cells are Rust strings");
        let fields = record
            .spans
            .iter()
            .map(|&(start, end)| &text[start as usize..end as usize]);
        let result = S::from_cells(layout, self.framework, fields);
        let unreadable = std::mem::take(&mut record.cell_problems);
        match with_unreadable(unreadable, result, Format::Csv) {
            Ok(value) => Row::Accepted { line, value },
            Err(problems) => Row::Rejected { line, problems },
        }
    }

    /// The slow path for a record with invalid UTF-8: name each bad field and
    /// still report every other problem of the row.
    fn parse_not_utf8(
        &self,
        layout: &S::Layout,
        line: u64,
        cells: &[u8],
        spans: &[(u32, u32)],
    ) -> Row<S::Value> {
        let mut bad = Vec::new();
        let fields = cells_of(cells, spans)
            .enumerate()
            .map(|(i, cell)| match std::str::from_utf8(cell) {
                Ok(s) => s,
                Err(e) => {
                    let cause = Cause::NotUtf8 {
                        column: S::column_name(layout, self.framework, i),
                        byte: e.valid_up_to(),
                    };
                    bad.push(Problem::new(Format::Csv, cause));
                    // Validated as empty so that the row's other problems are still found.
                    ""
                }
            });
        let result = S::from_cells(layout, self.framework, fields);
        if let Err(errors) = result {
            bad.extend(problems_of(errors, Format::Csv));
        }
        Row::Rejected {
            line,
            problems: bad,
        }
    }
}

impl RecordParser<'_, Assessments> {
    /// A plain CSV record read and scored in one pass
    /// ([`ColumnLayout::plain_scores`](vsend_core::ColumnLayout::plain_scores)),
    /// or `None` to [`parse`](Self::parse) it in full: never a verdict.
    pub fn plain_scores<'r>(&self, record: &'r Record) -> Option<vsend_core::PlainScores<'r>> {
        // An Excel row's cells are split already: it has no line to read.
        if record.too_long.is_some() || record.split {
            return None;
        }
        self.layout
            .as_ref()?
            .plain_scores(self.framework, &record.text)
    }
}

/// The rows of an input, one at a time.
#[derive(Debug)]
pub struct Rows<'f, S: Schema = Assessments> {
    reader: Reader,
    parser: RecordParser<'f, S>,
    record: Record,
}

impl<S: Schema> Rows<'_, S> {
    /// Bytes consumed so far, for progress.
    pub fn position(&self) -> u64 {
        self.reader.position()
    }

    /// The format of the file: it names the fields of its problems.
    pub fn format(&self) -> Format {
        self.parser.format()
    }
}

impl<S: Schema> Iterator for Rows<'_, S> {
    type Item = Result<Row<S::Value>, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.read(&mut self.record) {
            Ok(true) => Some(Ok(self.parser.parse(&mut self.record))),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(format: Format, text: &'static str) -> Result<Vec<Row>, FileError> {
        let fw = Box::leak(Box::new(Framework::default()));
        let input = Input::from_reader("t", format, text.as_bytes());
        input.rows(fw)?.collect()
    }

    #[test]
    fn jsonl_rows_are_read_with_lines_and_nulls() {
        let text = "\u{feff}{\"child_id\": \"C1\", \"assessed_on\": \"2025-01-01\", \"needs\": {\"cl.literacy\": 3, \"cl.numeracy\": null}, \"readiness\": {\"cl\": 2}}\n\n{\"child_id\": \"C2\", \"assessed_on\": \"2025-01-01\", \"needs\": {\"cl.spelling\": 1}, \"colour\": 1}\r\nnot json\n";
        let rows = rows(Format::Jsonl, text).unwrap();
        assert_eq!(rows.len(), 3);
        let Row::Accepted {
            line: 1,
            value: assessment,
        } = &rows[0]
        else {
            panic!("{:?}", rows[0])
        };
        assert_eq!(
            assessment.readiness()[vsend_core::Domain::Cl]
                .unwrap()
                .get(),
            2
        );
        let Row::Rejected { line: 3, problems } = &rows[1] else {
            panic!("{:?}", rows[1])
        };
        let fields: Vec<_> = problems.iter().map(|p| p.field()).collect();
        assert_eq!(fields, ["needs.cl.spelling", "colour"]);
        assert!(
            problems[0]
                .message()
                .starts_with("field needs.cl.spelling: not a need area"),
            "{}",
            problems[0].message()
        );
        let Row::Rejected { line: 4, problems } = &rows[2] else {
            panic!("{:?}", rows[2])
        };
        assert!(
            problems[0].message().starts_with("not valid JSON"),
            "{}",
            problems[0].message()
        );
    }

    /// Every line of `input` as (number, text), read through a small buffer
    /// so that line ends fall across reads.
    fn lines_of(input: &'static [u8]) -> Vec<(u64, String)> {
        let mut reader = LineReader::new(Box::new(input));
        reader.inner = BufReader::with_capacity(3, Retry(Box::new(input)));
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while reader.next_line(&mut buf).unwrap() == Next::Line {
            out.push((reader.line(), String::from_utf8(buf.clone()).unwrap()));
        }
        assert_eq!(reader.position(), input.len() as u64, "every byte consumed");
        out
    }

    impl LineReader {
        fn position(&self) -> u64 {
            self.bytes
        }
    }

    #[test]
    fn lines_end_at_lf_crlf_or_a_lone_cr() {
        let want = |v: &[(u64, &str)]| -> Vec<(u64, String)> {
            v.iter().map(|(n, s)| (*n, s.to_string())).collect()
        };
        let abc = want(&[(1, "a"), (2, "bb"), (3, "ccc")]);
        assert_eq!(lines_of(b"a\nbb\nccc\n"), abc);
        assert_eq!(lines_of(b"a\r\nbb\r\nccc\r\n"), abc);
        assert_eq!(lines_of(b"a\rbb\rccc\r"), abc);
        assert_eq!(lines_of(b"a\rbb\r\nccc"), abc);
        assert_eq!(lines_of(b"\xEF\xBB\xBFa\r\nbb\nccc"), abc);
        assert_eq!(
            lines_of(b"a\n\r\n\rbb\r\r\n"),
            want(&[(1, "a"), (2, ""), (3, ""), (4, "bb"), (5, "")])
        );
        assert_eq!(lines_of(b""), want(&[]));
        // A BOM only at the very start.
        assert_eq!(
            lines_of(b"a\n\xEF\xBB\xBFb")[1].1.as_bytes(),
            b"\xEF\xBB\xBFb"
        );
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_and_counted() {
        let mut text = b"first\r".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        text.extend_from_slice(b"\r\nlast\n");
        let input: &'static [u8] = Box::leak(text.into_boxed_slice());
        let mut reader = LineReader::new(Box::new(input));
        let mut buf = Vec::new();
        assert_eq!(reader.next_line(&mut buf).unwrap(), Next::Line);
        assert_eq!(reader.next_line(&mut buf).unwrap(), Next::TooLong);
        assert!(buf.is_empty());
        assert_eq!(reader.skip_line().unwrap(), MAX_LINE_BYTES as u64 + 1);
        assert_eq!(reader.line(), 2);
        assert_eq!(reader.next_line(&mut buf).unwrap(), Next::Line);
        assert_eq!((reader.line(), &buf[..]), (3, &b"last"[..]));
        assert_eq!(reader.next_line(&mut buf).unwrap(), Next::Eof);

        // Exactly at the limit is a line.
        let text = vec![b'y'; MAX_LINE_BYTES];
        let input: &'static [u8] = Box::leak(text.into_boxed_slice());
        let mut reader = LineReader::new(Box::new(input));
        assert_eq!(reader.next_line(&mut buf).unwrap(), Next::Line);
        assert_eq!(buf.len(), MAX_LINE_BYTES);
    }

    fn split(line: &str) -> Result<Vec<String>, (usize, QuoteError)> {
        let (mut cells, mut spans) = (Vec::new(), Vec::new());
        let cells = split_fields(line.as_bytes(), &mut cells, &mut spans)?;
        Ok(cells_of(cells, &spans)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect())
    }

    #[test]
    fn cells_split_at_commas_outside_quotes() {
        assert_eq!(split("a,b,,c,").unwrap(), ["a", "b", "", "c", ""]);
        assert_eq!(split("").unwrap(), [""]);
        assert_eq!(split("\"a,b\",\"\"").unwrap(), ["a,b", ""]);
        assert_eq!(split("\"say \"\"hi\"\"\",x").unwrap(), ["say \"hi\"", "x"]);
        assert_eq!(split(" \"a\" , b ").unwrap(), ["a", " b "]);
        assert_eq!(
            split("a\"b,c").unwrap(),
            ["a\"b", "c"],
            "a quote inside a cell is text"
        );
        assert_eq!(split("a,\"b,c"), Err((1, QuoteError::Open)));
        assert_eq!(split("a,b,\"c\"\""), Err((2, QuoteError::Open)));
        assert_eq!(split("\"ab\"c,d"), Err((0, QuoteError::TextAfter)));
    }

    #[test]
    fn chunks_stop_at_a_byte_budget_and_wide_buffers_shrink() {
        let fw = Box::leak(Box::new(Framework::default()));
        let mut text = String::new();
        for i in 0..10 {
            text.push_str(&format!(
                "{{\"n\": {i}, \"pad\": \"{}\"}}\n",
                " ".repeat(100_000)
            ));
        }
        text.push_str("{}\n{}\n");
        let input = Input::from_reader(
            "t",
            Format::Jsonl,
            text.into_bytes().as_slice().to_owned().leak() as &[u8],
        );
        let (mut reader, _) = input.open_records(fw).unwrap();
        let mut chunk = Vec::new();
        reader.read_chunk(&mut chunk, 1_000, 250_000).unwrap();
        assert_eq!(chunk.len(), 3, "stops once 250,000 bytes are held");
        reader.read_chunk(&mut chunk, 2, 250_000).unwrap();
        assert_eq!(chunk.len(), 2, "stops at the record count");
        assert_eq!(chunk[1].line(), 5);
        reader.read_chunk(&mut chunk, 1_000, 250_000).unwrap();
        assert_eq!(chunk.len(), 3);
        assert!(chunk[2].text.capacity() > KEEP_CAPACITY);
        reader.read_chunk(&mut chunk, 1_000, 250_000).unwrap();
        assert_eq!(chunk.len(), 4, "two wide lines, then two narrow ones");
        assert!(
            chunk[2].text.capacity() <= KEEP_CAPACITY,
            "a narrow line after a wide one gives the memory back"
        );
        reader.read_chunk(&mut chunk, 1_000, 250_000).unwrap();
        assert!(chunk.is_empty());
    }

    #[test]
    fn rows_carry_their_physical_line() {
        let fw = Framework::default();
        let header: Vec<String> = vsend_core::Column::all(&fw)
            .into_iter()
            .map(|c| c.name(&fw))
            .collect();
        let n = header.len();
        let row = |id: &str| format!("{id},2025-01-01{}", ",".repeat(n - 2));
        let text = format!(
            "{}\r\n\r\n{}\r{}\n\n{}",
            header.join(","),
            row("C1"),
            row("C 2"),
            row("C3")
        );
        let input: &'static [u8] = text.leak().as_bytes();
        let rows: Vec<Row> = Input::from_reader("t", Format::Csv, input)
            .rows(Box::leak(Box::new(fw)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let lines: Vec<(u64, bool)> = rows
            .iter()
            .map(|r| match r {
                Row::Accepted { line, .. } => (*line, true),
                Row::Rejected { line, .. } => (*line, false),
            })
            .collect();
        assert_eq!(lines, [(3, true), (4, false), (6, true)]);
    }

    #[test]
    fn csv_header_problems_are_file_errors() {
        assert!(matches!(rows(Format::Csv, ""), Err(FileError::Empty(_))));
        assert!(matches!(
            rows(Format::Csv, "child_id,assessed_on\n"),
            Err(FileError::Header(..))
        ));
        assert!(matches!(
            rows(Format::Csv, "\n \r\n"),
            Err(FileError::Empty(_))
        ));
        // A JSON Lines file with no record is a file error too, not zero rows.
        for text in ["", "\n", " \r\n\t\n\r"] {
            assert!(
                matches!(rows(Format::Jsonl, text), Err(FileError::EmptyJsonl(_))),
                "{text:?}"
            );
        }
        assert!(matches!(
            rows(Format::Csv, "child_id;assessed_on;setting_id\n"),
            Err(FileError::HeaderHint {
                hint: HeaderHint::Semicolons,
                ..
            })
        ));
        assert!(matches!(
            rows(Format::Csv, "{\"child_id\": 1}\n"),
            Err(FileError::HeaderHint {
                hint: HeaderHint::Json,
                ..
            })
        ));
        assert!(matches!(
            rows(Format::Csv, "child_id,\"assessed_on\n"),
            Err(FileError::HeaderQuote {
                column: 2,
                error: QuoteError::Open,
                ..
            })
        ));
        let Err(FileError::Header(_, line, _)) = rows(Format::Csv, "\r\n\r\nchild_id\r\n") else {
            panic!("a bad header")
        };
        assert_eq!(line, 3, "blank lines before the header are counted");
    }
}
