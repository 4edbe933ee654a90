//! Reading input files exactly and within bounds: physical line numbers
//! whatever the line ends, quotes that do not swallow the rest of a file,
//! lines capped at 1 MiB, header hints, and capped, summarised stderr.
//!
//! Checks: §9 (physical lines, counts that reconcile) and §10 (CSV and JSON Lines).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn vsend(args: &[&str]) -> Output {
    vsend_with_stdin(args, Stdio::null())
}

fn vsend_with_stdin(args: &[&str], stdin: impl Into<Stdio>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(args)
        .stdin(stdin)
        .output()
        .unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The counts of the closing summary line: (read, accepted, rejected), checked to reconcile.
fn summary(out: &Output) -> (u64, u64, u64) {
    let err = stderr(out);
    let line = err.lines().last().unwrap_or_default();
    assert!(line.contains("rows read"), "no summary line in {err:?}");
    let nums: Vec<u64> = line
        .rsplit(": ")
        .next()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter_map(|w| w.parse().ok())
        .collect();
    let (read, accepted, rejected) = (nums[0], nums[1], nums[2]);
    assert_eq!(read, accepted + rejected, "counts must reconcile: {line}");
    (read, accepted, rejected)
}

/// A run that stopped on a file error: its last line says so and claims no rows.
fn stopped(out: &Output) {
    let err = stderr(out);
    let line = err.lines().last().unwrap_or_default();
    assert!(
        line.contains("stopped after")
            && line.ends_with("nothing written")
            && !line.contains("scored"),
        "a failed run must not claim rows were scored: {err:?}"
    );
}

/// The cohort fixture's header and rows.
fn cohort() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut lines = text.lines().map(String::from);
    let header = lines.next().unwrap();
    (header, lines.collect())
}

/// `row` with its `index`th cell replaced by `cell` (written as is).
fn set_cell(row: &str, index: usize, cell: &str) -> String {
    let mut cells: Vec<&str> = row.split(',').collect();
    cells[index] = cell;
    cells.join(",")
}

/// (line, field) of every problem in an `--errors` report, in order.
fn reported(errors: &Path) -> Vec<(u64, String)> {
    let mut report = csv::Reader::from_path(errors).unwrap();
    report
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[1].to_owned())
        })
        .collect()
}

/// Scores `text` written to `name`, with every problem to an errors file.
fn score(dir: &Path, name: &str, text: &[u8]) -> (Output, Vec<(u64, String)>) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let errors = dir.join(format!("{name}.errors.csv"));
    let out = vsend(&[
        "score",
        p(&path),
        "-o",
        p(&dir.join("scored.csv")),
        "--errors",
        p(&errors),
    ]);
    let problems = reported(&errors);
    (out, problems)
}

#[test]
fn problems_name_the_physical_line_whatever_the_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = cohort();
    let mut lines = vec![header];
    for (i, row) in rows.iter().take(8).enumerate() {
        // Rows 3 and 6 (lines 4 and 7 when nothing is blank) are bad.
        lines.push(match i {
            2 => row.replacen(",S000", ",S 00", 1),
            5 => row.replacen(",20", ",x20", 1),
            _ => row.clone(),
        });
    }
    let plain = [(4, "setting_id".to_owned()), (7, "assessed_on".to_owned())];
    for (name, end) in [("lf.csv", "\n"), ("crlf.csv", "\r\n"), ("cr.csv", "\r")] {
        let (out, problems) = score(dir.path(), name, (lines.join(end) + end).as_bytes());
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert_eq!(problems, plain, "{name}");
        assert_eq!(summary(&out), (8, 6, 2), "{name}");
    }
    // Without a line end after the last row, too.
    let (out, problems) = score(dir.path(), "no-end.csv", lines.join("\r\n").as_bytes());
    assert_eq!(problems, plain);
    assert_eq!(summary(&out), (8, 6, 2));

    // A blank line after every line: counted as lines, not as rows.
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        let end = ["\n", "\r\n", "\r"][i % 3];
        text.push_str(line);
        text.push_str(end);
        text.push_str(if i % 2 == 0 { "  " } else { "" });
        text.push_str(end);
    }
    let (out, problems) = score(dir.path(), "blank-mixed.csv", text.as_bytes());
    assert_eq!(
        problems,
        [(7, "setting_id".to_owned()), (13, "assessed_on".to_owned())],
        "line n of the plain file is line 2n - 1 here"
    );
    assert_eq!(summary(&out), (8, 6, 2));

    // A UTF-8 BOM and CRLF, as Excel writes: the header is still line 1.
    let text = format!("\u{feff}{}\r\n", lines.join("\r\n"));
    let (_, problems) = score(dir.path(), "bom.csv", text.as_bytes());
    assert_eq!(problems, plain);
}

