//! Scoring a file into a file with bounded memory, for [`crate::vsend_score_file`]:
//! the same reader, pipeline and atomic outputs as the `vsend score` command.

use std::io::Write;
use std::path::Path;

use vsend_core::{Framework, SeenDates};
use vsend_io::output::{commit_ready, OutputPlan};
use vsend_io::pipeline::{score_parallel, Batch};
use vsend_io::read::{FileError, Format, Input, Problem};
use vsend_io::write::{problem_json, push_csv_header, push_problem_csv, PROBLEM_COLUMNS};

use crate::{input_error, invalid, Failure};

impl From<FileError> for Failure {
    fn from(e: FileError) -> Failure {
        input_error(e.to_string())
    }
}

/// What a path's extension asks for: `.csv` or `.jsonl` (`.ndjson`).
fn format_of(label: &str, path: &Path) -> Result<Format, Failure> {
    vsend_io::read::format_of(path).ok_or_else(|| {
        invalid(format!(
            "{label} {}: allowed extensions .csv or .jsonl",
            path.display()
        ))
    })
}

/// Appends one problem of a rejected row in the errors file's format.
fn push_problem(out: &mut Vec<u8>, format: Format, line: u64, p: &Problem) {
    match format {
        Format::Csv => push_problem_csv(out, line, p),
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, &problem_json(line, p)).expect("JSON to memory");
            out.push(b'\n');
        }
    }
}

/// Scores `input` into `output` (and problems into `errors`), committing
/// every output together only on success. Returns (rows read, rows rejected).
pub(crate) fn score_file(
    fw: &Framework,
    input: &Path,
    output: &Path,
    errors: Option<&Path>,
) -> Result<(u64, u64), Failure> {
    let out_format = format_of("output_path", output)?;
    let errors_format = errors.map(|e| format_of("errors_path", e)).transpose()?;
    let mut plan = OutputPlan::new();
    plan.input(input);
    let out_slot = plan
        .output("output_path", Some(output))
        .map_err(|e| invalid(e.to_string()))?;
    let errors_slot = errors
        .map(|e| plan.output("errors_path", Some(e)))
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let mut opened = plan.open().map_err(|e| invalid(e.to_string()))?;
    let mut out = opened.take(out_slot);
    let mut errors_out = errors_slot.map(|slot| opened.take(slot));

    let source = Input::open(input)?;
    let (reader, parser) = source.open_records(fw)?;
    let write_error = |what: &str, e: std::io::Error| input_error(format!("{what}: {e}"));
    let mut head = Vec::new();
    if out_format == Format::Csv {
        push_csv_header(&mut head, fw);
    }
    out.write_all(&head)
        .map_err(|e| write_error("output_path", e))?;
    if let (Some(w), Some(Format::Csv)) = (&mut errors_out, errors_format) {
        w.write_all(format!("{PROBLEM_COLUMNS}\n").as_bytes())
            .map_err(|e| write_error("errors_path", e))?;
    }
    let (mut read, mut rejected) = (0u64, 0u64);
    let mut buffer = Vec::new();
    let mut seen = SeenDates::new();
    let json = out_format == Format::Jsonl;
    score_parallel(
        reader,
        &parser,
        &mut seen,
        json,
        |_| {},
        |batch: &Batch| -> Result<(), Failure> {
            read += batch.records;
            rejected += batch.rejected.len() as u64;
            out.write_all(&batch.output)
                .map_err(|e| write_error("output_path", e))?;
            if let (Some(w), Some(format)) = (&mut errors_out, errors_format) {
                buffer.clear();
                for (line, problems) in &batch.rejected {
                    for p in problems {
                        push_problem(&mut buffer, format, *line, p);
                    }
                }
                w.write_all(&buffer)
                    .map_err(|e| write_error("errors_path", e))?;
            }
            Ok(())
        },
    )?;
    let mut ready = vec![out.finish().map_err(|e| write_error("output_path", e))?];
    if let Some(w) = errors_out {
        ready.push(w.finish().map_err(|e| write_error("errors_path", e))?);
    }
    commit_ready(ready).map_err(|e| write_error("output", e))?;
    Ok((read, rejected))
}
