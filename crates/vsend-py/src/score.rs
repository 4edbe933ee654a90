//! Scoring: every record validated and scored (docs/model.md §3–§6, §9,
//! §13), §7's same-date rule applied by the core, and the scored columns
//! of §10 built in one place ([`Scored`]) whatever the source.
//!
//! The scored columns come in named groups: [`Figure`] (real, nullable),
//! [`Level`] (whole, nullable) and [`Code`] (a closed set, as category
//! codes), plus the child and setting IDs, the date and `complete`. Each
//! group's column list says, per column, its name and how a row's scores
//! give its value, or which of the core's [`ScoreColumns`] it is;
//! [`OutSlice::write_scores`] and [`OutSlice::write_columns`] are the two
//! places scores become column values, a row or a column at a time, and
//! [`Scored::into_py`] the one place columns become arrays for the Python side.
//!
//! Rows are scored a slice at a time on every core, each slice writing its
//! own rows of the preallocated columns: a DataFrame's rows as they are
//! validated (`fast.rs`; those the core reads plainly a column at a time,
//! unless the framework bands, §13), a file's or JSON texts' accepted
//! assessments a chunk at a time as they are read.

use std::borrow::Cow;

use arrow_array::ArrayRef;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use pyo3_arrow::PyChunkedArray;
use rayon::prelude::*;
use vsend_core::{
    day_number, score, AgeBand, Assessment, BandResult, ChildId, Date, Domain, DomainSet, Figures,
    Format, Framework, ScoreColumns, Scores, SeenDates, SettingId,
};
use vsend_io::problem::Problem;

use crate::fast;
use crate::framework::{framework_of, PyFramework};
use crate::source::{Problems, Source};

/// A hash of an ID's text for picking its §7 shard: eight bytes at a time
/// (FNV-1a's constants over words, not bytes), then mixed so that its low
/// bits depend on every byte.
fn shard_hash(text: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for word in text.as_bytes().chunks(8) {
        let mut w = [0; 8];
        w[..word.len()].copy_from_slice(word);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29) ^ (h >> 47)
}

/// What §7 needs to know of a slot's child before reading its ID: 15 bits
/// of a hash of the ID, which pick its shard ([`Scored::reject_duplicates`]),
/// and whether the child is the previous slot's. Found as the slot is
/// written, from the ID the row was validated with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ChildKey(u16);

impl ChildKey {
    /// The bit saying that the child is the previous slot's.
    const AGAIN: u16 = 1 << 15;

    /// The key of a slot of `child`, whose previous slot's key is
    /// `previous` when that slot's child is `child` too.
    fn new(child: &ChildId, previous: Option<ChildKey>) -> ChildKey {
        match previous {
            Some(key) => ChildKey(key.0 | Self::AGAIN),
            None => ChildKey(shard_hash(child.as_str()) as u16 & !Self::AGAIN),
        }
    }

    /// Whether the child is the previous slot's.
    fn is_again(self) -> bool {
        self.0 & Self::AGAIN != 0
    }

    /// The child's shard of `shards`: the same for every slot of one child.
    fn shard(self, shards: usize) -> usize {
        usize::from(self.0 & !Self::AGAIN) % shards
    }
}

/// Rows validated and scored at a time on one core.
pub(crate) const SLICE: usize = 4096;

/// The ID text of the child of accepted slot `k`, as the core read it from
/// its cell (borrowed where it can be); `None` when there is none.
pub(crate) type ChildOf<'a> = dyn Fn(usize) -> Option<Cow<'a, str>> + Sync + 'a;

/// Rejected records in input order: record number and its problems.
pub(crate) type Rejected = Vec<(i64, Vec<Problem>)>;

/// A category code for absent.
const ABSENT: i16 = -1;

/// A set of domains as bits (bit i = domain i in §1 order): a category code.
fn set_code(set: Option<DomainSet>) -> i16 {
    set.map_or(ABSENT, |set| i16::from(set.bits()))
}

/// A domain's category code: its index in §1 order.
fn domain_code(d: Option<Domain>) -> i16 {
    d.map_or(ABSENT, |d| d.index() as i16)
}

/// An age band's category code: its place in [`Code::categories`].
fn age_band_code(band: Option<AgeBand>) -> i16 {
    band.map_or(ABSENT, |b| b as i16)
}

