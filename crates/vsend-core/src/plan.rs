//! §11 transition plan files: the CSV column layout and the JSON Lines schema.
//!
//! The same §9 rules as cohort files: a bad cell rejects the row with every
//! problem named by its [`Field`]; an unknown, repeated or missing column is a
//! file error ([`HeaderErrors`]). A plan CSV has exactly the columns
//! `child_id`, `to_setting_id`, `move_on` and `readiness.<domain>`, in any order.

use std::collections::HashSet;

use jiff::civil::Date;

use crate::assessment::parse_level;
use crate::columns::{resolve_header, HeaderErrors};
use crate::dates::parse_date;
use crate::domain::{Domain, DomainSet, PerDomain};
use crate::error::{Expected, Field, Found, ValidationError, ValidationErrors};
use crate::framework::{Framework, Level};
use crate::ids::{ChildId, SettingId};
use crate::jsonl::{level_of_number, object_of_line, Json};
use crate::transition::{DuplicatePlan, Plan};

/// What one column of a plan CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanColumn {
    /// `child_id`.
    ChildId,
    /// `to_setting_id`.
    ToSettingId,
    /// `move_on`.
    MoveOn,
    /// `readiness.<domain>`: the receiving setting's readiness.
    Readiness(Domain),
}

impl PlanColumn {
    /// Every column of a plan file, in canonical order (all required).
    pub fn all() -> Vec<PlanColumn> {
        let mut all = vec![
            PlanColumn::ChildId,
            PlanColumn::ToSettingId,
            PlanColumn::MoveOn,
        ];
        all.extend(Domain::ALL.map(PlanColumn::Readiness));
        all
    }

    /// The column this header names, if any.
    pub fn parse(name: &str) -> Option<PlanColumn> {
        Some(match name {
            "child_id" => PlanColumn::ChildId,
            "to_setting_id" => PlanColumn::ToSettingId,
            "move_on" => PlanColumn::MoveOn,
            _ => PlanColumn::Readiness(name.strip_prefix("readiness.")?.parse().ok()?),
        })
    }

    /// The header name.
    pub fn name(self) -> String {
        self.field().to_string()
    }

    /// The field a problem in this column is reported against.
    pub fn field(self) -> Field {
        match self {
            PlanColumn::ChildId => Field::ChildId,
            PlanColumn::ToSettingId => Field::ToSettingId,
            PlanColumn::MoveOn => Field::MoveOn,
            PlanColumn::Readiness(d) => Field::Readiness(d),
        }
    }
}

/// Builds a [`Plan`] from raw text fields, collecting every problem (§9).
/// Cells are trimmed; an empty readiness is *not assessed*.
#[derive(Debug, Clone)]
pub struct PlanBuilder<'f> {
    framework: &'f Framework,
    child_id: Option<ChildId>,
    to_setting_id: Option<SettingId>,
    move_on: Option<Date>,
    readiness: PerDomain<Option<Level>>,
    given: HashSet<Field>,
    errors: Vec<ValidationError>,
}

impl<'f> PlanBuilder<'f> {
    /// A builder with nothing given.
    pub fn new(framework: &'f Framework) -> Self {
        PlanBuilder {
            framework,
            child_id: None,
            to_setting_id: None,
            move_on: None,
            readiness: PerDomain::default(),
            given: HashSet::new(),
            errors: Vec::new(),
        }
    }

    /// Sets the required `child_id`.
    pub fn child_id(&mut self, raw: &str) -> &mut Self {
        self.given.insert(Field::ChildId);
        match raw.trim_ascii() {
            "" => self.errors.push(ValidationError::Missing {
                field: Field::ChildId,
            }),
            s => match ChildId::new(s) {
                Ok(id) => self.child_id = Some(id),
                Err(e) => self.errors.push(e),
            },
        }
        self
    }

    /// Sets the required `to_setting_id` (§3 ID rules).
    pub fn to_setting_id(&mut self, raw: &str) -> &mut Self {
        self.given.insert(Field::ToSettingId);
        match raw.trim_ascii() {
            "" => self.errors.push(ValidationError::Missing {
                field: Field::ToSettingId,
            }),
            s => match SettingId::new(s) {
                Ok(id) => self.to_setting_id = Some(id),
                Err(_) => self.errors.push(ValidationError::BadId {
                    field: Field::ToSettingId,
                    found: Found::new(s),
                }),
            },
        }
        self
    }

