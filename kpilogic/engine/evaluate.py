"""Evaluation: each KPI's actual per period against its target, with status and reason.

This module is the contract of DESIGN.md's "Evaluation semantics". For every KPI and every
period of its cadence it computes the actual, the target, % of target, the gap, the status
(with a machine-readable reason), the partial-period projection, the change against the
previous period and the same period last year, and year-to-date figures; then it rolls the
KPIs up into their goals and forecasts each KPI to its goal's deadline.

Conventions (also in the README):
- ``pct_of_target``, ``change_prev_pct`` and ``change_yoy_pct`` are percentages (92.3 = 92.3%).
- In a partial period of an additive measure, status, ``pct_of_target``, ``gap`` and the
  changes are judged on the run-rate projection (``projected``); ``actual`` stays the actual.
- A range KPI's ``target`` is the middle of its range; ``gap`` is the distance to the nearest
  bound (0 inside the range) and ``pct_of_target`` is undefined.
- A period is complete when the data is complete through its last day: through the
  dataset's ``complete_through`` date (``--complete-through``) if set, else ``as_of``, else
  the last date in the data. A partial period covering less than ``MIN_PROJECTION_SHARE``
  of its days is ``too_early``; a partial period of a measure that does not add up over
  time (mean, ratio, distinct count…) is ``in_progress``: both show the actual, unjudged.
- A formula over several columns leaves out rows missing one of them (``incomplete_rows``
  and ``incomplete_columns`` say how many and which; they cost reliability).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from kpilogic.engine.measures import (
    Reuse,
    aggregate_per_period,
    incomplete_rows_per_period,
    measure_per_period,
)
from kpilogic.engine.quality import (
    QualityReport,
    add_reliability,
    assess_scorecard,
    recall,
    with_left_out_rows,
)
from kpilogic.errors import DataError, KoersError
from kpilogic.i18n import t
from kpilogic.scorecard.formula import formula_columns
from kpilogic.scorecard.model import (
    KPI,
    Direction,
    Goal,
    Measure,
    Scorecard,
    Tolerance,
    is_additive,
)
from kpilogic.scorecard.periods import Period, coverage_end, period_keys
from kpilogic.scorecard.status import STYLES, Status, worst
from kpilogic.scorecard.targets import target_labels
from kpilogic.sources.parsing import ParseReport

SUMMARY_COLUMNS: tuple[str, ...] = (
    "goal_id",
    "goal",
    "kpi_id",
    "kpi",
    "segment",
    "period",
    "period_start",
    "period_end",
    "actual",
    "target",
    "pct_of_target",
    "gap",
    "status",
    "partial",
    "projected",
    "change_prev_pct",
    "change_yoy_pct",
    "ytd_actual",
    "ytd_target",
    "reliability",  # 0–100: how far the KPI's data can be trusted (``kpilogic.engine.quality``)
)

# Columns of the detailed frame beyond the summary: what the UI and reports need to explain.
DETAIL_COLUMNS: tuple[str, ...] = (
    *SUMMARY_COLUMNS,
    "key",
    "rows",
    "target_low",
    "target_high",
    "basis",
    "reason_code",
    "reason",
    "unit",
    "direction",
    "cadence",
    "owner",
    "action",
    "incomplete_rows",  # rows a formula left out: one of its columns was empty there
    "incomplete_columns",  # those columns, comma-separated ("Kosten")
    "covered_days",  # days of the period the data is complete for (partial periods)
)

# A partial period is projected (or judged) only once the data covers this share of its days.
MIN_PROJECTION_SHARE = 0.25

FORECAST_POINTS = 6  # recent periods used for the linear trend to the deadline
MIN_FORECAST_POINTS = 3


@dataclass(frozen=True)
class Reason:
    """Why a status was given: the rule that fired (``code``) and the numbers it used."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON."""
        return {"code": self.code, **self.params}


@dataclass(frozen=True)
class Judgement:
    """The outcome of comparing one value with its target."""

    status: Status
    reason: Reason


def tolerance_amount(tolerance: Tolerance, reference: float) -> float:
    """The tolerance in the KPI's unit: a percentage of ``|reference|`` or an absolute amount."""
    if tolerance.kind == "absolute":
        return tolerance.value
    return tolerance.value / 100 * abs(reference)


def judge(
    value: float | None,
    direction: Direction,
    tolerance: Tolerance,
    *,
    target: float | None = None,
    low: float | None = None,
    high: float | None = None,
) -> Judgement:
    """The status of ``value`` against a target (or a ``low``–``high`` range for ``range``).

    Rules (DESIGN.md): higher is better — on track if value ≥ target, at risk if value ≥
    target − tolerance, else off track; lower is better mirrors that; a range is on track
    inside [low, high], at risk within the tolerance of a bound, else off track. ``None`` or
    NaN ``value`` gives ``no_data``; a missing target gives ``no_target``.
    """
    if value is None or math.isnan(value):
        return Judgement("no_data", Reason("no_value"))
    tol_pct = tolerance.value if tolerance.kind == "percent" else None
    if direction == "range":
        if low is None or high is None:
            return Judgement("no_target", Reason("no_target", {"value": value}))
        base = {"value": value, "low": low, "high": high, "tolerance_pct": tol_pct}
        if low <= value <= high:
            return Judgement("on_track", Reason("range.inside", base))
        bound = low if value < low else high
        side = "below" if value < low else "above"
        tol = tolerance_amount(tolerance, bound)
        params = {**base, "bound": bound, "tolerance": tol, "distance": abs(value - bound)}
        if abs(value - bound) <= tol:
            return Judgement("at_risk", Reason(f"range.{side}.within_tolerance", params))
        return Judgement("off_track", Reason(f"range.{side}.beyond_tolerance", params))
    if target is None or math.isnan(target):
        return Judgement("no_target", Reason("no_target", {"value": value}))
    tol = tolerance_amount(tolerance, target)
    params = {
        "value": value,
        "target": target,
        "tolerance": tol,
        "tolerance_pct": tol_pct,
        "gap": value - target,
        "gap_pct": (value - target) / abs(target) * 100 if target else None,
    }
    if direction == "higher":
        if value >= target:
            return Judgement("on_track", Reason("higher.at_or_above_target", params))
        if value >= target - tol:
            return Judgement("at_risk", Reason("higher.below_within_tolerance", params))
        return Judgement("off_track", Reason("higher.below_beyond_tolerance", params))
    if value <= target:
        return Judgement("on_track", Reason("lower.at_or_below_target", params))
    if value <= target + tol:
        return Judgement("at_risk", Reason("lower.above_within_tolerance", params))
    return Judgement("off_track", Reason("lower.above_beyond_tolerance", params))


