//! The columnar path of `score` for a DataFrame: numpy columns in, numpy
//! columns out, every row validated by the core as the CLI validates a CSV row.
//!
//! 1. Under the GIL, object columns (IDs and dates) are read out of their
//!    Python strings once; numeric columns are coded column by column
//!    (a level 0 to 10, empty, or "other" to be written out as text).
//! 2. With no Python touched, slices of rows are validated
//!    ([`ColumnLayout::assessment`]) and scored ([`score`]) on every core,
//!    each slice writing its rows of the preallocated output columns; a few
//!    slices per core at a time, with a check for Ctrl-C between them.
//! 3. In input order: §7 same-date duplicates are rejected, rejected rows are
//!    taken out, and the output arrays are handed to numpy without copying.

use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rayon::prelude::*;
use vsend_core::{day_number, parse_date, score, Column, ColumnLayout, Domain, Framework};
use vsend_io::problem::Problem;

use crate::{bits, with_bad_cells, BadCell, Rejected, SMALL};

/// A fast hash for the §7 check (FxHash's mixing step): the keys are a
/// council's own IDs and dates, hashed 200,000 at a time.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A well-mixed 64-bit fingerprint of a child's ID and review date.
fn fingerprint(id: &str, on: i64) -> u64 {
    use std::hash::Hasher;
    let mut h = Fx::default();
    h.write(id.as_bytes());
    h.write_i64(on);
    // murmur3's finaliser: every bit of the result depends on every bit.
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// The later rows of repeated (child_id, assessed_on) pairs among the
/// accepted rows of one shard, in input order.
fn shard_duplicates(
    accepted: &[bool],
    keys: &[u64],
    same: &(impl Fn(usize, usize) -> bool + Sync),
    shard: usize,
    shards: usize,
) -> Vec<usize> {
    let mut first: std::collections::HashMap<u64, u32, std::hash::BuildHasherDefault<Fx>> =
        std::collections::HashMap::with_capacity_and_hasher(
            keys.len() / shards + 1,
            Default::default(),
        );
    // Further distinct pairs under a fingerprint already taken (a collision: rare).
    let mut more: Vec<(u64, usize)> = Vec::new();
    let mut duplicates = Vec::new();
    for (row, (&ok, &key)) in accepted.iter().zip(keys).enumerate() {
        if !ok || (key >> 58) as usize % shards != shard {
            continue;
        }
        match first.entry(key) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(row as u32);
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                let earlier = *e.get() as usize;
                if same(earlier, row) || more.iter().any(|&(k, r)| k == key && same(r, row)) {
                    duplicates.push(row);
                } else {
                    more.push((key, row));
                }
            }
        }
    }
    duplicates
}

/// Rows validated and scored at a time on one core.
const SLICE: usize = 4096;

/// A numeric cell coded column-wise: `0..=10` a level, [`EMPTY`] or [`OTHER`].
const EMPTY: u8 = 11;
/// A value that is not a small whole number: written out as text for the core to judge.
const OTHER: u8 = 12;

