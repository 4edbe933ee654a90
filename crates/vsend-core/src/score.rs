//! §4 Domain need, §5 gaps and coverage, §6 age band: scoring one assessment.

use std::fmt;

use serde::{Deserialize, Serialize};

use jiff::civil::Date;

use crate::assessment::Assessment;
use crate::dates::age_in_years;
use crate::domain::{Domain, DomainSet, DomainVector, PerDomain};
use crate::framework::{Aggregate, Framework, Level};

/// The age band of §6, from age at assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// Ages 0 to 4.
    EarlyYears,
    /// Ages 5 to 10.
    Primary,
    /// Ages 11 to 15.
    Secondary,
    /// Ages 16 to 25.
    Post16,
}

impl AgeBand {
    /// The band for an age in whole years; `None` outside 0 to 25.
    pub fn from_age(age: i16) -> Option<AgeBand> {
        match age {
            0..=4 => Some(AgeBand::EarlyYears),
            5..=10 => Some(AgeBand::Primary),
            11..=15 => Some(AgeBand::Secondary),
            16..=25 => Some(AgeBand::Post16),
            _ => None,
        }
    }

    /// The key used in files: `early_years`, `primary`, `secondary`, `post16`.
    pub const fn key(self) -> &'static str {
        match self {
            AgeBand::EarlyYears => "early_years",
            AgeBand::Primary => "primary",
            AgeBand::Secondary => "secondary",
            AgeBand::Post16 => "post16",
        }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The figures that need all five domain needs (§5): present only when the
/// assessment is `complete`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WholeFigures {
    /// Σ need(d).
    pub total_need: f64,
    /// 100 × total_need / (5 × max_level).
    pub need_index: f64,
    /// Σ min(readiness, need) / Σ need; absent unless all five readiness values are known.
    pub setting_coverage: Option<f64>,
    /// Σ min(confidence, need) / Σ need; absent unless all five confidence values are known.
    pub family_coverage: Option<f64>,
    /// Domains with a known negative setting gap, in canonical order.
    pub unmet_setting: DomainSet,
    /// Domains with a known negative family gap, in canonical order.
    pub unmet_family: DomainSet,
    /// The domain with the highest need (ties to the earlier); `None` when every need is 0.
    pub primary_domain: Option<Domain>,
}

/// Everything §4–§6 says about one assessment. Absent figures are `None`.
///
/// ```
/// use vsend_core::{score, AssessmentBuilder, Domain, Framework};
/// let fw = Framework::default();
/// let mut b = AssessmentBuilder::new(&fw);
/// b.child_id("C1").assessed_on("2025-01-10")
///     .need("cl.literacy", "3").need("cl.numeracy", "1")
///     .readiness(Domain::Cl, "2");
/// let s = score(&fw, &b.build().unwrap());
/// assert_eq!(s.need.get(Domain::Cl), Some(3.0));
/// assert_eq!(s.breadth[Domain::Cl], 1);
/// assert_eq!(s.setting_gap.get(Domain::Cl), Some(-1.0));
/// assert_eq!(s.need.get(Domain::Ci), None); // no ci area assessed
/// assert!(s.whole.is_none()); // so the whole-assessment figures are absent
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// need(d) (§4); unknown where no area of d was assessed.
    pub need: DomainVector,
    /// Assessed areas of d with level ≥ 2 (§4).
    pub breadth: PerDomain<u8>,
    /// Assessed areas of d, k (§4).
    pub assessed_areas: PerDomain<u8>,
    /// The setting's readiness per domain.
    pub readiness: DomainVector,
    /// The family's confidence per domain.
    pub confidence: DomainVector,
    /// readiness(d) − need(d) (§5).
    pub setting_gap: DomainVector,
    /// confidence(d) − need(d) (§5).
    pub family_gap: DomainVector,
    /// readiness(d) − confidence(d) (§5).
    pub home_school_gap: DomainVector,
    /// The whole-assessment figures, present when all five needs are known.
    pub whole: Option<WholeFigures>,
    /// The age band (§6), present when the date of birth is known.
    pub age_band: Option<AgeBand>,
}

impl Scores {
    /// Whether all five domain needs are known (§5 `complete`).
    pub fn complete(&self) -> bool {
        self.whole.is_some()
    }

    /// Whether the setting meets the need of `d`: `None` when either value is unknown.
    pub fn met_by_setting(&self, d: Domain) -> Option<bool> {
        self.setting_gap.get(d).map(|g| g >= 0.0)
    }

