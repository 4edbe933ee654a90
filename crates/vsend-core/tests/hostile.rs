//! Promises kept under hostile input (issue 13): sizes that once took
//! quadratic time are refused or read in one pass, texts that would break an
//! output are refused by name, and numbers stay ordinary. No test here times
//! anything: each asserts the outcome and simply has to finish (the scaling
//! itself is measured by `benches/hostile.rs`).

use vsend_core::{parse_json_line, parse_plan_line, Format, Framework};

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
