//! §10 scored output: one flat row per accepted assessment.
//!
//! The same columns serve CSV (via [`ScoredRow::cells`]) and JSON Lines (via
//! `Serialize`), so the two formats cannot drift apart.

use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::assessment::Assessment;
use crate::dates::parse_date;
use crate::domain::{Domain, DomainSet, DomainVector, PerDomain};
use crate::framework::Framework;
use crate::score::{AgeBand, Scores, WholeFigures};

/// The columns of a scored row, in output order (§10).
pub const SCORED_COLUMNS: [&str; 44] = [
    "child_id",
    "assessed_on",
    "setting_id",
    "age_band",
    "need.cl",
    "breadth.cl",
    "readiness.cl",
    "confidence.cl",
    "setting_gap.cl",
    "family_gap.cl",
    "need.ci",
    "breadth.ci",
    "readiness.ci",
    "confidence.ci",
    "setting_gap.ci",
    "family_gap.ci",
    "need.sp",
    "breadth.sp",
    "readiness.sp",
    "confidence.sp",
    "setting_gap.sp",
    "family_gap.sp",
    "need.semh",
    "breadth.semh",
    "readiness.semh",
    "confidence.semh",
    "setting_gap.semh",
    "family_gap.semh",
    "need.ind",
    "breadth.ind",
    "readiness.ind",
    "confidence.ind",
    "setting_gap.ind",
    "family_gap.ind",
    "complete",
    "total_need",
    "need_index",
    "setting_coverage",
    "family_coverage",
    "unmet_setting",
    "unmet_family",
    "primary_domain",
    "framework_id",
    "framework_version",
];

/// The columns of a scored row under a framework with banding (§13): the
/// [`SCORED_COLUMNS`] with `band_score`, `band`, `band_raised_by` and `top_up`
/// after `primary_domain`.
pub const BANDED_COLUMNS: [&str; 48] = {
    let mut out = [""; 48];
    let mut i = 0;
    while i < 42 {
        out[i] = SCORED_COLUMNS[i];
        i += 1;
    }
    out[42] = "band_score";
    out[43] = "band";
    out[44] = "band_raised_by";
    out[45] = "top_up";
    out[46] = SCORED_COLUMNS[42];
    out[47] = SCORED_COLUMNS[43];
    out
};

/// The scored-output columns (§10) under `framework`: [`BANDED_COLUMNS`]
/// when it carries a banding rule (§13), else [`SCORED_COLUMNS`].
pub fn scored_columns(framework: &Framework) -> &'static [&'static str] {
    if framework.banding().is_some() {
        &BANDED_COLUMNS
    } else {
        &SCORED_COLUMNS
    }
}

/// Per-domain figures of a scored row, in column order within each domain.
const PER_DOMAIN: [&str; 6] = [
    "need",
    "breadth",
    "readiness",
    "confidence",
    "setting_gap",
    "family_gap",
];

/// One value of a scored row, typed so that each format can write it its own way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Absent: `null` in JSON, empty in CSV.
    Null,
    /// Text.
    Text(&'a str),
    /// A calendar date, `YYYY-MM-DD`.
    Date(Date),
    /// A whole number (counts and levels).
    Int(u8),
    /// A signed whole number (days, changes of level).
    Whole(i64),
    /// A real number.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A list of domains: a JSON array, `;`-separated in CSV.
    Domains(DomainSet),
}

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Cell::Null => s.serialize_none(),
            Cell::Text(t) => s.serialize_str(t),
            Cell::Date(d) => s.collect_str(&d),
            Cell::Int(n) => s.serialize_u8(n),
            Cell::Whole(n) => s.serialize_i64(n),
            Cell::Number(x) => s.serialize_f64(x),
            Cell::Bool(b) => s.serialize_bool(b),
            Cell::Domains(set) => set.serialize(s),
        }
    }
}

/// The values of one scored row, in column order: as many as
/// [`ScoredRow::columns`] names. Derefs to a slice; iterates by value.
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    cells: [Cell<'a>; BANDED_COLUMNS.len()],
    len: usize,
}

