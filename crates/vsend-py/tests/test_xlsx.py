"""Excel in: a path to an .xlsx workbook is read as the CLI reads it (vsend-io),
so it scores as its CSV, its problems carry the sheet's row numbers, and a bad
workbook is a FileError saying what it is."""

import warnings

import pandas as pd
import pytest

import vsend


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        return fn(*args, **kwargs), caught


def test_an_xlsx_path_scores_as_its_csv(fixtures):
    csv = vsend.score(fixtures / "cohort.csv")
    xlsx = vsend.score(str(fixtures / "cohort.xlsx"))
    assert xlsx.rows_read == 36 and xlsx.rejected_rows == 0
    pd.testing.assert_frame_equal(xlsx.scored, csv.scored)
    assert list(xlsx.scored.index[:2]) == [2, 3]


def test_the_sheet_is_picked_by_name(fixtures):
    result = vsend.score(fixtures / "cohort.xlsx", sheet="cohort")
    assert result.rows_read == 36
    with pytest.raises(vsend.FileError, match=r'no sheet named "Sheet1"; allowed one of the workbook\'s sheets: "cohort"'):
        vsend.score(fixtures / "cohort.xlsx", sheet="Sheet1")
    with pytest.raises(vsend.FileError, match="only a workbook has sheets"):
        vsend.score(fixtures / "cohort.csv", sheet="cohort")
    with pytest.raises(TypeError, match="sheet"):
        vsend.score(pd.read_csv(fixtures / "cohort.csv", dtype=str), sheet="cohort")


def test_problems_name_the_rows_excel_shows(fixtures):
    result, caught = quiet(vsend.score, fixtures / "bad" / "xlsx-cells.xlsx")
    problems = result.problems
    assert list(problems["row"]) == [5, 6, 7, 8, 10, 12, 13, 14]
    assert list(problems.columns) == ["row", "field", "value", "message"]
    first = problems.iloc[0]
    assert first["field"] == "child_id" and first["value"] == "3.5"
    assert "is a number with a fraction, not an ID" in first["message"]
    assert result.scored.index[0] == 4
    numeric = [w for w in caught if issubclass(w.category, vsend.NumericIdWarning)]
    assert len(numeric) == 1 and "child_id" in str(numeric[0].message)


def test_formulas_and_other_commands(fixtures):
    result, _ = quiet(vsend.score, fixtures / "bad" / "xlsx-formulas.xlsx")
    assert list(result.problems["row"]) == [4, 5]
    assert "a formula with no saved result" in result.problems["message"].iloc[1]
    summary = vsend.cohort(fixtures / "cohort.xlsx", by="setting_id")
    assert summary["groups"] == vsend.cohort(fixtures / "cohort.csv", by="setting_id")["groups"]
    t = vsend.timeline(fixtures / "cohort.xlsx", "C010000011")
    assert t["steps"] == vsend.timeline(fixtures / "cohort.csv", "C010000011")["steps"]


@pytest.mark.parametrize(
    "name, says",
    [
        ("xlsx-csv-named.xlsx", "is it a CSV named .xlsx?"),
        ("xlsx-encrypted.xlsx", "password-protected"),
        ("xlsx-legacy.xlsx", "Excel 97-2003 workbook (.xls)"),
        ("xlsx-truncated.xlsx", "the workbook is damaged"),
        ("xlsx-merged-header.xlsx", "header cells E1:G1 are merged"),
    ],
)
def test_a_bad_workbook_is_a_file_error(fixtures, name, says):
    with pytest.raises(vsend.FileError, match=None) as e:
        vsend.score(fixtures / "bad" / name)
    assert says in str(e.value)
    assert name in str(e.value)
