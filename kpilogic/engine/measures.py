"""A KPI's value per period: row filters, aggregations and safe formulas over them.

A measure is either one aggregation over a column (``sum`` of Sales) or a formula that
combines aggregations with numbers and ``+ - * /``, such as ``sum(Profit) / sum(Sales) * 100``.
Formulas are read by a small whitelist parser (never ``eval``): anything but numbers,
operators, parentheses and the known aggregations is a ``FormulaError`` that says what is
wrong and where. Evaluation is vectorised: the period key of every row is computed once, each
aggregation is one pandas groupby, and the per-period results are combined arithmetically.
Measures over the same table can share their work (``Reuse``): each filter's rows, columns
read as numbers or text, and the rows of one choice of filters grouped by period, with every
aggregation asked of them — the values are the same with or without it.

Conventions, pinned by the tests:
- a value that is undefined is NaN: division by zero, or an aggregation over a period
  whose column has no numeric values (also ``sum``: an all-empty column is "no value", not 0);
- ``count(Col)`` counts non-empty values of Col, ``count()`` counts rows;
- ``last(Col)`` is Col on the row with the latest date (ties: the later row in the file);
- numeric aggregations read text as numbers where it is one, and ignore it otherwise;
- a formula over two or more columns uses only *complete rows*: a row enters its
  aggregations only when every column the formula reads has a value there (a number for
  ``sum``/``mean``/…, any non-empty cell for ``count``/``count_distinct``), so a row with
  Omzet but no Kosten cannot count its Omzet in ``(sum(Omzet) - sum(Kosten)) / sum(Omzet)``.
  This holds when the columns are filled together (all of them on at least half of the
  measured rows that have any of them); columns filled on different rows, such as a daily
  Visits beside order lines, are each aggregated over their own cells.
  ``incomplete_rows_per_period`` counts the rows left out, per period. One aggregation of
  one column keeps ignoring empty cells, as Excel does.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from kpilogic.errors import DataError, FormulaError
from kpilogic.scorecard.formula import (
    Call,
    Expr,
    Negate,
    Number,
    Operator,
    formula_calls,
    parse_formula,
)
from kpilogic.scorecard.model import Aggregation, Cadence, Filter, Measure
from kpilogic.scorecard.periods import period_keys

OUTPUT_COLUMNS: tuple[str, ...] = ("key", "segment", "value", "rows")
_NUMERIC: frozenset[Aggregation] = frozenset({"sum", "mean", "median", "min", "max", "last"})


def _require(df: pd.DataFrame, column: str, dataset: str) -> None:
    if column not in df.columns:
        raise DataError("error.data.column_missing", column=column, dataset=dataset)


def _as_text(value: object) -> str:
    """A filter value as text: 2026.0 reads as '2026', like the cell it was typed in."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _is_date_only(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value) is not None


def _compare(series: pd.Series, op: str, value: Any) -> np.ndarray:
    """Rows where ``series op value`` holds, as a boolean array (empty cells never match)."""
    if op == "eq":
        result = series == value
    elif op == "gt":
        result = series > value
    elif op == "ge":
        result = series >= value
    elif op == "lt":
        result = series < value
    else:
        result = series <= value
    return np.asarray(result.fillna(False), dtype=bool)


