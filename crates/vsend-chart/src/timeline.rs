//! A child's needs over time: one line per domain across reviews (top panel),
//! and the setting's readiness the same way (bottom panel, dashed).

use plotters::prelude::*;
use plotters::series::DashedLineSeries;
use vsend_core::{day_number, Date, Domain, Framework, Timeline};

use crate::render::{self, svg_to_png, INK, MUTED};
use crate::Result;

/// Size and title of a timeline chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineStyle {
    /// Width in pixels, 100 to 8000.
    pub width: u32,
    /// Height in pixels, 100 to 8000.
    pub height: u32,
    /// The title; the child's pseudonymous ID, never a name.
    pub title: String,
}

impl Default for TimelineStyle {
    /// 1000 × 800 px with no title.
    fn default() -> Self {
        TimelineStyle {
            width: 1000,
            height: 800,
            title: String::new(),
        }
    }
}

/// One colour per domain: Okabe–Ito, safe for the common colour blindnesses,
/// with a different marker per domain as well.
const DOMAIN_COLOURS: [RGBColor; 5] = [
    RGBColor(230, 159, 0),  // cl: orange
    RGBColor(86, 180, 233), // ci: sky blue
    RGBColor(0, 158, 115),  // sp: bluish green
    RGBColor(213, 94, 0),   // semh: vermillion
    RGBColor(0, 114, 178),  // ind: blue
];

/// The x axis: days, with grid lines and labels at the review dates only.
struct ReviewAxis {
    range: std::ops::Range<i64>,
    reviews: Vec<i64>,
}

impl plotters::coord::ranged1d::Ranged for ReviewAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = i64;

    fn map(&self, value: &i64, limit: (i32, i32)) -> i32 {
        let span = (self.range.end - self.range.start).max(1) as f64;
        let t = (value - self.range.start) as f64 / span;
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<i64> {
        // Too many reviews to label: keep every n-th, always the last.
        let step = self
            .reviews
            .len()
            .div_ceil(hint.max_num_points().max(1))
            .max(1);
        let mut points: Vec<i64> = self.reviews.iter().copied().step_by(step).collect();
        if let (Some(&last), Some(&kept)) = (self.reviews.last(), points.last()) {
            if kept != last {
                points.push(last);
            }
        }
        points
    }

    fn range(&self) -> std::ops::Range<i64> {
        self.range.clone()
    }
}

fn date_of(day: i64) -> Option<Date> {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(day))
        .ok()
}

/// Draws a child's need (and readiness) levels across reviews as SVG.
pub fn timeline_chart(
    fw: &Framework,
    timeline: &Timeline,
    style: &TimelineStyle,
) -> Result<String> {
    render::draw_svg(style.width, style.height, |root| {
        draw(root, fw, timeline, style)
    })
}

/// [`timeline_chart`] as PNG bytes.
pub fn timeline_chart_png(
    fw: &Framework,
    timeline: &Timeline,
    style: &TimelineStyle,
) -> Result<Vec<u8>> {
    svg_to_png(&timeline_chart(fw, timeline, style)?)
}

type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    fw: &Framework,
    t: &Timeline,
    style: &TimelineStyle,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let root = root.titled(
        &style.title,
        ("sans-serif", 26)
            .into_font()
            .style(FontStyle::Bold)
            .color(&INK),
    )?;
    let (top, bottom) = root.split_vertically((style.height as f64 * 0.55) as u32);
    let reviews = t.reviews();
    let days: Vec<i64> = reviews
        .iter()
        .map(|r| i64::from(day_number(r.assessed_on)))
        .collect();
    let (first, last) = (
        days.first().copied().unwrap_or(0),
        days.last().copied().unwrap_or(0),
    );
    // A single review still gets a month either side.
    let (x0, x1) = if first == last {
        (first - 30, last + 30)
    } else {
        (first - 14, last + 14)
    };
    let max = f64::from(fw.scale().max_level());
    let y_top = |readiness: bool| {
        if readiness {
            max + 0.2
        } else {
            (1.3 * max + 1.0).ceil() + 0.2
        }
    };

    for (area, caption, readiness) in [
        (&top, "Need by domain", false),
        (&bottom, "Setting readiness by domain", true),
    ] {
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 18).into_font().color(&INK))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            // Headroom above the scale for the legend, so it never covers a line.
            .build_cartesian_2d(
                ReviewAxis {
                    range: x0..x1,
                    reviews: days.clone(),
                },
                -0.2..y_top(readiness),
            )?;
        chart
            .configure_mesh()
            .x_labels(reviews.len().clamp(2, 8))
            .x_label_formatter(&|d| date_of(*d).map_or(String::new(), |d| d.to_string()))
            // One label per whole level; none in the legend's headroom.
            .y_labels(y_top(readiness).floor() as usize + 1)
            .y_label_formatter(&|v| {
                let whole = (v - v.round()).abs() < 1e-6 && *v <= max + 1e-6;
                if whole {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_desc("level")
            .label_style(("sans-serif", 14).into_font().color(&MUTED))
            .light_line_style(WHITE)
            .draw()?;
        for d in Domain::ALL {
            let colour = DOMAIN_COLOURS[d.index()];
            let points: Vec<(i64, f64)> = days
                .iter()
                .zip(reviews)
                .filter_map(|(&x, r)| {
                    let v = if readiness {
                        r.scores.readiness.get(d)
                    } else {
                        r.scores.need.get(d)
                    };
                    v.map(|v| (x, v))
                })
                .collect();
            let stroke = colour.stroke_width(3);
            let line = if readiness {
                chart.draw_series(DashedLineSeries::new(points.clone(), 10, 6, stroke))?
            } else {
                chart.draw_series(LineSeries::new(points.clone(), stroke))?
            };
            line.label(d.name()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
            });
            // A different marker per domain, so colour is not the only cue.
            let fill = colour.filled();
            let at = points.into_iter();
            match d {
                Domain::Cl => chart.draw_series(at.map(|p| Circle::new(p, 6, fill)))?,
                Domain::Ci => chart.draw_series(at.map(|p| TriangleMarker::new(p, 7, fill)))?,
                Domain::Sp => chart.draw_series(
                    at.map(|p| EmptyElement::at(p) + Rectangle::new([(-5, -5), (5, 5)], fill)),
                )?,
                Domain::Semh => {
                    chart.draw_series(at.map(|p| Cross::new(p, 6, colour.stroke_width(3))))?
                }
                Domain::Ind => chart.draw_series(at.map(|p| {
                    EmptyElement::at(p) + Polygon::new(vec![(0, -7), (7, 0), (0, 7), (-7, 0)], fill)
                }))?,
            };
        }
        if !readiness {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(MUTED)
                .label_font(("sans-serif", 14).into_font().color(&INK))
                .draw()?;
        }
    }
    let footer = format!(
        "Framework {} v{} · {} reviews",
        fw.id(),
        fw.version(),
        reviews.len()
    );
    root.draw(&Text::new(
        footer,
        (10, style.height as i32 - 40),
        ("sans-serif", 13).into_font().color(&MUTED),
    ))?;
    Ok(())
}
