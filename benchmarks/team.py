"""Load on a team setup (issue 17): N browser sessions at once over two Streamlit servers that
share one PostgreSQL database, each opening a dashboard of the sample workspace.

``python -m benchmarks.team [--sessions 20]`` starts a throwaway PostgreSQL (tests/pg.py) and
two app servers on localhost, runs the sessions (Debian's Chromium, Playwright's async API:
the sessions really run at once), and prints what it measured: per dashboard the time from
opening the address to the last chart drawn, errors shown, and each server's memory (resident
set before and after, and its peak). ``tests/e2e/test_team_load.py`` runs the same with
assertions. Bounded: every session gives up after ``timeout_s``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


QUIET_S = 3.0
SAMPLE_GOAL = "Grow web shop revenue 18% in 2026"  # the English sample's first goal
_STATE = """() => (document.querySelector("[data-testid='stApp']")
  || {getAttribute: () => 'none'}).getAttribute('data-test-script-state')"""


@dataclass
class Session:
    server: int
    seconds: float = 0.0
    charts: int = 0  # chart elements on the page
    drawn: int = 0  # of which drawn (an SVG in them)
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    sessions: list[Session]
    wall_seconds: float
    memory_mb: dict[int, dict[str, float]]  # server -> {"before", "after", "peak"}

    @property
    def errors(self) -> list[str]:
        return [f"server {s.server}: {e}" for s in self.sessions for e in s.errors]

    def summary(self) -> str:
        times = sorted(s.seconds for s in self.sessions)
        lines = [
            f"{len(self.sessions)} sessions over {len(self.memory_mb)} servers in "
            f"{self.wall_seconds:.1f} s; errors: {len(self.errors)}",
            f"time per dashboard: median {statistics.median(times):.1f} s, "
            f"min {times[0]:.1f} s, max {times[-1]:.1f} s",
            "charts per dashboard (drawn/elements): "
            + ", ".join(sorted({f"{s.drawn}/{s.charts}" for s in self.sessions})),
        ]
        for server, mem in sorted(self.memory_mb.items()):
            lines.append(
                f"server {server}: {mem['before']:.0f} MB before, {mem['after']:.0f} MB after, "
                f"peak {mem['peak']:.0f} MB"
            )
        return "\n".join(lines)


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB (Linux /proc)."""
    found = {"VmRSS": 0.0, "VmHWM": 0.0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in found:
            found[key] = float(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


def seed_sample_workspace(db: str, folder: Path) -> str:
    """The sample scorecard with its workbook as a workspace in ``db``; its id."""
    from kpilogic.sample import SAMPLE_WORKBOOK, sample_scorecard, write_sample
    from kpilogic.workspace.store import Store

    write_sample(folder)
    store = Store(db)
    ws = store.create_workspace("Sample", sample_scorecard("en"))
    store.save_file(ws.id, SAMPLE_WORKBOOK, (folder / SAMPLE_WORKBOOK).read_bytes())
    return ws.id


async def _one(browser: Any, url: str, server: int, timeout_s: float, expect: str) -> Session:
    session = Session(server)
    context = await browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    started = time.monotonic()
    try:
        await page.goto(url, timeout=timeout_s * 1000)
        # Drawn: the script run ended, every chart on the page is drawn, and nothing changed
        # for QUIET_S (a run can start another; a busy browser draws charts one by one).
        # The time is when it settled.
        deadline = started + timeout_s
        last: tuple[int, int, str] | None = None
        settled = 0.0
        while True:
            charts = await page.locator("[data-testid='stVegaLiteChart']").count()
            drawn = await page.locator("[data-testid='stVegaLiteChart'] svg").count()
            state = await page.evaluate(_STATE)
            now = time.monotonic()
            if (charts, drawn, state) != last:
                last, settled = (charts, drawn, state), now
            elif drawn == charts > 0 and state == "notRunning" and now - settled >= QUIET_S:
                break
            if now > deadline:
                raise TimeoutError(f"not drawn after {timeout_s:.0f} s ({charts} charts)")
            await asyncio.sleep(0.25)
        session.seconds = settled - started
        session.charts, session.drawn = charts, drawn
        for test_id in ("stException", "stAlertContentError"):
            for text in await page.get_by_test_id(test_id).all_inner_texts():
                session.errors.append(text.strip()[:200])
        if session.charts == 0:
            session.errors.append("no chart on the dashboard")
        main = await page.get_by_test_id("stMain").inner_text()
        if expect not in main:
            session.errors.append(f"{expect!r} is not on the dashboard")
    except Exception as exc:  # a session that fails is counted, the others go on
        session.seconds = time.monotonic() - started
        session.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()
    return session


async def _sessions(urls: list[tuple[int, str]], timeout_s: float, expect: str) -> list[Session]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            return list(
                await asyncio.gather(*(_one(browser, url, n, timeout_s, expect) for n, url in urls))
            )
        finally:
            await browser.close()


def run_load(
    servers: list[tuple[int, str]],
    ws: str,
    sessions: int,
    timeout_s: float = 300.0,
    expect: str = SAMPLE_GOAL,
) -> LoadResult:
    """``sessions`` dashboards of workspace ``ws`` at once, spread evenly over ``servers``
    (pid, base URL); a dashboard without the text ``expect`` counts as an error."""
    before = {n: memory_mb(pid)[0] for n, (pid, _) in enumerate(servers, start=1)}
    urls = [
        (i % len(servers) + 1, f"{servers[i % len(servers)][1]}/dashboard?ws={ws}")
        for i in range(sessions)
    ]
    started = time.monotonic()
    # A thread of its own: asyncio.run cannot run where pytest-playwright's sync API is.
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(asyncio.run, _sessions(urls, timeout_s, expect)).result()
    wall = time.monotonic() - started
    memory: dict[int, dict[str, float]] = {}
    for n, (pid, _) in enumerate(servers, start=1):
        rss, peak = memory_mb(pid)
        memory[n] = {"before": before[n], "after": rss, "peak": peak}
    return LoadResult(done, wall, memory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.team", description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument(
        "--backend",
        choices=("postgresql", "sqlite"),
        default="postgresql",
        help="the database both servers share (sqlite: one file on this machine, the baseline)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import tempfile

    from tests.e2e.conftest import AppServer
    from tests.pg import fresh_schema, postgres_server

    with postgres_server() as url, tempfile.TemporaryDirectory() as tmp:
        db = fresh_schema(url) if args.backend == "postgresql" else f"{tmp}/koers.sqlite3"
        ws = seed_sample_workspace(db, Path(tmp) / "sample")
        servers = []
        for n in (1, 2):
            env = {**os.environ, "KOERS_DB": db, "KOERS_HOME": f"{tmp}/home{n}"}
            env["PYTHONPATH"] = str(ROOT)
            env.pop("KOERS_SAMPLE", None)
            servers.append(AppServer(env, Path(tmp) / f"server{n}.log"))
        try:
            for server in servers:
                server.start()
            pids = [(s.proc.pid, s.url) for s in servers if s.proc is not None]
            result = run_load(pids, ws, args.sessions)
        finally:
            for server in servers:
                server.stop()
    print(f"backend: {args.backend}")
    print(result.summary())
    for error in result.errors:
        print(error)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
