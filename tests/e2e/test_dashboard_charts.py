"""The dashboard in a real browser, in English and Dutch: goal progress and insights on the
first screen, this year against last year and the segments' trends labelled at their line
ends, the values per period, and no Vega warning in the console (the heat map's
'Dropping "fit-y"'). Screenshots of each part are test artefacts, to be looked at."""

from __future__ import annotations

import pytest

from kpilogic.i18n import format_period, t
from kpilogic.sample import sample_scorecard
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import choose, click, nav, wait_idle

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_dashboard_charts(browser, app_server, lang: str) -> None:
    context = browser.new_context(
        locale="nl-NL" if lang == "nl" else "en-GB", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(app_server.url)
    wait_idle(page)
    click(page, "start_sample")
    nav(page, t("nav.dashboard", lang))
    main = page.get_by_test_id("stMain")
    main.get_by_text(t("pdash.progress.title", lang)).first.wait_for()
    page.wait_for_timeout(1500)  # let the charts draw
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dash_{lang}_first_screen.png"))

    card = sample_scorecard(lang)
    # The first screen: every goal with a deadline is named with its progress sentence.
    for goal in card.goals[:1]:
        assert main.get_by_text(goal.title).first.is_visible()
    assert main.get_by_text(t("pdash.insights.title", lang)).first.is_visible()

    # This year against last year: both lines named at their ends, no legend to hunt for.
    charts = page.get_by_test_id("stVegaLiteChart")
    yoy = charts.filter(has_text=t("pdash.chart.yoy", lang, name=card.kpis[0].name)).first
    yoy.wait_for()
    assert yoy.locator("svg text").filter(has_text="2026:").count() == 1
    assert yoy.locator("svg text").filter(has_text="2025:").count() == 1
    main.get_by_text(t("pdash.insights.title", lang)).first.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"dash_{lang}_insights_yoy.png"))
    months = yoy.locator("svg text").filter(has_text=format_period("2026-03", lang)[:3])
    assert months.count() >= 1  # "mrt" / "Mar" on the axis

    # A KPI with segments: one line per channel, each named at its end.
    margin = next(k for k in card.kpis if k.segment_column)
    choose(page, "dash_kpi", margin.name)
    segments = charts.filter(has_text=t("pdash.chart.segments", lang, name=margin.name)).first
    segments.wait_for()
    for channel in ("Web", "Shop"):
        assert segments.locator("svg text").filter(has_text=f"{channel}:").count() == 1
    segments.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    segments.screenshot(path=str(ARTIFACTS / f"dash_{lang}_segments.png"))

    # The values per period: periods written as people write them.
    table_title = main.get_by_text(t("pdash.table.title", lang)).first
    table_title.scroll_into_view_if_needed()
    assert table_title.is_visible()
    page.wait_for_timeout(1500)  # the data grid draws on a canvas after the run
    page.screenshot(path=str(ARTIFACTS / f"dash_{lang}_table.png"))
    heatmap = charts.last
    heatmap.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    heatmap.screenshot(path=str(ARTIFACTS / f"dash_{lang}_heatmap.png"))

    fit_y = [m for m in console if "fit-y" in m]
    assert not fit_y, fit_y
    context.close()
