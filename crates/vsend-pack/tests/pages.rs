//! The pages as HTML: what they say (the model's words and numbers), that
//! they are self-contained, escaped and accessible. How they look in a real
//! browser, on screen and printed, is `vsend-cli/tests/browser.rs`.
//!
//! Checks: §5, §7, §11, §12, §13 in a review pack's words.

use std::collections::{BTreeSet, HashMap};

use vsend_core::history::Keep;
use vsend_core::{
    parse_date, AssessmentBuilder, Cohort, Date, Domain, Framework, GroupBy, Histories, PlanLayout,
    Timeline,
};
use vsend_pack::{ChildPack, SettingIndex};

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

/// One review: every area of a domain at its need level, readiness and confidence per domain
/// (`None` = not assessed), in §1 order.
struct Review<'a> {
    child: &'a str,
    on: &'a str,
    need: [u8; 5],
    readiness: [Option<u8>; 5],
    confidence: [Option<u8>; 5],
}

fn assessment(fw: &Framework, r: &Review<'_>) -> vsend_core::Assessment {
    let mut b = AssessmentBuilder::new(fw);
    b.child_id(r.child)
        .assessed_on(r.on)
        .setting_id("S01")
        .date_of_birth("2015-01-10");
    for area in fw.areas() {
        b.need(area.key(), &r.need[area.domain().index()].to_string());
    }
    for dom in Domain::ALL {
        if let Some(x) = r.readiness[dom.index()] {
            b.readiness(dom, &x.to_string());
        }
        if let Some(x) = r.confidence[dom.index()] {
            b.confidence(dom, &x.to_string());
        }
    }
    b.build().unwrap()
}

/// C1's three reviews: semh worsening twice (escalating), the setting ready to 2 for a need
/// of 3 in semh, the family short in cl, the setting's readiness for ind not assessed.
fn history(fw: &Framework) -> Vec<vsend_core::Assessment> {
    let full = [Some(3), Some(3), Some(3), Some(2), None];
    [
        ("2024-09-20", [1, 1, 0, 1, 0], [Some(3); 5]),
        ("2025-01-15", [1, 1, 0, 2, 0], [Some(3); 5]),
        (
            "2025-05-14",
            [2, 1, 0, 3, 1],
            [Some(1), Some(3), Some(3), Some(3), Some(1)],
        ),
    ]
    .iter()
    .map(|(on, need, confidence)| {
        assessment(
            fw,
            &Review {
                child: "C1",
                on,
                need: *need,
                readiness: full,
                confidence: *confidence,
            },
        )
    })
    .collect()
}

fn pack_html(fw: &Framework, on: &str) -> String {
    let reviews = history(fw);
    let t = Timeline::build(fw, &reviews, Some(d(on))).unwrap();
    ChildPack::new(fw, &t, d(on))
        .setting_id(Some("S01"))
        .render()
        .unwrap()
}

/// Every `name="value"` of the page.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let key = format!(" {name}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// The page's words: the style sheet and tags removed, entities decoded.
fn text(html: &str) -> String {
    let html = match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &html[..a], &html[b..]),
        _ => html.to_owned(),
    };
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&quot;", "\"")
        .replace("&minus;", "\u{2212}")
        .replace("&#x26A0;", "\u{26A0}")
        .replace("&#xFE0E;", "\u{FE0E}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pack_says_what_is_not_yet_met_in_sentences_with_the_framework_words() {
    let fw = Framework::default();
    let html = pack_html(&fw, "2025-06-01");
    let words = text(&html);
    for want in [
        "Social, emotional and mental health: the setting is ready to level 2 (Moderate), the need is at level 3 (Significant).",
        "Cognition and learning: the family feels able to manage level 1 (Emerging), the need is at level 2 (Moderate).",
        "Independence: the setting's readiness was not assessed",
        // The header (§7): the review shown, the one before it and the next one due.
        "Review shown 2025-05-14",
        "Previous review 2025-01-15 (119 days before)",
        "Next review Due by 2025-09-13, in 104 days",
        "Age band Primary (aged 5 to 10)",
        // The table: numbers with their words, gaps and the change since the last review.
        "Social, emotional and mental health 3 Significant 2 Moderate 3 Significant \u{2212}1 not met 0 met +1 more need",
        "Independence 1 Emerging not assessed 1 Emerging not known 0 met +1 more need",
        // Over time: the levels, the trend and the escalation flag.
        "Social, emotional and mental health 1 \u{2192} 2 \u{2192} 3 rising,",
        "Yes: more need at each of the last two reviews",
        "Escalating: Social, emotional and mental health.",
        // Assess, plan, do, review, with the next review 122 days after the pack's date.
        "by 2025-10-01 at the latest",
    ] {
        assert!(words.contains(want), "missing {want:?} in\n{words}");
    }
    // The default framework has no banding, and no plan was given.
    assert!(!words.contains("Suggested band"), "{words}");
    assert!(!words.contains("Moving to"), "{words}");
}

