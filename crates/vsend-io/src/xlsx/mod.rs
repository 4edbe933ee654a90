//! Excel workbooks (`.xlsx`) in and out.
//!
//! - [`read`](mod@read): a cohort or plans sheet read into the same records
//!   as a CSV file, so that every row goes through the same validation and
//!   gets the same problems; only the cell values differ (numbers, dates,
//!   formulas and error cells are turned into the text a CSV cell would hold,
//!   or into a problem of their own). Problems name the sheet and the row
//!   number Excel shows.
//! - [`write`](mod@write): tables (scored rows, plans, projections,
//!   summaries) as a workbook: a frozen header row, numbers as numbers, dates
//!   as dates, text always as text (never a formula), and a `problems` sheet
//!   when rows were rejected.

pub mod read;
pub mod write;

/// The letters Excel shows for 0-based column `index`: `A`, …, `Z`, `AA`, …, `XFD`.
pub fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// Excel's cell address of 0-based `(row, column)`: `(0, 2)` is `C1`.
pub fn cell_address(row: u32, column: u32) -> String {
    format!("{}{}", column_letters(column), u64::from(row) + 1)
}

/// Rows in one sheet, Excel's limit (2^20), the header row included.
pub const MAX_SHEET_ROWS: u32 = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_excel_shows_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(51), "AZ");
        assert_eq!(column_letters(52), "BA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(cell_address(0, 2), "C1");
        assert_eq!(cell_address(1_048_575, 0), "A1048576");
    }
}
