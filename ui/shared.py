"""What every page shares: app-owned session state, translation, cached loading and evaluation.

Pages keep what the user entered in app-owned ``st.session_state`` keys (prefixed ``koers_``),
never only in widget keys, so nothing is lost when the user switches page or language.
Heavy work is cached: tables by the file's content hash, the evaluation by the scorecard and
the data. This module is not a page; ``app.py`` does not list it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import runpy
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import pandas as pd
import streamlit as st

from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.engine.metrics import with_metric_errors
from kpilogic.engine.quality import recall
from kpilogic.errors import KoersError, StoreError
from kpilogic.i18n import format_date, format_period, normalise_lang, people_params, t
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Dataset, Scorecard
from kpilogic.sources.ingest import (
    ColumnKind,
    SheetInfo,
    apply_kinds,
    list_sheets,
    profile_columns,
    sheet_info,
)
from kpilogic.sources.layout import Tidy
from kpilogic.sources.memory import ByteLRU, cache_budget
from kpilogic.sources.pipeline import read_dataset, with_kind_failures
from kpilogic.workspace.access import LOCAL_USER, AccessDenied, ConflictError, role_at_least
from kpilogic.workspace.store import (
    Store,
    StoredCheckIn,
    UserStore,
    default_db_location,
    recovery_message,
)

ROOT = Path(__file__).resolve().parents[1]
_log = logging.getLogger("koers")
RAISE_PAGE_ERRORS_ENV = "KOERS_RAISE_PAGE_ERRORS"
SAMPLE_DIR = ROOT / "sample_data"

LANG = "koers_lang"
SCORECARD = "koers_scorecard"
FILES = "koers_files"
KINDS = "koers_kinds"
AS_OF = "koers_as_of"
NOTICE = "koers_notice"
EVAL_MEMO = "koers_eval_memo"  # (key, evaluation, problems) of the last run
SAMPLE = "koers_sample"  # language of the sample while it is open and not yet the user's
SAMPLE_OFFERED = "koers_sample_offered"  # KOERS_SAMPLE=1: the sample was offered once

PAGES = {
    "start": "pages/start.py",
    "data": "pages/data.py",
    "goals": "pages/goals.py",
    "kpis": "pages/kpis.py",
    "dashboard": "pages/dashboard.py",
    "review": "pages/review.py",
    "download": "pages/download.py",
}


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file: its name, bytes and content hash (the cache key)."""

    name: str
    data: bytes
    sha: str


# -- the workspace store -------------------------------------------------------------------
WORKSPACE = "koers_workspace"  # id of the open workspace (None before anything is saved)
SAVED_SETTINGS = "koers_saved_settings"
VERSION = "koers_version"  # the scorecard version the session loaded or last saved
ROLE = "koers_role"  # the user's role in the open workspace
CONFLICT = "koers_conflict"  # True after a save was refused: someone else saved first


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> tuple[Store, str | None]:
    store, moved = Store.open_or_recover(path)  # a file, or a postgresql:// URL (KOERS_DB)
    return store, (str(moved) if moved else None)


def auth_enabled() -> bool:
    """Team mode: ``.streamlit/secrets.toml`` has an ``[auth]`` section, so people sign in
    with OpenID Connect (``st.login``). Without it Koers runs in local mode: one user."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all (StreamlitSecretNotFoundError)
        return False


def _user_claim(name: str) -> str:
    value = st.user.get(name)
    return value.strip() if isinstance(value, str) else ""


def signed_in() -> bool:
    """True in local mode, and in team mode once the user signed in with an e-mail address
    (one the provider says it has not verified does not count: anyone could claim it)."""
    if not auth_enabled():
        return True
    verified = st.user.get("email_verified") not in (False, "false")
    return bool(st.user.get("is_logged_in")) and bool(_user_claim("email")) and verified


def current_user() -> str:
    """Who is using Koers: ``LOCAL_USER`` in local mode, else the signed-in e-mail address,
    lower-cased. ``app.py`` lets no page run before the user signed in.

    Raises:
        AccessDenied: in team mode when nobody is signed in.
    """
    if not auth_enabled():
        return LOCAL_USER
    if not signed_in():
        raise AccessDenied()
    return _user_claim("email").lower()


def store() -> UserStore | None:
    """The workspace database as the current user sees it (``Store.for_user``), opened once
    per server; None when it cannot be used. Every call on it checks the user's role.

    A damaged database is salvaged (every readable workspace copied to a fresh file) and
    set aside; the user is told once what was recovered.
    """
    try:
        opened, moved = _open_store(str(default_db_location()))
    except KoersError as exc:
        if not st.session_state.get("koers_store_warned"):
            st.session_state["koers_store_warned"] = True
            st.warning(safe_message(exc) + " " + tr("app.store_off"), icon="💾")
        return None
    if not st.session_state.get("koers_store_warned"):
        st.session_state["koers_store_warned"] = True
        if opened.recovery is not None:
            st.warning(plain_md(recovery_message(opened.recovery, lang())), icon="💾")
        elif moved:
            st.warning(tr("store.recovered", moved=moved), icon="💾")
        if opened.maintenance_error is not None:
            detail = opened.maintenance_error.message(lang())
            st.warning(plain_md(tr("access.maintenance_failed", detail=detail)), icon="💾")
    try:
        return opened.for_user(current_user())
    except KoersError as exc:
        show_error(exc)
        return None


def workspace_role() -> str | None:
    """The user's role in the open workspace (None without one)."""
    value = st.session_state.get(ROLE)
    return str(value) if value and workspace_id() else None


