//! §8 Cohort: many children's assessments summarised as of a date.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use nalgebra::{Matrix5, Vector5};
use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::banding::BandResult;
use crate::domain::{Domain, DomainVector, PerDomain};
use crate::framework::Framework;
use crate::history::{Histories, Keep};
use crate::score::{score, AgeBand, Scores};
use crate::timeline::{is_overdue, Change, Duplicate};

/// How a cohort summary is split into groups (§8), besides the whole cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// By the current assessment's `setting_id`.
    SettingId,
    /// By the current assessment's age band (§6).
    AgeBand,
    /// By the current assessment's primary domain (§5).
    PrimaryDomain,
}

impl GroupBy {
    /// The key used in group names and on the command line.
    pub const fn key(self) -> &'static str {
        match self {
            GroupBy::SettingId => "setting_id",
            GroupBy::AgeBand => "age_band",
            GroupBy::PrimaryDomain => "primary_domain",
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [GroupBy::SettingId, GroupBy::AgeBand, GroupBy::PrimaryDomain]
            .into_iter()
            .find(|g| g.key() == s)
            .ok_or_else(|| {
                format!("{s:?} is not a grouping; allowed: setting_id, age_band, primary_domain")
            })
    }
}

/// A cohort being built, one assessment at a time, in any order.
///
/// It keeps, per child, the two latest assessments on or before `as_of` and
/// the review dates seen (a [`Histories`] with [`Keep::CurrentAndPrevious`]),
/// so memory grows with the number of children, not with the number of rows.
///
/// ```
/// use vsend_core::{AssessmentBuilder, Cohort, Framework, GroupBy};
/// let fw = Framework::default();
/// let mut cohort = Cohort::new(&fw, None);
/// for (child, setting, level) in [("C1", "S1", "3"), ("C2", "S1", "1"), ("C3", "S2", "2")] {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on("2025-03-01").setting_id(setting).need("cl.literacy", level);
///     cohort.add(&b.build().unwrap()).unwrap();
/// }
/// let summary = cohort.summary(Some(GroupBy::SettingId));
/// let s1 = summary.group("setting_id=S1").unwrap();
/// assert_eq!(s1.children, 2);
/// assert_eq!(s1.domains[vsend_core::Domain::Cl].mean_need, Some(2.0));
/// ```
#[derive(Debug, Clone)]
pub struct Cohort<'f> {
    framework: &'f Framework,
    histories: Histories,
}

impl<'f> Cohort<'f> {
    /// An empty cohort. With `as_of` `None`, the summary is as of the latest
    /// `assessed_on` added.
    pub fn new(framework: &'f Framework, as_of: Option<Date>) -> Self {
        Cohort {
            framework,
            histories: Histories::new(Keep::CurrentAndPrevious { as_of }),
        }
    }

    /// Adds one assessment. A second assessment of a child on a date already
    /// seen is rejected (§7) and changes nothing; assessments after `as_of` are
    /// accepted but do not count.
    pub fn add(&mut self, a: &Assessment) -> Result<(), Duplicate> {
        self.histories.add(a)
    }

    /// The date the summary is as of: the one given, else the latest added.
    pub fn as_of(&self) -> Option<Date> {
        self.histories.as_of()
    }

    /// Children with at least one assessment on or before `as_of`.
    pub fn children(&self) -> usize {
        let as_of = self.as_of();
        self.histories
            .children()
            .filter(|h| h.current(as_of).is_some())
            .count()
    }

    /// Summarises the cohort (§8): the group `all`, plus one group per value of
    /// `by` when given (a missing value forms the group `unknown`).
    pub fn summary(&self, by: Option<GroupBy>) -> CohortSummary {
        let groups = self.counted_groups(by, None).into_iter().collect();
        CohortSummary {
            as_of: self.as_of(),
            framework_id: self.framework.id().to_owned(),
            framework_version: self.framework.version().to_owned(),
            groups: Groups(groups),
        }
    }

