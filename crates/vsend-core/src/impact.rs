//! §16 Impact of support: where a setting's readiness (or a family's
//! confidence) rose, did the child's need then fall more than for comparable
//! children whose support did not rise?
//!
//! An observational comparison, not proof of cause: children are compared
//! within strata of where their need started and how it moved up to the time
//! support changed, and the interval is a bootstrap over children.

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;

use crate::domain::{Domain, PerDomain};
use crate::forecast::{quantile, MAX_REPLICATES};
use crate::framework::Framework;
use crate::history::Histories;
use crate::rng::SplitMix64;

/// The options of an impact analysis (§16). [`Default`] gives the spec's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactOptions {
    /// The date read as of; `None` for the latest `assessed_on`.
    pub as_of: Option<Date>,
    /// B: bootstrap replicates, 0 to 10 000 (default 200).
    pub replicates: u32,
    /// The seed of the master generator (default 1).
    pub seed: u64,
}

impl Default for ImpactOptions {
    fn default() -> Self {
        ImpactOptions {
            as_of: None,
            replicates: 200,
            seed: 1,
        }
    }
}

impl ImpactOptions {
    /// Checks each option against its range (§16).
    pub fn validate(&self) -> Result<(), ImpactError> {
        if self.replicates > MAX_REPLICATES {
            return Err(ImpactError::Replicates(self.replicates));
        }
        Ok(())
    }
}

/// Why an impact analysis could not be made (§16).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImpactError {
    /// More than 10 000 replicates.
    #[error("replicates {0} is not allowed: 0 to 10000")]
    Replicates(u32),
    /// No assessment at all, so no date to read as of.
    #[error("no assessments to analyse")]
    NoAssessments,
    /// The histories were built keeping only some reviews.
    #[error(
        "an impact analysis reads every review: build the histories with Keep::All or Keep::levels of this framework"
    )]
    NotAllReviewsKept,
}

/// The kind of support whose rise is studied (§16), each analysed apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Support {
    /// The setting's readiness.
    Readiness,
    /// The family's confidence.
    Confidence,
}

impl Support {
    /// Both, in output order.
    pub const ALL: [Support; 2] = [Support::Readiness, Support::Confidence];

    /// The key used in files: `readiness` or `confidence`.
    pub const fn key(self) -> &'static str {
        match self {
            Support::Readiness => "readiness",
            Support::Confidence => "confidence",
        }
    }
}

/// The effect of a rise in one support on one domain's need (§16).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    /// Exposed observations: support rose by at least meaningful_change.
    pub exposed: u64,
    /// Exposed observations in matched strata.
    pub matched: u64,
    /// Comparison observations in matched strata.
    pub comparison: u64,
    /// Matched strata: those with both exposed and comparison observations.
    pub strata: u64,
    /// Mean need change after the rise over matched exposed observations;
    /// `None` over none.
    pub mean_change_exposed: Option<f64>,
    /// The mean effect on the exposed: the exposed-weighted mean over matched
    /// strata of (mean change exposed − mean change comparison); negative
    /// means the need fell more where support rose. `None` when no stratum
    /// is matched.
    pub effect: Option<f64>,
    /// The 2.5 % bootstrap quantile of the effect; `None` when no replicate
    /// has an effect, or with no replicates.
    pub low: Option<f64>,
    /// The 97.5 % bootstrap quantile, likewise.
    pub high: Option<f64>,
}

/// The effects of both supports (§16 `support`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactSupport {
    /// Of a rise in the setting's readiness, per domain.
    pub readiness: PerDomain<Effect>,
    /// Of a rise in the family's confidence, per domain.
    pub confidence: PerDomain<Effect>,
}

impl ImpactSupport {
    /// The effect of one support on one domain.
    pub fn get(&self, support: Support, d: Domain) -> &Effect {
        match support {
            Support::Readiness => &self.readiness[d],
            Support::Confidence => &self.confidence[d],
        }
    }
}

/// An impact analysis (§16), serialising to the §16 JSON. Observational:
/// a comparison within strata, not proof of cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// The date read as of.
    pub as_of: Date,
    /// The framework's id.
    pub framework_id: String,
    /// The framework's version.
    pub framework_version: String,
    /// The smallest rise in support that counts as exposure (§2).
    pub meaningful_change: f64,
    /// B.
    pub replicates: u32,
    /// The seed of the master generator.
    pub seed: u64,
    /// The impact children: those with at least one observation.
    pub children: u64,
    /// The effects.
    pub support: ImpactSupport,
}

