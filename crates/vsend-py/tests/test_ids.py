"""ID columns from pandas and dicts (issues 13.10 and 16.3): text IDs are read
as they are, whole numbers only from integer columns (with a warning that
leading zeros are gone), and anything else is a problem of its row, never
turned into an ID silently."""
import io
import warnings

import numpy as np
import pandas as pd
import pytest

import vsend

ID_RULE = "not an ID; allowed text, or a whole number from an integer column"


def small(examples, **kw):
    return pd.read_csv(examples / "cohort-small.csv", **kw)


def score_quietly(data, **kw):
    """Scores, collecting the warnings instead of showing them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = vsend.score(data, **kw)
    return result, caught


def numeric_warnings(caught):
    return [w for w in caught if issubclass(w.category, vsend.NumericIdWarning)]


# --------------------------------------------------------------------------- 13.10: never silently


@pytest.mark.parametrize(
    "value,what,shown",
    [
        (True, "a boolean", "True"),
        (np.bool_(False), "a boolean", "False"),
        (3.0, "a float", "3.0"),
        (1e20, "a float", "1e20"),
        (pd.Timestamp("2025-01-01"), "a Timestamp", "2025-01-01 00:00:00"),
        (b"C1", "a bytes", "b'C1'"),
    ],
)
@pytest.mark.parametrize("column", ["child_id", "setting_id"])
def test_an_id_cell_that_is_not_text_is_a_problem_of_its_row(examples, column, value, what, shown):
    df = small(examples).astype({column: object})
    df.index = [f"r{i}" for i in range(len(df))]
    df.at["r3", column] = value
    result, _ = score_quietly(df)
    p = result.problems
    assert list(p["row"]) == ["r3"] and list(p["field"]) == [column]
    assert p["value"][0] == shown
    message = p["message"][0]
    assert message.startswith(f"column {column}: ") and what in message and ID_RULE in message
    assert f'dtype={{"{column}": str}}' in message
    assert "r3" not in result.scored.index and len(result.scored) == len(df) - 1
    # Not reported a second time as an empty ID.
    assert "required" not in message and len(p) == 1


@pytest.mark.parametrize("value,shown", [(3.0, "3.0"), (1e20, "1e20"), (2.5, "2.5"), (-1.0, "-1.0")])
def test_a_float_id_column_is_refused_row_by_row_nan_is_empty(examples, value, shown):
    df = small(examples)
    df["setting_id"] = np.nan
    df.loc[[2, 5], "setting_id"] = value
    result, caught = score_quietly(df)
    assert list(result.problems["row"]) == [2, 5]
    assert set(result.problems["value"]) == {shown}
    assert all("a float, not an ID" in m for m in result.problems["message"])
    # The other rows have no setting: NaN is an empty cell, not a problem.
    assert result.scored["setting_id"].isna().all() and len(result.scored) == len(df) - 2
    assert len(numeric_warnings(caught)) == 1


def test_an_all_empty_float_id_column_is_no_setting_and_no_warning(examples):
    df = small(examples)
    df["setting_id"] = np.nan  # pd.read_csv gives float64 for a column with no values
    result, caught = score_quietly(df)
    assert result.ok and result.scored["setting_id"].isna().all()
    assert not numeric_warnings(caught)


def test_the_same_id_is_read_the_same_from_object_and_float_columns(examples):
    """3.0 was "3" from a float column and an ID from an object column: now neither."""
    as_object = small(examples).astype({"child_id": object})
    as_object.loc[0, "child_id"] = 3.0
    as_float = small(examples).iloc[:1].copy()
    as_float["child_id"] = 3.0
    a, _ = score_quietly(as_object)
    b, _ = score_quietly(as_float)
    assert list(a.problems["value"]) == list(b.problems["value"]) == ["3.0"]
    assert list(a.problems["message"]) == list(b.problems["message"])


def test_whole_numbers_from_integer_columns_are_ids(examples):
    df = small(examples).iloc[:4].copy()
    df["child_id"] = pd.array([7, 8, None, 10], dtype="Int64")
    result, caught = score_quietly(df)
    assert list(result.scored["child_id"]) == ["7", "8", "10"]
    # The missing ID is an empty cell (required), not "a float".
    assert list(result.problems["row"]) == [2] and "is empty" in result.problems["message"][0]
    assert len(numeric_warnings(caught)) == 1
    objects = small(examples).iloc[:2].astype({"child_id": object})
    objects["child_id"] = [np.int64(5), 6]
    result, caught = score_quietly(objects)
    assert list(result.scored["child_id"]) == ["5", "6"] and len(numeric_warnings(caught)) == 1


def test_dicts_are_held_to_the_same_rules(examples):
    records = small(examples).iloc[:3].to_dict("records")
    records[0]["child_id"] = True
    records[1]["setting_id"] = 2.0
    result, _ = score_quietly(records)
    assert list(result.problems["row"]) == [0, 1]
    assert list(result.problems["field"]) == ["child_id", "setting_id"]
    assert all(ID_RULE in m for m in result.problems["message"])


def test_cohort_timeline_and_strict_see_the_same_problems(examples):
    df = small(examples).astype({"child_id": object})
    df.loc[4, "child_id"] = False
    with pytest.warns(vsend.RejectedRowsWarning):
        summary = vsend.cohort(df)
    assert list(summary.problems["row"]) == [4] and summary.rejected_rows == 1
    with pytest.raises(vsend.ValidationError, match=r"row 4: column child_id: \"False\" is a boolean"):
        vsend.score(df, strict=True)


def test_plan_ids_are_held_to_the_same_rules(examples):
    # Line 4 of the file (row 2) has problems of its own.
    plans = pd.read_csv(examples / "plans-small.csv", dtype=str, keep_default_na=False).iloc[[0, 1, 3]]
    plans = plans.astype(object)
    plans.loc[0, "child_id"] = True
    plans.loc[1, "to_setting_id"] = 7.5
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", plans)
    p = result.problems
    assert list(p["row"]) == [0, 1] and list(p["field"]) == ["child_id", "to_setting_id"]
    assert all(ID_RULE in m for m in p["message"])
    dicts = [{"child_id": "C010000001", "to_setting_id": pd.Timestamp("2025-09-01"), "move_on": "2025-09-03"}]
    with pytest.warns(vsend.RejectedRowsWarning):
        result = vsend.transition(examples / "cohort-small.csv", dicts)
    assert "a Timestamp, not an ID" in result.problems["message"][0]


@pytest.mark.parametrize("dtype", [object, "string", "str"])
def test_text_ids_of_every_string_dtype_are_read_as_they_are(examples, dtype):
    if dtype == "str" and not pd.__version__.startswith(("3", "4")):
        pytest.skip("the str dtype is pandas 3's")
    df = small(examples, dtype={"child_id": str, "setting_id": str})
    df = df.astype({"child_id": dtype, "setting_id": dtype})
    df.loc[1, "setting_id"] = None
    result, caught = score_quietly(df)
    assert result.ok and not caught
    assert list(result.scored["child_id"]) == list(small(examples)["child_id"])
    assert result.scored["setting_id"].isna().sum() == 1


def test_pyarrow_backed_columns(examples):
    pytest.importorskip("pyarrow")
    text = (examples / "cohort-small.csv").read_text()
    df = pd.read_csv(io.StringIO(text), dtype_backend="pyarrow")
    result, caught = score_quietly(df)
    assert result.ok and not caught
    assert list(result.scored["child_id"]) == list(small(examples)["child_id"])
    numbers = df.copy()
    numbers["child_id"] = pd.array([7, None] + list(range(100, 100 + len(df) - 2)), dtype="int64[pyarrow]")
    numbers["setting_id"] = pd.array([1.5] + [None] * (len(df) - 1), dtype="double[pyarrow]")
    result, caught = score_quietly(numbers)
    assert set(result.problems["row"]) == {0, 1}
    assert "a float, not an ID" in result.problems["message"][0]
    assert len(numeric_warnings(caught)) == 1


# --------------------------------------------------------------------------- 16.3: a word about numbers


ZEROS = "child_id,setting_id\n000,001\n001,002\n"


def zeros_frame(examples, **kw):
    """cohort-small's first two rows with all-digit IDs, read as pd.read_csv reads them."""
    df = small(examples).iloc[:2].drop(columns=["child_id", "setting_id"])
    ids = pd.read_csv(io.StringIO(ZEROS), **kw)
    return pd.concat([ids, df], axis=1)[small(examples).columns]


