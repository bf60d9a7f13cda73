"""The workspace database: every entity round-trips, old schemas upgrade, writers run at once,
a damaged file is reported and moved aside. Real SQLite files in tmp_path, no mocks; every test
that takes ``store`` or ``store_location`` runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from kpilogic.errors import ScorecardError, StoreError
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.store import (
    MB,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    default_db_path,
)
from tests.conftest import ROOT
from tests.pg import query


def card(name: str = "Shop", target: float = 1000.0) -> Scorecard:
    return Scorecard(
        name=name,
        datasets=[Dataset(id="orders", name="Orders", source="sales.xlsx", date_column="Date")],
        goals=[Goal(id="grow", title="Grow online revenue", deadline=date(2026, 12, 31))],
        kpis=[
            KPI(
                id="rev",
                goal_id="grow",
                name="Revenue",
                dataset_id="orders",
                measure=Measure(aggregation="sum", column="Revenue"),
                target=Target(value=target),
                owner="Anna",
            )
        ],
    )


class FakeClock:
    """A clock a test moves by hand (no sleeping)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "koers.sqlite3"


@pytest.fixture
def store(store_location: Path | str) -> Store:
    return Store(store_location)


def raw(
    path: Path | str | Store, sql: str, params: tuple[object, ...] = ()
) -> list[tuple[object, ...]]:
    """Look into the database directly, past the Store's API (a file, a URL or a Store)."""
    return query(path, sql, params)


# -- where the database lives, and its creation ---------------------------------------------
def test_default_path_from_koers_db_then_koers_home_then_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KOERS_DB", raising=False)
    monkeypatch.delenv("KOERS_HOME", raising=False)
    assert default_db_path() == Path.home() / ".koers" / "koers.sqlite3"
    monkeypatch.setenv("KOERS_HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / "koers.sqlite3"
    monkeypatch.setenv("KOERS_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_created_on_first_use_with_its_folder_in_wal_mode(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KOERS_DB", raising=False)
    monkeypatch.setenv("KOERS_HOME", str(tmp_path / "new" / "folder"))
    store = Store()
    assert store.path == tmp_path / "new" / "folder" / "koers.sqlite3"
    assert store.path.is_file()
    assert raw(store.path, "PRAGMA journal_mode") == [("wal",)]
    assert raw(store.path, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION,)]
    assert store.list_workspaces() == []
    Store(store.path)  # opening again changes nothing
    assert raw(store.path, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION,)]


def test_a_folder_that_cannot_be_made_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as exc:
        Store(blocker / "koers.sqlite3")
    assert exc.value.key == "error.store.unavailable"
    assert str(blocker / "koers.sqlite3") in exc.value.message("nl")


# -- round trips -----------------------------------------------------------------------------
def test_workspace_and_scorecard_round_trip(store: Store) -> None:
    ws = store.create_workspace("  Webshop   2026 ", card(), lang="nl-NL")
    assert (ws.name, ws.lang, len(ws.id)) == ("Webshop 2026", "nl", 32)
    assert ws.created_at == ws.updated_at
    assert ws.created_at.tzinfo is not None
    assert store.get_workspace(ws.id) == ws
    assert store.list_workspaces() == [ws]
    assert store.load_scorecard(ws.id) == card()

    renamed = store.rename_workspace(ws.id, "Webshop")
    assert renamed.name == "Webshop"
    assert renamed.updated_at > ws.updated_at
    store.set_lang(ws.id, "en")
    assert store.get_workspace(ws.id).lang == "en"


def test_invalid_workspace_names_are_refused(store: Store) -> None:
    for name in ("", "   ", "x" * 201):
        with pytest.raises(StoreError) as exc:
            store.create_workspace(name, card())
        assert exc.value.key == "error.store.name_invalid"
    assert store.list_workspaces() == []