    /// Whether the family meets the need of `d`: `None` when either value is unknown.
    pub fn met_by_family(&self, d: Domain) -> Option<bool> {
        self.family_gap.get(d).map(|g| g >= 0.0)
    }
}

/// A level not known, in [`ReviewLevels`].
pub(crate) const NOT_ASSESSED: u8 = u8::MAX;

/// Per domain, what need(d) (§4) is made of, kept exactly: the assessed
/// areas (0: the need is unknown), the sum of their levels (at most 8 × 10)
/// and the highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct NeedLevels {
    areas: [u8; 5],
    sum: [u8; 5],
    max: [u8; 5],
}

impl NeedLevels {
    /// need(d) (§4) with `aggregate`, when an area of `d` was assessed.
    #[inline]
    pub(crate) fn need(&self, aggregate: Aggregate, d: usize) -> Option<f64> {
        let k = self.areas[d];
        (k > 0).then(|| match aggregate {
            Aggregate::Max => f64::from(self.max[d]),
            Aggregate::Mean => f64::from(self.sum[d]) / f64::from(k),
        })
    }

    /// Domain `d`'s assessed areas, the sum of their levels and the highest.
    pub(crate) fn parts(&self, d: usize) -> (u8, u8, u8) {
        (self.areas[d], self.sum[d], self.max[d])
    }

    /// An assessed area of domain `d` at level `v`.
    #[inline]
    fn add(&mut self, d: usize, v: u8) {
        self.areas[d] += 1;
        self.sum[d] += v;
        self.max[d] = self.max[d].max(v);
    }

    /// need(d) of every domain.
    pub(crate) fn vector(&self, aggregate: Aggregate) -> DomainVector {
        DomainVector::from_options(std::array::from_fn(|d| self.need(aggregate, d)))
    }
}

/// One review reduced to all that scoring (§4–§6) reads of it, in 40 bytes:
/// its date, the date of birth, per domain the need's parts
/// ([`NeedLevels`]) and breadth, and the readiness and confidence.
/// [`score`] scores through it, so what is scored from it is what [`score`]
/// gives; cohorts (§8) keep it instead of the whole assessment (some 270
/// bytes), and projections (§15) and impact (§16) the half of it they read
/// ([`PackedReview`](crate::packed::PackedReview)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReviewLevels {
    on: Date,
    born: Option<Date>,
    need: NeedLevels,
    /// Per domain: assessed areas with a level of 2 or more (breadth, §4).
    wide: [u8; 5],
    /// Per domain, or [`NOT_ASSESSED`].
    readiness: [u8; 5],
    confidence: [u8; 5],
}

/// The levels of a plain row as they are read, slot by slot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LevelSink {
    need: NeedLevels,
    wide: [u8; 5],
    readiness: [u8; 5],
    confidence: [u8; 5],
}

impl LevelSink {
    /// No level read yet.
    pub(crate) fn new() -> Self {
        LevelSink {
            need: NeedLevels::default(),
            wide: [0; 5],
            readiness: [NOT_ASSESSED; 5],
            confidence: [NOT_ASSESSED; 5],
        }
    }

    /// The review: the levels read, on the date and with the birth date of `ids`.
    pub(crate) fn levels(self, ids: &crate::assessment::PlainIds<'_>) -> ReviewLevels {
        ReviewLevels {
            on: ids.assessed_on,
            born: ids.born,
            need: self.need,
            wide: self.wide,
            readiness: self.readiness,
            confidence: self.confidence,
        }
    }

    /// The level of `slot` (a need area, readiness, planned readiness or
    /// confidence) of domain `d`.
    #[inline]
    pub(crate) fn add(&mut self, slot: u8, d: usize, level: Option<Level>) {
        use crate::assessment::{CONFIDENCE, PLANNED, READINESS};
        if slot < READINESS {
            if let Some(level) = level {
                self.need.add(d, level.get());
                self.wide[d] += u8::from(level.get() >= 2);
            }
        } else if slot < PLANNED {
            self.readiness[d] = code(level);
        } else if slot >= CONFIDENCE {
            self.confidence[d] = code(level);
        }
    }
}

/// The levels of a block of plain rows, read a column at a time: per
/// domain, one array per part of a [`LevelSink`], one slot per row.
#[derive(Debug)]
pub(crate) struct LevelBlock {
    pub(crate) areas: [Vec<u8>; 5],
    pub(crate) sum: [Vec<u8>; 5],
    pub(crate) max: [Vec<u8>; 5],
    pub(crate) wide: [Vec<u8>; 5],
    /// Per domain, or [`NOT_ASSESSED`].
    pub(crate) readiness: [Vec<u8>; 5],
    pub(crate) confidence: [Vec<u8>; 5],
}

