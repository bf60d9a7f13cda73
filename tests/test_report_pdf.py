"""The one-page PDF management summary: one A4 page, rendered to PNG, with the right words.

Each test run saves the rendered pages to ``test-artifacts/`` (report_pdf_*.png) so a person
can look at them.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageStat

from kpilogic.cli import main
from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.present.files import write_summary
from kpilogic.present.report_pdf import pdf_text, report_pdf
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from tests.conftest import ARTIFACTS
from tests.test_report_xlsx import CREATED, evaluation

POPPLER_MISSING = (
    "poppler-utils is not installed, so the PDF cannot be rendered: install it with "
    "'apt-get install -y poppler-utils' (Debian) and run the tests again."
)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(POPPLER_MISSING, pytrace=False)
    return found


def _pages(pdf: bytes, tmp: Path) -> int:
    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(
        [_tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def _text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _render(pdf: bytes, tmp: Path, name: str) -> list[Path]:
    """Render every page to PNG with pdftoppm; copies land in test-artifacts/."""
    src = tmp / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        [_tool("pdftoppm"), "-r", "110", "-png", str(src), str(tmp / name)],
        check=True,
        capture_output=True,
    )
    pngs = sorted(tmp.glob(f"{name}*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    for png in pngs:
        shutil.copy(png, ARTIFACTS / png.name)
    return pngs


def _assert_not_blank(png: Path) -> None:
    image = Image.open(png).convert("L")
    width, height = image.size
    assert width > height  # landscape
    # A blank page is one grey level; a report has text, dots and charts.
    assert ImageStat.Stat(image).stddev[0] > 20
    dark = sum(image.histogram()[:200])
    assert dark / (width * height) > 0.02


@pytest.fixture(scope="module")
def sample_evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    from kpilogic.sample import write_sample
    from kpilogic.workspace.service import evaluate_files

    xlsx, card_json, _card_nl = write_sample(tmp_path_factory.mktemp("sample"))
    card = Scorecard.from_json(card_json.read_bytes())
    return evaluate_files(card, {xlsx.name: xlsx.read_bytes()})


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_sample_report_is_one_rendered_page(
    tmp_path: Path, lang: str, sample_evaluation: Evaluation
) -> None:
    pdf = report_pdf(sample_evaluation, lang, created=CREATED)
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf, tmp_path) == 1
    pngs = _render(pdf, tmp_path, f"report_pdf_sample_{lang}")
    assert len(pngs) == 1
    _assert_not_blank(pngs[0])
    text = _text(pdf, tmp_path)
    assert sample_evaluation.scorecard.name in text
    words = {
        "en": ["Management summary", "Needs attention", "Status per goal and KPI", "Off track"],
        "nl": ["Managementsamenvatting", "Vraagt aandacht", "Status per doel en KPI", "Uit koers"],
    }[lang]
    for word in words:
        assert word in text, word
    for kpi in sample_evaluation.scorecard.kpis:
        assert kpi.name[:20] in text  # every KPI is on the page (names may be shortened)


def test_small_report_worked_out_by_hand(tmp_path: Path) -> None:
    """Revenue off track (€1,300 vs €1,500), Complaints at risk, Margin % off track."""
    pdf = report_pdf(evaluation(), "en", created=CREATED)
    assert _pages(pdf, tmp_path) == 1
    _assert_not_blank(_render(pdf, tmp_path, "report_pdf_small_en")[0])
    text = _text(pdf, tmp_path)
    assert "Shop 2026" in text
    assert "€1,300 vs €1,500" in text
    assert "2 vs 1" in text  # complaints: lower is better
    assert "Phone every customer who complained" in text
    assert "Period up to 2026-02-28" in text
    assert "made on 2026-03-02" in text
    # off-course KPIs first: the attention list starts with the worst
    # (its rows are the lines with a status dot: the status list beside it has none)
    rows = [ln for ln in text[text.index("Needs attention") :].splitlines() if "●" in ln]
    attention = "\n".join(rows)
    assert attention.index("Margin %") < attention.index("Complaints")


def _many_kpis(n: int) -> Evaluation:
    data = pd.DataFrame({"Date": pd.date_range("2025-01-01", "2026-02-28", freq="D"), "Value": 1.0})
    kpis = [
        KPI(
            id=f"k{i}",
            goal_id=f"g{i % 6}",
            name=f"KPI number {i} with a fairly long name to wrap",
            dataset_id="d",
            measure=Measure(aggregation="sum", column="Value"),
            target=Target(value=40 if i % 2 else 20),
            owner="Someone with a long name",
            action="A long agreed action that needs several lines in the table " * 2,
        )
        for i in range(n)
    ]
    card = Scorecard(
        name="Big scorecard",
        datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
        goals=[Goal(id=f"g{i}", title=f"Goal {i} " + "long title " * 8) for i in range(6)],
        kpis=kpis,
    )
    return evaluate_scorecard(card, {"d": data}, as_of=date(2026, 2, 28))


def test_many_kpis_still_fit_on_one_page(tmp_path: Path) -> None:
    pdf = report_pdf(_many_kpis(40), "nl", created=CREATED)
    assert _pages(pdf, tmp_path) == 1
    _assert_not_blank(_render(pdf, tmp_path, "report_pdf_many_nl")[0])
    assert "meer in het Excel-rapport" in _text(pdf, tmp_path)


def test_user_text_cannot_break_the_layout_or_markup(tmp_path: Path) -> None:
    ev = evaluation(
        goal="<b>Grow</b> & shrink ✅", kpi="Revenue <i>&amp;", owner="Ann & Bo", action="<para>"
    )
    pdf = report_pdf(ev, "en", created=CREATED)
    text = _text(pdf, tmp_path)
    assert "Revenue <i>&amp;" in text  # shown literally, not parsed as markup
    assert "Ann & Bo" in text
    assert "<para>" in text
    assert pdf_text("✅ On track ⚠️") == "On track"  # no emoji glyphs in PDF fonts: left out
    assert pdf_text("€ 1.234,56 – ≥ 5") == "€ 1.234,56 – ≥ 5"


def test_a_scorecard_without_data_gives_a_page_too(tmp_path: Path) -> None:
    ev = evaluation()
    empty = evaluate_scorecard(ev.scorecard, {}, as_of=date(2026, 2, 28))
    pdf = report_pdf(empty, "en", created=CREATED)
    assert _pages(pdf, tmp_path) == 1
    assert "No KPI has data to chart yet." in _text(pdf, tmp_path)


def test_write_summary_and_command_line_make_the_pdf(tmp_path: Path) -> None:
    assert write_summary(evaluation(), ".pdf", "nl").startswith(b"%PDF")
    ev = evaluation()
    data = tmp_path / "d.csv"
    frame = pd.DataFrame(
        {
            "Date": ["2026-01-05", "2026-01-20", "2026-02-10", "2026-02-28"],
            "Revenue": [1000.5, 600.25, 1200.0, 100.0],
            "Profit": [300.0, 180.0, 300.0, 10.0],
            "Complaints": [0, 1, 2, 0],
        }
    )
    frame.to_csv(data, index=False)
    card = tmp_path / "card.json"
    card.write_text(ev.scorecard.to_json(), encoding="utf-8")
    out = tmp_path / "report.pdf"
    code = main(
        ["evaluate", str(data), "--scorecard", str(card), "--out", str(out), "--lang", "nl"]
    )
    assert code == 0
    assert _pages(out.read_bytes(), tmp_path) == 1
    assert "Vraagt aandacht" in _text(out.read_bytes(), tmp_path)


def test_report_date_defaults_to_today(tmp_path: Path) -> None:
    text = _text(report_pdf(evaluation(), "nl"), tmp_path)
    assert datetime.now().strftime("%d-%m-%Y") in text
