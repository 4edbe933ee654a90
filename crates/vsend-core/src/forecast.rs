//! §15 Projecting need for place planning, with a back-test.
//!
//! From a council's own review history, [`forecast`] projects how many
//! children will be on the caseload, and how many will have a high need in
//! each domain, per school phase, for the next H school years: the expected
//! value from an annual transition matrix per domain (matrix powers), and a
//! 95 % interval from a seeded simulation whose draw order §15 fixes, so every
//! build gives the same numbers.
//!
//! The work is split in two: `Setup` reads the histories once into compact
//! per-child state (levels as `u8`, phases per school year as codes), and the
//! expected values and every replicate run over that state, never over the
//! assessments themselves.
//!
//! Limits (§15): levels move independently per domain; leaving depends on
//! phase only, not on need; inflow repeats the recent past; the interval
//! covers the model's own randomness and the history's sampling error, not a
//! change of policy. The back-test says how much that matters for the data.

use jiff::civil::Date;
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::domain::{Domain, PerDomain};
use crate::framework::{Aggregate, Framework};
use crate::history::Histories;
use crate::packed::PackedReview;
use crate::rng::SplitMix64;
use crate::scored::Cell;
use crate::transition::{school_phase, Phase};

/// The longest horizon H, in school years (§15).
pub const MAX_HORIZON: u32 = 5;
/// The most replicates B (§15, §16).
pub const MAX_REPLICATES: u32 = 10_000;
/// The most years of history K (§15).
pub const MAX_HISTORY_YEARS: u32 = 10;
/// The most years of inflow m (§15).
pub const MAX_INFLOW_YEARS: u32 = 10;

/// The options of a projection (§15). [`Default`] gives the spec's defaults.
///
/// ```
/// use vsend_core::ForecastOptions;
/// let o = ForecastOptions::default();
/// assert_eq!((o.horizon, o.replicates, o.seed, o.inflow_years), (3, 200, 1, 3));
/// assert_eq!((o.as_of, o.history, o.backtest), (None, None, false));
/// assert!(ForecastOptions { horizon: 6, ..o }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastOptions {
    /// The date projected from; `None` for the latest `assessed_on`.
    pub as_of: Option<Date>,
    /// H: school years projected, 1 to 5 (default 3).
    pub horizon: u32,
    /// B: simulation replicates for the intervals, 0 to 10 000 (default 200).
    pub replicates: u32,
    /// The seed of the master generator (default 1).
    pub seed: u64,
    /// K: years of history the dynamics are learnt from, 1 to 10; `None`
    /// for the largest k ≤ 10 with an assessment on or before s_k.
    pub history: Option<u32>,
    /// m: years of entrants replayed as inflow, 1 to 10 (default 3); the
    /// years used are min(m, K).
    pub inflow_years: u32,
    /// Whether to back-test: the same projection made a year earlier,
    /// compared with what was then observed (needs K ≥ 2).
    pub backtest: bool,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            as_of: None,
            horizon: 3,
            replicates: 200,
            seed: 1,
            history: None,
            inflow_years: 3,
            backtest: false,
        }
    }
}

impl ForecastOptions {
    /// Checks each option against its range (§15), before any data is read.
    pub fn validate(&self) -> Result<(), ForecastError> {
        if !(1..=MAX_HORIZON).contains(&self.horizon) {
            return Err(ForecastError::Horizon(self.horizon));
        }
        if self.replicates > MAX_REPLICATES {
            return Err(ForecastError::Replicates(self.replicates));
        }
        if let Some(k) = self.history {
            if !(1..=MAX_HISTORY_YEARS).contains(&k) {
                return Err(ForecastError::History(k));
            }
        }
        if !(1..=MAX_INFLOW_YEARS).contains(&self.inflow_years) {
            return Err(ForecastError::InflowYears(self.inflow_years));
        }
        Ok(())
    }
}

/// Why a projection could not be made (§15): a bad option, or too little data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForecastError {
    /// The horizon is outside 1..=5.
    #[error("horizon {0} is not allowed: a projection looks 1 to 5 school years ahead")]
    Horizon(u32),
    /// More than 10 000 replicates.
    #[error("replicates {0} is not allowed: 0 to 10000")]
    Replicates(u32),
    /// Years of history outside 1..=10.
    #[error("history {0} is not allowed: 1 to 10 years")]
    History(u32),
    /// Years of inflow outside 1..=10.
    #[error("inflow_years {0} is not allowed: 1 to 10 years")]
    InflowYears(u32),
    /// No assessment at all, so no date to project from.
    #[error("no assessments to project from")]
    NoAssessments,
    /// `as_of` is before every assessment.
    #[error("as_of {as_of} is before every assessment (the first is on {first})")]
    AsOfBeforeData {
        /// The date asked for.
        as_of: Date,
        /// The earliest assessment.
        first: Date,
    },
    /// K = 0: no assessment on or before a year before `as_of`.
    #[error("a projection needs at least one year of history before {as_of}")]
    NoHistory {
        /// The date projected from.
        as_of: Date,
    },
    /// A back-test was asked for with fewer than two years of history.
    #[error("a back-test needs at least two years of history before {as_of} (found {years})")]
    BacktestHistory {
        /// The date projected from.
        as_of: Date,
        /// The years of history there are (K, or fewer when the data is shorter).
        years: u32,
    },
    /// The histories were built keeping only some reviews.
    #[error(
        "a projection reads every review: build the histories with Keep::All or Keep::levels of this framework"
    )]
    NotAllReviewsKept,
}

/// A row phase of a projection (§15): the four school phases of §11 below
/// `adult` (which is never counted), `unknown` (no date of birth), and `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProjectionPhase {
    /// Ages 0 to 3 on 31 August, or not yet born then.
    EarlyYears,
    /// Ages 4 to 10.
    Primary,
    /// Ages 11 to 15.
    Secondary,
    /// Ages 16 to 25.
    Post16,
    /// No date of birth.
    Unknown,
    /// The sum of the five above.
    All,
}

