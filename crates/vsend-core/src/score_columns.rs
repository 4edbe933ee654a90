//! §4–§6 a column at a time: the scores of a block of rows laid out as the
//! scored output's columns (§10), for a caller that writes columns (a
//! DataFrame's, an Arrow table's) rather than rows.
//!
//! Each figure is worked out with the same operations, in the same order, as
//! [`score`](fn@crate::score) works it out for one row, so the two agree to
//! the bit (a test holds them to it); only the layout differs: a column's
//! values side by side, each loop over one column free of branches.

use std::ops::Range;

use crate::columns::PlainBlock;
use crate::dates::age_in_years;
use crate::domain::{Domain, DomainSet, PerDomain};
use crate::framework::{Aggregate, Framework};
use crate::score::{AgeBand, NOT_ASSESSED};

/// A column of real figures, one per row: row `i`'s is `values[i]` unless
/// `absent[i]` (then `values[i]` is 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    values: Vec<f64>,
    absent: Vec<bool>,
}

impl Figures {
    /// The values (0 where absent).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Whether each row's figure is absent.
    pub fn absent(&self) -> &[bool] {
        &self.absent
    }

    /// Row `i`'s figure, when present.
    pub fn get(&self, i: usize) -> Option<f64> {
        (!self.absent[i]).then_some(self.values[i])
    }

    fn clear(&mut self) {
        self.values.clear();
        self.absent.clear();
    }
}

/// A column of levels (readiness, confidence), one per row: row `i`'s is
/// `values[i]` unless `absent[i]` (not assessed; then `values[i]` is 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    values: Vec<u8>,
    absent: Vec<bool>,
}

impl Counts {
    /// The values (0 where absent).
    pub fn values(&self) -> &[u8] {
        &self.values
    }

    /// Whether each row's level is absent.
    pub fn absent(&self) -> &[bool] {
        &self.absent
    }

    /// Row `i`'s level, when present.
    pub fn get(&self, i: usize) -> Option<u8> {
        (!self.absent[i]).then_some(self.values[i])
    }
}

/// The scored columns of §10 (all but the IDs, the date and the framework's
/// name) for rows of a [`PlainBlock`], a column at a time: entry `i` of a
/// column is what [`score`](fn@crate::score) gives the `i`th row filled in.
/// Only rows read plainly have scores; the entries of any other row mean
/// nothing. Made once and filled again for each run of rows, so that its
/// memory is reused (and stays in the core's cache for runs of a thousand
/// rows or so).
///
/// ```
/// use vsend_core::{Column, ColumnLayout, Domain, Framework, PlainCell, ScoreColumns, EMPTY_LEVEL};
/// let fw = Framework::default();
/// let header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
/// let layout = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap();
/// // Two rows: need.cl.learning 3 in the first, empty in the second.
/// let learning = [3, EMPTY_LEVEL];
/// let mut codes: Vec<Option<&[u8]>> = vec![None; header.len()];
/// codes[4] = Some(&learning);
/// let cell = |i: usize, _row: usize| match i {
///     0 => PlainCell::Text("C1"),
///     1 => PlainCell::Text("2025-01-10"),
///     _ => PlainCell::Empty,
/// };
/// let block = layout.plain_block(&fw, 0..2, &codes, cell);
/// let mut columns = ScoreColumns::new();
/// columns.fill(&fw, &block, 0..2);
/// assert_eq!(columns.need(Domain::Cl).get(0), Some(3.0));
/// assert_eq!(columns.need(Domain::Cl).get(1), None);
/// assert_eq!(columns.breadth(Domain::Cl), [1, 0]);
/// let first = block.plain_scores(&fw, 0).unwrap().scores;
/// assert_eq!(first.need.get(Domain::Cl), columns.need(Domain::Cl).get(0));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ScoreColumns {
    need: PerDomain<Figures>,
    breadth: PerDomain<Vec<u8>>,
    readiness: PerDomain<Counts>,
    confidence: PerDomain<Counts>,
    setting_gap: PerDomain<Figures>,
    family_gap: PerDomain<Figures>,
    complete: Vec<bool>,
    total_need: Figures,
    need_index: Figures,
    setting_coverage: Figures,
    family_coverage: Figures,
    unmet_setting: Vec<Option<DomainSet>>,
    unmet_family: Vec<Option<DomainSet>>,
    primary_domain: Vec<Option<Domain>>,
    age_band: Vec<Option<AgeBand>>,
}

impl ScoreColumns {
    /// No rows yet.
    pub fn new() -> Self {
        ScoreColumns::default()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.complete.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.complete.is_empty()
    }

    /// need(d) (§4).
    pub fn need(&self, d: Domain) -> &Figures {
        &self.need[d]
    }

