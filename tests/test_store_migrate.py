"""``koers store migrate``: every workspace moves from SQLite to PostgreSQL and back with its
history, files, check-ins, members, audit log and trash, and the copy is verified. A real
SQLite file and a real PostgreSQL server (tests/pg.py), the real command line."""

from __future__ import annotations

import hashlib
import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kpilogic.errors import StoreError
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.store import Store, copy_store, parse_location
from tests.cli_run import koers as _run_koers
from tests.pg import fresh_schema, query


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # every change at its own moment
        return self.now


def card(name: str, target: float, owner: str = "kim@example.com") -> Scorecard:
    return Scorecard(
        name=name,
        datasets=[Dataset(id="orders", name="Orders", source="sales.csv", date_column="Date")],
        goals=[Goal(id="grow", title="Grow revenue", deadline=date(2026, 12, 31))],
        kpis=[
            KPI(
                id="rev",
                goal_id="grow",
                name="Revenue",
                dataset_id="orders",
                measure=Measure(aggregation="sum", column="Revenue"),
                target=Target(value=target),
                owner=owner,
            )
        ],
    )


def three_workspaces(store: Store) -> None:
    """Three workspaces as a team leaves them: versions, files (one binary, 300 KB), check-ins
    (one deleted, so ids have a gap), members, settings, one workspace in the trash."""
    olga = store.for_user("olga@example.com")
    for n, name in enumerate(("Webshop", "Winkel Utrecht", "Oud project"), start=1):
        ws = olga.create_workspace(name, card(name, 1000.0 * n), lang="nl" if n == 2 else "en")
        for version in range(1, n + 2):  # 2, 3 and 4 versions
            olga.save_scorecard(ws.id, card(name, 1000.0 * n + version), based_on=version)
        olga.save_file(ws.id, "sales.csv", f"Date,Revenue\n2026-01-0{n},{n}00\n".encode())
        olga.save_file(ws.id, "raw.bin", bytes(range(256)) * 1200 + bytes([n]))
        olga.share(ws.id, "eddy@example.com", "editor")
        olga.update_settings(ws.id, {"period": "2026-03", "n": n})
        first = olga.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-02", note="eerst"))
        olga.add_checkin(
            ws.id,
            CheckIn(
                kpi_id="rev",
                period="2026-03",
                note=f"Actie {n}: €1.234,56 ✓",
                action="bellen",
                who="Kim",
                next_review=date(2026, 4, 30),
            ),
        )
        olga.delete_checkin(first, ws.id)
    [*_, old] = olga.list_workspaces()
    olga.delete_workspace(old.id)


def contents(store: Store) -> dict[str, Any]:
    """Everything a user can see of every workspace, through the store's own API (of one in
    the trash, which the API keeps closed, its rows in every table, read directly)."""
    olga = store.for_user("olga@example.com")
    found: dict[str, Any] = {}
    for ws in olga.list_workspaces():
        found[ws.id] = {
            "workspace": ws,
            "versions": [
                (v, olga.load_version(ws.id, v.version)) for v in olga.list_versions(ws.id)
            ],
            "latest": olga.load_latest(ws.id),
            "settings": olga.get_settings(ws.id),
            "files": [
                (f, hashlib.sha256(olga.load_file(ws.id, f.name)).hexdigest())
                for f in olga.list_files(ws.id)
            ],
            "checkins": olga.list_checkins(ws.id),
            "members": olga.members(ws.id),
            "audit": olga.audit_log(ws.id),
        }
    for ws in olga.list_trash():
        rows = {
            table: query(
                store, f"SELECT * FROM {table} WHERE workspace_id = ? ORDER BY {order}", (ws.id,)
            )
            for table, order in (
                ("scorecard_versions", "version"),
                ("files", "name"),
                ("checkins", "id"),
                ("members", "email"),
            )
        }
        found[ws.id] = {"workspace": ws, "rows": rows, "audit": olga.audit_log(ws.id)}
    return found


def koers(*args: str) -> subprocess.CompletedProcess[str]:
    return _run_koers(*args, env={**os.environ, "KOERS_ADMIN": ""})