def can(needed: str) -> bool:
    """True when the user's role in the open workspace is ``needed`` or higher. A scorecard
    not saved yet (no workspace) is the user's own."""
    return role_at_least(workspace_role() or "owner", needed)


def require_role(needed: str) -> None:
    """At the top of a page that changes the scorecard: stop the page, saying that the user
    can view this scorecard and should ask its owner for edit rights, unless their role is
    ``needed`` or higher. (The store refuses the change anyway; this keeps the page honest.)"""
    if can(needed):
        return
    st.info(tr("access.read_only"), icon="👁️")
    st.page_link(PAGES["dashboard"], label=tr("nav.dashboard"), icon="📊")
    st.stop()


def workspace_id() -> str | None:
    """The open workspace's id."""
    value = st.session_state.get(WORKSPACE)
    return str(value) if value else None


def _settings() -> dict[str, Any]:
    as_of = st.session_state.get(AS_OF)
    return {
        "lang": lang(),
        "kinds": st.session_state.get(KINDS, {}),
        "as_of": as_of.isoformat() if as_of else None,
    }


def persist_settings() -> None:
    """Save language, column-type corrections and as-of date when they changed."""
    ws, db = workspace_id(), store()
    if ws is None or db is None:
        return
    if not role_at_least(st.session_state.get(ROLE, "owner"), "editor"):
        return  # a viewer's language and choices stay in the session
    current = _settings()
    if st.session_state.get(SAVED_SETTINGS) == current:
        return
    try:
        db.save_settings(ws, current)
        st.session_state[SAVED_SETTINGS] = json.loads(json.dumps(current))
    except KoersError as exc:
        show_error(exc)


def open_workspace(ws_id: str, *, keep_drafts: bool = False, from_address: bool = False) -> bool:
    """Load a saved workspace into the session: scorecard (and its version), files,
    settings, language, the user's role. ``keep_drafts`` keeps what the user is typing in
    the goal and KPI forms (a reload after a conflict). ``from_address``: the id came from the
    address (``?ws=``); a workspace the user may not see and one that does not exist both get
    "no access", and the id is never shown."""
    db = store()
    if db is None:
        return False
    try:
        card, version = db.load_latest(ws_id)
        role = db.role(ws_id)
        kept = {
            f.name: StoredFile(f.name, db.load_file(ws_id, f.name), f.sha256)
            for f in db.list_files(ws_id)
        }
        settings = db.get_settings(ws_id)
    except KoersError as exc:
        missing = isinstance(exc, AccessDenied | StoreError)
        show_error(AccessDenied() if from_address and missing else exc)
        return False
    ss = st.session_state
    ss.pop(SAMPLE, None)
    st.query_params.pop("sample", None)
    ss[WORKSPACE] = ws_id
    ss[SCORECARD] = card
    ss[VERSION] = version
    ss[ROLE] = role
    ss.pop(CONFLICT, None)
    ss[FILES] = kept
    ss[KINDS] = settings.get("kinds") or {}
    as_of = settings.get("as_of")
    ss[AS_OF] = date.fromisoformat(as_of) if as_of else None
    # The language kept with the workspace; in team mode each person keeps their own.
    if settings.get("lang") in ("nl", "en") and not auth_enabled():
        ss[LANG] = settings["lang"]
    ss[SAVED_SETTINGS] = json.loads(json.dumps(_settings()))
    if not keep_drafts:
        for key in [k for k in ss if str(k).startswith(("koers_goal_", "koers_kpi_"))]:
            del ss[key]
    st.query_params["ws"] = ws_id
    return True


