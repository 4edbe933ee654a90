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
to a ``.csv``, ``.jsonl`` or ``.xlsx`` file (read exactly as the CLI reads it), an
iterable of dicts (flat, with the CSV column names; or nested, in the JSON
Lines shape with ``needs``, ``readiness``, ``confidence`` objects), or Arrow
data: a polars DataFrame, a pyarrow Table or RecordBatch, or anything with
``__arrow_c_stream__`` (read through its buffers). ``score``, ``cohort``,
``timeline``, ``forecast`` and ``impact`` give their tables back as the kind
of data given: polars in, polars out; pyarrow in, pyarrow out (a RecordBatch
for a RecordBatch, a Table for any other Arrow stream). polars and pyarrow
are optional; ``.problems`` is always a pandas DataFrame.

Nothing is dropped silently: every record read is either scored or listed in
``problems``, and ``rows_read == len(scored) + rejected_rows``. Rejected rows
raise a :class:`RejectedRowsWarning`, or with ``strict=True`` a
:class:`ValidationError` carrying every problem. Messages never echo more of a
record than the value at fault (at most its first 40 characters). ID columns
take text, or whole numbers from integer columns (with a
:class:`NumericIdWarning`: leading zeros are gone); anything else in an ID
cell is a problem of its row.

Every frame returned follows one set of conventions: text is the nullable
``string`` dtype, closed sets (domains, age bands, statuses, moves, bands,
sets of domains) are categoricals, dates ``datetime64[s]``, counts ``Int64``,
figures ``Float64``, flags ``boolean``, and absent values ``<NA>`` (``NaT``
for dates). Every ``.problems``, of a result or of an error, is a DataFrame
with the columns ``row``, ``field``, ``value``, ``message``.

Ctrl-C stops a long call within moments, as ``KeyboardInterrupt``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
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
    "CHANGE_CLASSES",
    "DOMAINS",
    "PHASE_MOVES",
    "PLAN_COLUMNS",
    "PLAN_STATUSES",
    "PROBLEM_COLUMNS",
    "SCORED_COLUMNS",
    "Chart",
    "ColumnError",
    "CohortSummary",
    "FileError",
    "Framework",
    "FrameworkError",
    "NotFoundError",
    "NumericIdWarning",
    "RejectedRowsWarning",
    "ScoreResult",
    "TimelineResult",
    "ValidationError",
    "VsendError",
    "Comparison",
    "ForecastResult",
    "ImpactResult",
    "MovesResult",
    "PROJECTION_FIGURES",
    "PROJECTION_PHASES",
    "SUPPORTS",
    "TransitionResult",
    "cohort",
    "cohort_frame",
    "compare",
    "forecast",
    "impact",
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

#: The classes of a domain's change between reviews (§7).
CHANGE_CLASSES: tuple[str, ...] = ("improved", "stable", "worsened")
#: The four phase moves of §11, in canonical order.
PHASE_MOVES: tuple[str, ...] = ("early_years->primary", "primary->secondary", "secondary->post16", "post16->adult")
#: A plan's status in a domain (§11).
PLAN_STATUSES: tuple[str, ...] = ("ready", "not_ready")

# Every set of domains, indexed by its bits (bit i = DOMAINS[i]), `;`-separated as in CSV.
_DOMAIN_SETS = [";".join(d for i, d in enumerate(DOMAINS) if code >> i & 1) for code in range(32)]

Data = Union[pd.DataFrame, str, "os.PathLike[str]", Iterable[Mapping[str, Any]]]
FrameworkLike = Union[Framework, str, "os.PathLike[str]", Mapping[str, Any], None]
DateLike = Union[str, _dt.date, pd.Timestamp, None]


# --------------------------------------------------------------------------- errors


#: The columns of every problems DataFrame, in order.
PROBLEM_COLUMNS: tuple[str, ...] = ("row", "field", "value", "message")

# One string dtype for every text column of every frame: nullable (``<NA>``), always available.
_STRING = pd.StringDtype("python")


def _text(values: Any) -> pd.api.extensions.ExtensionArray:
    """Text values (str or None) as the package's nullable ``string`` array."""
    return pd.array(values, dtype=_STRING)


def _error_problems(items: Any) -> pd.DataFrame:
    """The problems of an error that is not about records, as the problems
    DataFrame: ``items`` are ``(row, field, value, message)`` tuples (None is
    ``<NA>``) or plain messages."""
    if isinstance(items, pd.DataFrame):
        return items
    rows, fields, values, messages = [], [], [], []
    for item in items:
        if isinstance(item, str):
            item = (None, None, None, item)
        row, field, value, message = item
        rows.append(row)
        fields.append(field)
        values.append(value)
        messages.append(message)
    return pd.DataFrame(
        {
            "row": pd.array(rows, dtype="Int64"),
            "field": _text(fields),
            "value": _text(values),
            "message": _text(messages),
        }
    )


class VsendError(Exception):
    """Base class of every vsend error.

    ``problems`` is a DataFrame with the columns of every problems frame
    (``row``, ``field``, ``value``, ``message``): one row per problem found.
    """

    def __init__(self, message: str, problems: Any = ()) -> None:
        super().__init__(message)
        self.problems = _error_problems(problems)


class FrameworkError(VsendError, ValueError):
    """A framework that is not JSON of the §2 shape or breaks its rules.

    ``problems`` has one row per broken rule; ``field`` names the rule's
    place in the framework JSON (``scale.max_level``) where the message does.
    """


