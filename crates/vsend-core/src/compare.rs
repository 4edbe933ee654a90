//! §14 Comparison: several cohort summaries side by side, the first the reference.
//!
//! Summaries are read back from the JSON vsend writes (§10, §12, §13, §14)
//! into a dedicated input type, [`SummaryFile`], by [`SummaryFile::from_json`]
//! only. Reading checks the shape (every key present, null only where the
//! file allows it, no other key) and then every figure against what
//! `vsend cohort` can write: counts whole and within their totals, shares in
//! 0 to 1, means within the scale, histograms summing to `n`, by-groups
//! summing to `all`, and for a shared summary (one with `suppression`) counts
//! that are 0 or multiples of B and no figure beyond the two rule 4 keeps.
//! Each problem names its key path, what was found and what is allowed.
//!
//! A summary without `suppression` is exact; one with it is rounded (§14,
//! MODEL 1.2). A MODEL 1.1 shared summary (`suppression` without `round_to`)
//! is refused: its exact totals and means beside nulled counts let the hidden
//! counts be recovered, and a comparison should not pass them on.

use std::collections::BTreeMap;
use std::fmt::Display;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cohort::DomainFigures;
use crate::dates::parse_date;
use crate::domain::{Domain, PerDomain};
use crate::suppress::Suppression;

/// The keys of a group, in the order vsend writes them (before `bands`,
/// `top_up_total` and `suppressed`).
const GROUP_KEYS: [&str; 13] = [
    "children",
    "assessments",
    "overdue",
    "cl",
    "ci",
    "sp",
    "semh",
    "ind",
    "priorities",
    "mean_need_index",
    "mean_setting_coverage",
    "mean_family_coverage",
    "need_correlation",
];

/// The keys of one domain of a group, in the order vsend writes them.
const DOMAIN_KEYS: [&str; 13] = [
    "n",
    "mean_need",
    "histogram",
    "met_by_setting",
    "met_by_family",
    "mean_setting_gap",
    "improved",
    "stable",
    "worsened",
    "mean_delta_need",
    "high_need",
    "unmet_by_setting",
    "planned_met_by_setting",
];

/// Tolerance for a figure recomputed from the counts beside it.
const EPS: f64 = 1e-9;

/// A cohort summary file as vsend writes it (§10), shared (§14) or not,
/// checked. Made only by [`from_json`](Self::from_json).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryFile {
    as_of: Option<Date>,
    framework_id: String,
    framework_version: String,
    suppression: Option<Suppression>,
    groups: BTreeMap<String, GroupIn>,
}

/// One group of a [`SummaryFile`]. Counts are `Option` because a shared
/// summary may hold them as null.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupIn {
    /// Children.
    pub children: Option<u64>,
    /// Assessments.
    pub assessments: Option<u64>,
    /// Overdue reviews.
    pub overdue: Option<u64>,
    /// Per-domain figures.
    pub domains: PerDomain<DomainIn>,
    /// §12 priorities.
    pub priorities: Vec<Domain>,
    /// Mean need index.
    pub mean_need_index: Option<f64>,
    /// Mean setting coverage.
    pub mean_setting_coverage: Option<f64>,
    /// Mean family coverage.
    pub mean_family_coverage: Option<f64>,
    /// The 5×5 need correlation.
    pub need_correlation: [[Option<f64>; 5]; 5],
    /// §13 counts per band (`unbanded` last), when the framework has banding.
    pub bands: Option<Vec<(String, Option<u64>)>>,
    /// §13 top-up total (null also when there is no banding).
    pub top_up_total: Option<f64>,
    /// §14: whether suppression hid a count of the group; `None` in a
    /// summary without suppression.
    pub suppressed: Option<bool>,
}

impl GroupIn {
    /// The figures of one domain.
    pub fn domain(&self, d: Domain) -> &DomainIn {
        &self.domains[d]
    }
}

/// The figures of one domain of a [`GroupIn`], read from a summary of
/// either kind: a count or figure is `None` where the file holds null.
pub type DomainIn = DomainFigures<Option<u64>, Option<f64>>;

/// Why a text is not a cohort summary vsend could have written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotASummary {
    /// Not JSON.
    #[error("line {line}, column {column}: not JSON: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json found wrong.
        message: String,
    },
    /// A key every summary has is missing.
    #[error("{path}: missing; every summary written by vsend cohort has it")]
    Missing {
        /// The key path, e.g. `groups.all.cl.high_need`.
        path: String,
    },
    /// A key no summary has.
    #[error("{path}: not a key of a cohort summary")]
    Unknown {
        /// The key path.
        path: String,
    },
    /// A value vsend cohort cannot write there.
    #[error("{path}: {found} is not allowed; allowed {allowed}")]
    Invalid {
        /// The key path, e.g. `groups.all.cl.met_by_setting`.
        path: String,
        /// The value found, as JSON (or its kind, for arrays and objects).
        found: String,
        /// What a summary holds there.
        allowed: String,
    },
    /// A shared summary of MODEL 1.1 (`suppression` without `round_to`).
    #[error("suppression: {{\"min_count\": {min_count}}} without round_to is a shared summary of MODEL 1.1, whose exact totals and means beside hidden counts let those counts be worked out; it is not read. Make it again with vsend cohort --suppress {min_count} (MODEL 1.2 rounds every count)")]
    Before12 {
        /// Its K.
        min_count: u64,
    },
}

