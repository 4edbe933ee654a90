//! §9 the error model: what a rejected value or record says (the field, what
//! was found, what is allowed), as data that each format words its own way.

use std::fmt;

use crate::dates::MAX_AGE;
use crate::domain::Domain;
use crate::ids::{ChildId, MAX_ID_LEN};

/// A record format of §10. A problem's [`Field`] is the same in both; each
/// format names it in its own words ([`Field::name_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Cohort CSV: fields are columns (`need.cl.literacy`).
    Csv,
    /// Cohort JSON Lines: fields are JSON paths (`needs.cl.literacy`).
    Jsonl,
}

impl Format {
    /// The format a file extension names: `csv`, or `jsonl` / `ndjson` (any case).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// Where in a record a problem was found, as data: each [`Format`] renders it
/// (a CSV column header, or a JSON path).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// `child_id`.
    ChildId,
    /// `assessed_on`.
    AssessedOn,
    /// `date_of_birth`.
    DateOfBirth,
    /// `setting_id`.
    SettingId,
    /// `need.<area key>` (CSV), `needs.<area key>` (JSON).
    Need(Box<str>),
    /// `readiness.<domain>`.
    Readiness(Domain),
    /// `readiness_planned.<domain>`.
    ReadinessPlanned(Domain),
    /// `confidence.<domain>`.
    Confidence(Domain),
    /// `to_setting_id` of a transition plan (§11).
    ToSettingId,
    /// `move_on` of a transition plan (§11).
    MoveOn,
    /// A JSON key the schema does not know, by its path (shortened).
    Key(Box<str>),
    /// The record as a whole.
    Record,
}

impl Field {
    /// The field's name in `format`: `need.cl.literacy` in CSV,
    /// `needs.cl.literacy` in JSON Lines; empty for the whole record.
    pub fn name_in(&self, format: Format) -> String {
        match (self, format) {
            (Field::Need(key), Format::Jsonl) => format!("needs.{}", Printable(key)),
            (Field::Need(key), Format::Csv) => format!("need.{}", Printable(key)),
            (Field::Record, _) => String::new(),
            (other, _) => other.to_string(),
        }
    }
}

impl fmt::Display for Field {
    /// The CSV column name (JSON paths differ only for needs: see [`Field::name_in`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::ChildId => f.write_str("child_id"),
            Field::AssessedOn => f.write_str("assessed_on"),
            Field::DateOfBirth => f.write_str("date_of_birth"),
            Field::SettingId => f.write_str("setting_id"),
            Field::ToSettingId => f.write_str("to_setting_id"),
            Field::MoveOn => f.write_str("move_on"),
            Field::Need(key) => write!(f, "need.{}", Printable(key)),
            Field::Readiness(d) => write!(f, "readiness.{d}"),
            Field::ReadinessPlanned(d) => write!(f, "readiness_planned.{d}"),
            Field::Confidence(d) => write!(f, "confidence.{d}"),
            Field::Key(path) => Printable(path).fmt(f),
            Field::Record => f.write_str("(record)"),
        }
    }
}

/// A key from a record as messages print it: a JSON key may hold any
/// character, and a control character (an ANSI escape, a line break) or a
/// bidirectional override must not reach a terminal or a report as itself.
pub(crate) struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(self.0))
    }
}

