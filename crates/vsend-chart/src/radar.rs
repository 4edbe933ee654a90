//! The three-line radar: needs (blue), setting readiness (green) and family
//! confidence (pink) on five axes in §1 order, clockwise from 12 o'clock; and
//! the transition radar (§11), with the receiving setting's readiness in
//! vermillion instead of the family's confidence.

use std::f64::consts::PI;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use vsend_core::{Date, Domain, DomainVector, Framework, GroupSummary, Scores};

use crate::render::{
    self, number, svg_to_png, wrap, CONFIDENCE, GRID, INK, MUTED, NEEDS, PREVIOUS, READINESS,
    RECEIVING, WARNING,
};
use crate::Result;

/// What a radar shows besides the numbers, and how big it is.
///
/// The title should be the child's pseudonymous ID and the review date (see
/// [`RadarStyle::for_review`]); never a name or date of birth.
#[derive(Debug, Clone, PartialEq)]
pub struct RadarStyle {
    /// Width in pixels (SVG user units), 100 to 8000.
    pub width: u32,
    /// Height in pixels, 100 to 8000.
    pub height: u32,
    /// The title line.
    pub title: String,
    /// The date of the previous review, when its needs are drawn.
    pub previous_date: Option<Date>,
    /// The panel band (§13), shown in the footer when the framework has banding.
    pub band: Option<BandNote>,
}

/// The band a child's profile suggests (§13), for a radar's footer:
/// "Band C · Targeted top-up · score 8.5 (raised by a floor in semh)".
#[derive(Debug, Clone, PartialEq)]
pub struct BandNote {
    /// The band's id, e.g. `"C"`.
    pub band: String,
    /// The band's label, e.g. `"Targeted top-up"`.
    pub label: String,
    /// The weighted `band_score`.
    pub score: f64,
    /// The domain whose floor raised the band above the score band, if any.
    pub raised_by: Option<Domain>,
}

impl BandNote {
    /// The footer line.
    pub fn text(&self) -> String {
        let raised = self.raised_by.map_or(String::new(), |d| {
            format!(" (raised by a floor in {})", d.key())
        });
        format!(
            "Band {} · {} · score {}{raised}",
            self.band,
            self.label,
            number(self.score)
        )
    }
}

impl Default for RadarStyle {
    /// 800 × 800 px with no title.
    fn default() -> Self {
        RadarStyle {
            width: 800,
            height: 800,
            title: String::new(),
            previous_date: None,
            band: None,
        }
    }
}

impl RadarStyle {
    /// The style for one child's review: `"<child_id> · review of <date>"`.
    pub fn for_review(child_id: &str, assessed_on: Date) -> Self {
        RadarStyle {
            title: format!("{child_id} · review of {assessed_on}"),
            ..RadarStyle::default()
        }
    }

    /// The same style at another size.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        (self.width, self.height) = (width, height);
        self
    }

    /// The same style with a band line in the footer.
    pub fn with_band(mut self, band: BandNote) -> Self {
        self.band = Some(band);
        self
    }
}

/// One child's transition plan (§11), in plain values: the needs and current
/// readiness of their latest assessment on or before the move, and the
/// receiving setting's readiness.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionView {
    /// The child's needs.
    pub needs: DomainVector,
    /// The current setting's readiness.
    pub readiness_from: DomainVector,
    /// The receiving setting's readiness.
    pub readiness_to: DomainVector,
    /// The current setting's ID, when the assessment names one.
    pub from_setting: Option<String>,
    /// The receiving setting's ID.
    pub to_setting: String,
    /// The date of the move.
    pub move_on: Date,
    /// The child's pseudonymous ID.
    pub child_id: String,
}

impl TransitionView {
    /// The domains whose receiving readiness is below the need (`not_ready`, §11).
    pub fn not_ready(&self) -> Vec<Domain> {
        Domain::ALL
            .into_iter()
            .filter(|&d| short(self.needs.get(d), self.readiness_to.get(d)))
            .collect()
    }
}

