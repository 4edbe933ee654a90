"""The same DataFrame-level tests for pandas, polars and pyarrow data, on the
worked examples to 1e-9: `score`, `cohort`, `timeline`, `forecast` and
`impact` take each kind and give their tables back as the kind given
(polars in, polars out). polars and pyarrow are optional: their cases skip
without them, and the package imports and scores pandas without either."""
import json
import math
import subprocess
import sys
import warnings

import pandas as pd
import pytest

import vsend
from helpers import close

KINDS = ["pandas", "polars", "pyarrow"]


def _module(kind):
    if kind == "polars":
        return pytest.importorskip("polars")
    if kind == "pyarrow":
        return pytest.importorskip("pyarrow")
    return pd


def read(kind, path, text=False):
    """A worked example's CSV as the kind's default reader reads it; with
    ``text``, every cell as text (empty = not assessed), as a rejected row's
    cells must be read to be reported."""
    mod = _module(kind)
    if kind == "pandas":
        return pd.read_csv(path, dtype=str, keep_default_na=False) if text else pd.read_csv(path)
    if kind == "polars":
        return mod.read_csv(path, infer_schema=False) if text else mod.read_csv(path)
    if text:
        return mod.Table.from_pandas(pd.read_csv(path, dtype=str, keep_default_na=False), preserve_index=False)
    import pyarrow.csv

    return pyarrow.csv.read_csv(path)


def frame_type(kind):
    mod = _module(kind)
    return {"pandas": pd.DataFrame, "polars": getattr(mod, "DataFrame", None), "pyarrow": getattr(mod, "Table", None)}[kind]


def records(frame):
    """A table of any kind as a list of dicts (absent: None)."""
    if isinstance(frame, pd.DataFrame):
        out = frame.to_dict("records")
    elif hasattr(frame, "to_dicts"):  # polars
        out = frame.to_dicts()
    else:  # pyarrow
        out = frame.to_pylist()
    return [{k: _plain(v) for k, v in r.items()} for r in out]


def _plain(v):
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    if hasattr(v, "item"):
        return v.item()
    return v


def flat(scored):
    """Scored rows as the flat objects of JSON Lines output (§10)."""
    out = []
    for r in records(scored):
        for k in ("unmet_setting", "unmet_family"):
            if r.get(k) is not None:
                r[k] = [] if r[k] == "" else r[k].split(";")
        out.append(r)
    return out


def columns(frame):
    return list(frame.columns) if not hasattr(frame, "column_names") else list(frame.column_names)


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def same_table(got, want):
    """Two tables of any kinds hold the same columns and values (to 1e-9)."""
    assert columns(got) == columns(want)
    close(records(got), records(want))


@pytest.mark.parametrize("kind", KINDS)
def test_score_small(examples, kind):
    data = read(kind, examples / "cohort-small.csv")
    result = vsend.score(data)
    assert isinstance(result.scored, frame_type(kind))
    assert result.ok and result.rows_read == 36 and len(result.scored) == 36
    assert columns(result.scored) == list(vsend.SCORED_COLUMNS)
    close(flat(result.scored), jsonl(examples / "cohort-small.scored.jsonl"))


@pytest.mark.parametrize("kind", KINDS)
def test_score_bad_rows(examples, kind):
    data = read(kind, examples / "cohort-bad-rows.csv", text=True)
    with pytest.warns(vsend.RejectedRowsWarning, match="of 60 rows rejected"):
        result = vsend.score(data)
    assert isinstance(result.scored, frame_type(kind))
    assert len(result.scored) + result.rejected_rows == result.rows_read == 60
    # A table pads the short row of line 34 with empty cells: it cannot tell.
    padded = ("C020000026", "2025-02-02")
    rows = [r for r in flat(result.scored) if (r["child_id"], r["assessed_on"]) != padded]
    assert len(rows) == len(result.scored) - 1
    close(rows, jsonl(examples / "cohort-bad-rows.scored.jsonl"))
    # Rejected rows are named by position (pandas: by the index, here the same).
    with pytest.warns(vsend.RejectedRowsWarning):
        want = vsend.score(read("pandas", examples / "cohort-bad-rows.csv", text=True))
    assert {int(r) for r in result.problems["row"]} == {int(r) for r in want.problems["row"]}
    same_table(result.scored, want.scored)


