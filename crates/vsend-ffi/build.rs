//! Gives the shared library a soname on Linux: `libvsend_ffi.so.0`.
//!
//! A C program linked against `libvsend_ffi.so` records the soname, not the
//! file name, as what it needs, so at run time the loader looks for
//! `libvsend_ffi.so.0`; installing means a file or symlink of that name (see
//! `docs/ffi.md`). The number is the C interface's ABI version: it changes
//! when an existing call's signature or meaning changes, not when calls are
//! added. `tests/c_api.rs` reads it back from the built library.

/// The C interface's ABI version, the number at the end of the soname.
const ABI_VERSION: u32 = 0;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvsend_ffi.so.{ABI_VERSION}");
    }
}
