"""Issue 18 end to end: a KPI owner signs in with the OpenID Connect provider, sees only
"Mijn KPI's", enters the value due and a check-in; the workspace owner's dashboard shows them.

The workspace is made beforehand in the server's own SQLite file by the real store (the owner
names Bram's address as the owner of two KPIs, which makes him a contributor).
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from kpilogic.i18n import t
from kpilogic.workspace.store import Store
from tests.e2e.conftest import click, screenshot, wait_idle, widget
from tests.e2e.test_team_access import ANNA, BRAM, oidc_provider, sign_in, team_app  # noqa: F401
from tests.test_entry import SALES_CSV, SURVEY_CSV, _card

pytestmark = pytest.mark.e2e


def _main(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def test_a_kpi_owner_enters_a_value_and_a_check_in(
    browser, tmp_path_factory, oidc_provider  # noqa: F811
) -> None:
    home = tmp_path_factory.mktemp("koers_owner_home")
    store = Store(home / "koers.sqlite3")
    anna = store.for_user(ANNA)
    card = _card()  # Bram owns the north's NPS, the complaints and the revenue
    for i, kpi in enumerate(card.kpis):
        if kpi.id == "nps_zuid":
            card.kpis[i] = kpi.model_copy(update={"owner": ANNA})
    ws = anna.create_workspace("Klanten", card, "nl").id
    anna.save_file(ws, "enquete.csv", SURVEY_CSV)
    anna.save_file(ws, "sales.csv", SALES_CSV)
    anna.update_settings(ws, {"as_of": date(2026, 6, 15).isoformat()})
    assert store.for_user(BRAM.lower()).role(ws) == "contributor"

    with team_app(tmp_path_factory, oidc_provider, home) as server:
        b_context, bram = sign_in(browser, server, BRAM, locale="nl-NL")
        wait_idle(bram)
        # Any address of the app — an old link to the dashboard, the digest's link to his
        # page — shows his page and nothing else.
        for address in (f"/dashboard?ws={ws}", f"/mine?ws={ws}"):
            bram.goto(server.url + address)
            bram.get_by_test_id("stSidebar").wait_for()
            wait_idle(bram)
            assert bram.get_by_role("heading", name="Mijn KPI's").count() == 1, address
            assert "Dashboard" not in _main(bram)
        text = _main(bram)
        # Only his page: no navigation to the other pages at all.
        assert "Mijn KPI's" in text
        assert bram.get_by_test_id("stSidebarNav").count() == 0
        assert t("nav.dashboard", "nl") not in bram.get_by_test_id("stSidebar").inner_text()
        assert "NPS · Noord · mei 2026" in text
        assert "sales.csv" in text  # the revenue comes from an upload: said, not a field
        screenshot(bram, "owner_mine_nl")

        # While his page is open, Anna enters the north's complaints of May herself. Bram
        # types May's NPS of the north in Dutch notation and the complaints (12) and saves:
        # nothing is written, Anna's 9 is not overwritten, and his typed NPS stays.
        _, changed = anna.enter_values(ws, "enquete.csv", {("2026-05", "Noord", "Klachten"): 9})
        assert changed == 1
        field = bram.get_by_role("textbox", name="NPS · Noord · mei 2026")
        field.fill("44,5")
        bram.get_by_role("textbox", name="Klachten · Noord · mei 2026").fill("12")
        click(bram, "mine_save")
        text = _main(bram)
        # The page is drawn again on the table as it is now: the refusal is said, Anna's
        # value is in (no field for it any more), his other value is still typed.
        assert "Iemand anders heeft Klachten van mei 2026 (Noord) in Enquête ingevuld" in text
        assert "je waarden voor Enquête zijn niet bewaard" in text
        assert "Klachten · Noord · mei 2026" not in text, text[:3000]
        # May's complaints are Anna's 9 of the north alone: said beside the figure.
        assert "1 rij in mei 2026 heeft geen Klachten (Zuid); buiten dit cijfer gelaten" in text
        screenshot(bram, "owner_mine_conflict_nl")
        assert field.input_value() == "44,5"  # what he typed is kept
        click(bram, "mine_save")
        text = _main(bram)
        assert t("mine.saved", "nl", count=1) in text
        assert "NPS · Noord · mei 2026" not in text  # no longer due
        # A check-in on the complaints (off course: 8 against a target of 40 in April).
        note = widget(bram, "review_note_klachten").locator("textarea")
        note.fill("Drukke maand door de actie")
        note.press("Control+Enter")
        wait_idle(bram)
        click(bram, "review_save_klachten")
        assert "Drukke maand" not in widget(bram, "review_note_klachten").inner_text()
        screenshot(bram, "owner_mine_saved_nl")
        b_context.close()

        kept = store.for_user(ANNA).list_checkins(ws, "klachten")
        table = pd.read_csv(io.BytesIO(store.for_user(ANNA).load_file(ws, "enquete.csv")))
        may = table[table["Periode"].str.startswith("2026-05") & (table["Regio"] == "Noord")]
        assert may[["NPS", "Klachten"]].values.tolist() == [[44.5, 9]]  # Anna's 9 is kept
        assert [c.checkin.note for c in kept] == ["Drukke maand door de actie"]

        # Anna opens the workspace and her dashboard shows his number and his check-in.
        a_context, anna_page = sign_in(browser, server, ANNA)
        click(anna_page, f"ws_open_{ws}")
        anna_page.get_by_test_id("stSidebarNav").get_by_text(
            t("nav.dashboard", "en"), exact=True
        ).click()
        wait_idle(anna_page)
        text = _main(anna_page)
        assert "44.5" in text, text[:2000]
        assert "Drukke maand door de actie" in text
        # Anna owns a KPI too (the south's NPS): her own page is beside the others.
        assert t("mine.nav", "en") in anna_page.get_by_test_id("stSidebarNav").inner_text()
        screenshot(anna_page, "owner_dashboard_en")
        a_context.close()
