"""Owner entry (issue 18): a KPI owner types the values due for their own KPIs.

A KPI is a person's own when its ``owner`` is their e-mail address (``owns``). For each
value due from them (``present.digest.due_values``) whose numbers come from a table kept in
Koers (``Dataset.manual``), ``owner_work`` gives one field per column the KPI reads and per
segment it covers; a due value whose numbers come from an uploaded file cannot be typed and is
listed apart (an editor uploads the new file). ``enter_values`` writes what the owner typed
into the table's kept rows.

The store enters the values (``Store.enter_values``: merged into the rows as they are, in
one transaction) and checks the same rule for a contributor (``refused``): every value changed
must be one of the columns, in a segment, a KPI they own reads — so nothing else of the
workspace can be changed by them (they cannot save files at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.measures import apply_filters
from kpilogic.engine.review import latest_completed_period
from kpilogic.errors import KoersError
from kpilogic.i18n import decimal_symbol, format_period, t
from kpilogic.present.digest import LATE_AFTER_DAYS, MAX_DUE_PERIODS, DueValue, due_values
from kpilogic.scorecard.formula import formula_columns
from kpilogic.scorecard.model import KPI, Dataset, Scorecard
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.schema_types import Cadence
from kpilogic.sources.parsing import (
    Notation,
    apply_kinds,
    parse_number,
    profile_columns,
)
from kpilogic.sources.pipeline import read_dataset
from kpilogic.workspace.manual import Change, reading_kinds, stored_table, table_csv


def owns(kpi: KPI, email: str) -> bool:
    """True when ``kpi``'s owner is the address ``email`` (compared trimmed, lower-cased)."""
    address = email.strip().lower()
    return bool(address) and kpi.owner.strip().lower() == address


def owned_kpis(card: Scorecard, email: str) -> list[KPI]:
    """The KPIs whose owner is ``email``, in scorecard order."""
    return [kpi for kpi in card.kpis if owns(kpi, email)]


def _dataset(card: Scorecard, kpi: KPI) -> Dataset | None:
    return next((ds for ds in card.datasets if ds.id == kpi.dataset_id), None)


def value_columns(kpi: KPI, ds: Dataset) -> list[str]:
    """The columns of the table kept in Koers that ``kpi`` reads, in the table's order
    (empty when the dataset is an upload, or the KPI counts rows only)."""
    if ds.manual is None:
        return []
    measure = kpi.measure
    read = formula_columns(measure.formula) if measure.formula else {measure.column or ""}
    return [name for name in ds.manual.value_columns if name in read]


def kpi_segments(kpi: KPI, ds: Dataset, candidates: Iterable[str]) -> list[str] | None:
    """Which of ``candidates`` (segments of the table) ``kpi`` covers, read by the engine's
    own filter rules over every filter on the table's segment column (``eq``, ``in``, ``ne``,
    ``not_in``, …); None when no filter is on that column (it covers every segment). A filter
    that cannot be read covers nothing."""
    column = ds.manual.segment_column if ds.manual else None
    on_segment = [f for f in kpi.filters if column and f.column == column]
    if not column or not on_segment:
        return None
    named = [
        str(v).strip()
        for f in on_segment
        if f.op in ("eq", "in")
        for v in (f.value if isinstance(f.value, list) else [f.value])
    ]
    pool = sorted({*(c.strip() for c in candidates), *named} - {""})
    frame = pd.DataFrame({column: pd.Series(pool, dtype="object")})
    try:
        return [str(v) for v in apply_filters(frame, on_segment)[column]]
    except KoersError:
        return []


@dataclass(frozen=True)
class EntryField:
    """One value an owner can type: a column of a table kept in Koers, for one period and
    segment, with the KPIs it feeds."""

    dataset: Dataset
    period: str  # the table's period label, e.g. "2026-05"
    segment: str
    column: str
    late: bool
    kpis: tuple[KPI, ...]

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.dataset.id, self.period, self.segment, self.column)


@dataclass(frozen=True)
class OwnerWork:
    """What one owner has to do: their KPIs, the fields to type, and the due values that come
    from an uploaded file (so an editor must upload them)."""

    kpis: tuple[KPI, ...]
    fields: tuple[EntryField, ...]
    from_files: tuple[DueValue, ...]
    no_segment: tuple[KPI, ...] = ()  # their filters cover no segment the table has yet


