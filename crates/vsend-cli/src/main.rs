//! `vsend`: batch-score cohort files, summarise cohorts, follow one child.
//!
//! A thin binary: parsing arguments, files, progress and exit codes. Every
//! number comes from `vsend-core`; file formats are §10 of `docs/model.md`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use vsend_chart::{cohort_radar, radar, svg_to_png, timeline_chart, RadarStyle, TimelineStyle};
use vsend_cli::output::{remove_temps_on_signals, Output, OutputError, OutputPlan, Ready};
use vsend_cli::pipeline::{score_parallel, Batch, LatestPerChild};
use vsend_cli::read::{FileError, Input, Problem, Row, Rows};
use vsend_cli::report::Reporter;
use vsend_cli::write::push_csv_header;
use vsend_core::{
    parse_date, score, Assessment, ChildId, Cohort, Date, Framework, GroupBy, Timeline,
};

/// Score Valuing SEND assessments: needs against setting readiness and family
/// confidence, per child, over time and per cohort.
#[derive(Parser)]
#[command(name = "vsend", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score every assessment: one scored row per accepted row, in input order.
    ///
    /// Exit code 0 when every row is scored, 1 when some rows are rejected (the
    /// others are still written in full), 2 for a usage or file error.
    Score {
        /// Cohort file, .csv or .jsonl; - reads CSV from stdin.
        input: PathBuf,
        /// Output file; .csv or .jsonl picks the format. Default: CSV to stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write every problem to this CSV (line,field,value,message) instead of stderr.
        #[arg(long, value_name = "ERRORS.csv")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        framework: FrameworkArg,
    },
    /// Check every row as `score` does, writing only the problems and a summary.
    Validate {
        /// Cohort file, .csv or .jsonl; - reads CSV from stdin.
        input: PathBuf,
        /// Write every problem to this CSV (line,field,value,message) instead of stderr.
        #[arg(long, value_name = "ERRORS.csv")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        framework: FrameworkArg,
    },
    /// Summarise a cohort (§8) as JSON: the whole cohort and, with --by, each group.
    Cohort {
        /// Cohort file, .csv or .jsonl; - reads CSV from stdin.
        input: PathBuf,
        /// Summarise as of this date (YYYY-MM-DD). Default: the latest assessment.
        #[arg(long, value_parser = date_arg)]
        as_of: Option<Date>,
        /// Also group by: setting_id, age_band or primary_domain.
        #[arg(long, value_parser = group_arg)]
        by: Option<GroupBy>,
        /// Output JSON file. Default: stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write every problem to this CSV instead of stderr.
        #[arg(long, value_name = "ERRORS.csv")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        framework: FrameworkArg,
    },
    /// Follow one child over time (§7) as JSON: changes, trends, escalation, overdue.
    Timeline {
        /// Cohort file, .csv or .jsonl; - reads CSV from stdin.
        input: PathBuf,
        /// The child's pseudonymous ID.
        #[arg(long)]
        child: String,
        /// Leave out later reviews and say whether the review is overdue on this date.
        #[arg(long, value_parser = date_arg)]
        as_of: Option<Date>,
        /// Output JSON file. Default: stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write every problem to this CSV instead of stderr.
        #[arg(long, value_name = "ERRORS.csv")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        framework: FrameworkArg,
    },
    /// Print the effective framework as JSON, to start a council's own from.
    Framework {
        #[command(flatten)]
        framework: FrameworkArg,
    },
    /// Draw one chart: a child's radar (default), their needs over time
    /// (--timeline), or a cohort group's mean radar (--cohort).
    ///
    /// The picture carries the child's pseudonymous ID and dates only.
    Chart {
        /// Cohort file, .csv or .jsonl; - reads CSV from stdin.
        input: PathBuf,
        /// The child to draw.
        #[arg(long, required_unless_present = "cohort")]
        child: Option<String>,
        /// Draw the child's assessment on this date. Default: their latest.
        #[arg(long, value_parser = date_arg, conflicts_with = "cohort")]
        on: Option<Date>,
        /// Also draw the previous review's needs as a thin dashed line.
        #[arg(long, conflicts_with = "cohort")]
        previous: bool,
        /// Draw the child's need and readiness levels across all reviews instead.
        #[arg(long, conflicts_with_all = ["cohort", "on", "previous"])]
        timeline: bool,
        /// Draw a cohort group's mean radar instead of a child's.
        #[arg(long, conflicts_with = "child")]
        cohort: bool,
        /// With --cohort: group by setting_id, age_band or primary_domain.
        #[arg(long, value_parser = group_arg, requires = "cohort")]
        by: Option<GroupBy>,
        /// With --cohort: the group to draw, e.g. setting_id=S0001. Default: all.
        #[arg(long, requires = "cohort", default_value = "all")]
        group: String,
        /// With --cohort: summarise as of this date. Default: the latest assessment.
        #[arg(long, value_parser = date_arg, requires = "cohort")]
        as_of: Option<Date>,
        /// Output file: .svg or .png.
        #[arg(short, long)]
        output: PathBuf,
        /// Picture size in pixels, WIDTHxHEIGHT. Default: 800x800 (timeline 1000x800).
        #[arg(long, value_parser = size_arg)]
        size: Option<(u32, u32)>,
        /// Write every problem to this CSV instead of stderr.
        #[arg(long, value_name = "ERRORS.csv")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        framework: FrameworkArg,
    },
    /// Draw one radar per child (their latest assessment on or before --as-of)
    /// into a directory, named <child_id>.svg or .png, on all cores.
    Charts {
        /// Cohort file, .csv or .jsonl; - reads CSV from stdin.
        input: PathBuf,
        /// Directory to write into (created if missing).
        #[arg(long)]
        out_dir: PathBuf,
        /// Picture format.
        #[arg(long, value_enum, default_value_t = ChartFormat::Svg)]
        format: ChartFormat,
        /// Draw each child as of this date. Default: every child's latest.
        #[arg(long, value_parser = date_arg)]
        as_of: Option<Date>,
        /// Also draw each child's previous review's needs.
        #[arg(long)]
        previous: bool,
        /// Picture size in pixels, WIDTHxHEIGHT. Default: 800x800.
        #[arg(long, value_parser = size_arg)]
        size: Option<(u32, u32)>,
        /// Write every problem to this CSV instead of stderr.
        #[arg(long, value_name = "ERRORS.csv")]
        errors: Option<PathBuf>,
        #[command(flatten)]
        framework: FrameworkArg,
    },
}