impl<'a> std::ops::Deref for Cells<'a> {
    type Target = [Cell<'a>];
    fn deref(&self) -> &[Cell<'a>] {
        &self.cells[..self.len]
    }
}

impl<'a> IntoIterator for Cells<'a> {
    type Item = Cell<'a>;
    type IntoIter = std::iter::Take<std::array::IntoIter<Cell<'a>, 48>>;
    fn into_iter(self) -> Self::IntoIter {
        self.cells.into_iter().take(self.len)
    }
}

/// The §13 figures of a scored row under a framework with banding: all
/// `None` when the assessment is not complete.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BandFigures<'a> {
    /// Σ weight(d) × need(d).
    pub band_score: Option<f64>,
    /// The band's id.
    pub band: Option<Cow<'a, str>>,
    /// The domain whose floor raised the band above the score band.
    pub band_raised_by: Option<Domain>,
    /// The band's top-up.
    pub top_up: Option<f64>,
}

/// One scored assessment as written to a file (§10): the identifying fields,
/// the per-domain figures, the whole-assessment figures and the framework.
///
/// ```
/// use vsend_core::{score, AssessmentBuilder, Framework, ScoredRow, SCORED_COLUMNS};
/// let fw = Framework::default();
/// let mut b = AssessmentBuilder::new(&fw);
/// b.child_id("C1").assessed_on("2025-01-10").need("cl.literacy", "2");
/// let a = b.build().unwrap();
/// let row = ScoredRow::new(&fw, &a, &score(&fw, &a));
/// let json = serde_json::to_value(&row).unwrap();
/// assert_eq!(json["need.cl"], 2.0);
/// assert_eq!(json["complete"], false);
/// assert!(json["need_index"].is_null());
/// assert_eq!(row.cells().len(), SCORED_COLUMNS.len());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredRow<'a> {
    /// The child's pseudonymous key.
    pub child_id: Cow<'a, str>,
    /// The date of the review.
    pub assessed_on: Date,
    /// The setting's key, when given.
    pub setting_id: Option<Cow<'a, str>>,
    /// The age band (§6).
    pub age_band: Option<AgeBand>,
    /// need(d).
    pub need: DomainVector,
    /// breadth(d).
    pub breadth: PerDomain<u8>,
    /// readiness(d).
    pub readiness: DomainVector,
    /// confidence(d).
    pub confidence: DomainVector,
    /// setting_gap(d).
    pub setting_gap: DomainVector,
    /// family_gap(d).
    pub family_gap: DomainVector,
    /// The whole-assessment figures, present when complete.
    pub whole: Option<WholeFigures>,
    /// The §13 figures: `Some` exactly when the framework has banding.
    pub banding: Option<BandFigures<'a>>,
    /// The framework's id.
    pub framework_id: Cow<'a, str>,
    /// The framework's version.
    pub framework_version: Cow<'a, str>,
}

impl<'a> ScoredRow<'a> {
    /// The row for `assessment`, scored as `scores` under `framework`.
    pub fn new(framework: &'a Framework, assessment: &'a Assessment, scores: &Scores) -> Self {
        let setting_id = assessment.setting_id().map(|s| s.as_str());
        let child_id = assessment.child_id().as_str();
        ScoredRow::of(
            framework,
            child_id,
            assessment.assessed_on(),
            setting_id,
            scores,
        )
    }

    /// The row for the review of `child_id` on `assessed_on` at
    /// `setting_id`, scored as `scores` under `framework`: what
    /// [`new`](Self::new) gives for its assessment.
    pub fn of(
        framework: &'a Framework,
        child_id: &'a str,
        assessed_on: Date,
        setting_id: Option<&'a str>,
        scores: &Scores,
    ) -> Self {
        ScoredRow {
            child_id: Cow::Borrowed(child_id),
            assessed_on,
            setting_id: setting_id.map(Cow::Borrowed),
            age_band: scores.age_band,
            need: scores.need,
            breadth: scores.breadth,
            readiness: scores.readiness,
            confidence: scores.confidence,
            setting_gap: scores.setting_gap,
            family_gap: scores.family_gap,
            whole: scores.whole,
            banding: framework.banding().map(|b| match b.band(&scores.need) {
                None => BandFigures::default(),
                Some(r) => BandFigures {
                    band_score: Some(r.band_score),
                    band: Some(Cow::Borrowed(b.bands()[r.band].id())),
                    band_raised_by: r.raised_by,
                    top_up: r.top_up,
                },
            }),
            framework_id: Cow::Borrowed(framework.id()),
            framework_version: Cow::Borrowed(framework.version()),
        }
    }