#[test]
fn an_overdue_review_is_said_in_words_not_only_in_colour() {
    let fw = Framework::default();
    let words = text(&pack_html(&fw, "2025-10-01"));
    assert!(
        words.contains("Next review \u{26A0}\u{FE0E} Overdue: it was due by 2025-09-13, 18 days before this pack's date"),
        "{words}"
    );
    // Every cell marked in colour says why in words too.
    let html = pack_html(&fw, "2025-10-01");
    for (i, _) in html.match_indices("class=\"short\"") {
        let cell = &html[i..];
        let end = ["</td>", "</li>", "</dd>"]
            .iter()
            .filter_map(|e| cell.find(e))
            .min()
            .unwrap();
        let cell = text(&cell[cell.find('>').unwrap() + 1..end]);
        assert!(
            ["not met", "more need", "Yes"]
                .iter()
                .any(|w| cell.contains(w)),
            "a marked cell without words: {cell:?}"
        );
    }
}

#[test]
fn a_page_is_self_contained_with_no_script_and_nothing_to_load() {
    let fw = Framework::default();
    let html = pack_html(&fw, "2025-06-01");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"));
    for never in [
        "<script", "http:", "https:", " src=", "url(", "@import", "<link", "<iframe", "<img", " on",
    ] {
        let lower = html.to_ascii_lowercase();
        let found = match never {
            // " on" only as an event-handler attribute, e.g. ` onload=`.
            " on" => lower.match_indices(" on").any(|(i, _)| {
                lower[i + 3..]
                    .split(['=', ' ', '>'])
                    .next()
                    .is_some_and(|w| {
                        !w.is_empty()
                            && w.bytes().all(|b| b.is_ascii_lowercase())
                            && lower[i + 3 + w.len()..].starts_with('=')
                    })
            }),
            _ => lower.contains(never),
        };
        assert!(!found, "the page holds {never:?}");
    }
    assert!(html.contains("<title>Review pack: C1, 2025-06-01</title>"));
}

#[test]
fn ids_are_unique_and_every_chart_has_a_text_alternative() {
    let fw = Framework::default();
    let html = pack_html(&fw, "2025-06-01");
    let ids = attribute_values(&html, "id");
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "ids repeated in the page");
    for href in attribute_values(&html, "href") {
        let target = href.strip_prefix('#').expect("only links inside the page");
        assert!(unique.contains(target), "a link to no id: {href}");
    }
    let charts = html.matches("<svg").count();
    assert_eq!(charts, 2, "the radar and the needs over time");
    let labelled = attribute_values(&html, "aria-labelledby");
    let svg_labels: Vec<&str> = html
        .match_indices("<svg")
        .map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            assert!(tag.contains("role=\"img\""), "{tag}");
            let at = tag.find("aria-labelledby=\"").unwrap() + 17;
            &tag[at..at + tag[at..].find('"').unwrap()]
        })
        .collect();
    for label in svg_labels {
        assert!(labelled.contains(&label));
        for id in label.split(' ') {
            let open = format!(" id=\"{id}\">");
            let at = html.find(&open).unwrap_or_else(|| panic!("no {id}"));
            let words = &html[at + open.len()..];
            assert!(
                words.find('<').unwrap() > 40,
                "{id}: a short text alternative"
            );
        }
    }
}

