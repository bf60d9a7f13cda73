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
  otherwise it belongs to the group on its left.
- Within a group, blank rows split the rows into runs. The header is the first row with
  at least two different values, filled in at least half the columns, mostly text. Rows
  above it are title rows. A later run that starts (after optional title rows) with such
  a header and has data below it is a new table; a run that repeats the header is a
  repeated header (skipped); anything else continues the table.
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
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from kpilogic.errors import LayoutError
from kpilogic.ingest import _header, _in_ns_range
from kpilogic.notes import render
from kpilogic.parsing import (
    EXCEL_ERRORS,
    DateSystem,
    Notation,
    ParseReport,
    PeriodStart,
    _numeric_text,
    detect_notation,
    parse_number_column,
    parse_period_label,
    parse_table,
)

Cadence = Literal["week", "month", "quarter", "year"]
Shape = Literal["transactions", "per_period"]
DATE_COLUMN = "Date"
VALUE_COLUMN = "Value"

_TOTAL_LABEL = re.compile(
    r"^\s*(?:sub|eind|grand\s*)?(?:totaal|totalen|totals?|som|sum)\b", re.IGNORECASE
)
_YEAR_IN_TEXT = re.compile(r"\b(19\d{2}|20\d{2}|2100)\b")
_STR = pd.StringDtype(na_value=np.nan)
_HEADER_TEXT_SHARE = 0.6


