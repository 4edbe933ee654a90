//! Problem reports and the closing summary line.
//!
//! Problems go to an `--errors` CSV (`line,field,value,message`, every text
//! cell defused against formulas) or to stderr, capped so that a bad file
//! cannot flood a terminal with children's data.

use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use crate::read::{FileError, Problem};
use crate::write::{push_text, Output};

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
    /// A reporter for input `name`, writing problems to `errors` when given.
    pub fn new(name: &str, errors: Option<&Path>) -> io::Result<Reporter> {
        let mut errors = errors.map(|p| Output::create(Some(p))).transpose()?;
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

    /// Reports a file error: always on stderr, and as line 0 of `--errors`.
    pub fn file_error(&mut self, e: &FileError) {
        eprintln!("vsend: {e}");
        if let Some(out) = &mut self.errors {
            let b = &mut self.line_buf;
            b.clear();
            b.extend_from_slice(b"0,,,");
            push_text(b, &e.to_string());
            b.push(b'\n');
            // The error itself is what matters; a failed report write adds nothing.
            let _ = out.write_all(b);
        }
    }

    /// Rows rejected so far.
    pub fn rejected_count(&self) -> u64 {
        self.rejected
    }

    /// Commits the error report and prints the summary line. `accepted` names
    /// what the accepted rows became (`scored`, `valid`).
    pub fn finish(self, accepted: &str) -> io::Result<()> {
        if let Some(out) = self.errors {
            out.commit()?;
        }
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
}
