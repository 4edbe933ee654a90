//! The committed C header is exactly what cbindgen makes of `src/lib.rs`.
//!
//! After changing the interface: `VSEND_BLESS=1 cargo test -p vsend-ffi --test header`.

use std::path::PathBuf;

#[test]
fn committed_header_is_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen reads src/lib.rs");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let path = dir.join("include/vsend.h");
    if std::env::var_os("VSEND_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/vsend.h is out of date with src/lib.rs; regenerate it with \
         VSEND_BLESS=1 cargo test -p vsend-ffi --test header and commit it"
    );
}
