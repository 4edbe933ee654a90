//! Any bytes as a cohort CSV: never a panic, and every record is either
//! accepted or rejected with at least one problem.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vsend_io::read::{Format, Input, Row};
use vsend_core::{score, Framework, ScoredRow};

fuzz_target!(|data: &[u8]| {
    let fw = Framework::default();
    // Half the inputs get a valid header so that the row parser is reached.
    let header = vsend_core::Column::all(&fw).iter().map(|c| c.name(&fw)).collect::<Vec<_>>().join(",");
    let mut bytes = Vec::new();
    if data.first().is_some_and(|b| b % 2 == 0) {
        bytes.extend_from_slice(header.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(data);
    let input = Input::from_reader("fuzz.csv", Format::Csv, std::io::Cursor::new(bytes));
    let Ok(rows) = input.rows(&fw) else { return };
    for row in rows {
        match row {
            Ok(Row::Accepted { value: assessment, .. }) => {
                let s = score(&fw, &assessment);
                let _ = serde_json::to_string(&ScoredRow::new(&fw, &assessment, &s));
            }
            Ok(Row::Rejected { problems, .. }) => assert!(!problems.is_empty()),
            Err(_) => return,
        }
    }
});
