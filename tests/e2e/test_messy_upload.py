"""A Dutch user, in a real browser, uploads a messy workbook (title rows, text amounts with
comma decimals, months as columns, a totals row) and gets the same KPI values as from its
clean twin: compared in the downloaded CSVs. Screenshots of the Data page are artefacts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kpilogic.i18n import t
from tests.e2e.conftest import add_goal, choose, click, fill, nav, screenshot, wait_idle, widget
from tests.e2e.words import month_words
from tests.messy import EXPECTED, clean_twin_workbook, messy_dutch_workbook

pytestmark = pytest.mark.e2e
LANG = "nl"


def _monthly_csv(browser, app_server, path: Path, column: str, tag: str, tmp: Path) -> dict:
    context = browser.new_context(
        locale="nl-NL", viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(app_server.url)
    wait_idle(page)
    click(page, "start_upload")
    widget(page, "upload").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_idle(page)
    page.get_by_text(t("data.dataset", LANG, name="Omzet")).first.wait_for()
    main = page.get_by_test_id("stMain")
    if tag == "messy":
        # The decisions are on screen, in Dutch.
        body = main.inner_text()
        assert "Kolomnamen gevonden op rij 4; 2 titelrijen erboven overgeslagen." in body
        assert "1 totaalrij weggelaten zodat niets dubbel telt: rij 10." in body
        assert "6 kolommen (jan 2026 tot en met jun 2026)" in body
        page.get_by_text(t("data.quality.title", LANG)).first.click()
        wait_idle(page)
    screenshot(page, f"messy_{tag}_data")

    add_goal(page, LANG, "Omzet laten groeien", "Nieuwe winkel betalen", "Anouk")

    nav(page, t("nav.kpis", LANG))
    fill(page, "kpi_name", "Omzet per maand")
    choose(page, "kpi_column", column)
    fill(page, "kpi_target_value", "5000")
    fill(page, "kpi_owner", "Anouk")
    click(page, "kpi_save")
    page.get_by_text("Omzet per maand").first.wait_for()

    nav(page, t("nav.dashboard", LANG))
    try:
        page.get_by_text(f"Omzet per maand · {month_words('2026-06', LANG)}").first.wait_for()
    finally:
        screenshot(page, f"messy_{tag}_dashboard")

    nav(page, t("nav.download", LANG))
    with page.expect_download() as info:
        widget(page, "dl_csv").locator("button").click()
    out = tmp / f"{tag}_{info.value.suggested_filename}"
    info.value.save_as(out)
    context.close()
    rows = csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";")
    # The app's csv names its columns in the user's language (Dutch here).
    return {
        r["Periode"]: float(r["Werkelijk"].replace(",", "."))
        for r in rows
        if not r["Segment"] and r["Werkelijk"]
    }


def test_messy_dutch_workbook_gives_the_numbers_of_its_clean_twin(
    browser, app_server, tmp_path: Path
) -> None:
    messy, clean = tmp_path / "omzet_overzicht.xlsx", tmp_path / "omzet_schoon.xlsx"
    messy.write_bytes(messy_dutch_workbook())
    clean.write_bytes(clean_twin_workbook())
    from_messy = _monthly_csv(browser, app_server, messy, "Waarde", "messy", tmp_path)
    from_clean = _monthly_csv(browser, app_server, clean, "Omzet", "clean", tmp_path)
    expected = {f"2026-0{m + 1}": round(sum(v[m] for v in EXPECTED.values()), 2) for m in range(6)}
    assert {k: round(v, 2) for k, v in from_messy.items()} == expected
    assert from_messy == pytest.approx(from_clean)
