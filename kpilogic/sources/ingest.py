"""Reading uploaded files: spreadsheet or CSV bytes in, a sheet's raw cells out.

This is the first step of the one-way flow. A file is recognised by its content (zip, OLE2
or text) checked against its suffix; spreadsheets are read with python-calamine and CSV text
after sniffing its encoding and delimiter. ``read_grid`` gives a sheet's cells as they are,
with their spreadsheet positions; finding the table in them is ``layout``'s step and typing
its columns ``parsing``'s (``pipeline.read_dataset`` runs the three).

Every failure is a ``ReadError`` with a message key; no reader exception escapes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path, PurePath
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac
import python_calamine

from kpilogic.errors import ReadError
from kpilogic.sources.cells import blank_mask
from kpilogic.sources.guard import check_shape, check_text_width, probe_workbook
from kpilogic.sources.parsing import cell_text

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")

Format = Literal["xlsx", "xlsb", "ods", "xls", "csv"]


@dataclass(frozen=True)
class SheetInfo:
    """A worksheet's name and whether it is visible (hidden sheets are listed too)."""

    name: str
    visible: bool


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An OOXML file saved with a password is an OLE2 container holding this stream.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Declared unpacked size above which a zip is refused before any XML is parsed (zip bombs).
_MAX_UNPACKED = 1 << 30
# A zip that unpacks to more than _RATIO_FLOOR bytes at more than _MAX_RATIO times its packed
# size is refused too: real workbooks pack 5–30 times, bombs hundreds or thousands of times.
_MAX_RATIO = 100
_RATIO_FLOOR = 100 << 20
# Uploads above this many megabytes are refused before anything is parsed (env override).
DEFAULT_MAX_UPLOAD_MB = 50.0
MAX_UPLOAD_ENV = "KOERS_MAX_UPLOAD_MB"
_DELIMITERS = (";", "\t", ",", "|")
SNIFF_LINES = 50
STR = pd.StringDtype(na_value=np.nan)

# The date window a datetime64[ns] column can hold; dates outside it stay text.
MIN_TS = datetime(1677, 9, 22)
MAX_TS = datetime(2262, 4, 11)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


# -- recognising the file --------------------------------------------------------------------


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower()


def _check_suffix(name: str) -> None:
    suffix = _suffix(name)
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ReadError("error.read.unsupported_suffix", name=name, suffix=suffix or "(none)")


