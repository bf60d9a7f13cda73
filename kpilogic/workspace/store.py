"""Persistence: workspaces with their scorecard, its earlier versions, files, settings, check-ins.

Everything a user defines is kept in one embedded SQLite file (``default_db_path()``), so a
browser reload or a server restart loses nothing. The schema is versioned: ``MIGRATIONS`` are
applied in order inside one transaction, and opening an older database upgrades it.
Several Streamlit sessions (threads) and processes may write at once: the database runs in
WAL mode, every operation opens its own short-lived connection, and every write takes the
write lock up front (``BEGIN IMMEDIATE``) so concurrent writers queue instead of failing.
A damaged file is reported as ``StoreError("error.store.damaged")``; ``Store.open_or_recover``
salvages every readable workspace into a fresh file, sets the damaged file aside and says what
was recovered (``Store.recovery``), so the app still starts with as much as could be read.

Access (issue 13): every workspace has members with a role (``workspace.access``). Every method
takes the acting user (``actor``, default ``LOCAL_USER``, who may do everything) and checks the
role inside the same transaction as the work; ``Store.for_user(email)`` gives a ``UserStore``
that passes the user on every call. Every change is written to the workspace's audit log in the
transaction that makes it. Deleting moves a workspace to the trash (restorable for
``TRASH_DAYS`` days). When ``$KOERS_ADMIN`` names an e-mail address, that user becomes an owner
of every workspace that has no owner other than ``LOCAL_USER`` (a team that started locally
keeps its workspaces when it turns on sign-in).

PostgreSQL (issue 17): ``Store("postgresql://…")`` (or ``$KOERS_DB`` set to such a URL) keeps
the same tables in a PostgreSQL database, so several app servers can share them. The SQL below
is SQLite's; ``_PgConnection`` (end of this module) rewrites what differs, ``PG_MIGRATIONS``
holds the same schema versions, and writers queue behind one advisory lock as they queue for
SQLite's write lock. Backups there are the database's (``pg_dump``); ``copy_store`` copies a
whole store between the two (``koers store migrate``). ``Store`` implements the repository
protocol of ``kpilogic.workspace.repository``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from kpilogic.errors import EntryError, KoersError, StoreError
from kpilogic.i18n import Lang, normalise_lang
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.access import (
    LOCAL_USER,
    ROLES,
    AccessDenied,
    AuditEntry,
    ConflictError,
    Member,
    Role,
    as_role,
    looks_like_email,
    normalise_email,
    role_at_least,
)

if TYPE_CHECKING:
    import psycopg

    from kpilogic.workspace.repository import Repository, WorkspaceRepository

MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 50.0
DEFAULT_MAX_WORKSPACE_MB = 200.0
DEFAULT_MAX_VERSIONS = 500
DEFAULT_MAX_STORE_MB = 2048.0
DEFAULT_UPLOADS_PER_10MIN = 30
UPLOAD_WINDOW = timedelta(minutes=10)
TRASH_DAYS = 30
BACKUP_KEEP_DAYS = 14
BACKUP_EVERY = timedelta(days=1)
BUSY_TIMEOUT_S = 10.0
NAME_MAX = 200
FILE_NAME_MAX = 255
NOTE_MAX = 2000

# Each script is one schema version; never edit a released one, append a new one.
# One statement per line-end ';' (see ``statements``).
MIGRATIONS: tuple[str, ...] = (
    # 1: workspaces, each with its current scorecard and the versions saved before.
    """
    CREATE TABLE meta (schema_version INTEGER NOT NULL);
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        lang TEXT NOT NULL DEFAULT 'en',
        scorecard_json TEXT NOT NULL
    );
    CREATE INDEX workspaces_by_update ON workspaces (updated_at);
    CREATE TABLE scorecard_versions (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        saved_at TEXT NOT NULL,
        scorecard_json TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (workspace_id, version)
    );
    """,
    # 2: the app's settings per workspace, the uploaded files kept with it, check-ins.
    """
    ALTER TABLE workspaces ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE files (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        uploaded_at TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (workspace_id, name)
    );
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        kpi_id TEXT NOT NULL,
        period TEXT NOT NULL,
        note TEXT NOT NULL,
        action TEXT NOT NULL,
        who TEXT NOT NULL,
        next_review TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX checkins_by_kpi ON checkins (workspace_id, kpi_id, created_at);
    """,
    # 3: members with a role, the audit log, the trash. Existing workspaces are owned by the
    # local user (and by $KOERS_ADMIN, see ``Store._adopt``).
    """
    ALTER TABLE workspaces ADD COLUMN deleted_at TEXT;
    CREATE TABLE members (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'contributor', 'editor', 'owner')),
        PRIMARY KEY (workspace_id, email)
    );
    CREATE INDEX members_by_email ON members (email);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        detail_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_by_workspace ON audit (workspace_id, id);
    CREATE INDEX audit_by_who ON audit (who, action, at);
    CREATE TABLE upload_claims (who TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX upload_claims_by_who ON upload_claims (who, at);
    INSERT INTO members (workspace_id, email, role) SELECT id, 'local', 'owner' FROM workspaces;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# The same schema on PostgreSQL, one script per version number above (so a database keeps
# its version when it moves between the two). Differences: identity columns for SQLite's
# AUTOINCREMENT, BYTEA for BLOB, BIGINT where SQLite's INTEGER holds 64 bits, text compared
# byte by byte (COLLATE "C", as SQLite does: timestamps are fixed-width text), and an explicit
# ``rowid`` on workspaces (SQLite's implicit one orders workspaces changed at the same time).
PG_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (schema_version INTEGER NOT NULL);
    CREATE TABLE workspaces (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL,
        lang TEXT COLLATE "C" NOT NULL DEFAULT 'en',
        scorecard_json TEXT NOT NULL
    );
    CREATE INDEX workspaces_by_update ON workspaces (updated_at);
    CREATE TABLE scorecard_versions (
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        saved_at TEXT COLLATE "C" NOT NULL,
        scorecard_json TEXT NOT NULL,
        note TEXT COLLATE "C" NOT NULL DEFAULT '',
        PRIMARY KEY (workspace_id, version)
    );
    """,
    """
    ALTER TABLE workspaces ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE files (
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name TEXT COLLATE "C" NOT NULL,
        sha256 TEXT COLLATE "C" NOT NULL,
        size BIGINT NOT NULL,
        uploaded_at TEXT COLLATE "C" NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (workspace_id, name)
    );
    CREATE TABLE checkins (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        kpi_id TEXT COLLATE "C" NOT NULL,
        period TEXT COLLATE "C" NOT NULL,
        note TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        who TEXT COLLATE "C" NOT NULL,
        next_review TEXT COLLATE "C",
        created_at TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX checkins_by_kpi ON checkins (workspace_id, kpi_id, created_at);
    """,
    """
    ALTER TABLE workspaces ADD COLUMN deleted_at TEXT COLLATE "C";
    CREATE TABLE members (
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        email TEXT COLLATE "C" NOT NULL,
        role TEXT COLLATE "C" NOT NULL
            CHECK (role IN ('viewer', 'contributor', 'editor', 'owner')),
        PRIMARY KEY (workspace_id, email)
    );
    CREATE INDEX members_by_email ON members (email);
    CREATE TABLE audit (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        at TEXT COLLATE "C" NOT NULL,
        who TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        detail_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_by_workspace ON audit (workspace_id, id);
    CREATE INDEX audit_by_who ON audit (who, action, at);
    CREATE TABLE upload_claims (who TEXT COLLATE "C" NOT NULL, at TEXT COLLATE "C" NOT NULL);
    CREATE INDEX upload_claims_by_who ON upload_claims (who, at);
    INSERT INTO members (workspace_id, email, role) SELECT id, 'local', 'owner' FROM workspaces;
    """,
)
assert len(PG_MIGRATIONS) == SCHEMA_VERSION

# Every write transaction on PostgreSQL first takes this transaction-level advisory lock, so
# writers queue one after the other exactly as SQLite's ``BEGIN IMMEDIATE`` makes them (the
# version check against lost updates reads, then writes: it must not interleave).
PG_WRITE_LOCK = 0x4B6F657273  # "Koers"

# Files sit beside the database and belong to it; they move aside with a damaged one.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def is_postgres_url(text: str) -> bool:
    """True for a PostgreSQL connection URL (``postgresql://…`` or ``postgres://…``)."""
    return text.strip().lower().startswith(("postgresql://", "postgres://"))


def default_db_location() -> Path | str:
    """``$KOERS_DB`` when it is a PostgreSQL URL, else ``default_db_path()``."""
    explicit = os.environ.get("KOERS_DB", "").strip()
    return explicit if is_postgres_url(explicit) else default_db_path()


def redact_url(url: str) -> str:
    """A connection URL without its password (for messages and logs): the one after the
    user name and a ``password=`` parameter both become ``***``."""
    url = re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def _location(path: Path | str | None) -> Path | str:
    """A PostgreSQL URL as it is, anything else as an absolute file path."""
    value = path or default_db_location()
    if isinstance(value, str) and is_postgres_url(value):
        return value.strip()
    return Path(value).expanduser().absolute()


MAX_AUDITED_ENTRIES = 500  # values of one save kept one by one in the audit log


def default_db_path() -> Path:
    """``$KOERS_DB`` if set, else ``$KOERS_HOME/koers.sqlite3`` (``KOERS_HOME``: ``~/.koers``)."""
    explicit = os.environ.get("KOERS_DB", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("KOERS_HOME", "").strip()
    return (Path(home).expanduser() if home else Path.home() / ".koers") / "koers.sqlite3"


@dataclass(frozen=True)
class Workspace:
    """One scorecard with everything kept for it."""

    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    lang: Lang
    role: Role = "owner"  # the role of the user who asked (``LOCAL_USER``: owner)
    deleted_at: datetime | None = None  # when it was moved to the trash


@dataclass(frozen=True)
class Recovery:
    """What ``Store.open_or_recover`` salvaged from a damaged database."""

    moved: Path | None = None  # where the damaged file was set aside
    workspaces: int = 0
    rebuilt: int = 0  # workspaces whose own row was lost, rebuilt from their latest version
    versions: int = 0
    files: int = 0
    checkins: int = 0
    lost_files: tuple[str, ...] = ()  # "workspace name / file name" of unreadable files
    incomplete: tuple[str, ...] = ()  # tables that could not be read to the end
    readable: bool = True  # False: nothing of the damaged file could be read at all

    @property
    def complete(self) -> bool:
        """True if everything was read back."""
        return self.readable and not self.lost_files and not self.incomplete


@dataclass(frozen=True)
class ScorecardVersion:
    """A saved version of a workspace's scorecard (load it with ``Store.load_version``)."""

    workspace_id: str
    version: int
    saved_at: datetime
    note: str


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file kept with a workspace (its bytes: ``Store.load_file``)."""

    name: str
    sha256: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class StoredCheckIn:
    """A check-in as kept: ``id`` is what ``Store.delete_checkin`` takes."""

    id: int
    workspace_id: str
    checkin: CheckIn


class Store:
    """The workspace database at ``path`` (default: ``default_db_path()``).

    Opening creates the file (and its folder) on first use, upgrades an older schema and
    checks the file is sound. An instance holds no connection, so one ``Store`` may be shared
    by all threads; each method opens and closes its own.

    Size limits for kept files default to 50 MB per file, 200 MB per workspace and 2048 MB
    for the whole store, overridden by ``$KOERS_MAX_FILE_MB`` / ``$KOERS_MAX_WORKSPACE_MB`` /
    ``$KOERS_MAX_STORE_MB`` and then by the arguments. A signed-in user may save at most
    ``$KOERS_UPLOADS_PER_10MIN`` (default 30) files per 10 minutes. Only the
    ``max_versions`` newest versions of each scorecard are kept. ``clock`` gives the time
    (tests pass a fake one).

    Every method takes ``actor``, the user it acts for (default ``LOCAL_USER``, who may do
    everything); ``for_user`` gives a view that passes it on every call. A user without the
    role a method needs gets ``AccessDenied`` (the same for a workspace that does not exist);
    the local user gets ``error.store.workspace_missing`` for one that does not exist.

    Raises:
        StoreError: ``error.store.damaged`` (not a database, or a damaged one),
            ``error.store.too_new`` (made by a newer Koers), ``error.store.not_koers``
            (another program's database), ``error.store.unavailable`` (cannot create or open
            the file), ``error.store.busy`` (locked longer than ``timeout`` seconds).
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        max_file_mb: float | None = None,
        max_workspace_mb: float | None = None,
        max_store_mb: float | None = None,
        uploads_per_10min: int | None = None,
        max_versions: int = DEFAULT_MAX_VERSIONS,
        timeout: float = BUSY_TIMEOUT_S,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        location = _location(path)
        # PostgreSQL (``postgresql://…``): ``url`` is set and ``path`` is only the folder for
        # local side files; SQLite: ``url`` is None and ``path`` is the database file.
        self.url: str | None = location if isinstance(location, str) else None
        self.path = location if isinstance(location, Path) else _pg_home()
        file_mb = max_file_mb or _env_mb("KOERS_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)
        workspace_mb = max_workspace_mb or _env_mb(
            "KOERS_MAX_WORKSPACE_MB", DEFAULT_MAX_WORKSPACE_MB
        )
        store_mb = max_store_mb or _env_mb("KOERS_MAX_STORE_MB", DEFAULT_MAX_STORE_MB)
        self.max_file_bytes = int(file_mb * MB)
        self.max_workspace_bytes = int(workspace_mb * MB)
        self.max_store_bytes = int(store_mb * MB)
        self.uploads_per_10min = max(
            1,
            uploads_per_10min or int(_env_mb("KOERS_UPLOADS_PER_10MIN", DEFAULT_UPLOADS_PER_10MIN)),
        )
        self.max_versions = max(1, max_versions)
        self.timeout = timeout
        self.clock: Callable[[], datetime] = clock or _now
        self.recovery: Recovery | None = None  # set by open_or_recover after a salvage
        self.maintenance_error: StoreError | None = None  # a failed daily backup, say
        self._open()

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    @property
    def location(self) -> str:
        """Where the data lives, for messages: the file, or the URL without password."""
        return redact_url(self.url) if self.url is not None else str(self.path)

    def for_user(self, email: str) -> UserStore:
        """This store as seen by ``email`` (lower-cased; ``LOCAL_USER`` in local mode).

        Raises:
            KoersError: ``error.access.email_invalid``.
        """
        return UserStore(self, normalise_email(email))

    @classmethod
    def open_or_recover(
        cls,
        path: Path | str | None = None,
        *,
        max_file_mb: float | None = None,
        max_workspace_mb: float | None = None,
        max_versions: int = DEFAULT_MAX_VERSIONS,
        timeout: float = BUSY_TIMEOUT_S,
        clock: Callable[[], datetime] | None = None,
        maintain: bool = True,
    ) -> tuple[Store, Path | None]:
        """Open the database; if it is damaged, salvage it and set the damaged file aside.

        Salvage copies every readable workspace (its versions, files, check-ins, members and
        audit log) into a fresh file, then moves the damaged one to
        ``<name>.damaged-<UTC time>`` and puts the fresh one in its place. Returns the store
        and, after a recovery, where the damaged file was moved; ``store.recovery`` says
        what was recovered (``recovery_message``). With ``maintain``, a daily backup is taken
        (``daily_backup``) and workspaces in the trash for more than ``TRASH_DAYS`` days are
        removed; a failure there is kept in ``store.maintenance_error``, never raised.

        Raises:
            StoreError: any error of ``Store()`` other than ``error.store.damaged``, or
                ``error.store.unavailable`` if the damaged file cannot be moved.
        """
        target = _location(path)
        options: dict[str, Any] = {
            "max_file_mb": max_file_mb,
            "max_workspace_mb": max_workspace_mb,
            "max_versions": max_versions,
            "timeout": timeout,
            "clock": clock,
        }
        moved: Path | None = None
        recovery: Recovery | None = None
        try:
            store = cls(target, **options)
        except StoreError as exc:
            if exc.key != "error.store.damaged" or not isinstance(target, Path):
                raise
            fresh = target.with_name(target.name + ".salvage")
            _remove_db(fresh)
            recovery = _salvage(target, cls(fresh, **options))
            moved = _move_aside(target)
            try:
                fresh.replace(target)
                for suffix in _SIDE_FILES:
                    side = fresh.with_name(fresh.name + suffix)
                    if side.exists():
                        side.replace(target.with_name(target.name + suffix))
            except OSError as error:
                detail = error.strerror or str(error)
                raise StoreError(
                    "error.store.unavailable", path=str(target), detail=detail
                ) from error
            store = cls(target, **options)
            store.recovery = replace(recovery, moved=moved)
        if maintain:
            try:
                store.purge_expired()
                store.daily_backup()
            except StoreError as exc:
                store.maintenance_error = exc
            except OSError as exc:
                store.maintenance_error = StoreError(
                    "error.store.unavailable", path=store.location, detail=exc.strerror or str(exc)
                )
        return store, moved

    # -- workspaces ------------------------------------------------------------------------
    def create_workspace(
        self, name: str, scorecard: Scorecard, lang: str = "en", *, actor: str = LOCAL_USER
    ) -> Workspace:
        """A new workspace holding ``scorecard`` as its version 1, owned by ``actor``.

        Raises:
            StoreError: ``error.store.name_invalid`` for an empty or overlong name.
        """
        name = _workspace_name(name)
        workspace_id = uuid.uuid4().hex
        now = self.clock()
        text = scorecard.to_json()
        language = normalise_lang(lang)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO workspaces (id, name, created_at, updated_at, lang, scorecard_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (workspace_id, name, _stamp(now), _stamp(now), language, text),
            )
            conn.execute(
                "INSERT INTO scorecard_versions (workspace_id, version, saved_at, scorecard_json)"
                " VALUES (?, 1, ?, ?)",
                (workspace_id, _stamp(now), text),
            )
            conn.execute(
                "INSERT INTO members (workspace_id, email, role) VALUES (?, ?, 'owner')",
                (workspace_id, actor),
            )
            self._audit(conn, workspace_id, actor, "workspace.create", name=name, version=1)
            self._grant_kpi_owners(conn, workspace_id, actor, scorecard)
        return Workspace(workspace_id, name, now, now, language)

    def list_workspaces(self, *, actor: str = LOCAL_USER) -> list[Workspace]:
        """The workspaces ``actor`` may see (not those in the trash), most recently changed
        first, each with ``actor``'s role."""
        return self._list(actor, trashed=False)

    def list_trash(self, *, actor: str = LOCAL_USER) -> list[Workspace]:
        """The workspaces in the trash that ``actor`` owns, most recently deleted first."""
        return [w for w in self._list(actor, trashed=True) if w.role == "owner"]

    def _list(self, actor: str, *, trashed: bool) -> list[Workspace]:
        where = "w.deleted_at IS NOT NULL" if trashed else "w.deleted_at IS NULL"
        order = "w.deleted_at DESC, w.rowid DESC" if trashed else "w.updated_at DESC, w.rowid DESC"
        columns = "w.id, w.name, w.created_at, w.updated_at, w.lang, w.deleted_at"
        with self._connect() as conn:
            if actor == LOCAL_USER:
                rows = conn.execute(
                    f"SELECT {columns}, 'owner' FROM workspaces w WHERE {where} ORDER BY {order}"
                ).fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {columns}, m.role FROM workspaces w JOIN members m"
                    f" ON m.workspace_id = w.id AND m.email = ? WHERE {where}"
                    f" ORDER BY {order}",
                    (actor,),
                ).fetchall()
        return [_workspace(row) for row in rows]

    def get_workspace(self, workspace_id: str, *, actor: str = LOCAL_USER) -> Workspace:
        """The workspace ``workspace_id``, with ``actor``'s role.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not a member.
        """
        with self._connect() as conn:
            role = self._require(conn, workspace_id, actor)
            row = conn.execute(
                "SELECT id, name, created_at, updated_at, lang, deleted_at, ? FROM workspaces"
                " WHERE id = ?",
                (role, workspace_id),
            ).fetchone()
        return _workspace(row)

    def role(self, workspace_id: str, *, actor: str = LOCAL_USER) -> Role:
        """``actor``'s role in the workspace.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not a member.
        """
        with self._connect() as conn:
            return self._require(conn, workspace_id, actor)

    def rename_workspace(
        self, workspace_id: str, name: str, *, actor: str = LOCAL_USER
    ) -> Workspace:
        """Give the workspace a new name (editor); returns it as renamed.

        Raises:
            StoreError: ``error.store.name_invalid``, ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an editor.
        """
        name = _workspace_name(name)
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            old = conn.execute("SELECT name FROM workspaces WHERE id = ?", (workspace_id,))
            before = old.fetchone()[0]
            if before != name:
                conn.execute("UPDATE workspaces SET name = ? WHERE id = ?", (name, workspace_id))
                self._touch(conn, workspace_id)
                self._audit(conn, workspace_id, actor, "workspace.rename", old=before, new=name)
        return self.get_workspace(workspace_id, actor=actor)

    def set_lang(self, workspace_id: str, lang: str, *, actor: str = LOCAL_USER) -> None:
        """Remember the user's language (``nl``/``en``; browser locales are normalised).

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an editor.
        """
        language = normalise_lang(lang)
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            changed = conn.execute(
                "UPDATE workspaces SET lang = ? WHERE id = ? AND lang <> ?",
                (language, workspace_id, language),
            )
            if changed.rowcount:
                self._audit(conn, workspace_id, actor, "settings.save", keys=["lang"])

    def duplicate_workspace(
        self, workspace_id: str, new_name: str, *, actor: str = LOCAL_USER
    ) -> Workspace:
        """A copy of the workspace, owned by ``actor`` (who needs to see the original): its
        current scorecard (as version 1 of the copy), settings (not the drafts people are
        writing: ``save_draft``), files and check-ins. The
        earlier versions, the members and the audit log stay with the original.

        Raises:
            StoreError: ``error.store.name_invalid``, ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the original.
        """
        name = _workspace_name(new_name)
        copy_id = uuid.uuid4().hex
        now = self.clock()
        with self._write() as conn:
            self._require(conn, workspace_id, actor)
            row = conn.execute(
                "SELECT lang, scorecard_json, settings_json, name FROM workspaces WHERE id = ?",
                (workspace_id,),
            ).fetchone()
            lang, text, settings, original = row
            settings = _without_drafts(settings)  # what people are writing stays with them
            conn.execute(
                "INSERT INTO workspaces (id, name, created_at, updated_at, lang, scorecard_json,"
                " settings_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (copy_id, name, _stamp(now), _stamp(now), lang, text, settings),
            )
            conn.execute(
                "INSERT INTO scorecard_versions (workspace_id, version, saved_at, scorecard_json)"
                " VALUES (?, 1, ?, ?)",
                (copy_id, _stamp(now), text),
            )
            conn.execute(
                "INSERT INTO files (workspace_id, name, sha256, size, uploaded_at, data)"
                " SELECT ?, name, sha256, size, uploaded_at, data FROM files"
                " WHERE workspace_id = ?",
                (copy_id, workspace_id),
            )
            conn.execute(
                "INSERT INTO checkins (workspace_id, kpi_id, period, note, action, who,"
                " next_review, created_at)"
                " SELECT ?, kpi_id, period, note, action, who, next_review, created_at"
                " FROM checkins WHERE workspace_id = ? ORDER BY id",
                (copy_id, workspace_id),
            )
            conn.execute(
                "INSERT INTO members (workspace_id, email, role) VALUES (?, ?, 'owner')",
                (copy_id, actor),
            )
            self._audit(
                conn, copy_id, actor, "workspace.duplicate", name=name, source=original, version=1
            )
        return Workspace(copy_id, name, now, now, normalise_lang(lang))

    def delete_workspace(self, workspace_id: str, *, actor: str = LOCAL_USER) -> None:
        """Move the workspace to the trash (owner); ``restore_workspace`` brings it back
        within ``TRASH_DAYS`` days, ``purge_expired`` removes it after that.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an owner.
        """
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "owner")
            conn.execute(
                "UPDATE workspaces SET deleted_at = ? WHERE id = ?",
                (_stamp(self.clock()), workspace_id),
            )
            self._audit(conn, workspace_id, actor, "workspace.delete")

    def restore_workspace(self, workspace_id: str, *, actor: str = LOCAL_USER) -> Workspace:
        """Take the workspace out of the trash (owner).

        Raises:
            StoreError: ``error.store.workspace_missing`` (not in the trash),
                ``error.store.trash_expired`` (deleted more than ``TRASH_DAYS`` days ago).
            AccessDenied: ``actor`` is not an owner.
        """
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "owner", trashed=True)
            deleted = conn.execute(
                "SELECT deleted_at FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()[0]
            if _parse(deleted) < self.clock() - timedelta(days=TRASH_DAYS):
                raise StoreError("error.store.trash_expired", days=TRASH_DAYS)
            conn.execute("UPDATE workspaces SET deleted_at = NULL WHERE id = ?", (workspace_id,))
            self._audit(conn, workspace_id, actor, "workspace.restore")
        return self.get_workspace(workspace_id, actor=actor)

    def delete_forever(self, workspace_id: str, *, actor: str = LOCAL_USER) -> None:
        """Remove a workspace from the trash for good (owner), with everything kept with it
        (its audit log too), so its space is free for other files.

        Raises:
            StoreError: ``error.store.workspace_missing`` (not in the trash).
            AccessDenied: ``actor`` is not an owner.
        """
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "owner", trashed=True)
            conn.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))

    def purge_expired(self, days: int = TRASH_DAYS) -> int:
        """Remove for good the workspaces in the trash for more than ``days`` days (with
        their versions, files, check-ins, members and audit log); returns how many. (The
        file does not shrink: SQLite reuses the freed space for later saves.)"""
        cutoff = _stamp(self.clock() - timedelta(days=days))
        with self._write() as conn:
            gone = conn.execute(
                "DELETE FROM workspaces WHERE deleted_at IS NOT NULL AND deleted_at < ?",
                (cutoff,),
            )
            return gone.rowcount

    # -- members and the audit log ---------------------------------------------------------
    def share(self, workspace_id: str, email: str, role: str, *, actor: str = LOCAL_USER) -> Member:
        """Give ``email`` the role ``role`` in the workspace (owner); an existing member's
        role is changed.

        Raises:
            KoersError: ``error.access.email_invalid``, ``error.access.role_invalid``.
            StoreError: ``error.access.last_owner`` (the last owner cannot step down).
            AccessDenied: ``actor`` is not an owner.
        """
        address = normalise_email(email)
        new_role = as_role(role)
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "owner")
            if new_role != "owner":
                self._keep_an_owner(conn, workspace_id, address)
            conn.execute(
                "INSERT INTO members (workspace_id, email, role) VALUES (?, ?, ?)"
                " ON CONFLICT (workspace_id, email) DO UPDATE SET role = excluded.role",
                (workspace_id, address, new_role),
            )
            self._audit(conn, workspace_id, actor, "member.share", email=address, role=new_role)
        return Member(address, new_role)

    def unshare(self, workspace_id: str, email: str, *, actor: str = LOCAL_USER) -> None:
        """Take ``email``'s access to the workspace away (owner).

        Raises:
            StoreError: ``error.access.last_owner``, ``error.access.not_member``.
            AccessDenied: ``actor`` is not an owner.
        """
        address = normalise_email(email)
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "owner")
            self._keep_an_owner(conn, workspace_id, address)
            gone = conn.execute(
                "DELETE FROM members WHERE workspace_id = ? AND email = ?",
                (workspace_id, address),
            )
            if gone.rowcount == 0:
                raise StoreError("error.access.not_member", email=address)
            self._audit(conn, workspace_id, actor, "member.unshare", email=address)

    def members(self, workspace_id: str, *, actor: str = LOCAL_USER) -> list[Member]:
        """Everyone with a role in the workspace, owners first, then by address.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            rows = conn.execute(
                "SELECT email, role FROM members WHERE workspace_id = ?", (workspace_id,)
            ).fetchall()
        found = [Member(email, cast(Role, role)) for email, role in rows]
        return sorted(found, key=lambda m: (-ROLES.index(m.role), m.email))

    def audit_log(self, workspace_id: str, *, actor: str = LOCAL_USER) -> list[AuditEntry]:
        """Every change to the workspace, newest first (owner; also while in the trash).

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an owner.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor, "owner", trashed=None)
            rows = conn.execute(
                "SELECT at, who, action, detail_json FROM audit WHERE workspace_id = ?"
                " ORDER BY id DESC",
                (workspace_id,),
            ).fetchall()
        return [AuditEntry(_parse(at), who, action, json.loads(d)) for at, who, action, d in rows]

    # -- the scorecard and its versions ----------------------------------------------------
    def load_scorecard(self, workspace_id: str, *, actor: str = LOCAL_USER) -> Scorecard:
        """The workspace's current scorecard, validated strictly.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
            ScorecardError: if the stored scorecard is not valid (e.g. from a newer Koers).
        """
        return self.load_latest(workspace_id, actor=actor)[0]

    def load_latest(self, workspace_id: str, *, actor: str = LOCAL_USER) -> tuple[Scorecard, int]:
        """The current scorecard and its version number (what a later save is ``based_on``).

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
            ScorecardError: if the stored scorecard is not valid.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            text = conn.execute(
                "SELECT scorecard_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()[0]
            version = self._latest_version(conn, workspace_id)
        return Scorecard.from_json(text), version

    def save_scorecard(
        self,
        workspace_id: str,
        scorecard: Scorecard,
        note: str = "",
        *,
        based_on: int | None = None,
        actor: str = LOCAL_USER,
    ) -> int | None:
        """Make ``scorecard`` the current one and keep it as a new version (editor).

        ``based_on`` is the version the change was made on: when another save came in
        between, the save is refused (``ConflictError``) unless it changes nothing. Returns
        the new version number, or None when the scorecard equals the latest version
        (nothing is written then). Versions beyond ``max_versions`` are dropped, oldest
        first. KPI owners named by e-mail address become contributors.

        Raises:
            StoreError: ``error.store.workspace_missing``, ``error.store.note_too_long``.
            ConflictError: ``based_on`` is not the latest version.
            AccessDenied: ``actor`` is not an editor.
        """
        version, written = self._save(
            workspace_id, scorecard, note, based_on, actor, "scorecard.save"
        )
        return version if written else None

    def _save(
        self,
        workspace_id: str,
        scorecard: Scorecard,
        note: str,
        based_on: int | None,
        actor: str,
        action: str,
        **detail: Any,
    ) -> tuple[int, bool]:
        text = scorecard.to_json()
        note = _note(note)
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            current = conn.execute(
                "SELECT scorecard_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()[0]
            latest = self._latest_version(conn, workspace_id)
            if current == text:
                return latest, False
            if based_on is not None and based_on != latest:
                raise ConflictError(based_on=based_on, latest=latest)
            version = latest + 1
            now = _stamp(self.clock())
            conn.execute(
                "UPDATE workspaces SET scorecard_json = ?, updated_at = ? WHERE id = ?",
                (text, now, workspace_id),
            )
            conn.execute(
                "INSERT INTO scorecard_versions"
                " (workspace_id, version, saved_at, scorecard_json, note) VALUES (?, ?, ?, ?, ?)",
                (workspace_id, version, now, text, note),
            )
            conn.execute(
                "DELETE FROM scorecard_versions WHERE workspace_id = ? AND version <= ?",
                (workspace_id, version - self.max_versions),
            )
            self._audit(conn, workspace_id, actor, action, version=version, note=note, **detail)
            self._grant_kpi_owners(conn, workspace_id, actor, scorecard)
        return version, True

    def list_versions(
        self, workspace_id: str, *, actor: str = LOCAL_USER
    ) -> list[ScorecardVersion]:
        """The kept versions of the workspace's scorecard, newest first.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            rows = conn.execute(
                "SELECT version, saved_at, note FROM scorecard_versions WHERE workspace_id = ?"
                " ORDER BY version DESC",
                (workspace_id,),
            ).fetchall()
        return [ScorecardVersion(workspace_id, v, _parse(at), note) for v, at, note in rows]

    def load_version(
        self, workspace_id: str, version: int, *, actor: str = LOCAL_USER
    ) -> Scorecard:
        """Version ``version`` of the workspace's scorecard, validated strictly.

        Raises:
            StoreError: ``error.store.workspace_missing``, ``error.store.version_missing``.
            AccessDenied: ``actor`` may not see the workspace.
            ScorecardError: if the stored scorecard is not valid.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            row = conn.execute(
                "SELECT scorecard_json FROM scorecard_versions"
                " WHERE workspace_id = ? AND version = ?",
                (workspace_id, version),
            ).fetchone()
        if row is None:
            raise StoreError("error.store.version_missing", version=version)
        return Scorecard.from_json(row[0])

    def restore_version(
        self, workspace_id: str, version: int, note: str = "", *, actor: str = LOCAL_USER
    ) -> Scorecard:
        """Make version ``version`` the current scorecard again, kept as a new version (the
        versions in between stay). Returns the restored scorecard. A translated default for
        ``note`` is the message ``store.note.restored``.

        Raises:
            StoreError: ``error.store.workspace_missing``, ``error.store.version_missing``.
            AccessDenied: ``actor`` is not an editor.
            ScorecardError: if the stored scorecard is not valid.
        """
        scorecard = self.load_version(workspace_id, version, actor=actor)
        self._save(workspace_id, scorecard, note, None, actor, "scorecard.restore", source=version)
        return scorecard

    # -- settings --------------------------------------------------------------------------
    def get_settings(self, workspace_id: str, *, actor: str = LOCAL_USER) -> dict[str, Any]:
        """The settings the app saved for the workspace (``{}`` until it saves any).

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            row = conn.execute(
                "SELECT settings_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()
        settings: dict[str, Any] = json.loads(row[0])
        # Each person's unsaved drafts are their own: nobody else reads them.
        return {k: v for k, v in settings.items() if _draft_owner(k) in (None, actor)}

    def save_settings(
        self, workspace_id: str, settings: Mapping[str, Any], *, actor: str = LOCAL_USER
    ) -> None:
        """Replace the workspace's settings (editor). Values must be JSON types (convert
        dates with ``isoformat()``). Settings are UI state: saving them does not count as a
        change of the workspace, but the audit log names the settings that changed.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an editor.
            TypeError: if a value cannot be written as JSON.
        """
        self._settings(workspace_id, dict(settings), actor, merge=False)

    def update_settings(
        self, workspace_id: str, changes: Mapping[str, Any], *, actor: str = LOCAL_USER
    ) -> dict[str, Any]:
        """Merge ``changes`` into the workspace's settings in one transaction (so two
        sessions changing different keys do not undo each other); returns the result.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an editor.
            TypeError: if a value cannot be written as JSON.
        """
        return self._settings(workspace_id, dict(changes), actor, merge=True)

    def _settings(
        self, workspace_id: str, settings: dict[str, Any], actor: str, *, merge: bool
    ) -> dict[str, Any]:
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            row = conn.execute(
                "SELECT settings_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()
            before: dict[str, Any] = json.loads(row[0])
            # Drafts are written by save_draft alone: settings never change or drop them.
            settings = {k: v for k, v in settings.items() if _draft_owner(k) is None}
            drafts = {k: v for k, v in before.items() if _draft_owner(k) is not None}
            after = {**before, **settings} if merge else {**drafts, **settings}
            text = json.dumps(after, ensure_ascii=False, sort_keys=True)
            changed = sorted(
                k
                for k in set(before) | set(after)
                if json.dumps(before.get(k)) != json.dumps(after.get(k))
            )
            if changed:
                conn.execute(
                    "UPDATE workspaces SET settings_json = ? WHERE id = ?", (text, workspace_id)
                )
                self._audit(conn, workspace_id, actor, "settings.save", keys=changed)
        return after

    # -- drafts: a form's unsaved text, per user -------------------------------------------------
    def save_draft(
        self,
        workspace_id: str,
        form: str,
        draft: Mapping[str, Any] | None,
        *,
        actor: str = LOCAL_USER,
    ) -> None:
        """Keep what ``actor`` is writing in ``form`` (e.g. ``"kpi"``) but has not saved, in
        the workspace's settings under ``draft_setting(form, actor)`` (editor); None forgets
        it. A draft is no change to the workspace and is written as the user types, so it is
        not in the audit log. Values must be JSON types.

        Raises:
            StoreError: ``error.store.workspace_missing``; ``error.store.draft_too_large``
                when its JSON is over ``MAX_DRAFT_BYTES``.
            AccessDenied: ``actor`` is not an editor.
            TypeError, ValueError: if a value cannot be written as JSON.
        """
        key = draft_setting(form, actor)
        kept = None if draft is None else draft_json(draft)
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            row = conn.execute(
                "SELECT settings_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()
            settings: dict[str, Any] = json.loads(row[0])
            if kept is None and key not in settings:
                return
            if kept is None:
                del settings[key]
            else:
                settings[key] = json.loads(kept)
            text = json.dumps(settings, ensure_ascii=False, sort_keys=True)
            conn.execute(
                "UPDATE workspaces SET settings_json = ? WHERE id = ?", (text, workspace_id)
            )

    def load_draft(
        self, workspace_id: str, form: str, *, actor: str = LOCAL_USER
    ) -> dict[str, Any] | None:
        """The draft ``save_draft`` kept for ``actor`` and ``form`` (None: none).

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        value = self.get_settings(workspace_id, actor=actor).get(draft_setting(form, actor))
        return value if isinstance(value, dict) else None

    # -- files -----------------------------------------------------------------------------
    def save_file(
        self,
        workspace_id: str,
        name: str,
        data: bytes,
        *,
        actor: str = LOCAL_USER,
        entries: Sequence[Mapping[str, Any]] = (),
    ) -> StoredFile:
        """Keep an uploaded file with the workspace (editor); a file of the same name is
        replaced. Saving the same bytes again under the same name writes nothing.
        ``entries``: the values typed into a dataset kept in Koers that this save changes
        (``workspace.manual``), each kept in the audit log as ``manual.entry`` with who and when.

        Raises:
            StoreError: ``error.store.file_too_large`` (over the per-file limit),
                ``error.store.workspace_full`` (the workspace's files would exceed their
                limit), ``error.store.store_full`` (all files together would exceed the
                store's limit), ``error.store.upload_rate`` (a signed-in user saved too many
                files in 10 minutes), ``error.store.file_name_invalid``,
                ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an editor (a contributor enters values with
                ``enter_values``).
        """
        name = _file_name(name)
        size = len(data)
        if size > self.max_file_bytes:
            raise StoreError(
                "error.store.file_too_large", name=name, limit_mb=_mb(self.max_file_bytes)
            )
        now = self.clock()
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            return self._keep_file(conn, workspace_id, name, data, actor, now, entries)

    def _keep_file(
        self,
        conn: _Conn,
        workspace_id: str,
        name: str,
        data: bytes,
        actor: str,
        now: datetime,
        entries: Sequence[Mapping[str, Any]],
    ) -> StoredFile:
        size = len(data)
        if size > self.max_file_bytes:
            raise StoreError(
                "error.store.file_too_large", name=name, limit_mb=_mb(self.max_file_bytes)
            )
        digest = hashlib.sha256(data).hexdigest()
        same = conn.execute(
            "SELECT uploaded_at FROM files WHERE workspace_id = ? AND name = ? AND sha256 = ?",
            (workspace_id, name, digest),
        ).fetchone()
        if same is not None:
            return StoredFile(name, digest, size, _parse(same[0]))
        self._check_quotas(conn, workspace_id, name, size, actor, now)
        conn.execute(
            "INSERT INTO files (workspace_id, name, sha256, size, uploaded_at, data)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, name) DO UPDATE SET"
            " sha256 = excluded.sha256, size = excluded.size,"
            " uploaded_at = excluded.uploaded_at, data = excluded.data",
            (workspace_id, name, digest, size, _stamp(now), data),
        )
        self._touch(conn, workspace_id)
        self._audit(conn, workspace_id, actor, "file.save", name=name, size=size)
        for entry in entries[:MAX_AUDITED_ENTRIES]:
            self._audit(conn, workspace_id, actor, "manual.entry", **{"dataset": name, **entry})
        return StoredFile(name, digest, size, now)

    def enter_values(
        self,
        workspace_id: str,
        name: str,
        values: Mapping[tuple[str, str, str], float | None],
        *,
        actor: str = LOCAL_USER,
        expected: Mapping[tuple[str, str, str], float | None] | None = None,
    ) -> tuple[bytes, int]:
        """Write ``values`` ((period label, segment, column) → number, None to clear) into
        the table kept in Koers whose file is ``name``: merged into its rows as they are now,
        in the same transaction, so two people entering at once never undo each other. An
        editor may enter any value; a contributor only the values a KPI they own reads
        (``workspace.entry.refused``). No period that has not begun unless the table takes
        plans; at most ``manual.MAX_ROWS`` rows. ``expected``: the value each cell had when
        the user saw it (None: empty); a cell someone else changed since is refused, naming
        it, and nothing is written. Each value is kept in the audit log. Returns the table's
        bytes and how many values changed.

        Raises:
            StoreError: ``error.store.entry_invalid`` (not a table kept in Koers, a period,
                column or number that cannot be kept), ``error.store.entry_changed`` (a
                cell changed by someone else meanwhile), ``error.store.entry_too_many``,
                ``error.store.workspace_missing``, the file limits of ``save_file``.
            AccessDenied: ``actor`` may not enter one of the values.
        """
        import math

        from kpilogic.scorecard.periods import Period
        from kpilogic.workspace import entry, manual  # pandas: only when someone enters values

        now = self.clock()
        with self._write() as conn:
            role = self._require(conn, workspace_id, actor, "contributor")
            card = Scorecard.from_json(
                conn.execute(
                    "SELECT scorecard_json FROM workspaces WHERE id = ?", (workspace_id,)
                ).fetchone()[0]
            )
            ds = next((d for d in entry.tables_of(card) if d.source == name), None)
            if ds is None:
                if role_at_least(role, "editor"):
                    raise StoreError("error.store.entry_invalid", name=name)
                raise AccessDenied()
            assert ds.manual is not None
            if len(values) > manual.MAX_ROWS * len(ds.manual.value_columns):
                raise StoreError("error.store.entry_too_many", name=name, count=manual.MAX_ROWS)
            clean: dict[tuple[str, str, str], float | None] = {}
            for (label, segment, column), number in values.items():
                is_number = isinstance(number, int | float) and not isinstance(number, bool)
                good = column in ds.manual.value_columns and (
                    number is None or (is_number and math.isfinite(number))
                )
                try:
                    period = Period.parse(label)
                    good = good and period.cadence == ds.manual.cadence and period.start.year > 1800
                except (ValueError, KoersError):
                    good = False
                if not good:
                    raise StoreError("error.store.entry_invalid", name=name)
                clean[(period.label, segment.strip(), column)] = (
                    None if number is None else float(number)
                )
            old = conn.execute(
                "SELECT data FROM files WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).fetchone()
            before_bytes = bytes(old[0]) if old else None
            try:
                before = manual.stored_table(before_bytes, ds)
                data = entry.enter_values(before_bytes, ds, clean)
                after = manual.stored_table(data, ds)
                found = manual.changes(before, after, ds)
            except (ValueError, TypeError, KeyError) as exc:
                raise StoreError("error.store.entry_invalid", name=name) from exc
            if len(after) > manual.MAX_ROWS:
                raise StoreError("error.store.entry_too_many", name=name, count=manual.MAX_ROWS)
            if expected is not None:
                now_in = manual.cells(before, ds)
                moved = [
                    key
                    for key, seen in expected.items()
                    if now_in.get((key[0], key[1].strip(), key[2])) != seen
                ]
                if moved:
                    label, segment, column = moved[0]
                    raise _entry_error(
                        "error.store.entry_changed", ds.name, label, segment, column, len(moved)
                    )
            mine = actor if not role_at_least(role, "editor") else None
            refused = entry.refused(card, mine, ds, found, now.date())
            if refused:
                first = refused[0]
                key = (
                    "error.store.entry_future"
                    if Period.parse(first.period).start > now.date()
                    else "error.store.entry_not_yours"
                )
                raise _entry_error(key, ds.name, first.period, first.segment, first.column)
            if mine is not None and not entry.others_inputs_unchanged(
                card, mine, ds, before_bytes, data, found
            ):
                first = found[0]
                raise _entry_error(
                    "error.store.entry_not_yours",
                    ds.name,
                    first.period,
                    first.segment,
                    first.column,
                )
            self._keep_file(
                conn, workspace_id, name, data, actor, now, manual.audit_details(found, ds.name)
            )
        return data, len(found)

    def _check_quotas(
        self,
        conn: _Conn,
        workspace_id: str,
        name: str,
        size: int,
        actor: str,
        now: datetime,
    ) -> None:
        others = conn.execute(
            "SELECT COALESCE(SUM(size), 0) FROM files WHERE workspace_id = ? AND name <> ?",
            (workspace_id, name),
        ).fetchone()[0]
        if others + size > self.max_workspace_bytes:
            raise StoreError(
                "error.store.workspace_full", name=name, limit_mb=_mb(self.max_workspace_bytes)
            )
        everywhere = conn.execute(
            "SELECT COALESCE(SUM(size), 0) FROM files WHERE NOT (workspace_id = ? AND name = ?)",
            (workspace_id, name),
        ).fetchone()[0]
        if everywhere + size > self.max_store_bytes:
            raise StoreError(
                "error.store.store_full", name=name, limit_mb=_mb(self.max_store_bytes)
            )
        if actor == LOCAL_USER:
            return
        recent = conn.execute(
            "SELECT COUNT(*) FROM audit WHERE who = ? AND action = 'file.save' AND at > ?",
            (actor, _stamp(now - UPLOAD_WINDOW)),
        ).fetchone()[0]
        if recent >= self.uploads_per_10min:
            raise self._rate_error()

    def claim_upload(self, *, actor: str = LOCAL_USER) -> None:
        """Count an upload by ``actor`` before its file is read, so a signed-in user cannot
        keep the server busy with files that are refused after reading (the limit of
        ``save_file`` counts only files kept). No limit for ``LOCAL_USER``.

        Raises:
            StoreError: ``error.store.upload_rate``.
        """
        if actor == LOCAL_USER:
            return
        now = self.clock()
        since = _stamp(now - UPLOAD_WINDOW)
        with self._write() as conn:
            conn.execute("DELETE FROM upload_claims WHERE at <= ?", (since,))
            recent = conn.execute(
                "SELECT COUNT(*) FROM upload_claims WHERE who = ?", (actor,)
            ).fetchone()[0]
            if recent >= self.uploads_per_10min:
                raise self._rate_error()
            conn.execute("INSERT INTO upload_claims (who, at) VALUES (?, ?)", (actor, _stamp(now)))

    def _rate_error(self) -> StoreError:
        return StoreError(
            "error.store.upload_rate",
            limit=self.uploads_per_10min,
            minutes=int(UPLOAD_WINDOW.total_seconds() // 60),
        )

    def list_files(self, workspace_id: str, *, actor: str = LOCAL_USER) -> list[StoredFile]:
        """The files kept with the workspace, by name.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            rows = conn.execute(
                "SELECT name, sha256, size, uploaded_at FROM files WHERE workspace_id = ?"
                " ORDER BY name",
                (workspace_id,),
            ).fetchall()
        return [StoredFile(name, sha, size, _parse(at)) for name, sha, size, at in rows]

    def load_file(self, workspace_id: str, name: str, *, actor: str = LOCAL_USER) -> bytes:
        """The bytes of a kept file.

        Raises:
            StoreError: ``error.store.file_missing``, ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            row = conn.execute(
                "SELECT data FROM files WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).fetchone()
        if row is None:
            raise StoreError("error.store.file_missing", name=name)
        return bytes(row[0])

    def delete_file(self, workspace_id: str, name: str, *, actor: str = LOCAL_USER) -> None:
        """Stop keeping a file with the workspace (editor).

        Raises:
            StoreError: ``error.store.file_missing``, ``error.store.workspace_missing``.
            AccessDenied: ``actor`` is not an editor.
        """
        with self._write() as conn:
            self._require(conn, workspace_id, actor, "editor")
            deleted = conn.execute(
                "DELETE FROM files WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            )
            if deleted.rowcount == 0:
                raise StoreError("error.store.file_missing", name=name)
            self._touch(conn, workspace_id)
            self._audit(conn, workspace_id, actor, "file.delete", name=name)

    # -- check-ins -------------------------------------------------------------------------
    def add_checkin(self, workspace_id: str, checkin: CheckIn, *, actor: str = LOCAL_USER) -> int:
        """Keep a check-in with the workspace; returns its id. Editors check in on every KPI,
        contributors on the KPIs whose owner is their e-mail address.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not check in on this KPI.
        """
        review = checkin.next_review.isoformat() if checkin.next_review else None
        with self._write() as conn:
            role = self._require(conn, workspace_id, actor, "contributor")
            if not role_at_least(role, "editor") and not self._owns_kpi(
                conn, workspace_id, actor, checkin.kpi_id
            ):
                raise AccessDenied()
            cursor = conn.execute(
                "INSERT INTO checkins (workspace_id, kpi_id, period, note, action, who,"
                " next_review, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace_id,
                    checkin.kpi_id,
                    checkin.period,
                    checkin.note,
                    checkin.action,
                    checkin.who,
                    review,
                    _stamp(checkin.created_at),
                ),
            )
            self._touch(conn, workspace_id)
            assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
            self._audit(
                conn,
                workspace_id,
                actor,
                "checkin.add",
                id=cursor.lastrowid,
                kpi=checkin.kpi_id,
                period=checkin.period,
            )
        return cursor.lastrowid

    def list_checkins(
        self, workspace_id: str, kpi_id: str | None = None, *, actor: str = LOCAL_USER
    ) -> list[StoredCheckIn]:
        """The workspace's check-ins (of one KPI if ``kpi_id`` is given), newest first.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            AccessDenied: ``actor`` may not see the workspace.
        """
        sql = (
            "SELECT id, kpi_id, period, note, action, who, next_review, created_at"
            " FROM checkins WHERE workspace_id = ?"
        )
        params: tuple[str, ...] = (workspace_id,)
        if kpi_id is not None:
            sql += " AND kpi_id = ?"
            params += (kpi_id,)
        with self._connect() as conn:
            self._require(conn, workspace_id, actor)
            rows = conn.execute(sql + " ORDER BY created_at DESC, id DESC", params).fetchall()
        fields = ("kpi_id", "period", "note", "action", "who", "next_review", "created_at")
        return [
            StoredCheckIn(
                row[0],
                workspace_id,
                CheckIn.model_validate(dict(zip(fields, row[1:], strict=True))),
            )
            for row in rows
        ]

    def delete_checkin(
        self, checkin_id: int, workspace_id: str | None = None, *, actor: str = LOCAL_USER
    ) -> None:
        """Delete a check-in (only from ``workspace_id`` when given, as a guard; editor).

        Raises:
            StoreError: ``error.store.checkin_missing``.
            AccessDenied: ``actor`` is not an editor of its workspace.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT workspace_id, kpi_id FROM checkins WHERE id = ?", (checkin_id,)
            ).fetchone()
            if row is None or (workspace_id is not None and row[0] != workspace_id):
                raise StoreError("error.store.checkin_missing", id=checkin_id)
            self._require(conn, row[0], actor, "editor")
            conn.execute("DELETE FROM checkins WHERE id = ?", (checkin_id,))
            self._touch(conn, row[0])
            self._audit(conn, row[0], actor, "checkin.delete", id=checkin_id, kpi=row[1])

    # -- backups ---------------------------------------------------------------------------
    def backup(self, target: Path) -> Path:
        """A consistent copy of the whole database at ``target`` (SQLite's online backup:
        others may keep writing meanwhile). Written beside ``target`` first, then renamed,
        so ``target`` is never half-written.

        Raises:
            StoreError: ``error.store.backup_failed`` if it cannot be written.
        """
        target = Path(target).expanduser().absolute()
        partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)
            if self.url is not None:
                # PostgreSQL: the backup is a SQLite file with every workspace (what
                # ``koers store migrate`` copies); pg_dump remains the DBA's tool.
                _remove_db(partial)
                copy_store(self, Store(partial, timeout=self.timeout))
            else:
                with self._sqlite() as conn:
                    copy = sqlite3.connect(partial)
                    try:
                        conn.backup(copy)
                    finally:
                        copy.close()
            partial.replace(target)
        except (OSError, sqlite3.Error) as exc:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            detail = getattr(exc, "strerror", None) or str(exc)
            raise StoreError("error.store.backup_failed", path=str(target), detail=detail) from exc
        return target

    def backup_folder(self) -> Path:
        """Where daily backups go: ``backups/`` beside the database (``KOERS_HOME/backups``)."""
        return self.path.parent / "backups"

    def daily_backup(
        self, *, now: datetime | None = None, keep_days: int = BACKUP_KEEP_DAYS
    ) -> Path | None:
        """Back up to ``backup_folder()`` when the newest backup there is a day old or more
        (and the store holds a workspace); backups older than ``keep_days`` days are removed.
        Returns the new backup, or None when none was due.

        On PostgreSQL none is taken (None): the database server's own backups (pg_dump) keep
        the data there, see the README.

        Raises:
            StoreError: ``error.store.backup_failed``.
        """
        if self.url is not None:
            return None
        moment = now or self.clock()
        folder = self.backup_folder()
        taken = _backups(folder, self.path.stem)
        for stamp, path in taken:
            if stamp < moment - timedelta(days=keep_days):
                path.unlink(missing_ok=True)
        newest = max((stamp for stamp, _ in taken), default=None)
        if newest is not None and moment - newest < BACKUP_EVERY:
            return None
        with self._connect() as conn:
            if conn.execute("SELECT COUNT(*) FROM workspaces").fetchone()[0] == 0:
                return None
        name = f"{self.path.stem}-{moment.astimezone(UTC).strftime(_BACKUP_STAMP)}.sqlite3"
        return self.backup(folder / name)

    def restore_from(self, source: Path, *, force: bool = False) -> int:
        """Replace the whole database by the backup ``source``; returns how many workspaces
        it holds. The backup is checked first (a sound Koers database this Koers can read);
        a store that holds any workspace (also in the trash) is only overwritten with
        ``force``.

        Raises:
            StoreError: ``error.store.backup_missing``, ``error.store.backup_damaged``,
                ``error.store.backup_not_koers``, ``error.store.too_new``,
                ``error.store.restore_not_empty``.
        """
        source = Path(source).expanduser().absolute()
        if not source.is_file():
            raise StoreError("error.store.backup_missing", path=str(source))
        try:
            src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise StoreError("error.store.backup_damaged", path=str(source)) from exc
        try:
            try:
                problems = [row[0] for row in src.execute("PRAGMA integrity_check")]
                tables = {
                    row[0]
                    for row in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
            except sqlite3.DatabaseError as exc:
                raise StoreError("error.store.backup_damaged", path=str(source)) from exc
            if problems != ["ok"]:
                raise StoreError("error.store.backup_damaged", path=str(source))
            if not {"meta", "workspaces"} <= tables:
                raise StoreError("error.store.backup_not_koers", path=str(source))
            version = int(src.execute("SELECT MAX(schema_version) FROM meta").fetchone()[0] or 0)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    "error.store.too_new",
                    path=str(source),
                    version=version,
                    supported=SCHEMA_VERSION,
                )
            if self.url is not None:
                self._restore_into_postgres(source, force=force)
            else:
                with self._sqlite() as conn:
                    held = conn.execute("SELECT COUNT(*) FROM workspaces").fetchone()[0]
                    if held and not force:
                        raise StoreError(
                            "error.store.restore_not_empty", path=self.location, count=held
                        )
                    src.backup(conn)
        finally:
            src.close()
        self._open()  # upgrades a backup made by an older Koers
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM workspaces").fetchone()[0])

    def _restore_into_postgres(self, source: Path, *, force: bool) -> None:
        """``restore_from`` on PostgreSQL: the SQLite backup (read from a copy, which opening
        may upgrade) replaces every workspace in the database."""
        with self._connect() as conn:
            held = conn.execute("SELECT COUNT(*) FROM workspaces").fetchone()[0]
        if held and not force:
            raise StoreError("error.store.restore_not_empty", path=self.location, count=held)
        with tempfile.TemporaryDirectory(prefix="koers-restore-") as folder:
            work = Path(folder) / "backup.sqlite3"
            shutil.copyfile(source, work)
            copy_store(Store(work, timeout=self.timeout), self, replace=True)

    # -- plumbing --------------------------------------------------------------------------
    def _open(self) -> None:
        if self.url is not None:
            with self._connect() as conn:
                self._migrate(conn)
                self._adopt(conn)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise StoreError("error.store.unavailable", path=self.location, detail=detail) from exc
        with self._sqlite() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StoreError("error.store.damaged", path=self.location)
            self._migrate(conn)
            self._adopt(conn)

    def _adopt(self, conn: _Conn) -> None:
        """Make ``$KOERS_ADMIN`` an owner of every workspace that has no owner but the
        local user (those made before sign-in was turned on)."""
        admin = os.environ.get("KOERS_ADMIN", "").strip()
        if not admin:
            return
        address = normalise_email(admin)
        with _transaction(conn):
            orphans = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM workspaces w WHERE NOT EXISTS (SELECT 1 FROM members m"
                    " WHERE m.workspace_id = w.id AND m.role = 'owner' AND m.email <> ?)",
                    (LOCAL_USER,),
                )
            ]
            for workspace_id in orphans:
                conn.execute(
                    "INSERT INTO members (workspace_id, email, role) VALUES (?, ?, 'owner')"
                    " ON CONFLICT (workspace_id, email) DO UPDATE SET role = 'owner'",
                    (workspace_id, address),
                )
                self._audit(
                    conn, workspace_id, "KOERS_ADMIN", "member.share", email=address, role="owner"
                )

    def _migrate(self, conn: _Conn) -> None:
        # One transaction for all steps: a second process opening the same file at the same
        # time waits here and then finds the schema up to date.
        with _transaction(conn):
            version = self._schema_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    "error.store.too_new",
                    path=self.location,
                    version=version,
                    supported=SCHEMA_VERSION,
                )
            scripts = MIGRATIONS if self.url is None else PG_MIGRATIONS
            for number, script in enumerate(scripts[version:], start=version + 1):
                for statement in statements(script):
                    conn.execute(statement)
                conn.execute("DELETE FROM meta")
                conn.execute("INSERT INTO meta (schema_version) VALUES (?)", (number,))

    def _schema_version(self, conn: _Conn) -> int:
        listing = (
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            if self.url is None
            else "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema()"
        )
        tables = {row[0] for row in conn.execute(listing)}
        if "meta" not in tables:
            if tables - {"sqlite_sequence"}:
                raise StoreError("error.store.not_koers", path=self.location)
            return 0
        row = conn.execute("SELECT MAX(schema_version) FROM meta").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def _connect(self) -> Iterator[_Conn]:
        """A fresh connection in autocommit mode (transactions are explicit: ``_write``)."""
        if self.url is not None:
            with _pg_connect(self) as pg:
                yield pg
            return
        with self._sqlite() as conn:
            yield conn

    @contextmanager
    def _sqlite(self) -> Iterator[sqlite3.Connection]:
        """``_connect`` for a SQLite file (what only SQLite has: pragmas, online backup)."""
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            error = self._translate(exc)
            if error is None:
                raise
            raise error from exc
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        except sqlite3.Error as exc:
            error = self._translate(exc)
            if error is None:
                raise
            raise error from exc
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[_Conn]:
        """A connection inside a write transaction, committed when the block ends."""
        with self._connect() as conn, _transaction(conn):
            yield conn

    def _translate(self, exc: sqlite3.Error) -> StoreError | None:
        """The ``StoreError`` a user can act on for a SQLite error; None for other errors
        (bugs), which are raised as they are."""
        code = exc.sqlite_errorcode & 0xFF if isinstance(exc.sqlite_errorcode, int) else -1
        path = self.location
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return StoreError("error.store.damaged", path=path)
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return StoreError("error.store.busy", path=path)
        if code == sqlite3.SQLITE_FULL:
            return StoreError("error.store.disk_full", path=path)
        if code in (
            sqlite3.SQLITE_CANTOPEN,
            sqlite3.SQLITE_PERM,
            sqlite3.SQLITE_READONLY,
            sqlite3.SQLITE_IOERR,
            sqlite3.SQLITE_NOMEM,
            sqlite3.SQLITE_NOLFS,
            sqlite3.SQLITE_AUTH,
        ):
            return StoreError("error.store.unavailable", path=path, detail=str(exc))
        return None

    def _require(
        self,
        conn: _Conn,
        workspace_id: str,
        actor: str = LOCAL_USER,
        needed: Role = "viewer",
        *,
        trashed: bool | None = False,
    ) -> Role:
        """``actor``'s role in the workspace, which must be ``needed`` or higher. A
        workspace in the trash counts as missing unless ``trashed`` (True: only one in the
        trash; None: either).

        Raises:
            StoreError: ``error.store.workspace_missing`` (for ``LOCAL_USER``).
            AccessDenied: for anyone else without the role, or if it does not exist.
        """
        row = conn.execute(
            "SELECT deleted_at FROM workspaces WHERE id = ?", (workspace_id,)
        ).fetchone()
        role: str | None = None
        if row is not None and (trashed is None or (row[0] is not None) == trashed):
            if actor == LOCAL_USER:
                role = "owner"
            else:
                found = conn.execute(
                    "SELECT role FROM members WHERE workspace_id = ? AND email = ?",
                    (workspace_id, actor),
                ).fetchone()
                role = found[0] if found else None
        if role is None and actor == LOCAL_USER:
            raise StoreError("error.store.workspace_missing", id=workspace_id)
        if role is None or not role_at_least(role, needed):
            raise AccessDenied()
        return cast(Role, role)

    def _audit(
        self, conn: _Conn, workspace_id: str, actor: str, action: str, **detail: Any
    ) -> None:
        conn.execute(
            "INSERT INTO audit (workspace_id, at, who, action, detail_json) VALUES (?, ?, ?, ?, ?)",
            (
                workspace_id,
                _stamp(self.clock()),
                actor,
                action,
                json.dumps(detail, ensure_ascii=False, sort_keys=True),
            ),
        )

    def _grant_kpi_owners(
        self, conn: _Conn, workspace_id: str, actor: str, scorecard: Scorecard
    ) -> None:
        """KPI owners named by e-mail address become contributors, so they can enter their
        own KPIs' values (``workspace.entry``); a viewer is raised, a higher role stays."""
        owners = sorted(
            {k.owner.strip().lower() for k in scorecard.kpis if looks_like_email(k.owner)}
        )
        for address in owners:
            added = conn.execute(
                "INSERT OR IGNORE INTO members (workspace_id, email, role)"
                " VALUES (?, ?, 'contributor')",
                (workspace_id, address),
            ).rowcount
            if not added:
                added = conn.execute(
                    "UPDATE members SET role = 'contributor'"
                    " WHERE workspace_id = ? AND email = ? AND role = 'viewer'",
                    (workspace_id, address),
                ).rowcount
            if added:
                self._audit(
                    conn,
                    workspace_id,
                    actor,
                    "member.share",
                    email=address,
                    role="contributor",
                    reason="kpi_owner",
                )

    @staticmethod
    def _keep_an_owner(conn: _Conn, workspace_id: str, leaving: str) -> None:
        """Refuse when ``leaving`` is the workspace's last owner."""
        others = conn.execute(
            "SELECT COUNT(*) FROM members WHERE workspace_id = ? AND role = 'owner' AND email <> ?",
            (workspace_id, leaving),
        ).fetchone()[0]
        is_owner = conn.execute(
            "SELECT 1 FROM members WHERE workspace_id = ? AND email = ? AND role = 'owner'",
            (workspace_id, leaving),
        ).fetchone()
        if is_owner and not others:
            raise StoreError("error.access.last_owner", email=leaving)

    @staticmethod
    def _owns_kpi(conn: _Conn, workspace_id: str, actor: str, kpi_id: str) -> bool:
        text = conn.execute(
            "SELECT scorecard_json FROM workspaces WHERE id = ?", (workspace_id,)
        ).fetchone()[0]
        card = Scorecard.from_json(text)
        return any(k.id == kpi_id and k.owner.strip().lower() == actor for k in card.kpis)

    @staticmethod
    def _latest_version(conn: _Conn, workspace_id: str) -> int:
        row = conn.execute(
            "SELECT MAX(version) FROM scorecard_versions WHERE workspace_id = ?", (workspace_id,)
        ).fetchone()
        return int(row[0] or 0)

    def _touch(self, conn: _Conn, workspace_id: str) -> None:
        conn.execute(
            "UPDATE workspaces SET updated_at = ? WHERE id = ?",
            (_stamp(self.clock()), workspace_id),
        )


