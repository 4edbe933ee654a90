//! Excel in and out on the command line: an .xlsx cohort scores as its CSV
//! and reports the same problems (`--errors` keeps its columns, `line` the
//! sheet's row); `-o OUT.xlsx` writes typed cells, a frozen header, text
//! never as a formula and a problems sheet, under the never-destroy rules.
//!
//! Checks: §9 and §10 for Excel workbooks.

mod common;

use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx};
use common::{example, fixture, p, stderr, vsend};

/// A quote-free CSV file as a workbook of typed cells (IDs and text as
/// text, ISO dates as dates, whole numbers as numbers).
fn to_xlsx(csv: &Path, xlsx: &Path) {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let mut header = Vec::new();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c16) = (r as u32, c as u16);
            if r == 0 {
                header.push(cell.to_owned());
            }
            let name = header.get(c).map_or("", String::as_str);
            if cell.is_empty() {
                continue;
            }
            let iso = rust_xlsxwriter::ExcelDateTime::parse_from_str(cell)
                .ok()
                .filter(|_| cell.len() == 10 && vsend_core_date(cell));
            if let (true, Some(iso)) = (r > 0 && !name.ends_with("_id"), iso) {
                sheet
                    .write_datetime_with_format(r, c16, iso, &date)
                    .unwrap();
            } else if r > 0
                && !name.ends_with("_id")
                && cell.parse::<u8>().is_ok_and(|n| n.to_string() == cell)
            {
                sheet
                    .write_number(r, c16, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, c16, cell).unwrap();
            }
        }
    }
    book.save(xlsx).unwrap();
}

/// Whether `s` is a real calendar date (not 2025-02-30).
fn vsend_core_date(s: &str) -> bool {
    let parts: Vec<u32> = s.split('-').filter_map(|x| x.parse().ok()).collect();
    let [y, m, d] = parts[..] else { return false };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(path).unwrap()
}

#[test]
fn an_xlsx_cohort_scores_and_reports_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = vsend(&["score", p(&fixture("cohort.xlsx"))]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        out.stdout,
        vsend(&["score", p(&fixture("cohort.csv"))]).stdout
    );

    for name in ["cohort-bad-rows", "cohort-duplicates"] {
        let csv = example(&format!("{name}.csv"));
        let xlsx = d.join(format!("{name}.xlsx"));
        to_xlsx(&csv, &xlsx);
        let (a, b) = (d.join("a.csv"), d.join("b.csv"));
        let from_csv = vsend(&[
            "score",
            p(&csv),
            "-o",
            p(&d.join("s1.csv")),
            "--errors",
            p(&a),
        ]);
        let from_xlsx = vsend(&[
            "score",
            p(&xlsx),
            "-o",
            p(&d.join("s2.csv")),
            "--errors",
            p(&b),
        ]);
        assert_eq!(from_csv.status.code(), Some(1));
        assert_eq!(from_xlsx.status.code(), Some(1), "{}", stderr(&from_xlsx));
        // The one CSV line with too few fields (line 34 of the bad rows) has
        // no Excel form: a short row is a row of empty cells, so it is scored.
        let scored = |f: &str| std::fs::read_to_string(d.join(f)).unwrap();
        let (want, got) = (scored("s1.csv"), scored("s2.csv"));
        let got: Vec<&str> = got
            .lines()
            .filter(|l| !l.starts_with("C020000026,2025-02-02,"))
            .collect();
        assert!(
            want.lines().eq(got.iter().copied()),
            "{name}: the same scores"
        );
        // The one CSV line with too few fields has no Excel form (a short
        // row is a row of empty cells): every other problem is the same.
        let errors = |path: &Path| -> Vec<String> {
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter(|l| !l.contains("row has 19 fields"))
                .map(str::to_owned)
                .collect()
        };
        let (want, got) = (errors(&a), errors(&b));
        assert!(want.len() > 2, "{name}");
        assert_eq!(got[1..], want[1..], "{name}: the same problems");
        assert_eq!(got[0], "line,field,value,message");
        let err = stderr(&from_xlsx);
        assert!(err.contains(&format!("{name}.xlsx [Sheet1]:")), "{err}");
    }
}

