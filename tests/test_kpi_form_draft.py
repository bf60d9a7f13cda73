"""The KPI form's typed draft (ui/kpi_form/draft.py): a KPI made into a draft and back is the
same KPI, for every target kind and for a formula KPI with filters; what the form leaves
incomplete is left out the way the page always did."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

import pytest

from kpilogic.scorecard.model import KPI
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.targets import (
    TARGET_KINDS,
    ActualOf,
    FormField,
    Target,
    TargetForm,
    register_kind,
    unregister_kind,
)
from ui.kpi_form.draft import NONE, FilterDraft, KpiDraft, editor_table

PROFILE = [1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0]

# One target per kind (the kinds' own form fields), each on a KPI the form can edit.
TARGETS: dict[str, dict[str, Any]] = {
    "constant": {"kind": "constant", "value": 1500.0},
    "per_period": {"kind": "per_period", "per_period": {"2026-01": 100.0, "2026-02": 120.5}},
    "column": {"kind": "column", "column": "Plan", "column_aggregation": "mean"},
    "growth": {"kind": "growth", "growth_pct": 12.5},
    "annual": {"kind": "annual", "annual": {"2025": 11000.0, "2026": 12000.0}, "profile": PROFILE},
}


def _kpi(**kw: Any) -> KPI:
    fields: dict[str, Any] = {
        "id": "revenue",
        "goal_id": "grow",
        "name": "Revenue",
        "why": "Tells whether we grow",
        "dataset_id": "sales",
        "measure": {"aggregation": "sum", "column": "Revenue"},
        "unit": "currency",
        "direction": "higher",
        "tolerance": {"kind": "percent", "value": 5.0},
        "cadence": "month",
        "owner": "Anna",
        "action": "Call the top ten customers",
    }
    fields.update(kw)
    return KPI.model_validate(fields)


def _round_trip(kpi: KPI) -> KPI:
    return KpiDraft.of(kpi).to_kpi(kpi.goal_id, kpi.id)


def test_every_target_kind_has_a_case_here() -> None:
    # A kind added to targets.py without a round-trip case here fails this test.
    assert set(TARGETS) == set(TARGET_KINDS)


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_a_kpi_of_each_target_kind_round_trips(kind: str) -> None:
    kpi = _kpi(target=TARGETS[kind])
    assert type(kpi.target) is TARGET_KINDS[kind]
    again = _round_trip(kpi)
    assert again.model_dump() == kpi.model_dump()
    assert again == kpi
    assert type(again.target) is TARGET_KINDS[kind]


def test_an_annual_target_without_profile_round_trips_as_even_phasing() -> None:
    kpi = _kpi(target={"kind": "annual", "annual": {"2026": 12000.0}})
    draft = KpiDraft.of(kpi)
    assert draft.phasing == "even"
    assert "profile" not in draft.tables
    assert _round_trip(kpi) == kpi


def test_segment_targets_range_and_no_target_round_trip() -> None:
    segmented = _kpi(
        segment_column="Region",
        target={"kind": "constant", "value": None, "segments": {"North": 800.0, "South": 700.0}},
    )
    assert _round_trip(segmented) == segmented
    ranged = _kpi(unit="percent", direction="range", target={"low": 2.0, "high": 5.0})
    assert _round_trip(ranged) == ranged
    untargeted = _kpi(target=None)
    assert _round_trip(untargeted) == untargeted


def test_a_formula_kpi_with_filters_round_trips() -> None:
    kpi = _kpi(
        name="Web margin",
        unit="percent",
        direction="lower",
        cadence="quarter",
        tolerance={"kind": "absolute", "value": 2.0},
        measure={"formula": "sum([Profit]) / sum([Revenue]) * 100"},
        filters=[
            {"column": "Channel", "op": "eq", "value": "Web"},
            {"column": "Region", "op": "in", "value": ["North", "South"]},
            {"column": "Year", "op": "ge", "value": "2026"},
            {"column": "Country", "op": "not_in", "value": ["BE"]},
        ],
        target={"kind": "constant", "value": 35.0},
    )
    draft = KpiDraft.of(kpi)
    assert (draft.mode, draft.formula) == ("formula", "sum([Profit]) / sum([Revenue]) * 100")
    assert draft.filters[1] == FilterDraft("Region", "in", "", ["North", "South"], "Region")
    again = _round_trip(kpi)
    assert again.model_dump() == kpi.model_dump()


def test_a_number_in_a_filter_comes_back_as_the_text_the_form_shows() -> None:
    # The form types filter values as text: 2026.0 shows (and is saved) as '2026'.
    kpi = _kpi(filters=[{"column": "Year", "op": "eq", "value": 2026.0}])
    assert KpiDraft.of(kpi).filters[0].value == "2026"
    assert _round_trip(kpi).filters[0].value == "2026"


def test_the_draft_reads_as_a_mapping_like_the_old_dict() -> None:
    draft = KpiDraft.of(_kpi(target=TARGETS["per_period"]))
    assert draft["name"] == "Revenue"
    assert draft["tables"]["per_period"]["rows"] == [
        {"period": "2026-01", "target": 100.0},
        {"period": "2026-02", "target": 120.5},
    ]
    assert (draft.pp_start, draft.pp_count) == ("2026-01", 2)
    assert "target_value" in draft
    assert "no_such_field" not in draft
    with pytest.raises(KeyError):
        draft["no_such_field"]


def test_an_empty_draft_has_the_forms_defaults() -> None:
    draft = KpiDraft(dataset_id="sales")
    assert draft.id is None
    assert (draft.mode, draft.aggregation, draft.column) == ("aggregation", "sum", NONE)
    assert (draft.tol_kind, draft.tol_value, draft.cadence) == ("percent", 10.0, "month")
    assert draft.filters == [] and draft.tables == {}
    # No target typed yet: a constant target without value is no target at all.
    assert draft.target() is None


def test_what_the_form_left_incomplete_is_left_out() -> None:
    draft = KpiDraft(dataset_id="sales", name=" Revenue ", column="Revenue")
    draft.filters = [
        FilterDraft("Channel", "eq", "Web"),
        FilterDraft("Region", "eq", ""),  # no value yet: left out
        FilterDraft("Region", "in", "North, South "),  # typed list: split on commas
        FilterDraft("", "eq", "x"),  # no column: left out
    ]
    draft.target_kind = "per_period"
    draft.tables["per_period"] = editor_table(
        [
            {"period": "2026-01", "target": 100.0},
            {"period": "2026-02", "target": None},  # not typed: no target for February
            {"period": "2026-03", "target": float("nan")},  # emptied cell: the same
        ],
        "month",
    )
    kpi = draft.to_kpi("grow", "revenue")
    assert kpi.name == "Revenue"  # the name is stripped
    assert [(f.column, f.op, f.value) for f in kpi.filters] == [
        ("Channel", "eq", "Web"),
        ("Region", "in", ["North", "South"]),
    ]
    assert kpi.target is not None
    assert kpi.target.per_period == {"2026-01": 100.0}


def test_a_phasing_profile_is_read_from_its_table_but_not_for_weeks() -> None:
    draft = KpiDraft(dataset_id="sales", name="Revenue", column="Revenue", target_kind="annual")
    draft.tables["annual"] = editor_table([{"year": "2026", "target": 1200.0}], "annual")
    draft.phasing = "profile"
    weights: list[dict[str, Any]] = [{"month": m, "weight": 1.0} for m in range(1, 13)]
    weights[5]["weight"] = None  # an emptied weight counts as 0
    draft.tables["profile"] = editor_table(weights, "fixed")
    kpi = draft.to_kpi("grow", "revenue")
    assert kpi.target is not None
    assert kpi.target.profile == [1.0] * 5 + [0.0] + [1.0] * 6
    draft.cadence = "week"  # weeks are phased by their days: no profile
    weekly = draft.to_kpi("grow", "revenue")
    assert weekly.target is not None and weekly.target.profile is None


# -- a kind registered later keeps its form fields in the draft ----------------------------


class StepTarget(Target):
    """Test-only kind with a form field the draft has no attribute for."""

    kind: Literal["step_up"] = "step_up"  # type: ignore[assignment]
    step: float = 0.0
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.growth",
        "kpis.target_help.growth",
        (FormField("step", "kpis.field.growth", "number", "step"),),
        None,
    )

    def resolve(
        self,
        kpi: KPI,
        period: Period,
        segment: str,
        actual_of: ActualOf,
        column_targets: Mapping[tuple[int, str], float],
    ) -> float | None:
        before = actual_of(period.shift(-1))
        return None if before is None else before + self.step


@pytest.fixture
def step_up() -> Iterator[None]:
    register_kind(StepTarget)
    try:
        yield
    finally:
        unregister_kind("step_up")


def test_a_kind_registered_later_round_trips_through_the_draft(step_up: None) -> None:
    kpi = _kpi(target={"kind": "step_up", "step": 7.5})
    draft = KpiDraft.of(kpi)
    assert draft.extra == {"step": 7.5}
    assert draft["step"] == 7.5
    assert _round_trip(kpi) == kpi
    draft.set("step", 2.0)
    again = draft.to_kpi("grow", "revenue")
    assert isinstance(again.target, StepTarget)
    assert again.target.step == 2.0
