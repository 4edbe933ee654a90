//! `compare` reads only what `vsend cohort` can write (issue 13 item 6, §14):
//! each impossible figure is refused with its key path, what was found and
//! what is allowed. Every case here was read and compared by the old reader.

mod common;

use serde_json::{json, Value};
use vsend_core::{
    compare, compare_json, Cohort, CompareError, Framework, GroupBy, NotASummary, SummaryFile,
    Suppression,
};

fn exact() -> Value {
    common::example_json("term-2025-summer.json")
}

fn by_setting() -> Value {
    common::example_json("cohort-small.by-setting.json")
}

fn shared() -> Value {
    common::example_json("cohort-small.by-setting.suppress3.json")
}

/// The reader's verdict on `value` after `edit`.
fn read_edited(
    mut value: Value,
    edit: impl FnOnce(&mut Value),
) -> Result<SummaryFile, NotASummary> {
    edit(&mut value);
    SummaryFile::from_json(&value.to_string())
}

/// Asserts the edit is refused at `path`, its message naming the path, the
/// value found and what is allowed.
fn refused(value: Value, edit: impl FnOnce(&mut Value), path: &str, found: &str, allowed: &str) {
    let err = read_edited(value, edit).expect_err(path);
    let text = err.to_string();
    match &err {
        NotASummary::Invalid {
            path: p,
            found: f,
            allowed: a,
        } => {
            assert_eq!((p.as_str(), f.as_str()), (path, found), "{text}");
            assert!(a.contains(allowed), "{text}");
        }
        other => panic!("{path}: {other:?}"),
    }
    assert!(
        text.starts_with(&format!("{path}: {found} is not allowed; allowed ")),
        "{text}"
    );
}

#[test]
fn the_examples_and_what_vsend_writes_are_read() {
    for v in [exact(), by_setting(), shared()] {
        SummaryFile::from_json(&v.to_string()).unwrap();
    }
}

#[test]
fn shares_outside_0_to_1_are_refused() {
    let path = "groups.all.cl.met_by_setting";
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["met_by_setting"] = json!(5),
        path,
        "5",
        "a share from 0 to 1, or null",
    );
    let path = "groups.all.ci.met_by_family";
    refused(
        exact(),
        |v| v["groups"]["all"]["ci"]["met_by_family"] = json!(-1),
        path,
        "-1",
        "a share from 0 to 1",
    );
    let path = "groups.all.mean_setting_coverage";
    refused(
        exact(),
        |v| v["groups"]["all"]["mean_setting_coverage"] = json!(1.5),
        path,
        "1.5",
        "a share",
    );
}

#[test]
fn high_need_above_n_is_refused() {
    // 83.3 × n: the old reader compared a high_need_share of 83.3.
    refused(
        exact(),
        |v| v["groups"]["all"]["sp"]["high_need"] = json!(1000),
        "groups.all.sp.high_need",
        "1000",
        "at most n (12)",
    );
    // Within n, but no sum of the histogram's top levels.
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["high_need"] = json!(5),
        "groups.all.cl.high_need",
        "5",
        "a sum of the histogram's top entries, one of [12, 7, 3, 0]",
    );
}

#[test]
fn means_outside_the_scale_are_refused() {
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["mean_need"] = json!(1e308),
        "groups.all.cl.mean_need",
        "1e+308",
        "a level from 0 to 4",
    );
    // On the scale, but not the mean of its own histogram.
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["mean_need"] = json!(3.5),
        "groups.all.cl.mean_need",
        "3.5",
        "the mean of the histogram's levels",
    );
    refused(
        exact(),
        |v| v["groups"]["all"]["semh"]["mean_delta_need"] = json!(-7),
        "groups.all.semh.mean_delta_need",
        "-7",
        "a difference of levels from -4 to 4",
    );
}

#[test]
fn counts_that_are_not_whole_or_exceed_their_totals_are_refused() {
    refused(
        exact(),
        |v| v["groups"]["all"]["overdue"] = json!(-1),
        "groups.all.overdue",
        "-1",
        "a whole number, 0 or more",
    );
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["n"] = json!(12.5),
        "groups.all.cl.n",
        "12.5",
        "a whole number",
    );
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["histogram"][1] = json!(null),
        "groups.all.cl.histogram[1]",
        "null",
        "a summary without suppression hides no count",
    );
    refused(
        exact(),
        |v| v["groups"]["all"]["cl"]["n"] = json!(11),
        "groups.all.cl.n",
        "11",
        "the sum of the histogram (12)",
    );
    refused(
        exact(),
        |v| v["groups"]["all"]["overdue"] = json!(13),
        "groups.all.overdue",
        "13",
        "at most children (12)",
    );
    // A by-group that does not add up to `all`.
    refused(
        by_setting(),
        |v| v["groups"]["setting_id=S0001"]["assessments"] = json!(16),
        "groups.all.assessments",
        "36",
        "the sum over the other groups (37)",
    );
}