/// Shorthand for [`NotASummary::Invalid`].
fn invalid(path: &str, found: impl Display, allowed: impl Display) -> NotASummary {
    NotASummary::Invalid {
        path: path.to_owned(),
        found: found.to_string(),
        allowed: allowed.to_string(),
    }
}

/// A value as an error shows it: JSON for scalars (long strings cut), the
/// kind for arrays and objects.
fn found(v: &Value) -> String {
    match v {
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Object(_) => "an object".to_owned(),
        Value::String(s) if s.chars().count() > 40 => {
            format!("{:?}…", s.chars().take(40).collect::<String>())
        }
        other => other.to_string(),
    }
}

/// `parent.key`, with the key quoted when it has characters a path uses.
fn join(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']', '"', ' ']);
    match (parent.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (true, false) => format!("[{key:?}]"),
        (false, true) => format!("{parent}.{key}"),
        (false, false) => format!("{parent}[{key:?}]"),
    }
}

/// The object at `path`, with exactly the `required` keys and any of `optional`.
fn object<'v>(
    v: &'v Value,
    path: &str,
    required: &[&str],
    optional: &[&str],
) -> Result<&'v Map<String, Value>, NotASummary> {
    let map = v.as_object().ok_or_else(|| {
        if path.is_empty() {
            invalid(
                "the top level",
                found(v),
                "an object with as_of, framework_id, framework_version and groups, as vsend cohort writes",
            )
        } else {
            invalid(path, found(v), "an object")
        }
    })?;
    if let Some(key) = map
        .keys()
        .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
    {
        return Err(NotASummary::Unknown {
            path: join(path, key),
        });
    }
    if let Some(key) = required.iter().find(|k| !map.contains_key(**k)) {
        return Err(NotASummary::Missing {
            path: join(path, key),
        });
    }
    Ok(map)
}

/// A number in `lo..=hi`, or null.
fn figure(v: &Value, path: &str, lo: f64, hi: f64, what: &str) -> Result<Option<f64>, NotASummary> {
    let range = || match hi.is_finite() {
        true => format!("{what} from {lo} to {hi}, or null"),
        false => format!("{what}, {lo} or more, or null"),
    };
    match v {
        Value::Null => Ok(None),
        Value::Number(x) => match x.as_f64() {
            Some(f) if (lo..=hi).contains(&f) => Ok(Some(f)),
            _ => Err(invalid(path, found(v), range())),
        },
        _ => Err(invalid(path, found(v), range())),
    }
}

/// The length (2 to 11) most of the summary's histograms have, if any.
fn common_histogram_length(groups: &Map<String, Value>) -> Option<usize> {
    let mut counts = [0usize; 12];
    for group in groups.values().filter_map(Value::as_object) {
        for d in Domain::ALL {
            let length = group
                .get(d.key())
                .and_then(|x| x.get("histogram"))
                .and_then(Value::as_array)
                .map(Vec::len);
            if let Some(l @ 2..=11) = length {
                counts[l] += 1;
            }
        }
    }
    // The most common; of equally common lengths, the shortest.
    let (length, &most) = counts.iter().enumerate().rev().max_by_key(|&(_, c)| *c)?;
    (most > 0).then_some(length)
}

/// Reads one summary, knowing by then whether it is shared and its scale.
struct Reader {
    suppression: Option<Suppression>,
    /// Histogram entries (max_level + 1): the length most histograms of the
    /// summary have, so that the odd one out is the one named; else fixed by
    /// the first histogram read.
    levels: Option<usize>,
}

impl Reader {
    fn max_level(&self) -> f64 {
        self.levels.map_or(0.0, |l| (l - 1) as f64)
    }

    /// A count: a whole number ≥ 0; in a shared summary 0 or a multiple of
    /// B, and null where `hideable`.
    fn count(&self, v: &Value, path: &str, hideable: bool) -> Result<Option<u64>, NotASummary> {
        let allowed = match (self.suppression, hideable) {
            (None, _) => "a whole number, 0 or more (a summary without suppression hides no count)"
                .to_owned(),
            (Some(s), true) => format!(
                "0, a multiple of B = {} or null (the counts of a shared summary are rounded)",
                s.round_to()
            ),
            (Some(s), false) => format!(
                "0 or a multiple of B = {} (this count of a shared summary is never hidden)",
                s.round_to()
            ),
        };
        match (v, v.as_u64()) {
            (Value::Null, _) if hideable && self.suppression.is_some() => Ok(None),
            (_, Some(c)) if self.suppression.is_none_or(|s| c % s.round_to() == 0) => Ok(Some(c)),
            _ => Err(invalid(path, found(v), allowed)),
        }
    }

