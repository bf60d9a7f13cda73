"""The goal's KPIs as cards: a one-line summary each, with edit and delete (after "yes")."""

from __future__ import annotations

import streamlit as st

from kpilogic.engine.evaluate import unmatched_targets
from kpilogic.i18n import format_value
from kpilogic.scorecard.model import KPI, Scorecard
from ui.kpi_form.draft import text_of
from ui.kpi_form.state import CONFIRM, current_draft, new_draft, start_edit
from ui.kpi_form.widgets import labels
from ui.session import scorecard, set_scorecard
from ui.text import Md, plain_md, set_notice, tr


def ask_delete(kpi_id: str) -> None:
    """Callback: ask "yes, delete?" for ``kpi_id``."""
    st.session_state[CONFIRM] = kpi_id


def cancel_delete() -> None:
    """Callback: keep the KPI."""
    st.session_state.pop(CONFIRM, None)


def delete(kpi_id: str) -> None:
    """Callback: remove ``kpi_id`` from the scorecard (an open draft of it starts afresh)."""
    card = scorecard()
    st.session_state.pop(CONFIRM, None)
    if card is None:
        return
    gone = [k for k in card.kpis if k.id == kpi_id]
    card = card.model_copy(update={"kpis": [k for k in card.kpis if k.id != kpi_id]})
    set_scorecard(Scorecard.model_validate(card.model_dump()))
    if gone:
        set_notice(tr("kpis.deleted", name=gone[0].name))
    draft = current_draft()
    if draft is not None and draft.id == kpi_id:
        new_draft()


# -- words for a saved KPI -------------------------------------------------------------------


def measure_text(kpi: KPI) -> str:
    """The measure and its filters in words."""
    m = kpi.measure
    text: str
    if m.formula:
        text = tr("kpis.summary.formula", formula=m.formula)
    elif m.column is None:
        text = tr("kpis.rows")
    else:
        text = tr("kpis.summary.agg", agg=tr(f"measures.agg.{m.aggregation}"), column=m.column)
    if kpi.filters:
        op_words = labels("kpis.filter.op")
        described = [
            f"{f.column} {op_words(f.op)} "
            + (
                ", ".join(text_of(v) for v in f.value)
                if isinstance(f.value, list)
                else text_of(f.value)
            )
            for f in kpi.filters
        ]
        joined = Md(tr("kpis.summary.and").join(plain_md(d) for d in described))
        text += " " + tr("kpis.summary.filters", filters=joined)
    return text


def target_text(kpi: KPI, lang: str, currency: str) -> str:
    """The target in words."""
    tgt = kpi.target

    def fmt(value: float | None) -> str:
        return format_value(value, kpi.unit, lang, currency)

    if tgt is None:
        return tr("kpis.summary.no_target")
    if kpi.direction == "range":
        return tr("kpis.summary.range", low=fmt(tgt.low), high=fmt(tgt.high))
    key, params = tgt.summary(kpi, lang, currency)
    return tr(key, **params)


def summary(kpi: KPI, lang: str, currency: str) -> str:
    """The KPI card's one line: measure, target, direction, owner and cadence."""
    return " · ".join(
        [
            measure_text(kpi),
            target_text(kpi, lang, currency),
            tr(f"kpis.direction.{kpi.direction}"),
            tr("kpis.summary.owner", owner=kpi.owner or "–"),
            tr(f"cadence.{kpi.cadence}"),
        ]
    )


def kpi_list(card: Scorecard, goal_id: str, lang: str) -> None:
    """The goal's KPIs, each a card with its summary, unmatched target keys, edit and delete."""
    kpis = card.kpis_of(goal_id)
    st.subheader(tr("kpis.list"))
    if not kpis:
        st.caption(tr("kpis.none"))
    unmatched = unmatched_targets(card)  # target keys that name no period: never silent
    for kpi in kpis:
        with st.container(border=True):
            cols = st.columns([10, 1, 1], vertical_alignment="center")
            cols[0].markdown(f"**{plain_md(kpi.name)}**")
            cols[0].caption(summary(kpi, lang, card.currency))
            for problem in (u for u in unmatched if u.kpi_id == kpi.id):
                cols[0].warning(plain_md(problem.message(lang)), icon="⚠️")
            cols[1].button(
                "✏️",
                key=f"kpi_edit_{kpi.id}",
                help=tr("kpis.edit"),
                on_click=start_edit,
                args=(kpi,),
            )
            cols[2].button(
                "🗑️",
                key=f"kpi_delete_{kpi.id}",
                help=tr("kpis.delete"),
                on_click=ask_delete,
                args=(kpi.id,),
            )
            if st.session_state.get(CONFIRM) == kpi.id:
                st.warning(tr("kpis.confirm_delete", name=kpi.name), icon="🗑️")
                answer = st.container(horizontal=True)
                answer.button(
                    tr("kpis.delete_yes"),
                    key=f"kpi_delete_yes_{kpi.id}",
                    type="primary",
                    on_click=delete,
                    args=(kpi.id,),
                )
                answer.button(
                    tr("kpis.delete_no"), key=f"kpi_delete_no_{kpi.id}", on_click=cancel_delete
                )
