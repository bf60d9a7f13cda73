"""Form section 1, what and why: the KPI's name and the reason it tells about its goal."""

from __future__ import annotations

import streamlit as st

from ui.kpi_form.draft import KpiDraft
from ui.kpi_form.widgets import bind
from ui.text import tr


def basics_section(draft: KpiDraft) -> None:
    """The name and the why (the relevance pillar)."""
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.what"))
        bind(
            st.text_input,
            tr("kpis.field.name"),
            draft,
            "name",
            "kpi_name",
            placeholder=tr("kpis.field.name_placeholder"),
            max_chars=200,
        )
        bind(
            st.text_area,
            tr("kpis.field.why"),
            draft,
            "why",
            "kpi_why",
            placeholder=tr("kpis.field.why_placeholder"),
            max_chars=2000,
            height=80,
        )
        st.caption("🎯 " + tr("kpis.pillar.relevance"))