def owner_work(
    evaluation: Evaluation,
    email: str,
    as_of: date,
    tables: Mapping[str, bytes | None],
) -> OwnerWork:
    """The values due from ``email``'s KPIs as fields to type (``tables``: each table kept in
    Koers' current bytes by file name; a missing one is empty).

    A KPI on a table kept in Koers asks for every empty cell it reads (its columns, in the
    segments it covers) in each completed period since the table's first row (at most
    ``MAX_DUE_PERIODS`` back; an empty table: the latest completed period). So a total that
    adds up the regions is not taken as complete while one region is missing. A KPI on an
    uploaded file asks for what ``digest.due_values`` finds missing, as ``from_files``."""
    card = evaluation.scorecard
    mine = owned_kpis(card, email)
    fields: dict[tuple[str, str, str, str], EntryField] = {}
    kept: dict[str, pd.DataFrame] = {}
    on_tables: set[str] = set()
    no_segment: list[KPI] = []
    for kpi in mine:
        ds = _dataset(card, kpi)
        names = value_columns(kpi, ds) if ds is not None else []
        if ds is None or ds.manual is None:
            continue
        on_tables.add(kpi.id)  # a KPI on a kept table is never "from a file"
        if not names:
            continue  # it counts rows: there is no value to type
        if ds.id not in kept:
            kept[ds.id] = stored_table(tables.get(ds.source), ds)
        table = kept[ds.id]
        present = _segments_present(table, ds)
        segments = kpi_segments(kpi, ds, present)
        if segments is None:
            segments = present or [""]
        if not segments:
            no_segment.append(kpi)
            continue
        for kpi_period, period in _periods_to_ask(kpi, card, table, ds, as_of):
            late = (as_of - kpi_period.end).days > LATE_AFTER_DAYS
            for segment in segments:
                for name in names:
                    if _value(table, ds, period, segment, name) is not None:
                        continue  # only an empty cell is asked for
                    key = (ds.id, period.label, segment, name)
                    old = fields.get(key)
                    if old is not None:
                        more = old.kpis if kpi in old.kpis else (*old.kpis, kpi)
                        fields[key] = EntryField(
                            ds, old.period, segment, name, old.late or late, more
                        )
                    else:
                        fields[key] = EntryField(ds, period.label, segment, name, late, (kpi,))
    ordered = sorted(fields.values(), key=lambda f: (f.period, _order(mine, f)))
    from_files = tuple(
        due
        for due in due_values(evaluation, as_of)
        if due.kpi in mine and due.kpi.id not in on_tables
    )
    return OwnerWork(tuple(mine), tuple(ordered), from_files, tuple(no_segment))


def _order(mine: Sequence[KPI], item: EntryField) -> int:
    return mine.index(item.kpis[0])


def _periods_to_ask(
    kpi: KPI, card: Scorecard, table: pd.DataFrame, ds: Dataset, as_of: date
) -> list[tuple[Period, Period]]:
    """(KPI period, table period) pairs to ask for, oldest first: the KPI's completed periods
    back to the table's first row (an empty table: the latest completed one), each with every
    table period inside it (a quarterly KPI on a monthly table asks for its three months)."""
    assert ds.manual is not None
    latest = latest_completed_period(kpi.cadence, as_of, card.fiscal_year_start_month)
    first = min(table[ds.date_column]) if not table.empty else latest.end
    kpi_periods: list[Period] = []
    period = latest
    while period.end >= first and len(kpi_periods) < MAX_DUE_PERIODS:
        kpi_periods.append(period)
        period = period.previous()
    out = []
    for kpi_period in reversed(kpi_periods):
        # The table's periods wholly inside the KPI's (its months for a quarter); a table
        # period longer than the KPI's (a monthly table, a weekly KPI) only once it has ended.
        inside = [
            p
            for p in _table_periods(kpi_period, ds.manual.cadence)
            if kpi_period.start <= p.start and p.end <= kpi_period.end
        ]
        if not inside:
            holding = Period.containing(kpi_period.end, ds.manual.cadence)
            inside = [holding] if holding.end < as_of else []
        out += [(kpi_period, p) for p in inside if table.empty or p.end >= first]
    return out


