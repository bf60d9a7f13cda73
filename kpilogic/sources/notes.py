"""Messages with parameters that the app shows in both languages: layout decisions, findings.

A decision ("header found on row 4") or a quality finding ("12 values could not be read")
is stored as a message key and plain parameters, so it can be tested, saved as JSON and
shown in Dutch or English. ``render`` formats the parameters for the language first:
shares as percentages, numbers and dates in the local notation, lists joined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kpilogic.i18n import format_date, format_number, format_pct, t

MAX_LISTED = 10  # longer lists of rows or periods are cut off with an ellipsis


def row_ranges(rows: Sequence[int]) -> str:
    """Row numbers as ranges, every one named: ``[1, 2, 3, 7]`` → ``1–3, 7``."""
    ordered = sorted(set(rows))
    parts: list[str] = []
    start = prev = None
    for row in [*ordered, None]:
        if row is not None and prev is not None and row == prev + 1:
            prev = row
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = row
    return ", ".join(parts)


def _value(name: str, value: Any, lang: str) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, float):
        if name.endswith("share"):
            return format_pct(value, lang)
        return format_number(value, lang, 0 if value.is_integer() else 2)
    if isinstance(value, int) and abs(value) >= 10000 and name != "year":
        return format_number(float(value), lang)
    if name == "examples" and isinstance(value, tuple) and len(value) == 3:
        column, number, row = value  # an outlier: "Omzet 600,07 (50)" / "Omzet 600.07 (50)"
        if isinstance(number, int | float):
            shown = format_number(float(number), lang, 0 if float(number).is_integer() else 2)
            return f"{column} {shown} ({row})"
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [str(_value(name, v, lang)) for v in value[:MAX_LISTED]]
        return ", ".join(items) + (", …" if len(value) > MAX_LISTED else "")
    return value


def render(key: str, params: Mapping[str, Any], lang: str) -> str:
    """The message ``key`` in ``lang`` with ``params`` formatted for that language."""
    return t(key, lang, **{name: _value(name, v, lang) for name, v in params.items()})


@dataclass(frozen=True)
class Note:
    """A message key with its parameters, shown in either language through ``render``."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        """The message in ``lang``."""
        return render(self.key, self.params, lang)
