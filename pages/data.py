"""Data: upload spreadsheets, choose sheets, preview, correct column types, pick the date column."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from kpilogic.engine.quality import assess_dataset, is_stale, missing_periods, reliability_band
from kpilogic.errors import KoersError, LayoutError
from kpilogic.i18n import column_kind, date_format, format_date, format_number, format_pct, t
from kpilogic.present.preview import numbers_as_text
from kpilogic.scorecard.model import Dataset, Unpivot
from kpilogic.sources.ingest import (
    SPREADSHEET_SUFFIXES,
    max_upload_mb,
    read_grid,
)
from kpilogic.sources.layout import (
    Tidy,
    WideGuess,
    apply_layout,
    detect_wide,
    guess_layout,
    long_names,
)
from kpilogic.sources.notes import row_ranges
from kpilogic.sources.parsing import guess_date_column
from kpilogic.sources.pipeline import unmapped_columns, with_kind_failures
from kpilogic.workspace.service import SourceFile, layout_key
from ui.cache import (
    cached_sheet_info,
    cached_sheets,
    cached_table,
    dataset_kinds,
    dataset_tidy,
    evaluation,
    typed_table,
)
from ui.manual import manual_section
from ui.routing import PAGES, route_guard
from ui.session import (
    add_file,
    ensure_scorecard,
    files,
    kinds_override,
    remove_file,
    require_role,
    scorecard,
    set_column_kinds,
    set_scorecard,
    store,
    unique_id,
)
from ui.text import Md, lang, plain_md, safe_message, set_notice, show_error, tr
from ui.widgets import notice

route_guard()
require_role("editor")  # a viewer is told to ask the owner for edit rights

KINDS: tuple[str, ...] = ("date", "number", "category", "text")
SEEN = "koers_seen_uploads"  # uploader file ids already taken in
UPLOADER = "koers_uploader_round"  # how many times the uploader was emptied


def uploader_key() -> str:
    """The uploader's key: "upload" at first, then a new one after each batch of files taken."""
    round_ = int(st.session_state.get(UPLOADER, 0))
    return "upload" if round_ == 0 else f"upload_{round_}"


notice()
L = lang()
st.title(tr("data.title"))
st.caption(tr("data.intro"))

# Streamlit's uploader speaks English ("Drag and drop files here", "Upload", "Limit 50MB per
# file") and has no option to change that: our own caption says it in the user's language.
uploads = st.file_uploader(
    tr("data.upload"),
    type=[s.lstrip(".") for s in SPREADSHEET_SUFFIXES],
    accept_multiple_files=True,
    key=uploader_key(),
    help=tr("data.upload_help"),
)
st.caption(tr("flows.data.uploader_help", limit=format_number(max_upload_mb(), L)))
seen: set[str] = st.session_state.setdefault(SEEN, set())
read_in: list[str] = []  # what was said of each file taken in
refused = False
for up in uploads or []:
    if up.file_id in seen:
        continue
    seen.add(up.file_id)
    data = up.getvalue()
    # What happens to the file, step by step: a large workbook takes seconds to read.
    progress = st.status(
        tr("data.reading", name=up.name, size=format_number(len(data) / 1e6, L, 1)),
        expanded=True,
    )
    try:
        progress.write(tr("data.step_open"))
        db = store()
        if db is not None:  # counted before reading: refused files count too (team mode)
            db.claim_upload()
        sha = hashlib.sha256(data).hexdigest()
        sheets = cached_sheets(sha, up.name, data)
    except KoersError as exc:
        # The bad file is refused; everything the user already did stays as it was.
        progress.update(label=tr("data.read_failed", name=up.name), state="error")
        show_error(exc)
        refused = True
        continue
    # The file is stored only after its table was read: a file that cannot be read (or is
    # over a limit) leaves nothing behind in the workspace.
    first = sheets[0] if sheets else None
    sheet = first if not up.name.lower().endswith((".csv", ".txt", ".tsv")) else None
    # Columns Koers makes (Datum, Waarde) are named in the user's language, and kept so.
    language = "nl" if L == "nl" else None
    try:
        progress.write(tr("data.step_table"))
        draft = Dataset(
            id="new",
            name="new",
            source=up.name,
            sheet=sheet,
            date_column="-",
            column_language=language,
        )
        raw = dataset_tidy(draft, SourceFile(up.name, data, sha)).frame
    except LayoutError:
        # Periods as columns without a year, say: the dataset is made, and the Data page
        # asks for what is missing.
        raw = pd.DataFrame({long_names(language).date: []})
    except KoersError as exc:
        progress.update(label=tr("data.read_failed", name=up.name), state="error")
        show_error(exc)
        refused = True
        continue
    try:
        progress.write(tr("data.step_store"))
        add_file(up.name, data)
    except KoersError as exc:
        progress.update(label=tr("data.read_failed", name=up.name), state="error")
        show_error(exc)
        refused = True
        continue
    card = ensure_scorecard()
    replaced = any(ds.source == up.name for ds in card.datasets)
    if not replaced:
        taken = {d.id for d in card.datasets}
        date_col = guess_date_column(raw) or (str(raw.columns[0]) if len(raw.columns) else "")
        base = up.name.rsplit(".", 1)[0] if len(sheets) <= 1 else first or up.name
        ds = Dataset(
            id=unique_id(base, taken),
            name=base,
            source=up.name,
            sheet=sheet,
            date_column=date_col or "date",
            column_language=language,
        )
        set_scorecard(card.model_copy(update={"datasets": [*card.datasets, ds]}))
    done = tr("flows.data.replaced" if replaced else "data.uploaded", name=up.name)
    progress.update(label=done, state="complete")
    read_in.append(done)
