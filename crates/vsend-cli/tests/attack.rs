//! Promises kept under attack, round two: standard output is checked against
//! the inputs like `-o`; a reader that leaves early is never success; output
//! directories are checked before any row is read and never silently
//! refilled; sockets are streams; every message names the option at fault.
//! (README "Outputs"; docs/model.md §9: counts reconcile, nothing vanishes.)

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{fixture, stderr};

/// A cohort of `children` × 3 rows, each child a copy of the fixture's first
/// child under a new ID: big enough to overflow any pipe buffer.
fn big_cohort(path: &Path, children: usize) {
    let text = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.take(3).collect();
    let mut out = String::with_capacity(children * 3 * 200);
    out.push_str(header);
    out.push('\n');
    for i in 0..children {
        for row in &rows {
            let (_, rest) = row.split_once(',').unwrap();
            out.push_str(&format!("X{i:07},{rest}\n"));
        }
    }
    fs::write(path, out).unwrap();
}

fn vsend() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vsend"))
}

/// Runs `vsend score s.csv` in `dir` with stdin and stdout as given.
fn score_with(dir: &Path, args: &[&str], stdin: Stdio, stdout: File) -> std::process::Output {
    vsend()
        .args(args)
        .current_dir(dir)
        .stdin(stdin)
        .stdout(stdout)
        .output()
        .unwrap()
}

fn assert_refused_before_reading(out: &std::process::Output, why: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(why), "{why:?} not in {err:?}");
    assert!(!err.contains("read,"), "refused before reading: {err}");
}

#[test]
fn standard_output_over_the_input_is_refused_in_every_redirection() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bytes = fs::read(fixture("cohort.csv")).unwrap();
    let input = d.join("s.csv");
    fs::write(&input, &bytes).unwrap();
    let read_write = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(&input)
            .unwrap()
    };
    let append = || OpenOptions::new().append(true).open(&input).unwrap();

    // vsend score s.csv 1<>s.csv
    let out = score_with(d, &["score", "s.csv"], Stdio::null(), read_write());
    assert_refused_before_reading(&out, "standard output is the input s.csv");
    // vsend score s.csv >> s.csv
    let out = score_with(d, &["score", "s.csv"], Stdio::null(), append());
    assert_refused_before_reading(&out, "standard output is the input s.csv");
    // vsend score - < s.csv 1<>s.csv
    let out = score_with(
        d,
        &["score", "-"],
        Stdio::from(File::open(&input).unwrap()),
        read_write(),
    );
    assert_refused_before_reading(&out, "standard output is the input <stdin>");
    // -o - and --errors - are standard output too.
    let out = score_with(
        d,
        &["score", "s.csv", "-o", "-"],
        Stdio::null(),
        read_write(),
    );
    assert_refused_before_reading(&out, "standard output is the input s.csv");
    assert_eq!(fs::read(&input).unwrap(), bytes, "the input is intact");

    // Standard output to another regular file is still fine.
    let other = File::create(d.join("scored.csv")).unwrap();
    let out = score_with(d, &["score", "s.csv"], Stdio::null(), other);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::read(d.join("scored.csv"))
        .unwrap()
        .starts_with(b"child_id,"));
}

#[test]
fn errors_to_dev_stdout_is_the_same_file_as_the_scored_rows() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::copy(fixture("cohort.csv"), d.join("s.csv")).unwrap();
    let out = vsend()
        .args(["score", "s.csv", "--errors", "/dev/stdout"])
        .current_dir(d)
        .stdin(Stdio::null())
        .output() // stdout is a pipe: not shareable
        .unwrap();
    assert_refused_before_reading(&out, "is the same file as -o <stdout>");
}

/// Reads `keep` bytes of the child's stdout, closes it, and waits.
fn read_then_leave(mut child: std::process::Child, keep: usize) -> std::process::Output {
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0; keep];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"child_id,"));
    drop(stdout);
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_reader_that_leaves_early_is_not_success() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    big_cohort(&d.join("big.csv"), 20_000);
    // vsend score big.csv | head -c 1000
    let child = vsend()
        .args(["score", "big.csv", "--errors", "e.csv"])
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = read_then_leave(child, 1000);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("<stdout> was closed by its reader after")
            && err.contains("the run stopped there and wrote no file"),
        "{err}"
    );
    assert!(
        !d.join("e.csv").exists(),
        "an incomplete run commits nothing"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_whose_reader_leaves_early_is_not_success() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    big_cohort(&d.join("big.csv"), 20_000);
    let fifo = d.join("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = File::open(fifo).unwrap();
            let mut first = [0; 1000];
            f.read_exact(&mut first).unwrap();
        })
    };
    let out = vsend()
        .args(["score", "big.csv", "-o", "pipe.csv"])
        .current_dir(d)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    reader.join().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(err.contains("pipe.csv was closed by its reader"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

#[test]
fn out_dir_is_checked_before_any_row_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::copy(fixture("cohort.csv"), d.join("s.csv")).unwrap();
    fs::write(d.join("regular"), "a file\n").unwrap();
    for out_dir in ["regular/sub", "regular/sub/deeper", "regular"] {
        let out = vsend()
            .args(["charts", "s.csv", "--out-dir", out_dir])
            .current_dir(d)
            .output()
            .unwrap();
        assert_refused_before_reading(&out, "regular is not a directory");
    }
    assert_eq!(fs::read_to_string(d.join("regular")).unwrap(), "a file\n");
}

#[cfg(unix)]
#[test]
fn a_read_only_out_dir_is_refused_before_any_row_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::copy(fixture("cohort.csv"), d.join("s.csv")).unwrap();
    let locked = d.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    if fs::write(locked.join("probe"), "x").is_ok() {
        // Root (or a capability) writes anyway: nothing to test here.
        fs::remove_file(locked.join("probe")).unwrap();
        return;
    }
    for out_dir in ["locked", "locked/new"] {
        let out = vsend()
            .args(["charts", "s.csv", "--out-dir", out_dir])
            .current_dir(d)
            .output()
            .unwrap();
        assert_refused_before_reading(&out, "cannot write there");
    }
}