impl LevelBlock {
    /// `n` rows, no level read yet.
    pub(crate) fn new(n: usize) -> Self {
        let zeros = || std::array::from_fn(|_| vec![0; n]);
        let unknown = || std::array::from_fn(|_| vec![NOT_ASSESSED; n]);
        LevelBlock {
            areas: zeros(),
            sum: zeros(),
            max: zeros(),
            wide: zeros(),
            readiness: unknown(),
            confidence: unknown(),
        }
    }

    /// The codes of one level column, `slot` of domain `d`, one per row
    /// (`empty` an empty cell): each level up to `top` (the scale's highest)
    /// added to its row as [`LevelSink::add`] adds it. A row with any other
    /// code is not plain (`plain[i] = false`). Free of branches per row, so
    /// that it compiles to vector code.
    pub(crate) fn add_codes(
        &mut self,
        (slot, d): (u8, usize),
        codes: &[u8],
        (empty, top): (u8, u8),
        plain: &mut [bool],
    ) {
        use crate::assessment::{CONFIDENCE, PLANNED, READINESS};
        for (p, &v) in plain.iter_mut().zip(codes) {
            *p &= v == empty || v <= top;
        }
        // A level, else 0 (nothing to add; a row off the scale is not plain).
        let level = |v: u8| if v <= top { v } else { 0 };
        if slot < READINESS {
            let parts = (self.areas[d].iter_mut().zip(&mut self.sum[d]))
                .zip(self.max[d].iter_mut().zip(&mut self.wide[d]));
            for (((areas, sum), (max, wide)), &v) in parts.zip(codes) {
                *areas += u8::from(v <= top);
                *sum += level(v);
                *max = (*max).max(level(v));
                *wide += u8::from(level(v) >= 2);
            }
        } else {
            let column = if slot < PLANNED {
                &mut self.readiness[d]
            } else if slot >= CONFIDENCE {
                &mut self.confidence[d]
            } else {
                return; // planned readiness: only checked
            };
            for (c, &v) in column.iter_mut().zip(codes) {
                *c = if v <= top { v } else { NOT_ASSESSED };
            }
        }
    }

    /// Adds the level of `slot` of domain `d` to row `i`, as [`LevelSink::add`].
    pub(crate) fn add(&mut self, i: usize, slot: u8, d: usize, level: Option<Level>) {
        let mut sink = self.sink(i);
        sink.add(slot, d, level);
        // Adding to domain d changes nothing of another domain.
        self.areas[d][i] = sink.need.areas[d];
        self.sum[d][i] = sink.need.sum[d];
        self.max[d][i] = sink.need.max[d];
        self.wide[d][i] = sink.wide[d];
        self.readiness[d][i] = sink.readiness[d];
        self.confidence[d][i] = sink.confidence[d];
    }

    /// The levels of row `i`.
    pub(crate) fn sink(&self, i: usize) -> LevelSink {
        let at = |parts: &[Vec<u8>; 5]| std::array::from_fn(|d| parts[d][i]);
        LevelSink {
            need: NeedLevels {
                areas: at(&self.areas),
                sum: at(&self.sum),
                max: at(&self.max),
            },
            wide: at(&self.wide),
            readiness: at(&self.readiness),
            confidence: at(&self.confidence),
        }
    }
}

/// A level as its code in [`ReviewLevels`].
fn code(level: Option<Level>) -> u8 {
    level.map_or(NOT_ASSESSED, |l| l.get())
}

/// Codes back as a vector of levels.
fn levels(codes: [u8; 5]) -> DomainVector {
    DomainVector::from_options(codes.map(|c| (c != NOT_ASSESSED).then(|| f64::from(c))))
}

impl ReviewLevels {
    /// `a` reduced, the areas of domain `d` being `areas(d)` (indices into
    /// its needs; areas beyond them count as not assessed).
    pub(crate) fn new(areas: impl Fn(Domain) -> std::ops::Range<usize>, a: &Assessment) -> Self {
        let mut r = ReviewLevels {
            on: a.assessed_on(),
            born: a.date_of_birth(),
            need: NeedLevels::default(),
            wide: [0; 5],
            readiness: a.readiness().0.map(code),
            confidence: a.confidence().0.map(code),
        };
        let needs = a.needs();
        for d in Domain::ALL {
            let i = d.index();
            for level in areas(d).filter_map(|j| needs.get(j)?.as_ref()) {
                r.need.add(i, level.get());
                r.wide[i] += u8::from(level.get() >= 2);
            }
        }
        r
    }

