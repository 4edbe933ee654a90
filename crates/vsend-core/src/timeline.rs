//! §7 Change over time: one child's assessments in date order.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::domain::{Domain, DomainVector, PerDomain};
use crate::framework::Framework;
use crate::history::{Histories, History, Keep};
use crate::ids::ChildId;
use crate::score::{score, Scores};

/// Days in a year for the trend's time axis (§7).
pub const DAYS_PER_YEAR: f64 = 365.25;
/// Fewest known need values a domain needs for a trend (§7).
pub const MIN_TREND_POINTS: usize = 3;

/// Days from 1970-01-01 to `date` (negative before). Exact proleptic Gregorian
/// arithmetic, so `day_number(b) - day_number(a)` is the days between them.
pub fn day_number(date: Date) -> i32 {
    // Howard Hinnant's days_from_civil.
    let (m, d) = (i32::from(date.month()), i32::from(date.day()));
    let y = i32::from(date.year()) - i32::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether a review last held on `latest` is overdue on `as_of` (§7): more
/// than the framework's review interval has passed.
pub fn is_overdue(framework: &Framework, latest: Date, as_of: Date) -> bool {
    i64::from(day_number(as_of) - day_number(latest)) > i64::from(framework.review_interval_days())
}

/// How a figure moved between two reviews (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Need fell (or readiness/confidence rose) by at least the meaningful change.
    Improved,
    /// Moved by less than the meaningful change.
    Stable,
    /// Need rose (or readiness/confidence fell) by at least the meaningful change.
    Worsened,
}

impl Change {
    /// Classifies a change in need: a fall is an improvement.
    pub fn of_need(delta: f64, meaningful_change: f64) -> Change {
        if delta <= -meaningful_change {
            Change::Improved
        } else if delta >= meaningful_change {
            Change::Worsened
        } else {
            Change::Stable
        }
    }

    /// Classifies a change in readiness or confidence: a rise is an improvement.
    pub fn of_offer(delta: f64, meaningful_change: f64) -> Change {
        Change::of_need(-delta, meaningful_change)
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Change::Improved => "improved",
            Change::Stable => "stable",
            Change::Worsened => "worsened",
        })
    }
}

fn classify(delta: &DomainVector, f: impl Fn(f64) -> Change) -> PerDomain<Option<Change>> {
    PerDomain::from_fn(|d| delta.get(d).map(&f))
}

/// The change between two consecutive assessments A then B (§7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// A's date.
    pub from: Date,
    /// B's date.
    pub to: Date,
    /// Days from A to B.
    pub days: i32,
    /// need_B(d) − need_A(d), where both are known.
    pub delta_need: DomainVector,
    /// The need change class per domain, where the delta is known.
    pub class: PerDomain<Option<Change>>,
    /// readiness_B(d) − readiness_A(d). Not part of the §10 file shape.
    #[serde(skip)]
    pub delta_readiness: DomainVector,
    /// confidence_B(d) − confidence_A(d). Not part of the §10 file shape.
    #[serde(skip)]
    pub delta_confidence: DomainVector,
    /// The readiness change class (a rise is improved). Not part of the §10 file shape.
    #[serde(skip)]
    pub readiness_class: PerDomain<Option<Change>>,
    /// The confidence change class (a rise is improved). Not part of the §10 file shape.
    #[serde(skip)]
    pub confidence_class: PerDomain<Option<Change>>,
}

impl Step {
    /// The step from scores `a` on `from` to scores `b` on `to`.
    pub fn between(framework: &Framework, from: (Date, &Scores), to: (Date, &Scores)) -> Step {
        let mc = framework.meaningful_change();
        let delta_need = to.1.need.minus(&from.1.need);
        let delta_readiness = to.1.readiness.minus(&from.1.readiness);
        let delta_confidence = to.1.confidence.minus(&from.1.confidence);
        Step {
            from: from.0,
            to: to.0,
            days: day_number(to.0) - day_number(from.0),
            class: classify(&delta_need, |x| Change::of_need(x, mc)),
            readiness_class: classify(&delta_readiness, |x| Change::of_offer(x, mc)),
            confidence_class: classify(&delta_confidence, |x| Change::of_offer(x, mc)),
            delta_need,
            delta_readiness,
            delta_confidence,
        }
    }
}

