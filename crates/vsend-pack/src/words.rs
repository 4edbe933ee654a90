//! Numbers and levels in words, the way a page says them to a parent.

use vsend_core::{AgeBand, Date, Framework};

/// A figure with at most two decimals and no trailing zeros, with a real
/// minus sign: 3, 2.5, 0.33, −1.
pub(crate) fn number(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match s {
        "-0" => "0".to_owned(),
        s => s.replacen('-', "\u{2212}", 1),
    }
}

/// A difference with its sign: +1, 0, −0.5.
pub(crate) fn signed(x: f64) -> String {
    let n = number(x);
    if n == "0" || n.starts_with('\u{2212}') {
        n
    } else {
        format!("+{n}")
    }
}

/// What a level means on the framework's scale: its label, or for a mean
/// between two levels "Moderate to Significant".
pub(crate) fn level_word(fw: &Framework, x: f64) -> String {
    let labels = fw.scale().labels();
    let top = labels.len().saturating_sub(1);
    let clamp = |v: f64| (v.max(0.0) as usize).min(top);
    let (low, high) = (clamp(x.floor()), clamp(x.ceil()));
    match (labels.get(low), labels.get(high)) {
        (Some(l), Some(_)) if low == high => l.clone(),
        (Some(l), Some(h)) => format!("{l} to {h}"),
        _ => String::new(),
    }
}

/// "level 3 (Significant)".
pub(crate) fn level_phrase(fw: &Framework, x: f64) -> String {
    format!("level {} ({})", number(x), level_word(fw, x))
}

/// The age band as a person says it.
pub(crate) fn age_band(band: Option<AgeBand>) -> String {
    match band {
        Some(AgeBand::EarlyYears) => "Early years (aged 0 to 4)",
        Some(AgeBand::Primary) => "Primary (aged 5 to 10)",
        Some(AgeBand::Secondary) => "Secondary (aged 11 to 15)",
        Some(AgeBand::Post16) => "Post-16 (aged 16 to 25)",
        None => "Not known (no date of birth)",
    }
    .to_owned()
}

/// "1 day" or "12 days".
pub(crate) fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

/// "1 child" or "12 children".
pub(crate) fn children(n: u64) -> String {
    if n == 1 {
        "1 child".to_owned()
    } else {
        format!("{n} children")
    }
}

/// The date `n` days after `date`, or `date` itself when out of range.
pub(crate) fn add_days(date: Date, n: i64) -> Date {
    date.checked_add(jiff::Span::new().days(n)).unwrap_or(date)
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    i64::from(vsend_core::day_number(to)) - i64::from(vsend_core::day_number(from))
}

/// A money-like amount with thousands separators and at most two decimals:
/// 4,200 or 1,234.5. The framework does not say the currency.
pub(crate) fn amount(x: f64) -> String {
    let text = number(x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && text != "0" {
        "\u{2212}"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// Joins "a", "b" and "c" as "a, b and c".
pub(crate) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1.0 / 3.0), "0.33");
        assert_eq!(number(-1.0), "\u{2212}1");
        assert_eq!(number(-0.001), "0");
        assert_eq!(signed(1.0), "+1");
        assert_eq!(signed(0.0), "0");
        assert_eq!(signed(-0.5), "\u{2212}0.5");
        assert_eq!(amount(4200.0), "4,200");
        assert_eq!(amount(1234567.5), "1,234,567.5");
        assert_eq!(amount(999.0), "999");
        assert_eq!(amount(0.0), "0");
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(list(&["a".into()]), "a");
    }

    #[test]
    fn levels_have_their_framework_words() {
        let fw = Framework::default();
        assert_eq!(level_word(&fw, 3.0), "Significant");
        assert_eq!(level_word(&fw, 0.0), "No additional need");
        assert_eq!(level_word(&fw, 2.5), "Moderate to Significant");
        assert_eq!(level_phrase(&fw, 2.0), "level 2 (Moderate)");
    }

    #[test]
    fn dates_move_by_days() {
        let d = vsend_core::parse_date("2025-05-14").unwrap();
        assert_eq!(add_days(d, 122).to_string(), "2025-09-13");
        assert_eq!(
            days_between(d, vsend_core::parse_date("2025-09-01").unwrap()),
            110
        );
    }
}
