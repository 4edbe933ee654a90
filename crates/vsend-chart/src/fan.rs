//! The fan chart of a projection (§15), for place planning: one panel for
//! the children on the caseload and one per domain for those with a high
//! need; x the school year, y children; one line per school phase (and all
//! phases together) with its 95 % interval shaded. The first year is what
//! was observed (filled markers, a shaded column); the later years are
//! projected (open markers). Each line ends in its last year's value and
//! interval. The footer says what the model assumes and, after a back-test,
//! how far off it was against "no change".
//!
//! Phases differ in colour (Okabe–Ito), dash and marker, so the chart reads
//! in grey print and under the common colour blindnesses.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use vsend_core::{Domain, Estimate, Forecast, Framework, ProjectionPhase};

use crate::render::{self, font, svg_to_png, GRID, INK, MUTED};
use crate::Result;

/// Size and title of a fan chart.
#[derive(Debug, Clone, PartialEq)]
pub struct FanStyle {
    /// Width in pixels, 100 to 8000.
    pub width: u32,
    /// Height in pixels, 100 to 8000.
    pub height: u32,
    /// The title; `None` for "Projected caseload and high needs by school phase".
    pub title: Option<String>,
}

impl Default for FanStyle {
    /// 1500 × 1080 px with the default title.
    fn default() -> Self {
        FanStyle {
            width: 1500,
            height: 1080,
            title: None,
        }
    }
}

/// Draws the fan chart of `forecast` as SVG.
///
/// ```
/// use vsend_core::{forecast, AssessmentBuilder, ForecastOptions, Framework, Histories};
/// use vsend_core::history::Keep;
/// use vsend_chart::{fan_chart, FanStyle};
/// let fw = Framework::default();
/// let mut histories = Histories::new(Keep::levels(&fw));
/// for (child, on) in [("C1", "2023-10-01"), ("C1", "2024-10-01"), ("C2", "2025-05-01")] {
///     let mut b = AssessmentBuilder::new(&fw);
///     b.child_id(child).assessed_on(on).date_of_birth("2015-01-01").need("cl.literacy", "3");
///     histories.add(&b.build().unwrap()).unwrap();
/// }
/// let f = forecast(&fw, &histories, &ForecastOptions::default()).unwrap();
/// let svg = fan_chart(&fw, &f, &FanStyle::default()).unwrap();
/// assert!(svg.contains("Children on the caseload"));
/// ```
pub fn fan_chart(fw: &Framework, forecast: &Forecast, style: &FanStyle) -> Result<String> {
    render::draw_svg(style.width, style.height, |root| {
        draw(root, fw, forecast, style)
    })
}

