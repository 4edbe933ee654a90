"""§11 transitions and plans and §14 comparison through the Python API,
matched to the worked examples to 1e-9 (fixtures/examples)."""
import json

import pandas as pd
import pytest

import vsend
from helpers import close, scored_records


def _records(frame: pd.DataFrame) -> list:
    return scored_records(frame, dates=("assessed_on", "move_on"), lists=("not_ready", "worse_than_now"))


def test_phase_moves_match(examples):
    moves = vsend.transitions(examples / "cohort-small.csv", 2025)
    close(dict(moves), json.loads((examples / "transitions-small-2025.json").read_text()))
    frame = moves.to_frame()
    assert len(frame) == len(moves["children"])
    assert str(frame["need.cl"].dtype) == "Float64"


def test_plans_match_and_bad_plans_are_rejected_on_their_lines(examples):
    with pytest.warns(vsend.RejectedRowsWarning, match="7 of 20"):
        result = vsend.transition(examples / "cohort-small.csv", examples / "plans-small.csv")
    want = [json.loads(l) for l in (examples / "plans-small.expected.jsonl").read_text().splitlines()]
    close(_records(result.planned), want)
    assert result.plans_read == len(result.planned) + result.rejected_plans == 20
    assert sorted(set(result.problems["row"])) == [4, 7, 10, 13, 16, 18, 20]
    msgs = " ".join(result.problems["message"])
    assert "no assessment of C999 on or before 2024-11-01" in msgs
    assert str(result.planned["gap_to.cl"].dtype) == "Float64"
    assert str(result.planned["readiness_to.ci"].dtype) == "Int64"


def test_plans_from_dicts_number_problems_by_position(examples):
    plans = [
        {"child_id": "C010000001", "to_setting_id": "S0007", "move_on": "2025-09-03",
         "readiness.cl": 4, "readiness.ci": 1, "readiness.sp": 1, "readiness.semh": 3, "readiness.ind": 0},
        {"child_id": "C010000001", "to_setting_id": "S0007", "move_on": "2025-02-30", "readiness": {"cl": 1}},
        {"child_id": "C\x00", "to_setting_id": "S1", "move_on": "2025-09-03"},
    ]
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", plans)
    assert len(result.planned) == 1
    assert result.planned["ready_coverage"][0] == pytest.approx(0.75)
    assert list(result.problems["row"]) == [1, 2]
    assert "move_on" in result.problems["message"][0]
    with pytest.raises(vsend.ValidationError):
        vsend.transition(examples / "cohort-small.csv", plans, strict=True)


def test_comparison_matches_and_refuses_non_summaries(examples, tmp_path):
    a, b = examples / "term-2024-autumn.json", examples / "term-2025-summer.json"
    result = vsend.compare([a, b])
    close(dict(result), json.loads((examples / "compare-terms.json").read_text()))
    assert len(result.to_frame()) == 2 * 5
    # A summary made in Python compares with one from a file.
    mine = vsend.cohort(examples / "cohort-small.csv", as_of="2024-12-31")
    again = vsend.compare([mine, b], labels=["term-2024-autumn", "term-2025-summer"])
    close(dict(again), json.loads((examples / "compare-terms.json").read_text()))
    with pytest.raises(vsend.VsendError, match="not a cohort summary"):
        vsend.compare([examples / "timeline-C010000011.json"])
    other = tmp_path / "other.json"
    other.write_text(b.read_text().replace("vsend-default", "our-own"))
    with pytest.raises(vsend.VsendError, match="our-own"):
        vsend.compare([a, other])
