//! Excel in: a sheet gives the same rows, scores and problems as the CSV
//! file with the same cells, numbered by the rows Excel shows; every bad
//! workbook is a file error that says what it is and what to do.
//!
//! Checks: §9 and §10 for Excel workbooks.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet};
use vsend_core::{score, Framework, ScoredRow, SeenDates};
use vsend_io::pipeline::score_parallel;
use vsend_io::problem::{Cause, Problem};
use vsend_io::read::{FileError, Input, Plans, Row, Schema};
use vsend_io::xlsx::read::SheetCell;

/// What kind of problem `p` is, named as the CSV reader's problems are.
fn kind(p: &Problem) -> &'static str {
    match &p.cause {
        Cause::Sheet { cell, .. } => match cell {
            SheetCell::NotId(..) => "BadId",
            SheetCell::TimeOfDay(_) => "NotADate",
            SheetCell::Duration(..) => "WrongType",
            SheetCell::ErrorValue(_) => "ExcelError",
            SheetCell::NoValue => "NoSavedResult",
            SheetCell::OutsideHeader { .. } => "FieldCount",
        },
        Cause::FieldCount { .. } => "FieldCount",
        Cause::Invalid(e) => match e {
            vsend_core::ValidationError::BadId { .. } => "BadId",
            vsend_core::ValidationError::NotADate { .. } => "NotADate",
            vsend_core::ValidationError::NotALevel { .. } => "NotALevel",
            vsend_core::ValidationError::Missing { .. } => "Missing",
            _ => "Invalid",
        },
        _ => "Other",
    }
}
use vsend_io::write::push_csv_row;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Each row's line and either its value as text or its problems.
type Outcome = Vec<(u64, Result<String, Vec<Problem>>)>;

/// A row as text: its line and either its scored CSV line or its problems.
fn outcome<S: Schema>(
    fw: &Framework,
    path: &Path,
    sheet: Option<&str>,
    show: impl Fn(&S::Value) -> String,
) -> Result<Outcome, FileError> {
    let input = Input::open_sheet(path, sheet)?;
    let mut out = Vec::new();
    for row in input.rows_as::<S>(fw)? {
        out.push(match row? {
            Row::Accepted { line, value } => (line, Ok(show(&value))),
            Row::Rejected { line, problems } => (line, Err(problems)),
        });
    }
    Ok(out)
}

fn scored(fw: &Framework) -> impl Fn(&vsend_core::Assessment) -> String + '_ {
    |a| {
        let mut line = Vec::new();
        push_csv_row(&mut line, &ScoredRow::new(fw, a, &score(fw, a)));
        String::from_utf8(line).unwrap()
    }
}

fn rows_of(fw: &Framework, path: &Path) -> Outcome {
    outcome::<vsend_io::read::Assessments>(fw, path, None, scored(fw)).unwrap()
}

/// A CSV line with fewer fields than the header: it has no Excel form (a
/// short row is a row with empty cells), so it is left out of comparisons.
fn short_line<T>((_, row): &(u64, Result<T, Vec<Problem>>)) -> bool {
    matches!(row, Err(p) if p.iter().any(|p| kind(p) == "FieldCount"))
}

fn is_id(name: &str) -> bool {
    name.ends_with("_id")
}

fn is_date(name: &str) -> bool {
    matches!(name, "assessed_on" | "date_of_birth" | "move_on")
}

/// Writes the cells of a quote-free CSV file to `sheet` as an analyst's
/// workbook holds them: IDs as text, valid ISO dates as dates, whole numbers
/// as numbers, anything else as the text it is; empty cells left out. With
/// `typed` false every cell is text.
fn write_csv(sheet: &mut Worksheet, csv: &str, typed: bool) {
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    let mut header: Vec<String> = Vec::new();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c16) = (r as u32, c as u16);
            if r == 0 {
                header.push(cell.to_owned());
            }
            if cell.is_empty() {
                continue;
            }
            let name = header.get(c).map_or("", String::as_str);
            let whole = cell.bytes().all(|b| b.is_ascii_digit()) && cell.len() < 10;
            let as_date = (cell.len() == 10)
                .then(|| vsend_core::parse_date(cell))
                .flatten()
                .and_then(|_| ExcelDateTime::parse_from_str(cell).ok());
            if !typed || r == 0 || is_id(name) {
                sheet.write_string(r, c16, cell).unwrap();
            } else if let (true, Some(d)) = (is_date(name), as_date) {
                sheet.write_datetime_with_format(r, c16, d, &date).unwrap();
            } else if whole && !cell.starts_with('0') || cell == "0" {
                sheet
                    .write_number(r, c16, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, c16, cell).unwrap();
            }
        }
    }
}

