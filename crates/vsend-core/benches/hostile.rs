//! Hostile sizes (issue 13): checks that see user data must scale linearly
//! (or n log n), never quadratically. Each group runs one check at 10k, 20k,
//! 40k and 80k keys or bands; a doubling of the size must never more than
//! triple the median time. (Before issue 13, 80,000 keys on one JSON line took
//! 14-19 s and 40,000 bands 7.4 s: each doubling quadrupled the time.)
//!
//! Run: `cargo bench -p vsend-core --bench hostile`, and compare each
//! group's medians across sizes. `typical` is one ordinary record, the
//! reader's hot path, to see that the checks cost an ordinary file nothing.
//!
//! The hostile sizes are timed in the bench thread's own CPU time (Linux:
//! the first field of `/proc/thread-self/schedstat`, in ns; elsewhere the
//! wall clock), so that a machine busy with other work still gives
//! comparable medians: the wall clock there mostly measures the wait for a
//! core. That counter moves in scheduler ticks (a few ms), so every sample
//! runs the same number of iterations for about 300 ms. `typical` is timed
//! by the wall clock. `serde_value_keys` is a control: serde_json reading the
//! `jsonl_keys` line into a `Value`, with no checks at all; where it too
//! jumps more than twofold between two sizes, the machine's caches do.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use vsend_core::{parse_json_line, parse_plan_line, Framework};

const SIZES: [usize; 4] = [10_000, 20_000, 40_000, 80_000];

/// One JSON object: `head`, then `n` distinct keys made by `key`, each `: 1`.
fn line(head: &str, n: usize, key: impl Fn(usize) -> String, tail: &str) -> Vec<u8> {
    let mut s = String::from(head);
    for i in 0..n {
        s.push_str(&format!(",\"{}\":1", key(i)));
    }
    s.push_str(tail);
    s.into_bytes()
}

/// The default framework with a banding rule of `n` bands and one floor.
fn banded(n: usize) -> String {
    let mut bands = String::from("[");
    for i in 0..n {
        if i > 0 {
            bands.push(',');
        }
        bands.push_str(&format!(r#"{{"id":"B{i}","label":"x","min_score":{i}}}"#));
    }
    bands.push(']');
    Framework::default().to_json().replacen(
        '{',
        &format!(
            r#"{{"banding": {{"weights": {{"cl": 1, "ci": 1, "sp": 1, "semh": 1, "ind": 1}},
                "bands": {bands}, "floors": [{{"min_need": 2, "band": "B1"}}]}},"#
        ),
        1,
    )
}

/// The default framework with `n` areas in `cl`, one key repeated at the end.
fn many_areas(n: usize) -> String {
    let mut areas = String::from("[");
    for i in 0..n {
        areas.push_str(&format!(r#"{{"key":"cl.a{i}","label":"x"}},"#));
    }
    areas.push_str(r#"{"key":"cl.a0","label":"x"}]"#);
    let fw = Framework::default().to_json();
    let start = fw.find(r#""areas""#).unwrap();
    let end = start + fw[start..].find(']').unwrap() + 1;
    format!("{}\"areas\": {areas}{}", &fw[..start], &fw[end..])
}

/// The calling thread's CPU time so far in ns, when the system tells it.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Criterion's measurement of the bench thread's CPU time (see the module docs).
struct ThreadCpu {
    wall: WallTime,
    start: std::time::Instant,
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns().unwrap_or_else(|| self.start.elapsed().as_nanos() as u64)
    }
    fn end(&self, started: u64) -> u64 {
        self.start().saturating_sub(started)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Values are nanoseconds, as the wall clock's.
        self.wall.formatter()
    }
}

fn config() -> Criterion<ThreadCpu> {
    Criterion::default().with_measurement(ThreadCpu {
        wall: WallTime,
        start: std::time::Instant::now(),
    })
}

fn hostile_sizes(c: &mut Criterion<ThreadCpu>) {
    let fw = Framework::default();
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let top = line(
            r#"{"child_id":"C1","assessed_on":"2025-01-10""#,
            n,
            |i| format!("k{i}"),
            r#","k0":2}"#,
        );
        group.bench_with_input(BenchmarkId::new("jsonl_keys", n), &top, |b, l| {
            b.iter(|| black_box(parse_json_line(&fw, black_box(l))))
        });
        // The control (see the module docs).
        group.bench_with_input(BenchmarkId::new("serde_value_keys", n), &top, |b, l| {
            b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(l))))
        });
        let needs = line(
            r#"{"child_id":"C1","assessed_on":"2025-01-10","needs":{"cl.literacy":1"#,
            n,
            |i| format!("cl.x{i}"),
            r#","cl.literacy":2}}"#,
        );
        group.bench_with_input(BenchmarkId::new("jsonl_need_keys", n), &needs, |b, l| {
            b.iter(|| black_box(parse_json_line(&fw, black_box(l))))
        });
        let plan = line(
            r#"{"child_id":"C1","to_setting_id":"S2","move_on":"2025-09-03""#,
            n,
            |i| format!("k{i}"),
            r#","k0":2}"#,
        );
        group.bench_with_input(BenchmarkId::new("plan_keys", n), &plan, |b, l| {
            b.iter(|| black_box(parse_plan_line(&fw, black_box(l))))
        });
        let bands = banded(n);
        group.bench_with_input(BenchmarkId::new("framework_bands", n), &bands, |b, t| {
            b.iter(|| black_box(Framework::from_json(black_box(t))))
        });
        let areas = many_areas(n);
        group.bench_with_input(BenchmarkId::new("framework_areas", n), &areas, |b, t| {
            b.iter(|| black_box(Framework::from_json(black_box(t))))
        });
    }
    group.finish();
}

fn typical(c: &mut Criterion) {
    let fw = Framework::default();
    let record = br#"{"child_id": "C010000011", "assessed_on": "2025-02-05", "date_of_birth": "2007-03-27", "setting_id": "S0003", "needs": {"cl.learning": 1, "cl.literacy": 2, "cl.numeracy": 1, "cl.attention_memory": 1, "ci.expressive": 1, "ci.receptive": 0, "ci.social": 0, "sp.vision": 1, "sp.hearing": 0, "sp.physical": 0, "sp.medical": 1, "sp.sensory_processing": 1, "semh.emotional": null, "semh.behaviour": 1, "semh.relationships": 2, "semh.mental_health": 3, "ind.self_care": 1, "ind.safety": 0, "ind.community": 0}, "readiness": {"cl": null, "ci": null, "sp": 3, "semh": 3, "ind": 2}, "confidence": {"cl": 0, "ci": 0, "sp": 0, "semh": 3, "ind": 1}, "readiness_planned": {"cl": null, "ci": 3, "sp": 3, "semh": null, "ind": null}}"#;
    let mut typical = c.benchmark_group("typical");
    typical.bench_function("jsonl_record", |b| {
        b.iter(|| black_box(parse_json_line(&fw, black_box(record)).unwrap()))
    });
    typical.finish();
}

criterion_group! {
    name = hostile;
    config = config();
    targets = hostile_sizes
}
criterion_group!(ordinary, typical);
criterion_main!(hostile, ordinary);
