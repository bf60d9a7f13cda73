"""KPI templates: texts in both languages, roles, column guesses, and that every template
instantiates into a KPI that evaluates — on data made here (values worked out by hand) and on
the sample workbook (values recomputed with plain pandas)."""

from __future__ import annotations

import json
import math
import string
from datetime import date

import numpy as np
import pandas as pd
import pytest

from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.engine.templates import (
    CATEGORIES,
    ROLES,
    TEMPLATES,
    KpiTemplate,
    TemplateError,
    column_ref,
    instantiate,
    pattern_roles,
    roles,
    suggest_columns,
    suggested_target,
    template,
    templates_in,
)
from kpilogic.errors import KoersError, ScorecardError
from kpilogic.i18n import catalogue, t
from kpilogic.sample import sample_frames
from kpilogic.scorecard.model import KPI, Dataset, Goal, Scorecard, Target
from kpilogic.sources.parsing import profile_columns
from tests.conftest import ROOT

LOCALE = ROOT / "kpilogic" / "locales" / "templates.json"


# -- the library -----------------------------------------------------------------------------
def test_at_least_25_templates_across_all_six_categories() -> None:
    assert len(TEMPLATES) >= 25
    ids = [tpl.id for tpl in TEMPLATES]
    assert len(ids) == len(set(ids))
    for category in CATEGORIES:
        assert len(templates_in(category)) >= 3, category
    assert {tpl.direction for tpl in TEMPLATES} == {"higher", "lower", "range"}
    assert {"constant", "growth", "column", "annual"} <= {tpl.target_kind for tpl in TEMPLATES}


def test_every_template_and_role_has_dutch_and_english_texts_in_its_own_file() -> None:
    own = json.loads(LOCALE.read_text(encoding="utf-8"))
    fields = string.Formatter()
    keys = [k for tpl in TEMPLATES for k in (tpl.name_key, tpl.what_key, tpl.why_key)]
    keys += [role.label_key for role in ROLES.values()]
    keys += [f"templates.category.{c}" for c in CATEGORIES]
    for key in keys:
        assert key in own, key
        texts = own[key]
        assert texts["nl"].strip() and texts["en"].strip(), key
        names = {lang: {f[1] for f in fields.parse(texts[lang]) if f[1]} for lang in ("nl", "en")}
        assert names["nl"] == names["en"], key
    # Sentences are sentences; and the Dutch is not the English copied.
    for tpl in TEMPLATES:
        for text in (tpl.what("en"), tpl.what("nl"), tpl.why("en"), tpl.why("nl")):
            assert text[0].isupper() and text[-1] in ".?", (tpl.id, text)
        assert tpl.what("nl") != tpl.what("en") and tpl.why("nl") != tpl.why("en"), tpl.id
    assert template("gross_margin_pct").name("nl") == "Brutomarge %"
    assert template("absenteeism").name("en") == "Absenteeism"


def test_roles_are_known_and_patterns_parse_with_placeholder_columns() -> None:
    for tpl in TEMPLATES:
        names = pattern_roles(tpl.pattern)
        assert names, tpl.id
        assert all(name in ROLES for name in names), tpl.id
        assert [r.name for r in roles(tpl)][: len(names)] == names
        # A column target needs a role for its column; nothing else has one.
        assert (tpl.target_kind == "column") == (tpl.target_role is not None), tpl.id
        if tpl.direction == "range":
            assert tpl.typical_range is not None, tpl.id
        if tpl.target_kind == "growth":
            assert tpl.typical_target is not None, tpl.id
    assert [r.name for r in roles("ad_spend_vs_budget")] == ["spend", "budget"]
    assert roles("conversion_rate")[0].kind == "any"  # order ids: text, or numbers
    assert roles("conversion_rate")[1].kind == "number"
    assert ROLES["revenue"].label("nl") == "Omzet"


def test_unknown_template_is_a_translated_error() -> None:
    with pytest.raises(TemplateError) as err:
        template("no_such_kpi")
    assert err.value.key == "error.template.unknown"
    assert "no_such_kpi" in err.value.message("nl")


# -- instantiating ---------------------------------------------------------------------------
def _kpi(tpl: str | KpiTemplate, columns: dict[str, str | None], **kw) -> KPI:
    return instantiate(tpl, kpi_id="k", goal_id="g", dataset_id="d", columns=columns, **kw)


