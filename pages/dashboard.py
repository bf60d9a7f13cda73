"""Dashboard: first, per goal its progress towards the deadline and the period's insights;
then per KPI this year against last year and its segments' trends; what needs attention; per
goal its KPIs' latest value vs target and why; the values per period × KPI; the heat map."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.insights import Insight, insight_text, insights
from kpilogic.engine.progress import (
    SEVERITY,
    GoalProgress,
    KpiProgress,
    goal_progress,
    progress_text,
)
from kpilogic.engine.quality import shaky_warning
from kpilogic.engine.review import latest_checkins
from kpilogic.engine.shortfall import shortfall, shortfall_text
from kpilogic.i18n import format_date, format_number, format_period, format_value
from kpilogic.present.charts import (
    actual_vs_target_chart,
    fit_to_column,
    progress_chart,
    segment_trends_chart,
    status_heatmap,
    year_over_year_chart,
)
from kpilogic.present.period_table import (
    display_table,
    partial_note,
    period_tables,
    table_csv,
    table_xlsx,
)
from kpilogic.scorecard.explain import compact_value, explain_reason, left_out_note, status_badge
from kpilogic.scorecard.model import KPI, Scorecard
from kpilogic.scorecard.status import STYLES, Status
from ui.cache import evaluation
from ui.health import kpi_report, score_text, show_checklist
from ui.routing import PAGES, route_guard
from ui.session import checkin_caption, workspace_checkins
from ui.text import lang, plain_lines, plain_md, safe_message, show_error, tr, tr_plain
from ui.widgets import notice, require_data, require_kpis, require_scorecard

route_guard()


def show_trend(kpi: KPI, period: str, up_to: date) -> None:
    """The KPI's last 24 periods against target, and its segments in ``period``."""
    rows = ev.kpi_rows(kpi.id)
    rows = rows[rows["period_start"] <= pd.Timestamp(up_to)].tail(24)
    # Inside a goal's box the default "fit" took the legend's rows from the plot's height
    # and flattened the line (seen in the e2e screenshot): fit the width only.
    chart = fit_to_column(actual_vs_target_chart(rows, kpi, L, cur))
    st.altair_chart(chart, width="stretch")
    if kpi.segment_column:
        show_segment_trends(kpi, up_to)


def show_segment_trends(kpi: KPI, up_to: date) -> None:
    """Each segment's trend over the last 24 periods: labelled lines, small multiples when
    there are many segments."""
    rows = ev.detail[(ev.detail["kpi_id"] == kpi.id) & (ev.detail["segment"] != "")]
    rows = rows[rows["period_start"] <= pd.Timestamp(up_to)]
    chart = segment_trends_chart(rows, kpi, L, cur)
    if chart is None:
        return
    st.markdown(tr("dash.segments", column=kpi.segment_column))
    st.altair_chart(chart, width="stretch")


# A goal's progress status shown with the house colours and icons of the period statuses.
PROGRESS_STYLE: dict[str, Status] = {
    "on_course": "on_track",
    "reached": "on_track",
    "at_risk": "at_risk",
    "off_course": "off_track",
    "missed": "off_track",
    "no_target": "no_target",
    "no_data": "no_data",
}


def progress_as_of(up_to: date, data_end: date | None) -> date | None:
    """The evaluation date of goal progress: the chosen month's end when it comes before the
    data's end; otherwise None (the data's end)."""
    if data_end is None or up_to >= data_end:
        return None
    return up_to


def show_goal_progress(progress: GoalProgress, scorecard: Scorecard, ev: Evaluation) -> None:
    """One goal: its status and sentence, the progress bar and numbers of the KPI that
    decides its status, and the other KPIs' in an expander (the first screen stays short)."""
    style = STYLES[PROGRESS_STYLE[progress.status]]
    with st.container(border=True):
        st.subheader(f"{style.icon} {plain_md(progress.title)}")
        st.markdown(f"**{plain_md(progress_text(progress, scorecard, L))}**")
        deciding = max(progress.kpis, key=lambda k: SEVERITY[k.status], default=None)
        why = shortfall(ev, deciding) if deciding is not None else None
        if why is not None:  # which segment and which periods are behind
            st.markdown(plain_md(shortfall_text(why, scorecard, L)))
        if progress.deadline is not None and progress.span_start is not None:
            st.caption(
                tr(
                    "pdash.progress.span",
                    start=format_date(progress.span_start, L),
                    as_of=format_date(progress.as_of, L),
                    deadline=format_date(progress.deadline, L),
                )
            )
        if not progress.kpis:
            return
        order = sorted(
            progress.kpis,
            key=lambda k: -STYLES[PROGRESS_STYLE[k.status]].severity,
        )
        several = len(order) > 1
        # The goal's sentence is the deciding KPI's: name that KPI, do not repeat it.
        if several:
            st.markdown(f"**{plain_md(order[0].kpi)}**")
        show_kpi_progress(order[0], scorecard, several=False)
        if several:
            rest = st.expander(
                tr("pdash.progress.others", count=len(order) - 1),
                key=f"dash_progress_{progress.goal_id}",
                on_change="rerun",
            )
            # Drawn only when opened: a chart per KPI of every goal was most of a rerun.
            if rest.open:
                with rest:
                    for kp in order[1:]:
                        show_kpi_progress(kp, scorecard, several)


