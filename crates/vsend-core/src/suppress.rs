//! §14 Suppression: a cohort summary made safe to share outside the council.
//!
//! MODEL 1.2 rules: small groups merged (rule 1); within each histogram,
//! change triple and bands map a second entry hidden when exactly one is small,
//! decided on the exact counts (rule 2); every count then shown as 0, null
//! (1 to K − 1, or marked by rule 2) or rounded to the nearest positive
//! multiple of B (rule 3); only `mean_need` and `met_by_setting` recomputed
//! from the shown counts, every other mean, share, coverage, correlation and
//! money figure null (rule 4).
//!
//! The shared summary has its own types ([`SharedSummary`], [`SharedGroup`])
//! rather than `Option` fields in [`CohortSummary`](crate::CohortSummary),
//! and a domain's figures are the one §10 shape
//! ([`DomainFigures`]) held as
//! [`SharedDomain`], so that an exact figure cannot get into them:
//! - a count is a [`Shown`], which only this module can make, and only by
//!   rule 3 (0 or a positive multiple of B); a hidden count is `None`;
//! - a mean or share is a [`Derived`], which only this module makes, and only
//!   for the two figures rule 4 keeps (`mean_need`, `met_by_setting`), from
//!   the shown counts; every other is `None`;
//! - `priorities` and `suppressed` are not stored at all: they are computed
//!   from the shown counts when asked for or written;
//! - the group means, correlations and money figures have no field: they are
//!   written as null.
//!
//! **Limitation (rule 6).** Shown counts are rounded, so groups need not add
//! up to `all`. Combining tables (the by-groups with `all`, two keys, two
//! terms) still bounds a hidden count, to an interval no narrower than the
//! rounding leaves; the rules assume the recipient has no other source on the
//! same children; and a setting missing from a summary had fewer than K
//! children. `docs/model.md` §14 says what this means in practice.

use std::ops::RangeInclusive;

use jiff::civil::Date;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::cohort::{Cohort, DomainFigures, GroupBy, GroupSummary};
use crate::domain::{Domain, PerDomain};

/// Why suppression options were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SuppressError {
    /// K outside 2 to 100.
    #[error("min_count {0} is not allowed; allowed a whole number K from 2 to 100 (counts from 1 to K - 1 are hidden)")]
    MinCount(u64),
    /// B outside 3 to 100.
    #[error("round_to {0} is not allowed; allowed a whole number B from 3 to 100 (every shown count is rounded to a multiple of B)")]
    RoundTo(u64),
}

/// The §14 options, K and B, checked: the `suppression` object of a shared
/// summary, `{"min_count": K, "round_to": B}`.
///
/// ```
/// use vsend_core::Suppression;
/// let s = Suppression::new(3, None).unwrap();
/// assert_eq!((s.min_count(), s.round_to()), (3, 5)); // B defaults to max(5, K)
/// assert_eq!(Suppression::new(8, None).unwrap().round_to(), 8);
/// assert!(Suppression::new(1, None).is_err());
/// assert!(Suppression::new(3, Some(2)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Suppression {
    min_count: u64,
    round_to: u64,
}

impl Suppression {
    /// The K allowed.
    pub const MIN_COUNTS: RangeInclusive<u64> = 2..=100;
    /// The B allowed.
    pub const ROUND_TOS: RangeInclusive<u64> = 3..=100;

    /// K and B checked against [`MIN_COUNTS`](Self::MIN_COUNTS) and
    /// [`ROUND_TOS`](Self::ROUND_TOS); B defaults to max(5, K).
    pub fn new(min_count: u64, round_to: Option<u64>) -> Result<Suppression, SuppressError> {
        if !Self::MIN_COUNTS.contains(&min_count) {
            return Err(SuppressError::MinCount(min_count));
        }
        let round_to = round_to.unwrap_or(min_count.max(5));
        if !Self::ROUND_TOS.contains(&round_to) {
            return Err(SuppressError::RoundTo(round_to));
        }
        Ok(Suppression {
            min_count,
            round_to,
        })
    }

    /// K: no count from 1 to K − 1 is shown.
    pub fn min_count(self) -> u64 {
        self.min_count
    }

    /// B: every shown count other than 0 is a positive multiple of B.
    pub fn round_to(self) -> u64 {
        self.round_to
    }

    /// Whether an exact count lies in 1..K − 1 (rule 3's primary suppression).
    fn is_small(self, c: u64) -> bool {
        (1..self.min_count).contains(&c)
    }

