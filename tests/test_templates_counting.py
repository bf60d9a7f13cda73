"""Templates pick the aggregation from the column: a number per row is added up, an
identifier per row is counted, and an unclear column is left to the user."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.engine.templates import (
    aggregation_check,
    count_choice,
    counting_roles,
    instantiate,
    with_counting,
)
from kpilogic.scorecard.model import Dataset, Goal, Measure, Scorecard

# April 2026, one row a day: 25, 26, 27, 28, 29, 30 orders, repeated five times (30 days).
DAILY = [25, 26, 27, 28, 29, 30] * 5
APRIL_TOTAL = 5 * (25 + 26 + 27 + 28 + 29 + 30)  # 5 × 165 = 825 orders


def _daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": pd.date_range("2026-04-01", periods=30, freq="D"),
            "Orders": [float(v) for v in DAILY],
        }
    )


def _card(kpi) -> Scorecard:
    return Scorecard(
        name="Shop",
        datasets=[Dataset(id="d", name="Daily", source="d.csv", date_column="Date")],
        goals=[Goal(id="g", title="Grow")],
        kpis=[kpi],
    )


def test_a_numeric_orders_column_of_small_whole_numbers_is_summed() -> None:
    guess = count_choice("Orders", _daily()["Orders"])
    assert (guess.choice, guess.reason) == ("sum", "values_count")
    kpi = instantiate(
        "order_count",
        kpi_id="orders",
        goal_id="g",
        dataset_id="d",
        columns={"orders": "Orders"},
        counting={"orders": guess.choice},
    )
    assert kpi.measure == Measure(aggregation="sum", column="Orders")
    ev = evaluate_scorecard(_card(kpi), {"d": _daily()}, as_of=date(2026, 4, 30))
    april = ev.kpi_rows("orders").set_index("period").loc["2026-04"]
    assert april["actual"] == pytest.approx(APRIL_TOTAL)  # 825, not 6 different values


def test_without_the_choice_the_template_counts_distinct_values() -> None:
    kpi = instantiate(
        "order_count", kpi_id="o", goal_id="g", dataset_id="d", columns={"orders": "Orders"}
    )
    assert kpi.measure == Measure(aggregation="count_distinct", column="Orders")
    ev = evaluate_scorecard(_card(kpi), {"d": _daily()}, as_of=date(2026, 4, 30))
    # The wrong reading the issue saw: only 6 different daily numbers (25..30).
    assert ev.kpi_rows("o").set_index("period").loc["2026-04", "actual"] == pytest.approx(6)


def test_an_order_id_text_column_is_counted_distinct() -> None:
    ids = pd.Series(["ORD-1001", "ORD-1002", "ORD-1002", "ORD-1003", "ORD-1004"])
    guess = count_choice("Order ID", ids)
    assert (guess.choice, guess.reason) == ("count", "text")
    kpi = instantiate(
        "order_count",
        kpi_id="o",
        goal_id="g",
        dataset_id="d",
        columns={"orders": "Order ID"},
        counting={"orders": "count"},
    )
    assert kpi.measure == Measure(aggregation="count_distinct", column="Order ID")
    data = pd.DataFrame(
        {"Date": pd.to_datetime(["2026-04-02"] * 3 + ["2026-04-20"] * 2), "Order ID": ids}
    )
    ev = evaluate_scorecard(_card(kpi), {"d": data}, as_of=date(2026, 4, 30))
    # 5 order lines, ORD-1002 twice: 4 orders
    assert ev.kpi_rows("o").set_index("period").loc["2026-04", "actual"] == pytest.approx(4)


@pytest.mark.parametrize(
    ("column", "values", "choice", "reason"),
    [
        # large whole numbers, all different: order numbers
        ("Ordernummer", [100234, 100235, 100236, 100237, 100238], "count", "values_id"),
        ("Order", [100234, 100235, 100236, 100237, 100238], "count", "values_id"),
        # three days of counts, all different: too few to tell by the values; the name does
        ("Bestellingen", [26, 31, 28], "sum", "name_count"),
        ("Aantal orders", [26, 31, 28], "sum", "name_count"),
        ("Order nr", [1, 2, 3], "count", "name_id"),
        # neither values nor name tell: small numbers, all different, a neutral name
        ("Order", [1, 2, 3, 4, 5], None, "unclear"),
        # values and name disagree: ask
        ("Orders", [100234, 100235, 100236, 100237, 100238], None, "unclear"),
        ("Order ID", [2, 3, 2, 3, 2, 3], None, "unclear"),
        # not whole numbers
        ("Orders", [1.5, 2.0, 2.5], None, "not_whole"),
        ("Orders", [None, None], None, "empty"),
        # yes/no per row: the yes's are added up
        ("Complaint", [True, False, True], "sum", "flag"),
    ],
)
def test_count_choice(column: str, values: list, choice, reason: str) -> None:
    guess = count_choice(column, pd.Series(values, dtype="float64" if None in values else None))
    assert (guess.choice, guess.reason) == (choice, reason)


def test_counting_roles_and_rewriting_the_pattern() -> None:
    assert counting_roles("order_count") == ["orders"]
    assert counting_roles("repeat_purchase_rate") == ["orders", "customers"]
    assert counting_roles("complaints") == ["complaints"]
    assert counting_roles("gross_margin_pct") == []
    pattern = "sum({revenue}) / count_distinct({orders})"
    assert with_counting(pattern, {"orders": "sum"}) == "sum({revenue}) / sum({orders})"
    assert with_counting(pattern, {"orders": "count"}) == pattern
    assert with_counting("count({complaints})", {"complaints": "sum"}) == "sum({complaints})"
    kpi = instantiate(
        "average_order_value",
        kpi_id="aov",
        goal_id="g",
        dataset_id="d",
        columns={"revenue": "Omzet", "orders": "Orders"},
        counting={"orders": "sum"},
    )
    assert kpi.measure.formula == "sum([Omzet]) / sum([Orders])"


def test_aggregation_check_gives_sum_count_and_distinct_per_period() -> None:
    kpi = instantiate(
        "order_count", kpi_id="o", goal_id="g", dataset_id="d", columns={"orders": "Orders"}
    )
    check = aggregation_check(_daily(), kpi, date_column="Date")
    assert check["period"].tolist() == ["2026-04"]
    row = check.iloc[0]
    assert row["column"] == "Orders"
    assert row["sum"] == pytest.approx(APRIL_TOTAL)  # 825
    assert row["count"] == pytest.approx(30)  # 30 days with a value
    assert row["distinct"] == pytest.approx(6)  # 25..30
    # as_of leaves later rows out: 1..10 April = 25..30, 25..28 → 165 + 106 = 271
    early = aggregation_check(_daily(), kpi, date_column="Date", as_of=date(2026, 4, 10))
    assert early.iloc[0]["sum"] == pytest.approx(271)
    assert early.iloc[0]["count"] == pytest.approx(10)


@pytest.mark.parametrize(
    ("column", "says"),
    [
        ("Order ID", "id"),
        ("Ordernummer", "id"),
        ("Klantnr", "id"),
        ("Number of orders", "count"),
        ("Aantal bestellingen", "count"),
        ("# orders", "count"),
        ("Orders", "count"),
        ("Klanten", "count"),
        ("Order", None),
        ("Klant", None),
    ],
)
def test_name_suggests(column: str, says) -> None:
    from kpilogic.engine.templates import name_suggests

    assert name_suggests(column) == says
