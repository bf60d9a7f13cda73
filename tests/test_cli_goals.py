"""``koers goals``: each goal's progress to its deadline, run as a subprocess."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from tests.test_cli import koers

COLUMNS = [
    "goal_id",
    "goal",
    "kpi_id",
    "kpi",
    "deadline",
    "span_start",
    "as_of",
    "cumulative_actual",
    "cumulative_target",
    "target_at_deadline",
    "forecast_at_deadline",
    "forecast_method",
    "forecast_pct_of_target",
    "status",
    "reason",
]


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    """The shop owner's revenue: 2024 eleven months of 101,500 and December 101,906.36;
    2025 eleven months of 93,850 and December 93,831 (1,126,181 for the year); the goal:
    10% more than 2024 (1.1 × 1,218,406.36 = 1,340,247.00)."""
    lines = ["Date,Revenue"]
    for year, usual, december in ((2024, "101500", "101906.36"), (2025, "93850", "93831")):
        for month in range(1, 13):
            lines.append(f"{year}-{month:02d}-01,{december if month == 12 else usual}")
    data = tmp_path / "omzet.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    card = Scorecard(
        name="Winkel",
        datasets=[Dataset(id="omzet", name="Omzet", source="omzet.csv", date_column="Date")],
        goals=[
            Goal(id="omzet2025", title="=Omzet 2025 10% hoger", deadline="2025-12-31"),  # type: ignore[arg-type]
        ],
        kpis=[
            KPI(
                id="omzet",
                goal_id="omzet2025",
                name="Omzet",
                dataset_id="omzet",
                measure=Measure(aggregation="sum", column="Revenue"),
                unit="currency",
                target=Target(kind="growth", growth_pct=10),
            )
        ],
    )
    path = tmp_path / "card.json"
    path.write_text(card.to_json(), encoding="utf-8")
    return data, path


def test_goals_csv_columns_and_numbers(shop: tuple[Path, Path], tmp_path: Path) -> None:
    data, card = shop
    out = tmp_path / "goals.csv"
    result = koers("goals", str(data), "--scorecard", str(card), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 goal, 1 KPI" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == COLUMNS
    goal, kpi = rows
    # The goal's own row: no KPI, no numbers; its title cannot start a formula.
    assert goal["kpi_id"] == "" and goal["cumulative_actual"] == ""
    assert goal["goal"] == "'=Omzet 2025 10% hoger"
    assert kpi["kpi_id"] == "omzet"
    # A table of one row a month stands for whole months: the data covers December through
    # its last day, so the deadline has passed.
    assert (kpi["deadline"], kpi["span_start"], kpi["as_of"]) == (
        "2025-12-31",
        "2025-01-01",
        "2025-12-31",
    )
    assert float(kpi["cumulative_actual"]) == pytest.approx(1_126_181)
    assert float(kpi["target_at_deadline"]) == pytest.approx(1_340_246.996)
    assert float(kpi["forecast_pct_of_target"]) == pytest.approx(1_126_181 / 1_340_246.996 * 100)
    assert kpi["forecast_method"] == "none"
    assert kpi["status"] == goal["status"] == "missed"
    # (1,126,181 − 1,340,247) / 1,340,247 = −15.97%
    assert kpi["reason"] == "Missed: €1.13 M against €1.34 M at 2025-12-31 (−16%)."


def test_goals_json_in_november_off_course(shop: tuple[Path, Path], tmp_path: Path) -> None:
    data, card = shop
    out = tmp_path / "goals.json"
    args = ("goals", str(data), "--scorecard", str(card), "--out", str(out))
    result = koers(*args, "--as-of", "2025-11-30", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    assert "1 doel, 1 KPI" in result.stdout
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [list(r) for r in records] == [COLUMNS, COLUMNS]
    goal, kpi = records
    assert kpi["as_of"] == "2025-11-30"
    assert kpi["cumulative_actual"] == pytest.approx(1_032_350)  # 11 × 93,850
    # December forecast seasonally: 101,906.36 × (1,032,350 / 1,116,500) = 94,225.6
    rate = 1_032_350 / 1_116_500
    assert kpi["forecast_at_deadline"] == pytest.approx(1_032_350 + 101_906.36 * rate)
    assert kpi["forecast_method"] == "seasonal"
    assert goal["status"] == kpi["status"] == "off_course"
    # (1,126,575.6 − 1,340,247) / 1,340,247 = −15.9%
    assert kpi["reason"].startswith(
        "Uit koers: verwachting € 1,13 mln tegen € 1,34 mln op 31-12-2025 (−16%; patroon"
    )
    assert goal["kpi_id"] == "" and goal["cumulative_actual"] is None


def test_goals_xlsx_opens(shop: tuple[Path, Path], tmp_path: Path) -> None:
    data, card = shop
    out = tmp_path / "goals.xlsx"
    args = ("goals", str(data), "--scorecard", str(card), "--out", str(out))
    result = koers(*args, "--as-of", "2025-11-30")
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(out)["Goals"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    kpi = dict(zip(COLUMNS, rows[2], strict=True))
    assert kpi["cumulative_actual"] == pytest.approx(1_032_350)  # Jan–Nov 2025
    assert kpi["cumulative_target"] == pytest.approx(1.1 * 1_116_500)  # Jan–Nov 2024 + 10%
    assert kpi["status"] == "off_course"


def test_goals_bad_output_is_one_line(shop: tuple[Path, Path], tmp_path: Path) -> None:
    data, card = shop
    result = koers("goals", str(data), "--scorecard", str(card), "--out", str(tmp_path / "g.pdf"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"koers: cannot write '{tmp_path / 'g.pdf'}': the output must end in .csv, .xlsx or .json"
    )
    assert "Traceback" not in result.stderr
