"""Issue 18: when a digest is due; each recipient gets each period's digest once."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from kpilogic.workspace.schedule import DigestPlan, Recipient, due_period, mark_sent, waiting

TO = [Recipient(email="eigenaar@winkel.nl", lang="nl")]
TWO = [*TO, Recipient(email="board@winkel.nl", lang="en")]


def test_monthly_on_the_first_is_due_from_the_first_until_everyone_got_it() -> None:
    plan = DigestPlan(recipients=TWO, every="month", day=1)
    assert due_period(plan, date(2026, 12, 1)) == "2026-12"
    one = mark_sent({}, "2026-12", "eigenaar@winkel.nl")
    assert due_period(plan, date(2026, 12, 1), one) == "2026-12"  # the board still waits
    assert [r.email for r in waiting(plan, "2026-12", one)] == ["board@winkel.nl"]
    both = mark_sent(one, "2026-12", "BOARD@winkel.nl")  # addresses compare case-blind
    assert due_period(plan, date(2026, 12, 1), both) is None  # run twice: sent once
    assert due_period(plan, date(2026, 12, 20), both) is None
    assert due_period(plan, date(2027, 1, 1), both) == "2027-01"


def test_a_missed_day_is_caught_up_and_a_day_past_the_months_end_is_its_last_day() -> None:
    plan = DigestPlan(recipients=TO, every="month", day=31)
    assert due_period(plan, date(2026, 2, 27)) is None
    assert due_period(plan, date(2026, 2, 28)) == "2026-02"  # February has 28 days in 2026
    assert due_period(DigestPlan(recipients=TO, day=5), date(2026, 3, 9)) == "2026-03"


def test_weekly_on_a_weekday() -> None:
    plan = DigestPlan(recipients=TO, every="week", weekday=2)  # Wednesday
    assert due_period(plan, date(2026, 11, 30)) is None  # Monday of ISO week 49
    assert due_period(plan, date(2026, 12, 2)) == "2026-W49"  # Wednesday
    sent = mark_sent({}, "2026-W49", "eigenaar@winkel.nl")
    assert due_period(plan, date(2026, 12, 6), sent) is None  # Sunday, same week
    assert due_period(plan, date(2026, 12, 9), sent) == "2026-W50"


def test_no_recipients_never_due_and_only_24_periods_are_kept() -> None:
    assert due_period(DigestPlan(), date(2026, 12, 1)) is None
    sent: dict[str, list[str]] = {}
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            sent = mark_sent(sent, f"{year}-{month:02d}", "eigenaar@winkel.nl")
    assert len(sent) == 24 and min(sent) == "2026-01"


def test_a_bad_address_or_language_is_refused() -> None:
    with pytest.raises(ValidationError):
        Recipient(email="not an address")
    with pytest.raises(ValidationError):
        Recipient(email="a@b.nl", lang="fr")
