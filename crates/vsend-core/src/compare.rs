//! §14 Comparison: several cohort summaries side by side, the first the reference.
//!
//! Summaries are read back from the JSON vsend writes (§10, §12, §13, §14)
//! with a dedicated input type, [`SummaryFile`]: every field of the file shape
//! must be present (null where the file allows it) and no other field may be,
//! so a file that is not a summary is refused rather than half-read. The
//! in-memory [`CohortSummary`](crate::CohortSummary) is not used for this: it
//! carries figures that are never written (mean readiness and confidence for
//! the charts) and has no room for suppressed counts.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::{Domain, PerDomain};

/// Reads a value that must be present but may be null.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

/// A cohort summary file as vsend writes it (§10), suppressed (§14) or not.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryFile {
    /// The date summarised as of.
    #[serde(deserialize_with = "nullable")]
    pub as_of: Option<Date>,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// `{"min_count": K}` when the summary was suppressed.
    #[serde(default)]
    pub suppression: Option<SuppressionIn>,
    /// The groups by name; `all` is required.
    pub groups: BTreeMap<String, GroupIn>,
}

/// The `suppression` object of a shared summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionIn {
    /// K.
    pub min_count: u64,
}

/// One group of a [`SummaryFile`]. Counts are `Option` because a shared
/// summary may hold them as null.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupIn {
    /// Children.
    #[serde(deserialize_with = "nullable")]
    pub children: Option<u64>,
    /// Assessments.
    #[serde(deserialize_with = "nullable")]
    pub assessments: Option<u64>,
    /// Overdue reviews.
    #[serde(deserialize_with = "nullable")]
    pub overdue: Option<u64>,
    /// `cl` figures.
    pub cl: DomainIn,
    /// `ci` figures.
    pub ci: DomainIn,
    /// `sp` figures.
    pub sp: DomainIn,
    /// `semh` figures.
    pub semh: DomainIn,
    /// `ind` figures.
    pub ind: DomainIn,
    /// §12 priorities (left out of a suppressed group with hidden counts).
    #[serde(default)]
    pub priorities: Option<Vec<Domain>>,
    /// Mean need index.
    #[serde(deserialize_with = "nullable")]
    pub mean_need_index: Option<f64>,
    /// Mean setting coverage.
    #[serde(deserialize_with = "nullable")]
    pub mean_setting_coverage: Option<f64>,
    /// Mean family coverage.
    #[serde(deserialize_with = "nullable")]
    pub mean_family_coverage: Option<f64>,
    /// The 5×5 need correlation.
    pub need_correlation: [[Option<f64>; 5]; 5],
    /// §13 counts per band, when the framework has banding.
    #[serde(default)]
    pub bands: Option<BTreeMap<String, Option<u64>>>,
    /// §13 top-up total, when the framework has banding (may be null).
    #[serde(default, deserialize_with = "present")]
    pub top_up_total: Option<Option<f64>>,
    /// §14: whether suppression nulled a value of the group.
    #[serde(default)]
    pub suppressed: Option<bool>,
}

/// `Some(value)` for a present key (null included), `None` (by `default`) when absent.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

impl GroupIn {
    /// The figures of one domain.
    pub fn domain(&self, d: Domain) -> &DomainIn {
        match d {
            Domain::Cl => &self.cl,
            Domain::Ci => &self.ci,
            Domain::Sp => &self.sp,
            Domain::Semh => &self.semh,
            Domain::Ind => &self.ind,
        }
    }
}

/// The §8 and §12 figures of one domain of a [`GroupIn`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainIn {
    /// Current assessments with a known need.
    #[serde(deserialize_with = "nullable")]
    pub n: Option<u64>,
    /// Mean need.
    #[serde(deserialize_with = "nullable")]
    pub mean_need: Option<f64>,
    /// Count per level 0..=max_level.
    pub histogram: Vec<Option<u64>>,
    /// Share met by the setting.
    #[serde(deserialize_with = "nullable")]
    pub met_by_setting: Option<f64>,
    /// Share met by the family.
    #[serde(deserialize_with = "nullable")]
    pub met_by_family: Option<f64>,
    /// Mean setting gap.
    #[serde(deserialize_with = "nullable")]
    pub mean_setting_gap: Option<f64>,
    /// Improved.
    #[serde(deserialize_with = "nullable")]
    pub improved: Option<u64>,
    /// Stable.
    #[serde(deserialize_with = "nullable")]
    pub stable: Option<u64>,
    /// Worsened.
    #[serde(deserialize_with = "nullable")]
    pub worsened: Option<u64>,
    /// Mean need change.
    #[serde(deserialize_with = "nullable")]
    pub mean_delta_need: Option<f64>,
    /// Children with a high need (§12).
    #[serde(deserialize_with = "nullable")]
    pub high_need: Option<u64>,
    /// Children whose need the setting does not meet (§12).
    #[serde(deserialize_with = "nullable")]
    pub unmet_by_setting: Option<u64>,
    /// Share whose planned readiness meets the need (§12).
    #[serde(deserialize_with = "nullable")]
    pub planned_met_by_setting: Option<f64>,
}

