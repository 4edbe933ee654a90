"""Checks §3 (a level written `2.0` is level 2) from the pandas side: a cohort
read by `pd.read_csv` and written back by `to_csv` (levels become `1.0`, IDs
read as text) scores exactly as the file it came from (issue 16.2)."""
import pandas as pd
import pytest

import vsend
from conftest import EXAMPLES, FIXTURES


@pytest.mark.parametrize("path", [EXAMPLES / "cohort-small.csv", FIXTURES / "cohort.csv"])
def test_a_cohort_saved_by_pandas_scores_as_the_original(path, tmp_path):
    frame = pd.read_csv(path, dtype={"child_id": str, "setting_id": str})
    saved = tmp_path / "saved.csv"
    frame.to_csv(saved, index=False)
    # pandas writes whole levels with a decimal point: the point of the test.
    assert ".0," in saved.read_text()

    original, again = vsend.score(str(path)), vsend.score(str(saved))
    assert (again.rows_read, again.rejected_rows) == (original.rows_read, original.rejected_rows)
    assert len(again.scored) == len(original.scored) > 0
    pd.testing.assert_frame_equal(again.scored, original.scored)
    # The same rows rejected for the same fields (a value may read `-1.0` for `-1`).
    assert list(zip(again.problems["row"], again.problems["field"])) == list(
        zip(original.problems["row"], original.problems["field"])
    )
