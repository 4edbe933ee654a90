"""vsend: Valuing SEND scoring for pandas.

The same numbers as the ``vsend`` command-line tool, from the same Rust core
(``vsend-core``), for analysts working in notebooks::

    import pandas as pd, vsend

    df = pd.read_csv("cohort.csv")
    result = vsend.score(df)          # every row validated and scored
    result.scored                     # one row per accepted assessment (docs/model.md §10)
    result.problems                   # one row per problem of a rejected row (§9)

    summary = vsend.cohort(df, by="setting_id")     # §8, the dict of §10
    vsend.cohort_frame(summary)                     # one row per group × domain
    vsend.timeline(df, "C0042")                     # §7
    vsend.radar(df, "C0042", previous=True)         # shows inline in Jupyter

Data may be a pandas DataFrame with the cohort columns of docs/model.md §10, a path
to a ``.csv`` or ``.jsonl`` file (read exactly as the CLI reads it), or an
iterable of dicts (flat, with the CSV column names; or nested, in the JSON
Lines shape with ``needs``, ``readiness``, ``confidence`` objects).

Nothing is dropped silently: every record read is either scored or listed in
``problems``, and ``rows_read == len(scored) + rejected_rows``. Rejected rows
raise a :class:`RejectedRowsWarning`, or with ``strict=True`` a
:class:`ValidationError` carrying every problem. Messages never echo more of a
record than the value at fault (at most its first 40 characters).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import numbers
import os
import pathlib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from . import _vsend
from ._vsend import Framework

__all__ = [
    "AGE_BANDS",
    "DOMAINS",
    "SCORED_COLUMNS",
    "Chart",
    "ColumnError",
    "CohortSummary",
    "FileError",
    "Framework",
    "FrameworkError",
    "NotFoundError",
    "RejectedRowsWarning",
    "ScoreResult",
    "TimelineResult",
    "ValidationError",
    "VsendError",
    "Comparison",
    "MovesResult",
    "TransitionResult",
    "cohort",
    "cohort_frame",
    "compare",
    "transition",
    "transitions",
    "cohort_radar",
    "radar",
    "score",
    "timeline",
    "timeline_chart",
    "timeline_frame",
]

__version__ = "0.1.0"

#: The five domains of docs/model.md §1, in canonical order.
DOMAINS: tuple[str, ...] = tuple(_vsend.DOMAINS)
#: The age bands of §6, youngest first.
AGE_BANDS: tuple[str, ...] = ("early_years", "primary", "secondary", "post16")
#: The columns of a scored row (§10), in output order; a framework with a
#: banding rule (§13) adds four: see ``Framework.scored_columns()``.
SCORED_COLUMNS: tuple[str, ...] = tuple(_vsend.SCORED_COLUMNS)

# Every set of domains, indexed by its bits (bit i = DOMAINS[i]), `;`-separated as in CSV.
_DOMAIN_SETS = [";".join(d for i, d in enumerate(DOMAINS) if code >> i & 1) for code in range(32)]

Data = Union[pd.DataFrame, str, "os.PathLike[str]", Iterable[Mapping[str, Any]]]
FrameworkLike = Union[Framework, str, "os.PathLike[str]", Mapping[str, Any], None]
DateLike = Union[str, _dt.date, pd.Timestamp, None]


# --------------------------------------------------------------------------- errors


class VsendError(Exception):
    """Base class of every vsend error. ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: Any = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class FrameworkError(VsendError, ValueError):
    """A framework that is not JSON of the §2 shape or breaks its rules.

    ``problems`` is a list of messages, one per broken rule.
    """


class ColumnError(VsendError, ValueError):
    """Missing, unknown or repeated cohort columns (§10): nothing was scored.

    ``problems`` is a list of messages, one per column problem.
    """


class FileError(VsendError, OSError):
    """A file that cannot be read as a cohort (missing, a directory, unknown
    extension, empty, header not UTF-8)."""


class NotFoundError(VsendError, LookupError):
    """A child, or a cohort group, that the data does not have."""


class ValidationError(VsendError, ValueError):
    """Rows rejected under ``strict=True``.

    ``problems`` is the problems DataFrame (``row``, ``field``, ``value``,
    ``message``) with every problem of every rejected row; ``rows_read`` and
    ``rejected_rows`` count records.
    """

    def __init__(self, message: str, problems: pd.DataFrame, rows_read: int, rejected_rows: int) -> None:
        Exception.__init__(self, message)
        self.problems = problems  # type: ignore[assignment]
        self.rows_read = rows_read
        self.rejected_rows = rejected_rows


class RejectedRowsWarning(UserWarning):
    """Some rows were rejected (and are listed in the result's ``problems``)."""


# --------------------------------------------------------------------------- inputs

_DEFAULT: Optional[Framework] = None


