"""Data quality: can the numbers behind a KPI be trusted? (the reliability pillar).

Per dataset it reports completeness of each column, values that could not be read (with
examples and their spreadsheet rows, from ``parsing.ParseReport``) and duplicate rows. Per
KPI it looks at the columns the KPI uses and the rows it measures (after its filters) and
gives a reliability score from 0 to 100 with the reasons, each a ``Finding`` with the
points it cost. ``add_reliability`` puts the scores beside an evaluated summary.

Scoring rules (start at 100, subtract each penalty, never below 0):
- **no data** — no row of the KPI has a date: 100 (score 0).
- **missing column** — a column the KPI uses is not in the data: 50.
- **completeness** — the worst used column is ``c`` complete (empty cells, not counting
  values that could not be read): ``ceil(50 × (1 − c))``, at most 30.
- **unreadable values** — per used column with a share ``f`` of its filled cells that
  could not be read: ``5 + ceil(100 × f)``; together at most 30.
- **Excel errors** — per used column with a share ``e`` of error values (#DIV/0!…):
  ``5 + ceil(100 × e)``; together at most 20.
- **duplicate rows** — a share ``d`` of the dataset's rows repeats an earlier row in every
  column: ``5 + ceil(100 × d)``, at most 15 (identical rows can be genuine, so it counts
  less).
- **outliers** — ``n`` values of the KPI's measure columns have a robust z-score above 3.5
  (``0.6745 × (x − median) / MAD``; with a MAD of 0 the mean absolute deviation × 1.2533
  stands in; fewer than 5 values are not judged): ``2 × n``, at most 10.
- **gaps** — ``n`` periods of the KPI's cadence without any row between its first and its
  last period: ``5 × n``, at most 25.
- **stale** — the end of the period of the latest date (on or before as-of) lies more than
  1.5 periods before as-of (a monthly KPI whose data ends in February is stale from
  mid-April on): 20.
- **rows left out** — a formula over several columns left out ``n`` of its ``r`` rows
  because one of its columns was empty there (``with_left_out_rows``, applied by
  ``evaluate``): ``5 + ceil(100 × n / r)``, at most 20.

A score of 80 or more is ``good``; 50 to 79 ``shaky``; below 50 ``poor``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from kpilogic.engine.measures import Reuse, filters_key
from kpilogic.errors import KoersError
from kpilogic.scorecard.formula import formula_columns
from kpilogic.scorecard.model import KPI, Cadence, Filter, Scorecard
from kpilogic.scorecard.periods import Period, period_keys
from kpilogic.sources.notes import Note, render, row_ranges
from kpilogic.sources.parsing import ParseFailure, ParseReport

Band = Literal["good", "shaky", "poor"]

GOOD = 80
SHAKY = 50
ROBUST_Z = 3.5
MIN_OUTLIER_VALUES = 5
KEPT_OUTLIERS = 50  # outliers listed per column in a KpiQuality (all of them are counted)
STALE_PERIODS = 1.5
CADENCE_DAYS: Mapping[Cadence, float] = {
    "week": 7.0,
    "month": 365.25 / 12,
    "quarter": 365.25 / 4,
    "year": 365.25,
}
_CAPS = {
    "quality.completeness": 30,
    "quality.unreadable": 30,
    "quality.excel_errors": 20,
    "quality.duplicates": 15,
    "quality.outliers": 10,
    "quality.gaps": 25,
}


@dataclass(frozen=True)
class Finding(Note):
    """One reason a KPI's data is less reliable, and the points it cost (``penalty``)."""

    penalty: int = 0


@dataclass(frozen=True)
class Outlier:
    """A value far from the others (robust z-score above 3.5), with its spreadsheet row."""

    row: int
    column: str
    value: float
    robust_z: float


@dataclass(frozen=True)
class ColumnQuality:
    """One column: share filled (``completeness``), empty cells, unreadable and error values."""

    column: str
    completeness: float
    missing: int
    failed: int = 0
    errors: int = 0
    examples: tuple[ParseFailure, ...] = ()
    failed_rows: tuple[int, ...] = ()
    other_notation: int = 0


