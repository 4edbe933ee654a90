//! Properties of the model that must hold for every input (proptest).
//!
//! Checks: §4–§8 for every input.

use proptest::prelude::*;
use vsend_core::{
    parse_date, score, Assessment, AssessmentBuilder, Cohort, Column, ColumnLayout, Domain,
    Framework, PlainCell, Timeline, EMPTY_LEVEL,
};

/// The default areas under a scale of `max_level` and the given aggregation.
fn framework(max_level: u8, mean: bool) -> Framework {
    let labels: Vec<String> = (0..=max_level).map(|l| format!("\"L{l}\"")).collect();
    let json = Framework::default()
        .to_json()
        .replace("\"max_level\": 4", &format!("\"max_level\": {max_level}"))
        .replace(
            "\"aggregate\": \"max\"",
            if mean {
                "\"aggregate\": \"mean\""
            } else {
                "\"aggregate\": \"max\""
            },
        );
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["scale"]["labels"] = serde_json::from_str(&format!("[{}]", labels.join(","))).unwrap();
    // Left out, so that it takes its default for the new scale (§2).
    value.as_object_mut().unwrap().remove("high_need_level");
    Framework::from_json(&value.to_string()).unwrap()
}

fn arb_framework() -> impl Strategy<Value = Framework> {
    (1u8..=10, any::<bool>()).prop_map(|(m, mean)| framework(m, mean))
}

/// Optional levels for 19 areas and 3 × 5 offers, on a scale up to `max`.
fn arb_levels(max: u8) -> impl Strategy<Value = (Vec<Option<u8>>, Vec<Option<u8>>)> {
    (
        prop::collection::vec(prop::option::weighted(0.8, 0..=max), 19),
        prop::collection::vec(prop::option::weighted(0.8, 0..=max), 10),
    )
}

fn text(level: Option<u8>) -> String {
    level.map(|l| l.to_string()).unwrap_or_default()
}

fn build(
    fw: &Framework,
    child: &str,
    on: &str,
    needs: &[Option<u8>],
    offers: &[Option<u8>],
) -> Assessment {
    let mut b = AssessmentBuilder::new(fw);
    b.child_id(child).assessed_on(on);
    for (area, level) in fw.areas().iter().zip(needs) {
        b.need(area.key(), &text(*level));
    }
    for (i, d) in Domain::ALL.into_iter().enumerate() {
        b.readiness(d, &text(offers[i]))
            .confidence(d, &text(offers[5 + i]));
    }
    b.build().unwrap()
}

fn with_levels() -> impl Strategy<Value = (Framework, Vec<Option<u8>>, Vec<Option<u8>>)> {
    arb_framework().prop_flat_map(|fw| {
        let max = fw.scale().max_level();
        (Just(fw), arb_levels(max)).prop_map(|(fw, (n, o))| (fw, n, o))
    })
}

