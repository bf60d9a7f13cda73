"""Nothing lost: define a scorecard, restart the Streamlit server, reload — all is back."""

from __future__ import annotations

import re

import pytest

from kpilogic.i18n import t
from tests.e2e.conftest import TIMEOUT_MS, click, fill, nav, screenshot, wait_idle
from tests.e2e.words import month_words

pytestmark = pytest.mark.e2e


def test_restart_and_reload_bring_everything_back(browser, app_server) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_server.url)
    wait_idle(page)
    click(page, "start_sample")
    # The sample is shown, not saved: the address says so, and a reload shows it again.
    page.wait_for_url(re.compile(r"[?&]sample=1"), timeout=TIMEOUT_MS)
    assert "ws=" not in page.url
    page.reload()
    wait_idle(page)
    page.get_by_text("Grow web shop revenue 18% in 2026").first.wait_for()

    # Switch to Dutch in the sidebar (the sample follows), then add a goal: the first change
    # makes the sample a workspace of the user's, and the address carries it.
    page.get_by_test_id("stSidebar").get_by_text("Nederlands").click()
    wait_idle(page)
    nav(page, t("nav.goals", "nl"))
    page.get_by_text("Webshopomzet 18% hoger in 2026").first.wait_for()
    fill(page, "goal_title", "Retouren onder 3% in 2026")
    click(page, "goal_next")
    click(page, "goal_next")
    fill(page, "goal_owner", "Daan")
    click(page, "goal_save")
    page.get_by_text("Retouren onder 3% in 2026").first.wait_for()
    page.wait_for_url(re.compile(r"[?&]ws="), timeout=TIMEOUT_MS)
    # A check-in on the Review page.
    nav(page, t("review.nav", "nl"))
    page.get_by_test_id("stExpander").filter(has_text="Klanttevredenheid (1–5)").first.click()
    wait_idle(page)
    fill(page, "review_note_satisfaction", "Klachten over wachttijd in de werkplaats")
    click(page, "review_save_satisfaction")
    page.get_by_text("Klachten over wachttijd in de werkplaats").first.wait_for()
    url = page.url
    assert "ws=" in url

    app_server.restart()
    page.goto(url)
    wait_idle(page)
    body = page.get_by_test_id("stMain").inner_text()
    assert "Bespreken" in body  # the same page, in the language chosen before
    nav(page, t("nav.goals", "nl"))
    body = page.get_by_test_id("stMain").inner_text()
    assert "Doelen" in body
    assert "Retouren onder 3% in 2026" in body  # the new goal is back
    assert "Webshopomzet 18% hoger in 2026" in body  # and the (Dutch) sample's goals
    screenshot(page, "persist_goals_after_restart")

    nav(page, t("nav.dashboard", "nl"))
    page.get_by_test_id("stVegaLiteChart").last.wait_for()
    body = page.get_by_test_id("stMain").inner_text()
    assert (
        f"Webshopomzet · {month_words('2026-11', 'nl')}" in body
    )  # KPIs, mappings and data are back
    assert t("status.off_track", "nl") in body
    assert "Klachten over wachttijd in de werkplaats" in body  # the check-in is back too
    screenshot(page, "persist_dashboard_after_restart")
    context.close()
