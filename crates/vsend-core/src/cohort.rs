//! §8 Cohort: many children's assessments summarised as of a date.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use nalgebra::{Matrix5, Vector5};
use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::banding::BandResult;
use crate::domain::{Domain, DomainVector, PerDomain};
use crate::framework::{Framework, Level};
use crate::ids::ChildId;
use crate::score::{AgeBand, NeedLevels, ReviewLevels, Scores};
use crate::seen::{ChildIndex, SeenDates};
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
/// It keeps, per child, what the summaries read of the latest review on or
/// before `as_of` (its levels, planned readiness and setting: some 60 bytes,
/// not the whole assessment), the need of the review before it, the number
/// of reviews, and the review dates for §7's rule ([`SeenDates`]): memory
/// grows with the number of children, some 150 bytes each, not with the
/// number of rows.
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
    /// The date given, if any.
    as_of: Option<Date>,
    /// The latest review date added that counts (on or before `as_of`).
    latest: Option<Date>,
    /// The §7 rule, which also numbers the children in first-seen order.
    seen: SeenDates,
    /// What is kept of each child, by that number.
    children: Vec<ChildReviews>,
    /// The setting IDs of current reviews, each kept once.
    settings: ChildIndex,
}

/// What a cohort keeps of one child (§8): the current review (the latest on
/// or before the cohort's date), the need of the one before, and how many
/// reviews count.
#[derive(Debug, Clone, Copy, Default)]
struct ChildReviews {
    current: Option<Current>,
    previous: Option<Previous>,
    /// Reviews on or before the cohort's date.
    counted: u32,
}

/// The current review as the summaries read it.
#[derive(Debug, Clone, Copy)]
struct Current {
    levels: ReviewLevels,
    planned: PerDomain<Option<Level>>,
    /// The setting, in [`Cohort::settings`]; [`NO_SETTING`] when not given.
    setting: u32,
}

/// No setting given, in [`Current::setting`].
const NO_SETTING: u32 = u32::MAX;

/// The review before the current one: what its change of need reads.
#[derive(Debug, Clone, Copy)]
struct Previous {
    on: Date,
    need: NeedLevels,
}

impl<'f> Cohort<'f> {
    /// An empty cohort. With `as_of` `None`, the summary is as of the latest
    /// `assessed_on` added.
    pub fn new(framework: &'f Framework, as_of: Option<Date>) -> Self {
        Cohort {
            framework,
            as_of,
            latest: None,
            seen: SeenDates::new(),
            children: Vec::new(),
            settings: ChildIndex::default(),
        }
    }

    /// Adds one assessment. A second assessment of a child on a date already
    /// seen is rejected (§7) and changes nothing; assessments after `as_of` are
    /// accepted but do not count.
    pub fn add(&mut self, a: &Assessment) -> Result<(), Duplicate> {
        let on = a.assessed_on();
        let (ordinal, new) = self.seen.record(a.child_id(), on)?;
        if new {
            self.children.push(ChildReviews::default());
        }
        if self.as_of.is_some_and(|as_of| on > as_of) {
            return Ok(());
        }
        self.latest = self.latest.max(Some(on));
        let child = &mut self.children[ordinal as usize];
        child.counted += 1;
        let levels = ReviewLevels::of(self.framework, a);
        match child.current {
            // The latest so far: the current review becomes the previous one.
            Some(c) if c.levels.assessed_on() > on => {
                if child.previous.is_none_or(|p| p.on < on) {
                    child.previous = Some(Previous {
                        on,
                        need: *levels.needs(),
                    });
                }
            }
            current => {
                child.previous = current.map(|c| Previous {
                    on: c.levels.assessed_on(),
                    need: *c.levels.needs(),
                });
                let setting = a
                    .setting_id()
                    .map_or(NO_SETTING, |s| self.settings.intern(s.as_str()).0);
                child.current = Some(Current {
                    levels,
                    planned: *a.readiness_planned(),
                    setting,
                });
            }
        }
        Ok(())
    }

