//! §14 Suppression: a cohort summary made safe to share outside the council.
//!
//! The shared summary has its own types ([`SharedSummary`], [`SharedGroup`],
//! [`SharedDomain`]) rather than `Option` counts in [`CohortSummary`](crate::CohortSummary):
//! an unsuppressed count is never null, and the type says so; a shared count
//! may be, and its type says that. The two can then never be confused: code
//! that reads a count of a [`GroupSummary`](crate::GroupSummary) cannot meet a
//! hole, and a file written from a [`SharedSummary`] always carries its
//! `suppression` marker and every group its `suppressed` flag.
//!
//! **Limitation (rule 6).** The rules protect each group on its own. The
//! by-groups of one figure sum to `all`, so a count suppressed in exactly one
//! by-group can be found from `all` minus the others: publish either `all` or
//! the by-groups of one key, not both, when that matters.

use jiff::civil::Date;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::cohort::{Cohort, Denominators, GroupBy, GroupSummary};
use crate::domain::{Domain, PerDomain};

/// Why a summary could not be suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SuppressError {
    /// K below 2: suppressing counts below 1 would hide nothing.
    #[error("suppress {0}: the minimum count K must be at least 2")]
    MinCountTooSmall(u64),
}

/// The `suppression` object of a shared summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// K: no count from 1 to K − 1 is shown, no mean over fewer than K values.
    pub min_count: u64,
}

/// A cohort summary with §14 suppression applied: the §10 summary shape with
/// nullable counts, `"suppression": {"min_count": K}` and, per group,
/// `"suppressed"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedSummary {
    /// The date summarised as of.
    pub as_of: Option<Date>,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// The K applied.
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

/// One group of a [`SharedSummary`]: `None` is a suppressed (or, for means,
/// undefined) value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedGroup {
    /// Children (suppressed only in `all`; other groups have at least K).
    pub children: Option<u64>,
    /// Their assessments on or before as_of.
    pub assessments: Option<u64>,
    /// Children whose review is overdue.
    pub overdue: Option<u64>,
    /// Per-domain figures.
    #[serde(flatten)]
    pub domains: PerDomain<SharedDomain>,
    /// §12 priorities; left out when any `unmet_by_setting` is suppressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priorities: Option<Vec<Domain>>,
    /// Mean need index, null over fewer than K complete assessments.
    pub mean_need_index: Option<f64>,
    /// Mean setting coverage, null over fewer than K values.
    pub mean_setting_coverage: Option<f64>,
    /// Mean family coverage, null over fewer than K values.
    pub mean_family_coverage: Option<f64>,
    /// The need correlation; all null when fewer than K complete assessments.
    pub need_correlation: [[Option<f64>; 5]; 5],
    /// `bands` and `top_up_total`, when the framework has banding (§13).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub banding: Option<SharedBands>,
    /// Whether any value of the group was nulled by suppression.
    pub suppressed: bool,
}

/// The per-domain figures of a [`SharedGroup`].
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SharedDomain {
    /// Current assessments with a known need.
    pub n: Option<u64>,
    /// Mean need.
    pub mean_need: Option<f64>,
    /// Count per level.
    pub histogram: Vec<Option<u64>>,
    /// Share met by the setting.
    pub met_by_setting: Option<f64>,
    /// Share met by the family.
    pub met_by_family: Option<f64>,
    /// Mean setting gap.
    pub mean_setting_gap: Option<f64>,
    /// Improved since the previous review.
    pub improved: Option<u64>,
    /// Stable.
    pub stable: Option<u64>,
    /// Worsened.
    pub worsened: Option<u64>,
    /// Mean need change.
    pub mean_delta_need: Option<f64>,
    /// Children with need ≥ high_need_level.
    pub high_need: Option<u64>,
    /// Children whose need the setting does not meet.
    pub unmet_by_setting: Option<u64>,
    /// Share whose planned readiness meets the need.
    pub planned_met_by_setting: Option<f64>,
}

/// The §13 figures of a [`SharedGroup`].
#[derive(Debug, Clone, PartialEq)]
pub struct SharedBands {
    /// Children per band, in band order.
    pub bands: Vec<(String, Option<u64>)>,
    /// Current assessments without a band.
    pub unbanded: Option<u64>,
    /// Σ top_up, null over fewer than K banded assessments.
    pub top_up_total: Option<f64>,
}

