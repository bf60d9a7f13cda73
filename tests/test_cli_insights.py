"""``koers insights``: run as a subprocess on a constructed csv and on the sample workbook."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard
from tests.conftest import SAMPLE_DIR
from tests.test_cli import koers

WORKBOOK = SAMPLE_DIR / "koers_sample.xlsx"
CARD_NL = SAMPLE_DIR / "koers_sample_scorecard_nl.json"


def _shop(tmp_path: Path) -> tuple[Path, Path]:
    """Two shops, January and February 2025: the total falls 1000 → 850 and Amersfoort
    (500 → 380) accounts for 120 of the 150 lost: 80%."""
    csv = tmp_path / "omzet.csv"
    csv.write_text(
        "Datum;Winkel;Omzet\n"
        "15-01-2025;Amersfoort;500\n"
        "15-01-2025;Utrecht;500\n"
        "15-02-2025;Amersfoort;380\n"
        "15-02-2025;Utrecht;470\n",
        encoding="utf-8",
    )
    card = Scorecard(
        name="Winkels",
        datasets=[Dataset(id="d", name="Omzet", source="omzet.csv", date_column="Datum")],
        goals=[Goal(id="g", title="Groei")],
        kpis=[
            KPI(
                id="omzet",
                goal_id="g",
                name="Omzet",
                dataset_id="d",
                measure=Measure(aggregation="sum", column="Omzet"),
                unit="currency",
                segment_column="Winkel",
            )
        ],
    )
    path = tmp_path / "card.json"
    path.write_text(card.to_json(), encoding="utf-8")
    return csv, path


def test_insights_in_dutch_one_per_line(tmp_path: Path) -> None:
    csv, card = _shop(tmp_path)
    result = koers(
        "insights", str(csv), "--scorecard", str(card), "--as-of", "2025-02-28", "--lang", "nl"
    )
    assert result.returncode == 0, result.stderr
    # The −15% fall is no mover (15 / 10 = 1.5 < 2), so the driver is the one insight.
    assert result.stdout.splitlines() == [
        "Amersfoort is goed voor 80% van de daling van Omzet in feb 2025: "
        "€ 120,00 van de € 150,00 minder dan in jan 2025."
    ]


def test_insights_in_english_and_stale_data(tmp_path: Path) -> None:
    csv, card = _shop(tmp_path)
    # On 15 May the last whole month is April; February is the last with data: March and
    # April are missing (score 1 + 2/3 = 1.67, below the driver's 2.35).
    result = koers("insights", str(csv), "--scorecard", str(card), "--as-of", "2025-05-15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Amersfoort accounts for 80% of the drop in Omzet in Feb 2025: "
        "€120.00 of the €150.00 lost against Jan 2025.",
        "The data for Omzet ends on 2025-02-28 (Feb 2025): 2 months are missing up to 2025-05-15.",
    ]


def test_nothing_notable_is_said(tmp_path: Path) -> None:
    csv, card = _shop(tmp_path)
    # January alone: no earlier month, no history, no target.
    result = koers(
        "insights",
        str(csv),
        "--scorecard",
        str(card),
        "--period",
        "2025-01",
        "--as-of",
        "2025-02-28",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Nothing notable")


def test_sample_workbook_five_insights(tmp_path: Path) -> None:
    result = koers(
        "insights",
        str(WORKBOOK),
        "--scorecard",
        str(CARD_NL),
        "--as-of",
        "2026-10-31",
        "--lang",
        "nl",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    # Each sentence names its KPI (by its Dutch name) and the period it is about, in Dutch.
    names = [kpi.name for kpi in Scorecard.from_json(CARD_NL.read_bytes()).kpis]
    for line in lines:
        assert any(name in line for name in names), line
        assert "2026" in line and "Oct" not in line and "Q4" not in line, line
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    _, card = _shop(tmp_path)
    result = koers("insights", str(tmp_path / "weg.csv"), "--scorecard", str(card))
    assert result.returncode == 1
    assert result.stderr.startswith("koers: ")
    assert "weg.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_workbook_has_an_insights_sheet(tmp_path: Path) -> None:
    csv, card = _shop(tmp_path)
    out = tmp_path / "rapport.xlsx"
    result = koers(
        "evaluate",
        str(csv),
        "--scorecard",
        str(card),
        "--out",
        str(out),
        "--as-of",
        "2025-02-28",
        "--lang",
        "nl",
    )
    assert result.returncode == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Samenvatting", "Inzichten"]
    ws = wb["Inzichten"]
    assert [c.value for c in ws[1]] == ["Nr.", "KPI", "Periode", "Inzicht", "Regel", "Score"]
    # The one insight: Amersfoort 80% of the fall; score 2 × 0.8 + min(15 / 20, 1) = 2.35.
    assert [c.value for c in ws[2]] == [
        1,
        "Omzet",
        "feb 2025",
        "Amersfoort is goed voor 80% van de daling van Omzet in feb 2025: "
        "€ 120,00 van de € 150,00 minder dan in jan 2025.",
        "Segment achter de verandering",
        2.35,
    ]
    assert ws.cell(3, 1).value is None  # nothing else
    assert "docs/INSIGHTS.md" in str(ws.cell(4, 1).value)


def test_the_pdf_shows_the_top_insights(tmp_path: Path) -> None:
    csv, card = _shop(tmp_path)
    out = tmp_path / "summary.pdf"
    result = koers(
        "evaluate",
        str(csv),
        "--scorecard",
        str(card),
        "--out",
        str(out),
        "--as-of",
        "2025-05-15",
    )
    # On 15 May March and April are missing: the KPI's data is stale, and the run still
    # writes its report.
    assert result.returncode == 0, result.stderr
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", str(out), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = " ".join(text.split())
    assert "Insights" in words
    assert (
        "Amersfoort accounts for 80% of the drop in Omzet in Feb 2025: "
        "€120.00 of the €150.00 lost against Jan 2025." in words
    )
    assert "The data for Omzet ends on 2025-02-28 (Feb 2025): 2 months are missing" in words


def test_a_bad_period_is_one_clear_line_in_dutch(tmp_path: Path) -> None:
    csv, card = _shop(tmp_path)
    result = koers(
        "insights", str(csv), "--scorecard", str(card), "--period", "dec 2025", "--lang", "nl"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("koers: --period dec 2025 is geen periode: gebruik 2025-12")
    assert result.stdout == ""


def test_the_pdf_shows_a_kpi_name_with_markup_as_written(tmp_path: Path) -> None:
    from kpilogic.present.report_pdf import report_pdf
    from tests.test_insights import _series

    ev = _series([100, 102, 98, 101, 130], name="Omzet <b>web</b> & winkel")
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf(ev, "en"))
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # (130 − 101) / 101 = +28.7%
    assert "Omzet <b>web</b> & winkel rose 28.7% in May 2025" in " ".join(text.split())
