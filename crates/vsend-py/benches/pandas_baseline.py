#!/usr/bin/env python3
"""A vectorised pandas scorer: the baseline `vsend.score` is measured against.

It does what `vsend.score` does for the default framework on a DataFrame read
by `pd.read_csv` with its defaults: validate every row (IDs, dates, age 0-25,
levels on the scale, same-date duplicates), then docs/model.md §4-§6 with whole-column
operations, the way a pandas-fluent analyst would write it. Only for benchmarks;
vsend does not use it.

    python benches/pandas_baseline.py COHORT.csv     # prints rows scored / rejected
"""
import sys

import numpy as np
import pandas as pd

DOMAINS = ["cl", "ci", "sp", "semh", "ind"]
AREAS = {
    "cl": ["learning", "literacy", "numeracy", "attention_memory"],
    "ci": ["expressive", "receptive", "social"],
    "sp": ["vision", "hearing", "physical", "medical", "sensory_processing"],
    "semh": ["emotional", "behaviour", "relationships", "mental_health"],
    "ind": ["self_care", "safety", "community"],
}
MAX = 4
ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
AGE_BANDS = np.array(["early_years", "primary", "secondary", "post16"], dtype=object)
SETS = [";".join(d for i, d in enumerate(DOMAINS) if c >> i & 1) for c in range(32)]


def levels(col: pd.Series):
    """(values as float with NaN for not assessed, bad mask)."""
    if col.dtype.kind in "iuf":
        v = col.astype("float64")
        text_bad = np.zeros(len(col), dtype=bool)
    else:
        s = col.astype("string").str.strip()
        v = pd.to_numeric(s, errors="coerce").astype("float64")
        text_bad = (s.notna() & (s != "") & v.isna()).to_numpy()
    arr = v.to_numpy()
    known = ~np.isnan(arr)
    bad = text_bad | (known & ((arr != np.floor(arr)) | (arr < 0) | (arr > MAX)))
    return arr, bad


def ids(col: pd.Series, required: bool):
    s = col.astype("string").str.strip()
    empty = s.isna() | (s == "")
    ok = s.str.fullmatch(ID).fillna(False).to_numpy(dtype=bool)
    bad = ~ok & ~empty.to_numpy()
    if required:
        bad |= empty.to_numpy()
    return s, bad


def score(df: pd.DataFrame) -> pd.DataFrame:
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    child, b = ids(df["child_id"], True)
    bad |= b
    setting, b = ids(df["setting_id"], False)
    bad |= b
    on = pd.to_datetime(df["assessed_on"], format="%Y-%m-%d", errors="coerce")
    bad |= on.isna().to_numpy()
    dob_given = df["date_of_birth"].notna().to_numpy()
    born = pd.to_datetime(df["date_of_birth"], format="%Y-%m-%d", errors="coerce")
    bad |= dob_given & born.isna().to_numpy()
    # Age in whole years, birthday-based; 29 Feb birthdays fall on 28 Feb in other years.
    bm, bd = born.dt.month.to_numpy(), born.dt.day.to_numpy()
    leap = pd.Series(on.dt.is_leap_year).to_numpy(dtype=bool)
    bd = np.where((bm == 2) & (bd == 29) & ~leap, 28, bd)
    age = on.dt.year.to_numpy() - born.dt.year.to_numpy()
    age = age - ((on.dt.month.to_numpy() * 100 + on.dt.day.to_numpy()) < (bm * 100 + bd))
    has_age = ~np.isnan(age)
    bad |= has_age & ((on < born).to_numpy() | (age > 25))
    need, breadth, ready, conf = {}, {}, {}, {}
    for d in DOMAINS:
        cols = []
        for a in AREAS[d]:
            v, b = levels(df[f"need.{d}.{a}"])
            bad |= b
            cols.append(v)
        m = np.column_stack(cols)
        known = ~np.isnan(m)
        need[d] = np.where(known.any(axis=1), np.nanmax(np.where(known, m, -1), axis=1), np.nan)
        breadth[d] = (np.nan_to_num(m, nan=-1) >= 2).sum(axis=1)
        ready[d], b = levels(df[f"readiness.{d}"])
        bad |= b
        conf[d], b = levels(df[f"confidence.{d}"])
        bad |= b
        if f"readiness_planned.{d}" in df:
            bad |= levels(df[f"readiness_planned.{d}"])[1]
    # §7: the later of two assessments of one child on one date is rejected.
    keys = pd.DataFrame({"c": child, "o": on})
    dup = np.zeros(n, dtype=bool)
    dup[~bad] = keys[~bad].duplicated().to_numpy()
    keep = ~bad & ~dup
    out = {
        "child_id": child[keep],
        "assessed_on": on[keep],
        "setting_id": setting[keep],
        "age_band": np.where(has_age, AGE_BANDS[np.digitize(np.nan_to_num(age), [5, 11, 16])], None)[keep],
    }
    N = np.column_stack([need[d] for d in DOMAINS])
    R = np.column_stack([ready[d] for d in DOMAINS])
    C = np.column_stack([conf[d] for d in DOMAINS])
    for i, d in enumerate(DOMAINS):
        out[f"need.{d}"] = N[keep, i]
        out[f"breadth.{d}"] = breadth[d][keep]
        out[f"readiness.{d}"] = R[keep, i]
        out[f"confidence.{d}"] = C[keep, i]
        out[f"setting_gap.{d}"] = (R - N)[keep, i]
        out[f"family_gap.{d}"] = (C - N)[keep, i]
    complete = ~np.isnan(N).any(axis=1)
    total = np.where(complete, np.nansum(N, axis=1), np.nan)

    def cover(offer):
        ok = complete & ~np.isnan(offer).any(axis=1)
        s = np.minimum(offer, N).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ok, np.where(total == 0, 1.0, s / total), np.nan)

    def unmet(offer):
        gap = offer - N
        bits = ((gap < 0) * (1 << np.arange(5))).sum(axis=1)
        return pd.Categorical.from_codes(np.where(complete, bits, -1), categories=SETS)

    top = np.nanmax(np.where(np.isnan(N), -1, N), axis=1)
    primary = np.where(complete & (top > 0), np.argmax(np.nan_to_num(N, nan=-1), axis=1), -1)
    out["complete"] = complete[keep]
    out["total_need"] = total[keep]
    out["need_index"] = (100 * total / (5 * MAX))[keep]
    out["setting_coverage"] = cover(R)[keep]
    out["family_coverage"] = cover(C)[keep]
    out["unmet_setting"] = unmet(R)[keep]
    out["unmet_family"] = unmet(C)[keep]
    out["primary_domain"] = pd.Categorical.from_codes(primary, categories=DOMAINS)[keep]
    out["framework_id"] = "vsend-default"
    out["framework_version"] = "1"
    return pd.DataFrame(out)


if __name__ == "__main__":
    frame = pd.read_csv(sys.argv[1])
    scored = score(frame)
    print(f"read {len(frame)} scored {len(scored)} rejected {len(frame) - len(scored)}")
