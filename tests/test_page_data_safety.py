"""Every file through the Data page's upload: the process survives, the answer is a message,
and nothing is stored for a file that was refused."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kpilogic.workspace.store import Store
from tests.conftest import CORPUS, ROOT
from tests.hostile import sparse_xlsx, wide_csv
from ui.text import plain_md

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

CORPUS_FILES = sorted(
    p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() not in (".md", "")
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace database of this test alone, and its own temporary folder."""
    monkeypatch.setenv("KOERS_HOME", str(tmp_path / "home"))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return tmp_path


def _stored_names(home: Path) -> set[str]:
    path = home / "home" / "koers.sqlite3"
    if not path.exists():
        return set()
    db = Store(path)
    return {f.name for ws in db.list_workspaces() for f in db.list_files(ws.id)}


def _upload(at: AppTest, name: str, data: bytes) -> tuple[list[str], list[str]]:
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    return [e.value for e in at.error], [s.value for s in at.success]


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.switch_page("pages/data.py").run()
    return at


def test_the_sparse_xlsx_and_the_wide_csv_are_refused_and_not_stored(home: Path) -> None:
    at = _app()
    errors, _ = _upload(at, "verre-cel.xlsx", sparse_xlsx())
    assert any("verre-cel.xlsx" in e and "XFD1048576" in e for e in errors), errors
    errors, _ = _upload(at, "breed.csv", wide_csv())
    assert any("breed.csv" in e and "16\u00a0384 kolommen" in e for e in errors), errors
    assert "verre-cel.xlsx" not in at.session_state["koers_files"]
    assert "breed.csv" not in at.session_state["koers_files"]
    # Nothing was stored: not the files, not even an empty workspace for them.
    assert _stored_names(home) == set()
    assert at.session_state["koers_workspace"] is None
    # The session goes on: a good file after them is read and stored.
    good = b"Datum;Omzet\n31-01-2026;1.234,50\n28-02-2026;2.000,00\n"
    errors, successes = _upload(at, "goed.csv", good)
    assert errors == []
    assert any("goed.csv" in s for s in successes), successes
    assert _stored_names(home) == {"goed.csv"}
    assert sorted(p.name for p in (home / "tmp").iterdir()) == []  # no koers-* left behind


def test_every_corpus_file_through_the_upload(home: Path) -> None:
    assert len(CORPUS_FILES) > 100
    refused: list[str] = []
    accepted: list[str] = []
    for path in CORPUS_FILES:
        at = _app()  # a new session per file, as a user who opens the app and uploads it
        name = path.name
        errors, successes = _upload(at, name, path.read_bytes())
        stored = _stored_names(home)
        mentioned = plain_md(name)
        if any(mentioned in e for e in errors):
            refused.append(name)
            # a refused file leaves nothing behind in the store or the session
            assert name not in stored, name
            assert name not in at.session_state["koers_files"], name
            for message in errors:
                assert "Traceback" not in message and str(ROOT) not in message, message
        else:
            accepted.append(name)
            assert any(mentioned in s for s in successes), (name, errors, successes)
            assert name in stored, name
    # The corpus README: eight files cannot be read at all; more are refused for other
    # reasons (no table, empty sheets), and most are read.
    assert len(refused) >= 8, refused
    assert len(accepted) >= 60, accepted
    assert "Sample - Superstore.xls" in accepted or not (CORPUS / "real").exists()
    assert sorted(p.name for p in (home / "tmp").iterdir()) == []


def test_tables_are_cached_within_the_byte_budget(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.cache import table_cache

    # 3,000 rows of a date and an amount: the typed table alone is well over 50 KB
    # (3,000 × 8-byte dates + 3,000 × 8-byte floats = 48,000 bytes of values, plus text)
    rows = "\n".join(f"2026-01-{1 + i % 28:02d};{i},50" for i in range(3_000))
    data = ("Datum;Omzet\n" + rows + "\n").encode()
    monkeypatch.setenv("KOERS_CACHE_MB", "0.05")
    at = _app()
    errors, successes = _upload(at, "groot.csv", data)
    assert errors == [] and successes
    cache = table_cache()
    assert cache.limit == int(0.05 * (1 << 20))
    assert cache.nbytes <= cache.limit
    assert not any(key[0] == "tidy" for key in cache)  # too big for the budget: not kept
    st.cache_resource.clear()  # the next server starts with the larger budget
    monkeypatch.setenv("KOERS_CACHE_MB", "64")
    at = _app()
    _upload(at, "groot2.csv", data)
    cache = table_cache()
    assert any(key[0] == "tidy" and key[2] == "groot2.csv" for key in cache)
    assert 0 < cache.nbytes <= 64 << 20