#[test]
fn tables_have_real_headers() {
    let fw = Framework::default();
    let html = pack_html(&fw, "2025-06-01");
    let tables = html.matches("<table").count();
    assert_eq!(tables, 3, "domains, over time, actions");
    assert_eq!(html.matches("<caption>").count(), tables);
    // Each domain is a row header in the two domain tables.
    for dom in Domain::ALL {
        assert_eq!(
            html.matches(&format!("<th scope=\"row\">{}</th>", dom.name()))
                .count(),
            2,
            "{}",
            dom.name()
        );
    }
    assert!(html.matches("<th scope=\"col\">").count() >= 4 + 4 + 4);
}

#[test]
fn every_value_is_escaped() {
    // A council's framework labels are text it typed: never markup.
    let json = Framework::default().to_json().replace(
        "\"Significant\"",
        "\"<script>alert('x')</script> & \\\"more\\\"\"",
    );
    let fw = Framework::from_json(&json).unwrap();
    let html = pack_html(&fw, "2025-06-01");
    assert!(!html.contains("<script"), "a label went in as markup");
    assert!(
        html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;more&#34;"),
        "the label is not shown escaped"
    );
}

#[test]
fn mean_needs_have_words_between_two_levels() {
    let json = Framework::default()
        .to_json()
        .replace("\"aggregate\": \"max\"", "\"aggregate\": \"mean\"")
        .replace("\"aggregate\":\"max\"", "\"aggregate\":\"mean\"");
    let fw = Framework::from_json(&json).unwrap();
    assert_eq!(fw.aggregate(), vsend_core::Aggregate::Mean);
    let mut b = AssessmentBuilder::new(&fw);
    b.child_id("C2").assessed_on("2025-03-01");
    b.need("cl.learning", "2").need("cl.literacy", "3");
    let a = b.build().unwrap();
    let t = Timeline::build(&fw, [&a], Some(d("2025-03-01"))).unwrap();
    let words = text(&ChildPack::new(&fw, &t, d("2025-03-01")).render().unwrap());
    assert!(
        words.contains("Cognition and learning 2.5 Moderate to Significant not assessed"),
        "{words}"
    );
    assert!(words.contains("Communication and interaction: the need was not assessed"));
    assert!(words.contains("Previous review None: this is the first review"));
    assert!(words.contains("Setting not recorded"));
}

/// The banded framework of the worked examples (§13).
fn banded() -> Framework {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/examples/framework-banded.json"
    );
    Framework::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_band_and_a_plan_are_shown_when_there_are_some() {
    let fw = banded();
    let reviews = history(&fw);
    let on = d("2025-06-01");
    let t = Timeline::build(&fw, &reviews, Some(on)).unwrap();
    let mut histories = Histories::new(Keep::All);
    for a in &reviews {
        histories.add(a).unwrap();
    }
    let header = "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind";
    let layout = PlanLayout::new(header.split(',')).unwrap();
    let plan = layout
        .plan(&fw, "C1,S02,2025-09-03,2,1,1,3,0".split(','))
        .unwrap();
    let row = vsend_core::transition(&fw, histories.get(plan.child_id()), &plan).unwrap();
    let html = ChildPack::new(&fw, &t, on)
        .plan(Some(&row))
        .index_href(Some("index.html"))
        .render()
        .unwrap();
    let words = text(&html);
    // Needs 2, 1, 0, 3, 1: score 2 + 1 + 0 + 1.5 × 3 + 0.5 × 1 = 8, band C; the semh floor
    // gives only B.
    assert!(
        words.contains("Band C: Targeted top-up. Band score 8,"),
        "{words}"
    );
    assert!(words.contains("Top-up: 4,200"), "{words}");
    assert!(words.contains("Moving to S02 on 2025-09-03"), "{words}");
    assert!(
        words.contains("Independence: S02 is ready to level 0 (No additional need), the need is at level 1 (Emerging)."),
        "{words}"
    );
    assert!(
        !words.contains("Communication and interaction: S02"),
        "{words}"
    );
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("<a href=\"index.html\">"));
}

