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

mod error;
mod fields;
mod input;
mod lines;
mod record;
mod schema;

pub use error::*;
use fields::*;
pub use input::*;
use lines::*;
pub use record::*;
pub use schema::*;

/// The input format of `path` by its extension: `.csv`, or `.jsonl` / `.ndjson`.
pub fn format_of(path: &Path) -> Option<Format> {
    Format::from_extension(path.extension()?.to_str()?)
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

    impl LineReader<'_> {
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
