"""Periods: ISO weeks, months, quarters, (fiscal) years — labels and boundaries by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpilogic.scorecard.model import CADENCES
from kpilogic.scorecard.periods import Period, period_keys, period_range


@pytest.mark.parametrize(
    ("day", "cadence", "label", "start", "end"),
    [
        (date(2026, 3, 1), "month", "2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        (date(2024, 2, 29), "month", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        (date(2026, 5, 20), "quarter", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 12, 31), "year", "2026", date(2026, 1, 1), date(2026, 12, 31)),
        # 1 March 2026 is a Sunday: the last day of ISO week 9 (23 Feb .. 1 Mar)
        (date(2026, 3, 1), "week", "2026-W09", date(2026, 2, 23), date(2026, 3, 1)),
        # 1 January 2021 (Friday) still belongs to ISO week 53 of 2020
        (date(2021, 1, 1), "week", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        # 29 December 2025 (Monday) starts ISO week 1 of 2026
        (date(2025, 12, 29), "week", "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
    ],
)
def test_calendar_periods(day, cadence, label, start, end) -> None:
    p = Period.containing(day, cadence)
    assert (p.label, p.start, p.end) == (label, start, end)
    assert Period.parse(label) == p


@pytest.mark.parametrize(
    ("day", "cadence", "label", "start", "end"),
    [
        (date(2026, 3, 15), "year", "FY2025/26", date(2025, 4, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), "year", "FY2026/27", date(2026, 4, 1), date(2027, 3, 31)),
        (date(2026, 4, 30), "quarter", "FY2026/27-Q1", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2027, 2, 1), "quarter", "FY2026/27-Q4", date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_fiscal_year_starting_in_april(day, cadence, label, start, end) -> None:
    p = Period.containing(day, cadence, fiscal_start=4)
    assert (p.label, p.start, p.end) == (label, start, end)
    assert Period.parse(label, fiscal_start=4) == p


def test_fiscal_year_starting_in_october_months() -> None:
    p = Period.containing(date(2026, 11, 5), "month", fiscal_start=10)
    assert p.fiscal_year().label == "FY2026/27"
    assert p.months() == [1]  # November is the 2nd month of the fiscal year
    assert len(p.periods_in_year()) == 12


def test_neighbours() -> None:
    jan = Period.containing(date(2026, 1, 10), "month")
    assert jan.previous().label == "2025-12"
    assert jan.same_period_last_year().label == "2025-01"
    q1 = Period.containing(date(2026, 1, 10), "quarter")
    assert q1.previous().label == "2025-Q4"
    assert q1.same_period_last_year().label == "2025-Q1"
    w53 = Period.parse("2020-W53")
    assert w53.same_period_last_year().label == "2019-W52"  # 2019 has no week 53
    assert [p.label for p in period_range(jan, jan.shift(2))] == ["2026-01", "2026-02", "2026-03"]


def test_weeks_in_a_year() -> None:
    assert len(Period.parse("2026-W10").periods_in_year()) == 53  # 2026 starts on a Thursday
    assert len(Period.parse("2025-W10").periods_in_year()) == 52


def test_bad_label() -> None:
    with pytest.raises(ValueError, match="not a period label"):
        Period.parse("March")


@given(
    day=st.dates(date(1900, 1, 1), date(2200, 12, 31)),
    cadence=st.sampled_from(CADENCES),
    fiscal=st.integers(1, 12),
)
def test_every_day_lies_in_its_period(day: date, cadence, fiscal: int) -> None:
    p = Period.containing(day, cadence, fiscal)
    assert p.start <= day <= p.end
    assert p.shift(1).start == p.end + timedelta(days=1)
    assert Period.parse(p.label, fiscal) == p


@given(
    days=st.lists(st.dates(date(1990, 1, 1), date(2100, 1, 1)), min_size=1, max_size=20),
    cadence=st.sampled_from(CADENCES),
    fiscal=st.integers(1, 12),
)
def test_vectorised_keys_match(days, cadence, fiscal: int) -> None:
    keys = period_keys(pd.Series(pd.to_datetime(days)), cadence, fiscal)
    assert list(keys) == [Period.containing(d, cadence, fiscal).key for d in days]


def test_pre_aggregated_tables_cover_their_whole_last_period() -> None:
    from kpilogic.scorecard.periods import coverage_end, data_granularity

    monthly = pd.Series(pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]))
    assert data_granularity(monthly) == "month"
    assert coverage_end(monthly) == date(2026, 3, 31)
    quarterly = pd.Series(pd.to_datetime(["2025-10-01", "2026-01-01", "2026-04-01"]))
    assert data_granularity(quarterly) == "quarter"
    assert coverage_end(quarterly) == date(2026, 6, 30)
    yearly = pd.Series(pd.to_datetime(["2025-01-01", "2026-01-01"]))
    assert coverage_end(yearly) == date(2026, 12, 31)
    transactions = pd.Series(pd.to_datetime(["2026-01-01", "2026-02-14"]))
    assert data_granularity(transactions) is None
    assert coverage_end(transactions) == date(2026, 2, 14)