/// Picture formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ChartFormat {
    /// SVG, text as text.
    Svg,
    /// PNG, anti-aliased.
    Png,
}

impl ChartFormat {
    fn of(path: &Path) -> Option<ChartFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(ChartFormat::Svg),
            "png" => Some(ChartFormat::Png),
            _ => None,
        }
    }

    /// The picture's bytes: the SVG as drawn, or rasterised to PNG.
    fn encode(self, svg: vsend_chart::Result<String>) -> vsend_chart::Result<Vec<u8>> {
        match self {
            ChartFormat::Svg => svg.map(String::into_bytes),
            ChartFormat::Png => svg_to_png(&svg?),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
        }
    }
}

fn size_arg(s: &str) -> Result<(u32, u32), String> {
    let bad =
        || format!("{s:?} is not a size; allowed WIDTHxHEIGHT, each 100 to 8000, e.g. 800x800");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h) = (
        w.parse::<u32>().map_err(|_| bad())?,
        h.parse::<u32>().map_err(|_| bad())?,
    );
    if (100..=8000).contains(&w) && (100..=8000).contains(&h) {
        Ok((w, h))
    } else {
        Err(bad())
    }
}

#[derive(clap::Args)]
struct FrameworkArg {
    /// Framework JSON (§2). Default: the built-in vsend-default v1.
    #[arg(long = "framework", value_name = "FW.json")]
    path: Option<PathBuf>,
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).ok_or_else(|| format!("{s:?} is not a date; allowed YYYY-MM-DD"))
}

fn group_arg(s: &str) -> Result<GroupBy, String> {
    s.parse()
}

/// Why a command stopped early: exit code 2.
enum Failure {
    File(FileError),
    Io(String, io::Error),
    Usage(String),
}

impl From<FileError> for Failure {
    fn from(e: FileError) -> Self {
        Failure::File(e)
    }
}

/// Attaches what was being written to an I/O error.
trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Failure>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Failure> {
        self.map_err(|e| Failure::Io(what(), e))
    }
}

