//! Properties of §13 banding and §14 suppression that must hold for every input.

mod common;

use std::collections::BTreeMap;

use proptest::prelude::*;
use vsend_core::{
    Assessment, AssessmentBuilder, Cohort, Domain, DomainVector, Framework, GroupBy, SharedGroup,
};

/// One generated review: child, setting, day, need and readiness per domain.
type Row = (u8, Option<u8>, u16, [Option<u8>; 5], [Option<u8>; 5]);

fn arb_rows() -> impl Strategy<Value = Vec<Row>> {
    let level = || prop::option::weighted(0.85, 0u8..=4);
    prop::collection::vec(
        (
            0u8..14,
            prop::option::weighted(0.9, 0u8..4),
            0u16..500,
            [level(), level(), level(), level(), level()],
            [level(), level(), level(), level(), level()],
        ),
        0..60,
    )
    .prop_map(|rows| {
        // One review per child and day: which of two same-day reviews is
        // rejected depends on input order (§7), which a shuffle changes.
        let unique: BTreeMap<(u8, u16), Row> = rows.into_iter().map(|r| ((r.0, r.2), r)).collect();
        unique.into_values().collect()
    })
}

fn build(fw: &Framework, row: &Row) -> Assessment {
    let (child, setting, day, needs, readiness) = row;
    let on = jiff::civil::date(2024, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(*day)))
        .unwrap();
    let born = jiff::civil::date(2000, 1, 1)
        .checked_add(jiff::Span::new().days(i64::from(*child) * 500))
        .unwrap();
    let text = |l: Option<u8>| l.map(|l| l.to_string()).unwrap_or_default();
    let mut b = AssessmentBuilder::new(fw);
    b.child_id(&format!("C{child:02}"))
        .assessed_on(&on.to_string())
        .date_of_birth(&born.to_string());
    if let Some(s) = setting {
        b.setting_id(&format!("S{s}"));
    }
    for (i, d) in Domain::ALL.into_iter().enumerate() {
        b.need(fw.areas_of(d)[0].key(), &text(needs[i]))
            .readiness(d, &text(readiness[i]))
            .confidence(d, &text(readiness[(i + 1) % 5]))
            .readiness_planned(d, &text(needs[(i + 2) % 5]));
    }
    b.build().unwrap()
}

fn cohort<'f>(fw: &'f Framework, rows: &[Row]) -> Cohort<'f> {
    let mut c = Cohort::new(fw, None);
    for row in rows {
        c.add(&build(fw, row)).unwrap();
    }
    c
}

fn banded() -> Framework {
    common::example_framework("framework-banded.json")
}

const BYS: [Option<GroupBy>; 4] = [
    None,
    Some(GroupBy::SettingId),
    Some(GroupBy::AgeBand),
    Some(GroupBy::PrimaryDomain),
];

/// Every count of a shared group that sums to a total, with that total.
fn count_sets(g: &SharedGroup) -> Vec<(Vec<Option<u64>>, Option<u64>)> {
    let mut sets = Vec::new();
    for (_, d) in g.domains.iter() {
        sets.push((d.histogram.clone(), d.n));
        // The triple's own total (children with a previous review) is never shown.
        sets.push((vec![d.improved, d.stable, d.worsened], None));
    }
    if let Some(b) = &g.banding {
        let mut entries: Vec<Option<u64>> = b.bands.iter().map(|(_, n)| *n).collect();
        entries.push(b.unbanded);
        sets.push((entries, g.children));
    }
    sets
}

fn single_counts(g: &SharedGroup) -> Vec<Option<u64>> {
    let mut out = vec![g.children, g.assessments, g.overdue];
    for (_, d) in g.domains.iter() {
        out.extend([d.n, d.high_need, d.unmet_by_setting]);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn suppression_never_shows_a_count_below_k_nor_a_count_found_by_subtraction(
        rows in arb_rows(),
        k in 2u64..6,
        by in 0usize..4,
    ) {
        let fw = banded();
        let c = cohort(&fw, &rows);
        let shared = c.summary_suppressed(BYS[by], k).unwrap();
        for (name, g) in &shared.groups {
            let mut all_counts = single_counts(g);
            for (entries, _) in count_sets(g) {
                all_counts.extend(entries);
            }
            for x in all_counts.into_iter().flatten() {
                prop_assert!(x == 0 || x >= k, "{name}: count {x} shown under K = {k}");
            }
            if name != "all" {
                prop_assert!(g.children.unwrap() >= k, "{name}: a small group kept");
            }
            for (entries, total) in count_sets(g) {
                let hidden = entries.iter().filter(|x| x.is_none()).count();
                if total.is_some() {
                    // One hidden entry beside a shown total is the total minus the rest.
                    prop_assert!(hidden != 1, "{name}: {entries:?} against {total:?}");
                } else if hidden == 1 {
                    // Only when nothing non-zero was left to hide with it.
                    prop_assert!(entries.iter().flatten().all(|&x| x == 0), "{name}: {entries:?}");
                }
            }
            let any_unmet_hidden = g.domains.iter().any(|(_, d)| d.unmet_by_setting.is_none());
            prop_assert_eq!(g.priorities.is_none(), any_unmet_hidden);
        }
    }

    #[test]
    fn shuffling_rows_never_changes_a_summary(
        (rows, shuffled) in arb_rows().prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle())),
        k in 2u64..5,
    ) {
        for fw in [Framework::default(), banded()] {
            let (a, b) = (cohort(&fw, &rows), cohort(&fw, &shuffled));
            for by in BYS {
                prop_assert_eq!(
                    serde_json::to_string(&a.summary(by)).unwrap(),
                    serde_json::to_string(&b.summary(by)).unwrap()
                );
                prop_assert_eq!(
                    serde_json::to_string(&a.summary_suppressed(by, k).unwrap()).unwrap(),
                    serde_json::to_string(&b.summary_suppressed(by, k).unwrap()).unwrap()
                );
            }
            prop_assert_eq!(
                serde_json::to_string(&a.phase_moves(2024)).unwrap(),
                serde_json::to_string(&b.phase_moves(2024)).unwrap()
            );
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
