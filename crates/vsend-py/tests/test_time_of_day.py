"""Checks §3 and §9 from pandas: a date column holding a time of day is not
read as its date with the time dropped; that row is refused, naming the
value, as the CSV and Excel readers refuse it (attack pass three)."""
import pandas as pd

import vsend
from conftest import EXAMPLES


def test_a_time_of_day_rejects_its_row_and_midnight_is_a_date():
    frame = pd.read_csv(EXAMPLES / "cohort-small.csv", dtype=str, keep_default_na=False).head(3)
    frame["assessed_on"] = pd.to_datetime(["2025-01-01 23:30", "2025-01-02 00:00", "2025-01-03 00:00"])
    result = vsend.score(frame)
    assert result.rows_read == 3 and len(result.scored) == 2 and result.rejected_rows == 1
    [problem] = result.problems.itertuples()
    assert (problem.row, problem.field) == (0, "assessed_on")
    assert "2025-01-01 23:30:00" in problem.value
    dates = result.scored["assessed_on"].astype(str).tolist()
    assert dates == ["2025-01-02", "2025-01-03"]
