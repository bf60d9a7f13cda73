"""Insights in plain words: the few most notable things in an evaluated scorecard.

Like Tableau Pulse, but every insight comes from one of the deterministic rules below, over
``Evaluation.detail`` (the KPI totals, segment ``""``, and for the segment rule the segment
rows). No language model; ``docs/INSIGHTS.md`` says the same for readers.

The value of a period (``value`` below) is its actual; in a partial period of an additive
measure it is the evaluator's run-rate projection (``projected``) and the sentence says
"projected"; a partial period the evaluator does not judge (``too_early``/``in_progress``)
is skipped by every value rule. With ``period=None`` each KPI is looked at in its latest
period with a value (so a KPI whose latest period is too early to project is looked at in
the period before); with a period label, in its own period that starts on or before the
start of that period.

Rules, each for one KPI in the period P looked at (``score``: how unusual, higher first):

- ``mover_previous`` / ``mover_last_year``: the change of P against the previous period /
  the same period a year earlier, relative in % (in percentage points for a KPI with unit
  ``percent``; undefined, so no insight, when the earlier value is 0). With at least
  ``MIN_CHANGES`` earlier changes of the same kind the score is the z-score
  ``|c − mean| / sd`` of the change against them; with fewer it is ``|c| / 10``. It fires
  when the score is at least ``MOVER_SCORE`` and the change is material (≥ ``MATERIAL_PCT``
  % or ≥ ``MATERIAL_PP`` points).
- ``record_high`` / ``record_low``: P's value above every / below every earlier value, with
  at least ``MIN_HISTORY`` earlier values. Score ``RECORD_BASE`` + how far past the old
  record in standard deviations of the history, capped at ``EXTRA_CAP``.
- ``trend_break``: P's value outside the range (min–max) of the previous
  ``BREAK_WINDOW`` values (at least ``MIN_HISTORY`` of them), when that is not already an
  all-time record (the record says more). Score ``BREAK_BASE`` + the distance past the range
  in widths of the range, capped at ``EXTRA_CAP``.
- ``streak``: P and the periods right before it share a verdict for at least
  ``MIN_STREAK`` periods in a row: target missed (at risk or off track) or on track. A
  period without data or without a target ends a streak. Score for a missed streak
  ``n / 3 + 1`` (3 in a row: 2.0), for an on-track streak ``n / 6`` (6 in a row: 1.0).
- ``segment_driver``: for an additive KPI split by a segment column, when the total changed
  against the previous period (and, as its own insight, against the same period a year
  earlier) by at least ``DRIVER_MATERIAL_PCT`` %: the segment with the largest change in the
  same direction, and its share of the change in that direction (the sum of the segments'
  changes of the same sign; a tie goes to the first segment by name). Segments that moved
  the other way offset part of it: the sentence names the offset. Only when the segments
  add up to the total in both periods (within 0.5%; else the shares would not be defined,
  e.g. rows without a segment). Fires when the share is at least ``DRIVER_SHARE`` %.
  Score ``2 × share + min(|change %| / 20, 1)`` (share as a fraction).
- ``stale_data``: the KPI's last period with data ends before the period before the one
  holding the evaluation date (``as_of``, or today; with a period label, no later than that
  period's end), so at least one whole period is missing. Score ``1 + min(missing, 3) / 3``.

Ties are broken by the rule's order above, then the KPI's order in the scorecard.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from kpilogic.engine.evaluate import Evaluation
from kpilogic.i18n import (
    format_number,
    format_period,
    format_value,
    normalise_lang,
    t,
    with_percent,
)
from kpilogic.scorecard.model import KPI, Scorecard, is_additive
from kpilogic.scorecard.periods import Period

InsightKind = Literal[
    "mover_previous",
    "mover_last_year",
    "record_high",
    "record_low",
    "streak",
    "trend_break",
    "segment_driver",
    "stale_data",
]

KIND_ORDER: tuple[InsightKind, ...] = (
    "mover_previous",
    "mover_last_year",
    "record_high",
    "record_low",
    "trend_break",
    "streak",
    "segment_driver",
    "stale_data",
)

MIN_CHANGES = 3
MOVER_SCORE = 2.0
MATERIAL_PCT = 5.0
MATERIAL_PP = 1.0
MIN_HISTORY = 6
BREAK_WINDOW = 12
RECORD_BASE = 2.5
BREAK_BASE = 2.0
EXTRA_CAP = 2.0
MIN_STREAK = 3
DRIVER_MATERIAL_PCT = 5.0
DRIVER_SHARE = 50.0
_UNJUDGED = frozenset({"too_early", "in_progress", "no_data"})
_JUDGED = frozenset({"on_track", "at_risk", "off_track"})


@dataclass(frozen=True)
class Insight:
    """One notable thing about one KPI in one period; ``insight_text`` says it in words."""

    kind: InsightKind
    kpi_id: str
    period: str  # the period label it is about ("2025-12")
    score: float  # how unusual; lists are sorted by score, highest first
    key: str  # locale key of the sentence
    params: Mapping[str, Any] = field(default_factory=dict)  # raw numbers and labels


# -- the values a rule looks at -----------------------------------------------------------


def _values(rows: pd.DataFrame) -> list[float | None]:
    """Per row: the projected value of a projected partial period, else the actual; None
    for a period without data or one the evaluator leaves unjudged."""
    out: list[float | None] = []
    for status, actual, projected in zip(
        rows["status"], rows["actual"], rows["projected"], strict=True
    ):
        if status in _UNJUDGED:
            out.append(None)
            continue
        value = projected if _num(projected) is not None else actual
        out.append(_num(value))
    return out


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _change(value: float, before: float, points: bool) -> float | None:
    """The change from ``before`` to ``value``: points for a percentage KPI, else in %."""
    if points:
        return value - before
    if before == 0:
        return None
    return (value - before) / abs(before) * 100


def _sd(values: Sequence[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def _pick(rows: pd.DataFrame, values: list[float | None], start: pd.Timestamp | None) -> int | None:
    """The index of the row looked at: the latest with a value, begun by ``start``."""
    starts = list(rows["period_start"])
    for i in range(len(values) - 1, -1, -1):
        if start is not None and starts[i] > start:
            continue
        if values[i] is not None:
            return i
        if start is not None:
            return None  # the chosen period itself has no value: nothing to say about it
    return None


# -- the rules ------------------------------------------------------------------------------


def _base(kpi: KPI, row: pd.Series) -> dict[str, Any]:
    return {
        "kpi": kpi.name,
        "unit": kpi.unit,
        "period": str(row["period"]),
        "projected": _num(row["projected"]) is not None,
    }


def _movers(
    kpi: KPI, rows: pd.DataFrame, values: list[float | None], i: int, fs: int
) -> list[Insight]:
    points = kpi.unit == "percent"
    keys = [int(k) for k in rows["key"]]
    index = {k: j for j, k in enumerate(keys)}
    out: list[Insight] = []
    for kind in ("mover_previous", "mover_last_year"):

        def earlier(j: int, kind: str = kind) -> int | None:
            if kind == "mover_previous":
                return index.get(keys[j] - 1)
            p = Period(kpi.cadence, keys[j], fs).same_period_last_year()
            return index.get(p.key)

        def change_at(j: int) -> tuple[float, float] | None:
            e = earlier(j)
            v, b = values[j], (values[e] if e is not None else None)
            if v is None or b is None:
                return None
            c = _change(v, b, points)
            return None if c is None else (c, b)

        now = change_at(i)
        if now is None:
            continue
        change, before = now
        history = [c[0] for j in range(i) if (c := change_at(j)) is not None]
        sd = _sd(history)
        if len(history) >= MIN_CHANGES and sd > 0:
            mean = sum(history) / len(history)
            score = abs(change - mean) / sd
        else:
            score = abs(change) / 10
        material = abs(change) >= (MATERIAL_PP if points else MATERIAL_PCT)
        if score < MOVER_SCORE or not material:
            continue
        e = earlier(i)
        assert e is not None
        params = {
            **_base(kpi, rows.iloc[i]),
            "value": values[i],
            "before": before,
            "before_period": str(rows.iloc[e]["period"]),
            "change": change,
            "points": points,
        }
        direction = "up" if change > 0 else "down"
        out.append(
            Insight(
                kind,
                kpi.id,
                str(rows.iloc[i]["period"]),
                score,
                f"insight.{kind}.{direction}",
                params,
            )
        )
    return out


def _records(kpi: KPI, rows: pd.DataFrame, values: list[float | None], i: int) -> list[Insight]:
    value = values[i]
    assert value is not None
    history = [(j, v) for j, v in enumerate(values[:i]) if v is not None]
    if len(history) < MIN_HISTORY:
        return []
    nums = [v for _, v in history]
    sd = _sd(nums)
    top_j, top = max(history, key=lambda h: (h[1], h[0]))
    low_j, low = min(history, key=lambda h: (h[1], -h[0]))
    row = rows.iloc[i]
    common = {
        **_base(kpi, row),
        "value": value,
        "count": len(history) + 1,
        "cadence": kpi.cadence,
    }
    if value > top:
        extra = min((value - top) / sd, EXTRA_CAP) if sd > 0 else EXTRA_CAP
        params = {**common, "record": top, "record_period": str(rows.iloc[top_j]["period"])}
        return [
            Insight(
                "record_high",
                kpi.id,
                str(row["period"]),
                RECORD_BASE + extra,
                "insight.record_high",
                params,
            )
        ]
    if value < low:
        extra = min((low - value) / sd, EXTRA_CAP) if sd > 0 else EXTRA_CAP
        params = {**common, "record": low, "record_period": str(rows.iloc[low_j]["period"])}
        return [
            Insight(
                "record_low",
                kpi.id,
                str(row["period"]),
                RECORD_BASE + extra,
                "insight.record_low",
                params,
            )
        ]
    # Not a record: is it outside the range of the recent window?
    window = nums[-BREAK_WINDOW:]
    lo, hi = min(window), max(window)
    if lo <= value <= hi:
        return []
    width = hi - lo
    distance = value - hi if value > hi else lo - value
    extra = min(distance / width, EXTRA_CAP) if width > 0 else EXTRA_CAP
    params = {
        **common,
        "low": lo,
        "high": hi,
        "window": len(window),
        "side": "above" if value > hi else "below",
    }
    side = "above" if value > hi else "below"
    return [
        Insight(
            "trend_break",
            kpi.id,
            str(row["period"]),
            BREAK_BASE + extra,
            f"insight.trend_break.{side}",
            params,
        )
    ]


def _streak(kpi: KPI, rows: pd.DataFrame, i: int) -> list[Insight]:
    statuses = list(rows["status"])
    first = statuses[i]
    if first not in _JUDGED:
        return []
    missed = first != "on_track"
    n = 0
    for status in reversed(statuses[: i + 1]):
        if status not in _JUDGED or (status != "on_track") != missed:
            break
        n += 1
    if n < MIN_STREAK:
        return []
    row = rows.iloc[i]
    score = n / 3 + 1 if missed else n / 6
    params = {
        **_base(kpi, row),
        "count": n,
        "cadence": kpi.cadence,
        "value": _num(row["projected"])
        if _num(row["projected"]) is not None
        else _num(row["actual"]),
        "target": _num(row["target"]),
        "first_period": str(rows.iloc[i - n + 1]["period"]),
    }
    key = "insight.streak.missed" if missed else "insight.streak.on_track"
    return [Insight("streak", kpi.id, str(row["period"]), score, key, params)]


def _driver(
    evaluation: Evaluation, kpi: KPI, rows: pd.DataFrame, values: list[float | None], i: int
) -> list[Insight]:
    """The segment behind the change against the previous period and against the same
    period a year earlier (each its own insight)."""
    if not kpi.segment_column or not is_additive(kpi.measure):
        return []
    keys = [int(k) for k in rows["key"]]
    index = {k: j for j, k in enumerate(keys)}
    fs = evaluation.scorecard.fiscal_year_start_month
    year_ago = Period(kpi.cadence, keys[i], fs).same_period_last_year().key
    out: list[Insight] = []
    for e in (index.get(keys[i] - 1), index.get(year_ago)):
        if e is not None:
            out += _driver_against(evaluation, kpi, rows, values, i, e)
    return out


def _driver_against(
    evaluation: Evaluation,
    kpi: KPI,
    rows: pd.DataFrame,
    values: list[float | None],
    i: int,
    e: int,
) -> list[Insight]:
    now, before = values[i], values[e]
    if now is None or before is None or before == 0:
        return []
    delta = now - before
    change_pct = delta / abs(before) * 100
    if abs(change_pct) < DRIVER_MATERIAL_PCT:
        return []
    label, prev_label = str(rows.iloc[i]["period"]), str(rows.iloc[e]["period"])
    seg_now = _segment_values(evaluation.segment_rows(kpi.id, label))
    seg_before = _segment_values(evaluation.segment_rows(kpi.id, prev_label))
    if not seg_now or not seg_before:
        return []
    # The shares are defined only when the segments make up the total in both periods.
    for total, parts in ((now, seg_now), (before, seg_before)):
        if abs(sum(parts.values()) - total) > 0.005 * max(abs(total), 1e-9):
            return []
    names = sorted(set(seg_now) | set(seg_before))
    deltas = {s: seg_now.get(s, 0.0) - seg_before.get(s, 0.0) for s in names}
    same = {s: d for s, d in deltas.items() if d * delta > 0}
    other = sum(d for d in deltas.values() if d * delta < 0)
    gross = sum(same.values())
    if not same or gross == 0:
        return []
    segment = min(same, key=lambda s: (-abs(same[s]), s))  # a tie: the first by name
    share = same[segment] / gross * 100
    if share < DRIVER_SHARE:
        return []
    score = 2 * share / 100 + min(abs(change_pct) / 20, 1.0)
    params = {
        **_base(kpi, rows.iloc[i]),
        "segment": segment,
        "share": share,
        "segment_change": same[segment],
        "change": delta,
        "gross": gross,
        "offset": other,
        "before_period": prev_label,
        "change_pct": change_pct,
    }
    direction = "up" if delta > 0 else "down"
    key = f"insight.segment_driver.{direction}"
    return [Insight("segment_driver", kpi.id, label, score, key, params)]


def _segment_values(rows: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for segment, value in zip(rows["segment"], _values(rows), strict=True):
        if value is not None:
            out[str(segment)] = value
    return out


def _stale(kpi: KPI, rows: pd.DataFrame, on: date, fs: int) -> list[Insight]:
    with_data = rows[rows["rows"] > 0]
    if with_data.empty:
        return []
    last = with_data.iloc[-1]
    due = Period.containing(on, kpi.cadence, fs).key - 1  # the last whole period expected
    missing = due - int(last["key"])
    if missing < 1:
        return []
    params = {
        "kpi": kpi.name,
        "unit": kpi.unit,
        "period": str(last["period"]),
        "last_day": pd.Timestamp(last["period_end"]).date(),
        "on": on,
        "count": missing,
        "cadence": kpi.cadence,
        "projected": False,
    }
    score = 1 + min(missing, 3) / 3
    return [Insight("stale_data", kpi.id, str(last["period"]), score, "insight.stale_data", params)]


# -- the public surface --------------------------------------------------------------------


def insights(evaluation: Evaluation, period: str | None = None, limit: int = 5) -> list[Insight]:
    """The ``limit`` most notable insights, highest score first (see the module's rules).

    ``period`` is a period label ("2025-12"); None looks at each KPI's latest period with a
    value. Same input, same list in the same order.
    """
    card = evaluation.scorecard
    fs = card.fiscal_year_start_month
    start: pd.Timestamp | None = None
    on = evaluation.as_of or date.today()
    if period is not None:
        chosen = evaluation.detail[evaluation.detail["period"] == period]
        if chosen.empty:
            try:
                p = Period.parse(period, fs)
            except ValueError:
                return []
            start, end = pd.Timestamp(p.start), p.end
        else:
            start = pd.Timestamp(chosen["period_start"].min())
            end = pd.Timestamp(chosen["period_end"].max()).date()
        on = min(on, end)
    found_all: list[tuple[float, int, int, Insight]] = []
    for order, kpi in enumerate(card.kpis):
        if kpi.id in evaluation.errors:
            continue
        rows = evaluation.kpi_rows(kpi.id)
        if rows.empty:
            continue
        rows = rows.sort_values("key", kind="stable")
        if start is not None:
            rows = rows[rows["period_start"] <= start]
            if rows.empty:
                continue
        values = _values(rows)
        found: list[Insight] = list(_stale(kpi, rows, on, fs))
        i = _pick(rows, values, start)
        if i is not None:
            found += _movers(kpi, rows, values, i, fs)
            found += _records(kpi, rows, values, i)
            found += _streak(kpi, rows, i)
            found += _driver(evaluation, kpi, rows, values, i)
        for insight in found:
            found_all.append(
                (-round(insight.score, 9), KIND_ORDER.index(insight.kind), order, insight)
            )
    found_all.sort(key=lambda f: f[:3])
    return [f[3] for f in found_all[: max(limit, 0)]]


_CADENCE_WORDS = {
    "week": "insight.word.week",
    "month": "insight.word.month",
    "quarter": "insight.word.quarter",
    "year": "insight.word.year",
}


def insight_text(insight: Insight, scorecard: Scorecard, lang: str) -> str:
    """One plain sentence for ``insight`` in ``lang``, numbers in the reader's notation.

    The sentence names its KPI and period; a value from a partial period says it was
    projected to the whole period."""
    lang = normalise_lang(lang)
    p = dict(insight.params)
    unit = str(p.get("unit", "number"))
    cur = scorecard.currency

    def value(v: Any) -> str:
        number = _num(v)
        # Amounts of a thousand and more in whole units, as the goal sentences show them.
        whole = unit == "currency" and number is not None and abs(number) >= 1000
        return format_value(number, unit, lang, cur, decimals=0 if whole else None)

    def period(label: Any) -> str:
        return format_period(str(label), lang)

    out: dict[str, Any] = {"kpi": p.get("kpi", insight.kpi_id), "period": period(insight.period)}
    for name in ("value", "before", "record", "low", "high", "target", "segment_change", "gross"):
        if name in p:
            out[name] = value(p[name])
    for name in ("before_period", "record_period", "first_period"):
        if name in p:
            out[name] = period(p[name])
    if "change" in p and insight.kind in ("mover_previous", "mover_last_year"):
        c = float(p["change"])
        if p.get("points"):
            out["change"] = t("insight.points", lang, n=format_number(abs(c), lang, 1))
        else:
            out["change"] = with_percent(format_number(abs(c), lang, 1), lang)
    if insight.kind == "segment_driver":
        out["segment"] = p["segment"]
        out["share"] = with_percent(format_number(float(p["share"]), lang, 0), lang)
        out["change"] = value(abs(float(p["change"])))
        out["segment_change"] = value(abs(float(p["segment_change"])))
        out["offset"] = value(abs(float(p["offset"])))
        out["gross"] = value(abs(float(p["gross"])))
    if "count" in p:
        out["count"] = p["count"]
        out["periods"] = t(_CADENCE_WORDS[str(p["cadence"])], lang, count=p["count"])
    if "window" in p:
        out["window"] = t(_CADENCE_WORDS[str(p["cadence"])], lang, count=p["window"])
    if "last_day" in p:
        from kpilogic.i18n import format_date

        out["last_day"] = format_date(p["last_day"], lang)
        out["on"] = format_date(p["on"], lang)
    text = t(insight.key, lang, **out)
    if insight.kind == "segment_driver" and float(p.get("offset", 0.0)) != 0:
        text += " " + t("insight.segment_driver.offset", lang, **out)
    if p.get("projected"):
        text += " " + t("insight.note.projected", lang)
    return text
