"""Reading values people typed as text: numbers in Dutch or English notation, dates and periods.

Spreadsheets from the real world hold ``€ 1.234,56``, ``1,234.56``, ``12%``, ``(1.234)``,
``1.234,-``, ``#DIV/0!``, ``31-03-2026``, ``mrt 2026``, ``2026-Q1``, ``week 9 2026`` and Excel
day serials. This module turns such cells into float64 and datetime64[ns] columns and says,
per column, how many values it read, which ones it could not read (up to five examples with
the row number the user sees in the spreadsheet) and how many were Excel error values.

Conventions (each a decision a user can see in the parse report):
- The notation (``nl``: ``.`` thousands, ``,`` decimals; ``en``: the reverse) holds for a
  whole column. ``detect_notation`` votes with the values that only fit one notation;
  ``1.234`` fits both and then the default (Dutch) decides. A caller can override it.
- ``12%`` is 0.12, as Excel stores a percentage, so a text column and a typed percentage
  column of the same data agree.
- A lone dash (``-``, ``–``, ``€ -``) is zero, as Excel's accounting format shows zero.
- ``(1.234)`` and a trailing minus (``1.234-``) are negative; ``1.234,-`` is a whole amount.
- Excel error values (``#DIV/0!``, ``#N/A``… and their Dutch forms ``#DEEL/0!``, ``#N/B``…)
  become empty and are counted apart from values that could not be read.
- Dates are day first (``03-04-2026`` is 3 April) unless a value in the column can only be
  month first (``04-13-2026``). Two-digit years follow Excel: 00–29 → 2000s, 30–99 → 1900s.
- A period (``mrt 2026``, ``2026-Q1``, ``week 9 2026``, ``2026``) stands for its first day
  (ISO weeks start on Monday).
- Numbers in a date column are Excel day serials (1900 or 1904 system); whole numbers from
  1900 to 2100 in such a column are years when every number in it is one.

Only ``ParseError`` (a ``KoersError``) ever leaves the scalar parsers; the column parsers
never raise on bad values, they count them.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from kpilogic.errors import ParseError
from kpilogic.scorecard.schema_types import ColumnKind

Notation = Literal["nl", "en"]
DateSystem = Literal[1900, 1904]
Grain = Literal["day", "week", "month", "quarter", "year"]
ValueKind = Literal["number", "date"]

NOTATIONS: tuple[Notation, ...] = ("nl", "en")
MAX_EXAMPLES = 5
MAX_TEXT = 100  # longer text is never a number or a date; keeps regexes cheap

EXCEL_ERRORS: frozenset[str] = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        # Dutch Excel shows the same errors under these names.
        "#DEEL/0!",
        "#N/B",
        "#WAARDE!",
        "#VERW!",
        "#NAAM?",
        "#GETAL!",
        "#LEEG!",
    }
)

# Words in a column's name that say it holds dates or periods, in English and Dutch: the one
# list (``is_date_name``) that both typing a column and choosing the date column use.
DATE_NAME_HINTS: tuple[str, ...] = (
    "date",
    "datum",
    "dag",
    "day",
    "period",
    "maand",
    "month",
    "week",
    "kwartaal",
    "quarter",
    "jaar",
    "year",
    "time",
    "tijd",
)

# -- numbers ---------------------------------------------------------------------------------

_SPACE_CHARS = " \u00a0\u202f\u2007\u2009\t"
_MINUS_CHARS = "-\u2212\u2013"  # hyphen, minus sign, en dash (Word turns - into –)
_DASH_ONLY = frozenset({"-", "\u2212", "\u2013", "\u2014", "--"})
_CURRENCY = re.compile(r"^(?:€|\$|£|¥|eur|usd|gbp|chf)\.?", re.IGNORECASE)
_CURRENCY_END = re.compile(r"(?:€|\$|£|¥|eur|usd|gbp|chf)$", re.IGNORECASE)
_SPACED_GROUPS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2007\u2009]\d{3})+(?:[.,]\d+)?")
_BODY = {
    "nl": re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|,\d+"),
    "en": re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d{1,3})?|\.\d+"),
}
_LEADING_ZERO = re.compile(r"0\d")


@dataclass(frozen=True)
class _Number:
    """A number's text split into its parts: sign, digits-and-separators, percent."""

    negative: bool
    body: str
    percent: bool
    dash: bool = False


def _strip_sign(text: str) -> tuple[bool, str]:
    if text[:1] and text[0] in _MINUS_CHARS:
        return True, text[1:].strip(_SPACE_CHARS)
    if text[:1] == "+":
        return False, text[1:].strip(_SPACE_CHARS)
    return False, text


@functools.lru_cache(maxsize=1 << 16)  # columns repeat their values; _Number is frozen
def _split_number(text: str) -> _Number | None:
    """The parts of a number written as text, or None when it cannot be one."""
    s = text.strip(_SPACE_CHARS + "\r\n")
    if not s or len(s) > MAX_TEXT:
        return None
    if s in _DASH_ONLY:
        return _Number(False, "0", False, dash=True)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip(_SPACE_CHARS)
    sign, s = _strip_sign(s)
    if m := _CURRENCY.match(s):
        s = s[m.end() :].strip(_SPACE_CHARS)
        if s in _DASH_ONLY:
            return _Number(False, "0", False, dash=True)
        if not sign:
            sign, s = _strip_sign(s)
    if m := _CURRENCY_END.search(s):
        s = s[: m.start()].strip(_SPACE_CHARS)
    if s in _DASH_ONLY or s == "":
        # "€ -" is the accounting format's zero; a bare currency symbol is no number.
        return _Number(False, "0", False, dash=True) if s else None
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip(_SPACE_CHARS)
    if s.endswith((",-", ",--")):
        s = s[: s.index(",")]
    elif s[-1:] in _MINUS_CHARS and not sign:
        # SAP and some ledgers put the minus sign after the amount.
        sign, s = True, s[:-1].strip(_SPACE_CHARS)
    if _SPACED_GROUPS.fullmatch(s):
        s = "".join(ch for ch in s if ch not in _SPACE_CHARS)
    if not s or any(ch in _SPACE_CHARS for ch in s):
        return None
    return _Number(negative != sign, s, percent)


def _body_value(body: str, notation: Notation) -> float | None:
    if not _BODY[notation].fullmatch(body):
        return None
    plain = body.replace(".", "").replace(",", ".") if notation == "nl" else body.replace(",", "")
    value = float(plain)
    return value if math.isfinite(value) else None


def _number_value(parts: _Number, notation: Notation) -> float | None:
    value = _body_value(parts.body, notation)
    if value is None:
        return None
    if parts.percent:
        value /= 100
    return -value if parts.negative and value else value


@functools.lru_cache(maxsize=1 << 16)
def numeric_text(text: str) -> bool:
    """Whether ``text`` reads as a number in either notation."""
    parts = _split_number(text)
    return parts is not None and any(_BODY[n].fullmatch(parts.body) for n in NOTATIONS)


def is_excel_error(value: object) -> bool:
    """Whether ``value`` is an Excel error value such as ``#DIV/0!`` or ``#N/B``."""
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


def _check_notation(notation: str) -> Notation:
    if notation == "nl":
        return "nl"
    if notation == "en":
        return "en"
    raise ParseError("error.parse.notation", notation=str(notation))


def parse_number(text: str, notation: Notation = "nl") -> float:
    """The number written in ``text``: ``€ 1.234,56`` (nl) or ``$1,234.56`` (en) and the like.

    Raises:
        ParseError: ``error.parse.number`` when ``text`` is no number in ``notation``,
            ``error.parse.notation`` for a notation other than ``nl`` or ``en``.
    """
    notation = _check_notation(notation)
    if not isinstance(text, str):
        raise ParseError("error.parse.number", value=repr(text)[:40])
    parts = _split_number(text)
    value = None if parts is None else _number_value(parts, notation)
    if value is None:
        raise ParseError("error.parse.number", value=text.strip()[:40])
    return value