/// A kind's columns for a framework: all of `all` with §13 banding, else
/// all but its last `banded` (§13's).
fn for_framework<T>(all: &'static [T], banded: usize, fw: &Framework) -> &'static [T] {
    let without = if fw.banding().is_some() { 0 } else { banded };
    &all[..all.len() - without]
}

/// A real, nullable scored column (`Float64`).
#[derive(Debug, Clone, Copy)]
enum Figure {
    Need(Domain),
    SettingGap(Domain),
    FamilyGap(Domain),
    TotalNeed,
    NeedIndex,
    SettingCoverage,
    FamilyCoverage,
    /// §13, with banding only.
    BandScore,
    /// §13, with banding only.
    TopUp,
}

impl Figure {
    /// Every figure column, in the order of their storage.
    const ALL: [Figure; 21] = {
        use Domain::{Ci, Cl, Ind, Semh, Sp};
        [
            Figure::Need(Cl),
            Figure::SettingGap(Cl),
            Figure::FamilyGap(Cl),
            Figure::Need(Ci),
            Figure::SettingGap(Ci),
            Figure::FamilyGap(Ci),
            Figure::Need(Sp),
            Figure::SettingGap(Sp),
            Figure::FamilyGap(Sp),
            Figure::Need(Semh),
            Figure::SettingGap(Semh),
            Figure::FamilyGap(Semh),
            Figure::Need(Ind),
            Figure::SettingGap(Ind),
            Figure::FamilyGap(Ind),
            Figure::TotalNeed,
            Figure::NeedIndex,
            Figure::SettingCoverage,
            Figure::FamilyCoverage,
            Figure::BandScore,
            Figure::TopUp,
        ]
    };

    /// The last of [`Figure::ALL`]: §13's, with banding only.
    const BANDED: usize = 2;

    /// The figure columns of a framework.
    fn of_framework(fw: &Framework) -> &'static [Figure] {
        const {
            assert!(matches!(
                Figure::ALL[Figure::ALL.len() - Figure::BANDED],
                Figure::BandScore
            ))
        };
        for_framework(&Self::ALL, Self::BANDED, fw)
    }

    fn name(self) -> String {
        match self {
            Figure::Need(d) => format!("need.{d}"),
            Figure::SettingGap(d) => format!("setting_gap.{d}"),
            Figure::FamilyGap(d) => format!("family_gap.{d}"),
            Figure::TotalNeed => "total_need".into(),
            Figure::NeedIndex => "need_index".into(),
            Figure::SettingCoverage => "setting_coverage".into(),
            Figure::FamilyCoverage => "family_coverage".into(),
            Figure::BandScore => "band_score".into(),
            Figure::TopUp => "top_up".into(),
        }
    }

    /// The column of `columns` that is this figure's; `None` for §13's,
    /// which are not among them.
    fn column(self, columns: &ScoreColumns) -> Option<&Figures> {
        Some(match self {
            Figure::Need(d) => columns.need(d),
            Figure::SettingGap(d) => columns.setting_gap(d),
            Figure::FamilyGap(d) => columns.family_gap(d),
            Figure::TotalNeed => columns.total_need(),
            Figure::NeedIndex => columns.need_index(),
            Figure::SettingCoverage => columns.setting_coverage(),
            Figure::FamilyCoverage => columns.family_coverage(),
            Figure::BandScore | Figure::TopUp => return None,
        })
    }

    #[inline]
    fn of(self, s: &Scores, band: Option<&BandResult>) -> Option<f64> {
        let w = s.whole.as_ref();
        match self {
            Figure::Need(d) => s.need.get(d),
            Figure::SettingGap(d) => s.setting_gap.get(d),
            Figure::FamilyGap(d) => s.family_gap.get(d),
            Figure::TotalNeed => w.map(|w| w.total_need),
            Figure::NeedIndex => w.map(|w| w.need_index),
            Figure::SettingCoverage => w.and_then(|w| w.setting_coverage),
            Figure::FamilyCoverage => w.and_then(|w| w.family_coverage),
            Figure::BandScore => band.map(|b| b.band_score),
            Figure::TopUp => band.and_then(|b| b.top_up),
        }
    }
}

/// A whole-number, nullable scored column (`Int64`).
#[derive(Debug, Clone, Copy)]
enum Level {
    Breadth(Domain),
    Readiness(Domain),
    Confidence(Domain),
}

impl Level {
    /// Every whole-number column, in the order of their storage.
    const ALL: [Level; 15] = {
        use Domain::{Ci, Cl, Ind, Semh, Sp};
        [
            Level::Breadth(Cl),
            Level::Readiness(Cl),
            Level::Confidence(Cl),
            Level::Breadth(Ci),
            Level::Readiness(Ci),
            Level::Confidence(Ci),
            Level::Breadth(Sp),
            Level::Readiness(Sp),
            Level::Confidence(Sp),
            Level::Breadth(Semh),
            Level::Readiness(Semh),
            Level::Confidence(Semh),
            Level::Breadth(Ind),
            Level::Readiness(Ind),
            Level::Confidence(Ind),
        ]
    };

    fn name(self) -> String {
        match self {
            Level::Breadth(d) => format!("breadth.{d}"),
            Level::Readiness(d) => format!("readiness.{d}"),
            Level::Confidence(d) => format!("confidence.{d}"),
        }
    }

    /// The column of `columns` that is this one's: levels, and whether
    /// each is absent (`None`: never).
    fn column(self, columns: &ScoreColumns) -> (&[u8], Option<&[bool]>) {
        match self {
            Level::Breadth(d) => (columns.breadth(d), None),
            Level::Readiness(d) => (
                columns.readiness(d).values(),
                Some(columns.readiness(d).absent()),
            ),
            Level::Confidence(d) => (
                columns.confidence(d).values(),
                Some(columns.confidence(d).absent()),
            ),
        }
    }

    #[inline]
    fn of(self, s: &Scores) -> Option<i64> {
        match self {
            Level::Breadth(d) => Some(i64::from(s.breadth[d])),
            Level::Readiness(d) => s.readiness.get(d).map(|x| x as i64),
            Level::Confidence(d) => s.confidence.get(d).map(|x| x as i64),
        }
    }
}

/// A scored column of a closed set (a categorical): codes, −1 for absent.
#[derive(Debug, Clone, Copy)]
enum Code {
    AgeBand,
    UnmetSetting,
    UnmetFamily,
    PrimaryDomain,
    /// §13, with banding only: an index into the framework's bands.
    Band,
    /// §13, with banding only.
    BandRaisedBy,
}

impl Code {
    const ALL: [Code; 6] = [
        Code::AgeBand,
        Code::UnmetSetting,
        Code::UnmetFamily,
        Code::PrimaryDomain,
        Code::Band,
        Code::BandRaisedBy,
    ];

    /// The last of [`Code::ALL`]: §13's, with banding only.
    const BANDED: usize = 2;

