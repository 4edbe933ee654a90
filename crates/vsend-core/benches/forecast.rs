//! §15 projection with a back-test and 200 replicates, and §16 impact, over a
//! generated five-year history of about 60,000 children and 850,000 reviews.
//!
//! Run: `cargo bench -p vsend-core --features bench --bench forecast -- --sample-size 10`
//!
//! The history is built once, outside the timings; each iteration reads it
//! from the start, as `vsend forecast` would after reading the file.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use vsend_core::history::Keep;
use vsend_core::{
    forecast, impact, AssessmentBuilder, Date, Domain, ForecastOptions, Framework, Histories,
    ImpactOptions, SplitMix64,
};

const CHILDREN: u64 = 60_000;

/// A deterministic history of a little over five years (May 2020 to July 2025): most
/// children on the caseload from the start, the rest joining term by term;
/// termly reviews with some missed, some children leaving; needs drifting a
/// level at a time; one date of birth in twelve missing.
fn history(fw: &Framework) -> Histories {
    let mut rng = SplitMix64::new(0x5EED);
    let start = Date::new(2020, 5, 1).unwrap();
    let last_day = 5 * 365 + 75;
    let mut histories = Histories::new(Keep::levels(fw));
    let mut reviews = 0u64;
    for c in 0..CHILDREN {
        let id = format!("B{:07}", (c * 7_919) % 10_000_000);
        let born = (rng.index(12) > 0).then(|| {
            Date::new(
                2001 + rng.index(19) as i16,
                1 + rng.index(12) as i8,
                1 + rng.index(28) as i8,
            )
            .unwrap()
        });
        let born_text = born.map(|b| b.to_string());
        let mut day = if rng.index(8) == 0 {
            rng.index(last_day as u64) as i32
        } else {
            rng.index(60) as i32
        };
        // Some children leave before the end.
        let end = if rng.index(8) == 0 {
            day + 300 + rng.index(1_500) as i32
        } else {
            last_day
        };
        let mut needs: Vec<u8> = fw.areas().iter().map(|_| rng.index(5) as u8).collect();
        let mut offers = [0u8; 10];
        for o in &mut offers {
            *o = rng.index(5) as u8;
        }
        while day <= end.min(last_day) {
            let on = start.checked_add(jiff::Span::new().days(day)).unwrap();
            let mut b = AssessmentBuilder::new(fw);
            b.child_id(&id).assessed_on(&on.to_string());
            if let Some(born) = &born_text {
                b.date_of_birth(born);
            }
            for (area, level) in fw.areas().iter().zip(&mut needs) {
                if rng.index(6) == 0 {
                    *level = (i64::from(*level) + rng.index(3) as i64 - 1).clamp(0, 4) as u8;
                }
                let text = if rng.index(12) == 0 {
                    String::new()
                } else {
                    level.to_string()
                };
                b.need(area.key(), &text);
            }
            for (i, o) in offers.iter_mut().enumerate() {
                if rng.index(4) == 0 {
                    *o = (i64::from(*o) + rng.index(3) as i64 - 1).clamp(0, 4) as u8;
                }
                let d = Domain::ALL[i % 5];
                let text = o.to_string();
                if i < 5 {
                    b.readiness(d, &text);
                } else {
                    b.confidence(d, &text);
                }
            }
            // A review beyond §3's age range is not an assessment: skipped.
            if let Ok(a) = b.build() {
                histories.add(&a).expect("one review per child per date");
                reviews += 1;
            }
            // Termly, sometimes a term missed.
            day += 118 + rng.index(8) as i32 + if rng.index(40) == 0 { 122 } else { 0 };
        }
    }
    eprintln!("generated {} children, {reviews} reviews", histories.len());
    histories
}

fn benches(c: &mut Criterion) {
    let fw = Framework::default();
    let histories = history(&fw);
    let options = ForecastOptions {
        backtest: true,
        ..ForecastOptions::default()
    };
    let f = forecast(&fw, &histories, &options).expect("five years of history");
    eprintln!(
        "as_of {}, K = {}, {} history children, {} entrants a year",
        f.as_of, f.history.years, f.history.children, f.inflow.children_per_year
    );
    let mut group = c.benchmark_group("forecast");
    group.bench_function("forecast_backtest_200_replicates", |b| {
        b.iter(|| black_box(forecast(&fw, black_box(&histories), &options).unwrap()))
    });
    group.bench_function("impact_200_replicates", |b| {
        b.iter(|| black_box(impact(&fw, black_box(&histories), &ImpactOptions::default()).unwrap()))
    });
    group.finish();
}

criterion_group!(forecast_benches, benches);
criterion_main!(forecast_benches);
