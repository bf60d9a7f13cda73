"""Access control in the store (issue 13): every role against every method, list filters,
the audit log, the conflict check, trash and purge, quotas, backups and salvage.
Real SQLite files in tmp_path, no mocks; time is moved with a fake clock, never by sleeping.
Every test that takes ``store`` or ``store_location`` runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kpilogic.errors import KoersError, StoreError
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.access import (
    LOCAL_USER,
    ROLES,
    AccessDenied,
    ConflictError,
    Member,
    normalise_email,
    role_at_least,
)
from kpilogic.workspace.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    UserStore,
    recovery_message,
)
from tests.cli_run import koers as _run_koers
from tests.pg import query

OWNER, EDITOR, CONTRIB, VIEWER, OUTSIDER = (
    "olga@example.com",
    "eddy@example.com",
    "carl@example.com",
    "vera@example.com",
    "otto@example.com",
)
ROLE_OF = {OWNER: "owner", EDITOR: "editor", CONTRIB: "contributor", VIEWER: "viewer"}


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def card(name: str = "Shop", target: float = 1000.0, owner: str = CONTRIB) -> Scorecard:
    return Scorecard(
        name=name,
        datasets=[Dataset(id="orders", name="Orders", source="sales.csv", date_column="Date")],
        goals=[Goal(id="grow", title="Grow online revenue", deadline=date(2026, 12, 31))],
        kpis=[
            KPI(
                id="rev",
                goal_id="grow",
                name="Revenue",
                dataset_id="orders",
                measure=Measure(aggregation="sum", column="Revenue"),
                target=Target(value=target),
                owner=owner,
            ),
            KPI(
                id="margin",
                goal_id="grow",
                name="Margin",
                dataset_id="orders",
                measure=Measure(aggregation="sum", column="Margin"),
                owner="Anna",
            ),
        ],
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "koers.sqlite3"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 31, 9, 0, tzinfo=UTC))


@pytest.fixture
def store(store_location: Path | str, clock: FakeClock) -> Store:
    return Store(store_location, clock=clock)


def team(store: Store) -> tuple[str, int]:
    """A workspace owned by OWNER, shared with an editor, a contributor and a viewer; a
    file and a check-in kept with it. Returns its id and its checkin's id."""
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card())
    olga.share(ws.id, EDITOR, "editor")
    olga.share(ws.id, CONTRIB, "contributor")
    olga.share(ws.id, VIEWER, "viewer")
    olga.save_file(ws.id, "sales.csv", b"Date,Revenue\n2026-03-01,10\n")
    checkin = olga.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03", note="fine"))
    return ws.id, checkin


# (method, the role it needs, the call)
Call = Callable[[UserStore, str, int], Any]
METHODS: list[tuple[str, str, Call]] = [
    ("get_workspace", "viewer", lambda u, ws, c: u.get_workspace(ws)),
    ("role", "viewer", lambda u, ws, c: u.role(ws)),
    ("load_scorecard", "viewer", lambda u, ws, c: u.load_scorecard(ws)),
    ("load_latest", "viewer", lambda u, ws, c: u.load_latest(ws)),
    ("list_versions", "viewer", lambda u, ws, c: u.list_versions(ws)),
    ("load_version", "viewer", lambda u, ws, c: u.load_version(ws, 1)),
    ("get_settings", "viewer", lambda u, ws, c: u.get_settings(ws)),
    ("load_draft", "viewer", lambda u, ws, c: u.load_draft(ws, "kpi")),
    ("list_files", "viewer", lambda u, ws, c: u.list_files(ws)),
    ("load_file", "viewer", lambda u, ws, c: u.load_file(ws, "sales.csv")),
    ("list_checkins", "viewer", lambda u, ws, c: u.list_checkins(ws)),
    ("members", "viewer", lambda u, ws, c: u.members(ws)),
    ("duplicate_workspace", "viewer", lambda u, ws, c: u.duplicate_workspace(ws, "Copy")),
    (
        "add_checkin",
        "contributor",
        lambda u, ws, c: u.add_checkin(ws, CheckIn(kpi_id="rev", period="2026-04")),
    ),
    ("rename_workspace", "editor", lambda u, ws, c: u.rename_workspace(ws, "Renamed")),
    ("set_lang", "editor", lambda u, ws, c: u.set_lang(ws, "nl")),
    (
        "save_scorecard",
        "editor",
        lambda u, ws, c: u.save_scorecard(ws, card(target=2000), based_on=1),
    ),
    ("restore_version", "editor", lambda u, ws, c: u.restore_version(ws, 1)),
    ("save_settings", "editor", lambda u, ws, c: u.save_settings(ws, {"lang": "nl"})),
    ("update_settings", "editor", lambda u, ws, c: u.update_settings(ws, {"lang": "nl"})),
    ("save_draft", "editor", lambda u, ws, c: u.save_draft(ws, "kpi", {"name": "Marge"})),
    ("save_file", "editor", lambda u, ws, c: u.save_file(ws, "more.csv", b"a\n1\n")),
    ("delete_file", "editor", lambda u, ws, c: u.delete_file(ws, "sales.csv")),
    ("delete_checkin", "editor", lambda u, ws, c: u.delete_checkin(c, ws)),
    ("share", "owner", lambda u, ws, c: u.share(ws, "new@example.com", "viewer")),
    ("unshare", "owner", lambda u, ws, c: u.unshare(ws, VIEWER)),
    ("audit_log", "owner", lambda u, ws, c: u.audit_log(ws)),
    ("delete_workspace", "owner", lambda u, ws, c: u.delete_workspace(ws)),
]
USERS = [OWNER, EDITOR, CONTRIB, VIEWER, OUTSIDER]