    /// `a` reduced under `framework`'s areas.
    pub(crate) fn of(framework: &Framework, a: &Assessment) -> Self {
        ReviewLevels::new(|d| framework.area_range(d), a)
    }

    /// A plain CSV row read straight into its levels
    /// ([`read_plain`](crate::assessment::read_plain)): the same as reading
    /// its assessment and reducing that, without the assessment.
    pub(crate) fn plain<'a>(
        framework: &Framework,
        plan: &[(u8, u8)],
        line: &'a [u8],
    ) -> Option<(crate::assessment::PlainIds<'a>, ReviewLevels)> {
        let mut sink = LevelSink::new();
        let ids =
            crate::assessment::read_plain(framework, plan, line, |s, d, l| sink.add(s, d, l))?;
        let levels = sink.levels(&ids);
        Some((ids, levels))
    }

    /// The date of the review.
    pub(crate) fn assessed_on(&self) -> Date {
        self.on
    }

    /// The date of birth on the review.
    pub(crate) fn date_of_birth(&self) -> Option<Date> {
        self.born
    }

    /// The parts of each domain's need.
    pub(crate) fn needs(&self) -> &NeedLevels {
        &self.need
    }

    /// The readiness of domain `d`, when assessed.
    #[inline]
    pub(crate) fn readiness(&self, d: usize) -> Option<u8> {
        Some(self.readiness[d]).filter(|&l| l != NOT_ASSESSED)
    }

    /// The confidence of domain `d`, when assessed.
    #[inline]
    pub(crate) fn confidence(&self, d: usize) -> Option<u8> {
        Some(self.confidence[d]).filter(|&l| l != NOT_ASSESSED)
    }

    /// Everything §4–§6 say about the review (see [`score`]).
    pub(crate) fn scores(&self, framework: &Framework) -> Scores {
        let need = self.need.vector(framework.aggregate());
        let readiness = levels(self.readiness);
        let confidence = levels(self.confidence);
        let setting_gap = readiness.minus(&need);
        let family_gap = confidence.minus(&need);
        let whole = need.is_complete().then(|| {
            let n = need.vector();
            let total_need = n.sum();
            let coverage = |offer: &DomainVector| {
                offer.is_complete().then(|| {
                    let o = offer.vector();
                    if total_need == 0.0 {
                        1.0
                    } else {
                        o.zip_map(n, f64::min).sum() / total_need
                    }
                })
            };
            let unmet = |gap: &DomainVector| {
                gap.iter()
                    .filter(|(_, g)| g.is_some_and(|g| g < 0.0))
                    .map(|(d, _)| d)
                    .collect()
            };
            // imax returns the first maximum, so ties go to the earlier domain.
            let primary_domain = (n.max() > 0.0).then(|| Domain::ALL[n.imax()]);
            WholeFigures {
                total_need,
                need_index: 100.0 * total_need / (5.0 * f64::from(framework.scale().max_level())),
                setting_coverage: coverage(&readiness),
                family_coverage: coverage(&confidence),
                unmet_setting: unmet(&setting_gap),
                unmet_family: unmet(&family_gap),
                primary_domain,
            }
        });
        Scores {
            need,
            breadth: PerDomain(self.wide),
            assessed_areas: PerDomain(self.need.areas),
            readiness,
            confidence,
            setting_gap,
            family_gap,
            home_school_gap: readiness.minus(&confidence),
            whole,
            age_band: self
                .born
                .map(|born| age_in_years(born, self.on))
                .and_then(AgeBand::from_age),
        }
    }
}