def _table_periods(kpi_period: Period, cadence: Cadence) -> list[Period]:
    """The table periods (calendar periods of ``cadence``) that overlap ``kpi_period``."""
    found = []
    period = Period.containing(kpi_period.start, cadence)
    while period.start <= kpi_period.end:
        found.append(period)
        period = period.shift(1)
    return found


def _segments_present(table: pd.DataFrame, ds: Dataset) -> list[str]:
    column = ds.manual.segment_column if ds.manual else None
    if not column or table.empty:
        return []
    return sorted({str(v).strip() for v in table[column] if str(v).strip()})


def _rows(table: pd.DataFrame, ds: Dataset, period: Period, segment: str) -> pd.Series:
    assert ds.manual is not None
    inside = table[ds.date_column].map(lambda day: period.start <= day <= period.end)
    if ds.manual.segment_column:
        inside &= table[ds.manual.segment_column].astype(str).str.strip() == segment
    return inside


def _value(
    table: pd.DataFrame, ds: Dataset, period: Period, segment: str, column: str
) -> float | None:
    if table.empty:
        return None
    values = table.loc[_rows(table, ds, period, segment), column]
    found = [float(v) for v in values if pd.notna(v)]
    return found[0] if found else None


def enter_values(
    data: bytes | None,
    ds: Dataset,
    values: Mapping[tuple[str, str, str], float | None],
) -> bytes:
    """The table's kept rows with ``values`` ((period label, segment, column) → number, or
    None to clear) written in; a period and segment without a row get one, a row whose
    every value is cleared is gone."""
    assert ds.manual is not None
    spec = ds.manual
    table = stored_table(data, ds)
    seg_col = spec.segment_column
    # One pass over the rows: each row's (period, segment), so each value finds its row
    # without scanning the table again.
    where: dict[tuple[str, str], int] = {}
    for index, day, segment in zip(
        table.index,
        table[ds.date_column],
        table[seg_col].astype(str).str.strip() if seg_col else [""] * len(table),
        strict=True,
    ):
        where.setdefault((Period.containing(day, spec.cadence).label, segment), index)
    added: dict[tuple[str, str], dict[str, Any]] = {}
    for (label, typed_segment, column), number in values.items():
        segment = typed_segment.strip()
        if (label, segment) in where:
            table.at[where[(label, segment)], column] = number
            continue
        if number is None and (label, segment) not in added:
            continue
        row = added.setdefault(
            (label, segment),
            {
                ds.date_column: Period.containing(Period.parse(label).start, spec.cadence).start,
                **({seg_col: segment} if seg_col else {}),
            },
        )
        row[column] = number
    if added:
        new = pd.DataFrame(list(added.values())).reindex(columns=table.columns)
        table = new if table.empty else pd.concat([table, new], ignore_index=True)
    if not table.empty:  # a row whose every value was cleared is gone, as in the editor
        table = table[table[list(spec.value_columns)].notna().any(axis=1)]
    by = [ds.date_column, *([seg_col] if seg_col else [])]
    table = table.sort_values(by, kind="stable").reset_index(drop=True)
    return table_csv(table, ds)


def refused(
    card: Scorecard, email: str | None, ds: Dataset, found: Sequence[Change], today: date
) -> list[Change]:
    """The changes to table ``ds`` that may not be made (empty: all may): a period that has
    not begun (unless the table takes plans), and — for a contributor ``email`` (None: an
    editor) — a value that no KPI they own reads, in a segment that KPI covers."""
    assert ds.manual is not None
    mine = [] if email is None else [k for k in owned_kpis(card, email) if k.dataset_id == ds.id]
    out = []
    for change in found:
        period = Period.parse(change.period)
        future = period.start > today and not ds.manual.allow_future
        theirs = email is None or any(_covers(kpi, ds, change) for kpi in mine)
        if future or not theirs:
            out.append(change)
    return out


def _covers(kpi: KPI, ds: Dataset, change: Change) -> bool:
    segments = kpi_segments(kpi, ds, [change.segment])
    return change.column in value_columns(kpi, ds) and (
        segments is None or change.segment.strip() in segments
    )


def tables_of(card: Scorecard) -> Iterable[Dataset]:
    """The datasets kept in Koers."""
    return (ds for ds in card.datasets if ds.manual is not None)


