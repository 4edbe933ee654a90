"""Comparing vsend's Python outputs with the worked examples (tolerance 1e-9)."""
import math

import pandas as pd

TOL = 1e-9


def close(got, want, path="$"):
    """Deep comparison: numbers to 1e-9, key order ignored. Raises AssertionError naming the path."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: {got!r} is not an object"
        assert set(got) == set(want), f"{path}: keys {sorted(set(got) ^ set(want))} differ"
        for k in want:
            close(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, (list, tuple)), f"{path}: {got!r} is not a list"
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            close(g, w, f"{path}[{i}]")
    elif isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, (int, float)):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{path}: {got!r} is not a number"
        assert math.isclose(got, want, rel_tol=0, abs_tol=TOL), f"{path}: {got!r} != {want!r}"
    else:
        raise TypeError(f"{path}: unexpected {want!r}")


def scored_records(
    scored: pd.DataFrame,
    dates=("assessed_on",),
    lists=("unmet_setting", "unmet_family"),
) -> list:
    """Rows of a frame as the flat objects of JSON Lines output: scored rows
    (§10) by default; plans (§11) with their own date and list columns."""
    out = []
    for row in scored.to_dict("records"):
        rec = {}
        for k, v in row.items():
            if v is pd.NA or v is None or (isinstance(v, float) and math.isnan(v)):
                rec[k] = None
            elif k in dates:
                rec[k] = v.strftime("%Y-%m-%d")
            elif k in lists:
                rec[k] = [] if v == "" else v.split(";")
            elif hasattr(v, "item"):
                rec[k] = v.item()
            else:
                rec[k] = v
        out.append(rec)
    return out