    /// The framework the cohort is read against.
    pub fn framework(&self) -> &'f Framework {
        self.framework
    }

    /// The children's histories (§7), as of [`as_of`](Self::as_of).
    pub fn histories(&self) -> &Histories {
        &self.histories
    }

    /// The groups of a summary, `all` first.
    ///
    /// With `merge_below = Some(k)`, groups other than `all` with fewer than
    /// `k` children are summed, from the children's figures, into one group
    /// `<by>=other` (§14 rule 1), listed last; it is left out when it still
    /// has fewer than `k` children. A real group named `<by>=other` joins it.
    pub(crate) fn counted_groups(
        &self,
        by: Option<GroupBy>,
        merge_below: Option<u64>,
    ) -> Vec<(String, GroupSummary)> {
        let fw = self.framework;
        let as_of = self.as_of();
        let mut children = Vec::new();
        for history in self.histories.children() {
            let Some(current) = history.current(as_of) else {
                continue;
            };
            let scores = score(fw, current);
            let child = ChildFigures {
                band: fw.banding().and_then(|b| b.band(&scores.need)),
                scores,
                planned: PerDomain(
                    current
                        .readiness_planned()
                        .0
                        .map(|l| l.map(|l| f64::from(l.get()))),
                ),
                previous_need: history.previous(as_of).map(|p| score(fw, p).need),
                assessments: history.count_on_or_before(as_of) as u64,
                overdue: as_of.is_some_and(|as_of| is_overdue(fw, current.assessed_on(), as_of)),
            };
            let key = by.map(|by| {
                let value = match by {
                    GroupBy::SettingId => current.setting_id().map(|s| s.as_str()),
                    GroupBy::AgeBand => child.scores.age_band.map(AgeBand::key),
                    GroupBy::PrimaryDomain => child
                        .scores
                        .whole
                        .and_then(|w| w.primary_domain)
                        .map(Domain::key),
                };
                format!("{}={}", by.key(), value.unwrap_or("unknown"))
            });
            children.push((key, child));
        }
        let mut sizes: BTreeMap<&str, u64> = BTreeMap::new();
        for (key, _) in &children {
            if let Some(key) = key {
                *sizes.entry(key).or_default() += 1;
            }
        }
        let other = by.map(|by| format!("{}=other", by.key()));
        let merged = |key: &str| {
            merge_below.is_some_and(|k| sizes[key] < k || Some(key) == other.as_deref())
        };
        let mut all = GroupAccumulator::new(fw);
        let mut groups: BTreeMap<&str, GroupAccumulator> = BTreeMap::new();
        let mut rest = GroupAccumulator::new(fw);
        for (key, child) in &children {
            all.add(child);
            if let Some(key) = key {
                if merged(key) {
                    rest.add(child);
                } else {
                    groups
                        .entry(key)
                        .or_insert_with(|| GroupAccumulator::new(fw))
                        .add(child);
                }
            }
        }
        let finish = |name: &str, acc: GroupAccumulator| (name.to_owned(), acc.finish());
        let mut out = vec![finish("all", all)];
        out.extend(groups.into_iter().map(|(k, g)| finish(k, g)));
        if let (Some(k), Some(other)) = (merge_below, &other) {
            if rest.children > 0 && rest.children >= k {
                out.push(finish(other, rest));
            }
        }
        out
    }
}

/// What a group takes from one child: the scores of the current review and
/// what §8 needs of the rest of the history.
struct ChildFigures {
    scores: Scores,
    /// The §13 band of the current review, when complete under a banding rule.
    band: Option<BandResult>,
    /// The setting's planned readiness per domain (§12).
    planned: PerDomain<Option<f64>>,
    previous_need: Option<DomainVector>,
    assessments: u64,
    overdue: bool,
}

/// A running mean that is `None` over an empty set.
#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    sum: f64,
    n: u64,
}

