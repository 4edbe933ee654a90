//! The columnar path of `score` for a DataFrame: numpy columns in, numpy
//! columns out, every row validated by the core as the CLI validates a CSV row.
//!
//! 1. Under the GIL, object columns (IDs and dates) are read out of their
//!    Python strings once; numeric columns are read in place.
//! 2. With no Python touched, slices of rows are validated and scored on
//!    every core, each slice writing its rows of the preallocated scored
//!    columns ([`Scored`]); a few slices per core at a time, with a check
//!    for Ctrl-C between them. In a slice, numeric columns are coded (a
//!    level 0 to 10, empty, or "other" to be written out as text) and the
//!    core reads the plainly valid rows a column at a time straight into
//!    levels ([`ColumnLayout::plain_block`]) and scores them a column at a
//!    time too ([`ScoreColumns`]); any other row is read as text
//!    ([`ColumnLayout::assessment`]), as the CLI reads a CSV row.
//! 3. In input order: §7 same-date duplicates are rejected by the core's
//!    rule ([`Scored::reject_duplicates`]), rejected rows are taken out, and
//!    the output arrays are handed to numpy without copying.

use pyo3::prelude::*;
use pyo3::types::PyString;
use rayon::prelude::*;
use vsend_core::{Column, ColumnLayout, Framework, PlainCell, ScoreColumns};

use std::borrow::Cow;

use arrow_array::ArrayRef;
use arrow_buffer::NullBuffer;

use crate::arrow::{locate, starts, ArrowCol, TextArray, TextPart};
use crate::cells::{arrow_text, float_id, id_text, object_text, BadCell, Markers, Text, SMALL};
use crate::score::{ChildOf, IdColumn, OutSlice, Output, Rejected, Scored};
use crate::source::{tick, with_bad_cells, ColumnData, Columns, NumericIds, Slice};

/// A numeric cell coded column-wise: `0..=10` a level, [`EMPTY`] or [`OTHER`]
/// (the core's columnar reading takes the codes as they are).
const EMPTY: u8 = vsend_core::EMPTY_LEVEL;
/// A value that is not a small whole number: written out as text for the core to judge.
const OTHER: u8 = 12;

/// Numbers in pieces (an Arrow column's chunks, read where they lie; a
/// numpy array is one piece), each with its null cells (`None`: none).
pub(crate) struct Pieces<'a, T> {
    pieces: Vec<(&'a [T], Option<&'a NullBuffer>)>,
    /// The first row of each piece, then the number of rows.
    starts: Vec<usize>,
}

impl<'a, T: Copy + Default> Pieces<'a, T> {
    fn new(pieces: Vec<(&'a [T], Option<&'a NullBuffer>)>) -> Self {
        let starts = starts(pieces.iter().map(|(values, _)| values.len()));
        Pieces { pieces, starts }
    }

    /// Cell `row`; `None` when null.
    fn get(&self, row: usize) -> Option<T> {
        let (p, i) = locate(&self.starts, row);
        let (values, nulls) = self.pieces[p];
        (!nulls.is_some_and(|n| n.is_null(i))).then(|| values[i])
    }

    /// `code` of each number of `rows`, in order; [`EMPTY`] for a null.
    fn codes(&self, rows: std::ops::Range<usize>, code: impl Fn(T) -> u8) -> Vec<u8> {
        let mut codes = Vec::with_capacity(rows.len());
        let (first, _) = locate(&self.starts, rows.start);
        for (p, &(values, nulls)) in self.pieces.iter().enumerate().skip(first) {
            let start = self.starts[p];
            if start >= rows.end {
                break;
            }
            let (from, to) = (
                rows.start.max(start) - start,
                rows.end.min(self.starts[p + 1]) - start,
            );
            let at = codes.len();
            codes.extend(values[from..to].iter().map(|&v| code(v)));
            if let Some(nulls) = nulls {
                // 64 cells' validity a word at a time (a bit set: not null).
                let bits = nulls.inner();
                let valid = bits.inner().bit_chunks(bits.offset() + from, to - from);
                let words = valid.iter().chain(Some(valid.remainder_bits()));
                for (cells, word) in codes[at..].chunks_mut(64).zip(words) {
                    // Masks, not a branch: nulls come at random.
                    for (j, c) in cells.iter_mut().enumerate() {
                        let keep = ((word >> j & 1) as u8).wrapping_neg();
                        *c = (*c & keep) | (EMPTY & !keep);
                    }
                }
            }
        }
        codes
    }
}

