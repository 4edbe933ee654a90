"""Bad input: positioned problems or a named exception, never a crash, never a silent drop."""
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import vsend


def small(examples):
    return pd.read_csv(examples / "cohort-small.csv")


def quiet_score(data, **kw):
    with pytest.warns(vsend.RejectedRowsWarning):
        return vsend.score(data, **kw)


def test_nul_in_cells_of_a_dataframe(examples):
    df = small(examples).astype({"need.cl.literacy": object, "child_id": object})
    df.loc[3, "need.cl.literacy"] = "3\x00"
    df.loc[5, "child_id"] = "C01\x00"
    result = quiet_score(df)
    p = result.problems.set_index("row")
    assert list(p.index) == [3, 5]
    assert p.loc[3, "field"] == "need.cl.literacy"
    assert "\\0" in p.loc[3, "message"] or "\\u{0}" in p.loc[3, "message"]
    assert p.loc[5, "field"] == "child_id"
    assert len(result.scored) == 34 and 3 not in result.scored.index


def test_nul_in_a_csv_file(examples, tmp_path):
    text = (examples / "cohort-small.csv").read_text()
    lines = text.splitlines(keepends=True)
    lines[4] = lines[4].replace("S0003", "S\x000003", 1) if "S0003" in lines[4] else "\x00" + lines[4]
    path = tmp_path / "nul.csv"
    path.write_text("".join(lines))
    result = quiet_score(path)
    assert list(result.problems["row"]) == [5]
    assert result.rows_read == 36 and len(result.scored) == 35


def test_malformed_levels(examples):
    df = small(examples).astype({"need.cl.literacy": object, "readiness.sp": object, "confidence.ind": object})
    df.loc[0, "need.cl.literacy"] = 2.5  # not a whole number
    df.loc[1, "readiness.sp"] = -1
    df.loc[2, "confidence.ind"] = "lots"
    df.loc[3, "need.cl.literacy"] = 99
    df.loc[4, "need.cl.literacy"] = True
    result = quiet_score(df)
    p = result.problems
    assert list(p["row"]) == [0, 1, 2, 3, 4]
    assert list(p["field"]) == ["need.cl.literacy", "readiness.sp", "confidence.ind", "need.cl.literacy", "need.cl.literacy"]
    assert list(p["value"]) == ["2.5", "-1", "lots", "99", "True"]
    assert "not a level" in p["message"][0]
    assert "below the scale minimum" in p["message"][1]
    assert "above the scale maximum 4" in p["message"][3]


def test_float_columns_with_bad_numbers(examples):
    df = small(examples)
    df["need.cl.literacy"] = df["need.cl.literacy"].astype(float)
    df.loc[0, "need.cl.literacy"] = 1.5
    df.loc[1, "need.cl.literacy"] = np.inf
    df.loc[2, "need.cl.literacy"] = -3.0
    df.loc[3, "need.cl.literacy"] = 1e20
    result = quiet_score(df)
    assert list(result.problems["row"]) == [0, 1, 2, 3]
    assert list(result.problems["value"]) == ["1.5", "inf", "-3", "100000000000000000000"]


def test_many_problems_in_one_row_are_all_reported(examples):
    df = small(examples).astype(object)
    df.loc[0, ["child_id", "assessed_on", "setting_id", "need.sp.vision"]] = ["", "2025-02-30", "@SUM(A1)", "x"]
    result = quiet_score(df)
    assert list(result.problems["field"]) == ["child_id", "assessed_on", "setting_id", "need.sp.vision"]
    assert result.rejected_rows == 1


def test_long_cells_are_echoed_short(examples):
    df = small(examples).astype({"child_id": object})
    df.loc[0, "child_id"] = "X" * 100_000
    result = quiet_score(df)
    value = result.problems["value"][0]
    assert len(value) <= 41 and value.endswith("…")
    assert len(result.problems["message"][0]) < 300


def test_lone_surrogate_is_a_problem_not_a_crash(examples):
    df = small(examples).astype({"setting_id": object})
    df.loc[2, "setting_id"] = "S\udc80"
    result = quiet_score(df)
    assert list(result.problems["row"]) == [2]
    assert result.problems["field"][0] == "setting_id"


def test_missing_and_unknown_columns(examples):
    df = small(examples)
    with pytest.raises(vsend.ColumnError) as e:
        vsend.score(df.drop(columns=["confidence.sp", "need.ci.social"]).assign(**{"need.cl.spelling": 1}))
    problems = e.value.problems
    assert list(problems.columns) == ["row", "field", "value", "message"]
    assert set(problems["field"]) == {"need.cl.spelling", "confidence.sp", "need.ci.social"}
    assert problems["row"].isna().all()
    unknown = problems[problems["field"] == "need.cl.spelling"].iloc[0]
    assert "unknown column" in unknown["message"] and unknown["value"] == "need.cl.spelling"
    assert "missing column confidence.sp" in set(problems["message"])


