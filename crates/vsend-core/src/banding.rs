//! §13 Banding for panels: how a profile maps to a council's support band, and why.

use std::collections::{BTreeMap, HashMap};

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::domain::{Domain, DomainVector, PerDomain};
use crate::framework::{
    check_text, echo, unique_keys, Capped, FrameworkProblem, MAX_BANDS, MAX_BAND_WEIGHT,
    MAX_FLOORS, MAX_FRAMEWORK_ID_LEN, MAX_LABEL_LEN, MAX_MIN_SCORE, MAX_TOP_UP,
};

/// The key a cohort group's `bands` map uses for current assessments without
/// a band, so no band may take it as its id.
pub const UNBANDED: &str = "unbanded";

/// One support band of a [`Banding`] rule, e.g. `B` "SEN support" from a score of 4.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    id: String,
    label: String,
    min_score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_up: Option<f64>,
}

impl Band {
    /// The band's id, as written in scored output (`band`) and cohort `bands`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The label shown to people.
    pub fn label(&self) -> &str {
        &self.label
    }
    /// The lowest band score that reaches this band.
    pub fn min_score(&self) -> f64 {
        self.min_score
    }
    /// The top-up funding the band carries, when it has one.
    pub fn top_up(&self) -> Option<f64> {
        self.top_up
    }
}

/// A floor: a need high enough raises the band to at least `band`, whatever the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floor {
    domain: Option<Domain>,
    min_need: u8,
    band: usize,
}

impl Floor {
    /// The domain the floor looks at; `None` for any domain.
    pub fn domain(&self) -> Option<Domain> {
        self.domain
    }
    /// The need from which the floor applies, 1 to max_level.
    pub fn min_need(&self) -> u8 {
        self.min_need
    }
    /// The index (in [`Banding::bands`]) of the band the floor gives.
    pub fn band(&self) -> usize {
        self.band
    }
    /// Whether the floor applies because of domain `d` with need `need`.
    fn applies_to(&self, d: Domain, need: f64) -> bool {
        self.domain.is_none_or(|fd| fd == d) && need >= f64::from(self.min_need)
    }
}

/// A council's banding rule (§13), part of a validated
/// [`Framework`](crate::Framework): weights per domain, bands in ascending
/// order of `min_score`, and floors.
///
/// ```
/// use vsend_core::{Domain, DomainVector, Framework};
/// let json = Framework::default().to_json().replacen('{', r#"{"banding": {
///     "weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1.5, "ind": 1},
///     "bands": [{"id": "A", "label": "SEN support", "min_score": 0, "top_up": 0},
///               {"id": "B", "label": "Targeted", "min_score": 5, "top_up": 2500},
///               {"id": "C", "label": "Specialist", "min_score": 9}],
///     "floors": [{"min_need": 4, "band": "C"}]},"#, 1);
/// let fw = Framework::from_json(&json).unwrap();
/// let banding = fw.banding().unwrap();
/// let need = DomainVector::from_options([Some(1.0), Some(1.0), Some(0.0), Some(2.0), Some(0.0)]);
/// let r = banding.band(&need).unwrap();
/// assert_eq!((r.band_score, banding.bands()[r.band].id()), (5.0, "B"));
/// assert_eq!((r.raised_by, r.top_up), (None, Some(2500.0)));
/// let need = DomainVector::from_options([Some(0.0), Some(4.0), Some(0.0), Some(0.0), Some(0.0)]);
/// let r = banding.band(&need).unwrap();
/// assert_eq!(banding.bands()[r.band].id(), "C"); // raised by the floor
/// assert_eq!((r.raised_by, r.top_up), (Some(Domain::Ci), None));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Banding {
    weights: PerDomain<f64>,
    bands: Vec<Band>,
    floors: Vec<Floor>,
}

