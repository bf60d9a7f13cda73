"""Dashboard: per goal its status and health; per KPI latest value vs target, why, and trend."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from kpilogic.charts import actual_vs_target_chart, segment_bars, status_heatmap
from kpilogic.explain import explain_reason, left_out_note, status_badge
from kpilogic.i18n import format_date, format_number, format_value
from kpilogic.model import KPI
from kpilogic.quality import shaky_warning
from kpilogic.review import latest_checkins
from kpilogic.status import STYLES
from pages.health import kpi_report, score_text, show_checklist
from pages.shared import (
    PAGES,
    checkin_caption,
    evaluation,
    lang,
    notice,
    plain_lines,
    plain_md,
    require_data,
    require_kpis,
    require_scorecard,
    route_guard,
    safe_message,
    show_error,
    tr,
    workspace_checkins,
)

route_guard()


def show_trend(kpi: KPI, period: str, up_to: date) -> None:
    """The KPI's last 24 periods against target, and its segments in ``period``."""
    rows = ev.kpi_rows(kpi.id)
    rows = rows[rows["period_start"] <= pd.Timestamp(up_to)].tail(24)
    st.altair_chart(actual_vs_target_chart(rows, kpi, L, cur), width="stretch")
    if kpi.segment_column:
        seg = ev.segment_rows(kpi.id, period)
        if not seg.empty:
            st.markdown(tr("dash.segments", column=kpi.segment_column))
            st.altair_chart(segment_bars(seg, kpi, L, cur), width="stretch")


notice()
card = require_scorecard()
require_data(card)
require_kpis(card)
L = lang()
cur = card.currency

st.title(tr("dash.title", name=card.name))
with st.spinner(tr("dash.evaluating")):
    ev, problems = evaluation(card)
for exc in problems.values():
    show_error(exc)

detail = ev.detail
if detail.empty:
    st.warning(tr("dash.nothing"))
    for kpi_id, exc in ev.errors.items():
        st.error(f"{plain_md(kpi_id)}: {safe_message(exc)}", icon="⚠️")
    st.stop()

# -- period selector: a month end; each KPI shows its latest period begun by then -----------
starts = pd.to_datetime(detail["period_start"])
first, last = starts.min(), detail["period_end"].max()
months = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
month_ends = [p.end_time.date() for p in months]
data_end = ev.data_end
default_idx = len(month_ends) - 1
if data_end is not None:
    for i, d in enumerate(month_ends):
        if d >= data_end:
            default_idx = i
            break
top = st.columns([2, 3])
up_to: date = top[0].selectbox(
    tr("dash.period"),
    month_ends,
    index=default_idx,
    format_func=lambda d: tr("dash.period_option", month=d.strftime("%Y-%m")),
    key="dash_period",
    help=tr("dash.period_help"),
)
if data_end is not None:
    top[1].caption(tr("dash.data_until", date=format_date(data_end, L)))

goals = ev.goal_statuses(up_to)
latest = {k.id: ev.latest(k.id, up_to) for k in card.kpis if k.id not in ev.errors}
last_checkins = latest_checkins(kept.checkin for kept in workspace_checkins())

# -- needs attention -------------------------------------------------------------------------
attention = []
for kpi in card.kpis:
    row = latest.get(kpi.id)
    if row is None or row["status"] not in ("off_track", "at_risk"):
        continue
    value = row["projected"] if pd.notna(row["projected"]) else row["actual"]
    attention.append(
        {
            tr("dash.col.kpi"): kpi.name,
            tr("dash.col.status"): status_badge(row["status"], L),
            tr("dash.col.period"): row["period"],
            tr("dash.col.value"): format_value(value, kpi.unit, L, cur),
            tr("dash.col.target"): format_value(row["target"], kpi.unit, L, cur),
            tr("dash.col.owner"): kpi.owner or tr("dash.no_owner"),
            tr("dash.col.action"): kpi.action or tr("dash.no_action"),
            "_sev": STYLES[row["status"]].severity,
        }
    )
# Segments worse than their KPI's total count in the goal: list them too.
for goal_status in goals:
    for kpi_id, segment, seg_status in goal_status.segments_below_total():
        kpi = next(k for k in card.kpis if k.id == kpi_id)
        row = latest.get(kpi_id)
        if row is None:
            continue
        seg = ev.segment_rows(kpi_id, str(row["period"]))
        seg = seg[seg["segment"] == segment]
        if seg.empty:
            continue
        srow = seg.iloc[0]
        value = srow["projected"] if pd.notna(srow["projected"]) else srow["actual"]
        attention.append(
            {
                tr("dash.col.kpi"): f"{kpi.name} · {segment}",
                tr("dash.col.status"): status_badge(seg_status, L),
                tr("dash.col.period"): srow["period"],
                tr("dash.col.value"): format_value(value, kpi.unit, L, cur),
                tr("dash.col.target"): format_value(srow["target"], kpi.unit, L, cur),
                tr("dash.col.owner"): kpi.owner or tr("dash.no_owner"),
                tr("dash.col.action"): kpi.action or tr("dash.no_action"),
                "_sev": STYLES[seg_status].severity,
            }
        )
st.subheader(tr("dash.attention"))
if attention:
    table = pd.DataFrame(attention).sort_values("_sev", ascending=False).drop(columns="_sev")
    st.dataframe(table, hide_index=True, width="stretch")
