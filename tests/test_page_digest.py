"""Issue 18: the owner chooses on the Download page who receives the digest and when; the
plan is kept in the workspace (a real SQLite store) where ``koers scheduler`` reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.workspace.store import Store, default_db_path
from tests.conftest import ROOT
from tests.test_digest import FILE, _card, _workbook
from ui.text import plain_md

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _download_page(ws: str, lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["ws"] = ws
    at.session_state["koers_lang"] = lang
    at.run()
    at.switch_page("pages/download.py").run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.markdown, *at.caption, *at.error, *at.success]]
    return "\n".join(str(p) for p in parts)


def test_the_owner_adds_removes_and_schedules_recipients_in_dutch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_HOME", str(tmp_path))
    monkeypatch.delenv("KOERS_DB", raising=False)
    db = Store(default_db_path())
    ws = db.create_workspace("Winkel Oost", _card(), "nl").id
    db.save_file(ws, FILE, _workbook())
    at = _download_page(ws, "nl")
    assert "Nog niemand krijgt de digest." in _texts(at)

    # A typo is refused with what to do; nothing is saved.
    at.text_input(key="digest_email").input("jan(at)winkel.nl")
    at.button(key="FormSubmitter:digest_add-Ontvanger toevoegen").click().run()
    assert plain_md("‘jan(at)winkel.nl’ is geen e-mailadres") in _texts(at)
    assert "digest" not in db.get_settings(ws)

    at.text_input(key="digest_email").input("jan@winkel.nl")
    at.selectbox(key="digest_owner").select("Jan de Wit")
    at.button(key="FormSubmitter:digest_add-Ontvanger toevoegen").click().run()
    assert not at.exception
    plan = db.get_settings(ws)["digest"]
    assert plan["recipients"] == [{"email": "jan@winkel.nl", "lang": "nl", "owner": "Jan de Wit"}]
    assert plain_md("jan@winkel.nl krijgt voortaan de digest.") in _texts(at)
    assert plain_md("jan@winkel.nl · Nederlands · herinneringen voor Jan de Wit") in _texts(at)

    at.text_input(key="digest_email").input("JAN@winkel.nl")
    at.button(key="FormSubmitter:digest_add-Ontvanger toevoegen").click().run()
    assert plain_md("JAN@winkel.nl krijgt de digest al.") in _texts(at)

    at.radio(key="digest_every").set_value("week")
    at.selectbox(key="digest_weekday").set_value(2)
    at.button(key="FormSubmitter:digest_when-Instellingen van de digest bewaren").click().run()
    plan = db.get_settings(ws)["digest"]
    assert (plan["every"], plan["weekday"]) == ("week", 2)
    assert "woensdag" in list(at.selectbox(key="digest_weekday").options)

    # Switching the language saves the settings: the plan stays (they are merged).
    at.segmented_control(key="lang_widget").set_value("en").run()
    assert db.get_settings(ws)["digest"]["recipients"][0]["email"] == "jan@winkel.nl"
    assert db.get_settings(ws)["lang"] == "en"
    at.segmented_control(key="lang_widget").set_value("nl").run()

    at.button(key="digest_remove_0").click().run()
    assert db.get_settings(ws)["digest"]["recipients"] == []
    assert plain_md("jan@winkel.nl krijgt de digest niet meer.") in _texts(at)


def test_the_panel_asks_to_save_an_unsaved_scorecard_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_HOME", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "en"
    at.run()
    at.button(key="start_sample").click().run()
    at.switch_page("pages/download.py").run()
    assert not at.exception
    assert "Save the scorecard as a workspace first" in _texts(at)
