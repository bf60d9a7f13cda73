"""AppTest of the KPI filter's value (issue 15): picked from the column's distinct values,
sorted, in the user's notation, with row counts; typed only when there are very many."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Dataset, Filter, Goal, Measure, Scorecard
from kpilogic.workspace.service import SourceFile
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

FILE = "winkel.xlsx"


def _workbook(customers: int = 3) -> bytes:
    """Six order lines in March 2026: channel, region (with a stray space), amount, customer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Datum", "Kanaal", "Regio", "Bedrag", "Klant"])
    rows = [
        (1, "Web", "Noord", 1250.5, 0),
        (2, "Winkel", "Zuid ", 80.0, 1),
        (3, "Web", "Zuid", 1250.5, 2),
        (3, "app", "Noord", 15.0, 0),
        (4, "Web", "Oost", 99.0, 1),
        (5, "Winkel", "Noord", 80.0, 2),
    ]
    for day, channel, region, amount, who in rows:
        ws.append([datetime(2026, 3, day), channel, region, amount, f"K{who}"])
    for n in range(3, customers):  # more customers, one line each, on 6 March
        ws.append([datetime(2026, 3, 6), "Web", "Oost", 10.0, f"K{n}"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _app(lang: str, kpis: list[KPI] | None = None, customers: int = 3) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    data = _workbook(customers)
    at.session_state["koers_lang"] = lang
    at.session_state["koers_files"] = {FILE: SourceFile(FILE, data, f"sha-{len(data)}")}
    at.session_state["koers_scorecard"] = Scorecard(
        name="Winkel",
        datasets=[
            Dataset(id="orders", name="Orders", source=FILE, sheet="Orders", date_column="Datum")
        ],
        goals=[Goal(id="grow", title="Meer omzet")],
        kpis=kpis or [],
    )
    at.run()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    return at


def _add_filter(at: AppTest, column: str, op: str = "eq") -> None:
    at.button(key="kpi_filter_add").click().run()
    at.selectbox(key="kpi_filter_col_0").select(column).run()
    at.selectbox(key="kpi_filter_op_0").select(op).run()


def _save(at: AppTest, name: str) -> KPI:
    at.text_input(key="kpi_name").input(name).run()
    at.selectbox(key="kpi_column").select("Bedrag").run()
    at.number_input(key="kpi_target_value").set_value(100.0).run()
    at.button(key="kpi_save").click().run()
    assert not at.exception
    card = at.session_state["koers_scorecard"]
    return next(k for k in card.kpis if k.name == name)


def test_a_value_is_picked_from_the_columns_values_with_counts() -> None:
    at = _app("nl")
    _add_filter(at, "Kanaal")
    box = at.selectbox(key="kpi_filter_pick_0")
    # Sorted without regard to case; rows per value in brackets: Web 3, Winkel 2, app 1.
    assert box.options == ["app (1)", "Web (3)", "Winkel (2)"]
    assert box.value is None and box.placeholder == "Kies een waarde…"
    assert "kpi_filter_val_0" not in [w.key for w in at.text_input]  # nothing to type
    box.select("Web").run()
    kpi = _save(at, "Webomzet")
    assert kpi.filters == [Filter(column="Kanaal", op="eq", value="Web")]


def test_text_values_are_trimmed_and_several_can_be_picked() -> None:
    at = _app("en")
    _add_filter(at, "Regio", "in")
    multi = at.multiselect(key="kpi_filter_multi_0")
    # 'Zuid ' and 'Zuid' are one value (the filter ignores surrounding spaces): 2 rows.
    assert multi.options == ["Noord (3)", "Oost (1)", "Zuid (2)"]
    assert multi.placeholder == "Choose one or more values…"
    multi.select("Zuid").select("Oost").run()
    kpi = _save(at, "South and east")
    assert kpi.filters == [Filter(column="Regio", op="in", value=["Zuid", "Oost"])]


@pytest.mark.parametrize(
    ("lang", "amounts", "days"),
    [
        # 15 < 80 < 99 < 1250.5, in the user's notation; dates as the user writes them.
        ("nl", ["15 (1)", "80 (2)", "99 (1)", "1.250,5 (2)"], "01-03-2026 (1)"),
        ("en", ["15 (1)", "80 (2)", "99 (1)", "1,250.5 (2)"], "2026-03-01 (1)"),
    ],
)
def test_numbers_and_dates_in_the_users_notation(lang: str, amounts: list[str], days: str) -> None:
    at = _app(lang)
    _add_filter(at, "Bedrag", "ge")
    assert at.selectbox(key="kpi_filter_pick_0").options == amounts
    at.selectbox(key="kpi_filter_pick_0").select("80").run()
    # Another column: the value picked for Bedrag does not carry over.
    at.selectbox(key="kpi_filter_col_0").select("Datum").run()
    box = at.selectbox(key="kpi_filter_pick_0")
    assert box.value is None
    # Five days: 1, 2, 3 (two lines), 4, 5 March.
    assert box.options[0] == days and len(box.options) == 5
    box.select("2026-03-03").run()
    kpi = _save(at, "Vanaf 3 maart")
    assert kpi.filters == [Filter(column="Datum", op="ge", value="2026-03-03")]


def test_very_many_values_are_typed_with_a_sentence_saying_why() -> None:
    # 501 customers: K0..K500 (three on the first lines, 498 more).
    at = _app("nl", customers=501)
    _add_filter(at, "Klant")
    assert "kpi_filter_pick_0" not in [w.key for w in at.selectbox]
    assert any(
        "501 verschillende waarden" in c.value and "meer dan 500" in c.value for c in at.caption
    ), [c.value for c in at.caption]
    at.text_input(key="kpi_filter_val_0").input("K42").run()
    kpi = _save(at, "Klant 42")
    assert kpi.filters == [Filter(column="Klant", op="eq", value="K42")]


def test_editing_keeps_a_value_the_data_no_longer_has_and_names_it() -> None:
    kpi = KPI(
        id="web",
        goal_id="grow",
        name="Web en telefoon",
        dataset_id="orders",
        measure=Measure(aggregation="sum", column="Bedrag"),
        filters=[Filter(column="Kanaal", op="in", value=["Web", "Telefoon"])],
    )
    at = _app("nl", [kpi])
    at.button(key="kpi_edit_web").click().run()
    multi = at.multiselect(key="kpi_filter_multi_0")
    assert multi.value == ["Web", "Telefoon"]
    assert "Telefoon (komt niet voor in de gegevens)" in multi.options
    at.button(key="kpi_save").click().run()
    assert not at.exception
    saved = next(k for k in at.session_state["koers_scorecard"].kpis if k.id == "web")
    assert saved.filters == [Filter(column="Kanaal", op="in", value=["Web", "Telefoon"])]


def test_a_date_column_with_very_many_days_gets_a_calendar() -> None:
    """Typing "01-03-2024" could be read as 3 January; a calendar cannot be misread."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Datum", "Kanaal", "Regio", "Bedrag", "Klant"])
    start = datetime(2024, 1, 1).toordinal()
    for n in range(600):  # 600 days: more than 500, too many to list
        ws.append([datetime.fromordinal(start + n), "Web", "Noord", 10.0, "K1"])
    buf = io.BytesIO()
    wb.save(buf)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = "nl"
    at.session_state["koers_files"] = {FILE: SourceFile(FILE, buf.getvalue(), "sha-days")}
    at.session_state["koers_scorecard"] = Scorecard(
        name="Winkel",
        datasets=[
            Dataset(id="orders", name="Orders", source=FILE, sheet="Orders", date_column="Datum")
        ],
        goals=[Goal(id="grow", title="Meer omzet")],
    )
    at.run()
    at.switch_page("pages/kpis.py").run()
    _add_filter(at, "Datum", "ge")
    # 1 March 2024 picked on a calendar is 2024-03-01, never 3 January.
    at.date_input(key="kpi_filter_day_0").set_value(date(2024, 3, 1)).run()
    kpi = _save(at, "Vanaf maart")
    assert kpi.filters == [Filter(column="Datum", op="ge", value="2024-03-01")]
