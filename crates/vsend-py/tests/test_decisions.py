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


def _exact_rows(result) -> dict:
    """The comparison without each row's ``suppression`` (a MODEL 1.2 key the
    worked example predates), which must be None: both terms are exact."""
    out = json.loads(json.dumps(dict(result)))
    for row in out["rows"]:
        assert row.pop("suppression") is None
    return out


def test_comparison_matches_and_refuses_non_summaries(examples, tmp_path):
    a, b = examples / "term-2024-autumn.json", examples / "term-2025-summer.json"
    result = vsend.compare([a, b])
    close(_exact_rows(result), json.loads((examples / "compare-terms.json").read_text()))
    assert len(result.to_frame()) == 2 * 5
    # A summary made in Python compares with one from a file.
    mine = vsend.cohort(examples / "cohort-small.csv", as_of="2024-12-31")
    again = vsend.compare([mine, b], labels=["term-2024-autumn", "term-2025-summer"])
    close(_exact_rows(again), json.loads((examples / "compare-terms.json").read_text()))
    with pytest.raises(vsend.VsendError, match="not a cohort summary"):
        vsend.compare([examples / "timeline-C010000011.json"])
    other = tmp_path / "other.json"
    other.write_text(b.read_text().replace("vsend-default", "our-own"))
    with pytest.raises(vsend.VsendError, match="our-own"):
        vsend.compare([a, other])


# --------------------------------------------------------------------------- §11 plans, in depth

def _expected_plans(examples) -> list:
    return [json.loads(l) for l in (examples / "plans-small.expected.jsonl").read_text().splitlines()]


def _error_lines(examples) -> dict:
    """plans-small.errors.txt as {line: what the problem names}."""
    out = {}
    for entry in (examples / "plans-small.errors.txt").read_text().splitlines():
        _, line, what = entry.split(":", 2)
        # The file names the field, or (line 20) what is wrong with the row.
        out[int(line)] = {"wrong number of fields": "fields; allowed exactly"}.get(what.strip(), what.strip())
    return out


def test_rejected_plans_are_the_seven_of_the_errors_file(examples):
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", examples / "plans-small.csv")
    want = _error_lines(examples)
    assert result.rejected_plans == len(want) == 7
    assert sorted(set(result.problems["row"])) == sorted(want)
    for line, what in want.items():
        mine = result.problems[result.problems["row"] == line]
        text = " ".join(list(mine["field"]) + list(mine["message"]))
        assert what in text, f"line {line}: {what!r} not in {text!r}"
    assert result.cohort_problems.empty
    assert result.plans_read == len(result.planned) + result.rejected_plans


def test_plans_jsonl_file_gives_the_same_rows(examples, tmp_path):
    # pandas pads line 20 (too few fields, row 18), which the plan readers reject: leave it out.
    frame = pd.read_csv(examples / "plans-small.csv", dtype=str, keep_default_na=False).drop(index=18)
    lines = []
    for rec in frame.to_dict("records"):
        readiness = {d: int(rec[f"readiness.{d}"]) if rec[f"readiness.{d}"] else None for d in vsend.DOMAINS}
        lines.append(json.dumps({"child_id": rec["child_id"], "to_setting_id": rec["to_setting_id"], "move_on": rec["move_on"], "readiness": readiness}))
    path = tmp_path / "plans.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", path)
    close(_records(result.planned), _expected_plans(examples))


@pytest.mark.parametrize("how", ["text", "numbers", "dates"])
def test_plans_dataframe_matches_the_worked_example(examples, how):
    # pandas pads line 20 (too few fields), which the plan readers reject:
    # the other 19 plans, 6 rejected.
    if how == "text":
        plans = pd.read_csv(examples / "plans-small.csv", dtype=str, keep_default_na=False)
    else:
        plans = pd.read_csv(examples / "plans-small.csv")
    plans = plans.drop(index=18)
    if how == "dates":
        plans["move_on"] = pd.to_datetime(plans["move_on"], errors="coerce")
    plans.index = [f"p{i}" for i in range(len(plans))]
    with pytest.warns(vsend.RejectedRowsWarning, match="6 of 19"):
        result = vsend.transition(examples / "cohort-small.csv", plans)
    close(_records(result.planned), _expected_plans(examples))
    # Problems are labelled by the DataFrame's index: file line n is row n - 2.
    want = {line - 2 for line in _error_lines(examples) if line != 20}
    assert set(result.problems["row"]) == {f"p{i}" for i in want}
    assert result.plans_read == 19 == len(result.planned) + result.rejected_plans


