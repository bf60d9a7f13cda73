"""Goal hints: specific, measurable, time-bound — one passing and one failing case per rule."""

from __future__ import annotations

from datetime import date

from kpilogic.engine.pillars import goal_hints
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard

GOOD = Goal(
    id="g",
    title="Grow online revenue by 15% in 2026",
    why="Web carries growth",
    owner="Sanne",
    deadline=date(2026, 12, 31),
)


def _keys(goal: Goal, **kw) -> set[str]:
    return {h.key for h in goal_hints(goal, **kw)}


def test_a_good_goal_has_no_hints() -> None:
    assert _keys(GOOD, today=date(2026, 6, 1)) == set()


def test_each_rule_fires_alone() -> None:
    assert _keys(GOOD.model_copy(update={"title": "Grow 15%"})) == {"pillars.goal.specific"}
    assert _keys(GOOD.model_copy(update={"title": "Grow online revenue a lot"})) == {
        "pillars.goal.number"
    }
    assert _keys(GOOD.model_copy(update={"deadline": None})) == {"pillars.goal.deadline"}
    assert _keys(GOOD, today=date(2027, 1, 2)) == {"pillars.goal.deadline_past"}
    assert _keys(GOOD.model_copy(update={"why": ""})) == {"pillars.goal.why"}
    assert _keys(GOOD.model_copy(update={"owner": ""})) == {"pillars.goal.owner"}


def test_measurable_needs_a_kpi() -> None:
    ds = Dataset(id="d", name="D", source="d.csv", date_column="Date")
    empty = Scorecard(name="S", datasets=[ds], goals=[GOOD])
    assert _keys(GOOD, scorecard=empty) == {"pillars.goal.measurable"}
    kpi = KPI(
        id="k",
        goal_id="g",
        name="Revenue",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Revenue"),
    )
    full = empty.model_copy(update={"kpis": [kpi]})
    assert _keys(GOOD, scorecard=full) == set()