def _zip_format(data: bytes, name: str) -> Format:
    """xlsx, xlsb or ods, from the members of the zip; refuses zip bombs and other zips."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unpacked = sum(m.file_size for m in members)
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, KeyError) as exc:
        # A damaged zip: let calamine try by suffix so the user gets its precise complaint.
        suffix = _suffix(name)
        if suffix in (".xlsx", ".xlsm", ".xlsb", ".ods"):
            return "xlsb" if suffix == ".xlsb" else "ods" if suffix == ".ods" else "xlsx"
        raise ReadError("error.read.unreadable", name=name, detail=str(exc)) from exc
    packed = sum(m.compress_size for m in members)
    if unpacked > _MAX_UNPACKED or (
        unpacked > _RATIO_FLOOR and unpacked > _MAX_RATIO * max(packed, 1)
    ):
        raise ReadError("error.read.too_large", name=name)
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if "content.xml" in names and _suffix(name) == ".ods":
        return "ods"
    raise ReadError("error.read.not_spreadsheet", name=name)


def _looks_like_text(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(head) // 100


def max_upload_mb() -> float:
    """The upload size limit in megabytes: ``KOERS_MAX_UPLOAD_MB`` when set to a positive
    number, else 50."""
    text = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        value = float(text) if text else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB
    return value if value > 0 and math.isfinite(value) else DEFAULT_MAX_UPLOAD_MB


def check_upload_size(data: bytes, name: str) -> None:
    """Refuse a file over the upload limit (``max_upload_mb``) before anything parses it.

    Raises:
        ReadError: ``error.read.over_limit`` with the file's size and the limit in MB.
    """
    limit = max_upload_mb()
    if len(data) > limit * (1 << 20):
        size = len(data) / (1 << 20)
        raise ReadError("error.read.over_limit", name=name, size=f"{size:.1f}", limit=f"{limit:g}")


def detect_format(data: bytes, name: str) -> Format:
    """The format of ``data``: the content decides, the suffix must be one Koers reads.

    Raises:
        ReadError: ``unsupported_suffix``, ``over_limit``, ``empty``, ``encrypted``,
            ``not_spreadsheet``, ``too_large`` or ``unreadable``.
    """
    _check_suffix(name)
    check_upload_size(data, name)
    if not data or data.isspace():  # what ``not data.strip()`` says, without a copy
        raise ReadError("error.read.empty", name=name)
    if data.startswith(_ZIP_MAGIC):
        return _zip_format(data, name)
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise ReadError("error.read.encrypted", name=name)
        return "xls"
    if _looks_like_text(data):
        return "csv"
    raise ReadError("error.read.not_spreadsheet", name=name)


# -- spreadsheets through calamine -----------------------------------------------------------


SUFFIX_OF: dict[Format, str] = {"xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods", "xls": ".xls"}


def _wrap(exc: BaseException, name: str) -> ReadError:
    """Our error for an exception raised by calamine while reading ``name``."""
    if isinstance(exc, ReadError):
        return exc
    if isinstance(exc, python_calamine.PasswordError):
        return ReadError("error.read.encrypted", name=name)
    detail = str(exc).strip() or type(exc).__name__
    if "limit exceeded" in detail.lower():
        return ReadError("error.read.too_large", name=name)
    return ReadError("error.read.unreadable", name=name, detail=detail)


def _is_interrupt(exc: BaseException) -> bool:
    return isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


class _Book:
    """A spreadsheet opened by calamine; read everything needed inside the ``with``.

    calamine sniffs the format of in-memory files and answers every failure with "cannot
    detect file format"; opened from a path with the right suffix it says what is wrong
    (password, truncated stream), so the bytes go to a private temporary file first.
    A panic inside the Rust reader arrives as a ``BaseException``; it is caught too.
    """

    def __init__(self, data: bytes, name: str, fmt: Format) -> None:
        self.data, self.name, self.fmt = data, name, fmt

    def __enter__(self) -> _Book:
        self._dir = tempfile.TemporaryDirectory(prefix="koers-")
        try:
            path = Path(self._dir.name) / f"book{SUFFIX_OF[self.fmt]}"
            path.write_bytes(self.data)
            # Every workbook is first opened in a memory-limited child (kpilogic.sources.guard): a
            # sparse or damaged file can make calamine abort the whole process.
            self.shapes = probe_workbook(path, self.data, self.name, self.fmt)
            self.book: Any = python_calamine.CalamineWorkbook.from_path(str(path))
        except BaseException as exc:
            self._dir.cleanup()
            if _is_interrupt(exc):
                raise
            raise _wrap(exc, self.name) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        # Closing is best effort: everything needed has been read by now.
        with contextlib.suppress(Exception):
            self.book.close()
        self._dir.cleanup()

    def sheet_infos(self) -> list[SheetInfo]:
        """Worksheets in workbook order, with their visibility (chart sheets hold no table)."""
        try:
            meta = list(self.book.sheets_metadata)
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            raise _wrap(exc, self.name) from exc
        return [
            SheetInfo(str(sheet.name), str(sheet.visible).rsplit(".", 1)[-1] == "Visible")
            for sheet in meta
            if str(sheet.typ).rsplit(".", 1)[-1] == "WorkSheet"
        ]

    def sheets(self) -> list[str]:
        """Worksheet names, visible ones first."""
        infos = self.sheet_infos()
        return [s.name for s in infos if s.visible] + [s.name for s in infos if not s.visible]

    def grid(self, sheet: str) -> tuple[list[list[Any]], tuple[int, int], Any]:
        """The used range of ``sheet`` as rows, its top-left (row, column) and merged ranges."""
        self.check(sheet)
        try:
            found = self.book.get_sheet_by_name(sheet)
            rows: list[list[Any]] = found.to_python()
            start = found.start or (0, 0)
            merged = found.merged_cell_ranges
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            raise _wrap(exc, self.name) from exc
        return rows, (int(start[0]), int(start[1])), merged

    def check(self, sheet: str) -> None:
        """Refuse ``sheet`` before loading it when its used range is over the limits."""
        shape = getattr(self, "shapes", {}).get(sheet)
        if shape is not None:
            check_shape(self.name, sheet, *shape)


def match_sheet(wanted: str, sheets: Sequence[str], name: str) -> str:
    if wanted in sheets:
        return wanted
    folded = [s for s in sheets if s.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ReadError(
        "error.read.sheet_missing", name=name, sheet=wanted, sheets=", ".join(sheets) or "–"
    )


# -- csv and other text ----------------------------------------------------------------------


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the ANSI code page; latin-1 never fails as the last step.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines into the same number (≥ 2) of fields."""
    lines = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    for rank, delim in enumerate(_DELIMITERS):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        if not counts:
            continue
        width, times = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (times / len(counts), width, -rank)
        if best is None or score > best:
            best, choice = score, delim
    return choice