def _notation_vote(text: str) -> Notation | None:
    parts = _split_number(text)
    if parts is None or parts.dash:
        return None
    fits = [n for n in NOTATIONS if _BODY[n].fullmatch(parts.body)]
    return fits[0] if len(fits) == 1 else None


def detect_notation(values: Sequence[Any] | pd.Series, default: Notation = "nl") -> Notation:
    """The notation of the numbers written as text in ``values``.

    Each text value that fits only one notation (``12,5`` only Dutch, ``1,234.5`` only
    English) votes; the majority wins, a tie or no vote at all gives ``default``. Values that
    are already numbers do not vote.
    """
    # Columns repeat their values: each distinct text is read once and votes as often as it
    # occurs.
    if isinstance(values, pd.Series) and _is_text_dtype(values):
        found = values.dropna().value_counts(sort=False)
        return detect_notation_counts(found.index.tolist(), found.to_numpy().tolist(), default)
    counts = Counter(v for v in values if isinstance(v, str))
    return detect_notation_counts(list(counts), list(counts.values()), default)


_BULK_VOTES = 1_000  # above this many distinct texts, plain numbers vote in bulk


def _plain_votes(
    texts: Sequence[str], times: Sequence[int], votes: dict[str, int]
) -> tuple[list[str], list[int]]:
    """Count the votes of plain numbers (12.5 only English, 12,5 only Dutch; 1.234, 1,234
    and 12 both, so no vote) into ``votes``; return the texts left to read one by one."""
    series = pd.Series(list(texts), dtype=_TEXT)
    count = np.asarray(times, dtype=np.int64)

    def match(pattern: str) -> np.ndarray:
        return np.asarray(series.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False))

    short = np.asarray((series.str.len() <= MAX_TEXT).to_numpy(dtype=bool, na_value=False))
    whole = match(r"-?[0-9]+") & short
    dot = match(r"-?[0-9]+\.[0-9]+") & short
    comma = match(r"-?[0-9]+,[0-9]+") & short
    votes["en"] += int(count[dot & ~match(r"-?[0-9]{1,3}\.[0-9]{3}")].sum())
    votes["nl"] += int(count[comma & ~match(r"-?[0-9]{1,3},[0-9]{3}")].sum())
    rest = ~(whole | dot | comma)
    return [t for t, r in zip(texts, rest.tolist(), strict=True) if r], count[rest].tolist()


def detect_notation_counts(
    texts: Sequence[str], times: Sequence[int], default: Notation = "nl"
) -> Notation:
    """``detect_notation`` for distinct ``texts`` that occur ``times`` times each."""
    votes = {"nl": 0, "en": 0}
    if len(texts) > _BULK_VOTES:
        texts, times = _plain_votes(texts, times, votes)
    for value, count in zip(texts, times, strict=True):
        vote = _notation_vote(value) if isinstance(value, str) else None
        if vote is not None:
            votes[vote] += int(count)
    if votes["nl"] == votes["en"]:
        return default
    return "nl" if votes["nl"] > votes["en"] else "en"


# -- dates and periods -----------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("jan", "januari", "january"),
        ("feb", "febr", "februari", "february"),
        ("mrt", "maa", "maart", "mar", "march"),
        ("apr", "april"),
        ("mei", "may"),
        ("jun", "juni", "june"),
        ("jul", "juli", "july"),
        ("aug", "augustus", "august"),
        ("sep", "sept", "september"),
        ("okt", "oktober", "oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[ t](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"

_RE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_RE_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})" + _TIME)
_RE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_RE_WEEK = (
    re.compile(r"(\d{4})[- ]?w(?:k|eek)?[- ]?(\d{1,2})"),
    re.compile(r"(?:week|wk|w)[ .-]?(\d{1,2})(?:[ ,/-]+(\d{4}))?", re.ASCII),
)
_RE_QUARTER = (
    re.compile(r"(\d{4})[- ]?(?:q|k|kw)([1-4])"),
    re.compile(r"(?:q|k|kw|kwartaal|quarter)[ ]?([1-4])(?:[ ,/-]+(\d{4}|'?\d{2}))?"),
)
_RE_MONTH_NUM = (re.compile(r"(\d{4})[-/](\d{1,2})"), re.compile(r"(\d{1,2})[-/](\d{4})"))
_RE_DAY_NAME = (
    re.compile(r"(\d{1,2})[ -]" + _MONTH + r"[ -](\d{4})"),
    re.compile(_MONTH + r" (\d{1,2}),? (\d{4})"),
)
_RE_MONTH_NAME = (
    re.compile(_MONTH + r"[ -]?(\d{4})"),
    re.compile(_MONTH + r"[ -]'?(\d{2})"),
    re.compile(r"(\d{4})[ -]" + _MONTH),
    re.compile(_MONTH),
)
_RE_YEAR = re.compile(r"(?:fy|jaar |year )?(\d{4})")
_RE_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")

_MIN_STAMP = datetime(1677, 9, 23)  # the datetime64[ns] window, a day inside each end
_MAX_STAMP = datetime(2262, 4, 10)
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_MAX_SERIAL = 2958466  # 10000-01-01 in the 1900 system


@dataclass(frozen=True)
class PeriodStart:
    """A date or period read from text: its first day and how long it lasts (``grain``)."""

    start: datetime
    grain: Grain
    has_year: bool = True


def _year2(text: str) -> int:
    year = int(text.lstrip("'"))
    if len(text.lstrip("'")) == 2:
        return 2000 + year if year < 30 else 1900 + year
    return year


def _make(year: int, month: int, day: int, clock: Sequence[str | None] = ()) -> datetime | None:
    try:
        hour, minute, second = (int(v) if v else 0 for v in (*clock, None, None, None)[:3])
        moment = datetime(year, month, day, hour, minute, second)
    except (ValueError, OverflowError):
        return None
    return moment if _MIN_STAMP <= moment <= _MAX_STAMP else None


def _week_start(year: int, week: int) -> datetime | None:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return datetime(monday.year, monday.month, monday.day)


