"""Koers — the router: page list, language, session bootstrap. Pages do the rest."""

from __future__ import annotations

import os

import streamlit as st

from kpilogic.i18n import LANGS, languages
from ui.access import account_sidebar, sign_in_gate
from ui.keys import LANG, SAMPLE_OFFERED
from ui.owner import contributor_view, owns_kpis
from ui.routing import PAGES, routed
from ui.session import bootstrap, is_sample, load_sample, run_marker, scorecard
from ui.text import tr
from ui.widgets import error_boundary

st.set_page_config(page_title="Koers", page_icon="🧭", layout="wide")
run_marker()  # end-to-end tests only
sign_in_gate()  # team mode: nothing before the user has signed in
bootstrap()

# `./dev.sh app` opens every new session on the sample scorecard: once, at the session's
# first run (a workspace opened from the address, ``?ws=``, is not replaced by it, and neither
# is a new scorecard the user starts later).
if os.environ.get("KOERS_SAMPLE") == "1" and not st.session_state.get(SAMPLE_OFFERED):
    st.session_state[SAMPLE_OFFERED] = True
    if scorecard() is None:
        load_sample()


def _on_lang_change() -> None:
    st.session_state[LANG] = st.session_state["lang_widget"]
    if is_sample():
        load_sample()  # the sample in the newly chosen language
    # Choice widgets remember their translated label; forget the goal wizard's widgets and the
    # review page's period choices so they are drawn again from the app-owned draft.
    for key in [k for k in st.session_state if str(k).startswith(("goal_", "review_period_"))]:
        del st.session_state[key]


with st.sidebar:
    st.session_state["lang_widget"] = st.session_state[LANG]
    st.segmented_control(
        tr("app.language"),
        options=list(LANGS),
        format_func=lambda code: languages()[code].label,
        key="lang_widget",
        on_change=_on_lang_change,
        required=True,
    )
    card = scorecard()
    if card is not None:
        st.caption(tr("app.current_scorecard", name=card.name))
    account_sidebar()

mine = st.Page(PAGES["mine"], title=tr("mine.nav"), icon="✍️", url_path="mine")
contributor = contributor_view()
if contributor:
    # A contributor enters their own KPIs' values and check-ins; nothing else is theirs.
    # Every address of the app (a link to /dashboard, the digest's /mine) shows that page.
    pages = [
        st.Page(PAGES["mine"], title=tr("mine.nav"), icon="✍️", default=True, url_path="start")
    ] + [
        st.Page(PAGES["mine"], title=tr("mine.nav"), icon="✍️", url_path=name)
        for name in PAGES
        if name != "start"
    ]
else:
    pages = [
        st.Page(PAGES["start"], title=tr("nav.start"), icon="🏠", default=True, url_path="start"),
        st.Page(PAGES["data"], title=tr("nav.data"), icon="📄", url_path="data"),
        st.Page(PAGES["goals"], title=tr("nav.goals"), icon="🎯", url_path="goals"),
        st.Page(PAGES["kpis"], title=tr("nav.kpis"), icon="📏", url_path="kpis"),
        st.Page(PAGES["dashboard"], title=tr("nav.dashboard"), icon="📊", url_path="dashboard"),
        st.Page(PAGES["review"], title=tr("review.nav"), icon="🗓️", url_path="review"),
        st.Page(PAGES["download"], title=tr("nav.download"), icon="⬇️", url_path="download"),
        *([mine] if owns_kpis() else []),
    ]
# No page shows a traceback: the boundary shows a translated message and logs the detail.
with routed(), error_boundary():
    st.navigation(pages, position="hidden" if contributor else "sidebar").run()