impl ProjectionPhase {
    /// The six phases in output order.
    pub const ALL: [ProjectionPhase; 6] = [
        ProjectionPhase::EarlyYears,
        ProjectionPhase::Primary,
        ProjectionPhase::Secondary,
        ProjectionPhase::Post16,
        ProjectionPhase::Unknown,
        ProjectionPhase::All,
    ];

    /// The key used in files: `early_years`, …, `unknown`, `all`.
    pub const fn key(self) -> &'static str {
        match self {
            ProjectionPhase::EarlyYears => "early_years",
            ProjectionPhase::Primary => "primary",
            ProjectionPhase::Secondary => "secondary",
            ProjectionPhase::Post16 => "post16",
            ProjectionPhase::Unknown => "unknown",
            ProjectionPhase::All => "all",
        }
    }
}

impl Serialize for ProjectionPhase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// What the dynamics were learnt from (§15 `history`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionHistory {
    /// K, the years of history.
    pub years: u32,
    /// The history children: present at some s_k, 1 ≤ k ≤ K.
    pub children: u64,
    /// Transition pairs per domain.
    pub pairs: PerDomain<u64>,
    /// Levels with no pair per domain, assumed to persist.
    pub unobserved_levels: PerDomain<Vec<u8>>,
}

/// The annual leaving share q per phase (§15); `None` (null) for a phase
/// with no children in the history, where q = 0 is used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Leaving {
    /// q(`early_years`).
    pub early_years: Option<f64>,
    /// q(`primary`).
    pub primary: Option<f64>,
    /// q(`secondary`).
    pub secondary: Option<f64>,
    /// q(`post16`).
    pub post16: Option<f64>,
    /// q(`unknown`).
    pub unknown: Option<f64>,
}

/// The inflow replayed each projection year (§15).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Inflow {
    /// m' = min(m, K), the historic years whose entrants are replayed.
    pub years: u32,
    /// (|E_1| + … + |E_m'|) / m'.
    pub children_per_year: f64,
}

/// One projected figure: the expected value and its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The expected value (observed at h = 0).
    pub expected: f64,
    /// The 2.5 % quantile of the replicates (observed at h = 0; `None` for
    /// h ≥ 1 with no replicates).
    pub low: Option<f64>,
    /// The 97.5 % quantile, likewise.
    pub high: Option<f64>,
}

/// The columns of the §15 projection CSV, in order: one row per
/// (school_year, phase).
pub const PROJECTION_COLUMNS: [&str; 20] = [
    "school_year",
    "phase",
    "children",
    "children_low",
    "children_high",
    "high_need.cl",
    "high_need_low.cl",
    "high_need_high.cl",
    "high_need.ci",
    "high_need_low.ci",
    "high_need_high.ci",
    "high_need.sp",
    "high_need_low.sp",
    "high_need_high.sp",
    "high_need.semh",
    "high_need_low.semh",
    "high_need_high.semh",
    "high_need.ind",
    "high_need_low.ind",
    "high_need_high.ind",
];

/// One (school year, phase) of a projection (§15).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectionRow {
    /// The school year, starting 1 September of this year (Y0 + h).
    pub school_year: i16,
    /// The phase, or `all`.
    pub phase: ProjectionPhase,
    /// Children on the caseload.
    pub children: Estimate,
    /// Children with need ≥ high_need_level, per domain.
    pub high_need: PerDomain<Estimate>,
}

impl ProjectionRow {
    /// The row's values, one per entry of [`PROJECTION_COLUMNS`], in that order.
    pub fn cells(&self) -> [Cell<'static>; PROJECTION_COLUMNS.len()] {
        let num = |x: Option<f64>| x.map_or(Cell::Null, Cell::Number);
        let mut cells = [Cell::Null; PROJECTION_COLUMNS.len()];
        cells[0] = Cell::Whole(i64::from(self.school_year));
        cells[1] = Cell::Text(self.phase.key());
        let estimates = std::iter::once(&self.children).chain(self.high_need.0.iter());
        for (i, e) in estimates.enumerate() {
            cells[2 + 3 * i] = Cell::Number(e.expected);
            cells[3 + 3 * i] = num(e.low);
            cells[4 + 3 * i] = num(e.high);
        }
        cells
    }
}

/// A figure compared by the back-test: `children`, or a domain's `high_need`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BacktestFigure {
    /// Children on the caseload.
    Children,
    /// Children with a high need in the domain.
    HighNeed(Domain),
}

impl BacktestFigure {
    /// The six figures in output order: `children`, then the domains in §1 order.
    pub const ALL: [BacktestFigure; 6] = [
        BacktestFigure::Children,
        BacktestFigure::HighNeed(Domain::Cl),
        BacktestFigure::HighNeed(Domain::Ci),
        BacktestFigure::HighNeed(Domain::Sp),
        BacktestFigure::HighNeed(Domain::Semh),
        BacktestFigure::HighNeed(Domain::Ind),
    ];

    /// The key used in files: `children` or the domain key.
    pub const fn key(self) -> &'static str {
        match self {
            BacktestFigure::Children => "children",
            BacktestFigure::HighNeed(d) => d.key(),
        }
    }
}

impl Serialize for BacktestFigure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// One cell of the back-test (§15): one phase and figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BacktestCell {
    /// The phase (never `all`).
    pub phase: ProjectionPhase,
    /// The figure.
    pub figure: BacktestFigure,
    /// Expected at h = 1 of the projection from `origin`.
    pub forecast: f64,
    /// Its interval's low end (`None` with no replicates).
    pub low: Option<f64>,
    /// Its interval's high end.
    pub high: Option<f64>,
    /// What was observed at `as_of` (h = 0 of the projection from `as_of`).
    pub observed: f64,
    /// What was observed at `origin`: "next year looks like this year".
    pub persistence: f64,
}

