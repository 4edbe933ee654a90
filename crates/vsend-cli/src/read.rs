//! Reading cohort files (§10): CSV or JSON Lines in, one [`Row`] per record out.
//!
//! Every record becomes either an accepted assessment or a rejected row with
//! its problems, so `rows read = accepted + rejected` holds by construction.
//! Only problems with the file as a whole (unreadable, bad header) are errors.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use std::path::{Path, PathBuf};

use vsend_core::{Assessment, ColumnLayout, Framework, ValidationErrors};

/// The input formats, picked by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Cohort CSV.
    Csv,
    /// Cohort JSON Lines.
    Jsonl,
}

impl Format {
    /// The format for `path` by its extension: `.csv`, or `.jsonl` / `.ndjson`.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
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
    /// The extension is neither `.csv` nor `.jsonl`.
    UnknownFormat(PathBuf),
    /// Reading failed.
    Io(String, io::Error),
    /// The file has no header row.
    Empty(String),
    /// The header row is not UTF-8.
    HeaderNotUtf8 {
        /// The input's name.
        name: String,
        /// 1-based column of the bad header.
        column: usize,
        /// 0-based byte offset within that header cell.
        byte: usize,
    },
    /// Missing, unknown or repeated columns.
    Header(String, vsend_core::HeaderErrors),
    /// The framework file could not be used.
    Framework(String, String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound(p) => write!(f, "{}: no such file", p.display()),
            FileError::IsDirectory(p) => {
                write!(f, "{}: is a directory; expected a .csv or .jsonl file", p.display())
            }
            FileError::UnknownFormat(p) => write!(
                f,
                "{}: unknown input format; allowed extensions .csv, .jsonl (or - for CSV on stdin)",
                p.display()
            ),
            FileError::Io(name, e) => write!(f, "{name}: {e}"),
            FileError::Empty(name) => write!(f, "{name}:1: the file is empty; expected a header row"),
            FileError::HeaderNotUtf8 { name, column, byte } => write!(
                f,
                "{name}:1: header column {column} is not valid UTF-8 (byte {byte} of the cell); save the file as UTF-8"
            ),
            FileError::Header(name, errors) => {
                let lines: Vec<String> =
                    errors.0.iter().map(|e| format!("{name}:1: {e}")).collect();
                f.write_str(&lines.join("\n"))
            }
            FileError::Framework(name, e) => write!(f, "{name}: bad framework: {e}"),
        }
    }
}

impl std::error::Error for FileError {}

/// One problem with one record: a line of the error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field (column header) at fault, or `(row)` for the record as a whole.
    pub field: String,
    /// The value found, shortened.
    pub value: String,
    /// The full message, naming what is allowed.
    pub message: String,
}

impl Problem {
    /// A second assessment of a child on one date (§7), as a problem of its row.
    pub fn duplicate(d: vsend_core::Duplicate) -> Problem {
        Problem {
            field: "assessed_on".into(),
            value: d.assessed_on.to_string(),
            message: format!("column {d}"),
        }
    }

    fn row(message: String) -> Problem {
        Problem {
            field: "(row)".into(),
            value: String::new(),
            message,
        }
    }
}

/// What one record of the input gave.
// Accepted rows are the common case and are moved once: boxing the assessment
// would put an allocation back on the hot path that inline IDs took out.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Row {
    /// A valid assessment.
    Accepted {
        /// 1-based physical line where the record starts.
        line: u64,
        /// The assessment.
        assessment: Assessment,
    },
    /// A rejected record and every problem found in it.
    Rejected {
        /// 1-based physical line where the record starts.
        line: u64,
        /// The problems (at least one).
        problems: Vec<Problem>,
    },
}

/// The problems of a record, each named in its format's words: a CSV column
/// or a JSON path (§9). The core gives the field as data; this only renders.
fn problems(errors: ValidationErrors, format: vsend_core::Format) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem {
            field: e.field().name_in(format),
            value: e.found().to_owned(),
            message: e.located(format).to_string(),
        })
        .collect()
}

/// An open input: its display name, size (for progress) and reader.
pub struct Input {
    /// The name used in messages (`cohort.csv`, or `<stdin>`).
    pub name: String,
    /// The size in bytes, when known.
    pub len: Option<u64>,
    /// The format.
    pub format: Format,
    reader: Box<dyn Read + Send>,
}

