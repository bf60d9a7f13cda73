"""When a workspace's digest is due, and to whom it goes (issue 18).

The owner of a workspace sets who receives the digest and when: monthly on day N (a day past
the month's end means its last day) or weekly on a weekday. It is kept in the workspace's
settings under ``"digest"`` (``DigestPlan``); what was sent is kept apart, under
``"digest_sent"`` (``Sent``: period → the addresses it reached), so editing the plan never
forgets a delivery. A digest is due on its day and stays due until every recipient got it for
that period: ``koers scheduler`` may run every hour, or miss a day when the machine was off, or
fail for one address, and still sends each recipient each period's digest exactly once.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kpilogic.i18n import LANGS

Weekday = Annotated[int, Field(ge=0, le=6)]  # Monday = 0, as date.weekday()


class Recipient(BaseModel):
    """Someone who receives the digest, in their language; ``owner``: the KPI owner's name
    as written on the scorecard, so their digest starts with the values due from them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", max_length=254)
    lang: str = Field(default="nl", pattern="^(" + "|".join(LANGS) + ")$")
    owner: str | None = Field(default=None, max_length=200)


class DigestPlan(BaseModel):
    """Who receives the digest and when."""

    model_config = ConfigDict(extra="forbid")

    recipients: list[Recipient] = Field(default_factory=list, max_length=200)
    every: Literal["month", "week"] = "month"
    day: Annotated[int, Field(ge=1, le=31)] = 1  # every month, on this day
    weekday: Weekday = 0  # every week, on this weekday


# period → the addresses the digest reached for it (the 24 most recent periods kept)
Sent = dict[str, list[str]]


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def scheduled_day(plan: DigestPlan, today: date) -> tuple[str, date]:
    """The period holding ``today`` (``2026-12`` or ``2026-W49``) and its digest day."""
    if plan.every == "month":
        return f"{today:%Y-%m}", _month_day(today.year, today.month, plan.day)
    monday = today - timedelta(days=today.weekday())
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", monday + timedelta(days=plan.weekday)


def due_period(plan: DigestPlan, today: date, sent: Sent | None = None) -> str | None:
    """The period whose digest should go out now, or None: its day has come and a recipient
    has not got it yet; a plan without recipients is never due."""
    if not plan.recipients:
        return None
    period, day = scheduled_day(plan, today)
    if today < day or not waiting(plan, period, sent):
        return None
    return period


def waiting(plan: DigestPlan, period: str, sent: Sent | None) -> list[Recipient]:
    """The recipients who have not got ``period``'s digest yet."""
    reached = {a.lower() for a in (sent or {}).get(period, [])}
    return [r for r in plan.recipients if r.email.lower() not in reached]


def mark_sent(sent: Sent | None, period: str, address: str) -> Sent:
    """``sent`` with ``address`` reached for ``period`` (the 24 most recent periods kept)."""
    merged = {k: list(v) for k, v in (sent or {}).items()}
    reached = merged.setdefault(period, [])
    if address.lower() not in {a.lower() for a in reached}:
        reached.append(address)
    return dict(sorted(merged.items())[-24:])