@pytest.mark.parametrize("kind", KINDS)
def test_score_duplicates(examples, kind):
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.score(read(kind, examples / "cohort-duplicates.csv"))
    assert {int(r) + 2 for r in result.problems["row"]} == {7, 24}
    close(flat(result.scored), jsonl(examples / "cohort-duplicates.scored.jsonl"))


@pytest.mark.parametrize("kind", KINDS)
def test_banded_score_and_cohort(examples, kind):
    fw = vsend.Framework.from_json((examples / "framework-banded.json").read_text())
    result = vsend.score(read(kind, examples / "cohort-small.csv"), framework=fw)
    assert columns(result.scored) == fw.scored_columns()
    close(flat(result.scored), jsonl(examples / "cohort-small.banded.scored.jsonl"))
    got = vsend.cohort(read(kind, examples / "cohort-small.csv"), by="setting_id", framework=fw)
    close(dict(got), json.loads((examples / "cohort-small.banded.by-setting.json").read_text()))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "options,expected",
    [
        ({"by": "setting_id"}, "cohort-small.by-setting.json"),
        ({"as_of": "2025-03-01", "by": "age_band"}, "cohort-small.2025-03-01.by-age-band.json"),
        ({"by": "setting_id", "suppress": 3}, "cohort-small.by-setting.suppress3.json"),
        ({"by": "age_band", "suppress": 4}, "cohort-small.by-age-band.suppress4.json"),
        ({"by": "setting_id", "suppress": 3, "round_to": 3}, "cohort-small.by-setting.suppress3.round3.json"),
    ],
)
def test_cohort(examples, kind, options, expected):
    got = vsend.cohort(read(kind, examples / "cohort-small.csv"), **options)
    close(dict(got), json.loads((examples / expected).read_text()))
    table = got.to_frame()
    assert isinstance(table, frame_type(kind))
    same_table(table, vsend.cohort_frame(got))


@pytest.mark.parametrize("kind", KINDS)
def test_timeline(examples, kind):
    got = vsend.timeline(read(kind, examples / "cohort-small.csv"), "C010000011", as_of="2025-09-01")
    close(dict(got), json.loads((examples / "timeline-C010000011.json").read_text()))
    table = got.to_frame()
    assert isinstance(table, frame_type(kind))
    same_table(table, vsend.timeline_frame(got))