impl Mean {
    fn add(&mut self, x: Option<f64>) {
        if let Some(x) = x {
            self.sum += x;
            self.n += 1;
        }
    }
    fn get(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// A running share of `true` among known values, `None` over an empty set.
#[derive(Debug, Clone, Copy, Default)]
struct Share {
    yes: u64,
    n: u64,
}

impl Share {
    fn add(&mut self, x: Option<bool>) {
        if let Some(x) = x {
            self.yes += u64::from(x);
            self.n += 1;
        }
    }
    fn get(self) -> Option<f64> {
        (self.n > 0).then(|| self.yes as f64 / self.n as f64)
    }
}

#[derive(Debug, Clone, Default)]
struct DomainAccumulator {
    need: Mean,
    histogram: Vec<u64>,
    met_by_setting: Share,
    met_by_family: Share,
    setting_gap: Mean,
    changes: [u64; 3],
    delta_need: Mean,
    readiness: Mean,
    confidence: Mean,
    high_need: u64,
    unmet_by_setting: u64,
    planned_met_by_setting: Share,
}

/// Pearson correlation by Welford's co-moment update: one pass, stable.
#[derive(Debug, Clone, Default)]
struct Correlation {
    n: u64,
    mean: Vector5<f64>,
    comoment: Matrix5<f64>,
}

impl Correlation {
    fn add(&mut self, x: &Vector5<f64>) {
        self.n += 1;
        let before = x - self.mean;
        self.mean += before / self.n as f64;
        let after = x - self.mean;
        self.comoment += before * after.transpose();
    }

    fn matrix(&self) -> [[Option<f64>; 5]; 5] {
        let c = &self.comoment;
        std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let (vi, vj) = (c[(i, i)], c[(j, j)]);
                if self.n < 2 || vi <= 0.0 || vj <= 0.0 {
                    None
                } else if i == j {
                    Some(1.0)
                } else {
                    // One triangle for both halves, so the matrix is exactly symmetric.
                    let cij = c[(i.min(j), i.max(j))];
                    Some((cij / (vi * vj).sqrt()).clamp(-1.0, 1.0))
                }
            })
        })
    }
}

struct GroupAccumulator<'f> {
    framework: &'f Framework,
    children: u64,
    assessments: u64,
    overdue: u64,
    domains: PerDomain<DomainAccumulator>,
    need_index: Mean,
    setting_coverage: Mean,
    family_coverage: Mean,
    correlation: Correlation,
    /// Children per band (§13), then the unbanded.
    bands: Vec<u64>,
    unbanded: u64,
    top_up: f64,
}

impl<'f> GroupAccumulator<'f> {
    fn new(framework: &'f Framework) -> Self {
        let levels = usize::from(framework.scale().max_level()) + 1;
        GroupAccumulator {
            framework,
            children: 0,
            assessments: 0,
            overdue: 0,
            domains: PerDomain::from_fn(|_| DomainAccumulator {
                histogram: vec![0; levels],
                ..DomainAccumulator::default()
            }),
            need_index: Mean::default(),
            setting_coverage: Mean::default(),
            family_coverage: Mean::default(),
            correlation: Correlation::default(),
            bands: vec![0; framework.banding().map_or(0, |b| b.bands().len())],
            unbanded: 0,
            top_up: 0.0,
        }
    }

    fn add(&mut self, child: &ChildFigures) {
        let fw = self.framework;
        let current = &child.scores;
        self.children += 1;
        self.assessments += child.assessments;
        self.overdue += u64::from(child.overdue);
        let delta = child.previous_need.map(|p| current.need.minus(&p));
        for d in Domain::ALL {
            let acc = &mut self.domains[d];
            if let Some(need) = current.need.get(d) {
                acc.need.add(Some(need));
                // A mean-aggregated need is counted at its floor (§8).
                let bin = (need.floor().max(0.0) as usize).min(acc.histogram.len() - 1);
                acc.histogram[bin] += 1;
                acc.high_need += u64::from(need >= f64::from(fw.high_need_level()));
                acc.planned_met_by_setting
                    .add(child.planned[d].map(|planned| planned >= need));
            }
            acc.unmet_by_setting += u64::from(current.setting_gap.get(d).is_some_and(|g| g < 0.0));
            acc.met_by_setting
                .add(current.setting_gap.get(d).map(|g| g >= 0.0));
            acc.met_by_family
                .add(current.family_gap.get(d).map(|g| g >= 0.0));
            acc.setting_gap.add(current.setting_gap.get(d));
            acc.readiness.add(current.readiness.get(d));
            acc.confidence.add(current.confidence.get(d));
            if let Some(delta) = delta.and_then(|v| v.get(d)) {
                let class = Change::of_need(delta, fw.meaningful_change());
                acc.changes[class as usize] += 1;
                acc.delta_need.add(Some(delta));
            }
        }
        let whole = current.whole.as_ref();
        self.need_index.add(whole.map(|w| w.need_index));
        self.setting_coverage
            .add(whole.and_then(|w| w.setting_coverage));
        self.family_coverage
            .add(whole.and_then(|w| w.family_coverage));
        if current.need.is_complete() {
            self.correlation.add(current.need.vector());
        }
        match child.band {
            Some(b) => {
                self.bands[b.band] += 1;
                self.top_up += b.top_up.unwrap_or(0.0);
            }
            None => self.unbanded += 1,
        }
    }

