"""AppTest of the Data page with the blank-row sales export of issue 12: every row is read,
the page says so, and the KPI values equal those of the clean twin."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Goal, Measure, Scorecard, Target
from kpilogic.workspace.service import evaluate_files
from tests.conftest import ROOT
from tests.trust_books import blank_row_sales_export, clean_sales_twin

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/data.py").run()
    return at


def _upload(at: AppTest, name: str, data: bytes) -> Scorecard:
    at.file_uploader(key="upload").set_value((name, data, XLSX)).run()
    assert not at.exception
    card = at.session_state["koers_scorecard"]
    assert isinstance(card, Scorecard)
    return card


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def _with_revenue_kpi(card: Scorecard) -> Scorecard:
    (ds,) = card.datasets
    goal = Goal(id="grow", title="Grow revenue", deadline=date(2025, 12, 31))
    kpi = KPI(
        id="revenue",
        goal_id="grow",
        name="Revenue",
        dataset_id=ds.id,
        measure=Measure(aggregation="sum", column="Omzet"),
        unit="currency",
        target=Target(value=5000),
    )
    return card.model_copy(update={"goals": [goal], "kpis": [kpi]})


def test_the_data_page_reads_every_row_of_the_blank_row_export() -> None:
    at = _app()
    card = _upload(at, "verkopen.xlsx", blank_row_sales_export())
    (ds,) = card.datasets
    assert ds.date_column == "Datum"
    text = _texts(at)
    assert "1,254 of 1,254 rows with data read" in text
    assert "Column names found on row 3; 2 title rows above them skipped." in text
    assert "1 empty row left out: row 631." in text
    at.session_state["koers_lang"] = "nl"
    at.run()
    assert "1.254 van 1.254 rijen met gegevens gelezen" in _texts(at)


def test_the_blank_row_export_gives_the_kpi_values_of_its_clean_twin() -> None:
    values = {}
    for name, data in (
        ("verkopen.xlsx", blank_row_sales_export()),
        ("verkopen_schoon.xlsx", clean_sales_twin()),
    ):
        at = _app()
        card = _with_revenue_kpi(_upload(at, name, data))
        at.session_state["koers_scorecard"] = card
        at.switch_page("pages/dashboard.py").run()
        assert not at.exception
        shown = [(m.label, m.value) for m in at.metric if m.label.startswith("Revenue")]
        ev = evaluate_files(card, {name: data}, date(2025, 11, 30))
        actual = ev.kpi_rows("revenue")["actual"].round(2).tolist()
        values[name] = (shown, actual)
    assert values["verkopen.xlsx"] == values["verkopen_schoon.xlsx"]
    shown, actual = values["verkopen.xlsx"]
    assert shown  # the dashboard showed the KPI
    # January: days 0–30 are rows 0–123, 31 full cycles of Aantal 1+2+3+4 = 10 pieces:
    # 310 pieces × 12.50 = 3,875.00. All months together: 39,162.50 (see test_trust_ingest).
    assert actual[0] == 3875.0
    assert round(sum(actual), 2) == 39162.5


def test_a_dutch_user_gets_dutch_column_names_from_the_unpivot() -> None:
    from kpilogic.sources.pipeline import read_dataset
    from tests.trust_books import wide_metrics_sheet

    at = _app()
    at.session_state["koers_lang"] = "nl"
    at.run()
    data = wide_metrics_sheet()
    card = _upload(at, "maand.xlsx", data)
    (ds,) = card.datasets
    # Stored with the dataset, so the scorecard reads the same in the CLI and in English.
    assert (ds.column_language, ds.date_column) == ("nl", "Datum")
    assert list(read_dataset(data, "maand.xlsx", ds).frame.columns) == [
        "Maatstaf",
        "Datum",
        "Waarde",
    ]
    assert "De kolom 'Maatstaf' zegt wat elke rij meet" in _texts(at)


def test_the_header_row_set_on_the_data_page_is_used_and_saved() -> None:
    from tests.trust_books import header_below_a_report_line

    at = _app()
    _upload(at, "rapport.xlsx", header_below_a_report_line())
    (header,) = [n for n in at.number_input if n.label == "Row with the column names"]
    assert header.value == 1  # the report line "Rapport, Q1" was taken for the header
    header.set_value(2).run()
    assert not at.exception
    (ds,) = at.session_state["koers_scorecard"].datasets
    assert ds.header_row == 2
    # Row 1 is now a title row; the three months under "Datum, Omzet" are all read.
    assert "3 of 3 rows with data read" in _texts(at)
    assert "Datum" in at.selectbox(key="data_date_rapport").options
