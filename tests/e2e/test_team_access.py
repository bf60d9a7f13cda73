"""Team mode end to end: a real OpenID Connect provider, three people, one shared scorecard.

The provider is ``oidc-provider-mock`` (a real OIDC server built on Authlib) on 127.0.0.1;
the app is started with a secrets file of its own (``--secrets.files``) whose ``[auth]``
section points to it, so the repository's ``.streamlit/`` is never touched. Each person signs
in in their own browser context (their own cookies), by the provider's sign-in form.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import werkzeug.serving
from oidc_provider_mock import User
from oidc_provider_mock import app as oidc_app

from kpilogic.i18n import t
from kpilogic.scorecard.model import Goal, Scorecard
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import AppServer, click, screenshot, wait_idle, widget

pytestmark = pytest.mark.e2e

ANNA = "anna@example.com"  # A: owns the scorecard
BRAM = "Bram@Example.com"  # B: gets viewer rights (the provider's spelling has capitals)
CHRIS = "chris@example.com"  # C: nobody shares anything with C


@dataclass(frozen=True)
class Provider:
    url: str


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    """An OpenID Connect provider on 127.0.0.1 with three users."""
    users = [
        User(sub=email, claims={"email": email, "name": email.split("@")[0].title()})
        for email in (ANNA, BRAM, CHRIS)
    ]
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_app(user_claims=users), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@contextlib.contextmanager
def team_app(tmp_path_factory, provider: Provider, home: Path | None = None) -> Iterator[AppServer]:
    """The app in team mode (a secrets file with ``[auth]`` pointing to ``provider``), its
    store in ``home`` (``KOERS_HOME``; a fresh folder by default)."""
    ARTIFACTS.mkdir(exist_ok=True)
    home = home or tmp_path_factory.mktemp("koers_team_home")
    secrets_file = tmp_path_factory.mktemp("koers_team_secrets") / "secrets.toml"
    env = {**os.environ, "KOERS_HOME": str(home), "PYTHONPATH": str(ARTIFACTS.parent)}
    env["KOERS_RUN_MARKER"] = "1"
    env.pop("KOERS_SAMPLE", None)
    env.pop("KOERS_DB", None)
    server = AppServer(
        env, ARTIFACTS / "streamlit-team-server.log", args=["--secrets.files", str(secrets_file)]
    )
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{server.url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "koers-e2e"\n'
        'client_secret = "koers-e2e-secret"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def team_server(tmp_path_factory, oidc_provider: Provider) -> Iterator[AppServer]:
    """The app in team mode with an empty store."""
    with team_app(tmp_path_factory, oidc_provider) as server:
        yield server


def sign_in(browser, server: AppServer, email: str, locale: str = "en-GB"):
    """A new browser context for ``email``, signed in through the provider's form."""
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(server.url)
    wait_idle(page)
    lang = "nl" if locale.startswith("nl") else "en"
    page.get_by_role("button", name=t("signin.button", lang)).click()
    # The provider's authorisation form lists its users as buttons.
    page.get_by_role("button", name=email).click()
    page.wait_for_url(f"{server.url}/**")
    page.get_by_test_id("stSidebar").wait_for()
    wait_idle(page)
    return context, page


