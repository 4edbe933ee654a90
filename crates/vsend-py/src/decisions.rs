//! Decisions: the §11 phase moves of a school year and transition plans
//! against a cohort. Plans from pandas are read cell by cell as the cells of
//! a plan CSV, so they are judged by the same rules as a plan file.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use vsend_core::history::Keep;
use vsend_core::{Framework, Histories};
use vsend_io::intake::Intake;
use vsend_io::problem::{Cause, Problem};
use vsend_io::read::{Input, Plans, Row};

use crate::args::{date_arg, json_to_py};
use crate::errors::{column_error, file_error};
use crate::framework::{framework_of, PyFramework};
use crate::source::{read_rows, tick, with_bad_cells, Columns, NumericIds, Problems, Source};
use crate::summary::cohort_of;

/// A school year (§11) given as text (the digits of a whole number), judged
/// by the core's rule, as the CLI's `--year` and the C interface judge
/// theirs: `ValueError` naming the value found and what is allowed.
#[pyfunction]
pub(crate) fn school_year(year: &str) -> PyResult<i16> {
    year.parse::<vsend_core::SchoolYear>()
        .map(vsend_core::SchoolYear::get)
        .map_err(|e| PyValueError::new_err(format!("year: {e}")))
}

/// The §11 phase moves of the school year starting 1 September `year`
/// (checked again by [`school_year`]'s rule). Returns `(moves, problems, rows_read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, year, as_of=None))]
pub(crate) fn transitions_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    year: i64,
    as_of: Option<&str>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyDict>, usize)> {
    let fw = framework_of(framework);
    let year = vsend_core::SchoolYear::new(year)
        .map_err(|e| PyValueError::new_err(format!("year: {e}")))?;
    let as_of = date_arg("as_of", as_of)?;
    let mut problems = Problems::default();
    let (cohort, n) = cohort_of(py, fw, &source, as_of, &mut problems)?;
    let moves = json_to_py(py, &cohort.phase_moves(year.get()))?;
    Ok((moves, problems.into_py(py)?, n))
}

/// What `transition_source` hands back: the planned rows, the plans'
/// problems and count, the cohort's problems and count.
type Planned<'py> = (
    Bound<'py, PyList>,
    Bound<'py, PyDict>,
    usize,
    Bound<'py, PyDict>,
    usize,
);

/// Reads plans given as columns (a DataFrame, or dicts made into columns):
/// `names[i]` heads `columns[i]`, resolved as a plan CSV header is (§11: an
/// unknown, repeated or missing column is a `ColumnError`), and every cell
/// read as the text of a CSV cell, so a plan from pandas is judged by the
/// same rules as a plan file. Plans are numbered by position (0-based).
pub(crate) fn read_plan_columns(
    py: Python<'_>,
    fw: &Framework,
    columns: &Columns<'_>,
    numeric_ids: &mut NumericIds,
    sink: &mut dyn FnMut(i64, Result<vsend_core::Plan, Vec<Problem>>) -> PyResult<()>,
) -> PyResult<usize> {
    let layout = vsend_core::PlanLayout::new(columns.names.iter().map(String::as_str))
        .map_err(|e| column_error(py, &e))?;
    let ids: Vec<bool> = layout
        .columns()
        .iter()
        .map(|c| {
            matches!(
                c,
                vsend_core::PlanColumn::ChildId | vsend_core::PlanColumn::ToSettingId
            )
        })
        .collect();
    read_rows(py, columns, &ids, numeric_ids, &mut |row, fields, bad| {
        let result = layout.plan(fw, fields.iter().copied());
        sink(row as i64, with_bad_cells(result, &bad, &columns.names))
    })?;
    Ok(columns.rows)
}

/// §11 transition plans against the cohort in `source`: plans from a file
/// (`plans_path`, CSV or JSON Lines) or given as columns (`plan_columns`:
/// `(names, arrays, rows)`, as a DataFrame source; problems then numbered
/// by position). Returns `(rows, plan problems, plans read, cohort
/// problems, cohort rows read)`.
#[pyfunction]
#[pyo3(signature = (framework, source, plans_path=None, plan_columns=None))]
pub(crate) fn transition_source<'py>(
    py: Python<'py>,
    framework: &Bound<'py, PyFramework>,
    source: Source<'py>,
    plans_path: Option<&str>,
    plan_columns: Option<Columns<'py>>,
) -> PyResult<Planned<'py>> {
    let fw = framework_of(framework);
    let mut cohort_problems = Problems::default();
    let mut histories = Histories::new(Keep::All);
    let cohort_rows = source.read_into(py, fw, &mut cohort_problems, |a| histories.add(&a))?;
    let mut planned = Vec::new();
    let mut problems = Problems::default();
    // A repeated child and move date (§11), or a plan with no assessment
    // before the move, is a problem of its row.
    let mut seen = vsend_core::SeenPlans::new();
    let mut plan = |p: vsend_core::Plan| -> Result<(), Cause> {
        seen.add(&p)?;
        planned.push(vsend_core::transition(fw, histories.get(p.child_id()), &p)?);
        Ok(())
    };
    let mut read = 0;
    if let Some(path) = plans_path {
        let input = Input::open(std::path::Path::new(path)).map_err(|e| file_error(py, &e))?;
        let mut intake = Intake::new(input.format, &mut plan);
        for r in input.rows_as::<Plans>(fw).map_err(|e| file_error(py, &e))? {
            tick(py, read)?;
            read += 1;
            let (line, outcome) = match r.map_err(|e| file_error(py, &e))? {
                Row::Accepted { line, value } => (line, Ok(value)),
                Row::Rejected { line, problems } => (line, Err(problems)),
            };
            if let Err(p) = intake.record(outcome) {
                problems.add(line as i64, p);
            }
        }
    }
    if let Some(columns) = plan_columns {
        let mut numeric_ids = NumericIds::default();
        let mut intake = Intake::new(vsend_core::Format::Csv, &mut plan);
        read += read_plan_columns(py, fw, &columns, &mut numeric_ids, &mut |i, outcome| {
            if let Err(p) = intake.record(outcome) {
                problems.add(i, p);
            }
            Ok(())
        })?;
        problems.numeric_ids = numeric_ids;
    }
    let rows = PyList::empty(py);
    for row in &planned {
        rows.append(json_to_py(py, row)?)?;
    }
    Ok((
        rows,
        problems.into_py(py)?,
        read,
        cohort_problems.into_py(py)?,
        cohort_rows,
    ))
}