def _filter_mask(
    df: pd.DataFrame,
    flt: Filter,
    dataset: str,
    text_of: Callable[[str], pd.Series] | None = None,
) -> np.ndarray:
    """The rows ``flt`` keeps. ``ne`` and ``not_in`` keep empty cells (as Excel's filter
    does); the other operators never match an empty cell. ``text_of(column)`` may give a
    text column stripped already (``_text``)."""
    _require(df, flt.column, dataset)
    col = df[flt.column]
    if flt.op in ("ne", "not_in"):
        positive = Filter(column=flt.column, op="eq" if flt.op == "ne" else "in", value=flt.value)
        return ~_filter_mask(df, positive, dataset, text_of)
    values = flt.value if isinstance(flt.value, list) else [flt.value]
    op = "eq" if flt.op == "in" else flt.op

    if pd.api.types.is_datetime64_any_dtype(col):
        if col.dt.tz is not None:
            col = col.dt.tz_localize(None)
        mask = np.zeros(len(col), dtype=bool)
        for v in values:
            when = pd.to_datetime(_as_text(v), errors="coerce")
            if pd.isna(when):
                raise DataError(
                    "error.filter.not_a_date", column=flt.column, value=_as_text(v), dataset=dataset
                )
            # A value without a time of day compares with each row's day.
            side = col.dt.normalize() if _is_date_only(v) else col
            mask |= _compare(side, op, when)
        return mask

    numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    if numeric:
        mask = np.zeros(len(col), dtype=bool)
        for v in values:
            number = _as_number(v)
            if number is None:
                if op != "eq":
                    raise DataError(
                        "error.filter.not_a_number",
                        column=flt.column,
                        value=_as_text(v),
                        dataset=dataset,
                    )
                continue  # text never equals a number
            mask |= _compare(col, op, number)
        return mask

    text = _text(col) if text_of is None else text_of(flt.column)
    if op == "eq":
        return np.asarray(text.isin([_as_text(v) for v in values]).fillna(False), dtype=bool)
    # Ordering on a text column: numerically when both sides are numbers ("12" < "100").
    number = _as_number(values[0])
    as_numbers = pd.to_numeric(text, errors="coerce")
    if number is not None and as_numbers.notna().sum() == text.notna().sum():
        return _compare(as_numbers, op, number)
    return _compare(text, op, _as_text(values[0]))


def _mask(
    df: pd.DataFrame, filters: Sequence[Filter], dataset: str, reuse: Reuse | None = None
) -> np.ndarray | None:
    if reuse is not None:
        return reuse.mask(df, filters, dataset)
    mask: np.ndarray | None = None
    for flt in filters:
        keep = _filter_mask(df, flt, dataset)
        mask = keep if mask is None else mask & keep
    return mask


def apply_filters(
    df: pd.DataFrame, filters: Sequence[Filter], *, dataset: str = ""
) -> pd.DataFrame:
    """The rows of ``df`` that pass every filter (all must hold).

    Numbers compare as numbers (also when the filter value is text such as ``"100"``), text
    compares as text with surrounding spaces ignored, dates compare as dates (a value such as
    ``"2026-03-31"`` compares with each row's day). ``ne`` and ``not_in`` keep empty cells.

    Raises:
        DataError: ``error.data.column_missing`` for a filter on a column ``df`` lacks;
            ``error.filter.not_a_number`` / ``error.filter.not_a_date`` for a value that
            cannot be compared with the column.
    """
    mask = _mask(df, filters, dataset)
    return df if mask is None else df[mask]


# -- evaluation ----------------------------------------------------------------------------
Value = pd.Series | float


def _arith(op: Operator, left: Value, right: Value) -> Value:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    # Division by zero has no value (NaN), never an error or infinity.
    if isinstance(right, pd.Series):
        return left / right.where(right != 0)
    if right == 0:
        return math.nan
    return left / right


def _combine(expr: Expr, results: dict[Call, pd.Series]) -> Value:
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Call):
        return results[expr]
    if isinstance(expr, Negate):
        return -_combine(expr.operand, results)
    return _arith(expr.op, _combine(expr.left, results), _combine(expr.right, results))


