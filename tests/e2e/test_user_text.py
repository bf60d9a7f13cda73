"""User text is text, in a real browser: Markdown and HTML typed into names, notes and file
and column names never become an image, a link or HTML in the page, and ``?ws=`` is not
echoed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from kpilogic.i18n import t
from tests.e2e.conftest import nav, screenshot, wait_idle
from tests.test_page_user_text import MARK, WS_ATTACK, _workspace

pytestmark = pytest.mark.e2e

# What the payloads would create if they were rendered as Markdown or HTML.
_EVIL = re.compile(r"evil|attacker|127\.0\.0\.1:9|javascript:|x\.png|p\.png|onerror", re.IGNORECASE)


def _user_made_elements(page) -> list[str]:
    """Every image or link in the page whose address or text comes from the payloads, and
    any emphasis made of them (the payload's **bold**, <b>b</b>, :red[red])."""
    found = page.locator("[data-testid='stMain'], [data-testid='stSidebar']").evaluate_all(
        """roots => roots.flatMap(root => [...root.querySelectorAll('img, a, b, strong, em')]
            .map(e => [e.tagName, e.outerHTML, e.innerText]))"""
    )
    made = []
    for tag, html, text in found:
        # Streamlit's own "link to this heading" anchors (href="#…") are no user links.
        link = tag in ("IMG", "A") and not html.startswith('<a href="#')
        if link and (_EVIL.search(html) or "log in" in text):
            made.append(html)
        if tag in ("B", "STRONG", "EM") and text.strip() in ("bold", "b", "red"):
            made.append(html)
    return made


def test_markdown_in_user_text_is_text_in_the_browser(browser, app_server) -> None:
    home = Path(app_server.env["KOERS_HOME"])
    _, ws_id = _workspace(home)
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_server.url}/?ws={ws_id}")
    wait_idle(page)
    for label in ("nav.start", "nav.data", "nav.goals", "nav.kpis", "nav.dashboard", "review.nav"):
        nav(page, t(label, "nl"))
        main = page.get_by_test_id("stMain")
        main.get_by_text(MARK).filter(visible=True).first.wait_for()
        assert _user_made_elements(page) == [], (label, _user_made_elements(page))
        body = main.inner_text().replace("\u2060", "")  # the invisible word joiners
        # the payload is on screen as the characters typed
        assert "[Session expired - log in again](http://evil.example/login)" in body, label
        if label == "nav.goals":
            screenshot(page, "user_text_goals")
    assert not [u for u in requests if _EVIL.search(u)], requests

    # A crafted address: no fake "log in again" link, no echo, a plain message instead.
    page.goto(f"{app_server.url}/?ws={quote(WS_ATTACK)}")
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    text = main.inner_text()
    assert "Session expired —" not in text and "attacker" not in text
    assert _user_made_elements(page) == []
    # The same words as for a workspace one may not open: "no access" reads as "does not exist".
    assert page.get_by_text(re.compile("bestaat niet of je hebt er geen toegang toe")).count() >= 1
    screenshot(page, "user_text_ws_attack")
    context.close()
