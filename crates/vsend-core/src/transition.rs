//! §11 Transitions: school phases and the children who move phase in a year,
//! and transition plans (one child moving to a receiving setting).

use std::fmt;

use jiff::civil::Date;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::dates::age_in_years;
use crate::domain::{Domain, DomainSet, DomainVector, PerDomain};
use crate::framework::{Framework, Level};
use crate::history::{Histories, History};
use crate::ids::{ChildId, SettingId};
use crate::score::{score, Scores};
use crate::scored::Cell;
use crate::timeline::day_number;

/// A school phase (§11), from age on 31 August.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Ages 0 to 3.
    EarlyYears,
    /// Ages 4 to 10.
    Primary,
    /// Ages 11 to 15.
    Secondary,
    /// Ages 16 to 25.
    Post16,
    /// Ages 26 and over.
    Adult,
}

impl Phase {
    /// The phase for an age in whole years on 31 August; `None` below 0
    /// (not yet born).
    pub fn from_age(age: i16) -> Option<Phase> {
        Some(match age {
            i16::MIN..=-1 => return None,
            0..=3 => Phase::EarlyYears,
            4..=10 => Phase::Primary,
            11..=15 => Phase::Secondary,
            16..=25 => Phase::Post16,
            _ => Phase::Adult,
        })
    }

    /// The key used in files: `early_years`, `primary`, `secondary`, `post16`, `adult`.
    pub const fn key(self) -> &'static str {
        match self {
            Phase::EarlyYears => "early_years",
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Post16 => "post16",
            Phase::Adult => "adult",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The school phase (§11) in the school year that starts on 1 September of
/// `year`, from age on 31 August of `year` (birthday rule of §3). `None` when
/// the child is not yet born on that day.
///
/// ```
/// use vsend_core::{parse_date, school_phase, Phase};
/// let born = parse_date("2014-03-16").unwrap();
/// assert_eq!(school_phase(born, 2024), Some(Phase::Primary)); // 10 on 31 Aug 2024
/// assert_eq!(school_phase(born, 2025), Some(Phase::Secondary)); // 11 on 31 Aug 2025
/// assert_eq!(school_phase(born, 2013), None);
/// ```
pub fn school_phase(date_of_birth: Date, year: i16) -> Option<Phase> {
    let on = Date::new(year, 8, 31).ok()?;
    Phase::from_age(age_in_years(date_of_birth, on))
}

/// One of the four canonical phase moves (§11), in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PhaseMove {
    /// `early_years->primary`.
    EarlyYearsToPrimary,
    /// `primary->secondary`.
    PrimaryToSecondary,
    /// `secondary->post16`.
    SecondaryToPost16,
    /// `post16->adult`.
    Post16ToAdult,
}

impl PhaseMove {
    /// The four moves in canonical order.
    pub const ALL: [PhaseMove; 4] = [
        PhaseMove::EarlyYearsToPrimary,
        PhaseMove::PrimaryToSecondary,
        PhaseMove::SecondaryToPost16,
        PhaseMove::Post16ToAdult,
    ];

    /// The name of the move, `<from>-><to>`.
    pub const fn key(self) -> &'static str {
        match self {
            PhaseMove::EarlyYearsToPrimary => "early_years->primary",
            PhaseMove::PrimaryToSecondary => "primary->secondary",
            PhaseMove::SecondaryToPost16 => "secondary->post16",
            PhaseMove::Post16ToAdult => "post16->adult",
        }
    }

    /// The phases moved from and to.
    pub const fn phases(self) -> (Phase, Phase) {
        match self {
            PhaseMove::EarlyYearsToPrimary => (Phase::EarlyYears, Phase::Primary),
            PhaseMove::PrimaryToSecondary => (Phase::Primary, Phase::Secondary),
            PhaseMove::SecondaryToPost16 => (Phase::Secondary, Phase::Post16),
            PhaseMove::Post16ToAdult => (Phase::Post16, Phase::Adult),
        }
    }