/// One input column, ready for any thread.
pub(crate) enum Col<'a> {
    /// Numbers (numpy's NaN is empty, as is an Arrow null): coded a slice
    /// at a time ([`Col::codes`]).
    F64(Pieces<'a, f64>),
    /// Whole numbers.
    I64(Pieces<'a, i64>),
    /// Text cells read from Python objects.
    Cells(Vec<Cell<'a>>),
    /// An Arrow column read in place, cell by cell on every core (`true`
    /// for an ID column): text is borrowed from its buffers.
    Arrow(&'a ArrowCol, bool),
}

/// A text cell read from a Python object.
pub(crate) enum Cell<'a> {
    Str(&'a str),
    Owned(String),
    /// Not read as text (lone surrogates), or not an ID: a problem of its row.
    Bad(BadCell),
}

impl Col<'_> {
    /// The code of cell `row` of a numeric column (`0..=10` a level,
    /// [`EMPTY`] or [`OTHER`]); `None` for a column of text.
    fn code(&self, row: usize) -> Option<u8> {
        match self {
            Col::F64(numbers) => Some(numbers.get(row).map_or(EMPTY, code_f64)),
            Col::I64(numbers) => Some(numbers.get(row).map_or(EMPTY, code_i64)),
            Col::Cells(_) | Col::Arrow(..) => None,
        }
    }

    /// The codes of `rows` of a numeric column, as [`Col::code`]; `None`
    /// for a column of text.
    fn codes(&self, rows: std::ops::Range<usize>) -> Option<Vec<u8>> {
        match self {
            Col::F64(numbers) => Some(numbers.codes(rows, code_f64)),
            Col::I64(numbers) => Some(numbers.codes(rows, code_i64)),
            Col::Cells(_) | Col::Arrow(..) => None,
        }
    }
}

/// The code of a number: a level `0..=10` (−0 is 0), [`EMPTY`] for NaN,
/// else [`OTHER`].
///
/// A level, and NaN as numpy and Arrow write it, has its low [`LOW_BITS`]
/// bits clear, so those numbers are coded by a look-up of their top bits
/// (a table made at compile time by [`code_f64_by_value`] itself); any
/// other is coded by [`code_f64_by_value`].
#[inline]
fn code_f64(v: f64) -> u8 {
    let bits = v.to_bits();
    if bits & ((1 << LOW_BITS) - 1) == 0 {
        CODE_BY_TOP_BITS[(bits >> LOW_BITS) as usize]
    } else {
        code_f64_by_value(v)
    }
}

/// [`code_f64`] worked out from the value.
const fn code_f64_by_value(v: f64) -> u8 {
    let i = v as u8; // saturating; NaN gives 0
    if i as f64 == v && i <= 10 {
        i
    } else if v.is_nan() {
        EMPTY
    } else {
        OTHER
    }
}

/// The low bits of an `f64` that are clear in every level 0 to 10 (at most
/// three bits of mantissa are set) and in NaN as numpy writes it.
const LOW_BITS: u32 = 49;

/// [`code_f64_by_value`] of every number whose low [`LOW_BITS`] bits are
/// clear, by its other bits: 32 KiB, of which a dozen cache lines are read.
static CODE_BY_TOP_BITS: [u8; 1 << (64 - LOW_BITS)] = {
    let mut table = [OTHER; 1 << (64 - LOW_BITS)];
    let mut top = 0;
    while top < table.len() {
        table[top] = code_f64_by_value(f64::from_bits((top as u64) << LOW_BITS));
        top += 1;
    }
    table
};

fn code_i64(v: i64) -> u8 {
    if (0..=10).contains(&v) {
        v as u8
    } else {
        OTHER
    }
}

fn other_f64(v: f64, buf: &mut String) {
    use std::fmt::Write;
    buf.clear();
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(buf, "{}", v as i64);
    } else {
        let _ = write!(buf, "{v}");
    }
}

/// The Arrow text the core's plain reading reads a column's cells from:
/// text as it is; values written out as text (a pyarrow date column, digits
/// too large for an i64) outside an ID column. `None` for any other column.
fn plain_text<'c>(col: &'c Col<'_>) -> Option<&'c TextArray> {
    match col {
        Col::Arrow(ArrowCol::Text(t), _)
        | Col::Arrow(ArrowCol::Other { text: t, .. } | ArrowCol::Digits(t), false) => Some(t),
        _ => None,
    }
}

/// Cell `row` of `col` for the core's plain reading, without text for a
/// number; [`PlainCell::Other`] leaves the row to the full reading.
#[inline]
fn plain_cell<'a>(col: &'a Col<'_>, row: usize) -> PlainCell<'a> {
    if let Some(t) = plain_text(col) {
        return t.get(row).map_or(PlainCell::Empty, PlainCell::Text);
    }
    match col {
        Col::F64(..) | Col::I64(..) => match col.code(row) {
            Some(EMPTY) => PlainCell::Empty,
            Some(OTHER) | None => PlainCell::Other,
            Some(level) => PlainCell::Level(level),
        },
        Col::Cells(cells) => match &cells[row] {
            Cell::Str(s) => PlainCell::Text(s),
            Cell::Owned(s) => PlainCell::Text(s),
            Cell::Bad(_) => PlainCell::Other,
        },
        Col::Arrow(..) => PlainCell::Other,
    }
}

/// Validates and scores the rows of one slice: the plainly valid by the
/// core's columnar reading, straight into levels; the rest by the full
/// reading of each cell's text ([`FullReading`]).
fn run_slice(
    fw: &Framework,
    layout: &ColumnLayout,
    names: &[String],
    cols: &[Col<'_>],
    out: &mut OutSlice<'_>,
) -> Rejected {
    let mut rejected = Rejected::new();
    let mut full = FullReading::new(cols.len());
    let start = out.start;
    let rows = start..start + out.len();
    let coded: Vec<Option<Vec<u8>>> = cols.iter().map(|c| c.codes(rows.clone())).collect();
    let codes: Vec<Option<&[u8]>> = coded.iter().map(Option::as_deref).collect();
    // A column read as Arrow text: its chunk, found once for the slice when
    // it holds all of the slice's rows.
    let parts: Vec<Option<TextPart<'_>>> = cols
        .iter()
        .map(|c| plain_text(c).and_then(|t| t.part(rows.clone())))
        .collect();
    let cell = |c: usize, row: usize| match parts[c] {
        Some(part) => part.get(row).map_or(PlainCell::Empty, PlainCell::Text),
        None => plain_cell(&cols[c], row),
    };
    let block = layout.plain_block(fw, rows.clone(), &codes, cell);
    // Without §13's banding every scored column is among the core's
    // columns, scored a column at a time.
    let by_columns = fw.banding().is_none();
    if by_columns {
        let mut columns = ScoreColumns::new();
        for at in (0..block.len()).step_by(COLUMN_RUN) {
            columns.fill(fw, &block, at..(at + COLUMN_RUN).min(block.len()));
            out.write_columns(at, &columns);
        }
    }
    for (k, row) in rows.enumerate() {
        out.number(k, row as i64);
        match block.ids(k) {
            Some(ids) if by_columns => out.accept(k, &ids.child_id, ids.assessed_on),
            Some(_) => {
                let p = block.plain_scores(fw, k).expect("a row read plainly");
                out.write_scores(k, &p.scores, (&p.child_id, p.assessed_on), fw);
            }
            None => match full.read(fw, layout, names, cols, row) {
                Ok(a) => out.write(k, &a, fw),
                Err(problems) => rejected.push((row as i64, problems)),
            },
        }
    }
    rejected
}

/// Rows scored a column at a time in one go: some 200 KiB of columns, so
/// that they are still in the core's cache as they are written out.
const COLUMN_RUN: usize = 1024;

/// A row read in full, cell by cell as text, as the CLI reads a CSV row:
/// each column's scratch text, and the row's bad cells.
struct FullReading {
    scratch: Vec<String>,
    bad: Vec<(usize, BadCell)>,
}

impl FullReading {
    fn new(width: usize) -> Self {
        FullReading {
            scratch: vec![String::new(); width],
            bad: Vec::new(),
        }
    }

    /// Row `row` validated by the core, its bad cells' problems first.
    fn read(
        &mut self,
        fw: &Framework,
        layout: &ColumnLayout,
        names: &[String],
        cols: &[Col<'_>],
        row: usize,
    ) -> Result<vsend_core::Assessment, Vec<vsend_io::problem::Problem>> {
        let (scratch, bad) = (&mut self.scratch, &mut self.bad);
        bad.clear();
        // An Arrow cell's text (`None`: written to the column's scratch).
        let mut arrow: Vec<Option<&str>> = vec![None; cols.len()];
        let mut numeric = false;
        // Cells needing text written out go to their column's scratch first.
        for (c, col) in cols.iter().enumerate() {
            match col {
                Col::F64(numbers) if col.code(row) == Some(OTHER) => {
                    other_f64(numbers.get(row).unwrap_or_default(), &mut scratch[c])
                }
                Col::I64(numbers) if col.code(row) == Some(OTHER) => {
                    scratch[c].clear();
                    scratch[c].push_str(&numbers.get(row).unwrap_or_default().to_string());
                }
                Col::Cells(cells) => {
                    if let Cell::Bad(b) = &cells[row] {
                        bad.push((c, b.clone()));
                    }
                }
                Col::Arrow(col, id) => {
                    arrow[c] = match arrow_text(col, row, *id, &mut scratch[c], &mut numeric) {
                        Text::Borrowed(s) => Some(s),
                        Text::Scratch => None,
                        Text::Bad(b) => {
                            bad.push((c, b));
                            Some("")
                        }
                    }
                }
                _ => {}
            }
        }
        let (scratch, arrow) = (&*scratch, &arrow);
        let fields = cols.iter().enumerate().map(|(c, col)| -> &str {
            match col {
                Col::F64(..) | Col::I64(..) => match col.code(row) {
                    Some(EMPTY) | None => "",
                    Some(OTHER) => scratch[c].as_str(),
                    Some(level) => SMALL[usize::from(level)],
                },
                Col::Cells(cells) => match &cells[row] {
                    Cell::Str(s) => s,
                    Cell::Owned(s) => s.as_str(),
                    Cell::Bad(_) => "",
                },
                Col::Arrow(..) => arrow[c].unwrap_or(scratch[c].as_str()),
            }
        });
        with_bad_cells(layout.assessment(fw, fields), bad, names)
    }
}

/// The text of a cell as the core read it (trimmed), for IDs.
fn cell_text<'s>(col: &'s Col<'_>, row: usize, buf: &'s mut String) -> &'s str {
    match col {
        Col::Arrow(arrow, id) => match arrow_text(arrow, row, *id, buf, &mut false) {
            Text::Borrowed(s) => s.trim_ascii(),
            Text::Scratch => buf.trim_ascii(),
            Text::Bad(_) => "",
        },
        Col::Cells(cells) => match &cells[row] {
            Cell::Str(s) => s.trim_ascii(),
            Cell::Owned(s) => s.trim_ascii(),
            Cell::Bad(_) => "",
        },
        Col::F64(numbers) => match col.code(row) {
            Some(EMPTY) | None => "",
            Some(OTHER) => {
                other_f64(numbers.get(row).unwrap_or_default(), buf);
                buf.as_str()
            }
            Some(level) => SMALL[usize::from(level)],
        },
        Col::I64(numbers) => match col.code(row) {
            Some(EMPTY) | None => "",
            Some(OTHER) => {
                *buf = numbers.get(row).unwrap_or_default().to_string();
                buf.as_str()
            }
            Some(level) => SMALL[usize::from(level)],
        },
    }
}

/// The output ID column as Arrow text, in chunks: the input's own Arrow
/// chunks where every cell is as the core read it (not blank, nothing to
/// trim), taken at the accepted rows (the chunks themselves when every row
/// was accepted); else new text. An empty cell is null.
fn id_texts(col: Option<&Col<'_>>, rows: &[usize]) -> Vec<ArrayRef> {
    if let Some(Col::Arrow(ArrowCol::Text(text), _)) = col {
        let clean = (0..text.len()).into_par_iter().all(|i| {
            text.get(i)
                .is_none_or(|s| !s.is_empty() && s.trim_ascii().len() == s.len())
        });
        if clean {
            let chunks = text.chunks();
            if rows.len() == text.len() {
                return chunks;
            }
            let indices =
                arrow_array::UInt64Array::from_iter_values(rows.iter().map(|&r| r as u64));
            let taken = crate::arrow::join(&chunks)
                .and_then(|all| arrow_select::take::take(&all, &indices, None));
            if let Ok(taken) = taken {
                return vec![taken];
            }
        }
    }
    let mut builder =
        arrow_array::builder::StringBuilder::with_capacity(rows.len(), rows.len() * 8);
    let mut buf = String::new();
    for &row in rows {
        match col.map_or("", |c| cell_text(c, row, &mut buf)) {
            "" => builder.append_null(),
            text => builder.append_value(text),
        }
    }
    vec![std::sync::Arc::new(builder.finish())]
}

/// The output ID column: the input's string object where it needed no
/// trimming (the same object, not a copy), else a new string; `None` if empty.
fn id_objects(
    py: Python<'_>,
    col: Option<(&Col<'_>, Option<&[PyObject]>)>,
    rows: &[usize],
) -> Vec<PyObject> {
    let mut buf = String::new();
    rows.iter()
        .map(|&row| {
            let Some((col, objects)) = col else {
                return py.None();
            };
            if let (Col::Cells(cells), Some(objects)) = (col, objects) {
                if let Cell::Str(s) = cells[row] {
                    if s.trim_ascii().len() == s.len() {
                        return if s.is_empty() {
                            py.None()
                        } else {
                            objects[row].clone_ref(py)
                        };
                    }
                }
            }
            match cell_text(col, row, &mut buf) {
                "" => py.None(),
                text => PyString::new(py, text).into_any().unbind(),
            }
        })
        .collect()
}

/// A DataFrame's columns ready for any thread, and each column's Python
/// objects (an object column's).
type FrameCols<'a> = (Vec<Col<'a>>, Vec<Option<&'a [PyObject]>>);

/// Reads a DataFrame's columns for scoring: numeric columns as they are
/// (coded a slice at a time), object columns' cells read once as text under
/// the GIL. ID columns that held numbers are noted in `numeric_ids`.
/// Returns the columns and, per column, its Python objects (an object
/// column's, kept alive while their text is borrowed).
fn read_frame<'a>(
    py: Python<'a>,
    layout: &ColumnLayout,
    columns: &Columns<'_>,
    slices: Vec<Slice<'a>>,
    numeric_ids: &mut NumericIds,
) -> PyResult<FrameCols<'a>> {
    let n = columns.rows;
    let markers = Markers::new(py)?;
    let mut objects: Vec<Option<&[PyObject]>> = Vec::with_capacity(slices.len());
    let mut cols: Vec<Col<'_>> = Vec::with_capacity(slices.len());
    let mut buf = String::new();
    for (c, column) in slices.into_iter().enumerate() {
        let id = matches!(layout.columns()[c], Column::ChildId | Column::SettingId);
        let mut numeric = false;
        match column {
            Slice::F64(values) if id => {
                // A float ID is refused row by row; NaN is empty.
                objects.push(None);
                let cells = values
                    .iter()
                    .map(|&v| {
                        numeric |= !v.is_nan();
                        match float_id(v) {
                            Ok(()) => Cell::Str(""),
                            Err(bad) => Cell::Bad(bad),
                        }
                    })
                    .collect();
                cols.push(Col::Cells(cells));
            }
            Slice::F64(values) => {
                objects.push(None);
                cols.push(Col::F64(Pieces::new(vec![(values, None)])));
            }
            Slice::I64(values) => {
                numeric = id && n > 0;
                objects.push(None);
                cols.push(Col::I64(Pieces::new(vec![(values, None)])));
            }
            Slice::Obj(objs) => {
                objects.push(Some(objs));
                let mut cells = Vec::with_capacity(n);
                for (row, o) in objs.iter().enumerate() {
                    tick(py, row)?;
                    let o = o.bind(py);
                    let text = if id {
                        id_text(o, &markers, &mut buf, &mut numeric)
                    } else {
                        object_text(o, &markers, &mut buf)
                    };
                    cells.push(match text {
                        Text::Borrowed(s) => Cell::Str(s),
                        Text::Scratch => Cell::Owned(buf.clone()),
                        Text::Bad(bad) => Cell::Bad(bad),
                    });
                }
                cols.push(Col::Cells(cells));
            }
            Slice::Arrow(ArrowCol::F64(a)) if !id => {
                objects.push(None);
                cols.push(Col::F64(Pieces::new(a.pieces().collect())));
            }
            Slice::Arrow(ArrowCol::I64(a)) if !id => {
                objects.push(None);
                cols.push(Col::I64(Pieces::new(a.pieces().collect())));
            }
            Slice::Arrow(col) => {
                // Read in place while scoring; IDs by their rules.
                objects.push(None);
                numeric = id && col.has_numbers();
                cols.push(Col::Arrow(col, id));
            }
        }
        if numeric {
            numeric_ids.note(&columns.names[c]);
        }
    }
    Ok((cols, objects))
}

