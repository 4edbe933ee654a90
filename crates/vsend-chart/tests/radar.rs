//! The radar, checked the way a reader sees it: the SVG's shapes and words,
//! and the PNG's size and colours.
//!
//! Checks: §1 (axes in domain order), §5 (needs, readiness, confidence, what is not met), §7 (the previous review), §13 (the band line).

use vsend_chart::{cohort_radar, radar, radar_png, ChartError, RadarStyle};
use vsend_core::{score, AssessmentBuilder, Cohort, Domain, Framework, Scores};

/// Scores with every area of a domain at `needs[d]` ("" = not assessed).
fn scores(fw: &Framework, needs: [&str; 5], readiness: [&str; 5], confidence: [&str; 5]) -> Scores {
    let mut b = AssessmentBuilder::new(fw);
    b.child_id("C0042").assessed_on("2025-03-14");
    for (i, d) in Domain::ALL.into_iter().enumerate() {
        for area in fw.areas_of(d) {
            b.need(area.key(), needs[i]);
        }
        b.readiness(d, readiness[i]).confidence(d, confidence[i]);
    }
    score(fw, &b.build().unwrap())
}

fn style() -> RadarStyle {
    RadarStyle::for_review("C0042", vsend_core::parse_date("2025-03-14").unwrap())
}

