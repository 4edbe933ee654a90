//! The fan chart of a projection (§15) and the forest chart of impact (§16),
//! checked in their SVG: well formed (parsed by usvg, as the PNG step does),
//! self-contained, and saying what a reader needs: what is observed and what
//! projected, what the model assumes, the back-test, what left of zero
//! means and that impact is an observational comparison.

use resvg::usvg;
use vsend_chart::{
    fan_chart, fan_chart_png, forest_chart, forest_chart_png, FanStyle, ForestStyle,
};
use vsend_core::history::Keep;
use vsend_core::{
    forecast, impact, parse_date, AssessmentBuilder, Date, Domain, Effect, ForecastOptions,
    Framework, Histories, ImpactOptions, SplitMix64,
};

/// A generated history: `children` children reviewed about termly over
/// three and a half years from September 2019, needs and support drifting.
fn history(fw: &Framework, children: usize) -> Histories {
    let mut rng = SplitMix64::new(7);
    let mut h = Histories::new(Keep::levels(fw));
    let terms: Vec<Date> = (0..11)
        .map(|t| {
            let (year, month) = (2019 + (t + 2) / 3, [2, 6, 10][(t as usize + 2) % 3]);
            Date::new(year as i16, month, 10 + (t % 7) as i8).unwrap()
        })
        .collect();
    for c in 0..children {
        let born = format!("{}-03-0{}", 2004 + c % 18, 1 + c % 9);
        let start = rng.index(4) as usize;
        let mut needs: Vec<u8> = fw.areas().iter().map(|_| rng.index(5) as u8).collect();
        let mut offers = [rng.index(4) as u8; 10];
        for on in &terms[start..] {
            let mut b = AssessmentBuilder::new(fw);
            b.child_id(&format!("T{c:03}")).assessed_on(&on.to_string());
            if c % 11 != 0 {
                b.date_of_birth(&born);
            }
            for (area, level) in fw.areas().iter().zip(&mut needs) {
                if rng.index(4) == 0 {
                    *level = (i64::from(*level) + rng.index(3) as i64 - 1).clamp(0, 4) as u8;
                }
                b.need(area.key(), &level.to_string());
            }
            for (i, offer) in offers.iter_mut().enumerate() {
                *offer = (i64::from(*offer) + rng.index(3) as i64 - 1).clamp(0, 4) as u8;
                let d = Domain::ALL[i % 5];
                if i < 5 {
                    b.readiness(d, &offer.to_string());
                } else {
                    b.confidence(d, &offer.to_string());
                }
            }
            if let Ok(a) = b.build() {
                h.add(&a).unwrap();
            }
        }
    }
    h
}

