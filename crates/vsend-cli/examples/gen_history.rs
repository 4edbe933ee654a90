//! Writes a synthetic five-year review history (cohort CSV) for `vsend
//! forecast` and `vsend impact`: deterministic, no real data.
//!
//! Run: `cargo run --release -p vsend-cli --example gen_history -- CHILDREN [SEED] > history.csv`
//!
//! Sixteen termly review rounds, summer 2020 to summer 2025 (reviews in
//! May–June, October–November and February–March). Nine children in
//! ten are on the caseload at the start; the rest join term by term, most of
//! them young. Children leave now and then, and mostly after 19; a review is
//! sometimes missed, a value sometimes not assessed, one date of birth in 25
//! missing. Needs drift a level at a time; a setting's readiness and a
//! family's confidence rise towards the need, and after such a rise the need
//! is a little more likely to fall, so `vsend impact` has something to find.
//! 60,000 children give about 850,000 rows.

use std::io::{self, BufWriter, Write};

use vsend_core::{age_in_years, Date, Domain, Framework, SplitMix64};

/// The review rounds: (year, first month of the round).
const ROUNDS: [(i16, i8); 17] = [
    (2020, 2),
    (2020, 5),
    (2020, 10),
    (2021, 2),
    (2021, 5),
    (2021, 10),
    (2022, 2),
    (2022, 5),
    (2022, 10),
    (2023, 2),
    (2023, 5),
    (2023, 10),
    (2024, 2),
    (2024, 5),
    (2024, 10),
    (2025, 2),
    (2025, 5),
];

/// `true` with chance `p`.
fn chance(rng: &mut SplitMix64, p: f64) -> bool {
    rng.uniform() < p
}

/// An integer in `lo..=hi`.
fn between(rng: &mut SplitMix64, lo: i64, hi: i64) -> i64 {
    lo + rng.index((hi - lo + 1) as u64) as i64
}

/// One child's needs, readiness and confidence as they move term by term.
struct Child {
    /// Per need area, in framework order.
    areas: Vec<u8>,
    readiness: [u8; 5],
    confidence: [u8; 5],
    /// Whether the setting's readiness / family's confidence rose at the last review.
    readiness_rose: [bool; 5],
    confidence_rose: [bool; 5],
}

impl Child {
    fn new(fw: &Framework, rng: &mut SplitMix64) -> Child {
        let primary = rng.index(5) as usize;
        let severity: [i64; 5] = std::array::from_fn(|d| {
            if d == primary {
                between(rng, 2, 4)
            } else {
                between(rng, 0, 2) - i64::from(chance(rng, 0.3))
            }
        });
        let areas = fw
            .areas()
            .iter()
            .map(|a| (severity[a.domain().index()] - between(rng, 0, 2)).clamp(0, 4) as u8)
            .collect();
        let mut child = Child {
            areas,
            readiness: [0; 5],
            confidence: [0; 5],
            readiness_rose: [false; 5],
            confidence_rose: [false; 5],
        };
        for d in Domain::ALL {
            let need = i64::from(child.need(fw, d));
            child.readiness[d.index()] = (need - between(rng, 0, 2)).clamp(0, 4) as u8;
            child.confidence[d.index()] = (need - between(rng, 0, 3)).clamp(0, 4) as u8;
        }
        child
    }

    /// The domain need (the framework aggregates by `max`).
    fn need(&self, fw: &Framework, d: Domain) -> u8 {
        fw.areas()
            .iter()
            .zip(&self.areas)
            .filter(|(a, _)| a.domain() == d)
            .map(|(_, &l)| l)
            .max()
            .unwrap_or(0)
    }