/// The `fill` colours of the filled polygons (the translucent areas).
fn fills(svg: &str) -> Vec<String> {
    svg.lines()
        .filter(|l| l.starts_with("<polygon opacity=\"0.12\""))
        .filter_map(|l| {
            l.split("fill=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(String::from)
        })
        .collect()
}

/// The words of every text, in drawing order: the `aria-label` of each glyph
/// group (the SVGs have no `<text>` elements), unescaped.
fn texts(svg: &str) -> Vec<String> {
    assert!(!svg.contains("<text"), "text is drawn as glyph outlines");
    svg.split("<g role=\"img\" aria-label=\"")
        .skip(1)
        .filter_map(|t| t.split_once('"').map(|(label, _)| label))
        .map(|l| {
            l.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// The text drawn right after `first` (the next line of the same label).
fn after<'a>(all: &'a [String], first: &str) -> Option<&'a str> {
    let i = all.iter().position(|t| t == first)?;
    all.get(i + 1).map(String::as_str)
}

#[test]
fn full_radar_has_three_filled_polygons_labels_and_legend() {
    let fw = Framework::default();
    let s = scores(
        &fw,
        ["2", "3", "1", "3", "2"],
        ["3", "2", "1", "3", "2"],
        ["1", "3", "2", "1", "2"],
    );
    let svg = radar(&fw, &s, None, &style()).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(
        fills(&svg),
        ["#CC79A7", "#009E73", "#0072B2"],
        "pink, green, blue areas"
    );
    let words = texts(&svg).join("\n");
    for needle in [
        "C0042 · review of 2025-03-14",
        "Cognition and learning",
        "Independence",
        "Needs",
        "Setting readiness",
        "Family confidence",
        "Framework vsend-default v1",
    ] {
        assert!(words.contains(needle), "{needle:?} missing from {words}");
    }
    // Every ring numbered exactly once.
    let all = texts(&svg);
    for level in ["1", "2", "3", "4"] {
        assert_eq!(
            all.iter().filter(|t| *t == level).count(),
            1,
            "ring {level} in {all:?}"
        );
    }
    // Each marked domain says who falls short: cl and semh the family (confidence
    // 1 < 2 and 1 < 3), ci the setting (2 < 3); sp and ind are met.
    assert_eq!(after(&all, "Cognition and learning"), Some("⚠ family"));
    assert_eq!(after(&all, "interaction"), Some("⚠ setting"));
    assert_eq!(after(&all, "and mental health"), Some("⚠ family"));
    assert_eq!(after(&all, "physical"), Some("Social, emotional"));
    assert!(!after(&all, "Independence").unwrap().starts_with('⚠'));
    assert_eq!(all.iter().filter(|t| t.starts_with("⚠ ")).count(), 3 + 2);
    assert!(words.contains("⚠ setting: the setting's readiness is below the need"));
    assert!(words.contains("⚠ family: the family's confidence is below the need"));
    assert!(words
        .contains("Further out = more need (blue line) / more support available (green, pink)"));
    assert!(!words.contains("not assessed"));
    assert!(!words.contains("Band "), "no band unless asked");
}

#[test]
fn not_assessed_is_never_drawn_as_zero() {
    let fw = Framework::default();
    let s = scores(
        &fw,
        ["2", "", "1", "3", "2"],
        ["3", "2", "", "3", "2"],
        ["1", "2", "2", "2", "2"],
    );
    let svg = radar(&fw, &s, None, &style()).unwrap();
    // Only the complete view (family confidence) is filled.
    assert_eq!(fills(&svg), ["#CC79A7"]);
    let all = texts(&svg);
    assert!(all.iter().any(|t| t == "needs not assessed"));
    assert!(all.iter().any(|t| t == "readiness not assessed"));
    // No needs vertex at the centre, where the grey spokes start.
    let spoke = svg
        .lines()
        .find(|l| {
            l.starts_with("<polyline") && l.contains("#BEBEBE") && l.matches(',').count() == 2
        })
        .unwrap();
    let centre: Vec<f64> = spoke
        .split("points=\"")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    let markers: Vec<(f64, f64)> = svg
        .lines()
        .filter(|l| l.starts_with("<circle") && l.contains("#0072B2"))
        .filter_map(|l| {
            let num = |k: &str| {
                l.split(&format!("{k}=\""))
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse::<f64>()
                    .ok()
            };
            Some((num("cx")?, num("cy")?))
        })
        .collect();
    assert_eq!(
        markers.len(),
        4 + 1,
        "four known needs and the legend's marker"
    );
    assert!(markers
        .iter()
        .all(|m| (m.0 - centre[0]).abs() + (m.1 - centre[1]).abs() > 2.0));
}

#[test]
fn previous_review_adds_a_dark_dashed_needs_line_and_legend_entry() {
    let fw = Framework::default();
    let now = scores(
        &fw,
        ["2", "2", "2", "2", "2"],
        ["2", "2", "2", "2", "2"],
        ["2", "2", "2", "2", "2"],
    );
    let before = scores(
        &fw,
        ["3", "3", "3", "3", "3"],
        ["2", "2", "2", "2", "2"],
        ["2", "2", "2", "2", "2"],
    );
    let mut st = style();
    st.previous_date = vsend_core::parse_date("2024-11-05");
    let svg = radar(&fw, &now, Some(&before), &st).unwrap();
    assert!(!texts(&svg).iter().any(|t| t.starts_with("⚠ setting:")));
    assert!(texts(&svg)
        .iter()
        .any(|t| t == "Needs at last review, 2024-11-05"));
    assert!(
        svg.contains("stroke=\"#003C64\" stroke-width=\"3\""),
        "a dark blue line as wide as the needs, to show when projected"
    );
    assert!(!texts(&svg).join(" ").contains('⚠'), "every need met");
}

#[test]
fn png_has_the_asked_size_and_each_lines_colour() {
    let fw = Framework::default();
    let s = scores(
        &fw,
        ["2", "3", "1", "3", "2"],
        ["3", "2", "1", "3", "2"],
        ["1", "3", "2", "1", "2"],
    );
    for (w, h) in [(800, 800), (640, 480)] {
        let png = radar_png(&fw, &s, None, &style().with_size(w, h)).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (w, h));
        let channels = info.color_type.samples();
        let count = |rgb: [u8; 3]| {
            buf.chunks(channels)
                .filter(|p| p[..3].iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 12))
                .count()
        };
        for (name, rgb) in [
            ("blue", [0, 114, 178]),
            ("green", [0, 158, 115]),
            ("pink", [204, 121, 167]),
        ] {
            assert!(
                count(rgb) > 50,
                "{name} line at {w}×{h}: {} pixels",
                count(rgb)
            );
        }
        assert!(
            count([255, 255, 255]) > (w * h / 3) as usize,
            "a white background"
        );
    }
}