/// Whether an offer is known and below a known need.
fn short(need: Option<f64>, offer: Option<f64>) -> bool {
    matches!((need, offer), (Some(n), Some(o)) if o < n)
}

/// One line of a radar.
struct Line {
    values: DomainVector,
    look: LineLook,
    /// The legend's text.
    legend: String,
    /// What the axis label says when a value is missing ("needs" → "needs
    /// not assessed"); `None` for the previous review's line.
    missing: Option<String>,
}

/// Everything a radar draws besides the grid.
struct Views {
    /// The lines, bottom to top.
    lines: Vec<Line>,
    /// The order of the lines in the legend.
    legend: Vec<usize>,
    /// Per domain, the short warnings under its label ("setting", "family"),
    /// one line each.
    marks: [Vec<String>; 5],
    /// The legend's explanation of each warning used.
    notes: Vec<String>,
    /// What "further out" means for each line.
    key: String,
}

impl Views {
    /// Needs, readiness and confidence (and the previous needs), marked where
    /// the setting or the family falls short.
    fn three(
        needs: DomainVector,
        readiness: DomainVector,
        confidence: DomainVector,
        previous: Option<(DomainVector, String)>,
        mean: bool,
    ) -> Views {
        let mut lines = vec![
            Line {
                values: confidence,
                look: CONFIDENCE_LOOK,
                legend: if mean {
                    "Mean family confidence"
                } else {
                    "Family confidence"
                }
                .into(),
                missing: Some("confidence".into()),
            },
            Line {
                values: readiness,
                look: READINESS_LOOK,
                legend: if mean {
                    "Mean setting readiness"
                } else {
                    "Setting readiness"
                }
                .into(),
                missing: Some("readiness".into()),
            },
        ];
        let mut legend = vec![2, 1, 0];
        if let Some((values, text)) = previous {
            lines.push(Line {
                values,
                look: PREVIOUS_LOOK,
                legend: text,
                missing: None,
            });
            legend = vec![3, 1, 0, 2];
        }
        lines.push(Line {
            values: needs,
            look: NEEDS_LOOK,
            legend: if mean { "Mean needs" } else { "Needs" }.into(),
            missing: Some("needs".into()),
        });
        let marks = Domain::ALL.map(|d| {
            let mut m = Vec::new();
            if short(needs.get(d), readiness.get(d)) {
                m.push("setting".to_owned());
            }
            if short(needs.get(d), confidence.get(d)) {
                m.push("family".to_owned());
            }
            m
        });
        let used = |w: &str| marks.iter().any(|m| m.iter().any(|x| x == w));
        let mut notes = Vec::new();
        if used("setting") {
            notes.push(if mean {
                "⚠ setting: mean setting readiness is below the mean need"
            } else {
                "⚠ setting: the setting's readiness is below the need"
            });
        }
        if used("family") {
            notes.push(if mean {
                "⚠ family: mean family confidence is below the mean need"
            } else {
                "⚠ family: the family's confidence is below the need"
            });
        }
        Views {
            lines,
            legend,
            marks,
            notes: notes.into_iter().map(String::from).collect(),
            key: "Further out = more need (blue line) / more support available (green, pink)"
                .into(),
        }
    }
}

/// Draws one assessment's radar as SVG, optionally with the previous
/// review's needs as a thin dashed blue line. Text is drawn as glyph outlines.
pub fn radar(
    fw: &Framework,
    current: &Scores,
    previous: Option<&Scores>,
    style: &RadarStyle,
) -> Result<String> {
    let previous = previous.map(|p| {
        let when = style
            .previous_date
            .map_or(String::new(), |d| format!(", {d}"));
        (p.need, format!("Needs at last review{when}"))
    });
    let views = Views::three(
        current.need,
        current.readiness,
        current.confidence,
        previous,
        false,
    );
    draw_svg(fw, &views, style, &style.title)
}