/// Analyses the impact of support (§16) in `histories`, which must keep
/// every review: [`Keep::levels`](crate::history::Keep::levels) of `framework` (a
/// few bytes a review) or [`Keep::All`](crate::history::Keep::All).
///
/// Every three consecutive reviews A, B, C of a child on or before `as_of`
/// give, per domain with need known in all three and the support known in A
/// and B, one observation: exposed when the support rose from A to B by at
/// least meaningful_change, the outcome need_C − need_B, in the stratum
/// (floor need_A, floor need_B).
///
/// ```
/// use vsend_core::{impact, AssessmentBuilder, Domain, Framework, Histories, ImpactOptions};
/// use vsend_core::history::Keep;
/// let fw = Framework::default();
/// let mut histories = Histories::new(Keep::All);
/// // C1's readiness in cl rises, and its need then falls; C2's stays, and its need does not.
/// for (child, on, need, ready) in [("C1", "2024-01-10", "3", "1"), ("C1", "2024-05-10", "3", "3"),
///                                  ("C1", "2024-09-10", "2", "3"), ("C2", "2024-01-10", "3", "1"),
///                                  ("C2", "2024-05-10", "3", "1"), ("C2", "2024-09-10", "3", "1")] {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on(on).need("cl.literacy", need).readiness(Domain::Cl, ready);
///     histories.add(&b.build().unwrap()).unwrap();
/// }
/// let i = impact(&fw, &histories, &ImpactOptions::default())?;
/// let cl = &i.support.readiness[Domain::Cl];
/// assert_eq!((cl.exposed, cl.matched, cl.comparison, cl.strata), (1, 1, 1, 1));
/// assert_eq!(cl.effect, Some(-1.0));
/// # Ok::<(), vsend_core::ImpactError>(())
/// ```
pub fn impact(
    framework: &Framework,
    histories: &Histories,
    options: &ImpactOptions,
) -> Result<Impact, ImpactError> {
    impact_with_progress(framework, histories, options, &|| {})
}