    fn finish(self) -> GroupSummary {
        let fw = self.framework;
        let banding = fw.banding().map(|b| GroupBands {
            bands: b
                .bands()
                .iter()
                .zip(&self.bands)
                .map(|(band, &n)| (band.id().to_owned(), n))
                .collect(),
            unbanded: self.unbanded,
            top_up_total: b.has_top_up().then_some(self.top_up),
        });
        let domains = PerDomain(self.domains.0.map(|acc| DomainSummary {
            n: acc.need.n,
            mean_need: acc.need.get(),
            histogram: acc.histogram,
            met_by_setting: acc.met_by_setting.get(),
            met_by_family: acc.met_by_family.get(),
            mean_setting_gap: acc.setting_gap.get(),
            improved: acc.changes[Change::Improved as usize],
            stable: acc.changes[Change::Stable as usize],
            worsened: acc.changes[Change::Worsened as usize],
            mean_delta_need: acc.delta_need.get(),
            high_need: acc.high_need,
            unmet_by_setting: acc.unmet_by_setting,
            unmet_by_family: acc.met_by_family.n - acc.met_by_family.yes,
            planned_met_by_setting: acc.planned_met_by_setting.get(),
            mean_readiness: acc.readiness.get(),
            mean_confidence: acc.confidence.get(),
        }));
        GroupSummary {
            priorities: priorities(&domains),
            children: self.children,
            assessments: self.assessments,
            overdue: self.overdue,
            domains,
            mean_need_index: self.need_index.get(),
            mean_setting_coverage: self.setting_coverage.get(),
            mean_family_coverage: self.family_coverage.get(),
            need_correlation: self.correlation.matrix(),
            banding,
        }
    }
}

/// The §12 priorities of a group: domains with children whose need the setting
/// does not meet, most such children first, then the most negative mean
/// setting gap, then §1 order.
fn priorities(domains: &PerDomain<DomainSummary>) -> Vec<Domain> {
    let mut out: Vec<Domain> = Domain::ALL
        .into_iter()
        .filter(|&d| domains[d].unmet_by_setting > 0)
        .collect();
    // A stable sort keeps §1 order for full ties.
    out.sort_by(|&a, &b| {
        let (a, b) = (&domains[a], &domains[b]);
        b.unmet_by_setting.cmp(&a.unmet_by_setting).then_with(|| {
            let gap = |s: &DomainSummary| s.mean_setting_gap.unwrap_or(0.0);
            gap(a).total_cmp(&gap(b))
        })
    });
    out
}

/// The §8 and §12 figures of one domain within a group.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DomainSummary {
    /// Current assessments with a known need.
    pub n: u64,
    /// Mean need over those.
    pub mean_need: Option<f64>,
    /// Count per level `0..=max_level` (mean needs at their floor).
    pub histogram: Vec<u64>,
    /// Share of children with need and readiness known whose need the setting meets.
    pub met_by_setting: Option<f64>,
    /// Share of children with need and confidence known whose need the family meets.
    pub met_by_family: Option<f64>,
    /// Mean setting gap where known.
    pub mean_setting_gap: Option<f64>,
    /// Children with a previous assessment whose need improved.
    pub improved: u64,
    /// ... stayed stable.
    pub stable: u64,
    /// ... worsened.
    pub worsened: u64,
    /// Mean need change since the previous assessment.
    pub mean_delta_need: Option<f64>,
    /// Children whose need is at or above the framework's high need level (§12).
    pub high_need: u64,
    /// Children with need and readiness known whose need the setting does not meet (§12).
    pub unmet_by_setting: u64,
    /// Share of children with need and planned readiness known whose planned
    /// readiness meets the need (§12).
    pub planned_met_by_setting: Option<f64>,
    /// Children with need and confidence known whose need the family does not
    /// meet (for the cohort radar, which marks setting and family alike in
    /// children). Not part of the §10 file shape.
    #[serde(skip)]
    pub unmet_by_family: u64,
    /// Mean readiness over current assessments where known (for the cohort
    /// radar). Not part of the §10 file shape.
    #[serde(skip)]
    pub mean_readiness: Option<f64>,
    /// Mean family confidence where known (for the cohort radar). Not part of
    /// the §10 file shape.
    #[serde(skip)]
    pub mean_confidence: Option<f64>,
}