    /// Sets the required `move_on` date, `YYYY-MM-DD`.
    pub fn move_on(&mut self, raw: &str) -> &mut Self {
        self.given.insert(Field::MoveOn);
        match raw.trim_ascii() {
            "" => self.errors.push(ValidationError::Missing {
                field: Field::MoveOn,
            }),
            s => match parse_date(s) {
                Some(date) => self.move_on = Some(date),
                None => self.errors.push(ValidationError::NotADate {
                    field: Field::MoveOn,
                    found: Found::new(s),
                }),
            },
        }
        self
    }

    /// Sets the receiving setting's readiness for a domain; empty is not assessed.
    pub fn readiness(&mut self, d: Domain, raw: &str) -> &mut Self {
        match parse_level(self.framework, raw, || Field::Readiness(d)) {
            Ok(level) => self.readiness[d] = level,
            Err(e) => self.errors.push(e),
        }
        self
    }

    fn push_error(&mut self, e: ValidationError) {
        if let Some(f) = [Field::ChildId, Field::ToSettingId, Field::MoveOn]
            .into_iter()
            .find(|f| *f == e.field())
        {
            self.given.insert(f);
        }
        self.errors.push(e);
    }

    /// The plan, or every problem found.
    pub fn build(mut self) -> Result<Plan, ValidationErrors> {
        for field in [Field::ChildId, Field::ToSettingId, Field::MoveOn] {
            if !self.given.contains(&field) {
                self.errors.push(ValidationError::Missing { field });
            }
        }
        match (self.child_id, self.to_setting_id, self.move_on) {
            (Some(child_id), Some(to_setting_id), Some(move_on)) if self.errors.is_empty() => {
                Ok(Plan {
                    child_id,
                    to_setting_id,
                    move_on,
                    readiness: self.readiness,
                })
            }
            _ => Err(ValidationErrors::new(self.errors)),
        }
    }
}

/// The columns of one plan CSV, resolved once from its header row.
///
/// ```
/// use vsend_core::{Format, Framework, HeaderError, PlanLayout};
/// let fw = Framework::default();
/// let header = "move_on,child_id,to_setting_id,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind";
/// let layout = PlanLayout::new(header.split(',')).unwrap();
/// let plan = layout.plan(&fw, "2025-09-03,C1,S2,4,,1,1,3".split(',')).unwrap();
/// assert_eq!(plan.readiness()[vsend_core::Domain::Ci], None);
///
/// let errors = layout.plan(&fw, "2025-02-30,C1,S2,5,,1,1,3".split(',')).unwrap_err();
/// let fields: Vec<String> = errors.iter().map(|e| e.field().name_in(Format::Csv)).collect();
/// assert_eq!(fields, ["move_on", "readiness.cl"]);
///
/// let bad = PlanLayout::new("child_id,to_setting_id,move_on,need.cl".split(',')).unwrap_err();
/// assert!(matches!(bad.0[0], HeaderError::Unknown { position: 4, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLayout {
    columns: Vec<PlanColumn>,
}

impl PlanLayout {
    /// Resolves a header row: names trimmed; an unknown, repeated or missing
    /// column is an error, all reported together.
    pub fn new<'a>(header: impl IntoIterator<Item = &'a str>) -> Result<PlanLayout, HeaderErrors> {
        let required = PlanColumn::all().into_iter().map(|c| (c, c.name()));
        let columns = resolve_header(header, PlanColumn::parse, PlanColumn::name, required)?;
        Ok(PlanLayout { columns })
    }

    /// The columns in file order.
    pub fn columns(&self) -> &[PlanColumn] {
        &self.columns
    }

    /// Builds the plan from one row's fields, in header order. The caller
    /// checks the field count first (a mismatch is a rejected row, §10).
    pub fn plan<'a>(
        &self,
        framework: &Framework,
        fields: impl IntoIterator<Item = &'a str>,
    ) -> Result<Plan, ValidationErrors> {
        let mut b = PlanBuilder::new(framework);
        for (&column, value) in self.columns.iter().zip(fields) {
            match column {
                PlanColumn::ChildId => b.child_id(value),
                PlanColumn::ToSettingId => b.to_setting_id(value),
                PlanColumn::MoveOn => b.move_on(value),
                PlanColumn::Readiness(d) => b.readiness(d, value),
            };
        }
        b.build()
    }
}