/// [`radar`] as PNG bytes, `style.width × style.height` pixels.
pub fn radar_png(
    fw: &Framework,
    current: &Scores,
    previous: Option<&Scores>,
    style: &RadarStyle,
) -> Result<Vec<u8>> {
    svg_to_png(&radar(fw, current, previous, style)?)
}

/// Draws a group's mean need, readiness and confidence (§8) as SVG. The
/// title should carry the group's name and `n` (see the CLI's `--cohort`).
pub fn cohort_radar(fw: &Framework, group: &GroupSummary, style: &RadarStyle) -> Result<String> {
    let radar = &group.radar;
    let mut views = Views::three(
        DomainVector::from_options(group.domains.0.each_ref().map(|d| d.mean_need)),
        DomainVector::from_options(radar.0.map(|r| r.mean_readiness)),
        DomainVector::from_options(radar.0.map(|r| r.mean_confidence)),
        None,
        true,
    );
    // Means can meet while children do not: mark each domain by its children
    // (§12 unmet_by_setting, and the same count for families), one unit for both.
    let count = |n: u64| match n {
        1 => "1 child".to_owned(),
        n => format!("{n} children"),
    };
    views.marks = Domain::ALL.map(|d| {
        let s = &group.domains[d];
        let mut m = Vec::new();
        if s.unmet_by_setting > 0 {
            m.push(format!("setting: {}", count(s.unmet_by_setting)));
        }
        if radar[d].unmet_by_family > 0 {
            m.push(format!("family: {}", count(radar[d].unmet_by_family)));
        }
        m
    });
    let used = |w: &str| views.marks.iter().flatten().any(|m| m.starts_with(w));
    views.notes.clear();
    if used("setting") {
        views
            .notes
            .push("⚠ setting: children whose setting's readiness is below their need".into());
    }
    if used("family") {
        views
            .notes
            .push("⚠ family: children whose family's confidence is below their need".into());
    }
    draw_svg(fw, &views, style, &style.title)
}

/// [`cohort_radar`] as PNG bytes.
pub fn cohort_radar_png(
    fw: &Framework,
    group: &GroupSummary,
    style: &RadarStyle,
) -> Result<Vec<u8>> {
    svg_to_png(&cohort_radar(fw, group, style)?)
}

/// Draws a transition plan (§11) as SVG: the child's needs (blue), the
/// current setting's readiness (green, dashed) and the receiving setting's
/// readiness (vermillion, dotted, triangles). Domains where the receiving
/// setting is `not_ready` are marked "⚠ not ready". An empty `style.title`
/// becomes `"<child_id> · move to <to_setting> on <move_on>"`.
pub fn transition_radar(
    fw: &Framework,
    plan: &TransitionView,
    style: &RadarStyle,
) -> Result<String> {
    let from = plan
        .from_setting
        .as_deref()
        .map_or("Readiness now (current setting)".to_owned(), |s| {
            format!("Readiness now, at {s}")
        });
    let lines = vec![
        Line {
            values: plan.readiness_from,
            look: READINESS_LOOK,
            legend: from,
            missing: Some("readiness now".into()),
        },
        Line {
            values: plan.readiness_to,
            look: RECEIVING_LOOK,
            legend: format!("Readiness at {} from {}", plan.to_setting, plan.move_on),
            missing: Some(format!("readiness at {}", plan.to_setting)),
        },
        Line {
            values: plan.needs,
            look: NEEDS_LOOK,
            legend: "Needs".into(),
            missing: Some("needs".into()),
        },
    ];
    let not_ready = plan.not_ready();
    let marks = Domain::ALL.map(|d| {
        if not_ready.contains(&d) {
            vec!["not ready".to_owned()]
        } else {
            Vec::new()
        }
    });
    let notes = if not_ready.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "⚠ not ready: {}'s readiness is below the need",
            plan.to_setting
        )]
    };
    let views = Views {
        lines,
        legend: vec![2, 0, 1],
        marks,
        notes,
        key: "Further out = more need (blue line) / more readiness (green now, vermillion after the move)"
            .into(),
    };
    let title = if style.title.is_empty() {
        format!(
            "{} · move to {} on {}",
            plan.child_id, plan.to_setting, plan.move_on
        )
    } else {
        style.title.clone()
    };
    draw_svg(fw, &views, style, &title)
}