fn describe(path: Option<&Path>) -> String {
    path.map_or("<stdout>".into(), |p| p.display().to_string())
}

fn load_framework(arg: &FrameworkArg) -> Result<Framework, Failure> {
    let Some(path) = &arg.path else {
        return Ok(Framework::default());
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::InvalidData => "not valid UTF-8".to_owned(),
            _ => e.to_string(),
        };
        FileError::Framework(name.clone(), why)
    })?;
    Framework::from_json(&text).map_err(|e| Failure::File(FileError::framework(&name, &e)))
}

/// A progress bar on stderr, only for large inputs and only on a terminal.
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

    fn tick(&self, rows_read: u64, rows: &Rows<'_>) {
        if rows_read.is_multiple_of(Self::EVERY_ROWS) {
            self.set(rows.position());
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

/// Reads every row, handing accepted assessments to `accept` and reporting
/// rejected ones; `accept` may reject a row after all (a duplicate) by
/// returning its problem.
fn each_row(
    input: PathBuf,
    framework: &Framework,
    reporter: &mut Option<Reporter>,
    errors: Option<&Path>,
    report: Option<Output>,
    mut accept: impl FnMut(u64, Assessment) -> Result<Option<Problem>, Failure>,
) -> Result<(), Failure> {
    let input = Input::open(&input)?;
    let rep = reporter.insert(Reporter::new(&input.name, report).context(|| describe(errors))?);
    let progress = Progress::new(&input);
    let mut rows = input.rows(framework)?;
    while let Some(row) = rows.next() {
        rep.read();
        match row? {
            Row::Accepted { line, assessment } => {
                if let Some(problem) = accept(line, assessment)? {
                    rep.rejected(line, &[problem])
                        .context(|| describe(errors))?;
                }
            }
            Row::Rejected { line, problems } => {
                rep.rejected(line, &problems).context(|| describe(errors))?;
            }
        }
        progress.tick(rep.rows_read(), &rows);
    }
    progress.finish();
    Ok(())
}

fn sized(style: RadarStyle, size: Option<(u32, u32)>) -> RadarStyle {
    match size {
        Some((w, h)) => style.with_size(w, h),
        None => style,
    }
}

/// Reads every row (reporting rejected ones) and builds one child's timeline
/// as of `as_of`; same-date duplicates are reported as rejected rows too.
fn child_timeline(
    input: PathBuf,
    fw: &Framework,
    reporter: &mut Option<Reporter>,
    errors: Option<&Path>,
    report: Option<Output>,
    child: &str,
    as_of: Option<Date>,
) -> Result<Timeline, Failure> {
    let child = ChildId::new(child).map_err(|e| Failure::Usage(format!("--child: {e}")))?;
    let mut mine: Vec<(u64, Assessment)> = Vec::new();
    each_row(input, fw, reporter, errors, report, |line, a| {
        if a.child_id() == &child {
            mine.push((line, a));
        }
        Ok(None)
    })?;
    let timeline = Timeline::build(fw, mine.iter().map(|(_, a)| a), as_of)
        .map_err(|e| Failure::Usage(format!("--child {child}: {e}")))?;
    let rep = reporter.as_mut().expect("each_row made the reporter");
    for (index, duplicate) in timeline.duplicates() {
        rep.rejected(mine[*index].0, &[Problem::duplicate(duplicate.clone())])
            .context(|| describe(errors))?;
    }
    Ok(timeline)
}

/// A command's outputs, opened before any row is read.
struct Opened {
    output: Option<Output>,
    errors: Option<Output>,
}

/// Checks every output of `command` against its inputs and each other, and
/// opens them all, before any work: a clash, a directory or a missing
/// directory is a usage error (exit 2) with nothing written.
fn open_outputs(command: &Command) -> Result<Opened, Failure> {
    type Paths<'a> = (
        Option<&'a Path>,
        &'a FrameworkArg,
        Option<Option<&'a Path>>,
        Option<&'a Path>,
        Option<&'a Path>,
    );
    let (input, framework, output, errors, out_dir): Paths<'_> = match command {
        Command::Score {
            input,
            output,
            errors,
            framework,
        }
        | Command::Cohort {
            input,
            output,
            errors,
            framework,
            ..
        }
        | Command::Timeline {
            input,
            output,
            errors,
            framework,
            ..
        } => (
            Some(input),
            framework,
            Some(output.as_deref()),
            errors.as_deref(),
            None,
        ),
        Command::Validate {
            input,
            errors,
            framework,
        } => (Some(input), framework, None, errors.as_deref(), None),
        Command::Chart {
            input,
            output,
            errors,
            framework,
            ..
        } => (
            Some(input),
            framework,
            Some(Some(output)),
            errors.as_deref(),
            None,
        ),
        Command::Charts {
            input,
            out_dir,
            errors,
            framework,
            ..
        } => (
            Some(input),
            framework,
            None,
            errors.as_deref(),
            Some(out_dir),
        ),
        Command::Framework { framework } => (None, framework, Some(None), None, None),
    };
    let usage = |e: OutputError| Failure::Usage(e.to_string());
    let mut plan = OutputPlan::new();
    for path in [input, framework.path.as_deref()].into_iter().flatten() {
        plan.input(path);
    }
    let output = output
        .map(|o| plan.output("-o", o))
        .transpose()
        .map_err(usage)?;
    let errors = errors
        .map(|e| plan.output("--errors", Some(e)))
        .transpose()
        .map_err(usage)?;
    if let Some(dir) = out_dir {
        plan.directory("--out-dir", dir).map_err(usage)?;
    }
    let mut opened = plan.open().map_err(usage)?;
    Ok(Opened {
        output: output.map(|slot| opened.take(slot)),
        errors: errors.map(|slot| opened.take(slot)),
    })
}