proptest! {
    #[test]
    fn need_lies_within_the_scale_and_coverage_within_0_1((fw, needs, offers) in with_levels()) {
        let s = score(&fw, &build(&fw, "C1", "2025-01-01", &needs, &offers));
        let max = f64::from(fw.scale().max_level());
        for d in Domain::ALL {
            if let Some(n) = s.need.get(d) {
                prop_assert!((0.0..=max).contains(&n), "need {n} outside 0..={max}");
            }
        }
        if let Some(w) = s.whole {
            for c in [w.setting_coverage, w.family_coverage].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&c), "coverage {c}");
            }
            prop_assert!((0.0..=100.0).contains(&w.need_index));
        }
    }

    #[test]
    fn adding_a_rating_never_lowers_a_max_need(
        (fw, needs, offers) in with_levels().prop_filter("max", |(fw, ..)| fw.aggregate() == vsend_core::Aggregate::Max),
        area in 0usize..19,
        level in 0u8..=10,
    ) {
        let level = level.min(fw.scale().max_level());
        let before = score(&fw, &build(&fw, "C1", "2025-01-01", &needs, &offers));
        let mut more = needs.clone();
        more[area] = Some(more[area].map_or(level, |l| l.max(level)));
        let after = score(&fw, &build(&fw, "C1", "2025-01-01", &more, &offers));
        for d in Domain::ALL {
            if let Some(b) = before.need.get(d) {
                prop_assert!(after.need.get(d).unwrap() >= b);
            }
        }
    }

    #[test]
    fn timeline_deltas_sum_to_last_minus_first(
        (fw, reviews) in arb_framework().prop_flat_map(|fw| {
            let max = fw.scale().max_level();
            (Just(fw), prop::collection::vec((1i32..400, arb_levels(max)), 1..8))
        })
    ) {
        let mut day = jiff::civil::date(2020, 1, 1);
        let assessments: Vec<Assessment> = reviews
            .iter()
            .map(|(gap, (needs, offers))| {
                day = day.checked_add(jiff::Span::new().days(i64::from(*gap))).unwrap();
                build(&fw, "C1", &day.to_string(), needs, offers)
            })
            .collect();
        let t = Timeline::build(&fw, &assessments, None).unwrap();
        prop_assert_eq!(t.steps().len(), assessments.len() - 1);
        for d in Domain::ALL {
            let needs: Vec<Option<f64>> = t.reviews().iter().map(|r| r.scores.need.get(d)).collect();
            if needs.iter().all(Option::is_some) {
                let sum: f64 = t.steps().iter().map(|s| s.delta_need.get(d).unwrap()).sum();
                let want = needs.last().unwrap().unwrap() - needs[0].unwrap();
                prop_assert!((sum - want).abs() < 1e-9, "{} vs {}", sum, want);
            }
        }
    }

    #[test]
    fn cohort_change_counts_reconcile(
        (fw, rows) in arb_framework().prop_flat_map(|fw| {
            let max = fw.scale().max_level();
            (Just(fw), prop::collection::vec((0u8..6, 0u16..60, arb_levels(max)), 0..40))
        })
    ) {
        let mut cohort = Cohort::new(&fw, None);
        let mut kept: Vec<(String, jiff::civil::Date, Assessment)> = Vec::new();
        for (child, day, (needs, offers)) in &rows {
            let child = format!("C{child}");
            let on = jiff::civil::date(2024, 1, 1).checked_add(jiff::Span::new().days(i64::from(*day))).unwrap();
            let a = build(&fw, &child, &on.to_string(), needs, offers);
            let duplicate = kept.iter().any(|(c, d, _)| *c == child && *d == on);
            prop_assert_eq!(cohort.add(&a).is_err(), duplicate);
            if !duplicate {
                kept.push((child, on, a));
            }
        }
        let summary = cohort.summary(None);
        let all = summary.group("all").unwrap();
        let children: std::collections::BTreeSet<_> = kept.iter().map(|k| k.0.clone()).collect();
        prop_assert_eq!(all.children as usize, children.len());
        prop_assert_eq!(all.assessments as usize, kept.len());
        for d in Domain::ALL {
            let mut both = 0;
            for child in &children {
                let mut mine: Vec<_> = kept.iter().filter(|k| &k.0 == child).collect();
                mine.sort_by_key(|k| k.1);
                if let [.., prev, cur] = mine.as_slice() {
                    let known = |a: &Assessment| score(&fw, a).need.get(d).is_some();
                    both += usize::from(known(&prev.2) && known(&cur.2));
                }
            }
            let s = &all.domains[d];
            prop_assert_eq!((s.improved + s.stable + s.worsened) as usize, both);
            prop_assert_eq!(s.histogram.iter().sum::<u64>(), s.n);
        }
    }

    #[test]
    fn scoring_never_panics_on_any_accepted_record(
        (fw, dob, setting, cells) in arb_framework().prop_flat_map(|fw| {
            // Mostly valid cells (so that records are accepted), some wild ones.
            let cell = prop_oneof![60 => " ?[01]? ?", 1 => "[ 0-9a-z.+-]{0,4}"];
            let dob = prop_oneof!["", "(199[0-9]|20[01][0-9]|202[0-4])-0[1-9]-(0[1-9]|1[0-9]|2[0-8])"];
            (Just(fw), dob, "[A-Za-z0-9][A-Za-z0-9._-]{0,8}", prop::collection::vec(cell, 19 + 15))
        })
    ) {
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("C1").assessed_on("2024-02-29").date_of_birth(&dob).setting_id(&setting);
        for (area, cell) in fw.areas().iter().zip(&cells[2..]) {
            b.need(area.key(), cell);
        }
        for (i, d) in Domain::ALL.into_iter().enumerate() {
            b.readiness(d, &cells[19 + i]).confidence(d, &cells[24 + i]).readiness_planned(d, &cells[29 + i]);
        }
        match b.build() {
            Ok(a) => {
                let s = score(&fw, &a);
                let row = vsend_core::ScoredRow::new(&fw, &a, &s);
                prop_assert!(serde_json::to_string(&row).is_ok());
            }
            // A rejected record always says why.
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }
}

