"""The worked examples of docs/model.md through the Python API, to 1e-9."""
import json
import re
import warnings

import pandas as pd
import pytest

import vsend
from helpers import close, scored_records


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def shorthand(path):
    """errors.txt: {line: what} from `file.csv:LINE: what`."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^[^:]+:(\d+): (.*)$", line)
        if m:
            out[int(m.group(1))] = m.group(2)
    return out


def as_text_frame(path):
    """The cohort as a DataFrame of text cells, empty = not assessed."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("reader", ["path", "read_csv", "text_frame", "dicts"])
def test_cohort_small_scored(examples, reader):
    src = examples / "cohort-small.csv"
    data = {
        "path": src,
        "read_csv": pd.read_csv(src),
        "text_frame": as_text_frame(src),
        "dicts": pd.read_csv(src).to_dict("records"),
    }[reader]
    result = vsend.score(data)
    assert result.ok and result.rows_read == 36
    close(scored_records(result.scored), jsonl(examples / "cohort-small.scored.jsonl"))
    assert list(result.scored.columns) == list(vsend.SCORED_COLUMNS)


def test_cohort_small_scored_unpacks(examples):
    scored, problems = vsend.score(examples / "cohort-small.csv")
    assert len(scored) == 36 and problems.empty


def test_bad_rows_from_file(examples):
    with pytest.warns(vsend.RejectedRowsWarning, match="18 of 60 rows rejected"):
        result = vsend.score(examples / "cohort-bad-rows.csv")
    assert (result.rows_read, len(result.scored), result.rejected_rows) == (60, 42, 18)
    close(scored_records(result.scored), jsonl(examples / "cohort-bad-rows.scored.jsonl"))
    want = shorthand(examples / "cohort-bad-rows.errors.txt")
    p = result.problems
    assert set(p["row"]) == set(want)
    for line, what in want.items():
        fields = set(p.loc[p["row"] == line, "field"])
        expected = {"assessed before birth": "assessed_on", "wrong number of fields": "(row)"}.get(what, what)
        assert expected in fields, (line, what, fields)
    # Rejected rows are named by line, and the scored rows keep theirs.
    assert result.scored.index.name == "line"
    assert not set(result.scored.index) & set(want)


def test_bad_rows_from_dataframe(examples):
    df = as_text_frame(examples / "cohort-bad-rows.csv")
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.score(df)
    want = shorthand(examples / "cohort-bad-rows.errors.txt")
    # pandas pads a short row (line 34) with empty cells: a DataFrame cannot tell.
    want.pop(34)
    rejected_lines = {int(r) + 2 for r in result.problems["row"]}
    assert rejected_lines == set(want)
    assert len(result.scored) + result.rejected_rows == len(df) == result.rows_read
    # The scored rows keep the DataFrame's index labels.
    assert set(result.scored.index) | set(result.problems["row"]) == set(df.index)


def test_duplicates_rejected_as_in_cli(examples):
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.score(examples / "cohort-duplicates.csv")
    close(scored_records(result.scored), jsonl(examples / "cohort-duplicates.scored.jsonl"))
    assert set(result.problems["row"]) == set(shorthand(examples / "cohort-duplicates.errors.txt"))
    assert set(result.problems["field"]) == {"assessed_on"}
    with pytest.warns(vsend.RejectedRowsWarning):
        from_frame = vsend.score(pd.read_csv(examples / "cohort-duplicates.csv"))
    assert {int(r) + 2 for r in from_frame.problems["row"]} == {7, 24}
    close(scored_records(from_frame.scored), jsonl(examples / "cohort-duplicates.scored.jsonl"))


def test_duplicates_rejected_by_cohort_too(examples):
    with pytest.warns(vsend.RejectedRowsWarning):
        s = vsend.cohort(examples / "cohort-duplicates.csv")
    assert set(s.problems["row"]) == {7, 24}
    assert s.rejected_rows == 2


@pytest.mark.parametrize("reader", ["path", "read_csv"])
def test_cohort_by_setting(examples, reader):
    src = examples / "cohort-small.csv"
    data = src if reader == "path" else pd.read_csv(src)
    got = vsend.cohort(data, by="setting_id")
    close(dict(got), json.loads((examples / "cohort-small.by-setting.json").read_text()))


def test_cohort_as_of_by_age_band(examples):
    df = pd.read_csv(examples / "cohort-small.csv")
    want = json.loads((examples / "cohort-small.2025-03-01.by-age-band.json").read_text())
    for as_of in ["2025-03-01", pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-01").date()]:
        close(dict(vsend.cohort(df, as_of=as_of, by="age_band")), want)


def test_timeline(examples):
    df = pd.read_csv(examples / "cohort-small.csv")
    got = vsend.timeline(df, "C010000011", as_of="2025-09-01")
    close(dict(got), json.loads((examples / "timeline-C010000011.json").read_text()))


def test_no_warning_when_clean(examples):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vsend.score(examples / "cohort-small.csv")
        vsend.cohort(examples / "cohort-small.csv")


def test_banded_scored_and_cohort(examples):
    fw = vsend.Framework.from_json((examples / "framework-banded.json").read_text())
    assert fw.bands and fw.scored_columns()[42:46] == ["band_score", "band", "band_raised_by", "top_up"]
    want = jsonl(examples / "cohort-small.banded.scored.jsonl")
    for data in [examples / "cohort-small.csv", pd.read_csv(examples / "cohort-small.csv")]:
        result = vsend.score(data, framework=fw)
        assert list(result.scored.columns) == fw.scored_columns()
        close(scored_records(result.scored), want)
    got = vsend.cohort(pd.read_csv(examples / "cohort-small.csv"), by="setting_id", framework=fw)
    close(dict(got), json.loads((examples / "cohort-small.banded.by-setting.json").read_text()))


@pytest.mark.parametrize(
    "by,k,b,expected",
    [
        ("setting_id", 3, None, "cohort-small.by-setting.suppress3.json"),
        ("age_band", 4, None, "cohort-small.by-age-band.suppress4.json"),
        ("setting_id", 3, 3, "cohort-small.by-setting.suppress3.round3.json"),
    ],
)
def test_suppressed_cohorts(examples, by, k, b, expected):
    got = vsend.cohort(pd.read_csv(examples / "cohort-small.csv"), by=by, suppress=k, round_to=b)
    close(dict(got), json.loads((examples / expected).read_text()))
