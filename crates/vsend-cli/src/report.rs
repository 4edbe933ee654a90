//! Problem reports and the closing summary line.
//!
//! Problems go to an `--errors` CSV (`line,field,value,message`, every text
//! cell defused against formulas) or to stderr, capped so that a bad file
//! cannot flood a terminal with children's data.

use std::io::{self, Write};
use std::time::Instant;

use crate::output::{commit_ready, streamed, Output, Ready};
use crate::read::{FileError, Problem};
use crate::write::push_text;

/// Most problem lines printed to stderr without `--errors`.
pub const STDERR_CAP: usize = 50;

/// Collects problems and counts rows: `read = accepted + rejected` always.
pub struct Reporter {
    name: String,
    errors: Option<Output>,
    line_buf: Vec<u8>,
    shown: usize,
    hidden: usize,
    read: u64,
    rejected: u64,
    started: Instant,
}

impl Reporter {
    /// A reporter for input `name`, writing problems to `errors` when given
    /// (opened up front by an [`crate::output::OutputPlan`]).
    pub fn new(name: &str, mut errors: Option<Output>) -> io::Result<Reporter> {
        if let Some(out) = &mut errors {
            out.write_all(b"line,field,value,message\n")?;
        }
        Ok(Reporter {
            name: name.to_owned(),
            errors,
            line_buf: Vec::new(),
            shown: 0,
            hidden: 0,
            read: 0,
            rejected: 0,
            started: Instant::now(),
        })
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
        match &mut self.errors {
            Some(out) => {
                let b = &mut self.line_buf;
                b.clear();
                b.extend_from_slice(itoa::Buffer::new().format(line).as_bytes());
                for text in [&p.field, &p.value, &p.message] {
                    b.push(b',');
                    push_text(b, text);
                }
                b.push(b'\n');
                out.write_all(b)
            }
            None if self.shown < STDERR_CAP => {
                self.shown += 1;
                eprintln!("{}:{line}: {}", self.name, p.message);
                Ok(())
            }
            None => {
                self.hidden += 1;
                Ok(())
            }
        }
    }

    /// Reports a file error, on stderr: it stops the run, so no `--errors`
    /// report is written.
    pub fn file_error(&mut self, e: &FileError) {
        eprintln!("vsend: {e}");
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
        self.commit(Vec::new())?;
        if self.hidden > 0 {
            eprintln!(
                "vsend: … and {} more problems not shown; use --errors FILE.csv to list them all",
                self.hidden
            );
        }
        eprintln!(
            "{}: {} rows read, {} {accepted}, {} rejected in {:.3} s",
            self.name,
            self.read,
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
            "{}: stopped after {} rows read; {written}",
            self.name, self.read
        );
    }
}