def _numbers(series: pd.Series) -> pd.Series:
    """A column as float64: text that reads as a number counts, anything else is NaN."""
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        return pd.Series(np.nan, index=series.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(series):
        return series.astype("float64")
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _text(series: pd.Series) -> pd.Series:
    """A column as text with surrounding spaces left out, as filters and segments read it."""
    return series.astype("string").str.strip()


def _segments(series: pd.Series, text_of: Callable[[], pd.Series] | None = None) -> pd.Series:
    """Segment labels as text; 2026.0 reads as '2026'. Empty labels become <NA>.
    ``text_of()`` may give ``_text(series)``, worked out already."""
    if pd.api.types.is_float_dtype(series):
        floats = series.astype("float64")
        whole = floats.dropna()
        if (whole == np.floor(whole)).all():
            return floats.astype("Int64").astype("string")
    text = _text(series) if text_of is None else text_of()
    return text.mask(text == "")


def _to_dates(series: pd.Series) -> pd.Series:
    """Dates that are not datetime64 yet: ISO text first, then any other shape day-first
    (a Dutch 05-03-2026 is 5 March). What cannot be read becomes NaT."""
    dates = pd.to_datetime(series, errors="coerce", format="ISO8601")
    rest = dates.isna() & series.notna()
    if rest.any():
        dates[rest] = pd.to_datetime(
            series[rest].astype("string"), errors="coerce", format="mixed", dayfirst=True
        )
    return dates


def _expression(measure: Measure) -> Expr:
    if measure.formula:
        return parse_formula(measure.formula)
    assert measure.aggregation is not None  # guaranteed by Measure's validation
    return Call(measure.aggregation, measure.column, 1)


def _check_columns(expr: Expr, df: pd.DataFrame, formula: str | None, dataset: str) -> list[Call]:
    calls = list(dict.fromkeys(formula_calls(expr)))  # distinct, in order
    for call in calls:
        if call.column is None or call.column in df.columns:
            continue
        if formula is None:
            raise DataError("error.data.column_missing", column=call.column, dataset=dataset)
        names = [str(c) for c in df.columns]
        close = difflib.get_close_matches(call.column, names, n=3)
        raise FormulaError(
            "error.formula.unknown_column",
            formula=formula,
            column=call.column,
            dataset=dataset,
            position=call.position,
            columns=", ".join(close or names[:10]),
            detail=f"column {call.column!r} (position {call.position}) is not in the data",
        )
    return calls


def _present(values: pd.Series, raw: pd.Series, numeric: bool) -> np.ndarray:
    """Rows where a formula's use of a column has a value (a number, or a non-empty cell);
    ``values`` is the column as the formula reads it, ``raw`` as it is in the table."""
    if numeric:
        return values.notna().to_numpy()
    filled = raw.notna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        filled &= raw.astype("string").str.strip().ne("").fillna(False)
    return np.asarray(filled, dtype=bool)


def _measure(
    df: pd.DataFrame,
    expr: Expr,
    formula: str | None,
    *,
    date_column: str | None,
    cadence: Cadence | None,
    fiscal_start: int,
    filters: Sequence[Filter],
    segment_column: str | None,
    dataset: str,
    keys: pd.Series | None = None,
    incomplete: bool = False,
    reuse: Reuse | None = None,
) -> pd.DataFrame:
    """The shared engine: ``expr`` per group of (period key, segment).

    Without a ``cadence`` every row falls in one group with key 0 (the total). A formula
    over two or more columns keeps only its complete rows (see the module's conventions).
    With ``incomplete`` it returns, instead of the values, the rows the formula left out
    that had some but not all of its columns: ``key``, (``segment``,) ``rows`` and
    ``missing`` (the formula's columns empty in at least one of them, in formula order).
    ``reuse`` keeps what other measures over the same ``df`` (and ``keys``) can use again.
    """
    calls = _check_columns(expr, df, formula, dataset)
    if date_column is not None:
        _require(df, date_column, dataset)
    if segment_column is not None:
        _require(df, segment_column, dataset)
    mask = _mask(df, filters, dataset, reuse)
    work = reuse or Reuse()  # without a caller's reuse, nothing outlives this call

    # Only the columns the measure reads are looked at (no copy of the whole table).
    dates: pd.Series | None = None
    if date_column is not None:
        dates = work.dates(df, date_column)
    if keys is not None and cadence is not None and date_column is not None:
        # Worked out by the caller for these dates (aligned on the index).
        key_series = keys if keys.index.equals(df.index) else keys.reindex(df.index)
    elif cadence is not None and dates is not None:
        key_series = period_keys(dates, cadence, fiscal_start)
        keys = None  # made here: nothing grouped on it is kept
    else:
        key_series = pd.Series(np.zeros(len(df), dtype="int64"), index=df.index)
        keys = None
    segments = work.segments(df, segment_column) if segment_column is not None else None
    names: dict[tuple[str, bool], pd.Series] = {}
    for call in calls:
        if call.column is None:
            continue
        numeric = call.func in _NUMERIC
        if (call.column, numeric) not in names:
            names[(call.column, numeric)] = (
                work.numbers(df, call.column) if numeric else df[call.column]
            )

    # Complete rows: with two or more columns, a row missing one of them is left out.
    present: dict[str, np.ndarray] = {}
    if formula is not None and len({column for column, _ in names}) >= 2:
        for (column, numeric), values in names.items():
            has = work.present(df, column, numeric, values)
            present[column] = present[column] & has if column in present else has

    by = ["key", *(["segment"] if segments is not None else [])]
    if incomplete and not present:
        return _no_rows((*by, "rows", "missing"))
    keep = np.array(key_series.notna(), dtype=bool)
    if dates is not None:
        keep &= dates.notna().to_numpy()
    if segments is not None:
        keep &= segments.notna().to_numpy()
    if mask is not None:
        keep &= mask
    complete = np.logical_and.reduce(list(present.values())) if present else None
    if complete is not None and not _paired(present, complete, keep):
        # Columns filled on different rows (daily visits beside order lines) are not pairs:
        # each is aggregated over its own cells, as Excel would.
        present, complete = {}, None
    if incomplete:

        def frame() -> pd.DataFrame:
            work = pd.DataFrame({"key": key_series}, index=df.index)
            if segments is not None:
                work["segment"] = segments
            return work

        return _incomplete(frame, keep, present, by)
    completed = None
    if complete is not None:
        kept = keep & complete
        if not np.array_equal(kept, keep):
            completed = tuple(sorted(names))  # the complete rows are fewer than the kept ones
        keep = kept

    columns = [*by, "value", "rows"]
    if not keep.any():
        out = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
        out["value"] = out["value"].astype("float64")
        if segment_column is not None:
            out["segment"] = out["segment"].astype("string")
        return out

    def grouped() -> _Groups:
        coded = work.segment_codes(df, segment_column) if segment_column is not None else None
        return _Groups(_readonly(keep), key_series, coded, dates)

    if keys is None or reuse is None:
        groups = grouped()
    else:
        # The same rows grouped the same way: shared by every measure that keeps them.
        what = (
            "groups",
            reuse.hold(keys),
            date_column,
            segment_column,
            filters_key(filters),
            completed,
        )
        groups = reuse.live(reuse.get(df, what, grouped))
    results: dict[Call, pd.Series] = {}
    for call in calls:
        if call.column is None:
            results[call] = groups.rows.astype("float64")
            continue
        numeric = call.func in _NUMERIC
        values = names[(call.column, numeric)]
        if call.func == "count_distinct" and not pd.api.types.is_numeric_dtype(values.dtype):
            # Distinct text counted as distinct codes: the text is hashed once, not per KPI.
            values = work.codes(df, call.column)
        results[call] = groups.aggregate(call.func, call.column, numeric, values)

    rows = groups.rows
    value = _combine(expr, results)
    if not isinstance(value, pd.Series):
        value = pd.Series(value, index=rows.index, dtype="float64")
    value = value.astype("float64").replace([np.inf, -np.inf], np.nan)
    return groups.table(value.to_numpy())


class _Groups:
    """The measured rows of one choice of rows (filters, segment, complete rows) grouped by
    period key (and segment), with each aggregation asked of them kept: the grouping is
    worked out once however many columns are aggregated over it.

    The grouping itself (several arrays as long as the rows) may be ``release``d while the
    results stay; a later aggregation works it out again from the kept rows' mask."""

    def __init__(
        self,
        keep: np.ndarray,
        keys: pd.Series,
        segments: tuple[np.ndarray, pd.Series] | None,
        dates: pd.Series | None,
    ) -> None:
        self._keep = keep
        self._keys = keys
        self._segments = segments
        self.dates = dates
        self._labels = segments[1] if segments is not None else None
        self._count = max(len(segments[1]), 1) if segments is not None else 1
        self._first = 0
        self._live: tuple[np.ndarray, pd.DataFrame, Any] | None = None
        self.rows: pd.Series = self._grouping()[2].size()
        self._results: dict[tuple[str, str, bool], pd.Series] = {}

    def _grouping(self) -> tuple[np.ndarray, pd.DataFrame, Any]:
        """(positions of the kept rows, their group numbers, the groupby), made when needed."""
        if self._live is None:
            positions = np.flatnonzero(self._keep)
            key = self._keys.iloc[positions].astype("int64").to_numpy()
            group = key
            if self._segments is not None:
                # One number per (period, segment), ordered as the pair is (the segments
                # are numbered in their labels' sorted order, the order grouping on the
                # labels gives): one column of numbers to group, no text hashed again.
                self._first = int(key.min()) if len(key) else 0
                group = (key - self._first) * self._count + self._segments[0][positions]
            frame = pd.DataFrame({"group": group})
            self._live = (positions, frame, frame.groupby(["group"], sort=True, observed=True))
        return self._live

    def release(self) -> None:
        """Let the grouping go (the results stay)."""
        self._live = None

    def table(self, value: np.ndarray) -> pd.DataFrame:
        """``key`` (, ``segment``), ``value`` and ``rows`` of every group, in order."""
        group = self.rows.index.to_numpy().astype("int64")
        rows = self.rows.to_numpy().astype("int64")
        if self._labels is None:
            return pd.DataFrame({"key": group, "value": value, "rows": rows})
        key = group // self._count + self._first
        labels = self._labels.take(group % self._count).reset_index(drop=True)
        return pd.DataFrame(
            {"key": key, "segment": labels.astype("string"), "value": value, "rows": rows}
        )

    def aggregate(self, func: str, column: str, numeric: bool, values: pd.Series) -> pd.Series:
        """``func`` of ``values`` (the whole column) per group, as float64 on ``rows``' index."""
        key = (func, column, numeric)
        if key not in self._results:
            self._results[key] = self._aggregate(func, values)
        return self._results[key]

    def _aggregate(self, func: str, values: pd.Series) -> pd.Series:
        positions, frame, groups = self._grouping()
        taken = values.take(positions).reset_index(drop=True)
        if func == "last":
            # Stable sort: among rows with the same date, file order decides.
            frame = frame.assign(value=taken)
            if self.dates is not None:
                frame["date"] = self.dates.take(positions).reset_index(drop=True)
                frame = frame.sort_values("date", kind="stable")
            result = frame.groupby(["group"], sort=True, observed=True)["value"].last()
            return result.reindex(self.rows.index).astype("float64")
        grouper = getattr(groups, "_grouper", None)
        col = (
            taken.groupby(grouper)
            if grouper is not None
            else taken.groupby(frame["group"], sort=True, observed=True)
        )
        if func == "sum":
            result = col.sum(min_count=1)
        elif func == "mean":
            result = col.mean()
        elif func == "median":
            result = col.median()
        elif func == "min":
            result = col.min()
        elif func == "max":
            result = col.max()
        elif func == "count":
            result = col.count()
        else:
            result = col.nunique()
        return result.reindex(self.rows.index).astype("float64")


T = TypeVar("T")


def _filter_key(flt: Filter) -> tuple[str, str, str]:
    return (flt.column, flt.op, f"{type(flt.value).__name__}:{flt.value!r}")


def filters_key(filters: Sequence[Filter]) -> tuple[tuple[str, str, str], ...]:
    """What the rows ``filters`` keep depend on, as a key (equal keys, equal rows)."""
    return tuple(_filter_key(f) for f in filters)


def _codes(values: pd.Series) -> pd.Series:
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    numbered = codes.astype("float64")
    numbered[codes < 0] = np.nan
    return pd.Series(numbered, index=values.index)


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # shared between measures: nobody may change it
    return array


class Reuse:
    """Work on a table that several measures over it need, done once while one scorecard
    is evaluated: each filter's rows, a column read as numbers or as segment labels, which
    cells of a column are filled, and the rows of a choice of filters grouped by period
    (``_Groups``) with their aggregations.

    Keyed on the identity of the DataFrame (and of the period keys); it keeps a reference to
    every object whose identity it uses, so no other object can take that identity while it
    lives. The frames must not change while it is used (``evaluate_scorecard`` makes one
    per call)."""

    LIVE_GROUPINGS = 4  # groupings kept whole at once (each holds arrays as long as the rows)

    def __init__(self) -> None:
        self._held: dict[int, Any] = {}
        self._made: dict[tuple[Any, ...], Any] = {}
        self._live: dict[int, _Groups] = {}  # most recently used last

    def live(self, groups: _Groups) -> _Groups:
        """``groups``, counted as just used: the groupings used longest ago let go of their
        arrays (their results stay), so memory stays near a few groupings' worth."""
        self._live.pop(id(groups), None)
        self._live[id(groups)] = groups
        while len(self._live) > self.LIVE_GROUPINGS:
            oldest = next(iter(self._live))
            self._live.pop(oldest).release()
        return groups

    def hold(self, thing: object) -> int:
        """The identity of ``thing``, kept alive as long as this object is."""
        self._held.setdefault(id(thing), thing)
        return id(thing)

    def get(self, df: pd.DataFrame, what: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()`` for ``df`` and ``what``, made once."""
        key = (self.hold(df), *what)
        if key not in self._made:
            self._made[key] = make()
        found: T = self._made[key]
        return found

    def mask(self, df: pd.DataFrame, filters: Sequence[Filter], dataset: str) -> np.ndarray | None:
        """The rows of ``df`` every filter keeps (None without filters); read-only."""
        if not filters:
            return None

        def one(flt: Filter) -> np.ndarray:
            return self.get(
                df,
                ("filter", _filter_key(flt)),
                lambda: _readonly(_filter_mask(df, flt, dataset, lambda c: self.text(df, c))),
            )

        def combined() -> np.ndarray:
            mask = one(filters[0])
            for flt in filters[1:]:
                mask = mask & one(flt)
            return mask if len(filters) == 1 else _readonly(mask)

        return self.get(df, ("mask", filters_key(filters)), combined)

    def dates(self, df: pd.DataFrame, column: str) -> pd.Series:
        """``column`` as dates (``_to_dates`` when it is not datetime64 yet)."""
        dates = df[column]
        if pd.api.types.is_datetime64_any_dtype(dates):
            return dates
        return self.get(df, ("dates", column), lambda: _to_dates(dates))

    def numbers(self, df: pd.DataFrame, column: str) -> pd.Series:
        """``column`` as float64 (``_numbers``)."""
        return self.get(df, ("numbers", column), lambda: _numbers(df[column]))

    def codes(self, df: pd.DataFrame, column: str) -> pd.Series:
        """``column``'s values numbered (equal values alike, as ``nunique`` counts them;
        float64, NaN where empty): their distinct count per group is the column's."""
        return self.get(df, ("codes", column), lambda: _codes(df[column]))

    def segments(self, df: pd.DataFrame, column: str) -> pd.Series:
        """``column`` as segment labels (``_segments``)."""
        return self.get(
            df, ("segments", column), lambda: _segments(df[column], lambda: self.text(df, column))
        )

    def segment_codes(self, df: pd.DataFrame, column: str) -> tuple[np.ndarray, pd.Series]:
        """``segments`` numbered in sorted order of the labels (as ``groupby(sort=True)``
        orders them: it numbers them by this very ``factorize``), and the labels."""

        def numbered() -> tuple[np.ndarray, pd.Series]:
            codes, labels = pd.factorize(self.segments(df, column), sort=True)
            return _readonly(codes.astype("int64")), pd.Series(labels)

        return self.get(df, ("segment codes", column), numbered)

    def text(self, df: pd.DataFrame, column: str) -> pd.Series:
        """``column`` as text without surrounding spaces (``_text``)."""
        return self.get(df, ("text", column), lambda: _text(df[column]))

    def present(
        self, df: pd.DataFrame, column: str, numeric: bool, values: pd.Series
    ) -> np.ndarray:
        """Rows where a formula's use of ``column`` has a value (``values``: as it reads it)."""
        return self.get(
            df,
            ("present", column, numeric),
            lambda: _readonly(_present(values, df[column], numeric)),
        )


def _paired(present: Mapping[str, np.ndarray], complete: np.ndarray, keep: np.ndarray) -> bool:
    """Whether a formula's columns are filled together: on at least half of the measured
    rows that have any of them, they have all of them."""
    some = int((np.logical_or.reduce(list(present.values())) & keep).sum())
    return some > 0 and 2 * int((complete & keep).sum()) >= some


def _incomplete(
    work: Callable[[], pd.DataFrame],
    keep: np.ndarray,
    present: Mapping[str, np.ndarray],
    by: list[str],
) -> pd.DataFrame:
    """Per group, the kept rows that have some but not all of the formula's columns
    (``work()``: the rows' ``by`` columns, asked for only when there are such rows)."""
    columns = [*by, "rows", "missing"]
    if not present:
        return _no_rows(tuple(columns))
    stacked = np.vstack(list(present.values()))
    partly = stacked.any(axis=0) & ~stacked.all(axis=0) & keep
    if not partly.any():
        return _no_rows(tuple(columns))
    part = work().loc[partly, by].copy()
    part["key"] = part["key"].astype("int64")
    lacking = {c: ~has[partly] for c, has in present.items()}
    for column, flags in lacking.items():
        part[f"lacks {column}"] = flags
    groups = part.groupby(by, sort=True, observed=True)
    out = groups.size().rename("rows").astype("int64").reset_index()
    flags = groups[[f"lacks {c}" for c in lacking]].any().reset_index(drop=True)
    out["missing"] = [
        ", ".join(c for c in lacking if bool(flags.at[i, f"lacks {c}"])) for i in range(len(out))
    ]
    return out[columns]


@lru_cache(maxsize=16)
def _no_rows_template(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})


