//! Promises kept under hostile input (issue 13): sizes that once took
//! quadratic time are refused or read in one pass, texts that would break an
//! output are refused by name, and numbers stay ordinary. No test here times
//! anything: each asserts the outcome and simply has to finish (the scaling
//! itself is measured by `benches/hostile.rs`).
//!
//! Checks: §2, §9, §10, §11, §13 under hostile sizes.

use serde_json::{json, Value};
use vsend_core::{
    parse_json_line, parse_plan_line, Format, Framework, FrameworkError, FrameworkProblem,
};

/// The located messages of a JSON Lines record's problems (none when accepted).
fn line_problems(line: &str) -> Vec<String> {
    let fw = Framework::default();
    match parse_json_line(&fw, line.as_bytes()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| e.located(Format::Jsonl).to_string())
            .collect(),
    }
}

/// A JSON object's text with `keys` as extra keys (each `: 0`) after `head`.
fn object_with_keys(head: &str, keys: impl Iterator<Item = String>) -> String {
    let mut line = String::from(head);
    for k in keys {
        line.push_str(&format!(",\"{k}\":0"));
    }
    line.push('}');
    line
}

#[test]
fn a_line_of_100000_keys_names_each_repeat_in_order() {
    // 100,000 distinct unknown keys, then three repeats: the repeats are named
    // after the unknown keys, in the order they appear on the line.
    let n = 100_000;
    let keys = (0..n)
        .map(|i| format!("k{i}"))
        .chain(["k99999", "k0", "k5"].map(String::from));
    let line = object_with_keys(r#"{"child_id":"C1","assessed_on":"2025-01-10""#, keys);
    let p = line_problems(&line);
    assert_eq!(p.len(), n + 3);
    assert_eq!(
        p[0],
        "field k0: is not a field here; allowed child_id, assessed_on, date_of_birth, setting_id, needs, readiness, readiness_planned, confidence"
    );
    let repeat = |k: &str| format!("field {k}: appears more than once in its object; allowed once");
    assert_eq!(p[n..], [repeat("k99999"), repeat("k0"), repeat("k5")]);
}

#[test]
fn a_needs_object_of_100000_keys_names_each_repeat_in_order() {
    let n = 100_000;
    let mut needs =
        String::from(r#"{"child_id":"C1","assessed_on":"2025-01-10","needs":{"cl.literacy":1"#);
    for i in 0..n {
        needs.push_str(&format!(",\"cl.x{i}\":1"));
    }
    needs.push_str(r#","cl.literacy":2,"cl.x7":1}}"#);
    let p = line_problems(&needs);
    assert_eq!(p.len(), n + 2);
    assert!(
        p[0].starts_with("field needs.cl.x0: not a need area"),
        "{}",
        p[0]
    );
    assert_eq!(
        p[n..],
        [
            "field needs.cl.literacy: appears more than once in its object; allowed once",
            "field needs.cl.x7: appears more than once in its object; allowed once",
        ]
    );
}

#[test]
fn a_plan_line_of_100000_keys_names_each_repeat_in_order() {
    let n = 100_000;
    let keys = (0..n)
        .map(|i| format!("k{i}"))
        .chain(["child_id", "k3"].map(String::from));
    let line = object_with_keys(
        r#"{"child_id":"C1","to_setting_id":"S2","move_on":"2025-09-03""#,
        keys,
    );
    let fw = Framework::default();
    let p: Vec<String> = parse_plan_line(&fw, line.as_bytes())
        .unwrap_err()
        .iter()
        .map(|e| e.located(Format::Jsonl).to_string())
        .collect();
    assert_eq!(p.len(), n + 2);
    assert_eq!(
        p[n..],
        [
            "field child_id: appears more than once in its object; allowed once",
            "field k3: appears more than once in its object; allowed once",
        ]
    );
}

/// The default framework as a JSON value, to be edited.
fn default_json() -> Value {
    serde_json::from_str(&Framework::default().to_json()).unwrap()
}

/// A banding rule with `bands` and `floors`, weights 1 each.
fn banding(bands: Vec<Value>, floors: Vec<Value>) -> Value {
    json!({"weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1, "ind": 1},
           "bands": bands, "floors": floors})
}

/// Band `i`: id `B<i>`, from score `i`.
fn band(i: usize) -> Value {
    json!({"id": format!("B{i}"), "label": "x", "min_score": i})
}

/// The problems of a framework that must be refused.
fn problems(fw: &Value) -> Vec<FrameworkProblem> {
    match Framework::from_json(&fw.to_string()) {
        Err(FrameworkError::Invalid(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn with_banding(b: Value) -> Value {
    let mut fw = default_json();
    fw["banding"] = b;
    fw
}

#[test]
fn a_million_bands_are_one_problem_naming_the_limit() {
    // Once a quadratic search for repeated ids that never finished. The text
    // is written out directly: building a million JSON values is the slow part.
    let mut bands = String::from("[");
    for i in 0..1_000_000 {
        bands.push_str(&format!(r#"{{"id":"B{i}","label":"x","min_score":{i}}},"#));
    }
    bands.push_str(r#"{"id":"B0","label":"x","min_score":0}]"#); // a repeat, never looked for
    let b = banding(vec![], vec![json!({"min_need": 2, "band": "B7"})]).to_string();
    let text = with_banding(json!("BANDING"))
        .to_string()
        .replace(r#""BANDING""#, &b.replace("[]", &bands));
    let p = match Framework::from_json(&text) {
        Err(FrameworkError::Invalid(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    };
    assert_eq!(p, [FrameworkProblem::TooManyBands { found: 1_000_001 }]);
    assert_eq!(
        p[0].to_string(),
        "banding.bands: 1000001 bands; allowed at most 100"
    );
}

#[test]
fn band_and_floor_counts_are_limited_to_100() {
    let ok = with_banding(banding(
        (0..100).map(band).collect(),
        (0..100)
            .map(|i| json!({"min_need": 1 + i % 4, "band": format!("B{i}")}))
            .collect(),
    ));
    let fw = Framework::from_json(&ok.to_string()).unwrap();
    assert_eq!(fw.banding().unwrap().bands().len(), 100);
    assert_eq!(fw.banding().unwrap().floors()[99].band(), 99);

    let p = problems(&with_banding(banding((0..101).map(band).collect(), vec![])));
    assert_eq!(p, [FrameworkProblem::TooManyBands { found: 101 }]);
    let floors = (0..101)
        .map(|_| json!({"min_need": 2, "band": "B0"}))
        .collect();
    let p = problems(&with_banding(banding(vec![band(0)], floors)));
    assert_eq!(p, [FrameworkProblem::TooManyFloors { found: 101 }]);
    assert_eq!(
        p[0].to_string(),
        "banding.floors: 101 floors; allowed at most 100"
    );
}

#[test]
fn repeated_band_ids_are_named_at_each_repeat_and_floors_find_the_first() {
    let bands = vec![
        band(0),
        band(1),
        band(2),
        json!({"id": "B1", "label": "x", "min_score": 3}),
        json!({"id": "B0", "label": "x", "min_score": 4}),
    ];
    let p = problems(&with_banding(banding(
        bands,
        vec![json!({"min_need": 2, "band": "Z"})],
    )));
    assert_eq!(
        p,
        [
            FrameworkProblem::BandIdDuplicate {
                index: 3,
                id: "B1".into()
            },
            FrameworkProblem::BandIdDuplicate {
                index: 4,
                id: "B0".into()
            },
            FrameworkProblem::FloorUnknownBand {
                index: 0,
                found: "Z".into(),
                allowed: "B0, B1, B2, B1, B0".into()
            },
        ]
    );
}

#[test]
fn areas_over_the_limit_are_one_problem_not_one_per_area() {
    let mut fw = default_json();
    fw["domains"]["ci"]["areas"] = (0..100_000)
        .map(|i| json!({"key": format!("BAD{i}"), "label": "\u{1}"}))
        .collect();
    assert_eq!(
        problems(&fw),
        [FrameworkProblem::TooManyAreas {
            domain: vsend_core::Domain::Ci,
            found: 100_000
        }]
    );
}

#[test]
fn control_characters_are_refused_in_every_text_by_path_and_position() {
    let mut fw = default_json();
    fw["id"] = json!("vse\u{1}nd");
    fw["version"] = json!("1\u{0}");
    fw["scale"]["labels"][2] = json!("Mod\u{2028}erate");
    fw["domains"]["sp"]["areas"][1]["label"] = json!("Hear\u{202E}ing");
    fw["banding"] = banding(
        vec![
            json!({"id": "A\tB", "label": "ok", "min_score": 0}),
            json!({"id": "B", "label": "x\u{7f}", "min_score": 1}),
            json!({"id": "C", "label": "\u{2066}x", "min_score": 2}),
            json!({"id": "D", "label": "\u{FFFF}", "min_score": 3}),
        ],
        vec![],
    );
    let p: Vec<String> = problems(&fw).iter().map(ToString::to_string).collect();
    assert_eq!(
        p,
        [
            "id: U+0001 at character 4 is a control character; allowed printable text",
            "version: U+0000 at character 2 is a control character; allowed printable text",
            "scale.labels[2]: U+2028 at character 4 is a line or paragraph separator; allowed printable text",
            "domains.sp.areas[1].label: U+202E at character 5 is a bidirectional override or isolate; allowed printable text",
            "banding.bands[0].id: U+0009 at character 2 is a control character; allowed printable text",
            "banding.bands[1].label: U+007F at character 2 is a control character; allowed printable text",
            "banding.bands[2].label: U+2066 at character 1 is a bidirectional override or isolate; allowed printable text",
            "banding.bands[3].label: U+FFFF at character 1 is not a character; allowed printable text",
        ]
    );
    assert!(matches!(
        problems(&fw)[0],
        FrameworkProblem::ForbiddenCharacter {
            found: '\u{1}',
            position: 4,
            ..
        }
    ));
    // Right-to-left text and its marks are text, not overrides.
    let mut rtl = default_json();
    rtl["scale"]["labels"][1] = json!("\u{5D0}\u{5D1}\u{200F} Emerging é ✓");
    assert!(Framework::from_json(&rtl.to_string()).is_ok());
}

#[test]
fn long_band_ids_and_labels_are_refused_by_path() {
    let long_id = "x".repeat(65);
    let long_label = "y".repeat(201);
    let fw = with_banding(banding(
        vec![json!({"id": long_id, "label": long_label, "min_score": 0})],
        vec![],
    ));
    let p: Vec<String> = problems(&fw).iter().map(ToString::to_string).collect();
    assert_eq!(
        p,
        [
            "banding.bands[0].id: 65 characters; allowed at most 64",
            "banding.bands[0].label: 201 characters; allowed at most 200",
        ]
    );
}

#[test]
fn weights_min_scores_and_top_ups_are_bounded_so_every_figure_is_finite() {
    let fw = |weight: f64, min_score: f64, top_up: f64| {
        let mut b = banding(
            vec![
                band(0),
                json!({"id": "B", "label": "b", "min_score": min_score, "top_up": top_up}),
            ],
            vec![],
        );
        b["weights"]["semh"] = json!(weight);
        with_banding(b)
    };
    // The bounds themselves are allowed.
    let ok = Framework::from_json(&fw(1000.0, 1e9, 1e9).to_string()).unwrap();
    assert_eq!(ok.banding().unwrap().bands()[1].top_up(), Some(1e9));
    let p = problems(&fw(1e308, 1e308, 1e308));
    assert_eq!(
        p,
        [
            FrameworkProblem::BandWeightOutOfRange {
                domain: vsend_core::Domain::Semh,
                found: 1e308
            },
            FrameworkProblem::MinScoreOutOfRange {
                index: 1,
                found: 1e308
            },
            FrameworkProblem::TopUpOutOfRange {
                index: 1,
                found: 1e308
            },
        ]
    );
    let messages: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "banding.weights.semh: 1e308 is outside the allowed range 0 to 1000",
            "banding.bands[1].min_score: 1e308 is outside the allowed range 0 to 1000000000",
            "banding.bands[1].top_up: 1e308 is outside the allowed range 0 to 1000000000, or leave it out",
        ]
    );
    let p = problems(&fw(1000.5, -1.0, -0.5));
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(matches!(p[1], FrameworkProblem::MinScoreOutOfRange { found, .. } if found == -1.0));
    // The largest possible band score and top-up stay ordinary numbers.
    let banding = ok.banding().unwrap();
    let need = vsend_core::DomainVector::from_options([Some(10.0); 5]);
    let r = banding.band(&need).unwrap();
    assert!(r.band_score.is_finite());
    assert!(
        (1e9 * 1e9_f64).is_finite(),
        "a billion children at the largest top-up"
    );
}

#[test]
fn serde_messages_echo_at_most_40_characters_and_no_control_characters() {
    let key = format!("\u{1b}[31m{}", "k".repeat(1000));
    let mut fw = default_json();
    fw[key.as_str()] = json!(1);
    let err = Framework::from_json(&fw.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(r"unknown field `\u{1b}[31mkkk"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
    assert!(!err.contains(&"k".repeat(41)), "{err}");
    assert!(err.contains("…`, expected one of `id`"), "{err}");
    assert!(err.ends_with(" at line 1 column 1013"), "{err}");
}

#[test]
fn numbers_are_echoed_as_written_in_the_line() {
    let record = |rest: &str| format!(r#"{{"child_id":"C1","assessed_on":"2025-01-10",{rest}}}"#);
    // Past u64: serde_json would parse it to the float 18446744073709552000.
    assert_eq!(
        line_problems(&record(r#""needs":{"cl.literacy":18446744073709551617}"#)),
        [
            r#"field needs.cl.literacy: "18446744073709551617" is not a level; allowed a whole number 0 to 4, or empty for not assessed"#
        ]
    );
    assert_eq!(
        line_problems(r#"{"child_id":18446744073709551617,"assessed_on":"2025-01-10"}"#),
        [
            r#"field child_id: "18446744073709551617" is a number; allowed a string in double quotes"#
        ]
    );
    let p = line_problems(&record(
        r#""readiness":{"cl":1.50,"ci":5.0,"sp":-1.0},"confidence":{"cl":1e400,"ci":12345678901234567890123456789012345678901234567890}"#,
    ));
    let found: Vec<&str> = p.iter().map(|m| m.split('"').nth(1).unwrap_or(m)).collect();
    assert_eq!(
        found,
        [
            "1.50",
            "5.0",
            "-1.0",
            "1e400",
            "1234567890123456789012345678901234567890…"
        ],
        "{p:?}"
    );
    // Whole numbers on the scale are levels however written, as before.
    let fw = Framework::default();
    let a = parse_json_line(
        &fw,
        record(
            r#""needs":{"cl.literacy":2.0,"cl.numeracy":2e0,"cl.learning":-0,"ci.social":4.00}"#,
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        a.needs()[..4]
            .iter()
            .map(|l| l.map(|l| l.get()))
            .collect::<Vec<_>>(),
        [Some(0), Some(2), Some(2), None]
    );
    assert_eq!(a.needs()[6].map(|l| l.get()), Some(4));
    // Plans too.
    let plan = br#"{"child_id":"C1","to_setting_id":"S2","move_on":"2025-09-03","readiness":{"cl":18446744073709551617,"ci":3.0}}"#;
    let p: Vec<String> = parse_plan_line(&fw, plan)
        .unwrap_err()
        .iter()
        .map(|e| e.located(Format::Jsonl).to_string())
        .collect();
    assert_eq!(
        p,
        [
            r#"field readiness.cl: "18446744073709551617" is not a level; allowed a whole number 0 to 4, or empty for not assessed"#
        ]
    );
}

#[test]
fn one_child_on_200000_dates_is_checked_for_duplicates_in_one_pass() {
    // §7's duplicate check searched the child's dates so far: quadratic for
    // a file of one child on every day of five centuries.
    use vsend_core::history::Keep;
    use vsend_core::{parse_date, ChildId, Histories};
    let child = ChildId::new("C1").unwrap();
    let start = parse_date("1700-01-01").unwrap();
    let mut day = start;
    let mut h = Histories::new(Keep::Dates);
    let mut days = Vec::with_capacity(200_000);
    for _ in 0..200_000 {
        h.add_date(&child, day).unwrap();
        days.push(day);
        day = day.tomorrow().unwrap();
    }
    for d in [days[0], days[123_456], days[199_999]] {
        assert_eq!(h.add_date(&child, d).unwrap_err().assessed_on, d);
    }
    assert_eq!(h.get(&child).unwrap().dates().len(), 200_000);
}

#[test]
fn a_domain_or_weight_given_twice_is_refused_not_overwritten() {
    // serde's maps keep the later of two equal keys without a word.
    let fw = Framework::default().to_json();
    let twice = fw.replacen(r#""cl": {"#, r#""cl": {"areas": []}, "cl": {"#, 1);
    let err = Framework::from_json(&twice).unwrap_err();
    assert!(matches!(err, FrameworkError::Json { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(r#"key "cl" appears more than once in its object; allowed once at line"#),
        "{err}"
    );
    let weights = with_banding(json!("W")).to_string().replace(
        r#""W""#,
        r#"{"weights": {"cl": 1, "ci": 1, "sp": 1, "semh": 1, "ind": 1, "cl": 1000}, "bands": [{"id": "A", "label": "a", "min_score": 0}]}"#,
    );
    let err = Framework::from_json(&weights).unwrap_err().to_string();
    assert!(err.contains(r#"key "cl" appears more than once"#), "{err}");
}

#[test]
fn json_keys_are_echoed_short_and_without_control_characters() {
    // An unknown key, top level or need area: at most 40 characters, and an
    // ANSI escape or line break printed escaped, never as itself.
    let long = format!("cl.{}", "x".repeat(100_000));
    let p = line_problems(&format!(
        r#"{{"child_id":"C1","assessed_on":"2025-01-10","\u001b[2J":1,"needs":{{"{long}":1,"cl.a\nb":1}}}}"#
    ));
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p[0].starts_with(r"field \u{1b}[2J: is not a field here"),
        "{}",
        p[0]
    );
    assert!(
        p[1].starts_with(&format!(
            "field needs.cl.{}…: not a need area",
            "x".repeat(37)
        )),
        "{}",
        &p[1][..80]
    );
    assert!(
        p[2].starts_with(r"field needs.cl.a\u{a}b: not a need area"),
        "{}",
        p[2]
    );
    assert!(p.iter().all(|m| !m.chars().any(char::is_control)), "{p:?}");
}