    /// The date the summary is as of: the one given, else the latest added.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of.or(self.latest)
    }

    /// Children with at least one assessment on or before `as_of`.
    pub fn children(&self) -> usize {
        self.children.iter().filter(|c| c.current.is_some()).count()
    }

    /// The setting of `child`'s current review (§8), when it names one.
    ///
    /// ```
    /// use vsend_core::{AssessmentBuilder, ChildId, Cohort, Framework};
    /// let fw = Framework::default();
    /// let mut cohort = Cohort::new(&fw, None);
    /// for (on, setting) in [("2025-03-01", "S2"), ("2024-09-01", "S1")] {
    ///     let mut b = AssessmentBuilder::new(&fw);
    ///     b.child_id("C1").assessed_on(on).setting_id(setting);
    ///     cohort.add(&b.build().unwrap()).unwrap();
    /// }
    /// assert_eq!(cohort.current_setting(&ChildId::new("C1").unwrap()), Some("S2"));
    /// ```
    pub fn current_setting(&self, child: &ChildId) -> Option<&str> {
        let ordinal = self.seen.children().find(child.as_str())?;
        let current = self.children[ordinal as usize].current?;
        (current.setting != NO_SETTING).then(|| self.settings.id(current.setting))
    }

    /// Every child with a current review, in child-ID order (byte order), so
    /// that what is summed over children is summed in the same order
    /// whatever the input order: the child's number and what is kept.
    fn counted(&self) -> impl Iterator<Item = (u32, &ChildReviews, Current)> {
        let order = self.seen.children().in_id_order();
        order.into_iter().filter_map(|o| {
            let child = &self.children[o as usize];
            Some((o, child, child.current?))
        })
    }

    /// The figures of one child with a current review, as of `as_of`.
    fn figures(
        &self,
        child: &ChildReviews,
        current: &Current,
        as_of: Option<Date>,
    ) -> ChildFigures {
        let fw = self.framework;
        let scores = current.levels.scores(fw);
        let on = current.levels.assessed_on();
        ChildFigures {
            band: fw.banding().and_then(|b| b.band(&scores.need)),
            scores,
            planned: PerDomain(current.planned.0.map(|l| l.map(|l| f64::from(l.get())))),
            // The review before is the latest before the current one's eve.
            previous_need: child
                .previous
                .filter(|_| on.yesterday().is_ok())
                .map(|p| p.need.vector(fw.aggregate())),
            assessments: u64::from(child.counted),
            overdue: as_of.is_some_and(|as_of| is_overdue(fw, on, as_of)),
        }
    }

    /// The setting of a current review, if it names one.
    fn setting(&self, current: &Current) -> Option<&str> {
        (current.setting != NO_SETTING).then(|| self.settings.id(current.setting))
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

    /// Calls `each` with the ID, setting, date of birth and scores of every
    /// child with a current review, in child-ID order: what the phase moves
    /// of §11 read.
    pub(crate) fn each_current(
        &self,
        each: &mut dyn FnMut(Option<Date>, crate::transition::Mover<'_>),
    ) {
        for (ordinal, _, current) in self.counted() {
            let make = || {
                let id = self.seen.children().id(ordinal);
                let setting = self.setting(&current);
                (
                    ChildId::new(id).expect("only valid IDs are kept"),
                    setting.map(|s| crate::SettingId::new(s).expect("only valid IDs are kept")),
                    current.levels.scores(self.framework),
                )
            };
            each(current.levels.date_of_birth(), &make);
        }
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
        // First each child's group and the groups' sizes, so that small groups
        // can be merged; then the figures, one child at a time, in child-ID
        // order, as they were always summed. No child's figures are held.
        let mut names: Vec<String> = Vec::new();
        let mut named: HashMap<(u8, u32), usize> = HashMap::new();
        let mut keys: Vec<usize> = Vec::new();
        let mut sizes: Vec<u64> = Vec::new();
        if let Some(by) = by {
            for (_, _, current) in self.counted() {
                // The group's value, as a small key first and as text once per group.
                let (key, value) = match by {
                    GroupBy::SettingId => ((0, current.setting), self.setting(&current)),
                    GroupBy::AgeBand => {
                        let band = current.levels.scores(fw).age_band;
                        ((1, band.map_or(9, |b| b as u32)), band.map(AgeBand::key))
                    }
                    GroupBy::PrimaryDomain => {
                        let primary = current
                            .levels
                            .scores(fw)
                            .whole
                            .and_then(|w| w.primary_domain);
                        (
                            (2, primary.map_or(9, |d| d as u32)),
                            primary.map(Domain::key),
                        )
                    }
                };
                let group = *named.entry(key).or_insert_with(|| {
                    names.push(format!("{}={}", by.key(), value.unwrap_or("unknown")));
                    sizes.push(0);
                    names.len() - 1
                });
                sizes[group] += 1;
                keys.push(group);
            }
        }
        let other = by.map(|by| format!("{}=other", by.key()));
        let merged = |group: usize| {
            merge_below.is_some_and(|k| sizes[group] < k || Some(&names[group]) == other.as_ref())
        };
        let mut all = GroupAccumulator::new(fw);
        let mut groups: Vec<Option<GroupAccumulator>> = names.iter().map(|_| None).collect();
        let mut rest = GroupAccumulator::new(fw);
        for (i, (_, child, current)) in self.counted().enumerate() {
            let figures = self.figures(child, &current, as_of);
            all.add(&figures);
            if let Some(&group) = keys.get(i) {
                if merged(group) {
                    rest.add(&figures);
                } else {
                    groups[group]
                        .get_or_insert_with(|| GroupAccumulator::new(fw))
                        .add(&figures);
                }
            }
        }
        let finish = |name: &str, acc: GroupAccumulator| (name.to_owned(), acc.finish());
        let mut out = vec![finish("all", all)];
        let mut in_order: Vec<(usize, GroupAccumulator)> = groups
            .into_iter()
            .enumerate()
            .filter_map(|(i, g)| Some((i, g?)))
            .collect();
        in_order.sort_by(|a, b| names[a.0].cmp(&names[b.0]));
        out.extend(in_order.into_iter().map(|(i, g)| finish(&names[i], g)));
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
        let radar = PerDomain(self.domains.0.each_ref().map(|acc| RadarFigures {
            mean_readiness: acc.readiness.get(),
            mean_confidence: acc.confidence.get(),
            unmet_by_family: acc.met_by_family.n - acc.met_by_family.yes,
        }));
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
            planned_met_by_setting: acc.planned_met_by_setting.get(),
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
            radar,
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

/// The §8 and §12 figures of one domain within a group, in the key order of
/// the §10 file. One shape serves the three kinds of summary, which differ
/// only in how a count (`C`) and a mean or share (`F`) are held:
///
/// | kind | `C` | `F` |
/// | --- | --- | --- |
/// | [`DomainSummary`]: exact, from a [`Cohort`] | `u64` | `Option<f64>` |
/// | [`SharedDomain`](crate::suppress::SharedDomain): made safe to share (§14) | `Option<Shown>` | `Option<Derived>` |
/// | [`DomainIn`](crate::compare::DomainIn): read back from a file of either kind | `Option<u64>` | `Option<f64>` |
///
/// [`Shown`]: crate::suppress::Shown
/// [`Derived`]: crate::suppress::Derived
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DomainFigures<C, F> {
    /// Current assessments with a known need.
    pub n: C,
    /// Mean need over those.
    pub mean_need: F,
    /// Count per level `0..=max_level` (mean needs at their floor).
    pub histogram: Vec<C>,
    /// Share of children with need and readiness known whose need the setting meets.
    pub met_by_setting: F,
    /// Share of children with need and confidence known whose need the family meets.
    pub met_by_family: F,
    /// Mean setting gap where known.
    pub mean_setting_gap: F,
    /// Children with a previous assessment whose need improved.
    pub improved: C,
    /// ... stayed stable.
    pub stable: C,
    /// ... worsened.
    pub worsened: C,
    /// Mean need change since the previous assessment.
    pub mean_delta_need: F,
    /// Children whose need is at or above the framework's high need level (§12).
    pub high_need: C,
    /// Children with need and readiness known whose need the setting does not meet (§12).
    pub unmet_by_setting: C,
    /// Share of children with need and planned readiness known whose planned
    /// readiness meets the need (§12).
    pub planned_met_by_setting: F,
}

/// A domain's exact figures in a [`GroupSummary`].
pub type DomainSummary = DomainFigures<u64, Option<f64>>;

/// The figures of one domain a group's mean radar draws besides the §10
/// ones. Not part of the §10 file shape.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RadarFigures {
    /// Mean readiness over current assessments where known.
    pub mean_readiness: Option<f64>,
    /// Mean family confidence where known.
    pub mean_confidence: Option<f64>,
    /// Children with need and confidence known whose need the family does not
    /// meet (the radar marks setting and family alike, in children).
    pub unmet_by_family: u64,
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
    /// Per domain, what the group's mean radar draws besides the figures above.
    #[serde(skip)]
    pub radar: PerDomain<RadarFigures>,
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
    fn a_child_costs_some_eighty_bytes_besides_its_dates() {
        assert!(std::mem::size_of::<ChildReviews>() <= 88);
    }

    #[test]
    fn phase_moves_read_the_same_from_a_cohort_as_from_whole_histories() {
        // Reviews in scrambled order, some after as_of, some children with
        // no date of birth: the compact cohort and whole assessments agree.
        let fw = Framework::default();
        let dates = ["2024-09-20", "2025-01-15", "2025-05-10", "2025-09-18"];
        let mut reviews = Vec::new();
        for child in 0..300 {
            for (i, on) in dates.iter().enumerate() {
                let mut b = AssessmentBuilder::new(&fw);
                b.child_id(&format!("C{child:03}")).assessed_on(on);
                if child % 7 > 0 {
                    b.date_of_birth(&format!("20{:02}-0{}-14", 5 + child % 18, 1 + child % 9));
                }
                b.setting_id(&format!("S{}", (child + i) % 5));
                for (j, area) in fw.areas().iter().enumerate() {
                    b.need(
                        area.key(),
                        &((child + i * j) % 6).to_string().replace('5', ""),
                    );
                }
                for d in Domain::ALL {
                    b.readiness(d, &((child + i) % 5).to_string());
                }
                reviews.push(b.build().unwrap());
            }
        }
        reviews.sort_by_key(|a| {
            (a.assessed_on().day() as usize * 31 + a.child_id().as_str().len()) % 17
        });
        for as_of in [None, parse_date("2025-03-01")] {
            let mut cohort = Cohort::new(&fw, as_of);
            let mut whole =
                crate::Histories::new(crate::history::Keep::CurrentAndPrevious { as_of });
            for a in &reviews {
                cohort.add(a).unwrap();
                whole.add(a).unwrap();
            }
            for year in [2024, 2025] {
                let moves = cohort.phase_moves(year);
                assert!(moves.children.len() > 20);
                assert_eq!(moves, crate::phase_moves(&fw, &whole, year));
            }
            let c7 = ChildId::new("C007").unwrap();
            let want = whole.get(&c7).and_then(|h| h.current(whole.as_of()));
            assert_eq!(
                cohort.current_setting(&c7),
                want.and_then(|a| a.setting_id()).map(|s| s.as_str())
            );
        }
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
        assert_eq!(all.radar[Domain::Cl].mean_readiness, None);
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
        assert_eq!(all.radar[Domain::Sp].mean_readiness, Some(2.0));
        assert_eq!(all.radar[Domain::Sp].mean_confidence, None);
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