class ColumnError(VsendError, ValueError):
    """Missing, unknown or repeated cohort columns (§10): nothing was scored.

    ``problems`` has one row per column problem, ``field`` naming the column;
    ``row`` is the header's line for a file, else ``<NA>``.
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
        self.problems = problems
        self.rows_read = rows_read
        self.rejected_rows = rejected_rows


class RejectedRowsWarning(UserWarning):
    """Some rows were rejected (and are listed in the result's ``problems``)."""


class NumericIdWarning(UserWarning):
    """An ID column (``child_id``, ``setting_id``, ``to_setting_id``) holds
    numbers: IDs written with leading zeros (``007``) have lost them. Read IDs
    as text, e.g. ``pd.read_csv(path, dtype={"child_id": str})``."""


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
        if text.lstrip().startswith(("{", "[")):
            # JSON text (an array is read as JSON too, to be refused as one).
            return Framework.from_json(text)
        try:
            with open(text, encoding="utf-8") as f:
                return Framework.from_json(f.read())
        except (OSError, UnicodeDecodeError) as e:
            shown = text if len(text) <= 200 else text[:200] + "…"
            why = getattr(e, "strerror", None) or e
            raise FrameworkError(f"{shown}: {why}", [str(why)]) from None
    raise TypeError("framework: expected a vsend.Framework, JSON text, a path or a dict")


#: The ID columns of cohorts (§10) and plans (§11): read as text, never as numbers.
_ID_COLUMNS = frozenset({"child_id", "setting_id", "to_setting_id"})
_INT64_MAX = np.iinfo(np.int64).max


def _arrow_backed(dt: Any) -> bool:
    """A pandas dtype whose values live in Arrow buffers: pandas 3's ``str``
    (and ``string[pyarrow]``), or ``pd.ArrowDtype``."""
    if isinstance(dt, pd.StringDtype):
        return dt.storage == "pyarrow"
    return type(dt).__name__ == "ArrowDtype"


def _column_array(series: pd.Series, id_column: bool = False) -> Any:
    """One column as the Rust side reads it without Python calls where it
    can: an Arrow-backed column as its Arrow array (read through its
    buffers, not copied), else a numpy array: float64 (NaN = empty), int64,
    or object.

    An ID column keeps what its cells are: whole numbers stay whole numbers
    (int64, or Python ints with ``<NA>`` for a nullable integer column) and
    dates stay dates, so the Rust side can refuse what is not an ID."""
    dt = series.dtype
    if _arrow_backed(dt):
        return series.array.__arrow_array__()
    kind = getattr(dt, "kind", "O")
    if isinstance(dt, pd.CategoricalDtype) or kind not in "iufM":
        return np.ascontiguousarray(series.to_numpy(dtype=object))
    if kind == "M":
        if id_column:
            return np.ascontiguousarray(series.to_numpy(dtype=object))
        text = series.dt.strftime("%Y-%m-%d")
        # A time of day is never dropped silently: written out, the cell is
        # refused as a date with a time, as the CSV and Excel readers refuse it.
        timed = series.notna() & (series != series.dt.normalize())
        if timed.any():
            text = text.where(~timed, series.dt.strftime("%Y-%m-%d %H:%M:%S"))
        return np.ascontiguousarray(text.to_numpy(dtype=object))
    if kind == "f":
        return np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    # Whole numbers: int64 where every value fits and none is missing.
    has_na = not isinstance(dt, np.dtype) and bool(series.isna().any())
    too_big = kind == "u" and len(series) > 0 and not has_na and int(series.max()) > _INT64_MAX
    if not has_na and not too_big:
        return np.ascontiguousarray(series.to_numpy(dtype=np.int64))
    if id_column or too_big:
        return np.ascontiguousarray(series.to_numpy(dtype=object, na_value=None))
    # A nullable level column: NA is empty.
    return np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))


def _arrow_kind(data: Any) -> Optional[str]:
    """What Arrow data ``data`` is (``polars``, ``pyarrow`` Table,
    ``record_batch``, or any other ``arrow`` stream), or None. A pandas
    DataFrame is not: it is read column by column."""
    if isinstance(data, pd.DataFrame):
        return None
    module, name = type(data).__module__, type(data).__name__
    if module.startswith("polars") and name == "DataFrame":
        return "polars"
    if module.startswith("pyarrow") and name == "Table":
        return "pyarrow"
    if module.startswith("pyarrow") and name == "RecordBatch":
        return "record_batch"
    if hasattr(data, "__arrow_c_stream__"):
        return "arrow"
    return None


def _pyarrow() -> Any:
    """pyarrow, which Arrow data other than polars comes back as."""
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - only without pyarrow
        raise ImportError("vsend: Arrow data other than a polars DataFrame comes back as pyarrow: pip install pyarrow") from None
    return pyarrow


def _from_arrow(table: Any, kind: str) -> Any:
    """Scored columns (an Arrow stream) as the kind of data given: a polars
    DataFrame for polars, a pyarrow RecordBatch for one, else a pyarrow Table."""
    if kind == "polars":
        import polars

        return polars.DataFrame(table)
    pa = _pyarrow()
    out = pa.table(table)
    if kind == "record_batch":
        return out.combine_chunks().to_batches(max_chunksize=None)[0] if out.num_rows else _empty_batch(pa, out.schema)
    return out


def _empty_batch(pa: Any, schema: Any) -> Any:
    return pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in schema], schema=schema)


def _frame(columns: Sequence[tuple], kind: Optional[str] = None) -> Any:
    """A small result table, as the kind of data given (None: pandas).

    ``columns`` are ``(name, type, values)`` or, for a ``category``,
    ``(name, "category", values, categories)``; a type is ``count``,
    ``figure``, ``flag``, ``text``, ``date`` (``YYYY-MM-DD`` text or a date)
    or ``category``; None, NaN and ``<NA>`` are absent. pandas follows the
    package's conventions (``Int64``, ``Float64``, ``boolean``, ``string``,
    ``datetime64[s]``, categoricals); polars gets ``Int64``, ``Float64``,
    ``Boolean``, ``String``, ``Date`` and ``Enum`` of the categories; pyarrow
    ``int64``, ``double``, ``bool``, ``string``, ``date32`` and dictionaries
    of the categories."""
    if kind is None:
        makers = {"count": _count, "figure": _figure, "flag": _flag, "text": _text, "date": _date}
        out = {}
        for name, t, values, *rest in columns:
            out[name] = _category(values, rest[0]) if t == "category" else makers[t](list(values))
        return pd.DataFrame(out)
    cleaned = []
    for name, t, values, *rest in columns:
        vals = [None if _absent(v) else v for v in values]
        if t == "count":
            vals = [None if v is None else int(v) for v in vals]
        elif t == "figure":
            vals = [None if v is None else float(v) for v in vals]
        elif t == "flag":
            vals = [None if v is None else bool(v) for v in vals]
        elif t == "date":
            vals = [None if v is None else _dt.date.fromisoformat(str(v)[:10]) for v in vals]
        elif t == "text":
            vals = [None if v is None else str(v) for v in vals]
        cleaned.append((name, t, vals, *rest))
    if kind == "polars":
        import polars as pl

        types = {"count": pl.Int64, "figure": pl.Float64, "flag": pl.Boolean, "text": pl.String, "date": pl.Date}
        return pl.DataFrame(
            [
                pl.Series(name, vals, dtype=pl.Enum(list(rest[0])) if t == "category" else types[t])
                for name, t, vals, *rest in cleaned
            ]
        )
    pa = _pyarrow()
    types = {"count": pa.int64(), "figure": pa.float64(), "flag": pa.bool_(), "text": pa.string(), "date": pa.date32()}
    arrays = []
    for name, t, vals, *rest in cleaned:
        if t == "category":
            cats = list(rest[0])
            codes = pa.array([None if v is None else cats.index(v) for v in vals], type=pa.int16())
            arrays.append(pa.DictionaryArray.from_arrays(codes, pa.array(cats, type=pa.string())))
        else:
            arrays.append(pa.array(vals, type=types[t]))
    names = [c[0] for c in cleaned]
    if kind == "record_batch":
        return pa.RecordBatch.from_arrays(arrays, names=names)
    return pa.Table.from_arrays(arrays, names=names)


