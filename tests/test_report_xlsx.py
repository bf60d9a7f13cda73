"""The formatted workbook: sheets, values worked out by hand, formats, rules, charts, safety.

The dataset is small enough to check by hand (months January and February 2026, complete):

- Revenue (currency, higher, target € 1.500, tolerance 10%):
  Jan 1000.50 + 600.25 = 1600.75 → on track; Feb 1200 + 100 = 1300 → 86.67%, below
  1500 − 150 = 1350 → off track; change vs Jan (1300 − 1600.75) / 1600.75 = −18.788%.
- Margin % (percent, higher, target 30, tolerance 10% = 3 points): Jan 480 / 1600.75 =
  29.985% → at risk; Feb 310 / 1300 = 23.846% → off track.
- Complaints (count, lower, target 1, absolute tolerance 1): Jan 0 + 1 = 1 → on track;
  Feb 2 + 0 = 2 → at risk (≤ 1 + 1).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import LineChart

from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.present.files import write_summary
from kpilogic.present.report import report_xlsx, summary_csv
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance
from tests.conftest import ARTIFACTS

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"]
CREATED = datetime(2026, 3, 2, 9, 30)
SHEETS_EN = [
    "Summary",
    "Insights",
    "Detail",
    "Charts",
    "Goals",
    "Check-ins",
    "Data quality",
    "Definitions",
]
SHEETS_NL = [
    "Samenvatting",
    "Inzichten",
    "Details",
    "Grafieken",
    "Doelen",
    "Check-ins",
    "Datakwaliteit",
    "Definities",
]


def _card(
    goal: str = "Grow", kpi: str = "Revenue", owner: str = "Ann", action: str = "Call"
) -> Scorecard:
    return Scorecard(
        name="Shop 2026",
        datasets=[Dataset(id="d", name="Sales", source="d.csv", date_column="Date")],
        goals=[
            Goal(id="g1", title=goal, owner=owner, why="Because", deadline=date(2026, 12, 31)),
            Goal(id="g2", title="Happy customers", owner="Bo"),
        ],
        kpis=[
            KPI(
                id="rev",
                goal_id="g1",
                name=kpi,
                dataset_id="d",
                unit="currency",
                measure=Measure(aggregation="sum", column="Revenue"),
                target=Target(value=1500),
                owner=owner,
                action=action,
            ),
            KPI(
                id="margin",
                goal_id="g1",
                name="Margin %",
                dataset_id="d",
                unit="percent",
                measure=Measure(formula="sum(Profit) / sum(Revenue) * 100"),
                target=Target(value=30),
                owner="Ann",
            ),
            KPI(
                id="complaints",
                goal_id="g2",
                name="Complaints",
                dataset_id="d",
                unit="count",
                direction="lower",
                measure=Measure(aggregation="sum", column="Complaints"),
                target=Target(value=1),
                tolerance=Tolerance(kind="absolute", value=1),
                owner="Bo",
                action="Phone every customer who complained",
            ),
        ],
    )


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-10", "2026-02-28"]),
            "Revenue": [1000.5, 600.25, 1200.0, 100.0],
            "Profit": [300.0, 180.0, 300.0, 10.0],
            "Complaints": [0, 1, 2, 0],
        }
    )


def evaluation(**names: str) -> Evaluation:
    """The hand-checked evaluation (see the module docstring)."""
    return evaluate_scorecard(_card(**names), {"d": _data()}, as_of=date(2026, 2, 28))


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _find_row(ws, column: int, value: str) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not in column {column} of {ws.title}")


def _header(ws, row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


@pytest.fixture(scope="module")
def wb_en() -> openpyxl.Workbook:
    return _open(report_xlsx(evaluation(), "en", created=CREATED))


@pytest.fixture(scope="module")
def wb_nl() -> openpyxl.Workbook:
    return _open(report_xlsx(evaluation(), "nl", created=CREATED))


def test_sheet_names_in_both_languages(wb_en, wb_nl) -> None:
    assert wb_en.sheetnames == SHEETS_EN
    assert wb_nl.sheetnames == SHEETS_NL


def test_summary_values_worked_out_by_hand(wb_en) -> None:
    ws = wb_en["Summary"]
    assert ws["A1"].value == "Shop 2026"
    head = _header(ws, 5)
    r = _find_row(ws, head["KPI"], "Revenue")
    cell = lambda name: ws.cell(row=r, column=head[name])  # noqa: E731
    assert cell("Period").value == "Feb 2026"  # a period in words for people (issue 15)
    assert cell("Actual").value == pytest.approx(1300.0)
    assert cell("Target").value == pytest.approx(1500.0)
    assert cell("% of target").value == pytest.approx(1300 / 1500)
    assert cell("vs previous period (relative)").value == pytest.approx((1300 - 1600.75) / 1600.75)
    assert cell("vs last year (relative)").value is None  # no data a year earlier
    assert cell("Status").value.endswith("Off track")
    assert cell("Owner").value == "Ann"
    assert cell("Agreed action").value == "Call"
    assert cell("Reliability").value == 100  # two complete months, nothing to doubt
    assert cell("Reliability").number_format == "0"
    assert "below the target" in cell("Explanation").value
    # number formats: currency, true percentages, signed changes
    assert cell("Actual").number_format == '"€" #,##0.00'
    assert cell("% of target").number_format == "0.0%"
    assert cell("vs previous period (relative)").number_format == "+0.0%;-0.0%;0.0%"
    # the goal row above its KPIs carries the goal's roll-up: the worst of its KPIs
    goal_row = _find_row(ws, head["Goal"], "Grow")
    assert goal_row < r
    assert ws.cell(row=goal_row, column=head["Status"]).value.endswith("Off track")
    assert ws.cell(row=goal_row, column=head["KPI"]).value == "0 of 2 KPIs on track"

    r_margin = _find_row(ws, head["KPI"], "Margin %")
    margin = ws.cell(row=r_margin, column=head["Actual"])
    assert margin.value == pytest.approx(310 / 1300 * 100)
    assert margin.number_format == '0.0"%"'  # a percent KPI keeps its value: 23.8 is 23.8%
    r_c = _find_row(ws, head["KPI"], "Complaints")
    assert ws.cell(row=r_c, column=head["Actual"]).value == 2
    assert ws.cell(row=r_c, column=head["Actual"]).number_format == "#,##0"
    assert ws.cell(row=r_c, column=head["Status"]).value.endswith("At risk")


def test_summary_in_dutch(wb_nl) -> None:
    ws = wb_nl["Samenvatting"]
    head = _header(ws, 5)
    assert {"Doel", "KPI", "Werkelijk", "Doelwaarde", "% van doelwaarde", "Eigenaar"} <= set(head)
    r = _find_row(ws, head["KPI"], "Revenue")
    assert ws.cell(row=r, column=head["Status"]).value.endswith("Uit koers")
    assert "onder de doelwaarde" in ws.cell(row=r, column=head["Toelichting"]).value
    assert "Periode t/m 28-02-2026" in ws["A2"].value


def test_status_cells_have_conditional_colours(wb_en) -> None:
    for sheet in ("Summary", "Detail", "Goals"):
        rules = [
            (str(rng.sqref), rule)
            for rng in wb_en[sheet].conditional_formatting
            for rule in rng.rules
        ]
        formulas = " ".join(rule.formula[0] for _, rule in rules)
        for label in ("On track", "At risk", "Off track", "No data", "No target"):
            assert f'SEARCH("{label}"' in formulas, (sheet, label)
        fills = {rule.dxf.fill.fgColor.rgb[-6:] for _, rule in rules}
        assert {"009E73", "E69F00", "D55E00"} <= fills  # the colours of kpilogic.scorecard.status


def test_detail_is_a_filterable_table_with_unit_formats(wb_en) -> None:
    ws = wb_en["Detail"]
    assert ws.freeze_panes == "A2"
    assert "KoersDetail" in ws.tables
    table = ws.tables["KoersDetail"]
    assert table.ref == "A1:U7"  # 3 KPIs × 2 months, 21 columns (reliability included)
    head = _header(ws, 1)
    rows = {
        (ws.cell(row=r, column=head["KPI"]).value, ws.cell(row=r, column=head["Period"]).value): r
        for r in range(2, 8)
    }
    r = rows[("Revenue", "Jan 2026")]
    assert ws.cell(row=r, column=head["Actual"]).value == pytest.approx(1600.75)
    assert ws.cell(row=r, column=head["Actual"]).number_format == '"€" #,##0.00'
    assert ws.cell(row=r, column=head["Start"]).value == datetime(2026, 1, 1)
    assert ws.cell(row=r, column=head["Start"]).number_format == "yyyy-mm-dd"
    r = rows[("Margin %", "Jan 2026")]
    assert ws.cell(row=r, column=head["Actual"]).value == pytest.approx(480 / 1600.75 * 100)
    assert ws.cell(row=r, column=head["Status"]).value.endswith("At risk")
    r = rows[("Complaints", "Feb 2026")]
    assert ws.cell(row=r, column=head["Gap"]).value == pytest.approx(1.0)
    assert ws.cell(row=r, column=head["Gap"]).number_format == "#,##0"
    assert ws.cell(row=r, column=head["% of target"]).value == pytest.approx(2.0)


def test_one_native_line_chart_per_kpi(wb_en) -> None:
    charts = wb_en["Charts"]._charts
    assert len(charts) == 3
    assert all(isinstance(c, LineChart) for c in charts)
    titles = [c.title.tx.rich.p[0].r[0].t for c in charts]
    assert titles == ["Revenue", "Margin %", "Complaints"]
    assert all(len(c.series) == 2 for c in charts)  # actual and target
    # the chart data is on the sheet: periods and values to check the chart against
    ws = wb_en["Charts"]
    r = _find_row(ws, 1, "Revenue")
    assert [ws.cell(row=r + i, column=1).value for i in (1, 2, 3)] == [
        "Period",
        "Jan 2026",
        "Feb 2026",
    ]
    assert ws.cell(row=r + 3, column=2).value == pytest.approx(1300.0)


def test_goals_checkins_quality_definitions(wb_en) -> None:
    goals = wb_en["Goals"]
    head = _header(goals, 1)
    r = _find_row(goals, head["Goal"], "Happy customers")
    assert goals.cell(row=r, column=head["Status"]).value.endswith("At risk")
    assert goals.cell(row=r, column=head["Share of KPIs on track"]).value == 0.0
    assert goals.cell(row=r, column=head["KPIs on track"]).value == "0 / 1"

    checkins = wb_en["Check-ins"]
    assert [c.value for c in checkins[1]] == [
        "Date",
        "KPI",
        "Period",
        "Status",
        "Note",
        "Agreed action",
        "By",
        "Next review",
    ]
    assert "No check-ins" in checkins["A3"].value

    quality = wb_en["Data quality"]
    hrow = _find_row(quality, 1, "KPI")
    head = _header(quality, hrow)
    assert quality.max_row - hrow == 6  # 3 KPIs × 2 months
    r = hrow + 1
    assert quality.cell(row=r, column=head["Rows"]).value == 2
    assert quality.cell(row=r, column=head["Data up to"]).value == datetime(2026, 2, 28)
    assert quality.cell(row=r, column=head["Reliability"]).value == 100  # from quality

    defs = wb_en["Definitions"]
    head = _header(defs, 1)
    r = _find_row(defs, head["KPI"], "Margin %")
    assert defs.cell(row=r, column=head["How it is computed"]).value == (
        "sum(Profit) / sum(Revenue) * 100"
    )
    assert defs.cell(row=r, column=head["Target"]).value == "30.0% per period"
    assert defs.cell(row=r, column=head["Tolerance"]).value == "10% of the target"
    r = _find_row(defs, head["KPI"], "Complaints")
    assert defs.cell(row=r, column=head["Direction"]).value == "Lower is better"
    assert defs.cell(row=r, column=head["Tolerance"]).value == "1 (absolute)"
    assert defs.cell(row=r, column=head["Review cadence"]).value == "monthly"
    r = _find_row(defs, head["KPI"], "Revenue")
    # In words, not the internal form sum([Revenue]) (issue 15).
    assert defs.cell(row=r, column=head["How it is computed"]).value == "Sum of Revenue"
    assert (
        defs.cell(row=r, column=head["Target"]).value == "€1,500 per period"
    )  # whole euros from € 1.000 up


def test_document_properties_and_print_settings(wb_en) -> None:
    assert wb_en.properties.title == "Shop 2026 — KPI report"
    assert wb_en.properties.creator == "Koers"
    assert wb_en.properties.created == CREATED
    for ws in wb_en.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_reliability_column_is_used_when_the_evaluation_has_one() -> None:
    ev = evaluation()
    ev = dataclasses.replace(ev, detail=ev.detail.assign(reliability=0.85))
    wb = _open(report_xlsx(ev, "en"))
    ws = wb["Summary"]
    head = _header(ws, 5)
    cell = ws.cell(row=_find_row(ws, head["KPI"], "Revenue"), column=head["Reliability"])
    assert cell.value == pytest.approx(0.85)
    assert cell.number_format == "0%"
    assert "Reliability" in _header(wb["Detail"], 1)


def test_a_kpi_that_could_not_be_evaluated_is_reported() -> None:
    data = _data().drop(columns=["Complaints"])
    ev = evaluate_scorecard(_card(), {"d": data}, as_of=date(2026, 2, 28))
    assert "complaints" in ev.errors
    ws = _open(report_xlsx(ev, "en"))["Summary"]
    head = _header(ws, 5)
    r = _find_row(ws, head["KPI"], "Complaints")
    assert ws.cell(row=r, column=head["Explanation"]).value.startswith("Could not be evaluated")
    assert ws.cell(row=r, column=head["Status"]).value.endswith("No data")


def test_write_summary_xlsx_is_the_formatted_workbook() -> None:
    assert _open(write_summary(evaluation(), ".xlsx", "nl")).sheetnames == SHEETS_NL


@pytest.mark.parametrize("text", INJECTIONS)
def test_user_text_is_never_a_formula(text: str) -> None:
    ev = evaluation(goal=text, kpi=text, owner=text, action=text)
    data = report_xlsx(ev, "en")
    wb = _open(data)
    found = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value == text:
                    assert cell.data_type == "s"
                    found += 1
    assert found >= 8  # goal, KPI, owner and action on several sheets
    # no formula anywhere in the file itself
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(r"<(\w+:)?f[ >]", z.read(name).decode()), name
    # numbers stay numbers
    ws = wb["Summary"]
    head = _header(ws, 5)
    r = _find_row(ws, head["KPI"], text)
    assert ws.cell(row=r, column=head["Actual"]).value == pytest.approx(1300.0)
    assert ws.cell(row=r, column=head["Actual"]).data_type == "n"
    # and in csv: an apostrophe in front, in both languages
    for lang, sep in (("en", ","), ("nl", ";")):
        rows = list(
            csv.reader(io.StringIO(summary_csv(ev, lang).decode("utf-8-sig")), delimiter=sep)
        )
        header = rows[0]
        revenue = next(r for r in rows[1:] if r[header.index("kpi_id")] == "rev")
        assert revenue[header.index("goal")] == "'" + text
        assert revenue[header.index("kpi")] == "'" + text
        assert not revenue[header.index("gap")].startswith("'")  # a negative number, as is


def test_control_characters_in_user_text_do_not_break_the_workbook() -> None:
    ev = evaluation(kpi="Revenue\x07 (bell)", action="tab\there")
    ws = _open(report_xlsx(ev, "en"))["Summary"]
    head = _header(ws, 5)
    r = _find_row(ws, head["KPI"], "Revenue (bell)")
    assert ws.cell(row=r, column=head["Agreed action"]).value == "tab\there"


# -- LibreOffice ---------------------------------------------------------------------------

SOFFICE_MISSING = (
    "LibreOffice is not installed, so the workbook cannot be checked: install it with "
    "'apt-get install -y libreoffice-calc' (Debian) and run the tests again."
)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail(SOFFICE_MISSING, pytrace=False)
    return found


@pytest.fixture(scope="module")
def sample_evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """The realistic sample scorecard (``kpilogic.sample``), evaluated."""
    from kpilogic.sample import write_sample
    from kpilogic.workspace.service import evaluate_files

    xlsx, card_json, _card_nl = write_sample(tmp_path_factory.mktemp("sample"))
    card = Scorecard.from_json(card_json.read_bytes())
    return evaluate_files(card, {xlsx.name: xlsx.read_bytes()})


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_libreoffice_converts_the_workbook(
    tmp_path: Path, lang: str, sample_evaluation: Evaluation
) -> None:
    soffice = _soffice()
    ev = sample_evaluation
    src = tmp_path / f"koers_report_{lang}.xlsx"
    src.write_bytes(report_xlsx(ev, lang, created=CREATED))
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: runs beside other instances
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    pdf = out / f"koers_report_{lang}.pdf"
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr, proc.stderr
    assert pdf.exists(), proc.stdout + proc.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"report_xlsx_libreoffice_{lang}.pdf").write_bytes(data)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert ev.scorecard.name in text
        assert ("Afgesproken actie" if lang == "nl" else "Agreed action") in text