def _parse_period(text: str, dayfirst: bool, year: int | None) -> PeriodStart | None:
    """A date or period in ``text`` (already lower case and stripped), or None."""
    s = " ".join(text.split())
    if m := _RE_ISO.fullmatch(s):
        moment = _make(int(m[1]), int(m[2]), int(m[3]), m.groups()[3:])
        return PeriodStart(moment, "day") if moment else None
    if m := _RE_DMY.fullmatch(s):
        first, second = int(m[1]), int(m[2])
        day, month = (first, second) if dayfirst else (second, first)
        moment = _make(_year2(m[3]), month, day, m.groups()[3:])
        return PeriodStart(moment, "day") if moment else None
    if m := _RE_COMPACT.fullmatch(s):
        if 1900 <= int(m[1]) <= 2100:
            moment = _make(int(m[1]), int(m[2]), int(m[3]))
            return PeriodStart(moment, "day") if moment else None
        return None
    for pattern in _RE_DAY_NAME:
        if m := pattern.fullmatch(s):
            groups = m.groups()
            day_text, month_name = (
                (groups[0], groups[1]) if groups[0].isdigit() else (groups[1], groups[0])
            )
            moment = _make(int(groups[2]), _MONTHS[month_name], int(day_text))
            return PeriodStart(moment, "day") if moment else None
    if m := _RE_WEEK[0].fullmatch(s):
        start = _week_start(int(m[1]), int(m[2]))
        return PeriodStart(start, "week") if start else None
    if m := _RE_WEEK[1].fullmatch(s):
        wanted = int(m[2]) if m[2] else year
        start = _week_start(wanted, int(m[1])) if wanted else None
        return PeriodStart(start, "week", m[2] is not None) if start else None
    if m := _RE_QUARTER[0].fullmatch(s):
        start = _make(int(m[1]), 3 * int(m[2]) - 2, 1)
        return PeriodStart(start, "quarter") if start else None
    if m := _RE_QUARTER[1].fullmatch(s):
        wanted = _year2(m[2]) if m[2] else year
        start = _make(wanted, 3 * int(m[1]) - 2, 1) if wanted else None
        return PeriodStart(start, "quarter", m[2] is not None) if start else None
    for pattern in _RE_MONTH_NUM:
        if m := pattern.fullmatch(s):
            y, mo = (int(m[1]), int(m[2])) if len(m[1]) == 4 else (int(m[2]), int(m[1]))
            start = _make(y, mo, 1)
            return PeriodStart(start, "month") if start else None
    for index, pattern in enumerate(_RE_MONTH_NAME):
        if m := pattern.fullmatch(s):
            if index == 3:
                start = _make(year, _MONTHS[m[1]], 1) if year else None
                return PeriodStart(start, "month", False) if start else None
            month_name, year_text = (m[2], m[1]) if index == 2 else (m[1], m[2])
            start = _make(_year2(year_text), _MONTHS[month_name], 1)
            return PeriodStart(start, "month") if start else None
    if (m := _RE_YEAR.fullmatch(s)) and 1900 <= int(m[1]) <= 2100:
        return PeriodStart(datetime(int(m[1]), 1, 1), "year")
    return None


def parse_period_label(
    text: object, year: int | None = None, dayfirst: bool = True
) -> PeriodStart | None:
    """The date or period named by ``text`` (a column header, say), or None if it names none.

    ``year`` completes labels without one (``mrt``, ``Q1``, ``week 9``); without it they are
    None. A date or datetime cell is a day.
    """
    if isinstance(text, datetime | pd.Timestamp):
        moment = pd.Timestamp(text).to_pydatetime()
        return PeriodStart(moment, "day") if _MIN_STAMP <= moment <= _MAX_STAMP else None
    if isinstance(text, date):
        return PeriodStart(datetime(text.year, text.month, text.day), "day")
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return None
    if isinstance(text, float):
        if not text.is_integer():
            return None
        text = int(text)
    s = str(text).strip().lower()
    if not s or len(s) > MAX_TEXT:
        return None
    return _parse_period(s, dayfirst, year)


def parse_date(text: str, dayfirst: bool = True, year: int | None = None) -> datetime:
    """The date (or first day of the period) in ``text``: ``31-03-2026``, ``2026-03-31``,
    ``31 maart 2026``, ``March 2026``, ``mrt 2026``, ``2026-Q1``, ``Q1 2026``, ``week 9 2026``,
    ``2026-W09``, ``2026``.

    Raises:
        ParseError: ``error.parse.date`` when ``text`` names no date.
    """
    parsed = parse_period_label(text, year, dayfirst) if isinstance(text, str) else None
    if parsed is None:
        raise ParseError("error.parse.date", value=str(text).strip()[:40])
    return parsed.start


def excel_serial_to_datetime(serial: float, system: DateSystem = 1900) -> datetime:
    """The moment an Excel day serial stands for (the fraction is the time of day).

    The 1900 system counts from 1900-01-01 = 1 and keeps Excel's phantom 29 February 1900
    (serial 60), which has no date; the 1904 system (old Mac Excel) counts from
    1904-01-01 = 0.

    Raises:
        ParseError: ``error.parse.serial`` for a serial outside Excel's range or serial 60.
    """
    if (
        isinstance(serial, bool)
        or not isinstance(serial, int | float)
        or not math.isfinite(serial)
        or serial < 0
        or serial >= _MAX_SERIAL
    ):
        raise ParseError("error.parse.serial", value=str(serial)[:40])
    if system == 1904:
        epoch = _EPOCH_1904
    elif serial >= 61:
        epoch = _EPOCH_1900
    elif 1 <= serial < 60:
        epoch = _EPOCH_1900 + timedelta(days=1)
    else:
        raise ParseError("error.parse.serial", value=str(serial)[:40])
    moment = epoch + timedelta(days=float(serial))
    if not _MIN_STAMP <= moment <= _MAX_STAMP:
        raise ParseError("error.parse.serial", value=str(serial)[:40])
    # Serials carry floating-point noise in the time of day; round it to the second.
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _dayfirst_votes(values: Sequence[Any] | pd.Series) -> bool:
    if isinstance(values, pd.Series) and _is_text_dtype(values):
        found = values.dropna().value_counts(sort=False)
        return _dayfirst_counts(found.index.tolist(), found.to_numpy().tolist())
    counts = Counter(v for v in values if isinstance(v, str))
    return _dayfirst_counts(list(counts), list(counts.values()))


def _dayfirst_counts(texts: Sequence[Any], occurrences: Sequence[int]) -> bool:
    day, month = 0, 0
    for value, times in zip(texts, occurrences, strict=True):
        if not isinstance(value, str):
            continue
        if m := _RE_DMY.fullmatch(" ".join(value.lower().split())):
            first, second = int(m[1]), int(m[2])
            day += times * (first > 12 >= second)
            month += times * (second > 12 >= first)
    return not month > day


# -- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseFailure:
    """One value that could not be read, with its spreadsheet row (1-based)."""

    row: int
    value: str


@dataclass(frozen=True)
class ColumnParse:
    """What reading one column found.

    ``parsed`` values became numbers or dates, ``blank`` cells were empty, ``errors`` were
    Excel error values (``#DIV/0!``), ``failed`` could not be read (``examples`` shows up to
    five, with their spreadsheet row numbers; ``failed_rows`` lists the spreadsheet row of
    every one, so none is left out without being named). ``notation`` is the number notation
    used; ``other_notation`` counts the texts read in the other notation because they fit
    only that one (``1.234,5`` in a column of ``12.5``); ``dayfirst`` the date order used.
    """

    column: str
    kind: ValueKind
    parsed: int
    failed: int
    blank: int
    errors: int
    examples: tuple[ParseFailure, ...] = ()
    error_rows: tuple[int, ...] = ()
    notation: Notation | None = None
    dayfirst: bool | None = None
    failed_rows: tuple[int, ...] = ()
    other_notation: int = 0

    @property
    def total(self) -> int:
        """Number of cells in the column."""
        return self.parsed + self.failed + self.blank + self.errors

    @property
    def ok(self) -> bool:
        """Whether every filled cell was read."""
        return self.failed == 0 and self.errors == 0


@dataclass(frozen=True)
class ParseReport:
    """The ``ColumnParse`` of each column that was parsed, by column name.

    ``left_out`` names the sheet's rows the layout step did not read as data, by reason
    (``layout.LayoutGuess.left_out``), so the quality report lists them wherever the parse
    report goes.
    """

    columns: Mapping[str, ColumnParse] = field(default_factory=dict)
    left_out: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def failed(self) -> int:
        """Values that could not be read, over all columns."""
        return sum(c.failed for c in self.columns.values())

    @property
    def errors(self) -> int:
        """Excel error values, over all columns."""
        return sum(c.errors for c in self.columns.values())

    def get(self, column: str) -> ColumnParse | None:
        """The result for ``column``, or None if it was not parsed."""
        return self.columns.get(column)