def test_numeric_ids_warn_once_naming_the_columns_and_the_fix(examples):
    df = zeros_frame(examples)
    assert df["child_id"].dtype == "int64"
    result, caught = score_quietly(df)
    found = numeric_warnings(caught)
    assert len(found) == 1 and issubclass(vsend.NumericIdWarning, UserWarning)
    text = str(found[0].message)
    assert "child_id, setting_id" in text
    assert 'dtype={"child_id": str, "setting_id": str}' in text
    assert list(result.scored["child_id"]) == ["0", "1"]
    # Read as the warning says, the IDs are kept as written, without a word.
    fixed, caught = score_quietly(zeros_frame(examples, dtype={"child_id": str, "setting_id": str}))
    assert list(fixed.scored["child_id"]) == ["000", "001"] and not caught


def test_every_call_warns_about_numeric_ids(examples):
    df = zeros_frame(examples)
    for call in (
        lambda: vsend.cohort(df),
        lambda: vsend.timeline(df, "0"),
        lambda: vsend.transitions(df, 2025),
        lambda: vsend.radar(df, "1"),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert len(numeric_warnings(caught)) == 1
    plans = [{"child_id": "C010000001", "to_setting_id": 7, "move_on": "2025-09-03"}]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vsend.transition(examples / "cohort-small.csv", plans)
    found = numeric_warnings(caught)
    assert len(found) == 1 and "to_setting_id" in str(found[0].message)


def test_text_ids_and_files_do_not_warn(examples):
    for data in (examples / "cohort-small.csv", small(examples)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            vsend.score(data)
