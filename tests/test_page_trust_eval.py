"""AppTest of issue 12's evaluation on the pages: the rows a formula left out are named on the
dashboard, the Data page takes "the data is complete through DATE", and the KPI list warns
of target keys that match no period."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Scorecard
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _margin_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Verkoop"
    ws.append(["Datum", "Omzet", "Kosten"])
    ws.append([datetime(2026, 3, 2), 1000, 660])
    ws.append([datetime(2026, 3, 10), 1200, 800])
    ws.append([datetime(2026, 3, 20), 400, "#N/A"])
    ws.append([datetime(2026, 3, 31), 800, 517])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _uploaded(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = "en"
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value(("verkoop.xlsx", _margin_workbook(), XLSX)).run()
    assert not at.exception
    at.session_state["koers_lang"] = lang
    return at


def _with_kpi(at: AppTest, target: dict[str, object]) -> Scorecard:
    card: Scorecard = at.session_state["koers_scorecard"]
    (ds,) = card.datasets
    raw = card.model_dump(mode="json")
    raw["goals"] = [{"id": "g", "title": "Marge", "owner": "Sanne"}]
    raw["kpis"] = [
        {
            "id": "margin",
            "goal_id": "g",
            "name": "Brutomarge",
            "dataset_id": ds.id,
            "measure": {"formula": "(sum(Omzet) - sum(Kosten)) / sum(Omzet) * 100"},
            "unit": "percent",
            "target": target,
        }
    ]
    card = Scorecard.model_validate(raw)
    at.session_state["koers_scorecard"] = card
    return card


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "1 row in Mar 2026 has no Kosten; left out of this figure."),
        ("nl", "1 rij in mrt 2026 heeft geen Kosten; buiten dit cijfer gelaten."),
    ],
)
def test_the_dashboard_names_the_rows_a_formula_left_out(lang: str, text: str) -> None:
    at = _uploaded(lang)
    _with_kpi(at, {"value": 35})
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert any(text in c for c in captions), captions
    # The value shown is the margin over complete rows: 1023 / 3000 = 34.1%
    metrics = [m.value for m in at.metric]
    assert any("34.1" in m or "34,1" in m for m in metrics), metrics


def test_the_data_page_sets_complete_through() -> None:
    at = _uploaded("en")
    card: Scorecard = at.session_state["koers_scorecard"]
    (ds,) = card.datasets
    assert ds.complete_through is None
    field = at.date_input(key=f"data_complete_through_{ds.id}")
    assert field.label == "The data is complete through"
    field.set_value(date(2026, 3, 31)).run()
    assert not at.exception
    card = at.session_state["koers_scorecard"]
    assert card.datasets[0].complete_through == date(2026, 3, 31)


def test_the_kpi_list_warns_of_a_target_key_that_matches_no_period() -> None:
    at = _uploaded("en")
    _with_kpi(at, {"kind": "per_period", "per_period": {"2026-Q1": 35, "2026-03": 35}})
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]  # markdown escapes off
    assert any("'2026-Q1' matches no period" in w for w in warnings), warnings
    assert any("2026-01, 2026-02, 2026-03" in w for w in warnings), warnings
