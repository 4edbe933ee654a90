//! `vsend`: batch-score cohort files, summarise cohorts, follow one child,
//! draw charts.
//!
//! A thin binary: `main` → one function per command, each wiring library
//! calls together. Every number comes from `vsend-core`, every rule of the
//! model (which review is current, what is a duplicate, when a review is
//! overdue) lives there; files are read by `vsend_io::read` and written by
//! `vsend_io::output`. File formats are §10 of `docs/model.md`. What only a
//! terminal needs stays here: arguments (`args`), problem reports on stderr
//! (`report`), the progress bar and Ctrl-C (`signals`).

mod args;
mod forecast;
mod pack;
mod report;
mod signals;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use rayon::prelude::*;
use report::{print_file_error, rows, Reporter};
use vsend_chart::{
    comparison_chart, group_radar, plan_radar, svg_to_png, ChartError, ChildRadar, ComparedSummary,
    ComparisonStyle,
};
use vsend_core::history::Keep;
use vsend_core::scored::Cell;
use vsend_core::{
    score as score_one, scored_columns, Assessment, ChildId, Cohort, CompareError, Date, Duplicate,
    Framework, Histories, PerDomain, Plan, ScoredRow, SeenDates, SummaryFile, Suppression,
    Timeline, PLAN_COLUMNS,
};
use vsend_io::intake::{intake, RowRead};
use vsend_io::output::{commit_ready, Output, OutputError, OutputPlan, Ready};
use vsend_io::pipeline::{score_parallel, Batch};
use vsend_io::problem::Cause;
use vsend_io::read::{FileError, Input, Plans, Row};
use vsend_io::write::{push_cell, push_csv_header};
use vsend_io::xlsx::write::{json_table, JsonCell, Table};

use args::{
    ChartArgs, ChartFormat, ChartsArgs, Cli, CohortArgs, Command, CompareArgs, FrameworkArg,
    FrameworkArgs, InputArgs, ScoreArgs, TimelineArgs, TransitionArgs, TransitionsArgs,
    ValidateArgs,
};

/// The exit code when an output's reader went away before the run completed
/// (128 + SIGPIPE, what a shell reports for a pipeline stage ended by SIGPIPE).
const EXIT_CLOSED_BY_READER: u8 = 141;