/// The back-test (§15): the projection made a year before `as_of`, from the
/// assessments then on file, against what was observed at `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    /// shift(as_of, −1), the date projected from.
    pub origin: Date,
    /// Mean |forecast − observed| over the cells.
    pub mae: f64,
    /// Mean |persistence − observed|.
    pub mae_persistence: f64,
    /// 1 − mae / mae_persistence; `None` when mae_persistence = 0.
    pub skill: Option<f64>,
    /// Share of cells with low ≤ observed ≤ high; `None` with no replicates.
    pub coverage: Option<f64>,
    /// The 30 cells: five phases × six figures, in phase then figure order.
    pub cells: Vec<BacktestCell>,
}

/// A projection of need (§15), serialising to the §15 JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// The date projected from.
    pub as_of: Date,
    /// Y0, the school year of `as_of`.
    pub school_year: i16,
    /// H.
    pub horizon: u32,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// The level from which a need counts as high (§2).
    pub high_need_level: u8,
    /// B.
    pub replicates: u32,
    /// The seed of the master generator.
    pub seed: u64,
    /// What the dynamics were learnt from.
    pub history: ProjectionHistory,
    /// The leaving share per phase.
    pub leaving: Leaving,
    /// The inflow.
    pub inflow: Inflow,
    /// P_d per domain: rows and columns are levels 0..=max_level.
    pub transition: PerDomain<Vec<Vec<f64>>>,
    /// Every (h, phase) for h = 0..=H, phases in [`ProjectionPhase::ALL`] order.
    pub projection: Vec<ProjectionRow>,
    /// The back-test, when asked for.
    pub backtest: Option<Backtest>,
}

