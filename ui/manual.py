"""Tables kept in Koers itself, on the Data page (issue 18): make one, type its values.

The checks and the kept CSV are ``kpilogic.workspace.manual``; every value typed is kept in
the audit log with who and when (``Store.save_file(entries=…)``).
"""

from __future__ import annotations

import hashlib
from datetime import date

import streamlit as st
from pydantic import ValidationError

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Dataset, ManualTable, Scorecard
from kpilogic.workspace.manual import (
    audit_details,
    changes,
    columns,
    edited_table,
    editing_table,
    stored_table,
    table_csv,
)
from kpilogic.workspace.service import SourceFile
from ui.session import (
    add_file,
    ensure_scorecard,
    files,
    remove_file,
    scorecard,
    set_scorecard,
    store,
    unique_id,
    workspace_for_change,
)
from ui.text import lang, plain_md, set_notice, show_error, tr, tr_plain

_CADENCES = ("month", "quarter", "week", "year")
_ROUND = "koers_manual_round"  # bumped after a save: the editor starts from the kept rows


def manual_section(card: Scorecard | None) -> None:
    """Each table kept in Koers with its editor, and the form that makes a new one."""
    st.subheader(tr("manual.ui.title"))
    st.caption(tr("manual.ui.help"))
    for ds in [d for d in (card.datasets if card else []) if d.manual is not None]:
        with st.container(border=True):
            _editor(ds)
    _new_form()


def _editor(ds: Dataset) -> None:
    kept = files().get(ds.source)
    data = kept.data if kept is not None else None
    head = st.columns([5, 1])
    head[0].markdown(f"**{plain_md(ds.name)}**")
    card = scorecard()
    in_use = [k.name for k in card.kpis if k.dataset_id == ds.id] if card else []
    if head[1].button(
        tr("data.remove"),
        key=f"manual_remove_{ds.id}",
        disabled=bool(in_use),
        help=tr("data.remove_blocked", kpis=", ".join(in_use)) if in_use else None,
    ):
        _remove(ds)
    round_ = int(st.session_state.get(_ROUND, 0))
    edited = st.data_editor(
        editing_table(data, ds, lang()),
        key=f"manual_edit_{ds.id}_{round_}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.TextColumn(c) for c in columns(ds)},
    )
    if not st.button(tr("manual.ui.save"), key=f"manual_save_{ds.id}", icon="💾"):
        return
    table, problems = edited_table(edited, ds, lang(), date.today())
    if problems:
        for problem in problems:
            st.error(plain_md(problem), icon="⚠️")
        return
    found = changes(stored_table(data, ds), table, ds)
    db, ws = store(), workspace_for_change()
    try:
        if db is not None and ws is not None:
            # Only what this edit changed, merged by the store into the rows as they are
            # now: a value an owner entered meanwhile ("Mijn KPI's") is kept.
            values = {(c.period, c.segment, c.column): c.after for c in found}
            seen = {(c.period, c.segment, c.column): c.before for c in found}
            written, changed = db.enter_values(ws, ds.source, values, seen)
            sha = hashlib.sha256(written).hexdigest()
            files()[ds.source] = SourceFile(ds.source, written, sha)
        else:
            add_file(ds.source, table_csv(table, ds), entries=audit_details(found, ds.name))
            changed = len(found)
    except KoersError as exc:
        show_error(exc)
        return
    st.session_state[_ROUND] = round_ + 1
    set_notice(tr("manual.ui.saved", count=changed, name=ds.name))
    st.rerun()


def _remove(ds: Dataset) -> None:
    """The table and its kept rows gone (a table a KPI uses cannot be removed)."""
    card = scorecard()
    if card is None:
        return
    kept = [d for d in card.datasets if d.id != ds.id]
    if not set_scorecard(card.model_copy(update={"datasets": kept})):
        return
    remove_file(ds.source)
    set_notice(tr("manual.ui.removed", name=ds.name))
    st.rerun()


def _new_form() -> None:
    words = {c: tr_plain(f"manual.ui.cadence_{c}") for c in _CADENCES}
    with (
        st.expander(tr("manual.ui.new"), icon="➕"),
        st.form("manual_new", clear_on_submit=False),
    ):
        name = st.text_input(tr("manual.ui.name"), key="manual_name")
        cols = st.columns(3)
        period = cols[0].text_input(
            tr("manual.ui.period_column"),
            value=tr_plain("manual.ui.period_default"),
            key="manual_period",
        )
        values = cols[1].text_input(
            tr("manual.ui.value_columns"), help=tr("manual.ui.value_help"), key="manual_values"
        )
        segment = cols[2].text_input(tr("manual.ui.segment_column"), key="manual_segment")
        cadence = st.selectbox(
            tr("manual.ui.cadence"), _CADENCES, format_func=words.__getitem__, key="manual_cadence"
        )
        future = st.checkbox(tr("manual.ui.allow_future"), key="manual_future")
        if not st.form_submit_button(tr("manual.ui.create"), icon="➕"):
            return
    value_columns = [v.strip() for v in values.split(",") if v.strip()]
    names = [period.strip(), *value_columns, *([segment.strip()] if segment.strip() else [])]
    if not name.strip() or not value_columns or not period.strip():
        st.error(tr("manual.ui.incomplete"), icon="⚠️")
        return
    if len({n.lower() for n in names}) != len(names):
        st.error(tr("manual.ui.same_names"), icon="⚠️")
        return
    card = ensure_scorecard()
    ds_id = unique_id(name, {d.id for d in card.datasets})
    try:
        spec = ManualTable(
            value_columns=value_columns,
            segment_column=segment.strip() or None,
            cadence=cadence,
            allow_future=future,
        )
        ds = Dataset(
            id=ds_id,
            name=name.strip(),
            source=f"{ds_id}.csv",
            date_column=period.strip(),
            manual=spec,
        )
    except ValidationError:
        st.error(tr("manual.ui.too_long"), icon="⚠️")
        return
    if not set_scorecard(card.model_copy(update={"datasets": [*card.datasets, ds]})):
        return
    try:
        add_file(ds.source, table_csv(stored_table(None, ds), ds))
    except KoersError as exc:
        show_error(exc)
        return
    set_notice(tr("manual.ui.created", name=ds.name))
    st.rerun()
