#!/usr/bin/env python3
"""Paired timing of `vsend.score` against the lean pandas scoring
(`pandas_baseline.py`) on one frame: the two run in turn, ROUNDS times, and
the median of the per-round ratios is printed (a busy shared machine slows
both of a pair alike, so the ratio holds where the times do not).

    cargo run --release -p vsend-cli --example gen_cohort -- 200000 > /tmp/c200k.csv
    python crates/vsend-py/benches/paired.py /tmp/c200k.csv [pandas|pandas-arrow|polars|pyarrow] [ROUNDS]

The frame is read once, with each library's defaults: `pd.read_csv(path)`
(pandas 3: text columns are the `str` dtype, Arrow-backed with pyarrow;
`pandas-arrow` reads every column Arrow-backed, `dtype_backend="pyarrow"`),
`polars.read_csv(path)` or `pyarrow.csv.read_csv(path)`. The baseline always
scores the pandas frame. Both must score the same rows with the same needs.
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


def frame_of(path: str, kind: str):
    if kind == "pandas":
        return pd.read_csv(path)
    if kind == "pandas-arrow":
        return pd.read_csv(path, dtype_backend="pyarrow")
    if kind == "polars":
        import polars as pl

        return pl.read_csv(path)
    if kind == "pyarrow":
        import pyarrow.csv

        return pyarrow.csv.read_csv(path)
    raise SystemExit(f"unknown frame kind {kind!r}: allowed pandas, pandas-arrow, polars or pyarrow")


def timed(f, data) -> float:
    t0 = time.perf_counter()
    f(data)
    return time.perf_counter() - t0


def main(path: str, kind: str = "pandas", rounds: int = 9) -> None:
    warnings.simplefilter("ignore", vsend.RejectedRowsWarning)
    df = pd.read_csv(path)
    data = frame_of(path, kind)
    ours = vsend.score(data)
    theirs = pandas_baseline.score(df)
    scored = ours.scored if isinstance(ours.scored, pd.DataFrame) else ours.scored.to_pandas()
    assert len(scored) == len(theirs), (len(scored), len(theirs))
    for d in vsend.DOMAINS:
        a = np.asarray(pd.array(scored[f"need.{d}"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
        assert np.allclose(a, theirs[f"need.{d}"], equal_nan=True), d
    timed(vsend.score, data)  # warm-up
    timed(pandas_baseline.score, df)
    v, p, ratios = [], [], []
    for _ in range(rounds):
        tv = timed(vsend.score, data)
        tp = timed(pandas_baseline.score, df)
        v.append(tv)
        p.append(tp)
        ratios.append(tp / tv)
    print(f"{len(df)} rows ({len(scored)} scored, {ours.rejected_rows} rejected), {kind} frame, {rounds} pairs:")
    print(f"  vsend.score         median {statistics.median(v) * 1000:7.1f} ms")
    print(f"  pandas baseline     median {statistics.median(p) * 1000:7.1f} ms")
    print(f"  ratio (baseline / vsend), median of pairs: {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "/tmp/c200k.csv",
        sys.argv[2] if len(sys.argv) > 2 else "pandas",
        int(sys.argv[3]) if len(sys.argv) > 3 else 9,
    )