def audit_count(store: Store, ws: str) -> int:
    return int(str(query(store, "SELECT COUNT(*) FROM audit WHERE workspace_id = ?", (ws,))[0][0]))


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("method", "needed", "call"), METHODS, ids=[m[0] for m in METHODS])
def test_every_role_against_every_method(
    store: Store, user: str, method: str, needed: str, call: Call
) -> None:
    ws, checkin = team(store)
    before = audit_count(store, ws)
    allowed = role_at_least(ROLE_OF.get(user), needed)
    if allowed:
        call(store.for_user(user), ws, checkin)
    else:
        with pytest.raises(AccessDenied) as exc:
            call(store.for_user(user), ws, checkin)
        assert exc.value.key == "error.access.denied"
        # Refused inside the store: nothing was written, nothing was audited.
        assert audit_count(store, ws) == before
    # The outsider is refused everything; the owner may do everything.
    assert allowed == (user != OUTSIDER and ROLES.index(ROLE_OF[user]) >= ROLES.index(needed))


@pytest.mark.parametrize("user", USERS)
def test_restore_from_the_trash_is_for_owners_only(store: Store, user: str) -> None:
    ws, _ = team(store)
    store.for_user(OWNER).delete_workspace(ws)
    if user == OWNER:
        assert store.for_user(user).restore_workspace(ws).id == ws
        assert [w.id for w in store.for_user(VIEWER).list_workspaces()] == [ws]
    else:
        with pytest.raises(AccessDenied):
            store.for_user(user).restore_workspace(ws)
        assert store.for_user(user).list_trash() == []


@pytest.mark.parametrize("user", USERS)
def test_deleting_for_good_from_the_trash_is_for_owners_only(store: Store, user: str) -> None:
    ws, _ = team(store)
    with pytest.raises(AccessDenied):
        store.for_user(user).delete_forever(ws)  # not in the trash: nothing to delete for good
    store.for_user(OWNER).delete_workspace(ws)
    if user == OWNER:
        store.for_user(user).delete_forever(ws)
        assert store.for_user(user).list_trash() == []
        [(left,)] = query(store, "SELECT COUNT(*) FROM files")
        assert left == 0  # its file no longer counts against the store quota
    else:
        with pytest.raises(AccessDenied):
            store.for_user(user).delete_forever(ws)
        assert [w.id for w in store.for_user(OWNER).list_trash()] == [ws]


def test_concurrent_saves_on_one_version_let_exactly_one_through(store: Store) -> None:
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(target: int) -> None:
        try:
            olga.save_scorecard(ws.id, card(target=target, owner="Anna"), based_on=1)
            result = f"saved {target}"
        except ConflictError:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2, 8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Six saves based on version 1: one becomes version 2, five are refused.
    assert sorted(o == "conflict" for o in outcomes) == [False] + [True] * 5
    (winner,) = [o for o in outcomes if o != "conflict"]
    latest, version = olga.load_latest(ws.id)
    assert version == 2
    assert latest.kpis[0].target == Target(value=float(winner.split()[1]))


def test_a_contributor_checks_in_only_on_the_kpis_they_own(store: Store) -> None:
    ws, _ = team(store)
    carl = store.for_user(CONTRIB)
    carl.add_checkin(ws, CheckIn(kpi_id="rev", period="2026-04"))  # owner of rev: CONTRIB
    with pytest.raises(AccessDenied):
        carl.add_checkin(ws, CheckIn(kpi_id="margin", period="2026-04"))  # Anna's
    assert [c.checkin.period for c in carl.list_checkins(ws, "margin")] == []


def test_no_access_reads_the_same_as_no_such_workspace(store: Store) -> None:
    ws, _ = team(store)
    otto = store.for_user(OUTSIDER)
    with pytest.raises(AccessDenied) as hidden:
        otto.get_workspace(ws)
    with pytest.raises(AccessDenied) as missing:
        otto.get_workspace("0" * 32)
    for lang in ("en", "nl"):
        assert hidden.value.message(lang) == missing.value.message(lang)
    assert ws not in hidden.value.message("en")
    assert "geen toegang" in hidden.value.message("nl")


