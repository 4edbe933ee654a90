//! §7 One history per child: every accepted review of every child, with the
//! same-date duplicate rule applied once, for every command.
//!
//! Cohort summaries (§8), timelines (§7) and charts all need "a child's
//! accepted assessments in date order, duplicates rejected once" and the same
//! few queries over it (the latest on or before a date, the one before that).
//! [`Histories`] is that one place. What it keeps of each child is chosen by
//! [`Keep`]: only the dates, the two reviews a summary reads, every review of
//! one child (a timeline), or every review of every child reduced to the few
//! bytes a projection (§15) or an impact analysis (§16) reads
//! ([`Keep::levels`]). The rule itself is [`SeenDates`]'s, so every command
//! applies it alike; with [`Keep::Levels`], whose reviews each carry their
//! date, it is checked against those instead of a second copy of every date.

use jiff::civil::Date;
use smallvec::SmallVec;

use crate::assessment::Assessment;
use crate::domain::PerDomain;
use crate::framework::{Aggregate, Framework};
use crate::ids::ChildId;
use crate::packed::PackedReview;
use crate::score::ReviewLevels;
use crate::seen::SeenDates;
use crate::timeline::Duplicate;

/// What [`Histories`] keeps of each child besides their review dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// Only the dates, each child's readable back in input order. A check
    /// that needs no more than the rule itself takes a tenth of the memory
    /// with [`SeenDates`], which `vsend score` and `vsend validate` use.
    Dates,
    /// The latest review on or before `as_of` and the one before it (§8),
    /// as of the latest date added when `as_of` is `None`.
    CurrentAndPrevious {
        /// The date the histories are read as of.
        as_of: Option<Date>,
    },
    /// Every review of one child (a timeline or a chart), dates of the others.
    Child(ChildId),
    /// Every review of every child.
    All,
    /// Every review of every child, reduced to what §15 and §16 read of it:
    /// its date, the date of birth, and per domain the need (§4), readiness
    /// and confidence, 20 bytes a review against some 300 for
    /// [`Keep::All`]. Made for one framework by [`Keep::levels`]; no
    /// assessment is kept ([`History::reviews`] is empty), and each date
    /// only with its levels, where the duplicate rule reads it
    /// ([`History::dates`] holds only those of [`Histories::add_date`]).
    Levels(NeedAreas),
}

impl Keep {
    /// [`Keep::Levels`] for `framework`: what [`forecast`](fn@crate::forecast)
    /// and [`impact`](fn@crate::impact) need of every review, in a fraction of
    /// the memory of [`Keep::All`], with the same results.
    ///
    /// ```
    /// use vsend_core::{Framework, Histories};
    /// use vsend_core::history::Keep;
    /// let fw = Framework::default();
    /// let histories = Histories::new(Keep::levels(&fw));
    /// assert!(histories.is_empty());
    /// ```
    pub fn levels(framework: &Framework) -> Keep {
        Keep::Levels(NeedAreas::of(framework))
    }

    fn as_of(&self) -> Option<Date> {
        match self {
            Keep::CurrentAndPrevious { as_of } => *as_of,
            _ => None,
        }
    }
}

/// Which need areas make up each domain, and how they are aggregated (§4):
/// the part of a framework that reduces an assessment to [`Keep::Levels`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedAreas {
    ranges: PerDomain<(u16, u16)>,
    aggregate: Aggregate,
}

impl NeedAreas {
    /// The need areas of `framework`'s domains.
    pub fn of(framework: &Framework) -> NeedAreas {
        NeedAreas {
            ranges: PerDomain::from_fn(|d| {
                let r = framework.area_range(d);
                (r.start as u16, r.end as u16)
            }),
            aggregate: framework.aggregate(),
        }
    }

    /// `a` reduced to its levels under these areas.
    fn reduce(&self, a: &Assessment) -> ReviewLevels {
        ReviewLevels::new(
            |d| {
                let (start, end) = self.ranges[d];
                usize::from(start)..usize::from(end)
            },
            a,
        )
    }

    /// `a` reduced to what §15 and §16 read of it.
    fn pack(&self, a: &Assessment) -> PackedReview {
        PackedReview::new(&self.reduce(a), self.aggregate)
    }
}

/// One child's accepted reviews: their dates and the assessments kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Every accepted review date, in input order: inline for up to four
    /// (a year of termly reviews), so most children cost no allocation.
    /// With [`Keep::Levels`] only those added without levels
    /// ([`Histories::add_date`]): the levels carry their own.
    dates: SmallVec<[Date; 4]>,
    /// The assessments kept, sorted by date.
    kept: Vec<Assessment>,
    /// Every review reduced to its levels ([`Keep::Levels`]), sorted by date.
    levels: Vec<PackedReview>,
}