/// The §13 band of one complete assessment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandResult {
    /// Σ weight(d) × need(d).
    pub band_score: f64,
    /// The band, as an index into [`Banding::bands`]: the highest of the score
    /// band and the bands of the floors that apply.
    pub band: usize,
    /// `None` when the band is the score band; else the first domain (§1 order)
    /// for which a floor giving that band applies.
    pub raised_by: Option<Domain>,
    /// The band's top-up, `None` when it has none.
    pub top_up: Option<f64>,
}

impl Banding {
    /// The weight of each domain, each ≥ 0.
    pub fn weights(&self) -> &PerDomain<f64> {
        &self.weights
    }
    /// The bands in ascending order of `min_score`; the first starts at 0.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }
    /// The floors, in file order.
    pub fn floors(&self) -> &[Floor] {
        &self.floors
    }
    /// Whether any band carries a top-up (else a group's `top_up_total` is null).
    pub fn has_top_up(&self) -> bool {
        self.bands.iter().any(|b| b.top_up.is_some())
    }

    /// The band of a profile of domain needs (§13); `None` unless all five are
    /// known (the assessment is complete).
    pub fn band(&self, need: &DomainVector) -> Option<BandResult> {
        let needs = need.complete()?;
        let band_score: f64 = Domain::ALL
            .iter()
            .map(|&d| self.weights[d] * needs[d.index()])
            .sum();
        // The first band starts at 0 and weights and needs are ≥ 0, so one always matches.
        let score_band = self
            .bands
            .iter()
            .rposition(|b| b.min_score <= band_score)
            .unwrap_or(0);
        let applies = |f: &Floor| {
            Domain::ALL
                .into_iter()
                .find(|&d| f.applies_to(d, needs[d.index()]))
        };
        let band = self
            .floors
            .iter()
            .filter(|f| applies(f).is_some())
            .map(|f| f.band)
            .fold(score_band, usize::max);
        let raised_by = (band != score_band)
            .then(|| {
                Domain::ALL.into_iter().find(|&d| {
                    self.floors
                        .iter()
                        .any(|f| f.band == band && f.applies_to(d, needs[d.index()]))
                })
            })
            .flatten();
        Some(BandResult {
            band_score,
            band,
            raised_by,
            top_up: self.bands[band].top_up,
        })
    }
}

impl Serialize for Banding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct FloorOut<'a>(&'a Floor, &'a [Band]);
        impl Serialize for FloorOut<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                if let Some(d) = self.0.domain {
                    m.serialize_entry("domain", &d)?;
                }
                m.serialize_entry("min_need", &self.0.min_need)?;
                m.serialize_entry("band", &self.1[self.0.band].id)?;
                m.end()
            }
        }
        let floors: Vec<_> = self
            .floors
            .iter()
            .map(|f| FloorOut(f, &self.bands))
            .collect();
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("weights", &self.weights)?;
        m.serialize_entry("bands", &self.bands)?;
        m.serialize_entry("floors", &floors)?;
        m.end()
    }
}

/// The `banding` object of a framework file, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBanding {
    #[serde(deserialize_with = "unique_keys")]
    weights: BTreeMap<String, f64>,
    bands: Capped<RawBand, MAX_BANDS>,
    #[serde(default)]
    floors: Capped<RawFloor, MAX_FLOORS>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    id: String,
    label: String,
    min_score: f64,
    top_up: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFloor {
    domain: Option<String>,
    min_need: i64,
    band: String,
}