/// Every text's words (each glyph group's `aria-label`).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<g role=\"img\" aria-label=\"")
        .skip(1)
        .filter_map(|t| t.split_once('"'))
        .map(|(label, _)| {
            label
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

fn has(all: &[String], words: &str) -> bool {
    all.iter().any(|t| t.contains(words))
}

/// Parsed by usvg (as the PNG step parses it), the size asked for, no font
/// named and every glyph used defined.
fn assert_well_formed(svg: &str, width: u32, height: u32) {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).expect("a well-formed SVG");
    assert_eq!(
        (tree.size().width(), tree.size().height()),
        (width as f32, height as f32)
    );
    for bad in ["<text", "font-family", "@font-face"] {
        assert!(!svg.contains(bad), "{bad:?} in the SVG");
    }
    for id in svg.split("<use xlink:href=\"#").skip(1) {
        let id = id.split('"').next().unwrap();
        assert!(svg.contains(&format!("<path id=\"{id}\"")), "glyph {id}");
    }
}

#[test]
fn fan_chart_shows_every_panel_the_observed_year_and_what_the_model_assumes() {
    let fw = Framework::default();
    let h = history(&fw, 80);
    let options = ForecastOptions {
        backtest: true,
        replicates: 40,
        ..ForecastOptions::default()
    };
    let f = forecast(&fw, &h, &options).unwrap();
    let style = FanStyle::default();
    let svg = fan_chart(&fw, &f, &style).unwrap();
    assert_well_formed(&svg, style.width, style.height);
    let all = texts(&svg);
    for words in [
        "Projected caseload and high needs by school phase",
        "Children on the caseload",
        "High need: Cognition and learning",
        "High need: Communication and interaction",
        "High need: Sensory and physical",
        "High need: Social, emotional and mental health",
        "High need: Independence",
        "All phases",
        "Primary (4–10)",
        "Age not known",
        "observed",
        "projected",
        "What this assumes",
        "children leave at their phase's past rate, whatever their need",
        "each domain on its own",
        "The shaded ranges come from 40 simulations (seed 1)",
        "not for changes in policy",
        "Back-test: projected a year ahead from",
        "\"no change\" was off by",
        "level 3 (significant) or above",
    ] {
        assert!(has(&all, words), "{words:?} not drawn: {all:?}");
    }
    let y0 = f.school_year;
    let observed = format!("{y0}/{:02}", (y0 + 1) % 100);
    assert_eq!(
        all.iter().filter(|t| **t == observed).count(),
        6,
        "the observed year under every panel"
    );
    assert!(has(&all, &format!("{} observed, then", observed)));
    // The history's numbers, as the projection gives them.
    assert!(has(
        &all,
        &format!(
            "as they did for the {} children reviewed over the last {} years",
            f.history.children, f.history.years
        )
    ));
    let last = f.row(y0 + 3, vsend_core::ProjectionPhase::All).unwrap();
    let label = format!(
        "{:.0} ({:.0}–{:.0})",
        last.children.expected,
        last.children.low.unwrap(),
        last.children.high.unwrap()
    );
    assert!(
        has(&all, &label),
        "{label:?} at the end of the line: {all:?}"
    );
    // Shaded bands: translucent polygons, one per phase drawn and panel.
    assert!(svg.matches("<polygon opacity=\"0.1").count() >= 6, "bands");
    let png = fan_chart_png(&fw, &f, &style).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn fan_chart_without_replicates_or_back_test_says_so_and_shades_nothing() {
    let fw = Framework::default();
    let h = history(&fw, 30);
    let options = ForecastOptions {
        replicates: 0,
        horizon: 1,
        ..ForecastOptions::default()
    };
    let f = forecast(&fw, &h, &options).unwrap();
    let style = FanStyle {
        width: 900,
        height: 700,
        title: Some("Caseload, test council".into()),
    };
    let svg = fan_chart(&fw, &f, &style).unwrap();
    assert_well_formed(&svg, 900, 700);
    let all = texts(&svg);
    assert!(has(&all, "Caseload, test council"));
    assert!(has(&all, "No shaded ranges: no simulations were run"));
    assert!(has(&all, "Not back-tested"));
    assert!(
        !svg.contains("<polygon opacity=\"0.1"),
        "no band without replicates"
    );
}

#[test]
fn forest_chart_shows_each_domain_both_supports_zero_and_its_limits() {
    let fw = Framework::default();
    let h = history(&fw, 80);
    let options = ImpactOptions {
        replicates: 50,
        ..ImpactOptions::default()
    };
    let i = impact(&fw, &h, &options).unwrap();
    let style = ForestStyle::default();
    let svg = forest_chart(&fw, &i, &style).unwrap();
    assert_well_formed(&svg, style.width, style.height);
    let all = texts(&svg);
    for words in [
        "Did needs fall more where support rose?",
        "← left of zero: needs fell more after support rose",
        "right of zero: needs fell less →",
        "An observational comparison, not proof of cause",
        "Effect (95 % interval)",
        "Rises compared",
        "95 % of 50 resamplings",
        "Cognition and learning",
        "Independence",
    ] {
        assert!(has(&all, words), "{words:?} not drawn: {all:?}");
    }
    assert_eq!(all.iter().filter(|t| *t == "Setting readiness").count(), 5);
    assert_eq!(all.iter().filter(|t| *t == "Family confidence").count(), 5);
    assert_eq!(all.iter().filter(|t| *t == "0").count(), 1, "one zero");
    // Each effect is printed with its interval and its matched counts.
    let cl: &Effect = &i.support.readiness[Domain::Cl];
    let effect = cl.effect.expect("rises in cl readiness");
    let printed = format!("{:.2}", effect.abs());
    assert!(
        all.iter()
            .any(|t| t.contains(&printed) && t.contains(" to ")),
        "{printed} in {all:?}"
    );
    assert!(
        has(&all, &format!(" vs {} without", cl.comparison)) || cl.comparison >= 1000,
        "{all:?}"
    );
    let png = forest_chart_png(&fw, &i, &style).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn forest_chart_without_rises_says_so_instead_of_drawing_zero() {
    let fw = Framework::default();
    let mut h = Histories::new(Keep::levels(&fw));
    for (child, on) in [
        ("C1", "2024-01-10"),
        ("C1", "2024-05-10"),
        ("C1", "2024-09-10"),
    ] {
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id(child)
            .assessed_on(on)
            .need("cl.literacy", "2")
            .readiness(Domain::Cl, "1");
        h.add(&b.build().unwrap()).unwrap();
    }
    let options = ImpactOptions {
        as_of: parse_date("2025-01-01"),
        ..ImpactOptions::default()
    };
    let i = impact(&fw, &h, &options).unwrap();
    assert_eq!(i.support.readiness[Domain::Cl].exposed, 0);
    let svg = forest_chart(&fw, &i, &ForestStyle::default()).unwrap();
    let all = texts(&svg);
    assert_eq!(all.iter().filter(|t| *t == "not estimated").count(), 10);
    assert_eq!(
        all.iter().filter(|t| *t == "no rise in support").count(),
        10
    );
    assert!(has(&all, "not proof of cause"));
}