    /// The coded columns of a framework.
    fn of_framework(fw: &Framework) -> &'static [Code] {
        const {
            assert!(matches!(
                Code::ALL[Code::ALL.len() - Code::BANDED],
                Code::Band
            ))
        };
        for_framework(&Self::ALL, Self::BANDED, fw)
    }

    fn name(self) -> &'static str {
        match self {
            Code::AgeBand => "age_band",
            Code::UnmetSetting => "unmet_setting",
            Code::UnmetFamily => "unmet_family",
            Code::PrimaryDomain => "primary_domain",
            Code::Band => "band",
            Code::BandRaisedBy => "band_raised_by",
        }
    }

    #[inline]
    fn of(self, s: &Scores, band: Option<&BandResult>) -> i16 {
        let w = s.whole.as_ref();
        match self {
            Code::AgeBand => age_band_code(s.age_band),
            Code::UnmetSetting => set_code(w.map(|w| w.unmet_setting)),
            Code::UnmetFamily => set_code(w.map(|w| w.unmet_family)),
            Code::PrimaryDomain => domain_code(w.and_then(|w| w.primary_domain)),
            Code::Band => band.map_or(ABSENT, |b| b.band as i16),
            Code::BandRaisedBy => domain_code(band.and_then(|b| b.raised_by)),
        }
    }

    /// Writes this column's codes of `columns` to `out`, as [`Code::of`]
    /// gives them; `false` for §13's, which are not among them.
    fn write_column(self, columns: &ScoreColumns, out: &mut [i16]) -> bool {
        fn codes<T: Copy>(out: &mut [i16], from: &[T], code: impl Fn(T) -> i16) {
            for (out, &x) in out.iter_mut().zip(from) {
                *out = code(x);
            }
        }
        match self {
            Code::AgeBand => codes(out, columns.age_band(), age_band_code),
            Code::UnmetSetting => codes(out, columns.unmet_setting(), set_code),
            Code::UnmetFamily => codes(out, columns.unmet_family(), set_code),
            Code::PrimaryDomain => codes(out, columns.primary_domain(), domain_code),
            Code::Band | Code::BandRaisedBy => return false,
        }
        true
    }

    /// The categories the codes index, and whether they are ordered.
    fn categories(self, fw: &Framework) -> (Vec<String>, bool) {
        let domains = || Domain::ALL.iter().map(|d| d.key().to_owned()).collect();
        match self {
            Code::AgeBand => (
                ["early_years", "primary", "secondary", "post16"]
                    .map(str::to_owned)
                    .to_vec(),
                true,
            ),
            Code::UnmetSetting | Code::UnmetFamily => {
                let set = |code: u32| {
                    let keys: Vec<&str> = Domain::ALL
                        .iter()
                        .filter(|d| code >> d.index() & 1 == 1)
                        .map(|d| d.key())
                        .collect();
                    keys.join(";")
                };
                ((0..32).map(set).collect(), false)
            }
            Code::PrimaryDomain | Code::BandRaisedBy => (domains(), false),
            Code::Band => (
                fw.banding().map_or_else(Vec::new, |b| {
                    b.bands().iter().map(|band| band.id().to_owned()).collect()
                }),
                false,
            ),
        }
    }
}

/// A nullable column: values, and a mask (true = absent).
struct Nullable<T> {
    values: Vec<T>,
    mask: Vec<bool>,
}

impl<T: Copy + Default> Nullable<T> {
    fn new() -> Self {
        Nullable {
            values: Vec::new(),
            mask: Vec::new(),
        }
    }

    /// `n` slots, zero and present until written. An accepted slot is
    /// written a column at a time ([`OutSlice::write_columns`], which leaves
    /// a mask untouched where nothing is absent) or a row at a time
    /// ([`OutSlice::flush`]), and the others are taken out
    /// ([`Scored::compact`]): a new column is memory the allocator hands
    /// over zeroed.
    fn grow(&mut self, n: usize) {
        grow_zeroed(&mut self.values, n);
        grow_zeroed(&mut self.mask, n);
    }
}

/// `column` grown to `n` slots of zeros (`T::default()`): a new column is
/// allocated zeroed (no pass over it to fill it).
fn grow_zeroed<T: Copy + Default>(column: &mut Vec<T>, n: usize) {
    if column.is_empty() {
        *column = vec![T::default(); n];
    } else {
        column.resize(n, T::default());
    }
}

/// The scored columns, one slot per record scored until rejected rows are
/// taken out ([`Scored::compact`]).
pub(crate) struct Scored {
    banded: bool,
    /// The record number of each slot (a DataFrame's position, a file's line).
    rows: Vec<i64>,
    /// Whether the slot's record was accepted (and so scored).
    accepted: Vec<bool>,
    /// The date of each slot's assessment (for §7; unread where not accepted).
    dates: Vec<Date>,
    /// Each slot's child as §7 first looks at it (unread where not accepted).
    children: Vec<ChildKey>,
    /// The child and setting of each slot, for a source with no ID columns
    /// of its own to take them from (files, JSON texts); empty for a
    /// DataFrame, whose own cells are used.
    ids: Vec<(ChildId, Option<SettingId>)>,
    /// `assessed_on` as seconds since 1970 (numpy datetime64[s]).
    on: Vec<i64>,
    complete: Vec<bool>,
    figures: Vec<Nullable<f64>>,
    levels: Vec<Nullable<i64>>,
    codes: Vec<Vec<i16>>,
}