/// The plans of one input seen so far, by child and move date: the one place
/// of the duplicate rule for plans (§11, as §7's for assessments). Of two
/// plans of one child moving on one date — the same plan twice, or two that
/// disagree — the later in input order is rejected, so a plan for a child and
/// date is never ambiguous, in any command or interface that reads plans.
///
/// ```
/// use vsend_core::{Format, Framework, PlanLayout, SeenPlans, ValidationError};
/// let fw = Framework::default();
/// let header = "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind";
/// let layout = PlanLayout::new(header.split(',')).unwrap();
/// let plan = |row: &str| layout.plan(&fw, row.split(',')).unwrap();
/// let mut seen = SeenPlans::new();
/// seen.add(&plan("C1,S2,2025-09-03,4,,1,1,3")).unwrap();
/// seen.add(&plan("C1,S3,2026-01-06,4,,1,1,3")).unwrap(); // another date
/// seen.add(&plan("C2,S2,2025-09-03,4,,1,1,3")).unwrap(); // another child
/// let duplicate = seen.add(&plan("C1,S9,2025-09-03,0,0,0,0,0")).unwrap_err();
/// assert_eq!(
///     ValidationError::from(duplicate).located(Format::Csv).to_string(),
///     r#"column move_on: "2025-09-03" repeats an earlier plan of C1 moving on the same date; allowed one plan per child per move date"#
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct SeenPlans {
    /// A hash set: a plans file of a million rows is checked in one pass.
    seen: HashSet<(ChildId, Date)>,
}

impl SeenPlans {
    /// No plan seen yet.
    pub fn new() -> SeenPlans {
        SeenPlans::default()
    }

    /// Records `plan`, or rejects it (changing nothing) when a plan of the
    /// same child moving on the same date was recorded before.
    pub fn add(&mut self, plan: &Plan) -> Result<(), DuplicatePlan> {
        if self.seen.insert((plan.child_id.clone(), plan.move_on)) {
            Ok(())
        } else {
            Err(DuplicatePlan {
                child_id: plan.child_id.clone(),
                move_on: plan.move_on,
            })
        }
    }
}

const PLAN_KEYS: &str = "child_id, to_setting_id, move_on, readiness";
const DOMAIN_KEYS: &str = "cl, ci, sp, semh, ind";

