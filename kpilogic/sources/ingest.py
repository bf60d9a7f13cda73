"""Reading uploaded files: spreadsheet or CSV bytes in, DataFrames and a column profile out.

This is the first step of the one-way flow. A file is recognised by its content (zip, OLE2
or text) checked against its suffix; spreadsheets are read with python-calamine and CSV text
with the standard ``csv`` module after sniffing its encoding and delimiter. The first
non-empty row is the header. Each column of the table read is of one type: ``float64``
(numbers), ``datetime64[ns]`` (dates), ``boolean`` or ``str``; a column that mixes types is
kept as text so nothing is lost. ``profile_columns`` then says what each column holds and
``apply_kinds`` converts the columns to the kinds the user confirmed.

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
from collections.abc import Mapping, Sequence
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
from kpilogic.scorecard.schema_types import ColumnKind as ColumnKind  # noqa: PLC0414 (re-export)
from kpilogic.sources.cells import blank_mask
from kpilogic.sources.guard import check_shape, check_text_width, probe_workbook

COLUMN_KINDS: tuple[ColumnKind, ...] = ("date", "number", "category", "text")
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
_SNIFF_LINES = 50
_STR = pd.StringDtype(na_value=np.nan)

# The date window a datetime64[ns] column can hold; dates outside it stay text.
_MIN_TS = datetime(1677, 9, 22)
_MAX_TS = datetime(2262, 4, 11)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_NUMBER_EN = re.compile(r"^[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d+)?|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_NL = re.compile(r"^[+-]?((\d{1,3}(\.\d{3})+|\d+)(,\d+)?|,\d+)$")
_LEADING_ZERO = re.compile(r"^0\d")
_PROBE = 64  # values tried before a whole column is matched against a pattern
_DATE_FORMATS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"), "ISO8601"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "%d-%m-%Y"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4} \d{1,2}:\d{2}$"), "%d-%m-%Y %H:%M"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4} \d{1,2}:\d{2}:\d{2}$"), "%d-%m-%Y %H:%M:%S"),
)
_DATE_NAME_HINTS = ("date", "datum", "dag", "day", "period", "maand", "month", "time", "tijd")


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
    if not data.strip():
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


_SUFFIX_OF: dict[Format, str] = {"xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods", "xls": ".xls"}


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
            path = Path(self._dir.name) / f"book{_SUFFIX_OF[self.fmt]}"
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

    def rows(self, sheet: str) -> list[list[Any]]:
        self.check(sheet)
        try:
            rows: list[list[Any]] = self.book.get_sheet_by_name(sheet).to_python()
        except BaseException as exc:
            if _is_interrupt(exc):
                raise
            raise _wrap(exc, self.name) from exc
        return rows


def _match_sheet(wanted: str, sheets: Sequence[str], name: str) -> str:
    if wanted in sheets:
        return wanted
    folded = [s for s in sheets if s.strip().casefold() == wanted.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ReadError(
        "error.read.sheet_missing", name=name, sheet=wanted, sheets=", ".join(sheets) or "–"
    )


# -- csv and other text ----------------------------------------------------------------------


def _decode(data: bytes) -> str:
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


def _sniff_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines into the same number (≥ 2) of fields."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
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


def _text_rows(data: bytes, name: str) -> tuple[list[list[Any]], str | None]:
    text = _decode(data)
    delim = _sniff_delimiter(text)
    if delim is None:
        if _suffix(name) not in TEXT_SUFFIXES:
            # Text saved as .xls (some systems export that way) must at least look like a table.
            raise ReadError("error.read.not_spreadsheet", name=name)
        delim = ","
    try:
        # A very wide file is refused on its first lines, before it is split into cells.
        head = text[: 1 << 20].splitlines()[:_SNIFF_LINES]
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


def _cell_text(value: Any) -> str:
    """A cell as text, as a user would type it: 12 not 12.0, dates in ISO form."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _header(cells: Sequence[Any], positions: Sequence[int]) -> list[str]:
    """Column names: blank ones become "Column N" (N counts from 1 at the left), repeats get
    " (2)", " (3)"…"""
    names: list[str] = []
    seen: set[str] = set()
    for i, cell in zip(positions, cells, strict=True):
        base = _cell_text(cell) if not _is_empty(cell) else f"Column {i}"
        candidate, n = base, 2
        while candidate in seen:
            candidate = f"{base} ({n})"
            n += 1
        seen.add(candidate)
        names.append(candidate)
    return names