/// [`transition_radar`] as PNG bytes.
pub fn transition_radar_png(
    fw: &Framework,
    plan: &TransitionView,
    style: &RadarStyle,
) -> Result<Vec<u8>> {
    svg_to_png(&transition_radar(fw, plan, style)?)
}

fn draw_svg(fw: &Framework, views: &Views, style: &RadarStyle, title: &str) -> Result<String> {
    render::draw_svg(style.width, style.height, |root| {
        draw(root, fw, views, style, title)
    })
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// How each view is drawn: colour, stroke, dash and marker, so that the
/// lines differ in lightness, dash and marker as well as hue.
#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Diamond,
    Triangle,
}

#[derive(Clone, Copy)]
struct LineLook {
    color: RGBColor,
    width: u32,
    /// Dash and gap lengths in pixels; `None` for a solid line.
    dash: Option<(u32, u32)>,
    marker: Option<Marker>,
    fill: bool,
}

// Where lines coincide (a need exactly met) all three must still show: the
// lower layers are wider and their markers larger, so they frame the ones above.
const NEEDS_LOOK: LineLook = LineLook {
    color: NEEDS,
    width: 3,
    dash: None,
    marker: Some(Marker::Circle),
    fill: true,
};
const READINESS_LOOK: LineLook = LineLook {
    color: READINESS,
    width: 6,
    dash: Some((14, 6)),
    marker: Some(Marker::Square),
    fill: true,
};
const CONFIDENCE_LOOK: LineLook = LineLook {
    color: CONFIDENCE,
    width: 9,
    dash: Some((4, 6)),
    marker: Some(Marker::Diamond),
    fill: true,
};
/// Dark and as wide as the needs line, so it still shows on a projector; told
/// apart from the needs by its long dashes and no markers.
const PREVIOUS_LOOK: LineLook = LineLook {
    color: PREVIOUS,
    width: 3,
    dash: Some((10, 6)),
    marker: None,
    fill: false,
};
/// The receiving setting: drawn above the current readiness, thinner and
/// dotted, so the green shows between its dots where the two coincide.
const RECEIVING_LOOK: LineLook = LineLook {
    color: RECEIVING,
    width: 4,
    dash: Some((3, 5)),
    marker: Some(Marker::Triangle),
    fill: true,
};

/// Level 0's ring, as a share of the radius.
const ZERO_RING: f64 = 0.1;

fn font(size: f64, color: RGBColor, bold: bool) -> TextStyle<'static> {
    render::font(size, color, bold)
}

/// The pixel position of value `v` on domain `d`'s axis.
struct Geometry {
    cx: f64,
    cy: f64,
    radius: f64,
    max_level: f64,
}

impl Geometry {
    fn angle(d: Domain) -> f64 {
        // 12 o'clock, then clockwise (screen y grows downwards).
        -PI / 2.0 + 2.0 * PI * d.index() as f64 / 5.0
    }

    fn at(&self, d: Domain, r: f64) -> (i32, i32) {
        let a = Self::angle(d);
        (
            (self.cx + r * a.cos()).round() as i32,
            (self.cy + r * a.sin()).round() as i32,
        )
    }

    /// The distance from the centre of level `value`. Level 0 sits on a small
    /// inner ring, not at the centre, so that 0 on one axis and 0 on the next
    /// are still two points and a line between them still shows.
    fn level_radius(&self, value: f64) -> f64 {
        let share = value.clamp(0.0, self.max_level) / self.max_level;
        self.radius * (ZERO_RING + (1.0 - ZERO_RING) * share)
    }

