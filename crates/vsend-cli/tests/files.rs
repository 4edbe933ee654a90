//! The real `vsend` binary and its output files: never over an input, never
//! two outputs in one file, devices, FIFOs and symlinks written through,
//! every output checked before any work and committed only on success, and
//! no temporary file left behind by Ctrl-C, SIGTERM or SIGHUP.
//!
//! Checks: §9 (nothing vanishes, nothing is destroyed) for every output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// Runs `vsend` in `dir` with stdin closed.
fn vsend_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The names in `dir` that look like vsend's temporary files.
fn temps(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".vsend-") && n.ends_with(".tmp"))
        .collect()
}

/// A directory holding `s.csv`, a copy of the fixture cohort.
fn with_input() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = fs::read(fixture("cohort.csv")).unwrap();
    fs::write(dir.path().join("s.csv"), &bytes).unwrap();
    (dir, bytes)
}

/// The scored CSV of the fixture cohort, as written to stdout.
fn scored_csv() -> Vec<u8> {
    let out = vsend_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["score", fixture("cohort.csv").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"child_id,assessed_on,"));
    out.stdout
}

/// Asserts a refused run: exit 2, a message naming why, no row read.
fn assert_refused(out: &Output, why: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(why), "{why:?} not in {err:?}");
    assert!(!err.contains("rows read"), "refused before reading: {err}");
}

#[test]
fn the_input_is_never_an_output() {
    let (dir, bytes) = with_input();
    let d = dir.path();
    #[cfg(unix)]
    std::os::unix::fs::symlink("s.csv", d.join("link.csv")).unwrap();
    fs::hard_link(d.join("s.csv"), d.join("hard.csv")).unwrap();
    let mut spellings = vec!["s.csv", "./s.csv", "hard.csv"];
    if cfg!(unix) {
        spellings.push("link.csv");
    }
    for spelling in spellings {
        for flag in ["-o", "--errors"] {
            let out = vsend_in(d, &["score", "s.csv", flag, spelling]);
            assert_refused(&out, "is the input s.csv");
            assert_eq!(
                fs::read(d.join("s.csv")).unwrap(),
                bytes,
                "{flag} {spelling}"
            );
            assert!(temps(d).is_empty(), "{:?}", temps(d));
        }
    }
    // The same file through a different directory spelling, and stdin's file.
    let sub = d.join("sub");
    fs::create_dir(&sub).unwrap();
    let out = vsend_in(&sub, &["score", "../s.csv", "-o", "../sub/../s.csv"]);
    assert_refused(&out, "is the input ../s.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(["score", "-", "-o", "s.csv"])
        .current_dir(d)
        .stdin(fs::File::open(d.join("s.csv")).unwrap())
        .output()
        .unwrap();
    if cfg!(target_os = "linux") {
        assert_refused(&out, "is the input <stdin>");
    }
    assert_eq!(fs::read(d.join("s.csv")).unwrap(), bytes);
}

#[test]
fn the_framework_file_is_an_input_too() {
    let dir = tempfile::tempdir().unwrap();
    let fw = dir.path().join("fw.json");
    let text = fs::read(fixture("framework-mean.json")).unwrap();
    fs::write(&fw, &text).unwrap();
    let input = fixture("cohort.csv");
    let out = vsend_in(
        dir.path(),
        &[
            "validate",
            input.to_str().unwrap(),
            "--framework",
            "fw.json",
            "--errors",
            "./fw.json",
        ],
    );
    assert_refused(&out, "is the input fw.json");
    assert_eq!(fs::read(&fw).unwrap(), text);
}

#[test]
fn two_outputs_never_share_a_file() {
    let (dir, _) = with_input();
    let d = dir.path();
    for (o, e) in [("x.csv", "x.csv"), ("x.csv", "./x.csv")] {
        let out = vsend_in(d, &["score", "s.csv", "-o", o, "--errors", e]);
        assert_refused(&out, "is the same file as -o");
        assert!(!d.join("x.csv").exists(), "nothing written");
    }
    // An existing file, by two spellings.
    fs::write(d.join("x.csv"), "keep\n").unwrap();
    let out = vsend_in(d, &["score", "s.csv", "-o", "x.csv", "--errors", "./x.csv"]);
    assert_refused(&out, "is the same file as -o");
    assert_eq!(fs::read_to_string(d.join("x.csv")).unwrap(), "keep\n");
    // Scored rows and problems both on stdout would be mixed.
    let out = vsend_in(d, &["score", "s.csv", "--errors", "-"]);
    assert_refused(&out, "is the same file as -o <stdout>");
    assert!(out.stdout.is_empty());
    assert!(temps(d).is_empty());
}

#[test]
fn every_output_is_checked_before_any_row_is_read() {
    let (dir, _) = with_input();
    let d = dir.path();
    fs::write(d.join("keep.csv"), "yesterday\n").unwrap();
    fs::create_dir(d.join("some_dir")).unwrap();
    for (errors, why) in [
        ("some_dir/", "is a directory"),
        ("some_dir", "is a directory"),
        ("missing_dir/", "names a directory"),
        ("missing_dir/e.csv", "directory missing_dir does not exist"),
    ] {
        let out = vsend_in(d, &["score", "s.csv", "-o", "keep.csv", "--errors", errors]);
        assert_refused(&out, why);
        assert_eq!(
            fs::read_to_string(d.join("keep.csv")).unwrap(),
            "yesterday\n"
        );
        assert!(temps(d).is_empty(), "{:?}", temps(d));
    }
    // Every command: a chart's output too.
    let out = vsend_in(
        d,
        &["chart", "s.csv", "--child", "C010000011", "-o", "some_dir"],
    );
    assert_refused(&out, "is a directory");
}

#[test]
fn a_failed_run_commits_nothing_and_claims_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("out.csv"), "yesterday\n").unwrap();
    let bad = fixture("bad/missing-column.csv");
    let out = vsend_in(
        d,
        &[
            "score",
            bad.to_str().unwrap(),
            "-o",
            "out.csv",
            "--errors",
            "e.csv",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        fs::read_to_string(d.join("out.csv")).unwrap(),
        "yesterday\n"
    );
    assert!(!d.join("e.csv").exists(), "no error report on exit 2");
    assert!(temps(d).is_empty(), "{:?}", temps(d));
    let last = err.lines().last().unwrap();
    assert!(
        last.ends_with("stopped after 0 rows read; nothing written"),
        "{err}"
    );
    assert!(!err.contains("scored"), "{err}");
}