def _in_ns_range(value: date) -> bool:
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return _MIN_TS < moment.replace(tzinfo=None) < _MAX_TS


def parse_numbers(values: pd.Series, prefer_comma: bool = False) -> pd.Series | None:
    """Text such as ``1.234,56`` or ``1,234.56`` as float64, or None if not all are numbers.

    One convention holds for the whole column: with ``prefer_comma`` (files separated by
    ``;``, as Dutch Excel writes them) the Dutch one (``.`` thousands, ``,`` decimals) is
    tried first. Empty cells stay empty.
    """
    text = values.dropna().astype(_STR).str.strip()
    text = text[text != ""]
    if text.empty:
        return None
    patterns = (_NUMBER_NL, _NUMBER_EN) if prefer_comma else (_NUMBER_EN, _NUMBER_NL)
    head = text.head(_PROBE)
    for pattern in patterns:
        # A few values first: a column that is no number shows it on its first rows.
        if not head.str.fullmatch(pattern).all() or not text.str.fullmatch(pattern).all():
            continue
        if pattern is _NUMBER_NL:
            plain = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            plain = text.str.replace(",", "", regex=False)
        numbers = pd.to_numeric(plain, errors="coerce").astype("float64")
        return numbers.reindex(values.index)
    return None


def parse_dates(values: pd.Series) -> pd.Series | None:
    """Text in ISO (2026-03-31) or Dutch (31-03-2026) form as datetime64[ns], or None."""
    text = values.dropna().astype(_STR).str.strip()
    text = text[text != ""]
    if text.empty:
        return None
    head = text.head(_PROBE)
    for pattern, fmt in _DATE_FORMATS:
        if not head.str.fullmatch(pattern).all() or not text.str.fullmatch(pattern).all():
            continue
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if parsed.isna().any():
            continue
        return parsed.astype("datetime64[ns]").reindex(values.index)
    return None


def _text_series(values: Sequence[Any], column: str) -> pd.Series:
    return pd.Series(
        [None if _is_empty(v) else _cell_text(v) for v in values], name=column, dtype=_STR
    )


def _column(values: Sequence[Any], column: str, prefer_comma: bool | None) -> pd.Series:
    """One column from cell values; ``prefer_comma`` is None for typed (spreadsheet) cells.

    Text cells are only parsed as numbers or dates when the source is text (a CSV); a
    spreadsheet cell that holds text was typed as text by someone and stays so here.
    """
    present = [v for v in values if not _is_empty(v)]
    if prefer_comma is not None:
        texts = _text_series(values, column)
        if not any(_LEADING_ZERO.match(v) for v in present if isinstance(v, str)):
            numbers = parse_numbers(texts, prefer_comma)
            if numbers is not None:
                return numbers
        dates = parse_dates(texts)
        return dates if dates is not None else texts
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(
            [None if _is_empty(v) else v for v in values], name=column, dtype="boolean"
        )
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series(
            [math.nan if _is_empty(v) else float(v) for v in values], name=column, dtype="float64"
        )
    if (
        present
        and all(isinstance(v, date) for v in present)
        and all(_in_ns_range(v) for v in present)
    ):
        stamps = [pd.NaT if _is_empty(v) else pd.Timestamp(v) for v in values]
        return pd.Series(stamps, name=column).astype("datetime64[ns]")
    return _text_series(values, column)


def _frame(rows: Sequence[Sequence[Any]], prefer_comma: bool | None) -> pd.DataFrame:
    """A DataFrame from rows of cells: first non-empty row is the header, blanks dropped."""
    filled = [list(row) for row in rows if any(not _is_empty(v) for v in row)]
    if not filled:
        return pd.DataFrame()
    width = max(len(row) for row in filled)
    padded = [row + [None] * (width - len(row)) for row in filled]
    header, body = padded[0], padded[1:]
    keep = [
        j
        for j in range(width)
        if not _is_empty(header[j]) or any(not _is_empty(row[j]) for row in body)
    ]
    names = _header([header[j] for j in keep], [j + 1 for j in keep])
    columns = {
        col: _column([row[j] for row in body], col, prefer_comma)
        for col, j in zip(names, keep, strict=True)
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(body)))


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