def _framework(framework: FrameworkLike) -> Framework:
    global _DEFAULT
    if framework is None:
        if _DEFAULT is None:
            _DEFAULT = Framework.default()
        return _DEFAULT
    if isinstance(framework, Framework):
        return framework
    if isinstance(framework, Mapping):
        return Framework.from_json(json.dumps(framework))
    if isinstance(framework, (str, os.PathLike)):
        text = os.fspath(framework)
        if text.lstrip().startswith("{"):
            return Framework.from_json(text)
        try:
            with open(text, encoding="utf-8") as f:
                return Framework.from_json(f.read())
        except (OSError, UnicodeDecodeError) as e:
            raise FrameworkError(f"{text}: {e}", [str(e)]) from None
    raise TypeError("framework: expected a vsend.Framework, JSON text, a path or a dict")


def _column_array(series: pd.Series) -> np.ndarray:
    """One column as a numpy array the Rust side reads without Python calls
    where it can: float64 (NaN = empty), int64, or object."""
    dt = series.dtype
    if isinstance(dt, np.dtype):
        if dt.kind == "f":
            return np.ascontiguousarray(series.to_numpy(dtype=np.float64))
        if dt.kind in "iu":
            return np.ascontiguousarray(series.to_numpy(dtype=np.int64))
        if dt.kind == "M":
            return np.ascontiguousarray(series.dt.strftime("%Y-%m-%d").to_numpy(dtype=object))
    elif getattr(dt, "kind", "O") in "iuf" and not isinstance(dt, pd.CategoricalDtype):
        # Nullable Int64 / Float64: NA is empty.
        return np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    elif getattr(dt, "kind", "O") == "M":
        return np.ascontiguousarray(series.dt.strftime("%Y-%m-%d").to_numpy(dtype=object))
    return np.ascontiguousarray(series.to_numpy(dtype=object))


def _is_nested(record: Mapping[str, Any]) -> bool:
    return any(isinstance(record.get(k), Mapping) for k in ("needs", "readiness", "confidence", "readiness_planned"))


def _source(data: Data) -> tuple[tuple, Optional[pd.Index], str]:
    """The Rust source tuple, the row labels (None: record numbers as given)
    and what a record number means (``row``, ``line``)."""
    if isinstance(data, (str, os.PathLike)):
        return ("path", os.fspath(data)), None, "line"
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        arrays = [_column_array(data.iloc[:, i]) for i in range(data.shape[1])]
        return ("columns", names, arrays, len(data)), data.index, "row"
    if isinstance(data, (bytes, Mapping)) or not isinstance(data, Iterable):
        raise TypeError(
            "data: expected a pandas DataFrame, a path to a .csv or .jsonl file, or an iterable of dicts"
        )
    records = list(data)
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"data: record {i} is a {type(r).__name__}; expected a dict")
    if records and _is_nested(records[0]):
        texts = [json.dumps(r, default=str, allow_nan=False) if _json_ok(r) else _bad_json() for r in records]
        return ("json", texts), None, "row"
    names: dict[str, None] = {}
    for r in records:
        for k in r:
            names.setdefault(str(k), None)
    arrays = []
    for name in names:
        col = np.empty(len(records), dtype=object)
        col[:] = [r.get(name) for r in records]
        arrays.append(col)
    return ("columns", list(names), arrays, len(records)), None, "row"


def _json_ok(record: Mapping[str, Any]) -> bool:
    try:
        json.dumps(record, default=str, allow_nan=False)
        return True
    except (ValueError, TypeError):
        return False


def _bad_json() -> str:
    # A record JSON cannot hold (NaN, say): the core rejects it as not JSON, by position.
    return "\x00"


def _date_text(name: str, value: DateLike) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    raise TypeError(f"{name}: expected a date, a pandas Timestamp or text YYYY-MM-DD")


# --------------------------------------------------------------------------- outputs


def _labels(rows: np.ndarray, labels: Optional[pd.Index], meaning: str) -> pd.Index:
    if labels is not None:
        return labels.take(rows)
    return pd.Index(rows, name=meaning if meaning == "line" else None)


def _problems_frame(p: dict, labels: Optional[pd.Index], meaning: str) -> pd.DataFrame:
    rows = p["row"]
    index_values = labels.take(rows) if labels is not None else rows
    return pd.DataFrame(
        {
            "row": pd.Series(np.asarray(index_values), dtype=None if labels is not None else "int64"),
            "field": pd.array(p["field"], dtype="string"),
            "value": pd.array(p["value"], dtype="string"),
            "message": pd.array(p["message"], dtype="string"),
        }
    )


def _floating(pair: tuple[np.ndarray, np.ndarray]) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.FloatingArray(pair[0], pair[1])


def _integer(pair: tuple[np.ndarray, np.ndarray]) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.IntegerArray(pair[0], pair[1])


