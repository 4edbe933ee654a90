//! Reading cohort files (§10): CSV or JSON Lines in, one [`Row`] per record out.
//!
//! Every record becomes either an accepted assessment or a rejected row with
//! its problems, so `rows read = accepted + rejected` holds by construction.
//! Only problems with the file as a whole (unreadable, bad header) are errors.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use vsend_core::{
    Assessment, AssessmentBuilder, ColumnLayout, Domain, Framework, ValidationErrors,
};

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
    fn row(message: String) -> Problem {
        Problem {
            field: "(row)".into(),
            value: String::new(),
            message,
        }
    }
}

/// What one record of the input gave.
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

fn problems(errors: ValidationErrors) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem {
            field: e.field().to_string(),
            value: e.found().to_owned(),
            message: e.to_string(),
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

    /// Starts reading records against `framework`. A bad header is an error here.
    pub fn rows(self, framework: &Framework) -> Result<Rows<'_>, FileError> {
        let name = self.name.clone();
        match self.format {
            Format::Csv => CsvRows::new(framework, name, self.reader).map(Rows::Csv),
            Format::Jsonl => Ok(Rows::Jsonl(JsonlRows::new(framework, name, self.reader))),
        }
    }
}

/// The records of an input, in order.
pub enum Rows<'f> {
    /// From CSV.
    Csv(CsvRows<'f>),
    /// From JSON Lines.
    Jsonl(JsonlRows<'f>),
}

impl Rows<'_> {
    /// Bytes consumed so far, for progress.
    pub fn position(&self) -> u64 {
        match self {
            Rows::Csv(r) => r.reader.position().byte(),
            Rows::Jsonl(r) => r.bytes,
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Rows::Csv(r) => r.next(),
            Rows::Jsonl(r) => r.next(),
        }
    }
}

/// CSV records, read into one reused `ByteRecord`.
pub struct CsvRows<'f> {
    framework: &'f Framework,
    name: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    layout: ColumnLayout,
    record: csv::ByteRecord,
}

impl<'f> CsvRows<'f> {
    fn new(
        framework: &'f Framework,
        name: String,
        reader: Box<dyn Read + Send>,
    ) -> Result<Self, FileError> {
        // flexible: a row with the wrong field count is a rejected row, not a file error.
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(&name, e))?
            .clone();
        if header.is_empty() || (header.len() == 1 && header[0].trim_ascii().is_empty()) {
            return Err(FileError::Empty(name));
        }
        let mut names = Vec::with_capacity(header.len());
        for (i, cell) in header.iter().enumerate() {
            match std::str::from_utf8(cell) {
                Ok(s) => names.push(s),
                Err(e) => {
                    return Err(FileError::HeaderNotUtf8 {
                        name,
                        column: i + 1,
                        byte: e.valid_up_to(),
                    })
                }
            }
        }
        let layout =
            ColumnLayout::new(framework, names).map_err(|e| FileError::Header(name.clone(), e))?;
        Ok(CsvRows {
            framework,
            name,
            reader,
            layout,
            record: csv::ByteRecord::new(),
        })
    }

    fn next(&mut self) -> Option<Result<Row, FileError>> {
        match self.reader.read_byte_record(&mut self.record) {
            Err(e) => return Some(Err(csv_error(&self.name, e))),
            Ok(false) => return None,
            Ok(true) => {}
        }
        let line = self.record.position().map_or(0, |p| p.line());
        Some(Ok(self.row(line)))
    }

    fn row(&self, line: u64) -> Row {
        let want = self.layout.columns().len();
        if self.record.len() != want {
            let message = format!(
                "row has {} fields; allowed exactly {want}, one per header column",
                self.record.len()
            );
            return Row::Rejected {
                line,
                problems: vec![Problem::row(message)],
            };
        }
        let mut bad = Vec::new();
        let fields =
            self.record
                .iter()
                .enumerate()
                .map(|(i, cell)| match std::str::from_utf8(cell) {
                    Ok(s) => s,
                    Err(e) => {
                        let field = self.layout.columns()[i].name(self.framework);
                        let message = format!(
                            "column {field}: not valid UTF-8 at byte {}; allowed UTF-8 text",
                            e.valid_up_to()
                        );
                        bad.push(Problem {
                            field,
                            value: String::new(),
                            message,
                        });
                        // Validated as empty so every other problem of the row is still found.
                        ""
                    }
                });
        let result = self.layout.assessment(self.framework, fields);
        match result {
            Ok(assessment) if bad.is_empty() => Row::Accepted { line, assessment },
            Ok(_) => Row::Rejected {
                line,
                problems: bad,
            },
            Err(errors) => {
                bad.extend(problems(errors));
                Row::Rejected {
                    line,
                    problems: bad,
                }
            }
        }
    }
}

