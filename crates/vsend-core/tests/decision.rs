//! The worked examples of docs/model.md §11–§14 (`fixtures/examples/`, MODEL 1.2), matched to 1e-9.

mod common;

use common::{assert_close, example_framework, example_json, example_jsonl, load_example_csv};
use vsend_core::history::Keep;
use vsend_core::{
    compare, compare_json, score, transition, Cohort, CompareError, Format, Framework, GroupBy,
    Histories, NotASummary, PlanLayout, ScoredRow, SummaryFile, Suppression, BANDED_COLUMNS,
    PLAN_COLUMNS,
};

fn k_b(k: u64, b: Option<u64>) -> Suppression {
    Suppression::new(k, b).unwrap()
}

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
    let got = cohort(&fw).summary_suppressed(Some(GroupBy::SettingId), k_b(3, None));
    assert_eq!(got.suppression.round_to(), 5, "B defaults to max(5, K)");
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
fn suppress_3_round_3_by_setting_matches() {
    let fw = Framework::default();
    let got = cohort(&fw).summary_suppressed(Some(GroupBy::SettingId), k_b(3, Some(3)));
    let got = serde_json::to_value(&got).unwrap();
    assert_close(
        &got,
        &example_json("cohort-small.by-setting.suppress3.round3.json"),
        "summary",
    );
}

#[test]
fn suppress_4_by_age_band_matches() {
    let fw = Framework::default();
    let got = cohort(&fw).summary_suppressed(Some(GroupBy::AgeBand), k_b(4, None));
    let got = serde_json::to_value(&got).unwrap();
    assert_close(
        &got,
        &example_json("cohort-small.by-age-band.suppress4.json"),
        "summary",
    );
}

#[test]
fn suppression_options_outside_their_ranges_are_refused() {
    use vsend_core::SuppressError;
    for k in [0, 1, 101, u64::MAX] {
        assert_eq!(Suppression::new(k, None), Err(SuppressError::MinCount(k)));
    }
    for b in [0, 2, 101] {
        assert_eq!(Suppression::new(3, Some(b)), Err(SuppressError::RoundTo(b)));
    }
    let err = Suppression::new(101, None).unwrap_err().to_string();
    assert!(
        err.contains("101") && err.contains("from 2 to 100"),
        "{err}"
    );
    for (k, b) in [(2, 3), (100, 100), (10, 3)] {
        let s = k_b(k, Some(b));
        assert_eq!((s.min_count(), s.round_to()), (k, b));
    }
}

#[test]
fn phase_moves_2025_match() {
    let fw = Framework::default();
    let got = serde_json::to_value(cohort(&fw).phase_moves(2025)).unwrap();
    assert_close(
        &got,
        &example_json("transitions-small-2025.json"),
        "transitions",
    );
}

/// Reads plans-small.csv against cohort-small.csv: the accepted plan rows as
/// JSON, and each rejected line with its reasons in the shorthand of
/// plans-small.errors.txt.
fn plans() -> (
    Vec<serde_json::Value>,
    Vec<(u64, String)>,
    Vec<vsend_core::PlanRow>,
) {
    let fw = Framework::default();
    let mut histories = Histories::new(Keep::All);
    for (_, a) in load_example_csv(&fw, "cohort-small.csv").accepted {
        histories.add(&a).unwrap();
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(common::examples_dir().join("plans-small.csv"))
        .unwrap();
    let header = reader.headers().unwrap().clone();
    let layout = PlanLayout::new(header.iter()).unwrap();
    let (mut rows, mut rejected, mut typed) = (vec![], vec![], vec![]);
    for record in reader.records() {
        let record = record.unwrap();
        let line = record.position().unwrap().line();
        if record.len() != header.len() {
            rejected.push((line, "wrong number of fields".to_owned()));
            continue;
        }
        let plan = match layout.plan(&fw, record.iter()) {
            Ok(plan) => plan,
            Err(errors) => {
                let fields: Vec<String> = errors
                    .iter()
                    .map(|e| e.field().name_in(Format::Csv))
                    .collect();
                rejected.push((line, fields.join(", ")));
                continue;
            }
        };
        match transition(&fw, histories.get(plan.child_id()), &plan) {
            Ok(row) => {
                rows.push(serde_json::to_value(&row).unwrap());
                typed.push(row);
            }
            Err(e) => {
                assert_eq!(
                    e.to_string(),
                    format!(
                        "no assessment of {} on or before {}",
                        plan.child_id(),
                        plan.move_on()
                    )
                );
                rejected.push((line, "no assessment".to_owned()));
            }
        }
    }
    (rows, rejected, typed)
}

#[test]
fn plans_match_and_the_seven_bad_plans_are_rejected_for_their_reasons() {
    let (rows, rejected, typed) = plans();
    let want = example_jsonl("plans-small.expected.jsonl");
    assert_eq!(rows.len(), 13);
    assert_eq!(rows.len(), want.len());
    for (i, (g, w)) in rows.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("plan {}", i + 1));
    }
    let want_rejected: Vec<(u64, String)> = common::example_text("plans-small.errors.txt")
        .lines()
        .map(|l| {
            let rest = l.strip_prefix("plans-small.csv:").unwrap();
            let (n, why) = rest.split_once(": ").unwrap();
            (n.parse().unwrap(), why.to_owned())
        })
        .collect();
    assert_eq!(want_rejected.len(), 7);
    assert_eq!(rejected, want_rejected);
    for row in &typed {
        assert_eq!(row.cells().len(), PLAN_COLUMNS.len());
    }
}

