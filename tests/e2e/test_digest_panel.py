"""The digest panel of the Download page in a real browser, in Dutch and English: the owner
adds a recipient and sets when the digest goes out; screenshots to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpilogic.i18n import t
from kpilogic.sample import sample_scorecard
from kpilogic.workspace.store import Store
from tests.conftest import ROOT
from tests.e2e.conftest import nav, screenshot, wait_idle, widget

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_owner_sets_up_the_digest(browser, app_server, lang: str) -> None:
    db = Store(Path(app_server.env["KOERS_HOME"]) / "koers.sqlite3")
    card = sample_scorecard(lang)
    ws = db.create_workspace(card.name, card, lang).id
    db.save_file(ws, "koers_sample.xlsx", (ROOT / "sample_data" / "koers_sample.xlsx").read_bytes())
    context = browser.new_context(
        locale="nl-NL" if lang == "nl" else "en-GB", viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    page.goto(f"{app_server.url}/?ws={ws}")
    wait_idle(page)
    nav(page, t("nav.download", lang))
    main = page.get_by_test_id("stMain")
    main.get_by_text(t("digest.ui.nobody", lang)).wait_for()

    # Inside a form Enter would submit it: type the address, pick the owner, then add.
    widget(page, "digest_email").locator("input").fill("eigenaar@fietsenmaker.nl")
    owner = card.kpis[0].owner
    box = widget(page, "digest_owner").get_by_role("combobox")
    box.scroll_into_view_if_needed()
    box.click()
    box.fill(owner)  # filters the list to that owner (a form: no rerun until it is sent)
    page.get_by_role("option").filter(has_text=owner).first.click()
    page.get_by_role("button", name=t("digest.ui.add", lang)).click()
    wait_idle(page)
    # The address is shown escaped (a word joiner before "@"): look for the part after it.
    added = t("digest.ui.added", lang, email="@fietsenmaker.nl").split("@", 1)[1]
    main.get_by_text(added).wait_for()
    shown = main.get_by_text("fietsenmaker.nl ·").first
    assert shown.is_visible()
    assert owner in shown.inner_text()
    path = screenshot(page, f"digest_panel_{lang}")
    assert path.exists()
    plan = db.get_settings(ws)["digest"]
    assert plan["recipients"][0]["email"] == "eigenaar@fietsenmaker.nl"
    assert plan["recipients"][0]["owner"] == owner
    context.close()
