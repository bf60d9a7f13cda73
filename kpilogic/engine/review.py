"""Review: which KPIs are due for a check-in, and why — the "adjust" step of the loop.

Each KPI has a review cadence. Once one of its periods has ended, that period should get a
check-in (a note, the action taken, who, the next review date; see ``kpilogic.scorecard.checkins``).
``review_due`` compares the evaluated scorecard and the check-ins kept so far with today's
date and lists what is open, for the Review page, the dashboard and the downloads alike.

Rules, per KPI (in scorecard order), most pressing first:

- ``off_course_without_checkin``: the KPI is at risk or off track in its latest period with
  data (``Evaluation.latest(kpi_id, up_to=today)``; that may be a running period) and that
  period has no check-in.
- ``next_review_passed``: the KPI's newest check-in (by ``created_at``) planned its next
  review for a day before ``today``, and no check-in has been made since that day.
- ``due``: the KPI's latest completed period — the period of its cadence just before the one
  containing ``today`` — has no check-in. A KPI appears once per period: when that period
  is also the off-course one, only the off-course item is listed.

A check-in counts for a period when its ``period`` label equals the period's label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from kpilogic.engine.evaluate import Evaluation
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Cadence, Scorecard
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.status import Status

ReasonKey = Literal["off_course_without_checkin", "next_review_passed", "due"]
REASON_KEYS: tuple[ReasonKey, ...] = ("off_course_without_checkin", "next_review_passed", "due")
OFF_COURSE: tuple[Status, ...] = ("off_track", "at_risk")


@dataclass(frozen=True)
class ReviewItem:
    """One open review: ``kpi_id`` should get a check-in for ``period`` because of
    ``reason_key``.

    ``status`` is the KPI's status in ``period`` (``no_data`` when the evaluation has no row
    for it). ``since`` is the day the review became due: the day after the period ended
    (``due``), the planned next review (``next_review_passed``), or None (off course).
    """

    kpi_id: str
    period: str
    status: Status
    reason_key: ReasonKey
    since: date | None = None


def latest_completed_period(cadence: Cadence, today: date, fiscal_start: int = 1) -> Period:
    """The period of ``cadence`` that ended most recently before ``today``."""
    return Period.containing(today, cadence, fiscal_start).previous()


def status_in(evaluation: Evaluation, kpi_id: str, period: str) -> Status:
    """The KPI's status (total, not a segment) in the period labelled ``period``.

    ``no_data`` when the evaluation has no row for it (not evaluated, or beyond the data).
    """
    rows = evaluation.kpi_rows(kpi_id)
    match = rows[rows["period"] == period]
    if match.empty:
        return "no_data"
    status: Status = match.iloc[-1]["status"]
    return status


def latest_checkins(checkins: Iterable[CheckIn]) -> dict[str, CheckIn]:
    """The newest check-in (by ``created_at``) of each KPI."""
    newest: dict[str, CheckIn] = {}
    for checkin in checkins:
        current = newest.get(checkin.kpi_id)
        if current is None or checkin.created_at > current.created_at:
            newest[checkin.kpi_id] = checkin
    return newest


def review_due(
    scorecard: Scorecard,
    evaluation: Evaluation,
    checkins: Iterable[CheckIn],
    today: date,
) -> list[ReviewItem]:
    """What needs a check-in on ``today``: see the module's rules.

    Items come per KPI in scorecard order; within a KPI off course first, then a passed next
    review, then the completed period that is due. KPIs that could not be evaluated are only
    checked for the cadence and next-review rules (their status is ``no_data``).
    """
    items = list(checkins)
    seen: set[tuple[str, str]] = {(c.kpi_id, c.period) for c in items}
    newest = latest_checkins(items)
    fiscal_start = scorecard.fiscal_year_start_month
    out: list[ReviewItem] = []
    for kpi in scorecard.kpis:
        listed: set[str] = set()

        if kpi.id not in evaluation.errors:
            row = evaluation.latest(kpi.id, up_to=today)
            if row is not None and row["status"] in OFF_COURSE:
                period = str(row["period"])
                if (kpi.id, period) not in seen:
                    out.append(
                        ReviewItem(kpi.id, period, row["status"], "off_course_without_checkin")
                    )
                    listed.add(period)

        last = newest.get(kpi.id)
        if last is not None and last.next_review is not None and last.next_review < today:
            # A check-in made on or after the planned day is that review.
            done = _made_since(items, kpi.id, last.next_review)
            if not done and last.period not in listed:
                status = status_in(evaluation, kpi.id, last.period)
                out.append(
                    ReviewItem(kpi.id, last.period, status, "next_review_passed", last.next_review)
                )
                listed.add(last.period)

        completed = latest_completed_period(kpi.cadence, today, fiscal_start)
        label = completed.label
        if (kpi.id, label) not in seen and label not in listed:
            status = status_in(evaluation, kpi.id, label)
            since = completed.shift(1).start
            out.append(ReviewItem(kpi.id, label, status, "due", since))
    return out


def _made_since(checkins: Iterable[CheckIn], kpi_id: str, day: date) -> bool:
    # ``created_at`` is UTC; compare on the local calendar day the user saw.
    return any(c.kpi_id == kpi_id and c.created_at.astimezone().date() >= day for c in checkins)


def open_periods(items: Iterable[ReviewItem]) -> Mapping[str, list[str]]:
    """The periods with an open review, per KPI, in the order of ``items``."""
    out: dict[str, list[str]] = {}
    for item in items:
        periods = out.setdefault(item.kpi_id, [])
        if item.period not in periods:
            periods.append(item.period)
    return out


def kpi_periods(evaluation: Evaluation, kpi_id: str, up_to: date | None = None) -> list[str]:
    """The KPI's evaluated period labels begun by ``up_to``, newest first."""
    rows = evaluation.kpi_rows(kpi_id)
    if up_to is not None:
        rows = rows[rows["period_start"] <= pd.Timestamp(up_to)]
    return [str(p) for p in reversed(rows["period"].tolist())]


__all__ = [
    "REASON_KEYS",
    "ReasonKey",
    "ReviewItem",
    "kpi_periods",
    "latest_checkins",
    "latest_completed_period",
    "open_periods",
    "review_due",
    "status_in",
]