/// The §8 summary of one group of children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// Children with a current assessment.
    pub children: u64,
    /// Their assessments on or before as_of.
    pub assessments: u64,
    /// Children whose review is overdue as_of.
    pub overdue: u64,
    /// Per-domain figures, keyed by domain in JSON.
    #[serde(flatten)]
    pub domains: PerDomain<DomainSummary>,
    /// Domains where the setting falls short, most pressing first (§12).
    pub priorities: Vec<Domain>,
    /// Mean need index over complete current assessments.
    pub mean_need_index: Option<f64>,
    /// Mean setting coverage where defined.
    pub mean_setting_coverage: Option<f64>,
    /// Mean family coverage where defined.
    pub mean_family_coverage: Option<f64>,
    /// Pearson correlation of domain needs over complete current assessments,
    /// rows and columns in §1 order; `None` for zero variance or n < 2.
    pub need_correlation: [[Option<f64>; 5]; 5],
    /// `bands` and `top_up_total` (§13): present exactly when the framework
    /// has banding, so summaries of other frameworks keep their §10 shape.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub banding: Option<GroupBands>,
}

/// The §13 figures of a group: `{"bands": {"A": 1, …, "unbanded": 0},
/// "top_up_total": …}` in JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBands {
    /// Children per band, in band order, as `(band id, count)`.
    pub bands: Vec<(String, u64)>,
    /// Current assessments that are not complete, so have no band.
    pub unbanded: u64,
    /// Σ top_up over current assessments with a band; `None` when no band
    /// of the framework has a top-up.
    pub top_up_total: Option<f64>,
}

impl Serialize for GroupBands {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Counts<'a>(&'a GroupBands);
        impl Serialize for Counts<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let b = self.0;
                let unbanded = ("unbanded", &b.unbanded);
                s.collect_map(
                    b.bands
                        .iter()
                        .map(|(k, v)| (k.as_str(), v))
                        .chain(std::iter::once(unbanded)),
                )
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("bands", &Counts(self))?;
        m.serialize_entry("top_up_total", &self.top_up_total)?;
        m.end()
    }
}

/// Named groups in output order: `all` first, then by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups(pub Vec<(String, GroupSummary)>);

impl Serialize for Groups {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// The cohort summary file of §10.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortSummary {
    /// The date summarised as of; `None` for an empty cohort with no date given.
    pub as_of: Option<Date>,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// `all`, then `<key>=<value>` groups.
    pub groups: Groups,
}

