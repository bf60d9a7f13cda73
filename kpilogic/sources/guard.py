"""Keeping one file from taking the server down: size limits per sheet and a guarded first open.

A 1.9 KB .xlsx with two cells, A1 and XFD1048576, makes calamine allocate the whole rectangle
between them (17 billion cells, 512 GiB); the allocation fails inside Rust, which aborts the
process — the whole server, for every user. A damaged .xls can do the same. So every
workbook (xlsx, xlsm, xlsb, ods, xls) is first opened in a short-lived child process with an
address-space limit; the child loads every sheet and reports its used range (rows × columns).
If the child dies, the file is refused and the server never touched it. The ranges it reports
are then checked against the limits below before the app reads a sheet itself.

Why a child rather than a scan of the sheet XML: the child runs the very reader that would
crash, so it covers every format and every trick (cells without a reference, namespaced tags,
binary xlsb records, repeated ods cells) alike. It costs about as much CPU as a regex scan of
an inflated .xlsx (see the README's "Large workbooks"), once per distinct file: a file read
once is remembered by its content hash.

CSV text is checked by ``check_shape`` after the cheap split into rows, and its width already
on the first lines, so a 16,384-column CSV is refused before anything else looks at it.

Limits (environment overrides, positive whole numbers): ``KOERS_MAX_COLUMNS`` (1,000),
``KOERS_MAX_ROWS`` (2,000,000), ``KOERS_MAX_CELLS`` (15,000,000: the largest workbook the
upload limit admits, a million rows of nine columns, is 9 million cells, and reading a sparse
sheet of 20 million empty cells already takes 27 s of CPU); the child's memory
``KOERS_READ_MEMORY_MB`` (4,096) and time (120 s), at most ``KOERS_READ_CHILDREN`` (2) at once;
``KOERS_READ_GUARD=0`` reads in-process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from kpilogic.errors import ReadError

MAX_COLUMNS_ENV = "KOERS_MAX_COLUMNS"
MAX_ROWS_ENV = "KOERS_MAX_ROWS"
MAX_CELLS_ENV = "KOERS_MAX_CELLS"
DEFAULT_MAX_COLUMNS = 1_000
DEFAULT_MAX_ROWS = 2_000_000
DEFAULT_MAX_CELLS = 15_000_000
READ_MEMORY_ENV = "KOERS_READ_MEMORY_MB"
READ_GUARD_ENV = "KOERS_READ_GUARD"
# The names of the .xls-only guard this module grew from are still honoured.
_OLD_MEMORY_ENV = "KOERS_XLS_MEMORY_MB"
_OLD_GUARD_ENV = "KOERS_XLS_GUARD"
DEFAULT_READ_MEMORY_MB = 4096
READ_SECONDS = 120
READ_CHILDREN_ENV = "KOERS_READ_CHILDREN"
DEFAULT_READ_CHILDREN = 2


@dataclass(frozen=True)
class Limits:
    """What one sheet (or CSV) may hold."""

    rows: int
    columns: int
    cells: int


def _positive(env: str, default: int) -> int:
    text = os.environ.get(env, "").replace("_", "").strip()
    try:
        value = int(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def limits() -> Limits:
    """The limits in force (environment overrides, else 2,000,000 rows, 1,000 columns,
    15,000,000 cells)."""
    return Limits(
        rows=_positive(MAX_ROWS_ENV, DEFAULT_MAX_ROWS),
        columns=_positive(MAX_COLUMNS_ENV, DEFAULT_MAX_COLUMNS),
        cells=_positive(MAX_CELLS_ENV, DEFAULT_MAX_CELLS),
    )


def _count(value: int) -> str:
    # Grouped with a no-break space (16 384), which Dutch and English readers both read as
    # one number, so the parameter needs no language.
    return f"{value:,}".replace(",", "\u00a0")


def check_shape(name: str, sheet: str | None, rows: int, columns: int) -> None:
    """Refuse a sheet (or a CSV, ``sheet=None``) of ``rows`` × ``columns`` over the limits.

    Raises:
        ReadError: ``error.read.too_many_columns``, ``error.read.too_many_rows`` or
            ``error.read.too_many_cells`` (with ``_csv`` for a CSV), naming the file, the
            sheet, its size and the limit.
    """
    limit = limits()
    # A CSV is one table: its messages name the file alone.
    suffix = "" if sheet is not None else "_csv"
    where = sheet if sheet is not None else name
    if columns > limit.columns:
        raise ReadError(
            "error.read.too_many_columns" + suffix,
            name=name,
            sheet=where,
            count=_count(columns),
            limit=_count(limit.columns),
        )
    if rows > limit.rows:
        raise ReadError(
            "error.read.too_many_rows" + suffix,
            name=name,
            sheet=where,
            count=_count(rows),
            limit=_count(limit.rows),
        )
    if rows * columns > limit.cells:
        raise ReadError(
            "error.read.too_many_cells" + suffix,
            name=name,
            sheet=where,
            rows=_count(rows),
            columns=_count(columns),
            count=_count(rows * columns),
            limit=_count(limit.cells),
        )


def check_text_width(lines: list[list[str]], name: str) -> None:
    """Refuse a CSV whose first lines are wider than the column limit (before the whole file
    is split into cells).

    Raises:
        ReadError: ``error.read.too_many_columns``.
    """
    width = max(map(len, lines), default=0)
    check_shape(name, None, 0, width)


# The child opens the workbook and loads every sheet under an address-space limit, printing
# one JSON line per sheet: [name, rows, columns, first row, first column, merged ranges] or
# [name, null, null] when that sheet cannot be read. Exit 0: done; 3: a Python-level error
# opening the file (the parent reads the file itself to get calamine's precise complaint);
# 4: out of memory; anything else — above all SIGABRT from Rust's allocation-failure
# handler — means the file would have taken the app down.
_PROBE = """
import json, resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
    names = list(book.sheet_names)