impl History {
    /// The kept assessments, in date order (none with [`Keep::Levels`]).
    pub fn reviews(&self) -> &[Assessment] {
        &self.kept
    }

    /// Every accepted review date, kept or not, in input order; with
    /// [`Keep::Levels`] only those added by [`Histories::add_date`], the
    /// others being kept with each review's levels.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// The latest kept assessment on or before `date`.
    pub fn on_or_before(&self, date: Date) -> Option<&Assessment> {
        let end = self.kept.partition_point(|a| a.assessed_on() <= date);
        end.checked_sub(1).map(|i| &self.kept[i])
    }

    /// The child's current assessment as of `as_of` (§8): the latest on or
    /// before it, or the latest of all with `None`.
    pub fn current(&self, as_of: Option<Date>) -> Option<&Assessment> {
        match as_of {
            Some(date) => self.on_or_before(date),
            None => self.kept.last(),
        }
    }

    /// The review before the current one as of `as_of` (§8).
    pub fn previous(&self, as_of: Option<Date>) -> Option<&Assessment> {
        let current = self.current(as_of)?;
        self.on_or_before(current.assessed_on().yesterday().ok()?)
    }

    /// The accepted reviews on or before `as_of` (all with `None`), kept or not.
    pub fn count_on_or_before(&self, as_of: Option<Date>) -> usize {
        // One of the two is empty: the levels carry the dates with Keep::Levels.
        match as_of {
            Some(as_of) => {
                self.dates.iter().filter(|&&d| d <= as_of).count()
                    + self.levels.partition_point(|r| r.assessed_on() <= as_of)
            }
            None => self.dates.len() + self.levels.len(),
        }
    }

    /// The earliest accepted review date, kept or not.
    fn earliest(&self) -> Option<Date> {
        let first_kept = self.levels.first().map(PackedReview::assessed_on);
        self.dates.iter().copied().chain(first_kept).min()
    }

    /// Whether a review on `on` is among the kept levels.
    fn has_levels_on(&self, on: Date) -> bool {
        self.levels
            .binary_search_by_key(&on, PackedReview::assessed_on)
            .is_ok()
    }

    fn keep_levels(&mut self, a: &Assessment, shape: &NeedAreas) {
        let on = a.assessed_on();
        let at = self.levels.partition_point(|k| k.assessed_on() < on);
        if self.levels.len() == self.levels.capacity() {
            // Grown by an eighth, not doubled: every child's levels are kept
            // to the end, and their slack with them.
            self.levels.reserve_exact((self.levels.len() / 8).max(2));
        }
        self.levels.insert(at, shape.pack(a));
    }

    fn keep(&mut self, a: &Assessment, as_of: Option<Date>, at_most: Option<usize>) {
        let on = a.assessed_on();
        if as_of.is_some_and(|as_of| on > as_of) {
            return;
        }
        let at = self.kept.partition_point(|k| k.assessed_on() < on);
        if let Some(n) = at_most {
            // Only the latest `n` matter; an older one than all of those is dropped.
            if self.kept.len() == n && at == 0 {
                return;
            }
            self.kept.insert(at, a.clone());
            if self.kept.len() > n {
                self.kept.remove(0);
            }
        } else {
            self.kept.insert(at, a.clone());
        }
    }
}

/// Every child's [`History`], built one assessment at a time in any order.
///
/// Of two assessments of one child on one date, the later in input order is
/// rejected (§7, by [`SeenDates`]): [`add`](Histories::add) returns it as a
/// [`Duplicate`] and changes nothing. Children are kept in child-ID order, so whatever reads
/// them in turn sees the same order however the input was shuffled.
///
/// ```
/// use vsend_core::{AssessmentBuilder, Framework, Histories, parse_date};
/// use vsend_core::history::Keep;
/// let fw = Framework::default();
/// let review = |child: &str, on: &str| {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on(on);
///     b.build().unwrap()
/// };
/// let mut h = Histories::new(Keep::CurrentAndPrevious { as_of: parse_date("2025-03-01") });
/// h.add(&review("C1", "2025-01-10")).unwrap();
/// h.add(&review("C1", "2024-09-10")).unwrap();
/// h.add(&review("C1", "2025-06-10")).unwrap(); // after as_of: counted for duplicates only
/// assert!(h.add(&review("C1", "2025-01-10")).is_err()); // same child, same date
/// let c1 = h.children().next().unwrap();
/// let as_of = h.as_of();
/// assert_eq!(c1.current(as_of).unwrap().assessed_on().to_string(), "2025-01-10");
/// assert_eq!(c1.previous(as_of).unwrap().assessed_on().to_string(), "2024-09-10");
/// assert_eq!(c1.count_on_or_before(as_of), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Histories {
    keep: Keep,
    latest: Option<Date>,
    /// The §7 rule, which also numbers the children in first-seen order.
    seen: SeenDates,
    /// Each child's history, by that number.
    children: Vec<History>,
}

