//! A setting's index page: its audit radar (§8, §12), its priorities, the
//! reviews overdue, its bands (§13) and a link to each child's pack.

use askama::Template;
use vsend_chart::{cohort_radar, RadarStyle};
use vsend_core::{Date, Domain, Framework, GroupSummary, Timeline};

use crate::child::{scale_words, Cell};
use crate::svg::InlineSvg;
use crate::words::{add_days, amount, children, days, days_between, list, number, signed};
use crate::PackError;
use vsend_chart::band_note;

/// A setting's index of review packs.
///
/// `group` is the setting's §8 group (`setting_id=<ID>` of a cohort summary
/// by setting, as of `on`); each child comes with their timeline as of `on`
/// and the address of their pack relative to the index.
#[derive(Debug, Clone)]
pub struct SettingIndex<'a> {
    framework: &'a Framework,
    setting_id: &'a str,
    on: Date,
    group: &'a GroupSummary,
    children: Vec<(&'a Timeline, &'a str)>,
}

impl<'a> SettingIndex<'a> {
    /// The index of `setting_id` on `on`, with no children listed yet.
    pub fn new(
        framework: &'a Framework,
        setting_id: &'a str,
        on: Date,
        group: &'a GroupSummary,
    ) -> Self {
        SettingIndex {
            framework,
            setting_id,
            on,
            group,
            children: Vec::new(),
        }
    }

    /// Lists a child, whose pack is at `href` (relative to the index).
    pub fn child(mut self, timeline: &'a Timeline, href: &'a str) -> Self {
        self.children.push((timeline, href));
        self
    }

    /// The index as one self-contained HTML page.
    pub fn render(&self) -> Result<String, PackError> {
        Ok(self.page()?.render()?)
    }

    fn page(&self) -> Result<IndexPage, PackError> {
        let fw = self.framework;
        let g = self.group;
        let (entries, overdue) = self.entries();
        Ok(IndexPage {
            title: format!("Review packs: setting {}, {}", self.setting_id, self.on),
            setting: self.setting_id.to_owned(),
            on: self.on.to_string(),
            children: children(g.children),
            framework: format!("{} version {}", fw.id(), fw.version()),
            scale: scale_words(fw),
            high_need_level: fw.high_need_level(),
            radar: self.radar()?,
            rows: audit_rows(g),
            priorities: priorities(g),
            overdue,
            interval: i64::from(fw.review_interval_days()),
            bands: bands(fw, g),
            entries,
        })
    }

    /// The setting's audit radar (§8 means, §12 marks), described in words.
    fn radar(&self) -> Result<InlineSvg, PackError> {
        let g = self.group;
        let setting = self.setting_id;
        let style = RadarStyle {
            title: format!("{setting} · n = {} · as of {}", g.children, self.on),
            ..RadarStyle::default()
        };
        let svg = cohort_radar(self.framework, g, &style)?;
        InlineSvg::new(
            &svg,
            "audit",
            &format!(
                "Radar chart of {setting}'s {}: mean need, mean setting readiness and mean family confidence in five domains",
                children(g.children)
            ),
            "Mean needs are the blue solid line, mean setting readiness the green dashed line, mean family confidence the pink dotted line; a domain is marked where children's needs are not met. Every figure is in the table that follows.",
        )
    }

    /// A line per child with a review (their latest), and the children
    /// whose review is overdue on the index's date.
    fn entries(&self) -> (Vec<Entry>, Vec<Overdue>) {
        let fw = self.framework;
        let interval = i64::from(fw.review_interval_days());
        let mut entries = Vec::new();
        let mut overdue = Vec::new();
        for &(t, href) in &self.children {
            let Some(current) = t.reviews().last() else {
                continue;
            };
            let s = &current.scores;
            let child = t.child_id().as_str();
            let due = add_days(current.assessed_on, interval);
            let late = vsend_core::is_overdue(fw, current.assessed_on, self.on);
            if late {
                overdue.push(Overdue {
                    child: child.to_owned(),
                    href: href.to_owned(),
                    text: format!(
                        "last reviewed {}; due by {due}, {} ago",
                        current.assessed_on,
                        days(days_between(due, self.on))
                    ),
                });
            }
            let escalating: Vec<String> = Domain::ALL
                .into_iter()
                .filter(|&d| t.escalating()[d])
                .map(|d| d.name().to_owned())
                .collect();
            entries.push(Entry {
                child: child.to_owned(),
                href: href.to_owned(),
                review: current.assessed_on.to_string(),
                next: if late {
                    Cell {
                        number: String::new(),
                        words: format!("overdue since {due}"),
                        mark: "short",
                    }
                } else {
                    Cell {
                        number: String::new(),
                        words: format!("by {due}"),
                        mark: "",
                    }
                },
                setting_unmet: domain_names(unmet(&s.setting_gap)),
                family_unmet: domain_names(unmet(&s.family_gap)),
                band: fw
                    .banding()
                    .map(|_| band_note(fw, s).map_or("none (not complete)".to_owned(), |b| b.band)),
                escalating: list(&escalating),
            });
        }
        (entries, overdue)
    }
}

