//! §3 Assessment: one review of one child on one date, and its validation (§9).
//!
//! Dates are [`jiff::civil::Date`]: a plain calendar date with no time zone to get
//! wrong, checked construction (no 30 February), cheap `Ord` and day arithmetic,
//! and a small, exact API in the same spirit as the `csv` crate.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::domain::{Domain, PerDomain};
use crate::framework::{AreaIndex, Framework, Level, MAX_AREAS_PER_DOMAIN};

/// Most need areas a framework can have: five domains of at most eight.
const MAX_AREAS: usize = 5 * MAX_AREAS_PER_DOMAIN;

/// The oldest age, in whole years, that the framework covers (birth to 25, §3).
pub const MAX_AGE: i16 = 25;
/// Longest ID allowed (§3).
pub const MAX_ID_LEN: usize = 64;

fn is_valid_id(s: &str) -> bool {
    is_valid_id_bytes(s.as_bytes())
}

fn is_valid_id_bytes(b: &[u8]) -> bool {
    (1..=MAX_ID_LEN).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// An ID's text stored inline: IDs are at most 64 ASCII bytes (§3), so
/// holding one never allocates (a cohort file has two per row).
#[derive(Clone, Copy)]
struct IdText {
    len: u8,
    bytes: [u8; MAX_ID_LEN],
}

impl IdText {
    /// `s` must already be a valid ID (checked by `is_valid_id`).
    fn new(s: &str) -> IdText {
        let mut bytes = [0; MAX_ID_LEN];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        IdText {
            len: s.len() as u8,
            bytes,
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this never falls back.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl IdText {
    /// The ID's bytes: comparing and hashing these needs no UTF-8 check, and
    /// ASCII byte order is the text's order.
    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl PartialEq for IdText {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}
impl Eq for IdText {}
impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IdText {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}
impl std::hash::Hash for IdText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state)
    }
}
impl fmt::Debug for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(IdText);

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $name {
            /// Checks `s` against the rules of §3: 1 to 64 characters from
            /// `A-Z a-z 0-9 . _ -`, the first a letter or digit.
            pub fn new(s: &str) -> Result<Self, ValidationError> {
                if is_valid_id(s) {
                    Ok($name(IdText::new(s)))
                } else {
                    Err(ValidationError::BadId { field: $field, found: Found::new(s) })
                }
            }
            /// The ID as text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::new(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A child's pseudonymous key (§3). Never a name.
    ChildId,
    Field::ChildId
);
id_type!(
    /// An educational setting's key (§3).
    SettingId,
    Field::SettingId
);

/// Parses a strict ISO 8601 calendar date, `YYYY-MM-DD`.
///
/// ```
/// use vsend_core::parse_date;
/// assert!(parse_date("2024-02-29").is_some());
/// assert!(parse_date("2025-02-29").is_none());
/// assert!(parse_date("2025-2-28").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<Date> {
    parse_date_bytes(s.as_bytes())
}

fn parse_date_bytes(b: &[u8]) -> Option<Date> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i16> {
        b[range].iter().try_fold(0i16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y, m as i8, d as i8).ok()
}

/// Age in whole years on `on` for someone born on `born`, birthday-based (§3).
///
/// A 29 February birthday falls on 28 February in other years. The result is
/// negative when `on` is before `born`.
///
/// ```
/// use vsend_core::{age_in_years, parse_date};
/// let d = |s| parse_date(s).unwrap();
/// assert_eq!(age_in_years(d("2008-02-29"), d("2009-02-27")), 0);
/// assert_eq!(age_in_years(d("2008-02-29"), d("2009-02-28")), 1);
/// ```
pub fn age_in_years(born: Date, on: Date) -> i16 {
    let birthday_in = |year: i16| {
        let (m, d) = (born.month(), born.day());
        if (m, d) == (2, 29) && Date::new(year, 2, 29).is_err() {
            (2, 28)
        } else {
            (m, d)
        }
    };
    let years = on.year() - born.year();
    if (on.month(), on.day()) < birthday_in(on.year()) {
        years - 1
    } else {
        years
    }
}

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
struct Printable<'a>(&'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if crate::framework::forbidden(c).is_some() {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                f.write_fmt(format_args!("{c}"))?;
            }
        }
        Ok(())
    }
}

