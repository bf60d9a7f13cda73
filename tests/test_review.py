"""What is due for review, with dates and periods worked out by hand.

The data (one row per day listed) and the KPIs:

- ``revenue`` (sum of Revenue, month, higher, target 1000, tolerance 10% → at risk from 900):
  Jan 1200 → on track; Feb 950 → at risk; Mar 1500 → on track.
- ``satisfaction`` (mean of Score, month, higher, target 4.0, absolute tolerance 0.2 → at risk
  from 3.8): Jan 4.3 on track; Feb 3.9 at risk; Mar 3.5 off track.
- ``orders`` (count, quarter, no target): only 2026-Q1 is evaluated.
- ``weekly_score`` (mean of Score, week, same target): rows fall in 2026-W03 (15 Jan),
  2026-W07 (10 Feb) and 2026-W10 (5 Mar: Monday 2 to Sunday 8 March) → 3.5 off track.

The dataset says its data is complete through 31 March (``complete_through``), so March
and ISO week 10 are complete periods and judged: the review rules are tested here, the
partial-period rules in ``test_evaluate`` and ``test_trust_eval``.

``TODAY`` is Wednesday 18 March 2026, in ISO week 12 (16–22 March). So the latest completed
periods are 2026-02 (month), 2025-Q4 (quarter) and 2026-W11 (9–15 March).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.engine.review import (
    ReviewItem,
    kpi_periods,
    latest_checkins,
    latest_completed_period,
    open_periods,
    review_due,
    status_in,
)
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance

TODAY = date(2026, 3, 18)
SCORE_TARGET = Target(value=4.0)
SCORE_TOLERANCE = Tolerance(kind="absolute", value=0.2)


def _card() -> Scorecard:
    return Scorecard(
        name="Shop",
        datasets=[
            Dataset(
                id="d",
                name="Sales",
                source="d.csv",
                date_column="Date",
                complete_through=date(2026, 3, 31),
            )
        ],
        goals=[Goal(id="g", title="Grow")],
        kpis=[
            KPI(
                id="revenue",
                goal_id="g",
                name="Revenue",
                dataset_id="d",
                measure=Measure(aggregation="sum", column="Revenue"),
                target=Target(value=1000),
                owner="Ann",
                action="Call lapsed customers",
            ),
            KPI(
                id="satisfaction",
                goal_id="g",
                name="Satisfaction",
                dataset_id="d",
                measure=Measure(aggregation="mean", column="Score"),
                target=SCORE_TARGET,
                tolerance=SCORE_TOLERANCE,
            ),
            KPI(
                id="orders",
                goal_id="g",
                name="Orders",
                dataset_id="d",
                measure=Measure(aggregation="count"),
                cadence="quarter",
            ),
            KPI(
                id="weekly_score",
                goal_id="g",
                name="Weekly score",
                dataset_id="d",
                measure=Measure(aggregation="mean", column="Score"),
                target=SCORE_TARGET,
                tolerance=SCORE_TOLERANCE,
                cadence="week",
            ),
        ],
    )


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-15", "2026-02-10", "2026-03-05"]),
            "Revenue": [1200.0, 950.0, 1500.0],
            "Score": [4.3, 3.9, 3.5],
        }
    )


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return evaluate_scorecard(_card(), {"d": _data()})


def _checkin(
    kpi_id: str,
    period: str,
    created: datetime = datetime(2026, 3, 2, 10, tzinfo=UTC),
    next_review: date | None = None,
) -> CheckIn:
    return CheckIn(
        kpi_id=kpi_id,
        period=period,
        note="seen",
        who="Ann",
        next_review=next_review,
        created_at=created,
    )


def _keys(items: list[ReviewItem]) -> list[tuple[str, str, str]]:
    return [(i.kpi_id, i.period, i.reason_key) for i in items]


def test_the_evaluation_is_as_worked_out_by_hand(ev: Evaluation) -> None:
    assert status_in(ev, "revenue", "2026-02") == "at_risk"
    assert status_in(ev, "revenue", "2026-03") == "on_track"  # 1500 ≥ 1000
    assert status_in(ev, "satisfaction", "2026-01") == "on_track"
    assert status_in(ev, "satisfaction", "2026-02") == "at_risk"
    assert status_in(ev, "satisfaction", "2026-03") == "off_track"
    assert status_in(ev, "weekly_score", "2026-W10") == "off_track"
    assert status_in(ev, "weekly_score", "2026-W11") == "no_data"  # beyond the data
    assert status_in(ev, "orders", "2025-Q4") == "no_data"  # before the data
    assert status_in(ev, "orders", "2026-Q1") == "no_target"


@pytest.mark.parametrize(
    ("cadence", "today", "fiscal_start", "label"),
    [
        ("month", date(2026, 3, 18), 1, "2026-02"),
        ("month", date(2026, 1, 5), 1, "2025-12"),
        ("month", date(2026, 3, 1), 1, "2026-02"),  # the first day: February has ended
        ("week", date(2026, 3, 18), 1, "2026-W11"),
        ("week", date(2026, 3, 16), 1, "2026-W11"),  # Monday: week 11 ended yesterday
        ("week", date(2026, 1, 1), 1, "2025-W52"),  # Thursday of 2026-W01
        ("quarter", date(2026, 3, 18), 1, "2025-Q4"),
        ("quarter", date(2026, 4, 1), 1, "2026-Q1"),
        ("year", date(2026, 3, 18), 1, "2025"),
        ("quarter", date(2026, 5, 10), 4, "FY2025/26-Q4"),  # fiscal Q1 is April–June
        ("year", date(2026, 5, 10), 4, "FY2025/26"),  # April 2025 to March 2026
    ],
)
def test_latest_completed_period(cadence: str, today: date, fiscal_start: int, label: str) -> None:
    assert latest_completed_period(cadence, today, fiscal_start).label == label  # type: ignore[arg-type]


def test_without_checkins_everything_is_open(ev: Evaluation) -> None:
    items = review_due(_card(), ev, [], TODAY)
    assert items == [
        ReviewItem("revenue", "2026-02", "at_risk", "due", date(2026, 3, 1)),
        ReviewItem("satisfaction", "2026-03", "off_track", "off_course_without_checkin"),
        ReviewItem("satisfaction", "2026-02", "at_risk", "due", date(2026, 3, 1)),
        ReviewItem("orders", "2025-Q4", "no_data", "due", date(2026, 1, 1)),
        ReviewItem("weekly_score", "2026-W10", "off_track", "off_course_without_checkin"),
        ReviewItem("weekly_score", "2026-W11", "no_data", "due", date(2026, 3, 16)),
    ]


def test_a_checkin_for_the_completed_period_closes_it(ev: Evaluation) -> None:
    items = review_due(_card(), ev, [_checkin("satisfaction", "2026-02")], TODAY)
    assert ("satisfaction", "2026-02", "due") not in _keys(items)
    assert ("satisfaction", "2026-03", "off_course_without_checkin") in _keys(items)
    assert ("revenue", "2026-02", "due") in _keys(items)  # other KPIs are untouched


def test_a_checkin_for_the_off_course_period_closes_it(ev: Evaluation) -> None:
    items = review_due(_card(), ev, [_checkin("satisfaction", "2026-03")], TODAY)
    assert [k for k in _keys(items) if k[0] == "satisfaction"] == [
        ("satisfaction", "2026-02", "due")
    ]


def test_a_checkin_of_another_kpi_or_period_does_not_count(ev: Evaluation) -> None:
    checkins = [_checkin("revenue", "2026-03"), _checkin("orders", "2026-Q1")]
    items = review_due(_card(), ev, checkins, TODAY)
    assert ("revenue", "2026-02", "due") in _keys(items)
    assert ("orders", "2025-Q4", "due") in _keys(items)
    assert ("satisfaction", "2026-02", "due") in _keys(items)


def test_at_risk_counts_as_off_course(ev: Evaluation) -> None:
    # On 20 February the latest period with data is February: 3.9 → at risk.
    items = review_due(_card(), ev, [], date(2026, 2, 20))
    sat = [i for i in items if i.kpi_id == "satisfaction"]
    assert sat == [
        ReviewItem("satisfaction", "2026-02", "at_risk", "off_course_without_checkin"),
        ReviewItem("satisfaction", "2026-01", "on_track", "due", date(2026, 2, 1)),
    ]


def test_one_item_when_the_due_period_is_also_off_course(ev: Evaluation) -> None:
    # On 2 April, March has ended and is also the latest period with data (off track).
    items = review_due(_card(), ev, [], date(2026, 4, 2))
    assert [k for k in _keys(items) if k[0] == "satisfaction"] == [
        ("satisfaction", "2026-03", "off_course_without_checkin")
    ]
    assert ("revenue", "2026-03", "due") in _keys(items)
    assert ("orders", "2026-Q1", "due") in _keys(items)


def test_next_review_passed(ev: Evaluation) -> None:
    done = _checkin("revenue", "2026-02", next_review=date(2026, 3, 10))
    items = review_due(_card(), ev, [done], TODAY)
    revenue = [i for i in items if i.kpi_id == "revenue"]
    assert revenue == [
        ReviewItem("revenue", "2026-02", "at_risk", "next_review_passed", date(2026, 3, 10))
    ]


def test_next_review_today_or_later_is_not_passed(ev: Evaluation) -> None:
    for day in (TODAY, date(2026, 4, 1)):
        items = review_due(_card(), ev, [_checkin("revenue", "2026-02", next_review=day)], TODAY)
        assert [i for i in items if i.kpi_id == "revenue"] == []


def test_a_later_checkin_is_the_planned_review(ev: Evaluation) -> None:
    planned = _checkin("revenue", "2026-02", next_review=date(2026, 3, 10))
    later = _checkin("revenue", "2026-03", created=datetime(2026, 3, 12, 9, tzinfo=UTC))
    items = review_due(_card(), ev, [planned, later], TODAY)
    assert [i for i in items if i.kpi_id == "revenue"] == []


def test_only_the_newest_checkin_plans_the_next_review(ev: Evaluation) -> None:
    # The January check-in planned 1 March; the February one (newer) plans 1 April.
    old = _checkin(
        "revenue", "2026-01", created=datetime(2026, 2, 3, tzinfo=UTC), next_review=date(2026, 3, 1)
    )
    new = _checkin("revenue", "2026-02", next_review=date(2026, 4, 1))
    items = review_due(_card(), ev, [new, old], TODAY)
    assert [i for i in items if i.kpi_id == "revenue"] == []
    assert latest_checkins([old, new])["revenue"] == new


def test_a_passed_review_and_the_due_period_are_two_items(ev: Evaluation) -> None:
    old = _checkin(
        "revenue", "2026-01", created=datetime(2026, 2, 3, tzinfo=UTC), next_review=date(2026, 3, 1)
    )
    items = review_due(_card(), ev, [old], TODAY)
    assert [i for i in items if i.kpi_id == "revenue"] == [
        ReviewItem("revenue", "2026-01", "on_track", "next_review_passed", date(2026, 3, 1)),
        ReviewItem("revenue", "2026-02", "at_risk", "due", date(2026, 3, 1)),
    ]
    assert open_periods(items)["revenue"] == ["2026-01", "2026-02"]


def test_a_kpi_that_could_not_be_evaluated_is_still_due() -> None:
    card = _card()
    ev = evaluate_scorecard(card, {})  # the dataset is missing
    assert set(ev.errors) == {"revenue", "satisfaction", "orders", "weekly_score"}
    items = review_due(card, ev, [], TODAY)
    assert _keys(items) == [
        ("revenue", "2026-02", "due"),
        ("satisfaction", "2026-02", "due"),
        ("orders", "2025-Q4", "due"),
        ("weekly_score", "2026-W11", "due"),
    ]
    assert {i.status for i in items} == {"no_data"}


def test_items_are_frozen(ev: Evaluation) -> None:
    item = review_due(_card(), ev, [], TODAY)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.period = "2026-01"  # type: ignore[misc]


def test_kpi_periods_newest_first(ev: Evaluation) -> None:
    assert kpi_periods(ev, "revenue") == ["2026-03", "2026-02", "2026-01"]
    assert kpi_periods(ev, "revenue", up_to=date(2026, 2, 28)) == ["2026-02", "2026-01"]
    assert kpi_periods(ev, "nope") == []
