//! Radar rendering speed, SVG and PNG, one radar per iteration.
//!
//! Run: `cargo bench -p vsend-chart --features bench --bench radar`
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vsend_chart::{radar, radar_png, RadarStyle};
use vsend_core::{score, AssessmentBuilder, Domain, Framework};

fn benches(c: &mut Criterion) {
    let fw = Framework::default();
    let mut b = AssessmentBuilder::new(&fw);
    b.child_id("C0042").assessed_on("2025-03-14");
    for (i, area) in fw.areas().iter().enumerate() {
        b.need(area.key(), &(i % 5).to_string());
    }
    for d in Domain::ALL {
        b.readiness(d, "2").confidence(d, "3");
    }
    let current = score(&fw, &b.build().unwrap());
    let style = RadarStyle::for_review("C0042", vsend_core::parse_date("2025-03-14").unwrap());

    let mut group = c.benchmark_group("radar");
    group.throughput(Throughput::Elements(1));
    group.bench_function("svg_800", |bench| {
        bench.iter(|| black_box(radar(&fw, black_box(&current), None, &style).unwrap()))
    });
    group.sample_size(30);
    group.bench_function("png_800", |bench| {
        bench.iter(|| black_box(radar_png(&fw, black_box(&current), None, &style).unwrap()))
    });
    group.finish();
}

criterion_group!(radar_benches, benches);
criterion_main!(radar_benches);
