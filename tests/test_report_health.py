"""The Health check sheet of the formatted workbook: the three pillars of every KPI.

Uses the hand-checked evaluation of ``test_report_xlsx``: no KPI states a reason (``why``),
'Margin %' has no agreed action, every KPI has an owner, a target and a 10% or absolute
tolerance; two months of data each.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl

from kpilogic.engine.pillars import scorecard_health
from kpilogic.present.report import report_xlsx
from tests.test_report_xlsx import CREATED, SHEETS_EN, SHEETS_NL, evaluation

TODAY = date(2026, 3, 2)


def _workbook(lang: str = "en", **names: str) -> openpyxl.Workbook:
    ev = evaluation(**names)
    health = scorecard_health(ev.scorecard, ev, reliability={"rev": 90}, today=TODAY)
    data = report_xlsx(ev, lang, created=CREATED, health=health)
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws) -> list[dict[str, object]]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(2)]


def test_without_health_the_sheets_are_unchanged() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx(evaluation(), "en", created=CREATED)))
    assert wb.sheetnames == SHEETS_EN


def test_health_sheet_lists_every_check_with_advice() -> None:
    wb = _workbook()
    assert wb.sheetnames == [*SHEETS_EN[:6], "Usable KPIs", *SHEETS_EN[6:]]
    rows = _rows(wb["Usable KPIs"])
    # KPIs in scorecard order, each with all its checks
    kpis = [r["KPI"] for r in rows]
    assert kpis[0] == "Revenue" and kpis[-1] == "Complaints"
    by = {(r["KPI"], r["Check"]): r for r in rows}
    why = by[("Revenue", "Reason stated")]
    assert (
        why["In order"] == "no"
        and why["Question"] == "Relevant — does it show progress on the goal?"
    )
    assert why["Score of the question"] == 0.5  # linked to a goal, but no reason
    assert "Say why this KPI matters" in str(why["What to do"])
    assert by[("Revenue", "Owner named")]["In order"] == "yes"
    assert by[("Revenue", "Owner named")]["What to do"] is None
    assert by[("Revenue", "Data quality score at least 70")]["In order"] == "yes"
    history = by[("Revenue", "Enough history for trends (at least 6 periods)")]
    assert history["In order"] == "no"
    assert "Only 2 months of data" in str(history["What to do"])
    action = by[("Margin %", "Agreed action when off course")]
    assert (
        action["In order"] == "no"
        and action["Question"] == "Actionable — does someone act when it is off course?"
    )
    assert by[("Complaints", "Agreed action when off course")]["In order"] == "yes"
    # the overall score is the mean of the pillar scores, as a percentage cell
    overall = by[("Revenue", "Owner named")]["Overall score"]
    assert isinstance(overall, float) and 0 < overall < 1
    assert wb["Usable KPIs"]["B2"].number_format == "0%"


def test_health_sheet_in_dutch() -> None:
    wb = _workbook("nl")
    assert wb.sheetnames == [*SHEETS_NL[:6], "Bruikbare KPI's", *SHEETS_NL[6:]]
    rows = _rows(wb["Bruikbare KPI's"])
    owner = next(r for r in rows if r["Controle"] == "Eigenaar benoemd")
    assert (
        owner["In orde"] == "ja"
        and owner["Vraag"]
        == "Bruikbaar om bij te sturen — doet iemand iets als hij uit koers raakt?"
    )


def test_kpi_names_in_the_health_sheet_are_never_formulas() -> None:
    wb = _workbook(kpi='=HYPERLINK("http://x","y")')
    cell = wb["Usable KPIs"]["A2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
