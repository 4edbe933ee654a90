//! The command line: every command, its arguments, its example and its exit
//! codes. The arguments every reading command shares are declared once
//! ([`InputArgs`]) and flattened into each.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use vsend_core::{
    parse_date, Date, GroupBy, Suppression, MAX_HISTORY_YEARS, MAX_HORIZON, MAX_INFLOW_YEARS,
    MAX_REPLICATES,
};

/// The exit codes, shown under every command's help.
macro_rules! exit_codes {
    () => {
        "Exit codes:\n  0  every row accepted\n  1  some rows rejected; every other row was still processed and written in full\n  2  usage or file error; nothing was written"
    };
}

/// Score Valuing SEND assessments: a child's needs against their setting's
/// readiness and their family's confidence, per child, over time and per cohort.
///
/// The model and every figure are described in docs/model.md; § numbers in
/// this help are its sections.
#[derive(Debug, Parser)]
#[command(name = "vsend", version, about, max_term_width = 100)]
#[command(after_help = concat!(
    "Examples:\n",
    "  vsend score fixtures/cohort.csv -o scored.csv\n",
    "  vsend score fixtures/cohort.xlsx -o scored.xlsx\n",
    "  vsend cohort fixtures/cohort.csv --by setting_id -o cohort.json\n",
    "  vsend chart fixtures/cohort.csv --child C010000011 -o C010000011.png\n\n",
    exit_codes!()
))]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score every assessment (§4–§6): one scored row per accepted row, in input order.
    ///
    /// A second assessment of a child on a date already seen is rejected (§7),
    /// as by every command, so all report the same counts for one file.
    #[command(after_help = concat!(
        "Examples:\n",
        "  vsend score fixtures/cohort.csv -o scored.csv\n",
        "  vsend score fixtures/cohort.jsonl -o scored.jsonl --errors problems.csv\n",
        "  vsend score fixtures/cohort.xlsx --sheet cohort -o scored.xlsx\n\n",
        exit_codes!()
    ))]
    Score(ScoreArgs),
    /// Check every row as `score` does, writing only the problems and a summary.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend validate fixtures/bad/formula-cells.csv --errors problems.csv\n\n",
        exit_codes!()
    ))]
    Validate(ValidateArgs),
    /// Summarise a cohort (§8, §12) as JSON: the whole cohort and, with --by, each group.
    #[command(after_help = concat!(
        "Examples:\n",
        "  vsend cohort fixtures/cohort.csv --by setting_id -o cohort.json\n",
        "  vsend cohort fixtures/cohort.csv --as-of 2025-03-01 --by age_band\n",
        "  vsend cohort fixtures/examples/cohort-small.csv --by setting_id --suppress 3 -o shared.json\n",
        "  vsend cohort fixtures/examples/cohort-small.csv --by setting_id --suppress 3 --round 3 -o shared.json\n",
        "  vsend cohort fixtures/cohort.xlsx --by setting_id -o cohort.xlsx\n\n",
        exit_codes!()
    ))]
    Cohort(CohortArgs),
    /// Phase moves of a school year (§11): who changes phase, and their needs.
    ///
    /// The moves are early years to primary, primary to secondary, secondary
    /// to post-16 and post-16 to adult services.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend transitions fixtures/examples/cohort-small.csv --year 2025 -o moves-2025.json\n\n",
        exit_codes!()
    ))]
    Transitions(TransitionsArgs),
    /// One row per transition plan (§11): needs against the receiving setting's readiness.
    ///
    /// PLANS is CSV with the columns child_id, to_setting_id, move_on and
    /// readiness.DOMAIN (cl, ci, sp, semh, ind), or JSON Lines with a readiness object. Rejected plans
    /// are reported as `score` reports rows.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend transition fixtures/examples/cohort-small.csv fixtures/examples/plans-small.csv -o plans.csv\n",
        "  vsend transition fixtures/examples/cohort-small.csv fixtures/examples/plans-small.csv -o plans.xlsx\n\n",
        exit_codes!()
    ))]
    Transition(TransitionArgs),
    /// Compare cohort summaries (§14), e.g. two terms or two councils.
    ///
    /// Per domain: mean need, met by setting and by family, high-need share,
    /// each with its difference from the first summary (the reference). Each
    /// row's `suppression` says whether that summary was shared (§14): its
    /// counts rounded to B and its figures computed from rounded counts.
    /// Every figure is checked against what `vsend cohort` can write.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend compare fixtures/examples/term-2024-autumn.json fixtures/examples/term-2025-summer.json -o compare.json --chart compare.png\n",
        "  vsend compare fixtures/examples/term-2024-autumn.json fixtures/examples/term-2025-summer.json -o compare.xlsx\n\n",
        "Exit codes:\n  0  the summaries were compared\n  2  usage or file error (a file that is not a summary, summaries of different frameworks); nothing was written"
    ))]
    Compare(CompareArgs),
    /// Follow one child over time (§7) as JSON: changes, trends, escalation, overdue.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend timeline fixtures/cohort.csv --child C010000011 --as-of 2025-09-01\n\n",
        exit_codes!()
    ))]
    Timeline(TimelineArgs),
    /// Print the effective framework (§2) as JSON, to start a council's own from.
    #[command(after_help = concat!(
        "Examples:\n",
        "  vsend framework > our-framework.json\n",
        "  vsend framework --framework fixtures/framework-mean.json\n\n",
        "Exit codes:\n  0  the framework is valid and was printed\n  2  usage or file error (every framework problem is named); nothing was written"
    ))]
    Framework(FrameworkArgs),
    /// Draw one chart: a child's radar, needs over time, a plan or a cohort group.
    ///
    /// By default a child's radar; --timeline their needs over time, --plan
    /// their transition plan, --cohort a cohort group's mean radar.
    /// The picture carries the child's pseudonymous ID and dates only.
    #[command(after_help = concat!(
        "Examples:\n",
        "  vsend chart fixtures/cohort.csv --child C010000011 --previous -o C010000011.png\n",
        "  vsend chart fixtures/cohort.csv --child C010000011 --timeline -o over-time.svg\n",
        "  vsend chart fixtures/cohort.csv --cohort --by setting_id --group setting_id=S0001 -o S0001.svg\n",
        "  vsend chart fixtures/examples/cohort-small.csv --plan fixtures/examples/plans-small.csv --child C010000001 -o plan.png\n\n",
        exit_codes!()
    ))]
    Chart(ChartArgs),
    /// Draw one radar per child into a directory, named CHILD_ID.svg or .png.
    ///
    /// Each child's latest assessment on or before --as-of, drawn on all cores.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend charts fixtures/cohort.csv --out-dir radars --format png\n\n",
        exit_codes!()
    ))]
    Charts(ChartsArgs),
    /// Project need for place planning (§15): children, and children with a
    /// high need per domain, by school phase, for the next school years.
    ///
    /// Learnt from the file's own review history: how levels changed from
    /// one year to the next, who left, who joined. Each figure comes with a
    /// 95 % interval from seeded simulations, so the same file and options
    /// always give the same numbers. --backtest also makes the projection a
    /// year earlier and compares it with what was then observed. JSON to
    /// stdout by default; -o OUT.csv writes one row per school year and
    /// phase. A progress bar shows on a terminal while the simulations run.
    #[command(after_help = concat!(
        "Examples:\n",
        "  vsend forecast fixtures/history.csv --backtest -o forecast.json --chart forecast.png\n",
        "  vsend forecast fixtures/history.csv --horizon 5 --replicates 1000 -o forecast.csv\n",
        "  vsend forecast fixtures/history.csv -o forecast.xlsx\n\n",
        "Exit codes:\n  0  every row accepted; the projection was written\n  1  some rows rejected; the projection from every other row was written in full\n  2  usage or file error, or too little history for what was asked (less than a year, or less than two years with --backtest); nothing was written"
    ))]
    Forecast(ForecastArgs),
    /// Did needs fall more where support rose (§16)? Per domain, for a rise in
    /// the setting's readiness and in the family's confidence.
    ///
    /// Every three consecutive reviews of a child compare how the need
    /// changed after a rise in support with children who started at the
    /// same levels and whose support did not rise; 95 % intervals from a
    /// seeded bootstrap over children. An observational comparison, not
    /// proof of cause. JSON to stdout by default.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend impact fixtures/history.csv -o impact.json --chart impact.png\n\n",
        "Exit codes:\n  0  every row accepted; the analysis was written\n  1  some rows rejected; the analysis of every other row was written in full\n  2  usage or file error; nothing was written"
    ))]
    Impact(ImpactArgs),
    /// One child's review pack: a self-contained HTML page for the meeting, printable on A4.
    ///
    /// The header (setting, age band, the review shown and the previous one,
    /// next review due or overdue, §7), the radar with the previous review, a
    /// table per domain with the framework's level words and the gaps, what is
    /// not yet met in sentences, needs over time with trends and escalation,
    /// the band (§13) when the framework has banding, the transition radar
    /// (§11) with --plan, and an assess-plan-do-review box to write the agreed
    /// actions in. Charts and styles are inside the file: it runs no script
    /// and loads nothing. Open it in a browser; print it from there (at most
    /// two A4 pages).
    #[command(after_help = concat!(
        "Examples:\n",
        "  vsend pack fixtures/cohort.csv --child C010000011 -o C010000011.html\n",
        "  vsend pack fixtures/cohort.csv --child C010000001 --on 2025-09-01 --plan fixtures/examples/plans-small.csv --framework fixtures/examples/framework-banded.json -o pack.html\n\n",
        exit_codes!()
    ))]
    Pack(PackArgs),
    /// A review pack for every child of a setting, and the setting's index.html.
    ///
    /// Every child whose review shown (their latest on or before --on) is at
    /// the setting gets CHILD_ID.html, as `vsend pack` makes it; index.html
    /// has the setting's audit radar and priorities (§12), the reviews
    /// overdue, the band counts (§13) and a link to each pack. All files are
    /// written together, only when every page was made.
    #[command(after_help = concat!(
        "Example:\n",
        "  vsend packs fixtures/cohort.csv --setting S0003 --on 2025-09-01 -o packs/\n\n",
        exit_codes!()
    ))]
    Packs(PacksArgs),
}

