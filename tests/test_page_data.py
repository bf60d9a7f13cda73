"""AppTest of the Data page: upload, sheets, date column, type corrections, bad files."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Goal, Scorecard
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Region", "Day", "Revenue"])
    ws.append(["Noord", datetime(2026, 1, 5), 100.5])
    ws.append(["Zuid", datetime(2026, 2, 7), 200.0])
    other = wb.create_sheet("Costs")
    other.append(["Date", "Cost"])
    other.append([datetime(2026, 1, 31), 50.0])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    return at


def test_upload_creates_a_dataset_with_its_date_column() -> None:
    at = _app()
    at.file_uploader(key="upload").set_value(("shop.xlsx", _workbook(), XLSX)).run()
    assert not at.exception
    card: Scorecard = at.session_state["koers_scorecard"]
    (ds,) = card.datasets
    assert (ds.source, ds.sheet, ds.date_column) == ("shop.xlsx", "Sales", "Day")
    assert "shop.xlsx" in at.session_state["koers_files"]
    # choosing a second sheet adds a second dataset with its own date column
    at.multiselect(key="data_sheets_shop.xlsx").select("Costs").run()
    card = at.session_state["koers_scorecard"]
    assert {(d.sheet, d.date_column) for d in card.datasets} == {
        ("Sales", "Day"),
        ("Costs", "Date"),
    }


def test_a_bad_file_shows_a_message_and_keeps_the_work() -> None:
    at = _app()
    goal = Goal(id="g", title="Keep this goal", deadline=date(2026, 12, 31))
    at.session_state["koers_scorecard"] = Scorecard(name="Mine", goals=[goal])
    at.run()
    at.file_uploader(key="upload").set_value(("broken.xlsx", b"PK\x03\x04 not a zip", XLSX)).run()
    assert not at.exception
    assert at.error, "expected an error message"
    assert "broken.xlsx" in at.error[0].value
    card: Scorecard = at.session_state["koers_scorecard"]
    assert [g.title for g in card.goals] == ["Keep this goal"]
    assert "broken.xlsx" not in at.session_state["koers_files"]


def test_the_message_is_in_dutch_for_dutch_users() -> None:
    at = _app()
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.file_uploader(key="upload").set_value(("leeg.csv", b"", "text/csv")).run()
    assert at.error
    assert "leeg.csv" in at.error[0].value
    assert at.title[0].value == "Gegevens"