impl Forecast {
    /// The §15 projection CSV, one row of [`PROJECTION_COLUMNS`] cells per
    /// (school_year, phase).
    pub fn csv_rows(&self) -> impl Iterator<Item = [Cell<'static>; PROJECTION_COLUMNS.len()]> + '_ {
        self.projection.iter().map(ProjectionRow::cells)
    }

    /// The row of one school year and phase.
    pub fn row(&self, school_year: i16, phase: ProjectionPhase) -> Option<&ProjectionRow> {
        self.projection
            .iter()
            .find(|r| r.school_year == school_year && r.phase == phase)
    }
}

/// Projects need from `histories` (§15), which must keep every review:
/// [`Keep::levels`](crate::history::Keep::levels) of `framework` (a few bytes a
/// review) or [`Keep::All`](crate::history::Keep::All).
///
/// Only assessments on or before `as_of` (default: the latest `assessed_on`)
/// are read. The result depends only on the assessments, the framework and
/// the options, never on input order or on the number of threads: the
/// replicates run in parallel, each on its own generator.
///
/// ```
/// use vsend_core::{forecast, AssessmentBuilder, ForecastOptions, Framework, Histories};
/// use vsend_core::history::Keep;
/// let fw = Framework::default();
/// let mut histories = Histories::new(Keep::All);
/// for (child, on, level) in [("C1", "2023-10-01", "2"), ("C1", "2024-10-01", "3"),
///                            ("C2", "2024-10-01", "1"), ("C2", "2025-05-01", "1")] {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on(on).date_of_birth("2015-01-01").need("cl.literacy", level);
///     histories.add(&b.build().unwrap()).unwrap();
/// }
/// let f = forecast(&fw, &histories, &ForecastOptions::default())?;
/// assert_eq!(f.as_of.to_string(), "2025-05-01");
/// assert_eq!(f.projection.len(), 4 * 6); // h = 0..=3, six phases
/// # Ok::<(), vsend_core::ForecastError>(())
/// ```
pub fn forecast(
    framework: &Framework,
    histories: &Histories,
    options: &ForecastOptions,
) -> Result<Forecast, ForecastError> {
    forecast_with_progress(framework, histories, options, &|| {})
}

/// [`forecast`], calling `progress` each time a replicate is done, from
/// whichever thread ran it: B times, 2B with the back-test (its replicates
/// come after the projection's). For a progress bar; the result does not
/// depend on it.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use vsend_core::{forecast_with_progress, AssessmentBuilder, ForecastOptions, Framework, Histories};
/// use vsend_core::history::Keep;
/// let fw = Framework::default();
/// let mut histories = Histories::new(Keep::levels(&fw));
/// for (child, on) in [("C1", "2023-10-01"), ("C1", "2024-10-01"), ("C2", "2025-05-01")] {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on(on).need("cl.literacy", "2");
///     histories.add(&b.build().unwrap()).unwrap();
/// }
/// let done = AtomicU32::new(0);
/// let options = ForecastOptions { replicates: 50, ..ForecastOptions::default() };
/// forecast_with_progress(&fw, &histories, &options, &|| {
///     done.fetch_add(1, Ordering::Relaxed);
/// })?;
/// assert_eq!(done.into_inner(), 50);
/// # Ok::<(), vsend_core::ForecastError>(())
/// ```
pub fn forecast_with_progress(
    framework: &Framework,
    histories: &Histories,
    options: &ForecastOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Forecast, ForecastError> {
    options.validate()?;
    if !histories.keeps_every_review(framework) {
        return Err(ForecastError::NotAllReviewsKept);
    }
    let as_of = options
        .as_of
        .or(histories.as_of())
        .ok_or(ForecastError::NoAssessments)?;
    // Every review is kept, so the earliest of all is the earliest on or
    // before as_of when there is one.
    let first = match histories.earliest() {
        Some(first) if first <= as_of => first,
        Some(first) => return Err(ForecastError::AsOfBeforeData { as_of, first }),
        None => return Err(ForecastError::NoAssessments),
    };
    let available = available_years(first, as_of);
    if available == 0 {
        return Err(ForecastError::NoHistory { as_of });
    }
    let years = options.history.unwrap_or(available);
    let origin = shift(as_of, -1);
    if options.backtest && years.min(available) < 2 {
        return Err(ForecastError::BacktestHistory {
            as_of,
            years: years.min(available),
        });
    }
    let params = Params {
        as_of,
        horizon: options.horizon as usize,
        replicates: options.replicates as usize,
        seed: options.seed,
        years: years as usize,
        inflow_years: options.inflow_years as usize,
    };
    let main = Projection::run(framework, histories, &params, progress);
    let backtest = options.backtest.then(|| {
        let earlier = Params {
            as_of: origin,
            horizon: 1,
            years: params.years - 1,
            ..params
        };
        let earlier = Projection::run(framework, histories, &earlier, progress);
        main.backtest(&earlier, origin)
    });
    Ok(main.into_forecast(framework, &params, backtest))
}

/// shift(t, n) of §15: n whole years after t, same month and day; 29 February
/// becomes 28 February in a year without one.
pub(crate) fn shift(t: Date, n: i16) -> Date {
    let year = t.year().saturating_add(n);
    Date::new(year, t.month(), t.day())
        .or_else(|_| Date::new(year, t.month(), 28))
        .unwrap_or(if n < 0 { Date::MIN } else { Date::MAX })
}

/// The school year of a date (§15): its year from September, else the year before.
pub(crate) fn school_year(t: Date) -> i16 {
    if t.month() >= 9 {
        t.year()
    } else {
        t.year() - 1
    }
}

/// The default K (§15): the largest k ≤ 10 with an assessment on or before
/// s_k; `first` is the earliest assessment on or before `as_of`.
fn available_years(first: Date, as_of: Date) -> u32 {
    (1..=MAX_HISTORY_YEARS)
        .rev()
        .find(|&k| first <= shift(as_of, -(k as i16)))
        .unwrap_or(0)
}

/// A level not known (need unknown in that domain).
const NO_LEVEL: u8 = u8::MAX;
/// Phase codes: the five counted row phases are 0..=4 in [`ProjectionPhase`] order.
const UNKNOWN: u8 = 4;
/// `adult`: never counted, and leaves at the next step (q = 1).
const ADULT: u8 = 5;
/// The counted phases.
const PHASES: usize = 5;
/// Figures per phase: `children`, then high need per domain.
const FIGURES: usize = 6;

/// The phase code of a child born on `born` in school year `year` (§15): §11's
/// school phase, `early_years` when not yet born on 31 August, `unknown`
/// without a date of birth.
fn phase_code(born: Option<Date>, year: i16) -> u8 {
    let Some(born) = born else {
        return UNKNOWN;
    };
    match school_phase(born, year) {
        None | Some(Phase::EarlyYears) => 0,
        Some(Phase::Primary) => 1,
        Some(Phase::Secondary) => 2,
        Some(Phase::Post16) => 3,
        Some(Phase::Adult) => ADULT,
    }
}

/// floor(need(d)) per domain of `r` (§15), or [`NO_LEVEL`].
fn levels_of(r: &PackedReview, aggregate: Aggregate) -> [u8; 5] {
    std::array::from_fn(|d| r.level(aggregate, d).unwrap_or(NO_LEVEL))
}

/// The numbers a projection is made with.
#[derive(Debug, Clone, Copy)]
struct Params {
    as_of: Date,
    horizon: usize,
    replicates: usize,
    seed: u64,
    /// K.
    years: usize,
    /// m (before min(m, K)).
    inflow_years: usize,
}

/// A child that moves through the projection: its levels at the start and
/// its phase code at each step (offset 0 = the start).
#[derive(Debug, Clone, Copy)]
struct Mover {
    levels: [u8; 5],
    phases: [u8; MAX_HORIZON as usize + 1],
}

/// The numbers a projection's state is made with and of, which its
/// [`Forecast`] reads: all that a [`Projection`] keeps of its [`Setup`], whose
/// children's state is freed once the replicates are run, before a back-test
/// builds its own.
#[derive(Debug, Clone, Copy)]
struct Shape {
    y0: i16,
    horizon: usize,
    years: usize,
    /// m' = min(m, K).
    inflow_years: usize,
    /// Levels 0..=max_level.
    levels: usize,
    high: u8,
    history_children: usize,
    /// |E_1| + … + |E_m'|.
    entrants: usize,
}

/// The compact state a projection runs on (§15).
struct Setup {
    shape: Shape,
    /// The history children's transition pairs, each coded
    /// `(d · L + from) · L + to`, with how many times the child made that
    /// pair (a child whose level holds makes the same pair year after year);
    /// child i's are `pairs[pair_ends[i-1]..pair_ends[i]]`.
    pairs: Vec<(u16, u16)>,
    pair_ends: Vec<usize>,
    /// Their leaving records, each coded `phase · 2 + left`.
    leaves: Vec<u8>,
    leave_ends: Vec<usize>,
    /// The base children, phases from Y0.
    base: Vec<Mover>,
    /// E_1..E_m', phases from each entrant's entry school year.
    entrants: Vec<Vec<Mover>>,
}

impl Setup {
    /// The compact state of every child with a review on or before `p.as_of`,
    /// read from the histories in place.
    fn new(fw: &Framework, histories: &Histories, p: &Params) -> Self {
        let k_max = p.years;
        let m1 = p.inflow_years.min(p.years);
        let mut setup = Setup {
            shape: Shape {
                y0: school_year(p.as_of),
                horizon: p.horizon,
                years: k_max,
                inflow_years: m1,
                levels: usize::from(fw.scale().max_level()) + 1,
                high: fw.high_need_level(),
                history_children: 0,
                entrants: 0,
            },
            pairs: Vec::new(),
            pair_ends: Vec::new(),
            leaves: Vec::new(),
            leave_ends: Vec::new(),
            base: Vec::new(),
            entrants: vec![Vec::new(); m1],
        };
        // s_0..=s_{K+1}: presence at s_k needs the window (s_{k+1}, s_k].
        let snapshots: Vec<Date> = (0..=k_max + 1)
            .map(|k| shift(p.as_of, -(k as i16)))
            .collect();
        let aggregate = fw.aggregate();
        let mut codes: Vec<u16> = Vec::new();
        histories.each_child_levels(fw, |all| {
            let upto = all.partition_point(|r| r.assessed_on() <= p.as_of);
            if upto > 0 {
                setup.add_child(&all[..upto], &snapshots, aggregate, &mut codes);
            }
        });
        setup
    }

    /// Adds one child's reviews on or before `as_of` (at least one): its
    /// transition pairs and leaving records, its state at s_0 and its entry.
    fn add_child(
        &mut self,
        reviews: &[PackedReview],
        snapshots: &[Date],
        aggregate: Aggregate,
        codes: &mut Vec<u16>,
    ) {
        let Shape {
            y0,
            years: k_max,
            levels,
            ..
        } = self.shape;
        // The state at s_k: the latest review in (s_{k+1}, s_k].
        let mut states = [None; MAX_HISTORY_YEARS as usize + 1];
        for (k, state) in states.iter_mut().enumerate().take(k_max + 1) {
            let end = reviews.partition_point(|r| r.assessed_on() <= snapshots[k]);
            let start = reviews.partition_point(|r| r.assessed_on() <= snapshots[k + 1]);
            *state = (end > start).then(|| &reviews[end - 1]);
        }
        if states[1..=k_max].iter().any(Option::is_some) {
            codes.clear();
            for k in 1..=k_max {
                let Some(then) = states[k] else { continue };
                let phase = phase_code(then.date_of_birth(), y0 - k as i16);
                let next = states[k - 1];
                if phase != ADULT {
                    self.leaves.push(phase * 2 + u8::from(next.is_none()));
                }
                if let Some(next) = next {
                    let (from, to) = (levels_of(then, aggregate), levels_of(next, aggregate));
                    for d in 0..5 {
                        if from[d] != NO_LEVEL && to[d] != NO_LEVEL {
                            let code =
                                (d * levels + usize::from(from[d])) * levels + usize::from(to[d]);
                            codes.push(code as u16);
                        }
                    }
                }
            }
            codes.sort_unstable();
            for run in codes.chunk_by(|a, b| a == b) {
                self.pairs.push((run[0], run.len() as u16));
            }
            self.pair_ends.push(self.pairs.len());
            self.shape.history_children += 1;
            self.leave_ends.push(self.leaves.len());
        }
        if let Some(now) = states[0] {
            let born = now.date_of_birth();
            if phase_code(born, y0) != ADULT {
                self.base.push(Mover {
                    levels: levels_of(now, aggregate),
                    phases: std::array::from_fn(|t| phase_code(born, y0 + t as i16)),
                });
            }
        }
        // The entry is the earliest review; E_k holds entries in (s_k, s_{k−1}].
        let entry = &reviews[0];
        let on = entry.assessed_on();
        if let Some(k) =
            (1..=self.shape.inflow_years).find(|&k| snapshots[k] < on && on <= snapshots[k - 1])
        {
            let (ye, born) = (school_year(on), entry.date_of_birth());
            self.shape.entrants += 1;
            self.entrants[k - 1].push(Mover {
                levels: levels_of(entry, aggregate),
                phases: std::array::from_fn(|t| phase_code(born, ye + t as i16)),
            });
        }
    }

    fn history_children(&self) -> usize {
        self.shape.history_children
    }

    /// C_d and the leaving counts, each history child counted `weights[i]`
    /// times (once each without weights).
    fn tally(&self, weights: Option<&[u32]>) -> Tally {
        let l = self.shape.levels;
        let mut t = Tally {
            pairs: vec![0; 5 * l * l],
            at_risk: [0; PHASES],
            left: [0; PHASES],
        };
        let mut pair_start = 0;
        let mut leave_start = 0;
        for i in 0..self.history_children() {
            let (pair_end, leave_end) = (self.pair_ends[i], self.leave_ends[i]);
            let w = weights.map_or(1, |w| u64::from(w[i]));
            if w > 0 {
                for &(code, n) in &self.pairs[pair_start..pair_end] {
                    t.pairs[usize::from(code)] += w * u64::from(n);
                }
                for &code in &self.leaves[leave_start..leave_end] {
                    let phase = usize::from(code / 2);
                    t.at_risk[phase] += w;
                    t.left[phase] += w * u64::from(code % 2);
                }
            }
            pair_start = pair_end;
            leave_start = leave_end;
        }
        t
    }
}

/// Transition and leaving counts (§15), possibly weighted.
struct Tally {
    pairs: Vec<u64>,
    at_risk: [u64; PHASES],
    left: [u64; PHASES],
}

impl Tally {
    /// P_d as one flat table, `[(d · L + i) · L + j]`: C_d's rows divided by
    /// their sums, an empty row the identity (§15).
    fn transition(&self, l: usize) -> Vec<f64> {
        let mut p = vec![0.0; 5 * l * l];
        for row in 0..5 * l {
            let counts = &self.pairs[row * l..(row + 1) * l];
            let sum: u64 = counts.iter().sum();
            if sum == 0 {
                p[row * l + row % l] = 1.0;
            } else {
                for j in 0..l {
                    p[row * l + j] = counts[j] as f64 / sum as f64;
                }
            }
        }
        p
    }

    /// q per phase code (§15), `adult` included: 0 for a phase with no
    /// children, 1 for `adult`.
    fn leaving(&self) -> [f64; PHASES + 1] {
        std::array::from_fn(|p| match self.at_risk.get(p) {
            None => 1.0, // adult
            Some(0) => 0.0,
            Some(&n) => self.left[p] as f64 / n as f64,
        })
    }
}

/// Sampling tables for one replicate: per (domain, level) row, the running
/// sums of P left to right, and the fallback level.
struct Sampler {
    l: usize,
    cumulative: Vec<f64>,
    /// The largest j with P[ℓ][j] > 0, for a u' the sums never exceed (§15).
    fallback: Vec<u8>,
    q: [f64; PHASES + 1],
}

impl Sampler {
    fn new(tally: &Tally, l: usize) -> Self {
        let p = tally.transition(l);
        let mut cumulative = vec![0.0; p.len()];
        let mut fallback = vec![0; 5 * l];
        for row in 0..5 * l {
            let mut sum = 0.0;
            for j in 0..l {
                sum += p[row * l + j];
                cumulative[row * l + j] = sum;
                if p[row * l + j] > 0.0 {
                    fallback[row] = j as u8;
                }
            }
        }
        Sampler {
            l,
            cumulative,
            fallback,
            q: tally.leaving(),
        }
    }

    /// One year of a present child: the leaving draw, then one draw per
    /// known level in §1 order (§15 step 2). Returns false when it leaves.
    #[inline]
    fn step(&self, rng: &mut SplitMix64, levels: &mut [u8; 5], phase_before: u8) -> bool {
        if rng.uniform() < self.q[usize::from(phase_before)] {
            return false;
        }
        let l = self.l;
        for (d, level) in levels.iter_mut().enumerate() {
            if *level == NO_LEVEL {
                continue;
            }
            let u = rng.uniform();
            let row = d * l + usize::from(*level);
            let sums = &self.cumulative[row * l..(row + 1) * l];
            // The sums never decrease, so the smallest j with u' < sums[j] is
            // the number of sums ≤ u': counted without a branch to mispredict.
            let j: usize = sums.iter().map(|&s| usize::from(u >= s)).sum();
            *level = if j < l { j as u8 } else { self.fallback[row] };
        }
        true
    }
}

/// The figures of a projection per step, phase and figure:
/// `[(h · PHASES + phase) · FIGURES + figure]`.
#[derive(Clone)]
struct Grid<T> {
    cells: Vec<T>,
}

impl<T: Copy + Default + std::ops::AddAssign> Grid<T> {
    fn new(steps: usize) -> Self {
        Grid {
            cells: vec![T::default(); steps * PHASES * FIGURES],
        }
    }

    #[inline]
    fn at(h: usize, phase: usize, figure: usize) -> usize {
        (h * PHASES + phase) * FIGURES + figure
    }

    /// Counts a child present in `phase` with `levels`, weighted `by`.
    #[inline]
    fn count(&mut self, h: usize, phase: u8, levels: &[u8; 5], high: u8, by: T) {
        if phase == ADULT {
            return;
        }
        let at = Self::at(h, usize::from(phase), 0);
        self.cells[at] += by;
        for (d, &level) in levels.iter().enumerate() {
            if level != NO_LEVEL && level >= high {
                self.cells[at + 1 + d] += by;
            }
        }
    }

    /// The figure summed over the five phases (the `all` row).
    fn all(&self, h: usize, figure: usize) -> T {
        let mut sum = T::default();
        for phase in 0..PHASES {
            sum += self.cells[Self::at(h, phase, figure)];
        }
        sum
    }
}

/// One replicate of §15's simulation: steps 1 to 3 in exactly the spec's
/// draw order, counts at h = 1..=H (index h − 1).
fn replicate(setup: &Setup, seed: u64) -> Grid<u32> {
    let mut rng = SplitMix64::new(seed);
    let n = setup.history_children();
    // 1. Resample the history children (already in child-ID order).
    let mut weights = vec![0u32; n];
    for _ in 0..n {
        weights[rng.index(n as u64) as usize] += 1;
    }
    let sampler = Sampler::new(&setup.tally(Some(&weights)), setup.shape.levels);
    let h_max = setup.shape.horizon;
    let mut grid = Grid::new(h_max);
    // 2. The base children, each finishing its years before the next starts.
    for child in &setup.base {
        let mut levels = child.levels;
        for h in 1..=h_max {
            if !sampler.step(&mut rng, &mut levels, child.phases[h - 1]) {
                break;
            }
            grid.count(h - 1, child.phases[h], &levels, setup.shape.high, 1);
        }
    }
    // 3. Inflow: one historic year drawn per projection year, replayed.
    for a in 1..=h_max {
        let k = rng.index(setup.shape.inflow_years as u64) as usize;
        for e in &setup.entrants[k] {
            let mut levels = e.levels;
            grid.count(a - 1, e.phases[0], &levels, setup.shape.high, 1);
            for h in a + 1..=h_max {
                if !sampler.step(&mut rng, &mut levels, e.phases[h - 1 - a]) {
                    break;
                }
                grid.count(h - 1, e.phases[h - a], &levels, setup.shape.high, 1);
            }
        }
    }
    grid
}

/// Hi_d(n)[ℓ] = Σ_{j ≥ high} (P_d^n)[ℓ][j] for n = 0..=H, as `[d][n][ℓ]`.
fn high_shares(p: &[f64], l: usize, high: u8, horizon: usize) -> Vec<Vec<Vec<f64>>> {
    (0..5)
        .map(|d| {
            let m = DMatrix::from_fn(l, l, |i, j| p[(d * l + i) * l + j]);
            let mut power = DMatrix::<f64>::identity(l, l);
            let mut out = Vec::with_capacity(horizon + 1);
            for n in 0..=horizon {
                if n > 0 {
                    power = &power * &m;
                }
                out.push(
                    (0..l)
                        .map(|i| (usize::from(high)..l).map(|j| power[(i, j)]).sum())
                        .collect(),
                );
            }
            out
        })
        .collect()
}

/// The q-quantile of sorted values by §15's rule (linear between order
/// statistics at r = q(B − 1)).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let r = q * (sorted.len() - 1) as f64;
    let f = r.floor();
    let i = f as usize;
    let lo = sorted[i];
    let hi = sorted.get(i + 1).copied().unwrap_or(lo);
    lo + (r - f) * (hi - lo)
}

/// A projection's figures before they are shaped into a [`Forecast`].
struct Projection {
    shape: Shape,
    tally: Tally,
    transition: Vec<f64>,
    /// Expected values; h = 0 is observed.
    expected: Grid<f64>,
    /// Per step h = 1..=H, phase (the five, then `all`) and figure: the
    /// 2.5 % and 97.5 % quantiles; empty with no replicates.
    intervals: Vec<(f64, f64)>,
}

impl Projection {
    fn run(
        fw: &Framework,
        histories: &Histories,
        p: &Params,
        progress: &(dyn Fn() + Sync),
    ) -> Self {
        let setup = Setup::new(fw, histories, p);
        let tally = setup.tally(None);
        let l = setup.shape.levels;
        let transition = tally.transition(l);
        let q = tally.leaving();
        let h_max = setup.shape.horizon;
        let hi = high_shares(&transition, l, setup.shape.high, h_max);
        let mut expected = Grid::<f64>::new(h_max + 1);
        let add =
            |grid: &mut Grid<f64>, h: usize, n: usize, m: &Mover, offset: usize, weight: f64| {
                let phase = m.phases[offset];
                if phase == ADULT {
                    return;
                }
                let at = Grid::<f64>::at(h, usize::from(phase), 0);
                grid.cells[at] += weight;
                for (d, &level) in m.levels.iter().enumerate() {
                    if level != NO_LEVEL {
                        grid.cells[at + 1 + d] += weight * hi[d][n][usize::from(level)];
                    }
                }
            };
        for c in &setup.base {
            expected.count(0, c.phases[0], &c.levels, setup.shape.high, 1.0);
            let mut survive = 1.0;
            for h in 1..=h_max {
                survive *= 1.0 - q[usize::from(c.phases[h - 1])];
                add(&mut expected, h, h, c, h, survive);
            }
        }
        let share = 1.0 / setup.shape.inflow_years as f64;
        for e in setup.entrants.iter().flatten() {
            for a in 1..=h_max {
                let mut survive = 1.0;
                for h in a..=h_max {
                    if h > a {
                        survive *= 1.0 - q[usize::from(e.phases[h - 1 - a])];
                    }
                    add(&mut expected, h, h - a, e, h - a, share * survive);
                }
            }
        }
        let seeds = SplitMix64::replicate_seeds(p.seed, p.replicates);
        // Collected in replicate order, each from its own generator: the
        // result does not depend on the number of threads.
        let grids: Vec<Grid<u32>> = seeds
            .par_iter()
            .map(|&s| {
                let grid = replicate(&setup, s);
                progress();
                grid
            })
            .collect();
        let mut intervals = Vec::new();
        if !grids.is_empty() {
            let mut values = vec![0.0; grids.len()];
            for h in 0..h_max {
                for phase in 0..=PHASES {
                    for figure in 0..FIGURES {
                        for (v, g) in values.iter_mut().zip(&grids) {
                            *v = f64::from(if phase == PHASES {
                                g.all(h, figure)
                            } else {
                                g.cells[Grid::<u32>::at(h, phase, figure)]
                            });
                        }
                        values.sort_by(f64::total_cmp);
                        intervals.push((quantile(&values, 0.025), quantile(&values, 0.975)));
                    }
                }
            }
        }
        Projection {
            shape: setup.shape,
            tally,
            transition,
            expected,
            intervals,
        }
    }

