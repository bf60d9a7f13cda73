"""Target kinds own their behaviour (issue 16): one class per kind, a discriminated union in
the schema, the JSON unchanged — and a new kind is one class plus its tests."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import jsonschema
import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard, unmatched_targets
from kpilogic.errors import ScorecardError
from kpilogic.i18n import t
from kpilogic.present.report import describe_target
from kpilogic.scorecard.model import KPI, Measure, Scorecard, Target, json_schema
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.targets import (
    TARGET_KINDS,
    ActualOf,
    AnnualTarget,
    ColumnTarget,
    ConstantTarget,
    FormField,
    GrowthTarget,
    PerPeriodTarget,
    TargetForm,
    register_kind,
    unregister_kind,
)

SAMPLES = sorted(Path(__file__).parent.parent.joinpath("sample_data").glob("*.json"))


def _kpi(target: Target | None, **kw: Any) -> KPI:
    fields: dict[str, Any] = {
        "id": "k",
        "goal_id": "g",
        "name": "Omzet",
        "dataset_id": "d",
        "measure": Measure(aggregation="sum", column="Omzet"),
        "target": target,
        **kw,
    }
    return KPI(**fields)


def _card(target: dict[str, Any], **kpi: Any) -> Scorecard:
    return Scorecard.from_dict(
        {
            "name": "Winkel",
            "datasets": [
                {"id": "d", "name": "Verkoop", "source": "v.xlsx", "date_column": "Datum"}
            ],
            "goals": [{"id": "g", "title": "Groei"}],
            "kpis": [
                {
                    "id": "k",
                    "goal_id": "g",
                    "name": "Omzet",
                    "dataset_id": "d",
                    "measure": {"aggregation": "sum", "column": "Omzet"},
                    "target": target,
                    **kpi,
                }
            ],
        }
    )


def _monthly(values: Mapping[str, float]) -> pd.DataFrame:
    """One row on the 1st of each month 'YYYY-MM' with its value."""
    days = [pd.Timestamp(f"{m}-01") for m in values]
    return pd.DataFrame({"Datum": days, "Omzet": list(values.values())})


# -- the classes and the union -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "cls"),
    [
        ({"value": 5}, ConstantTarget),  # no kind: a constant target, as it always was
        ({"kind": "constant", "low": 1, "high": 2}, ConstantTarget),
        ({"kind": "per_period", "per_period": {"2026-03": 1}}, PerPeriodTarget),
        ({"kind": "column", "column": "Budget"}, ColumnTarget),
        ({"kind": "growth", "growth_pct": 10}, GrowthTarget),
        ({"kind": "annual", "annual": {"2026": 1200}}, AnnualTarget),
    ],
)
def test_each_kind_is_its_own_class(fields: dict[str, Any], cls: type[Target]) -> None:
    assert type(Target(**fields)) is cls  # the old constructor builds the kind's class
    assert type(Target.model_validate(fields)) is cls
    card = _card(fields)
    assert type(card.kpis[0].target) is cls  # and so does the schema (the union on kind)
    assert isinstance(card.kpis[0].target, Target)


def test_an_unknown_kind_is_refused_naming_the_kinds() -> None:
    with pytest.raises(ScorecardError) as err:
        _card({"kind": "budget", "value": 5})
    text = err.value.english()
    assert "kpis → 0 → target" in text
    for kind in ("'constant'", "'per_period'", "'column'", "'growth'", "'annual'"):
        assert kind in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "constant"}, "a constant target needs a value (or low and high)"),
        ({"kind": "per_period"}, "a 'per_period' target needs 'per_period'"),
        ({"kind": "column"}, "a 'column' target needs 'column'"),
        ({"kind": "growth"}, "a 'growth' target needs 'growth_pct'"),
        ({"kind": "annual"}, "a 'annual' target needs 'annual'"),
        ({"kind": "constant", "low": 5, "high": 1}, "low (5.0) is above high (1.0)"),
    ],
)
def test_each_kind_says_what_it_needs(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ScorecardError) as err:
        _card(fields)
    assert message in err.value.english()


def test_a_range_kpi_needs_low_and_high() -> None:
    with pytest.raises(ScorecardError) as err:
        _card({"value": 5}, direction="range")
    assert "a range KPI needs a target with low and high" in err.value.english()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_the_sample_scorecards_read_and_write_back_byte_equal(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    card = Scorecard.from_json(text)
    kinds = {type(k.target) for k in card.kpis if k.target is not None}
    # the sample uses every kind
    assert kinds == {ConstantTarget, PerPeriodTarget, ColumnTarget, GrowthTarget, AnnualTarget}
    assert card.to_json() == text.rstrip("\n")
    jsonschema.validate(json.loads(text), json_schema())


def test_the_json_schema_tells_the_kinds_apart() -> None:
    raw = json.loads(SAMPLES[0].read_text(encoding="utf-8"))
    schema = json_schema()
    raw["kpis"][0]["target"] = {"value": 5}  # no kind: only the constant kind matches
    jsonschema.validate(raw, schema)
    raw["kpis"][0]["target"] = {"kind": "growth", "value": 5}  # growth without growth_pct
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, schema)


# -- each kind resolves its periods --------------------------------------------------------


def _none(_: Period) -> float | None:
    return None


def test_annual_phases_by_profile_and_evenly() -> None:
    march = Period.parse("2026-03", 1)
    profiled = AnnualTarget(annual={"2026": 1200}, profile=[2.0] + [1.0] * 11)
    kpi = _kpi(profiled)
    # weights sum 2 + 11 = 13; March weighs 1: 1200 × 1/13
    assert profiled.resolve(kpi, march, "", _none, {}) == pytest.approx(1200 / 13)
    even = AnnualTarget(annual={"2026": 1200})
    assert even.resolve(_kpi(even), march, "", _none, {}) == pytest.approx(100.0)  # 1200 / 12
    q1 = Period.parse("2026-Q1", 1)
    assert even.static_value(_kpi(even), q1, "") == pytest.approx(300.0)  # 3 × 100
    assert even.static_value(_kpi(even), Period.parse("2027-01", 1), "") is None  # no 2027


def test_per_period_reads_a_fiscal_year_by_its_calendar_year() -> None:
    tgt = PerPeriodTarget(per_period={"2017": 500.0})
    fy = Period.parse("FY2017/18", 4)
    assert tgt.static_value(_kpi(tgt, cadence="year"), fy, "") == 500.0


def test_constant_sums_its_segments_for_an_additive_measure() -> None:
    tgt = ConstantTarget(segments={"Noord": 100.0, "Zuid": 50.0})
    march = Period.parse("2026-03", 1)
    assert tgt.static_value(_kpi(tgt), march, "") == 150.0  # 100 + 50
    assert tgt.static_value(_kpi(tgt), march, "Zuid") == 50.0
    mean = _kpi(tgt, measure=Measure(aggregation="mean", column="Omzet"))
    assert tgt.static_value(mean, march, "") is None  # an average is not the sum of parts
    assert tgt.sums_segments(_kpi(tgt)) and not ConstantTarget(value=1).sums_segments(_kpi(tgt))


def test_growth_and_column_need_the_data() -> None:
    march = Period.parse("2026-03", 1)
    growth = GrowthTarget(growth_pct=10)

    def actual(p: Period) -> float | None:
        return 200.0 if p.label == "2025-03" else None

    # 200 × 1.10 = 220
    assert growth.resolve(_kpi(growth), march, "", actual, {}) == pytest.approx(220.0)
    assert growth.ahead(_kpi(growth), march, _none, None) is None
    column = ColumnTarget(column="Budget")
    assert column.data_column() == "Budget" and growth.data_column() is None
    assert column.resolve(_kpi(column), march, "Noord", _none, {(march.key, "Noord"): 7.0}) == 7.0
    # ahead of the data a column target is the latest known one, if the caller has one
    assert column.ahead(_kpi(column), march, _none, 9.0) == 9.0


def test_describe_in_both_languages() -> None:
    growth = _kpi(GrowthTarget(growth_pct=12.5))
    assert describe_target(growth, "en") == "+12.5% on the same period last year"
    assert describe_target(growth, "nl") == "+12,5% op dezelfde periode vorig jaar"
    assert describe_target(_kpi(None), "en") == t("report.target.none", "en")


def test_every_kind_tells_the_form_what_it_asks() -> None:
    for kind, cls in TARGET_KINDS.items():
        form = cls.form
        assert form.label == f"kpis.target_kind.{kind}"
        assert t(form.label, "nl") != form.label and t(form.help, "en") != form.help
        assert form.fields, kind
        for fld in form.fields:
            assert t(fld.label, "en") != fld.label, (kind, fld.label)
        if form.need is not None:
            assert t(form.need, "nl") != form.need


@pytest.mark.parametrize(
    "target",
    [
        ConstantTarget(value=1500.0, segments={"Noord": 700.0}),
        PerPeriodTarget(per_period={"2026-01": 10.0, "2026-02": 12.0}),
        ColumnTarget(column="Budget", column_aggregation="mean"),
        GrowthTarget(growth_pct=0.0),  # 0% is a target, not a missing one
        AnnualTarget(annual={"2026": 1200.0}, profile=[1.0] * 12),
        AnnualTarget(annual={"2026": 1200.0}),
    ],
    ids=lambda tgt: tgt.kind,
)
def test_the_form_gives_back_the_target_it_shows(target: Target) -> None:
    values = target.form_values()
    assert set(values) == {fld.key for fld in target.form.fields}
    cls = type(target)
    assert not cls.form_missing(values)
    raw = cls.from_form(values, target.segments)
    assert raw is not None and Target(**raw) == target


def test_the_form_names_what_is_missing() -> None:
    assert PerPeriodTarget.form_missing({"per_period": {}})
    assert ColumnTarget.form_missing({"target_column": None, "target_column_aggregation": "sum"})
    assert GrowthTarget.form_missing({"growth_pct": None})
    assert AnnualTarget.form_missing({"annual": {}, "phasing": None})
    assert not ConstantTarget.form_missing({"target_value": None})  # no target is allowed
    assert ConstantTarget.from_form({"target_value": None}, {}) is None
    assert PerPeriodTarget.form.need == "kpis.need.per_period"


def test_a_template_suggests_a_target_per_kind() -> None:
    assert ColumnTarget.suggest(None, "Budget") == ColumnTarget(column="Budget")
    assert ColumnTarget.suggest(5.0, None) is None  # no column chosen for the role
    assert GrowthTarget.suggest(8.0, None) == GrowthTarget(growth_pct=8.0)
    assert ConstantTarget.suggest(95.0, None) == ConstantTarget(value=95.0)
    assert AnnualTarget.suggest(95.0, None) is None  # the user types the yearly totals
    assert ColumnTarget.from_data and not GrowthTarget.from_data


# -- adding a kind: one class and its tests -------------------------------------------------


class BeatLastPeriod(Target):
    """Test-only kind: the previous period's actual plus ``step``."""

    kind: Literal["beat_last"] = "beat_last"  # type: ignore[assignment]
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

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        return f"last period + {self.step:g}"