def pct_of_target(value: float | None, target: float | None) -> float | None:
    """value / target × 100; undefined (None) for a zero or negative target or a missing value."""
    if value is None or target is None or math.isnan(value) or math.isnan(target):
        return None
    if target <= 0:
        return None
    return value / target * 100


def change_pct(value: float | None, before: float | None) -> float | None:
    """Relative change in percent from ``before`` to ``value``; None when undefined."""
    if value is None or before is None or math.isnan(value) or math.isnan(before) or before == 0:
        return None
    return (value - before) / abs(before) * 100


@dataclass(frozen=True)
class Forecast:
    """Where a KPI is heading by its goal's deadline (linear trend over recent periods)."""

    kpi_id: str
    deadline: date
    period: str
    value: float
    target: float | None
    low: float | None
    high: float | None
    reaches: bool | None  # None when there is no target for the deadline's period
    points: int


# Statuses that judge a value against a target; a segment without rows or without a target
# in the period gives no verdict on the goal.
JUDGED: frozenset[Status] = frozenset({"on_track", "at_risk", "off_track"})


@dataclass(frozen=True)
class GoalStatus:
    """A goal's roll-up for one point in time: worst KPI status and share on track.

    ``kpi_statuses`` holds each KPI's status *for the goal*: the worst of its total's and its
    segments' judged statuses (see ``roll_up_goal``). ``total_statuses`` holds the totals
    alone and ``segment_statuses`` each KPI's segments (segment → status), so a page can say
    which segment made a KPI count worse than its total.
    """

    goal_id: str
    title: str
    status: Status
    health: float | None  # share of the goal's KPIs on track (0..1); None without KPIs
    kpi_statuses: Mapping[str, Status]
    total_statuses: Mapping[str, Status] = field(default_factory=dict)
    segment_statuses: Mapping[str, Mapping[str, Status]] = field(default_factory=dict)

    def segments_below_total(self) -> list[tuple[str, str, Status]]:
        """(kpi id, segment, status) of each judged segment worse than its KPI's total,
        worst first: the segments that pull the goal down."""
        found = [
            (kpi_id, segment, status)
            for kpi_id, segments in self.segment_statuses.items()
            for segment, status in segments.items()
            if status in JUDGED
            and STYLES[status].severity > STYLES[self.total_statuses.get(kpi_id, status)].severity
        ]
        return sorted(found, key=lambda f: (-STYLES[f[2]].severity, f[0], f[1]))


@dataclass(frozen=True)
class Evaluation:
    """The evaluated scorecard.

    ``detail`` has one row per KPI × period (× segment; the total has segment ``""``) and the
    columns ``DETAIL_COLUMNS``. ``errors`` holds KPIs that could not be evaluated (a missing
    column, say) with the reason, so one broken KPI never hides the others.
    """

    scorecard: Scorecard
    as_of: date | None
    detail: pd.DataFrame
    forecasts: Mapping[str, Forecast]
    errors: Mapping[str, KoersError]
    data_ends: Mapping[str, date] = field(default_factory=dict)  # dataset id -> last date
    quality: QualityReport | None = None  # the data-quality checks behind ``reliability``

    @property
    def data_end(self) -> date | None:
        """The latest date in any dataset (up to ``as_of``); None without data."""
        return max(self.data_ends.values(), default=None)

    def summary(self) -> pd.DataFrame:
        """The evaluated summary: ``SUMMARY_COLUMNS`` in order."""
        return self.detail.loc[:, list(SUMMARY_COLUMNS)].reset_index(drop=True)

    @cached_property
    def _parts(self) -> dict[tuple[str, str], pd.DataFrame]:
        # The detail split once by KPI and segment: pages ask for one KPI's rows many times
        # per rerun, and a mask over the whole detail each time was most of a rerun.
        d = self.detail
        if d.empty:
            return {}
        return {
            (str(kpi_id), str(segment)): part
            for (kpi_id, segment), part in d.groupby(["kpi_id", "segment"], sort=False)
        }

    def kpi_rows(self, kpi_id: str, segment: str = "") -> pd.DataFrame:
        """All periods of one KPI (one segment; ``""`` is the total)."""
        found = self._parts.get((kpi_id, segment))
        return found if found is not None else self.detail.iloc[0:0]

    def segment_rows(self, kpi_id: str, period: str) -> pd.DataFrame:
        """One KPI's rows per segment (the total left out) for the period labelled ``period``."""
        parts = [
            part[part["period"] == period]
            for (kpi, segment), part in self._parts.items()
            if kpi == kpi_id and segment != ""
        ]
        return pd.concat(parts) if parts else self.detail.iloc[0:0]

    def latest(self, kpi_id: str, up_to: date | None = None) -> pd.Series | None:
        """The KPI's latest period with data (total), among periods begun by ``up_to``.

        Falls back to the latest period at all when no period has data.
        """
        rows = self.kpi_rows(kpi_id)
        if up_to is not None:
            rows = rows[rows["period_start"] <= pd.Timestamp(up_to)]
        if rows.empty:
            return None
        with_data = rows[rows["status"] != "no_data"]
        chosen = with_data if not with_data.empty else rows
        return chosen.iloc[-1]

    def goal_statuses(self, up_to: date | None = None) -> list[GoalStatus]:
        """Each goal's roll-up over its KPIs' latest periods, segments included (see
        ``roll_up_goal``); a KPI's segments count in the period of its total's latest row."""
        out = []
        for goal in self.scorecard.goals:
            statuses: dict[str, Status] = {}
            segments: dict[str, dict[str, Status]] = {}
            for kpi in self.scorecard.kpis_of(goal.id):
                if kpi.id in self.errors:
                    continue
                row = self.latest(kpi.id, up_to)
                statuses[kpi.id] = "no_data" if row is None else row["status"]
                if row is not None and kpi.segment_column:
                    rows = self.segment_rows(kpi.id, str(row["period"]))
                    segments[kpi.id] = {
                        str(seg): status
                        for seg, status in zip(rows["segment"], rows["status"], strict=True)
                    }
            out.append(roll_up_goal(goal, statuses, segments))
        return out