def test_list_workspaces_shows_only_what_the_user_may_see_with_their_role(store: Store) -> None:
    olga, eddy = store.for_user(OWNER), store.for_user(EDITOR)
    shop = olga.create_workspace("Shop", card(owner="Anna"))
    own = eddy.create_workspace("Eddy's own", card(owner="Anna"))
    olga.share(shop.id, EDITOR, "viewer")
    assert [(w.name, w.role) for w in olga.list_workspaces()] == [("Shop", "owner")]
    assert sorted((w.name, w.role) for w in eddy.list_workspaces()) == [
        ("Eddy's own", "owner"),
        ("Shop", "viewer"),
    ]
    assert store.for_user(OUTSIDER).list_workspaces() == []
    # The local user (no sign-in) sees and owns everything, as before.
    local = store.for_user(LOCAL_USER)
    assert sorted(w.id for w in local.list_workspaces()) == sorted([shop.id, own.id])
    assert {w.role for w in local.list_workspaces()} == {"owner"}
    # Trashed workspaces leave every list but the owner's trash.
    olga.delete_workspace(shop.id)
    assert [w.name for w in eddy.list_workspaces()] == ["Eddy's own"]
    assert [w.id for w in olga.list_trash()] == [shop.id]
    assert eddy.list_trash() == []


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalise_email("  Olga@Example.COM ") == "olga@example.com"
    assert normalise_email(LOCAL_USER) == LOCAL_USER
    for bad in ("", "olga", "olga@", "a b@example.com", "x@y"):
        with pytest.raises(KoersError) as exc:
            normalise_email(bad)
        assert exc.value.key == "error.access.email_invalid"


def test_sharing_changes_roles_and_keeps_an_owner(store: Store) -> None:
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    assert olga.share(ws.id, "Vera@Example.com", "viewer") == Member(VIEWER, "viewer")
    olga.share(ws.id, VIEWER, "editor")  # a second share changes the role
    assert olga.members(ws.id) == [Member(OWNER, "owner"), Member(VIEWER, "editor")]
    assert store.for_user(VIEWER).role(ws.id) == "editor"
    with pytest.raises(StoreError) as last:
        olga.unshare(ws.id, OWNER)
    assert last.value.key == "error.access.last_owner"
    with pytest.raises(StoreError) as down:
        olga.share(ws.id, OWNER, "viewer")
    assert down.value.key == "error.access.last_owner"
    with pytest.raises(KoersError) as bad_role:
        olga.share(ws.id, VIEWER, "admin")
    assert bad_role.value.key == "error.access.role_invalid"
    olga.share(ws.id, VIEWER, "owner")
    olga.unshare(ws.id, OWNER)  # now another owner remains
    with pytest.raises(AccessDenied):
        olga.get_workspace(ws.id)
    assert store.for_user(VIEWER).members(ws.id) == [Member(VIEWER, "owner")]


def test_a_kpi_owner_named_by_email_becomes_a_contributor_on_save(store: Store) -> None:
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))  # a name, not an address
    assert olga.members(ws.id) == [Member(OWNER, "owner")]
    olga.share(ws.id, EDITOR, "editor")
    version = olga.save_scorecard(ws.id, card(owner=" Carl@Example.com "), based_on=1)
    assert version == 2
    assert store.for_user(CONTRIB).role(ws.id) == "contributor"  # may enter their own values
    # An existing higher role is not lowered by naming the editor as a KPI owner.
    olga.save_scorecard(ws.id, card(owner=EDITOR), based_on=2)
    assert store.for_user(EDITOR).role(ws.id) == "editor"