    /// The row's column names: [`BANDED_COLUMNS`] when the row has banding
    /// figures, else [`SCORED_COLUMNS`].
    pub fn columns(&self) -> &'static [&'static str] {
        if self.banding.is_some() {
            &BANDED_COLUMNS
        } else {
            &SCORED_COLUMNS
        }
    }

    /// The row's values, one per entry of [`columns`](Self::columns), in that order.
    pub fn cells(&self) -> Cells<'_> {
        let num = |x: Option<f64>| x.map_or(Cell::Null, Cell::Number);
        // Readiness and confidence are levels, written as whole numbers.
        let level = |x: Option<f64>| x.map_or(Cell::Null, |x| Cell::Int(x as u8));
        let mut cells = [Cell::Null; BANDED_COLUMNS.len()];
        cells[0] = Cell::Text(&self.child_id);
        cells[1] = Cell::Date(self.assessed_on);
        cells[2] = self.setting_id.as_deref().map_or(Cell::Null, Cell::Text);
        cells[3] = self.age_band.map_or(Cell::Null, |b| Cell::Text(b.key()));
        for d in Domain::ALL {
            let at = 4 + PER_DOMAIN.len() * d.index();
            cells[at] = num(self.need.get(d));
            cells[at + 1] = Cell::Int(self.breadth[d]);
            cells[at + 2] = level(self.readiness.get(d));
            cells[at + 3] = level(self.confidence.get(d));
            cells[at + 4] = num(self.setting_gap.get(d));
            cells[at + 5] = num(self.family_gap.get(d));
        }
        cells[34] = Cell::Bool(self.whole.is_some());
        if let Some(w) = &self.whole {
            cells[35] = Cell::Number(w.total_need);
            cells[36] = Cell::Number(w.need_index);
            cells[37] = num(w.setting_coverage);
            cells[38] = num(w.family_coverage);
            cells[39] = Cell::Domains(w.unmet_setting);
            cells[40] = Cell::Domains(w.unmet_family);
            cells[41] = w.primary_domain.map_or(Cell::Null, |d| Cell::Text(d.key()));
        }
        let mut at = 42;
        if let Some(b) = &self.banding {
            cells[42] = num(b.band_score);
            cells[43] = b.band.as_deref().map_or(Cell::Null, Cell::Text);
            cells[44] = b.band_raised_by.map_or(Cell::Null, |d| Cell::Text(d.key()));
            cells[45] = num(b.top_up);
            at = 46;
        }
        cells[at] = Cell::Text(&self.framework_id);
        cells[at + 1] = Cell::Text(&self.framework_version);
        Cells { cells, len: at + 2 }
    }
}

impl Serialize for ScoredRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let columns = self.columns();
        let mut map = s.serialize_map(Some(columns.len()))?;
        for (name, cell) in columns.iter().zip(self.cells()) {
            map.serialize_entry(name, &cell)?;
        }
        map.end()
    }
}

/// A value of a flat JSON row, before it is given its column's type.
#[derive(Deserialize)]
#[serde(untagged)]
enum Flat {
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Domain>),
}

