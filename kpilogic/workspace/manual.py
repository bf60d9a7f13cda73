"""Datasets kept in Koers itself (issue 18): numbers that are in no spreadsheet — a survey
score, headcount, complaints — typed in a table, one value per period (and segment).

A manual dataset is a ``Dataset`` with ``manual`` set; its rows are kept as a CSV file of the
workspace named by its ``source`` (ISO dates, plain numbers), so the workspace service, the
command line (``koers evaluate … kassa.csv``) and both databases read it like any upload.
``edited_table`` checks what the user typed — a period as people write it (``mei 2026``,
``2026-05``, ``31-05-2026``), numbers in the user's notation (``1.234,5``), one value per
period and segment, no period that has not begun unless the dataset allows it — and says per
row what is wrong; ``changes`` lists what an edit changed, for the audit log.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from kpilogic.errors import KoersError
from kpilogic.i18n import decimal_symbol, format_period, t
from kpilogic.scorecard.model import Dataset
from kpilogic.scorecard.periods import Period
from kpilogic.sources.parsing import ColumnKind, Notation, parse_date, parse_number

MAX_ROWS = 5_000


@dataclass(frozen=True)
class Change:
    """One value entered, changed or removed: what the audit log keeps."""

    period: str
    segment: str
    column: str
    before: float | None
    after: float | None

    def detail(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "segment": self.segment,
            "column": self.column,
            "before": self.before,
            "after": self.after,
        }


def columns(ds: Dataset) -> list[str]:
    """The table's columns: the period, the segment (if any), the values."""
    assert ds.manual is not None
    segment = [ds.manual.segment_column] if ds.manual.segment_column else []
    return [ds.date_column, *segment, *ds.manual.value_columns]


def stored_table(data: bytes | None, ds: Dataset) -> pd.DataFrame:
    """The kept rows (period start as a date, numbers), in the table's column order."""
    names = columns(ds)
    if not data:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in names})
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    frame = frame.reindex(columns=names, fill_value="")
    frame[ds.date_column] = pd.to_datetime(frame[ds.date_column]).dt.date
    assert ds.manual is not None
    for name in ds.manual.value_columns:
        frame[name] = pd.to_numeric(frame[name].replace("", None), errors="coerce")
    return frame


def _number_text(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = repr(float(value)).removesuffix(".0")
    return text.replace(".", decimal_symbol(lang))


def editing_table(data: bytes | None, ds: Dataset, lang: str) -> pd.DataFrame:
    """The kept rows as text to edit: periods as people write them, numbers in ``lang``'s
    notation (without thousands separators, so they read back the same)."""
    assert ds.manual is not None
    frame = stored_table(data, ds)
    cadence = ds.manual.cadence
    out = pd.DataFrame({name: pd.Series(dtype="object") for name in columns(ds)})
    if frame.empty:
        return out
    out[ds.date_column] = [
        format_period(Period.containing(day, cadence).label, lang) for day in frame[ds.date_column]
    ]
    if ds.manual.segment_column:
        out[ds.manual.segment_column] = frame[ds.manual.segment_column].astype(str)
    for name in ds.manual.value_columns:
        out[name] = [_number_text(v, lang) for v in frame[name]]
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def edited_table(
    edited: pd.DataFrame, ds: Dataset, lang: str, today: date
) -> tuple[pd.DataFrame, list[str]]:
    """What the user typed, checked: the rows to keep (period start, segment, numbers) and a
    message per problem, in ``lang`` (nothing is kept while there is one). Empty rows are
    left out; a row needs a period and at least one value."""
    assert ds.manual is not None
    spec = ds.manual
    notation: Notation = "nl" if decimal_symbol(lang) == "," else "en"
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[date, str], int] = {}
    for number, record in enumerate(edited.to_dict("records"), start=1):
        texts = {name: _text(record.get(name)) for name in columns(ds)}
        if not any(texts.values()):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(t("manual.too_many", lang, count=MAX_ROWS))
            break
        period_text = texts[ds.date_column]
        try:
            start = parse_date(period_text).date()
        except KoersError:
            problems.append(t("manual.bad_period", lang, row=number, value=period_text))
            continue
        period = Period.containing(start, spec.cadence)
        shown = format_period(period.label, lang)
        if period.start > today and not spec.allow_future:
            problems.append(t("manual.future", lang, row=number, period=shown))
            continue
        segment = texts[spec.segment_column] if spec.segment_column else ""
        key = (period.start, segment)
        if key in seen:
            where = f"{shown} ({segment})" if segment else shown
            problems.append(t("manual.twice", lang, row=number, period=where, first=seen[key]))
            continue
        seen[key] = number
        row: dict[str, Any] = {ds.date_column: period.start}
        if spec.segment_column:
            row[spec.segment_column] = segment
        filled = unreadable = False
        for name in spec.value_columns:
            text = texts[name]
            row[name] = None
            if not text:
                continue
            try:
                row[name] = parse_number(text, notation)
                filled = True
            except KoersError:
                unreadable = True
                problems.append(t("manual.bad_number", lang, row=number, column=name, value=text))
        if not filled and not unreadable:
            problems.append(t("manual.no_value", lang, row=number, period=shown))
        rows.append(row)
    table = pd.DataFrame(rows, columns=columns(ds))
    if not table.empty:
        by = [ds.date_column, *([spec.segment_column] if spec.segment_column else [])]
        table = table.sort_values(by, kind="stable").reset_index(drop=True)
    return table, problems


