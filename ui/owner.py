"""Owner entry on screen (issue 18): who gets the "Mijn KPI's" page, and its parts.

In team mode a contributor (a member who may enter values and check-ins for the KPIs they
own) sees only that page; anyone else who owns a KPI of the open workspace gets it beside the
others. The rules for what may be entered are ``kpilogic.workspace.entry``; the store checks
them again on every save.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import streamlit as st

from kpilogic.engine.evaluate import Evaluation
from kpilogic.errors import EntryError, KoersError
from kpilogic.i18n import format_period
from kpilogic.present.report import kpi_lines, value_vs_target
from kpilogic.scorecard.explain import left_out_note, status_badge
from kpilogic.workspace import entry
from kpilogic.workspace.service import SourceFile
from ui.session import (
    auth_enabled,
    current_user,
    files,
    open_workspace,
    scorecard,
    store,
    workspace_id,
    workspace_role,
)
from ui.text import lang, plain_md, safe_message, set_notice, show_error, tr

_ROUND = "koers_mine_round"  # bumped after a save: the fields start empty again
# A save refused because someone else filled a cell meanwhile: the refusal's parameters, shown
# above the refreshed fields until the next save.
_CONFLICT = "koers_mine_conflict"


def contributor_view() -> bool:
    """True when the user should see only "Mijn KPI's": team mode and a contributor in the
    open workspace. With no workspace open, one where the user is a contributor is opened
    when every workspace they may see is one (so they land on their own page)."""
    if not auth_enabled():
        return False
    if workspace_id() is not None:
        return workspace_role() == "contributor"
    db = store()
    if db is None:
        return False
    try:
        mine = db.list_workspaces()
    except KoersError:
        return False
    if mine and all(ws.role == "contributor" for ws in mine):
        return open_workspace(mine[0].id)
    return False


def owns_kpis() -> bool:
    """True in team mode when a KPI of the open scorecard has the user as its owner."""
    card = scorecard()
    if not auth_enabled() or card is None:
        return False
    return bool(entry.owned_kpis(card, current_user()))


def workspace_choice() -> None:
    """A choice of the user's workspaces (when there is more than one): opening another
    stays on this page."""
    db = store()
    if db is None:
        return
    try:
        spaces = db.list_workspaces()
    except KoersError as exc:
        show_error(exc)
        return
    if len(spaces) < 2:
        return
    names = {ws.id: ws.name for ws in spaces}
    current = workspace_id()
    ids = list(names)
    chosen = st.selectbox(
        tr("mine.choose"),
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=lambda ws_id: names[ws_id],
        key="mine_workspace",
    )
    if chosen != current and open_workspace(chosen):
        st.rerun()


def status_table(ev: Evaluation, email: str) -> None:
    """The user's KPIs: latest period, value against target, status."""
    mine = {kpi.id for kpi in entry.owned_kpis(ev.scorecard, email)}
    records = []
    notes: list[str] = []
    for line in kpi_lines(ev):
        if line.kpi.id not in mine:
            continue
        period = format_period(str(line.row["period"]), lang()) if line.row is not None else "–"
        records.append(
            {
                tr("mine.col.kpi"): line.kpi.name,
                tr("mine.col.period"): period,
                tr("mine.col.value"): value_vs_target(line, lang(), ev.scorecard.currency)
                if line.row is not None
                else "–",
                tr("mine.col.status"): status_badge(line.status, lang()),
            }
        )
        note = (
            left_out_note({str(k): v for k, v in line.row.items()}, lang())
            if line.row is not None
            else None
        )
        if note:
            notes.append(f"{line.kpi.name}: {note}")
    st.dataframe(pd.DataFrame(records), hide_index=True, width="stretch")
    # A figure built without some rows (a region not entered yet) says so beside the table
    # (the table is drawn on a canvas: its cells are not text a reader can find).
    for note in notes:
        st.caption("⚠️ " + plain_md(note))