def _entry_error(
    key: str, table: str, period: str, segment: str, column: str, count: int = 1
) -> EntryError:
    segment = segment.strip()
    return EntryError(
        key,
        name=table,
        period=period,
        segment=f" ({segment})" if segment else "",
        column=column,
        count=count,
    )


@contextmanager
def _transaction(conn: _Conn) -> Iterator[None]:
    # IMMEDIATE takes the write lock at the start: a writer that first reads and then writes
    # cannot find its snapshot outdated halfway (which SQLite reports as busy at once,
    # without waiting for the timeout).
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")


def statements(script: str) -> Iterator[str]:
    """The statements of a migration script, one at a time (``execute`` runs only one, and
    ``executescript`` would commit the surrounding transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete statement in a migration: {buffer.strip()[:80]!r}")


def _move_aside(path: Path) -> Path:
    """Rename a damaged database (and its side files) to ``<name>.damaged-<UTC time>``.

    Raises:
        StoreError: ``error.store.unavailable`` if it cannot be renamed.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while moved.exists():
        counter += 1
        moved = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    try:
        path.replace(moved)
        for suffix in _SIDE_FILES:
            side = path.with_name(path.name + suffix)
            if side.exists():
                side.replace(moved.with_name(moved.name + suffix))
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise StoreError("error.store.unavailable", path=str(path), detail=detail) from exc
    return moved


