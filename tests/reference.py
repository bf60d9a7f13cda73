"""A reference evaluator: the README's "How a KPI is evaluated", read literally.

Deliberately simple and slow: plain loops over plain rows (dicts), dates from ``datetime``,
no pandas and nothing from ``kpilogic`` but the scorecard model it reads. It is written from
the README, not from ``kpilogic.engine.evaluate``, so that ``tests/test_reference.py`` can compare
the two: where they disagree, one of them is wrong.

Scope: one dataset of rows ``{date: date, column: number | text | None}``; KPIs without
filters, segments or a target column; measures ``sum``, ``count``, ``mean``, ``median``,
``min``, ``max``, ``count_distinct`` of a column, ``count()`` and the formulas in
``FORMULAS``; targets constant (value or range), per period, growth and annual (phased
evenly or by profile; not for weekly KPIs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Any

from kpilogic.scorecard.model import KPI, Scorecard

MIN_SHARE = 0.25  # README: a partial period covering less than 25% of its days is too early

Row = dict[str, Any]


# -- the calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class P:
    """A period: its first and last day (inclusive) and its label."""

    start: date
    end: date
    label: str
    year_label: str  # the (fiscal / ISO) year it belongs to, for YTD

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _fy_label(first_year: int, fs: int) -> str:
    return str(first_year) if fs == 1 else f"FY{first_year}/{(first_year + 1) % 100:02d}"


def period_of(day: date, cadence: str, fs: int) -> P:
    """The period of ``cadence`` holding ``day`` (fiscal years start in month ``fs``)."""
    if cadence == "week":
        monday = day - timedelta(days=day.weekday())
        iso = monday.isocalendar()
        thursday = monday + timedelta(days=3)
        year_label = str(iso.year) if fs == 1 else period_of(thursday, "year", fs).label
        return P(monday, monday + timedelta(days=6), f"{iso.year}-W{iso.week:02d}", year_label)
    month = day.year * 12 + day.month - 1
    if cadence == "month":
        start = _month_start(month)
        end = _month_start(month + 1) - timedelta(days=1)
        fy = period_of(day, "year", fs)
        return P(start, end, f"{day.year}-{day.month:02d}", fy.label)
    # Months counted from the start of the fiscal year.
    fiscal_month = month - (fs - 1)
    year_first = (fiscal_month // 12) * 12 + (fs - 1)
    year_label = _fy_label(_month_start(year_first).year, fs)
    if cadence == "year":
        start = _month_start(year_first)
        end = _month_start(year_first + 12) - timedelta(days=1)
        return P(start, end, year_label, year_label)
    quarter_first = (fiscal_month // 3) * 3 + (fs - 1)
    number = (quarter_first - year_first) // 3 + 1
    start = _month_start(quarter_first)
    end = _month_start(quarter_first + 3) - timedelta(days=1)
    return P(start, end, f"{year_label}-Q{number}", year_label)


def next_period(p: P, cadence: str, fs: int) -> P:
    return period_of(p.end + timedelta(days=1), cadence, fs)


def year_ago(p: P, cadence: str, fs: int) -> P:
    """The same period one year earlier (ISO week 53 maps to week 52)."""
    if cadence == "week":
        iso = p.start.isocalendar()
        try:
            monday = date.fromisocalendar(iso.year - 1, iso.week, 1)
        except ValueError:
            monday = date.fromisocalendar(iso.year - 1, 52, 1)
        return period_of(monday, "week", fs)
    return period_of(date(p.start.year - 1, p.start.month, 1), cadence, fs)


def previous(p: P, cadence: str, fs: int) -> P:
    return period_of(p.start - timedelta(days=1), cadence, fs)


def data_end(dates: list[date]) -> date:
    """The last day the data covers (README: a table of firsts of the month holds months)."""
    last = max(dates)
    firsts = all(d.day == 1 for d in dates)
    if not firsts or len(set(dates)) < 2:
        return last
    months = {d.month for d in dates}
    if months == {1}:
        return date(last.year, 12, 31)
    if months <= {1, 4, 7, 10}:
        return period_of(last, "quarter", 1).end
    return period_of(last, "month", 1).end


# -- measures ----------------------------------------------------------------------------------

# Formulas the generator uses, with how to compute them and whether they add up over time.
FORMULAS = {
    "sum(A) - sum(B)": True,
    "(sum(A) - sum(B)) / sum(A) * 100": False,
    "sum(A) / count()": False,
    "count_distinct(C)": False,
    "2 * sum(A)": True,
}


def _numbers(rows: list[Row], column: str) -> list[float]:
    return [float(r[column]) for r in rows if isinstance(r.get(column), int | float)]


def _filled(value: Any) -> bool:
    if value is None:
        return False
    return not (isinstance(value, str) and not value.strip())


def aggregate(func: str, column: str | None, rows: list[Row]) -> float | None:
    """One aggregation over ``rows``; None where it has no value (README / Excel rules)."""
    if func == "count":
        if column is None:
            return float(len(rows))
        return float(sum(1 for r in rows if _filled(r.get(column))))
    assert column is not None
    if func == "count_distinct":
        return float(len({r[column] for r in rows if _filled(r.get(column))}))
    values = _numbers(rows, column)
    if not values:
        return None
    if func == "sum":
        total = 0.0
        for v in values:
            total += v
        return total
    if func == "mean":
        return sum(values) / len(values)
    if func == "median":
        return float(median(values))
    if func == "min":
        return min(values)
    if func == "max":
        return max(values)
    raise AssertionError(func)


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _sub(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def formula_columns(formula: str) -> list[str]:
    return [c for c in ("A", "B", "C") if f"({c})" in formula]


def is_paired(kpi: KPI, rows: list[Row]) -> bool:
    """README: a formula's columns are filled together when, of all the KPI's rows that
    have any of them, at least half have all of them."""
    formula = kpi.measure.formula
    if formula is None:
        return False
    columns = formula_columns(formula)
    if len(columns) < 2:
        return False
    some = sum(1 for r in rows if any(isinstance(r.get(c), int | float) for c in columns))
    full = sum(1 for r in rows if all(isinstance(r.get(c), int | float) for c in columns))
    return some > 0 and 2 * full >= some


def measure(kpi: KPI, rows: list[Row], paired: bool = True) -> tuple[float | None, int]:
    """The KPI's value over the rows of one period, and how many rows entered it
    (``paired``: whether the formula's columns are filled together over the KPI's rows)."""
    m = kpi.measure
    if m.formula is None:
        assert m.aggregation is not None
        return aggregate(m.aggregation, m.column, rows), len(rows)
    columns = formula_columns(m.formula)
    if len(columns) >= 2 and paired:
        # Complete rows only: every column of the formula has a value (a number here).
        rows = [r for r in rows if all(isinstance(r.get(c), int | float) for c in columns)]
    a = aggregate("sum", "A", rows) if "A" in columns else None
    if m.formula == "sum(A) - sum(B)":
        value = _sub(a, aggregate("sum", "B", rows))
    elif m.formula == "(sum(A) - sum(B)) / sum(A) * 100":
        ratio = _div(_sub(a, aggregate("sum", "B", rows)), a)
        value = None if ratio is None else ratio * 100
    elif m.formula == "sum(A) / count()":
        value = _div(a, float(len(rows)))
    elif m.formula == "count_distinct(C)":
        value = aggregate("count_distinct", "C", rows)
    elif m.formula == "2 * sum(A)":
        value = None if a is None else 2 * a
    else:
        raise AssertionError(m.formula)
    return value, len(rows)


def left_out(kpi: KPI, row: Row, paired: bool = True) -> bool:
    """Whether a formula over two or more columns left ``row`` out while it had some of
    them: the row the KPI names ("1 row in March has no Kosten")."""
    formula = kpi.measure.formula
    if formula is None:
        return False
    columns = formula_columns(formula)
    present = [isinstance(row.get(c), int | float) for c in columns]
    return paired and len(columns) >= 2 and any(present) and not all(present)


def additive(kpi: KPI) -> bool:
    m = kpi.measure
    if m.formula is not None:
        return FORMULAS[m.formula]
    return m.aggregation in ("sum", "count")


# -- targets -----------------------------------------------------------------------------------


def _keys(p: P, cadence: str, fs: int) -> list[str]:
    """Labels a target table may use for ``p``: its own, and with a fiscal year the calendar
    year it starts in (README)."""
    keys = [p.label]
    if fs != 1 and cadence in ("quarter", "year"):
        first_year = period_of(p.start, "year", fs).start.year
        keys.append(str(first_year) + p.label[len(p.year_label) :])
    return keys


def static_target(kpi: KPI, p: P, fs: int) -> float | None:
    tgt = kpi.target
    assert tgt is not None
    if tgt.kind == "constant":
        return tgt.value
    if tgt.kind == "per_period":
        for key in _keys(p, kpi.cadence, fs):
            if key in tgt.per_period:
                return tgt.per_period[key]
        return None
    if tgt.kind == "annual":
        year = period_of(p.start, "year", fs)
        total = None
        for key in _keys(year, "year", fs):
            if key in tgt.annual:
                total = tgt.annual[key]
                break
        if total is None:
            return None
        if kpi.cadence == "year":
            return total
        weights = tgt.profile or [1.0] * 12
        # Month positions in the fiscal year covered by the period.
        share = 0.0
        d = p.start
        while d <= p.end:
            position = (d.year * 12 + d.month - 1 - (fs - 1)) % 12
            share += weights[position]
            d = _month_start(d.year * 12 + d.month)
        return total * share / sum(weights)
    return None


# -- status ------------------------------------------------------------------------------------


def status(kpi: KPI, value: float | None, target: float | None) -> str:
    """README / DESIGN.md status rules, with a tolerance in % of the target or absolute."""
    if value is None:
        return "no_data"
    tol = kpi.tolerance
    tgt = kpi.target
    if kpi.direction == "range":
        if tgt is None or tgt.low is None or tgt.high is None:
            return "no_target"
        low, high = tgt.low, tgt.high
        if low <= value <= high:
            return "on_track"
        bound = low if value < low else high
        # Range tolerance is measured from the crossed bound (README).
        allowed = tol.value if tol.kind == "absolute" else tol.value / 100 * abs(bound)
        return "at_risk" if abs(value - bound) <= allowed else "off_track"
    if target is None:
        return "no_target"
    allowed = tol.value if tol.kind == "absolute" else tol.value / 100 * abs(target)
    if kpi.direction == "higher":
        if value >= target:
            return "on_track"
        return "at_risk" if value >= target - allowed else "off_track"
    if value <= target:
        return "on_track"
    return "at_risk" if value <= target + allowed else "off_track"


def change(value: float | None, before: float | None) -> float | None:
    if value is None or before is None or before == 0:
        return None
    return (value - before) / abs(before) * 100


# -- one KPI -----------------------------------------------------------------------------------


def evaluate(
    scorecard: Scorecard, kpi: KPI, rows: list[Row], as_of: date | None
) -> list[dict[str, Any]]:
    """The README's summary rows of ``kpi`` (total only) over ``rows``."""
    fs = scorecard.fiscal_year_start_month
    cadence = kpi.cadence
    dataset = scorecard.dataset(kpi.dataset_id)
    if as_of is not None:
        rows = [r for r in rows if r["date"] <= as_of]
    all_dates = [r["date"] for r in scorecard_rows_dates(rows)]
    end: date | None = data_end(all_dates) if all_dates else None
    if as_of is not None:
        end = as_of if end is None else min(end, as_of)
    horizon = as_of if as_of is not None else end
    if horizon is None:
        return []
    # The data is complete through (README "When is a period complete?").
    setting = getattr(dataset, "complete_through", None)
    if setting is not None:
        through = min(setting, as_of) if as_of is not None else setting
    else:
        through = horizon

    by_period: dict[str, list[Row]] = {}
    periods_seen: dict[str, P] = {}
    for r in rows:
        p = period_of(r["date"], cadence, fs)
        by_period.setdefault(p.label, []).append(r)
        periods_seen[p.label] = p
    paired = is_paired(kpi, rows)
    measured = {label: measure(kpi, part, paired) for label, part in by_period.items()}
    # The KPI's first row: one that enters the measure, or one a formula left out because
    # it has some but not all of the formula's columns (README: it is named, not dropped).
    with_rows = [
        periods_seen[lb]
        for lb, (_, n) in measured.items()
        if n > 0 or any(left_out(kpi, r, paired) for r in by_period[lb])
    ]
    last = period_of(horizon, cadence, fs)
    first = min(with_rows, key=lambda p: p.start) if with_rows else last
    periods = [first]
    while periods[-1].start < last.start:
        periods.append(next_period(periods[-1], cadence, fs))

    def actual_and_rows(p: P) -> tuple[float | None, int]:
        value, n = measured.get(p.label, (None, 0))
        return (value if n > 0 else None), n

    out: list[dict[str, Any]] = []
    basis_of: dict[str, float | None] = {}
    ytd: dict[str, tuple[float, float | None]] = {}
    tgt = kpi.target
    for p in periods:
        actual, n = actual_and_rows(p)
        partial = n > 0 and through < p.end
        covered = max(0, (through - p.start).days + 1) if partial else p.days
        fraction = covered / p.days
        unjudged = None
        if partial and fraction < MIN_SHARE:
            unjudged = "too_early"
        elif partial and not additive(kpi):
            unjudged = "in_progress"
        projected = None
        if partial and unjudged is None and additive(kpi) and actual is not None:
            projected = actual / fraction
        basis = projected if projected is not None else actual
        basis_of[p.label] = basis

        target = None
        if tgt is not None and kpi.direction != "range":
            if tgt.kind == "growth":
                base, _ = actual_and_rows(year_ago(p, cadence, fs))
                if base is not None and tgt.growth_pct is not None:
                    target = base * (1 + tgt.growth_pct / 100)
            else:
                target = static_target(kpi, p, fs)

        if n == 0:
            state = "no_data"
        elif unjudged is not None:
            state = unjudged
        else:
            state = status(kpi, basis, target)

        judged = None if unjudged is not None else basis
        if kpi.direction == "range" and tgt is not None and tgt.low is not None:
            assert tgt.high is not None
            shown = (tgt.low + tgt.high) / 2
            if judged is None:
                gap = None
            elif judged < tgt.low:
                gap = judged - tgt.low
            elif judged > tgt.high:
                gap = judged - tgt.high
            else:
                gap = 0.0
            pct = None
        else:
            shown = target
            gap = None if judged is None or target is None else judged - target
            pct = None if judged is None or target is None or target <= 0 else judged / target * 100

        prev = previous(p, cadence, fs)
        ago = year_ago(p, cadence, fs)
        before = basis_of.get(prev.label)
        year_before = basis_of[ago.label] if ago.label in basis_of else actual_and_rows(ago)[0]

        ytd_actual = ytd_target = None
        if additive(kpi):
            so_far, so_far_target = ytd.get(p.year_label, (0.0, 0.0))
            so_far += actual or 0.0
            if so_far_target is not None and target is not None:
                so_far_target += target * fraction if partial else target
            else:
                so_far_target = None
            ytd[p.year_label] = (so_far, so_far_target)
            ytd_actual, ytd_target = so_far, so_far_target

        out.append(
            {
                "kpi_id": kpi.id,
                "period": p.label,
                "period_start": p.start,
                "period_end": p.end,
                "actual": actual,
                "target": shown,
                "pct_of_target": pct,
                "gap": gap,
                "status": state,
                "partial": partial,
                "projected": projected,
                "change_prev_pct": change(judged, before),
                "change_yoy_pct": change(judged, year_before),
                "ytd_actual": ytd_actual,
                "ytd_target": ytd_target,
            }
        )
    return out


def scorecard_rows_dates(rows: list[Row]) -> list[Row]:
    """The rows with a date (every row the generator makes has one)."""
    return [r for r in rows if isinstance(r.get("date"), date)]


def is_close(a: Any, b: Any) -> bool:
    """Equal, or both missing, or numbers equal to 1e-9 (relative)."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)
