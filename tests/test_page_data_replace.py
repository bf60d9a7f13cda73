"""Next month's file: replacing a dataset's file with one whose columns differ shows what no
longer maps, per KPI, and keeps the scorecard as it was."""

from __future__ import annotations

import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, SAMPLE_DIR

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _renamed_cost() -> bytes:
    wb = openpyxl.load_workbook(SAMPLE_DIR / "koers_sample.xlsx")
    ws = wb["Orders"]
    header = [c.value for c in ws[1]]
    ws.cell(row=1, column=header.index("Cost") + 1, value="Kosten")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_replacing_a_file_shows_what_no_longer_maps() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "en"
    at.run()
    at.button(key="start_sample").click().run()
    before = at.session_state["koers_scorecard"]
    at.switch_page("pages/data.py").run()
    assert not any("no longer has" in w.value for w in at.warning)
    at.file_uploader(key="upload").set_value(("koers_sample.xlsx", _renamed_cost(), XLSX)).run()
    assert not at.exception
    warnings = [w.value for w in at.warning if "no longer has" in w.value]
    assert warnings, [w.value for w in at.warning]
    # Gross margin % and Gross profit use Cost; nothing else on Orders does.
    assert "Gross margin %: 'Cost' is missing" in warnings[0]
    assert "Gross profit: 'Cost' is missing" in warnings[0]
    assert "Web shop revenue" not in warnings[0]
    assert at.session_state["koers_scorecard"] == before  # nothing was changed behind the user
