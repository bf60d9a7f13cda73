"""What every page shares: app-owned session state, translation, cached loading and evaluation.

Pages keep what the user entered in app-owned ``st.session_state`` keys (prefixed ``koers_``),
never only in widget keys, so nothing is lost when the user switches page or language.
Heavy work is cached: tables by the file's content hash, the evaluation by the scorecard and
the data. This module is not a page; ``app.py`` does not list it.
"""

from __future__ import annotations

import hashlib
import re
import runpy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.evaluate import Evaluation, evaluate_scorecard
from kpilogic.i18n import normalise_lang, t
from kpilogic.ingest import ColumnKind, apply_kinds, list_sheets, profile_columns, read_table
from kpilogic.model import Scorecard

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample_data"

LANG = "koers_lang"
SCORECARD = "koers_scorecard"
FILES = "koers_files"
KINDS = "koers_kinds"
AS_OF = "koers_as_of"
NOTICE = "koers_notice"

PAGES = {
    "start": "pages/start.py",
    "data": "pages/data.py",
    "goals": "pages/goals.py",
    "kpis": "pages/kpis.py",
    "dashboard": "pages/dashboard.py",
    "download": "pages/download.py",
}


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file: its name, bytes and content hash (the cache key)."""

    name: str
    data: bytes
    sha: str


# -- state ---------------------------------------------------------------------------------


def bootstrap() -> None:
    """Create the app-owned state on a session's first run."""
    ss = st.session_state
    if LANG not in ss:
        ss[LANG] = normalise_lang(_browser_locale())
    ss.setdefault(SCORECARD, None)
    ss.setdefault(FILES, {})
    ss.setdefault(KINDS, {})
    ss.setdefault(AS_OF, None)


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser behind AppTest
        return None


def lang() -> str:
    """The user's language: "nl" or "en"."""
    return str(st.session_state.get(LANG, "en"))


def tr(key: str, **params: Any) -> str:
    """Translate ``key`` into the user's language."""
    return t(key, lang(), **params)


def scorecard() -> Scorecard | None:
    """The scorecard being edited (None before the user starts)."""
    value = st.session_state.get(SCORECARD)
    return value if isinstance(value, Scorecard) else None


def set_scorecard(card: Scorecard) -> None:
    """Replace the scorecard (validated by pydantic on construction)."""
    st.session_state[SCORECARD] = card


def ensure_scorecard() -> Scorecard:
    """The scorecard, creating an empty one named after the date if there is none."""
    card = scorecard()
    if card is None:
        card = Scorecard(name=tr("app.new_scorecard_name"))
        set_scorecard(card)
    return card


def files() -> dict[str, StoredFile]:
    """Uploaded files by name."""
    value: dict[str, StoredFile] = st.session_state[FILES]
    return value


def add_file(name: str, data: bytes) -> StoredFile:
    """Keep an uploaded file (replacing one with the same name)."""
    stored = StoredFile(name, data, hashlib.sha256(data).hexdigest())
    files()[name] = stored
    return stored


def kinds_override(dataset_id: str) -> dict[str, ColumnKind]:
    """The column kinds the user corrected for a dataset."""
    kinds: dict[str, dict[str, ColumnKind]] = st.session_state[KINDS]
    return kinds.setdefault(dataset_id, {})


def slug(text: str) -> str:
    """An id made of a name: lower case letters, digits and underscores."""
    value = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return value[:40] or "item"


def unique_id(base: str, taken: set[str]) -> str:
    """``base`` or ``base_2``, ``base_3``… whichever is not in ``taken``."""
    candidate, n = slug(base), 2
    while candidate in taken:
        candidate = f"{slug(base)}_{n}"
        n += 1
    return candidate


# -- cached heavy work ---------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def cached_sheets(sha: str, name: str, _data: bytes) -> list[str]:
    """Sheets of a file, cached by content hash."""
    return list_sheets(_data, name)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_table(sha: str, name: str, sheet: str | None, _data: bytes) -> pd.DataFrame:
    """One sheet as read (untyped), cached by content hash and sheet."""
    return read_table(_data, name, sheet)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_profile(sha: str, name: str, sheet: str | None, _df: pd.DataFrame) -> dict[str, str]:
    """The detected kind of each column, cached with the table."""
    return dict(profile_columns(_df))


def dataset_kinds(
    dataset_id: str,
    sha: str,
    name: str,
    sheet: str | None,
    raw: pd.DataFrame,
    date_column: str | None,
) -> dict[str, ColumnKind]:
    """Detected kinds, with the user's corrections and the chosen date column applied."""
    kinds: dict[str, Any] = dict(cached_profile(sha, name, sheet, raw))
    kinds.update(kinds_override(dataset_id))
    if date_column in kinds:
        kinds[date_column] = "date"
    return kinds


@st.cache_data(show_spinner=False, max_entries=64)
def cached_typed(
    sha: str,
    name: str,
    sheet: str | None,
    kinds_key: str,
    _raw: pd.DataFrame,
    _kinds: dict[str, ColumnKind],
) -> pd.DataFrame:
    """The table with its columns converted to their kinds."""
    return apply_kinds(_raw, _kinds)