#[test]
fn comparing_terms_matches() {
    let inputs: Vec<(String, String)> = ["term-2024-autumn", "term-2025-summer"]
        .iter()
        .map(|stem| {
            (
                stem.to_string(),
                common::example_text(&format!("{stem}.json")),
            )
        })
        .collect();
    let borrowed: Vec<(String, &str)> = inputs
        .iter()
        .map(|(l, t)| (l.clone(), t.as_str()))
        .collect();
    let mut got = serde_json::to_value(compare_json(&borrowed).unwrap()).unwrap();
    // Both terms are exact summaries: each row says so with a null suppression
    // (a key added for MODEL 1.2's rounded summaries, not in the worked example).
    for row in got["rows"].as_array_mut().unwrap() {
        let suppression = row.as_object_mut().unwrap().remove("suppression");
        assert_eq!(suppression, Some(serde_json::Value::Null));
    }
    assert_close(&got, &example_json("compare-terms.json"), "comparison");
}

#[test]
fn summaries_written_by_vsend_read_back_suppressed_banded_or_not() {
    let plain = Framework::default();
    let banded = example_framework("framework-banded.json");
    let texts = [
        serde_json::to_string(&cohort(&plain).summary(Some(GroupBy::SettingId))).unwrap(),
        serde_json::to_string(&cohort(&banded).summary(Some(GroupBy::AgeBand))).unwrap(),
        serde_json::to_string(
            &cohort(&banded).summary_suppressed(Some(GroupBy::AgeBand), k_b(4, Some(3))),
        )
        .unwrap(),
        common::example_text("cohort-small.by-setting.suppress3.json"),
        common::example_text("cohort-small.by-setting.suppress3.round3.json"),
        common::example_text("cohort-small.by-age-band.suppress4.json"),
        common::example_text("cohort-small.banded.by-setting.json"),
        common::example_text("term-2024-autumn.json"),
    ];
    for text in &texts {
        let file = SummaryFile::from_json(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.max_level(), 4);
    }
    let shared = SummaryFile::from_json(&texts[2]).unwrap();
    assert_eq!(shared.suppression(), Some(k_b(4, Some(3))));
    assert!(shared.all().bands.is_some());
    assert_eq!(
        SummaryFile::from_json(&texts[0]).unwrap().suppression(),
        None
    );
}

