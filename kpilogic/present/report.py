"""The evaluated scorecard as files people share: a formatted workbook, csv, json and a PDF.

``report_xlsx`` is the workbook a manager forwards to the board: a summary per goal and KPI,
the full detail as an Excel table, a native chart per KPI, the goals, check-ins, data quality
and the scorecard's definitions, all in the user's language. ``summary_csv``, ``summary_xlsx``
and ``summary_json`` are the plain, machine-readable summary. The one-page PDF lives in
``kpilogic.present.report_pdf``; ``present.files.write_summary`` picks the writer from a
file suffix.

Any text cell that a spreadsheet could take for a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written as literal text: in csv with a leading
apostrophe, in xlsx as a string cell. Numbers stay numbers. In the workbook, shares
(% of target, changes, health) are true Excel percentages (0.923 shown as 92.3%), while a
KPI measured in percent keeps its value (12.5 shown as 12.5%), as in the evaluation.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import partial
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from kpilogic.engine.evaluate import SUMMARY_COLUMNS, Evaluation
from kpilogic.engine.pillars import PILLARS, PillarReport
from kpilogic.engine.review import status_in
from kpilogic.errors import KoersError
from kpilogic.i18n import (
    csv_separator,
    date_format,
    decimal_symbol,
    format_date,
    format_number,
    format_period,
    format_points,
    language,
    normalise_lang,
    t,
    with_percent,
)
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.explain import compact_value, explain_reason, status_badge, status_label
from kpilogic.scorecard.model import KPI, UNITS, Goal, Scorecard
from kpilogic.scorecard.status import STATUSES, STYLES, Status

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHECKIN_COLUMNS: tuple[str, ...] = (
    "kpi_id",
    "kpi",
    "period",
    "status",
    "note",
    "action",
    "who",
    "next_review",
    "created_at",
)


def escape_text(value: str) -> str:
    """Text that cannot start a formula in csv: a leading apostrophe where needed."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _escaped(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: escape_text(v) if isinstance(v, str) else v)
    return out


# Decimals of a KPI's own figures in the app's csv, by unit: what a person reads and what
# Excel sums (cents for money, hundredths of a percent point, whole counts).
UNIT_DECIMALS: Mapping[str, int] = {
    "currency": 2,
    "percent": 2,
    "count": 0,
    "days": 2,
    "number": 4,
}
# Columns in the KPI's unit, and columns that are percentages of something (one decimal).
UNIT_COLUMNS = ("actual", "target", "gap", "projected", "ytd_actual", "ytd_target")
PCT_COLUMNS = ("pct_of_target", "change_prev_pct", "change_yoy_pct")
PCT_DECIMALS = 1
SIGNIFICANT_DIGITS = 10  # the machine-readable csv: no float noise (88182.01999999999)

Precision = Literal["unit", "significant"]


def round_decimals(value: Any, decimals: int) -> str:
    """``value`` rounded half up to ``decimals`` as plain text with ``.``: '88182.02', '838';
    '' for a missing value. No thousands separator and no exponent, so any csv reader takes it.
    """
    number = _finite_float(value)
    if number is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP)
    return _plain_decimal(rounded)


def round_significant(value: Any, digits: int = SIGNIFICANT_DIGITS) -> str:
    """``value`` to ``digits`` significant digits, trailing zeros dropped: '88182.02';
    '' for a missing value."""
    number = _finite_float(value)
    if number is None:
        return ""
    rounded = Context(prec=digits, rounding=ROUND_HALF_EVEN).create_decimal(repr(number))
    return _plain_decimal(rounded.normalize())