    /// Breadth (§4): assessed areas of d at level 2 or more.
    pub fn breadth(&self, d: Domain) -> &[u8] {
        &self.breadth[d]
    }

    /// The setting's readiness in d.
    pub fn readiness(&self, d: Domain) -> &Counts {
        &self.readiness[d]
    }

    /// The family's confidence in d.
    pub fn confidence(&self, d: Domain) -> &Counts {
        &self.confidence[d]
    }

    /// readiness(d) − need(d) (§5).
    pub fn setting_gap(&self, d: Domain) -> &Figures {
        &self.setting_gap[d]
    }

    /// confidence(d) − need(d) (§5).
    pub fn family_gap(&self, d: Domain) -> &Figures {
        &self.family_gap[d]
    }

    /// Whether all five needs are known (§5).
    pub fn complete(&self) -> &[bool] {
        &self.complete
    }

    /// The total need (§5), where complete.
    pub fn total_need(&self) -> &Figures {
        &self.total_need
    }

    /// The need index (§5), where complete.
    pub fn need_index(&self) -> &Figures {
        &self.need_index
    }

    /// The setting's coverage (§5), where complete and readiness is known in every domain.
    pub fn setting_coverage(&self) -> &Figures {
        &self.setting_coverage
    }

    /// The family's coverage (§5), where complete and confidence is known in every domain.
    pub fn family_coverage(&self) -> &Figures {
        &self.family_coverage
    }

    /// The domains whose need the setting does not meet (§5), where complete.
    pub fn unmet_setting(&self) -> &[Option<DomainSet>] {
        &self.unmet_setting
    }

    /// The domains whose need the family does not meet (§5), where complete.
    pub fn unmet_family(&self) -> &[Option<DomainSet>] {
        &self.unmet_family
    }

    /// The primary domain (§5): the first of the highest needs, where
    /// complete and some need is above 0.
    pub fn primary_domain(&self) -> &[Option<Domain>] {
        &self.primary_domain
    }

    /// The age band (§6), where the date of birth is known.
    pub fn age_band(&self) -> &[Option<AgeBand>] {
        &self.age_band
    }

    /// Scores rows `rows` of `block` (read under `framework`) into the
    /// columns, replacing what they held: entry `i` is row `rows.start + i`.
    /// Panics when `rows` are not rows of the block.
    pub fn fill(&mut self, framework: &Framework, block: &PlainBlock<'_>, rows: Range<usize>) {
        let levels = block.levels();
        let n = rows.len();
        for d in Domain::ALL {
            let i = d.index();
            let areas = &levels.areas[i][rows.clone()];
            let (sum, max) = (&levels.sum[i][rows.clone()], &levels.max[i][rows.clone()]);
            // need(d): unknown where no area was assessed.
            let need = &mut self.need[d];
            need.clear();
            need.absent.extend(areas.iter().map(|&k| k == 0));
            match framework.aggregate() {
                Aggregate::Max => need.values.extend(areas.iter().zip(max).map(|(&k, &m)| {
                    if k == 0 {
                        0.0
                    } else {
                        f64::from(m)
                    }
                })),
                Aggregate::Mean => need.values.extend(areas.iter().zip(sum).map(|(&k, &s)| {
                    if k == 0 {
                        0.0
                    } else {
                        f64::from(s) / f64::from(k)
                    }
                })),
            }
            self.breadth[d].clear();
            self.breadth[d].extend_from_slice(&levels.wide[i][rows.clone()]);
            let need = &self.need[d];
            for (offer, codes, gap) in [
                (
                    &mut self.readiness[d],
                    &levels.readiness[i],
                    &mut self.setting_gap[d],
                ),
                (
                    &mut self.confidence[d],
                    &levels.confidence[i],
                    &mut self.family_gap[d],
                ),
            ] {
                let codes = &codes[rows.clone()];
                offer.values.clear();
                offer.absent.clear();
                offer
                    .absent
                    .extend(codes.iter().map(|&c| c == NOT_ASSESSED));
                offer
                    .values
                    .extend(codes.iter().map(|&c| if c == NOT_ASSESSED { 0 } else { c }));
                // The gap: known where both are (DomainVector::minus).
                gap.clear();
                gap.absent
                    .extend(offer.absent.iter().zip(&need.absent).map(|(&a, &b)| a || b));
                let known = offer.values.iter().zip(&need.values).zip(&gap.absent);
                gap.values.extend(known.map(|((&o, &need), &absent)| {
                    let gap = f64::from(o) - need;
                    if absent {
                        0.0
                    } else {
                        gap
                    }
                }));
            }
        }
        self.fill_whole(framework, n);
        self.age_band.clear();
        self.age_band.extend(rows.map(|r| {
            let ids = block.ids(r)?;
            AgeBand::from_age(age_in_years(ids.born?, ids.assessed_on))
        }));
    }

