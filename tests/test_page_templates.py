"""AppTest of KPI templates and the three-pillar checklist in the UI: pick a template on the
sample data, its role columns are guessed, "Use this template" fills the draft, Save gives a
KPI that evaluates; the checklist follows the draft; the dashboard and the goals page show
the checks too."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Scorecard
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _kpis_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = lang
    at.run()
    at.button(key="start_sample").click().run()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _checklist_line(at: AppTest, label: str) -> str:
    for block in at.markdown:
        for line in block.value.splitlines():
            if label in line and ("✅" in line or "❌" in line):
                return line
    raise AssertionError(f"no checklist line {label!r}")


def test_template_fills_the_draft_and_saves_a_kpi_that_evaluates() -> None:
    at = _kpis_page()
    at.selectbox(key="kpi_tpl_category").select("finance").run()
    at.selectbox(key="kpi_tpl_template").select("gross_margin_pct").run()
    assert not at.exception, at.exception
    # what it measures and why it matters are shown; only its roles are asked for
    assert "What it measures:" in _markdown(at)
    roles = [s for s in at.selectbox if str(s.key).startswith("kpi_tpl_role_")]
    assert [s.key for s in roles] == ["kpi_tpl_role_revenue", "kpi_tpl_role_cost"]
    assert at.selectbox(key="kpi_tpl_role_revenue").value == "Revenue"
    assert at.selectbox(key="kpi_tpl_role_cost").value == "Cost"
    assert [s.label for s in roles] == ["Revenue", "Cost of sales"]  # translated role labels

    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert any("filled in the form" in s.value for s in at.success)
    assert at.text_input(key="kpi_name").value == "Gross margin %"
    assert at.text_area(key="kpi_why").value  # why it matters, from the template
    assert at.radio(key="kpi_mode").value == "formula"
    assert at.text_input(key="kpi_formula").value == (
        "(sum([Revenue]) - sum([Cost])) / sum([Revenue]) * 100"
    )
    assert at.selectbox(key="kpi_unit").value == "percent"
    assert at.radio(key="kpi_tol_kind").value == "absolute"
    assert at.number_input(key="kpi_tol_value").value == 2.0
    # the preview evaluates the draft
    assert at.table, "the preview shows recent periods"
    assert not at.warning

    # the pillar checklist: no owner yet
    assert "❌" in _checklist_line(at, "Owner named")
    assert "❌" in _checklist_line(at, "Target set")
    assert "✅" in _checklist_line(at, "Reason stated")
    at.text_input(key="kpi_owner").input("Joost").run()
    at.number_input(key="kpi_target_value").set_value(38.0).run()
    assert "✅" in _checklist_line(at, "Owner named")
    assert "✅" in _checklist_line(at, "Target set")

    at.button(key="kpi_save").click().run()
    assert not at.exception, at.exception
    card = at.session_state["koers_scorecard"]
    assert isinstance(card, Scorecard)
    saved = card.kpis[-1]  # the sample has a gross margin KPI of its own; ours is new
    assert saved.name == "Gross margin %" and saved.id != "gross-margin"
    assert saved.owner == "Joost" and saved.target is not None and saved.target.value == 38.0
    assert saved.measure.formula and saved.dataset_id == "orders"

    # it evaluates: the dashboard shows it, with its pillars expander
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    assert sum(m.label.startswith("Gross margin %") for m in at.metric) == 2
    pillars = [e for e in at.expander if e.label.startswith("Usable? · ")]
    assert len(pillars) == len(card.kpis)


def test_a_role_without_a_column_is_explained() -> None:
    at = _kpis_page()
    at.selectbox(key="kpi_tpl_template").select("absenteeism").run()
    assert at.selectbox(key="kpi_tpl_role_sick_hours").value == ""
    assert any("choose the one that holds it" in c.value for c in at.caption)
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception
    assert at.error, "using the template without its columns says what is missing"
    assert at.text_input(key="kpi_name").value == ""


def test_template_picker_and_checklist_in_dutch() -> None:
    at = _kpis_page("nl")
    at.selectbox(key="kpi_tpl_template").select("revenue").run()
    assert at.selectbox(key="kpi_tpl_role_revenue").value == "Revenue"
    assert "Wat het meet:" in _markdown(at)
    at.button(key="kpi_tpl_use").click().run()
    assert not at.exception, at.exception
    assert "❌" in _checklist_line(at, "Eigenaar benoemd")
    assert "Relevant — laat hij de voortgang op het doel zien?" in _markdown(at)


def test_goals_page_shows_the_goal_checklist() -> None:
    at = _kpis_page()
    at.switch_page("pages/goals.py").run()
    assert not at.exception, at.exception
    # The sample's goals are complete: plain words, no "Specific 3/3" scores.
    lines = [c.value for c in at.caption if c.value.startswith("✅ Goal well written")]
    assert len(lines) == len(at.session_state["koers_scorecard"].goals)
    assert not [c.value for c in at.caption if "3/3" in c.value or "1/2" in c.value]
