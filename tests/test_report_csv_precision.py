"""The app's csv rounds each figure to its unit's precision; the command line's keeps ten
significant digits. Either way no float noise such as ``88182,01999999999``."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.present.files import write_summary
from kpilogic.present.report import round_decimals, round_significant, summary_csv
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Unit


def _kpi(kpi_id: str, unit: Unit, measure: Measure, target: float) -> KPI:
    return KPI(
        id=kpi_id,
        goal_id="g",
        name=kpi_id,
        dataset_id="d",
        unit=unit,
        measure=measure,
        target=Target(value=target),
    )


def _evaluation():
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-01-31"]),
            "Revenue": [88000.01, 182.01, 0.0],
            "Cost": [30000.0, 100.0, 0.0],
            "Orders": [3.0, 4.0, 0.0],
        }
    )
    card = Scorecard(
        name="Precision",
        datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
        goals=[Goal(id="g", title="Grow")],
        kpis=[
            _kpi("revenue", "currency", Measure(aggregation="sum", column="Revenue"), 90000),
            _kpi(
                "margin",
                "percent",
                Measure(formula="(sum(Revenue) - sum(Cost)) / sum(Revenue) * 100"),
                60,
            ),
            _kpi("orders", "count", Measure(aggregation="mean", column="Orders"), 3),
        ],
    )
    return evaluate_scorecard(card, {"d": data}, as_of=date(2026, 1, 31))


def _rows(data: bytes, sep: str) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=sep)
    return {r["kpi_id"]: r for r in reader}


def test_currency_is_written_to_the_cent_in_both_languages() -> None:
    ev = _evaluation()
    # The float sum 88000.01 + 182.01 is 88182.01999999999; the csv shows 88182.02.
    assert ev.detail.loc[ev.detail["kpi_id"] == "revenue", "actual"].iloc[0] != 88182.02
    en = _rows(summary_csv(ev, "en"), ",")
    nl = _rows(summary_csv(ev, "nl"), ";")
    assert en["revenue"]["actual"] == "88182.02"
    assert nl["revenue"]["actual"] == "88182,02"
    # gap 88182.02 − 90000 = −1817.98; % of target 88182.02 / 90000 = 97.98% → 98.0 (1 decimal)
    assert en["revenue"]["gap"] == "-1817.98"
    assert nl["revenue"]["pct_of_target"] == "98,0"
    assert en["revenue"]["target"] == "90000.00"


def test_percent_and_count_rounding() -> None:
    ev = _evaluation()
    en = _rows(summary_csv(ev, "en"), ",")
    nl = _rows(summary_csv(ev, "nl"), ";")
    # margin: (88182.02 − 30100) / 88182.02 × 100 = 58082.02 / 88182.02 × 100 = 65.8660…% → 65.87
    assert en["margin"]["actual"] == "65.87"
    assert nl["margin"]["actual"] == "65,87"
    # orders, a count: mean of 3, 4, 0 = 2.333… → 2 (counts have no decimals); gap 2.33 − 3
    # = −0.67 → −1
    assert en["orders"]["actual"] == "2"
    assert en["orders"]["gap"] == "-1"


def test_the_command_line_csv_keeps_ten_significant_digits() -> None:
    ev = _evaluation()
    rows = _rows(write_summary(ev, ".csv", "en"), ",")
    assert rows["revenue"]["actual"] == "88182.02"
    # 7/3 = 2.333333333333… to 10 significant digits
    assert rows["orders"]["actual"] == "2.333333333"
    nl = _rows(write_summary(ev, ".csv", "nl"), ";")
    assert nl["orders"]["actual"] == "2,333333333"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (2.25, 1, "2.3"),  # half up, as people round (binary floats would give 2.2)
        (-0.004, 2, "0"),  # no negative zero
        (1234567.891, 0, "1234568"),
        (None, 2, ""),
        (float("nan"), 2, ""),
    ],
)
def test_round_decimals(value, decimals, text) -> None:
    assert round_decimals(value, decimals) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.1 + 0.2, "0.3"), (1e12 + 0.5, "1000000000000"), (838.0, "838"), (-1 / 3, "-0.3333333333")],
)
def test_round_significant(value, text) -> None:
    assert round_significant(value) == text


def test_the_apps_csv_speaks_the_users_language(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ev = _evaluation()
    nl = summary_csv(ev, "nl", readable=True).decode("utf-8-sig").splitlines()
    en = summary_csv(ev, "en", readable=True).decode("utf-8-sig").splitlines()
    header_nl, header_en = nl[0].split(";"), en[0].split(",")
    assert header_nl[:4] == ["Doel-id", "Doel", "KPI-id", "KPI"]
    assert "Werkelijk" in header_nl and "Doelwaarde" in header_nl
    assert "Actual" in header_en and "Target" in header_en
    assert "actual" not in header_nl and "on_track" not in "\n".join(nl)
    status_at = header_nl.index("Status")
    partial_at = header_nl.index("Periode nog niet compleet")
    rows = [line.split(";") for line in nl[1:]]
    assert {r[status_at] for r in rows} <= {
        "Op koers",
        "Risico",
        "Uit koers",
        "Geen gegevens",
        "Geen doelwaarde",
        "Te vroeg om te beoordelen",
        "Nog bezig",
    }
    assert {r[partial_at] for r in rows} <= {"Ja", "Nee"}
    assert "False" not in "\n".join(nl) and "True" not in "\n".join(nl)
    # The machine-readable csv keeps its names.
    machine = summary_csv(ev, "nl").decode("utf-8-sig").splitlines()[0].split(";")
    assert machine[:4] == ["goal_id", "goal", "kpi_id", "kpi"]
