"""The KPI draft kept in the store, so a browser reload or a server restart loses nothing.

At the end of each run of the KPI page ``keep_draft`` writes the draft (with the goal it is
for and, while a KPI is edited, that KPI as the edit started) into the workspace's settings
under the user's own key (``UserStore.save_draft``), but only once it differs from the draft
the form started with and only when its JSON changed since the last write. A session without
a draft in memory brings the stored one back (``restore_draft``) and says so
(``restore_notice``), also when the KPI was saved or deleted meanwhile or its dataset is gone.
Saving the KPI, discarding the draft or starting a new one forgets it. Only editors keep a
draft (the page is theirs); the sample becomes the user's workspace when a draft changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.store import UserStore, draft_json
from ui.kpi_form.draft import KpiDraft
from ui.kpi_form.state import (
    BASE,
    DRAFT,
    GOAL,
    PRISTINE,
    RESTORED,
    STORED,
    clear_widgets,
    new_draft,
)
from ui.session import can, is_sample, make_sample_mine, store, workspace_id
from ui.text import safe_message, set_notice, show_error, tr

FORM = "kpi"  # the form's name in the store's draft key
# The stored draft is one this session wrote: only then may a form back as it started forget
# it (a draft another tab wrote, or one brought back here, is forgotten only on purpose).
OWN = "koers_kpi_draft_own"
_UNKNOWN = object()  # what is stored is not known yet in this session


def _target() -> tuple[UserStore, str] | None:
    """The store and workspace a draft is kept in (None: not kept, e.g. for the sample)."""
    ws = workspace_id()
    if ws is None or not can("editor"):
        return None
    db = store()
    return None if db is None else (db, ws)


def _envelope(draft: KpiDraft, card: Scorecard, goal_id: str | None) -> dict[str, Any]:
    dataset = next((d.name for d in card.datasets if d.id == draft.dataset_id), None)
    return {
        "draft": json.loads(draft.to_json()),
        "goal": goal_id,
        "base": st.session_state.get(BASE),
        "dataset_name": dataset,
    }


def _write(target: tuple[UserStore, str], kept: str | None) -> None:
    db, ws = target
    try:
        db.save_draft(ws, FORM, None if kept is None else json.loads(kept))
    except KoersError as exc:
        show_error(exc)
        return
    st.session_state[STORED] = kept
    st.session_state[OWN] = kept is not None


def keep_draft(draft: KpiDraft, card: Scorecard, goal_id: str | None) -> None:
    """At the end of the page's run: keep ``draft`` in the store when it changed since the
    form started it and since the last write; forget the stored one when it is as it
    started. A draft too large to keep is said (and an older stored one forgotten, so a
    reload never brings back something other than what the user left). The sample becomes
    the user's own workspace at the first change of a draft, as at any other change."""
    ss = st.session_state
    try:
        text = draft.to_json()
    except (TypeError, ValueError):  # a value no JSON can hold: not kept, said
        st.warning(tr("kpis.draft.not_kept"), icon="💾")
        _forget_own()  # a reload must not bring back an older text than the one on screen
        return
    pristine = ss.setdefault(PRISTINE, text)
    kept: str | None = None
    if text != pristine:
        try:
            kept = draft_json(_envelope(draft, card, goal_id))
        except (KoersError, TypeError, ValueError) as exc:
            # too large (or not JSON): said, not kept
            message = (
                safe_message(exc) if isinstance(exc, KoersError) else tr("kpis.draft.not_kept")
            )
            st.warning(message, icon="💾")
            _forget_own()
            return
    if kept is not None and is_sample():
        make_sample_mine()
    target = _target()
    if target is None or ss.get(STORED, _UNKNOWN) == kept:
        return
    if kept is None and not ss.get(OWN):
        return  # back as it started: a draft this session did not write stays kept
    _write(target, kept)


def _forget_own() -> None:
    """Forget the stored draft when this session wrote it."""
    target = _target()
    if target is not None and st.session_state.get(OWN):
        _write(target, None)


def forget_draft() -> None:
    """Forget the stored draft (after saving the KPI or discarding the draft)."""
    target = _target()
    if target is not None:
        _write(target, None)


def restore_draft(card: Scorecard, usable: Sequence[str]) -> None:
    """When the session has no draft in memory: bring back the draft the store keeps for
    this user and workspace, with a notice saying so (``restore_notice``) and what changed
    meanwhile: the KPI deleted or saved by someone else, a KPI of the same name saved, the
    dataset gone (the dataset field then asks for a choice). One that cannot be read is
    said and dropped."""
    target = _target()
    if target is None:
        return
    db, ws = target
    ss = st.session_state
    try:
        stored = db.load_draft(ws, FORM)
    except KoersError as exc:
        show_error(exc)
        return
    ss[STORED] = None if stored is None else json.dumps(stored, ensure_ascii=False, sort_keys=True)
    if stored is None:
        return
    try:
        draft = KpiDraft.from_json(json.dumps(stored.get("draft")))
    except (ValueError, TypeError):
        st.warning(tr("kpis.draft.unreadable"), icon="💾")
        _write(target, None)
        return
    base = stored.get("base") if draft.id else None
    name = draft.name.strip()
    lines: list[tuple[str, dict[str, str]]] = []  # message keys and their parameters
    if draft.id:
        kpi = next((k for k in card.kpis if k.id == draft.id), None)
        if kpi is None:  # deleted meanwhile: the page keeps the text as a new KPI
            lines.append(("kpis.draft.deleted", {"name": name or draft.id}))
            draft.id, base = None, None
        elif isinstance(base, dict) and kpi.model_dump(mode="json") != base:
            lines.append(("kpis.draft.changed", {"name": kpi.name}))
    elif name and any(k.name.strip().casefold() == name.casefold() for k in card.kpis):
        lines.append(("kpis.draft.exists", {"name": name}))
    if draft.dataset_id not in usable:  # the dataset field falls back to the first one
        gone = stored.get("dataset_name") or draft.dataset_id
        lines.append(("kpis.draft.dataset_gone", {"dataset": str(gone)}))
    goal = stored.get("goal")
    if any(g.id == goal for g in card.goals):
        ss[GOAL] = goal
        ss.pop("kpi_goal", None)
    ss[DRAFT] = draft
    clear_widgets()
    ss[PRISTINE] = ""  # as brought back: kept until saved or discarded
    if base is None:
        ss.pop(BASE, None)
    else:
        ss[BASE] = base
    ss[RESTORED] = {"name": name, "lines": lines}


def discard_draft() -> None:
    """Callback: forget the draft, here and in the store, and start an empty one."""
    forget_draft()
    new_draft()
    set_notice(tr("kpis.draft.discarded"))


def restore_notice() -> None:
    """The notice of a draft brought back, with what changed meanwhile, a button that
    discards it and one that closes the notice."""
    shown = st.session_state.get(RESTORED)
    if not isinstance(shown, dict):
        return
    name = str(shown.get("name") or "")
    text = tr("kpis.draft.back", name=name) if name else tr("kpis.draft.back_unnamed")
    lines = [tr(key, **params) for key, params in shown.get("lines", [])]
    with st.container(key="kpi_draft_restored"):
        if lines:
            st.warning("\n\n".join([text, *lines]), icon="💾")
        else:
            st.info(text, icon="💾")
        buttons = st.container(horizontal=True)
        buttons.button(tr("kpis.draft.discard"), key="kpi_draft_discard", on_click=discard_draft)
        buttons.button(
            tr("kpis.draft.keep"),
            key="kpi_draft_keep",
            on_click=lambda: st.session_state.pop(RESTORED, None),
        )