    /// Rule 3 for a count not marked by rule 2: 0, null, or
    /// B × max(1, ⌊c / B + 1/2⌋).
    fn single(self, c: u64) -> Option<Shown> {
        if self.is_small(c) {
            None
        } else {
            Some(self.rounded(c))
        }
    }

    /// B × max(1, ⌊c / B + 1/2⌋) for c > 0 (nearest multiple, halves up,
    /// never 0), and 0 for 0. ⌊c / B + 1/2⌋ = ⌊(2c + B) / 2B⌋ in integers.
    fn rounded(self, c: u64) -> Shown {
        if c == 0 {
            return Shown(0);
        }
        let b = self.round_to;
        let multiple = (c.saturating_mul(2).saturating_add(b) / (2 * b)).max(1);
        Shown(multiple.saturating_mul(b))
    }

    /// Rules 2 and 3 on one histogram, change triple or bands map: when
    /// exactly one entry lies in 1..K − 1, the smallest other non-zero entry
    /// (the first on ties) is hidden too; then every entry as [`single`](Self::single).
    fn vector(self, counts: &[u64]) -> Vec<Option<Shown>> {
        let mut hidden: Vec<bool> = counts.iter().map(|&c| self.is_small(c)).collect();
        if hidden.iter().filter(|&&h| h).count() == 1 {
            let second = counts
                .iter()
                .enumerate()
                .filter(|&(i, &c)| !hidden[i] && c > 0)
                .min_by_key(|&(i, &c)| (c, i))
                .map(|(i, _)| i);
            if let Some(i) = second {
                hidden[i] = true;
            }
        }
        counts
            .iter()
            .zip(hidden)
            .map(|(&c, h)| (!h).then(|| self.rounded(c)))
            .collect()
    }
}

/// A count as a shared summary shows it: 0 or a positive multiple of B.
///
/// Only suppression makes one (there is no public constructor), so a count
/// in a [`SharedSummary`] is never an exact count by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Shown(u64);

impl Shown {
    /// The number shown.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// A cohort summary with §14 suppression applied: the §10 summary shape with
/// counts as shown (null when hidden), `"suppression": {"min_count": K,
/// "round_to": B}` and, per group, `"suppressed"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedSummary {
    /// The date summarised as of.
    pub as_of: Option<Date>,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// K and B.
    pub suppression: Suppression,
    /// `all`, then the by-groups kept, then `<key>=other` when kept.
    #[serde(serialize_with = "serialize_groups")]
    pub groups: Vec<(String, SharedGroup)>,
}

fn serialize_groups<S: Serializer>(
    groups: &[(String, SharedGroup)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(groups.iter().map(|(k, v)| (k, v)))
}

impl SharedSummary {
    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<&SharedGroup> {
        self.groups.iter().find(|(k, _)| k == name).map(|(_, g)| g)
    }
}

/// One group of a [`SharedSummary`]: counts as shown, `None` where hidden.
///
/// Written with every key of a §10 group: the figures computed from the shown
/// counts ([`priorities`](Self::priorities), [`suppressed`](Self::suppressed)
/// and each domain's two derived figures), and null for the three group means,
/// every `need_correlation` entry and `top_up_total`.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedGroup {
    /// Children (never hidden outside `all`: other groups have at least K).
    pub children: Option<Shown>,
    /// Their assessments on or before as_of.
    pub assessments: Option<Shown>,
    /// Children whose review is overdue.
    pub overdue: Option<Shown>,
    /// Per-domain counts.
    pub domains: PerDomain<SharedDomain>,
    /// `bands`, when the framework has banding (§13).
    pub bands: Option<SharedBands>,
}

impl SharedGroup {
    /// §12 priorities recomputed from the shown `unmet_by_setting` (rule 4):
    /// the domains shown with more than 0, most first, ties in §1 order;
    /// hidden ones left out.
    pub fn priorities(&self) -> Vec<Domain> {
        priorities_from(PerDomain::from_fn(|d| {
            self.domains[d].unmet_by_setting.map(Shown::get)
        }))
    }

    /// Whether any count of the group is hidden (rule 5): rounding alone
    /// does not count, and zero is never hidden, so this is exactly
    /// "some count was nulled by rules 2–3".
    pub fn suppressed(&self) -> bool {
        let domains = self
            .domains
            .iter()
            .any(|(_, d)| domain_counts(d).any(|c| c.is_none()));
        let bands = self
            .bands
            .as_ref()
            .is_some_and(|b| b.counts().any(|c| c.is_none()));
        [self.children, self.assessments, self.overdue]
            .iter()
            .any(Option::is_none)
            || domains
            || bands
    }
}

