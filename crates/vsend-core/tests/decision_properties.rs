//! Properties of §13 banding and §14 suppression (MODEL 1.2) that must hold for every input:
//! random cohorts with settings of 1 to 30 children, several K and B.

mod common;

use std::collections::BTreeMap;

use common::random;
use proptest::prelude::*;
use serde_json::Value;
use vsend_core::{Domain, DomainVector, Framework, GroupBy, SummaryFile, Suppression};

fn banded() -> Framework {
    common::example_framework("framework-banded.json")
}

const BYS: [Option<GroupBy>; 4] = [
    None,
    Some(GroupBy::SettingId),
    Some(GroupBy::AgeBand),
    Some(GroupBy::PrimaryDomain),
];

/// Rule 3, written again from the spec: 0, or B × max(1, ⌊c / B + 1/2⌋).
fn rounded(c: u64, b: u64) -> u64 {
    if c == 0 {
        0
    } else {
        b * ((c as f64 / b as f64 + 0.5).floor() as u64).max(1)
    }
}

/// The counts of one group of a summary file, in one order for exact and
/// shared files: `(path, value, vector)`, where `vector` names the
/// histogram, change triple or bands map the count belongs to (rule 2).
fn counts(g: &Value) -> Vec<(String, Option<u64>, Option<String>)> {
    let mut out = Vec::new();
    for key in ["children", "assessments", "overdue"] {
        out.push((key.to_owned(), g[key].as_u64(), None));
    }
    for d in Domain::ALL {
        let x = &g[d.key()];
        for key in ["n", "high_need", "unmet_by_setting"] {
            out.push((format!("{d}.{key}"), x[key].as_u64(), None));
        }
        for (j, h) in x["histogram"].as_array().unwrap().iter().enumerate() {
            out.push((
                format!("{d}.histogram[{j}]"),
                h.as_u64(),
                Some(format!("{d}.histogram")),
            ));
        }
        for key in ["improved", "stable", "worsened"] {
            out.push((
                format!("{d}.{key}"),
                x[key].as_u64(),
                Some(format!("{d}.change")),
            ));
        }
    }
    if let Some(bands) = g.get("bands").and_then(Value::as_object) {
        // The file's key order is the band order, `unbanded` last.
        for (id, n) in bands {
            out.push((format!("bands.{id}"), n.as_u64(), Some("bands".to_owned())));
        }
    }
    out
}

/// The exact counts of `<key>=other`: the sum over the exact groups of
/// fewer than K children (rule 1), for every count.
fn merged(groups: &[&Value]) -> Vec<(String, Option<u64>, Option<String>)> {
    let mut out = counts(groups[0]);
    for g in &groups[1..] {
        for (o, (_, c, _)) in out.iter_mut().zip(counts(g)) {
            o.1 = Some(o.1.unwrap() + c.unwrap());
        }
    }
    out
}

fn figure(x: &Value) -> Option<f64> {
    x.as_f64()
}

