//! Renders the charts a reviewer should look at: a full radar with the previous
//! review, an all-zero one, one with values not assessed, one at the top of
//! the scale, one with a panel band, a transition radar, a timeline with a
//! review whose readiness was not assessed, and a comparison of summaries.
//! Writes PNG and SVG into the directory given (default `.`).
//!
//! Run: `cargo run -p vsend-chart --example radar_gallery -- /tmp/gallery`

use std::error::Error;
use std::path::Path;
use vsend_chart::{
    comparison_chart, radar, radar_png, svg_to_png, timeline_chart, transition_radar, BandNote,
    ComparedSummary, ComparisonStyle, RadarStyle, TimelineStyle, TransitionView,
};

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

/// Writes `svg` as `name.svg` and `name.png` in `dir`.
fn write(dir: &Path, name: &str, svg: String) -> Result<(), Box<dyn Error>> {
    std::fs::write(dir.join(format!("{name}.png")), svg_to_png(&svg)?)?;
    std::fs::write(dir.join(format!("{name}.svg")), svg)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let fw = Framework::default();
    child_radars(&fw, &dir)?;
    let banded = assessment(
        &fw,
        "2025-03-14",
        ["2", "3", "1", "3", "2"],
        ["3", "2", "1", "3", "2"],
        ["1", "3", "2", "1", "2"],
    );
    banded_radars(&fw, &dir, &banded)?;
    cohort_radar(&fw, &dir)?;
    transition(&fw, &dir, &banded)?;
    timeline(&fw, &dir)?;
    comparison(&fw, &dir)?;
    println!("wrote the gallery to {}", dir.display());
    Ok(())
}

/// A child's radar: full with the previous review, all zero, with values not assessed, at the top of the scale.
fn child_radars(fw: &Framework, dir: &Path) -> Result<(), Box<dyn Error>> {
    let before = assessment(
        fw,
        "2024-11-05",
        ["2", "3", "1", "4", "1"],
        ["2", "2", "1", "2", "1"],
        ["1", "2", "1", "2", "1"],
    );
    let cases: [(&str, Assessment, bool); 4] = [
        (
            "full",
            assessment(
                fw,
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
                fw,
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
                fw,
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
                fw,
                "2025-03-14",
                ["4", "4", "4", "4", "4"],
                ["4", "3", "4", "4", "2"],
                ["4", "4", "1", "4", "4"],
            ),
            false,
        ),
    ];
    for (name, a, with_previous) in cases {
        let current: Scores = score(fw, &a);
        let previous = with_previous.then(|| score(fw, &before));
        let mut style = RadarStyle::for_review(a.child_id().as_str(), a.assessed_on());
        style.previous_date = with_previous.then(|| before.assessed_on());
        std::fs::write(
            dir.join(format!("{name}.svg")),
            radar(fw, &current, previous.as_ref(), &style)?,
        )?;
        std::fs::write(
            dir.join(format!("{name}.png")),
            radar_png(fw, &current, previous.as_ref(), &style)?,
        )?;
    }
    Ok(())
}

/// A child at panel (the band and why, in the footer), and the same at thumbnail size.
fn banded_radars(fw: &Framework, dir: &Path, banded: &Assessment) -> Result<(), Box<dyn Error>> {
    // A child at panel: the band and why, in the footer.
    let style = RadarStyle::for_review("C0042", banded.assessed_on()).with_band(BandNote {
        band: "C".into(),
        label: "Targeted top-up".into(),
        score: 8.5,
        raised_by: Some(Domain::Semh),
    });
    write(dir, "banded", radar(fw, &score(fw, banded), None, &style)?)?;

    // The same child at a small size, as a thumbnail in a report.
    write(
        dir,
        "small",
        radar(
            fw,
            &score(fw, banded),
            None,
            &style.clone().with_size(480, 420),
        )?,
    )?;
    Ok(())
}

/// A group's means: the marks speak of means.
fn cohort_radar(fw: &Framework, dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut cohort = vsend_core::Cohort::new(fw, None);
    for (child, needs) in [
        ("C1", ["1", "3", "2", "3", "1"]),
        ("C2", ["3", "3", "1", "4", "2"]),
    ] {
        let mut b = AssessmentBuilder::new(fw);
        b.child_id(child).assessed_on("2025-01-10");
        for (i, d) in Domain::ALL.into_iter().enumerate() {
            for area in fw.areas_of(d) {
                b.need(area.key(), needs[i]);
            }
            b.readiness(d, "2")
                .confidence(d, if i == 0 { "1" } else { "3" });
        }
        cohort.add(&b.build()?)?;
    }
    let summary = cohort.summary(None);
    let group = summary.group("all").ok_or("no all group")?;
    let style = RadarStyle {
        title: format!("all · n = {}", group.children),
        ..RadarStyle::default()
    };
    write(dir, "cohort", vsend_chart::cohort_radar(fw, group, &style)?)?;
    Ok(())
}