/// A cell for a column: mostly plainly valid, sometimes what only the full
/// reading takes (spaces, `2.0`), sometimes wrong.
fn arb_cell(column: Column, max: u8) -> BoxedStrategy<String> {
    let odd = prop_oneof![
        Just(String::new()),
        Just(" 2".to_owned()),
        Just("2.0".to_owned()),
        Just("10".to_owned()),
        Just("-1".to_owned()),
        Just("\"3\"".to_owned()),
        Just("x".to_owned()),
        Just("é".to_owned()),
        Just("=1".to_owned()),
        Just("2025-02-30".to_owned()),
        Just("1850-06-01".to_owned()),
        Just("1990-01-01".to_owned()),
        "[ -~]{0,5}",
    ];
    let plain: BoxedStrategy<String> = match column {
        Column::ChildId | Column::SettingId => "[A-Za-z0-9][A-Za-z0-9._-]{0,9}".boxed(),
        Column::AssessedOn => "20(1[0-9]|2[0-5])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-9])".boxed(),
        Column::DateOfBirth => {
            prop_oneof!["", "20(0[0-9]|1[0-9])-0[1-9]-(0[1-9]|1[0-9]|2[0-9])"].boxed()
        }
        // Levels on the scale; 10 is valid but not plain.
        _ => prop::option::weighted(0.9, 0..=max).prop_map(text).boxed(),
    };
    prop_oneof![30 => plain, 1 => odd].boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]
    #[test]
    fn a_plain_row_reads_as_the_full_reading(
        (fw, columns, cells, extra) in arb_framework().prop_flat_map(|fw| {
            let columns = Column::all(&fw);
            // Any header order; the optional columns sometimes left out.
            (Just(fw), Just(columns).prop_shuffle(), any::<bool>())
                .prop_flat_map(|(fw, mut columns, planned)| {
                    if !planned {
                        columns.retain(|c| c.is_required());
                    }
                    let max = fw.scale().max_level();
                    let cells: Vec<_> = columns.iter().map(|&c| arb_cell(c, max)).collect();
                    (Just(fw), Just(columns), cells, prop_oneof![20 => Just(None), 1 => Just(Some(","))])
                })
        })
    ) {
        let names: Vec<String> = columns.iter().map(|c| c.name(&fw)).collect();
        let layout = ColumnLayout::new(&fw, names.iter().map(String::as_str)).unwrap();
        let mut line = cells.join(",");
        line.push_str(extra.unwrap_or(""));
        let full = match extra {
            None if !line.contains('"') => Some(layout.assessment(&fw, cells.iter().map(String::as_str))),
            _ => None,
        };
        let plain = layout.plain_scores(&fw, line.as_bytes());
        // The same cells handed over column by column, a level's digits as a
        // number: every other level column as codes, the rest cell by cell.
        let is_text = |i: usize| matches!(
            columns[i],
            Column::ChildId | Column::SettingId | Column::AssessedOn | Column::DateOfBirth
        );
        let number = |c: &str| match c {
            "" => Some(EMPTY_LEVEL),
            c if c.bytes().all(|b| b.is_ascii_digit()) => c.parse().ok().filter(|&v| v != EMPTY_LEVEL),
            _ => None,
        };
        let coded: Vec<Option<[u8; 1]>> = (0..cells.len())
            .map(|i| if is_text(i) || i % 2 == 0 { None } else { number(&cells[i]).map(|v| [v]) })
            .collect();
        let codes: Vec<Option<&[u8]>> = coded.iter().map(|c| c.as_ref().map(|c| &c[..])).collect();
        let cell = |i: usize, _row: usize| match (is_text(i), cells[i].as_str(), number(&cells[i])) {
            (true, c, _) => PlainCell::Text(c),
            (false, _, Some(EMPTY_LEVEL)) => PlainCell::Empty,
            (false, _, Some(v)) => PlainCell::Level(v),
            (false, c, None) => PlainCell::Text(c),
        };
        let mut by_cell = None;
        layout.plain_rows(&fw, 0..1, &codes, cell, |_, p| by_cell = p.cloned());
        if let Some(p) = &by_cell {
            let full = layout.assessment(&fw, cells.iter().map(String::as_str));
            prop_assert!(full.is_ok(), "read by cell but refused: {:?}", cells);
            let a = full.unwrap();
            prop_assert_eq!(&p.scores, &score(&fw, &a));
            prop_assert_eq!(&p.child_id, a.child_id());
            prop_assert_eq!(p.assessed_on, a.assessed_on());
        }
        match layout.plain_assessment(&fw, line.as_bytes()) {
            Some(a) => {
                prop_assert!(by_cell.is_some(), "a plain line not read by cell: {}", line);
                // Read straight to scores, the row scores as its assessment does.
                let p = plain.unwrap();
                prop_assert_eq!(&p.scores, &score(&fw, &a));
                prop_assert_eq!(&p.child_id, a.child_id());
                prop_assert_eq!(p.assessed_on, a.assessed_on());
                prop_assert_eq!(p.setting_id, a.setting_id().map(|s| s.as_str()));
                prop_assert_eq!(full, Some(Ok(a)));
            }
            None if plain.is_some() => prop_assert!(false, "read to scores but not to an assessment: {}", line),
            None => {
                // Only a row with something the full reading must look at is left to it.
                let plain = cells.iter().all(|c| c.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
                prop_assert!(!(plain && extra.is_none() && full.as_ref().is_some_and(|f| f.is_ok())
                    && cells.iter().zip(&columns).all(|(c, col)| match col {
                        Column::ChildId | Column::SettingId | Column::AssessedOn | Column::DateOfBirth => true,
                        _ => c.len() <= 1,
                    })), "a plain valid row was left to the full reading: {}", line);
            }
        }
    }
}

#[test]
fn a_29_february_child_is_assessed_on_28_february() {
    let fw = Framework::default();
    let mut b = AssessmentBuilder::new(&fw);
    b.child_id("C1")
        .assessed_on("2021-02-28")
        .date_of_birth("2016-02-29");
    let s = score(&fw, &b.build().unwrap());
    assert_eq!(
        s.age_band,
        Some(vsend_core::AgeBand::Primary),
        "turned 5 on 28 Feb 2021"
    );
    assert!(parse_date("2021-02-29").is_none());
}
