//! Arrow in and out: a column of a polars DataFrame, a pyarrow Table or
//! RecordBatch, anything with the Arrow PyCapsule interface, or a pandas
//! column backed by Arrow (pandas 3's text columns), read through its
//! buffers; and scored columns handed back as Arrow arrays. The interchange
//! is `pyo3-arrow`'s; no buffer is read by hand.
//!
//! A column is prepared once ([`ArrowCol`]): numbers as they are, text
//! borrowed from its buffers, anything else (dates, booleans) written out as
//! text by `arrow-cast`, so each cell is then read as a CSV cell is, by the
//! rules of `cells.rs`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Date32Type, Float64Type, Int16Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int16Array,
    Int64Array, LargeStringArray, PrimitiveArray, StringArray, StringViewArray,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3_arrow::{PyChunkedArray, PyTable};
use rayon::prelude::*;

/// A text column as its chunks came (however many: no copy), each borrowed
/// from whichever string layout it came in.
pub(crate) struct TextArray {
    chunks: Vec<TextChunk>,
    /// The first row of each chunk, and then the number of rows.
    starts: Vec<usize>,
    /// For each block of [`BLOCK`] rows, the chunk of its first row: a
    /// row's chunk is found from there in a step or two.
    chunk_of_block: Vec<u32>,
}

/// Rows per entry of [`TextArray::chunk_of_block`].
const BLOCK: usize = 1 << 12;

/// Where each of a column's chunks begins, given their lengths: the first
/// row of each, and then the number of rows.
pub(crate) fn starts(lengths: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut starts = vec![0];
    for n in lengths {
        starts.push(starts[starts.len() - 1] + n);
    }
    starts
}

/// The chunk holding row `row` (by the chunks' [`starts`]), and the row's
/// place in it; an empty chunk holds none. Row `rows` (one past the last)
/// gives the number of chunks.
pub(crate) fn locate(starts: &[usize], row: usize) -> (usize, usize) {
    let c = starts.partition_point(|&s| s <= row) - 1;
    (c, row - starts[c])
}

/// Rows of a text column that lie in one of its chunks: read without
/// finding the chunk again for each ([`TextArray::part`]).
#[derive(Clone, Copy)]
pub(crate) struct TextPart<'t> {
    chunk: &'t TextChunk,
    /// The column's row at the chunk's first.
    start: usize,
}

impl<'t> TextPart<'t> {
    /// Row `i` of the column: `None` when null. Panics when `i` is not in
    /// the chunk.
    #[inline]
    pub(crate) fn get(self, i: usize) -> Option<&'t str> {
        self.chunk.get(i - self.start)
    }
}

/// One chunk of a text column.
enum TextChunk {
    Utf8(StringArray),
    Large(LargeStringArray),
    View(StringViewArray),
}

impl TextChunk {
    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            TextChunk::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            TextChunk::Large(a) => a.is_valid(i).then(|| a.value(i)),
            TextChunk::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }

    fn array(&self) -> ArrayRef {
        match self {
            TextChunk::Utf8(a) => Arc::new(a.clone()),
            TextChunk::Large(a) => Arc::new(a.clone()),
            TextChunk::View(a) => Arc::new(a.clone()),
        }
    }

    fn of(array: &ArrayRef) -> Option<TextChunk> {
        Some(match array.data_type() {
            DataType::Utf8 => TextChunk::Utf8(array.as_string::<i32>().clone()),
            DataType::LargeUtf8 => TextChunk::Large(array.as_string::<i64>().clone()),
            DataType::Utf8View => TextChunk::View(array.as_string_view().clone()),
            _ => return None,
        })
    }
}

