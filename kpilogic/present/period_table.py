"""The table of values per period × KPI: periods as rows, KPIs as columns.

For people to read and copy: periods as they write them ("dec 2025", "K4 2025"), values in
their notation, and downloads (CSV, xlsx) in their language. The values are each KPI's total
per period as measured (``actual``); a period whose data is not complete yet is marked with an
asterisk and named in the note, so no figure from incomplete data passes unmarked.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from kpilogic.engine.evaluate import Evaluation
from kpilogic.i18n import csv_separator, format_number, format_period, format_value, t
from kpilogic.present.report import UNIT_DECIMALS, escape_text
from kpilogic.scorecard.model import KPI

PARTIAL_MARK = " *"


@dataclass(frozen=True)
class PeriodTable:
    """One cadence's table. ``values``: raw numbers, index the ISO period labels in time
    order, one column per KPI (its name; a repeated name gets its id added). ``partial``: the
    same shape, True where the period's data is not complete. ``kpis``: column → KPI."""

    cadence: str
    values: pd.DataFrame
    partial: pd.DataFrame
    kpis: dict[str, KPI]


def _column_names(kpis: list[KPI]) -> list[str]:
    names = [k.name for k in kpis]
    return [f"{k.name} ({k.id})" if names.count(k.name) > 1 else k.name for k in kpis]


def period_tables(ev: Evaluation, up_to: date | None = None) -> list[PeriodTable]:
    """One table per cadence in use (months first), over the periods begun by ``up_to``.

    KPIs that could not be evaluated are not in it (the dashboard names them with their
    error); a KPI without a value in a period has an empty cell there.
    """
    detail = ev.detail
    if detail.empty:
        return []
    totals = detail[detail["segment"] == ""]
    if up_to is not None:
        totals = totals[pd.to_datetime(totals["period_start"]) <= pd.Timestamp(up_to)]
    out = []
    for cadence in ("month", "quarter", "week", "year"):
        part = totals[totals["cadence"] == cadence]
        if part.empty:
            continue
        kpis = [k for k in ev.scorecard.kpis if k.id in set(part["kpi_id"])]
        names = _column_names(kpis)
        order = (
            part.drop_duplicates("period")
            .sort_values("period_start", kind="stable")["period"]
            .astype(str)
            .tolist()
        )
        values = pd.DataFrame(index=pd.Index(order, name="period"), columns=names, dtype=float)
        partial = pd.DataFrame(False, index=values.index, columns=names)
        for kpi, name in zip(kpis, names, strict=True):
            rows = part[part["kpi_id"] == kpi.id]
            for period, actual, is_partial in zip(
                rows["period"].astype(str), rows["actual"], rows["partial"], strict=True
            ):
                values.loc[period, name] = actual
                partial.loc[period, name] = bool(is_partial) and pd.notna(actual)
        out.append(PeriodTable(cadence, values, partial, dict(zip(names, kpis, strict=True))))
    return out


def display_table(table: PeriodTable, lang: str, currency: str = "€") -> pd.DataFrame:
    """The table as people read it: a period column ("dec 2025") and each value in the
    reader's notation with its unit ("€ 1.234,56"); incomplete periods end in `` *``."""
    out = pd.DataFrame(
        {t("chart.period", lang): [format_period(p, lang) for p in table.values.index]}
    )
    for name, kpi in table.kpis.items():
        texts = [
            ""
            if pd.isna(v)
            else format_value(v, kpi.unit, lang, currency) + (PARTIAL_MARK if p else "")
            for v, p in zip(table.values[name], table.partial[name], strict=True)
        ]
        out[name] = texts
    return out


def partial_note(table: PeriodTable, lang: str) -> str | None:
    """The note under the table naming the incomplete periods, or None when there are none."""
    marked = [
        format_period(str(p), lang) for p in table.values.index if bool(table.partial.loc[p].any())
    ]
    if not marked:
        return None
    return t("pdash.table.partial", lang, periods=", ".join(marked), count=len(marked))


def table_csv(table: PeriodTable, lang: str) -> bytes:
    """The table as CSV in the reader's language: headers and periods in words, numbers
    without unit in the reader's notation (Dutch: decimal comma, ``;`` between fields, as
    Excel in Dutch expects), a column saying which periods are incomplete. UTF-8 with BOM so
    Excel reads the accents; text that a spreadsheet could take for a formula is escaped."""
    out = pd.DataFrame(
        {t("chart.period", lang): [format_period(p, lang) for p in table.values.index]}
    )
    for name, kpi in table.kpis.items():
        decimals = UNIT_DECIMALS.get(kpi.unit, 2)
        out[escape_text(name)] = [
            "" if pd.isna(v) else format_number(v, lang, decimals, grouping=False)
            for v in table.values[name]
        ]
    yes, no = t("pdash.yes", lang), t("pdash.no", lang)
    out[t("pdash.table.incomplete", lang)] = [
        yes if bool(table.partial.loc[p].any()) else no for p in table.values.index
    ]
    text = out.to_csv(index=False, sep=csv_separator(lang), lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


_XLSX_FORMATS = {
    "currency": '"{c}" #,##0.00',
    "percent": '0.0"%"',
    "count": "#,##0",
    "days": '0.0 "{d}"',
}


def table_xlsx(table: PeriodTable, lang: str, currency: str = "€") -> bytes:
    """The table as a workbook in the reader's language: a period column in words, numbers as
    numbers (Excel shows them in the reader's own notation), a column for incomplete
    periods, and the note about them below."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("pdash.table.sheet", lang)[:31]
    headers = [t("chart.period", lang), *(escape_text(n) for n in table.kpis)]
    headers.append(t("pdash.table.incomplete", lang))
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    yes, no = t("pdash.yes", lang), t("pdash.no", lang)
    for period in table.values.index:
        values = [None if pd.isna(v) else float(v) for v in table.values.loc[period]]
        flag = yes if bool(table.partial.loc[period].any()) else no
        ws.append([format_period(period, lang), *values, flag])
    days = t("report.days_suffix", lang)
    for col, kpi in enumerate(table.kpis.values(), start=2):
        fmt = _XLSX_FORMATS.get(kpi.unit, "#,##0.##").format(c=currency, d=days)
        for row in range(2, len(table.values) + 2):
            ws.cell(row=row, column=col).number_format = fmt
    note = partial_note(table, lang)
    if note:
        ws.cell(row=len(table.values) + 3, column=1, value=escape_text(note))
    ws.column_dimensions["A"].width = 14
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
