//! Charts for review meetings, panels and planning: the three-line Valuing
//! SEND radar (with an optional band line), a child's needs over time, a
//! cohort's mean radar, a transition plan's radar (§11), a comparison of
//! summaries (§14), the fan chart of a projection (§15) and the forest chart
//! of the impact of support (§16), as SVG and PNG.
//!
//! Everything is drawn with plotters in pixel space by one function generic
//! over its backend. Text uses the embedded DejaVu Sans (Bitstream Vera
//! licence, see `fonts/LICENSE-DejaVu.txt`), written into the SVG as glyph
//! outlines (each glyph used defined once, the words kept in `aria-label`),
//! so charts look the same in every viewer, including one with no fonts.
//! PNGs are rasterised from that SVG with resvg, which anti-aliases.
//! No function here touches a file: callers get a `String` or PNG bytes.
//!
//! ```
//! use vsend_core::{score, AssessmentBuilder, Domain, Framework};
//! use vsend_chart::{radar, RadarStyle};
//!
//! let fw = Framework::default();
//! let mut b = AssessmentBuilder::new(&fw);
//! b.child_id("C0042").assessed_on("2025-03-14");
//! for area in fw.areas() {
//!     b.need(area.key(), "2");
//! }
//! for d in Domain::ALL {
//!     b.readiness(d, "3").confidence(d, "1");
//! }
//! let a = b.build().unwrap();
//! let svg = radar(&fw, &score(&fw, &a), None, &RadarStyle::for_review(a.child_id().as_str(), a.assessed_on())).unwrap();
//! assert!(svg.contains("Family confidence"));
//! ```

mod radar;
mod render;
mod timeline;
// From the model's values to a picture: shared by the CLI and Python.
mod views;

// The comparison chart (§14) and the SVG text-as-outlines step.
mod comparison;
mod outline;

// The fan chart of a projection (§15) and the forest chart of impact (§16).
mod fan;
mod forest;

pub use comparison::{
    comparison_chart, comparison_chart_png, ComparedSummary, ComparisonStyle, MAX_COMPARED,
};
pub use fan::{fan_chart, fan_chart_png, FanStyle};
pub use forest::{forest_chart, forest_chart_png, ForestStyle};
pub use radar::{
    cohort_radar, cohort_radar_png, radar, radar_png, transition_radar, transition_radar_png,
    BandNote, RadarStyle, TransitionView,
};
pub use render::{svg_to_png, FONT_BOLD, FONT_FAMILY, FONT_REGULAR};
pub use timeline::{timeline_chart, timeline_chart_png, TimelineStyle};
pub use views::{band_note, child_radar, child_timeline, group_radar, plan_radar, ChildRadar};

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// plotters could not draw (a font or backend problem).
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The SVG could not be rasterised.
    #[error("rasterising failed: {0}")]
    Raster(String),
    /// A timeline without a review (none on or before its date).
    #[error("no review to draw")]
    NoReview,
    /// No review on the date asked for; `latest` is the latest before it.
    #[error("no assessment on {on}; the latest before it is {latest}")]
    NoReviewOn {
        /// The date asked for.
        on: jiff::civil::Date,
        /// The child's latest review before it.
        latest: jiff::civil::Date,
    },
    /// No group of that name in the summary.
    #[error("group {group:?} not found; groups: {}", groups.join(", "))]
    NoGroup {
        /// The group asked for.
        group: String,
        /// The groups the summary has.
        groups: Vec<String>,
    },
    /// More summaries than one comparison chart can draw apart.
    #[error("a comparison chart draws at most {max} summaries; {given} given (the JSON compares them all: draw fewer)")]
    TooManySummaries {
        /// Summaries given.
        given: usize,
        /// The most drawn, [`MAX_COMPARED`].
        max: usize,
    },
    /// The size asked for is outside 100 to 8000 pixels.
    #[error("size {width}×{height} px is outside the allowed 100 to 8000 px per side")]
    Size {
        /// Width asked for.
        width: u32,
        /// Height asked for.
        height: u32,
    },
}

/// A shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, ChartError>;
