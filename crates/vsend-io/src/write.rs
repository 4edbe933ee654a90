//! Writing scored rows (CSV without per-cell allocation, JSON Lines) and
//! problem reports. Output files themselves ([`Output`]) are opened and
//! committed by [`crate::output`].

use vsend_core::{scored_columns, Cell, Date, Framework, ScoredRow};

pub use crate::output::Output;
use crate::problem::Problem;

/// The header of a problem report in CSV (`--errors FILE.csv`).
pub const PROBLEM_COLUMNS: &str = "line,field,value,message";

/// Appends one problem of the record on `line` as a CSV row of
/// [`PROBLEM_COLUMNS`], every text cell defused against formulas.
pub fn push_problem_csv(out: &mut Vec<u8>, line: u64, p: &Problem) {
    out.extend_from_slice(itoa::Buffer::new().format(line).as_bytes());
    for text in [p.field().as_str(), p.found(), p.message().as_str()] {
        out.push(b',');
        push_text(out, &escape_controls(text));
    }
    out.push(b'\n');
}

/// `text` with each control character (C0, DEL, C1: NUL, ESC, …) written
/// as `\u{1b}`: a report is opened in editors and terminals, where a raw
/// ESC or NUL would act or vanish instead of showing what was found.
fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    std::borrow::Cow::Owned(escaped)
}

/// One problem of the record on `line` as a JSON object with the keys of
/// [`PROBLEM_COLUMNS`].
pub fn problem_json(line: u64, p: &Problem) -> serde_json::Value {
    serde_json::json!({"line": line, "field": p.field(), "value": p.found(), "message": p.message()})
}

/// Whether a spreadsheet would run this text as a formula (§10).
pub fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Appends `text` as one CSV cell: a leading `'` when it looks like a formula,
/// and quotes when it holds a comma, quote or line break.
pub fn push_text(out: &mut Vec<u8>, text: &str) {
    if looks_like_formula(text) {
        // Rare: build the defused cell, then quote it as any other.
        return push_text_plain(out, &format!("'{text}"));
    }
    push_text_plain(out, text);
}

fn push_text_plain(out: &mut Vec<u8>, text: &str) {
    if !text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    for (i, part) in text.split('"').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.as_bytes());
    }
    out.push(b'"');
}

fn push_date(out: &mut Vec<u8>, d: Date) {
    let y = d.year();
    if (0..=9999).contains(&y) {
        let digit = |n: i16| b'0' + n as u8;
        let (m, day) = (i16::from(d.month()), i16::from(d.day()));
        out.extend_from_slice(&[
            digit(y / 1000),
            digit(y / 100 % 10),
            digit(y / 10 % 10),
            digit(y % 10),
            b'-',
            digit(m / 10),
            digit(m % 10),
            b'-',
            digit(day / 10),
            digit(day % 10),
        ]);
    } else {
        out.extend_from_slice(d.to_string().as_bytes());
    }
}

/// Appends a number in the shortest form that reads back exactly. Whole
/// numbers (most levels, gaps and totals) skip the general float formatter.
fn push_number(out: &mut Vec<u8>, x: f64) {
    let whole = x as i64;
    if whole as f64 == x && whole.unsigned_abs() < 1 << 53 {
        match whole {
            0 if x.is_sign_negative() => out.extend_from_slice(b"-0.0"),
            0..=9 => out.extend_from_slice(&[b'0' + whole as u8, b'.', b'0']),
            -9..=-1 => {
                out.extend_from_slice(&[b'-', b'0' + whole.unsigned_abs() as u8, b'.', b'0'])
            }
            _ => {
                out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
                out.extend_from_slice(b".0");
            }
        }
    } else {
        out.extend_from_slice(ryu::Buffer::new().format(x).as_bytes());
    }
}

/// Appends one cell of a scored row in its CSV form (§10).
pub fn push_cell(out: &mut Vec<u8>, cell: Cell<'_>) {
    match cell {
        Cell::Null => {}
        Cell::Text(t) => push_text(out, t),
        Cell::Date(d) => push_date(out, d),
        Cell::Int(n @ 0..=9) => out.push(b'0' + n),
        Cell::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        Cell::Whole(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        Cell::Number(x) => push_number(out, x),
        Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Cell::Domains(set) => {
            for (i, d) in set.iter().enumerate() {
                if i > 0 {
                    out.push(b';');
                }
                out.extend_from_slice(d.key().as_bytes());
            }
        }
    }
}

/// The header line of scored CSV under `framework`: the §10 columns, and the
/// four §13 band columns after `primary_domain` when it has banding.
pub fn push_csv_header(out: &mut Vec<u8>, framework: &Framework) {
    out.extend_from_slice(scored_columns(framework).join(",").as_bytes());
    out.push(b'\n');
}

/// Appends one scored row as a CSV line.
pub fn push_csv_row(out: &mut Vec<u8>, row: &ScoredRow<'_>) {
    for (i, cell) in row.cells().into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_cell(out, cell);
    }
    out.push(b'\n');
}

/// Appends one scored row as a JSON line.
pub fn push_json_row(out: &mut Vec<u8>, row: &ScoredRow<'_>) {
    serde_json::to_writer(&mut *out, row).expect("writing JSON to memory cannot fail");
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn formula_cells_are_defused_and_quoted_cells_quoted() {
        let cell = |s: &str| {
            let mut v = Vec::new();
            push_text(&mut v, s);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("@x"), "'@x");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(cell("+1,2"), "\"'+1,2\"");
        assert_eq!(cell("S0001"), "S0001");
    }

    #[test]
    fn dates_and_numbers() {
        let mut v = Vec::new();
        push_cell(
            &mut v,
            Cell::Date(vsend_core::parse_date("2025-03-09").unwrap()),
        );
        v.push(b' ');
        push_cell(&mut v, Cell::Number(-2.0));
        v.push(b' ');
        push_cell(&mut v, Cell::Number(0.6666666666666666));
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "2025-03-09 -2.0 0.6666666666666666"
        );
    }

    #[test]
    fn a_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::create(Some(&path)).unwrap();
        out.write_all(b"new").unwrap();
        out.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        drop(out); // a failed run: nothing replaced, no temp file left
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut out = Output::create(Some(&path)).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
