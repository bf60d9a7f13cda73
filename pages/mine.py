"""Mijn KPI's: a KPI owner enters the values due from them and checks in on their KPIs.

A contributor sees only this page (``ui.owner.contributor_view``); the store lets them change
nothing but their own KPIs' values and check-ins.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from kpilogic.engine.review import open_periods, review_due
from kpilogic.i18n import format_period
from kpilogic.workspace import entry
from ui.access import literal_md
from ui.cache import evaluation
from ui.checkin import CheckinContext, checkin_form
from ui.owner import entry_form, status_table, workspace_choice
from ui.routing import route_guard
from ui.session import current_user, scorecard, store, workspace_checkins, workspace_id
from ui.text import lang, set_notice, show_error, tr
from ui.widgets import notice

route_guard()

L = lang()
st.title(tr("mine.title"))
notice()
workspace_choice()
card, ws, db = scorecard(), workspace_id(), store()
if card is None or ws is None or db is None:
    st.info(tr("mine.no_workspace"), icon="🤝")
    st.stop()
email = current_user()
st.markdown(tr("mine.intro", workspace=db.get_workspace(ws).name))
mine = entry.owned_kpis(card, email)
if not mine:
    st.info(tr("mine.none_owned", email=literal_md(email)), icon="🤝")
    st.stop()

ev, problems = evaluation(card)
kept_in_koers = {ds.id for ds in card.datasets if ds.manual is not None}
for dataset_id, exc in problems.items():
    if dataset_id not in kept_in_koers:  # an empty kept table: its fields say what to do
        show_error(exc)
today: date = ev.as_of or date.today()

st.subheader(tr("mine.status.title"))
status_table(ev, email)
entry_form(ev, email, today)

# -- check-ins: open for each KPI of theirs off course without one ---------------------------
items = review_due(card, ev, [kept.checkin for kept in workspace_checkins()], today)
open_by_kpi = open_periods(items)
off = {i.kpi_id: i for i in items if i.reason_key == "off_course_without_checkin"}
st.subheader(tr("mine.checkin.title"), help=tr("mine.checkin.help"))
context = CheckinContext(card, ev, today, L, open_by_kpi)
for kpi in sorted(mine, key=lambda k: k.id not in off):
    item = off.get(kpi.id)
    label = (
        tr("mine.checkin.off", name=kpi.name, period=format_period(item.period, L))
        if item is not None
        else tr("mine.checkin.other", name=kpi.name)
    )
    state = "off" if item is not None else "ok"  # a KPI going off course opens again
    with st.expander(label, expanded=item is not None, key=f"mine_checkin_{kpi.id}_{state}"):
        checkin_form(context, kpi, set_notice)
