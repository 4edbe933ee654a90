//! Runs the real `vsend` binary on the fixtures and the spec's worked examples
//! (`fixtures/examples/`), checking outputs, problems, exit codes and that counts reconcile.
//!
//! Checks: §3–§10 through the binary: validation, scores, timelines, cohorts, errors and file formats.

mod common;

use std::process::{Command, Output};

use common::{assert_close, example, fixture, jsonl, p, stderr, vsend};
use serde_json::Value;

/// The counts of the closing summary line: (read, accepted, rejected).
fn summary(out: &Output) -> (u64, u64, u64) {
    let err = stderr(out);
    let line = err.lines().last().unwrap_or_default();
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(line.contains("rows read"), "no summary line in {err:?}");
    let n = nums.len();
    // ..., read, accepted, rejected, seconds (seconds fails to parse as u64 when fractional)
    let (read, accepted, rejected) = (nums[n - 3], nums[n - 2], nums[n - 1]);
    assert_eq!(read, accepted + rejected, "counts must reconcile: {line}");
    (read, accepted, rejected)
}

#[test]
fn score_matches_the_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("scored.jsonl");
    let out = vsend(&["score", p(&example("cohort-small.csv")), "-o", p(&out_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), (36, 36, 0));
    let got = jsonl(&std::fs::read_to_string(&out_path).unwrap());
    let want = jsonl(&std::fs::read_to_string(example("cohort-small.scored.jsonl")).unwrap());
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("row {}", i + 1));
    }
}

