//! §10 cohort CSV columns: resolving a header row once, then building each row.
//!
//! No I/O here: the caller reads the file (with the `csv` crate, say) and hands
//! over the header names and each row's fields as text.

use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;

use crate::assessment::{is_level_slot, Assessment, AssessmentBuilder, IdCells, PlainIds};
use crate::domain::Domain;
use crate::error::ValidationErrors;
use crate::framework::{AreaIndex, Framework};
use crate::score::LevelBlock;

/// What one column of a cohort CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// `child_id`.
    ChildId,
    /// `assessed_on`.
    AssessedOn,
    /// `date_of_birth`.
    DateOfBirth,
    /// `setting_id`.
    SettingId,
    /// `need.<area key>`.
    Need(AreaIndex),
    /// `readiness.<domain>`.
    Readiness(Domain),
    /// `readiness_planned.<domain>` (optional column).
    ReadinessPlanned(Domain),
    /// `confidence.<domain>`.
    Confidence(Domain),
}

impl Column {
    /// The column this header names under `framework`, if any.
    pub fn parse(framework: &Framework, name: &str) -> Option<Column> {
        let column = match name {
            "child_id" => Column::ChildId,
            "assessed_on" => Column::AssessedOn,
            "date_of_birth" => Column::DateOfBirth,
            "setting_id" => Column::SettingId,
            _ => {
                let (figure, rest) = name.split_once('.')?;
                match figure {
                    "need" => Column::Need(framework.area_index(rest)?),
                    "readiness" => Column::Readiness(rest.parse().ok()?),
                    "readiness_planned" => Column::ReadinessPlanned(rest.parse().ok()?),
                    "confidence" => Column::Confidence(rest.parse().ok()?),
                    _ => return None,
                }
            }
        };
        Some(column)
    }

    /// Whether a cohort file must have this column.
    pub fn is_required(self) -> bool {
        !matches!(self, Column::ReadinessPlanned(_))
    }

    /// Every column `framework` knows, required ones first, in canonical order.
    pub fn all(framework: &Framework) -> Vec<Column> {
        let mut all = vec![
            Column::ChildId,
            Column::AssessedOn,
            Column::DateOfBirth,
            Column::SettingId,
        ];
        all.extend((0..framework.areas().len()).map(|i| Column::Need(AreaIndex(i as u16))));
        all.extend(Domain::ALL.map(Column::Readiness));
        all.extend(Domain::ALL.map(Column::Confidence));
        all.extend(Domain::ALL.map(Column::ReadinessPlanned));
        all
    }

    /// The header name, e.g. `need.cl.literacy`.
    pub fn name(self, framework: &Framework) -> String {
        match self {
            Column::ChildId => "child_id".into(),
            Column::AssessedOn => "assessed_on".into(),
            Column::DateOfBirth => "date_of_birth".into(),
            Column::SettingId => "setting_id".into(),
            Column::Need(i) => format!("need.{}", framework.area(i).map_or("?", |a| a.key())),
            Column::Readiness(d) => format!("readiness.{d}"),
            Column::ReadinessPlanned(d) => format!("readiness_planned.{d}"),
            Column::Confidence(d) => format!("confidence.{d}"),
        }
    }
}

/// A plain CSV row scored without building its assessment
/// ([`ColumnLayout::plain_scores`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlainScores<'a> {
    /// The child.
    pub child_id: crate::ChildId,
    /// The date of the review.
    pub assessed_on: jiff::civil::Date,
    /// The setting, when given (a valid ID).
    pub setting_id: Option<&'a str>,
    /// Everything §4–§6 say about the review.
    pub scores: crate::Scores,
}