def test_instantiate_fills_the_pattern_with_bracketed_columns() -> None:
    kpi = _kpi("conversion_rate", {"orders": "Order ID", "visits": "Web visits"})
    assert kpi.measure.formula == "count_distinct([Order ID]) / sum([Web visits]) * 100"
    assert (kpi.unit, kpi.direction, kpi.cadence) == ("percent", "higher", "month")
    assert kpi.name == "Conversion rate" and kpi.why == template("conversion_rate").why("en")
    assert kpi.target is None  # the user sets the number
    assert kpi.tolerance.kind == "percent" and kpi.tolerance.value == 10


def test_instantiate_in_dutch_with_overrides() -> None:
    target = Target(kind="constant", value=40)
    kpi = _kpi(
        "gross_margin_pct",
        {"revenue": "Omzet", "cost": "Kostprijs"},
        lang="nl",
        target=target,
        owner="Joost",
        action="Prijzen herzien",
        cadence="quarter",
    )
    assert kpi.name == "Brutomarge %"
    assert kpi.why.startswith("Omzetgroei helpt alleen")
    assert kpi.measure.formula == "(sum([Omzet]) - sum([Kostprijs])) / sum([Omzet]) * 100"
    assert kpi.target == target and kpi.owner == "Joost" and kpi.action == "Prijzen herzien"
    assert kpi.cadence == "quarter"
    assert (kpi.tolerance.kind, kpi.tolerance.value) == ("absolute", 2.0)
    assert _kpi("revenue", {"revenue": "Omzet"}, name="Omzet winkel").name == "Omzet winkel"


def test_a_single_aggregation_is_stored_as_one() -> None:
    kpi = _kpi("revenue", {"revenue": "Revenue"})
    assert kpi.measure.aggregation == "sum" and kpi.measure.column == "Revenue"
    assert kpi.measure.formula is None
    last = _kpi("cash_position", {"balance": "Saldo"})
    assert (last.measure.aggregation, last.measure.column) == ("last", "Saldo")


def test_a_column_target_comes_from_the_target_role() -> None:
    kpi = _kpi("ad_spend_vs_budget", {"spend": "Ad spend", "budget": "Ad spend budget"})
    assert kpi.target is not None and kpi.target.kind == "column"
    assert kpi.target.column == "Ad spend budget"
    assert kpi.direction == "lower"


def test_suggested_targets() -> None:
    growth = suggested_target(template("revenue_growth"), {"revenue": "Revenue"})
    assert growth is not None and (growth.kind, growth.growth_pct) == ("growth", 10.0)
    band = suggested_target(template("capacity_utilisation"), {})
    assert band is not None and (band.low, band.high) == (75.0, 90.0)
    assert suggested_target(template("revenue"), {"revenue": "Revenue"}) is None
    assert suggested_target(template("ad_spend_vs_budget"), {"spend": "A"}) is None


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_role_without_a_column_is_a_translated_error(missing) -> None:
    with pytest.raises(TemplateError) as err:
        _kpi("gross_margin_pct", {"revenue": "Omzet", "cost": missing}, lang="nl")
    assert isinstance(err.value, KoersError)
    assert err.value.key == "error.template.role_missing"
    assert err.value.params["role_id"] == "cost"
    assert "'Inkoopwaarde'" in err.value.message("nl")
    assert "'Brutomarge %'" in err.value.message("nl")
    with pytest.raises(TemplateError, match="Budget"):
        _kpi("ad_spend_vs_budget", {"spend": "Ad spend"})


def test_awkward_column_names_are_quoted_so_the_formula_reads_them_whole() -> None:
    assert column_ref("Revenue (EUR)") == "[Revenue (EUR)]"
    assert column_ref("Sales [EUR]") == '"Sales [EUR]"'
    assert column_ref('Size ["] [x]') == "'Size [\"] [x]'"
    kpi = _kpi("average_order_value", {"revenue": "Sales [EUR]", "orders": "Order (nr)"})
    assert kpi.measure.formula == 'sum("Sales [EUR]") / count_distinct([Order (nr)])'
    with pytest.raises(TemplateError) as err:
        column_ref("""a]"'""")
    assert err.value.key == "error.template.column_name"


def test_an_invalid_kpi_id_is_a_scorecard_error() -> None:
    with pytest.raises(ScorecardError) as err:
        instantiate(
            "revenue",
            kpi_id="has spaces",
            goal_id="g",
            dataset_id="d",
            columns={"revenue": "Revenue"},
        )
    assert "id" in err.value.params["detail"]