if read_in and not refused:
    # A fresh uploader (a new key) drops the files it holds, so a same-name re-upload shows
    # one file, not two chips of that name; a refused file stays listed beside its message.
    st.session_state[UPLOADER] = int(st.session_state.get(UPLOADER, 0)) + 1
    set_notice(Md("  \n".join(read_in)))
    st.rerun()

card = scorecard()
manual_section(card)  # tables kept in Koers itself (issue 18)
card = scorecard()
manual = {d.source for d in card.datasets if d.manual is not None} if card else set()
stored_files = {n: f for n, f in files().items() if n not in manual}
if not stored_files:
    st.info(tr("data.none"), icon="📄")
    st.stop()
assert card is not None


def _replace_dataset(old: Dataset, new: Dataset | None) -> None:
    datasets = [new if d.id == old.id else d for d in card.datasets]
    set_scorecard(card.model_copy(update={"datasets": [d for d in datasets if d is not None]}))


NOTATIONS = ("auto", "nl", "en")


def _wide_of(ds: Dataset, stored: SourceFile) -> WideGuess | None:
    """The wide-table guess of ``ds`` before any unpivot (for the guided unpivot)."""
    try:
        grid = read_grid(stored.data, stored.name, ds.sheet)
        layout = guess_layout(
            grid,
            table=ds.table,
            header_row=None if ds.header_row is None else ds.header_row - 1,
            keep_totals=ds.keep_totals,
        )
        return detect_wide(apply_layout(grid, layout), layout.titles)
    except KoersError:
        return None


def _decisions(tidy: Tidy) -> None:
    with st.expander("🧭 " + tr("data.layout.title"), expanded=len(tidy.decisions) > 1):
        st.markdown("\n".join(f"- {safe_message(d)}" for d in tidy.decisions))


