"""Why a goal falls short: which segment and which periods account for the gap.

Goal progress (``kpilogic.engine.progress``) says *that* an additive KPI will miss its target at the
deadline and by how much; this module says *why*, in the two ways a shop owner asks:

- **Which periods.** Among the span's periods through the evaluation date that have both an
  actual and a target (the same periods goal progress compares), the ``limit`` periods
  furthest behind their target, worst first. A partial last period is not ranked: its actual
  covers part of the period only.
- **Which segment** (for KPIs with a segment column). Over those same periods, each segment's
  actual is compared with a reference: the segment's own targets when every one of those
  periods has a segment target, else the same periods a year earlier (when every segment has
  a value there). The segment furthest behind its reference is named with its share of the
  shortfall of all segments that fell behind (segments that did better are left out of the
  share and counted in ``ahead``, so a share never exceeds 100%). Against last year, a
  segment is named only when the KPI's total fell too.

"Behind" is direction aware: below the reference for higher-is-better KPIs, above it for
lower-is-better ones. Range KPIs, rates and averages get no explanation (their gap is no
sum of parts), nor do KPIs on course.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.progress import KpiProgress, format_amount
from kpilogic.i18n import format_number, format_period, t
from kpilogic.scorecard.model import Scorecard
from kpilogic.scorecard.periods import Period

Reference = Literal["target", "last_year"]

# Statuses whose gap is worth explaining.
BEHIND_STATUSES = frozenset({"at_risk", "off_course", "missed"})


@dataclass(frozen=True)
class PeriodGap:
    """A period's shortfall against its target (positive: behind), in the KPI's unit."""

    period: str
    gap: float


@dataclass(frozen=True)
class SegmentGap:
    """The segment furthest behind its reference over the compared periods."""

    segment: str
    gap: float  # its shortfall (positive: behind)
    share: float  # % of the shortfall of all segments behind
    reference: Reference
    behind: int  # segments behind their reference
    ahead: int  # segments at or ahead of it


@dataclass(frozen=True)
class Shortfall:
    """Why a KPI of a goal falls short."""

    kpi_id: str
    periods: tuple[PeriodGap, ...]
    segment: SegmentGap | None


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _behind(actual: float, reference: float, direction: str) -> float:
    """How far ``actual`` is behind ``reference`` (positive: behind)."""
    return actual - reference if direction == "lower" else reference - actual


def shortfall(evaluation: Evaluation, kp: KpiProgress, limit: int = 2) -> Shortfall | None:
    """The periods and the segment behind an additive KPI's shortfall; None when the KPI is
    on course, not additive, a range, or no compared period is behind."""
    if not kp.additive or kp.status not in BEHIND_STATUSES or kp.direction == "range":
        return None
    months = kp.months
    if months.empty:
        return None
    compared = months[
        months["actual"].notna()
        & months["target"].notna()
        & (months["period_start"] <= pd.Timestamp(kp.as_of))
    ]
    if kp.partial_period is not None:
        compared = compared[compared["period"] != kp.partial_period]
    labels = [str(p) for p in compared["period"]]
    gaps = [
        PeriodGap(label, _behind(float(a), float(tg), kp.direction))
        for label, a, tg in zip(labels, compared["actual"], compared["target"], strict=True)
    ]
    worst = sorted((g for g in gaps if g.gap > 0), key=lambda g: (-g.gap, g.period))[:limit]
    segment = _segment_gap(evaluation, kp, labels)
    if not worst and segment is None:
        return None
    return Shortfall(kp.kpi_id, tuple(worst), segment)


def _segment_gap(
    evaluation: Evaluation, kp: KpiProgress, labels: Sequence[str]
) -> SegmentGap | None:
    card = evaluation.scorecard
    kpi = next((k for k in card.kpis if k.id == kp.kpi_id), None)
    if kpi is None or not kpi.segment_column or not labels:
        return None
    detail = evaluation.detail
    mine = detail[(detail["kpi_id"] == kp.kpi_id) & (detail["segment"] != "")]
    segments = sorted(str(s) for s in mine["segment"].unique())
    if len(segments) < 2:
        return None
    fs = card.fiscal_year_start_month
    year_ago = [Period.parse(label, fs).same_period_last_year().label for label in labels]

    def values(rows: pd.DataFrame, wanted: Sequence[str], column: str) -> list[float | None]:
        by_label = dict(zip(rows["period"].astype(str), rows[column], strict=True))
        return [_finite(by_label.get(label)) for label in wanted]

    actuals: dict[str, float] = {}
    targets: dict[str, list[float | None]] = {}
    before: dict[str, list[float | None]] = {}
    for seg in segments:
        rows = evaluation.kpi_rows(kp.kpi_id, seg)
        # A segment without rows in a period sold nothing there: 0 in a sum.
        actuals[seg] = sum(v or 0.0 for v in values(rows, labels, "actual"))
        targets[seg] = values(rows, labels, "target")
        before[seg] = values(rows, year_ago, "actual")
    reference: Reference
    if all(v is not None for seg in segments for v in targets[seg]):
        reference = "target"
        refs = {seg: sum(v or 0.0 for v in targets[seg]) for seg in segments}
    elif all(any(v is not None for v in before[seg]) for seg in segments):
        reference = "last_year"
        refs = {seg: sum(v or 0.0 for v in before[seg]) for seg in segments}
        total_behind = _behind(sum(actuals.values()), sum(refs.values()), kp.direction)
        if total_behind <= 0:
            return None  # no drop against last year to explain
    else:
        return None
    gaps = {seg: _behind(actuals[seg], refs[seg], kp.direction) for seg in segments}
    behind = {seg: gap for seg, gap in gaps.items() if gap > 0}
    if not behind:
        return None
    seg = min(behind, key=lambda s: (-behind[s], s))
    share = behind[seg] / sum(behind.values()) * 100
    return SegmentGap(seg, behind[seg], share, reference, len(behind), len(segments) - len(behind))


def shortfall_text(found: Shortfall, scorecard: Scorecard, lang: str) -> str:
    """One or two plain sentences: the segment behind the shortfall and the periods furthest
    behind, with amounts in the reader's notation."""
    kpi = next(k for k in scorecard.kpis if k.id == found.kpi_id)
    cur = scorecard.currency

    def amount(value: float) -> str:
        return format_amount(value, kpi.unit, lang, cur)

    parts = []
    seg = found.segment
    if seg is not None:
        # Alone behind while others did better: a share of 100% would overstate it.
        alone = ".alone" if seg.behind == 1 and seg.ahead > 0 else ""
        parts.append(
            t(
                f"shortfall.segment{alone}.{seg.reference}",
                lang,
                segment=seg.segment,
                share=format_number(seg.share, lang, 0),
                gap=amount(seg.gap),
                kpi=kpi.name,
            )
        )
    if found.periods:
        listed = ", ".join(
            t("shortfall.period", lang, period=format_period(g.period, lang), gap=amount(g.gap))
            for g in found.periods
        )
        parts.append(t("shortfall.periods", lang, periods=listed))
    return " ".join(parts)
