"""KPIs: per goal, the measurable values that tell whether it is reached, with a live preview.

The KPI being written lives in the app-owned draft ``koers_kpi_draft`` (a typed
``ui.kpi_form.draft.KpiDraft``, no widget state), so it survives switching page or language;
the widgets only mirror it. It is also kept in the store (``ui.kpi_form.keep``), so a reload or
a server restart brings it back. Saving builds a ``KPI``, puts it into a new, re-validated
``Scorecard`` and empties the draft. The preview evaluates the draft alone with
``evaluate_kpi``, exactly as the dashboard will. The form's sections live in ``ui/kpi_form``.
"""

from __future__ import annotations

import streamlit as st

from ui.cache import load_data
from ui.kpi_form.action import action_section
from ui.kpi_form.basics import basics_section
from ui.kpi_form.keep import keep_draft, restore_draft, restore_notice
from ui.kpi_form.kpi_list import kpi_list
from ui.kpi_form.measure import measure_section
from ui.kpi_form.preview import preview_section
from ui.kpi_form.save import save_buttons
from ui.kpi_form.state import GOAL, current_draft, ensure_draft, redraw_if_needed
from ui.kpi_form.target import target_section
from ui.kpi_form.templates import template_picker
from ui.kpi_form.widgets import bind
from ui.routing import PAGES, route_guard
from ui.session import require_role
from ui.text import lang, show_error, tr
from ui.widgets import notice, require_data, require_scorecard

route_guard()
require_role("editor")  # a viewer is told to ask the owner for edit rights
notice()
card = require_scorecard()
require_data(card)
L = lang()

st.title(tr("kpis.title"))
st.caption(tr("kpis.intro"))
with st.expander(tr("kpis.pillars.title")):
    st.markdown(tr("kpis.pillars.text"))

if not card.goals:
    st.info(tr("app.need_goals"), icon="🎯")
    st.page_link(PAGES["goals"], label=tr("nav.goals"), icon="🎯")
    st.stop()

data, data_problems = load_data(card)
for problem in data_problems.values():
    show_error(problem)
usable = [ds for ds in card.datasets if ds.id in data]
if not usable:
    st.info(tr("app.need_data"), icon="📄")
    st.page_link(PAGES["data"], label=tr("nav.data"), icon="📄")
    st.stop()

redraw_if_needed(L)
if current_draft() is None:  # a new session (a reload, a restart): the draft kept in the store
    restore_draft(card, [ds.id for ds in usable])
restore_notice()

# -- the goal and its KPIs -------------------------------------------------------------------
goal_ids = [g.id for g in card.goals]
if st.session_state.get(GOAL) not in goal_ids:
    st.session_state[GOAL] = goal_ids[0]
if st.session_state.get("kpi_goal") not in goal_ids:
    st.session_state.pop("kpi_goal", None)
goal_id: str = bind(
    st.selectbox,
    tr("kpis.goal"),
    {"goal": st.session_state[GOAL]},
    "goal",
    "kpi_goal",
    options=goal_ids,
    format_func=lambda g: card.goal(g).title,
    help=tr("kpis.goal_help"),
)
st.session_state[GOAL] = goal_id
goal = card.goal(goal_id)
if goal.why:
    st.caption(tr("kpis.goal_why", why=goal.why))
kpi_list(card, goal_id, L)

# -- the form --------------------------------------------------------------------------------
draft = ensure_draft(usable[0].id)
editing = bool(draft.id) and any(k.id == draft.id for k in card.kpis)
if draft.id and not editing:  # the KPI was deleted meanwhile: keep the text, as new
    draft.id = None

if editing:
    st.subheader(tr("kpis.edit_title", name=draft.name or "–"))
else:
    st.subheader(tr("kpis.new_title", goal=goal.title))
    template_picker(draft, card, data, usable, goal_id, L)
form_col, preview_col = st.columns([1, 1], gap="large")
with form_col:
    basics_section(draft)
    source = measure_section(draft, card, data, usable)
    target_section(draft, source, card.currency, card.fiscal_year_start_month)
    action_section(draft, source)
    save_buttons(draft, card, goal_id, source, editing, usable[0].id)
with preview_col:
    preview_section(draft, card, source, goal_id)

if card.kpis:
    st.page_link(PAGES["dashboard"], label=tr("kpis.to_dashboard"), icon="📊")
keep_draft(draft, card, goal_id)
