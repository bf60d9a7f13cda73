"""Message catalogues (Dutch and English) and locale-aware formatting of numbers and dates.

Messages live in JSON files under ``kpilogic/locales/``, one file per area of the product,
each mapping a key to its ``en`` and ``nl`` text with ``{name}`` placeholders. Splitting the
catalogue per area keeps each file small; the keys are global and must not collide.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "en"

_LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, merged from every file in ``locales/``.

    Raises:
        ValueError: if two files define the same key, or a message lacks a language.
    """
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_LOCALES.glob("*.json")):
        entries: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice (again in {path.name})")
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise ValueError(f"message {key!r} in {path.name} lacks {missing}")
            merged[key] = texts
    return merged


def normalise_lang(lang: str | None) -> Lang:
    """Map a browser locale such as ``nl-NL`` or ``en_GB`` to a supported language."""
    if lang and lang.lower()[:2] == "nl":
        return "nl"
    return "en" if lang else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message ``key`` in ``lang``, with ``params`` filled in.

    An unknown key returns the key itself, so a missing message is visible but never crashes.
    """
    texts = catalogue().get(key)
    if texts is None:
        return key
    text = _plurals(texts.get(normalise_lang(lang), texts[DEFAULT_LANG]), params)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


# ``{count|rij|rijen}`` in a message: the first form when ``count`` is 1, else the second.
_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def _plurals(text: str, params: dict[str, Any]) -> str:
    def pick(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        if isinstance(value, str):  # already formatted: "1.000" is a thousand in Dutch
            one = value.strip() == "1"
        else:
            one = isinstance(value, int | float) and not isinstance(value, bool) and value == 1
        return match.group(2) if one else match.group(3)

    return _PLURAL.sub(pick, text) if "|" in text else text


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None for None, NaN, NA, infinities and non-numbers."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def _round_half_up(value: float, decimals: int) -> str:
    """Round as people do (2.25 → 2.3), not as binary floats do (2.2)."""
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def format_number(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """``1234.5`` as ``1.234,5`` (nl) or ``1,234.5`` (en); ``None``/NaN as an en dash."""
    value = _finite(value)
    if value is None:
        return "–"
    text = _round_half_up(abs(value), decimals)
    whole, _, frac = text.partition(".")
    thousands, point = (".", ",") if normalise_lang(lang) == "nl" else (",", ".")
    out = _group(whole, thousands) + (point + frac if frac else "")
    is_zero = float(text) == 0
    return ("-" if value < 0 and not is_zero else "") + out


def format_value(
    value: float | None,
    unit: str,
    lang: str = DEFAULT_LANG,
    currency_symbol: str = "€",
    decimals: int | None = None,
) -> str:
    """A KPI value with its unit: ``€ 1.234,56`` / ``€1,234.56``, ``12,5%`` / ``12.5%``."""
    value = _finite(value)
    if value is None:
        return "–"
    nl = normalise_lang(lang) == "nl"
    if unit == "currency":
        d = 2 if decimals is None else decimals
        body = format_number(abs(value), lang, d)
        sign = "-" if value < 0 and float(_round_half_up(abs(value), d)) != 0 else ""
        return f"{sign}{currency_symbol} {body}" if nl else f"{sign}{currency_symbol}{body}"
    if unit == "percent":
        d = 1 if decimals is None else decimals
        return f"{format_number(value, lang, d)}%"
    if unit == "count":
        return format_number(value, lang, 0 if decimals is None else decimals)
    if unit == "days":
        d = 1 if decimals is None else decimals
        word = "dagen" if nl else "days"
        return f"{format_number(value, lang, d)} {word}"
    d = (0 if abs(value) >= 100 else 2) if decimals is None else decimals
    return format_number(value, lang, d)


def format_pct(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A share given as a fraction (0.923) shown as a percentage (``92,3%`` / ``92.3%``)."""
    value = _finite(value)
    if value is None:
        return "–"
    return f"{format_number(value * 100, lang, decimals)}%"


