"""The bounded load test of issue 17: 20 browser sessions at once over two Streamlit servers
that share one PostgreSQL database, each opening the dashboard of the sample workspace — no
errors, every dashboard drawn. The times and the servers' memory go to
test-artifacts/team_load.txt (``python -m benchmarks.team`` measures the same by hand;
benchmarks/RESULTS.md keeps a run). No wall-clock limit is asserted: the machine is shared."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from benchmarks.team import run_load, seed_sample_workspace
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import AppServer
from tests.pg import fresh_schema

pytestmark = pytest.mark.e2e

SESSIONS = 20


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, postgres_url: str) -> Iterator[tuple[list[AppServer], str]]:
    ARTIFACTS.mkdir(exist_ok=True)
    db = fresh_schema(postgres_url)
    ws = seed_sample_workspace(db, tmp_path_factory.mktemp("sample"))
    servers = []
    for n in (1, 2):
        env = {**os.environ, "KOERS_DB": db, "PYTHONPATH": str(ARTIFACTS.parent)}
        env["KOERS_HOME"] = str(tmp_path_factory.mktemp(f"koers_load_home_{n}"))
        env.pop("KOERS_SAMPLE", None)
        servers.append(AppServer(env, ARTIFACTS / f"streamlit-load-server-{n}.log"))
    for server in servers:
        server.start()
    yield servers, ws
    for server in servers:
        server.stop()


def test_twenty_sessions_over_two_servers_open_dashboards_without_errors(loaded) -> None:
    servers, ws = loaded
    pids = [(s.proc.pid, s.url) for s in servers if s.proc is not None]
    assert len(pids) == 2
    result = run_load(pids, ws, SESSIONS, timeout_s=900)
    (ARTIFACTS / "team_load.txt").write_text(result.summary() + "\n", encoding="utf-8")
    assert result.errors == []
    assert len(result.sessions) == SESSIONS
    # Spread evenly: 20 sessions over 2 servers is 10 on each.
    assert sorted(s.server for s in result.sessions).count(1) == SESSIONS // 2
    # Every dashboard shows the sample's first goal (run_load counts a dashboard without it
    # as an error, above) and drew every chart it has. (How many charts are on the page when
    # it settles varies: those in expanders are not always mounted yet.)
    assert all(s.drawn == s.charts > 0 for s in result.sessions)
    for mem in result.memory_mb.values():
        assert mem["peak"] >= mem["after"] > 0