    /// The move a child born on `date_of_birth` makes in the school year
    /// starting September `year`: phase(year) ≠ phase(year − 1). `None` when
    /// the child stays in one phase, or is not yet born on 31 August of `year − 1`.
    ///
    /// ```
    /// use vsend_core::{parse_date, PhaseMove};
    /// let born = parse_date("2008-12-29").unwrap(); // 15 on 31 Aug 2024, 16 in 2025
    /// assert_eq!(PhaseMove::of(born, 2025), Some(PhaseMove::SecondaryToPost16));
    /// assert_eq!(PhaseMove::of(born, 2026), None);
    /// ```
    pub fn of(date_of_birth: Date, year: i16) -> Option<PhaseMove> {
        let before = school_phase(date_of_birth, year.checked_sub(1)?)?;
        let after = school_phase(date_of_birth, year)?;
        PhaseMove::ALL
            .into_iter()
            .find(|m| m.phases() == (before, after))
    }
}

impl fmt::Display for PhaseMove {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl Serialize for PhaseMove {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// The figures of one domain over the children making one move (§11).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct MoveDomain {
    /// Current assessments with a known need.
    pub n: u64,
    /// Mean need over those; `None` over none.
    pub mean_need: Option<f64>,
    /// Children with need ≥ high_need_level.
    pub high_need: u64,
    /// Children with setting_gap < 0.
    pub unmet_by_setting: u64,
}

/// The children making one move, and their needs per domain (§11).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MoveSummary {
    /// Children making the move.
    pub children: u64,
    /// Per-domain figures, keyed by domain in JSON.
    #[serde(flatten)]
    pub domains: PerDomain<MoveDomain>,
}

/// One child moving phase, with the §5 figures of their current assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovingChild {
    /// The child.
    pub child_id: ChildId,
    /// The setting of the current assessment.
    pub setting_id: Option<SettingId>,
    /// The move.
    #[serde(rename = "move")]
    pub phase_move: PhaseMove,
    /// need(d).
    pub need: DomainVector,
    /// The need index (§5), `None` unless complete.
    pub need_index: Option<f64>,
    /// Domains with a negative setting gap, `None` unless complete.
    pub unmet_setting: Option<DomainSet>,
    /// The primary domain, `None` unless complete with some need.
    pub primary_domain: Option<Domain>,
}

/// A school year (§11), named by the calendar year of its 1 September:
/// a whole number from [`SchoolYear::MIN`] to [`SchoolYear::MAX`].
///
/// The one rule for a year given by a person, shared by the CLI's
/// `--year`, the C interface and the Python package.
///
/// ```
/// use vsend_core::SchoolYear;
/// assert_eq!(SchoolYear::new(2025).unwrap().get(), 2025);
/// assert_eq!("2025".parse::<SchoolYear>().unwrap().get(), 2025);
/// assert!(SchoolYear::new(0).is_err() && SchoolYear::new(-2025).is_err());
/// let e = "twenty".parse::<SchoolYear>().unwrap_err();
/// assert_eq!(e.to_string(), "\"twenty\" is not a school year; allowed a whole number from 1900 to 2200 (the year of its 1 September, e.g. 2025)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SchoolYear(i16);

impl SchoolYear {
    /// The earliest school year allowed.
    pub const MIN: i16 = 1900;
    /// The latest school year allowed.
    pub const MAX: i16 = 2200;

    /// The school year starting 1 September `year`, if `year` is allowed.
    pub fn new(year: i64) -> Result<SchoolYear, SchoolYearError> {
        i16::try_from(year)
            .ok()
            .filter(|y| (Self::MIN..=Self::MAX).contains(y))
            .map(SchoolYear)
            .ok_or_else(|| SchoolYearError {
                found: crate::error::Found::new(&year.to_string()),
            })
    }

    /// The calendar year of the school year's 1 September.
    pub const fn get(self) -> i16 {
        self.0
    }
}

impl std::str::FromStr for SchoolYear {
    type Err = SchoolYearError;

