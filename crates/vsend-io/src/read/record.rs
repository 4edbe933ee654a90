//! Records: each physical line (or sheet row) numbered as an editor shows it, parsed into an accepted record or a rejected row with its problems.

use super::*;

/// One record as read, before parsing; its buffers are reused across reads.
#[derive(Debug, Default)]
pub struct Record {
    pub(super) line: u64,
    /// The line, without its line end.
    pub(super) text: Vec<u8>,
    /// The length of a line too long to keep.
    pub(super) too_long: Option<u64>,
    /// The line's cells, one after another, when quotes had to be undone (CSV).
    pub(super) cells: Vec<u8>,
    /// Where each cell is, in the line or in `cells`.
    pub(super) spans: Vec<(u32, u32)>,
    /// An Excel row: its cells are in `cells` already, in header order, and
    /// `text` is empty.
    pub(super) split: bool,
    /// The problems of an Excel row's cells that could not be read as text
    /// (each such cell is empty in `cells`).
    pub(super) cell_problems: Vec<Problem>,
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
    pub(super) fn bytes(&self) -> usize {
        if self.split {
            self.cells.len()
        } else {
            self.text.len()
        }
    }
}

/// Where a [`Reader`] takes records from.
pub(super) enum Lines<'a> {
    /// Physical lines of CSV or JSON Lines text.
    Text(LineReader<'a>),
    /// Rows of an Excel sheet.
    Sheet(Box<SheetRows>),
}

/// Reads raw records from an input, in order.
pub struct Reader<'a> {
    pub(super) name: String,
    pub(super) lines: Lines<'a>,
    /// A record read ahead (a JSON Lines file's first), handed out first.
    pub(super) pending: Option<Record>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Reader<'_> {
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
    pub(super) framework: &'f Framework,
    /// The CSV columns; `None` for JSON Lines.
    pub(super) layout: Option<S::Layout>,
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

    pub(super) fn parse_csv(&self, layout: &S::Layout, record: &mut Record) -> Row<S::Value> {
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
    pub(super) fn parse_sheet_row(&self, layout: &S::Layout, record: &mut Record) -> Row<S::Value> {
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
    pub(super) fn parse_not_utf8(
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
    pub(super) reader: Reader<'f>,
    pub(super) parser: RecordParser<'f, S>,
    pub(super) record: Record,
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