@dataclass(frozen=True)
class ParsedTable:
    """A table with its number and date columns read, and what reading them found."""

    frame: pd.DataFrame
    report: ParseReport


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip(_SPACE_CHARS + "\r\n")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _row_numbers(n: int, rows: Sequence[int] | None, first_row: int) -> Sequence[int]:
    if rows is None:
        return range(first_row, first_row + n)
    if len(rows) != n:
        raise ParseError("error.parse.rows", expected=n, got=len(rows))
    return rows


class _Tally:
    """Counts and examples gathered while reading one column."""

    def __init__(self) -> None:
        self.parsed = self.failed = self.blank = self.errors = 0
        self.examples: list[ParseFailure] = []
        self.error_rows: list[int] = []
        self.failed_rows: list[int] = []
        self.other_notation = 0

    def fail(self, row: int, value: object) -> None:
        self.failed += 1
        self.failed_rows.append(row)
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(ParseFailure(row, _show(value)))

    def error(self, row: int) -> None:
        self.errors += 1
        if len(self.error_rows) < MAX_EXAMPLES:
            self.error_rows.append(row)

    def result(self, column: str, kind: ValueKind, **extra: Any) -> ColumnParse:
        return ColumnParse(
            column,
            kind,
            self.parsed,
            self.failed,
            self.blank,
            self.errors,
            tuple(self.examples),
            tuple(self.error_rows),
            failed_rows=tuple(self.failed_rows),
            other_notation=self.other_notation,
            **extra,
        )


def _show(value: object) -> str:
    if isinstance(value, datetime | pd.Timestamp):
        return pd.Timestamp(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


_PLAIN: dict[Notation, str] = {"nl": r"-?[0-9]+(?:,[0-9]+)?", "en": r"-?[0-9]+(?:\.[0-9]+)?"}


def parse_number_column(
    values: pd.Series,
    notation: Notation | None = None,
    *,
    rows: Sequence[int] | None = None,
    first_row: int = 2,
    default: Notation = "nl",
    mixed: bool | None = None,
) -> tuple[pd.Series, ColumnParse]:
    """``values`` as float64 and what reading them found.

    Numbers stay numbers, text is read in ``notation`` (detected with ``detect_notation``
    when None; then a text that fits only the other notation, ``1.234,5`` in a column of
    ``12.5``, is read in that one and counted in ``other_notation``; ``mixed`` says so
    for a given notation too), booleans and dates fail. ``rows`` gives each value's spreadsheet row
    number; by default the first value is on ``first_row`` (a header on row 1).

    Raises:
        ParseError: only for a ``rows`` of the wrong length or an unknown notation.
    """
    numbers = _row_numbers(len(values), rows, first_row)
    if values.dtype == "float64" and not bool(np.isinf(values.to_numpy()).any()):
        # Already numbers (a typed spreadsheet column; NaN is a blank): nothing to read one
        # by one, and no text to vote on the notation.
        used = default if notation is None else _check_notation(notation)
        blank = int(np.count_nonzero(np.isnan(values.to_numpy())))
        done = ColumnParse(
            str(values.name), "number", len(values) - blank, 0, blank, 0, notation=used
        )
        return values.astype("float64"), done
    either = notation is None if mixed is None else mixed
    used = detect_notation(values, default) if notation is None else _check_notation(notation)
    tally = _Tally()
    read: dict[str, tuple[float | None, bool]] = {}  # each distinct text is read once
    out = np.full(len(values), np.nan)
    todo = np.arange(len(values))
    if _is_text_dtype(values):
        # Plain numbers (12, -3,5 in Dutch; 12, -3.5 in English) are read in bulk; only
        # the other texts go through the reader below.
        plain = values.str.fullmatch(_PLAIN[used]).to_numpy(dtype=bool, na_value=False)
        plain = plain & (values.str.len() <= MAX_TEXT).to_numpy(dtype=bool, na_value=False)
        if plain.any():
            text = values[plain].str.replace(",", ".", regex=False)
            out[plain] = pd.to_numeric(text).to_numpy(dtype="float64") + 0.0  # no -0.0
            tally.parsed += int(plain.sum())
            todo = np.flatnonzero(~plain)
    cells = values.to_numpy(dtype=object)
    for i in todo.tolist():
        value, row = cells[i], numbers[i]
        if _is_blank(value):
            tally.blank += 1
        elif _is_number(value):
            number = float(value)
            if math.isfinite(number):
                out[i] = number
                tally.parsed += 1
            else:
                tally.fail(row, value)
        elif is_excel_error(value):
            tally.error(row)
        elif isinstance(value, str):
            if value in read:
                number_or_none, other = read[value]
            else:
                parts = _split_number(value)
                number_or_none = None if parts is None else _number_value(parts, used)
                other = False
                if number_or_none is None and parts is not None and either:
                    # Mixed notations in one column (``€ 40`` and ``1.234,5`` among ``12.5``):
                    # a text that fits only the other notation can mean nothing else. A
                    # notation the user chose is kept to the letter.
                    vote = _notation_vote(value)
                    if vote is not None and vote != used:
                        number_or_none = _number_value(parts, vote)
                        other = number_or_none is not None
                read[value] = (number_or_none, other)
            if number_or_none is None:
                tally.fail(row, value)
            else:
                out[i] = number_or_none
                tally.parsed += 1
                tally.other_notation += other
        else:
            tally.fail(row, value)
    series = pd.Series(out, index=values.index, name=values.name, dtype="float64")
    return series, tally.result(str(values.name), "number", notation=used)


def _all_years(values: pd.Series) -> bool:
    numbers = [float(v) for v in values if _is_number(v) and math.isfinite(float(v))]
    return bool(numbers) and all(n.is_integer() and 1900 <= n <= 2100 for n in numbers)


def parse_date_column(
    values: pd.Series,
    *,
    date_system: DateSystem = 1900,
    dayfirst: bool | None = None,
    year: int | None = None,
    rows: Sequence[int] | None = None,
    first_row: int = 2,
) -> tuple[pd.Series, ColumnParse]:
    """``values`` as datetime64[ns] and what reading them found.

    Dates stay dates; numbers are Excel serials in ``date_system`` (or years, when all are
    whole numbers from 1900 to 2100); text is read by ``parse_period_label`` (a period gives
    its first day), day first unless ``dayfirst`` says otherwise or the column can only be
    month first. ``year`` completes period labels without a year.

    Raises:
        ParseError: only for a ``rows`` of the wrong length.
    """
    numbers = _row_numbers(len(values), rows, first_row)
    if (
        pd.api.types.is_datetime64_any_dtype(values.dtype)
        and getattr(values.dtype, "tz", None) is None
    ):
        # Already dates (a typed spreadsheet column): nothing to read one by one.
        stamps = values.astype("datetime64[ns]")
        blank = int(stamps.isna().sum())
        order = True if dayfirst is None else dayfirst
        done = ColumnParse(
            str(values.name), "date", len(values) - blank, 0, blank, 0, dayfirst=order
        )
        return stamps, done
    order = _dayfirst_votes(values) if dayfirst is None else dayfirst
    is_text = _is_text_dtype(values)
    years = False if is_text else _all_years(values)
    tally = _Tally()
    read: dict[str, datetime | None] = {}  # each distinct text is read once
    moments = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.arange(len(values))
    if is_text:
        # Whole dates written the usual ways (2026-03-31; 31-03-2026, or 03-31-2026 in a
        # month-first column) are read in bulk; other texts go through the reader below.
        fast = np.zeros(len(values), dtype=bool)
        for pattern, fmt in (
            (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "%Y-%m-%d"),
            (r"[0-9]{2}-[0-9]{2}-[0-9]{4}", "%d-%m-%Y" if order else "%m-%d-%Y"),
        ):
            match = values.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)
            if not match.any():
                continue
            stamped = pd.to_datetime(values[match], format=fmt, errors="coerce")
            # Only dates inside datetime64[ns]'s window, as the reader below takes them.
            inside = (stamped >= _MIN_STAMP) & (stamped <= _MAX_STAMP)
            ok = inside.to_numpy(dtype=bool, na_value=False)
            at = np.flatnonzero(match)[ok]
            moments[at] = stamped[ok].to_numpy(dtype="datetime64[ns]")
            fast[at] = True
        tally.parsed += int(fast.sum())
        todo = np.flatnonzero(~fast)
    cells = values.to_numpy(dtype=object)
    out: list[datetime | None] = []
    for i in todo.tolist():
        value, row = cells[i], numbers[i]
        moment: datetime | None = None
        if _is_blank(value):
            tally.blank += 1
            out.append(None)
            continue
        if is_excel_error(value):
            tally.error(row)
            out.append(None)
            continue
        if isinstance(value, datetime | date | pd.Timestamp):
            found = parse_period_label(value)
            moment = found.start if found else None
        elif _is_number(value):
            number = float(value)
            if years:
                moment = datetime(int(number), 1, 1)
            else:
                try:
                    moment = excel_serial_to_datetime(number, date_system)
                except ParseError:
                    moment = None
        elif isinstance(value, str) and value in read:
            moment = read[value]
        elif isinstance(value, str):
            text = value.strip()
            if _RE_SERIAL_TEXT.fullmatch(text):
                try:
                    moment = excel_serial_to_datetime(float(text), date_system)
                except ParseError:
                    moment = None
            else:
                found = parse_period_label(text, year, order)
                moment = found.start if found else None
            read[value] = moment
        if moment is not None and not (_MIN_STAMP <= moment <= _MAX_STAMP):
            # A date Koers cannot hold (before 1677 or after 2262): named, never dropped.
            moment = None
        if moment is None:
            tally.fail(row, value)
        else:
            tally.parsed += 1
        out.append(moment)
    if len(todo):
        moments[todo] = pd.to_datetime(pd.Series(out, dtype=object)).to_numpy(
            dtype="datetime64[ns]"
        )
    series = pd.Series(moments, index=values.index, name=values.name)
    return series, tally.result(str(values.name), "date", dayfirst=order)


