"""Team mode on screen: the sign-in screen, who is signed in (the sidebar), and the Start
page's panels for sharing by e-mail, the trash and the audit log.

Not a page (``app.py`` does not list it). Signing in is Streamlit's own OpenID Connect flow
(``st.login`` / ``st.logout`` / ``st.user``), switched on by the ``[auth]`` section of
``.streamlit/secrets.toml``; without it Koers runs in local mode and none of this shows.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.i18n import LANGS, format_date, languages, normalise_lang
from kpilogic.workspace.access import EMAIL_MAX, ROLES, role_at_least
from kpilogic.workspace.audit import describe, role_label
from kpilogic.workspace.store import TRASH_DAYS, UserStore, Workspace
from ui.keys import LANG
from ui.routing import PAGES
from ui.session import auth_enabled, close_workspace, current_user, open_workspace, signed_in
from ui.text import Md, browser_locale, lang, plain_md, set_notice, show_error, tr


def literal_md(text: str) -> Md:
    """``text`` as a Markdown code span: shown exactly as typed, never a link (an e-mail
    address in plain Markdown text becomes a mailto link even when escaped)."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return Md(f"{fence} {text} {fence}")  # a code span is already safe: tr() keeps it


def _language_control(key: str) -> None:
    def changed() -> None:
        st.session_state[LANG] = st.session_state[key]

    st.session_state[key] = st.session_state[LANG]
    st.segmented_control(
        tr("app.language"),
        options=list(LANGS),
        format_func=lambda code: languages()[code].label,
        key=key,
        on_change=changed,
        required=True,
    )


def sign_in_gate() -> None:
    """In team mode, show the sign-in screen and stop until the user has signed in."""
    if signed_in():
        return
    if LANG not in st.session_state:
        st.session_state[LANG] = normalise_lang(browser_locale())
    # Every address of the app shows the sign-in screen (not Streamlit's "page not found").
    title = tr("signin.title")
    screens = [st.Page(_sign_in_screen, title=title, default=True)] + [
        st.Page(_sign_in_screen, title=title, url_path=name) for name in PAGES if name != "start"
    ]
    st.navigation(screens, position="hidden").run()
    st.stop()


def _sign_in_screen() -> None:
    _language_control("signin_lang")
    st.title(tr("signin.title"))
    if st.user.get("is_logged_in"):
        # The provider signed the user in but gave Koers no (verified) e-mail address.
        unverified = st.user.get("email") and st.user.get("email_verified") in (False, "false")
        st.warning(tr("signin.unverified" if unverified else "signin.no_email"), icon="✉️")
        if st.button(tr("signin.sign_out"), key="signin_logout"):
            st.logout()
        return
    st.markdown(tr("signin.text"))
    if st.button(tr("signin.button"), key="signin_login", type="primary", icon="🔑"):
        st.login()
    st.caption(tr("signin.help"))


def account_sidebar() -> None:
    """In team mode, the sidebar says who is signed in and offers to sign out."""
    if not auth_enabled():
        return
    st.caption(tr("signin.as", email=literal_md(current_user())))
    if st.button(tr("signin.sign_out"), key="signout", icon="🚪"):
        st.logout()


# -- the Start page's team panels -----------------------------------------------------------


AUDIT_SHOWN = 100  # newest changes shown on the Start page (the rest is named, not hidden)