#[test]
fn a_missing_key_or_a_non_summary_is_named_by_its_path() {
    let err = read_edited(exact(), |v| {
        v["groups"]["all"]["ind"]
            .as_object_mut()
            .unwrap()
            .remove("stable");
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "groups.all.ind.stable: missing; every summary written by vsend cohort has it"
    );
    // The old reader: "invalid type: integer 12, expected struct SummaryFile".
    let err = SummaryFile::from_json("12").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the top level: 12 is not allowed; allowed an object with as_of"),
        "{err}"
    );
    let err = read_edited(exact(), |v| v["groups"]["all"]["cl"] = json!(12)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "groups.all.cl: 12 is not allowed; allowed an object"
    );
    let err = read_edited(exact(), |v| v["groups"]["all"]["late"] = json!(0)).unwrap_err();
    assert_eq!(
        err,
        NotASummary::Unknown {
            path: "groups.all.late".into()
        }
    );
    let err = SummaryFile::from_json("{\"as_of\": ").unwrap_err();
    assert!(matches!(err, NotASummary::Syntax { line: 1, .. }), "{err}");
    assert!(
        !err.to_string().contains(" at line "),
        "the position once: {err}"
    );
}

#[test]
fn group_names_are_those_vsend_writes() {
    refused(
        by_setting(),
        |v| {
            let g = v["groups"]["setting_id=S0002"].take();
            v["groups"]["age_band=primary"] = g;
            v["groups"]
                .as_object_mut()
                .unwrap()
                .remove("setting_id=S0002");
        },
        "groups.setting_id=S0001",
        "\"setting_id=S0001\"",
        "a group of age_band, as the others",
    );
    refused(
        exact(),
        |v| v["groups"]["everyone"] = v["groups"]["all"].clone(),
        "groups.everyone",
        "\"everyone\"",
        "\"all\" or \"<key>=<value>\"",
    );
}

#[test]
fn two_inputs_with_one_label_are_refused() {
    let text = exact().to_string();
    let err = compare_json(&[
        ("x".into(), &text),
        ("y".into(), &text),
        ("x".into(), &text),
    ])
    .unwrap_err();
    assert_eq!(
        err,
        CompareError::SameLabel {
            label: "x".into(),
            first: 1,
            second: 3
        }
    );
    assert!(
        err.to_string()
            .starts_with("x: the label of summaries 1 and 3; each summary needs its own label"),
        "{err}"
    );
}

#[test]
fn a_shared_summary_must_show_only_what_section_14_shows() {
    refused(
        shared(),
        |v| v["groups"]["all"]["cl"]["mean_setting_gap"] = json!(0.3),
        "groups.all.cl.mean_setting_gap",
        "0.3",
        "null: a shared summary shows no mean",
    );
    refused(
        shared(),
        |v| v["groups"]["all"]["mean_need_index"] = json!(37.1),
        "groups.all.mean_need_index",
        "37.1",
        "null: a shared summary",
    );
    refused(
        shared(),
        |v| v["groups"]["all"]["need_correlation"][0][1] = json!(0.5),
        "groups.all.need_correlation[0][1]",
        "0.5",
        "null",
    );
    // The exact mean beside the rounded histogram [0, 5, 5, 5, 0].
    refused(
        shared(),
        |v| v["groups"]["all"]["cl"]["mean_need"] = json!(1.8333333333333333),
        "groups.all.cl.mean_need",
        "1.8333333333333333",
        "2, the mean of the shown histogram",
    );
    refused(
        shared(),
        |v| v["groups"]["all"]["ci"]["met_by_setting"] = json!(0.6666666666666666),
        "groups.all.ci.met_by_setting",
        "0.6666666666666666",
        "0.5, 1 - unmet_by_setting / n",
    );
    // An exact count where B = 5 rounds.
    refused(
        shared(),
        |v| v["groups"]["all"]["cl"]["high_need"] = json!(3),
        "groups.all.cl.high_need",
        "3",
        "0, a multiple of B = 5 or null",
    );
    refused(
        shared(),
        |v| v["groups"]["setting_id=S0001"]["children"] = json!(null),
        "groups.setting_id=S0001.children",
        "null",
        "never hidden",
    );
    refused(
        shared(),
        |v| v["groups"]["all"]["suppressed"] = json!(false),
        "groups.all.suppressed",
        "false",
        "true: whether any count of the group is null",
    );
    refused(
        shared(),
        |v| v["groups"]["all"]["priorities"] = json!(["ci", "sp"]),
        "groups.all.priorities",
        "[\"ci\", \"sp\"]",
        "[\"ci\"]",
    );
    // A plain summary has no `suppressed` flag.
    refused(
        exact(),
        |v| v["groups"]["all"]["suppressed"] = json!(false),
        "groups.all.suppressed",
        "false",
        "no such key in a summary without a suppression object",
    );
}