def _scored_frame(cols: dict, fw: Framework, index: pd.Index) -> pd.DataFrame:
    n = len(cols["_rows"])
    no_mask = np.zeros(n, dtype=bool)
    out: dict[str, Any] = {
        "child_id": pd.arrays.StringArray(cols["child_id"]),
        "assessed_on": pd.array(cols["assessed_on"].view("datetime64[s]")),
        "setting_id": pd.array(cols["setting_id"], dtype="string"),
        "age_band": pd.Categorical.from_codes(cols["age_band"], categories=list(AGE_BANDS), ordered=True),
    }
    for d in DOMAINS:
        out[f"need.{d}"] = _floating(cols[f"need.{d}"])
        out[f"breadth.{d}"] = pd.arrays.IntegerArray(cols[f"breadth.{d}"], no_mask)
        out[f"readiness.{d}"] = _integer(cols[f"readiness.{d}"])
        out[f"confidence.{d}"] = _integer(cols[f"confidence.{d}"])
        out[f"setting_gap.{d}"] = _floating(cols[f"setting_gap.{d}"])
        out[f"family_gap.{d}"] = _floating(cols[f"family_gap.{d}"])
    out["complete"] = pd.arrays.BooleanArray(cols["complete"], no_mask)
    for name in ("total_need", "need_index", "setting_coverage", "family_coverage"):
        out[name] = _floating(cols[name])
    for name in ("unmet_setting", "unmet_family"):
        out[name] = pd.Categorical.from_codes(cols[name], categories=_DOMAIN_SETS)
    out["primary_domain"] = pd.Categorical.from_codes(cols["primary_domain"], categories=list(DOMAINS))
    if "band" in cols:  # §13: the framework has a banding rule
        out["band_score"] = _floating(cols["band_score"])
        out["band"] = pd.Categorical.from_codes(cols["band"], categories=[b[0] for b in fw.bands])
        out["band_raised_by"] = pd.Categorical.from_codes(cols["band_raised_by"], categories=list(DOMAINS))
        out["top_up"] = _floating(cols["top_up"])
    zeros = np.zeros(n, dtype=np.int8)
    out["framework_id"] = pd.Categorical.from_codes(zeros, categories=[fw.id])
    out["framework_version"] = pd.Categorical.from_codes(zeros, categories=[fw.version])
    out = {name: out[name] for name in fw.scored_columns()}
    # copy=False: the arrays are new and ours; a dict is copied by default.
    return pd.DataFrame(out, index=index, copy=False)


def _report(what: str, problems: pd.DataFrame, rows_read: int, rejected: int, meaning: str, strict: bool) -> None:
    if rejected == 0:
        return
    head = f"vsend.{what}: {rejected} of {rows_read} rows rejected"
    if strict:
        shown = [f"{meaning} {r}: {m}" for r, m in zip(problems["row"][:10], problems["message"][:10])]
        more = len(problems) - len(shown)
        text = head + ":\n" + "\n".join(shown) + (f"\n… and {more} more problems" if more > 0 else "")
        raise ValidationError(text, problems, rows_read, rejected)
    warnings.warn(f"{head}; see .problems", RejectedRowsWarning, stacklevel=3)


@dataclasses.dataclass(frozen=True, repr=False)
class ScoreResult:
    """What :func:`score` gives: scored rows and the problems of rejected rows.

    Unpacks as ``scored, problems = vsend.score(df)``.

    Attributes:
        scored: one row per accepted assessment, in input order, with the §10
            scored columns. Index: the input DataFrame's index labels (a file:
            its 1-based line numbers, named ``line``; an iterable: positions).
            Absent figures are ``<NA>`` (nullable ``Float64`` / ``Int64`` /
            ``boolean``), never 0.
        problems: one row per problem: ``row`` (index label, line, or
            position), ``field`` (column), ``value`` (as found, at most 40
            characters), ``message`` (§9).
        rows_read: records read.
        rejected_rows: records rejected; ``rows_read == len(scored) + rejected_rows``.
    """

    scored: pd.DataFrame
    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int

    def __iter__(self):
        yield self.scored
        yield self.problems

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.rejected_rows == 0

    def __repr__(self) -> str:
        return (
            f"ScoreResult(rows_read={self.rows_read}, scored={len(self.scored)}, "
            f"rejected_rows={self.rejected_rows}, problems={len(self.problems)})"
        )


