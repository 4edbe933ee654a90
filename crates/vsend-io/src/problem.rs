//! Problems with one record of a file (§9), as values.
//!
//! A [`Problem`] holds what went wrong as data: the model's own
//! [`ValidationError`] (field, what was found, what is allowed), a plan with
//! no assessment (§11), or a reading problem (a broken quote, a wrong field
//! count, a line too long, bytes that are not text). Its field, its value and
//! its message are rendered from that, in the file format's words (a CSV
//! column, a JSON path), only when shown: nothing downstream builds a message
//! to be parsed again. [`crate::write::push_problem_csv`] and
//! [`crate::write::problem_json`] render a problem for the two report formats.

use std::fmt;
use std::mem::Discriminant;

use vsend_core::error::Found;
use vsend_core::{Field, Format, NoAssessment, ValidationError};

use crate::read::{thousands, QuoteError, MAX_LINE_BYTES};

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The format of the file the record came from: it names fields.
    pub format: Format,
    /// What is wrong.
    pub cause: Cause,
}

/// What is wrong with a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A value the model refuses (§3, §7, §9, §11).
    Invalid(ValidationError),
    /// A plan whose child has no assessment on or before the move (§11).
    NoAssessment(NoAssessment),
    /// A quoted CSV cell that is broken (`column`: its header).
    Quote {
        /// The header of the column where the quote opened.
        column: String,
        /// How it is broken.
        error: QuoteError,
    },
    /// A CSV row with more or fewer fields than the header.
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// A line longer than [`MAX_LINE_BYTES`], skipped unread.
    LineTooLong {
        /// Its length in bytes.
        bytes: u64,
    },
    /// A CSV cell that is not UTF-8.
    NotUtf8 {
        /// The column's header.
        column: String,
        /// Where the bad bytes start in the cell.
        byte: usize,
    },
    /// A worksheet cell (an `.xlsx` input) that cannot be read as its
    /// column's text.
    Sheet {
        /// The header of its column; `None` for a cell outside the header's
        /// columns, a problem of the row.
        column: Option<String>,
        /// What the cell holds.
        cell: crate::xlsx::read::SheetCell,
    },
    /// A cell handed over by a binding (a DataFrame or a dict) that cannot be
    /// read as the text of a CSV cell.
    Cell {
        /// The column's name.
        column: String,
        /// What the cell is.
        error: CellError,
    },
}

/// Why a binding's cell is not the text of a CSV cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellError {
    /// A string that is not valid text (Python's lone surrogates).
    NotText,
    /// An ID cell that holds neither text nor a whole number from an integer
    /// column: `what` it is ("a float", "a boolean") and the value found.
    NotId {
        /// What the cell holds, e.g. `a float`.
        what: String,
        /// The value as found, shortened.
        found: Found,
    },
}

impl Problem {
    /// A problem of a record of a file in `format`.
    pub fn new(format: Format, cause: Cause) -> Problem {
        Problem { format, cause }
    }

    /// A value the model refuses.
    pub fn invalid(format: Format, e: ValidationError) -> Problem {
        Problem::new(format, Cause::Invalid(e))
    }

    /// A second assessment of a child on one date (§7).
    pub fn duplicate(d: vsend_core::Duplicate, format: Format) -> Problem {
        Problem::invalid(format, d.into())
    }

    /// A second plan of a child moving on one date (§11).
    pub fn duplicate_plan(d: vsend_core::DuplicatePlan, format: Format) -> Problem {
        Problem::invalid(format, d.into())
    }

    /// A plan whose child has no assessment on or before the move (§11).
    pub fn no_assessment(e: NoAssessment, format: Format) -> Problem {
        Problem::new(format, Cause::NoAssessment(e))
    }

    /// The field at fault, in the format's words (a CSV column header or a
    /// JSON path), or `(row)` for the record as a whole.
    pub fn field(&self) -> String {
        match &self.cause {
            Cause::Invalid(e) => e.field().name_in(self.format),
            Cause::NoAssessment(_) => Field::ChildId.name_in(self.format),
            Cause::Quote { column, .. }
            | Cause::NotUtf8 { column, .. }
            | Cause::Cell { column, .. } => column.clone(),
            Cause::Sheet { column, .. } => column.clone().unwrap_or_else(|| ROW.to_owned()),
            Cause::FieldCount { .. } | Cause::LineTooLong { .. } => ROW.to_owned(),
        }
    }

    /// Whether the problem is about the record as a whole, not one field.
    pub fn is_row(&self) -> bool {
        match &self.cause {
            Cause::Invalid(e) => e.field() == Field::Record,
            Cause::FieldCount { .. } | Cause::LineTooLong { .. } => true,
            Cause::Sheet { column, .. } => column.is_none(),
            _ => false,
        }
    }

    /// The value found (shortened), empty when there is none to show.
    pub fn found(&self) -> &str {
        match &self.cause {
            Cause::Invalid(e) => e.found(),
            Cause::NoAssessment(e) => e.child_id.as_str(),
            Cause::Cell {
                error: CellError::NotId { found, .. },
                ..
            } => found.as_str(),
            Cause::Sheet { cell, .. } => cell.found(),
            _ => "",
        }
    }

