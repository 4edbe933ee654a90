//! `vsend forecast` (§15) and `vsend impact` (§16): every review read into
//! its levels ([`Keep::levels`], a few bytes a review), projected or
//! compared by `vsend-core`, written as JSON (or the projection's CSV) and
//! drawn. Outputs are planned and opened before any row is read, as by every
//! command, and written only when the analysis succeeds.

use std::io::{IsTerminal, Write};
use std::path::Path;

use vsend_chart::{fan_chart, forest_chart, FanStyle, ForestStyle};
use vsend_core::history::Keep;
use vsend_core::{
    forecast_with_progress, impact_with_progress, Date, Forecast, ForecastError, ForecastOptions,
    Framework, Histories, ImpactError, ImpactOptions, PROJECTION_COLUMNS,
};
use vsend_io::output::{Output, OutputPlan, Ready};
use vsend_io::xlsx::write::Table;

use crate::args::{ChartFormat, ForecastArgs, ImpactArgs, InputArgs};
use crate::{
    chart_format, describe, encode, load_framework, push_csv_cells, read_rows, write_json, Context,
    Error, Run,
};

/// `vsend forecast`: the §15 projection as JSON or CSV, and its fan chart.
pub(crate) fn forecast(run: &mut Run, args: ForecastArgs) -> Result<u64, Error> {
    let (csv, xlsx) = match extension(args.output.as_deref()).as_deref() {
        None | Some("json") => (false, false),
        Some("csv") => (true, false),
        Some("xlsx") => (false, true),
        Some(e) => {
            return Err(Error::Usage(format!(
                "-o: unknown output extension .{e}; allowed .json, .csv or .xlsx"
            )))
        }
    };
    let mut opened = Opened::open(&args.input, args.output.as_deref(), args.chart.as_deref())?;
    let fw = load_framework(&args.input.framework)?;
    run.keep_problems = xlsx;
    let (histories, first) = read_levels(run, &args.input, &fw, &mut opened)?;
    let options = ForecastOptions {
        as_of: args.as_of,
        horizon: args.horizon,
        replicates: args.replicates,
        seed: args.seed,
        history: args.history,
        inflow_years: args.inflow_years,
        backtest: args.backtest,
    };
    let runs = u64::from(args.replicates) * if args.backtest { 2 } else { 1 };
    let bar = ReplicateBar::new(runs, "projecting");
    let projected = forecast_with_progress(&fw, &histories, &options, &|| bar.inc());
    bar.finish();
    drop(histories);
    let f = projected.map_err(|e| forecast_error(e, &args, first))?;

    let target = describe(args.output.as_deref());
    let ready = if xlsx {
        let mut out = opened.output;
        let mut table = Table::new("projection", &PROJECTION_COLUMNS).writing(&target)?;
        for cells in f.csv_rows() {
            table.push(&cells).writing(&target)?;
        }
        let (problems, unlisted) = run.reporter().take_kept();
        table.push_problems(&problems).writing(&target)?;
        table.add_unlisted(unlisted).writing(&target)?;
        table.finish(&mut out).writing(&target)?;
        out.finish().writing(&target)?
    } else if csv {
        let mut out = opened.output;
        let mut buffer = PROJECTION_COLUMNS.join(",").into_bytes();
        buffer.push(b'\n');
        for cells in f.csv_rows() {
            push_csv_cells(&mut buffer, &cells);
        }
        out.write_all(&buffer).writing(&target)?;
        out.finish().writing(&target)?
    } else {
        write_json(opened.output, args.output.as_deref(), &f)?
    };
    let mut outputs = vec![ready];
    if let Some((format, out)) = opened.chart {
        let svg = fan_chart(&fw, &f, &FanStyle::default())?;
        outputs.push(picture(out, format, svg, args.chart.as_deref())?);
    }
    tell_forecast(&f);
    run.finish("accepted", outputs)
}

