"""The Python API: types, frames, frameworks, charts."""
import json

import numpy as np
import pandas as pd
import pytest

import vsend
from helpers import close, scored_records


def small(examples):
    return pd.read_csv(examples / "cohort-small.csv")


def test_nullable_dtypes_never_zero_for_not_assessed(examples):
    s = vsend.score(small(examples)).scored
    assert str(s["need.cl"].dtype) == "Float64"
    assert str(s["readiness.cl"].dtype) == "Int64"
    assert str(s["breadth.cl"].dtype) == "Int64"
    assert str(s["complete"].dtype) == "boolean"
    assert str(s["child_id"].dtype).startswith("string")
    assert str(s["assessed_on"].dtype) == "datetime64[s]"
    first = s.iloc[0]
    assert first["readiness.cl"] is pd.NA and first["setting_gap.cl"] is pd.NA
    assert first["confidence.cl"] == 0  # zero is a rating, kept
    assert list(s["age_band"].cat.categories) == list(vsend.AGE_BANDS)
    assert s["primary_domain"].iloc[0] == "semh"


def test_incomplete_rows_have_absent_whole_figures(examples):
    df = small(examples)
    for area in ["need.ind.self_care", "need.ind.safety", "need.ind.community"]:
        df.loc[0, area] = np.nan
    s = vsend.score(df).scored.iloc[0]
    assert s["need.ind"] is pd.NA and not s["complete"]
    for k in ["total_need", "need_index", "setting_coverage", "family_coverage", "unmet_setting", "primary_domain"]:
        assert pd.isna(s[k]), k


def test_index_is_kept(examples):
    df = small(examples)
    df.index = [f"r{i}" for i in range(len(df))]
    df = df.astype({"need.cl.literacy": object})
    df.loc["r4", "need.cl.literacy"] = "x"
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.score(df)
    assert list(result.problems["row"]) == ["r4"]
    assert "r4" not in result.scored.index and list(result.scored.index[:4]) == ["r0", "r1", "r2", "r3"]


def test_other_column_types(examples):
    df = small(examples)
    want = scored_records(vsend.score(df).scored)
    typed = df.copy()
    typed["assessed_on"] = pd.to_datetime(typed["assessed_on"])
    typed["date_of_birth"] = pd.to_datetime(typed["date_of_birth"])
    for c in [c for c in typed.columns if c.startswith(("need.", "readiness.", "confidence."))]:
        typed[c] = typed[c].astype("Int64")
    typed["setting_id"] = typed["setting_id"].astype("category")
    typed["child_id"] = typed["child_id"].astype("string")
    close(scored_records(vsend.score(typed).scored), want)


def test_numeric_ids_and_whole_number_columns(examples):
    df = small(examples).iloc[:3].copy()
    df["child_id"] = [101, 102, 103]
    df = df.fillna(0).astype({c: "int64" for c in df.columns if c.startswith(("need.", "readiness.", "confidence."))})
    with pytest.warns(vsend.NumericIdWarning, match="child_id"):
        s = vsend.score(df).scored
    assert list(s["child_id"]) == ["101", "102", "103"]


def test_ids_are_trimmed(examples):
    df = small(examples).iloc[:2].copy()
    df.loc[0, "child_id"] = "  C1  "
    s = vsend.score(df).scored
    assert s["child_id"].iloc[0] == "C1"


def test_nested_dicts_and_jsonl_match_csv(fixtures):
    csv = vsend.score(fixtures / "cohort.csv")
    jl = vsend.score(fixtures / "cohort.jsonl")
    records = [json.loads(line) for line in (fixtures / "cohort.jsonl").read_text().splitlines() if line.strip()]
    nested = vsend.score(records)
    a, b, c = (scored_records(r.scored) for r in (csv, jl, nested))
    close(b, a)
    close(c, a)


def test_nested_dicts_with_type_problems(fixtures):
    records = [json.loads(line) for line in (fixtures / "cohort.jsonl").read_text().splitlines() if line.strip()][:3]
    records[1]["needs"]["cl.literacy"] = "3"
    records[2]["needs"]["cl.literacy"] = float("nan")
    with pytest.warns(vsend.RejectedRowsWarning):
        r = vsend.score(records)
    assert list(r.problems["row"]) == [1, 2]
    assert r.problems["field"][0] == "needs.cl.literacy"