impl Histories {
    /// Empty histories keeping what `keep` says.
    pub fn new(keep: Keep) -> Self {
        Histories {
            keep,
            latest: None,
            seen: SeenDates::new(),
            children: Vec::new(),
        }
    }

    /// Applies the duplicate rule (§7) and records the date: the index of
    /// the child's history, to keep the review in. With [`Keep::Levels`] a
    /// review's date is kept once, with its levels, and checked there: the
    /// levels of a five-year history would otherwise hold every date twice:
    /// `in_levels` says the caller keeps this date with the review's levels.
    fn record(&mut self, child: &ChildId, on: Date, in_levels: bool) -> Result<usize, Duplicate> {
        let (ordinal, new) = self.seen.number(child);
        if new {
            self.children.push(History::default());
        }
        let i = ordinal as usize;
        // Without Keep::Levels a child's levels are empty: `seen` alone decides.
        if self.seen.contains(ordinal, on) || self.children[i].has_levels_on(on) {
            return Err(Duplicate {
                child_id: child.clone(),
                assessed_on: on,
            });
        }
        if !in_levels {
            self.seen.insert(ordinal, on);
            self.children[i].dates.push(on);
        }
        if self.keep.as_of().is_none_or(|as_of| on <= as_of) {
            self.latest = self.latest.max(Some(on));
        }
        Ok(i)
    }

    /// Adds one assessment, or rejects it as a same-date duplicate (§7).
    pub fn add(&mut self, a: &Assessment) -> Result<(), Duplicate> {
        let in_levels = matches!(self.keep, Keep::Levels(_));
        let i = self.record(a.child_id(), a.assessed_on(), in_levels)?;
        let history = &mut self.children[i];
        match &self.keep {
            Keep::Dates => {}
            Keep::CurrentAndPrevious { as_of } => history.keep(a, *as_of, Some(2)),
            Keep::Child(id) if id == a.child_id() => history.keep(a, None, None),
            Keep::Child(_) => {}
            Keep::All => history.keep(a, None, None),
            Keep::Levels(shape) => history.keep_levels(a, shape),
        }
        Ok(())
    }

    /// Records that `child` was reviewed on `on`, keeping no assessment, or
    /// rejects it as a same-date duplicate (§7). For streaming checks, where
    /// the assessment itself has already gone on its way (`vsend score`).
    pub fn add_date(&mut self, child: &ChildId, on: Date) -> Result<(), Duplicate> {
        self.record(child, on, false).map(|_| ())
    }

    fn as_of_given(&self) -> Option<Date> {
        self.keep.as_of()
    }