def kpi_status_for_goal(total: Status, segments: Sequence[Status] = ()) -> Status:
    """What one KPI contributes to its goal: the worst of its total's and its segments'
    judged statuses (on track, at risk, off track); the total's status when none of them is
    judged. A segment without rows or without a target in the period is no verdict."""
    judged = [s for s in (total, *segments) if s in JUDGED]
    return worst(judged) if judged else total


def roll_up_goal(
    goal: Goal,
    kpi_statuses: Mapping[str, Status],
    segment_statuses: Mapping[str, Mapping[str, Status]] | None = None,
) -> GoalStatus:
    """A goal's status is the worst of its KPIs' statuses for the goal; its health is the
    share of its KPIs on track.

    ``kpi_statuses`` are the KPIs' totals, ``segment_statuses`` each KPI's segments (segment
    → status, same period). A KPI's status for the goal is ``kpi_status_for_goal``: a region
    at risk makes the KPI, and so the goal, at risk however well the total does, and a KPI
    counts as on track for the health only when its total and all its judged segments are.
    """
    segment_statuses = segment_statuses or {}
    combined = {
        kpi_id: kpi_status_for_goal(total, list(segment_statuses.get(kpi_id, {}).values()))
        for kpi_id, total in kpi_statuses.items()
    }
    statuses = list(combined.values())
    health = sum(s == "on_track" for s in statuses) / len(statuses) if statuses else None
    return GoalStatus(
        goal.id,
        goal.title,
        worst(statuses),
        health,
        combined,
        dict(kpi_statuses),
        {k: dict(v) for k, v in segment_statuses.items() if k in kpi_statuses},
    )


# -- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedTarget:
    """A target key that names no period of its KPI's cadence, so it is never used."""

    kpi_id: str
    kpi: str
    field: str  # "per_period" or "annual"
    key: str
    expected: tuple[str, ...]  # labels that would match (near the key), possibly empty
    unused_by: str | None = None  # "range", or the target kind that does not read ``field``

    def message(self, lang: str) -> str:
        """ "KPI 'Revenue': target key '2017' matches no period; use FY2017/18." in ``lang``."""
        if self.unused_by == "range":
            return t("target.unused_range", lang, kpi=self.kpi, key=self.key, field=self.field)
        if self.unused_by is not None:
            return t(
                "target.unused_kind",
                lang,
                kpi=self.kpi,
                key=self.key,
                field=self.field,
                kind=self.unused_by,
            )
        if self.expected:
            return t(
                "target.unmatched",
                lang,
                kpi=self.kpi,
                key=self.key,
                field=self.field,
                expected=", ".join(self.expected),
            )
        return t("target.unmatched_no_hint", lang, kpi=self.kpi, key=self.key, field=self.field)


_EXAMPLES = {"week": "2026-W09", "month": "2026-03", "quarter": "2026-Q1", "year": "2026"}


def unmatched_targets(scorecard: Scorecard) -> list[UnmatchedTarget]:
    """Every per-period and annual target key that matches no period of its KPI, or that
    the KPI never reads (a range KPI, or a target of another kind).

    A per-period key must name a period of the KPI's cadence (``2026-03`` for a monthly
    KPI); an annual key a (fiscal) year. With a fiscal year, the calendar year it starts in
    is accepted too (``target_labels``). Each result names the labels that would match.
    """
    fs = scorecard.fiscal_year_start_month
    out: list[UnmatchedTarget] = []
    for kpi in scorecard.kpis:
        tgt = kpi.target
        if tgt is None:
            continue
        tables: list[tuple[str, Mapping[str, float], str]] = [
            ("per_period", tgt.per_period, kpi.cadence),
            ("annual", tgt.annual, "year"),
        ]
        for name, table, cadence in tables:
            # A table the KPI never reads: a range KPI is judged on low and high, and a
            # target of another kind ignores it.
            unused_by = "range" if kpi.direction == "range" else None
            if unused_by is None and name not in tgt.tables:
                unused_by = tgt.kind
            if unused_by is not None:
                out.extend(
                    UnmatchedTarget(kpi.id, kpi.name, name, key, (), unused_by) for key in table
                )
                continue
            for key in table:
                expected = _would_match(key, cadence, fs)
                if expected is None:
                    continue
                out.append(UnmatchedTarget(kpi.id, kpi.name, name, key, expected))
    return out


def _would_match(key: str, cadence: str, fs: int) -> tuple[str, ...] | None:
    """None when ``key`` names a period of ``cadence``; else the labels near it."""
    try:
        named = Period.parse(key, fs)
    except ValueError:
        return (_EXAMPLES[cadence],)
    candidate = Period.containing(named.start, cadence, fs)  # type: ignore[arg-type]
    if key in target_labels(candidate):
        return None
    last = Period.containing(named.end, cadence, fs)  # type: ignore[arg-type]
    labels = [Period(candidate.cadence, k, fs).label for k in range(candidate.key, last.key + 1)]
    return tuple(labels[:3]) + (("…",) if len(labels) > 3 else ())


# -- evaluation ----------------------------------------------------------------------------


