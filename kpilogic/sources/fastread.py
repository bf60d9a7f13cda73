"""Reading a clean table on Arrow columns: the fast path of ``pipeline.read_dataset`` (issue 19).

``read_grid`` turns a sheet into a grid of Python objects (one per cell) so that the layout
rules (``kpilogic.sources.layout``) can find the table in a messy sheet. Most uploads are not messy:
column names in the first row, one row per record down to the last. For those this module
reads the typed columns straight into Arrow (fastexcel for .xlsx/.xlsm, pyarrow's CSV reader
for .csv) and applies the layout rules to the first rows and to column-level facts instead of
to every cell:

- the layout rules themselves run on the column names and the first ``HEAD_ROWS`` rows, and
  must find exactly the plain layout (column names in the first row, no title rows, one
  table, every row data, no merged cells);
- the facts that make the rest of the sheet plain are checked on whole columns: every row
  has two or more filled cells (no blank, label or lone-note rows, so no second table), no
  text cell holds "tot", "som" or "sum" (no labelled totals row), and one column is filled in
  every row with dates or with text no number can be (no unlabelled totals row).

Anything else — a correction in the dataset, another format, an error cell, a column of
mixed types, a column name that is blank, repeated, a number or a date, a fact that does not
hold — returns None, and ``read_dataset`` reads the file the exact way it always has. The
result is the very ``Tidy`` that way gives (``tests/test_fastread.py`` checks this on the
corpus and on made-up messy sheets): values are read by ``parsing.parse_table`` in both,
except where what it would find is certain from whole-column facts — a csv column whose
every value is a plain number or an ISO date is cast by Arrow (``_typed_text``), a column
fastexcel typed keeps its type (``_typed_report``) — and each of those gets the very
report ``parse_table`` would give it.

Every workbook still goes through the guarded child first (``guard.probe_workbook``), which
also reports each sheet's top-left cell and merged ranges; without it (guard off) the exact
path is taken. ``KOERS_FAST_READ=0`` turns the fast path off.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Dataset
from kpilogic.sources.cells import MAYBE_NUMBER, matches
from kpilogic.sources.guard import (
    check_shape,
    check_text_width,
    probe_workbook,
    remembered_probe,
    sheet_facts,
)
from kpilogic.sources.ingest import (
    DATE1904,
    EXTRAS_POOL,
    MAX_TS,
    MIN_TS,
    REL_NS,
    SNIFF_LINES,
    STR,
    SUFFIX_OF,
    decode,
    detect_format,
    match_sheet,
    read_plain_csv,
    sniff_delimiter,
)
from kpilogic.sources.layout import (
    Decision,
    LayoutGuess,
    TableRange,
    Tidy,
    detect_wide,
    guess_layout,
)
from kpilogic.sources.parsing import (
    MAX_TEXT,
    ColumnParse,
    DateSystem,
    Notation,
    ParseReport,
    arrow_strings,
    infer_kinds,
    is_date_name,
    many_texts,
    parse_table,
    text_counts,
)

FAST_READ_ENV = "KOERS_FAST_READ"
HEAD_ROWS = 200  # rows below the column names the layout rules look at
_TOTAL_WORDS = "(?i)tot|som|sum"  # every totals label holds one (layout._first_texts)


def fast_read_on() -> bool:
    return os.environ.get(FAST_READ_ENV, "").strip() != "0"


@dataclasses.dataclass
class _Columns:
    """A sheet read as typed Arrow columns below its column names."""

    names: list[str]  # the header cells as read (untrimmed)
    columns: list[pa.Array]  # per column: float64, timestamp[ns] or string (trimmed, blank=null)
    raw: list[pa.Array]  # the cells as the exact path's grid holds them (the head at least)
    start: tuple[int, int]  # top-left cell, 0-based
    date_system: DateSystem
    text: bool = False  # a csv: every column is text, typed (or not) by ``_typed_text``


def _plain_dataset(dataset: Dataset) -> bool:
    return (
        dataset.header_row is None
        and dataset.table is None
        and not dataset.keep_totals
        and not dataset.combine_tables
        and dataset.unpivot is None
    )


def fast_tidy(data: bytes, name: str, dataset: Dataset) -> Tidy | None:
    """The ``Tidy`` of ``tidy_grid(read_grid(data, name, dataset.sheet), dataset)`` before
    its date column is settled, read on Arrow columns; None when the file is not a plain
    table this path can read exactly (see the module docstring).

    Raises:
        ReadError: only what the exact path would raise too (the guard's refusals).
    """
    if not fast_read_on() or not _plain_dataset(dataset):
        return None
    try:
        fmt = detect_format(data, name)
    except KoersError:
        return None  # the exact path says why
    try:
        if fmt == "csv":
            read = _csv_columns(data, name)
        elif fmt == "xlsx":
            read = _xlsx_columns(data, name, dataset.sheet)
        else:
            return None
        return None if read is None else _tidy(read, dataset)
    except KoersError:
        raise  # the guard's refusals, an unknown notation: the exact path says the same
    except Exception:
        return None  # anything unforeseen here: the exact path reads the file as before


# -- reading ---------------------------------------------------------------------------------


def _csv_columns(data: bytes, name: str) -> _Columns | None:
    raw, text = _utf8(data)
    delim = _sniff_start(raw, text)
    if delim is None:
        return None
    head = _head_lines(raw, text)
    import csv

    try:
        check_text_width(list(csv.reader(head, delimiter=delim)), name)
    except KoersError:
        return None
    split = _arrow_split(raw, delim)
    if split is None or len(split[0]) < 2:
        return None
    try:
        check_shape(name, None, len(split[0]), len(split))
    except KoersError:
        return None
    # The header cells, trimmed as every cell is.
    first = pa.array([c[0].as_py() for c in split], pa.string())
    names = [str(v) for v in pac.utf8_trim_whitespace(first).to_pylist()]
    typed: list[pa.Array] = []
    for column in split:
        body = column.slice(1)
        if not _edges_plain(body):
            body = _blank_to_null(body)  # trimmed, blank → null, as the exact path's cells
        elif _has_empty(body):
            body = _blank_to_null(body, trimmed=True)
        typed.append(body)
    # The exact path's grid holds a blank cell as "" (``read_grid(blanks_as_none=False)``);
    # a copy of the head only (a slice would keep the whole column's text alive).
    start = pa.array(range(min(HEAD_ROWS, len(typed[0]))), pa.int64())
    raw_head = [pac.fill_null(c.take(start), "") for c in typed]
    return _Columns(names, typed, raw_head, (0, 0), 1900, text=True)


def _utf8(data: bytes) -> tuple[bytes, str | None]:
    """The csv as the UTF-8 bytes of ``ingest.decode(data)``, and that text where it had
    to be decoded (None for ASCII, which is its own UTF-8): no decoding and encoding
    again of a file that is UTF-8 already (about 0.1 s at a million rows)."""
    if data.isascii():
        return data, None
    if not data.startswith(_BOMS):
        try:
            return data, data.decode("utf-8")  # decode's first choice
        except UnicodeDecodeError:
            pass
    text = decode(data)
    return text.encode("utf-8"), text


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _start(raw: bytes, text: str | None, size: int) -> str:
    """The first ``size`` characters of the decoded text (``raw`` is ASCII when ``text``
    is None: a character a byte)."""
    return text[:size] if text is not None else raw[:size].decode("ascii")


def _head_lines(raw: bytes, text: str | None) -> list[str]:
    """``text[: 1 << 20].splitlines()[:SNIFF_LINES]`` of the decoded csv, from a start of
    64 KiB when that holds more lines (the same first lines; no list of 16,000 lines)."""
    part = _start(raw, text, 1 << 16).splitlines()
    if len(part) <= SNIFF_LINES:
        part = _start(raw, text, 1 << 20).splitlines()
    return part[:SNIFF_LINES]


def _sniff(text: str) -> str | None:
    """``sniff_delimiter(text)``, which looks at the first ``SNIFF_LINES`` lines, without
    splitting the whole text into lines: a start of the text that holds more lines than
    that begins with the very same lines."""
    return _sniff_start(b"", text)


def _sniff_start(raw: bytes, text: str | None) -> str | None:
    """``_sniff`` of the decoded csv (``text``, or the ASCII ``raw`` when it is None)."""
    length = len(raw) if text is None else len(text)
    for size in (1 << 16, 1 << 20):
        if size < length:
            part = _start(raw, text, size)
            if len(part.splitlines()) > SNIFF_LINES:
                return sniff_delimiter(part)
    return sniff_delimiter(_start(raw, text, length))


def _arrow_split(raw: bytes, delim: str) -> list[pa.Array] | None:
    """The cells of the csv ``raw`` (UTF-8) split by pyarrow's reader as
    ``ingest.arrow_cells`` splits them, header included, but not trimmed (``_edges_plain``
    says where trimming is needed). None where the csv module must split the file: quotes,
    a line with another number of cells, one column, a character on which the two could
    differ (``_lone_return``, ``_unsafe_cells``). A blank line is split into empty cells
    here, which ``_plain_facts`` refuses (every row needs two filled cells)."""
    if _lone_return(raw):
        return None
    end = raw.find(b"\n")
    first = (raw if end < 0 else raw[:end]).removesuffix(b"\r")
    width = len(first.split(delim.encode("ascii")))
    if width < 2 or not first.decode("utf-8", errors="replace").strip():
        return None
    # Large strings: what pandas keeps a text column in (no cast there).
    table = read_plain_csv(pa.py_buffer(raw), delim, width, pa.large_string())
    if table is None:
        return None  # a ragged line, text that is no UTF-8: the exact path reads it
    # One piece per column, each column's blocks let go of as soon as it is copied (the
    # whole table and all its copies at once were the peak of the read).
    columns: list[pa.Array] = []
    while table.num_columns:
        column = table.column(0).combine_chunks()
        if _unsafe_cells(column):
            return None
        columns.append(column)
        table = table.remove_column(0)
    # Arrow's allocator keeps the blocks' memory for reuse; give it back (the resident
    # peak of a load was the file, the blocks and the columns together).
    pa.default_memory_pool().release_unused()
    return columns


def _lone_return(raw: bytes) -> bool:
    """Whether the csv ``raw`` holds a carriage return that does not end a line (Arrow
    ends a line there, the csv module refuses it)."""
    return b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n")


def _unsafe_cells(texts: pa.Array) -> bool:
    """Whether a cell of ``texts`` (a column as Arrow split it, quotes and escapes not
    special) holds a character on which Arrow's split could differ from the csv module's
    (``ingest._ARROW_CSV_UNSAFE``): a quote, NUL or \x1c-\x1f. Every byte of the file but
    the delimiters and line ends is in one cell, so this asks the file without a search of
    its own for each character; a column whose lowest byte is above the quote has none."""
    body, _, _ = _utf8_cells(texts)
    if not len(body) or int(body.min()) > _QUOTE:
        return False
    return bool(((body == _QUOTE) | (body == 0) | ((body >= 0x1C) & (body <= 0x1F))).any())


_QUOTE = ord('"')


# Bytes that ``str.strip`` or Arrow's ``utf8_trim_whitespace`` may trim at a cell's edge:
# ASCII whitespace, and any byte of a non-ASCII character (some are Unicode spaces).
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[128:] = True


def _utf8_cells(texts: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bytes of the Arrow strings ``texts`` one after the other (a view of Arrow's
    buffer, no copy) and where each string starts and ends in them."""
    wide = pa.types.is_large_string(texts.type)
    buffers = texts.buffers()
    offsets = np.frombuffer(
        buffers[1],
        dtype=np.int64 if wide else np.int32,
        count=len(texts) + 1,
        offset=texts.offset * (8 if wide else 4),
    )
    base = int(offsets[0])
    if base:
        offsets = offsets - base
    if buffers[2] is None or not len(texts):
        return np.zeros(0, dtype=np.uint8), offsets[:-1], offsets[1:]
    body = np.frombuffer(buffers[2], dtype=np.uint8)[base : base + int(offsets[-1])]
    return body, offsets[:-1], offsets[1:]


def _has_empty(texts: pa.Array) -> bool:
    """Whether a cell of ``texts`` is the empty text."""
    _, starts, ends = _utf8_cells(texts)
    return bool((ends == starts).any())


def _edges_plain(texts: pa.Array) -> bool:
    """Whether no cell of ``texts`` starts or ends with a byte that may be trimmed (so
    trimming changes nothing, and no filled cell is blank)."""
    body, starts, ends = _utf8_cells(texts)
    if not len(body) or (int(body.min()) > 0x20 and int(body.max()) < 0x80):
        return True  # no ASCII whitespace and no other character anywhere in the column
    filled = ends > starts
    if not filled.all():
        starts, ends = starts[filled], ends[filled]
    if not len(starts):
        return True
    return not (_EDGE[body[starts]].any() or _EDGE[body[ends - 1]].any())


def _blank_to_null(texts: pa.Array, *, trimmed: bool = False) -> pa.Array:
    """Trimmed Arrow strings with the blank ones (empty after trimming) as null."""
    if not trimmed:
        texts = pac.utf8_trim_whitespace(texts)
    return pac.if_else(pac.equal(texts, ""), pa.scalar(None, texts.type), texts)


def _xlsx_columns(data: bytes, name: str, wanted: str | None) -> _Columns | None:
    import fastexcel

    remembered = remembered_probe(data)  # a workbook read before: no file, no child
    if remembered is not None:
        shapes, facts = remembered
    else:
        with tempfile.TemporaryDirectory(prefix="koers-") as folder:
            path = Path(folder) / f"book{SUFFIX_OF['xlsx']}"
            path.write_bytes(data)
            # The guarded child opens the workbook first, exactly as on the exact path (its
            # refusals are raised from here); it is remembered, so the exact path does not
            # start it again.
            shapes = probe_workbook(path, data, name, "xlsx")
        facts = sheet_facts(data)
    try:
        reader = fastexcel.read_excel(data)
        names = list(reader.sheet_names)
    except Exception:
        return None
    if wanted is None:
        if len(names) != 1:
            return None
        sheet = names[0]
    else:
        try:
            sheet = match_sheet(wanted, names, name)
        except KoersError:
            return None
    shape, fact = shapes.get(sheet), facts.get(sheet)
    if shape is None or fact is None or fact[2] != 0:
        return None  # guard off, the sheet unreadable there, or merged cells
    try:
        check_shape(name, sheet, *shape)
    except KoersError:
        return None
    census = EXTRAS_POOL.submit(_census, data, sheet)
    try:
        loaded = reader.load_sheet(
            sheet, header_row=0, dtype_coercion="strict", schema_sample_rows=None
        )
        infos = loaded.selected_columns  # all of them; available_columns() infers again
        table = loaded.to_arrow()
    except Exception:
        census.cancel()
        return None  # mixed types in a column, or anything fastexcel cannot do
    counted = census.result()
    if counted is None or table.num_rows + 1 != shape[0] or table.num_columns != shape[1]:
        return None
    text_cells, system = counted
    out_names: list[str] = []
    typed: list[pa.Array] = []
    raw: list[pa.Array] = []
    for info, chunked in zip(infos, table.columns, strict=True):
        label = str(info.name)
        if info.column_name_from != "looked_up" or not _plain_name(label, out_names):
            return None
        column = chunked.combine_chunks() if isinstance(chunked, pa.ChunkedArray) else chunked
        kind = column.type
        if pa.types.is_floating(kind) or pa.types.is_integer(kind):
            converted = column.cast(pa.float64())
            values = converted
        elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            if getattr(kind, "tz", None) is not None:
                return None
            converted = column.cast(pa.timestamp("ns"))
            present = converted.drop_null()
            if len(present) and not (
                pac.min(present).as_py() > MIN_TS and pac.max(present).as_py() < MAX_TS
            ):
                return None
            values = column
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            converted = _blank_to_null(column.cast(pa.string()))
            values = column
        else:
            return None  # booleans, durations, an all-empty column
        out_names.append(label)
        typed.append(converted)
        raw.append(values)
    # fastexcel reads text that looks like a number ("2.5", "nan") or like nothing ("n/a",
    # "NA") in a number column as a number or as empty; the exact path reads it as text.
    # Every text cell of the sheet must therefore be a column name or a filled cell of a
    # text column: the counts must agree (a blank text cell anywhere declines too).
    strings = sum(len(c) - c.null_count for c in typed if pa.types.is_string(c.type))
    if text_cells != len(out_names) + strings:
        return None
    return _Columns(out_names, typed, raw, (fact[0], fact[1]), 1904 if system == 1904 else 1900)


def _census(data: bytes, sheet: str) -> tuple[int, int] | None:
    """The number of text cells (shared, inline and formula strings) in the sheet XML of
    ``sheet`` and the workbook's date system; None when the sheet XML cannot be found or holds
    error, true/false or ISO-date cells (the exact path reads those its own way). Counting
    attribute strings is a byte search, not an XML parse."""
    import io
    import zipfile

    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book_xml = archive.read("xl/workbook.xml")
            system = 1904 if DATE1904.search(book_xml[: 1 << 20]) else 1900
            root = ElementTree.fromstring(book_xml)
            rel_id = None
            for node in root.iter():
                if node.tag.endswith("}sheet") and node.get("name") == sheet:
                    rel_id = node.get(f"{{{REL_NS}}}id")
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next((r.get("Target", "") for r in rels.iter() if r.get("Id") == rel_id), "")
            if not target:
                return None
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            counts = _count_in_stream(archive, path)
    except Exception:  # damaged parts, defusedxml refusals: the exact path says what is wrong
        return None
    if any(counts[p] for p in _DECLINE_CELLS):
        return None
    return sum(counts[p] for p in _TEXT_CELLS), system


_TEXT_CELLS = (b't="s"', b't="str"', b't="inlineStr"')
# Error, true/false and ISO-date cells, and attributes in single quotes (a writer whose
# cells the byte count could miss): the exact path reads those.
_DECLINE_CELLS = (b't="e"', b't="b"', b't="d"', b"t='")
# Any of ``_DECLINE_CELLS`` (the common "t=" first: one scan, as fast as one count).
_DECLINE_SEARCH = re.compile(b't=(?:"[ebd]"|\')')
_CHUNK = 1 << 24


def _count_in_stream(archive: Any, path: str) -> dict[bytes, int]:
    """How often each of ``_TEXT_CELLS`` and ``_DECLINE_CELLS`` occurs in the zip member
    ``path``, decompressed a chunk at a time (a million-row sheet is hundreds of MB of XML):
    within each chunk, plus across each boundary (a window of the pattern's length less one
    byte either side, where a match can only be one that crosses it). The cells to decline
    are looked for with one search first and counted only in a chunk that holds one (most
    sheets have none: one pass instead of four)."""
    patterns = (*_TEXT_CELLS, *_DECLINE_CELLS)
    counts = dict.fromkeys(patterns, 0)
    reach = max(map(len, _DECLINE_CELLS)) - 1
    tail = b""
    with archive.open(path) as stream:
        while chunk := stream.read(_CHUNK):
            declined = _DECLINE_SEARCH.search(chunk) or (
                tail and _DECLINE_SEARCH.search(tail[-reach:] + chunk[:reach])
            )
            for p in _TEXT_CELLS if not declined else patterns:
                edge = len(p) - 1
                counts[p] += chunk.count(p)
                if tail:
                    counts[p] += (tail[-edge:] + chunk[:edge]).count(p)
            tail = (tail + chunk)[-16:]
    return counts


def _plain_name(label: str, seen: Sequence[str]) -> bool:
    """Whether a column name read by fastexcel is surely the header cell's own text: not
    blank, not a number or date (fastexcel writes those as text, the exact path its own
    way), not a repeat (fastexcel appends ``_1``, the exact path `` (2)``)."""
    text = label.strip()
    if not text or label in seen:
        return False
    if text.rsplit("_", 1)[-1].isdigit():
        return False
    return not all(ch.isdigit() or ch in " .,:-/+eE" for ch in text)


# -- the layout on the first rows and on column facts ---------------------------------------


def _head_grid(read: _Columns) -> pd.DataFrame:
    """The column names and the first ``HEAD_ROWS`` rows as the exact path's grid has them."""
    height = min(HEAD_ROWS, len(read.raw[0]))
    cells = np.empty((height + 1, len(read.raw)), dtype=object)
    for j, (label, column) in enumerate(zip(read.names, read.raw, strict=True)):
        cells[0, j] = label
        values = column.slice(0, height).to_pylist()
        cells[1:, j] = [None if v is None else v for v in values]
    row0, col0 = read.start
    grid = pd.DataFrame(
        cells,
        index=pd.RangeIndex(row0, row0 + height + 1),
        columns=pd.RangeIndex(col0, col0 + len(read.raw)),
        dtype=object,
    )
    grid.attrs.update(merged=None, date_system=read.date_system)
    return grid


def _plain_facts(read: _Columns, frame: pd.DataFrame | None = None) -> bool:
    """The column-level facts that keep every row below the head a plain data row
    (``frame``: the columns as pandas holds them, whose text counts are shared)."""
    width = len(read.columns)
    if width < 2:
        return False
    missing = np.zeros(len(read.columns[0]), dtype=np.int32)
    key = False
    for j, column in enumerate(read.columns):
        if column.null_count:  # most columns have none: nothing to count
            missing += np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            present = column.drop_null() if column.null_count else column
            kept = None if frame is None else arrow_strings(frame.iloc[:, j])
            if len(present) and _holds_total(present, kept):
                return False
            if not key and len(present) == len(column) and len(present):
                key = not bool(matches(present, MAYBE_NUMBER).any())
        elif pa.types.is_timestamp(column.type) and column.null_count == 0:
            key = True
    return key and bool((missing <= width - 2).all())


def _holds_total(present: pa.Array, kept: Any) -> bool:
    """Whether a text of ``present`` (Arrow strings, no nulls) matches ``_TOTAL_WORDS``,
    each distinct text asked once: a handful of texts (regions) by their counts, which the
    kind and category tests of the same column (``kept``, as pandas holds it) use too; a
    column of many (order numbers) where a byte search over all its text finds a word."""
    if kept is not None and not many_texts(present):
        distinct = text_counts(kept).field("values")
    elif _may_hold_total(present):
        distinct = pac.unique(present)
    else:
        return False
    return bool(pac.any(pac.match_substring_regex(distinct, _TOTAL_WORDS)).as_py())


_TOTAL_BYTES = (b"tot", b"som", b"sum")


def _may_hold_total(texts: pa.Array) -> bool:
    """Whether a cell of ``texts`` may match ``_TOTAL_WORDS``: its ASCII text, all cells
    one after the other and in lower case, holds tot, som or sum (a match inside a cell is
    one there too; one across two cells only sends the column to the exact search).
    Non-ASCII text may hold letters that fold to these (``ſ`` to s): always searched."""
    body, _, _ = _utf8_cells(texts)
    if not len(body):
        return False
    if int(body.max()) >= 0x80:
        return True
    folded = body.tobytes().lower()
    # A letter search first (memchr): an order number holds no t and no m at all.
    words = [w for w, letter in zip(_TOTAL_BYTES, b"tmm", strict=True) if letter in folded]
    return any(word in folded for word in words)


def _tidy(read: _Columns, dataset: Dataset) -> Tidy | None:
    head = _head_grid(read)
    try:
        sample = guess_layout(head)
    except KoersError:
        return None
    row0, col0 = read.start
    height, width = len(read.columns[0]), len(read.columns)
    head_rows = tuple(range(row0 + 1, row0 + len(head.index)))
    expected = LayoutGuess(
        header_row=row0,
        title_rows=(),
        first_row=row0 + 1,
        last_row=row0 + len(head_rows),
        first_col=col0,
        last_col=col0 + width - 1,
        columns=tuple(range(col0, col0 + width)),
        names=sample.names,
        data_rows=head_rows,
        tables=(sample.tables[0],) if len(sample.tables) == 1 else (),
        titles=(),
        decisions=(Decision("layout.header_found", {"row": row0 + 1, "skipped": 0}),),
        filled_rows=len(head.index),
    )
    if sample != expected or len(sample.names) != width:
        return None
    typed: dict[str, ColumnParse] = {}
    if read.text:
        # A csv holds only text: the columns whose every value is a plain number or an ISO
        # date are typed here by Arrow, with the report the value parsers would give.
        for j, (label, column) in enumerate(zip(sample.names, read.columns, strict=True)):
            done = _typed_text(column, label, dataset.notation)
            if done is not None:
                read.columns[j], typed[label] = done
    else:
        # Columns fastexcel typed as numbers or dates are not looked at again: their report
        # is what the value parsers give a typed column (every filled cell read).
        for label, column in zip(sample.names, read.columns, strict=True):
            known = _typed_report(column, label, dataset.notation)
            if known is not None:
                typed[label] = known
    frame = pd.DataFrame(
        {n: _series(c, n) for n, c in zip(sample.names, read.columns, strict=True)},
        index=pd.RangeIndex(height),
    )
    if not _plain_facts(read, frame):
        return None
    cells = sum(len(c) - c.null_count for c in read.columns)
    last = row0 + height
    rows = tuple(range(row0 + 1, last + 1))
    guess = dataclasses.replace(
        sample,
        last_row=last,
        data_rows=rows,
        tables=(TableRange(row0, row0 + 1, last, col0, col0 + width - 1, cells),),
        filled_rows=height + 1,
    )
    if detect_wide(frame, guess.titles) is not None:
        return None
    # guess.row_numbers, without a generator, and sharing the int objects of ``rows``
    # (a second million of them took 25 ms).
    numbers = rows[1:] + (last + 1,)  # noqa: RUF005 (a concatenation is the quicker copy)
    if typed:
        rest = [n for n in guess.names if n not in typed]
        kinds = infer_kinds(frame[rest]) if rest else {}
        found: dict[str, ColumnParse] = dict(typed)
        if kinds:  # else nothing to read: the frame is new, parse_table would copy it only
            parsed = parse_table(
                frame, kinds, notation=dataset.notation, rows=numbers, date_system=read.date_system
            )
            frame = parsed.frame
            found.update(parsed.report.columns)
        columns = {n: found[n] for n in guess.names if n in found}  # in column order
        report = ParseReport(columns, left_out=tuple(guess.left_out()))
    else:
        parsed = parse_table(
            frame, notation=dataset.notation, rows=numbers, date_system=read.date_system
        )
        frame = parsed.frame
        report = dataclasses.replace(parsed.report, left_out=tuple(guess.left_out()))
    return Tidy(frame, report, guess, None, numbers)


# Whole values only: a plain whole number, one with a decimal point or comma, an ISO date.
# A number starting with 0 and a digit is a code (postal code, article number), which the
# value parsers keep as text: such a column does not match and is read by them.
_INTEGER = r"(?:-[0-9]+|0|[1-9][0-9]*)"
_WHOLE = f"^{_INTEGER}$"
_POINT = f"^{_INTEGER}(?:\\.[0-9]+)?$"
_COMMA = f"^{_INTEGER}(?:,[0-9]+)?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# One to three digits, a point and three digits: 1.234 is 1234 in Dutch and 1.234 in
# English, so it gives no vote on the notation (parsing._plain_votes).
_EITHER_POINT = r"^-?[0-9]{1,3}\.[0-9]{3}$"
_MIN_DAY, _MAX_DAY = "1677-09-23", "2262-04-10"  # parsing's datetime64[ns] window
_FIRST_DAY, _LAST_DAY = datetime.fromisoformat(_MIN_DAY), datetime.fromisoformat(_MAX_DAY)


def _count(texts: pa.Array, pattern: str) -> int:
    return _sum(pac.match_substring_regex(texts, pattern))


def _sum(flags: pa.Array) -> int:
    return int(pac.sum(flags).as_py() or 0)


def _typed_text(
    column: pa.Array, name: str, notation: Notation | None
) -> tuple[pa.Array, ColumnParse] | None:
    """A csv column (trimmed Arrow strings, blanks null) read by Arrow when what
    ``parsing.parse_table`` would make of it is certain without reading a value at a time,
    with the ``ColumnParse`` it would report; None for any other column (it is read by
    ``parse_table`` as before).

    Certain are: a column whose every filled cell is a plain number (``12``, ``-3``; ``12.5``
    when the notation is English, ``12,5`` when Dutch, the notation being the dataset's or
    the one ``parsing.detect_notation`` would vote), no code with a leading zero among
    them, and a name that does not say date (``Jaar`` holds years, ``Datum`` serials); and a
    column whose every filled cell is an ISO date (``2026-03-31``) that exists, inside
    the dates Koers can hold. Every filled cell is then read, none left out.

    Whether every cell has one of these forms (the patterns ``_WHOLE``, ``_POINT``,
    ``_COMMA`` and ``_ISO_DATE``) is worked out on the cells' bytes with numpy
    (``_iso_form``, ``_number_form``): a few passes over the column's bytes and over the
    first, second and last byte of each cell, instead of a regular expression per cell.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    present = column.drop_null() if column.null_count else column  # no copy when full
    blank = len(column) - len(present)
    if not len(present):
        return None
    body, starts, ends = _utf8_cells(present)
    lengths = ends - starts
    # Bytes, not characters: the same for the ASCII values taken here.
    if int(lengths.max()) > MAX_TEXT or int(lengths.min()) == 0:
        return None  # too long to be read; an empty text is no value of either form
    if int(lengths.min()) == int(lengths.max()) == len(_MIN_DAY) and _iso_form(body):
        try:
            days = pac.cast(column, pa.timestamp("ns"))  # refuses a day that does not exist
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None  # (and one outside the nanosecond range, which _MIN/_MAX_DAY bound)
        bounds = pac.min_max(days).as_py()
        if not (bounds["min"] >= _FIRST_DAY and bounds["max"] <= _LAST_DAY):
            return None
        return days, ColumnParse(name, "date", len(present), 0, blank, 0, dayfirst=True)
    if is_date_name(name):
        return None
    form = _number_form(body, starts, ends)
    if form is None:
        return None
    separator, negative_zero = form
    used: Notation
    if notation is not None:
        used = notation
    else:
        # parsing.detect_notation: a value that fits one notation only votes for it; a tie
        # (no votes) gives the default, Dutch. Only one separator is in the column.
        # English wins when a value with a point is no 1.234 (no comma votes Dutch then).
        used = "nl"
        if separator == ".":
            for part in (present.slice(0, 64), present):
                dotted = pac.match_substring(part, ".")
                if _count(part.filter(dotted), _EITHER_POINT) < _sum(dotted):
                    used = "en"
                    break
    if (separator == "." and used != "en") or (separator == "," and used != "nl"):
        return None  # a point in a Dutch column, a comma in an English one: read as before
    texts = pac.replace_substring(column, ",", ".") if separator == "," else column
    try:
        numbers = pac.cast(texts, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if negative_zero:
        numbers = pac.add(numbers, 0.0)  # "-0" is 0.0, as parsing.parse_number_column reads it
    return numbers, ColumnParse(name, "number", len(present), 0, blank, 0, notation=used)


_DASH, _POINT_BYTE, _COMMA_BYTE, _SLASH, _ZERO, _NINE = (ord(c) for c in "-.,/09")


def _iso_form(body: np.ndarray) -> bool:
    """Whether the cells whose bytes are ``body``, each ten bytes long, all match
    ``_ISO_DATE``: a dash as the fifth and eighth byte, every other byte a digit."""
    grid = body.reshape(-1, 10)
    if not ((grid[:, 4] == _DASH).all() and (grid[:, 7] == _DASH).all()):
        return False
    # Then exactly those two bytes of each cell are no digit (below '0' wraps round).
    return int(np.count_nonzero((body - np.uint8(_ZERO)) > 9)) == 2 * len(grid)


def _number_form(body: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[str, bool] | None:
    """Whether every cell (its bytes ``body[starts[i]:ends[i]]``, none empty) is a plain
    number: all match ``_WHOLE`` (separator ""), or all ``_POINT`` ("."), or all
    ``_COMMA`` (","). The separator, and whether a cell starts with -0 (read as 0.0, not
    -0.0); None when some cell has another form.

    A cell matches ``_POINT`` exactly when it holds only digits, a dash and points, a
    dash only as its first byte and not its last, at most one point, not as its first or
    last byte nor right after the dash, and no 0 followed by a digit at its start; the
    same with a comma for ``_COMMA``, with neither for ``_WHOLE``. All but "at most one
    point" is checked here; a second point in a cell makes Arrow's cast to float64,
    which must read the whole text, refuse the column (``_typed_text`` returns None then;
    ``tests/test_arrow_forms.py`` checks both against the patterns on random text)."""
    low, high = int(body.min()), int(body.max())
    if low < _COMMA_BYTE or high > _NINE:
        return None  # a byte that is no digit, dash, point, comma or slash
    points, commas = bool((body == _POINT_BYTE).any()), bool((body == _COMMA_BYTE).any())
    if (points and commas) or (low <= _SLASH and bool((body == _SLASH).any())):
        return None
    separator = "." if points else "," if commas else ""
    first = body[starts]
    last = body[ends - 1]
    signed = first == _DASH
    dashes = int(np.count_nonzero(body == _DASH)) if low <= _DASH else 0
    if int(np.count_nonzero(signed)) != dashes or bool((last == _DASH).any()):
        return None  # a dash that is not a sign, or a sign alone
    mark = ord(separator) if separator else -1
    if separator and ((first == mark).any() or (last == mark).any()):
        return None
    # The second byte matters only after a sign or a 0 (few cells in most columns).
    lead = np.flatnonzero(signed | (first == _ZERO))
    if not len(lead):
        return separator, False
    at, to = starts[lead], ends[lead]
    second = body[np.minimum(at + 1, to - 1)]  # the first again in a one-byte cell
    firsts = first[lead]
    if ((firsts == _DASH) & (second == mark)).any():
        return None  # -.5
    if ((firsts == _ZERO) & (to - at >= 2) & (second != mark)).any():
        return None  # 05 is a code, 0,5 a number
    return separator, bool(((firsts == _DASH) & (second == _ZERO)).any())


def _typed_report(column: pa.Array, name: str, notation: Notation | None) -> ColumnParse | None:
    """The ``ColumnParse`` that ``parsing.parse_table`` gives a column fastexcel typed:
    dates (day first, as for any date cell) and finite numbers whose column name does not
    say date (there whole numbers may be Excel serials or years, which ``infer_kinds``
    decides); None for any other column, which ``parse_table`` reads as before."""
    filled = len(column) - column.null_count
    blank = column.null_count
    if pa.types.is_timestamp(column.type):
        return ColumnParse(name, "date", filled, 0, blank, 0, dayfirst=True)
    if not pa.types.is_floating(column.type) or is_date_name(name) or not filled:
        return None
    if not bool(pac.all(pac.is_finite(column)).as_py()):  # nulls are skipped
        return None
    return ColumnParse(name, "number", filled, 0, blank, 0, notation=notation or "nl")


def _series(column: pa.Array, name: str) -> pd.Series:
    """A column as ``layout.apply_layout`` gives it: float64 (NaN for blanks),
    datetime64[ns] (NaT) or str."""
    kind = column.type
    values: Any
    if pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False)
        return pd.Series(np.asarray(values, dtype="float64"), name=name, dtype="float64")
    if pa.types.is_timestamp(kind):
        values = column.to_numpy(zero_copy_only=False)
        return pd.Series(np.asarray(values, dtype="datetime64[ns]"), name=name)
    return pd.Series(pd.array(column, dtype=STR), name=name)


__all__ = ["FAST_READ_ENV", "HEAD_ROWS", "fast_read_on", "fast_tidy"]
