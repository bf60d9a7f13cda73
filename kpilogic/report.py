"""The evaluated summary as files: csv, xlsx and json.

Any text cell that a spreadsheet could take for a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is written as literal text: in csv with a leading
apostrophe, in xlsx as a string cell. Numbers stay numbers.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kpilogic.evaluate import SUMMARY_COLUMNS, Evaluation

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value: str) -> str:
    """Text that cannot start a formula in csv: a leading apostrophe where needed."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _escaped(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: escape_text(v) if isinstance(v, str) else v)
    return out


def summary_csv(evaluation: Evaluation, lang: str = "en") -> bytes:
    """The summary as csv: English ``,`` and ``.``; Dutch ``;`` and ``,`` — UTF-8 with BOM."""
    df = _escaped(evaluation.summary())
    for col in ("period_start", "period_end"):
        df[col] = df[col].dt.strftime("%Y-%m-%d")
    sep, decimal = (";", ",") if lang == "nl" else (",", ".")
    text = df.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _cell_value(value: Any) -> Any:
    if value is None:
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
    """The summary as a plain, correct xlsx: one sheet 'Summary' with the summary columns."""
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


def write_summary(evaluation: Evaluation, suffix: str, lang: str = "en") -> bytes:
    """The summary in the format named by ``suffix`` (``.csv``, ``.xlsx`` or ``.json``).

    Raises:
        ValueError: for another suffix.
    """
    suffix = suffix.lower()
    if suffix == ".csv":
        return summary_csv(evaluation, lang)
    if suffix == ".xlsx":
        return summary_xlsx(evaluation)
    if suffix == ".json":
        return summary_json(evaluation)
    raise ValueError(suffix)
