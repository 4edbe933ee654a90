//! Makes the Excel fixtures from the CSV ones, so that they can be made again:
//!
//! ```text
//! cargo run -p vsend-io --example xlsx_fixtures
//! ```
//!
//! - `fixtures/cohort.xlsx`: `fixtures/cohort.csv` as an analyst's workbook:
//!   IDs as text, levels as numbers, dates as real Excel dates (formatted
//!   `yyyy-mm-dd`), empty cells left empty. `vsend score` gives the same
//!   scores and problems for both (checked by `crates/vsend-io/tests/xlsx.rs`).
//! - `fixtures/bad/xlsx-cells.xlsx`: cells Excel gets wrong, one row each
//!   (a numeric ID, an ID with a fraction, an ID Excel made a date, a date
//!   with a time, a level of 2.5, a value right of the header), the table
//!   starting on row 3 under two empty rows.
//! - `fixtures/bad/xlsx-formulas.xlsx`: formulas with saved results (read),
//!   an error result (`#DIV/0!`) and a formula never calculated (no saved
//!   result, as written by tools that do not calculate).
//! - `fixtures/bad/xlsx-merged-header.xlsx`: two header cells merged.
//! - `fixtures/bad/xlsx-csv-named.xlsx`: a CSV file named `.xlsx`.
//! - `fixtures/bad/xlsx-truncated.xlsx`: the first half of `cohort.xlsx`.
//!
//! `fixtures/bad/xlsx-encrypted.xlsx` (password `vsend`) and
//! `fixtures/bad/xlsx-legacy.xlsx` (an Excel 97-2003 file named `.xlsx`)
//! cannot be made in Rust; they were made once from `cohort.xlsx` with
//! Python's msoffcrypto-tool and xlwt and are committed as they are.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook, XlsxError};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()?;
    let fixtures = root.join("fixtures");
    let bad = fixtures.join("bad");
    let csv = std::fs::read_to_string(fixtures.join("cohort.csv"))?;
    let table = parse_csv(&csv);

    let cohort = typed_workbook(&table, None)?;
    write(&fixtures.join("cohort.xlsx"), &cohort)?;
    write(&bad.join("xlsx-cells.xlsx"), &cells_workbook(&table)?)?;
    let formulas = formulas_workbook(&table)?;
    write(
        &bad.join("xlsx-formulas.xlsx"),
        &drop_saved_result(&formulas, NO_RESULT)?,
    )?;
    write(
        &bad.join("xlsx-merged-header.xlsx"),
        &typed_workbook(&table[..4], Some((4, 6)))?,
    )?;
    write(&bad.join("xlsx-csv-named.xlsx"), csv.as_bytes())?;
    write(
        &bad.join("xlsx-truncated.xlsx"),
        &cohort[..cohort.len() / 2],
    )?;
    Ok(())
}

fn write(path: &PathBuf, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)?;
    eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

/// A CSV file without quotes, as the fixtures are: rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// A workbook with fixed properties, so that it is made byte for byte again.
fn new_workbook() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let made = ExcelDateTime::from_ymd(2025, 9, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_author("vsend fixtures")
            .set_creation_datetime(&made),
    );
    Ok(book)
}

/// What kind of cell a header holds.
fn is_id(name: &str) -> bool {
    name.ends_with("_id")
}

fn is_date(name: &str) -> bool {
    matches!(name, "assessed_on" | "date_of_birth" | "move_on")
}

/// `table` as typed cells on sheet "cohort" from row `top` (0-based): IDs as
/// text, dates as dates, levels as numbers, empty cells left out.
fn write_typed(
    sheet: &mut rust_xlsxwriter::Worksheet,
    table: &[Vec<String>],
    top: u32,
) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let header = &table[0];
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(top, c as u16, name)?;
    }
    for (r, row) in table.iter().enumerate().skip(1) {
        let r = top + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            let name = &header[c as usize];
            if cell.is_empty() {
                continue;
            }
            if is_id(name) {
                sheet.write_string(r, c, cell)?;
            } else if is_date(name) {
                sheet.write_datetime_with_format(
                    r,
                    c,
                    ExcelDateTime::parse_from_str(cell)?,
                    &date,
                )?;
            } else {
                sheet.write_number(r, c, cell.parse::<f64>().expect("a level"))?;
            }
        }
    }
    sheet.set_freeze_panes(top + 1, 0)?;
    Ok(())
}

