//! `vsend forecast` (§15) and `vsend impact` (§16) through the real binary:
//! the worked examples of `fixtures/examples/` to 1e-9 (JSON and the
//! projection CSV, intervals included), the same bytes from a shuffled file
//! and from one or two threads, charts, and every bad option refused with
//! exit 2, the option and its range named, and nothing written.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{assert_close, example, fixture, p, read_json, stderr, vsend};
use serde_json::Value;

const HISTORY: &str = "history-small.csv";

/// Runs `vsend` with `args` and `RAYON_NUM_THREADS=threads`.
fn vsend_threads(threads: usize, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

/// The projection CSV against the `projection` of an expected §15 JSON:
/// one row per (school_year, phase), every number to 1e-9, null as empty.
fn assert_csv_matches(csv: &Path, want: &Value) {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut columns = vec![
        "school_year",
        "phase",
        "children",
        "children_low",
        "children_high",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    for d in ["cl", "ci", "sp", "semh", "ind"] {
        for f in ["high_need", "high_need_low", "high_need_high"] {
            columns.push(format!("{f}.{d}"));
        }
    }
    assert_eq!(header, columns);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected = want["projection"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (i, (row, w)) in rows.iter().zip(expected).enumerate() {
        let cell = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
        assert_eq!(cell("school_year"), w["school_year"].to_string(), "row {i}");
        assert_eq!(cell("phase"), w["phase"].as_str().unwrap(), "row {i}");
        let mut checks = vec![
            ("children", &w["children"]["expected"]),
            ("children_low", &w["children"]["low"]),
            ("children_high", &w["children"]["high"]),
        ];
        let names: Vec<(String, &Value)> = ["cl", "ci", "sp", "semh", "ind"]
            .into_iter()
            .flat_map(|d| {
                let e = &w["high_need"][d];
                [
                    (format!("high_need.{d}"), &e["expected"]),
                    (format!("high_need_low.{d}"), &e["low"]),
                    (format!("high_need_high.{d}"), &e["high"]),
                ]
            })
            .collect();
        checks.extend(names.iter().map(|(n, v)| (n.as_str(), *v)));
        for (name, want) in checks {
            let got = cell(name);
            match want.as_f64() {
                None => assert_eq!(got, "", "row {i} {name}: null is empty"),
                Some(want) => {
                    let got: f64 = got.parse().unwrap();
                    assert!(
                        (got - want).abs() <= 1e-9,
                        "row {i} {name}: {got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_three_forecast_examples_match_as_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let input = example(HISTORY);
    for (args, expected) in [
        (vec![], "history-small.forecast.json"),
        (
            vec!["--backtest", "--horizon", "2"],
            "history-small.forecast.backtest.json",
        ),
        (
            vec![
                "--as-of",
                "2022-03-01",
                "--horizon",
                "5",
                "--replicates",
                "0",
            ],
            "history-small.forecast.2022-03-01.b0.json",
        ),
    ] {
        let want = read_json(&example(expected));
        let json = dir.path().join("f.json");
        let mut run = vec!["forecast", p(&input), "-o", p(&json)];
        run.extend(&args);
        let out = vsend(&run);
        ok(&out);
        assert_close(&read_json(&json), &want, expected);
        let csv = dir.path().join("f.csv");
        let mut run = vec!["forecast", p(&input), "-o", p(&csv)];
        run.extend(&args);
        ok(&vsend(&run));
        assert_csv_matches(&csv, &want);
    }
}

#[test]
fn forecast_writes_json_to_stdout_without_o_and_says_what_it_rests_on() {
    let out = vsend(&["forecast", p(&example(HISTORY)), "--backtest"]);
    ok(&out);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["as_of"], "2022-07-05");
    assert_eq!(got["backtest"]["cells"].as_array().unwrap().len(), 30);
    let err = stderr(&out);
    assert!(
        err.contains("projected school years 2022 to 2024 from 2 years of history (47 children), 200 simulations"),
        "{err}"
    );
    assert!(
        err.contains("back-test from 2021-07-05: mean absolute error"),
        "{err}"
    );
    assert!(
        err.contains("361 rows read, 361 accepted, 0 rejected"),
        "{err}"
    );
    // stderr is not a terminal here: no progress bar.
    assert!(!err.contains("simulations, eta"), "{err}");
}

#[test]
fn impact_example_matches() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("impact.json");
    let out = vsend(&["impact", p(&example(HISTORY)), "-o", p(&json)]);
    ok(&out);
    assert_close(
        &read_json(&json),
        &read_json(&example("history-small.impact.json")),
        "impact",
    );
    assert!(stderr(&out).contains("49 children compared (three reviews in a row"));
    let stdout = vsend(&["impact", p(&example(HISTORY)), "--replicates", "0"]);
    ok(&stdout);
    let got: Value = serde_json::from_slice(&stdout.stdout).unwrap();
    assert_eq!(got["support"]["readiness"]["cl"]["low"], Value::Null);
    assert_close(
        &got["support"]["readiness"]["cl"]["effect"],
        &read_json(&example("history-small.impact.json"))["support"]["readiness"]["cl"]["effect"],
        "effect without replicates",
    );
}

/// `text` with its data rows in an order drawn from `seed`, header first.
fn shuffled(text: &str, seed: u64) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let mut state = seed;
    for i in (2..lines.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = 1 + (state >> 33) as usize % i;
        lines.swap(i, j);
    }
    lines.join("\n") + "\n"
}

#[test]
fn a_shuffled_file_and_one_or_two_threads_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(example(HISTORY)).unwrap();
    let mixed = dir.path().join("mixed.csv");
    let text = shuffled(&original, 42);
    assert_ne!(text, original);
    std::fs::write(&mixed, text).unwrap();
    let mut runs: Vec<Vec<Vec<u8>>> = Vec::new();
    for (input, threads) in [
        (example(HISTORY), 1),
        (example(HISTORY), 2),
        (mixed.clone(), 2),
        (mixed, 1),
    ] {
        let run_dir = tempfile::tempdir().unwrap();
        let f = |name: &str| run_dir.path().join(name);
        let (json, csv, fan, impact, forest) = (
            f("f.json"),
            f("f.csv"),
            f("fan.svg"),
            f("i.json"),
            f("forest.svg"),
        );
        let common = ["--backtest", "--replicates", "64", "--seed", "7"];
        let mut args = vec!["forecast", p(&input), "-o", p(&json), "--chart", p(&fan)];
        args.extend(common);
        ok(&vsend_threads(threads, &args));
        let mut args = vec!["forecast", p(&input), "-o", p(&csv)];
        args.extend(common);
        ok(&vsend_threads(threads, &args));
        ok(&vsend_threads(
            threads,
            &[
                "impact",
                p(&input),
                "-o",
                p(&impact),
                "--chart",
                p(&forest),
                "--seed",
                "7",
            ],
        ));
        runs.push(
            [json, csv, fan, impact, forest]
                .iter()
                .map(|path| std::fs::read(path).unwrap())
                .collect(),
        );
    }
    for run in &runs[1..] {
        for (i, (a, b)) in runs[0].iter().zip(run).enumerate() {
            assert!(a == b, "output {i} differs");
        }
    }
    // The seed matters, so the comparison is not vacuous.
    let other = vsend(&["impact", p(&example(HISTORY)), "--seed", "8"]);
    assert_ne!(other.stdout, runs[0][3]);
}

#[test]
fn charts_are_written_beside_the_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let (fan, forest) = (dir.path().join("fan.png"), dir.path().join("forest.svg"));
    let out = vsend(&[
        "forecast",
        p(&example(HISTORY)),
        "--backtest",
        "-o",
        "/dev/null",
        "--chart",
        p(&fan),
    ]);
    ok(&out);
    assert_eq!(&std::fs::read(&fan).unwrap()[1..4], b"PNG");
    let out = vsend(&[
        "impact",
        p(&example(HISTORY)),
        "-o",
        "/dev/null",
        "--chart",
        p(&forest),
    ]);
    ok(&out);
    let svg = std::fs::read_to_string(&forest).unwrap();
    for words in [
        "left of zero: needs fell more after support rose",
        "not proof of cause",
    ] {
        assert!(svg.contains(words), "{words}");
    }
    // A picture needs .svg or .png, checked before any row is read.
    let out = vsend(&["impact", p(&example(HISTORY)), "--chart", "x.gif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--chart x.gif: allowed extensions .svg or .png"));
    assert!(!stderr(&out).contains("rows read"), "nothing read");
}

/// Runs `args` with `-o` at an existing file and a `--chart` that does not
/// exist yet: exit 2, each of `words` on stderr, the file unchanged and
/// no chart.
fn refused(args: &[&str], words: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.json");
    std::fs::write(&out_path, "keep me").unwrap();
    let chart = dir.path().join("chart.svg");
    let mut run = args.to_vec();
    run.extend(["-o", p(&out_path), "--chart", p(&chart)]);
    let out = vsend(&run);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: {w:?} not in {err:?}");
    }
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "keep me",
        "{args:?}"
    );
    assert!(!chart.exists(), "{args:?}: chart written");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "{args:?}: no temporary file left");
    assert!(out.stdout.is_empty(), "{args:?}");
}