def reload_scorecard() -> None:
    """Load the latest saved scorecard of the open workspace (after someone else saved),
    keeping the drafts in the forms, so nothing the user typed is lost."""
    ws, language = workspace_id(), lang()
    if ws is not None and open_workspace(ws, keep_drafts=True):
        st.session_state[LANG] = language  # the user's own language, not the workspace's
        set_notice(tr("access.conflict.reloaded"))


_run = threading.local()  # per script run: how many conflict messages were shown


def show_conflict() -> None:
    """The conflict message with a button that reloads the latest scorecard."""
    st.error(ConflictError().message(lang()), icon="⚠️")
    shown = getattr(_run, "conflicts", 0)
    _run.conflicts = shown + 1
    st.button(
        tr("access.conflict.reload"),
        key=f"koers_conflict_reload_{shown}",
        on_click=reload_scorecard,
        icon="🔄",
    )


def close_workspace() -> None:
    """Start afresh: the next thing the user saves becomes a new workspace."""
    ss = st.session_state
    ss[WORKSPACE] = None
    ss[SCORECARD] = None
    ss[VERSION] = None
    ss[ROLE] = None
    ss.pop(CONFLICT, None)
    ss[FILES] = {}
    ss[KINDS] = {}
    ss[AS_OF] = None
    ss.pop(SAVED_SETTINGS, None)
    ss.pop(SAMPLE, None)
    for key in [k for k in ss if str(k).startswith(("koers_goal_", "koers_kpi_"))]:
        del ss[key]
    st.query_params.pop("ws", None)
    st.query_params.pop("sample", None)


# -- state ---------------------------------------------------------------------------------


RUN_MARKER = "koers_run_marker"


def run_marker() -> None:
    """With KOERS_RUN_MARKER=1 (the end-to-end tests), number each script run in a hidden element.

    A fast run can go from running to finished within one frame of the browser, so the
    page's script-state attribute never changes; this number changes with every run.
    """
    if os.environ.get("KOERS_RUN_MARKER") != "1":
        return
    count = int(st.session_state.get(RUN_MARKER, 0)) + 1
    st.session_state[RUN_MARKER] = count
    with st.sidebar.container(key=RUN_MARKER):
        hide = f"<style>.st-key-{RUN_MARKER}{{display:none}}</style>"
        st.html(f'{hide}<span class="koers-run">{count}</span>')


def bootstrap() -> None:
    """Create the app-owned state on a session's first run; reopen the workspace named in
    the address (``?ws=…``), so a reload or a server restart brings everything back."""
    ss = st.session_state
    _run.conflicts = 0
    if LANG not in ss:
        ss[LANG] = normalise_lang(_browser_locale())
    ss.setdefault(SCORECARD, None)
    ss.setdefault(FILES, {})
    ss.setdefault(KINDS, {})
    ss.setdefault(AS_OF, None)
    if WORKSPACE not in ss:
        ss[WORKSPACE] = None
        wanted = st.query_params.get("ws")
        if wanted and not open_workspace(wanted, from_address=True):
            st.query_params.pop("ws", None)
        elif not wanted and st.query_params.get("sample"):
            load_sample()  # a reload of the (unsaved) sample shows it again
    ws = workspace_id()
    if ws and st.query_params.get("ws") != ws:
        st.query_params["ws"] = ws
    if is_sample() and st.query_params.get("sample") != "1":
        st.query_params["sample"] = "1"  # a page switch clears the address's parameters
    persist_settings()


def _browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser behind AppTest
        return None


def lang() -> str:
    """The user's language: "nl" or "en"."""
    return str(st.session_state.get(LANG, "en"))


def tr(key: str, **params: Any) -> Md:
    """Translate ``key`` into the user's language, for Markdown (every message is Markdown to
    Streamlit: text, captions, alerts, toasts, labels, expanders).

    Every text parameter is escaped (``plain_md``): a name, file or column cannot turn into a
    link, an image or a heading. A parameter that is the app's own Markdown (already escaped
    where it holds user text) is passed as ``Md(...)``; ``tr_plain`` is for plain-text places
    (the options of a selectbox or multiselect, table cells, chart titles).
    """
    # ISO dates and period labels in the parameters read as people write them (people_params).
    shown = people_params(params, lang())
    return Md(t(key, lang(), **{name: _md_param(value) for name, value in shown.items()}))


def tr_plain(key: str, **params: Any) -> str:
    """Translate ``key`` with its parameters as they are, for places that show plain text
    (selectbox and multiselect options, table cells, chart titles): never for Markdown."""
    return t(key, lang(), **params)