/// The input of every reading command, its framework and its problem report.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Cohort file, .csv, .jsonl or .xlsx (Excel); - reads CSV from stdin.
    pub input: PathBuf,
    /// The sheet of an .xlsx INPUT to read. Default: its first visible worksheet.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub framework: FrameworkArg,
    /// Write every problem to this CSV (line,field,value,message) instead of
    /// stderr; for an .xlsx INPUT, line is the sheet's row number.
    #[arg(long, value_name = "ERRORS.csv")]
    pub errors: Option<PathBuf>,
}

/// The framework to score with.
#[derive(Debug, Args)]
pub struct FrameworkArg {
    /// Framework JSON (§2). Default: the built-in vsend-default version 1.
    #[arg(long = "framework", value_name = "FW.json")]
    pub path: Option<PathBuf>,
}

/// `vsend score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Output file; .csv, .jsonl or .xlsx picks the format. Default: CSV to
    /// stdout. An .xlsx has the scored rows on sheet "scored" (at most
    /// 1,048,575, Excel's limit; more is an error, nothing written) and the
    /// problems on sheet "problems" when rows were rejected.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `vsend validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
}

/// `vsend cohort`.
#[derive(Debug, Args)]
pub struct CohortArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Summarise as of this date (YYYY-MM-DD). Default: the latest assessment.
    #[arg(long, value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// Also group by: setting_id, age_band or primary_domain.
    #[arg(long, value_parser = group_arg)]
    pub by: Option<GroupBy>,
    /// Make the summary safe to share (§14): merge groups of fewer than K
    /// children, hide every count from 1 to K-1 (and a second count where one
    /// could be worked out by subtraction), round every other count to a
    /// multiple of B, and show no mean, share or correlation but mean need and
    /// met by setting, recomputed from the rounded counts. K is 2 to 100.
    #[arg(long, value_name = "K", value_parser = min_count_arg)]
    pub suppress: Option<u64>,
    /// With --suppress: round shown counts to multiples of B, 3 to 100.
    /// Default: the larger of 5 and K.
    #[arg(long = "round", value_name = "B", value_parser = round_to_arg, requires = "suppress")]
    pub round_to: Option<u64>,
    /// Output file: JSON, or .xlsx for one row per group (sheet "summary",
    /// and "problems" when rows were rejected). Default: JSON to stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `vsend transitions`.