impl TextArray {
    /// Cell `i`: `None` when null. Panics when `i` is out of range.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let mut c = self.chunk_of_block[i / BLOCK] as usize;
        while self.starts[c + 1] <= i {
            c += 1;
        }
        self.chunks[c].get(i - self.starts[c])
    }

    /// The chunk that holds every row of `rows`, and its first row; `None`
    /// when they span chunks (or are none).
    pub(crate) fn part(&self, rows: std::ops::Range<usize>) -> Option<TextPart<'_>> {
        let first = *self.chunk_of_block.get(rows.start / BLOCK)? as usize;
        let c = (first..self.chunks.len()).find(|&c| rows.start < self.starts[c + 1])?;
        (rows.end <= self.starts[c + 1]).then(|| TextPart {
            chunk: &self.chunks[c],
            start: self.starts[c],
        })
    }

    /// The chunks themselves (no copy).
    pub(crate) fn chunks(&self) -> Vec<ArrayRef> {
        self.chunks.iter().map(TextChunk::array).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// One array of text.
    fn of(array: &ArrayRef) -> Option<TextArray> {
        Self::of_chunks(std::slice::from_ref(array))
    }

    /// Chunks of text, of any string layouts; `None` if one is not text.
    fn of_chunks(arrays: &[ArrayRef]) -> Option<TextArray> {
        let chunks: Vec<TextChunk> = arrays.iter().map(TextChunk::of).collect::<Option<_>>()?;
        let starts = starts(arrays.iter().map(|a| a.len()));
        let rows = starts[starts.len() - 1];
        let mut chunk_of_block = Vec::with_capacity(rows.div_ceil(BLOCK));
        let mut c = 0;
        for first in (0..rows).step_by(BLOCK) {
            while starts[c + 1] <= first {
                c += 1;
            }
            chunk_of_block.push(c as u32);
        }
        Some(TextArray {
            chunks,
            starts,
            chunk_of_block,
        })
    }
}

/// A numeric column as its chunks came (however many: no copy), each
/// chunk's values and nulls read where they lie.
pub(crate) struct Numbers<T: ArrowPrimitiveType> {
    chunks: Vec<PrimitiveArray<T>>,
    /// The first row of each chunk, then the number of rows.
    starts: Vec<usize>,
}

impl<T: ArrowPrimitiveType> Numbers<T> {
    fn of_chunks(chunks: Vec<PrimitiveArray<T>>) -> Self {
        let starts = starts(chunks.iter().map(|a| a.len()));
        Numbers { chunks, starts }
    }

    /// The number of cells.
    pub(crate) fn len(&self) -> usize {
        self.starts[self.starts.len() - 1]
    }

    /// Cell `row`; `None` when null.
    pub(crate) fn get(&self, row: usize) -> Option<T::Native> {
        let (c, i) = locate(&self.starts, row);
        let chunk = &self.chunks[c];
        chunk.is_valid(i).then(|| chunk.value(i))
    }

    /// Every cell, in order; `None` when null.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Option<T::Native>> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The number of null cells.
    pub(crate) fn null_count(&self) -> usize {
        self.chunks.iter().map(|c| c.null_count()).sum()
    }

    /// Each chunk's values and null cells (`None`: none), in order.
    pub(crate) fn pieces(&self) -> impl Iterator<Item = (&[T::Native], Option<&NullBuffer>)> {
        self.chunks.iter().map(|c| {
            let nulls = c.nulls().filter(|n| n.null_count() > 0);
            (&c.values()[..], nulls)
        })
    }
}

/// An Arrow column prepared for reading cell by cell.
pub(crate) enum ArrowCol {
    /// Real numbers; a null is empty.
    F64(Numbers<Float64Type>),
    /// Whole numbers that fit an i64; a null is empty.
    I64(Numbers<Int64Type>),
    /// Text, as it is.
    Text(TextArray),
    /// Whole numbers too large for an i64, written out in digits.
    Digits(TextArray),
    /// Values that are neither text nor numbers (`what` they are: a date,
    /// a boolean), written out as text: read as such in a level or date
    /// column, refused in an ID column.
    Other { what: String, text: TextArray },
}