/// `vsend impact`: the §16 analysis as JSON, and its forest chart.
pub(crate) fn impact(run: &mut Run, args: ImpactArgs) -> Result<u64, Error> {
    match extension(args.output.as_deref()).as_deref() {
        None | Some("json") => {}
        Some(e) => {
            return Err(Error::Usage(format!(
                "-o: unknown output extension .{e}; allowed .json (impact is written as JSON)"
            )))
        }
    }
    let mut opened = Opened::open(&args.input, args.output.as_deref(), args.chart.as_deref())?;
    let fw = load_framework(&args.input.framework)?;
    let (histories, first) = read_levels(run, &args.input, &fw, &mut opened)?;
    if let (Some(as_of), Some(first)) = (args.as_of, first) {
        if as_of < first {
            return Err(Error::Usage(format!(
                "--as-of {as_of} is before every assessment (the first is on {first}); allowed a date on or after {first}"
            )));
        }
    }
    let options = ImpactOptions {
        as_of: args.as_of,
        replicates: args.replicates,
        seed: args.seed,
    };
    let bar = ReplicateBar::new(args.replicates.into(), "resampling");
    let analysed = impact_with_progress(&fw, &histories, &options, &|| bar.inc());
    bar.finish();
    drop(histories);
    let i = analysed.map_err(|e| match e {
        ImpactError::NoAssessments => Error::Usage(format!(
            "{}: no accepted assessments to analyse",
            args.input.input.display()
        )),
        e @ ImpactError::Replicates(_) => Error::Usage(format!("--{e}")),
        e => Error::Usage(e.to_string()),
    })?;
    let mut outputs = vec![write_json(opened.output, args.output.as_deref(), &i)?];
    if let Some((format, out)) = opened.chart {
        let svg = forest_chart(&fw, &i, &ForestStyle::default())?;
        outputs.push(picture(out, format, svg, args.chart.as_deref())?);
    }
    eprintln!(
        "vsend: impact of support as of {}: {} children compared (three reviews in a row with need and support known), {} resamplings",
        i.as_of, i.children, i.replicates
    );
    run.finish("accepted", outputs)
}

/// The outputs of `forecast` and `impact`: `-o` (stdout without it), the
/// chart and the problem report, checked against the inputs and each other
/// and opened before any row is read.
struct Opened {
    output: Output,
    chart: Option<(ChartFormat, Output)>,
    errors: Option<Output>,
}

impl Opened {
    fn open(
        input: &InputArgs,
        output: Option<&Path>,
        chart: Option<&Path>,
    ) -> Result<Opened, Error> {
        let chart_format = chart.map(|p| chart_format("--chart", p)).transpose()?;
        let mut plan = OutputPlan::new();
        plan.input(&input.input);
        if let Some(path) = &input.framework.path {
            plan.input(path);
        }
        let output = plan.output("-o", output)?;
        let chart = chart.map(|p| plan.output("--chart", Some(p))).transpose()?;
        let errors = input
            .errors
            .as_deref()
            .map(|e| plan.output("--errors", Some(e)))
            .transpose()?;
        let mut opened = plan.open()?;
        Ok(Opened {
            output: opened.take(output),
            chart: chart_format.zip(chart.map(|slot| opened.take(slot))),
            errors: errors.map(|slot| opened.take(slot)),
        })
    }
}