/// One assessment on a timeline: its date and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The date of the review.
    pub assessed_on: Date,
    /// Its scores.
    pub scores: Scores,
}

/// Why a timeline could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimelineError {
    /// No assessment of the child on or before `as_of`.
    #[error("no assessments of this child on or before the date asked for")]
    Empty,
    /// Assessments of more than one child were given.
    #[error("child_id: {found} differs from {expected}; a timeline is one child's")]
    OtherChild {
        /// The first child's ID.
        expected: Box<ChildId>,
        /// The other child's ID.
        found: Box<ChildId>,
    },
}

/// A second assessment of one child on one date, rejected (§7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("assessed_on: {assessed_on} repeats an earlier assessment of {child_id} on the same date; allowed one assessment per child per date")]
pub struct Duplicate {
    /// The child.
    pub child_id: ChildId,
    /// The repeated date.
    pub assessed_on: Date,
}

impl From<Duplicate> for crate::ValidationError {
    /// The duplicate as a problem of its record's `assessed_on` (§9).
    fn from(d: Duplicate) -> Self {
        crate::ValidationError::Duplicate {
            found: crate::error::Found::new(&d.assessed_on.to_string()),
            child_id: d.child_id,
        }
    }
}

/// One child's assessments sorted by date, with the steps between them, the
/// trend, escalation and overdue status of §7.
///
/// ```
/// use vsend_core::{AssessmentBuilder, Domain, Framework, Timeline, parse_date};
/// let fw = Framework::default();
/// let review = |on: &str, level: &str| {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id("C1").assessed_on(on).need("cl.literacy", level);
///     b.build().unwrap()
/// };
/// let reviews = [review("2025-05-01", "3"), review("2024-09-01", "1"), review("2025-01-01", "2")];
/// let t = Timeline::build(&fw, &reviews, parse_date("2025-10-01")).unwrap();
/// assert_eq!(t.steps().len(), 2);
/// assert!(t.escalating()[Domain::Cl]);
/// assert!(t.trend().get(Domain::Cl).unwrap() > 0.0);
/// assert_eq!(t.overdue(), Some(true)); // 153 days since the last review
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    child_id: ChildId,
    steps: Vec<Step>,
    trend: DomainVector,
    escalating: PerDomain<bool>,
    overdue: Option<bool>,
    #[serde(skip)]
    reviews: Vec<Review>,
    #[serde(skip)]
    duplicates: Vec<(usize, Duplicate)>,
}

