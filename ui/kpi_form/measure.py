"""Form section 2, data and measure: the dataset, an aggregation over a column or a formula
(with a builder that writes it term by term), and the row filters."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from kpilogic.scorecard.formula import formula_columns, formula_is_additive
from kpilogic.scorecard.model import AGGREGATIONS, Dataset, Scorecard
from ui.kpi_form.checks import check_formula
from ui.kpi_form.draft import KpiDraft, text_of
from ui.kpi_form.filters import filters_section
from ui.kpi_form.source import Source
from ui.kpi_form.state import current_draft
from ui.kpi_form.widgets import bind, column_labels, labels, select
from ui.text import tr

MODES = ("aggregation", "formula")
OPERATORS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}  # as the operators are shown


def insert_term(number: bool) -> None:
    """Button callback: append ``op term`` to the formula (the formula widget is not drawn yet)."""
    ss = st.session_state
    d = current_draft()
    if d is None:
        return
    current = str(ss.get("kpi_formula", d.formula) or "").strip()
    if number:
        value = ss.get("kpi_fb_number")
        if value is None:
            return
        term = text_of(float(value))
    else:
        agg = ss.get("kpi_fb_agg", "sum")
        column = ss.get("kpi_fb_column")
        if not column:
            term = f"{agg}()"
        elif "]" in str(column):
            term = f'{agg}("{column}")'
        else:
            term = f"{agg}([{column}])"
    op = ss.get("kpi_fb_op", "+")
    text = f"{current} {op} {term}" if current else term
    d.formula = text
    ss["kpi_formula"] = text


def clear_formula() -> None:
    """Button callback: an empty formula."""
    d = current_draft()
    if d is not None:
        d.formula = ""
    st.session_state["kpi_formula"] = ""


def measure_section(
    draft: KpiDraft, card: Scorecard, data: Mapping[str, pd.DataFrame], usable: list[Dataset]
) -> Source:
    """The dataset, the measure and the filters; returns the chosen dataset's ``Source``."""
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.measure"))
        dataset_id: str = select(
            st.selectbox,
            tr("kpis.field.dataset"),
            draft,
            "dataset_id",
            "kpi_dataset",
            [ds.id for ds in usable],
            format_func=lambda d: card.dataset(d).name,
        )
        source = Source.of(card.dataset(dataset_id), data[dataset_id])
        mode = select(
            st.radio,
            tr("kpis.field.mode"),
            draft,
            "mode",
            "kpi_mode",
            list(MODES),
            format_func=labels("kpis.mode"),
            horizontal=True,
        )
        if mode == "aggregation":
            _aggregation(draft, source)
        else:
            _formula(draft, source)
        filters_section(draft, source)
        st.caption("🔎 " + tr("kpis.pillar.reliability"))
    return source


def _aggregation(draft: KpiDraft, source: Source) -> None:
    c1, c2 = st.columns(2)
    with c1:
        aggregation = select(
            st.selectbox,
            tr("kpis.field.aggregation"),
            draft,
            "aggregation",
            "kpi_agg",
            list(AGGREGATIONS),
            format_func=labels("measures.agg"),
        )
    with c2:
        select(
            st.selectbox,
            tr("kpis.field.column"),
            draft,
            "column",
            "kpi_column",
            source.column_options(aggregation),
            format_func=column_labels(),
        )
    st.caption(tr(f"kpis.agg_help.{aggregation}"))


def _formula(draft: KpiDraft, source: Source) -> None:
    st.caption(tr("kpis.formula.builder_help"))
    op_words = labels("kpis.fb.op")
    op_help = ", ".join(f"{SYMBOLS[o]} {op_words(w)}" for o, w in OPERATORS.items())
    # The form is half the page (about 440 px at 1400 px): at most three widgets a
    # row, so labels ("Bewerking") and buttons ("Getal invoegen") stay whole.
    b1, b2 = st.columns([1, 2], vertical_alignment="bottom")
    b3, b4 = st.columns([3, 2], vertical_alignment="bottom")
    with b1:
        select(
            st.selectbox,
            tr("kpis.fb.op"),
            draft,
            "fb_op",
            "kpi_fb_op",
            list(OPERATORS),
            format_func=SYMBOLS.__getitem__,
            help=op_help,
        )
    with b2:
        fb_agg = select(
            st.selectbox,
            tr("kpis.fb.agg"),
            draft,
            "fb_agg",
            "kpi_fb_agg",
            list(AGGREGATIONS),
            format_func=labels("measures.agg"),
        )
    with b3:
        select(
            st.selectbox,
            tr("kpis.fb.column"),
            draft,
            "fb_column",
            "kpi_fb_column",
            source.column_options(fb_agg),
            format_func=column_labels(),
        )
    b4.button(
        tr("kpis.fb.insert"),
        key="kpi_fb_insert",
        on_click=insert_term,
        args=(False,),
        width="stretch",
    )
    n1, n2, n3 = st.columns([3, 3, 2], vertical_alignment="bottom")
    with n1:
        bind(
            st.number_input,
            tr("kpis.fb.number"),
            draft,
            "fb_number",
            "kpi_fb_number",
            value=None,
            step=1.0,
        )
    n2.button(
        tr("kpis.fb.insert_number"),
        key="kpi_fb_insert_number",
        on_click=insert_term,
        args=(True,),
        width="stretch",
    )
    n3.button(tr("kpis.fb.clear"), key="kpi_fb_clear", on_click=clear_formula, width="stretch")
    formula = bind(
        st.text_input,
        tr("kpis.field.formula"),
        draft,
        "formula",
        "kpi_formula",
        placeholder="sum([Profit]) / sum([Revenue]) * 100",
        help=tr("kpis.formula.help"),
        max_chars=500,
    )
    if not str(formula or "").strip():
        return
    problem = check_formula(str(formula), source.columns, source.dataset.name)
    if problem:
        st.error(problem, icon="⚠️")
        return
    additive = formula_is_additive(str(formula))
    st.caption(
        "✅ "
        + tr(
            "kpis.formula.ok",
            columns=", ".join(sorted(formula_columns(str(formula)))) or "–",
        )
        + " "
        + tr("kpis.formula.additive" if additive else "kpis.formula.not_additive")
    )