    /// The whole-assessment figures of the `n` rows whose domain columns
    /// are filled, as `ReviewLevels::scores` works them out: a pass over
    /// the rows per domain, each free of branches.
    fn fill_whole(&mut self, framework: &Framework, n: usize) {
        let top = f64::from(framework.scale().max_level());
        let complete = &mut self.complete;
        complete.clear();
        complete.resize(n, true);
        for need in &self.need.0 {
            for (c, &absent) in complete.iter_mut().zip(&need.absent) {
                *c &= !absent;
            }
        }
        let complete = &self.complete[..];
        // nalgebra's sum, as `score` takes it: a fold from 0 in domain order.
        let mut total = vec![0.0; n];
        for need in &self.need.0 {
            for (t, &v) in total.iter_mut().zip(&need.values) {
                *t += v;
            }
        }
        fill_where(&mut self.total_need, complete, total.iter().copied());
        let index = total.iter().map(|&t| 100.0 * t / (5.0 * top));
        fill_where(&mut self.need_index, complete, index);
        let mut known = vec![true; n];
        let mut met = vec![0.0; n];
        for (offer, coverage) in [
            (&self.readiness, &mut self.setting_coverage),
            (&self.confidence, &mut self.family_coverage),
        ] {
            known.copy_from_slice(complete);
            met.fill(0.0);
            for (offer, need) in offer.0.iter().zip(&self.need.0) {
                for (k, &absent) in known.iter_mut().zip(&offer.absent) {
                    *k &= !absent;
                }
                let both = offer.values.iter().zip(&need.values);
                for (m, (&o, &n)) in met.iter_mut().zip(both) {
                    *m += f64::min(f64::from(o), n);
                }
            }
            let covered = met.iter().zip(&total);
            let covered = covered.map(|(&m, &t)| if t == 0.0 { 1.0 } else { m / t });
            fill_where(coverage, &known, covered);
        }
        for (gaps, unmet) in [
            (&self.setting_gap, &mut self.unmet_setting),
            (&self.family_gap, &mut self.unmet_family),
        ] {
            let mut bits = vec![0u8; n];
            for (d, gap) in gaps.0.iter().enumerate() {
                let below = gap.values.iter().zip(&gap.absent);
                for (b, (&g, &absent)) in bits.iter_mut().zip(below) {
                    *b |= u8::from(!absent & (g < 0.0)) << d;
                }
            }
            unmet.clear();
            let sets = bits.iter().zip(complete);
            unmet.extend(sets.map(|(&b, &c)| c.then_some(DomainSet::from_bits(b))));
        }
        // nalgebra's imax: the first of the highest; and its max above 0.
        let mut first = vec![0u8; n];
        let mut highest = self.need.0[0].values.clone();
        for (d, need) in self.need.0.iter().enumerate().skip(1) {
            let rows = first.iter_mut().zip(&mut highest).zip(&need.values);
            for ((f, h), &v) in rows {
                // Choices, not branches.
                let higher = v > *h;
                *f = if higher { d as u8 } else { *f };
                *h = if higher { v } else { *h };
            }
        }
        self.primary_domain.clear();
        let primary = first.iter().zip(&highest).zip(complete);
        self.primary_domain.extend(
            primary.map(|((&f, &h), &c)| (c && h > 0.0).then(|| Domain::ALL[usize::from(f)])),
        );
    }
}

