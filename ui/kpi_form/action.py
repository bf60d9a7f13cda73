"""Form section 4, follow-up: the owner, an optional split by segment (with a target per
segment) and the action agreed for when the KPI is off course."""

from __future__ import annotations

import streamlit as st

from ui.kpi_form.draft import NONE, KpiDraft
from ui.kpi_form.source import Source
from ui.kpi_form.widgets import bind, column_labels, draft_table, select
from ui.text import tr

MAX_SEGMENTS = 50  # rows of the per-segment target table


def action_section(draft: KpiDraft, source: Source) -> None:
    """Owner, segments and action (the action-orientation pillar)."""
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.action"))
        o1, o2 = st.columns(2)
        with o1:
            bind(
                st.text_input,
                tr("kpis.field.owner"),
                draft,
                "owner",
                "kpi_owner",
                placeholder=tr("kpis.field.owner_placeholder"),
                max_chars=200,
            )
        with o2:
            segment_column = select(
                st.selectbox,
                tr("kpis.field.segment"),
                draft,
                "segment_column",
                "kpi_segment",
                [NONE, *source.categories],
                format_func=column_labels("kpis.no_segment"),
                help=tr("kpis.help.segment"),
            )
        if segment_column and draft.direction != "range":
            _segment_targets(draft, source, segment_column)
        bind(
            st.text_area,
            tr("kpis.field.action"),
            draft,
            "action",
            "kpi_action",
            placeholder=tr("kpis.field.action_placeholder"),
            max_chars=2000,
            height=80,
        )
        st.caption("🛠️ " + tr("kpis.pillar.action"))


def _segment_targets(draft: KpiDraft, source: Source, segment_column: str) -> None:
    """A target per segment value the data has (and any typed before that it lacks now)."""
    st.caption(tr("kpis.segments_help", column=segment_column))
    old_targets = {r["segment"]: r["target"] for r in draft.rows("segments")}
    values = source.df[segment_column].dropna().astype(str).str.strip()
    names = sorted(set(values[values != ""]))[:MAX_SEGMENTS]
    names += [n for n in old_targets if n not in names]
    per = tr(f"kpis.per.{draft.cadence}")
    draft_table(
        draft,
        "segments",
        lambda: [{"segment": n, "target": old_targets.get(n)} for n in names],
        segment_column,
        {
            "segment": st.column_config.TextColumn(segment_column),
            "target": st.column_config.NumberColumn(
                tr("kpis.table.target", per=per), format="%.2f"
            ),
        },
    )