impl<'a> PlainScores<'a> {
    /// A plain row's IDs and levels, scored.
    fn of(
        framework: &Framework,
        (ids, levels): (PlainIds<'a>, crate::score::ReviewLevels),
    ) -> Self {
        PlainScores {
            child_id: ids.child_id,
            assessed_on: ids.assessed_on,
            setting_id: ids.setting_id,
            scores: levels.scores(framework),
        }
    }
}

/// Rows read plainly a column at a time ([`ColumnLayout::plain_block`]):
/// each row's IDs and dates when it is plainly valid, and its levels.
#[derive(Debug)]
pub struct PlainBlock<'a> {
    /// Per row: `None` when it needs the full reading.
    ids: Vec<Option<PlainIds<'a>>>,
    levels: LevelBlock,
}

impl<'a> PlainBlock<'a> {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The IDs and dates of row `i` when it was read plainly; `None` when it
    /// needs [`ColumnLayout::assessment`]'s full reading (never a verdict on
    /// the row). Panics when `i` is not a row of the block.
    pub fn ids(&self, i: usize) -> Option<&PlainIds<'a>> {
        self.ids[i].as_ref()
    }

    /// Row `i` scored, as [`ColumnLayout::plain_rows`] hands it over: `None`
    /// when it was not read plainly.
    pub fn plain_scores(&self, framework: &Framework, i: usize) -> Option<PlainScores<'a>> {
        let ids = self.ids(i)?.clone();
        let levels = self.levels.sink(i).levels(&ids);
        Some(PlainScores::of(framework, (ids, levels)))
    }

    /// The levels read, a column at a time.
    pub(crate) fn levels(&self) -> &LevelBlock {
        &self.levels
    }
}

/// One cell of a row handed over cell by cell (a DataFrame's columns) to
/// [`ColumnLayout::plain_rows`], read as the text of a CSV cell would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainCell<'a> {
    /// An empty cell: not assessed, or absent.
    Empty,
    /// A whole number, as a level cell holding its digits.
    Level(u8),
    /// Text, as it is (not trimmed).
    Text(&'a str),
    /// Anything else: the row is left to [`ColumnLayout::assessment`].
    Other,
}

impl<'a> PlainCell<'a> {
    /// As a level cell: `Some(None)` empty, `Some(Some(v))` the whole number
    /// `v` (one digit, as text), `None` not plain.
    fn level(self) -> Option<Option<u8>> {
        match self {
            PlainCell::Empty => Some(None),
            PlainCell::Level(v) => Some(Some(v)),
            PlainCell::Text(s) => match s.as_bytes() {
                [] => Some(None),
                [c @ b'0'..=b'9'] => Some(Some(c - b'0')),
                _ => None,
            },
            PlainCell::Other => None,
        }
    }

    /// As an ID's or a date's cell: its text (empty when empty), `None` not text.
    fn text(self) -> Option<&'a str> {
        match self {
            PlainCell::Empty => Some(""),
            PlainCell::Text(s) => Some(s),
            PlainCell::Level(_) | PlainCell::Other => None,
        }
    }
}

/// In a column of level codes handed to [`ColumnLayout::plain_rows`]: an
/// empty cell. Any other code is a whole number, read as a level's digits
/// (a cell of 255 or more is handed over as a [`PlainCell`] instead).
pub const EMPTY_LEVEL: u8 = u8::MAX;

/// A problem with a cohort file's header row: a file error (§10).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Required columns are missing, in canonical order.
    #[error("missing {} {}", if .0.len() == 1 { "column" } else { "columns" }, .0.join(", "))]
    Missing(Vec<String>),
    /// A column the framework does not know.
    #[error("column {position}: unknown column {name:?}{}", did_you_mean(.suggestion))]
    Unknown {
        /// 1-based position in the header.
        position: usize,
        /// The header found (shortened).
        name: String,
        /// The column it is, written in another case (`need.cl.Literacy`).
        suggestion: Option<String>,
    },
    /// The need columns are another framework's: some are unknown and some
    /// of this framework's are missing.
    #[error(
        "the need columns do not match framework {framework_id} ({unknown} unknown, {missing} missing): \
         is this a cohort of another framework? Read it with that framework's JSON \
         (--framework FW.json on the command line, framework= in Python)"
    )]
    OtherFramework {
        /// The framework the header was read against.
        framework_id: String,
        /// Unknown `need.` columns.
        unknown: usize,
        /// Missing `need.` columns.
        missing: usize,
    },
    /// A column given twice.
    #[error("column {position}: {name} appears more than once")]
    Duplicate {
        /// 1-based position of the repeat.
        position: usize,
        /// The header.
        name: String,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map_or(String::new(), |s| format!("; did you mean {s}?"))
}

