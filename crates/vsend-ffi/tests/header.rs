//! The committed C header is exactly what cbindgen makes of `src/lib.rs`.
//!
//! After changing the interface: `VSEND_BLESS=1 cargo test -p vsend-ffi --test header`.
//!
//! Checks: no § rule: the C header is what the code declares.

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

/// `docs/ffi.md` says the header is C99 and C++: it compiles, alone, with
/// every warning an error, as both. (Not C89: cbindgen includes `<stdint.h>`
/// and ends enum lists with a comma.)
#[test]
fn header_compiles_as_c99_and_cpp() {
    let include = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include");
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("uses_header.c");
    // Every type the header names, used, so a missing include shows.
    std::fs::write(
        &source,
        "#include \"vsend.h\"\n\
         int main(void) {\n\
         \x20   VsendFramework *fw = 0;\n\
         \x20   VsendStatus s = vsend_framework_default(&fw);\n\
         \x20   VsendFormat f = VSEND_FORMAT_CSV;\n\
         \x20   vsend_framework_free(fw);\n\
         \x20   return (int)s + (int)f;\n\
         }\n",
    )
    .unwrap();
    for (compiler, standard) in [("cc", "-std=c99"), ("c++", "-std=c++11")] {
        let out = match std::process::Command::new(compiler)
            .args([standard, "-x"])
            .arg(if compiler == "cc" { "c" } else { "c++" })
            .args([
                "-pedantic",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-fsyntax-only",
                "-I",
            ])
            .arg(&include)
            .arg(&source)
            .output()
        {
            Ok(out) => out,
            Err(_) => {
                eprintln!("skipped {compiler} {standard}: no `{compiler}` on this machine");
                continue;
            }
        };
        assert!(
            out.status.success(),
            "include/vsend.h does not compile with {compiler} {standard}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