# -- guessing columns ------------------------------------------------------------------------
def test_suggest_columns_in_dutch() -> None:
    kinds = {
        "Datum": "date",
        "Ordernummer": "text",
        "Klantnummer": "text",
        "Omzet excl. btw": "number",
        "Kostprijs": "number",
        "Omzet doel": "number",
    }
    assert suggest_columns("gross_margin_pct", kinds) == {
        "revenue": "Omzet excl. btw",
        "cost": "Kostprijs",
    }
    assert suggest_columns("repeat_purchase_rate", kinds) == {
        "orders": "Ordernummer",
        "customers": "Klantnummer",
    }
    hr = {"Maand": "date", "Verzuimuren": "number", "Contracturen": "number"}
    assert suggest_columns("absenteeism", hr) == {
        "sick_hours": "Verzuimuren",
        "contract_hours": "Contracturen",
    }


def test_suggest_columns_respects_kinds_plans_and_uses_a_column_once() -> None:
    # Revenue as text cannot be summed; a target column is no actual.
    assert suggest_columns("revenue", {"Revenue": "text"}) == {"revenue": None}
    assert suggest_columns("revenue", {"Revenue target": "number"}) == {"revenue": None}
    # Ids may be profiled as numbers.
    assert suggest_columns("order_count", {"Order ID": "number"}) == {"orders": "Order ID"}
    # One column cannot be both promoter and detractor.
    assert suggest_columns("nps", {"Promoters": "number"}) == {
        "promoter": "Promoters",
        "detractor": None,
    }
    assert suggest_columns("cost_per_lead", {}) == {"spend": None, "leads": None}


# -- evaluating: every template on data made here ----------------------------------------------
def _made_frame(months: int = 14) -> pd.DataFrame:
    """Three rows a month for ``months`` months, one column per role named by its label."""
    rng = np.random.default_rng(7)
    dates = [
        pd.Timestamp(2025, 1, 1) + pd.DateOffset(months=m, days=d)
        for m in range(months)
        for d in (2, 11, 20)
    ]
    n = len(dates)
    data: dict[str, object] = {"Date": dates}
    for role in ROLES.values():
        label = role.label("en")
        if role.kind == "number":
            data[label] = rng.integers(1, 100, n).astype(float)
        else:
            data[label] = [f"{role.name}-{i % 5}" for i in range(n)]
    return pd.DataFrame(data)


def _scorecard(*kpis: KPI) -> Scorecard:
    return Scorecard(
        name="Test",
        datasets=[Dataset(id="d", name="Data", source="made.csv", date_column="Date")],
        goals=[Goal(id="g", title="A goal with a number 1", deadline=date(2026, 12, 31))],
        kpis=list(kpis),
    )


def _finite(values: pd.Series) -> bool:
    return bool(np.isfinite(values.astype(float)).all())


@pytest.mark.parametrize("tpl", TEMPLATES, ids=lambda tpl: tpl.id)
def test_every_template_evaluates_on_made_data(tpl: KpiTemplate) -> None:
    df = _made_frame()
    columns = {role.name: role.label("en") for role in roles(tpl)}
    target = suggested_target(tpl, columns) or Target(kind="constant", value=50)
    kpi = _kpi(tpl, columns, target=target)
    ev = evaluate_scorecard(_scorecard(kpi), {"d": df})
    assert not ev.errors, ev.errors
    rows = ev.kpi_rows("k")
    with_data = rows[rows["rows"] > 0]
    assert len(with_data) >= 5  # 14 months: at least 5 periods of any cadence
    assert _finite(with_data["actual"]), with_data[["period", "actual"]]
    last = rows.iloc[-1]
    if bool(last["partial"]) and pd.isna(last["projected"]):
        # The data ends on 20 February: a partial period of a measure that does not add
        # up is shown, not judged (issue 12); the last complete period is judged.
        assert last["status"] in ("in_progress", "too_early")
        last = rows[~rows["partial"].astype(bool)].iloc[-1]
    assert last["status"] in ("on_track", "at_risk", "off_track")


# -- evaluating: values worked out by hand -----------------------------------------------------
def _evaluate(tpl: str, columns: dict[str, str], rows: dict[str, list], **kw) -> Evaluation:
    df = pd.DataFrame(rows)
    df["Date"] = pd.to_datetime(df["Date"])
    ev = evaluate_scorecard(_scorecard(_kpi(tpl, columns, **kw)), {"d": df})
    assert not ev.errors, ev.errors
    return ev


