"""Review: what is due by each KPI's cadence, what is off course without a check-in, and the
check-in log per KPI (add one; see, and delete, the earlier ones)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.review import (
    ReviewItem,
    open_periods,
    review_due,
    status_in,
)
from kpilogic.errors import KoersError
from kpilogic.i18n import format_date, format_period
from kpilogic.scorecard.explain import status_badge
from kpilogic.scorecard.model import KPI, Scorecard
from kpilogic.workspace.store import StoredCheckIn
from ui.cache import evaluation
from ui.checkin import CheckinContext, checkin_form
from ui.routing import PAGES, route_guard
from ui.session import can, is_sample, store, workspace_checkins, workspace_id
from ui.text import Md, lang, plain_md, safe_message, show_error, tr
from ui.widgets import notice, require_data, require_kpis, require_scorecard

route_guard()

CONFIRM = "koers_review_confirm_delete"  # id of the check-in waiting for "yes, delete"
MESSAGE = "koers_review_message"  # (kpi id, text): shown once inside that KPI's panel

notice()
L = lang()
st.title(tr("review.title"))
st.caption(tr("review.intro"))

db, ws = store(), workspace_id()
if db is None or (ws is None and not is_sample()):
    st.info(tr("review.no_store" if db is None else "review.no_workspace"), icon="🗓️")
    st.page_link(PAGES["start"], label=tr("nav.start"), icon="🏠")
    st.stop()
card = require_scorecard()
require_data(card)
require_kpis(card)

ev, problems = evaluation(card)
for exc in problems.values():
    show_error(exc)
today: date = ev.as_of or date.today()
stored = workspace_checkins()
items = review_due(card, ev, [s.checkin for s in stored], today)
open_by_kpi = open_periods(items)
kpis = {k.id: k for k in card.kpis}


def _owner(kpi: KPI) -> str:
    return kpi.owner or tr("review.no_owner")


def _table(rows: list[ReviewItem], with_reason: bool) -> pd.DataFrame:
    records = []
    for item in rows:
        kpi = kpis[item.kpi_id]
        record = {
            tr("review.col.kpi"): kpi.name,
            tr("review.col.period"): format_period(item.period, L),
            tr("review.col.status"): status_badge(item.status, L),
        }
        if with_reason:
            when = format_date(item.since, L) if item.since else "–"
            record[tr("review.col.reason")] = tr(f"review.reason.{item.reason_key}", date=when)
        record[tr("review.col.owner")] = _owner(kpi)
        if not with_reason:
            record[tr("review.col.action")] = kpi.action or tr("review.no_action")
        records.append(record)
    return pd.DataFrame(records)


# -- what is open ----------------------------------------------------------------------------
off_course = [i for i in items if i.reason_key == "off_course_without_checkin"]
due = [i for i in items if i.reason_key != "off_course_without_checkin"]
up_to_date = sum(1 for k in card.kpis if k.id not in open_by_kpi)
st.caption(tr("review.as_of", date=format_date(today, L)))
st.markdown(tr("review.summary", off=len(off_course), due=len(due), done=up_to_date))

st.subheader(tr("review.off.title"), help=tr("review.off.help"))
if off_course:
    st.dataframe(_table(off_course, with_reason=False), hide_index=True, width="stretch")
else:
    st.success(tr("review.off.none"), icon="✅")

st.subheader(tr("review.due.title"), help=tr("review.due.help"))
if due:
    st.dataframe(_table(due, with_reason=True), hide_index=True, width="stretch")
else:
    st.success(tr("review.due.none"), icon="✅")


# -- per KPI: a check-in form and the earlier check-ins --------------------------------------
def _history(kpi: KPI, mine: list[StoredCheckIn]) -> None:
    st.markdown(f"**{tr('review.history.title')}**")
    if not mine:
        st.caption(tr("review.history.none"))
        return
    for kept in mine:  # the store lists them newest first
        c = kept.checkin
        made = format_date(c.created_at.astimezone().date(), L)
        with st.container(border=True):
            row = st.columns([12, 1])
            head = tr(
                "review.history.head",
                period=format_period(c.period, L),
                status=status_badge(status_in(ev, kpi.id, c.period), L),
                date=made,
                who=plain_md(c.who) if c.who else tr("review.history.no_who"),
            )
            row[0].markdown(f"**{head}**")
            if c.note:
                row[0].markdown(tr("review.history.note", note=plain_md(c.note)))
            if c.action:
                row[0].markdown(tr("review.history.action", action=plain_md(c.action)))
            if c.next_review:
                row[0].caption(tr("review.history.next", date=format_date(c.next_review, L)))
            if row[1].button("🗑️", key=f"review_delete_{kept.id}", help=tr("review.delete")):
                st.session_state[CONFIRM] = kept.id
                st.rerun()
            if st.session_state.get(CONFIRM) == kept.id:
                st.warning(
                    tr("review.confirm_delete", period=format_period(c.period, L), date=made),
                    icon="🗑️",
                )
                yes, no = st.columns(2)
                if yes.button(
                    tr("review.delete_yes"), key=f"review_delete_yes_{kept.id}", type="primary"
                ):
                    st.session_state.pop(CONFIRM, None)
                    assert db is not None
                    try:
                        db.delete_checkin(kept.id, ws)
                    except KoersError as exc:
                        show_error(exc)
                    else:
                        st.session_state[MESSAGE] = (kpi.id, tr("review.deleted"))
                        st.rerun()
                if no.button(tr("review.delete_no"), key=f"review_delete_no_{kept.id}"):
                    st.session_state.pop(CONFIRM, None)
                    st.rerun()


def _panel_label(kpi: KPI) -> str:
    row = ev.latest(kpi.id, today) if kpi.id not in ev.errors else None
    if row is None:
        status = status_badge("no_data", L)
    else:
        badge = status_badge(row["status"], L)
        status = tr("review.kpi.status", status=badge, period=format_period(row["period"], L))
    waiting = open_by_kpi.get(kpi.id)
    if waiting:
        return tr(
            "review.kpi.open",
            name=kpi.name,
            status=status,
            periods=", ".join(format_period(p, L) for p in waiting),
        )
    return tr("review.kpi.done", name=kpi.name, status=status)


def _saved(kpi_id: str, text: str) -> None:
    st.session_state[MESSAGE] = (kpi_id, text)


context = CheckinContext(card, ev, today, L, open_by_kpi)


def _panels(card: Scorecard, ev: Evaluation) -> None:
    by_kpi: dict[str, list[StoredCheckIn]] = {}
    for kept in stored:
        by_kpi.setdefault(kept.checkin.kpi_id, []).append(kept)
    message = st.session_state.pop(MESSAGE, None)
    for goal in card.goals:
        goal_kpis = card.kpis_of(goal.id)
        if not goal_kpis:
            continue
        st.markdown(f"#### {plain_md(goal.title)}")
        for kpi in goal_kpis:
            mine = by_kpi.get(kpi.id, [])
            just_done = message is not None and message[0] == kpi.id
            with st.expander(_panel_label(kpi), expanded=just_done, key=f"review_panel_{kpi.id}"):
                if just_done:
                    st.success(message[1], icon="✅")
                meta = tr(
                    "review.kpi.meta",
                    owner=_owner(kpi),
                    cadence=tr(f"cadence.{kpi.cadence}"),
                    count=len(mine),
                )
                st.caption(meta)
                if kpi.action:
                    st.caption(tr("review.kpi.agreed", action=plain_md(kpi.action)))
                if kpi.id in ev.errors:
                    st.warning(
                        tr("review.kpi.not_evaluated", problem=Md(safe_message(ev.errors[kpi.id]))),
                        icon="⚠️",
                    )
                if can("contributor"):
                    checkin_form(context, kpi, lambda text, kpi_id=kpi.id: _saved(kpi_id, text))
                else:  # a viewer reads the check-ins but adds none
                    st.caption(tr("access.read_only"))
                st.divider()
                _history(kpi, mine)


st.subheader(tr("review.kpis.title"))
st.caption(tr("review.kpis.help"))
_panels(card, ev)