def _copy(frame: Any) -> Any:
    """A copy of a result table (pyarrow's are immutable: itself)."""
    if isinstance(frame, pd.DataFrame):
        return frame.copy()
    clone = getattr(frame, "clone", None)  # polars
    return clone() if clone is not None else frame


def _is_nested(record: Mapping[str, Any]) -> bool:
    return any(isinstance(record.get(k), Mapping) for k in ("needs", "readiness", "confidence", "readiness_planned"))


def _source(data: Data, fw: Framework, sheet: Optional[str] = None) -> tuple[tuple, Optional[pd.Index], str]:
    """The Rust source tuple, the row labels (None: record numbers as given)
    and what a record number means (``row``, ``line``; a sheet's row number
    for an ``.xlsx`` workbook)."""
    if isinstance(data, (str, os.PathLike)):
        if sheet is not None and not isinstance(sheet, str):
            raise TypeError(f"sheet: expected a sheet name (str), got {type(sheet).__name__}")
        return ("path", os.fspath(data), sheet), None, "line"
    if sheet is not None:
        raise TypeError("sheet: applies to a path to an .xlsx workbook only")
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        # items(): each column in order, repeated names too (iloc is slower).
        arrays = [_column_array(series, name.strip() in _ID_COLUMNS) for name, (_, series) in zip(names, data.items())]
        return ("columns", (names, arrays, len(data))), data.index, "row"
    arrow = _arrow_kind(data)
    if arrow is not None:
        if arrow == "arrow":
            _pyarrow()  # what it comes back as: said before any work
        if arrow == "record_batch" and not hasattr(data, "__arrow_c_stream__"):
            import pyarrow

            data = pyarrow.Table.from_batches([data])
        return ("table", data), None, "row"
    if isinstance(data, (bytes, Mapping)) or not isinstance(data, Iterable):
        raise TypeError(
            "data: expected a pandas or polars DataFrame, a pyarrow Table or RecordBatch, Arrow data "
            "(__arrow_c_stream__), a path to a .csv, .jsonl or .xlsx file, or an iterable of dicts"
        )
    records = list(data)
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"data: record {i} is a {type(r).__name__}; expected a dict")
    if records and _is_nested(records[0]):
        texts = [json.dumps(r, default=str, allow_nan=False) if _json_ok(r) else _bad_json() for r in records]
        return ("json", texts), None, "row"
    # Flat dicts: every column the framework requires is there, a key a dict
    # leaves out an empty cell (an area left out is not assessed; a child_id
    # left out is that record's problem); unknown keys are a ColumnError.
    names: dict[str, None] = {name: None for name, required in fw.columns() if required}
    for r in records:
        for k in r:
            names.setdefault(str(k), None)
    arrays = []
    for name in names:
        col = np.empty(len(records), dtype=object)
        col[:] = [r.get(name) for r in records]
        arrays.append(col)
    return ("columns", (list(names), arrays, len(records))), None, "row"


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
    """The problems DataFrame of rejected records: ``row`` is the record's
    index label (a DataFrame), its line (a file) or its position (dicts), as
    ``Int64`` when whole numbers; ``field``, ``value``, ``message`` text."""
    rows = p["row"]
    if labels is not None:
        taken = labels.take(rows)
        row = pd.array(taken, dtype="Int64") if pd.api.types.is_integer_dtype(taken.dtype) else taken.array
    else:
        row = pd.array(rows, dtype="Int64")
    return pd.DataFrame(
        {
            "row": row,
            "field": _text(p["field"]),
            "value": _text(p["value"]),
            "message": _text(p["message"]),
        }
    )


def _warn_numeric_ids(what: str, *problems: dict) -> None:
    """Once per call: a :class:`NumericIdWarning` naming every ID column that held numbers."""
    columns: list[str] = []
    for p in problems:
        for name in p.get("numeric_ids", ()):
            if name not in columns:
                columns.append(name)
    if not columns:
        return
    named = ", ".join(columns)
    dtype = ", ".join(f'"{c.strip()}": str' for c in columns)
    warnings.warn(
        f"vsend.{what}: {named} {'holds' if len(columns) == 1 else 'hold'} numbers, so an ID written "
        f"with leading zeros (007) reads as another (7); read IDs as text: "
        f"pd.read_csv(path, dtype={{{dtype}}}), or in Excel format the column as Text",
        NumericIdWarning,
        stacklevel=3,
    )


