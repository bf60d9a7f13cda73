"""A new user, in a real browser: upload the sample workbook, define one goal and two KPIs
(higher- and lower-is-better), read their statuses on the dashboard, download the xlsx and
csv, and check the numbers in the downloads against sums worked out here with openpyxl.
Once in English and once in Dutch, with screenshots of every page as test artefacts."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from kpilogic.i18n import t
from tests.conftest import SAMPLE_DIR
from tests.e2e.conftest import (
    choose,
    click,
    fill,
    nav,
    pick_radio,
    screenshot,
    wait_idle,
    widget,
)
from tests.e2e.words import month_words

pytestmark = pytest.mark.e2e
WORKBOOK = SAMPLE_DIR / "koers_sample.xlsx"
REVENUE_TARGET = 35_000.0  # per month, higher is better
COST_TARGET = 21_000.0  # per month, lower is better
TOL = 0.10


def _monthly(column: str) -> dict[str, float]:
    """Monthly sums of an Orders column, straight from the workbook (not through Koers)."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True)
    rows = wb["Orders"].iter_rows(values_only=True)
    header = next(rows)
    i_date, i_col = header.index("Date"), header.index(column)
    sums: dict[str, float] = defaultdict(float)
    for row in rows:
        sums[row[i_date].strftime("%Y-%m")] += row[i_col]
    return dict(sums)


def _expected_status(value: float, target: float, higher: bool) -> str:
    if higher:
        if value >= target:
            return "on_track"
        return "at_risk" if value >= target - TOL * target else "off_track"
    if value <= target:
        return "on_track"
    return "at_risk" if value <= target + TOL * target else "off_track"


def _number(text: str, lang: str) -> float:
    return float(text.replace(",", ".")) if lang == "nl" else float(text)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_new_user_flow(browser, app_server, lang: str, tmp_path: Path) -> None:
    context = browser.new_context(
        locale="nl-NL" if lang == "nl" else "en-GB",
        viewport={"width": 1400, "height": 1000},
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto(app_server.url)
    wait_idle(page)
    assert page.get_by_text(t("start.title", lang)).first.is_visible()
    screenshot(page, f"{lang}_1_start")

    # Data: upload the sample workbook.
    click(page, "start_upload")
    widget(page, "upload").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        str(WORKBOOK)
    )
    wait_idle(page)
    page.get_by_text(t("data.dataset", lang, name="Orders")).first.wait_for()
    screenshot(page, f"{lang}_2_data")

    # Goals: the three-step wizard.
    nav(page, t("nav.goals", lang))
    fill(page, "goal_title", "Grow revenue to 35,000 a month in 2026")
    click(page, "goal_next")
    fill(page, "goal_why", "The shop must pay for the new workshop")
    click(page, "goal_next")
    fill(page, "goal_owner", "Sanne")
    click(page, "goal_save")
    page.get_by_text("1. Grow revenue to 35,000 a month in 2026").wait_for()
    screenshot(page, f"{lang}_3_goals")

    # KPIs: one higher-is-better, one lower-is-better.
    nav(page, t("nav.kpis", lang))
    currency = t("kpis.unit.currency", lang, currency="€")
    for name, column, target, direction in (
        ("Monthly revenue", "Revenue", REVENUE_TARGET, "higher"),
        ("Monthly cost", "Cost", COST_TARGET, "lower"),
    ):
        fill(page, "kpi_name", name)
        choose(page, "kpi_column", column)
        choose(page, "kpi_unit", currency)
        pick_radio(page, "kpi_direction", t(f"kpis.direction.{direction}", lang))
        fill(page, "kpi_target_value", str(int(target)))
        fill(page, "kpi_owner", "Sanne")
        fill(page, "kpi_action", "Discuss in the Monday meeting")
        if name == "Monthly cost":
            screenshot(page, f"{lang}_4_kpis")
        click(page, "kpi_save")
        page.get_by_text(name).first.wait_for()

    # Dashboard: both KPIs with a status in words.
    nav(page, t("nav.dashboard", lang))
    page.get_by_test_id("stVegaLiteChart").last.wait_for()
    body = page.get_by_test_id("stMain").inner_text()
    assert f"Monthly revenue · {month_words('2026-11', lang)}" in body
    assert f"Monthly cost · {month_words('2026-11', lang)}" in body
    revenue, cost = _monthly("Revenue"), _monthly("Cost")
    # November 2026 is partial (data up to the 20th): judged on the projection (× 30/20).
    nov_rev = _expected_status(revenue["2026-11"] * 30 / 20, REVENUE_TARGET, higher=True)
    nov_cost = _expected_status(cost["2026-11"] * 30 / 20, COST_TARGET, higher=False)
    for status in {nov_rev, nov_cost}:
        assert t(f"status.{status}", lang) in body
    # A trend is drawn when it is opened (not on every rerun).
    trend = page.get_by_test_id("stExpander").filter(
        has_text=t("dash.trend", lang, name="Monthly revenue")
    )
    assert trend.locator(".vega-embed").count() == 0
    trend.get_by_text(t("dash.trend", lang, name="Monthly revenue")).click()
    wait_idle(page)
    trend.locator(".vega-embed").first.wait_for()
    screenshot(page, f"{lang}_5_dashboard")

    # Review: the meeting page in the user's language.
    nav(page, t("review.nav", lang))
    page.get_by_text(t("review.title", lang)).first.wait_for()
    screenshot(page, f"{lang}_5b_review")

    # Download: xlsx and csv; the numbers in them against the workbook.
    nav(page, t("nav.download", lang))
    screenshot(page, f"{lang}_6_download")
    with page.expect_download() as info:
        widget(page, "dl_csv").locator("button").click()
    csv_path = tmp_path / info.value.suggested_filename
    info.value.save_as(csv_path)
    # The file names speak the user's language too.
    assert csv_path.name.endswith("_overzicht.csv" if lang == "nl" else "_overview.csv")
    with page.expect_download() as info:
        widget(page, "dl_xlsx").locator("button").click()
    xlsx_path = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx_path)
    context.close()

    text = csv_path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if lang == "nl" else ","))
    # The app's csv speaks the user's language: its column names and statuses.
    period, actual = ("Periode", "Werkelijk") if lang == "nl" else ("Period", "Actual")
    by = {(r["KPI"], r[period]): r for r in rows if not r["Segment"]}
    for month in ("2024-07", "2025-03", "2026-10"):
        rev_row, cost_row = by[("Monthly revenue", month)], by[("Monthly cost", month)]
        assert _number(rev_row[actual], lang) == pytest.approx(revenue[month], abs=0.01)
        assert _number(cost_row[actual], lang) == pytest.approx(cost[month], abs=0.01)
        expected_rev = _expected_status(revenue[month], REVENUE_TARGET, True)
        expected_cost = _expected_status(cost[month], COST_TARGET, False)
        assert rev_row["Status"] == t(f"status.{expected_rev}", lang)
        assert cost_row["Status"] == t(f"status.{expected_cost}", lang)

    wb = openpyxl.load_workbook(xlsx_path, data_only=True)
    numbers = [
        c
        for ws in wb.worksheets
        for r in ws.iter_rows(values_only=True)
        for c in r
        if isinstance(c, float)
    ]
    for month in ("2025-03", "2026-10"):
        assert any(abs(n - revenue[month]) < 0.01 for n in numbers), month
        assert any(abs(n - cost[month]) < 0.01 for n in numbers), month