def show_kpi_progress(kp: KpiProgress, scorecard: Scorecard, several: bool) -> None:
    """A KPI's progress bar (so far and forecast against the target at the deadline) with its
    year-to-date numbers beside it."""
    kpi = next(k for k in scorecard.kpis if k.id == kp.kpi_id)
    unit = kpi.unit

    def money(value: float | None) -> str:
        return compact_value(value, unit, L, cur)

    if several:
        st.markdown(f"**{plain_md(kp.kpi)}** — {plain_md(progress_text(kp, scorecard, L))}")
    cols = st.columns([3, 2])
    so_far = kp.cumulative_actual if kp.additive else kp.latest
    chart = progress_chart(
        so_far,
        kp.forecast_at_deadline,
        kp.target_at_deadline,
        kp.cumulative_target if kp.additive else None,
        unit,
        L,
        cur,
    )
    with cols[0]:
        if chart is not None:
            st.altair_chart(chart, width="stretch")
    with cols[1]:
        if kp.additive:
            delta = None
            if kp.cumulative_actual is not None and kp.cumulative_target:
                pct = (kp.cumulative_actual / kp.cumulative_target - 1) * 100
                delta = tr("pdash.progress.delta", pct=format_number(pct, L, 0))
            st.metric(
                tr("pdash.progress.ytd", start=format_date(kp.span_start, L)),
                money(kp.cumulative_actual),
                delta=delta,
                delta_color="inverse" if kpi.direction == "lower" else "normal",
            )
            st.caption(tr("pdash.progress.ytd_target", target=money(kp.cumulative_target)))
        else:
            st.metric(tr("pdash.progress.latest"), money(kp.latest))
            st.caption(tr("pdash.progress.average", value=money(kp.average)))
        st.caption(
            tr(
                "pdash.progress.forecast",
                deadline=format_date(kp.deadline, L),
                value=money(kp.forecast_at_deadline),
                target=money(kp.target_at_deadline),
            )
        )
        if kp.left_out:
            st.caption(
                "⚠️ "
                + tr(
                    "pdash.progress.left_out",
                    periods=", ".join(format_period(p, L) for p in kp.left_out),
                    count=len(kp.left_out),
                )
            )


def pick_kpi(kpi_id: str) -> None:
    """An insight's button: show its KPI in the per-KPI charts."""
    st.session_state["dash_kpi"] = kpi_id


def show_insights(found: list[Insight], scorecard: Scorecard) -> None:
    """The period's most notable things, one sentence each, with a button to its KPI."""
    st.subheader(tr("pdash.insights.title"))
    if not found:
        st.caption(tr("pdash.insights.none"))
        return
    names = {k.id: k.name for k in scorecard.kpis}
    for i, insight in enumerate(found):
        cols = st.columns([6, 1], vertical_alignment="center")
        cols[0].markdown("💡 " + plain_md(insight_text(insight, scorecard, L)))
        cols[1].button(
            tr("pdash.insights.open"),
            key=f"dash_insight_{i}",
            on_click=pick_kpi,
            args=(insight.kpi_id,),
            help=tr("pdash.insights.open_help", kpi=names.get(insight.kpi_id, insight.kpi_id)),
            disabled=insight.kpi_id in ev.errors or insight.kpi_id not in names,
        )