def test_framework_api(fixtures):
    fw = vsend.Framework.default()
    assert (fw.id, fw.version, fw.max_level, fw.aggregate) == ("vsend-default", "1", 4, "max")
    assert len(fw.areas) == 19 and fw.areas[0][0] == "cl.learning"
    again = vsend.Framework.from_json(fw.to_json())
    assert again == fw and hash(again) == hash(fw)
    assert "vsend-default" in repr(fw)
    mean = vsend.Framework.from_json((fixtures / "framework-mean.json").read_text())
    assert mean.aggregate == "mean" and mean != fw
    cols = dict(fw.columns())
    assert cols["child_id"] is True and cols["readiness_planned.cl"] is False


def test_mean_framework_from_path(fixtures, tmp_path):
    path = fixtures / "framework-mean.json"
    fw = vsend.Framework.from_json(path.read_text())
    names = [name for name, required in fw.columns() if required]
    cl_areas = [key for key, _, domain in fw.areas if domain == "cl"]
    row = {name: 1 for name in names if name.startswith(("need.", "readiness.", "confidence."))}
    row.update({"child_id": "C1", "assessed_on": "2025-01-10", "date_of_birth": "", "setting_id": "S1"})
    row[f"need.{cl_areas[0]}"] = 5
    df = pd.DataFrame([row])[names]
    df.to_csv(tmp_path / "c.csv", index=False)
    r1 = vsend.score(tmp_path / "c.csv", framework=path)
    r2 = vsend.score(df, framework=path.read_text())
    r3 = vsend.score(df, framework=json.loads(path.read_text()))
    close(scored_records(r2.scored), scored_records(r1.scored))
    close(scored_records(r3.scored), scored_records(r1.scored))
    want = (5 + (len(cl_areas) - 1)) / len(cl_areas)
    assert abs(r1.scored["need.cl"].iloc[0] - want) < 1e-12
    assert set(r1.scored["framework_id"]) == {fw.id}


def test_cohort_frame(examples):
    s = vsend.cohort(small(examples), by="setting_id")
    f = vsend.cohort_frame(s)
    assert len(f) == 5 * len(s["groups"])
    assert f["n"].dtype == "Int64" and f["mean_need"].dtype == "Float64"
    row = f[(f.group == "all") & (f.domain == "cl")].iloc[0]
    g = s["groups"]["all"]["cl"]
    assert row["n"] == g["n"] and abs(row["mean_need"] - g["mean_need"]) < 1e-12
    assert [row[f"histogram.{k}"] for k in range(5)] == g["histogram"]
    assert s.to_frame().equals(f)


def test_timeline_frame(examples):
    t = vsend.timeline(small(examples), "C010000011", as_of="2025-09-01")
    f = t.to_frame()
    assert len(f) == 5 * len(t["steps"])
    assert list(f.columns[:5]) == ["child_id", "from", "to", "days", "domain"]
    assert f["class"].iloc[0] == t["steps"][0]["class"]["cl"]


def test_charts(examples, tmp_path):
    df = small(examples)
    for chart in [
        vsend.radar(df, "C010000011", previous=True),
        vsend.radar(df, "C010000011", on="2025-03-01"),
        vsend.timeline_chart(df, "C010000011"),
        vsend.cohort_radar(df, group="setting_id=S0001", by="setting_id"),
    ]:
        svg = chart._repr_svg_()
        assert svg.lstrip().startswith("<svg") and "</svg>" in svg
        chart.save(tmp_path / "c.svg")
        chart.save(tmp_path / "c.png")
        assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / "c.svg").read_text() == svg
        assert chart.rejected_rows == 0
    with pytest.raises(ValueError, match="allowed extensions"):
        chart.save(tmp_path / "c.pdf")
    with pytest.raises(vsend.NotFoundError, match="groups: all"):
        vsend.cohort_radar(df, group="nope")
    with pytest.raises(ValueError, match="size"):
        vsend.radar(df, "C010000011", width=10)


def test_result_repr_shows_no_data(examples):
    r = vsend.score(small(examples))
    assert "C0" not in repr(r) and "rows_read=36" in repr(r)
