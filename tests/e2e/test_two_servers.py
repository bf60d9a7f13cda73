"""Past one machine (issue 17): two Streamlit servers on two ports share one PostgreSQL database.

A goal added on server 1 is seen on server 2 after a reload; a stale save on server 2 (a form
filled in before that change) is refused with the conflict message; when server 1 is killed,
server 2 keeps serving every workspace, also to the browser that was on server 1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kpilogic.i18n import t
from kpilogic.scorecard.model import Goal, Scorecard
from kpilogic.workspace.store import Store
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import AppServer, add_goal, click, fill, nav, screenshot, wait_idle
from tests.pg import fresh_schema

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shared_db(postgres_url: str) -> str:
    return fresh_schema(postgres_url)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, shared_db: str) -> Iterator[tuple[AppServer, AppServer]]:
    ARTIFACTS.mkdir(exist_ok=True)
    servers = []
    for n in (1, 2):
        home = tmp_path_factory.mktemp(f"koers_home_{n}")  # each its own: nothing shared there
        env = {**os.environ, "KOERS_HOME": str(home), "KOERS_DB": shared_db}
        env["PYTHONPATH"] = str(ARTIFACTS.parent)
        env["KOERS_RUN_MARKER"] = "1"
        env.pop("KOERS_SAMPLE", None)
        servers.append(AppServer(env, ARTIFACTS / f"streamlit-server-{n}.log"))
    for server in servers:
        server.start()
    yield servers[0], servers[1]
    for server in servers:
        server.stop()


def _main(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def _open(browser, server: AppServer, ws: str, lang: str = "en"):
    locale = "nl-NL" if lang == "nl" else "en-GB"
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/?ws={ws}")
    wait_idle(page)
    nav(page, t("nav.goals", lang))
    return context, page


def test_two_servers_share_one_database(browser, two_servers, shared_db: str) -> None:
    one, two = two_servers
    store = Store(shared_db)
    sales = store.create_workspace(
        "Omzet 2026",
        Scorecard(
            name="Omzet 2026",
            goals=[Goal(id="grow", title="Grow web shop revenue 15% in 2026", owner="Anna")],
        ),
    )
    people = store.create_workspace(
        "Klanten 2026",
        Scorecard(
            name="Klanten 2026",
            goals=[Goal(id="nps", title="NPS above 40 by the end of 2026", owner="Kim")],
        ),
    )

    # C (who reads Dutch) opens the scorecard on server 2 and starts a goal (not saved yet).
    c_context, chris = _open(browser, two, sales.id, "nl")
    fill(chris, "goal_title", "Minder retouren")
    click(chris, "goal_next")
    click(chris, "goal_next")
    fill(chris, "goal_owner", "Chris")

    # A adds a goal on server 1: it is in the database.
    a_context, anna = _open(browser, one, sales.id)
    add_goal(anna, "en", "Returns below 3% in 2026", "Returns cost margin", "Anna")
    anna.get_by_text("Returns below 3% in 2026").first.wait_for()
    titles = [g.title for g in store.load_scorecard(sales.id).goals]
    assert titles == ["Grow web shop revenue 15% in 2026", "Returns below 3% in 2026"]

    # B opens it on server 2 (a reload there): A's goal is shown.
    b_context, bram = _open(browser, two, sales.id)
    assert "Returns below 3% in 2026" in _main(bram)

    # C's stale save on server 2 is refused with the conflict message; nothing is lost.
    click(chris, "goal_save")
    assert t("error.store.conflict", "nl") in _main(chris)
    assert [g.title for g in store.load_scorecard(sales.id).goals] == titles
    assert store.load_latest(sales.id)[1] == 2
    screenshot(chris, "two_servers_conflict_on_server_2_nl")

    # Server 1 goes away; server 2 serves every workspace, also to A (who reconnects there).
    assert one.proc is not None
    one.proc.kill()
    one.proc.wait(timeout=15)
    one.proc = None
    for ws, title in ((sales.id, "Returns below 3% in 2026"), (people.id, "NPS above 40")):
        bram.goto(f"{two.url}/?ws={ws}")
        wait_idle(bram)
        nav(bram, t("nav.goals", "en"))
        assert title in _main(bram)
    anna.goto(f"{two.url}/?ws={sales.id}")
    wait_idle(anna)
    nav(anna, t("nav.start", "en"))
    start = _main(anna)
    assert "Omzet 2026" in start and "Klanten 2026" in start
    screenshot(anna, "two_servers_start_on_server_2_after_server_1_died")
    # A can keep working on server 2: the save lands in the same database.
    nav(anna, t("nav.goals", "en"))
    add_goal(anna, "en", "Delivery within 2 days", "Customers expect it", "Anna")
    assert [g.title for g in store.load_scorecard(sales.id).goals][-1] == "Delivery within 2 days"
    for context in (a_context, b_context, c_context):
        context.close()
