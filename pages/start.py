"""Start: what Koers does, how to begin, your saved scorecards, and short guidance."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.i18n import format_date
from kpilogic.model import Scorecard
from pages.shared import (
    PAGES,
    close_workspace,
    lang,
    load_sample,
    notice,
    open_workspace,
    plain_md,
    route_guard,
    scorecard,
    set_notice,
    set_scorecard,
    show_error,
    store,
    tr,
    tr_plain,
    workspace_id,
)

route_guard()
MAX_SCORECARD_BYTES = 2_000_000
CONFIRM = "koers_start_confirm_delete"

notice()
L = lang()
st.title(tr("start.title"))
st.markdown(tr("start.intro"))

card = scorecard()
cols = st.columns(3)
with cols[0], st.container(border=True):
    st.subheader(tr("start.sample.title"))
    st.write(tr("start.sample.text"))
    if st.button(tr("start.sample.button"), key="start_sample", type="primary"):
        load_sample()
        set_notice(tr("start.sample.loaded"))
        st.switch_page(PAGES["dashboard"])
with cols[1], st.container(border=True):
    st.subheader(tr("start.upload.title"))
    st.write(tr("start.upload.text"))
    if st.button(tr("start.upload.button"), key="start_upload"):
        close_workspace()
        st.switch_page(PAGES["data"])
with cols[2], st.container(border=True):
    st.subheader(tr("start.continue.title"))
    if card is None:
        st.write(tr("start.continue.none"))
    else:
        st.write(
            tr("start.continue.text", name=card.name, goals=len(card.goals), kpis=len(card.kpis))
        )
        if st.button(tr("start.continue.button"), key="start_continue"):
            st.switch_page(PAGES["dashboard"] if card.kpis else PAGES["goals"])


def _when(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{format_date(local.date(), L)} {local:%H:%M}"


db = store()
if db is not None:
    st.subheader(tr("start.workspaces"))
    st.caption(tr("start.workspaces_help"))
    try:
        workspaces = db.list_workspaces()
    except KoersError as exc:
        show_error(exc)
        workspaces = []
    current = workspace_id()
    for ws in workspaces:
        with st.container(border=True):
            row = st.columns([5, 2, 2, 1])
            mark = "▶ " if ws.id == current else ""
            row[0].markdown(f"**{mark}{plain_md(ws.name)}**")
            row[0].caption(tr("start.ws_changed", when=_when(ws.updated_at)))
            opened = ws.id != current and row[1].button(tr("start.ws_open"), key=f"ws_open_{ws.id}")
            if opened and open_workspace(ws.id):
                set_notice(tr("start.ws_opened", name=ws.name))
                st.rerun()
            if row[2].button(tr("start.ws_duplicate"), key=f"ws_dup_{ws.id}"):
                copy = db.duplicate_workspace(ws.id, tr_plain("start.ws_copy_name", name=ws.name))
                open_workspace(copy.id)
                set_notice(tr("start.ws_duplicated", name=copy.name))
                st.rerun()
            if row[3].button("🗑️", key=f"ws_delete_{ws.id}", help=tr("start.ws_delete")):
                st.session_state[CONFIRM] = ws.id
                st.rerun()
            if st.session_state.get(CONFIRM) == ws.id:
                st.warning(tr("start.ws_confirm_delete", name=ws.name), icon="🗑️")
                yes, no = st.columns(2)
                if yes.button(
                    tr("start.ws_delete_yes"), key=f"ws_delete_yes_{ws.id}", type="primary"
                ):
                    db.delete_workspace(ws.id)
                    if ws.id == current:
                        close_workspace()
                    st.session_state.pop(CONFIRM, None)
                    set_notice(tr("start.ws_deleted", name=ws.name))
                    st.rerun()
                if no.button(tr("start.ws_delete_no"), key=f"ws_delete_no_{ws.id}"):
                    st.session_state.pop(CONFIRM, None)
                    st.rerun()

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
                if st.button(tr("start.version_restore"), key="ws_version_restore"):
                    restored = db.restore_version(current, chosen)
                    st.session_state["koers_scorecard"] = restored
                    set_notice(tr("start.version_restored", version=chosen))
                    st.rerun()

    with st.expander(tr("start.import")):
        st.caption(tr("start.import_help"))
        up = st.file_uploader(tr("start.import_file"), type=["json"], key="scorecard_upload")
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