#[test]
fn sizes_outside_the_range_are_refused() {
    let fw = Framework::default();
    let s = scores(&fw, ["1"; 5], ["1"; 5], ["1"; 5]);
    assert!(matches!(
        radar(&fw, &s, None, &style().with_size(20, 800)),
        Err(ChartError::Size { .. })
    ));
}

#[test]
fn rings_follow_the_framework_scale() {
    let json = Framework::default()
        .to_json()
        .replace("\"max_level\": 4", "\"max_level\": 6")
        .replace(
            "\"Complex\"",
            "\"Complex\", \"Very complex\", \"Exceptional\"",
        );
    let fw = Framework::from_json(&json).unwrap();
    let s = scores(&fw, ["6", "5", "1", "0", "2"], ["6"; 5], ["6"; 5]);
    let svg = radar(&fw, &s, None, &style()).unwrap();
    assert!(texts(&svg).iter().any(|t| t == "6"));
    assert!(texts(&svg).join(" ").contains("to 6 (Exceptional)"));
}

#[test]
fn cohort_radar_draws_the_group_means() {
    let fw = Framework::default();
    let mut cohort = Cohort::new(&fw, None);
    for (child, level) in [("C1", "1"), ("C2", "3")] {
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id(child).assessed_on("2025-01-10");
        for area in fw.areas() {
            b.need(area.key(), level);
        }
        for d in Domain::ALL {
            b.readiness(d, "2").confidence(d, "1");
        }
        cohort.add(&b.build().unwrap()).unwrap();
    }
    let summary = cohort.summary(None);
    let st = RadarStyle {
        title: "all · n = 2".into(),
        ..RadarStyle::default()
    };
    let svg = cohort_radar(&fw, summary.group("all").unwrap(), &st).unwrap();
    assert_eq!(fills(&svg).len(), 3);
    let words = texts(&svg).join("\n");
    assert!(
        words.contains("all · n = 2") && words.contains("Mean needs"),
        "{words}"
    );
}

#[test]
fn timeline_chart_draws_one_line_per_domain_with_dates() {
    use vsend_chart::{timeline_chart, timeline_chart_png, TimelineStyle};
    let fw = Framework::default();
    let review = |on: &str, level: &str| {
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("C0042").assessed_on(on);
        for area in fw.areas() {
            b.need(area.key(), level);
        }
        for d in Domain::ALL {
            b.readiness(d, "2");
        }
        b.build().unwrap()
    };
    let reviews = [
        review("2024-09-20", "1"),
        review("2025-01-15", "2"),
        review("2025-05-10", "3"),
    ];
    let t = vsend_core::Timeline::build(&fw, &reviews, None).unwrap();
    let style = TimelineStyle {
        title: "C0042 · needs over time".into(),
        ..TimelineStyle::default()
    };
    let svg = timeline_chart(&fw, &t, &style).unwrap();
    let words = texts(&svg).join("\n");
    for d in Domain::ALL {
        assert!(words.contains(d.name()), "legend names {}", d.name());
    }
    assert!(words.contains("C0042 · needs over time"));
    for date in ["2024-09-20", "2025-01-15", "2025-05-10"] {
        assert!(
            words.contains(date),
            "review date {date} on the x axis: {words}"
        );
    }
    for colour in ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2"] {
        assert!(
            svg.contains(&format!("stroke=\"{colour}\"")),
            "a line in {colour}"
        );
    }
    let png = timeline_chart_png(&fw, &t, &style).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
