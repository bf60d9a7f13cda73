"""A table kept in Koers on the Data page, in a real browser, in Dutch and English: its rows
in the user's notation and period words; screenshots to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpilogic.i18n import t
from kpilogic.scorecard.model import Dataset, ManualTable, Scorecard
from kpilogic.workspace.store import Store
from tests.e2e.conftest import nav, screenshot, wait_idle

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_kept_table_on_the_data_page(browser, app_server, lang: str) -> None:
    db = Store(Path(app_server.env["KOERS_HOME"]) / "koers.sqlite3")
    manual = ManualTable(value_columns=["NPS", "Reacties"], segment_column="Winkel")
    ds = Dataset(id="nps", name="Enquête", source="nps.csv", date_column="Periode", manual=manual)
    ws = db.create_workspace("Klanten", Scorecard(name="Klanten", datasets=[ds]), lang).id
    rows = "Periode,Winkel,NPS,Reacties\n2026-04-01,Utrecht,38.5,120\n2026-05-01,Utrecht,44,131\n"
    db.save_file(ws, "nps.csv", rows.encode())
    context = browser.new_context(
        locale="nl-NL" if lang == "nl" else "en-GB", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    page.goto(f"{app_server.url}/?ws={ws}")
    wait_idle(page)
    nav(page, t("nav.data", lang))
    main = page.get_by_test_id("stMain")
    main.get_by_text(t("manual.ui.title", lang)).first.wait_for()
    assert main.get_by_text("Enquête").first.is_visible()
    grid = main.get_by_test_id("stDataFrame").first
    grid.wait_for()
    path = screenshot(page, f"manual_table_{lang}")
    assert path.exists()
    context.close()