def _actuals(ev: Evaluation) -> dict[str, float]:
    rows = ev.kpi_rows("k")
    return dict(zip(rows["period"], rows["actual"], strict=True))


JAN = ["2026-01-05", "2026-01-12", "2026-01-20"]
JAN4 = [*JAN, "2026-01-28"]

BY_HAND = [
    # (600 − 330) / 600 × 100
    (
        "gross_margin_pct",
        {"revenue": "Omzet", "cost": "Kosten"},
        {"Date": JAN, "Omzet": [100, 200, 300], "Kosten": [60, 120, 150]},
        {"2026-01": 45.0},
    ),
    (
        "gross_profit",
        {"revenue": "R", "cost": "C"},
        {"Date": JAN, "R": [1, 2, 3], "C": [0, 1, 1]},
        {"2026-01": 4.0},
    ),
    # 2 distinct orders out of 100 visits (the visits sit on one row of the day)
    (
        "conversion_rate",
        {"orders": "Order ID", "visits": "Visits"},
        {"Date": JAN, "Order ID": ["A", "A", "B"], "Visits": [100, None, None]},
        {"2026-01": 2.0},
    ),
    # 60 revenue over 2 orders
    (
        "average_order_value",
        {"revenue": "Revenue", "orders": "Order"},
        {"Date": JAN, "Revenue": [10, 20, 30], "Order": ["O1", "O1", "O2"]},
        {"2026-01": 30.0},
    ),
    # 4 orders by 3 customers: 1 of 4 orders is a repeat
    (
        "repeat_purchase_rate",
        {"orders": "Order", "customers": "Customer"},
        {"Date": JAN4, "Order": ["O1", "O2", "O3", "O4"], "Customer": ["C1", "C1", "C2", "C3"]},
        {"2026-Q1": 25.0},
    ),
    # (2 promoters − 1 detractor) / 4 answers
    (
        "nps",
        {"promoter": "P", "detractor": "D"},
        {"Date": JAN4, "P": [1, 1, 0, 0], "D": [0, 0, 1, 0]},
        {"2026-01": 25.0},
    ),
    (
        "on_time_delivery",
        {"on_time": "On time"},
        {"Date": JAN4, "On time": [1, 1, 0, 1]},
        {"2026-01": 75.0},
    ),
    (
        "average_delivery_days",
        {"delivery_days": "Dagen"},
        {"Date": JAN4, "Dagen": [1, 2, 3, 6]},
        {"2026-01": 3.0},
    ),
    # 24 sick hours of 320 contract hours
    (
        "absenteeism",
        {"sick_hours": "Verzuim", "contract_hours": "Contract"},
        {"Date": JAN[:2], "Verzuim": [8, 16], "Contract": [160, 160]},
        {"2026-01": 7.5},
    ),
    # 5 lost of 100 on average (one row a month, quarterly review)
    (
        "churn_rate",
        {"lost_customers": "Lost", "customer_count": "Customers"},
        {
            "Date": ["2026-01-31", "2026-02-28", "2026-03-31"],
            "Lost": [1, 2, 2],
            "Customers": [90, 100, 110],
        },
        {"2026-01": 1 / 90 * 100, "2026-02": 2.0, "2026-03": 2 / 110 * 100},
    ),
    # receivables at month end 30,000; revenue 45,000 → 20 days
    (
        "days_sales_outstanding",
        {"receivables": "Debiteuren", "revenue": "Omzet"},
        {"Date": JAN, "Debiteuren": [10000, 25000, 30000], "Omzet": [15000, 15000, 15000]},
        {"2026-01": 20.0},
    ),
    # the balance on the latest date, not the last row of the file
    (
        "cash_position",
        {"balance": "Saldo"},
        {"Date": ["2026-01-05", "2026-01-20", "2026-01-10"], "Saldo": [500, 800, 300]},
        {"2026-01": 800.0},
    ),
    (
        "newsletter_subscribers",
        {"subscribers": "Subs"},
        {"Date": JAN, "Subs": [10, 12, 15]},
        {"2026-01": 15.0},
    ),
    (
        "cost_per_lead",
        {"spend": "Spend", "leads": "Leads"},
        {"Date": JAN, "Spend": [100, 200, 300], "Leads": [2, 3, 7]},
        {"2026-01": 50.0},
    ),
    (
        "return_on_ad_spend",
        {"revenue": "Rev", "spend": "Spend"},
        {"Date": JAN, "Rev": [400, 500, 600], "Spend": [100, 100, 100]},
        {"2026-01": 5.0},
    ),
    ("win_rate", {"won": "Won"}, {"Date": JAN4, "Won": [1, 0, 0, 1]}, {"2026-01": 50.0}),
    (
        "staff_turnover",
        {"leavers": "Uit", "headcount": "Fte"},
        {"Date": ["2026-01-31", "2026-02-28", "2026-03-31"], "Uit": [1, 0, 1], "Fte": [19, 20, 21]},
        {"2026-Q1": 10.0},
    ),
    (
        "training_hours",
        {"training_hours": "Uren", "employees": "Naam"},
        {"Date": JAN4, "Uren": [4, 8, 4, 8], "Naam": ["An", "Bo", "An", "Cas"]},
        {"2026-Q1": 8.0},
    ),
    (
        "inventory_turnover",
        {"cost": "Cost", "stock_value": "Stock"},
        {
            "Date": ["2026-01-31", "2026-02-28", "2026-03-31"],
            "Cost": [100, 100, 100],
            "Stock": [50, 60, 40],
        },
        {"2026-Q1": 6.0},
    ),
    (
        "complaints",
        {"complaints": "Ticket"},
        {"Date": JAN4, "Ticket": ["T1", "T2", None, "T3"]},
        {"2026-01": 3.0},
    ),
    (
        "return_rate",
        {"returned": "Ret", "sold": "Sold"},
        {"Date": JAN, "Ret": [1, 2, 0], "Sold": [10, 20, 30]},
        {"2026-01": 5.0},
    ),
]