/// Runs one command; returns the number of rows rejected.
fn run(cli: Cli, reporter: &mut Option<Reporter>) -> Result<u64, Failure> {
    let Opened {
        output: mut out,
        errors: report,
    } = open_outputs(&cli.command)?;
    let mut take_output = move || out.take().expect("open_outputs opened -o");
    match cli.command {
        Command::Score {
            input,
            output,
            errors,
            framework,
        } => {
            let fw = load_framework(&framework)?;
            let json = match output
                .as_deref()
                .and_then(|p| p.extension())
                .and_then(|e| e.to_str())
            {
                None => false,
                Some(e) if e.eq_ignore_ascii_case("csv") => false,
                Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
                    true
                }
                Some(e) => {
                    return Err(Failure::Usage(format!(
                        "-o: unknown output extension .{e}; allowed .csv or .jsonl"
                    )))
                }
            };
            let input = Input::open(&input)?;
            let rep = reporter.insert(
                Reporter::new(&input.name, report).context(|| describe(errors.as_deref()))?,
            );
            let target = describe(output.as_deref());
            let mut out = take_output();
            let progress = Progress::new(&input);
            let (reader, parser) = input.open_records(&fw)?;
            let mut header = Vec::new();
            if !json {
                push_csv_header(&mut header);
            }
            out.write_all(&header).context(|| target.clone())?;
            let emit = |batch: &Batch| -> Result<(), Failure> {
                out.write_all(&batch.output).context(|| target.clone())?;
                rep.read_many(batch.records);
                for (line, problems) in &batch.rejected {
                    rep.rejected(*line, problems)
                        .context(|| describe(errors.as_deref()))?;
                }
                Ok(())
            };
            score_parallel(reader, &parser, json, |bytes| progress.set(bytes), emit)?;
            progress.finish();
            let ready = out.finish().context(|| target)?;
            finish(reporter, "scored", vec![ready])
        }
        Command::Validate {
            input,
            errors,
            framework,
        } => {
            let fw = load_framework(&framework)?;
            each_row(input, &fw, reporter, errors.as_deref(), report, |_, _| {
                Ok(None)
            })?;
            finish(reporter, "valid", Vec::new())
        }
        Command::Cohort {
            input,
            as_of,
            by,
            output,
            errors,
            framework,
        } => {
            let fw = load_framework(&framework)?;
            let mut cohort = Cohort::new(&fw, as_of);
            each_row(input, &fw, reporter, errors.as_deref(), report, |_, a| {
                Ok(cohort.add(&a).err().map(Problem::duplicate))
            })?;
            let ready = write_json(take_output(), output.as_deref(), &cohort.summary(by))?;
            finish(reporter, "scored", vec![ready])
        }
        Command::Timeline {
            input,
            child,
            as_of,
            output,
            errors,
            framework,
        } => {
            let fw = load_framework(&framework)?;
            let timeline = child_timeline(
                input,
                &fw,
                reporter,
                errors.as_deref(),
                report,
                &child,
                as_of,
            )?;
            let ready = write_json(take_output(), output.as_deref(), &timeline)?;
            finish(reporter, "scored", vec![ready])
        }
        Command::Chart {
            input,
            child,
            on,
            previous,
            timeline,
            cohort,
            by,
            group,
            as_of,
            output,
            size,
            errors,
            framework,
        } => {
            let fw = load_framework(&framework)?;
            let format = ChartFormat::of(&output).ok_or_else(|| {
                Failure::Usage(format!(
                    "-o {}: allowed extensions .svg or .png",
                    output.display()
                ))
            })?;
            let picture = if cohort {
                let mut cohort = Cohort::new(&fw, as_of);
                each_row(input, &fw, reporter, errors.as_deref(), report, |_, a| {
                    Ok(cohort.add(&a).err().map(Problem::duplicate))
                })?;
                let summary = cohort.summary(by);
                let g = summary.group(&group).ok_or_else(|| {
                    let names: Vec<&str> =
                        summary.groups.0.iter().map(|(k, _)| k.as_str()).collect();
                    Failure::Usage(format!(
                        "--group {group:?} not found; groups: {}",
                        names.join(", ")
                    ))
                })?;
                let when = summary
                    .as_of
                    .map_or(String::new(), |d| format!(" · as of {d}"));
                let style = RadarStyle {
                    title: format!("{group} · n = {}{when}", g.children),
                    ..RadarStyle::default()
                };
                let style = sized(style, size);
                format.encode(cohort_radar(&fw, g, &style))
            } else {
                let child = child.expect("clap requires --child without --cohort");
                let t =
                    child_timeline(input, &fw, reporter, errors.as_deref(), report, &child, on)?;
                if timeline {
                    let (width, height) = size.unwrap_or((1000, 800));
                    let style = TimelineStyle {
                        width,
                        height,
                        title: format!("{child} · needs over time"),
                    };
                    format.encode(timeline_chart(&fw, &t, &style))
                } else {
                    let reviews = t.reviews();
                    let current = reviews.last().expect("a timeline has a review");
                    if let Some(on) = on.filter(|on| *on != current.assessed_on) {
                        return Err(Failure::Usage(format!(
                            "--child {child}: no assessment on {on}; the latest before it is {}",
                            current.assessed_on
                        )));
                    }
                    let before = previous
                        .then(|| reviews.len().checked_sub(2).map(|i| &reviews[i]))
                        .flatten();
                    let mut style = sized(
                        RadarStyle::for_review(child.as_str(), current.assessed_on),
                        size,
                    );
                    style.previous_date = before.map(|b| b.assessed_on);
                    let prev = before.map(|b| &b.scores);
                    format.encode(radar(&fw, &current.scores, prev, &style))
                }
            }
            .map_err(|e| Failure::Usage(format!("chart: {e}")))?;
            let target = output.display().to_string();
            let mut out = take_output();
            out.write_all(&picture).context(|| target.clone())?;
            let ready = out.finish().context(|| target)?;
            finish(reporter, "scored", vec![ready])
        }
        Command::Charts {
            input,
            out_dir,
            format,
            as_of,
            previous,
            size,
            errors,
            framework,
        } => {
            let fw = load_framework(&framework)?;
            let mut latest = LatestPerChild::new(as_of);
            each_row(input, &fw, reporter, errors.as_deref(), report, |_, a| {
                Ok(latest.add(a))
            })?;
            std::fs::create_dir_all(&out_dir).context(|| out_dir.display().to_string())?;
            let children = latest.into_children();
            let bar = Progress::for_items(children.len() as u64);
            // Each chart goes to its own temporary file; all are renamed into
            // place together, and only when every chart was drawn.
            let drawn: Vec<Result<Ready, String>> = children
                .par_iter()
                .map(|(current, before)| {
                    let draw = || -> Result<Ready, String> {
                        let (now, prev) = (
                            score(&fw, current),
                            before.as_ref().filter(|_| previous).map(|b| score(&fw, b)),
                        );
                        let mut style = sized(
                            RadarStyle::for_review(
                                current.child_id().as_str(),
                                current.assessed_on(),
                            ),
                            size,
                        );
                        style.previous_date = before
                            .as_ref()
                            .filter(|_| previous)
                            .map(|b| b.assessed_on());
                        let bytes = format
                            .encode(radar(&fw, &now, prev.as_ref(), &style))
                            .map_err(|e| e.to_string())?;
                        // Child IDs are validated (§3): letters, digits, . _ - and never a path.
                        let path =
                            out_dir.join(format!("{}.{}", current.child_id(), format.extension()));
                        let mut out = Output::create(Some(&path))
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        out.write_all(&bytes)
                            .and_then(|()| out.finish())
                            .map_err(|e| format!("{}: {e}", path.display()))
                    };
                    let result = draw();
                    bar.inc();
                    result
                })
                .collect();
            bar.finish();
            let (ready, failures): (Vec<_>, Vec<_>) = drawn.into_iter().partition(Result::is_ok);
            let ready: Vec<Ready> = ready.into_iter().filter_map(Result::ok).collect();
            let failures: Vec<String> = failures.into_iter().filter_map(Result::err).collect();
            if let Some(first) = failures.first() {
                return Err(Failure::Usage(format!(
                    "{} charts failed; the first: {first}",
                    failures.len()
                )));
            }
            reporter
                .as_mut()
                .expect("each_row made the reporter")
                .commit(ready)
                .context(|| out_dir.display().to_string())?;
            eprintln!(
                "vsend: {} charts written to {}",
                children.len(),
                out_dir.display()
            );
            finish(reporter, "scored", Vec::new())
        }
        Command::Framework { framework } => {
            let fw = load_framework(&framework)?;
            let ready = write_json(take_output(), None, &fw)?;
            vsend_cli::output::commit_ready([ready]).context(|| describe(None))?;
            eprintln!(
                "framework {} v{}: levels 0..={}, {} need areas",
                fw.id(),
                fw.version(),
                fw.scale().max_level(),
                fw.areas().len()
            );
            Ok(0)
        }
    }
}

