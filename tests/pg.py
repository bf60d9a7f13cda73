"""A throwaway PostgreSQL server for the tests: Debian's ``postgresql`` package, a fresh cluster
in a temp folder, listening on 127.0.0.1 on a free port, stopped and removed afterwards.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` user
the Debian package creates (``runuser``); as anyone else it runs as that user. Nothing is
skipped: when the server cannot start, the tests that need it fail with what went wrong.
(``pytest-postgresql`` does the same but runs ``pg_ctl`` as the current user, which fails as
root in CI; these forty lines do not need it.)
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

INSTALL_HINT = (
    "PostgreSQL is needed for the store tests on PostgreSQL: install Debian's package "
    "(apt-get install -y postgresql; ./dev.sh test does it)."
)


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        initdb = shutil.which("initdb")
        if initdb is None:
            pytest.fail(INSTALL_HINT, pytrace=False)
        return Path(initdb).parent
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a PostgreSQL server; yields the URL of its database ``koers`` (user ``koers``,
    no password: trust on 127.0.0.1 only)."""
    bindir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="koers-pg-"))
    data = folder / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("no 'postgres' user to run PostgreSQL as; " + INSTALL_HINT, pytrace=False)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(
                f"PostgreSQL did not start ({' '.join(args[:1])}): {done.stderr or done.stdout}",
                pytrace=False,
            )

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "koers", "-A", "trust", "-E", "UTF8")
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "koers", "koers")
        yield f"postgresql://koers@127.0.0.1:{port}/koers"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        time.sleep(0.1)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_schema(url: str) -> str:
    """A new, empty schema in the test server's database; the URL that uses it (each test
    gets its own: cheaper than a database each)."""
    import psycopg

    name = "t" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{url}?options=-csearch_path%3D{name}"


def query(where: object, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Look into a store's database directly, past the Store's API, and commit: ``where`` is
    a ``Store``, a SQLite file or a PostgreSQL URL; ``?`` placeholders on both."""
    from kpilogic.workspace.store import Store, is_postgres_url

    if isinstance(where, Store):
        where = where.url or where.path
    if isinstance(where, str) and is_postgres_url(where):
        import psycopg

        with psycopg.connect(where, autocommit=True) as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    conn = sqlite3.connect(str(where))
    try:
        with conn:
            return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
