"""The real Superstore workbook (old .xls) read end to end, checked against published totals.

The yearly Sales totals are the ones Tableau publishes with this sample data; they were also
checked against the file itself by iterating its rows with python-calamine directly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kpilogic.sources.ingest import list_sheets
from kpilogic.sources.parsing import apply_kinds, guess_date_column, profile_columns
from kpilogic.sources.pipeline import read_sheet, typed_table
from tests.conftest import require_superstore


@pytest.fixture(scope="module")
def superstore() -> Path:
    return require_superstore()


@pytest.fixture(scope="module")
def orders(superstore: Path) -> pd.DataFrame:
    return typed_table(read_sheet(superstore.read_bytes(), superstore.name, "Orders").frame)


def test_sheets(superstore: Path) -> None:
    assert list_sheets(superstore.read_bytes(), superstore.name) == ["Orders", "Returns", "People"]


def test_rows_and_totals(orders: pd.DataFrame) -> None:
    assert len(orders) == 9_994
    assert round(orders["Sales"].sum(), 2) == 2_297_200.86
    assert round(orders["Profit"].sum(), 2) == 286_397.02
    assert orders["Order ID"].nunique() == 5_009


def test_yearly_sales_as_published(orders: pd.DataFrame) -> None:
    by_year = orders.groupby(orders["Order Date"].dt.year)["Sales"].sum().round(2)
    assert by_year.to_dict() == {
        2014: 484_247.50,
        2015: 470_532.51,
        2016: 609_205.60,
        2017: 733_215.26,
    }


def test_monthly_and_quarterly_against_plain_python(orders: pd.DataFrame, superstore: Path) -> None:
    """An independent pivot: plain loops over calamine's rows, no pandas."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(superstore))
    rows = book.get_sheet_by_name("Orders").to_python()
    header = rows[0]
    date_at, sales_at = header.index("Order Date"), header.index("Sales")
    monthly: dict[tuple[int, int], float] = {}
    for row in rows[1:]:
        key = (row[date_at].year, row[date_at].month)
        monthly[key] = monthly.get(key, 0.0) + row[sales_at]
    by_month = orders.groupby(orders["Order Date"].dt.to_period("M"))["Sales"].sum()
    assert len(by_month) == len(monthly) == 48
    for (year, month), total in monthly.items():
        assert by_month[pd.Period(year=year, month=month, freq="M")] == pytest.approx(total)
    quarter_4_2017 = sum(monthly[(2017, m)] for m in (10, 11, 12))
    by_quarter = orders.groupby(orders["Order Date"].dt.to_period("Q"))["Sales"].sum()
    assert by_quarter[pd.Period("2017Q4")] == pytest.approx(quarter_4_2017)


def test_detected_kinds(orders: pd.DataFrame) -> None:
    kinds = profile_columns(orders)
    assert kinds["Order Date"] == "date"
    assert kinds["Ship Date"] == "date"
    assert kinds["Sales"] == "number"
    assert kinds["Profit"] == "number"
    assert kinds["Region"] == "category"
    assert kinds["Category"] == "category"
    assert kinds["Product Name"] == "text"
    assert kinds["Postal Code"] == "text"  # some codes keep a leading zero
    assert guess_date_column(orders, kinds) == "Order Date"
    typed = apply_kinds(orders, kinds)
    assert str(typed["Order Date"].dtype) == "datetime64[ns]"
    assert set(typed["Region"]) == {"Central", "East", "South", "West"}
