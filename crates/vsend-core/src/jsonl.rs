//! §10 cohort JSON Lines: the record schema, beside the CSV column layout.
//!
//! One line holds one assessment object:
//! `{"child_id": "C1", "assessed_on": "2025-01-10", "needs": {"cl.literacy": 3},
//! "readiness": {"cl": 2}, "confidence": {"cl": null}}`. The schema is strict,
//! because a lenient reader would let ambiguous records through:
//! - a key given twice in one object is an error (which one would count?);
//! - levels are JSON whole numbers or `null`; `"3"` is a string, not a level;
//! - IDs and dates are strings; a numeric `child_id` is an error;
//! - an unknown key is an error, named by its JSON path.
//!
//! Every problem of a line is reported, each with its [`Field`] as data.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::assessment::{Assessment, AssessmentBuilder};
use crate::domain::{Domain, DomainSet};
use crate::error::{Expected, Field, Found, JsonType, ValidationError, ValidationErrors};
use crate::framework::Framework;

/// The top-level keys of an assessment object.
const TOP_KEYS: &str =
    "child_id, assessed_on, date_of_birth, setting_id, needs, readiness, readiness_planned, confidence";
/// The keys of a per-domain object.
const DOMAIN_KEYS: &str = "cl, ci, sp, semh, ind";

/// A JSON value that keeps every key of an object in order, repeats included,
/// so that a repeated key can be reported rather than silently overwritten.
///
/// A number is kept as the text it was written as, so that a message echoes
/// `18446744073709551617` as written, not as the float serde_json would
/// parse it to (`18446744073709552000`).
#[derive(Debug)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// A number's text, exactly as in the line.
    Number(Box<str>),
    String(String),
    Array,
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn kind(&self) -> JsonType {
        match self {
            Json::Null => JsonType::Null,
            Json::Bool(_) => JsonType::Bool,
            Json::Number(_) => JsonType::Number,
            Json::String(_) => JsonType::String,
            Json::Array => JsonType::Array,
            Json::Object(_) => JsonType::Object,
        }
    }

    /// A short text of the value for messages (never more than [`Found`] keeps).
    pub(crate) fn found(&self) -> Found {
        match self {
            Json::Null => Found::new("null"),
            Json::Bool(b) => Found::new(if *b { "true" } else { "false" }),
            Json::Number(text) => Found::new(text),
            Json::String(s) => Found::new(s),
            Json::Array => Found::new("[…]"),
            Json::Object(_) => Found::new("{…}"),
        }
    }
}

/// The deepest objects kept with their entries: the record (depth 0) and its
/// objects (`needs`, `readiness`, …, depth 1). An object further down is
/// never more than a wrong type, reported by its kind, so it is only checked
/// to be JSON: each level is parsed at most twice, whatever the nesting.
const KEPT_DEPTH: u8 = 1;

/// Reads a JSON value at `depth`: objects down to [`KEPT_DEPTH`] entry by
/// entry, the values inside them through serde_json's raw text, so that a
/// number keeps the text it was written as.
struct JsonVisitor {
    depth: u8,
}

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    // Reached only for a line that is a bare number: its text is never echoed.
    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.to_string().into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.to_string().into()))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Json, E> {
        Ok(Json::Number(x.to_string().into()))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Json::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value_seed(ValueSeed {
                depth: self.depth + 1,
            })?;
            entries.push((k, v));
        }
        Ok(Json::Object(entries))
    }
}

/// A value inside an object, read as its raw text first.
struct ValueSeed {
    depth: u8,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        // Borrowed from the line: no copy. serde_json has checked its syntax.
        let raw = <&'de RawValue>::deserialize(d)?;
        let text = raw.get();
        let parse = |text: &str| {
            let mut inner = serde_json::Deserializer::from_str(text);
            inner
                .deserialize_any(JsonVisitor { depth: self.depth })
                .map_err(de::Error::custom)
        };
        match text.as_bytes().first() {
            Some(b'-' | b'0'..=b'9') => Ok(Json::Number(text.into())),
            Some(b'{') if self.depth > KEPT_DEPTH => Ok(Json::Object(Vec::new())),
            Some(b'[') => Ok(Json::Array),
            _ => parse(text),
        }
    }
}

