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
fn suppressed_summaries_match_and_k_below_2_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = example("cohort-small.csv");
    for (by, k, expected) in [
        ("setting_id", "3", "cohort-small.by-setting.suppress3.json"),
        ("age_band", "4", "cohort-small.by-age-band.suppress4.json"),
    ] {
        let path = dir.path().join(format!("{by}-{k}.json"));
        let out = vsend(&[
            "cohort",
            p(&cohort),
            "--by",
            by,
            "--suppress",
            k,
            "-o",
            p(&path),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_close(&read_json(&path), &read_json(&example(expected)), expected);
    }
    for k in ["1", "0", "two"] {
        let out = vsend(&["cohort", p(&cohort), "--suppress", k]);
        assert_eq!(out.status.code(), Some(2), "--suppress {k}");
        assert!(
            stderr(&out).contains("K is a whole number, at least 2"),
            "{}",
            stderr(&out)
        );
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
    assert_close(
        &read_json(&json),
        &read_json(&example("compare-terms.json")),
        "comparison",
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
