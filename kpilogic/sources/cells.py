"""What each raw cell of a sheet holds, worked out a column at a time.

The layout rules (``sources.layout``) ask of every cell whether it is blank, a number, text,
a date or something else. Asking that cell by cell in Python costs seconds on a sheet of a
million rows; this module answers it for a whole column with numpy and pandas: the cells
are grouped by their Python type (a C loop), numbers and dates are judged in bulk, and
text is judged once per distinct value, with cheap vectorised filters first (a value that
holds a character no number can hold is text without asking the number parser).

The answers are exactly those of the per-cell rules they replace:

- blank: ``None``, a float NaN, or text that is only whitespace;
- number: an int or float (not a bool), or text that reads as a number in either notation
  (``parsing._numeric_text``);
- text: any other non-blank text that is no Excel error value;
- date: a ``date`` or ``datetime`` (``pd.Timestamp`` included);
- other: anything else that is not blank (a bool, an Excel error value, a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpilogic.sources.parsing import EXCEL_ERRORS, MAX_TEXT, numeric_text

BLANK, NUMBER, TEXT, DATE, OTHER = 0, 1, 2, 3, 4

# Every character a number written as text may hold (digits, separators, signs, brackets,
# percent, spaces, currency symbols and the letters of EUR/USD/GBP/CHF and an exponent).
# Text with any other character is no number; only the rest goes to the exact parser.
MAYBE_NUMBER = (
    "[\\p{Nd}.,()%+\\-\u2212\u2013\u2014€$£¥eurEURsdSDgbpGBPchfCHF \u00a0\u202f\u2007\u2009\t\r\n]*"
)
_MAYBE_NUMBER_OR_ERROR = f"{MAYBE_NUMBER}|.*#.*"
# Plain numbers (``12``, ``-3.5``, ``12,5``) certainly read as numbers.
_PLAIN_NUMBER = r"-?[0-9]+(?:[.,][0-9]+)?"


_isspace = np.frompyfunc(str.isspace, 1, 1)


def _text_blank(texts: np.ndarray) -> np.ndarray:
    """Which of the ``str`` in ``texts`` are blank as Python's ``str.strip`` sees it."""
    spaces: np.ndarray = np.asarray(_isspace(texts), dtype=bool)
    empty: np.ndarray = np.asarray(texts == "", dtype=bool)
    out: np.ndarray = np.logical_or(empty, spaces)
    return out


def matches(texts: pa.Array, pattern: str) -> np.ndarray:
    """Which of ``texts`` (Arrow strings) match ``pattern`` as a whole (RE2); null: False."""
    found = pc.match_substring_regex(texts, f"(?s)^(?:{pattern})$")
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def contains(texts: pa.Array, pattern: str) -> np.ndarray:
    """Which of ``texts`` (Arrow strings) hold a match of ``pattern`` (RE2); null: False."""
    found = pc.match_substring_regex(texts, f"(?s){pattern}")
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _text_classes(texts: np.ndarray, arrow: pa.Array) -> np.ndarray:
    """The class of each ``str`` in ``texts`` (an object array of str; ``arrow`` the same
    as Arrow strings)."""
    out = np.full(len(texts), TEXT, dtype=np.int8)
    if not len(texts):
        return out
    blank = _text_blank(texts)
    out[blank] = BLANK
    # Text that may be a number (only such characters) or an error value (holds a #).
    maybe = matches(arrow, _MAYBE_NUMBER_OR_ERROR) & ~blank
    if maybe.any():
        plain = np.zeros(len(texts), dtype=bool)
        plain[maybe] = matches(arrow.filter(pa.array(maybe)), _PLAIN_NUMBER)
        # Longer text is never a number (parsing.MAX_TEXT): the exact reader decides.
        plain &= np.asarray(pc.utf8_length(arrow).to_numpy(zero_copy_only=False)) <= MAX_TEXT
        out[plain] = NUMBER
        maybe &= ~plain
    if maybe.any():
        codes, distinct = pd.factorize(texts[maybe])
        judged = np.array([_one_text(str(v)) for v in distinct], dtype=np.int8)
        out[maybe] = judged[codes]
    return out


def _one_text(value: str) -> int:
    if not value.strip():
        return BLANK
    if value.strip().upper() in EXCEL_ERRORS:
        return OTHER
    return NUMBER if numeric_text(value) else TEXT


