//! The new and fixed charts, checked in their SVG: the words (each glyph
//! group's `aria-label`), where they sit, and the lines' colours and breaks.
//!
//! Checks: §5 (the three lines, not assessed never drawn as 0), §7 (needs over time), §11 (the transition radar), §14 (nulls in a comparison).

use vsend_chart::{
    cohort_radar, comparison_chart, comparison_chart_png, radar, timeline_chart, transition_radar,
    transition_radar_png, BandNote, ComparedSummary, ComparisonStyle, RadarStyle, TimelineStyle,
    TransitionView,
};
use vsend_core::{
    parse_date, score, Assessment, AssessmentBuilder, Cohort, Domain, DomainVector, Framework,
    PerDomain, Scores, Timeline,
};

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
        for area in fw.areas_of(d) {
            b.need(area.key(), needs[i]);
        }
        b.readiness(d, readiness[i]).confidence(d, confidence[i]);
    }
    b.build().unwrap()
}

fn scores(fw: &Framework, needs: [&str; 5], readiness: [&str; 5], confidence: [&str; 5]) -> Scores {
    score(
        fw,
        &assessment(fw, "2025-03-14", needs, readiness, confidence),
    )
}

/// Each text's words and its anchor point (the glyph group's translate).
fn placed(svg: &str) -> Vec<(String, f64, f64)> {
    svg.split("<g role=\"img\" aria-label=\"")
        .skip(1)
        .filter_map(|t| {
            let (label, rest) = t.split_once('"')?;
            let tr = rest.split("translate(").nth(1)?.split(')').next()?;
            let (x, y) = tr.split_once(' ')?;
            let label = label
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            Some((label, x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

fn texts(svg: &str) -> Vec<String> {
    placed(svg).into_iter().map(|(t, _, _)| t).collect()
}

fn at(svg: &str, words: &str) -> (f64, f64) {
    placed(svg)
        .into_iter()
        .find(|(t, _, _)| t == words)
        .map(|(_, x, y)| (x, y))
        .unwrap_or_else(|| panic!("{words:?} not drawn: {:?}", texts(svg)))
}

fn after<'a>(all: &'a [String], first: &str) -> Option<&'a str> {
    let i = all.iter().position(|t| t == first)?;
    all.get(i + 1).map(String::as_str)
}

/// The points of every polyline stroked in `colour`.
fn polylines(svg: &str, colour: &str) -> Vec<Vec<(f64, f64)>> {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(&format!("stroke=\"{colour}\"")))
        .map(|l| {
            l.split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

/// No font is named anywhere, and every glyph used is defined.
fn assert_self_contained(svg: &str) {
    for bad in ["<text", "font-family", "sans-serif", "DejaVu", "@font-face"] {
        assert!(!svg.contains(bad), "{bad:?} in the SVG");
    }
    assert!(svg.contains("xmlns:xlink=\"http://www.w3.org/1999/xlink\""));
    for id in svg.split("<use xlink:href=\"#").skip(1) {
        let id = id.split('"').next().unwrap();
        assert!(
            svg.contains(&format!("<path id=\"{id}\"")),
            "glyph {id} used but not defined"
        );
    }
}

fn plan(fw: &Framework) -> TransitionView {
    let now = scores(
        fw,
        ["2", "3", "1", "3", "2"],
        ["3", "2", "1", "3", "2"],
        ["1"; 5],
    );
    TransitionView {
        needs: now.need,
        readiness_from: now.readiness,
        readiness_to: DomainVector::from_options([
            Some(1.0),
            Some(3.0),
            Some(1.0),
            Some(2.0),
            None,
        ]),
        from_setting: Some("S0001".into()),
        to_setting: "S0107".into(),
        move_on: parse_date("2025-09-03").unwrap(),
        child_id: "C0042".into(),
    }
}

#[test]
fn transition_radar_draws_the_receiving_setting_in_a_fourth_colour_and_marks_not_ready() {
    let fw = Framework::default();
    let plan = plan(&fw);
    assert_eq!(plan.not_ready(), [Domain::Cl, Domain::Semh]);
    let svg = transition_radar(&fw, &plan, &RadarStyle::default()).unwrap();
    assert_self_contained(&svg);
    // Vermillion, dotted, for the receiving setting; the usual blue and green.
    assert!(!polylines(&svg, "#D55E00").is_empty(), "a vermillion line");
    assert!(!polylines(&svg, "#0072B2").is_empty() && !polylines(&svg, "#009E73").is_empty());
    assert!(polylines(&svg, "#CC79A7").is_empty(), "no family line here");
    let all = texts(&svg);
    assert_eq!(after(&all, "Cognition and learning"), Some("⚠ not ready"));
    assert_eq!(after(&all, "and mental health"), Some("⚠ not ready"));
    assert_eq!(
        all.iter().filter(|t| *t == "⚠ not ready").count(),
        2,
        "{all:?}"
    );
    // ind: not assessed at the new setting, so not marked, and said so.
    assert_eq!(after(&all, "Independence"), Some("readiness at S0107"));
    assert_eq!(after(&all, "readiness at S0107"), Some("not assessed"));
    for words in [
        "C0042 · move to S0107 on 2025-09-03",
        "Needs",
        "Readiness now, at S0001",
        "Readiness at S0107 from 2025-09-03",
        "⚠ not ready: S0107's readiness is below the need",
    ] {
        assert!(all.iter().any(|t| t == words), "{words:?} in {all:?}");
    }
    let png = transition_radar_png(&fw, &plan, &RadarStyle::default()).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn transition_radar_without_a_current_setting_says_so() {
    let fw = Framework::default();
    let mut plan = plan(&fw);
    plan.from_setting = None;
    plan.readiness_to = DomainVector::from_options([Some(4.0); 5]);
    let svg = transition_radar(&fw, &plan, &RadarStyle::default()).unwrap();
    let all = texts(&svg);
    assert!(all.iter().any(|t| t == "Readiness now (current setting)"));
    assert!(!all.iter().any(|t| t.contains("not ready")), "all ready");
}

#[test]
fn band_line_sits_in_the_footer_above_the_framework_line() {
    let fw = Framework::default();
    let s = scores(&fw, ["2"; 5], ["2"; 5], ["2"; 5]);
    let style =
        RadarStyle::for_review("C0042", parse_date("2025-03-14").unwrap()).with_band(BandNote {
            band: "C".into(),
            label: "Targeted top-up".into(),
            score: 8.5,
            raised_by: Some(Domain::Semh),
        });
    let svg = radar(&fw, &s, None, &style).unwrap();
    assert_self_contained(&svg);
    let band = at(
        &svg,
        "Band C · Targeted top-up · score 8.5 (raised by a floor in semh)",
    );
    let key = at(
        &svg,
        "Further out = more need (blue line) / more support available (green, pink)",
    );
    let framework = placed(&svg)
        .into_iter()
        .find(|(t, _, _)| t.starts_with("Framework "))
        .unwrap();
    assert!(band.1 > key.1, "below the legend");
    assert!(band.1 < framework.2, "above the framework line");
    assert!(band.1 > f64::from(style.height) - 60.0, "in the footer");

    // Not raised: no reason given; a whole score has no decimals.
    let plain = BandNote {
        band: "B".into(),
        label: "Targeted".into(),
        score: 6.0,
        raised_by: None,
    };
    assert_eq!(plain.text(), "Band B · Targeted · score 6");
}

#[test]
fn ring_numbers_sit_off_the_axes_once_per_ring() {
    let fw = Framework::default();
    // Every value at the top of the scale: markers on every outer vertex.
    let s = scores(&fw, ["4"; 5], ["4"; 5], ["4"; 5]);
    let svg = radar(&fw, &s, None, &RadarStyle::default()).unwrap();
    let numbers: Vec<(String, f64, f64)> = placed(&svg)
        .into_iter()
        .filter(|(t, _, _)| ["1", "2", "3", "4"].contains(&t.as_str()))
        .collect();
    assert_eq!(numbers.len(), 4, "{numbers:?}");
    // Down the gap between the two lower axes: one column, increasing downwards.
    let xs: Vec<f64> = numbers.iter().map(|n| n.1).collect();
    assert!(xs.iter().all(|x| (x - xs[0]).abs() < 1.0), "{xs:?}");
    assert!(numbers.windows(2).all(|w| w[1].2 > w[0].2));
    // On a white halo each.
    assert!(svg.matches("fill=\"#FFFFFF\"").count() >= 4);
}

#[test]
fn cohort_radar_marks_domains_by_the_children_not_by_the_means() {
    let fw = Framework::default();
    let mut cohort = Cohort::new(&fw, None);
    for (child, level) in [("C1", "1"), ("C2", "3")] {
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id(child).assessed_on("2025-01-10");
        for area in fw.areas() {
            b.need(area.key(), level);
        }
        for d in Domain::ALL {
            b.readiness(d, "1").confidence(d, "3");
        }
        cohort.add(&b.build().unwrap()).unwrap();
    }
    let summary = cohort.summary(None);
    let svg = cohort_radar(&fw, summary.group("all").unwrap(), &RadarStyle::default()).unwrap();
    assert_self_contained(&svg);
    let all = texts(&svg);
    assert!(all
        .iter()
        .any(|t| t == "⚠ setting: children whose setting's readiness is below their need"));
    assert!(!all.iter().any(|t| t.starts_with("⚠ family")), "{all:?}");
    // C2's need 3 is above readiness 1 in every domain; C1's need 1 is met:
    // the means (2 against 1) would say the same, but the count is of children.
    assert_eq!(all.iter().filter(|t| *t == "⚠ setting: 1 child").count(), 5);
}

#[test]
fn timeline_breaks_at_a_not_assessed_readiness_and_keeps_every_line_visible() {
    let fw = Framework::default();
    let on = [
        "2024-09-20",
        "2025-01-15",
        "2025-05-10",
        "2025-09-12",
        "2026-01-20",
    ];
    let reviews: Vec<Assessment> = on
        .iter()
        .enumerate()
        .map(|(i, on)| {
            // Every readiness at 2 (five lines on one level); cl's not
            // assessed at the third review.
            let cl = if i == 2 { "" } else { "2" };
            assessment(
                &fw,
                on,
                ["2", "3", "1", "3", "2"],
                [cl, "2", "2", "2", "2"],
                ["1"; 5],
            )
        })
        .collect();
    let t = Timeline::build(&fw, &reviews, None).unwrap();
    let style = TimelineStyle {
        title: "C0042".into(),
        ..TimelineStyle::default()
    };
    let svg = timeline_chart(&fw, &t, &style).unwrap();
    assert_self_contained(&svg);
    let half = f64::from(style.height) / 2.0;
    // Plot lines only: the legends sit right of the plots, from x = 700.
    let plotted = |colour: &str, lower: bool| -> Vec<Vec<(f64, f64)>> {
        polylines(&svg, colour)
            .into_iter()
            .filter(|p| p.iter().all(|&(x, _)| x < 690.0))
            .filter(|p| (p[0].1 > half) == lower)
            .collect()
    };
    // cl's need: one line through five reviews; its readiness: two pieces.
    let need = plotted("#E69F00", false);
    assert_eq!(need.len(), 1, "{need:?}");
    assert_eq!(need[0].len(), 5);
    let readiness = plotted("#E69F00", true);
    assert_eq!(
        readiness.len(),
        2,
        "broken at the third review: {readiness:?}"
    );
    assert!(readiness.iter().all(|p| p.len() == 2));
    assert!(
        readiness[0][1].0 < readiness[1][0].0,
        "no line across the gap"
    );

    // Five readiness lines at level 2 at the first review: five heights.
    let mut first_y: Vec<i64> = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2"]
        .iter()
        .map(|c| plotted(c, true)[0][0].1 as i64)
        .collect();
    first_y.sort_unstable();
    first_y.dedup();
    assert_eq!(first_y.len(), 5, "every line visible: {first_y:?}");

    // Both panels have a legend naming every domain.
    let all = texts(&svg);
    assert!(all.iter().any(|t| t == "Need in"));
    assert!(all.iter().any(|t| t == "Readiness in"));
    for d in Domain::ALL {
        assert_eq!(
            all.iter().filter(|t| *t == d.name()).count(),
            2,
            "{}",
            d.name()
        );
    }
}

fn summary(
    label: &str,
    need: [Option<f64>; 5],
    met: [Option<f64>; 5],
    k: Option<u64>,
) -> ComparedSummary {
    ComparedSummary {
        label: label.into(),
        as_of: parse_date("2025-07-31"),
        children: Some(120),
        mean_need: PerDomain(need),
        met_by_setting: PerDomain(met),
        suppression: k.map(|k| vsend_core::Suppression::new(k, None).unwrap()),
    }
}

#[test]
fn comparison_prints_values_and_never_draws_a_null_as_zero() {
    let fw = Framework::default();
    let summaries = [
        summary(
            "north",
            [Some(2.1), Some(2.4), Some(1.2), Some(2.6), Some(1.8)],
            [Some(0.81), Some(0.64), Some(0.9), Some(0.55), Some(0.77)],
            None,
        ),
        summary(
            "south",
            [Some(1.9), Some(2.7), None, Some(2.9), Some(1.6)],
            [Some(0.74), Some(0.52), None, Some(0.6), Some(0.8)],
            Some(5),
        ),
        summary(
            "east",
            [Some(2.3), Some(2.2), Some(1.4), Some(2.4), None],
            [Some(0.69), Some(0.71), Some(0.88), Some(0.47), None],
            None,
        ),
    ];
    let svg = comparison_chart(&fw, &summaries, &ComparisonStyle::default()).unwrap();
    assert_self_contained(&svg);
    let all = texts(&svg);
    // One null each way per figure: "suppressed" where K was applied, else "no data".
    assert_eq!(all.iter().filter(|t| *t == "no data").count(), 2, "{all:?}");
    assert_eq!(
        all.iter().filter(|t| *t == "suppressed").count(),
        2,
        "{all:?}"
    );
    for value in ["2.10", "1.90", "2.30", "81%", "74%", "69%", "1.40", "88%"] {
        assert!(all.iter().any(|t| t == value), "{value} printed");
    }
    // Only the 0% grid label, no bar labelled 0 or 0%.
    assert_eq!(all.iter().filter(|t| *t == "0%").count(), 1);
    assert_eq!(all.iter().filter(|t| *t == "0").count(), 1);
    assert!(all
        .iter()
        .any(|t| t == "north · as of 2025-07-31 · 120 children (reference)"));
    assert!(all
        .iter()
        .any(|t| t
            == "south · as of 2025-07-31 · 120 children · shared: counts under 5 suppressed, others rounded to 5s"));
    let png = comparison_chart_png(&fw, &summaries, &ComparisonStyle::default()).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
