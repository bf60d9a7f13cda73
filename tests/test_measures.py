"""Tests of engine.measures: aggregations, formulas, filters and bucketing, worked by hand."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpilogic.engine import measures
from kpilogic.engine.measures import (
    aggregate_per_period,
    apply_filters,
    measure_per_period,
    measure_total,
)
from kpilogic.errors import DataError, FormulaError
from kpilogic.i18n import catalogue
from kpilogic.scorecard.formula import (
    BinaryOp,
    Call,
    Negate,
    Number,
    formula_columns,
    formula_is_additive,
    parse_formula,
)
from kpilogic.scorecard.model import AGGREGATIONS, Aggregation, Cadence, Filter, Measure
from kpilogic.scorecard.periods import Period

NAN = math.nan


def sales() -> pd.DataFrame:
    """Eight rows; the last has no date. Row 4's channel has a trailing space, row 6 a time.

    Months: Jan = rows 1-3, Feb = rows 4-5, Mar = row 6, Apr = row 7.
    ISO weeks: 01-05 is a Monday (W02), 01-20 W04, 02-10 W07, 03-31 and 04-01 both W14.
    """
    return pd.DataFrame(
        {
            "Date": pd.to_datetime(
                pd.Series(
                    [
                        "2026-01-05",
                        "2026-01-05",
                        "2026-01-20",
                        "2026-02-10",
                        "2026-02-10",
                        "2026-03-31 15:30",
                        "2026-04-01",
                        None,
                    ]
                ),
                format="ISO8601",
            ),
            "Channel": ["Web", "Shop", "Web", "Web ", "Shop", "Shop", "Web", None],
            "Sales": [100.0, 50.0, None, 200.0, 30.0, 70.0, 10.0, 999.0],
            "Profit": [20.0, 5.0, None, 50.0, -10.0, 7.0, 0.0, 999.0],
            "Order ID": ["A1", "A2", "A1", "A3", "A4", "A4", "A5", "A9"],
        }
    )


def per_period(
    measure: Measure | str,
    cadence: Cadence = "month",
    df: pd.DataFrame | None = None,
    **kwargs: object,
) -> dict[str, float]:
    """The measure per period label, e.g. {'2026-01': 150.0}."""
    if isinstance(measure, str):
        measure = Measure(formula=measure)
    out = measure_per_period(
        sales() if df is None else df,
        measure,
        date_column="Date",
        cadence=cadence,
        **kwargs,  # type: ignore[arg-type]
    )
    fs = int(kwargs.get("fiscal_start", 1))  # type: ignore[call-overload]
    return {
        Period(cadence, int(k), fs).label: v for k, v in zip(out["key"], out["value"], strict=True)
    }


def agg(aggregation: Aggregation, column: str | None) -> Measure:
    return Measure(aggregation=aggregation, column=column)


# -- aggregations ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("aggregation", "column", "expected"),
    [
        # Jan: Sales 100, 50, (empty); Feb: 200, 30; Mar: 70; Apr: 10. The undated 999 is out.
        ("sum", "Sales", {"2026-01": 150, "2026-02": 230, "2026-03": 70, "2026-04": 10}),
        ("mean", "Sales", {"2026-01": 75, "2026-02": 115, "2026-03": 70, "2026-04": 10}),
        ("median", "Sales", {"2026-01": 75, "2026-02": 115, "2026-03": 70, "2026-04": 10}),
        ("min", "Sales", {"2026-01": 50, "2026-02": 30, "2026-03": 70, "2026-04": 10}),
        ("max", "Sales", {"2026-01": 100, "2026-02": 200, "2026-03": 70, "2026-04": 10}),
        # count(Col) skips the empty Sales cell of 01-20; count() counts it as a row.
        ("count", "Sales", {"2026-01": 2, "2026-02": 2, "2026-03": 1, "2026-04": 1}),
        ("count", None, {"2026-01": 3, "2026-02": 2, "2026-03": 1, "2026-04": 1}),
        # Jan: A1, A2, A1 -> 2; Feb: A3, A4 -> 2; Mar: A4; Apr: A5.
        ("count_distinct", "Order ID", {"2026-01": 2, "2026-02": 2, "2026-03": 1, "2026-04": 1}),
        # Jan: the latest date 01-20 has no Sales, so the 01-05 tie decides: later row = 50.
        # Feb: both rows on 02-10, the later row in the file = 30.
        ("last", "Sales", {"2026-01": 50, "2026-02": 30, "2026-03": 70, "2026-04": 10}),
    ],
)
def test_every_aggregation_by_month(
    aggregation: Aggregation, column: str | None, expected: dict[str, float]
) -> None:
    assert per_period(agg(aggregation, column)) == pytest.approx(expected)


def test_output_columns_types_and_row_counts() -> None:
    out = measure_per_period(
        sales(), agg("sum", "Sales"), date_column="Date", cadence="month", dataset="Sales"
    )
    assert list(out.columns) == ["key", "value", "rows"]
    assert out["key"].dtype == "int64"
    assert out["value"].dtype == "float64"
    assert out["rows"].dtype == "int64"
    # 2026-01 is month key 2026 * 12 + 0; rows include the one with an empty Sales cell.
    assert out["key"].tolist() == [24312, 24313, 24314, 24315]
    assert out["rows"].tolist() == [3, 2, 1, 1]
    assert isinstance(out.index, pd.RangeIndex)


def test_sum_of_only_empty_cells_has_no_value() -> None:
    # Week W04 holds just the 01-20 row, whose Sales is empty: no value, not 0.
    out = per_period(agg("sum", "Sales"), "week")
    assert out == pytest.approx(
        {"2026-W02": 150, "2026-W04": NAN, "2026-W07": 230, "2026-W14": 80}, nan_ok=True
    )


def test_last_with_ties_takes_the_later_row_in_file_order() -> None:
    df = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-05-03", "2026-05-09", "2026-05-09", "2026-05-01"]),
            "Stock": [7.0, 3.0, 4.0, 99.0],
        }
    )
    # Latest date 05-09 appears twice: the later of the two rows (4) wins; 05-01 is earlier
    # even though it is the last row of the file.
    assert per_period(agg("last", "Stock"), df=df) == {"2026-05": 4.0}
    assert measure_total(df, agg("last", "Stock"), date_column="Date") == 4.0
    # Without a date column, "last" is the last row of the file.
    assert measure_total(df, agg("last", "Stock")) == 99.0


def test_numeric_aggregations_read_numbers_stored_as_text() -> None:
    df = pd.DataFrame(
        {
            "Date": ["2026-01-02", "2026-01-03", "2026-01-04", "not a date"],  # text dates
            "Amount": ["10", "n/a", " 5 ", "7"],
        }
    )
    # "n/a" is no number; " 5 " is 5; the undated row is dropped: 10 + 5 = 15.
    assert per_period(agg("sum", "Amount"), df=df) == {"2026-01": 15.0}
    assert per_period(agg("count", "Amount"), df=df) == {"2026-01": 3.0}  # any non-empty cell
    assert per_period(agg("max", "Amount"), df=df) == {"2026-01": 10.0}


def test_dates_as_text_read_iso_first_then_day_first() -> None:
    df = pd.DataFrame(
        {"Date": ["2026-03-05", "05-03-2026", "31-03-2026", "", None], "X": [1, 2, 4, 8, 16]}
    )
    # ISO 5 March, Dutch 5 March and 31 March; the empty and missing dates are dropped.
    assert per_period(agg("sum", "X"), df=df) == {"2026-03": 7.0}


# -- bucketing ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cadence", "fiscal_start", "expected"),
    [
        ("week", 1, {"2026-W02": 150, "2026-W04": NAN, "2026-W07": 230, "2026-W14": 80}),
        ("month", 1, {"2026-01": 150, "2026-02": 230, "2026-03": 70, "2026-04": 10}),
        # Q1 = 150 + 230 + 70 = 450; Q2 = 10.
        ("quarter", 1, {"2026-Q1": 450, "2026-Q2": 10}),
        ("year", 1, {"2026": 460}),
        # Fiscal year from April: Jan-Mar 2026 is the last quarter of FY2025/26.
        ("quarter", 4, {"FY2025/26-Q4": 450, "FY2026/27-Q1": 10}),
        ("year", 4, {"FY2025/26": 450, "FY2026/27": 10}),
    ],
)
def test_bucketing(cadence: Cadence, fiscal_start: int, expected: dict[str, float]) -> None:
    got = per_period(agg("sum", "Sales"), cadence, fiscal_start=fiscal_start)
    assert got == pytest.approx(expected, nan_ok=True)


def test_week_rows_span_two_months() -> None:
    out = measure_per_period(sales(), agg("count", None), date_column="Date", cadence="week")
    # W14 holds 03-31 and 04-01.
    assert out["rows"].tolist() == [2, 1, 2, 2]


# -- segments ----------------------------------------------------------------------------
def test_segments_split_per_period_and_sort() -> None:
    out = measure_per_period(
        sales(), agg("sum", "Sales"), date_column="Date", cadence="month", segment_column="Channel"
    )
    assert list(out.columns) == ["key", "segment", "value", "rows"]
    assert out["segment"].dtype == "string"
    got = [(Period("month", int(k)).label, s, v, n) for k, s, v, n in out.itertuples(index=False)]
    # "Web " counts as "Web"; Jan Web has 100 and an empty cell (2 rows).
    assert got == [
        ("2026-01", "Shop", 50.0, 1),
        ("2026-01", "Web", 100.0, 2),
        ("2026-02", "Shop", 30.0, 1),
        ("2026-02", "Web", 200.0, 1),
        ("2026-03", "Shop", 70.0, 1),
        ("2026-04", "Web", 10.0, 1),
    ]


def test_numeric_segments_read_as_whole_numbers() -> None:
    df = pd.DataFrame(
        {"Date": pd.to_datetime(["2026-01-01"] * 3), "Store": [12.0, 7.0, None], "X": [1, 2, 3]}
    )
    out = measure_per_period(
        df, agg("sum", "X"), date_column="Date", cadence="year", segment_column="Store"
    )
    # The row without a store is in no segment.
    assert out["segment"].tolist() == ["12", "7"]
    assert out["value"].tolist() == [1.0, 2.0]


# -- formulas ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Margin: Jan 25/150*100, Feb 40/230*100, Mar 7/70*100, Apr 0/10*100.
        (
            "sum(Profit) / sum(Sales) * 100",
            {"2026-01": 2500 / 150, "2026-02": 4000 / 230, "2026-03": 10, "2026-04": 0},
        ),
        # * before -: Jan 150 - 25 * 2 = 100.
        ("sum(Sales) - sum(Profit) * 2", {"2026-01": 100, "2026-02": 150, "2026-03": 56}),
        # Parentheses first: Jan (150 - 25) * 2 = 250.
        ("(sum(Sales) - sum(Profit)) * 2", {"2026-01": 250, "2026-02": 380, "2026-03": 126}),
        # Left to right: Jan 150 / 3 / 2 = 25 (not 150 / 1.5).
        ("sum(Sales) / count() / 2", {"2026-01": 25, "2026-02": 57.5, "2026-03": 35}),
        # Unary minus: Jan -25 + 1; double minus cancels; minus after *.
        ("-sum(Profit) + 1", {"2026-01": -24, "2026-02": -39, "2026-03": -6}),
        ("--sum(Sales)", {"2026-01": 150, "2026-02": 230, "2026-03": 70}),
        ("2 * -sum(Sales)", {"2026-01": -300, "2026-02": -460, "2026-03": -140}),
        # Division by zero has no value: April's profit is 0.
        (
            "sum(Sales) / sum(Profit)",
            {"2026-01": 6, "2026-02": 5.75, "2026-03": 10, "2026-04": NAN},
        ),
        ("count() / 0", {"2026-01": NAN, "2026-02": NAN, "2026-03": NAN, "2026-04": NAN}),
        ("0 / (count() - count())", {"2026-01": NAN, "2026-02": NAN, "2026-03": NAN}),
        # Column names with a space, bare / bracketed / quoted, aliases and any case.
        ("count_distinct(Order ID)", {"2026-01": 2, "2026-02": 2, "2026-03": 1}),
        ("count_distinct([Order ID])", {"2026-01": 2, "2026-02": 2, "2026-03": 1}),
        ("COUNTD( 'Order ID' )", {"2026-01": 2, "2026-02": 2, "2026-03": 1}),
        ('Distinct("Order ID") * 1.5', {"2026-01": 3, "2026-02": 3, "2026-03": 1.5}),
        ("avg(Sales) + mean(Sales)", {"2026-01": 150, "2026-02": 230, "2026-03": 140}),
        # count(*) counts rows, like count(); .5 is a number.
        ("count(*) * .5", {"2026-01": 1.5, "2026-02": 1, "2026-03": 0.5}),
        # Typographic signs from Word: − and ×.
        ("sum(Sales) − sum(Profit) × 2", {"2026-01": 100, "2026-02": 150, "2026-03": 56}),
    ],
)
def test_formulas(formula: str, expected: dict[str, float]) -> None:
    got = per_period(formula)
    got = {label: got[label] for label in expected}
    assert got == pytest.approx(expected, nan_ok=True)


def test_formula_output_never_holds_infinity() -> None:
    out = measure_per_period(
        sales(), Measure(formula="sum(Sales) / 0"), date_column="Date", cadence="year"
    )
    assert not np.isinf(out["value"]).any()


def test_bare_column_name_may_hold_parentheses() -> None:
    df = pd.DataFrame(
        {"Date": pd.to_datetime(["2026-01-01", "2026-01-02"]), "Revenue (EUR)": [3.0, 4.0]}
    )
    assert per_period("sum(Revenue (EUR)) * 2", df=df) == {"2026-01": 14.0}
    assert formula_columns("sum(Revenue (EUR))") == {"Revenue (EUR)"}


def test_parse_tree_follows_precedence() -> None:
    profit, sales_ = Call("sum", "Profit"), Call("sum", "Sales")
    assert parse_formula("sum(Profit) / sum(Sales) * 100") == BinaryOp(
        "*", BinaryOp("/", profit, sales_), Number(100.0)
    )
    assert parse_formula("1 + 2 * sum(Sales)") == BinaryOp(
        "+", Number(1.0), BinaryOp("*", Number(2.0), sales_)
    )
    assert parse_formula("-(count())") == Negate(Call("count", None))
    assert parse_formula("+count()") == Call("count", None)


def test_formula_columns() -> None:
    assert formula_columns("sum(Profit) / sum([Sales]) + count() - last('Order ID')") == {
        "Profit",
        "Sales",
        "Order ID",
    }
    assert formula_columns("count()") == set()


@pytest.mark.parametrize(
    ("formula", "additive"),
    [
        ("sum(A)", True),
        ("count()", True),
        ("count(A)", True),
        ("sum(A) - sum(B)", True),
        ("2 * sum(A) + sum(B) / 4 - count()", True),
        ("-(sum(A) + count(B)) * (3 - 1)", True),
        ("sum(A) / 0", False),
        ("sum(A) + 5", False),
        ("sum(A) / sum(B)", False),
        ("sum(A) * sum(B)", False),
        ("count_distinct(X)", False),
        ("mean(X)", False),
        ("last(X) + sum(A)", False),
        ("not a formula (", False),
    ],
)
def test_formula_is_additive(formula: str, additive: bool) -> None:
    assert formula_is_additive(formula) is additive


@pytest.mark.parametrize(
    ("formula", "key", "position"),
    [
        ("", "error.formula.empty", 1),
        ("   ", "error.formula.empty", 1),
        ("sum(Sales", "error.formula.unclosed", 1),
        ("(sum(Sales) + 1", "error.formula.unclosed", 1),
        ("sum(Sales))", "error.formula.unopened", 11),
        ("sum(Sales) + )", "error.formula.unexpected", 14),
        ("median(Sales) $ 2", "error.formula.trailing", 15),
        ("sum(Sales) 100", "error.formula.trailing", 12),
        ("sum(Sales) +", "error.formula.unexpected_end", 13),
        ("total(Sales)", "error.formula.unknown_function", 1),
        ("2 * Sales", "error.formula.bare_name", 5),
        ("sum([Sales)", "error.formula.unclosed_bracket", 5),
        ("sum('Sales)", "error.formula.unclosed_quote", 5),
        ("sum([Sales] x)", "error.formula.unexpected", 13),
        ("mean()", "error.formula.missing_column", 1),
        ("sum([ ])", "error.formula.missing_column", 1),
        ("100 * 2", "error.formula.no_aggregation", 1),
        ("(" * 60 + "count()" + ")" * 60, "error.formula.too_complex", None),
        ("-" * 60 + "count()", "error.formula.too_complex", None),
        ("+".join(["count()"] * 300), "error.formula.too_complex", None),
    ],
)
def test_parse_errors_name_the_problem_and_where(
    formula: str, key: str, position: int | None
) -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula(formula)
    err = info.value
    assert err.key == key
    assert err.params["formula"] == formula
    assert err.params["detail"]
    if position is not None:
        assert err.params["position"] == position
    assert key in catalogue()
    for lang in ("en", "nl"):
        text = err.message(lang)
        assert "{" not in text.replace(formula, ""), text  # every placeholder filled


def test_unknown_column_in_a_formula() -> None:
    with pytest.raises(FormulaError) as info:
        measure_per_period(
            sales(),
            Measure(formula="sum(Sales) / sum(Profits)"),
            date_column="Date",
            cadence="month",
            dataset="Orders",
        )
    err = info.value
    assert err.key == "error.formula.unknown_column"
    assert err.params["column"] == "Profits"
    assert err.params["position"] == 14
    assert "Profit" in err.params["columns"]  # a close match is suggested
    assert "Profits" in err.message("nl") and "Orders" in err.message("nl")


def test_missing_columns_are_data_errors() -> None:
    kw: dict[str, str] = {"date_column": "Date", "cadence": "month", "dataset": "Orders"}
    with pytest.raises(DataError) as info:
        measure_per_period(sales(), agg("sum", "Revenue"), **kw)  # type: ignore[arg-type]
    assert info.value.key == "error.data.column_missing"
    assert info.value.params == {"column": "Revenue", "dataset": "Orders"}
    with pytest.raises(DataError):
        measure_per_period(sales(), agg("sum", "Sales"), date_column="When", cadence="month")
    with pytest.raises(DataError):
        measure_per_period(
            sales(), agg("sum", "Sales"), date_column="Date", cadence="month", segment_column="R"
        )


def test_aggregate_per_period_matches_measure_per_period() -> None:
    kw: dict[str, object] = {
        "date_column": "Date",
        "cadence": "quarter",
        "segment_column": "Channel",
    }
    for aggregation in AGGREGATIONS:
        column = "Order ID" if aggregation == "count_distinct" else "Sales"
        a = aggregate_per_period(sales(), aggregation, column, **kw)  # type: ignore[arg-type]
        m = measure_per_period(sales(), agg(aggregation, column), **kw)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(a, m)
    rows = aggregate_per_period(sales(), "count", None, date_column="Date", cadence="year")
    assert rows["value"].tolist() == [7.0]
    with pytest.raises(FormulaError) as info:
        aggregate_per_period(sales(), "sum", None, date_column="Date", cadence="year")
    assert info.value.key == "error.formula.missing_column"


def test_measure_total() -> None:
    df = sales()
    # Without a date column every row counts, the undated 999 too: 460 + 999.
    assert measure_total(df, agg("sum", "Sales")) == 1459.0
    assert measure_total(df, agg("sum", "Sales"), date_column="Date") == 460.0
    # Shop: 50 + 30 + 70 = 150 sales, 5 - 10 + 7 = 2 profit.
    shop = [Filter(column="Channel", op="eq", value="Shop")]
    assert measure_total(df, Measure(formula="sum(Profit) / sum(Sales)"), filters=shop) == (
        pytest.approx(2 / 150)
    )
    nothing = [Filter(column="Channel", op="eq", value="Post")]
    assert math.isnan(measure_total(df, agg("sum", "Sales"), filters=nothing))
    assert measure_total(df, agg("count", None), filters=nothing) == 0.0
    assert math.isnan(measure_total(df, Measure(formula="count() / count()"), filters=nothing))


def test_no_rows_after_filtering_gives_an_empty_typed_frame() -> None:
    out = measure_per_period(
        sales(),
        agg("sum", "Sales"),
        date_column="Date",
        cadence="month",
        filters=[Filter(column="Channel", op="eq", value="Post")],
        segment_column="Channel",
    )
    assert out.empty
    assert list(out.columns) == ["key", "segment", "value", "rows"]
    assert out.dtypes.astype(str).tolist() == ["int64", "string", "float64", "int64"]


# -- filters -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "op", "value", "expected_rows"),
    [
        # Channel: Web, Shop, Web, "Web ", Shop, Shop, Web, (empty) -> rows numbered 0..7.
        ("Channel", "eq", "Web", [0, 2, 3, 6]),
        ("Channel", "eq", " Web ", [0, 2, 3, 6]),
        ("Channel", "eq", "web", []),  # case-sensitive
        ("Channel", "ne", "Shop", [0, 2, 3, 6, 7]),  # the empty cell is "not Shop"
        ("Channel", "in", ["Web", "Shop"], [0, 1, 2, 3, 4, 5, 6]),
        ("Channel", "not_in", ["Web"], [1, 4, 5, 7]),
        # Sales: 100, 50, (empty), 200, 30, 70, 10, 999.
        ("Sales", "gt", 50, [0, 3, 5, 7]),
        ("Sales", "ge", 50, [0, 1, 3, 5, 7]),
        ("Sales", "lt", "50", [4, 6]),  # text that reads as a number compares numerically
        ("Sales", "le", 50.0, [1, 4, 6]),
        ("Sales", "eq", "200", [3]),
        ("Sales", "eq", "lots", []),  # text never equals a number
        ("Sales", "ne", 200, [0, 1, 2, 4, 5, 6, 7]),
        ("Sales", "in", [10, "70", "x"], [5, 6]),
        ("Sales", "not_in", [10, 70], [0, 1, 2, 3, 4, 7]),
        # Date: 01-05, 01-05, 01-20, 02-10, 02-10, 03-31 15:30, 04-01, (empty).
        ("Date", "ge", "2026-02-10", [3, 4, 5, 6]),
        ("Date", "lt", "2026-02-10", [0, 1, 2]),
        ("Date", "le", "2026-03-31", [0, 1, 2, 3, 4, 5]),  # the whole day, 15:30 included
        ("Date", "gt", "2026-03-31", [6]),
        ("Date", "eq", "2026-03-31", [5]),
        ("Date", "lt", "2026-03-31 12:00", [0, 1, 2, 3, 4]),  # with a time: exact
        ("Date", "ne", "2026-01-05", [2, 3, 4, 5, 6, 7]),
    ],
)
def test_filters(column: str, op: str, value: object, expected_rows: list[int]) -> None:
    flt = Filter.model_validate({"column": column, "op": op, "value": value})
    assert apply_filters(sales(), [flt]).index.tolist() == expected_rows


def test_filters_combine_with_and() -> None:
    filters = [
        Filter(column="Channel", op="eq", value="Shop"),
        Filter(column="Sales", op="ge", value=50),
    ]
    assert apply_filters(sales(), filters).index.tolist() == [1, 5]
    assert apply_filters(sales(), []).equals(sales())


def test_text_filters_on_numbers_and_codes() -> None:
    df = pd.DataFrame({"Code": ["9", "10", "100", None], "Year": ["2025", "2026", "2026", "x"]})
    # All codes read as numbers, so "9" < "20" < "100" numerically, not alphabetically.
    assert apply_filters(df, [Filter(column="Code", op="gt", value="20")]).index.tolist() == [2]
    # Year typed as a number in the filter still matches the text "2026".
    year = [Filter(column="Year", op="eq", value=2026.0)]
    assert apply_filters(df, year).index.tolist() == [1, 2]
    # Not all years are numbers ("x"): compare as text.
    later = [Filter(column="Year", op="ge", value="2026")]
    assert apply_filters(df, later).index.tolist() == [1, 2, 3]


def test_filters_apply_before_measuring() -> None:
    web = [Filter(column="Channel", op="eq", value="Web")]
    out = measure_per_period(
        sales(), agg("sum", "Sales"), date_column="Date", cadence="month", filters=web
    )
    # Web: Jan 100 + (empty) over 2 rows, Feb 200, Apr 10; March has no Web rows.
    assert out["value"].tolist() == [100.0, 200.0, 10.0]
    assert out["rows"].tolist() == [2, 1, 1]


@pytest.mark.parametrize(
    ("flt", "key"),
    [
        (Filter(column="Region", op="eq", value="North"), "error.data.column_missing"),
        (Filter(column="Sales", op="gt", value="lots"), "error.filter.not_a_number"),
        (Filter(column="Date", op="ge", value="last spring"), "error.filter.not_a_date"),
    ],
)
def test_filter_errors(flt: Filter, key: str) -> None:
    with pytest.raises(DataError) as info:
        apply_filters(sales(), [flt], dataset="Orders")
    assert info.value.key == key
    assert info.value.params["column"] == flt.column
    assert info.value.params["dataset"] == "Orders"
    assert "{" not in info.value.message("nl")


# -- properties --------------------------------------------------------------------------
_BASE = datetime(2024, 1, 1)


@st.composite
def tables(draw: st.DrawFn, *, allow_empty_values: bool = True) -> pd.DataFrame:
    """Rows with distinct timestamps (so ``last`` has no ties), whole-number values."""
    n = draw(st.integers(1, 40))
    minutes = draw(st.lists(st.integers(0, 3 * 366 * 24 * 60), min_size=n, max_size=n, unique=True))
    value = st.integers(-1000, 1000)
    values = draw(
        st.lists(
            st.one_of(st.none(), value) if allow_empty_values else value, min_size=n, max_size=n
        )
    )
    b = draw(st.lists(st.one_of(st.none(), value), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "Date": [_BASE + timedelta(minutes=m) for m in minutes],
            "A": pd.array(values, dtype="Float64").astype("float64"),
            "B": pd.array(b, dtype="Float64").astype("float64"),
            "Seg": draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n)),
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    df=tables(),
    seed=st.integers(0, 2**32 - 1),
    cadence=st.sampled_from(["week", "month", "quarter", "year"]),
)
def test_row_order_never_changes_results(df: pd.DataFrame, seed: int, cadence: Cadence) -> None:
    shuffled = df.sample(frac=1, random_state=seed)
    for aggregation in AGGREGATIONS:
        for segment in (None, "Seg"):
            kw: dict[str, object] = {
                "date_column": "Date",
                "cadence": cadence,
                "segment_column": segment,
            }
            m = agg(aggregation, None if aggregation == "count" and segment else "A")
            before = measure_per_period(df, m, **kw)  # type: ignore[arg-type]
            after = measure_per_period(shuffled, m, **kw)  # type: ignore[arg-type]
            pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(df=tables(allow_empty_values=False), fiscal_start=st.integers(1, 12))
def test_monthly_values_of_additive_measures_add_up(df: pd.DataFrame, fiscal_start: int) -> None:
    formula = "sum(A) - 2 * count() + count(B) / 4"
    assert formula_is_additive(formula)
    measure = Measure(formula=formula)
    kw: dict[str, object] = {"date_column": "Date", "fiscal_start": fiscal_start}
    monthly = measure_per_period(df, measure, cadence="month", **kw)  # type: ignore[arg-type]
    for cadence, size in (("quarter", 3), ("year", 12)):
        coarse = measure_per_period(df, measure, cadence=cadence, **kw)  # type: ignore[arg-type]
        # A month key counts months from year 0; shift by the fiscal start, then divide.
        parent = (monthly["key"] - (fiscal_start - 1)) // size
        summed = monthly.groupby(parent)[["value", "rows"]].sum()
        assert summed.index.tolist() == coarse["key"].tolist()
        assert summed["rows"].tolist() == coarse["rows"].tolist()
        for got, want in zip(coarse["value"], summed["value"], strict=True):
            assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6)


_FORMULA_CHARS = "sumcountmeanlastd_()[]'\" +-−*/×.0123456789eE,SalesOrder ID\t\n$"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=80), st.text(alphabet=_FORMULA_CHARS, max_size=80)))
def test_parse_formula_raises_only_formula_errors(text: str) -> None:
    try:
        parse_formula(text)
    except FormulaError as err:
        assert err.key.startswith("error.formula.")
        assert err.key in catalogue()
    formula_is_additive(text)  # never raises


def test_module_never_evaluates_text() -> None:
    from kpilogic.scorecard import formula  # the parser

    for module in (measures, formula):
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        assert not re.search(r"(^|[^.\w])(eval|exec)\(", source)
        assert "literal_eval" not in source
        assert "import ast" not in source


def test_message_file_keys_and_languages() -> None:
    import json

    from kpilogic import i18n

    path = Path(i18n.__file__).parent / "locales" / "measures.json"
    entries: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    prefixes = ("error.formula.", "error.filter.", "measures.")
    for key, texts in entries.items():
        assert key.startswith(prefixes), key
        assert set(texts) == {"en", "nl"}, key
        assert re.findall(r"{\w+}", texts["en"]) == re.findall(r"{\w+}", texts["nl"]) or (
            sorted(re.findall(r"{\w+}", texts["en"])) == sorted(re.findall(r"{\w+}", texts["nl"]))
        ), key
