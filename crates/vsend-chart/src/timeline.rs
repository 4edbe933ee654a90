//! A child's needs over time: one line per domain across reviews (top panel),
//! and the setting's readiness the same way (bottom panel), each panel with
//! its own legend. A value not assessed at a review breaks its line there.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use vsend_core::{day_number, Date, Domain, DomainVector, Framework, Timeline};

use crate::render::{self, font, svg_to_png, INK, MUTED};
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
type Area<DB> = DrawingArea<DB, plotters::coord::Shift>;

/// Each domain's marker, as a polygon around the point (pixels): circle,
/// triangle up, square, triangle down, diamond, so colour is not the only cue.
fn marker_shape(d: Domain) -> Vec<(i32, i32)> {
    match d {
        Domain::Cl => (0..12)
            .map(|i| {
                let a = f64::from(i) * std::f64::consts::PI / 6.0;
                (
                    (6.0 * a.cos()).round() as i32,
                    (6.0 * a.sin()).round() as i32,
                )
            })
            .collect(),
        Domain::Ci => vec![(0, -7), (7, 5), (-7, 5)],
        Domain::Sp => vec![(-5, -5), (5, -5), (5, 5), (-5, 5)],
        Domain::Semh => vec![(0, 7), (7, -5), (-7, -5)],
        Domain::Ind => vec![(0, -7), (7, 0), (0, 7), (-7, 0)],
    }
}

/// Where lines share a value at a review they are drawn this far apart (in
/// levels), so no line hides another.
const SPREAD: f64 = 0.1;

/// How far `d`'s point is moved up or down at one review so that domains
/// with the same value there are drawn side by side, in §1 order from below;
/// a value no other domain shares stays where it is.
fn spread(values: &DomainVector, d: Domain) -> f64 {
    let Some(v) = values.get(d) else {
        return 0.0;
    };
    let same: Vec<Domain> = Domain::ALL
        .into_iter()
        .filter(|&e| values.get(e) == Some(v))
        .collect();
    let rank = same.iter().position(|&e| e == d).unwrap_or(0) as f64;
    SPREAD * (rank - (same.len() as f64 - 1.0) / 2.0)
}

/// Splits a domain's values across reviews into runs of known values: a
/// review where the value is not assessed breaks the line.
fn runs(points: impl IntoIterator<Item = (i64, Option<f64>)>) -> Vec<Vec<(i64, f64)>> {
    let mut runs: Vec<Vec<(i64, f64)>> = vec![Vec::new()];
    for (x, v) in points {
        match v {
            Some(v) => runs.last_mut().expect("never empty").push((x, v)),
            None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(Vec::new()),
            None => {}
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

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
    let footer_room = 44;
    let (body, _) = root.split_vertically(style.height.saturating_sub(footer_room));
    let body = body.titled(&style.title, font(26.0, INK, true))?;
    let (top, bottom) = body.split_vertically((f64::from(style.height) * 0.5) as u32);
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
    let x_range = if first == last {
        first - 30..last + 30
    } else {
        first - 14..last + 14
    };
    // Each panel's legend sits to the right of its plot, never over a line.
    let legend_width = 300u32.min(style.width / 3);

    for (area, caption, readiness) in [
        (&top, "Need by domain (higher = more need)", false),
        (
            &bottom,
            "Setting readiness by domain (higher = more ready)",
            true,
        ),
    ] {
        let (plot, side) = area.split_horizontally(area.dim_in_pixel().0 - legend_width);
        let view = if readiness {
            View::Readiness
        } else {
            View::Need
        };
        panel((&plot, &side), fw, t, &days, x_range.clone(), caption, view)?;
    }
    let footer = [
        format!(
            "Framework {} v{} · {} reviews · levels 0 to {}",
            fw.id(),
            fw.version(),
            reviews.len(),
            fw.scale().max_level()
        ),
        "A gap in a line is a review where that value was not assessed. Lines meeting at one \
         level are drawn slightly apart there, so none is hidden."
            .to_owned(),
    ];
    for (i, text) in footer.into_iter().enumerate() {
        root.draw(&Text::new(
            text,
            (
                12,
                style.height as i32 - footer_room as i32 + 4 + 18 * i as i32,
            ),
            font(13.0, MUTED, false),
        ))?;
    }
    Ok(())
}

/// Which of a review's views a panel draws.
#[derive(Clone, Copy, PartialEq)]
enum View {
    Need,
    Readiness,
}

/// One panel: a line per domain over the reviews on `plot`, its legend on
/// `side`.
fn panel<DB: DrawingBackend>(
    (plot, side): (&Area<DB>, &Area<DB>),
    fw: &Framework,
    t: &Timeline,
    days: &[i64],
    x_range: std::ops::Range<i64>,
    caption: &str,
    view: View,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let reviews = t.reviews();
    let max = f64::from(fw.scale().max_level());
    let y_top = max + 0.4;
    let mut chart = ChartBuilder::on(plot)
        .caption(caption, font(18.0, INK, false))
        .margin(12)
        .margin_right(40)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(
            ReviewAxis {
                range: x_range,
                reviews: days.to_vec(),
            },
            -0.4..y_top,
        )?;
    chart
        .configure_mesh()
        .x_labels(reviews.len().clamp(2, 8))
        .x_label_formatter(&|d| date_of(*d).map_or(String::new(), |d| d.to_string()))
        // One label per whole level.
        .y_labels(y_top.floor() as usize + 1)
        .y_label_formatter(&|v| {
            let whole = (v - v.round()).abs() < 1e-6 && *v >= -1e-6 && *v <= max + 1e-6;
            if whole {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .y_desc("level")
        .label_style(font(14.0, MUTED, false))
        .light_line_style(WHITE)
        .draw()?;
    for d in Domain::ALL {
        let colour = DOMAIN_COLOURS[d.index()];
        let values = days.iter().zip(reviews).map(|(&x, r)| {
            let values = match view {
                View::Readiness => &r.scores.readiness,
                View::Need => &r.scores.need,
            };
            (x, values.get(d).map(|v| v + spread(values, d)))
        });
        let runs = runs(values);
        let stroke = colour.stroke_width(3);
        let shape = marker_shape(d);
        for run in &runs {
            chart.draw_series(LineSeries::new(run.clone(), stroke))?;
            chart
                .draw_series(run.iter().map(|&p| {
                    EmptyElement::at(p) + Polygon::new(shape.clone(), colour.filled())
                }))?;
        }
        // The legend: line, marker and name, one row per domain.
        let y = 60 + 24 * d.index() as i32;
        side.draw(&PathElement::new(vec![(4, y), (34, y)], stroke))?;
        side.draw(&(EmptyElement::at((19, y)) + Polygon::new(shape.clone(), colour.filled())))?;
        let name = if runs.is_empty() {
            format!("{} (not assessed)", d.name())
        } else {
            d.name().to_owned()
        };
        side.draw(&Text::new(
            name,
            (42, y),
            font(14.0, INK, false).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    side.draw(&Text::new(
        match view {
            View::Readiness => "Readiness in",
            View::Need => "Need in",
        },
        (4, 36),
        font(14.0, MUTED, true).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    Ok(())
}
