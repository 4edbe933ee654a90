//! Comparison of summaries (§14): per domain, each summary's mean need and
//! the share of its children whose need the setting meets, as grouped bars in
//! small multiples (one panel per domain, one row per figure). The first
//! summary is the reference: drawn in dark grey, with a dashed line across
//! each panel at its value. Every value is printed; a null is drawn as an
//! empty outlined bar saying "suppressed" or "no data", never as 0.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;
use vsend_core::{Date, Domain, Framework, PerDomain, Suppression};

use crate::render::{self, font, svg_to_png, wrap, GRID, INK, MUTED};
use crate::Result;

/// One summary to compare, in plain values (the `all` group of a §8 summary).
#[derive(Debug, Clone, PartialEq)]
pub struct ComparedSummary {
    /// Its label, e.g. the file stem: a council, a setting or a term.
    pub label: String,
    /// The summary's `as_of` date.
    pub as_of: Option<Date>,
    /// The `all` group's children; `None` when suppressed.
    pub children: Option<u64>,
    /// Per domain, the mean need; `None` when suppressed or over no children.
    pub mean_need: PerDomain<Option<f64>>,
    /// Per domain, the share (0 to 1) of children whose setting readiness
    /// meets their need; `None` when suppressed or over no children.
    pub met_by_setting: PerDomain<Option<f64>>,
    /// The summary's `suppression` (K and B, §14) if it was shared: its
    /// counts are rounded, which the legend says, and a null is labelled
    /// "suppressed" rather than "no data".
    pub suppression: Option<Suppression>,
}

/// Size and title of a comparison chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonStyle {
    /// Width in pixels, 100 to 8000.
    pub width: u32,
    /// Height in pixels, 100 to 8000.
    pub height: u32,
    /// The title line.
    pub title: String,
}

impl Default for ComparisonStyle {
    /// 1100 × 760 px titled "Comparison".
    fn default() -> Self {
        ComparisonStyle {
            width: 1100,
            height: 760,
            title: "Comparison".into(),
        }
    }
}

/// One summary's legend entry: label, date, children, whether it was shared.
fn legend_text(sm: &ComparedSummary, reference: bool) -> String {
    let mut text = sm.label.clone();
    if let Some(d) = sm.as_of {
        text.push_str(&format!(" · as of {d}"));
    }
    text.push_str(&match sm.children {
        Some(n) => format!(" · {n} children"),
        None => " · children suppressed".to_owned(),
    });
    if let Some(s) = sm.suppression {
        text.push_str(&format!(
            " · shared: counts under {} suppressed, others rounded to {}s",
            s.min_count(),
            s.round_to()
        ));
    }
    if reference {
        text.push_str(" (reference)");
    }
    text
}

/// The most summaries one comparison chart draws: one colour each, the
/// reference's never reused, and a legend that stays below the panels.
pub const MAX_COMPARED: usize = 8;

/// The reference in dark grey, then Okabe–Ito colours: one per summary.
const SERIES: [RGBColor; MAX_COMPARED] = [
    RGBColor(80, 80, 80),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(0, 114, 178),
    RGBColor(240, 228, 66),
];

/// Draws the comparison as SVG. The first summary is the reference.
pub fn comparison_chart(
    fw: &Framework,
    summaries: &[ComparedSummary],
    style: &ComparisonStyle,
) -> Result<String> {
    if summaries.len() > MAX_COMPARED {
        return Err(crate::ChartError::TooManySummaries {
            given: summaries.len(),
            max: MAX_COMPARED,
        });
    }
    render::draw_svg(style.width, style.height, |root| {
        draw(root, fw, summaries, style)
    })
}