/// One input column, ready for any thread.
pub(crate) enum Col<'a> {
    /// Coded numbers, and the raw values for the `OTHER` cells.
    F64(Vec<u8>, &'a [f64]),
    /// Coded numbers, and the raw values for the `OTHER` cells.
    I64(Vec<u8>, &'a [i64]),
    /// Text cells read from Python objects.
    Cells(Vec<Cell<'a>>),
}

/// A text cell read from a Python object.
pub(crate) enum Cell<'a> {
    Str(&'a str),
    Owned(String),
    /// Not read as text (lone surrogates), or not an ID: a problem of its row.
    Bad(BadCell),
}

/// Codes every numeric column, on every core.
pub(crate) fn code_numbers(cols: &mut [Col<'_>]) {
    cols.par_iter_mut().for_each(|c| match c {
        Col::F64(codes, values) => *codes = code_f64(values),
        Col::I64(codes, values) => *codes = code_i64(values),
        Col::Cells(_) => {}
    });
}

fn code_f64(values: &[f64]) -> Vec<u8> {
    values
        .iter()
        .map(|&v| {
            let i = v as u8; // saturating; NaN gives 0
            if f64::from(i) == v && i <= 10 {
                i
            } else if v.is_nan() {
                EMPTY
            } else {
                OTHER
            }
        })
        .collect()
}

fn code_i64(values: &[i64]) -> Vec<u8> {
    values
        .iter()
        .map(|&v| {
            if (0..=10).contains(&v) {
                v as u8
            } else {
                OTHER
            }
        })
        .collect()
}

/// Output columns, one slot per input row until rejected rows are taken out.
struct Out {
    /// 21 real columns: need, setting_gap, family_gap per domain, then
    /// total_need, need_index, setting_coverage, family_coverage, and the
    /// §13 band_score and top_up.
    f: Vec<Vec<f64>>,
    fm: Vec<Vec<bool>>,
    /// 15 whole-number columns: breadth, readiness, confidence per domain.
    i: Vec<Vec<i64>>,
    im: Vec<Vec<bool>>,
    /// 6 codes: age_band, unmet_setting, unmet_family, primary_domain, and
    /// the §13 band (an index into the framework's bands) and band_raised_by.
    c: Vec<Vec<i16>>,
    complete: Vec<bool>,
    /// assessed_on as seconds since 1970 (numpy datetime64[s]).
    on: Vec<i64>,
    accepted: Vec<bool>,
    /// A fingerprint of (child_id, assessed_on) per accepted row, for §7.
    key: Vec<u64>,
}

const F_COLS: usize = 21;
const I_COLS: usize = 15;
const C_COLS: usize = 6;

/// One slice's rows of every output column.
struct OutSlice<'a> {
    start: usize,
    f: Vec<&'a mut [f64]>,
    fm: Vec<&'a mut [bool]>,
    i: Vec<&'a mut [i64]>,
    im: Vec<&'a mut [bool]>,
    c: Vec<&'a mut [i16]>,
    complete: &'a mut [bool],
    on: &'a mut [i64],
    accepted: &'a mut [bool],
    key: &'a mut [u64],
}

fn chunks<T>(columns: &mut [Vec<T>]) -> Vec<std::vec::IntoIter<&mut [T]>> {
    columns
        .iter_mut()
        .map(|c| c.chunks_mut(SLICE).collect::<Vec<_>>().into_iter())
        .collect()
}

fn next_of<'a, T>(iters: &mut [std::vec::IntoIter<&'a mut [T]>]) -> Vec<&'a mut [T]> {
    iters
        .iter_mut()
        .map(|it| it.next().expect("every column has every slice"))
        .collect()
}

impl Out {
    fn new(n: usize) -> Out {
        Out {
            // One allocation each (`vec![v; k]` would copy the first k − 1 times).
            f: (0..F_COLS).map(|_| vec![0.0; n]).collect(),
            fm: (0..F_COLS).map(|_| vec![true; n]).collect(),
            i: (0..I_COLS).map(|_| vec![0; n]).collect(),
            im: (0..I_COLS).map(|_| vec![true; n]).collect(),
            c: (0..C_COLS).map(|_| vec![-1; n]).collect(),
            complete: vec![false; n],
            on: vec![0; n],
            accepted: vec![false; n],
            key: vec![0; n],
        }
    }

    fn slices(&mut self, n: usize) -> Vec<OutSlice<'_>> {
        let count = n.div_ceil(SLICE);
        let (mut f, mut fm) = (chunks(&mut self.f), chunks(&mut self.fm));
        let (mut i, mut im) = (chunks(&mut self.i), chunks(&mut self.im));
        let mut c = chunks(&mut self.c);
        let mut complete = self.complete.chunks_mut(SLICE);
        let mut on = self.on.chunks_mut(SLICE);
        let mut accepted = self.accepted.chunks_mut(SLICE);
        let mut key = self.key.chunks_mut(SLICE);
        (0..count)
            .map(|k| OutSlice {
                start: k * SLICE,
                f: next_of(&mut f),
                fm: next_of(&mut fm),
                i: next_of(&mut i),
                im: next_of(&mut im),
                c: next_of(&mut c),
                complete: complete.next().expect("slice"),
                on: on.next().expect("slice"),
                accepted: accepted.next().expect("slice"),
                key: key.next().expect("slice"),
            })
            .collect()
    }

    /// Takes out the rows not accepted, keeping order.
    fn compact(&mut self) {
        let keep = std::mem::take(&mut self.accepted);
        fn retain<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut at = 0;
            for k in 0..v.len() {
                if keep[k] {
                    v[at] = v[k];
                    at += 1;
                }
            }
            v.truncate(at);
        }
        self.f.iter_mut().for_each(|v| retain(v, &keep));
        self.fm.iter_mut().for_each(|v| retain(v, &keep));
        self.i.iter_mut().for_each(|v| retain(v, &keep));
        self.im.iter_mut().for_each(|v| retain(v, &keep));
        self.c.iter_mut().for_each(|v| retain(v, &keep));
        retain(&mut self.complete, &keep);
        retain(&mut self.on, &keep);
        self.accepted = keep;
    }
}