impl Input {
    /// Opens `path` (`-` is CSV on stdin), checking it is a readable file of a known format.
    pub fn open(path: &Path) -> Result<Input, FileError> {
        if path == Path::new("-") {
            return Ok(Input {
                name: "<stdin>".into(),
                len: None,
                format: Format::Csv,
                reader: Box::new(io::stdin()),
            });
        }
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => FileError::NotFound(path.into()),
            _ => FileError::Io(path.display().to_string(), e),
        })?;
        if meta.is_dir() {
            return Err(FileError::IsDirectory(path.into()));
        }
        let format = Format::of(path).ok_or_else(|| FileError::UnknownFormat(path.into()))?;
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| FileError::Io(name.clone(), e))?;
        Ok(Input {
            name,
            len: Some(meta.len()),
            format,
            reader: Box::new(file),
        })
    }

    /// Wraps any reader, for tests and embedding.
    pub fn from_reader(name: &str, format: Format, reader: impl Read + Send + 'static) -> Input {
        Input {
            name: name.into(),
            len: None,
            format,
            reader: Box::new(reader),
        }
    }

    /// Starts reading: reads and checks the CSV header against `framework`
    /// and returns the record reader and the parser for its records.
    pub fn open_records(
        self,
        framework: &Framework,
    ) -> Result<(Reader, RecordParser<'_>), FileError> {
        let name = self.name;
        match self.format {
            Format::Csv => {
                // flexible: a row with the wrong field count is a rejected row, not a file error.
                let mut csv = csv::ReaderBuilder::new()
                    .flexible(true)
                    .from_reader(self.reader);
                let layout = read_header(framework, &name, &mut csv)?;
                let parser = RecordParser {
                    framework,
                    layout: Some(layout),
                };
                Ok((
                    Reader {
                        name,
                        kind: ReaderKind::Csv(csv),
                    },
                    parser,
                ))
            }
            Format::Jsonl => {
                let kind = ReaderKind::Jsonl {
                    reader: BufReader::new(self.reader),
                    line: 0,
                    bytes: 0,
                };
                Ok((
                    Reader { name, kind },
                    RecordParser {
                        framework,
                        layout: None,
                    },
                ))
            }
        }
    }

    /// Starts reading records against `framework`, one [`Row`] at a time.
    pub fn rows(self, framework: &Framework) -> Result<Rows<'_>, FileError> {
        let (reader, parser) = self.open_records(framework)?;
        Ok(Rows {
            reader,
            parser,
            record: Record::default(),
        })
    }
}

fn read_header(
    framework: &Framework,
    name: &str,
    csv: &mut csv::Reader<Box<dyn Read + Send>>,
) -> Result<ColumnLayout, FileError> {
    let header = csv.byte_headers().map_err(|e| csv_error(name, e))?;
    if header.is_empty() || (header.len() == 1 && header[0].trim_ascii().is_empty()) {
        return Err(FileError::Empty(name.into()));
    }
    let mut names = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        let cell = std::str::from_utf8(cell).map_err(|e| FileError::HeaderNotUtf8 {
            name: name.into(),
            column: i + 1,
            byte: e.valid_up_to(),
        })?;
        names.push(cell);
    }
    ColumnLayout::new(framework, names).map_err(|e| FileError::Header(name.into(), e))
}

fn csv_error(name: &str, e: csv::Error) -> FileError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => FileError::Io(name.into(), e),
        other => FileError::Io(name.into(), io::Error::other(format!("{other:?}"))),
    }
}

/// One record as read, before parsing; its buffers are reused across reads.
#[derive(Debug, Default)]
pub struct Record {
    line: u64,
    csv: csv::ByteRecord,
    json: Vec<u8>,
}

impl Record {
    /// The 1-based physical line where the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// Reads raw records from an input, in order.
pub struct Reader {
    name: String,
    kind: ReaderKind,
}

enum ReaderKind {
    Csv(csv::Reader<Box<dyn Read + Send>>),
    Jsonl {
        reader: BufReader<Box<dyn Read + Send>>,
        line: u64,
        bytes: u64,
    },
}

impl Reader {
    /// Reads the next record into `record`; `false` at the end of the input.
    pub fn read(&mut self, record: &mut Record) -> Result<bool, FileError> {
        match &mut self.kind {
            ReaderKind::Csv(csv) => {
                let more = csv
                    .read_byte_record(&mut record.csv)
                    .map_err(|e| csv_error(&self.name, e))?;
                record.line = record.csv.position().map_or(0, |p| p.line());
                Ok(more)
            }
            ReaderKind::Jsonl {
                reader,
                line,
                bytes,
            } => loop {
                record.json.clear();
                let n = reader
                    .read_until(b'\n', &mut record.json)
                    .map_err(|e| FileError::Io(self.name.clone(), e))?;
                if n == 0 {
                    return Ok(false);
                }
                *bytes += n as u64;
                *line += 1;
                record.line = *line;
                if *line == 1 && record.json.starts_with(b"\xEF\xBB\xBF") {
                    record.json.drain(..3);
                }
                // Blank lines are not records.
                if !record.json.trim_ascii().is_empty() {
                    return Ok(true);
                }
            },
        }
    }