/// Validates one JSON Lines transition plan (§11):
/// `{"child_id": "C1", "to_setting_id": "S2", "move_on": "2025-09-03",
/// "readiness": {"cl": 4, "ci": null, …}}`. As strict as cohort JSON Lines:
/// repeated keys, levels in quotes, numeric IDs and unknown keys are each a
/// problem, named by JSON path.
///
/// ```
/// use vsend_core::{parse_plan_line, Format, Framework};
/// let fw = Framework::default();
/// let plan = parse_plan_line(&fw, br#"{"child_id": "C1", "to_setting_id": "S2", "move_on": "2025-09-03", "readiness": {"cl": 4, "ci": null}}"#).unwrap();
/// assert_eq!(plan.readiness()[vsend_core::Domain::Cl].unwrap().get(), 4);
/// let errors: Vec<String> = parse_plan_line(&fw, br#"{"child_id": "C1", "to_setting_id": 7, "move_on": "2025-09-03", "readiness": {"cl": "4"}}"#)
///     .unwrap_err().iter().map(|e| e.located(Format::Jsonl).to_string()).collect();
/// assert_eq!(errors, [
///     r#"field to_setting_id: "7" is a number; allowed a string in double quotes"#,
///     r#"field readiness.cl: "4" is a string; allowed a whole number 0 to 4 (not in quotes), or null for not assessed"#,
/// ]);
/// ```
pub fn parse_plan_line(framework: &Framework, line: &[u8]) -> Result<Plan, ValidationErrors> {
    let mut b = PlanBuilder::new(framework);
    let entries = object_of_line(line)?;
    let max = framework.scale().max_level();
    // A set, not a list: a 1 MiB line holds tens of thousands of keys.
    let mut seen: HashSet<&str> = HashSet::with_capacity(entries.len());
    for (key, value) in &entries {
        let top = match key.as_str() {
            "child_id" => Some(Field::ChildId),
            "to_setting_id" => Some(Field::ToSettingId),
            "move_on" => Some(Field::MoveOn),
            _ => None,
        };
        if !seen.insert(key) {
            let field = top.unwrap_or_else(|| Field::Key(Found::new(key).as_str().into()));
            b.push_error(ValidationError::DuplicateKey { field });
            continue;
        }
        if let Some(field) = top {
            let text = match value {
                Json::String(s) => s.as_str(),
                Json::Null => "",
                other => {
                    b.push_error(ValidationError::WrongType {
                        field,
                        found: other.found(),
                        found_kind: other.kind(),
                        expected: Expected::Text,
                    });
                    continue;
                }
            };
            match field {
                Field::ChildId => b.child_id(text),
                Field::ToSettingId => b.to_setting_id(text),
                _ => b.move_on(text),
            };
            continue;
        }
        if key != "readiness" {
            b.push_error(ValidationError::UnknownKey {
                field: Field::Key(Found::new(key).as_str().into()),
                allowed: PLAN_KEYS,
            });
            continue;
        }
        let entries: &[(String, Json)] = match value {
            Json::Object(entries) => entries,
            Json::Null => &[],
            other => {
                b.push_error(ValidationError::WrongType {
                    field: Field::Key("readiness".into()),
                    found: other.found(),
                    found_kind: other.kind(),
                    expected: Expected::Object,
                });
                continue;
            }
        };
        let mut seen_domains = DomainSet::EMPTY;
        for (k, v) in entries {
            let Ok(d) = k.parse::<Domain>() else {
                b.push_error(ValidationError::UnknownKey {
                    field: Field::Key(format!("readiness.{}", Found::new(k).as_str()).into()),
                    allowed: DOMAIN_KEYS,
                });
                continue;
            };
            if seen_domains.contains(d) {
                b.push_error(ValidationError::DuplicateKey {
                    field: Field::Readiness(d),
                });
                continue;
            }
            seen_domains.insert(d);
            match v {
                Json::Null => {}
                Json::Number(text) => {
                    b.readiness(d, &level_of_number(text, max));
                }
                other => b.push_error(ValidationError::WrongType {
                    field: Field::Readiness(d),
                    found: other.found(),
                    found_kind: other.kind(),
                    expected: Expected::Level { max },
                }),
            }
        }
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, HeaderError};

    fn problems(line: &str) -> Vec<String> {
        let fw = Framework::default();
        match parse_plan_line(&fw, line.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|e| e.located(Format::Jsonl).to_string())
                .collect(),
        }
    }

    #[test]
    fn json_plans_are_strict() {
        assert_eq!(
            problems(
                r#"{"child_id":"C1","to_setting_id":"S2","move_on":"2025-09-03","readiness":{"cl":1,"ci":2,"sp":null,"semh":0,"ind":4}}"#
            ),
            Vec::<String>::new()
        );
        let p = problems(
            r#"{"child_id":"C1","child_id":"C2","move_on":"2025-02-30","readiness":{"xx":1,"cl":5,"cl":1},"colour":1}"#,
        );
        assert_eq!(
            p,
            [
                "field child_id: appears more than once in its object; allowed once",
                r#"field move_on: "2025-02-30" is not a date; allowed a calendar date YYYY-MM-DD"#,
                "field readiness.xx: is not a field here; allowed cl, ci, sp, semh, ind",
                r#"field readiness.cl: "5" is above the scale maximum 4 (allowed 0 to 4)"#,
                "field readiness.cl: appears more than once in its object; allowed once",
                "field colour: is not a field here; allowed child_id, to_setting_id, move_on, readiness",
                "field to_setting_id: is empty; a value is required",
            ]
        );
        assert_eq!(
            problems("[]"),
            ["the line holds an array; allowed one JSON object per line"]
        );
        assert_eq!(
            problems(r#"{"child_id":"C1""#),
            ["not valid JSON: the line ends inside a value at column 16"]
        );
    }

    #[test]
    fn header_must_have_exactly_the_plan_columns() {
        let err = PlanLayout::new(
            "child_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.semh,setting_id"
                .split(','),
        )
        .unwrap_err();
        assert_eq!(
            err.0,
            [
                HeaderError::Duplicate {
                    position: 7,
                    name: "readiness.semh".into()
                },
                HeaderError::Unknown {
                    position: 8,
                    name: "setting_id".into(),
                    suggestion: None,
                },
                HeaderError::Missing(vec!["to_setting_id".into(), "readiness.ind".into()]),
            ]
        );
    }

    #[test]
    fn csv_cells_are_trimmed_and_required_cells_checked() {
        let fw = Framework::default();
        let header = "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind";
        let layout = PlanLayout::new(header.split(',')).unwrap();
        let plan = layout
            .plan(&fw, " C1 , S2 , 2025-09-03 , 0,,,, ".split(','))
            .unwrap();
        assert_eq!(plan.child_id().as_str(), "C1");
        assert_eq!(plan.readiness()[Domain::Cl].map(Level::get), Some(0));
        assert_eq!(plan.readiness()[Domain::Ind], None);
        let errors = layout.plan(&fw, ",,,,,,,".split(',')).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(fields, [Field::ChildId, Field::ToSettingId, Field::MoveOn]);
    }
}