/// Validates and scores a DataFrame's columns (§3–§6, §9, §7). Returns the
/// scored columns for the Python side, the rejected rows in order, and the
/// rows read.
pub(crate) fn score_frame(
    py: Python<'_>,
    fw: &Framework,
    columns: &Columns<'_>,
    output: Output,
    numeric_ids: &mut NumericIds,
) -> PyResult<(Scored, (IdColumn, IdColumn), Rejected)> {
    let n = columns.rows;
    let layout = columns.layout(py, fw)?;
    let (cols, objects) = read_frame(py, &layout, columns, columns.slices()?, numeric_ids)?;
    let mut scored = Scored::new(fw);
    scored.grow(n);
    let mut slices = scored.slices(0).into_iter();
    // Sixteen slices per core at a time (fewer waits for the slowest core on a
    // busy machine), checking for Ctrl-C between them.
    let batch = rayon::current_num_threads().max(1) * 16;
    let mut rejected = Rejected::new();
    let names: &[String] = &columns.names;
    loop {
        py.check_signals()?;
        let some: Vec<OutSlice<'_>> = slices.by_ref().take(batch).collect();
        if some.is_empty() {
            break;
        }
        let per_slice: Vec<Rejected> = some
            .into_par_iter()
            .map(|mut s| run_slice(fw, &layout, names, &cols, &mut s))
            .collect();
        rejected.extend(per_slice.into_iter().flatten());
    }
    // Every slice has written its rows (as it was dropped); the borrow ends here.
    drop(slices);
    let column = |want: Column| layout.columns().iter().position(|&c| c == want);
    // §7 reads each child's ID as the core read it from its cell.
    let child_col = column(Column::ChildId).map(|c| &cols[c]);
    let child_of: &ChildOf<'_> = &|k| {
        let col = child_col?;
        let written_out = || Cow::Owned(cell_text(col, k, &mut String::new()).to_owned());
        // Borrowed from the column where the text is there as read.
        Some(match col {
            Col::Cells(cells) => match &cells[k] {
                Cell::Str(s) => Cow::Borrowed(s.trim_ascii()),
                _ => written_out(),
            },
            Col::Arrow(ArrowCol::Text(t), _) => Cow::Borrowed(t.get(k).unwrap_or("").trim_ascii()),
            _ => written_out(),
        })
    };
    scored.reject_duplicates(&mut rejected, vsend_core::Format::Csv, Some(child_of));
    // The ID columns reuse the DataFrame's own string objects where it can;
    // for Arrow output, or from an Arrow column, they are Arrow text.
    let accepted = scored.accepted_slots();
    let ids_of = |want: Column| {
        let c = column(want);
        let arrow_in = c.is_some_and(|c| matches!(columns.data[c], ColumnData::Arrow(_)));
        if output == Output::Numpy && !arrow_in {
            return IdColumn::Objects(id_objects(py, c.map(|c| (&cols[c], objects[c])), &accepted));
        }
        IdColumn::Arrow(id_texts(c.map(|c| &cols[c]), &accepted))
    };
    let ids = (ids_of(Column::ChildId), ids_of(Column::SettingId));
    Ok((scored, ids, rejected))
}