def _finite_float(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _plain_decimal(number: Decimal) -> str:
    text = format(number, "f")
    return "0" if text in ("-0", "0") or set(text) <= set("-0.") else text


def _rounded_numbers(
    df: pd.DataFrame, precision: Precision, decimal: str, units: Sequence[str]
) -> pd.DataFrame:
    """The summary's numbers as text: per unit (``units``: each row's KPI unit) or to
    significant digits; ``decimal`` is the decimal mark."""
    out = df.copy()
    for col in (*UNIT_COLUMNS, *PCT_COLUMNS):
        if precision == "significant":
            texts = [round_significant(v) for v in out[col]]
        elif col in PCT_COLUMNS:
            texts = [round_decimals(v, PCT_DECIMALS) for v in out[col]]
        else:
            texts = [
                round_decimals(v, UNIT_DECIMALS.get(u, UNIT_DECIMALS["number"]))
                for v, u in zip(out[col], units, strict=True)
            ]
        out[col] = pd.Series(
            [s.replace(".", decimal) for s in texts], index=out.index, dtype=object
        )
    return out


def readable_summary(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The summary for people: column names, statuses and yes/no in ``lang``.

    Period labels and dates keep their ISO form (they sort and filter well in a spreadsheet);
    the machine-readable summary keeps every column name and value as documented.
    """
    out = df.copy()
    if "status" in out:
        out["status"] = [t(f"status.{s}", lang) if isinstance(s, str) else s for s in out["status"]]
    if "partial" in out:
        yes, no = t("csv.yes", lang), t("csv.no", lang)
        out["partial"] = [yes if bool(v) else no for v in out["partial"]]
    return out.rename(columns={c: t(f"csv.col.{c}", lang) for c in out.columns})


def summary_csv(
    evaluation: Evaluation,
    lang: str = "en",
    precision: Precision = "unit",
    readable: bool = False,
) -> bytes:
    """The summary as csv: English ``,`` and ``.``; Dutch ``;`` and ``,`` — UTF-8 with BOM.

    ``precision="unit"`` (the app's download, read by people) rounds each KPI's figures to
    its unit: currency 2 decimals, percent 2, count 0, days 2, number 4; % of target and the
    changes to 1 decimal. ``precision="significant"`` (the command line's machine-readable
    csv) keeps ``SIGNIFICANT_DIGITS`` significant digits: full precision without float noise.
    ``readable=True`` names columns, statuses and yes/no in ``lang`` (``readable_summary``).
    """
    units = [str(u) for u in evaluation.detail["unit"]]  # the summary's rows, in order
    df = _escaped(evaluation.summary())
    for col in ("period_start", "period_end"):
        df[col] = df[col].dt.strftime("%Y-%m-%d")
    sep, decimal = csv_separator(lang), decimal_symbol(lang)
    df = _rounded_numbers(df, precision, decimal, units)
    if readable:
        df = readable_summary(df, lang)
    text = df.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def write_table(ws: Any, df: pd.DataFrame) -> None:
    """Write ``df`` to the worksheet ``ws`` with a bold, frozen header; text never a formula."""
    ws.append(list(df.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    for i, col in enumerate(df.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(col)) + 4))


def summary_xlsx(evaluation: Evaluation) -> bytes:
    """The summary as a plain, machine-readable xlsx: one sheet 'Summary', the summary columns.

    For the formatted workbook people share, use ``report_xlsx``.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    write_table(ws, evaluation.summary())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _json_value(value: Any) -> Any:
    value = _cell_value(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value):
        return float(round_significant(value))  # 88182.02, not 88182.01999999999
    return value


def summary_json(evaluation: Evaluation) -> bytes:
    """The summary as JSON: scorecard name, as-of date, goals' roll-up and one record a row."""
    summary = evaluation.summary()
    records = [
        {col: _json_value(v) for col, v in zip(SUMMARY_COLUMNS, row, strict=True)}
        for row in summary.itertuples(index=False)
    ]
    payload = {
        "scorecard": evaluation.scorecard.name,
        "as_of": evaluation.as_of.isoformat() if evaluation.as_of else None,
        "columns": list(SUMMARY_COLUMNS),
        "goals": [
            {"goal_id": g.goal_id, "goal": g.title, "status": g.status, "health": g.health}
            for g in evaluation.goal_statuses()
        ],
        "summary": records,
        "errors": {kpi: exc.english() for kpi, exc in evaluation.errors.items()},
    }
    return json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8")


# -- the overview shared by the workbook and the PDF -----------------------------------------


@dataclass(frozen=True)
class KpiLine:
    """One KPI in the overview: its latest period (total) and that period's status.

    ``row`` is the KPI's latest row of ``Evaluation.detail`` (see ``Evaluation.latest``);
    None when the KPI has no periods or could not be evaluated (then ``problem`` says why).
    """

    goal: Goal
    kpi: KPI
    row: pd.Series | None
    status: Status
    problem: KoersError | None = None

    def number(self, column: str) -> float | None:
        """A numeric column of ``row``; None when absent or NaN."""
        if self.row is None or column not in self.row.index:
            return None
        value = self.row[column]
        if value is None or pd.isna(value):
            return None
        return float(value)

    @property
    def basis(self) -> float | None:
        """What the status was judged on: the projection in a running period, else the actual."""
        projected = self.number("projected")
        return projected if projected is not None else self.number("actual")


def kpi_lines(evaluation: Evaluation) -> list[KpiLine]:
    """Every KPI of the scorecard with its latest period, goal by goal in scorecard order."""
    out: list[KpiLine] = []
    card = evaluation.scorecard
    for goal in card.goals:
        for kpi in card.kpis_of(goal.id):
            problem = evaluation.errors.get(kpi.id)
            row = None if problem else evaluation.latest(kpi.id, evaluation.as_of)
            status: Status = "no_data" if row is None else row["status"]
            out.append(KpiLine(goal, kpi, row, status, problem))
    return out


def attention_order(lines: list[KpiLine]) -> list[KpiLine]:
    """``lines`` worst first: by status severity, then by how far from target, then in order."""

    def shortfall(line: KpiLine) -> float:
        pct = line.number("pct_of_target")
        if pct is None:
            return 0.0
        # Distance from 100% in the bad direction: further away sorts first.
        return -(100 - pct) if line.kpi.direction == "higher" else -(pct - 100)

    indexed = list(enumerate(lines))
    indexed.sort(key=lambda p: (-STYLES[p[1].status].severity, shortfall(p[1]), p[0]))
    return [line for _, line in indexed]


def value_vs_target(line: KpiLine, lang: str, currency: str = "€") -> str:
    """'€ 9.206 tegenover € 12.804' — with the projection of a running period when there is one."""
    unit = line.kpi.unit
    actual = compact_value(line.number("actual"), unit, lang, currency)
    projected = line.number("projected")
    if projected is not None:
        proj = compact_value(projected, unit, lang, currency)
        actual = f"{actual} ({t('report.pdf.projected', lang, value=proj)})"
    if line.kpi.direction == "range":
        low, high = line.number("target_low"), line.number("target_high")
        if low is None or high is None:
            return actual
        low_text = compact_value(low, unit, lang, currency)
        target = f"{low_text} – {compact_value(high, unit, lang, currency)}"
    else:
        tgt = line.number("target")
        if tgt is None:
            return actual
        target = compact_value(tgt, unit, lang, currency)
    return t("report.pdf.value_vs_target", lang, value=actual, target=target)


def describe_target(kpi: KPI, lang: str, currency: str = "€") -> str:
    """The KPI's target in words, e.g. '€ 1.500 per period' or '+10% on the same period …'."""
    if kpi.target is None:
        return t("report.target.none", lang)
    return kpi.target.describe(kpi, lang, currency)


def describe_tolerance(kpi: KPI, lang: str, currency: str = "€") -> str:
    """'10% of the target' (a range: '10% of the crossed bound') or '€ 50,00 (absolute)'."""
    tol = kpi.tolerance
    if tol.kind == "percent":
        decimals = 0 if float(tol.value).is_integer() else 1
        key = "trust.tolerance.percent_bound" if kpi.direction == "range" else None
        return t(
            key or "report.tolerance.percent",
            lang,
            value=with_percent(format_number(tol.value, lang, decimals), lang),
        )
    if kpi.unit == "percent":  # an absolute margin on a percentage is in percentage points
        return format_points(tol.value, lang, 0 if float(tol.value).is_integer() else 1)
    return t(
        "report.tolerance.absolute", lang, value=compact_value(tol.value, kpi.unit, lang, currency)
    )


def describe_filters(kpi: KPI, lang: str) -> str:
    """'Channel is Web; Region is one of North, East' — or 'none'."""
    if not kpi.filters:
        return t("report.none", lang)
    parts = []
    for f in kpi.filters:
        value = ", ".join(str(v) for v in f.value) if isinstance(f.value, list) else str(f.value)
        parts.append(t(f"report.filter.{f.op}", lang, column=f.column, value=value))
    return "; ".join(parts)


# -- the formatted workbook ------------------------------------------------------------------

CHART_PERIODS = 24  # periods per KPI on the Charts sheet; the Detail sheet has all of them


def _font(size: float = 11, **style: Any) -> Font:
    # Name the font: without it LibreOffice falls back to a serif for styled cells.
    return Font(name="Calibri", size=size, **style)


_HEADER_FILL = PatternFill("solid", start_color="1F3864", end_color="1F3864")
_HEADER_FONT = _font(bold=True, color="FFFFFF")
_GOAL_FILL = PatternFill("solid", start_color="E8EDF5", end_color="E8EDF5")
_NOTE_FONT = _font(italic=True, color="595959")
_THIN = Side(style="thin", color="D9D9D9")
_ROW_BORDER = Border(bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_CENTER = Alignment(horizontal="center", vertical="top")
_CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"
_SHARE_FORMAT = "0.0%"


def unit_format(unit: str, currency: str = "€", lang: str = "en") -> str:
    """The Excel number format of a KPI unit: '"€" #,##0.00', '0.0"%"', '#,##0', …

    A percent KPI's values are percentages already (12.5 means 12.5%), so the sign is a
    literal rather than Excel's ×100 percent format.
    """
    symbol = currency.replace('"', "")
    return {
        "currency": f'"{symbol}" #,##0.00',
        "percent": '0.0"%"',
        "count": "#,##0",
        "days": f'0.0 "{t("report.days_suffix", lang)}"',
    }.get(unit, "#,##0.00")


def axis_format(unit: str, currency: str = "€", lang: str = "en") -> str:
    """The number format of a chart's value axis: like ``unit_format``, whole currency units."""
    if unit == "currency":
        return f'"{currency.replace(chr(34), "")}" #,##0'
    return unit_format(unit, currency, lang)


def _date_format(lang: str) -> str:
    return date_format(lang, "excel")


def _plain_text(value: str) -> str:
    # openpyxl refuses control characters other than tab, line feed and carriage return.
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    fmt: str | None = None,
    font: Font | None = None,
    align: Alignment | None = None,
) -> Cell:
    """Write one cell. Text is always a string cell, never a formula; numbers stay numbers."""
    value = _cell_value(value)
    cell: Cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _plain_text(value)
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt
    if font:
        cell.font = font
    if align:
        cell.alignment = align
    return cell


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = _put(ws, row, col, label, font=_HEADER_FONT, align=_WRAP)
        cell.fill = _HEADER_FILL
    ws.row_dimensions[row].height = 30  # room for two-line headers


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _fit_rows(ws: Worksheet, row: int, texts: dict[int, str], widths: Sequence[float]) -> None:
    """Give a row enough height for its wrapped text (spreadsheets do not all do it on open)."""
    lines = 1
    for col, text in texts.items():
        per_line = max(1, int(widths[col - 1] * 0.95))  # err towards a taller row
        need = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, need)
    if lines > 1:
        ws.row_dimensions[row].height = 15 * min(lines, 12)


def _print_setup(ws: Worksheet, title_rows: str | None, name: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    # '&' starts a code in headers and footers; '&&' is a literal ampersand.
    ws.oddFooter.left.text = _plain_text(name).replace("&", "&&")
    ws.oddFooter.right.text = "&P / &N"


def _status_rules(ws: Worksheet, cells: str, lang: str) -> None:
    """Colour the status cells in ``cells`` (e.g. 'H6:H20') by their status word."""
    first = cells.split(":", maxsplit=1)[0]
    for status in STATUSES:
        style = STYLES[status]
        color = style.color.lstrip("#").upper()
        text_color = "FFFFFF" if status in ("on_track", "off_track") else "000000"
        label = status_label(status, lang).replace('"', '""')
        ws.conditional_formatting.add(
            cells,
            FormulaRule(
                formula=[f'ISNUMBER(SEARCH("{label}",{first}))'],
                fill=PatternFill("solid", start_color=color, end_color=color),
                font=Font(bold=True, color=text_color),
                stopIfTrue=True,
            ),
        )


def _pct(value: float | None) -> float | None:
    """An evaluation percentage (92.3) as an Excel share (0.923)."""
    return None if value is None else value / 100


def _reliability(row: pd.Series | None) -> tuple[Any, str | None]:
    """The reliability score of a row when the evaluation has one (a later addition)."""
    if row is None or "reliability" not in row.index:
        return "–", None
    value = _cell_value(row["reliability"])
    if value is None:
        return "–", None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value, ("0%" if 0 <= value <= 1 else "0")
    return str(value), None


def _summary_sheet(
    ws: Worksheet, ev: Evaluation, lines: list[KpiLine], lang: str, created: datetime
) -> None:
    card = ev.scorecard
    cur = card.currency
    keys = [
        "goal",
        "kpi",
        "period",
        "actual",
        "projected",
        "target",
        "pct_of_target",
        "status",
        "change_prev",
        "change_yoy",
        "owner",
        "action",
        "reliability",
        "explanation",
    ]
    widths = [30, 30, 10, 14, 14, 14, 11, 16, 12, 12, 22, 44, 13, 50]
    col = {k: i for i, k in enumerate(keys, start=1)}
    _put(ws, 1, 1, card.name, font=_font(bold=True, size=16))
    subtitle = t(
        "report.subtitle",
        lang,
        as_of=format_date(ev.as_of or ev.data_end, lang),
        data_end=format_date(ev.data_end, lang),
        created=format_date(created, lang),
    )
    _put(ws, 2, 1, f"{t('report.title', lang)} · {subtitle}", font=_font(color="404040"))
    _put(ws, 3, 1, t("report.summary_note", lang), font=_NOTE_FONT)
    head = 5
    _header(ws, head, [t(f"report.col.{k}", lang) for k in keys])
    ws.row_dimensions[head].height = 30
    r = head + 1
    goal_status = {g.goal_id: g for g in ev.goal_statuses(ev.as_of)}
    for goal in card.goals:
        rollup = goal_status[goal.id]
        bold = _font(bold=True)
        for c in range(1, len(keys) + 1):
            ws.cell(row=r, column=c).fill = _GOAL_FILL
        _put(ws, r, col["goal"], goal.title, font=bold, align=_WRAP)
        total = len(rollup.kpi_statuses)
        on_track = sum(s == "on_track" for s in rollup.kpi_statuses.values())
        health = t("report.goal_health", lang, on_track=on_track, total=total)
        _put(ws, r, col["kpi"], health, font=_NOTE_FONT, align=_TOP)
        _put(ws, r, col["status"], status_badge(rollup.status, lang), align=_TOP)
        _put(ws, r, col["owner"], goal.owner, align=_WRAP)
        _fit_rows(ws, r, {col["goal"]: goal.title}, widths)
        r += 1
        for line in (ln for ln in lines if ln.goal.id == goal.id):
            kpi, row = line.kpi, line.row
            fmt = unit_format(kpi.unit, cur, lang)
            _put(ws, r, col["kpi"], kpi.name, align=_WRAP)
            _put(ws, r, col["status"], status_badge(line.status, lang), align=_TOP)
            _put(ws, r, col["owner"], kpi.owner, align=_WRAP)
            _put(ws, r, col["action"], kpi.action, align=_WRAP)
            if line.problem is not None:
                explanation = t("report.not_evaluated", lang, detail=line.problem.message(lang))
            elif row is not None:
                _put(ws, r, col["period"], format_period(row["period"], lang), align=_TOP)
                _put(ws, r, col["actual"], line.number("actual"), fmt, align=_TOP)
                _put(ws, r, col["projected"], line.number("projected"), fmt, align=_TOP)
                _put(ws, r, col["target"], line.number("target"), fmt, align=_TOP)
                pct = _pct(line.number("pct_of_target"))
                _put(ws, r, col["pct_of_target"], pct, _SHARE_FORMAT, align=_TOP)
                prev = _pct(line.number("change_prev_pct"))
                _put(ws, r, col["change_prev"], prev, _CHANGE_FORMAT, align=_TOP)
                yoy = _pct(line.number("change_yoy_pct"))
                _put(ws, r, col["change_yoy"], yoy, _CHANGE_FORMAT, align=_TOP)
                explanation = explain_reason(row["reason"], kpi.unit, lang, cur)
            else:
                explanation = ""
            reliability, rel_fmt = _reliability(row)
            _put(ws, r, col["reliability"], reliability, rel_fmt, align=_TOP)
            _put(ws, r, col["explanation"], explanation, align=_WRAP)
            for c in range(1, len(keys) + 1):
                ws.cell(row=r, column=c).border = _ROW_BORDER
            wrapped = {
                col["kpi"]: kpi.name,
                col["action"]: kpi.action,
                col["explanation"]: explanation,
                col["owner"]: kpi.owner,
            }
            _fit_rows(ws, r, wrapped, widths)
            r += 1
    last = r - 1
    if ev.errors:
        r += 1
        _put(ws, r, 1, t("report.errors_heading", lang), font=_font(bold=True))
        for kpi_id, problem in ev.errors.items():
            r += 1
            _put(ws, r, 1, kpi_id)
            _put(ws, r, 2, problem.message(lang))
    if last > head:
        letter = get_column_letter(col["status"])
        _status_rules(ws, f"{letter}{head + 1}:{letter}{last}", lang)
    _widths(ws, widths)
    ws.freeze_panes = ws.cell(row=head + 1, column=col["kpi"] + 1)
    _print_setup(ws, f"{head}:{head}", card.name)


def _detail_sheet(ws: Worksheet, ev: Evaluation, lang: str) -> None:
    card = ev.scorecard
    cur = card.currency
    d = ev.detail
    has_reliability = "reliability" in d.columns
    keys = [
        "goal",
        "kpi",
        "segment",
        "period",
        "period_start",
        "period_end",
        "actual",
        "projected",
        "target",
        "pct_of_target",
        "gap",
        "status",
        "partial",
        "change_prev",
        "change_yoy",
        "ytd_actual",
        "ytd_target",
        "unit",
        "owner",
        "explanation",
    ]
    if has_reliability:
        keys.append("reliability")
    widths = [28, 28, 14, 10, 12, 12, 14, 14, 14, 12, 14, 16, 12, 12, 12, 15, 15, 14, 22, 60, 13]
    col = {k: i for i, k in enumerate(keys, start=1)}
    _header(ws, 1, [t(f"report.col.{k}", lang) for k in keys])
    date_fmt = _date_format(lang)
    yes, no = t("report.yes", lang), t("report.no", lang)
    unit_names: dict[str, str] = {u: t(f"report.unit.{u}", lang, currency=cur) for u in UNITS}
    r = 1
    for rec in d.to_dict("records"):
        r += 1
        unit = str(rec["unit"])
        fmt = unit_format(unit, cur, lang)
        values: dict[str, tuple[Any, str | None]] = {
            "goal": (rec["goal"], None),
            "kpi": (rec["kpi"], None),
            "segment": (rec["segment"], None),
            "period": (format_period(str(rec["period"]), lang), None),
            "period_start": (rec["period_start"], date_fmt),
            "period_end": (rec["period_end"], date_fmt),
            "actual": (rec["actual"], fmt),
            "projected": (rec["projected"], fmt),
            "target": (rec["target"], fmt),
            "pct_of_target": (_pct(_float(rec["pct_of_target"])), _SHARE_FORMAT),
            "gap": (rec["gap"], fmt),
            "status": (status_badge(rec["status"], lang), None),
            "partial": (yes if rec["partial"] else no, None),
            "change_prev": (_pct(_float(rec["change_prev_pct"])), _CHANGE_FORMAT),
            "change_yoy": (_pct(_float(rec["change_yoy_pct"])), _CHANGE_FORMAT),
            "ytd_actual": (rec["ytd_actual"], fmt),
            "ytd_target": (rec["ytd_target"], fmt),
            "unit": (unit_names.get(unit, unit), None),
            "owner": (rec["owner"], None),
            "explanation": (explain_reason(rec["reason"], unit, lang, cur), None),
        }
        if has_reliability:
            values["reliability"] = _reliability(pd.Series({"reliability": rec["reliability"]}))
        for key, (value, number_format) in values.items():
            _put(ws, r, col[key], value, number_format)
    last_col = get_column_letter(len(keys))
    if r > 1:
        table = Table(displayName="KoersDetail", ref=f"A1:{last_col}{r}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
        letter = get_column_letter(col["status"])
        _status_rules(ws, f"{letter}2:{letter}{r}", lang)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    _widths(ws, widths[: len(keys)])
    _print_setup(ws, "1:1", card.name)


def _float(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _charts_sheet(ws: Worksheet, ev: Evaluation, lang: str) -> None:
    card = ev.scorecard
    cur = card.currency
    _put(ws, 1, 1, card.name, font=_font(bold=True, size=14))
    _put(ws, 2, 1, t("report.charts_note", lang, periods=CHART_PERIODS), font=_NOTE_FONT)
    r = 4
    for kpi in card.kpis:
        rows = ev.kpi_rows(kpi.id).tail(CHART_PERIODS)
        if rows.empty:
            continue
        fmt = unit_format(kpi.unit, cur, lang)
        if kpi.direction == "range":
            lines = [
                ("actual", t("report.chart.actual", lang)),
                ("target_low", f"{t('report.chart.target', lang)} (min)"),
                ("target_high", f"{t('report.chart.target', lang)} (max)"),
            ]
        else:
            lines = [
                ("actual", t("report.chart.actual", lang)),
                ("target", t("report.chart.target", lang)),
            ]
        if rows["projected"].notna().any():
            lines.append(("projected", t("report.chart.projected", lang)))
        _put(ws, r, 1, kpi.name, font=_font(bold=True))
        head = r + 1
        _put(ws, head, 1, t("report.col.period", lang), font=_font(bold=True))
        for i, (_, label) in enumerate(lines, start=2):
            _put(ws, head, i, label, font=_font(bold=True), align=_WRAP)
        ws.row_dimensions[head].height = 30
        for offset, rec in enumerate(rows.to_dict("records"), start=1):
            _put(ws, head + offset, 1, format_period(str(rec["period"]), lang))
            for i, (column, _) in enumerate(lines, start=2):
                _put(ws, head + offset, i, rec[column], fmt)
        last = head + len(rows)
        chart = LineChart()
        chart.title = _plain_text(kpi.name)
        chart.height, chart.width = 9.0, 20.0
        chart.y_axis.number_format = axis_format(kpi.unit, cur, lang)
        chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
        chart.y_axis.delete = False
        chart.x_axis.tickLblSkip = max(1, len(rows) // 8)
        chart.legend.position = "b"
        data = Reference(ws, min_col=2, max_col=1 + len(lines), min_row=head, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        for series, (column, _) in zip(chart.series, lines, strict=True):
            series.smooth = False
            line = series.graphicalProperties.line
            if column == "actual":
                line.solidFill, line.width = "0B5394", 28000
                series.marker.symbol = "circle"
                series.marker.size = 5
            elif column == "projected":
                line.noFill = True
                series.marker.symbol = "square"
                series.marker.size = 8
                series.marker.graphicalProperties = GraphicalProperties(solidFill="E69F00")
                series.marker.graphicalProperties.line.solidFill = "E69F00"
            else:
                line.solidFill, line.dashStyle, line.width = "444444", "dash", 19000
                series.marker.symbol = "none"
        ws.add_chart(chart, f"F{r}")
        r += max(len(rows) + 3, 20)
        ws.row_breaks.append(Break(id=r - 1))  # one KPI per printed page
    _widths(ws, [12, 14, 14, 14, 14])
    _print_setup(ws, None, card.name)


def _goals_sheet(ws: Worksheet, ev: Evaluation, lang: str) -> None:
    card = ev.scorecard
    keys = [
        "goal",
        "why",
        "owner",
        "deadline",
        "perspective",
        "status",
        "health",
        "kpis_on_track",
    ]
    widths = [40, 50, 24, 12, 14, 16, 14, 12]
    _header(ws, 1, [t(f"report.col.{k}", lang) for k in keys])
    rollups = {g.goal_id: g for g in ev.goal_statuses(ev.as_of)}
    for r, goal in enumerate(card.goals, start=2):
        rollup = rollups[goal.id]
        total = len(rollup.kpi_statuses)
        on_track = sum(s == "on_track" for s in rollup.kpi_statuses.values())
        _put(ws, r, 1, goal.title, align=_WRAP)
        _put(ws, r, 2, goal.why, align=_WRAP)
        _put(ws, r, 3, goal.owner, align=_WRAP)
        _put(ws, r, 4, goal.deadline, _date_format(lang), align=_TOP)
        _put(ws, r, 5, t(f"perspective.{goal.perspective}", lang), align=_TOP)
        _put(ws, r, 6, status_badge(rollup.status, lang), align=_TOP)
        _put(ws, r, 7, rollup.health, "0%", align=_TOP)
        _put(ws, r, 8, f"{on_track} / {total}", align=_CENTER)
        _fit_rows(ws, r, {1: goal.title, 2: goal.why, 3: goal.owner}, widths)
    if card.goals:
        _status_rules(ws, f"F2:F{len(card.goals) + 1}", lang)
    ws.freeze_panes = "A2"
    _widths(ws, widths)
    _print_setup(ws, "1:1", card.name)
    _goal_progress_table(ws, ev, lang, len(card.goals) + 3)


def ordered_checkins(card: Scorecard, checkins: Iterable[CheckIn]) -> list[CheckIn]:
    """Check-ins per KPI in scorecard order (KPIs no longer in the scorecard last), newest
    first within a KPI."""
    position = {kpi.id: i for i, kpi in enumerate(card.kpis)}
    newest_first = sorted(checkins, key=lambda c: c.created_at, reverse=True)
    return sorted(newest_first, key=lambda c: position.get(c.kpi_id, len(position)))


def _kpi_name(card: Scorecard, kpi_id: str) -> str:
    return next((k.name for k in card.kpis if k.id == kpi_id), kpi_id)


def _checkins_sheet(
    ws: Worksheet, ev: Evaluation, lang: str, checkins: Sequence[CheckIn] = ()
) -> None:
    card = ev.scorecard
    keys = ["date", "kpi", "period", "status", "note", "action", "author"]
    labels = [t(f"report.col.{k}", lang) for k in keys]
    widths = [12, 28, 10, 16, 50, 50, 20, 14]
    _header(ws, 1, [*labels, t("review.report.next_review", lang)])
    items = ordered_checkins(card, checkins)
    if not items:
        _put(ws, 3, 1, t("report.checkins_none", lang), font=_NOTE_FONT)
    date_fmt = _date_format(lang)
    for r, item in enumerate(items, start=2):
        status = status_in(ev, item.kpi_id, item.period)
        texts = {2: _kpi_name(card, item.kpi_id), 5: item.note, 6: item.action, 7: item.who}
        _put(ws, r, 1, item.created_at.astimezone().date(), date_fmt, align=_TOP)
        _put(ws, r, 3, format_period(item.period, lang), align=_TOP)
        _put(ws, r, 4, status_badge(status, lang), align=_TOP)
        for c, text in texts.items():
            _put(ws, r, c, text, align=_WRAP)
        _put(ws, r, 8, item.next_review, date_fmt, align=_TOP)
        _fit_rows(ws, r, texts, widths)
    if items:
        last = len(items) + 1
        _status_rules(ws, f"D2:D{last}", lang)
        ws.auto_filter.ref = f"A1:H{last}"
    ws.freeze_panes = "A2"
    _widths(ws, widths)
    _print_setup(ws, "1:1", card.name)


def checkins_csv(evaluation: Evaluation, checkins: Iterable[CheckIn], lang: str = "en") -> bytes:
    """The check-ins as csv, per KPI in scorecard order and newest first, with the KPI's status
    in the period; separators as in ``summary_csv``, text escaped, UTF-8 with BOM."""
    card = evaluation.scorecard
    rows = [
        {
            "kpi_id": c.kpi_id,
            "kpi": _kpi_name(card, c.kpi_id),
            "period": c.period,
            "status": status_in(evaluation, c.kpi_id, c.period),
            "note": c.note,
            "action": c.action,
            "who": c.who,
            "next_review": c.next_review.isoformat() if c.next_review else "",
            "created_at": c.created_at.isoformat(timespec="seconds"),
        }
        for c in ordered_checkins(card, checkins)
    ]
    df = _escaped(pd.DataFrame(rows, columns=list(CHECKIN_COLUMNS)))
    text = df.to_csv(index=False, sep=csv_separator(lang), lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _health_sheet(
    ws: Worksheet, ev: Evaluation, lang: str, health: Mapping[str, PillarReport] | None = None
) -> None:
    """The three-pillar checklist of every KPI: one row per check, with what to do."""
    card = ev.scorecard
    keys = ["kpi", "overall", "pillar", "score", "check", "passed", "advice"]
    widths = [28, 12, 20, 12, 40, 10, 60]
    _header(ws, 1, [t(f"tpl.report.col.{k}", lang) for k in keys])
    position = {kpi.id: i for i, kpi in enumerate(card.kpis)}
    reports = sorted((health or {}).values(), key=lambda r: position.get(r.subject, len(position)))
    r = 1
    for report in reports:
        name = _kpi_name(card, report.subject)
        overall = report.overall
        for check in report.checks:
            r += 1
            score = report.score(check.pillar)
            pillar_key = (
                f"pillars.kpi.pillar.{check.pillar}"
                if check.pillar in PILLARS
                else f"pillars.goal.criterion.{check.pillar}"
            )
            texts = {1: name, 5: check.label(lang), 7: check.advice(lang)}
            _put(ws, r, 2, None if overall is None else overall / 100, "0%", align=_TOP)
            _put(ws, r, 3, t(pillar_key, lang), align=_TOP)
            _put(ws, r, 4, None if score is None else score / 100, "0%", align=_TOP)
            _put(ws, r, 6, t(f"tpl.report.{'yes' if check.passed else 'no'}", lang), align=_TOP)
            for c, text in texts.items():
                _put(ws, r, c, text, align=_WRAP)
            _fit_rows(ws, r, texts, widths)
    if r > 1:
        ws.auto_filter.ref = f"A1:G{r}"
    ws.freeze_panes = "A2"
    _widths(ws, widths)
    _print_setup(ws, "1:1", card.name)


def _quality_sheet(ws: Worksheet, ev: Evaluation, lang: str) -> None:
    card = ev.scorecard
    _put(ws, 1, 1, t("report.sheet.quality", lang), font=_font(bold=True, size=14))
    note = _put(ws, 2, 1, t("report.quality_note", lang), font=_NOTE_FONT, align=_WRAP)
    ws.merge_cells("A2:H2")
    note.alignment = _WRAP
    ws.row_dimensions[2].height = 45
    r = 4
    if ev.errors:
        _put(ws, r, 1, t("report.errors_heading", lang), font=_font(bold=True))
        for kpi_id, problem in ev.errors.items():
            r += 1
            _put(ws, r, 1, kpi_id)
            _put(ws, r, 2, problem.message(lang))
        r += 2
    keys = ["kpi", "dataset", "period", "rows", "has_data", "partial", "data_end", "reliability"]
    head = r
    _header(ws, head, [t(f"report.col.{k}", lang) for k in keys])
    yes, no = t("report.yes", lang), t("report.no", lang)
    date_fmt = _date_format(lang)
    has_reliability = "reliability" in ev.detail.columns
    for kpi in card.kpis:
        if kpi.id in ev.errors:
            continue
        dataset = card.dataset(kpi.dataset_id)
        data_end = ev.data_ends.get(kpi.dataset_id)
        for rec in ev.kpi_rows(kpi.id).to_dict("records"):
            r += 1
            _put(ws, r, 1, kpi.name)
            _put(ws, r, 2, dataset.name)
            _put(ws, r, 3, format_period(str(rec["period"]), lang))
            _put(ws, r, 4, rec["rows"], "#,##0")
            _put(ws, r, 5, yes if rec["rows"] > 0 else no, align=_CENTER)
            _put(ws, r, 6, yes if rec["partial"] else no, align=_CENTER)
            _put(ws, r, 7, data_end, date_fmt)
            score: tuple[Any, str | None] = ("–", None)
            if has_reliability:
                score = _reliability(pd.Series({"reliability": rec["reliability"]}))
            _put(ws, r, 8, score[0], score[1], align=_CENTER)
    if r > head:
        ws.auto_filter.ref = f"A{head}:H{r}"
    ws.freeze_panes = ws.cell(row=head + 1, column=1)
    _widths(ws, [30, 20, 10, 10, 14, 14, 14, 16])
    _print_setup(ws, f"{head}:{head}", card.name)


def _definitions_sheet(ws: Worksheet, ev: Evaluation, lang: str) -> None:
    card = ev.scorecard
    cur = card.currency
    keys = [
        "kpi",
        "goal",
        "why",
        "formula",
        "filters",
        "unit",
        "direction",
        "target_definition",
        "tolerance",
        "cadence",
        "segment_column",
        "dataset",
        "owner",
        "action",
    ]
    widths = [28, 28, 36, 34, 24, 14, 16, 34, 18, 14, 14, 18, 22, 40]
    _header(ws, 1, [t(f"report.col.{k}", lang) for k in keys])
    for r, kpi in enumerate(card.kpis, start=2):
        values = [
            kpi.name,
            card.goal(kpi.goal_id).title,
            kpi.why,
            describe_measure(kpi, lang),
            describe_filters(kpi, lang),
            t(f"report.unit.{kpi.unit}", lang, currency=cur),
            t(f"report.direction.{kpi.direction}", lang),
            describe_target(kpi, lang, cur),
            describe_tolerance(kpi, lang, cur),
            t(f"cadence.{kpi.cadence}", lang),
            kpi.segment_column or "–",
            card.dataset(kpi.dataset_id).name,
            kpi.owner,
            kpi.action,
        ]
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value, align=_WRAP)
        _fit_rows(ws, r, {c: str(v) for c, v in enumerate(values, start=1)}, widths)
    ws.freeze_panes = "B2"
    _widths(ws, widths)
    _print_setup(ws, "1:1", card.name)


def report_xlsx(
    evaluation: Evaluation,
    lang: str = "en",
    created: datetime | None = None,
    checkins: Sequence[CheckIn] = (),
    health: Mapping[str, PillarReport] | None = None,
) -> bytes:
    """The formatted workbook in ``lang``: Summary, Detail, Charts, Goals, Check-ins,
    Data quality and Definitions sheets, with document properties and print settings.

    ``created`` is the moment shown as the report's date (default: now); ``checkins`` fill
    the Check-ins sheet (per KPI, newest first, with the KPI's status in the period).
    ``health`` (KPI id → ``pillars.kpi_health``, e.g. ``pillars.scorecard_health``) adds a
    Health check sheet: every pillar check of every KPI, passed or not, with what to do.
    """
    lang = normalise_lang(lang)
    created = created or datetime.now().replace(microsecond=0)
    lines = kpi_lines(evaluation)
    wb = Workbook()
    summary = wb.active
    summary.title = t("report.sheet.summary", lang)
    _summary_sheet(summary, evaluation, lines, lang, created)
    builders: list[tuple[str, Callable[[Worksheet, Evaluation, str], None]]] = [
        ("insight.report.sheet", _insights_sheet),
        ("report.sheet.detail", _detail_sheet),
        ("report.sheet.charts", _charts_sheet),
        ("report.sheet.goals", _goals_sheet),
        ("report.sheet.checkins", partial(_checkins_sheet, checkins=tuple(checkins))),
        *(
            [("tpl.report.sheet", partial(_health_sheet, health=health))]
            if health is not None
            else []
        ),
        ("report.sheet.quality", _quality_sheet),
        ("report.sheet.definitions", _definitions_sheet),
    ]
    for key, build in builders:
        build(wb.create_sheet(t(key, lang)), evaluation, lang)
    props = wb.properties
    props.title = _plain_text(f"{evaluation.scorecard.name} — {t('report.title', lang)}")
    props.subject = t("report.title", lang)
    props.creator = "Koers"
    props.language = language(lang).tag
    props.created = created
    props.modified = created
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


INSIGHT_ROWS = 20  # the sheet lists more than the summary's top five


def _insights_sheet(ws: Worksheet, ev: Evaluation, lang: str) -> None:
    """The Insights sheet: the most notable things (``kpilogic.engine.insights``), highest score
    first, each as one sentence with its KPI, period, rule and score."""
    from kpilogic.engine.insights import insight_text, insights
    from kpilogic.i18n import format_period

    card = ev.scorecard
    names = {k.id: k.name for k in card.kpis}
    keys = ["rank", "kpi", "period", "insight", "rule", "score"]
    widths = [8, 30, 12, 90, 26, 9]
    _header(ws, 1, [t(f"insight.report.col.{k}", lang) for k in keys])
    found = insights(ev, limit=INSIGHT_ROWS)
    for r, insight in enumerate(found, start=2):
        text = insight_text(insight, card, lang)
        kpi = names.get(insight.kpi_id, insight.kpi_id)
        _put(ws, r, 1, r - 1, align=_CENTER)
        _put(ws, r, 2, kpi, align=_WRAP)
        _put(ws, r, 3, format_period(insight.period, lang), align=_TOP)
        _put(ws, r, 4, text, align=_WRAP)
        _put(ws, r, 5, t(f"insight.kind.{insight.kind}", lang), align=_WRAP)
        _put(ws, r, 6, round(insight.score, 2), "0.00", align=_TOP)
        _fit_rows(ws, r, {2: kpi, 4: text}, widths)
    if not found:
        _put(ws, 2, 1, t("insight.cli.none", lang))
    _put(ws, len(found) + 3, 1, t("insight.report.rules", lang), font=_NOTE_FONT)
    ws.freeze_panes = "A2"
    _widths(ws, widths)
    _print_setup(ws, "1:1", card.name)


# -- goal progress (issue 14): the Goals sheet's second table and ``koers goals`` -----------

_PROGRESS_KEYS = (
    "goal",
    "kpi",
    "span_start",
    "deadline",
    "as_of",
    "cumulative_actual",
    "cumulative_target",
    "target_at_deadline",
    "forecast_at_deadline",
    "forecast_pct_of_target",
    "forecast_method",
    "status",
    "reason",
)


def _goal_progress_table(ws: Worksheet, ev: Evaluation, lang: str, first_row: int) -> None:
    """Below the goals: each goal and its KPIs on the way to the deadline — the cumulative
    actual and target so far, the target and the forecast at the deadline, the method, the
    status judged on the forecast and the sentence saying it (``kpilogic.engine.progress``)."""
    from kpilogic.engine.progress import goal_progress, progress_text
    from kpilogic.engine.progress import status_label as progress_status

    card = ev.scorecard
    _put(ws, first_row, 1, t("progress.sheet.title", lang), font=_font(13, bold=True))
    _put(ws, first_row + 1, 1, t("progress.sheet.note", lang), font=_NOTE_FONT)
    header = first_row + 2
    # Only the labels of this table's own columns; the first columns keep the goals' widths.
    for col, key in enumerate(_PROGRESS_KEYS, start=1):
        cell = _put(ws, header, col, t(f"progress.col.{key}", lang), font=_HEADER_FONT, align=_WRAP)
        cell.fill = _HEADER_FILL
    ws.row_dimensions[header].height = 30
    date_fmt = _date_format(lang)
    row = header + 1
    units = {k.id: k.unit for k in card.kpis}
    for goal in goal_progress(ev, ev.as_of):
        items: list[Any] = [goal, *goal.kpis]
        for item in items:
            is_goal = item is goal
            unit = "" if is_goal else units.get(item.kpi_id, "number")
            fmt = unit_format(unit, card.currency, lang)
            _put(ws, row, 1, goal.title, font=_font(bold=True) if is_goal else None, align=_WRAP)
            _put(ws, row, 2, "" if is_goal else item.kpi, align=_WRAP)
            _put(ws, row, 3, item.span_start, date_fmt, align=_TOP)
            _put(ws, row, 4, item.deadline, date_fmt, align=_TOP)
            _put(ws, row, 5, item.as_of, date_fmt, align=_TOP)
            if not is_goal:
                _put(ws, row, 6, item.cumulative_actual, fmt, align=_TOP)
                _put(ws, row, 7, item.cumulative_target, fmt, align=_TOP)
                _put(ws, row, 8, item.target_at_deadline, fmt, align=_TOP)
                _put(ws, row, 9, item.forecast_at_deadline, fmt, align=_TOP)
                _put(ws, row, 10, _pct(item.forecast_pct_of_target), _SHARE_FORMAT, align=_TOP)
                method = t(f"progress.method_name.{item.forecast_method}", lang)
                _put(ws, row, 11, method, align=_TOP)
            _put(ws, row, 12, progress_status(item.status, lang), align=_TOP)
            sentence = progress_text(item, card, lang)
            _put(ws, row, 13, sentence, align=_WRAP)
            if is_goal:
                for col in range(1, 14):
                    ws.cell(row=row, column=col).fill = _GOAL_FILL
            _fit_rows(ws, row, {13: sentence}, [40, 50, 24, 12, 14, 16, 14, 12, 16, 12, 16, 14, 60])
            row += 1
    if ws.column_dimensions["M"].width is None or ws.column_dimensions["M"].width < 60:
        ws.column_dimensions["M"].width = 60
    for letter in ("I", "J", "K", "L"):
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, 14)


def goals_file(
    evaluation: Evaluation, suffix: str, lang: str = "en", as_of: date | None = None
) -> bytes:
    """``koers goals``: the goals table (``progress.goals_table``) as ``.csv`` (``,``/``.``;
    with ``--lang nl`` ``;``/``,``; UTF-8 with BOM; numbers to ``SIGNIFICANT_DIGITS``),
    ``.json`` (a list of records) or ``.xlsx`` (one sheet 'Goals', the same columns).

    Raises:
        ValueError: for another suffix.
    """
    from kpilogic.engine.progress import GOALS_COLUMNS, goal_progress, goals_table

    table = goals_table(goal_progress(evaluation, as_of), evaluation.scorecard, lang)
    suffix = suffix.lower()
    if suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "Goals"
        write_table(ws, table)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    if suffix == ".json":
        records = [
            {col: _json_value(v) for col, v in zip(GOALS_COLUMNS, row, strict=True)}
            for row in table.itertuples(index=False)
        ]
        return json.dumps(records, indent=2, ensure_ascii=False).encode("utf-8")
    if suffix == ".csv":
        sep, decimal = csv_separator(lang), decimal_symbol(lang)
        out = _escaped(table)
        for col in ("deadline", "span_start", "as_of"):
            out[col] = [v.isoformat() if isinstance(v, date) else "" for v in out[col]]
        for col in (
            "cumulative_actual",
            "cumulative_target",
            "target_at_deadline",
            "forecast_at_deadline",
            "forecast_pct_of_target",
        ):
            out[col] = [round_significant(v).replace(".", decimal) for v in out[col]]
        text = out.to_csv(index=False, sep=sep, lineterminator="\r\n")
        return text.encode("utf-8-sig")
    raise ValueError(suffix)


def describe_measure(kpi: KPI, lang: str) -> str:
    """How the KPI is computed, for people: a formula as the user wrote it
    (``sum(Revenue) / count_distinct(Order ID)``), a one-column measure in words
    ("Som van Omzet" / "Sum of Revenue"), never the internal form ``sum([Omzet])``."""
    m = kpi.measure
    if m.formula:
        return m.formula
    agg = t(f"measures.agg.{m.aggregation}", lang)
    if m.column is None:
        return agg
    return t("kpis.summary.agg", lang, agg=agg, column=m.column)
