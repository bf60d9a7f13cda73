"""End-to-end fixtures: a real Streamlit server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kpilogic.i18n import t
from tests.conftest import ARTIFACTS, ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Every wait is on a condition; its timeout is only the point of giving up, set for a machine
# whose two cores are busy with other work (CI runs the whole suite on two cores).
TIMEOUT_MS = 120_000


@pytest.fixture(scope="session")
def browser(browser):
    """pytest-playwright's browser, whose new contexts wait up to TIMEOUT_MS."""
    new_context = browser.new_context

    def patient_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        return context

    browser.new_context = patient_context
    return browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1400, "height": 1000},
        "accept_downloads": True,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """A Streamlit server of app.py on a free port; ``restart`` keeps the same port."""

    def __init__(self, env: dict[str, str], log: Path, args: Sequence[str] = ()) -> None:
        self.port = _free_port()
        self.env = env
        self.log = log
        self.args = list(args)  # more command-line options, e.g. --secrets.files
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            *self.args,
        ]
        log = self.log.open("ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory) -> Iterator[AppServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    home = tmp_path_factory.mktemp("koers_home")
    env = {**os.environ, "KOERS_HOME": str(home), "PYTHONPATH": str(ROOT), "KOERS_RUN_MARKER": "1"}
    env.pop("KOERS_SAMPLE", None)
    server = AppServer(env, ARTIFACTS / "streamlit-server.log")
    server.start()
    yield server
    server.stop()


# The app numbers each script run in a hidden element when KOERS_RUN_MARKER=1 (set by the
# servers below), so an action can wait for *its* rerun instead of guessing how long the rerun
# takes to start (a busy machine can take seconds). The page's script-state attribute alone is
# not enough: a fast run can start and finish within one frame, leaving the attribute unchanged.
_RUN_NUMBER = """() => {
  const marker = document.querySelector(".st-key-koers_run_marker .koers-run");
  return marker ? parseInt(marker.textContent, 10) || 0 : 0;
}"""
_STATE = """(document.querySelector("[data-testid='stApp']")
  || {getAttribute: () => 'notRunning'}).getAttribute('data-test-script-state')"""


def runs(page) -> int:
    """The number of the latest script run whose first element reached the page."""
    return int(page.evaluate(_RUN_NUMBER))


IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# A run can start another (st.rerun after a save, a page switch): the app is idle only when no
# run has started for this long after the last one ended.
QUIET_MS = 1_500
_DONE = f"n => ({_RUN_NUMBER})() > n && {_STATE} === 'notRunning'"
_STARTED = f"n => ({_RUN_NUMBER})() > n || {_STATE} !== 'notRunning'"


def _diagnosis(page, after: int) -> str:
    """What the page showed when a wait for a run gave up (CI keeps only the log)."""
    state = page.evaluate(
        f"() => ({{run: ({_RUN_NUMBER})(), state: {_STATE}, url: location.href}})"
    )
    return f"no run after run {after} finished: {state}"


def wait_idle(page, timeout: float = TIMEOUT_MS, after: int | None = None) -> None:
    """Wait until the Streamlit app is idle: the script run has finished and no other run
    started within QUIET_MS after it.

    With ``after`` (``runs(page)`` taken before an action that causes a rerun), first wait
    for a later run to have finished.
    """
    deadline = time.monotonic() + timeout / 1000
    if after is not None:
        try:
            page.wait_for_function(_DONE, arg=after, timeout=timeout)
        except PlaywrightTimeout:
            raise PlaywrightTimeout(_diagnosis(page, after)) from None
    while True:
        page.wait_for_selector(IDLE, timeout=timeout)
        seen = runs(page)
        try:
            page.wait_for_function(_STARTED, arg=seen, timeout=QUIET_MS)
        except PlaywrightTimeout:
            return  # quiet: nothing started after the last run
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"the app did not settle within {timeout / 1000:.0f} s")


def screenshot(page, name: str) -> Path:
    """A screenshot of the whole main area (Streamlit scrolls inside stMain)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size({"width": 1400, "height": max(900, min(int(height) + 40, 7000))})
    page.wait_for_timeout(1500)  # data grids draw on a canvas after the script run
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1400, "height": 1000})
    return path


def widget(page, key: str):
    """The element of the widget with ``key`` (Streamlit adds the class ``st-key-<key>``)."""
    return page.locator(f".st-key-{key}")


def fill(page, key: str, text: str) -> None:
    """Type into a text/number/textarea widget and commit it."""
    box = widget(page, key).locator("input, textarea").first
    box.wait_for()
    changed = box.input_value() != text
    before = runs(page)
    box.click()
    box.fill(text)
    is_area = box.evaluate("e => e.tagName") == "TEXTAREA"
    box.press("Control+Enter" if is_area else "Enter")
    wait_idle(page, after=before if changed else None)


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` (its visible text) in a selectbox."""
    box = widget(page, key).get_by_role("combobox")
    box.wait_for()
    if box.input_value() == option:
        return
    before = runs(page)
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_idle(page, after=before)


def click(page, key: str) -> None:
    """Click the button with ``key`` and wait for the rerun it causes."""
    button = widget(page, key).locator("button").first
    button.wait_for()
    before = runs(page)
    button.click()
    wait_idle(page, after=before)


def nav(page, label: str) -> None:
    """Go to a page through the sidebar navigation and wait until it is shown.

    The link names its page's address; the click counts only once the address is that page
    and the script run for it has finished. A click that a busy app let pass (the sidebar
    was being drawn again) is repeated.
    """
    link = (
        page.get_by_test_id("stSidebarNav")
        .locator("a")
        .filter(has=page.get_by_text(label, exact=True))
    )
    path = urllib.parse.urlparse(link.first.get_attribute("href") or "").path.rstrip("/")
    target = path.rsplit("/", 1)[-1]

    def shown() -> bool:
        here = urllib.parse.urlparse(page.url).path.rstrip("/").rsplit("/", 1)[-1]
        return here == target

    for _attempt in range(3):
        before = runs(page)
        link.first.click()
        try:
            page.wait_for_function(
                f"([n, target]) => ({_RUN_NUMBER})() > n && "
                "location.pathname.replace(/\\/$/, '').split('/').pop() === target",
                arg=[before, target],
                timeout=30_000,
            )
        except PlaywrightTimeout:
            if not shown():
                continue
        break
    wait_idle(page)
    assert shown(), f"the page {label!r} ({target}) was not shown; at {page.url}"


def pick_radio(page, key: str, label: str) -> None:
    """Pick the radio option whose label is ``label``."""
    option = widget(page, key).get_by_text(label, exact=True)
    checked = widget(page, key).locator("label").filter(has_text=label).locator("input")
    already = checked.count() > 0 and checked.first.is_checked()
    before = runs(page)
    option.click()
    wait_idle(page, after=None if already else before)


def add_goal(page, lang: str, title: str, why: str, owner: str) -> None:
    """Walk the three steps of the goal wizard (what, why, owner) and save the goal."""
    nav(page, t("nav.goals", lang))
    fill(page, "goal_title", title)
    click(page, "goal_next")
    fill(page, "goal_why", why)
    click(page, "goal_next")
    fill(page, "goal_owner", owner)
    click(page, "goal_save")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.koers_failed = True
    return report


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, browser):
    """When a test fails, a screenshot of every page it left open (test-artifacts/failed_*)."""
    yield
    if not getattr(request.node, "koers_failed", False):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = "".join(c if c.isalnum() else "_" for c in request.node.name)[:80]
    for i, context in enumerate(browser.contexts):
        for j, page in enumerate(context.pages):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"failed_{name}_{i}_{j}.png"))