@dataclass(frozen=True)
class Decision:
    """One choice the layout step made, as a message key with its parameters.

    Row numbers in ``params`` are 1-based as the user sees them; columns are letters.
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        """The decision in ``lang``."""
        return render(self.key, self.params, lang)


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

    @property
    def row_numbers(self) -> tuple[int, ...]:
        """The spreadsheet row number (1-based) of each row of ``apply_layout``'s table."""
        return tuple(r + 1 for r in self.data_rows)


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- cells -----------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _is_num(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return True
    return isinstance(value, str) and _numeric_text(value)


def _is_text(value: object) -> bool:
    """Text that is no number, date or error value: what labels and headers are made of."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and not _numeric_text(value)
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


def _fill_merged(
    grid: pd.DataFrame,
) -> tuple[dict[tuple[int, int], Any], set[tuple[int, int]]]:
    """The grid's cells by (row, column) with merged ranges filled; and the filled cells."""
    cells: dict[tuple[int, int], Any] = {}
    labels: list[Any] = list(grid.index)
    for col in grid.columns:
        for row, value in zip(labels, grid[col], strict=True):
            if not _blank(value):
                cells[(int(row), int(col))] = value
    filled: set[tuple[int, int]] = set()
    merged = grid.attrs.get("merged") or ()
    rows = {int(r) for r in grid.index}
    cols = {int(c) for c in grid.columns}
    for r0, c0, r1, c1 in merged:
        value = cells.get((r0, c0))
        if value is None:
            continue
        for r in range(r0, r1 + 1):
            if r not in rows:
                continue
            for c in range(c0, c1 + 1):
                if c in cols and (r, c) not in cells:
                    cells[(r, c)] = value
                    filled.add((r, c))
    return cells, filled


class _Sheet:
    """The filled cells of a grid with the lookups the layout rules need."""

    def __init__(self, grid: pd.DataFrame) -> None:
        self.cells, self.filled = _fill_merged(grid)
        self.rows = sorted({r for r, _ in self.cells})
        self.cols = sorted({c for _, c in self.cells})
        self.has_merges = grid.attrs.get("merged") is not None
        self.merged: tuple[tuple[int, int, int, int], ...] = tuple(grid.attrs.get("merged") or ())

    def get(self, row: int, col: int) -> Any:
        return self.cells.get((row, col))

    def values(self, row: int, cols: Sequence[int]) -> list[Any]:
        return [self.cells[(row, c)] for c in cols if (row, c) in self.cells]

    def row_used(self, row: int, cols: Sequence[int]) -> bool:
        return any((row, c) in self.cells for c in cols)

    def col_used(self, col: int, rows: Sequence[int]) -> bool:
        return any((r, col) in self.cells for r in rows)


# -- finding tables --------------------------------------------------------------------------


def _column_groups(sheet: _Sheet) -> list[list[int]]:
    """Runs of used columns without a blank column between them, merged per the rules."""
    runs: list[list[int]] = []
    for col in sheet.cols:
        if runs and col == runs[-1][-1] + 1:
            runs[-1].append(col)
        else:
            runs.append([col])
    groups: list[list[int]] = []
    for run in runs:
        if groups and not _own_table(sheet, run):
            groups[-1].extend(range(groups[-1][-1] + 1, run[-1] + 1))
        else:
            groups.append(run)
    return groups


def _own_table(sheet: _Sheet, cols: list[int]) -> bool:
    if len(cols) < 2:
        return False
    first = [v for (r, c), v in sheet.cells.items() if c == cols[0]]
    labels = sum(1 for v in first if _is_text(v) or isinstance(v, date | datetime))
    return labels >= max(2, 0.8 * len(first))


def _header_like(values: Sequence[Any], width: int) -> bool:
    if len(values) < 2 or len(values) < 0.5 * width:
        return False
    if len({_text(v) for v in values}) < 2:
        return False
    texts = sum(1 for v in values if _is_text(v))
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


def _runs(sheet: _Sheet, cols: list[int]) -> list[list[int]]:
    used = [r for r in sheet.rows if sheet.row_used(r, cols)]
    runs: list[list[int]] = []
    for row in used:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _header_in(sheet: _Sheet, run: list[int], cols: list[int]) -> int | None:
    """Position in ``run`` of its header row: after title rows only, else None."""
    width = sum(1 for c in cols if sheet.col_used(c, run)) or 1
    for i, row in enumerate(run):
        values = sheet.values(row, cols)
        if _header_like(values, width):
            below = sheet.values(run[i + 1], cols) if i + 1 < len(run) else []
            if _header_like(below, width) and _is_band(sheet, row, run[i + 1], cols):
                return i + 1
            return i
        if _title_like(values):
            continue
        below = sheet.values(run[i + 1], cols) if i + 1 < len(run) else []
        sparse = len(values) < len(below) and all(_is_text(v) or _periodish(v) for v in values)
        if not (sparse and _header_like(below, width)):
            return None
    return None


def _is_band(sheet: _Sheet, row: int, below: int, cols: list[int]) -> bool:
    """Whether ``row`` groups the header row ``below`` (2025 over jan, feb, mrt…)."""
    if sheet.has_merges:
        return any(
            m[0] <= row <= m[2] < below and m[3] > m[1] and m[1] <= cols[-1] and m[3] >= cols[0]
            for m in sheet.merged
        )
    upper = sheet.values(row, cols)
    lower = [_text(v) for v in sheet.values(below, cols)]
    return len(upper) < len(lower) and len(set(lower)) < len(lower)


def _tables_in_group(sheet: _Sheet, cols: list[int]) -> list[_Table]:
    tables: list[_Table] = []
    pending: list[int] = []
    for run in _runs(sheet, cols):
        at = _header_in(sheet, run, cols)
        current = tables[-1] if tables else None
        if current is None:
            if at is None and all(_title_like(sheet.values(r, cols)) for r in run):
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
        if at is not None and at + 1 < len(run):
            table = _Table(cols, run[at], pending + run[:at])
            table.rows.extend(run[at + 1 :])
            tables.append(table)
            pending = []
            continue
        if all(_title_like(sheet.values(r, cols)) for r in run):
            pending.extend(run)
            continue
        current.labels.extend(pending)
        current.rows.extend(pending)
        current.rows.extend(run)
        pending = []
    if tables and pending:
        tables[-1].labels.extend(pending)
    elif pending:
        # Only one-value rows (a single column, say): the first row is the header, as in
        # ``ingest.read_table``.
        tables.append(_Table(cols, pending[0], [], pending[1:]))
    for table in tables:
        if table.rows:
            last = max(table.rows)
            table.rows = list(range(table.header + 1, last + 1))
    return tables


# -- one table: names, totals ----------------------------------------------------------------


def _band_row(sheet: _Sheet, table: _Table, cols: list[int]) -> int | None:
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
    sparse = 0 < len(values) < len(header) and all(_is_text(v) or _periodish(v) for v in values)
    return above if sparse and len(values) >= 2 else None


def _band_values(sheet: _Sheet, row: int, cols: list[int]) -> list[str]:
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
    sheet: _Sheet, table: _Table, cols: list[int], band: int | None, data_rows: list[int]
) -> tuple[list[str], int]:
    lower: list[str] = []
    filled = sum(1 for c in cols if (table.header, c) in sheet.filled)
    last = ""
    for col in cols:
        value = sheet.get(table.header, col)
        if value is not None:
            last = _text(value)
            lower.append(last)
        elif not sheet.has_merges and last and sheet.col_used(col, data_rows):
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
    return _header(cells, [c + 1 for c in cols]), filled


def _numeric_columns(sheet: _Sheet, cols: list[int], rows: list[int]) -> list[int]:
    out = []
    for col in cols:
        values = [sheet.get(r, col) for r in rows]
        present = [v for v in values if v is not None]
        if present and sum(1 for v in present if _is_num(v)) >= 0.5 * len(present):
            out.append(col)
    return out