def text_rows(data: bytes, name: str) -> tuple[list[list[Any]], str | None]:
    text = decode(data)
    delim = sniff_delimiter(text)
    if delim is None:
        if _suffix(name) not in TEXT_SUFFIXES:
            # Text saved as .xls (some systems export that way) must at least look like a table.
            raise ReadError("error.read.not_spreadsheet", name=name)
        delim = ","
    try:
        # A very wide file is refused on its first lines, before it is split into cells.
        head = text[: 1 << 20].splitlines()[:SNIFF_LINES]
        check_text_width(list(csv.reader(head, delimiter=delim)), name)
        rows = [
            [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delim)
        ]
    except csv.Error as exc:
        raise ReadError("error.read.unreadable", name=name, detail=str(exc)) from exc
    check_shape(name, None, len(rows), max(map(len, rows), default=0))
    return rows, delim


# -- rows to a DataFrame ---------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def header(cells: Sequence[Any], positions: Sequence[int]) -> list[str]:
    """Column names: blank ones become "Column N" (N counts from 1 at the left), repeats get
    " (2)", " (3)"…"""
    names: list[str] = []
    seen: set[str] = set()
    for i, cell in zip(positions, cells, strict=True):
        base = cell_text(cell) if not _is_empty(cell) else f"Column {i}"
        candidate, n = base, 2
        while candidate in seen:
            candidate = f"{base} ({n})"
            n += 1
        seen.add(candidate)
        names.append(candidate)
    return names


def in_ns_range(value: date) -> bool:
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return MIN_TS < moment.replace(tzinfo=None) < MAX_TS


# -- public reading API ----------------------------------------------------------------------


def list_sheets(data: bytes, name: str) -> list[str]:
    """The sheet names of a workbook, visible sheets first; for a CSV its file stem.

    Raises:
        ReadError: when the file cannot be read (see ``detect_format``).
    """
    fmt = detect_format(data, name)
    if fmt == "csv":
        return [PurePath(name).stem or name]
    with _Book(data, name, fmt) as book:
        sheets = book.sheets()
    if not sheets:
        raise ReadError("error.read.empty", name=name)
    return sheets


# -- raw grids (for layouts that are not one clean table) -----------------------------------