def _corrections(ds: Dataset, tidy: Tidy | None) -> None:
    """Header row, table, notation and totals: the user's corrections of the layout guess."""
    with st.expander("🛠️ " + tr("data.layout.fix"), expanded=tidy is None):
        c = st.columns(3)
        layout = tidy.layout if tidy is not None else None
        current = ds.header_row or (layout.header_row + 1 if layout else 1)
        header = c[0].number_input(
            tr("data.layout.header_row"),
            min_value=1,
            value=int(current),
            step=1,
            key=f"data_header_{ds.id}_{layout_key(ds)}",
            help=tr("data.layout.header_row_help"),
        )
        update: dict[str, object] = {}
        if int(header) != int(current):
            update["header_row"] = int(header)
        if layout is not None and len(layout.tables) > 1:
            options = list(range(len(layout.tables)))
            table = c[0].selectbox(
                tr("data.layout.table"),
                options,
                index=layout.table,
                # Bound now: AppTest calls a format_func after the run, when ``layout`` and
                # the session's language are out of reach.
                format_func=lambda i, tables=layout.tables, lang_=L: t(
                    "data.layout.table_option", lang_, n=i + 1, range=tables[i].a1
                ),
                key=f"data_table_{ds.id}",
            )
            if table != layout.table:
                update.update(table=int(table), header_row=None)
        if ds.combine_tables or (layout is not None and len(layout.tables) > 1):
            combine = c[0].checkbox(
                tr("data.layout.combine"),
                value=ds.combine_tables,
                key=f"data_combine_{ds.id}",
                help=tr("data.layout.combine_help"),
            )
            if combine != ds.combine_tables:
                update["combine_tables"] = combine
        notation = c[1].selectbox(
            tr("data.layout.notation"),
            NOTATIONS,
            index=NOTATIONS.index(ds.notation or "auto"),
            format_func=lambda n, lang_=L: t(f"data.layout.notation.{n}", lang_),
            key=f"data_notation_{ds.id}",
            help=tr("data.layout.notation_help"),
        )
        if (notation if notation != "auto" else None) != ds.notation:
            update["notation"] = None if notation == "auto" else notation
        if ds.keep_totals or (layout is not None and layout.total_rows):
            keep = c[2].checkbox(
                tr("data.layout.keep_totals"),
                value=ds.keep_totals,
                key=f"data_totals_{ds.id}",
                help=tr("data.layout.keep_totals_help"),
            )
            if keep != ds.keep_totals:
                update["keep_totals"] = keep
        if layout_key(ds) != layout_key(None) and c[2].button(
            tr("data.layout.reset"), key=f"data_reset_{ds.id}"
        ):
            update.update(
                header_row=None,
                table=None,
                notation=None,
                unpivot=None,
                keep_totals=False,
                combine_tables=False,
            )
        if update:
            _replace_dataset(ds, ds.model_copy(update=update))
            st.rerun()


def _unpivot_form(ds: Dataset, wide: WideGuess) -> None:
    """The guided unpivot: which columns say what a row is, which are periods, which year."""
    with st.expander("↕️ " + tr("data.unpivot.title"), expanded=ds.unpivot is None):
        st.caption(tr("data.unpivot.intro"))
        chosen = ds.unpivot
        columns = [*wide.id_columns, *wide.period_columns, *wide.ignored_columns]
        with st.form(key=f"data_unpivot_{ds.id}", border=False):
            ids = st.multiselect(
                tr("data.unpivot.ids"),
                columns,
                default=list(chosen.id_columns if chosen else wide.id_columns),
                key=f"data_unpivot_ids_{ds.id}",
                placeholder=tr("flows.choose_many"),
            )
            periods = st.multiselect(
                tr("data.unpivot.periods"),
                columns,
                default=list(
                    chosen.period_columns
                    if chosen and chosen.period_columns
                    else wide.period_columns
                ),
                key=f"data_unpivot_periods_{ds.id}",
                placeholder=tr("flows.choose_many"),
            )
            year = None
            if wide.needs_year:
                year = st.number_input(
                    tr("data.unpivot.year"),
                    min_value=1900,
                    max_value=2100,
                    value=(chosen.year if chosen else None) or wide.year or date.today().year,
                    step=1,
                    key=f"data_unpivot_year_{ds.id}",
                    help=tr("data.unpivot.year_help"),
                )
            c = st.columns(2)
            apply = c[0].form_submit_button(tr("data.unpivot.apply"), type="primary")
            keep = c[1].form_submit_button(tr("data.unpivot.off"))
        if keep:
            _replace_dataset(ds, ds.model_copy(update={"unpivot": Unpivot()}))
            st.rerun()
        if apply:
            if len(periods) < 2:
                st.warning(tr("data.unpivot.none_chosen"), icon="↕️")
                return
            choice = Unpivot(
                id_columns=[c for c in ids if c not in periods],
                period_columns=[c for c in columns if c in periods],
                year=int(year) if year is not None else None,
            )
            date_name = long_names(ds.column_language).date
            update = {"unpivot": choice, "date_column": date_name}
            _replace_dataset(ds, ds.model_copy(update=update))
            st.rerun()