/// One JSON Lines record's value, keys in order and repeats kept.
fn parse_line(line: &[u8]) -> Result<Json, serde_json::Error> {
    let mut d = serde_json::Deserializer::from_slice(line);
    let value = d.deserialize_any(JsonVisitor { depth: 0 })?;
    d.end()?;
    Ok(value)
}

/// A JSON number as the text of a level for the builder (§3): a whole number
/// on the scale written with a fraction or exponent (`2.0`, `2e0`) as its
/// digits, as before; anything else as written, so that the builder's
/// problem echoes the number as it is in the line.
pub(crate) fn level_of_number(text: &str, max: u8) -> Cow<'_, str> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        if let Ok(x) = text.parse::<f64>() {
            if x.fract() == 0.0 && (0.0..=f64::from(max)).contains(&x) {
                return Cow::Owned((x as u8).to_string());
            }
        }
    }
    Cow::Borrowed(text)
}

/// Validates one JSON Lines record against `framework` (§3, §9, §10).
///
/// `line` is the line's bytes without its line ending. Every problem is
/// reported, each with its field as data; render them with
/// [`ValidationError::located`] and [`Format::Jsonl`](crate::Format::Jsonl).
///
/// ```
/// use vsend_core::{parse_json_line, Format, Framework};
/// let fw = Framework::default();
/// let a = parse_json_line(&fw, br#"{"child_id": "C1", "assessed_on": "2025-01-10", "needs": {"cl.literacy": 3}}"#).unwrap();
/// assert_eq!(a.needs()[1].unwrap().get(), 3);
///
/// let line = br#"{"child_id": "C1", "child_id": "C2", "assessed_on": "2025-01-10", "needs": {"cl.literacy": "3"}}"#;
/// let errors: Vec<String> = parse_json_line(&fw, line)
///     .unwrap_err()
///     .iter()
///     .map(|e| e.located(Format::Jsonl).to_string())
///     .collect();
/// assert_eq!(errors, [
///     "field child_id: appears more than once in its object; allowed once",
///     r#"field needs.cl.literacy: "3" is a string; allowed a whole number 0 to 4 (not in quotes), or null for not assessed"#,
/// ]);
/// ```
pub fn parse_json_line(framework: &Framework, line: &[u8]) -> Result<Assessment, ValidationErrors> {
    let mut b = AssessmentBuilder::new(framework);
    let entries = object_of_line(line)?;
    // A set, not a list: a hostile line holds 100,000 keys (§9 still names each repeat).
    let mut seen: HashSet<&str> = HashSet::with_capacity(entries.len());
    for (key, value) in &entries {
        if !seen.insert(key) {
            let field =
                top_field(key).unwrap_or_else(|| Field::Key(Found::new(key).as_str().into()));
            b.push_error(ValidationError::DuplicateKey { field });
            continue;
        }
        match key.as_str() {
            "child_id" | "assessed_on" | "date_of_birth" | "setting_id" => {
                let field = top_field(key).expect("one of the four string fields");
                text(&mut b, field, value);
            }
            "needs" => needs(&mut b, framework, value),
            "readiness" => per_domain(&mut b, framework, key, value, Field::Readiness),
            "readiness_planned" => {
                per_domain(&mut b, framework, key, value, Field::ReadinessPlanned)
            }
            "confidence" => per_domain(&mut b, framework, key, value, Field::Confidence),
            other => {
                b.push_error(ValidationError::UnknownKey {
                    field: Field::Key(Found::new(other).as_str().into()),
                    allowed: TOP_KEYS,
                });
            }
        }
    }
    b.build()
}