fn csv_error(name: &str, e: csv::Error) -> FileError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => FileError::Io(name.into(), e),
        other => FileError::Io(name.into(), io::Error::other(format!("{other:?}"))),
    }
}

/// JSON Lines records: one object per non-blank line.
pub struct JsonlRows<'f> {
    framework: &'f Framework,
    name: String,
    reader: BufReader<Box<dyn Read + Send>>,
    buf: Vec<u8>,
    line: u64,
    bytes: u64,
}

impl<'f> JsonlRows<'f> {
    fn new(framework: &'f Framework, name: String, reader: Box<dyn Read + Send>) -> Self {
        JsonlRows {
            framework,
            name,
            reader: BufReader::new(reader),
            buf: Vec::new(),
            line: 0,
            bytes: 0,
        }
    }

    fn next(&mut self) -> Option<Result<Row, FileError>> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Err(e) => return Some(Err(FileError::Io(self.name.clone(), e))),
                Ok(0) => return None,
                Ok(n) => self.bytes += n as u64,
            }
            self.line += 1;
            let mut text: &[u8] = &self.buf;
            if self.line == 1 {
                text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            }
            if text.trim_ascii().is_empty() {
                continue;
            }
            return Some(Ok(json_row(self.framework, self.line, text)));
        }
    }
}

/// The text the builder sees for a JSON value: `null` is empty (not assessed).
fn value_text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Null => "".into(),
        Value::String(s) => s.as_str().into(),
        other => other.to_string().into(),
    }
}

fn json_row(fw: &Framework, line: u64, text: &[u8]) -> Row {
    let object: Map<String, Value> = match serde_json::from_slice(text) {
        Ok(o) => o,
        Err(e) => {
            // serde_json's message gives a position, never the data.
            let message = format!("not a JSON object: {e}");
            return Row::Rejected {
                line,
                problems: vec![Problem::row(message)],
            };
        }
    };
    let mut b = AssessmentBuilder::new(fw);
    let mut extra = Vec::new();
    for (key, value) in &object {
        match key.as_str() {
            "child_id" => {
                b.child_id(&value_text(value));
            }
            "assessed_on" => {
                b.assessed_on(&value_text(value));
            }
            "date_of_birth" => {
                b.date_of_birth(&value_text(value));
            }
            "setting_id" => {
                b.setting_id(&value_text(value));
            }
            "needs" | "readiness" | "readiness_planned" | "confidence" => {
                let Some(map) = value.as_object() else {
                    if !value.is_null() {
                        extra.push(Problem {
                            field: key.clone(),
                            value: String::new(),
                            message: format!(
                                "field {key}: expected an object keyed by {}",
                                if key == "needs" { "area" } else { "domain" }
                            ),
                        });
                    }
                    continue;
                };
                for (k, v) in map {
                    let text = value_text(v);
                    if key == "needs" {
                        b.need(k, &text);
                        continue;
                    }
                    let Ok(d) = k.parse::<Domain>() else {
                        let field = format!("{key}.{k}");
                        let message = format!(
                            "field {field}: {k:?} is not a domain; allowed cl, ci, sp, semh, ind"
                        );
                        extra.push(Problem {
                            field,
                            value: String::new(),
                            message,
                        });
                        continue;
                    };
                    match key.as_str() {
                        "readiness" => b.readiness(d, &text),
                        "readiness_planned" => b.readiness_planned(d, &text),
                        _ => b.confidence(d, &text),
                    };
                }
            }
            other => {
                let field = vsend_core::Found::new(other).as_str().to_owned();
                let message = format!("field {field:?} is unknown; allowed child_id, assessed_on, date_of_birth, setting_id, needs, readiness, readiness_planned, confidence");
                extra.push(Problem {
                    field,
                    value: String::new(),
                    message,
                });
            }
        }
    }
    // Absent required keys are reported by the builder's own checks.
    match b.build() {
        Ok(assessment) if extra.is_empty() => Row::Accepted { line, assessment },
        Ok(_) => Row::Rejected {
            line,
            problems: extra,
        },
        Err(errors) => {
            let mut all = problems(errors);
            all.extend(extra);
            Row::Rejected {
                line,
                problems: all,
            }
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
            assessment,
        } = &rows[0]
        else {
            panic!("{:?}", rows[0])
        };
        assert_eq!(assessment.readiness()[Domain::Cl].unwrap().get(), 2);
        let Row::Rejected { line: 3, problems } = &rows[1] else {
            panic!("{:?}", rows[1])
        };
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["need.cl.spelling", "colour"]);
        let Row::Rejected { line: 4, problems } = &rows[2] else {
            panic!("{:?}", rows[2])
        };
        assert!(
            problems[0].message.starts_with("not a JSON object"),
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
