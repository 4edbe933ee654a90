"""§15 and §16 from Python: the worked examples of fixtures/examples/ to
1e-9 (from a path, a DataFrame and dicts), the tidy frames and their
conventions, the charts the CLI draws, and every bad option refused with
the CLI's ranges."""
import datetime
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import vsend
from helpers import close

HISTORY = "history-small.csv"

# The options of each worked example, as in crates/vsend-cli/tests/forecast.rs.
FORECASTS = [
    ({}, "history-small.forecast.json"),
    ({"backtest": True, "horizon": 2}, "history-small.forecast.backtest.json"),
    ({"as_of": "2022-03-01", "horizon": 5, "replicates": 0}, "history-small.forecast.2022-03-01.b0.json"),
]


def sources(examples):
    """The history as a path, a default-read DataFrame and a list of dicts."""
    path = examples / HISTORY
    frame = pd.read_csv(path)
    dicts = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    return {"path": path, "frame": frame, "dicts": dicts}


@pytest.mark.parametrize("options,expected", FORECASTS)
def test_forecast_examples_match_to_1e9(examples, options, expected):
    want = json.loads((examples / expected).read_text())
    for kind, data in sources(examples).items():
        f = vsend.forecast(data, **options)
        close(f.to_dict(), want, f"{kind}:{expected}")
        assert f.rows_read == 361 and f.rejected_rows == 0, kind
        # The tidy projection holds every number of the JSON's projection.
        rows = f.projection
        assert len(rows) == len(want["projection"]) * 6
        for i, row in enumerate(want["projection"]):
            for j, figure in enumerate(vsend.PROJECTION_FIGURES):
                got = rows.iloc[i * 6 + j]
                e = row["children"] if figure == "children" else row["high_need"][figure]
                assert got["school_year"] == row["school_year"] and got["phase"] == row["phase"]
                assert got["figure"] == figure
                for k in ("expected", "low", "high"):
                    if e[k] is None:
                        assert got[k] is pd.NA, (i, figure, k)
                    else:
                        assert abs(got[k] - e[k]) <= 1e-9, (i, figure, k)
        for d in vsend.DOMAINS:
            assert np.allclose(f.transition[d], np.array(want["transition"][d]), atol=1e-9, rtol=0)


def test_forecast_frames_follow_the_conventions(examples):
    f = vsend.forecast(examples / HISTORY, backtest=True, horizon=2)
    p = f.to_frame()
    assert list(p.columns) == ["school_year", "phase", "figure", "expected", "low", "high"]
    assert str(p["school_year"].dtype) == "Int64"
    assert list(p["phase"].cat.categories) == list(vsend.PROJECTION_PHASES)
    assert list(p["figure"].cat.categories) == list(vsend.PROJECTION_FIGURES)
    assert all(str(p[k].dtype) == "Float64" for k in ("expected", "low", "high"))
    assert list(f.leaving.columns) == ["phase", "share"] and str(f.leaving["share"].dtype) == "Float64"
    assert len(f.backtest) == 30
    assert list(f.backtest.columns) == ["phase", "figure", "forecast", "low", "high", "observed", "persistence"]
    assert f.backtest_summary["origin"] == "2021-07-05"
    assert f.as_of == datetime.date(2022, 7, 5) and f.school_year == 2021
    assert f.transition["cl"].shape == (5, 5) and f.transition["cl"].dtype == np.float64
    # Without back-test there is none.
    plain = vsend.forecast(examples / HISTORY, replicates=0)
    assert plain.backtest is None and plain.backtest_summary is None
    # Without replicates, the years after the first have no interval.
    later = plain.projection[plain.projection["school_year"] > plain.school_year]
    assert later["low"].isna().all() and later["high"].isna().all()


def test_impact_example_matches_to_1e9(examples):
    want = json.loads((examples / "history-small.impact.json").read_text())
    for kind, data in sources(examples).items():
        i = vsend.impact(data)
        close(i.to_dict(), want, f"{kind}:impact")
        assert i.children == 49
    frame = i.to_frame()
    assert list(frame.columns) == [
        "support", "domain", "exposed", "matched", "comparison", "strata",
        "mean_change_exposed", "effect", "low", "high",
    ]
    assert len(frame) == 10
    first = frame.iloc[0]
    assert (first["support"], first["domain"]) == ("readiness", "cl")
    assert abs(first["effect"] - want["support"]["readiness"]["cl"]["effect"]) <= 1e-9
    assert str(frame["strata"].dtype) == "Int64" and str(frame["effect"].dtype) == "Float64"
    # No replicates: no interval, the same effect.
    none = vsend.impact(examples / HISTORY, replicates=0).to_frame()
    assert none["low"].isna().all()
    assert abs(none["effect"][0] - first["effect"]) <= 1e-9


def test_as_of_is_a_date_or_iso_text(examples):
    path = examples / HISTORY
    want = vsend.forecast(path, as_of="2022-03-01", replicates=0).to_dict()
    for as_of in (datetime.date(2022, 3, 1), pd.Timestamp("2022-03-01"), np.datetime64("2022-03-01")):
        assert vsend.forecast(path, as_of=as_of, replicates=0).to_dict() == want
    assert vsend.impact(path, as_of=datetime.date(2022, 3, 1)).as_of == datetime.date(2022, 3, 1)
    with pytest.raises(ValueError, match='as_of: "01/03/2022" is not a date; allowed YYYY-MM-DD'):
        vsend.forecast(path, as_of="01/03/2022")
    with pytest.raises(TypeError, match="as_of"):
        vsend.impact(path, as_of=20220301)