impl Serialize for SharedBands {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Counts<'a>(&'a SharedBands);
        impl Serialize for Counts<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let b = self.0;
                s.collect_map(
                    b.bands
                        .iter()
                        .map(|(k, v)| (k.as_str(), v))
                        .chain(std::iter::once((crate::banding::UNBANDED, &b.unbanded))),
                )
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("bands", &Counts(self))?;
        m.serialize_entry("top_up_total", &self.top_up_total)?;
        m.end()
    }
}

/// Applies rules 2–4 to one group, tracking whether anything was nulled.
struct Suppressor {
    k: u64,
    nulled: bool,
}

impl Suppressor {
    /// Rule 2: a count from 1 to K − 1 becomes null; zero never does.
    fn count(&mut self, x: u64) -> Option<u64> {
        if (1..self.k).contains(&x) {
            self.nulled = true;
            None
        } else {
            Some(x)
        }
    }

    /// Rule 3: a mean over fewer than K values becomes null.
    fn mean(&mut self, x: Option<f64>, over: u64) -> Option<f64> {
        if over < self.k {
            self.nulled |= x.is_some();
            None
        } else {
            x
        }
    }

    /// Rules 2 and 4 on one set of counts that sum to a total: when exactly
    /// one entry is suppressed, the smallest remaining non-zero entry (the
    /// first on ties) is suppressed too.
    fn counts(&mut self, xs: &[u64]) -> Vec<Option<u64>> {
        let mut out: Vec<Option<u64>> = xs.iter().map(|&x| self.count(x)).collect();
        if out.iter().filter(|x| x.is_none()).count() == 1 {
            let smallest = out
                .iter()
                .enumerate()
                .filter_map(|(i, x)| x.filter(|&x| x > 0).map(|x| (x, i)))
                .min();
            if let Some((_, i)) = smallest {
                out[i] = None;
            }
        }
        out
    }
}

/// §14 rules 2–5 on one group's figures.
fn suppress_group(g: &GroupSummary, d: &Denominators, k: u64) -> SharedGroup {
    let mut s = Suppressor { k, nulled: false };
    let domains = PerDomain::from_fn(|dom| {
        let x = &g.domains[dom];
        let n = &d.domains[dom];
        let triple = s.counts(&[x.improved, x.stable, x.worsened]);
        SharedDomain {
            n: s.count(x.n),
            mean_need: s.mean(x.mean_need, n.need),
            histogram: s.counts(&x.histogram),
            met_by_setting: s.mean(x.met_by_setting, n.met_by_setting),
            met_by_family: s.mean(x.met_by_family, n.met_by_family),
            mean_setting_gap: s.mean(x.mean_setting_gap, n.setting_gap),
            improved: triple[0],
            stable: triple[1],
            worsened: triple[2],
            mean_delta_need: s.mean(x.mean_delta_need, n.delta_need),
            high_need: s.count(x.high_need),
            unmet_by_setting: s.count(x.unmet_by_setting),
            planned_met_by_setting: s.mean(x.planned_met_by_setting, n.planned),
        }
    });
    let any_unmet_hidden = domains.iter().any(|(_, x)| x.unmet_by_setting.is_none());
    let need_correlation = if d.complete < k {
        s.nulled |= g.need_correlation.iter().flatten().any(Option::is_some);
        [[None; 5]; 5]
    } else {
        g.need_correlation
    };
    let banding = g.banding.as_ref().map(|b| {
        let mut counts: Vec<u64> = b.bands.iter().map(|(_, n)| *n).collect();
        counts.push(b.unbanded);
        let mut shown = s.counts(&counts);
        let unbanded = shown.pop().flatten();
        SharedBands {
            bands: b
                .bands
                .iter()
                .zip(shown)
                .map(|((id, _), n)| (id.clone(), n))
                .collect(),
            unbanded,
            top_up_total: s.mean(b.top_up_total, d.banded),
        }
    });
    SharedGroup {
        children: s.count(g.children),
        assessments: s.count(g.assessments),
        overdue: s.count(g.overdue),
        domains,
        priorities: (!any_unmet_hidden).then(|| g.priorities.clone()),
        mean_need_index: s.mean(g.mean_need_index, d.need_index),
        mean_setting_coverage: s.mean(g.mean_setting_coverage, d.setting_coverage),
        mean_family_coverage: s.mean(g.mean_family_coverage, d.family_coverage),
        need_correlation,
        banding,
        suppressed: s.nulled,
    }
}

