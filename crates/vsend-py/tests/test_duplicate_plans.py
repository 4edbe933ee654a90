"""§11 with §7's rule: of two plans of one child moving on one date, the
later is rejected on its line (or position), from a file or from dicts."""
import pytest

import vsend

HEADER = "child_id,to_setting_id,move_on,readiness.cl,readiness.ci,readiness.sp,readiness.semh,readiness.ind\n"


def test_a_repeated_plan_in_a_file_is_rejected_on_its_line(examples, tmp_path):
    plans = tmp_path / "dup.csv"
    plans.write_text(
        HEADER
        + "C010000001,S0007,2025-09-03,4,1,1,3,0\n"
        + "C010000001,S0009,2025-09-03,0,0,0,0,0\n"
        + "C010000001,S0009,2025-10-01,0,0,0,0,0\n"
    )
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", plans)
    assert list(result.planned["to_setting_id"]) == ["S0007", "S0009"]
    assert list(result.problems["row"]) == [3]
    assert list(result.problems["field"]) == ["move_on"]
    assert "repeats an earlier plan of C010000001 moving on the same date" in result.problems["message"][0]
    assert result.plans_read == len(result.planned) + result.rejected_plans == 3


def test_a_repeated_plan_in_dicts_is_rejected_by_position(examples):
    plan = {"child_id": "C010000001", "to_setting_id": "S0007", "move_on": "2025-09-03", "readiness": {"cl": 4}}
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", [plan, dict(plan, to_setting_id="S0009")])
    assert list(result.planned["to_setting_id"]) == ["S0007"]
    assert list(result.problems["row"]) == [1]
