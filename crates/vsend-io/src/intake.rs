//! The one intake: records in, accepted values handed on, rejected rows'
//! problems out, counts that reconcile (§9: rows read = rows accepted + rows
//! rejected).
//!
//! Every command, the Python package and the C interface read rows through
//! this. Whatever takes the accepted values (a cohort, one history per child,
//! a scorer, a plan list) may still refuse one, as §7 refuses a second
//! assessment of a child on one date: the refusal becomes a problem of its
//! row, in the file format's words.

use vsend_core::{Duplicate, DuplicatePlan, Format, NoAssessment, ValidationError};

use crate::problem::{Cause, Problem};
use crate::read::{FileError, Row, Rows, Schema};

impl From<ValidationError> for Cause {
    fn from(e: ValidationError) -> Cause {
        Cause::Invalid(e)
    }
}

impl From<Duplicate> for Cause {
    fn from(d: Duplicate) -> Cause {
        Cause::Invalid(d.into())
    }
}

impl From<DuplicatePlan> for Cause {
    fn from(d: DuplicatePlan) -> Cause {
        Cause::Invalid(d.into())
    }
}

impl From<NoAssessment> for Cause {
    fn from(e: NoAssessment) -> Cause {
        Cause::NoAssessment(e)
    }
}

/// Records read and rows rejected, so far or in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records read (rows, lines, dicts).
    pub read: u64,
    /// Records rejected: refused by the reader or by what took them.
    pub rejected: u64,
}

impl Counts {
    /// Records accepted.
    pub fn accepted(&self) -> u64 {
        self.read - self.rejected
    }
}

/// The intake of one input, one record at a time, for sources that are not a
/// file (a DataFrame's rows, a list of dicts); [`intake`] reads a file.
#[derive(Debug)]
pub struct Intake<A> {
    accept: A,
    format: Format,
    counts: Counts,
}

impl<A> Intake<A> {
    /// An intake handing accepted values to `accept`, which may refuse one;
    /// problems are named in `format`'s words.
    pub fn new(format: Format, accept: A) -> Intake<A> {
        Intake {
            accept,
            format,
            counts: Counts::default(),
        }
    }

    /// One record read: a value, or the problems that rejected it. Returns
    /// the problems of a rejected row, whether the reader or `accept`
    /// refused it.
    pub fn record<T, R>(&mut self, outcome: Result<T, Vec<Problem>>) -> Result<(), Vec<Problem>>
    where
        A: FnMut(T) -> Result<(), R>,
        R: Into<Cause>,
    {
        self.counts.read += 1;
        let refused = match outcome {
            Ok(value) => match (self.accept)(value) {
                Ok(()) => return Ok(()),
                Err(why) => vec![Problem::new(self.format, why.into())],
            },
            Err(problems) => problems,
        };
        self.counts.rejected += 1;
        Err(refused)
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }
}

/// Reads every row of a file into `accept`, telling `each` about every row
/// read (its line, the problems that rejected it, the running counts);
/// stops at the first error `each` returns, or at a file error.
///
/// ```
/// use std::io::Cursor;
/// use vsend_core::{Cohort, Framework};
/// use vsend_io::intake::intake;
/// use vsend_io::read::{FileError, Format, Input};
///
/// let fw = Framework::default();
/// let text = std::fs::read_to_string("../../fixtures/examples/cohort-duplicates.csv").unwrap();
/// let input = Input::from_reader("c.csv", Format::Csv, Cursor::new(text.into_bytes()));
/// let mut cohort = Cohort::new(&fw, None);
/// let mut lines = Vec::new();
/// let counts = intake(input.rows(&fw)?, |a| cohort.add(&a), |row| {
///     if row.is_rejected() {
///         lines.push(row.line);
///     }
///     Ok::<_, FileError>(())
/// })?;
/// assert_eq!(lines, [7, 24]); // the two same-date re-submissions (§7)
/// assert_eq!(counts.read, counts.accepted() + counts.rejected);
/// # Ok::<(), FileError>(())
/// ```
pub fn intake<S, T, R, E>(
    rows: Rows<'_, S>,
    accept: impl FnMut(T) -> Result<(), R>,
    mut each: impl FnMut(RowRead) -> Result<(), E>,
) -> Result<Counts, E>
where
    S: Schema<Value = T>,
    R: Into<Cause>,
    E: From<FileError>,
{
    let mut intake = Intake::new(rows.format(), accept);
    let mut rows = rows;
    while let Some(row) = rows.next() {
        let (line, outcome) = match row? {
            Row::Accepted { line, value } => (line, Ok(value)),
            Row::Rejected { line, problems } => (line, Err(problems)),
        };
        let problems = intake.record(outcome).err().unwrap_or_default();
        each(RowRead {
            line,
            problems,
            counts: intake.counts(),
            bytes: rows.position(),
        })?;
    }
    Ok(intake.counts())
}

/// One row an [`intake`] has read.
#[derive(Debug)]
pub struct RowRead {
    /// Its physical line (1-based).
    pub line: u64,
    /// The problems that rejected it; empty when it was accepted.
    pub problems: Vec<Problem>,
    /// Records read and rejected so far, this one included.
    pub counts: Counts,
    /// Bytes of the input consumed so far.
    pub bytes: u64,
}

impl RowRead {
    /// Whether the row was rejected.
    pub fn is_rejected(&self) -> bool {
        !self.problems.is_empty()
    }
}