def _absent(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def _figure(values: Any) -> pd.api.extensions.ExtensionArray:
    """Figures (numbers or None) as ``Float64``."""
    return pd.array([None if _absent(v) else float(v) for v in values], dtype="Float64")


def _count(values: Any) -> pd.api.extensions.ExtensionArray:
    """Counts and other whole numbers (or None) as ``Int64``."""
    return pd.array([None if _absent(v) else int(v) for v in values], dtype="Int64")


def _flag(values: Any) -> pd.api.extensions.ExtensionArray:
    """Booleans (or None) as ``boolean``."""
    return pd.array([None if _absent(v) else bool(v) for v in values], dtype="boolean")


def _category(values: Any, categories: Sequence[str]) -> pd.Categorical:
    """Keys of a closed set (or None) as a categorical of all of them, in order."""
    return pd.Categorical([None if _absent(v) else v for v in values], categories=list(categories))


def _date(values: Any) -> np.ndarray:
    """``YYYY-MM-DD`` dates (or None) as ``datetime64[s]``; None is ``NaT``."""
    return np.array([np.datetime64("NaT") if _absent(v) else np.datetime64(str(v)[:10], "D") for v in values], dtype="datetime64[s]")


def _domain_set(keys: Optional[Sequence[str]]) -> Optional[str]:
    """A set of domains as its ``;``-joined keys in canonical order (``""`` for none)."""
    return None if keys is None else ";".join(d for d in DOMAINS if d in keys)


@functools.lru_cache(maxsize=64)
def _categories(categories: tuple, ordered: bool) -> pd.CategoricalDtype:
    """A closed set's dtype, made (and its categories checked) once, not per call."""
    return pd.CategoricalDtype(list(categories), ordered=ordered)


def _scored_column(spec: tuple) -> Any:
    """One scored column from the Rust side's ``(kind, ...)``: the arrays are
    new and ours, so each is wrapped without a copy."""
    kind = spec[0]
    if kind == "figure":
        return pd.arrays.FloatingArray(spec[1], spec[2])
    if kind == "count":
        return pd.arrays.IntegerArray(spec[1], spec[2])
    if kind == "code":
        return pd.Categorical.from_codes(spec[1], dtype=_categories(tuple(spec[2]), spec[3]))
    if kind == "flag":
        return pd.arrays.BooleanArray(spec[1], np.zeros(len(spec[1]), dtype=bool))
    if kind == "date":
        return pd.array(spec[1].view("datetime64[s]"))
    if kind == "text":
        if not isinstance(spec[1], np.ndarray):  # an Arrow array: no Python strings made
            return pd.arrays.ArrowStringArray(spec[1])
        return pd.arrays.StringArray(spec[1])
    raise ValueError(f"unknown column kind {kind!r}")


def _scored_frame(cols: dict, index: pd.Index) -> pd.DataFrame:
    """The scored frame (§10) from the columns the Rust side built, in the
    framework's column order; ``_rows`` is not a column."""
    out = {name: _scored_column(spec) for name, spec in cols.items() if name != "_rows"}
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
            ``boolean``), never 0. For Arrow data, a table of its kind (a
            polars DataFrame, a pyarrow Table or RecordBatch) with the same
            columns as Arrow types (``double``, ``int64``, ``bool``,
            ``date32``, ``string``, dictionaries for the closed sets), nulls
            for absent figures, and no index (problems' ``row`` is the
            position).
        problems: one row per problem: ``row`` (index label, line, or
            position), ``field`` (column), ``value`` (as found, at most 40
            characters), ``message`` (§9).
        rows_read: records read.
        rejected_rows: records rejected; ``rows_read == len(scored) + rejected_rows``.
    """

    scored: Any
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


def score(data: Data, framework: FrameworkLike = None, *, strict: bool = False, sheet: Optional[str] = None) -> ScoreResult:
    """Validates and scores every record (docs/model.md §3–§6, §9).

    Args:
        data: a DataFrame with the §10 cohort columns (``child_id``,
            ``assessed_on``, ``date_of_birth``, ``setting_id``,
            ``need.<area>``, ``readiness.<d>``, ``confidence.<d>``, optional
            ``readiness_planned.<d>``), a path to a ``.csv`` / ``.jsonl``
            / ``.xlsx`` file, an iterable of dicts, or Arrow data (a polars
            DataFrame, a pyarrow Table or RecordBatch, anything with
            ``__arrow_c_stream__``). NaN / None / null / empty is
            *not assessed*. An ``.xlsx`` workbook is read from its first
            visible worksheet (or ``sheet``) as the CLI reads it: problems
            carry the sheet's row numbers.
        framework: a :class:`Framework`, framework JSON text, a path to a
            framework file, or a dict; the built-in default when None.
        strict: raise :class:`ValidationError` (carrying every problem) when
            any row is rejected, instead of warning.
        sheet: the sheet of an ``.xlsx`` workbook to read (default: its first
            visible worksheet); the other functions taking ``data`` take it too.

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
    source, labels, meaning = _source(data, fw, sheet)
    arrow = _arrow_kind(data)
    if arrow is None:
        cols, probs, rows_read = _vsend.score_source(fw, source)
        scored = _scored_frame(cols, _labels(cols["_rows"], labels, meaning))
    else:
        (table, _rows), probs, rows_read = _vsend.score_source(fw, source, True)
        scored = _from_arrow(table, arrow)
    problems = _problems_frame(probs, labels, meaning)
    rejected = int(probs["rejected"])
    if len(scored) + rejected != rows_read:  # never a silent drop
        raise RuntimeError(f"vsend.score: {rows_read} rows read, {len(scored)} scored, {rejected} rejected")
    _warn_numeric_ids("score", probs)
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
    _kind: Optional[str] = None

    def to_frame(self) -> Any:
        """One row per group × domain: see :func:`cohort_frame`; a polars
        or pyarrow table when the data was."""
        return cohort_frame(self, self._kind)