/// `array` cast to `to`, or a `ValueError` naming the column.
fn cast(name: &str, array: &ArrayRef, to: &DataType) -> PyResult<ArrayRef> {
    arrow_cast::cast(array, to).map_err(|e| {
        PyValueError::new_err(format!(
            "column {name}: cannot read Arrow type {}: {e}",
            array.data_type()
        ))
    })
}

/// `array` written out as text.
fn as_text(name: &str, array: &ArrayRef) -> PyResult<TextArray> {
    let text = cast(name, array, &DataType::Utf8)?;
    Ok(TextArray::of(&text).expect("cast to Utf8"))
}

impl ArrowCol {
    /// Prepares one column of `chunks` of type `data_type` (`name` for
    /// messages): text and numbers are read chunk by chunk where they lie
    /// (a pandas column backed by Arrow comes in several, as does a pyarrow
    /// table's), any other type joined into one array.
    fn of_chunks(name: &str, chunks: &[ArrayRef], data_type: &DataType) -> PyResult<ArrowCol> {
        if chunks.is_empty() {
            return ArrowCol::new(name, arrow_array::new_empty_array(data_type));
        }
        if let Some(text) = TextArray::of_chunks(chunks) {
            return Ok(ArrowCol::Text(text));
        }
        match ArrowCol::numbers(name, chunks, data_type) {
            Some(numbers) => numbers,
            None => ArrowCol::new(name, concat(name, chunks)?),
        }
    }

    /// `chunks` of numbers of type `data_type`, each as it is or cast to an
    /// f64 or an i64; `None` when the type is not one of those numbers.
    fn numbers(
        name: &str,
        chunks: &[ArrayRef],
        data_type: &DataType,
    ) -> Option<PyResult<ArrowCol>> {
        use DataType::*;
        fn each<T: ArrowPrimitiveType>(name: &str, chunks: &[ArrayRef]) -> PyResult<Numbers<T>> {
            let as_t = |c: &ArrayRef| -> PyResult<PrimitiveArray<T>> {
                match c.data_type() == &T::DATA_TYPE {
                    true => Ok(c.as_primitive::<T>().clone()),
                    false => Ok(cast(name, c, &T::DATA_TYPE)?.as_primitive::<T>().clone()),
                }
            };
            Ok(Numbers::of_chunks(
                chunks.iter().map(as_t).collect::<PyResult<_>>()?,
            ))
        }
        Some(match data_type {
            Float16 | Float32 | Float64 => each(name, chunks).map(ArrowCol::F64),
            Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 => {
                each(name, chunks).map(ArrowCol::I64)
            }
            _ => return None,
        })
    }

    /// Prepares one column (`name` for messages).
    pub(crate) fn new(name: &str, array: ArrayRef) -> PyResult<ArrowCol> {
        use DataType::*;
        if let Some(text) = TextArray::of(&array) {
            return Ok(ArrowCol::Text(text));
        }
        let one = std::slice::from_ref(&array);
        if let Some(numbers) = ArrowCol::numbers(name, one, array.data_type()) {
            return numbers;
        }
        Ok(match array.data_type() {
            // Every u64 in digits, as written: none turned into another number.
            UInt64 => ArrowCol::Digits(as_text(name, &array)?),
            Null | Dictionary(..) => ArrowCol::Text(as_text(name, &array)?),
            Boolean => ArrowCol::Other {
                what: "a boolean".to_owned(),
                text: TextArray::of(&bools_as_text(array.as_boolean())).expect("Utf8"),
            },
            Date32 => ArrowCol::Other {
                what: "a date".to_owned(),
                text: match dates_as_text(array.as_primitive::<Date32Type>()) {
                    Some(text) => text,
                    None => as_text(name, &array)?,
                },
            },
            Date64 => ArrowCol::Other {
                what: "a date".to_owned(),
                text: as_text(name, &array)?,
            },
            // A moment is read by its date, as a pandas datetime column is.
            Timestamp(..) => ArrowCol::Other {
                what: "a timestamp".to_owned(),
                text: as_text(name, &cast(name, &array, &Date32)?)?,
            },
            other => ArrowCol::Other {
                what: format!("a {other}"),
                text: as_text(name, &array)?,
            },
        })
    }