/// [`comparison_chart`] as PNG bytes.
pub fn comparison_chart_png(
    fw: &Framework,
    summaries: &[ComparedSummary],
    style: &ComparisonStyle,
) -> Result<Vec<u8>> {
    svg_to_png(&comparison_chart(fw, summaries, style)?)
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// One row of panels: a figure, its scale and how its values read.
struct Figure {
    caption: &'static str,
    max: f64,
    /// Grid values and their labels.
    ticks: Vec<(f64, String)>,
    value: fn(&ComparedSummary, Domain) -> Option<f64>,
    format: fn(f64) -> String,
}

/// The page's geometry: its size and the scale of every length (drawn for
/// 1100 × 760 and scaled to the page).
#[derive(Clone, Copy)]
struct Page {
    w: f64,
    h: f64,
    s: f64,
}

impl Page {
    fn of(style: &ComparisonStyle) -> Page {
        let (w, h) = (f64::from(style.width), f64::from(style.height));
        Page {
            w,
            h,
            s: (w / 1100.0).min(h / 760.0).max(0.4),
        }
    }

    /// A length of the 1100 × 760 design, on this page.
    fn px(self, x: f64) -> f64 {
        x * self.s
    }

    /// The point at the page's middle, `y` down.
    fn centre(self, y: f64) -> (i32, i32) {
        ((self.w / 2.0) as i32, y as i32)
    }
}

/// Where the panels of one figure's row go.
struct Row {
    /// The plot's top and bottom (the bars' full height).
    plot_top: f64,
    plot_bottom: f64,
    /// The left edge of the first panel and each panel's width.
    left: f64,
    panel_width: f64,
}

impl Row {
    /// The height of `v` on `figure`'s scale.
    fn y_of(&self, figure: &Figure, v: f64) -> f64 {
        self.plot_bottom
            - (self.plot_bottom - self.plot_top) * v.clamp(0.0, figure.max) / figure.max
    }
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    summaries: &[ComparedSummary],
    style: &ComparisonStyle,
) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let page = Page::of(style);
    area.draw(&Text::new(
        style.title.clone(),
        page.centre(page.px(14.0)),
        font(page.px(24.0), INK, true).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let legend_bottom = legend(area, page, summaries)?;

    let figures = figures(fw);
    let footer_top = page.h - page.px(30.0);
    let rows_top = legend_bottom + page.px(10.0);
    let row_height = (footer_top - rows_top) / figures.len() as f64;
    for (r, figure) in figures.iter().enumerate() {
        let top = rows_top + row_height * r as f64;
        figure_row(area, page, figure, summaries, top, row_height)?;
    }

    area.draw(&Text::new(
        format!(
            "Framework {} v{} · levels 0 to {} · dashed line: the reference's value · \
             an empty bar is a value that is suppressed or has no data, not 0",
            fw.id(),
            fw.version(),
            fw.scale().max_level()
        ),
        page.centre(page.h - page.px(10.0)),
        font(page.px(12.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))?;
    Ok(())
}

/// The two rows of panels: mean need on the framework's scale, and the
/// share met by the setting.
fn figures(fw: &Framework) -> [Figure; 2] {
    [
        Figure {
            caption: "Mean need (higher = more need)",
            max: f64::from(fw.scale().max_level()),
            ticks: (0..=fw.scale().max_level())
                .map(|l| (f64::from(l), l.to_string()))
                .collect(),
            value: |sm, d| sm.mean_need[d],
            // Two decimals on every bar, so 1.00 and 1.08 read alike.
            format: |v| format!("{v:.2}"),
        },
        Figure {
            caption: "Met by setting: children whose setting readiness meets their need",
            max: 1.0,
            ticks: [0.0, 0.25, 0.5, 0.75, 1.0]
                .map(|v| (v, format!("{:.0}%", v * 100.0)))
                .to_vec(),
            value: |sm, d| sm.met_by_setting[d],
            format: |v| format!("{:.0}%", v * 100.0),
        },
    ]
}

/// The legend, one entry per summary: two to a row when every entry fits
/// half the width, else one to a row. Returns where it ends.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    page: Page,
    summaries: &[ComparedSummary],
) -> std::result::Result<f64, DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |x| page.px(x);
    let legend_top = px(54.0);
    let legend_row = px(24.0);
    let texts: Vec<String> = summaries
        .iter()
        .enumerate()
        .map(|(i, sm)| legend_text(sm, i == 0))
        .collect();
    let mut widest = 0.0f64;
    for (i, text) in texts.iter().enumerate() {
        let (tw, _) = area.estimate_text_size(text, &font(px(14.0), INK, i == 0))?;
        widest = widest.max(f64::from(tw));
    }
    let half = (page.w - px(80.0)) / 2.0;
    let per_row = if widest + px(34.0) <= half { 2 } else { 1 };
    for (i, text) in texts.into_iter().enumerate() {
        let colour = SERIES[i];
        let x = px(40.0) + half * (i % per_row) as f64;
        let y = legend_top + legend_row * (i / per_row) as f64;
        area.draw(&Rectangle::new(
            [
                (x as i32, (y - px(7.0)) as i32),
                ((x + px(22.0)) as i32, (y + px(7.0)) as i32),
            ],
            colour.filled(),
        ))?;
        area.draw(&Text::new(
            text,
            ((x + px(30.0)) as i32, y as i32),
            font(px(14.0), INK, i == 0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(legend_top + legend_row * summaries.len().div_ceil(per_row) as f64)
}

/// One figure's row: its caption, the grid and scale across all five
/// panels, then per domain its name, the reference's dashed line and the bars.
fn figure_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    page: Page,
    figure: &Figure,
    summaries: &[ComparedSummary],
    top: f64,
    row_height: f64,
) -> Drawn<DB> {
    let px = |x| page.px(x);
    area.draw(&Text::new(
        figure.caption,
        ((page.w / 2.0) as i32, (top + px(4.0)) as i32),
        font(px(17.0), INK, true).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let names_top = top + px(30.0);
    let left = px(56.0);
    let row = Row {
        plot_top: names_top + px(40.0) + px(18.0),
        plot_bottom: top + row_height - px(12.0),
        left,
        panel_width: (page.w - left - px(20.0)) / 5.0,
    };
    for (v, label) in &figure.ticks {
        let y = row.y_of(figure, *v) as i32;
        area.draw(&PathElement::new(
            vec![(left as i32, y), ((page.w - px(20.0)) as i32, y)],
            GRID.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            label.clone(),
            ((left - px(6.0)) as i32, y),
            font(px(12.0), MUTED, false).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    for d in Domain::ALL {
        panel(area, page, figure, summaries, &row, d, names_top)?;
    }
    area.draw(&PathElement::new(
        vec![
            (left as i32, row.plot_bottom as i32),
            ((page.w - px(20.0)) as i32, row.plot_bottom as i32),
        ],
        MUTED.stroke_width(1),
    ))
}

/// One domain's panel in a row: its name, the reference's value dashed
/// across the panel under the bars, and a bar per summary.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    page: Page,
    figure: &Figure,
    summaries: &[ComparedSummary],
    row: &Row,
    d: Domain,
    names_top: f64,
) -> Drawn<DB> {
    let px = |x| page.px(x);
    let x0 = row.left + row.panel_width * d.index() as f64;
    let pad = row.panel_width * 0.08;
    for (i, line) in wrap(d.name(), 22).iter().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (
                (x0 + row.panel_width / 2.0) as i32,
                (names_top + px(17.0) * i as f64) as i32,
            ),
            font(px(14.0), INK, false).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    if let Some(v) = summaries.first().and_then(|sm| (figure.value)(sm, d)) {
        let y = row.y_of(figure, v) as i32;
        area.draw(&DashedPathElement::new(
            vec![
                ((x0 + pad * 0.5) as i32, y),
                ((x0 + row.panel_width - pad * 0.5) as i32, y),
            ],
            5,
            4,
            SERIES[0].stroke_width(1),
        ))?;
    }
    let k = summaries.len().max(1) as f64;
    let bar_width = (row.panel_width - 2.0 * pad) / k;
    for (i, sm) in summaries.iter().enumerate() {
        let bx0 = x0 + pad + bar_width * i as f64 + bar_width * 0.1;
        let bx1 = bx0 + bar_width * 0.8;
        match (figure.value)(sm, d) {
            Some(v) => bar(area, page, figure, row, i, (bx0, bx1), v)?,
            None => missing_bar(area, page, row, i, (bx0, bx1), sm.suppression.is_some())?,
        }
    }
    Ok(())
}

/// Summary `i`'s bar at `v`, its value printed above it on a white halo so
/// the reference line cannot strike it out.
fn bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    page: Page,
    figure: &Figure,
    row: &Row,
    i: usize,
    (bx0, bx1): (f64, f64),
    v: f64,
) -> Drawn<DB> {
    let mid = ((bx0 + bx1) / 2.0) as i32;
    let y = row.y_of(figure, v);
    area.draw(&Rectangle::new(
        [(bx0 as i32, y as i32), (bx1 as i32, row.plot_bottom as i32)],
        SERIES[i].filled(),
    ))?;
    let label = font(page.px(12.0), INK, i == 0);
    let text = (figure.format)(v);
    let (tw, th) = area.estimate_text_size(&text, &label)?;
    let (hw, th) = (tw as i32 / 2 + 2, th as i32);
    let base = (y - page.px(3.0)) as i32;
    area.draw(&Rectangle::new(
        [(mid - hw, base - th - 1), (mid + hw, base + 1)],
        WHITE.filled(),
    ))?;
    area.draw(&Text::new(
        text,
        (mid, base),
        label.pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))
}

/// Summary `i`'s missing value: an empty outline the full height, saying
/// why ("suppressed" in a shared summary, else "no data"), never a 0.
fn missing_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    page: Page,
    row: &Row,
    i: usize,
    (bx0, bx1): (f64, f64),
    suppressed: bool,
) -> Drawn<DB> {
    let mid = ((bx0 + bx1) / 2.0) as i32;
    area.draw(&Rectangle::new(
        [
            (bx0 as i32, row.plot_top as i32),
            (bx1 as i32, row.plot_bottom as i32),
        ],
        SERIES[i].mix(0.6).stroke_width(1),
    ))?;
    let why = if suppressed { "suppressed" } else { "no data" };
    let note = font(page.px(12.0), MUTED, false);
    let (tw, th) = area.estimate_text_size(why, &note)?;
    let cy = ((row.plot_top + row.plot_bottom) / 2.0) as i32;
    let (hw, hh) = (th as i32 / 2 + 1, tw as i32 / 2 + 2);
    area.draw(&Rectangle::new(
        [(mid - hw, cy - hh), (mid + hw, cy + hh)],
        WHITE.filled(),
    ))?;
    area.draw(&Text::new(
        why,
        (mid, cy),
        note.transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}
