//! Promises kept under hostile input (issue 13), through the binary: a
//! framework too big or holding characters that break outputs is refused
//! before any row is read, markup characters in labels still give
//! well-formed SVG, plans repeat no child and date, an empty JSON Lines file
//! is a file error, and numbers are echoed as written.
//!
//! Checks: §2 and §13 (framework limits), §9 (bounded, positioned errors), §10 (readers), §11 (plans).

mod common;

use std::path::Path;

use common::{example, fixture, p, stderr, vsend};
use serde_json::{json, Value};

/// The banded worked example's framework as a JSON value, to be edited.
fn banded() -> Value {
    common::read_json(&example("framework-banded.json"))
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_framework_file_over_1_mib_is_refused_before_any_row() {
    let dir = tempfile::tempdir().unwrap();
    // Valid JSON, padded past the limit: it is the size that is refused.
    let mut text = vsend_core::Framework::default().to_json();
    text.push_str(&" ".repeat(1 << 20));
    let fw = write(dir.path(), "big.json", &text);
    let out = vsend(&["validate", p(&fixture("cohort.csv")), "--framework", p(&fw)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("big.json: bad framework: larger than 1 MiB; allowed at most 1048576 bytes"),
        "{err}"
    );
    assert!(!err.contains("rows read: 1"), "no row is read: {err}");
    // Exactly at the limit is still read (and here valid).
    text.truncate(1 << 20);
    let fw = write(dir.path(), "edge.json", &text);
    let out = vsend(&["validate", p(&fixture("cohort.csv")), "--framework", p(&fw)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_control_character_in_a_framework_stops_chart_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut fw = banded();
    // Both are drawn on the chart: before, `-o x.svg` wrote SVG that is not XML
    // (exit 0) and `-o x.png` failed only after reading every row.
    fw["scale"]["labels"][4] = json!("Com\u{1}plex");
    fw["banding"]["bands"][2]["label"] = json!("Spe\u{0}cialist");
    let fw = write(dir.path(), "fw.json", &fw.to_string());
    for name in ["x.svg", "x.png"] {
        let out_path = dir.path().join(name);
        let out = vsend(&[
            "chart",
            p(&example("cohort-small.csv")),
            "--child",
            "C010000011",
            "--framework",
            p(&fw),
            "-o",
            p(&out_path),
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("fw.json: bad framework: scale.labels[4]: U+0001 at character 4 is a control character"),
            "{err}"
        );
        assert!(
            err.contains("fw.json: bad framework: banding.bands[2].label: U+0000 at character 4"),
            "{err}"
        );
        assert!(!out_path.exists(), "{name} is not written");
    }
}

#[test]
fn markup_characters_in_framework_texts_give_well_formed_svg() {
    let dir = tempfile::tempdir().unwrap();
    let mut fw = banded();
    fw["id"] = json!("a&b<c>");
    fw["version"] = json!("1 \"q\" 'a'");
    fw["scale"]["labels"][0] = json!("None & <none>");
    fw["scale"]["labels"][4] = json!("'Complex' > \"all\"");
    fw["banding"]["bands"][2]["label"] = json!("A & B <C>");
    fw["banding"]["bands"][2]["id"] = json!("C&<>");
    fw["banding"]["floors"][0]["band"] = json!("C&<>");
    let fw = write(dir.path(), "fw.json", &fw.to_string());
    let svg = dir.path().join("c.svg");
    let out = vsend(&[
        "chart",
        p(&example("cohort-small.csv")),
        "--child",
        "C010000011",
        "--framework",
        p(&fw),
        "-o",
        p(&svg),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    // The words are kept, escaped, in aria-label; usvg (a strict XML parser) reads the file.
    assert!(text.contains("A &amp; B &lt;C&gt;"), "the band label");
    assert!(text.contains("Band C&amp;&lt;&gt;"), "the band id");
    assert!(
        text.contains("a&amp;b&lt;c&gt; v1 &quot;q&quot; &apos;a&apos;"),
        "id and version"
    );
    assert!(
        text.contains("&apos;Complex&apos; &gt; &quot;all&quot;"),
        "the last label"
    );
    let png = vsend_chart::svg_to_png(&text).expect("well-formed SVG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(well_formed(&text), "every tag closed, every & an entity");

    // The timeline and a cohort group's radar carry the same texts.
    for extra in [
        &["--child", "C010000011", "--timeline"][..],
        &["--cohort"][..],
    ] {
        let out = vsend(
            &[
                &[
                    "chart",
                    p(&example("cohort-small.csv")),
                    "--framework",
                    p(&fw),
                ][..],
                extra,
                &["-o", p(&svg)],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        let text = std::fs::read_to_string(&svg).unwrap();
        vsend_chart::svg_to_png(&text).unwrap_or_else(|e| panic!("{extra:?}: {e}"));
        assert!(well_formed(&text), "{extra:?}");
    }
}

/// A minimal XML well-formedness check: tags nest and close, attribute
/// values are quoted, and `&` only starts an entity. (usvg checks far more;
/// this one says what failed.)
fn well_formed(xml: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = xml;
    let entity_ok = |s: &str| {
        s.match_indices('&').all(|(i, _)| {
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
                .iter()
                .any(|e| s[i..].starts_with(e))
        })
    };
    while let Some(lt) = rest.find('<') {
        if !entity_ok(&rest[..lt]) || rest[..lt].contains('>') {
            return false;
        }
        let Some(gt) = rest[lt..].find('>') else {
            return false;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if tag.contains('<') || !tag.matches('"').count().is_multiple_of(2) || !entity_ok(tag) {
            return false;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name.trim()) {
                return false;
            }
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().unwrap_or(""));
        }
    }
    open.is_empty()
        && entity_ok(rest)
        && xml.chars().all(|c| !c.is_control() || "\t\n\r".contains(c))
}

/// The closing summary line's counts of `name`: (read, accepted, rejected).
fn counts(out: &std::process::Output, name: &str) -> (u64, u64, u64) {
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
    (nums[0], nums[1], nums[2])
}

#[test]
fn a_repeated_or_conflicting_plan_for_one_child_and_date_is_rejected_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = example("cohort-small.csv");
    let mut csv = std::fs::read_to_string(example("plans-small.csv")).unwrap();
    // Line 22 repeats line 3 exactly; line 23 moves the same child on the same
    // date somewhere else; line 24 is the same child on another date (kept).
    csv.push_str("S0007,C010000001,2025-09-03,4,1,1,3,0\n");
    csv.push_str("S0009,C010000001,2025-09-03,0,0,0,0,0\n");
    csv.push_str("S0009,C010000001,2025-10-01,0,0,0,0,0\n");
    let plans = write(dir.path(), "dup.csv", &csv);
    let out = vsend(&["transition", p(&cohort), p(&plans), "-o", "-"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(counts(&out, "dup.csv"), (23, 14, 9));
    let err = stderr(&out);
    for line in [22, 23] {
        assert!(
            err.contains(&format!(
                "dup.csv:{line}: column move_on: \"2025-09-03\" repeats an earlier plan of C010000001 moving on the same date; allowed one plan per child per move date"
            )),
            "{err}"
        );
    }
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.matches("C010000001,S0003,S0007,2025-07-03,2025-09-03,")
            .count(),
        1,
        "{text}"
    );
    assert!(!text.contains("S0009,2025-07-03,2025-09-03"), "{text}");

    // JSON Lines plans, the same rule.
    let jsonl = write(
        dir.path(),
        "dup.jsonl",
        concat!(
            r#"{"child_id":"C010000001","to_setting_id":"S0007","move_on":"2025-09-03","readiness":{"cl":4}}"#,
            "\n\n",
            r#"{"child_id":"C010000001","to_setting_id":"S0009","move_on":"2025-09-03","readiness":{"cl":0}}"#,
            "\n"
        ),
    );
    let out = vsend(&["transition", p(&cohort), p(&jsonl), "-o", "-"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(counts(&out, "dup.jsonl"), (2, 1, 1));
    assert!(
        stderr(&out).contains(
            "dup.jsonl:3: field move_on: \"2025-09-03\" repeats an earlier plan of C010000001"
        ),
        "{}",
        stderr(&out)
    );

    // chart --plan --on finds one plan for the date: the first.
    let svg = dir.path().join("plan.svg");
    let out = vsend(&[
        "chart",
        p(&cohort),
        "--plan",
        p(&plans),
        "--child",
        "C010000001",
        "--on",
        "2025-09-03",
        "-o",
        p(&svg),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("S0007") && !text.contains("S0009"),
        "the first plan is drawn"
    );
}

#[test]
fn a_json_lines_file_with_no_record_is_a_file_error_for_every_reader() {
    // As an empty CSV file (no header) is; a header-only CSV stays a valid,
    // empty cohort (exit 0), as fixtures/bad/EXPECTED.tsv documents.
    let dir = tempfile::tempdir().unwrap();
    let cohort = example("cohort-small.csv");
    for (name, text) in [("empty.jsonl", ""), ("blank.jsonl", "\n \r\n\t\n")] {
        let path = write(dir.path(), name, text);
        for args in [
            vec!["score", p(&path)],
            vec!["validate", p(&path)],
            vec!["cohort", p(&path)],
            vec!["transition", p(&cohort), p(&path)],
        ] {
            let out = vsend(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains(&format!(
                    "{name}:1: the file is empty (no line holds a record); expected one JSON object per line"
                )),
                "{args:?}: {err}"
            );
            assert!(out.stdout.is_empty(), "{args:?}: nothing written");
        }
    }
    let out = vsend(&["score", p(&fixture("bad/header-only.csv"))]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_out_of_range_number_is_echoed_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "n.jsonl",
        concat!(
            r#"{"child_id":"C1","assessed_on":"2025-01-10","needs":{"cl.literacy":18446744073709551617}}"#,
            "\n",
            r#"{"child_id":"C2","assessed_on":"2025-01-10","readiness":{"cl":2.50}}"#,
            "\n"
        ),
    );
    let out = vsend(&["validate", p(&input)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            r#"n.jsonl:1: field needs.cl.literacy: "18446744073709551617" is not a level"#
        ),
        "{err}"
    );
    assert!(!err.contains("552000"), "not the float it parses to: {err}");
    assert!(
        err.contains(r#"n.jsonl:2: field readiness.cl: "2.50" is not a level"#),
        "{err}"
    );
    let errors = dir.path().join("errors.csv");
    let out = vsend(&["validate", p(&input), "--errors", p(&errors)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = std::fs::read_to_string(&errors).unwrap();
    assert!(report.contains("18446744073709551617"), "{report}");
}