/// Writes `value` as pretty JSON to `out` (named `path`), ready to commit.
fn write_json(
    mut out: Output,
    path: Option<&Path>,
    value: &impl serde::Serialize,
) -> Result<Ready, Failure> {
    let target = describe(path);
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| Failure::Io(target.clone(), e.into()))?;
    out.write_all(b"\n").context(|| target.clone())?;
    out.finish().context(|| target)
}

/// Commits `outputs` with the error report, all together, prints the summary
/// and returns the rows rejected.
fn finish(
    reporter: &mut Option<Reporter>,
    accepted: &str,
    outputs: Vec<Ready>,
) -> Result<u64, Failure> {
    let Some(mut rep) = reporter.take() else {
        vsend_cli::output::commit_ready(outputs).context(|| "output".into())?;
        return Ok(0);
    };
    let rejected = rep.rejected_count();
    rep.commit(outputs).context(|| "output".into())?;
    rep.finish(accepted).context(|| "error report".into())?;
    Ok(rejected)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = remove_temps_on_signals() {
        eprintln!("vsend: cannot watch for Ctrl-C ({e}); an interrupted run may leave .*.vsend-*.tmp files");
    }
    let mut reporter = None;
    match run(cli, &mut reporter) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        // A closed pipe (`vsend score … | head`) is the reader's choice, not an error.
        Err(Failure::Io(_, e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(failure) => {
            let message = match &failure {
                Failure::File(e) => e.to_string(),
                Failure::Io(target, e) => format!("{target}: {e}"),
                Failure::Usage(m) => m.clone(),
            };
            match reporter.take() {
                Some(mut rep) => {
                    if let Failure::File(e) = &failure {
                        rep.file_error(e);
                    } else {
                        eprintln!("vsend: {message}");
                    }
                    rep.abandon();
                }
                None => match &failure {
                    Failure::File(e) => vsend_cli::report::print_file_error(e, None),
                    _ => eprintln!("vsend: {message}"),
                },
            }
            ExitCode::from(2)
        }
    }
}