/// Why a text is not a cohort summary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotASummary {
    /// Not JSON of the summary shape (the message names the field and position).
    #[error("line {line}, column {column}: {message}")]
    Shape {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json found wrong.
        message: String,
    },
    /// No `all` group.
    #[error("groups: no \"all\" group; a cohort summary always has one")]
    NoAllGroup,
    /// Histograms of different lengths, or of a length no scale has.
    #[error("groups.{group}.{domain}.histogram: {found} entries; every histogram of a summary has max_level + 1 entries, 2 to 11, the same throughout")]
    Histogram {
        /// The group.
        group: String,
        /// The domain.
        domain: Domain,
        /// Entries found.
        found: usize,
    },
}

impl SummaryFile {
    /// Reads a cohort summary written by vsend, checking its shape.
    ///
    /// ```
    /// use vsend_core::{Cohort, Framework, SummaryFile};
    /// let fw = Framework::default();
    /// let json = serde_json::to_string(&Cohort::new(&fw, None).summary(None)).unwrap();
    /// let file = SummaryFile::from_json(&json).unwrap();
    /// assert_eq!(file.max_level(), 4);
    /// assert!(SummaryFile::from_json(r#"{"child_id": "C1"}"#).is_err());
    /// ```
    pub fn from_json(json: &str) -> Result<SummaryFile, NotASummary> {
        let file: SummaryFile = serde_json::from_str(json).map_err(|e| NotASummary::Shape {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let all = file.groups.get("all").ok_or(NotASummary::NoAllGroup)?;
        let levels = all.cl.histogram.len();
        for (name, g) in &file.groups {
            for d in Domain::ALL {
                let found = g.domain(d).histogram.len();
                if found != levels || !(2..=11).contains(&found) {
                    return Err(NotASummary::Histogram {
                        group: name.clone(),
                        domain: d,
                        found,
                    });
                }
            }
        }
        Ok(file)
    }

    /// The `all` group (present in every file [`from_json`](Self::from_json) accepts).
    pub fn all(&self) -> &GroupIn {
        &self.groups["all"]
    }

    /// The scale's max_level, judged from the histogram length.
    pub fn max_level(&self) -> usize {
        self.all().cl.histogram.len() - 1
    }
}

/// Why summaries could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// Nothing to compare.
    #[error("no summaries to compare")]
    Empty,
    /// One input is not a cohort summary.
    #[error("{label}: not a cohort summary: {reason}")]
    NotASummary {
        /// The input's label.
        label: String,
        /// What is wrong with it.
        reason: NotASummary,
    },
    /// A summary of another framework than the reference's.
    #[error("{label}: framework {found:?} is not the reference's {reference:?}; summaries of different frameworks are not comparable")]
    DifferentFramework {
        /// The input's label.
        label: String,
        /// Its framework id.
        found: String,
        /// The reference's framework id.
        reference: String,
    },
    /// A summary on another scale than the reference's.
    #[error("{label}: scale 0 to {found} is not the reference's 0 to {reference}; summaries of different frameworks are not comparable")]
    DifferentScale {
        /// The input's label.
        label: String,
        /// Its max_level.
        found: usize,
        /// The reference's max_level.
        reference: usize,
    },
}

/// One domain of a [`ComparisonRow`]: each figure and its difference from the reference.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ComparedDomain {
    /// Mean need.
    pub mean_need: Option<f64>,
    /// Share met by the setting.
    pub met_by_setting: Option<f64>,
    /// Share met by the family.
    pub met_by_family: Option<f64>,
    /// high_need / n.
    pub high_need_share: Option<f64>,
    /// mean_need − the reference's.
    pub diff_mean_need: Option<f64>,
    /// met_by_setting − the reference's.
    pub diff_met_by_setting: Option<f64>,
    /// met_by_family − the reference's.
    pub diff_met_by_family: Option<f64>,
    /// high_need_share − the reference's.
    pub diff_high_need_share: Option<f64>,
}