#[test]
fn the_setting_index_lists_priorities_overdue_reviews_bands_and_packs() {
    let fw = banded();
    let mut cohort = Cohort::new(&fw, Some(d("2025-10-01")));
    let mut histories = Histories::new(Keep::All);
    let mut reviews = history(&fw);
    reviews.push(assessment(
        &fw,
        &Review {
            child: "C2",
            on: "2025-09-01",
            need: [4, 0, 0, 0, 0],
            readiness: [Some(2), Some(1), Some(1), Some(1), Some(1)],
            confidence: [Some(4); 5],
        },
    ));
    for a in &reviews {
        cohort.add(a).unwrap();
        histories.add(a).unwrap();
    }
    let summary = cohort.summary(Some(GroupBy::SettingId));
    let group = summary.group("setting_id=S01").unwrap();
    let on = d("2025-10-01");
    let timelines: HashMap<String, Timeline> = histories
        .children()
        .map(|h| {
            let t = Timeline::of(&fw, h, Some(on)).unwrap();
            (h.reviews()[0].child_id().to_string(), t)
        })
        .collect();
    let html = SettingIndex::new(&fw, "S01", on, group)
        .child(&timelines["C1"], "C1.html")
        .child(&timelines["C2"], "C2 \"x\".html")
        .render()
        .unwrap();
    let words = text(&html);
    for want in [
        "Setting S01",
        "Children 2 children",
        // §12: cl (C2: need 4, ready 2) and semh (C1: need 3, ready 2), one child each;
        // cl's mean setting gap (−2 and +1 → −0.5) is the lower.
        "Cognition and learning: 1 child whose need the setting is not yet ready for; mean setting gap \u{2212}0.5.",
        "Social, emotional and mental health: 1 child whose need the setting is not yet ready for; mean setting gap 0.",
        // C1 was last reviewed 2025-05-14: due by 2025-09-13, overdue on 2025-10-01.
        "C1 : last reviewed 2025-05-14; due by 2025-09-13, 18 days ago",
        // §13: C1 band C, C2 needs 4 in cl → at least C by the floor.
        "C Targeted top-up 2 4,200",
        "Top-ups of the banded children in total: 8,400",
    ] {
        assert!(words.contains(want), "missing {want:?} in\n{words}");
    }
    let first = words.find("Cognition and learning: 1 child").unwrap();
    assert!(
        first
            < words
                .find("Social, emotional and mental health: 1 child")
                .unwrap()
    );
    assert!(html.contains("<a href=\"C1.html\">C1</a>"));
    assert!(
        html.contains("<a href=\"C2 &#34;x&#34;.html\">"),
        "hrefs are escaped"
    );
    assert_eq!(html.matches("<svg").count(), 1, "the audit radar");
}

#[test]
fn text_colours_pass_wcag_aa_on_white_and_on_the_tint() {
    let css = include_str!("../templates/style.css");
    let colour = |name: &str| -> [f64; 3] {
        let key = format!("--{name}: #");
        let at = css.find(&key).unwrap_or_else(|| panic!("no --{name}")) + key.len();
        let hex = &css[at..at + 6];
        [0, 2, 4].map(|i| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0)
    };
    let luminance = |c: [f64; 3]| {
        let lin = |v: f64| {
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
    };
    let contrast = |a: [f64; 3], b: [f64; 3]| {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    };
    let white = [1.0; 3];
    for text_colour in ["ink", "muted", "warn", "link"] {
        for (ground, on) in [("white", white), ("tint", colour("tint"))] {
            let c = contrast(colour(text_colour), on);
            assert!(c >= 4.5, "--{text_colour} on {ground}: {c:.2}:1");
        }
    }
    // No text is set in a colour that is not one of these.
    for line in css
        .lines()
        .filter(|l| l.trim_start().starts_with("color:") || l.contains(" color:"))
    {
        assert!(
            ["var(--ink)", "var(--muted)", "var(--warn)", "var(--link)"]
                .iter()
                .any(|v| line.contains(v)),
            "{line}"
        );
    }
}