def score(data: Data, framework: FrameworkLike = None, *, strict: bool = False) -> ScoreResult:
    """Validates and scores every record (docs/model.md §3–§6, §9).

    Args:
        data: a DataFrame with the §10 cohort columns (``child_id``,
            ``assessed_on``, ``date_of_birth``, ``setting_id``,
            ``need.<area>``, ``readiness.<d>``, ``confidence.<d>``, optional
            ``readiness_planned.<d>``), a path to a ``.csv`` / ``.jsonl``
            file, or an iterable of dicts. NaN / None / empty is *not assessed*.
        framework: a :class:`Framework`, framework JSON text, a path to a
            framework file, or a dict; the built-in default when None.
        strict: raise :class:`ValidationError` (carrying every problem) when
            any row is rejected, instead of warning.

    Returns:
        A :class:`ScoreResult` (``result.scored``, ``result.problems``).
        Same-date duplicates of a child (§7) are rejected, the later in input order.

    Raises:
        ColumnError: a required column is missing, or a column is unknown or repeated.
        FileError: the file cannot be read as a cohort.
        FrameworkError: the framework is invalid.
        ValidationError: with ``strict=True``, when any row is rejected.
    """
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    cols, probs, rows_read = _vsend.score_source(fw, source)
    rows = cols["_rows"]
    index = _labels(rows, labels, meaning)
    scored = _scored_frame(cols, fw, index)
    problems = _problems_frame(probs, labels, meaning)
    rejected = int(probs["rejected"])
    if len(scored) + rejected != rows_read:  # never a silent drop
        raise RuntimeError(f"vsend.score: {rows_read} rows read, {len(scored)} scored, {rejected} rejected")
    _report("score", problems, rows_read, rejected, meaning, strict)
    return ScoreResult(scored, problems, rows_read, rejected)


class CohortSummary(dict):
    """The §10 cohort summary (a plain ``dict`` of that shape), with the
    records that were rejected on the way.

    Attributes:
        problems: problems DataFrame of rejected rows (as in :class:`ScoreResult`).
        rows_read: records read.
        rejected_rows: records rejected.
    """

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int

    def to_frame(self) -> pd.DataFrame:
        """One row per group × domain: see :func:`cohort_frame`."""
        return cohort_frame(self)


class TimelineResult(dict):
    """The §10 timeline of one child (a plain ``dict`` of that shape), with
    the records rejected on the way (``problems``, ``rows_read``, ``rejected_rows``)."""

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int

    def to_frame(self) -> pd.DataFrame:
        """One row per step × domain: see :func:`timeline_frame`."""
        return timeline_frame(self)


def _attach(obj: Any, probs: dict, labels: Optional[pd.Index], meaning: str, rows_read: int) -> pd.DataFrame:
    problems = _problems_frame(probs, labels, meaning)
    obj.problems = problems
    obj.rows_read = rows_read
    obj.rejected_rows = int(probs["rejected"])
    return problems


