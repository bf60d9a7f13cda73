"""Message catalogue and locale formatting: nl € 1.234,56 and 31-03-2026; en €1,234.56."""

from __future__ import annotations

import re
import string
from datetime import date

import pytest

from kpilogic.i18n import (
    catalogue,
    format_date,
    format_number,
    format_pct,
    format_value,
    normalise_lang,
    t,
)


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    fields = string.Formatter()
    for key, texts in catalogue().items():
        assert texts["nl"].strip() and texts["en"].strip(), key
        # A plural form {count|rij|rijen} names the placeholder count.
        plural = r"\{(\w+)\|[^{}|]*\|[^{}|]*\}"
        plain = {lang: re.sub(plural, r"{\1}", texts[lang]) for lang in texts}
        names = {lang: {f[1] for f in fields.parse(plain[lang]) if f[1]} for lang in ("nl", "en")}
        assert names["nl"] == names["en"], key


@pytest.mark.parametrize(
    ("value", "unit", "lang", "text"),
    [
        (1234.56, "currency", "nl", "€ 1.234,56"),
        (1234.56, "currency", "en", "€1,234.56"),
        (-1234.5, "currency", "nl", "-€ 1.234,50"),
        (1234567.891, "number", "en", "1,234,568"),
        (12.345, "percent", "nl", "12,3%"),
        (12.345, "percent", "en", "12.3%"),
        (42.0, "count", "nl", "42"),
        (2.25, "days", "nl", "2,3 dagen"),
        (None, "currency", "nl", "–"),
    ],
)
def test_format_value(value, unit, lang, text) -> None:
    assert format_value(value, unit, lang) == text


def test_numbers_dates_and_shares() -> None:
    assert format_number(1234567.5, "nl", 1) == "1.234.567,5"
    assert format_number(-0.0001, "en", 2) == "0.00"
    assert format_pct(0.923, "nl") == "92,3%"
    assert format_date(date(2026, 3, 31), "nl") == "31-03-2026"
    assert format_date(date(2026, 3, 31), "en") == "2026-03-31"


def test_language_from_browser_locale() -> None:
    assert normalise_lang("nl-NL") == "nl"
    assert normalise_lang("nl_BE") == "nl"
    assert normalise_lang("en-GB") == "en"
    assert normalise_lang("de-DE") == "en"
    assert normalise_lang(None) == "en"


def test_unknown_key_shows_the_key_and_params_fill_in() -> None:
    assert t("no.such.key", "nl") == "no.such.key"
    text = t("error.data.column_missing", "nl", column="Omzet", dataset="Orders")
    assert "'Omzet'" in text and "Orders" in text
    assert not re.search(r"\{\w+\}", text)


def test_numpy_numbers_format_like_floats() -> None:
    import numpy as np

    assert format_value(np.float64(1234.5), "currency", "nl") == "€ 1.234,50"
    assert format_number(np.int64(1500), "en") == "1,500"


def test_missing_values_of_any_kind_show_a_dash() -> None:
    import numpy as np
    import pandas as pd

    for missing in (None, float("nan"), np.float32("nan"), pd.NA, float("inf"), "x"):
        assert format_value(missing, "currency", "nl") == "–"
        assert format_number(missing, "en") == "–"