#[test]
fn comparison_refuses_other_frameworks_and_non_summaries() {
    let fw = Framework::default();
    let text = serde_json::to_string(&cohort(&fw).summary(None)).unwrap();
    let other_id = text.replace("\"vsend-default\"", "\"other\"");
    let err = compare_json(&[("a".into(), &text), ("b".into(), &other_id)]).unwrap_err();
    assert!(
        matches!(err, CompareError::DifferentFramework { .. }),
        "{err}"
    );

    // A six-level scale: every histogram one entry longer.
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for d in ["cl", "ci", "sp", "semh", "ind"] {
        value["groups"]["all"][d]["histogram"]
            .as_array_mut()
            .unwrap()
            .push(0.into());
    }
    let longer = value.to_string();
    let err = compare_json(&[("a".into(), &text), ("b".into(), &longer)]).unwrap_err();
    assert_eq!(
        err,
        CompareError::DifferentScale {
            label: "b".into(),
            found: 5,
            reference: 4
        }
    );

    let scored = common::example_text("cohort-small.banded.scored.jsonl");
    let first_row = scored.lines().next().unwrap();
    for bad in [
        first_row,
        "[1, 2]",
        "{}",
        text.replace("\"overdue\"", "\"late\"").as_str(),
    ] {
        let err = compare_json(&[("a".into(), &text), ("bad".into(), bad)]).unwrap_err();
        assert!(
            matches!(&err, CompareError::NotASummary { label, .. } if label == "bad"),
            "{err}"
        );
    }
    // A figure left out is refused too, not read as null, and named by its path.
    for (group_path, key) in [
        ("all", "mean_need_index"),
        ("all/cl", "high_need"),
        ("", "as_of"),
    ] {
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut target = &mut value;
        if !group_path.is_empty() {
            target = &mut target["groups"];
            for part in group_path.split('/') {
                target = &mut target[part];
            }
        }
        target.as_object_mut().unwrap().remove(key).unwrap();
        let err = SummaryFile::from_json(&value.to_string()).unwrap_err();
        let path = if group_path.is_empty() {
            key.to_owned()
        } else {
            format!("groups.{}.{key}", group_path.replace('/', "."))
        };
        assert_eq!(err, NotASummary::Missing { path: path.clone() }, "{err}");
        assert!(
            err.to_string().starts_with(&format!("{path}: missing")),
            "{err}"
        );
    }
    let no_all = text.replace("\"all\"", "\"everyone\"");
    assert!(matches!(
        compare_json(&[("x".into(), &no_all)]),
        Err(CompareError::NotASummary {
            reason: NotASummary::Missing { path },
            ..
        }) if path == "groups.all"
    ));
    assert_eq!(compare(&[]).unwrap_err(), CompareError::Empty);
}

#[test]
fn the_other_group_is_summed_from_the_children_not_from_the_groups() {
    let fw = Framework::default();
    let loaded = load_example_csv(&fw, "cohort-small.csv");
    // K = 6: S0001 (5 children) and S0002 (1) merge into other (6); S0003 (6) stays.
    let mut full = Cohort::new(&fw, None);
    for (_, a) in &loaded.accepted {
        full.add(a).unwrap();
    }
    let mut only = Cohort::new(&fw, full.as_of());
    for (_, a) in &loaded.accepted {
        if full.current_setting(a.child_id()) != Some("S0003") {
            only.add(a).unwrap();
        }
    }
    let shared = full.summary_suppressed(Some(GroupBy::SettingId), k_b(6, None));
    let names: Vec<_> = shared.groups.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["all", "setting_id=S0003", "setting_id=other"]);
    let other = serde_json::to_value(shared.group("setting_id=other").unwrap()).unwrap();
    let alone = only.summary_suppressed(None, k_b(6, None));
    let alone = serde_json::to_value(alone.group("all").unwrap()).unwrap();
    assert_close(&other, &alone, "other");
    assert_eq!(other["children"], 6, "6 children, rounded to B = 6");
    assert_eq!(other["ci"]["n"], 6);
}

#[test]
fn json_lines_plans_read_as_their_csv_twins() {
    let fw = Framework::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(common::examples_dir().join("plans-small.csv"))
        .unwrap();
    let header = reader.headers().unwrap().clone();
    let layout = PlanLayout::new(header.iter()).unwrap();
    let mut compared = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if record.len() != header.len() {
            continue;
        }
        let mut object = serde_json::Map::new();
        let mut readiness = serde_json::Map::new();
        for (name, cell) in header.iter().zip(record.iter()) {
            match name.strip_prefix("readiness.") {
                Some(d) => {
                    let v = if cell.is_empty() {
                        serde_json::Value::Null
                    } else {
                        cell.parse::<i64>().unwrap().into()
                    };
                    readiness.insert(d.into(), v);
                }
                None => {
                    object.insert(name.into(), cell.into());
                }
            }
        }
        object.insert("readiness".into(), readiness.into());
        let line = serde_json::Value::Object(object).to_string();
        let from_json = vsend_core::parse_plan_line(&fw, line.as_bytes());
        let from_csv = layout.plan(&fw, record.iter());
        match (from_csv, from_json) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => {
                let fields = |e: &vsend_core::ValidationErrors| -> Vec<_> {
                    e.iter().map(|e| e.field()).collect()
                };
                assert_eq!(fields(&a), fields(&b), "{line}");
            }
            (a, b) => panic!("{line}: CSV {a:?}, JSON {b:?}"),
        }
        compared += 1;
    }
    assert_eq!(compared, 19);
}