def _share_parsed(
    values: pd.Series, kind: ValueKind, default: Notation, serials: bool = True
) -> float:
    # Each distinct value is read once and weighs as often as it occurs; the notation and
    # the date order are voted on the whole column first, as the column parsers do.
    counts = Counter(v for v in values if not _is_blank(v) and not is_excel_error(v))
    if not counts:
        return 0.0
    distinct = pd.Series(list(counts), dtype=object)
    if kind == "number":
        numbers, _ = parse_number_column(distinct, detect_notation(values, default), mixed=True)
        read = numbers.notna().to_numpy()
    else:
        parsed, _ = parse_date_column(distinct, dayfirst=_dayfirst_votes(values))
        read = parsed.notna().to_numpy()
        if not serials:
            # Numbers are dates (Excel serials) only in a column whose name says date: an
            # amount column with one word in it is no date column.
            read = read & ~np.array([_is_number(v) for v in distinct], dtype=bool)
    weights = np.array(list(counts.values()))
    return float(weights[read].sum() / weights.sum())


def _is_text_dtype(values: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
        values.dtype
    )


# Above this many distinct values, a column's share of readable values is first estimated
# on a sample of its cells: a column far below the threshold is rejected without reading
# every distinct value (an order number column of a million rows). Only a sample within
# ``_SAMPLE_MARGIN`` of the threshold, or above it, is followed by the exact count; with
# 1,000 cells drawn, a column whose true share meets the threshold shows a sample share
# more than 0.15 below it with a probability under 1e-30 (11 standard deviations).
_TEXT = pd.StringDtype(na_value=np.nan)
_SAMPLE_ABOVE = 2_000
_SAMPLE_SIZE = 1_000
_SAMPLE_MARGIN = 0.15


def _float_kind(values: pd.Series, hinted: bool, threshold: float) -> ValueKind | None:
    """``infer_kinds`` for a float64 column, in numpy."""
    numbers = values.to_numpy(dtype="float64")
    present = numbers[~np.isnan(numbers)]
    if not len(present):
        return None
    whole = np.isfinite(present) & (np.mod(present, 1) == 0)
    in_range = ((present >= 20000) & (present <= 80000)) | ((present >= 1900) & (present <= 2100))
    if hinted and bool((whole & in_range).all()):
        return "date"
    share = float(np.isfinite(present).sum()) / len(present)
    return "number" if share >= threshold else None


def _text_kind(
    values: pd.Series, hinted: bool, threshold: float, default: Notation
) -> ValueKind | None:
    """``infer_kinds`` for a column of text (Arrow strings), a distinct value at a time;
    remembered for the Arrow column while it lives (see ``_KINDS_SEEN``)."""
    arrow = arrow_strings(values)
    key = (id(arrow), hinted, threshold, default)
    if arrow is not None:
        seen = _KINDS_SEEN.get(key)
        if seen is not None and seen[0]() is arrow:
            return seen[1]
    found = _read_text_kind(values, hinted, threshold, default)
    if arrow is not None:
        if len(_KINDS_SEEN) >= _KINDS_KEPT:
            _KINDS_SEEN.clear()
        _KINDS_SEEN[key] = (weakref.ref(arrow), found)
    return found


def _read_text_kind(
    values: pd.Series, hinted: bool, threshold: float, default: Notation
) -> ValueKind | None:
    if _mostly_no_value(values, threshold):
        return None
    texts = values.dropna()
    texts = texts[texts.str.strip(_SPACE_CHARS + "\r\n") != ""]
    if texts.empty:
        return None
    counts = texts.value_counts(sort=False)
    distinct = counts.index.to_numpy(dtype=object)
    times = counts.to_numpy()
    errors = _errors_of(distinct)
    distinct, times = distinct[~errors], times[~errors]
    if not len(distinct):
        return None
    plain_numbers = _all_numeric_text(distinct)
    if (hinted or not plain_numbers) and _text_share(
        distinct, times, "date", default, threshold
    ) >= threshold:
        return "date"
    if any(_LEADING_ZERO.match(str(v).strip()) for v in distinct if str(v).lstrip()[:1] == "0"):
        return None
    if _text_share(distinct, times, "number", default, threshold) >= threshold:
        return "number"
    return None


def _errors_of(distinct: np.ndarray) -> np.ndarray:
    """Which of the distinct texts are Excel error values (all of them hold a #)."""
    marked = pd.Series(distinct, dtype=object).str.contains("#", regex=False).to_numpy(dtype=bool)
    out = np.zeros(len(distinct), dtype=bool)
    out[marked] = [is_excel_error(v) for v in distinct[marked]]
    return out


def _all_numeric_text(distinct: np.ndarray) -> bool:
    # Plain numbers in either notation are numbers without asking; the rest is read one by
    # one, stopping at the first that is no number (an order number on its first row).
    texts = pd.Series(distinct, dtype=_TEXT)
    plain = texts.str.fullmatch(_PLAIN["nl"]) | texts.str.fullmatch(_PLAIN["en"])
    plain &= texts.str.len() <= MAX_TEXT
    rest = distinct[~plain.to_numpy(dtype=bool, na_value=False)]
    return all(numeric_text(str(v)) for v in rest)