_MAX_SCANNED_XML = 256 << 20  # sheet XML larger than this is not scanned for error cells
_ERROR_CELL = re.compile(rb"<c\s([^>]*?)(/?)>")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_CELL_VALUE = re.compile(rb"<v>([^<]{1,20})</v>")
DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_info(data: bytes, name: str) -> list[SheetInfo]:
    """The worksheets of a workbook in workbook order, each with its visibility.

    A hidden sheet is listed (``visible=False``): users hide sheets that hold data. A CSV is
    one visible sheet named after the file.

    Raises:
        ReadError: when the file cannot be read (see ``detect_format``).
    """
    fmt = detect_format(data, name)
    if fmt == "csv":
        return [SheetInfo(PurePath(name).stem or name, True)]
    with _Book(data, name, fmt) as book:
        infos = book.sheet_infos()
    if not infos:
        raise ReadError("error.read.empty", name=name)
    return infos


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _xlsx_extras(data: bytes, sheet: str) -> tuple[dict[tuple[int, int], str], int]:
    """Error cells (``#DIV/0!``…) of ``sheet`` by (row, column), and the date system.

    calamine reads error cells as empty, so they are found in the sheet XML. Best effort:
    anything unexpected gives no error cells and the 1900 system.
    """
    from defusedxml import ElementTree

    errors: dict[tuple[int, int], str] = {}
    system = 1900
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book_xml = archive.read("xl/workbook.xml")
            if DATE1904.search(book_xml[: 1 << 20]):
                system = 1904
            root = ElementTree.fromstring(book_xml)
            rel_id = None
            for node in root.iter():
                if node.tag.endswith("}sheet") and node.get("name") == sheet:
                    rel_id = node.get(f"{{{REL_NS}}}id")
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next((r.get("Target", "") for r in rels.iter() if r.get("Id") == rel_id), "")
            if not target:
                return errors, system
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            info = archive.getinfo(path)
            if info.file_size > _MAX_SCANNED_XML:
                return errors, system
            xml = archive.read(path)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, RuntimeError, SyntaxError):
        return errors, system
    except Exception:  # defusedxml refusals (entities, DTDs) are no reason to fail reading
        return errors, system
    if b't="e"' not in xml:
        return errors, system
    for match in _ERROR_CELL.finditer(xml):
        attrs = match.group(1)
        if b't="e"' not in attrs or match.group(2):
            continue
        ref = _CELL_REF.search(attrs)
        value = _CELL_VALUE.match(xml, xml.find(b"<v>", match.end(), match.end() + 2000))
        if ref is None or value is None:
            continue
        row, col = int(ref.group(2)) - 1, _column_index(ref.group(1))
        errors[(row, col)] = value.group(1).decode("ascii", errors="replace")
    return errors, system


def grid_frame(
    rows: Sequence[Sequence[Any]], start: tuple[int, int] = (0, 0), blanks: bool = True
) -> pd.DataFrame:
    widths = set(map(len, rows))
    width = max(widths, default=0)
    cells = np.empty((len(rows), width), dtype=object)
    if rows and width:
        if len(widths) == 1:
            cells[:] = rows  # calamine's rows are rectangular: one C-level copy
        else:
            for i, row in enumerate(rows):  # a CSV's ragged lines
                cells[i, : len(row)] = row
        for j in range(width if blanks else 0):
            column = cells[:, j]
            column[blank_mask(column)] = None
    return pd.DataFrame(
        cells,
        index=pd.RangeIndex(start[0], start[0] + len(rows)),
        columns=pd.RangeIndex(start[1], start[1] + width),
        dtype=object,
        copy=False,
    )


EXTRAS_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="koers-xlsx-extras")


def _has_data(grid: pd.DataFrame) -> bool:
    """Whether some cell of ``grid`` is not blank (blank cells may still be "" or spaces)."""
    for j in range(grid.shape[1]):
        column = grid.iloc[:, j].to_numpy(dtype=object)
        filled = column[(column != None) & (column != "")]  # noqa: E711 (elementwise)
        if len(filled) and not blank_mask(filled).all():
            return True
    return False