/// One summary in a [`Comparison`]: its `all` group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// The label (the file stem).
    pub label: String,
    /// The summary's as_of.
    pub as_of: Option<Date>,
    /// The `all` group's children (null when suppressed).
    pub children: Option<u64>,
    /// Per-domain figures.
    #[serde(flatten)]
    pub domains: PerDomain<ComparedDomain>,
}

/// Summaries side by side (§14), the first the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The reference's label.
    pub reference: String,
    /// One row per summary, in input order, the reference first.
    pub rows: Vec<ComparisonRow>,
}

/// Compares summaries (§14): per summary its label, `as_of`, the `all`
/// group's `children` and per domain `mean_need`, `met_by_setting`,
/// `met_by_family`, `high_need_share`, each with its difference from the
/// first summary's (null when either is null). Summaries of different
/// frameworks (id, or max_level judged from the histograms) are an error.
///
/// ```
/// use vsend_core::{compare, AssessmentBuilder, Cohort, Domain, Framework, SummaryFile};
/// let fw = Framework::default();
/// let summary_at = |level: &str| {
///     let mut cohort = Cohort::new(&fw, None);
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id("C1").assessed_on("2025-01-10").need("cl.literacy", level);
///     cohort.add(&b.build().unwrap()).unwrap();
///     let json = serde_json::to_string(&cohort.summary(None)).unwrap();
///     SummaryFile::from_json(&json).unwrap()
/// };
/// let c = compare(&[("autumn".into(), summary_at("1")), ("summer".into(), summary_at("3"))]).unwrap();
/// assert_eq!(c.reference, "autumn");
/// assert_eq!(c.rows[1].domains[Domain::Cl].diff_mean_need, Some(2.0));
/// assert_eq!(c.rows[1].domains[Domain::Cl].diff_high_need_share, Some(1.0));
/// assert_eq!(c.rows[1].domains[Domain::Ci].diff_mean_need, None); // no ci need known
/// ```
pub fn compare(summaries: &[(String, SummaryFile)]) -> Result<Comparison, CompareError> {
    let (reference_label, reference) = summaries.first().ok_or(CompareError::Empty)?;
    for (label, s) in &summaries[1..] {
        if s.framework_id != reference.framework_id {
            return Err(CompareError::DifferentFramework {
                label: label.clone(),
                found: s.framework_id.clone(),
                reference: reference.framework_id.clone(),
            });
        }
        if s.max_level() != reference.max_level() {
            return Err(CompareError::DifferentScale {
                label: label.clone(),
                found: s.max_level(),
                reference: reference.max_level(),
            });
        }
    }
    let figures = |s: &SummaryFile, d: Domain| {
        let x = s.all().domain(d);
        let share = match (x.high_need, x.n) {
            (Some(h), Some(n)) if n > 0 => Some(h as f64 / n as f64),
            _ => None,
        };
        [x.mean_need, x.met_by_setting, x.met_by_family, share]
    };
    let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
    let rows = summaries
        .iter()
        .map(|(label, s)| ComparisonRow {
            label: label.clone(),
            as_of: s.as_of,
            children: s.all().children,
            domains: PerDomain::from_fn(|d| {
                let [mean_need, met_by_setting, met_by_family, high_need_share] = figures(s, d);
                let r = figures(reference, d);
                ComparedDomain {
                    mean_need,
                    met_by_setting,
                    met_by_family,
                    high_need_share,
                    diff_mean_need: diff(mean_need, r[0]),
                    diff_met_by_setting: diff(met_by_setting, r[1]),
                    diff_met_by_family: diff(met_by_family, r[2]),
                    diff_high_need_share: diff(high_need_share, r[3]),
                }
            }),
        })
        .collect();
    Ok(Comparison {
        reference: reference_label.clone(),
        rows,
    })
}

/// Reads each `(label, JSON text)` as a [`SummaryFile`] and [`compare`]s them.
pub fn compare_json(inputs: &[(String, &str)]) -> Result<Comparison, CompareError> {
    let summaries = inputs
        .iter()
        .map(|(label, text)| {
            SummaryFile::from_json(text)
                .map(|s| (label.clone(), s))
                .map_err(|reason| CompareError::NotASummary {
                    label: label.clone(),
                    reason,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    compare(&summaries)
}
