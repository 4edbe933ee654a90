//! From the model's values to a picture: which review is drawn, what the
//! band line says, what a group's radar is titled. The `vsend` command and
//! the Python package both call these, so they draw the same picture for the
//! same child, byte for byte.

use jiff::civil::Date;
use vsend_core::{CohortSummary, Framework, PlanRow, Scores, Timeline};

use crate::radar::{cohort_radar, radar, transition_radar, BandNote, RadarStyle, TransitionView};
use crate::timeline::{timeline_chart, TimelineStyle};
use crate::{ChartError, Result};

/// The §13 band of `scores` as a footer line, when the framework has banding
/// and the assessment is complete.
pub fn band_note(framework: &Framework, scores: &Scores) -> Option<BandNote> {
    let banding = framework.banding()?;
    let result = banding.band(&scores.need)?;
    let band = &banding.bands()[result.band];
    Some(BandNote {
        band: band.id().to_owned(),
        label: band.label().to_owned(),
        score: result.band_score,
        raised_by: result.raised_by,
    })
}

/// What a child's radar shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChildRadar {
    /// The review to draw: it must be a review date of the child. `None`:
    /// their latest in the timeline.
    pub on: Option<Date>,
    /// Also draw the review before it, as a thin dashed line.
    pub previous: bool,
    /// Width and height in pixels. `None`: 800 × 800.
    pub size: Option<(u32, u32)>,
}

/// A child's three-line radar (§5) on one review of their `timeline` (§7),
/// with the review before it when asked and the band line when the framework
/// has banding (§13).
///
/// A timeline made as of `on` ends at the latest review on or before it, so
/// when `on` is not a review date of the child this is
/// [`ChartError::NoReviewOn`], naming the latest review before it.
pub fn child_radar(
    framework: &Framework,
    timeline: &Timeline,
    view: &ChildRadar,
) -> Result<String> {
    let child = timeline.child_id();
    let reviews = timeline.reviews();
    let Some(current) = reviews.last() else {
        return Err(ChartError::NoReview);
    };
    if let Some(on) = view.on.filter(|on| *on != current.assessed_on) {
        return Err(ChartError::NoReviewOn {
            on,
            latest: current.assessed_on,
        });
    }
    let before = view
        .previous
        .then(|| reviews.len().checked_sub(2).map(|i| &reviews[i]))
        .flatten();
    let mut style = sized(
        RadarStyle::for_review(child.as_str(), current.assessed_on),
        view.size,
    );
    style.previous_date = before.map(|b| b.assessed_on);
    style.band = band_note(framework, &current.scores);
    radar(
        framework,
        &current.scores,
        before.map(|b| &b.scores),
        &style,
    )
}

/// A child's needs over time (§7), titled with their ID.
pub fn child_timeline(
    framework: &Framework,
    timeline: &Timeline,
    size: Option<(u32, u32)>,
) -> Result<String> {
    let (width, height) = size.unwrap_or((1000, 800));
    let style = TimelineStyle {
        width,
        height,
        title: format!("{} · needs over time", timeline.child_id()),
    };
    timeline_chart(framework, timeline, &style)
}

/// The transition radar (§11) of one planned move.
pub fn plan_radar(
    framework: &Framework,
    row: &PlanRow,
    size: Option<(u32, u32)>,
) -> Result<String> {
    let view = TransitionView {
        needs: row.need,
        readiness_from: row.readiness_from,
        readiness_to: row.readiness_to,
        from_setting: row.from_setting_id.as_ref().map(ToString::to_string),
        to_setting: row.to_setting_id.to_string(),
        move_on: row.move_on,
        child_id: row.child_id.to_string(),
    };
    transition_radar(framework, &view, &sized(RadarStyle::default(), size))
}

/// The mean radar (§8) of the group named `group` of a summary, titled with
/// the group, its children and the date. An unknown group is
/// [`ChartError::NoGroup`], listing the groups there are.
pub fn group_radar(
    framework: &Framework,
    summary: &CohortSummary,
    group: &str,
    size: Option<(u32, u32)>,
) -> Result<String> {
    let g = summary.group(group).ok_or_else(|| ChartError::NoGroup {
        group: group.to_owned(),
        groups: summary.groups.0.iter().map(|(k, _)| k.clone()).collect(),
    })?;
    let when = summary
        .as_of
        .map_or(String::new(), |d| format!(" · as of {d}"));
    let style = RadarStyle {
        title: format!("{group} · n = {}{when}", g.children),
        ..RadarStyle::default()
    };
    cohort_radar(framework, g, &sized(style, size))
}

fn sized(style: RadarStyle, size: Option<(u32, u32)>) -> RadarStyle {
    match size {
        Some((w, h)) => style.with_size(w, h),
        None => style,
    }
}