def field_label(item: EntryField, lang: str) -> str:
    """How a field is named to its owner: the column, the segment, the period
    ("NPS · Noord · mei 2026"); the KPIs it feeds are said beside it."""
    parts = [item.column, *([item.segment] if item.segment else [])]
    return " · ".join([*parts, format_period(item.period, lang)])


def read_entries(
    fields: Sequence[EntryField], texts: Mapping[tuple[str, str, str, str], str], lang: str
) -> tuple[dict[str, dict[tuple[str, str, str], float]], list[str]]:
    """What the owner typed, read in ``lang``'s notation: per dataset id the values to write
    ((period, segment, column) → number), and a message per field that is no number. An
    empty field changes nothing."""
    notation: Notation = "nl" if decimal_symbol(lang) == "," else "en"
    out: dict[str, dict[tuple[str, str, str], float]] = {}
    problems: list[str] = []
    for item in fields:
        text = texts.get(item.key, "").strip()
        if not text:
            continue
        try:
            number = parse_number(text, notation)
        except KoersError:
            label = field_label(item, lang)
            problems.append(t("entry.bad_number", lang, field=label, value=text))
            continue
        out.setdefault(item.dataset.id, {})[(item.period, item.segment, item.column)] = number
    return out, problems


def _as_the_engine_reads(data: bytes | None, ds: Dataset) -> pd.DataFrame | None:
    """The kept table as the evaluation reads it (the reader's own typing of the CSV: "2"
    and "2.0" are one segment there), or None when it has no rows to read."""
    if not data:
        return None
    try:
        tidy = read_dataset(data, ds.source, ds)
        kinds = reading_kinds(ds, profile_columns(tidy.frame))
        return apply_kinds(tidy.frame, kinds, notation=ds.notation)
    except KoersError:
        return None


def others_inputs_unchanged(
    card: Scorecard,
    email: str,
    ds: Dataset,
    before: bytes | None,
    after: bytes,
    entered: Iterable[Change],
) -> bool:
    """True when no KPI on table ``ds`` that ``email`` does not own reads anything different
    in ``after`` than in ``before`` — the rows its filters keep and the values of the columns
    it reads, as the evaluation reads the table — outside the cells ``entered`` (the values
    the owner may enter, which another owner's KPI may read too: one count of complaints
    feeds both). The last word on a contributor's entry: whatever the segment names look
    like, another owner's figure cannot move through any other cell."""
    others = [k for k in card.kpis if k.dataset_id == ds.id and not owns(k, email)]
    if not others:
        return True
    assert ds.manual is not None
    own = {(c.period, c.segment.strip()) for c in entered}
    old, new = _as_the_engine_reads(before, ds), _as_the_engine_reads(after, ds)
    return all(_inputs(old, kpi, ds, own) == _inputs(new, kpi, ds, own) for kpi in others)


def _inputs(
    frame: pd.DataFrame | None, kpi: KPI, ds: Dataset, own: set[tuple[str, str]]
) -> list[tuple[str, ...]]:
    if frame is None or frame.empty:
        return []
    assert ds.manual is not None
    segment_column = ds.manual.segment_column
    if own:
        periods = [
            Period.containing(d.date(), ds.manual.cadence).label for d in frame[ds.date_column]
        ]
        segments = (
            frame[segment_column].astype(str).str.strip().tolist()
            if segment_column
            else [""] * len(frame)
        )
        mask = [(p, s) not in own for p, s in zip(periods, segments, strict=True)]
        frame = frame[mask]
    try:
        kept = apply_filters(frame, kpi.filters, dataset=ds.name)
    except KoersError:
        kept = frame  # a filter that cannot be read: compare every row
    read = value_columns(kpi, ds)  # none: it counts rows, and every row counts
    names = [ds.date_column, *read]
    if ds.manual is not None and ds.manual.segment_column:
        names.append(ds.manual.segment_column)
    names = [n for n in dict.fromkeys(names) if n in kept.columns]
    values = [n for n in read if n in kept.columns]
    if values:  # a row without any of its values gives the figure nothing
        kept = kept[kept[values].notna().any(axis=1)]
    rows = kept[names].astype(str).itertuples(index=False, name=None)
    return sorted(tuple(str(v) for v in row) for row in rows)