    /// The number of cells.
    pub(crate) fn len(&self) -> usize {
        match self {
            ArrowCol::F64(a) => a.len(),
            ArrowCol::I64(a) => a.len(),
            ArrowCol::Text(t) | ArrowCol::Digits(t) | ArrowCol::Other { text: t, .. } => t.len(),
        }
    }

    /// Whether any cell holds a number (not null, not NaN): an ID column
    /// that does is named by the `NumericIdWarning`.
    pub(crate) fn has_numbers(&self) -> bool {
        match self {
            ArrowCol::F64(a) => a.iter().flatten().any(|v| !v.is_nan()),
            ArrowCol::I64(a) => a.null_count() < a.len(),
            ArrowCol::Digits(t) => (0..t.len()).any(|i| t.get(i).is_some()),
            ArrowCol::Text(_) | ArrowCol::Other { .. } => false,
        }
    }

    /// Whether cell `i` is null.
    pub(crate) fn is_null(&self, i: usize) -> bool {
        match self {
            ArrowCol::F64(a) => a.get(i).is_none(),
            ArrowCol::I64(a) => a.get(i).is_none(),
            ArrowCol::Text(t) | ArrowCol::Digits(t) | ArrowCol::Other { text: t, .. } => {
                t.get(i).is_none()
            }
        }
    }
}

/// Dates written out as `arrow-cast` writes them (`YYYY-MM-DD`), without a
/// formatter per cell; `None` when a year is outside 0 to 9999, which
/// `arrow-cast` writes in other forms.
fn dates_as_text(a: &Date32Array) -> Option<TextArray> {
    let mut text = arrow_array::builder::StringBuilder::with_capacity(a.len(), a.len() * 10);
    let mut cell = String::with_capacity(10);
    for day in a.iter() {
        let Some(day) = day else {
            text.append_null();
            continue;
        };
        let (y, m, d) = civil_from_days(day);
        if !(0..=9999).contains(&y) {
            return None;
        }
        cell.clear();
        for (value, width) in [(y, 4), (i64::from(m), 2), (i64::from(d), 2)] {
            if !cell.is_empty() {
                cell.push('-');
            }
            for place in (0..width).rev() {
                let digit = (value / 10_i64.pow(place)) % 10;
                cell.push(char::from(b'0' + digit as u8));
            }
        }
        text.append_value(&cell);
    }
    let array: ArrayRef = Arc::new(text.finish());
    TextArray::of(&array)
}

/// The civil date (year, month, day) `days` after 1970-01-01 (Howard
/// Hinnant's `civil_from_days`, as `vsend_core::day_number` inverted).
fn civil_from_days(days: i32) -> (i64, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m as u32, d as u32)
}

/// Booleans written as Python writes them (`True`, `False`), as a pandas
/// boolean cell is read.
fn bools_as_text(a: &BooleanArray) -> ArrayRef {
    let text: StringArray = a
        .iter()
        .map(|b| b.map(|b| if b { "True" } else { "False" }))
        .collect();
    Arc::new(text)
}

/// One column from a pyarrow ChunkedArray or anything with
/// `__arrow_c_stream__` (a pandas column's Arrow array): text as its chunks
/// came, any other type's chunks joined.
pub(crate) fn column_of(name: &str, ob: &Bound<'_, PyAny>) -> PyResult<ArrowCol> {
    let chunked: PyChunkedArray = ob.extract()?;
    let (chunks, field) = chunked.into_inner();
    ArrowCol::of_chunks(name, &chunks, field.data_type())
}