    /// One term on: needs drift, falling a little more often after a rise
    /// in support; support moves towards the need.
    fn step(&mut self, fw: &Framework, rng: &mut SplitMix64) {
        for (a, level) in fw.areas().iter().zip(self.areas.iter_mut()) {
            let d = a.domain().index();
            let down = 0.045
                + if self.readiness_rose[d] { 0.16 } else { 0.0 }
                + if self.confidence_rose[d] { 0.08 } else { 0.0 };
            let u = rng.uniform();
            if u < down {
                *level = level.saturating_sub(1);
            } else if u < down + 0.05 {
                *level = (*level + 1).min(4);
            }
        }
        for d in Domain::ALL {
            let i = d.index();
            let need = self.need(fw, d);
            for (offer, rose, p) in [
                (&mut self.readiness[i], &mut self.readiness_rose[i], 0.2),
                (&mut self.confidence[i], &mut self.confidence_rose[i], 0.12),
            ] {
                *rose = false;
                let u = rng.uniform();
                if *offer < need && u < p {
                    *offer += 1;
                    *rose = true;
                } else if u > 0.96 && *offer > 0 {
                    *offer -= 1;
                }
            }
        }
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let children: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60_000);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2025);
    let fw = Framework::default();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut header = vec![
        "child_id".to_owned(),
        "assessed_on".into(),
        "date_of_birth".into(),
        "setting_id".into(),
    ];
    header.extend(fw.areas().iter().map(|a| format!("need.{}", a.key())));
    header.extend(Domain::ALL.map(|d| format!("readiness.{}", d.key())));
    header.extend(Domain::ALL.map(|d| format!("confidence.{}", d.key())));
    writeln!(out, "{}", header.join(","))?;

    let mut rng = SplitMix64::new(seed);
    let mut line = String::with_capacity(160);
    let digits = children.max(10).ilog10() as usize + 1;
    for c in 0..children {
        let id = format!("H{c:0digits$}");
        // On the caseload from the start, or joining in a later term, mostly young.
        let join = if chance(&mut rng, 0.8) {
            0
        } else {
            between(&mut rng, 1, ROUNDS.len() as i64 - 1) as usize
        };
        let age = if join == 0 {
            between(&mut rng, 1, 16)
        } else {
            match rng.index(10) {
                0..=4 => between(&mut rng, 1, 4),
                5..=7 => between(&mut rng, 5, 10),
                _ => between(&mut rng, 11, 16),
            }
        };
        let year = ROUNDS[join].0;
        let born = Date::new(
            year - age as i16,
            between(&mut rng, 1, 12) as i8,
            between(&mut rng, 1, 28) as i8,
        )
        .expect("a valid day");
        let born_text = if chance(&mut rng, 0.04) {
            String::new()
        } else {
            born.to_string()
        };
        let setting = rng.index(300);
        let mut child = Child::new(&fw, &mut rng);
        for (t, &(year, month_start)) in ROUNDS.iter().enumerate().skip(join) {
            let month = month_start + rng.index(2) as i8;
            let on = Date::new(year, month, between(&mut rng, 1, 28) as i8).expect("a valid day");
            if t > join {
                child.step(&fw, &mut rng);
                // Leaving: now and then, and mostly once past 19 (§15 learns this).
                let age = age_in_years(born, on);
                let leave = if age >= 19 { 0.2 } else { 0.008 };
                if chance(&mut rng, leave) {
                    break;
                }
            }
            let age = age_in_years(born, on);
            if age > 25 {
                break;
            }
            if t > join && chance(&mut rng, 0.03) {
                continue; // a missed review
            }
            // A new setting at each stage of education.
            let stage = match age {
                0..=4 => 0,
                5..=10 => 1,
                11..=15 => 2,
                _ => 3,
            };
            let setting_id = (setting * 4 + stage) % 1200;
            line.clear();
            line.push_str(&id);
            line.push(',');
            line.push_str(&on.to_string());
            line.push(',');
            line.push_str(&born_text);
            line.push_str(&format!(",S{setting_id:04}"));
            for &level in &child.areas {
                line.push(',');
                if !chance(&mut rng, 0.06) {
                    line.push(char::from(b'0' + level));
                }
            }
            for (values, missing) in [(&child.readiness, 0.08), (&child.confidence, 0.1)] {
                for &level in values {
                    line.push(',');
                    if !chance(&mut rng, missing) {
                        line.push(char::from(b'0' + level));
                    }
                }
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
    }
    out.flush()
}
