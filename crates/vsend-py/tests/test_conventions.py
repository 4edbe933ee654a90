"""One set of conventions for every frame the package returns (issue 16.6):
text is the nullable ``string`` dtype, closed sets are categoricals, dates
``datetime64[s]``, counts ``Int64``, figures ``Float64``, flags ``boolean``,
absent values ``<NA>``; every ``.problems`` is a DataFrame with the same
columns, on results and on errors alike."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import vsend

PROBLEMS = ["row", "field", "value", "message"]


def kind(series: pd.Series) -> str:
    """The convention a column follows, or its dtype when it follows none."""
    dt = series.dtype
    if isinstance(dt, pd.StringDtype) and dt.na_value is pd.NA:
        return "text"
    if isinstance(dt, pd.CategoricalDtype):
        return "category"
    return {"datetime64[s]": "date", "Int64": "count", "Float64": "figure", "boolean": "flag"}.get(str(dt), str(dt))


def assert_conventions(frame: pd.DataFrame, expected: dict, what: str) -> None:
    """Every column follows a convention; the columns named in ``expected``
    (a name, or a prefix ending in ``.``) follow the one given."""
    for name in frame.columns:
        got = kind(frame[name])
        assert got in ("text", "category", "date", "count", "figure", "flag"), f"{what}: {name} is {got}"
        for key, want in expected.items():
            if name == key or (key.endswith(".") and name.startswith(key)):
                assert got == want, f"{what}: {name} is {got}, expected {want}"


def assert_problems(problems: pd.DataFrame, what: str, row: str = "count") -> None:
    assert isinstance(problems, pd.DataFrame), f"{what}: problems is a {type(problems).__name__}"
    assert list(problems.columns) == PROBLEMS, what
    assert kind(problems["row"]) == row, f"{what}: row is {problems['row'].dtype}"
    for name in ("field", "value", "message"):
        assert kind(problems[name]) == "text", f"{what}: {name} is {problems[name].dtype}"


def quiet(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call()


def test_every_result_frame_follows_the_conventions(examples):
    src = examples / "cohort-small.csv"
    df = pd.read_csv(src)
    bad = df.astype({"need.cl.literacy": object})
    bad.loc[3, "need.cl.literacy"] = "x"

    scored = quiet(lambda: vsend.score(bad))
    assert_conventions(
        scored.scored,
        {"child_id": "text", "setting_id": "text", "assessed_on": "date", "age_band": "category",
         "need.": "figure", "breadth.": "count", "readiness.": "count", "confidence.": "count",
         "complete": "flag", "unmet_setting": "category", "primary_domain": "category"},
        "score().scored",
    )
    assert_problems(scored.problems, "score(DataFrame).problems")
    assert len(scored.problems) == 1
    lines = quiet(lambda: vsend.score(examples / "cohort-bad-rows.csv"))
    assert_problems(lines.problems, "score(path).problems")
    labelled = bad.set_axis([f"r{i}" for i in range(len(bad))])
    # Problems of a DataFrame are labelled by its index, as the index holds them.
    labels = quiet(lambda: vsend.score(labelled)).problems
    assert_problems(labels, "score(labelled).problems", row=kind(labelled.index.to_series()))
    assert list(labels["row"]) == ["r3"]

    summary = vsend.cohort(df, by="setting_id")
    assert_problems(summary.problems, "cohort().problems")
    assert_conventions(
        vsend.cohort_frame(summary),
        {"group": "text", "domain": "category", "n": "count", "histogram.": "count", "mean_need": "figure",
         "children": "count", "mean_need_index": "figure"},
        "cohort_frame",
    )

    timeline = vsend.timeline(df, "C010000011")
    assert_problems(timeline.problems, "timeline().problems")
    assert_conventions(
        timeline.to_frame(),
        {"child_id": "text", "from": "date", "to": "date", "days": "count", "domain": "category",
         "delta_need": "figure", "class": "category", "trend": "figure", "escalating": "flag"},
        "timeline().to_frame()",
    )

    moves = vsend.transitions(df, 2025)
    assert_problems(moves.problems, "transitions().problems")
    frame = moves.to_frame()
    assert_conventions(
        frame,
        {"child_id": "text", "setting_id": "text", "move": "category", "need.": "figure",
         "need_index": "figure", "unmet_setting": "category", "primary_domain": "category"},
        "transitions().to_frame()",
    )
    assert list(frame["move"].cat.categories) == list(moves["moves"])
    # No child moving: the same columns and dtypes.
    none = vsend.transitions(df, 1900).to_frame()
    assert none.empty and list(none.columns) == list(frame.columns)
    assert list(none.dtypes) == list(frame.dtypes)

    plans = quiet(lambda: vsend.transition(src, examples / "plans-small.csv"))
    assert_problems(plans.problems, "transition().problems")
    assert_problems(plans.cohort_problems, "transition().cohort_problems")
    assert_conventions(
        plans.planned,
        {"child_id": "text", "from_setting_id": "text", "to_setting_id": "text", "assessed_on": "date",
         "move_on": "date", "days_to_move": "count", "stale": "flag", "need.": "figure",
         "readiness_from.": "count", "readiness_to.": "count", "gap_to.": "figure", "change.": "count",
         "status.": "category", "ready_coverage": "figure", "not_ready": "category",
         "worse_than_now": "category"},
        "transition().planned",
    )
    assert list(plans.planned["status.cl"].cat.categories) == ["ready", "not_ready"]

    compared = vsend.compare([examples / "term-2024-autumn.json", examples / "term-2025-summer.json"]).to_frame()
    assert_conventions(
        compared,
        {"label": "text", "as_of": "date", "children": "count", "domain": "category", "mean_need": "figure",
         "diff_mean_need": "figure"},
        "compare().to_frame()",
    )
    assert compared["as_of"].notna().all()

    chart = vsend.radar(df, "C010000011")
    assert_problems(chart.problems, "radar().problems")


def test_every_error_has_a_problems_frame(examples, fixtures, tmp_path):
    df = pd.read_csv(examples / "cohort-small.csv")
    raised = []
    with pytest.raises(vsend.ValidationError) as e:
        vsend.score(df.astype({"need.cl.literacy": object}).assign(**{"need.cl.literacy": "x"}), strict=True)
    raised.append(e.value)
    with pytest.raises(vsend.ColumnError) as e:
        vsend.score(df.drop(columns=["need.cl.literacy"]))
    raised.append(e.value)
    header = tmp_path / "header.csv"
    header.write_text("child_id,assessed_on,bogus\n")
    with pytest.raises(vsend.ColumnError) as e:
        vsend.score(header)
    raised.append(e.value)
    assert (e.value.problems["row"] == 1).all() and "bogus" in set(e.value.problems["field"])
    with pytest.raises(vsend.FrameworkError) as e:
        vsend.Framework.from_json("{not json")
    raised.append(e.value)
    broken = json.loads(vsend.Framework.default().to_json())
    broken["scale"]["max_level"] = 0
    with pytest.raises(vsend.FrameworkError) as e:
        vsend.Framework.from_json(json.dumps(broken))
    raised.append(e.value)
    assert "scale.max_level" in set(e.value.problems["field"])
    with pytest.raises(vsend.FileError) as e:
        vsend.score(fixtures / "no-such.csv")
    raised.append(e.value)
    with pytest.raises(vsend.NotFoundError) as e:
        vsend.timeline(df, "C999")
    raised.append(e.value)
    assert list(e.value.problems["value"]) == ["C999"]
    with pytest.raises(vsend.VsendError) as e:
        vsend.compare([{"a": 1}])
    raised.append(e.value)
    for err in raised:
        assert_problems(err.problems, type(err).__name__)
        assert len(err.problems) >= 1
        assert all(m for m in err.problems["message"])


# --------------------------------------------------------------------------- dicts


def test_dicts_need_not_carry_optional_columns(examples):
    """A flat dict may leave out date_of_birth, setting_id and areas not
    assessed, as plan dicts leave out readiness: they are empty cells."""
    df = pd.read_csv(examples / "cohort-small.csv", dtype=str, keep_default_na=False)
    records = []
    for rec in df.to_dict("records"):
        records.append({k: v for k, v in rec.items() if v != "" and k not in ("date_of_birth", "setting_id")})
    assert any(len(r) < len(df.columns) - 2 for r in records)  # some areas are left out
    got = vsend.score(records)
    want = vsend.score(df.assign(date_of_birth="", setting_id=""))
    assert got.ok and want.ok
    pd.testing.assert_frame_equal(got.scored.reset_index(drop=True), want.scored.reset_index(drop=True))
    assert got.scored["setting_id"].isna().all() and got.scored["age_band"].isna().all()
    # An area left out is not assessed, never 0.
    first = {k: v for k, v in records[0].items() if not k.startswith("need.semh.")}
    row = vsend.score([first]).scored.iloc[0]
    assert row["need.semh"] is pd.NA and not row["complete"] and row["breadth.semh"] == 0
    # A record that leaves out what is required is a problem of its own row.
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.score([records[0], {"assessed_on": "2025-01-10"}])
    assert list(result.problems["row"]) == [1] and list(result.problems["field"]) == ["child_id"]
    # An unknown key is still a ColumnError; no records at all are no rows.
    with pytest.raises(vsend.ColumnError, match="bogus"):
        vsend.score([{**records[0], "bogus": 1}])
    empty = vsend.score([])
    assert empty.rows_read == 0 and empty.scored.empty
    assert list(empty.scored.columns) == list(vsend.SCORED_COLUMNS)