def load_data(card: Scorecard) -> tuple[dict[str, pd.DataFrame], dict[str, KoersError]]:
    """Every dataset of ``card`` as a typed table; problems per dataset id."""
    out: dict[str, pd.DataFrame] = {}
    problems: dict[str, KoersError] = {}
    stored = files()
    for ds in card.datasets:
        f = stored.get(ds.source)
        if f is None:
            continue
        try:
            raw = cached_table(f.sha, f.name, ds.sheet, f.data)
            kinds = dataset_kinds(ds.id, f.sha, f.name, ds.sheet, raw, ds.date_column)
            key = repr(sorted(kinds.items()))
            out[ds.id] = cached_typed(f.sha, f.name, ds.sheet, key, raw, kinds)
        except KoersError as exc:
            problems[ds.id] = exc
    return out, problems


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_evaluation(
    card_json: str,
    data_key: str,
    as_of: date | None,
    _card: Scorecard,
    _data: dict[str, pd.DataFrame],
) -> Evaluation:
    return evaluate_scorecard(_card, _data, as_of)


def _data_key(card: Scorecard) -> str:
    stored = files()
    return repr(
        sorted(
            (ds.id, stored[ds.source].sha, repr(sorted(kinds_override(ds.id).items())))
            for ds in card.datasets
            if ds.source in stored
        )
    )


def evaluation(card: Scorecard) -> tuple[Evaluation, dict[str, KoersError]]:
    """The scorecard evaluated over the uploaded data (cached on scorecard and data)."""
    data, problems = load_data(card)
    as_of = st.session_state.get(AS_OF)
    return _cached_evaluation(card.to_json(), _data_key(card), as_of, card, data), problems


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_report(kind: str, lang: str, key: str, _ev: Evaluation) -> bytes:
    from kpilogic.report import report_xlsx
    from kpilogic.report_pdf import report_pdf

    return report_xlsx(_ev, lang) if kind == "xlsx" else report_pdf(_ev, lang)


def report_file(kind: str, card: Scorecard, ev: Evaluation) -> bytes:
    """The formatted report (``xlsx`` or ``pdf``) of ``ev``, made once per scorecard and data."""
    key = f"{card.to_json()}|{_data_key(card)}|{st.session_state.get(AS_OF)}"
    return _cached_report(kind, lang(), key, ev)


# -- sample data ---------------------------------------------------------------------------


def load_sample() -> None:
    """Load the sample workbook and its scorecard into the session."""
    from kpilogic.sample import SAMPLE_SCORECARD, SAMPLE_WORKBOOK

    card = Scorecard.from_json((SAMPLE_DIR / SAMPLE_SCORECARD).read_text(encoding="utf-8"))
    add_file(SAMPLE_WORKBOOK, (SAMPLE_DIR / SAMPLE_WORKBOOK).read_bytes())
    set_scorecard(card)


# -- rendering helpers ---------------------------------------------------------------------


def show_error(exc: KoersError) -> None:
    """A user-caused error, in the user's language (never a traceback)."""
    st.error(exc.message(lang()), icon="⚠️")


def require_scorecard() -> Scorecard:
    """The scorecard; otherwise explain what to do first, link there, and stop the page."""
    card = scorecard()
    if card is None:
        st.info(tr("app.need_start"), icon="🧭")
        st.page_link(PAGES["start"], label=tr("nav.start"), icon="🏠")
        st.stop()
    assert card is not None
    return card


def require_data(card: Scorecard) -> None:
    """Stop the page with a pointer to the Data page when no dataset has data yet."""
    if not card.datasets or not any(ds.source in files() for ds in card.datasets):
        st.info(tr("app.need_data"), icon="📄")
        st.page_link(PAGES["data"], label=tr("nav.data"), icon="📄")
        st.stop()


def require_kpis(card: Scorecard) -> None:
    """Stop the page with a pointer to the goals/KPI pages when there is nothing to show."""
    if not card.goals:
        st.info(tr("app.need_goals"), icon="🎯")
        st.page_link(PAGES["goals"], label=tr("nav.goals"), icon="🎯")
        st.stop()
    if not card.kpis:
        st.info(tr("app.need_kpis"), icon="📏")
        st.page_link(PAGES["kpis"], label=tr("nav.kpis"), icon="📏")
        st.stop()


def notice() -> None:
    """Show (once) a message left by the previous run, e.g. after saving."""
    message = st.session_state.pop(NOTICE, None)
    if message:
        st.success(message, icon="✅")


def set_notice(message: str) -> None:
    """Leave a message for the next run."""
    st.session_state[NOTICE] = message


# -- widgets bound to an app-owned draft ---------------------------------------------------


def bound(
    widget: Any, label: str, draft: dict[str, Any], name: str, key: str, **kwargs: Any
) -> Any:
    """Render ``widget`` whose value lives in ``draft[name]`` (app-owned state).

    The widget key only mirrors the draft: when Streamlit forgets the widget (another page
    was shown), the value comes back from the draft, so nothing the user typed is lost.
    """
    if key not in st.session_state and name in draft:
        st.session_state[key] = draft[name]
    value = widget(label, key=key, **kwargs)
    draft[name] = value
    return value


# -- routing guard ---------------------------------------------------------------------------


def route_guard() -> None:
    """Make a page that Streamlit started on its own go through ``app.py``'s router.

    Streamlit treats a ``pages/`` folder as an old-style multipage app until the first
    ``st.navigation`` call in the process (AppTest resets that on every run), so a first
    request for ``/dashboard`` runs the page without the router: no sidebar, no session
    bootstrap. Every page calls this first; in that case it switches the old mode off, runs
    ``app.py`` (which shows the same page: same url path, same page hash) and stops.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
        st.stop()
