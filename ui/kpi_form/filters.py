"""The measure's row filters: a column, a condition and a value picked from the column's
distinct values (typed, or a calendar, when it has too many to list)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st

from kpilogic.i18n import date_format, format_date, format_number, t
from kpilogic.sources.filter_values import MAX_CHOICES, FilterChoices, filter_choices
from ui.kpi_form.draft import MAX_FILTERS, FilterDraft, KpiDraft
from ui.kpi_form.source import Source
from ui.kpi_form.state import FILTER_CHOICES, current_draft
from ui.kpi_form.widgets import bind, labels
from ui.text import lang, tr

FILTER_OPS = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le")


def add_filter(column: str) -> None:
    """Button callback: a new filter row on ``column``."""
    d = current_draft()
    if d is not None and len(d.filters) < MAX_FILTERS:
        d.filters.append(FilterDraft(column=column, for_column=column))


def remove_filter(index: int) -> None:
    """Button callback: remove filter row ``index``."""
    d = current_draft()
    if d is not None and 0 <= index < len(d.filters):
        d.filters.pop(index)
    # Rows move up: forget the row widgets so they show the draft again.
    for key in list(st.session_state.keys()):
        if str(key).startswith("kpi_filter_"):
            del st.session_state[key]


def column_choices(df: pd.DataFrame, column: str) -> FilterChoices:
    """The column's distinct values, computed once per table (the tables are cached)."""
    memo: dict[str, tuple[Any, FilterChoices]] = st.session_state.setdefault(FILTER_CHOICES, {})
    hit = memo.get(column)
    if hit is not None and hit[0]() is df:
        return hit[1]
    choices = filter_choices(df[column])
    memo[column] = (weakref.ref(df), choices)
    return choices


def shown_value(value: str, kind: str, lang_: str) -> str:
    """A filter value in the user's notation: 1.234,5 and 31-03-2026 in Dutch."""
    try:
        if kind == "number":
            decimals = len(value.partition(".")[2]) if "e" not in value else 6
            return format_number(float(value), lang_, min(decimals, 6))
        if kind == "date":
            moment = datetime.fromisoformat(value)
            day = format_date(moment.date(), lang_)
            return day if len(value) == 10 else f"{day} {moment:%H:%M}"
    except ValueError:
        pass
    return value


def value_label(choices: FilterChoices, lang_: str) -> Callable[[Any], str]:
    """The option text of a filter value: the value and its number of rows; a value the
    column does not hold (kept from before) says so. Bound now: AppTest formats later."""

    def label(value: Any) -> str:
        shown = shown_value(str(value), choices.kind, lang_)
        count = choices.count(str(value))
        if count is None:
            return t("flows.filter.not_in_data", lang_, value=shown)
        return t("flows.filter.option", lang_, value=shown, count=format_number(count, lang_))

    return label


def filters_section(draft: KpiDraft, source: Source) -> None:
    """The filter rows of the draft and the button that adds one."""
    columns = source.columns
    st.markdown("**" + tr("kpis.filters") + "**")
    st.caption(tr("kpis.filters_help"))
    for i, flt in enumerate(draft.filters):
        # Two rows per filter (column and condition; value and remove), in a box of its
        # own: one row of four was too narrow for the value's list.
        box = st.container(border=True)
        f1, f2 = box.columns([3, 2], vertical_alignment="bottom")
        f3, f4 = box.columns([6, 1], vertical_alignment="bottom")
        visibility = "visible"
        with f1:
            if flt.column not in columns:
                flt.column = columns[0]
                st.session_state.pop(f"kpi_filter_col_{i}", None)
            bind(
                st.selectbox,
                tr("kpis.filter.column"),
                flt,
                "column",
                f"kpi_filter_col_{i}",
                options=columns,
                label_visibility=visibility,
            )
        with f2:
            bind(
                st.selectbox,
                tr("kpis.filter.op"),
                flt,
                "op",
                f"kpi_filter_op_{i}",
                options=list(FILTER_OPS),
                format_func=labels("kpis.filter.op"),
                label_visibility=visibility,
            )
        with f3:
            filter_value(flt, i, source.df, visibility)
        f4.button(
            "✕",
            key=f"kpi_filter_del_{i}",
            help=tr("kpis.filter.remove"),
            on_click=remove_filter,
            args=(i,),
            width="stretch",
        )
    st.button(
        tr("kpis.filter.add"),
        key="kpi_filter_add",
        on_click=add_filter,
        args=(source.categories[0] if source.categories else columns[0],),
        disabled=len(draft.filters) >= MAX_FILTERS,
        icon="➕",
    )