class TimelineResult(dict):
    """The §10 timeline of one child (a plain ``dict`` of that shape), with
    the records rejected on the way (``problems``, ``rows_read``, ``rejected_rows``)."""

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int
    _kind: Optional[str] = None

    def to_frame(self) -> Any:
        """One row per step × domain: see :func:`timeline_frame`; a polars
        or pyarrow table when the data was."""
        return timeline_frame(self, self._kind)


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
    sheet: Optional[str] = None,
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
    allowed = {
        "suppress": "a whole number K from 2 to 100 (counts from 1 to K - 1 are hidden)",
        "round_to": "a whole number B from 3 to 100 (every shown count is rounded to a multiple of B)",
    }
    for name, value in (("suppress", suppress), ("round_to", round_to)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
            raise TypeError(f"{name}: expected a whole number, got {value!r}")
        if value is not None and not -(2**63) <= value < 2**63:
            # Too large to hand over at all: said as the core says any value out of range.
            raise ValueError(f"{name}: {value} is not allowed; allowed {allowed[name]}")
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
    summary, probs, rows_read = _vsend.cohort_source(
        fw,
        source,
        _date_text("as_of", as_of),
        by,
        None if suppress is None else int(suppress),
        None if round_to is None else int(round_to),
    )
    out = CohortSummary(summary)
    out._kind = _arrow_kind(data)
    problems = _attach(out, probs, labels, meaning, rows_read)
    _warn_numeric_ids("cohort", probs)
    _report("cohort", problems, rows_read, out.rejected_rows, meaning, strict)
    return out


def timeline(
    data: Data,
    child: str,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> TimelineResult:
    """One child's timeline (§7) as the dict of §10: ``child_id``, ``steps``,
    ``trend``, ``escalating``, ``overdue`` (None without ``as_of``).

    Assessments after ``as_of`` are left out. Every record is still validated:
    rejected rows (of any child) are reported as for :func:`score`.

    Raises:
        NotFoundError: the child has no accepted assessment (on or before ``as_of``).
    """
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
    t, probs, rows_read = _vsend.timeline_source(fw, source, child, _date_text("as_of", as_of))
    out = TimelineResult(t)
    out._kind = _arrow_kind(data)
    problems = _attach(out, probs, labels, meaning, rows_read)
    _warn_numeric_ids("timeline", probs)
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


def cohort_frame(summary: Mapping[str, Any], _kind: Optional[str] = None) -> Any:
    """A cohort summary (from :func:`cohort`, or loaded from the CLI's JSON) as
    a table: one row per group × domain.

    Columns: ``group``, ``domain``, the group's ``children``, ``assessments``,
    ``overdue``; the domain's ``n``, ``mean_need``, ``met_by_setting``,
    ``met_by_family``, ``mean_setting_gap``, ``improved``, ``stable``,
    ``worsened``, ``mean_delta_need``, ``high_need``, ``unmet_by_setting``,
    ``planned_met_by_setting`` and ``histogram.<level>`` per level; then the
    group's ``mean_need_index``, ``mean_setting_coverage``,
    ``mean_family_coverage``. Counts are ``Int64``, means ``Float64``; null
    stays ``<NA>``. The correlation matrix stays in the dict. A summary of
    polars or pyarrow data gives a table of that kind (its ``to_frame()``).
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
    hist = tuple(f"histogram.{level}" for level in range(levels))
    columns = ["group", "domain", *_GROUP_COUNTS, *_DOMAIN_COUNTS, *_DOMAIN_SHARES, *hist, *_GROUP_MEANS]
    counts = set(_GROUP_COUNTS + _DOMAIN_COUNTS + hist)

    def spec(k: str) -> tuple:
        values = [r[k] for r in rows]
        if k == "group":
            return (k, "text", values)
        if k == "domain":
            return (k, "category", values, DOMAINS)
        return (k, "count" if k in counts else "figure", values)

    return _frame([spec(k) for k in columns], _kind)


def timeline_frame(timeline: Mapping[str, Any], _kind: Optional[str] = None) -> Any:
    """A timeline's steps as a table: one row per step × domain, with
    ``child_id``, ``from``, ``to`` (``datetime64[s]``), ``days``
    (``Int64``), ``domain``, ``delta_need`` (``Float64``), ``class``
    (categorical of :data:`CHANGE_CLASSES`, or ``<NA>``), and the domain's
    ``trend`` (``Float64``) and ``escalating`` (``boolean``). A timeline of
    polars or pyarrow data gives a table of that kind (its ``to_frame()``)."""
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

    def col(k: str) -> list:
        return [r[k] for r in rows]

    return _frame(
        [
            ("child_id", "text", col("child_id")),
            ("from", "date", col("from")),
            ("to", "date", col("to")),
            ("days", "count", col("days")),
            ("domain", "category", col("domain"), DOMAINS),
            ("delta_need", "figure", col("delta_need")),
            ("class", "category", col("class"), CHANGE_CLASSES),
            ("trend", "figure", col("trend")),
            ("escalating", "flag", col("escalating")),
        ],
        _kind,
    )


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

    def _repr_png_(self) -> bytes:
        return self.to_png()

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
    _warn_numeric_ids(kind, probs)
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
    sheet: Optional[str] = None,
) -> Chart:
    """The three-line radar of one child's review: needs, setting readiness and
    family confidence per domain; the review on or before ``on`` (the latest
    without it), with ``previous=True`` also the review before's needs."""
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
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
    sheet: Optional[str] = None,
) -> Chart:
    """One child's domain needs over time (reviews up to ``as_of``)."""
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
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
    sheet: Optional[str] = None,
) -> Chart:
    """The mean radar of one cohort group (``"all"``, or ``"<by>=<value>"``
    with ``by``), as of ``as_of``."""
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
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
        """One row per moving child: ``child_id``, ``setting_id`` (text),
        ``move`` (categorical of :data:`PHASE_MOVES`), ``need.<domain>``,
        ``need_index`` (``Float64``), ``unmet_setting`` (categorical of
        ``;``-joined domain keys, ``""`` for none) and ``primary_domain``."""
        rows = []
        for c in self["children"]:
            row = {k: c[k] for k in ("child_id", "setting_id", "move")}
            for d in DOMAINS:
                row[f"need.{d}"] = c["need"][d]
            row["need_index"] = c["need_index"]
            row["unmet_setting"] = _domain_set(c["unmet_setting"])
            row["primary_domain"] = c["primary_domain"]
            rows.append(row)
        needs = [f"need.{d}" for d in DOMAINS]
        columns = ["child_id", "setting_id", "move", *needs, "need_index", "unmet_setting", "primary_domain"]
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
        frame["child_id"] = _text(frame["child_id"])
        frame["setting_id"] = _text(frame["setting_id"])
        frame["move"] = _category(frame["move"], PHASE_MOVES)
        for col in [*needs, "need_index"]:
            frame[col] = _figure(frame[col])
        frame["unmet_setting"] = _category(frame["unmet_setting"], _DOMAIN_SETS)
        frame["primary_domain"] = _category(frame["primary_domain"], DOMAINS)
        return frame