@dataclass(frozen=True)
class DatasetQuality:
    """A dataset's quality: per column, and the rows repeating an earlier row (row numbers)."""

    dataset_id: str
    rows: int
    columns: Mapping[str, ColumnQuality]
    duplicate_rows: tuple[int, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class KpiQuality:
    """A KPI's reliability ``score`` (0–100) with the ``findings`` that explain it."""

    kpi_id: str
    score: int
    findings: tuple[Finding, ...]
    outliers: tuple[Outlier, ...] = ()
    missing_periods: tuple[str, ...] = ()
    first: date | None = None
    latest: date | None = None
    stale: bool = False

    @property
    def band(self) -> Band:
        """``good`` (80+), ``shaky`` (50–79) or ``poor`` (below 50)."""
        return reliability_band(self.score)


@dataclass(frozen=True)
class QualityReport:
    """Quality of every dataset and every KPI of a scorecard."""

    datasets: Mapping[str, DatasetQuality]
    kpis: Mapping[str, KpiQuality]

    @property
    def scores(self) -> dict[str, int]:
        """Reliability score by KPI id."""
        return {kpi_id: q.score for kpi_id, q in self.kpis.items()}


def reliability_band(score: int) -> Band:
    """``good`` for 80 and above, ``shaky`` for 50 to 79, ``poor`` below 50."""
    if score >= GOOD:
        return "good"
    return "shaky" if score >= SHAKY else "poor"


# -- the checks ------------------------------------------------------------------------------


def _rows(n: int, rows: Sequence[int] | None) -> list[int]:
    return list(range(2, n + 2)) if rows is None or len(rows) != n else list(rows)


def completeness(df: pd.DataFrame, columns: Sequence[str] | None = None) -> dict[str, float]:
    """Share of non-empty cells per column (1.0 for an empty table)."""
    out: dict[str, float] = {}
    for column in df.columns if columns is None else columns:
        if column not in df.columns:
            continue
        values = df[column]
        filled = values.notna()
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            filled &= values.astype(str).str.strip().ne("")
        out[str(column)] = float(filled.mean()) if len(values) else 1.0
    return out


def duplicate_rows(df: pd.DataFrame, rows: Sequence[int] | None = None) -> tuple[int, ...]:
    """Spreadsheet rows that repeat an earlier row in every column."""
    if df.empty:
        return ()
    repeated = _repeated(df)
    if not repeated.any():
        return ()
    numbers = _rows(len(df), rows)
    return tuple(numbers[p] for p in np.flatnonzero(repeated).tolist())


def _repeated(df: pd.DataFrame) -> np.ndarray:
    """``df.duplicated(keep="first")``: rows that repeat an earlier row in every column.

    Only rows whose number, date and true/false cells all equal another row's can repeat
    one, so those (found by one hash of those cells per row, where equal cells hash
    alike) are the only rows compared in every column: at most a few, rather than every
    column of every row."""
    cheap = [
        name
        for name, dtype in df.dtypes.items()
        if dtype.kind in "fiub" or (dtype.kind == "M" and getattr(dtype, "tz", None) is None)
    ]
    text = [name for name, dtype in df.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    if not cheap or len(cheap) == df.shape[1] or len(cheap) + len(text) != df.shape[1]:
        return _duplicated(df)  # (a column of Python objects may not hash: as it always was)
    hashed = np.zeros(len(df), dtype="uint64")
    for name in cheap:
        values = df[name].to_numpy()
        if values.dtype.kind == "f":
            # Every NaN alike and -0.0 as 0.0: pandas holds them equal.
            values = np.where(np.isnan(values), np.nan, values + 0.0).astype("float64")
        bits = np.ascontiguousarray(values).view(f"u{values.dtype.itemsize}").astype("uint64")
        hashed = (hashed * np.uint64(0x100000001B3)) ^ (bits * np.uint64(0x9E3779B97F4A7C15))
    candidates = np.flatnonzero(pd.Series(hashed).duplicated(keep=False).to_numpy())
    repeated = np.zeros(len(df), dtype=bool)
    if len(candidates):
        repeated[candidates] = _duplicated(df.take(candidates))
    return repeated


def _duplicated(df: pd.DataFrame) -> np.ndarray:
    try:
        # Typed columns hash as they are (NaN equals NaN, as in the text form).
        return np.asarray(df.duplicated(keep="first").to_numpy(), dtype=bool)
    except TypeError:  # a column of cells pandas cannot hash (raw, mixed)
        return np.asarray(df.astype(str).duplicated(keep="first").to_numpy(), dtype=bool)


def robust_z(values: pd.Series) -> pd.Series:
    """The robust z-score of each value: ``0.6745 × (x − median) / MAD``.

    With a MAD of 0 the mean absolute deviation × 1.2533 stands in; when that is 0 too,
    every score is 0. Empty values stay empty.
    """
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    array = numbers.to_numpy()
    present = array[~np.isnan(array)]
    if not present.size:
        return pd.Series(np.nan, index=values.index, dtype="float64")
    # numpy's median straight away: pandas' median of these values is this very call.
    median = float(np.median(present))
    deviation = np.abs(present - median)
    mad = float(np.median(deviation))
    if mad > 0:
        scale = mad / 0.6745
    else:
        mean_ad = float(pd.Series(deviation).mean())
        scale = mean_ad * 1.2533
    if scale == 0 or not math.isfinite(scale):
        return numbers.where(numbers.isna(), 0.0)
    return (numbers - median) / scale


def outliers(
    values: pd.Series,
    rows: Sequence[int] | None = None,
    threshold: float = ROBUST_Z,
    limit: int | None = None,
) -> list[Outlier]:
    """Values whose robust z-score is above ``threshold`` (5 values needed to judge), in
    row order; the first ``limit`` of them when a limit is given (``outlier_count`` counts
    them all)."""
    flagged, scores = _flagged(values, threshold)
    return _listed(values, rows, flagged if limit is None else flagged[:limit], scores)


def _listed(
    values: pd.Series, rows: Sequence[int] | None, flagged: np.ndarray, scores: np.ndarray
) -> list[Outlier]:
    if not len(flagged):
        return []
    numbers = _rows(len(values), rows)
    raw = values.to_numpy()
    return [
        Outlier(numbers[p], str(values.name), float(raw[p]), round(float(scores[p]), 2))
        for p in flagged.tolist()
    ]


def outlier_count(values: pd.Series, threshold: float = ROBUST_Z) -> int:
    """How many values ``outliers`` would list."""
    return len(_flagged(values, threshold)[0])


def _flagged(values: pd.Series, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    if int(values.notna().sum()) < MIN_OUTLIER_VALUES:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    scores = robust_z(values).to_numpy(dtype="float64")
    return np.flatnonzero(np.abs(np.nan_to_num(scores, nan=0.0)) > threshold), scores


def missing_periods(dates: pd.Series, cadence: Cadence, fiscal_start: int = 1) -> list[Period]:
    """Periods of ``cadence`` without any date, between the first and the last period."""
    keys = period_keys(dates, cadence, fiscal_start).dropna()
    return _gaps(keys.to_numpy(dtype="int64"), cadence, fiscal_start)


def _gaps(keys: np.ndarray, cadence: Cadence, fiscal_start: int) -> list[Period]:
    if not len(keys):
        return []
    present = set(np.unique(keys).tolist())
    first, last = min(present), max(present)
    return [Period(cadence, k, fiscal_start) for k in range(first, last + 1) if k not in present]


def is_stale(latest: date, cadence: Cadence, as_of: date, fiscal_start: int = 1) -> bool:
    """Whether the period holding ``latest`` ended more than 1.5 periods before ``as_of``."""
    end = Period.containing(latest, cadence, fiscal_start).end
    return (as_of - end).days > STALE_PERIODS * CADENCE_DAYS[cadence]


# -- datasets --------------------------------------------------------------------------------


def assess_dataset(
    df: pd.DataFrame,
    *,
    dataset_id: str = "",
    report: ParseReport | None = None,
    rows: Sequence[int] | None = None,
    left_out: Sequence[tuple[str, Sequence[int]]] = (),
) -> DatasetQuality:
    """Completeness, unreadable values (from ``report``) and duplicate rows of a dataset.

    ``rows`` gives each row's spreadsheet row number (default: row 2 onward). ``left_out``
    (``layout.LayoutGuess.left_out``) names the sheet's rows not read as data, by reason;
    each reason becomes a finding that lists every one of its rows (no points off: what
    the layout left out is no flaw of the data, but it is never left out unnamed). Every
    value that could not be read is named with its row (``quality.unreadable_rows``).
    """
    shares = completeness(df)
    columns: dict[str, ColumnQuality] = {}
    for column, share in shares.items():
        parsed = report.get(column) if report is not None else None
        missing = round((1 - share) * len(df))
        columns[column] = ColumnQuality(
            column,
            share,
            missing,
            parsed.failed if parsed else 0,
            parsed.errors if parsed else 0,
            parsed.examples if parsed else (),
            parsed.failed_rows if parsed else (),
            parsed.other_notation if parsed else 0,
        )
    duplicates = duplicate_rows(df, rows)
    findings: list[Finding] = []
    if duplicates:
        findings.append(_duplicates_finding(duplicates, len(df)))
    for quality in columns.values():
        findings.extend(_column_findings(quality, len(df)))
    for why, numbers in left_out or (report.left_out if report is not None else ()):
        findings.append(
            Finding(f"quality.left_out.{why}", {"count": len(numbers), "rows": row_ranges(numbers)})
        )
    for quality in columns.values():
        if quality.failed_rows:
            params = {
                "column": quality.column,
                "count": quality.failed,
                "rows": row_ranges(quality.failed_rows),
            }
            findings.append(Finding("quality.unreadable_rows", params))
        if quality.other_notation:
            findings.append(
                Finding(
                    "quality.other_notation",
                    {"column": quality.column, "count": quality.other_notation},
                )
            )
    return DatasetQuality(dataset_id, len(df), columns, duplicates, tuple(_capped(findings)))


def _duplicates_finding(duplicates: Sequence[int], n: int) -> Finding:
    share = len(duplicates) / n if n else 0.0
    return Finding(
        "quality.duplicates",
        {"count": len(duplicates), "rows": list(duplicates)},
        min(_CAPS["quality.duplicates"], 5 + math.ceil(100 * share)),
    )


def _column_findings(quality: ColumnQuality, n: int) -> list[Finding]:
    """Completeness, unreadable and error findings of one column."""
    out: list[Finding] = []
    blank = max(0, quality.missing - quality.failed - quality.errors)
    if blank and n:
        share = 1 - blank / n
        out.append(
            Finding(
                "quality.completeness",
                {"column": quality.column, "share": share, "missing": blank},
                min(_CAPS["quality.completeness"], math.ceil(50 * (1 - share))),
            )
        )
    filled = n - blank
    if quality.failed and filled:
        share = quality.failed / filled
        out.append(
            Finding(
                "quality.unreadable",
                {
                    "column": quality.column,
                    "count": quality.failed,
                    "examples": [f"{e.value} ({e.row})" for e in quality.examples],
                },
                5 + math.ceil(100 * share),
            )
        )
    if quality.errors and filled:
        share = quality.errors / filled
        out.append(
            Finding(
                "quality.excel_errors",
                {"column": quality.column, "count": quality.errors},
                5 + math.ceil(100 * share),
            )
        )
    return out


def _capped(findings: Sequence[Finding]) -> list[Finding]:
    """The findings with each rule's penalties trimmed so together they stay under its cap."""
    spent: dict[str, int] = {}
    out = []
    for finding in findings:
        cap = _CAPS.get(finding.key)
        penalty = finding.penalty
        if cap is not None:
            penalty = max(0, min(penalty, cap - spent.get(finding.key, 0)))
            spent[finding.key] = spent.get(finding.key, 0) + penalty
        out.append(Finding(finding.key, finding.params, penalty))
    return out


# -- KPIs ------------------------------------------------------------------------------------


def kpi_columns(kpi: KPI) -> tuple[list[str], list[str]]:
    """The columns a KPI uses: (measure columns, other columns: filters, segment, target)."""
    measure = kpi.measure
    if measure.formula:
        measured = sorted(formula_columns(measure.formula))
    else:
        measured = [measure.column] if measure.column else []
    others = [f.column for f in kpi.filters]
    if kpi.segment_column:
        others.append(kpi.segment_column)
    target_column = kpi.target.data_column() if kpi.target is not None else None
    if target_column:
        others.append(target_column)
    return measured, [c for c in dict.fromkeys(others) if c not in measured]


def assess_kpi(
    kpi: KPI,
    df: pd.DataFrame,
    date_column: str,
    *,
    as_of: date | None = None,
    report: ParseReport | None = None,
    rows: Sequence[int] | None = None,
    fiscal_start: int = 1,
    dataset: DatasetQuality | None = None,
    keys: pd.Series | None = None,
    reuse: Reuse | None = None,
) -> KpiQuality:
    """The reliability of ``kpi`` measured on ``df`` (typed; dates in ``date_column``).

    ``as_of`` is the day freshness is judged on (default today); ``report`` the parse
    report of ``df``; ``rows`` each row's spreadsheet row number; ``dataset`` a ready
    ``assess_dataset`` result (computed when None); ``keys`` the period key of each row of
    ``df`` for the KPI's cadence; ``reuse`` (``measures.Reuse``) shares the rows each filter
    keeps, their dates, outliers and gaps with the other KPIs on ``df`` (the checks are the
    same with or without it).
    """
    as_of = date.today() if as_of is None else as_of
    reuse = reuse or Reuse()
    measured, others = kpi_columns(kpi)
    used = list(dict.fromkeys([date_column, *measured, *others]))
    missing_columns = [c for c in used if c not in df.columns]
    if missing_columns:
        finding = Finding("quality.column_missing", {"columns": missing_columns}, 50)
        return KpiQuality(kpi.id, 50, (finding,))
    if dataset is None:
        data = df.reset_index(drop=True)
        dataset = assess_dataset(data, report=report, rows=_rows(len(data), rows))
    findings: list[Finding] = []
    for column in used:
        quality = dataset.columns.get(column)
        if quality is not None:
            findings.extend(_column_findings(quality, dataset.rows))
    findings = _worst_completeness(findings)
    if dataset.duplicate_rows:
        findings.append(_duplicates_finding(dataset.duplicate_rows, dataset.rows))
    filters = kpi.filters
    try:
        reuse.mask(df, filters, kpi.dataset_id)
    except KoersError:
        filters = []  # a filter that cannot be applied: every row is looked at
    rows_kept = _kept(reuse, df, date_column, filters)
    if rows_kept.valid.empty:
        finding = Finding("quality.no_data", {}, 100)
        return KpiQuality(kpi.id, 0, (*_capped(findings), finding))
    found_outliers: list[Outlier] = []
    flagged = 0
    for column in measured:
        values = df[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        ):
            count, listed = rows_kept.flagged(column)
            flagged += count
            found_outliers.extend(
                # Only the kept examples need their spreadsheet row.
                Outlier(_row_number(rows, len(df), position), column, value, score)
                for position, value, score in listed
            )
    if flagged:
        findings.append(
            Finding(
                "quality.outliers",
                {
                    "count": flagged,
                    # (column, value, row): the value is written in the reader's notation
                    # when shown (notes.render), "Omzet 600,07 (50)" in Dutch.
                    "examples": [(o.column, o.value, o.row) for o in found_outliers[:5]],
                },
                2 * flagged,
            )
        )
    gaps = rows_kept.gaps(
        keys if keys is not None and len(keys) == len(df) else None,
        kpi.cadence,
        fiscal_start,
        reuse,
    )
    if gaps:
        findings.append(
            Finding(
                "quality.gaps",
                {"count": len(gaps), "periods": [p.label for p in gaps]},
                5 * len(gaps),
            )
        )
    first, latest = rows_kept.first_and_latest(as_of)
    stale = is_stale(latest, kpi.cadence, as_of, fiscal_start)
    if stale:
        findings.append(
            Finding(
                "quality.stale",
                {
                    "latest": latest,
                    "as_of": as_of,
                    "period": Period.containing(latest, kpi.cadence, fiscal_start).label,
                },
                20,
            )
        )
    final = _capped(findings)
    score = max(0, 100 - sum(f.penalty for f in final))
    return KpiQuality(
        kpi.id,
        score,
        tuple(final),
        tuple(found_outliers),
        tuple(p.label for p in gaps),
        first,
        latest,
        stale,
    )


def _row_number(rows: Sequence[int] | None, n: int, position: int) -> int:
    """The spreadsheet row of the row at ``position`` (``_rows`` for one row)."""
    return position + 2 if rows is None or len(rows) != n else int(rows[position])


def _kept(reuse: Reuse, df: pd.DataFrame, date_column: str, filters: Sequence[Filter]) -> _Kept:
    """The rows of ``df`` the filters keep, as the quality checks look at them (shared by
    the KPIs with the same filters)."""
    mask = reuse.mask(df, filters, "")
    return reuse.get(
        df, ("quality", date_column, filters_key(filters)), lambda: _Kept(df, date_column, mask)
    )


class _Kept:
    """What the checks of every KPI with the same filters on one table have in common:
    the rows kept, their dates, each measured column's outliers and the gaps per cadence."""

    def __init__(self, df: pd.DataFrame, date_column: str, mask: np.ndarray | None) -> None:
        self.df = df
        self.positions = np.arange(len(df)) if mask is None else np.flatnonzero(mask)
        dates = df[date_column]
        if mask is not None:
            dates = dates.take(self.positions)
        # Read as dates on the kept rows only: a text column's format is guessed from them.
        self.dates = pd.to_datetime(dates, errors="coerce")
        self.valid = self.dates.dropna()
        self._flagged: dict[str, tuple[int, list[tuple[int, float, float]]]] = {}
        self._gaps: dict[tuple[int | None, Cadence, int], list[Period]] = {}
        self._latest: dict[date, tuple[date, date]] = {}
        self._held: dict[int, pd.Series] = {}

    def flagged(self, column: str) -> tuple[int, list[tuple[int, float, float]]]:
        """How many kept values of ``column`` are outliers, and the first ``KEPT_OUTLIERS``
        of them as (position in the table, value, robust z rounded to 2 decimals)."""
        if column not in self._flagged:
            values = self.df[column].take(self.positions)
            at, scores = _flagged(values, ROBUST_Z)
            raw = values.to_numpy()
            listed = [
                (int(self.positions[p]), float(raw[p]), round(float(scores[p]), 2))
                for p in at[:KEPT_OUTLIERS].tolist()
            ]
            self._flagged[column] = (len(at), listed)
        return self._flagged[column]

    def gaps(
        self, keys: pd.Series | None, cadence: Cadence, fiscal_start: int, reuse: Reuse
    ) -> list[Period]:
        """Periods without a kept row between the first and the last (``keys``: the period
        key of every row of the table, worked out once for all its KPIs)."""
        key = (None if keys is None else id(keys), cadence, fiscal_start)
        if key not in self._gaps:
            if keys is not None:
                self._held[id(keys)] = keys  # its identity is in the key: keep it alive
                at = self.positions[self.dates.notna().to_numpy()]
                every = reuse.get(
                    self.df,
                    ("keys as numbers", reuse.hold(keys)),
                    lambda: keys.to_numpy(dtype="float64", na_value=np.nan),
                )
                known = every[at]
                found = _gaps(known[~np.isnan(known)].astype("int64"), cadence, fiscal_start)
            else:
                found = missing_periods(self.valid, cadence, fiscal_start)
            self._gaps[key] = found
        return self._gaps[key]

    def first_and_latest(self, as_of: date) -> tuple[date, date]:
        """The first date, and the latest on or before ``as_of`` (the latest at all when
        every date is later)."""
        if as_of not in self._latest:
            valid = self.valid
            first = valid.min().date()
            up_to = valid[valid <= pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.Timedelta(1)]
            latest = (up_to.max() if not up_to.empty else valid.max()).date()
            self._latest[as_of] = (first, latest)
        return self._latest[as_of]


def _worst_completeness(findings: list[Finding]) -> list[Finding]:
    """Only the least complete column's completeness finding counts (the rule's cap)."""
    complete = [f for f in findings if f.key == "quality.completeness"]
    if len(complete) <= 1:
        return findings
    worst = min(complete, key=lambda f: float(f.params["share"]))
    columns = [str(f.params["column"]) for f in complete]
    merged = Finding("quality.completeness", {**worst.params, "columns": columns}, worst.penalty)
    rest = [f for f in findings if f.key != "quality.completeness"]
    return [merged, *rest]


def recall(memo: MutableMapping[str, Any] | None, key: str | None) -> Any:
    """``memo[key]`` moved to the end (most recently used), or None. One ``pop`` does the
    lookup, so a memo shared by threads that lock each operation stays consistent."""
    if memo is None or key is None:
        return None
    value = memo.pop(key, None)
    if value is not None:
        memo[key] = value
    return value


def assess_scorecard(
    scorecard: Scorecard,
    datasets: Mapping[str, pd.DataFrame],
    *,
    as_of: date | None = None,
    reports: Mapping[str, ParseReport] | None = None,
    rows: Mapping[str, Sequence[int]] | None = None,
    memo: MutableMapping[str, Any] | None = None,
    keys: Mapping[str, str | None] | None = None,
    dataset_keys: Mapping[str, str | None] | None = None,
    period_keys_of: Callable[[str, Cadence], pd.Series | None] | None = None,
    reuse: Reuse | None = None,
) -> QualityReport:
    """Quality of every dataset (by id) and every KPI of ``scorecard``.

    A KPI whose dataset is not in ``datasets`` gets the ``quality.no_data`` finding. With a
    ``memo`` and ``keys`` (KPI id → a key for everything its check depends on, as
    ``evaluate.evaluate_scorecard`` makes them) a KPI checked before under the same key is
    taken from the memo; ``dataset_keys`` does the same for the datasets.
    ``period_keys_of(dataset id, cadence)`` may give the period key of each row of a
    dataset, worked out already (``evaluate.Shared``); ``reuse`` (``measures.Reuse``) the
    work on the datasets shared with their measures.
    """
    reuse = reuse or Reuse()
    reports = reports or {}
    rows = rows or {}
    keys = keys or {}
    dataset_keys = dataset_keys or {}
    dataset_quality: dict[str, DatasetQuality] = {}

    def dataset_of(dataset_id: str) -> DatasetQuality:
        if dataset_id not in dataset_quality:
            key = dataset_keys.get(dataset_id)
            found = recall(memo, key)
            if found is not None:
                dataset_quality[dataset_id] = found
            else:
                dataset_quality[dataset_id] = assess_dataset(
                    datasets[dataset_id],
                    dataset_id=dataset_id,
                    report=reports.get(dataset_id),
                    rows=rows.get(dataset_id),
                )
            if memo is not None and key is not None:
                memo[key] = dataset_quality[dataset_id]  # most recently used last
        return dataset_quality[dataset_id]

    kpis: dict[str, KpiQuality] = {}
    for kpi in scorecard.kpis:
        if kpi.dataset_id not in datasets:
            kpis[kpi.id] = KpiQuality(kpi.id, 0, (Finding("quality.no_data", {}, 100),))
            continue
        key = keys.get(kpi.id)
        found = recall(memo, key)
        if found is not None:
            kpis[kpi.id] = found
            continue
        kpis[kpi.id] = assess_kpi(
            kpi,
            datasets[kpi.dataset_id],
            scorecard.dataset(kpi.dataset_id).date_column,
            as_of=as_of,
            report=reports.get(kpi.dataset_id),
            rows=rows.get(kpi.dataset_id),
            fiscal_start=scorecard.fiscal_year_start_month,
            dataset=dataset_of(kpi.dataset_id),
            keys=period_keys_of(kpi.dataset_id, kpi.cadence) if period_keys_of else None,
            reuse=reuse,
        )
        if memo is not None and key is not None:
            memo[key] = kpis[kpi.id]
    for dataset in scorecard.datasets:
        if dataset.id in datasets:
            dataset_of(dataset.id)
    return QualityReport(dataset_quality, kpis)


# -- telling the user ------------------------------------------------------------------------

SHAKY_MARK = 70  # below this score a KPI is marked as resting on shaky data
TOP_REASONS = 3


def shaky_warning(quality: KpiQuality | None, lang: str, mark: int = SHAKY_MARK) -> str | None:
    """The warning for a KPI whose score is below ``mark``, with the top reasons, such as
    "Shaky data (score 55): 12 value(s) in … could not be read"; None on sound data."""
    if quality is None or quality.score >= mark:
        return None
    reasons = sorted((f for f in quality.findings if f.penalty), key=lambda f: -f.penalty)
    if not reasons:
        reasons = list(quality.findings)
    texts = [f.message(lang) for f in reasons[:TOP_REASONS]]
    first = texts[0] if texts else "–"
    line = render("reliability.shaky", {"score": quality.score, "reason": first}, lang)
    if len(texts) > 1:
        line += "  \n" + render("reliability.more", {"reasons": " ".join(texts[1:])}, lang)
    return line


# -- into the evaluation ---------------------------------------------------------------------


def reliability_column(frame: pd.DataFrame, scores: Mapping[str, int]) -> pd.Series:
    """The reliability score of each row's ``kpi_id`` (Int64; empty for unknown KPIs)."""
    values = [scores.get(str(k)) for k in frame["kpi_id"]]
    return pd.Series(pd.array(values, dtype="Int64"), index=frame.index, name="reliability")


def add_reliability(frame: pd.DataFrame, scores: Mapping[str, int]) -> pd.DataFrame:
    """A copy of an evaluated detail or summary frame with a ``reliability`` column."""
    out = frame.copy()
    out["reliability"] = reliability_column(frame, scores)
    return out


# -- rows a formula left out (issue 12, evaluation) -------------------------------------------

LEFT_OUT_CAP = 20


def with_left_out_rows(
    quality: KpiQuality,
    left_out: int,
    rows: int,
    columns: Sequence[str],
    periods: Sequence[str] = (),
) -> KpiQuality:
    """``quality`` with the finding ``quality.left_out``: a formula over several columns
    left out ``left_out`` of ``rows`` rows because one of ``columns`` was empty there.
    It costs ``5 + ceil(100 × left_out / rows)`` points, at most 20."""
    if left_out <= 0:
        return quality
    share = left_out / rows if rows else 1.0
    penalty = min(LEFT_OUT_CAP, 5 + math.ceil(100 * share))
    finding = Finding(
        "quality.left_out",
        {"count": left_out, "columns": ", ".join(columns), "periods": ", ".join(periods)},
        penalty,
    )
    findings = (*quality.findings, finding)
    score = max(0, 100 - sum(f.penalty for f in findings))
    return replace(quality, score=score, findings=findings)


__all__ = [
    "GOOD",
    "ROBUST_Z",
    "SHAKY",
    "SHAKY_MARK",
    "Band",
    "ColumnQuality",
    "DatasetQuality",
    "Finding",
    "KpiQuality",
    "Outlier",
    "QualityReport",
    "add_reliability",
    "assess_dataset",
    "assess_kpi",
    "assess_scorecard",
    "completeness",
    "duplicate_rows",
    "is_stale",
    "kpi_columns",
    "missing_periods",
    "outliers",
    "recall",
    "reliability_band",
    "reliability_column",
    "robust_z",
    "shaky_warning",
    "with_left_out_rows",
]
