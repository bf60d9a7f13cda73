"""The live preview: the draft evaluated alone with ``evaluate_kpi``, exactly as the dashboard
will (recent periods, the plain sum and count beside the value, a chart), and its three-pillar
checklist."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from kpilogic.engine.evaluate import evaluate_kpi
from kpilogic.engine.pillars import kpi_health
from kpilogic.engine.templates import aggregation_check, count_choice, name_suggests
from kpilogic.errors import KoersError
from kpilogic.i18n import format_number, format_period, format_value
from kpilogic.present.charts import actual_vs_target_chart, fit_to_column
from kpilogic.scorecard.explain import explain_reason, status_badge
from kpilogic.scorecard.model import KPI, Scorecard, describe_validation_error
from ui.health import show_checklist
from ui.keys import AS_OF
from ui.kpi_form.checks import problems
from ui.kpi_form.draft import KpiDraft
from ui.kpi_form.source import Source
from ui.session import files, kinds_override, workspace_checkins
from ui.text import lang, plain_md, safe_message, tr

PREVIEW_PERIODS = 6
CHART_PERIODS = 12


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_preview(
    kpi_json: str,
    context: str,
    data_key: str,
    as_of: date | None,
    _card: Scorecard,
    _kpi: KPI,
    _df: pd.DataFrame,
) -> pd.DataFrame:
    return evaluate_kpi(_card, _kpi, _df, as_of)


def _data_key(card: Scorecard, kpi: KPI) -> str:
    ds = card.dataset(kpi.dataset_id)
    f = files().get(ds.source)
    return repr((f.sha if f else "", ds.sheet, sorted(kinds_override(ds.id).items())))


def show_preview(card: Scorecard, kpi: KPI, df: pd.DataFrame) -> pd.DataFrame | None:
    """Show the draft's recent periods and chart; the total's periods (None when none)."""
    L, cur = lang(), card.currency
    ds = card.dataset(kpi.dataset_id)
    context = repr((ds.model_dump_json(), card.fiscal_year_start_month, kpi.goal_id))
    try:
        rows = _cached_preview(
            kpi.model_dump_json(),
            context,
            _data_key(card, kpi),
            st.session_state.get(AS_OF),
            card,
            kpi,
            df,
        )
    except KoersError as exc:
        st.warning(safe_message(exc), icon="⚠️")
        return None
    total = rows[rows["segment"] == ""]
    if total.empty:
        st.info(tr("kpis.preview.no_periods"), icon="📭")
        return total

    def fmt(value: Any) -> str:
        # Cells come back as numpy numbers or None/NaN; the formatter wants a float.
        return format_value(None if pd.isna(value) else float(value), kpi.unit, L, cur)

    def actual_text(row: pd.Series) -> str:
        text = fmt(row["actual"])
        if bool(row["partial"]) and pd.notna(row["projected"]):
            text += " → " + fmt(row["projected"])
        return text

    def target_text(row: pd.Series) -> str:
        if kpi.direction == "range" and pd.notna(row["target_low"]):
            return f"{fmt(row['target_low'])} – {fmt(row['target_high'])}"
        return fmt(row["target"])

    recent = total.tail(PREVIEW_PERIODS)
    table = pd.DataFrame(
        {
            tr("kpis.preview.period"): [format_period(p, L) for p in recent["period"]],
            tr("kpis.preview.actual"): [actual_text(r) for _, r in recent.iterrows()],
            tr("kpis.preview.target"): [target_text(r) for _, r in recent.iterrows()],
            tr("kpis.preview.status"): [status_badge(s, L) for s in recent["status"]],
        }
    )
    # A static table: it wraps long status words where a data grid would cut them off.
    st.table(table, hide_index=True, border="horizontal")
    show_aggregation_check(card, kpi, df, recent)
    last = recent.iloc[-1]
    st.caption(
        tr("kpis.preview.latest", period=format_period(last["period"], L))
        + " "
        + explain_reason(last["reason"], kpi.unit, L, cur)
    )
    if bool((recent["partial"].astype(bool) & recent["projected"].notna()).any()):
        st.caption(tr("kpis.preview.partial"))
    chart = actual_vs_target_chart(total.tail(CHART_PERIODS), kpi, L, cur)
    # The preview is half a page wide: let the status legend wrap instead of being cut off.
    st.altair_chart(fit_to_column(chart), width="stretch")
    if kpi.segment_column:
        segments = rows.loc[rows["segment"] != "", "segment"].nunique()
        st.caption(tr("kpis.preview.segments", column=kpi.segment_column, n=segments))
    return total


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_check(
    kpi_json: str,
    context: str,
    data_key: str,
    as_of: date | None,
    _card: Scorecard,
    _kpi: KPI,
    _df: pd.DataFrame,
) -> pd.DataFrame:
    ds = _card.dataset(_kpi.dataset_id)
    return aggregation_check(
        _df,
        _kpi,
        date_column=ds.date_column,
        fiscal_start=_card.fiscal_year_start_month,
        dataset=ds.name,
        as_of=as_of,
    )


def show_aggregation_check(
    card: Scorecard, kpi: KPI, df: pd.DataFrame, recent: pd.DataFrame
) -> None:
    """The value next to the plain sum and count of its column, per recent period: a
    count where a sum was meant (26 'orders' instead of 838) shows at a glance."""
    L, cur = lang(), card.currency
    ds = card.dataset(kpi.dataset_id)
    context = repr((ds.model_dump_json(), card.fiscal_year_start_month))
    try:
        check = _cached_check(
            kpi.model_dump_json(),
            context,
            _data_key(card, kpi),
            st.session_state.get(AS_OF),
            card,
            kpi,
            df,
        )
    except KoersError:
        return  # the preview above already says what is wrong
    check = check[check["period"].isin(set(recent["period"]))]
    if check.empty:
        return
    actual = dict(zip(recent["period"], recent["actual"], strict=True))

    def num(value: Any) -> str:
        if pd.isna(value):
            return "–"
        return format_number(float(value), L, 0 if float(value).is_integer() else 2)

    table = pd.DataFrame(
        {
            tr("kpis.preview.period"): [format_period(p, L) for p in check["period"]],
            tr("trust.check.column"): [plain_md(str(c)) for c in check["column"]],
            tr("trust.check.value"): [
                format_value(None if pd.isna(actual.get(p)) else float(actual[p]), kpi.unit, L, cur)
                for p in check["period"]
            ],
            tr("trust.check.sum"): [num(v) for v in check["sum"]],
            tr("trust.check.count"): [num(v) for v in check["count"]],
            tr("trust.check.distinct"): [num(v) for v in check["distinct"]],
        }
    )
    st.markdown("**" + tr("trust.check.title") + "**")
    st.table(table, hide_index=True, border="horizontal")
    st.caption(tr("trust.check.help"))
    m = kpi.measure
    if m.formula or not m.column or m.column not in df.columns:
        return
    # Only where a mistake is likely: distinct small numbers that repeat are rarely meant,
    # and a sum is questioned only when the name says "identifier" too (whole-euro revenue
    # per day is also large and all different).
    guess = count_choice(m.column, df[m.column])
    if m.aggregation == "count_distinct" and guess.choice == "sum":
        st.warning(tr("trust.check.looks_like_sum", column=plain_md(m.column)), icon="🔢")
    elif m.aggregation == "sum" and (
        guess.reason == "text" or (guess.reason == "values_id" and name_suggests(m.column) == "id")
    ):
        st.warning(tr("trust.check.looks_like_ids", column=plain_md(m.column)), icon="🔢")


def show_draft_health(card: Scorecard, kpi: KPI, rows: pd.DataFrame | None) -> None:
    """The three-pillar checklist of the draft, fed from the preview's periods."""
    periods: int | None = None
    status = None
    if rows is not None:
        periods = int((rows["rows"] > 0).sum())
        if not rows.empty:
            status = rows.iloc[-1]["status"]
    report = kpi_health(
        kpi,
        card,
        periods_with_data=periods,
        checkins=[kept.checkin for kept in workspace_checkins()] if kpi.id != "draft" else (),
        status=status,
        today=date.today(),
    )
    st.divider()
    st.markdown("##### " + tr("tpl.health.title"))
    st.caption(tr("tpl.health.intro"))
    show_checklist(report)


def preview_section(draft: KpiDraft, card: Scorecard, source: Source, goal_id: str) -> None:
    """What the draft still lacks, or its preview and checklist."""
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.preview.title"))
        st.caption(tr("kpis.preview.intro"))
        missing = problems(draft, source.columns, source.dataset.name)
        if missing:
            st.info(
                tr("kpis.preview.incomplete") + "\n\n" + "\n".join(f"- {p}" for p in missing),
                icon="✏️",
            )
            return
        try:
            draft_kpi = draft.to_kpi(
                goal_id,
                draft.id or "draft",
                draft.name.strip() or tr("kpis.preview.unnamed"),
            )
        except ValidationError as exc:
            st.warning(tr("kpis.invalid", detail=describe_validation_error(exc)), icon="⚠️")
            return
        rows = show_preview(card, draft_kpi, source.df)
        show_draft_health(card, draft_kpi, rows)