def test_repeated_column(examples):
    df = small(examples)
    df2 = pd.concat([df, df[["need.cl.literacy"]]], axis=1)
    with pytest.raises(vsend.ColumnError, match="more than once"):
        vsend.score(df2)


def test_strict_raises_with_every_problem(examples):
    df = small(examples).astype(object)
    df.loc[[1, 7, 9], "need.cl.literacy"] = "9"
    df.loc[7, "child_id"] = "bad id"
    with pytest.raises(vsend.ValidationError) as e:
        vsend.score(df, strict=True)
    err = e.value
    assert err.rejected_rows == 3 and err.rows_read == 36
    assert list(err.problems["row"]) == [1, 7, 7, 9]
    assert "3 of 36 rows rejected" in str(err)


def test_strict_applies_to_cohort_and_timeline(examples):
    with pytest.raises(vsend.ValidationError):
        vsend.cohort(examples / "cohort-bad-rows.csv", strict=True)
    with pytest.raises(vsend.ValidationError):
        vsend.timeline(examples / "cohort-bad-rows.csv", "C020000001", strict=True)


def test_bad_framework_lists_every_problem(examples):
    fw = json.loads(vsend.Framework.default().to_json())
    fw["scale"]["max_level"] = 0
    fw["domains"]["cl"]["areas"].append(fw["domains"]["cl"]["areas"][0])
    fw["meaningful_change"] = -1
    with pytest.raises(vsend.FrameworkError) as e:
        vsend.Framework.from_json(json.dumps(fw))
    assert len(e.value.problems) >= 3
    text = " ".join(e.value.problems["message"])
    assert {"scale.max_level", "meaningful_change"} <= set(e.value.problems["field"])
    assert "max_level" in text and "meaningful_change" in text and "more than once" in text
    with pytest.raises(vsend.FrameworkError, match="line 1"):
        vsend.Framework.from_json("{not json")
    with pytest.raises(vsend.FrameworkError):
        vsend.score(examples / "cohort-small.csv", framework={"id": "x"})


def test_framework_files_from_the_bad_fixtures(fixtures):
    with pytest.raises(vsend.FrameworkError, match="scale.max_level"):
        vsend.Framework.from_json((fixtures / "bad" / "framework-broken.json").read_text())
    with pytest.raises(vsend.FrameworkError, match="line 2, column 14"):
        vsend.Framework.from_json((fixtures / "bad" / "framework-not-json.json").read_text())