def test_every_change_is_in_the_audit_log_with_who_and_what(store: Store, clock: FakeClock) -> None:
    olga, eddy = store.for_user(OWNER), store.for_user(EDITOR)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    olga.share(ws.id, EDITOR, "editor")
    clock.now += timedelta(minutes=1)
    eddy.save_scorecard(ws.id, card(target=2000, owner="Anna"), based_on=1, note="higher")
    eddy.rename_workspace(ws.id, "Webshop")
    eddy.save_file(ws.id, "sales.csv", b"a\n1\n")
    eddy.delete_file(ws.id, "sales.csv")
    eddy.update_settings(ws.id, {"lang": "nl"})
    eddy.update_settings(ws.id, {"lang": "nl"})  # no change: no entry
    eddy.set_lang(ws.id, "en")  # the workspace's language was "en": no change, no entry
    checkin = eddy.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03"))
    eddy.delete_checkin(checkin, ws.id)
    eddy.restore_version(ws.id, 1)
    olga.unshare(ws.id, EDITOR)
    olga.delete_workspace(ws.id)
    olga.restore_workspace(ws.id)
    log = olga.audit_log(ws.id)
    steps = [(e.user, e.action) for e in reversed(log)]
    assert steps == [
        (OWNER, "workspace.create"),
        (OWNER, "member.share"),
        (EDITOR, "scorecard.save"),
        (EDITOR, "workspace.rename"),
        (EDITOR, "file.save"),
        (EDITOR, "file.delete"),
        (EDITOR, "settings.save"),
        (EDITOR, "checkin.add"),
        (EDITOR, "checkin.delete"),
        (EDITOR, "scorecard.restore"),
        (OWNER, "member.unshare"),
        (OWNER, "workspace.delete"),
        (OWNER, "workspace.restore"),
    ]
    details = {e.action: e.detail for e in log}
    assert details["scorecard.save"] == {"version": 2, "note": "higher"}
    assert details["scorecard.restore"] == {"version": 3, "note": "", "source": 1}
    assert details["workspace.rename"] == {"old": "Shop", "new": "Webshop"}
    assert details["file.save"] == {"name": "sales.csv", "size": 4}  # "a\n1\n": 4 bytes
    assert details["settings.save"] == {"keys": ["lang"]}
    assert details["member.share"] == {"email": EDITOR, "role": "editor"}
    assert log[-1].at == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)  # the fake clock
    assert log[-3].at == datetime(2026, 3, 31, 9, 1, tzinfo=UTC)


def test_the_audit_entry_is_written_in_the_same_transaction_as_the_change(store: Store) -> None:
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    # A change that fails halfway (a note over the limit) leaves neither change nor entry.
    with pytest.raises(StoreError):
        olga.save_scorecard(ws.id, card(target=5, owner="Anna"), based_on=1, note="x" * 3000)
    assert [e.action for e in olga.audit_log(ws.id)] == ["workspace.create"]
    assert olga.load_latest(ws.id) == (card(owner="Anna"), 1)


def test_a_save_on_a_stale_version_is_refused_and_nothing_is_lost(store: Store) -> None:
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    olga.share(ws.id, EDITOR, "editor")
    eddy = store.for_user(EDITOR)
    # Both open version 1.
    first, v_first = olga.load_latest(ws.id)
    second, v_second = eddy.load_latest(ws.id)
    assert v_first == v_second == 1
    with_goal = first.model_copy(
        update={"goals": [*first.goals, Goal(id="keep", title="Keep customers")]}
    )
    assert olga.save_scorecard(ws.id, with_goal, based_on=v_first) == 2
    changed = second.model_copy(update={"name": "Webshop"})
    with pytest.raises(ConflictError) as exc:
        eddy.save_scorecard(ws.id, changed, based_on=v_second)
    assert exc.value.key == "error.store.conflict"
    assert "reload" in exc.value.message("en")
    assert "opnieuw" in exc.value.message("nl")
    # The first save's goal is still there; the second change was not written.
    latest, version = eddy.load_latest(ws.id)
    assert (latest, version) == (with_goal, 2)
    # After reloading (based on 2) the second change goes in on top of the first.
    assert eddy.save_scorecard(ws.id, latest.model_copy(update={"name": "Webshop"}), 2) == 3
    assert [g.id for g in olga.load_scorecard(ws.id).goals] == ["grow", "keep"]
    # Saving what is already current is no conflict, whatever it was based on.
    assert eddy.save_scorecard(ws.id, olga.load_scorecard(ws.id), based_on=1) == 3


def test_trash_keeps_for_30_days_then_purge_removes(store: Store, clock: FakeClock) -> None:
    olga = store.for_user(OWNER)
    old = olga.create_workspace("Old", card(owner="Anna"))
    recent = olga.create_workspace("Recent", card(owner="Anna"))
    olga.delete_workspace(old.id)
    clock.now += timedelta(days=20)
    olga.delete_workspace(recent.id)
    with pytest.raises(AccessDenied):
        olga.load_scorecard(old.id)  # in the trash: not there for normal use
    clock.now += timedelta(days=10, seconds=1)  # old: 30 days + 1 s; recent: 10 days
    with pytest.raises(StoreError) as late:
        olga.restore_workspace(old.id)
    assert late.value.key == "error.store.trash_expired"
    assert olga.purge_expired() == 1
    assert [w.name for w in olga.list_trash()] == ["Recent"]
    restored = olga.restore_workspace(recent.id)
    assert restored.deleted_at is None
    assert olga.load_scorecard(recent.id).name == "Shop"