def test_every_save_is_a_version_and_unchanged_saves_are_skipped(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    assert store.save_scorecard(ws.id, card(target=1100), note="raised the target") == 2
    assert store.save_scorecard(ws.id, card(target=1100), note="same again") is None
    assert store.save_scorecard(ws.id, card(target=1200)) == 3
    assert store.load_scorecard(ws.id) == card(target=1200)

    versions = store.list_versions(ws.id)
    assert [v.version for v in versions] == [3, 2, 1]
    assert [v.note for v in versions] == ["", "raised the target", ""]
    assert versions[0].saved_at >= versions[1].saved_at >= versions[2].saved_at
    assert {v.workspace_id for v in versions} == {ws.id}
    assert store.load_version(ws.id, 2) == card(target=1100)
    assert store.load_version(ws.id, 1) == card()
    with pytest.raises(StoreError) as exc:
        store.load_version(ws.id, 9)
    assert exc.value.key == "error.store.version_missing"


def test_restore_version_makes_it_current_and_keeps_the_history(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    store.save_scorecard(ws.id, card(target=2000))
    restored = store.restore_version(ws.id, 1, note="Restored version 1")
    assert restored == card()
    assert store.load_scorecard(ws.id) == card()
    versions = store.list_versions(ws.id)
    assert [(v.version, v.note) for v in versions] == [
        (3, "Restored version 1"),
        (2, ""),
        (1, ""),
    ]
    assert store.load_version(ws.id, 2) == card(target=2000)
    # Restoring what is already current adds nothing.
    store.restore_version(ws.id, 3)
    assert len(store.list_versions(ws.id)) == 3


def test_only_the_newest_versions_are_kept(store_location: Path | str) -> None:
    store = Store(store_location, max_versions=3)
    ws = store.create_workspace("Shop", card())
    for target in range(1, 6):
        store.save_scorecard(ws.id, card(target=target))
    assert [v.version for v in store.list_versions(ws.id)] == [6, 5, 4]
    assert store.save_scorecard(ws.id, card(target=99)) == 7


def test_a_note_that_is_too_long_is_refused(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    with pytest.raises(StoreError) as exc:
        store.save_scorecard(ws.id, card(target=5), note="x" * 2001)
    assert exc.value.key == "error.store.note_too_long"
    assert len(store.list_versions(ws.id)) == 1


def test_settings_round_trip_and_merge(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    assert store.get_settings(ws.id) == {}
    settings = {"lang": "nl", "as_of": "2026-03-31", "kinds": {"Revenue": "number"}, "n": 1.5}
    store.save_settings(ws.id, settings)
    assert store.get_settings(ws.id) == settings
    merged = store.update_settings(ws.id, {"lang": "en", "step": 3})
    assert merged == {**settings, "lang": "en", "step": 3}
    assert store.get_settings(ws.id) == merged
    # UI state is not a change of the workspace: the Start page order stays.
    assert store.get_workspace(ws.id).updated_at == ws.updated_at
    with pytest.raises(TypeError):
        store.save_settings(ws.id, {"as_of": date(2026, 3, 31)})
    assert store.get_settings(ws.id) == merged


def test_files_round_trip_replace_and_delete(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    march = b"PK\x03\x04 march" + bytes(range(256)) * 10
    april = b"PK\x03\x04 april" + os.urandom(5000)
    first = store.save_file(ws.id, "sales.xlsx", march)
    store.save_file(ws.id, "targets.csv", b"month;target\n2026-03;1000\n")
    assert store.load_file(ws.id, "sales.xlsx") == march
    assert [f.name for f in store.list_files(ws.id)] == ["sales.xlsx", "targets.csv"]
    listed = store.list_files(ws.id)[0]
    assert listed == first
    assert (listed.size, len(listed.sha256)) == (len(march), 64)

    # Same bytes again: nothing written; other bytes under the same name: replaced.
    assert store.save_file(ws.id, "sales.xlsx", march) == first
    second = store.save_file(ws.id, "sales.xlsx", april)
    assert second.sha256 != first.sha256
    assert store.load_file(ws.id, "sales.xlsx") == april
    assert len(store.list_files(ws.id)) == 2

    store.delete_file(ws.id, "targets.csv")
    assert [f.name for f in store.list_files(ws.id)] == ["sales.xlsx"]
    for action in (
        lambda: store.load_file(ws.id, "targets.csv"),
        lambda: store.delete_file(ws.id, "targets.csv"),
    ):
        with pytest.raises(StoreError) as exc:
            action()
        assert exc.value.key == "error.store.file_missing"
        assert "targets.csv" in exc.value.message("nl")


def test_file_size_limits_per_file_and_per_workspace(store_location: Path | str) -> None:
    store = Store(store_location, max_file_mb=1, max_workspace_mb=2.5)
    ws = store.create_workspace("Shop", card())
    with pytest.raises(StoreError) as exc:
        store.save_file(ws.id, "huge.xlsx", b"x" * (MB + 1))
    assert exc.value.key == "error.store.file_too_large"
    assert exc.value.params == {"name": "huge.xlsx", "limit_mb": "1"}
    assert "1 MB" in exc.value.message("nl")
    assert "huge.xlsx" in exc.value.message("en")

    store.save_file(ws.id, "a.xlsx", b"a" * MB)
    store.save_file(ws.id, "b.xlsx", b"b" * MB)
    with pytest.raises(StoreError) as exc:
        store.save_file(ws.id, "c.xlsx", b"c" * MB)
    assert exc.value.key == "error.store.workspace_full"
    assert "2.5 MB" in exc.value.message("en")
    # Replacing a file counts its new size, not both.
    store.save_file(ws.id, "b.xlsx", b"B" * MB)
    assert [f.name for f in store.list_files(ws.id)] == ["a.xlsx", "b.xlsx"]
    # Another workspace has its own budget.
    other = store.create_workspace("Other", card())
    store.save_file(other.id, "c.xlsx", b"c" * MB)


def test_file_size_limit_from_the_environment(
    store_location: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_MAX_FILE_MB", "0.5")
    store = Store(store_location)
    assert store.max_file_bytes == MB // 2
    assert Store(store_location, max_file_mb=3).max_file_bytes == 3 * MB
    monkeypatch.setenv("KOERS_MAX_FILE_MB", "lots")
    assert Store(store_location).max_file_bytes == 50 * MB


def test_checkins_round_trip_newest_first(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    base = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
    march = CheckIn(
        kpi_id="rev",
        period="2026-03",
        note="Below target: the campaign started late.",
        action="Extra newsletter in April",
        who="Anna",
        next_review=date(2026, 5, 1),
        created_at=base,
    )
    april = CheckIn(
        kpi_id="rev", period="2026-04", note="On course", created_at=base + timedelta(30)
    )
    other = CheckIn(kpi_id="nps", period="2026-Q1", action="Call detractors", created_at=base)
    ids = [store.add_checkin(ws.id, c) for c in (march, april, other)]
    assert len(set(ids)) == 3

    listed = store.list_checkins(ws.id)
    assert [c.checkin for c in listed] == [april, other, march]  # same time: last added first
    assert {c.workspace_id for c in listed} == {ws.id}
    assert [c.checkin for c in store.list_checkins(ws.id, kpi_id="rev")] == [april, march]
    assert store.list_checkins(ws.id, kpi_id="nope") == []

    store.delete_checkin(ids[0])
    assert [c.checkin for c in store.list_checkins(ws.id, kpi_id="rev")] == [april]
    with pytest.raises(StoreError) as exc:
        store.delete_checkin(ids[0])
    assert exc.value.key == "error.store.checkin_missing"


def test_checkin_validation() -> None:
    checkin = CheckIn(kpi_id="rev", period="2026-W09", note="  ok  ")
    assert checkin.note == "ok"
    assert checkin.created_at.tzinfo == UTC
    local = CheckIn(kpi_id="rev", period="2026", created_at=datetime(2026, 1, 1, 12))
    assert local.created_at.tzinfo == UTC
    for bad in (
        {"kpi_id": "rev", "period": "March"},
        {"kpi_id": "rev", "period": "2026-03", "note": "x" * 2001},
        {"kpi_id": "", "period": "2026-03"},
        {"kpi_id": "rev", "period": "2026-03", "mood": "good"},
    ):
        with pytest.raises(ValidationError):
            CheckIn.model_validate(bad)


# -- workspaces stay apart; the list order; duplicate and delete ------------------------------
def test_two_workspaces_do_not_see_each_others_data(store: Store) -> None:
    one = store.create_workspace("One", card("One"))
    two = store.create_workspace("Two", card("Two"))
    store.save_scorecard(one.id, card("One", target=5))
    store.save_settings(one.id, {"lang": "nl"})
    store.save_file(one.id, "one.csv", b"1")
    checkin_id = store.add_checkin(one.id, CheckIn(kpi_id="rev", period="2026-03"))

    assert store.load_scorecard(two.id) == card("Two")
    assert [v.version for v in store.list_versions(two.id)] == [1]
    assert store.get_settings(two.id) == {}
    assert store.list_files(two.id) == []
    assert store.list_checkins(two.id) == []
    with pytest.raises(StoreError):
        store.load_file(two.id, "one.csv")
    with pytest.raises(StoreError):
        store.delete_checkin(checkin_id, workspace_id=two.id)
    assert len(store.list_checkins(one.id)) == 1


def test_workspaces_are_listed_most_recently_changed_first(store: Store) -> None:
    first = store.create_workspace("First", card())
    second = store.create_workspace("Second", card())
    assert [w.name for w in store.list_workspaces()] == ["Second", "First"]
    store.save_scorecard(first.id, card(target=1))
    assert [w.name for w in store.list_workspaces()] == ["First", "Second"]
    store.add_checkin(second.id, CheckIn(kpi_id="rev", period="2026-03"))
    assert [w.name for w in store.list_workspaces()] == ["Second", "First"]


def test_duplicate_copies_everything_and_then_lives_apart(store: Store) -> None:
    ws = store.create_workspace("Shop", card(), lang="nl")
    store.save_scorecard(ws.id, card(target=1500))
    store.save_settings(ws.id, {"step": 4})
    store.save_file(ws.id, "sales.xlsx", b"data")
    store.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03", note="first"))

    copy = store.duplicate_workspace(ws.id, "Shop (copy)")
    assert (copy.name, copy.lang) == ("Shop (copy)", "nl")
    assert copy.id != ws.id
    assert store.load_scorecard(copy.id) == card(target=1500)
    assert [v.version for v in store.list_versions(copy.id)] == [1]
    assert store.get_settings(copy.id) == {"step": 4}
    assert store.load_file(copy.id, "sales.xlsx") == b"data"
    assert store.list_files(copy.id) == store.list_files(ws.id)
    assert [c.checkin for c in store.list_checkins(copy.id)] == [
        c.checkin for c in store.list_checkins(ws.id)
    ]

    store.save_scorecard(copy.id, card(target=9))
    store.delete_file(copy.id, "sales.xlsx")
    assert store.load_scorecard(ws.id) == card(target=1500)
    assert store.load_file(ws.id, "sales.xlsx") == b"data"


def test_delete_moves_to_the_trash_and_purge_removes_everything_kept_with_it(
    store_location: Path | str,
) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    store = Store(store_location, clock=clock)
    ws = store.create_workspace("Shop", card())
    keep = store.create_workspace("Keep", card())
    for target in (1, 2):
        store.save_scorecard(ws.id, card(target=target))
    store.save_file(ws.id, "sales.xlsx", os.urandom(200_000))
    store.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03"))
    store.save_file(keep.id, "keep.csv", b"1")

    store.delete_workspace(ws.id)
    assert [w.id for w in store.list_workspaces()] == [keep.id]
    assert [w.id for w in store.list_trash()] == [ws.id]
    with pytest.raises(StoreError) as exc:
        store.load_scorecard(ws.id)  # in the trash: gone for everything but restore
    assert exc.value.key == "error.store.workspace_missing"
    # 30 days later it is still there; a day after that it is purged with all it kept.
    clock.now += timedelta(days=30)
    assert store.purge_expired() == 0
    clock.now += timedelta(days=1)
    assert store.purge_expired() == 1
    for table in ("workspaces", "scorecard_versions", "files", "checkins", "members", "audit"):
        column = "id" if table == "workspaces" else "workspace_id"
        rows = raw(store, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (ws.id,))
        assert rows == [(0,)], table
    assert store.load_file(keep.id, "keep.csv") == b"1"
    with pytest.raises(StoreError) as exc:
        store.delete_workspace(ws.id)
    assert exc.value.key == "error.store.workspace_missing"


def test_a_missing_workspace_is_reported_everywhere(store: Store) -> None:
    calls = [
        lambda: store.get_workspace("gone"),
        lambda: store.load_scorecard("gone"),
        lambda: store.save_scorecard("gone", card()),
        lambda: store.list_versions("gone"),
        lambda: store.rename_workspace("gone", "x"),
        lambda: store.duplicate_workspace("gone", "x"),
        lambda: store.get_settings("gone"),
        lambda: store.save_settings("gone", {}),
        lambda: store.save_file("gone", "a.csv", b"1"),
        lambda: store.list_files("gone"),
        lambda: store.add_checkin("gone", CheckIn(kpi_id="rev", period="2026-03")),
        lambda: store.list_checkins("gone"),
    ]
    for call in calls:
        with pytest.raises(StoreError) as exc:
            call()
        assert exc.value.key == "error.store.workspace_missing"
        assert "gone" in exc.value.message("nl")


def test_a_stored_scorecard_is_validated_strictly_when_loaded(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    broken = json.loads(card().to_json())
    broken["kpis"][0]["goal_id"] = "nowhere"
    raw(store, "UPDATE workspaces SET scorecard_json = ? WHERE id = ?", (json.dumps(broken), ws.id))
    with pytest.raises(ScorecardError, match="nowhere"):
        store.load_scorecard(ws.id)


# -- schema versions ---------------------------------------------------------------------------
def _version_1_database(path: Path) -> None:
    """What the first Koers with a database left behind: migration 1 only, with data in it."""
    stamp = datetime(2026, 1, 15, 8, 0, tzinfo=UTC).isoformat(timespec="microseconds")
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    with conn:
        conn.execute("INSERT INTO meta (schema_version) VALUES (1)")
        conn.execute(
            "INSERT INTO workspaces (id, name, created_at, updated_at, lang, scorecard_json)"
            " VALUES ('old', 'Old shop', ?, ?, 'nl', ?)",
            (stamp, stamp, card("Old").to_json()),
        )
        for version, target in ((1, 1000.0), (2, 1200.0)):
            conn.execute(
                "INSERT INTO scorecard_versions VALUES ('old', ?, ?, ?, ?)",
                (version, stamp, card("Old", target).to_json(), f"v{version}"),
            )
    conn.close()


def test_a_version_1_database_is_upgraded_with_its_data_intact(db: Path) -> None:
    _version_1_database(db)
    assert raw(db, "PRAGMA journal_mode") == [("delete",)]

    store = Store(db)
    assert raw(db, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION,)]
    assert raw(db, "PRAGMA journal_mode") == [("wal",)]
    [ws] = store.list_workspaces()
    assert (ws.id, ws.name, ws.lang) == ("old", "Old shop", "nl")
    assert ws.updated_at == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    assert store.load_scorecard("old") == card("Old")
    assert [(v.version, v.note) for v in store.list_versions("old")] == [(2, "v2"), (1, "v1")]
    assert store.load_version("old", 2) == card("Old", 1200.0)
    # What later versions added works on the upgraded file.
    assert store.get_settings("old") == {}
    store.save_file("old", "sales.xlsx", b"data")
    store.add_checkin("old", CheckIn(kpi_id="rev", period="2026-01"))
    assert store.save_scorecard("old", card("Old", 1300.0)) == 3
    assert raw(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_failing_migration_leaves_the_database_as_it_was(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _version_1_database(db)
    broken = MIGRATIONS[1] + "\nCREATE TABLE half_done (;\n"
    monkeypatch.setattr("kpilogic.workspace.store.MIGRATIONS", (MIGRATIONS[0], broken))
    with pytest.raises(sqlite3.OperationalError):
        Store(db)
    assert raw(db, "SELECT schema_version FROM meta") == [(1,)]
    tables = {row[0] for row in raw(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "files" not in tables
    columns = {row[1] for row in raw(db, "PRAGMA table_info(workspaces)")}
    assert "settings_json" not in columns
    monkeypatch.undo()
    assert Store(db).load_scorecard("old") == card("Old")


def test_a_database_from_a_newer_koers_is_refused_untouched(
    store_location: Path | str, store: Store
) -> None:
    raw(store, "UPDATE meta SET schema_version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError) as exc:
        Store.open_or_recover(store_location)
    assert exc.value.key == "error.store.too_new"
    assert exc.value.params["version"] == SCHEMA_VERSION + 1
    assert raw(store, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION + 1,)]


def test_another_programs_database_is_left_alone(store_location: Path | str) -> None:
    raw(store_location, "CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError) as exc:
        Store.open_or_recover(store_location)
    assert exc.value.key == "error.store.not_koers"
    if isinstance(store_location, Path):
        assert raw(store_location, "SELECT name FROM sqlite_master") == [("invoices",)]
    else:
        listing = "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
        schema = store_location.rsplit("%3D", 1)[1]
        assert raw(store_location, listing, (schema,)) == [("invoices",)]


# -- concurrent writers ----------------------------------------------------------------------------
def _assert_all_writes_present(store: Store, workspace_id: str, tags: list[str]) -> None:
    versions = store.list_versions(workspace_id)
    assert sorted(v.version for v in versions) == list(range(1, 2 + 50 * len(tags)))
    expected = {f"{tag} {i}" for tag in tags for i in range(50)}
    assert {v.note for v in versions} - {""} == expected
    assert {c.checkin.note for c in store.list_checkins(workspace_id)} == expected
    assert len(store.list_checkins(workspace_id)) == 50 * len(tags)
    if store.url is None:
        assert raw(store.path, "PRAGMA integrity_check") == [("ok",)]
    # The writers really took turns (else this proves nothing about concurrency).
    order = [v.note.split()[0] for v in sorted(versions, key=lambda v: v.version) if v.note]
    switches = sum(a != b for a, b in itertools.pairwise(order))
    assert switches > 1, order


def test_two_threads_writing_at_once_lose_nothing(store: Store) -> None:
    ws = store.create_workspace("Shop", card())
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            start.wait()
            for i in range(50):
                store.save_scorecard(ws.id, card(f"{tag} {i}"), note=f"{tag} {i}")
                store.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03", note=f"{tag} {i}"))
                time.sleep(0.01)
        except BaseException as exc:  # reported below; a thread would swallow it
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    _assert_all_writes_present(store, ws.id, ["left", "right"])


WRITER = """
import sys, time
from pathlib import Path
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.store import Store

db, workspace_id, tag, go, card_file = sys.argv[1:6]
base = Scorecard.from_json(Path(card_file).read_text())
store = Store(db)  # a SQLite file or a PostgreSQL URL
Path(f"{go}-{tag}").touch()  # ready
while not Path(go).exists():
    time.sleep(0.005)
for i in range(50):
    note = f"{tag} {i}"
    store.save_scorecard(workspace_id, base.model_copy(update={"name": note}), note=note)
    store.add_checkin(workspace_id, CheckIn(kpi_id="rev", period="2026-03", note=note))
    time.sleep(0.01)  # a user's pace, compressed: lets the other writer's retry get in
"""


def test_two_processes_writing_at_once_lose_nothing(store: Store, tmp_path: Path) -> None:
    ws = store.create_workspace("Shop", card())
    card_file = tmp_path / "card.json"
    card_file.write_text(card().to_json())
    go = tmp_path / "go"
    where = store.url or str(store.path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, where, ws.id, tag, str(go), str(card_file)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("first", "second")
    ]
    # Both start writing at the same moment, once both have started up.
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}-{tag}").exists() for tag in ("first", "second")):
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.01)
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    _assert_all_writes_present(store, ws.id, ["first", "second"])


def test_a_writer_held_up_too_long_gets_a_clear_message(db: Path) -> None:
    store = Store(db, timeout=0.2)
    ws = store.create_workspace("Shop", card())
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as exc:
            store.save_scorecard(ws.id, card(target=1))
        assert exc.value.key == "error.store.busy"
        assert store.load_scorecard(ws.id) == card()  # readers are not held up (WAL)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.save_scorecard(ws.id, card(target=1)) == 2


# -- a damaged file --------------------------------------------------------------------------------
def _check_recovery(db: Path, damaged_bytes: bytes) -> None:
    with pytest.raises(StoreError) as exc:
        Store(db)
    assert exc.value.key == "error.store.damaged"
    assert str(db) in exc.value.message("nl")
    assert "opzij" in exc.value.message("nl")
    assert "moves a damaged database aside" in exc.value.message("en")
    assert db.read_bytes() == damaged_bytes  # reporting alone moves nothing

    store, moved = Store.open_or_recover(db)
    assert moved is not None
    assert moved.parent == db.parent
    assert moved.name.startswith("koers.sqlite3.damaged-")
    assert moved.read_bytes() == damaged_bytes
    assert store.list_workspaces() == []
    ws = store.create_workspace("Fresh start", card())
    assert store.load_scorecard(ws.id) == card()
    assert raw(db, "PRAGMA integrity_check") == [("ok",)]

    again, moved_again = Store.open_or_recover(db)
    assert moved_again is None
    assert [w.name for w in again.list_workspaces()] == ["Fresh start"]


def test_a_file_of_garbage_is_reported_and_moved_aside(db: Path) -> None:
    garbage = os.urandom(8192)
    db.write_bytes(garbage)
    _check_recovery(db, garbage)


def test_a_truncated_database_is_salvaged_as_far_as_it_goes(db: Path) -> None:
    store = Store(db)
    names = {}
    for n in range(5):
        ws = store.create_workspace(f"Shop {n}", card(f"Shop {n}"))
        store.save_file(ws.id, "sales.xlsx", os.urandom(100_000))
        names[ws.id] = f"Shop {n}"
    assert not Path(f"{db}-wal").exists()  # every connection closed: all in the main file
    whole = db.read_bytes()
    kept_pages = len(whole) // 2 // 4096
    # The workspaces whose rows sit on leaf pages that survive the cut, by SQLite's own map.
    conn = sqlite3.connect(db)
    leaves = conn.execute(
        "SELECT pageno, ncell FROM dbstat WHERE name = 'workspaces' AND pagetype = 'leaf'"
    ).fetchall()
    conn.close()
    surviving = sum(cells for page, cells in leaves if page <= kept_pages)
    truncated = whole[: kept_pages * 4096]
    db.write_bytes(truncated)
    with pytest.raises(StoreError) as exc:
        Store(db)
    assert exc.value.key == "error.store.damaged"

    salvaged, moved = Store.open_or_recover(db)
    assert moved is not None and moved.read_bytes() == truncated  # the damaged file untouched
    recovery = salvaged.recovery
    assert recovery is not None and recovery.readable
    back = salvaged.list_workspaces()
    assert surviving >= 1 and len(back) >= surviving
    assert recovery.workspaces == len(back)
    for ws in back:  # what came back is what was saved, and opens
        assert salvaged.load_latest(ws.id)[0] == card(names[ws.id])
    assert "workspaces" in recovery.incomplete  # the lost rows are not passed over in silence
    assert raw(db, "PRAGMA integrity_check") == [("ok",)]
    assert not list(db.parent.glob("*.reading*"))  # the working copy is removed


def test_a_writer_held_up_too_long_gets_a_clear_message_on_postgresql(postgres_url: str) -> None:
    import psycopg

    from kpilogic.workspace.store import PG_WRITE_LOCK
    from tests.pg import fresh_schema

    location = fresh_schema(postgres_url)
    store = Store(location, timeout=0.2)
    ws = store.create_workspace("Shop", card())
    # Another app server in the middle of a write: it holds the write lock.
    with psycopg.connect(location, autocommit=True) as blocker:
        blocker.execute("BEGIN")
        blocker.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
        with pytest.raises(StoreError) as exc:
            store.save_scorecard(ws.id, card(target=1))
        assert exc.value.key == "error.store.busy"
        assert store.load_scorecard(ws.id) == card()  # readers are not held up
        blocker.execute("ROLLBACK")
    assert store.save_scorecard(ws.id, card(target=1)) == 2


def test_a_postgresql_server_that_cannot_be_reached_is_reported_without_its_password() -> None:
    port = 1  # nothing listens there
    with pytest.raises(StoreError) as exc:
        Store(f"postgresql://koers:secret@127.0.0.1:{port}/koers", timeout=1)
    assert exc.value.key == "error.store.pg_unavailable"
    text = exc.value.message("nl")
    assert "postgresql://koers:***@127.0.0.1:1/koers" in text
    assert "secret" not in text
    assert "PostgreSQL-server" in text and "KOERS_DB" in text


def test_koers_db_selects_postgresql_for_a_url_and_sqlite_for_a_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_url: str
) -> None:
    from tests.pg import fresh_schema

    location = fresh_schema(postgres_url)
    monkeypatch.setenv("KOERS_DB", location)
    store = Store()
    assert store.url == location
    ws = store.create_workspace("Shared", card())
    assert raw(location, "SELECT name FROM workspaces") == [("Shared",)]
    assert raw(location, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION,)]
    assert Store.open_or_recover()[0].list_workspaces()[0].id == ws.id
    monkeypatch.setenv("KOERS_DB", str(tmp_path / "own.sqlite3"))
    assert Store().url is None
    assert Store().path == tmp_path / "own.sqlite3"
    assert Store().list_workspaces() == []


def test_a_version_1_postgresql_database_is_upgraded_with_its_data_intact(
    postgres_url: str,
) -> None:
    import psycopg

    from kpilogic.workspace.store import PG_MIGRATIONS
    from tests.pg import fresh_schema

    location = fresh_schema(postgres_url)
    stamp = datetime(2026, 1, 15, 8, 0, tzinfo=UTC).isoformat(timespec="microseconds")
    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute(PG_MIGRATIONS[0])  # type: ignore[arg-type]
        conn.execute("INSERT INTO meta (schema_version) VALUES (1)")
        conn.execute(
            "INSERT INTO workspaces (id, name, created_at, updated_at, lang, scorecard_json)"
            " VALUES ('old', 'Old shop', %s, %s, 'nl', %s)",
            (stamp, stamp, card("Old").to_json()),
        )
        for version, target in ((1, 1000.0), (2, 1200.0)):
            conn.execute(
                "INSERT INTO scorecard_versions VALUES ('old', %s, %s, %s, %s)",
                (version, stamp, card("Old", target).to_json(), f"v{version}"),
            )
    store = Store(location)
    assert raw(location, "SELECT schema_version FROM meta") == [(SCHEMA_VERSION,)]
    [ws] = store.list_workspaces()
    assert (ws.id, ws.name, ws.lang) == ("old", "Old shop", "nl")
    assert [v.note for v in store.list_versions("old")] == ["v2", "v1"]
    assert store.load_version("old", 2) == card("Old", 1200.0)
    assert store.get_settings("old") == {}
    # Migration 3 made the local user the owner of what was there.
    assert raw(location, "SELECT email, role FROM members") == [("local", "owner")]
    assert store.save_scorecard("old", card("Old", 1300.0), based_on=2) == 3


def test_a_password_never_shows_in_where_the_store_is() -> None:
    from kpilogic.workspace.store import redact_url

    assert redact_url("postgresql://koers:s3cr@t@db:5432/k") == "postgresql://koers:***@db:5432/k"
    assert redact_url("postgresql://koers@db/k?sslmode=require&password=pw&x=1") == (
        "postgresql://koers@db/k?sslmode=require&password=***&x=1"
    )
    assert redact_url("postgresql://db/k") == "postgresql://db/k"
