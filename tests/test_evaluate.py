"""Evaluation semantics (DESIGN.md), each rule with numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpilogic.engine.evaluate import (
    SUMMARY_COLUMNS,
    evaluate_scorecard,
    judge,
    pct_of_target,
    roll_up_goal,
)
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance
from kpilogic.scorecard.status import STYLES

TOL10 = Tolerance()


# -- the status rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (100.0, "on_track"),  # = target
        (120.0, "on_track"),
        (95.0, "at_risk"),  # within 10% of 100
        (90.0, "at_risk"),  # exactly target − 10: still at risk (≥)
        (89.99, "off_track"),
        (-5.0, "off_track"),
    ],
)
def test_higher_is_better(value: float, status: str) -> None:
    assert judge(value, "higher", TOL10, target=100.0).status == status


@pytest.mark.parametrize(
    ("value", "status"),
    [(50.0, "on_track"), (40.0, "on_track"), (55.0, "at_risk"), (55.01, "off_track")],
)
def test_lower_is_better(value: float, status: str) -> None:
    # target 50, tolerance 10% of 50 = 5 → at risk up to 55
    assert judge(value, "lower", TOL10, target=50.0).status == status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (150.0, "on_track"),
        (200.0, "on_track"),
        (250.0, "on_track"),
        (135.0, "at_risk"),  # 150 − 10% of 150 = 135
        (134.0, "off_track"),
        (275.0, "at_risk"),  # 250 + 10% of 250 = 275
        (276.0, "off_track"),
    ],
)
def test_range(value: float, status: str) -> None:
    assert judge(value, "range", TOL10, low=150.0, high=250.0).status == status


def test_absolute_tolerance() -> None:
    tol = Tolerance(kind="absolute", value=5)
    assert judge(95.0, "higher", tol, target=100.0).status == "at_risk"
    assert judge(94.9, "higher", tol, target=100.0).status == "off_track"
    assert judge(104.0, "lower", tol, target=100.0).status == "at_risk"


def test_no_target_and_no_value() -> None:
    assert judge(10.0, "higher", TOL10, target=None).status == "no_target"
    assert judge(float("nan"), "higher", TOL10, target=5.0).status == "no_data"
    assert judge(10.0, "range", TOL10, low=None, high=None).status == "no_target"


def test_reason_carries_the_numbers() -> None:
    j = judge(92_300.0, "higher", TOL10, target=100_000.0)
    assert j.status == "at_risk"
    assert j.reason.code == "higher.below_within_tolerance"
    assert j.reason.params["gap"] == pytest.approx(-7_700.0)
    assert j.reason.params["gap_pct"] == pytest.approx(-7.7)
    assert j.reason.params["tolerance"] == pytest.approx(10_000.0)


def test_pct_of_target_undefined_cases() -> None:
    assert pct_of_target(50.0, 200.0) == pytest.approx(25.0)
    assert pct_of_target(50.0, 0.0) is None
    assert pct_of_target(50.0, -10.0) is None
    assert pct_of_target(None, 10.0) is None


_SEVERITY = {s: STYLES[s].severity for s in STYLES}


@given(
    value=st.floats(-1e6, 1e6),
    step=st.floats(0, 1e6),
    target=st.floats(-1e6, 1e6),
    tol=st.floats(0, 100),
)
def test_status_never_improves_when_value_moves_the_wrong_way(
    value: float, step: float, target: float, tol: float
) -> None:
    tolerance = Tolerance(value=tol)
    # higher is better: lowering the value never improves the status
    better = judge(value, "higher", tolerance, target=target).status
    worse = judge(value - step, "higher", tolerance, target=target).status
    assert _SEVERITY[worse] >= _SEVERITY[better]
    # lower is better: raising the value never improves it
    better = judge(value, "lower", tolerance, target=target).status
    worse = judge(value + step, "lower", tolerance, target=target).status
    assert _SEVERITY[worse] >= _SEVERITY[better]


@given(
    lo=st.floats(0, 1e5),
    width=st.floats(0, 1e5),
    value=st.floats(-1e6, 1e6),
    step=st.floats(0, 1e6),
)
def test_range_status_never_improves_moving_away(
    lo: float, width: float, value: float, step: float
) -> None:
    hi = lo + width
    away = value + step if value >= hi else value - step if value <= lo else value
    near = judge(value, "range", TOL10, low=lo, high=hi).status
    far = judge(away, "range", TOL10, low=lo, high=hi).status
    assert _SEVERITY[far] >= _SEVERITY[near]


# -- a scorecard over a small, hand-made dataset ----------------------------------------------

ROWS = [
    # date, revenue, channel, plan
    ("2025-01-10", 100.0, "Web", 80.0),
    ("2025-01-20", 50.0, "Shop", 80.0),
    ("2025-02-05", 200.0, "Web", 150.0),
    # no rows in March .. December 2025
    ("2026-01-15", 180.0, "Web", 170.0),
    ("2026-02-14", 70.0, "Shop", 100.0),  # data end: 14 of 28 days of February
]


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": pd.to_datetime([r[0] for r in ROWS]),
            "Revenue": [r[1] for r in ROWS],
            "Channel": [r[2] for r in ROWS],
            "Plan": [r[3] for r in ROWS],
        }
    )


def _scorecard(*kpis: KPI, deadline: date | None = None) -> Scorecard:
    return Scorecard(
        name="Test",
        datasets=[Dataset(id="sales", name="Sales", source="sales.csv", date_column="Date")],
        goals=[Goal(id="g1", title="Grow", deadline=deadline)],
        kpis=list(kpis),
    )


def _kpi(**kw: object) -> KPI:
    base: dict[str, object] = {
        "id": "rev",
        "goal_id": "g1",
        "name": "Revenue",
        "dataset_id": "sales",
        "measure": Measure(aggregation="sum", column="Revenue"),
        "unit": "currency",
        "target": Target(value=160),
    }
    base.update(kw)
    return KPI.model_validate(base)


def _rows(kpi: KPI, as_of: date | None = None, deadline: date | None = None) -> pd.DataFrame:
    ev = evaluate_scorecard(_scorecard(kpi, deadline=deadline), {"sales": _data()}, as_of)
    assert not ev.errors, ev.errors
    return ev.detail[ev.detail["segment"] == ""].set_index("period")


def test_summary_columns_in_order() -> None:
    ev = evaluate_scorecard(_scorecard(_kpi()), {"sales": _data()})
    assert tuple(ev.summary().columns) == SUMMARY_COLUMNS
    # The first 19 columns keep their order; ``reliability`` was appended after them.
    assert SUMMARY_COLUMNS[:19] == (
        "goal_id",
        "goal",
        "kpi_id",
        "kpi",
        "segment",
        "period",
        "period_start",
        "period_end",
        "actual",
        "target",
        "pct_of_target",
        "gap",
        "status",
        "partial",
        "projected",
        "change_prev_pct",
        "change_yoy_pct",
        "ytd_actual",
        "ytd_target",
    )
    assert SUMMARY_COLUMNS[19:] == ("reliability",)


def test_reliability_of_each_kpi_is_carried_into_the_summary() -> None:
    from kpilogic.sources.parsing import ColumnParse, ParseFailure, ParseReport

    data = _data()
    ev = evaluate_scorecard(_scorecard(_kpi()), {"sales": data}, date(2026, 3, 31))
    assert ev.quality is not None
    score = ev.quality.kpis["rev"].score
    assert ev.summary()["reliability"].dtype == "Int64"
    assert set(ev.summary()["reliability"]) == {score}
    # Values that could not be read lower the score, and the report says which rows.
    report = ParseReport(
        {
            "Revenue": ColumnParse(
                "Revenue", "number", len(data) - 3, 3, 0, 0, (ParseFailure(7, "12,3,4"),)
            )
        }
    )
    shaky = evaluate_scorecard(
        _scorecard(_kpi()), {"sales": data}, date(2026, 3, 31), reports={"sales": report}
    )
    assert shaky.quality is not None
    finding = next(f for f in shaky.quality.kpis["rev"].findings if f.key == "quality.unreadable")
    assert finding.params["examples"] == ["12,3,4 (7)"]
    assert int(shaky.summary()["reliability"].iloc[0]) == score - finding.penalty


def test_constant_target_monthly() -> None:
    rows = _rows(_kpi())
    # 2025-01 .. 2026-02 is 14 months; the empty ones are there as "no data".
    assert list(rows.index) == [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01", "2026-02"]
    jan = rows.loc["2025-01"]
    assert jan["actual"] == pytest.approx(150.0)  # 100 + 50
    assert jan["target"] == pytest.approx(160.0)
    assert jan["pct_of_target"] == pytest.approx(93.75)  # 150 / 160
    assert jan["gap"] == pytest.approx(-10.0)
    assert jan["status"] == "at_risk"  # 150 ≥ 160 − 16
    feb = rows.loc["2025-02"]
    assert feb["status"] == "on_track"
    assert feb["change_prev_pct"] == pytest.approx(100 * 50 / 150)  # 150 → 200
    assert rows.loc["2025-03", "status"] == "no_data"
    assert math.isnan(rows.loc["2025-03", "actual"])
    jan26 = rows.loc["2026-01"]
    assert jan26["change_yoy_pct"] == pytest.approx(20.0)  # 150 → 180
    assert math.isnan(jan26["change_prev_pct"])  # December 2025 had no data


def test_partial_period_projects_additive_measures() -> None:
    feb = _rows(_kpi()).loc["2026-02"]
    assert bool(feb["partial"])
    assert feb["actual"] == pytest.approx(70.0)
    assert feb["projected"] == pytest.approx(140.0)  # 70 over 14 of 28 days
    # judged on the projection: 140 < 160 − 16 = 144
    assert feb["status"] == "off_track"
    assert feb["pct_of_target"] == pytest.approx(87.5)  # 140 / 160
    assert feb["gap"] == pytest.approx(-20.0)
    assert feb["change_yoy_pct"] == pytest.approx(-30.0)  # 200 → 140
    assert feb["change_prev_pct"] == pytest.approx(100 * (140 - 180) / 180)


def test_partial_period_of_a_mean_is_not_projected_nor_judged() -> None:
    kpi = _kpi(measure=Measure(aggregation="mean", column="Revenue"), target=Target(value=60))
    feb = _rows(kpi).loc["2026-02"]
    assert bool(feb["partial"])
    assert math.isnan(feb["projected"])
    # 14 of 28 days (50% ≥ 25%) but a mean does not add up: shown (70), not judged.
    assert feb["status"] == "in_progress"
    assert feb["actual"] == pytest.approx(70.0)
    assert math.isnan(feb["pct_of_target"]) and math.isnan(feb["gap"])


def test_year_to_date() -> None:
    rows = _rows(_kpi())
    assert rows.loc["2025-02", "ytd_actual"] == pytest.approx(350.0)  # 150 + 200
    assert rows.loc["2025-02", "ytd_target"] == pytest.approx(320.0)  # 2 × 160
    assert rows.loc["2025-12", "ytd_actual"] == pytest.approx(350.0)
    assert rows.loc["2025-12", "ytd_target"] == pytest.approx(1920.0)  # 12 × 160
    # 2026: January 180; February counts its target for the 14 days covered (half of 160)
    assert rows.loc["2026-02", "ytd_actual"] == pytest.approx(250.0)
    assert rows.loc["2026-02", "ytd_target"] == pytest.approx(240.0)


def test_growth_target_on_same_period_last_year() -> None:
    rows = _rows(_kpi(target=Target(kind="growth", growth_pct=10)))
    assert rows.loc["2025-01", "status"] == "no_target"  # no 2024 to grow on
    assert rows.loc["2026-01", "target"] == pytest.approx(165.0)  # 150 × 1.10
    assert rows.loc["2026-01", "status"] == "on_track"
    assert rows.loc["2026-02", "target"] == pytest.approx(220.0)  # 200 × 1.10
    assert rows.loc["2026-02", "status"] == "off_track"  # projection 140


def test_per_period_target_table() -> None:
    rows = _rows(_kpi(target=Target(kind="per_period", per_period={"2026-01": 175.0})))
    assert rows.loc["2026-01", "target"] == pytest.approx(175.0)
    assert rows.loc["2026-01", "status"] == "on_track"
    assert rows.loc["2025-01", "status"] == "no_target"


def test_annual_target_phased_evenly_and_by_profile() -> None:
    even = _rows(_kpi(target=Target(kind="annual", annual={"2026": 2400.0})))
    assert even.loc["2026-01", "target"] == pytest.approx(200.0)  # 2400 / 12
    assert even.loc["2025-01", "status"] == "no_target"  # no 2025 plan
    profile = [2.0] + [1.0] * 11  # January weighs double: 2/13 of the year
    prof = _rows(_kpi(target=Target(kind="annual", annual={"2026": 2600.0}, profile=profile)))
    assert prof.loc["2026-01", "target"] == pytest.approx(400.0)  # 2600 × 2/13
    assert prof.loc["2026-02", "target"] == pytest.approx(200.0)  # 2600 × 1/13
    quarterly = _rows(_kpi(cadence="quarter", target=Target(kind="annual", annual={"2026": 2400})))
    assert quarterly.loc["2026-Q1", "target"] == pytest.approx(600.0)


def test_target_column_in_the_data() -> None:
    rows = _rows(_kpi(target=Target(kind="column", column="Plan")))
    assert rows.loc["2025-01", "target"] == pytest.approx(160.0)  # 80 + 80
    assert rows.loc["2025-02", "target"] == pytest.approx(150.0)
    assert rows.loc["2025-02", "status"] == "on_track"


def test_lower_is_better_statuses() -> None:
    kpi = _kpi(direction="lower", target=Target(value=140))
    rows = _rows(kpi)
    assert rows.loc["2025-01", "status"] == "at_risk"  # 150 ≤ 140 + 14 = 154
    assert rows.loc["2025-02", "status"] == "off_track"  # 200 > 154
    assert rows.loc["2026-02", "status"] == "on_track"  # projection 140 ≤ 140


def test_range_kpi_target_and_gap() -> None:
    kpi = _kpi(direction="range", target=Target(low=160, high=190))
    rows = _rows(kpi)
    assert rows.loc["2025-01", "target"] == pytest.approx(175.0)  # middle of the range
    assert rows.loc["2025-01", "gap"] == pytest.approx(-10.0)  # 150 − 160
    assert rows.loc["2025-01", "status"] == "at_risk"  # 160 − 16 = 144 ≤ 150
    assert rows.loc["2025-02", "gap"] == pytest.approx(10.0)  # 200 − 190
    assert rows.loc["2026-01", "gap"] == pytest.approx(0.0)
    assert math.isnan(rows.loc["2026-01", "pct_of_target"])


def test_segments_with_own_targets() -> None:
    kpi = _kpi(segment_column="Channel", target=Target(value=160, segments={"Web": 100}))
    ev = evaluate_scorecard(_scorecard(kpi), {"sales": _data()})
    d = ev.detail.set_index(["segment", "period"])
    assert d.loc[("Web", "2025-01"), "actual"] == pytest.approx(100.0)
    assert d.loc[("Web", "2025-01"), "status"] == "on_track"
    assert d.loc[("Shop", "2025-01"), "actual"] == pytest.approx(50.0)
    assert d.loc[("Shop", "2025-01"), "status"] == "no_target"  # no Shop target given
    assert d.loc[("", "2025-01"), "actual"] == pytest.approx(150.0)
    assert d.loc[("Web", "2026-01"), "change_yoy_pct"] == pytest.approx(80.0)  # 100 → 180


def test_as_of_cuts_the_data() -> None:
    rows = _rows(_kpi(), as_of=date(2025, 2, 28))
    assert list(rows.index) == ["2025-01", "2025-02"]
    # the data is known up to the 28th: February is complete, not partial
    assert not bool(rows.loc["2025-02", "partial"])
    later = _rows(_kpi(), as_of=date(2026, 4, 10))
    assert later.index[-1] == "2026-04"
    assert later.loc["2026-04", "status"] == "no_data"
    # February 2026 ends before the as-of date: complete (the data stops on the 14th, but
    # by 10 April February is over), so it is judged on its actual, not projected.
    feb = later.loc["2026-02"]
    assert not bool(feb["partial"]) and math.isnan(feb["projected"])
    assert feb["status"] == "off_track"  # 70 < 160 − 16


def test_quarterly_and_weekly_cadence() -> None:
    q = _rows(_kpi(cadence="quarter", target=Target(value=400)))
    assert q.loc["2025-Q1", "actual"] == pytest.approx(350.0)
    assert q.loc["2025-Q1", "status"] == "off_track"  # 350 < 360
    # Q1 2026: 250 over 45 of 90 days (1 Jan .. 14 Feb) → 500 projected
    assert q.loc["2026-Q1", "projected"] == pytest.approx(500.0)
    w = _rows(_kpi(cadence="week", target=Target(value=100)))
    assert w.loc["2025-W02", "actual"] == pytest.approx(100.0)  # 10 Jan 2025 is in ISO week 2
    assert w.loc["2026-W07", "actual"] == pytest.approx(70.0)  # 14 Feb 2026 is a Saturday of W07
    # data end Saturday 14 Feb: 6 of 7 days of W07 (9..15 Feb) → 70 × 7/6
    assert w.loc["2026-W07", "projected"] == pytest.approx(70 * 7 / 6)


def test_fiscal_year_starting_in_april() -> None:
    kpi = _kpi(cadence="year", target=Target(value=400))
    card = _scorecard(kpi).model_copy(update={"fiscal_year_start_month": 4})
    ev = evaluate_scorecard(card, {"sales": _data()})
    rows = ev.detail.set_index("period")
    # FY2024/25 runs April 2024 .. March 2025 and holds all 2025 rows up to February
    assert rows.loc["FY2024/25", "actual"] == pytest.approx(350.0)
    assert rows.loc["FY2025/26", "actual"] == pytest.approx(250.0)


def test_goal_roll_up_is_worst_status_and_share_on_track() -> None:
    goal = Goal(id="g", title="G")
    up = roll_up_goal(goal, {"a": "on_track", "b": "at_risk", "c": "on_track", "d": "on_track"})
    assert up.status == "at_risk"
    assert up.health == pytest.approx(0.75)
    assert roll_up_goal(goal, {"a": "on_track", "b": "off_track"}).status == "off_track"
    assert roll_up_goal(goal, {}).health is None


def test_goal_statuses_from_an_evaluation() -> None:
    card = _scorecard(
        _kpi(id="a", target=Target(value=100)),  # latest (Feb 2026 projected 140) on track
        _kpi(id="b", target=Target(value=300)),  # 140 far below 300: off track
    )
    ev = evaluate_scorecard(card, {"sales": _data()})
    (goal,) = ev.goal_statuses()
    assert goal.status == "off_track"
    assert goal.health == pytest.approx(0.5)
    (earlier,) = ev.goal_statuses(up_to=date(2025, 2, 28))
    assert earlier.kpi_statuses == {"a": "on_track", "b": "off_track"}


def test_forecast_to_the_deadline() -> None:
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-30"]),
            "Revenue": [100.0, 110.0, 120.0, 130.0],
        }
    )
    for target, reaches in ((200.0, True), (250.0, False)):
        kpi = _kpi(target=Target(value=target))
        ev = evaluate_scorecard(_scorecard(kpi, deadline=date(2026, 12, 31)), {"sales": data})
        fc = ev.forecasts["rev"]
        # +10 a month from 130 in April: December is 8 months on → 210
        assert fc.period == "2026-12"
        assert fc.value == pytest.approx(210.0)
        assert fc.reaches is reaches


def test_a_broken_kpi_does_not_hide_the_others() -> None:
    good = _kpi(id="good")
    bad = _kpi(id="bad", measure=Measure(aggregation="sum", column="Nope"))
    ev = evaluate_scorecard(_scorecard(good, bad), {"sales": _data()})
    assert set(ev.errors) == {"bad"}
    assert set(ev.detail["kpi_id"]) == {"good"}
    assert "Nope" in ev.errors["bad"].message("en")


def test_row_order_does_not_change_the_result() -> None:
    card = _scorecard(_kpi(segment_column="Channel"))
    data = _data()
    a = evaluate_scorecard(card, {"sales": data}).summary()
    b = evaluate_scorecard(card, {"sales": data.iloc[::-1]}).summary()
    key = ["segment", "period"]
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    )


def test_a_monthly_table_is_not_a_partial_month() -> None:
    # One row per month dated on the 1st: the last row stands for all of March.
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "Revenue": [150.0, 170.0, 90.0],
        }
    )
    ev = evaluate_scorecard(_scorecard(_kpi()), {"sales": data})
    march = ev.detail.set_index("period").loc["2026-03"]
    assert not bool(march["partial"])
    assert math.isnan(march["projected"])
    assert march["status"] == "off_track"  # 90 < 144
    assert ev.data_end == date(2026, 3, 31)


def test_forecast_with_a_growth_target_uses_last_years_period() -> None:
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(
                ["2025-12-10", "2026-01-15", "2026-02-15", "2026-03-15", "2026-04-30"]
            ),
            "Revenue": [90.0, 100.0, 110.0, 120.0, 130.0],  # +10 a month
        }
    )
    for growth, reaches in ((10.0, True), (150.0, False)):
        kpi = _kpi(target=Target(kind="growth", growth_pct=growth))
        ev = evaluate_scorecard(_scorecard(kpi, deadline=date(2026, 12, 31)), {"sales": data})
        fc = ev.forecasts["rev"]
        assert fc.value == pytest.approx(210.0)
        # December 2025 was 90: the target for December 2026 is 90 × (1 + growth)
        assert fc.target == pytest.approx(90.0 * (1 + growth / 100))
        assert fc.reaches is reaches