def scorecard() -> Scorecard | None:
    """The scorecard being edited (None before the user starts)."""
    value = st.session_state.get(SCORECARD)
    return value if isinstance(value, Scorecard) else None


def is_sample() -> bool:
    """Is the open scorecard the sample, shown but not yet saved as the user's own?"""
    return bool(st.session_state.get(SAMPLE)) and workspace_id() is None


def set_scorecard(card: Scorecard) -> bool:
    """Replace the scorecard and save it at once (a new workspace the first time; the
    sample becomes a workspace of the user's here, at its first change, with its file).

    The save names the version the session loaded: when someone else saved in between it
    is refused, the session keeps the scorecard it had (the user's draft stays in the
    form), the conflict message with a reload button is shown and the run stops there, so
    no page goes on as if it was saved (clearing its form, saying "saved"). Returns True
    when the change was taken (saved, or kept in the session when there is no database).
    """
    ss = st.session_state
    db = store()
    if db is None:
        ss[SCORECARD] = card
        return True
    if ss.get(CONFLICT):
        _refuse()
    try:
        ws = workspace_id()
        if ws is None:
            created = db.create_workspace(card.name, card, lang())
            ss[SCORECARD] = card
            ss[WORKSPACE] = created.id
            ss[VERSION] = 1
            ss[ROLE] = created.role
            for kept in files().values():  # the sample's workbook goes with it
                db.save_file(created.id, kept.name, kept.data)
            ss.pop(SAMPLE, None)
            st.query_params.pop("sample", None)
            st.query_params["ws"] = created.id
            persist_settings()
            return True
        based_on = ss.get(VERSION)
        if based_on is None:  # a session whose state was set without opening the workspace
            based_on = db.load_latest(ws)[1]
        ss[VERSION] = db.save_scorecard(ws, card, based_on)
        ss[SCORECARD] = card
        if db.get_workspace(ws).name != card.name:
            db.rename_workspace(ws, card.name)
        return True
    except ConflictError:
        ss[CONFLICT] = True
        _refuse()
    except KoersError as exc:
        ss[SCORECARD] = card  # kept in the session, so nothing typed is lost
        show_error(exc)
        return False


def _refuse() -> NoReturn:
    """Stop the run after a refused save, with the conflict message (once per run)."""
    if not getattr(_run, "conflicts", 0):
        show_conflict()
    st.stop()


def ensure_scorecard() -> Scorecard:
    """The scorecard, creating an empty one if there is none."""
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
    """Keep an uploaded file with the workspace (replacing one with the same name).

    Raises:
        StoreError: when the file is over the size limit of the workspace store.
    """
    stored = StoredFile(name, data, hashlib.sha256(data).hexdigest())
    if is_sample():
        make_sample_mine()
    ensure_scorecard()
    db, ws = store(), workspace_id()
    if db is not None and ws is not None:
        db.save_file(ws, name, data)
    files()[name] = stored
    return stored


def remove_file(name: str) -> None:
    """Forget an uploaded file, also in the store."""
    if is_sample():
        make_sample_mine()
    files().pop(name, None)
    db, ws = store(), workspace_id()
    if db is not None and ws is not None:
        try:
            db.delete_file(ws, name)
        except KoersError as exc:
            show_error(exc)


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
def cached_sheet_info(sha: str, name: str, _data: bytes) -> list[SheetInfo]:
    """Sheets of a file with their visibility (hidden sheets are marked on the Data page)."""
    return sheet_info(_data, name)


def layout_key(ds: Dataset | None) -> str:
    """The user's layout corrections of ``ds`` as text: part of every cache key of its table."""
    if ds is None:
        return ""
    fields = {
        "header_row",
        "table",
        "notation",
        "unpivot",
        "keep_totals",
        "combine_tables",
        "column_language",
    }
    return json.dumps(ds.model_dump(mode="json", include=fields), sort_keys=True)


# Tables are kept in one server-wide cache bounded by bytes (``KOERS_CACHE_MB``, default
# 1,024 MB; kpilogic.sources.memory.ByteLRU), handed out as is (read-only by convention; pandas'
# copy-on-write keeps a page's derived frames from touching them). st.cache_data would pickle
# each table and unpickle a fresh copy on every call; st.cache_resource counts entries, not
# bytes (six 50 MB files took 4 GB).
@st.cache_resource(show_spinner=False)
def table_cache() -> ByteLRU[tuple[Any, ...], Any]:
    """The server's tables, read and typed, least recently used first out."""
    return ByteLRU(cache_budget())


