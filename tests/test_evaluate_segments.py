"""Segments roll up into their goal, the total's target with per-segment targets, and the
range tolerance measured from the crossed bound — each with numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard, judge, kpi_status_for_goal, roll_up_goal
from kpilogic.scorecard.explain import explain_reason
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance

JAN = date(2026, 1, 31)  # evaluate on the last day of January: the month is complete


def _data(west: bool = False) -> pd.DataFrame:
    rows = [
        ("2026-01-05", "North", 300.0, 2),
        ("2026-01-20", "North", 400.0, 3),
        ("2026-01-10", "South", 170.0, 1),
        ("2026-01-31", "South", 200.0, 2),
    ]
    if west:
        rows.append(("2026-01-15", "West", 50.0, 1))
    return pd.DataFrame(
        {
            "Date": pd.to_datetime([r[0] for r in rows]),
            "Region": [r[1] for r in rows],
            "Revenue": [r[2] for r in rows],
            "Orders": [r[3] for r in rows],
        }
    )


def _kpi(kpi_id: str = "revenue", **kw) -> KPI:
    fields = {
        "id": kpi_id,
        "goal_id": "g",
        "name": kpi_id.title(),
        "dataset_id": "d",
        "measure": Measure(aggregation="sum", column="Revenue"),
        "segment_column": "Region",
        "target": Target(segments={"North": 600, "South": 400}),
        **kw,
    }
    return KPI(**fields)


def _evaluate(*kpis: KPI, west: bool = False):
    card = Scorecard(
        name="Segments",
        datasets=[Dataset(id="d", name="Sales", source="s.csv", date_column="Date")],
        goals=[Goal(id="g", title="Grow")],
        kpis=list(kpis),
    )
    return evaluate_scorecard(card, {"d": _data(west)}, as_of=JAN)


def _row(ev, kpi_id: str, segment: str = "") -> pd.Series:
    rows = ev.kpi_rows(kpi_id, segment)
    return rows[rows["period"] == "2026-01"].iloc[0]


def test_one_region_at_risk_makes_the_goal_at_risk_and_costs_health() -> None:
    orders = _kpi(
        "orders",
        measure=Measure(aggregation="sum", column="Orders"),
        segment_column=None,
        target=Target(value=8),
    )
    ev = _evaluate(_kpi(), orders)
    # Total 300 + 400 + 170 + 200 = 1070 against 600 + 400 = 1000: on track.
    assert _row(ev, "revenue")["status"] == "on_track"
    # North 300 + 400 = 700 ≥ 600: on track. South 170 + 200 = 370 < 400 but ≥ 400 − 10%·400
    # = 360: at risk.
    assert _row(ev, "revenue", "North")["status"] == "on_track"
    assert _row(ev, "revenue", "South")["status"] == "at_risk"
    # Orders 2 + 3 + 1 + 2 = 8 ≥ 8: on track.
    assert _row(ev, "orders")["status"] == "on_track"
    (goal,) = ev.goal_statuses()
    assert goal.status == "at_risk"  # South drags revenue, and so the goal
    assert goal.kpi_statuses == {"revenue": "at_risk", "orders": "on_track"}
    assert goal.total_statuses == {"revenue": "on_track", "orders": "on_track"}
    assert goal.health == pytest.approx(0.5)  # 1 of 2 KPIs on track in total and every region
    assert goal.segments_below_total() == [("revenue", "South", "at_risk")]


def test_total_target_is_the_sum_of_the_segment_targets() -> None:
    row = _row(_evaluate(_kpi()), "revenue")
    assert row["target"] == pytest.approx(1000.0)  # 600 + 400
    assert row["gap"] == pytest.approx(70.0)  # 1070 − 1000
    assert row["pct_of_target"] == pytest.approx(107.0)  # 1070 / 1000
    assert row["reason"]["target_from_segments"] == 2
    assert explain_reason(row["reason"], "currency", "en").endswith(
        "The target is the sum of the targets of 2 segments."
    )
    assert "som van de doelwaarden van 2 segmenten" in explain_reason(
        row["reason"], "currency", "nl"
    )
    assert row["ytd_target"] == pytest.approx(1000.0)


def test_an_explicit_total_target_wins_over_the_sum() -> None:
    kpi = _kpi(target=Target(value=1100, segments={"North": 600, "South": 400}))
    row = _row(_evaluate(kpi), "revenue")
    assert row["target"] == pytest.approx(1100.0)
    assert row["status"] == "at_risk"  # 1070 < 1100, ≥ 1100 − 110 = 990


def test_a_segment_without_target_leaves_the_total_without_one_and_says_so() -> None:
    row = _row(_evaluate(_kpi(), west=True), "revenue")
    # West sold 50 but has no target: 1120 against 1000 would compare the whole with a part.
    assert row["actual"] == pytest.approx(1120.0)
    assert math.isnan(row["target"])
    assert row["status"] == "no_target"
    assert row["reason_code"] == "no_target.segments_incomplete"
    assert row["reason"]["segments_without_target"] == ["West"]
    en = explain_reason(row["reason"], "currency", "en")
    nl = explain_reason(row["reason"], "currency", "nl")
    assert "not every segment in the data has a target" in en
    assert "niet elk segment in de gegevens heeft een doelwaarde" in nl


def test_an_average_gets_no_summed_target_and_says_so() -> None:
    kpi = _kpi(measure=Measure(aggregation="mean", column="Revenue"))
    ev = _evaluate(kpi)
    row = _row(ev, "revenue")
    assert row["actual"] == pytest.approx(267.5)  # 1070 / 4 rows
    assert math.isnan(row["target"])
    assert row["reason_code"] == "no_target.segments_not_additive"
    assert "cannot be added up" in explain_reason(row["reason"], "currency", "en")
    assert "niet optellen" in explain_reason(row["reason"], "currency", "nl")
    # Segments keep their own targets: North mean 350 < 600 − 60 = 540: off track;
    # South mean 185 < 400 − 40 = 360: off track. The goal counts them.
    assert _row(ev, "revenue", "North")["status"] == "off_track"
    (goal,) = ev.goal_statuses()
    assert goal.status == "off_track"
    assert goal.health == pytest.approx(0.0)
    assert ev.forecasts.get("revenue") is None or ev.forecasts["revenue"].target is None


def test_kpi_status_for_goal_ignores_segments_without_a_verdict() -> None:
    assert kpi_status_for_goal("on_track", ["on_track", "no_target", "no_data"]) == "on_track"
    assert kpi_status_for_goal("on_track", ["at_risk", "off_track"]) == "off_track"
    # No total target, every judged segment on track: on track for the goal.
    assert kpi_status_for_goal("no_target", ["on_track", "no_target"]) == "on_track"
    assert kpi_status_for_goal("no_target", ["no_target"]) == "no_target"
    goal = Goal(id="g", title="G")
    up = roll_up_goal(goal, {"a": "on_track", "b": "on_track"}, {"a": {"N": "off_track"}})
    assert (up.status, up.health) == ("off_track", 0.5)
    assert roll_up_goal(goal, {"a": "on_track"}).health == 1.0  # no segments: as before


# -- range tolerance: t·|crossed bound| outside the bound -------------------------------------

TOL10 = Tolerance()


@pytest.mark.parametrize(
    ("value", "status"),
    [
        # low 200: 10% of |200| = 20 → at risk down to 180
        (180.0, "at_risk"),  # exactly 20 below: at risk (≤)
        (180.5, "at_risk"),  # just inside
        (179.5, "off_track"),  # just outside
        # high 300: 10% of |300| = 30 → at risk up to 330
        (330.0, "at_risk"),
        (329.5, "at_risk"),
        (330.5, "off_track"),
        # Not 10% of the middle (250 → 25): 177 is 23 below low, within 25 but not within 20.
        (177.0, "off_track"),
        # 328 is 28 above high: within 30 (the crossed bound) though not within 25 (middle).
        (328.0, "at_risk"),
    ],
)
def test_range_tolerance_is_measured_from_the_crossed_bound(value: float, status: str) -> None:
    judgement = judge(value, "range", TOL10, low=200.0, high=300.0)
    assert judgement.status == status
    assert judgement.reason.params["tolerance"] == pytest.approx(20.0 if value < 250 else 30.0)


@pytest.mark.parametrize(
    ("value", "status"),
    [(-44.0, "at_risk"), (-43.5, "at_risk"), (-44.5, "off_track"), (-9.0, "at_risk")],
)
def test_range_tolerance_uses_the_size_of_a_negative_bound(value: float, status: str) -> None:
    # low −40: 10% of |−40| = 4 → at risk down to −44; high −10: 1 → at risk up to −9
    assert judge(value, "range", TOL10, low=-40.0, high=-10.0).status == status


def test_range_absolute_tolerance_is_the_same_on_both_sides() -> None:
    tol = Tolerance(kind="absolute", value=5)
    assert judge(195.0, "range", tol, low=200.0, high=300.0).status == "at_risk"
    assert judge(194.9, "range", tol, low=200.0, high=300.0).status == "off_track"
    assert judge(305.0, "range", tol, low=200.0, high=300.0).status == "at_risk"
    assert judge(305.1, "range", tol, low=200.0, high=300.0).status == "off_track"


def test_the_rule_is_stated_in_the_schema_and_the_report() -> None:
    from kpilogic.present.report import describe_tolerance
    from kpilogic.scorecard.model import json_schema

    text = str(json_schema())
    assert "a share of |the crossed bound|" in text
    ranged = _kpi(direction="range", segment_column=None, target=Target(low=200, high=300))
    assert describe_tolerance(ranged, "en") == "10% of the crossed bound"
    assert describe_tolerance(ranged, "nl") == "10% van de overschreden grens"
    assert describe_tolerance(_kpi(), "en") == "10% of the target"
