//! The v1.1 worked examples of MODEL.md §11–§14 (`fixtures/examples/`), matched to 1e-9.

mod common;

use common::{assert_close, example_framework, example_json, example_jsonl, load_example_csv};
use vsend_core::{score, Cohort, Framework, GroupBy, ScoredRow, BANDED_COLUMNS};

fn cohort<'f>(fw: &'f Framework) -> Cohort<'f> {
    let mut cohort = Cohort::new(fw, None);
    for (_, a) in load_example_csv(fw, "cohort-small.csv").accepted {
        cohort.add(&a).unwrap();
    }
    cohort
}

#[test]
fn banded_scores_match() {
    let fw = example_framework("framework-banded.json");
    let loaded = load_example_csv(&fw, "cohort-small.csv");
    let want = example_jsonl("cohort-small.banded.scored.jsonl");
    assert_eq!(loaded.accepted.len(), want.len());
    for (i, ((_, a), w)) in loaded.accepted.iter().zip(&want).enumerate() {
        let row = ScoredRow::new(&fw, a, &score(&fw, a));
        assert_eq!(row.columns(), BANDED_COLUMNS);
        assert_eq!(row.cells().len(), BANDED_COLUMNS.len());
        let got = serde_json::to_value(&row).unwrap();
        assert_close(&got, w, &format!("row {}", i + 1));
        let back: ScoredRow<'static> = serde_json::from_value(got).unwrap();
        assert_eq!(back, row, "row {} round-trips", i + 1);
    }
}

#[test]
fn banded_cohort_by_setting_matches() {
    let fw = example_framework("framework-banded.json");
    let got = serde_json::to_value(cohort(&fw).summary(Some(GroupBy::SettingId))).unwrap();
    assert_close(
        &got,
        &example_json("cohort-small.banded.by-setting.json"),
        "summary",
    );
}

#[test]
fn suppress_3_by_setting_matches() {
    let fw = Framework::default();
    let got = cohort(&fw)
        .summary_suppressed(Some(GroupBy::SettingId), 3)
        .unwrap();
    assert!(got.group("setting_id=S0002").is_none());
    assert!(got.group("setting_id=other").is_none());
    let got = serde_json::to_value(&got).unwrap();
    assert_close(
        &got,
        &example_json("cohort-small.by-setting.suppress3.json"),
        "summary",
    );
}

#[test]
fn suppress_4_by_age_band_matches() {
    let fw = Framework::default();
    let got = cohort(&fw)
        .summary_suppressed(Some(GroupBy::AgeBand), 4)
        .unwrap();
    let got = serde_json::to_value(&got).unwrap();
    assert_close(
        &got,
        &example_json("cohort-small.by-age-band.suppress4.json"),
        "summary",
    );
}

#[test]
fn suppression_refuses_k_below_2() {
    let fw = Framework::default();
    let c = cohort(&fw);
    for k in [0, 1] {
        assert_eq!(
            c.summary_suppressed(None, k).unwrap_err(),
            vsend_core::SuppressError::MinCountTooSmall(k)
        );
    }
    assert!(c.summary_suppressed(None, 2).is_ok());
}
