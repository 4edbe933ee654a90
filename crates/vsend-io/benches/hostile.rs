//! Reading hostile input in linear time: each shape at doubling sizes. A
//! doubling of the input must never more than triple the time (compare the
//! medians criterion prints for consecutive sizes).
//!
//! `cargo bench -p vsend-io --features bench --bench hostile`

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vsend_core::{Column, Framework};
use vsend_io::read::{Format, Input};

/// Deterministic bytes (xorshift), no real data.
fn noise(n: usize, mut state: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn header(fw: &Framework) -> String {
    let names: Vec<String> = Column::all(fw).iter().map(|c| c.name(fw)).collect();
    names.join(",")
}

/// Makes an input of about `n` bytes.
type Maker = Box<dyn Fn(usize) -> Vec<u8>>;

/// The shapes: name, format and maker.
fn shapes(fw: &Framework) -> Vec<(&'static str, Format, Maker)> {
    let head = header(fw);
    let h1 = head.clone();
    let h2 = head.clone();
    vec![
        (
            "csv_random_bytes",
            Format::Csv,
            Box::new(move |n| {
                let mut b = format!("{h1}\n").into_bytes();
                b.extend(noise(n, 7));
                b
            }),
        ),
        (
            "csv_quotes_and_commas",
            Format::Csv,
            Box::new(move |n| {
                let mut b = format!("{h2}\n").into_bytes();
                b.extend(b"\",".iter().cycle().take(n));
                b
            }),
        ),
        (
            "jsonl_many_keys_one_line",
            Format::Jsonl,
            Box::new(|n| {
                let mut line = String::from("{");
                let mut i = 0;
                while line.len() < n.min(1 << 20) - 32 {
                    line.push_str(&format!("\"k{i}\":1,"));
                    i += 1;
                }
                line.push_str("\"end\":1}\n");
                line.into_bytes()
            }),
        ),
        (
            "jsonl_random_bytes",
            Format::Jsonl,
            Box::new(|n| noise(n, 11)),
        ),
    ]
}

fn reading(c: &mut Criterion) {
    let fw = Framework::default();
    for (name, format, make) in shapes(&fw) {
        let mut group = c.benchmark_group(name);
        group.sample_size(10);
        for kib in [128usize, 256, 512, 1024] {
            let bytes = make(kib << 10);
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(kib), &bytes, |b, bytes| {
                b.iter(|| {
                    let input = Input::from_reader("b", format, Cursor::new(bytes.clone()));
                    if let Ok(rows) = input.rows(&fw) {
                        black_box(rows.count());
                    }
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, reading);
criterion_main!(benches);