def cohort(
    data: Data,
    as_of: DateLike = None,
    by: Optional[str] = None,
    framework: FrameworkLike = None,
    *,
    suppress: Optional[int] = None,
    round_to: Optional[int] = None,
    strict: bool = False,
) -> CohortSummary:
    """The cohort summary of §8 (with the §12 audit figures), as the dict of §10.

    Args:
        data: as for :func:`score`.
        as_of: the date to summarise as of (default: the latest ``assessed_on``).
        by: also group by ``"setting_id"``, ``"age_band"`` or ``"primary_domain"``
            of each child's current assessment (groups ``"<by>=<value>"``).
        framework: as for :func:`score`.
        suppress: K (2 to 100) makes the summary safe to share (§14, MODEL
            1.2): groups of fewer than K children are merged into
            ``<by>=other`` (left out if still too small); every count from 1
            to K − 1 becomes None (and a second count of a histogram, change
            triple or bands map with exactly one such, so it cannot be found
            by subtraction); every other count is rounded to a multiple of
            B; only ``mean_need`` and ``met_by_setting`` are shown among the
            means and shares, recomputed from the rounded counts. The summary
            says ``"suppression": {"min_count": K, "round_to": B}``.
            Limitation: rounded groups need not add up to ``all``, and a
            hidden count can sometimes still be worked out exactly from the
            totals beside it (e.g. two hidden levels whose hidden sum is
            ``high_need``); see docs/model.md §14 before sharing.
        round_to: B (3 to 100), only with ``suppress``; default the larger
            of 5 and K.
        strict: raise :class:`ValidationError` when any row is rejected.

    Returns:
        A :class:`CohortSummary`: ``{"as_of", "framework_id",
        "framework_version", "groups": {"all": G, ...}}``.

    Raises:
        ValueError: ``suppress`` outside 2 to 100, ``round_to`` outside 3 to
            100, or ``round_to`` without ``suppress``.
        TypeError: ``suppress`` or ``round_to`` not a whole number.
    """
    for name, value in (("suppress", suppress), ("round_to", round_to)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
            raise TypeError(f"{name}: expected a whole number, got {value!r}")
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    summary, probs, rows_read = _vsend.cohort_source(
        fw,
        source,
        _date_text("as_of", as_of),
        by,
        None if suppress is None else int(suppress),
        None if round_to is None else int(round_to),
    )
    out = CohortSummary(summary)
    problems = _attach(out, probs, labels, meaning, rows_read)
    _report("cohort", problems, rows_read, out.rejected_rows, meaning, strict)
    return out


def timeline(
    data: Data,
    child: str,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
) -> TimelineResult:
    """One child's timeline (§7) as the dict of §10: ``child_id``, ``steps``,
    ``trend``, ``escalating``, ``overdue`` (None without ``as_of``).

    Assessments after ``as_of`` are left out. Every record is still validated:
    rejected rows (of any child) are reported as for :func:`score`.

    Raises:
        NotFoundError: the child has no accepted assessment (on or before ``as_of``).
    """
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    t, probs, rows_read = _vsend.timeline_source(fw, source, child, _date_text("as_of", as_of))
    out = TimelineResult(t)
    problems = _attach(out, probs, labels, meaning, rows_read)
    _report("timeline", problems, rows_read, out.rejected_rows, meaning, strict)
    return out


_DOMAIN_COUNTS = ("n", "improved", "stable", "worsened", "high_need", "unmet_by_setting")
_DOMAIN_SHARES = (
    "mean_need",
    "met_by_setting",
    "met_by_family",
    "mean_setting_gap",
    "mean_delta_need",
    "planned_met_by_setting",
)
_GROUP_COUNTS = ("children", "assessments", "overdue")
_GROUP_MEANS = ("mean_need_index", "mean_setting_coverage", "mean_family_coverage")


def cohort_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """A cohort summary (from :func:`cohort`, or loaded from the CLI's JSON) as
    a table: one row per group × domain.

    Columns: ``group``, ``domain``, the group's ``children``, ``assessments``,
    ``overdue``; the domain's ``n``, ``mean_need``, ``met_by_setting``,
    ``met_by_family``, ``mean_setting_gap``, ``improved``, ``stable``,
    ``worsened``, ``mean_delta_need``, ``high_need``, ``unmet_by_setting``,
    ``planned_met_by_setting`` and ``histogram.<level>`` per level; then the
    group's ``mean_need_index``, ``mean_setting_coverage``,
    ``mean_family_coverage``. Counts are ``Int64``, means ``Float64``; null
    stays ``<NA>``. The correlation matrix stays in the dict.
    """
    rows = []
    levels = 0
    for g in summary["groups"].values():
        for d in DOMAINS:
            levels = max(levels, len(g[d].get("histogram") or []))
    for name, g in summary["groups"].items():
        for d in DOMAINS:
            ds = g[d]
            row: dict[str, Any] = {"group": name, "domain": d}
            for k in _GROUP_COUNTS:
                row[k] = g.get(k)
            for k in _DOMAIN_COUNTS + _DOMAIN_SHARES:
                row[k] = ds.get(k)
            hist = ds.get("histogram") or []
            for level in range(levels):
                row[f"histogram.{level}"] = hist[level] if level < len(hist) else None
            for k in _GROUP_MEANS:
                row[k] = g.get(k)
            rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    ints = _GROUP_COUNTS + _DOMAIN_COUNTS + tuple(f"histogram.{level}" for level in range(levels))
    for k in ints:
        frame[k] = frame[k].astype("Int64")
    for k in _DOMAIN_SHARES + _GROUP_MEANS:
        frame[k] = pd.array([None if v is None else float(v) for v in frame[k]], dtype="Float64")
    frame["group"] = frame["group"].astype("string")
    frame["domain"] = pd.Categorical(frame["domain"], categories=list(DOMAINS))
    return frame


def timeline_frame(timeline: Mapping[str, Any]) -> pd.DataFrame:
    """A timeline's steps as a table: one row per step × domain, with
    ``child_id``, ``from``, ``to`` (dates), ``days``, ``domain``,
    ``delta_need`` (``Float64``), ``class`` (improved / stable / worsened or
    ``<NA>``), and the domain's ``trend`` and ``escalating``."""
    rows = []
    for step in timeline["steps"]:
        for d in DOMAINS:
            rows.append(
                {
                    "child_id": timeline["child_id"],
                    "from": step["from"],
                    "to": step["to"],
                    "days": step["days"],
                    "domain": d,
                    "delta_need": step["delta_need"].get(d),
                    "class": step["class"].get(d),
                    "trend": timeline["trend"].get(d),
                    "escalating": timeline["escalating"].get(d),
                }
            )
    columns = ["child_id", "from", "to", "days", "domain", "delta_need", "class", "trend", "escalating"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["child_id"] = frame["child_id"].astype("string")
    frame["from"] = pd.to_datetime(frame["from"])
    frame["to"] = pd.to_datetime(frame["to"])
    frame["days"] = frame["days"].astype("Int64")
    frame["domain"] = pd.Categorical(frame["domain"], categories=list(DOMAINS))
    for k in ("delta_need", "trend"):
        frame[k] = pd.array([None if v is None else float(v) for v in frame[k]], dtype="Float64")
    frame["class"] = pd.Categorical(frame["class"], categories=["improved", "stable", "worsened"])
    frame["escalating"] = frame["escalating"].astype("boolean")
    return frame


# --------------------------------------------------------------------------- charts


class Chart:
    """A chart as SVG: shows inline in Jupyter; ``save(path)`` writes SVG or PNG.

    Attributes:
        svg: the SVG text.
        problems: problems DataFrame of rows rejected while reading the data.
        rows_read, rejected_rows: record counts.
    """

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int

    def __init__(self, svg: str, kind: str = "chart") -> None:
        self.svg = svg
        self.kind = kind

    def _repr_svg_(self) -> str:
        return self.svg

    def to_png(self) -> bytes:
        """The chart rasterised to PNG (anti-aliased, embedded font)."""
        return _vsend.svg_png(self.svg)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the chart to ``path``: ``.svg`` or ``.png`` by its extension."""
        p = os.fspath(path)
        ext = os.path.splitext(p)[1].lower()
        if ext == ".svg":
            with open(p, "w", encoding="utf-8") as f:
                f.write(self.svg)
        elif ext == ".png":
            with open(p, "wb") as f:
                f.write(self.to_png())
        else:
            raise ValueError(f"{p}: allowed extensions .svg or .png")

    def __repr__(self) -> str:
        return f"Chart({self.kind}, {len(self.svg)} bytes of SVG)"


def _chart(kind: str, result: tuple, labels: Optional[pd.Index], meaning: str, strict: bool) -> Chart:
    svg, probs, rows_read = result
    chart = Chart(svg, kind)
    problems = _attach(chart, probs, labels, meaning, rows_read)
    _report(kind, problems, rows_read, chart.rejected_rows, meaning, strict)
    return chart


def radar(
    data: Data,
    child: str,
    on: DateLike = None,
    previous: bool = False,
    framework: FrameworkLike = None,
    *,
    width: int = 800,
    height: int = 800,
    strict: bool = False,
) -> Chart:
    """The three-line radar of one child's review: needs, setting readiness and
    family confidence per domain; the review on or before ``on`` (the latest
    without it), with ``previous=True`` also the review before's needs."""
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    result = _vsend.radar_source(fw, source, child, _date_text("on", on), previous, width, height)
    return _chart("radar", result, labels, meaning, strict)


def timeline_chart(
    data: Data,
    child: str,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    width: int = 1000,
    height: int = 800,
    strict: bool = False,
) -> Chart:
    """One child's domain needs over time (reviews up to ``as_of``)."""
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    result = _vsend.timeline_chart_source(fw, source, child, _date_text("as_of", as_of), width, height)
    return _chart("timeline", result, labels, meaning, strict)


def cohort_radar(
    data: Data,
    group: str = "all",
    by: Optional[str] = None,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    width: int = 800,
    height: int = 800,
    strict: bool = False,
) -> Chart:
    """The mean radar of one cohort group (``"all"``, or ``"<by>=<value>"``
    with ``by``), as of ``as_of``."""
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    result = _vsend.cohort_radar_source(fw, source, group, by, _date_text("as_of", as_of), width, height)
    return _chart("cohort radar", result, labels, meaning, strict)


# ---------------------------------------------------------------------------
# Decisions: transitions (§11) and comparison (§14)
# ---------------------------------------------------------------------------


class MovesResult(dict):
    """The phase moves of one school year (§11) as the dict of
    ``vsend transitions``: ``year``, ``as_of``, ``framework_id``,
    ``framework_version``, ``moves`` (all four, always present) and
    ``children``. Also ``.problems``, ``.rows_read``, ``.rejected_rows``."""

    def to_frame(self) -> pd.DataFrame:
        """One row per moving child: ``child_id``, ``setting_id``, ``move``,
        ``need.<domain>``, ``need_index``, ``unmet_setting`` (``;``-joined),
        ``primary_domain``."""
        rows = []
        for c in self["children"]:
            row = {k: c[k] for k in ("child_id", "setting_id", "move")}
            for d in DOMAINS:
                row[f"need.{d}"] = c["need"][d]
            row["need_index"] = c["need_index"]
            row["unmet_setting"] = None if c["unmet_setting"] is None else ";".join(c["unmet_setting"])
            row["primary_domain"] = c["primary_domain"]
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["child_id", "setting_id", "move", *[f"need.{d}" for d in DOMAINS], "need_index", "unmet_setting", "primary_domain"])
        for col in [f"need.{d}" for d in DOMAINS] + ["need_index"]:
            frame[col] = frame[col].astype("Float64")
        return frame


def transitions(
    data: Data,
    year: int,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
) -> MovesResult:
    """The children who change school phase in the school year starting
    1 September ``year`` (§11), and their needs, read as of ``as_of``
    (default: the latest assessment). Rejected rows are reported as for
    :func:`score`."""
    fw = _framework(framework)
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not -9999 <= int(year) <= 9999:
        raise ValueError(f"year: expected a whole number, the year of 1 September (got {year!r})")
    source, labels, meaning = _source(data)
    moves, probs, rows_read = _vsend.transitions_source(fw, source, int(year), _date_text("as_of", as_of))
    out = MovesResult(moves)
    problems = _attach(out, probs, labels, meaning, rows_read)
    _report("transitions", problems, rows_read, out.rejected_rows, meaning, strict)
    return out


PLAN_COLUMNS: list = list(_vsend.PLAN_COLUMNS)


@dataclasses.dataclass(frozen=True, repr=False)
class TransitionResult:
    """What :func:`transition` gives: one row per accepted plan (the flat §11
    columns of ``vsend transition``) and the problems of rejected plans.
    ``plans_read == len(planned) + rejected_plans`` always. The cohort's own
    rejected rows are in ``cohort_problems``."""

    planned: pd.DataFrame
    problems: pd.DataFrame
    plans_read: int
    rejected_plans: int
    cohort_problems: pd.DataFrame

    def __iter__(self):
        return iter((self.planned, self.problems))

    def __repr__(self) -> str:
        return (
            f"TransitionResult(plans_read={self.plans_read}, planned={len(self.planned)}, "
            f"rejected_plans={self.rejected_plans}, problems={len(self.problems)})"
        )


def _planned_frame(rows: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    for col in PLAN_COLUMNS:
        figure = col.split(".")[0]
        if figure in ("need", "gap_to") or col == "ready_coverage":
            frame[col] = frame[col].astype("Float64")
        elif figure in ("readiness_from", "readiness_to", "change") or col == "days_to_move":
            frame[col] = frame[col].astype("Int64")
        elif col == "stale":
            frame[col] = frame[col].astype("boolean")
        elif col in ("not_ready", "worse_than_now"):
            frame[col] = pd.array([None if v is None else ";".join(v) for v in frame[col]], dtype="string")
        elif col in ("assessed_on", "move_on"):
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
        else:
            frame[col] = frame[col].astype("string")
    return frame


def _plan_cell(v: Any) -> Any:
    """A plan cell as the core reads it: dates as ``YYYY-MM-DD``, others as given."""
    if isinstance(v, (pd.Timestamp, _dt.datetime)):
        return None if v is pd.NaT else v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, np.datetime64):
        return None if np.isnat(v) else str(v.astype("datetime64[D]"))
    return v


def _plan_columns(plans: Any) -> tuple[list, list, int]:
    """Plans given as a DataFrame or dicts, as ``(names, arrays, rows)``: the
    columns of a plan CSV (§11), each cell read as the text of a CSV cell.

    A DataFrame must have exactly the plan CSV columns (any order). Dicts may
    be flat (``readiness.<domain>`` keys) or carry a ``readiness`` dict; a key
    a dict leaves out is an empty cell, and a readiness no dict gives is not
    assessed."""
    if isinstance(plans, pd.DataFrame):
        names = [str(c) for c in plans.columns]
        arrays = []
        for i in range(plans.shape[1]):
            col = _column_array(plans.iloc[:, i])
            if col.dtype == object:
                col = np.array([_plan_cell(v) for v in col], dtype=object)
            arrays.append(col)
        return names, arrays, len(plans)
    if isinstance(plans, (bytes, Mapping)) or not isinstance(plans, Iterable):
        raise TypeError("plans: expected a path to a .csv or .jsonl file, a pandas DataFrame or an iterable of dicts")
    records = []
    for i, rec in enumerate(plans):
        if not isinstance(rec, Mapping):
            raise TypeError(f"plans: record {i} is a {type(rec).__name__}; expected a dict")
        flat: dict = {}
        for k, v in rec.items():
            if k == "readiness" and isinstance(v, Mapping):
                for d, level in v.items():
                    flat[f"readiness.{d}"] = level
            else:
                flat[str(k)] = v
        records.append(flat)
    names: dict = {n: None for n in ("child_id", "to_setting_id", "move_on")}
    for d in DOMAINS:
        names[f"readiness.{d}"] = None
    for r in records:
        for k in r:
            names.setdefault(k, None)
    arrays = []
    for name in names:
        col = np.empty(len(records), dtype=object)
        col[:] = [_plan_cell(r.get(name)) for r in records]
        arrays.append(col)
    return list(names), arrays, len(records)


def transition(
    data: Data,
    plans: Any,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
) -> TransitionResult:
    """Transition plans (§11) against the cohort ``data``: for each plan
    (``child_id``, ``to_setting_id``, ``move_on``, ``readiness.<domain>``) the
    child's needs from their latest assessment on or before the move, the
    readiness now and at the receiving setting, the gap, ``status``,
    ``not_ready`` and ``worse_than_now`` per domain, and ``stale``.

    ``plans`` is a path to a ``.csv`` / ``.jsonl`` plans file (problems
    numbered by file line), a DataFrame with the plan CSV columns (problems
    labelled by its index), or an iterable of dicts (flat with
    ``readiness.<domain>`` keys, or with a ``readiness`` dict; a left-out
    readiness is not assessed; problems numbered by position). Cells from
    pandas are read as the cells of a plan CSV: ``"4"``, ``4`` and ``4.0``
    are the same level, dates may be ``YYYY-MM-DD`` text or date objects.
    A plan whose child has no assessment on or before the move is rejected,
    as are bad cells. Nothing is dropped silently: ``plans_read ==
    len(planned) + rejected_plans``.

    Raises:
        ColumnError: a plans DataFrame or file with unknown, repeated or
            missing columns (dicts: an unknown key).
        FileError: a plans or cohort file that cannot be read.
        ValidationError: with ``strict=True``, any rejected cohort row or plan.
    """
    fw = _framework(framework)
    source, labels, meaning = _source(data)
    if isinstance(plans, (str, os.PathLike)):
        result = _vsend.transition_source(fw, source, os.fspath(plans), None)
        plan_meaning, plan_labels = "line", None
    else:
        plan_labels = plans.index if isinstance(plans, pd.DataFrame) else None
        result = _vsend.transition_source(fw, source, None, _plan_columns(plans))
        plan_meaning = "row"
    rows, probs, plans_read, cohort_probs, cohort_rows = result
    planned = _planned_frame(rows)
    problems = _problems_frame(probs, plan_labels, plan_meaning)
    rejected = int(probs["rejected"])
    if plans_read != len(planned) + rejected:
        raise VsendError(f"internal error: {plans_read} plans read, {len(planned)} planned, {rejected} rejected")
    cohort_problems = _problems_frame(cohort_probs, labels, meaning)
    _report("transition (cohort)", cohort_problems, cohort_rows, int(cohort_probs["rejected"]), meaning, strict)
    _report("transition", problems, plans_read, rejected, plan_meaning, strict)
    return TransitionResult(planned, problems, plans_read, rejected, cohort_problems)


class Comparison(dict):
    """Summaries compared (§14) as the dict of ``vsend compare``:
    ``reference`` and ``rows`` (one per summary, the reference first). A
    row's ``suppression`` is None for an exact summary and ``{"min_count": K,
    "round_to": B}`` for a shared one, whose counts are rounded."""

    def to_frame(self) -> pd.DataFrame:
        """One row per summary × domain: ``label``, ``as_of``, ``min_count``
        and ``round_to`` (``<NA>`` for an exact summary), ``children``,
        ``domain`` and each figure with its ``diff_``."""
        out = []
        for row in self["rows"]:
            shared = row["suppression"] or {}
            for d in DOMAINS:
                out.append(
                    {
                        "label": row["label"],
                        "as_of": row["as_of"],
                        "min_count": shared.get("min_count"),
                        "round_to": shared.get("round_to"),
                        "children": row["children"],
                        "domain": d,
                        **row[d],
                    }
                )
        frame = pd.DataFrame(out)
        counts = ("min_count", "round_to", "children")
        for col in frame.columns:
            if col in counts:
                frame[col] = frame[col].astype("Int64")
            elif col not in ("label", "as_of", "domain"):
                frame[col] = frame[col].astype("Float64")
        return frame


def compare(summaries: Any, labels: Optional[Sequence[str]] = None) -> Comparison:
    """Compares cohort summaries (§14), the first the reference: per domain
    ``mean_need``, ``met_by_setting``, ``met_by_family`` and
    ``high_need_share``, each with ``diff_<figure>`` against the reference.

    ``summaries`` are paths to summary JSON files written by ``vsend cohort``
    (labels default to the file stems) or dicts returned by :func:`cohort`
    (labels default to ``"0"``, ``"1"``, …), exact or shared (``suppress``);
    each row's ``suppression`` says which were rounded. Labels must differ.
    Every figure is checked against what ``vsend cohort`` can write, and a
    problem names its key path (e.g. ``groups.all.cl.met_by_setting``).

    Raises:
        VsendError: a file or dict that is not a cohort summary vsend could
            have written (``FileError`` for a file that is not UTF-8 text), a
            shared summary of MODEL 1.1, no summaries, two with one label, or
            summaries of different frameworks.
        OSError: a path that cannot be read.
        ValueError: as many ``labels`` as summaries are needed.
        TypeError: ``summaries`` is not a list of paths or dicts.
    """
    if isinstance(summaries, (str, bytes, os.PathLike, Mapping)) or not isinstance(summaries, Iterable):
        raise TypeError("summaries: expected a list of paths to summary JSON files or of summary dicts")
    texts, default_labels = [], []
    for i, s in enumerate(summaries):
        if isinstance(s, (str, os.PathLike)):
            path = pathlib.Path(s)
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError as e:
                why = f"{path}: not a cohort summary written by vsend: not UTF-8 text ({e.reason})"
                raise FileError(why, [why]) from None
            default_labels.append(path.stem)
        elif isinstance(s, Mapping):
            try:
                texts.append(json.dumps(dict(s), allow_nan=False))
            except (TypeError, ValueError) as e:
                why = f"{i}: not a cohort summary written by vsend: {e}"
                raise VsendError(why, [why]) from None
            default_labels.append(str(i))
        else:
            raise TypeError(f"summaries: item {i} is a {type(s).__name__}; expected a path or a summary dict")
    names = list(labels) if labels is not None else default_labels
    if len(names) != len(texts):
        raise ValueError(f"labels: {len(names)} given for {len(texts)} summaries")
    return Comparison(_vsend.compare_json(names, texts))