impl Timeline {
    /// Builds a child's timeline from their assessments, in any order.
    ///
    /// Assessments after `as_of` are left out (the timeline as it stood then);
    /// `overdue` is `None` without `as_of`. Of two assessments on one date, the
    /// later in input order is rejected and listed in [`duplicates`](Self::duplicates).
    pub fn build<'a>(
        framework: &Framework,
        assessments: impl IntoIterator<Item = &'a Assessment>,
        as_of: Option<Date>,
    ) -> Result<Timeline, TimelineError> {
        let mut histories = Histories::new(Keep::All);
        let mut child_id: Option<&ChildId> = None;
        let mut duplicates = Vec::new();
        for (input_index, a) in assessments.into_iter().enumerate() {
            match child_id {
                None => child_id = Some(a.child_id()),
                Some(c) if c != a.child_id() => {
                    return Err(TimelineError::OtherChild {
                        expected: Box::new(c.clone()),
                        found: Box::new(a.child_id().clone()),
                    })
                }
                Some(_) => {}
            }
            if let Err(duplicate) = histories.add(a) {
                duplicates.push((input_index, duplicate));
            }
        }
        let history = histories.children().next().ok_or(TimelineError::Empty)?;
        let mut timeline = Timeline::of(framework, history, as_of)?;
        timeline.duplicates = duplicates;
        Ok(timeline)
    }

    /// The timeline of one child's [`History`] as of `as_of` (every kept
    /// review without it); `overdue` is `None` without `as_of`.
    pub fn of(
        framework: &Framework,
        history: &History,
        as_of: Option<Date>,
    ) -> Result<Timeline, TimelineError> {
        let kept = history.reviews();
        let end = match as_of {
            Some(as_of) => kept.partition_point(|a| a.assessed_on() <= as_of),
            None => kept.len(),
        };
        let reviews: Vec<Review> = kept[..end]
            .iter()
            .map(|a| Review {
                assessed_on: a.assessed_on(),
                scores: score(framework, a),
            })
            .collect();
        let last = reviews.last().ok_or(TimelineError::Empty)?.assessed_on;
        let child_id = kept[0].child_id().clone();
        let steps: Vec<Step> = reviews
            .windows(2)
            .map(|w| {
                Step::between(
                    framework,
                    (w[0].assessed_on, &w[0].scores),
                    (w[1].assessed_on, &w[1].scores),
                )
            })
            .collect();
        let escalating = PerDomain::from_fn(|d| match steps.as_slice() {
            [.., a, b] => {
                a.class[d] == Some(Change::Worsened) && b.class[d] == Some(Change::Worsened)
            }
            _ => false,
        });
        let overdue = as_of.map(|as_of| is_overdue(framework, last, as_of));
        Ok(Timeline {
            child_id,
            trend: trend(&reviews),
            steps,
            escalating,
            overdue,
            reviews,
            duplicates: Vec::new(),
        })
    }

    /// The child.
    pub fn child_id(&self) -> &ChildId {
        &self.child_id
    }
    /// The assessments kept, in date order.
    pub fn reviews(&self) -> &[Review] {
        &self.reviews
    }
    /// The changes between consecutive assessments.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
    /// Levels per year of need, per domain with at least 3 known need values.
    pub fn trend(&self) -> &DomainVector {
        &self.trend
    }
    /// Whether the last two need changes of each domain were both `worsened`.
    pub fn escalating(&self) -> &PerDomain<bool> {
        &self.escalating
    }
    /// Whether the review is overdue as of the date asked for; `None` without one.
    pub fn overdue(&self) -> Option<bool> {
        self.overdue
    }
    /// Assessments rejected as same-date duplicates, with their input positions from 0.
    pub fn duplicates(&self) -> &[(usize, Duplicate)] {
        &self.duplicates
    }
}

/// The ordinary least-squares slope of need against years since the first review.
fn trend(reviews: &[Review]) -> DomainVector {
    let Some(first) = reviews.first() else {
        return DomainVector::UNKNOWN;
    };
    let origin = day_number(first.assessed_on);
    let mut out = DomainVector::UNKNOWN;
    for d in Domain::ALL {
        let points: Vec<(f64, f64)> = reviews
            .iter()
            .filter_map(|r| {
                let years = f64::from(day_number(r.assessed_on) - origin) / DAYS_PER_YEAR;
                r.scores.need.get(d).map(|need| (years, need))
            })
            .collect();
        if points.len() >= MIN_TREND_POINTS {
            out.set(d, ols_slope(&points));
        }
    }
    out
}