else:
    st.success(tr("dash.attention_none"), icon="✅")
st.page_link(PAGES["review"], label=tr("review.dash.to_review"), icon="🗓️")

# -- per goal ----------------------------------------------------------------------------------
for goal_status in goals:
    goal = card.goal(goal_status.goal_id)
    with st.container(border=True):
        head = st.columns([3, 1])
        head[0].subheader(f"{STYLES[goal_status.status].icon} {plain_md(goal.title)}")
        on_track = sum(s == "on_track" for s in goal_status.kpi_statuses.values())
        total = len(goal_status.kpi_statuses)
        health = goal_status.health
        head[1].metric(
            tr("dash.health"),
            f"{format_number((health or 0) * 100, L, 0)}%" if health is not None else "–",
            help=tr("dash.health_help"),
        )
        head[0].caption(
            tr(
                "dash.goal_caption",
                status=status_badge(goal_status.status, L),
                on=on_track,
                total=total,
                owner=goal.owner or "–",
                deadline=format_date(goal.deadline, L) if goal.deadline else "–",
            )
        )
        for kpi_id, segment, seg_status in goal_status.segments_below_total():
            head[0].caption(
                STYLES[seg_status].icon
                + " "
                + tr(
                    "trust.goal.segment_pulls",
                    segment=plain_md(segment),
                    kpi=plain_md(next(k.name for k in card.kpis if k.id == kpi_id)),
                    status=status_badge(seg_status, L),
                )
            )
        for kpi in card.kpis_of(goal.id):
            if kpi.id in ev.errors:
                st.error(f"**{plain_md(kpi.name)}** — {safe_message(ev.errors[kpi.id])}", icon="⚠️")
                continue
            row = latest.get(kpi.id)
            if row is None:
                continue
            cols = st.columns([2, 3])
            value = row["projected"] if pd.notna(row["projected"]) else row["actual"]
            change = row["change_prev_pct"]
            delta = None
            if pd.notna(change):
                delta = tr("dash.delta_prev", pct=format_number(change, L, 1))
            cols[0].metric(
                f"{plain_md(kpi.name)} · {row['period']}",
                format_value(row["actual"], kpi.unit, L, cur),
                delta=delta,
                delta_color="inverse"
                if kpi.direction == "lower"
                else ("off" if kpi.direction == "range" else "normal"),
                help=plain_md(kpi.why) if kpi.why else None,
            )
            with cols[1]:
                st.markdown(f"**{status_badge(row['status'], L)}**")
                st.write(explain_reason(row["reason"], kpi.unit, L, cur))
                shaky = shaky_warning(ev.quality.kpis.get(kpi.id) if ev.quality else None, L)
                if shaky:
                    st.warning(plain_lines(shaky), icon="🧪")
                if bool(row["partial"]) and pd.notna(row["projected"]):
                    st.caption(
                        tr(
                            "dash.partial",
                            actual=format_value(row["actual"], kpi.unit, L, cur),
                            projected=format_value(value, kpi.unit, L, cur),
                        )
                    )
                # Rows a formula left out (an input column empty there) are named here.
                left_out = left_out_note(
                    {**row, "incomplete_columns": plain_md(str(row["incomplete_columns"]))}, L
                )
                if left_out:
                    st.caption(f"⚠️ {left_out}")
                forecast = ev.forecasts.get(kpi.id)
                if forecast is not None and forecast.reaches is not None:
                    key = "dash.forecast_yes" if forecast.reaches else "dash.forecast_no"
                    st.caption(
                        tr(
                            key,
                            date=format_date(forecast.deadline, L),
                            value=format_value(forecast.value, kpi.unit, L, cur),
                        )
                    )
                meta = tr(
                    "dash.kpi_meta", owner=kpi.owner or "–", cadence=tr(f"cadence.{kpi.cadence}")
                )
                st.caption(meta)
                st.caption(checkin_caption(last_checkins.get(kpi.id)))
                # -- three-pillar health check (relevance, reliability, action) --
                latest_checkin = last_checkins.get(kpi.id)
                pillars = kpi_report(
                    kpi,
                    ev,
                    status=row["status"],
                    checkins=[latest_checkin] if latest_checkin else [],
                )
                with st.expander(
                    tr("tpl.health.expander", score=score_text(pillars.overall)), icon="🏛️"
                ):
                    show_checklist(pillars, overall=False)
            # Charts are drawn only for the trends the user opens (Altair's validation of
            # 25 charts was most of a rerun).
            trend = st.expander(
                tr("dash.trend", name=kpi.name), key=f"dash_trend_{kpi.id}", on_change="rerun"
            )
            if trend.open:
                with trend:
                    show_trend(kpi, str(row["period"]), up_to)

# -- heat map ----------------------------------------------------------------------------------
st.subheader(tr("dash.heatmap"))
shown = detail[detail["period_start"] <= pd.Timestamp(up_to)]
for cadence in ("month", "quarter", "week", "year"):
    part = shown[shown["cadence"] == cadence]
    if not part.empty:
        st.markdown(f"**{tr(f'dash.heatmap.{cadence}')}**")
        st.altair_chart(status_heatmap(part, L), width="stretch")
st.page_link(PAGES["download"], label=tr("dash.to_download"), icon="⬇️")