def format_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """``31-03-2026`` (nl) or ``2026-03-31`` (en)."""
    if value is None:
        return "–"
    if normalise_lang(lang) == "nl":
        return value.strftime("%d-%m-%Y")
    return value.strftime("%Y-%m-%d")


_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_PERIOD = re.compile(
    r"(?P<fy>FY)?(?P<year>\d{4})(?:/(?P<yy>\d{2}))?"
    r"(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|W(?P<week>\d{2})))?"
)


def format_period(label: str, lang: str = DEFAULT_LANG) -> str:
    """A period label as people write it: ``2025-12`` → "dec 2025" / "Dec 2025",
    ``2025-Q4`` → "K4 2025" / "Q4 2025", ``2026-W09`` → "week 9 2026", ``FY2026/27`` →
    "boekjaar 2026/27" / "FY2026/27". A label of another shape is returned as it is.

    Machine-readable outputs (CSV, JSON) keep the ISO labels; this is for people.
    """
    match = _PERIOD.fullmatch(label)
    if match is None:
        return label
    nl = normalise_lang(lang) == "nl"
    year = match["year"]
    if match["fy"]:
        year = f"boekjaar {year}/{match['yy']}" if nl else f"FY{year}/{match['yy']}"
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return label
        return f"{_MONTHS['nl' if nl else 'en'][month - 1]} {year}"
    if match["quarter"]:
        return f"{'K' if nl else 'Q'}{match['quarter']} {year}"
    if match["week"]:
        return f"week {int(match['week'])} {year}"
    return year


def format_points(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A difference between two percentages in percentage points: ``0.1`` → "0,1 procentpunt"
    (nl) / "0.1 percentage points" (en). Dutch keeps "procentpunt" up to 1 ("1,5 procentpunt"
    reads oddly as a plural only past one); English says "point" only for exactly 1."""
    value = _finite(value)
    if value is None:
        return "–"
    number = format_number(value, lang, decimals)
    size = abs(float(_round_half_up(abs(value), decimals)))
    if normalise_lang(lang) == "nl":
        return f"{number} {'procentpunt' if size <= 1 else 'procentpunten'}"
    return f"{number} {'percentage point' if size == 1 else 'percentage points'}"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Parameters of messages that hold a date as ISO text (kept so in JSON and the downloads'
# machine columns) or a period label: shown to people in their notation.
DATE_PARAMS = frozenset({"date", "deadline", "last", "next_review", "since", "until"})
PERIOD_PARAMS = frozenset({"period", "first_period", "last_period"})
PERIOD_LIST_PARAMS = frozenset({"periods"})  # "2024-06, 2024-07" → "jun 2024, jul 2024"


def people_params(params: Mapping[str, Any], lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """``params`` with its ISO dates (``deadline="2025-12-31"``) and period labels
    (``period="2025-12"``) in the user's notation ("31-12-2025", "dec 2025"), for a message
    shown to people. Only the parameters named in ``DATE_PARAMS`` / ``PERIOD_PARAMS`` change."""
    out = dict(params)
    for name, value in params.items():
        if name in DATE_PARAMS:
            if isinstance(value, date):  # a datetime too: format_date shows its day
                out[name] = format_date(value, lang)
            elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
                out[name] = format_date(date.fromisoformat(value), lang)
        elif name in PERIOD_PARAMS and isinstance(value, str):
            out[name] = format_period(value, lang)
        elif name in PERIOD_LIST_PARAMS and isinstance(value, str):
            parts = value.split(", ")
            if all(_PERIOD.fullmatch(part) for part in parts):
                out[name] = ", ".join(format_period(part, lang) for part in parts)
    return out


def column_kind(kind: str, lang: str = DEFAULT_LANG) -> str:
    """A column's type as a word of the user's language: ``date`` → "datum" / "date"."""
    key = f"ingest.kind.{kind}"
    return t(key, lang) if key in catalogue() else kind