def _when(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{format_date(local.date(), lang())} {local:%H:%M}"


def _key(text: str) -> str:
    """A widget key made of an e-mail address (keys end up in CSS class names)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def role_caption(role: str) -> str:
    """The user's role for a workspace row, e.g. "Your role: viewer" (empty in local mode)."""
    return tr("access_ui.your_role", role=role_label(role, lang())) if auth_enabled() else ""


def sharing_panel(db: UserStore, ws: Workspace) -> None:
    """Who has access to the open workspace; an owner adds, changes and removes people."""
    if not auth_enabled():
        return  # local mode: one user, nobody to share with
    L = lang()
    owner = role_at_least(ws.role, "owner")
    with st.expander(tr("access_ui.share.title"), expanded=owner, icon="👥"):
        st.caption(tr("access_ui.share.help", name=plain_md(ws.name)))
        try:
            members = db.members(ws.id)
        except KoersError as exc:
            show_error(exc)
            return
        me = current_user()
        st.markdown(f"**{tr('access_ui.share.members')}**")
        for member in members:
            key = _key(member.email)
            row = st.columns([4, 2, 2, 1], vertical_alignment="center")
            you = f" {tr('access_ui.share.you')}" if member.email == me else ""
            row[0].markdown(literal_md(member.email) + you)
            if not owner:
                row[1].write(role_label(member.role, L))
                continue
            chosen = row[1].selectbox(
                tr("access_ui.share.role"),
                ROLES,
                index=ROLES.index(member.role),
                format_func=lambda r: role_label(r, L),
                key=f"member_role_{key}",
                label_visibility="collapsed",
            )
            if chosen != member.role and row[2].button(
                tr("access_ui.share.change"), key=f"member_change_{key}"
            ):
                _share(db, ws.id, member.email, chosen, "access_ui.share.changed")
            if row[3].button("✖", key=f"member_remove_{key}", help=tr("access_ui.share.remove")):
                try:
                    db.unshare(ws.id, member.email)
                except KoersError as exc:
                    show_error(exc)
                else:
                    _my_role_changed(ws.id, member.email)
                    set_notice(tr("access_ui.share.removed", email=literal_md(member.email)))
                    st.rerun()
        if not owner:
            st.caption(tr("access_ui.share.owner_only"))
            return
        with st.form("share_form", clear_on_submit=True, border=False):
            row = st.columns([4, 2, 2], vertical_alignment="bottom")
            email = row[0].text_input(
                tr("access_ui.share.email"),
                key="share_email",
                max_chars=EMAIL_MAX,
                help=tr("access_ui.share.email_help"),
            )
            role = row[1].selectbox(
                tr("access_ui.share.role"),
                ROLES,
                index=0,
                format_func=lambda r: role_label(r, L),
                key="share_role",
            )
            if row[2].form_submit_button(tr("access_ui.share.add"), key="share_add"):
                if not email.strip():
                    st.warning(tr("access_ui.share.empty_email"), icon="✉️")
                else:
                    _share(db, ws.id, email, role, "access_ui.share.added")


def _share(db: UserStore, ws_id: str, email: str, role: str, done_key: str) -> None:
    try:
        member = db.share(ws_id, email, role)
    except KoersError as exc:
        show_error(exc)
        return
    _my_role_changed(ws_id, member.email)
    set_notice(tr(done_key, email=literal_md(member.email), role=role_label(member.role, lang())))
    st.rerun()


def _my_role_changed(ws_id: str, email: str) -> None:
    """After an owner changed their own role (another owner remains), the session takes the
    new role at once; after removing themselves, the workspace is closed."""
    if email != current_user():
        return
    with st.empty():  # no "no access" message for a workspace one just left
        if not open_workspace(ws_id, keep_drafts=True):
            close_workspace()


def trash_panel(db: UserStore) -> None:
    """The user's deleted workspaces (they own them), each restorable within the trash days."""
    try:
        trashed = db.list_trash()
    except KoersError as exc:
        show_error(exc)
        return
    if not trashed:
        return
    with st.expander(tr("access_ui.trash.title", count=len(trashed)), icon="🗑️"):
        st.caption(tr("access_ui.trash.help", days=TRASH_DAYS))
        for ws in trashed:
            deleted = ws.deleted_at or ws.updated_at
            row = st.columns([5, 2], vertical_alignment="center")
            row[0].markdown(f"**{plain_md(ws.name)}**")
            until = (deleted + timedelta(days=TRASH_DAYS)).astimezone().date()
            row[0].caption(
                tr("access_ui.trash.item", deleted=_when(deleted), until=format_date(until, lang()))
            )
            if row[1].button(tr("access_ui.trash.restore"), key=f"trash_restore_{ws.id}"):
                try:
                    db.restore_workspace(ws.id)
                except KoersError as exc:
                    show_error(exc)
                else:
                    set_notice(tr("access_ui.trash.restored", name=plain_md(ws.name)))
                    st.rerun()


def audit_panel(db: UserStore, ws: Workspace) -> None:
    """The open workspace's audit log (owners only): when, who, what, newest first."""
    if not role_at_least(ws.role, "owner"):
        return
    with st.expander(tr("access_ui.audit.title", name=plain_md(ws.name)), icon="📜"):
        st.caption(tr("access_ui.audit.help"))
        try:
            entries = db.audit_log(ws.id)
        except KoersError as exc:
            show_error(exc)
            return
        if not entries:
            st.write(tr("access_ui.audit.none"))
            return
        L = lang()
        shown = entries[:AUDIT_SHOWN]
        if len(entries) > len(shown):
            st.caption(tr("access_ui.audit.more", shown=len(shown), total=len(entries)))
        # st.table renders Markdown in its cells: user text (names, addresses) is escaped.
        table = pd.DataFrame(
            {
                tr("access_ui.audit.when"): [_when(e.at) for e in shown],
                tr("access_ui.audit.who"): [literal_md(e.user) for e in shown],
                tr("access_ui.audit.what"): [describe(e, L, literal_md) for e in shown],
            }
        )
        with st.container(key="audit_log"):
            st.table(table, hide_index=True)
