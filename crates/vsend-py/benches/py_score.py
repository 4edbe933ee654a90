#!/usr/bin/env python3
"""Times `vsend.score` against the vectorised pandas baseline on one DataFrame.

    cargo run --release -p vsend-cli --example gen_cohort -- 200000 > /tmp/c200k.csv
    python crates/vsend-py/benches/py_score.py /tmp/c200k.csv

Both start from the same `pd.read_csv(path)` (default dtypes: levels float64
with NaN). Prints the median of 5 runs of each, after one warm-up, and checks
that both scored the same rows with the same needs.
"""
import os
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd

import vsend

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pandas_baseline  # noqa: E402

RUNS = 5


def median_seconds(f, df):
    f(df)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        f(df)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(path):
    df = pd.read_csv(path)
    warnings.simplefilter("ignore", vsend.RejectedRowsWarning)
    ours = vsend.score(df)
    theirs = pandas_baseline.score(df)
    assert len(ours.scored) == len(theirs), (len(ours.scored), len(theirs))
    for d in vsend.DOMAINS:
        a = ours.scored[f"need.{d}"].to_numpy(dtype=float, na_value=np.nan)
        assert np.allclose(a, theirs[f"need.{d}"], equal_nan=True), d
    v = median_seconds(vsend.score, df)
    p = median_seconds(pandas_baseline.score, df)
    print(f"{len(df)} rows ({len(ours.scored)} scored, {ours.rejected_rows} rejected), median of {RUNS}:")
    print(f"  vsend.score           {v * 1000:8.1f} ms")
    print(f"  pandas baseline       {p * 1000:8.1f} ms")
    print(f"  speed-up              {p / v:8.1f}x")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/c200k.csv")