    fn group(&mut self, v: &Value, path: &str, is_all: bool) -> Result<GroupIn, NotASummary> {
        let shared = self.suppression.is_some();
        let mut optional = vec!["bands", "top_up_total"];
        let mut required = GROUP_KEYS.to_vec();
        if shared {
            required.push("suppressed");
        } else {
            optional.push("suppressed");
        }
        let map = object(v, path, &required, &optional)?;
        let at = |key: &str| join(path, key);
        if !shared {
            if let Some(x) = map.get("suppressed") {
                return Err(invalid(
                    &at("suppressed"),
                    found(x),
                    "no such key in a summary without a suppression object",
                ));
            }
        }
        let (has_bands, has_top_up) = (map.contains_key("bands"), map.contains_key("top_up_total"));
        if has_bands != has_top_up {
            let missing = if has_bands { "top_up_total" } else { "bands" };
            return Err(NotASummary::Missing { path: at(missing) });
        }
        // Outside `all`, a group has at least K children: never hidden.
        let children = self.count(&map["children"], &at("children"), is_all)?;
        let assessments = self.count(&map["assessments"], &at("assessments"), is_all)?;
        let overdue = self.count(&map["overdue"], &at("overdue"), true)?;
        let mut domains: [DomainIn; 5] = Default::default();
        for d in Domain::ALL {
            domains[d.index()] = self.domain(&map[d.key()], &at(d.key()))?;
        }
        let priorities = priorities(&map["priorities"], &at("priorities"))?;
        let mean_need_index = figure(
            &map["mean_need_index"],
            &at("mean_need_index"),
            0.0,
            100.0,
            "a need index",
        )?;
        let mean_setting_coverage = figure(
            &map["mean_setting_coverage"],
            &at("mean_setting_coverage"),
            0.0,
            1.0,
            "a share",
        )?;
        let mean_family_coverage = figure(
            &map["mean_family_coverage"],
            &at("mean_family_coverage"),
            0.0,
            1.0,
            "a share",
        )?;
        let need_correlation = correlation(&map["need_correlation"], &at("need_correlation"))?;
        let bands = map
            .get("bands")
            .map(|b| self.bands(b, &at("bands")))
            .transpose()?;
        let top_up_total = match map.get("top_up_total") {
            Some(t) => figure(t, &at("top_up_total"), 0.0, f64::INFINITY, "an amount")?,
            None => None,
        };
        let suppressed = match map.get("suppressed") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => return Err(invalid(&at("suppressed"), found(other), "true or false")),
        };
        Ok(GroupIn {
            children,
            assessments,
            overdue,
            domains: PerDomain(domains),
            priorities,
            mean_need_index,
            mean_setting_coverage,
            mean_family_coverage,
            need_correlation,
            bands,
            top_up_total,
            suppressed,
        })
    }

    fn domain(&mut self, v: &Value, path: &str) -> Result<DomainIn, NotASummary> {
        let map = object(v, path, &DOMAIN_KEYS, &[])?;
        let at = |key: &str| join(path, key);
        let histogram = self.histogram(&map["histogram"], &at("histogram"))?;
        let max = self.max_level();
        let share = |key: &str| figure(&map[key], &at(key), 0.0, 1.0, "a share");
        let gap = |key: &str| figure(&map[key], &at(key), -max, max, "a difference of levels");
        Ok(DomainIn {
            n: self.count(&map["n"], &at("n"), true)?,
            mean_need: figure(&map["mean_need"], &at("mean_need"), 0.0, max, "a level")?,
            histogram,
            met_by_setting: share("met_by_setting")?,
            met_by_family: share("met_by_family")?,
            mean_setting_gap: gap("mean_setting_gap")?,
            improved: self.count(&map["improved"], &at("improved"), true)?,
            stable: self.count(&map["stable"], &at("stable"), true)?,
            worsened: self.count(&map["worsened"], &at("worsened"), true)?,
            mean_delta_need: gap("mean_delta_need")?,
            high_need: self.count(&map["high_need"], &at("high_need"), true)?,
            unmet_by_setting: self.count(
                &map["unmet_by_setting"],
                &at("unmet_by_setting"),
                true,
            )?,
            planned_met_by_setting: share("planned_met_by_setting")?,
        })
    }

    fn histogram(&mut self, v: &Value, path: &str) -> Result<Vec<Option<u64>>, NotASummary> {
        let entries = v
            .as_array()
            .ok_or_else(|| invalid(path, found(v), "an array of counts, one per level"))?;
        match self.levels {
            None if (2..=11).contains(&entries.len()) => self.levels = Some(entries.len()),
            None => {
                return Err(invalid(
                    path,
                    found(v),
                    "2 to 11 entries, one per level 0 to max_level",
                ))
            }
            Some(l) if l != entries.len() => {
                return Err(invalid(
                    path,
                    found(v),
                    format!("{l} entries, as every histogram of this summary (one per level)"),
                ))
            }
            Some(_) => {}
        }
        entries
            .iter()
            .enumerate()
            .map(|(i, x)| self.count(x, &format!("{path}[{i}]"), true))
            .collect()
    }

    fn bands(&self, v: &Value, path: &str) -> Result<Vec<(String, Option<u64>)>, NotASummary> {
        let map = v
            .as_object()
            .ok_or_else(|| invalid(path, found(v), "an object of counts per band"))?;
        if !map.contains_key(crate::banding::UNBANDED) {
            return Err(NotASummary::Missing {
                path: join(path, crate::banding::UNBANDED),
            });
        }
        let mut out = Vec::with_capacity(map.len());
        for (id, x) in map {
            if id != crate::banding::UNBANDED {
                out.push((id.clone(), self.count(x, &join(path, id), true)?));
            }
        }
        let unbanded = &map[crate::banding::UNBANDED];
        out.push((
            crate::banding::UNBANDED.to_owned(),
            self.count(unbanded, &join(path, crate::banding::UNBANDED), true)?,
        ));
        Ok(out)
    }
}

