"""A data table as people read it in a preview: numbers in the reader's notation.

Streamlit writes a number column as ``182450.5`` whatever the page's language. A preview of
an uploaded file writes it as the reader does (``182450,5`` in Dutch), without a thousands
separator, as Excel's General format shows it (so a year or a code stays ``2026``), with as
many decimals as the column's shown values need. Only for showing: the numbers themselves
are not touched.
"""

from __future__ import annotations

import pandas as pd

from kpilogic.i18n import format_number, shown_decimals


def numbers_as_text(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with each number column (not a yes/no column) written as text in ``lang``'s
    notation; an empty cell stays empty. Returns the new frame and the columns written."""
    out = frame.copy()
    written: list[str] = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            continue
        values = column.astype("float64")
        decimals = shown_decimals(values, most=10)
        out[name] = [
            "" if pd.isna(v) else format_number(v, lang, decimals, grouping=False) for v in values
        ]
        written.append(name)
    return out, written


__all__ = ["numbers_as_text"]