/// Why a command stopped: exit code 2, nothing written.
#[derive(Debug, thiserror::Error)]
enum Error {
    /// An input as a whole cannot be used (missing, a bad header, a bad framework).
    #[error(transparent)]
    File(#[from] FileError),
    /// An output cannot be used (a directory, an input, another output).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Writing an output failed.
    #[error("{target}: {source}")]
    Write {
        /// The output, as named on the command line.
        target: String,
        /// What failed.
        #[source]
        source: io::Error,
    },
    /// A chart could not be drawn.
    #[error("chart: {0}")]
    Chart(#[from] vsend_chart::ChartError),
    /// Arguments that name nothing in the input, or do not fit together.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The output a reader closed early (`vsend score … | head`): the reader's
    /// choice, so not an error of vsend's, but the run did not complete.
    fn closed_by_reader(&self) -> Option<&str> {
        match self {
            Error::Write { target, source } if source.kind() == io::ErrorKind::BrokenPipe => {
                Some(target)
            }
            _ => None,
        }
    }
}

/// Names the output an I/O error happened on.
trait Context<T> {
    fn writing(self, target: &str) -> Result<T, Error>;
}

impl<T> Context<T> for io::Result<T> {
    fn writing(self, target: &str) -> Result<T, Error> {
        self.map_err(|source| Error::Write {
            target: target.to_owned(),
            source,
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = signals::remove_temps_on_signals() {
        eprintln!(
            "vsend: cannot watch for Ctrl-C ({e}); an interrupted run may leave .*.vsend-*.tmp files"
        );
    }
    let mut run = Run::default();
    let result = match cli.command {
        Command::Score(args) => score(&mut run, args),
        Command::Validate(args) => validate(&mut run, args),
        Command::Cohort(args) => cohort(&mut run, args),
        Command::Transitions(args) => transitions(&mut run, args),
        Command::Transition(args) => transition(&mut run, args),
        Command::Compare(args) => compare(args),
        Command::Timeline(args) => timeline(&mut run, args),
        Command::Framework(args) => framework(args),
        Command::Chart(args) => chart(&mut run, args),
        Command::Charts(args) => charts(&mut run, args),
        Command::Forecast(args) => forecast::forecast(&mut run, args),
        Command::Impact(args) => forecast::impact(&mut run, args),
        Command::Pack(args) => pack::pack(&mut run, args),
        Command::Packs(args) => pack::packs(&mut run, args),
    };
    run.exit(result)
}

fn score(run: &mut Run, args: ScoreArgs) -> Result<u64, Error> {
    let kind = output_kind(args.output.as_deref())?;
    let json = kind == Out::Jsonl;
    let mut opened = open_outputs(&args.input, Some(args.output.as_deref()), None)?;
    let fw = load_framework(&args.input.framework)?;
    if kind == Out::Xlsx {
        return score_xlsx(run, &args, &fw, opened);
    }
    let input = open_input(&args.input)?;
    let progress = Progress::new(&input);
    let rep = run.start(&input, opened.errors.take())?;
    let mut out = opened.output();
    let target = describe(args.output.as_deref());
    let (reader, parser) = input.open_records(&fw)?;
    if !json {
        let mut header = Vec::new();
        push_csv_header(&mut header, &fw);
        out.write_all(&header).writing(&target)?;
    }
    let mut seen = SeenDates::new();
    let emit = |batch: &Batch| -> Result<(), Error> {
        rep.read_many(batch.records);
        out.write_all(&batch.output).writing(&target)?;
        for (line, problems) in &batch.rejected {
            rep.rejected(*line, problems).writing("--errors")?;
        }
        Ok(())
    };
    score_parallel(reader, &parser, &mut seen, json, |b| progress.set(b), emit)?;
    progress.finish();
    let ready = out.finish().writing(&target)?;
    run.finish("scored", vec![ready])
}

/// `vsend score -o OUT.xlsx`: each row scored as it is read (in one thread:
/// the workbook is written row by row) into a streaming table, with a
/// problems sheet when rows were rejected.
fn score_xlsx(
    run: &mut Run,
    args: &ScoreArgs,
    fw: &Framework,
    mut opened: Opened,
) -> Result<u64, Error> {
    let target = describe(args.output.as_deref());
    let mut table = Table::streaming("scored", scored_columns(fw)).writing(&target)?;
    let input = open_input(&args.input)?;
    let progress = Progress::new(&input);
    let rep = run.start(&input, opened.errors.take())?;
    let mut seen = SeenDates::new();
    let pending = std::cell::RefCell::new(None);
    let accept = |a: Assessment| {
        seen.add(a.child_id(), a.assessed_on())?;
        *pending.borrow_mut() = Some(a);
        Ok::<_, Duplicate>(())
    };
    intake(input.rows(fw)?, accept, |row| {
        if let Some(a) = pending.borrow_mut().take() {
            let scored = ScoredRow::new(fw, &a, &score_one(fw, &a));
            table.push(&scored.cells()).writing(&target)?;
        }
        for p in &row.problems {
            table.push_problem(row.line, p).writing(&target)?;
        }
        report_row(rep, &progress, row)
    })?;
    progress.finish();
    let mut out = opened.output();
    table.finish(&mut out).writing(&target)?;
    let ready = out.finish().writing(&target)?;
    run.finish("scored", vec![ready])
}

fn validate(run: &mut Run, args: ValidateArgs) -> Result<u64, Error> {
    let mut opened = open_outputs(&args.input, None, None)?;
    let fw = load_framework(&args.input.framework)?;
    let mut seen = SeenDates::new();
    read_rows(run, &args.input, &fw, opened.errors.take(), |a| {
        seen.add(a.child_id(), a.assessed_on())
    })?;
    run.finish("valid", Vec::new())
}

fn cohort(run: &mut Run, args: CohortArgs) -> Result<u64, Error> {
    let xlsx = is_xlsx_output(args.output.as_deref());
    let mut opened = open_outputs(&args.input, Some(args.output.as_deref()), None)?;
    let fw = load_framework(&args.input.framework)?;
    let mut cohort = Cohort::new(&fw, args.as_of);
    run.keep_problems = xlsx;
    read_rows(run, &args.input, &fw, opened.errors.take(), |a| {
        cohort.add(a)
    })?;
    let out = opened.output();
    let path = args.output.as_deref();
    let summary = match args.suppress {
        None => serde_json::to_value(cohort.summary(args.by)),
        Some(k) => {
            // K and B were checked by the argument parser; this cannot fail.
            let suppression = Suppression::new(k, args.round_to)
                .map_err(|e| Error::Usage(format!("--suppress {k}: {e}")))?;
            serde_json::to_value(cohort.summary_suppressed(args.by, suppression))
        }
    }
    .expect("a summary is JSON");
    let ready = if xlsx {
        let problems = run.reporter().take_kept();
        let lead = ["group", "as_of", "children", "assessments", "overdue"];
        let rows = ("groups", "group", &lead[..]);
        write_xlsx_json(out, path, "summary", &summary, rows, problems)?
    } else {
        write_json(out, path, &summary)?
    };
    run.finish("scored", vec![ready])
}

fn transitions(run: &mut Run, args: TransitionsArgs) -> Result<u64, Error> {
    let mut opened = open_outputs(&args.input, Some(args.output.as_deref()), None)?;
    let fw = load_framework(&args.input.framework)?;
    let mut cohort = Cohort::new(&fw, args.as_of);
    read_rows(run, &args.input, &fw, opened.errors.take(), |a| {
        cohort.add(a)
    })?;
    let moves = cohort.phase_moves(args.year);
    let ready = write_json(opened.output(), args.output.as_deref(), &moves)?;
    run.finish("scored", vec![ready])
}

fn transition(run: &mut Run, args: TransitionArgs) -> Result<u64, Error> {
    let kind = output_kind(args.output.as_deref())?;
    let json = kind == Out::Jsonl;
    let mut plan = OutputPlan::new();
    plan.input(&args.plans);
    let mut opened = open_outputs_with(&args.input, plan, Some(args.output.as_deref()), None)?;
    let fw = load_framework(&args.input.framework)?;
    // Opened before the cohort is read: a missing plans file fails at once.
    let plans = Input::open(&args.plans)?;
    // The cohort's problems are reported under its own name; the plans' go to --errors.
    let mut histories = Histories::new(Keep::All);
    read_rows(run, &args.input, &fw, None, |a| histories.add(a))?;
    let cohort_rejected = run.finish_input("scored")?;
    let progress = Progress::new(&plans);
    let rep = run.start(&plans, opened.errors.take())?;
    let mut out = opened.output();
    let target = describe(args.output.as_deref());
    let mut table = match kind {
        Out::Xlsx => Some(Table::new("plans", &PLAN_COLUMNS).writing(&target)?),
        _ => None,
    };
    let mut buffer = Vec::new();
    if kind == Out::Csv {
        buffer.extend_from_slice(PLAN_COLUMNS.join(",").as_bytes());
        buffer.push(b'\n');
    }
    // A later plan of a child for a date already planned is a rejected row
    // (§11), as is a plan whose child has no assessment before the move.
    let mut seen = vsend_core::SeenPlans::new();
    let pending = std::cell::RefCell::new(None);
    let plan = |p: Plan| -> Result<(), Cause> {
        seen.add(&p)?;
        *pending.borrow_mut() = Some(vsend_core::transition(
            &fw,
            histories.get(p.child_id()),
            &p,
        )?);
        Ok(())
    };
    intake(plans.rows_as::<Plans>(&fw)?, plan, |row| {
        if let Some(planned) = pending.borrow_mut().take() {
            match &mut table {
                Some(table) => table.push(&planned.cells()).writing(&target)?,
                None if json => push_json(&mut buffer, &planned),
                None => push_csv_cells(&mut buffer, &planned.cells()),
            }
        }
        out.write_all(&buffer).writing(&target)?;
        buffer.clear();
        if let Some(table) = &mut table {
            for p in &row.problems {
                table.push_problem(row.line, p).writing(&target)?;
            }
        }
        report_row(rep, &progress, row)
    })?;
    progress.finish();
    if let Some(table) = table {
        table.finish(&mut out).writing(&target)?;
    }
    let ready = out.finish().writing(&target)?;
    Ok(cohort_rejected + run.finish("planned", vec![ready])?)
}

fn compare(args: CompareArgs) -> Result<u64, Error> {
    if args.chart.is_some() && args.summaries.len() > vsend_chart::MAX_COMPARED {
        return Err(Error::Usage(format!(
            "--chart: a comparison chart draws at most {} summaries; {} given (leave out --chart to compare them all in the JSON)",
            vsend_chart::MAX_COMPARED,
            args.summaries.len()
        )));
    }
    let mut plan = OutputPlan::new();
    for path in args.summaries.iter().chain(&args.framework.path) {
        plan.input(path);
    }
    let json = plan.output("-o", args.output.as_deref())?;
    let chart = match &args.chart {
        Some(path) => Some((
            chart_format("--chart", path)?,
            plan.output("--chart", Some(path))?,
        )),
        None => None,
    };
    let mut opened = plan.open()?;
    let fw = load_framework(&args.framework)?;
    let mut summaries = Vec::new();
    for path in &args.summaries {
        let name = path.display().to_string();
        let text = read_summary(path)?;
        let summary = SummaryFile::from_json(&text).map_err(|e| {
            Error::Usage(format!(
                "{name}: not a cohort summary written by vsend cohort: {e}"
            ))
        })?;
        let label = path
            .file_stem()
            .map_or(name.clone(), |s| s.to_string_lossy().into_owned());
        summaries.push((label, summary));
    }
    let comparison = vsend_core::compare(&summaries).map_err(|e| match e {
        CompareError::SameLabel { label, first, second } => Error::Usage(format!(
            "{} and {}: both are labelled {label:?} (a summary is labelled by its file name without .json); rename one",
            args.summaries[first - 1].display(),
            args.summaries[second - 1].display()
        )),
        e => Error::Usage(e.to_string()),
    })?;
    let out = opened.take(json);
    let path = args.output.as_deref();
    let mut ready = vec![if is_xlsx_output(path) {
        let doc = serde_json::to_value(&comparison).expect("a comparison is JSON");
        let lead = ["label", "as_of", "children", "reference"];
        let rows = ("rows", "", &lead[..]);
        write_xlsx_json(out, path, "comparison", &doc, rows, (Vec::new(), 0))?
    } else {
        write_json(out, path, &comparison)?
    }];
    if let Some((format, slot)) = chart {
        let compared: Vec<ComparedSummary> = comparison
            .rows
            .iter()
            .zip(&summaries)
            .map(|(row, (_, file))| ComparedSummary {
                label: row.label.clone(),
                as_of: row.as_of,
                children: row.children,
                mean_need: PerDomain::from_fn(|d| row.domains[d].mean_need),
                met_by_setting: PerDomain::from_fn(|d| row.domains[d].met_by_setting),
                suppression: file.suppression(),
            })
            .collect();
        if let Some((_, file)) = summaries.iter().find(|(_, f)| f.framework_id() != fw.id()) {
            return Err(Error::Usage(format!(
                "--chart: the summaries are of framework {}; give it with --framework FW.json",
                file.framework_id()
            )));
        }
        let style = ComparisonStyle::default();
        let svg = comparison_chart(&fw, &compared, &style)?;
        let target = args
            .chart
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut out = opened.take(slot);
        out.write_all(&encode(format, svg)?).writing(&target)?;
        ready.push(out.finish().writing(&target)?);
    }
    commit_ready(ready).writing("output")?;
    let rounded: Vec<String> = comparison
        .rows
        .iter()
        .filter_map(|row| {
            let s = row.suppression?;
            Some(format!(
                "{} (counts under {} hidden, the rest rounded to multiples of {})",
                row.label,
                s.min_count(),
                s.round_to()
            ))
        })
        .collect();
    eprintln!(
        "vsend: {} summaries compared, {} the reference; {}",
        summaries.len(),
        comparison.reference,
        if rounded.is_empty() {
            "all exact".to_owned()
        } else {
            format!("shared, so rounded: {}", rounded.join(", "))
        }
    );
    Ok(0)
}

/// A summary file's text, refusing anything far larger than a summary can be.
fn read_summary(path: &Path) -> Result<String, Error> {
    const MAX_SUMMARY_BYTES: u64 = 64 << 20;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| FileError::Io(name.clone(), e))?;
    let mut text = String::new();
    io::Read::read_to_string(&mut io::Read::take(file, MAX_SUMMARY_BYTES + 1), &mut text).map_err(
        |e| match e.kind() {
            io::ErrorKind::InvalidData => {
                Error::Usage(format!("{name}: not valid UTF-8; a summary is JSON"))
            }
            _ => Error::File(FileError::Io(name.clone(), e)),
        },
    )?;
    if text.len() as u64 > MAX_SUMMARY_BYTES {
        return Err(Error::Usage(format!(
            "{name}: larger than 64 MiB; not a cohort summary"
        )));
    }
    Ok(text)
}

fn timeline(run: &mut Run, args: TimelineArgs) -> Result<u64, Error> {
    let mut opened = open_outputs(&args.input, Some(args.output.as_deref()), None)?;
    let fw = load_framework(&args.input.framework)?;
    let errors = opened.errors.take();
    let t = child_timeline(run, &args.input, &fw, errors, &args.child, args.as_of)?;
    let ready = write_json(opened.output(), args.output.as_deref(), &t)?;
    run.finish("scored", vec![ready])
}

fn framework(args: FrameworkArgs) -> Result<u64, Error> {
    let mut plan = OutputPlan::new();
    if let Some(path) = &args.framework.path {
        plan.input(path);
    }
    let stdout = plan.output("stdout", None)?;
    let out = plan.open()?.take(stdout);
    let fw = load_framework(&args.framework)?;
    let ready = write_json(out, None, &fw)?;
    commit_ready([ready]).writing("stdout")?;
    eprintln!(
        "framework {} version {}: levels 0 to {}, {} need areas",
        fw.id(),
        fw.version(),
        fw.scale().max_level(),
        fw.areas().len()
    );
    Ok(0)
}

fn chart(run: &mut Run, args: ChartArgs) -> Result<u64, Error> {
    let mut opened = open_outputs(&args.input, Some(Some(&args.output)), None)?;
    let format = chart_format("-o", &args.output)?;
    let fw = load_framework(&args.input.framework)?;
    let errors = opened.errors.take();
    let svg = if args.cohort {
        cohort_chart(run, &args, &fw, errors)?
    } else if let Some(plans) = &args.plan {
        plan_chart(run, &args, plans, &fw, errors)?
    } else {
        let child = args
            .child
            .as_deref()
            .expect("clap requires --child without --cohort");
        let t = child_timeline(run, &args.input, &fw, errors, child, args.on)?;
        if args.timeline {
            vsend_chart::child_timeline(&fw, &t, args.size)?
        } else {
            child_radar(&args, &fw, &t)?
        }
    };
    let target = args.output.display().to_string();
    let mut out = opened.output();
    out.write_all(&encode(format, svg)?).writing(&target)?;
    let ready = out.finish().writing(&target)?;
    run.finish("scored", vec![ready])
}

/// A child's radar on their review `--on` (default the latest), with the one
/// before it when `--previous` is given.
fn child_radar(args: &ChartArgs, fw: &Framework, t: &Timeline) -> Result<String, Error> {
    let view = ChildRadar {
        on: args.on,
        previous: args.previous,
        size: args.size,
    };
    vsend_chart::child_radar(fw, t, &view).map_err(|e| match e {
        ChartError::NoReviewOn { .. } => Error::Usage(format!("--child {}: {e}", t.child_id())),
        e => Error::Chart(e),
    })
}

/// A child's transition radar (§11): needs, current readiness and the
/// receiving setting's readiness of their plan (the one moving `--on`, if given).
fn plan_chart(
    run: &mut Run,
    args: &ChartArgs,
    plans: &Path,
    fw: &Framework,
    errors: Option<Output>,
) -> Result<String, Error> {
    let child = args
        .child
        .as_deref()
        .expect("clap requires --child with --plan");
    let child = ChildId::new(child).map_err(|e| Error::Usage(format!("--child: {e}")))?;
    let mut histories = Histories::new(Keep::Child(child.clone()));
    read_rows(run, &args.input, fw, errors, |a| histories.add(a))?;
    let input = Input::open(plans)?;
    let name = input.name.clone();
    let mut mine = Vec::new();
    // A later plan of the child for a date already planned is rejected (§11), as by `transition`.
    let mut seen = vsend_core::SeenPlans::new();
    for row in input.rows_as::<Plans>(fw)? {
        if let Row::Accepted { value, .. } = row? {
            if value.child_id() == &child
                && args.on.is_none_or(|on| value.move_on() == on)
                && seen.add(&value).is_ok()
            {
                mine.push(value);
            }
        }
    }
    let plan = match mine.as_slice() {
        [plan] => plan,
        [] => {
            let on = args.on.map_or(String::new(), |d| format!(" moving on {d}"));
            return Err(Error::Usage(format!(
                "--plan {name}: no valid plan for {child}{on}"
            )));
        }
        _ => {
            let dates: Vec<String> = mine.iter().map(|p| p.move_on().to_string()).collect();
            return Err(Error::Usage(format!(
                "--plan {name}: {child} has plans moving on {}; pick one with --on DATE",
                dates.join(", ")
            )));
        }
    };
    let row = vsend_core::transition(fw, histories.get(&child), plan)
        .map_err(|e| Error::Usage(format!("--plan {name}: {e}")))?;
    Ok(plan_radar(fw, &row, args.size)?)
}

/// A cohort group's mean radar (§8).
fn cohort_chart(
    run: &mut Run,
    args: &ChartArgs,
    fw: &Framework,
    errors: Option<Output>,
) -> Result<String, Error> {
    let mut cohort = Cohort::new(fw, args.as_of);
    read_rows(run, &args.input, fw, errors, |a| cohort.add(a))?;
    let summary = cohort.summary(args.by);
    group_radar(fw, &summary, &args.group, args.size).map_err(|e| match e {
        ChartError::NoGroup { .. } => {
            let by_hint = match (args.by, args.group.split_once('=')) {
                (None, Some((key, _))) => {
                    format!(" (without --by there is only the group all: add --by {key})")
                }
                _ => String::new(),
            };
            Error::Usage(format!("--{e}{by_hint}"))
        }
        e => Error::Chart(e),
    })
}

fn charts(run: &mut Run, args: ChartsArgs) -> Result<u64, Error> {
    let mut opened = open_outputs(&args.input, None, Some(&args.out_dir))?;
    if !args.force {
        let extension = args.format.extension();
        refuse_existing(
            "--out-dir",
            &args.out_dir,
            &[extension],
            &format!(".{extension} file"),
            "the charts of the same children",
        )?;
    }
    let fw = load_framework(&args.input.framework)?;
    let as_of = args.as_of;
    let mut histories = Histories::new(Keep::CurrentAndPrevious { as_of });
    read_rows(run, &args.input, &fw, opened.errors.take(), |a| {
        histories.add(a)
    })?;
    // Each child's current and previous review as of --as-of (§8), as a
    // timeline: drawn exactly as `chart --child` draws it.
    let children: Vec<Timeline> = histories
        .children()
        .filter_map(|h| Timeline::of(&fw, h, as_of).ok())
        .collect();
    let out_dir = &args.out_dir;
    let made = NewDirectory::create(out_dir)?;
    let bar = Progress::for_items(children.len() as u64);
    // Each chart goes to its own temporary file; all are renamed into place
    // together, and only when every chart was drawn.
    let drawn: Vec<Result<Ready, Error>> = children
        .par_iter()
        .map(|timeline| {
            let ready = draw_child(&fw, &args, timeline);
            bar.inc();
            ready
        })
        .collect();
    bar.finish();
    let (ready, failed): (Vec<_>, Vec<_>) = drawn.into_iter().partition(Result::is_ok);
    if let Some(Err(first)) = failed.into_iter().next() {
        return Err(Error::Usage(format!(
            "charts not written; the first failure: {first}"
        )));
    }
    let ready = ready.into_iter().filter_map(Result::ok).collect();
    run.reporter()
        .commit(ready)
        .writing(&out_dir.display().to_string())?;
    made.keep();
    eprintln!(
        "vsend: {} charts written to {}",
        children.len(),
        out_dir.display()
    );
    run.finish("scored", Vec::new())
}

/// Refuses an output directory (named by `label`) that already holds files
/// with one of `extensions`, named `what` (`.svg file`, `web page`): which
/// children a run writes is known only after reading, and a second run must
/// not replace the first run's files unless asked (`--force`, which replaces
/// `replaced`).
pub(crate) fn refuse_existing(
    label: &str,
    dir: &Path,
    extensions: &[&str],
    what: &str,
    replaced: &str,
) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(()); // not there yet: created after reading
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            Path::new(name)
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    Err(Error::Usage(format!(
        "{label} {}: already holds {} {what}{} (e.g. {}); give a new or empty directory, or --force to replace {replaced} (nothing written)",
        dir.display(),
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        found[0]
    )))
}

/// One child's radar as a file in `--out-dir`, ready to commit.
fn draw_child(fw: &Framework, args: &ChartsArgs, timeline: &Timeline) -> Result<Ready, Error> {
    let child = timeline.child_id();
    let view = ChildRadar {
        on: None,
        previous: args.previous,
        size: args.size,
    };
    let svg = vsend_chart::child_radar(fw, timeline, &view)?;
    let bytes = encode(args.format, svg)?;
    // Child IDs are validated (§3): letters, digits, . _ - and never a path.
    let path = args
        .out_dir
        .join(format!("{child}.{}", args.format.extension()));
    let target = path.display().to_string();
    let mut out = Output::create_in_directory(&path).writing(&target)?;
    out.write_all(&bytes).writing(&target)?;
    out.finish().writing(&target)
}

/// An output directory this run created: removed again (if still empty)
/// when the run fails before [`keep`](Self::keep), so that a failed run
/// leaves no trace of itself.
pub(crate) struct NewDirectory<'p> {
    path: &'p Path,
    created: bool,
}

impl<'p> NewDirectory<'p> {
    /// Creates `path` and any missing parents.
    pub(crate) fn create(path: &'p Path) -> Result<NewDirectory<'p>, Error> {
        let created = !path.exists();
        std::fs::create_dir_all(path).writing(&path.display().to_string())?;
        Ok(NewDirectory { path, created })
    }

    /// The run succeeded: the directory stays.
    pub(crate) fn keep(mut self) {
        self.created = false;
    }
}

impl Drop for NewDirectory<'_> {
    fn drop(&mut self) {
        if self.created {
            // Only an empty directory goes: never anything written into it.
            let _ = std::fs::remove_dir(self.path);
        }
    }
}

/// The state a command leaves for `main` to close: its problem report.
#[derive(Debug, Default)]
struct Run {
    reporter: Option<Reporter>,
    /// Whether the next report keeps a copy of its problems, for an Excel
    /// output's problems sheet.
    keep_problems: bool,
}

impl Run {
    /// Starts the problem report for `input`, writing to `errors` when given.
    fn start(&mut self, input: &Input, errors: Option<Output>) -> Result<&mut Reporter, Error> {
        let mut rep = Reporter::new(&input.name, input.format, errors).writing("--errors")?;
        rep.watch_notes(input.notes());
        if std::mem::take(&mut self.keep_problems) {
            rep.keep_problems();
        }
        Ok(self.reporter.insert(rep))
    }

    fn reporter(&mut self) -> &mut Reporter {
        self.reporter
            .as_mut()
            .expect("the command started its report")
    }

    /// Closes the report of an input that writes nothing of its own (the
    /// cohort a command reads before its main input): prints its summary line
    /// and returns its rows rejected.
    fn finish_input(&mut self, accepted: &str) -> Result<u64, Error> {
        self.finish(accepted, Vec::new())
    }

    /// Commits `outputs` with the problem report, all together, prints the
    /// summary line and returns the rows rejected.
    fn finish(&mut self, accepted: &str, outputs: Vec<Ready>) -> Result<u64, Error> {
        let mut rep = self
            .reporter
            .take()
            .expect("the command started its report");
        let rejected = rep.rejected_count();
        rep.commit(outputs).writing("output")?;
        rep.finish(accepted).writing("--errors")?;
        Ok(rejected)
    }

    /// The exit code of a command's result, printing its error once.
    fn exit(self, result: Result<u64, Error>) -> ExitCode {
        let error = match result {
            Ok(0) => return ExitCode::SUCCESS,
            Ok(_) => return ExitCode::from(1),
            Err(e) => e,
        };
        if let Some(target) = error.closed_by_reader() {
            // One line, no noise: the reader left, as `head` does. The exit code is
            // the shell's for a process ended by SIGPIPE, so `set -o pipefail` and
            // scripts see an incomplete run, never success.
            let after = self.reporter.as_ref().map_or(String::new(), |r| {
                format!(" after {} read", rows(r.rows_read()))
            });
            eprintln!(
                "vsend: {target} was closed by its reader{after}; the run stopped there and wrote no file"
            );
            return ExitCode::from(EXIT_CLOSED_BY_READER);
        }
        match (&error, self.reporter) {
            (Error::File(e), Some(mut rep)) => {
                rep.file_error(e);
                rep.abandon();
            }
            (_, Some(rep)) => {
                eprintln!("vsend: {error}");
                rep.abandon();
            }
            (Error::File(e), None) => print_file_error(e, None),
            (_, None) => eprintln!("vsend: {error}"),
        }
        ExitCode::from(2)
    }
}

/// A command's outputs, checked against its inputs and each other and opened
/// before any row is read.
struct Opened {
    output: Option<Output>,
    errors: Option<Output>,
}

impl Opened {
    fn output(&mut self) -> Output {
        self.output.take().expect("the command asked for an output")
    }
}

/// Checks every output against the inputs and each other, and opens them all,
/// before any work: a clash, a directory or a missing directory is a usage
/// error (exit 2) with nothing written. `output` is `-o` (`Some(None)`: stdout).
fn open_outputs(
    input: &InputArgs,
    output: Option<Option<&Path>>,
    out_dir: Option<&Path>,
) -> Result<Opened, Error> {
    open_outputs_with(input, OutputPlan::new(), output, out_dir)
}

/// [`open_outputs`] for a command with more inputs, already in `plan`.
fn open_outputs_with(
    input: &InputArgs,
    mut plan: OutputPlan,
    output: Option<Option<&Path>>,
    out_dir: Option<&Path>,
) -> Result<Opened, Error> {
    plan.input(&input.input);
    if let Some(path) = &input.framework.path {
        plan.input(path);
    }
    let output = output.map(|o| plan.output("-o", o)).transpose()?;
    let errors = input
        .errors
        .as_deref()
        .map(|e| plan.output("--errors", Some(e)))
        .transpose()?;
    if let Some(dir) = out_dir {
        plan.directory("--out-dir", dir)?;
    }
    let mut opened = plan.open()?;
    Ok(Opened {
        output: output.map(|slot| opened.take(slot)),
        errors: errors.map(|slot| opened.take(slot)),
    })
}

fn load_framework(arg: &FrameworkArg) -> Result<Framework, Error> {
    match &arg.path {
        None => Ok(Framework::default()),
        Some(path) => Ok(vsend_io::read::load_framework(path)?),
    }
}

/// Reads every row of the input, reporting rejected rows and handing accepted
/// assessments to `accept`, which may still reject one as a same-date
/// duplicate (§7).
fn read_rows(
    run: &mut Run,
    args: &InputArgs,
    fw: &Framework,
    errors: Option<Output>,
    mut accept: impl FnMut(&Assessment) -> Result<(), Duplicate>,
) -> Result<(), Error> {
    let input = open_input(args)?;
    let progress = Progress::new(&input);
    let rep = run.start(&input, errors)?;
    intake(
        input.rows(fw)?,
        |a| accept(&a),
        |row| report_row(rep, &progress, row),
    )?;
    progress.finish();
    Ok(())
}

/// Counts one row read, reports it when rejected, and moves the progress bar.
fn report_row(rep: &mut Reporter, progress: &Progress, row: RowRead) -> Result<(), Error> {
    rep.read();
    if row.is_rejected() {
        rep.rejected(row.line, &row.problems).writing("--errors")?;
    }
    progress.tick(row.counts.read, row.bytes);
    Ok(())
}

/// Reads every row and builds one child's timeline (§7) as of `as_of`; every
/// child's same-date duplicates are rejected rows, as in every command.
fn child_timeline(
    run: &mut Run,
    args: &InputArgs,
    fw: &Framework,
    errors: Option<Output>,
    child: &str,
    as_of: Option<Date>,
) -> Result<Timeline, Error> {
    let child = ChildId::new(child).map_err(|e| Error::Usage(format!("--child: {e}")))?;
    let mut histories = Histories::new(Keep::Child(child.clone()));
    let mut other_case = None;
    read_rows(run, args, fw, errors, |a| {
        if other_case.is_none() && a.child_id() != &child && same_but_case(a.child_id(), &child) {
            other_case = Some(a.child_id().clone());
        }
        histories.add(a)
    })?;
    let history = histories
        .get(&child)
        .ok_or_else(|| no_such_child(&child, other_case.as_ref()))?;
    Timeline::of(fw, history, as_of).map_err(|e| Error::Usage(format!("--child {child}: {e}")))
}

/// IDs are case-sensitive (§3), but a child asked for in the wrong case is
/// a likely mistake worth a hint.
fn same_but_case(a: &ChildId, b: &ChildId) -> bool {
    a.as_str().eq_ignore_ascii_case(b.as_str())
}

/// The usage error of a `--child` with no assessment, suggesting the ID in
/// the case the input writes it.
fn no_such_child(child: &ChildId, other_case: Option<&ChildId>) -> Error {
    let hint = other_case.map_or(String::new(), |id| format!("; did you mean {id}?"));
    Error::Usage(format!(
        "--child {child}: no assessments of this child in the input{hint}"
    ))
}

/// The cohort input of `args`: its `--sheet` when it is a workbook.
fn open_input(args: &InputArgs) -> Result<Input<'static>, Error> {
    Ok(Input::open_sheet(&args.input, args.sheet.as_deref())?)
}

/// What `-o` of a row-per-record command asks for by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Csv,
    Jsonl,
    Xlsx,
}

