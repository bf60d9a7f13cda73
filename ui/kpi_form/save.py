"""Saving the draft: it becomes a KPI in a new, re-validated scorecard and the draft empties;
what it still lacks is listed instead. Cancel (or clear) starts afresh."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from kpilogic.scorecard.model import Scorecard, describe_validation_error
from ui.kpi_form.checks import problems
from ui.kpi_form.draft import KpiDraft
from ui.kpi_form.keep import forget_draft
from ui.kpi_form.source import Source
from ui.kpi_form.state import fresh_draft, new_draft
from ui.session import set_scorecard, unique_id
from ui.text import set_notice, tr


def save_buttons(
    draft: KpiDraft,
    card: Scorecard,
    goal_id: str,
    source: Source,
    editing: bool,
    first_dataset: str,
) -> None:
    """Save (and cancel while editing, or clear a new draft that has a name)."""
    buttons = st.container(horizontal=True)
    if buttons.button(tr("kpis.save"), key="kpi_save", type="primary"):
        _save(draft, card, goal_id, source, editing, first_dataset)
    if editing or draft.name:
        buttons.button(
            tr("kpis.cancel") if editing else tr("kpis.clear"),
            key="kpi_cancel",
            on_click=new_draft,
        )


def _save(
    draft: KpiDraft,
    card: Scorecard,
    goal_id: str,
    source: Source,
    editing: bool,
    first_dataset: str,
) -> None:
    name = str(draft.name or "").strip()
    missing: list[str] = [] if name else [tr("kpis.need.name")]
    missing += problems(draft, source.columns, source.dataset.name)
    if missing:
        st.error(tr("kpis.not_saved") + "\n\n" + "\n".join(f"- {m}" for m in missing), icon="⚠️")
        return
    taken = {k.id for k in card.kpis}
    kpi_id = draft.id if editing and draft.id else unique_id(name, taken)
    try:
        new_kpi = draft.to_kpi(goal_id, kpi_id, name)
        kpis_now = [new_kpi if k.id == kpi_id else k for k in card.kpis]
        if not editing:
            kpis_now.append(new_kpi)
        updated = card.model_copy(update={"kpis": kpis_now})
        updated = Scorecard.model_validate(updated.model_dump())
    except ValidationError as exc:
        st.error(tr("kpis.invalid", detail=describe_validation_error(exc)), icon="⚠️")
        return
    if not set_scorecard(updated):
        return  # not saved: the store's message, the form and the kept draft stay
    forget_draft()  # saved: a reload must not bring the draft back
    set_notice(tr("kpis.saved", name=name))
    fresh_draft(first_dataset)
    st.rerun()
