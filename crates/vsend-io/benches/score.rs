//! `vsend score`'s hot path, stage by stage, over 100,000 generated rows held
//! in memory (25,000 children, four termly reviews each): reading one plain
//! CSV line into an assessment, scoring it, writing it as CSV or JSON Lines,
//! the §7 duplicate check, and the whole pipeline on every core.
//!
//! Times are the process's CPU time (every thread's, on Linux; elsewhere the
//! wall clock), so that a machine busy with other work still gives medians
//! to compare: there the wall clock mostly measures the wait for a core. The
//! pipeline's CPU time is what it costs on all cores together; its wall time
//! on an idle machine is about that over the number of cores.
//!
//! `cargo bench -p vsend-io --features bench --bench score`

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::Cursor;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use vsend_core::{score, Column, ColumnLayout, Framework, ScoredRow, SeenDates};
use vsend_io::pipeline::score_parallel;
use vsend_io::read::{FileError, Format, Input};
use vsend_io::write::RowWriter;

const ROWS: usize = 100_000;

/// The rows of `gen_cohort`: deterministic, about one value in ten not assessed.
fn lines(fw: &Framework) -> (String, Vec<String>) {
    let columns = Column::all(fw);
    let header: Vec<String> = columns.iter().map(|c| c.name(fw)).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const TERMS: [&str; 4] = ["2024-09-20", "2025-01-15", "2025-05-10", "2025-09-18"];
    let rows = (0..ROWS)
        .map(|i| {
            let child = i / TERMS.len();
            let cells: Vec<String> = columns
                .iter()
                .map(|c| match c {
                    Column::ChildId => format!("C{child:08}"),
                    Column::AssessedOn => TERMS[i % TERMS.len()].to_owned(),
                    Column::DateOfBirth => format!("20{:02}-03-14", 5 + child % 18),
                    Column::SettingId => format!("S{:04}", child % 300),
                    _ => match next() % 10 {
                        0 => String::new(),
                        r => (r % 5).to_string(),
                    },
                })
                .collect();
            cells.join(",")
        })
        .collect();
    (header.join(","), rows)
}

/// Every thread's CPU time so far in ns, when the system tells it.
fn process_cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let text = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Criterion's measurement of the process's CPU time (see the module docs).
struct Cpu {
    wall: WallTime,
    start: std::time::Instant,
}

impl Measurement for Cpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        process_cpu_ns().unwrap_or_else(|| self.start.elapsed().as_nanos() as u64)
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

fn config() -> Criterion<Cpu> {
    Criterion::default().with_measurement(Cpu {
        wall: WallTime,
        start: std::time::Instant::now(),
    })
}

fn benches(c: &mut Criterion<Cpu>) {
    let fw = Framework::default();
    let (header, rows) = lines(&fw);
    let layout = ColumnLayout::new(&fw, header.split(',')).unwrap();
    let assessments: Vec<_> = rows
        .iter()
        .map(|r| layout.plain_assessment(&fw, r.as_bytes()).unwrap())
        .collect();
    let mut file = format!("{header}\n").into_bytes();
    for r in &rows {
        file.extend_from_slice(r.as_bytes());
        file.push(b'\n');
    }

    let mut group = c.benchmark_group("score_path");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(20);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("read_plain_line_100k", |b| {
        b.iter(|| {
            for r in &rows {
                black_box(layout.plain_assessment(&fw, black_box(r.as_bytes())));
            }
        })
    });
    group.bench_function("score_100k", |b| {
        b.iter(|| {
            for a in &assessments {
                black_box(ScoredRow::new(&fw, a, &score(&fw, black_box(a))));
            }
        })
    });
    let mut out = Vec::with_capacity(64 << 20);
    let (mut csv, mut json) = (RowWriter::new(false), RowWriter::new(true));
    group.bench_function("score_and_write_csv_100k", |b| {
        b.iter(|| {
            out.clear();
            for a in &assessments {
                csv.push(&mut out, &ScoredRow::new(&fw, a, &score(&fw, a)));
            }
            black_box(out.len())
        })
    });
    group.bench_function("score_and_write_jsonl_100k", |b| {
        b.iter(|| {
            out.clear();
            for a in &assessments {
                json.push(&mut out, &ScoredRow::new(&fw, a, &score(&fw, a)));
            }
            black_box(out.len())
        })
    });
    group.bench_function("duplicate_check_100k", |b| {
        b.iter(|| {
            let mut seen = SeenDates::new();
            for a in &assessments {
                seen.add(a.child_id(), a.assessed_on()).unwrap();
            }
            black_box(seen.len())
        })
    });
    for (name, json) in [("pipeline_csv_100k", false), ("pipeline_jsonl_100k", true)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let input = Input::from_reader("bench", Format::Csv, Cursor::new(file.clone()));
                let (reader, parser) = input.open_records(&fw).unwrap();
                let mut seen = SeenDates::new();
                let mut bytes = 0;
                score_parallel(
                    reader,
                    &parser,
                    &mut seen,
                    json,
                    |_| {},
                    |batch| -> Result<(), FileError> {
                        bytes += batch.output.len();
                        Ok(())
                    },
                )
                .unwrap();
                black_box(bytes)
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = score_path;
    config = config();
    targets = benches
}
criterion_main!(score_path);
