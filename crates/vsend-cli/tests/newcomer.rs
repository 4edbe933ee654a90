//! A newcomer's first day: the mistakes people make on their first files get
//! a message that names the fix (§3 levels written `2.0`, §9 messages that
//! say what is allowed, §10 headers in another case or of another framework).

mod common;

use std::fs;

use common::{example, fixture, p, stderr, vsend};

#[test]
fn a_cohort_saved_by_pandas_scores_exactly_as_the_original() {
    let original = vsend(&["score", p(&example("cohort-small.csv"))]);
    let pandas = vsend(&["score", p(&example("cohort-small.pandas.csv"))]);
    assert_eq!(original.status.code(), Some(0), "{}", stderr(&original));
    assert_eq!(pandas.status.code(), Some(0), "{}", stderr(&pandas));
    assert_eq!(pandas.stdout, original.stdout);
}

#[test]
fn a_level_with_a_fraction_is_still_an_error_naming_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(example("cohort-small.pandas.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replacen(",2.0,", ",2.5,", 1);
    lines[2] = lines[2].replacen(",2.0,", ",9.0,", 1);
    let path = dir.path().join("c.csv");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = vsend(&["score", p(&path)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(r#""2.5" is not a level; allowed a whole number 0 to 4"#),
        "{err}"
    );
    assert!(
        err.contains(r#""9.0" is above the scale maximum 4 (allowed 0 to 4)"#),
        "{err}"
    );
}

#[test]
fn a_plan_above_the_scale_says_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans.csv");
    fs::write(
        &plans,
        "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind\n\
         C010000001,S9,2025-09-03,5,1,1,1,1\n",
    )
    .unwrap();
    let out = vsend(&["transition", p(&example("cohort-small.csv")), p(&plans)]);
    let err = stderr(&out);
    assert!(
        err.contains(r#""5" is above the scale maximum 4 (allowed 0 to 4)"#),
        "{err}"
    );
}

#[test]
fn a_utf16_file_is_named_as_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let path = dir.path().join("unicode.csv");
    fs::write(&path, bytes).unwrap();
    let out = vsend(&["score", p(&path)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the file is UTF-16 text"), "{err}");
    assert!(err.contains("CSV UTF-8"), "{err}");
}

#[test]
fn a_column_or_child_in_the_wrong_case_gets_a_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let path = dir.path().join("c.csv");
    fs::write(
        &path,
        text.replacen("need.cl.literacy", "need.cl.Literacy", 1),
    )
    .unwrap();
    let out = vsend(&["score", p(&path)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(r#"unknown column "need.cl.Literacy"; did you mean need.cl.literacy?"#),
        "{err}"
    );

    let out = vsend(&[
        "timeline",
        p(&fixture("cohort.csv")),
        "--child",
        "c010000011",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("did you mean C010000011?"), "{err}");
}

#[test]
fn a_cohort_of_another_framework_is_named_as_the_likely_mistake() {
    let out = vsend(&[
        "score",
        p(&fixture("cohort.csv")),
        "--framework",
        p(&fixture("framework-mean.json")),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("is this a cohort of another framework?"),
        "{err}"
    );
}

#[test]
fn a_group_without_by_says_to_add_by() {
    let dir = tempfile::tempdir().unwrap();
    let out = vsend(&[
        "chart",
        p(&fixture("cohort.csv")),
        "--cohort",
        "--group",
        "setting_id=S0001",
        "-o",
        p(&dir.path().join("g.svg")),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("add --by setting_id"), "{err}");
}

#[test]
fn chart_asks_for_a_child_or_a_cohort_not_a_child_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = vsend(&[
        "chart",
        p(&fixture("cohort.csv")),
        "-o",
        p(&dir.path().join("x.svg")),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--child <CHILD>|--cohort"), "{err}");
    let help = vsend(&["chart", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        !help.contains("Usage: vsend chart --output <OUTPUT> --child"),
        "{help}"
    );
}

#[test]
fn a_groups_radar_marks_setting_and_family_in_one_unit_children() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("g.svg");
    let out = vsend(&[
        "chart",
        p(&fixture("cohort.csv")),
        "--cohort",
        "--by",
        "setting_id",
        "--group",
        "setting_id=S0003",
        "-o",
        p(&svg),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains(r#"aria-label="⚠ family: 4 children""#),
        "counts"
    );
    assert!(text.contains(r#"aria-label="⚠ setting: 2 children""#));
    assert!(!text.contains("% met"), "no shares beside counts");
    assert!(
        text.contains("confidence is below their need"),
        "the key says the unit"
    );
}
