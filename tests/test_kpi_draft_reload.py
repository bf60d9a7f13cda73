"""AppTest of the KPI draft kept in the store (a real SQLite file under KOERS_HOME): a
half-written KPI comes back in a new session on the same home (a reload, a restart) with a
notice in the user's language; saving or discarding forgets it; a KPI saved or deleted
meanwhile, or a dataset gone, is said; a draft nobody changed is not kept."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Dataset, Goal, Scorecard
from kpilogic.workspace.access import LOCAL_USER
from kpilogic.workspace.store import BUSY_TIMEOUT_S, Store, default_db_location, draft_setting
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

FILE = "shop.xlsx"
KEY = draft_setting("kpi", LOCAL_USER)


def _workbook() -> bytes:
    """Orders from January 2025 to March 2026: two channels, revenue and returns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["Date", "Channel", "Revenue", "Returns"])
    for month in range(15):
        year, m = 2025 + month // 12, month % 12 + 1
        ws.append([datetime(year, m, 3), "Web", 400.0 + 10 * month, 2])
        ws.append([datetime(year, m, 14), "Shop", 300.0, 1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _kpi(**kw: Any) -> KPI:
    fields: dict[str, Any] = {
        "id": "returns",
        "goal_id": "grow",
        "name": "Returns",
        "dataset_id": "orders",
        "measure": {"aggregation": "sum", "column": "Returns"},
        "unit": "count",
        "direction": "lower",
        "target": {"kind": "constant", "value": 5.0},
    }
    fields.update(kw)
    return KPI.model_validate(fields)


def _card(kpis: list[KPI] | None = None) -> Scorecard:
    return Scorecard(
        name="Shop 2026",
        datasets=[
            Dataset(id="orders", name="Orders", source=FILE, sheet="Orders", date_column="Date")
        ],
        goals=[
            Goal(id="grow", title="Grow online revenue"),
            Goal(id="keep", title="Keep customers"),
        ],
        kpis=kpis or [],
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A KOERS_HOME of the test's own: the store is a fresh SQLite file in it."""
    monkeypatch.setenv("KOERS_HOME", str(tmp_path))
    monkeypatch.delenv("KOERS_DB", raising=False)
    return tmp_path


def _workspace(card: Scorecard | None = None) -> str:
    store = Store(default_db_location())
    ws = store.create_workspace("Shop 2026", card or _card())
    store.save_file(ws.id, FILE, _workbook())
    return ws.id


def _session(ws: str, lang: str = "en") -> AppTest:
    """A new browser session (a reload) opening the workspace's KPI page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["ws"] = ws
    at.session_state["koers_lang"] = lang
    at.run()
    at.switch_page("pages/kpis.py").run()
    assert not at.exception, at.exception
    return at


def _stored(ws: str) -> dict[str, Any] | None:
    value = Store(default_db_location()).get_settings(ws).get(KEY)
    return value if isinstance(value, dict) else None


def _texts(at: AppTest) -> list[str]:
    return [e.value for e in (*at.info, *at.warning, *at.success)]


NOTICE = {
    "en": "Your unsaved KPI 'Web revenue' is back, as you left it.",
    "nl": "Je niet-opgeslagen KPI 'Web revenue' is terug, zoals je hem achterliet.",
}
DISCARD = {"en": "Discard this draft", "nl": "Concept weggooien"}
SAVED = {"en": "The KPI 'Web revenue' is saved.", "nl": "De KPI 'Web revenue' is opgeslagen."}


def _fill(at: AppTest) -> None:
    """Part of a KPI: name, why, column, unit, cadence, direction, target, tolerance, a filter,
    owner; the action is left empty."""
    at.text_input(key="kpi_name").input("Web revenue").run()
    at.text_area(key="kpi_why").input("Online sales are the goal").run()
    at.selectbox(key="kpi_column").select("Revenue").run()
    at.selectbox(key="kpi_unit").select("currency").run()
    at.selectbox(key="kpi_cadence").select("quarter").run()
    at.radio(key="kpi_direction").set_value("higher").run()
    at.number_input(key="kpi_target_value").set_value(1250.5).run()
    at.radio(key="kpi_tol_kind").set_value("absolute").run()
    at.number_input(key="kpi_tol_value").set_value(40.0).run()
    at.button(key="kpi_filter_add").click().run()
    at.selectbox(key="kpi_filter_col_0").select("Channel").run()
    at.selectbox(key="kpi_filter_op_0").select("in").run()
    at.multiselect(key="kpi_filter_multi_0").select("Web").run()
    at.text_input(key="kpi_owner").input("Sanne").run()
    assert not at.exception, at.exception


def _assert_filled(at: AppTest) -> None:
    """Every field ``_fill`` typed is back in the widgets."""
    assert at.text_input(key="kpi_name").value == "Web revenue"
    assert at.text_area(key="kpi_why").value == "Online sales are the goal"
    assert at.selectbox(key="kpi_column").value == "Revenue"
    assert at.selectbox(key="kpi_unit").value == "currency"
    assert at.selectbox(key="kpi_cadence").value == "quarter"
    assert at.radio(key="kpi_direction").value == "higher"
    assert at.number_input(key="kpi_target_value").value == 1250.5
    assert at.radio(key="kpi_tol_kind").value == "absolute"
    assert at.number_input(key="kpi_tol_value").value == 40.0
    assert at.selectbox(key="kpi_filter_col_0").value == "Channel"
    assert at.selectbox(key="kpi_filter_op_0").value == "in"
    assert at.multiselect(key="kpi_filter_multi_0").value == ["Web"]
    assert at.text_input(key="kpi_owner").value == "Sanne"
    assert at.text_area(key="kpi_action").value == ""


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_half_written_kpi_comes_back_after_a_reload_and_saving_forgets_it(
    home: Path, lang: str
) -> None:
    ws = _workspace()
    first = _session(ws, lang)
    first.run()
    assert _stored(ws) is None  # an untouched form keeps nothing, also after a rerun
    first.selectbox(key="kpi_goal").select("keep").run()
    _fill(first)
    kept = _stored(ws)
    assert kept is not None and kept["draft"]["name"] == "Web revenue"
    assert kept["goal"] == "keep"

    # A reload: a new session on the same home (and a new Store object: as after a restart).
    second = _session(ws, lang)
    _assert_filled(second)
    assert second.selectbox(key="kpi_goal").value == "keep"  # the goal it was written for
    assert NOTICE[lang] in _texts(second)
    assert [b.label for b in second.button if b.key == "kpi_draft_discard"] == [DISCARD[lang]]
    assert second.session_state["koers_kpi_draft"] == first.session_state["koers_kpi_draft"]

    second.text_area(key="kpi_action").input("Extra campaign").run()
    second.button(key="kpi_save").click().run()
    assert not second.exception
    assert SAVED[lang] in _texts(second)
    (kpi,) = Store(default_db_location()).load_scorecard(ws).kpis
    assert (kpi.name, kpi.goal_id, kpi.cadence, kpi.owner) == (
        "Web revenue",
        "keep",
        "quarter",
        "Sanne",
    )
    assert kpi.target is not None and kpi.target.value == 1250.5
    assert [(f.column, f.op, f.value) for f in kpi.filters] == [("Channel", "in", ["Web"])]
    assert _stored(ws) is None  # saved: the draft is gone from the store
    third = _session(ws, lang)
    assert third.text_input(key="kpi_name").value == ""
    assert not any(NOTICE[lang] in text for text in _texts(third))


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_discarding_the_draft_forgets_it(home: Path, lang: str) -> None:
    ws = _workspace()
    first = _session(ws, lang)
    first.text_input(key="kpi_name").input("Web revenue").run()
    assert _stored(ws) is not None
    second = _session(ws, lang)
    assert second.text_input(key="kpi_name").value == "Web revenue"
    second.button(key="kpi_draft_discard").click().run()
    assert not second.exception
    assert _stored(ws) is None
    assert second.text_input(key="kpi_name").value == ""
    discarded = {
        "en": "Your unsaved KPI is discarded.",
        "nl": "Je niet-opgeslagen KPI is weggegooid.",
    }
    assert discarded[lang] in _texts(second)
    assert not [b for b in second.button if b.key == "kpi_draft_discard"]
    assert _session(ws, lang).text_input(key="kpi_name").value == ""


def test_starting_over_forgets_the_draft_and_an_unchanged_rerun_writes_nothing(home: Path) -> None:
    ws = _workspace()
    at = _session(ws)
    at.text_input(key="kpi_name").input("Web revenue").run()
    assert _stored(ws) is not None
    # Someone (another tab) writes another draft under the same key: a rerun of this session
    # without a change must not write again (it writes only when its own JSON changed).
    other = {"draft": {"format": 1, "dataset_id": "orders", "name": "Other tab"}}
    Store(default_db_location()).save_draft(ws, "kpi", other)
    at.run()
    assert _stored(ws) == other
    at.text_input(key="kpi_owner").input("Sanne").run()  # a change: written again
    stored = _stored(ws)
    assert stored is not None and stored["draft"]["owner"] == "Sanne"
    at.button(key="kpi_cancel").click().run()  # "Start over": a new empty draft
    assert not at.exception
    assert at.text_input(key="kpi_name").value == ""
    assert _stored(ws) is None


def test_a_kpi_saved_by_someone_else_meanwhile_is_said(home: Path) -> None:
    ws = _workspace(_card([_kpi()]))
    first = _session(ws)
    first.button(key="kpi_edit_returns").click().run()
    assert _stored(ws) is None  # opened for editing, nothing changed yet: nothing kept
    first.number_input(key="kpi_target_value").set_value(4.0).run()
    kept = _stored(ws)
    assert kept is not None and kept["draft"]["id"] == "returns"
    # Someone else saves the KPI with another owner.
    store = Store(default_db_location())
    card, version = store.load_latest(ws)
    changed = card.model_copy(update={"kpis": [_kpi(owner="Bram")]})
    store.save_scorecard(ws, Scorecard.model_validate(changed.model_dump()), based_on=version)

    second = _session(ws, "nl")
    assert second.number_input(key="kpi_target_value").value == 4.0
    warned = " ".join(w.value for w in second.warning)
    assert "Je niet-opgeslagen KPI 'Returns' is terug" in warned
    assert "De KPI 'Returns' is opnieuw opgeslagen (door iemand anders" in warned
    assert "vervang je die wijzigingen" in warned
    # Still editing that KPI: the form says so, and saving replaces it (after the warning).
    assert second.text_input(key="kpi_owner").value == ""


def test_a_kpi_deleted_meanwhile_comes_back_as_new_and_is_said(home: Path) -> None:
    ws = _workspace(_card([_kpi()]))
    first = _session(ws)
    first.button(key="kpi_edit_returns").click().run()
    first.text_input(key="kpi_name").input("Returns per quarter").run()
    store = Store(default_db_location())
    card, version = store.load_latest(ws)
    store.save_scorecard(ws, card.model_copy(update={"kpis": []}), based_on=version)

    second = _session(ws)
    warned = " ".join(w.value for w in second.warning)
    assert "The KPI 'Returns per quarter' you were editing was deleted meanwhile." in warned
    assert second.text_input(key="kpi_name").value == "Returns per quarter"
    second.button(key="kpi_save").click().run()
    (kpi,) = Store(default_db_location()).load_scorecard(ws).kpis
    assert kpi.name == "Returns per quarter" and kpi.target is not None and kpi.target.value == 5.0
    assert _stored(ws) is None


def test_a_draft_whose_dataset_is_gone_is_said_and_the_field_offers_the_others(
    home: Path,
) -> None:
    ws = _workspace()
    draft = {
        "format": 1,
        "dataset_id": "returns_2025",
        "name": "Old returns",
        "column": "Returns",
    }
    store = Store(default_db_location())
    store.save_draft(ws, "kpi", {"draft": draft, "goal": "gone", "dataset_name": "Returns 2025"})
    at = _session(ws)
    warned = " ".join(w.value for w in at.warning)
    assert "The dataset 'Returns 2025' it used is no longer there" in warned
    assert at.text_input(key="kpi_name").value == "Old returns"
    assert at.selectbox(key="kpi_dataset").value == "orders"  # the one there is, to check
    assert at.selectbox(key="kpi_goal").value == "grow"  # the goal is gone too: the first


def test_a_draft_that_cannot_be_read_is_said_and_dropped(home: Path) -> None:
    ws = _workspace()
    Store(default_db_location()).save_draft(ws, "kpi", {"draft": {"format": 1, "name": 5}})
    at = _session(ws, "nl")
    assert any("kon niet worden teruggelezen" in w.value for w in at.warning)
    assert at.text_input(key="kpi_name").value == ""
    assert _stored(ws) is None


def test_a_draft_of_the_same_name_as_a_kpi_saved_meanwhile_is_said(home: Path) -> None:
    ws = _workspace(_card([_kpi()]))
    at = _session(ws)
    at.text_input(key="kpi_name").input("returns ").run()
    assert json.dumps(_stored(ws))  # kept
    again = _session(ws)
    warned = " ".join(w.value for w in again.warning)
    assert "A KPI named 'returns' exists already" in warned


def test_a_draft_on_the_sample_makes_it_the_users_workspace_and_is_kept(home: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["sample"] = "1"
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.switch_page("pages/kpis.py").run()
    assert at.session_state["koers_workspace"] is None  # the sample, not saved yet
    at.run()
    assert at.session_state["koers_workspace"] is None  # opening the form changes nothing
    at.text_input(key="kpi_name").input("Retouren web").run()
    assert not at.exception
    ws = at.session_state["koers_workspace"]
    assert ws  # the first change made the sample the user's own
    stored = _stored(ws)
    assert stored is not None and stored["draft"]["name"] == "Retouren web"
    again = _session(ws, "nl")
    assert again.text_input(key="kpi_name").value == "Retouren web"
    assert any("Je niet-opgeslagen KPI 'Retouren web' is terug" in i.value for i in again.info)


def test_continuing_closes_the_notice_and_keeps_the_draft(home: Path) -> None:
    ws = _workspace()
    _session(ws).text_input(key="kpi_name").input("Web revenue").run()
    at = _session(ws)
    assert NOTICE["en"] in _texts(at)
    at.button(key="kpi_draft_keep").click().run()
    assert NOTICE["en"] not in _texts(at)
    assert at.text_input(key="kpi_name").value == "Web revenue"
    stored = _stored(ws)
    assert stored is not None and stored["draft"]["name"] == "Web revenue"


def test_a_draft_too_large_to_keep_is_said_and_the_older_one_forgotten(home: Path) -> None:
    ws = _workspace()
    at = _session(ws)
    at.text_input(key="kpi_name").input("Web revenue").run()
    assert _stored(ws) is not None
    # 250 000 characters in a field of a later target kind: over the 200 KB limit.
    at.session_state["koers_kpi_draft"].extra["note"] = "x" * 250_000
    at.run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    # 250 000 x's and the rest of the draft: 251 KB rounded up (the rest is under 1 KB)
    assert "This unsaved KPI is too large to keep for a reload (251 KB; at most 200 KB)" in warned
    # the older, smaller draft is not what the user left: a reload must not bring it back
    assert _stored(ws) is None
    assert at.text_input(key="kpi_name").value == "Web revenue"  # the session keeps it


def test_a_per_period_target_table_comes_back_as_it_was(home: Path) -> None:
    per_period = {"2026-01": 4.0, "2026-02": 3.5, "2026-03": 3.0}
    ws = _workspace(_card([_kpi(target={"kind": "per_period", "per_period": per_period})]))
    first = _session(ws)
    first.button(key="kpi_edit_returns").click().run()
    first.text_input(key="kpi_owner").input("Daan").run()
    tables = first.session_state["koers_kpi_draft"].tables
    assert tables["per_period"]["rows"][:3] == [
        {"period": "2026-01", "target": 4.0},
        {"period": "2026-02", "target": 3.5},
        {"period": "2026-03", "target": 3.0},
    ]
    second = _session(ws)
    assert second.session_state["koers_kpi_draft"] == first.session_state["koers_kpi_draft"]
    assert second.text_input(key="kpi_owner").value == "Daan"
    second.button(key="kpi_save").click().run()
    assert not second.exception
    (kpi,) = Store(default_db_location()).load_scorecard(ws).kpis
    assert kpi.owner == "Daan"
    assert kpi.target is not None and kpi.target.per_period == per_period


def test_a_save_the_store_refuses_keeps_the_draft_and_says_nothing_was_saved(home: Path) -> None:
    ws = _workspace()
    at = _session(ws)
    _fill(at)
    # Another process holds the database's write lock for longer than the store waits
    # (BUSY_TIMEOUT_S): the save is refused as busy, then the lock is let go.
    db = sqlite3.connect(default_db_location(), isolation_level=None, check_same_thread=False)
    db.execute("BEGIN IMMEDIATE")
    release = threading.Timer(BUSY_TIMEOUT_S + 1, db.rollback)
    release.start()
    try:
        at.button(key="kpi_save").click().run()
    finally:
        release.join()
        db.close()
    assert not at.exception, at.exception
    assert [e.value for e in at.error if "busy" in e.value], [e.value for e in at.error]
    assert not [s.value for s in at.success if "saved" in s.value], "a refused save said saved"
    assert at.text_input(key="kpi_name").value == "Web revenue"  # the form stays
    assert Store(default_db_location()).load_scorecard(ws).kpis == []
    at.run()  # the next run keeps the draft (the lock is free again)
    assert _stored(ws) is not None and _stored(ws)["draft"]["name"] == "Web revenue"
    _assert_filled(_session(ws))  # a reload brings the typed KPI back


@pytest.mark.parametrize("action", ["kpi_edit_returns", "kpi_cancel"])
def test_another_tab_leaves_the_draft_it_did_not_write(home: Path, action: str) -> None:
    ws = _workspace(_card([_kpi()]))
    first = _session(ws)
    first.text_input(key="kpi_name").input("Web revenue").run()
    first.text_input(key="kpi_owner").input("Sanne").run()
    assert _stored(ws)["draft"]["name"] == "Web revenue"
    # A second tab opens the KPI page (the draft is shown there too) and edits another KPI
    # or clears the form: the first tab's draft stays kept.
    second = _session(ws)
    second.button(key=action).click().run()
    assert not second.exception, second.exception
    assert _stored(ws) is not None and _stored(ws)["draft"]["name"] == "Web revenue"
    assert _session(ws).text_input(key="kpi_name").value == "Web revenue"  # the first reloads
