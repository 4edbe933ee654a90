//! Opening an input (a path, stdin, or an Excel sheet) and reading its header.

use super::*;

/// An open input: its display name, size (for progress) and reader. A file
/// or stdin is `Input<'static>`; [`Input::from_reader`] borrows any reader
/// for `'a` (the C interface lends its caller's buffer, never copied).
pub struct Input<'a> {
    /// The name used in messages (`cohort.csv`, `<stdin>`, or `cohort.xlsx [Sheet1]`).
    pub name: String,
    /// The size in bytes, when known (not for a workbook, whose bytes are compressed).
    pub len: Option<u64>,
    /// The format, which also decides how problems name fields (§9): an Excel
    /// sheet's records are CSV's (columns by header name).
    pub format: Format,
    pub(super) source: Source<'a>,
    pub(super) notes: Notes,
}

/// Where an input's records come from.
pub(super) enum Source<'a> {
    /// CSV or JSON Lines text.
    Text(Box<dyn Read + Send + 'a>),
    /// A sheet of an Excel workbook, or why it cannot be read: a workbook
    /// that cannot be used fails when reading starts, as a bad CSV header
    /// does, so that a run reports it as it reports those.
    Sheet(Result<Box<Workbook>, FileError>),
}

impl std::fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name)
            .field("len", &self.len)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl<'a> Input<'a> {
    /// Opens `path` (`-` is CSV on stdin), checking it is a readable file of a
    /// known format; an `.xlsx` workbook is read from its first visible worksheet.
    pub fn open(path: &Path) -> Result<Input<'static>, FileError> {
        Input::open_sheet(path, None)
    }

    /// Opens `path` as [`Input::open`] does, reading sheet `sheet` of an
    /// `.xlsx` workbook when given (naming a sheet of any other input is an error).
    pub fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<Input<'static>, FileError> {
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
    pub fn from_reader(name: &str, format: Format, reader: impl Read + Send + 'a) -> Input<'a> {
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
    pub fn open_records<'f>(
        self,
        framework: &'f Framework,
    ) -> Result<(Reader<'a>, RecordParser<'f>), FileError> {
        self.open_as::<Assessments>(framework)
    }

    /// Starts reading records of schema `S` (cohort assessments, or plans).
    pub fn open_as<'f, S: Schema>(
        self,
        framework: &'f Framework,
    ) -> Result<(Reader<'a>, RecordParser<'f, S>), FileError> {
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
    pub fn rows<'f>(self, framework: &'f Framework) -> Result<Rows<'f>, FileError>
    where
        'a: 'f,
    {
        self.rows_as::<Assessments>(framework)
    }

    /// Starts reading records of schema `S`, one [`Row`] at a time.
    pub fn rows_as<'f, S: Schema>(self, framework: &'f Framework) -> Result<Rows<'f, S>, FileError>
    where
        'a: 'f,
    {
        let (reader, parser) = self.open_as::<S>(framework)?;
        Ok(Rows {
            reader,
            parser,
            record: Record::default(),
        })
    }
}

/// Reads the header: the first line that is not blank.
pub(super) fn read_header<S: Schema>(
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
    if looks_like_utf32(&text) {
        return Err(hint(HeaderHint::Utf32));
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