/// The value found in a rejected field, cut short so that an error never echoes
/// more of a record than it needs (a 10 MB cell prints as its first 40 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found(Box<str>);

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
pub struct ValidationErrors(Vec<ValidationError>);

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

/// One validated review of one child on one date (§3).
///
/// Made only by [`AssessmentBuilder`], so every level lies on the scale of the
/// framework it was built against. Score it with [`score`](crate::score) against
/// that same framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    child_id: ChildId,
    assessed_on: Date,
    date_of_birth: Option<Date>,
    setting_id: Option<SettingId>,
    /// One slot per framework area, in order; the rest stay `None`.
    needs: [Option<Level>; MAX_AREAS],
    area_count: u8,
    readiness: PerDomain<Option<Level>>,
    readiness_planned: PerDomain<Option<Level>>,
    confidence: PerDomain<Option<Level>>,
}

impl Assessment {
    /// The child's pseudonymous key.
    pub fn child_id(&self) -> &ChildId {
        &self.child_id
    }
    /// The date of the review.
    pub fn assessed_on(&self) -> Date {
        self.assessed_on
    }
    /// The child's date of birth, when given.
    pub fn date_of_birth(&self) -> Option<Date> {
        self.date_of_birth
    }
    /// The setting's key, when given.
    pub fn setting_id(&self) -> Option<&SettingId> {
        self.setting_id.as_ref()
    }
    /// One level per framework area (in [`Framework::areas`] order); `None` is not assessed.
    pub fn needs(&self) -> &[Option<Level>] {
        &self.needs[..usize::from(self.area_count)]
    }
    /// The highest need the setting is confident it can meet now, per domain.
    pub fn readiness(&self) -> &PerDomain<Option<Level>> {
        &self.readiness
    }
    /// The level the setting plans to reach, per domain.
    pub fn readiness_planned(&self) -> &PerDomain<Option<Level>> {
        &self.readiness_planned
    }
    /// The highest need the family is confident it can meet at home, per domain.
    pub fn confidence(&self) -> &PerDomain<Option<Level>> {
        &self.confidence
    }
    /// Age in whole years at assessment, when the date of birth is known.
    pub fn age(&self) -> Option<i16> {
        self.date_of_birth
            .map(|born| age_in_years(born, self.assessed_on))
    }
}

/// In a plain row's reading plan, the slot of each column's cell: below
/// [`LEVELS`] a level (the needs by area, then readiness, planned readiness
/// and confidence per domain), else one of these.
const LEVELS: usize = MAX_AREAS + 15;
const CHILD_ID: u8 = 100;
const ASSESSED_ON: u8 = 101;
const DATE_OF_BIRTH: u8 = 102;
const SETTING_ID: u8 = 103;
/// A need column past the framework's areas: ignored, as the builder does.
const IGNORED: u8 = 104;

/// The slot of `column`'s cell in a plain row's reading ([`read_plain`]),
/// and for a level the index of its domain.
pub(crate) fn plain_slot(framework: &Framework, column: crate::Column) -> (u8, u8) {
    use crate::Column;
    let level = |base: usize, d: Domain| ((base + d.index()) as u8, d.index() as u8);
    match column {
        Column::ChildId => (CHILD_ID, 0),
        Column::AssessedOn => (ASSESSED_ON, 0),
        Column::DateOfBirth => (DATE_OF_BIRTH, 0),
        Column::SettingId => (SETTING_ID, 0),
        Column::Need(i) if i.get() < framework.areas().len() => {
            let d = Domain::ALL
                .into_iter()
                .find(|&d| framework.area_range(d).contains(&i.get()));
            (i.get() as u8, d.map_or(0, |d| d.index() as u8))
        }
        Column::Need(_) => (IGNORED, 0),
        Column::Readiness(d) => level(MAX_AREAS, d),
        Column::ReadinessPlanned(d) => level(MAX_AREAS + 5, d),
        Column::Confidence(d) => level(MAX_AREAS + 10, d),
    }
}

