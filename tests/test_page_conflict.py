"""Two AppTest sessions on one scorecard (issue 13, "no edit lost silently"): the second
save is refused with the conflict message, nothing is lost, and the form keeps the text."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.store import Store, default_db_location
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches", "app_store_backend")


def _session(ws: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if ws is not None:
        at.query_params["ws"] = ws
    at.session_state["koers_lang"] = "en"
    at.run()
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    return at


def _write_goal(at: AppTest, title: str, owner: str) -> None:
    at.text_input(key="goal_title").input(title).run()
    at.button(key="goal_next").click().run()
    at.text_area(key="goal_why").input(f"Why: {title}").run()
    at.selectbox(key="goal_perspective").select("customer").run()
    at.button(key="goal_next").click().run()
    at.text_input(key="goal_owner").input(owner).run()
    at.date_input(key="goal_deadline").set_value(date(2026, 12, 31)).run()


def _stored_goals(ws: str) -> list[str]:
    return [g.title for g in Store(default_db_location()).load_scorecard(ws).goals]


@pytest.mark.parametrize(
    ("lang", "message", "reload", "reloaded"),
    [
        (
            "en",
            "Someone else changed this scorecard",
            "Reload the scorecard",
            "The latest scorecard is loaded",
        ),
        (
            "nl",
            "Iemand anders heeft deze scorecard gewijzigd",
            "Scorecard opnieuw laden",
            "De nieuwste scorecard is geladen",
        ),
    ],
)
def test_the_second_save_is_refused_and_the_typed_goal_is_kept(
    lang: str, message: str, reload: str, reloaded: str
) -> None:
    first = _session()
    ws = first.session_state["koers_workspace"]
    assert ws and first.session_state["koers_version"] == 1
    second = _session(ws)
    assert second.session_state["koers_workspace"] == ws
    assert second.session_state["koers_version"] == 1

    # Both write a goal; the first saves first.
    _write_goal(first, "Grow online revenue", "Anna")
    _write_goal(second, "Fewer returns", "Bram")
    # The second user reads Dutch or English (switched on the last step of the wizard:
    # AppTest cannot read back a selectbox with translated labels).
    second.session_state["koers_lang"] = lang
    first.button(key="goal_save").click().run()
    assert _stored_goals(ws) == ["Grow online revenue"]
    assert first.session_state["koers_version"] == 2

    second.button(key="goal_save").click().run()
    assert not second.exception
    # Refused, with the message in the user's language and a reload button.
    assert any(message in e.value for e in second.error)
    assert [b.label for b in second.button if b.key.startswith("koers_conflict_reload")] == [reload]
    assert not second.success  # no "saved" message for a save that did not happen
    # Nothing lost: the first goal is still stored, the second is still in the form.
    assert _stored_goals(ws) == ["Grow online revenue"]
    draft = second.session_state["koers_goal_draft"]
    assert (draft["title"], draft["why"], draft["owner"]) == (
        "Fewer returns",
        "Why: Fewer returns",
        "Bram",
    )
    assert second.text_input(key="goal_owner").value == "Bram"
    assert second.session_state["koers_goal_step"] == 3
    card: Scorecard = second.session_state["koers_scorecard"]
    assert card.goals == []  # the session still shows what it had; nothing overwritten

    # Another try before reloading is refused again, still without losing anything.
    second.button(key="goal_save").click().run()
    assert any(message in e.value for e in second.error)
    assert _stored_goals(ws) == ["Grow online revenue"]

    # Reload: the first goal arrives, the typed goal stays in the form; saving adds it.
    reload_button = next(b for b in second.button if b.key.startswith("koers_conflict_reload"))
    reload_button.click().run()
    assert not second.exception
    assert not any(message in e.value for e in second.error)
    assert [g.title for g in second.session_state["koers_scorecard"].goals] == [
        "Grow online revenue"
    ]
    assert second.session_state["koers_version"] == 2
    assert second.session_state["koers_lang"] == lang  # still the user's own language
    assert any(reloaded in s.value for s in second.success)
    assert second.text_input(key="goal_owner").value == "Bram"
    second.button(key="goal_save").click().run()
    assert _stored_goals(ws) == ["Grow online revenue", "Fewer returns"]
    assert second.session_state["koers_version"] == 3
    assert any("Fewer returns" in s.value for s in second.success)

    # The first session, now behind, is refused in its turn rather than undoing the second.
    first.text_input(key="goals_card_name").input("Webshop").run()
    assert any("Someone else changed this scorecard" in e.value for e in first.error)
    assert _stored_goals(ws) == ["Grow online revenue", "Fewer returns"]
    assert Store(default_db_location()).load_scorecard(ws).name != "Webshop"


def _saving_page() -> None:
    """What every page does: change the scorecard, save, then go on as if saved."""
    import streamlit as st

    from ui.session import bootstrap, scorecard, set_scorecard
    from ui.widgets import notice

    bootstrap()
    notice()
    card = scorecard()
    assert card is not None
    if st.button("Save", key="save"):
        set_scorecard(card.model_copy(update={"name": "Changed here"}))
        st.session_state["page_went_on"] = True  # e.g. clearing its form
        st.success("Saved")


def test_a_refused_save_stops_any_page_before_it_goes_on_as_if_saved() -> None:
    db = Store(default_db_location())
    ws = db.create_workspace("Shared", Scorecard(name="Shared"))
    at = AppTest.from_function(_saving_page, default_timeout=60)
    at.query_params["ws"] = ws.id
    at.run()
    assert not at.exception and at.session_state["koers_version"] == 1
    # Someone else saves version 2 meanwhile.
    db.save_scorecard(ws.id, Scorecard(name="Changed elsewhere"), based_on=1)
    at.button(key="save").click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert at.error[0].value.startswith("Someone else changed this scorecard")
    assert not at.success
    assert "page_went_on" not in at.session_state
    assert db.load_scorecard(ws.id).name == "Changed elsewhere"
    assert at.session_state["koers_scorecard"].name == "Shared"  # the session's, untouched
    # The next run (any page) still shows it, once, with one reload button.
    at.run()
    assert len(at.error) == 1
    (reload,) = [b for b in at.button if b.key.startswith("koers_conflict_reload")]
    reload.click().run()
    assert not at.error
    assert at.session_state["koers_scorecard"].name == "Changed elsewhere"
    assert at.session_state["koers_version"] == 2
    assert any("latest scorecard is loaded" in s.value for s in at.success)
    at.button(key="save").click().run()
    assert at.session_state["page_went_on"] is True
    assert db.load_latest(ws.id) == (Scorecard(name="Changed here"), 3)
