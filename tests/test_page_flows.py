"""AppTest of the flows of issue 15: "Upload your own file" from a workspace opened by its
address (``?ws=``) uploads into that workspace; a same-name re-upload replaces the file (one
entry, the uploader emptied); the Data page names column types in the user's language."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.store import Store
from tests.conftest import ROOT, data_uploader

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "flows.sqlite3"
    monkeypatch.setenv("KOERS_DB", str(path))
    return path


def _workbook(revenue: float = 100.0) -> bytes:
    """Three months of one shop: a date, a channel and a revenue column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Verkoop"
    ws.append(["Datum", "Kanaal", "Omzet"])
    for month in (1, 2, 3):
        ws.append([datetime(2026, month, 5), "Web", revenue])
        ws.append([datetime(2026, month, 9), "Winkel", revenue + 1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _uploader_key(at: AppTest) -> str:
    """The Data page's uploader key: it changes after each file taken in (a fresh uploader)."""
    return str(data_uploader(at).key)


@pytest.mark.parametrize("sample_env", ["", "1"])
def test_upload_from_a_ws_link_goes_into_that_workspace(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, sample_env: str
) -> None:
    # KOERS_SAMPLE=1 (./dev.sh app) used to replace the closed workspace by the sample.
    monkeypatch.setenv("KOERS_SAMPLE", sample_env)
    db = Store(db_path)
    ws = db.create_workspace("Bakkerij Jansen", Scorecard(name="Bakkerij Jansen"), "nl")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["ws"] = ws.id
    at.session_state["koers_lang"] = "nl"
    at.run()
    assert not at.exception
    assert at.session_state["koers_workspace"] == ws.id
    # The card says where the file goes, and offers a new scorecard separately.
    assert any("Bakkerij Jansen" in m.value and "Voeg" in m.value for m in at.markdown)
    assert at.button(key="start_upload_new")
    at.button(key="start_upload").click().run()
    assert not at.exception
    assert at.session_state["koers_workspace"] == ws.id  # still the same workspace
    assert at.session_state["koers_scorecard"].name == "Bakkerij Jansen"  # not the sample
    at.file_uploader(key=_uploader_key(at)).set_value(("omzet.xlsx", _workbook(), XLSX)).run()
    assert not at.exception
    # One workspace, and the file is in it (not in a new or sample workspace).
    assert [w.id for w in db.list_workspaces()] == [ws.id]
    assert [f.name for f in db.list_files(ws.id)] == ["omzet.xlsx"]
    assert [d.source for d in db.load_scorecard(ws.id).datasets] == ["omzet.xlsx"]


def test_start_a_new_scorecard_from_an_open_workspace(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_SAMPLE", "1")
    db = Store(db_path)
    ws = db.create_workspace("Bakkerij Jansen", Scorecard(name="Bakkerij Jansen"), "en")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["ws"] = ws.id
    at.session_state["koers_lang"] = "en"
    at.run()
    at.button(key="start_upload_new").click().run()
    assert not at.exception
    assert at.session_state["koers_workspace"] is None
    assert at.session_state["koers_scorecard"] is None  # empty: neither the old one nor the sample
    at.file_uploader(key=_uploader_key(at)).set_value(("omzet.xlsx", _workbook(), XLSX)).run()
    assert not at.exception
    workspaces = db.list_workspaces()
    assert len(workspaces) == 2  # the old one untouched, the new one with the file
    new = next(w for w in workspaces if w.id != ws.id)
    assert [f.name for f in db.list_files(new.id)] == ["omzet.xlsx"]
    assert db.list_files(ws.id) == []


@pytest.mark.parametrize(
    ("lang", "replaced"),
    [
        ("en", "'omzet.xlsx' is replaced by the new version"),
        ("nl", "'omzet.xlsx' is vervangen door de nieuwe versie"),
    ],
)
def test_a_same_name_re_upload_replaces_the_file(db_path: Path, lang: str, replaced: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    first = _uploader_key(at)
    at.file_uploader(key=first).set_value(("omzet.xlsx", _workbook(100.0), XLSX)).run()
    assert not at.exception
    # The file was taken in: a fresh uploader (another key) holds no file, so no chip stays.
    second = _uploader_key(at)
    assert second != first
    assert not at.file_uploader(key=second).value
    [ws] = Store(db_path).list_workspaces()
    new = _workbook(200.0)
    at.file_uploader(key=second).set_value(("omzet.xlsx", new, XLSX)).run()
    assert not at.exception
    assert any(replaced in s.value for s in at.success), [s.value for s in at.success]
    assert _uploader_key(at) not in (first, second)
    # One file of that name (the new bytes), one dataset, one entry on the page.
    assert list(at.session_state["koers_files"]) == ["omzet.xlsx"]
    assert at.session_state["koers_files"]["omzet.xlsx"].data == new
    card = at.session_state["koers_scorecard"]
    assert [d.source for d in card.datasets] == ["omzet.xlsx"]
    assert [h.value for h in at.subheader if "omzet.xlsx" in h.value] == ["📄 omzet.xlsx"]
    db = Store(db_path)
    assert [w.id for w in db.list_workspaces()] == [ws.id]
    assert [f.name for f in db.list_files(ws.id)] == ["omzet.xlsx"]
    assert db.load_file(ws.id, "omzet.xlsx") == new


def _review_like_page() -> None:
    """A choice bound to a draft whose value is not chosen yet (as on the Review page)."""
    import streamlit as st

    from ui.widgets import bound

    draft = st.session_state.setdefault("draft", {"period": None})
    bound(st.selectbox, "Periode", draft, "period", "period", options=["2026-01"])
    bound(st.multiselect, "Kanalen", draft, "channels", "channels", options=["Web"])


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [("nl", "Kies…", "Kies een of meer…"), ("en", "Choose…", "Choose one or more…")],
)
def test_a_choice_without_a_value_has_our_placeholder(lang: str, one: str, many: str) -> None:
    at = AppTest.from_function(_review_like_page, default_timeout=30)
    at.session_state["koers_lang"] = lang
    at.run()
    assert not at.exception
    box = at.selectbox(key="period")
    assert box.value is None and box.placeholder == one  # not Streamlit's "Choose an option"
    assert at.multiselect(key="channels").placeholder == many  # not "Choose options"