def _quality(ds: Dataset, typed: pd.DataFrame, tidy: Tidy) -> None:
    """The data-quality report of one dataset, in plain words."""
    with st.expander("🔎 " + tr("data.quality.title"), expanded=False):
        report = assess_dataset(
            typed,
            dataset_id=ds.id,
            report=tidy.report,
            rows=tidy.row_numbers,
            left_out=tidy.layout.left_out(),
        )
        lines = [safe_message(f) for f in report.findings]
        dates = pd.to_datetime(typed[ds.date_column], errors="coerce").dropna()
        if dates.empty:
            lines.append(tr("data.quality.no_dates", column=ds.date_column))
        else:
            first, latest = dates.min().date(), dates.max().date()
            st.caption(
                tr("data.quality.span", first=format_date(first, L), latest=format_date(latest, L))
            )
            gaps = missing_periods(dates, "month")
            if gaps:
                lines.append(tr("data.quality.gaps", periods=", ".join(p.label for p in gaps[:12])))
            if is_stale(latest, "month", date.today()):
                lines.append(tr("data.quality.stale", latest=format_date(latest, L)))
        if lines:
            st.markdown("\n".join(f"- ⚠️ {line}" for line in lines))
        else:
            st.markdown("✅ " + tr("data.quality.ok"))
        table = pd.DataFrame(
            {
                tr("data.quality.col.column"): list(report.columns),
                tr("data.quality.col.filled"): [
                    format_pct(q.completeness, L, 0) for q in report.columns.values()
                ],
                tr("data.quality.col.unreadable"): [
                    q.failed + q.errors for q in report.columns.values()
                ],
                tr("data.quality.col.examples"): [
                    ", ".join(f"{e.value} ({e.row})" for e in q.examples)
                    for q in report.columns.values()
                ],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        kpis = [k for k in card.kpis if k.dataset_id == ds.id]
        if kpis:
            ev, _ = evaluation(card)
            if ev.quality is not None:
                st.markdown(f"**{tr('data.quality.kpis')}**")
                for kpi in kpis:
                    q = ev.quality.kpis.get(kpi.id)
                    if q is None:
                        continue
                    band = reliability_band(q.score)
                    icon = {"good": "✅", "shaky": "⚠️", "poor": "⛔"}[band]
                    st.markdown(
                        tr(
                            "data.quality.kpi_score",
                            icon=icon,
                            kpi=kpi.name,
                            score=q.score,
                            band=tr(f"reliability.band.{band}"),
                        )
                    )
                    for finding in q.findings:
                        if finding.penalty:
                            st.caption(f"− {finding.penalty}: {safe_message(finding)}")


def _rows_read(tidy: Tidy) -> None:
    """How many of the sheet's rows with data were read, and every row that was not (and
    every value that could not be read), with the reason: nothing disappears unnamed."""
    layout = tidy.layout
    st.caption(
        tr(
            "data.rows_read",
            read=format_number(len(layout.data_rows), L),
            rows=format_number(layout.rows_with_data, L),
        )
    )
    left_out = layout.left_out()
    if left_out:
        with st.expander("🧾 " + tr("data.rows_left_out"), expanded=False):
            st.dataframe(
                pd.DataFrame(
                    {
                        tr("data.col.rows"): [row_ranges(rows) for _, rows in left_out],
                        tr("data.col.why"): [
                            tr(f"quality.left_out.{why}", count=len(rows), rows=row_ranges(rows))
                            for why, rows in left_out
                        ],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
    failed = [c for c in tidy.report.columns.values() if c.failed_rows]
    if failed:
        with st.expander("⚠️ " + tr("data.unreadable_rows"), expanded=True):
            st.dataframe(
                pd.DataFrame(
                    {
                        tr("data.quality.col.column"): [c.column for c in failed],
                        tr("data.quality.col.unreadable"): [c.failed for c in failed],
                        tr("data.col.rows"): [row_ranges(c.failed_rows) for c in failed],
                    }
                ),
                hide_index=True,
                width="stretch",
            )


def _unmapped(ds: Dataset, columns: list[str]) -> None:
    """After a file was replaced: what the KPIs use that this data no longer has."""
    card = scorecard()
    if card is None:
        return
    missing = unmapped_columns(card, ds.id, columns)
    if not missing:
        return
    lines = []
    for kpi_id, names in missing.items():
        quoted = ", ".join(f"'{n}'" for n in names)
        if kpi_id == "":
            lines.append(tr("data.unmapped.date", columns=quoted))
        else:
            kpi = next(k for k in card.kpis if k.id == kpi_id)
            lines.append(tr("data.unmapped.kpi", kpi=kpi.name, columns=quoted))
    st.warning(
        tr("data.unmapped.title", dataset=ds.name) + "\n\n" + "\n".join(f"- {x}" for x in lines),
        icon="🔗",
    )
    st.page_link(PAGES["kpis"], label=tr("data.unmapped.fix"), icon="📏")


def _complete_through(ds: Dataset, where: Any) -> None:
    """ "The data is complete through DATE": a quiet last day does not make a period partial
    (empty: the evaluation date, else the last date in the data)."""
    chosen = where.date_input(
        tr("data.complete_through"),
        value=ds.complete_through,
        format=date_format(L, "widget"),
        key=f"data_complete_through_{ds.id}",
        help=tr("data.complete_through_help"),
    )
    if chosen != ds.complete_through:
        _replace_dataset(ds, ds.model_copy(update={"complete_through": chosen}))
        st.rerun()


def _dataset_section(ds: Dataset, stored: SourceFile) -> None:
    try:
        tidy: Tidy | None = dataset_tidy(ds, stored)
    except KoersError as exc:
        show_error(exc)
        tidy = None
    if tidy is not None:
        _decisions(tidy)
    _corrections(ds, tidy)
    wide = tidy.wide if tidy is not None else None
    if wide is None and (tidy is None or ds.unpivot is not None):
        wide = _wide_of(ds, stored)
    if wide is not None:
        _unpivot_form(ds, wide)
    if tidy is None:
        return
    raw = tidy.frame
    columns = [str(c) for c in raw.columns]
    if not columns:
        return
    _unmapped(ds, columns)
    kinds = dataset_kinds(ds, stored, raw)
    cols = st.columns([1, 2])
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
    _complete_through(ds, cols[0])
    cols[0].caption(tr("data.shape", rows=format_number(len(raw), L), columns=len(columns)))
    # The types as words of the user's language ("datum", "getal"), mapped back on edit.
    kind_words = {k: column_kind(k, L) for k in KINDS}
    kind_table = pd.DataFrame(
        {
            tr("data.col.column"): columns,
            tr("data.col.kind"): [kind_words[kinds[c]] for c in columns],
        }
    )
    edited = cols[0].data_editor(
        kind_table,
        key=f"data_kinds_{ds.id}",
        hide_index=True,
        disabled=[tr("data.col.column")],
        column_config={
            tr("data.col.kind"): st.column_config.SelectboxColumn(
                tr("data.col.kind"),
                options=list(kind_words.values()),
                required=True,
                help=tr("data.kind_help"),
            )
        },
    )
    overrides = kinds_override(ds.id)
    by_word = {word: k for k, word in kind_words.items()}
    for col, word in zip(columns, edited[tr("data.col.kind")], strict=True):
        kind = by_word.get(word, word)
        if kind != kinds[col]:
            overrides[col] = kind  # type: ignore[assignment]
    # The corrections are kept on the scorecard: the command line reads the same types.
    # Saved, the page is drawn again from the new scorecard (nothing later in this run may
    # write back the one it started with).
    if set_column_kinds(ds.id, overrides):
        st.rerun()
    kinds = dataset_kinds(ds, stored, raw)
    typed = typed_table(ds, stored, raw, kinds)
    shown_dates = date_format(lang(), "widget")
    # Numbers as the reader writes them (182450,5 in Dutch), dates in their order.
    shown, as_text = numbers_as_text(typed.head(50), L)
    cols[1].dataframe(
        shown,
        height=320,
        width="stretch",
        column_config={
            **{
                c: st.column_config.DateColumn(c, format=shown_dates)
                for c in typed.columns
                if pd.api.types.is_datetime64_any_dtype(typed[c])
            },
            **{c: st.column_config.TextColumn(c, alignment="right") for c in as_text},
        },
    )
    checked = with_kind_failures(tidy, typed, ds.notation)
    _rows_read(checked)
    _quality(ds, typed, checked)


for name, stored in list(stored_files.items()):
    with st.container(border=True):
        head = st.columns([5, 1])
        head[0].subheader(f"📄 {plain_md(name)}")
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
            try:
                infos = cached_sheet_info(stored.sha, stored.name, stored.data)
                hidden = {i.name for i in infos if not i.visible}
            except KoersError:
                hidden = set()
            chosen = st.multiselect(
                tr("data.sheets"),
                sheets,
                default=[d.sheet for d in used if d.sheet in sheets],
                key=f"data_sheets_{name}",
                placeholder=tr("flows.choose_many"),
                help=tr("data.sheets_help"),
                format_func=lambda s, h=hidden, lang_=L: (
                    t("data.hidden_sheet", lang_, sheet=s) if s in h else s
                ),
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
            _dataset_section(ds, stored)
        if not is_sheeted and not used:
            st.caption(tr("data.no_dataset"))

st.caption(tr("data.kinds_legend"))
st.page_link(PAGES["goals"], label=tr("data.to_goals"), icon="🎯")