def _no_rows(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty frame of int64 ``columns`` (a copy of one made once: every measure without
    left-out rows returns one)."""
    return _no_rows_template(columns).copy()


def incomplete_rows_per_period(
    df: pd.DataFrame,
    measure: Measure,
    *,
    date_column: str,
    cadence: Cadence,
    fiscal_start: int = 1,
    filters: Sequence[Filter] = (),
    segment_column: str | None = None,
    dataset: str = "",
    keys: pd.Series | None = None,
    reuse: Reuse | None = None,
) -> pd.DataFrame:
    """The rows a formula over two or more columns left out because one of its columns was
    empty there, while another had a value: per period (and segment), ``rows`` (how many)
    and ``missing`` (which columns, such as ``"Kosten"``). Empty for any other measure.

    Raises:
        FormulaError, DataError: as ``measure_per_period``.
    """
    return _measure(
        df,
        _expression(measure),
        measure.formula or None,
        date_column=date_column,
        cadence=cadence,
        fiscal_start=fiscal_start,
        filters=filters,
        segment_column=segment_column,
        dataset=dataset,
        keys=keys,
        reuse=reuse,
        incomplete=True,
    )


def measure_per_period(
    df: pd.DataFrame,
    measure: Measure,
    *,
    date_column: str,
    cadence: Cadence,
    fiscal_start: int = 1,
    filters: Sequence[Filter] = (),
    segment_column: str | None = None,
    dataset: str = "",
    keys: pd.Series | None = None,
    reuse: Reuse | None = None,
) -> pd.DataFrame:
    """The measure per period (and per segment) over the rows of ``df`` that pass ``filters``.

    Returns a DataFrame with columns ``key`` (int64, ``Period.key``), ``segment`` (string;
    only with ``segment_column``), ``value`` (float64; NaN when undefined) and ``rows``
    (int64: rows in the period after filtering), one row per period (× segment) that has
    rows, sorted by key then segment. Rows without a date, or without a segment when
    segmenting, are left out. Dates that are not datetime64 yet go through ``pd.to_datetime``.
    ``keys`` may give each row's period key, worked out already; ``reuse`` (a ``Reuse``
    kept by the caller) shares filters, columns and groupings with other measures over the
    same ``df`` and ``keys``: the values are the same with or without it.

    Raises:
        FormulaError: when the formula cannot be parsed or names a column ``df`` lacks.
        DataError: when the date, segment, aggregated or filter column is missing, or a
            filter value cannot be compared with its column.
    """
    return _measure(
        df,
        _expression(measure),
        measure.formula or None,
        date_column=date_column,
        cadence=cadence,
        fiscal_start=fiscal_start,
        filters=filters,
        segment_column=segment_column,
        dataset=dataset,
        keys=keys,
        reuse=reuse,
    )


def aggregate_per_period(
    df: pd.DataFrame,
    aggregation: Aggregation,
    column: str | None,
    *,
    date_column: str,
    cadence: Cadence,
    fiscal_start: int = 1,
    filters: Sequence[Filter] = (),
    segment_column: str | None = None,
    dataset: str = "",
    keys: pd.Series | None = None,
    reuse: Reuse | None = None,
) -> pd.DataFrame:
    """One aggregation of ``column`` per period; the same output as ``measure_per_period``.

    Used for a target column in the data. ``column`` may be None only for ``count`` (rows).

    Raises:
        FormulaError: ``error.formula.missing_column`` when ``column`` is None but needed.
        DataError: as ``measure_per_period``.
    """
    if column is None and aggregation != "count":
        raise FormulaError(
            "error.formula.missing_column",
            formula=f"{aggregation}()",
            name=aggregation,
            position=1,
            detail=f"{aggregation}() needs a column",
        )
    return _measure(
        df,
        Call(aggregation, column, 1),
        None,
        date_column=date_column,
        cadence=cadence,
        fiscal_start=fiscal_start,
        filters=filters,
        segment_column=segment_column,
        dataset=dataset,
        keys=keys,
        reuse=reuse,
    )


def measure_total(
    df: pd.DataFrame,
    measure: Measure,
    *,
    filters: Sequence[Filter] = (),
    dataset: str = "",
    date_column: str | None = None,
) -> float:
    """The measure over all rows that pass ``filters`` (no periods); NaN when undefined.

    ``last`` takes the last row in file order, or, with ``date_column``, the row with the
    latest date (rows without a date are then left out). With no rows at all, counts are 0
    and everything else is NaN.

    Raises:
        FormulaError, DataError: as ``measure_per_period``.
    """
    expr = _expression(measure)
    out = _measure(
        df,
        expr,
        measure.formula or None,
        date_column=date_column,
        cadence=None,
        fiscal_start=1,
        filters=filters,
        segment_column=None,
        dataset=dataset,
    )
    if not out.empty:
        return float(out["value"].iloc[0])
    empty = {c: pd.Series([0.0 if c.func == "count" else math.nan]) for c in formula_calls(expr)}
    value = _combine(expr, empty)
    total = float(value.iloc[0]) if isinstance(value, pd.Series) else float(value)
    return total if math.isfinite(total) else math.nan