@pytest.mark.parametrize(
    ("tpl", "columns", "rows", "expected"), BY_HAND, ids=[c[0] for c in BY_HAND]
)
def test_values_worked_out_by_hand(tpl, columns, rows, expected) -> None:
    actuals = _actuals(_evaluate(tpl, columns, rows))
    for period, value in expected.items():
        assert actuals[period] == pytest.approx(value), period


def test_ad_spend_against_its_budget_column_gives_statuses() -> None:
    ev = _evaluate(
        "ad_spend_vs_budget",
        {"spend": "Spend", "budget": "Budget"},
        {
            "Date": ["2026-01-01", "2026-02-01", "2026-03-01"],
            "Spend": [1000, 1040, 1100],
            "Budget": [1000, 1000, 1000],
        },
    )
    rows = ev.kpi_rows("k")
    # Lower is better with a 5% tolerance: 1040 is within 1050, 1100 is not.
    assert list(rows["target"]) == [1000, 1000, 1000]
    assert list(rows["status"]) == ["on_track", "at_risk", "off_track"]


def test_revenue_growth_is_judged_against_last_year_plus_the_growth() -> None:
    ev = _evaluate(
        "revenue_growth",
        {"revenue": "Omzet"},
        {"Date": ["2025-01-10", "2026-01-10"], "Omzet": [100, 120]},
        target=suggested_target(template("revenue_growth"), {}),
    )
    last = ev.kpi_rows("k").iloc[-1]
    assert last["period"] == "2026-01"
    assert last["target"] == pytest.approx(110.0) and last["status"] == "on_track"


def test_capacity_utilisation_is_a_range() -> None:
    ev = _evaluate(
        "capacity_utilisation",
        {"used_hours": "Used", "available_hours": "Avail"},
        {
            # March's row on the 31st: the data is complete through March (a partial
            # March would be "in progress" for a ratio).
            "Date": ["2026-01-10", "2026-02-10", "2026-03-31"],
            "Used": [120, 150, 100],
            "Avail": [160, 160, 160],
        },
        target=suggested_target(template("capacity_utilisation"), {}),
    )
    rows = ev.kpi_rows("k")
    # 75% and 93.75% (within 5 points of 90) and 62.5%
    assert list(rows["actual"]) == pytest.approx([75.0, 93.75, 62.5])
    assert list(rows["status"]) == ["on_track", "at_risk", "off_track"]


# -- evaluating: templates on the sample workbook ----------------------------------------------
SAMPLE_USES = {
    "Orders": [
        "revenue",
        "revenue_growth",
        "order_count",
        "average_order_value",
        "active_customers",
        "repeat_purchase_rate",
        "gross_margin_pct",
        "gross_profit",
    ],
    "Marketing": [
        "website_visits",
        "leads",
        "lead_conversion",
        "cost_per_lead",
        "ad_spend_vs_budget",
        "newsletter_subscribers",
    ],
    "Survey": ["nps", "customer_satisfaction"],
    "Deliveries": ["on_time_delivery", "average_delivery_days"],
}


