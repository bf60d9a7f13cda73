"""Periods as the app shows them to people (issue 15), written out here rather than taken
from ``kpilogic.i18n.format_period``, so the end-to-end tests check the app's words against
an independent statement of them: ``2026-11`` is "Nov 2026" (en) / "nov 2026" (nl)."""

from __future__ import annotations

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
}


def month_words(label: str, lang: str) -> str:
    """``2026-11`` → "Nov 2026" / "nov 2026"."""
    year, month = label.split("-")
    return f"{MONTHS[lang][int(month) - 1]} {year}"
