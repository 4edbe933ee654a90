//! Scoring and cohort building over 100,000 pre-parsed assessments; and
//! 100,000 rows handed over column by column (a DataFrame's), read plainly
//! and scored a row or a column at a time.
//!
//! Run: `cargo bench -p vsend-core --features bench --bench score`
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vsend_core::{
    score, Assessment, AssessmentBuilder, Cohort, Column, ColumnLayout, Domain, Framework, GroupBy,
    PlainCell, ScoreColumns, SeenDates, EMPTY_LEVEL,
};

const ASSESSMENTS: usize = 100_000;
const REVIEWS_PER_CHILD: usize = 4;

/// The benches' random numbers: a xorshift from a fixed seed.
fn xorshift() -> impl FnMut() -> u64 {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// A deterministic cohort: 25,000 children with four termly reviews each, about
/// one value in ten not assessed.
fn cohort(fw: &Framework) -> Vec<Assessment> {
    let mut next = xorshift();
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

/// Rows a slice, as `vsend.score` hands a DataFrame's rows to the core.
const SLICE: usize = 4096;

/// The same kind of rows as [`cohort`], as columns: text for the IDs and
/// dates, and the level columns' codes (a level, or [`EMPTY_LEVEL`]).
struct Frame {
    header: Vec<String>,
    text: Vec<Vec<String>>,
    codes: Vec<Option<Vec<u8>>>,
}

fn frame(fw: &Framework) -> Frame {
    let header: Vec<String> = Column::all(fw).into_iter().map(|c| c.name(fw)).collect();
    let mut next = xorshift();
    let dates = ["2024-09-20", "2025-01-15", "2025-05-10", "2025-09-18"];
    let rows = 0..ASSESSMENTS;
    let child = |i: usize| i / REVIEWS_PER_CHILD;
    let text = vec![
        rows.clone().map(|i| format!("C{:08}", child(i))).collect(),
        rows.clone()
            .map(|i| dates[i % REVIEWS_PER_CHILD].to_owned())
            .collect(),
        rows.clone()
            .map(|i| format!("20{:02}-03-14", 5 + child(i) % 18))
            .collect(),
        rows.clone()
            .map(|i| format!("S{:04}", child(i) % 300))
            .collect(),
    ];
    let codes = (0..header.len())
        .map(|c| {
            (c >= text.len()).then(|| {
                let level = |r: u64| if r == 0 { EMPTY_LEVEL } else { (r % 5) as u8 };
                rows.clone().map(|_| level(next() % 10)).collect()
            })
        })
        .collect();
    Frame {
        header,
        text,
        codes,
    }
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

    // A DataFrame's rows, 4,096 at a time: read plainly, then scored a row
    // at a time (each row's `Scores`) or a column at a time (`ScoreColumns`,
    // in runs of 1,024 rows, as `vsend.score` does).
    let frame = frame(&fw);
    let layout = ColumnLayout::new(&fw, frame.header.iter().map(String::as_str)).unwrap();
    let cell = |c: usize, row: usize| PlainCell::Text(&frame.text[c][row]);
    let slices = || {
        (0..ASSESSMENTS)
            .step_by(SLICE)
            .map(|at| at..(at + SLICE).min(ASSESSMENTS))
    };
    let codes_of = |rows: std::ops::Range<usize>| -> Vec<Option<&[u8]>> {
        frame
            .codes
            .iter()
            .map(|c| c.as_deref().map(|c| &c[rows.clone()]))
            .collect()
    };
    let mut group = c.benchmark_group("frame");
    group.throughput(Throughput::Elements(ASSESSMENTS as u64));
    group.bench_function("plain_rows_scored_by_row_100k", |b| {
        b.iter(|| {
            for rows in slices() {
                let codes = codes_of(rows.clone());
                layout.plain_rows(&fw, rows, &codes, cell, |_, p| {
                    black_box(p.expect("plain rows"));
                });
            }
        })
    });
    group.bench_function("plain_rows_scored_by_column_100k", |b| {
        let mut columns = ScoreColumns::new();
        b.iter(|| {
            for rows in slices() {
                let codes = codes_of(rows.clone());
                let block = layout.plain_block(&fw, rows, &codes, cell);
                for at in (0..block.len()).step_by(1024) {
                    columns.fill(&fw, &block, at..(at + 1024).min(block.len()));
                    black_box(&columns);
                }
            }
        })
    });
    group.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
