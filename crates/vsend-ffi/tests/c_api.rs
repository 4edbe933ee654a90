//! The C developer's path in `docs/ffi.md`: its C example is the shipped
//! program `tests/c/score_example.c`, byte for byte; the doc's build lines,
//! run exactly as written with the system `cc`, compile it without a warning
//! against the library this `cargo test` built; it scores the worked example
//! to 1e-9 as the Rust API does; and the library carries the soname the doc
//! names.
//!
//! No second copy of the library is built: cargo builds the cdylib beside
//! this test's executable (`target/<profile>/deps/`) for every test run.
//!
//! Checks: §4–§6 from a C program.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The fenced code blocks of `docs/ffi.md` after the heading `heading`, up to
/// the next `## ` heading, as (language, text with its final newline).
fn doc_blocks(heading: &str) -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(root().join("docs/ffi.md")).unwrap();
    let start = doc
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("docs/ffi.md has no `{heading}` section"));
    let section = &doc[start + heading.len() + 2..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut lines = section.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let mut text = String::new();
            for body in lines.by_ref() {
                if body.trim_end() == "```" {
                    break;
                }
                text.push_str(body);
            }
            blocks.push((lang.trim().to_string(), text));
        }
    }
    blocks
}

#[test]
fn the_docs_c_example_is_the_shipped_program() {
    let blocks = doc_blocks("## From C");
    let c: Vec<_> = blocks.iter().filter(|(lang, _)| lang == "c").collect();
    assert_eq!(c.len(), 1, "one C listing in docs/ffi.md's `From C`");
    let file =
        std::fs::read_to_string(root().join("crates/vsend-ffi/tests/c/score_example.c")).unwrap();
    assert!(
        c[0].1 == file,
        "the C listing in docs/ffi.md differs from crates/vsend-ffi/tests/c/score_example.c; \
         paste the file into the doc"
    );
}

/// Building and running C: the ELF checks read 64-bit little-endian files.
#[cfg(all(
    target_os = "linux",
    target_pointer_width = "64",
    target_endian = "little"
))]
mod linux {
    use std::os::unix::fs::symlink;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use serde_json::Value;

    use super::{doc_blocks, root};

    /// The soname `build.rs` gives the library, as `docs/ffi.md` names it.
    const SONAME: &str = "libvsend_ffi.so.0";