# What Python type a cell holds, where the classes do not say it (numbers written as text
# are class NUMBER but stay text when a column is cut out of the sheet).
K_NONE, K_BOOL, K_NUMBER, K_DATE, K_STR, K_OTHER = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Column:
    """What ``classify`` found in one column: a class and a type code per cell, and the
    cells that hold ``str`` as Arrow strings (``text_rows`` gives their positions), so later
    steps need not convert them again."""

    classes: np.ndarray
    kinds: np.ndarray
    text_rows: np.ndarray
    texts: pa.Array | None


def classify(values: np.ndarray) -> Column:
    """The class (``BLANK``, ``NUMBER``, ``TEXT``, ``DATE``, ``OTHER``) and the type code
    (``K_*``) of every cell of the object array ``values``."""
    n = len(values)
    classes = np.full(n, OTHER, dtype=np.int8)
    kinds = np.full(n, K_OTHER, dtype=np.int8)
    none = np.zeros(0, dtype=np.int64)
    if not n:
        return Column(classes, kinds, none, None)
    codes, found = pd.factorize(np.fromiter(map(type, values), dtype=object, count=n))
    text_rows, texts = none, None
    other_text = False  # a subclass of str (numpy's str_): no Arrow copy of the column's text
    for code, kind in enumerate(found):
        mask = codes == code
        cells = values[mask]
        other_text = other_text or (kind is not str and issubclass(kind, str))
        if kind is str:
            texts = pa.array(cells, type=pa.large_string())
            text_rows = np.flatnonzero(mask)
            classes[mask], kinds[mask] = _text_classes(cells, texts), K_STR
            continue
        classes[mask], kinds[mask] = _classes_of(kind, cells)
    return Column(classes, kinds, text_rows, None if other_text else texts)


def _classes_of(kind: Any, cells: np.ndarray) -> tuple[np.ndarray | int, int]:
    if kind is type(None):
        return BLANK, K_NONE
    if issubclass(kind, bool | np.bool_):
        return OTHER, K_BOOL
    if issubclass(kind, float | np.floating):
        numbers = cells.astype("float64")
        # numpy's float32 is a number but not a float: layout._typed keeps it as it is.
        code = K_NUMBER if issubclass(kind, float) else K_OTHER
        return np.where(np.isnan(numbers), BLANK, NUMBER).astype(np.int8), code
    if issubclass(kind, int):
        return NUMBER, K_NUMBER
    if issubclass(kind, np.integer):
        return NUMBER, K_OTHER  # a number, but not one ``layout._typed`` takes as float
    if issubclass(kind, str):  # a subclass of str (numpy's str_, say)
        plain = np.array([str(v) for v in cells], dtype=object)
        return _text_classes(plain, pa.array(plain, type=pa.large_string())), K_STR
    if issubclass(kind, date):
        return DATE, K_DATE
    return OTHER, K_OTHER


def blank_mask(values: np.ndarray) -> np.ndarray:
    """Which cells of the object array ``values`` are blank (None, NaN, whitespace text);
    the cheap part of ``classify``."""
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if not n:
        return out
    codes, found = pd.factorize(np.fromiter(map(type, values), dtype=object, count=n))
    for code, kind in enumerate(found):
        mask = codes == code
        if kind is type(None):
            out[mask] = True
        elif issubclass(kind, float | np.floating) and not issubclass(kind, bool):
            out[mask] = np.isnan(values[mask].astype("float64"))
        elif issubclass(kind, str):
            out[mask] = _text_blank(values[mask])
    return out


def normalise_blanks(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``values`` with every blank cell (``classes == BLANK``) set to None (a copy only when
    there is something to change)."""
    blank = classes == BLANK
    if not blank.any():
        return values
    out = values.copy()
    out[blank] = None
    return out


__all__ = [
    "BLANK",
    "DATE",
    "K_BOOL",
    "K_DATE",
    "K_NONE",
    "K_NUMBER",
    "K_OTHER",
    "K_STR",
    "NUMBER",
    "OTHER",
    "TEXT",
    "Column",
    "blank_mask",
    "classify",
    "contains",
    "matches",
    "normalise_blanks",
]
