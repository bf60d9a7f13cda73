"""Goal progress: are we on course for the goal's deadline?

Per goal with a deadline and per KPI of that goal (DESIGN.md "Goals first, all the way up"):

- The span runs from the goal's ``start`` (default: the first day of the (fiscal) year the
  deadline falls in) to its deadline; its periods are the KPI's cadence's periods from the
  one containing the start through the one containing the deadline.
- **Additive KPIs** (sums, counts; ``model.is_additive``): the cumulative actual of the span's
  periods through the evaluation date, the cumulative target over the same periods (a partial
  period counts its target for the days the data covers, as the evaluator's year-to-date
  does), the **target at the deadline** (the sum of the targets of every period of the span;
  periods after the data get their target from the same rules the evaluator uses, a target
  column cannot be known ahead and leaves such periods without target) and the **forecast at
  the deadline**: the actuals of the complete periods, plus the evaluator's run-rate
  projection of a partial last period, plus a forecast of each remaining period:
  - ``seasonal`` when every period of the span has a value a year earlier: the same period
    last year × this year's run-rate (this year's complete periods / the same periods last
    year);
  - ``linear`` otherwise: a straight line through the last ``FORECAST_POINTS`` periods with a
    value (``evaluate.forecast_kpi``'s idea), at least ``MIN_FORECAST_POINTS`` of them;
  - ``none`` when neither is possible: the status is then judged on the pace so far (the
    cumulative actual against the cumulative target) and the sentence says so.
- **Rates and averages** (margin %, satisfaction): the latest value, the average of the
  span's periods with a value, and the linear trend's value in the deadline's period against
  that period's target.
- **Status**: the forecast at the deadline against the target at the deadline with the
  KPI's tolerance (``evaluate.judge``: direction aware, ranges too) → ``on_course`` /
  ``at_risk`` / ``off_course``. Once the evaluation date reaches the deadline the goal is
  ``reached`` (on target) or ``missed``, judged on the final numbers. ``no_target`` when the
  span has no target, ``no_data`` when the span has no value yet. A goal's status is the
  worst of its KPIs' (``SEVERITY``).
- Nothing silent: periods of the span without a value (through the evaluation date) or
  without a target are listed in ``left_out`` (and separately in ``no_data_periods`` and
  ``no_target_periods``) and named in the sentence; a partial last period says it was
  projected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from kpilogic.engine.evaluate import (
    FORECAST_POINTS,
    MIN_FORECAST_POINTS,
    Evaluation,
    judge,
    pct_of_target,
    total_target_kpi,
)
from kpilogic.i18n import (
    currency_affixes,
    format_date,
    format_number,
    format_period,
    format_value,
    t,
    with_percent,
)
from kpilogic.scorecard.model import KPI, Scorecard, is_additive
from kpilogic.scorecard.periods import Period

ProgressStatus = Literal[
    "on_course", "at_risk", "off_course", "reached", "missed", "no_target", "no_data"
]
ForecastMethod = Literal["seasonal", "linear", "none"]

PROGRESS_STATUSES: tuple[ProgressStatus, ...] = (
    "on_course",
    "at_risk",
    "off_course",
    "reached",
    "missed",
    "no_target",
    "no_data",
)

# Higher is worse: a goal takes the worst status of its KPIs.
SEVERITY: dict[ProgressStatus, int] = {
    "reached": 0,
    "on_course": 1,
    "no_target": 2,
    "no_data": 3,
    "at_risk": 4,
    "off_course": 5,
    "missed": 6,
}

_FROM_JUDGEMENT: dict[str, ProgressStatus] = {
    "on_track": "on_course",
    "at_risk": "at_risk",
    "off_track": "off_course",
    "no_target": "no_target",
    "no_data": "no_data",
}

MONTHS_COLUMNS: tuple[str, ...] = (
    "period",
    "period_start",
    "actual",
    "target",
    "forecast",
    "cumulative_actual",
    "cumulative_target",
    "cumulative_forecast",
)


@dataclass(frozen=True)
class KpiProgress:
    """One KPI's progress towards its goal's deadline (see the module's docstring)."""

    goal_id: str
    kpi_id: str
    kpi: str
    additive: bool
    span_start: date
    deadline: date
    as_of: date
    cumulative_actual: float | None
    cumulative_target: float | None
    latest: float | None
    average: float | None
    target_at_deadline: float | None
    forecast_at_deadline: float | None
    forecast_method: ForecastMethod
    forecast_pct_of_target: float | None
    status: ProgressStatus
    reason_key: str
    reason_params: Mapping[str, Any]
    left_out: tuple[str, ...]
    months: pd.DataFrame
    # Beyond the contract: what the sentences and reports need.
    unit: str = "number"
    direction: str = "higher"
    cadence: str = "month"
    target_low_at_deadline: float | None = None  # range KPIs: the bounds at the deadline
    target_high_at_deadline: float | None = None
    no_data_periods: tuple[str, ...] = ()  # span periods through as_of without a value
    no_target_periods: tuple[str, ...] = ()  # span periods without a target
    partial_period: str | None = None  # the last period, when the data covers part of it
    partial_days: int | None = None
    partial_period_days: int | None = None
    partial_projected: bool = False  # the partial period counts with its run-rate projection
    run_rate: float | None = None  # seasonal: this year's complete periods / last year's
    forecast_points: int = 0  # linear: periods the trend is drawn through
    passed: bool = False  # the evaluation date reached the deadline


@dataclass(frozen=True)
class GoalProgress:
    """A goal's progress: the worst of its KPIs' (see ``SEVERITY``)."""

    goal_id: str
    title: str
    deadline: date | None
    span_start: date | None
    as_of: date | None
    status: ProgressStatus
    kpis: tuple[KpiProgress, ...]
    reason_key: str
    reason_params: Mapping[str, Any] = field(default_factory=dict)


def span_start_of(scorecard: Scorecard, start: date | None, deadline: date) -> date:
    """The goal's start, or the first day of the (fiscal) year the deadline falls in."""
    if start is not None:
        return start
    return Period.containing(deadline, "year", scorecard.fiscal_year_start_month).start


def goal_progress(evaluation: Evaluation, as_of: date | None = None) -> list[GoalProgress]:
    """Each goal's progress towards its deadline, in scorecard order.

    ``as_of`` is the evaluation date; default the evaluation's own ``as_of``, else each
    KPI's dataset's last date. Periods after it count as not yet happened (evaluate with the
    same ``as_of`` so that a partial period is projected as the evaluator does).
    """
    scorecard = evaluation.scorecard
    out: list[GoalProgress] = []
    for goal in scorecard.goals:
        if goal.deadline is None:
            out.append(
                GoalProgress(
                    goal.id,
                    goal.title,
                    None,
                    goal.start,
                    None,
                    "no_target",
                    (),
                    "progress.goal.no_deadline",
                    {},
                )
            )
            continue
        span_start = span_start_of(scorecard, goal.start, goal.deadline)
        items = tuple(
            _kpi_progress(evaluation, kpi, goal.deadline, span_start, as_of)
            for kpi in scorecard.kpis_of(goal.id)
        )
        if not items:
            out.append(
                GoalProgress(
                    goal.id,
                    goal.title,
                    goal.deadline,
                    span_start,
                    as_of,
                    "no_data",
                    (),
                    "progress.goal.no_kpis",
                    {},
                )
            )
            continue
        worst = max(items, key=lambda k: SEVERITY[k.status])
        params = {
            **worst.reason_params,
            "kpi": worst.kpi,
            "kpi_id": worst.kpi_id,
            "kpis": len(items),
            "on_course": sum(k.status in ("on_course", "reached") for k in items),
        }
        out.append(
            GoalProgress(
                goal.id,
                goal.title,
                goal.deadline,
                span_start,
                max(k.as_of for k in items),
                worst.status,
                items,
                worst.reason_key,
                params,
            )
        )
    return out


# -- one KPI -------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _empty_months() -> pd.DataFrame:
    return pd.DataFrame(columns=list(MONTHS_COLUMNS))


def _kpi_progress(
    evaluation: Evaluation, kpi: KPI, deadline: date, span_start: date, as_of: date | None
) -> KpiProgress:
    scorecard = evaluation.scorecard
    fs = scorecard.fiscal_year_start_month
    day = as_of or evaluation.as_of or evaluation.data_ends.get(kpi.dataset_id) or span_start
    additive = is_additive(kpi.measure)
    base: dict[str, Any] = {
        "goal_id": kpi.goal_id,
        "kpi_id": kpi.id,
        "kpi": kpi.name,
        "additive": additive,
        "span_start": span_start,
        "deadline": deadline,
        "as_of": day,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "cadence": kpi.cadence,
        "passed": day >= deadline,
    }
    if kpi.id in evaluation.errors:
        return KpiProgress(
            **base,
            cumulative_actual=None,
            cumulative_target=None,
            latest=None,
            average=None,
            target_at_deadline=None,
            forecast_at_deadline=None,
            forecast_method="none",
            forecast_pct_of_target=None,
            status="no_data",
            reason_key="progress.not_evaluated",
            reason_params={
                "error_key": evaluation.errors[kpi.id].key,
                "error_params": dict(evaluation.errors[kpi.id].params),
            },
            left_out=(),
            months=_empty_months(),
        )
    rows = evaluation.kpi_rows(kpi.id)
    rows = rows[rows["period_start"] <= pd.Timestamp(day)]
    by_key: dict[int, pd.Series] = {int(r["key"]): r for _, r in rows.iterrows()}
    detail = evaluation.detail
    seen = (
        sorted(
            detail.loc[
                (detail["kpi_id"] == kpi.id) & (detail["segment"] != "") & (detail["rows"] > 0),
                "segment",
            ]
            .astype(str)
            .unique()
        )
        if not detail.empty
        else []
    )
    total_kpi, _ = total_target_kpi(kpi, seen)

    first = Period.containing(span_start, kpi.cadence, fs)
    last = Period.containing(deadline, kpi.cadence, fs)
    span = [Period(kpi.cadence, k, fs) for k in range(first.key, last.key + 1)]
    current = Period.containing(day, kpi.cadence, fs).key
    elapsed = [p for p in span if p.key <= current]
    future = [p for p in span if p.key > current]

    def actual_of(p: Period) -> float | None:
        row = by_key.get(p.key)
        if row is None or int(row["rows"]) == 0:
            return None
        return _num(row["actual"])

    def target_of(p: Period) -> tuple[float | None, float | None, float | None]:
        row = by_key.get(p.key)
        if row is not None:
            return _num(row["target"]), _num(row["target_low"]), _num(row["target_high"])
        tgt = total_kpi.target
        if tgt is None:
            return None, None, None
        if kpi.direction == "range":
            if tgt.low is None or tgt.high is None:
                return None, None, None
            return (tgt.low + tgt.high) / 2, tgt.low, tgt.high
        # A target the data gives (a column) is not known ahead of the data: no latest.
        return tgt.ahead(total_kpi, p, actual_of, None), None, None

    actuals = {p.key: actual_of(p) for p in elapsed}
    targets = {p.key: target_of(p) for p in span}
    no_data = tuple(p.label for p in elapsed if actuals[p.key] is None)
    is_range = kpi.direction == "range"
    no_target = tuple(
        p.label
        for p in span
        if (targets[p.key][1] is None if is_range else targets[p.key][0] is None)
    )
    left_out = tuple(dict.fromkeys([*no_data, *no_target]))
    base.update(
        left_out=left_out,
        no_data_periods=no_data,
        no_target_periods=no_target,
    )

    # The partial last period, as the evaluator judged it.
    partial_row = by_key.get(elapsed[-1].key) if elapsed else None
    partial = partial_row is not None and bool(partial_row["partial"])
    projected = _num(partial_row["projected"]) if partial and partial_row is not None else None
    if partial and partial_row is not None:
        covered = partial_row["covered_days"]
        base.update(
            partial_period=elapsed[-1].label,
            partial_days=None if pd.isna(covered) else int(covered),
            partial_period_days=elapsed[-1].days,
            partial_projected=projected is not None,
        )
    complete = elapsed[:-1] if partial else elapsed

    with_data = [p for p in elapsed if actuals[p.key] is not None]
    if additive:
        return _additive(
            kpi,
            base,
            span,
            elapsed,
            complete,
            future,
            with_data,
            actuals,
            targets,
            by_key,
            partial,
            projected,
            rows,
            day,
            deadline,
            actual_of,
        )
    return _rate(
        kpi, base, span, elapsed, with_data, actuals, targets, rows, partial, day, deadline
    )


def _trend(rows: pd.DataFrame) -> tuple[float, float, int] | None:
    """(slope, intercept, points) of the line through the last periods' basis values: the
    projection of a partial period, the actual otherwise; a partial period not projected is
    no point. None with fewer than ``MIN_FORECAST_POINTS`` points."""
    if rows.empty:
        return None
    basis = rows["projected"].where(rows["projected"].notna(), rows["actual"])
    basis = basis.where(~(rows["partial"].astype(bool) & rows["projected"].isna()))
    basis = basis.where(rows["rows"] > 0)
    points = rows.assign(basis=basis).dropna(subset=["basis"]).tail(FORECAST_POINTS)
    if len(points) < MIN_FORECAST_POINTS:
        return None
    x = points["key"].to_numpy(dtype=float)
    y = points["basis"].to_numpy(dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept), len(points)


def _judged(
    kpi: KPI, value: float | None, target: float | None, low: float | None, high: float | None
) -> tuple[ProgressStatus, float | None]:
    """The status of ``value`` against the target, and ``value − target`` in % of |target|."""
    verdict = judge(value, kpi.direction, kpi.tolerance, target=target, low=low, high=high)
    gap_pct = None
    if value is not None and kpi.direction != "range" and target:
        gap_pct = (value - target) / abs(target) * 100
    elif value is not None and low is not None and high is not None:
        bound = low if value < low else high if value > high else None
        gap_pct = (value - bound) / abs(bound) * 100 if bound else 0.0
    return _FROM_JUDGEMENT[verdict.status], gap_pct


def _reason(status: ProgressStatus, basis: str, direction: str) -> str:
    """The locale key of the sentence for a status reached on ``basis`` (forecast, pace,
    latest, final)."""
    if status in ("no_target", "no_data"):
        return f"progress.{status}"
    if basis == "final":
        return f"progress.final.{status}"
    if basis == "forecast" and status == "at_risk":
        return f"progress.forecast.at_risk.{direction}"
    return f"progress.{basis}.{status}"


def _additive(
    kpi: KPI,
    base: dict[str, Any],
    span: list[Period],
    elapsed: list[Period],
    complete: list[Period],
    future: list[Period],
    with_data: list[Period],
    actuals: Mapping[int, float | None],
    targets: Mapping[int, tuple[float | None, float | None, float | None]],
    by_key: Mapping[int, pd.Series],
    partial: bool,
    projected: float | None,
    rows: pd.DataFrame,
    day: date,
    deadline: date,
    actual_of: Any,
) -> KpiProgress:
    is_range = kpi.direction == "range"
    # Periods without a target are left out of every sum (the actual, the forecast and the
    # target alike), so like is compared with like; when no period has one, nothing is.
    with_target = {p.key for p in span if targets[p.key][0] is not None}
    counted = with_target or {p.key for p in span}
    cum_actual = (
        sum(actuals[p.key] or 0.0 for p in elapsed if p.key in counted) if with_data else None
    )
    # The target to date: a partial period counts for the days the data covers.
    to_date = []
    for p in elapsed:
        target = targets[p.key][0]
        if target is None:
            continue
        row = by_key.get(p.key)
        if partial and p is elapsed[-1] and row is not None and not pd.isna(row["covered_days"]):
            target = target * int(row["covered_days"]) / p.days
        to_date.append(target)
    cum_target = sum(to_date) if to_date else None
    known = [targets[p.key] for p in span if targets[p.key][0] is not None]
    target_at_deadline = sum(k[0] for k in known if k[0] is not None) if known else None
    low_at = high_at = None
    if is_range and known:
        low_at = sum(k[1] for k in known if k[1] is not None)
        high_at = sum(k[2] for k in known if k[2] is not None)

    # Forecast per period still to come (and a partial period).
    forecasts: dict[int, float] = {}
    method: ForecastMethod = "none"
    run_rate = None
    points = 0
    if partial and projected is not None:
        forecasts[elapsed[-1].key] = projected
    to_forecast = [*future]
    if partial and projected is None:
        to_forecast.insert(0, elapsed[-1])
    last_year = {p.key: actual_of(p.same_period_last_year()) for p in span}
    seasonal = all(v is not None for v in last_year.values())
    done = [p for p in complete if actuals[p.key] is not None]
    if seasonal and done:
        before = sum(last_year[p.key] or 0.0 for p in done)
        if before > 0:
            run_rate = sum(actuals[p.key] or 0.0 for p in done) / before
    if not to_forecast:
        method = "none"
    elif run_rate is not None:
        method = "seasonal"
        for p in to_forecast:
            forecasts[p.key] = (last_year[p.key] or 0.0) * run_rate
    else:
        line = _trend(rows)
        if line is not None:
            slope, intercept, points = line
            method = "linear"
            for p in to_forecast:
                forecasts[p.key] = slope * p.key + intercept
    forecast: float | None = None
    if with_data and (not to_forecast or method != "none"):
        forecast = sum(actuals[p.key] or 0.0 for p in complete if p.key in counted) + sum(
            value for k, value in forecasts.items() if k in counted
        )

    passed = bool(base["passed"])
    params: dict[str, Any] = {"deadline": deadline, "span_start": base["span_start"]}
    if not with_data:
        status: ProgressStatus = "no_data"
        key = "progress.no_data"
        forecast = None
    elif passed:
        forecast = cum_actual
        method = "none"
        forecasts = {}
        verdict, gap_pct = _judged(kpi, cum_actual, target_at_deadline, low_at, high_at)
        status = (
            verdict
            if verdict == "no_target"
            else ("reached" if verdict == "on_course" else "missed")
        )
        key = _reason(status, "final", kpi.direction)
        params.update(value=cum_actual, gap_pct=gap_pct)
    elif forecast is not None:
        status, gap_pct = _judged(kpi, forecast, target_at_deadline, low_at, high_at)
        key = _reason(status, "forecast", kpi.direction)
        params.update(value=forecast, gap_pct=gap_pct)
    else:
        status, gap_pct = _judged(kpi, cum_actual, cum_target, None, None)
        key = _reason(status, "pace", kpi.direction)
        params.update(value=cum_actual, to_date=cum_target, gap_pct=gap_pct)
    params.update(target=target_at_deadline, low=low_at, high=high_at, method=method)

    months = []
    run_a = run_t = run_f = 0.0
    for p in span:
        actual = actuals.get(p.key)
        target = targets[p.key][0]
        fc = forecasts.get(p.key)
        is_elapsed = p.key in actuals
        if p.key in counted:
            run_a += actual or 0.0
            run_t += target or 0.0
            run_f += fc if fc is not None else (actual or 0.0)
        months.append(
            {
                "period": p.label,
                "period_start": pd.Timestamp(p.start),
                "actual": actual,
                "target": target,
                "forecast": fc,
                "cumulative_actual": run_a if is_elapsed and with_data else None,
                "cumulative_target": run_t if target is not None or run_t else None,
                "cumulative_forecast": run_f if forecast is not None else None,
            }
        )
    return KpiProgress(
        **base,
        cumulative_actual=cum_actual,
        cumulative_target=cum_target,
        latest=actuals[with_data[-1].key] if with_data else None,
        average=None,
        target_at_deadline=target_at_deadline,
        forecast_at_deadline=forecast,
        forecast_method=method,
        forecast_pct_of_target=pct_of_target(forecast, target_at_deadline),
        status=status,
        reason_key=key,
        reason_params=params,
        months=_typed(pd.DataFrame(months, columns=list(MONTHS_COLUMNS))),
        target_low_at_deadline=low_at,
        target_high_at_deadline=high_at,
        run_rate=run_rate,
        forecast_points=points,
    )


def _rate(
    kpi: KPI,
    base: dict[str, Any],
    span: list[Period],
    elapsed: list[Period],
    with_data: list[Period],
    actuals: Mapping[int, float | None],
    targets: Mapping[int, tuple[float | None, float | None, float | None]],
    rows: pd.DataFrame,
    partial: bool,
    day: date,
    deadline: date,
) -> KpiProgress:
    last = span[-1]
    target, low, high = targets[last.key]
    values = [actuals[p.key] for p in with_data]
    latest = values[-1] if values else None
    average = sum(v for v in values if v is not None) / len(values) if values else None
    method: ForecastMethod = "none"
    points = 0
    forecast: float | None = None
    forecasts: dict[int, float] = {}
    line = _trend(rows)
    if line is not None and not base["passed"]:
        slope, intercept, points = line
        method = "linear"
        forecast = slope * last.key + intercept
        for p in span:
            if p.key not in actuals or (partial and p is elapsed[-1]):
                forecasts[p.key] = slope * p.key + intercept
    params: dict[str, Any] = {"deadline": deadline, "span_start": base["span_start"]}
    if not with_data:
        status: ProgressStatus = "no_data"
        key = "progress.no_data"
    elif base["passed"]:
        final = actuals.get(last.key)
        final = latest if final is None else final
        forecast = final
        verdict, gap_pct = _judged(kpi, final, target, low, high)
        status = (
            verdict
            if verdict == "no_target"
            else ("reached" if verdict == "on_course" else "missed")
        )
        key = _reason(status, "final", kpi.direction)
        params.update(value=final, gap_pct=gap_pct)
    elif forecast is not None:
        status, gap_pct = _judged(kpi, forecast, target, low, high)
        key = _reason(status, "forecast", kpi.direction)
        params.update(value=forecast, gap_pct=gap_pct)
    else:
        status, gap_pct = _judged(kpi, latest, target, low, high)
        key = _reason(status, "latest", kpi.direction)
        params.update(value=latest, gap_pct=gap_pct)
    params.update(target=target, low=low, high=high, method=method)
    months = [
        {
            "period": p.label,
            "period_start": pd.Timestamp(p.start),
            "actual": actuals.get(p.key),
            "target": targets[p.key][0],
            "forecast": forecasts.get(p.key),
            "cumulative_actual": None,
            "cumulative_target": None,
            "cumulative_forecast": None,
        }
        for p in span
    ]
    return KpiProgress(
        **base,
        cumulative_actual=None,
        cumulative_target=None,
        latest=latest,
        average=average,
        target_at_deadline=target,
        forecast_at_deadline=forecast,
        forecast_method=method,
        forecast_pct_of_target=pct_of_target(forecast, target),
        status=status,
        reason_key=key,
        reason_params=params,
        months=_typed(pd.DataFrame(months, columns=list(MONTHS_COLUMNS))),
        target_low_at_deadline=low,
        target_high_at_deadline=high,
        forecast_points=points,
    )


def _typed(months: pd.DataFrame) -> pd.DataFrame:
    out = months.copy()
    for col in MONTHS_COLUMNS[2:]:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    out["period_start"] = pd.to_datetime(out["period_start"]).astype("datetime64[ns]")
    return out


# -- sentences ------------------------------------------------------------------------------


def format_amount(value: float | None, unit: str, lang: str, currency: str = "€") -> str:
    """A KPI value for a sentence: millions short ("€1.34 M" / "€ 1,34 mln"), other amounts
    of money in whole units, everything else as ``i18n.format_value`` shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit in ("currency", "number", "count") and abs(value) >= 1_000_000:
        millions = value / 1_000_000
        decimals = next(d for d in (0, 1, 2) if round(millions, d) == round(millions, 2))
        body = format_number(abs(millions), lang, decimals)
        sign = "-" if millions < 0 else ""
        # Our own word for millions: CLDR's compact forms write "mln." (nl) and "m" (en_GB).
        word = t("words.millions", lang)
        if unit == "currency":
            prefix, suffix = currency_affixes(lang, currency)
            return f"{sign}{prefix}{body} {word}{suffix}"
        return f"{sign}{body} {word}"
    if unit == "currency" and abs(value) >= 1000:
        return format_value(value, unit, lang, currency, decimals=0)
    return format_value(value, unit, lang, currency)


def format_signed_pct(value: float | None, lang: str) -> str:
    """A change in percent with its sign: "−16%", "+4%", "+0.5%" ("−16%", "+0,5%" in Dutch)."""
    if value is None or math.isnan(value):
        return "–"
    if value == 0:
        return with_percent("0", lang)
    decimals = 0 if abs(value) >= 1 else 1
    body = format_number(abs(value), lang, decimals)
    if float(body.replace(",", ".")) == 0:
        return with_percent(body, lang)
    return f"{'+' if value > 0 else '−'}{with_percent(body, lang)}"


def _target_text(p: KpiProgress, scorecard: Scorecard, lang: str) -> str:
    low, high = p.target_low_at_deadline, p.target_high_at_deadline
    if p.direction == "range" and low is not None and high is not None:
        amount_low = format_amount(low, p.unit, lang, scorecard.currency)
        return f"{amount_low}–{format_amount(high, p.unit, lang, scorecard.currency)}"
    return format_amount(p.target_at_deadline, p.unit, lang, scorecard.currency)


def _periods_text(labels: tuple[str, ...], lang: str, limit: int = 6) -> str:
    shown = [format_period(label, lang) for label in labels[:limit]]
    more = len(labels) - limit
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def kpi_progress_text(p: KpiProgress, scorecard: Scorecard, lang: str) -> str:
    """The KPI's progress in one plain sentence (plus what was left out or projected)."""
    params = p.reason_params
    money = scorecard.currency
    value = _num(params.get("value"))
    gap_pct = _num(params.get("gap_pct"))
    method = t(f"progress.method.{p.forecast_method}", lang)
    if p.forecast_method == "none" and p.partial_projected and not p.passed:
        method = t("progress.method.projection", lang)
    main = t(
        p.reason_key,
        lang,
        value=format_amount(value, p.unit, lang, money),
        target=_target_text(p, scorecard, lang),
        to_date=format_amount(_num(params.get("to_date")), p.unit, lang, money),
        deadline=format_date(p.deadline, lang),
        start=format_date(p.span_start, lang),
        diff=format_signed_pct(gap_pct, lang),
        gap=with_percent(format_number(abs(gap_pct), lang, 0 if abs(gap_pct) >= 1 else 1), lang)
        if gap_pct is not None
        else "–",
        method=method,
        error=t(str(params["error_key"]), lang, **params.get("error_params", {}))
        if "error_key" in params
        else "",
    )
    parts = [main]
    if not p.additive and p.latest is not None and p.status != "no_data":
        parts.append(
            t(
                "progress.rate.summary",
                lang,
                latest=format_amount(p.latest, p.unit, lang, money),
                average=format_amount(p.average, p.unit, lang, money),
                start=format_date(p.span_start, lang),
            )
        )
    if p.partial_period is not None and not p.passed and p.status != "no_data":
        # projected: counted at its run rate; else (too early, or a rate) named as running
        key = "progress.partial" if p.partial_projected else "progress.partial.running"
        parts.append(
            t(
                key,
                lang,
                period=format_period(p.partial_period, lang),
                days=p.partial_days,
                period_days=p.partial_period_days,
            )
        )
    for kind, labels in (("no_data", p.no_data_periods), ("no_target", p.no_target_periods)):
        if labels and p.status != "no_data":
            noun = t(f"progress.noun.{p.cadence}", lang, count=len(labels))
            parts.append(
                t(
                    f"progress.left_out.{kind}",
                    lang,
                    count=len(labels),
                    noun=noun,
                    periods=_periods_text(labels, lang),
                )
            )
    # A note may start with a period in Dutch, written lower case ("nov 2026 …").
    return " ".join(part[:1].upper() + part[1:] for part in parts)


def progress_text(p: GoalProgress | KpiProgress, scorecard: Scorecard, lang: str) -> str:
    """One plain sentence on a goal's or a KPI's progress, numbers in the user's notation:
    "Off course: forecast €1.2 M against €1.34 M at 2025-12-31 (−11%; linear trend)." /
    "Uit koers: verwachting € 1,2 mln tegen € 1,34 mln op 31-12-2025 (−11%; lineaire trend)."
    A goal of several KPIs says which KPI decides its status."""
    if isinstance(p, KpiProgress):
        return kpi_progress_text(p, scorecard, lang)
    if not p.kpis:
        return t(p.reason_key, lang)
    worst = max(p.kpis, key=lambda k: SEVERITY[k.status])
    sentence = kpi_progress_text(worst, scorecard, lang)
    if len(p.kpis) == 1:
        return sentence
    return t(
        "progress.goal.worst",
        lang,
        kpi=worst.kpi,
        sentence=sentence,
        on_course=sum(k.status in ("on_course", "reached") for k in p.kpis),
        kpis=len(p.kpis),
    )


def status_label(status: ProgressStatus, lang: str) -> str:
    """The status in words: "On course", "Uit koers", …"""
    return t(f"progress.status.{status}", lang)


# -- the goals table (``koers goals``, the report's Goals sheet) ------------------------------

GOALS_COLUMNS: tuple[str, ...] = (
    "goal_id",
    "goal",
    "kpi_id",
    "kpi",
    "deadline",
    "span_start",
    "as_of",
    "cumulative_actual",
    "cumulative_target",
    "target_at_deadline",
    "forecast_at_deadline",
    "forecast_method",
    "forecast_pct_of_target",
    "status",
    "reason",
)


def goals_table(progress: list[GoalProgress], scorecard: Scorecard, lang: str) -> pd.DataFrame:
    """One row per goal (``kpi_id`` empty; its numbers empty too: a goal's KPIs do not add
    up) followed by one per KPI of that goal; columns ``GOALS_COLUMNS``; ``reason`` is the
    sentence in ``lang``. Dates are ``datetime.date``; a missing number is NaN."""
    rows: list[dict[str, Any]] = []
    for goal in progress:
        rows.append(
            {
                "goal_id": goal.goal_id,
                "goal": goal.title,
                "kpi_id": "",
                "kpi": "",
                "deadline": goal.deadline,
                "span_start": goal.span_start,
                "as_of": goal.as_of,
                "forecast_method": "",
                "status": goal.status,
                "reason": progress_text(goal, scorecard, lang),
            }
        )
        for k in goal.kpis:
            rows.append(
                {
                    "goal_id": goal.goal_id,
                    "goal": goal.title,
                    "kpi_id": k.kpi_id,
                    "kpi": k.kpi,
                    "deadline": k.deadline,
                    "span_start": k.span_start,
                    "as_of": k.as_of,
                    "cumulative_actual": k.cumulative_actual,
                    "cumulative_target": k.cumulative_target,
                    "target_at_deadline": k.target_at_deadline,
                    "forecast_at_deadline": k.forecast_at_deadline,
                    "forecast_method": k.forecast_method,
                    "forecast_pct_of_target": k.forecast_pct_of_target,
                    "status": k.status,
                    "reason": progress_text(k, scorecard, lang),
                }
            )
    out = pd.DataFrame(rows, columns=list(GOALS_COLUMNS))
    for col in (
        "cumulative_actual",
        "cumulative_target",
        "target_at_deadline",
        "forecast_at_deadline",
        "forecast_pct_of_target",
    ):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


__all__ = [
    "GOALS_COLUMNS",
    "MONTHS_COLUMNS",
    "PROGRESS_STATUSES",
    "SEVERITY",
    "ForecastMethod",
    "GoalProgress",
    "KpiProgress",
    "ProgressStatus",
    "format_amount",
    "format_signed_pct",
    "goal_progress",
    "goals_table",
    "kpi_progress_text",
    "progress_text",
    "span_start_of",
    "status_label",
]