def transitions(
    data: Data,
    year: int,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> MovesResult:
    """The children who change school phase in the school year starting
    1 September ``year`` (§11), and their needs, read as of ``as_of``
    (default: the latest assessment). Rejected rows are reported as for
    :func:`score`.

    ``year`` is a whole number from 1900 to 2200: the core's rule for a
    school year, the one the CLI's ``--year`` and the C interface apply.

    Raises:
        ValueError: a ``year`` that is not a school year, naming it.
    """
    fw = _framework(framework)
    # The rule for a school year is the core's (as the CLI's --year and the C
    # interface's): a whole number is handed over as its digits, anything
    # else as its repr, for the core to refuse.
    whole = isinstance(year, (int, np.integer)) and not isinstance(year, (bool, np.bool_))
    school_year = _vsend.school_year(str(int(year)) if whole else repr(year))
    source, labels, meaning = _source(data, fw, sheet)
    moves, probs, rows_read = _vsend.transitions_source(fw, source, school_year, _date_text("as_of", as_of))
    out = MovesResult(moves)
    problems = _attach(out, probs, labels, meaning, rows_read)
    _warn_numeric_ids("transitions", probs)
    _report("transitions", problems, rows_read, out.rejected_rows, meaning, strict)
    return out


PLAN_COLUMNS: list = list(_vsend.PLAN_COLUMNS)


@dataclasses.dataclass(frozen=True, repr=False)
class TransitionResult:
    """What :func:`transition` gives: one row per accepted plan (the flat §11
    columns of ``vsend transition``: IDs text, dates ``datetime64[s]``,
    ``days_to_move``, readiness and ``change`` ``Int64``, needs, gaps and
    ``ready_coverage`` ``Float64``, ``stale`` ``boolean``, ``status.<domain>``
    a categorical of :data:`PLAN_STATUSES`, ``not_ready`` and
    ``worse_than_now`` categoricals of ``;``-joined domain keys) and the
    problems of rejected plans.
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
    frame = pd.DataFrame(rows, columns=PLAN_COLUMNS, dtype=object)
    for col in PLAN_COLUMNS:
        figure = col.split(".")[0]
        if figure in ("need", "gap_to") or col == "ready_coverage":
            frame[col] = _figure(frame[col])
        elif figure in ("readiness_from", "readiness_to", "change") or col == "days_to_move":
            frame[col] = _count(frame[col])
        elif col == "stale":
            frame[col] = _flag(frame[col])
        elif figure == "status":
            frame[col] = _category(frame[col], PLAN_STATUSES)
        elif col in ("not_ready", "worse_than_now"):
            frame[col] = _category([_domain_set(v) for v in frame[col]], _DOMAIN_SETS)
        elif col in ("assessed_on", "move_on"):
            frame[col] = _date(frame[col])
        else:
            frame[col] = _text(frame[col])
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
            id_column = names[i].strip() in _ID_COLUMNS
            col = _column_array(plans.iloc[:, i], id_column)
            if not isinstance(col, np.ndarray):
                # Arrow text: dates in a plan are read as written.
                col = np.asarray(pd.Series(plans.iloc[:, i]).to_numpy(dtype=object, na_value=None))
            if col.dtype == object and not id_column:
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
        col[:] = [r.get(name) if name in _ID_COLUMNS else _plan_cell(r.get(name)) for r in records]
        arrays.append(col)
    return list(names), arrays, len(records)


def transition(
    data: Data,
    plans: Any,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> TransitionResult:
    """Transition plans (§11) against the cohort ``data``: for each plan
    (``child_id``, ``to_setting_id``, ``move_on``, ``readiness.<domain>``) the
    child's needs from their latest assessment on or before the move, the
    readiness now and at the receiving setting, the gap, ``status``,
    ``not_ready`` and ``worse_than_now`` per domain, and ``stale``.

    ``plans`` is a path to a ``.csv`` / ``.jsonl`` / ``.xlsx`` plans file (problems
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
    source, labels, meaning = _source(data, fw, sheet)
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
    _warn_numeric_ids("transition", cohort_probs, probs)
    _report("transition (cohort)", cohort_problems, cohort_rows, int(cohort_probs["rejected"]), meaning, strict)
    _report("transition", problems, plans_read, rejected, plan_meaning, strict)
    return TransitionResult(planned, problems, plans_read, rejected, cohort_problems)


class Comparison(dict):
    """Summaries compared (§14) as the dict of ``vsend compare``:
    ``reference`` and ``rows`` (one per summary, the reference first). A
    row's ``suppression`` is None for an exact summary and ``{"min_count": K,
    "round_to": B}`` for a shared one, whose counts are rounded."""

    def to_frame(self) -> pd.DataFrame:
        """One row per summary × domain: ``label`` (text), ``as_of``
        (``datetime64[s]``), ``min_count`` and ``round_to`` (``Int64``, ``<NA>``
        for an exact summary), ``children`` (``Int64``), ``domain``
        (categorical) and each figure with its ``diff_`` (``Float64``)."""
        out = []
        figures: dict[str, None] = {}
        for row in self["rows"]:
            shared = row["suppression"] or {}
            for d in DOMAINS:
                figures.update(dict.fromkeys(row[d]))
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
        columns = ["label", "as_of", "min_count", "round_to", "children", "domain", *figures]
        frame = pd.DataFrame(out, columns=columns, dtype=object)
        frame["label"] = _text(frame["label"])
        frame["as_of"] = _date(frame["as_of"])
        for col in ("min_count", "round_to", "children"):
            frame[col] = _count(frame[col])
        frame["domain"] = _category(frame["domain"], DOMAINS)
        for col in figures:
            frame[col] = _figure(frame[col])
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


# ---------------------------------------------------------------------------
# Forecast (§15) and impact (§16)
# ---------------------------------------------------------------------------

#: The row phases of a projection (§15): the school phases below adult,
#: ``unknown`` (no date of birth) and ``all``.
PROJECTION_PHASES: tuple[str, ...] = ("early_years", "primary", "secondary", "post16", "unknown", "all")
#: The figures of a projection and its back-test (§15): ``children`` on the
#: caseload, and per domain key the children with a high need in it.
PROJECTION_FIGURES: tuple[str, ...] = ("children", *DOMAINS)
#: The supports whose rise §16 studies, in output order.
SUPPORTS: tuple[str, ...] = ("readiness", "confidence")


def _whole_option(name: str, value: Any, optional: bool = False) -> Any:
    """A whole-number option handed over as an ``int`` (a numpy integer
    too); anything else as it is, for the Rust side to refuse by name."""
    if value is None and optional:
        return None
    if isinstance(value, (np.integer,)) and not isinstance(value, np.bool_):
        return int(value)
    return value


class _Analysis:
    """What :class:`ForecastResult` and :class:`ImpactResult` share: the
    records rejected on the way, and the chart shown inline in Jupyter."""

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int

    def chart(self, *, width: Optional[int] = None, height: Optional[int] = None, title: Optional[str] = None) -> Chart:
        raise NotImplementedError

    def _repr_svg_(self) -> str:
        return self.chart().svg

    def _repr_png_(self) -> bytes:
        return self.chart().to_png()


class ForecastResult(_Analysis):
    """A projection of need (docs/model.md §15), from :func:`forecast`.

    Attributes:
        projection: the tidy projection, one row per school year × phase ×
            figure: ``school_year`` (``Int64``), ``phase`` (categorical of
            :data:`PROJECTION_PHASES`), ``figure`` (categorical of
            :data:`PROJECTION_FIGURES`), ``expected``, ``low``, ``high``
            (``Float64``; the 95 % interval, ``<NA>`` without replicates
            beyond the first year). The first school year is what was
            observed at ``as_of``.
        transition: per domain key, the learnt transition matrix (a
            ``float64`` array; rows and columns are levels 0 to max_level).
        leaving: the annual leaving share per phase: ``phase``
            (categorical) and ``share`` (``Float64``, ``<NA>`` for a phase with
            no children in the history).
        inflow: ``{"years", "children_per_year"}``.
        history: what the dynamics were learnt from: ``{"years",
            "children", "pairs", "unobserved_levels"}``.
        backtest: with ``backtest=True``, one row per phase × figure of the
            projection made a year earlier against what was then observed:
            ``phase``, ``figure`` (categoricals), ``forecast``, ``low``,
            ``high``, ``observed``, ``persistence`` (``Float64``); else None.
        backtest_summary: ``{"origin", "mae", "mae_persistence", "skill",
            "coverage"}`` with ``backtest=True``, else None.
        as_of, school_year, horizon, replicates, seed: as in the §15 JSON.
        problems, rows_read, rejected_rows: the records rejected on the way.

    ``to_dict()`` gives the §15 JSON of ``vsend forecast``, ``to_frame()``
    the projection, ``chart()`` the fan chart (shown inline in Jupyter).
    """

    def __init__(self, native: Any, kind: Optional[str] = None) -> None:
        self._native = native
        self._kind = kind
        self._dict = json.loads(native.json())
        d = self._dict
        self.as_of: _dt.date = _dt.date.fromisoformat(d["as_of"])
        self.school_year: int = d["school_year"]
        self.horizon: int = d["horizon"]
        self.replicates: int = d["replicates"]
        self.seed: int = d["seed"]
        self.history: dict = d["history"]
        self.inflow: dict = d["inflow"]
        self.transition: dict[str, np.ndarray] = {k: np.array(v, dtype=np.float64) for k, v in d["transition"].items()}
        self.leaving = _frame(
            [
                ("phase", "category", list(d["leaving"]), PROJECTION_PHASES),
                ("share", "figure", list(d["leaving"].values())),
            ],
            kind,
        )
        self.projection = self._projection()
        self.backtest: Optional[Any] = None
        self.backtest_summary: Optional[dict] = None
        if d.get("backtest") is not None:
            b = d["backtest"]
            self.backtest_summary = {k: b[k] for k in ("origin", "mae", "mae_persistence", "skill", "coverage")}
            cells = b["cells"]
            self.backtest = _frame(
                [
                    ("phase", "category", [c["phase"] for c in cells], PROJECTION_PHASES),
                    ("figure", "category", [c["figure"] for c in cells], PROJECTION_FIGURES),
                ]
                + [(k, "figure", [c[k] for c in cells]) for k in ("forecast", "low", "high", "observed", "persistence")],
                kind,
            )

    def _projection(self) -> Any:
        years, phases, figures, expected, low, high = [], [], [], [], [], []
        for row in self._dict["projection"]:
            estimates = [("children", row["children"])] + [(k, row["high_need"][k]) for k in DOMAINS]
            for figure, e in estimates:
                years.append(row["school_year"])
                phases.append(row["phase"])
                figures.append(figure)
                expected.append(e["expected"])
                low.append(e["low"])
                high.append(e["high"])
        return _frame(
            [
                ("school_year", "count", years),
                ("phase", "category", phases, PROJECTION_PHASES),
                ("figure", "category", figures, PROJECTION_FIGURES),
                ("expected", "figure", expected),
                ("low", "figure", low),
                ("high", "figure", high),
            ],
            self._kind,
        )

    def to_dict(self) -> dict:
        """The §15 JSON of ``vsend forecast`` as a dict (a new copy)."""
        return json.loads(self._native.json())

    def to_frame(self) -> Any:
        """The tidy projection (see ``projection``), a copy."""
        return _copy(self.projection)

    def chart(self, *, width: Optional[int] = None, height: Optional[int] = None, title: Optional[str] = None) -> Chart:
        """The fan chart ``vsend forecast --chart`` draws: caseload and high
        needs by phase, with their intervals (1500 × 1080 px by default)."""
        chart = Chart(self._native.fan(width or 1500, height or 1080, title), "fan")
        _share_counts(chart, self)
        return chart

    def __repr__(self) -> str:
        last = self.school_year + self.horizon
        return (
            f"ForecastResult(as_of={self.as_of.isoformat()}, school_years={self.school_year}-{last}, "
            f"history_years={self.history['years']}, replicates={self.replicates}, "
            f"backtest={self.backtest is not None}, rows_read={self.rows_read}, rejected_rows={self.rejected_rows})"
        )


class ImpactResult(_Analysis):
    """The impact of support (docs/model.md §16), from :func:`impact`: did
    needs fall more where a setting's readiness or a family's confidence
    rose? An observational comparison within strata, not proof of cause.

    Attributes:
        as_of, children, replicates, seed, meaningful_change: as in the §16 JSON.
        problems, rows_read, rejected_rows: the records rejected on the way.

    ``to_frame()`` gives one row per support × domain, ``to_dict()`` the §16
    JSON of ``vsend impact``, ``chart()`` the forest chart (shown inline in
    Jupyter).
    """

    def __init__(self, native: Any, kind: Optional[str] = None) -> None:
        self._native = native
        self._kind = kind
        d = json.loads(native.json())
        self._dict = d
        self.as_of: _dt.date = _dt.date.fromisoformat(d["as_of"])
        self.children: int = d["children"]
        self.replicates: int = d["replicates"]
        self.seed: int = d["seed"]
        self.meaningful_change: float = d["meaningful_change"]

    def to_dict(self) -> dict:
        """The §16 JSON of ``vsend impact`` as a dict (a new copy)."""
        return json.loads(self._native.json())

    def to_frame(self) -> Any:
        """One row per support × domain: ``support`` (categorical of
        :data:`SUPPORTS`), ``domain`` (categorical), ``exposed``,
        ``matched``, ``comparison``, ``strata`` (``Int64``),
        ``mean_change_exposed``, ``effect``, ``low``, ``high``
        (``Float64``; ``<NA>`` where §16 gives null); a polars or pyarrow
        table when the data was."""
        rows = [(s, d, self._dict["support"][s][d]) for s in SUPPORTS for d in DOMAINS]
        return _frame(
            [
                ("support", "category", [r[0] for r in rows], SUPPORTS),
                ("domain", "category", [r[1] for r in rows], DOMAINS),
            ]
            + [(k, "count", [r[2][k] for r in rows]) for k in ("exposed", "matched", "comparison", "strata")]
            + [(k, "figure", [r[2][k] for r in rows]) for k in ("mean_change_exposed", "effect", "low", "high")],
            self._kind,
        )

    def chart(self, *, width: Optional[int] = None, height: Optional[int] = None, title: Optional[str] = None) -> Chart:
        """The forest chart ``vsend impact --chart`` draws: each effect with
        its interval (1400 × 1000 px by default)."""
        chart = Chart(self._native.forest(width or 1400, height or 1000, title), "forest")
        _share_counts(chart, self)
        return chart

    def __repr__(self) -> str:
        return (
            f"ImpactResult(as_of={self.as_of.isoformat()}, children={self.children}, "
            f"replicates={self.replicates}, rows_read={self.rows_read}, rejected_rows={self.rejected_rows})"
        )


def _share_counts(chart: Chart, result: Any) -> None:
    chart.problems = result.problems
    chart.rows_read = result.rows_read
    chart.rejected_rows = result.rejected_rows


def forecast(
    data: Data,
    framework: FrameworkLike = None,
    as_of: DateLike = None,
    horizon: int = 3,
    replicates: int = 200,
    seed: int = 1,
    history: Optional[int] = None,
    inflow_years: int = 3,
    backtest: bool = False,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> ForecastResult:
    """Projects need (docs/model.md §15): the caseload and the children with
    a high need per domain, by school phase, for ``horizon`` school years
    after ``as_of``, learnt from the data's own review history, with 95 %
    intervals from ``replicates`` seeded simulations. The same data and
    options give the same numbers as ``vsend forecast``, on any machine.

    Args:
        data: as for :func:`score` (a path, a DataFrame, dicts, or Arrow data).
        framework: as for :func:`score`.
        as_of: the date projected from (a date, a Timestamp or ``YYYY-MM-DD``
            text); default the latest ``assessed_on``.
        horizon: school years projected, 1 to 5.
        replicates: simulations for the intervals, 0 to 10000 (0: no intervals).
        seed: the seed of the simulations, 0 to 18446744073709551615.
        history: years of history to learn from, 1 to 10; default as many as
            there are (up to 10).
        inflow_years: years of new children replayed as each future year's
            inflow, 1 to 10 (no more than ``history`` are used).
        backtest: also make the projection a year earlier and compare it with
            what was then observed (needs two years of history).
        strict: raise :class:`ValidationError` when any row is rejected.

    Returns:
        A :class:`ForecastResult`.

    Raises:
        TypeError: an option that is not a whole number (or not a date).
        ValueError: an option outside its range (named, with the range), or
            too little history: less than a year before ``as_of`` (or two
            with ``backtest``), or ``as_of`` before every assessment.
    """
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
    native, probs, rows_read = _vsend.forecast_source(
        fw,
        source,
        _date_text("as_of", as_of),
        _whole_option("horizon", horizon),
        _whole_option("replicates", replicates),
        _whole_option("seed", seed),
        _whole_option("history", history, optional=True),
        _whole_option("inflow_years", inflow_years),
        bool(backtest),
    )
    out = ForecastResult(native, _arrow_kind(data))
    problems = _attach(out, probs, labels, meaning, rows_read)
    _warn_numeric_ids("forecast", probs)
    _report("forecast", problems, rows_read, out.rejected_rows, meaning, strict)
    return out


def impact(
    data: Data,
    framework: FrameworkLike = None,
    as_of: DateLike = None,
    replicates: int = 200,
    seed: int = 1,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> ImpactResult:
    """The impact of support (docs/model.md §16): for every three reviews in
    a row of a child, did the need in a domain fall more after the setting's
    readiness (or the family's confidence) rose than where it did not, among
    children alike before? Effects with 95 % bootstrap intervals from
    ``replicates`` seeded resamplings of children; the same numbers as
    ``vsend impact``. Observational: not proof of cause.

    Args:
        data: as for :func:`score`.
        framework: as for :func:`score`.
        as_of: read reviews on or before this date; default the latest.
        replicates: bootstrap resamplings, 0 to 10000 (0: no intervals).
        seed: the seed of the resamplings, 0 to 18446744073709551615.
        strict: raise :class:`ValidationError` when any row is rejected.

    Returns:
        An :class:`ImpactResult`.

    Raises:
        TypeError: an option that is not a whole number (or not a date).
        ValueError: an option outside its range, ``as_of`` before every
            assessment, or no accepted assessment.
    """
    fw = _framework(framework)
    source, labels, meaning = _source(data, fw, sheet)
    native, probs, rows_read = _vsend.impact_source(
        fw,
        source,
        _date_text("as_of", as_of),
        _whole_option("replicates", replicates),
        _whole_option("seed", seed),
    )
    out = ImpactResult(native, _arrow_kind(data))
    problems = _attach(out, probs, labels, meaning, rows_read)
    _warn_numeric_ids("impact", probs)
    _report("impact", problems, rows_read, out.rejected_rows, meaning, strict)
    return out
