"""The CLI and Python draw the same pictures, byte for byte: both call the
chart crate's one function per picture (a child's radar with its band line,
needs over time, a cohort group's radar)."""

import os
import pathlib
import shutil
import subprocess

import pytest

import vsend

from conftest import EXAMPLES, FIXTURES, ROOT


def _cli() -> pathlib.Path:
    """The workspace's `vsend` binary, built if `cargo test` has not."""
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "vsend"
    if not binary.exists():
        if shutil.which("cargo") is None:
            pytest.skip("no cargo to build the vsend binary with")
        subprocess.run(
            ["cargo", "build", "-q", "-p", "vsend-cli"], cwd=ROOT, check=True
        )
    return binary


def _cli_svg(tmp_path: pathlib.Path, *args: str) -> str:
    out = tmp_path / "cli.svg"
    subprocess.run([str(_cli()), "chart", *args, "-o", str(out)], check=True,
                   capture_output=True)
    return out.read_text()


@pytest.mark.parametrize("previous", [False, True])
def test_a_childs_radar_is_the_same_from_python_and_the_cli(tmp_path, previous):
    cohort = str(FIXTURES / "cohort.csv")
    args = [cohort, "--child", "C010000011"] + (["--previous"] if previous else [])
    cli = _cli_svg(tmp_path, *args)
    py = vsend.radar(cohort, "C010000011", previous=previous).svg
    assert py == cli


def test_a_banded_radar_carries_the_same_band_line(tmp_path):
    cohort = str(EXAMPLES / "cohort-small.csv")
    framework = EXAMPLES / "framework-banded.json"
    cli = _cli_svg(tmp_path, cohort, "--framework", str(framework), "--child", "C010000011")
    fw = vsend.Framework.from_json(framework.read_text())
    py = vsend.radar(cohort, "C010000011", framework=fw).svg
    assert "Band" in py or "band" in py
    assert py == cli


def test_needs_over_time_and_a_group_radar_are_the_same(tmp_path):
    cohort = str(FIXTURES / "cohort.csv")
    cli = _cli_svg(tmp_path, cohort, "--child", "C010000011", "--timeline")
    assert vsend.timeline_chart(cohort, "C010000011").svg == cli
    cli = _cli_svg(tmp_path, cohort, "--cohort", "--by", "setting_id",
                   "--group", "setting_id=S0001")
    py = vsend.cohort_radar(cohort, group="setting_id=S0001", by="setting_id").svg
    assert py == cli
