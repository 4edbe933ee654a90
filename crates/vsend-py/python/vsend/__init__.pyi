"""Type stubs for vsend: Valuing SEND scoring for pandas."""

import datetime
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional, Union

import pandas as pd

__version__: str

DOMAINS: tuple[str, ...]
AGE_BANDS: tuple[str, ...]
SCORED_COLUMNS: tuple[str, ...]
#: The columns of every problems DataFrame: row, field, value, message.
PROBLEM_COLUMNS: tuple[str, ...]
#: The classes of a domain's change between reviews (§7): improved, stable, worsened.
CHANGE_CLASSES: tuple[str, ...]
#: The four phase moves of §11, in canonical order.
PHASE_MOVES: tuple[str, ...]
#: A plan's status in a domain (§11): ready, not_ready.
PLAN_STATUSES: tuple[str, ...]

Data = Union[pd.DataFrame, str, os.PathLike[str], Iterable[Mapping[str, Any]]]
FrameworkLike = Union["Framework", str, os.PathLike[str], Mapping[str, Any], None]
DateLike = Union[str, datetime.date, pd.Timestamp, None]

class Framework:
    """A Valuing SEND framework (docs/model.md §2): scale, need areas and rules."""

    @staticmethod
    def default() -> Framework:
        """The built-in framework `vsend-default` version 1."""
    @staticmethod
    def from_json(text: str) -> Framework:
        """Loads and validates a framework from JSON text; raises FrameworkError listing every problem."""
    def to_json(self) -> str:
        """The framework as JSON text, loadable by `from_json`."""
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def max_level(self) -> int: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def aggregate(self) -> str:
        """`"max"` or `"mean"` (§4)."""
    @property
    def meaningful_change(self) -> float: ...
    @property
    def review_interval_days(self) -> int: ...
    @property
    def high_need_level(self) -> int: ...
    @property
    def areas(self) -> list[tuple[str, str, str]]:
        """`(key, label, domain)` of every need area, in framework order."""
    @property
    def bands(self) -> list[tuple[str, str, float, Optional[float]]]:
        """The §13 bands `(id, label, min_score, top_up)`; empty without banding."""
    def scored_columns(self) -> list[str]:
        """The scored-output columns (§10, §13) under this framework, in order."""
    def columns(self) -> list[tuple[str, bool]]:
        """`(column name, required)` of every cohort column this framework reads (§10)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class VsendError(Exception):
    """Base class of every vsend error. `problems` is a DataFrame with the
    columns of every problems frame (row, field, value, message), one row per
    problem; `problems` given as `(row, field, value, message)` tuples or
    messages are made into one."""

    problems: pd.DataFrame
    def __init__(self, message: str, problems: Any = ...) -> None: ...

class FrameworkError(VsendError, ValueError):
    """An invalid framework; `problems` has one row per broken rule, `field` its place in the JSON."""

class ColumnError(VsendError, ValueError):
    """Missing, unknown or repeated cohort columns; `problems` has one row per column problem."""

class FileError(VsendError, OSError):
    """A file that cannot be read as a cohort."""

class NotFoundError(VsendError, LookupError):
    """A child or cohort group the data does not have."""

class ValidationError(VsendError, ValueError):
    """Rows rejected under `strict=True`; `problems` is every problem of every rejected row."""

    rows_read: int
    rejected_rows: int
    def __init__(self, message: str, problems: pd.DataFrame, rows_read: int, rejected_rows: int) -> None: ...

class RejectedRowsWarning(UserWarning):
    """Some rows were rejected and are listed in the result's `problems`."""

class NumericIdWarning(UserWarning):
    """An ID column holds numbers, so IDs written with leading zeros have lost them;
    read IDs as text, e.g. `pd.read_csv(path, dtype={"child_id": str})`. Once per call."""

class ScoreResult:
    """Scored rows and the problems of rejected rows; unpacks as `(scored, problems)`."""

    scored: pd.DataFrame
    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int
    def __init__(self, scored: pd.DataFrame, problems: pd.DataFrame, rows_read: int, rejected_rows: int) -> None: ...
    def __iter__(self) -> Iterator[pd.DataFrame]: ...
    @property
    def ok(self) -> bool:
        """True when no row was rejected."""

class CohortSummary(dict[str, Any]):
    """The §10 cohort summary dict, with `problems`, `rows_read`, `rejected_rows`."""

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int
    def to_frame(self) -> pd.DataFrame:
        """One row per group × domain (see `cohort_frame`)."""