def test_plans_dataframe_columns_are_checked_like_a_plan_file(examples):
    plans = pd.read_csv(examples / "plans-small.csv")
    with pytest.raises(vsend.ColumnError, match="readiness.ind"):
        vsend.transition(examples / "cohort-small.csv", plans.drop(columns=["readiness.ind"]))
    with pytest.raises(vsend.ColumnError, match="extra"):
        vsend.transition(examples / "cohort-small.csv", plans.assign(extra=1))
    with pytest.raises(vsend.ColumnError, match="bogus"):
        vsend.transition(examples / "cohort-small.csv", [{"child_id": "C1", "bogus": 1}])
    with pytest.raises(TypeError):
        vsend.transition(examples / "cohort-small.csv", {"child_id": "C1"})


def test_bad_plans_are_problems_never_a_crash(examples, tmp_path):
    good = {"child_id": "C010000001", "to_setting_id": "S0007", "move_on": "2025-09-03", "readiness": {"cl": 4}}
    plans = [
        good,
        {**good, "move_on": "2025-13-01"},  # bad date
        {**good, "to_setting_id": "S\x00"},  # NUL in a cell
        {**good, "child_id": "C\ud800"},  # not valid text
        {**good, "readiness": {"cl": 2.5, "ci": True}},  # not levels
        {"to_setting_id": "S0007"},  # child and date left out
        {**good, "move_on": "2010-01-01"},  # before the first assessment
    ]
    with pytest.warns(vsend.RejectedRowsWarning, match="6 of 7"):
        result = vsend.transition(examples / "cohort-small.csv", plans)
    assert len(result.planned) == 1 and result.plans_read == 7
    assert sorted(set(result.problems["row"])) == [1, 2, 3, 4, 5, 6]
    by_row = {r: " ".join(result.problems[result.problems["row"] == r]["message"]) for r in range(1, 7)}
    assert "move_on" in by_row[1] and "not a date" in by_row[1]
    assert "to_setting_id" in by_row[2]
    assert "child_id" in by_row[3]
    assert "readiness.cl" in by_row[4] and "readiness.ci" in by_row[4]
    assert "child_id" in by_row[5] and "move_on" in by_row[5]
    assert "no assessment of C010000001 on or before 2010-01-01" in by_row[6]
    # The same in a plans file: a NUL and a bad date are rejected lines.
    path = tmp_path / "plans.csv"
    header = "child_id,to_setting_id,move_on," + ",".join(f"readiness.{d}" for d in vsend.DOMAINS)
    path.write_text(f"{header}\nC010000001,S0007,2025-09-03,4,,,,\nC0100\x0000001,S0007,2025-09-03,4,,,,\nC010000001,S0007,2025-02-29,4,,,,\n")
    with pytest.warns(vsend.RejectedRowsWarning, match="2 of 3"):
        result = vsend.transition(examples / "cohort-small.csv", path)
    assert sorted(set(result.problems["row"])) == [3, 4]
    assert len(result.planned) == 1


def test_planned_columns_are_nullable_never_zero_for_absent(examples):
    with pytest.warns(vsend.RejectedRowsWarning):
        planned = vsend.transition(examples / "cohort-small.csv", examples / "plans-small.csv").planned
    assert list(planned.columns) == vsend.PLAN_COLUMNS
    want = _expected_plans(examples)
    for col in planned.columns:
        for got, w in zip(planned[col], want):
            if w[col] is None:
                assert got is pd.NA or got is None or (isinstance(got, float) and got != got), (col, got)
    assert str(planned["move_on"].dtype).startswith("datetime64")


# --------------------------------------------------------------------------- §11 phase moves, in depth

