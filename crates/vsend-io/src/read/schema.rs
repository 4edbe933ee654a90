//! The record types a file can hold: assessments (§10) or plans (§11), each with its header layout and how a line becomes a record.

use super::*;

/// What a file's records are (§10, §11): how a CSV header resolves, and how a
/// row's cells or a JSON line become a value. The reading itself (physical
/// lines, quotes, limits, problems) is the same for every schema.
pub trait Schema {
    /// What an accepted record becomes.
    type Value: Send;
    /// A CSV header, resolved once.
    type Layout: Send + Sync + fmt::Debug;
    /// Resolves a CSV header row.
    fn layout(framework: &Framework, names: &[&str]) -> Result<Self::Layout, HeaderErrors>;
    /// Whether `name` is a column of this schema (for the header hints).
    fn knows_column(framework: &Framework, name: &str) -> bool;
    /// The number of columns in the header.
    fn width(layout: &Self::Layout) -> usize;
    /// The header name of column `index`.
    fn column_name(layout: &Self::Layout, framework: &Framework, index: usize) -> String;
    /// Validates one CSV row's cells, in header order.
    fn from_cells<'a>(
        layout: &Self::Layout,
        framework: &Framework,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<Self::Value, ValidationErrors>;
    /// Validates one JSON Lines record.
    fn from_json(framework: &Framework, line: &[u8]) -> Result<Self::Value, ValidationErrors>;
    /// What column `index` holds, for reading an Excel cell as text.
    fn cell_kind(layout: &Self::Layout, index: usize) -> CellKind;
    /// The value of a plain CSV line read in one pass, or `None` to read it
    /// in full (split, checked, every problem named): never a verdict.
    fn from_plain_line(
        _layout: &Self::Layout,
        _framework: &Framework,
        _line: &[u8],
    ) -> Option<Self::Value> {
        None
    }
}

/// Cohort files: one assessment per record (§3, §10).
#[derive(Debug, Clone, Copy)]
pub struct Assessments;

impl Schema for Assessments {
    type Value = Assessment;
    type Layout = ColumnLayout;
    fn layout(framework: &Framework, names: &[&str]) -> Result<ColumnLayout, HeaderErrors> {
        ColumnLayout::new(framework, names.iter().copied())
    }
    fn knows_column(framework: &Framework, name: &str) -> bool {
        vsend_core::Column::parse(framework, name).is_some()
    }
    fn width(layout: &ColumnLayout) -> usize {
        layout.columns().len()
    }
    fn column_name(layout: &ColumnLayout, framework: &Framework, index: usize) -> String {
        layout
            .columns()
            .get(index)
            .map_or_else(|| (index + 1).to_string(), |c| c.name(framework))
    }
    fn from_cells<'a>(
        layout: &ColumnLayout,
        framework: &Framework,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<Assessment, ValidationErrors> {
        layout.assessment(framework, cells)
    }
    fn from_json(framework: &Framework, line: &[u8]) -> Result<Assessment, ValidationErrors> {
        vsend_core::parse_json_line(framework, line)
    }
    fn cell_kind(layout: &ColumnLayout, index: usize) -> CellKind {
        use vsend_core::Column;
        match layout.columns().get(index) {
            Some(Column::ChildId | Column::SettingId) => CellKind::Id,
            Some(Column::AssessedOn | Column::DateOfBirth) => CellKind::Date,
            _ => CellKind::Level,
        }
    }
    fn from_plain_line(
        layout: &ColumnLayout,
        framework: &Framework,
        line: &[u8],
    ) -> Option<Assessment> {
        layout.plain_assessment(framework, line)
    }
}

/// Transition plan files: one plan per record (§11).
#[derive(Debug, Clone, Copy)]
pub struct Plans;

impl Schema for Plans {
    type Value = vsend_core::Plan;
    type Layout = vsend_core::PlanLayout;
    fn layout(_: &Framework, names: &[&str]) -> Result<Self::Layout, HeaderErrors> {
        vsend_core::PlanLayout::new(names.iter().copied())
    }
    fn knows_column(_: &Framework, name: &str) -> bool {
        vsend_core::PlanColumn::parse(name).is_some()
    }
    fn width(layout: &Self::Layout) -> usize {
        layout.columns().len()
    }
    fn column_name(layout: &Self::Layout, _: &Framework, index: usize) -> String {
        layout
            .columns()
            .get(index)
            .map_or_else(|| (index + 1).to_string(), |c| c.name())
    }
    fn from_cells<'a>(
        layout: &Self::Layout,
        framework: &Framework,
        cells: impl Iterator<Item = &'a str>,
    ) -> Result<Self::Value, ValidationErrors> {
        layout.plan(framework, cells)
    }
    fn from_json(framework: &Framework, line: &[u8]) -> Result<Self::Value, ValidationErrors> {
        vsend_core::parse_plan_line(framework, line)
    }
    fn cell_kind(layout: &Self::Layout, index: usize) -> CellKind {
        use vsend_core::PlanColumn;
        match layout.columns().get(index) {
            Some(PlanColumn::ChildId | PlanColumn::ToSettingId) => CellKind::Id,
            Some(PlanColumn::MoveOn) => CellKind::Date,
            _ => CellKind::Level,
        }
    }
}