    /// Refills `chunk` with up to `n` records, reusing its buffers.
    pub fn read_chunk(&mut self, chunk: &mut Vec<Record>, n: usize) -> Result<(), FileError> {
        chunk.resize_with(n, Record::default);
        for filled in 0..n {
            if !self.read(&mut chunk[filled])? {
                chunk.truncate(filled);
                break;
            }
        }
        Ok(())
    }

    /// Bytes consumed so far, for progress.
    pub fn position(&self) -> u64 {
        match &self.kind {
            ReaderKind::Csv(csv) => csv.position().byte(),
            ReaderKind::Jsonl { bytes, .. } => *bytes,
        }
    }
}

/// Turns raw records into rows. Shared across threads: parsing needs no state.
pub struct RecordParser<'f> {
    framework: &'f Framework,
    /// The CSV columns; `None` for JSON Lines.
    layout: Option<ColumnLayout>,
}

impl<'f> RecordParser<'f> {
    /// The framework records are validated against.
    pub fn framework(&self) -> &'f Framework {
        self.framework
    }

    /// Validates one record (§3, §9), taking its buffers for the duration.
    pub fn parse(&self, record: &mut Record) -> Row {
        let line = record.line;
        let Some(layout) = &self.layout else {
            return json_row(self.framework, line, &record.json);
        };
        let want = layout.columns().len();
        if record.csv.len() != want {
            let message = format!(
                "row has {} fields; allowed exactly {want}, one per header column",
                record.csv.len()
            );
            return Row::Rejected {
                line,
                problems: vec![Problem::row(message)],
            };
        }
        // One UTF-8 check for the whole record; the buffer goes back afterwards.
        match csv::StringRecord::from_byte_record(std::mem::take(&mut record.csv)) {
            Ok(fields) => {
                let row = match layout.assessment(self.framework, fields.iter()) {
                    Ok(assessment) => Row::Accepted { line, assessment },
                    Err(errors) => Row::Rejected {
                        line,
                        problems: problems(errors, vsend_core::Format::Csv),
                    },
                };
                record.csv = fields.into_byte_record();
                row
            }
            Err(e) => {
                record.csv = e.into_byte_record();
                self.parse_not_utf8(layout, line, &record.csv)
            }
        }
    }

    /// The slow path for a record with invalid UTF-8: name each bad field and
    /// still report every other problem of the row.
    fn parse_not_utf8(&self, layout: &ColumnLayout, line: u64, record: &csv::ByteRecord) -> Row {
        let mut bad = Vec::new();
        let fields = record
            .iter()
            .enumerate()
            .map(|(i, cell)| match std::str::from_utf8(cell) {
                Ok(s) => s,
                Err(e) => {
                    let field = layout.columns()[i].name(self.framework);
                    let message = format!(
                        "column {field}: not valid UTF-8 at byte {}; allowed UTF-8 text",
                        e.valid_up_to()
                    );
                    bad.push(Problem {
                        field,
                        value: String::new(),
                        message,
                    });
                    // Validated as empty so that the row's other problems are still found.
                    ""
                }
            });
        let result = layout.assessment(self.framework, fields);
        if let Err(errors) = result {
            bad.extend(problems(errors, vsend_core::Format::Csv));
        }
        Row::Rejected {
            line,
            problems: bad,
        }
    }
}

/// The rows of an input, one at a time.
pub struct Rows<'f> {
    reader: Reader,
    parser: RecordParser<'f>,
    record: Record,
}

impl Rows<'_> {
    /// Bytes consumed so far, for progress.
    pub fn position(&self) -> u64 {
        self.reader.position()
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.read(&mut self.record) {
            Ok(true) => Some(Ok(self.parser.parse(&mut self.record))),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

fn json_row(fw: &Framework, line: u64, text: &[u8]) -> Row {
    match vsend_core::parse_json_line(fw, text) {
        Ok(assessment) => Row::Accepted { line, assessment },
        Err(errors) => Row::Rejected {
            line,
            problems: problems(errors, vsend_core::Format::Jsonl),
        },
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
            assessment,
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
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["needs.cl.spelling", "colour"]);
        assert!(
            problems[0]
                .message
                .starts_with("field needs.cl.spelling: not a need area"),
            "{}",
            problems[0].message
        );
        let Row::Rejected { line: 4, problems } = &rows[2] else {
            panic!("{:?}", rows[2])
        };
        assert!(
            problems[0].message.starts_with("not valid JSON"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn csv_header_problems_are_file_errors() {
        assert!(matches!(rows(Format::Csv, ""), Err(FileError::Empty(_))));
        assert!(matches!(
            rows(Format::Csv, "child_id,assessed_on\n"),
            Err(FileError::Header(..))
        ));
    }
}