def _text_share(
    distinct: np.ndarray,
    times: np.ndarray,
    kind: ValueKind,
    default: Notation,
    threshold: float,
) -> float:
    """The share (by occurrence) of the values that read as ``kind``; see ``_SAMPLE_ABOVE``."""
    if len(distinct) > _SAMPLE_ABOVE:
        rng = np.random.default_rng(20261127)
        picks = rng.choice(len(distinct), size=_SAMPLE_SIZE, p=times / times.sum())
        sample_codes, sample_at = np.unique(picks, return_counts=True)
        estimate = _read_share(distinct[sample_codes], sample_at, kind, default)
        if estimate < threshold - _SAMPLE_MARGIN:
            return estimate
    return _read_share(distinct, times, kind, default)


def _read_share(
    distinct: np.ndarray, times: np.ndarray, kind: ValueKind, default: Notation
) -> float:
    values = pd.Series(distinct, dtype=_TEXT)  # text, so the column readers work in bulk
    if kind == "number":
        numbers, _ = parse_number_column(
            values, detect_notation_counts(list(distinct), times.tolist(), default), mixed=True
        )
        read = numbers.notna().to_numpy()
    else:
        parsed, _ = parse_date_column(
            values, dayfirst=_dayfirst_counts(list(distinct), times.tolist())
        )
        read = parsed.notna().to_numpy()
    weights = np.asarray(times, dtype="float64")
    return float(weights[read].sum() / weights.sum())


def infer_kinds(
    df: pd.DataFrame, threshold: float = 0.8, default: Notation = "nl"
) -> dict[str, ValueKind]:
    """Which columns of ``df`` hold numbers and which dates (others are left out).

    A column is a date column when it holds dates, or when at least ``threshold`` of its
    filled cells (Excel errors aside) read as dates and they are not plain numbers, or its
    name says date (Datum, Maand, Week…) and its numbers look like Excel serials or years.
    It is a number column when at least ``threshold`` of them read as numbers and it has no
    codes with leading zeros (postal codes, article numbers).
    """
    kinds: dict[str, ValueKind] = {}
    for column in df.columns:
        values = df[column]
        hinted = is_date_name(column)
        if pd.api.types.is_bool_dtype(values.dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            kinds[str(column)] = "date"
            continue
        fast: ValueKind | None
        if values.dtype == "float64":
            fast = _float_kind(values, hinted, threshold)
            if fast is not None:
                kinds[str(column)] = fast
            continue
        if _is_text_dtype(values):
            fast = _text_kind(values, hinted, threshold, default)
            if fast is not None:
                kinds[str(column)] = fast
            continue
        present = [v for v in values if not _is_blank(v) and not is_excel_error(v)]
        if not present:
            continue
        numeric = [v for v in present if _is_number(v)]
        texts = [v for v in present if isinstance(v, str)]
        if all(isinstance(v, datetime | date | pd.Timestamp) for v in present):
            kinds[str(column)] = "date"
            continue
        looks_serial = bool(numeric) and all(
            float(v).is_integer() and (20000 <= float(v) <= 80000 or 1900 <= float(v) <= 2100)
            for v in numeric
        )
        if hinted and len(numeric) == len(present) and looks_serial:
            kinds[str(column)] = "date"
            continue
        plain_numbers = all(numeric_text(v) for v in texts)
        if (
            texts
            and (hinted or not plain_numbers)
            and _share_parsed(values, "date", default, serials=hinted) >= threshold
        ):
            kinds[str(column)] = "date"
            continue
        if any(_LEADING_ZERO.match(v.strip()) for v in texts):
            continue
        if _share_parsed(values, "number", default) >= threshold:
            kinds[str(column)] = "number"
    return kinds


def parse_table(
    df: pd.DataFrame,
    kinds: Mapping[str, ValueKind] | None = None,
    *,
    notation: Notation | Mapping[str, Notation] | None = None,
    rows: Sequence[int] | None = None,
    first_row: int = 2,
    date_system: DateSystem = 1900,
    dayfirst: bool | None = None,
    year: int | None = None,
    default: Notation = "nl",
) -> ParsedTable:
    """``df`` with its number and date columns read (``kinds``; inferred when None).

    ``notation`` fixes the number notation for all columns or per column name; ``rows``
    gives the spreadsheet row number of each row of ``df`` (default: ``first_row`` onward).
    Columns not in ``kinds`` are left as they are.

    Raises:
        ParseError: only for a ``rows`` of the wrong length or an unknown notation.
    """
    chosen = infer_kinds(df, default=default) if kinds is None else dict(kinds)
    numbers = _row_numbers(len(df), rows, first_row)  # a range, or ``rows``: no list of them
    out = df.copy(deep=False)  # copy-on-write: a column set below never changes ``df``
    report: dict[str, ColumnParse] = {}
    for column, kind in chosen.items():
        if column not in out.columns:
            continue
        if kind == "number":
            wanted = notation.get(column) if isinstance(notation, Mapping) else notation
            series, result = parse_number_column(out[column], wanted, rows=numbers, default=default)
        else:
            series, result = parse_date_column(
                out[column], date_system=date_system, dayfirst=dayfirst, year=year, rows=numbers
            )
        out[column] = series
        report[column] = result
    return ParsedTable(out, ParseReport(report))


# -- column kinds: the one place that decides what a column holds ---------------------------

COLUMN_KINDS: tuple[ColumnKind, ...] = ("date", "number", "category", "text")


def is_date_name(name: object) -> bool:
    """Whether a column's name says it holds dates or periods (Datum, Order Date, Maand,
    Week, Year…): one of ``DATE_NAME_HINTS`` is in it, in any case."""
    folded = str(name).casefold()
    return any(hint in folded for hint in DATE_NAME_HINTS)


def _is_category(values: pd.Series) -> bool:
    """Few distinct short values that repeat (Region, Segment), as opposed to free text."""
    arrow = arrow_strings(values)
    if arrow is not None:
        return _is_category_arrow(arrow)
    present = values.dropna().astype(_TEXT).str.strip()
    present = present[present != ""]
    if present.empty:
        return False
    distinct, n = present.nunique(), len(present)
    # In a short table any repetition counts; in a longer one most values must repeat.
    repeats = distinct < n if n < 10 else distinct <= 0.5 * n
    return bool(distinct <= 50 and repeats and present.str.len().mean() <= 60)


def _dtype_kind(values: pd.Series) -> ColumnKind | None:
    """The kind of a column that is already typed, or None for text and mixed cells."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "category"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    return None


def profile_columns(
    df: pd.DataFrame, threshold: float = 0.8, default: Notation = "nl"
) -> dict[str, ColumnKind]:
    """The kind of every column of ``df`` (``date``, ``number``, ``category`` or ``text``), in
    column order.

    A typed column keeps its type's kind (dates → date, numbers → number, booleans →
    category): reading (``parse_table``) decided it and reported what it left out. Any
    other column is a date or number column when ``infer_kinds`` says so (the rule, the
    threshold and the date-name hints ``parse_table`` uses), else a category when few short
    values repeat, else text.
    """
    typed = {str(c): _dtype_kind(df[c]) for c in df.columns}
    untyped = [c for c in df.columns if typed[str(c)] is None]
    inferred = infer_kinds(df[untyped], threshold, default) if untyped else {}
    kinds: dict[str, ColumnKind] = {}
    for column in df.columns:
        name = str(column)
        found = typed[name] or inferred.get(name)
        kinds[name] = found or ("category" if _is_category(df[column]) else "text")
    return kinds


def profile_column(values: pd.Series) -> ColumnKind:
    """What one column holds (see ``profile_columns``)."""
    return profile_columns(values.to_frame(name=str(values.name)))[str(values.name)]


def cell_text(value: Any) -> str:
    """A cell as text, as a user would type it: 12 not 12.0, dates in ISO form."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _as_text(values: pd.Series) -> pd.Series:
    if _is_text_dtype(values):
        return values.astype(_TEXT)
    texts = [
        None if _is_blank(v) or (not isinstance(v, str) and bool(pd.isna(v))) else cell_text(v)
        for v in values.to_numpy(dtype=object)
    ]
    return pd.Series(texts, index=values.index, name=values.name, dtype=_TEXT)