    /// Reads a year written as digits (an optional `-` sign, no spaces).
    fn from_str(s: &str) -> Result<SchoolYear, SchoolYearError> {
        let bad = || SchoolYearError {
            found: crate::error::Found::new(s),
        };
        let year: i64 = s.parse().map_err(|_| bad())?;
        SchoolYear::new(year).map_err(|_| bad())
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<SchoolYear> for i16 {
    fn from(y: SchoolYear) -> i16 {
        y.0
    }
}

/// A year that is not an allowed [`SchoolYear`]: the value found (at most
/// its first 40 characters) and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found} is not a school year; allowed a whole number from {min} to {max} (the year of its 1 September, e.g. 2025)", min = SchoolYear::MIN, max = SchoolYear::MAX)]
pub struct SchoolYearError {
    found: crate::error::Found,
}

impl SchoolYearError {
    /// The value found, shortened to at most 40 characters.
    pub fn found(&self) -> &str {
        self.found.as_str()
    }
}

/// The phase moves of a cohort in one school year (§11): the four moves
/// (always all four) and the children, sorted by move then child ID.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseMoves {
    /// The school year, starting 1 September of `year`.
    pub year: i16,
    /// The date the cohort is read as of (§8).
    pub as_of: Option<Date>,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// One summary per move, in canonical order.
    #[serde(serialize_with = "serialize_moves")]
    pub moves: [MoveSummary; 4],
    /// The children moving phase.
    pub children: Vec<MovingChild>,
}

fn serialize_moves<S: Serializer>(moves: &[MoveSummary; 4], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(4))?;
    for (mv, summary) in PhaseMove::ALL.iter().zip(moves) {
        m.serialize_entry(mv.key(), summary)?;
    }
    m.end()
}

impl PhaseMoves {
    /// The summary of one move.
    pub fn of(&self, m: PhaseMove) -> &MoveSummary {
        &self.moves[m as usize]
    }
}

/// The children of `histories` who move phase in the school year starting
/// September `year` (§11), read as of [`Histories::as_of`]: over children
/// whose current assessment (§8) has a date of birth.
///
/// The histories must keep each child's current assessment
/// ([`Keep::CurrentAndPrevious`](crate::history::Keep) or [`Keep::All`](crate::history::Keep)):
/// a [`Cohort`](crate::Cohort) does, see [`Cohort::phase_moves`](crate::Cohort::phase_moves).
pub fn phase_moves(framework: &Framework, histories: &Histories, year: i16) -> PhaseMoves {
    let as_of = histories.as_of();
    moves_of(framework, as_of, year, |each| {
        for history in histories.children() {
            let Some(current) = history.current(as_of) else {
                continue;
            };
            let make = || {
                let id = current.child_id().clone();
                (id, current.setting_id().cloned(), score(framework, current))
            };
            each(current.date_of_birth(), &make);
        }
    })
}

/// A child's ID, setting and scores, made only for a child who moves.
pub(crate) type Mover<'a> = &'a dyn Fn() -> (ChildId, Option<SettingId>, Scores);

