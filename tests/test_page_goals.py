"""AppTest of the Goals page: the wizard, edit, reorder, delete, and state kept."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Goal, Scorecard
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/goals.py").run()
    return at


def _add_goal(at: AppTest, title: str, owner: str, deadline: date) -> None:
    at.text_input(key="goal_title").input(title).run()
    at.button(key="goal_next").click().run()
    at.text_area(key="goal_why").input("Because it matters").run()
    at.selectbox(key="goal_perspective").select("customer").run()
    at.button(key="goal_next").click().run()
    at.text_input(key="goal_owner").input(owner).run()
    at.date_input(key="goal_deadline").set_value(deadline).run()
    at.button(key="goal_save").click().run()


def test_wizard_adds_a_goal() -> None:
    at = _app()
    assert not at.exception
    _add_goal(at, "Grow online revenue by 15% in 2026", "Sanne", date(2026, 12, 31))
    card: Scorecard = at.session_state["koers_scorecard"]
    (goal,) = card.goals
    assert goal.title == "Grow online revenue by 15% in 2026"
    assert goal.why == "Because it matters"
    assert goal.perspective == "customer"
    assert goal.owner == "Sanne"
    assert goal.deadline == date(2026, 12, 31)
    assert any("saved" in s.value for s in at.success)


def test_a_title_is_needed_before_next() -> None:
    at = _app()
    at.button(key="goal_next").click().run()
    assert at.error and "first" in at.error[0].value
    assert at.session_state["koers_goal_step"] == 1


def test_draft_survives_page_and_language_switch() -> None:
    at = _app()
    at.text_input(key="goal_title").input("Fewer returns in 2026").run()
    at.switch_page("pages/start.py").run()
    at.session_state["koers_lang"] = "nl"
    at.switch_page("pages/goals.py").run()
    assert at.text_input(key="goal_title").value == "Fewer returns in 2026"
    assert at.title[0].value == "Doelen"


def test_reorder_and_delete_with_confirmation() -> None:
    at = _app()
    _add_goal(at, "First goal with 10 things", "A", date(2026, 6, 30))
    _add_goal(at, "Second goal with 20 things", "B", date(2026, 9, 30))
    card: Scorecard = at.session_state["koers_scorecard"]
    first, second = (g.id for g in card.goals)
    at.button(key=f"goal_up_{second}").click().run()
    assert [g.id for g in at.session_state["koers_scorecard"].goals] == [second, first]
    at.button(key=f"goal_delete_{first}").click().run()
    assert len(at.session_state["koers_scorecard"].goals) == 2  # not before confirming
    at.button(key=f"goal_delete_yes_{first}").click().run()
    assert [g.id for g in at.session_state["koers_scorecard"].goals] == [second]


def test_edit_an_existing_goal() -> None:
    at = _app()
    _add_goal(at, "Keep customers happy in 2026", "C", date(2026, 12, 31))
    goal: Goal = at.session_state["koers_scorecard"].goals[0]
    at.button(key=f"goal_edit_{goal.id}").click().run()
    assert at.text_input(key="goal_title").value == "Keep customers happy in 2026"
    at.text_input(key="goal_title").input("Keep 90% of customers happy in 2026").run()
    at.button(key="goal_next").click().run()
    at.button(key="goal_next").click().run()
    at.button(key="goal_save").click().run()
    goals = at.session_state["koers_scorecard"].goals
    assert [g.title for g in goals] == ["Keep 90% of customers happy in 2026"]
    assert goals[0].id == goal.id


def test_goal_start_is_saved_and_a_start_after_the_deadline_is_refused_in_dutch() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = "nl"
    # Straight to the wizard's last step (AppTest formats a choice's label outside the
    # script run, in English, so the Dutch perspective step cannot be clicked through here).
    at.session_state["koers_goal_draft"] = {
        "title": "Omzet 2026 10% hoger",
        "why": "",
        "owner": "",
        "deadline": None,
        "start": None,
        "perspective": "financial",
    }
    at.session_state["koers_goal_step"] = 3
    at.run()
    at.switch_page("pages/goals.py").run()
    at.date_input(key="goal_deadline").set_value(date(2026, 12, 31)).run()
    at.date_input(key="goal_start").set_value(date(2027, 1, 1)).run()
    at.button(key="goal_save").click().run()
    assert not at.exception
    # Refused in the user's language with both dates in Dutch notation; the draft stays.
    assert any(
        "De startdatum (01-01-2027) moet vóór de deadline (31-12-2026) liggen" in e.value
        for e in at.error
    )
    card: Scorecard | None = at.session_state["koers_scorecard"]
    assert card is None or not card.goals
    at.date_input(key="goal_start").set_value(date(2026, 4, 1)).run()
    at.button(key="goal_save").click().run()
    card = at.session_state["koers_scorecard"]
    assert card is not None
    (goal,) = card.goals
    assert (goal.title, goal.start, goal.deadline) == (
        "Omzet 2026 10% hoger",
        date(2026, 4, 1),
        date(2026, 12, 31),
    )