impl Serialize for SharedGroup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let none = Option::<f64>::None;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("children", &self.children)?;
        m.serialize_entry("assessments", &self.assessments)?;
        m.serialize_entry("overdue", &self.overdue)?;
        for (d, x) in self.domains.iter() {
            m.serialize_entry(d.key(), x)?;
        }
        m.serialize_entry("priorities", &self.priorities())?;
        m.serialize_entry("mean_need_index", &none)?;
        m.serialize_entry("mean_setting_coverage", &none)?;
        m.serialize_entry("mean_family_coverage", &none)?;
        m.serialize_entry("need_correlation", &[[none; 5]; 5])?;
        if let Some(b) = &self.bands {
            m.serialize_entry("bands", b)?;
            m.serialize_entry("top_up_total", &none)?;
        }
        m.serialize_entry("suppressed", &self.suppressed())?;
        m.end()
    }
}

/// A domain's figures in a [`SharedGroup`]: counts as shown (`None` where
/// hidden), `mean_need` and `met_by_setting` recomputed from them (rule 4),
/// every other mean and share `None`.
///
/// ```
/// use vsend_core::{AssessmentBuilder, Cohort, Domain, Framework, Suppression};
/// let fw = Framework::default();
/// let mut cohort = Cohort::new(&fw, None);
/// for (child, level) in [("C1", "1"), ("C2", "1"), ("C3", "1"), ("C4", "3"), ("C5", "3"), ("C6", "3"), ("C7", "3")] {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on("2025-03-01").need("cl.literacy", level);
///     cohort.add(&b.build().unwrap()).unwrap();
/// }
/// let shared = cohort.summary_suppressed(None, Suppression::new(3, Some(5)).unwrap());
/// let cl = &shared.group("all").unwrap().domains[Domain::Cl];
/// // Histogram [0, 3, 0, 4, 0] is shown [0, 5, 0, 5, 0]: the mean of the shown counts.
/// assert_eq!(cl.mean_need.map(|m| m.get()), Some(2.0));
/// assert_eq!(cl.met_by_family, None);
/// assert_eq!(cohort.summary(None).group("all").unwrap().domains[Domain::Cl].mean_need, Some(15.0 / 7.0));
/// ```
pub type SharedDomain = DomainFigures<Option<Shown>, Option<Derived>>;

/// A mean or share of a [`SharedDomain`], recomputed from its shown counts
/// (rule 4). Only this module makes one, so an exact mean never reaches a
/// shared summary.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Derived(f64);

impl Derived {
    /// The figure.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// Fills the two figures rule 4 keeps from the shown counts: `mean_need`,
/// Σ j × h_j / Σ h_j over the histogram (for a mean-aggregated framework the
/// mean of the floored levels), and `met_by_setting`, 1 − unmet_by_setting / n
/// (its denominator is n, not the children whose readiness is known); each
/// null when a count it needs is hidden or its denominator is 0.
fn derive_figures(counts: SharedDomain) -> SharedDomain {
    let get = |c: Option<Shown>| c.map(Shown::get);
    SharedDomain {
        mean_need: mean_of_histogram(counts.histogram.iter().map(|&h| get(h))).map(Derived),
        met_by_setting: met_from(get(counts.unmet_by_setting), get(counts.n)).map(Derived),
        ..counts
    }
}

/// Every count of a shared domain.
fn domain_counts(d: &SharedDomain) -> impl Iterator<Item = Option<Shown>> + '_ {
    [
        d.n,
        d.improved,
        d.stable,
        d.worsened,
        d.high_need,
        d.unmet_by_setting,
    ]
    .into_iter()
    .chain(d.histogram.iter().copied())
}

/// The §13 counts of a [`SharedGroup`]: `{"A": 5, …, "unbanded": 0}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedBands {
    /// Children per band, in band order.
    pub bands: Vec<(String, Option<Shown>)>,
    /// Current assessments without a band.
    pub unbanded: Option<Shown>,
}

impl SharedBands {
    fn counts(&self) -> impl Iterator<Item = Option<Shown>> + '_ {
        self.bands
            .iter()
            .map(|(_, n)| *n)
            .chain(std::iter::once(self.unbanded))
    }
}

impl Serialize for SharedBands {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            self.bands
                .iter()
                .map(|(k, v)| (k.as_str(), v))
                .chain(std::iter::once((crate::banding::UNBANDED, &self.unbanded))),
        )
    }
}

