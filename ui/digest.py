"""The digest panel of the Download page: who receives the e-mail digest and when (issue 18).

The owner of a saved workspace edits the plan (``kpilogic.workspace.schedule.DigestPlan``,
kept in the workspace's settings); everyone can download a preview as an ``.eml`` file.
``koers scheduler`` sends what is due (README, "The monthly digest").
"""

from __future__ import annotations

import dataclasses
from datetime import date

import streamlit as st
from pydantic import ValidationError

from kpilogic.engine.evaluate import Evaluation
from kpilogic.errors import KoersError
from kpilogic.i18n import day_names, languages
from kpilogic.present.digest import build_digest, to_message
from kpilogic.workspace.schedule import DigestPlan, Recipient
from kpilogic.workspace.scheduler import DIGEST_SETTING, plan_of
from kpilogic.workspace.store import UserStore
from ui.session import can, store, workspace_id
from ui.text import lang, plain_md, set_notice, show_error, tr, tr_plain


def _weekdays() -> list[str]:
    names = day_names(lang())  # from Sunday
    return [*names[1:], names[0]]  # Monday = 0, as date.weekday()


def _save(db: UserStore, ws: str, plan: DigestPlan, message: str) -> None:
    try:
        db.update_settings(ws, {DIGEST_SETTING: plan.model_dump(mode="json")})
    except KoersError as exc:
        show_error(exc)
        return
    set_notice(message)
    st.rerun()


def _recipient_rows(db: UserStore, ws: str, plan: DigestPlan, owner: bool) -> None:
    names = languages()
    if not plan.recipients:
        st.caption(tr("digest.ui.nobody"))
    for n, who in enumerate(plan.recipients):
        row = st.columns([5, 1], vertical_alignment="center")
        said = f"{who.email} · {names[who.lang].name}" if who.lang in names else who.email
        if who.owner:
            said += f" · {tr_plain('digest.ui.owner_of', owner=who.owner)}"
        row[0].markdown(plain_md(said))
        if owner and row[1].button(tr("digest.ui.remove"), key=f"digest_remove_{n}"):
            kept = [r for i, r in enumerate(plan.recipients) if i != n]
            gone = tr("digest.ui.removed", email=who.email)
            _save(db, ws, plan.model_copy(update={"recipients": kept}), gone)


def _add_form(db: UserStore, ws: str, plan: DigestPlan, owners: list[str]) -> None:
    codes = list(languages())
    nobody = tr_plain("digest.ui.no_owner")
    with st.form("digest_add", border=True, clear_on_submit=True):
        cols = st.columns([3, 2, 3])
        address = cols[0].text_input(tr("digest.ui.email"), key="digest_email")
        chosen = cols[1].selectbox(
            tr("digest.ui.lang"),
            codes,
            index=codes.index(lang()) if lang() in codes else 0,
            format_func=lambda c: languages()[c].label,
            key="digest_lang",
        )
        owner = cols[2].selectbox(
            tr("digest.ui.owner"),
            [None, *owners],
            format_func=lambda o: nobody if o is None else o,
            help=tr("digest.ui.owner_help"),
            key="digest_owner",
        )
        if st.form_submit_button(tr("digest.ui.add"), icon="➕"):
            try:
                who = Recipient(email=address.strip(), lang=chosen, owner=owner)
            except ValidationError:
                st.error(tr("digest.ui.bad_address", address=address.strip()), icon="⚠️")
                return
            if any(r.email.lower() == who.email.lower() for r in plan.recipients):
                st.error(tr("digest.ui.twice", address=who.email), icon="⚠️")
                return
            added = plan.model_copy(update={"recipients": [*plan.recipients, who]})
            _save(db, ws, added, tr("digest.ui.added", email=who.email))


def _when_form(db: UserStore, ws: str, plan: DigestPlan) -> None:
    with st.form("digest_when", border=True):
        cols = st.columns(3)
        # Labels made now: a format function runs later, outside this session's language.
        every_words = {e: tr_plain(f"digest.ui.every_{e}") for e in ("month", "week")}
        weekdays = _weekdays()
        every = cols[0].radio(
            tr("digest.ui.every"),
            ["month", "week"],
            index=0 if plan.every == "month" else 1,
            format_func=every_words.__getitem__,
            key="digest_every",
        )
        day = cols[1].number_input(
            tr("digest.ui.day"), min_value=1, max_value=31, value=plan.day, key="digest_day"
        )
        weekday = cols[2].selectbox(
            tr("digest.ui.weekday"),
            range(7),
            index=plan.weekday,
            format_func=weekdays.__getitem__,
            key="digest_weekday",
        )
        if st.form_submit_button(tr("digest.ui.save"), icon="💾"):
            update = {"every": every, "day": int(day), "weekday": int(weekday)}
            _save(db, ws, plan.model_copy(update=update), tr("digest.ui.saved"))


def digest_panel(ev: Evaluation) -> None:
    """The plan (owners edit it) and a preview download."""
    db, ws = store(), workspace_id()
    st.subheader(tr("digest.ui.title"))
    if db is None or ws is None:
        st.caption(tr("digest.ui.save_first"))
        return
    try:
        plan = plan_of(db.get_settings(ws))
    except (KoersError, ValidationError) as exc:
        if isinstance(exc, KoersError):
            show_error(exc)
            return
        plan = DigestPlan()
    st.caption(tr("digest.ui.help"))
    owner = can("owner")
    _recipient_rows(db, ws, plan, owner)
    if owner:
        _add_form(db, ws, plan, sorted({k.owner for k in ev.scorecard.kpis if k.owner}))
        _when_form(db, ws, plan)
    else:
        st.caption(tr("digest.ui.read_only"))
    # As of the workspace's own date when it has one, like the dashboard beside it.
    preview = build_digest(ev, lang(), ev.as_of or date.today(), with_pdf=False)
    if ev.scorecard.kpis:
        from ui.cache import report_file

        preview = dataclasses.replace(preview, pdf=report_file("pdf", ev.scorecard, ev))
    message = to_message(preview, "koers@localhost", ["preview@localhost"])
    st.download_button(
        tr("digest.ui.preview"),
        data=message.as_bytes(),
        file_name=f"{preview.pdf_name.removesuffix('.pdf')}_{lang()}.eml",
        mime="message/rfc822",
        icon="📧",
        key="dl_digest",
    )