def _number(value: object, notation: Notation) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    series, result = parse_number_column(pd.Series([value], dtype=object), notation)
    return float(series.iloc[0]) if result.parsed else None


def _totals(sheet: _Sheet, cols: list[int], rows: list[int], names: Sequence[str]) -> list[int]:
    numeric = _numeric_columns(sheet, cols, rows)
    notations = {
        c: detect_notation([sheet.get(r, c) for r in rows if sheet.get(r, c) is not None])
        for c in numeric
    }
    keys = [c for c in cols if c not in numeric]
    totals: list[int] = []
    since: list[int] = []
    above: list[int] = []
    for row in rows:
        texts = [v for v in sheet.values(row, cols) if isinstance(v, str) and _is_text(v)]
        if texts and _TOTAL_LABEL.match(texts[0]):
            totals.append(row)
            since = []
            continue
        unlabeled = keys and all(sheet.get(row, c) is None for c in keys)
        values = {c: _number(sheet.get(row, c), notations[c]) for c in numeric} if unlabeled else {}
        present = {c: v for c, v in values.items() if v is not None}
        if unlabeled and present:
            for group in (since, above):
                if len(group) < 2:
                    continue
                sums = {
                    c: sum(_number(sheet.get(r, c), notations[c]) or 0.0 for r in group)
                    for c in present
                }
                if all(abs(present[c] - sums[c]) <= 0.005 + 1e-9 * abs(sums[c]) for c in present):
                    totals.append(row)
                    since = []
                    break
            else:
                since.append(row)
                above.append(row)
            continue
        since.append(row)
        above.append(row)
    return totals


# -- the guess -------------------------------------------------------------------------------


def _table_range(sheet: _Sheet, table: _Table) -> TableRange:
    rows = table.rows or [table.header]
    cols = [c for c in table.cols if sheet.col_used(c, [table.header, *rows])]
    cells = sum(1 for r in table.rows for c in cols if (r, c) in sheet.cells)
    return TableRange(table.header, table.header + 1, max(rows), min(cols), max(cols), cells)


def guess_layout(
    grid: pd.DataFrame,
    *,
    table: int | None = None,
    header_row: int | None = None,
    keep_totals: bool = False,
) -> LayoutGuess:
    """Where the table in ``grid`` (from ``ingest.read_grid``) is; see the module rules.

    ``table`` picks one of the tables found (index into ``LayoutGuess.tables``; default the
    biggest), ``header_row`` (0-based grid row) overrides the header, ``keep_totals`` keeps
    totals rows in the data.

    Raises:
        LayoutError: ``error.layout.no_table`` for an empty grid, ``error.layout.table``
            for a table index that does not exist, ``error.layout.header_row`` for a
            header row outside the sheet's data.
    """
    sheet = _Sheet(grid)
    if not sheet.cells:
        raise LayoutError("error.layout.no_table")
    found: list[_Table] = []
    for cols in _column_groups(sheet):
        found.extend(_tables_in_group(sheet, cols))
    if header_row is not None:
        owner = next(
            (t for t in found if t.header <= header_row <= max(t.rows or [t.header])), None
        )
        if owner is None or not sheet.row_used(header_row, owner.cols):
            raise LayoutError("error.layout.header_row", row=header_row + 1)
        last = max(owner.rows or [owner.header])
        titles = [r for r in sheet.rows if r < header_row and sheet.row_used(r, owner.cols)]
        replaced = _Table(owner.cols, header_row, titles, list(range(header_row + 1, last + 1)))
        found[found.index(owner)] = replaced
    ranges = [_table_range(sheet, t) for t in found]
    if table is None:
        chosen = max(range(len(found)), key=lambda i: (ranges[i].cells, -i))
    elif 0 <= table < len(found):
        chosen = table
    else:
        raise LayoutError("error.layout.table", table=table + 1, count=len(found))
    return _describe(sheet, found, ranges, chosen, keep_totals)


