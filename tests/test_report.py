"""The summary files: csv per locale, a correct xlsx, json; formula injection escaped."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest

from kpilogic.engine.evaluate import SUMMARY_COLUMNS, evaluate_scorecard
from kpilogic.present.files import write_summary
from kpilogic.present.report import (
    escape_text,
    summary_csv,
    summary_json,
    summary_xlsx,
)
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"]


def _evaluation(goal_title: str = "Grow", kpi_name: str = "Revenue"):
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-10"]),
            "Revenue": [1000.5, 234.25, 2000.0],
        }
    )
    card = Scorecard(
        name="Report test",
        datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
        goals=[Goal(id="g", title=goal_title)],
        kpis=[
            KPI(
                id="k",
                goal_id="g",
                name=kpi_name,
                dataset_id="d",
                unit="currency",
                measure=Measure(aggregation="sum", column="Revenue"),
                target=Target(value=1500),
            )
        ],
    )
    return evaluate_scorecard(card, {"d": data}, as_of=pd.Timestamp("2026-02-28").date())


def test_csv_english_and_dutch() -> None:
    ev = _evaluation()
    en = summary_csv(ev, "en")
    assert en.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(en.decode("utf-8-sig"))))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    jan = dict(zip(rows[0], rows[1], strict=True))
    assert jan["period"] == "2026-01"
    assert float(jan["actual"]) == pytest.approx(1234.75)  # 1000.50 + 234.25
    assert jan["status"] == "off_track"  # 1234.75 < 1500 − 150 = 1350
    nl = summary_csv(ev, "nl").decode("utf-8-sig")
    rows_nl = list(csv.reader(io.StringIO(nl), delimiter=";"))
    jan_nl = dict(zip(rows_nl[0], rows_nl[1], strict=True))
    assert jan_nl["actual"] == "1234,75"
    assert jan_nl["period_start"] == "2026-01-01"


def test_xlsx_has_the_summary_with_numbers_and_dates() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(summary_xlsx(_evaluation())))
    ws = wb["Summary"]
    header = [c.value for c in ws[1]]
    assert tuple(header) == SUMMARY_COLUMNS
    row = {h: c.value for h, c in zip(header, ws[2], strict=True)}
    assert row["actual"] == pytest.approx(1234.75)
    assert row["target"] == pytest.approx(1500.0)
    assert row["period_start"].year == 2026
    assert ws.freeze_panes == "A2"


def test_json_summary() -> None:
    payload = json.loads(summary_json(_evaluation()))
    assert payload["columns"] == list(SUMMARY_COLUMNS)
    assert [r["period"] for r in payload["summary"]] == ["2026-01", "2026-02"]
    assert payload["summary"][1]["actual"] == pytest.approx(2000.0)
    assert payload["goals"][0]["goal_id"] == "g"


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_injection_is_written_as_text(text: str) -> None:
    ev = _evaluation(goal_title=text, kpi_name=text)
    wb = openpyxl.load_workbook(io.BytesIO(summary_xlsx(ev)))
    ws = wb["Summary"]
    header = [c.value for c in ws[1]]
    goal_cell = ws.cell(row=2, column=header.index("goal") + 1)
    assert goal_cell.value == text
    assert goal_cell.data_type == "s"  # a string, never a formula
    rows = list(csv.reader(io.StringIO(summary_csv(ev, "en").decode("utf-8-sig"))))
    assert rows[1][header.index("kpi")] == "'" + text
    # numbers stay numbers, also negative ones
    assert escape_text("-2+3") == "'-2+3"
    assert float(rows[1][header.index("gap")]) < 0


def test_unknown_suffix() -> None:
    with pytest.raises(ValueError):
        write_summary(_evaluation(), ".docx")