    fn vertex(&self, d: Domain, value: f64) -> (i32, i32) {
        self.at(d, self.level_radius(value))
    }
}

/// One radar page, top to bottom: the title and footer, the axis labels
/// (measured first, so the radar gets the room they leave), the grid, the
/// lines, the ring numbers, the labels and the legend.
fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    views: &Views,
    style: &RadarStyle,
    title: &str,
) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let scale = (f64::from(style.width.min(style.height)) / 800.0).max(0.4);
    draw_frame(area, fw, style, title, scale)?;
    let labels = label_blocks(area, views, scale)?;
    let page = Page::lay_out(fw, views, style, &labels, scale);
    draw_grid(area, &page.geo, fw.scale().max_level())?;
    // Fills under the lines, then the lines, bottom to top.
    for line in &views.lines {
        if line.look.fill && line.values.is_complete() {
            let points: Vec<_> = Domain::ALL
                .iter()
                .map(|&d| page.geo.vertex(d, line.values.get(d).unwrap_or(0.0)))
                .collect();
            area.draw(&Polygon::new(points, line.look.color.mix(0.12).filled()))?;
        }
    }
    for line in &views.lines {
        draw_line(area, &page.geo, &line.values, line.look, scale)?;
    }
    draw_ring_numbers(area, &page.geo, fw.scale().max_level(), scale)?;
    draw_labels(area, &page, &labels)?;
    draw_all_zero_note(area, fw, views, &page.geo, scale)?;
    draw_legend(area, views, style, &page, scale)
}