    /// The directory holding the `libvsend_ffi.so` this test run built: cargo
    /// builds the lib target's cdylib beside the test executables, in
    /// `target/<profile>/deps/` (`cargo build` also copies it up to
    /// `target/<profile>/`; `cargo test` does not).
    fn library_dir() -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        let deps = exe.parent().unwrap().to_path_buf();
        assert!(
            deps.join("libvsend_ffi.so").is_file(),
            "no libvsend_ffi.so beside this test in {}: cargo builds it there for \
             `cargo test -p vsend-ffi`",
            deps.display()
        );
        deps
    }

    fn have_cc() -> bool {
        let found = Command::new("cc").arg("--version").output().is_ok();
        if !found {
            eprintln!("skipped: no C compiler `cc` on this machine");
        }
        found
    }

    /// The strings a dynamic-section entry with `tag` names (`DT_NEEDED` = 1,
    /// `DT_SONAME` = 14) in a 64-bit little-endian ELF file: read from the
    /// section headers, the `SHT_DYNAMIC` section and the string table it links.
    fn elf_dynamic_strings(path: &Path, tag: u64) -> Vec<String> {
        let elf = std::fs::read(path).unwrap();
        assert!(
            elf.starts_with(b"\x7fELF\x02\x01"),
            "{} is not a 64-bit little-endian ELF file",
            path.display()
        );
        let u16_at = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap()) as usize;
        let u32_at = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap());
        let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap());
        let (sh_off, sh_size, sh_num) = (u64_at(0x28) as usize, u16_at(0x3a), u16_at(0x3c));
        let section = |i: usize| {
            let at = sh_off + i * sh_size;
            // (type, offset, size, link)
            (
                u32_at(at + 4),
                u64_at(at + 0x18) as usize,
                u64_at(at + 0x20) as usize,
                u32_at(at + 0x28) as usize,
            )
        };
        let (_, dyn_off, dyn_size, link) = (0..sh_num)
            .map(section)
            .find(|s| s.0 == 6) // SHT_DYNAMIC
            .expect("a dynamic section");
        let (_, str_off, _, _) = section(link);
        let mut found = Vec::new();
        for entry in elf[dyn_off..dyn_off + dyn_size].chunks_exact(16) {
            let d_tag = u64::from_le_bytes(entry[..8].try_into().unwrap());
            let d_val = u64::from_le_bytes(entry[8..].try_into().unwrap()) as usize;
            if d_tag == tag {
                let name = &elf[str_off + d_val..];
                let end = name.iter().position(|&b| b == 0).unwrap();
                found.push(String::from_utf8(name[..end].to_vec()).unwrap());
            }
        }
        found
    }

    const DT_NEEDED: u64 = 1;
    const DT_SONAME: u64 = 14;

    /// A directory laid out like the root of a clone, for the doc's lines to run
    /// in as written: `crates` and `fixtures` are the clone's, and
    /// `target/debug/libvsend_ffi.so` is the library this test run built.
    /// Whatever the lines make stays in this directory, not in cargo's.
    fn clone_root() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in ["crates", "fixtures"] {
            symlink(root().join(name), dir.path().join(name)).unwrap();
        }
        let debug = dir.path().join("target/debug");
        std::fs::create_dir_all(&debug).unwrap();
        symlink(
            library_dir().join("libvsend_ffi.so"),
            debug.join("libvsend_ffi.so"),
        )
        .unwrap();
        dir
    }

    fn close(got: &Value, want: &Value, at: &str) {
        match (got, want) {
            (Value::Number(g), Value::Number(w)) => {
                let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
                assert!((g - w).abs() <= 1e-9, "{at}: got {g}, want {w}");
            }
            (Value::Object(g), Value::Object(w)) => {
                for (k, wv) in w {
                    close(g.get(k).unwrap_or(&Value::Null), wv, &format!("{at}.{k}"));
                }
                assert_eq!(g.len(), w.len(), "{at}: keys");
            }
            (g, w) => assert_eq!(g, w, "{at}"),
        }
    }

    #[test]
    fn the_docs_c_example_compiles_and_runs_as_written() {
        if !have_cc() {
            return;
        }
        let blocks = doc_blocks("## From C");
        let sh: Vec<_> = blocks.iter().filter(|(lang, _)| lang == "sh").collect();
        assert_eq!(sh.len(), 1, "one shell block in docs/ffi.md's `From C`");
        let script = &sh[0].1;
        assert!(
            script.contains("cc ") && script.contains("./score_example "),
            "{script}"
        );

        let dir = clone_root();
        let run = Command::new("sh")
            .arg("-ec")
            .arg(script)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "the doc's lines failed:\n{stderr}");
        // The compiler says nothing; the program names its version, then its checks.
        let mut lines = stderr.lines();
        assert_eq!(
            lines.next(),
            Some(format!("vsend {}", env!("CARGO_PKG_VERSION")).as_str()),
            "{stderr}"
        );
        let checks: Vec<&str> = lines.collect();
        assert_eq!(checks.len(), 10, "{stderr}");
        assert!(checks.iter().all(|l| l.starts_with("ok ")), "{stderr}");

        let examples = root().join("fixtures/examples");
        let got: Vec<Value> = String::from_utf8(run.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let want: Vec<Value> = std::fs::read_to_string(examples.join("cohort-small.scored.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            close(g, w, &format!("row {i}"));
        }

        // The program asks the loader for the soname, which the `ln` line made.
        let exe = dir.path().join("score_example");
        assert!(
            elf_dynamic_strings(&exe, DT_NEEDED).contains(&SONAME.to_string()),
            "{:?}",
            elf_dynamic_strings(&exe, DT_NEEDED)
        );
    }

    #[test]
    fn the_library_has_the_soname_the_docs_name() {
        let lib = library_dir().join("libvsend_ffi.so");
        assert_eq!(elf_dynamic_strings(&lib, DT_SONAME), [SONAME]);
        let doc = std::fs::read_to_string(root().join("docs/ffi.md")).unwrap();
        assert!(
            doc.contains(&format!("soname is `{SONAME}`")),
            "docs/ffi.md names the soname"
        );
    }

    /// What the doc's `Installing` says: a program linked with `-lvsend_ffi`
    /// does not start without a `libvsend_ffi.so.0`, and needs nothing else.
    #[test]
    fn a_linked_program_loads_the_library_by_its_soname_alone() {
        if !have_cc() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib");
        std::fs::create_dir(&lib).unwrap();
        let real = lib.join("libvsend_ffi.so.0.1.0");
        symlink(library_dir().join("libvsend_ffi.so"), &real).unwrap();
        symlink("libvsend_ffi.so.0.1.0", lib.join("libvsend_ffi.so")).unwrap();
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let exe = dir.path().join("score_example");
        let build = Command::new("cc")
            .args(["-std=c99", "-I"])
            .arg(here.join("include"))
            .arg(here.join("tests/c/score_example.c"))
            .arg("-L")
            .arg(&lib)
            .args(["-lvsend_ffi", "-o"])
            .arg(&exe)
            .output()
            .unwrap();
        assert!(
            build.status.success(),
            "{}",
            String::from_utf8_lossy(&build.stderr)
        );
        let input = root().join("fixtures/examples/cohort-small.csv");
        let run = |lib_path: &Path| {
            Command::new(&exe)
                .arg(&input)
                .env("LD_LIBRARY_PATH", lib_path)
                .output()
                .unwrap()
        };

        // Only the development link `libvsend_ffi.so`: the loader does not look for it.
        let without = run(&lib);
        assert!(!without.status.success());
        let message = String::from_utf8_lossy(&without.stderr);
        assert!(
            message.contains(&format!("{SONAME}: cannot open shared object file")),
            "{message}"
        );

        // Only the soname link: enough.
        std::fs::remove_file(lib.join("libvsend_ffi.so")).unwrap();
        symlink("libvsend_ffi.so.0.1.0", lib.join(SONAME)).unwrap();
        let with = run(&lib);
        assert!(
            with.status.success(),
            "{}",
            String::from_utf8_lossy(&with.stderr)
        );
    }
}
