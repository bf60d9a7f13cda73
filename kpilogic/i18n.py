"""Message catalogues and locale-aware formatting of numbers, money, dates and periods.

Messages live in JSON files under ``kpilogic/locales/``, one file per area of the product,
each mapping a key to its text per language (``{"en": …, "nl": …}``) with ``{name}``
placeholders. Splitting the catalogue per area keeps each file small; the keys are global and
must not collide. The languages themselves are data too: ``locales/languages.json`` gives each
its code, CLDR locale (through Babel: separators, currency and percent patterns, month and
quarter names, date patterns), display name and flag. Adding a language is one entry there
plus its texts in the catalogue; a text it lacks falls back to English.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale
from babel.dates import (
    DateTimePattern,
    get_date_format,
    get_day_names,
    get_month_names,
    get_quarter_names,
)
from babel.dates import parse_pattern as parse_date_pattern
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

Lang = str  # a language code declared in locales/languages.json: "nl", "en"
DEFAULT_LANG: Lang = "en"  # also the language a missing translation falls back to

_LOCALES = Path(__file__).parent / "locales"
_LANGUAGES_FILE = "languages.json"
_locales_dir: list[Path] = [_LOCALES]  # swapped by ``use_locales`` (a test's own catalogue)


@dataclass(frozen=True)
class Language:
    """A language of the interface, as declared in ``locales/languages.json``.

    ``locale`` is the CLDR locale (Babel's ``nl_NL``) that numbers, money, dates, month and
    quarter names follow. ``date_pattern`` (a CLDR pattern) and ``short_months`` override
    CLDR where the house style differs; ``complete`` languages must have every message.
    """

    code: str
    locale: str
    name: str
    flag: str
    complete: bool = False
    date_pattern: str | None = None
    short_months: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        """The language picker's text: "🇳🇱 Nederlands"."""
        return f"{self.flag} {self.name}"

    @property
    def tag(self) -> str:
        """The BCP 47 tag documents carry: ``nl-NL``."""
        return self.locale.replace("_", "-")


@cache
def _languages(directory: Path) -> dict[str, Language]:
    entries: dict[str, dict[str, Any]] = json.loads(
        (directory / _LANGUAGES_FILE).read_text(encoding="utf-8")
    )
    out: dict[str, Language] = {}
    for code, entry in entries.items():
        months = entry.get("short_months")
        if months is not None and len(months) != 12:
            raise ValueError(f"language {code!r}: short_months needs 12 names")
        out[code] = Language(
            code=code,
            locale=str(entry["locale"]),
            name=str(entry["name"]),
            flag=str(entry["flag"]),
            complete=bool(entry.get("complete", False)),
            date_pattern=entry.get("date_pattern"),
            short_months=tuple(months) if months is not None else None,
        )
    if DEFAULT_LANG not in out:
        raise ValueError(f"{_LANGUAGES_FILE} must declare {DEFAULT_LANG!r}, the fallback")
    return out


def languages() -> dict[str, Language]:
    """The interface's languages by code, in the order of ``languages.json``."""
    return _languages(_locales_dir[0])


def language(lang: str | None) -> Language:
    """The declared language of ``lang`` (normalised: ``nl-NL`` is Dutch)."""
    return languages()[normalise_lang(lang)]


# The shipped languages, for pickers and checks; ``languages()`` follows ``use_locales``.
LANGS: tuple[Lang, ...] = tuple(languages())


@contextmanager
def use_locales(directory: Path) -> Iterator[None]:
    """Read languages and messages from ``directory`` instead of ``kpilogic/locales/``
    while the block runs (a test that adds a language in a catalogue of its own)."""
    _locales_dir.insert(0, Path(directory))
    try:
        yield
    finally:
        _locales_dir.remove(Path(directory))


@cache
def _catalogue(directory: Path) -> dict[str, dict[str, str]]:
    required = [code for code, lang in _languages(directory).items() if lang.complete]
    required += [] if DEFAULT_LANG in required else [DEFAULT_LANG]
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name == _LANGUAGES_FILE:
            continue
        entries: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice (again in {path.name})")
            missing = [lang for lang in required if lang not in texts]
            if missing:
                raise ValueError(f"message {key!r} in {path.name} lacks {missing}")
            merged[key] = texts
    return merged


def catalogue() -> dict[str, dict[str, str]]:
    """All messages, merged from every file in ``locales/``.

    Raises:
        ValueError: if two files define the same key, or a message lacks English or another
            language that ``languages.json`` marks complete.
    """
    return _catalogue(_locales_dir[0])


def normalise_lang(lang: str | None) -> Lang:
    """Map a browser locale such as ``nl-NL`` or ``en_GB`` to a supported language; one we
    do not have is English."""
    if not lang:
        return DEFAULT_LANG
    return _normalise(lang, _locales_dir[0])


@cache
def _normalise(lang: str, directory: Path) -> Lang:
    code = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return code if code in _languages(directory) else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
    """The message ``key`` in ``lang``, with ``params`` filled in; English where ``lang``
    has no text for it.

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


def _round_half_up(value: float, decimals: int) -> str:
    """Round as people do (2.25 → 2.3), not as binary floats do (2.2)."""
    quantum = Decimal(1).scaleb(-decimals)
    # Precision for every float (up to 309 digits before the point; the default 28 raises
    # on 1e26); fixed-point always: str() writes 0.0000001 as "1E-7".
    rounded = Decimal(repr(float(value))).quantize(
        quantum, rounding=ROUND_HALF_UP, context=Context(prec=340 + max(decimals, 0))
    )
    return format(rounded, "f")


# -- locale data (CLDR through Babel) --------------------------------------------------------


def babel_locale(lang: str | None) -> Locale:
    """The CLDR locale of ``lang``: ``nl`` → nl_NL."""
    return _parse_locale(language(lang).locale)


@cache
def _parse_locale(code: str) -> Locale:
    return Locale.parse(code)


@dataclass(frozen=True)
class _NumberStyle:
    """A locale's CLDR number symbols and grouping sizes (``#,##0``: 3 and 3;
    ``#,##,##0`` in hi_IN: 3, then 2)."""

    decimal: str
    group: str
    minus: str
    primary: int
    secondary: int


@cache
def _number_style(code: str) -> _NumberStyle:
    locale = _parse_locale(code)
    primary, secondary = locale.decimal_formats[None].grouping
    return _NumberStyle(
        decimal=str(get_decimal_symbol(locale)),
        group=str(get_group_symbol(locale)),
        minus=str(get_minus_sign_symbol(locale)),
        primary=primary,
        secondary=secondary,
    )


def _grouped(digits: str, style: _NumberStyle) -> str:
    """``digits`` with the group separator, as Babel's ``NumberPattern`` groups them (a
    test checks that they agree); written here because Babel's own formatting costs
    three times as long, and tables format thousands of numbers."""
    if len(digits) <= style.primary:
        return digits
    head, groups = digits[: -style.primary], [digits[-style.primary :]]
    while len(head) > style.secondary:
        groups.insert(0, head[-style.secondary :])
        head = head[: -style.secondary]
    return style.group.join([head, *groups])


def decimal_symbol(lang: str = DEFAULT_LANG) -> str:
    """The decimal separator of ``lang``: "," (nl) or "." (en)."""
    return _number_style(language(lang).locale).decimal


def group_symbol(lang: str = DEFAULT_LANG) -> str:
    """The thousands separator of ``lang``: "." (nl) or "," (en)."""
    return _number_style(language(lang).locale).group


def csv_separator(lang: str = DEFAULT_LANG) -> str:
    """The field separator of a CSV for ``lang``: ";" where the decimal separator is a comma
    (as Excel expects in Dutch), else ","."""
    return ";" if decimal_symbol(lang) == "," else ","


def _plain_spaces(text: str) -> str:
    # CLDR puts a no-break space between sign and number (nl: "€ 1.234,56"); our texts,
    # CSVs and workbooks have always written a plain space.
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _affixes(lang: str, kind: str) -> tuple[str, str]:
    """Text before and after a positive amount in ``lang``'s ``kind`` pattern ("currency",
    "percent"): nl currency ("¤ ", ""), en ("¤", ""), de ("", " ¤"); percent ("", "%")."""
    return _locale_affixes(language(lang).locale, kind)


@cache
def _locale_affixes(code: str, kind: str) -> tuple[str, str]:
    locale = _parse_locale(code)
    pattern = (
        locale.currency_formats["standard"] if kind == "currency" else locale.percent_formats[None]
    )
    return _plain_spaces(pattern.prefix[0]), _plain_spaces(pattern.suffix[0])


def currency_affixes(lang: str, symbol: str = "€") -> tuple[str, str]:
    """What stands before and after an amount of money: ("€ ", "") in Dutch, ("€", "") in
    English, ("", " €") in German."""
    prefix, suffix = _affixes(lang, "currency")
    return prefix.replace("¤", symbol), suffix.replace("¤", symbol)


def with_percent(number: str, lang: str = DEFAULT_LANG) -> str:
    """A formatted number with the percent sign where ``lang`` writes it: "12,5%"."""
    prefix, suffix = _affixes(lang, "percent")
    return f"{prefix}{number}{suffix}"


def date_pattern(lang: str = DEFAULT_LANG) -> str:
    """The CLDR pattern of a date in ``lang``: ``dd-MM-y`` (nl), ``yyyy-MM-dd`` (en): the
    language's own choice, else CLDR's short date with the full year (de ``dd.MM.y``)."""
    chosen = language(lang).date_pattern
    return chosen or _cldr_date_pattern(language(lang).locale)


@cache
def _cldr_date_pattern(code: str) -> str:
    return re.sub(r"y+", "y", get_date_format("short", _parse_locale(code)).pattern)


def date_format(lang: str, style: Literal["excel", "widget", "d3"] = "excel") -> str:
    """``date_pattern`` in another notation: ``excel`` (dd-mm-yyyy), ``widget`` (Streamlit's
    date input: DD-MM-YYYY) or ``d3`` (the charts: %d-%m-%Y). Numeric patterns only (day,
    month, year and separators), as CLDR's short dates are."""
    tokens = {
        "excel": {"d": "dd", "M": "mm", "y": "yyyy"},
        "widget": {"d": "DD", "M": "MM", "y": "YYYY"},
        "d3": {"d": "%d", "M": "%m", "y": "%Y"},
    }[style]
    return re.sub(r"d+|M+|y+", lambda m: tokens[m.group(0)[0]], date_pattern(lang))


def short_months(lang: str = DEFAULT_LANG) -> tuple[str, ...]:
    """The twelve abbreviated month names: "jan" … "dec" (nl), "Jan" … "Dec" (en)."""
    own = language(lang).short_months
    return own if own is not None else _cldr_short_months(language(lang).locale)


@cache
def _cldr_short_months(code: str) -> tuple[str, ...]:
    names = get_month_names("abbreviated", "stand-alone", _parse_locale(code))
    return tuple(str(names[m]) for m in range(1, 13))


def month_names(lang: str = DEFAULT_LANG) -> tuple[str, ...]:
    """The twelve month names in full: "januari" … "december"."""
    names = get_month_names("wide", "format", babel_locale(lang))
    return tuple(str(names[m]) for m in range(1, 13))


def day_names(
    lang: str = DEFAULT_LANG, width: Literal["abbreviated", "wide"] = "wide"
) -> tuple[str, ...]:
    """The seven day names from Sunday on ("zondag" … / "zo" … for ``abbreviated``)."""
    names = get_day_names(width, "format", babel_locale(lang))
    return tuple(str(names[d]) for d in (6, 0, 1, 2, 3, 4, 5))  # CLDR counts from Monday


def quarter_name(quarter: int, lang: str = DEFAULT_LANG) -> str:
    """The short name of a quarter: "K4" (nl), "Q4" (en)."""
    return _cldr_quarters(language(lang).locale)[quarter - 1]


@cache
def _cldr_quarters(code: str) -> tuple[str, ...]:
    names = get_quarter_names("abbreviated", "format", _parse_locale(code))
    return tuple(str(names[q]) for q in (1, 2, 3, 4))


# -- formatting ------------------------------------------------------------------------------


def format_number(
    value: float | None, lang: str = DEFAULT_LANG, decimals: int = 0, grouping: bool = True
) -> str:
    """``1234.5`` as ``1.234,5`` (nl) or ``1,234.5`` (en); ``None``/NaN as an en dash.

    Rounded half up (2.25 → 2.3), then written with the separators of ``lang``'s CLDR
    locale; ``grouping=False`` leaves out the thousands separator (``1234,5``)."""
    value = _finite(value)
    if value is None:
        return "–"
    text = _round_half_up(abs(value), decimals)
    style = _number_style(language(lang).locale)
    whole, _, fraction = text.partition(".")
    out = _grouped(whole, style) if grouping else whole
    if fraction:
        out += style.decimal + fraction
    is_zero = float(text) == 0
    # CLDR's minus sign of the locale ("-" in nl and en; Babel's own patterns always write "-").
    return (style.minus if value < 0 and not is_zero else "") + out


def shown_decimals(values: Iterable[Any], most: int = 6) -> int:
    """The fewest decimals (at most ``most``) that show every finite number of ``values``
    as it is: ``[1234.5, 2000]`` → 1, ``[3, 5]`` → 0, ``[0.1 + 0.2]`` → 1 (a binary
    fraction's last bits are not a decimal)."""
    numbers = [v for v in (_finite(x) for x in values) if v is not None]
    for decimals in range(most + 1):
        if all(abs(v - round(v, decimals)) <= 1e-9 * max(1.0, abs(v)) for v in numbers):
            return decimals
    return most


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
    if unit == "currency":
        d = 2 if decimals is None else decimals
        body = format_number(abs(value), lang, d)
        # The minus stands before the currency sign in every language ("-€ 1.234,56"), as
        # we always wrote it; CLDR nl would write "€ -1.234,56".
        sign = "-" if value < 0 and float(_round_half_up(abs(value), d)) != 0 else ""
        prefix, suffix = currency_affixes(lang, currency_symbol)
        return f"{sign}{prefix}{body}{suffix}"
    if unit == "percent":
        d = 1 if decimals is None else decimals
        return with_percent(format_number(value, lang, d), lang)
    if unit == "count":
        return format_number(value, lang, 0 if decimals is None else decimals)
    if unit == "days":
        d = 1 if decimals is None else decimals
        return f"{format_number(value, lang, d)} {t('report.days_suffix', lang)}"
    d = (0 if abs(value) >= 100 else 2) if decimals is None else decimals
    return format_number(value, lang, d)


def format_pct(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A share given as a fraction (0.923) shown as a percentage (``92,3%`` / ``92.3%``)."""
    value = _finite(value)
    if value is None:
        return "–"
    return with_percent(format_number(value * 100, lang, decimals), lang)


def format_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    """``31-03-2026`` (nl) or ``2026-03-31`` (en): see ``date_pattern``."""
    if value is None:
        return "–"
    day = value.date() if isinstance(value, datetime) else value
    return str(_date_pattern(date_pattern(lang)).apply(day, babel_locale(lang)))


@cache
def _date_pattern(pattern: str) -> DateTimePattern:
    return parse_date_pattern(pattern)


_PERIOD = re.compile(
    r"(?P<fy>FY)?(?P<year>\d{4})(?:/(?P<yy>\d{2}))?"
    r"(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|W(?P<week>\d{2})))?"
)


def format_period(label: str, lang: str = DEFAULT_LANG) -> str:
    """A period label as people write it: ``2025-12`` → "dec 2025" / "Dec 2025",
    ``2025-Q4`` → "K4 2025" / "Q4 2025", ``2026-W09`` → "week 9 2026", ``FY2026/27`` →
    "boekjaar 2026/27" / "FY2026/27". A label of another shape is returned as it is.

    Month and quarter names come from CLDR; the words for a fiscal year and a week from the
    catalogue. Machine-readable outputs (CSV, JSON) keep the ISO labels; this is for people.
    """
    match = _PERIOD.fullmatch(label)
    if match is None:
        return label
    year = match["year"]
    if match["fy"]:
        year = t("period.fiscal_year", lang, start=year, end=match["yy"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return label
        return f"{short_months(lang)[month - 1]} {year}"
    if match["quarter"]:
        return f"{quarter_name(int(match['quarter']), lang)} {year}"
    if match["week"]:
        return t("period.week", lang, week=int(match["week"]), year=year)
    return year


def format_points(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A difference between two percentages in percentage points: ``0.1`` → "0,1 procentpunt"
    (nl) / "0.1 percentage points" (en). The catalogue has a form for exactly one, for less
    than one and for more: Dutch keeps "procentpunt" up to 1 ("1,5 procentpunt" reads oddly
    as a plural only past one); English says "point" only for exactly 1."""
    value = _finite(value)
    if value is None:
        return "–"
    number = format_number(value, lang, decimals)
    size = abs(float(_round_half_up(abs(value), decimals)))
    form = "one" if size == 1 else "fraction" if size < 1 else "other"
    return t(f"words.points.{form}", lang, number=number)


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
