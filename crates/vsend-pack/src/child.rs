//! One child's review pack: the page's contents worked out from the core's
//! values, then filled into `templates/child.html`.

use askama::Template;
use vsend_chart::{child_radar, child_timeline, plan_radar, ChildRadar};
use vsend_core::{Change, Date, Domain, Framework, PlanRow, Review, Scores, Timeline};

use crate::svg::InlineSvg;
use crate::words::{
    add_days, age_band, amount, days, days_between, level_phrase, level_word, list, number, signed,
};
use crate::PackError;
use vsend_chart::band_note;

/// Everything one child's review pack shows, as the core computed it.
///
/// ```
/// use vsend_core::{parse_date, AssessmentBuilder, Domain, Framework, Timeline};
/// use vsend_pack::ChildPack;
///
/// let fw = Framework::default();
/// let mut b = AssessmentBuilder::new(&fw);
/// b.child_id("C0042").assessed_on("2025-03-14").setting_id("S01");
/// for area in fw.areas() {
///     b.need(area.key(), "2");
/// }
/// for d in Domain::ALL {
///     b.readiness(d, "3").confidence(d, "1");
/// }
/// let on = parse_date("2025-05-01").unwrap();
/// let timeline = Timeline::build(&fw, [&b.build().unwrap()], Some(on)).unwrap();
/// let html = ChildPack::new(&fw, &timeline, on).setting_id(Some("S01")).render().unwrap();
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("the family feels able to manage level 1 (Emerging), the need is at level 2 (Moderate)"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ChildPack<'a> {
    framework: &'a Framework,
    timeline: &'a Timeline,
    on: Date,
    setting_id: Option<&'a str>,
    plan: Option<&'a PlanRow>,
    index_href: Option<&'a str>,
}

impl<'a> ChildPack<'a> {
    /// The pack of `timeline`'s child for a meeting on `on`.
    ///
    /// `timeline` is the child's as of `on` (`Timeline::of(fw, history,
    /// Some(on))`): its last review is the one the pack is about, the one
    /// before it the previous review, and whether the next review is overdue
    /// is judged on `on` (§7).
    pub fn new(framework: &'a Framework, timeline: &'a Timeline, on: Date) -> Self {
        ChildPack {
            framework,
            timeline,
            on,
            setting_id: None,
            plan: None,
            index_href: None,
        }
    }

    /// The setting of the child's review (the assessment's `setting_id`).
    pub fn setting_id(mut self, setting_id: Option<&'a str>) -> Self {
        self.setting_id = setting_id;
        self
    }

    /// A transition plan (§11) to show with its radar and `not_ready` domains.
    pub fn plan(mut self, plan: Option<&'a PlanRow>) -> Self {
        self.plan = plan;
        self
    }

    /// A link back to the setting's index page, relative to this page.
    pub fn index_href(mut self, href: Option<&'a str>) -> Self {
        self.index_href = href;
        self
    }

    /// The pack as one self-contained HTML page: charts inline, no script,
    /// nothing loaded from anywhere.
    pub fn render(&self) -> Result<String, PackError> {
        Ok(self.page()?.render()?)
    }

    fn page(&self) -> Result<ChildPage, PackError> {
        let fw = self.framework;
        let t = self.timeline;
        let child = t.child_id().as_str();
        let reviews = t.reviews();
        let current = reviews.last().ok_or(PackError::NoReview)?;
        let previous = reviews.len().checked_sub(2).map(|i| &reviews[i]);
        let scores = &current.scores;
        let interval = i64::from(fw.review_interval_days());

        let rows = Domain::ALL
            .map(|d| DomainRow::new(fw, d, scores, previous.map(|p| &p.scores)))
            .to_vec();
        let (unmet, unknown) = not_met(fw, scores);
        let trends = Domain::ALL.map(|d| TrendRow::new(t, d)).to_vec();
        let escalating: Vec<String> = Domain::ALL
            .into_iter()
            .filter(|&d| t.escalating()[d])
            .map(|d| d.name().to_owned())
            .collect();
        let band = fw.banding().map(|_| BandView::new(fw, scores));
        let plan = self.plan.map(|p| PlanView::new(fw, p, child)).transpose()?;

        Ok(ChildPage {
            title: format!("Review pack: {child}, {}", self.on),
            child_id: child.to_owned(),
            index_href: self.index_href.map(str::to_owned),
            facts: self.facts(current, previous),
            review_date: current.assessed_on.to_string(),
            radar: self.radar(current, previous)?,
            previous_date: previous.map(|p| p.assessed_on.to_string()),
            rows,
            scale: scale_words(fw),
            unmet,
            unknown,
            band,
            over_time: self.over_time()?,
            review_count: reviews.len(),
            trends,
            escalating: list(&escalating),
            plan,
            next_review_by: add_days(self.on, interval).to_string(),
            interval,
        })
    }

