//! Scores a cohort file through the C interface, in memory (`vsend_score`) or
//! streaming (`vsend_score_file`), to compare their peak memory:
//!
//! ```sh
//! cargo run --release -p vsend-ffi --example score_file -- stream IN.csv OUT.jsonl
//! /usr/bin/time -v target/release/examples/score_file memory IN.csv OUT.jsonl
//! ```
#![allow(clippy::undocumented_unsafe_blocks)] // live pointers only

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use vsend_ffi::*;

fn take(s: *mut c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    unsafe { vsend_string_free(s) };
    text
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, input, output] = &args[..] else {
        eprintln!("usage: score_file stream|memory IN.csv OUT.jsonl");
        std::process::exit(2);
    };
    let mut fw = ptr::null_mut();
    unsafe { vsend_framework_default(&mut fw) };
    let mut error = ptr::null_mut();
    let status = if mode == "stream" {
        let (i, o) = (
            CString::new(input.as_str()).unwrap(),
            CString::new(output.as_str()).unwrap(),
        );
        let mut counts = ptr::null_mut();
        let status = unsafe {
            vsend_score_file(
                fw,
                i.as_ptr(),
                o.as_ptr(),
                ptr::null(),
                &mut counts,
                &mut error,
            )
        };
        println!("{}", take(counts));
        status
    } else {
        let data = std::fs::read(input).unwrap();
        let (mut scored, mut problems) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            vsend_score(
                fw,
                0,
                data.as_ptr(),
                data.len(),
                &mut scored,
                &mut problems,
                &mut error,
            )
        };
        drop(data);
        std::fs::write(output, take(scored)).unwrap();
        take(problems);
        status
    };
    unsafe { vsend_framework_free(fw) };
    eprintln!("{status:?} {}", take(error));
}
