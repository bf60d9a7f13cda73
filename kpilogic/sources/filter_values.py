"""The values a KPI filter can be set to: a column's distinct values, for a pick list.

A filter's value is picked from what the column holds rather than typed (a typo would keep
no rows). Each value is given as the text the filter compares with (``measures.apply_filters``):
numbers as ``2026`` or ``12.5``, days as ``2026-03-31``, text without surrounding spaces, so
a picked value keeps exactly the rows that show it. How a value is shown (Dutch or English
notation) is the page's business; the kind says which notation applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

ValueKind = Literal["number", "date", "text"]

MAX_CHOICES = 500  # more distinct values than this: the value is typed, not picked


@dataclass(frozen=True)
class FilterChoices:
    """A column's distinct values as filter texts, sorted, each with its number of rows.

    ``values`` is empty and ``distinct`` above ``MAX_CHOICES`` when there are too many to
    list (``too_many``): then the user types the value.
    """

    column: str
    kind: ValueKind
    values: tuple[str, ...]
    counts: tuple[int, ...]
    distinct: int

    @property
    def too_many(self) -> bool:
        return self.distinct > len(self.values)

    def count(self, value: str) -> int | None:
        """The number of rows holding ``value`` (None when the column does not have it)."""
        try:
            return self.counts[self.values.index(value)]
        except ValueError:
            return None


def _number_text(value: float) -> str:
    """2026.0 as '2026' (as a filter value is written), 12.5 as '12.5'."""
    return str(int(value)) if value.is_integer() else repr(value)


def filter_choices(series: pd.Series, limit: int = MAX_CHOICES) -> FilterChoices:
    """The distinct values of ``series`` as filter texts, sorted (numbers and dates in their
    order, text alphabetically without regard to case), with how many rows hold each.

    Empty cells are not a value. With more than ``limit`` distinct values none are listed.
    """
    column = str(series.name)
    col = series.dropna()
    kind: ValueKind
    if pd.api.types.is_datetime64_any_dtype(col):
        kind = "date"
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_localize(None)
        counts = col.value_counts()
        days = pd.DatetimeIndex(counts.index)
        whole_days = bool((days == days.normalize()).all())
        order = sorted(counts.index)
        texts = [ts.strftime("%Y-%m-%d") if whole_days else ts.isoformat(sep=" ") for ts in order]
    elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        kind = "number"
        counts = col.astype("float64").value_counts()
        order = sorted(counts.index)
        texts = [_number_text(float(v)) for v in order]
    else:
        kind = "text"
        text = col.astype("string").str.strip()
        counts = text[text != ""].value_counts()
        order = sorted(counts.index, key=lambda v: (str(v).casefold(), str(v)))
        texts = [str(v) for v in order]
    distinct = len(texts)
    if distinct > limit:
        return FilterChoices(column, kind, (), (), distinct)
    return FilterChoices(column, kind, tuple(texts), tuple(int(counts[v]) for v in order), distinct)
