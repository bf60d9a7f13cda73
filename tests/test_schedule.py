"""Issue 18: when a digest is due; each period's digest goes out once."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from kpilogic.workspace.schedule import DigestPlan, Recipient, due_period, mark_sent

TO = [Recipient(email="eigenaar@winkel.nl", lang="nl")]


def test_monthly_on_the_first_is_due_from_the_first_until_sent() -> None:
    plan = DigestPlan(recipients=TO, every="month", day=1)
    assert due_period(plan, date(2026, 12, 1)) == "2026-12"
    sent = mark_sent(plan, "2026-12", date(2026, 12, 1))
    assert due_period(sent, date(2026, 12, 1)) is None  # run twice: sent once
    assert due_period(sent, date(2026, 12, 20)) is None
    assert due_period(sent, date(2027, 1, 1)) == "2027-01"


def test_a_missed_day_is_caught_up_and_a_day_past_the_months_end_is_its_last_day() -> None:
    plan = DigestPlan(recipients=TO, every="month", day=31)
    assert due_period(plan, date(2026, 2, 27)) is None
    assert due_period(plan, date(2026, 2, 28)) == "2026-02"  # February has 28 days in 2026
    assert due_period(DigestPlan(recipients=TO, day=5), date(2026, 3, 9)) == "2026-03"


def test_weekly_on_a_weekday() -> None:
    plan = DigestPlan(recipients=TO, every="week", weekday=2)  # Wednesday
    assert due_period(plan, date(2026, 11, 30)) is None  # Monday of ISO week 49
    assert due_period(plan, date(2026, 12, 2)) == "2026-W49"  # Wednesday
    sent = mark_sent(plan, "2026-W49", date(2026, 12, 2))
    assert due_period(sent, date(2026, 12, 6)) is None  # Sunday, same week
    assert due_period(sent, date(2026, 12, 9)) == "2026-W50"


def test_no_recipients_never_due_and_only_24_periods_are_kept() -> None:
    assert due_period(DigestPlan(), date(2026, 12, 1)) is None
    plan = DigestPlan(recipients=TO)
    for month in range(1, 13):
        for year in (2025, 2026, 2027):
            plan = mark_sent(plan, f"{year}-{month:02d}", date(year, month, 1))
    assert len(plan.sent) == 24 and min(plan.sent) == "2026-01"


def test_a_bad_address_or_language_is_refused() -> None:
    with pytest.raises(ValidationError):
        Recipient(email="not an address")
    with pytest.raises(ValidationError):
        Recipient(email="a@b.nl", lang="fr")
