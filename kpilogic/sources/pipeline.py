"""One dataset from a file's bytes: ``read_dataset`` (``workspace.service`` reads them all).

The command line and the app both read a dataset with ``read_dataset``: the sheet's raw
cells (``ingest.read_grid``) go through the layout step (``layout``: title rows, blank rows
and columns, totals, several tables, periods as columns) and the value parsers (Dutch and
English numbers, dates as text), honouring the corrections the user saved on the
``Dataset`` (header row, table, notation, unpivot, keep totals). What was decided on the way
stays with the result (``Tidy``), so a page can show it and the quality checks can name the
spreadsheet rows of unreadable values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import PurePath

import pandas as pd

from kpilogic.errors import KoersError
from kpilogic.scorecard.formula import formula_columns
from kpilogic.scorecard.model import KPI, Dataset, Scorecard
from kpilogic.sources.ingest import read_grid
from kpilogic.sources.layout import (
    Decision,
    Tidy,
    WideGuess,
    apply_layout,
    cells,
    detect_wide,
    guess_layout,
    long_names,
    metric_column_of,
    renamed_metric,
    tidy,
    unpivot,
)
from kpilogic.sources.parsing import (
    MAX_EXAMPLES,
    ColumnKind,
    ColumnParse,
    DateSystem,
    Notation,
    ParseReport,
    ValueKind,
    apply_kinds,
    parse_date_column,
    parse_table,
    profile_columns,
    type_table,
)


def typed_table(
    df: pd.DataFrame,
    date_column: str | None = None,
    overrides: Mapping[str, ColumnKind] | None = None,
    *,
    notation: Notation | None = None,
) -> pd.DataFrame:
    """``df`` with its columns converted to their kinds (``parsing.profile_columns``;
    ``overrides``, the user's corrections, win); ``date_column`` as dates. A corrected
    column is read by the same parsers as on upload, in ``notation`` (the dataset's; None
    detects it per column); ``with_kind_failures`` gives its report."""
    kinds = dict(profile_columns(df))
    kinds.update({c: k for c, k in (overrides or {}).items() if c in kinds})
    if date_column is not None and date_column in kinds:
        kinds[date_column] = "date"
    return apply_kinds(df, kinds, notation=notation)


def match_file(dataset: Dataset, names: list[str]) -> str | None:
    """The uploaded file name that holds ``dataset``: same file name, else the only file."""
    wanted = PurePath(dataset.source).name.lower()
    for name in names:
        if PurePath(name).name.lower() == wanted:
            return name
    return names[0] if len(names) == 1 else None


def tidy_grid(grid: pd.DataFrame, dataset: Dataset) -> Tidy:
    """The sheet ``grid`` (from ``read_grid``) as one long typed table, as ``dataset`` says.

    Without corrections Koers guesses the layout and unpivots a wide table on its own; the
    dataset's ``header_row``, ``table``, ``keep_totals``, ``notation`` and ``unpivot``
    override each guess.

    Raises:
        LayoutError: for a header row or table that does not exist, or an unpivot that
            cannot be done (a column that names no period, a missing year).
    """
    prepared = cells(grid)
    layout = guess_layout(
        grid,
        prepared=prepared,
        table=dataset.table,
        header_row=None if dataset.header_row is None else dataset.header_row - 1,
        keep_totals=dataset.keep_totals,
        combine=dataset.combine_tables,
    )
    names = long_names(dataset.column_language)
    choice = dataset.unpivot
    if choice is None:
        done = tidy(grid, layout, notation=dataset.notation, prepared=prepared, names=names)
        return _with_date_column(done, dataset.date_column)
    if not choice.period_columns:
        done = tidy(grid, layout, notation=dataset.notation, unpivot_wide=False, prepared=prepared)
        return _with_date_column(done, dataset.date_column)
    frame = apply_layout(grid, layout, prepared=prepared)
    guess = detect_wide(frame, layout.titles)
    year = choice.year if choice.year is not None else (guess.year if guess else None)
    metric = metric_column_of(frame, choice.id_columns)
    long = unpivot(frame, choice.id_columns, choice.period_columns, year, names, metric)
    numbers = tuple(layout.row_numbers[int(i)] for i in long.index)
    long = long.reset_index(drop=True)
    kept = {*choice.id_columns, *choice.period_columns}
    wide = WideGuess(
        id_columns=tuple(choice.id_columns),
        period_columns=tuple(choice.period_columns),
        ignored_columns=tuple(str(c) for c in frame.columns if str(c) not in kept),
        cadence=guess.cadence if guess else "month",
        needs_year=guess.needs_year if guess else False,
        year=year,
        decisions=(
            Decision(
                "layout.unpivot_chosen",
                {
                    "count": len(choice.period_columns),
                    "first": choice.period_columns[0],
                    "last": choice.period_columns[-1],
                    "ids": list(choice.id_columns) or ["–"],
                },
            ),
            *((Decision("layout.metric_column", {"column": metric}),) if metric else ()),
        ),
        metric_column=metric,
    )
    wide = renamed_metric(wide, long, names)
    system: DateSystem = 1904 if grid.attrs.get("date_system") == 1904 else 1900
    parsed = parse_table(
        long, notation=dataset.notation, rows=numbers, date_system=system, year=year
    )
    report = ParseReport(parsed.report.columns, left_out=tuple(layout.left_out()))
    return _with_date_column(Tidy(parsed.frame, report, layout, wide, numbers), dataset.date_column)


def _with_date_column(done: Tidy, date_column: str) -> Tidy:
    """``done`` with its date column read as dates even when too few of its cells read as
    dates for the column to be taken for one: every cell that is no date is then named with
    its row in the parse report (typing would otherwise leave it out unnamed)."""
    frame = done.frame
    if date_column not in frame.columns or done.report.get(date_column) is not None:
        return done
    if pd.api.types.is_datetime64_any_dtype(frame[date_column].dtype):
        return done
    series, result = parse_date_column(frame[date_column], rows=done.row_numbers)
    frame = frame.copy()
    frame[date_column] = series
    report = ParseReport({**done.report.columns, date_column: result}, done.report.left_out)
    return Tidy(frame, report, done.layout, done.wide, done.row_numbers)


def with_kind_failures(done: Tidy, typed: pd.DataFrame, notation: Notation | None = None) -> Tidy:
    """``done`` with the parse report of every column that the column kinds (``typed``:
    ``done.frame`` after ``typed_table`` or ``parsing.apply_kinds``, with the user's kind
    corrections and ``notation``) turned into numbers or dates.

    Reading (``parse_table``) reports the columns it took for numbers and dates; a column a
    user set to number or date by hand is converted later, by the same column parsers
    (``parsing.type_table``). Its report is made the same way here, so every cell that did
    not convert is named with its spreadsheet row (Excel error values apart), as on upload.
    A column set to another kind than reading took it for gets the report of that kind,
    which still names the cells reading left out (``_read_twice``).
    """
    columns = dict(done.report.columns)
    rows = done.row_numbers
    changed: dict[str, ValueKind] = {}
    for name in typed.columns:
        column = str(name)
        if name not in done.frame.columns:
            continue
        after = typed[name]
        kind: ValueKind
        if pd.api.types.is_datetime64_any_dtype(after.dtype):
            kind = "date"
        elif pd.api.types.is_float_dtype(after.dtype):
            kind = "number"
        else:
            continue
        known = columns.get(column)
        if known is not None and known.kind == kind:
            continue
        if done.frame[name].dtype == after.dtype or len(after) != len(rows):
            continue
        changed[column] = kind
    if not changed:
        return done
    parsed = type_table(done.frame[list(changed)], changed, notation=notation, rows=rows)
    for column, result in parsed.report.columns.items():
        earlier = columns.get(column)
        columns[column] = result if earlier is None else _read_twice(earlier, result)
    report = ParseReport(columns, done.report.left_out)
    return Tidy(done.frame, report, done.layout, done.wide, done.row_numbers)


def _read_twice(first: ColumnParse, then: ColumnParse) -> ColumnParse:
    """The report of a column read as ``first.kind`` on upload, then converted to
    ``then.kind`` by the user's correction (from the values read, the text is not kept):
    the cells left out on upload are empty since, and stay named, as unreadable values or
    Excel errors, beside the ones the conversion left out."""
    gone = first.failed + first.errors
    examples = sorted({*first.examples, *then.examples}, key=lambda f: f.row)
    return dataclasses.replace(
        then,
        failed=first.failed + then.failed,
        blank=max(0, then.blank - gone),
        errors=first.errors + then.errors,
        examples=tuple(examples[:MAX_EXAMPLES]),
        error_rows=tuple(sorted({*first.error_rows, *then.error_rows}))[:MAX_EXAMPLES],
        failed_rows=tuple(sorted({*first.failed_rows, *then.failed_rows})),
    )


def read_dataset(data: bytes, name: str, dataset: Dataset) -> Tidy:
    """One dataset read from a file's bytes: ``read_grid`` then ``tidy_grid``.

    Raises:
        ReadError: when the file cannot be read (too large, encrypted, damaged…).
        LayoutError: see ``tidy_grid``.
    """
    from kpilogic.sources.fastread import fast_tidy  # a plain table on Arrow columns (issue 19)

    fast = fast_tidy(data, name, dataset)
    if fast is not None:
        return _with_date_column(fast, dataset.date_column)
    return tidy_grid(read_grid(data, name, dataset.sheet, blanks_as_none=False), dataset)


def read_sheet(data: bytes, name: str, sheet: str | None = None) -> Tidy:
    """One sheet (the first that holds data when ``sheet`` is None; a CSV is one sheet) read
    as ``read_dataset`` reads a dataset without corrections: what the Data page shows of a
    file before the user saves a dataset on it. ``typed_table`` of its frame gives every
    column its kind. This is the one reading path for scripts and tests; there is no other.

    Raises:
        ReadError: when the file or the sheet cannot be read.
        LayoutError: see ``tidy_grid``.
    """
    fresh = Dataset(id="new", name="new", source=name, sheet=sheet, date_column="-")
    return read_dataset(data, name, fresh)


def columns_used(kpi: KPI) -> set[str]:
    """The data columns a KPI's definition refers to (measure, filters, segment, target)."""
    used: set[str] = set()
    if kpi.measure.formula:
        used |= formula_columns(kpi.measure.formula)
    elif kpi.measure.column:
        used.add(kpi.measure.column)
    used |= {f.column for f in kpi.filters}
    if kpi.segment_column:
        used.add(kpi.segment_column)
    target_column = kpi.target.data_column() if kpi.target is not None else None
    if target_column:
        used.add(target_column)
    return used


def unmapped_columns(
    scorecard: Scorecard, dataset_id: str, columns: Iterable[str]
) -> dict[str, list[str]]:
    """For each KPI on ``dataset_id``, the columns it uses that ``columns`` no longer has.

    Used when a dataset's file is replaced by next month's: what no longer maps, per KPI id
    (the dataset's date column is reported under the key ``""``).
    """
    present = set(columns)
    out: dict[str, list[str]] = {}
    dataset = scorecard.dataset(dataset_id)
    if dataset.date_column not in present:
        out[""] = [dataset.date_column]
    for kpi in scorecard.kpis:
        if kpi.dataset_id != dataset_id:
            continue
        try:
            missing = sorted(columns_used(kpi) - present)
        except KoersError:
            continue  # a formula that does not parse is reported on the KPI page
        if missing:
            out[kpi.id] = missing
    return out