FORECASTS = [
    ({}, "history-small.forecast.json"),
    ({"backtest": True, "horizon": 2}, "history-small.forecast.backtest.json"),
    ({"as_of": "2022-03-01", "horizon": 5, "replicates": 0}, "history-small.forecast.2022-03-01.b0.json"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("options,expected", FORECASTS)
def test_forecast(examples, kind, options, expected):
    want = json.loads((examples / expected).read_text())
    f = vsend.forecast(read(kind, examples / "history-small.csv"), **options)
    close(f.to_dict(), want)
    assert f.rows_read == 361 and f.rejected_rows == 0
    kind_of = frame_type(kind)
    assert isinstance(f.projection, kind_of) and isinstance(f.to_frame(), kind_of) and isinstance(f.leaving, kind_of)
    # The tidy projection holds every number of the JSON's projection, intervals included.
    rows = records(f.projection)
    assert columns(f.projection) == ["school_year", "phase", "figure", "expected", "low", "high"]
    assert len(rows) == len(want["projection"]) * 6
    for i, row in enumerate(want["projection"]):
        for j, figure in enumerate(vsend.PROJECTION_FIGURES):
            got = rows[i * 6 + j]
            e = row["children"] if figure == "children" else row["high_need"][figure]
            assert (got["school_year"], got["phase"], got["figure"]) == (row["school_year"], row["phase"], figure)
            close({k: got[k] for k in ("expected", "low", "high")}, {k: e[k] for k in ("expected", "low", "high")})
    close({r["phase"]: r["share"] for r in records(f.leaving)}, want["leaving"])
    if options.get("backtest"):
        assert isinstance(f.backtest, kind_of)
        close(records(f.backtest), [{k: c[k] for k in columns(f.backtest)} for c in want["backtest"]["cells"]])
    else:
        assert f.backtest is None


@pytest.mark.parametrize("kind", KINDS)
def test_impact(examples, kind):
    want = json.loads((examples / "history-small.impact.json").read_text())
    i = vsend.impact(read(kind, examples / "history-small.csv"))
    close(i.to_dict(), want)
    assert i.children == 49
    table = i.to_frame()
    assert isinstance(table, frame_type(kind))
    rows = records(table)
    assert len(rows) == 10
    for r in rows:
        w = want["support"][r["support"]][r["domain"]]
        close({k: v for k, v in r.items() if k not in ("support", "domain")}, w)


def test_record_batches_and_arrow_streams(examples):
    """A pyarrow RecordBatch comes back as one; anything else with
    ``__arrow_c_stream__`` comes back as a pyarrow Table."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv

    table = pyarrow.csv.read_csv(examples / "cohort-small.csv")
    batch = table.combine_chunks().to_batches()[0]
    want = vsend.score(pd.read_csv(examples / "cohort-small.csv")).scored

    class Stream:
        def __init__(self, t):
            self._t = t

        def __arrow_c_stream__(self, requested_schema=None):
            return self._t.__arrow_c_stream__(requested_schema)

    for data, kind in ((batch, pa.RecordBatch), (Stream(table), pa.Table)):
        scored = vsend.score(data).scored
        assert isinstance(scored, kind)
        same_table(scored, want)
    history = pyarrow.csv.read_csv(examples / "history-small.csv").combine_chunks().to_batches()[0]
    assert isinstance(vsend.impact(history).to_frame(), pa.RecordBatch)
    assert isinstance(vsend.forecast(Stream(pa.Table.from_batches([history])), replicates=0).projection, pa.Table)


def test_a_table_in_many_chunks_scores_as_one(examples):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv

    table = pyarrow.csv.read_csv(examples / "cohort-small.csv")
    chunked = pa.Table.from_batches(table.combine_chunks().to_batches(max_chunksize=5))
    assert chunked.column(0).num_chunks > 1
    same_table(vsend.score(chunked).scored, vsend.score(table).scored)


def test_polars_scored_columns_keep_their_kinds(examples):
    pl = pytest.importorskip("polars")
    scored = vsend.score(pl.read_csv(examples / "cohort-small.csv")).scored
    schema = scored.schema
    assert schema["assessed_on"] == pl.Date
    assert schema["need.cl"] == pl.Float64 and schema["breadth.cl"] == pl.Int64
    assert schema["complete"] == pl.Boolean and schema["child_id"] == pl.String


def test_without_polars_and_pyarrow_pandas_still_works(examples, tmp_path):
    """The package imports and scores pandas data with neither installed (both
    made unimportable here), and says what to install for Arrow data."""
    code = f"""
import sys
sys.modules["polars"] = None
sys.modules["pyarrow"] = None
import pandas as pd
import vsend
r = vsend.score(pd.read_csv({str(examples / "cohort-small.csv")!r}))
assert r.ok and len(r.scored) == 36, r
f = vsend.forecast(pd.read_csv({str(examples / "history-small.csv")!r}), replicates=0)
assert len(f.to_frame()) > 0

class Stream:
    def __arrow_c_stream__(self, requested_schema=None):
        raise AssertionError("not read")

try:
    vsend.score(Stream())
except ImportError as e:
    assert "pip install pyarrow" in str(e), e
else:
    raise AssertionError("no ImportError")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_pandas_arrow_backed_columns_score_as_numpy_ones(examples):
    pytest.importorskip("pyarrow")
    src = examples / "cohort-small.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arrowed = vsend.score(pd.read_csv(src, dtype_backend="pyarrow")).scored
    same_table(arrowed, vsend.score(pd.read_csv(src)).scored)


def test_every_arrow_text_layout_and_padded_ids_read_alike(examples):
    """string, large_string and string_view columns give the same rows, and IDs
    are trimmed as from a CSV cell."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.compute as pc
    import pyarrow.csv

    table = pyarrow.csv.read_csv(examples / "cohort-small.csv")
    want = vsend.score(table).scored
    for layout in (pa.large_string(), pa.string_view()):
        schema = pa.schema([f.with_type(layout) if f.type == pa.string() else f for f in table.schema])
        same_table(vsend.score(table.cast(schema)).scored, want)
    i = table.schema.get_field_index("child_id")
    padded = table.set_column(i, "child_id", pc.binary_join_element_wise(" ", table["child_id"], " ", ""))
    same_table(vsend.score(padded).scored, want)


def test_text_in_uneven_chunks_reads_as_one_array(examples):
    """Text columns are read chunk by chunk where they lie (pandas' text
    columns come in several, and are not joined first): chunks of uneven
    sizes, empty ones among them, across the 4,096-row blocks by which a
    row's chunk is found, give the rows of one array, for a pyarrow Table
    and for a pandas frame, with a rejected row, a same-date duplicate and
    an ID to trim among them."""
    pa = pytest.importorskip("pyarrow")
    base = pd.read_csv(examples / "cohort-small.csv", dtype=str, keep_default_na=False)
    big = pd.concat([base.assign(child_id=base["child_id"] + f"x{k}") for k in range(300)], ignore_index=True)
    assert len(big) == 10_800
    big.loc[5000, "need.cl.literacy"] = "9"  # above the scale: rejected
    big.loc[7000] = big.loc[6999]  # the same child on the same date: rejected
    big.loc[4095, "child_id"] = " " + big.loc[4095, "child_id"]  # trimmed, as from a CSV cell
    whole = pa.Table.from_pandas(big, preserve_index=False)
    cuts = [0, 1, 1, 4095, 4098, 4098, 6098, 10195, 10800]

    def chunked(column):
        return pa.chunked_array([column.slice(a, b - a) for a, b in zip(cuts, cuts[1:])], type=column.type)

    table = pa.table({name: chunked(whole.column(name).combine_chunks()) for name in whole.column_names})
    assert table.column("child_id").num_chunks == len(cuts) - 1
    with pytest.warns(vsend.RejectedRowsWarning, match="2 of 10800 rows rejected"):
        got, want = vsend.score(table), vsend.score(whole.combine_chunks())
    same_table(got.scored, want.scored)
    assert list(got.problems["row"]) == list(want.problems["row"]) == [5000, 7000]

    frame = pd.DataFrame({name: pd.arrays.ArrowStringArray(table.column(name)) for name in table.column_names})
    with pytest.warns(vsend.RejectedRowsWarning):
        from_pandas = vsend.score(frame)
    assert frame["child_id"].array._pa_array.num_chunks == len(cuts) - 1
    same_table(from_pandas.scored, want.scored)
    assert from_pandas.scored.loc[4095, "child_id"] == big.loc[4095, "child_id"].strip()
    assert list(from_pandas.problems["row"]) == [5000, 7000]



def test_numbers_in_uneven_chunks_read_as_one_array(examples):
    """Numeric columns are read chunk by chunk where they lie, as text is:
    real and whole numbers, with nulls, in chunks of uneven sizes (empty
    ones among them) that start and end inside the 4,096-row slices, give
    the rows of one array, for a pyarrow Table and for a pandas frame of
    Arrow-backed columns; a number off the scale in a later chunk is still
    reported at its row, with its value."""
    pa = pytest.importorskip("pyarrow")
    base = pd.read_csv(examples / "cohort-small.csv")
    big = pd.concat([base.assign(child_id=base["child_id"] + f"x{k}") for k in range(300)], ignore_index=True)
    big.loc[9001, "need.cl.literacy"] = 7.5  # not a level: rejected
    whole = pa.Table.from_pandas(big, preserve_index=False)
    # Whole numbers with nulls in one column, as int64.
    i = whole.schema.get_field_index("readiness.cl")
    whole = whole.set_column(i, "readiness.cl", whole["readiness.cl"].cast(pa.int64()))
    assert whole["need.cl.learning"].null_count > 0 and whole["readiness.cl"].null_count > 0
    cuts = [0, 0, 1, 4095, 4098, 4098, 6098, 9001, 9002, 10195, 10800]

    def chunked(column):
        column = column.combine_chunks()
        return pa.chunked_array([column.slice(a, b - a) for a, b in zip(cuts, cuts[1:])], type=column.type)

    table = pa.table({name: chunked(whole.column(name)) for name in whole.column_names})
    assert table.column("need.cl.learning").num_chunks == len(cuts) - 1
    with pytest.warns(vsend.RejectedRowsWarning, match="1 of 10800 rows rejected"):
        got, want = vsend.score(table), vsend.score(whole.combine_chunks())
    same_table(got.scored, want.scored)
    with pytest.warns(vsend.RejectedRowsWarning):
        same_table(got.scored, vsend.score(big).scored)  # numpy's NaN, not Arrow's nulls
    assert list(got.problems["row"]) == [9001]
    assert list(got.problems["value"]) == ["7.5"]

    frame = pd.DataFrame({name: pd.arrays.ArrowExtensionArray(table.column(name)) for name in table.column_names})
    assert frame["need.cl.learning"].array._pa_array.num_chunks == len(cuts) - 1
    with pytest.warns(vsend.RejectedRowsWarning):
        from_pandas = vsend.score(frame)
    same_table(from_pandas.scored, want.scored)
    assert list(from_pandas.problems["row"]) == [9001]

def test_arrow_dates_read_as_their_text(examples):
    """A date32 column is read as the same dates written as text
    (`YYYY-MM-DD`): from year 0 to 9999, leap days, nulls, and a column
    with a year past 9999 (written out another way)."""
    pa = pytest.importorskip("pyarrow")
    import numpy as np
    import pyarrow.csv

    small = pyarrow.csv.read_csv(examples / "cohort-small.csv")
    n = 3000
    table = pa.concat_tables([small] * (n // small.num_rows + 1)).slice(0, n).combine_chunks()
    table = table.set_column(0, "child_id", pa.array([f"C{i}" for i in range(n)]))
    rng = np.random.default_rng(11)
    edges = [-719528, -719163, -719162, -1, 0, 59, 60, 11016, 2932896]  # 0000-01-01 … 9999-12-31
    days = np.where(rng.random(n) < 0.1, rng.choice(edges, n), rng.integers(-719528, 2932897, n))
    on = pa.array(days.astype(np.int32), type=pa.date32(), mask=rng.random(n) < 0.05)
    born = (days - 2000).clip(-719528)
    for past_9999 in (False, True):
        if past_9999:  # one year 10000: the column is written out as arrow-cast writes it
            born = np.append(born[:-1], 2932897)
        i, j = table.schema.get_field_index("assessed_on"), table.schema.get_field_index("date_of_birth")
        dated = table.set_column(i, "assessed_on", on).set_column(j, "date_of_birth", pa.array(born.astype(np.int32), type=pa.date32()))
        as_text = dated.set_column(i, "assessed_on", dated["assessed_on"].cast(pa.string()))
        as_text = as_text.set_column(j, "date_of_birth", as_text["date_of_birth"].cast(pa.string()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got, want = vsend.score(dated), vsend.score(as_text)
        assert got.scored.equals(want.scored)
        assert list(got.problems["row"]) == list(want.problems["row"])
        assert list(got.problems["field"]) == list(want.problems["field"])
        assert 0 < len(got.scored) < n