def cached_tidy(
    sha: str, name: str, sheet: str | None, layout: str, _data: bytes, _dataset: Dataset
) -> Tidy:
    """One dataset read through the layout step (``pipeline.read_dataset``), cached by content
    hash, sheet and the user's layout corrections."""
    tidy: Tidy = table_cache().get_or_make(
        ("tidy", sha, name, sheet, layout), lambda: read_dataset(_data, name, _dataset)
    )
    return tidy


def dataset_tidy(ds: Dataset, f: StoredFile) -> Tidy:
    """``ds`` read from the uploaded file ``f``, with what was decided on the way.

    Raises:
        KoersError: when the file or its layout cannot be read.
    """
    return cached_tidy(f.sha, f.name, ds.sheet, layout_key(ds), f.data, ds)


def _dataset_of(name: str, sheet: str | None) -> Dataset | None:
    card = scorecard()
    if card is None:
        return None
    return next((d for d in card.datasets if d.source == name and d.sheet == sheet), None)


def cached_table(sha: str, name: str, sheet: str | None, _data: bytes) -> pd.DataFrame:
    """One sheet as a clean table (title rows, totals, blank rows and columns, periods as
    columns handled), with the layout corrections of the dataset that reads it."""
    ds = _dataset_of(name, sheet) or Dataset(
        id="new", name="new", source=name, sheet=sheet, date_column="-"
    )
    return cached_tidy(sha, name, sheet, layout_key(ds), _data, ds).frame


def cached_profile(sha: str, name: str, sheet: str | None, _df: pd.DataFrame) -> dict[str, str]:
    """The detected kind of each column, cached with the table."""
    kinds: dict[str, str] = table_cache().get_or_make(
        ("profile", sha, name, sheet), lambda: dict(profile_columns(_df))
    )
    return kinds


def dataset_kinds(
    dataset_id: str,
    sha: str,
    name: str,
    sheet: str | None,
    raw: pd.DataFrame,
    date_column: str | None,
) -> dict[str, ColumnKind]:
    """Detected kinds, with the user's corrections and the chosen date column applied."""
    card = scorecard()
    ds = next((d for d in card.datasets if d.id == dataset_id), None) if card else None
    key = f"{sheet}|{layout_key(ds)}"
    kinds: dict[str, Any] = dict(cached_profile(sha, name, key, raw))
    kinds.update({c: k for c, k in kinds_override(dataset_id).items() if c in kinds})
    if date_column in kinds:
        kinds[date_column] = "date"
    return kinds


def cached_typed(
    sha: str,
    name: str,
    sheet: str | None,
    kinds_key: str,
    _raw: pd.DataFrame,
    _kinds: dict[str, ColumnKind],
) -> pd.DataFrame:
    """The table with its columns converted to their kinds."""
    typed: pd.DataFrame = table_cache().get_or_make(
        ("typed", sha, name, sheet, kinds_key), lambda: apply_kinds(_raw, _kinds)
    )
    return typed


def load_tidies(card: Scorecard) -> tuple[dict[str, Tidy], dict[str, KoersError]]:
    """Every dataset of ``card`` read through the layout step; problems per dataset id."""
    out: dict[str, Tidy] = {}
    problems: dict[str, KoersError] = {}
    stored = files()
    for ds in card.datasets:
        f = stored.get(ds.source)
        if f is None:
            continue
        try:
            out[ds.id] = dataset_tidy(ds, f)
        except KoersError as exc:
            problems[ds.id] = exc
    return out, problems


def load_data(card: Scorecard) -> tuple[dict[str, pd.DataFrame], dict[str, KoersError]]:
    """Every dataset of ``card`` as a typed table; problems per dataset id."""
    _, data, problems = _load(card)
    return data, problems


def _load(
    card: Scorecard,
) -> tuple[dict[str, Tidy], dict[str, pd.DataFrame], dict[str, KoersError]]:
    """What reading found per dataset, the typed tables, and the problems."""
    out: dict[str, pd.DataFrame] = {}
    tidies, problems = load_tidies(card)
    stored = files()
    for ds in card.datasets:
        if ds.id not in tidies:
            continue
        f, raw = stored[ds.source], tidies[ds.id].frame
        kinds = dataset_kinds(ds.id, f.sha, f.name, ds.sheet, raw, ds.date_column)
        key = layout_key(ds) + repr(sorted(kinds.items()))
        out[ds.id] = cached_typed(f.sha, f.name, ds.sheet, key, raw, kinds)
        # A cell a kind set by hand could not convert is named in the report, with its row.
        tidies[ds.id] = with_kind_failures(tidies[ds.id], out[ds.id])
    return tidies, out, problems


