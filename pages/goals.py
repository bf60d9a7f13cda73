"""Goals: a step-by-step wizard (what, why, who and when), plus edit, reorder and delete."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st
from pydantic import ValidationError

from kpilogic.engine.pillars import goal_health, goal_hints
from kpilogic.i18n import date_format, format_date, people_params
from kpilogic.scorecard.model import PERSPECTIVES, Goal, Scorecard, describe_validation_error
from ui.health import goal_checklist_line
from ui.routing import PAGES, route_guard
from ui.session import ensure_scorecard, require_role, set_scorecard, unique_id
from ui.text import lang, plain_md, set_notice, tr
from ui.widgets import bound, notice

route_guard()
require_role("editor")  # a viewer is told to ask the owner for edit rights

DRAFT = "koers_goal_draft"  # the goal being written: {"id"?, title, why, ...}
STEP = "koers_goal_step"
CONFIRM = "koers_goal_confirm_delete"
STEPS = 3

notice()
card = ensure_scorecard()
L = lang()
st.title(tr("goals.title"))
st.caption(tr("goals.intro"))

name_draft: dict[str, Any] = {"name": card.name}
new_name = bound(st.text_input, tr("goals.scorecard_name"), name_draft, "name", "goals_card_name")
if new_name and new_name.strip() and new_name.strip() != card.name:
    card = card.model_copy(update={"name": new_name.strip()})
    set_scorecard(card)


def _empty_draft() -> dict[str, Any]:
    return {
        "title": "",
        "why": "",
        "owner": "",
        "deadline": None,
        "start": None,
        "perspective": "financial",
    }


def _clear_widgets() -> None:
    for key in (
        "goal_title",
        "goal_why",
        "goal_perspective",
        "goal_owner",
        "goal_deadline",
        "goal_start",
    ):
        st.session_state.pop(key, None)


def _start_edit(goal: Goal) -> None:
    st.session_state[DRAFT] = goal.model_dump()
    st.session_state[STEP] = 1
    _clear_widgets()


def _save(card: Scorecard, draft: dict[str, Any]) -> Scorecard | None:
    goals = list(card.goals)
    goal_id = draft.get("id") or unique_id(draft.get("title") or "goal", {g.id for g in goals})
    try:
        goal = Goal.model_validate({**draft, "id": goal_id})
    except ValidationError as exc:
        st.error(tr("goals.invalid", detail=describe_validation_error(exc)), icon="⚠️")
        return None
    replaced = [goal if g.id == goal.id else g for g in goals]
    if goal.id not in {g.id for g in goals}:
        replaced.append(goal)
    return card.model_copy(update={"goals": replaced})


# -- existing goals ------------------------------------------------------------------------
if card.goals:
    st.subheader(tr("goals.list"))
for i, goal in enumerate(card.goals):
    with st.container(border=True):
        cols = st.columns([6, 1, 1, 1, 1])
        n_kpis = len(card.kpis_of(goal.id))
        cols[0].markdown(f"**{i + 1}. {plain_md(goal.title)}**")
        cols[0].caption(
            tr(
                "goals.meta",
                perspective=tr(f"perspective.{goal.perspective}"),
                owner=goal.owner or "–",
                deadline=format_date(goal.deadline, L) if goal.deadline else "–",
                kpis=n_kpis,
            )
        )
        if cols[1].button("✏️", key=f"goal_edit_{goal.id}", help=tr("goals.edit")):
            _start_edit(goal)
            st.rerun()
        if cols[2].button("⬆️", key=f"goal_up_{goal.id}", help=tr("goals.up"), disabled=i == 0):
            goals = list(card.goals)
            goals[i - 1], goals[i] = goals[i], goals[i - 1]
            set_scorecard(card.model_copy(update={"goals": goals}))
            st.rerun()
        if cols[3].button(
            "⬇️",
            key=f"goal_down_{goal.id}",
            help=tr("goals.down"),
            disabled=i == len(card.goals) - 1,
        ):
            goals = list(card.goals)
            goals[i + 1], goals[i] = goals[i], goals[i + 1]
            set_scorecard(card.model_copy(update={"goals": goals}))
            st.rerun()
        if cols[4].button("🗑️", key=f"goal_delete_{goal.id}", help=tr("goals.delete")):
            st.session_state[CONFIRM] = goal.id
            st.rerun()
        if st.session_state.get(CONFIRM) == goal.id:
            st.warning(tr("goals.confirm_delete", title=goal.title, kpis=n_kpis), icon="🗑️")
            yes, no = st.columns(2)
            if yes.button(tr("goals.delete_yes"), key=f"goal_delete_yes_{goal.id}", type="primary"):
                set_scorecard(
                    card.model_copy(
                        update={
                            "goals": [g for g in card.goals if g.id != goal.id],
                            "kpis": [k for k in card.kpis if k.goal_id != goal.id],
                        }
                    )
                )
                st.session_state.pop(CONFIRM, None)
                set_notice(tr("goals.deleted", title=goal.title))
                st.rerun()
            if no.button(tr("goals.delete_no"), key=f"goal_delete_no_{goal.id}"):
                st.session_state.pop(CONFIRM, None)
                st.rerun()
        health = goal_health(goal, card, date.today())
        st.caption(goal_checklist_line(health))
        for check in health.failed:
            st.caption("💡 " + check.advice(L))

# -- the wizard ------------------------------------------------------------------------------
draft: dict[str, Any] = st.session_state.setdefault(DRAFT, _empty_draft())
step: int = st.session_state.setdefault(STEP, 1)
editing = bool(draft.get("id"))
st.subheader(tr("goals.edit_title") if editing else tr("goals.new_title"))
st.progress(step / STEPS, text=tr("goals.step", step=step, steps=STEPS))

with st.container(border=True):
    if step == 1:
        bound(
            st.text_input,
            tr("goals.field.title"),
            draft,
            "title",
            "goal_title",
            placeholder=tr("goals.field.title_placeholder"),
            max_chars=200,
        )
        st.caption(tr("goals.help.title"))
    elif step == 2:
        bound(
            st.text_area,
            tr("goals.field.why"),
            draft,
            "why",
            "goal_why",
            placeholder=tr("goals.field.why_placeholder"),
            max_chars=2000,
        )
        bound(
            st.selectbox,
            tr("goals.field.perspective"),
            draft,
            "perspective",
            "goal_perspective",
            options=list(PERSPECTIVES),
            format_func=lambda p: tr(f"perspective.{p}"),
        )
        st.caption(tr("goals.help.perspective"))
    else:
        bound(st.text_input, tr("goals.field.owner"), draft, "owner", "goal_owner", max_chars=200)
        bound(
            st.date_input,
            tr("goals.field.deadline"),
            draft,
            "deadline",
            "goal_deadline",
            format=date_format(L, "widget"),
        )
        st.caption(tr("goals.help.deadline"))
        bound(
            st.date_input,
            tr("goals.field.start"),
            draft,
            "start",
            "goal_start",
            format=date_format(L, "widget"),
        )
        st.caption(tr("goals.help.start"))

    if str(draft.get("title") or "").strip():
        preview = Goal.model_construct(**{**_empty_draft(), **draft, "id": draft.get("id", "x")})
        for hint in goal_hints(preview):
            st.caption("💡 " + tr(hint.key, **people_params(hint.params, L)))

    nav = st.container(horizontal=True)
    if step > 1 and nav.button(tr("goals.back"), key="goal_back"):
        st.session_state[STEP] = step - 1
        st.rerun()
    if step < STEPS:
        if nav.button(tr("goals.next"), key="goal_next", type="primary"):
            if step == 1 and not str(draft.get("title") or "").strip():
                st.error(tr("goals.need_title"), icon="⚠️")
            else:
                st.session_state[STEP] = step + 1
                st.rerun()
    elif nav.button(tr("goals.save"), key="goal_save", type="primary"):
        start, deadline = draft.get("start"), draft.get("deadline")
        if not str(draft.get("title") or "").strip():
            st.error(tr("goals.need_title"), icon="⚠️")
        elif start is not None and deadline is not None and start >= deadline:
            st.error(
                tr(
                    "goals.start_after_deadline",
                    start=format_date(start, L),
                    deadline=format_date(deadline, L),
                ),
                icon="⚠️",
            )
        else:
            saved = _save(card, draft)
            if saved is not None and set_scorecard(saved):  # refused: the draft stays
                set_notice(tr("goals.saved", title=draft["title"]))
                st.session_state[DRAFT] = _empty_draft()
                st.session_state[STEP] = 1
                _clear_widgets()
                st.rerun()
    if (editing or draft.get("title")) and nav.button(tr("goals.cancel"), key="goal_cancel"):
        st.session_state[DRAFT] = _empty_draft()
        st.session_state[STEP] = 1
        _clear_widgets()
        st.rerun()

if card.goals:
    st.page_link(PAGES["kpis"], label=tr("goals.to_kpis"), icon="📏")