/// Slots of a plain row's level cells, after the needs' area indices.
pub(crate) const READINESS: u8 = MAX_AREAS as u8;
pub(crate) const PLANNED: u8 = READINESS + 5;
pub(crate) const CONFIDENCE: u8 = PLANNED + 5;

/// What a plain row holds besides its levels.
#[derive(Debug)]
pub(crate) struct PlainIds<'a> {
    pub(crate) child_id: ChildId,
    pub(crate) assessed_on: Date,
    pub(crate) born: Option<Date>,
    /// A valid setting ID, when given.
    pub(crate) setting_id: Option<&'a str>,
}

/// Reads a plain CSV row whose cells go to `plan` ([`plain_slot`]), handing
/// each level cell to `level` (its slot, its domain's index and the level),
/// or `None` when the row needs the full reading of [`AssessmentBuilder`]:
/// quotes, spaces, a level written `2.0` or above 9, a date or ID that is
/// not plainly valid, a wrong number of cells, or any problem at all. `None`
/// is never a verdict on the row; a row read here is one the builder accepts.
///
/// Every byte of a row taken here is checked, and each is an ID character,
/// a digit, `-` or the comma between cells: such a row has no quote, space
/// or non-ASCII byte, so its cells are the full reading's.
pub(crate) fn read_plain<'a>(
    framework: &Framework,
    plan: &[(u8, u8)],
    line: &'a [u8],
    mut level: impl FnMut(u8, usize, Option<Level>),
) -> Option<PlainIds<'a>> {
    let scale = framework.scale();
    // The line is read as if it ended with a comma, so that every cell,
    // the last too, ends at one; `at` is where the next cell starts.
    let byte = |i: usize| line.get(i).copied().unwrap_or(b',');
    let mut at = 0;
    // An ID or a date: up to the next comma (or the end).
    let cell = |at: &mut usize| {
        let rest = line.get(*at..).unwrap_or_default();
        let len = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
        *at += len + 1;
        &rest[..len]
    };
    // A valid ID is ASCII, so it is UTF-8.
    let id = |cell: &'a [u8]| {
        std::str::from_utf8(cell)
            .ok()
            .filter(|_| is_valid_id_bytes(cell))
    };
    let (mut child_id, mut assessed_on, mut born, mut setting_id) = (None, None, None, None);
    for &(slot, domain) in plan {
        if usize::from(slot) < LEVELS {
            // Most cells: empty or one digit, the cell's comma straight after.
            let value = match (byte(at), byte(at + 1)) {
                (b',', _) => {
                    at += 1;
                    None
                }
                (c @ b'0'..=b'9', b',') => {
                    at += 2;
                    Some(scale.level(c - b'0')?)
                }
                _ => return None,
            };
            level(slot, usize::from(domain), value);
            continue;
        }
        let text = cell(&mut at);
        match slot {
            CHILD_ID => child_id = Some(ChildId(IdText::new(id(text)?))),
            ASSESSED_ON => assessed_on = Some(parse_date_bytes(text)?),
            DATE_OF_BIRTH if text.is_empty() => {}
            DATE_OF_BIRTH => born = Some(parse_date_bytes(text)?),
            SETTING_ID if text.is_empty() => {}
            SETTING_ID => setting_id = Some(id(text)?),
            _ => {}
        }
    }
    // Exactly the line and its closing virtual comma read: no cell more or
    // fewer. (A layout always has child_id and assessed_on: a header without
    // them is refused.)
    let (Some(child_id), Some(assessed_on)) = (child_id, assessed_on) else {
        return None;
    };
    if at != line.len() + 1 {
        return None;
    }
    if let Some(born) = born {
        if assessed_on < born || age_in_years(born, assessed_on) > MAX_AGE {
            return None;
        }
    }
    Some(PlainIds {
        child_id,
        assessed_on,
        born,
        setting_id,
    })
}