def _env_mb(name: str, default: float) -> float:
    """A size limit in MB from the environment; unset, unreadable or non-positive: default."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def _mb(limit_bytes: int) -> str:
    return f"{round(limit_bytes / MB, 2):g}"


def _workspace_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise StoreError("error.store.name_invalid", max=NAME_MAX)
    return name


def _file_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= FILE_NAME_MAX:
        raise StoreError("error.store.file_name_invalid", max=FILE_NAME_MAX)
    return name


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise StoreError("error.store.note_too_long", max=NOTE_MAX)
    return note


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    """UTC, fixed width, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _workspace(row: tuple[Any, ...]) -> Workspace:
    workspace_id, name, created_at, updated_at, lang, deleted_at, role = row
    return Workspace(
        workspace_id,
        name,
        _parse(created_at),
        _parse(updated_at),
        normalise_lang(lang),
        as_role(role),
        _parse(deleted_at) if deleted_at else None,
    )


_BACKUP_STAMP = "%Y%m%dT%H%M%SZ"


def _backups(folder: Path, stem: str) -> list[tuple[datetime, Path]]:
    """The daily backups in ``folder`` with the time in their name."""
    found: list[tuple[datetime, Path]] = []
    if not folder.is_dir():
        return found
    for path in folder.glob(f"{stem}-*.sqlite3"):
        text = path.name[len(stem) + 1 : -len(".sqlite3")]
        try:
            found.append((datetime.strptime(text, _BACKUP_STAMP).replace(tzinfo=UTC), path))
        except ValueError:
            continue
    return sorted(found)