/// Scores one assessment against the framework it was validated with (§4–§6).
///
/// Pure and allocation-free. An assessment built against a different framework
/// is not rejected: areas beyond its need list count as not assessed.
pub fn score(framework: &Framework, assessment: &Assessment) -> Scores {
    ReviewLevels::of(framework, assessment).scores(framework)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AssessmentBuilder;

    fn mean_framework() -> Framework {
        let json = Framework::default()
            .to_json()
            .replace("\"max\"", "\"mean\"");
        Framework::from_json(&json).unwrap()
    }

    /// An assessment with every area at `level`, and readiness/confidence at `offer`.
    fn uniform<'f>(fw: &'f Framework, level: &str, offer: &str) -> AssessmentBuilder<'f> {
        let mut b = AssessmentBuilder::new(fw);
        b.child_id("C1").assessed_on("2025-01-10");
        for area in fw.areas() {
            b.need(area.key(), level);
        }
        for d in Domain::ALL {
            b.readiness(d, offer).confidence(d, offer);
        }
        b
    }

    #[test]
    fn all_zero_needs_have_full_coverage_and_no_primary_domain() {
        let fw = Framework::default();
        let s = score(&fw, &uniform(&fw, "0", "0").build().unwrap());
        let w = s.whole.unwrap();
        assert_eq!(w.total_need, 0.0);
        assert_eq!(w.need_index, 0.0);
        assert_eq!(w.setting_coverage, Some(1.0));
        assert_eq!(w.family_coverage, Some(1.0));
        assert_eq!(w.primary_domain, None);
        assert!(w.unmet_setting.is_empty());
    }

    #[test]
    fn max_and_mean_aggregation() {
        let max = Framework::default();
        let mean = mean_framework();
        for (fw, want) in [(&max, 3.0), (&mean, 4.0 / 3.0)] {
            let mut b = uniform(fw, "", "2");
            b.need("cl.learning", "0")
                .need("cl.literacy", "1")
                .need("cl.numeracy", "3");
            let s = score(fw, &b.build().unwrap());
            assert_eq!(s.need.get(Domain::Cl), Some(want));
            assert_eq!(s.assessed_areas[Domain::Cl], 3);
            assert_eq!(s.breadth[Domain::Cl], 1);
            assert_eq!(s.setting_gap.get(Domain::Cl), Some(2.0 - want));
        }
    }

    #[test]
    fn a_domain_with_no_assessed_areas_is_unknown_and_makes_the_assessment_incomplete() {
        let fw = Framework::default();
        let mut b = uniform(&fw, "2", "1");
        for area in fw.areas_of(Domain::Sp) {
            b.need(area.key(), "");
        }
        let s = score(&fw, &b.build().unwrap());
        assert_eq!(s.need.get(Domain::Sp), None);
        assert_eq!(s.assessed_areas[Domain::Sp], 0);
        assert_eq!(s.setting_gap.get(Domain::Sp), None);
        assert_eq!(s.met_by_setting(Domain::Sp), None);
        assert_eq!(s.met_by_setting(Domain::Cl), Some(false));
        assert!(!s.complete());
    }

    #[test]
    fn whole_figures() {
        let fw = Framework::default();
        let mut b = uniform(&fw, "0", "");
        b.need("ci.social", "3")
            .need("semh.behaviour", "4")
            .need("ind.safety", "1");
        b.readiness(Domain::Ci, "3")
            .readiness(Domain::Semh, "2")
            .readiness(Domain::Ind, "0");
        for d in Domain::ALL {
            b.confidence(d, "1");
        }
        let s = score(&fw, &b.build().unwrap());
        let w = s.whole.unwrap();
        assert_eq!(w.total_need, 8.0);
        assert_eq!(w.need_index, 40.0);
        assert_eq!(w.setting_coverage, None, "cl and sp readiness not assessed");
        assert_eq!(w.family_coverage, Some(3.0 / 8.0));
        assert_eq!(w.unmet_setting.to_string(), "semh;ind");
        assert_eq!(w.unmet_family.to_string(), "ci;semh");
        assert_eq!(w.primary_domain, Some(Domain::Semh));
        assert_eq!(s.home_school_gap.get(Domain::Ci), Some(2.0));
        assert_eq!(s.home_school_gap.get(Domain::Cl), None);
    }

    #[test]
    fn primary_domain_ties_go_to_the_earlier_domain() {
        let fw = Framework::default();
        let mut b = uniform(&fw, "1", "1");
        b.need("sp.vision", "3").need("ind.safety", "3");
        let s = score(&fw, &b.build().unwrap());
        assert_eq!(s.whole.unwrap().primary_domain, Some(Domain::Sp));
    }

    #[test]
    fn age_bands_at_their_edges() {
        let bands: Vec<_> = [0, 4, 5, 10, 11, 15, 16, 25, 26, -1]
            .map(AgeBand::from_age)
            .to_vec();
        use AgeBand::*;
        assert_eq!(
            bands,
            [
                Some(EarlyYears),
                Some(EarlyYears),
                Some(Primary),
                Some(Primary),
                Some(Secondary),
                Some(Secondary),
                Some(Post16),
                Some(Post16),
                None,
                None
            ]
        );
        let fw = Framework::default();
        let mut b = uniform(&fw, "1", "1");
        b.date_of_birth("2009-01-10");
        assert_eq!(score(&fw, &b.build().unwrap()).age_band, Some(Post16));
    }
}