/// The phase moves (§11) of the children `children` calls its argument
/// with, in child-ID order: each with the date of birth of the current
/// review (§8) and what makes the rest of the child's figures.
fn moves_of(
    framework: &Framework,
    as_of: Option<Date>,
    year: i16,
    children: impl FnOnce(&mut dyn FnMut(Option<Date>, Mover<'_>)),
) -> PhaseMoves {
    let high = f64::from(framework.high_need_level());
    let mut moves: [MoveSummary; 4] = Default::default();
    let mut sums = [[0.0f64; 5]; 4];
    let mut moving = Vec::new();
    children(&mut |born, make| {
        let Some(phase_move) = born.and_then(|born| PhaseMove::of(born, year)) else {
            return;
        };
        let (child_id, setting_id, s) = make();
        let m = &mut moves[phase_move as usize];
        m.children += 1;
        for d in Domain::ALL {
            let acc = &mut m.domains[d];
            if let Some(need) = s.need.get(d) {
                acc.n += 1;
                sums[phase_move as usize][d.index()] += need;
                acc.high_need += u64::from(need >= high);
            }
            acc.unmet_by_setting += u64::from(s.setting_gap.get(d).is_some_and(|g| g < 0.0));
        }
        moving.push(MovingChild {
            child_id,
            setting_id,
            phase_move,
            need: s.need,
            need_index: s.whole.map(|w| w.need_index),
            unmet_setting: s.whole.map(|w| w.unmet_setting),
            primary_domain: s.whole.and_then(|w| w.primary_domain),
        });
    });
    for (m, sums) in moves.iter_mut().zip(sums) {
        for d in Domain::ALL {
            let acc = &mut m.domains[d];
            acc.mean_need = (acc.n > 0).then(|| sums[d.index()] / acc.n as f64);
        }
    }
    // Children come in child-ID (byte) order, so a stable sort by move suffices.
    moving.sort_by_key(|c| c.phase_move);
    PhaseMoves {
        year,
        as_of,
        framework_id: framework.id().to_owned(),
        framework_version: framework.version().to_owned(),
        moves,
        children: moving,
    }
}

impl crate::cohort::Cohort<'_> {
    /// The phase moves (§11) of this cohort in the school year starting
    /// September `year`, as of the cohort's `as_of`.
    ///
    /// ```
    /// use vsend_core::{AssessmentBuilder, Cohort, Framework, PhaseMove};
    /// let fw = Framework::default();
    /// let mut cohort = Cohort::new(&fw, None);
    /// let mut b = AssessmentBuilder::new(&fw);
    /// b.child_id("C1").assessed_on("2025-07-03").date_of_birth("2014-03-16").need("cl.literacy", "2");
    /// cohort.add(&b.build().unwrap()).unwrap();
    /// let moves = cohort.phase_moves(2025);
    /// assert_eq!(moves.of(PhaseMove::PrimaryToSecondary).children, 1);
    /// assert_eq!(moves.children[0].child_id.as_str(), "C1");
    /// assert_eq!(moves.children[0].need_index, None); // not complete
    /// ```
    pub fn phase_moves(&self, year: i16) -> PhaseMoves {
        moves_of(self.framework(), self.as_of(), year, |each| {
            self.each_current(each)
        })
    }
}

/// A transition plan (§11): one child moving to a receiving setting on a
/// date, with the receiving setting's readiness per domain. Validated by
/// [`PlanLayout`](crate::PlanLayout) (CSV) or [`parse_plan_line`](crate::parse_plan_line) (JSON Lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(crate) child_id: ChildId,
    pub(crate) to_setting_id: SettingId,
    pub(crate) move_on: Date,
    pub(crate) readiness: PerDomain<Option<Level>>,
}

impl Plan {
    /// The child moving.
    pub fn child_id(&self) -> &ChildId {
        &self.child_id
    }
    /// The receiving setting.
    pub fn to_setting_id(&self) -> &SettingId {
        &self.to_setting_id
    }
    /// The date of the move.
    pub fn move_on(&self) -> Date {
        self.move_on
    }
    /// The receiving setting's readiness per domain; `None` is not assessed.
    pub fn readiness(&self) -> &PerDomain<Option<Level>> {
        &self.readiness
    }
}

/// A plan whose child has no assessment on or before the move (§11): the
/// plan is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no assessment of {child_id} on or before {move_on}")]
pub struct NoAssessment {
    /// The child.
    pub child_id: ChildId,
    /// The plan's move date.
    pub move_on: Date,
}

/// A second plan of one child moving on one date (§11): rejected, as §7
/// rejects a second assessment of one child on one date. Found by
/// [`SeenPlans`](crate::SeenPlans).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("move_on: {move_on} repeats an earlier plan of {child_id} moving on the same date; allowed one plan per child per move date")]
pub struct DuplicatePlan {
    /// The child.
    pub child_id: ChildId,
    /// The repeated move date.
    pub move_on: Date,
}

