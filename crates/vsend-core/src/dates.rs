//! §3 dates: strict ISO 8601 calendar dates (`YYYY-MM-DD`) and ages in whole
//! years. Dates are [`jiff::civil::Date`]: a plain calendar date with no time
//! zone to get wrong, checked construction (no 30 February), cheap `Ord` and
//! day arithmetic.

use jiff::civil::Date;

/// The oldest age, in whole years, that the framework covers (birth to 25, §3).
pub const MAX_AGE: i16 = 25;

/// Parses a strict ISO 8601 calendar date, `YYYY-MM-DD`.
///
/// ```
/// use vsend_core::parse_date;
/// assert!(parse_date("2024-02-29").is_some());
/// assert!(parse_date("2025-02-29").is_none());
/// assert!(parse_date("2025-2-28").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<Date> {
    parse_date_bytes(s.as_bytes())
}

pub(crate) fn parse_date_bytes(b: &[u8]) -> Option<Date> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i16> {
        b[range].iter().try_fold(0i16, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y, m as i8, d as i8).ok()
}

/// Age in whole years on `on` for someone born on `born`, birthday-based (§3).
///
/// A 29 February birthday falls on 28 February in other years. The result is
/// negative when `on` is before `born`.
///
/// ```
/// use vsend_core::{age_in_years, parse_date};
/// let d = |s| parse_date(s).unwrap();
/// assert_eq!(age_in_years(d("2008-02-29"), d("2009-02-27")), 0);
/// assert_eq!(age_in_years(d("2008-02-29"), d("2009-02-28")), 1);
/// ```
pub fn age_in_years(born: Date, on: Date) -> i16 {
    let birthday_in = |year: i16| {
        let (m, d) = (born.month(), born.day());
        if (m, d) == (2, 29) && Date::new(year, 2, 29).is_err() {
            (2, 28)
        } else {
            (m, d)
        }
    };
    let years = on.year() - born.year();
    if (on.month(), on.day()) < birthday_in(on.year()) {
        years - 1
    } else {
        years
    }
}