/// The format `-o` asks for (CSV without one).
fn output_kind(output: Option<&Path>) -> Result<Out, Error> {
    match output.and_then(Path::extension).and_then(|e| e.to_str()) {
        None => Ok(Out::Csv),
        Some(e) if e.eq_ignore_ascii_case("csv") => Ok(Out::Csv),
        Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
            Ok(Out::Jsonl)
        }
        Some(e) if e.eq_ignore_ascii_case("xlsx") => Ok(Out::Xlsx),
        Some(e) => Err(Error::Usage(format!(
            "-o: unknown output extension .{e}; allowed .csv, .jsonl or .xlsx"
        ))),
    }
}

/// Whether `-o` asks for an Excel workbook.
fn is_xlsx_output(output: Option<&Path>) -> bool {
    output
        .and_then(Path::extension)
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// A JSON document (a summary, a comparison) as a workbook: one row per
/// entry of `rows.0` (an object's keys in column `rows.1`), the columns
/// `rows.2` first, and the `problems` sheet when rows were rejected.
fn write_xlsx_json(
    mut out: Output,
    path: Option<&Path>,
    sheet: &str,
    document: &serde_json::Value,
    rows: (&str, &str, &[&str]),
    problems: (Vec<(u64, vsend_io::problem::Problem)>, u64),
) -> Result<Ready, Error> {
    let target = describe(path);
    let (columns, cells) = json_table(document, rows.0, rows.1, rows.2);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut table = Table::new(sheet, &columns).writing(&target)?;
    for row in &cells {
        let row: Vec<Cell<'_>> = row.iter().map(JsonCell::cell).collect();
        table.push(&row).writing(&target)?;
    }
    table.push_problems(&problems.0).writing(&target)?;
    table.add_unlisted(problems.1).writing(&target)?;
    table.finish(&mut out).writing(&target)?;
    out.finish().writing(&target)
}

/// The picture format `path` (given as `label`) asks for by its extension.
fn chart_format(label: &str, path: &Path) -> Result<ChartFormat, Error> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => Ok(ChartFormat::Svg),
        Some("png") => Ok(ChartFormat::Png),
        _ => Err(Error::Usage(format!(
            "{label} {}: allowed extensions .svg or .png",
            path.display()
        ))),
    }
}

