"""Shared fixtures: project paths, the corpus, clean Streamlit caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
SUPERSTORE = CORPUS / "real" / "Sample - Superstore.xls"
SAMPLE_DIR = ROOT / "sample_data"
ARTIFACTS = ROOT / "test-artifacts"


def require_superstore() -> Path:
    """The Superstore workbook; a test that needs it skips when it was removed (see
    tests/corpus/README.md), except in CI, where its absence is a failure."""
    if not SUPERSTORE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SUPERSTORE.relative_to(ROOT)} is missing (required in CI)")
        pytest.skip(f"{SUPERSTORE.relative_to(ROOT)} is not in this checkout")
    return SUPERSTORE


@pytest.fixture(scope="session", autouse=True)
def koers_home(tmp_path_factory):
    """Tests never touch the user's own workspace database."""
    import os

    home = tmp_path_factory.mktemp("koers_home")
    old = {k: os.environ.get(k) for k in ("KOERS_HOME", "KOERS_DB")}
    os.environ["KOERS_HOME"] = str(home)
    os.environ.pop("KOERS_DB", None)
    yield home
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session", autouse=True)
def page_errors_fail_tests():
    """A page that raises fails its AppTest: the error boundary re-raises in tests, and
    AppTest shows the error's own message (the app's config hides it from users)."""
    from streamlit import config

    old = os.environ.get("KOERS_RAISE_PAGE_ERRORS")
    os.environ["KOERS_RAISE_PAGE_ERRORS"] = "1"
    config.set_option("client.showErrorDetails", "full")
    yield
    if old is None:
        os.environ.pop("KOERS_RAISE_PAGE_ERRORS", None)
    else:
        os.environ["KOERS_RAISE_PAGE_ERRORS"] = old


@pytest.fixture
def clear_streamlit_caches():
    """Each AppTest starts with empty Streamlit caches (data and resources)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def data_uploader(at):
    """The Data page's file uploader: its key changes after each batch of files taken in
    (a fresh uploader shows no old files), so tests that upload again look it up."""
    [uploader] = at.get("file_uploader")
    return uploader


# -- the store on both backends (issue 17) ---------------------------------------------------
STORE_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server started for this test session (see tests/pg.py); its URL."""
    from tests.pg import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=STORE_BACKENDS)
def store_location(request, tmp_path):
    """Where a test's store lives, once per backend: a SQLite file in tmp_path, or a fresh
    schema in the session's PostgreSQL database (as a URL). ``Store(store_location)``."""
    if request.param == "sqlite":
        return tmp_path / "koers.sqlite3"
    from tests.pg import fresh_schema

    return fresh_schema(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=STORE_BACKENDS)
def app_store_backend(request, monkeypatch):
    """The app's store (``ui.shared.store``, ``Store(default_db_location())``) once on the
    session's SQLite file and once on a fresh schema of the session's PostgreSQL database
    (``KOERS_DB=postgresql://…``). Use with ``clear_streamlit_caches``."""
    if request.param == "postgresql":
        from tests.pg import fresh_schema

        monkeypatch.setenv("KOERS_DB", fresh_schema(request.getfixturevalue("postgres_url")))
    return request.param