impl From<DuplicatePlan> for crate::ValidationError {
    /// The duplicate as a problem of its record's `move_on` (§9).
    fn from(d: DuplicatePlan) -> Self {
        crate::ValidationError::DuplicatePlan {
            found: crate::error::Found::new(&d.move_on.to_string()),
            child_id: d.child_id,
        }
    }
}

/// Whether the receiving setting is ready for one domain's need (§11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// gap_to ≥ 0.
    Ready,
    /// gap_to < 0.
    NotReady,
}

impl PlanStatus {
    /// `ready` or `not_ready`.
    pub const fn key(self) -> &'static str {
        match self {
            PlanStatus::Ready => "ready",
            PlanStatus::NotReady => "not_ready",
        }
    }
}

/// The columns of a transition plan row, in output order (§11, §10 flat keys).
pub const PLAN_COLUMNS: [&str; 40] = [
    "child_id",
    "from_setting_id",
    "to_setting_id",
    "assessed_on",
    "move_on",
    "days_to_move",
    "stale",
    "need.cl",
    "readiness_from.cl",
    "readiness_to.cl",
    "gap_to.cl",
    "change.cl",
    "status.cl",
    "need.ci",
    "readiness_from.ci",
    "readiness_to.ci",
    "gap_to.ci",
    "change.ci",
    "status.ci",
    "need.sp",
    "readiness_from.sp",
    "readiness_to.sp",
    "gap_to.sp",
    "change.sp",
    "status.sp",
    "need.semh",
    "readiness_from.semh",
    "readiness_to.semh",
    "gap_to.semh",
    "change.semh",
    "status.semh",
    "need.ind",
    "readiness_from.ind",
    "readiness_to.ind",
    "gap_to.ind",
    "change.ind",
    "status.ind",
    "ready_coverage",
    "not_ready",
    "worse_than_now",
];

/// Every §11 figure of one transition plan, as one flat row.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// The child.
    pub child_id: ChildId,
    /// The setting of the assessment planned on.
    pub from_setting_id: Option<SettingId>,
    /// The receiving setting.
    pub to_setting_id: SettingId,
    /// The date of the assessment planned on: the latest on or before `move_on`.
    pub assessed_on: Date,
    /// The date of the move.
    pub move_on: Date,
    /// move_on − assessed_on, in days.
    pub days_to_move: i32,
    /// days_to_move > review_interval_days: the needs are too old to plan on.
    pub stale: bool,
    /// need(d) of the assessment.
    pub need: DomainVector,
    /// The current setting's readiness(d).
    pub readiness_from: DomainVector,
    /// The receiving setting's readiness(d).
    pub readiness_to: DomainVector,
    /// readiness_to − need.
    pub gap_to: DomainVector,
    /// readiness_to − readiness_from.
    pub change: DomainVector,
    /// Σ min(readiness_to, need) / Σ need, as `setting_coverage` (§5).
    pub ready_coverage: Option<f64>,
    /// Domains with gap_to < 0; `None` unless complete.
    pub not_ready: Option<DomainSet>,
    /// Domains with gap_to < 0 and change < 0; `None` unless complete.
    pub worse_than_now: Option<DomainSet>,
}

impl PlanRow {
    /// `ready`, `not_ready`, or `None` when gap_to is unknown.
    pub fn status(&self, d: Domain) -> Option<PlanStatus> {
        self.gap_to.get(d).map(|g| {
            if g >= 0.0 {
                PlanStatus::Ready
            } else {
                PlanStatus::NotReady
            }
        })
    }