/// [`impact`], calling `progress` each time one of the B replicates is
/// done, from whichever thread ran it. For a progress bar; the result does
/// not depend on it.
pub fn impact_with_progress(
    framework: &Framework,
    histories: &Histories,
    options: &ImpactOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Impact, ImpactError> {
    options.validate()?;
    if !histories.keeps_every_review(framework) {
        return Err(ImpactError::NotAllReviewsKept);
    }
    let as_of = options
        .as_of
        .or(histories.as_of())
        .ok_or(ImpactError::NoAssessments)?;
    let observations = Observations::new(framework, histories, as_of);
    let point = observations.effects(None);
    let seeds = SplitMix64::replicate_seeds(options.seed, options.replicates as usize);
    let n = observations.children();
    // Each replicate on its own generator, collected in replicate order.
    let replicates: Vec<Vec<Option<f64>>> = seeds
        .par_iter()
        .map(|&seed| {
            let mut rng = SplitMix64::new(seed);
            let mut weights = vec![0u32; n];
            for _ in 0..n {
                weights[rng.index(n as u64) as usize] += 1;
            }
            let effects = observations
                .effects(Some(&weights))
                .into_iter()
                .map(|s| s.effect)
                .collect();
            progress();
            effects
        })
        .collect();
    let mut effects = point.into_iter().enumerate().map(|(cell, s)| {
        let mut values: Vec<f64> = replicates.iter().filter_map(|r| r[cell]).collect();
        values.sort_by(f64::total_cmp);
        let bounds =
            (!values.is_empty()).then(|| (quantile(&values, 0.025), quantile(&values, 0.975)));
        Effect {
            exposed: s.exposed,
            matched: s.matched,
            comparison: s.comparison,
            strata: s.strata,
            mean_change_exposed: s.mean_change_exposed,
            effect: s.effect,
            low: bounds.map(|b| b.0),
            high: bounds.map(|b| b.1),
        }
    });
    let mut per_domain = || PerDomain(std::array::from_fn(|_| effects.next().expect("10 cells")));
    let support = ImpactSupport {
        readiness: per_domain(),
        confidence: per_domain(),
    };
    Ok(Impact {
        as_of,
        framework_id: framework.id().to_owned(),
        framework_version: framework.version().to_owned(),
        meaningful_change: framework.meaningful_change(),
        replicates: options.replicates,
        seed: options.seed,
        children: n as u64,
        support,
    })
}

/// The (support, domain) pairs, `support · 5 + domain`.
const CELLS: usize = 10;

/// Bits of a summed entry's key that hold its count (the rest, its slot:
/// at most 10 × 11 × 11 × 2 slots, under 2^12).
const COUNT_BITS: u32 = 20;

/// Every observation of §16, grouped by impact child (child-ID order), each
/// child's summed per slot `((cell · L + floor need_A) · L + floor need_B) ·
/// 2 + exposed`: the bootstrap only ever weighs a child's observations all
/// alike. A million children give some forty million observations and
/// tens of millions of entries, so an entry takes 8 bytes where it can.
struct Observations {
    levels: usize,
    /// Per entry: `slot << COUNT_BITS | count`; a count of 0 says the count
    /// did not fit and is in `big`.
    keys: Vec<u32>,
    /// Per entry: the sum of its outcomes, in review order.
    sums: Sums,
    /// (entry, count) of the entries whose count did not fit, in entry order.
    big: Vec<(usize, u32)>,
    /// Child i's entries are `ends[i - 1]..ends[i]`.
    ends: Vec<usize>,
}

/// The entries' sums: as `f32` while every sum is one exactly (always with
/// [`Aggregate::Max`](crate::framework::Aggregate::Max), whose outcomes are
/// whole), else as `f64`. Either gives back the same `f64`.
enum Sums {
    Narrow(Vec<f32>),
    Wide(Vec<f64>),
}

impl Sums {
    fn push(&mut self, sum: f64) {
        match self {
            Sums::Narrow(v) if f64::from(sum as f32) == sum => v.push(sum as f32),
            Sums::Narrow(v) => {
                let mut wide: Vec<f64> = v.iter().copied().map(f64::from).collect();
                wide.push(sum);
                *self = Sums::Wide(wide);
            }
            Sums::Wide(v) => v.push(sum),
        }
    }
}

/// One (support, domain)'s figures before the interval.
#[derive(Debug, Clone, Copy, Default)]
struct Point {
    exposed: u64,
    matched: u64,
    comparison: u64,
    strata: u64,
    mean_change_exposed: Option<f64>,
    effect: Option<f64>,
}

impl Observations {
    fn new(fw: &Framework, histories: &Histories, as_of: Date) -> Self {
        let levels = usize::from(fw.scale().max_level()) + 1;
        let mc = fw.meaningful_change();
        let mut out = Observations {
            levels,
            keys: Vec::new(),
            sums: Sums::Narrow(Vec::new()),
            big: Vec::new(),
            ends: Vec::new(),
        };
        let aggregate = fw.aggregate();
        let mut child: Vec<(u32, f64)> = Vec::new();
        histories.each_child_levels(fw, |kept| {
            let upto = kept.partition_point(|r| r.assessed_on() <= as_of);
            if upto < 3 {
                return;
            }
            child.clear();
            for w in kept[..upto].windows(3) {
                let (a, b, c) = (&w[0], &w[1], &w[2]);
                for d in 0..5 {
                    let (Some(na), Some(nb), Some(nc)) = (
                        a.need(aggregate, d),
                        b.need(aggregate, d),
                        c.need(aggregate, d),
                    ) else {
                        continue;
                    };
                    let stratum = (na.floor() as usize) * levels + nb.floor() as usize;
                    for (s, (sa, sb)) in [
                        (a.readiness(d), b.readiness(d)),
                        (a.confidence(d), b.confidence(d)),
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        let (Some(sa), Some(sb)) = (sa, sb) else {
                            continue;
                        };
                        let rise = f64::from(sb) - f64::from(sa);
                        let exposed = usize::from(rise >= mc);
                        let cell = s * 5 + d;
                        let slot = (cell * levels * levels + stratum) * 2 + exposed;
                        child.push((slot as u32, nc - nb));
                    }
                }
            }
            if child.is_empty() {
                return;
            }
            // A stable sort keeps each slot's outcomes in review order when summed.
            child.sort_by_key(|&(slot, _)| slot);
            for run in child.chunk_by(|a, b| a.0 == b.0) {
                let sum = run[1..].iter().fold(run[0].1, |sum, &(_, y)| sum + y);
                out.push(run[0].0, run.len() as u32, sum);
            }
            out.ends.push(out.keys.len());
        });
        out
    }

    /// Adds one entry: a child's `count` observations in `slot`, whose
    /// outcomes sum to `sum`.
    fn push(&mut self, slot: u32, count: u32, sum: f64) {
        if count < 1 << COUNT_BITS {
            self.keys.push(slot << COUNT_BITS | count);
        } else {
            self.big.push((self.keys.len(), count));
            self.keys.push(slot << COUNT_BITS);
        }
        self.sums.push(sum);
    }

    /// The slot and count of entry `at`.
    #[inline]
    fn entry(&self, at: usize) -> (usize, u32) {
        let key = self.keys[at];
        let count = match key % (1 << COUNT_BITS) {
            0 => self.big[self.big.partition_point(|&(e, _)| e < at)].1,
            n => n,
        };
        ((key >> COUNT_BITS) as usize, count)
    }

    fn children(&self) -> usize {
        self.ends.len()
    }

    /// Per slot, the weighted count and weighted sum of outcomes.
    fn weigh<T: Copy + Into<f64>>(&self, weights: Option<&[u32]>, sums: &[T]) -> [Vec<f64>; 2] {
        let slots = CELLS * self.levels * self.levels * 2;
        let (mut count, mut sum) = (vec![0.0f64; slots], vec![0.0f64; slots]);
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let w = weights.map_or(1, |w| w[i]);
            if w > 0 {
                let w = f64::from(w);
                for (at, &y) in (start..).zip(&sums[start..end]) {
                    let (slot, n) = self.entry(at);
                    count[slot] += w * f64::from(n);
                    sum[slot] += w * y.into();
                }
            }
            start = end;
        }
        [count, sum]
    }

    /// The figures of every (support, domain), each child counted
    /// `weights[i]` times (once each without weights, when the weighted
    /// counts are the observation counts).
    fn effects(&self, weights: Option<&[u32]>) -> Vec<Point> {
        let l = self.levels;
        let strata = l * l;
        let [count, sum] = match &self.sums {
            Sums::Narrow(sums) => self.weigh(weights, sums),
            Sums::Wide(sums) => self.weigh(weights, sums),
        };
        let raw = |slot: usize| count[slot] as u64;
        (0..CELLS)
            .map(|cell| {
                let mut p = Point::default();
                let (mut numerator, mut exposed_weight, mut change_sum) = (0.0, 0.0, 0.0);
                for stratum in 0..strata {
                    let comparison = (cell * strata + stratum) * 2;
                    let exposed = comparison + 1;
                    p.exposed += raw(exposed);
                    if count[exposed] > 0.0 && count[comparison] > 0.0 {
                        p.strata += 1;
                        p.matched += raw(exposed);
                        p.comparison += raw(comparison);
                        change_sum += sum[exposed];
                        let e = count[exposed];
                        numerator += e * (sum[exposed] / e - sum[comparison] / count[comparison]);
                        exposed_weight += e;
                    }
                }
                if exposed_weight > 0.0 {
                    p.effect = Some(numerator / exposed_weight);
                    p.mean_change_exposed = Some(change_sum / exposed_weight);
                }
                p
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_give_back_every_count_and_sum_exactly() {
        let mut o = Observations {
            levels: 5,
            keys: Vec::new(),
            sums: Sums::Narrow(Vec::new()),
            big: Vec::new(),
            ends: Vec::new(),
        };
        o.push(7, 3, -2.0);
        o.push(9, 1 << COUNT_BITS, 4.0);
        assert!(matches!(o.sums, Sums::Narrow(_)), "whole sums stay narrow");
        o.push(499, 2, 1.0 / 3.0);
        o.push(1, u32::MAX, 0.5);
        o.ends.push(4);
        assert_eq!(o.entry(0), (7, 3));
        assert_eq!(o.entry(1), (9, 1 << COUNT_BITS));
        assert_eq!(o.entry(2), (499, 2));
        assert_eq!(o.entry(3), (1, u32::MAX));
        let Sums::Wide(sums) = &o.sums else {
            panic!("a third is not an f32")
        };
        assert_eq!(sums, &[-2.0, 4.0, 1.0 / 3.0, 0.5]);
        let [count, sum] = o.weigh(Some(&[2]), sums);
        assert_eq!((count[499], sum[499]), (4.0, 2.0 / 3.0));
        assert_eq!((count[9], sum[9]), (f64::from(2u32 << COUNT_BITS), 8.0));
    }
}