/// Checks one shared group (as written) against the exact counts of the
/// same children, rule by rule.
fn check_shared_group(
    name: &str,
    shared: &Value,
    exact: &[(String, Option<u64>, Option<String>)],
    k: u64,
    b: u64,
) -> Result<(), TestCaseError> {
    let shown = counts(shared);
    prop_assert_eq!(shown.len(), exact.len());
    let small = |c: u64| (1..k).contains(&c);
    for ((path, s, vector), (_, c, _)) in shown.iter().zip(exact) {
        let c = c.unwrap();
        // Every shown count is 0, null or a positive multiple of B (≥ B).
        prop_assert!(
            s.is_none_or(|s| s == 0 || (s % b == 0 && s >= b)),
            "{name}.{path}: {s:?} under B = {b}"
        );
        // No exact count from 1 to K − 1 is ever shown.
        if small(c) {
            prop_assert_eq!(
                *s,
                None,
                "{}.{}: exact {} shown under K = {}",
                name,
                path,
                c,
                k
            );
        } else if c == 0 {
            prop_assert_eq!(*s, Some(0), "{}.{}: a zero is never hidden", name, path);
        } else if let Some(s) = s {
            prop_assert_eq!(*s, rounded(c, b), "{}.{}: exact {}", name, path, c);
        } else {
            // A count of K or more is hidden only as rule 2's second entry:
            // the smallest other non-zero entry (first on ties) of a vector
            // with exactly one small entry, decided on the exact counts.
            let Some(vector) = vector else {
                return Err(TestCaseError::fail(format!(
                    "{name}.{path}: exact {c} ≥ K hidden outside a vector"
                )));
            };
            let members: Vec<(usize, u64, bool)> = exact
                .iter()
                .zip(&shown)
                .enumerate()
                .filter(|(_, ((_, _, v), _))| v.as_ref() == Some(vector))
                .map(|(i, ((_, c, _), (p, _, _)))| (i, c.unwrap(), p == path))
                .collect();
            let smalls = members.iter().filter(|m| small(m.1)).count();
            prop_assert_eq!(
                smalls,
                1,
                "{}.{}: a second entry hidden without exactly one small one",
                name,
                path
            );
            let second = members
                .iter()
                .filter(|m| !small(m.1) && m.1 > 0)
                .min_by_key(|m| (m.1, m.0))
                .unwrap();
            prop_assert!(
                second.2,
                "{name}.{path}: hidden, but not the smallest other entry"
            );
        }
    }
    // A vector with exactly one small count and another non-zero one always
    // has a second null.
    let mut vectors: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for ((_, s, vector), (_, c, _)) in shown.iter().zip(exact) {
        if let Some(v) = vector {
            let e = vectors.entry(v).or_default();
            let c = c.unwrap();
            e.0 += usize::from(small(c));
            e.1 += usize::from(c >= k);
            e.2 += usize::from(s.is_none());
        }
    }
    for (v, (smalls, others, nulls)) in vectors {
        if smalls == 1 && others > 0 {
            prop_assert!(
                nulls >= 2,
                "{name}.{v}: one small count and only {nulls} null"
            );
        }
    }
    // No mean, share, coverage, correlation or money figure is shown but the
    // two derived ones, and those are their formulas on the shown counts.
    for d in Domain::ALL {
        let x = &shared[d.key()];
        let h: Option<Vec<u64>> = x["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::as_u64)
            .collect();
        let mean = h.and_then(|h| {
            let sum: u64 = h.iter().sum();
            (sum > 0).then(|| {
                h.iter()
                    .enumerate()
                    .map(|(j, c)| j as f64 * *c as f64)
                    .sum::<f64>()
                    / sum as f64
            })
        });
        let got = figure(&x["mean_need"]);
        prop_assert!(
            got.is_some() == mean.is_some()
                && got.zip(mean).is_none_or(|(g, m)| (g - m).abs() < 1e-12),
            "{name}.{d}.mean_need {got:?}, want {mean:?}"
        );
        let met = match (x["unmet_by_setting"].as_u64(), x["n"].as_u64()) {
            (Some(u), Some(n)) if n > 0 => Some(1.0 - u as f64 / n as f64),
            _ => None,
        };
        let got = figure(&x["met_by_setting"]);
        prop_assert!(
            got.is_some() == met.is_some()
                && got.zip(met).is_none_or(|(g, m)| (g - m).abs() < 1e-12),
            "{name}.{d}.met_by_setting {got:?}, want {met:?}"
        );
        for key in [
            "met_by_family",
            "mean_setting_gap",
            "mean_delta_need",
            "planned_met_by_setting",
        ] {
            prop_assert!(x[key].is_null(), "{name}.{d}.{key} shown: {}", x[key]);
        }
    }
    for key in [
        "mean_need_index",
        "mean_setting_coverage",
        "mean_family_coverage",
    ] {
        prop_assert!(shared[key].is_null(), "{name}.{key} shown");
    }
    prop_assert!(shared["need_correlation"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .all(Value::is_null));
    if shared.get("bands").is_some() {
        prop_assert!(shared["top_up_total"].is_null());
    }
    // `priorities` from the shown unmet_by_setting, `suppressed` from the nulls.
    let mut unmet: Vec<(usize, u64)> = Domain::ALL
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            shared[d.key()]["unmet_by_setting"]
                .as_u64()
                .filter(|&u| u > 0)
                .map(|u| (i, u))
        })
        .collect();
    unmet.sort_by_key(|&(i, u)| (std::cmp::Reverse(u), i));
    let want: Vec<&str> = unmet.iter().map(|&(i, _)| Domain::ALL[i].key()).collect();
    let got: Vec<&str> = shared["priorities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    prop_assert_eq!(got, want, "{}.priorities", name);
    prop_assert_eq!(
        shared["suppressed"].as_bool(),
        Some(shown.iter().any(|(_, s, _)| s.is_none()))
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shared_summaries_keep_every_section_14_rule(
        children in random::arb_cohort(6),
        k in 2u64..=6,
        b in prop::option::of(3u64..=12),
        by in 0usize..4,
        banded_fw in any::<bool>(),
    ) {
        let fw = if banded_fw { banded() } else { Framework::default() };
        let c = random::cohort(&fw, &random::assessments(&fw, &children));
        let suppression = Suppression::new(k, b).unwrap();
        let b = suppression.round_to();
        let shared = serde_json::to_value(c.summary_suppressed(BYS[by], suppression)).unwrap();
        let exact = serde_json::to_value(c.summary(BYS[by])).unwrap();
        prop_assert_eq!(&shared["suppression"], &serde_json::json!({"min_count": k, "round_to": b}));
        // Both read back as summaries vsend could have written.
        SummaryFile::from_json(&shared.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        SummaryFile::from_json(&exact.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let exact_groups = exact["groups"].as_object().unwrap();
        let shared_groups = shared["groups"].as_object().unwrap();
        // Rule 1: by-groups of at least K children kept as they are, the rest
        // merged into `<key>=other`, kept only with at least K children.
        let small: Vec<&Value> = exact_groups
            .iter()
            .filter(|(name, g)| *name != "all" && g["children"].as_u64().unwrap() < k)
            .map(|(_, g)| g)
            .collect();
        let merged_children: u64 = small.iter().map(|g| g["children"].as_u64().unwrap()).sum();
        for (name, g) in exact_groups {
            let kept = name == "all" || g["children"].as_u64().unwrap() >= k;
            prop_assert_eq!(shared_groups.contains_key(name), kept, "{}", name);
        }
        let other = BYS[by].map(|by| format!("{by}=other"));
        let other_kept = other.as_ref().is_some_and(|o| shared_groups.contains_key(o));
        prop_assert_eq!(other_kept, merged_children >= k, "other of {} children", merged_children);
        for (name, g) in shared_groups {
            let exact_counts = if Some(name) == other.as_ref() { merged(&small) } else { counts(&exact_groups[name]) };
            check_shared_group(name, g, &exact_counts, k, b)?;
        }
    }

    #[test]
    fn shuffling_rows_never_changes_a_summary(
        (children, order) in random::arb_cohort(4).prop_flat_map(|c| {
            let n: usize = c.iter().map(|c| c.reviews.len()).sum();
            (Just(c), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        }),
        k in 2u64..=5,
        b in prop::option::of(3u64..=7),
    ) {
        let suppression = Suppression::new(k, b).unwrap();
        for fw in [Framework::default(), banded()] {
            let rows = random::assessments(&fw, &children);
            let shuffled: Vec<_> = order.iter().map(|&i| rows[i].clone()).collect();
            let (a, b) = (random::cohort(&fw, &rows), random::cohort(&fw, &shuffled));
            for by in BYS {
                prop_assert_eq!(
                    serde_json::to_string(&a.summary(by)).unwrap(),
                    serde_json::to_string(&b.summary(by)).unwrap()
                );
                prop_assert_eq!(
                    serde_json::to_string(&a.summary_suppressed(by, suppression)).unwrap(),
                    serde_json::to_string(&b.summary_suppressed(by, suppression)).unwrap()
                );
            }
            prop_assert_eq!(
                serde_json::to_string(&a.phase_moves(2024)).unwrap(),
                serde_json::to_string(&b.phase_moves(2024)).unwrap()
            );
        }
    }

    #[test]
    fn summaries_of_a_mean_framework_read_back(
        children in random::arb_cohort(4),
        k in 2u64..=5,
        by in 0usize..4,
    ) {
        // Needs in fractions, counted at their floors: every check of the
        // reader holds for what vsend writes.
        let fw = Framework::from_json(&std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/framework-mean.json"),
        ).unwrap()).unwrap();
        let c = random::cohort(&fw, &random::assessments(&fw, &children));
        let exact = serde_json::to_string(&c.summary(BYS[by])).unwrap();
        let shared = serde_json::to_string(&c.summary_suppressed(BYS[by], Suppression::new(k, None).unwrap())).unwrap();
        for text in [exact, shared] {
            SummaryFile::from_json(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
    }

    #[test]
    fn a_band_never_falls_below_a_floor_that_applies(
        weights in [0u8..6, 0u8..6, 0u8..6, 0u8..6, 0u8..6],
        steps in prop::collection::vec(1u8..8, 0..5),
        floors in prop::collection::vec((prop::option::of(0usize..5), 1u8..=4, 0usize..6), 0..5),
        needs in [0u8..=8, 0u8..=8, 0u8..=8, 0u8..=8, 0u8..=8],
    ) {
        let mut min = 0.0;
        let mut bands = vec![r#"{"id": "B0", "label": "b", "min_score": 0}"#.to_owned()];
        for (i, s) in steps.iter().enumerate() {
            min += f64::from(*s) / 2.0;
            bands.push(format!(r#"{{"id": "B{}", "label": "b", "min_score": {min}, "top_up": {}}}"#, i + 1, i * 100));
        }
        let floors: Vec<String> = floors
            .iter()
            .map(|(d, min_need, band)| {
                let domain = d.map(|d| format!(r#""domain": "{}", "#, Domain::ALL[d])).unwrap_or_default();
                format!(r#"{{{domain}"min_need": {min_need}, "band": "B{}"}}"#, band % bands.len())
            })
            .collect();
        let w: Vec<String> = Domain::ALL.iter().zip(weights).map(|(d, w)| format!(r#""{d}": {}"#, f64::from(w) / 2.0)).collect();
        let banding = format!(
            r#"{{"weights": {{{}}}, "bands": [{}], "floors": [{}]}}"#,
            w.join(", "), bands.join(", "), floors.join(", ")
        );
        let json = Framework::default().to_json().replacen('{', &format!(r#"{{"banding": {banding},"#), 1);
        let fw = Framework::from_json(&json).unwrap();
        let b = fw.banding().unwrap();
        // Needs in halves, as a mean-aggregated framework gives.
        let need = DomainVector::from_options(needs.map(|n| Some(f64::from(n) / 2.0)));
        let r = b.band(&need).unwrap();
        let values = need.values();
        let score: f64 = Domain::ALL.iter().map(|&d| b.weights()[d] * values[d.index()]).sum();
        prop_assert!((r.band_score - score).abs() < 1e-9);
        let score_band = b.bands().iter().rposition(|x| x.min_score() <= score).unwrap();
        prop_assert!(r.band >= score_band);
        let applies = |f: &vsend_core::Floor, d: Domain| {
            f.domain().is_none_or(|fd| fd == d) && values[d.index()] >= f64::from(f.min_need())
        };
        for f in b.floors() {
            if Domain::ALL.iter().any(|&d| applies(f, d)) {
                prop_assert!(r.band >= f.band(), "floor {f:?} applies but band is {}", r.band);
            }
        }
        match r.raised_by {
            None => prop_assert_eq!(r.band, score_band),
            Some(d) => {
                prop_assert!(r.band > score_band);
                prop_assert!(b.floors().iter().any(|f| f.band() == r.band && applies(f, d)));
                for earlier in Domain::ALL.iter().take_while(|&&e| e != d) {
                    prop_assert!(!b.floors().iter().any(|f| f.band() == r.band && applies(f, *earlier)));
                }
            }
        }
        prop_assert_eq!(r.top_up, b.bands()[r.band].top_up());
        // Incomplete profiles have no band.
        let mut partial = need;
        partial.set(Domain::Sp, None);
        prop_assert!(b.band(&partial).is_none());
    }
}