#[derive(Debug, Args)]
pub struct TransitionsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// The school year starting 1 September of this year, e.g. 2025.
    #[arg(long, value_parser = year_arg)]
    pub year: i16,
    /// Read the cohort as of this date (YYYY-MM-DD). Default: the latest assessment.
    #[arg(long, value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// Output JSON file. Default: stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `vsend transition`.
#[derive(Debug, Args)]
pub struct TransitionArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Plans file, .csv, .jsonl or .xlsx (its first visible worksheet).
    pub plans: PathBuf,
    /// Output file; .csv, .jsonl or .xlsx picks the format. Default: CSV to stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `vsend compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Cohort summaries written by `vsend cohort` (with or without
    /// --suppress), the first the reference; each labelled by its file name
    /// without .json, so the names must differ.
    #[arg(required = true, value_name = "SUMMARY.json")]
    pub summaries: Vec<PathBuf>,
    /// Output file: JSON, or .xlsx for one row per summary. Default: JSON to stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Also draw the comparison: .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub framework: FrameworkArg,
}

/// `vsend timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// The child's pseudonymous ID.
    #[arg(long)]
    pub child: String,
    /// Leave out later reviews and say whether the review is overdue on this date.
    #[arg(long, value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// Output JSON file. Default: stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `vsend framework`.
