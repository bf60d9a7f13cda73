"""A half-written KPI survives a browser reload: type a name and a target on the KPI page
(Dutch), reload, and both are back with the notice; screenshots before and after."""

from __future__ import annotations

import re

import pytest

from kpilogic.i18n import t
from tests.e2e.conftest import TIMEOUT_MS, click, fill, nav, screenshot, wait_idle, widget

pytestmark = pytest.mark.e2e


def test_the_kpi_draft_is_back_after_a_reload(browser, app_server) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_server.url)
    wait_idle(page)
    click(page, "start_sample")
    page.wait_for_url(re.compile(r"[?&]sample=1"), timeout=TIMEOUT_MS)
    nav(page, t("nav.kpis", "nl"))
    fill(page, "kpi_name", "Retourpercentage web")
    fill(page, "kpi_target_value", "1250")
    # The first change made the sample the user's own workspace: the address names it.
    page.wait_for_url(re.compile(r"[?&]ws="), timeout=TIMEOUT_MS)
    widget(page, "kpi_name").scroll_into_view_if_needed()
    screenshot(page, "kpi_draft_before_reload_nl")

    page.reload()
    wait_idle(page)
    name = widget(page, "kpi_name").locator("input")
    name.wait_for()
    assert name.input_value() == "Retourpercentage web"
    target = widget(page, "kpi_target_value").locator("input").input_value()
    assert target.replace(".", "").replace(",", "") in ("1250", "125000")  # 1250 or 1250,00
    notice = "Je niet-opgeslagen KPI 'Retourpercentage web' is terug, zoals je hem achterliet."
    page.get_by_text(notice).first.wait_for()
    assert page.get_by_role("button", name="Concept weggooien").count() == 1
    screenshot(page, "kpi_draft_after_reload_nl")

    click(page, "kpi_draft_discard")
    assert widget(page, "kpi_name").locator("input").input_value() == ""
    page.get_by_text("Je niet-opgeslagen KPI is weggegooid.").first.wait_for()
    context.close()
