//! Writing scored rows (CSV without per-cell allocation, JSON Lines) and
//! problem reports. Output files themselves ([`Output`]) are opened and
//! committed by [`crate::output`].

use vsend_core::scored::Cell;
use vsend_core::{scored_columns, Date, Domain, DomainSet, Framework, ScoredRow};

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
        push_text(out, &vsend_core::error::printable(text));
    }
    out.push(b'\n');
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

/// Appends one scored row as a CSV line: its [`cells`](ScoredRow::cells),
/// each as [`push_cell`] writes it. [`RowWriter`] writes the same bytes
/// faster, for many rows.
pub fn push_csv_row(out: &mut Vec<u8>, row: &ScoredRow<'_>) {
    for (i, cell) in row.cells().into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_cell(out, cell);
    }
    out.push(b'\n');
}

/// A count or a level, as [`Cell::Int`].
fn push_small(out: &mut Vec<u8>, n: u8) {
    match n {
        0..=9 => out.push(b'0' + n),
        10..=99 => out.extend_from_slice(&[b'0' + n / 10, b'0' + n % 10]),
        _ => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
    }
}

/// Appends one scored row as a JSON line: an object of the row's
/// [`columns`](ScoredRow::columns) and [`cells`](ScoredRow::cells), byte for
/// byte as `serde_json` writes the row (a test holds the two alike).
/// [`RowWriter`] writes the same bytes faster, for many rows.
pub fn push_json_row(out: &mut Vec<u8>, row: &ScoredRow<'_>) {
    out.push(b'{');
    for (i, (name, cell)) in row.columns().iter().zip(row.cells()).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Column names are plain ASCII: nothing to escape.
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        push_json_cell(out, cell);
    }
    out.extend_from_slice(b"}\n");
}

/// A short piece of output, copied as one fixed-size block whatever its
/// length: the writer advances by `len` only.
#[derive(Debug, Clone, Copy)]
struct Token {
    bytes: [u8; TOKEN],
    len: u8,
}

/// The longest [`Token`]: a JSON list of all five domains, a JSON key with
/// its quotes, colon and comma, or a number written by ryu (at most 24).
const TOKEN: usize = 32;

impl Token {
    const EMPTY: Token = Token {
        bytes: [0; TOKEN],
        len: 0,
    };

    fn of(text: &[u8]) -> Token {
        let mut t = Token::EMPTY;
        t.bytes[..text.len()].copy_from_slice(text);
        t.len = text.len() as u8;
        t
    }
}

/// The pieces every row is made of, written once by the reference writers.
#[derive(Debug)]
struct Tables {
    /// `x.0` for the whole numbers −99 to 99 (index x + 99).
    whole: Vec<Token>,
    /// The counts and levels 0 to 255.
    small: Vec<Token>,
    /// Every set of domains (by its bits): `cl;semh`, and `["cl","semh"]`.
    domains_csv: Vec<Token>,
    domains_json: Vec<Token>,
    /// `{"child_id":`, `,"assessed_on":`, …: the keys of a JSON row, banded or not.
    keys: Vec<Token>,
    keys_banded: Vec<Token>,
}

impl Tables {
    fn get() -> &'static Tables {
        static TABLES: std::sync::OnceLock<Tables> = std::sync::OnceLock::new();
        TABLES.get_or_init(|| {
            let token = |write: &dyn Fn(&mut Vec<u8>)| {
                let mut v = Vec::new();
                write(&mut v);
                Token::of(&v)
            };
            let sets = || (0..32u8).map(DomainSet::from_bits);
            let keys = |columns: &[&str]| {
                let key = |i: usize, name: &str| {
                    Token::of(format!("{}\"{name}\":", if i == 0 { "{" } else { "," }).as_bytes())
                };
                columns.iter().enumerate().map(|(i, n)| key(i, n)).collect()
            };
            Tables {
                whole: (-99..=99)
                    .map(|x| token(&|v| push_number(v, f64::from(x))))
                    .collect(),
                small: (0..=255).map(|n| token(&|v| push_small(v, n))).collect(),
                domains_csv: sets()
                    .map(|set| token(&|v| push_cell(v, Cell::Domains(set))))
                    .collect(),
                domains_json: sets()
                    .map(|set| token(&|v| push_json_cell(v, Cell::Domains(set))))
                    .collect(),
                keys: keys(&vsend_core::SCORED_COLUMNS),
                keys_banded: keys(&vsend_core::BANDED_COLUMNS),
            }
        })
    }
}

