"""Team mode end to end: a real OpenID Connect provider, three people, one shared scorecard.

The provider is ``oidc-provider-mock`` (a real OIDC server built on Authlib) on 127.0.0.1;
the app is started with a secrets file of its own (``--secrets.files``) whose ``[auth]``
section points to it, so the repository's ``.streamlit/`` is never touched. Each person signs
in in their own browser context (their own cookies), by the provider's sign-in form.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import werkzeug.serving
from oidc_provider_mock import User
from oidc_provider_mock import app as oidc_app

from kpilogic.i18n import t
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import AppServer, screenshot, wait_idle

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


@pytest.fixture(scope="module")
def team_server(tmp_path_factory, oidc_provider: Provider) -> Iterator[AppServer]:
    """The app in team mode: a secrets file with ``[auth]`` pointing to the provider."""
    ARTIFACTS.mkdir(exist_ok=True)
    home = tmp_path_factory.mktemp("koers_team_home")
    secrets_file = tmp_path_factory.mktemp("koers_team_secrets") / "secrets.toml"
    env = {**os.environ, "KOERS_HOME": str(home), "PYTHONPATH": str(ARTIFACTS.parent)}
    env.pop("KOERS_SAMPLE", None)
    server = AppServer(
        env, ARTIFACTS / "streamlit-team-server.log", args=["--secrets.files", str(secrets_file)]
    )
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{server.url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "koers-e2e"\n'
        'client_secret = "koers-e2e-secret"\n'
        f'server_metadata_url = "{oidc_provider.url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    server.start()
    yield server
    server.stop()


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
    context.close()