    /// One figure at step h of a phase (0..=4, or 5 for `all`).
    fn estimate(&self, h: usize, phase: usize, figure: usize) -> Estimate {
        let expected = if phase == PHASES {
            self.expected.all(h, figure)
        } else {
            self.expected.cells[Grid::<f64>::at(h, phase, figure)]
        };
        let (low, high) = if h == 0 {
            (Some(expected), Some(expected))
        } else if self.intervals.is_empty() {
            (None, None)
        } else {
            let (lo, hi) = self.intervals[((h - 1) * (PHASES + 1) + phase) * FIGURES + figure];
            (Some(lo), Some(hi))
        };
        Estimate {
            expected,
            low,
            high,
        }
    }

    /// The back-test (§15) of this projection (from `as_of`) against
    /// `earlier` (from `origin`, horizon 1).
    fn backtest(&self, earlier: &Projection, origin: Date) -> Backtest {
        let mut cells = Vec::with_capacity(PHASES * FIGURES);
        for phase in 0..PHASES {
            for (figure, name) in BacktestFigure::ALL.into_iter().enumerate() {
                let forecast = earlier.estimate(1, phase, figure);
                cells.push(BacktestCell {
                    phase: ProjectionPhase::ALL[phase],
                    figure: name,
                    forecast: forecast.expected,
                    low: forecast.low,
                    high: forecast.high,
                    observed: self.estimate(0, phase, figure).expected,
                    persistence: earlier.estimate(0, phase, figure).expected,
                });
            }
        }
        let n = cells.len() as f64;
        let mae = cells
            .iter()
            .map(|c| (c.forecast - c.observed).abs())
            .sum::<f64>()
            / n;
        let mae_persistence = cells
            .iter()
            .map(|c| (c.persistence - c.observed).abs())
            .sum::<f64>()
            / n;
        let covered = |c: &BacktestCell| match (c.low, c.high) {
            (Some(lo), Some(hi)) => Some(lo <= c.observed && c.observed <= hi),
            _ => None,
        };
        let coverage = cells
            .iter()
            .map(covered)
            .collect::<Option<Vec<bool>>>()
            .map(|hits| hits.iter().filter(|&&x| x).count() as f64 / n);
        Backtest {
            origin,
            mae,
            mae_persistence,
            skill: (mae_persistence != 0.0).then(|| 1.0 - mae / mae_persistence),
            coverage,
            cells,
        }
    }

