//! Review packs for the people in a review meeting (a SENCO, a parent, a
//! caseworker, a health visitor), who do not use a command line or open JSON.
//!
//! A [`ChildPack`] is one self-contained HTML page about one child, readable
//! on screen and printed on A4 in at most two pages: the header (setting, age
//! band, the review shown and the one before, whether the next review is
//! due or overdue, §7), the three-line radar with the previous review, a
//! table per domain with the framework's level words, what is not yet met in
//! plain sentences, the needs over time with trends and escalation, the band
//! (§13) when the framework has banding, the transition radar (§11) when a
//! plan is given, and an assess–plan–do–review box with ruled space for the
//! meeting's actions. A [`SettingIndex`] is a setting's page: its audit radar
//! and priorities (§12), overdue reviews, band counts and a link to each
//! child's pack.
//!
//! Pages are filled in by [askama] templates (`templates/`), checked when the
//! crate is compiled; every value is HTML-escaped. Charts come from
//! `vsend-chart` and are checked and rewritten before they go inline
//! ([`InlineSvg`]): ids unique in the page, a title and a description, and
//! nothing a chart never draws. A page loads nothing and runs nothing: no
//! script, no external font, style sheet or image, and a content security
//! policy (`default-src 'none'`) that tells the browser so.
//!
//! Nothing here reads or writes a file: callers give the core's values and
//! get the page as a `String`.

mod child;
mod index;
mod svg;
mod words;

pub use child::ChildPack;
pub use index::SettingIndex;
pub use svg::InlineSvg;

/// Why a page could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A chart could not be drawn.
    #[error("chart: {0}")]
    Chart(#[from] vsend_chart::ChartError),
    /// A chart's SVG holds something a page must not inline.
    #[error("chart {chart}: {why}")]
    Svg {
        /// Which chart of the page.
        chart: String,
        /// What was found.
        why: String,
    },
    /// The timeline has no review on or before the pack's date.
    #[error("the child has no review on or before the pack's date")]
    NoReview,
    /// The template could not be filled in.
    #[error("page: {0}")]
    Template(#[from] askama::Error),
}
