//! The forest chart of an impact analysis (§16): per domain, one row for a
//! rise in the setting's readiness and one for a rise in the family's
//! confidence, each with the effect (how much more the need fell afterwards
//! than for comparable children whose support did not rise) and its 95 %
//! interval, a zero line, the counts compared, and what left of zero means.
//! The footer says that this is an observational comparison, not proof of
//! cause.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use vsend_core::{Domain, Effect, Framework, Impact, Support};

use crate::render::{self, font, svg_to_png, thousands, CONFIDENCE, GRID, INK, MUTED, READINESS};
use crate::Result;

/// Size and title of a forest chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestStyle {
    /// Width in pixels, 100 to 8000.
    pub width: u32,
    /// Height in pixels, 100 to 8000.
    pub height: u32,
    /// The title; `None` for "Did needs fall more where support rose?".
    pub title: Option<String>,
}

impl Default for ForestStyle {
    /// 1400 × 1000 px with the default title.
    fn default() -> Self {
        ForestStyle {
            width: 1400,
            height: 1000,
            title: None,
        }
    }
}

/// Draws the forest chart of `impact` as SVG.
///
/// ```
/// use vsend_core::{impact, Framework, Histories, ImpactOptions};
/// use vsend_core::history::Keep;
/// use vsend_chart::{forest_chart, ForestStyle};
/// let fw = Framework::default();
/// let histories = Histories::new(Keep::levels(&fw));
/// let i = impact(&fw, &histories, &ImpactOptions { as_of: vsend_core::parse_date("2025-01-01"), ..ImpactOptions::default() }).unwrap();
/// let svg = forest_chart(&fw, &i, &ForestStyle::default()).unwrap();
/// assert!(svg.contains("not proof of cause"));
/// ```
pub fn forest_chart(fw: &Framework, impact: &Impact, style: &ForestStyle) -> Result<String> {
    render::draw_svg(style.width, style.height, |root| {
        draw(root, fw, impact, style)
    })
}