/// The title, and the footer: the framework line, with the band line above it.
fn draw_frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    style: &RadarStyle,
    title: &str,
    scale: f64,
) -> Drawn<DB> {
    let (w, h) = (f64::from(style.width), f64::from(style.height));
    let px = |x: f64| x * scale;
    let title_font = font(px(24.0), INK, true);
    area.draw(&Text::new(
        title.to_owned(),
        ((w / 2.0) as i32, px(16.0) as i32),
        title_font.pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let labels = fw.scale().labels();
    let footer = format!(
        "Framework {} v{} · levels 0 ({}) to {} ({})",
        fw.id(),
        fw.version(),
        labels.first().map_or("", String::as_str),
        fw.scale().max_level(),
        labels.last().map_or("", String::as_str)
    );
    area.draw(&Text::new(
        footer,
        ((w / 2.0) as i32, (h - px(10.0)) as i32),
        font(px(13.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))?;
    if let Some(band) = &style.band {
        area.draw(&Text::new(
            band.text(),
            ((w / 2.0) as i32, (h - px(30.0)) as i32),
            font(px(15.0), INK, true).pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    Ok(())
}

/// Each axis's label lines (name, ⚠ marks, what is not assessed), and the
/// widest side label.
struct LabelBlocks {
    blocks: Vec<Vec<(String, LabelKind)>>,
    widest_side: f64,
    size: f64,
    line_height: f64,
}

fn label_blocks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    views: &Views,
    scale: f64,
) -> std::result::Result<LabelBlocks, DrawingAreaErrorKind<DB::ErrorType>> {
    let size = 16.0 * scale;
    let mut blocks: Vec<Vec<(String, LabelKind)>> = Vec::new();
    let mut widest_side = 0f64;
    for d in Domain::ALL {
        let marked = !views.marks[d.index()].is_empty();
        let name_kind = if marked {
            LabelKind::Warning
        } else {
            LabelKind::Name
        };
        let mut lines: Vec<(String, LabelKind)> =
            wrap(d.name(), if d == Domain::Cl { 30 } else { 18 })
                .into_iter()
                .map(|l| (l, name_kind))
                .collect();
        for mark in &views.marks[d.index()] {
            lines.push((format!("⚠ {mark}"), LabelKind::Warning));
        }
        for &i in &views.legend {
            let line = &views.lines[i];
            if let (Some(what), None) = (&line.missing, line.values.get(d)) {
                // A long note on two lines, so it does not squeeze the radar.
                if what.chars().count() > 12 {
                    lines.push((what.clone(), LabelKind::Note));
                    lines.push(("not assessed".into(), LabelKind::Note));
                } else {
                    lines.push((format!("{what} not assessed"), LabelKind::Note));
                }
            }
        }
        if d != Domain::Cl {
            for (line, kind) in &lines {
                let (lw, _) = area.estimate_text_size(line, &kind.font(size))?;
                widest_side = widest_side.max(f64::from(lw));
            }
        }
        blocks.push(lines);
    }
    Ok(LabelBlocks {
        blocks,
        widest_side,
        size,
        line_height: size * 1.25,
    })
}

/// Where everything goes: the radar's centre and radius, the labels' gap and
/// the legend's top.
struct Page {
    geo: Geometry,
    gap: f64,
    legend_top: f64,
    row: f64,
    note_row: f64,
}

impl Page {
    fn lay_out(
        fw: &Framework,
        views: &Views,
        style: &RadarStyle,
        labels: &LabelBlocks,
        scale: f64,
    ) -> Page {
        let (w, h) = (f64::from(style.width), f64::from(style.height));
        let px = |x: f64| x * scale;
        let lines_of = |d: Domain| labels.blocks[d.index()].len() as f64 * labels.line_height;
        let top_labels = lines_of(Domain::Cl);
        let bottom_labels = lines_of(Domain::Sp).max(lines_of(Domain::Semh));
        let row = px(26.0);
        let note_row = px(21.0);
        let legend_rows = views.legend.len().div_ceil(2);
        let legend_height = row * legend_rows as f64 + note_row * (views.notes.len() + 1) as f64;
        let footer_room = if style.band.is_some() { 56.0 } else { 34.0 };
        let (body_top, body_bottom) = (px(56.0), h - px(footer_room));
        let gap = px(14.0);
        // cos 18° = 0.951: the side axes reach that far out; the lower ones sit at
        // sin 54° = 0.809 of the radius below the centre.
        let radius_w = (w / 2.0 - labels.widest_side - gap - px(20.0)) / 0.951;
        let radius_h =
            (body_bottom - body_top - legend_height - top_labels - bottom_labels - 3.0 * gap)
                / 1.809;
        let radius = radius_w.min(radius_h).max(px(40.0));
        let block = top_labels + gap + 1.809 * radius + gap + bottom_labels + gap + legend_height;
        let block_top = body_top + ((body_bottom - body_top - block) / 2.0).max(0.0);
        let cy = block_top + top_labels + gap + radius;
        Page {
            geo: Geometry {
                cx: w / 2.0,
                cy,
                radius,
                max_level: f64::from(fw.scale().max_level()),
            },
            gap,
            legend_top: cy + 0.809 * radius + gap + bottom_labels + gap,
            row,
            note_row,
        }
    }
}

/// Rings at every level, and the spokes.
fn draw_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    geo: &Geometry,
    max_level: u8,
) -> Drawn<DB> {
    for level in 0..=max_level {
        let r = geo.level_radius(f64::from(level));
        let mut ring: Vec<(i32, i32)> = Domain::ALL.iter().map(|&d| geo.at(d, r)).collect();
        ring.push(ring[0]);
        area.draw(&PathElement::new(ring, GRID.stroke_width(1)))?;
    }
    for d in Domain::ALL {
        area.draw(&PathElement::new(
            vec![geo.at(d, 0.0), geo.at(d, geo.radius)],
            GRID.stroke_width(1),
        ))?;
    }
    Ok(())
}

/// Ring numbers down the gap between the two lower axes, where no marker
/// sits, each on a white halo so a line crossing there cannot hide it.
fn draw_ring_numbers<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    geo: &Geometry,
    max_level: u8,
    scale: f64,
) -> Drawn<DB> {
    let px = |x: f64| x * scale;
    for level in 0..=max_level {
        let r = geo.level_radius(f64::from(level));
        // The middle of the ring's lowest side: cos 36° of the radius down.
        let (x, y) = ((geo.cx) as i32, (geo.cy + r * 0.809) as i32);
        let number_font = font(px(13.0), INK, true);
        let text = level.to_string();
        let (tw, th) = area.estimate_text_size(&text, &number_font)?;
        let (hw, hh) = (
            (f64::from(tw) / 2.0 + px(4.0)) as i32,
            (f64::from(th) / 2.0 + px(1.0)) as i32,
        );
        area.draw(&Rectangle::new(
            [(x - hw, y - hh), (x + hw, y + hh)],
            WHITE.mix(0.9).filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(x - hw, y - hh), (x + hw, y + hh)],
            GRID.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            text,
            (x, y),
            number_font.pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The axis labels, anchored away from the centre.
fn draw_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    page: &Page,
    labels: &LabelBlocks,
) -> Drawn<DB> {
    let geo = &page.geo;
    for (d, lines) in Domain::ALL.into_iter().zip(&labels.blocks) {
        let a = Geometry::angle(d);
        let (x, y) = geo.at(d, geo.radius + page.gap);
        let h_pos = if a.cos() > 0.3 {
            HPos::Left
        } else if a.cos() < -0.3 {
            HPos::Right
        } else {
            HPos::Center
        };
        let block = labels.line_height * lines.len() as f64;
        let first_y = if a.sin() < -0.3 {
            f64::from(y) - block
        } else if a.sin() > 0.3 {
            f64::from(y)
        } else {
            f64::from(y) - block / 2.0
        };
        for (i, (line, kind)) in lines.iter().enumerate() {
            let look = kind.font(labels.size);
            let ly = first_y + labels.line_height * i as f64;
            area.draw(&Text::new(
                line.clone(),
                (x, ly as i32),
                look.pos(Pos::new(h_pos, VPos::Top)),
            ))?;
        }
    }
    Ok(())
}

/// An all-zero radar is a dot at the centre: say in words what it means.
fn draw_all_zero_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    views: &Views,
    geo: &Geometry,
    scale: f64,
) -> Drawn<DB> {
    let px = |x: f64| x * scale;
    let needs = &views.lines[views.legend[0]].values;
    if !(needs.is_complete() && Domain::ALL.iter().all(|&d| needs.get(d) == Some(0.0))) {
        return Ok(());
    }
    let text = format!(
        "Needs at 0 in every domain: {}",
        fw.scale()
            .labels()
            .first()
            .map_or("no need", String::as_str)
    );
    let at = (geo.cx as i32, (geo.cy - px(22.0)) as i32);
    let look = font(px(15.0), INK, true);
    let (tw, th) = area.estimate_text_size(&text, &look)?;
    let (hw, pad) = (tw as i32 / 2 + px(6.0) as i32, px(3.0) as i32);
    area.draw(&Rectangle::new(
        [(at.0 - hw, at.1 - th as i32 - pad), (at.0 + hw, at.1 + pad)],
        WHITE.mix(0.9).filled(),
    ))?;
    area.draw(&Text::new(
        text,
        at,
        look.pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))
}

/// The legend under the radar: one entry per line drawn, then what each ⚠
/// means, then what "further out" means.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    views: &Views,
    style: &RadarStyle,
    page: &Page,
    scale: f64,
) -> Drawn<DB> {
    let px = |x: f64| x * scale;
    let w = f64::from(style.width);
    let (row, note_row) = (page.row, page.note_row);
    let sample = px(44.0);
    let column_width = (w - px(80.0)) / 2.0;
    for (i, &line) in views.legend.iter().enumerate() {
        let Line { legend, look, .. } = &views.lines[line];
        let x0 = px(40.0) + column_width * (i % 2) as f64;
        let y0 = page.legend_top + row * (i / 2) as f64 + row / 2.0;
        let path = vec![(x0 as i32, y0 as i32), ((x0 + sample) as i32, y0 as i32)];
        draw_path(area, path, *look, scale)?;
        if let Some(m) = look.marker {
            draw_marker(
                area,
                ((x0 + sample / 2.0) as i32, y0 as i32),
                m,
                look.color,
                scale,
            )?;
        }
        let text_style = font(px(15.0), INK, false).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(
            legend.clone(),
            ((x0 + sample + px(10.0)) as i32, y0 as i32),
            text_style,
        ))?;
    }
    let legend_rows = views.legend.len().div_ceil(2);
    let mut y = page.legend_top + row * legend_rows as f64 + note_row / 2.0;
    for note in &views.notes {
        let note_style = font(px(14.0), WARNING, true).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(
            note.clone(),
            ((w / 2.0) as i32, y as i32),
            note_style,
        ))?;
        y += note_row;
    }
    let key_style = font(px(14.0), INK, false).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(
        views.key.clone(),
        ((w / 2.0) as i32, y as i32),
        key_style,
    ))?;
    Ok(())
}

#[derive(Clone, Copy)]
enum LabelKind {
    Name,
    Warning,
    Note,
}

impl LabelKind {
    fn font(self, size: f64) -> TextStyle<'static> {
        match self {
            LabelKind::Note => font(size * 0.85, MUTED, false),
            LabelKind::Warning => font(size, WARNING, true),
            LabelKind::Name => font(size, INK, false),
        }
    }
}

