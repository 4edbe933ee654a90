//! Tables written as an Excel workbook.