#[derive(Debug, Args)]
pub struct FrameworkArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub framework: FrameworkArg,
}

/// `vsend chart`: a child (`--child`) or a cohort group (`--cohort`), one of them.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("whose").required(true).args(["child", "cohort"])))]
pub struct ChartArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// The child to draw (or give --cohort).
    #[arg(long)]
    pub child: Option<String>,
    /// Draw the child's assessment on this date. Default: their latest.
    #[arg(long, value_parser = date_arg, conflicts_with = "cohort")]
    pub on: Option<Date>,
    /// Also draw the previous review's needs as a thin dashed line.
    #[arg(long, conflicts_with = "cohort")]
    pub previous: bool,
    /// Draw the child's need and readiness levels across all reviews instead.
    #[arg(long, conflicts_with_all = ["cohort", "on", "previous"])]
    pub timeline: bool,
    /// Draw the child's transition plan from this plans file (§11): needs,
    /// current and receiving readiness. With several plans for the child,
    /// --on picks the one moving on that date.
    #[arg(long, value_name = "PLANS", requires = "child", conflicts_with_all = ["cohort", "timeline", "previous"])]
    pub plan: Option<PathBuf>,
    /// Draw a cohort group's mean radar instead of a child's.
    #[arg(long, conflicts_with = "child")]
    pub cohort: bool,
    /// With --cohort: group by setting_id, age_band or primary_domain.
    #[arg(long, value_parser = group_arg, requires = "cohort")]
    pub by: Option<GroupBy>,
    /// With --cohort: the group to draw, e.g. setting_id=S0001.
    #[arg(long, requires = "cohort", default_value = "all")]
    pub group: String,
    /// With --cohort: summarise as of this date. Default: the latest assessment.
    #[arg(long, value_parser = date_arg, requires = "cohort")]
    pub as_of: Option<Date>,
    /// Output file: .svg or .png.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Picture size in pixels, WIDTHxHEIGHT. Default: 800x800 (timeline 1000x800).
    #[arg(long, value_parser = size_arg)]
    pub size: Option<(u32, u32)>,
}