#[test]
fn bad_options_are_refused_naming_the_option_and_its_range() {
    let input = example(HISTORY);
    let h = p(&input);
    let whole = |from: &str, to: &str| format!("allowed a whole number from {from} to {to}");
    for (args, words) in [
        (vec!["--horizon", "0"], vec!["--horizon".to_owned(), whole("1", "5")]),
        (vec!["--horizon", "6"], vec!["--horizon".into(), whole("1", "5")]),
        (vec!["--replicates", "-1"], vec!["--replicates".into(), whole("0", "10000")]),
        (vec!["--replicates", "10001"], vec!["--replicates".into(), whole("0", "10000")]),
        (
            vec!["--seed", "1.5"],
            vec!["--seed".into(), whole("0", "18446744073709551615")],
        ),
        (vec!["--seed", "x"], vec!["--seed".into(), "not allowed".into()]),
        (vec!["--history", "0"], vec!["--history".into(), whole("1", "10")]),
        (vec!["--history", "11"], vec!["--history".into(), whole("1", "10")]),
        (vec!["--inflow-years", "0"], vec!["--inflow-years".into(), whole("1", "10")]),
        (
            vec!["--backtest", "--history", "1"],
            vec![
                "--backtest needs at least two years of history".into(),
                "--history 2 to 10".into(),
                "found 1 year".into(),
                "nothing written".into(),
            ],
        ),
        (
            vec!["--backtest", "--as-of", "2021-03-01"],
            vec!["--backtest needs at least two years of history before 2021-03-01".into()],
        ),
        (
            vec!["--as-of", "2019-01-01"],
            vec![
                "--as-of 2019-01-01 is before every assessment (the first is on 2019-09-26)".into(),
                "allowed from 2020-09-26".into(),
            ],
        ),
        (
            vec!["--as-of", "2020-06-01"],
            vec![
                "--as-of 2020-06-01: a projection needs at least one year of history before 2020-06-01".into(),
                "allowed --as-of 2020-09-26 or later".into(),
                "nothing written".into(),
            ],
        ),
        (vec!["--as-of", "01/06/2022"], vec!["--as-of".into(), "YYYY-MM-DD".into()]),
    ] {
        let mut run = vec!["forecast", h];
        run.extend(args);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        refused(&run, &words);
    }
    for (args, words) in [
        (
            vec!["--replicates", "10001"],
            vec!["--replicates", "from 0 to 10000"],
        ),
        (
            vec!["--seed", "-1"],
            vec!["--seed", "from 0 to 18446744073709551615"],
        ),
        (
            vec!["--as-of", "2019-01-01"],
            vec![
                "--as-of 2019-01-01 is before every assessment",
                "allowed a date on or after 2019-09-26",
            ],
        ),
    ] {
        let mut run = vec!["impact", h];
        run.extend(args);
        refused(&run, &words);
    }
}