/// One slice's slots of every scored column, for one thread to write.
pub(crate) struct OutSlice<'a> {
    /// The first slot of the slice.
    pub(crate) start: usize,
    rows: &'a mut [i64],
    accepted: &'a mut [bool],
    dates: &'a mut [Date],
    children: &'a mut [ChildKey],
    on: &'a mut [i64],
    complete: &'a mut [bool],
    figures: Vec<(&'a mut [f64], &'a mut [bool])>,
    levels: Vec<(&'a mut [i64], &'a mut [bool])>,
    codes: Vec<&'a mut [i16]>,
    /// Scored rows of consecutive slots not yet copied out ([`OutSlice::flush`]);
    /// made at the first, so that only the slices being scored hold one.
    run: Option<Box<Run>>,
    /// The slot written last, its child and its child's key.
    last: Option<(usize, ChildId, ChildKey)>,
}

impl OutSlice<'_> {
    /// The number of slots.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Sets the record number of slot `k` (0 is the slice's first).
    pub(crate) fn number(&mut self, k: usize, row: i64) {
        self.rows[k] = row;
    }

    /// The §7 key of slot `k`'s `child`, slot `k` being written after the
    /// slots before it.
    fn child_key(&mut self, k: usize, child: &ChildId) -> ChildKey {
        let previous = match &self.last {
            Some((j, c, key)) if j + 1 == k && c == child => Some(*key),
            _ => None,
        };
        let key = ChildKey::new(child, previous);
        match &mut self.last {
            Some(last) if previous.is_some() => last.0 = k,
            last => *last = Some((k, child.clone(), key)),
        }
        key
    }

    /// Writes the scores of slots `at..` (0 is the slice's first) from
    /// `columns`, a column at a time; each slot is then accepted
    /// ([`OutSlice::accept`]) or written again ([`OutSlice::write_scores`])
    /// or rejected. A mask with nothing absent is left as it is (slots start
    /// present, [`Nullable::grow`]), so most of the masks' memory is never
    /// touched. Not for a framework with §13 banding, whose columns are not
    /// among `columns`.
    pub(crate) fn write_columns(&mut self, at: usize, columns: &ScoreColumns) {
        let slots = at..at + columns.len();
        for (figure, (values, absent)) in Figure::ALL.iter().zip(&mut self.figures) {
            let column = figure
                .column(columns)
                .expect("no §13 column without banding");
            values[slots.clone()].copy_from_slice(column.values());
            if column.absent().contains(&true) {
                absent[slots.clone()].copy_from_slice(column.absent());
            }
        }
        for (level, (values, absent)) in Level::ALL.iter().zip(&mut self.levels) {
            let (levels, is_absent) = level.column(columns);
            for (value, &level) in values[slots.clone()].iter_mut().zip(levels) {
                *value = i64::from(level);
            }
            if let Some(is_absent) = is_absent.filter(|a| a.contains(&true)) {
                absent[slots.clone()].copy_from_slice(is_absent);
            }
        }
        for (code, codes) in Code::ALL.iter().zip(&mut self.codes) {
            let written = code.write_column(columns, &mut codes[slots.clone()]);
            assert!(written, "no §13 column without banding");
        }
        self.complete[slots].copy_from_slice(columns.complete());
    }

    /// Accepts slot `k` (0 is the slice's first), a record of `child`
    /// assessed `on` whose scores [`OutSlice::write_columns`] wrote.
    pub(crate) fn accept(&mut self, k: usize, child: &ChildId, on: Date) {
        self.children[k] = self.child_key(k, child);
        self.on[k] = seconds(on);
        self.dates[k] = on;
        self.accepted[k] = true;
    }

    /// Writes the scores of an accepted record into slot `k` (0 is the
    /// slice's first), as [`OutSlice::write_scores`].
    pub(crate) fn write(&mut self, k: usize, a: &Assessment, fw: &Framework) {
        self.write_scores(k, &score(fw, a), (a.child_id(), a.assessed_on()), fw);
    }

    /// Writes the scores `s` of an accepted record of `child` assessed `on`
    /// into slot `k` (0 is the slice's first): the one place a row's scores
    /// become column values. They are kept, a column at a time, in a run of
    /// consecutive slots small enough for the core's own cache, which is
    /// copied out when full or broken ([`OutSlice::flush`]).
    pub(crate) fn write_scores(
        &mut self,
        k: usize,
        s: &Scores,
        (child, on): (&ChildId, Date),
        fw: &Framework,
    ) {
        let key = self.child_key(k, child);
        let run = self.run.get_or_insert_with(Run::new);
        if run.len == RUN || (run.len > 0 && k != run.start + run.len) {
            self.flush();
        }
        let run = self.run.get_or_insert_with(Run::new);
        if run.len == 0 {
            run.start = k;
        }
        let i = run.len;
        let band = fw.banding().and_then(|b| b.band(&s.need));
        let band = band.as_ref();
        // Column by column, each index a constant: every `of` is resolved
        // when compiled, not looked up a cell at a time.
        macro_rules! figures {
            ($($j:literal)*) => {$({
                let v = Figure::ALL[$j].of(s, band);
                run.figures[$j][i] = v.unwrap_or_default();
                run.figure_absent[$j][i] = v.is_none();
            })*};
        }
        macro_rules! levels {
            ($($j:literal)*) => {$({
                let v = Level::ALL[$j].of(s);
                run.levels[$j][i] = v.unwrap_or_default();
                run.level_absent[$j][i] = v.is_none();
            })*};
        }
        macro_rules! codes {
            ($($j:literal)*) => {$(run.codes[$j][i] = Code::ALL[$j].of(s, band);)*};
        }
        // Every column is listed: a new one fails to compile until it is.
        const { assert!(Figure::ALL.len() == 21 && Level::ALL.len() == 15 && Code::ALL.len() == 6) };
        figures!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20);
        levels!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14);
        codes!(0 1 2 3 4 5);
        run.complete[i] = s.whole.is_some();
        run.on[i] = seconds(on);
        run.dates[i] = on;
        run.children[i] = key;
        run.len += 1;
    }

    /// Copies the run out into its slots, a column at a time, masks and
    /// all ([`OutSlice::write_columns`] may have written the slots before).
    fn flush(&mut self) {
        let Some(run) = self.run.as_deref_mut() else {
            return;
        };
        let (at, n) = (run.start, run.len);
        let slots = at..at + n;
        for (j, (values, absent)) in self.figures.iter_mut().enumerate() {
            values[slots.clone()].copy_from_slice(&run.figures[j][..n]);
            absent[slots.clone()].copy_from_slice(&run.figure_absent[j][..n]);
        }
        for (j, (values, absent)) in self.levels.iter_mut().enumerate() {
            values[slots.clone()].copy_from_slice(&run.levels[j][..n]);
            absent[slots.clone()].copy_from_slice(&run.level_absent[j][..n]);
        }
        for (j, codes) in self.codes.iter_mut().enumerate() {
            codes[slots.clone()].copy_from_slice(&run.codes[j][..n]);
        }
        self.complete[slots.clone()].copy_from_slice(&run.complete[..n]);
        self.on[slots.clone()].copy_from_slice(&run.on[..n]);
        self.dates[slots.clone()].copy_from_slice(&run.dates[..n]);
        self.children[slots.clone()].copy_from_slice(&run.children[..n]);
        self.accepted[slots].fill(true);
        run.len = 0;
    }
}