/// Closed-form OLS slope, Σ(x−x̄)(y−ȳ) / Σ(x−x̄)²; `None` when every x is equal.
pub(crate) fn ols_slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (sxy, sxx) = points.iter().fold((0.0, 0.0), |(sxy, sxx), &(x, y)| {
        (
            sxy + (x - mean_x) * (y - mean_y),
            sxx + (x - mean_x) * (x - mean_x),
        )
    });
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_date, AssessmentBuilder};
    use nalgebra::{DMatrix, DVector};

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn review(fw: &Framework, child: &str, on: &str, cl: &str, sp: &str) -> Assessment {
        let mut b = AssessmentBuilder::new(fw);
        b.child_id(child)
            .assessed_on(on)
            .need("cl.literacy", cl)
            .need("sp.vision", sp);
        b.readiness(Domain::Cl, "2");
        b.build().unwrap()
    }

    #[test]
    fn day_numbers_match_jiff() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "1899-03-01",
            "0001-01-01",
        ] {
            let date = d(s);
            let want = jiff::civil::date(1970, 1, 1)
                .until(date)
                .unwrap()
                .get_days();
            assert_eq!(day_number(date), want, "{s}");
        }
    }

    #[test]
    fn closed_form_slope_matches_nalgebra_least_squares() {
        let points = [(0.0, 1.0), (0.4, 2.0), (0.9, 2.0), (1.7, 4.0), (2.2, 3.5)];
        let x = DMatrix::from_fn(
            points.len(),
            2,
            |i, j| if j == 0 { 1.0 } else { points[i].0 },
        );
        let y = DVector::from_iterator(points.len(), points.iter().map(|p| p.1));
        let beta = x.svd(true, true).solve(&y, 1e-12).unwrap();
        let slope = ols_slope(&points).unwrap();
        assert!((slope - beta[1]).abs() < 1e-12, "{slope} vs {}", beta[1]);
        assert_eq!(ols_slope(&[(1.0, 2.0), (1.0, 3.0)]), None);
    }

    #[test]
    fn steps_classes_escalation_and_duplicates() {
        let fw = Framework::default();
        let input = [
            review(&fw, "C1", "2025-06-01", "3", "0"),
            review(&fw, "C1", "2024-06-01", "1", "2"),
            review(&fw, "C1", "2025-01-01", "2", ""),
            review(&fw, "C1", "2025-01-01", "4", "4"),
        ];
        let t = Timeline::build(&fw, &input, None).unwrap();
        assert_eq!(t.duplicates().len(), 1);
        assert_eq!(t.duplicates()[0].0, 3);
        assert_eq!(t.steps().len(), 2);
        let s = &t.steps()[0];
        assert_eq!(
            (s.from, s.to, s.days),
            (d("2024-06-01"), d("2025-01-01"), 214)
        );
        assert_eq!(s.delta_need.get(Domain::Cl), Some(1.0));
        assert_eq!(s.class[Domain::Cl], Some(Change::Worsened));
        assert_eq!(s.class[Domain::Sp], None, "sp not assessed on 2025-01-01");
        assert_eq!(s.delta_readiness.get(Domain::Cl), Some(0.0));
        assert_eq!(s.readiness_class[Domain::Cl], Some(Change::Stable));
        assert!(t.escalating()[Domain::Cl]);
        assert!(!t.escalating()[Domain::Sp]);
        assert_eq!(t.trend().get(Domain::Sp), None, "only two known sp values");
        assert!(t.trend().get(Domain::Cl).unwrap() > 1.0);
        assert_eq!(t.overdue(), None);
    }

    #[test]
    fn as_of_leaves_out_later_reviews() {
        let fw = Framework::default();
        let input = [
            review(&fw, "C1", "2024-01-01", "1", "0"),
            review(&fw, "C1", "2024-05-01", "3", "0"),
            review(&fw, "C1", "2024-09-01", "2", "0"),
        ];
        let t = Timeline::build(&fw, &input, Some(d("2024-08-31"))).unwrap();
        assert_eq!(t.reviews().len(), 2);
        assert_eq!(t.reviews().last().unwrap().assessed_on, d("2024-05-01"));
        assert_eq!(t.overdue(), Some(false));
    }

    #[test]
    fn overdue_is_strictly_more_than_the_interval() {
        let fw = Framework::default();
        let input = [review(&fw, "C1", "2024-05-01", "1", "0")];
        let on = |s| Timeline::build(&fw, &input, Some(d(s))).unwrap().overdue();
        assert_eq!(on("2024-08-31"), Some(false)); // 122 days
        assert_eq!(on("2024-09-01"), Some(true)); // 123 days
    }

    #[test]
    fn errors_for_other_children_and_nothing_before_as_of() {
        let fw = Framework::default();
        let input = [
            review(&fw, "C1", "2024-05-01", "1", "0"),
            review(&fw, "C2", "2024-06-01", "1", "0"),
        ];
        assert!(matches!(
            Timeline::build(&fw, &input, None),
            Err(TimelineError::OtherChild { .. })
        ));
        assert_eq!(
            Timeline::build(&fw, &input[..1], Some(d("2024-01-01"))),
            Err(TimelineError::Empty)
        );
        assert_eq!(Timeline::build(&fw, [], None), Err(TimelineError::Empty));
    }
}