#[test]
fn a_quote_left_open_rejects_its_own_line_only() {
    let path = fixture("bad/unbalanced-quote.csv");
    let out = vsend(&["score", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&out), (36, 35, 1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "unbalanced-quote.csv:7: column setting_id: a quote opened here is not closed before the end of the line; a cell cannot span lines"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");

    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = cohort();
    let mut lines = vec![header];
    lines.extend(rows.iter().take(6).cloned());
    // Text after a closing quote is a row error; "" inside quotes is a quote,
    // and spaces around a quoted cell are trimmed.
    lines[2] = set_cell(&lines[2], 3, "\"S\"0001");
    lines[4] = set_cell(&lines[4], 3, "  \"S0001\"  ");
    lines[5] = set_cell(&lines[5], 3, "\"S\"\"0001");
    lines[6] = set_cell(&lines[6], 0, "\"C01,\"\"x\"\"\"");
    let (out, problems) = score(dir.path(), "quotes.csv", lines.join("\n").as_bytes());
    assert_eq!(
        problems,
        [
            (3, "setting_id".to_owned()),
            (6, "setting_id".to_owned()),
            (7, "child_id".to_owned())
        ],
        "{}",
        stderr(&out)
    );
    assert_eq!(summary(&out), (6, 3, 3));
    let out = vsend(&["score", p(&dir.path().join("quotes.csv"))]);
    let err = stderr(&out);
    assert!(
        err.contains("quotes.csv:3: column setting_id: text follows the closing quote"),
        "{err}"
    );
    assert!(
        err.contains("quotes.csv:6: column setting_id: a quote opened here is not closed"),
        "{err}"
    );
    // The quoted comma and quotes stay inside the cell.
    assert!(
        err.contains("quotes.csv:7: column child_id: \"C01,\\\"x\\\"\" is not a valid ID"),
        "{err}"
    );
}

#[test]
fn a_line_over_1_mib_is_a_rejected_row_and_the_rest_are_scored() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = cohort();
    let mut text = header + "\r\n";
    for (i, row) in rows.iter().take(6).enumerate() {
        text.push_str(row);
        if i == 2 {
            // 2 MiB of padding in one cell, ended by a lone CR.
            text.push_str(&" ".repeat(2 << 20));
            text.push('\r');
        } else {
            text.push_str("\r\n");
        }
    }
    let (out, problems) = score(dir.path(), "long.csv", text.as_bytes());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(problems, [(4, "(row)".to_owned())]);
    assert_eq!(summary(&out), (6, 5, 1));
    let scored = std::fs::read_to_string(dir.path().join("scored.csv")).unwrap();
    assert_eq!(
        scored.lines().count(),
        1 + 5,
        "the rows after it are scored"
    );

    let out = vsend(&["score", p(&dir.path().join("long.csv"))]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "long.csv:4: line is longer than 1 MiB ({} bytes); allowed at most 1,048,576 bytes per line",
            thousands(rows[2].len() + (2 << 20))
        )),
        "{err}"
    );

    // A last line that never ends, in JSON Lines.
    let jsonl = std::fs::read_to_string(fixture("cohort.jsonl")).unwrap();
    let mut text: String = jsonl.lines().take(3).map(|l| format!("{l}\n")).collect();
    text.push_str(&"x".repeat(3 << 20));
    let (out, problems) = score(dir.path(), "long.jsonl", text.as_bytes());
    assert_eq!(problems, [(4, "(row)".to_owned())]);
    assert_eq!(summary(&out), (4, 3, 1));
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn a_header_over_1_mib_or_one_that_never_ends_is_a_file_error() {
    let dir = tempfile::tempdir().unwrap();
    let (header, _) = cohort();
    let path = dir.path().join("wide-header.csv");
    std::fs::write(&path, format!("{header}{}\n", " ".repeat(2 << 20))).unwrap();
    let out = vsend(&["score", p(&path)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("wide-header.csv:1: the header line is longer than 1 MiB"),
        "{err}"
    );
    stopped(&out);

    // No line end at all: read from stdin, and through a .csv name where there is one.
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = vsend_with_stdin(&["score", "-"], zero);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("<stdin>:1: the header line is longer than 1 MiB"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.lines().count() <= 2, "{err}");
    #[cfg(unix)]
    {
        let link = dir.path().join("zero.csv");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let out = vsend(&["score", p(&link)]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("header line is longer than 1 MiB"));
    }
}

#[test]
fn semicolons_and_json_named_csv_get_one_hint() {
    for (file, hint) in [
        (
            "bad/semicolons.csv",
            "semicolons.csv:1: the header is one column holding ';' separators; vsend reads comma-separated CSV: save as \"CSV (comma delimited)\"",
        ),
        (
            "bad/jsonl-named-csv.csv",
            "jsonl-named-csv.csv:1: the first line is a JSON object, not a CSV header",
        ),
    ] {
        let out = vsend(&["score", p(&fixture(file))]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains(hint), "{err}");
        assert_eq!(err.lines().count(), 2, "one hint and the summary: {err}");
        stopped(&out);
    }
}

#[test]
fn a_header_of_100000_unknown_columns_prints_at_most_52_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = cohort();
    let extra: Vec<String> = (0..100_000).map(|i| format!("x{i}")).collect();
    let path = dir.path().join("wide.csv");
    std::fs::write(
        &path,
        format!("{header},{}\n{}\n", extra.join(","), rows[0]),
    )
    .unwrap();
    let out = vsend(&["score", p(&path)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.lines().count() <= 52, "{} lines", err.lines().count());
    assert!(err.contains("… and 99950 more problems not shown"), "{err}");
    stopped(&out);

    let errors = dir.path().join("errors.csv");
    let out = vsend(&["score", p(&path), "--errors", p(&errors)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.lines().count() <= 52, "{err}");
    assert!(err.contains("… and 99950 more problems not shown"), "{err}");
    // A file error stops the run: like every other output, the report is not written.
    assert!(!errors.exists());
    stopped(&out);
}

#[test]
fn uk_dates_are_shown_three_times_then_summarised_with_the_fix() {
    let path = fixture("bad/uk-dates.csv");
    let out = vsend(&["score", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&out), (36, 0, 36));
    let err = stderr(&out);
    assert!(err.lines().count() <= 6, "{err}");
    assert_eq!(err.matches("is not a date").count(), 3, "{err}");
    assert!(
        err.contains(
            "uk-dates.csv: column assessed_on: 36 rows have dates like \"05/02/2025\"; dates must be YYYY-MM-DD (2025-02-05), so save the column in ISO format"
        ),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let errors = dir.path().join("errors.csv");
    let out = vsend(&["score", p(&path), "--errors", p(&errors)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.lines().count() <= 3, "{err}");
    assert!(err.contains("36 rows have dates like"), "{err}");
    let problems = reported(&errors);
    assert_eq!(problems.len(), 36, "every problem is in --errors");
    assert!(problems
        .iter()
        .enumerate()
        .all(|(i, (line, field))| *line == i as u64 + 2 && field == "assessed_on"));

    // JSON Lines name the field, not a column.
    let jsonl = std::fs::read_to_string(fixture("cohort.jsonl")).unwrap();
    let uk: String = jsonl
        .lines()
        .map(|l| {
            let at = l.find("\"assessed_on\": \"").unwrap() + "\"assessed_on\": \"".len();
            let iso = &l[at..at + 10];
            let dmy = format!("{}/{}/{}", &iso[8..10], &iso[5..7], &iso[..4]);
            format!("{}{dmy}{}\n", &l[..at], &l[at + 10..])
        })
        .collect();
    let path = dir.path().join("uk.jsonl");
    std::fs::write(&path, uk).unwrap();
    let out = vsend(&["validate", p(&path)]);
    let err = stderr(&out);
    assert!(
        err.contains("uk.jsonl: field assessed_on: 36 rows have dates like \"05/02/2025\"; dates must be YYYY-MM-DD (2025-02-05), so save the field in ISO format"),
        "{err}"
    );
    assert_eq!(summary(&out), (36, 0, 36));
}

#[test]
fn other_repeated_problems_get_a_generic_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = cohort();
    let mut lines = vec![header];
    for row in rows.iter().take(10) {
        lines.push(row.replacen(",S000", ",S 000", 1));
    }
    let path = dir.path().join("ids.csv");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = vsend(&["validate", p(&path)]);
    let err = stderr(&out);
    assert_eq!(err.matches("is not a valid ID").count(), 3 + 1, "{err}");
    assert!(
        err.contains("ids.csv: column setting_id: 10 rows have this problem, the first on line 2: \"S 0003\" is not a valid ID"),
        "{err}"
    );
    assert_eq!(summary(&out), (10, 0, 10));
}

#[test]
fn framework_problems_are_capped_at_50_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = vsend(&["framework"]);
    let mut fw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // A list over its limit is one problem (issue 13), so the many problems
    // here are 100 bands (the most allowed), each with a faulty id and label.
    let bands: Vec<serde_json::Value> = (0..100)
        .map(|i| serde_json::json!({"id": "", "label": "x\u{1}", "min_score": i}))
        .collect();
    fw["banding"] = serde_json::json!({
        "weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1, "ind": 1},
        "bands": bands,
    });
    let path = dir.path().join("fw.json");
    std::fs::write(&path, fw.to_string()).unwrap();
    let out = vsend(&["framework", "--framework", p(&path)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 51, "{err}");
    assert!(
        err.contains("banding.bands[0].id: must not be empty"),
        "{err}"
    );
    assert!(err.contains("U+0001 at character 2"), "{err}");
    assert!(err.contains("… and 150 more problems not shown"), "{err}");
}