#[test]
fn charts_never_replaces_earlier_charts_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::copy(fixture("cohort.csv"), d.join("s.csv")).unwrap();
    let run = |extra: &[&str]| {
        vsend()
            .args(["charts", "s.csv", "--out-dir", "radars"])
            .args(extra)
            .current_dir(d)
            .output()
            .unwrap()
    };
    let first = run(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let chart = d.join("radars/C010000011.svg");
    fs::write(&chart, "kept\n").unwrap();

    let again = run(&[]);
    assert_refused_before_reading(&again, "already holds 12 .svg files");
    assert!(stderr(&again).contains("--force"));
    assert_eq!(fs::read_to_string(&chart).unwrap(), "kept\n");

    // Another format in the same directory is no clash.
    let png = run(&["--format", "png"]);
    assert_eq!(png.status.code(), Some(0), "{}", stderr(&png));

    let forced = run(&["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(fs::read_to_string(&chart).unwrap().ends_with("</svg>\n"));
}

#[cfg(unix)]
#[test]
fn a_unix_socket_is_written_as_a_stream() {
    use std::os::unix::net::UnixListener;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let socket = d.join("scored.csv");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        stream.read_to_end(&mut got).unwrap();
        got
    });
    let out = vsend()
        .args(["score", fixture("cohort.csv").to_str().unwrap(), "-o"])
        .arg(&socket)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = server.join().unwrap();
    let want = vsend()
        .args(["score", fixture("cohort.csv").to_str().unwrap()])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(got, want);
}

#[test]
fn a_bad_chart_extension_names_the_option_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let summary = fixture("examples/term-2024-autumn.json");
    let out = vsend()
        .args(["compare", summary.to_str().unwrap(), "--chart", "o.json"])
        .current_dir(d)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--chart o.json: allowed extensions .svg or .png"),
        "{err}"
    );
    assert!(!err.contains("-o "), "{err}");
    assert!(!d.join("o.json").exists());
}

#[test]
fn with_an_errors_file_stderr_never_suggests_one_and_counts_read_well() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = vsend()
        .args(["score"])
        .arg(fixture("examples/cohort-bad-rows.csv"))
        .args(["--errors", "e.csv"])
        .current_dir(d)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("use --errors"), "{err}");
    assert!(d.join("e.csv").exists());

    let text = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let one_row: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    fs::write(d.join("one.csv"), one_row).unwrap();
    let out = vsend()
        .args(["score", "one.csv"])
        .current_dir(d)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("one.csv: 1 row read, 1 scored, 0 rejected"),
        "{err}"
    );
}

#[test]
fn a_comparison_chart_of_more_summaries_than_it_can_tell_apart_is_refused_first() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let term = fixture("examples/term-2024-autumn.json");
    let mut args: Vec<String> = vec!["compare".into()];
    for i in 0..9 {
        let copy = d.join(format!("t{i}.json"));
        fs::copy(&term, &copy).unwrap();
        args.push(copy.to_str().unwrap().into());
    }
    args.extend([
        "-o".into(),
        "c.json".into(),
        "--chart".into(),
        "c.png".into(),
    ]);
    let out = vsend().args(&args).current_dir(d).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("draws at most 8 summaries; 9 given"), "{err}");
    assert!(!d.join("c.json").exists() && !d.join("c.png").exists());
    // Eight are drawn, each in its own colour.
    args.drain(9..10);
    let out = vsend().args(&args).current_dir(d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Attack pass three: a symbolic link planted in an output directory, named
/// as a chart or page the run will write, pointing at the input. `--force`
/// replaces the link itself; the input is never written through it.
#[cfg(unix)]
#[test]
fn a_link_in_an_output_directory_is_replaced_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::copy(fixture("cohort.csv"), d.join("c.csv")).unwrap();
    let before = fs::read(d.join("c.csv")).unwrap();
    for (command, out_dir, entry, extra) in [
        ("charts", "sd", "C010000011.svg", vec!["--out-dir", "sd"]),
        (
            "charts",
            "pngs",
            "C010000011.png",
            vec!["--out-dir", "pngs", "--format", "png"],
        ),
        (
            "packs",
            "pd",
            "index.html",
            vec!["--setting", "S0003", "-o", "pd"],
        ),
        (
            "packs",
            "pd2",
            "C010000011.html",
            vec!["--setting", "S0003", "-o", "pd2"],
        ),
    ] {
        fs::create_dir(d.join(out_dir)).unwrap();
        std::os::unix::fs::symlink("../c.csv", d.join(out_dir).join(entry)).unwrap();
        let out = vsend()
            .arg(command)
            .arg("c.csv")
            .args(&extra)
            .arg("--force")
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
        assert_eq!(
            fs::read(d.join("c.csv")).unwrap(),
            before,
            "{command} wrote through {entry}"
        );
        let written = fs::symlink_metadata(d.join(out_dir).join(entry)).unwrap();
        assert!(
            written.is_file(),
            "{command}: {entry} is now a file of its own"
        );
    }
}