/// `vsend charts`.
#[derive(Debug, Args)]
pub struct ChartsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Directory to write into (created if missing). It may not hold
    /// pictures of the chosen format already, unless --force is given.
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Replace the pictures of the same children already in --out-dir.
    #[arg(long)]
    pub force: bool,
    /// Picture format.
    #[arg(long, value_enum, default_value_t = ChartFormat::Svg)]
    pub format: ChartFormat,
    /// Draw each child as of this date. Default: every child's latest.
    #[arg(long, value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// Also draw each child's previous review's needs.
    #[arg(long)]
    pub previous: bool,
    /// Picture size in pixels, WIDTHxHEIGHT. Default: 800x800.
    #[arg(long, value_parser = size_arg)]
    pub size: Option<(u32, u32)>,
}

/// `vsend forecast`.
#[derive(Debug, Args)]
pub struct ForecastArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Project from this date (YYYY-MM-DD); later reviews are left out.
    /// Default: the latest assessment.
    #[arg(long, value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// School years to project, 1 to 5.
    #[arg(long, value_name = "H", default_value_t = 3, value_parser = horizon_arg, allow_hyphen_values = true)]
    pub horizon: u32,
    /// Simulations for the 95 % intervals, 0 to 10000 (0: no intervals).
    #[arg(long, value_name = "B", default_value_t = 200, value_parser = replicates_arg, allow_hyphen_values = true)]
    pub replicates: u32,
    /// Seed of the simulations, a whole number from 0 to 18446744073709551615.
    #[arg(long, value_name = "S", default_value_t = 1, value_parser = seed_arg, allow_hyphen_values = true)]
    pub seed: u64,
    /// Years of history to learn from, 1 to 10. Default: as many as the
    /// file holds before the date projected from, up to 10.
    #[arg(long, value_name = "K", value_parser = history_arg, allow_hyphen_values = true)]
    pub history: Option<u32>,
    /// Years of new children replayed as each future year's inflow, 1 to 10
    /// (no more than --history are used).
    #[arg(long, value_name = "M", default_value_t = 3, value_parser = inflow_years_arg, allow_hyphen_values = true)]
    pub inflow_years: u32,
    /// Also make the projection a year earlier and compare it with what was
    /// then observed (needs two years of history).
    #[arg(long)]
    pub backtest: bool,
    /// Output file: .json, or .csv or .xlsx for one row per school year and
    /// phase. Default: JSON to stdout.
    #[arg(short, long, value_name = "OUT.json|OUT.csv|OUT.xlsx")]
    pub output: Option<PathBuf>,
    /// Also draw the fan chart: .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

/// `vsend impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// Read the reviews up to this date (YYYY-MM-DD). Default: the latest assessment.
    #[arg(long, value_parser = date_arg)]
    pub as_of: Option<Date>,
    /// Bootstrap resamplings for the 95 % intervals, 0 to 10000 (0: no intervals).
    #[arg(long, value_name = "B", default_value_t = 200, value_parser = replicates_arg, allow_hyphen_values = true)]
    pub replicates: u32,
    /// Seed of the resampling, a whole number from 0 to 18446744073709551615.
    #[arg(long, value_name = "S", default_value_t = 1, value_parser = seed_arg, allow_hyphen_values = true)]
    pub seed: u64,
    /// Output JSON file. Default: stdout.
    #[arg(short, long, value_name = "OUT.json")]
    pub output: Option<PathBuf>,
    /// Also draw the forest chart: .svg or .png.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

/// `vsend pack`.
#[derive(Debug, Args)]
pub struct PackArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// The child's pseudonymous ID.
    #[arg(long)]
    pub child: String,
    /// The date of the meeting: the pack shows the reviews on or before it and
    /// whether the next review is overdue on it. Default: the latest
    /// assessment in the input.
    #[arg(long, value_parser = date_arg)]
    pub on: Option<Date>,
    /// Also show the child's transition plan (§11) from this plans file: the
    /// first move on or after --on, else the latest before it. Plans that
    /// `vsend transition` rejects are left out.
    #[arg(long, value_name = "PLANS")]
    pub plan: Option<PathBuf>,
    /// Output file, .html.
    #[arg(short, long, value_name = "PACK.html")]
    pub output: PathBuf,
}