#[test]
fn errors_name_the_sheet_and_the_row_excel_shows() {
    let dir = tempfile::tempdir().unwrap();
    let errors = dir.path().join("e.csv");
    let out = vsend(&[
        "validate",
        p(&fixture("bad/xlsx-cells.xlsx")),
        "--errors",
        p(&errors),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&errors).unwrap();
    let lines: Vec<&str> = text.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(lines, ["line", "5", "6", "7", "8", "10", "12", "13", "14"]);
    let err = stderr(&out);
    assert!(err.contains("xlsx-cells.xlsx [cells]: column child_id holds numbers, not text (the first in row 4: 4711)"), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .contains("xlsx-cells.xlsx [cells]: 12 rows read, 4 valid, 8 rejected"),
        "{err}"
    );
}

#[test]
fn sheets_are_picked_by_name() {
    let out = vsend(&["score", p(&fixture("cohort.xlsx")), "--sheet", "cohort"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = vsend(&["score", p(&fixture("cohort.xlsx")), "--sheet", "Sheet1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no sheet named \"Sheet1\"; allowed one of the workbook's sheets: \"cohort\""),
        "{err}"
    );
    assert!(err.ends_with("nothing written\n"), "{err}");
    let out = vsend(&["cohort", p(&fixture("cohort.csv")), "--sheet", "cohort"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only a workbook has sheets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn scored_xlsx_holds_typed_cells_under_a_frozen_header() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("scored.xlsx");
    let out = vsend(&["score", p(&fixture("cohort.xlsx")), "-o", p(&xlsx)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let csv = String::from_utf8(vsend(&["score", p(&fixture("cohort.csv"))]).stdout).unwrap();
    let mut book = open(&xlsx);
    assert_eq!(
        book.sheet_names(),
        ["scored"],
        "no problems sheet without problems"
    );
    let range = book.worksheet_range("scored").unwrap();
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(range.height(), lines.len());
    for (r, line) in lines.iter().enumerate() {
        for (c, text) in line.iter().enumerate() {
            let cell = range.get((r, c)).unwrap_or(&Data::Empty);
            let name = lines[0][c];
            match cell {
                Data::Empty => assert!(text.is_empty(), "{name} row {r}: {text:?}"),
                Data::String(s) => assert_eq!(s, text, "{name} row {r}"),
                Data::Float(x) => assert_eq!(*x, text.parse::<f64>().unwrap(), "{name} row {r}"),
                Data::Bool(b) => assert_eq!(b.to_string(), *text),
                Data::DateTime(d) => {
                    let (y, m, day, ..) = d.to_ymd_hms_milli();
                    assert_eq!(format!("{y:04}-{m:02}-{day:02}"), *text, "{name} row {r}");
                }
                other => panic!("{name} row {r}: {other:?}"),
            }
            if r > 0 && name == "child_id" {
                assert!(matches!(cell, Data::String(_)), "IDs are text");
            }
            if r > 0 && name == "assessed_on" {
                assert!(matches!(cell, Data::DateTime(_)), "dates are dates");
            }
        }
    }
    let sheet = unzip(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "the header row is frozen"
    );
    assert!(
        sheet.contains(r#"<col min="1" max="1" width="12.7109375" customWidth="1"/>"#),
        "child_id is as wide as its IDs: {}",
        &sheet[..600]
    );
}

/// One part of a workbook's zip, as text.
fn unzip(xlsx: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn rejected_rows_go_to_a_problems_sheet_and_text_is_never_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("plans.xlsx");
    let errors = dir.path().join("errors.csv");
    let out = vsend(&[
        "transition",
        p(&example("cohort-small.csv")),
        p(&example("plans-small.csv")),
        "-o",
        p(&xlsx),
        "--errors",
        p(&errors),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut book = open(&xlsx);
    assert_eq!(book.sheet_names(), ["plans", "problems"]);
    let plans = book.worksheet_range("plans").unwrap();
    assert_eq!(plans.height(), 1 + 13, "the header and the 13 plans");
    let problems = book.worksheet_range("problems").unwrap();
    let mut csv = csv::Reader::from_path(&errors).unwrap();
    let want: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(problems.height(), 1 + want.len());
    assert_eq!(problems.get((0, 3)), Some(&Data::String("message".into())));
    for (i, record) in want.iter().enumerate() {
        let row = i + 1;
        assert_eq!(
            problems.get((row, 0)),
            Some(&Data::Float(record[0].parse().unwrap()))
        );
        // The --errors CSV defuses a formula-like value with a quote; the sheet
        // holds it as the text cell it is.
        let value = problems.get((row, 2)).unwrap_or(&Data::Empty).to_string();
        assert_eq!(value, record[2].trim_start_matches('\''));
    }
    let hostile = "=cmd|' /C calc'!A0";
    assert!(
        (1..problems.height()).any(|r| problems.get((r, 2)) == Some(&Data::String(hostile.into())))
    );
    for part in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        assert!(
            !unzip(&xlsx, part).contains("<f>"),
            "{part}: no formula anywhere"
        );
    }
}

#[test]
fn summaries_comparisons_and_projections_as_workbooks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let json = d.join("cohort.json");
    let xlsx = d.join("cohort.xlsx");
    let cohort_path = fixture("cohort.xlsx");
    let cohort = p(&cohort_path);
    assert!(
        vsend(&["cohort", cohort, "--by", "setting_id", "-o", p(&json)])
            .status
            .success()
    );
    assert!(
        vsend(&["cohort", cohort, "--by", "setting_id", "-o", p(&xlsx)])
            .status
            .success()
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let range = open(&xlsx).worksheet_range("summary").unwrap();
    let groups = summary["groups"].as_object().unwrap();
    assert_eq!(range.height(), 1 + groups.len());
    let header: Vec<String> = (0..range.width())
        .map(|c| range.get((0, c)).unwrap().to_string())
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    assert_eq!(
        header[..5],
        ["group", "as_of", "children", "assessments", "overdue"]
    );
    for r in 1..range.height() {
        let group = range.get((r, 0)).unwrap().to_string();
        let g = &groups[&group];
        assert_eq!(
            range.get((r, col("children"))),
            Some(&Data::Float(g["children"].as_f64().unwrap()))
        );
        let mean = g["cl"]["mean_need"].as_f64();
        assert_eq!(
            range.get((r, col("cl.mean_need"))).and_then(|c| c.as_f64()),
            mean,
            "{group}"
        );
        assert_eq!(
            range.get((r, col("cl.histogram.2"))),
            Some(&Data::Float(g["cl"]["histogram"][2].as_f64().unwrap()))
        );
    }
    assert!(matches!(
        range.get((1, col("as_of"))),
        Some(Data::DateTime(_))
    ));
    col("need_correlation.cl.ci");

    let cmp = d.join("compare.xlsx");
    let out = vsend(&[
        "compare",
        p(&example("term-2024-autumn.json")),
        p(&example("term-2025-summer.json")),
        "-o",
        p(&cmp),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let range = open(&cmp).worksheet_range("comparison").unwrap();
    assert_eq!(range.height(), 3, "the header and one row per summary");
    let header: Vec<String> = (0..range.width())
        .map(|c| range.get((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(header[..4], ["label", "as_of", "children", "reference"]);
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::String("term-2024-autumn".into()))
    );
    assert_eq!(
        range.get((2, 0)),
        Some(&Data::String("term-2025-summer".into()))
    );
    assert!(matches!(range.get((1, 1)), Some(Data::DateTime(_))));

    let fc = d.join("forecast.xlsx");
    let fcsv = d.join("forecast.csv");
    let history_path = fixture("history.csv");
    let history = p(&history_path);
    assert!(
        vsend(&["forecast", history, "--replicates", "20", "-o", p(&fc)])
            .status
            .success()
    );
    assert!(
        vsend(&["forecast", history, "--replicates", "20", "-o", p(&fcsv)])
            .status
            .success()
    );
    let range = open(&fc).worksheet_range("projection").unwrap();
    let csv = std::fs::read_to_string(&fcsv).unwrap();
    assert_eq!(range.height(), csv.lines().count());
    assert_eq!(
        range.get((0, 0)).unwrap().to_string(),
        csv.split(',').next().unwrap()
    );
}

#[test]
fn an_xlsx_output_is_never_destroyed_by_a_failed_run() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("scored.xlsx");
    std::fs::write(&out_path, b"keep me").unwrap();
    for input in [
        "bad/xlsx-encrypted.xlsx",
        "bad/xlsx-merged-header.xlsx",
        "bad/missing-column.csv",
    ] {
        let out = vsend(&["score", p(&fixture(input)), "-o", p(&out_path)]);
        assert_eq!(out.status.code(), Some(2), "{input}");
        assert_eq!(std::fs::read(&out_path).unwrap(), b"keep me", "{input}");
    }
    // The input as the output is refused before reading.
    let copy = dir.path().join("cohort.xlsx");
    std::fs::copy(fixture("cohort.xlsx"), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let out = vsend(&["score", p(&copy), "-o", p(&copy)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    let out = vsend(&[
        "score",
        p(&fixture("cohort.csv")),
        "-o",
        p(&dir.path().join("s.xls")),
    ]);
    assert!(
        stderr(&out).contains("allowed .csv, .jsonl or .xlsx"),
        "{}",
        stderr(&out)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}