impl<'de> Deserialize<'de> for ScoredRow<'static> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = BTreeMap::<String, Option<Flat>>::deserialize(d)?;
        let banded = map.contains_key("band");
        let mut take = |name: &str| -> Result<Option<Flat>, D::Error> {
            map.remove(name)
                .ok_or_else(|| de::Error::missing_field(leak_free(name)))
        };
        fn wrong<E: de::Error>(name: &str, want: &str) -> E {
            E::custom(format_args!("{name}: expected {want}"))
        }
        macro_rules! get {
            ($name:expr, $variant:ident, $want:literal) => {{
                let name: &str = $name;
                match take(name)? {
                    None => None,
                    Some(Flat::$variant(v)) => Some(v),
                    Some(_) => return Err(wrong(name, $want)),
                }
            }};
        }
        let text = |v: Option<String>| v.map(Cow::Owned);
        let child_id = get!("child_id", Text, "text").ok_or_else(|| wrong("child_id", "text"))?;
        let assessed_on = get!("assessed_on", Text, "a date")
            .and_then(|s| parse_date(&s))
            .ok_or_else(|| wrong("assessed_on", "a date YYYY-MM-DD"))?;
        let setting_id = text(get!("setting_id", Text, "text"));
        let age_band = match get!("age_band", Text, "an age band") {
            None => None,
            Some(s) => Some(
                serde_json::from_value(serde_json::Value::String(s))
                    .map_err(|_| wrong("age_band", "an age band"))?,
            ),
        };
        let mut per: [DomainVector; 6] = [DomainVector::UNKNOWN; 6];
        let mut breadth = PerDomain::<u8>::default();
        for d in Domain::ALL {
            for (i, figure) in PER_DOMAIN.iter().enumerate() {
                let x = get!(&format!("{figure}.{d}"), Number, "a number");
                if i == 1 {
                    breadth[d] = x.unwrap_or(0.0) as u8;
                } else {
                    per[i].set(d, x);
                }
            }
        }
        let complete = get!("complete", Bool, "true or false").unwrap_or(false);
        let total_need = get!("total_need", Number, "a number");
        let need_index = get!("need_index", Number, "a number");
        let setting_coverage = get!("setting_coverage", Number, "a number");
        let family_coverage = get!("family_coverage", Number, "a number");
        let set = |v: Option<Vec<Domain>>| v.unwrap_or_default().into_iter().collect::<DomainSet>();
        let unmet_setting = set(get!("unmet_setting", List, "a list of domains"));
        let unmet_family = set(get!("unmet_family", List, "a list of domains"));
        let primary_domain = match get!("primary_domain", Text, "a domain") {
            None => None,
            Some(s) => Some(s.parse::<Domain>().map_err(de::Error::custom)?),
        };
        let banding = if banded {
            let band_score = get!("band_score", Number, "a number");
            let band = text(get!("band", Text, "text"));
            let band_raised_by = match get!("band_raised_by", Text, "a domain") {
                None => None,
                Some(s) => Some(s.parse::<Domain>().map_err(de::Error::custom)?),
            };
            let top_up = get!("top_up", Number, "a number");
            Some(BandFigures {
                band_score,
                band,
                band_raised_by,
                top_up,
            })
        } else {
            None
        };
        let framework_id = get!("framework_id", Text, "text").unwrap_or_default();
        let framework_version = get!("framework_version", Text, "text").unwrap_or_default();
        let whole = match (complete, total_need, need_index) {
            (true, Some(total_need), Some(need_index)) => Some(WholeFigures {
                total_need,
                need_index,
                setting_coverage,
                family_coverage,
                unmet_setting,
                unmet_family,
                primary_domain,
            }),
            (true, _, _) => return Err(wrong("total_need", "a number when complete")),
            (false, _, _) => None,
        };
        let [need, _, readiness, confidence, setting_gap, family_gap] = per;
        Ok(ScoredRow {
            child_id: Cow::Owned(child_id),
            assessed_on,
            setting_id,
            age_band,
            need,
            breadth,
            readiness,
            confidence,
            setting_gap,
            family_gap,
            whole,
            banding,
            framework_id: Cow::Owned(framework_id),
            framework_version: Cow::Owned(framework_version),
        })
    }
}

/// The column name as a `&'static str` for serde's `missing_field`, which
/// needs one; every name we ask for is in [`SCORED_COLUMNS`].
fn leak_free(name: &str) -> &'static str {
    BANDED_COLUMNS
        .iter()
        .find(|c| **c == name)
        .copied()
        .unwrap_or("column")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{score, AssessmentBuilder};

    #[test]
    fn columns_match_cells_and_round_trip_through_json() {
        let fw = Framework::default();
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("C1")
            .assessed_on("2025-01-10")
            .date_of_birth("2015-05-05")
            .setting_id("S1");
        for area in fw.areas() {
            b.need(area.key(), "1");
        }
        b.need("semh.behaviour", "3")
            .readiness(Domain::Semh, "2")
            .confidence(Domain::Cl, "0");
        let a = b.build().unwrap();
        let row = ScoredRow::new(&fw, &a, &score(&fw, &a));
        let json = serde_json::to_string(&row).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        let mut want: Vec<_> = SCORED_COLUMNS.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(keys, want);
        assert_eq!(value["readiness.semh"], serde_json::json!(2));
        assert_eq!(value["setting_gap.semh"], serde_json::json!(-1.0));
        assert_eq!(value["unmet_setting"], serde_json::json!(["semh"]));
        assert_eq!(value["unmet_family"], serde_json::json!(["cl"]));
        assert_eq!(value["primary_domain"], "semh");
        assert_eq!(value["age_band"], "primary");
        let back: ScoredRow<'static> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, row);
    }

    #[test]
    fn deserialising_names_the_bad_column() {
        let err = serde_json::from_str::<ScoredRow>(r#"{"child_id": "C1"}"#).unwrap_err();
        assert!(err.to_string().contains("assessed_on"), "{err}");
    }
}