impl OutSlice<'_> {
    fn write(
        &mut self,
        row: usize,
        a: &vsend_core::Assessment,
        s: &vsend_core::Scores,
        banding: Option<&vsend_core::Banding>,
    ) {
        let on = a.assessed_on();
        let k = row - self.start;
        let mut put_f = |col: usize, v: Option<f64>| {
            if let Some(v) = v {
                self.f[col][k] = v;
                self.fm[col][k] = false;
            }
        };
        for d in Domain::ALL {
            let x = d.index();
            put_f(x, s.need.get(d));
            put_f(5 + x, s.setting_gap.get(d));
            put_f(10 + x, s.family_gap.get(d));
        }
        if let Some(w) = &s.whole {
            put_f(15, Some(w.total_need));
            put_f(16, Some(w.need_index));
            put_f(17, w.setting_coverage);
            put_f(18, w.family_coverage);
            self.c[1][k] = i16::from(bits(w.unmet_setting));
            self.c[2][k] = i16::from(bits(w.unmet_family));
            self.c[3][k] = w.primary_domain.map_or(-1, |d| d.index() as i16);
        }
        if let Some(r) = banding.and_then(|b| b.band(&s.need)) {
            put_f(19, Some(r.band_score));
            put_f(20, r.top_up);
            self.c[4][k] = r.band as i16;
            self.c[5][k] = r.raised_by.map_or(-1, |d| d.index() as i16);
        }
        for d in Domain::ALL {
            let x = d.index();
            self.i[x][k] = i64::from(s.breadth[d]);
            self.im[x][k] = false;
            if let Some(r) = s.readiness.get(d) {
                self.i[5 + x][k] = r as i64;
                self.im[5 + x][k] = false;
            }
            if let Some(c) = s.confidence.get(d) {
                self.i[10 + x][k] = c as i64;
                self.im[10 + x][k] = false;
            }
        }
        self.c[0][k] = s.age_band.map_or(-1, |b| b as i16);
        self.complete[k] = s.whole.is_some();
        self.on[k] = i64::from(day_number(on)) * 86_400;
        self.accepted[k] = true;
        self.key[k] = fingerprint(a.child_id().as_str(), self.on[k]);
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

/// Validates and scores the rows of one slice.
fn run_slice(
    fw: &Framework,
    layout: &ColumnLayout,
    names: &[String],
    cols: &[Col<'_>],
    out: &mut OutSlice<'_>,
    n: usize,
) -> Rejected {
    let width = cols.len();
    let mut rejected = Rejected::new();
    let mut scratch: Vec<String> = vec![String::new(); width];
    let mut bad: Vec<(usize, BadCell)> = Vec::new();
    let end = (out.start + SLICE).min(n);
    for row in out.start..end {
        bad.clear();
        // Cells needing text written out go to their column's scratch first.
        for (c, col) in cols.iter().enumerate() {
            match col {
                Col::F64(codes, raw) if codes[row] == OTHER => other_f64(raw[row], &mut scratch[c]),
                Col::I64(codes, raw) if codes[row] == OTHER => {
                    scratch[c].clear();
                    scratch[c].push_str(&raw[row].to_string());
                }
                Col::Cells(cells) => {
                    if let Cell::Bad(b) = &cells[row] {
                        bad.push((c, b.clone()));
                    }
                }
                _ => {}
            }
        }
        let scratch = &scratch;
        let fields = cols.iter().enumerate().map(|(c, col)| -> &str {
            match col {
                Col::F64(codes, _) | Col::I64(codes, _) => match codes[row] {
                    EMPTY => "",
                    OTHER => scratch[c].as_str(),
                    level => SMALL[usize::from(level)],
                },
                Col::Cells(cells) => match &cells[row] {
                    Cell::Str(s) => s,
                    Cell::Owned(s) => s.as_str(),
                    Cell::Bad(_) => "",
                },
            }
        });
        match with_bad_cells(layout.assessment(fw, fields), &bad, names) {
            Ok(a) => out.write(row, &a, &score(fw, &a), fw.banding()),
            Err(problems) => rejected.push((row as i64, problems)),
        }
    }
    rejected
}

/// The text of a cell as the core read it (trimmed), for IDs.
fn cell_text<'s>(col: &'s Col<'_>, row: usize, buf: &'s mut String) -> &'s str {
    match col {
        Col::Cells(cells) => match &cells[row] {
            Cell::Str(s) => s.trim_ascii(),
            Cell::Owned(s) => s.trim_ascii(),
            Cell::Bad(_) => "",
        },
        Col::F64(codes, raw) => match codes[row] {
            EMPTY => "",
            OTHER => {
                other_f64(raw[row], buf);
                buf.as_str()
            }
            level => SMALL[usize::from(level)],
        },
        Col::I64(codes, raw) => match codes[row] {
            OTHER => {
                *buf = raw[row].to_string();
                buf.as_str()
            }
            level => SMALL[usize::from(level)],
        },
    }
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

/// Scores a DataFrame's columns. `objects[c]` holds the Python objects of
/// object column `c` (kept alive while their text is borrowed).
pub(crate) fn score_frame<'py>(
    py: Python<'py>,
    fw: &Framework,
    layout: &ColumnLayout,
    names: &[String],
    cols: &[Col<'_>],
    objects: &[Option<&[PyObject]>],
    n: usize,
) -> PyResult<(Bound<'py, PyDict>, Rejected)> {
    let mut out = Out::new(n);
    let mut slices = out.slices(n).into_iter();
    // A few slices per core at a time, checking for Ctrl-C between them.
    let batch = rayon::current_num_threads().max(1) * 4;
    let mut rejected = Rejected::new();
    loop {
        py.check_signals()?;
        let some: Vec<OutSlice<'_>> = slices.by_ref().take(batch).collect();
        if some.is_empty() {
            break;
        }
        let per_slice: Vec<Rejected> = some
            .into_par_iter()
            .map(|mut s| run_slice(fw, layout, names, cols, &mut s, n))
            .collect();
        rejected.extend(per_slice.into_iter().flatten());
    }

    // §7, in input order: of two assessments of a child on one date, the later
    // is rejected (the rule of `Histories`, over the text the core accepted).
    let column = |want: Column| layout.columns().iter().position(|&c| c == want);
    let (child_col, date_col) = (column(Column::ChildId), column(Column::AssessedOn));
    let setting_col = column(Column::SettingId);
    if let (Some(cc), Some(_)) = (child_col, date_col) {
        // Rows whose fingerprints agree are compared by their text; the rows
        // of one key all fall in one shard, so each shard keeps input order.
        let same = |x: usize, y: usize| {
            let (mut bx, mut by) = (String::new(), String::new());
            out.on[x] == out.on[y]
                && cell_text(&cols[cc], x, &mut bx) == cell_text(&cols[cc], y, &mut by)
        };
        let shards = rayon::current_num_threads().clamp(1, 8);
        let mut duplicates: Vec<usize> = (0..shards)
            .into_par_iter()
            .flat_map_iter(|shard| shard_duplicates(&out.accepted, &out.key, &same, shard, shards))
            .collect();
        duplicates.sort_unstable();
        for row in duplicates {
            out.accepted[row] = false;
            let mut buf = String::new();
            let id = cell_text(&cols[cc], row, &mut buf).to_owned();
            let mut date_buf = String::new();
            let on = date_col.and_then(|dc| parse_date(cell_text(&cols[dc], row, &mut date_buf)));
            if let (Ok(child_id), Some(assessed_on)) = (vsend_core::ChildId::new(&id), on) {
                let d = vsend_core::Duplicate {
                    child_id,
                    assessed_on,
                };
                rejected.push((
                    row as i64,
                    vec![Problem::duplicate(d, vsend_core::Format::Csv)],
                ));
            }
        }
        rejected.sort_by_key(|(row, _)| *row);
    }

    let rows: Vec<usize> = (0..n).filter(|&r| out.accepted[r]).collect();
    let child_id = id_objects(py, child_col.map(|c| (&cols[c], objects[c])), &rows);
    let setting_id = id_objects(py, setting_col.map(|c| (&cols[c], objects[c])), &rows);
    if rows.len() < n {
        out.compact();
    }
    let dict = PyDict::new(py);
    dict.set_item("child_id", child_id.into_pyarray(py))?;
    dict.set_item("assessed_on", std::mem::take(&mut out.on).into_pyarray(py))?;
    dict.set_item("setting_id", setting_id.into_pyarray(py))?;
    let mut c = std::mem::take(&mut out.c).into_iter();
    let mut f = std::mem::take(&mut out.f)
        .into_iter()
        .zip(std::mem::take(&mut out.fm));
    let mut i = std::mem::take(&mut out.i)
        .into_iter()
        .zip(std::mem::take(&mut out.im));
    dict.set_item("age_band", c.next().expect("age band").into_pyarray(py))?;
    let f: Vec<(Vec<f64>, Vec<bool>)> = f.by_ref().collect();
    let i: Vec<(Vec<i64>, Vec<bool>)> = i.by_ref().collect();
    let mut f = f.into_iter().map(Some).collect::<Vec<_>>();
    let mut i = i.into_iter().map(Some).collect::<Vec<_>>();
    let pair_f = |p: (Vec<f64>, Vec<bool>)| (p.0.into_pyarray(py), p.1.into_pyarray(py));
    let pair_i = |p: (Vec<i64>, Vec<bool>)| (p.0.into_pyarray(py), p.1.into_pyarray(py));
    for d in Domain::ALL {
        let x = d.index();
        let take_f = |f: &mut Vec<Option<_>>, k: usize| f[k].take().expect("column");
        dict.set_item(format!("need.{d}"), pair_f(take_f(&mut f, x)))?;
        dict.set_item(
            format!("breadth.{d}"),
            i[x].take().expect("column").0.into_pyarray(py),
        )?;
        dict.set_item(
            format!("readiness.{d}"),
            pair_i(i[5 + x].take().expect("column")),
        )?;
        dict.set_item(
            format!("confidence.{d}"),
            pair_i(i[10 + x].take().expect("column")),
        )?;
        dict.set_item(format!("setting_gap.{d}"), pair_f(take_f(&mut f, 5 + x)))?;
        dict.set_item(format!("family_gap.{d}"), pair_f(take_f(&mut f, 10 + x)))?;
    }
    dict.set_item(
        "complete",
        std::mem::take(&mut out.complete).into_pyarray(py),
    )?;
    for (k, name) in [
        "total_need",
        "need_index",
        "setting_coverage",
        "family_coverage",
    ]
    .into_iter()
    .enumerate()
    {
        dict.set_item(name, pair_f(f[15 + k].take().expect("column")))?;
    }
    dict.set_item("unmet_setting", c.next().expect("unmet").into_pyarray(py))?;
    dict.set_item("unmet_family", c.next().expect("unmet").into_pyarray(py))?;
    dict.set_item(
        "primary_domain",
        c.next().expect("primary").into_pyarray(py),
    )?;
    if fw.banding().is_some() {
        dict.set_item("band_score", pair_f(f[19].take().expect("column")))?;
        dict.set_item("band", c.next().expect("band").into_pyarray(py))?;
        dict.set_item(
            "band_raised_by",
            c.next().expect("raised by").into_pyarray(py),
        )?;
        dict.set_item("top_up", pair_f(f[20].take().expect("column")))?;
    }
    let rows: Vec<i64> = rows.into_iter().map(|r| r as i64).collect();
    dict.set_item("_rows", rows.into_pyarray(py))?;
    Ok((dict, rejected))
}