def _to_float(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _dates(df: pd.DataFrame, column: str, dataset: str) -> pd.Series:
    if column not in df.columns:
        raise DataError("error.data.column_missing", column=column, dataset=dataset)
    series = df[column]
    if not pd.api.types.is_datetime64_any_dtype(series):
        series = pd.to_datetime(series, errors="coerce")
    if series.notna().sum() == 0:
        raise DataError("error.data.no_dates", column=column, dataset=dataset)
    return series


class Shared:
    """Work on a dataset that every KPI on it needs (its dates, where its data ends, the
    period key of each row per cadence, the frame the KPIs are measured on, and in ``reuse``
    the filters, columns and groupings their measures and quality checks share), done once
    while one scorecard is evaluated.

    Keyed on the identity of the dataset's DataFrame; it keeps a reference to every frame it
    saw, so no other frame can take a seen frame's identity while it lives
    (``evaluate_scorecard`` makes one per call)."""

    def __init__(self) -> None:
        self._frames: dict[int, pd.DataFrame] = {}  # holds the frames: ids stay unique
        self._dates: dict[tuple[int, str], pd.Series] = {}
        self._ends: dict[tuple[int, str], date | None] = {}
        self._keys: dict[tuple[int, str, str, int], pd.Series] = {}
        self._measured: dict[tuple[int, str, date | None], tuple[pd.DataFrame, Any]] = {}
        self._measured_keys: dict[tuple[int, str, date | None, str, int], pd.Series] = {}
        # Filters, columns and groupings shared by the measures and quality checks.
        self.reuse = Reuse()

    def dates(self, df: pd.DataFrame, column: str, name: str) -> pd.Series:
        self._frames.setdefault(id(df), df)
        key = (id(df), column)
        if key not in self._dates:
            dates = _dates(df, column, name)
            if dates.dt.tz is not None:
                dates = dates.dt.tz_localize(None)
            self._dates[key] = dates
        return self._dates[key]

    def end(self, df: pd.DataFrame, column: str, name: str) -> date | None:
        key = (id(df), column)
        if key not in self._ends:
            self._ends[key] = coverage_end(self.dates(df, column, name))
        return self._ends[key]

    def data_end(self, df: pd.DataFrame, column: str) -> date | None:
        """Where the dates of ``column`` (as ``pd.to_datetime`` reads them) end: the KPIs'
        ``end`` when they read the same dates, else worked out here."""
        raw = df[column]
        key = (id(df), column)
        if key in self._ends and pd.api.types.is_datetime64_any_dtype(raw) and raw.dt.tz is None:
            return self._ends[key]
        return coverage_end(pd.to_datetime(raw, errors="coerce"))

    def keys(self, df: pd.DataFrame, column: str, name: str, cadence: str, fs: int) -> pd.Series:
        key = (id(df), column, cadence, fs)
        if key not in self._keys:
            self._keys[key] = period_keys(self.dates(df, column, name), cadence, fs)  # type: ignore[arg-type]
        return self._keys[key]

    def measured(
        self, df: pd.DataFrame, column: str, name: str, as_of: date | None
    ) -> pd.DataFrame:
        """The rows a KPI is measured on: up to ``as_of`` (later rows are unknown then), with
        ``column`` read as dates. The very frame for every KPI on ``df``, so the work on it
        is shared (``reuse``); ``df`` itself when it needs no change."""
        key = (id(df), column, as_of)
        if key not in self._measured:
            self._frames.setdefault(id(df), df)
            dates = self.dates(df, column, name)
            keep = None
            frame = df
            if as_of is not None:
                keep = (dates < pd.Timestamp(as_of) + pd.Timedelta(days=1)).fillna(False)
                frame, dates = df[keep], dates[keep]
            raw = df[column]
            if not pd.api.types.is_datetime64_any_dtype(raw) or raw.dt.tz is not None:
                frame = frame.assign(**{column: dates})
            self._measured[key] = (frame, keep)
        return self._measured[key][0]

    def measured_keys(
        self, df: pd.DataFrame, column: str, name: str, as_of: date | None, cadence: str, fs: int
    ) -> pd.Series:
        """The period keys of the rows of ``measured``."""
        key = (id(df), column, as_of, cadence, fs)
        if key not in self._measured_keys:
            keys = self.keys(df, column, name, cadence, fs)
            self.measured(df, column, name, as_of)
            keep = self._measured[(id(df), column, as_of)][1]
            self._measured_keys[key] = keys if keep is None else keys[keep]
        return self._measured_keys[key]


def evaluate_kpi(
    scorecard: Scorecard,
    kpi: KPI,
    df: pd.DataFrame,
    as_of: date | None = None,
    *,
    shared: Shared | None = None,
) -> pd.DataFrame:
    """Evaluate one KPI over ``df`` (the rows of its dataset): one row per period × segment.

    ``as_of`` evaluates as if on that date: later rows are ignored and periods run up to the
    one containing it. Without it, periods run up to the last date in the data. ``shared``
    carries the work on ``df`` other KPIs of the same call already did.

    Raises:
        DataError: when the date column or a mapped column is missing.
        FormulaError: when the measure's formula cannot be parsed.
    """
    dataset = scorecard.dataset(kpi.dataset_id)
    shared = shared or Shared()
    fs = scorecard.fiscal_year_start_month
    data_end = shared.end(df, dataset.date_column, dataset.name)
    if as_of is not None:
        # As if on ``as_of``: later rows are unknown.
        data_end = min(as_of, data_end) if data_end else None
    coverage = complete_through(dataset.complete_through, as_of, data_end)
    keys = shared.measured_keys(df, dataset.date_column, dataset.name, as_of, kpi.cadence, fs)
    df = shared.measured(df, dataset.date_column, dataset.name, as_of)
    common: dict[str, Any] = {
        "date_column": dataset.date_column,
        "cadence": kpi.cadence,
        "fiscal_start": fs,
        "filters": kpi.filters,
        "dataset": dataset.name,
        "keys": keys,
        "reuse": shared.reuse,
    }
    measured = measure_per_period(df, kpi.measure, **common)
    left_out = incomplete_rows_per_period(df, kpi.measure, **common)
    kept_in_koers = _read_columns(kpi, dataset.manual.value_columns) if dataset.manual else []
    table_segment = dataset.manual.segment_column if dataset.manual else None
    left_out = _with_empty_cells(left_out, df, kept_in_koers, common, table_segment)
    seg_measured = seg_left_out = None
    if kpi.segment_column:
        seg_measured = measure_per_period(
            df, kpi.measure, segment_column=kpi.segment_column, **common
        )
        seg_left_out = incomplete_rows_per_period(
            df, kpi.measure, segment_column=kpi.segment_column, **common
        )
        seg_left_out = _with_empty_cells(
            seg_left_out, df, kept_in_koers, {**common, "segment_column": kpi.segment_column}
        )
    column_targets: dict[tuple[int, str], float] = {}
    tgt = kpi.target
    target_column = tgt.data_column() if tgt is not None else None
    if tgt is not None and target_column:
        frames = [("", aggregate_per_period(df, tgt.column_aggregation, target_column, **common))]
        if kpi.segment_column:
            seg_frame = aggregate_per_period(
                df,
                tgt.column_aggregation,
                target_column,
                segment_column=kpi.segment_column,
                **common,
            )
            frames.append(("*", seg_frame))
        for kind, frame in frames:
            segs = frame["segment"].astype(str) if kind == "*" else [""] * len(frame)
            for key, seg, value in zip(frame["key"], segs, frame["value"], strict=True):
                column_targets[(int(key), str(seg))] = float(value)

    horizon = as_of or data_end
    # Periods start at the KPI's first row: one a formula left out counts, so that it is
    # named in its period rather than dropped before the first complete row.
    keys_seen = [*measured["key"].tolist(), *left_out["key"].tolist()]
    if not keys_seen or horizon is None:
        first_key = Period.containing(horizon, kpi.cadence, fs).key if horizon else None
    else:
        first_key = int(min(keys_seen))
    if first_key is None or horizon is None:
        return pd.DataFrame(columns=list(DETAIL_COLUMNS))
    last = Period.containing(horizon, kpi.cadence, fs)
    periods = [Period(kpi.cadence, k, fs) for k in range(first_key, last.key + 1)]

    goal = scorecard.goal(kpi.goal_id)
    series: list[tuple[str, pd.DataFrame]] = [("", measured)]
    if seg_measured is not None and not seg_measured.empty:
        for seg_name, frame in seg_measured.groupby("segment", sort=True):
            series.append((str(seg_name), frame))
    gaps: dict[tuple[int, str], tuple[int, str]] = {
        (int(k), ""): (int(n), str(m))
        for k, n, m in zip(left_out["key"], left_out["rows"], left_out["missing"], strict=True)
    }
    if seg_left_out is not None:
        for k, seg, n, m in zip(
            seg_left_out["key"],
            seg_left_out["segment"],
            seg_left_out["rows"],
            seg_left_out["missing"],
            strict=True,
        ):
            gaps[(int(k), str(seg))] = (int(n), str(m))
    rows: list[dict[str, Any]] = []
    additive = is_additive(kpi.measure)
    seen = [seg for seg, frame in series[1:] if int(frame["rows"].sum()) > 0]
    total_kpi, total_note = total_target_kpi(kpi, seen)
    for segment, frame in series:
        values = {int(k): _to_float(v) for k, v in zip(frame["key"], frame["value"], strict=True)}
        counts = {int(k): int(n) for k, n in zip(frame["key"], frame["rows"], strict=True)}
        seg_gaps = {k: v for (k, seg), v in gaps.items() if seg == segment}
        rows.extend(
            _evaluate_series(
                total_kpi if segment == "" else kpi,
                goal,
                segment,
                periods,
                values,
                counts,
                column_targets,
                coverage,
                additive,
                seg_gaps,
            )
        )
    _note_total_target(rows, kpi, seen, total_note)
    return pd.DataFrame(rows, columns=list(DETAIL_COLUMNS))


def total_target_kpi(kpi: KPI, segments_seen: Sequence[str]) -> tuple[KPI, str | None]:
    """The KPI as its total is judged, and why the total gets no summed target (or None).

    With per-segment targets (a ``constant`` target with ``segments`` and no ``value``) the
    total's target is the sum of the segments' targets — but only for an additive measure
    (sums, counts: an average or a ratio of the whole is not the sum of the parts'), and only
    when every segment with rows in the data has a target (otherwise the sum would compare the
    whole actual with a part of the plan). When it cannot be summed the total has no target
    and its reason says why: ``no_target.segments_not_additive`` or
    ``no_target.segments_incomplete``. A ``value`` set explicitly is always the total's target.
    """
    tgt = kpi.target
    if tgt is None or not tgt.sums_segments(kpi):
        return kpi, None
    if not is_additive(kpi.measure):
        note = "no_target.segments_not_additive"
    elif any(seg not in tgt.segments for seg in segments_seen):
        note = "no_target.segments_incomplete"
    else:
        return kpi, None
    return kpi.model_copy(update={"target": tgt.model_copy(update={"segments": {}})}), note


def _note_total_target(
    rows: list[dict[str, Any]], kpi: KPI, segments_seen: Sequence[str], note: str | None
) -> None:
    """Say on the total's rows where its target came from the segments, or why it has none."""
    tgt = kpi.target
    if tgt is None or not tgt.segments or kpi.direction == "range":
        return
    missing = sorted(seg for seg in segments_seen if seg not in tgt.segments)
    for row in rows:
        if row["segment"] != "":
            continue
        if note is not None and row["status"] == "no_target":
            row["reason_code"] = note
            row["reason"] = {**row["reason"], "code": note, "segments_without_target": missing}
        elif note is None and tgt.sums_segments(kpi) and row["status"] in JUDGED:
            row["reason"] = {**row["reason"], "target_from_segments": len(tgt.segments)}


def complete_through(
    setting: date | None, as_of: date | None, data_end: date | None
) -> date | None:
    """The day through which the data is complete: the user's ``setting`` (never past
    ``as_of``), else ``as_of``, else the last date in the data (``data_end``)."""
    if setting is not None:
        return min(setting, as_of) if as_of is not None else setting
    return as_of if as_of is not None else data_end


@dataclass(frozen=True)
class _Facts:
    """What the evaluation of every KPI asks of one period, worked out once."""

    label: str
    start: date
    end: date
    days: int
    last_year: Period
    year: str  # the label of its (fiscal) year
    start_stamp: pd.Timestamp
    end_stamp: pd.Timestamp


@lru_cache(maxsize=4096)
def _facts(period: Period) -> _Facts:
    return _Facts(
        period.label,
        period.start,
        period.end,
        period.days,
        period.same_period_last_year(),
        period.fiscal_year().label,
        pd.Timestamp(period.start),
        pd.Timestamp(period.end),
    )


def _evaluate_series(
    kpi: KPI,
    goal: Goal,
    segment: str,
    periods: list[Period],
    values: Mapping[int, float | None],
    counts: Mapping[int, int],
    column_targets: Mapping[tuple[int, str], float],
    coverage: date | None,
    additive: bool,
    left_out: Mapping[int, tuple[int, str]] | None = None,
) -> list[dict[str, Any]]:
    """The rows for one KPI (total or one segment) over ``periods``.

    ``coverage`` is the day through which the data is complete (``complete_through``);
    ``left_out`` the rows a formula left out per period key (count, columns)."""
    left_out = left_out or {}
    tgt = kpi.target
    out: list[dict[str, Any]] = []
    basis_values: dict[int, float | None] = {}
    ytd: dict[str, tuple[float, float | None]] = {}  # year label -> (actual, target) so far

    def actual_of(p: Period) -> float | None:
        return values.get(p.key) if counts.get(p.key, 0) > 0 else None

    for period in periods:
        n_rows = counts.get(period.key, 0)
        actual = actual_of(period)
        facts = _facts(period)
        partial = n_rows > 0 and coverage is not None and coverage < facts.end
        covered = max(0, (coverage - facts.start).days + 1) if partial and coverage else None
        fraction = covered / facts.days if covered is not None else 1.0
        # Not judged yet: too little of the period, or a measure that does not add up.
        unjudged: Status | None = None
        if partial and fraction < MIN_PROJECTION_SHARE:
            unjudged = "too_early"
        elif partial and not additive:
            unjudged = "in_progress"
        projected = (
            actual / fraction
            if partial and unjudged is None and additive and actual is not None
            else None
        )
        basis_value = projected if projected is not None else actual
        basis_values[period.key] = basis_value

        # Target for this period.
        target: float | None = None
        low = high = None
        if tgt is not None:
            if kpi.direction == "range":
                low, high = tgt.low, tgt.high
            else:
                target = tgt.resolve(kpi, period, segment, actual_of, column_targets)

        if n_rows == 0:
            judgement = Judgement("no_data", Reason("no_rows"))
        elif unjudged is not None:
            judgement = Judgement(
                unjudged,
                Reason(
                    f"partial.{unjudged}",
                    {
                        "value": actual,
                        "days": covered,
                        "period_days": facts.days,
                        "min_share_pct": MIN_PROJECTION_SHARE * 100,
                    },
                ),
            )
        else:
            judgement = judge(
                basis_value, kpi.direction, kpi.tolerance, target=target, low=low, high=high
            )
            if partial and projected is not None:
                judgement = Judgement(
                    judgement.status,
                    Reason(judgement.reason.code, {**judgement.reason.params, "projected": True}),
                )

        if kpi.direction == "range" and low is not None and high is not None:
            shown_target: float | None = (low + high) / 2
            if basis_value is None or unjudged is not None:
                gap = None
            elif basis_value < low:
                gap = basis_value - low
            elif basis_value > high:
                gap = basis_value - high
            else:
                gap = 0.0
            pct = None
        else:
            shown_target = target
            judged = None if unjudged is not None else basis_value
            gap = None if judged is None or target is None else judged - target
            pct = pct_of_target(judged, target)

        prev_value = basis_values.get(period.key - 1)
        yoy = facts.last_year
        yoy_value = basis_values.get(yoy.key, actual_of(yoy))
        # A partial period that is not projected is not compared either.
        compared = None if unjudged is not None else basis_value

        ytd_actual = ytd_target = None
        if additive:
            year = facts.year
            so_far_actual, so_far_target = ytd.get(year, (0.0, 0.0))
            so_far_actual += actual or 0.0
            if so_far_target is not None and target is not None:
                # A partial period counts its target only for the days the data covers.
                so_far_target += target * fraction if partial else target
            else:
                so_far_target = None
            ytd[year] = (so_far_actual, so_far_target)
            ytd_actual, ytd_target = so_far_actual, so_far_target

        out.append(
            {
                "goal_id": goal.id,
                "goal": goal.title,
                "kpi_id": kpi.id,
                "kpi": kpi.name,
                "segment": segment,
                "period": facts.label,
                "period_start": facts.start_stamp,
                "period_end": facts.end_stamp,
                "actual": actual,
                "target": shown_target,
                "pct_of_target": pct,
                "gap": gap,
                "status": judgement.status,
                "partial": partial,
                "projected": projected,
                "change_prev_pct": change_pct(compared, prev_value),
                "change_yoy_pct": change_pct(compared, yoy_value),
                "ytd_actual": ytd_actual,
                "ytd_target": ytd_target,
                "key": period.key,
                "rows": n_rows,
                "target_low": low,
                "target_high": high,
                "basis": "projected" if projected is not None else "actual",
                "reason_code": judgement.reason.code,
                "reason": judgement.reason.as_dict(),
                "unit": kpi.unit,
                "direction": kpi.direction,
                "cadence": kpi.cadence,
                "owner": kpi.owner,
                "action": kpi.action,
                "incomplete_rows": left_out.get(period.key, (0, ""))[0],
                "incomplete_columns": left_out.get(period.key, (0, ""))[1],
                "covered_days": covered,
            }
        )
    return out


def forecast_kpi(scorecard: Scorecard, kpi: KPI, rows: pd.DataFrame) -> Forecast | None:
    """A linear trend over the last periods, extended to the goal's deadline.

    Uses the basis values (projection for a partial period; a partial period not projected
    is left out) of up to ``FORECAST_POINTS`` recent periods with data; None without a
    deadline, with fewer than ``MIN_FORECAST_POINTS`` points, or when the deadline has passed.
    """
    deadline = scorecard.goal(kpi.goal_id).deadline
    if deadline is None or rows.empty:
        return None
    basis = rows["projected"].where(rows["projected"].notna(), rows["actual"])
    # A partial period that is not projected (too early, in progress) is no point on the
    # trend: its actual covers part of the period only.
    basis = basis.where(~(rows["partial"].astype(bool) & rows["projected"].isna()))
    # The last periods with a basis (positions: no copy of the detail's columns).
    at = np.flatnonzero(basis.notna().to_numpy())[-FORECAST_POINTS:]
    if len(at) < MIN_FORECAST_POINTS:
        return None
    fs = scorecard.fiscal_year_start_month
    target_period = Period.containing(deadline, kpi.cadence, fs)
    keys = rows["key"].to_numpy(dtype=float)[at]
    last_key = int(rows["key"].iloc[at[-1]])
    if target_period.key < last_key:
        return None
    x = keys
    y = basis.to_numpy(dtype=float, na_value=np.nan)[at]
    slope, intercept = np.polyfit(x, y, 1)
    value = float(slope * target_period.key + intercept)
    tgt = kpi.target
    target = low = high = None
    if tgt is not None:
        if kpi.direction == "range":
            low, high = tgt.low, tgt.high
        else:

            def actual_at(p: Period) -> float | None:
                base = rows.loc[rows["key"] == p.key, "actual"]
                return float(base.iloc[0]) if not base.empty and pd.notna(base.iloc[0]) else None

            # A target the data gives (a column) is unknown ahead of time: the latest one.
            known = rows["target"].dropna()
            latest = float(known.iloc[-1]) if not known.empty else None
            target = tgt.ahead(kpi, target_period, actual_at, latest)
    verdict = judge(value, kpi.direction, kpi.tolerance, target=target, low=low, high=high)
    reaches = None if verdict.status == "no_target" else verdict.status == "on_track"
    return Forecast(
        kpi.id, deadline, target_period.label, value, target, low, high, reaches, len(at)
    )


def evaluate_scorecard(
    scorecard: Scorecard,
    data: Mapping[str, pd.DataFrame],
    as_of: date | None = None,
    *,
    reports: Mapping[str, ParseReport] | None = None,
    rows: Mapping[str, Sequence[int]] | None = None,
    memo: MutableMapping[str, Any] | None = None,
    data_keys: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Evaluate every KPI of ``scorecard`` over ``data`` (dataset id → rows).

    A KPI that cannot be evaluated (its dataset is missing, a column is gone) is reported in
    ``Evaluation.errors`` and left out of ``detail``; the others are evaluated as usual.
    Each row carries the KPI's ``reliability`` (``quality.assess_scorecard``; ``reports``
    and ``rows`` — the parse report and spreadsheet row numbers of each dataset — let it
    count unreadable values and name their rows; freshness is judged on ``as_of``, or
    today).

    With a ``memo`` (any mutable mapping the caller keeps between calls) and ``data_keys``
    (dataset id → a key that changes whenever that dataset's rows do, such as the file's
    content hash), each KPI's evaluation and quality check is kept in ``memo`` under a key
    made of its definition, its goal, its dataset's definition and data key, ``as_of`` and
    the day: a later call in which one KPI changed evaluates only that KPI. The caller
    bounds the memo's size (entries used are moved to its end). ``progress(done, total)``
    is called after each KPI.
    """
    frames: list[pd.DataFrame] = []
    forecasts: dict[str, Forecast] = {}
    errors: dict[str, KoersError] = {}
    total = len(scorecard.kpis)
    shared = Shared()
    for done, kpi in enumerate(scorecard.kpis, start=1):
        df = data.get(kpi.dataset_id)
        if df is None:
            errors[kpi.id] = DataError(
                "error.data.dataset_missing", dataset=scorecard.dataset(kpi.dataset_id).name
            )
            continue
        key = _memo_key("kpi", scorecard, kpi, as_of, data_keys) if memo is not None else None
        part = recall(memo, key)
        if part is None:
            part = _evaluate_part(scorecard, kpi, df, as_of, shared)
            _remember(memo, key, part)
        kpi_rows, forecast, error = part
        if progress is not None:
            progress(done, total)
        if error is not None:
            errors[kpi.id] = error
            continue
        frames.append(kpi_rows)
        if forecast is not None:
            forecasts[kpi.id] = forecast
    data_ends: dict[str, date] = {}
    for ds in scorecard.datasets:
        df = data.get(ds.id)
        if df is None or ds.date_column not in df.columns:
            continue
        end = shared.data_end(df, ds.date_column)
        if end is not None:
            data_ends[ds.id] = min(end, as_of) if as_of is not None else end
    frames = [f for f in frames if not f.empty]
    detail = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=list(DETAIL_COLUMNS))
    )
    quality = assess_scorecard(
        scorecard,
        data,
        as_of=as_of,
        reports=reports,
        rows=rows,
        memo=memo,
        keys=None
        if memo is None
        else {k.id: _memo_key("quality", scorecard, k, as_of, data_keys) for k in scorecard.kpis},
        period_keys_of=lambda dataset_id, cadence: _shared_keys(
            shared, scorecard, data, dataset_id, cadence
        ),
        reuse=shared.reuse,
        dataset_keys=None
        if memo is None or data_keys is None
        else {
            ds.id: _hash(["dataset", ds.model_dump(mode="json"), data_keys[ds.id]])
            for ds in scorecard.datasets
            if ds.id in data_keys
        },
    )
    quality = _penalise_left_out(quality, detail)
    detail = _typed(add_reliability(detail, quality.scores))
    return Evaluation(scorecard, as_of, detail, forecasts, errors, data_ends, quality)


def _read_columns(kpi: KPI, columns: Sequence[str]) -> list[str]:
    """Which of ``columns`` the KPI's measure reads."""
    measure = kpi.measure
    read = formula_columns(measure.formula) if measure.formula else {measure.column or ""}
    return [name for name in columns if name in read]


def _with_empty_cells(
    left_out: pd.DataFrame,
    df: pd.DataFrame,
    columns: Sequence[str],
    common: Mapping[str, Any],
    table_segment: str | None = None,
) -> pd.DataFrame:
    """``left_out`` with, per period (and segment), the rows of a table kept in Koers that
    have no value in a column the KPI reads (a row typed for another column, or a value not
    entered yet): the figure is built without them, so they are named like the rows a
    formula left out (the most rows any one column lacks; the columns that lack them). With
    the table's ``table_segment`` column, a segment the KPI covers that has no row at all in
    a period after its first value is named too ("Klachten (Deventer)")."""
    if not columns:
        return left_out
    by = ["key", *(["segment"] if common.get("segment_column") else [])]
    found: dict[tuple[Any, ...], tuple[int, list[str]]] = {}
    for record in left_out.to_dict("records"):
        key = tuple(int(str(record[n])) if n == "key" else str(record[n]) for n in by)
        missing = str(record["missing"])
        found[key] = (int(record["rows"]), [missing] if missing else [])
    for column in columns:
        counted = measure_per_period(df, Measure(aggregation="count", column=column), **common)
        empty = counted["rows"] - counted["value"].fillna(0).astype("int64")
        for index in counted.index[empty > 0]:
            cells = [str(counted.at[index, name]) for name in by]
            key = (int(cells[0]), *cells[1:])
            rows, named = found.get(key, (0, []))
            said = {part for text in named for part in text.split(", ")}
            found[key] = (
                max(rows, int(empty[index])),
                named if column in said else [*named, column],
            )
    if table_segment and not common.get("segment_column"):
        for period_key, (name, lacking) in _segments_without_row(
            df, columns, table_segment, common
        ).items():
            rows, named = found.get((period_key,), (0, []))
            found[(period_key,)] = (rows + len(lacking), [*named, name])
    out = pd.DataFrame(
        [
            {**dict(zip(by, key, strict=True)), "rows": rows, "missing": ", ".join(named)}
            for key, (rows, named) in sorted(found.items())
        ],
        columns=[*by, "rows", "missing"],
    )
    out["key"] = out["key"].astype("int64")
    out["rows"] = out["rows"].astype("int64")
    return out


def _segments_without_row(
    df: pd.DataFrame, columns: Sequence[str], table_segment: str, common: Mapping[str, Any]
) -> dict[int, tuple[str, list[str]]]:
    """Per period key with rows: the segments (of those the KPI's filters keep) that had a
    value in an earlier period but have no row in this one, as (what to name, segments)."""
    per: dict[int, tuple[str, list[str]]] = {}
    for column in columns:
        counted = measure_per_period(
            df,
            Measure(aggregation="count", column=column),
            **{**common, "segment_column": table_segment},
        )
        if counted.empty:
            continue
        segments = counted["segment"].astype(str)
        valued = counted[counted["value"] > 0]
        first: dict[str, int] = {}
        for key, segment in zip(valued["key"], valued["segment"].astype(str), strict=True):
            first[segment] = min(first.get(segment, int(key)), int(key))
        rows_at: dict[int, set[str]] = {}
        for key, segment in zip(counted["key"], segments, strict=True):
            rows_at.setdefault(int(key), set()).add(segment)
        for period_key, present in sorted(rows_at.items()):
            lacking = sorted(
                seg for seg, k in first.items() if k < period_key and seg not in present
            )
            if lacking and period_key not in per:
                per[period_key] = (f"{column} ({', '.join(lacking)})", lacking)
    return per


def _penalise_left_out(quality: QualityReport, detail: pd.DataFrame) -> QualityReport:
    """Lower the reliability of each KPI whose formula left rows out (its total's periods)."""
    if detail.empty or "incomplete_rows" not in detail:
        return quality
    total = detail[(detail["segment"] == "") & (detail["incomplete_rows"] > 0)]
    if total.empty:
        return quality
    kpis = dict(quality.kpis)
    for kpi_id, part in total.groupby("kpi_id", sort=False):
        found = kpis.get(str(kpi_id))
        if found is None:
            continue
        measured = detail.loc[(detail["kpi_id"] == kpi_id) & (detail["segment"] == ""), "rows"]
        left_out = int(part["incomplete_rows"].sum())
        columns = sorted({c for text in part["incomplete_columns"] for c in str(text).split(", ")})
        periods = [str(p) for p in part["period"]]
        kpis[str(kpi_id)] = with_left_out_rows(
            found, left_out, left_out + int(measured.sum()), columns, periods
        )
    return QualityReport(quality.datasets, kpis)


def _shared_keys(
    shared: Shared,
    scorecard: Scorecard,
    data: Mapping[str, pd.DataFrame],
    dataset_id: str,
    cadence: str,
) -> pd.Series | None:
    dataset = scorecard.dataset(dataset_id)
    try:
        return shared.keys(
            data[dataset_id],
            dataset.date_column,
            dataset.name,
            cadence,
            scorecard.fiscal_year_start_month,
        )
    except KoersError:
        return None  # the quality check reports the missing date column itself


_Part = tuple[pd.DataFrame, "Forecast | None", "KoersError | None"]


def _evaluate_part(
    scorecard: Scorecard, kpi: KPI, df: pd.DataFrame, as_of: date | None, shared: Shared
) -> _Part:
    try:
        kpi_rows = evaluate_kpi(scorecard, kpi, df, as_of, shared=shared)
    except KoersError as exc:
        return pd.DataFrame(columns=list(DETAIL_COLUMNS)), None, exc
    seen = kpi_rows.loc[(kpi_rows["segment"] != "") & (kpi_rows["rows"] > 0), "segment"]
    total_kpi, _ = total_target_kpi(kpi, [str(s) for s in seen.unique()])
    forecast = forecast_kpi(scorecard, total_kpi, kpi_rows[kpi_rows["segment"] == ""])
    return kpi_rows, forecast, None


def _memo_key(
    what: str,
    scorecard: Scorecard,
    kpi: KPI,
    as_of: date | None,
    data_keys: Mapping[str, str] | None,
) -> str | None:
    """What one KPI's result depends on, hashed; None when its data has no key."""
    if data_keys is None or kpi.dataset_id not in data_keys:
        return None
    parts = [
        what,
        kpi.model_dump(mode="json"),
        scorecard.goal(kpi.goal_id).model_dump(mode="json"),
        scorecard.dataset(kpi.dataset_id).model_dump(mode="json"),
        scorecard.fiscal_year_start_month,
        data_keys[kpi.dataset_id],
        as_of.isoformat() if as_of else None,
        date.today().isoformat(),  # freshness and "today" move with the calendar
    ]
    return _hash(parts)


def _hash(parts: list[Any]) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _remember(memo: MutableMapping[str, Any] | None, key: str | None, value: Any) -> None:
    if memo is not None and key is not None:
        memo[key] = value


def _typed(detail: pd.DataFrame) -> pd.DataFrame:
    """Give the detail frame stable dtypes, whatever the KPIs produced."""
    floats = [
        "actual",
        "target",
        "pct_of_target",
        "gap",
        "projected",
        "change_prev_pct",
        "change_yoy_pct",
        "ytd_actual",
        "ytd_target",
        "target_low",
        "target_high",
    ]
    out = detail.copy()
    for col in floats:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in ("period_start", "period_end"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    out["partial"] = out["partial"].astype(bool)
    out["rows"] = out["rows"].astype("int64")
    out["incomplete_rows"] = out["incomplete_rows"].fillna(0).astype("int64")
    out["incomplete_columns"] = out["incomplete_columns"].fillna("").astype(str)
    out["covered_days"] = out["covered_days"].astype("Int64")
    out["key"] = out["key"].astype("int64")
    out["reliability"] = out["reliability"].astype("Int64")
    return out


__all__ = [
    "DETAIL_COLUMNS",
    "MIN_PROJECTION_SHARE",
    "STYLES",
    "SUMMARY_COLUMNS",
    "Evaluation",
    "Forecast",
    "GoalStatus",
    "Judgement",
    "Reason",
    "UnmatchedTarget",
    "change_pct",
    "complete_through",
    "evaluate_kpi",
    "evaluate_scorecard",
    "judge",
    "kpi_status_for_goal",
    "pct_of_target",
    "roll_up_goal",
    "target_labels",
    "tolerance_amount",
    "total_target_kpi",
    "unmatched_targets",
]
