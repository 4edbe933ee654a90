//! One review packed into the 20 bytes that a projection (§15) and an impact
//! analysis (§16) read of it: what [`Keep::Levels`](crate::history::Keep::Levels)
//! keeps of every review of every child.
//!
//! A five-year history holds some fourteen reviews a child, so what a review
//! costs is what those commands' memory is made of: half of a
//! [`ReviewLevels`], which also carries what scoring reads (breadth, and both
//! the sum and the highest of the areas' levels).

use jiff::civil::Date;

use crate::framework::{Aggregate, MAX_AREAS_PER_DOMAIN};
use crate::score::ReviewLevels;

/// A need not known, in [`PackedReview::need`].
const NO_NEED: u8 = u8::MAX;
/// A readiness or confidence not assessed, in a nibble of [`PackedReview::offers`].
const NOT_ASSESSED: u8 = 0xF;
/// Bits per domain of the assessed-area counts in [`PackedReview::bits`].
const AREA_BITS: u32 = 3;
/// In [`PackedReview::bits`]: the date of birth is known.
const BORN_KNOWN: u16 = 1 << 15;

/// One review as §15 and §16 read it: its date, the date of birth, and per
/// domain need(d) (§4, kept exactly), readiness and confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedReview {
    on: Date,
    /// The date of birth when [`BORN_KNOWN`] is set in `bits`.
    born: Date,
    /// Per domain: the highest area level ([`Aggregate::Max`]) or the sum of
    /// the areas' levels ([`Aggregate::Mean`], at most 8 × 10), or [`NO_NEED`].
    need: [u8; 5],
    /// Per domain: readiness in the high nibble, confidence in the low.
    offers: [u8; 5],
    /// Per domain d, bits 3d to 3d + 2: the assessed areas less one (the
    /// divisor of a mean); bit 15: [`BORN_KNOWN`].
    bits: u16,
}

/// A level (at most 10, §2) as a nibble.
fn nibble(level: Option<u8>) -> u8 {
    debug_assert!(level.is_none_or(|l| l < NOT_ASSESSED));
    level.map_or(NOT_ASSESSED, |l| l)
}

/// A nibble back as a level.
fn level(nibble: u8) -> Option<u8> {
    (nibble != NOT_ASSESSED).then_some(nibble)
}

impl PackedReview {
    /// `r` packed for `aggregate`, which reading it back must be given too.
    pub(crate) fn new(r: &ReviewLevels, aggregate: Aggregate) -> Self {
        let mut packed = PackedReview {
            on: r.assessed_on(),
            born: r.date_of_birth().unwrap_or(r.assessed_on()),
            need: [NO_NEED; 5],
            offers: [0; 5],
            bits: if r.date_of_birth().is_some() {
                BORN_KNOWN
            } else {
                0
            },
        };
        for d in 0..5 {
            let (areas, sum, max) = r.needs().parts(d);
            if areas > 0 {
                debug_assert!(usize::from(areas) <= MAX_AREAS_PER_DOMAIN);
                packed.need[d] = match aggregate {
                    Aggregate::Max => max,
                    Aggregate::Mean => sum,
                };
                packed.bits |= u16::from(areas - 1) << (AREA_BITS * d as u32);
            }
            packed.offers[d] = nibble(r.readiness(d)) << 4 | nibble(r.confidence(d));
        }
        packed
    }

    /// The date of the review.
    #[inline]
    pub(crate) fn assessed_on(&self) -> Date {
        self.on
    }

    /// The date of birth on the review.
    #[inline]
    pub(crate) fn date_of_birth(&self) -> Option<Date> {
        (self.bits & BORN_KNOWN != 0).then_some(self.born)
    }

    /// The assessed areas of domain `d`, when any was.
    #[inline]
    fn areas(&self, d: usize) -> u8 {
        (self.bits >> (AREA_BITS * d as u32)) as u8 % (1 << AREA_BITS) + 1
    }

    /// need(d) (§4) with `aggregate`: exactly what [`score`](crate::score())
    /// gives.
    #[inline]
    pub(crate) fn need(&self, aggregate: Aggregate, d: usize) -> Option<f64> {
        let v = self.need[d];
        (v != NO_NEED).then(|| match aggregate {
            Aggregate::Max => f64::from(v),
            Aggregate::Mean => f64::from(v) / f64::from(self.areas(d)),
        })
    }

    /// floor(need(d)), the level §15 and the strata of §16 use.
    #[inline]
    pub(crate) fn level(&self, aggregate: Aggregate, d: usize) -> Option<u8> {
        let v = self.need[d];
        (v != NO_NEED).then(|| match aggregate {
            Aggregate::Max => v,
            Aggregate::Mean => v / self.areas(d),
        })
    }

    /// The readiness of domain `d`, when assessed.
    #[inline]
    pub(crate) fn readiness(&self, d: usize) -> Option<u8> {
        level(self.offers[d] >> 4)
    }

    /// The confidence of domain `d`, when assessed.
    #[inline]
    pub(crate) fn confidence(&self, d: usize) -> Option<u8> {
        level(self.offers[d] & NOT_ASSESSED)
    }
}
