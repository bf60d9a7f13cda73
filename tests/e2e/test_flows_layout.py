"""In a real browser at 1400 px, in Dutch and English (issue 15): the formula builder's labels
and buttons are whole (no "Bewerki ng", no "Invo…"), the filter value is a pick list, and the
Data page explains Streamlit's English uploader texts. Screenshots are artefacts; look at them."""

from __future__ import annotations

import urllib.parse

import pytest

from kpilogic.i18n import t
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import click, nav, pick_radio, runs, screenshot, wait_idle, widget
from tests.test_page_flows import _workbook

pytestmark = pytest.mark.e2e

# For each element: how many lines its text takes, and whether it is cut (wider than its box).
_LINES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return {text: el.textContent, lines: tops.size, cut: el.scrollWidth > el.clientWidth + 1};
}"""

BUILDER = (
    "kpi_fb_op",
    "kpi_fb_agg",
    "kpi_fb_column",
    "kpi_fb_insert",
    "kpi_fb_number",
    "kpi_fb_insert_number",
    "kpi_fb_clear",
)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_formula_builder_filter_and_uploader_texts(browser, app_server, lang: str) -> None:
    context = browser.new_context(
        locale="nl-NL" if lang == "nl" else "en-GB", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    page.goto(app_server.url)
    wait_idle(page)
    click(page, "start_sample")

    nav(page, t("nav.data", lang))
    caption = t("flows.data.uploader_help", lang, limit="50")
    page.get_by_text(caption[:40]).first.wait_for()
    screenshot(page, f"flows_data_{lang}")

    nav(page, t("nav.kpis", lang))
    pick_radio(page, "kpi_mode", t("kpis.mode.formula", lang))
    click(page, "kpi_filter_add")
    widget(page, "kpi_formula").scroll_into_view_if_needed()
    screenshot(page, f"flows_formula_builder_{lang}")
    # A close-up of the form's measure section (the builder and the filter row).
    section = widget(page, "kpi_fb_op").locator(
        "xpath=ancestor::div[@data-testid='stVerticalBlock'][2]"
    )
    section.screenshot(path=str(ARTIFACTS / f"flows_formula_builder_{lang}_closeup.png"))
    problems = []
    for key in BUILDER:
        box = widget(page, key)
        texts = box.locator("label p, button p")
        assert texts.count() > 0, key
        for i in range(texts.count()):
            seen = texts.nth(i).evaluate(_LINES)
            if seen["lines"] != 1 or seen["cut"]:
                problems.append((key, seen))
    assert not problems, problems
    # The filter's value is a pick list of the column's values (a combobox), not a text box.
    value = widget(page, "kpi_filter_pick_0")
    value.get_by_role("combobox").click()
    page.get_by_role("option").first.wait_for()
    screenshot(page, f"flows_filter_values_{lang}")
    context.close()


def _upload(page, path) -> None:
    """Give ``path`` to the Data page's uploader (whichever key it has now) and wait."""
    main = page.get_by_test_id("stMain")
    before = runs(page)
    main.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(path))
    wait_idle(page, after=before)


def test_same_name_re_upload_and_upload_from_a_ws_link(browser, app_server, tmp_path) -> None:
    lang = "nl"
    book = tmp_path / "omzet.xlsx"
    book.write_bytes(_workbook(100.0))
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_server.url)
    wait_idle(page)
    click(page, "start_upload")
    _upload(page, book)
    main = page.get_by_test_id("stMain")
    main.get_by_text(t("data.uploaded", lang, name="omzet.xlsx")).first.wait_for()
    # Taken in: the uploader is empty again, no chip left.
    assert main.get_by_test_id("stFileChip").count() == 0
    book.write_bytes(_workbook(200.0))
    _upload(page, book)
    main.get_by_text(t("flows.data.replaced", lang, name="omzet.xlsx")).first.wait_for()
    screenshot(page, "flows_same_name_reupload_nl")
    assert main.get_by_test_id("stFileChip").count() == 0  # not two chips of that name
    assert main.get_by_role("heading", name="omzet.xlsx").count() == 1  # one entry
    ws = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["ws"][0]
    context.close()

    # A colleague's link to that workspace: "Upload je eigen bestand" adds to it.
    context = browser.new_context(locale="nl-NL", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{app_server.url}/?ws={ws}")
    wait_idle(page)
    screenshot(page, "flows_start_with_ws_nl")
    click(page, "start_upload")
    other = tmp_path / "kosten.xlsx"
    other.write_bytes(_workbook(5.0))
    _upload(page, other)
    main = page.get_by_test_id("stMain")
    main.get_by_text(t("data.uploaded", lang, name="kosten.xlsx")).first.wait_for()
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["ws"] == [ws]
    assert main.get_by_role("heading", name="omzet.xlsx").count() == 1  # the same workspace
    assert main.get_by_role("heading", name="kosten.xlsx").count() == 1
    screenshot(page, "flows_upload_into_ws_nl")
    context.close()