/// Rule 4's mean need: Σ j × h_j / Σ h_j over a shown histogram, null when
/// an entry is hidden or the sum is 0. Also how a shared summary read back is
/// checked ([`SummaryFile`](crate::SummaryFile)).
pub(crate) fn mean_of_histogram(histogram: impl Iterator<Item = Option<u64>>) -> Option<f64> {
    let (mut weighted, mut sum) = (0u64, 0u64);
    for (j, h) in histogram.enumerate() {
        let h = h?;
        weighted = weighted.saturating_add((j as u64).saturating_mul(h));
        sum = sum.saturating_add(h);
    }
    (sum > 0).then(|| weighted as f64 / sum as f64)
}

/// Rule 4's met by setting: 1 − unmet / n with shown counts, null when
/// either is hidden or n is 0.
pub(crate) fn met_from(unmet: Option<u64>, n: Option<u64>) -> Option<f64> {
    let (unmet, n) = (unmet?, n?);
    (n > 0).then(|| 1.0 - unmet as f64 / n as f64)
}

/// Rule 4's priorities: the domains with a shown unmet_by_setting above 0,
/// the most first, ties in §1 order; hidden ones left out.
pub(crate) fn priorities_from(unmet: PerDomain<Option<u64>>) -> Vec<Domain> {
    let mut out: Vec<(Domain, u64)> = unmet
        .iter()
        .filter_map(|(d, u)| u.filter(|&u| u > 0).map(|u| (d, u)))
        .collect();
    // A stable sort keeps §1 order on ties.
    out.sort_by_key(|&(_, u)| std::cmp::Reverse(u));
    out.into_iter().map(|(d, _)| d).collect()
}

/// §14 rules 2–3 on one group's exact counts. Nothing else of the group is
/// read: its means, shares and correlations never reach the shared group.
fn suppress_group(g: &GroupSummary, s: Suppression) -> SharedGroup {
    let domains = PerDomain::from_fn(|dom| {
        let x = &g.domains[dom];
        let triple = s.vector(&[x.improved, x.stable, x.worsened]);
        derive_figures(SharedDomain {
            n: s.single(x.n),
            histogram: s.vector(&x.histogram),
            improved: triple[0],
            stable: triple[1],
            worsened: triple[2],
            high_need: s.single(x.high_need),
            unmet_by_setting: s.single(x.unmet_by_setting),
            ..SharedDomain::default()
        })
    });
    let bands = g.banding.as_ref().map(|b| {
        let mut counts: Vec<u64> = b.bands.iter().map(|(_, n)| *n).collect();
        counts.push(b.unbanded);
        let mut shown = s.vector(&counts);
        let unbanded = shown.pop().flatten();
        SharedBands {
            bands: b
                .bands
                .iter()
                .zip(shown)
                .map(|((id, _), n)| (id.clone(), n))
                .collect(),
            unbanded,
        }
    });
    SharedGroup {
        children: s.single(g.children),
        assessments: s.single(g.assessments),
        overdue: s.single(g.overdue),
        domains,
        bands,
    }
}