impl Drop for OutSlice<'_> {
    /// Copies out the run still kept: a slice's every scored row is written.
    fn drop(&mut self) {
        self.flush();
    }
}

/// Consecutive slots an [`OutSlice`] keeps before copying them out: some
/// 20 KiB in all, so a run stays in the core's first-level cache while it
/// is filled, and each column is then copied out whole.
const RUN: usize = 64;

/// A run of scored rows in consecutive slots from `start`, a column at a
/// time, in the order of [`Figure::ALL`], [`Level::ALL`] and [`Code::ALL`].
struct Run {
    start: usize,
    len: usize,
    figures: [[f64; RUN]; Figure::ALL.len()],
    figure_absent: [[bool; RUN]; Figure::ALL.len()],
    levels: [[i64; RUN]; Level::ALL.len()],
    level_absent: [[bool; RUN]; Level::ALL.len()],
    codes: [[i16; RUN]; Code::ALL.len()],
    complete: [bool; RUN],
    on: [i64; RUN],
    dates: [Date; RUN],
    children: [ChildKey; RUN],
}

impl Run {
    fn new() -> Box<Run> {
        Box::new(Run {
            start: 0,
            len: 0,
            figures: [[0.0; RUN]; Figure::ALL.len()],
            figure_absent: [[false; RUN]; Figure::ALL.len()],
            levels: [[0; RUN]; Level::ALL.len()],
            level_absent: [[false; RUN]; Level::ALL.len()],
            codes: [[0; RUN]; Code::ALL.len()],
            complete: [false; RUN],
            on: [0; RUN],
            dates: [Date::default(); RUN],
            children: [ChildKey::default(); RUN],
        })
    }
}

/// A date as seconds since 1970 (numpy's `datetime64[s]`).
fn seconds(on: Date) -> i64 {
    i64::from(day_number(on)) * 86_400
}

/// `column` cut into slices of [`SLICE`] from slot `from`.
fn cut<T>(column: &mut [T], from: usize) -> std::vec::IntoIter<&mut [T]> {
    column[from..]
        .chunks_mut(SLICE)
        .collect::<Vec<_>>()
        .into_iter()
}

/// The next slice of each of `columns`.
fn next_of<'a, T>(iters: &mut [std::vec::IntoIter<&'a mut [T]>]) -> Vec<&'a mut [T]> {
    iters
        .iter_mut()
        .map(|it| it.next().expect("every column has every slice"))
        .collect()
}

impl Scored {
    /// No slots yet; `banded` when the framework has §13 banding.
    pub(crate) fn new(fw: &Framework) -> Scored {
        Scored {
            banded: fw.banding().is_some(),
            rows: Vec::new(),
            accepted: Vec::new(),
            dates: Vec::new(),
            children: Vec::new(),
            ids: Vec::new(),
            on: Vec::new(),
            complete: Vec::new(),
            figures: Figure::of_framework(fw)
                .iter()
                .map(|_| Nullable::new())
                .collect(),
            levels: Level::ALL.into_iter().map(|_| Nullable::new()).collect(),
            codes: Code::of_framework(fw).iter().map(|_| Vec::new()).collect(),
        }
    }

    /// The number of slots.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Adds `extra` empty slots (not accepted; zeros until written).
    pub(crate) fn grow(&mut self, extra: usize) {
        let n = self.len() + extra;
        self.rows.resize(n, 0);
        self.accepted.resize(n, false);
        self.dates.resize(n, Date::default());
        self.children.resize(n, ChildKey::default());
        self.on.resize(n, 0);
        self.complete.resize(n, false);
        // Zeroed by the allocator; first touched as slices are written, on every core.
        self.figures.par_iter_mut().for_each(|c| c.grow(n));
        self.levels.par_iter_mut().for_each(|c| c.grow(n));
        self.codes.par_iter_mut().for_each(|c| grow_zeroed(c, n));
    }