#[test]
fn rejected_rows_are_success_and_every_output_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bad = fixture("bad/wrong-field-count.csv");
    let out = vsend_in(
        d,
        &[
            "score",
            bad.to_str().unwrap(),
            "-o",
            "out.csv",
            "--errors",
            "e.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(fs::read_to_string(d.join("out.csv"))
        .unwrap()
        .starts_with("child_id,"));
    let report = fs::read_to_string(d.join("e.csv")).unwrap();
    assert!(
        report.starts_with("line,field,value,message\n3,"),
        "{report}"
    );
    assert!(temps(d).is_empty());
}

/// Scores into `null` (twice: `-o` and `--errors`) and `stdout`, checking
/// they are still a character device and a symlink afterwards.
#[cfg(unix)]
fn write_through(d: &Path, null: &Path, stdout: &Path) {
    use std::os::unix::fs::FileTypeExt;
    let (null_s, stdout_s) = (null.to_str().unwrap(), stdout.to_str().unwrap());
    let out = vsend_in(d, &["score", "s.csv", "-o", null_s, "--errors", null_s]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = fs::symlink_metadata(null).unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "{null_s} is still a device"
    );

    let out = vsend_in(d, &["score", "s.csv", "-o", stdout_s]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, scored_csv());
    let meta = fs::symlink_metadata(stdout).unwrap();
    assert!(meta.file_type().is_symlink(), "{stdout_s} is still a link");

    // Stdout redirected to a file: written through, as the shell expects.
    let out = Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(["score", "s.csv", "-o", stdout_s])
        .current_dir(d)
        .stdout(fs::File::create(d.join("redirected.csv")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(d.join("redirected.csv")).unwrap(), scored_csv());
    assert!(fs::symlink_metadata(stdout)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(temps(d).is_empty(), "{:?}", temps(d));
}

#[cfg(unix)]
#[test]
fn dev_null_and_dev_stdout_are_written_through_not_replaced() {
    let (dir, _) = with_input();
    let d = dir.path();
    // Run privileged (as root here), a regression would replace the system's
    // own /dev/null. So first try private copies, a device node made with
    // mknod and a link to descriptor 1, and touch the real ones only once
    // those pass. Unprivileged, the real ones cannot be replaced anyway.
    let null = d.join("null");
    let privileged = Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if privileged {
        let stdout = d.join("stdout");
        std::os::unix::fs::symlink("/dev/fd/1", &stdout).unwrap();
        write_through(d, &null, &stdout);
    }
    write_through(d, Path::new("/dev/null"), Path::new("/dev/stdout"));
}

#[cfg(not(unix))]
#[test]
fn dev_null_and_dev_stdout_are_written_through_not_replaced() {
    eprintln!("skipped: /dev/null and /dev/stdout are Unix only");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_written_through_and_stays_a_fifo() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let (dir, _) = with_input();
    let d = dir.path();
    let fifo = d.join("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !matches!(made, Ok(s) if s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let (sent, got) = std::sync::mpsc::channel();
    {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            let _ = sent.send(bytes);
        });
    }
    let out = vsend_in(d, &["score", "s.csv", "-o", "pipe.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "still a FIFO");
    // A replaced FIFO would leave the reader waiting for a writer forever.
    let got = got
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the reader got the output");
    assert_eq!(got, scored_csv(), "the reader got the whole scored CSV");
    assert!(temps(d).is_empty());
}

#[cfg(unix)]
#[test]
fn a_symlink_is_written_through_to_its_target() {
    let (dir, _) = with_input();
    let d = dir.path();
    fs::create_dir(d.join("real")).unwrap();
    fs::write(d.join("real/scores.csv"), "old\n").unwrap();
    std::os::unix::fs::symlink("real/scores.csv", d.join("latest.csv")).unwrap();
    let out = vsend_in(d, &["score", "s.csv", "-o", "latest.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let link = fs::symlink_metadata(d.join("latest.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    assert_eq!(
        fs::read_link(d.join("latest.csv")).unwrap(),
        Path::new("real/scores.csv")
    );
    assert_eq!(fs::read(d.join("real/scores.csv")).unwrap(), scored_csv());
    assert!(temps(d).is_empty() && temps(&d.join("real")).is_empty());

    // A dangling link: the file it names is created when its directory exists.
    std::os::unix::fs::symlink("new/made.csv", d.join("dangling.csv")).unwrap();
    let out = vsend_in(d, &["score", "s.csv", "-o", "dangling.csv"]);
    assert_refused(&out, "directory new does not exist");
    fs::create_dir(d.join("new")).unwrap();
    let out = vsend_in(d, &["score", "s.csv", "-o", "dangling.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::symlink_metadata(d.join("dangling.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read(d.join("new/made.csv")).unwrap(), scored_csv());
}

#[test]
fn charts_refuses_a_file_as_out_dir_and_writes_each_chart_whole() {
    let (dir, _) = with_input();
    let d = dir.path();
    fs::write(d.join("charts"), "not a directory\n").unwrap();
    let out = vsend_in(d, &["charts", "s.csv", "--out-dir", "charts"]);
    assert_refused(&out, "charts is not a directory");
    assert_eq!(
        fs::read_to_string(d.join("charts")).unwrap(),
        "not a directory\n"
    );
    let out = vsend_in(d, &["charts", "s.csv", "--out-dir", "radars"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names: Vec<String> = fs::read_dir(d.join("radars"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!names.is_empty());
    assert!(
        names
            .iter()
            .all(|n| n.starts_with('C') && n.ends_with(".svg")),
        "{names:?}"
    );
    for name in &names {
        let svg = fs::read_to_string(d.join("radars").join(name)).unwrap();
        assert!(svg.trim_end().ends_with("</svg>"), "{name} is whole");
    }
}

/// Starts `vsend score - -o out.csv --errors e.csv` reading a pipe this test
/// holds open, sends `signal` once its temporary files exist, and checks it
/// exits `code` leaving nothing behind.
#[cfg(unix)]
fn interrupt(signal: &str, code: i32) {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("out.csv"), "yesterday\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vsend"))
        .args(["score", "-", "-o", "out.csv", "--errors", "e.csv"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let cohort = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let some_rows: String = cohort.lines().take(12).map(|l| format!("{l}\n")).collect();
    stdin.write_all(some_rows.as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Both temporary files exist once the outputs are open; poll for them.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let t = temps(d);
        let both = t.iter().any(|n| n.starts_with(".out.csv.vsend-"))
            && t.iter().any(|n| n.starts_with(".e.csv.vsend-"));
        if both {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no temporary files appeared: {t:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    drop(stdin); // held open until the signal was handled
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "SIG{signal}: {err}");
    assert!(
        err.contains(&format!(
            "interrupted by SIG{signal}; no output was written"
        )),
        "{err}"
    );
    assert!(temps(d).is_empty(), "SIG{signal} left {:?}", temps(d));
    assert_eq!(
        fs::read_to_string(d.join("out.csv")).unwrap(),
        "yesterday\n"
    );
    assert!(!d.join("e.csv").exists());
}

#[cfg(unix)]
#[test]
fn sigint_removes_the_temporary_files_and_exits_130() {
    interrupt("INT", 130);
}

#[cfg(unix)]
#[test]
fn sigterm_removes_the_temporary_files_and_exits_143() {
    interrupt("TERM", 143);
}

#[cfg(unix)]
#[test]
fn sighup_removes_the_temporary_files_and_exits_129() {
    interrupt("HUP", 129);
}