fn priorities(v: &Value, path: &str) -> Result<Vec<Domain>, NotASummary> {
    let allowed = "an array of distinct domain keys (cl, ci, sp, semh, ind)";
    let items = v
        .as_array()
        .ok_or_else(|| invalid(path, found(v), allowed))?;
    let mut out: Vec<Domain> = Vec::with_capacity(items.len());
    for (i, x) in items.iter().enumerate() {
        match x.as_str().and_then(|s| s.parse::<Domain>().ok()) {
            Some(d) if !out.contains(&d) => out.push(d),
            _ => return Err(invalid(&format!("{path}[{i}]"), found(x), allowed)),
        }
    }
    Ok(out)
}

fn correlation(v: &Value, path: &str) -> Result<[[Option<f64>; 5]; 5], NotASummary> {
    let allowed = "5 rows of 5 correlations (-1 to 1, or null)";
    let rows = v
        .as_array()
        .filter(|r| r.len() == 5)
        .ok_or_else(|| invalid(path, found(v), allowed))?;
    let mut out = [[None; 5]; 5];
    for (i, row) in rows.iter().enumerate() {
        let row_path = format!("{path}[{i}]");
        let cells = row
            .as_array()
            .filter(|r| r.len() == 5)
            .ok_or_else(|| invalid(&row_path, found(row), allowed))?;
        for (j, x) in cells.iter().enumerate() {
            out[i][j] = figure(x, &format!("{row_path}[{j}]"), -1.0, 1.0, "a correlation")?;
        }
    }
    Ok(out)
}

/// `found` must not exceed `total`: a count within its total.
fn at_most(
    path: &str,
    found: Option<u64>,
    total: Option<u64>,
    what: &str,
) -> Result<(), NotASummary> {
    match (found, total) {
        (Some(x), Some(t)) if x > t => Err(invalid(path, x, format!("at most {what} ({t})"))),
        _ => Ok(()),
    }
}

/// Whether two optional figures agree (both null, or within [`EPS`]).
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= EPS * a.abs().max(1.0),
        _ => false,
    }
}

fn show(x: Option<f64>) -> String {
    x.map_or("null".to_owned(), |x| x.to_string())
}

/// The relations every group of a summary keeps, shared or not: counts
/// within their totals (rounding to one base keeps `≤`).
fn check_totals(g: &GroupIn, path: &str) -> Result<(), NotASummary> {
    let at = |key: &str| join(path, key);
    if let (Some(a), Some(c)) = (g.assessments, g.children) {
        if a < c {
            return Err(invalid(
                &at("assessments"),
                a,
                format!("at least children ({c}): every child has an assessment"),
            ));
        }
    }
    at_most(&at("overdue"), g.overdue, g.children, "children")?;
    for (d, x) in g.domains.iter() {
        let dp = join(path, d.key());
        let at = |key: &str| join(&dp, key);
        at_most(&at("n"), x.n, g.children, "children")?;
        for (j, h) in x.histogram.iter().enumerate() {
            at_most(&format!("{}[{j}]", at("histogram")), *h, x.n, "n")?;
        }
        at_most(&at("high_need"), x.high_need, x.n, "n")?;
        at_most(&at("unmet_by_setting"), x.unmet_by_setting, x.n, "n")?;
        // A change needs the need known now: each at most n.
        for (key, c) in [
            ("improved", x.improved),
            ("stable", x.stable),
            ("worsened", x.worsened),
        ] {
            at_most(&at(key), c, x.n, "n")?;
        }
    }
    for (id, c) in g.bands.iter().flatten() {
        at_most(&join(&at("bands"), id), *c, g.children, "children")?;
    }
    if g.top_up_total.is_some() && g.bands.is_none() {
        return Err(invalid(
            &at("top_up_total"),
            show(g.top_up_total),
            "null without bands",
        ));
    }
    Ok(())
}

/// The relations of a group of an exact summary: every figure as §8, §12
/// and §13 compute it from the counts beside it.
fn check_exact(g: &GroupIn, path: &str) -> Result<(), NotASummary> {
    let at = |key: &str| join(path, key);
    let children = g.children.unwrap_or(0);
    for (d, x) in g.domains.iter() {
        check_exact_domain(x, &join(path, d.key()))?;
    }
    check_priorities(g, path)?;
    if g.domains.iter().any(|(_, x)| x.n == Some(0)) && g.mean_need_index.is_some() {
        return Err(invalid(
            &at("mean_need_index"),
            show(g.mean_need_index),
            "null when a domain has n = 0 (no assessment is complete)",
        ));
    }
    check_correlation(g, path)?;
    if let Some(bands) = &g.bands {
        let sum: u128 = bands.iter().map(|(_, c)| u128::from(c.unwrap_or(0))).sum();
        if sum != u128::from(children) {
            return Err(invalid(
                &at("bands"),
                format!("counts summing to {sum}"),
                format!(
                    "counts summing to children ({children}): every child is in one band or unbanded"
                ),
            ));
        }
    }
    Ok(())
}

