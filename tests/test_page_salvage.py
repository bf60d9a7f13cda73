"""The app after a damaged database (issue 13): it starts with every readable workspace and
tells the user, in their language, what was recovered and what was not."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_access import _damage_page_holding, _three_workspaces

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.mark.parametrize(
    ("lang", "counts", "lost"),
    [
        ("en", "3 workspaces with 6 versions, 2 files and 3 check-ins", "could not be read"),
        ("nl", "3 werkruimten met 6 versies, 2 bestanden en 3 check-ins", "onleesbaar"),
    ],
)
def test_the_app_starts_with_what_was_salvaged_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, counts: str, lost: str
) -> None:
    db = tmp_path / "koers.sqlite3"
    _, ids = _three_workspaces(db)
    _damage_page_holding(db, b"MARKER-South")
    monkeypatch.setenv("KOERS_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = lang
    at.run()
    assert not at.exception
    # The message is shown as plain text (markdown characters escaped).
    shown = [w.value.replace("\\", "") for w in at.warning]
    (warning,) = [w for w in shown if counts in w]
    assert lost in warning and "South / sales.csv" in warning and str(tmp_path) in warning
    # The damaged file was set aside next to the database; the workspaces open.
    assert list(tmp_path.glob("koers.sqlite3.damaged-*"))
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.query_params["ws"] = ids[2]
    again.run()
    assert not again.exception
    assert again.session_state["koers_workspace"] == ids[2]
    assert again.session_state["koers_scorecard"].name == "West"
    assert list(again.session_state["koers_files"]) == ["sales.csv"]
    # Every session is told once (each user should know), not on every rerun.
    assert [w for w in again.warning if "3 workspaces" in w.value.replace("\\", "")]
    again.run()
    assert not [w for w in again.warning if "3 workspaces" in w.value.replace("\\", "")]
