//! Helpers the C interface's tests share: the worked examples, strings
//! handed out by the library, and JSON compared to 1e-9.
//!
//! Every unsafe call here passes a pointer the library handed out.
// Each test file uses some of these.
#![allow(dead_code, clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_char, CStr};
use std::path::PathBuf;

use serde_json::Value;
use vsend_ffi::vsend_string_free;

/// The path of a worked example shipped in `fixtures/examples`.
pub fn example_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/examples")
        .join(name)
}

/// The bytes of a worked example.
pub fn example(name: &str) -> Vec<u8> {
    std::fs::read(example_path(name)).unwrap()
}

/// Takes a string handed out by the library, freeing it.
pub fn take(s: *mut c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    let text = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_owned();
    unsafe { vsend_string_free(s) };
    Some(text)
}

/// `got` is `want`, numbers to 1e-9, objects with the same keys.
pub fn close(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!((g - w).abs() <= 1e-9, "{at}: got {g}, want {w}");
        }
        (Value::Object(g), Value::Object(w)) => {
            let mut gk: Vec<_> = g.keys().collect();
            let mut wk: Vec<_> = w.keys().collect();
            gk.sort();
            wk.sort();
            assert_eq!(gk, wk, "{at}: keys");
            for (k, wv) in w {
                close(&g[k], wv, &format!("{at}.{k}"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}: length");
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                close(gv, wv, &format!("{at}[{i}]"));
            }
        }
        (g, w) => assert_eq!(g, w, "{at}"),
    }
}
