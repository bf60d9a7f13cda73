"""The values per period × KPI: periods as rows, KPIs as columns, in the reader's notation,
incomplete periods marked; CSV and xlsx downloads in the reader's language."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.present.period_table import (
    display_table,
    partial_note,
    period_tables,
    table_csv,
    table_xlsx,
)
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target

# Data up to 10 March: March is incomplete (10 of its 31 days).
DATA = pd.DataFrame(
    {
        "Date": pd.to_datetime(
            ["2026-01-10", "2026-01-20", "2026-02-10", "2026-03-05", "2026-03-10"]
        ),
        "Revenue": [60.0, 40.0, 80.0, 20.0, 30.0],
    }
)


def _card(*kpis: KPI) -> Scorecard:
    return Scorecard(
        name="C",
        datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
        goals=[Goal(id="g", title="G")],
        kpis=list(kpis),
    )


def _kpi(kpi_id: str, name: str, **kw) -> KPI:
    base = {
        "id": kpi_id,
        "goal_id": "g",
        "name": name,
        "dataset_id": "d",
        "unit": "currency",
        "measure": Measure(aggregation="sum", column="Revenue"),
        "target": Target(value=100),
    }
    return KPI.model_validate({**base, **kw})


REVENUE = _kpi("rev", "Revenue")
# A name a spreadsheet would take for a formula: must stay text in the downloads.
ORDERS = _kpi(
    "orders", "=Orders", unit="count", measure=Measure(aggregation="count", column="Revenue")
)


@pytest.fixture(scope="module")
def table():
    ev = evaluate_scorecard(_card(REVENUE, ORDERS), {"d": DATA})
    tables = period_tables(ev)
    assert [t.cadence for t in tables] == ["month"]
    return tables[0]


def test_periods_as_rows_kpis_as_columns(table) -> None:
    assert list(table.values.index) == ["2026-01", "2026-02", "2026-03"]
    assert list(table.values.columns) == ["Revenue", "=Orders"]
    # January 60 + 40 = 100 (2 rows); February 80 (1 row); March 20 + 30 = 50 (2 rows).
    assert list(table.values["Revenue"]) == pytest.approx([100.0, 80.0, 50.0])
    assert list(table.values["=Orders"]) == pytest.approx([2.0, 1.0, 2.0])
    assert list(table.partial["Revenue"]) == [False, False, True]


def test_shown_in_the_readers_notation_with_incomplete_periods_marked(table) -> None:
    nl = display_table(table, "nl")
    assert list(nl["Periode"]) == ["jan 2026", "feb 2026", "mrt 2026"]
    assert list(nl["Revenue"]) == ["€ 100,00", "€ 80,00", "€ 50,00 *"]
    assert list(nl["=Orders"]) == ["2", "1", "2 *"]
    en = display_table(table, "en")
    assert list(en["Period"]) == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert en["Revenue"].iloc[0] == "€100.00"
    assert "mrt 2026" in partial_note(table, "nl")
    assert "Mar 2026" in partial_note(table, "en")


def test_up_to_leaves_later_periods_out() -> None:
    ev = evaluate_scorecard(_card(REVENUE), {"d": DATA})
    (table,) = period_tables(ev, date(2026, 2, 28))
    assert list(table.values.index) == ["2026-01", "2026-02"]
    assert partial_note(table, "en") is None  # February is complete


def test_csv_in_dutch_and_english(table) -> None:
    nl = table_csv(table, "nl").decode("utf-8")
    assert nl.startswith("\ufeff")  # Excel reads the accents
    lines = nl.lstrip("\ufeff").splitlines()
    assert lines[0] == "Periode;Revenue;'=Orders;Onvolledige periode"
    assert lines[1] == "jan 2026;100,00;2;Nee"
    assert lines[3] == "mrt 2026;50,00;2;Ja"
    en = table_csv(table, "en").decode("utf-8").lstrip("\ufeff").splitlines()
    assert en[0] == "Period,Revenue,'=Orders,Incomplete period"
    assert en[2] == "Feb 2026,80.00,1,No"


def test_xlsx_has_numbers_and_words_in_the_readers_language(table) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(table_xlsx(table, "nl")))
    ws = wb.active
    assert ws.title == "Waarden per periode"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Periode", "Revenue", "'=Orders", "Onvolledige periode")
    assert rows[1] == ("jan 2026", 100.0, 2.0, "Nee")
    assert rows[3] == ("mrt 2026", 50.0, 2.0, "Ja")
    assert "mrt 2026" in rows[5][0]  # the note under the table
    assert ws["B2"].number_format == '"€" #,##0.00'