/// Room for one row in the fast writer: its texts are at most 64 bytes
/// each and every other cell a token, so some 2 KB at most.
const LINE: usize = 4096;
/// Texts longer than this, or needing quotes or escapes, go the reference way.
const PLAIN_TEXT: usize = 64;

/// Writes scored rows as CSV ([`push_csv_row`]) or JSON Lines
/// ([`push_json_row`]), the same bytes, several times faster: each row is
/// put together in a buffer of its own from precomputed pieces (whole
/// numbers, levels, lists of domains, JSON keys) copied in fixed-size
/// blocks, and numbers that are not whole are remembered once written.
/// A row with text that needs quoting or escaping (never an ID: §3 allows no
/// such character) is written by the reference functions.
#[derive(Debug)]
pub struct RowWriter {
    json: bool,
    tables: &'static Tables,
    line: Vec<u8>,
    /// Other numbers as written, by their bits: few coverages recur.
    numbers: Vec<(u64, Token)>,
    scratch: Vec<u8>,
}

impl RowWriter {
    /// A writer of CSV lines, or of JSON Lines with `json`.
    pub fn new(json: bool) -> RowWriter {
        RowWriter {
            json,
            tables: Tables::get(),
            line: vec![0; LINE],
            numbers: vec![(0, Token::EMPTY); 256],
            scratch: Vec::new(),
        }
    }

    /// Appends `row` to `out`, as one line.
    pub fn push(&mut self, out: &mut Vec<u8>, row: &ScoredRow<'_>) {
        let texts = [
            Some(&*row.child_id),
            row.setting_id.as_deref(),
            Some(&*row.framework_id),
            Some(&*row.framework_version),
            row.banding.as_ref().and_then(|b| b.band.as_deref()),
        ];
        let plain = |t: &str| {
            t.len() <= PLAIN_TEXT
                && if self.json {
                    t.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
                } else {
                    !looks_like_formula(t)
                        && !t.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
                }
        };
        if !texts.into_iter().flatten().all(plain) {
            return match self.json {
                true => push_json_row(out, row),
                false => push_csv_row(out, row),
            };
        }
        // The cursor is a local, so that its position stays in a register.
        let mut line = Line {
            json: self.json,
            tables: self.tables,
            buf: &mut self.line,
            at: 0,
            numbers: &mut self.numbers,
            scratch: &mut self.scratch,
        };
        if line.json {
            line.json_row(row);
        } else {
            line.csv_row(row);
        }
        let end = line.at;
        out.extend_from_slice(&self.line[..end]);
    }
}

/// One row being put together in a [`RowWriter`]'s buffer.
struct Line<'w> {
    json: bool,
    tables: &'static Tables,
    buf: &'w mut [u8],
    at: usize,
    numbers: &'w mut [(u64, Token)],
    scratch: &'w mut Vec<u8>,
}