/// [`forest_chart`] as PNG bytes.
pub fn forest_chart_png(fw: &Framework, impact: &Impact, style: &ForestStyle) -> Result<Vec<u8>> {
    svg_to_png(&forest_chart(fw, impact, style)?)
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// An effect as printed, two decimals and a true minus sign: −0.23, +0.04;
/// three where two would show a value that is not 0 as 0 (−0.004).
fn signed(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let s = if x.abs() < 0.005 {
        format!("{:.3}", x.abs())
    } else {
        format!("{:.2}", x.abs())
    };
    if s == "0.000" {
        "0".to_owned()
    } else if x < 0.0 {
        format!("−{s}")
    } else {
        format!("+{s}")
    }
}

/// The x scale's half-width: the widest interval, rounded up to a quarter
/// level, at least half a level.
fn half_width(impact: &Impact) -> f64 {
    let widest = Support::ALL
        .into_iter()
        .flat_map(|s| Domain::ALL.map(move |d| (s, d)))
        .map(|(s, d)| impact.support.get(s, d))
        .flat_map(|e| [e.effect, e.low, e.high])
        .flatten()
        .map(f64::abs)
        .fold(0.0f64, f64::max);
    ((widest * 1.08) / 0.25).ceil().max(2.0) * 0.25
}

/// Where everything goes: columns left to right (domain, support, the
/// plot, the numbers, the counts) and rows top to bottom (two per domain).
struct Layout {
    /// The scale of every length (drawn for 1400 × 1000).
    s: f64,
    w: f64,
    label_right: f64,
    plot_left: f64,
    plot_right: f64,
    numbers_left: f64,
    counts_left: f64,
    /// The first row's top, the x axis and the footer's top.
    top: f64,
    axis_y: f64,
    footer_top: f64,
    row_h: f64,
    block_h: f64,
    block_gap: f64,
    /// The x scale runs from `-half` to `half` levels.
    half: f64,
}

impl Layout {
    fn new(style: &ForestStyle, impact: &Impact) -> Layout {
        let (w, h) = (f64::from(style.width), f64::from(style.height));
        let s = (w / 1400.0).min(h / 1000.0).max(0.3);
        let px = |x: f64| x * s;
        let plot_right = w - px(450.0);
        let numbers_left = plot_right + px(24.0);
        let top = px(150.0);
        let footer_top = h - px(112.0);
        let axis_y = footer_top - px(62.0);
        let block_gap = px(10.0);
        let rows = Domain::ALL.len() * 2;
        let row_h = (axis_y - top - block_gap * Domain::ALL.len() as f64) / rows as f64;
        Layout {
            s,
            w,
            label_right: px(380.0),
            plot_left: px(400.0),
            plot_right,
            numbers_left,
            counts_left: numbers_left + px(196.0),
            top,
            axis_y,
            footer_top,
            row_h,
            block_h: 2.0 * row_h + block_gap,
            block_gap,
            half: half_width(impact),
        }
    }

    fn px(&self, x: f64) -> f64 {
        x * self.s
    }

    /// Where effect `v` (in levels) goes on the plot.
    fn x_of(&self, v: f64) -> f64 {
        self.plot_left
            + (self.plot_right - self.plot_left)
                * ((v + self.half) / (2.0 * self.half)).clamp(0.0, 1.0)
    }

    /// The top of domain `d`'s block of two rows.
    fn block_top(&self, d: Domain) -> f64 {
        self.top + self.block_h * d.index() as f64
    }
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    impact: &Impact,
    style: &ForestStyle,
) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let at = Layout::new(style, impact);
    heading(area, &at, fw, impact, style)?;
    column_heads(area, &at)?;
    // Every other domain on a faint band, so its two rows read together.
    for d in Domain::ALL {
        if d.index() % 2 == 0 {
            let y0 = at.block_top(d);
            area.draw(&Rectangle::new(
                [
                    (at.px(16.0) as i32, y0 as i32),
                    (
                        (at.w - at.px(16.0)) as i32,
                        (y0 + at.block_h - at.block_gap / 2.0) as i32,
                    ),
                ],
                RGBColor(243, 243, 243).filled(),
            ))?;
        }
    }
    scale(area, &at)?;
    for d in Domain::ALL {
        domain_block(area, &at, impact, d)?;
    }
    footer(area, &at, fw, impact)
}