def test_the_store_quota_refuses_a_file_that_would_exceed_it(store_location: Path | str) -> None:
    store = Store(
        store_location, max_store_mb=0.01
    )  # 0.01 MB = 10,485 bytes for all files together
    local = store.for_user(LOCAL_USER)
    a = local.create_workspace("A", card(owner="Anna"))
    b = local.create_workspace("B", card(owner="Anna"))
    local.save_file(a.id, "a.csv", b"x" * 6000)
    local.save_file(b.id, "b.csv", b"x" * 4000)  # 10,000 bytes together: fits
    with pytest.raises(StoreError) as exc:
        local.save_file(b.id, "c.csv", b"x" * 600)  # 10,600 > 10,485
    assert exc.value.key == "error.store.store_full"
    assert "KOERS_MAX_STORE_MB" in exc.value.message("en")
    assert "0.01 MB" in exc.value.message("en")
    assert "0,01 MB" not in exc.value.message("en")
    assert [f.name for f in local.list_files(b.id)] == ["b.csv"]
    local.save_file(b.id, "b.csv", b"x" * 4400)  # replacing b.csv counts its new size only


def test_the_store_quota_comes_from_the_environment(
    store_location: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = store_location
    monkeypatch.setenv("KOERS_MAX_STORE_MB", "3")
    monkeypatch.setenv("KOERS_UPLOADS_PER_10MIN", "7")
    store = Store(db)
    assert store.max_store_bytes == 3 * 1024 * 1024
    assert store.uploads_per_10min == 7
    monkeypatch.setenv("KOERS_UPLOADS_PER_10MIN", "0.5")  # at least one upload, never none
    assert Store(db).uploads_per_10min == 1
    monkeypatch.setenv("KOERS_UPLOADS_PER_10MIN", "many")  # unreadable: the default, 30
    assert Store(db).uploads_per_10min == 30


def test_uploads_per_user_are_limited_in_team_mode(
    store_location: Path | str, clock: FakeClock
) -> None:
    store = Store(store_location, uploads_per_10min=3, clock=clock)
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    olga.share(ws.id, EDITOR, "editor")
    for n in range(3):
        olga.save_file(ws.id, f"f{n}.csv", f"a\n{n}\n".encode())
        clock.now += timedelta(minutes=1)
    olga.save_file(ws.id, "f0.csv", b"a\n0\n")  # the same bytes again: not an upload
    with pytest.raises(StoreError) as exc:
        olga.save_file(ws.id, "f3.csv", b"a\n3\n")
    assert exc.value.key == "error.store.upload_rate"
    assert "3" in exc.value.message("en") and "10" in exc.value.message("nl")
    store.for_user(EDITOR).save_file(ws.id, "e.csv", b"e\n1\n")  # another user's own limit
    # Ten minutes after the first upload (made at 9:00) only two remain in the window.
    clock.now = datetime(2026, 3, 31, 9, 10, 0, 1, tzinfo=UTC)
    olga.save_file(ws.id, "f3.csv", b"a\n3\n")
    # The local user (no sign-in) has no rate limit.
    local = store.for_user(LOCAL_USER)
    for n in range(5):
        local.save_file(ws.id, f"l{n}.csv", f"l\n{n}\n".encode())


def test_upload_claims_limit_attempts_before_reading(
    store_location: Path | str, clock: FakeClock
) -> None:
    store = Store(store_location, uploads_per_10min=2, clock=clock)
    olga, eddy = store.for_user(OWNER), store.for_user(EDITOR)
    olga.claim_upload()  # 09:00
    clock.now += timedelta(minutes=5)
    olga.claim_upload()  # 09:05; both count though nothing was kept (the read failed, say)
    with pytest.raises(StoreError) as exc:
        olga.claim_upload()
    assert exc.value.key == "error.store.upload_rate"
    eddy.claim_upload()  # each user has their own limit
    clock.now += timedelta(minutes=5, seconds=1)  # 09:10:01: the 09:00 claim has expired
    olga.claim_upload()
    with pytest.raises(StoreError):
        olga.claim_upload()  # 09:05 and 09:10:01 are in the window
    for _ in range(5):
        store.for_user(LOCAL_USER).claim_upload()  # no limit without sign-in


def test_an_old_database_upgrades_and_its_workspaces_are_owned_by_local_and_the_admin(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A version-2 database made by an earlier Koers, with one workspace.
    conn = sqlite3.connect(db, isolation_level=None)
    from kpilogic.workspace.store import statements

    for script in MIGRATIONS[:2]:
        for statement in statements(script):
            conn.execute(statement)
    conn.execute("INSERT INTO meta (schema_version) VALUES (2)")
    conn.execute(
        "INSERT INTO workspaces (id, name, created_at, updated_at, lang, scorecard_json)"
        " VALUES ('old', 'Old', '2026-01-01T00:00:00.000000+00:00',"
        " '2026-01-01T00:00:00.000000+00:00', 'nl', ?)",
        (card(owner="Anna").to_json(),),
    )
    conn.execute(
        "INSERT INTO scorecard_versions (workspace_id, version, saved_at, scorecard_json)"
        " VALUES ('old', 1, '2026-01-01T00:00:00.000000+00:00', ?)",
        (card(owner="Anna").to_json(),),
    )
    conn.close()
    monkeypatch.setenv("KOERS_ADMIN", " Admin@Example.com ")
    store = Store(db)
    assert store.for_user(LOCAL_USER).members("old") == [
        Member("admin@example.com", "owner"),
        Member(LOCAL_USER, "owner"),
    ]
    admin = store.for_user("admin@example.com")
    assert [(w.id, w.role) for w in admin.list_workspaces()] == [("old", "owner")]
    assert admin.load_latest("old") == (card(owner="Anna"), 1)
    assert [(e.user, e.action) for e in admin.audit_log("old")] == [("KOERS_ADMIN", "member.share")]
    # Opening again adds nothing; a workspace someone else owns is not adopted.
    olga = store.for_user(OWNER)
    theirs = olga.create_workspace("Olga's", card(owner="Anna"))
    again = Store(db)
    assert len(again.for_user("admin@example.com").audit_log("old")) == 1
    with pytest.raises(AccessDenied):
        again.for_user("admin@example.com").get_workspace(theirs.id)
    version = sqlite3.connect(db).execute("SELECT schema_version FROM meta").fetchone()[0]
    assert version == SCHEMA_VERSION == 3


# -- backups -------------------------------------------------------------------------------
def test_backup_and_restore_round_trip(tmp_path: Path, store: Store) -> None:
    olga = store.for_user(OWNER)
    ws = olga.create_workspace("Shop", card(owner="Anna"))
    olga.save_file(ws.id, "sales.csv", b"Date,Revenue\n")
    olga.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03"))
    olga.share(ws.id, VIEWER, "viewer")
    copy = store.backup(tmp_path / "out" / "backup.sqlite3")
    assert copy.is_file()
    other = Store(tmp_path / "other.sqlite3")
    assert other.restore_from(copy) == 1
    back = other.for_user(OWNER)
    assert back.load_latest(ws.id) == (card(owner="Anna"), 1)
    assert back.load_file(ws.id, "sales.csv") == b"Date,Revenue\n"
    assert [c.checkin.kpi_id for c in back.list_checkins(ws.id)] == ["rev"]
    assert back.members(ws.id) == [Member(OWNER, "owner"), Member(VIEWER, "viewer")]
    assert [e.action for e in back.audit_log(ws.id)][:2] == ["member.share", "checkin.add"]
    # A store that holds workspaces is not overwritten without force.
    back.create_workspace("New since", card(owner="Anna"))
    with pytest.raises(StoreError) as exc:
        other.restore_from(copy)
    assert exc.value.key == "error.store.restore_not_empty"
    assert exc.value.params["count"] == 2
    assert other.restore_from(copy, force=True) == 1
    assert [w.name for w in other.for_user(OWNER).list_workspaces()] == ["Shop"]


def test_restore_checks_the_backup_first(tmp_path: Path, store: Store) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(os.urandom(8192))
    with pytest.raises(StoreError) as exc:
        store.restore_from(garbage)
    assert exc.value.key == "error.store.backup_damaged"
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    with pytest.raises(StoreError) as exc:
        store.restore_from(foreign)
    assert exc.value.key == "error.store.backup_not_koers"
    with pytest.raises(StoreError) as exc:
        store.restore_from(tmp_path / "nope.sqlite3")
    assert exc.value.key == "error.store.backup_missing"


def test_daily_backups_are_taken_once_a_day_and_kept_14_days(db: Path, clock: FakeClock) -> None:
    store = Store(db, clock=clock)
    assert store.daily_backup() is None  # nothing to back up yet
    store.create_workspace("Shop", card(owner="Anna"))
    first = store.daily_backup()
    assert first is not None and first.parent == db.parent / "backups"
    assert first.name == "koers-20260331T090000Z.sqlite3"
    clock.now += timedelta(hours=23)
    assert store.daily_backup() is None  # the newest is not a day old
    taken = [first]
    for _ in range(15):
        clock.now += timedelta(days=1)
        made = store.daily_backup()
        assert made is not None
        taken.append(made)
    kept = sorted(p.name for p in (db.parent / "backups").iterdir())
    # Now is 31-03 09:00 + 23 h + 15 days = 16-04 08:00; kept: backups no older than
    # 14 days, i.e. from 02-04 08:00 on: the 15 backups taken on 02-04 ... 16-04.
    assert len(kept) == 15
    assert kept[0] == "koers-20260402T080000Z.sqlite3"
    assert kept[-1] == "koers-20260416T080000Z.sqlite3"
    assert not first.exists()
    # A backup restores.
    other = Store(db.parent / "restored.sqlite3")
    assert other.restore_from(taken[-1]) == 1


def test_open_or_recover_takes_the_daily_backup_and_purges_the_trash(
    db: Path, clock: FakeClock
) -> None:
    store = Store(db, clock=clock)
    ws = store.create_workspace("Shop", card(owner="Anna"))
    gone = store.create_workspace("Gone", card(owner="Anna"))
    store.delete_workspace(gone.id)
    clock.now += timedelta(days=31)
    opened, moved = Store.open_or_recover(db, clock=clock)
    assert moved is None and opened.maintenance_error is None
    assert [w.id for w in opened.list_workspaces()] == [ws.id]
    assert opened.list_trash() == []
    assert [p.name for p in (db.parent / "backups").iterdir()] == [
        "koers-20260501T090000Z.sqlite3"  # 31-03 09:00 + 31 days
    ]


# -- salvage -------------------------------------------------------------------------------
PAGE = 4096


def _damage_page_holding(db: Path, marker: bytes) -> int:
    """Overwrite the 4 KB page that holds ``marker`` with garbage; returns its number."""
    whole = bytearray(db.read_bytes())
    at = whole.find(marker)
    assert at > 0, "marker not in the file"
    page = at // PAGE
    whole[page * PAGE : (page + 1) * PAGE] = os.urandom(PAGE)
    db.write_bytes(bytes(whole))
    return page + 1  # SQLite numbers pages from 1


def _three_workspaces(db: Path) -> tuple[Store, list[str]]:
    store = Store(db)
    olga = store.for_user(OWNER)
    ids = []
    for n, name in enumerate(("North", "South", "West")):
        ws = olga.create_workspace(name, card(name, owner="Anna"))
        olga.save_scorecard(ws.id, card(name, target=2000, owner="Anna"), based_on=1)
        olga.share(ws.id, VIEWER, "viewer")
        olga.add_checkin(ws.id, CheckIn(kpi_id="rev", period="2026-03", note=f"note {name}"))
        # 3 pages of bytes each, with a marker to find one of them in the file.
        data = bytes([n]) * 5000 + f"MARKER-{name}".encode() + bytes([n]) * 5000
        olga.save_file(ws.id, "sales.csv", data)
        ids.append(ws.id)
    assert not Path(f"{db}-wal").exists()  # every connection closed: all in the main file
    return store, ids


def test_a_damaged_page_of_file_data_loses_only_that_file(db: Path) -> None:
    _, ids = _three_workspaces(db)
    _damage_page_holding(db, b"MARKER-South")
    with pytest.raises(StoreError) as exc:
        Store(db)
    assert exc.value.key == "error.store.damaged"
    store, moved = Store.open_or_recover(db)
    assert moved is not None and moved.exists()
    olga = store.for_user(OWNER)
    assert sorted(w.name for w in olga.list_workspaces()) == ["North", "South", "West"]
    for ws_id, name in zip(ids, ("North", "South", "West"), strict=True):
        assert olga.load_latest(ws_id) == (card(name, target=2000, owner="Anna"), 2)
        assert [v.version for v in olga.list_versions(ws_id)] == [2, 1]
        assert olga.members(ws_id) == [Member(OWNER, "owner"), Member(VIEWER, "viewer")]
        assert [c.checkin.note for c in olga.list_checkins(ws_id)] == [f"note {name}"]
        assert olga.audit_log(ws_id)[-1].action == "workspace.create"
    assert [f.name for f in olga.list_files(ids[0])] == ["sales.csv"]
    assert olga.list_files(ids[1]) == []  # its bytes were on the damaged page
    assert olga.load_file(ids[2], "sales.csv")[:3] == bytes([2, 2, 2])
    recovery = store.recovery
    assert recovery is not None
    # 3 workspaces, 2 versions each = 6, 3 files of which 1 lost = 2, 3 check-ins.
    assert (recovery.workspaces, recovery.versions, recovery.files, recovery.checkins) == (
        3,
        6,
        2,
        3,
    )
    assert recovery.lost_files == ("South / sales.csv",)
    message = recovery_message(recovery, "en")
    assert "3 workspaces with 6 versions, 2 files and 3 check-ins" in message
    assert "South / sales.csv" in message and str(moved) in message
    assert "3 werkruimten met 6 versies, 2 bestanden en 3 check-ins" in recovery_message(
        recovery, "nl"
    )
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_damaged_page_of_the_workspaces_table_is_rebuilt_from_the_versions(db: Path) -> None:
    _, ids = _three_workspaces(db)
    conn = sqlite3.connect(db)
    leaves = conn.execute(
        "SELECT pageno, ncell FROM dbstat WHERE name = 'workspaces' AND pagetype = 'leaf'"
        " ORDER BY pageno"
    ).fetchall()
    conn.close()
    # Each row holds its scorecard (about 1.9 KB): two rows fill one 4 KB leaf, one the next.
    assert [cells for _, cells in leaves] == [2, 1]
    whole = bytearray(db.read_bytes())
    start = (leaves[0][0] - 1) * PAGE
    whole[start : start + PAGE] = os.urandom(PAGE)  # the two rows of the first leaf are lost
    db.write_bytes(bytes(whole))
    store, moved = Store.open_or_recover(db)
    assert moved is not None
    recovery = store.recovery
    assert recovery is not None
    # The row on the second leaf is read by scanning from the end; the other two are rebuilt.
    assert (recovery.workspaces, recovery.rebuilt) == (3, 2)
    assert "workspaces" in recovery.incomplete
    olga = store.for_user(OWNER)
    # The names come from the scorecards, the content from the latest versions.
    assert sorted(w.name for w in olga.list_workspaces()) == ["North", "South", "West"]
    for ws_id, name in zip(ids, ("North", "South", "West"), strict=True):
        assert olga.load_latest(ws_id) == (card(name, target=2000, owner="Anna"), 2)
        assert olga.load_file(ws_id, "sales.csv")[:1] == bytes([ids.index(ws_id)])
    assert "could not be read (workspaces)" in recovery_message(recovery, "en")
    assert "onleesbaar (werkruimten)" in recovery_message(recovery, "nl")


# -- the command line ----------------------------------------------------------------------
def koers(*args: str) -> subprocess.CompletedProcess[str]:
    return _run_koers(*args)


def test_koers_backup_and_restore_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "koers.sqlite3"
    store = Store(db)
    ws = store.create_workspace("Shop", card(owner="Anna"))
    store.save_file(ws.id, "sales.csv", b"Date,Revenue\n")
    backup = tmp_path / "backups" / "monday.sqlite3"
    done = koers("backup", str(backup), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "(1 workspace)." in done.stdout and str(backup) in done.stdout

    target = tmp_path / "other.sqlite3"
    restored = koers("restore", str(backup), "--db", str(target), "--lang", "nl")
    assert restored.returncode == 0, restored.stderr
    assert "teruggezet" in restored.stdout and "(1 werkruimte)." in restored.stdout
    assert Store(target).load_file(ws.id, "sales.csv") == b"Date,Revenue\n"

    # The filled store is not overwritten without --force: one clear line, no traceback.
    again = koers("restore", str(backup), "--db", str(target))
    assert again.returncode == 1
    assert again.stderr.startswith("koers: ") and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    assert koers("restore", str(backup), "--db", str(target), "--force").returncode == 0

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(os.urandom(8192))
    bad = koers("restore", str(garbage), "--db", str(tmp_path / "empty.sqlite3"))
    assert bad.returncode == 1 and "damaged" in bad.stderr and "Traceback" not in bad.stderr


def test_a_failed_daily_backup_is_reported_not_raised(db: Path, clock: FakeClock) -> None:
    Store(db, clock=clock).create_workspace("Shop", card(owner="Anna"))
    (db.parent / "backups").write_text("a file where the backup folder should be")
    store, moved = Store.open_or_recover(db, clock=clock)
    assert moved is None
    assert [w.name for w in store.list_workspaces()] == ["Shop"]  # the app still starts
    assert store.maintenance_error is not None
    assert store.maintenance_error.key == "error.store.backup_failed"
    assert "backups" in store.maintenance_error.message("nl")


def test_every_readable_page_after_two_damaged_ones_is_read(db: Path) -> None:
    store = Store(db)
    ws = store.create_workspace("Shop", card(owner="Anna"))
    for n in range(2, 61):  # versions 2..60, each about 1.9 KB: two to a 4 KB leaf
        store.save_scorecard(ws.id, card(target=n, owner="Anna"), based_on=n - 1)
    conn = sqlite3.connect(db)
    leaves = conn.execute(
        "SELECT pageno, ncell FROM dbstat WHERE name = 'scorecard_versions'"
        " AND pagetype = 'leaf' ORDER BY pageno"
    ).fetchall()
    conn.close()
    assert len(leaves) >= 20
    # Damage two leaves in the middle, apart from each other.
    hit = [leaves[len(leaves) // 3], leaves[2 * len(leaves) // 3]]
    whole = bytearray(db.read_bytes())
    for page, _ in hit:
        whole[(page - 1) * PAGE : page * PAGE] = os.urandom(PAGE)
    db.write_bytes(bytes(whole))
    salvaged, _ = Store.open_or_recover(db)
    recovery = salvaged.recovery
    assert recovery is not None
    # 60 versions less those on the two damaged leaves (their cell counts, from dbstat).
    assert recovery.versions == 60 - hit[0][1] - hit[1][1]
    kept = [v.version for v in salvaged.list_versions(ws.id)]
    assert kept[0] == 60 and kept[-1] == 1  # both ends, and what lies between the damage
    assert salvaged.load_latest(ws.id) == (card(target=60, owner="Anna"), 60)
    assert "scorecard_versions" in recovery.incomplete