def test_phase_moves_frame_and_problems(examples):
    moves = vsend.transitions(examples / "cohort-small.csv", 2025)
    want = json.loads((examples / "transitions-small-2025.json").read_text())
    frame = moves.to_frame()
    assert list(frame["child_id"]) == [c["child_id"] for c in want["children"]]
    for row, child in zip(frame.to_dict("records"), want["children"]):
        for d in vsend.DOMAINS:
            assert row[f"need.{d}"] == pytest.approx(child["need"][d], abs=1e-9)
    assert moves.problems.empty and moves.rejected_rows == 0
    with pytest.warns(vsend.RejectedRowsWarning):
        bad = vsend.transitions(examples / "cohort-bad-rows.csv", 2025)
    assert bad.rejected_rows > 0 and len(set(bad.problems["row"])) == bad.rejected_rows
    with pytest.raises(vsend.ValidationError):
        vsend.transitions(examples / "cohort-bad-rows.csv", 2025, strict=True)
    for year in (99999, "2025", 2025.5, True):
        with pytest.raises(ValueError):
            vsend.transitions(examples / "cohort-small.csv", year)
    with pytest.raises(TypeError):
        vsend.transitions(examples / "cohort-small.csv", 2025, as_of=3.5)


# --------------------------------------------------------------------------- §14 comparison, in depth

def test_comparison_frame_matches(examples):
    a, b = examples / "term-2024-autumn.json", examples / "term-2025-summer.json"
    want = json.loads((examples / "compare-terms.json").read_text())
    frame = vsend.compare([a, b]).to_frame()
    assert list(frame["label"].unique()) == ["term-2024-autumn", "term-2025-summer"]
    assert frame["min_count"].isna().all() and frame["round_to"].isna().all(), "both exact"
    for rec in frame.to_dict("records"):
        row = next(r for r in want["rows"] if r["label"] == rec["label"])
        for figure, value in row[rec["domain"]].items():
            got = rec[figure]
            if value is None:
                assert got is pd.NA
            else:
                assert got == pytest.approx(value, abs=1e-9)
    default = vsend.compare([vsend.cohort(examples / "cohort-small.csv", as_of="2024-12-31"), json.loads(b.read_text())])
    assert default["reference"] == "0" and [r["label"] for r in default["rows"]] == ["0", "1"]