/// A picture's bytes: the SVG as drawn, or rasterised to PNG.
fn encode(format: ChartFormat, svg: String) -> Result<Vec<u8>, Error> {
    Ok(match format {
        ChartFormat::Svg => svg.into_bytes(),
        ChartFormat::Png => svg_to_png(&svg)?,
    })
}

/// Appends `value` as one JSON line.
fn push_json(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    serde_json::to_writer(&mut *out, value).expect("writing JSON to memory cannot fail");
    out.push(b'\n');
}

/// Appends one CSV line of `cells`.
fn push_csv_cells(out: &mut Vec<u8>, cells: &[Cell<'_>]) {
    for (i, &cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_cell(out, cell);
    }
    out.push(b'\n');
}

fn describe(path: Option<&Path>) -> String {
    path.map_or("<stdout>".into(), |p| p.display().to_string())
}

/// Writes `value` as pretty JSON to `out` (named `path`), ready to commit.
fn write_json(
    mut out: Output,
    path: Option<&Path>,
    value: &impl serde::Serialize,
) -> Result<Ready, Error> {
    let target = describe(path);
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(io::Error::from)
        .writing(&target)?;
    out.write_all(b"\n").writing(&target)?;
    out.finish().writing(&target)
}

/// A progress bar on stderr, only for large inputs and only on a terminal.
#[derive(Debug)]
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    const MIN_BYTES: u64 = 16 << 20;
    const EVERY_ROWS: u64 = 16_384;

    fn new(input: &Input) -> Progress {
        let len = input.len.unwrap_or(0);
        if len < Self::MIN_BYTES || !io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    fn tick(&self, rows_read: u64, bytes: u64) {
        if rows_read.is_multiple_of(Self::EVERY_ROWS) {
            self.set(bytes);
        }
    }

    /// A bar counting items (charts drawn), on a terminal only.
    fn for_items(n: u64) -> Progress {
        if n < 100 || !io::stderr().is_terminal() {
            return Progress(None);
        }
        Progress(Some(indicatif::ProgressBar::new(n)))
    }

    fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn set(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(bytes);
        }
    }

    fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}