    fn into_forecast(self, fw: &Framework, p: &Params, backtest: Option<Backtest>) -> Forecast {
        let shape = self.shape;
        let l = shape.levels;
        let pairs = PerDomain::from_fn(|d| {
            self.tally.pairs[d.index() * l * l..(d.index() + 1) * l * l]
                .iter()
                .sum()
        });
        let unobserved_levels = PerDomain::from_fn(|d| {
            (0..l)
                .filter(|&i| {
                    let row = (d.index() * l + i) * l;
                    self.tally.pairs[row..row + l].iter().all(|&c| c == 0)
                })
                .map(|i| i as u8)
                .collect()
        });
        let q = |phase: usize| {
            (self.tally.at_risk[phase] > 0)
                .then(|| self.tally.left[phase] as f64 / self.tally.at_risk[phase] as f64)
        };
        let transition = PerDomain::from_fn(|d| {
            (0..l)
                .map(|i| {
                    let row = (d.index() * l + i) * l;
                    self.transition[row..row + l].to_vec()
                })
                .collect()
        });
        let mut projection = Vec::with_capacity((shape.horizon + 1) * (PHASES + 1));
        for h in 0..=shape.horizon {
            for (phase, name) in ProjectionPhase::ALL.into_iter().enumerate() {
                projection.push(ProjectionRow {
                    school_year: shape.y0 + h as i16,
                    phase: name,
                    children: self.estimate(h, phase, 0),
                    high_need: PerDomain::from_fn(|d| self.estimate(h, phase, 1 + d.index())),
                });
            }
        }
        Forecast {
            as_of: p.as_of,
            school_year: shape.y0,
            horizon: shape.horizon as u32,
            framework_id: fw.id().to_owned(),
            framework_version: fw.version().to_owned(),
            high_need_level: shape.high,
            replicates: p.replicates as u32,
            seed: p.seed,
            history: ProjectionHistory {
                years: shape.years as u32,
                children: shape.history_children as u64,
                pairs,
                unobserved_levels,
            },
            leaving: Leaving {
                early_years: q(0),
                primary: q(1),
                secondary: q(2),
                post16: q(3),
                unknown: q(4),
            },
            inflow: Inflow {
                years: shape.inflow_years as u32,
                children_per_year: shape.entrants as f64 / shape.inflow_years as f64,
            },
            transition,
            projection,
            backtest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn shift_keeps_month_and_day_and_29_february_falls_back() {
        assert_eq!(shift(d("2022-07-05"), -1), d("2021-07-05"));
        assert_eq!(shift(d("2024-02-29"), -1), d("2023-02-28"));
        assert_eq!(shift(d("2024-02-29"), -4), d("2020-02-29"));
        assert_eq!(shift(d("2023-02-28"), 1), d("2024-02-28"));
    }

    #[test]
    fn school_year_starts_in_september() {
        assert_eq!(school_year(d("2022-08-31")), 2021);
        assert_eq!(school_year(d("2022-09-01")), 2022);
        assert_eq!(school_year(d("2023-01-15")), 2022);
    }

    #[test]
    fn phases_of_the_unborn_and_the_unknown() {
        let born = Some(d("2020-09-01")); // after 31 August 2020
        assert_eq!(
            phase_code(born, 2020),
            0,
            "not yet born counts as early_years"
        );
        assert_eq!(phase_code(born, 2019), 0);
        assert_eq!(phase_code(born, 2024), 0, "3 on 31 August 2024");
        assert_eq!(phase_code(born, 2025), 1);
        assert_eq!(phase_code(None, 2024), UNKNOWN);
        assert_eq!(phase_code(Some(d("1990-01-01")), 2024), ADULT);
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        assert_eq!(quantile(&[3.0], 0.025), 3.0);
        assert_eq!(quantile(&[3.0], 0.975), 3.0);
        let x: Vec<f64> = (0..200).map(f64::from).collect();
        // r = 0.025 × 199 = 4.975: between x_4 and x_5.
        assert!((quantile(&x, 0.025) - 4.975).abs() < 1e-12);
        assert!((quantile(&x, 0.975) - 194.025).abs() < 1e-12);
        assert_eq!(quantile(&[1.0, 2.0], 1.0), 2.0);
    }

    #[test]
    fn the_default_history_is_the_longest_with_data() {
        let as_of = d("2022-07-05");
        assert_eq!(available_years(d("2019-09-26"), as_of), 2);
        assert_eq!(available_years(d("2021-07-05"), as_of), 1);
        assert_eq!(available_years(d("2021-07-06"), as_of), 0);
        assert_eq!(available_years(d("2000-01-01"), as_of), 10);
    }

    #[test]
    fn a_sampler_falls_back_to_the_last_possible_level() {
        // Running sums may stop short of 1 by rounding; force a row whose
        // sums stop at 0.5, so every u' ≥ 0.5 needs the fallback (§15).
        let tally = Tally {
            pairs: {
                let mut p = vec![0; 5 * 3 * 3];
                p[1] = 1; // cl: 0 -> 1
                p
            },
            at_risk: [0; PHASES],
            left: [0; PHASES],
        };
        let mut s = Sampler::new(&tally, 3);
        assert_eq!(s.fallback[0], 1);
        assert_eq!(s.fallback[1], 1, "an empty row persists");
        s.cumulative[..3].copy_from_slice(&[0.5, 0.5, 0.5]);
        let mut rng = SplitMix64::new(1);
        let mut fell_back = 0;
        for _ in 0..100 {
            // The leaving draw, then u' for cl.
            let mut ahead = rng.clone();
            let u = [ahead.uniform(), ahead.uniform()][1];
            let mut levels = [0, NO_LEVEL, NO_LEVEL, NO_LEVEL, NO_LEVEL];
            assert!(s.step(&mut rng, &mut levels, 0));
            assert_eq!(rng, ahead, "two draws: leaving, then the one known level");
            assert_eq!(levels[0], if u < 0.5 { 0 } else { 1 });
            fell_back += usize::from(u >= 0.5);
        }
        assert!(fell_back > 0);
        assert_eq!(s.q[ADULT as usize], 1.0);
        let mut levels = [0; 5];
        assert!(
            !s.step(&mut rng, &mut levels, ADULT),
            "an adult always leaves"
        );
    }
}
