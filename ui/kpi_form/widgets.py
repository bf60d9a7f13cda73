"""Widgets bound to the KPI draft (or another app-owned state), and option labels.

Each widget's value lives in the state; the widget key only mirrors it (``ui.widgets.bound``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from kpilogic.i18n import t
from ui.kpi_form.draft import (
    NONE,
    EditorTable,
    FilterDraft,
    KpiDraft,
    TemplatePick,
    editor_table,
)
from ui.text import lang, tr
from ui.widgets import bound

# What a widget's value may live in: a draft's field (by name) or a mapping's key.
State = KpiDraft | FilterDraft | TemplatePick | dict[str, Any]


def _get(state: State, name: str) -> Any:
    if isinstance(state, dict | KpiDraft):
        return state.get(name)
    return getattr(state, name)


def _set(state: State, name: str, value: Any) -> None:
    if isinstance(state, dict):
        state[name] = value
    elif isinstance(state, KpiDraft):
        state.set(name, value)
    else:
        setattr(state, name, value)


def bind(widget: Any, label: str, state: State, name: str, key: str, **kw: Any) -> Any:
    """``widget`` whose value lives in ``state``'s field ``name`` (see ``ui.widgets.bound``)."""
    box = {name: _get(state, name)}
    value = bound(widget, label, box, name, key, **kw)
    _set(state, name, value)
    return value


def select(
    widget: Any,
    label: str,
    state: State,
    name: str,
    key: str,
    options: list[Any],
    *,
    fallback: Any = None,
    **kw: Any,
) -> Any:
    """A choice bound to ``state``'s ``name``; a value no longer among ``options`` falls
    back to ``fallback`` (the first option when None)."""
    if _get(state, name) not in options:
        _set(state, name, options[0] if fallback is None else fallback)
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    return bind(widget, label, state, name, key, options=options, **kw)


def labels(prefix: str, **params: Any) -> Callable[[Any], str]:
    """A ``format_func`` showing option ``x`` as the message ``{prefix}.x``.

    The language is fixed when the widget is drawn: Streamlit (and AppTest) may call a
    ``format_func`` after the run, when the session's language is out of reach.
    """
    language = lang()
    return lambda option: t(f"{prefix}.{option}", language, **params)


def column_labels(none_key: str = "kpis.rows") -> Callable[[Any], str]:
    """A ``format_func`` for column choices, where ``NONE`` means ``none_key`` (e.g. 'rows')."""
    none_label = tr(none_key)
    return lambda column: none_label if column == NONE else str(column)


def draft_table(
    draft: KpiDraft,
    name: str,
    make_rows: Callable[[], list[dict[str, Any]]],
    sig: str,
    config: dict[str, Any],
) -> list[dict[str, Any]]:
    """An ``st.data_editor`` whose rows live in the draft.

    The editor shows ``base`` plus the user's edits; the edited rows are copied into the
    draft every run. When Streamlit has forgotten the editor (another page was shown), the
    edited rows become the new base. A new ``sig`` (e.g. another cadence) renews the rows.
    """
    tab: EditorTable | None = draft.tables.get(name)
    if tab is None or tab.get("sig") != sig:
        ver = tab["ver"] + 1 if tab else 0
        tab = draft.tables[name] = editor_table(make_rows(), sig, ver)
    key = f"kpi_table_{name}_{tab['ver']}"
    if key not in st.session_state:
        tab["base"] = tab["rows"]
    columns = list(config)
    frame = pd.DataFrame(tab["base"], columns=columns)
    frame[columns[-1]] = pd.to_numeric(frame[columns[-1]], errors="coerce").astype("float64")
    edited = st.data_editor(
        frame,
        key=key,
        placeholder="–",
        hide_index=True,
        num_rows="fixed",
        column_config=config,
        disabled=columns[:-1],
        width="stretch",
    )
    tab["rows"] = [
        {str(c): (None if pd.isna(v) else v) for c, v in rec.items()}
        for rec in edited.astype(object).to_dict("records")
    ]
    return tab["rows"]
