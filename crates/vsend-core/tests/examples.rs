//! The worked examples of the model (`fixtures/examples/`, see docs/model.md), matched to 1e-9.
//!
//! Checks: §3–§8 and §10: the worked examples of scoring, cohorts and timelines.

mod common;

use common::{assert_close, load_csv, read_json, read_jsonl};
use vsend_core::{parse_date, score, Cohort, Framework, GroupBy, ScoredRow, Timeline};

fn scored_json(fw: &Framework, name: &str) -> Vec<serde_json::Value> {
    load_csv(fw, name)
        .accepted
        .iter()
        .map(|(_, a)| serde_json::to_value(ScoredRow::new(fw, a, &score(fw, a))).unwrap())
        .collect()
}

#[test]
fn cohort_small_scores_match() {
    let fw = Framework::default();
    let got = scored_json(&fw, "cohort-small.csv");
    let want = read_jsonl("cohort-small.scored.jsonl");
    assert_eq!(got.len(), 36);
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("row {}", i + 1));
    }
}

/// §3 (1.2): a level written `2.0`, as pandas' `to_csv` writes it, is the
/// level 2: the pandas round trip of the cohort scores exactly as the original.
#[test]
fn a_pandas_round_trip_scores_as_the_original() {
    let fw = Framework::default();
    let text =
        std::fs::read_to_string(common::examples_dir().join("cohort-small.pandas.csv")).unwrap();
    assert!(text.contains(",2.0,"), "the example writes levels as 2.0");
    let got = scored_json(&fw, "cohort-small.pandas.csv");
    let want = read_jsonl("cohort-small.scored.jsonl");
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("row {}", i + 1));
    }
}

#[test]
fn bad_rows_are_rejected_exactly_and_the_rest_scored() {
    let fw = Framework::default();
    let loaded = load_csv(&fw, "cohort-bad-rows.csv");
    let text =
        std::fs::read_to_string(common::examples_dir().join("cohort-bad-rows.errors.txt")).unwrap();
    let mut want = Vec::new();
    let mut summary = "";
    for line in text.lines() {
        match line.strip_prefix("cohort-bad-rows.csv:") {
            Some(rest) => {
                let (n, field) = rest.split_once(": ").unwrap();
                want.push((n.parse::<u64>().unwrap(), field.to_owned()));
            }
            None => summary = line,
        }
    }
    let got: Vec<(u64, String)> = loaded
        .rejected
        .iter()
        .map(|(line, fields)| (*line, fields.join(", ")))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        summary,
        format!(
            "read {} scored {} rejected {}",
            loaded.rows,
            loaded.accepted.len(),
            loaded.rejected.len()
        )
    );
    assert_eq!(loaded.rows, loaded.accepted.len() + loaded.rejected.len());

    let scored = scored_json(&fw, "cohort-bad-rows.csv");
    let expected = read_jsonl("cohort-bad-rows.scored.jsonl");
    assert_eq!(scored.len(), expected.len());
    for (i, (g, w)) in scored.iter().zip(&expected).enumerate() {
        assert_close(g, w, &format!("accepted row {}", i + 1));
    }
}

fn cohort_summary(as_of: Option<&str>, by: GroupBy) -> serde_json::Value {
    let fw = Framework::default();
    let mut cohort = Cohort::new(&fw, as_of.map(|s| parse_date(s).unwrap()));
    for (_, a) in load_csv(&fw, "cohort-small.csv").accepted {
        cohort.add(&a).unwrap();
    }
    serde_json::to_value(cohort.summary(Some(by))).unwrap()
}

#[test]
fn cohort_by_setting_matches() {
    let got = cohort_summary(None, GroupBy::SettingId);
    assert_close(&got, &read_json("cohort-small.by-setting.json"), "summary");
}

#[test]
fn cohort_by_age_band_as_of_matches() {
    let got = cohort_summary(Some("2025-03-01"), GroupBy::AgeBand);
    assert_close(
        &got,
        &read_json("cohort-small.2025-03-01.by-age-band.json"),
        "summary",
    );
}

#[test]
fn timeline_matches() {
    let fw = Framework::default();
    let loaded = load_csv(&fw, "cohort-small.csv");
    let child: Vec<_> = loaded
        .accepted
        .iter()
        .map(|(_, a)| a)
        .filter(|a| a.child_id().as_str() == "C010000011")
        .collect();
    let t = Timeline::build(&fw, child, parse_date("2025-09-01")).unwrap();
    let got = serde_json::to_value(&t).unwrap();
    assert_close(&got, &read_json("timeline-C010000011.json"), "timeline");
}

#[test]
fn reversed_input_gives_the_same_summary_and_timeline() {
    let fw = Framework::default();
    let loaded = load_csv(&fw, "cohort-small.csv");
    let summary = |rows: &mut dyn Iterator<Item = &vsend_core::Assessment>| {
        let mut cohort = Cohort::new(&fw, None);
        for a in rows {
            cohort.add(a).unwrap();
        }
        serde_json::to_string(&cohort.summary(Some(GroupBy::PrimaryDomain))).unwrap()
    };
    let forward = summary(&mut loaded.accepted.iter().map(|(_, a)| a));
    let backward = summary(&mut loaded.accepted.iter().rev().map(|(_, a)| a));
    assert_eq!(forward, backward);
    let child = |a: &&vsend_core::Assessment| a.child_id().as_str() == "C010000011";
    let rows: Vec<_> = loaded
        .accepted
        .iter()
        .map(|(_, a)| a)
        .filter(child)
        .collect();
    let t = Timeline::build(&fw, rows.iter().copied(), None).unwrap();
    let r = Timeline::build(&fw, rows.iter().rev().copied(), None).unwrap();
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        serde_json::to_string(&r).unwrap()
    );
}
