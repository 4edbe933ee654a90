//! Batch work over a whole input: scoring on all cores with output order kept,
//! and picking each child's latest assessments for charts.

use rayon::prelude::*;
use vsend_core::{score, Assessment, ChildId, Date, ScoredRow};

use crate::read::{FileError, Problem, Reader, Record, RecordParser, Row};
use crate::write::{push_csv_row, push_json_row};

/// What one slice of records gave: its scored output bytes and its rejections.
pub struct Batch {
    /// Records in the slice.
    pub records: u64,
    /// The scored rows, formatted.
    pub output: Vec<u8>,
    /// Rejected rows: line and problems, in input order.
    pub rejected: Vec<(u64, Vec<Problem>)>,
}

/// Most records read at a time; parsed and scored in slices on all cores.
pub const CHUNK: usize = 16_384;
/// Most line bytes read at a time: with two chunks in flight, memory follows
/// this rather than the width of the rows.
pub const CHUNK_BYTES: usize = 8 << 20;
/// Most records per parallel slice.
pub const SLICE: usize = 1_024;

/// Scores every record, reading the next chunk while the current one is parsed,
/// validated, scored and formatted in parallel; `emit` sees batches in input order.
///
/// `progress` is told the bytes read after each chunk.
pub fn score_parallel<E: From<FileError> + Send>(
    mut reader: Reader,
    parser: &RecordParser<'_>,
    json: bool,
    progress: impl Fn(u64),
    mut emit: impl FnMut(&Batch) -> Result<(), E> + Send,
) -> Result<(), E> {
    let fw = parser.framework();
    let score_slice = |slice: &mut [Record]| {
        let mut batch = Batch {
            records: slice.len() as u64,
            output: Vec::with_capacity(slice.len() * 256),
            rejected: Vec::new(),
        };
        for record in slice {
            match parser.parse(record) {
                Row::Accepted { assessment, .. } => {
                    let row = ScoredRow::new(fw, &assessment, &score(fw, &assessment));
                    if json {
                        push_json_row(&mut batch.output, &row);
                    } else {
                        push_csv_row(&mut batch.output, &row);
                    }
                }
                Row::Rejected { line, problems } => batch.rejected.push((line, problems)),
            }
        }
        batch
    };
    // A three-stage pipeline: read chunk n+1, score chunk n, write chunk n−1.
    let mut current = Vec::new();
    let mut next = Vec::new();
    let mut scored: Vec<Batch> = Vec::new();
    reader.read_chunk(&mut current, CHUNK, CHUNK_BYTES)?;
    loop {
        let (read, (batches, written)) = rayon::join(
            || reader.read_chunk(&mut next, CHUNK, CHUNK_BYTES),
            || {
                rayon::join(
                    || {
                        // A chunk cut short by wide rows is still shared by every core.
                        let slice = current
                            .len()
                            .div_ceil(4 * rayon::current_num_threads())
                            .clamp(1, SLICE);
                        current
                            .par_chunks_mut(slice)
                            .map(score_slice)
                            .collect::<Vec<Batch>>()
                    },
                    || scored.iter().try_for_each(&mut emit),
                )
            },
        );
        written?;
        if current.is_empty() {
            return Ok(());
        }
        scored = batches;
        progress(reader.position());
        read?;
        std::mem::swap(&mut current, &mut next);
    }
}

/// Each child's latest assessment on or before `as_of` and the one before it,
/// rejecting same-date duplicates as §7 does.
pub struct LatestPerChild {
    as_of: Option<Date>,
    children: std::collections::HashMap<ChildId, Reviews>,
}

/// One child's review dates seen, and their current and previous assessments.
type Reviews = (Vec<Date>, Option<Assessment>, Option<Assessment>);

impl LatestPerChild {
    /// An empty selection as of `as_of` (`None`: each child's latest).
    pub fn new(as_of: Option<Date>) -> Self {
        LatestPerChild {
            as_of,
            children: Default::default(),
        }
    }

    /// Adds one assessment; a same-date duplicate is returned as a problem.
    pub fn add(&mut self, a: Assessment) -> Option<Problem> {
        let (dates, current, before) = self.children.entry(a.child_id().clone()).or_default();
        if dates.contains(&a.assessed_on()) {
            let d = vsend_core::Duplicate {
                child_id: a.child_id().clone(),
                assessed_on: a.assessed_on(),
            };
            return Some(Problem::duplicate(d));
        }
        dates.push(a.assessed_on());
        if self.as_of.is_some_and(|as_of| a.assessed_on() > as_of) {
            return None;
        }
        if current
            .as_ref()
            .is_none_or(|c| a.assessed_on() > c.assessed_on())
        {
            *before = current.replace(a);
        } else if before
            .as_ref()
            .is_none_or(|b| a.assessed_on() > b.assessed_on())
        {
            *before = Some(a);
        }
        None
    }

    /// (current, previous) per child with an assessment on or before as_of, by child ID.
    pub fn into_children(self) -> Vec<(Assessment, Option<Assessment>)> {
        let mut out: Vec<_> = self
            .children
            .into_values()
            .filter_map(|(_, c, b)| Some((c?, b)))
            .collect();
        out.sort_by(|x, y| x.0.child_id().cmp(y.0.child_id()));
        out
    }
}