impl RawBanding {
    /// Checks every rule of §13, pushing one problem per broken rule.
    /// `max_level` is `None` when the scale itself is invalid.
    ///
    /// Every check is linear (hash maps, not searches of the list so far), and
    /// a list over its limit is reported once and not checked item by item,
    /// so a hostile framework of a million bands is refused at once with one
    /// problem rather than a million.
    pub(crate) fn validate(
        self,
        max_level: Option<u8>,
        problems: &mut Vec<FrameworkProblem>,
    ) -> Option<Banding> {
        use FrameworkProblem as P;
        let before = problems.len();
        let mut weights = PerDomain::<f64>::default();
        for key in self.weights.keys() {
            if key.parse::<Domain>().is_err() {
                problems.push(P::BandWeightUnknownDomain(echo(key)));
            }
        }
        for d in Domain::ALL {
            match self.weights.get(d.key()) {
                None => problems.push(P::BandWeightMissing(d)),
                // `!(0 ≤ w ≤ max)` also refuses NaN.
                Some(&w) if !(0.0..=MAX_BAND_WEIGHT).contains(&w) => {
                    problems.push(P::BandWeightOutOfRange {
                        domain: d,
                        found: w,
                    })
                }
                Some(&w) => weights[d] = w,
            }
        }
        // Band id → its first position: the duplicate check and the floors' lookup.
        let mut ids: HashMap<&str, usize> = HashMap::new();
        if self.bands.len == 0 {
            problems.push(P::NoBands);
        } else if self.bands.len > MAX_BANDS {
            problems.push(P::TooManyBands {
                found: self.bands.len,
            });
        } else {
            self.validate_bands(&mut ids, problems);
        }
        let mut floors = Vec::new();
        if self.floors.len > MAX_FLOORS {
            problems.push(P::TooManyFloors {
                found: self.floors.len,
            });
        } else {
            // Only with the bands checked can a floor's band be looked up.
            let bands_checked = (1..=MAX_BANDS).contains(&self.bands.len);
            let allowed = || {
                let listed: Vec<&str> = self.bands.items.iter().map(|b| b.id.as_str()).collect();
                listed.join(", ")
            };
            for (i, f) in self.floors.items.iter().enumerate() {
                let domain = match &f.domain {
                    None => None,
                    Some(key) => match key.parse::<Domain>() {
                        Ok(d) => Some(d),
                        Err(_) => {
                            problems.push(P::FloorUnknownDomain {
                                index: i,
                                found: echo(key),
                            });
                            None
                        }
                    },
                };
                if let Some(max) = max_level {
                    if !(1..=i64::from(max)).contains(&f.min_need) {
                        problems.push(P::FloorMinNeed {
                            index: i,
                            found: f.min_need,
                            max_level: max,
                        });
                    }
                }
                if !bands_checked {
                    continue;
                }
                match ids.get(f.band.as_str()) {
                    Some(&band) => floors.push(Floor {
                        domain,
                        min_need: f.min_need.clamp(0, 255) as u8,
                        band,
                    }),
                    None => problems.push(P::FloorUnknownBand {
                        index: i,
                        found: echo(&f.band),
                        allowed: allowed(),
                    }),
                }
            }
        }
        (problems.len() == before && max_level.is_some()).then(|| Banding {
            weights,
            bands: self
                .bands
                .items
                .into_iter()
                .map(|b| Band {
                    id: b.id,
                    label: b.label,
                    min_score: b.min_score,
                    top_up: b.top_up,
                })
                .collect(),
            floors,
        })
    }