/// Chunks joined into one array (no copy for a single chunk).
pub(crate) fn join(chunks: &[ArrayRef]) -> Result<ArrayRef, ArrowError> {
    match chunks {
        [one] => Ok(one.clone()),
        many => {
            let refs: Vec<&dyn Array> = many.iter().map(|a| a.as_ref()).collect();
            arrow_select::concat::concat(&refs)
        }
    }
}

/// Column `name`'s chunks joined ([`join`]), an error naming the column.
pub(crate) fn concat(name: &str, chunks: &[ArrayRef]) -> PyResult<ArrayRef> {
    join(chunks).map_err(|e| PyValueError::new_err(format!("column {name}: {e}")))
}

/// A table's column names and prepared columns, and its rows.
pub(crate) fn table_of(ob: &Bound<'_, PyAny>) -> PyResult<(Vec<String>, Vec<ArrowCol>, usize)> {
    let table: PyTable = ob.extract()?;
    let (batches, schema) = table.into_inner();
    let rows = batches.iter().map(|b| b.num_rows()).sum();
    let names = schema.fields().iter().map(|f| f.name().clone()).collect();
    // Columns prepared on every core: joining a column's chunks and writing
    // dates out as text are each a pass over the whole column.
    let columns = schema.fields()[..]
        .par_iter()
        .enumerate()
        .map(|(c, field)| {
            let chunks: Vec<ArrayRef> = batches.iter().map(|b| b.column(c).clone()).collect();
            ArrowCol::of_chunks(field.name(), &chunks, field.data_type())
        })
        .collect::<PyResult<_>>()?;
    Ok((names, columns, rows))
}

/// A null buffer from a mask (true = absent); `None` when nothing is absent.
fn nulls(mask: &[bool]) -> Option<NullBuffer> {
    mask.iter()
        .any(|&m| m)
        .then(|| NullBuffer::new(BooleanBuffer::collect_bool(mask.len(), |i| !mask[i])))
}

/// A nullable real column; `values` become the array's buffer without a copy.
pub(crate) fn figures(values: Vec<f64>, mask: &[bool]) -> ArrayRef {
    Arc::new(Float64Array::new(values.into(), nulls(mask)))
}

/// A nullable whole-number column; `values` become its buffer without a copy.
pub(crate) fn counts(values: Vec<i64>, mask: &[bool]) -> ArrayRef {
    Arc::new(Int64Array::new(values.into(), nulls(mask)))
}

/// Flags, none absent.
pub(crate) fn flags(values: &[bool]) -> ArrayRef {
    Arc::new(BooleanArray::new(
        BooleanBuffer::collect_bool(values.len(), |i| values[i]),
        None,
    ))
}

/// Dates from seconds since 1970 (whole days).
pub(crate) fn dates(seconds: &[i64]) -> ArrayRef {
    let days: Vec<i32> = seconds.iter().map(|s| (s / 86_400) as i32).collect();
    Arc::new(Date32Array::new(days.into(), None))
}

/// A categorical column: codes into `categories`, −1 absent.
pub(crate) fn categorical(codes: Vec<i16>, categories: &[String]) -> PyResult<ArrayRef> {
    let mask: Vec<bool> = codes.iter().map(|&c| c < 0).collect();
    let keys = Int16Array::new(codes.into(), nulls(&mask));
    let values: ArrayRef = Arc::new(StringArray::from_iter_values(categories));
    let dict = DictionaryArray::<Int16Type>::try_new(keys, values)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Arc::new(dict))
}

/// Text cells (`None` absent).
pub(crate) fn texts<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(cells.collect::<StringArray>())
}

/// Named columns as one Arrow table, for Python to take as a pyarrow Table
/// or a polars DataFrame through the PyCapsule interface.
pub(crate) fn table(py: Python<'_>, columns: Vec<(String, ArrayRef)>) -> PyResult<PyObject> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(name, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    let batch = arrow_array::RecordBatch::try_new(schema.clone(), arrays)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let table = PyTable::try_new(vec![batch], schema)?;
    Ok(table.into_pyobject(py)?.into_any().unbind())
}