/// `text` as a report or a terminal may show it: each control character,
/// line or paragraph separator and bidirectional override written as its
/// escape (`\u{1b}`), everything else as it is; borrowed when there is
/// nothing to escape.
///
/// ```
/// use vsend_core::error::printable;
/// assert_eq!(printable("C0042"), "C0042");
/// assert_eq!(printable("C\u{1b}[2J"), r"C\u{1b}[2J");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let escape = |c: char| crate::framework::forbidden(c).is_some();
    if !text.chars().any(escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The value found in a rejected field, cut short so that an error never echoes
/// more of a record than it needs (a 10 MB cell prints as its first 40 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found(pub(crate) Box<str>);

impl Found {
    const MAX_CHARS: usize = 40;

    /// Keeps at most the first 40 characters of `s`, marking a cut with `…`.
    pub fn new(s: &str) -> Found {
        match s.char_indices().nth(Self::MAX_CHARS) {
            None => Found(s.into()),
            Some((cut, _)) => Found(format!("{}…", &s[..cut]).into()),
        }
    }

    /// The (possibly shortened) value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Found {
    /// The value in double quotes, with control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

/// One problem with one field of a record (§9): what was found and what is
/// allowed. The field is data ([`field`](Self::field)); [`located`](Self::located)
/// names it in a format's words, and the caller adds the file and line, e.g.
/// `cohort.csv:42: ` + `column need.cl.literacy: "5" is above the scale maximum 4`.
///
/// ```
/// use vsend_core::{AssessmentBuilder, Format, Framework};
/// let fw = Framework::default();
/// let mut b = AssessmentBuilder::new(&fw);
/// b.child_id("C1").assessed_on("2025-01-10").need("cl.literacy", "5");
/// let errors = b.build().unwrap_err();
/// let e = errors.iter().next().unwrap();
/// assert_eq!(e.to_string(), r#""5" is above the scale maximum 4 (allowed 0 to 4)"#);
/// assert_eq!(
///     e.located(Format::Csv).to_string(),
///     r#"column need.cl.literacy: "5" is above the scale maximum 4 (allowed 0 to 4)"#
/// );
/// assert_eq!(
///     e.located(Format::Jsonl).to_string(),
///     r#"field needs.cl.literacy: "5" is above the scale maximum 4 (allowed 0 to 4)"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A level above the scale.
    #[error("{found} is above the scale maximum {max} (allowed 0 to {max})")]
    AboveScale {
        /// The field.
        field: Field,
        /// The value found.
        found: Found,
        /// The scale maximum.
        max: u8,
    },
    /// A negative level.
    #[error("{found} is below the scale minimum 0 (allowed 0 to {max})")]
    BelowScale {
        /// The field.
        field: Field,
        /// The value found.
        found: Found,
        /// The scale maximum.
        max: u8,
    },
    /// Not a whole number.
    #[error(
        "{found} is not a level; allowed a whole number 0 to {max}, or empty for not assessed"
    )]
    NotALevel {
        /// The field.
        field: Field,
        /// The value found.
        found: Found,
        /// The scale maximum.
        max: u8,
    },
    /// Not a `YYYY-MM-DD` calendar date.
    #[error("{found} is not a date; allowed a calendar date YYYY-MM-DD")]
    NotADate {
        /// The field.
        field: Field,
        /// The value found.
        found: Found,
    },
    /// An ID breaking the rules of §3.
    #[error("{found} is not a valid ID; allowed 1 to {MAX_ID_LEN} characters from A-Z a-z 0-9 . _ - starting with a letter or digit")]
    BadId {
        /// The field.
        field: Field,
        /// The value found.
        found: Found,
    },
    /// A required field left empty.
    #[error("is empty; a value is required")]
    Missing {
        /// The field.
        field: Field,
    },
    /// `assessed_on` before `date_of_birth`.
    #[error("{found} is before the date of birth; allowed on or after it")]
    BeforeBirth {
        /// The assessment date found.
        found: Found,
    },
    /// Age at assessment outside 0 to 25.
    #[error("gives age {age} at assessment; allowed ages 0 to {MAX_AGE}")]
    AgeOutOfRange {
        /// The date of birth found.
        found: Found,
        /// The age in whole years.
        age: i16,
    },
    /// A need area the framework does not have.
    #[error("not a need area of framework {framework}")]
    UnknownArea {
        /// The field.
        field: Field,
        /// The framework's id and version.
        framework: String,
    },
    /// A second assessment of a child on a date already seen (§7).
    #[error("{found} repeats an earlier assessment of {child_id} on the same date; allowed one assessment per child per date")]
    Duplicate {
        /// The repeated date.
        found: Found,
        /// The child.
        child_id: ChildId,
    },
    /// A second transition plan of a child moving on a date already seen
    /// (§11, by §7's rule): which of the two would count is ambiguous.
    #[error("{found} repeats an earlier plan of {child_id} moving on the same date; allowed one plan per child per move date")]
    DuplicatePlan {
        /// The repeated `move_on` date.
        found: Found,
        /// The child.
        child_id: ChildId,
    },
    /// A JSON value of the wrong type (a level given as `"3"`, an ID as a number).
    #[error("{found} is {}; allowed {expected}", found_kind.article())]
    WrongType {
        /// The field.
        field: Field,
        /// The value found, as JSON (shortened).
        found: Found,
        /// What JSON type it is.
        found_kind: JsonType,
        /// What is allowed there.
        expected: Expected,
    },
    /// A JSON key given twice in one object: which one counts is ambiguous.
    #[error("appears more than once in its object; allowed once")]
    DuplicateKey {
        /// The repeated key's path.
        field: Field,
    },
    /// A JSON key the §10 schema does not have.
    #[error("is not a field here; allowed {allowed}")]
    UnknownKey {
        /// The key's path.
        field: Field,
        /// The keys allowed in that object.
        allowed: &'static str,
    },
    /// The line is not valid JSON.
    #[error("not valid JSON: {problem} at column {column}")]
    NotJson {
        /// 1-based column (byte) where parsing stopped.
        column: usize,
        /// What went wrong, in words.
        problem: &'static str,
    },
    /// The line is JSON but not an object.
    #[error("the line holds {}; allowed one JSON object per line", found_kind.article())]
    NotAnObject {
        /// What JSON type the line holds.
        found_kind: JsonType,
    },
}

