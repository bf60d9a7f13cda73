"""The session's workspace: signing in, the store, opening and saving the scorecard, files.

Every store call goes through ``store()``, the database as the signed-in user sees it, so
every call checks the user's role.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NoReturn

import streamlit as st

from kpilogic.errors import KoersError, StoreError
from kpilogic.i18n import format_date, format_period, languages, normalise_lang
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Scorecard
from kpilogic.sources.parsing import ColumnKind
from kpilogic.workspace import service
from kpilogic.workspace.access import LOCAL_USER, AccessDenied, ConflictError, role_at_least
from kpilogic.workspace.service import SourceFile
from kpilogic.workspace.store import (
    Store,
    StoredCheckIn,
    UserStore,
    default_db_location,
    recovery_message,
)
from ui.keys import (
    AS_OF,
    CONFLICT,
    FILES,
    LANG,
    ROLE,
    RUN_MARKER,
    SAMPLE,
    SAMPLE_DIR,
    SAVED_SETTINGS,
    SCORECARD,
    VERSION,
    WORKSPACE,
)
from ui.routing import PAGES
from ui.text import Md, browser_locale, lang, plain_md, safe_message, set_notice, show_error, tr


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
        db.update_settings(ws, current)  # merged: the digest plan and others stay
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
        opened = service.open_workspace(db, ws_id)
    except KoersError as exc:
        missing = isinstance(exc, AccessDenied | StoreError)
        show_error(AccessDenied() if from_address and missing else exc)
        return False
    ss = st.session_state
    ss.pop(SAMPLE, None)
    st.query_params.pop("sample", None)
    settings, card = opened.settings, opened.scorecard
    ss[WORKSPACE] = ws_id
    ss[SCORECARD] = card
    ss[VERSION] = opened.version
    ss[ROLE] = opened.role
    ss.pop(CONFLICT, None)
    ss[FILES] = dict(opened.sources)
    as_of = settings.get("as_of")
    ss[AS_OF] = date.fromisoformat(as_of) if as_of else None
    # The language kept with the workspace; in team mode each person keeps their own.
    if settings.get("lang") in languages() and not auth_enabled():
        ss[LANG] = settings["lang"]
    ss[SAVED_SETTINGS] = json.loads(json.dumps(_settings()))
    if settings.get("kinds") and role_at_least(opened.role, "editor"):
        # Column types corrected by an older Koers were kept in the settings; they are on
        # the scorecard now (``service.with_legacy_kinds``): saved there once, then dropped.
        _move_legacy_kinds(db, ws_id, card, opened.version, settings)
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
    ss[AS_OF] = None
    ss.pop(SAVED_SETTINGS, None)
    ss.pop(SAMPLE, None)
    for key in [k for k in ss if str(k).startswith(("koers_goal_", "koers_kpi_"))]:
        del ss[key]
    st.query_params.pop("ws", None)
    st.query_params.pop("sample", None)


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
        ss[LANG] = normalise_lang(browser_locale())
    ss.setdefault(SCORECARD, None)
    ss.setdefault(FILES, {})
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


def files() -> dict[str, SourceFile]:
    """Uploaded files by name."""
    value: dict[str, SourceFile] = st.session_state[FILES]
    return value


def add_file(name: str, data: bytes, entries: Sequence[Mapping[str, Any]] = ()) -> SourceFile:
    """Keep an uploaded file with the workspace (replacing one with the same name);
    ``entries``: the values typed into a table kept in Koers, for the audit log.

    Raises:
        StoreError: when the file is over the size limit of the workspace store.
    """
    stored = SourceFile(name, data, hashlib.sha256(data).hexdigest())
    if is_sample():
        make_sample_mine()
    ensure_scorecard()
    db, ws = store(), workspace_id()
    if db is not None and ws is not None:
        db.save_file(ws, name, data, entries)
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
    """The column kinds the user corrected for a dataset (kept on the scorecard)."""
    card = scorecard()
    ds = next((d for d in card.datasets if d.id == dataset_id), None) if card else None
    return dict(ds.column_kinds) if ds is not None else {}


def set_column_kinds(dataset_id: str, kinds: dict[str, ColumnKind]) -> bool:
    """Save the user's column-type corrections of a dataset on the scorecard; True when they
    changed and were saved."""
    card = scorecard()
    if card is None or kinds_override(dataset_id) == kinds:
        return False
    try:
        changed = service.with_column_kinds(card, {dataset_id: kinds})
    except KoersError as exc:
        show_error(exc)
        return False
    return set_scorecard(changed)


def _move_legacy_kinds(
    db: UserStore, ws_id: str, card: Scorecard, version: int, settings: Mapping[str, Any]
) -> None:
    try:
        if card != db.load_latest(ws_id)[0]:
            st.session_state[VERSION] = db.save_scorecard(ws_id, card, version)
        if service.legacy_kinds_moved(card, settings):
            db.update_settings(ws_id, {"kinds": None})
    except KoersError as exc:
        show_error(exc)


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
        line = Md(
            line + " · " + tr("review.dash.next", date=format_date(checkin.next_review, lang()))
        )
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
    ss[FILES] = {SAMPLE_WORKBOOK: SourceFile(SAMPLE_WORKBOOK, data, sha)}
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
