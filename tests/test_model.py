"""The scorecard schema: validation with readable messages, JSON round-trip, JSON Schema."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilogic.errors import ScorecardError
from kpilogic.scorecard.model import (
    AGGREGATIONS,
    CADENCES,
    DIRECTIONS,
    KPI,
    PERSPECTIVES,
    SCHEMA_VERSION,
    UNITS,
    Dataset,
    Filter,
    Goal,
    Measure,
    Scorecard,
    Target,
    Tolerance,
    is_additive,
    json_schema,
)


def _card() -> dict:
    return {
        "schema_version": 1,
        "name": "Shop",
        "datasets": [{"id": "orders", "name": "Orders", "source": "x.xlsx", "date_column": "Date"}],
        "goals": [{"id": "g", "title": "Grow", "deadline": "2026-12-31"}],
        "kpis": [
            {
                "id": "rev",
                "goal_id": "g",
                "name": "Revenue",
                "dataset_id": "orders",
                "measure": {"aggregation": "sum", "column": "Revenue"},
                "target": {"value": 1000},
            }
        ],
    }


def test_a_minimal_scorecard_validates_with_defaults() -> None:
    card = Scorecard.from_dict(_card())
    kpi = card.kpis[0]
    assert kpi.direction == "higher"
    assert kpi.cadence == "month"
    assert kpi.tolerance == Tolerance(kind="percent", value=10.0)
    assert card.goals[0].deadline == date(2026, 12, 31)
    assert card.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda c: c["kpis"][0].update(direction="up"), "kpis → 0 → direction"),
        (lambda c: c["kpis"][0].update(goal_id="nope"), "goal 'nope', which is missing"),
        (lambda c: c["kpis"][0].update(dataset_id="x"), "dataset 'x', which is missing"),
        (lambda c: c["kpis"][0].update(cadence="daily"), "kpis → 0 → cadence"),
        (lambda c: c["goals"][0].update(deadline="31 dec"), "goals → 0 → deadline"),
        (lambda c: c["kpis"][0]["measure"].update(aggregation=None), "aggregation"),
        (lambda c: c["kpis"][0].update(surprise=1), "kpis → 0 → surprise"),
        (lambda c: c.update(schema_version=99), "schema version 99 is not supported"),
        (lambda c: c["goals"].append({"id": "g", "title": "Again"}), "goal id 'g' is used twice"),
        (lambda c: c["kpis"][0].update(direction="range"), "needs a target with low and high"),
        (
            lambda c: (
                c["kpis"][0]["tolerance"] if False else c["kpis"][0].update(tolerance={"value": -1})
            ),
            "tolerance → value",
        ),
    ],
)
def test_bad_files_name_the_field_and_the_problem(change, fragment: str) -> None:
    raw = _card()
    change(raw)
    with pytest.raises(ScorecardError) as info:
        Scorecard.from_dict(raw)
    assert fragment in info.value.message("en")
    assert "scorecard" in info.value.message("nl").lower()


def test_not_json_and_not_an_object() -> None:
    with pytest.raises(ScorecardError) as info:
        Scorecard.from_json("{nope")
    assert info.value.key == "error.scorecard.not_json"
    with pytest.raises(ScorecardError) as info:
        Scorecard.from_json("[1, 2]")
    assert info.value.key == "error.scorecard.not_object"


def test_measure_needs_exactly_one_kind() -> None:
    with pytest.raises(ValueError, match="not both"):
        Measure(aggregation="sum", column="A", formula="sum(A)")
    with pytest.raises(ValueError, match="needs a column"):
        Measure(aggregation="sum")
    assert Measure(aggregation="count").as_formula() == "count()"
    assert Measure(aggregation="count_distinct", column="Order ID").as_formula() == (
        "count_distinct([Order ID])"
    )


def test_targets_need_their_fields() -> None:
    with pytest.raises(ValueError, match="growth_pct"):
        Target(kind="growth")
    with pytest.raises(ValueError, match="per_period"):
        Target(kind="per_period")
    with pytest.raises(ValueError, match="period labels"):
        Target(kind="per_period", per_period={"March": 3.0})
    with pytest.raises(ValueError, match="12 non-negative"):
        Target(kind="annual", annual={"2026": 1.0}, profile=[1.0] * 11)
    with pytest.raises(ValueError, match="above high"):
        Target(low=5, high=1)


def test_filters_check_value_shape() -> None:
    assert Filter(column="Channel", op="in", value=["Web", "Shop"]).value == ["Web", "Shop"]
    with pytest.raises(ValueError, match="list"):
        Filter(column="Channel", op="in", value="Web")
    with pytest.raises(ValueError, match="single value"):
        Filter(column="Channel", op="eq", value=["Web"])


def test_additivity_of_measures() -> None:
    assert is_additive(Measure(aggregation="sum", column="A"))
    assert is_additive(Measure(aggregation="count"))
    assert not is_additive(Measure(aggregation="mean", column="A"))
    assert not is_additive(Measure(aggregation="count_distinct", column="A"))


def test_json_schema_describes_the_file() -> None:
    schema = json_schema()
    assert schema["title"] == "Scorecard"
    assert {"datasets", "goals", "kpis", "schema_version"} <= set(schema["properties"])
    json.dumps(schema)  # serialisable


# -- round-trip of any valid scorecard -----------------------------------------------------

_ids = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).map(str.strip)
_num = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def scorecards(draw: st.DrawFn) -> Scorecard:
    goal_ids = draw(st.lists(_ids, min_size=1, max_size=3, unique=True))
    goals = [
        Goal(
            id=g,
            title=draw(_text.filter(bool)),
            why=draw(_text),
            owner=draw(_text),
            deadline=draw(st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1))),
            perspective=draw(st.sampled_from(PERSPECTIVES)),
        )
        for g in goal_ids
    ]
    kpis = []
    for i in range(draw(st.integers(0, 4))):
        direction = draw(st.sampled_from(DIRECTIONS))
        if direction == "range":
            lo = draw(_num)
            target = Target(low=lo, high=lo + abs(draw(_num)))
        else:
            target = draw(
                st.sampled_from(
                    [
                        Target(value=draw(_num)),
                        Target(kind="growth", growth_pct=draw(_num)),
                        Target(kind="per_period", per_period={"2026-03": draw(_num)}),
                        Target(kind="annual", annual={"2026": draw(_num)}),
                        Target(kind="column", column="Plan"),
                    ]
                )
            )
        agg = draw(st.sampled_from(AGGREGATIONS))
        kpis.append(
            KPI(
                id=f"k{i}",
                goal_id=draw(st.sampled_from(goal_ids)),
                name=draw(_text.filter(bool)),
                dataset_id="d",
                measure=Measure(aggregation=agg, column=draw(_text.filter(bool))),
                filters=[Filter(column="C", op="in", value=[draw(_text), draw(_num)])],
                unit=draw(st.sampled_from(UNITS)),
                direction=direction,
                target=target,
                tolerance=Tolerance(
                    kind=draw(st.sampled_from(["percent", "absolute"])), value=abs(draw(_num))
                ),
                cadence=draw(st.sampled_from(CADENCES)),
                owner=draw(_text),
                action=draw(_text),
            )
        )
    return Scorecard(
        name=draw(_text.filter(bool)),
        datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
        goals=goals,
        kpis=kpis,
        fiscal_year_start_month=draw(st.integers(1, 12)),
    )


@settings(max_examples=60, deadline=None)
@given(scorecards())
def test_json_round_trip(card: Scorecard) -> None:
    assert Scorecard.from_json(card.to_json()) == card
