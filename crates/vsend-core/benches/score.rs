//! Scoring and cohort building over 100,000 pre-parsed assessments.
//!
//! Run: `cargo bench -p vsend-core --features bench --bench score`
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vsend_core::{
    score, Assessment, AssessmentBuilder, Cohort, Domain, Framework, GroupBy, SeenDates,
};

const ASSESSMENTS: usize = 100_000;
const REVIEWS_PER_CHILD: usize = 4;

/// A deterministic cohort: 25,000 children with four termly reviews each, about
/// one value in ten not assessed.
fn cohort(fw: &Framework) -> Vec<Assessment> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut level = move || match next() % 10 {
        0 => String::new(),
        r => ((r % 5) as u8).to_string(),
    };
    let dates = ["2024-09-20", "2025-01-15", "2025-05-10", "2025-09-18"];
    (0..ASSESSMENTS)
        .map(|i| {
            let mut b = AssessmentBuilder::new(fw);
            let child = i / REVIEWS_PER_CHILD;
            b.child_id(&format!("C{child:08}"))
                .assessed_on(dates[i % REVIEWS_PER_CHILD])
                .date_of_birth(&format!("20{:02}-03-14", 5 + child % 18))
                .setting_id(&format!("S{:04}", child % 300));
            for area in fw.areas() {
                b.need(area.key(), &level());
            }
            for d in Domain::ALL {
                b.readiness(d, &level()).confidence(d, &level());
            }
            b.build().expect("generated assessments are valid")
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let fw = Framework::default();
    let assessments = cohort(&fw);

    let mut group = c.benchmark_group("core");
    group.throughput(Throughput::Elements(ASSESSMENTS as u64));
    group.bench_function("score_100k", |b| {
        b.iter(|| {
            for a in &assessments {
                black_box(score(&fw, black_box(a)));
            }
        })
    });
    // `vsend score` checks each row for a same-date duplicate (§7) on top of scoring it.
    group.bench_function("score_and_duplicate_check_100k", |b| {
        b.iter(|| {
            let mut seen = SeenDates::new();
            for a in &assessments {
                black_box(score(&fw, black_box(a)));
                seen.add(a.child_id(), a.assessed_on())
                    .expect("no duplicates");
            }
            black_box(seen)
        })
    });
    group.bench_function("cohort_build_100k", |b| {
        b.iter(|| {
            let mut cohort = Cohort::new(&fw, None);
            for a in &assessments {
                cohort.add(a).expect("no duplicates");
            }
            black_box(cohort)
        })
    });
    group.bench_function("cohort_build_and_summarise_100k", |b| {
        b.iter(|| {
            let mut cohort = Cohort::new(&fw, None);
            for a in &assessments {
                cohort.add(a).expect("no duplicates");
            }
            black_box(cohort.summary(Some(GroupBy::SettingId)))
        })
    });
    group.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