/// The lowercase extension of `-o`, `None` for stdout (`-` or no `-o`) or a
/// path without one (a device such as /dev/null).
fn extension(path: Option<&Path>) -> Option<String> {
    path.filter(|p| *p != Path::new("-"))
        .and_then(Path::extension)
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// Reads every row into levels-only histories (§7's duplicate rule
/// applied), and the earliest accepted review date.
fn read_levels(
    run: &mut Run,
    input: &InputArgs,
    fw: &Framework,
    opened: &mut Opened,
) -> Result<(Histories, Option<Date>), Error> {
    let mut histories = Histories::new(Keep::levels(fw));
    let mut first: Option<Date> = None;
    read_rows(run, input, fw, opened.errors.take(), |a| {
        histories.add(a)?;
        first = Some(first.map_or(a.assessed_on(), |f| f.min(a.assessed_on())));
        Ok(())
    })?;
    Ok((histories, first))
}

/// A picture's bytes into its output, ready to commit.
fn picture(
    mut out: Output,
    format: ChartFormat,
    svg: String,
    path: Option<&Path>,
) -> Result<Ready, Error> {
    let target = describe(path);
    out.write_all(&encode(format, svg)?).writing(&target)?;
    out.finish().writing(&target)
}

/// A year after `d` (29 February falls on 28 February).
fn year_after(d: Date) -> Date {
    Date::new(d.year() + 1, d.month(), d.day())
        .or_else(|_| Date::new(d.year() + 1, d.month(), 28))
        .unwrap_or(d)
}

/// A projection error in the words of the command line: the option at
/// fault and what is allowed.
fn forecast_error(e: ForecastError, args: &ForecastArgs, first: Option<Date>) -> Error {
    let input = args.input.input.display();
    Error::Usage(match e {
        ForecastError::NoAssessments => {
            format!("{input}: no accepted assessments to project from")
        }
        ForecastError::AsOfBeforeData { as_of, first } => format!(
            "--as-of {as_of} is before every assessment (the first is on {first}); a projection needs a year of history, so allowed from {}",
            year_after(first)
        ),
        ForecastError::NoHistory { as_of } => {
            let first = first.map_or(String::new(), |f| {
                format!(
                    " (the first assessment is on {f}, so allowed --as-of {} or later)",
                    year_after(f)
                )
            });
            match args.as_of {
                Some(_) => format!(
                    "--as-of {as_of}: a projection needs at least one year of history before {as_of}{first}"
                ),
                None => format!(
                    "{input}: a projection needs at least one year of history before {as_of}, the latest assessment{first}"
                ),
            }
        }
        ForecastError::BacktestHistory { as_of, years } => format!(
            "--backtest needs at least two years of history before {as_of} (--history 2 to 10, and reviews from two years before); found {years} year{}",
            if years == 1 { "" } else { "s" }
        ),
        // Checked by the argument parser already; kept in its words.
        e @ (ForecastError::Horizon(_)
        | ForecastError::Replicates(_)
        | ForecastError::History(_)
        | ForecastError::InflowYears(_)) => format!("--{}", e.to_string().replace('_', "-")),
        e => e.to_string(),
    })
}

/// What the projection rests on, and its back-test, on stderr.
fn tell_forecast(f: &Forecast) {
    let last = f.school_year + f.horizon as i16;
    eprintln!(
        "vsend: projected school years {} to {} from {} year{} of history ({} children), {} simulations",
        f.school_year + 1,
        last,
        f.history.years,
        if f.history.years == 1 { "" } else { "s" },
        f.history.children,
        f.replicates
    );
    if let Some(b) = &f.backtest {
        let skill = b
            .skill
            .map_or("no skill figure".to_owned(), |s| format!("skill {s:.3}"));
        let coverage = b.coverage.map_or(String::new(), |c| {
            format!(
                "; {} of {} observed figures inside the intervals",
                (c * b.cells.len() as f64).round(),
                b.cells.len()
            )
        });
        eprintln!(
            "vsend: back-test from {}: mean absolute error {:.3} against {:.3} for no change ({skill}){coverage}",
            b.origin, b.mae, b.mae_persistence
        );
    }
}

/// A bar counting replicates on stderr while they run, on a terminal only.
#[derive(Debug)]
struct ReplicateBar(Option<indicatif::ProgressBar>);

impl ReplicateBar {
    fn new(total: u64, what: &'static str) -> ReplicateBar {
        if total == 0 || !std::io::stderr().is_terminal() {
            return ReplicateBar(None);
        }
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {pos}/{len} simulations, eta {eta}",
        ) {
            bar.set_style(style);
        }
        bar.set_message(what);
        ReplicateBar(Some(bar))
    }

    fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