/// Fills `figures` with `values` where `present`, else 0 and absent.
fn fill_where(figures: &mut Figures, present: &[bool], values: impl Iterator<Item = f64>) {
    figures.clear();
    figures.absent.extend(present.iter().map(|&p| !p));
    let values = values.zip(present);
    figures
        .values
        .extend(values.map(|(v, &p)| if p { v } else { 0.0 }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::{Column, ColumnLayout, PlainCell};
    use crate::rng::SplitMix64;
    use crate::score::Scores;
    use crate::EMPTY_LEVEL;

    /// Every column's entry `i` against [`Scores`] of the same row.
    fn same(columns: &ScoreColumns, i: usize, s: &Scores) {
        let w = s.whole.as_ref();
        for d in Domain::ALL {
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            assert_eq!(
                bits(columns.need(d).get(i)),
                bits(s.need.get(d)),
                "need {d}"
            );
            assert_eq!(columns.breadth(d)[i], s.breadth[d]);
            let level = |x: Option<f64>| x.map(|x| x as u8);
            assert_eq!(columns.readiness(d).get(i), level(s.readiness.get(d)));
            assert_eq!(columns.confidence(d).get(i), level(s.confidence.get(d)));
            assert_eq!(
                bits(columns.setting_gap(d).get(i)),
                bits(s.setting_gap.get(d))
            );
            assert_eq!(
                bits(columns.family_gap(d).get(i)),
                bits(s.family_gap.get(d))
            );
        }
        let bits = |x: Option<f64>| x.map(f64::to_bits);
        assert_eq!(columns.complete()[i], s.complete());
        assert_eq!(
            bits(columns.total_need().get(i)),
            bits(w.map(|w| w.total_need))
        );
        assert_eq!(
            bits(columns.need_index().get(i)),
            bits(w.map(|w| w.need_index))
        );
        let cover = |f: fn(&crate::WholeFigures) -> Option<f64>| bits(w.and_then(f));
        assert_eq!(
            bits(columns.setting_coverage().get(i)),
            cover(|w| w.setting_coverage)
        );
        assert_eq!(
            bits(columns.family_coverage().get(i)),
            cover(|w| w.family_coverage)
        );
        assert_eq!(columns.unmet_setting()[i], w.map(|w| w.unmet_setting));
        assert_eq!(columns.unmet_family()[i], w.map(|w| w.unmet_family));
        assert_eq!(
            columns.primary_domain()[i],
            w.and_then(|w| w.primary_domain)
        );
        assert_eq!(columns.age_band()[i], s.age_band);
    }

    /// Random blocks of rows, most plain: some levels empty, some domains
    /// with nothing assessed, some off the scale, ages across the bands;
    /// under the default framework, a mean one and a narrower scale.
    #[test]
    fn columns_agree_with_score_to_the_bit() {
        let default = Framework::default();
        let mean = Framework::from_json(&default.to_json().replace("\"max\"", "\"mean\"")).unwrap();
        // A scale of 0 to 7, averaged: sums, means and a top that differ.
        let mut wide: serde_json::Value = serde_json::from_str(&mean.to_json()).unwrap();
        wide["scale"]["max_level"] = 7.into();
        wide["scale"]["labels"] = (0..8).map(|l| format!("level {l}")).collect();
        let wide = Framework::from_json(&wide.to_string()).unwrap();
        let mut rng = SplitMix64::new(17);
        let (mut checked, mut covered, mut incomplete) = (0, 0, 0);
        let mut bands = std::collections::HashSet::new();
        for fw in [&default, &mean, &wide] {
            let header: Vec<String> = Column::all(fw).into_iter().map(|c| c.name(fw)).collect();
            let layout = ColumnLayout::new(fw, header.iter().map(String::as_str)).unwrap();
            let n = 1500;
            let top = fw.scale().max_level();
            let codes: Vec<Option<Vec<u8>>> = header
                .iter()
                .enumerate()
                .map(|(c, _)| {
                    (c >= 4).then(|| {
                        // Empty a third of the time, in whole columns now and then.
                        let empty = rng.next_u64().is_multiple_of(9);
                        (0..n)
                            .map(|_| match rng.next_u64() % 300 {
                                _ if empty => EMPTY_LEVEL,
                                0..=99 => EMPTY_LEVEL,
                                100 => top + 1,
                                v => (v % u64::from(top + 1)) as u8,
                            })
                            .collect()
                    })
                })
                .collect();
            let codes: Vec<Option<&[u8]>> = codes.iter().map(Option::as_deref).collect();
            let born: Vec<String> = (0..n)
                .map(|_| match rng.next_u64() % 40 {
                    0 => String::new(),
                    years => format!("{}-03-0{}", 2025 - years as i32, 1 + rng.next_u64() % 9),
                })
                .collect();
            let cell = |c: usize, row: usize| match c {
                0 => PlainCell::Text("C1"),
                1 => PlainCell::Text("2025-03-05"),
                2 => PlainCell::Text(&born[row]),
                _ => PlainCell::Empty,
            };
            let block = layout.plain_block(fw, 0..n, &codes, cell);
            let mut columns = ScoreColumns::new();
            // In runs, as a caller fills them.
            for start in (0..n).step_by(256) {
                let rows = start..(start + 256).min(n);
                columns.fill(fw, &block, rows.clone());
                assert_eq!(columns.len(), rows.len());
                for (i, row) in rows.enumerate() {
                    if let Some(p) = block.plain_scores(fw, row) {
                        same(&columns, i, &p.scores);
                        checked += 1;
                        let w = p.scores.whole;
                        covered += usize::from(w.is_some_and(|w| w.setting_coverage.is_some()));
                        incomplete += usize::from(w.is_none());
                        bands.insert(p.scores.age_band);
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        assert!(covered > 50 && incomplete > 50, "{covered} {incomplete}");
        assert_eq!(bands.len(), 5, "every band and none");
    }
}