except MemoryError:
    sys.exit(4)
except BaseException:
    sys.exit(3)
for name in names:
    try:
        sheet = book.get_sheet_by_name(name)
        start = sheet.start or (0, 0)
        merged = sheet.merged_cell_ranges
        merges = None if merged is None else len(merged)
        shape = [sheet.height, sheet.width, start[0], start[1], merges]
    except MemoryError:
        sys.exit(4)
    except BaseException:  # also a panic in the Rust reader: that sheet is unreadable
        shape = [None, None]
    print(json.dumps([name, *shape]), flush=True)
"""

Shapes = dict[str, tuple[int, int]]
_KNOWN: OrderedDict[str, Shapes] = OrderedDict()  # content hash → the sheets' used ranges
_KNOWN_KEPT = 256
# content hash → each sheet's top-left cell (row, column) and merged ranges (None: unknown)
_FACTS: OrderedDict[str, dict[str, tuple[int, int, int | None]]] = OrderedDict()
_KNOWN_LOCK = threading.Lock()
# Children at once: each may use up to KOERS_READ_MEMORY_MB, so a burst of uploads waits its
# turn instead of taking the machine's memory together.
_SLOTS = threading.BoundedSemaphore(_positive(READ_CHILDREN_ENV, DEFAULT_READ_CHILDREN))


def _guard_on() -> bool:
    value = os.environ.get(READ_GUARD_ENV, os.environ.get(_OLD_GUARD_ENV, "")).strip()
    return value != "0"


def _memory_bytes() -> int:
    megabytes = _positive(READ_MEMORY_ENV, _positive(_OLD_MEMORY_ENV, DEFAULT_READ_MEMORY_MB))
    return max(megabytes, 256) << 20


STALE_SECONDS = 24 * 3600
_swept = threading.Event()


def sweep_stale_temp(folder: Path | None = None, max_age: float = STALE_SECONDS) -> list[Path]:
    """Remove what a killed process left behind: ``koers-*`` folders in the temporary folder
    that hold nothing but one ``book.*`` file and are older than ``max_age`` seconds.

    Reading cleans up after itself on every path (read, refused, child killed); only a process
    killed from outside mid-read leaves its folder. Folders of other shapes are never touched.
    Returns the folders removed.
    """
    root = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(root.glob("koers-*"))
    except OSError:
        return removed
    for candidate in candidates:
        try:
            if not candidate.is_dir() or candidate.is_symlink():
                continue
            inside = list(candidate.iterdir())
            if len(inside) != 1 or not inside[0].name.startswith("book."):
                continue
            if not inside[0].is_file() or inside[0].is_symlink():
                continue
            if now - max(candidate.stat().st_mtime, inside[0].stat().st_mtime) < max_age:
                continue
            inside[0].unlink()
            candidate.rmdir()
            removed.append(candidate)
        except OSError:
            continue
    return removed


def probe_workbook(path: Path, data: bytes, name: str, fmt: str) -> Shapes:
    """Open the workbook at ``path`` (the bytes ``data``) in a child process first.

    Returns the used range (rows, columns) of each sheet the child could load; empty when
    the guard is off, no child could be started, or the child could not open the file (the
    caller's own read then says why). Costs one short-lived interpreter plus one read of the
    file per distinct file; a file read once is remembered by its content hash.

    Raises:
        ReadError: ``error.read.damaged`` (.xls) or ``error.read.range_too_large`` (other
            formats) when the child ran out of memory or was killed; ``error.read.too_large``
            when it did not finish in time.
    """
    if not _swept.is_set():  # once per process: folders left by a process killed mid-read
        _swept.set()
        sweep_stale_temp()
    if not _guard_on():
        return {}
    digest = hashlib.sha256(data).hexdigest()
    with _KNOWN_LOCK:
        if digest in _KNOWN:
            _KNOWN.move_to_end(digest)
            return dict(_KNOWN[digest])
    try:
        with _SLOTS:
            done = subprocess.run(
                [sys.executable, "-c", _PROBE, str(path), str(_memory_bytes())],
                capture_output=True,
                timeout=READ_SECONDS,
                check=False,
                stdin=subprocess.DEVNULL,
            )
    except subprocess.TimeoutExpired as exc:  # run() has killed and reaped the child
        raise ReadError("error.read.too_large", name=name) from exc
    except OSError:
        return {}  # no child could be started: read in-process as before
    if done.returncode == 3:
        return {}
    if done.returncode != 0:
        key = "error.read.damaged" if fmt == "xls" else "error.read.range_too_large"
        raise ReadError(key, name=name)
    shapes: Shapes = {}
    facts: dict[str, tuple[int, int, int | None]] = {}
    for line in done.stdout.decode("utf-8", errors="replace").splitlines():
        try:
            sheet, rows, columns, *more = json.loads(line)
        except (ValueError, TypeError):
            continue
        if isinstance(rows, int) and isinstance(columns, int):
            shapes[str(sheet)] = (rows, columns)
            if len(more) == 3 and all(isinstance(v, int) for v in more[:2]):
                merged = more[2] if isinstance(more[2], int) else None
                facts[str(sheet)] = (int(more[0]), int(more[1]), merged)
    with _KNOWN_LOCK:
        _KNOWN[digest] = shapes
        _FACTS[digest] = facts
        while len(_FACTS) > _KNOWN_KEPT:
            _FACTS.popitem(last=False)
        while len(_KNOWN) > _KNOWN_KEPT:
            _KNOWN.popitem(last=False)
    return dict(shapes)


def sheet_facts(data: bytes) -> dict[str, tuple[int, int, int | None]]:
    """What the guarded child saw of each sheet of the workbook ``data`` (after
    ``probe_workbook``): its top-left cell as 0-based (row, column) and its number of merged
    ranges (None when the format does not say). Empty when the child did not run (guard off,
    no child, the file not probed yet): the caller then takes the reading path that needs
    none of it."""
    digest = hashlib.sha256(data).hexdigest()
    with _KNOWN_LOCK:
        return dict(_FACTS.get(digest, {}))


def remembered_probe(
    data: bytes,
) -> tuple[Shapes, dict[str, tuple[int, int, int | None]]] | None:
    """``probe_workbook``'s shapes and ``sheet_facts`` of the workbook ``data`` when it was
    probed before (one hash, no temporary file, no child); None when it was not, or the
    guard is off (``probe_workbook`` then says what to do)."""
    if not _guard_on():
        return None
    digest = hashlib.sha256(data).hexdigest()
    with _KNOWN_LOCK:
        if digest not in _KNOWN:
            return None
        _KNOWN.move_to_end(digest)
        return dict(_KNOWN[digest]), dict(_FACTS.get(digest, {}))


__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_ROWS",
    "Limits",
    "check_shape",
    "check_text_width",
    "limits",
    "probe_workbook",
    "remembered_probe",
    "sheet_facts",
    "sweep_stale_temp",
]
