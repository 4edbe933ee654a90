//! Random cohorts for the §14 property and attack tests: settings of 1 to 30
//! children (and a few without a setting), each child with 1 to 3 reviews.

use proptest::prelude::*;
use vsend_core::{Assessment, AssessmentBuilder, Cohort, Domain, Framework};

/// One review: its day and, per domain, need and readiness (None: not assessed).
pub type Review = (u16, [Option<u8>; 5], [Option<u8>; 5]);

/// One child: setting (None: unknown), age in years, reviews.
#[derive(Debug, Clone)]
pub struct Child {
    pub setting: Option<u8>,
    pub age: u8,
    pub reviews: Vec<Review>,
}

fn arb_review() -> impl Strategy<Value = Review> {
    let level = || prop::option::weighted(0.9, 0u8..=4);
    (
        0u16..700,
        [level(), level(), level(), level(), level()],
        [level(), level(), level(), level(), level()],
    )
}

fn arb_child() -> impl Strategy<Value = Child> {
    (2u8..=20, prop::collection::vec(arb_review(), 1..=3)).prop_map(|(age, mut reviews)| {
        // One review per day: which of two same-day reviews counts depends on
        // input order (§7), which a shuffle changes.
        reviews.sort_by_key(|r| r.0);
        reviews.dedup_by_key(|r| r.0);
        Child {
            setting: None,
            age,
            reviews,
        }
    })
}

/// Settings of `sizes` children (1 to 30 each, up to `max_settings`
/// settings) and 0 to 2 children without a setting.
pub fn arb_cohort(max_settings: usize) -> impl Strategy<Value = Vec<Child>> {
    (
        prop::collection::vec(1usize..=30, 1..=max_settings),
        0usize..=2,
    )
        .prop_flat_map(|(sizes, unknown)| {
            let total = sizes.iter().sum::<usize>() + unknown;
            prop::collection::vec(arb_child(), total).prop_map(move |mut children| {
                let mut i = 0;
                for (s, &size) in sizes.iter().enumerate() {
                    for child in &mut children[i..i + size] {
                        child.setting = Some(s as u8);
                    }
                    i += size;
                }
                children
            })
        })
}

/// Every review of every child as an assessment, children in order.
pub fn assessments(fw: &Framework, children: &[Child]) -> Vec<Assessment> {
    let mut out = Vec::new();
    for (i, child) in children.iter().enumerate() {
        for (day, needs, readiness) in &child.reviews {
            let on = jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(i64::from(*day)))
                .unwrap();
            let born = jiff::civil::date(2024 - i16::from(child.age), 3, 1);
            let text = |l: Option<u8>| l.map(|l| l.to_string()).unwrap_or_default();
            let mut b = AssessmentBuilder::new(fw);
            b.child_id(&format!("C{i:04}"))
                .assessed_on(&on.to_string())
                .date_of_birth(&born.to_string());
            if let Some(s) = child.setting {
                b.setting_id(&format!("S{s}"));
            }
            for (j, d) in Domain::ALL.into_iter().enumerate() {
                b.need(fw.areas_of(d)[0].key(), &text(needs[j]))
                    .readiness(d, &text(readiness[j]))
                    .confidence(d, &text(readiness[(j + 1) % 5]))
                    .readiness_planned(d, &text(needs[(j + 2) % 5]));
            }
            out.push(b.build().unwrap());
        }
    }
    out
}

/// The cohort of `assessments`, as of the latest.
pub fn cohort<'f>(fw: &'f Framework, assessments: &[Assessment]) -> Cohort<'f> {
    let mut c = Cohort::new(fw, None);
    for a in assessments {
        c.add(a).unwrap();
    }
    c
}