def test_sign_in_screen_in_both_languages_then_signed_in(browser, team_server) -> None:
    for locale, lang in (("nl-NL", "nl"), ("en-GB", "en")):
        context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(team_server.url + "/dashboard")
        wait_idle(page)
        main = page.get_by_test_id("stMain").inner_text()
        assert t("signin.title", lang) in main
        assert t("signin.button", lang) in main
        # Nothing of the app before signing in: no navigation, no scorecard pages.
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert t("start.workspaces", lang) not in main
        screenshot(page, f"team_signin_{lang}")
        context.close()

    context, page = sign_in(browser, team_server, ANNA)
    sidebar = page.get_by_test_id("stSidebar").inner_text()
    assert t("signin.as", "en", email=ANNA) in sidebar
    assert t("nav.start", "en") in sidebar

    # Signing out ends the session at the provider (its end-session form) and comes back to
    # the sign-in screen.
    widget(page, "signout").locator("button").click()
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{team_server.url}/**")
    page.get_by_role("button", name=t("signin.button", "en")).wait_for()
    assert page.get_by_test_id("stSidebarNav").count() == 0
    context.close()


def _main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def _expand(page, label: str) -> None:
    """Open the expander whose summary says ``label`` (if it is closed)."""
    expander = page.get_by_test_id("stExpander").filter(has_text=label).first
    details = expander.locator("details").first
    if details.get_attribute("open") is None:
        expander.locator("summary").first.click()
        wait_idle(page)


def _go_start(page) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.start", "en"), exact=True).click()
    wait_idle(page)


def test_share_view_only_no_access_trash_and_audit(browser, team_server, tmp_path) -> None:
    card = Scorecard(
        name="Omzet 2026",
        goals=[Goal(id="grow", title="Grow web shop revenue 15% in 2026", owner=ANNA)],
    )
    card_file = tmp_path / "omzet_2026.json"
    card_file.write_text(card.to_json(), encoding="utf-8")

    # A signs in and makes a workspace by opening a scorecard file on the Start page.
    a_context, anna = sign_in(browser, team_server, ANNA)
    _expand(anna, t("start.import", "en"))
    widget(anna, "scorecard_upload").get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        str(card_file)
    )
    wait_idle(anna)
    widget(anna, "scorecard_import").locator("button").click()
    # The import opens the Data page of the new workspace; the page switch clears the address
    # for a moment before the workspace is put back, so wait for both together.
    on_data = re.compile(r"/data\?(?:.*&)?ws=([^&]+)")
    anna.wait_for_url(on_data)
    wait_idle(anna)
    anna.wait_for_url(on_data)
    ws = on_data.search(anna.url).group(1)

    # A shares it with B as viewer (B's address as the provider spells it, with capitals).
    _go_start(anna)
    _expand(anna, t("access_ui.share.title", "en"))
    fill_in = widget(anna, "share_email").locator("input")
    fill_in.fill(BRAM)
    widget(anna, "share_add").locator("button").click()
    wait_idle(anna)
    text = _main_text(anna)
    assert t("access_ui.share.added", "en", email=BRAM.lower(), role="viewer") in text
    screenshot(anna, "team_start_owner_en")

    # B sees it, as viewer: no duplicate, no delete; the Goals page is read-only.
    b_context, bram = sign_in(browser, team_server, BRAM, locale="nl-NL")
    text = _main_text(bram)
    assert "Omzet 2026" in text
    assert t("access_ui.your_role", "nl", role="lezer") in text
    assert widget(bram, f"ws_open_{ws}").count() == 1
    assert widget(bram, f"ws_dup_{ws}").count() == 0
    assert widget(bram, f"ws_delete_{ws}").count() == 0
    screenshot(bram, "team_start_viewer_nl")
    click(bram, f"ws_open_{ws}")
    bram.get_by_test_id("stSidebarNav").get_by_text(t("nav.goals", "nl"), exact=True).click()
    wait_idle(bram)
    text = _main_text(bram)
    assert t("access.read_only", "nl") in text  # in B's language, not the one A works in
    assert widget(bram, "goal_title").count() == 0  # no goal wizard for a viewer
    screenshot(bram, "team_goals_viewer_nl")

    # C sees nothing of it, and A's address of it says "no access" (as a missing one would).
    c_context, chris = sign_in(browser, team_server, CHRIS)
    assert "Omzet 2026" not in _main_text(chris)
    chris.goto(f"{team_server.url}/?ws={ws}")
    wait_idle(chris)
    text = _main_text(chris)
    assert t("error.access.denied", "en") in text
    assert ws not in text and "Omzet 2026" not in text
    assert f"ws={ws}" not in chris.url
    screenshot(chris, "team_no_access_en")
    chris.goto(f"{team_server.url}/?ws=does-not-exist")
    wait_idle(chris)
    assert t("error.access.denied", "en") in _main_text(chris)

    # A deletes it (to the trash); B no longer sees it; A restores it; B sees it again.
    anna.goto(f"{team_server.url}/?ws={ws}")
    wait_idle(anna)
    click(anna, f"ws_delete_{ws}")
    click(anna, f"ws_delete_yes_{ws}")
    text = _main_text(anna)
    assert t("access_ui.trash.deleted", "en", name="Omzet 2026", days=30) in text
    bram.goto(team_server.url)
    wait_idle(bram)
    assert "Omzet 2026" not in _main_text(bram)
    _expand(anna, t("access_ui.trash.title", "en", count=1))
    screenshot(anna, "team_trash_en")
    click(anna, f"trash_restore_{ws}")
    assert t("access_ui.trash.restored", "en", name="Omzet 2026") in _main_text(anna)
    bram.goto(team_server.url)
    wait_idle(bram)
    assert "Omzet 2026" in _main_text(bram)

    # The audit log shows the steps, newest first, with who did them.
    click(anna, f"ws_open_{ws}")
    _expand(anna, t("access_ui.audit.title", "en", name="Omzet 2026"))
    rows = widget(anna, "audit_log").locator("tbody tr").all_inner_texts()
    steps = [
        ("Restored from the trash", ANNA),
        ("Moved to the trash", ANNA),
        (f"Shared with {BRAM.lower()} as viewer", ANNA),
        ("Created the scorecard Omzet 2026", ANNA),
    ]
    found = [(what, who) for what, who in steps for row in rows if what in row and who in row]
    assert found == steps, rows
    order = [next(i for i, row in enumerate(rows) if what in row) for what, _ in steps]
    assert order == sorted(order), rows  # newest first
    screenshot(anna, "team_audit_en")

    for context in (a_context, b_context, c_context):
        context.close()
