//! Every reader under hostile input (§9, §10): random bytes as a cohort CSV or
//! JSON Lines file (with and without a valid header), random JSON values as
//! JSON Lines rows and plans, and random frameworks. Never a panic; every
//! record is accepted or rejected with at least one problem; rows read =
//! accepted + rejected; every accepted assessment scores to finite figures.
//! (Linear time is measured by `cargo bench -p vsend-io --features bench --bench hostile`.)

use std::io::Cursor;

use proptest::prelude::*;
use serde_json::{json, Value};
use vsend_core::{score, Column, Framework, ScoredRow};
use vsend_io::read::{Format, Input, Plans, Row};

fn header(fw: &Framework) -> String {
    Column::all(fw)
        .iter()
        .map(|c| c.name(fw))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads `bytes` as `format`; returns (records, accepted, rejected), checking
/// every record on the way.
fn read_all(fw: &Framework, format: Format, bytes: Vec<u8>) -> Option<(u64, u64, u64)> {
    let physical_lines = bytes.split(|&b| b == b'\n').count() as u64;
    let input = Input::from_reader("hostile", format, Cursor::new(bytes));
    let rows = input.rows(fw).ok()?; // a file error is an answer too
    let (mut records, mut accepted, mut rejected) = (0, 0, 0);
    let mut last_line = 0;
    for row in rows {
        let Ok(row) = row else { break };
        records += 1;
        match row {
            Row::Accepted { line, value } => {
                accepted += 1;
                assert!(line > last_line, "lines ascend");
                last_line = line;
                let scores = score(fw, &value);
                if let Some(whole) = &scores.whole {
                    assert!(whole.need_index.is_finite());
                }
                serde_json::to_string(&ScoredRow::new(fw, &value, &scores)).unwrap();
            }
            Row::Rejected { line, problems } => {
                rejected += 1;
                assert!(line > last_line, "lines ascend");
                last_line = line;
                assert!(!problems.is_empty(), "a rejected row says why");
                for p in &problems {
                    assert!(
                        p.found().chars().count() <= 43,
                        "echo capped: {:?}",
                        p.found()
                    );
                    assert!(!p.message().is_empty());
                }
            }
        }
    }
    // A CR alone also ends a line, so records can outnumber LF lines; never
    // more records than bytes.
    let _ = physical_lines;
    Some((records, accepted, rejected))
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[ -~]{0,12}".prop_map(Value::String),
        prop_oneof![Just("2025-02-05"), Just("C1"), Just("3"), Just("2.0")]
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("child_id".to_owned()),
                        Just("assessed_on".to_owned()),
                        Just("needs".to_owned()),
                        Just("readiness".to_owned()),
                        Just("cl.learning".to_owned()),
                        Just("semh".to_owned()),
                        "[a-z._]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_as_csv_never_panic_and_counts_reconcile(
        with_header in any::<bool>(),
        body in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        let fw = Framework::default();
        let mut bytes = Vec::new();
        if with_header {
            bytes.extend_from_slice(header(&fw).as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(&body);
        if let Some((records, accepted, rejected)) = read_all(&fw, Format::Csv, bytes) {
            prop_assert_eq!(records, accepted + rejected);
        }
    }

    #[test]
    fn any_bytes_as_json_lines_never_panic_and_counts_reconcile(
        body in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        let fw = Framework::default();
        if let Some((records, accepted, rejected)) = read_all(&fw, Format::Jsonl, body) {
            prop_assert_eq!(records, accepted + rejected);
        }
    }

    #[test]
    fn any_json_values_as_rows_and_plans_never_panic(
        values in prop::collection::vec(any_json(), 1..12),
    ) {
        let fw = Framework::default();
        let text: String = values.iter().map(|v| format!("{v}\n")).collect();
        let (records, accepted, rejected) =
            read_all(&fw, Format::Jsonl, text.clone().into_bytes()).expect("JSON Lines has no header");
        prop_assert_eq!(records, values.len() as u64);
        prop_assert_eq!(records, accepted + rejected);
        let plans = Input::from_reader("plans", Format::Jsonl, Cursor::new(text.into_bytes()));
        let mut n = 0;
        for row in plans.rows_as::<Plans>(&fw).expect("no header") {
            match row.expect("no file error mid-way") {
                Row::Accepted { .. } => {}
                Row::Rejected { problems, .. } => prop_assert!(!problems.is_empty()),
            }
            n += 1;
        }
        prop_assert_eq!(n, values.len());
    }

    #[test]
    fn random_frameworks_are_refused_with_reasons_or_score_finitely(
        max_level in 0u32..12,
        weight in prop_oneof![Just(1.0), Just(-1.0), Just(1e308), Just(f64::MAX), 0.0f64..10.0],
        top_up in prop_oneof![Just(0.0), Just(1e308), Just(-5.0), 0.0f64..1e6],
        label in prop_oneof![Just("ok".to_owned()), Just("bad\u{1}".to_owned()), "[ -~]{0,300}"],
    ) {
        let mut fw: Value = serde_json::from_str(&Framework::default().to_json()).unwrap();
        fw["scale"]["max_level"] = json!(max_level);
        fw["scale"]["labels"][0] = json!(label);
        fw["banding"] = json!({
            "weights": {"cl": weight, "ci": 1, "sp": 1, "semh": 1, "ind": 1},
            "bands": [{"id": "A", "label": "A", "min_score": 0, "top_up": top_up}],
            "floors": []
        });
        let text = fw.to_string();
        match Framework::from_json(&text) {
            Err(e) => prop_assert!(!e.to_string().is_empty()),
            Ok(fw) => {
                // Whatever was accepted scores the shipped cohort finitely.
                let cohort = std::fs::read(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cohort.csv"),
                ).unwrap();
                let input = Input::from_reader("c", Format::Csv, Cursor::new(cohort));
                if let Ok(rows) = input.rows(&fw) {
                    for row in rows.flatten() {
                        if let Row::Accepted { value, .. } = row {
                            let s = score(&fw, &value);
                            let row = ScoredRow::new(&fw, &value, &s);
                            let v = serde_json::to_value(&row).unwrap();
                            // A band is never given beside a score JSON cannot hold.
                            if !v["band"].is_null() {
                                prop_assert!(v["band_score"].is_number(), "{}", v);
                                prop_assert!(v["top_up"].is_null() || v["top_up"].is_number(), "{}", v);
                            }
                        }
                    }
                }
            }
        }
    }
}