def type_table(
    df: pd.DataFrame,
    kinds: Mapping[str, ColumnKind],
    *,
    notation: Notation | Mapping[str, Notation] | None = None,
    rows: Sequence[int] | None = None,
    first_row: int = 2,
    date_system: DateSystem = 1900,
    default: Notation = "nl",
) -> ParsedTable:
    """``df`` with each column in ``kinds`` converted to its kind, and what reading found.

    Date and number columns are read by ``parse_table`` with these kinds given, so a column
    a user set by hand is read and reported (every value left out named with its
    spreadsheet row, Excel errors apart, the notation and date order used) exactly as a
    column Koers recognised itself. A column that is already of its kind is kept as it is
    (its report says so). Category and text columns become text (``cell_text``). Columns
    not in ``kinds`` are left as they are; ``df`` is not changed.

    Raises:
        ParseError: only for a ``rows`` of the wrong length or an unknown notation.
    """
    values: dict[str, ValueKind] = {
        column: "date" if kind == "date" else "number"
        for column, kind in kinds.items()
        if kind in ("date", "number")
    }
    parsed = parse_table(
        df,
        values,
        notation=notation,
        rows=rows,
        first_row=first_row,
        date_system=date_system,
        default=default,
    )
    out = parsed.frame
    for column in kinds:
        if column in out.columns and column not in values:
            out[column] = _as_text(out[column])
    return ParsedTable(out, parsed.report)