def read_grid(
    data: bytes, name: str, sheet: str | None = None, *, blanks_as_none: bool = True
) -> pd.DataFrame:
    """The raw cells of one sheet (or a CSV), without taking any row as the header.

    ``sheet=None`` takes the first sheet (visible first) that holds data; a sheet before it
    that cannot be read (over the limits) is refused with its error, not passed over.

    The frame is of object dtype; its index is the 0-based spreadsheet row and its columns
    the 0-based spreadsheet column of each cell (row 0 is row 1, column 0 is column A), so
    a cell's position is never lost. Empty cells are None; numbers, dates and text are as
    calamine reads them (CSV cells are text). Excel error cells of .xlsx files hold their
    error value (``#DIV/0!``); other formats read them as empty.

    With ``blanks_as_none=False`` blank cells keep what calamine gives ("" or spaces):
    ``layout.cells`` finds them anyway, and a million-row sheet is not scanned twice.

    ``attrs`` carries what the layout step needs: ``merged`` (merged ranges as
    (first_row, first_col, last_row, last_col), or None when the format does not say),
    ``date_system`` (1900 or 1904), ``format``, ``sheet`` and, for a CSV, ``delimiter``.

    Raises:
        ReadError: ``sheet_missing``, ``sheet_empty``/``empty``, and those of
            ``detect_format``.
    """
    fmt = detect_format(data, name)
    if fmt == "csv":
        grid, delim = text_grid(data, name, blanks_as_none)
        grid.attrs.update(
            merged=None,
            date_system=1900,
            format=fmt,
            sheet=list_sheets(data, name)[0],
            delimiter=delim,
        )
        return grid
    with _Book(data, name, fmt) as book:
        sheets = book.sheets()
        candidates = [match_sheet(sheet, sheets, name)] if sheet is not None else sheets
        chosen, grid, merged, system = "", pd.DataFrame(dtype=object), None, 1900
        for candidate in candidates:
            # The sheet XML is scanned for error cells while calamine reads the sheet:
            # decompressing it releases the GIL, so on a second core it costs no time.
            extras = EXTRAS_POOL.submit(_xlsx_extras, data, candidate) if fmt == "xlsx" else None
            rows, start, merged = book.grid(candidate)
            chosen, grid = candidate, grid_frame(rows, start, blanks_as_none)
            del rows  # the grid holds the cells; the row lists are a million objects more
            if extras is not None:
                errors, system = extras.result()
                for (row, col), value in errors.items():
                    if row in grid.index and col in grid.columns and _is_empty(grid.at[row, col]):
                        grid.at[row, col] = value
            if _has_data(grid):
                break
        else:
            if sheet is not None:
                raise ReadError("error.read.sheet_empty", name=name, sheet=chosen)
            raise ReadError("error.read.empty", name=name)
    ranges = (
        None
        if merged is None
        else tuple((int(a[0]), int(a[1]), int(b[0]), int(b[1])) for a, b in merged)
    )
    grid.attrs.update(merged=ranges, date_system=system, format=fmt, sheet=chosen, delimiter=None)
    return grid


__all__ = [
    "DEFAULT_MAX_UPLOAD_MB",
    "MAX_UPLOAD_ENV",
    "SPREADSHEET_SUFFIXES",
    "SheetInfo",
    "check_upload_size",
    "detect_format",
    "list_sheets",
    "max_upload_mb",
    "read_grid",
    "read_plain_csv",
    "sheet_info",
]


# -- csv cells through Arrow (issue 19) ------------------------------------------------------

# Characters on which the Arrow split could differ from the csv module's: quotes (the csv
# module's lenient quoting), a carriage return that does not end a line (the csv module
# refuses it), NUL, the separators Python's strip trims (Arrow's trim may not) and an empty
# line (Arrow gives it empty cells, the csv module no cells at all).
_ARROW_CSV_UNSAFE = re.compile('["\x00\x1c-\x1f]|\r(?!\n)|\n\r?\n|^\r?\n')