/// The relations of one domain of an exact summary, at key path `dp`: the
/// histogram sums to n, high_need is a top sum of it, the mean lies within
/// it, and each share or mean is null exactly when its children are none.
fn check_exact_domain(x: &DomainIn, dp: &str) -> Result<(), NotASummary> {
    let at = |key: &str| join(dp, key);
    let n = x.n.unwrap_or(0);
    let h: Vec<u64> = x.histogram.iter().map(|c| c.unwrap_or(0)).collect();
    // Sums in u128: counts read from a file may be as large as u64 allows.
    let sum: u128 = h.iter().map(|&c| u128::from(c)).sum();
    if sum != u128::from(n) {
        return Err(invalid(
            &at("n"),
            n,
            format!("the sum of the histogram ({sum})"),
        ));
    }
    // high_need counts levels ≥ high_need_level (1 to max_level): a top sum.
    let tops: Vec<u128> = (1..h.len())
        .map(|l| h[l..].iter().map(|&c| u128::from(c)).sum())
        .collect();
    let high = x.high_need.unwrap_or(0);
    if !tops.contains(&u128::from(high)) {
        return Err(invalid(
            &at("high_need"),
            high,
            format!("a sum of the histogram's top entries, one of {tops:?}"),
        ));
    }
    let triple = [x.improved, x.stable, x.worsened]
        .iter()
        .map(|c| u128::from(c.unwrap_or(0)))
        .sum::<u128>();
    if triple > u128::from(n) {
        return Err(invalid(
            &at("improved"),
            x.improved.unwrap_or(0),
            format!("improved + stable + worsened ({triple}) at most n ({n}): a change needs the need known now"),
        ));
    }
    if n == 0 {
        for (key, value) in [
            ("mean_need", x.mean_need),
            ("met_by_setting", x.met_by_setting),
            ("met_by_family", x.met_by_family),
            ("mean_setting_gap", x.mean_setting_gap),
            ("planned_met_by_setting", x.planned_met_by_setting),
        ] {
            if value.is_some() {
                return Err(invalid(
                    &at(key),
                    show(value),
                    "null when n is 0 (a figure over no children)",
                ));
            }
        }
    } else {
        // A mean of levels counted at their floors: between the floors' mean
        // and the ceilings' (the top level is exact).
        let top = h.len() - 1;
        let low: u128 = h
            .iter()
            .enumerate()
            .map(|(j, &c)| j as u128 * u128::from(c))
            .sum();
        let ceilings: u128 = h
            .iter()
            .enumerate()
            .map(|(j, &c)| (j + usize::from(j < top)) as u128 * u128::from(c))
            .sum();
        let (lo, hi) = (low as f64 / n as f64, ceilings as f64 / n as f64);
        match x.mean_need {
            Some(m) if m >= lo - EPS && m <= hi + EPS => {}
            other => {
                return Err(invalid(
                    &at("mean_need"),
                    show(other),
                    format!("the mean of the histogram's levels, from {lo} to {hi}"),
                ))
            }
        }
    }
    let unmet = x.unmet_by_setting.unwrap_or(0);
    if unmet > 0 {
        // Over the m ≤ n children with readiness known: 1 − unmet/m ≤ 1 − unmet/n.
        let most = 1.0 - unmet as f64 / n.max(1) as f64;
        match x.met_by_setting {
            Some(m) if m <= most + EPS => {}
            other => {
                return Err(invalid(
                    &at("met_by_setting"),
                    show(other),
                    format!(
                    "at most 1 - unmet_by_setting / n ({most}): {unmet} of at most {n} are unmet"
                ),
                ))
            }
        }
    }
    if x.met_by_setting.is_some() != x.mean_setting_gap.is_some() {
        return Err(invalid(&at("mean_setting_gap"), show(x.mean_setting_gap), format!("{} as met_by_setting is (both are over the children with need and readiness known)", if x.met_by_setting.is_some() { "a number" } else { "null" })));
    }
    if x.mean_delta_need.is_some() != (triple > 0) {
        return Err(invalid(
            &at("mean_delta_need"),
            show(x.mean_delta_need),
            format!(
                "{} as improved + stable + worsened is {triple}",
                if triple > 0 { "a number" } else { "null" }
            ),
        ));
    }
    Ok(())
}

/// §12's priorities: the domains with unmet_by_setting above 0, the most
/// unmet first.
fn check_priorities(g: &GroupIn, path: &str) -> Result<(), NotASummary> {
    let at = |key: &str| join(path, key);
    let mut want: Vec<Domain> = Domain::ALL
        .into_iter()
        .filter(|&d| g.domains[d].unmet_by_setting.unwrap_or(0) > 0)
        .collect();
    let mut got = g.priorities.clone();
    let ordered = g
        .priorities
        .windows(2)
        .all(|w| g.domains[w[0]].unmet_by_setting >= g.domains[w[1]].unmet_by_setting);
    want.sort();
    got.sort();
    if want != got || !ordered {
        let keys: Vec<&str> = g.priorities.iter().map(|d| d.key()).collect();
        return Err(invalid(
            &at("priorities"),
            format!("{keys:?}"),
            "the domains with unmet_by_setting above 0, the most unmet first",
        ));
    }
    Ok(())
}

