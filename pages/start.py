"""Start: what Koers does, how to begin, your saved scorecards, and short guidance."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.i18n import format_date
from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.access import role_at_least
from kpilogic.workspace.store import TRASH_DAYS
from ui.access import audit_panel, role_caption, sharing_panel, trash_panel
from ui.keys import SAMPLE_OFFERED
from ui.routing import PAGES, route_guard
from ui.session import (
    can,
    close_workspace,
    is_sample,
    load_sample,
    make_sample_mine,
    open_workspace,
    scorecard,
    set_scorecard,
    store,
    workspace_id,
)
from ui.text import lang, plain_md, set_notice, show_error, tr, tr_plain
from ui.widgets import notice

route_guard()
MAX_SCORECARD_BYTES = 2_000_000
CONFIRM = "koers_start_confirm_delete"

notice()
L = lang()
st.title(tr("start.title"))
st.markdown(tr("start.intro"))


def _import_scorecard() -> None:
    """Open a downloaded scorecard file as a new workspace (part of "use your own data")."""
    with st.expander(tr("start.import")):
        st.caption(tr("start.import_help"))
        up = st.file_uploader(tr("start.import_file"), type=["json"], key="scorecard_upload")
        st.caption(tr("flows.start.import_uploader_help"))  # Streamlit's texts stay English
        if up is not None and st.button(tr("start.import_button"), key="scorecard_import"):
            raw = up.getvalue()
            try:
                if len(raw) > MAX_SCORECARD_BYTES:
                    raise KoersError(
                        "error.scorecard.too_large", limit_mb=MAX_SCORECARD_BYTES // 1_000_000
                    )
                imported = Scorecard.from_json(raw)
            except KoersError as exc:
                show_error(exc)
            else:
                close_workspace()  # an upload always becomes a new workspace
                set_scorecard(imported)
                set_notice(tr("start.imported", name=imported.name))
                st.switch_page(PAGES["data"])


def _upload_card() -> None:
    """The "Upload your own file" button: into the open workspace when the user may change it (a
    workspace opened from its address, ``?ws=``, included); else into a new scorecard."""
    open_card = scorecard()
    if workspace_id() is not None and open_card is not None and can("editor"):
        st.write(tr("flows.start.upload_into", name=open_card.name))
        if st.button(tr("start.upload.button"), key="start_upload"):
            st.switch_page(PAGES["data"])  # the Data page adds the file to this workspace
        if st.button(tr("flows.start.upload_new"), key="start_upload_new"):
            _start_new()
        return
    st.write(tr("start.upload.text"))
    if st.button(tr("start.upload.button"), key="start_upload"):
        _start_new()


def _start_new() -> None:
    close_workspace()
    # A new, empty scorecard: the sample that `./dev.sh app` offers is not opened instead.
    st.session_state[SAMPLE_OFFERED] = True
    st.switch_page(PAGES["data"])


card = scorecard()
db = store()
try:
    workspaces = db.list_workspaces() if db is not None else []
except KoersError as exc:
    show_error(exc)
    workspaces = []
current = workspace_id()
# A first visit (nothing saved yet) offers two ways in and nothing else.
first_visit = not workspaces and current is None
cols = st.columns(2 if current is None else 3)
with cols[0], st.container(border=True):
    st.subheader(tr("start.sample.title"))
    st.write(tr("start.sample.text"))
    if is_sample():
        st.caption(tr("start.sample.open_unsaved"))
        show, mine = st.columns(2)
        if show.button(tr("start.sample.show"), key="start_sample_show", type="primary"):
            st.switch_page(PAGES["dashboard"])
        if mine.button(tr("start.sample.make_mine"), key="start_sample_mine"):
            make_sample_mine()
            set_notice(tr("start.sample.made_mine", name=plain_md(card.name if card else "")))
            st.rerun()
    elif st.button(tr("start.sample.button"), key="start_sample", type="primary"):
        load_sample()
        set_notice(tr("start.sample.loaded"))
        st.switch_page(PAGES["dashboard"])
with cols[1], st.container(border=True):
    st.subheader(tr("start.upload.title"))
    _upload_card()
    _import_scorecard()
if current is not None and card is not None:
    with cols[2], st.container(border=True):
        st.subheader(tr("start.continue.title"))
        st.write(
            tr(
                "start.continue.text",
                name=plain_md(card.name),
                goals=len(card.goals),
                kpis=len(card.kpis),
            )
        )
        if st.button(tr("start.continue.button"), key="start_continue"):
            st.switch_page(PAGES["dashboard"] if card.kpis else PAGES["goals"])
if first_visit:
    if db is not None:
        trash_panel(db)  # a user whose workspaces are all in the trash can still restore them
    st.stop()


def _when(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{format_date(local.date(), L)} {local:%H:%M}"


if db is not None:
    st.subheader(tr("start.workspaces"))
    st.caption(tr("start.workspaces_help"))
    names = [ws.name for ws in workspaces]
    open_ws = next((ws for ws in workspaces if ws.id == current), None)
    for ws in workspaces:
        with st.container(border=True, key=f"ws_row_{ws.id}"):
            row = st.columns([5, 2, 2, 1])
            mark = "▶ " if ws.id == current else ""
            row[0].markdown(f"**{mark}{plain_md(ws.name)}**")
            changed = tr("start.ws_changed", when=_when(ws.updated_at))
            if names.count(ws.name) > 1:  # never two entries that look the same
                changed += " · " + tr("start.ws_created", when=_when(ws.created_at), id=ws.id[:8])
            row[0].caption(" · ".join(filter(None, (changed, role_caption(ws.role)))))
            opened = ws.id != current and row[1].button(tr("start.ws_open"), key=f"ws_open_{ws.id}")
            if opened and open_workspace(ws.id):
                set_notice(tr("start.ws_opened", name=ws.name))
                st.rerun()
            # A viewer sees no duplicate or delete; only an owner deletes.
            if role_at_least(ws.role, "editor") and row[2].button(
                tr("start.ws_duplicate"), key=f"ws_dup_{ws.id}"
            ):
                try:
                    copy_name = tr_plain("start.ws_copy_name", name=ws.name)
                    copy = db.duplicate_workspace(ws.id, copy_name)
                except KoersError as exc:
                    show_error(exc)
                else:
                    open_workspace(copy.id)
                    set_notice(tr("start.ws_duplicated", name=copy.name))
                    st.rerun()
            if role_at_least(ws.role, "owner") and row[3].button(
                "🗑️", key=f"ws_delete_{ws.id}", help=tr("start.ws_delete")
            ):
                st.session_state[CONFIRM] = ws.id
                st.rerun()
            if st.session_state.get(CONFIRM) == ws.id:
                st.warning(tr("start.ws_confirm_delete", name=ws.name, days=TRASH_DAYS), icon="🗑️")
                yes, no = st.columns(2)
                if yes.button(
                    tr("start.ws_delete_yes"), key=f"ws_delete_yes_{ws.id}", type="primary"
                ):
                    st.session_state.pop(CONFIRM, None)
                    try:
                        db.delete_workspace(ws.id)
                    except KoersError as exc:
                        show_error(exc)
                    else:
                        if ws.id == current:
                            close_workspace()
                        set_notice(
                            tr("access_ui.trash.deleted", name=plain_md(ws.name), days=TRASH_DAYS)
                        )
                        st.rerun()
                if no.button(tr("start.ws_delete_no"), key=f"ws_delete_no_{ws.id}"):
                    st.session_state.pop(CONFIRM, None)
                    st.rerun()

    trash_panel(db)
    if open_ws is not None:
        sharing_panel(db, open_ws)
        audit_panel(db, open_ws)

    if current is not None:
        with st.expander(tr("start.versions")):
            versions = db.list_versions(current)
            if len(versions) < 2:
                st.write(tr("start.versions_none"))
            else:
                labels = {
                    v.version: tr_plain(
                        "start.version_label", version=v.version, when=_when(v.saved_at)
                    )
                    for v in versions
                }
                chosen = st.selectbox(
                    tr("start.version_pick"),
                    list(labels),
                    format_func=labels.__getitem__,
                    key="ws_version",
                )
                old = db.load_version(current, chosen)
                st.caption(
                    tr(
                        "start.version_summary",
                        goals=len(old.goals),
                        kpis=len(old.kpis),
                        names=", ".join(k.name for k in old.kpis[:8]) or "–",
                    )
                )
                if (
                    open_ws is not None
                    and role_at_least(open_ws.role, "editor")
                    and st.button(tr("start.version_restore"), key="ws_version_restore")
                ):
                    db.restore_version(current, chosen)
                    open_workspace(current, keep_drafts=True)  # restored card, new version
                    set_notice(tr("start.version_restored", version=chosen))
                    st.rerun()


st.divider()
st.subheader(tr("start.guide.title"))
with st.expander(tr("start.guide.kpi.title"), expanded=True):
    st.markdown(tr("start.guide.kpi.text"))
with st.expander(tr("start.guide.goal.title")):
    st.markdown(tr("start.guide.goal.text"))
with st.expander(tr("start.guide.pillars.title")):
    st.markdown(tr("start.guide.pillars.text"))
with st.expander(tr("start.guide.review.title")):
    st.markdown(tr("start.guide.review.text"))