impl CohortSummary {
    /// The group with this name (`all`, `setting_id=S0001`, ...).
    pub fn group(&self, name: &str) -> Option<&GroupSummary> {
        self.groups
            .0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, g)| g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_date, AssessmentBuilder};

    fn add(c: &mut Cohort, child: &str, on: &str, needs: [&str; 5]) -> Result<(), Duplicate> {
        let fw = c.framework;
        let mut b = AssessmentBuilder::new(fw);
        b.child_id(child).assessed_on(on);
        for (d, level) in Domain::ALL.into_iter().zip(needs) {
            b.need(fw.areas_of(d)[0].key(), level).readiness(d, "2");
        }
        c.add(&b.build().unwrap())
    }

    #[test]
    fn empty_cohort_is_well_defined() {
        let fw = Framework::default();
        let s = Cohort::new(&fw, None).summary(Some(GroupBy::AgeBand));
        assert_eq!(s.as_of, None);
        assert_eq!(s.groups.0.len(), 1);
        let all = s.group("all").unwrap();
        assert_eq!((all.children, all.assessments, all.overdue), (0, 0, 0));
        assert_eq!(all.domains[Domain::Cl].mean_need, None);
        assert_eq!(all.domains[Domain::Cl].histogram, [0; 5]);
        assert_eq!(all.mean_need_index, None);
        assert_eq!(all.need_correlation, [[None; 5]; 5]);
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("NaN"));
        assert_eq!(all.domains[Domain::Cl].mean_readiness, None);
    }

    #[test]
    fn single_child_has_means_but_no_correlation() {
        let fw = Framework::default();
        let mut c = Cohort::new(&fw, None);
        add(&mut c, "C1", "2025-01-01", ["1", "2", "3", "4", "0"]).unwrap();
        let s = c.summary(None);
        let all = s.group("all").unwrap();
        assert_eq!(all.children, 1);
        assert_eq!(all.domains[Domain::Sp].mean_need, Some(3.0));
        assert_eq!(all.domains[Domain::Sp].histogram, [0, 0, 0, 1, 0]);
        assert_eq!(all.domains[Domain::Sp].met_by_setting, Some(0.0));
        assert_eq!(
            all.domains[Domain::Sp].improved + all.domains[Domain::Sp].stable,
            0
        );
        assert_eq!(all.domains[Domain::Sp].mean_delta_need, None);
        assert_eq!(all.need_correlation, [[None; 5]; 5]);
        assert_eq!(all.mean_need_index, Some(50.0));
        assert_eq!(all.domains[Domain::Sp].mean_readiness, Some(2.0));
        assert_eq!(all.domains[Domain::Sp].mean_confidence, None);
    }

    #[test]
    fn current_and_previous_are_the_latest_two_on_or_before_as_of() {
        let fw = Framework::default();
        let mut c = Cohort::new(&fw, parse_date("2025-03-01"));
        add(&mut c, "C1", "2025-02-01", ["3", "0", "0", "0", "0"]).unwrap();
        add(&mut c, "C1", "2025-06-01", ["4", "0", "0", "0", "0"]).unwrap(); // after as_of
        add(&mut c, "C1", "2024-06-01", ["0", "0", "0", "0", "0"]).unwrap(); // older than previous
        add(&mut c, "C1", "2024-10-01", ["1", "0", "0", "0", "0"]).unwrap();
        assert!(add(&mut c, "C1", "2024-10-01", ["4", "4", "4", "4", "4"]).is_err());
        let s = c.summary(None);
        let all = s.group("all").unwrap();
        assert_eq!(all.assessments, 3);
        let cl = &all.domains[Domain::Cl];
        assert_eq!(cl.mean_need, Some(3.0));
        assert_eq!((cl.improved, cl.stable, cl.worsened), (0, 0, 1));
        assert_eq!(cl.mean_delta_need, Some(2.0));
        assert_eq!(all.overdue, 0);
        assert_eq!(s.as_of, parse_date("2025-03-01"));
    }

    #[test]
    fn groups_and_correlation() {
        let fw = Framework::default();
        let mut c = Cohort::new(&fw, None);
        add(&mut c, "C1", "2025-01-01", ["1", "2", "0", "4", "1"]).unwrap();
        add(&mut c, "C2", "2025-01-01", ["2", "4", "0", "3", "1"]).unwrap();
        add(&mut c, "C3", "2025-01-01", ["3", "3", "0", "1", "1"]).unwrap();
        let s = c.summary(Some(GroupBy::PrimaryDomain));
        let names: Vec<_> = s.groups.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "all",
                "primary_domain=ci",
                "primary_domain=cl",
                "primary_domain=semh"
            ]
        );
        let r = s.group("all").unwrap().need_correlation;
        assert_eq!(r[0][0], Some(1.0));
        assert!((r[0][1].unwrap() - 0.5).abs() < 1e-12, "{:?}", r[0][1]);
        assert!((r[0][3].unwrap() + 0.9819805060619657).abs() < 1e-12);
        assert_eq!(r[0][3], r[3][0]);
        assert_eq!(r[2], [None; 5], "sp has zero variance");
        assert_eq!(r[4][4], None);
    }
}