/// A FIFO in an output directory, named as a chart the run will draw, is
/// neither written into (which would wait for a reader for ever) nor
/// replaced: the run fails and writes nothing.
#[cfg(unix)]
#[test]
fn a_fifo_in_an_output_directory_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("sd")).unwrap();
    let fifo = d.join("sd").join("C010000011.svg");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = vsend()
        .args([
            "charts",
            &fixture("cohort.csv").display().to_string(),
            "--out-dir",
            "sd",
            "--force",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(
        fs::read_dir(d.join("sd")).unwrap().count(),
        1,
        "nothing written beside it"
    );
}

/// A signal the caller set to be ignored stays ignored (`nohup`, background
/// jobs of a script): SIGHUP does not stop the run, which completes and
/// writes its output.
#[cfg(target_os = "linux")]
#[test]
fn a_signal_ignored_by_the_caller_stays_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    big_cohort(&d.join("big.csv"), 100_000);
    let child = Command::new("sh")
        .arg("-c")
        .arg("trap '' HUP; exec \"$0\" score big.csv -o out.csv")
        .arg(env!("CARGO_BIN_EXE_vsend"))
        .current_dir(d)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sent = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("interrupted"), "{err}");
    let rows = fs::read_to_string(d.join("out.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows, 300_001, "every row written, and the header");
}

/// A plans file that cannot be opened stops `transition`, `pack` and
/// `packs` before the cohort is read, with no success-looking line first.
#[test]
fn a_missing_plans_file_is_refused_before_the_cohort_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cohort = fixture("cohort.csv").display().to_string();
    for args in [
        vec!["transition", &cohort, "nosuch.csv", "-o", "t.csv"],
        vec![
            "pack",
            &cohort,
            "--child",
            "C010000011",
            "--plan",
            "nosuch.csv",
            "-o",
            "p.html",
        ],
        vec![
            "packs",
            &cohort,
            "--setting",
            "S0003",
            "--plan",
            "nosuch.csv",
            "-o",
            "packs",
        ],
    ] {
        let out = vsend().args(&args).current_dir(d).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("nosuch.csv: no such file"), "{args:?}: {err}");
        assert!(
            !err.contains("rows read"),
            "{args:?}: refused before reading: {err}"
        );
        assert_eq!(
            fs::read_dir(d).unwrap().count(),
            0,
            "{args:?}: nothing written"
        );
    }
}

/// A control character found in a cell (ESC, NUL) is written to the
/// `--errors` report escaped, as stderr shows it, never as a raw byte that
/// a terminal would act on.
#[test]
fn an_errors_report_holds_no_raw_control_character() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1] = lines[1].replacen("C0", "C\u{1b}[2J\u{0}0", 1);
    fs::write(d.join("c.csv"), lines.join("\n") + "\n").unwrap();
    let out = vsend()
        .args(["validate", "c.csv", "--errors", "e.csv"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = fs::read(d.join("e.csv")).unwrap();
    assert!(
        !report.iter().any(|&b| b < 0x20 && b != b'\n' || b == 0x7f),
        "{}",
        String::from_utf8_lossy(&report)
    );
    let report = String::from_utf8(report).unwrap();
    assert!(report.contains(r"C\u{1b}[2J\u{0}0"), "{report}");
}

/// A UTF-32 file (with or without its byte order mark) is named as UTF-32,
/// not as UTF-16, and refused before any row is read.
#[test]
fn a_utf32_file_is_named_as_utf32() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = fs::read_to_string(fixture("cohort.csv")).unwrap();
    let utf32: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    for (name, bom) in [("bom.csv", true), ("plain.csv", false)] {
        let mut bytes = if bom {
            vec![0xFF, 0xFE, 0, 0]
        } else {
            Vec::new()
        };
        bytes.extend_from_slice(&utf32);
        fs::write(d.join(name), bytes).unwrap();
        let out = vsend()
            .args(["validate", name])
            .current_dir(d)
            .output()
            .unwrap();
        assert_refused_before_reading(&out, "the file is UTF-32 text, not UTF-8");
    }
}
