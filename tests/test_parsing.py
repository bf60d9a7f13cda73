"""Tests of sources.parsing: numbers and dates as people type them, per column with a report."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpilogic.errors import KoersError, ParseError
from kpilogic.i18n import format_number, format_value
from kpilogic.sources.parsing import (
    ParseFailure,
    detect_notation,
    excel_serial_to_datetime,
    infer_kinds,
    is_excel_error,
    parse_date,
    parse_date_column,
    parse_number,
    parse_number_column,
    parse_period_label,
    parse_table,
)

# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "notation", "value"),
    [
        ("€ 1.234,56", "nl", 1234.56),
        ("1,234.56", "en", 1234.56),
        ("$1,234.56", "en", 1234.56),
        ("12%", "nl", 0.12),
        ("12,5 %", "nl", 0.125),
        ("-", "nl", 0.0),
        ("€ -", "nl", 0.0),
        ("–", "en", 0.0),
        ("(1.234)", "nl", -1234.0),
        ("(€ 1.234,50)", "nl", -1234.5),
        ("1.234,-", "nl", 1234.0),
        ("€ 12,-", "nl", 12.0),
        ("1.234", "nl", 1234.0),
        ("1.234", "en", 1.234),
        (" 1 234,5 ", "nl", 1234.5),
        ("1\u00a0234\u00a0567,89", "nl", 1234567.89),
        ("1 234.5", "en", 1234.5),
        ("-€ 1.234,56", "nl", -1234.56),
        ("€ -1.234,56", "nl", -1234.56),
        ("−12,5", "nl", -12.5),
        ("1.234-", "nl", -1234.0),
        ("+7", "en", 7.0),
        ("1.5e3", "en", 1500.0),
        (",5", "nl", 0.5),
        ("EUR 99,95", "nl", 99.95),
        ("99,95 €", "nl", 99.95),
    ],
)
def test_parse_number(text: str, notation: str, value: float) -> None:
    assert parse_number(text, notation) == pytest.approx(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "notation"),
    [
        ("", "nl"),
        ("abc", "nl"),
        ("1,234.56", "nl"),
        ("1.234,56", "en"),
        ("1 2 3", "en"),
        ("€", "nl"),
        ("12,34,56", "nl"),
        ("#DIV/0!", "nl"),
        ("1e999", "en"),
    ],
)
def test_parse_number_refuses(text: str, notation: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(text, notation)  # type: ignore[arg-type]
    assert info.value.key == "error.parse.number"
    assert info.value.message("nl") != info.value.key


def test_unknown_notation_is_our_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_number("1", "de")  # type: ignore[arg-type]
    assert info.value.key == "error.parse.notation"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234,56", "12,5", "1.234"], "nl"),
        (["1,234.56", "12.5", "1,234"], "en"),
        (["1.234", "2.345"], "nl"),  # fits both: the default decides
        ([1234.5, "7"], "nl"),
        (["€ 1,234.50", "$ 12.00", "1.234,00"], "en"),
    ],
)
def test_detect_notation(values: list[object], expected: str) -> None:
    assert detect_notation(values) == expected


def test_detect_notation_default_is_overridable() -> None:
    assert detect_notation(["1.234", "2.345"], default="en") == "en"


def test_excel_errors_recognised_in_both_languages() -> None:
    for text in (
        "#DIV/0!",
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#DEEL/0!",
        "#n/b",
        " #WAARDE! ",
    ):
        assert is_excel_error(text)
    assert not is_excel_error("#1") and not is_excel_error(3.0)


def test_number_column_report_with_row_numbers() -> None:
    values = pd.Series(
        ["€ 1.234,56", "12,5", None, "#DIV/0!", "n.v.t.", 7.0, "#N/A", "", "12,5 kg", True],
        name="Omzet",
    )
    parsed, result = parse_number_column(values, first_row=5)
    assert result.notation == "nl"
    expected = [1234.56, 12.5, None, None, None, 7.0, None, None, None, None]
    assert [None if math.isnan(v) else v for v in parsed] == expected
    assert (result.parsed, result.failed, result.blank, result.errors) == (3, 3, 2, 2)
    assert result.examples == (
        ParseFailure(9, "n.v.t."),
        ParseFailure(13, "12,5 kg"),
        ParseFailure(14, "True"),
    )
    assert result.error_rows == (8, 11)
    assert result.total == len(values)
    assert not result.ok


def test_number_column_keeps_at_most_five_examples() -> None:
    values = pd.Series([f"x{i}" for i in range(9)], name="N")
    _, result = parse_number_column(values, "en", rows=list(range(100, 109)))
    assert result.failed == 9
    assert [e.row for e in result.examples] == [100, 101, 102, 103, 104]


def test_row_numbers_of_wrong_length_is_our_error() -> None:
    with pytest.raises(ParseError):
        parse_number_column(pd.Series(["1"]), rows=[1, 2])


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31-03-2026", datetime(2026, 3, 31)),
        ("1-3-26", datetime(2026, 3, 1)),
        ("01/03/2026", datetime(2026, 3, 1)),
        ("1.3.2026", datetime(2026, 3, 1)),
        ("2026-03-31", datetime(2026, 3, 31)),
        ("2026-03-31 14:30", datetime(2026, 3, 31, 14, 30)),
        ("2026-03-31T14:30:15", datetime(2026, 3, 31, 14, 30, 15)),
        ("20260331", datetime(2026, 3, 31)),
        ("mrt 2026", datetime(2026, 3, 1)),
        ("mrt. 2026", datetime(2026, 3, 1)),
        ("maart 2026", datetime(2026, 3, 1)),
        ("March 2026", datetime(2026, 3, 1)),
        ("Mar 2026", datetime(2026, 3, 1)),
        ("jan-26", datetime(2026, 1, 1)),
        ("2026 mei", datetime(2026, 5, 1)),
        ("14 maart 2026", datetime(2026, 3, 14)),
        ("March 14, 2026", datetime(2026, 3, 14)),
        ("2026-Q1", datetime(2026, 1, 1)),
        ("Q3 2026", datetime(2026, 7, 1)),
        ("K2 2026", datetime(2026, 4, 1)),
        ("week 9 2026", datetime(2026, 2, 23)),
        ("2026-W09", datetime(2026, 2, 23)),
        ("wk 1 2026", datetime(2025, 12, 29)),
        ("2026-03", datetime(2026, 3, 1)),
        ("03-2026", datetime(2026, 3, 1)),
        ("2026", datetime(2026, 1, 1)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["", "31-02-2026", "mrt", "week 60 2026", "2026-13", "hello", "13"]
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(text)
    assert info.value.key == "error.parse.date"


def test_labels_without_year_need_one() -> None:
    assert parse_period_label("mrt") is None
    found = parse_period_label("mrt", year=2026)
    assert found is not None and found.start == datetime(2026, 3, 1)
    assert found.grain == "month" and not found.has_year
    assert parse_period_label("Q2", year=2025).start == datetime(2025, 4, 1)  # type: ignore[union-attr]
    assert parse_period_label("Omzet") is None
    assert parse_period_label(2026.0).grain == "year"  # type: ignore[union-attr]


def test_excel_serials_1900_and_1904() -> None:
    assert excel_serial_to_datetime(45292) == datetime(2024, 1, 1)
    assert excel_serial_to_datetime(1) == datetime(1900, 1, 1)
    assert excel_serial_to_datetime(59) == datetime(1900, 2, 28)
    assert excel_serial_to_datetime(61) == datetime(1900, 3, 1)
    assert excel_serial_to_datetime(45292.5) == datetime(2024, 1, 1, 12)
    # The same day is 1462 lower in the 1904 system (old Mac Excel).
    assert excel_serial_to_datetime(45292 - 1462, 1904) == datetime(2024, 1, 1)
    assert excel_serial_to_datetime(0, 1904) == datetime(1904, 1, 1)
    for bad in (60, 0, -1, 3e7, math.nan):
        with pytest.raises(ParseError):
            excel_serial_to_datetime(bad)


def test_date_column_mixed_report() -> None:
    values = pd.Series(
        [
            datetime(2026, 1, 5),
            46023.0,
            "31-01-2026",
            "feb 2026",
            "#N/A",
            None,
            "morgen",
            "2026-Q2",
        ],
        name="Datum",
    )
    parsed, result = parse_date_column(values, first_row=2)
    assert list(parsed) == [
        pd.Timestamp("2026-01-05"),
        pd.Timestamp("2026-01-01"),
        pd.Timestamp("2026-01-31"),
        pd.Timestamp("2026-02-01"),
        pd.NaT,
        pd.NaT,
        pd.NaT,
        pd.Timestamp("2026-04-01"),
    ]
    assert str(parsed.dtype) == "datetime64[ns]"
    assert (result.parsed, result.failed, result.blank, result.errors) == (5, 1, 1, 1)
    assert result.examples == (ParseFailure(8, "morgen"),)
    assert result.error_rows == (6,)


def test_date_column_1904_serials() -> None:
    parsed, _ = parse_date_column(pd.Series([45292 - 1462], name="Datum"), date_system=1904)
    assert parsed.iloc[0] == pd.Timestamp("2024-01-01")


def test_date_column_month_first_when_only_that_fits() -> None:
    parsed, result = parse_date_column(pd.Series(["03-04-2026", "04-13-2026"], name="Date"))
    assert result.dayfirst is False
    assert list(parsed) == [pd.Timestamp("2026-03-04"), pd.Timestamp("2026-04-13")]
    parsed, result = parse_date_column(pd.Series(["03-04-2026", "13-04-2026"], name="Datum"))
    assert result.dayfirst is True
    assert list(parsed) == [pd.Timestamp("2026-04-03"), pd.Timestamp("2026-04-13")]


def test_year_numbers_in_a_date_column() -> None:
    parsed, _ = parse_date_column(pd.Series([2024.0, 2025.0], name="Jaar"))
    assert list(parsed) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2025-01-01")]


# -- tables ----------------------------------------------------------------------------------


def test_infer_kinds_and_parse_table() -> None:
    df = pd.DataFrame(
        {
            "Datum": pd.Series(["05-01-2026", "12-01-2026", "19-01-2026"], dtype=object),
            "Serial date": pd.Series([46027.0, 46034.0, 46041.0]),
            "Omzet": pd.Series(["€ 1.234,56", "#DIV/0!", "€ 99,-"], dtype=object),
            "Postcode": pd.Series(["01234", "1234", "4321"], dtype=object),
            "Regio": pd.Series(["Noord", "Zuid", "Noord"], dtype=object),
            "Aantal": pd.Series([1.0, 2.0, 3.0]),
        }
    )
    assert infer_kinds(df) == {
        "Datum": "date",
        "Serial date": "date",
        "Omzet": "number",
        "Aantal": "number",
    }
    table = parse_table(df, rows=[4, 5, 6])
    assert list(table.frame["Datum"]) == [
        pd.Timestamp("2026-01-05"),
        pd.Timestamp("2026-01-12"),
        pd.Timestamp("2026-01-19"),
    ]
    assert table.frame["Serial date"].iloc[0] == pd.Timestamp("2026-01-05")
    assert table.frame["Omzet"].iloc[0] == pytest.approx(1234.56)
    assert math.isnan(table.frame["Omzet"].iloc[1])
    assert table.frame["Omzet"].iloc[2] == 99.0
    assert table.report.errors == 1 and table.report.failed == 0
    assert table.report.get("Omzet").error_rows == (5,)  # type: ignore[union-attr]
    assert list(table.frame["Postcode"]) == ["01234", "1234", "4321"]


def test_notation_override_per_column() -> None:
    df = pd.DataFrame({"A": pd.Series(["1.234", "2.500"], dtype=object)})
    assert list(parse_table(df, {"A": "number"}).frame["A"]) == [1234.0, 2500.0]
    assert list(parse_table(df, {"A": "number"}, notation={"A": "en"}).frame["A"]) == [1.234, 2.5]


# -- properties ------------------------------------------------------------------------------

cents = st.integers(min_value=-(10**13), max_value=10**13).map(lambda c: c / 100)


def _plain(value: float, notation: str, grouped: bool) -> str:
    text = format_number(value, notation, 2)
    if not grouped:
        text = text.replace("." if notation == "nl" else ",", "")
    return text


@settings(max_examples=300)
@given(
    value=cents,
    notation=st.sampled_from(["nl", "en"]),
    style=st.sampled_from(["currency", "grouped", "plain", "brackets", "percent"]),
)
def test_round_trip_formatted_numbers(value: float, notation: str, style: str) -> None:
    if style == "currency":
        text, expected = format_value(value, "currency", notation), value
    elif style == "grouped":
        text, expected = _plain(value, notation, True), value
    elif style == "plain":
        text, expected = _plain(value, notation, False), value
    elif style == "brackets":
        text = (
            f"({_plain(abs(value), notation, True)})"
            if value < 0
            else _plain(value, notation, True)
        )
        expected = value
    else:
        text, expected = format_value(value, "percent", notation, decimals=2), value / 100
    parsed = parse_number(text, notation)  # type: ignore[arg-type]
    assert parsed == pytest.approx(expected, abs=0.005)


@settings(max_examples=100)
@given(
    values=st.lists(cents.filter(lambda v: abs(v) >= 1000 and v != int(v)), min_size=1, max_size=8),
    notation=st.sampled_from(["nl", "en"]),
)
def test_notation_detected_from_formatted_column(values: list[float], notation: str) -> None:
    texts = [format_number(v, notation, 2) for v in values]
    assert detect_notation(texts, default="en" if notation == "nl" else "nl") == notation
    parsed, result = parse_number_column(pd.Series(texts, name="x"))
    assert result.notation == notation and result.failed == 0
    assert list(parsed) == pytest.approx(values, abs=0.005)


@settings(max_examples=300)
@given(text=st.text(max_size=30), notation=st.sampled_from(["nl", "en"]))
def test_number_parser_raises_only_our_error(text: str, notation: str) -> None:
    try:
        value = parse_number(text, notation)  # type: ignore[arg-type]
    except KoersError as exc:
        assert isinstance(exc, ParseError)
    else:
        assert math.isfinite(value)


@settings(max_examples=300)
@given(text=st.text(max_size=30), year=st.none() | st.integers(min_value=1, max_value=9999))
def test_date_parser_raises_only_our_error(text: str, year: int | None) -> None:
    try:
        parse_date(text, year=year)
    except KoersError as exc:
        assert isinstance(exc, ParseError)


@settings(max_examples=200)
@given(serial=st.floats(allow_nan=True, allow_infinity=True), system=st.sampled_from([1900, 1904]))
def test_serial_parser_raises_only_our_error(serial: float, system: int) -> None:
    try:
        excel_serial_to_datetime(serial, system)  # type: ignore[arg-type]
    except KoersError as exc:
        assert isinstance(exc, ParseError)


@settings(max_examples=200)
@given(
    day=st.dates(min_value=datetime(1901, 1, 1).date(), max_value=datetime(2200, 12, 31).date()),
    style=st.sampled_from(["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%-d-%-m-%Y"]),
)
def test_round_trip_formatted_dates(day, style: str) -> None:  # type: ignore[no-untyped-def]
    assert parse_date(day.strftime(style)) == datetime(day.year, day.month, day.day)


@settings(max_examples=100)
@given(
    cells=st.lists(
        st.one_of(
            st.none(),
            st.text(max_size=12),
            st.floats(),
            st.integers(),
            st.booleans(),
            st.datetimes(),
        ),
        max_size=12,
    )
)
def test_column_parsers_never_raise(cells: list[object]) -> None:
    series = pd.Series(cells, dtype=object, name="c")
    numbers, result = parse_number_column(series)
    assert len(numbers) == len(cells) and result.total == len(cells)
    dates, result = parse_date_column(series)
    assert len(dates) == len(cells) and result.total == len(cells)


# -- large text columns: the share of readable values ------------------------------------------


def _text_column(dates: int, others: int) -> pd.Series:
    """``dates`` distinct dates written as dd-mm-yyyy, then ``others`` distinct order numbers."""
    start = datetime(2000, 1, 1)
    days = [(start + pd.Timedelta(days=i)).strftime("%d-%m-%Y") for i in range(dates)]
    codes = [f"SO-{i:07d}" for i in range(others)]
    return pd.Series(days + codes, name="Kolom", dtype="str")


@pytest.mark.parametrize(
    ("dates", "others", "expected"),
    [
        (5000, 900, "date"),  # 5000 / 5900 = 84.7 % dates: over the 80 % threshold
        (5000, 1300, None),  # 79.4 %: close below the threshold, decided on every value
        (0, 6000, None),  # order numbers only: rejected on a sample
        (300, 6000, None),  # 4.8 % dates
    ],
)
def test_large_text_columns_are_judged_on_their_share_of_dates(
    dates: int, others: int, expected: str | None
) -> None:
    column = _text_column(dates, others)
    assert infer_kinds(pd.DataFrame({"Kolom": column})).get("Kolom") == expected


def test_large_text_column_of_amounts_is_a_number_column() -> None:
    amounts = [f"{i},{i % 100:02d}" for i in range(1000, 7000)]  # Dutch decimals, 6000 distinct
    column = pd.Series(amounts + ["n.v.t."] * 100, dtype="str")
    kinds = infer_kinds(pd.DataFrame({"Bedrag": column}))
    assert kinds == {"Bedrag": "number"}
    parsed = parse_table(pd.DataFrame({"Bedrag": column})).frame["Bedrag"]
    assert parsed.iloc[0] == 1000.0
    assert parsed.iloc[1] == 1001.01
    assert parsed.isna().sum() == 100


# -- text columns read in bulk agree with the value-by-value reader ----------------------------

NUMBER_TEXTS = st.one_of(
    st.integers(-(10**9), 10**9).map(str),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.2f}".replace(".", ",")),
    st.sampled_from(["", " ", "-", "€ 1.234,56", "1,234.56", "12%", "#DIV/0!", "n.v.t.", "-0"]),
    st.sampled_from(["1" * 101, "-" + "1" * 100, "1," + "1" * 99, "1" * 400]),  # too long
    st.none(),
)
DATE_TEXTS = st.one_of(
    st.dates(datetime(1990, 1, 1).date(), datetime(2040, 12, 31).date()).map(
        lambda d: d.isoformat()
    ),
    st.dates(datetime(1990, 1, 1).date(), datetime(2040, 12, 31).date()).map(
        lambda d: d.strftime("%d-%m-%Y")
    ),
    st.sampled_from(["2026-02-30", "31-02-2026", "13-13-2026", "mrt 2026", "2026-Q1", "", "#N/B"]),
    # Outside datetime64[ns] (1677-09-22 to 2262-04-11): no date, in bulk or one by one.
    st.sampled_from(["1500-01-01", "0001-01-01", "9999-12-31", "1677-09-22", "2262-04-12"]),
    st.none(),
)


@given(st.lists(NUMBER_TEXTS, max_size=40), st.sampled_from(["nl", "en", None]))
@settings(max_examples=200, deadline=None)
def test_numbers_in_bulk_equal_numbers_one_by_one(texts: list, notation) -> None:
    bulk, bulk_report = parse_number_column(pd.Series(texts, dtype="str"), notation)
    one, one_report = parse_number_column(pd.Series(texts, dtype=object), notation)
    assert bulk.to_numpy().tolist() == pytest.approx(one.to_numpy().tolist(), nan_ok=True)
    assert bulk_report == one_report


@given(st.lists(DATE_TEXTS, max_size=40), st.sampled_from([True, False, None]))
@settings(max_examples=200, deadline=None)
def test_dates_in_bulk_equal_dates_one_by_one(texts: list, dayfirst) -> None:
    bulk, bulk_report = parse_date_column(pd.Series(texts, dtype="str"), dayfirst=dayfirst)
    one, one_report = parse_date_column(pd.Series(texts, dtype=object), dayfirst=dayfirst)
    assert bulk.tolist() == one.tolist() or bulk.equals(one)
    assert bulk_report == one_report


@given(st.lists(NUMBER_TEXTS.filter(lambda v: v is not None), min_size=1, max_size=60))
@settings(max_examples=150, deadline=None)
def test_bulk_notation_votes_equal_votes_one_by_one(texts: list[str]) -> None:
    from kpilogic.sources import parsing

    distinct = sorted(set(texts))
    times = [texts.count(v) for v in distinct]
    one_by_one = parsing.detect_notation_counts(distinct, times)
    limit = parsing._BULK_VOTES
    try:
        parsing._BULK_VOTES = 0  # every list goes through the bulk votes
        bulk = parsing.detect_notation_counts(distinct, times)
    finally:
        parsing._BULK_VOTES = limit
    assert bulk == one_by_one
