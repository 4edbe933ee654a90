//! Writes a synthetic cohort CSV for benchmarks: deterministic, realistic in
//! shape (termly reviews, about one value in ten not assessed), no real data.
//!
//! Run: `cargo run --release -p vsend-cli --example gen_cohort -- ROWS > cohort.csv`

use std::io::{self, BufWriter, Write};

use vsend_core::{Column, Framework};

fn main() -> io::Result<()> {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let fw = Framework::default();
    let columns: Vec<Column> = Column::all(&fw);
    let mut out = BufWriter::new(io::stdout().lock());
    let names: Vec<String> = columns.iter().map(|c| c.name(&fw)).collect();
    writeln!(out, "{}", names.join(","))?;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const TERMS: [&str; 4] = ["2024-09-20", "2025-01-15", "2025-05-10", "2025-09-18"];
    for i in 0..rows {
        let child = i / TERMS.len();
        let mut line = String::with_capacity(160);
        for (j, c) in columns.iter().enumerate() {
            if j > 0 {
                line.push(',');
            }
            match c {
                Column::ChildId => line.push_str(&format!("C{child:08}")),
                Column::AssessedOn => line.push_str(TERMS[i % TERMS.len()]),
                Column::DateOfBirth => line.push_str(&format!("20{:02}-03-14", 5 + child % 18)),
                Column::SettingId => line.push_str(&format!("S{:04}", child % 300)),
                _ => match next() % 10 {
                    0 => {}
                    r => line.push(char::from(b'0' + (r % 5) as u8)),
                },
            }
        }
        writeln!(out, "{line}")?;
    }
    out.flush()
}