def filter_value(flt: FilterDraft, i: int, df: pd.DataFrame, visibility: Any) -> None:
    """The value of filter row ``i``: picked from the column's distinct values (one, or
    several for "is one of"), typed only when the column has too many to list."""
    column = str(flt.column)
    keys = (
        f"kpi_filter_pick_{i}",
        f"kpi_filter_multi_{i}",
        f"kpi_filter_val_{i}",
        f"kpi_filter_day_{i}",
    )
    if flt.for_column != column:  # another column: the value picked before does not apply
        if flt.for_column is not None:
            flt.value, flt.values = "", []
            for key in keys:
                st.session_state.pop(key, None)
        flt.for_column = column
    choices = column_choices(df, column)
    lang_ = lang()
    label = tr("kpis.filter.value")
    many = flt.op in ("in", "not_in")
    typed = str(flt.value or "").strip()
    picked = [str(v) for v in flt.values or []]
    if choices.too_many and choices.kind == "date" and not many:
        # Many days: a calendar, so "01-03-2026" can never be read as 3 January.
        try:
            day: date | None = date.fromisoformat(typed[:10]) if typed else None
        except ValueError:
            day = None
        chosen_day = st.date_input(
            label,
            value=day,
            format=date_format(lang_, "widget"),
            key=f"kpi_filter_day_{i}",
            label_visibility=visibility,
        )
        flt.value = chosen_day.isoformat() if isinstance(chosen_day, date) else ""
        flt.values = []
        return
    if choices.too_many:
        if many and picked and not typed:
            flt.value = ", ".join(picked)
        flt.values = []
        bind(
            st.text_input,
            label,
            flt,
            "value",
            keys[2],
            placeholder=tr("flows.filter.type_many" if many else "flows.filter.type_one"),
            label_visibility=visibility,
        )
        st.caption(
            tr(
                "flows.filter.too_many",
                count=format_number(choices.distinct, lang_),
                limit=format_number(MAX_CHOICES, lang_),
            )
        )
        return
    options = list(choices.values)
    fmt = value_label(choices, lang_)
    help_text = tr("flows.filter.pick_help")
    if many:
        chosen = picked or [v.strip() for v in typed.split(",") if v.strip()]
        extra = [v for v in chosen if v not in options]  # kept and named, never dropped
        flt.values = chosen
        key = keys[1]
        if key in st.session_state and any(v not in options + extra for v in st.session_state[key]):
            del st.session_state[key]
        bind(
            st.multiselect,
            label,
            flt,
            "values",
            key,
            options=options + extra,
            format_func=fmt,
            placeholder=tr("flows.filter.pick_many"),
            help=help_text,
            label_visibility=visibility,
        )
        flt.value = ""
        return
    current = typed or (picked[0] if picked else "")
    extra = [current] if current and current not in options else []
    key = keys[0]
    if key in st.session_state and st.session_state[key] not in [*options, *extra, None]:
        del st.session_state[key]
    if key not in st.session_state:
        st.session_state[key] = current or None
    value = st.selectbox(
        label,
        options + extra,
        index=None,
        key=key,
        format_func=fmt,
        placeholder=tr("flows.filter.pick_one"),
        help=help_text,
        label_visibility=visibility,
    )
    flt.value = "" if value is None else str(value)
    flt.values = []
