"""The router's page list and the one place that touches a private Streamlit switch.

The product's layout has a ``pages/`` folder beside ``app.py``. Streamlit (1.67) decides per
process, from that folder's existence, that the app is an old-style multipage app
(``PagesManager.uses_pages_directory``, a class attribute its own comment calls "a relic of v1")
until the first ``st.navigation`` call sets it to False. A fresh server asked for a deep link
(``/dashboard``) first would run the page file alone: no router, no sidebar, no session
bootstrap. Streamlit offers no supported setting for this (its pages-directory detection has no
option; streamlit/streamlit#9624 "st.navigation doesn't support deeplinks on first load" was
closed without one), so ``route_guard`` flips the attribute and runs ``app.py`` instead.
``tests/test_routing.py`` fails loudly when Streamlit renames or stops reading the attribute.
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui.keys import ROOT

PAGES = {
    "start": "pages/start.py",
    "data": "pages/data.py",
    "goals": "pages/goals.py",
    "kpis": "pages/kpis.py",
    "dashboard": "pages/dashboard.py",
    "review": "pages/review.py",
    "download": "pages/download.py",
    "mine": "pages/mine.py",
}


_routing = threading.local()  # per script-run thread: is app.py's router running the page?


@contextmanager
def routed() -> Iterator[None]:
    """``app.py`` runs the chosen page inside this, so pages know the router is active."""
    _routing.active = True
    try:
        yield
    finally:
        _routing.active = False


def route_guard() -> None:
    """Make a page that Streamlit started on its own go through ``app.py``'s router.

    Streamlit treats a ``pages/`` folder as an old-style multipage app until the first
    ``st.navigation`` call in the process (AppTest resets that on every run), so a first
    request for ``/dashboard`` can run the page without the router: no sidebar, no session
    bootstrap, no workspace. Every page calls this first; when the router is not running it,
    it switches the old mode off, runs ``app.py`` (which shows the same page: same url
    path, same page hash) and stops. Judged per run, not by the process-wide flag: two
    first requests at once (a reconnect and a reload) would otherwise race.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not getattr(_routing, "active", False):
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
        st.stop()