/// `vsend packs`.
#[derive(Debug, Args)]
pub struct PacksArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,
    /// The setting's ID.
    #[arg(long)]
    pub setting: String,
    /// The date of the meetings, as for `vsend pack`. Default: the latest
    /// assessment in the input.
    #[arg(long, value_parser = date_arg)]
    pub on: Option<Date>,
    /// Show the transition plan (§11) of each child who has one in this file.
    #[arg(long, value_name = "PLANS")]
    pub plan: Option<PathBuf>,
    /// Directory to write into (created if missing). It may not hold .html
    /// files already, unless --force is given.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Replace the packs of the same children, and index.html, in the directory.
    #[arg(long)]
    pub force: bool,
}

/// Picture formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartFormat {
    /// SVG, text drawn with the embedded font.
    Svg,
    /// PNG, anti-aliased.
    Png,
}

impl ChartFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
        }
    }
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).ok_or_else(|| format!("{s:?} is not a date; allowed YYYY-MM-DD"))
}

fn min_count_arg(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(k) if Suppression::MIN_COUNTS.contains(&k) => Ok(k),
        _ => Err(format!(
            "{s:?} is not allowed; K is a whole number from 2 to 100 (counts from 1 to K-1 are hidden)"
        )),
    }
}

fn round_to_arg(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(b) if Suppression::ROUND_TOS.contains(&b) => Ok(b),
        _ => Err(format!(
            "{s:?} is not allowed; B is a whole number from 3 to 100 (shown counts are rounded to multiples of B)"
        )),
    }
}

/// A whole number in `lo..=hi`, or an error naming the range (`what`
/// follows the range, e.g. " school years").
fn whole_in(s: &str, lo: u64, hi: u64, what: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        _ => Err(format!(
            "{s:?} is not allowed; allowed a whole number from {lo} to {hi}{what}"
        )),
    }
}

fn horizon_arg(s: &str) -> Result<u32, String> {
    whole_in(s, 1, MAX_HORIZON.into(), " (school years)").map(|n| n as u32)
}

fn replicates_arg(s: &str) -> Result<u32, String> {
    whole_in(s, 0, MAX_REPLICATES.into(), "").map(|n| n as u32)
}

fn seed_arg(s: &str) -> Result<u64, String> {
    whole_in(s, 0, u64::MAX, "")
}

fn history_arg(s: &str) -> Result<u32, String> {
    whole_in(s, 1, MAX_HISTORY_YEARS.into(), " (years)").map(|n| n as u32)
}

fn inflow_years_arg(s: &str) -> Result<u32, String> {
    whole_in(s, 1, MAX_INFLOW_YEARS.into(), " (years)").map(|n| n as u32)
}

/// `--year`: the core's rule for a school year (§11), the CLI's own words.
fn year_arg(s: &str) -> Result<i16, String> {
    s.parse::<vsend_core::SchoolYear>()
        .map(i16::from)
        .map_err(|_| format!("{s:?} is not a year; allowed a year such as 2025"))
}

fn group_arg(s: &str) -> Result<GroupBy, String> {
    s.parse()
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example_and_its_exit_codes() {
        let mut cli = Cli::command();
        for sub in cli.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            let name = sub.get_name().to_owned();
            assert!(
                help.contains(&format!("vsend {name} ")),
                "{name}: no example"
            );
            assert!(help.contains("Exit codes:"), "{name}: no exit codes");
            assert!(!help.contains("..="), "{name}: Rust range syntax in help");
            for arg in sub.get_arguments() {
                let doc = arg.get_help().map(ToString::to_string).unwrap_or_default();
                assert!(
                    arg.get_default_values().is_empty() || !doc.contains("Default"),
                    "{name} --{}: the default is said twice",
                    arg.get_id()
                );
            }
        }
    }
}