/// One JSON Lines record's object, keys in order and repeats kept; a line
/// that is not JSON, or not an object, is the record's one problem.
pub(crate) fn object_of_line(line: &[u8]) -> Result<Vec<(String, Json)>, ValidationErrors> {
    let value = parse_line(line).map_err(|e| {
        // serde_json's own message would repeat the position as "line 1"; say it once.
        let problem = match e.classify() {
            serde_json::error::Category::Eof => "the line ends inside a value",
            _ => "a syntax error",
        };
        ValidationErrors::one(ValidationError::NotJson {
            column: e.column(),
            problem,
        })
    })?;
    match value {
        Json::Object(entries) => Ok(entries),
        other => Err(ValidationErrors::one(ValidationError::NotAnObject {
            found_kind: other.kind(),
        })),
    }
}

fn top_field(key: &str) -> Option<Field> {
    Some(match key {
        "child_id" => Field::ChildId,
        "assessed_on" => Field::AssessedOn,
        "date_of_birth" => Field::DateOfBirth,
        "setting_id" => Field::SettingId,
        _ => return None,
    })
}

/// A string field (`null` is empty: missing or not given, as the builder decides).
fn text(b: &mut AssessmentBuilder<'_>, field: Field, value: &Json) {
    let s = match value {
        Json::String(s) => s.as_str(),
        Json::Null => "",
        other => {
            // Given, though of the wrong type: not also reported missing.
            b.mark_given(&field);
            b.push_error(ValidationError::WrongType {
                field,
                found: other.found(),
                found_kind: other.kind(),
                expected: Expected::Text,
            });
            return;
        }
    };
    match field {
        Field::ChildId => b.child_id(s),
        Field::AssessedOn => b.assessed_on(s),
        Field::DateOfBirth => b.date_of_birth(s),
        _ => b.setting_id(s),
    };
}

/// A level, as the text the builder checks; `None` after reporting a wrong type.
fn level_text<'j>(
    b: &mut AssessmentBuilder<'_>,
    field: impl FnOnce() -> Field,
    max: u8,
    value: &'j Json,
) -> Option<Cow<'j, str>> {
    match value {
        Json::Null => Some(Cow::Borrowed("")),
        Json::Number(text) => Some(level_of_number(text, max)),
        other => {
            b.push_error(ValidationError::WrongType {
                field: field(),
                found: other.found(),
                found_kind: other.kind(),
                expected: Expected::Level { max },
            });
            None
        }
    }
}

/// The entries of an object-valued field, or `None` (after reporting) for a wrong type.
fn object<'j>(
    b: &mut AssessmentBuilder<'_>,
    key: &str,
    value: &'j Json,
) -> Option<&'j [(String, Json)]> {
    match value {
        Json::Object(entries) => Some(entries),
        Json::Null => Some(&[]),
        other => {
            b.push_error(ValidationError::WrongType {
                field: Field::Key(key.into()),
                found: other.found(),
                found_kind: other.kind(),
                expected: Expected::Object,
            });
            None
        }
    }
}

fn needs(b: &mut AssessmentBuilder<'_>, fw: &Framework, value: &Json) {
    let Some(entries) = object(b, "needs", value) else {
        return;
    };
    let max = fw.scale().max_level();
    let mut seen: HashSet<&str> = HashSet::with_capacity(entries.len());
    for (area, v) in entries {
        let field = || Field::Need(Found::new(area).as_str().into());
        if !seen.insert(area) {
            b.push_error(ValidationError::DuplicateKey { field: field() });
            continue;
        }
        if let Some(text) = level_text(b, field, max, v) {
            b.need(area, &text);
        }
    }
}

