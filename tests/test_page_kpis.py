"""AppTest of the KPIs page: add, edit and delete KPIs through the widgets, the formula
builder, the live preview, and the draft kept across page and language switches."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.service import SourceFile
from tests.conftest import ROOT, SAMPLE_DIR

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

FILE = "shop.xlsx"
GOAL_ID = "grow"


def _workbook() -> bytes:
    """Orders from January 2025 to mid-March 2026: two channels, revenue and returns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Date", "Channel", "Revenue", "Returns"])
    for month in range(15):
        year, m = 2025 + month // 12, month % 12 + 1
        for day in (3, 14) if month == 14 else (3, 14, 25):
            ws.append([datetime(year, m, day), "Web", 400.0 + 10 * month, 2])
            ws.append([datetime(year, m, day), "Shop", 300.0, 1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _card(kpis: list[KPI] | None = None, goals: bool = True) -> Scorecard:
    return Scorecard(
        name="Shop 2026",
        datasets=[
            Dataset(id="orders", name="Orders", source=FILE, sheet="Orders", date_column="Date")
        ],
        goals=[Goal(id=GOAL_ID, title="Grow online revenue 15% in 2026")] if goals else [],
        kpis=kpis or [],
    )


def _app(card: Scorecard | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    data = _workbook()
    at.session_state["koers_lang"] = "en"
    at.session_state["koers_files"] = {FILE: SourceFile(FILE, data, f"sha-{len(data)}")}
    at.session_state["koers_scorecard"] = card or _card()
    at.run()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    return at


def _scorecard(at: AppTest) -> Scorecard:
    card = at.session_state["koers_scorecard"]
    assert isinstance(card, Scorecard)
    return card


def test_add_a_higher_is_better_kpi() -> None:
    at = _app()
    at.text_input(key="kpi_name").input("Revenue per month").run()
    at.text_area(key="kpi_why").input("Revenue is what the goal is about").run()
    at.selectbox(key="kpi_agg").select("sum").run()
    at.selectbox(key="kpi_column").select("Revenue").run()
    at.selectbox(key="kpi_unit").select("currency").run()
    at.number_input(key="kpi_target_value").set_value(1000.0).run()
    at.text_input(key="kpi_owner").input("Sanne").run()
    at.text_area(key="kpi_action").input("Extra campaign").run()
    assert not at.exception
    # the live preview evaluates the draft: a table of recent periods and no warning
    assert at.table, "the preview shows the recent periods"
    preview = at.table[-1].value
    # Periods in words (issue 15): Oct 2025 … Mar 2026, not 2025-10 … 2026-03.
    assert list(preview.iloc[:, 0]) == [
        "Oct 2025",
        "Nov 2025",
        "Dec 2025",
        "Jan 2026",
        "Feb 2026",
        "Mar 2026",
    ]
    assert not at.warning

    at.button(key="kpi_save").click().run()
    assert not at.exception
    (kpi,) = _scorecard(at).kpis
    assert kpi.name == "Revenue per month"
    assert kpi.goal_id == GOAL_ID and kpi.dataset_id == "orders"
    assert kpi.why == "Revenue is what the goal is about"
    assert kpi.measure == Measure(aggregation="sum", column="Revenue")
    assert kpi.direction == "higher" and kpi.unit == "currency" and kpi.cadence == "month"
    assert kpi.target is not None and kpi.target.kind == "constant" and kpi.target.value == 1000.0
    assert (kpi.tolerance.kind, kpi.tolerance.value) == ("percent", 10.0)
    assert (kpi.owner, kpi.action) == ("Sanne", "Extra campaign")
    assert any("saved" in s.value for s in at.success)
    # the form is empty again, and the KPI is listed under its goal
    assert at.text_input(key="kpi_name").value == ""
    assert at.button(key=f"kpi_edit_{kpi.id}")


def test_add_a_lower_is_better_kpi_with_a_filter() -> None:
    at = _app()
    at.text_input(key="kpi_name").input("Web returns").run()
    at.selectbox(key="kpi_column").select("Returns").run()
    at.selectbox(key="kpi_unit").select("count").run()
    at.selectbox(key="kpi_cadence").select("quarter").run()
    at.radio(key="kpi_direction").set_value("lower").run()
    at.number_input(key="kpi_target_value").set_value(15.0).run()
    at.radio(key="kpi_tol_kind").set_value("absolute").run()
    at.number_input(key="kpi_tol_value").set_value(3.0).run()
    at.button(key="kpi_filter_add").click().run()
    at.selectbox(key="kpi_filter_col_0").select("Channel").run()
    at.selectbox(key="kpi_filter_op_0").select("in").run()
    # The values are picked from the column's own (issue 15), not typed.
    at.multiselect(key="kpi_filter_multi_0").select("Web").select("Shop").run()
    assert not at.exception and not at.warning
    at.button(key="kpi_save").click().run()
    (kpi,) = _scorecard(at).kpis
    assert kpi.direction == "lower" and kpi.cadence == "quarter" and kpi.unit == "count"
    assert kpi.measure == Measure(aggregation="sum", column="Returns")
    assert kpi.target is not None and kpi.target.value == 15.0
    assert (kpi.tolerance.kind, kpi.tolerance.value) == ("absolute", 3.0)
    ((column, op, value),) = [(f.column, f.op, f.value) for f in kpi.filters]
    assert (column, op, value) == ("Channel", "in", ["Web", "Shop"])


def test_a_range_kpi_needs_both_bounds() -> None:
    at = _app()
    at.text_input(key="kpi_name").input("Returns in range").run()
    at.radio(key="kpi_direction").set_value("range").run()
    at.number_input(key="kpi_target_low").set_value(10.0).run()
    at.button(key="kpi_save").click().run()
    assert not _scorecard(at).kpis
    assert at.error and "highest" in at.error[0].value
    at.number_input(key="kpi_target_high").set_value(20.0).run()
    at.button(key="kpi_save").click().run()
    (kpi,) = _scorecard(at).kpis
    assert kpi.target is not None and (kpi.target.low, kpi.target.high) == (10.0, 20.0)


def test_a_bad_formula_shows_an_error_and_is_not_saved() -> None:
    at = _app()
    at.text_input(key="kpi_name").input("Average order").run()
    at.radio(key="kpi_mode").set_value("formula").run()
    at.text_input(key="kpi_formula").input("sum([Revenue] /").run()
    assert not at.exception
    assert at.error, "the formula's problem is shown at once"
    assert "Traceback" not in at.error[0].value
    at.button(key="kpi_save").click().run()
    assert not _scorecard(at).kpis
    assert any("not saved" in e.value for e in at.error)
    # a column the dataset lacks is named, with similar ones
    at.text_input(key="kpi_formula").input("sum([Revenu])").run()
    assert any("Revenu" in e.value and "Revenue" in e.value for e in at.error)
    at.button(key="kpi_save").click().run()
    assert not _scorecard(at).kpis


def test_the_formula_builder_inserts_terms() -> None:
    at = _app()
    at.text_input(key="kpi_name").input("Revenue per order line").run()
    at.radio(key="kpi_mode").set_value("formula").run()
    at.selectbox(key="kpi_fb_agg").select("sum").run()
    at.selectbox(key="kpi_fb_column").select("Revenue").run()
    at.button(key="kpi_fb_insert").click().run()
    assert at.text_input(key="kpi_formula").value == "sum([Revenue])"
    at.selectbox(key="kpi_fb_op").select("/").run()
    at.selectbox(key="kpi_fb_agg").select("count").run()
    at.selectbox(key="kpi_fb_column").select("").run()
    at.button(key="kpi_fb_insert").click().run()
    assert at.text_input(key="kpi_formula").value == "sum([Revenue]) / count()"
    assert not at.error
    at.button(key="kpi_save").click().run()
    (kpi,) = _scorecard(at).kpis
    assert kpi.measure == Measure(formula="sum([Revenue]) / count()")


def test_edit_an_existing_kpi() -> None:
    kpi = KPI(
        id="revenue",
        goal_id=GOAL_ID,
        name="Revenue",
        dataset_id="orders",
        measure=Measure(aggregation="sum", column="Revenue"),
        unit="currency",
        target=Target(kind="constant", value=1500.0),
        owner="Sanne",
    )
    at = _app(_card([kpi]))
    at.button(key="kpi_edit_revenue").click().run()
    assert at.text_input(key="kpi_name").value == "Revenue"
    assert at.number_input(key="kpi_target_value").value == 1500.0
    at.text_input(key="kpi_name").input("Monthly revenue").run()
    at.number_input(key="kpi_target_value").set_value(2000.0).run()
    at.button(key="kpi_save").click().run()
    (saved,) = _scorecard(at).kpis
    assert saved.id == "revenue"
    assert saved.name == "Monthly revenue"
    assert saved.target is not None and saved.target.value == 2000.0
    assert saved.owner == "Sanne" and saved.unit == "currency"


def test_delete_asks_for_confirmation() -> None:
    kpi = KPI(
        id="revenue",
        goal_id=GOAL_ID,
        name="Revenue",
        dataset_id="orders",
        measure=Measure(aggregation="sum", column="Revenue"),
    )
    at = _app(_card([kpi]))
    at.button(key="kpi_delete_revenue").click().run()
    assert len(_scorecard(at).kpis) == 1, "nothing is deleted before confirming"
    at.button(key="kpi_delete_no_revenue").click().run()
    assert len(_scorecard(at).kpis) == 1
    at.button(key="kpi_delete_revenue").click().run()
    at.button(key="kpi_delete_yes_revenue").click().run()
    assert not _scorecard(at).kpis
    assert any("deleted" in s.value for s in at.success)


def test_the_draft_survives_language_and_page_switches() -> None:
    at = _app()
    at.text_input(key="kpi_name").input("Revenue per month").run()
    at.selectbox(key="kpi_column").select("Revenue").run()
    at.radio(key="kpi_direction").set_value("lower").run()
    at.number_input(key="kpi_target_value").set_value(1234.0).run()
    at.session_state["koers_lang"] = "nl"
    at.run()
    assert at.title[0].value == "KPI's"
    assert at.text_input(key="kpi_name").value == "Revenue per month"
    assert at.radio(key="kpi_direction").value == "lower"
    assert at.number_input(key="kpi_target_value").value == 1234.0
    at.switch_page("pages/start.py").run()
    at.switch_page("pages/kpis.py").run()
    assert at.text_input(key="kpi_name").value == "Revenue per month"
    assert at.selectbox(key="kpi_column").value == "Revenue"
    assert at.number_input(key="kpi_target_value").value == 1234.0
    draft = at.session_state["koers_kpi_draft"]
    assert (draft["name"], draft["direction"], draft["target_value"]) == (
        "Revenue per month",
        "lower",
        1234.0,
    )


def test_per_period_targets_are_prefilled_for_the_cadence() -> None:
    at = _app()
    at.selectbox(key="kpi_column").select("Revenue").run()
    at.selectbox(key="kpi_target_kind").select("per_period").run()
    assert not at.exception
    rows = at.session_state["koers_kpi_draft"]["tables"]["per_period"]["rows"]
    assert [r["period"] for r in rows][:3] == ["2026-03", "2026-04", "2026-05"]
    assert len(rows) == 12
    # the preview waits for at least one target
    assert any("at least one period" in i.value for i in at.info)
    at.selectbox(key="kpi_cadence").select("quarter").run()
    rows = at.session_state["koers_kpi_draft"]["tables"]["per_period"]["rows"]
    assert rows[0]["period"] == "2026-Q1"


def test_without_goals_the_page_points_to_the_goals_page() -> None:
    at = _app(_card(goals=False))
    assert at.info and "goal" in at.info[0].value
    assert not at.text_input


@pytest.mark.skipif(
    not (SAMPLE_DIR / "koers_sample_scorecard.json").exists(), reason="sample not generated"
)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_sample_kpi_previews_and_round_trips_unchanged(language: str) -> None:
    """Edit + save without changes gives the same KPI: the form loses nothing (formulas,
    filters, per-period, annual and column targets, segment targets, tolerances)."""
    from kpilogic.sample import SAMPLE_SCORECARD, SAMPLE_WORKBOOK

    card = Scorecard.from_json((SAMPLE_DIR / SAMPLE_SCORECARD).read_text(encoding="utf-8"))
    data = (SAMPLE_DIR / SAMPLE_WORKBOOK).read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = language
    at.session_state["koers_files"] = {SAMPLE_WORKBOOK: SourceFile(SAMPLE_WORKBOOK, data, "sample")}
    at.session_state["koers_scorecard"] = card
    at.run()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception
    for goal in card.goals:
        at.selectbox(key="kpi_goal").select(goal.id).run()
        for kpi in card.kpis_of(goal.id):
            at.button(key=f"kpi_edit_{kpi.id}").click().run()
            assert not at.exception, kpi.id
            assert at.text_input(key="kpi_name").value == kpi.name
            assert not at.warning and not at.error, (kpi.id, [w.value for w in at.warning])
            assert at.table, f"{kpi.id}: the preview shows recent periods"
            at.button(key="kpi_save").click().run()
    assert _scorecard(at) == card