impl Assessment {
    /// The assessment of a plain CSV row ([`read_plain`]): exactly what the
    /// builder gives, or `None` to leave the row to it.
    pub(crate) fn from_plain_line(
        framework: &Framework,
        plan: &[(u8, u8)],
        line: &[u8],
    ) -> Option<Assessment> {
        let mut levels = [None; LEVELS];
        let ids = read_plain(framework, plan, line, |slot, _, level| {
            levels[usize::from(slot)] = level;
        })?;
        let per_domain =
            |base: u8| PerDomain(std::array::from_fn(|d| levels[usize::from(base) + d]));
        let mut needs = [None; MAX_AREAS];
        needs.copy_from_slice(&levels[..MAX_AREAS]);
        Some(Assessment {
            child_id: ids.child_id,
            assessed_on: ids.assessed_on,
            date_of_birth: ids.born,
            setting_id: ids.setting_id.map(|s| SettingId(IdText::new(s))),
            needs,
            area_count: framework.areas().len() as u8,
            readiness: per_domain(READINESS),
            readiness_planned: per_domain(PLANNED),
            confidence: per_domain(CONFIDENCE),
        })
    }
}

/// Parses a level cell (§3): trimmed; empty is *not assessed*.
pub(crate) fn parse_level(
    framework: &Framework,
    raw: &str,
    field: impl FnOnce() -> Field,
) -> Result<Option<Level>, ValidationError> {
    let s = raw.trim_ascii();
    let scale = framework.scale();
    let max = scale.max_level();
    // Fast path: one digit, the common case on every scale.
    if let [c @ b'0'..=b'9'] = s.as_bytes() {
        if let Some(level) = scale.level(c - b'0') {
            return Ok(Some(level));
        }
    }
    if s.is_empty() {
        return Ok(None);
    }
    let found = Found::new(s);
    // A whole number may carry a decimal point and zeros (`2.0`, `2.00`), as
    // pandas and spreadsheets write one (§3, 1.2); `2.5` and `2.` stay errors.
    let whole = match s.split_once('.') {
        Some((int, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => int,
        _ => s,
    };
    Err(match whole.parse::<i64>() {
        Ok(v) if v < 0 => ValidationError::BelowScale {
            field: field(),
            found,
            max,
        },
        Ok(v) => match u8::try_from(v).ok().and_then(|v| scale.level(v)) {
            Some(level) => return Ok(Some(level)),
            None => ValidationError::AboveScale {
                field: field(),
                found,
                max,
            },
        },
        Err(_) => ValidationError::NotALevel {
            field: field(),
            found,
            max,
        },
    })
}

/// Builds an [`Assessment`] from raw text fields, collecting every problem (§9).
///
/// Each setter takes the field's text as found in a file; surrounding spaces are
/// trimmed and an empty value means *not assessed* (or absent, for optional
/// fields). Setters never fail: [`build`](Self::build) returns all problems at once.
///
/// ```
/// use vsend_core::{AssessmentBuilder, Domain, Framework};
/// let fw = Framework::default();
/// let mut b = AssessmentBuilder::new(&fw);
/// b.child_id("C0001")
///     .assessed_on("2025-03-01")
///     .need("cl.literacy", "3")
///     .readiness(Domain::Cl, "2")
///     .confidence(Domain::Cl, "");
/// let a = b.build().unwrap();
/// assert_eq!(a.child_id().as_str(), "C0001");
/// assert_eq!(a.readiness()[Domain::Cl].unwrap().get(), 2);
/// assert_eq!(a.confidence()[Domain::Cl], None);
/// ```
#[derive(Debug, Clone)]
pub struct AssessmentBuilder<'f> {
    framework: &'f Framework,
    child_id: Option<ChildId>,
    assessed_on: Option<Date>,
    date_of_birth: Option<Date>,
    setting_id: Option<SettingId>,
    needs: [Option<Level>; MAX_AREAS],
    readiness: PerDomain<Option<Level>>,
    readiness_planned: PerDomain<Option<Level>>,
    confidence: PerDomain<Option<Level>>,
    child_id_seen: bool,
    assessed_on_seen: bool,
    errors: Vec<ValidationError>,
}

impl<'f> AssessmentBuilder<'f> {
    /// A builder for an assessment against `framework`, with every value not assessed.
    pub fn new(framework: &'f Framework) -> Self {
        AssessmentBuilder {
            framework,
            child_id: None,
            assessed_on: None,
            date_of_birth: None,
            setting_id: None,
            needs: [None; MAX_AREAS],
            readiness: PerDomain::default(),
            readiness_planned: PerDomain::default(),
            confidence: PerDomain::default(),
            child_id_seen: false,
            assessed_on_seen: false,
            errors: Vec::new(),
        }
    }

    /// Sets the required `child_id`.
    pub fn child_id(&mut self, raw: &str) -> &mut Self {
        self.child_id_seen = true;
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

    /// Sets the required `assessed_on` date, `YYYY-MM-DD`.
    pub fn assessed_on(&mut self, raw: &str) -> &mut Self {
        self.assessed_on_seen = true;
        let s = raw.trim_ascii();
        self.assessed_on = self.date(Field::AssessedOn, s, true);
        self
    }

    /// Sets the optional `date_of_birth`; empty means not given.
    pub fn date_of_birth(&mut self, raw: &str) -> &mut Self {
        let s = raw.trim_ascii();
        self.date_of_birth = self.date(Field::DateOfBirth, s, false);
        self
    }

    /// Sets the optional `setting_id`; empty means not given.
    pub fn setting_id(&mut self, raw: &str) -> &mut Self {
        self.setting_id = match raw.trim_ascii() {
            "" => None,
            s => SettingId::new(s).map_err(|e| self.errors.push(e)).ok(),
        };
        self
    }

    /// Sets a need area's level by its key (`cl.literacy`); empty is not assessed.
    pub fn need(&mut self, area_key: &str, raw: &str) -> &mut Self {
        match self.framework.area_index(area_key) {
            Some(i) => self.need_at(i, raw),
            None => {
                self.errors.push(ValidationError::UnknownArea {
                    // Cut as values are: a JSON key can be a megabyte long.
                    field: Field::Need(Found::new(area_key).as_str().into()),
                    framework: format!("{} v{}", self.framework.id(), self.framework.version()),
                });
                self
            }
        }
    }

    /// Sets a need area's level by its index in the framework (the fast path
    /// for readers that resolved column headers once).
    pub fn need_at(&mut self, area: AreaIndex, raw: &str) -> &mut Self {
        if area.get() < self.framework.areas().len() {
            let fw = self.framework;
            let level = self.level(raw, || Field::Need(fw.areas()[area.get()].key().into()));
            self.needs[area.get()] = level;
        }
        self
    }

    /// Sets the setting's readiness for a domain; empty is not assessed.
    pub fn readiness(&mut self, d: Domain, raw: &str) -> &mut Self {
        self.readiness[d] = self.level(raw, || Field::Readiness(d));
        self
    }

    /// Sets the setting's planned readiness for a domain; empty is not given.
    pub fn readiness_planned(&mut self, d: Domain, raw: &str) -> &mut Self {
        self.readiness_planned[d] = self.level(raw, || Field::ReadinessPlanned(d));
        self
    }

    /// Sets the family's confidence for a domain; empty is not assessed.
    pub fn confidence(&mut self, d: Domain, raw: &str) -> &mut Self {
        self.confidence[d] = self.level(raw, || Field::Confidence(d));
        self
    }

    fn date(&mut self, field: Field, s: &str, required: bool) -> Option<Date> {
        if s.is_empty() {
            if required {
                self.errors.push(ValidationError::Missing { field });
            }
            return None;
        }
        let date = parse_date(s);
        if date.is_none() {
            self.errors.push(ValidationError::NotADate {
                field,
                found: Found::new(s),
            });
        }
        date
    }

    fn level(&mut self, raw: &str, field: impl FnOnce() -> Field) -> Option<Level> {
        match parse_level(self.framework, raw, field) {
            Ok(level) => level,
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    /// Records a problem found outside the builder (a JSON type or key problem),
    /// in the order met.
    pub(crate) fn push_error(&mut self, e: ValidationError) -> &mut Self {
        self.errors.push(e);
        self
    }

    /// Marks a required field as given (though unusable), so that it is not
    /// also reported missing.
    pub(crate) fn mark_given(&mut self, field: &Field) {
        match field {
            Field::ChildId => self.child_id_seen = true,
            Field::AssessedOn => self.assessed_on_seen = true,
            _ => {}
        }
    }

    /// Checks the cross-field rules and returns the assessment, or every problem.
    pub fn build(mut self) -> Result<Assessment, ValidationErrors> {
        if !self.child_id_seen {
            self.errors.push(ValidationError::Missing {
                field: Field::ChildId,
            });
        }
        if !self.assessed_on_seen {
            self.errors.push(ValidationError::Missing {
                field: Field::AssessedOn,
            });
        }
        if let (Some(on), Some(born)) = (self.assessed_on, self.date_of_birth) {
            let age = age_in_years(born, on);
            // A parsed date prints back exactly as written (strict YYYY-MM-DD).
            if on < born {
                let found = Found::new(&on.to_string());
                self.errors.push(ValidationError::BeforeBirth { found });
            } else if age > MAX_AGE {
                let found = Found::new(&born.to_string());
                self.errors
                    .push(ValidationError::AgeOutOfRange { found, age });
            }
        }
        match (self.errors.is_empty(), self.child_id, self.assessed_on) {
            (true, Some(child_id), Some(assessed_on)) => Ok(Assessment {
                child_id,
                assessed_on,
                date_of_birth: self.date_of_birth,
                setting_id: self.setting_id,
                needs: self.needs,
                area_count: self.framework.areas().len() as u8,
                readiness: self.readiness,
                readiness_planned: self.readiness_planned,
                confidence: self.confidence,
            }),
            _ => Err(ValidationErrors(self.errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn base(fw: &Framework) -> AssessmentBuilder<'_> {
        let mut b = AssessmentBuilder::new(fw);
        b.child_id("C1").assessed_on("2025-01-10");
        b
    }

    #[test]
    fn ids_follow_section_3() {
        assert!(ChildId::new("C0001").is_ok());
        assert!(ChildId::new("0a._-Z").is_ok());
        assert!(ChildId::new(&"a".repeat(64)).is_ok());
        for bad in [
            "",
            "_x",
            "-x",
            ".x",
            "Jane Smith",
            "Zoë-01",
            "@SUM(A1)",
            &"a".repeat(65),
        ] {
            assert!(ChildId::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn dates_are_strict_iso() {
        assert_eq!(
            parse_date("2025-01-31"),
            Some(jiff::civil::date(2025, 1, 31))
        );
        for bad in [
            "2025-02-30",
            "2025-13-01",
            "25-01-01",
            "2025/01/01",
            "2025-01-01T00",
            "",
            "२०२५-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn age_is_birthday_based_with_leap_day_on_28_feb() {
        assert_eq!(age_in_years(d("2010-06-15"), d("2025-06-14")), 14);
        assert_eq!(age_in_years(d("2010-06-15"), d("2025-06-15")), 15);
        assert_eq!(age_in_years(d("2008-02-29"), d("2025-02-27")), 16);
        assert_eq!(age_in_years(d("2008-02-29"), d("2025-02-28")), 17);
        assert_eq!(age_in_years(d("2008-02-29"), d("2024-02-28")), 15);
        assert_eq!(age_in_years(d("2008-02-29"), d("2024-02-29")), 16);
        assert_eq!(age_in_years(d("2025-01-02"), d("2025-01-01")), -1);
    }

    #[test]
    fn age_25_accepted_26_rejected() {
        let fw = Framework::default();
        let mut b = base(&fw);
        b.date_of_birth("1999-01-11");
        assert_eq!(b.build().unwrap().age(), Some(25));
        let mut b = base(&fw);
        b.date_of_birth("1999-01-10");
        let errs = b.build().unwrap_err();
        assert_eq!(
            errs.iter().next().unwrap(),
            &ValidationError::AgeOutOfRange {
                found: Found::new("1999-01-10"),
                age: 26
            }
        );
        assert_eq!(
            errs.to_string(),
            "column date_of_birth: gives age 26 at assessment; allowed ages 0 to 25"
        );
    }

    #[test]
    fn before_birth_is_rejected_and_birth_day_is_age_0() {
        let fw = Framework::default();
        let mut b = base(&fw);
        b.date_of_birth("2025-01-11");
        let errs = b.build().unwrap_err();
        assert!(matches!(
            errs.iter().next(),
            Some(ValidationError::BeforeBirth { .. })
        ));
        assert_eq!(errs.iter().next().unwrap().field(), Field::AssessedOn);
        let mut b = base(&fw);
        b.date_of_birth("2025-01-10");
        assert_eq!(b.build().unwrap().age(), Some(0));
    }

    #[test]
    fn a_level_may_carry_a_decimal_point_and_zeros_only() {
        let fw = Framework::default();
        let field = || Field::ChildId;
        let level = |raw: &str| parse_level(&fw, raw, field).map(|l| l.map(|l| l.get()));
        for (raw, want) in [
            ("2.0", 2),
            ("2.00", 2),
            (" 3.000 ", 3),
            ("0.0", 0),
            ("4", 4),
        ] {
            assert_eq!(level(raw), Ok(Some(want)), "{raw}");
        }
        for raw in ["2.5", "2.01", "2.", ".0", "2.0.0", "2,0", "1e0"] {
            assert!(
                matches!(level(raw), Err(ValidationError::NotALevel { .. })),
                "{raw}: {:?}",
                level(raw)
            );
        }
        let e = level("5.0").unwrap_err();
        assert!(matches!(e, ValidationError::AboveScale { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            r#""5.0" is above the scale maximum 4 (allowed 0 to 4)"#
        );
        assert!(matches!(
            level("-1.0"),
            Err(ValidationError::BelowScale { .. })
        ));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let fw = Framework::default();
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("Jane Smith")
            .assessed_on("2025-02-30")
            .setting_id("@SUM(A1)")
            .need("cl.literacy", "5")
            .need("cl.numeracy", "-1")
            .need("cl.spelling", "1")
            .readiness(Domain::Sp, "3a")
            .confidence(Domain::Ind, " 2 ");
        let errs: Vec<String> = b
            .build()
            .unwrap_err()
            .iter()
            .map(|e| e.located(Format::Csv).to_string())
            .collect();
        assert_eq!(
            errs,
            [
                r#"column child_id: "Jane Smith" is not a valid ID; allowed 1 to 64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit"#,
                r#"column assessed_on: "2025-02-30" is not a date; allowed a calendar date YYYY-MM-DD"#,
                r#"column setting_id: "@SUM(A1)" is not a valid ID; allowed 1 to 64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit"#,
                r#"column need.cl.literacy: "5" is above the scale maximum 4 (allowed 0 to 4)"#,
                r#"column need.cl.numeracy: "-1" is below the scale minimum 0 (allowed 0 to 4)"#,
                "column need.cl.spelling: not a need area of framework vsend-default v1",
                r#"column readiness.sp: "3a" is not a level; allowed a whole number 0 to 4, or empty for not assessed"#,
            ]
        );
    }

    #[test]
    fn required_fields_must_be_given_and_non_empty() {
        let fw = Framework::default();
        let errs = AssessmentBuilder::new(&fw).build().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field()).collect();
        assert_eq!(fields, [Field::ChildId, Field::AssessedOn]);
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("  ").assessed_on("");
        assert_eq!(b.build().unwrap_err().len(), 2);
    }

    #[test]
    fn empty_is_not_assessed_and_zero_is_a_rating() {
        let fw = Framework::default();
        let mut b = base(&fw);
        b.need("cl.learning", "0")
            .need("cl.literacy", "")
            .readiness(Domain::Cl, " 0");
        let a = b.build().unwrap();
        assert_eq!(a.needs()[0].map(Level::get), Some(0));
        assert_eq!(a.needs()[1], None);
        assert_eq!(a.readiness()[Domain::Cl].map(Level::get), Some(0));
        assert_eq!(a.setting_id(), None);
        assert_eq!(a.date_of_birth(), None);
    }

    #[test]
    fn found_values_are_cut_short() {
        let long = "x".repeat(10_000_000);
        let f = Found::new(&long);
        assert_eq!(f.as_str().chars().count(), 41);
        assert!(f.as_str().ends_with('…'));
        assert_eq!(
            Found::new("é".repeat(41).as_str()).as_str().chars().count(),
            41
        );
    }
}