    /// The slots from `from` on, in slices of [`SLICE`], each for one thread.
    pub(crate) fn slices(&mut self, from: usize) -> Vec<OutSlice<'_>> {
        let count = (self.len() - from).div_ceil(SLICE);
        let (mut fv, mut fm): (Vec<_>, Vec<_>) = self
            .figures
            .iter_mut()
            .map(|c| (cut(&mut c.values, from), cut(&mut c.mask, from)))
            .unzip();
        let (mut lv, mut lm): (Vec<_>, Vec<_>) = self
            .levels
            .iter_mut()
            .map(|c| (cut(&mut c.values, from), cut(&mut c.mask, from)))
            .unzip();
        let mut codes: Vec<_> = self.codes.iter_mut().map(|c| cut(c, from)).collect();
        let mut rows = cut(&mut self.rows, from);
        let mut accepted = cut(&mut self.accepted, from);
        let mut dates = cut(&mut self.dates, from);
        let mut children = cut(&mut self.children, from);
        let mut on = cut(&mut self.on, from);
        let mut complete = cut(&mut self.complete, from);
        (0..count)
            .map(|k| OutSlice {
                start: from + k * SLICE,
                rows: rows.next().expect("slice"),
                accepted: accepted.next().expect("slice"),
                dates: dates.next().expect("slice"),
                children: children.next().expect("slice"),
                on: on.next().expect("slice"),
                complete: complete.next().expect("slice"),
                figures: next_of(&mut fv).into_iter().zip(next_of(&mut fm)).collect(),
                levels: next_of(&mut lv).into_iter().zip(next_of(&mut lm)).collect(),
                codes: next_of(&mut codes),
                run: None,
                last: None,
            })
            .collect()
    }

    /// Scores accepted records (`(number, assessment)`) into new slots, on every core.
    pub(crate) fn score_all(&mut self, fw: &Framework, records: &[(i64, Assessment)]) {
        let from = self.len();
        self.ids.extend(
            records
                .iter()
                .map(|(_, a)| (a.child_id().clone(), a.setting_id().cloned())),
        );
        self.grow(records.len());
        self.slices(from).into_par_iter().for_each(|mut s| {
            let first = s.start - from;
            for k in 0..s.len() {
                let (row, a) = &records[first + k];
                s.number(k, *row);
                s.write(k, a, fw);
            }
        });
    }

    /// §7, in input order: of two accepted assessments of a child on one
    /// date the later is rejected, by the core's rule ([`SeenDates`], as
    /// `vsend score` applies it); its problem joins `rejected`, which is then in record
    /// order. `child_of(k)` is the child of accepted slot `k` (read from a
    /// DataFrame's cells; `None` takes the IDs kept by [`Scored::score_all`]).
    ///
    /// Children are split into shards by a hash of their ID, each shard's
    /// slots checked in input order on its own core: the rule is per child,
    /// and all of a child's slots fall in one shard. A slot whose child is
    /// the previous slot's is checked without reading the ID again.
    pub(crate) fn reject_duplicates(
        &mut self,
        rejected: &mut Rejected,
        format: Format,
        child_of: Option<&ChildOf<'_>>,
    ) {
        let mut found = match child_of {
            Some(child_of) => self.duplicates(child_of),
            None => {
                let ids = &self.ids;
                self.duplicates(&move |k| ids.get(k).map(|(c, _)| Cow::Borrowed(c.as_str())))
            }
        };
        if found.is_empty() {
            return;
        }
        found.sort_unstable_by_key(|(k, _)| *k);
        for (k, d) in found {
            self.accepted[k] = false;
            rejected.push((self.rows[k], vec![Problem::duplicate(d, format)]));
        }
        rejected.sort_by_key(|(row, _)| *row);
    }

    /// The accepted slots that are later same-date assessments of their
    /// child (§7), each with its duplicate, in no particular order.
    fn duplicates(&self, child_of: &ChildOf<'_>) -> Vec<(usize, vsend_core::Duplicate)> {
        let shards = rayon::current_num_threads().clamp(1, 16);
        let (accepted, dates, children) = (&self.accepted, &self.dates, &self.children);
        (0..shards)
            .into_par_iter()
            .flat_map_iter(|s| {
                let mut seen = SeenDates::new();
                let mut found = Vec::new();
                // The slot whose child was added last.
                let mut latest = None;
                let mine = |&k: &usize| accepted[k] && children[k].shard(shards) == s;
                for k in (0..accepted.len()).filter(mine) {
                    let again = children[k].is_again() && latest == k.checked_sub(1);
                    let added = match again {
                        true => seen.add_to_latest(dates[k]),
                        false => None,
                    };
                    let added = match added {
                        Some(added) => added,
                        None => {
                            let child = child_of(k).and_then(|t| ChildId::new(&t).ok());
                            let Some(child) = child else { continue };
                            seen.add(&child, dates[k])
                        }
                    };
                    latest = Some(k);
                    if let Err(d) = added {
                        found.push((k, d));
                    }
                }
                found
            })
            .collect()
    }

    /// The accepted slots, in order.
    pub(crate) fn accepted_slots(&self) -> Vec<usize> {
        (0..self.len()).filter(|&k| self.accepted[k]).collect()
    }

    /// Takes out the slots not accepted, keeping order (in place, no copy
    /// of a column).
    fn compact(&mut self) {
        let keep = std::mem::take(&mut self.accepted);
        fn retain<T: Clone>(v: &mut Vec<T>, keep: &[bool]) {
            let mut at = 0;
            for k in 0..v.len() {
                if keep[k] {
                    if at != k {
                        v[at] = v[k].clone();
                    }
                    at += 1;
                }
            }
            v.truncate(at);
        }
        retain(&mut self.rows, &keep);
        if !self.ids.is_empty() {
            retain(&mut self.ids, &keep);
        }
        retain(&mut self.on, &keep);
        retain(&mut self.complete, &keep);
        for c in &mut self.figures {
            retain(&mut c.values, &keep);
            retain(&mut c.mask, &keep);
        }
        for c in &mut self.levels {
            retain(&mut c.values, &keep);
            retain(&mut c.mask, &keep);
        }
        for c in &mut self.codes {
            retain(c, &keep);
        }
        self.accepted = vec![true; self.rows.len()];
    }

    /// The scored columns in §10 order (`framework.scored_columns()`) and
    /// the record number of each row: the one place columns are named and
    /// typed. `ids` gives the `child_id` and `setting_id` columns (a
    /// DataFrame's own cells); `None` takes the IDs kept by
    /// [`Scored::score_all`], as `output` wants them.
    fn into_columns(
        mut self,
        py: Python<'_>,
        fw: &Framework,
        ids: Option<(IdColumn, IdColumn)>,
        output: Output,
    ) -> (Vec<(String, OutColumn)>, Vec<i64>) {
        if self.accepted.iter().any(|a| !a) {
            self.compact();
        }
        let n = self.len();
        let (child_id, setting_id) = ids.unwrap_or_else(|| {
            let child = self.ids.iter().map(|(c, _)| Some(c.as_str()));
            let setting = self.ids.iter().map(|(_, s)| s.as_ref().map(|s| s.as_str()));
            (
                IdColumn::new(py, child, output),
                IdColumn::new(py, setting, output),
            )
        });
        let mut all: Vec<(String, OutColumn)> = vec![
            ("child_id".into(), OutColumn::Text(child_id)),
            ("setting_id".into(), OutColumn::Text(setting_id)),
            ("assessed_on".into(), OutColumn::Date(self.on)),
            ("complete".into(), OutColumn::Flag(self.complete)),
        ];
        all.extend(
            Figure::ALL
                .into_iter()
                .zip(self.figures)
                .map(|(f, c)| (f.name(), OutColumn::Figure(c))),
        );
        all.extend(
            Level::ALL
                .into_iter()
                .zip(self.levels)
                .map(|(l, c)| (l.name(), OutColumn::Count(c))),
        );
        for (c, codes) in Code::ALL.into_iter().zip(self.codes) {
            let (categories, ordered) = c.categories(fw);
            all.push((c.name().into(), OutColumn::Code(codes, categories, ordered)));
        }
        for (name, value) in [
            ("framework_id", fw.id()),
            ("framework_version", fw.version()),
        ] {
            let zeros = OutColumn::Code(vec![0; n], vec![value.to_owned()], false);
            all.push((name.into(), zeros));
        }
        debug_assert!(self.banded == fw.banding().is_some());
        // Only the framework's columns, in its order (§13's only with banding).
        let mut ordered = Vec::with_capacity(all.len());
        for name in vsend_core::scored_columns(fw) {
            if let Some(at) = all.iter().position(|(n, _)| n == name) {
                ordered.push(all.swap_remove(at));
            }
        }
        (ordered, self.rows)
    }

    /// `{column: (kind, ...)}` in §10 order, and `"_rows"`: the record
    /// number of each row. Kinds: `("text", objects or a pyarrow array)`,
    /// `("date", seconds)`, `("figure" | "count", values, mask)`,
    /// `("flag", values)`, `("code", codes, categories, ordered)`. The
    /// arrays are handed to numpy without copying.
    pub(crate) fn into_py<'py>(
        self,
        py: Python<'py>,
        fw: &Framework,
        ids: Option<(IdColumn, IdColumn)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (columns, rows) = self.into_columns(py, fw, ids, Output::Numpy);
        let out = PyDict::new(py);
        for (name, column) in columns {
            let spec = match column {
                OutColumn::Text(IdColumn::Objects(o)) => {
                    ("text", o.into_pyarray(py)).into_pyobject(py)?.into_any()
                }
                OutColumn::Text(IdColumn::Arrow(chunks)) => {
                    let pyarrow = PyChunkedArray::from_array_refs(chunks)?.to_pyarrow(py)?;
                    ("text", pyarrow).into_pyobject(py)?.into_any()
                }
                OutColumn::Date(on) => ("date", on.into_pyarray(py)).into_pyobject(py)?.into_any(),
                OutColumn::Flag(f) => ("flag", f.into_pyarray(py)).into_pyobject(py)?.into_any(),
                OutColumn::Figure(c) => {
                    ("figure", c.values.into_pyarray(py), c.mask.into_pyarray(py))
                        .into_pyobject(py)?
                        .into_any()
                }
                OutColumn::Count(c) => {
                    ("count", c.values.into_pyarray(py), c.mask.into_pyarray(py))
                        .into_pyobject(py)?
                        .into_any()
                }
                OutColumn::Code(codes, categories, ordered) => {
                    ("code", codes.into_pyarray(py), categories, ordered)
                        .into_pyobject(py)?
                        .into_any()
                }
            };
            out.set_item(name, spec)?;
        }
        out.set_item("_rows", rows.into_pyarray(py))?;
        Ok(out)
    }

    /// The scored columns as one Arrow table (text, date32, float64 and
    /// int64 with nulls, booleans, dictionary-coded categoricals), for a
    /// polars DataFrame or a pyarrow Table; and the record number of each row.
    /// Numbers become the arrays' buffers without a copy.
    pub(crate) fn into_arrow(
        self,
        py: Python<'_>,
        fw: &Framework,
        ids: Option<(IdColumn, IdColumn)>,
    ) -> PyResult<(PyObject, Vec<i64>)> {
        let (columns, rows) = self.into_columns(py, fw, ids, Output::Arrow);
        let mut arrays = Vec::with_capacity(columns.len());
        for (name, column) in columns {
            let array = match column {
                OutColumn::Text(IdColumn::Arrow(chunks)) => crate::arrow::concat(&name, &chunks)?,
                OutColumn::Text(IdColumn::Objects(o)) => {
                    let text: Vec<Option<String>> =
                        o.iter().map(|x| x.extract::<String>(py).ok()).collect();
                    crate::arrow::texts(text.iter().map(|t| t.as_deref()))
                }
                OutColumn::Date(on) => crate::arrow::dates(&on),
                OutColumn::Flag(f) => crate::arrow::flags(&f),
                OutColumn::Figure(c) => crate::arrow::figures(c.values, &c.mask),
                OutColumn::Count(c) => crate::arrow::counts(c.values, &c.mask),
                OutColumn::Code(codes, categories, _) => {
                    crate::arrow::categorical(codes, &categories)?
                }
            };
            arrays.push((name, array));
        }
        Ok((crate::arrow::table(py, arrays)?, rows))
    }
}