def read_table(data: bytes, name: str, sheet: str | None = None) -> pd.DataFrame:
    """One sheet of a workbook (or a CSV) as a DataFrame, header from its first non-empty row.

    ``sheet=None`` takes the first sheet (visible first) that holds data. For a CSV the
    sheet is ignored: the file is the one table.

    Raises:
        ReadError: ``sheet_missing`` for an unknown sheet, ``empty`` when there is no data,
            and the errors of ``detect_format``.
    """
    fmt = detect_format(data, name)
    if fmt == "csv":
        rows, delim = _text_rows(data, name)
        df = _frame(rows, prefer_comma=delim == ";")
        if df.empty:
            raise ReadError("error.read.empty", name=name)
        return df
    with _Book(data, name, fmt) as book:
        sheets = book.sheets()
        if sheet is not None:
            chosen = _match_sheet(sheet, sheets, name)
            df = _frame(book.rows(chosen), prefer_comma=None)
            if df.empty:
                raise ReadError("error.read.sheet_empty", name=name, sheet=chosen)
            return df
        first_error: ReadError | None = None
        for candidate in sheets:
            try:
                df = _frame(book.rows(candidate), prefer_comma=None)
            except ReadError as exc:
                first_error = first_error or exc
                continue
            if not df.empty:
                return df
    raise first_error or ReadError("error.read.empty", name=name)


def read_workbook(data: bytes, name: str) -> dict[str, pd.DataFrame]:
    """Every sheet that holds data, by name, in the order of ``list_sheets``.

    A sheet calamine cannot read (a chart saved as a sheet) is left out when others can be
    read.

    Raises:
        ReadError: ``empty`` when no sheet holds data, and the errors of ``detect_format``.
    """
    fmt = detect_format(data, name)
    if fmt == "csv":
        return {list_sheets(data, name)[0]: read_table(data, name)}
    out: dict[str, pd.DataFrame] = {}
    first_error: ReadError | None = None
    with _Book(data, name, fmt) as book:
        for sheet in book.sheets():
            try:
                df = _frame(book.rows(sheet), prefer_comma=None)
            except ReadError as exc:
                first_error = first_error or exc
                continue
            if not df.empty:
                out[sheet] = df
    if not out:
        raise first_error or ReadError("error.read.empty", name=name)
    return out


