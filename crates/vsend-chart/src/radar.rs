//! The three-line radar: needs (blue), setting readiness (green) and family
//! confidence (pink) on five axes in §1 order, clockwise from 12 o'clock.

use std::f64::consts::PI;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use vsend_core::{Date, Domain, DomainVector, Framework, GroupSummary, Scores};

use crate::render::{
    self, svg_to_png, wrap, CONFIDENCE, GRID, INK, MUTED, NEEDS, READINESS, WARNING,
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
}

impl Default for RadarStyle {
    /// 800 × 800 px with no title.
    fn default() -> Self {
        RadarStyle {
            width: 800,
            height: 800,
            title: String::new(),
            previous_date: None,
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
}

/// The three views to draw, plus optionally the previous needs.
struct Views {
    needs: DomainVector,
    readiness: DomainVector,
    confidence: DomainVector,
    previous: Option<DomainVector>,
    /// What the values are ("Needs" or "Mean needs"), for the legend.
    mean: bool,
}

/// Draws one assessment's radar as SVG (text as text), optionally with the
/// previous review's needs as a thin dashed blue line.
pub fn radar(
    fw: &Framework,
    current: &Scores,
    previous: Option<&Scores>,
    style: &RadarStyle,
) -> Result<String> {
    let views = Views {
        needs: current.need,
        readiness: current.readiness,
        confidence: current.confidence,
        previous: previous.map(|p| p.need),
        mean: false,
    };
    draw_svg(fw, &views, style)
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
    let mean = |f: fn(&vsend_core::DomainSummary) -> Option<f64>| {
        DomainVector::from_options(group.domains.0.each_ref().map(f))
    };
    let views = Views {
        needs: mean(|d| d.mean_need),
        readiness: mean(|d| d.mean_readiness),
        confidence: mean(|d| d.mean_confidence),
        previous: None,
        mean: true,
    };
    draw_svg(fw, &views, style)
}

/// [`cohort_radar`] as PNG bytes.
pub fn cohort_radar_png(
    fw: &Framework,
    group: &GroupSummary,
    style: &RadarStyle,
) -> Result<Vec<u8>> {
    svg_to_png(&cohort_radar(fw, group, style)?)
}

fn draw_svg(fw: &Framework, views: &Views, style: &RadarStyle) -> Result<String> {
    render::draw_svg(style.width, style.height, |root| {
        draw(root, fw, views, style)
    })
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// How each view is drawn: colour, stroke, dash and marker, so that the three
/// lines differ in lightness, dash and marker as well as hue.
#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Square,
    Diamond,
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
const PREVIOUS_LOOK: LineLook = LineLook {
    color: NEEDS,
    width: 1,
    dash: Some((6, 4)),
    marker: None,
    fill: false,
};

fn font(size: f64, color: RGBColor, bold: bool) -> TextStyle<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    ("sans-serif", size).into_font().style(style).color(&color)
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

    fn vertex(&self, d: Domain, value: f64) -> (i32, i32) {
        self.at(
            d,
            self.radius * value.clamp(0.0, self.max_level) / self.max_level,
        )
    }
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    views: &Views,
    style: &RadarStyle,
) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let (w, h) = (f64::from(style.width), f64::from(style.height));
    let scale = (w.min(h) / 800.0).max(0.4);
    let px = |x: f64| x * scale;

    // Title and footer.
    let title_font = font(px(24.0), INK, true);
    area.draw(&Text::new(
        style.title.clone(),
        ((w / 2.0) as i32, px(16.0) as i32),
        title_font.pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let labels = fw.scale().labels();
    let max_level = fw.scale().max_level();
    let footer = format!(
        "Framework {} v{} · levels 0 ({}) to {} ({})",
        fw.id(),
        fw.version(),
        labels.first().map_or("", String::as_str),
        max_level,
        labels.last().map_or("", String::as_str)
    );
    area.draw(&Text::new(
        footer,
        ((w / 2.0) as i32, (h - px(10.0)) as i32),
        font(px(13.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))?;

    // Axis labels, measured first so the radar gets all the room they leave.
    let label_size = px(16.0);
    let line_height = label_size * 1.25;
    let unmet = |d: Domain| {
        let need = views.needs.get(d);
        let short = |offer: Option<f64>| matches!((need, offer), (Some(n), Some(o)) if o < n);
        short(views.readiness.get(d)) || short(views.confidence.get(d))
    };
    let mut blocks: Vec<(Vec<String>, bool)> = Vec::new();
    let mut widest_side = 0f64;
    for d in Domain::ALL {
        let mut lines = wrap(d.name(), if d == Domain::Cl { 30 } else { 18 });
        if unmet(d) {
            lines[0] = format!("⚠ {}", lines[0]);
        }
        for (value, what) in [
            (views.needs.get(d), "needs"),
            (views.readiness.get(d), "readiness"),
            (views.confidence.get(d), "confidence"),
        ] {
            if value.is_none() {
                lines.push(format!("{what} not assessed"));
            }
        }
        if d != Domain::Cl {
            for line in &lines {
                let (lw, _) = area.estimate_text_size(line, &font(label_size, INK, true))?;
                widest_side = widest_side.max(f64::from(lw));
            }
        }
        blocks.push((lines, unmet(d)));
    }
    let lines_of = |d: Domain| blocks[d.index()].0.len() as f64 * line_height;
    let top_labels = lines_of(Domain::Cl);
    let bottom_labels = lines_of(Domain::Sp).max(lines_of(Domain::Semh));

    let warn_row = blocks.iter().any(|(_, warn)| *warn);
    let legend_entries = 3 + usize::from(views.previous.is_some());
    let row = px(26.0);
    let legend_height = row * (legend_entries.div_ceil(2) + usize::from(warn_row)) as f64;
    let (body_top, body_bottom) = (px(56.0), h - px(34.0));
    let gap = px(14.0);
    // cos 18° = 0.951: the side axes reach that far out; the lower ones sit at
    // sin 54° = 0.809 of the radius below the centre.
    let radius_w = (w / 2.0 - widest_side - gap - px(12.0)) / 0.951;
    let radius_h =
        (body_bottom - body_top - legend_height - top_labels - bottom_labels - 3.0 * gap) / 1.809;
    let radius = radius_w.min(radius_h).max(px(40.0));
    let block = top_labels + gap + 1.809 * radius + gap + bottom_labels + gap + legend_height;
    let block_top = body_top + ((body_bottom - body_top - block) / 2.0).max(0.0);
    let cy = block_top + top_labels + gap + radius;
    let legend_top = cy + 0.809 * radius + gap + bottom_labels + gap;
    let geo = Geometry {
        cx: w / 2.0,
        cy,
        radius,
        max_level: f64::from(max_level),
    };

    // Rings at every level, spokes, and level numbers up the first axis.
    for level in 1..=max_level {
        let r = radius * f64::from(level) / f64::from(max_level);
        let mut ring: Vec<(i32, i32)> = Domain::ALL.iter().map(|&d| geo.at(d, r)).collect();
        ring.push(ring[0]);
        area.draw(&PathElement::new(ring, GRID.stroke_width(1)))?;
    }
    for d in Domain::ALL {
        area.draw(&PathElement::new(
            vec![geo.at(d, 0.0), geo.at(d, radius)],
            GRID.stroke_width(1),
        ))?;
    }
    for level in 0..=max_level {
        let (x, y) = geo.at(Domain::Cl, radius * f64::from(level) / f64::from(max_level));
        let number = font(px(13.0), MUTED, false).pos(Pos::new(HPos::Right, VPos::Center));
        area.draw(&Text::new(
            level.to_string(),
            (x - px(14.0) as i32, y),
            number,
        ))?;
    }

    // Fills under the lines, then the lines: confidence, readiness, needs on top.
    let layers = [
        (Some(&views.confidence), CONFIDENCE_LOOK),
        (Some(&views.readiness), READINESS_LOOK),
        (views.previous.as_ref(), PREVIOUS_LOOK),
        (Some(&views.needs), NEEDS_LOOK),
    ];
    for (values, look) in layers {
        if let (Some(values), true) = (values, look.fill) {
            if values.is_complete() {
                let points: Vec<_> = Domain::ALL
                    .iter()
                    .map(|&d| geo.vertex(d, values.get(d).unwrap_or(0.0)))
                    .collect();
                area.draw(&Polygon::new(points, look.color.mix(0.12).filled()))?;
            }
        }
    }
    for (values, look) in layers {
        if let Some(values) = values {
            draw_line(area, &geo, values, look, scale)?;
        }
    }

    // Labels, anchored away from the centre.
    for (d, (lines, warn)) in Domain::ALL.into_iter().zip(&blocks) {
        let a = Geometry::angle(d);
        let (x, y) = geo.at(d, radius + gap);
        let h_pos = if a.cos() > 0.3 {
            HPos::Left
        } else if a.cos() < -0.3 {
            HPos::Right
        } else {
            HPos::Center
        };
        let block = line_height * lines.len() as f64;
        let first_y = if a.sin() < -0.3 {
            f64::from(y) - block
        } else if a.sin() > 0.3 {
            f64::from(y)
        } else {
            f64::from(y) - block / 2.0
        };
        for (i, line) in lines.iter().enumerate() {
            let note = line.ends_with("not assessed");
            let look = if note {
                font(label_size * 0.85, MUTED, false)
            } else if *warn {
                font(label_size, WARNING, true)
            } else {
                font(label_size, INK, false)
            };
            let ly = first_y + line_height * i as f64;
            area.draw(&Text::new(
                line.clone(),
                (x, ly as i32),
                look.pos(Pos::new(h_pos, VPos::Top)),
            ))?;
        }
    }

    // An all-zero radar is a dot at the centre: say in words what it means.
    if views.needs.is_complete() && Domain::ALL.iter().all(|&d| views.needs.get(d) == Some(0.0)) {
        let text = format!(
            "Needs at 0 in every domain: {}",
            labels.first().map_or("no need", String::as_str)
        );
        let at = (geo.cx as i32, (geo.cy + px(22.0)) as i32);
        area.draw(&Text::new(
            text,
            at,
            font(px(15.0), INK, true).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }

    // Legend under the radar: one entry per line drawn.
    let mut entries: Vec<(String, LineLook)> = vec![
        (
            if views.mean { "Mean needs" } else { "Needs" }.to_owned(),
            NEEDS_LOOK,
        ),
        (
            if views.mean {
                "Mean setting readiness"
            } else {
                "Setting readiness"
            }
            .to_owned(),
            READINESS_LOOK,
        ),
        (
            if views.mean {
                "Mean family confidence"
            } else {
                "Family confidence"
            }
            .to_owned(),
            CONFIDENCE_LOOK,
        ),
    ];
    if views.previous.is_some() {
        let when = style
            .previous_date
            .map_or(String::new(), |d| format!(", {d}"));
        entries.push((format!("Needs at last review{when}"), PREVIOUS_LOOK));
    }
    let sample = px(44.0);
    let column_width = (w - px(80.0)) / 2.0;
    for (i, (text, look)) in entries.iter().enumerate() {
        let x0 = px(40.0) + column_width * (i % 2) as f64;
        let y0 = legend_top + row * (i / 2) as f64 + row / 2.0;
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
            text.clone(),
            ((x0 + sample + px(10.0)) as i32, y0 as i32),
            text_style,
        ))?;
    }
    if warn_row {
        let y = legend_top + row * entries.len().div_ceil(2) as f64 + row / 2.0;
        let note = if views.mean {
            "⚠ mean need above mean setting readiness or family confidence"
        } else {
            "⚠ need not met by the setting or the family"
        };
        let note_style = font(px(14.0), WARNING, true).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(note, ((w / 2.0) as i32, y as i32), note_style))?;
    }
    Ok(())
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
    }
}