def _describe(
    sheet: _Sheet,
    found: list[_Table],
    ranges: list[TableRange],
    chosen: int,
    keep_totals: bool,
) -> LayoutGuess:
    tbl = found[chosen]
    span = ranges[chosen]
    all_cols = list(range(span.first_col, span.last_col + 1))
    blank_rows = [r for r in tbl.rows if not sheet.row_used(r, all_cols)]
    filled_rows = [r for r in tbl.rows if r not in blank_rows and r not in tbl.repeated]
    cols = [c for c in all_cols if sheet.col_used(c, [tbl.header, *filled_rows])]
    blank_cols = [c for c in all_cols if c not in cols]
    labels = list(tbl.labels)
    if len(cols) >= 3:
        for row in filled_rows:
            values = sheet.values(row, cols)
            if len(values) == 1 and _is_text(values[0]) and row not in labels:
                labels.append(row)
    rows = [r for r in filled_rows if r not in labels]
    band = _band_row(sheet, tbl, cols)
    names, filled = _names(sheet, tbl, cols, band, rows)
    totals = _totals(sheet, cols, rows, names)
    data_rows = rows if keep_totals else [r for r in rows if r not in totals]
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
        and all(_in_ns_range(v) for v in present)
    ):
        stamps = [pd.NaT if v is None else pd.Timestamp(v) for v in values]
        return pd.Series(stamps, name=name).astype("datetime64[ns]")
    if present and all(isinstance(v, str) for v in present):
        return pd.Series([None if v is None else v.strip() for v in values], name=name, dtype=_STR)
    return pd.Series(values, name=name, dtype=object)


def apply_layout(grid: pd.DataFrame, guess: LayoutGuess) -> pd.DataFrame:
    """The clean table ``guess`` describes: its names, its data rows, merged cells filled.

    A column whose cells are all numbers is float64, all dates datetime64[ns], all text
    str; a mixed column keeps the raw cells (object) so ``parsing.parse_table`` can read
    each. The index is a RangeIndex; ``guess.row_numbers`` gives the spreadsheet rows.

    Raises:
        LayoutError: ``error.layout.range_outside`` when the guess does not fit the grid.
    """
    sheet = _Sheet(grid)
    rows, cols = {int(r) for r in grid.index}, {int(c) for c in grid.columns}
    if not set(guess.data_rows) <= rows or not set(guess.columns) <= cols:
        raise LayoutError("error.layout.range_outside")
    data: dict[str, pd.Series] = {}
    for col, name in zip(guess.columns, guess.names, strict=True):
        values = [sheet.get(r, col) for r in guess.data_rows]
        data[name] = _typed(values, name)
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
            len(values) > 0 and all(_is_num(v) for v in values)
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
    return WideGuess(
        tuple(ids), periods, tuple(ignored), cadence, needs_year, year, tuple(decisions)
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
) -> pd.DataFrame:
    """Long rows from a wide table: the ``id_columns``, a ``Date`` and a ``Value`` per cell.

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
    for column in (*id_columns, *period_columns):
        if column not in df.columns:
            raise LayoutError("error.layout.column_missing", column=str(column))
    clash = [c for c in id_columns if c in (DATE_COLUMN, VALUE_COLUMN)]
    if clash:
        raise LayoutError("error.layout.column_clash", column=clash[0])
    starts = _period_starts(period_columns, year)
    index: list[Any] = []
    records: dict[str, list[Any]] = {c: [] for c in (*id_columns, DATE_COLUMN, VALUE_COLUMN)}
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
            records[DATE_COLUMN].append(start)
            records[VALUE_COLUMN].append(value)
            index.append(label)
    out = pd.DataFrame(
        {c: pd.Series(v, dtype=df[c].dtype) for c, v in records.items() if c in id_columns}
    )
    out[DATE_COLUMN] = pd.Series(pd.to_datetime(records[DATE_COLUMN]), dtype="datetime64[ns]")
    out[VALUE_COLUMN] = _typed(records[VALUE_COLUMN], VALUE_COLUMN)
    out.index = pd.Index(index)
    return out


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
) -> Tidy:
    """read_grid's cells → layout → clean table → (unpivot) → numbers and dates read.

    Raises:
        LayoutError: see ``guess_layout``, ``unpivot`` (a wide table whose period names
            lack a year and no ``year`` is given or found in the title).
        ParseError: only for an unknown notation.
    """
    guess = guess_layout(grid) if layout is None else layout
    frame = apply_layout(grid, guess)
    numbers = guess.row_numbers
    wide = detect_wide(frame, guess.titles) if unpivot_wide else None
    if wide is not None:
        long = unpivot(frame, wide.id_columns, wide.period_columns, year or wide.year)
        numbers = tuple(numbers[int(i)] for i in long.index)
        frame = long.reset_index(drop=True)
    system: DateSystem = date_system or (1904 if grid.attrs.get("date_system") == 1904 else 1900)
    parsed = parse_table(frame, notation=notation, rows=numbers, date_system=system, year=year)
    return Tidy(parsed.frame, parsed.report, guess, wide, numbers)


__all__ = [
    "DATE_COLUMN",
    "VALUE_COLUMN",
    "Decision",
    "LayoutGuess",
    "Shape",
    "TableRange",
    "Tidy",
    "WideGuess",
    "apply_layout",
    "column_letter",
    "detect_wide",
    "guess_layout",
    "table_shape",
    "tidy",
    "unpivot",
]