/// The type of a JSON value, for messages about the wrong type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    fn article(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Bool => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        }
    }
}

/// What a JSON field allows, for [`ValidationError::WrongType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// A level: a whole number `0..=max`, or null.
    Level {
        /// The scale maximum.
        max: u8,
    },
    /// A string (an ID or a date), or null where optional.
    Text,
    /// An object keyed by area or domain, or null.
    Object,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Level { max } => write!(
                f,
                "a whole number 0 to {max} (not in quotes), or null for not assessed"
            ),
            Expected::Text => f.write_str("a string in double quotes"),
            Expected::Object => f.write_str("an object, or null"),
        }
    }
}

/// A [`ValidationError`] with its location in the words of one [`Format`]:
/// `column need.cl.literacy: "5" is above …` or `field needs.cl.literacy: …`.
#[derive(Debug, Clone, Copy)]
pub struct Located<'e> {
    error: &'e ValidationError,
    format: Format,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.error.field(), self.format) {
            (Field::Record, _) => write!(f, "{}", self.error),
            (field, Format::Csv) => {
                write!(f, "column {}: {}", field.name_in(Format::Csv), self.error)
            }
            (field, Format::Jsonl) => {
                write!(f, "field {}: {}", field.name_in(Format::Jsonl), self.error)
            }
        }
    }
}

impl ValidationError {
    /// The field at fault.
    pub fn field(&self) -> Field {
        use ValidationError as E;
        match self {
            E::AboveScale { field, .. }
            | E::BelowScale { field, .. }
            | E::NotALevel { field, .. }
            | E::NotADate { field, .. }
            | E::BadId { field, .. }
            | E::Missing { field }
            | E::UnknownArea { field, .. }
            | E::WrongType { field, .. }
            | E::DuplicateKey { field }
            | E::UnknownKey { field, .. } => field.clone(),
            E::BeforeBirth { .. } | E::Duplicate { .. } => Field::AssessedOn,
            E::DuplicatePlan { .. } => Field::MoveOn,
            E::AgeOutOfRange { .. } => Field::DateOfBirth,
            E::NotJson { .. } | E::NotAnObject { .. } => Field::Record,
        }
    }

    /// This error with its location named as `format` names it.
    pub fn located(&self, format: Format) -> Located<'_> {
        Located {
            error: self,
            format,
        }
    }

    /// The value found (shortened), empty when the field was empty.
    pub fn found(&self) -> &str {
        use ValidationError as E;
        match self {
            E::AboveScale { found, .. }
            | E::BelowScale { found, .. }
            | E::NotALevel { found, .. }
            | E::NotADate { found, .. }
            | E::BadId { found, .. }
            | E::BeforeBirth { found }
            | E::AgeOutOfRange { found, .. }
            | E::WrongType { found, .. }
            | E::Duplicate { found, .. }
            | E::DuplicatePlan { found, .. } => found.as_str(),
            E::Missing { .. }
            | E::UnknownArea { .. }
            | E::DuplicateKey { .. }
            | E::UnknownKey { .. }
            | E::NotJson { .. }
            | E::NotAnObject { .. } => "",
        }
    }
}

/// Every problem found in one record, in field order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub(crate) Vec<ValidationError>);

impl ValidationErrors {
    /// A record's problems; `errors` must not be empty.
    pub(crate) fn new(errors: Vec<ValidationError>) -> ValidationErrors {
        debug_assert!(!errors.is_empty());
        ValidationErrors(errors)
    }
    /// A record's single problem.
    pub(crate) fn one(e: ValidationError) -> ValidationErrors {
        ValidationErrors(vec![e])
    }
    /// The problems, in the order the fields were given.
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }
    /// The number of problems (at least 1).
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Always false: a record with no problems is not an error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for ValidationErrors {
    /// Every problem with its CSV location, separated by `; `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            e.located(Format::Csv).fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}