    /// The header's facts: who, where, which reviews, when the next is due.
    fn facts(&self, current: &Review, previous: Option<&Review>) -> Vec<Fact> {
        let fw = self.framework;
        let interval = i64::from(fw.review_interval_days());
        let due = add_days(current.assessed_on, interval);
        let overdue = vsend_core::is_overdue(fw, current.assessed_on, self.on);
        let next_review = if overdue {
            format!(
                "Overdue: it was due by {due}, {} before this pack's date",
                days(days_between(due, self.on))
            )
        } else {
            match days_between(self.on, due) {
                0 => format!("Due by {due}, the date of this pack"),
                n => format!("Due by {due}, in {}", days(n)),
            }
        };
        vec![
            Fact::plain("Child", self.timeline.child_id().as_str()),
            Fact::plain("Setting", self.setting_id.unwrap_or("not recorded")),
            Fact::plain("Age band", age_band(current.scores.age_band)),
            Fact::plain("Review shown", current.assessed_on.to_string()),
            Fact::plain(
                "Previous review",
                previous.map_or("None: this is the first review".to_owned(), |p| {
                    format!(
                        "{} ({} before)",
                        p.assessed_on,
                        days(days_between(p.assessed_on, current.assessed_on))
                    )
                }),
            ),
            Fact {
                term: "Next review",
                value: next_review,
                warn: overdue,
            },
            Fact::plain("Date of this pack", self.on.to_string()),
            Fact::plain("Framework", format!("{} version {}", fw.id(), fw.version())),
        ]
    }

    /// The radar with the previous review's needs, drawn as
    /// `vsend chart --child … --previous` draws it, described in words.
    fn radar(&self, current: &Review, previous: Option<&Review>) -> Result<InlineSvg, PackError> {
        let fw = self.framework;
        let child = self.timeline.child_id().as_str();
        let view = ChildRadar {
            on: None,
            previous: true,
            size: None,
        };
        let radar_svg = child_radar(fw, self.timeline, &view)?;
        let before = previous.map_or(String::new(), |p| {
            format!(
                " A thin dashed blue line shows the needs at the previous review, {}.",
                p.assessed_on
            )
        });
        InlineSvg::new(
            &radar_svg,
            "radar",
            &format!(
                "Radar chart of {child}'s review of {}: needs, setting readiness and family confidence in five domains",
                current.assessed_on
            ),
            &format!(
                "Needs are the blue solid line with circles, setting readiness the green dashed line with squares, family confidence the pink dotted line with diamonds; further from the centre is more need, or more support available, from level 0 at the centre to {} at the edge.{before} Every figure is in the table that follows.",
                fw.scale().max_level()
            ),
        )
    }

    /// The child's needs and readiness over time, described in words.
    fn over_time(&self) -> Result<InlineSvg, PackError> {
        let t = self.timeline;
        let svg = child_timeline(self.framework, t, Some((820, 520)))?;
        InlineSvg::new(
            &svg,
            "over-time",
            &format!(
                "Line chart of {}'s need and setting readiness in each domain at each of {} reviews",
                t.child_id().as_str(),
                t.reviews().len()
            ),
            "One line per domain, need in the top panel and setting readiness in the bottom one, across the review dates. The needs at each review, the trend and any escalation are in the table that follows.",
        )
    }
}

/// "Levels 0 (No additional need) to 4 (Complex)".
pub(crate) fn scale_words(fw: &Framework) -> String {
    let labels = fw.scale().labels();
    let words: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{i} {l}"))
        .collect();
    format!("Levels: {}.", words.join(", "))
}