def show_kpi_charts(evaluation: Evaluation, scorecard: Scorecard, up_to: date) -> None:
    """The chosen KPI: this year against last year, and its segments' trends."""
    st.subheader(tr("pdash.kpi.title"))
    kpis = [k for k in scorecard.kpis if k.id not in evaluation.errors]
    if not kpis:
        return
    ids = [k.id for k in kpis]
    if st.session_state.get("dash_kpi") not in ids:
        st.session_state["dash_kpi"] = ids[0]
    names = {k.id: k.name for k in kpis}
    chosen = st.selectbox(tr("pdash.kpi.pick"), ids, format_func=lambda k: names[k], key="dash_kpi")
    kpi = next(k for k in kpis if k.id == chosen)
    rows = evaluation.kpi_rows(kpi.id)
    rows = rows[rows["period_start"] <= pd.Timestamp(up_to)]
    chart = year_over_year_chart(rows, kpi, L, cur)
    if chart is None:
        st.caption(tr("pdash.kpi.no_yoy"))
    else:
        st.altair_chart(chart, width="stretch")
        partial = rows[rows["partial"].astype(bool) & rows["projected"].notna()]
        if not partial.empty:
            st.caption(
                tr(
                    "pdash.kpi.yoy_partial",
                    period=format_period(str(partial["period"].iloc[-1]), L),
                )
            )
    if kpi.segment_column:
        show_segment_trends(kpi, up_to)


def show_period_tables(evaluation: Evaluation, up_to: date) -> None:
    """Values per period × KPI, one table per cadence, with CSV and xlsx downloads."""
    st.subheader(tr("pdash.table.title"))
    tables = period_tables(evaluation, up_to)
    for table in tables:
        if len(tables) > 1:
            st.markdown(f"**{tr(f'pdash.table.cadence.{table.cadence}')}**")
        st.dataframe(display_table(table, L, cur), hide_index=True, width="stretch")
        note = partial_note(table, L)
        if note:
            st.caption(plain_md(note))
        stem = tr_plain(f"pdash.table.file.{table.cadence}")
        cols = st.columns(2)
        cols[0].download_button(
            tr("pdash.table.csv"),
            data=table_csv(table, L),
            file_name=f"{stem}.csv",
            mime="text/csv",
            key=f"dash_table_csv_{table.cadence}",
            on_click="ignore",
            icon="⬇️",
        )
        cols[1].download_button(
            tr("pdash.table.xlsx"),
            data=table_xlsx(table, L, cur),
            file_name=f"{stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"dash_table_xlsx_{table.cadence}",
            on_click="ignore",
            icon="⬇️",
        )


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
    format_func=lambda d: format_period(d.strftime("%Y-%m"), L),
    key="dash_period",
    help=tr("dash.period_help"),
)
if data_end is not None:
    top[1].caption(tr("dash.data_until", date=format_date(data_end, L)))

goals = ev.goal_statuses(up_to)
latest = {k.id: ev.latest(k.id, up_to) for k in card.kpis if k.id not in ev.errors}
last_checkins = latest_checkins(kept.checkin for kept in workspace_checkins())

# -- first screen: are we on course for each goal, and what stands out -----------------------
progress = goal_progress(ev, progress_as_of(up_to, data_end))
with_deadline = [p for p in progress if p.deadline is not None]
st.header(tr("pdash.progress.title"))
st.caption(tr("pdash.progress.legend"))
for goal_progress_ in with_deadline:
    show_goal_progress(goal_progress_, card, ev)
without = [p.title for p in progress if p.deadline is None]
if without:
    st.caption(tr("pdash.progress.no_deadline", goals=", ".join(without), count=len(without)))
    st.page_link(PAGES["goals"], label=tr("nav.goals"), icon="🎯")
latest_month = data_end is None or up_to >= data_end
show_insights(insights(ev, None if latest_month else up_to.strftime("%Y-%m"), 5), card)
show_kpi_charts(ev, card, up_to)

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
            tr("dash.col.period"): format_period(str(row["period"]), L),
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
                tr("dash.col.period"): format_period(str(srow["period"]), L),
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
st.subheader(tr("dash.per_goal_latest"), help=tr_plain("dash.per_goal_latest_help"))
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
                f"{plain_md(kpi.name)} · {format_period(str(row['period']), L)}",
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

show_period_tables(ev, up_to)

# -- heat map ----------------------------------------------------------------------------------
st.subheader(tr("dash.heatmap"))
shown = detail[detail["period_start"] <= pd.Timestamp(up_to)]
for cadence in ("month", "quarter", "week", "year"):
    part = shown[shown["cadence"] == cadence]
    if not part.empty:
        st.markdown(f"**{tr(f'dash.heatmap.{cadence}')}**")
        st.altair_chart(status_heatmap(part, L), width="stretch")
st.page_link(PAGES["download"], label=tr("dash.to_download"), icon="⬇️")