    /// The row's values, one per entry of [`PLAN_COLUMNS`], in that order.
    pub fn cells(&self) -> [Cell<'_>; PLAN_COLUMNS.len()] {
        let num = |x: Option<f64>| x.map_or(Cell::Null, Cell::Number);
        let whole = |x: Option<f64>| x.map_or(Cell::Null, |x| Cell::Whole(x as i64));
        let mut cells = [Cell::Null; PLAN_COLUMNS.len()];
        cells[0] = Cell::Text(self.child_id.as_str());
        cells[1] = self
            .from_setting_id
            .as_ref()
            .map_or(Cell::Null, |s| Cell::Text(s.as_str()));
        cells[2] = Cell::Text(self.to_setting_id.as_str());
        cells[3] = Cell::Date(self.assessed_on);
        cells[4] = Cell::Date(self.move_on);
        cells[5] = Cell::Whole(i64::from(self.days_to_move));
        cells[6] = Cell::Bool(self.stale);
        for d in Domain::ALL {
            let at = 7 + 6 * d.index();
            cells[at] = num(self.need.get(d));
            cells[at + 1] = whole(self.readiness_from.get(d));
            cells[at + 2] = whole(self.readiness_to.get(d));
            cells[at + 3] = num(self.gap_to.get(d));
            cells[at + 4] = whole(self.change.get(d));
            cells[at + 5] = self.status(d).map_or(Cell::Null, |r| Cell::Text(r.key()));
        }
        cells[37] = num(self.ready_coverage);
        cells[38] = self.not_ready.map_or(Cell::Null, Cell::Domains);
        cells[39] = self.worse_than_now.map_or(Cell::Null, Cell::Domains);
        cells
    }
}

impl Serialize for PlanRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(PLAN_COLUMNS.len()))?;
        for (name, cell) in PLAN_COLUMNS.iter().zip(self.cells()) {
            map.serialize_entry(name, &cell)?;
        }
        map.end()
    }
}

