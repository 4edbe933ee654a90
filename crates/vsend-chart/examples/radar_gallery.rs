//! Renders the radars a reviewer should look at: a full one with the previous
//! review, an all-zero one, one with values not assessed, and one at the top
//! of the scale. Writes PNG and SVG into the directory given (default `.`).
//!
//! Run: `cargo run -p vsend-chart --example radar_gallery -- /tmp/gallery`

use vsend_chart::{radar, radar_png, RadarStyle};
use vsend_core::{score, Assessment, AssessmentBuilder, Domain, Framework, Scores};

fn assessment(
    fw: &Framework,
    on: &str,
    needs: [&str; 5],
    readiness: [&str; 5],
    confidence: [&str; 5],
) -> Assessment {
    let mut b = AssessmentBuilder::new(fw);
    b.child_id("C0042").assessed_on(on);
    for (i, d) in Domain::ALL.into_iter().enumerate() {
        // The domain need is its first area's level; the others are a step lower.
        for (j, area) in fw.areas_of(d).iter().enumerate() {
            let level = match (j, needs[i].parse::<u8>()) {
                (_, Err(_)) => String::new(),
                (0, Ok(l)) => l.to_string(),
                (_, Ok(l)) => l.saturating_sub(1).to_string(),
            };
            b.need(area.key(), &level);
        }
        b.readiness(d, readiness[i]).confidence(d, confidence[i]);
    }
    b.build().expect("gallery assessments are valid")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let fw = Framework::default();
    let before = assessment(
        &fw,
        "2024-11-05",
        ["2", "3", "1", "4", "1"],
        ["2", "2", "1", "2", "1"],
        ["1", "2", "1", "2", "1"],
    );
    let cases: [(&str, Assessment, bool); 4] = [
        (
            "full",
            assessment(
                &fw,
                "2025-03-14",
                ["2", "3", "1", "3", "2"],
                ["3", "2", "1", "3", "2"],
                ["1", "3", "2", "1", "2"],
            ),
            true,
        ),
        (
            "empty",
            assessment(
                &fw,
                "2025-03-14",
                ["0", "0", "0", "0", "0"],
                ["0", "0", "0", "0", "0"],
                ["0", "0", "0", "0", "0"],
            ),
            false,
        ),
        (
            "not-assessed",
            assessment(
                &fw,
                "2025-03-14",
                ["2", "", "1", "3", "2"],
                ["3", "2", "", "3", "2"],
                ["1", "2", "2", "", ""],
            ),
            false,
        ),
        (
            "max-level",
            assessment(
                &fw,
                "2025-03-14",
                ["4", "4", "4", "4", "4"],
                ["4", "3", "4", "4", "2"],
                ["4", "4", "1", "4", "4"],
            ),
            false,
        ),
    ];
    for (name, a, with_previous) in cases {
        let current: Scores = score(&fw, &a);
        let previous = with_previous.then(|| score(&fw, &before));
        let mut style = RadarStyle::for_review(a.child_id().as_str(), a.assessed_on());
        style.previous_date = with_previous.then(|| before.assessed_on());
        std::fs::write(
            dir.join(format!("{name}.svg")),
            radar(&fw, &current, previous.as_ref(), &style)?,
        )?;
        std::fs::write(
            dir.join(format!("{name}.png")),
            radar_png(&fw, &current, previous.as_ref(), &style)?,
        )?;
    }
    println!("wrote 4 radars to {}", dir.display());
    Ok(())
}