    /// The per-band rules of §13 (at most [`MAX_BANDS`] bands), filling `ids`
    /// with each id's first position.
    fn validate_bands<'a>(
        &'a self,
        ids: &mut HashMap<&'a str, usize>,
        problems: &mut Vec<FrameworkProblem>,
    ) {
        use FrameworkProblem as P;
        // The last min_score in range, which the next one must be above.
        let mut previous: Option<f64> = None;
        for (i, band) in self.bands.items.iter().enumerate() {
            if band.id.is_empty() {
                problems.push(P::BandIdEmpty { index: i });
            } else if band.id == UNBANDED {
                problems.push(P::BandIdReserved { index: i });
            } else if ids.contains_key(band.id.as_str()) {
                problems.push(P::BandIdDuplicate {
                    index: i,
                    id: echo(&band.id),
                });
            } else {
                ids.insert(&band.id, i);
            }
            check_text(
                || format!("banding.bands[{i}].id"),
                &band.id,
                MAX_FRAMEWORK_ID_LEN,
                problems,
            );
            check_text(
                || format!("banding.bands[{i}].label"),
                &band.label,
                MAX_LABEL_LEN,
                problems,
            );
            let score = band.min_score;
            if i == 0 {
                if score != 0.0 {
                    problems.push(P::FirstMinScore { found: score });
                }
                previous = Some(score);
            } else if !(0.0..=MAX_MIN_SCORE).contains(&score) {
                // Out of range is its own problem, not also "not ascending".
                problems.push(P::MinScoreOutOfRange {
                    index: i,
                    found: score,
                });
            } else {
                if let Some(prev) = previous.filter(|&prev| score <= prev) {
                    problems.push(P::MinScoreNotAscending {
                        index: i,
                        found: score,
                        previous: prev,
                    });
                }
                previous = Some(score);
            }
            if let Some(t) = band.top_up {
                if !(0.0..=MAX_TOP_UP).contains(&t) {
                    problems.push(P::TopUpOutOfRange { index: i, found: t });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Domain, DomainVector, Framework};

    fn framework() -> Framework {
        let json = Framework::default().to_json().replacen(
            '{',
            r#"{"banding": {"weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1.5, "ind": 0.5},
                "bands": [{"id": "A", "label": "a", "min_score": 0, "top_up": 0},
                          {"id": "B", "label": "b", "min_score": 4, "top_up": 1500},
                          {"id": "C", "label": "c", "min_score": 7.5},
                          {"id": "D", "label": "d", "min_score": 11, "top_up": 9800}],
                "floors": [{"min_need": 4, "band": "C"}, {"domain": "semh", "min_need": 3, "band": "B"}]},"#,
            1,
        );
        Framework::from_json(&json).unwrap()
    }

    fn band(fw: &Framework, needs: [f64; 5]) -> (f64, &str, Option<Domain>, Option<f64>) {
        let b = fw.banding().unwrap();
        let r = b
            .band(&DomainVector::from_options(needs.map(Some)))
            .unwrap();
        (r.band_score, b.bands()[r.band].id(), r.raised_by, r.top_up)
    }

    #[test]
    fn score_band_edges_are_inclusive() {
        let fw = framework();
        assert_eq!(band(&fw, [0.0; 5]), (0.0, "A", None, Some(0.0)));
        assert_eq!(
            band(&fw, [1.0, 1.0, 1.0, 0.0, 2.0]),
            (4.0, "B", None, Some(1500.0))
        );
        assert_eq!(band(&fw, [2.0, 2.0, 2.0, 1.0, 0.0]), (7.5, "C", None, None));
        assert_eq!(
            band(&fw, [3.0, 3.0, 3.0, 1.0, 2.0]),
            (11.5, "D", None, Some(9800.0))
        );
    }

    #[test]
    fn raised_by_names_the_first_domain_whose_floor_gives_the_band() {
        let fw = framework();
        // semh 3 gives B, ind 4 gives C: C wins, raised by ind, not semh.
        assert_eq!(
            band(&fw, [0.0, 0.0, 0.0, 3.0, 4.0]),
            (6.5, "C", Some(Domain::Ind), None)
        );
        assert_eq!(
            band(&fw, [0.0, 0.0, 4.0, 0.0, 4.0]).2,
            Some(Domain::Sp),
            "first in §1 order"
        );
        // semh 3 alone: raised from A to B.
        assert_eq!(
            band(&fw, [0.0, 0.0, 0.0, 3.0, 0.0]),
            (4.5, "B", None, Some(1500.0)),
            "the score already reaches B: not raised"
        );
        assert_eq!(
            band(&fw, [0.0, 0.0, 0.0, 2.5, 0.0]).1,
            "A",
            "a mean need below min_need does not apply"
        );
        let fw2 =
            Framework::from_json(&fw.to_json().replace("\"semh\": 1.5", "\"semh\": 0.5")).unwrap();
        assert_eq!(
            band(&fw2, [0.0, 0.0, 0.0, 3.0, 0.0]),
            (1.5, "B", Some(Domain::Semh), Some(1500.0))
        );
        // A floor never lowers a band the score reached.
        assert_eq!(
            band(&fw, [4.0, 3.0, 3.0, 1.0, 0.0]),
            (11.5, "D", None, Some(9800.0))
        );
    }
}