def entry_form(ev: Evaluation, email: str, as_of: date) -> None:
    """A field per value due from the user, and the button that saves them."""
    tables = {name: kept.data for name, kept in files().items()}
    work = entry.owner_work(ev, email, as_of, tables)
    L = lang()
    st.subheader(tr("mine.due.title"), help=tr("mine.due.help"))
    for due in work.from_files:
        ds = next((d for d in ev.scorecard.datasets if d.id == due.kpi.dataset_id), None)
        source = ds.source if ds is not None else "–"
        st.info(
            tr(
                "mine.from_file",
                kpi=due.kpi.name,
                period=format_period(due.period, L),
                file=source,
            ),
            icon="📄",
        )
    for kpi in work.no_segment:
        ds = next((d for d in ev.scorecard.datasets if d.id == kpi.dataset_id), None)
        st.info(tr("mine.no_segment", kpi=kpi.name, table=ds.name if ds else "–"), icon="🧩")
    conflict = st.session_state.get(_CONFLICT)
    if isinstance(conflict, dict) and conflict.get("ws") == workspace_id():
        st.warning(safe_message(EntryError("mine.conflict", **conflict["params"])), icon="🔄")
    if not work.fields:
        if not work.from_files and not work.no_segment:
            st.success(tr("mine.due.none"), icon="✅")
        return
    round_ = int(st.session_state.get(_ROUND, 0))
    texts: dict[tuple[str, str, str, str], str] = {}
    with st.form(key=f"mine_form_{round_}", border=True):
        for item in work.fields:
            notes = [tr("mine.due.for", kpis=", ".join(k.name for k in item.kpis))]
            if item.late:
                notes.append(tr("mine.due.late"))
            label = entry.field_label(item, L)  # segment names come from the table: escaped
            texts[item.key] = st.text_input(
                plain_md(label),
                # Keyed by the cell, not the position: after a refresh the fields that
                # remain keep what the user typed in them.
                key=f"mine_value_{round_}_{hashlib.sha256(repr(item.key).encode()).hexdigest()[:16]}",
                max_chars=40,
            )
            st.caption(" · ".join(notes))
        pressed = st.form_submit_button(tr("mine.save"), type="primary", icon="💾", key="mine_save")
    if pressed:
        _save(work.fields, texts)


def _save(
    fields: tuple[entry.EntryField, ...], texts: dict[tuple[str, str, str, str], str]
) -> None:
    st.session_state.pop(_CONFLICT, None)
    values, problems = entry.read_entries(fields, texts, lang())
    for problem in problems:
        st.error(plain_md(problem), icon="⚠️")
    if problems:
        return
    if not values:
        st.warning(tr("mine.nothing_typed"), icon="✍️")
        return
    datasets = {item.dataset.id: item.dataset for item in fields}
    db, ws = store(), workspace_id()
    if db is None or ws is None:
        return
    saved = 0
    for ds_id, typed in values.items():
        ds = datasets[ds_id]
        try:
            # Merged by the store into the table as it is now (another owner may have
            # entered theirs since this page was drawn), with the role checked there.
            # Each field was an empty cell when the page was drawn: one someone filled
            # meanwhile is refused, not overwritten.
            data, changed = db.enter_values(ws, ds.source, typed, dict.fromkeys(typed))
        except KoersError as exc:
            if exc.key != "error.store.entry_changed":
                show_error(exc)
                return
            # Someone filled a cell meanwhile: draw the page again on the table as it is now
            # (their value in, its field gone); the other typed values stay in their fields
            # (same round, fields keyed by their cell), with the refusal said above them.
            fresh = db.load_file(ws, ds.source)
            files()[ds.source] = SourceFile(ds.source, fresh, hashlib.sha256(fresh).hexdigest())
            st.session_state[_CONFLICT] = {"ws": ws, "params": dict(exc.params)}
            if saved:  # the values of the tables before this one are kept: said too
                set_notice(tr("mine.saved", count=saved))
            st.rerun()
        files()[ds.source] = SourceFile(ds.source, data, hashlib.sha256(data).hexdigest())
        saved += changed
    st.session_state[_ROUND] = int(st.session_state.get(_ROUND, 0)) + 1
    set_notice(tr("mine.saved", count=saved))
    st.rerun()
