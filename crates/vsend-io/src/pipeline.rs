//! Scoring a whole input on all cores, output order kept, same-date
//! duplicates rejected in input order (§7).

use rayon::prelude::*;
use vsend_core::{score, ChildId, Date, ScoredRow, SeenDates};

use crate::read::{FileError, Format, Problem, Reader, Record, RecordParser, Row};
use crate::write::RowWriter;

/// What one slice of records gave: its scored output bytes and its rejections.
#[derive(Debug)]
pub struct Batch {
    /// Records in the slice.
    pub records: u64,
    /// The scored rows, formatted.
    pub output: Vec<u8>,
    /// Rejected rows: line and problems, in input order.
    pub rejected: Vec<(u64, Vec<Problem>)>,
    /// Each scored row's line, child, date and end in `output`, until
    /// [`Batch::reject_duplicates`] has checked them.
    scored: Vec<(u64, ChildId, Date, usize)>,
}

impl Batch {
    /// Rejects the rows that repeat a child's date seen before (§7), in input
    /// order: their bytes leave `output` and their problems join `rejected`.
    fn reject_duplicates(&mut self, seen: &mut SeenDates, format: Format) {
        let mut duplicates = Vec::new();
        for (i, (line, child, on, _)) in self.scored.iter().enumerate() {
            if let Err(d) = seen.add(child, *on) {
                duplicates.push((i, *line, d));
            }
        }
        if duplicates.is_empty() {
            return;
        }
        let mut kept = Vec::with_capacity(self.output.len());
        let (mut start, mut next) = (0, duplicates.iter().peekable());
        for (i, &(.., end)) in self.scored.iter().enumerate() {
            if next.next_if(|(at, ..)| *at == i).is_none() {
                kept.extend_from_slice(&self.output[start..end]);
            }
            start = end;
        }
        self.output = kept;
        for (_, line, d) in duplicates {
            self.rejected
                .push((line, vec![Problem::duplicate(d, format)]));
        }
        // Stable: a line's problems keep their order, lines come in input order.
        self.rejected.sort_by_key(|(line, _)| *line);
    }
}

/// Most records read at a time; parsed and scored in slices on all cores.
pub const CHUNK: usize = 16_384;
/// Most line bytes read at a time: with two chunks in flight, memory follows
/// this rather than the width of the rows.
pub const CHUNK_BYTES: usize = 8 << 20;
/// Most records per parallel slice.
pub const SLICE: usize = 1_024;
/// About the most output bytes made from one chunk: a chunk is cut to fewer
/// records when its rows are wide (a JSON line is some 700 bytes, a CSV line
/// 200), so that the output of the two chunks in flight stays near 8 MiB.
pub const CHUNK_OUTPUT: usize = 4 << 20;

/// Scores every record, reading the next chunk while the current one is parsed,
/// validated, scored and formatted in parallel; `emit` sees batches in input
/// order, after same-date duplicates (§7) were checked against `seen`.
///
/// `json` picks scored JSON Lines over CSV; `progress` is told the bytes read
/// after each chunk.
pub fn score_parallel<E: From<FileError> + Send>(
    mut reader: Reader,
    parser: &RecordParser<'_>,
    seen: &mut SeenDates,
    json: bool,
    progress: impl Fn(u64),
    mut emit: impl FnMut(&Batch) -> Result<(), E> + Send,
) -> Result<(), E> {
    let fw = parser.framework();
    let format = parser.format();
    let score_slice = |writer: &mut RowWriter, slice: &mut [Record], row_bytes: usize| {
        let mut batch = Batch {
            records: slice.len() as u64,
            // Room for the rows as wide as the last chunk's, and one more.
            output: Vec::with_capacity((slice.len() + 1) * row_bytes),
            rejected: Vec::new(),
            scored: Vec::with_capacity(slice.len()),
        };
        for record in slice {
            // Most rows: read straight to their scores, no assessment built.
            if let Some(plain) = parser.plain_scores(record) {
                let (child, on, setting) = (plain.child_id, plain.assessed_on, plain.setting_id);
                let row = ScoredRow::of(fw, child.as_str(), on, setting, &plain.scores);
                writer.push(&mut batch.output, &row);
                batch
                    .scored
                    .push((record.line(), child, on, batch.output.len()));
                continue;
            }
            match parser.parse(record) {
                Row::Accepted {
                    line,
                    value: assessment,
                } => {
                    let row = ScoredRow::new(fw, &assessment, &score(fw, &assessment));
                    writer.push(&mut batch.output, &row);
                    let (child, on) = (assessment.child_id().clone(), assessment.assessed_on());
                    batch.scored.push((line, child, on, batch.output.len()));
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
    // Output bytes per record, as last seen, and the records a chunk holds.
    let mut row_bytes = if json { 1024 } else { 256 };
    let mut records = (CHUNK_OUTPUT / row_bytes).clamp(SLICE, CHUNK);
    reader.read_chunk(&mut current, records, CHUNK_BYTES)?;
    loop {
        let (read, (batches, written)) = rayon::join(
            || reader.read_chunk(&mut next, records, CHUNK_BYTES),
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
                            .map_init(
                                || RowWriter::new(json),
                                |writer, slice| score_slice(writer, slice, row_bytes),
                            )
                            .collect::<Vec<Batch>>()
                    },
                    || {
                        scored.iter_mut().try_for_each(|batch| {
                            batch.reject_duplicates(seen, format);
                            emit(batch)
                        })
                    },
                )
            },
        );
        written?;
        if current.is_empty() {
            return Ok(());
        }
        let (n, bytes) = batches.iter().fold((0, 0), |(n, bytes), b| {
            (n + b.scored.len(), bytes + b.output.len())
        });
        if n > 0 {
            row_bytes = bytes.div_ceil(n);
            records = (CHUNK_OUTPUT / row_bytes).clamp(SLICE, CHUNK);
        }
        scored = batches;
        progress(reader.position());
        read?;
        std::mem::swap(&mut current, &mut next);
    }
}
