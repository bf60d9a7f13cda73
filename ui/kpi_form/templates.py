"""The template picker: start a KPI from the library, asking only for the columns that fill
the template's roles (and, where a column could be added up or counted, which one is meant)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from kpilogic.engine.templates import (
    ACCEPTS,
    CATEGORIES,
    COUNT_CHOICES,
    TEMPLATES,
    CountChoice,
    KpiTemplate,
    count_choice,
    counting_roles,
    instantiate,
    roles,
    suggest_columns,
    suggested_target,
    template,
)
from kpilogic.errors import KoersError
from kpilogic.i18n import format_number, format_value, t
from kpilogic.scorecard.model import Dataset, Scorecard
from ui.kpi_form.draft import ALL, NONE, CountAnswer, KpiDraft, TemplatePick
from ui.kpi_form.source import column_kinds
from ui.kpi_form.state import TPL, replace_draft
from ui.kpi_form.widgets import column_labels, select
from ui.text import plain_md, safe_message, set_notice, tr


def template_facts(tpl: KpiTemplate, lang: str, currency: str) -> str:
    """The template's unit, direction, cadence and tolerance in one line."""
    tol = tpl.tolerance
    digits = 0 if float(tol.value).is_integer() else 1
    if tol.kind == "percent":
        tolerance = f"{format_number(tol.value, lang, digits)}%"
    elif tpl.unit == "percent":
        tolerance = tr("tpl.tolerance.points", value=format_number(tol.value, lang, digits))
    else:
        value = format_value(tol.value, tpl.unit, lang, currency)
        tolerance = tr("tpl.tolerance.absolute", value=value)
    return tr(
        "tpl.facts",
        unit=tr(f"kpis.unit.{tpl.unit}", currency=currency),
        direction=tr(f"kpis.direction.{tpl.direction}"),
        cadence=tr(f"cadence.{tpl.cadence}"),
        tolerance=tolerance,
    )


def use_template(
    draft: KpiDraft,
    tpl: KpiTemplate,
    goal_id: str,
    dataset_id: str,
    picked: Mapping[str, str],
    lang: str,
    counting: Mapping[str, CountAnswer] | None = None,
) -> None:
    """Fill the draft from ``tpl`` and its chosen columns; the user reviews it and saves.
    The owner and action already typed are kept."""
    columns = {role: (column or None) for role, column in picked.items()}
    chosen_counting: dict[str, CountChoice] = {}
    for role_name, entry in (counting or {}).items():
        if not columns.get(role_name) or entry.column != columns[role_name]:
            continue
        if entry.choice is None:
            st.error(tr("trust.count.choose", column=plain_md(str(columns[role_name]))), icon="⚠️")
            return
        chosen_counting[role_name] = entry.choice
    try:
        kpi = instantiate(
            tpl,
            kpi_id="draft",
            goal_id=goal_id,
            dataset_id=dataset_id,
            columns=columns,
            lang=lang,
            target=suggested_target(tpl, columns),
            owner=str(draft.owner or ""),
            action=str(draft.action or ""),
            counting=chosen_counting,
        )
    except KoersError as exc:
        st.error(safe_message(exc), icon="⚠️")
        return
    new = KpiDraft.of(kpi)
    new.id = None
    replace_draft(new)
    set_notice(tr("tpl.used", name=kpi.name))
    st.rerun()