impl Cohort<'_> {
    /// The cohort summary (§8, §12, §13) with §14 suppression at `min_count`
    /// K ≥ 2: small groups merged into `<by>=other` from the children's own
    /// figures (and left out when still smaller than K), counts from 1 to
    /// K − 1 and means over fewer than K values nulled, secondary suppression
    /// within each histogram, change triple and bands map.
    ///
    /// The rules protect each group on its own (rule 6): publish either `all`
    /// or the by-groups of one key, not both, when a count suppressed in one
    /// by-group must not be found as `all` minus the others.
    ///
    /// ```
    /// use vsend_core::{AssessmentBuilder, Cohort, Framework, GroupBy};
    /// let fw = Framework::default();
    /// let mut cohort = Cohort::new(&fw, None);
    /// for (child, setting) in [("C1", "S1"), ("C2", "S1"), ("C3", "S1"), ("C4", "S2")] {
    ///     let mut b = AssessmentBuilder::new(&fw);
    ///     b.child_id(child).assessed_on("2025-03-01").setting_id(setting).need("cl.literacy", "2");
    ///     cohort.add(&b.build().unwrap()).unwrap();
    /// }
    /// let shared = cohort.summary_suppressed(Some(GroupBy::SettingId), 3).unwrap();
    /// assert_eq!(shared.suppression.min_count, 3);
    /// assert!(shared.group("setting_id=S2").is_none()); // 1 child: merged, still < 3, left out
    /// assert!(shared.group("setting_id=other").is_none());
    /// let s1 = shared.group("setting_id=S1").unwrap();
    /// assert_eq!(s1.domains[vsend_core::Domain::Cl].n, Some(3));
    /// assert_eq!(s1.domains[vsend_core::Domain::Ci].n, Some(0)); // zero is never suppressed
    /// assert!(cohort.summary_suppressed(None, 1).is_err());
    /// ```
    pub fn summary_suppressed(
        &self,
        by: Option<GroupBy>,
        min_count: u64,
    ) -> Result<SharedSummary, SuppressError> {
        if min_count < 2 {
            return Err(SuppressError::MinCountTooSmall(min_count));
        }
        let fw = self.framework();
        let groups = self
            .counted_groups(by, Some(min_count))
            .into_iter()
            .map(|(name, g, d)| (name, suppress_group(&g, &d, min_count)))
            .collect();
        Ok(SharedSummary {
            as_of: self.as_of(),
            framework_id: fw.id().to_owned(),
            framework_version: fw.version().to_owned(),
            suppression: Suppression { min_count },
            groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_suppression_hides_a_second_entry() {
        let mut s = Suppressor {
            k: 3,
            nulled: false,
        };
        assert_eq!(s.counts(&[1, 5, 6]), [None, None, Some(6)]);
        assert_eq!(
            s.counts(&[0, 4, 4, 2]),
            [Some(0), None, Some(4), None],
            "first on ties"
        );
        assert_eq!(
            s.counts(&[1, 2, 7]),
            [None, None, Some(7)],
            "two already: no more"
        );
        assert_eq!(s.counts(&[3, 0, 7]), [Some(3), Some(0), Some(7)]);
        assert_eq!(
            s.counts(&[2, 0, 0]),
            [None, Some(0), Some(0)],
            "nothing left to hide"
        );
        let mut s = Suppressor {
            k: 3,
            nulled: false,
        };
        assert_eq!(s.counts(&[0, 3]), [Some(0), Some(3)]);
        assert!(!s.nulled);
        assert_eq!(s.mean(None, 0), None);
        assert!(!s.nulled, "a mean over none was never shown");
        assert_eq!(s.mean(Some(1.0), 2), None);
        assert!(s.nulled);
    }
}
