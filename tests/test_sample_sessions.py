"""AppTest: the sample opens without piling up copies, and becomes the user's at a change."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.workspace.store import Store
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "own.sqlite3"
    monkeypatch.setenv("KOERS_DB", str(path))
    return path


def _session(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = lang
    return at.run()


def _workspaces(path: Path) -> list[str]:
    return [ws.name for ws in Store(path).list_workspaces()]


def test_first_visit_offers_two_ways_in_and_nothing_else(db_path: Path) -> None:
    at = _session()
    assert [b.key for b in at.button] == ["start_sample", "start_upload"]
    labels = [h.value for h in at.subheader]
    assert labels == ["Try the sample", "Use your own data"]
    # No guide, no versions, no list on a first visit; opening a scorecard file is one way of
    # using your own data, inside that card.
    assert [e.label for e in at.expander] == ["Open a scorecard file"]


def test_opening_the_sample_in_three_sessions_stores_nothing(db_path: Path) -> None:
    for lang in ("en", "nl", "en"):
        at = _session(lang)
        at.button(key="start_sample").click().run()
        assert not at.exception
        at.switch_page("pages/start.py").run()
        assert at.button(key="start_sample_mine")  # shown, not yet saved
    assert _workspaces(db_path) == []


def test_the_sample_with_koers_sample_set_stores_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_SAMPLE", "1")
    for _ in range(3):
        at = _session("nl")
        assert at.session_state["koers_scorecard"].name == "De Ketting 2026"
    assert _workspaces(db_path) == []


def test_a_change_to_the_sample_makes_exactly_one_workspace_with_its_file(
    db_path: Path,
) -> None:
    at = _session()
    at.button(key="start_sample").click().run()
    at.switch_page("pages/goals.py").run()
    first = at.session_state["koers_scorecard"].goals[0]
    at.button(key=f"goal_delete_{first.id}").click().run()
    at.button(key=f"goal_delete_yes_{first.id}").click().run()
    assert not at.exception
    store = Store(db_path)
    [ws] = store.list_workspaces()
    assert ws.name == "De Ketting 2026"
    assert [f.name for f in store.list_files(ws.id)] == ["koers_sample.xlsx"]
    saved = store.load_scorecard(ws.id)
    assert first.id not in [g.id for g in saved.goals]
    assert len(saved.goals) == 4  # five in the sample, one deleted
    # A second change saves into the same workspace.
    second = saved.goals[0]
    at.button(key=f"goal_delete_{second.id}").click().run()
    at.button(key=f"goal_delete_yes_{second.id}").click().run()
    assert len(store.list_workspaces()) == 1
    assert len(store.load_scorecard(ws.id).goals) == 3


def test_make_it_mine(db_path: Path) -> None:
    at = _session("nl")
    at.button(key="start_sample").click().run()
    at.switch_page("pages/start.py").run()
    at.button(key="start_sample_mine").click().run()
    assert not at.exception
    [ws] = Store(db_path).list_workspaces()
    assert at.session_state["koers_workspace"] == ws.id
    assert ws.name == "De Ketting 2026"
    assert "start_sample_mine" not in [b.key for b in at.button]
    assert "start_continue" in [b.key for b in at.button]


def test_the_dutch_sample_is_in_dutch(db_path: Path) -> None:
    at = _session("nl")
    at.button(key="start_sample").click().run()
    card = at.session_state["koers_scorecard"]
    assert card.goals[0].title == "Webshopomzet 18% hoger in 2026"
    assert card.datasets[0].name == "Bestellingen"
    assert card.kpis[0].action.startswith("Nieuwsbriefactie")
    # Switching the language while the sample is open shows the English sample.
    at.button_group(key="lang_widget").set_value("en").run()
    card = at.session_state["koers_scorecard"]
    assert card.goals[0].title == "Grow web shop revenue 18% in 2026"
    assert Store(db_path).list_workspaces() == []
