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
    arrow_cells,
    decode,
    detect_format,
    match_sheet,
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
    infer_kinds,
    is_date_name,
    parse_table,
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
    raw: list[pa.Array]  # the cells as the exact path's grid holds them (for the head sample)
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
    text = decode(data)
    delim = _sniff(text)
    if delim is None:
        return None
    head = text[: 1 << 20].splitlines()[:SNIFF_LINES]
    import csv

    try:
        check_text_width(list(csv.reader(head, delimiter=delim)), name)
    except KoersError:
        return None
    columns = arrow_cells(text, delim)
    if columns is None or len(columns[0]) < 2:
        return None
    try:
        check_shape(name, None, len(columns[0]), len(columns))
    except KoersError:
        return None
    names = [str(c[0].as_py()) for c in columns]
    body = [c.slice(1) for c in columns]
    typed = [_blank_to_null(c, trimmed=True) for c in body]  # arrow_cells trimmed them
    return _Columns(names, typed, body, (0, 0), 1900, text=True)


def _sniff(text: str) -> str | None:
    """``sniff_delimiter(text)``, which looks at the first ``SNIFF_LINES`` lines, without
    splitting the whole text into lines: a start of the text that holds more lines than
    that begins with the very same lines."""
    for size in (1 << 16, 1 << 20):
        part = text[:size]
        if len(part) < len(text) and len(part.splitlines()) > SNIFF_LINES:
            return sniff_delimiter(part)
    return sniff_delimiter(text)


def _blank_to_null(texts: pa.Array, *, trimmed: bool = False) -> pa.Array:
    """Trimmed Arrow strings with the blank ones (empty after trimming) as null."""
    if not trimmed:
        texts = pac.utf8_trim_whitespace(texts)
    return pac.if_else(pac.equal(texts, ""), pa.scalar(None, pa.string()), texts)


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


def _plain_facts(read: _Columns) -> bool:
    """The column-level facts that keep every row below the head a plain data row."""
    width = len(read.columns)
    if width < 2:
        return False
    missing = np.zeros(len(read.columns[0]), dtype=np.int32)
    key = False
    for column in read.columns:
        if column.null_count:  # most columns have none: nothing to count
            missing += np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        if pa.types.is_string(column.type):
            present = column.drop_null() if column.null_count else column
            # Each distinct text once (a column of regions is a handful).
            if len(present) and bool(
                pac.any(pac.match_substring_regex(pac.unique(present), _TOTAL_WORDS))
            ):
                return False
            if not key and len(present) == len(column) and len(present):
                key = not bool(matches(present, MAYBE_NUMBER).any())
        elif pa.types.is_timestamp(column.type) and column.null_count == 0:
            key = True
    return key and bool((missing <= width - 2).all())


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
    if not _plain_facts(read):
        return None
    cells = sum(len(c) - c.null_count for c in read.columns)
    last = row0 + height
    guess = dataclasses.replace(
        sample,
        last_row=last,
        data_rows=tuple(range(row0 + 1, last + 1)),
        tables=(TableRange(row0, row0 + 1, last, col0, col0 + width - 1, cells),),
        filled_rows=height + 1,
    )
    frame = pd.DataFrame(
        {n: _series(c, n) for n, c in zip(guess.names, read.columns, strict=True)},
        index=pd.RangeIndex(height),
    )
    if detect_wide(frame, guess.titles) is not None:
        return None
    numbers = tuple(range(row0 + 2, last + 2))  # guess.row_numbers, without a generator
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


def _all(texts: pa.Array, pattern: str) -> bool:
    # The first cells first: most columns fail there, before the whole column is matched.
    for part in (texts.slice(0, 64), texts):
        if not pac.all(pac.match_substring_regex(part, pattern)).as_py():
            return False
    return True


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
    """
    present = column.drop_null() if column.null_count else column  # no copy when full
    blank = len(column) - len(present)
    # Bytes, not characters: the same for the ASCII values taken here, and no pass needed.
    if not len(present) or pac.max(pac.binary_length(present)).as_py() > MAX_TEXT:
        return None
    if _all(present, _ISO_DATE):
        bounds = pac.min_max(present).as_py()
        if not (bounds["min"] >= _MIN_DAY and bounds["max"] <= _MAX_DAY):
            return None
        try:
            days = pac.cast(column, pa.timestamp("ns"))  # refuses a day that does not exist
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        return days, ColumnParse(name, "date", len(present), 0, blank, 0, dayfirst=True)
    if is_date_name(name):
        return None
    if _all(present, _WHOLE):
        separator = ""
    elif _all(present, _POINT):
        separator = "."
    elif _all(present, _COMMA):
        separator = ","
    else:
        return None
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
        # + 0.0: "-0" is 0.0, as parsing.parse_number_column reads it
        numbers = pac.add(pac.cast(texts, pa.float64()), 0.0)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return numbers, ColumnParse(name, "number", len(present), 0, blank, 0, notation=used)


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
