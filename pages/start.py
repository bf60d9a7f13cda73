"""Start: what Koers does, how to begin, and short guidance on goals, KPIs and the pillars."""

from __future__ import annotations

import streamlit as st

from pages.shared import PAGES, load_sample, notice, route_guard, scorecard, set_notice, tr

route_guard()

notice()
st.title(tr("start.title"))
st.markdown(tr("start.intro"))

card = scorecard()
cols = st.columns(3)
with cols[0], st.container(border=True):
    st.subheader(tr("start.sample.title"))
    st.write(tr("start.sample.text"))
    if st.button(tr("start.sample.button"), key="start_sample", type="primary"):
        load_sample()
        set_notice(tr("start.sample.loaded"))
        st.switch_page(PAGES["dashboard"])
with cols[1], st.container(border=True):
    st.subheader(tr("start.upload.title"))
    st.write(tr("start.upload.text"))
    if st.button(tr("start.upload.button"), key="start_upload"):
        st.switch_page(PAGES["data"])
with cols[2], st.container(border=True):
    st.subheader(tr("start.continue.title"))
    if card is None:
        st.write(tr("start.continue.none"))
    else:
        st.write(
            tr("start.continue.text", name=card.name, goals=len(card.goals), kpis=len(card.kpis))
        )
        if st.button(tr("start.continue.button"), key="start_continue"):
            st.switch_page(PAGES["dashboard"] if card.kpis else PAGES["goals"])

st.divider()
st.subheader(tr("start.guide.title"))
with st.expander(tr("start.guide.kpi.title"), expanded=True):
    st.markdown(tr("start.guide.kpi.text"))
with st.expander(tr("start.guide.goal.title")):
    st.markdown(tr("start.guide.goal.text"))
with st.expander(tr("start.guide.pillars.title")):
    st.markdown(tr("start.guide.pillars.text"))
with st.expander(tr("start.guide.review.title")):
    st.markdown(tr("start.guide.review.text"))