def read_path(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """``read_table`` on a file on disk (for the command line).

    Raises:
        ReadError: also when the file cannot be opened.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise ReadError("error.read.unreadable", name=file.name, detail=detail) from exc
    return read_table(data, file.name, sheet)


# -- raw grids (for layouts that are not one clean table) -----------------------------------

_MAX_SCANNED_XML = 256 << 20  # sheet XML larger than this is not scanned for error cells
_ERROR_CELL = re.compile(rb"<c\s([^>]*?)(/?)>")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_CELL_VALUE = re.compile(rb"<v>([^<]{1,20})</v>")
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


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
            if _DATE1904.search(book_xml[: 1 << 20]):
                system = 1904
            root = ElementTree.fromstring(book_xml)
            rel_id = None
            for node in root.iter():
                if node.tag.endswith("}sheet") and node.get("name") == sheet:
                    rel_id = node.get(f"{{{_REL_NS}}}id")
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


def _grid_frame(
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


_EXTRAS_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="koers-xlsx-extras")


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
        grid, delim = _text_grid(data, name, blanks_as_none)
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
        candidates = [_match_sheet(sheet, sheets, name)] if sheet is not None else sheets
        chosen, grid, merged, system = "", pd.DataFrame(dtype=object), None, 1900
        for candidate in candidates:
            # The sheet XML is scanned for error cells while calamine reads the sheet:
            # decompressing it releases the GIL, so on a second core it costs no time.
            extras = _EXTRAS_POOL.submit(_xlsx_extras, data, candidate) if fmt == "xlsx" else None
            rows, start, merged = book.grid(candidate)
            chosen, grid = candidate, _grid_frame(rows, start, blanks_as_none)
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


# -- profiling and typing --------------------------------------------------------------------


def _is_category(values: pd.Series) -> bool:
    """Few distinct short values that repeat (Region, Segment), as opposed to free text."""
    present = values.dropna().astype(_STR).str.strip()
    present = present[present != ""]
    if present.empty:
        return False
    distinct, n = present.nunique(), len(present)
    # In a short table any repetition counts; in a longer one most values must repeat.
    repeats = distinct < n if n < 10 else distinct <= 0.5 * n
    return bool(distinct <= 50 and repeats and present.str.len().mean() <= 60)


def _has_codes(present: pd.Series) -> bool:
    """Whether some text in ``present`` starts with a zero and a digit (a code, not an amount)."""
    if pd.api.types.is_string_dtype(present.dtype) and not pd.api.types.is_object_dtype(
        present.dtype
    ):
        starts = present[present.str.lstrip().str.startswith("0")]
        return any(_LEADING_ZERO.match(v.strip()) for v in starts.unique())
    return any(isinstance(v, str) and _LEADING_ZERO.match(v.strip()) for v in present)


def profile_column(values: pd.Series) -> ColumnKind:
    """What one column holds: ``date``, ``number``, ``category`` or ``text``."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "category"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    present = values.dropna()
    if not present.empty:
        if all(isinstance(v, date | pd.Timestamp) for v in present):
            return "date"
        if parse_dates(values) is not None:
            return "date"
        # Codes with leading zeros (postal codes, article numbers) are names, not amounts.
        has_codes = _has_codes(present)
        if not has_codes and parse_numbers(values) is not None:
            return "number"
    return "category" if _is_category(values) else "text"


def profile_columns(df: pd.DataFrame) -> dict[str, ColumnKind]:
    """The kind of every column of ``df``, in column order."""
    return {str(col): profile_column(df[col]) for col in df.columns}


def _to_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]")
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        # Excel day serials (45000 is 2023-03-15); anything outside Excel's range is no date.
        serial = values.astype("float64").where((values >= 1) & (values < 2958466))
        stamps = _EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
        return stamps.astype("datetime64[ns]")
    parsed = parse_dates(values)
    if parsed is not None:
        return parsed
    out: list[Any] = []
    for value in values:
        if isinstance(value, date) and _in_ns_range(value):
            out.append(pd.Timestamp(value))
        elif isinstance(value, str):
            out.append(_parse_one_date(value))
        else:
            out.append(pd.NaT)
    return pd.Series(out, index=values.index, name=values.name).astype("datetime64[ns]")


def _parse_one_date(text: str) -> Any:
    text = text.strip()
    for pattern, fmt in _DATE_FORMATS:
        if pattern.fullmatch(text):
            moment = pd.to_datetime(text, format=fmt, errors="coerce")
            # A date outside datetime64[ns] (before 1677): no date here; parsing reports it.
            return moment if isinstance(moment, date) and _in_ns_range(moment) else pd.NaT
    return pd.NaT


def _to_numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.Series(math.nan, index=values.index, name=values.name, dtype="float64")
    parsed = parse_numbers(values)
    if parsed is not None:
        return parsed
    # Some cells are not numbers: convert the ones that are, leave the rest empty.
    out = []
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
            continue
        one = parse_numbers(pd.Series([value], dtype=object)) if isinstance(value, str) else None
        out.append(float(one.iloc[0]) if one is not None else math.nan)
    return pd.Series(out, index=values.index, name=values.name, dtype="float64")


def _to_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
        values.dtype
    ):
        return values.astype(_STR)
    texts = [
        None if pd.isna(v) or _is_empty(v) else _cell_text(_plain(v)) for v in values.astype(object)
    ]
    return pd.Series(texts, index=values.index, name=values.name, dtype=_STR)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def apply_kinds(df: pd.DataFrame, kinds: Mapping[str, ColumnKind]) -> pd.DataFrame:
    """A copy of ``df`` with each column in ``kinds`` converted to its kind.

    ``date`` → datetime64[ns] (ISO and Dutch text, Excel day serials); ``number`` → float64
    (Dutch and English notation); ``category`` and ``text`` → str. A value that does not
    convert becomes empty (NaT/NaN), so quality checks can count it; columns not in
    ``kinds`` are left as they are.
    """
    out = df.copy()
    for column, kind in kinds.items():
        if column not in out.columns:
            continue
        values = out[column]
        if kind == "date":
            out[column] = _to_dates(values)
        elif kind == "number":
            out[column] = _to_numbers(values)
        else:
            out[column] = _to_text(values)
    return out