#[test]
fn outputs_are_checked_before_any_row_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let h = example(HISTORY);
    for (args, words) in [
        (
            vec!["forecast", p(&h), "-o", "x.txt"],
            "-o: unknown output extension .txt; allowed .json, .csv or .xlsx",
        ),
        (
            vec!["impact", p(&h), "-o", "x.csv"],
            "-o: unknown output extension .csv; allowed .json",
        ),
        (vec!["forecast", p(&h), "-o", p(&h)], "-o"),
    ] {
        let out = vsend(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("rows read"),
            "{args:?}: read nothing"
        );
    }
    // The chart and -o may not be one file.
    let same = dir.path().join("same.svg");
    let out = vsend(&["forecast", p(&h), "-o", p(&same), "--chart", p(&same)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!same.exists());
}

#[test]
fn rejected_rows_are_reported_and_the_rest_projected() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("with-bad.csv");
    let mut text = std::fs::read_to_string(example(HISTORY)).unwrap();
    let header_fields = text.lines().next().unwrap().split(',').count();
    // A level above the scale, and a same-date duplicate of the first row.
    let first = text.lines().nth(1).unwrap().to_owned();
    let mut bad: Vec<String> = first.split(',').map(str::to_owned).collect();
    bad[4] = "9".into();
    assert_eq!(bad.len(), header_fields);
    text.push_str(&bad.join(","));
    text.push('\n');
    text.push_str(&first);
    text.push('\n');
    std::fs::write(&input, text).unwrap();
    let json = dir.path().join("f.json");
    let out = vsend(&["forecast", p(&input), "-o", p(&json)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("363 rows read, 361 accepted, 2 rejected"));
    assert_close(
        &read_json(&json),
        &read_json(&example("history-small.forecast.json")),
        "forecast",
    );
}

#[test]
fn the_shipped_history_runs_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let history = fixture("history.csv");
    let (json, fan) = (
        dir.path().join("forecast.json"),
        dir.path().join("forecast.png"),
    );
    let out = vsend(&[
        "forecast",
        p(&history),
        "--backtest",
        "-o",
        p(&json),
        "--chart",
        p(&fan),
    ]);
    ok(&out);
    let f = read_json(&json);
    assert_eq!(f["history"]["years"], 5);
    assert_eq!(f["backtest"]["cells"].as_array().unwrap().len(), 30);
    let (json, forest) = (
        dir.path().join("impact.json"),
        dir.path().join("impact.png"),
    );
    ok(&vsend(&[
        "impact",
        p(&history),
        "-o",
        p(&json),
        "--chart",
        p(&forest),
    ]));
    assert!(read_json(&json)["children"].as_u64().unwrap() > 100);
}