def expected_rows():
    from conftest import FIXTURES

    rows = []
    with open(FIXTURES / "bad" / "EXPECTED.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, command, code, names, _ = line.rstrip("\n").split("\t")
            if command in ("score", "cohort") and not name.startswith("("):
                rows.append((name, command, int(code), [n for n in names.split(",") if n]))
    return rows


# Files whose EXPECTED.tsv entry names the CLI report's summary line, with what
# each of their problems says instead.
CLI_SUMMARIES = {"uk-dates.csv": "is not a date; allowed a calendar date YYYY-MM-DD"}

# What the CLI prints as a note at the end of a run, not as a problem: Python
# raises a NumericIdWarning for it instead.
CLI_NOTES = {"column child_id holds numbers"}


@pytest.mark.parametrize("name,command,code,names", expected_rows())
def test_bad_fixture_files(fixtures, name, command, code, names):
    """Each file of fixtures/bad/ gives through Python what the CLI gives: no
    problem, rejected rows naming the fields, or a file error naming the cause."""
    path = fixtures / "bad" / name
    run = vsend.score if command == "score" else vsend.cohort
    if code == 2:
        with pytest.raises(vsend.VsendError) as e:
            run(path)
        for n in names:
            assert n in str(e.value), (n, str(e.value))
    elif code == 1:
        with pytest.warns(vsend.RejectedRowsWarning):
            result = run(path)
        problems = result.problems
        text = "\n".join(problems["field"]) + "\n" + "\n".join(problems["message"])
        if name in CLI_SUMMARIES:
            # The CLI sums these up in its report; here each row's problem is listed.
            assert CLI_SUMMARIES[name] in text
            return
        for n in names:
            if n in CLI_NOTES:
                continue
            # A line of a file (csv:3:), or a row of a sheet ([cells]:5:).
            m = re.match(r"^(csv|jsonl|\[[^\]]+\]):(\d+): (.*)$", n)
            if m:
                assert int(m.group(2)) in set(problems["row"]), (n, list(problems["row"]))
                n = m.group(3)
            assert n in text, (n, text)
    else:
        result = run(path)
        assert result.rejected_rows == 0


def test_missing_file_and_directory(fixtures):
    with pytest.raises(vsend.FileError, match="no such file"):
        vsend.score(fixtures / "no-such.csv")
    with pytest.raises(vsend.FileError, match="is a directory"):
        vsend.score(fixtures)
    with pytest.raises(vsend.FileError, match="unknown input format"):
        vsend.score(fixtures / "framework-mean.json")


def test_bad_arguments(examples):
    df = small(examples)
    with pytest.raises(ValueError, match="as_of"):
        vsend.cohort(df, as_of="01/03/2025")
    with pytest.raises(ValueError, match="by"):
        vsend.cohort(df, by="colour")
    with pytest.raises(ValueError, match="child"):
        vsend.timeline(df, "Jane Smith")
    with pytest.raises(vsend.NotFoundError):
        vsend.timeline(df, "C999")
    with pytest.raises(TypeError):
        vsend.score(42)
    with pytest.raises(TypeError):
        vsend.score([1, 2])


def test_empty_inputs(examples, tmp_path):
    df = small(examples).iloc[0:0]
    result = vsend.score(df)
    assert result.rows_read == 0 and result.scored.empty and list(result.scored.columns) == list(vsend.SCORED_COLUMNS)
    # No dicts are no records: the columns a dict leaves out are empty cells.
    none = vsend.score([])
    assert none.rows_read == 0 and none.scored.empty and none.problems.empty


@pytest.mark.parametrize("numeric_ids", [False, True])
def test_every_row_twice_rejects_each_later_copy(examples, numeric_ids):
    df = small(examples)
    if numeric_ids:
        df["child_id"] = df["child_id"].str[1:].astype("int64")
    twice = pd.concat([df, df], ignore_index=True)
    with pytest.warns(vsend.RejectedRowsWarning, match="36 of 72"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", vsend.NumericIdWarning)
            result = vsend.score(twice)
    assert list(result.problems["row"]) == list(range(36, 72))
    assert set(result.problems["field"]) == {"assessed_on"}
    assert all("repeats an earlier assessment" in m for m in result.problems["message"])
    assert list(result.scored.index) == list(range(36))
    # A child seen on two dates is not a duplicate.
    moved = twice.copy()
    moved.loc[36:, "assessed_on"] = "2026-01-01"
    with pytest.warns(vsend.RejectedRowsWarning):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", vsend.NumericIdWarning)
            again = vsend.score(moved)
    # Each child has several reviews in the original, so only the 2026 re-submissions collide.
    assert again.rejected_rows == 36 - df["child_id"].nunique()



@pytest.mark.parametrize("order", ["grouped", "shuffled"])
def test_same_date_rule_in_any_order_and_across_slices(examples, order, tmp_path):
    """§7 by a plain reading of the rule: of each child's accepted rows on
    one date, every one after the first is rejected. The frame puts repeats
    next to each other, apart, on each side of a row rejected for a bad
    level, and on each side of the 4,096-row slices scored on each core;
    shuffled, few repeats are neighbours. A file of the same rows gives the
    same problems."""
    base = small(examples)
    rng = np.random.default_rng(7)
    big = base.loc[rng.integers(0, len(base), 9000)].reset_index(drop=True)
    big["child_id"] = [f"C{k}" for k in rng.integers(0, 800, len(big))]
    big["assessed_on"] = [f"2025-0{m}-1{d}" for m, d in rng.integers(1, 4, (len(big), 2))]
    if order == "grouped":
        big = big.sort_values("child_id", kind="stable").reset_index(drop=True)
    for at in [4094, 4095, 4096, 8191, 8192]:  # slices begin at 4,096 and 8,192
        big.loc[at + 1, ["child_id", "assessed_on"]] = big.loc[at, ["child_id", "assessed_on"]].values
    bad = [10, 4096 + 3, 8000]
    for at in bad:
        big.loc[at + 1, ["child_id", "assessed_on"]] = big.loc[at - 1, ["child_id", "assessed_on"]].values
        big.loc[at, ["child_id", "assessed_on"]] = big.loc[at - 1, ["child_id", "assessed_on"]].values
        big.loc[at, "need.cl.literacy"] = 11  # above the scale
    seen, want = set(), []
    for row, key in enumerate(zip(big["child_id"], big["assessed_on"])):
        if row in bad:
            continue
        if key in seen:
            want.append(row)
        seen.add(key)
    assert len(want) > 1000
    result = quiet_score(big)
    rejected = result.problems.drop_duplicates("row")
    got = list(rejected.loc[rejected["field"] == "assessed_on", "row"])
    assert got == want
    assert sorted(got + bad) == list(rejected["row"])
    assert len(result.scored) + result.rejected_rows == len(big)
    path = tmp_path / "big.csv"
    big.to_csv(path, index=False)
    from_file = quiet_score(path)
    # A file's rows are numbered by line: the header is line 1.
    assert list(from_file.problems.drop_duplicates("row")["row"] - 2) == list(rejected["row"])


@pytest.mark.parametrize("banded", [False, True])
def test_rows_read_in_full_score_as_rows_read_plainly(examples, banded):
    """A row the columnar reading leaves to the full reading (a level
    written " 3") scores as the same row written plainly, though its
    domain's need was unknown to the columnar reading: every column of the
    row is written again, masks and all; rows on each side of it, in runs
    of a thousand and in slices of 4,096, are untouched by it."""
    fw = vsend.Framework.from_json((examples / "framework-banded.json").read_text()) if banded else None
    base = small(examples)
    big = pd.concat([base.assign(child_id=base["child_id"] + f"x{k}") for k in range(160)], ignore_index=True)
    sp = [c for c in big.columns if c.startswith("need.sp.")]
    big[sp] = np.nan
    big["need.sp.vision"] = 3.0  # need.sp is known through vision alone
    padded = big.astype({"need.sp.vision": object})
    padded.loc[::7, "need.sp.vision"] = " 3"
    plain, full = vsend.score(big, fw), vsend.score(padded, fw)
    assert len(big) == 5760 and full.rejected_rows == 0
    assert full.scored["need.sp"].notna().all()
    pd.testing.assert_frame_equal(full.scored, plain.scored)

def _f64(bits):
    return np.frombuffer(np.uint64(bits).tobytes(), dtype=np.float64)[0]


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (4.0, "4"),
        (np.nan, ""),
        (-np.nan, ""),
        (_f64(0x7FF8_0000_0000_0001), ""),  # a NaN with a payload
        (_f64(0xFFF8_0000_0000_0001), ""),  # a negative one
        (_f64(0x7FF0_0000_0000_0001), ""),  # a signalling NaN
        (5.0, None),  # above the scale
        (11.0, None),
        (12.0, None),
        (0.5, None),
        (2.5, None),
        (4.000000000000001, None),
        (1e-300, None),
        (5e-324, None),
        (-1.0, None),
        (float(2**53), None),
        (np.inf, None),
        (-np.inf, None),
    ],
)
def test_every_kind_of_number_is_a_level_empty_or_refused(examples, value, text):
    """A number in a level column is a level when it is a whole number on the
    scale (−0 is 0), empty when it is NaN (any NaN), else refused: the same
    verdict and scores as the cell written as text (``None``: refused)."""
    numbers = small(examples).astype({"need.cl.literacy": float})
    numbers["need.cl.literacy"] = value
    if text is None:
        result = quiet_score(numbers)
        assert result.rejected_rows == len(numbers)
        assert set(result.problems["field"]) == {"need.cl.literacy"}
        return
    as_text = small(examples).astype({"need.cl.literacy": object})
    as_text["need.cl.literacy"] = text
    got, want = vsend.score(numbers), vsend.score(as_text)
    assert got.ok and want.ok
    pd.testing.assert_frame_equal(got.scored, want.scored)


