//! Helpers shared by the integration tests: the spec's worked examples.

#![allow(dead_code)]

pub mod random;

use std::path::PathBuf;

use serde_json::Value;
use vsend_core::{Assessment, ColumnLayout, Framework};

/// `fixtures/examples/` in the workspace: the spec's worked examples, copied into the
/// repository so a fresh clone tests on its own (`examples_drift.rs` keeps the copy true).
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/examples")
}

/// The text of one file of [`examples_dir`].
pub fn example_text(name: &str) -> String {
    std::fs::read_to_string(examples_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One JSON file of [`examples_dir`].
pub fn example_json(name: &str) -> Value {
    serde_json::from_str(&example_text(name)).unwrap()
}

/// One JSON Lines file of [`examples_dir`], one value per non-blank line.
pub fn example_jsonl(name: &str) -> Vec<Value> {
    example_text(name)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The framework file `name` of [`examples_dir`].
pub fn example_framework(name: &str) -> Framework {
    Framework::from_json(&example_text(name)).unwrap()
}

/// Reads the cohort CSV `name` of [`examples_dir`] (the same as [`load_csv`]).
pub fn load_example_csv(fw: &Framework, name: &str) -> Loaded {
    load_csv(fw, name)
}

/// What reading one cohort CSV gave: accepted assessments and rejected lines.
pub struct Loaded {
    pub accepted: Vec<(u64, Assessment)>,
    /// Physical line and the field names (or `wrong number of fields`) at fault.
    pub rejected: Vec<(u64, Vec<String>)>,
    pub rows: usize,
}

pub fn load_csv(fw: &Framework, name: &str) -> Loaded {
    let path = examples_dir().join(name);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap();
    let header = reader.headers().unwrap().clone();
    let layout = ColumnLayout::new(fw, header.iter()).unwrap();
    let mut out = Loaded {
        accepted: vec![],
        rejected: vec![],
        rows: 0,
    };
    for record in reader.records() {
        let record = record.unwrap();
        let line = record.position().unwrap().line();
        out.rows += 1;
        if record.len() != header.len() {
            out.rejected
                .push((line, vec!["wrong number of fields".into()]));
            continue;
        }
        match layout.assessment(fw, record.iter()) {
            Ok(a) => out.accepted.push((line, a)),
            Err(errors) => {
                let fields = errors
                    .iter()
                    .map(|e| match e {
                        vsend_core::ValidationError::BeforeBirth { .. } => {
                            "assessed before birth".into()
                        }
                        e => e.field().to_string(),
                    })
                    .collect();
                out.rejected.push((line, fields));
            }
        }
    }
    out
}

pub fn read_json(name: &str) -> Value {
    let text = std::fs::read_to_string(examples_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn read_jsonl(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(examples_dir().join(name)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Asserts `got` equals `want`: same keys, same array lengths, numbers within 1e-9.
pub fn assert_close(got: &Value, want: &Value, path: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!((g - w).abs() <= 1e-9, "{path}: got {g}, want {w}");
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: array length");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                assert_close(g, w, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(g), Value::Object(w)) => {
            let mut gk: Vec<_> = g.keys().collect();
            let mut wk: Vec<_> = w.keys().collect();
            gk.sort();
            wk.sort();
            assert_eq!(gk, wk, "{path}: keys");
            for (k, w) in w {
                assert_close(&g[k], w, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}