def template_picker(
    draft: KpiDraft,
    card: Scorecard,
    data: Mapping[str, pd.DataFrame],
    usable: list[Dataset],
    goal_id: str,
    lang: str,
) -> None:
    """Start from a template: asks only for the columns that fill its roles."""
    pick = st.session_state.get(TPL)
    if not isinstance(pick, TemplatePick):
        pick = st.session_state[TPL] = TemplatePick()
    with st.expander(tr("tpl.picker.title"), icon="🧩", expanded=not draft.name):
        st.caption(tr("tpl.picker.intro"))
        c1, c2 = st.columns([1, 2])
        with c1:
            category = select(
                st.selectbox,
                tr("tpl.category"),
                pick,
                "category",
                "kpi_tpl_category",
                [ALL, *CATEGORIES],
                format_func={
                    c: tr("tpl.category.all") if c == ALL else tr(f"templates.category.{c}")
                    for c in (ALL, *CATEGORIES)
                }.__getitem__,
            )
        shown = [tp for tp in TEMPLATES if category in (ALL, tp.category)]
        names = {
            tp.id: tr(
                "tpl.template_option",
                category=tr(f"templates.category.{tp.category}"),
                name=tp.name(lang),
            )
            if category == ALL
            else tp.name(lang)
            for tp in shown
        }
        with c2:
            tpl_id = select(
                st.selectbox,
                tr("tpl.template"),
                pick,
                "template",
                "kpi_tpl_template",
                [tp.id for tp in shown],
                format_func=names.__getitem__,
            )
        tpl = template(tpl_id)
        st.markdown(tr("tpl.what", what=tpl.what(lang)) + "  \n" + tr("tpl.why", why=tpl.why(lang)))
        st.caption(template_facts(tpl, lang, card.currency))
        dataset_id = select(
            st.selectbox,
            tr("tpl.dataset"),
            pick,
            "dataset_id",
            "kpi_tpl_dataset",
            [ds.id for ds in usable],
            format_func=lambda d: card.dataset(d).name,
        )
        ds = card.dataset(dataset_id)
        kinds = column_kinds(ds)
        columns = [str(c) for c in data[dataset_id].columns if str(c) != ds.date_column]
        column_kind = {c: kinds.get(c, "text") for c in columns}
        signature = f"{tpl.id}|{dataset_id}"
        if pick.sig != signature:  # another template or dataset: guess its columns
            guessed = suggest_columns(tpl, column_kind)
            pick.columns = {role: column or NONE for role, column in guessed.items()}
            pick.sig = signature
            pick.counting = {}
            for key in [
                k
                for k in st.session_state
                if str(k).startswith(("kpi_tpl_role_", "kpi_tpl_count_"))
            ]:
                del st.session_state[key]
        st.markdown("**" + tr("tpl.columns") + "**")
        st.caption(tr("tpl.columns_help"))
        needed = roles(tpl)
        role_cols = st.columns(min(len(needed), 3) or 1)
        for i, role in enumerate(needed):
            fits = [c for c in columns if column_kind[c] in ACCEPTS[role.kind]]
            with role_cols[i % len(role_cols)]:
                chosen = select(
                    st.selectbox,
                    role.label(lang),
                    pick.columns,
                    role.name,
                    f"kpi_tpl_role_{role.name}",
                    [NONE, *(fits or columns)],
                    format_func=column_labels("tpl.no_column"),
                )
                if not chosen:
                    st.caption(tr("tpl.no_guess", role=role.label(lang)))
        for role_name in counting_roles(tpl):
            column = pick.columns.get(role_name)
            if column and column in data[dataset_id].columns:
                count_question(pick.counting, role_name, column, data[dataset_id][column], lang)
        if st.button(tr("tpl.use"), key="kpi_tpl_use", icon="🧩"):
            use_template(draft, tpl, goal_id, dataset_id, pick.columns, lang, pick.counting)


def count_question(
    counting: dict[str, CountAnswer], role_name: str, column: str, values: pd.Series, lang: str
) -> None:
    """Does ``column`` hold a number per row (add up) or one item per row (count)? Koers
    guesses from the values and the name (``count_choice``) and says why; when it cannot
    tell, the radio starts empty and the template is not used until the user chooses."""
    guess = count_choice(column, values)
    key = f"kpi_tpl_count_{role_name}"
    entry = counting.get(role_name)
    if entry is None or entry.column != column:  # a new column: a new guess
        entry = counting[role_name] = CountAnswer(column, guess.choice)
        st.session_state.pop(key, None)
    options = list(COUNT_CHOICES)
    kw: dict[str, Any] = {}
    if key not in st.session_state:
        kw["index"] = None if entry.choice is None else options.index(entry.choice)
    choice = st.radio(
        tr("trust.count.question", column=plain_md(column)),
        options,
        key=key,
        format_func=lambda c: t(f"trust.count.option.{c}", lang),
        captions=[tr(f"trust.count.option_help.{c}", column=plain_md(column)) for c in options],
        **kw,
    )
    entry.choice = choice
    st.caption(
        ("❓ " if guess.choice is None else "💡 ")
        + tr(f"trust.count.why.{guess.reason}", column=plain_md(column))
    )