def test_too_little_history_is_an_error_naming_what_is_allowed(examples):
    path = examples / HISTORY
    with pytest.raises(ValueError) as e:
        vsend.forecast(path, as_of="2020-06-01")
    assert "as_of 2020-06-01: a projection needs at least one year of history before 2020-06-01" in str(e.value)
    assert "allowed as_of 2020-09-26 or later" in str(e.value)
    with pytest.raises(ValueError, match="is before every assessment .the first is on 2019-09-26.; a projection needs a year of history, so allowed from 2020-09-26"):
        vsend.forecast(path, as_of="2019-01-01")
    with pytest.raises(ValueError, match="backtest needs at least two years of history before 2021-03-01"):
        vsend.forecast(path, backtest=True, as_of="2021-03-01")
    with pytest.raises(ValueError, match="found 1 year"):
        vsend.forecast(path, backtest=True, history=1)
    with pytest.raises(ValueError, match="as_of 2019-01-01 is before every assessment .the first is on 2019-09-26.; allowed a date on or after 2019-09-26"):
        vsend.impact(path, as_of="2019-01-01")
    with pytest.raises(ValueError, match="no accepted assessments to project from"):
        vsend.forecast([])
    with pytest.raises(ValueError, match="no accepted assessments to analyse"):
        vsend.impact([])


@pytest.mark.parametrize(
    "options,words",
    [
        ({"horizon": 0}, "horizon: 0 is not allowed; allowed a whole number from 1 to 5"),
        ({"horizon": 6}, "horizon: 6 is not allowed; allowed a whole number from 1 to 5"),
        ({"replicates": -1}, "replicates: -1 is not allowed; allowed a whole number from 0 to 10000"),
        ({"replicates": 10001}, "replicates: 10001 is not allowed; allowed a whole number from 0 to 10000"),
        ({"seed": -1}, "seed: -1 is not allowed; allowed a whole number from 0 to 18446744073709551615"),
        ({"seed": 2**64}, "seed: 18446744073709551616 is not allowed; allowed a whole number from 0 to 18446744073709551615"),
        ({"history": 0}, "history: 0 is not allowed; allowed a whole number from 1 to 10"),
        ({"history": 11}, "history: 11 is not allowed; allowed a whole number from 1 to 10"),
        ({"inflow_years": 0}, "inflow_years: 0 is not allowed; allowed a whole number from 1 to 10"),
        ({"inflow_years": 11}, "inflow_years: 11 is not allowed; allowed a whole number from 1 to 10"),
    ],
)
def test_bad_forecast_options_are_refused_before_reading(options, words):
    # A path that does not exist: the option is refused first, as by the CLI.
    with pytest.raises(ValueError) as e:
        vsend.forecast("no-such-file.csv", **options)
    assert str(e.value) == words


def test_options_of_the_wrong_type_are_type_errors(examples):
    path = examples / HISTORY
    for options in ({"seed": 1.5}, {"horizon": "3"}, {"replicates": True}, {"history": 2.0}):
        with pytest.raises(TypeError, match="expected a whole number"):
            vsend.forecast(path, **options)
    for options in ({"replicates": 10001}, {"seed": -1}):
        with pytest.raises(ValueError, match=next(iter(options))):
            vsend.impact("no-such-file.csv", **options)
    with pytest.raises(TypeError, match="seed: expected a whole number, got '1'"):
        vsend.impact(path, seed="1")
    # numpy integers are whole numbers.
    assert vsend.forecast(path, horizon=np.int64(2), replicates=np.uint16(0)).horizon == 2


def test_charts_are_the_clis_and_show_inline(examples):
    f = vsend.forecast(examples / HISTORY, replicates=20)
    svg = f._repr_svg_()
    assert svg.startswith("<svg") and "Children on the caseload" in svg
    assert f._repr_png_()[1:4] == b"PNG"
    small = f.chart(width=600, height=400, title="Caseload")
    assert 'width="600"' in small.svg and "Caseload" in small.svg
    i = vsend.impact(examples / HISTORY, replicates=20)
    forest = i.chart()
    for words in ("left of zero: needs fell more after support rose", "not proof of cause"):
        assert words in forest.svg
    assert i._repr_png_()[1:4] == b"PNG"
    with pytest.raises(ValueError, match="chart"):
        i.chart(width=50)


def test_rejected_rows_are_reported_and_strict_raises(examples):
    frame = pd.read_csv(examples / HISTORY)
    frame.loc[3, "need.cl.learning"] = 9
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = vsend.forecast(frame, replicates=0)
    assert any(issubclass(w.category, vsend.RejectedRowsWarning) for w in caught)
    assert f.rejected_rows == 1 and f.rows_read == 361
    assert list(f.problems["row"]) == [3] and list(f.problems["field"]) == ["need.cl.learning"]
    with pytest.raises(vsend.ValidationError):
        vsend.impact(frame, replicates=0, strict=True)
