"""End-to-end fixtures: a real Streamlit server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

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
        deadline = time.monotonic() + 60
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
    env = {**os.environ, "KOERS_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("KOERS_SAMPLE", None)
    server = AppServer(env, ARTIFACTS / "streamlit-server.log")
    server.start()
    yield server
    server.stop()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the Streamlit script run has finished."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout
    )
    page.wait_for_timeout(300)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout
    )


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
    box.click()
    box.fill(text)
    is_area = box.evaluate("e => e.tagName") == "TEXTAREA"
    box.press("Control+Enter" if is_area else "Enter")
    wait_idle(page)


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` (its visible text) in a selectbox."""
    box = widget(page, key).get_by_role("combobox")
    if box.input_value() == option:
        return
    box.click()
    box.fill(option)
    page.get_by_role("option").filter(has_text=option).first.click()
    wait_idle(page)


def click(page, key: str) -> None:
    """Click the button with ``key``."""
    widget(page, key).locator("button").first.click()
    wait_idle(page)


def nav(page, label: str) -> None:
    """Go to a page through the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    wait_idle(page)


def pick_radio(page, key: str, label: str) -> None:
    """Pick the radio option whose label is ``label``."""
    widget(page, key).get_by_text(label, exact=True).click()
    wait_idle(page)


def add_goal(page, lang: str, title: str, why: str, owner: str) -> None:
    """Walk the three steps of the goal wizard (what, why, owner) and save the goal."""
    nav(page, t("nav.goals", lang))
    fill(page, "goal_title", title)
    click(page, "goal_next")
    fill(page, "goal_why", why)
    click(page, "goal_next")
    fill(page, "goal_owner", owner)
    click(page, "goal_save")
