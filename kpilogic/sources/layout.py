"""Finding the table in a messy sheet, and turning periods-as-columns into rows.

Real sheets are not one clean table: a title sits above the header, header cells are
merged, blank rows and columns break the data up, totals rows sum what is above them, two
tables share a sheet, and months run across as columns. ``guess_layout`` reads the raw
cells (``ingest.read_grid``) and proposes where the table is; each choice it makes is a
``Decision`` the app shows to the user (in both languages) and the user can override
(``table=``, ``header_row=``, ``keep_totals=``). ``apply_layout`` then cuts the clean table
out. ``detect_wide``/``unpivot`` turn a wide table (Jan, Feb, … as columns) into long rows
with a real ``Date`` and a ``Value``; ``table_shape`` tells transaction rows from a
pre-aggregated table with one row per period. ``tidy`` runs the whole chain.

Rules, in order:
- Merged cells are filled with their top-left value (calamine gives the ranges; for a
  format that does not, a blank header cell right of a filled one takes its value when
  its column holds data).
- Fully blank columns split the sheet into column groups; a group is a table of its own
  when it has at least two columns and its first column holds labels (text or dates),
  and it does not fill the same rows as the group on its left (a blank spacer column
  inside one table) unless the two repeat each other's column names; otherwise it belongs
  to the group on its left.
- Within a group, blank rows split the rows into runs. The header is the first row with
  at least two different values, filled in at least half the columns, mostly text. Rows
  above it are title rows. A later run that starts (after optional title rows) with such
  a header and has data below it is a new table, unless that "header" keeps the table's
  shape (numbers and dates where the table has them: a data row such as Klant, Product,
  Regio, 12, 40,00 after a blank row); a run that repeats the header is a repeated header
  (skipped); anything else continues the table. A blank row never splits a table by
  itself: a new table starts only at a new header row.
- The row just above the header is a band row when it holds merged cells (or, without
  merge information, sparse text over a full header row). Its text is put before the
  header names only when the header names alone repeat (``2025 jan``, ``2026 jan``).
- A data row whose only cell is text (in a table of three or more columns) is a label
  row (a section heading or a note) and is skipped.
- A totals row is one whose first text cell starts with totaal, total, subtotaal,
  subtotal, eindtotaal, grand total, som or sum, or one without labels whose numbers equal
  the sum of the rows above it (since the previous total, or all of them). Totals rows
  are excluded unless ``keep_totals``.
- Of several tables the biggest (most filled data cells) is chosen; the others are listed.
  A header row chosen by the user makes the table run on through the parts of its shape
  below it; ``combine`` reads the chosen table and the ones below it as one.
- No row disappears unnamed: ``LayoutGuess.left_out`` lists every filled row not read as
  data with its reason (title, blank, totals, label, repeated header, outside the table),
  and ``rows_with_data`` is what the rows read are counted against.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac

from kpilogic.errors import LayoutError
from kpilogic.sources.cells import (
    BLANK,
    DATE,
    K_DATE,
    K_NONE,
    K_NUMBER,
    K_STR,
    NUMBER,
    TEXT,
    classify,
    contains,
)
from kpilogic.sources.ingest import MAX_TS, MIN_TS, header, in_ns_range
from kpilogic.sources.notes import Note, row_ranges
from kpilogic.sources.parsing import (
    EXCEL_ERRORS,
    DateSystem,
    Notation,
    ParseReport,
    PeriodStart,
    detect_notation,
    detect_notation_counts,
    numeric_text,
    parse_number_column,
    parse_period_label,
    parse_table,
)

Cadence = Literal["week", "month", "quarter", "year"]
Shape = Literal["transactions", "per_period"]
DATE_COLUMN = "Date"
VALUE_COLUMN = "Value"
METRIC_COLUMN = "Metric"


@dataclass(frozen=True)
class LongNames:
    """The names of the columns an unpivot makes, in the language the dataset keeps them in
    (``Dataset.column_language``), so a scorecard made in Dutch keeps its ``Datum``."""

    date: str = DATE_COLUMN
    value: str = VALUE_COLUMN
    metric: str = METRIC_COLUMN


LONG_NAMES: dict[str, LongNames] = {
    "en": LongNames(),
    "nl": LongNames("Datum", "Waarde", "Maatstaf"),
}


def long_names(language: str | None) -> LongNames:
    """The unpivot's column names for ``language`` (English when None or unknown)."""
    return LONG_NAMES.get(language or "en", LONG_NAMES["en"])


# A column whose header cell was blank gets this name from ``ingest._header``.
_BLANK_NAME = re.compile(r"Column \d+")
# Headers that say a column names what each row measures.
_METRIC_HEADER = re.compile(
    r"^\s*(?:metric|metrics|maatstaf|maatstaven|measure|kpi|kpis|indicator|omschrijving|"
    r"rubriek|grootheid|post|posten|item|regel|description)\s*$",
    re.IGNORECASE,
)
# Words of what a row of a months-as-columns sheet usually measures.
_METRIC_WORDS = re.compile(
    r"(?i)\b(?:omzet|kosten|orders?|bestellingen|revenue|sales|costs?|marge|margin|winst|"
    r"profit|verkopen|budget|klanten|customers|bezoekers|visitors|aantal|nps|conversie|"
    r"conversion|uren|hours|fte|ebitda|brutowinst|nettowinst|uitgaven|inkomsten|expenses|"
    r"income|leads|retouren|returns)"
)

_TOTAL_LABEL = re.compile(
    r"^\s*(?:sub|eind|grand\s*)?(?:totaal|totalen|totals?|som|sum)\b", re.IGNORECASE
)
_YEAR_IN_TEXT = re.compile(r"\b(19\d{2}|20\d{2}|2100)\b")
_STR = pd.StringDtype(na_value=np.nan)
_HEADER_TEXT_SHARE = 0.6


@dataclass(frozen=True)
class Decision(Note):
    """One choice the layout step made, as a message key with its parameters.

    Row numbers in ``params`` are 1-based as the user sees them; columns are letters.
    """


@dataclass(frozen=True)
class TableRange:
    """Where a table sits: 0-based inclusive rows (header to last data row) and columns."""

    header_row: int
    first_row: int
    last_row: int
    first_col: int
    last_col: int
    cells: int  # filled data cells, to compare sizes

    @property
    def a1(self) -> str:
        """The range in A1 notation, e.g. ``B5:F20``."""
        return (
            f"{column_letter(self.first_col)}{self.header_row + 1}:"
            f"{column_letter(self.last_col)}{self.last_row + 1}"
        )


