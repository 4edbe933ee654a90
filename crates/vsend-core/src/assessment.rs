//! §3 Assessment: one review of one child on one date, and its validation (§9).
//! IDs, dates and the error model it checks against live in [`crate::ids`],
//! [`crate::dates`] and [`crate::error`].

use jiff::civil::Date;

use crate::dates::{age_in_years, parse_date, parse_date_bytes, MAX_AGE};
use crate::domain::{Domain, PerDomain};
use crate::error::{Field, Found, ValidationError, ValidationErrors};
use crate::framework::{AreaIndex, Framework, Level, MAX_AREAS_PER_DOMAIN};
use crate::ids::{is_valid_id_bytes, ChildId, IdText, SettingId};

/// Most need areas a framework can have: five domains of at most eight.
const MAX_AREAS: usize = 5 * MAX_AREAS_PER_DOMAIN;

/// One validated review of one child on one date (§3).
///
/// Made only by [`AssessmentBuilder`], so every level lies on the scale of the
/// framework it was built against. Score it with [`score`](fn@crate::score) against
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

/// What a row read plainly holds besides its levels: its IDs and dates,
/// each valid (§3, §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainIds<'a> {
    /// The child.
    pub child_id: ChildId,
    /// The date of the review.
    pub assessed_on: Date,
    /// The date of birth, when given.
    pub born: Option<Date>,
    /// The setting, when given.
    pub setting_id: Option<&'a str>,
}

/// Whether `slot` ([`plain_slot`]) is a level's, not an ID's or a date's.
pub(crate) fn is_level_slot(slot: u8) -> bool {
    usize::from(slot) < LEVELS
}

/// The IDs and dates of a plain row, gathered as its cells are read.
#[derive(Debug, Default)]
pub(crate) struct IdCells<'a> {
    child_id: Option<ChildId>,
    assessed_on: Option<Date>,
    born: Option<Date>,
    setting_id: Option<&'a str>,
}

impl<'a> IdCells<'a> {
    /// The cell of `slot` (not a level's), as bytes: `None` when it is not
    /// plainly valid.
    pub(crate) fn read(&mut self, slot: u8, text: &'a [u8]) -> Option<()> {
        // A valid ID is ASCII, so it is UTF-8.
        self.read_text(slot, text, |b| std::str::from_utf8(b).ok())
    }

    /// The cell of `slot` (not a level's), as text: as [`Self::read`].
    pub(crate) fn read_str(&mut self, slot: u8, text: &'a str) -> Option<()> {
        self.read_text(slot, text.as_bytes(), |_| Some(text))
    }

    /// The cell of `slot`, its bytes `text` read as text by `as_str`.
    #[inline]
    fn read_text(
        &mut self,
        slot: u8,
        text: &'a [u8],
        as_str: impl FnOnce(&'a [u8]) -> Option<&'a str>,
    ) -> Option<()> {
        let id = |cell: &'a [u8]| as_str(cell).filter(|_| is_valid_id_bytes(cell));
        match slot {
            CHILD_ID => self.child_id = Some(ChildId(IdText::new(id(text)?))),
            ASSESSED_ON => self.assessed_on = Some(parse_date_bytes(text)?),
            DATE_OF_BIRTH if text.is_empty() => {}
            DATE_OF_BIRTH => self.born = Some(parse_date_bytes(text)?),
            SETTING_ID if text.is_empty() => {}
            SETTING_ID => self.setting_id = Some(id(text)?),
            _ => {}
        }
        Some(())
    }

    /// Every cell read: the IDs and dates, or `None` when the child or the
    /// date is missing or the age is out of range (the full reading says why).
    pub(crate) fn finish(self) -> Option<PlainIds<'a>> {
        // (A layout always has child_id and assessed_on: a header without
        // them is refused.)
        let (Some(child_id), Some(assessed_on)) = (self.child_id, self.assessed_on) else {
            return None;
        };
        if let Some(born) = self.born {
            if assessed_on < born || age_in_years(born, assessed_on) > MAX_AGE {
                return None;
            }
        }
        Some(PlainIds {
            child_id,
            assessed_on,
            born: self.born,
            setting_id: self.setting_id,
        })
    }
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
    let mut ids = IdCells::default();
    for &(slot, domain) in plan {
        if is_level_slot(slot) {
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
        ids.read(slot, cell(&mut at))?;
    }
    // Exactly the line and its closing virtual comma read: no cell more or
    // fewer.
    if at != line.len() + 1 {
        return None;
    }
    ids.finish()
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
    use crate::error::Format;

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
