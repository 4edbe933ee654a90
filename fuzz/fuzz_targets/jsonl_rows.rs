//! Any bytes as cohort JSON Lines: never a panic, and every rejected record
//! says why.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vsend_io::read::{Format, Input, Row};
use vsend_core::{score, Framework};

fuzz_target!(|data: &[u8]| {
    let fw = Framework::default();
    let input = Input::from_reader("fuzz.jsonl", Format::Jsonl, std::io::Cursor::new(data.to_vec()));
    let Ok(rows) = input.rows(&fw) else { return };
    for row in rows {
        match row {
            Ok(Row::Accepted { value: assessment, .. }) => {
                score(&fw, &assessment);
            }
            Ok(Row::Rejected { problems, .. }) => assert!(!problems.is_empty()),
            Err(_) => return,
        }
    }
});