def _arrow_unsafe(text: str) -> bool:
    """``_ARROW_CSV_UNSAFE.search(text)``, a character search at a time (each in C, ten
    times faster than the regex's alternation at every position)."""
    if any(ch in text for ch in '"\x00\x1c\x1d\x1e\x1f') or text.startswith(("\n", "\r\n")):
        return True
    if "\r" in text and (text.count("\r") != text.count("\r\n") or "\n\r\n" in text):
        return True
    return "\n\n" in text


def read_plain_csv(raw: pa.Buffer, delim: str, width: int, text: pa.DataType) -> pa.Table | None:
    """The csv ``raw`` split by pyarrow's reader into ``width`` columns of type ``text``
    (``pa.string()`` or ``pa.large_string()``), every cell kept as text (no quotes, no
    escapes, a blank line kept, an empty cell empty text, not null). None when Arrow
    refuses it (a line with another number of cells, text that is no UTF-8) or finds
    another number of columns."""
    import pyarrow.csv as pcsv

    try:
        table = pcsv.read_csv(
            pa.BufferReader(raw),
            read_options=pcsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pcsv.ParseOptions(
                delimiter=delim,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={f"f{i}": text for i in range(width)},
                strings_can_be_null=False,  # "" read as null costs a check of every cell
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowCapacityError):
        return None
    return table if table.num_columns == width else None


def arrow_cells(text: str, delim: str) -> list[pa.Array] | None:
    """The cells of the CSV ``text`` split by pyarrow's CSV reader: one Arrow string column
    per column, each cell stripped as ``str.strip`` strips it, every cell kept as text (as
    the csv module keeps it). None when the file needs the csv module: quotes, a line with
    another number of cells (a blank line included), a one-column file, or a character on
    which the two could differ (``_ARROW_CSV_UNSAFE``)."""
    if _arrow_unsafe(text):
        return None
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).removesuffix("\r")
    width = len(first.split(delim))
    if width < 2 or not first.strip():
        return None
    table = read_plain_csv(pa.py_buffer(text.encode("utf-8")), delim, width, pa.string())
    if table is None:
        return None  # a ragged or blank line: the csv module reads it as before
    return [pac.utf8_trim_whitespace(column.combine_chunks()) for column in table.columns]


def text_grid(data: bytes, name: str, blanks: bool) -> tuple[pd.DataFrame, str | None]:
    """``read_grid`` of a CSV: the cells split by Arrow when ``arrow_cells`` can (the same
    cells as the csv module gives, about ten times faster), else by ``text_rows``."""
    text = decode(data)
    delim = sniff_delimiter(text)
    columns = None
    if delim is not None:
        head = text[: 1 << 20].splitlines()[:SNIFF_LINES]
        check_text_width(list(csv.reader(head, delimiter=delim)), name)
        columns = arrow_cells(text, delim)
    if columns is None:
        rows, delim = text_rows(data, name)
        if not any(any(not _is_empty(v) for v in row) for row in rows):
            raise ReadError("error.read.empty", name=name)
        return grid_frame(rows, blanks=blanks), delim
    height = len(columns[0])
    check_shape(name, None, height, len(columns))
    cells = np.empty((height, len(columns)), dtype=object)
    filled = False
    for j, column in enumerate(columns):
        values = column.to_numpy(zero_copy_only=False)
        empty = values == ""
        filled = filled or not bool(empty.all())
        if blanks:
            values[empty] = None
        cells[:, j] = values
    if not filled:
        raise ReadError("error.read.empty", name=name)
    grid = pd.DataFrame(
        cells,
        index=pd.RangeIndex(0, height),
        columns=pd.RangeIndex(0, len(columns)),
        dtype=object,
        copy=False,
    )
    return grid, delim