def table_csv(table: pd.DataFrame, ds: Dataset) -> bytes:
    """The rows as the kept CSV: ISO dates, plain numbers (what ``koers evaluate`` reads)."""
    out = table.copy()
    out[ds.date_column] = [d.isoformat() for d in out[ds.date_column]]
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def cells(frame: pd.DataFrame, ds: Dataset) -> Mapping[tuple[str, str, str], float | None]:
    """Every value of the kept rows by (period label, segment, column)."""
    assert ds.manual is not None
    spec = ds.manual
    out: dict[tuple[str, str, str], float | None] = {}
    for record in frame.to_dict("records"):
        period = Period.containing(record[ds.date_column], spec.cadence).label
        segment = str(record.get(spec.segment_column, "")).strip() if spec.segment_column else ""
        for name in spec.value_columns:
            value = record.get(name)
            out[(period, segment, name)] = None if value is None or pd.isna(value) else float(value)
    return out


def changes(before: pd.DataFrame, after: pd.DataFrame, ds: Dataset) -> list[Change]:
    """Every value entered, changed or removed between two kept tables."""
    old, new = cells(before, ds), cells(after, ds)
    found = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            period, segment, name = key
            found.append(Change(period, segment, name, old.get(key), new.get(key)))
    return found


def audit_details(found: Sequence[Change], dataset: str = "") -> list[dict[str, Any]]:
    """The changes as the audit log keeps them (``dataset``: the table's name)."""
    return [{**change.detail(), **({"dataset": dataset} if dataset else {})} for change in found]


def reading_kinds(ds: Dataset, detected: Mapping[str, ColumnKind]) -> dict[str, ColumnKind]:
    """Each column's kind as Koers reads the dataset: ``detected``, then the user's
    corrections (``ds.column_kinds``), the date column as dates, and a kept table's segment
    column as names (the service reads every dataset so; the store checks an owner's entry
    against the same reading)."""
    kinds = dict(detected)
    kinds.update({c: k for c, k in ds.column_kinds.items() if c in kinds})
    if ds.date_column in kinds:
        kinds[ds.date_column] = "date"
    segment = ds.manual.segment_column if ds.manual else None
    if segment is not None and segment in kinds:
        kinds[segment] = "category"
    return kinds
