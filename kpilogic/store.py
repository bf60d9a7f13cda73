"""Persistence: workspaces with their scorecard, its earlier versions, files, settings, check-ins.

Everything a user defines is kept in one embedded SQLite file (``default_db_path()``), so a
browser reload or a server restart loses nothing. The schema is versioned: ``MIGRATIONS`` are
applied in order inside one transaction, and opening an older database upgrades it.
Several Streamlit sessions (threads) and processes may write at once: the database runs in
WAL mode, every operation opens its own short-lived connection, and every write takes the
write lock up front (``BEGIN IMMEDIATE``) so concurrent writers queue instead of failing.
A damaged file is reported as ``StoreError("error.store.damaged")``; ``Store.open_or_recover``
moves it aside and starts afresh, so the app still starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpilogic.checkins import CheckIn
from kpilogic.errors import StoreError
from kpilogic.i18n import Lang, normalise_lang
from kpilogic.model import Scorecard

MB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 50.0
DEFAULT_MAX_WORKSPACE_MB = 200.0
DEFAULT_MAX_VERSIONS = 500
BUSY_TIMEOUT_S = 10.0
NAME_MAX = 200
FILE_NAME_MAX = 255
NOTE_MAX = 2000

# Each script is one schema version; never edit a released one, append a new one.
# One statement per line-end ';' (see ``_statements``).
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
)
SCHEMA_VERSION = len(MIGRATIONS)

# Files sit beside the database and belong to it; they move aside with a damaged one.
_SIDE_FILES = ("-wal", "-shm", "-journal")


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

    Size limits for kept files default to 50 MB per file and 200 MB per workspace, overridden
    by ``$KOERS_MAX_FILE_MB`` / ``$KOERS_MAX_WORKSPACE_MB`` and then by the arguments. Only the
    ``max_versions`` newest versions of each scorecard are kept.

    Raises:
        StoreError: ``error.store.damaged`` (not a database, or a damaged one),
            ``error.store.too_new`` (made by a newer Koers), ``error.store.not_koers``
            (another program's database), ``error.store.unavailable`` (cannot create or open
            the file), ``error.store.busy`` (locked longer than ``timeout`` seconds).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        max_file_mb: float | None = None,
        max_workspace_mb: float | None = None,
        max_versions: int = DEFAULT_MAX_VERSIONS,
        timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        self.path = Path(path or default_db_path()).expanduser().absolute()
        file_mb = max_file_mb or _env_mb("KOERS_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)
        workspace_mb = max_workspace_mb or _env_mb(
            "KOERS_MAX_WORKSPACE_MB", DEFAULT_MAX_WORKSPACE_MB
        )
        self.max_file_bytes = int(file_mb * MB)
        self.max_workspace_bytes = int(workspace_mb * MB)
        self.max_versions = max(1, max_versions)
        self.timeout = timeout
        self._open()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @classmethod
    def open_or_recover(
        cls,
        path: Path | None = None,
        *,
        max_file_mb: float | None = None,
        max_workspace_mb: float | None = None,
        max_versions: int = DEFAULT_MAX_VERSIONS,
        timeout: float = BUSY_TIMEOUT_S,
    ) -> tuple[Store, Path | None]:
        """Open the database; if it is damaged, move it aside and start a fresh one.

        Returns the store and, after a recovery, where the damaged file was moved
        (``<name>.damaged-<UTC time>``), so the app can tell the user (``store.recovered``).

        Raises:
            StoreError: any error of ``Store()`` other than ``error.store.damaged``, or
                ``error.store.unavailable`` if the damaged file cannot be moved.
        """
        target = Path(path or default_db_path()).expanduser().absolute()
        options: dict[str, Any] = {
            "max_file_mb": max_file_mb,
            "max_workspace_mb": max_workspace_mb,
            "max_versions": max_versions,
            "timeout": timeout,
        }
        try:
            return cls(target, **options), None
        except StoreError as exc:
            if exc.key != "error.store.damaged":
                raise
        moved = _move_aside(target)
        return cls(target, **options), moved

    # -- workspaces ------------------------------------------------------------------------
    def create_workspace(self, name: str, scorecard: Scorecard, lang: str = "en") -> Workspace:
        """A new workspace holding ``scorecard`` as its version 1.

        Raises:
            StoreError: ``error.store.name_invalid`` for an empty or overlong name.
        """
        name = _workspace_name(name)
        workspace_id = uuid.uuid4().hex
        now = _now()
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
        return Workspace(workspace_id, name, now, now, language)

    def list_workspaces(self) -> list[Workspace]:
        """All workspaces, the most recently changed first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, name, created_at, updated_at, lang FROM workspaces"
                " ORDER BY updated_at DESC, rowid DESC"
            ).fetchall()
        return [_workspace(row) for row in rows]

    def get_workspace(self, workspace_id: str) -> Workspace:
        """The workspace ``workspace_id``.

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, name, created_at, updated_at, lang FROM workspaces WHERE id = ?",
                (workspace_id,),
            ).fetchone()
        if row is None:
            raise StoreError("error.store.workspace_missing", id=workspace_id)
        return _workspace(row)

    def rename_workspace(self, workspace_id: str, name: str) -> Workspace:
        """Give the workspace a new name; returns it as renamed.

        Raises:
            StoreError: ``error.store.name_invalid``, ``error.store.workspace_missing``.
        """
        name = _workspace_name(name)
        with self._write() as conn:
            self._require(conn, workspace_id)
            conn.execute("UPDATE workspaces SET name = ? WHERE id = ?", (name, workspace_id))
            self._touch(conn, workspace_id)
        return self.get_workspace(workspace_id)

    def set_lang(self, workspace_id: str, lang: str) -> None:
        """Remember the user's language (``nl``/``en``; browser locales are normalised).

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        with self._write() as conn:
            self._require(conn, workspace_id)
            conn.execute(
                "UPDATE workspaces SET lang = ? WHERE id = ?", (normalise_lang(lang), workspace_id)
            )

    def duplicate_workspace(self, workspace_id: str, new_name: str) -> Workspace:
        """A copy of the workspace: its current scorecard (as version 1 of the copy), settings,
        files and check-ins. The earlier versions stay with the original.

        Raises:
            StoreError: ``error.store.name_invalid``, ``error.store.workspace_missing``.
        """
        name = _workspace_name(new_name)
        copy_id = uuid.uuid4().hex
        now = _now()
        with self._write() as conn:
            row = conn.execute(
                "SELECT lang, scorecard_json, settings_json FROM workspaces WHERE id = ?",
                (workspace_id,),
            ).fetchone()
            if row is None:
                raise StoreError("error.store.workspace_missing", id=workspace_id)
            lang, text, settings = row
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
        return Workspace(copy_id, name, now, now, normalise_lang(lang))

    def delete_workspace(self, workspace_id: str) -> None:
        """Delete the workspace with its versions, settings, files and check-ins. (The file
        does not shrink: SQLite reuses the freed space for later saves.)

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        with self._write() as conn:
            deleted = conn.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))
            if deleted.rowcount == 0:
                raise StoreError("error.store.workspace_missing", id=workspace_id)

    # -- the scorecard and its versions ----------------------------------------------------
    def load_scorecard(self, workspace_id: str) -> Scorecard:
        """The workspace's current scorecard, validated strictly.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            ScorecardError: if the stored scorecard is not valid (e.g. from a newer Koers).
        """
        with self._connect() as conn:
            row = conn.execute(
                "SELECT scorecard_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()
        if row is None:
            raise StoreError("error.store.workspace_missing", id=workspace_id)
        return Scorecard.from_json(row[0])

    def save_scorecard(self, workspace_id: str, scorecard: Scorecard, note: str = "") -> int | None:
        """Make ``scorecard`` the current one and keep it as a new version.

        Returns the new version number, or None when the scorecard equals the latest version
        (nothing is written then). Versions beyond ``max_versions`` are dropped, oldest first.

        Raises:
            StoreError: ``error.store.workspace_missing``, ``error.store.note_too_long``.
        """
        text = scorecard.to_json()
        note = _note(note)
        with self._write() as conn:
            self._require(conn, workspace_id)
            latest = conn.execute(
                "SELECT version, scorecard_json FROM scorecard_versions WHERE workspace_id = ?"
                " ORDER BY version DESC LIMIT 1",
                (workspace_id,),
            ).fetchone()
            if latest is not None and latest[1] == text:
                return None
            version = (latest[0] if latest is not None else 0) + 1
            now = _stamp(_now())
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
        return version

    def list_versions(self, workspace_id: str) -> list[ScorecardVersion]:
        """The kept versions of the workspace's scorecard, newest first.

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id)
            rows = conn.execute(
                "SELECT version, saved_at, note FROM scorecard_versions WHERE workspace_id = ?"
                " ORDER BY version DESC",
                (workspace_id,),
            ).fetchall()
        return [ScorecardVersion(workspace_id, v, _parse(at), note) for v, at, note in rows]

    def load_version(self, workspace_id: str, version: int) -> Scorecard:
        """Version ``version`` of the workspace's scorecard, validated strictly.

        Raises:
            StoreError: ``error.store.workspace_missing``, ``error.store.version_missing``.
            ScorecardError: if the stored scorecard is not valid.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id)
            row = conn.execute(
                "SELECT scorecard_json FROM scorecard_versions"
                " WHERE workspace_id = ? AND version = ?",
                (workspace_id, version),
            ).fetchone()
        if row is None:
            raise StoreError("error.store.version_missing", version=version)
        return Scorecard.from_json(row[0])

    def restore_version(self, workspace_id: str, version: int, note: str = "") -> Scorecard:
        """Make version ``version`` the current scorecard again, kept as a new version (the
        versions in between stay). Returns the restored scorecard. A translated default for
        ``note`` is the message ``store.note.restored``.

        Raises:
            StoreError: ``error.store.workspace_missing``, ``error.store.version_missing``.
            ScorecardError: if the stored scorecard is not valid.
        """
        scorecard = self.load_version(workspace_id, version)
        self.save_scorecard(workspace_id, scorecard, note)
        return scorecard

    # -- settings --------------------------------------------------------------------------
    def get_settings(self, workspace_id: str) -> dict[str, Any]:
        """The settings the app saved for the workspace (``{}`` until it saves any).

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        with self._connect() as conn:
            row = conn.execute(
                "SELECT settings_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()
        if row is None:
            raise StoreError("error.store.workspace_missing", id=workspace_id)
        settings: dict[str, Any] = json.loads(row[0])
        return settings

    def save_settings(self, workspace_id: str, settings: Mapping[str, Any]) -> None:
        """Replace the workspace's settings. Values must be JSON types (convert dates with
        ``isoformat()``). Settings are UI state: saving them does not count as a change.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            TypeError: if a value cannot be written as JSON.
        """
        text = json.dumps(dict(settings), ensure_ascii=False, sort_keys=True)
        with self._write() as conn:
            self._require(conn, workspace_id)
            conn.execute(
                "UPDATE workspaces SET settings_json = ? WHERE id = ?", (text, workspace_id)
            )

    def update_settings(self, workspace_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into the workspace's settings in one transaction (so two
        sessions changing different keys do not undo each other); returns the result.

        Raises:
            StoreError: ``error.store.workspace_missing``.
            TypeError: if a value cannot be written as JSON.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT settings_json FROM workspaces WHERE id = ?", (workspace_id,)
            ).fetchone()
            if row is None:
                raise StoreError("error.store.workspace_missing", id=workspace_id)
            merged: dict[str, Any] = {**json.loads(row[0]), **changes}
            text = json.dumps(merged, ensure_ascii=False, sort_keys=True)
            conn.execute(
                "UPDATE workspaces SET settings_json = ? WHERE id = ?", (text, workspace_id)
            )
        return merged

    # -- files -----------------------------------------------------------------------------
    def save_file(self, workspace_id: str, name: str, data: bytes) -> StoredFile:
        """Keep an uploaded file with the workspace; a file of the same name is replaced.

        Saving the same bytes again under the same name writes nothing.

        Raises:
            StoreError: ``error.store.file_too_large`` (over the per-file limit),
                ``error.store.workspace_full`` (the workspace's files would exceed their
                limit), ``error.store.file_name_invalid``, ``error.store.workspace_missing``.
        """
        name = _file_name(name)
        size = len(data)
        if size > self.max_file_bytes:
            raise StoreError(
                "error.store.file_too_large", name=name, limit_mb=_mb(self.max_file_bytes)
            )
        digest = hashlib.sha256(data).hexdigest()
        now = _now()
        with self._write() as conn:
            self._require(conn, workspace_id)
            same = conn.execute(
                "SELECT uploaded_at FROM files WHERE workspace_id = ? AND name = ? AND sha256 = ?",
                (workspace_id, name, digest),
            ).fetchone()
            if same is not None:
                return StoredFile(name, digest, size, _parse(same[0]))
            others = conn.execute(
                "SELECT COALESCE(SUM(size), 0) FROM files WHERE workspace_id = ? AND name <> ?",
                (workspace_id, name),
            ).fetchone()[0]
            if others + size > self.max_workspace_bytes:
                raise StoreError(
                    "error.store.workspace_full", name=name, limit_mb=_mb(self.max_workspace_bytes)
                )
            conn.execute(
                "INSERT INTO files (workspace_id, name, sha256, size, uploaded_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, name) DO UPDATE SET"
                " sha256 = excluded.sha256, size = excluded.size,"
                " uploaded_at = excluded.uploaded_at, data = excluded.data",
                (workspace_id, name, digest, size, _stamp(now), data),
            )
            self._touch(conn, workspace_id)
        return StoredFile(name, digest, size, now)

    def list_files(self, workspace_id: str) -> list[StoredFile]:
        """The files kept with the workspace, by name.

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id)
            rows = conn.execute(
                "SELECT name, sha256, size, uploaded_at FROM files WHERE workspace_id = ?"
                " ORDER BY name",
                (workspace_id,),
            ).fetchall()
        return [StoredFile(name, sha, size, _parse(at)) for name, sha, size, at in rows]

    def load_file(self, workspace_id: str, name: str) -> bytes:
        """The bytes of a kept file.

        Raises:
            StoreError: ``error.store.file_missing``, ``error.store.workspace_missing``.
        """
        with self._connect() as conn:
            self._require(conn, workspace_id)
            row = conn.execute(
                "SELECT data FROM files WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            ).fetchone()
        if row is None:
            raise StoreError("error.store.file_missing", name=name)
        return bytes(row[0])

    def delete_file(self, workspace_id: str, name: str) -> None:
        """Stop keeping a file with the workspace.

        Raises:
            StoreError: ``error.store.file_missing``, ``error.store.workspace_missing``.
        """
        with self._write() as conn:
            self._require(conn, workspace_id)
            deleted = conn.execute(
                "DELETE FROM files WHERE workspace_id = ? AND name = ?", (workspace_id, name)
            )
            if deleted.rowcount == 0:
                raise StoreError("error.store.file_missing", name=name)
            self._touch(conn, workspace_id)

    # -- check-ins -------------------------------------------------------------------------
    def add_checkin(self, workspace_id: str, checkin: CheckIn) -> int:
        """Keep a check-in with the workspace; returns its id.

        Raises:
            StoreError: ``error.store.workspace_missing``.
        """
        review = checkin.next_review.isoformat() if checkin.next_review else None
        with self._write() as conn:
            self._require(conn, workspace_id)
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
        return cursor.lastrowid

    def list_checkins(self, workspace_id: str, kpi_id: str | None = None) -> list[StoredCheckIn]:
        """The workspace's check-ins (of one KPI if ``kpi_id`` is given), newest first.

        Raises:
            StoreError: ``error.store.workspace_missing``.
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
            self._require(conn, workspace_id)
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

    def delete_checkin(self, checkin_id: int, workspace_id: str | None = None) -> None:
        """Delete a check-in (only from ``workspace_id`` when given, as a guard).

        Raises:
            StoreError: ``error.store.checkin_missing``.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT workspace_id FROM checkins WHERE id = ?", (checkin_id,)
            ).fetchone()
            if row is None or (workspace_id is not None and row[0] != workspace_id):
                raise StoreError("error.store.checkin_missing", id=checkin_id)
            conn.execute("DELETE FROM checkins WHERE id = ?", (checkin_id,))
            self._touch(conn, row[0])

    # -- plumbing --------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise StoreError("error.store.unavailable", path=str(self.path), detail=detail) from exc
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StoreError("error.store.damaged", path=str(self.path))
            self._migrate(conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        # One transaction for all steps: a second process opening the same file at the same
        # time waits here and then finds the schema up to date.
        with _transaction(conn):
            version = self._schema_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    "error.store.too_new",
                    path=str(self.path),
                    version=version,
                    supported=SCHEMA_VERSION,
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute("DELETE FROM meta")
                conn.execute("INSERT INTO meta (schema_version) VALUES (?)", (number,))

    def _schema_version(self, conn: sqlite3.Connection) -> int:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if "meta" not in tables:
            if tables - {"sqlite_sequence"}:
                raise StoreError("error.store.not_koers", path=str(self.path))
            return 0
        row = conn.execute("SELECT MAX(schema_version) FROM meta").fetchone()
        return int(row[0] or 0)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection in autocommit mode (transactions are explicit: ``_write``)."""
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
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside a write transaction, committed when the block ends."""
        with self._connect() as conn, _transaction(conn):
            yield conn

    def _translate(self, exc: sqlite3.Error) -> StoreError | None:
        """The ``StoreError`` a user can act on for a SQLite error; None for other errors
        (bugs), which are raised as they are."""
        code = exc.sqlite_errorcode & 0xFF if isinstance(exc.sqlite_errorcode, int) else -1
        path = str(self.path)
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

    @staticmethod
    def _require(conn: sqlite3.Connection, workspace_id: str) -> None:
        found = conn.execute("SELECT 1 FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
        if found is None:
            raise StoreError("error.store.workspace_missing", id=workspace_id)

    @staticmethod
    def _touch(conn: sqlite3.Connection, workspace_id: str) -> None:
        conn.execute(
            "UPDATE workspaces SET updated_at = ? WHERE id = ?", (_stamp(_now()), workspace_id)
        )


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
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


def _statements(script: str) -> Iterator[str]:
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
    return f"{limit_bytes / MB:g}"


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
    workspace_id, name, created_at, updated_at, lang = row
    return Workspace(
        workspace_id, name, _parse(created_at), _parse(updated_at), normalise_lang(lang)
    )