/// The need correlation matrix: 1 or null on its diagonal, symmetric.
fn check_correlation(g: &GroupIn, path: &str) -> Result<(), NotASummary> {
    let at = |key: &str| join(path, key);
    for i in 0..5 {
        let diagonal = g.need_correlation[i][i];
        if diagonal.is_some_and(|r| r != 1.0) {
            return Err(invalid(
                &format!("{}[{i}][{i}]", at("need_correlation")),
                show(diagonal),
                "1 or null on the diagonal",
            ));
        }
        for j in 0..i {
            if !same(g.need_correlation[i][j], g.need_correlation[j][i]) {
                return Err(invalid(
                    &format!("{}[{i}][{j}]", at("need_correlation")),
                    show(g.need_correlation[i][j]),
                    format!(
                        "the same as [{j}][{i}] ({}): the matrix is symmetric",
                        show(g.need_correlation[j][i])
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The relations of a group of a shared summary (§14 rules 3–5): the two
/// derived figures as recomputed from the shown counts, every other figure
/// null, `priorities` and `suppressed` as the shown counts give them.
fn check_shared(g: &GroupIn, path: &str, is_all: bool, s: Suppression) -> Result<(), NotASummary> {
    let at = |key: &str| join(path, key);
    let only_derived = "null: a shared summary shows no mean, share, coverage, correlation or money figure other than mean_need and met_by_setting";
    if !is_all && g.children == Some(0) {
        return Err(invalid(&at("children"), 0, format!("a positive multiple of B = {}: a group other than all has at least K = {} children", s.round_to(), s.min_count())));
    }
    for (d, x) in g.domains.iter() {
        let dp = join(path, d.key());
        let at = |key: &str| join(&dp, key);
        let mean = crate::suppress::mean_of_histogram(x.histogram.iter().copied());
        if !same(x.mean_need, mean) {
            return Err(invalid(
                &at("mean_need"),
                show(x.mean_need),
                format!(
                    "{}, the mean of the shown histogram (null when an entry is null or all are 0)",
                    show(mean)
                ),
            ));
        }
        let met = crate::suppress::met_from(x.unmet_by_setting, x.n);
        if !same(x.met_by_setting, met) {
            return Err(invalid(&at("met_by_setting"), show(x.met_by_setting), format!("{}, 1 - unmet_by_setting / n with the shown counts (null when either is null or n is 0)", show(met))));
        }
        for (key, value) in [
            ("met_by_family", x.met_by_family),
            ("mean_setting_gap", x.mean_setting_gap),
            ("mean_delta_need", x.mean_delta_need),
            ("planned_met_by_setting", x.planned_met_by_setting),
        ] {
            if value.is_some() {
                return Err(invalid(&at(key), show(value), only_derived));
            }
        }
    }
    for (key, value) in [
        ("mean_need_index", g.mean_need_index),
        ("mean_setting_coverage", g.mean_setting_coverage),
        ("mean_family_coverage", g.mean_family_coverage),
        ("top_up_total", g.top_up_total),
    ] {
        if value.is_some() {
            return Err(invalid(&at(key), show(value), only_derived));
        }
    }
    for (i, row) in g.need_correlation.iter().enumerate() {
        for (j, r) in row.iter().enumerate() {
            if r.is_some() {
                return Err(invalid(
                    &format!("{}[{i}][{j}]", at("need_correlation")),
                    show(*r),
                    only_derived,
                ));
            }
        }
    }
    let want =
        crate::suppress::priorities_from(PerDomain::from_fn(|d| g.domains[d].unmet_by_setting));
    if g.priorities != want {
        let keys = |p: &[Domain]| format!("{:?}", p.iter().map(|d| d.key()).collect::<Vec<_>>());
        return Err(invalid(&at("priorities"), keys(&g.priorities), format!("{}, the domains with a shown unmet_by_setting above 0, the most first, ties in domain order", keys(&want))));
    }
    let hidden = group_counts(g).iter().any(|(_, c)| c.is_none());
    if g.suppressed != Some(hidden) {
        return Err(invalid(
            &at("suppressed"),
            g.suppressed.map_or("null".to_owned(), |b| b.to_string()),
            format!("{hidden}: whether any count of the group is null"),
        ));
    }
    Ok(())
}

/// Every count of a group with its path below the group, in file order.
fn group_counts(g: &GroupIn) -> Vec<(String, Option<u64>)> {
    let mut out = vec![
        ("children".to_owned(), g.children),
        ("assessments".to_owned(), g.assessments),
        ("overdue".to_owned(), g.overdue),
    ];
    for (d, x) in g.domains.iter() {
        let k = d.key();
        out.push((format!("{k}.n"), x.n));
        for (j, h) in x.histogram.iter().enumerate() {
            out.push((format!("{k}.histogram[{j}]"), *h));
        }
        for (key, c) in [
            ("improved", x.improved),
            ("stable", x.stable),
            ("worsened", x.worsened),
            ("high_need", x.high_need),
            ("unmet_by_setting", x.unmet_by_setting),
        ] {
            out.push((format!("{k}.{key}"), c));
        }
    }
    for (id, c) in g.bands.iter().flatten() {
        out.push((join("bands", id), *c));
    }
    out
}

/// In an exact summary with by-groups, every child is in exactly one of
/// them: each count of `all` is the sum of the by-groups'.
fn check_partition(groups: &BTreeMap<String, GroupIn>) -> Result<(), NotASummary> {
    let all = &groups["all"];
    let by: Vec<&GroupIn> = groups
        .iter()
        .filter(|(k, _)| *k != "all")
        .map(|(_, g)| g)
        .collect();
    if by.is_empty() {
        return Ok(());
    }
    let mut sums: Vec<u128> = vec![0; group_counts(all).len()];
    for g in &by {
        let counts = group_counts(g);
        if counts.len() != sums.len() {
            // Different bands from `all`'s.
            return Err(invalid(
                "groups",
                "groups with different bands",
                "the same bands in every group",
            ));
        }
        for (sum, (_, c)) in sums.iter_mut().zip(counts) {
            *sum += u128::from(c.unwrap_or(0));
        }
    }
    for ((key, c), sum) in group_counts(all).into_iter().zip(sums) {
        let c = c.unwrap_or(0);
        if u128::from(c) != sum {
            return Err(invalid(
                &format!("groups.all.{key}"),
                c,
                format!(
                    "the sum over the other groups ({sum}): every child is in exactly one group"
                ),
            ));
        }
    }
    Ok(())
}

/// `all`, or `<key>=<value>` with one key for every group.
fn check_names(groups: &Map<String, Value>) -> Result<(), NotASummary> {
    let mut first: Option<&str> = None;
    for name in groups.keys().filter(|k| *k != "all") {
        let path = join("groups", name);
        let key = name
            .split_once('=')
            .filter(|(k, v)| {
                ["setting_id", "age_band", "primary_domain"].contains(k) && !v.is_empty()
            })
            .map(|(k, _)| k)
            .ok_or_else(|| {
                invalid(
                    &path,
                    format!("{name:?}"),
                    "\"all\" or \"<key>=<value>\" with key setting_id, age_band or primary_domain",
                )
            })?;
        match first {
            None => first = Some(key),
            Some(f) if f != key => {
                return Err(invalid(
                    &path,
                    format!("{name:?}"),
                    format!("a group of {f}, as the others: a summary is grouped by one key"),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A JSON value read refusing a key given twice in any object: a plain
/// [`Value`] keeps the last silently, so a second `"as_of"` or `"n"` would
/// stand in for the first unseen.
struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Unique;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, b: bool) -> Result<Unique, E> {
                Ok(Unique(Value::Bool(b)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Unique, E> {
                Ok(Unique(Value::from(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Unique, E> {
                Ok(Unique(Value::from(n)))
            }
            fn visit_f64<E>(self, x: f64) -> Result<Unique, E> {
                Ok(Unique(Value::from(x)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Unique, E> {
                Ok(Unique(Value::String(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Unique, E> {
                Ok(Unique(Value::String(s)))
            }
            fn visit_unit<E>(self) -> Result<Unique, E> {
                Ok(Unique(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Unique, E> {
                Ok(Unique(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Unique, A::Error> {
                let mut items = Vec::new();
                while let Some(Unique(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Unique(Value::Array(items)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Unique, A::Error> {
                let mut out = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(crate::framework::duplicate_key(&key));
                    }
                    let Unique(value) = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(Unique(Value::Object(out)))
            }
        }
        d.deserialize_any(V)
    }
}

impl SummaryFile {
    /// Reads a cohort summary written by vsend, checking its shape (every
    /// key present, null only where the file allows it, no other key) and
    /// every figure against what `vsend cohort` can write: counts whole and
    /// within their totals, shares in 0 to 1, means within the scale; in an
    /// exact summary histograms summing to `n` and by-groups to `all`; in a
    /// shared one counts 0 or multiples of B and only the figures §14 rule 4
    /// keeps. A MODEL 1.1 shared summary is refused. Each problem names its
    /// key path, the value found and what is allowed.
    ///
    /// ```
    /// use vsend_core::{Cohort, Framework, NotASummary, SummaryFile};
    /// let fw = Framework::default();
    /// let json = serde_json::to_string(&Cohort::new(&fw, None).summary(None)).unwrap();
    /// let file = SummaryFile::from_json(&json).unwrap();
    /// assert_eq!(file.max_level(), 4);
    /// assert!(file.suppression().is_none()); // exact
    /// let err = SummaryFile::from_json(&json.replace(r#""overdue":0"#, r#""overdue":-1"#)).unwrap_err();
    /// assert_eq!(err.to_string(), "groups.all.overdue: -1 is not allowed; allowed a whole number, 0 or more (a summary without suppression hides no count)");
    /// assert!(matches!(SummaryFile::from_json("12"), Err(NotASummary::Invalid { .. })));
    /// ```
    pub fn from_json(json: &str) -> Result<SummaryFile, NotASummary> {
        let Unique(value) = serde_json::from_str(json).map_err(|e| {
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            NotASummary::Syntax {
                line: e.line(),
                column: e.column(),
                message: message.strip_suffix(&suffix).unwrap_or(&message).to_owned(),
            }
        })?;
        Self::from_value(&value)
    }

    /// As [`from_json`](Self::from_json), from JSON already parsed.
    pub fn from_value(value: &Value) -> Result<SummaryFile, NotASummary> {
        let root = object(
            value,
            "",
            &["as_of", "framework_id", "framework_version", "groups"],
            &["suppression"],
        )?;
        let as_of = match &root["as_of"] {
            Value::Null => None,
            v => Some(
                v.as_str()
                    .and_then(parse_date)
                    .ok_or_else(|| invalid("as_of", found(v), "a date YYYY-MM-DD, or null"))?,
            ),
        };
        let text = |key: &str, non_empty: bool| {
            let v = &root[key];
            v.as_str()
                .filter(|s| !non_empty || !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| {
                    invalid(
                        key,
                        found(v),
                        if non_empty {
                            "a non-empty string"
                        } else {
                            "a string"
                        },
                    )
                })
        };
        let framework_id = text("framework_id", true)?;
        let framework_version = text("framework_version", false)?;
        let suppression = root.get("suppression").map(read_suppression).transpose()?;
        let groups = root["groups"].as_object().ok_or_else(|| {
            invalid(
                "groups",
                found(&root["groups"]),
                "an object of groups by name",
            )
        })?;
        if !groups.contains_key("all") {
            return Err(NotASummary::Missing {
                path: "groups.all".to_owned(),
            });
        }
        check_names(groups)?;
        let mut reader = Reader {
            suppression,
            levels: common_histogram_length(groups),
        };
        let mut read = BTreeMap::new();
        for name in
            std::iter::once("all").chain(groups.keys().map(String::as_str).filter(|k| *k != "all"))
        {
            let path = join("groups", name);
            let is_all = name == "all";
            let g = reader.group(&groups[name], &path, is_all)?;
            check_totals(&g, &path)?;
            match suppression {
                None => check_exact(&g, &path)?,
                Some(s) => check_shared(&g, &path, is_all, s)?,
            }
            read.insert(name.to_owned(), g);
        }
        if suppression.is_none() {
            check_partition(&read)?;
        }
        Ok(SummaryFile {
            as_of,
            framework_id,
            framework_version,
            suppression,
            groups: read,
        })
    }

    /// The date summarised as of.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }

    /// The framework's id.
    pub fn framework_id(&self) -> &str {
        &self.framework_id
    }

    /// The framework's version.
    pub fn framework_version(&self) -> &str {
        &self.framework_version
    }

    /// K and B when the summary was made safe to share (its counts are
    /// rounded); `None` for an exact summary.
    pub fn suppression(&self) -> Option<Suppression> {
        self.suppression
    }

    /// The groups by name, `all` among them.
    pub fn groups(&self) -> &BTreeMap<String, GroupIn> {
        &self.groups
    }

    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<&GroupIn> {
        self.groups.get(name)
    }

    /// The `all` group (present in every file [`from_json`](Self::from_json) accepts).
    pub fn all(&self) -> &GroupIn {
        &self.groups["all"]
    }

    /// The scale's max_level, judged from the histogram length.
    pub fn max_level(&self) -> usize {
        self.all().domains[Domain::Cl].histogram.len() - 1
    }
}

fn read_suppression(v: &Value) -> Result<Suppression, NotASummary> {
    let map = object(v, "suppression", &["min_count"], &["round_to"])?;
    let k = &map["min_count"];
    let min_count = k
        .as_u64()
        .filter(|k| Suppression::MIN_COUNTS.contains(k))
        .ok_or_else(|| {
            invalid(
                "suppression.min_count",
                found(k),
                "a whole number K from 2 to 100",
            )
        })?;
    let b = map
        .get("round_to")
        .ok_or(NotASummary::Before12 { min_count })?;
    let round_to = b
        .as_u64()
        .filter(|b| Suppression::ROUND_TOS.contains(b))
        .ok_or_else(|| {
            invalid(
                "suppression.round_to",
                found(b),
                "a whole number B from 3 to 100",
            )
        })?;
    Ok(Suppression::new(min_count, Some(round_to)).expect("K and B checked"))
}

/// Why summaries could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// Nothing to compare.
    #[error("no summaries to compare")]
    Empty,
    /// One input is not a cohort summary.
    #[error("{label}: not a cohort summary written by vsend cohort: {reason}")]
    NotASummary {
        /// The input's label.
        label: String,
        /// What is wrong with it.
        reason: NotASummary,
    },
    /// Two inputs with one label: their rows could not be told apart.
    #[error("{label}: the label of summaries {first} and {second}; each summary needs its own label (the CLI labels a file by its name without .json, so rename one)")]
    SameLabel {
        /// The label.
        label: String,
        /// The first input with it, counting from 1.
        first: usize,
        /// The second input with it, counting from 1.
        second: usize,
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
    /// The summary's `suppression` (`{"min_count": K, "round_to": B}`) when
    /// it was shared: its counts are rounded to B and its figures come from
    /// rounded counts. Null for an exact summary.
    pub suppression: Option<Suppression>,
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

/// Compares summaries (§14): per summary its label, `as_of`, `suppression`
/// (null when exact), the `all` group's `children` and per domain
/// `mean_need`, `met_by_setting`, `met_by_family`, `high_need_share`, each
/// with its difference from the first summary's (null when either is null).
/// Labels must differ. Summaries of different frameworks (id, or max_level
/// judged from the histograms) are an error.
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
/// assert_eq!(c.rows[1].suppression, None); // exact
/// assert_eq!(c.rows[1].domains[Domain::Cl].diff_mean_need, Some(2.0));
/// assert_eq!(c.rows[1].domains[Domain::Cl].diff_high_need_share, Some(1.0));
/// assert_eq!(c.rows[1].domains[Domain::Ci].diff_mean_need, None); // no ci need known
/// assert!(compare(&[("x".into(), summary_at("1")), ("x".into(), summary_at("2"))]).is_err());
/// ```
pub fn compare(summaries: &[(String, SummaryFile)]) -> Result<Comparison, CompareError> {
    let (reference_label, reference) = summaries.first().ok_or(CompareError::Empty)?;
    for (i, (label, s)) in summaries.iter().enumerate() {
        if let Some(first) = summaries[..i].iter().position(|(l, _)| l == label) {
            return Err(CompareError::SameLabel {
                label: label.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
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
            suppression: s.suppression,
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
