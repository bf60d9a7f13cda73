"""Languages as data: locales/languages.json declares them, CLDR (through Babel) formats their
numbers, money and dates, and a text a new language lacks falls back to English."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal, get_minus_sign_symbol
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kpilogic import i18n
from kpilogic.i18n import (
    LANGS,
    csv_separator,
    date_format,
    format_date,
    format_number,
    format_period,
    format_points,
    format_value,
    languages,
    normalise_lang,
    t,
    use_locales,
)
from kpilogic.present.charts import vega_locale
from kpilogic.present.report import summary_csv
from tests.test_report_xlsx import evaluation

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "kpilogic" / "locales"


def test_the_shipped_languages_and_their_picker_labels() -> None:
    assert LANGS == ("nl", "en")
    assert [lang.label for lang in languages().values()] == ["🇳🇱 Nederlands", "🇬🇧 English"]
    # The workbook's document language: as written before the languages became data.
    assert [lang.tag for lang in languages().values()] == ["nl-NL", "en-GB"]


@pytest.mark.parametrize(
    ("lang", "excel", "widget", "d3", "sep"),
    [
        ("nl", "dd-mm-yyyy", "DD-MM-YYYY", "%d-%m-%Y", ";"),
        ("en", "yyyy-mm-dd", "YYYY-MM-DD", "%Y-%m-%d", ","),
    ],
)
def test_one_date_pattern_in_every_notation(
    lang: str, excel: str, widget: str, d3: str, sep: str
) -> None:
    assert date_format(lang, "excel") == excel
    assert date_format(lang, "widget") == widget
    assert date_format(lang, "d3") == d3
    assert csv_separator(lang) == sep


def test_numbers_without_grouping_and_points_forms() -> None:
    # 1234567.25 to 1 decimal, half up: 1234567.3; no thousands separator.
    assert format_number(1234567.25, "nl", 1, grouping=False) == "1234567,3"
    assert format_number(-1234567.25, "en", 1, grouping=False) == "-1234567.3"
    # Dutch: singular up to one point, English: singular for exactly one.
    assert format_points(0.5, "nl") == "0,5 procentpunt"
    assert format_points(1, "nl") == "1,0 procentpunt"
    assert format_points(1.5, "nl") == "1,5 procentpunten"
    assert format_points(0.5, "en") == "0.5 percentage points"
    assert format_points(1, "en") == "1.0 percentage point"


def test_large_numbers_keep_every_digit() -> None:
    # Babel gets the already rounded Decimal: no float noise in 12 digits and a half.
    assert format_number(123456789012.5, "nl", 1) == "123.456.789.012,5"
    assert format_number(2.675, "en", 2) == "2.68"  # half up, although 2.675 is 2.67499… as a float


def _catalogue_with_german(tmp: Path) -> Path:
    """A copy of the shipped catalogue plus German: one entry in languages.json and one
    translated text (report.days_suffix); everything else is left untranslated."""
    folder = tmp / "locales"
    shutil.copytree(SHIPPED, folder)
    declared = json.loads((folder / "languages.json").read_text("utf-8"))
    declared["de"] = {"locale": "de_DE", "name": "Deutsch", "flag": "🇩🇪"}
    (folder / "languages.json").write_text(json.dumps(declared, ensure_ascii=False), "utf-8")
    report = json.loads((folder / "report.json").read_text("utf-8"))
    report["report.days_suffix"]["de"] = "Tage"
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    return folder


def test_a_new_language_formats_from_cldr_and_falls_back_to_english(tmp_path: Path) -> None:
    with use_locales(_catalogue_with_german(tmp_path)):
        assert normalise_lang("de-DE") == "de"
        assert languages()["de"].label == "🇩🇪 Deutsch"
        # CLDR de_DE: "." groups thousands, "," is the decimal separator.
        assert format_number(1234567.5, "de", 1) == "1.234.567,5"
        # CLDR de_DE currency "#,##0.00 ¤": the sign after the amount (a plain space, as ours).
        assert format_value(1234.56, "currency", "de") == "1.234,56 €"
        assert format_value(-1234.5, "currency", "de") == "-1.234,50 €"
        # CLDR de_DE percent "#,##0 %": a space before the sign; 12.345 → 12.3 (1 decimal).
        assert format_value(12.345, "percent", "de") == "12,3 %"
        # CLDR de_DE short date "dd.MM.yy", with the full year.
        assert format_date(date(2026, 3, 31), "de") == "31.03.2026"
        assert date_format("de", "widget") == "DD.MM.YYYY"
        assert csv_separator("de") == ";"  # the decimal is a comma
        # Month names (stand-alone abbreviations) and quarters from CLDR de_DE.
        assert format_period("2026-03", "de") == "Mär 2026"
        assert format_period("2025-12", "de") == "Dez 2025"
        assert format_period("2025-Q4", "de") == "Q4 2025"
        months = vega_locale("de")["time"]["months"]
        assert months[2] == "März"
        assert vega_locale("de")["number"]["currency"] == ["", " €"]
        # Texts: the one translated, the rest in English.
        assert format_value(2.25, "days", "de") == "2,3 Tage"
        assert t("app.language", "de") == t("app.language", "en")
        assert format_period("2026-W09", "de") == "week 9 2026"
        assert format_points(0.5, "de") == "0,5 percentage points"
    # Outside the block the shipped languages are back: German is unknown again.
    assert normalise_lang("de-DE") == "en"
    assert format_number(1234.5, "de", 1) == "1,234.5"


def test_a_csv_in_a_new_language_uses_its_separators(tmp_path: Path) -> None:
    with use_locales(_catalogue_with_german(tmp_path)):
        german = summary_csv(evaluation(), "de").decode("utf-8-sig")
    dutch = summary_csv(evaluation(), "nl").decode("utf-8-sig")
    # Both write a decimal comma and separate fields with ";" (the column names are the
    # machine ones in both): the same bytes.
    assert german == dutch
    assert german.splitlines()[0].count(";") > 5


def test_a_complete_language_must_have_every_text(tmp_path: Path) -> None:
    folder = _catalogue_with_german(tmp_path)
    declared = json.loads((folder / "languages.json").read_text("utf-8"))
    declared["de"]["complete"] = True
    (folder / "languages.json").write_text(json.dumps(declared, ensure_ascii=False), "utf-8")
    with use_locales(folder), pytest.raises(ValueError, match=r"lacks \['de'\]"):
        i18n.catalogue()


def test_every_language_needs_english_to_fall_back_to(tmp_path: Path) -> None:
    folder = tmp_path / "locales"
    folder.mkdir()
    (folder / "languages.json").write_text(
        json.dumps({"nl": {"locale": "nl_NL", "name": "Nederlands", "flag": "🇳🇱"}}), "utf-8"
    )
    with use_locales(folder), pytest.raises(ValueError, match="'en'"):
        i18n.languages()


# Where the interface language used to be tested with == "nl" / == "en": formatting follows
# the language's data now. (Data notations of uploaded files, in sources/, are another matter;
# pages/kpis.py is being split into a package and changes there.)
_NO_BRANCHES = [
    ROOT / "kpilogic" / "i18n.py",
    *(ROOT / "kpilogic" / "present").glob("*.py"),
    *(ROOT / "kpilogic" / "scorecard").glob("*.py"),
    *(ROOT / "kpilogic" / "engine").glob("*.py"),
    ROOT / "app.py",
    *(ROOT / "ui").glob("*.py"),
]


@pytest.mark.parametrize("path", _NO_BRANCHES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_language_branches_in_formatting_code(path: Path) -> None:
    source = path.read_text("utf-8")
    branches = re.findall(r"""[!=]= ?["'](?:nl|en)["']|["'](?:nl|en)["'] ?[!=]=""", source)
    assert branches == [], f"{path.name}: {branches}"


