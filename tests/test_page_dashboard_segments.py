"""AppTest: a region at risk shows on the dashboard — the goal is at risk with health 0%,
the region is named next to the goal and listed under "needs attention"."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.service import SourceFile
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

FILE = "regions.xlsx"


def _workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Date", "Region", "Revenue"])
    for day, region, revenue in (
        (5, "North", 300.0),
        (20, "North", 400.0),
        (10, "South", 170.0),
        (31, "South", 200.0),
    ):
        ws.append([datetime(2026, 1, day), region, revenue])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_region_at_risk_makes_the_goal_at_risk_on_the_dashboard() -> None:
    card = Scorecard(
        name="Regions",
        datasets=[Dataset(id="s", name="Sales", source=FILE, sheet="Sales", date_column="Date")],
        goals=[Goal(id="g", title="Grow in every region")],
        kpis=[
            KPI(
                id="revenue",
                goal_id="g",
                name="Revenue",
                dataset_id="s",
                unit="currency",
                measure=Measure(aggregation="sum", column="Revenue"),
                segment_column="Region",
                target=Target(segments={"North": 600, "South": 400}),
            )
        ],
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    data = _workbook()
    at.session_state["koers_lang"] = "en"
    at.session_state["koers_files"] = {FILE: SourceFile(FILE, data, f"sha-{len(data)}")}
    at.session_state["koers_scorecard"] = card
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    # Total 1070 ≥ 600 + 400 = 1000: on track. South 170 + 200 = 370 < 400, ≥ 360: at risk.
    attention = at.dataframe[0].value
    assert attention["KPI"].tolist() == ["Revenue · South"]
    assert attention["Status"].tolist() == ["⚠️ At risk"]
    captions = [c.value for c in at.caption]
    assert any("South (Revenue) is ⚠️ At risk" in c for c in captions), captions
    health = next(m for m in at.metric if m.label == "Share on track")
    assert health.value == "0%"  # the one KPI is not on track in every region
    assert any(s.value.startswith("⚠️ Grow in every region") for s in at.subheader)