    /// The date these histories are read as of (§8): the one given to
    /// [`Keep::CurrentAndPrevious`], else the latest review added.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of_given().or(self.latest)
    }

    /// One child's history.
    pub fn get(&self, child: &ChildId) -> Option<&History> {
        let ordinal = self.seen.children().find(child.as_str())?;
        Some(&self.children[ordinal as usize])
    }

    /// Every child's history, in child-ID order (byte order), so that what is
    /// summed over children is summed in the same order whatever the input order.
    pub fn children(&self) -> impl Iterator<Item = &History> {
        let ordinals = self.seen.children().in_id_order();
        ordinals.into_iter().map(|o| &self.children[o as usize])
    }

    /// Whether every review of every child is kept, as §15 and §16 need:
    /// [`Keep::All`], or [`Keep::Levels`] of `framework`'s need areas.
    pub(crate) fn keeps_every_review(&self, framework: &Framework) -> bool {
        match &self.keep {
            Keep::All => true,
            Keep::Levels(shape) => *shape == NeedAreas::of(framework),
            _ => false,
        }
    }

    /// Calls `each` with every child's reviews reduced to their levels, in
    /// child-ID order, each child's in date order. Histories that keep
    /// every review only ([`keeps_every_review`](Self::keeps_every_review)).
    pub(crate) fn each_child_levels(
        &self,
        framework: &Framework,
        mut each: impl FnMut(&[PackedReview]),
    ) {
        let shape = NeedAreas::of(framework);
        let mut reduced = Vec::new();
        for history in self.children() {
            if let Keep::Levels(_) = self.keep {
                each(&history.levels);
            } else {
                reduced.clear();
                reduced.extend(history.kept.iter().map(|a| shape.pack(a)));
                each(&reduced);
            }
        }
    }

    /// The earliest accepted review date of any child, kept or not.
    pub(crate) fn earliest(&self) -> Option<Date> {
        self.children.iter().filter_map(History::earliest).min()
    }

    /// The number of children seen.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether no assessment was added.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Domain;
    use crate::{parse_date, AssessmentBuilder, Framework};

    fn review(fw: &Framework, child: &str, on: &str) -> Assessment {
        let mut b = AssessmentBuilder::new(fw);
        b.child_id(child).assessed_on(on);
        b.build().unwrap()
    }

    fn dates(reviews: &[Assessment]) -> Vec<String> {
        reviews
            .iter()
            .map(|a| a.assessed_on().to_string())
            .collect()
    }

    #[test]
    fn the_latest_two_are_kept_in_any_input_order() {
        let fw = Framework::default();
        let mut h = Histories::new(Keep::CurrentAndPrevious { as_of: None });
        for on in ["2024-05-01", "2025-05-01", "2023-05-01", "2024-11-01"] {
            h.add(&review(&fw, "C1", on)).unwrap();
        }
        let c1 = h.get(&ChildId::new("C1").unwrap()).unwrap();
        assert_eq!(dates(c1.reviews()), ["2024-11-01", "2025-05-01"]);
        assert_eq!(h.as_of(), parse_date("2025-05-01"));
        assert_eq!(c1.count_on_or_before(h.as_of()), 4);
        let duplicate = h.add(&review(&fw, "C1", "2023-05-01")).unwrap_err();
        assert_eq!(duplicate.assessed_on, parse_date("2023-05-01").unwrap());
    }

    #[test]
    fn one_child_is_kept_whole_and_the_others_as_dates() {
        let fw = Framework::default();
        let mut h = Histories::new(Keep::Child(ChildId::new("C2").unwrap()));
        for (child, on) in [
            ("C1", "2025-01-01"),
            ("C2", "2025-02-01"),
            ("C2", "2024-02-01"),
        ] {
            h.add(&review(&fw, child, on)).unwrap();
        }
        assert!(h.add(&review(&fw, "C1", "2025-01-01")).is_err());
        let children: Vec<_> = h.children().collect();
        assert_eq!(children[0].reviews().len(), 0);
        assert_eq!(children[0].dates().len(), 1);
        assert_eq!(dates(children[1].reviews()), ["2024-02-01", "2025-02-01"]);
        let c2 = children[1];
        let on = |s| {
            c2.on_or_before(parse_date(s).unwrap())
                .map(|a| a.assessed_on())
        };
        assert_eq!(on("2024-01-31"), None);
        assert_eq!(on("2024-02-01"), parse_date("2024-02-01"));
        assert_eq!(on("2025-01-31"), parse_date("2024-02-01"));
        assert_eq!(
            c2.previous(None).unwrap().assessed_on(),
            parse_date("2024-02-01").unwrap()
        );
        assert_eq!(c2.previous(parse_date("2025-01-01")), None);
    }

    #[test]
    fn levels_keep_every_review_in_date_order_and_score_alike() {
        let fw = Framework::default();
        let mut h = Histories::new(Keep::levels(&fw));
        for (on, literacy) in [("2025-01-10", "3"), ("2024-09-10", "1"), ("2025-05-10", "")] {
            let mut b = AssessmentBuilder::new(&fw);
            b.child_id("C1")
                .assessed_on(on)
                .date_of_birth("2015-02-03")
                .need("cl.literacy", literacy)
                .need("cl.numeracy", "2")
                .readiness(Domain::Cl, "2");
            let a = b.build().unwrap();
            h.add(&a).unwrap();
            let kept = NeedAreas::of(&fw).pack(&a);
            let scores = crate::score(&fw, &a);
            for d in Domain::ALL {
                let i = d.index();
                assert_eq!(kept.need(fw.aggregate(), i), scores.need.get(d));
                assert_eq!(kept.readiness(i).map(f64::from), scores.readiness.get(d));
                assert_eq!(kept.confidence(i).map(f64::from), scores.confidence.get(d));
            }
        }
        assert!(h.add(&review(&fw, "C1", "2024-09-10")).is_err(), "§7 holds");
        assert!(h.keeps_every_review(&fw));
        assert!(
            std::mem::size_of::<PackedReview>() <= 20,
            "a few bytes a review"
        );
        let c1 = h.children().next().unwrap();
        assert!(c1.reviews().is_empty(), "no assessment is kept");
        let mut seen = Vec::new();
        h.each_child_levels(&fw, |r| {
            seen.extend(
                r.iter()
                    .map(|r| (r.assessed_on().to_string(), r.level(fw.aggregate(), 0))),
            )
        });
        assert_eq!(
            seen,
            [
                ("2024-09-10".to_owned(), Some(2)),
                ("2025-01-10".to_owned(), Some(3)),
                ("2025-05-10".to_owned(), Some(2)),
            ]
        );
    }

    #[test]
    fn levels_find_duplicates_among_themselves_and_dates_alone() {
        let fw = Framework::default();
        let mut h = Histories::new(Keep::levels(&fw));
        let c1 = ChildId::new("C1").unwrap();
        let on = |s| parse_date(s).unwrap();
        h.add(&review(&fw, "C1", "2025-01-10")).unwrap();
        h.add_date(&c1, on("2024-01-10")).unwrap();
        assert!(h.add(&review(&fw, "C1", "2025-01-10")).is_err());
        assert!(h.add_date(&c1, on("2025-01-10")).is_err());
        assert!(h.add(&review(&fw, "C1", "2024-01-10")).is_err());
        assert!(h.add_date(&c1, on("2024-01-10")).is_err());
        h.add(&review(&fw, "C2", "2025-01-10")).unwrap();
        let history = h.get(&c1).unwrap();
        assert_eq!(history.dates(), [on("2024-01-10")]);
        assert_eq!(history.count_on_or_before(None), 2);
        assert_eq!(history.count_on_or_before(Some(on("2024-12-31"))), 1);
        assert_eq!(h.earliest(), Some(on("2024-01-10")));
        assert_eq!(h.as_of(), Some(on("2025-01-10")));
    }

    #[test]
    fn a_mean_need_is_kept_exactly() {
        let fw =
            Framework::from_json(include_str!("../../../fixtures/framework-mean.json")).unwrap();
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("C1")
            .assessed_on("2025-01-10")
            .need("cl.learning", "2")
            .need("cl.literacy", "3")
            .need("cl.numeracy", "3");
        let a = b.build().unwrap();
        let kept = NeedAreas::of(&fw).pack(&a);
        assert_eq!(
            kept.need(Aggregate::Mean, 0),
            crate::score(&fw, &a).need.get(Domain::Cl)
        );
        assert_eq!(kept.need(Aggregate::Mean, 0), Some(8.0 / 3.0));
        assert_eq!(kept.level(Aggregate::Mean, 0), Some(2));
        assert_eq!(kept.need(Aggregate::Mean, 1), None);
        assert_ne!(NeedAreas::of(&fw), NeedAreas::of(&Framework::default()));
    }

    #[test]
    fn a_child_with_many_reviews_is_checked_through_the_index() {
        // Past the dates kept inline they are looked up in a set: the same rule.
        let child = ChildId::new("C1").unwrap();
        let start = parse_date("2000-01-01").unwrap();
        let day = |i: i64| start.checked_add(jiff::Span::new().days(i)).unwrap();
        let mut h = Histories::new(Keep::Dates);
        for i in (0..100).rev() {
            h.add_date(&child, day(i)).unwrap();
        }
        for i in [0, 3, 4, 5, 15, 16, 99] {
            let d = h.add_date(&child, day(i)).unwrap_err();
            assert_eq!(d.assessed_on, day(i));
        }
        h.add_date(&child, day(100)).unwrap();
        assert!(h.add_date(&child, day(100)).is_err());
        let other = ChildId::new("C2").unwrap();
        h.add_date(&other, day(5)).unwrap();
        let c1 = h.get(&child).unwrap();
        assert_eq!(c1.dates().len(), 101, "in input order, each once");
        assert_eq!(c1.dates()[0], day(99));
    }

    #[test]
    fn reviews_after_as_of_count_only_for_duplicates() {
        let fw = Framework::default();
        let as_of = parse_date("2025-01-01");
        let mut h = Histories::new(Keep::CurrentAndPrevious { as_of });
        h.add(&review(&fw, "C1", "2025-06-01")).unwrap();
        assert_eq!(h.as_of(), as_of);
        let c1 = h.children().next().unwrap();
        assert_eq!(c1.current(as_of), None);
        assert_eq!(c1.count_on_or_before(as_of), 0);
        assert!(h.add(&review(&fw, "C1", "2025-06-01")).is_err());
    }
}