/// `csv` as a one-sheet workbook in `dir`.
fn workbook_of(dir: &Path, name: &str, csv: &str, typed: bool) -> PathBuf {
    let mut book = Workbook::new();
    write_csv(book.add_worksheet(), csv, typed);
    let path = dir.join(name);
    book.save(&path).unwrap();
    path
}

#[test]
fn the_cohort_fixture_scores_as_its_csv() {
    let fw = Framework::default();
    let csv = rows_of(&fw, &fixtures().join("cohort.csv"));
    let xlsx = rows_of(&fw, &fixtures().join("cohort.xlsx"));
    assert_eq!(csv.len(), 36);
    assert!(csv.iter().all(|(_, r)| r.is_ok()));
    assert_eq!(xlsx, csv);
}

#[test]
fn the_cohort_fixture_holds_typed_cells() {
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(fixtures().join("cohort.xlsx")).unwrap();
    let range = book.worksheet_range("cohort").unwrap();
    let csv = std::fs::read_to_string(fixtures().join("cohort.csv")).unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(range.height(), lines.len(), "the header and 36 rows");
    for (r, line) in lines.iter().enumerate().skip(1) {
        for (c, text) in line.iter().enumerate() {
            let cell = range.get((r, c)).unwrap_or(&Data::Empty);
            let name = lines[0][c];
            match cell {
                Data::Empty => assert!(text.is_empty(), "{name} row {r}"),
                Data::String(s) => {
                    assert!(is_id(name), "{name} is text only for IDs");
                    assert_eq!(s, text);
                }
                Data::DateTime(d) => {
                    assert!(is_date(name));
                    let (y, m, day, ..) = d.to_ymd_hms_milli();
                    assert_eq!(format!("{y:04}-{m:02}-{day:02}"), *text);
                }
                Data::Float(x) => assert_eq!(x.to_string(), *text, "{name} row {r}"),
                other => panic!("{name} row {r}: {other:?}"),
            }
        }
    }
}

#[test]
fn bad_rows_get_the_same_problems_on_the_same_rows() {
    let fw = Framework::default();
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "cohort-bad-rows.csv",
        "cohort-duplicates.csv",
        "cohort-small.csv",
    ] {
        let path = fixtures().join("examples").join(file);
        let csv = std::fs::read_to_string(&path).unwrap();
        let want = rows_of(&fw, &path);
        for typed in [true, false] {
            let xlsx = workbook_of(dir.path(), &format!("{typed}-{file}.xlsx"), &csv, typed);
            let got = rows_of(&fw, &xlsx);
            assert_eq!(got.len(), want.len(), "{file}");
            for (g, w) in got.iter().zip(&want).filter(|(_, w)| !short_line(w)) {
                assert_eq!(g, w, "{file}, typed cells: {typed}");
            }
        }
        if file == "cohort-bad-rows.csv" {
            assert_eq!(want.iter().filter(|(_, r)| r.is_err()).count(), 18);
        }
    }
}

#[test]
fn scoring_a_sheet_in_parallel_gives_the_csv_output_and_rejections() {
    let fw = Framework::default();
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures().join("examples/cohort-duplicates.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let xlsx = workbook_of(dir.path(), "dups.xlsx", &csv, true);
    let run = |path: &Path| {
        let (reader, parser) = Input::open(path).unwrap().open_records(&fw).unwrap();
        let mut seen = SeenDates::new();
        let (mut output, mut rejected) = (Vec::new(), Vec::new());
        score_parallel::<FileError>(
            reader,
            &parser,
            &mut seen,
            false,
            |_| {},
            |b| {
                output.extend_from_slice(&b.output);
                rejected.extend(b.rejected.iter().cloned());
                Ok(())
            },
        )
        .unwrap();
        (output, rejected)
    };
    let (want_out, want_rejected) = run(&path);
    let (got_out, got_rejected) = run(&xlsx);
    assert_eq!(got_out, want_out);
    assert_eq!(got_rejected, want_rejected);
    let lines: Vec<u64> = got_rejected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [7, 24], "the two same-date re-submissions (§7)");
}