/// A transition radar: a move to a setting less ready in cl and semh, not assessed in ind.
fn transition(fw: &Framework, dir: &Path, banded: &Assessment) -> Result<(), Box<dyn Error>> {
    // A move to a setting less ready in cl and semh, not assessed in ind.
    let now = score(fw, banded);
    let plan = TransitionView {
        needs: now.need,
        readiness_from: now.readiness,
        readiness_to: vsend_core::DomainVector::from_options([
            Some(1.0),
            Some(3.0),
            Some(1.0),
            Some(2.0),
            None,
        ]),
        from_setting: Some("S0001".into()),
        to_setting: "S0107".into(),
        move_on: vsend_core::parse_date("2025-09-03").expect("a date"),
        child_id: "C0042".into(),
    };
    write(
        dir,
        "transition",
        transition_radar(fw, &plan, &RadarStyle::default())?,
    )?;
    Ok(())
}

/// A timeline over four reviews, with lines on one level and values not assessed.
fn timeline(fw: &Framework, dir: &Path) -> Result<(), Box<dyn Error>> {
    // Four reviews: readiness all at 2 at first (five lines on one level),
    // then not assessed for ci and sp at the second review.
    let reviews = [
        assessment(
            fw,
            "2024-09-20",
            ["1", "2", "1", "2", "1"],
            ["2"; 5],
            ["1"; 5],
        ),
        assessment(
            fw,
            "2025-01-15",
            ["2", "2", "1", "3", "1"],
            ["2", "", "", "3", "1"],
            ["1"; 5],
        ),
        assessment(
            fw,
            "2025-05-10",
            ["2", "3", "1", "3", "2"],
            ["3", "2", "1", "3", "2"],
            ["1"; 5],
        ),
        assessment(
            fw,
            "2025-09-12",
            ["2", "3", "2", "2", "2"],
            ["3", "3", "2", "2", "2"],
            ["1"; 5],
        ),
    ];
    let t = vsend_core::Timeline::build(fw, &reviews, None)?;
    let style = TimelineStyle {
        title: "C0042 · needs and readiness over time".into(),
        ..TimelineStyle::default()
    };
    write(dir, "timeline", timeline_chart(fw, &t, &style)?)?;
    Ok(())
}

/// A comparison of three councils, one shared suppressed.
fn comparison(fw: &Framework, dir: &Path) -> Result<(), Box<dyn Error>> {
    // Three councils; the second shared a suppressed summary (K = 5, B = 5).
    let per = |v: [Option<f64>; 5]| vsend_core::PerDomain(v);
    let councils = [
        ComparedSummary {
            label: "north-2025".into(),
            as_of: vsend_core::parse_date("2025-07-31"),
            children: Some(412),
            mean_need: per([Some(2.1), Some(2.4), Some(1.2), Some(2.6), Some(1.8)]),
            met_by_setting: per([Some(0.81), Some(0.64), Some(0.9), Some(0.55), Some(0.77)]),
            suppression: None,
        },
        ComparedSummary {
            label: "south-2025".into(),
            as_of: vsend_core::parse_date("2025-07-31"),
            children: Some(97),
            mean_need: per([Some(1.9), Some(2.7), None, Some(2.9), Some(1.6)]),
            met_by_setting: per([Some(0.74), Some(0.52), None, Some(0.6), Some(0.8)]),
            suppression: Some(vsend_core::Suppression::new(5, None).unwrap()),
        },
        ComparedSummary {
            label: "east-2025".into(),
            as_of: vsend_core::parse_date("2025-06-30"),
            children: Some(230),
            mean_need: per([Some(2.3), Some(2.2), Some(1.4), Some(2.4), None]),
            met_by_setting: per([Some(0.69), Some(0.71), Some(0.88), Some(0.47), None]),
            suppression: None,
        },
    ];
    let style = ComparisonStyle {
        title: "Need and setting readiness, three councils".into(),
        ..ComparisonStyle::default()
    };
    write(dir, "comparison", comparison_chart(fw, &councils, &style)?)?;
    Ok(())
}