/// "What is not yet met": one item per domain with a need the setting or the
/// family does not reach, and a sentence on what could not be judged.
fn not_met(fw: &Framework, s: &Scores) -> (Vec<Unmet>, Vec<String>) {
    let mut unmet = Vec::new();
    let mut unknown = Vec::new();
    for d in Domain::ALL {
        let Some(need) = s.need.get(d) else {
            unknown.push(format!("{}: the need was not assessed", d.name()));
            continue;
        };
        let mut sentences = Vec::new();
        match s.readiness.get(d) {
            Some(r) if r < need => {
                sentences.push(format!(
                    "the setting is ready to {}, the need is at {}",
                    level_phrase(fw, r),
                    level_phrase(fw, need)
                ));
            }
            Some(_) => {}
            None => unknown.push(format!(
                "{}: the setting's readiness was not assessed",
                d.name()
            )),
        }
        match s.confidence.get(d) {
            Some(c) if c < need => {
                let also = if sentences.is_empty() {
                    format!(", the need is at {}", level_phrase(fw, need))
                } else {
                    String::new()
                };
                sentences.push(format!(
                    "the family feels able to manage {}{also}",
                    level_phrase(fw, c)
                ));
            }
            Some(_) => {}
            None => unknown.push(format!(
                "{}: the family's confidence was not assessed",
                d.name()
            )),
        }
        if !sentences.is_empty() {
            unmet.push(Unmet {
                domain: d.name(),
                sentence: format!("{}.", list(&sentences)),
            });
        }
    }
    (unmet, unknown)
}

/// One fact of the header.
#[derive(Debug, Clone)]
struct Fact {
    term: &'static str,
    value: String,
    warn: bool,
}

impl Fact {
    fn plain(term: &'static str, value: impl Into<String>) -> Fact {
        Fact {
            term,
            value: value.into(),
            warn: false,
        }
    }
}

/// A level in a table: its number, its words and how to mark it.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) number: String,
    pub(crate) words: String,
    /// A CSS class: `""`, `"short"` (not met, shown bold with ⚠ and in
    /// words), `"none"` (not assessed).
    pub(crate) mark: &'static str,
}

impl Cell {
    fn level(fw: &Framework, x: Option<f64>) -> Cell {
        match x {
            Some(x) => Cell {
                number: number(x),
                words: level_word(fw, x),
                mark: "",
            },
            None => Cell::not_assessed(),
        }
    }

    pub(crate) fn not_assessed() -> Cell {
        Cell {
            number: String::new(),
            words: "not assessed".to_owned(),
            mark: "none",
        }
    }

    /// A gap: offer − need, met at 0 or more.
    pub(crate) fn gap(gap: Option<f64>) -> Cell {
        match gap {
            Some(g) if g < 0.0 => Cell {
                number: signed(g),
                words: "not met".to_owned(),
                mark: "short",
            },
            Some(g) => Cell {
                number: signed(g),
                words: "met".to_owned(),
                mark: "",
            },
            None => Cell {
                number: String::new(),
                words: "not known".to_owned(),
                mark: "none",
            },
        }
    }
}

/// One domain's row of the table on page 1.
#[derive(Debug, Clone)]
struct DomainRow {
    domain: &'static str,
    /// Need, setting readiness, family confidence, setting gap, family gap,
    /// change in need since the previous review.
    cells: [Cell; 6],
}

impl DomainRow {
    fn new(fw: &Framework, d: Domain, s: &Scores, before: Option<&Scores>) -> DomainRow {
        let change = match before {
            None => Cell {
                number: String::new(),
                words: "first review".to_owned(),
                mark: "none",
            },
            Some(b) => match (s.need.get(d), b.need.get(d)) {
                (Some(now), Some(then)) => {
                    let delta = now - then;
                    let class = Change::of_need(delta, fw.meaningful_change());
                    Cell {
                        number: signed(delta),
                        words: match class {
                            Change::Improved => "improved",
                            Change::Stable => "about the same",
                            Change::Worsened => "more need",
                        }
                        .to_owned(),
                        mark: if class == Change::Worsened {
                            "short"
                        } else {
                            ""
                        },
                    }
                }
                _ => Cell {
                    number: String::new(),
                    words: "not known".to_owned(),
                    mark: "none",
                },
            },
        };
        DomainRow {
            domain: d.name(),
            cells: [
                Cell::level(fw, s.need.get(d)),
                Cell::level(fw, s.readiness.get(d)),
                Cell::level(fw, s.confidence.get(d)),
                Cell::gap(s.setting_gap.get(d)),
                Cell::gap(s.family_gap.get(d)),
                change,
            ],
        }
    }
}

/// One domain not met, in a sentence.
#[derive(Debug, Clone)]
struct Unmet {
    domain: &'static str,
    sentence: String,
}

/// One domain's row of the needs-over-time table.
#[derive(Debug, Clone)]
struct TrendRow {
    domain: &'static str,
    /// "1 → 2 → 2", a dash for a review that did not assess it.
    levels: String,
    trend: String,
    escalating: bool,
}

