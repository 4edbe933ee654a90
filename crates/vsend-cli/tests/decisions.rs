//! The decision-support commands (§11–§14) on the worked examples: phase moves,
//! transition plans, banded scoring and cohorts, suppression and comparison,
//! and the pictures that go with them.

mod common;

use std::process::Output;

use common::{assert_close, example, p, read_json, read_jsonl, stderr, vsend};

/// The closing summary line's counts of `name`: (read, accepted, rejected), reconciled.
fn counts(out: &Output, name: &str) -> (u64, u64, u64) {
    let err = stderr(out);
    let line = err
        .lines()
        .rfind(|l| l.contains(name) && l.contains("rows read"))
        .unwrap_or_else(|| panic!("no summary line for {name} in {err}"));
    let nums: Vec<u64> = line
        .rsplit(": ")
        .next()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(nums[0], nums[1] + nums[2], "counts must reconcile: {line}");
    (nums[0], nums[1], nums[2])
}

#[test]
fn phase_moves_for_2025_match_the_worked_example() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("moves.json");
    let cohort = example("cohort-small.csv");
    let out = vsend(&[
        "transitions",
        p(&cohort),
        "--year",
        "2025",
        "-o",
        p(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let want = read_json(&example("transitions-small-2025.json"));
    assert_close(&read_json(&out_path), &want, "moves");
    let out = vsend(&["transitions", p(&cohort), "--year", "twenty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a year"));
}

#[test]
fn transition_plans_match_and_bad_plans_are_reported_on_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (cohort, plans) = (example("cohort-small.csv"), example("plans-small.csv"));
    let jsonl = dir.path().join("plans.jsonl");
    let errors = dir.path().join("problems.csv");
    let out = vsend(&[
        "transition",
        p(&cohort),
        p(&plans),
        "-o",
        p(&jsonl),
        "--errors",
        p(&errors),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(counts(&out, "plans-small.csv"), (20, 13, 7));
    let got = read_jsonl(&jsonl);
    let want = read_jsonl(&example("plans-small.expected.jsonl"));
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("plan {i}"));
    }
    // Each rejected line names what the worked example says is wrong with it.
    let report = std::fs::read_to_string(&errors).unwrap();
    let expected = std::fs::read_to_string(example("plans-small.errors.txt")).unwrap();
    for want in expected.lines() {
        let (line, what) = want
            .trim_start_matches("plans-small.csv:")
            .split_once(": ")
            .unwrap();
        let what = match what {
            "wrong number of fields" => "fields; allowed exactly",
            other => other,
        };
        assert!(
            report
                .lines()
                .any(|r| r.starts_with(&format!("{line},")) && r.contains(what)),
            "line {line} should name {what:?}: {report}"
        );
    }
    // CSV: one header column per cell on every row.
    let out = vsend(&["transition", p(&cohort), p(&plans)]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let mut lines = text.lines();
    let width = lines.next().unwrap().split(',').count();
    assert_eq!(width, 40);
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 13);
    assert!(rows.iter().all(|r| r.split(',').count() == width), "{text}");
    assert!(
        stderr(&out).contains("plans-small.csv:16: column child_id: no assessment of C999"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn banded_scoring_and_cohort_match_the_worked_examples() {
    let dir = tempfile::tempdir().unwrap();
    let (cohort, fw) = (
        example("cohort-small.csv"),
        example("framework-banded.json"),
    );
    let scored = dir.path().join("scored.jsonl");
    let out = vsend(&["score", p(&cohort), "--framework", p(&fw), "-o", p(&scored)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let want = read_jsonl(&example("cohort-small.banded.scored.jsonl"));
    let got = read_jsonl(&scored);
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("row {i}"));
    }
    let out = vsend(&["score", p(&cohort), "--framework", p(&fw)]);
    let text = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == "primary_domain").unwrap();
    assert_eq!(
        header[at + 1..at + 5],
        ["band_score", "band", "band_raised_by", "top_up"]
    );
    assert!(text.lines().all(|l| l.split(',').count() == header.len()));

    let summary = dir.path().join("cohort.json");
    let out = vsend(&[
        "cohort",
        p(&cohort),
        "--framework",
        p(&fw),
        "--by",
        "setting_id",
        "-o",
        p(&summary),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let want = read_json(&example("cohort-small.banded.by-setting.json"));
    assert_close(&read_json(&summary), &want, "summary");
}

#[test]
fn shared_summaries_match_the_three_worked_examples() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = example("cohort-small.csv");
    for (by, k, b, expected) in [
        (
            "setting_id",
            "3",
            None,
            "cohort-small.by-setting.suppress3.json",
        ),
        (
            "age_band",
            "4",
            None,
            "cohort-small.by-age-band.suppress4.json",
        ),
        (
            "setting_id",
            "3",
            Some("3"),
            "cohort-small.by-setting.suppress3.round3.json",
        ),
    ] {
        let path = dir.path().join(format!("{by}-{k}.json"));
        let mut args = vec!["cohort", p(&cohort), "--by", by, "--suppress", k];
        if let Some(b) = b {
            args.extend(["--round", b]);
        }
        args.extend(["-o", p(&path)]);
        let out = vsend(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_close(&read_json(&path), &read_json(&example(expected)), expected);
    }
}

#[test]
fn bad_suppression_options_are_exit_2_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = example("cohort-small.csv");
    let out_path = dir.path().join("shared.json");
    for (args, says) in [
        (
            &["--suppress", "3", "--round", "2"][..],
            "B is a whole number from 3 to 100",
        ),
        (
            &["--suppress", "3", "--round", "101"][..],
            "B is a whole number from 3 to 100",
        ),
        (&["--round", "5"][..], "--suppress"),
        (
            &["--suppress", "1"][..],
            "K is a whole number from 2 to 100",
        ),
        (
            &["--suppress", "101"][..],
            "K is a whole number from 2 to 100",
        ),
        (
            &["--suppress", "0"][..],
            "K is a whole number from 2 to 100",
        ),
        (
            &["--suppress", "three"][..],
            "K is a whole number from 2 to 100",
        ),
        (
            &["--suppress", "3", "--round", "4.5"][..],
            "B is a whole number from 3 to 100",
        ),
    ] {
        let mut all = vec!["cohort", p(&cohort), "--by", "setting_id"];
        all.extend(args);
        all.extend(["-o", p(&out_path)]);
        let out = vsend(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!out_path.exists(), "{args:?}: nothing is written");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // The bounds themselves are allowed.
    for args in [
        &["--suppress", "2", "--round", "3"][..],
        &["--suppress", "100", "--round", "100"][..],
    ] {
        let mut all = vec!["cohort", p(&cohort)];
        all.extend(args);
        let out = vsend(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn comparison_matches_and_refuses_what_is_not_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        example("term-2024-autumn.json"),
        example("term-2025-summer.json"),
    );
    let json = dir.path().join("compare.json");
    let png = dir.path().join("compare.png");
    let out = vsend(&["compare", p(&a), p(&b), "-o", p(&json), "--chart", p(&png)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut got = read_json(&json);
    // Both terms are exact: each row says so (a key MODEL 1.2's rounded
    // summaries need, not in the worked example), and so does the report.
    for row in got["rows"].as_array_mut().unwrap() {
        let suppression = row.as_object_mut().unwrap().remove("suppression");
        assert_eq!(suppression, Some(serde_json::Value::Null));
    }
    assert_close(
        &got,
        &read_json(&example("compare-terms.json")),
        "comparison",
    );
    assert!(
        stderr(&out).contains("the reference; all exact"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    // One JSON that is not a summary, a CSV, a summary of another framework.
    let not_summary = example("timeline-C010000011.json");
    let out = vsend(&["compare", p(&not_summary)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a cohort summary"),
        "{}",
        stderr(&out)
    );
    let out = vsend(&["compare", p(&a), p(&example("cohort-small.csv"))]);
    assert_eq!(out.status.code(), Some(2));
    let other = dir.path().join("other.json");
    let text = std::fs::read_to_string(&b)
        .unwrap()
        .replace("vsend-default", "our-own");
    std::fs::write(&other, text).unwrap();
    let out = vsend(&["compare", p(&a), p(&other), "-o", p(&json)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("our-own"), "{}", stderr(&out));
}

#[test]
fn a_transition_radar_and_a_band_footer_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let (cohort, plans) = (example("cohort-small.csv"), example("plans-small.csv"));
    let svg = dir.path().join("plan.svg");
    let base = [
        "chart",
        p(&cohort),
        "--plan",
        p(&plans),
        "--child",
        "C010000001",
    ];
    let out = vsend(&[&base[..], &["-o", p(&svg)]].concat());
    assert_eq!(out.status.code(), Some(2), "two plans: --on picks one");
    assert!(
        stderr(&out).contains("pick one with --on DATE"),
        "{}",
        stderr(&out)
    );
    let out = vsend(&[&base[..], &["--on", "2025-09-03", "-o", p(&svg)]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("not ready"), "the unmet domains are marked");
    assert!(text.contains("S0007"), "the receiving setting is named");

    let radar = dir.path().join("banded.svg");
    let fw = example("framework-banded.json");
    let out = vsend(&[
        "chart",
        p(&cohort),
        "--child",
        "C010000011",
        "--framework",
        p(&fw),
        "-o",
        p(&radar),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&radar).unwrap();
    assert!(text.contains("Band C"), "the band is in the footer");
}

#[test]
fn compare_reads_exact_and_shared_summaries_and_names_the_rounded_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (exact, shared) = (
        example("cohort-small.by-setting.json"),
        example("cohort-small.by-setting.suppress3.round3.json"),
    );
    let json = dir.path().join("compare.json");
    let svg = dir.path().join("compare.svg");
    let out = vsend(&[
        "compare",
        p(&exact),
        p(&shared),
        "-o",
        p(&json),
        "--chart",
        p(&svg),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = read_json(&json);
    assert_eq!(got["rows"][0]["suppression"], serde_json::Value::Null);
    assert_eq!(
        got["rows"][1]["suppression"],
        serde_json::json!({"min_count": 3, "round_to": 3})
    );
    // The shared row's figures come from its shown counts; the rest are null.
    assert_eq!(got["rows"][1]["cl"]["mean_need"], 1.75);
    assert_eq!(got["rows"][1]["ci"]["mean_need"], serde_json::Value::Null);
    assert_eq!(
        got["rows"][1]["cl"]["met_by_family"],
        serde_json::Value::Null
    );
    let err = stderr(&out);
    assert!(
        err.contains("shared, so rounded: cohort-small.by-setting.suppress3.round3 (counts under 3 hidden, the rest rounded to multiples of 3)"),
        "{err}"
    );
    // In the chart a null is an empty bar saying "suppressed", never a 0 bar.
    let text = std::fs::read_to_string(&svg).unwrap();
    let nulls = ["cl", "ci", "sp", "semh", "ind"]
        .iter()
        .flat_map(|d| ["mean_need", "met_by_setting"].map(|f| &got["rows"][1][d][f]))
        .filter(|v| v.is_null())
        .count();
    assert!(nulls > 0);
    let labels = |words: &str| text.matches(&format!("aria-label=\"{words}\"")).count();
    assert_eq!(labels("suppressed"), nulls, "one label per null");
    assert_eq!(labels("no data"), 0);
    assert!(
        !text.contains("aria-label=\"0\"") || labels("0") == 1,
        "only the 0 grid label"
    );
    assert!(
        text.contains("others rounded to 3s"),
        "the legend says which input was rounded"
    );
}

/// Writes `value` as `dir/name` and runs `vsend compare` on a term summary and it.
fn compare_with(dir: &std::path::Path, name: &str, value: &serde_json::Value) -> Output {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    let out_path = dir.join("out.json");
    let out = vsend(&[
        "compare",
        p(&example("term-2025-summer.json")),
        p(&path),
        "-o",
        p(&out_path),
    ]);
    assert!(!out_path.exists(), "{name}: nothing is written");
    out
}

#[test]
fn compare_refuses_impossible_summaries_naming_the_key_path() {
    let dir = tempfile::tempdir().unwrap();
    let base = read_json(&example("term-2024-autumn.json"));
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    for (case, value, says) in [
        (
            "share-5",
            edit(&|v| v["groups"]["all"]["cl"]["met_by_setting"] = 5.into()),
            "groups.all.cl.met_by_setting: 5 is not allowed; allowed a share from 0 to 1, or null",
        ),
        (
            "share-minus-1",
            edit(&|v| v["groups"]["all"]["semh"]["met_by_family"] = (-1).into()),
            "groups.all.semh.met_by_family: -1 is not allowed; allowed a share from 0 to 1, or null",
        ),
        (
            "high-need-above-n",
            edit(&|v| v["groups"]["all"]["ci"]["high_need"] = 1000.into()),
            "groups.all.ci.high_need: 1000 is not allowed; allowed at most n (12)",
        ),
        (
            "mean-1e308",
            edit(&|v| v["groups"]["all"]["sp"]["mean_need"] = 1e308.into()),
            "groups.all.sp.mean_need: 1e+308 is not allowed; allowed a level from 0 to 4, or null",
        ),
        (
            "missing-key",
            edit(&|v| {
                v["groups"]["all"]["ind"].as_object_mut().unwrap().remove("n");
            }),
            "groups.all.ind.n: missing",
        ),
        (
            "a-number",
            serde_json::json!(12),
            "the top level: 12 is not allowed; allowed an object with as_of, framework_id, framework_version and groups",
        ),
        (
            "model-1-1",
            {
                let mut v = read_json(&example("cohort-small.by-setting.suppress3.json"));
                v["suppression"] = serde_json::json!({"min_count": 3});
                v
            },
            "without round_to is a shared summary of MODEL 1.1",
        ),
    ] {
        let out = compare_with(dir.path(), &format!("{case}.json"), &value);
        assert_eq!(out.status.code(), Some(2), "{case}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("{case}.json: not a cohort summary written by vsend cohort: ")), "{case}: {err}");
        assert!(err.contains(says), "{case}: {err}");
    }
}

#[test]
fn compare_refuses_two_inputs_with_one_label() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        std::fs::copy(
            example("term-2024-autumn.json"),
            dir.path().join(sub).join("x.json"),
        )
        .unwrap();
    }
    let (a, b) = (dir.path().join("a/x.json"), dir.path().join("b/x.json"));
    let out_path = dir.path().join("out.json");
    let out = vsend(&["compare", p(&a), p(&b), "-o", p(&out_path)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} and {}: both are labelled \"x\"", p(&a), p(&b))),
        "{err}"
    );
    assert!(!out_path.exists());
}