@pytest.fixture
def beat_last() -> Iterator[None]:
    register_kind(BeatLastPeriod)
    try:
        yield
    finally:
        unregister_kind("beat_last")


def test_a_new_kind_is_evaluated_end_to_end(beat_last: None) -> None:
    card = _card({"kind": "beat_last", "step": 10})
    tgt = card.kpis[0].target
    assert isinstance(tgt, BeatLastPeriod)
    assert type(Target(kind="beat_last", step=1)) is BeatLastPeriod
    data = _monthly({"2026-01": 100.0, "2026-02": 115.0, "2026-03": 100.0})
    rows = evaluate_scorecard(card, {"d": data}).kpi_rows("k").set_index("period")
    assert pd.isna(rows.loc["2026-01", "target"])  # no period before January
    assert rows.loc["2026-01", "status"] == "no_target"
    assert rows.loc["2026-02", "target"] == pytest.approx(110.0)  # 100 + 10
    assert rows.loc["2026-02", "status"] == "on_track"  # 115 ≥ 110
    assert rows.loc["2026-03", "target"] == pytest.approx(125.0)  # 115 + 10
    # 100 < 125 − 10% of 125 = 112.5: off track
    assert rows.loc["2026-03", "status"] == "off_track"
    assert describe_target(card.kpis[0], "en") == "last period + 10"
    again = Scorecard.from_json(card.to_json())
    assert again.kpis[0].target == tgt
    assert json.loads(card.to_json())["kpis"][0]["target"]["step"] == 10
    # the KPI form asks the class: its fields, and the target they give back
    assert tgt.form_values() == {"step": 10.0}
    assert BeatLastPeriod.from_form({"step": 3.0}, {}) == {
        "kind": "beat_last",
        "step": 3.0,
        "segments": {},
    }
    # it reads no period table, so one left in the file is named as unused
    card.kpis[0].target = BeatLastPeriod(step=1, annual={"2026": 5})
    [unused] = unmatched_targets(card)
    assert (unused.field, unused.key, unused.unused_by) == ("annual", "2026", "beat_last")


def test_without_its_class_the_new_kind_is_refused() -> None:
    with pytest.raises(ScorecardError):
        _card({"kind": "beat_last", "step": 10})
    assert "beat_last" not in TARGET_KINDS
    # the built-in kinds are back: the sample still reads
    assert Scorecard.from_json(SAMPLES[0].read_text(encoding="utf-8")).kpis