/// What the Python side wants scored columns as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// numpy arrays, for a pandas DataFrame.
    Numpy,
    /// Arrow arrays, for polars or pyarrow.
    Arrow,
}

/// The `child_id` or `setting_id` column of the scored output.
pub(crate) enum IdColumn {
    /// Python strings (`None` absent): a DataFrame's own objects where it can.
    Objects(Vec<PyObject>),
    /// Arrow text, in chunks: for Arrow output, or from an Arrow-backed
    /// column (its own chunks where it can).
    Arrow(Vec<ArrayRef>),
}

impl IdColumn {
    /// IDs as text (`None` absent), as `output` wants them.
    pub(crate) fn new<'a>(
        py: Python<'_>,
        ids: impl Iterator<Item = Option<&'a str>>,
        output: Output,
    ) -> IdColumn {
        match output {
            Output::Arrow => IdColumn::Arrow(vec![crate::arrow::texts(ids)]),
            Output::Numpy => IdColumn::Objects(
                ids.map(|id| match id {
                    Some(id) => PyString::new(py, id).into_any().unbind(),
                    None => py.None(),
                })
                .collect(),
            ),
        }
    }
}

/// One scored column, named and typed by [`Scored::into_columns`].
enum OutColumn {
    Text(IdColumn),
    /// Seconds since 1970.
    Date(Vec<i64>),
    Flag(Vec<bool>),
    Figure(Nullable<f64>),
    Count(Nullable<i64>),
    /// Codes, categories, whether ordered.
    Code(Vec<i16>, Vec<String>, bool),
}