impl TrendRow {
    fn new(t: &Timeline, d: Domain) -> TrendRow {
        let levels: Vec<String> = t
            .reviews()
            .iter()
            .map(|r| r.scores.need.get(d).map_or("–".to_owned(), number))
            .collect();
        let trend = match t.trend().get(d) {
            None => "not yet: fewer than 3 reviews".to_owned(),
            Some(x) if number(x) == "0" => "flat (0 levels a year)".to_owned(),
            Some(x) if x > 0.0 => format!("rising, {} levels a year", signed(x)),
            Some(x) => format!("falling, {} levels a year", signed(x)),
        };
        TrendRow {
            domain: d.name(),
            levels: levels.join(" → "),
            trend,
            escalating: t.escalating()[d],
        }
    }
}

/// The §13 band, or why there is none.
#[derive(Debug, Clone)]
struct BandView {
    /// "Band C: Targeted top-up", or `None` when the profile is not complete.
    band: Option<String>,
    score: String,
    raised_by: Option<&'static str>,
    top_up: Option<String>,
}

impl BandView {
    fn new(fw: &Framework, s: &Scores) -> BandView {
        match band_note(fw, s) {
            None => BandView {
                band: None,
                score: String::new(),
                raised_by: None,
                top_up: None,
            },
            Some(note) => {
                let top_up = fw
                    .banding()
                    .and_then(|b| b.band(&s.need))
                    .and_then(|r| r.top_up)
                    .map(amount);
                BandView {
                    band: Some(format!("Band {}: {}", note.band, note.label)),
                    score: number(note.score),
                    raised_by: note.raised_by.map(Domain::name),
                    top_up,
                }
            }
        }
    }
}

/// A transition plan (§11) as the page shows it.
#[derive(Debug, Clone)]
struct PlanView {
    to_setting: String,
    from_setting: String,
    move_on: String,
    assessed_on: String,
    days_to_move: String,
    stale: bool,
    radar: InlineSvg,
    /// One sentence per domain the receiving setting is not ready for.
    not_ready: Vec<(&'static str, String)>,
    /// Domains whose readiness at the receiving setting was not given, or
    /// whose need is not known.
    unknown: Vec<&'static str>,
}

impl PlanView {
    fn new(fw: &Framework, p: &PlanRow, child: &str) -> Result<PlanView, PackError> {
        let to = p.to_setting_id.as_str();
        let from = p
            .from_setting_id
            .as_ref()
            .map_or("the current setting".to_owned(), |s| s.to_string());
        let svg = plan_radar(fw, p, None)?;
        let radar = InlineSvg::new(
            &svg,
            "plan",
            &format!(
                "Radar chart of {child}'s move to {to} on {}: needs, readiness now and readiness at {to}",
                p.move_on
            ),
            &format!(
                "Needs are the blue solid line, readiness now at {from} the green dashed line, readiness at {to} the vermillion dotted line with triangles. The domains {to} is not ready for are listed beside the chart."
            ),
        )?;
        let mut not_ready = Vec::new();
        let mut unknown = Vec::new();
        for d in Domain::ALL {
            let (need, to_level) = (p.need.get(d), p.readiness_to.get(d));
            match (need, to_level) {
                (Some(n), Some(r)) if r < n => {
                    let now = p.readiness_from.get(d);
                    let worse = match now {
                        Some(now) if now > r => {
                            format!("; readiness now, at {from}, is {}", level_phrase(fw, now))
                        }
                        _ => String::new(),
                    };
                    not_ready.push((
                        d.name(),
                        format!(
                            "{to} is ready to {}, the need is at {}{worse}.",
                            level_phrase(fw, r),
                            level_phrase(fw, n)
                        ),
                    ));
                }
                (Some(_), Some(_)) => {}
                _ => unknown.push(d.name()),
            }
        }
        Ok(PlanView {
            to_setting: to.to_owned(),
            from_setting: from,
            move_on: p.move_on.to_string(),
            assessed_on: p.assessed_on.to_string(),
            days_to_move: days(i64::from(p.days_to_move)),
            stale: p.stale,
            radar,
            not_ready,
            unknown,
        })
    }
}

/// The page, as `templates/child.html` fills it in.
#[derive(Template)]
#[template(path = "child.html")]
struct ChildPage {
    title: String,
    child_id: String,
    index_href: Option<String>,
    facts: Vec<Fact>,
    review_date: String,
    radar: InlineSvg,
    previous_date: Option<String>,
    rows: Vec<DomainRow>,
    scale: String,
    unmet: Vec<Unmet>,
    unknown: Vec<String>,
    band: Option<BandView>,
    over_time: InlineSvg,
    review_count: usize,
    trends: Vec<TrendRow>,
    escalating: String,
    plan: Option<PlanView>,
    next_review_by: String,
    interval: i64,
}