/// Every §11 figure of one transition plan, from the child's history: their
/// latest assessment on or before `move_on` gives the needs and the current
/// readiness. `history` is the child's ([`Histories::get`] with
/// [`Keep::All`](crate::history::Keep::All)); `None` or no such assessment rejects the plan.
///
/// ```
/// use vsend_core::{transition, AssessmentBuilder, Framework, Histories, PlanLayout, Domain};
/// use vsend_core::history::Keep;
/// let fw = Framework::default();
/// let mut histories = Histories::new(Keep::All);
/// let mut b = AssessmentBuilder::new(&fw);
/// b.child_id("C1").assessed_on("2025-07-03").setting_id("S1");
/// for area in fw.areas() { b.need(area.key(), "1"); }
/// b.need("semh.emotional", "3");
/// for d in Domain::ALL { b.readiness(d, "3"); }
/// histories.add(&b.build().unwrap()).unwrap();
///
/// let header = "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind";
/// let layout = PlanLayout::new(header.split(',')).unwrap();
/// let plan = layout.plan(&fw, "C1,S2,2025-09-03,1,1,1,2,1".split(',')).unwrap();
/// let row = transition(&fw, histories.get(plan.child_id()), &plan).unwrap();
/// assert_eq!(row.days_to_move, 62);
/// assert_eq!(row.gap_to.get(Domain::Semh), Some(-1.0));
/// assert_eq!(row.worse_than_now.unwrap().to_string(), "semh");
/// assert_eq!(row.ready_coverage, Some(6.0 / 7.0));
///
/// let early = layout.plan(&fw, "C1,S2,2025-07-02,1,1,1,2,1".split(',')).unwrap();
/// let err = transition(&fw, histories.get(early.child_id()), &early).unwrap_err();
/// assert_eq!(err.to_string(), "no assessment of C1 on or before 2025-07-02");
/// ```
pub fn transition(
    framework: &Framework,
    history: Option<&History>,
    plan: &Plan,
) -> Result<PlanRow, NoAssessment> {
    let Some(current) = history.and_then(|h| h.on_or_before(plan.move_on)) else {
        return Err(NoAssessment {
            child_id: plan.child_id.clone(),
            move_on: plan.move_on,
        });
    };
    let s = score(framework, current);
    let readiness_to =
        DomainVector::from_options(plan.readiness.0.map(|l| l.map(|l| f64::from(l.get()))));
    let gap_to = readiness_to.minus(&s.need);
    let change = readiness_to.minus(&s.readiness);
    let days_to_move = day_number(plan.move_on) - day_number(current.assessed_on());
    let complete = s.need.is_complete();
    let ready_coverage = (complete && readiness_to.is_complete()).then(|| {
        let need = s.need.values();
        let to = readiness_to.values();
        let total: f64 = need.iter().sum();
        if total == 0.0 {
            1.0
        } else {
            need.iter().zip(to).map(|(n, r)| n.min(r)).sum::<f64>() / total
        }
    });
    let negative = |v: &DomainVector, d: Domain| v.get(d).is_some_and(|x| x < 0.0);
    let not_ready = complete.then(|| {
        Domain::ALL
            .into_iter()
            .filter(|&d| negative(&gap_to, d))
            .collect()
    });
    let worse_than_now = complete.then(|| {
        Domain::ALL
            .into_iter()
            .filter(|&d| negative(&gap_to, d) && negative(&change, d))
            .collect()
    });
    Ok(PlanRow {
        child_id: plan.child_id.clone(),
        from_setting_id: current.setting_id().cloned(),
        to_setting_id: plan.to_setting_id.clone(),
        assessed_on: current.assessed_on(),
        move_on: plan.move_on,
        days_to_move,
        stale: i64::from(days_to_move) > i64::from(framework.review_interval_days()),
        need: s.need,
        readiness_from: s.readiness,
        readiness_to,
        gap_to,
        change,
        ready_coverage,
        not_ready,
        worse_than_now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn phases_at_their_edges() {
        let phases: Vec<_> = [-1, 0, 3, 4, 10, 11, 15, 16, 25, 26, 40]
            .map(Phase::from_age)
            .to_vec();
        use Phase::*;
        assert_eq!(
            phases,
            [
                None,
                Some(EarlyYears),
                Some(EarlyYears),
                Some(Primary),
                Some(Primary),
                Some(Secondary),
                Some(Secondary),
                Some(Post16),
                Some(Post16),
                Some(Adult),
                Some(Adult)
            ]
        );
    }

    #[test]
    fn age_is_taken_on_31_august_with_the_leap_day_rule() {
        // Born 31 Aug: a birthday on the day itself counts.
        assert_eq!(school_phase(d("2014-08-31"), 2025), Some(Phase::Secondary));
        assert_eq!(school_phase(d("2014-09-01"), 2025), Some(Phase::Primary));
        assert_eq!(
            PhaseMove::of(d("2014-09-01"), 2026),
            Some(PhaseMove::PrimaryToSecondary)
        );
        assert_eq!(
            PhaseMove::of(d("2021-05-01"), 2025),
            Some(PhaseMove::EarlyYearsToPrimary)
        );
        assert_eq!(
            PhaseMove::of(d("1999-06-01"), 2025),
            Some(PhaseMove::Post16ToAdult)
        );
        // Born after 31 Aug of year − 1: no phase that year, so no move.
        assert_eq!(PhaseMove::of(d("2024-12-01"), 2025), None);
        assert_eq!(school_phase(d("2024-12-01"), 2025), Some(Phase::EarlyYears));
        let keys: Vec<_> = PhaseMove::ALL.map(PhaseMove::key).to_vec();
        assert_eq!(
            keys,
            [
                "early_years->primary",
                "primary->secondary",
                "secondary->post16",
                "post16->adult"
            ]
        );
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::history::Keep;
    use crate::{AssessmentBuilder, Histories, PlanLayout};

    const HEADER: &str = "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind";

    fn histories(fw: &Framework, needs: [&str; 5], readiness: [&str; 5]) -> Histories {
        let mut h = Histories::new(Keep::All);
        for on in ["2025-01-10", "2025-05-01"] {
            let mut b = AssessmentBuilder::new(fw);
            b.child_id("C1").assessed_on(on).setting_id("S1");
            for (i, d) in Domain::ALL.into_iter().enumerate() {
                b.need(fw.areas_of(d)[0].key(), needs[i])
                    .readiness(d, readiness[i]);
            }
            h.add(&b.build().unwrap()).unwrap();
        }
        h
    }

    fn row(fw: &Framework, h: &Histories, cells: &str) -> Result<PlanRow, NoAssessment> {
        let layout = PlanLayout::new(HEADER.split(',')).unwrap();
        let plan = layout.plan(fw, cells.split(',')).unwrap();
        transition(fw, h.get(plan.child_id()), &plan)
    }

    #[test]
    fn stale_after_the_review_interval() {
        let fw = Framework::default();
        let h = histories(&fw, ["1"; 5], ["1"; 5]);
        // 2025-05-01 + 122 days = 2025-08-31.
        let r = row(&fw, &h, "C1,S2,2025-08-31,1,1,1,1,1").unwrap();
        assert_eq!((r.days_to_move, r.stale), (122, false));
        let r = row(&fw, &h, "C1,S2,2025-09-01,1,1,1,1,1").unwrap();
        assert_eq!((r.days_to_move, r.stale), (123, true));
        // Before the second review: the first is the one planned on.
        let r = row(&fw, &h, "C1,S2,2025-04-30,1,1,1,1,1").unwrap();
        assert_eq!(r.assessed_on, crate::parse_date("2025-01-10").unwrap());
        assert_eq!(r.from_setting_id.unwrap().as_str(), "S1");
        let err = row(&fw, &h, "C9,S2,2025-04-30,1,1,1,1,1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no assessment of C9 on or before 2025-04-30"
        );
    }

    #[test]
    fn incomplete_needs_leave_the_lists_null_and_unknowns_stay_unknown() {
        let fw = Framework::default();
        let h = histories(&fw, ["3", "2", "", "0", "1"], ["3", "", "2", "0", "1"]);
        let r = row(&fw, &h, "C1,S2,2025-06-01,2,1,4,,1").unwrap();
        assert_eq!(r.not_ready, None);
        assert_eq!(r.worse_than_now, None);
        assert_eq!(r.ready_coverage, None);
        assert_eq!(r.status(Domain::Cl), Some(PlanStatus::NotReady));
        assert_eq!(r.change.get(Domain::Cl), Some(-1.0));
        assert_eq!(r.status(Domain::Ci), Some(PlanStatus::NotReady));
        assert_eq!(r.change.get(Domain::Ci), None, "no current readiness");
        assert_eq!(r.status(Domain::Sp), None, "need unknown");
        assert_eq!(r.status(Domain::Semh), None, "receiving readiness unknown");
        let cells = r.cells();
        let at = |name: &str| cells[PLAN_COLUMNS.iter().position(|c| *c == name).unwrap()];
        assert_eq!(at("status.cl"), Cell::Text("not_ready"));
        assert_eq!(at("change.cl"), Cell::Whole(-1));
        assert_eq!(at("gap_to.cl"), Cell::Number(-1.0));
        assert_eq!(at("status.sp"), Cell::Null);
        assert_eq!(at("days_to_move"), Cell::Whole(31));
        assert_eq!(at("not_ready"), Cell::Null);
    }

    #[test]
    fn coverage_and_lists_of_a_complete_profile() {
        let fw = Framework::default();
        let h = histories(&fw, ["0"; 5], ["0"; 5]);
        let r = row(&fw, &h, "C1,S2,2025-06-01,0,0,0,0,0").unwrap();
        assert_eq!(
            r.ready_coverage,
            Some(1.0),
            "no need at all is fully covered"
        );
        assert_eq!(r.not_ready.unwrap().len(), 0);
        let h = histories(&fw, ["2", "2", "1", "0", "0"], ["1", "3", "1", "0", "0"]);
        let r = row(&fw, &h, "C1,S2,2025-06-01,1,1,1,0,0").unwrap();
        assert_eq!(r.not_ready.unwrap().to_string(), "cl;ci");
        assert_eq!(
            r.worse_than_now.unwrap().to_string(),
            "ci",
            "cl was already short"
        );
        assert_eq!(r.ready_coverage, Some(3.0 / 5.0));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["not_ready"], serde_json::json!(["cl", "ci"]));
        assert_eq!(json.as_object().unwrap().len(), PLAN_COLUMNS.len());
    }
}