def _catalogue_with(tmp: Path, declared: dict[str, str]) -> Path:
    """A copy of the shipped catalogue that also declares ``declared`` (code → CLDR locale)."""
    folder = tmp / "more-locales"
    if not folder.exists():
        shutil.copytree(SHIPPED, folder)
        entries = json.loads((folder / "languages.json").read_text("utf-8"))
        for code, locale in declared.items():
            entries[code] = {"locale": locale, "name": code, "flag": ""}
        (folder / "languages.json").write_text(json.dumps(entries), "utf-8")
    return folder


# Indian grouping (#,##,##0), French and Swedish spaces: the numbers are put together from
# CLDR's symbols and grouping in i18n (faster); they must read as Babel writes them.
_MORE = {"hi": "hi_IN", "fr": "fr_FR", "sv": "sv_SE", "de": "de_DE"}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
    decimals=st.integers(min_value=0, max_value=3),
    lang=st.sampled_from(["nl", "en", *_MORE]),
)
def test_numbers_read_as_babel_writes_them(
    tmp_path: Path, value: float, decimals: int, lang: str
) -> None:
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assume(rounded != 0)
    with use_locales(_catalogue_with(tmp_path, _MORE)):
        locale = i18n.babel_locale(lang)
        whole = locale.decimal_formats[None].pattern.split(".")[0]
        pattern = whole + ("." + "0" * decimals if decimals else "")
        # The sign: CLDR's minus sign of the locale (Swedish "−"); Babel's patterns write "-".
        sign = get_minus_sign_symbol(locale) if rounded < 0 else ""
        expected = sign + format_decimal(abs(rounded), pattern, locale=locale)
        assert format_number(value, lang, decimals) == expected
