//! Every `vsend` command the README shows runs as shown, on the shipped
//! fixtures, in the order the README gives them (a later command may read an
//! earlier one's output): a recipe that does not run is a bug in the README.
//!
//! Checks: every § the README demonstrates, as its commands run.

mod common;

use std::path::Path;
use std::process::Command;

use common::root;

/// The `vsend …` commands of the README's `sh` blocks, continuation lines joined.
fn readme_commands() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = line.trim_end();
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(line.trim_start());
        } else if line.starts_with("vsend ") {
            pending.push_str(line);
        } else {
            continue;
        }
        if let Some(cut) = pending.strip_suffix('\\') {
            pending = cut.trim_end().to_owned();
            continue;
        }
        commands.push(std::mem::take(&mut pending));
    }
    commands
}

/// A scratch copy of the fixtures, so the README's outputs land there.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_vsend_command_in_the_readme_runs_as_shown() {
    let commands = readme_commands();
    assert!(commands.len() >= 20, "found {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures"), &dir.path().join("fixtures"));
    let bin = Path::new(env!("CARGO_BIN_EXE_vsend")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in &commands {
        let out = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .unwrap();
        let code = out.status.code();
        // 1 is success with rejected rows, as some fixtures are meant to show.
        assert!(
            matches!(code, Some(0 | 1)),
            "README command failed ({code:?}): {command}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