/// Draws one view's line: closed when every value is known; otherwise only
/// the sides between two known values, so a missing value breaks the line.
fn draw_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    geo: &Geometry,
    values: &DomainVector,
    look: LineLook,
    scale: f64,
) -> Drawn<DB> {
    let vertex = |d: Domain| values.get(d).map(|v| geo.vertex(d, v));
    for d in Domain::ALL {
        let next = Domain::ALL[(d.index() + 1) % 5];
        if let (Some(a), Some(b)) = (vertex(d), vertex(next)) {
            draw_path(area, vec![a, b], look, scale)?;
        }
    }
    if let Some(m) = look.marker {
        for d in Domain::ALL {
            if let Some(p) = vertex(d) {
                draw_marker(area, p, m, look.color, scale)?;
            }
        }
    }
    Ok(())
}

fn draw_path<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    look: LineLook,
    scale: f64,
) -> Drawn<DB> {
    let width = ((f64::from(look.width) * scale).round() as u32).max(1);
    let stroke = look.color.stroke_width(width);
    match look.dash {
        None => area.draw(&PathElement::new(points, stroke)),
        Some((dash, gap)) => {
            let (dash, gap) = (
                ((f64::from(dash) * scale) as u32).max(2),
                ((f64::from(gap) * scale) as u32).max(2),
            );
            area.draw(&DashedPathElement::new(points, dash, gap, stroke))
        }
    }
}

fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    marker: Marker,
    color: RGBColor,
    scale: f64,
) -> Drawn<DB> {
    let size = |px: f64| ((px * scale).round() as i32).max(2);
    match marker {
        Marker::Circle => area.draw(&Circle::new((x, y), size(5.0), color.filled())),
        Marker::Square => {
            let r = size(7.0);
            area.draw(&Rectangle::new(
                [(x - r, y - r), (x + r, y + r)],
                color.filled(),
            ))
        }
        Marker::Diamond => {
            let r = size(12.0);
            area.draw(&Polygon::new(
                vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
                color.filled(),
            ))
        }
        Marker::Triangle => {
            let r = size(8.0);
            area.draw(&Polygon::new(
                vec![(x, y - r), (x + r, y + r * 3 / 4), (x - r, y + r * 3 / 4)],
                color.filled(),
            ))
        }
    }
}