def _by_hand_on_sample(tpl: str, rows: pd.DataFrame) -> float:
    """The template's value over ``rows``, computed with plain pandas."""
    n_orders = rows.get("Order ID", pd.Series(dtype=str)).nunique()
    formulas = {
        "revenue": lambda r: r["Revenue"].sum(),
        "revenue_growth": lambda r: r["Revenue"].sum(),
        "order_count": lambda r: n_orders,
        "average_order_value": lambda r: r["Revenue"].sum() / n_orders,
        "active_customers": lambda r: r["Customer ID"].nunique(),
        "repeat_purchase_rate": lambda r: (n_orders - r["Customer ID"].nunique()) / n_orders * 100,
        "gross_margin_pct": lambda r: (
            (r["Revenue"].sum() - r["Cost"].sum()) / r["Revenue"].sum() * 100
        ),
        "gross_profit": lambda r: r["Revenue"].sum() - r["Cost"].sum(),
        "website_visits": lambda r: r["Visits"].sum(),
        "leads": lambda r: r["Leads"].sum(),
        "lead_conversion": lambda r: r["Leads"].sum() / r["Visits"].sum() * 100,
        "cost_per_lead": lambda r: r["Ad spend"].sum() / r["Leads"].sum(),
        "ad_spend_vs_budget": lambda r: r["Ad spend"].sum(),
        "newsletter_subscribers": lambda r: r["Newsletter subscribers"].iloc[-1],
        "nps": lambda r: (r["Promoter"].sum() - r["Detractor"].sum()) / len(r) * 100,
        "customer_satisfaction": lambda r: r["Satisfaction"].mean(),
        "on_time_delivery": lambda r: r["On time"].sum() / len(r) * 100,
        "average_delivery_days": lambda r: r["Delivery days"].mean(),
    }
    return float(formulas[tpl](rows))


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return sample_frames()


@pytest.mark.parametrize(
    ("sheet", "tpl"),
    [(sheet, tpl) for sheet, tpls in SAMPLE_USES.items() for tpl in tpls],
    ids=[tpl for tpls in SAMPLE_USES.values() for tpl in tpls],
)
def test_templates_on_the_sample_data(frames, sheet: str, tpl: str) -> None:
    df = frames[sheet]
    date_column = "Month" if sheet == "Marketing" else "Date"
    columns = suggest_columns(tpl, profile_columns(df))
    assert all(columns.values()), columns  # the sample's column names are recognised
    target = suggested_target(template(tpl), columns)
    kpi = _kpi(tpl, columns, target=target)
    sc = Scorecard(
        name="Sample",
        datasets=[
            Dataset(id="d", name=sheet, source="s.xlsx", sheet=sheet, date_column=date_column)
        ],
        goals=[Goal(id="g", title="Sample goal 2026", deadline=date(2026, 12, 31))],
        kpis=[kpi],
    )
    ev = evaluate_scorecard(sc, {"d": df}, as_of=date(2026, 10, 31))
    assert not ev.errors
    rows = ev.kpi_rows("k")
    assert _finite(rows["actual"].dropna()) and rows["actual"].notna().sum() >= 6
    # October 2026 (September 2026 for the quarterly repeat rate: Q3) against pandas.
    period = "2026-Q3" if kpi.cadence == "quarter" else "2026-10"
    start, end = (
        ("2026-07-01", "2026-10-01") if period == "2026-Q3" else ("2026-10-01", "2026-11-01")
    )
    when = df[date_column]
    month = df[(when >= start) & (when < end)].sort_values(date_column, kind="stable")
    actual = rows.loc[rows["period"] == period, "actual"].iloc[0]
    assert actual == pytest.approx(_by_hand_on_sample(tpl, month))
    status = rows.loc[rows["period"] == period, "status"].iloc[0]
    assert (status != "no_target") == (target is not None)
    assert not math.isnan(actual)


def test_messages_of_the_error_read_well() -> None:
    text = t("error.template.role_missing", "en", template="Revenue", role="Revenue")
    assert text.startswith("The template 'Revenue' needs a column")
    assert "error.template.column_name" in catalogue()
