//! `vsend pack` and `vsend packs` on the shipped fixtures: the pages written,
//! and bad input refused with a clear message and nothing written.
//!
//! Checks: §7 (review due or overdue), §11 (a plan), §12 (a setting's priorities), §13 (bands) on a review pack.

mod common;

use std::path::Path;

use common::{example, fixture, p, stderr, vsend};

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_pack_is_one_html_file_about_the_child() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pack.html");
    let run = vsend(&[
        "pack",
        p(&fixture("cohort.csv")),
        "--child",
        "C010000001",
        "--on",
        "2025-09-01",
        "--plan",
        p(&example("plans-small.csv")),
        "--framework",
        p(&example("framework-banded.json")),
        "-o",
        p(&out),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let html = std::fs::read_to_string(&out).unwrap();
    for want in [
        "<h1>Review pack for C010000001</h1>",
        "<dt>Setting</dt><dd>S0003</dd>",
        "<dt>Review shown</dt><dd>2025-07-03</dd>",
        "Band C: Targeted top-up",
        // §11: of C010000001's two plans, the move on 2025-09-03 (the other was on 2025-04-20).
        "Moving to S0007 on 2025-09-03",
        "S0007 is ready to level 3 (Significant), the need is at level 4 (Complex)",
        "Assess, plan, do, review",
    ] {
        assert!(html.contains(want), "missing {want:?}");
    }
    assert_eq!(files(dir.path()), ["pack.html"]);
    // One line on stderr, the rows read: nothing about the child.
    let err = stderr(&run);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("C010000001"), "{err}");
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pack.html");
    let cohort = fixture("cohort.csv");
    let plans = example("plans-small.csv");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--child", "C999"],
            "--child C999: no assessments of this child in the input",
        ),
        (vec!["--child", "../evil"], "--child: "),
        (
            vec!["--child", "C010000001", "--on", "2024-01-01"],
            "--child C010000001: no review on or before 2024-01-01; the first is on 2024-10-08",
        ),
        (
            vec!["--child", "C010000008", "--plan", p(&plans)],
            "no valid plan for C010000008",
        ),
    ];
    for (args, why) in cases {
        let mut all = vec!["pack", p(&cohort)];
        all.extend(args);
        all.extend(["-o", p(&out)]);
        let run = vsend(&all);
        assert_eq!(run.status.code(), Some(2), "{all:?}");
        assert!(stderr(&run).contains(why), "{all:?}: {}", stderr(&run));
        assert!(files(dir.path()).is_empty(), "{all:?} wrote something");
    }
    // Not a web page: refused before anything is read.
    let run = vsend(&[
        "pack",
        p(&cohort),
        "--child",
        "C010000001",
        "-o",
        p(&dir.path().join("pack.pdf")),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("allowed extension .html"));
    assert!(!stderr(&run).contains("rows read"), "{}", stderr(&run));
    // The input is never the output.
    let run = vsend(&[
        "pack",
        p(&cohort),
        "--child",
        "C010000001",
        "-o",
        p(&cohort),
    ]);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn packs_are_one_page_per_child_of_the_setting_and_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("packs");
    let run = vsend(&[
        "packs",
        p(&fixture("cohort.csv")),
        "--setting",
        "S0003",
        "--on",
        "2025-10-01",
        "-o",
        &format!("{}/", p(&out)),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let children = [
        "C010000000",
        "C010000001",
        "C010000003",
        "C010000007",
        "C010000009",
        "C010000011",
    ];
    let mut want: Vec<String> = children.iter().map(|c| format!("{c}.html")).collect();
    want.push("index.html".into());
    assert_eq!(files(&out), want);
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    for c in children {
        assert!(
            index.contains(&format!("<a href=\"{c}.html\">{c}</a>")),
            "{c}"
        );
        let page = std::fs::read_to_string(out.join(format!("{c}.html"))).unwrap();
        assert!(page.contains("<a href=\"index.html\">"), "{c}: no way back");
        assert!(page.contains(&format!("Review pack for {c}")));
    }
    // C010000011 was last reviewed 2025-05-14: overdue on 2025-10-01.
    assert!(index.contains("<a href=\"C010000011.html\">C010000011</a>: last reviewed 2025-05-14; due by 2025-09-13, 18 days ago"));
    assert!(stderr(&run).contains("6 packs and index.html written to"));

    // A second run does not replace the first one's pages unless asked.
    let before = std::fs::read(out.join("index.html")).unwrap();
    let cohort = fixture("cohort.csv");
    let again = |extra: &[&str]| {
        let mut args = vec!["packs", p(&cohort), "--setting", "S0003", "-o", p(&out)];
        args.extend(extra);
        vsend(&args)
    };
    let run = again(&[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("already holds 7 web pages (e.g. C010000000.html)"),
        "{}",
        stderr(&run)
    );
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before);
    let run = again(&["--force"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_ne!(std::fs::read(out.join("index.html")).unwrap(), before);
    assert_eq!(files(&out).len(), 7);
}

#[test]
fn packs_refuse_an_unknown_setting_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("packs");
    let run = vsend(&[
        "packs",
        p(&fixture("cohort.csv")),
        "--setting",
        "S0009",
        "-o",
        p(&out),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("--setting S0009: no child's review on or before 2025-07-17 is at this setting; settings then: S0001, S0002, S0003; nothing written"),
        "{}",
        stderr(&run)
    );
    assert!(!out.exists(), "the directory was created");
    // A setting ID that is no ID, and an -o that is a file.
    let run = vsend(&[
        "packs",
        p(&fixture("cohort.csv")),
        "--setting",
        "../x",
        "-o",
        p(&out),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("--setting: "), "{}", stderr(&run));
    let file = dir.path().join("file.html");
    std::fs::write(&file, "mine").unwrap();
    let run = vsend(&[
        "packs",
        p(&fixture("cohort.csv")),
        "--setting",
        "S0003",
        "-o",
        p(&file),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn a_child_id_that_would_leave_the_directory_is_a_rejected_row() {
    // §3 refuses such an ID as a row (exit 1); the other children's packs are written, and
    // nothing lands outside the directory (pack_path's own checks are unit tests in pack.rs).
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cohort.csv");
    let text = std::fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let hostile = lines[1].replacen("C010000011", "../../evil", 1);
    lines.push(hostile);
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("in").join("packs");
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let run = vsend(&["packs", p(&input), "--setting", "S0003", "-o", p(&out)]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("../../evil"), "{}", stderr(&run));
    assert_eq!(files(&out).len(), 7);
    assert_eq!(files(dir.path()), ["cohort.csv", "in"]);
    assert_eq!(files(&dir.path().join("in")), ["packs"]);
}