def test_three_workspaces_go_to_postgresql_and_back_identical(
    tmp_path: Path, postgres_url: str
) -> None:
    start = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    original = Store(tmp_path / "koers.sqlite3", clock=FakeClock(start))
    three_workspaces(original)
    before = contents(original)
    # 3 workspaces (one in the trash), each: versions 1 + (2, 3, 4) = 3, 4, 5 -> 12 in all;
    # 2 files each -> 6; one check-in kept each -> 3; owner + editor + kpi owner kim -> 9.
    assert len(before) == 3
    live = [w for w in before.values() if "rows" not in w]
    [trashed] = [w["rows"] for w in before.values() if "rows" in w]
    assert sum(len(w["versions"]) for w in live) + len(trashed["scorecard_versions"]) == 12
    assert sum(len(w["files"]) for w in live) + len(trashed["files"]) == 6
    assert sum(len(w["checkins"]) for w in live) + len(trashed["checkins"]) == 3
    assert sum(len(w["members"]) for w in live) + len(trashed["members"]) == 9
    assert [w.name for w in original.for_user("olga@example.com").list_trash()] == ["Webshop"]

    pg = fresh_schema(postgres_url)
    there = koers("store", "migrate", "--from", f"sqlite://{tmp_path}/koers.sqlite3", "--to", pg)
    assert there.returncode == 0, there.stderr
    assert "3 workspaces" in there.stdout and "6 files" in there.stdout
    assert "3 check-ins" in there.stdout and "12 versions" in there.stdout
    assert "verified" in there.stdout
    assert contents(Store(pg)) == before

    back = tmp_path / "back.sqlite3"
    again = koers("store", "migrate", "--from", pg, "--to", str(back), "--lang", "nl")
    assert again.returncode == 0, again.stderr
    assert "3 werkruimten gekopieerd" in again.stdout and "gecontroleerd" in again.stdout
    assert contents(Store(back)) == before
    # The same rows in the same order, byte for byte, in both SQLite files.
    for table, order in (("audit", "id"), ("checkins", "id"), ("files", "workspace_id, name")):
        sql = f"SELECT * FROM {table} ORDER BY {order}"
        assert query(back, sql) == query(tmp_path / "koers.sqlite3", sql), table


def test_the_copy_keeps_working_ids_and_versions(tmp_path: Path, postgres_url: str) -> None:
    original = Store(tmp_path / "koers.sqlite3")
    three_workspaces(original)
    pg = Store(fresh_schema(postgres_url))
    report = copy_store(original, pg)
    assert report.counts["checkins"] == 3
    olga = pg.for_user("olga@example.com")
    ws = olga.list_workspaces()[0]
    highest = max(int(str(row[0])) for row in query(pg, "SELECT id FROM checkins"))
    # Ids continue after the copied ones (6 made, 3 deleted: the highest copied is 6).
    assert highest == 6
    assert olga.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-04")) == highest + 1
    [_, latest] = olga.load_latest(ws.id)
    assert olga.save_scorecard(ws.id, card("Next", 9.0), based_on=latest) == latest + 1
    assert olga.audit_log(ws.id)[0].action == "scorecard.save"


def test_a_target_that_holds_workspaces_is_not_mixed_into(
    tmp_path: Path, postgres_url: str
) -> None:
    source = tmp_path / "koers.sqlite3"
    three_workspaces(Store(source))
    pg = fresh_schema(postgres_url)
    Store(pg).create_workspace("Already here", card("Already here", 1.0))
    refused = koers("store", "migrate", "--from", str(source), "--to", pg)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "already holds 1 workspace;" in refused.stderr and "--replace" in refused.stderr
    assert [w.name for w in Store(pg).list_workspaces()] == ["Already here"]
    replaced = koers("store", "migrate", "--from", str(source), "--to", pg, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    names = sorted(w.name for w in Store(pg).for_user("olga@example.com").list_workspaces())
    assert names == ["Oud project", "Winkel Utrecht"]  # Webshop is in the trash


def test_bad_locations_get_a_clear_message(tmp_path: Path) -> None:
    missing = koers("store", "migrate", "--from", str(tmp_path / "nope.sqlite3"), "--to", "x.db")
    assert missing.returncode == 1 and "nothing to copy" in missing.stderr
    assert not (tmp_path / "nope.sqlite3").exists()  # not created by the attempt
    other = koers("store", "migrate", "--from", "mysql://a:pw@h/db", "--to", "x", "--lang", "nl")
    assert other.returncode == 1 and "geen Koers-database" in other.stderr
    assert "pw" not in other.stderr and "Traceback" not in other.stderr
    with pytest.raises(StoreError) as exc:
        parse_location("")
    assert exc.value.key == "error.store.location_invalid"
    assert parse_location("sqlite:///srv/koers.sqlite3") == Path("/srv/koers.sqlite3")
    assert parse_location(" postgresql://k@h/db ") == "postgresql://k@h/db"