/// Every problem with one header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderErrors(pub Vec<HeaderError>);

impl fmt::Display for HeaderErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for HeaderErrors {}

impl HeaderErrors {
    /// Adds [`HeaderError::OtherFramework`] when several need columns are
    /// both unknown and missing: the likeliest cause is the wrong framework.
    fn with_framework_hint(mut self, framework: &Framework) -> HeaderErrors {
        let unknown = self
            .0
            .iter()
            .filter(|e| {
                matches!(e, HeaderError::Unknown { name, suggestion: None, .. } if name.starts_with("need."))
            })
            .count();
        let missing = self
            .0
            .iter()
            .map(|e| match e {
                HeaderError::Missing(names) => {
                    names.iter().filter(|n| n.starts_with("need.")).count()
                }
                _ => 0,
            })
            .sum();
        // One of each is likelier a typo than another framework.
        if unknown >= 2 && missing >= 2 {
            self.0.push(HeaderError::OtherFramework {
                framework_id: framework.id().to_owned(),
                unknown,
                missing,
            });
        }
        self
    }
}

/// Resolves a header row against a file's columns (cohort §10, plans §11):
/// names are trimmed and parsed by `parse`; a repeated column, an unknown
/// name and the `required` columns missing are errors, all reported together.
/// An unknown name that is a column in another case is given as a suggestion,
/// named by `name_of`.
pub(crate) fn resolve_header<'a, C: Copy + Eq + Hash>(
    header: impl IntoIterator<Item = &'a str>,
    parse: impl Fn(&str) -> Option<C>,
    name_of: impl Fn(C) -> String,
    required: impl IntoIterator<Item = (C, String)>,
) -> Result<Vec<C>, HeaderErrors> {
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    let mut seen = HashSet::new();
    for (i, name) in header.into_iter().enumerate() {
        let name = name.trim();
        match parse(name) {
            Some(c) if !seen.insert(c) => errors.push(HeaderError::Duplicate {
                position: i + 1,
                name: name.into(),
            }),
            Some(c) => columns.push(c),
            None => errors.push(HeaderError::Unknown {
                position: i + 1,
                name: crate::error::Found::new(name).as_str().into(),
                suggestion: parse(&name.to_ascii_lowercase()).map(&name_of),
            }),
        }
    }
    let missing: Vec<String> = required
        .into_iter()
        .filter(|(c, _)| !seen.contains(c))
        .map(|(_, name)| name)
        .collect();
    if !missing.is_empty() {
        errors.push(HeaderError::Missing(missing));
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(HeaderErrors(errors))
    }
}

/// The columns of one cohort file, resolved once from its header row.
///
/// ```
/// use vsend_core::{Column, ColumnLayout, Framework};
/// let fw = Framework::default();
/// let header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
/// let layout = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap();
/// let mut row = vec![""; header.len()];
/// row[0] = "C1";
/// row[1] = "2025-01-10";
/// row[4] = "2"; // need.cl.learning
/// let a = layout.assessment(&fw, row.iter().copied()).unwrap();
/// assert_eq!(a.needs()[0].unwrap().get(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLayout {
    columns: Vec<Column>,
    /// Where each column's cell goes in the one-pass reading of a plain row
    /// ([`plain_assessment`](Self::plain_assessment)), and its domain.
    plain: Vec<(u8, u8)>,
}