/// The domains of `set` in words, "none" for none.
fn domain_names(set: vsend_core::DomainSet) -> String {
    let v: Vec<String> = set.iter().map(|d| d.name().to_owned()).collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        list(&v)
    }
}

/// The domains whose gap is below 0: need not met.
fn unmet(gaps: &vsend_core::DomainVector) -> vsend_core::DomainSet {
    let mut set = vsend_core::DomainSet::EMPTY;
    for d in Domain::ALL {
        if gaps.get(d).is_some_and(|x| x < 0.0) {
            set.insert(d);
        }
    }
    set
}

/// The audit table: a row per domain.
fn audit_rows(g: &GroupSummary) -> Vec<AuditRow> {
    let share = |x: Option<f64>| x.map_or("not known".to_owned(), |s| format!("{:.0}%", 100.0 * s));
    Domain::ALL
        .map(|d| {
            let s = &g.domains[d];
            AuditRow {
                domain: d.name(),
                mean_need: s.mean_need.map_or("not assessed".to_owned(), number),
                high_need: s.high_need,
                unmet: s.unmet_by_setting,
                met_by_family: share(s.met_by_family),
                planned: share(s.planned_met_by_setting),
            }
        })
        .to_vec()
}

/// The setting's priorities (§12), each with what makes it one.
fn priorities(g: &GroupSummary) -> Vec<(&'static str, String)> {
    g.priorities
        .iter()
        .map(|&d| {
            let s = &g.domains[d];
            let gap = s.mean_setting_gap.map_or(String::new(), |x| {
                format!("; mean setting gap {}", signed(x))
            });
            (
                d.name(),
                format!(
                    "{} whose need the setting is not yet ready for{gap}.",
                    children(s.unmet_by_setting)
                ),
            )
        })
        .collect()
}

/// The §13 band counts and top-up total, when the framework bands.
fn bands(fw: &Framework, g: &GroupSummary) -> Option<Bands> {
    let (Some(banding), Some(counts)) = (fw.banding(), &g.banding) else {
        return None;
    };
    let mut rows: Vec<BandRow> = banding
        .bands()
        .iter()
        .map(|b| BandRow {
            band: b.id().to_owned(),
            label: b.label().to_owned(),
            children: counts
                .bands
                .iter()
                .find(|(id, _)| id == b.id())
                .map_or(0, |(_, n)| *n),
            top_up: b.top_up().map_or("none".to_owned(), amount),
        })
        .collect();
    rows.push(BandRow {
        band: "none".to_owned(),
        label: "Not banded: not every need assessed".to_owned(),
        children: counts.unbanded,
        top_up: String::new(),
    });
    Some(Bands {
        rows,
        total: counts.top_up_total.map(amount),
    })
}

#[derive(Debug, Clone)]
struct AuditRow {
    domain: &'static str,
    mean_need: String,
    high_need: u64,
    unmet: u64,
    met_by_family: String,
    planned: String,
}

#[derive(Debug, Clone)]
struct Overdue {
    child: String,
    href: String,
    text: String,
}

#[derive(Debug, Clone)]
struct Entry {
    child: String,
    href: String,
    review: String,
    next: Cell,
    setting_unmet: String,
    family_unmet: String,
    band: Option<String>,
    escalating: String,
}

#[derive(Debug, Clone)]
struct BandRow {
    band: String,
    label: String,
    children: u64,
    top_up: String,
}

#[derive(Debug, Clone)]
struct Bands {
    rows: Vec<BandRow>,
    total: Option<String>,
}

/// The page, as `templates/index.html` fills it in.
#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    title: String,
    setting: String,
    on: String,
    children: String,
    framework: String,
    scale: String,
    high_need_level: u8,
    radar: InlineSvg,
    rows: Vec<AuditRow>,
    priorities: Vec<(&'static str, String)>,
    overdue: Vec<Overdue>,
    interval: i64,
    bands: Option<Bands>,
    entries: Vec<Entry>,
}
