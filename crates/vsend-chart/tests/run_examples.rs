//! Runs this crate's example (built by `cargo test`) so it is checked, not only compiled.
//!
//! Checks: §5 (the gallery of radars: full, empty, not assessed, the highest level).

#[test]
fn radar_gallery_writes_every_chart_in_both_formats() {
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .join("examples")
        .join(format!("radar_gallery{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "{} not built; run through `cargo test`",
        example.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&example)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["full", "empty", "not-assessed", "max-level"] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("C0042 · review of 2025-03-14"), "{name}.svg");
    }
    for name in [
        "full",
        "empty",
        "not-assessed",
        "max-level",
        "banded",
        "transition",
        "timeline",
        "comparison",
    ] {
        let svg = std::fs::read_to_string(dir.path().join(format!("{name}.svg"))).unwrap();
        assert!(
            !svg.contains("font-family") && !svg.contains("<text"),
            "{name}.svg names no font"
        );
        assert!(svg.len() < 200_000, "{name}.svg is {} bytes", svg.len());
        let png = std::fs::read(dir.path().join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG", "{name}.png");
    }
}