@dataclass(frozen=True)
class LayoutGuess:
    """Where the table of a sheet is and how to read it (all positions 0-based in the grid).

    ``first_row``..``last_row`` and ``first_col``..``last_col`` are the data range below
    the header; ``data_rows`` and ``columns`` are the rows and columns kept from it (blank,
    label, totals and repeated header rows out; blank columns out); ``names`` are the
    column names. ``tables`` lists every table found, ``table`` is the chosen one.
    """

    header_row: int
    title_rows: tuple[int, ...]
    first_row: int
    last_row: int
    first_col: int
    last_col: int
    columns: tuple[int, ...]
    names: tuple[str, ...]
    data_rows: tuple[int, ...]
    blank_rows: tuple[int, ...] = ()
    blank_columns: tuple[int, ...] = ()
    total_rows: tuple[int, ...] = ()
    label_rows: tuple[int, ...] = ()
    repeated_header_rows: tuple[int, ...] = ()
    band_row: int | None = None
    filled_header_cells: int = 0
    tables: tuple[TableRange, ...] = ()
    table: int = 0
    titles: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    filled_rows: int = 0
    outside_rows: tuple[int, ...] = ()

    @property
    def row_numbers(self) -> tuple[int, ...]:
        """The spreadsheet row number (1-based) of each row of ``apply_layout``'s table."""
        return tuple(r + 1 for r in self.data_rows)

    @property
    def rows_with_data(self) -> int:
        """The sheet's filled rows other than the column names and the title rows above
        them: what ``data_rows`` is counted against (``len(data_rows)`` of this many read)."""
        above = len(self.title_rows) + (self.band_row is not None)
        return max(0, self.filled_rows - 1 - above)

    def left_out(self) -> list[tuple[str, tuple[int, ...]]]:
        """Every row of the sheet that is not read as data, by reason, as 1-based row
        numbers: ``title`` (above the column names), ``blank`` (empty, inside the table),
        ``totals``, ``label`` (only a label or a note), ``repeated_header`` and ``outside``
        (other tables and cells outside the table). Reasons without rows are left out."""
        totals = (
            ()
            if not self.total_rows or set(self.total_rows) <= set(self.data_rows)
            else self.total_rows
        )
        parts = [
            ("title", self.title_rows + ((self.band_row,) if self.band_row is not None else ())),
            ("blank", self.blank_rows),
            ("totals", totals),
            ("label", self.label_rows),
            ("repeated_header", self.repeated_header_rows),
            ("outside", self.outside_rows),
        ]
        return [(why, tuple(sorted(r + 1 for r in rows))) for why, rows in parts if rows]


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- cells -----------------------------------------------------------------------------------


def blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def is_num(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return True
    return isinstance(value, str) and numeric_text(value)


def is_text(value: object) -> bool:
    """Text that is no number, date or error value: what labels and headers are made of."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and not numeric_text(value)
        and value.strip().upper() not in EXCEL_ERRORS
    )


def _text(value: object) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value == datetime(*value.timetuple()[:3]) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _periodish(value: object) -> bool:
    if isinstance(value, date | datetime):
        return True
    if isinstance(value, str):
        return parse_period_label(value, 2000) is not None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value).is_integer() and 1900 <= float(value) <= 2100
    return False


def _contiguous(labels: np.ndarray) -> bool:
    return bool(len(labels) and (labels == np.arange(labels[0], labels[0] + len(labels))).all())


def _labels(index: pd.Index) -> np.ndarray:
    if pd.api.types.is_integer_dtype(index.dtype):
        return index.to_numpy(dtype=np.int64)
    return np.asarray([int(r) for r in index], dtype=np.int64)


class Cells:
    """The cells of a grid as arrays, merged ranges filled, with the lookups the layout
    rules need. A lookup over many rows (is this column used below the header?) is one
    numpy operation, so a sheet of a million rows takes the same rules as a small one.

    Positions are the grid's row and column labels (0-based spreadsheet rows and columns).
    """

    def __init__(self, grid: pd.DataFrame) -> None:
        values = grid.to_numpy(dtype=object, copy=True)
        if values.ndim != 2:
            values = values.reshape(len(grid.index), len(grid.columns))
        self.row_labels = _labels(grid.index)
        self.col_labels = _labels(grid.columns)
        self.classes = np.zeros(values.shape, dtype=np.int8)
        self.kinds = np.zeros(values.shape, dtype=np.int8)
        self._texts: list[tuple[np.ndarray, pa.Array | None]] = []
        for j in range(values.shape[1]):
            found = classify(values[:, j])
            self.classes[:, j], self.kinds[:, j] = found.classes, found.kinds
            self._texts.append((found.text_rows, found.texts))
        blank = self.classes == BLANK
        values[blank] = None
        self.kinds[blank] = K_NONE
        self.vals = values
        self.filled = np.zeros(values.shape, dtype=bool)
        self.has_merges = grid.attrs.get("merged") is not None
        self.merged: tuple[tuple[int, int, int, int], ...] = tuple(grid.attrs.get("merged") or ())
        self._row_order = np.argsort(self.row_labels, kind="stable")
        self._col_order = np.argsort(self.col_labels, kind="stable")
        self._rows_contiguous = _contiguous(self.row_labels)
        self._cols_contiguous = _contiguous(self.col_labels)
        self._fill_merged()
        self.present = self.classes != BLANK
        self.rows: list[int] = self.row_labels[self.present.any(axis=1)].tolist()
        self.rows.sort()
        self.cols: list[int] = sorted(self.col_labels[self.present.any(axis=0)].tolist())

    # -- positions

    def _find(self, labels: np.ndarray, order: np.ndarray, wanted: Any) -> np.ndarray:
        """Positions of the labels ``wanted`` (an int, a sequence or a range); -1 if absent."""
        want = np.asarray(wanted, dtype=np.int64).reshape(-1)
        if not len(labels):
            return np.full(len(want), -1, dtype=np.int64)
        first = int(labels[0])
        if (labels is self.row_labels and self._rows_contiguous) or (
            labels is self.col_labels and self._cols_contiguous
        ):
            at = want - first
            return np.where((at >= 0) & (at < len(labels)), at, -1)
        ranked = labels[order]
        at = np.searchsorted(ranked, want).clip(0, len(ranked) - 1)
        found = ranked[at] == want
        return np.where(found, order[at], -1)

    def rpos(self, rows: Any) -> np.ndarray:
        return self._find(self.row_labels, self._row_order, rows)

    def cpos(self, cols: Any) -> np.ndarray:
        return self._find(self.col_labels, self._col_order, cols)

    def _fill_merged(self) -> None:
        for r0, c0, r1, c1 in self.merged:
            (pr,), (pc,) = self.rpos(r0), self.cpos(c0)
            if pr < 0 or pc < 0 or self.classes[pr, pc] == BLANK:
                continue
            rows = np.flatnonzero((self.row_labels >= r0) & (self.row_labels <= r1))
            cols = np.flatnonzero((self.col_labels >= c0) & (self.col_labels <= c1))
            block = np.ix_(rows, cols)
            empty = self.classes[block] == BLANK
            if not empty.any():
                continue
            value, cls, kind = self.vals[pr, pc], self.classes[pr, pc], self.kinds[pr, pc]
            sub_vals = self.vals[block]
            sub_vals[empty] = value
            self.vals[block] = sub_vals
            for target, fill in ((self.classes, cls), (self.kinds, kind)):
                sub = target[block]
                sub[empty] = fill
                target[block] = sub
            sub_filled = self.filled[block]
            sub_filled[empty] = True
            self.filled[block] = sub_filled

    def texts(self, rows: np.ndarray, pc_: int) -> pa.Array | None:
        """The ``str`` cells of column position ``pc_`` at row positions ``rows`` as Arrow
        strings (null where a cell holds no text), or None when the column's texts were not
        kept as read (merged cells filled into it)."""
        text_rows, texts = self._texts[pc_]
        if texts is None or self.filled[:, pc_].any():
            return None
        at = np.searchsorted(text_rows, rows).clip(0, max(len(text_rows) - 1, 0))
        found = (
            (text_rows[at] == rows) & (self.kinds[rows, pc_] == K_STR)
            if len(text_rows)
            else np.zeros(len(rows), dtype=bool)
        )
        return texts.take(pa.array(at, mask=~found))

    # -- lookups

    def get(self, row: int, col: int) -> Any:
        (pr,), (pc,) = self.rpos(row), self.cpos(col)
        return None if pr < 0 or pc < 0 else self.vals[pr, pc]

    def is_filled(self, row: int, col: int) -> bool:
        (pr,), (pc,) = self.rpos(row), self.cpos(col)
        return bool(pr >= 0 and pc >= 0 and self.filled[pr, pc])

    def values(self, row: int, cols: Sequence[int]) -> list[Any]:
        (pr,) = self.rpos(row)
        if pr < 0:
            return []
        pcs = self.cpos(list(cols))
        pcs = pcs[pcs >= 0]
        keep = self.present[pr, pcs]
        return list(self.vals[pr, pcs[keep]])

    def block(self, rows: Any, cols: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Row and column positions of ``rows`` × ``cols`` that exist in the grid."""
        prs, pcs = self.rpos(rows), self.cpos(list(cols))
        return prs[prs >= 0], pcs[pcs >= 0]

    def used_rows(self, rows: Any, cols: Sequence[int]) -> np.ndarray:
        """For each of ``rows``, whether it holds a cell in ``cols`` (absent rows: False)."""
        prs, pcs = self.rpos(rows), self.cpos(list(cols))
        pcs = pcs[pcs >= 0]
        out = np.zeros(len(prs), dtype=bool)
        found = prs >= 0
        if len(pcs):
            out[found] = self.present[np.ix_(prs[found], pcs)].any(axis=1)
        return out

    def used_cols(self, cols: Sequence[int], rows: Any) -> list[bool]:
        """For each of ``cols``, whether it holds a cell in ``rows``."""
        prs, pcs = self.rpos(rows), self.cpos(list(cols))
        prs = prs[prs >= 0]
        out = [False] * len(pcs)
        for i, pc in enumerate(pcs):
            if pc >= 0 and len(prs):
                out[i] = bool(self.present[prs, pc].any())
        return out

    def row_used(self, row: int, cols: Sequence[int]) -> bool:
        return bool(self.used_rows([row], cols)[0])

    def col_used(self, col: int, rows: Any) -> bool:
        return self.used_cols([col], rows)[0]

    def counts(self, rows: Any, cols: Sequence[int]) -> np.ndarray:
        """For each of ``rows``, how many cells of ``cols`` hold something."""
        prs, pcs = self.rpos(rows), self.cpos(list(cols))
        pcs = pcs[pcs >= 0]
        out = np.zeros(len(prs), dtype=np.int64)
        found = prs >= 0
        if len(pcs):
            out[found] = self.present[np.ix_(prs[found], pcs)].sum(axis=1)
        return out

    def count(self, rows: Any, cols: Sequence[int]) -> int:
        """How many cells of ``rows`` × ``cols`` hold something."""
        prs, pcs = self.block(rows, cols)
        if not len(prs) or not len(pcs):
            return 0
        return int(self.present[np.ix_(prs, pcs)].sum())


def cells(grid: pd.DataFrame) -> Cells:
    """The cells of ``grid`` prepared for the layout rules (classes worked out, merged
    ranges filled). Pass the result as ``cells=`` to ``guess_layout``, ``apply_layout`` and
    ``tidy`` on the same, unchanged grid so a large sheet is prepared once."""
    return Cells(grid)


# -- finding tables --------------------------------------------------------------------------


def _column_groups(sheet: Cells) -> list[list[int]]:
    """Runs of used columns without a blank column between them, merged per the rules."""
    runs: list[list[int]] = []
    for col in sheet.cols:
        if runs and col == runs[-1][-1] + 1:
            runs[-1].append(col)
        else:
            runs.append([col])
    groups: list[list[int]] = []
    for run in runs:
        if groups and (not _own_table(sheet, run) or _same_rows(sheet, groups[-1], run)):
            groups[-1].extend(range(groups[-1][-1] + 1, run[-1] + 1))
        else:
            groups.append(run)
    return groups


def _same_rows(sheet: Cells, left: list[int], right: list[int]) -> bool:
    """Whether the columns ``right`` (after a blank column) fill the same rows as ``left``
    from the first row ``right`` fills on: then the blank column is a spacer inside one
    table (a new table next to it has a length of its own). At least 90% of the rows either
    side fills there must be filled by both (title rows above are the left side's own), and
    the two sides' first rows share no name."""
    rows = np.asarray(sheet.rows, dtype=np.int64)
    in_right = rows[sheet.used_rows(rows, right)]
    if len(in_right) < 2:
        return False
    below = rows[rows >= in_right[0]]
    in_left = below[sheet.used_rows(below, left)]
    both = len(np.intersect1d(in_left, in_right, assume_unique=True))
    if both < 0.9 * max(len(in_left), len(in_right)):
        return False
    # Two tables of one kind side by side (Maand, Omzet | Maand, Omzet) repeat their
    # column names: those stay two tables.
    top = int(in_right[0])
    names_left = {_text(v) for v in sheet.values(top, left) if is_text(v)}
    names_right = {_text(v) for v in sheet.values(top, right) if is_text(v)}
    return not names_left & names_right


def _own_table(sheet: Cells, cols: list[int]) -> bool:
    if len(cols) < 2:
        return False
    (pc,) = sheet.cpos(cols[0])
    column = sheet.classes[:, pc]
    filled = int((column != BLANK).sum())
    labels = int(((column == TEXT) | (column == DATE)).sum())
    return labels >= max(2, 0.8 * filled)


def _header_like(values: Sequence[Any], width: int) -> bool:
    if len(values) < 2 or len(values) < 0.5 * width:
        return False
    if len({_text(v) for v in values}) < 2:
        return False
    texts = sum(1 for v in values if is_text(v))
    headerish = texts + sum(1 for v in values if _periodish(v))
    return (
        texts >= 1
        and headerish >= _HEADER_TEXT_SHARE * len(values)
        and texts * 2 >= len([v for v in values if not _periodish(v)])
    )


def _title_like(values: Sequence[Any]) -> bool:
    return len({_text(v) for v in values}) <= 1


@dataclass
class _Table:
    cols: list[int]
    header: int
    titles: list[int]
    rows: list[int] = field(default_factory=list)  # every row below the header, blanks too
    repeated: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    typed: dict[int, int] | None = None  # ``_typed_columns``, worked out once


def _runs(sheet: Cells, cols: list[int]) -> list[list[int]]:
    rows = np.asarray(sheet.rows, dtype=np.int64)
    used = rows[sheet.used_rows(rows, cols)]
    if not len(used):
        return []
    breaks = np.flatnonzero(np.diff(used) != 1) + 1
    return [part.tolist() for part in np.split(used, breaks)]


def _header_in(sheet: Cells, run: list[int], cols: list[int]) -> int | None:
    """Position in ``run`` of its header row: after title rows only, else None."""
    width = sum(sheet.used_cols(cols, run)) or 1
    # A row with fewer than two cells is never a header and always title-like: only the
    # rows with two or more are looked at, in order.
    for i in np.flatnonzero(sheet.counts(run, cols) >= 2).tolist():
        row = run[i]
        values = sheet.values(row, cols)
        if _header_like(values, width):
            below = sheet.values(run[i + 1], cols) if i + 1 < len(run) else []
            if _header_like(below, width) and _is_band(sheet, row, run[i + 1], cols):
                return i + 1
            return i
        if _title_like(values):
            continue
        below = sheet.values(run[i + 1], cols) if i + 1 < len(run) else []
        sparse = len(values) < len(below) and all(is_text(v) or _periodish(v) for v in values)
        if not (sparse and _header_like(below, width)):
            return None
    return None


def _is_band(sheet: Cells, row: int, below: int, cols: list[int]) -> bool:
    """Whether ``row`` groups the header row ``below`` (2025 over jan, feb, mrt…)."""
    if sheet.has_merges:
        return any(
            m[0] <= row <= m[2] < below and m[3] > m[1] and m[1] <= cols[-1] and m[3] >= cols[0]
            for m in sheet.merged
        )
    upper = sheet.values(row, cols)
    lower = [_text(v) for v in sheet.values(below, cols)]
    return len(upper) < len(lower) and len(set(lower)) < len(lower)


def _all_title_like(sheet: Cells, run: list[int], cols: list[int]) -> bool:
    many = np.flatnonzero(sheet.counts(run, cols) >= 2).tolist()
    return all(_title_like(sheet.values(run[i], cols)) for i in many)


_SHAPE_ROWS = 2_000


def _typed_columns(sheet: Cells, table: _Table) -> dict[int, int]:
    """Column position → NUMBER or DATE, for the columns of ``table`` whose data so far
    are (at least 80%) numbers or dates: the shape a data row of the table keeps.

    Worked out once per table, from its first ``_SHAPE_ROWS`` rows: a sheet cut by a blank
    row every few rows asks this for every part, and must not read the table again each
    time."""
    if table.typed is not None:
        return table.typed
    prs, _ = sheet.block(table.rows[:_SHAPE_ROWS], [])
    out: dict[int, int] = {}
    if not len(prs):
        return out
    for pc in sheet.cpos(table.cols).tolist():
        if pc < 0:
            continue
        column = sheet.classes[prs, pc]
        filled = int((column != BLANK).sum())
        for cls in (NUMBER, DATE):
            if filled and int((column == cls).sum()) >= 0.8 * filled:
                out[pc] = cls
    if out or len(table.rows) >= _SHAPE_ROWS:
        table.typed = out  # an all-text start may still gain typed rows: ask again later
    return out


def _same_shape(sheet: Cells, table: _Table, row: int) -> bool:
    """Whether ``row`` (a header candidate after a blank row) is a data row of ``table``:
    in every column where the table holds numbers or dates, the row holds a number or a
    date too (or nothing), and in at least one of them it holds one. A real header holds
    text over such columns; a data row that merely looks like a header (Klant, Product,
    Regio…) does not, so a blank row inside the data never starts a new table."""
    typed = _typed_columns(sheet, table)
    if not typed:
        return False
    (pr,) = sheet.rpos(row)
    if pr < 0:
        return False
    matched = 0
    years: list[float] = []
    for pc, cls in sorted(typed.items()):
        found = int(sheet.classes[pr, pc])
        if found == BLANK:
            continue
        if found != cls:
            return False
        matched += 1
        if cls == NUMBER and is_num(sheet.vals[pr, pc]) and not isinstance(sheet.vals[pr, pc], str):
            years.append(float(sheet.vals[pr, pc]))
    # Years running on (2024, 2025, 2026) over number columns: a new table's header.
    running = len(years) >= 2 and all(b - a == 1 for a, b in itertools.pairwise(years))
    if running and all(y.is_integer() and 1900 <= y <= 2100 for y in years):
        return False
    return matched > 0


def _continues(sheet: Cells, table: _Table, row: int, cols: list[int]) -> bool:
    """Whether ``row`` (first of a part below a blank row) is plainly a data row of
    ``table``: two or more cells, not all the same, in the table's shape."""
    values = sheet.values(row, cols)
    return len(values) >= 2 and not _title_like(values) and _same_shape(sheet, table, row)


def _tables_in_group(sheet: Cells, cols: list[int]) -> list[_Table]:
    tables: list[_Table] = []
    pending: list[int] = []
    for run in _runs(sheet, cols):
        current = tables[-1] if tables else None
        if current is not None and _continues(sheet, current, run[0], cols):
            # The part below a blank row starts with a data row of the table's shape: it
            # goes on (the rules below come to the same, a good deal slower).
            current.labels.extend(pending)
            current.rows.extend(pending)
            current.rows.extend(run)
            pending = []
            continue
        at = _header_in(sheet, run, cols)
        if current is None:
            if at is None and _all_title_like(sheet, run, cols):
                pending.extend(run)
                continue
            at = 0 if at is None else at
            table = _Table(cols, run[at], pending + run[:at])
            table.rows.extend(run[at + 1 :])
            tables.append(table)
            pending = []
            continue
        header_text = [_text(v) for v in sheet.values(current.header, cols)]
        if at is not None and [_text(v) for v in sheet.values(run[at], cols)] == header_text:
            # A header repeated (a printed report's page break): skip it, keep the table.
            current.labels.extend(pending + run[:at])
            current.repeated.append(run[at])
            current.rows.extend(run[at + 1 :])
            pending = []
            continue
        if at is not None and at + 1 < len(run) and not _same_shape(sheet, current, run[at]):
            table = _Table(cols, run[at], pending + run[:at])
            table.rows.extend(run[at + 1 :])
            tables.append(table)
            pending = []
            continue
        if _all_title_like(sheet, run, cols):
            pending.extend(run)
            continue
        current.labels.extend(pending)
        current.rows.extend(pending)
        current.rows.extend(run)
        pending = []
    if tables and pending:
        tables[-1].labels.extend(pending)
    elif pending:
        # Only one-value rows (a single column, say): the first row is the header.
        tables.append(_Table(cols, pending[0], [], pending[1:]))
    for table in tables:
        if table.rows:
            last = max(table.rows)
            table.rows = list(range(table.header + 1, last + 1))
    return tables


# -- one table: names, totals ----------------------------------------------------------------


def _band_row(sheet: Cells, table: _Table, cols: list[int]) -> int | None:
    above = table.header - 1
    if above not in table.titles:
        return None
    if sheet.has_merges:
        spans = [
            m
            for m in sheet.merged
            if m[0] <= above <= m[2] and m[3] > m[1] and m[1] <= cols[-1] and m[3] >= cols[0]
        ]
        return above if spans else None
    values = sheet.values(above, cols)
    header = sheet.values(table.header, cols)
    sparse = 0 < len(values) < len(header) and all(is_text(v) or _periodish(v) for v in values)
    return above if sparse and len(values) >= 2 else None


def _band_values(sheet: Cells, row: int, cols: list[int]) -> list[str]:
    out: list[str] = []
    last = ""
    for col in cols:
        value = sheet.get(row, col)
        if value is not None:
            last = _text(value)
        elif sheet.has_merges:
            last = ""
        out.append(last)
    return out


def _names(
    sheet: Cells, table: _Table, cols: list[int], band: int | None, data_rows: list[int]
) -> tuple[list[str], int]:
    lower: list[str] = []
    filled = sum(1 for c in cols if sheet.is_filled(table.header, c))
    used = dict(zip(cols, sheet.used_cols(cols, data_rows), strict=True))
    last = ""
    for col in cols:
        value = sheet.get(table.header, col)
        if value is not None:
            last = _text(value)
            lower.append(last)
        elif not sheet.has_merges and last and used[col]:
            lower.append(last)
            filled += 1
        else:
            lower.append("")
    present = [n for n in lower if n]
    if band is not None and len(set(present)) < len(present):
        upper = _band_values(sheet, band, cols)
        lower = [
            f"{u} {n}".strip() if u and u != n else n for u, n in zip(upper, lower, strict=True)
        ]
    cells = [n if n else None for n in lower]
    return header(cells, [c + 1 for c in cols]), filled


def _numeric_columns(sheet: Cells, cols: list[int], rows: Any) -> list[int]:
    """The columns in which at least half the filled cells of ``rows`` are numbers."""
    prs, _ = sheet.block(rows, [])
    out = []
    for col in cols:
        (pc,) = sheet.cpos(col)
        if pc < 0:
            continue
        column = sheet.classes[prs, pc]
        present = int((column != BLANK).sum())
        if present and int((column == NUMBER).sum()) >= 0.5 * present:
            out.append(col)
    return out


def _numbers(sheet: Cells, col: int, rows: Any, notation: Notation) -> np.ndarray:
    """The cells of ``col`` in ``rows`` as numbers (``_number``); NaN where there is none."""
    prs, _ = sheet.block(rows, [])
    (pc,) = sheet.cpos(col)
    cells = sheet.vals[prs, pc]
    kinds = sheet.kinds[prs, pc]
    out = np.full(len(cells), np.nan)
    typed = kinds == K_NUMBER
    if typed.any():
        numbers = cells[typed].astype("float64")
        out[typed] = np.where(np.isfinite(numbers), numbers, np.nan)
    texts = (kinds != K_NUMBER) & (kinds != K_NONE)
    if texts.any():
        parsed, _ = parse_number_column(pd.Series(cells[texts], dtype=object), notation)
        out[texts] = parsed.to_numpy(dtype="float64")
    return out


def _notation_of(sheet: Cells, col: int, rows: Any) -> Notation:
    prs, _ = sheet.block(rows, [])
    (pc,) = sheet.cpos(col)
    texts = sheet.vals[prs, pc][sheet.kinds[prs, pc] == K_STR]
    if not len(texts):
        return detect_notation([])
    counts = pd.Series(texts, dtype=object).value_counts(sort=False)
    return detect_notation_counts(counts.index.tolist(), counts.to_numpy().tolist())


def _first_texts(sheet: Cells, cols: list[int], rows: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` starts (its first text cell) with a totals label."""
    prs, pcs = sheet.block(rows, cols)
    out = np.zeros(len(rows), dtype=bool)
    if not len(pcs):
        return out
    texts = sheet.classes[np.ix_(prs, pcs)] == TEXT
    has = texts.any(axis=1)
    if not has.any():
        return out
    first = pcs[texts.argmax(axis=1)]
    where = np.flatnonzero(has)
    # Every totals label holds tot, som or sum: per column, Arrow finds the rows that may.
    maybe = np.ones(len(where), dtype=bool)
    for pc_ in np.unique(first[where]).tolist():
        at = first[where] == pc_
        cached = sheet.texts(prs[where][at], pc_)
        if cached is not None:
            maybe[at] = contains(cached, "(?i)tot|som|sum")
    where = where[maybe]
    labels = sheet.vals[prs[where], first[where]]
    codes, distinct = pd.factorize(labels)
    # Every totals label holds one of these words; only those are matched exactly.
    maybe = (
        pd.Series(distinct, dtype=_STR)
        .str.contains("(?i)tot|som|sum")
        .to_numpy(dtype=bool, na_value=False)
    )
    hits = np.zeros(len(distinct), dtype=bool)
    hits[maybe] = [bool(_TOTAL_LABEL.match(str(v))) for v in distinct[maybe]]
    out[where] = hits[codes]
    return out


def _totals(sheet: Cells, cols: list[int], rows: Sequence[int], names: Sequence[str]) -> list[int]:
    rows_arr = np.asarray(rows, dtype=np.int64)
    numeric = _numeric_columns(sheet, cols, rows_arr)
    keys = [c for c in cols if c not in numeric]
    labelled = _first_texts(sheet, cols, rows_arr)
    candidates = np.zeros(len(rows_arr), dtype=bool)
    if keys and numeric:
        # Rows without labels whose numeric cells hold something may sum up those above.
        candidates = (sheet.counts(rows_arr, keys) == 0) & (sheet.counts(rows_arr, numeric) > 0)
        candidates &= ~labelled
    if not candidates.any():
        return [int(r) for r in rows_arr[labelled]]
    values = {c: _numbers(sheet, c, rows_arr, _notation_of(sheet, c, rows_arr)) for c in numeric}
    # Running sums since the previous total and over all rows that are no total, added up
    # a stretch at a time (never a difference of large sums, which would lose the small).
    totals: list[int] = []
    since = dict.fromkeys(numeric, 0.0)
    above = dict.fromkeys(numeric, 0.0)
    since_count = above_count = 0
    done = 0  # rows before this position are in the sums (or are totals)
    for at in np.flatnonzero(labelled | candidates).tolist():
        for c, v in values.items():
            stretch = float(np.nansum(v[done:at]))
            since[c] += stretch
            above[c] += stretch
        since_count += at - done
        above_count += at - done
        done = at + 1
        total = bool(labelled[at])
        present = {c: float(v[at]) for c, v in values.items() if not np.isnan(v[at])}
        if not total and present:
            total = any(
                count >= 2
                and all(abs(present[c] - sums[c]) <= 0.005 + 1e-9 * abs(sums[c]) for c in present)
                for count, sums in ((since_count, since), (above_count, above))
            )
        if total:
            totals.append(int(rows_arr[at]))
            since = dict.fromkeys(numeric, 0.0)
            since_count = 0
            continue
        for c, v in values.items():  # an unlabelled row that sums up nothing: a row like others
            value = 0.0 if np.isnan(v[at]) else float(v[at])
            since[c] += value
            above[c] += value
        since_count += 1
        above_count += 1
    return totals


# -- the guess -------------------------------------------------------------------------------


def _table_range(sheet: Cells, table: _Table) -> TableRange:
    rows = table.rows or [table.header]
    used = sheet.used_cols(table.cols, [table.header, *rows])
    cols = [c for c, u in zip(table.cols, used, strict=True) if u]
    cells = sheet.count(table.rows, cols)
    return TableRange(table.header, table.header + 1, max(rows), min(cols), max(cols), cells)


def guess_layout(
    grid: pd.DataFrame,
    *,
    table: int | None = None,
    header_row: int | None = None,
    keep_totals: bool = False,
    combine: bool = False,
    prepared: Cells | None = None,
) -> LayoutGuess:
    """Where the table in ``grid`` (from ``ingest.read_grid``) is; see the module rules.

    ``table`` picks one of the tables found (index into ``LayoutGuess.tables``; default the
    biggest), ``header_row`` (0-based grid row) overrides the header: the table then runs
    from it down through every later part below a blank row whose rows keep its shape.
    ``combine`` reads the chosen table and every table below it in the same columns as one
    table (their column-name rows skipped when they repeat the first, else read as data).
    ``keep_totals`` keeps totals rows in the data.

    Raises:
        LayoutError: ``error.layout.no_table`` for an empty grid, ``error.layout.table``
            for a table index that does not exist, ``error.layout.header_row`` for a
            header row outside the sheet's data.
    """
    sheet = Cells(grid) if prepared is None else prepared
    if not sheet.rows:
        raise LayoutError("error.layout.no_table")
    found: list[_Table] = []
    for cols in _column_groups(sheet):
        found.extend(_tables_in_group(sheet, cols))
    forced: int | None = None
    if header_row is not None:
        owner = next(
            (
                t
                for t in found
                if header_row in t.titles or t.header <= header_row <= max(t.rows or [t.header])
            ),
            None,
        )
        if owner is None or not sheet.row_used(header_row, owner.cols):
            raise LayoutError("error.layout.header_row", row=header_row + 1)
        last = max(owner.rows or [owner.header])
        above = np.asarray([r for r in sheet.rows if r < header_row], dtype=np.int64)
        titles = above[sheet.used_rows(above, owner.cols)].tolist()
        replaced = _Table(owner.cols, header_row, titles, list(range(header_row + 1, last + 1)))
        at = found.index(owner)
        found[at] = replaced
        # A data row taken for a header below a blank row no longer splits what the user
        # says is one table.
        _absorb(sheet, found, at, everything=False)
        forced = at
    if combine:
        start = forced if forced is not None else (0 if table is None else table)
        if 0 <= start < len(found):
            _absorb(sheet, found, start, everything=True)
            forced = start
    ranges = [_table_range(sheet, t) for t in found]
    if forced is not None and (table is None or combine):
        chosen = forced
    elif table is None:
        chosen = max(range(len(found)), key=lambda i: (ranges[i].cells, -i))
    elif 0 <= table < len(found):
        chosen = table
    else:
        raise LayoutError("error.layout.table", table=table + 1, count=len(found))
    return _describe(sheet, found, ranges, chosen, keep_totals)


def _absorb(sheet: Cells, found: list[_Table], at: int, *, everything: bool) -> None:
    """Let ``found[at]`` take in the tables below it in its columns: each whose header row
    keeps the table's shape (a data row), or all of them when ``everything``."""
    owner = found[at]
    header_text = [_text(v) for v in sheet.values(owner.header, owner.cols)]
    while at + 1 < len(found):
        nxt = found[at + 1]
        if nxt.cols != owner.cols or nxt.header < owner.header:
            break
        if not everything and not _same_shape(sheet, owner, nxt.header):
            break
        if [_text(v) for v in sheet.values(nxt.header, owner.cols)] == header_text:
            owner.repeated.append(nxt.header)
        owner.labels.extend(nxt.titles)
        owner.repeated.extend(nxt.repeated)
        owner.labels.extend(nxt.labels)
        last = max([nxt.header, *nxt.rows])
        owner.rows = list(range(owner.header + 1, last + 1))
        del found[at + 1]


def _describe(
    sheet: Cells,
    found: list[_Table],
    ranges: list[TableRange],
    chosen: int,
    keep_totals: bool,
) -> LayoutGuess:
    tbl = found[chosen]
    span = ranges[chosen]
    all_cols = list(range(span.first_col, span.last_col + 1))
    table_rows = np.asarray(tbl.rows, dtype=np.int64)
    used = sheet.used_rows(table_rows, all_cols)
    blank_rows = table_rows[~used].tolist()
    kept = table_rows[used & ~np.isin(table_rows, tbl.repeated)]
    in_use = sheet.used_cols(all_cols, np.concatenate(([tbl.header], kept)))
    cols = [c for c, u in zip(all_cols, in_use, strict=True) if u]
    blank_cols = [c for c in all_cols if c not in cols]
    labels = list(tbl.labels)
    if len(cols) >= 3 and len(kept):
        # A row whose only cell is text: a section heading or a note.
        prs, pcs = sheet.block(kept, cols)
        classes = sheet.classes[np.ix_(prs, pcs)]
        lone = ((classes != BLANK).sum(axis=1) == 1) & ((classes == TEXT).sum(axis=1) == 1)
        known = set(labels)
        labels.extend(r for r in kept[lone].tolist() if r not in known)
    rows: list[int] = kept[~np.isin(kept, labels)].tolist()
    band = _band_row(sheet, tbl, cols)
    names, filled = _names(sheet, tbl, cols, band, rows)
    totals = _totals(sheet, cols, rows, names)
    excluded = set(totals)
    data_rows = rows if keep_totals or not excluded else [r for r in rows if r not in excluded]
    titles = [r for r in tbl.titles if r != band]
    title_text = tuple(_text(v) for r in tbl.titles for v in sheet.values(r, tbl.cols)[:1])
    decisions = [Decision("layout.header_found", {"row": tbl.header + 1, "skipped": len(titles)})]
    if len(found) > 1:
        others = [r.a1 for i, r in enumerate(ranges) if i != chosen]
        decisions.append(
            Decision(
                "layout.tables_found",
                {"count": len(found), "chosen": span.a1, "others": others},
            )
        )
    if filled:
        decisions.append(Decision("layout.merged_header_filled", {"count": filled}))
    if band is not None:
        decisions.append(Decision("layout.band_row", {"row": band + 1}))
    if blank_rows:
        decisions.append(
            Decision(
                "layout.blank_rows_dropped",
                {"count": len(blank_rows), "rows": [r + 1 for r in blank_rows]},
            )
        )
    if blank_cols:
        decisions.append(
            Decision(
                "layout.blank_columns_dropped",
                {"count": len(blank_cols), "columns": [column_letter(c) for c in blank_cols]},
            )
        )
    if tbl.repeated:
        decisions.append(
            Decision(
                "layout.repeated_headers_skipped",
                {"count": len(tbl.repeated), "rows": [r + 1 for r in tbl.repeated]},
            )
        )
    if labels:
        decisions.append(
            Decision(
                "layout.label_rows_skipped",
                {"count": len(labels), "rows": sorted(r + 1 for r in labels)},
            )
        )
    if totals:
        key = "layout.totals_kept" if keep_totals else "layout.totals_excluded"
        decisions.append(Decision(key, {"count": len(totals), "rows": [r + 1 for r in totals]}))
    accounted = {tbl.header, *tbl.titles, *tbl.rows, *labels}
    outside = [r for r in sheet.rows if r not in accounted]
    if outside:
        decisions.append(
            Decision(
                "layout.rows_outside",
                {"count": len(outside), "rows": row_ranges([r + 1 for r in outside])},
            )
        )
    return LayoutGuess(
        header_row=tbl.header,
        title_rows=tuple(titles),
        first_row=span.first_row,
        last_row=span.last_row,
        first_col=span.first_col,
        last_col=span.last_col,
        columns=tuple(cols),
        names=tuple(names),
        data_rows=tuple(data_rows),
        blank_rows=tuple(blank_rows),
        blank_columns=tuple(blank_cols),
        total_rows=tuple(totals),
        label_rows=tuple(sorted(labels)),
        repeated_header_rows=tuple(tbl.repeated),
        band_row=band,
        filled_header_cells=filled,
        tables=tuple(ranges),
        table=chosen,
        titles=title_text,
        decisions=tuple(decisions),
        filled_rows=len(sheet.rows),
        outside_rows=tuple(outside),
    )


def _typed(values: list[Any], name: str) -> pd.Series:
    """A column from raw cells: one dtype when the cells agree, else object (raw values)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, name=name, dtype="boolean")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series(
            [math.nan if v is None else float(v) for v in values], name=name, dtype="float64"
        )
    if (
        present
        and all(isinstance(v, date) for v in present)
        and all(in_ns_range(v) for v in present)
    ):
        stamps = [pd.NaT if v is None else pd.Timestamp(v) for v in values]
        return pd.Series(stamps, name=name).astype("datetime64[ns]")
    if present and all(isinstance(v, str) for v in present):
        return pd.Series([None if v is None else v.strip() for v in values], name=name, dtype=_STR)
    return pd.Series(values, name=name, dtype=object)


def _typed_cells(
    values: np.ndarray, kinds: np.ndarray, name: str, texts: pa.Array | None = None
) -> pd.Series:
    """``_typed`` for the cells of one column cut out of a ``Cells``, a column at a time
    (``texts``: the same cells as Arrow strings, when ``Cells.texts`` has them)."""
    present = kinds[kinds != K_NONE]
    if not len(present):
        return _typed(list(values), name)
    kind = int(present[0])
    if not (present == kind).all():
        return _typed(list(values), name)
    if kind == K_NUMBER:
        numbers = np.where(kinds == K_NONE, np.nan, values).astype("float64")
        return pd.Series(numbers, name=name, dtype="float64")
    if kind == K_DATE:
        try:
            stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="raise")
            present = stamps.dropna()
            inside = (
                getattr(stamps.dtype, "tz", None) is None
                # NaT is a datetime too; layout._typed keeps such a column as it is.
                and len(present) == int((kinds != K_NONE).sum())
                and bool((present > MIN_TS).all() and (present < MAX_TS).all())
            )
            if inside:
                return stamps.astype("datetime64[ns]").rename(name)
        except (ValueError, TypeError, OverflowError):
            pass
        return _typed(list(values), name)
    if kind == K_STR and texts is not None:
        trimmed = pac.utf8_trim_whitespace(texts)
        # Arrow trims Unicode White_Space; Python's strip also trims \x1c-\x1f.
        if contains(trimmed, "^[\x1c-\x1f]|[\x1c-\x1f]$").any():
            return _typed(list(values), name)
        return pd.Series(pd.array(trimmed, dtype=_STR), name=name)
    if kind == K_STR:
        texts = pd.Series(values, dtype=_STR).str.strip()
        # Arrow trims Unicode White_Space; Python's strip also trims \x1c-\x1f.
        odd = texts.str.contains("^[\x1c-\x1f]|[\x1c-\x1f]$").to_numpy(dtype=bool, na_value=False)
        if odd.any():
            texts = texts.mask(
                odd,
                pd.Series([str(v).strip() if v is not None else None for v in values], dtype=_STR),
            )
        return texts.rename(name)
    return _typed(list(values), name)


def apply_layout(
    grid: pd.DataFrame, guess: LayoutGuess, prepared: Cells | None = None
) -> pd.DataFrame:
    """The clean table ``guess`` describes: its names, its data rows, merged cells filled.

    A column whose cells are all numbers is float64, all dates datetime64[ns], all text
    str; a mixed column keeps the raw cells (object) so ``parsing.parse_table`` can read
    each. The index is a RangeIndex; ``guess.row_numbers`` gives the spreadsheet rows.

    Raises:
        LayoutError: ``error.layout.range_outside`` when the guess does not fit the grid.
    """
    sheet = Cells(grid) if prepared is None else prepared
    prs, pcs = sheet.rpos(guess.data_rows), sheet.cpos(guess.columns)
    if (prs < 0).any() or (pcs < 0).any():
        raise LayoutError("error.layout.range_outside")
    data: dict[str, pd.Series] = {}
    for pc, name in zip(pcs.tolist(), guess.names, strict=True):
        data[name] = _typed_cells(
            sheet.vals[prs, pc], sheet.kinds[prs, pc], name, sheet.texts(prs, pc)
        )
    return pd.DataFrame(data, index=pd.RangeIndex(len(guess.data_rows)))


# -- wide tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WideGuess:
    """A wide table: periods run across as columns.

    ``period_columns`` are the columns named by a period of ``cadence``; ``id_columns``
    the columns that say what a row is (Region, Product); ``ignored_columns`` the others
    (a Total column, say). ``needs_year`` is True when some period names lack a year
    (Jan, Feb…); ``year`` is then the year found in the sheet's title, if any.
    """

    id_columns: tuple[str, ...]
    period_columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    cadence: Cadence
    needs_year: bool
    year: int | None
    decisions: tuple[Decision, ...] = ()
    metric_column: str | None = None


def metric_column_of(df: pd.DataFrame, id_columns: Sequence[str]) -> str | None:
    """The id column of a wide table that names what each row measures (Omzet, Kosten,
    Orders), or None: a column without a header, one named Metric/Maatstaf/Omschrijving…, or
    one whose values differ per row and at least two of them name a measure. Its rows hold
    different quantities, so their values may not be added up across it."""
    for column in id_columns:
        if column not in df.columns:
            continue
        name = str(column)
        values = df[column].dropna().astype(str).str.strip()
        values = values[values != ""]
        if values.empty:
            continue
        if _BLANK_NAME.fullmatch(name) or _METRIC_HEADER.match(name):
            return name
        distinct = values.unique()
        if (
            len(distinct) == len(values)
            and sum(bool(_METRIC_WORDS.search(v)) for v in distinct) >= 2
        ):
            return name
    return None


def _header_period(name: str, year: int | None = None) -> PeriodStart | None:
    return parse_period_label(name, year)


def _cadence_of(found: PeriodStart) -> Cadence | None:
    if found.grain == "day":
        return "month" if found.start.day == 1 else None
    return found.grain


def detect_wide(df: pd.DataFrame, titles: Sequence[str] = ()) -> WideGuess | None:
    """A ``WideGuess`` when at least two column names are periods of one cadence, else None.

    Month names without a year (Jan, mrt) count; ``titles`` (the sheet's title rows, from
    ``LayoutGuess.titles``) may supply the year.
    """
    cadences: dict[str, Cadence] = {}
    without_year: list[str] = []
    for column in df.columns:
        name = str(column)
        if _TOTAL_LABEL.match(name):
            continue
        found = _header_period(name, None) or _header_period(name, 2000)
        if found is None:
            continue
        kind = _cadence_of(found)
        if kind is None:
            continue
        cadences[name] = kind
        if not found.has_year:
            without_year.append(name)
    if len(cadences) < 2:
        return None
    counts = pd.Series(list(cadences.values())).value_counts()
    cadence: Cadence = counts.index[0]
    periods = tuple(name for name, c in cadences.items() if c == cadence)
    if len(periods) < 2:
        return None
    ids: list[str] = []
    ignored: list[str] = []
    for column in df.columns:
        name = str(column)
        if name in periods:
            continue
        values = df[column].dropna()
        numeric = pd.api.types.is_numeric_dtype(values.dtype) or (
            len(values) > 0 and all(is_num(v) for v in values)
        )
        (ignored if numeric or _TOTAL_LABEL.match(name) else ids).append(name)
    needs_year = any(name in without_year for name in periods)
    year = None
    if needs_year:
        for title in titles:
            if m := _YEAR_IN_TEXT.search(title):
                year = int(m[1])
                break
    decisions = [
        Decision(
            "layout.wide_found",
            {"count": len(periods), "first": periods[0], "last": periods[-1]},
        )
    ]
    if needs_year and year is not None:
        decisions.append(Decision("layout.year_from_title", {"year": year}))
    elif needs_year:
        decisions.append(Decision("layout.year_needed", {}))
    metric = metric_column_of(df, ids)
    if metric is not None:
        decisions.append(Decision("layout.metric_column", {"column": metric}))
    return WideGuess(
        tuple(ids),
        periods,
        tuple(ignored),
        cadence,
        needs_year,
        year,
        tuple(decisions),
        metric_column=metric,
    )


def _period_starts(period_columns: Sequence[str], year: int | None) -> list[datetime]:
    starts: list[datetime] = []
    current = year
    previous: datetime | None = None
    for name in period_columns:
        found = _header_period(name, None)
        if found is None:
            if _header_period(name, 2000) is None:
                raise LayoutError("error.layout.not_a_period", column=name)
            if current is None:
                raise LayoutError("error.layout.year_needed", column=name)
            found = _header_period(name, current)
            if found is None:
                raise LayoutError("error.layout.not_a_period", column=name)
            if previous is not None and found.start <= previous:
                # Months without a year that wrap (jul … dec, jan …): the next year begins.
                current += 1
                found = _header_period(name, current)
                if found is None:
                    raise LayoutError("error.layout.not_a_period", column=name)
        starts.append(found.start)
        previous = found.start
    return starts


def unpivot(
    df: pd.DataFrame,
    id_columns: Sequence[str],
    period_columns: Sequence[str],
    year: int | None = None,
    names: LongNames | None = None,
    metric_column: str | None = None,
) -> pd.DataFrame:
    """Long rows from a wide table: the ``id_columns``, a ``Date`` and a ``Value`` per cell.

    ``names`` gives the Date and Value columns their names in the dataset's language
    (``Datum``, ``Waarde``). ``metric_column`` (one of ``id_columns``, see
    ``metric_column_of``) is named ``names.metric`` (``Metric``, ``Maatstaf``) when its
    header cell was blank.

    ``Date`` is the first day of the column's period; period names without a year take
    ``year`` (a later month name that comes before the previous one starts the next year).
    Empty cells give no row. Rows come in the order of the wide table, periods left to
    right; the index repeats the label of the wide row each value came from.

    Raises:
        LayoutError: ``error.layout.year_needed`` when a period name lacks a year and
            ``year`` is None; ``error.layout.not_a_period`` for a column that names no
            period; ``error.data.column_missing``-like ``error.layout.column_missing`` for
            an unknown column; ``error.layout.column_clash`` when an id column is called
            Date or Value.
    """
    named = names or LongNames()
    date_name, value_name = named.date, named.value
    for column in (*id_columns, *period_columns):
        if column not in df.columns:
            raise LayoutError("error.layout.column_missing", column=str(column))
    clash = [c for c in id_columns if c in (date_name, value_name)]
    if clash:
        raise LayoutError("error.layout.column_clash", column=clash[0])
    starts = _period_starts(period_columns, year)
    index: list[Any] = []
    records: dict[str, list[Any]] = {c: [] for c in (*id_columns, date_name, value_name)}
    for label, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
        cells = dict(zip(df.columns, row, strict=True))
        for column, start in zip(period_columns, starts, strict=True):
            value = cells[column]
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, str) and not value.strip():
                continue
            for c in id_columns:
                records[c].append(cells[c])
            records[date_name].append(start)
            records[value_name].append(value)
            index.append(label)
    out = pd.DataFrame(
        {c: pd.Series(v, dtype=df[c].dtype) for c, v in records.items() if c in id_columns}
    )
    out[date_name] = pd.Series(pd.to_datetime(records[date_name]), dtype="datetime64[ns]")
    out[value_name] = _typed(records[value_name], value_name)
    out.index = pd.Index(index)
    if (
        metric_column is not None
        and metric_column in id_columns
        and _BLANK_NAME.fullmatch(metric_column)
        and named.metric not in out.columns
    ):
        out = out.rename(columns={metric_column: named.metric})
    return out


def renamed_metric(wide: WideGuess, long: pd.DataFrame, names: LongNames | None) -> WideGuess:
    """``wide`` with its metric column named as in ``long`` (``unpivot`` renames a metric
    column without a header to ``names.metric``)."""
    metric = wide.metric_column
    if metric is None or metric in long.columns:
        return wide
    new = (names or LongNames()).metric
    decisions = tuple(
        Decision(d.key, {**d.params, "column": new}) if d.key == "layout.metric_column" else d
        for d in wide.decisions
    )
    return dataclasses.replace(wide, metric_column=new, decisions=decisions)


# -- shapes ----------------------------------------------------------------------------------


def table_shape(df: pd.DataFrame, date_column: str) -> Shape:
    """``per_period`` for a pre-aggregated table (one row per period, maybe per segment),
    ``transactions`` for rows on any day.

    Per period: at least two distinct dates, all on the first (or all on the last) day of a
    month, or all on one weekday a whole number of weeks apart; and each date has about as
    many rows as the others (at most twice the fewest).

    Raises:
        LayoutError: ``error.layout.column_missing`` when ``date_column`` is missing.
    """
    if date_column not in df.columns:
        raise LayoutError("error.layout.column_missing", column=date_column)
    dates = pd.to_datetime(df[date_column], errors="coerce").dropna()
    distinct = pd.DatetimeIndex(dates.unique()).sort_values()
    if len(distinct) < 2:
        return "transactions"
    counts = dates.value_counts()
    if counts.max() > 2 * counts.min():
        return "transactions"
    month_start = bool((distinct.day == 1).all())
    month_end = bool(distinct.is_month_end.all())
    gaps = np.diff(distinct.normalize().asi8) // (86_400 * 10**9)
    weekly = bool((distinct.day_of_week == distinct[0].day_of_week).all() and (gaps % 7 == 0).all())
    midnight = bool((distinct == distinct.normalize()).all())
    return "per_period" if midnight and (month_start or month_end or weekly) else "transactions"


# -- the whole chain -------------------------------------------------------------------------


@dataclass(frozen=True)
class Tidy:
    """A sheet turned into one long, typed table, with everything decided on the way.

    ``row_numbers`` gives the spreadsheet row of each row of ``frame``.
    """

    frame: pd.DataFrame
    report: ParseReport
    layout: LayoutGuess
    wide: WideGuess | None
    row_numbers: tuple[int, ...]

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The layout and wide-table decisions, in order."""
        return self.layout.decisions + (self.wide.decisions if self.wide else ())


def tidy(
    grid: pd.DataFrame,
    layout: LayoutGuess | None = None,
    *,
    year: int | None = None,
    notation: Notation | Mapping[str, Notation] | None = None,
    date_system: DateSystem | None = None,
    unpivot_wide: bool = True,
    prepared: Cells | None = None,
    names: LongNames | None = None,
) -> Tidy:
    """read_grid's cells → layout → clean table → (unpivot) → numbers and dates read.

    Raises:
        LayoutError: see ``guess_layout``, ``unpivot`` (a wide table whose period names
            lack a year and no ``year`` is given or found in the title).
        ParseError: only for an unknown notation.
    """
    sheet = cells(grid) if prepared is None else prepared
    guess = guess_layout(grid, prepared=sheet) if layout is None else layout
    frame = apply_layout(grid, guess, prepared=sheet)
    numbers = guess.row_numbers
    wide = detect_wide(frame, guess.titles) if unpivot_wide else None
    if wide is not None:
        long = unpivot(
            frame,
            wide.id_columns,
            wide.period_columns,
            year or wide.year,
            names,
            wide.metric_column,
        )
        wide = renamed_metric(wide, long, names)
        numbers = tuple(numbers[int(i)] for i in long.index)
        frame = long.reset_index(drop=True)
    system: DateSystem = date_system or (1904 if grid.attrs.get("date_system") == 1904 else 1900)
    parsed = parse_table(frame, notation=notation, rows=numbers, date_system=system, year=year)
    report = dataclasses.replace(parsed.report, left_out=tuple(guess.left_out()))
    return Tidy(parsed.frame, report, guess, wide, numbers)


__all__ = [
    "DATE_COLUMN",
    "LONG_NAMES",
    "METRIC_COLUMN",
    "VALUE_COLUMN",
    "Cells",
    "Decision",
    "LayoutGuess",
    "LongNames",
    "Shape",
    "TableRange",
    "Tidy",
    "WideGuess",
    "apply_layout",
    "cells",
    "column_letter",
    "detect_wide",
    "guess_layout",
    "long_names",
    "metric_column_of",
    "renamed_metric",
    "row_ranges",
    "table_shape",
    "tidy",
    "unpivot",
]