class TimelineResult(dict[str, Any]):
    """The §10 timeline dict of one child, with `problems`, `rows_read`, `rejected_rows`."""

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int
    def to_frame(self) -> pd.DataFrame:
        """One row per step × domain (see `timeline_frame`)."""

class Chart:
    """An SVG chart: inline in Jupyter, `save(path)` to .svg or .png."""

    svg: str
    kind: str
    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int
    def __init__(self, svg: str, kind: str = ...) -> None: ...
    def _repr_svg_(self) -> str: ...
    def to_png(self) -> bytes:
        """The chart rasterised to PNG."""
    def save(self, path: Union[str, os.PathLike[str]]) -> None:
        """Writes SVG or PNG, by the extension of `path`."""

def score(data: Data, framework: FrameworkLike = None, *, strict: bool = False, sheet: Optional[str] = None) -> ScoreResult:
    """Validates and scores every record (§3–§6, §9); same-date duplicates (§7) are rejected."""

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
    """The §8 cohort summary (with §12 audit figures) as the dict of §10;
    `suppress=K` (2 to 100) makes it safe to share (§14), every shown count rounded to a multiple
    of `round_to=B` (3 to 100, default max(5, K)); see the limitation in `cohort`'s docstring."""

def timeline(
    data: Data,
    child: str,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> TimelineResult:
    """One child's §7 timeline as the dict of §10."""

def cohort_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """A cohort summary as a table: one row per group × domain."""

def timeline_frame(timeline: Mapping[str, Any]) -> pd.DataFrame:
    """A timeline's steps as a table: one row per step × domain."""

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
    """The three-line radar of one child's review (the latest on or before `on`)."""

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
    """One child's domain needs over time."""

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
    """The mean radar of one cohort group (`"all"` or `"<by>=<value>"`)."""


PlansLike = Union[pd.DataFrame, str, os.PathLike[str], Iterable[Mapping[str, Any]]]
SummaryLike = Union[str, os.PathLike[str], Mapping[str, Any]]

class MovesResult(dict[str, Any]):
    """The §11 phase moves dict of ``vsend transitions`` (``year``, ``as_of``,
    ``framework_id``, ``framework_version``, ``moves``, ``children``), with
    ``problems``, ``rows_read``, ``rejected_rows``."""

    problems: pd.DataFrame
    rows_read: int
    rejected_rows: int
    def to_frame(self) -> pd.DataFrame:
        """One row per moving child: ``child_id``, ``setting_id``, ``move``,
        ``need.<domain>``, ``need_index``, ``unmet_setting``, ``primary_domain``."""

def transitions(
    data: Data,
    year: int,
    as_of: DateLike = None,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> MovesResult:
    """The children who change school phase in the school year starting 1 September ``year`` (§11).
    ``year`` is a whole number from 1900 to 2200 (the core's rule, as the CLI's ``--year``); else ValueError."""

PLAN_COLUMNS: list[str]

class TransitionResult:
    """One flat §11 row per accepted plan and the problems of rejected plans;
    ``plans_read == len(planned) + rejected_plans``. Unpacks as ``(planned, problems)``."""

    planned: pd.DataFrame
    problems: pd.DataFrame
    plans_read: int
    rejected_plans: int
    cohort_problems: pd.DataFrame
    def __init__(
        self,
        planned: pd.DataFrame,
        problems: pd.DataFrame,
        plans_read: int,
        rejected_plans: int,
        cohort_problems: pd.DataFrame,
    ) -> None: ...
    def __iter__(self) -> Iterator[pd.DataFrame]: ...

def transition(
    data: Data,
    plans: PlansLike,
    framework: FrameworkLike = None,
    *,
    strict: bool = False,
    sheet: Optional[str] = None,
) -> TransitionResult:
    """Transition plans (§11) against the cohort: one flat row per accepted plan, problems for the rest.
    ``plans``: a .csv/.jsonl path, a DataFrame with the plan CSV columns, or dicts."""

class Comparison(dict[str, Any]):
    """The §14 comparison dict of ``vsend compare``: ``reference`` and ``rows``; a row's
    ``suppression`` is None (exact) or ``{"min_count": K, "round_to": B}`` (shared, rounded)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per summary × domain: ``label``, ``as_of``, ``min_count``, ``round_to``,
        ``children``, ``domain``, figures and ``diff_``s."""

def compare(summaries: Iterable[SummaryLike], labels: Optional[Sequence[str]] = None) -> Comparison:
    """Cohort summaries compared (§14), exact or shared, the first the reference. Paths are
    labelled by file stem, dicts ``"0"``, ``"1"``, … unless ``labels`` are given; raises
    VsendError for anything vsend cohort could not have written, two labels alike or different
    frameworks."""