    /// What is wrong and what is allowed, without saying where.
    pub fn detail(&self) -> Detail<'_> {
        Detail(self)
    }

    /// The full message: the field in the format's words, then the detail.
    pub fn message(&self) -> String {
        if self.is_row() {
            return self.detail().to_string();
        }
        let noun = match self.format {
            Format::Csv => "column",
            Format::Jsonl => "field",
        };
        format!("{noun} {}: {}", self.field(), self.detail())
    }

    /// What the problem is, without its values: problems with the same kind
    /// and field are the same mistake repeated, summarised together.
    pub fn kind(&self) -> Kind {
        Kind(
            std::mem::discriminant(&self.cause),
            match &self.cause {
                Cause::Invalid(e) => Some(std::mem::discriminant(e)),
                _ => None,
            },
        )
    }

    /// Whether the value is not a date where one is needed (§3).
    pub fn is_not_a_date(&self) -> bool {
        matches!(
            &self.cause,
            Cause::Invalid(ValidationError::NotADate { .. })
        )
    }
}

/// How a problem is named for the record as a whole.
pub const ROW: &str = "(row)";

/// The kind of a [`Problem`] (see [`Problem::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind(Discriminant<Cause>, Option<Discriminant<ValidationError>>);

/// [`Problem::detail`]: what is wrong and what is allowed.
#[derive(Debug, Clone, Copy)]
pub struct Detail<'p>(&'p Problem);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.cause {
            Cause::Invalid(e) => write!(f, "{e}"),
            Cause::NoAssessment(e) => write!(f, "{e}"),
            Cause::Quote { error, .. } => f.write_str(error.describe()),
            Cause::FieldCount { found, expected } => write!(
                f,
                "row has {found} fields; allowed exactly {expected}, one per header column"
            ),
            Cause::LineTooLong { bytes } => write!(
                f,
                "line is longer than 1 MiB ({} bytes); allowed at most {} bytes per line",
                thousands(*bytes),
                thousands(MAX_LINE_BYTES as u64)
            ),
            Cause::Sheet { cell, .. } => write!(f, "{cell}"),
            Cause::NotUtf8 { byte, .. } => {
                write!(f, "not valid UTF-8 at byte {byte}; allowed UTF-8 text")
            }
            Cause::Cell {
                error: CellError::NotText,
                ..
            } => f.write_str("not valid text (unpaired surrogate); allowed UTF-8 text"),
            Cause::Cell {
                column,
                error: CellError::NotId { what, found },
            } => write!(
                f,
                "{found} is {what}, not an ID; allowed text, or a whole number from an \
                 integer column (to keep IDs as written, read them as text: \
                 dtype={{\"{column}\": str}})"
            ),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The problems of a record the model refused, each named in `format`'s words.
pub fn problems_of(errors: vsend_core::ValidationErrors, format: Format) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem::invalid(format, e))
        .collect()
}

/// A record's outcome when some of its cells could not be read as text and
/// were validated as empty (`unreadable`, their problems): those problems
/// first, then the model's, an unreadable cell not reported again as missing.
pub fn with_unreadable<T>(
    unreadable: Vec<Problem>,
    result: Result<T, vsend_core::ValidationErrors>,
    format: Format,
) -> Result<T, Vec<Problem>> {
    if unreadable.is_empty() {
        return result.map_err(|errors| problems_of(errors, format));
    }
    let mut problems = unreadable;
    if let Err(errors) = result {
        let fields: Vec<String> = problems.iter().map(Problem::field).collect();
        problems.extend(
            problems_of(errors, format)
                .into_iter()
                .filter(|p| !(fields.contains(&p.field()) && p.found().is_empty())),
        );
    }
    Err(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_rendered_in_its_formats_words() {
        let fw = vsend_core::Framework::default();
        let mut b = vsend_core::AssessmentBuilder::new(&fw);
        b.child_id("C1")
            .assessed_on("2025-02-30")
            .need("cl.literacy", "5");
        let errors = b.build().unwrap_err();
        let csv = problems_of(errors.clone(), Format::Csv);
        let json = problems_of(errors, Format::Jsonl);
        assert_eq!(csv[0].field(), "assessed_on");
        assert_eq!(
            csv[0].message(),
            r#"column assessed_on: "2025-02-30" is not a date; allowed a calendar date YYYY-MM-DD"#
        );
        assert!(csv[0].is_not_a_date());
        assert_eq!(json[1].field(), "needs.cl.literacy");
        assert!(json[1]
            .message()
            .starts_with(r#"field needs.cl.literacy: "5" is above"#));
        assert_eq!(json[1].found(), "5");
        assert_ne!(csv[0].kind(), csv[1].kind());
        let row = Problem::new(
            Format::Csv,
            Cause::FieldCount {
                found: 3,
                expected: 38,
            },
        );
        assert_eq!(row.field(), ROW);
        assert_eq!(
            row.message(),
            "row has 3 fields; allowed exactly 38, one per header column"
        );
    }
}