impl Cohort<'_> {
    /// The cohort summary (§8, §12, §13) made safe to share (§14, MODEL 1.2):
    /// by-groups of fewer than K children merged into `<by>=other` from the
    /// children's own figures (and left out when still smaller than K);
    /// secondary suppression decided on the exact counts; every count shown
    /// as 0, null (1 to K − 1, or the secondary) or rounded to a positive
    /// multiple of B; `mean_need` and `met_by_setting` recomputed from the
    /// shown counts and every other mean, share, coverage, correlation and
    /// money figure null.
    ///
    /// This is the only way to make a [`SharedSummary`].
    ///
    /// ```
    /// use vsend_core::{AssessmentBuilder, Cohort, Domain, Framework, GroupBy, Suppression};
    /// let fw = Framework::default();
    /// let mut cohort = Cohort::new(&fw, None);
    /// for (child, setting) in [("C1", "S1"), ("C2", "S1"), ("C3", "S1"), ("C4", "S2")] {
    ///     let mut b = AssessmentBuilder::new(&fw);
    ///     b.child_id(child).assessed_on("2025-03-01").setting_id(setting).need("cl.literacy", "2");
    ///     cohort.add(&b.build().unwrap()).unwrap();
    /// }
    /// let shared = cohort.summary_suppressed(Some(GroupBy::SettingId), Suppression::new(3, None).unwrap());
    /// assert_eq!(shared.suppression.round_to(), 5);
    /// assert!(shared.group("setting_id=S2").is_none()); // 1 child: merged, still < 3, left out
    /// assert!(shared.group("setting_id=other").is_none());
    /// let s1 = shared.group("setting_id=S1").unwrap();
    /// assert_eq!(s1.domains[Domain::Cl].n.map(|n| n.get()), Some(5)); // 3, rounded to 5
    /// assert_eq!(s1.domains[Domain::Ci].n.map(|n| n.get()), Some(0)); // zero is never hidden
    /// assert_eq!(s1.domains[Domain::Cl].mean_need.map(|m| m.get()), Some(2.0));
    /// ```
    pub fn summary_suppressed(
        &self,
        by: Option<GroupBy>,
        suppression: Suppression,
    ) -> SharedSummary {
        let fw = self.framework();
        let groups = self
            .counted_groups(by, Some(suppression.min_count()))
            .into_iter()
            .map(|(name, g)| (name, suppress_group(&g, suppression)))
            .collect();
        SharedSummary {
            as_of: self.as_of(),
            framework_id: fw.id().to_owned(),
            framework_version: fw.version().to_owned(),
            suppression,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(xs: &[Option<Shown>]) -> Vec<Option<u64>> {
        xs.iter().map(|x| x.map(Shown::get)).collect()
    }

    #[test]
    fn rounding_is_to_the_nearest_multiple_halves_up_never_zero() {
        let s = Suppression::new(3, Some(5)).unwrap();
        let r = |c| s.rounded(c).get();
        assert_eq!(
            [r(0), r(1), r(3), r(7), r(8), r(12), r(13)],
            [0, 5, 5, 5, 10, 10, 15]
        );
        let s = Suppression::new(3, Some(4)).unwrap();
        assert_eq!(
            [s.rounded(5).get(), s.rounded(6).get()],
            [4, 8],
            "6 / 4 + 1/2 = 2"
        );
        assert_eq!(s.single(2), None);
        assert_eq!(s.single(3).map(Shown::get), Some(4));
        let huge = Suppression::new(2, Some(100)).unwrap().rounded(u64::MAX);
        assert_eq!(huge.get() % 100, 0, "no overflow to a non-multiple");
    }

    #[test]
    fn secondary_suppression_hides_a_second_entry_decided_on_exact_counts() {
        let s = Suppression::new(3, Some(5)).unwrap();
        assert_eq!(shown(&s.vector(&[1, 5, 6])), [None, None, Some(5)]);
        assert_eq!(
            shown(&s.vector(&[0, 4, 4, 2])),
            [Some(0), None, Some(5), None],
            "first on ties of the exact counts"
        );
        // 6 and 5 both round to 5; the exact 5 is the smaller.
        assert_eq!(shown(&s.vector(&[6, 5, 1])), [Some(5), None, None]);
        assert_eq!(
            shown(&s.vector(&[1, 2, 7])),
            [None, None, Some(5)],
            "two already: no more"
        );
        assert_eq!(shown(&s.vector(&[3, 0, 7])), [Some(5), Some(0), Some(5)]);
        assert_eq!(
            shown(&s.vector(&[2, 0, 0])),
            [None, Some(0), Some(0)],
            "nothing left to hide"
        );
    }

    #[test]
    fn options_are_checked() {
        assert_eq!(Suppression::new(1, None), Err(SuppressError::MinCount(1)));
        assert_eq!(
            Suppression::new(101, None),
            Err(SuppressError::MinCount(101))
        );
        assert_eq!(Suppression::new(3, Some(2)), Err(SuppressError::RoundTo(2)));
        assert_eq!(
            Suppression::new(3, Some(101)),
            Err(SuppressError::RoundTo(101))
        );
        assert_eq!(Suppression::new(100, None).unwrap().round_to(), 100);
        assert_eq!(Suppression::new(2, None).unwrap().round_to(), 5);
        assert!(SuppressError::RoundTo(2)
            .to_string()
            .contains("from 3 to 100"));
    }

    #[test]
    fn a_domain_derives_its_two_figures_from_what_it_shows() {
        let figures = |d: &SharedDomain| {
            let d = derive_figures(d.clone());
            (
                d.mean_need.map(Derived::get),
                d.met_by_setting.map(Derived::get),
            )
        };
        let d = SharedDomain {
            n: Some(Shown(10)),
            histogram: vec![Some(Shown(5)), Some(Shown(0)), Some(Shown(10))],
            unmet_by_setting: Some(Shown(5)),
            ..SharedDomain::default()
        };
        assert_eq!(figures(&d), (Some(20.0 / 15.0), Some(0.5)));
        let hidden = SharedDomain {
            histogram: vec![None, Some(Shown(5))],
            ..d.clone()
        };
        assert_eq!(figures(&hidden).0, None);
        let empty = SharedDomain {
            n: Some(Shown(0)),
            histogram: vec![Some(Shown(0)); 3],
            unmet_by_setting: Some(Shown(0)),
            ..SharedDomain::default()
        };
        assert_eq!(figures(&empty), (None, None));
    }
}