#[test]
fn plans_read_from_a_sheet_as_from_csv() {
    let fw = Framework::default();
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures().join("examples/plans-small.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let show = |p: &vsend_core::Plan| format!("{p:?}");
    let want = outcome::<Plans>(&fw, &path, None, show).unwrap();
    let xlsx = workbook_of(dir.path(), "plans.xlsx", &csv, true);
    let got = outcome::<Plans>(&fw, &xlsx, None, show).unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want).filter(|(_, w)| !short_line(w)) {
        assert_eq!(g, w);
    }
    assert!(want.iter().any(|(_, r)| r.is_err()));
}

/// The problems of `path` as `(row, field, kind)`.
fn problems_of(path: &Path) -> Vec<(u64, String, &'static str)> {
    let fw = Framework::default();
    rows_of(&fw, path)
        .into_iter()
        .filter_map(|(line, r)| r.err().map(|p| (line, p)))
        .flat_map(|(line, ps)| ps.into_iter().map(move |p| (line, p.field(), kind(&p))))
        .collect()
}

#[test]
fn cells_excel_gets_wrong_reject_their_own_row_named_as_excel_shows_it() {
    let path = fixtures().join("bad/xlsx-cells.xlsx");
    let input = Input::open(&path).unwrap();
    assert!(
        input.name.ends_with("xlsx-cells.xlsx [cells]"),
        "{}",
        input.name
    );
    let notes = input.notes();
    let rows: Vec<_> = input
        .rows(&Framework::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let first = match &rows[0] {
        Row::Accepted { line, value } => (*line, value.child_id().to_string()),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        first,
        (4, "4711".into()),
        "header on row 3, so data from row 4"
    );
    let notes = notes.take();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].column, "child_id");
    assert!(
        notes[0].message.contains("(the first in row 4: 4711)"),
        "{}",
        notes[0].message
    );

    let s = |f: &str| f.to_owned();
    assert_eq!(
        problems_of(&path),
        [
            (5, s("child_id"), "BadId"),
            (6, s("child_id"), "BadId"),
            (7, s("setting_id"), "BadId"),
            (8, s("assessed_on"), "NotADate"),
            (10, s("need.cl.literacy"), "NotALevel"),
            (12, s("(row)"), "FieldCount"),
            (13, s("date_of_birth"), "NotADate"),
            (14, s("need.cl.learning"), "NotALevel"),
        ]
    );
    let fw = Framework::default();
    let all = rows_of(&fw, &path);
    let message = |line: u64| match &all.iter().find(|(l, _)| *l == line).unwrap().1 {
        Err(p) => p[0].message(),
        Ok(_) => panic!("row {line} accepted"),
    };
    assert!(message(5).contains("\"3.5\" is a number with a fraction, not an ID"));
    assert!(message(6).contains("\"1e20\" is a number too large"));
    assert!(message(7).contains("\"2025-03-01\" is a date, not an ID"));
    assert!(message(8).contains("\"2025-02-05 14:30\" is a date with a time of day"));
    assert!(
        message(12).starts_with("cell AN12 holds \"note\" outside the header's columns (A to AL)")
    );
    // An ISO date as text and a level as text are read.
    assert!(all.iter().any(|(l, r)| *l == 9 && r.is_ok()));
    assert!(all.iter().any(|(l, r)| *l == 11 && r.is_ok()));
}

#[test]
fn formulas_give_their_saved_result_or_reject_the_row() {
    let path = fixtures().join("bad/xlsx-formulas.xlsx");
    let fw = Framework::default();
    let rows = rows_of(&fw, &path);
    let accepted: Vec<u64> = rows
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(accepted, [2, 3, 6, 7]);
    let s = |f: &str| f.to_owned();
    assert_eq!(
        problems_of(&path),
        [
            (4, s("need.cl.literacy"), "ExcelError"),
            (5, s("need.cl.numeracy"), "NoSavedResult"),
        ]
    );
    // Row 2's first need (need.cl.learning, 1 in the CSV) came from =1+1,
    // row 3's setting from ="S"&"0001" (S0003 in the CSV).
    let show = |a: &vsend_core::Assessment| {
        let level = a.needs()[0].map(|l| l.get());
        format!("{level:?} {:?}", a.setting_id().map(|s| s.to_string()))
    };
    let rows = outcome::<vsend_io::read::Assessments>(&fw, &path, None, show).unwrap();
    assert_eq!(rows[0].1.as_ref().unwrap(), "Some(2) Some(\"S0003\")");
    assert_eq!(
        rows[1].1.as_ref().unwrap().split(' ').nth(1),
        Some("Some(\"S0001\")")
    );
}