def _remove_db(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        candidate.unlink(missing_ok=True)


# -- salvage -------------------------------------------------------------------------------
# Tables copied from a damaged database, parents first; the files' bytes are read one by one.
_SALVAGED = ("workspaces", "scorecard_versions", "files", "checkins", "members", "audit")


_ROWID_MAX = 2**63 - 1


def _readable_rows(
    conn: sqlite3.Connection, table: str, columns: list[str]
) -> tuple[dict[int, tuple[Any, ...]], bool]:
    """Every row of ``table`` that can be read, by rowid, and whether the whole table was.

    A scan stops at the first damaged page, so after a failed full scan the rows are read
    one at a time in rowid order (one row per query: a cursor reads one row ahead, and a
    damaged next row would hide the current one). At a damaged page the search jumps ahead
    by 1, 2, 4, … rowids until it lands on a readable page again, so every readable page
    after the damage is read too (what SQLite's ``.recover`` does page by page, done here
    per b-tree). Koers's rowids are positive.
    """
    listed = ", ".join(f'"{c}"' for c in columns)
    select = f'SELECT rowid, {listed} FROM "{table}" NOT INDEXED'
    try:
        return {row[0]: tuple(row[1:]) for row in conn.execute(select).fetchall()}, True
    except sqlite3.DatabaseError:
        pass
    rows: dict[int, tuple[Any, ...]] = {}
    last, gap = 0, 0
    while last + 1 + gap <= _ROWID_MAX:
        try:  # ">=" seeks to that rowid itself: ">" would seek to the damaged page's last one
            row = conn.execute(
                f"{select} WHERE rowid >= ? ORDER BY rowid LIMIT 1", (last + 1 + gap,)
            ).fetchone()
        except sqlite3.DatabaseError:
            gap = max(1, gap * 2)
            continue
        if row is None:
            break
        rows[row[0]] = tuple(row[1:])
        last, gap = row[0], 0
    return rows, False


def _salvage(damaged: Path, fresh: Store) -> Recovery:
    """Copy what can be read of the damaged database into the (new, empty) ``fresh`` one.

    It reads a copy (with its write-ahead log), never the damaged file itself; a copy that is
    shorter than its header says (a truncated file) is padded with empty pages, so SQLite
    can still read the schema and every page that is left.
    """
    work = damaged.with_name(damaged.name + ".reading")
    _remove_db(work)
    try:
        shutil.copyfile(damaged, work)
        wal = damaged.with_name(damaged.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, work.with_name(work.name + "-wal"))
        _pad_to_declared_size(work)
        src = sqlite3.connect(work, timeout=fresh.timeout)
    except (OSError, sqlite3.Error):
        _remove_db(work)
        return Recovery(readable=False)
    try:
        return _copy_readable(src, fresh)
    except sqlite3.DatabaseError:
        return Recovery(readable=False)
    finally:
        src.close()
        _remove_db(work)


def _pad_to_declared_size(path: Path) -> None:
    """Append zero pages to a database file shorter than the page count in its header."""
    with path.open("r+b") as handle:
        header = handle.read(100)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            return
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        declared = int.from_bytes(header[28:32], "big") * page_size
        actual = handle.seek(0, os.SEEK_END)
        if page_size and actual % page_size == 0 and actual < declared <= 64 * 1024**3:
            handle.truncate(declared)


def _copy_readable(src: sqlite3.Connection, fresh: Store) -> Recovery:
    incomplete: list[str] = []
    lost_files: list[str] = []
    tables: dict[str, list[str]] = {}
    for table in _SALVAGED:
        try:
            info = src.execute(f'PRAGMA table_info("{table}")').fetchall()
        except sqlite3.DatabaseError:
            info = []
        tables[table] = [row[1] for row in info]
    if not tables["workspaces"] and not tables["scorecard_versions"]:
        return Recovery(readable=False)
    with fresh._write() as dst:
        targets = {
            table: [row[1] for row in dst.execute(f'PRAGMA table_info("{table}")')]
            for table in _SALVAGED
        }
        read: dict[str, dict[int, tuple[Any, ...]]] = {}
        columns: dict[str, list[str]] = {}
        for table in _SALVAGED:
            wanted = [c for c in tables[table] if c in targets[table] and c != "data"]
            columns[table] = wanted
            if not wanted:
                read[table] = {}
                continue
            read[table], whole = _readable_rows(src, table, wanted)
            if not whole:
                incomplete.append(table)
        # The workspaces whose own row was lost come back from their latest version.
        found = {row[columns["workspaces"].index("id")] for row in read["workspaces"].values()}
        ws_rows = [
            dict(zip(columns["workspaces"], r, strict=True)) for r in read["workspaces"].values()
        ]
        latest: dict[str, dict[str, Any]] = {}
        for r in read["scorecard_versions"].values():
            version = dict(zip(columns["scorecard_versions"], r, strict=True))
            best = latest.get(version["workspace_id"])
            if best is None or version["version"] > best["version"]:
                latest[version["workspace_id"]] = version
        rebuilt = 0
        for workspace_id, version in latest.items():
            if workspace_id in found:
                continue
            try:
                name = _workspace_name(Scorecard.from_json(version["scorecard_json"]).name)
            except Exception:  # a version that does not read is not a workspace to rebuild
                continue
            ws_rows.append(
                {
                    "id": workspace_id,
                    "name": name,
                    "created_at": version["saved_at"],
                    "updated_at": version["saved_at"],
                    "scorecard_json": version["scorecard_json"],
                }
            )
            rebuilt += 1
        kept: set[str] = set()
        for row in ws_rows:
            names = list(row)
            dst.execute(
                f"INSERT OR IGNORE INTO workspaces ({', '.join(names)})"
                f" VALUES ({', '.join('?' * len(names))})",
                [row[n] for n in names],
            )
            kept.add(row["id"])
        names_of = {row["id"]: row["name"] for row in ws_rows}
        counts: dict[str, int] = {}
        for table in _SALVAGED[1:]:
            cols = columns[table]
            if not cols:
                continue
            where = cols.index("workspace_id")
            copied = 0
            for rowid, record in read[table].items():
                if record[where] not in kept:
                    continue
                values = list(record)
                names = list(cols)
                if table == "files":
                    try:
                        blob = src.execute(
                            "SELECT data FROM files NOT INDEXED WHERE rowid = ?", (rowid,)
                        ).fetchone()
                        data = bytes(blob[0])
                        if hashlib.sha256(data).hexdigest() != record[cols.index("sha256")]:
                            raise sqlite3.DatabaseError("the bytes do not match their hash")
                    except (sqlite3.DatabaseError, TypeError):
                        file_name = record[cols.index("name")]
                        lost_files.append(
                            f"{names_of.get(record[where], record[where])} / {file_name}"
                        )
                        continue
                    names.append("data")
                    values.append(data)
                dst.execute(
                    f"INSERT OR IGNORE INTO {table} ({', '.join(names)})"
                    f" VALUES ({', '.join('?' * len(names))})",
                    values,
                )
                copied += 1
            counts[table] = copied
        # Every workspace keeps an owner: the local user when its members were lost.
        dst.execute(
            "INSERT OR IGNORE INTO members (workspace_id, email, role)"
            " SELECT id, ?, 'owner' FROM workspaces w WHERE NOT EXISTS"
            " (SELECT 1 FROM members m WHERE m.workspace_id = w.id AND m.role = 'owner')",
            (LOCAL_USER,),
        )
        # A workspace rebuilt from a version, or whose versions were lost, gets its current
        # scorecard as a version again, so ``load_latest`` has a version to name.
        dst.execute(
            "INSERT INTO scorecard_versions (workspace_id, version, saved_at, scorecard_json, note)"
            " SELECT id, 1, updated_at, scorecard_json, 'recovered' FROM workspaces w"
            " WHERE NOT EXISTS (SELECT 1 FROM scorecard_versions v WHERE v.workspace_id = w.id)"
        )
    return Recovery(
        workspaces=len(kept),
        rebuilt=rebuilt,
        versions=counts.get("scorecard_versions", 0),
        files=counts.get("files", 0),
        checkins=counts.get("checkins", 0),
        lost_files=tuple(lost_files),
        incomplete=tuple(incomplete),
    )


def recovery_message(recovery: Recovery, lang: str) -> str:
    """What a salvage recovered (and could not), for the user."""
    from kpilogic.i18n import t

    if not recovery.readable:
        return t("store.salvage_nothing", lang, moved=str(recovery.moved or ""))
    text = t(
        "store.salvaged",
        lang,
        workspaces=recovery.workspaces,
        versions=recovery.versions,
        files=recovery.files,
        checkins=recovery.checkins,
        moved=str(recovery.moved or ""),
    )
    if recovery.lost_files:
        text += " " + t(
            "store.salvage_lost_files",
            lang,
            count=len(recovery.lost_files),
            names=", ".join(recovery.lost_files),
        )
    if recovery.incomplete:
        parts = ", ".join(t(f"store.salvage.part.{table}", lang) for table in recovery.incomplete)
        text += " " + t("store.salvage_incomplete", lang, tables=parts)
    return text


class UserStore:
    """The store as one user sees it (``Store.for_user``): the same methods as ``Store``,
    each checking the user's role inside the store and raising ``AccessDenied``."""

    def __init__(self, store: Store, user: str) -> None:
        self.store = store
        self.user = user

    def __repr__(self) -> str:
        return f"UserStore({str(self.store.path)!r}, {self.user!r})"

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def location(self) -> str:
        return self.store.location

    @property
    def recovery(self) -> Recovery | None:
        return self.store.recovery

    # workspaces
    def create_workspace(self, name: str, scorecard: Scorecard, lang: str = "en") -> Workspace:
        return self.store.create_workspace(name, scorecard, lang, actor=self.user)

    def list_workspaces(self) -> list[Workspace]:
        return self.store.list_workspaces(actor=self.user)

    def get_workspace(self, workspace_id: str) -> Workspace:
        return self.store.get_workspace(workspace_id, actor=self.user)

    def role(self, workspace_id: str) -> Role:
        return self.store.role(workspace_id, actor=self.user)

    def rename_workspace(self, workspace_id: str, name: str) -> Workspace:
        return self.store.rename_workspace(workspace_id, name, actor=self.user)

    def set_lang(self, workspace_id: str, lang: str) -> None:
        self.store.set_lang(workspace_id, lang, actor=self.user)

    def duplicate_workspace(self, workspace_id: str, new_name: str) -> Workspace:
        return self.store.duplicate_workspace(workspace_id, new_name, actor=self.user)

    def delete_workspace(self, workspace_id: str) -> None:
        self.store.delete_workspace(workspace_id, actor=self.user)

    def list_trash(self) -> list[Workspace]:
        return self.store.list_trash(actor=self.user)

    def restore_workspace(self, workspace_id: str) -> Workspace:
        return self.store.restore_workspace(workspace_id, actor=self.user)

    def delete_forever(self, workspace_id: str) -> None:
        self.store.delete_forever(workspace_id, actor=self.user)

    def purge_expired(self, days: int = TRASH_DAYS) -> int:
        return self.store.purge_expired(days)

    # members and audit
    def share(self, workspace_id: str, email: str, role: str) -> Member:
        return self.store.share(workspace_id, email, role, actor=self.user)

    def unshare(self, workspace_id: str, email: str) -> None:
        self.store.unshare(workspace_id, email, actor=self.user)

    def members(self, workspace_id: str) -> list[Member]:
        return self.store.members(workspace_id, actor=self.user)

    def audit_log(self, workspace_id: str) -> list[AuditEntry]:
        return self.store.audit_log(workspace_id, actor=self.user)

    # the scorecard
    def load_scorecard(self, workspace_id: str) -> Scorecard:
        return self.store.load_scorecard(workspace_id, actor=self.user)

    def load_latest(self, workspace_id: str) -> tuple[Scorecard, int]:
        return self.store.load_latest(workspace_id, actor=self.user)

    def save_scorecard(
        self, workspace_id: str, scorecard: Scorecard, based_on: int, note: str = ""
    ) -> int:
        """Save ``scorecard`` made on version ``based_on``; returns the version that is
        current afterwards (the new one, or the latest when nothing changed).

        Raises:
            ConflictError: ``based_on`` is not the latest version.
        """
        version, _ = self.store._save(
            workspace_id, scorecard, note, based_on, self.user, "scorecard.save"
        )
        return version

    def list_versions(self, workspace_id: str) -> list[ScorecardVersion]:
        return self.store.list_versions(workspace_id, actor=self.user)

    def load_version(self, workspace_id: str, version: int) -> Scorecard:
        return self.store.load_version(workspace_id, version, actor=self.user)

    def restore_version(self, workspace_id: str, version: int, note: str = "") -> Scorecard:
        return self.store.restore_version(workspace_id, version, note, actor=self.user)

    # settings
    def get_settings(self, workspace_id: str) -> dict[str, Any]:
        return self.store.get_settings(workspace_id, actor=self.user)

    def save_settings(self, workspace_id: str, settings: Mapping[str, Any]) -> None:
        self.store.save_settings(workspace_id, settings, actor=self.user)

    def update_settings(self, workspace_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        return self.store.update_settings(workspace_id, changes, actor=self.user)

    def save_draft(self, workspace_id: str, form: str, draft: Mapping[str, Any] | None) -> None:
        self.store.save_draft(workspace_id, form, draft, actor=self.user)

    def load_draft(self, workspace_id: str, form: str) -> dict[str, Any] | None:
        return self.store.load_draft(workspace_id, form, actor=self.user)

    # files
    def save_file(
        self,
        workspace_id: str,
        name: str,
        data: bytes,
        entries: Sequence[Mapping[str, Any]] = (),
    ) -> StoredFile:
        return self.store.save_file(workspace_id, name, data, actor=self.user, entries=entries)

    def enter_values(
        self,
        workspace_id: str,
        name: str,
        values: Mapping[tuple[str, str, str], float | None],
        expected: Mapping[tuple[str, str, str], float | None] | None = None,
    ) -> tuple[bytes, int]:
        return self.store.enter_values(
            workspace_id, name, values, actor=self.user, expected=expected
        )

    def claim_upload(self) -> None:
        self.store.claim_upload(actor=self.user)

    def list_files(self, workspace_id: str) -> list[StoredFile]:
        return self.store.list_files(workspace_id, actor=self.user)

    def load_file(self, workspace_id: str, name: str) -> bytes:
        return self.store.load_file(workspace_id, name, actor=self.user)

    def delete_file(self, workspace_id: str, name: str) -> None:
        self.store.delete_file(workspace_id, name, actor=self.user)

    # check-ins
    def add_checkin(self, workspace_id: str, checkin: CheckIn) -> int:
        return self.store.add_checkin(workspace_id, checkin, actor=self.user)

    def list_checkins(self, workspace_id: str, kpi_id: str | None = None) -> list[StoredCheckIn]:
        return self.store.list_checkins(workspace_id, kpi_id, actor=self.user)

    def delete_checkin(self, checkin_id: int, workspace_id: str | None = None) -> None:
        self.store.delete_checkin(checkin_id, workspace_id, actor=self.user)


# -- PostgreSQL ----------------------------------------------------------------------------
# A thin dialect layer: the SQL above is written for SQLite and runs unchanged on PostgreSQL
# through ``_PgConnection``, which rewrites the few things that differ (placeholders, INSERT OR
# IGNORE, the id of a new check-in, the write lock). psycopg is imported only when a
# ``postgresql://`` URL is used.


class _Cursor(Protocol):
    """What the store reads from a cursor (``sqlite3.Cursor`` and ``_PgCursor``)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class _Conn(Protocol):
    """What the store calls on a connection (``sqlite3.Connection`` and ``_PgConnection``)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> _Cursor: ...

    def rollback(self) -> None: ...


_PG_SQL: dict[str, str] = {}
_IGNORE = "INSERT OR IGNORE INTO"
_RETURNING = " RETURNING id"


def _pg_sql(sql: str) -> str:
    """The store's SQLite statement as PostgreSQL reads it (cached: the set is fixed)."""
    text = _PG_SQL.get(sql)
    if text is None:
        text = sql.replace("%", "%%").replace("?", "%s")
        if text.startswith(_IGNORE):
            text = "INSERT INTO" + text[len(_IGNORE) :] + " ON CONFLICT DO NOTHING"
        if text.startswith("INSERT INTO checkins (") and " VALUES " in text:
            text += _RETURNING  # SQLite's cursor.lastrowid
        _PG_SQL[sql] = text
    return text


class _PgCursor:
    def __init__(self, cursor: psycopg.Cursor[Any], returning: bool) -> None:
        self._cursor = cursor
        self.lastrowid: int | None = None
        if returning:
            row = cursor.fetchone()
            self.lastrowid = int(row[0]) if row else None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


class _PgConnection:
    """A psycopg connection in autocommit mode that speaks the store's SQLite dialect."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self._raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> _PgCursor:
        if sql == "BEGIN IMMEDIATE":
            self._raw.execute("BEGIN")
            locked = self._raw.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
            return _PgCursor(locked, False)
        text = _pg_sql(sql)
        cursor = self._raw.execute(text, tuple(parameters))
        return _PgCursor(cursor, text.endswith(_RETURNING))

    def rollback(self) -> None:
        self._raw.execute("ROLLBACK")


def _pg_home() -> Path:
    """``$KOERS_HOME`` (default ``~/.koers``): local side files of a PostgreSQL store."""
    home = os.environ.get("KOERS_HOME", "").strip()
    return (Path(home).expanduser() if home else Path.home() / ".koers").absolute()


@contextmanager
def _pg_connect(store: Store) -> Iterator[_PgConnection]:
    """A fresh PostgreSQL connection; lock waits give up after ``store.timeout`` seconds."""
    import psycopg

    assert store.url is not None
    try:
        raw = psycopg.connect(
            store.url,
            autocommit=True,
            connect_timeout=max(2, int(store.timeout + 0.999)),
            application_name="koers",
        )
    except psycopg.Error as exc:
        raise (_pg_error(store, exc) or _pg_unavailable(store, exc)) from exc
    try:
        raw.execute(f"SET lock_timeout = {max(1, int(store.timeout * 1000))}")
        yield _PgConnection(raw)
    except psycopg.Error as exc:
        error = _pg_error(store, exc)
        if error is None:
            raise
        raise error from exc
    finally:
        raw.close()


def _pg_unavailable(store: Store, exc: Exception) -> StoreError:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return StoreError("error.store.pg_unavailable", path=store.location, detail=detail)


def _pg_error(store: Store, exc: Exception) -> StoreError | None:
    """The ``StoreError`` a user can act on for a PostgreSQL error (see ``_translate``);
    None for other errors (bugs), which are raised as they are."""
    import psycopg

    state = getattr(exc, "sqlstate", None) or ""
    if state in ("55P03", "57014", "40001", "40P01"):  # lock timeout, cancelled, deadlock
        return StoreError("error.store.busy", path=store.location)
    if state == "53100":
        return StoreError("error.store.disk_full", path=store.location)
    if state[:2] in ("08", "28", "3D", "53", "57") or state == "42501":
        return _pg_unavailable(store, exc)
    if not state and isinstance(exc, psycopg.OperationalError):  # no server, lost connection
        return _pg_unavailable(store, exc)
    return None


# -- copying a whole store (koers store migrate, backups of a PostgreSQL store) -------------
# Every table that holds a workspace's data, parents first: (table, columns, order). The
# upload claims are not copied: they only count the last ten minutes' uploads.
_COPIED: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "workspaces",
        (
            "id",
            "name",
            "created_at",
            "updated_at",
            "lang",
            "scorecard_json",
            "settings_json",
            "deleted_at",
        ),
        "rowid",
    ),
    (
        "scorecard_versions",
        ("workspace_id", "version", "saved_at", "scorecard_json", "note"),
        "workspace_id, version",
    ),
    ("files", ("workspace_id", "name", "sha256", "size", "uploaded_at"), "workspace_id, name"),
    (
        "checkins",
        (
            "id",
            "workspace_id",
            "kpi_id",
            "period",
            "note",
            "action",
            "who",
            "next_review",
            "created_at",
        ),
        "id",
    ),
    ("members", ("workspace_id", "email", "role"), "workspace_id, email"),
    ("audit", ("id", "workspace_id", "at", "who", "action", "detail_json"), "id"),
)


@dataclass(frozen=True)
class CopyReport:
    """What ``copy_store`` copied: rows per table and one fingerprint of all of it (the
    same on both sides, checked after the copy)."""

    source: str
    target: str
    counts: dict[str, int]
    fingerprint: str


def copy_store(source: Store, target: Store, *, replace: bool = False) -> CopyReport:
    """Copy every workspace of ``source`` into ``target`` (SQLite or PostgreSQL, either
    way): the workspaces with their versions, settings, files, check-ins, members, audit log
    and trash, keeping every id. ``target`` must hold no workspace, unless ``replace``
    (then its workspaces are removed first, in the same transaction as the copy). Writers to
    ``source`` wait while it is read, so the copy is one consistent moment. Afterwards the
    row counts and a fingerprint of every row (the files' bytes by their SHA-256, which must
    match the hash kept with them) are compared on both sides.

    Raises:
        StoreError: ``error.store.migrate_not_empty``, ``error.store.migrate_mismatch``, or
            any error of the two stores.
    """
    with target._write() as dst:
        held = int(dst.execute("SELECT COUNT(*) FROM workspaces").fetchone()[0])
        if held and not replace:
            raise StoreError("error.store.migrate_not_empty", path=target.location, count=held)
        dst.execute("DELETE FROM workspaces")  # the rest goes with it (ON DELETE CASCADE)
        with source._write() as src:
            for table, columns, order in _COPIED:
                listed = ", ".join(columns)
                marks = ", ".join("?" * (len(columns) + (table == "files")))
                insert = (
                    f"INSERT INTO {table} ({listed}{', data' if table == 'files' else ''})"
                    f" VALUES ({marks})"
                )
                rows = src.execute(f"SELECT {listed} FROM {table} ORDER BY {order}").fetchall()
                for row in rows:
                    values = list(row)
                    if table == "files":  # one file's bytes at a time
                        data = src.execute(
                            "SELECT data FROM files WHERE workspace_id = ? AND name = ?",
                            (row[0], row[1]),
                        ).fetchone()[0]
                        values.append(bytes(data))
                    dst.execute(insert, values)
        if target.url is not None:  # new ids continue after the copied ones
            for table in ("checkins", "audit"):
                dst.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                )
    before, after = _fingerprint(source), _fingerprint(target)
    if before != after:
        differ = [t for t, _, _ in _COPIED if before[0].get(t) != after[0].get(t)]
        raise StoreError(
            "error.store.migrate_mismatch",
            source=source.location,
            target=target.location,
            tables=", ".join(differ) or "files",
        )
    return CopyReport(source.location, target.location, before[0], before[1])


def _fingerprint(store: Store) -> tuple[dict[str, int], str]:
    """Rows per table, and a SHA-256 over every row in a fixed order (a file's bytes by
    their own SHA-256, which must equal the hash kept beside them)."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    with store._connect() as conn:
        for table, columns, order in _COPIED:
            listed = ", ".join(columns)
            rows = conn.execute(f"SELECT {listed} FROM {table} ORDER BY {order}").fetchall()
            counts[table] = len(rows)
            digest.update(table.encode())
            for row in rows:
                values = list(row)
                if table == "files":
                    data = conn.execute(
                        "SELECT data FROM files WHERE workspace_id = ? AND name = ?",
                        (row[0], row[1]),
                    ).fetchone()[0]
                    actual = hashlib.sha256(bytes(data)).hexdigest()
                    values.append(actual if actual == row[2] else "mismatch:" + actual)
                digest.update(json.dumps(values, ensure_ascii=False).encode())
    return counts, digest.hexdigest()


if TYPE_CHECKING:

    def _implements(store: Store, user: UserStore) -> tuple[Repository, WorkspaceRepository]:
        """mypy checks that both backends' store and its per-user view follow the protocols."""
        return store, user


def parse_location(text: str) -> Path | str:
    """A store named on the command line: ``postgresql://…`` (or ``postgres://…``) as it is;
    ``sqlite:///path/to/koers.sqlite3`` or a plain path as an absolute file path.

    Raises:
        StoreError: ``error.store.location_invalid`` for another scheme (``mysql://…``) or
            nothing at all.
    """
    value = text.strip()
    if is_postgres_url(value):
        return value
    if value.lower().startswith("sqlite://"):
        value = value[len("sqlite://") :]
    if not value or "://" in value:
        raise StoreError("error.store.location_invalid", location=redact_url(text.strip()))
    return Path(value).expanduser().absolute()


# -- drafts (``Store.save_draft``) ------------------------------------------------------------
MAX_DRAFT_BYTES = 200_000  # a KPI draft is a few KB; a bigger one is refused, not kept


def draft_setting(form: str, user: str) -> str:
    """The settings key of ``user``'s draft in ``form``: each person keeps their own."""
    return f"draft.{form}.{user}"


def _draft_owner(key: str) -> str | None:
    """Whose draft the settings key ``key`` holds (``draft_setting``); None: no draft."""
    parts = key.split(".", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "draft" else None


def draft_json(draft: Mapping[str, Any]) -> str:
    """``draft`` as the JSON text kept (sorted keys), checked against ``MAX_DRAFT_BYTES``.

    Raises:
        StoreError: ``error.store.draft_too_large``.
        TypeError, ValueError: if a value cannot be written as JSON.
    """
    text = json.dumps(draft, ensure_ascii=False, sort_keys=True, allow_nan=False)
    size = len(text.encode("utf-8"))
    if size > MAX_DRAFT_BYTES:
        raise StoreError("error.store.draft_too_large", size=_kb(size), limit=_kb(MAX_DRAFT_BYTES))
    return text


def _kb(size: int) -> int:
    return -(-size // 1000)  # rounded up: 200 001 bytes is over "200 KB"


def _without_drafts(settings_text: str) -> str:
    """Settings JSON without the drafts ``Store.save_draft`` keeps in it."""
    settings = json.loads(settings_text)
    kept = {k: v for k, v in settings.items() if not str(k).startswith("draft.")}
    return (
        settings_text if kept == settings else json.dumps(kept, ensure_ascii=False, sort_keys=True)
    )