def guess_date_column(
    df: pd.DataFrame, kinds: Mapping[str, ColumnKind] | None = None
) -> str | None:
    """The column most likely to hold each row's date, or None if no column holds dates.

    Among the date columns, one whose name says it is a date (Date, Datum, Month…) wins over
    one that does not, then the most complete one, then the leftmost (Order Date before Ship
    Date).
    """
    kinds = profile_columns(df) if kinds is None else kinds
    best: tuple[bool, float, int] | None = None
    choice: str | None = None
    for position, column in enumerate(df.columns):
        name = str(column)
        if kinds.get(name) != "date":
            continue
        hinted = any(hint in name.casefold() for hint in _DATE_NAME_HINTS)
        filled = float(df[column].notna().mean()) if len(df) else 0.0
        score = (hinted, filled, -position)
        if best is None or score > best:
            best, choice = score, name
    return choice


__all__ = [
    "COLUMN_KINDS",
    "DEFAULT_MAX_UPLOAD_MB",
    "MAX_UPLOAD_ENV",
    "SPREADSHEET_SUFFIXES",
    "ColumnKind",
    "SheetInfo",
    "apply_kinds",
    "check_upload_size",
    "detect_format",
    "guess_date_column",
    "list_sheets",
    "max_upload_mb",
    "parse_dates",
    "parse_numbers",
    "profile_column",
    "profile_columns",
    "read_grid",
    "read_path",
    "read_table",
    "read_workbook",
    "sheet_info",
]


# -- csv cells through Arrow (issue 19) ------------------------------------------------------

# Characters on which the Arrow split could differ from the csv module's: quotes (the csv
# module's lenient quoting), a carriage return that does not end a line (the csv module
# refuses it), NUL, the separators Python's strip trims (Arrow's trim may not) and an empty
# line (Arrow gives it empty cells, the csv module no cells at all).
_ARROW_CSV_UNSAFE = re.compile('["\x00\x1c-\x1f]|\r(?!\n)|\n\r?\n|^\r?\n')


def _arrow_cells(text: str, delim: str) -> list[pa.Array] | None:
    """The cells of the CSV ``text`` split by pyarrow's CSV reader: one Arrow string column
    per column, each cell stripped as ``str.strip`` strips it, every cell kept as text (as
    the csv module keeps it). None when the file needs the csv module: quotes, a line with
    another number of cells (a blank line included), a one-column file, or a character on
    which the two could differ (``_ARROW_CSV_UNSAFE``)."""
    import pyarrow.csv as pcsv

    if _ARROW_CSV_UNSAFE.search(text):
        return None
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).removesuffix("\r")
    width = len(first.split(delim))
    if width < 2 or not first.strip():
        return None
    try:
        table = pcsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
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
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowCapacityError):
        return None  # a ragged or blank line: the csv module reads it as before
    if table.num_columns != width:
        return None
    return [pac.utf8_trim_whitespace(column.combine_chunks()) for column in table.columns]


def _text_grid(data: bytes, name: str, blanks: bool) -> tuple[pd.DataFrame, str | None]:
    """``read_grid`` of a CSV: the cells split by Arrow when ``_arrow_cells`` can (the same
    cells as the csv module gives, about ten times faster), else by ``_text_rows``."""
    text = _decode(data)
    delim = _sniff_delimiter(text)
    columns = None
    if delim is not None:
        head = text[: 1 << 20].splitlines()[:_SNIFF_LINES]
        check_text_width(list(csv.reader(head, delimiter=delim)), name)
        columns = _arrow_cells(text, delim)
    if columns is None:
        rows, delim = _text_rows(data, name)
        if not any(any(not _is_empty(v) for v in row) for row in rows):
            raise ReadError("error.read.empty", name=name)
        return _grid_frame(rows, blanks=blanks), delim
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