impl ColumnLayout {
    /// Resolves a header row. Names are trimmed of surrounding spaces. A missing
    /// required column, an unknown column or a repeated column is an error; all
    /// are reported together.
    pub fn new<'a>(
        framework: &Framework,
        header: impl IntoIterator<Item = &'a str>,
    ) -> Result<ColumnLayout, HeaderErrors> {
        let required = Column::all(framework)
            .into_iter()
            .filter(|c| c.is_required())
            .map(|c| (c, c.name(framework)));
        let columns = resolve_header(
            header,
            |name| Column::parse(framework, name),
            |c| c.name(framework),
            required,
        )
        .map_err(|e| e.with_framework_hint(framework))?;
        let plain = columns
            .iter()
            .map(|&c| crate::assessment::plain_slot(framework, c))
            .collect();
        Ok(ColumnLayout { columns, plain })
    }

    /// The columns in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The assessment of one plain CSV line (its bytes, without the line
    /// end), read in one pass: `None` when the line needs
    /// [`assessment`](Self::assessment)'s full reading (quotes, spaces, a
    /// level written `2.0`, the wrong number of cells, any problem at all).
    /// `None` is never a verdict on the row; `Some` is exactly what
    /// [`assessment`](Self::assessment) gives for the line's cells.
    ///
    /// ```
    /// use vsend_core::{Column, ColumnLayout, Framework};
    /// let fw = Framework::default();
    /// let header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
    /// let layout = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap();
    /// let mut row = vec![""; header.len()];
    /// row[0] = "C1";
    /// row[1] = "2025-01-10";
    /// row[4] = "2";
    /// let plain = layout.plain_assessment(&fw, row.join(",").as_bytes()).unwrap();
    /// assert_eq!(Ok(plain), layout.assessment(&fw, row.iter().copied()));
    /// row[4] = " 2";
    /// assert!(layout.plain_assessment(&fw, row.join(",").as_bytes()).is_none());
    /// ```
    pub fn plain_assessment(&self, framework: &Framework, line: &[u8]) -> Option<Assessment> {
        Assessment::from_plain_line(framework, &self.plain, line)
    }

    /// One plain CSV line read and scored (§4–§6) in one pass, without its
    /// [`Assessment`]: what [`ScoredRow`](crate::ScoredRow) writes of it.
    /// `None` exactly when [`plain_assessment`](Self::plain_assessment) is
    /// `None`; else the scores are exactly [`score`](fn@crate::score) of that
    /// assessment, and the IDs and date its own.
    ///
    /// ```
    /// use vsend_core::{score, Column, ColumnLayout, Framework};
    /// let fw = Framework::default();
    /// let header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
    /// let layout = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap();
    /// let mut row = vec![""; header.len()];
    /// row[0] = "C1";
    /// row[1] = "2025-01-10";
    /// row[3] = "S1";
    /// row[4] = "2";
    /// let line = row.join(",");
    /// let plain = layout.plain_scores(&fw, line.as_bytes()).unwrap();
    /// let a = layout.plain_assessment(&fw, line.as_bytes()).unwrap();
    /// assert_eq!(plain.scores, score(&fw, &a));
    /// assert_eq!((plain.child_id.as_str(), plain.setting_id), ("C1", Some("S1")));
    /// ```
    pub fn plain_scores<'a>(
        &self,
        framework: &Framework,
        line: &'a [u8],
    ) -> Option<PlainScores<'a>> {
        let read = crate::score::ReviewLevels::plain(framework, &self.plain, line)?;
        Some(PlainScores::of(framework, read))
    }

    /// Rows handed over column by column (a DataFrame's) read and scored
    /// (§4–§6) without their [`Assessment`], as
    /// [`plain_scores`](Self::plain_scores) reads a plain CSV line. Column
    /// `i` (in header order) of row `rows.start + j` is `codes[i][j]` when
    /// `codes[i]` is given (a level column's whole numbers, [`EMPTY_LEVEL`]
    /// for an empty cell), else `cell(i, rows.start + j)`. Calls `each`
    /// with every row of `rows`, in order, and its scores: `None` when the
    /// row needs
    /// [`assessment`](Self::assessment)'s full reading (a cell that is not
    /// plainly valid, any problem at all), never a verdict on the row. `Some`
    /// is exactly [`score`](fn@crate::score) of what
    /// [`assessment`](Self::assessment) gives for the cells' text (a number
    /// read as its digits, an empty cell as "").
    ///
    /// Level columns are read a column at a time, across all the rows.
    /// Panics when a column of codes is not as long as `rows`.
    ///
    /// ```
    /// use vsend_core::{score, Column, ColumnLayout, Framework, PlainCell, EMPTY_LEVEL};
    /// let fw = Framework::default();
    /// let header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
    /// let layout = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap();
    /// let mut row = vec![""; header.len()];
    /// row[0] = "C1";
    /// row[1] = "2025-01-10";
    /// row[4] = "2";
    /// // need.cl.learning as numbers: 2 in row 0, 11 (off the scale) in row 1.
    /// let learning = [2, 11];
    /// let mut codes: Vec<Option<&[u8]>> = vec![None; header.len()];
    /// codes[4] = Some(&learning);
    /// let cell = |i: usize, _row: usize| match i {
    ///     0 | 1 => PlainCell::Text(row[i]),
    ///     _ => PlainCell::Empty,
    /// };
    /// let mut read = Vec::new();
    /// layout.plain_rows(&fw, 0..2, &codes, cell, |r, p| read.push((r, p.map(|p| p.scores))));
    /// let a = layout.assessment(&fw, row.iter().copied()).unwrap();
    /// assert_eq!(read, [(0, Some(score(&fw, &a))), (1, None)]);
    /// ```
    pub fn plain_rows<'a>(
        &self,
        framework: &Framework,
        rows: std::ops::Range<usize>,
        codes: &[Option<&[u8]>],
        cell: impl Fn(usize, usize) -> PlainCell<'a>,
        mut each: impl FnMut(usize, Option<&PlainScores<'a>>),
    ) {
        let block = self.plain_block(framework, rows.clone(), codes, cell);
        for (i, row) in rows.enumerate() {
            each(row, block.plain_scores(framework, i).as_ref());
        }
    }

    /// Rows handed over column by column read as
    /// [`plain_rows`](Self::plain_rows) reads them, kept to be scored a row
    /// ([`PlainBlock::plain_scores`]) or a column
    /// ([`ScoreColumns`](crate::ScoreColumns)) at a time: row `i` of the
    /// block is `rows.start + i`. Panics when a column of codes is not as
    /// long as `rows`.
    pub fn plain_block<'a>(
        &self,
        framework: &Framework,
        rows: std::ops::Range<usize>,
        codes: &[Option<&[u8]>],
        cell: impl Fn(usize, usize) -> PlainCell<'a>,
    ) -> PlainBlock<'a> {
        let scale = framework.scale();
        let mut block = LevelBlock::new(rows.len());
        let mut plain = vec![true; rows.len()];
        let level_slots = self
            .plain
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| is_level_slot(*s));
        for (c, &(slot, d)) in level_slots {
            let d = usize::from(d);
            match codes.get(c).copied().flatten() {
                // A column at a time: one code per row, most a level or empty.
                Some(codes) => {
                    assert_eq!(codes.len(), rows.len(), "one code per row");
                    let scale = (EMPTY_LEVEL, scale.max_level());
                    block.add_codes((slot, d), codes, scale, &mut plain);
                }
                None => {
                    for (i, r) in rows.clone().enumerate() {
                        match cell(c, r).level() {
                            Some(None) => {}
                            Some(Some(v)) => match scale.level(v) {
                                Some(level) => block.add(i, slot, d, Some(level)),
                                None => plain[i] = false,
                            },
                            None => plain[i] = false,
                        }
                    }
                }
            }
        }
        let ids = plain
            .iter()
            .zip(rows)
            .map(|(&plain, row)| plain.then(|| self.plain_ids(row, &cell)).flatten())
            .collect();
        PlainBlock { ids, levels: block }
    }

    /// The IDs and dates of row `row` ([`plain_rows`](Self::plain_rows)),
    /// when plainly valid.
    fn plain_ids<'a>(
        &self,
        row: usize,
        cell: &impl Fn(usize, usize) -> PlainCell<'a>,
    ) -> Option<PlainIds<'a>> {
        let mut ids = IdCells::default();
        for (c, &(slot, _)) in self.plain.iter().enumerate() {
            if !is_level_slot(slot) {
                ids.read_str(slot, cell(c, row).text()?)?;
            }
        }
        ids.finish()
    }

    /// Builds the assessment from one row's fields, in header order. The caller
    /// checks the field count first (a mismatch is a rejected row, §10).
    pub fn assessment<'a>(
        &self,
        framework: &Framework,
        fields: impl IntoIterator<Item = &'a str>,
    ) -> Result<Assessment, ValidationErrors> {
        let mut b = AssessmentBuilder::new(framework);
        for (&column, value) in self.columns.iter().zip(fields) {
            match column {
                Column::ChildId => b.child_id(value),
                Column::AssessedOn => b.assessed_on(value),
                Column::DateOfBirth => b.date_of_birth(value),
                Column::SettingId => b.setting_id(value),
                Column::Need(i) => b.need_at(i, value),
                Column::Readiness(d) => b.readiness(d, value),
                Column::ReadinessPlanned(d) => b.readiness_planned(d, value),
                Column::Confidence(d) => b.confidence(d, value),
            };
        }
        b.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_problems_are_all_reported() {
        let fw = Framework::default();
        let mut header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
        header.retain(|h| h != "need.sp.vision" && h != "confidence.ind");
        header.push("need.cl.spelling".into());
        header.push(" child_id ".into());
        let err = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap_err();
        let n = header.len();
        assert_eq!(
            err.0[2].to_string(),
            "missing columns need.sp.vision, confidence.ind"
        );
        assert_eq!(
            err.0,
            [
                HeaderError::Unknown {
                    position: n - 1,
                    name: "need.cl.spelling".into(),
                    suggestion: None,
                },
                HeaderError::Duplicate {
                    position: n,
                    name: "child_id".into()
                },
                HeaderError::Missing(vec!["need.sp.vision".into(), "confidence.ind".into()]),
            ]
        );
    }

    #[test]
    fn a_column_in_another_case_is_suggested() {
        let fw = Framework::default();
        let header: Vec<String> = Column::all(&fw)
            .into_iter()
            .map(|c| c.name(&fw).replace("need.cl.literacy", "need.cl.Literacy"))
            .collect();
        let err = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap_err();
        assert!(
            err.to_string()
                .contains(r#"unknown column "need.cl.Literacy"; did you mean need.cl.literacy?"#),
            "{err}"
        );
        assert!(!err.to_string().contains("another framework"), "{err}");
    }

    #[test]
    fn another_frameworks_cohort_is_named_as_the_likely_mistake() {
        let fw = Framework::default();
        let mut header: Vec<String> = Column::all(&fw).into_iter().map(|c| c.name(&fw)).collect();
        header.retain(|h| h != "need.sp.vision" && h != "need.ind.safety");
        header.extend(["need.sp.sight".into(), "need.ind.road".into()]);
        let err = ColumnLayout::new(&fw, header.iter().map(String::as_str)).unwrap_err();
        assert_eq!(
            err.0.last(),
            Some(&HeaderError::OtherFramework {
                framework_id: "vsend-default".into(),
                unknown: 2,
                missing: 2
            })
        );
        assert!(err
            .to_string()
            .contains("is this a cohort of another framework?"));
    }

    #[test]
    fn planned_readiness_columns_are_optional() {
        let fw = Framework::default();
        let header: Vec<String> = Column::all(&fw)
            .into_iter()
            .filter(|c| c.is_required())
            .map(|c| c.name(&fw))
            .collect();
        assert_eq!(header.len(), 4 + 19 + 10);
        assert!(ColumnLayout::new(&fw, header.iter().map(String::as_str)).is_ok());
    }
}