fn per_domain(
    b: &mut AssessmentBuilder<'_>,
    fw: &Framework,
    key: &str,
    value: &Json,
    field_of: fn(Domain) -> Field,
) {
    let Some(entries) = object(b, key, value) else {
        return;
    };
    let max = fw.scale().max_level();
    // Only the five domain keys get past the unknown-key check: a set of five.
    let mut seen = DomainSet::EMPTY;
    for (k, v) in entries {
        let Ok(d) = k.parse::<Domain>() else {
            b.push_error(ValidationError::UnknownKey {
                field: Field::Key(format!("{key}.{}", Found::new(k).as_str()).into()),
                allowed: DOMAIN_KEYS,
            });
            continue;
        };
        if seen.contains(d) {
            b.push_error(ValidationError::DuplicateKey { field: field_of(d) });
            continue;
        }
        seen.insert(d);
        if let Some(text) = level_text(b, || field_of(d), max, v) {
            match key {
                "readiness" => b.readiness(d, &text),
                "readiness_planned" => b.readiness_planned(d, &text),
                _ => b.confidence(d, &text),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    fn problems(line: &str) -> Vec<String> {
        let fw = Framework::default();
        match parse_json_line(&fw, line.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|e| e.located(Format::Jsonl).to_string())
                .collect(),
        }
    }

    #[test]
    fn a_full_record_is_accepted() {
        let line = r#"{"child_id":"C1","assessed_on":"2025-01-10","date_of_birth":null,"setting_id":"S1","needs":{"cl.literacy":3,"cl.numeracy":null},"readiness":{"cl":2},"readiness_planned":null,"confidence":{"cl":null}}"#;
        assert_eq!(problems(line), Vec::<String>::new());
    }

    #[test]
    fn duplicate_keys_are_rejected_at_every_level() {
        let line = r#"{"child_id":"=HYPERLINK(1)","child_id":"C1","assessed_on":"2025-01-10","needs":{"cl.literacy":1,"cl.literacy":4},"readiness":{"cl":1,"cl":2}}"#;
        let p = problems(line);
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].starts_with("field child_id: \"=HYPERLINK(1)\" is not a valid ID"));
        assert_eq!(
            p[1],
            "field child_id: appears more than once in its object; allowed once"
        );
        assert_eq!(
            p[2],
            "field needs.cl.literacy: appears more than once in its object; allowed once"
        );
        assert_eq!(
            p[3],
            "field readiness.cl: appears more than once in its object; allowed once"
        );
    }

    #[test]
    fn wrong_types_are_rejected_not_coerced() {
        let p = problems(
            r#"{"child_id":12345,"assessed_on":"2025-01-10","needs":{"cl.literacy":"3"},"confidence":{"ci":true},"readiness":[1]}"#,
        );
        assert_eq!(
            p,
            [
                "field child_id: \"12345\" is a number; allowed a string in double quotes",
                "field needs.cl.literacy: \"3\" is a string; allowed a whole number 0 to 4 (not in quotes), or null for not assessed",
                "field confidence.ci: \"true\" is a boolean; allowed a whole number 0 to 4 (not in quotes), or null for not assessed",
                "field readiness: \"[…]\" is an array; allowed an object, or null",
            ]
        );
        let p =
            problems(r#"{"child_id":"C1","assessed_on":"2025-01-10","needs":{"cl.literacy":2.5}}"#);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("field needs.cl.literacy: \"2.5\" is not a level"),
            "{p:?}"
        );
    }

    #[test]
    fn unknown_keys_syntax_and_non_objects() {
        let p = problems(
            r#"{"child_id":"C1","assessed_on":"2025-01-10","colour":1,"readiness":{"xx":1},"needs":{"cl.spelling":1}}"#,
        );
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("field colour: is not a field here; allowed child_id,"));
        assert_eq!(
            p[1],
            "field readiness.xx: is not a field here; allowed cl, ci, sp, semh, ind"
        );
        assert!(p[2].starts_with("field needs.cl.spelling: not a need area"));
        assert_eq!(
            problems(r#"{"child_id": "C1""#),
            ["not valid JSON: the line ends inside a value at column 17"]
        );
        assert_eq!(
            problems("{child_id}"),
            ["not valid JSON: a syntax error at column 2"]
        );
        assert_eq!(
            problems("[1, 2]"),
            ["the line holds an array; allowed one JSON object per line"]
        );
        assert_eq!(
            problems("{}"),
            [
                "field child_id: is empty; a value is required",
                "field assessed_on: is empty; a value is required"
            ]
        );
    }
}