def test_numbers_read_by_their_bits_as_by_their_text(examples):
    """Every number whose low 49 bits are clear (the look-up the reading of
    levels takes: each sign, exponent and top three bits of mantissa), and
    each with bit 48 or bit 0 set as well, gets the verdict and scores of
    the same number written as text."""
    tops = np.arange(1 << 15, dtype=np.uint64) << np.uint64(49)
    bits = np.concatenate([tops, tops | np.uint64(1 << 48), tops | np.uint64(1)])
    values = bits.view(np.float64)
    row = small(examples).iloc[[0]]
    numbers = row.loc[row.index.repeat(len(values))].reset_index(drop=True)
    numbers["child_id"] = [f"C{i}" for i in range(len(values))]
    numbers["need.cl.literacy"] = values

    def text(v):
        if np.isnan(v):
            return ""
        return str(int(v)) if np.isfinite(v) and v == int(v) else repr(float(v))

    as_text = numbers.astype({"need.cl.literacy": object})
    as_text["need.cl.literacy"] = [text(v) for v in values]
    got, want = quiet_score(numbers), quiet_score(as_text)
    assert list(got.problems["row"]) == list(want.problems["row"])
    # Kept: 0 to 4 and −0, and every NaN (an all-ones exponent with any
    # mantissa but none): 6 + 14 of the first set, 16 of each other.
    assert len(got.scored) == 52
    pd.testing.assert_frame_equal(got.scored, want.scored)
