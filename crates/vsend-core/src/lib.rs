//! The Valuing SEND scoring model, as a pure library.
//!
//! `vsend-core` implements the scoring model described in `docs/model.md` (the
//! § numbers in these docs are its sections): it validates ratings
//! ([`AssessmentBuilder`], §3 and §9), scores needs against setting readiness
//! and family confidence ([`score()`], §4–§6), follows one child over time
//! ([`Timeline`], §7) and summarises cohorts ([`Cohort`], §8). For panels and
//! planning it adds (§11–§14) phase moves and transition plans
//! ([`Cohort::phase_moves`], [`transition()`]), the setting audit (§12), a
//! framework's banding rule ([`Banding`]), summaries safe to share
//! ([`Cohort::summary_suppressed`]) and side-by-side comparison ([`compare()`]).
//! For place planning it projects need from the review history with a
//! back-test ([`forecast()`], §15), and it estimates the impact of a rise in
//! support on later need ([`impact()`], §16); both are reproducible to the bit,
//! their simulations running on the spec's own generator ([`SplitMix64`]).
//! It does no I/O and holds no global state: callers hand it text or typed
//! values and get typed results back, each of which serialises to the file
//! shapes of §10.
//!
//! ```
//! use vsend_core::{score, AssessmentBuilder, Domain, Framework};
//!
//! let fw = Framework::default();
//! let mut b = AssessmentBuilder::new(&fw);
//! b.child_id("C0042").assessed_on("2025-03-01").date_of_birth("2016-09-12");
//! for area in fw.areas() {
//!     b.need(area.key(), "1");
//! }
//! b.need("semh.emotional", "3");
//! for d in Domain::ALL {
//!     b.readiness(d, "2").confidence(d, "1");
//! }
//! let scores = score(&fw, &b.build()?);
//! let whole = scores.whole.expect("all five needs known");
//! assert_eq!(whole.primary_domain, Some(Domain::Semh));
//! assert_eq!(whole.unmet_setting.to_string(), "semh");
//! assert_eq!(whole.need_index, 35.0);
//! # Ok::<(), vsend_core::ValidationErrors>(())
//! ```

pub mod assessment;
/// The scoring model this crate implements, in the project's own words: the
/// file `docs/model.md`, whose § numbers every module and item here cites.
#[doc = include_str!("../../../docs/model.md")]
#[allow(rustdoc::broken_intra_doc_links)] // its formulas write P[ℓ][j], not links
pub mod model {}
pub mod banding;
pub mod cohort;
pub mod columns;
pub mod compare;
pub mod dates;
pub mod domain;
pub mod error;
pub mod forecast;
pub mod framework;
pub mod history;
pub mod ids;
pub mod impact;
pub mod jsonl;
mod packed;
pub mod plan;
pub mod rng;
pub mod score;
pub mod score_columns;
pub mod scored;
pub mod seen;
pub mod suppress;
pub mod timeline;
pub mod transition;

pub use assessment::PlainIds;
pub use assessment::{Assessment, AssessmentBuilder};
pub use banding::{Band, BandResult, Banding, Floor, UNBANDED};
pub use cohort::{
    Cohort, CohortSummary, DomainFigures, DomainSummary, GroupBands, GroupBy, GroupSummary, Groups,
    RadarFigures,
};
pub use columns::{
    Column, ColumnLayout, HeaderError, HeaderErrors, PlainBlock, PlainCell, PlainScores,
    EMPTY_LEVEL,
};
pub use compare::{
    compare, compare_json, CompareError, ComparedDomain, Comparison, ComparisonRow, DomainIn,
    GroupIn, NotASummary, SummaryFile,
};
pub use dates::{age_in_years, parse_date, MAX_AGE};
pub use domain::{Domain, DomainSet, DomainVector, PerDomain, UnknownDomain};
pub use error::{Field, Format, ValidationError, ValidationErrors};
pub use forecast::{
    forecast, forecast_with_progress, Backtest, BacktestCell, BacktestFigure, Estimate, Forecast,
    ForecastError, ForecastOptions, Inflow, Leaving, ProjectionHistory, ProjectionPhase,
    ProjectionRow, MAX_HISTORY_YEARS, MAX_HORIZON, MAX_INFLOW_YEARS, MAX_REPLICATES,
    PROJECTION_COLUMNS,
};
pub use framework::{
    Aggregate, Area, AreaIndex, Framework, FrameworkError, FrameworkProblem, Level, Scale,
    MAX_AREAS_PER_DOMAIN, MAX_BANDS, MAX_BAND_WEIGHT, MAX_FLOORS, MAX_FRAMEWORK_ID_LEN,
    MAX_LABEL_LEN, MAX_MIN_SCORE, MAX_SCALE_LEVEL, MAX_TOP_UP,
};
pub use history::{Histories, History, NeedAreas};
pub use ids::{ChildId, SettingId, MAX_ID_LEN};
pub use impact::{
    impact, impact_with_progress, Effect, Impact, ImpactError, ImpactOptions, ImpactSupport,
    Support,
};
pub use jsonl::parse_json_line;
pub use plan::{parse_plan_line, PlanBuilder, PlanColumn, PlanLayout, SeenPlans};
pub use rng::SplitMix64;
pub use score::{score, AgeBand, Scores, WholeFigures};
pub use score_columns::{Counts, Figures, ScoreColumns};
pub use scored::{scored_columns, BandFigures, ScoredRow, BANDED_COLUMNS, SCORED_COLUMNS};
pub use seen::SeenDates;
pub use suppress::{
    Derived, SharedBands, SharedDomain, SharedGroup, SharedSummary, Shown, SuppressError,
    Suppression,
};
pub use timeline::{day_number, is_overdue, Change, Duplicate, Review, Timeline, TimelineError};
pub use transition::{
    phase_moves, school_phase, transition, DuplicatePlan, MoveDomain, MoveSummary, MovingChild,
    NoAssessment, Phase, PhaseMove, PhaseMoves, Plan, PlanRow, PlanStatus, SchoolYear,
    SchoolYearError, PLAN_COLUMNS,
};

/// Re-exported so callers name dates with the same type the library uses.
pub use jiff::civil::Date;