/// The title and the two lines saying what is compared.
fn heading<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: &Layout,
    fw: &Framework,
    impact: &Impact,
    style: &ForestStyle,
) -> Drawn<DB> {
    let title = style
        .title
        .clone()
        .unwrap_or_else(|| "Did needs fall more where support rose?".to_owned());
    area.draw(&Text::new(
        title,
        ((at.w / 2.0) as i32, at.px(14.0) as i32),
        font(at.px(28.0), INK, true).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let rise = render::number(fw.meaningful_change());
    let subtitle = [
        format!(
            "Reviews up to {}: where a setting's readiness or a family's confidence rose by {rise} level{} or more between two reviews,",
            impact.as_of,
            if fw.meaningful_change() == 1.0 { "" } else { "s" }
        ),
        "how the need changed by the next review, against children who started at the same levels and whose support did not rise"
            .to_owned(),
    ];
    for (i, line) in subtitle.into_iter().enumerate() {
        area.draw(&Text::new(
            line,
            (
                (at.w / 2.0) as i32,
                (at.px(54.0) + at.px(21.0) * i as f64) as i32,
            ),
            font(at.px(16.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// The heads of the five columns.
fn column_heads<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, at: &Layout) -> Drawn<DB> {
    let head = |text: &str, x: f64, anchor: HPos| {
        Text::new(
            text.to_owned(),
            (x as i32, (at.top - at.px(12.0)) as i32),
            font(at.px(14.0), MUTED, true).pos(Pos::new(anchor, VPos::Bottom)),
        )
    };
    area.draw(&head("Domain", at.px(30.0), HPos::Left))?;
    area.draw(&head(
        "Support that rose",
        at.label_right - at.px(34.0),
        HPos::Right,
    ))?;
    area.draw(&head(
        "Difference in need change (levels)",
        (at.plot_left + at.plot_right) / 2.0,
        HPos::Center,
    ))?;
    area.draw(&head("Effect (95 % interval)", at.numbers_left, HPos::Left))?;
    area.draw(&head("Rises compared", at.counts_left, HPos::Left))
}

/// The grid and its numbers, the zero line over them, the x axis and what
/// each side of zero means.
fn scale<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, at: &Layout) -> Drawn<DB> {
    let step = if at.half > 1.5 { 0.5 } else { 0.25 };
    let ticks = (at.half / step).round() as i32;
    for k in -ticks..=ticks {
        let v = f64::from(k) * step;
        let x = at.x_of(v) as i32;
        area.draw(&PathElement::new(
            vec![(x, at.top as i32), (x, at.axis_y as i32)],
            GRID.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            signed(v),
            (x, (at.axis_y + at.px(6.0)) as i32),
            font(at.px(13.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    let zero = at.x_of(0.0) as i32;
    area.draw(&PathElement::new(
        vec![
            (zero, (at.top - at.px(4.0)) as i32),
            (zero, at.axis_y as i32),
        ],
        INK.stroke_width(2),
    ))?;
    area.draw(&PathElement::new(
        vec![
            (at.plot_left as i32, at.axis_y as i32),
            (at.plot_right as i32, at.axis_y as i32),
        ],
        MUTED.stroke_width(1),
    ))?;
    let below = at.axis_y + at.px(28.0);
    area.draw(&Text::new(
        "← left of zero: needs fell more after support rose",
        ((zero as f64 - at.px(10.0)) as i32, below as i32),
        font(at.px(15.0), INK, true).pos(Pos::new(HPos::Right, VPos::Top)),
    ))?;
    area.draw(&Text::new(
        "right of zero: needs fell less →",
        ((zero as f64 + at.px(10.0)) as i32, below as i32),
        font(at.px(15.0), INK, false).pos(Pos::new(HPos::Left, VPos::Top)),
    ))
}

/// Domain `d`'s block: its name, then a row per support with its marker,
/// effect and interval, numbers and counts.
fn domain_block<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: &Layout,
    impact: &Impact,
    d: Domain,
) -> Drawn<DB> {
    let px = |x| at.px(x);
    let y0 = at.block_top(d);
    let name = render::wrap(d.name(), 24);
    let line_h = px(20.0);
    let first = y0 + at.row_h - line_h * (name.len() as f64 - 1.0) / 2.0;
    for (i, line) in name.iter().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (px(30.0) as i32, (first + line_h * i as f64) as i32),
            font(px(16.0), INK, true).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    for (r, support) in Support::ALL.into_iter().enumerate() {
        let y = y0 + at.row_h * (r as f64 + 0.5);
        let e = impact.support.get(support, d);
        let (name, color) = match support {
            Support::Readiness => ("Setting readiness", READINESS),
            Support::Confidence => ("Family confidence", CONFIDENCE),
        };
        area.draw(&Text::new(
            name,
            ((at.label_right - px(34.0)) as i32, y as i32),
            font(px(15.0), INK, false).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        marker(area, support, color, ((at.label_right - px(16.0)), y), at.s)?;
        effect_row(area, e, support, color, y, at.s, &|v| at.x_of(v))?;
        let (numbers, counts) = describe(e);
        area.draw(&Text::new(
            numbers,
            (at.numbers_left as i32, y as i32),
            font(px(15.0), INK, e.effect.is_some()).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        area.draw(&Text::new(
            counts,
            (at.counts_left as i32, y as i32),
            font(px(13.0), MUTED, false).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The footer: not proof of cause, how the effect and its interval were
/// found, what the counts are.
fn footer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: &Layout,
    fw: &Framework,
    impact: &Impact,
) -> Drawn<DB> {
    let footer = [
        (
            "An observational comparison, not proof of cause: children whose support rose may differ in ways the reviews do not record."
                .to_owned(),
            true,
        ),
        (
            format!(
                "Effect: how much more (or less) the need fell by the next review after a rise than for children who started at the same two levels without one. \
                 Intervals: 95 % of {} resamplings of the {} (seed {}).",
                impact.replicates,
                render::children(impact.children),
                impact.seed
            ),
            false,
        ),
        (
            format!(
                "Rises compared: the rises with children at the same levels to compare with (of all rises), and the times support did not rise at those levels. \
                 Framework {} v{}.",
                fw.id(),
                fw.version()
            ),
            false,
        ),
    ];
    for (i, (text, strong)) in footer.into_iter().enumerate() {
        area.draw(&Text::new(
            text,
            (
                at.px(24.0) as i32,
                (at.footer_top + at.px(20.0) + at.px(24.0) * i as f64) as i32,
            ),
            font(at.px(14.0), if strong { INK } else { MUTED }, strong)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// The numbers and counts of one row.
fn describe(e: &Effect) -> (String, String) {
    let numbers = match (e.effect, e.low, e.high) {
        (Some(x), Some(lo), Some(hi)) => {
            format!("{} ({} to {})", signed(x), signed(lo), signed(hi))
        }
        (Some(x), _, _) => format!("{} (no interval)", signed(x)),
        (None, _, _) => "not estimated".to_owned(),
    };
    let counts = match (e.exposed, e.matched) {
        (0, _) => "no rises".to_owned(),
        (n, m) if m == n => format!("{} vs {} without", thousands(n), thousands(e.comparison)),
        (n, m) => format!(
            "{} of {} vs {} without",
            thousands(m),
            thousands(n),
            thousands(e.comparison)
        ),
    };
    (numbers, counts)
}

/// One effect: its interval as a line with end caps, its value as the
/// support's marker; "no comparison" where there is none.
fn effect_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    e: &Effect,
    support: Support,
    color: RGBColor,
    y: f64,
    s: f64,
    x_of: &dyn Fn(f64) -> f64,
) -> Drawn<DB> {
    let px = |x: f64| x * s;
    let Some(effect) = e.effect else {
        let note = if e.exposed == 0 {
            "no rise in support"
        } else {
            "no comparable children"
        };
        return area.draw(&Text::new(
            note,
            ((x_of(0.0) + px(14.0)) as i32, y as i32),
            font(px(13.0), MUTED, false).pos(Pos::new(HPos::Left, VPos::Center)),
        ));
    };
    if let (Some(lo), Some(hi)) = (e.low, e.high) {
        let (x0, x1) = (x_of(lo), x_of(hi));
        let stroke = color.stroke_width(px(3.0).round().max(1.0) as u32);
        area.draw(&PathElement::new(
            vec![(x0 as i32, y as i32), (x1 as i32, y as i32)],
            stroke,
        ))?;
        for x in [x0, x1] {
            area.draw(&PathElement::new(
                vec![
                    (x as i32, (y - px(7.0)) as i32),
                    (x as i32, (y + px(7.0)) as i32),
                ],
                stroke,
            ))?;
        }
    }
    marker(area, support, color, (x_of(effect), y), s * 1.3)
}

/// Readiness a square, confidence a diamond, each filled and outlined dark.
fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    support: Support,
    color: RGBColor,
    (x, y): (f64, f64),
    s: f64,
) -> Drawn<DB> {
    let r = 6.5 * s;
    let at = |dx: f64, dy: f64| ((x + dx * r) as i32, (y + dy * r) as i32);
    let shape = match support {
        Support::Readiness => vec![at(-0.9, -0.9), at(0.9, -0.9), at(0.9, 0.9), at(-0.9, 0.9)],
        Support::Confidence => vec![at(0.0, -1.25), at(1.25, 0.0), at(0.0, 1.25), at(-1.25, 0.0)],
    };
    area.draw(&Polygon::new(shape.clone(), color.filled()))?;
    let mut outline = shape;
    outline.push(outline[0]);
    area.draw(&PathElement::new(
        outline,
        INK.stroke_width((1.5 * s).round().max(1.0) as u32),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_carry_their_sign() {
        assert_eq!(signed(-0.229), "−0.23");
        assert_eq!(signed(0.04), "+0.04");
        assert_eq!(signed(-0.5), "−0.50");
        assert_eq!(signed(0.0), "0");
        assert_eq!(signed(-0.004), "−0.004");
        assert_eq!(signed(0.0001), "0");
    }
}
