"""The check-in form of a KPI (the Review page and "Mijn KPI's"): period, who, the next review,
a note and an action, kept as a draft across reruns and saved through the store (which checks
that the user may check in on this KPI)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st
from pydantic import ValidationError

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.review import kpi_periods, latest_completed_period, status_in
from kpilogic.errors import KoersError
from kpilogic.i18n import date_format, format_period, t
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.explain import status_badge
from kpilogic.scorecard.model import KPI, Scorecard, describe_validation_error
from kpilogic.scorecard.periods import Period
from ui.session import store, workspace_for_change
from ui.text import show_error, tr
from ui.widgets import bound

DRAFTS = "koers_review_drafts"  # kpi id -> the check-in being written for it
FIELDS = ("period", "note", "action", "who", "next_review")
MAX_PERIODS = 24  # periods offered in the form, newest first


@dataclass(frozen=True)
class CheckinContext:
    """What the form needs to know: the scorecard, its evaluation, today, the language, and
    per KPI the periods still to review (``engine.review.open_periods``)."""

    card: Scorecard
    evaluation: Evaluation
    today: date
    lang: str
    open_by_kpi: Mapping[str, list[str]]


def _widget_key(name: str, kpi_id: str) -> str:
    return f"review_{name}_{kpi_id}"


def _period_options(ctx: CheckinContext, kpi: KPI) -> list[str]:
    """The KPI's periods up to today, newest first, with any still to review."""
    fs, today = ctx.card.fiscal_year_start_month, ctx.today
    labels = set(kpi_periods(ctx.evaluation, kpi.id, up_to=today))
    labels |= set(ctx.open_by_kpi.get(kpi.id, []))
    labels.add(latest_completed_period(kpi.cadence, today, fs).label)
    labels.add(Period.containing(today, kpi.cadence, fs).label)
    ordered = sorted(labels, key=lambda label: Period.parse(label, fs).key, reverse=True)
    waiting = set(ctx.open_by_kpi.get(kpi.id, []))
    return [p for i, p in enumerate(ordered) if i < MAX_PERIODS or p in waiting]


def _empty_draft(ctx: CheckinContext, kpi: KPI, options: list[str]) -> dict[str, Any]:
    fs = ctx.card.fiscal_year_start_month
    waiting = ctx.open_by_kpi.get(kpi.id)
    # By default the next review is when the running period has ended and the next is due.
    next_review = Period.containing(ctx.today, kpi.cadence, fs).shift(1).start
    return {
        "period": waiting[0] if waiting else options[0],
        "note": "",
        "action": "",
        "who": kpi.owner,
        "next_review": next_review,
    }


def forget_draft(kpi_id: str) -> None:
    st.session_state.get(DRAFTS, {}).pop(kpi_id, None)
    for name in FIELDS:
        st.session_state.pop(_widget_key(name, kpi_id), None)


def checkin_form(ctx: CheckinContext, kpi: KPI, on_saved: Callable[[str], None]) -> None:
    """The check-in form of ``kpi``: period (those still to review first), who, the next
    review, a note and an action; saved with the store's role check. ``on_saved`` gets the
    message to show after the save (the page shows it and reruns)."""
    ev, L = ctx.evaluation, ctx.lang
    open_by_kpi = ctx.open_by_kpi
    options = _period_options(ctx, kpi)
    drafts: dict[str, dict[str, Any]] = st.session_state.setdefault(DRAFTS, {})
    draft = drafts.setdefault(kpi.id, _empty_draft(ctx, kpi, options))
    if draft.get("period") not in options:
        draft["period"] = _empty_draft(ctx, kpi, options)["period"]
        st.session_state.pop(_widget_key("period", kpi.id), None)
    waiting = set(open_by_kpi.get(kpi.id, []))

    def period_label(label: str, lang: str = L) -> str:
        # The language is bound now: Streamlit may call this outside the script run.
        if label in waiting:
            return t("review.form.period_open", lang, period=format_period(label, lang))
        status = status_badge(status_in(ev, kpi.id, label), lang)
        return t(
            "review.form.period_status", lang, period=format_period(label, lang), status=status
        )

    st.markdown(f"**{tr('review.form.title')}**")
    top = st.columns([2, 2, 1])
    with top[0]:
        bound(
            st.selectbox,
            tr("review.form.period"),
            draft,
            "period",
            _widget_key("period", kpi.id),
            options=options,
            format_func=period_label,
            help=tr("review.form.period_help"),
        )
    with top[1]:
        bound(
            st.text_input,
            tr("review.form.who"),
            draft,
            "who",
            _widget_key("who", kpi.id),
            max_chars=200,
            help=tr("review.form.who_help"),
        )
    with top[2]:
        bound(
            st.date_input,
            tr("review.form.next_review"),
            draft,
            "next_review",
            _widget_key("next_review", kpi.id),
            format=date_format(L, "widget"),
            help=tr("review.form.next_review_help"),
        )
    texts = st.columns(2)
    with texts[0]:
        bound(
            st.text_area,
            tr("review.form.note"),
            draft,
            "note",
            _widget_key("note", kpi.id),
            max_chars=2000,
            placeholder=tr("review.form.note_placeholder"),
            height=100,
        )
    with texts[1]:
        bound(
            st.text_area,
            tr("review.form.action"),
            draft,
            "action",
            _widget_key("action", kpi.id),
            max_chars=2000,
            placeholder=tr("review.form.action_placeholder"),
            height=100,
        )
    if not st.button(tr("review.form.save"), key=f"review_save_{kpi.id}", type="primary"):
        return
    if not (str(draft.get("note") or "").strip() or str(draft.get("action") or "").strip()):
        st.error(tr("review.form.empty"), icon="✍️")
        return
    try:
        checkin = CheckIn(
            kpi_id=kpi.id,
            period=draft["period"],
            note=draft.get("note") or "",
            action=draft.get("action") or "",
            who=draft.get("who") or "",
            next_review=draft.get("next_review"),
        )
    except ValidationError as exc:
        st.error(tr("review.form.invalid", detail=describe_validation_error(exc)), icon="⚠️")
        return
    saved_in, db = workspace_for_change(), store()  # a check-in on the sample makes it the user's
    assert db is not None and saved_in is not None
    try:
        db.add_checkin(saved_in, checkin)
    except KoersError as exc:
        show_error(exc)
        return
    forget_draft(kpi.id)
    on_saved(tr("review.saved", kpi=kpi.name, period=format_period(checkin.period, L)))
    st.rerun()
