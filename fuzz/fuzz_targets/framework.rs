//! Any text as a framework: never a panic, and an accepted framework survives
//! a round trip through its own JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vsend_core::Framework;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(fw) = Framework::from_json(text) {
        let again = Framework::from_json(&fw.to_json()).expect("a loaded framework reloads");
        assert_eq!(again, fw);
    }
});