/// The cohort as an analyst keeps it; `merge` merges two header cells.
fn typed_workbook(table: &[Vec<String>], merge: Option<(u16, u16)>) -> Result<Vec<u8>, XlsxError> {
    let mut book = new_workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name("cohort")?;
    write_typed(sheet, table, 0)?;
    if let Some((first, last)) = merge {
        let name = table[0][first as usize].clone();
        sheet.merge_range(0, first, 0, last, &name, &Format::new())?;
    }
    book.save_to_buffer()
}

/// Cells Excel gets wrong, one row each, under two empty rows.
fn cells_workbook(table: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = new_workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name("cells")?;
    let rows: Vec<Vec<String>> = table.iter().take(13).cloned().collect();
    write_typed(sheet, &rows, 2)?;
    let header = &table[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect("a column") as u16;
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    // Row numbers as Excel shows them: the header is on row 3, data from row 4.
    sheet.write_number(3, col("child_id"), 4711.0)?; // row 4: a numeric ID, read as 4711
    sheet.write_number(4, col("child_id"), 3.5)?; // row 5: rejected
    sheet.write_number(5, col("child_id"), 1e20)?; // row 6: rejected
    sheet.write_datetime_with_format(
        6,
        col("setting_id"),
        ExcelDateTime::from_ymd(2025, 3, 1)?,
        &Format::new().set_num_format("d-mmm"),
    )?; // row 7: an ID Excel turned into a date: rejected
    sheet.write_datetime_with_format(
        7,
        col("assessed_on"),
        ExcelDateTime::parse_from_str("2025-02-05 14:30")?,
        &datetime,
    )?; // row 8: a time of day: rejected
    sheet.write_string(8, col("assessed_on"), "2025-03-01")?; // row 9: an ISO text date: read
    sheet.write_number(9, col("need.cl.literacy"), 2.5)?; // row 10: not a level
    sheet.write_string(10, col("need.cl.literacy"), "3")?; // row 11: a level as text: read
    sheet.write_string(11, header.len() as u16 + 1, "note")?; // row 12: right of the header: rejected
    sheet.write_string(12, col("date_of_birth"), "27/03/2007")?; // row 13: not a date
    sheet.write_boolean(13, col("need.cl.learning"), true)?; // row 14: not a level
    book.save_to_buffer()
}

/// A result no calculation gives, removed from the file afterwards.
const NO_RESULT: &str = "VSEND-NO-SAVED-RESULT";

/// Formulas in cohort rows: saved results, an error, and no saved result.
fn formulas_workbook(table: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = new_workbook()?;
    let sheet = book.add_worksheet();
    sheet.set_name("formulas")?;
    let rows: Vec<Vec<String>> = table.iter().take(7).cloned().collect();
    write_typed(sheet, &rows, 0)?;
    let header = &table[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect("a column") as u16;
    // Row 2: a level from a formula, its saved result 2: read as 2.
    sheet.write_formula(
        1,
        col("need.cl.learning"),
        Formula::new("=1+1").set_result("2"),
    )?;
    // Row 3: an ID from a formula, its saved result text: read.
    sheet.write_formula(
        2,
        col("setting_id"),
        Formula::new("=\"S\"&\"0001\"").set_result("S0001"),
    )?;
    // Row 4: an error result: rejected.
    sheet.write_formula(
        3,
        col("need.cl.literacy"),
        Formula::new("=1/0").set_result("#DIV/0!"),
    )?;
    // Row 5: never calculated, no saved result: rejected.
    sheet.write_formula(
        4,
        col("need.cl.numeracy"),
        Formula::new("=E5+1").set_result(NO_RESULT),
    )?;
    // Row 6: a formula whose result is empty text: an empty cell.
    sheet.write_formula(
        5,
        col("confidence.cl"),
        Formula::new("=\"\"").set_result(""),
    )?;
    book.save_to_buffer()
}

/// The workbook with every saved result `marker` taken out of its sheets,
/// as a workbook saved without calculating looks.
fn drop_saved_result(xlsx: &[u8], marker: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if name.starts_with("xl/worksheets/") {
            let text = String::from_utf8(bytes)?;
            bytes = text.replace(&format!("<v>{marker}</v>"), "").into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}
