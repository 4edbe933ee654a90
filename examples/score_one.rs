//! Builds one assessment in code, scores it and prints the result.
//!
//! Run: `cargo run -p vsend-core --example score_one`

use vsend_core::{score, AssessmentBuilder, Domain, Framework, ScoredRow};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fw = Framework::default();
    let mut b = AssessmentBuilder::new(&fw);
    b.child_id("C0042")
        .assessed_on("2025-03-14")
        .date_of_birth("2013-06-02")
        .setting_id("S0007");
    for area in fw.areas() {
        b.need(area.key(), "1");
    }
    b.need("ci.social", "3")
        .need("semh.emotional", "3")
        .need("semh.relationships", "2");
    for (d, readiness, confidence) in [
        (Domain::Cl, "2", "1"),
        (Domain::Ci, "2", "3"),
        (Domain::Sp, "1", "1"),
        (Domain::Semh, "3", "1"),
        (Domain::Ind, "2", "2"),
    ] {
        b.readiness(d, readiness).confidence(d, confidence);
    }
    let assessment = b.build()?;
    let scores = score(&fw, &assessment);

    println!(
        "child {} on {}",
        assessment.child_id(),
        assessment.assessed_on()
    );
    for d in Domain::ALL {
        let show = |x: Option<f64>| x.map_or("not assessed".to_owned(), |x| x.to_string());
        println!(
            "  {:<36} need {:<4} setting gap {:<4} family gap {}",
            d.name(),
            show(scores.need.get(d)),
            show(scores.setting_gap.get(d)),
            show(scores.family_gap.get(d)),
        );
    }
    if let Some(w) = scores.whole {
        println!("need index {:.1}", w.need_index);
        println!("unmet by the setting: [{}]", w.unmet_setting);
        println!("unmet by the family:  [{}]", w.unmet_family);
        println!(
            "primary domain: {}",
            w.primary_domain.map_or("none", |d| d.name())
        );
    }
    println!(
        "{}",
        serde_json::to_string(&ScoredRow::new(&fw, &assessment, &scores))?
    );
    Ok(())
}