def apply_kinds(
    df: pd.DataFrame,
    kinds: Mapping[str, ColumnKind],
    *,
    notation: Notation | Mapping[str, Notation] | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` with each column in ``kinds`` converted to its kind: the frame of
    ``type_table`` (date → datetime64[ns], number → float64, category and text → str; a
    value that does not convert becomes empty and is in ``type_table``'s report)."""
    return type_table(df, kinds, notation=notation).frame


def guess_date_column(
    df: pd.DataFrame, kinds: Mapping[str, ColumnKind] | None = None
) -> str | None:
    """The column most likely to hold each row's date, or None if no column holds dates.

    Among the date columns, one whose name says it is a date (``is_date_name``: Date,
    Datum, Month, Week…) wins over one that does not, then the most complete one, then the
    leftmost (Order Date before Ship Date).
    """
    kinds = profile_columns(df) if kinds is None else kinds
    best: tuple[bool, float, int] | None = None
    choice: str | None = None
    for position, column in enumerate(df.columns):
        name = str(column)
        if kinds.get(name) != "date":
            continue
        filled = float(df[column].notna().mean()) if len(df) else 0.0
        score = (is_date_name(name), filled, -position)
        if best is None or score > best:
            best, choice = score, name
    return choice


# -- a text column's kind, once per column (issue 19) ----------------------------------------

# The kind ``_text_kind`` found for an Arrow text column, by the column's identity: a table
# read on upload is profiled again by ``typed_table`` (and by the pages), and its text
# columns are the very Arrow arrays (pandas keeps them through copies and selections). An
# entry holds a weak reference and counts only while it points at the same live array, so
# a new array at a reused address is never taken for the old one; Arrow data never changes.
_KINDS_SEEN: dict[tuple[int, bool, float, str], tuple[Any, ValueKind | None]] = {}
_KINDS_KEPT = 4096


def arrow_strings(values: pd.Series) -> Any:
    """The Arrow array behind a pandas text column on Arrow, or None."""
    array = values.array
    if not hasattr(array, "__arrow_array__") or not _is_text_dtype(values):
        return None
    try:
        arrow = array.__arrow_array__()
    except (TypeError, ValueError):
        return None
    return arrow if hasattr(arrow, "num_chunks") else None


def _is_category_arrow(arrow: Any) -> bool:
    """``_is_category`` of an Arrow text column, a distinct value at a time (pandas strips
    and measures Arrow strings with these very kernels)."""
    import pyarrow.compute as pac

    present = arrow.drop_null()
    # More than 50 distinct texts among the first cells already means more than 50 in all
    # (an order number column): no category, without counting a million texts.
    head = pac.utf8_trim_whitespace(present.slice(0, 1_000))
    if int(pac.count_distinct(head.filter(pac.not_equal(head, ""))).as_py()) > 50:
        return False
    found = text_counts(arrow)
    texts = pac.utf8_trim_whitespace(found.field("values"))
    kept = pac.not_equal(texts, "")
    texts, times = texts.filter(kept), found.field("counts").filter(kept)
    n = int(pac.sum(times).as_py() or 0)
    if not n:
        return False
    distinct = int(pac.count_distinct(texts).as_py())
    repeats = distinct < n if n < 10 else distinct <= 0.5 * n
    if not (distinct <= 50 and repeats):
        return False
    length = int(pac.sum(pac.multiply(pac.utf8_length(texts), times)).as_py() or 0)
    return length / n <= 60


# -- text that can be no number and no date (issue 19) ----------------------------------------

# The letters a number or a date written as text can hold, as whole runs of letters (lower
# case): the currency words and the exponent of a number (``_CURRENCY``, ``_BODY``), month
# names, the time after a date (``2026-03-31t10:00``), week, quarter and year words
# (``_RE_WEEK``, ``_RE_QUARTER``, ``_RE_YEAR``). Text with another run of letters (``SO`` in
# ``SO-0001``, ``Noord``) is neither.
_VALUE_WORDS: frozenset[str] = frozenset(
    {
        *_MONTHS,
        *("eur", "usd", "gbp", "chf", "e"),
        *("t", "w", "wk", "week", "q", "k", "kw", "kwartaal", "quarter", "fy", "jaar", "year"),
    }
)
# Every number holds a digit or a dash (a lone dash is zero); every date a digit (a month
# name alone needs a year, which a column's cells are read without); Excel error values
# hold a #. Python's \d is any Unicode decimal digit: RE2's \p{Nd}.
_DIGIT_DASH_HASH = "[\\p{Nd}#\\-\u2212\u2013\u2014]"


def _mostly_no_value(values: pd.Series, threshold: float) -> bool:
    """Whether so many filled cells of the text column ``values`` can be neither a number
    nor a date that less than ``threshold`` of them can be either, whatever the notation
    and date order: ``_text_kind`` then finds no kind, without reading a value. Certainly
    no value: a cell without a digit, dash or # (below), or a plain-ASCII cell without #
    holding a run of letters that is none of ``_VALUE_WORDS``. The share is taken of all
    filled cells, Excel errors included, so it is never above the one ``_text_kind``
    reads, which leaves the errors out; 0.05 to spare."""
    import pyarrow as pa
    import pyarrow.compute as pac

    arrow = texts_of = arrow_strings(values)
    if arrow is None:
        try:
            arrow = pa.array(values.array)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return False
    texts = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    if not pa.types.is_string(texts.type) and not pa.types.is_large_string(texts.type):
        return False
    present = texts.drop_null()
    if len(present) > _PREFIX_ABOVE and many_texts(present):
        # The first cells alone may settle it (a column of order numbers): their certain
        # cells are a part of the column's, and the share needed is at most that of all
        # cells that are not null; a match here is a match for the whole column.
        part = present.slice(0, int(len(present) * _PREFIX_SHARE))
        if _certain_cells(part) > (1.0 - threshold + 0.05) * len(present):
            return True
    # Each distinct text once, weighed by how often it occurs (a column of a few texts
    # comes here first: counting them is quicker than judging a third of its cells, and
    # the category test and the fast read's totals check use the same counts).
    found = text_counts(arrow) if arrow is texts_of else pac.value_counts(present)
    distinct, times = found.field("values"), found.field("counts")
    filled = pac.not_equal(pac.utf8_trim(distinct, _SPACE_CHARS + "\r\n"), "")
    distinct, times = distinct.filter(filled), times.filter(filled)
    total = int(pac.sum(times).as_py() or 0)
    if not total:
        return False
    needed = (1.0 - threshold + 0.05) * total

    def weight(mask: Any) -> int:
        return int(pac.sum(times.filter(mask)).as_py() or 0)

    maybe = pac.match_substring_regex(distinct, _DIGIT_DASH_HASH)
    certain = total - weight(maybe)
    if certain > needed:
        return True
    rest = pac.and_(
        maybe,
        pac.and_(pac.string_is_ascii(distinct), pac.invert(pac.match_substring(distinct, "#"))),
    )
    if certain + weight(rest) <= needed:
        return False
    odd = pac.match_substring_regex(pac.ascii_lower(distinct), _odd_word_pattern())
    return certain + weight(pac.and_(rest, odd)) > needed


def many_texts(present: Any) -> bool:
    """Whether the first 1,000 of the Arrow texts ``present`` hold more than 50 distinct
    values (an order number column, not a handful of regions)."""
    import pyarrow.compute as pac

    return int(pac.count_distinct(present.slice(0, 1_000)).as_py()) > 50


# ``text_counts`` of an Arrow text column, by the column's identity while it lives (as
# ``_KINDS_SEEN``); an entry goes when its column does.
_COUNTS_SEEN: dict[int, tuple[Any, Any]] = {}


def text_counts(arrow: Any) -> Any:
    """``pyarrow.compute.value_counts`` of the cells of the Arrow text column ``arrow``
    that are not null (values and counts, each distinct text once), remembered for
    ``arrow`` while it lives: the fast read's totals check (``fastread._plain_facts``),
    ``_mostly_no_value`` and ``_is_category_arrow`` all count the same column."""
    import pyarrow.compute as pac

    key = id(arrow)
    seen = _COUNTS_SEEN.get(key)
    if seen is not None and seen[0]() is arrow:
        return seen[1]
    found = pac.value_counts(arrow.drop_null() if arrow.null_count else arrow)

    def forget(ref: Any) -> None:
        if _COUNTS_SEEN.get(key, (None,))[0] is ref:
            _COUNTS_SEEN.pop(key, None)

    with contextlib.suppress(TypeError):  # no weak reference to it: not remembered
        _COUNTS_SEEN[key] = (weakref.ref(arrow, forget), found)
    return found


_PREFIX_ABOVE = 2_000  # cells: a longer column is first judged on its first cells
_PREFIX_SHARE = 0.3  # of its cells: more than the 25% a column needs to be settled


def _certain_cells(texts: Any) -> int:
    """How many of ``texts`` (Arrow strings, no nulls) are filled and certainly no number
    and no date (see ``_mostly_no_value``), every cell counted."""
    import pyarrow as pa
    import pyarrow.compute as pac

    plain = isinstance(texts, pa.Array) and (
        pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)
    )
    body = _utf8_bytes(texts) if plain else None
    if body is not None and (
        not len(body) or (int(body.max()) < 0x80 and not bool((body == ord("#")).any()))
    ):
        # All ASCII and no #: the digits are 0-9, there are no other dashes, and every
        # cell may hold a word; one pass finds a cell with no digit or dash, or an odd word.
        # The only spaces to trim are then space, tab, \r and \n, all at or below 0x20.
        if len(body) and int(body.min()) > 0x20:
            filled = pac.not_equal(texts, "")
        else:
            filled = pac.not_equal(pac.utf8_trim(texts, _SPACE_CHARS + "\r\n"), "")
        either = pac.match_substring_regex(pac.ascii_lower(texts), _ascii_certain_pattern())
        return int(pac.sum(pac.and_(filled, either)).as_py() or 0)
    filled = pac.not_equal(pac.utf8_trim(texts, _SPACE_CHARS + "\r\n"), "")
    no_digit = pac.invert(pac.match_substring_regex(texts, _DIGIT_DASH_HASH))
    odd = pac.and_(
        pac.and_(pac.string_is_ascii(texts), pac.invert(pac.match_substring(texts, "#"))),
        pac.match_substring_regex(pac.ascii_lower(texts), _odd_word_pattern()),
    )
    return int(pac.sum(pac.and_(filled, pac.or_(no_digit, odd))).as_py() or 0)


@functools.cache
def _ascii_certain_pattern() -> str:
    """For ASCII text in lower case without #: no digit or dash at all (the whole text
    without one), or an odd word (``_odd_word_pattern``)."""
    return f"^[^0-9\\-]*$|{_odd_word_pattern()}"


def _utf8_bytes(texts: Any) -> np.ndarray:
    """The bytes of the Arrow strings ``texts`` (an array, string or large string) one
    after the other: a view of Arrow's buffer, no copy."""
    import pyarrow as pa

    wide = pa.types.is_large_string(texts.type)
    if not wide and not pa.types.is_string(texts.type):
        raise TypeError(f"not Arrow strings: {texts.type}")
    buffers = texts.buffers()
    if buffers[2] is None or not len(texts):
        return np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(
        buffers[1],
        dtype=np.int64 if wide else np.int32,
        count=len(texts) + 1,
        offset=texts.offset * (8 if wide else 4),
    )
    return np.frombuffer(buffers[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]


@functools.cache
def _odd_word_pattern() -> str:
    """An RE2 pattern that finds a run of lower-case letters (between non-letters or the
    ends) that is none of ``_VALUE_WORDS``: built from the words' trie, a run that leaves
    it (a letter no word continues with), stops inside it before a word ends, or goes on
    past a word that no longer word continues."""
    words = sorted(_VALUE_WORDS)
    prefixes = sorted({w[:i] for w in words for i in range(len(w) + 1)})
    options: list[str] = []
    for prefix in prefixes:
        follow = sorted(
            {w[len(prefix)] for w in words if len(w) > len(prefix) and w.startswith(prefix)}
        )
        others = "".join(ch for ch in "abcdefghijklmnopqrstuvwxyz" if ch not in follow)
        if others:
            options.append(f"{prefix}[{others}][a-z]*")
        if prefix and prefix not in _VALUE_WORDS:
            options.append(prefix)
    return "(?:^|[^a-z])(?:" + "|".join(options) + ")(?:[^a-z]|$)"


__all__ = [
    "COLUMN_KINDS",
    "DATE_NAME_HINTS",
    "EXCEL_ERRORS",
    "NOTATIONS",
    "ColumnKind",
    "ColumnParse",
    "DateSystem",
    "Grain",
    "Notation",
    "ParseFailure",
    "ParseReport",
    "ParsedTable",
    "PeriodStart",
    "ValueKind",
    "apply_kinds",
    "arrow_strings",
    "cell_text",
    "detect_notation",
    "detect_notation_counts",
    "excel_serial_to_datetime",
    "guess_date_column",
    "infer_kinds",
    "is_date_name",
    "is_excel_error",
    "many_texts",
    "parse_date",
    "parse_date_column",
    "parse_number",
    "parse_number_column",
    "parse_period_label",
    "parse_table",
    "profile_column",
    "profile_columns",
    "text_counts",
    "type_table",
]
