//! Problem reports and the closing summary line.
//!
//! Problems go to an `--errors` CSV (`line,field,value,message`, every text
//! cell defused against formulas) or to stderr, capped so that a bad file
//! cannot flood a terminal with children's data. On stderr a kind of problem
//! that repeats (one field, one kind of error) is shown [`SHOWN_PER_KIND`]
//! times and then summarised in one line with its fix.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::Instant;

use vsend_io::output::{commit_ready, streamed, Output, Ready};
use vsend_io::problem::{Kind as ProblemKind, Problem};
use vsend_io::read::{FileError, Format};
use vsend_io::write::{push_problem_csv, PROBLEM_COLUMNS};
use vsend_io::xlsx::read::Notes;
use vsend_io::xlsx::write::MAX_TABLE_ROWS;

/// Most problem lines printed to stderr without `--errors`; file errors
/// (a header with many problems, a broken framework) are capped the same.
pub const STDERR_CAP: usize = 50;

/// Problems of one kind printed before the rest are only counted.
pub const SHOWN_PER_KIND: u64 = 3;

/// Most summary lines, one per kind of repeated problem.
const SUMMARY_CAP: usize = 10;

/// Most kinds of problem told apart; problems of further kinds are only counted.
const MAX_KINDS: usize = 1_000;

/// One kind of problem seen: a field and a kind of error.
#[derive(Debug)]
struct Kind {
    field: String,
    count: u64,
    shown: u64,
    first_line: u64,
    /// The first problem's detail: what is wrong and what is allowed.
    first_detail: String,
    /// Whether the kind is a value that is not a date (§3).
    not_a_date: bool,
    /// Values that look like day/month/year dates, and the first of them.
    dmy: u64,
    dmy_example: Option<(String, String)>,
}

/// Prints a file error on stderr, one problem a line and at most
/// [`STDERR_CAP`] of them; `errors_file` says whether all are also in an
/// `--errors` file (none exists yet when the framework itself fails to load).
pub fn print_file_error(e: &FileError, errors_file: Option<bool>) {
    let lines = e.lines();
    for line in lines.iter().take(STDERR_CAP) {
        eprintln!("vsend: {line}");
    }
    if let Some(more) = lines.len().checked_sub(STDERR_CAP).filter(|&n| n > 0) {
        let rest = match errors_file {
            Some(true) => "; all are in the --errors file",
            Some(false) => "; use --errors FILE.csv to list them all",
            None => "",
        };
        eprintln!("vsend: … and {more} more problems not shown{rest}");
    }
}

