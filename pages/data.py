"""Data: upload spreadsheets, choose sheets, preview, correct column types, pick the date column."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.i18n import format_number
from kpilogic.ingest import SPREADSHEET_SUFFIXES, guess_date_column
from kpilogic.model import Dataset
from pages.shared import (
    PAGES,
    add_file,
    cached_sheets,
    cached_table,
    dataset_kinds,
    ensure_scorecard,
    files,
    kinds_override,
    lang,
    notice,
    persist_settings,
    remove_file,
    route_guard,
    scorecard,
    set_notice,
    set_scorecard,
    show_error,
    tr,
    unique_id,
)

route_guard()

KINDS: tuple[str, ...] = ("date", "number", "category", "text")
SEEN = "koers_seen_uploads"  # uploader file ids already taken in

notice()
L = lang()
st.title(tr("data.title"))
st.caption(tr("data.intro"))

uploads = st.file_uploader(
    tr("data.upload"),
    type=[s.lstrip(".") for s in SPREADSHEET_SUFFIXES],
    accept_multiple_files=True,
    key="upload",
    help=tr("data.upload_help"),
)
seen: set[str] = st.session_state.setdefault(SEEN, set())
for up in uploads or []:
    if up.file_id in seen:
        continue
    seen.add(up.file_id)
    data = up.getvalue()
    try:
        sheets = cached_sheets(hashlib.sha256(data).hexdigest(), up.name, data)
    except KoersError as exc:
        # The bad file is refused; everything the user already did stays as it was.
        show_error(exc)
        continue
    try:
        stored = add_file(up.name, data)
    except KoersError as exc:
        show_error(exc)
        continue
    card = ensure_scorecard()
    if not any(ds.source == up.name for ds in card.datasets):
        first = sheets[0] if sheets else None
        try:
            raw = cached_table(stored.sha, stored.name, first, stored.data)
        except KoersError as exc:
            show_error(exc)
            continue
        taken = {d.id for d in card.datasets}
        date_col = guess_date_column(raw) or (str(raw.columns[0]) if len(raw.columns) else "")
        base = up.name.rsplit(".", 1)[0] if len(sheets) <= 1 else first or up.name
        ds = Dataset(
            id=unique_id(base, taken),
            name=base,
            source=up.name,
            sheet=first if not up.name.lower().endswith((".csv", ".txt", ".tsv")) else None,
            date_column=date_col or "date",
        )
        set_scorecard(card.model_copy(update={"datasets": [*card.datasets, ds]}))
    set_notice(tr("data.uploaded", name=up.name))
    st.rerun()

card = scorecard()
stored_files = files()
if not stored_files:
    st.info(tr("data.none"), icon="📄")
    st.stop()
assert card is not None


def _replace_dataset(old: Dataset, new: Dataset | None) -> None:
    datasets = [new if d.id == old.id else d for d in card.datasets]
    set_scorecard(card.model_copy(update={"datasets": [d for d in datasets if d is not None]}))


for name, stored in list(stored_files.items()):
    with st.container(border=True):
        head = st.columns([5, 1])
        head[0].subheader(f"📄 {name}")
        try:
            sheets = cached_sheets(stored.sha, stored.name, stored.data)
        except KoersError as exc:
            show_error(exc)
            continue
        used = [d for d in card.datasets if d.source == name]
        in_use = [k.name for k in card.kpis if k.dataset_id in {d.id for d in used}]
        if head[1].button(
            tr("data.remove"),
            key=f"data_remove_{name}",
            disabled=bool(in_use),
            help=tr("data.remove_blocked", kpis=", ".join(in_use)) if in_use else None,
        ):
            remove_file(name)
            set_scorecard(
                card.model_copy(update={"datasets": [d for d in card.datasets if d.source != name]})
            )
            st.rerun()
        is_sheeted = len(sheets) > 1 or not name.lower().endswith((".csv", ".txt", ".tsv"))
        if is_sheeted:
            chosen = st.multiselect(
                tr("data.sheets"),
                sheets,
                default=[d.sheet for d in used if d.sheet in sheets],
                key=f"data_sheets_{name}",
                help=tr("data.sheets_help"),
            )
            used_sheets = {d.sheet for d in used}
            changed = False
            datasets = list(card.datasets)
            for sheet in chosen:
                if sheet not in used_sheets:
                    raw = cached_table(stored.sha, stored.name, sheet, stored.data)
                    taken = {d.id for d in datasets}
                    datasets.append(
                        Dataset(
                            id=unique_id(sheet, taken),
                            name=sheet,
                            source=name,
                            sheet=sheet,
                            date_column=guess_date_column(raw) or str(raw.columns[0]),
                        )
                    )
                    changed = True
            for d in used:
                if d.sheet not in chosen and not any(k.dataset_id == d.id for k in card.kpis):
                    datasets = [x for x in datasets if x.id != d.id]
                    changed = True
            if changed:
                set_scorecard(card.model_copy(update={"datasets": datasets}))
                st.rerun()
        for ds in [d for d in card.datasets if d.source == name]:
            st.markdown(f"**{tr('data.dataset', name=ds.name)}**")
            try:
                raw = cached_table(stored.sha, stored.name, ds.sheet, stored.data)
            except KoersError as exc:
                show_error(exc)
                continue
            kinds = dataset_kinds(ds.id, stored.sha, stored.name, ds.sheet, raw, ds.date_column)
            cols = st.columns([1, 2])
            columns = [str(c) for c in raw.columns]
            idx = columns.index(ds.date_column) if ds.date_column in columns else 0
            date_col = cols[0].selectbox(
                tr("data.date_column"),
                columns,
                index=idx,
                key=f"data_date_{ds.id}",
                help=tr("data.date_column_help"),
            )
            if date_col != ds.date_column:
                _replace_dataset(ds, ds.model_copy(update={"date_column": date_col}))
                st.rerun()
            cols[0].caption(tr("data.shape", rows=format_number(len(raw), L), columns=len(columns)))
            kind_table = pd.DataFrame(
                {tr("data.col.column"): columns, tr("data.col.kind"): [kinds[c] for c in columns]}
            )
            edited = cols[0].data_editor(
                kind_table,
                key=f"data_kinds_{ds.id}",
                hide_index=True,
                disabled=[tr("data.col.column")],
                column_config={
                    tr("data.col.kind"): st.column_config.SelectboxColumn(
                        tr("data.col.kind"),
                        options=list(KINDS),
                        required=True,
                        help=tr("data.kind_help"),
                    )
                },
            )
            overrides = kinds_override(ds.id)
            for col, kind in zip(columns, edited[tr("data.col.kind")], strict=True):
                if kind != kinds[col]:
                    overrides[col] = kind  # type: ignore[assignment]
            persist_settings()
            cols[1].dataframe(raw.head(50), height=320, width="stretch")
        if not is_sheeted and not used:
            st.caption(tr("data.no_dataset"))

st.caption(tr("data.kinds_legend"))
st.page_link(PAGES["goals"], label=tr("data.to_goals"), icon="🎯")