#[test]
fn a_shared_summary_of_model_1_1_is_refused_with_what_to_do() {
    let err = read_edited(shared(), |v| v["suppression"] = json!({"min_count": 3})).unwrap_err();
    assert_eq!(err, NotASummary::Before12 { min_count: 3 });
    let text = err.to_string();
    assert!(
        text.contains("MODEL 1.1") && text.contains("vsend cohort --suppress 3"),
        "{text}"
    );
    refused(
        shared(),
        |v| v["suppression"]["round_to"] = json!(2),
        "suppression.round_to",
        "2",
        "a whole number B from 3 to 100",
    );
    refused(
        shared(),
        |v| v["suppression"]["min_count"] = json!(1),
        "suppression.min_count",
        "1",
        "a whole number K from 2 to 100",
    );
}

#[test]
fn compare_reads_exact_and_shared_summaries_and_says_which_are_rounded() {
    let fw = Framework::default();
    let mut cohort = Cohort::new(&fw, None);
    for (_, a) in common::load_example_csv(&fw, "cohort-small.csv").accepted {
        cohort.add(&a).unwrap();
    }
    let s = Suppression::new(3, Some(3)).unwrap();
    let texts = [
        serde_json::to_string(&cohort.summary(Some(GroupBy::SettingId))).unwrap(),
        serde_json::to_string(&cohort.summary_suppressed(Some(GroupBy::SettingId), s)).unwrap(),
    ];
    let files: Vec<(String, SummaryFile)> = ["exact", "shared"]
        .iter()
        .zip(&texts)
        .map(|(l, t)| (l.to_string(), SummaryFile::from_json(t).unwrap()))
        .collect();
    let c = compare(&files).unwrap();
    assert_eq!(c.rows[0].suppression, None);
    assert_eq!(c.rows[1].suppression, Some(s));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["rows"][0]["suppression"], Value::Null);
    assert_eq!(
        json["rows"][1]["suppression"],
        json!({"min_count": 3, "round_to": 3})
    );
    // The shared row's figures are those of its shown counts: cl histogram
    // [0, 6, 3, 3, 0] has mean 1.75 (exactly 22 / 12 = 1.8333 in the plain one).
    let cl = &c.rows[1].domains[vsend_core::Domain::Cl];
    assert_eq!(cl.mean_need, Some(1.75));
    assert!((cl.diff_mean_need.unwrap() - (1.75 - 22.0 / 12.0)).abs() < 1e-12);
    assert_eq!(cl.met_by_family, None, "never shown when shared");
    assert_eq!(c.rows[1].children, Some(12));
}

#[test]
fn counts_as_large_as_a_file_can_hold_are_read_without_overflow() {
    // Every count u64::MAX: refused for what it is, never a panic.
    for value in [exact(), by_setting()] {
        let mut huge = value.clone();
        for (_, g) in huge["groups"].as_object_mut().unwrap() {
            for key in ["children", "assessments"] {
                g[key] = json!(u64::MAX);
            }
            for d in ["cl", "ci", "sp", "semh", "ind"] {
                for key in [
                    "n",
                    "improved",
                    "stable",
                    "worsened",
                    "high_need",
                    "unmet_by_setting",
                ] {
                    g[d][key] = json!(u64::MAX);
                }
                g[d]["histogram"] = json!([u64::MAX, u64::MAX, u64::MAX, u64::MAX, u64::MAX]);
            }
        }
        let err = SummaryFile::from_json(&huge.to_string()).unwrap_err();
        assert!(matches!(err, NotASummary::Invalid { .. }), "{err}");
    }
    let mut huge = shared();
    // u64::MAX is a multiple of 5: shown as a rounded count, above n.
    huge["groups"]["all"]["cl"]["histogram"] = json!([0, u64::MAX, 0, 0, 0]);
    assert!(SummaryFile::from_json(&huge.to_string()).is_err());
}