#[test]
fn same_date_duplicates_are_rejected_alike_by_every_command() {
    let input = example("cohort-duplicates.csv");
    let dir = tempfile::tempdir().unwrap();
    let scored = dir.path().join("scored.jsonl");
    let errors = dir.path().join("errors.csv");
    let out = vsend(&["score", p(&input), "-o", p(&scored), "--errors", p(&errors)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let counts = summary(&out);
    let want = jsonl(&std::fs::read_to_string(example("cohort-duplicates.scored.jsonl")).unwrap());
    let got = jsonl(&std::fs::read_to_string(&scored).unwrap());
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("row {i}"));
    }
    let report = std::fs::read_to_string(&errors).unwrap();
    let lines: Vec<&str> = report
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(lines, ["7", "24"], "the later row of each pair: {report}");
    assert!(report.contains("repeats an earlier assessment"), "{report}");
    // Every command counts the file the same way (§7).
    for args in [
        vec!["validate", p(&input)],
        vec!["cohort", p(&input), "-o", "/dev/null"],
        vec![
            "timeline",
            p(&input),
            "--child",
            "C010000011",
            "-o",
            "/dev/null",
        ],
        vec![
            "charts",
            p(&input),
            "--out-dir",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let out = vsend(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(summary(&out), counts, "{args:?}");
        assert!(
            stderr(&out).contains("cohort-duplicates.csv:7: column assessed_on:"),
            "{args:?}"
        );
    }
    // JSON Lines name the field as JSON does.
    let path = dir.path().join("twice.jsonl");
    let line = r#"{"child_id": "C1", "assessed_on": "2025-01-10"}"#;
    std::fs::write(&path, format!("{line}\n{line}\n")).unwrap();
    let out = vsend(&["validate", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&out), (2, 1, 1));
    assert!(
        stderr(&out).contains("twice.jsonl:2: field assessed_on: \"2025-01-10\" repeats"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_rows_are_reported_with_line_and_field_and_the_rest_scored() {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, errors) = (
        dir.path().join("scored.jsonl"),
        dir.path().join("errors.csv"),
    );
    let input = example("cohort-bad-rows.csv");
    let out = vsend(&[
        "score",
        p(&input),
        "-o",
        p(&out_path),
        "--errors",
        p(&errors),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(summary(&out), (60, 42, 18));
    let got = jsonl(&std::fs::read_to_string(&out_path).unwrap());
    let want = jsonl(&std::fs::read_to_string(example("cohort-bad-rows.scored.jsonl")).unwrap());
    assert_eq!(got.len(), 42);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("row {}", i + 1));
    }
    // Every rejected line of the shorthand list, with its field, is in the report.
    let mut report = csv::Reader::from_path(&errors).unwrap();
    assert_eq!(
        report.headers().unwrap(),
        vec!["line", "field", "value", "message"]
    );
    let rows: Vec<csv::StringRecord> = report.records().map(Result::unwrap).collect();
    let expected = std::fs::read_to_string(example("cohort-bad-rows.errors.txt")).unwrap();
    let mut lines = std::collections::BTreeSet::new();
    for l in expected
        .lines()
        .filter_map(|l| l.strip_prefix("cohort-bad-rows.csv:"))
    {
        let (line, field) = l.split_once(": ").unwrap();
        let field = match field {
            "assessed before birth" => "assessed_on",
            "wrong number of fields" => "(row)",
            f => f,
        };
        assert!(
            rows.iter().any(|r| &r[0] == line && &r[1] == field),
            "{line}: {field} not reported"
        );
        lines.insert(line.to_owned());
    }
    let reported: std::collections::BTreeSet<_> = rows.iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(reported, lines, "no other line is reported");
    // Formula-like values echoed from the input are defused.
    let at = rows.iter().find(|r| &r[1] == "setting_id").unwrap();
    assert_eq!(&at[2], "'@SUM(A1)");
    assert!(rows
        .iter()
        .filter(|r| &r[1] == "need.cl.numeracy")
        .all(|r| &r[2] == "'-1"));
}

#[test]
fn cohort_summaries_match_the_worked_examples() {
    let input = example("cohort-small.csv");
    let out = vsend(&["cohort", p(&input), "--by", "setting_id"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(example("cohort-small.by-setting.json")).unwrap(),
    )
    .unwrap();
    assert_close(&got, &want, "by-setting");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("age.json");
    let out = vsend(&[
        "cohort",
        p(&input),
        "--as-of",
        "2025-03-01",
        "--by",
        "age_band",
        "-o",
        p(&path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(example("cohort-small.2025-03-01.by-age-band.json")).unwrap(),
    )
    .unwrap();
    assert_close(&got, &want, "by-age-band");
}

#[test]
fn timeline_matches_the_worked_example() {
    let out = vsend(&[
        "timeline",
        p(&example("cohort-small.csv")),
        "--child",
        "C010000011",
        "--as-of",
        "2025-09-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(example("timeline-C010000011.json")).unwrap(),
    )
    .unwrap();
    assert_close(&got, &want, "timeline");
    let out = vsend(&[
        "timeline",
        p(&example("cohort-small.csv")),
        "--child",
        "C999",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--child C999: no assessments"),
        "{}",
        stderr(&out)
    );
    let out = vsend(&[
        "timeline",
        p(&example("cohort-small.csv")),
        "--child",
        "Jane Smith",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn jsonl_and_stdin_give_the_same_scores_as_csv() {
    let csv_out = vsend(&["score", p(&fixture("cohort.csv"))]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let jsonl_out = vsend(&["score", p(&fixture("cohort.jsonl")), "-o", p(&path)]);
    assert_eq!(jsonl_out.status.code(), Some(0), "{}", stderr(&jsonl_out));
    assert_eq!(std::fs::read(&path).unwrap(), csv_out.stdout);
    let stdin = std::fs::File::open(fixture("cohort.csv")).unwrap();
    let piped = Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(["score", "-"])
        .stdin(stdin)
        .output()
        .unwrap();
    assert_eq!(piped.stdout, csv_out.stdout);
    assert!(
        stderr(&piped).starts_with("<stdin>: 36 rows read"),
        "{}",
        stderr(&piped)
    );
}

/// Every file of `fixtures/bad/` against its line in `EXPECTED.tsv`.
#[test]
fn bad_input_corpus_behaves_as_documented() {
    let manifest = std::fs::read_to_string(fixture("bad/EXPECTED.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, command, code, named) = (cols[0], cols[1], cols[2], cols[3]);
        if file.starts_with('(') {
            continue; // made by the tests below
        }
        let path = fixture(&format!("bad/{file}"));
        let out = match command {
            "framework" => vsend(&["framework", "--framework", p(&path)]),
            _ => vsend(&[command, p(&path)]),
        };
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(code.parse().unwrap()),
            "{file}: {err}"
        );
        for name in named.split(',').filter(|n| !n.is_empty()) {
            assert!(err.contains(name), "{file}: {name:?} not named in {err}");
        }
        if command != "framework" && code == "2" {
            // A failed run claims nothing was scored and writes nothing.
            let last = err.lines().last().unwrap_or_default();
            assert!(
                last.contains("stopped after") && last.ends_with("nothing written"),
                "{file}: {err}"
            );
            assert!(!err.contains("scored"), "{file}: {err}");
        } else if command != "framework" {
            summary(&out);
        }
        checked += 1;
    }
    assert_eq!(checked, 33, "every fixture checked");
}

#[test]
fn odd_input_is_read_as_plain_csv() {
    let plain = vsend(&["score", p(&fixture("cohort.csv"))]).stdout;
    let first_rows = |bytes: &[u8]| {
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n")
    };
    for file in [
        "bom-crlf.csv",
        "blank-trailing-lines.csv",
        "spaces-and-quotes.csv",
    ] {
        let out = vsend(&["score", p(&fixture(&format!("bad/{file}")))]);
        assert_eq!(summary(&out), (3, 3, 0), "{file}");
        assert_eq!(first_rows(&out.stdout), first_rows(&plain), "{file}");
    }
}

#[test]
fn a_1_mb_field_is_rejected_and_echoed_short() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let text = std::fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().take(3).map(String::from).collect();
    // Just under the 1 MiB line limit: the cell itself is what is rejected.
    lines[1] = lines[1].replacen("C010000011", &"C".repeat(1_000_000), 1);
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = vsend(&["score", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(summary(&out), (2, 1, 1));
    let err = stderr(&out);
    assert!(
        err.len() < 1000,
        "the error echoes only a short prefix: {} bytes",
        err.len()
    );
    assert!(err.contains(&format!("\"{}…\"", "C".repeat(40))), "{err}");
}

#[test]
fn directories_and_missing_paths_are_file_errors() {
    let out = vsend(&["score", p(&fixture(""))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"));
    let out = vsend(&["score", "no-such.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such.csv: no such file"));
    let out = vsend(&["score", p(&fixture("framework-mean.json"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown input format"));
}

#[test]
fn a_failed_run_leaves_an_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scored.csv");
    std::fs::write(&path, "yesterday's scores\n").unwrap();
    let out = vsend(&[
        "score",
        p(&fixture("bad/missing-column.csv")),
        "-o",
        p(&path),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "yesterday's scores\n"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left behind: {names:?}");
    let out = vsend(&["score", p(&fixture("cohort.csv")), "-o", p(&path)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("child_id,assessed_on,"));
}

#[test]
fn stderr_is_capped_at_50_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.csv");
    let text = std::fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<String> = lines[0].split(',').map(String::from).collect();
    let row: Vec<String> = lines[1].split(',').map(String::from).collect();
    lines.truncate(1);
    // 80 rows, each with a level above the scale in one of 19 need columns:
    // 19 kinds of problem, none repeated more than 5 times.
    let needs: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].starts_with("need."))
        .collect();
    for i in 0..80 {
        let mut cells = row.clone();
        cells[needs[i % needs.len()]] = "9".into();
        lines.push(cells.join(","));
    }
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = vsend(&["validate", p(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "validate writes no output");
    let err = stderr(&out);
    let problem_lines = err
        .lines()
        .filter(|l| {
            l.split_once(".csv:")
                .is_some_and(|(_, rest)| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .count();
    assert_eq!(problem_lines, 50, "{err}");
    let summaries = err
        .lines()
        .filter(|l| l.contains("rows have this problem"))
        .count();
    assert!((1..=10).contains(&summaries), "{err}");
    assert!(err.lines().count() <= 50 + 10 + 2, "{err}");
    assert!(err.contains("more problems not shown"), "{err}");
    assert_eq!(summary(&out), (80, 0, 80));
}

#[test]
fn a_custom_framework_changes_the_columns_expected() {
    let fw = fixture("framework-mean.json");
    let out = vsend(&["score", p(&fixture("cohort.csv")), "--framework", p(&fw)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown column \"need.cl.attention_memory\""),
        "{}",
        stderr(&out)
    );
    let out = vsend(&["framework", "--framework", p(&fw)]);
    assert_eq!(out.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["aggregate"], "mean");
    assert_eq!(printed["review_interval_days"], 183);
}

#[test]
fn the_default_framework_prints_and_reloads() {
    let out = vsend(&["framework"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fw.json");
    std::fs::write(&path, &out.stdout).unwrap();
    let again = vsend(&["framework", "--framework", p(&path)]);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn usage_errors_exit_2_and_help_is_there() {
    assert_eq!(vsend(&[]).status.code(), Some(2));
    assert_eq!(
        vsend(&["cohort", "x.csv", "--as-of", "2025-13-01"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        vsend(&["cohort", "x.csv", "--by", "colour"]).status.code(),
        Some(2)
    );
    assert_eq!(
        vsend(&["score", p(&fixture("cohort.csv")), "-o", "out.xls"])
            .status
            .code(),
        Some(2)
    );
    for command in ["score", "validate", "cohort", "timeline", "framework"] {
        let out = vsend(&[command, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: vsend"),
            "{command}"
        );
    }
    let out = vsend(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("vsend {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn chart_draws_a_childs_radar_their_timeline_and_a_cohort_group() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("cohort.csv");
    let svg = dir.path().join("c11.svg");
    let out = vsend(&[
        "chart",
        p(&input),
        "--child",
        "C010000011",
        "--previous",
        "-o",
        p(&svg),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("C010000011 · review of 2025-05-14"),
        "the latest review"
    );
    assert!(text.contains("Needs at last review, 2025-02-05"));
    assert!(
        !text.contains("2007-03-27"),
        "no date of birth on the picture"
    );

    let on = dir.path().join("on.png");
    let out = vsend(&[
        "chart",
        p(&input),
        "--child",
        "C010000011",
        "--on",
        "2025-02-05",
        "-o",
        p(&on),
        "--size",
        "400x300",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&on).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        400,
        "IHDR width"
    );
    assert_eq!(
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
        300,
        "IHDR height"
    );
    let out = vsend(&[
        "chart",
        p(&input),
        "--child",
        "C010000011",
        "--on",
        "2025-02-06",
        "-o",
        p(&on),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no assessment on 2025-02-06"),
        "{}",
        stderr(&out)
    );

    let timeline = dir.path().join("t.svg");
    let out = vsend(&[
        "chart",
        p(&input),
        "--child",
        "C010000011",
        "--timeline",
        "-o",
        p(&timeline),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&timeline).unwrap();
    assert!(text.contains("Need by domain") && text.contains("Setting readiness by domain"));

    let group = dir.path().join("g.svg");
    let out = vsend(&[
        "chart",
        p(&input),
        "--cohort",
        "--by",
        "setting_id",
        "--group",
        "setting_id=S0001",
        "-o",
        p(&group),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&group)
        .unwrap()
        .contains("setting_id=S0001 · n = 5"));
    let out = vsend(&[
        "chart",
        p(&input),
        "--cohort",
        "--group",
        "setting_id=S9",
        "-o",
        p(&group),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("groups: all"), "{}", stderr(&out));
    assert_eq!(
        vsend(&["chart", p(&input), "--child", "C010000011", "-o", "x.gif"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn charts_draws_one_radar_per_child_skipping_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("radars");
    let input = example("cohort-bad-rows.csv");
    let out = vsend(&[
        "charts",
        p(&input),
        "--out-dir",
        p(&out_dir),
        "--format",
        "png",
        "--as-of",
        "2025-01-31",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejected rows are reported: {}",
        stderr(&out)
    );
    assert_eq!(
        summary(&out),
        (60, 42, 18),
        "exactly the rows score rejects"
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // Children with an accepted assessment on or before 2025-01-31.
    let scored = vsend(&["score", p(&input), "-o", p(&dir.path().join("s.csv"))]);
    assert_eq!(scored.status.code(), Some(1));
    let mut want: Vec<String> = csv::Reader::from_path(dir.path().join("s.csv"))
        .unwrap()
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[1] <= "2025-01-31")
        .map(|r| format!("{}.png", &r[0]))
        .collect();
    want.sort();
    want.dedup();
    assert_eq!(names, want);
    assert!(
        names.iter().all(|n| n.starts_with('C')),
        "files are named by pseudonymous ID only"
    );
}

#[test]
fn the_generated_benchmark_cohort_scores_cleanly() {
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .join("examples")
        .join(format!("gen_cohort{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "{} not built; run through `cargo test`",
        example.display()
    );
    let generated = Command::new(&example).arg("1000").output().unwrap();
    assert!(generated.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.csv");
    std::fs::write(&path, &generated.stdout).unwrap();
    let out = vsend(&["score", p(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(summary(&out), (1000, 1000, 0));
}
