"""Team mode on screen: the sign-in screen and who is signed in (the sidebar).

Not a page (``app.py`` does not list it). Signing in is Streamlit's own OpenID Connect flow
(``st.login`` / ``st.logout`` / ``st.user``), switched on by the ``[auth]`` section of
``.streamlit/secrets.toml``; without it Koers runs in local mode and none of this shows.
"""

from __future__ import annotations

import streamlit as st

from kpilogic.i18n import LANGS, normalise_lang
from pages.shared import (
    LANG,
    PAGES,
    _browser_locale,
    auth_enabled,
    current_user,
    plain_md,
    signed_in,
    tr,
)


def _language_control(key: str) -> None:
    def changed() -> None:
        st.session_state[LANG] = st.session_state[key]

    st.session_state[key] = st.session_state[LANG]
    st.segmented_control(
        tr("app.language"),
        options=list(LANGS),
        format_func=lambda code: {"nl": "🇳🇱 Nederlands", "en": "🇬🇧 English"}[code],
        key=key,
        on_change=changed,
        required=True,
    )


def sign_in_gate() -> None:
    """In team mode, show the sign-in screen and stop until the user has signed in."""
    if signed_in():
        return
    if LANG not in st.session_state:
        st.session_state[LANG] = normalise_lang(_browser_locale())
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
        # The provider signed the user in but gave Koers no e-mail address to know them by.
        st.warning(tr("signin.no_email"), icon="✉️")
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
    st.caption(tr("signin.as", email=plain_md(current_user())))
    if st.button(tr("signin.sign_out"), key="signout", icon="🚪"):
        st.logout()