/// Validates and scores every record of `source` (§3–§6, §9), rejecting
/// same-date duplicates (§7). Returns `(columns, problems, rows_read)`.
///
/// With `arrow=True` the columns come back as one Arrow table (for polars or
/// pyarrow) and the record numbers beside it: `((table, rows), problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, arrow=false))]
pub(crate) fn score_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    arrow: bool,
) -> PyResult<(PyObject, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let output = if arrow { Output::Arrow } else { Output::Numpy };
    let mut problems = Problems::default();
    let (scored, rejected, n) = match &source {
        Source::Columns(columns) => {
            let (scored, ids, rejected) =
                fast::score_frame(py, fw, columns, output, &mut problems.numeric_ids)?;
            (
                scored.render(py, fw, Some(ids), output)?,
                rejected,
                n_of(columns),
            )
        }
        _ => {
            let mut scored = Scored::new(fw);
            let mut rejected = Rejected::new();
            let mut chunk: Vec<(i64, Assessment)> = Vec::with_capacity(CHUNK);
            let n = source.read(py, fw, &mut problems.numeric_ids, &mut |row, outcome| {
                match outcome {
                    Ok(a) => chunk.push((row, a)),
                    Err(p) => rejected.push((row, p)),
                }
                if chunk.len() == CHUNK {
                    scored.score_all(fw, &chunk);
                    chunk.clear();
                }
                Ok(())
            })?;
            scored.score_all(fw, &chunk);
            scored.reject_duplicates(&mut rejected, source.format(), None);
            (scored.render(py, fw, None, output)?, rejected, n)
        }
    };
    for (row, p) in rejected {
        problems.add(row, p);
    }
    Ok((scored, problems.into_py(py)?, n))
}

/// The rows of a DataFrame.
fn n_of(columns: &crate::source::Columns<'_>) -> usize {
    columns.rows
}

impl Scored {
    /// The columns as `output` wants them: a dict of numpy arrays, or an
    /// Arrow table and the record numbers.
    fn render(
        self,
        py: Python<'_>,
        fw: &Framework,
        ids: Option<(IdColumn, IdColumn)>,
        output: Output,
    ) -> PyResult<PyObject> {
        Ok(match output {
            Output::Numpy => self.into_py(py, fw, ids)?.into_any().unbind(),
            Output::Arrow => {
                let (table, rows) = self.into_arrow(py, fw, ids)?;
                (table, rows.into_pyarray(py))
                    .into_pyobject(py)?
                    .into_any()
                    .unbind()
            }
        })
    }
}

/// Accepted records of a file scored at a time (a few slices per core).
const CHUNK: usize = SLICE * 8;