/// The message of opening `path` (sheet `sheet`) and reading its header.
#[track_caller]
fn file_error(path: &Path, sheet: Option<&str>) -> String {
    let fw = Framework::default();
    match Input::open_sheet(path, sheet).and_then(|i| i.rows(&fw).map(|_| ())) {
        Err(e) => e.to_string(),
        Ok(()) => panic!("{} opened", path.display()),
    }
}

#[test]
fn a_bad_workbook_is_a_file_error_that_says_what_it_is() {
    let bad = fixtures().join("bad");
    let cases = [
        (
            "xlsx-csv-named.xlsx",
            "this is not an Excel workbook but plain text; is it a CSV named .xlsx?",
        ),
        (
            "xlsx-truncated.xlsx",
            "the workbook is damaged or not an .xlsx file",
        ),
        (
            "xlsx-encrypted.xlsx",
            "the workbook is password-protected (encrypted)",
        ),
        ("xlsx-legacy.xlsx", "an Excel 97-2003 workbook (.xls)"),
        (
            "xlsx-merged-header.xlsx",
            "[cohort]:1: header cells E1:G1 are merged, so F1 has no column name",
        ),
    ];
    for (file, says) in cases {
        let message = file_error(&bad.join(file), None);
        assert!(message.contains(file), "{message}");
        assert!(message.contains(says), "{file}: {message}");
    }
    let message = file_error(&fixtures().join("cohort.xlsx"), Some("Cohort"));
    assert!(
        message.ends_with("no sheet named \"Cohort\" (did you mean \"cohort\"?); allowed one of the workbook's sheets: \"cohort\""),
        "{message}"
    );
    let message = file_error(&fixtures().join("cohort.csv"), Some("cohort"));
    assert!(message.contains("only a workbook has sheets"), "{message}");
}

#[test]
fn sheets_header_cells_and_empty_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(fixtures().join("cohort.csv")).unwrap();
    let mut book = Workbook::new();
    // A hidden first sheet and an empty one: the first visible sheet is read.
    let hidden = book.add_worksheet();
    hidden.set_name("lookup").unwrap().set_hidden(true);
    hidden.write_string(0, 0, "not a cohort").unwrap();
    // Excel shows a workbook at an active sheet, which cannot be hidden.
    book.add_worksheet()
        .set_name("empty")
        .unwrap()
        .set_active(true);
    let gap = book.add_worksheet();
    gap.set_name("gap").unwrap();
    write_csv(gap, &csv, true);
    gap.clear_cell(0, 3);
    write_csv(book.add_worksheet().set_name("data").unwrap(), &csv, true);
    let path = dir.path().join("book.xlsx");
    book.save(&path).unwrap();

    let message = file_error(&path, None);
    assert!(
        message.ends_with("[empty]:1: the sheet is empty; expected a header row"),
        "{message}"
    );
    let message = file_error(&path, Some("gap"));
    assert!(
        message.ends_with("[gap]:1: header cell D1 is empty; allowed a column name in every cell of the header, from its first to its last"),
        "{message}"
    );
    let message = file_error(&path, Some("lookup"));
    assert!(
        message.contains("[lookup]:1: missing columns child_id"),
        "{message}"
    );
    assert!(
        message.contains("[lookup]:1: column 1: unknown column \"not a cohort\""),
        "{message}"
    );
    let fw = Framework::default();
    let rows =
        outcome::<vsend_io::read::Assessments>(&fw, &path, Some("data"), scored(&fw)).unwrap();
    assert_eq!(rows, rows_of(&fw, &fixtures().join("cohort.csv")));
}

#[test]
fn a_long_sheet_streams_in_order_and_can_be_left_early() {
    let fw = Framework::default();
    let csv = std::fs::read_to_string(fixtures().join("cohort.csv")).unwrap();
    let mut lines = csv.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    let row = lines.next().unwrap();
    let rest = row.split_once(',').unwrap().1;
    for i in 0..3_000 {
        text.push_str(&format!("C{i:09},{rest}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = workbook_of(dir.path(), "long.xlsx", &text, true);
    let rows = rows_of(&fw, &path);
    assert_eq!(rows.len(), 3_000);
    for (i, (line, r)) in rows.iter().enumerate() {
        assert_eq!(*line, i as u64 + 2);
        assert!(r.as_ref().unwrap().starts_with(&format!("C{i:09},")));
    }
    // Left after ten rows: the reading thread stops, nothing hangs.
    let mut some = Input::open(&path).unwrap().rows(&fw).unwrap();
    for _ in 0..10 {
        some.next().unwrap().unwrap();
    }
    drop(some);
}