/// `"05/02/2025"` (day first, or month first when the day cannot be second)
/// as `2025-02-05`; `None` for anything else.
fn day_month_year(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.trim().split(['/', '.', '-']).collect();
    let [a, b, year] = parts[..] else {
        return None;
    };
    let number = |s: &str, digits: std::ops::RangeInclusive<usize>| {
        (digits.contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (a, b, year) = (number(a, 1..=2)?, number(b, 1..=2)?, number(year, 4..=4)?);
    let (day, month) = match (a, b) {
        (1..=31, 1..=12) => (a, b),
        (1..=12, 13..=31) => (b, a),
        _ => return None,
    };
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// Collects problems and counts rows: `read = accepted + rejected` always.
#[derive(Debug)]
pub struct Reporter {
    name: String,
    format: Format,
    errors: Option<Output>,
    /// Whether problems go to an `--errors` file (which `commit` may have
    /// closed already): stderr then never suggests `--errors`.
    to_file: bool,
    line_buf: Vec<u8>,
    shown: usize,
    /// Problems not printed and of no kind told apart.
    untold: u64,
    kinds: Vec<Kind>,
    index: HashMap<(ProblemKind, String), usize>,
    read: u64,
    rejected: u64,
    started: Instant,
    /// The input's notes (an Excel ID column holding numbers), printed at the end.
    notes: Notes,
    /// A copy of every problem, for an Excel output's problems sheet, when
    /// asked for: at most [`MAX_TABLE_ROWS`], the rest counted.
    kept: Option<Vec<(u64, Problem)>>,
    not_kept: u64,
}

impl Reporter {
    /// A reporter for input `name`, writing problems to `errors` when given
    /// (opened up front by an [`vsend_io::output::OutputPlan`]).
    pub fn new(name: &str, format: Format, mut errors: Option<Output>) -> io::Result<Reporter> {
        if let Some(out) = &mut errors {
            out.write_all(PROBLEM_COLUMNS.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(Reporter {
            name: name.to_owned(),
            format,
            to_file: errors.is_some(),
            errors,
            line_buf: Vec::new(),
            shown: 0,
            untold: 0,
            kinds: Vec::new(),
            index: HashMap::new(),
            read: 0,
            rejected: 0,
            started: Instant::now(),
            notes: Notes::default(),
            kept: None,
            not_kept: 0,
        })
    }

    /// Prints `notes` (the input's, filled as it is read) before the summary line.
    pub fn watch_notes(&mut self, notes: Notes) {
        self.notes = notes;
    }

    /// Keeps a copy of every problem from now on, for [`Reporter::take_kept`].
    pub fn keep_problems(&mut self) {
        self.kept.get_or_insert_with(Vec::new);
    }

    /// The problems kept (line and problem, in order) and how many more
    /// there were past the cap.
    pub fn take_kept(&mut self) -> (Vec<(u64, Problem)>, u64) {
        let kept = self.kept.take().unwrap_or_default();
        (kept, std::mem::take(&mut self.not_kept))
    }

    /// Counts one record read.
    pub fn read(&mut self) {
        self.read += 1;
    }

    /// Counts `n` records read.
    pub fn read_many(&mut self, n: u64) {
        self.read += n;
    }

    /// Rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.read
    }

    /// Records one rejected row and its problems.
    pub fn rejected(&mut self, line: u64, problems: &[Problem]) -> io::Result<()> {
        self.rejected += 1;
        for p in problems {
            self.problem(line, p)?;
        }
        Ok(())
    }

    fn problem(&mut self, line: u64, p: &Problem) -> io::Result<()> {
        if let Some(kept) = &mut self.kept {
            if kept.len() < MAX_TABLE_ROWS as usize {
                kept.push((line, p.clone()));
            } else {
                self.not_kept += 1;
            }
        }
        let kind = self.kind_of(line, p);
        match &mut self.errors {
            Some(out) => {
                let b = &mut self.line_buf;
                b.clear();
                push_problem_csv(b, line, p);
                out.write_all(b)
            }
            None => {
                let seen = kind.map_or(0, |k| self.kinds[k].shown);
                if self.shown < STDERR_CAP && seen < SHOWN_PER_KIND {
                    self.shown += 1;
                    if let Some(k) = kind {
                        self.kinds[k].shown += 1;
                    }
                    eprintln!("{}:{line}: {p}", self.name);
                } else if kind.is_none() {
                    self.untold += 1;
                }
                Ok(())
            }
        }
    }

    /// Counts `p` under its field and kind; `None` once too many kinds are told apart.
    fn kind_of(&mut self, line: u64, p: &Problem) -> Option<usize> {
        let field = p.field();
        let key = (p.kind(), field.clone());
        let k = match self.index.get(&key) {
            Some(&k) => k,
            None if self.kinds.len() < MAX_KINDS => {
                self.kinds.push(Kind {
                    field,
                    count: 0,
                    shown: 0,
                    first_line: line,
                    first_detail: p.detail().to_string(),
                    not_a_date: false,
                    dmy: 0,
                    dmy_example: None,
                });
                self.index.insert(key, self.kinds.len() - 1);
                self.kinds.len() - 1
            }
            None => return None,
        };
        let kind = &mut self.kinds[k];
        kind.count += 1;
        if p.is_not_a_date() {
            kind.not_a_date = true;
            if let Some(iso) = day_month_year(p.found()) {
                kind.dmy += 1;
                kind.dmy_example.get_or_insert((p.found().to_owned(), iso));
            }
        }
        Some(k)
    }

    /// The closing line for a kind of problem that repeats: where, how many, and the fix.
    fn summary(&self, k: &Kind) -> String {
        let name = &self.name;
        // JSON Lines name fields by JSON path, CSV by column (§9).
        let noun = match self.format {
            Format::Jsonl => "field",
            Format::Csv => "column",
        };
        let column = match k.field.as_str() {
            "" | vsend_io::problem::ROW => String::new(),
            field => format!(" {noun} {field}:"),
        };
        if let (true, Some((example, iso))) = (k.not_a_date, &k.dmy_example) {
            let which = if k.dmy == k.count {
                format!("{} rows have dates like {example:?}", k.count)
            } else {
                format!(
                    "{} rows have values that are not dates, {} of them like {example:?}",
                    k.count, k.dmy
                )
            };
            return format!(
                "{name}:{column} {which}; dates must be YYYY-MM-DD ({iso}), so save the {noun} in ISO format"
            );
        }
        format!(
            "{name}:{column} {} rows have this problem, the first on line {}: {}",
            k.count, k.first_line, k.first_detail
        )
    }

    /// Reports a file error on stderr (capped at [`STDERR_CAP`] lines): it
    /// stops the run, so no `--errors` report is written.
    pub fn file_error(&mut self, e: &FileError) {
        print_file_error(e, None);
    }

    /// Rows rejected so far.
    pub fn rejected_count(&self) -> u64 {
        self.rejected
    }

    /// Commits the error report together with the run's other `outputs`:
    /// nothing is renamed into place unless every output finished writing.
    pub fn commit(&mut self, mut outputs: Vec<Ready>) -> io::Result<()> {
        if let Some(out) = self.errors.take() {
            let name = out.name().to_owned();
            let ready = out
                .finish()
                .map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
            outputs.push(ready);
        }
        commit_ready(outputs)
    }

    /// Commits the error report, if [`Reporter::commit`] has not, and prints
    /// the summary line. `accepted` names what the accepted rows became
    /// (`scored`, `valid`).
    pub fn finish(mut self, accepted: &str) -> io::Result<()> {
        let to_stderr = !self.to_file;
        self.commit(Vec::new())?;
        let (mut summaries, mut untold) = (0, self.untold);
        for k in &self.kinds {
            let unshown = k.count - k.shown;
            if k.count > SHOWN_PER_KIND && summaries < SUMMARY_CAP {
                eprintln!("{}", self.summary(k));
                summaries += 1;
            } else if to_stderr {
                untold += unshown;
            }
        }
        if to_stderr && untold > 0 {
            eprintln!(
                "vsend: … and {untold} more problems not shown; use --errors FILE.csv to list them all"
            );
        }
        for note in self.notes.take() {
            eprintln!("{}", note.message);
        }
        eprintln!(
            "{}: {} read, {} {accepted}, {} rejected in {:.3} s",
            self.name,
            rows(self.read),
            self.read - self.rejected,
            self.rejected,
            self.started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Ends a failed run (exit 2): drops the error report unwritten and says
    /// how far reading got, without claiming any row was scored.
    pub fn abandon(self) {
        drop(self.errors);
        let written = if streamed() {
            "no output file written (what went to stdout or a device is incomplete)"
        } else {
            "nothing written"
        };
        eprintln!(
            "{}: stopped after {} read; {written}",
            self.name,
            rows(self.read)
        );
    }
}

/// `1 row`, `2 rows`.
pub fn rows(n: u64) -> String {
    match n {
        1 => "1 row".to_owned(),
        n => format!("{n} rows"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_month_year_dates_get_their_iso_form() {
        assert_eq!(day_month_year("05/02/2025").as_deref(), Some("2025-02-05"));
        assert_eq!(day_month_year("5.2.2025").as_deref(), Some("2025-02-05"));
        assert_eq!(day_month_year("02/25/2025").as_deref(), Some("2025-02-25"));
        assert_eq!(day_month_year("2025-02-05"), None);
        assert_eq!(day_month_year("05/02/25"), None);
        assert_eq!(day_month_year("45693"), None);
        assert_eq!(day_month_year("13/13/2025"), None);
    }
}