def test_comparison_bad_input_is_a_clear_exception(examples, tmp_path):
    a = examples / "term-2024-autumn.json"
    with pytest.raises(TypeError):
        vsend.compare(a)  # one path, not a list
    with pytest.raises(TypeError):
        vsend.compare([3])
    with pytest.raises(ValueError, match="labels"):
        vsend.compare([a, a], labels=["only one"])
    with pytest.raises(vsend.VsendError):
        vsend.compare([])
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00{")
    with pytest.raises(vsend.FileError, match="not a cohort summary"):
        vsend.compare([a, binary])
    for not_summary in ({"a": 1}, {"groups": float("nan")}, {"groups": object()}):
        with pytest.raises(vsend.VsendError, match="not a cohort summary"):
            vsend.compare([not_summary])
    scored = tmp_path / "scored.json"
    scored.write_text((examples / "cohort-small.scored.jsonl").read_text().splitlines()[0])
    with pytest.raises(vsend.VsendError, match="not a cohort summary"):
        vsend.compare([a, scored])
    with pytest.raises(FileNotFoundError):
        vsend.compare([tmp_path / "missing.json"])


# --------------------------------------------------------------------------- one rule for a school year


@pytest.mark.parametrize("year", [0, -2025, 1899, 2201, 99999, 10**30])
def test_transitions_refuse_the_years_the_cli_and_c_refuse(examples, year):
    """The core's SchoolYear rule (1900 to 2200), the one the CLI's --year and
    the C interface apply: 0 and -2025 are no longer phase moves of nothing."""
    with pytest.raises(ValueError) as e:
        vsend.transitions(examples / "cohort-small.csv", year)
    message = str(e.value)
    assert message.startswith(f'year: "{str(year)[:40]}')
    assert "is not a school year; allowed a whole number from 1900 to 2200" in message


@pytest.mark.parametrize("year", ["2025", 2025.0, True, None])
def test_transitions_refuse_a_year_that_is_not_a_whole_number(examples, year):
    with pytest.raises(ValueError, match=f"year: .*{year!r}.* is not a school year"):
        vsend.transitions(examples / "cohort-small.csv", year)


def test_transitions_take_the_years_at_the_ends_of_the_range(examples):
    import numpy as np

    for year in (1900, 2200, np.int64(2025)):
        assert vsend.transitions(examples / "cohort-small.csv", year)["year"] == int(year)


# --------------------------------------------------------------------------- §14 sharing (MODEL 1.2)

@pytest.mark.parametrize(
    "kwargs,error,says",
    [
        ({"suppress": 3, "round_to": 2}, ValueError, "round_to: 2 is not allowed; allowed a whole number B from 3 to 100"),
        ({"suppress": 3, "round_to": 101}, ValueError, "round_to: 101 is not allowed"),
        ({"round_to": 5}, ValueError, "round_to: 5 given without suppress"),
        ({"suppress": 1}, ValueError, "suppress: 1 is not allowed; allowed a whole number K from 2 to 100"),
        ({"suppress": 101}, ValueError, "suppress: 101 is not allowed"),
        ({"suppress": -3}, ValueError, "suppress: -3 is not allowed"),
        ({"suppress": True}, TypeError, "suppress: expected a whole number"),
        ({"suppress": 3, "round_to": 4.0}, TypeError, "round_to: expected a whole number"),
    ],
)
def test_bad_suppression_options_are_clear_errors(examples, kwargs, error, says):
    with pytest.raises(error) as e:
        vsend.cohort(examples / "cohort-small.csv", by="setting_id", **kwargs)
    assert says in str(e.value)


def test_suppression_bounds_and_numpy_integers_are_accepted(examples):
    import numpy as np

    low = vsend.cohort(examples / "cohort-small.csv", suppress=2, round_to=3)
    assert low["suppression"] == {"min_count": 2, "round_to": 3}
    high = vsend.cohort(examples / "cohort-small.csv", suppress=np.int64(100), round_to=np.int32(100))
    assert high["suppression"] == {"min_count": 100, "round_to": 100}
    assert high["groups"]["all"]["children"] is None, "12 children, under K = 100"


def test_comparison_reads_shared_summaries_and_says_which_are_rounded(examples):
    exact = vsend.cohort(examples / "cohort-small.csv", by="setting_id")
    shared = vsend.cohort(examples / "cohort-small.csv", by="setting_id", suppress=3, round_to=3)
    result = vsend.compare([exact, shared], labels=["exact", "shared"])
    assert [r["suppression"] for r in result["rows"]] == [None, {"min_count": 3, "round_to": 3}]
    frame = result.to_frame()
    shared_rows = frame[frame["label"] == "shared"]
    assert (shared_rows["min_count"] == 3).all() and (shared_rows["round_to"] == 3).all()
    assert frame[frame["label"] == "exact"]["round_to"].isna().all()
    # From the shown counts: cl histogram [0, 6, 3, 3, 0] has mean 1.75.
    cl = shared_rows[shared_rows["domain"] == "cl"].iloc[0]
    assert cl["mean_need"] == pytest.approx(1.75)
    assert cl["met_by_family"] is pd.NA


@pytest.mark.parametrize(
    "path,value,says",
    [
        (("cl", "met_by_setting"), 5, "groups.all.cl.met_by_setting: 5 is not allowed; allowed a share from 0 to 1"),
        (("semh", "met_by_family"), -1, "groups.all.semh.met_by_family: -1 is not allowed"),
        (("ci", "high_need"), 1000, "groups.all.ci.high_need: 1000 is not allowed; allowed at most n (12)"),
        (("sp", "mean_need"), 1e308, "groups.all.sp.mean_need: 1e+308 is not allowed; allowed a level from 0 to 4"),
    ],
)
def test_comparison_refuses_impossible_figures_by_key_path(examples, path, value, says):
    bad = json.loads((examples / "term-2024-autumn.json").read_text())
    bad["groups"]["all"][path[0]][path[1]] = value
    with pytest.raises(vsend.VsendError) as e:
        vsend.compare([examples / "term-2025-summer.json", bad])
    assert says in str(e.value)


def test_comparison_refuses_one_label_twice_and_model_1_1_shared_summaries(examples):
    a = examples / "term-2024-autumn.json"
    with pytest.raises(vsend.VsendError, match="x: the label of summaries 1 and 2"):
        vsend.compare([a, a], labels=["x", "x"])
    old = json.loads((examples / "cohort-small.by-setting.suppress3.json").read_text())
    old["suppression"] = {"min_count": 3}
    with pytest.raises(vsend.VsendError, match="MODEL 1.1"):
        vsend.compare([a, old])
    missing = json.loads(a.read_text())
    del missing["groups"]["all"]["ind"]["n"]
    with pytest.raises(vsend.VsendError, match="groups.all.ind.n: missing"):
        vsend.compare([a, missing])