impl Line<'_> {
    fn put(&mut self, t: Token) {
        self.buf[self.at..self.at + TOKEN].copy_from_slice(&t.bytes);
        self.at += usize::from(t.len);
    }

    fn put_bytes(&mut self, b: &[u8]) {
        self.buf[self.at..self.at + b.len()].copy_from_slice(b);
        self.at += b.len();
    }

    fn byte(&mut self, b: u8) {
        self.buf[self.at] = b;
        self.at += 1;
    }

    fn date(&mut self, d: Date) {
        let y = d.year();
        if (0..=9999).contains(&y) {
            let digit = |n: i16| b'0' + n as u8;
            let (m, day) = (i16::from(d.month()), i16::from(d.day()));
            self.put_bytes(&[
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
            self.scratch.clear();
            push_date(self.scratch, d);
            let (at, n) = (self.at, self.scratch.len());
            self.buf[at..at + n].copy_from_slice(self.scratch);
            self.at += n;
        }
    }

    /// A number as [`push_number`] writes it (CSV), or as serde_json does (JSON).
    #[inline(always)]
    fn number(&mut self, x: f64) {
        let whole = x as i64;
        if whole as f64 == x && (-99..=99).contains(&whole) && (whole != 0 || x.is_sign_positive())
        {
            self.put(self.tables.whole[(whole + 99) as usize]);
        } else {
            self.other_number(x);
        }
    }

    /// [`number`](Self::number) for a number that is not a small whole one.
    #[inline(never)]
    fn other_number(&mut self, x: f64) {
        let slot = (x.to_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
        let (bits, token) = self.numbers[slot];
        if bits == x.to_bits() && token.len > 0 {
            return self.put(token);
        }
        self.scratch.clear();
        if self.json {
            push_json_cell(self.scratch, Cell::Number(x));
        } else {
            push_number(self.scratch, x);
        }
        let token = Token::of(self.scratch);
        self.numbers[slot] = (x.to_bits(), token);
        self.put(token);
    }

    fn optional(&mut self, x: Option<f64>) {
        if let Some(x) = x {
            self.number(x);
        }
    }

    fn small(&mut self, n: u8) {
        self.put(self.tables.small[usize::from(n)]);
    }

    /// [`push_csv_row`], cell by cell from the row's fields.
    fn csv_row(&mut self, row: &ScoredRow<'_>) {
        self.put_bytes(row.child_id.as_bytes());
        self.byte(b',');
        self.date(row.assessed_on);
        self.byte(b',');
        if let Some(setting) = &row.setting_id {
            self.put_bytes(setting.as_bytes());
        }
        self.byte(b',');
        if let Some(band) = row.age_band {
            self.put_bytes(band.key().as_bytes());
        }
        for d in Domain::ALL {
            self.byte(b',');
            self.optional(row.need.get(d));
            self.byte(b',');
            self.small(row.breadth[d]);
            self.byte(b',');
            // Readiness and confidence are levels, written as whole numbers.
            if let Some(x) = row.readiness.get(d) {
                self.small(x as u8);
            }
            self.byte(b',');
            if let Some(x) = row.confidence.get(d) {
                self.small(x as u8);
            }
            self.byte(b',');
            self.optional(row.setting_gap.get(d));
            self.byte(b',');
            self.optional(row.family_gap.get(d));
        }
        match &row.whole {
            Some(w) => {
                self.put_bytes(b",true,");
                self.number(w.total_need);
                self.byte(b',');
                self.number(w.need_index);
                self.byte(b',');
                self.optional(w.setting_coverage);
                self.byte(b',');
                self.optional(w.family_coverage);
                self.byte(b',');
                self.put(self.tables.domains_csv[usize::from(w.unmet_setting.bits())]);
                self.byte(b',');
                self.put(self.tables.domains_csv[usize::from(w.unmet_family.bits())]);
                self.byte(b',');
                if let Some(d) = w.primary_domain {
                    self.put_bytes(d.key().as_bytes());
                }
            }
            // The seven whole-assessment cells, empty.
            None => self.put_bytes(b",false,,,,,,,"),
        }
        if let Some(b) = &row.banding {
            self.byte(b',');
            self.optional(b.band_score);
            self.byte(b',');
            if let Some(band) = &b.band {
                self.put_bytes(band.as_bytes());
            }
            self.byte(b',');
            if let Some(d) = b.band_raised_by {
                self.put_bytes(d.key().as_bytes());
            }
            self.byte(b',');
            self.optional(b.top_up);
        }
        self.byte(b',');
        self.put_bytes(row.framework_id.as_bytes());
        self.byte(b',');
        self.put_bytes(row.framework_version.as_bytes());
        self.byte(b'\n');
    }

    /// [`push_json_row`]: the row's columns and cells as one JSON object.
    fn json_row(&mut self, row: &ScoredRow<'_>) {
        let keys = match row.banding {
            Some(_) => &self.tables.keys_banded,
            None => &self.tables.keys,
        };
        for (&key, cell) in keys.iter().zip(row.cells()) {
            self.put(key);
            match cell {
                Cell::Null => self.put_bytes(b"null"),
                Cell::Text(t) => {
                    self.byte(b'"');
                    self.put_bytes(t.as_bytes());
                    self.byte(b'"');
                }
                Cell::Date(d) => {
                    self.byte(b'"');
                    self.date(d);
                    self.byte(b'"');
                }
                Cell::Int(n) => self.small(n),
                Cell::Whole(n) => {
                    self.scratch.clear();
                    self.scratch
                        .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
                    let (at, len) = (self.at, self.scratch.len());
                    self.buf[at..at + len].copy_from_slice(self.scratch);
                    self.at += len;
                }
                Cell::Number(x) => self.number(x),
                Cell::Bool(true) => self.put_bytes(b"true"),
                Cell::Bool(false) => self.put_bytes(b"false"),
                Cell::Domains(set) => self.put(self.tables.domains_json[usize::from(set.bits())]),
            }
        }
        self.put_bytes(b"}\n");
    }
}

/// One cell as a JSON value, as `Cell`'s `Serialize` writes it with `serde_json`.
fn push_json_cell(out: &mut Vec<u8>, cell: Cell<'_>) {
    match cell {
        Cell::Null => out.extend_from_slice(b"null"),
        Cell::Text(t) => push_json_string(out, t),
        Cell::Date(d) => {
            out.push(b'"');
            push_date(out, d);
            out.push(b'"');
        }
        Cell::Int(n) => push_small(out, n),
        Cell::Whole(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        // A whole number below 10^15 is `N.0` in every formatter; anything
        // else (fractions, exponents, non-finite) is serde_json's to spell.
        Cell::Number(x) if x == x.trunc() && x.abs() < 1e15 => push_number(out, x),
        Cell::Number(x) => {
            serde_json::to_writer(&mut *out, &x).expect("writing JSON to memory cannot fail")
        }
        Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Cell::Domains(set) => {
            out.push(b'[');
            for (i, d) in set.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(d.key().as_bytes());
                out.push(b'"');
            }
            out.push(b']');
        }
    }
}

/// A JSON string: IDs and keys go straight through; text with a quote, a
/// backslash or a control character is escaped by `serde_json` itself.
fn push_json_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, text).expect("writing JSON to memory cannot fail");
    }
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

    /// Rows of every shape: complete or not, banded or not, mean needs,
    /// missing values, text that needs quoting, escaping or defusing.
    fn rows_of_every_shape() -> Vec<(vsend_core::Framework, vsend_core::Assessment)> {
        use vsend_core::{AssessmentBuilder, Framework};
        let banded = Framework::from_json(include_str!(
            "../../../fixtures/examples/framework-banded.json"
        ))
        .unwrap();
        let mean =
            Framework::from_json(include_str!("../../../fixtures/framework-mean.json")).unwrap();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut rows = Vec::new();
        for fw in [Framework::default(), banded, mean] {
            for i in 0..2_000 {
                let max = u64::from(fw.scale().max_level());
                let level = |r: u64| match r % (max + 3) {
                    r if r > max => String::new(),
                    r => r.to_string(),
                };
                let mut b = AssessmentBuilder::new(&fw);
                b.child_id(&format!("C{i}")).assessed_on("2025-01-10");
                if i % 3 > 0 {
                    b.date_of_birth(["2015-05-05", "2022-01-01", "2005-02-01"][i % 3]);
                }
                if i % 5 > 0 {
                    b.setting_id(&format!("S-{}", i % 7));
                }
                for area in fw.areas() {
                    // Mostly complete, so that the whole-assessment figures show.
                    let l = if i % 4 == 0 {
                        level(next())
                    } else {
                        (next() % (max + 1)).to_string()
                    };
                    b.need(area.key(), &l);
                }
                for d in Domain::ALL {
                    b.readiness(d, &level(next())).confidence(d, &level(next()));
                }
                let a = b.build().unwrap();
                rows.push((fw.clone(), a));
            }
        }
        rows
    }

    #[test]
    fn csv_and_json_rows_are_written_as_their_cells_say() {
        use vsend_core::{score, ScoredRow};
        let (mut csv, mut json) = (RowWriter::new(false), RowWriter::new(true));
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        let text = |v: &Vec<u8>| String::from_utf8_lossy(v).into_owned();
        for (fw, a) in rows_of_every_shape() {
            let mut row = ScoredRow::new(&fw, &a, &score(&fw, &a));
            for odd in [
                None,
                Some("=1,\"a\""),
                Some("tab\there\u{1}é\\"),
                Some("-x"),
            ] {
                if let Some(t) = odd {
                    row.child_id = t.into();
                    row.setting_id = Some(t.into());
                    row.framework_version = t.into();
                }
                // CSV: the fast writer, the reference writer and the cells alike.
                fast.clear();
                csv.push(&mut fast, &row);
                slow.clear();
                push_csv_row(&mut slow, &row);
                assert_eq!(text(&fast), text(&slow));
                slow.clear();
                for (i, cell) in row.cells().into_iter().enumerate() {
                    if i > 0 {
                        slow.push(b',');
                    }
                    push_cell(&mut slow, cell);
                }
                slow.push(b'\n');
                assert_eq!(text(&fast), text(&slow));
                // JSON: the fast writer, the reference writer and serde_json alike.
                fast.clear();
                json.push(&mut fast, &row);
                slow.clear();
                push_json_row(&mut slow, &row);
                assert_eq!(text(&fast), text(&slow));
                slow.clear();
                serde_json::to_writer(&mut slow, &row).unwrap();
                slow.push(b'\n');
                assert_eq!(text(&fast), text(&slow));
            }
        }
    }

    #[test]
    fn rows_of_odd_numbers_are_written_alike() {
        use vsend_core::{score, AssessmentBuilder, Framework, ScoredRow};
        let fw = Framework::default();
        let mut b = AssessmentBuilder::new(&fw);
        b.child_id("C1").assessed_on("2025-01-10");
        let a = b.build().unwrap();
        let mut row = ScoredRow::new(&fw, &a, &score(&fw, &a));
        let (mut csv, mut json) = (RowWriter::new(false), RowWriter::new(true));
        for x in [
            -0.0,
            99.0,
            -99.0,
            100.0,
            -100.0,
            0.1,
            1e15,
            1e16,
            1e300,
            f64::NAN,
            2.0 / 3.0,
            -2.0 / 3.0,
        ] {
            // Twice each, the second from the writer's memory of numbers.
            for _ in 0..2 {
                row.need.set(Domain::Sp, Some(x));
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                csv.push(&mut fast, &row);
                push_csv_row(&mut slow, &row);
                assert_eq!(fast, slow, "{x}");
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                json.push(&mut fast, &row);
                serde_json::to_writer(&mut slow, &row).unwrap();
                slow.push(b'\n');
                assert_eq!(fast, slow, "{x}");
            }
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            9.0,
            -9.0,
            10.0,
            -10.0,
            0.5,
            2.0 / 3.0,
            1e15,
            1e16,
            1e17,
            9007199254740992.0,
            -9007199254740993.0,
            1e-7,
            123456.789,
            5e-324,
            f64::MAX,
        ] {
            let mut mine = Vec::new();
            push_json_cell(&mut mine, Cell::Number(x));
            assert_eq!(mine, serde_json::to_vec(&x).unwrap(), "{x}");
        }
        for x in [f64::NAN, f64::INFINITY] {
            let mut mine = Vec::new();
            push_json_cell(&mut mine, Cell::Number(x));
            assert_eq!(mine, serde_json::to_vec(&x).unwrap());
        }
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
