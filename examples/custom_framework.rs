//! Loads a council's own framework from JSON and scores with it.
//!
//! Run: `cargo run -p vsend-core --example custom_framework [FRAMEWORK.json]`
//! (default: `fixtures/framework-mean.json`, a mean-aggregated 0–5 scale).

use vsend_core::{score, AssessmentBuilder, Domain, Framework};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/framework-mean.json"
    );
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| default.to_owned());
    let json = std::fs::read_to_string(&path)?;
    let fw = Framework::from_json(&json).map_err(|e| format!("{path}: {e}"))?;
    println!(
        "{} v{}: levels 0..={}, {:?} aggregation, {} areas",
        fw.id(),
        fw.version(),
        fw.scale().max_level(),
        fw.aggregate(),
        fw.areas().len()
    );

    let mut b = AssessmentBuilder::new(&fw);
    b.child_id("C0100").assessed_on("2025-06-30");
    for (i, area) in fw.areas().iter().enumerate() {
        b.need(area.key(), &(i % 4).to_string());
    }
    for d in Domain::ALL {
        b.readiness(d, "2").confidence(d, "1");
    }
    let scores = score(&fw, &b.build()?);
    for d in Domain::ALL {
        let need = scores.need.get(d).expect("every area rated");
        println!(
            "  {:<5} need {need:.2} ({} areas)",
            d.key(),
            fw.areas_of(d).len()
        );
    }
    let whole = scores.whole.expect("complete");
    println!(
        "need index {:.1}, setting coverage {:.3}",
        whole.need_index,
        whole.setting_coverage.unwrap_or(f64::NAN)
    );

    // A broken framework is rejected with every problem named.
    let broken = json.replace("\"max_level\": 5", "\"max_level\": 12");
    if let Err(e) = Framework::from_json(&broken) {
        println!("rejected as expected: {e}");
    }
    Ok(())
}
