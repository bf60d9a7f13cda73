"""Widgets and guards the pages share: the error boundary, 'do this first' guards, bound inputs."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Scorecard
from ui.keys import CONFLICT, NOTICE, RAISE_PAGE_ERRORS_ENV, log
from ui.routing import PAGES
from ui.session import files, scorecard, show_conflict
from ui.text import show_error, tr


@contextmanager
def error_boundary() -> Iterator[None]:
    """Run a page so that no exception reaches the screen as a traceback.

    A user-caused ``KoersError`` is shown as its message; anything else as a translated
    "something went wrong" with a short reference, while the detail (traceback, paths) goes
    to the server log under that reference. Streamlit's own control flow (``st.stop``,
    ``st.rerun``, page switches) passes through: it is no ``Exception``.
    """
    try:
        yield
    except KoersError as exc:
        show_error(exc)
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("page failed (reference %s)", ref)
        st.error(tr("app.page_failed", ref=ref), icon="⚠️")
        # The test suite sets this, so that a page that fails still fails its test (AppTest
        # reports the exception) instead of passing with a polite message on screen.
        if os.environ.get(RAISE_PAGE_ERRORS_ENV) == "1":
            raise


def require_scorecard() -> Scorecard:
    """The scorecard; otherwise explain what to do first, link there, and stop the page."""
    card = scorecard()
    if card is None:
        st.info(tr("app.need_start"), icon="🧭")
        st.page_link(PAGES["start"], label=tr("nav.start"), icon="🏠")
        st.stop()
    assert card is not None
    return card


def require_data(card: Scorecard) -> None:
    """Stop the page with a pointer to the Data page when no dataset has data yet."""
    if not card.datasets or not any(ds.source in files() for ds in card.datasets):
        st.info(tr("app.need_data"), icon="📄")
        st.page_link(PAGES["data"], label=tr("nav.data"), icon="📄")
        st.stop()


def require_kpis(card: Scorecard) -> None:
    """Stop the page with a pointer to the goals/KPI pages when there is nothing to show."""
    if not card.goals:
        st.info(tr("app.need_goals"), icon="🎯")
        st.page_link(PAGES["goals"], label=tr("nav.goals"), icon="🎯")
        st.stop()
    if not card.kpis:
        st.info(tr("app.need_kpis"), icon="📏")
        st.page_link(PAGES["kpis"], label=tr("nav.kpis"), icon="📏")
        st.stop()


def bound(
    widget: Any, label: str, draft: dict[str, Any], name: str, key: str, **kwargs: Any
) -> Any:
    """Render ``widget`` whose value lives in ``draft[name]`` (app-owned state).

    The widget key only mirrors the draft: when Streamlit forgets the widget (another page
    was shown), the value comes back from the draft, so nothing the user typed is lost.
    """
    if key not in st.session_state and name in draft:
        st.session_state[key] = draft[name]
    # A choice without a value shows a placeholder: ours, not Streamlit's "Choose an option".
    if widget is st.selectbox:
        kwargs.setdefault("placeholder", tr("flows.choose_one"))
    elif widget is st.multiselect:
        kwargs.setdefault("placeholder", tr("flows.choose_many"))
    value = widget(label, key=key, **kwargs)
    draft[name] = value
    return value


def notice() -> None:
    """Show (once) a message left by the previous run, e.g. after saving; while a save is
    refused (someone else saved first) show that instead, with the reload button."""
    message = st.session_state.pop(NOTICE, None)
    if st.session_state.get(CONFLICT):
        show_conflict()
    elif message:
        st.success(message, icon="✅")