/// [`fan_chart`] as PNG bytes.
pub fn fan_chart_png(fw: &Framework, forecast: &Forecast, style: &FanStyle) -> Result<Vec<u8>> {
    svg_to_png(&fan_chart(fw, forecast, style)?)
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// How one phase's line looks.
#[derive(Debug, Clone, Copy)]
struct Look {
    phase: ProjectionPhase,
    name: &'static str,
    color: RGBColor,
    /// Dash and gap in pixels (before scaling); `None` for a solid line.
    dash: Option<(f64, f64)>,
    width: f64,
    marker: Marker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
    Disc,
}

/// Okabe–Ito colours; each phase also has its own dash and marker.
const LOOKS: [Look; 6] = [
    Look {
        phase: ProjectionPhase::EarlyYears,
        name: "Early years (age 0–3)",
        color: RGBColor(230, 159, 0),
        dash: Some((2.0, 4.0)),
        width: 3.0,
        marker: Marker::Circle,
    },
    Look {
        phase: ProjectionPhase::Primary,
        name: "Primary (4–10)",
        color: RGBColor(0, 114, 178),
        dash: None,
        width: 2.5,
        marker: Marker::Square,
    },
    Look {
        phase: ProjectionPhase::Secondary,
        name: "Secondary (11–15)",
        color: RGBColor(0, 158, 115),
        dash: Some((12.0, 5.0)),
        width: 2.5,
        marker: Marker::Triangle,
    },
    Look {
        phase: ProjectionPhase::Post16,
        name: "Post-16 (16–25)",
        color: RGBColor(213, 94, 0),
        dash: Some((6.0, 4.0)),
        width: 2.5,
        marker: Marker::Diamond,
    },
    Look {
        phase: ProjectionPhase::Unknown,
        name: "Age not known",
        color: RGBColor(204, 121, 167),
        dash: Some((3.0, 3.0)),
        width: 2.0,
        marker: Marker::Cross,
    },
    Look {
        phase: ProjectionPhase::All,
        name: "All phases",
        color: RGBColor(30, 30, 30),
        dash: None,
        width: 4.0,
        marker: Marker::Disc,
    },
];

/// A school year as `2021/22`.
fn year_label(y: i16) -> String {
    format!("{y}/{:02}", (i32::from(y) + 1).rem_euclid(100))
}

/// A count as printed: whole above 10, one decimal below.
fn count(x: f64) -> String {
    if x.abs() >= 9.95 {
        let whole = render::thousands(x.abs().round() as u64);
        if x < 0.0 {
            format!("−{whole}")
        } else {
            whole
        }
    } else {
        render::number((x * 10.0).round() / 10.0)
    }
}

/// An average error as printed: two decimals below 10, whole above.
fn figure(x: f64) -> String {
    if x >= 10.0 {
        count(x)
    } else {
        render::number(x)
    }
}

/// A tick step of 1, 2 or 5 × 10^k giving at most `most` steps up to `max`.
fn tick_step(max: f64, most: f64) -> f64 {
    let raw = (max / most).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
        .max(1.0)
}

/// One line of a panel: its look and its value per school year.
struct Series {
    look: Look,
    points: Vec<(i16, Estimate)>,
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fw: &Framework,
    f: &Forecast,
    style: &FanStyle,
) -> Drawn<DB> {
    area.fill(&WHITE)?;
    let (w, h) = (f64::from(style.width), f64::from(style.height));
    let s = (w / 1500.0).min(h / 1080.0).max(0.3);
    let px = |x: f64| x * s;
    let years: Vec<i16> = (0..=f.horizon as i16).map(|h| f.school_year + h).collect();

    // The phases with anyone in them at any year, and all phases together.
    let looks: Vec<Look> = LOOKS
        .into_iter()
        .filter(|look| {
            look.phase == ProjectionPhase::All
                || f.projection
                    .iter()
                    .any(|r| r.phase == look.phase && r.children.expected > 0.0)
        })
        .collect();

    heading(area, (w, s), f, style, &years)?;
    let key_y = legend(area, (w, s), &looks, &years)?;

    // Six panels: children, then high need per domain.
    let footer_lines = footer(fw, f);
    let footer_top = h - px(22.0) * footer_lines.len() as f64 - px(12.0);
    let grid_top = key_y + px(26.0);
    let (columns, rows) = (3usize, 2usize);
    let panel_w = (w - px(20.0)) / columns as f64;
    let panel_h = (footer_top - grid_top) / rows as f64;
    for figure in 0..6 {
        let (col, row) = (figure % columns, figure / columns);
        let x0 = px(10.0) + panel_w * col as f64;
        let y0 = grid_top + panel_h * row as f64;
        let (caption, detail) = captions(fw, figure);
        let series: Vec<Series> = looks
            .iter()
            .map(|&look| Series {
                look,
                points: f
                    .projection
                    .iter()
                    .filter(|r| r.phase == look.phase)
                    .map(|r| {
                        let e = match figure {
                            0 => r.children,
                            _ => r.high_need[Domain::ALL[figure - 1]],
                        };
                        (r.school_year, e)
                    })
                    .collect(),
            })
            .collect();
        panel(
            area,
            (x0, y0, panel_w, panel_h),
            s,
            &caption,
            &detail,
            &years,
            &series,
        )?;
    }

    for (i, text) in footer_lines.into_iter().enumerate() {
        area.draw(&Text::new(
            text,
            (
                px(24.0) as i32,
                (footer_top + px(8.0) + px(22.0) * i as f64) as i32,
            ),
            font(px(14.0), if i == 0 { INK } else { MUTED }, i == 0)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// Panel `figure`'s caption and detail: 0 is the caseload, 1 to 5 high
/// need in each domain.
fn captions(fw: &Framework, figure: usize) -> (String, String) {
    if figure == 0 {
        return (
            "Children on the caseload".to_owned(),
            "all children reviewed in the year".to_owned(),
        );
    }
    let high = fw.high_need_level();
    let high_label = fw
        .scale()
        .labels()
        .get(usize::from(high))
        .map_or(String::new(), |l| l.to_lowercase());
    let d = Domain::ALL[figure - 1];
    (
        format!("High need: {}", d.name()),
        format!(
            "children whose need here is at level {high} ({}){}",
            high_label,
            if high < fw.scale().max_level() {
                " or above"
            } else {
                ""
            }
        ),
    )
}

/// The title and the line saying which years are observed and projected.
fn heading<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (w, s): (f64, f64),
    f: &Forecast,
    style: &FanStyle,
    years: &[i16],
) -> Drawn<DB> {
    let px = |x: f64| x * s;
    let last_year = *years.last().expect("h = 0 is always there");
    let title = style
        .title
        .clone()
        .unwrap_or_else(|| "Projected caseload and high needs by school phase".to_owned());
    area.draw(&Text::new(
        title,
        ((w / 2.0) as i32, px(14.0) as i32),
        font(px(28.0), INK, true).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    area.draw(&Text::new(
        format!(
            "Reviews up to {} · {} observed, then {} projected: the expected number of children, \
             and the range they fall in 95 times in 100 (shaded)",
            f.as_of,
            year_label(f.school_year),
            if f.horizon == 1 {
                year_label(last_year)
            } else {
                format!(
                    "{} to {}",
                    year_label(f.school_year + 1),
                    year_label(last_year)
                )
            }
        ),
        ((w / 2.0) as i32, px(52.0) as i32),
        font(px(16.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
}

/// The legend: one entry per phase drawn, then the key to markers, bands
/// and the numbers at the right. Returns the key's line.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (w, s): (f64, f64),
    looks: &[Look],
    years: &[i16],
) -> std::result::Result<f64, DrawingAreaErrorKind<DB::ErrorType>> {
    let px = |x: f64| x * s;
    let last_year = *years.last().expect("h = 0 is always there");
    let legend_y = px(96.0);
    let entry = (w - px(80.0)) / looks.len().max(1) as f64;
    for (i, look) in looks.iter().enumerate() {
        let x = px(40.0) + entry * i as f64;
        line(area, look, &[(x, legend_y), (x + px(44.0), legend_y)], s)?;
        marker(area, look, (x + px(22.0), legend_y), s, true)?;
        area.draw(&Text::new(
            look.name,
            ((x + px(54.0)) as i32, legend_y as i32),
            font(px(15.0), INK, look.phase == ProjectionPhase::All)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    let key_y = legend_y + px(30.0);
    let key = font(px(14.0), MUTED, false).pos(Pos::new(HPos::Left, VPos::Center));
    let grey = Look {
        color: RGBColor(90, 90, 90),
        ..LOOKS[5]
    };
    let mut x = px(40.0);
    marker(
        area,
        &Look { width: 2.5, ..grey },
        (x + px(6.0), key_y),
        s,
        true,
    )?;
    area.draw(&Text::new(
        "observed",
        ((x + px(18.0)) as i32, key_y as i32),
        key.clone(),
    ))?;
    x += px(110.0);
    marker(
        area,
        &Look { width: 2.5, ..grey },
        (x + px(6.0), key_y),
        s,
        false,
    )?;
    area.draw(&Text::new(
        "projected",
        ((x + px(18.0)) as i32, key_y as i32),
        key.clone(),
    ))?;
    x += px(120.0);
    area.draw(&Rectangle::new(
        [
            (x as i32, (key_y - px(8.0)) as i32),
            ((x + px(30.0)) as i32, (key_y + px(8.0)) as i32),
        ],
        grey.color.mix(0.18).filled(),
    ))?;
    area.draw(&Text::new(
        "95 % interval: the projection's range, from the model's own uncertainty only",
        ((x + px(40.0)) as i32, key_y as i32),
        key.clone(),
    ))?;
    let numbers_note = format!(
        "Numbers at the right: {} expected (interval)",
        year_label(last_year)
    );
    area.draw(&Text::new(
        numbers_note,
        ((w - px(40.0)) as i32, key_y as i32),
        font(px(14.0), MUTED, false).pos(Pos::new(HPos::Right, VPos::Center)),
    ))?;
    Ok(key_y)
}

/// The footer: what the model assumes, its intervals, its back-test.
fn footer(fw: &Framework, f: &Forecast) -> Vec<String> {
    let hist = &f.history;
    let years = |n: u32| {
        if n == 1 {
            "year".to_owned()
        } else {
            format!("{n} years")
        }
    };
    let mut lines = vec![
        "What this assumes".to_owned(),
        format!(
            "Needs change from one year to the next as they did for the {} reviewed over the last {}, each domain on its own; \
             children leave at their phase's past rate, whatever their need; {} each year, as in the last {}.",
            render::children(hist.children),
            years(hist.years),
            match f.inflow.children_per_year {
                1.0 => "1 new child joins".to_owned(),
                x => format!("{} new children join", count(x)),
            },
            years(f.inflow.years)
        ),
        if f.replicates == 0 {
            "No shaded ranges: no simulations were run (0 replicates).".to_owned()
        } else {
            format!(
                "The shaded ranges come from {} simulations (seed {}). They allow for chance and for the limits of the history, \
                 not for changes in policy, in the local population or in how needs are rated.",
                f.replicates, f.seed
            )
        },
    ];
    lines.push(match &f.backtest {
        Some(b) => {
            let better = match b.skill {
                Some(skill) if skill >= 0.0 => format!(" ({:.0} % better)", skill * 100.0),
                Some(skill) => format!(" ({:.0} % worse)", -skill * 100.0),
                None => String::new(),
            };
            let inside = b.coverage.map_or(String::new(), |c| {
                format!(
                    "; {} of {} observed figures fell inside its ranges",
                    (c * b.cells.len() as f64).round(),
                    b.cells.len()
                )
            });
            format!(
                "Back-test: projected a year ahead from {}, it was off by {} children a figure on average; \
                 \"no change\" was off by {}{better}{inside}.",
                b.origin,
                figure(b.mae),
                figure(b.mae_persistence)
            )
        }
        None => "Not back-tested: a back-test would show how far off this method was a year ago.".to_owned(),
    });
    lines.push(format!(
        "Framework {} v{} · high need: level {} or above on the 0 to {} scale · phase by age on 31 August",
        fw.id(),
        fw.version(),
        fw.high_need_level(),
        fw.scale().max_level()
    ));
    lines
}

/// Where a panel's plot goes and how values map onto it.
struct Plot<'a> {
    s: f64,
    x0: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// The y scale runs from 0 to `y_max` in steps of `step`.
    y_max: f64,
    step: f64,
    /// The columns' half-width inset at either end.
    inset: f64,
    years: &'a [i16],
}

impl Plot<'_> {
    fn px(&self, x: f64) -> f64 {
        x * self.s
    }

    fn y_of(&self, v: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * (v / self.y_max).clamp(0.0, 1.0)
    }

    fn x_of(&self, year: i16) -> f64 {
        let n = self.years.len().max(2) as f64 - 1.0;
        let i = f64::from(year - self.years[0]);
        self.left + self.inset + (self.right - self.left - 2.0 * self.inset) * i / n
    }
}

/// One panel at `(x, y, width, height)`: caption, axes, the bands, the
/// lines and the last year's figures at the right.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0, pw, ph): (f64, f64, f64, f64),
    s: f64,
    caption: &str,
    detail: &str,
    years: &[i16],
    series: &[Series],
) -> Drawn<DB> {
    let px = |x: f64| x * s;
    area.draw(&Text::new(
        caption.to_owned(),
        ((x0 + pw / 2.0) as i32, (y0 + px(8.0)) as i32),
        font(px(18.0), INK, true).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    area.draw(&Text::new(
        detail.to_owned(),
        ((x0 + pw / 2.0) as i32, (y0 + px(32.0)) as i32),
        font(px(14.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    // The last year's value and interval of each line, at its right end:
    // the plot leaves room for the widest.
    let labels: Vec<(f64, &Series, String)> = series
        .iter()
        .filter_map(|sr| {
            let &(_, e) = sr.points.last()?;
            let interval = match (e.low, e.high) {
                (Some(lo), Some(hi)) if sr.points.len() > 1 => {
                    format!(" ({}–{})", count(lo), count(hi))
                }
                _ => String::new(),
            };
            Some((e.expected, sr, format!("{}{interval}", count(e.expected))))
        })
        .collect();
    let mut widest = 0.0f64;
    for (_, sr, text) in &labels {
        let (tw, _) = area.estimate_text_size(text, &label_font(sr, s))?;
        widest = widest.max(f64::from(tw));
    }
    let left = x0 + px(62.0);
    let max = series
        .iter()
        .flat_map(|s| s.points.iter())
        .map(|(_, e)| e.high.unwrap_or(e.expected).max(e.expected))
        .fold(0.0f64, f64::max);
    let step = tick_step(max.max(1.0), 5.0);
    let plot = Plot {
        s,
        x0,
        left,
        right: (x0 + pw - widest - px(30.0)).max(left + pw * 0.4),
        top: y0 + px(62.0),
        bottom: y0 + ph - px(50.0),
        y_max: (max / step).ceil().max(1.0) * step,
        step,
        inset: px(26.0),
        years,
    };
    axes(area, &plot)?;
    bands_and_lines(area, &plot, series)?;
    end_labels(area, &plot, labels)
}

/// The observed year's column shaded, the grid and y scale, the x axis with
/// its school years.
fn axes<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, plot: &Plot) -> Drawn<DB> {
    let px = |x| plot.px(x);
    let (left, right, top, bottom) = (plot.left, plot.right, plot.top, plot.bottom);
    let n = plot.years.len().max(2) as f64 - 1.0;
    let column = ((right - left - 2.0 * plot.inset) / n / 2.0).min(plot.inset) * 0.9;
    let ox = plot.x_of(plot.years[0]);
    area.draw(&Rectangle::new(
        [
            ((ox - column) as i32, top as i32),
            ((ox + column) as i32, bottom as i32),
        ],
        RGBColor(236, 236, 236).filled(),
    ))?;

    let mut v = 0.0;
    while v <= plot.y_max + 1e-9 {
        let y = plot.y_of(v) as i32;
        area.draw(&PathElement::new(
            vec![(left as i32, y), (right as i32, y)],
            GRID.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            count(v),
            ((left - px(6.0)) as i32, y),
            font(px(13.0), MUTED, false).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        v += plot.step;
    }
    area.draw(&Text::new(
        "children",
        ((plot.x0 + px(12.0)) as i32, ((top + bottom) / 2.0) as i32),
        font(px(13.0), MUTED, false)
            .transform(plotters::style::FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    area.draw(&PathElement::new(
        vec![(left as i32, bottom as i32), (right as i32, bottom as i32)],
        MUTED.stroke_width(1),
    ))?;
    for (i, &year) in plot.years.iter().enumerate() {
        let x = plot.x_of(year) as i32;
        area.draw(&PathElement::new(
            vec![(x, bottom as i32), (x, (bottom + px(5.0)) as i32)],
            MUTED.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            year_label(year),
            (x, (bottom + px(8.0)) as i32),
            font(px(13.0), INK, i == 0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        if i == 0 {
            area.draw(&Text::new(
                "observed",
                (x, (bottom + px(25.0)) as i32),
                font(px(12.0), MUTED, false).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
    }
    Ok(())
}

/// Every band first, so that every line is drawn over every band; then the
/// lines with their markers (filled where observed).
fn bands_and_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot,
    series: &[Series],
) -> Drawn<DB> {
    for sr in series {
        let upper: Vec<(f64, f64)> = sr
            .points
            .iter()
            .filter_map(|(y, e)| Some((plot.x_of(*y), plot.y_of(e.high?))))
            .collect();
        let lower: Vec<(f64, f64)> = sr
            .points
            .iter()
            .filter_map(|(y, e)| Some((plot.x_of(*y), plot.y_of(e.low?))))
            .collect();
        if upper.len() == sr.points.len() && upper.len() > 1 {
            let polygon: Vec<(i32, i32)> = upper
                .iter()
                .chain(lower.iter().rev())
                .map(|&(x, y)| (x as i32, y as i32))
                .collect();
            let alpha = if sr.look.phase == ProjectionPhase::All {
                0.13
            } else {
                0.17
            };
            area.draw(&Polygon::new(polygon, sr.look.color.mix(alpha).filled()))?;
        }
    }
    for sr in series {
        let points: Vec<(f64, f64)> = sr
            .points
            .iter()
            .map(|(y, e)| (plot.x_of(*y), plot.y_of(e.expected)))
            .collect();
        line(area, &sr.look, &points, plot.s)?;
        for (i, &p) in points.iter().enumerate() {
            marker(area, &sr.look, p, plot.s, i == 0)?;
        }
    }
    Ok(())
}

/// The last year's figures at the right, pushed apart so that none
/// overlaps another, and back above the axis if pushed below it.
fn end_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot,
    labels: Vec<(f64, &Series, String)>,
) -> Drawn<DB> {
    let gap = plot.px(16.0);
    let mut labels: Vec<(f64, &Series, String)> = labels
        .into_iter()
        .map(|(v, sr, text)| (plot.y_of(v), sr, text))
        .collect();
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 1..labels.len() {
        let min = labels[i - 1].0 + gap;
        if labels[i].0 < min {
            labels[i].0 = min;
        }
    }
    let mut floor = plot.bottom;
    for label in labels.iter_mut().rev() {
        if label.0 > floor {
            label.0 = floor;
        }
        floor = label.0 - gap;
    }
    let lx = plot.right + plot.px(8.0);
    for (y, sr, text) in labels {
        marker(area, &sr.look, (lx + plot.px(5.0), y), plot.s * 0.8, false)?;
        area.draw(&Text::new(
            text,
            ((lx + plot.px(14.0)) as i32, y as i32),
            label_font(sr, plot.s).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// The font of a line's end label: bold for all phases.
fn label_font(sr: &Series, s: f64) -> plotters::style::TextStyle<'static> {
    font(13.0 * s, INK, sr.look.phase == ProjectionPhase::All)
}

/// A phase's line through `points`, in its dash.
fn line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: &Look,
    points: &[(f64, f64)],
    s: f64,
) -> Drawn<DB> {
    let style = look
        .color
        .stroke_width((look.width * s).round().max(1.0) as u32);
    let points: Vec<(i32, i32)> = points.iter().map(|&(x, y)| (x as i32, y as i32)).collect();
    match look.dash {
        None => area.draw(&PathElement::new(points, style)),
        Some((dash, gap)) => area.draw(&DashedPathElement::new(
            points,
            (dash * s).round().max(1.0) as i32,
            (gap * s).round().max(1.0) as i32,
            style,
        )),
    }
}

/// A phase's marker at `(x, y)`: filled for an observed value, white inside
/// for a projected one.
fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    look: &Look,
    (x, y): (f64, f64),
    s: f64,
    filled: bool,
) -> Drawn<DB> {
    let r = 6.0 * s;
    let at = |dx: f64, dy: f64| ((x + dx * r) as i32, (y + dy * r) as i32);
    let stroke = look.color.stroke_width((2.0 * s).round().max(1.0) as u32);
    let inside = if filled { look.color } else { WHITE };
    let shape: Option<Vec<(i32, i32)>> = match look.marker {
        Marker::Circle | Marker::Disc => {
            let r = if look.marker == Marker::Disc {
                r * 1.1
            } else {
                r
            };
            area.draw(&Circle::new(
                (x as i32, y as i32),
                r as i32,
                inside.filled(),
            ))?;
            area.draw(&Circle::new((x as i32, y as i32), r as i32, stroke))?;
            None
        }
        Marker::Square => Some(vec![
            at(-0.85, -0.85),
            at(0.85, -0.85),
            at(0.85, 0.85),
            at(-0.85, 0.85),
        ]),
        Marker::Triangle => Some(vec![at(0.0, -1.15), at(1.05, 0.8), at(-1.05, 0.8)]),
        Marker::Diamond => Some(vec![
            at(0.0, -1.2),
            at(1.2, 0.0),
            at(0.0, 1.2),
            at(-1.2, 0.0),
        ]),
        Marker::Cross => {
            let width = (2.5 * s).round().max(1.0) as u32;
            for (a, b) in [((-1.0, -1.0), (1.0, 1.0)), ((-1.0, 1.0), (1.0, -1.0))] {
                area.draw(&PathElement::new(
                    vec![at(a.0, a.1), at(b.0, b.1)],
                    look.color.stroke_width(width),
                ))?;
            }
            None
        }
    };
    if let Some(shape) = shape {
        area.draw(&Polygon::new(shape.clone(), inside.filled()))?;
        let mut outline = shape;
        outline.push(outline[0]);
        area.draw(&PathElement::new(outline, stroke))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_years_and_counts_read_plainly() {
        assert_eq!(year_label(2021), "2021/22");
        assert_eq!(year_label(1999), "1999/00");
        assert_eq!(count(56.73), "57");
        assert_eq!(count(4.26), "4.3");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(51_663.4), "51,663");
        assert_eq!(figure(131.009), "131");
        assert_eq!(figure(1.879), "1.88");
    }

    #[test]
    fn ticks_are_one_two_or_five() {
        assert_eq!(tick_step(64.0, 5.0), 20.0);
        assert_eq!(tick_step(9.0, 5.0), 2.0);
        assert_eq!(tick_step(0.5, 5.0), 1.0);
        assert_eq!(tick_step(60_000.0, 5.0), 20_000.0);
    }
}
