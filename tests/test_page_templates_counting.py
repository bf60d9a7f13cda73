"""AppTest of the KPI step choosing how a template counts: a numeric Orders column of daily
counts is added up, an Order ID text column is counted once per order, an unclear column
is asked about; the live preview shows the value beside the column's plain sum and count."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Dataset, Goal, Scorecard
from kpilogic.workspace.service import SourceFile
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

FILE = "shop.xlsx"
DAILY = [25, 26, 27, 28, 29, 30] * 5  # orders per day, 1..30 April 2026
APRIL_TOTAL = 5 * (25 + 26 + 27 + 28 + 29 + 30)  # 825


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Daily"
    ws.append(["Date", "Orders", "Order", "Order ID", "Revenue"])
    for day, orders in enumerate(DAILY):
        # Order: a small number, different on every row (a row number or an order number?);
        # Order ID: text, the 30th row repeats the 29th's order (two lines of one order).
        order_id = f"ORD-{1001 + min(day, 28)}"
        ws.append([datetime(2026, 4, 1) + timedelta(days=day), orders, day + 1, order_id, 100.0])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _app(lang: str = "en") -> AppTest:
    card = Scorecard(
        name="Shop",
        datasets=[
            Dataset(id="daily", name="Daily", source=FILE, sheet="Daily", date_column="Date")
        ],
        goals=[Goal(id="grow", title="Grow")],
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    data = _workbook()
    at.session_state["koers_lang"] = lang
    at.session_state["koers_files"] = {FILE: SourceFile(FILE, data, f"sha-{len(data)}")}
    at.session_state["koers_scorecard"] = card
    at.run()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="kpi_tpl_category").select("sales").run()
    at.selectbox(key="kpi_tpl_template").select("order_count").run()
    assert not at.exception, at.exception
    return at


def _check_table(at: AppTest):
    """The preview's check table: period, column, KPI value, sum, values, different values."""
    for table in at.table:
        frame = table.value
        if "Sum" in frame.columns or "Som" in frame.columns:
            return frame
    raise AssertionError("no check table in the preview")


def test_daily_orders_are_added_up() -> None:
    at = _app()
    at.selectbox(key="kpi_tpl_role_orders").select("Orders").run()
    radio = at.radio(key="kpi_tpl_count_orders")
    assert radio.value == "sum"
    assert any("small whole numbers that repeat" in c.value for c in at.caption)
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert at.radio(key="kpi_mode").value == "aggregation"
    assert at.selectbox(key="kpi_agg").value == "sum"
    assert at.selectbox(key="kpi_column").value == "Orders"
    check = _check_table(at)
    april = check[check["Period"] == "Apr 2026"].iloc[0]
    assert april["KPI value"] == "825"  # 5 × (25 + … + 30)
    assert april["Sum"] == "825"
    assert april["Values"] == "30"  # one a day
    assert april["Different values"] == "6"  # 25..30
    assert not at.warning


def test_an_order_id_text_column_is_counted_once_per_order() -> None:
    at = _app()
    at.selectbox(key="kpi_tpl_role_orders").select("Order ID").run()
    assert at.radio(key="kpi_tpl_count_orders").value == "count"
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="kpi_agg").value == "count_distinct"
    check = _check_table(at)
    april = check[check["Period"] == "Apr 2026"].iloc[0]
    # 30 lines, ORD-1001 .. ORD-1029 with ORD-1029 twice: 29 orders
    assert april["KPI value"] == "29"
    assert april["Values"] == "30"
    assert april["Different values"] == "29"
    assert april["Sum"] == "–"  # text has no sum


def test_an_unclear_column_is_asked_about() -> None:
    at = _app()
    at.selectbox(key="kpi_tpl_role_orders").select("Order").run()
    radio = at.radio(key="kpi_tpl_count_orders")
    assert radio.value is None  # nothing chosen for the user
    assert radio.options == ["Add up its numbers", "Count the rows, each item once"]
    assert any("cannot tell" in c.value for c in at.caption)
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert any("Choose first how Order is counted" in e.value for e in at.error)
    assert at.text_input(key="kpi_name").value == ""  # the template was not used
    at.radio(key="kpi_tpl_count_orders").set_value("sum").run()
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="kpi_agg").value == "sum"
    assert at.selectbox(key="kpi_column").value == "Order"
    # 1 + 2 + … + 30 = 30 × 31 / 2 = 465
    assert _check_table(at).iloc[-1]["KPI value"] == "465"


def test_the_preview_makes_a_wrong_count_visible_in_dutch() -> None:
    at = _app("nl")
    at.selectbox(key="kpi_tpl_role_orders").select("Orders").run()
    # The user overrides the guess and counts the daily numbers: the preview shows why not.
    at.radio(key="kpi_tpl_count_orders").set_value("count").run()
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="kpi_agg").value == "count_distinct"
    check = _check_table(at)
    april = check[check["Periode"] == "apr 2026"].iloc[0]
    assert april["KPI-waarde"] == "6"  # six different daily numbers …
    assert april["Som"] == "825"  # … where 825 orders were placed
    assert april["Waarden"] == "30"
    assert any("bedoelde je de som" in w.value for w in at.warning)
