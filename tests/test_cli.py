"""The koers command line on the sample data and on bad input (run in-process by
``tests.cli_run.koers``; one test starts the real entry point as a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.cli_run import koers
from tests.conftest import CORPUS, ROOT, SAMPLE_DIR

WORKBOOK = SAMPLE_DIR / "koers_sample.xlsx"
CARD = SAMPLE_DIR / "koers_sample_scorecard.json"


def koers_process(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real entry point, a new Python process (``koers`` runs in-process elsewhere)."""
    return subprocess.run(
        [sys.executable, "-m", "kpilogic.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _orders() -> list[dict]:
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True)
    rows = wb["Orders"].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, r, strict=False)) for r in rows]


def test_evaluate_sample_to_csv(tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    result = koers("evaluate", str(WORKBOOK), "--scorecard", str(CARD), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == [
        "goal_id",
        "goal",
        "kpi_id",
        "kpi",
        "segment",
        "period",
        "period_start",
        "period_end",
        "actual",
        "target",
        "pct_of_target",
        "gap",
        "status",
        "partial",
        "projected",
        "change_prev_pct",
        "change_yoy_pct",
        "ytd_actual",
        "ytd_target",
        "reliability",
    ]
    # Monthly revenue (all channels), summed here from the workbook with openpyxl:
    orders = _orders()
    march = sum(o["Revenue"] for o in orders if o["Date"].strftime("%Y-%m") == "2025-03")
    web_march = sum(
        o["Revenue"]
        for o in orders
        if o["Date"].strftime("%Y-%m") == "2025-03" and o["Channel"] == "Web"
    )
    by_key = {(r["kpi_id"], r["segment"], r["period"]): r for r in rows}
    assert float(by_key[("revenue", "", "2025-03")]["actual"]) == pytest.approx(march, abs=0.005)
    assert float(by_key[("web-revenue", "", "2025-03")]["actual"]) == pytest.approx(
        web_march, abs=0.005
    )
    # November 2026 is partial: data up to the 20th, so 30/20 of the actual is projected.
    nov = by_key[("revenue", "", "2026-11")]
    assert nov["partial"] == "True"
    assert float(nov["projected"]) == pytest.approx(float(nov["actual"]) * 30 / 20)


def test_evaluate_as_of_and_json(tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    result = koers(
        "evaluate",
        str(WORKBOOK),
        "--scorecard",
        str(CARD),
        "--out",
        str(out),
        "--as-of",
        "2025-06-30",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(out.read_text(encoding="utf-8"))
    periods = {r["period"] for r in payload["summary"] if r["kpi_id"] == "revenue"}
    assert max(periods) == "2025-06"
    june = next(
        r
        for r in payload["summary"]
        if r["kpi_id"] == "revenue" and r["period"] == "2025-06" and not r["segment"]
    )
    expected = sum(
        o["Revenue"] for o in _orders() if datetime(2025, 6, 1) <= o["Date"] < datetime(2025, 7, 1)
    )
    assert june["actual"] == pytest.approx(expected, abs=0.005)
    assert june["partial"] is False


def test_evaluate_to_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    assert (
        koers("evaluate", str(WORKBOOK), "--scorecard", str(CARD), "--out", str(out)).returncode
        == 0
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] in ("Summary", "Samenvatting")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--scorecard", "missing.json"], "cannot open 'missing.json'"),
        (["--scorecard", str(CARD), "--out", "x.txt"], "must end in .csv, .xlsx, .json or .pdf"),
    ],
)
def test_bad_input_gives_one_line_and_no_traceback(args, fragment, tmp_path: Path) -> None:
    full = ["evaluate", str(WORKBOOK), *args]
    if "--out" not in args:
        full += ["--out", str(tmp_path / "o.csv")]
    result = koers(*full)
    assert result.returncode != 0
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_data_file(tmp_path: Path) -> None:
    bad = CORPUS / "calamine" / "pass_protected.xlsx"
    card = tmp_path / "card.json"
    card.write_text(CARD.read_text().replace("koers_sample.xlsx", "pass_protected.xlsx"))
    result = koers(
        "evaluate",
        str(bad),
        "--scorecard",
        str(card),
        "--out",
        str(tmp_path / "o.csv"),
        "--lang",
        "nl",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "wachtwoord" in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1


def test_invalid_scorecard_names_the_field(tmp_path: Path) -> None:
    card = tmp_path / "card.json"
    raw = json.loads(CARD.read_text())
    raw["kpis"][0]["direction"] = "sideways"
    card.write_text(json.dumps(raw))
    result = koers(
        "evaluate", str(WORKBOOK), "--scorecard", str(card), "--out", str(tmp_path / "o.csv")
    )
    assert result.returncode == 1
    assert "kpis → 0 → direction" in result.stderr


def test_sample_and_schema(tmp_path: Path) -> None:
    result = koers("sample", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "koers_sample.xlsx").read_bytes() == WORKBOOK.read_bytes()
    assert (tmp_path / "koers_sample_scorecard.json").read_text() == CARD.read_text()
    schema = json.loads(koers("schema").stdout)
    assert schema["title"] == "Scorecard"


def test_the_entry_point_runs_as_its_own_process(tmp_path: Path) -> None:
    """``python -m kpilogic.cli`` itself: output, exit code, one line for bad input."""
    schema = json.loads(koers_process("schema").stdout)
    assert schema["title"] == "Scorecard"
    missing = koers_process(
        "evaluate", str(tmp_path / "weg.xlsx"), "--scorecard", str(CARD), "--out", "x.csv"
    )
    assert missing.returncode == 1
    assert missing.stderr.startswith("koers: ") and len(missing.stderr.splitlines()) == 1
    assert "Traceback" not in missing.stderr


def test_the_csv_is_machine_readable_unless_a_language_is_asked(tmp_path: Path) -> None:
    plain, dutch = tmp_path / "plain.csv", tmp_path / "dutch.csv"
    args = ["evaluate", str(WORKBOOK), "--scorecard", str(CARD), "--as-of", "2026-06-30"]
    assert koers(*args, "--out", str(plain)).returncode == 0
    assert koers(*args, "--out", str(dutch), "--lang", "nl").returncode == 0
    header = plain.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("goal_id,goal,kpi_id,kpi,segment,period,")
    text = dutch.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Doel-id;Doel;KPI-id;KPI;Segment;Periode;")
    assert ";Op koers;" in text or ";Uit koers;" in text
    assert "on_track" not in text and "off_track" not in text