_KEPT_KPI_RESULTS = 2_000  # per-KPI results kept for all sessions (most recently used)


class SharedMemo(MutableMapping[Any, Any]):
    """A memo for the whole server, used from every session's thread: each operation holds
    a lock; the least recently stored entries go when it grows past ``limit``. Its keys
    must say everything a value depends on (``evaluate_scorecard``'s memo keys do)."""

    def __init__(self, limit: int) -> None:
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.limit = limit

    def __getitem__(self, key: Any) -> Any:
        with self._lock:
            return self._items[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            del self._items[key]

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def pop(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
        with self._lock:
            return self._items.pop(key, default)


@st.cache_resource(show_spinner=False)
def kpi_memo() -> SharedMemo:
    """The server's per-KPI results: ``evaluate_scorecard``'s memo for every session."""
    return SharedMemo(_KEPT_KPI_RESULTS)


_KEPT_EVALUATIONS = 16


@st.cache_resource(show_spinner=False)
def _evaluations() -> SharedMemo:
    """Whole evaluations shared by every session (a reload reuses them)."""
    return SharedMemo(_KEPT_EVALUATIONS)


def _dataset_keys(card: Scorecard) -> dict[str, str]:
    """Per dataset, what its rows depend on: the file's content, the column kinds the user
    corrected and the layout corrections."""
    stored = files()
    return {
        ds.id: repr((stored[ds.source].sha, sorted(kinds_override(ds.id).items()), layout_key(ds)))
        for ds in card.datasets
        if ds.source in stored
    }


def _data_key(card: Scorecard) -> str:
    return repr(sorted(_dataset_keys(card).items()))


def evaluation(card: Scorecard) -> tuple[Evaluation, dict[str, KoersError]]:
    """The scorecard evaluated over the uploaded data, with each KPI's reliability.

    Nothing is recomputed on a rerun that changed nothing; after a change to one KPI only
    that KPI is evaluated again (``evaluate_scorecard``'s memo, ``kpi_memo``, shared by the
    sessions); a progress bar shows while KPIs are evaluated.
    """
    as_of = st.session_state.get(AS_OF)
    data_keys = _dataset_keys(card)
    memo_key = (card.to_json(), repr(sorted(data_keys.items())), as_of, date.today())
    # A rerun that changed nothing takes the session's own result.
    memo = st.session_state.get(EVAL_MEMO)
    if memo is not None and memo[0] == memo_key:
        return memo[1], memo[2]
    tidies, data, problems = _load(card)
    ev = recall(_evaluations(), memo_key)
    if ev is None:
        bar = st.empty()

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=tr("dash.evaluating_progress", done=done, total=total))

        ev = evaluate_scorecard(
            card,
            data,
            as_of,
            reports={k: v.report for k, v in tidies.items()},
            rows={k: v.row_numbers for k, v in tidies.items()},
            memo=kpi_memo(),
            data_keys=data_keys,
            progress=progress,
        )
        # A KPI summing several metrics of an unpivoted sheet is refused, with the reason.
        ev = with_metric_errors(ev, tidies)
        bar.empty()
        _evaluations()[memo_key] = ev
    st.session_state[EVAL_MEMO] = (memo_key, ev, problems)
    return ev, problems


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_report(
    kind: str, lang: str, key: str, _ev: Evaluation, _checkins: tuple[CheckIn, ...] = ()
) -> bytes:
    from kpilogic.engine.pillars import scorecard_health
    from kpilogic.present.report import report_xlsx
    from kpilogic.present.report_pdf import report_pdf

    if kind != "xlsx":
        return report_pdf(_ev, lang)
    # The xlsx has a Health check sheet: the three pillars of every KPI.
    scores = _ev.quality.scores if _ev.quality is not None else None
    health = scorecard_health(_ev.scorecard, _ev, reliability=scores, checkins=_checkins)
    return report_xlsx(_ev, lang, checkins=_checkins, health=health)


def report_file(
    kind: str, card: Scorecard, ev: Evaluation, checkins: Sequence[CheckIn] = ()
) -> bytes:
    """The formatted report (``xlsx`` or ``pdf``) of ``ev``, made once per scorecard, data
    and check-ins (the xlsx has a Check-ins sheet)."""
    key = f"{card.to_json()}|{_data_key(card)}|{st.session_state.get(AS_OF)}"
    if kind == "xlsx":  # the health check also depends on today (check-ins age)
        key += "|" + _checkins_key(checkins) + f"|{date.today().isoformat()}"
    return _cached_report(kind, lang(), key, ev, tuple(checkins))


def _checkins_key(checkins: Sequence[CheckIn]) -> str:
    text = json.dumps([c.model_dump(mode="json") for c in checkins], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checkin_caption(checkin: CheckIn | None) -> str:
    """One line on a KPI's latest check-in (note, who, date, next review) for the dashboard."""
    if checkin is None:
        return tr("review.dash.none")
    text = " ".join((checkin.note or checkin.action).split())
    if len(text) > 160:
        text = text[:159].rstrip() + "…"
    line = tr(
        "review.dash.latest",
        period=format_period(checkin.period, lang()),
        date=format_date(checkin.created_at.astimezone().date(), lang()),
        who=plain_md(checkin.who) if checkin.who else "–",
        note=plain_md(text),
    )
    if checkin.next_review:
        line += " · " + tr("review.dash.next", date=format_date(checkin.next_review, lang()))
    return line


def workspace_checkins() -> list[StoredCheckIn]:
    """The open workspace's check-ins, newest first ([] without a workspace or database)."""
    db, ws = store(), workspace_id()
    if db is None or ws is None:
        return []
    try:
        return db.list_checkins(ws)
    except KoersError as exc:
        show_error(exc)
        return []


# -- sample data ---------------------------------------------------------------------------


def load_sample() -> None:
    """Show the sample workbook and its scorecard, in the user's language.

    Nothing is saved: the sample becomes a workspace of the user's only when they change
    something or choose "make it mine" (``make_sample_mine``), so opening it again and again
    never piles up copies in the store. ``?sample=1`` in the address brings it back on reload.
    """
    from kpilogic.sample import SAMPLE_WORKBOOK, sample_scorecard_file

    name = sample_scorecard_file(lang())
    card = Scorecard.from_json((SAMPLE_DIR / name).read_text(encoding="utf-8"))
    data = (SAMPLE_DIR / SAMPLE_WORKBOOK).read_bytes()
    close_workspace()
    ss = st.session_state
    ss[SCORECARD] = card
    sha = hashlib.sha256(data).hexdigest()
    ss[FILES] = {SAMPLE_WORKBOOK: StoredFile(SAMPLE_WORKBOOK, data, sha)}
    ss[SAMPLE] = lang()
    st.query_params["sample"] = "1"


def make_sample_mine() -> None:
    """Save the open sample as a workspace of the user's (with its workbook)."""
    card = scorecard()
    if is_sample() and card is not None:
        set_scorecard(card)


def workspace_for_change() -> str | None:
    """The open workspace's id for a change; the sample is saved as the user's first."""
    if is_sample():
        make_sample_mine()
    return workspace_id()


# -- rendering helpers ---------------------------------------------------------------------


def show_error(exc: KoersError) -> None:
    """A user-caused error, in the user's language (never a traceback)."""
    st.error(safe_message(exc), icon="⚠️")


@contextmanager
def error_boundary() -> Iterator[None]:
    """Run a page so that no exception reaches the screen as a traceback.

    A user-caused ``KoersError`` is shown as its message; anything else as a translated
    "something went wrong" with a short reference, while the detail (traceback, paths) goes
    to the server log under that reference. Streamlit's own control flow (``st.stop``,
    ``st.rerun``, page switches) passes through: it is no ``Exception``.
    """
    try:
        yield
    except KoersError as exc:
        show_error(exc)
    except Exception:
        ref = secrets.token_hex(4)
        _log.exception("page failed (reference %s)", ref)
        st.error(tr("app.page_failed", ref=ref), icon="⚠️")
        # The test suite sets this, so that a page that fails still fails its test (AppTest
        # reports the exception) instead of passing with a polite message on screen.
        if os.environ.get(RAISE_PAGE_ERRORS_ENV) == "1":
            raise


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


class Md(str):
    """Text that is already Markdown made by the app (user text in it escaped): ``tr`` and
    ``plain_md`` pass it through unchanged."""

    __slots__ = ()


# What can make text active in Streamlit's Markdown: links and images ([ ]), autolinks and
# HTML (< >), bare URLs and e-mail addresses (: @ and "www."), Streamlit's :colour[...] and
# :emoji: / :material/...: codes (:), maths ($), code (`), emphasis and strike-through
# (* ~, and _ where it can open or close emphasis), headings (#), escapes themselves (\\).
# Line breaks become spaces, so no text can start a heading, list or quote of its own.
_MARKDOWN_SPECIALS = re.compile(
    r"([\\`*\[\]<>:~$@#|])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|(?i:\b(www)\.)"
)
_LINE_BREAKS = re.compile(r"[\r\n\v\f\u0085\u2028\u2029]+")


# Streamlit's Markdown (remark-gfm) links bare web and e-mail addresses after escapes are
# resolved, so a backslash cannot stop it: an invisible word joiner inside "://", "www." and
# before "@" does, and the text still reads (and is copied) as typed.
_JOINER = "\u2060"


def _escape(match: re.Match[str]) -> str:
    if match.group(2):  # www.
        return match.group(2) + _JOINER + "\\."
    char = match.group(0)
    if char == ":" and match.string.startswith("//", match.end()):
        return "\\:" + _JOINER
    if char == "@":
        return _JOINER + "\\@"
    return "\\" + char


def plain_md(text: str) -> Md:
    """User text made safe to show inside Markdown: shown as the characters typed, never as
    a link, image, heading, emphasis, maths or HTML. Already-safe ``Md`` is kept as it is."""
    if isinstance(text, Md):
        return text
    return Md(_MARKDOWN_SPECIALS.sub(_escape, _LINE_BREAKS.sub(" ", str(text))))


def _md_param(value: Any) -> Any:
    if isinstance(value, str):
        return plain_md(value)
    return value


def plain_lines(text: str) -> Md:
    """Plain text of several lines (joined by Markdown line breaks, ``"  \\n"``) for Markdown:
    each line escaped, the breaks kept."""
    return Md("  \n".join(plain_md(line) for line in text.split("  \n")))


def safe_message(item: Any) -> str:
    """The message of a ``KoersError`` or a note (layout decision, quality finding) in the
    user's language, for Markdown: its text parameters (file, sheet and column names, values
    from the file) escaped like ``tr``'s."""
    lang_ = lang()
    if isinstance(item, KoersError):
        clone = _escaped_error(item)
        cause = getattr(item, "cause", None)
        if isinstance(cause, KoersError):
            clone.cause = _escaped_error(cause)  # type: ignore[attr-defined]
        return clone.message(lang_)
    params = getattr(item, "params", None)
    if dataclasses.is_dataclass(item) and isinstance(params, dict | MappingProxyType):
        escaped = {k: _md_param_deep(v) for k, v in params.items()}
        return str(dataclasses.replace(item, params=escaped).message(lang_))  # type: ignore[type-var]
    return plain_md(str(item.message(lang_)))


def _escaped_error(exc: KoersError) -> KoersError:
    # A shallow copy without calling __init__ (subclasses take other arguments).
    clone = type(exc).__new__(type(exc), *exc.args)
    clone.__dict__.update(exc.__dict__)
    clone.params = {k: _md_param_deep(v) for k, v in exc.params.items()}
    return clone


def _md_param_deep(value: Any) -> Any:
    if isinstance(value, str):
        return plain_md(value)
    if isinstance(value, list | tuple):
        return type(value)(_md_param_deep(v) for v in value)
    return value


def notice() -> None:
    """Show (once) a message left by the previous run, e.g. after saving; while a save is
    refused (someone else saved first) show that instead, with the reload button."""
    message = st.session_state.pop(NOTICE, None)
    if st.session_state.get(CONFLICT):
        show_conflict()
    elif message:
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
    # A choice without a value shows a placeholder: ours, not Streamlit's "Choose an option".
    if widget is st.selectbox:
        kwargs.setdefault("placeholder", tr("flows.choose_one"))
    elif widget is st.multiselect:
        kwargs.setdefault("placeholder", tr("flows.choose_many"))
    value = widget(label, key=key, **kwargs)
    draft[name] = value
    return value


# -- routing guard ---------------------------------------------------------------------------


_routing = threading.local()  # per script-run thread: is app.py's router running the page?


@contextmanager
def routed() -> Iterator[None]:
    """``app.py`` runs the chosen page inside this, so pages know the router is active."""
    _routing.active = True
    try:
        yield
    finally:
        _routing.active = False


def route_guard() -> None:
    """Make a page that Streamlit started on its own go through ``app.py``'s router.

    Streamlit treats a ``pages/`` folder as an old-style multipage app until the first
    ``st.navigation`` call in the process (AppTest resets that on every run), so a first
    request for ``/dashboard`` can run the page without the router: no sidebar, no session
    bootstrap, no workspace. Every page calls this first; when the router is not running it,
    it switches the old mode off, runs ``app.py`` (which shows the same page: same url
    path, same page hash) and stops. Judged per run, not by the process-wide flag: two
    first requests at once (a reconnect and a reload) would otherwise race.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not getattr(_routing, "active", False):
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
        st.stop()
