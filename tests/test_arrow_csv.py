"""Issue 19, csv on Arrow: the quicker checks give what the slower ones gave, and a csv's
columns typed by Arrow read exactly as the value parsers read them."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Dataset
from kpilogic.sources.fastread import FAST_READ_ENV, _sniff, _typed_text, fast_tidy
from kpilogic.sources.ingest import _ARROW_CSV_UNSAFE, _arrow_unsafe, sniff_delimiter
from kpilogic.sources.layout import Tidy
from kpilogic.sources.pipeline import read_dataset, typed_table


def test_unsafe_characters_found_as_the_regex_finds_them() -> None:
    rng = random.Random(19)
    alphabet = ['"', "\x00", "\x1c", "\x1f", "\x1b", "\r", "\n", "\n", "a", ",", " ", "\t"]
    texts = ["", "\n", "\r\n", "a\r\nb", "a\rb", "a\n\nb", "a\n\r\nb", "a\r\n\r\nb"]
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20_000)
    ]
    found = [bool(_ARROW_CSV_UNSAFE.search(t)) for t in texts]
    assert [_arrow_unsafe(t) for t in texts] == found
    assert 1_000 < sum(found) < len(texts) - 1_000  # both answers occur


def test_sniffing_a_start_of_the_text_gives_the_same_delimiter() -> None:
    # The first 50 lines decide; a long file whose later lines use another separator, and
    # short files, and a cut that falls on a \r\n.
    head = "a;b;c\r\n" + "1;2;3\r\n" * 60
    texts = [
        head + "x,y\n" * 20_000,
        "a,b\n1,2\n",
        "a;b\n" * 49 + "a,b,c,d\n" * 30_000,
        "x" * 70_000 + "\n" + "a,b\n" * 10,
        # 50 lines, the 50th ending in a \r that is the last character of the first 64 KiB
        # (its \n just after): that start holds 50 lines only, so the whole text decides.
        ("a\t" + "b" * 1300 + "\r\n") * 49 + "a\t" + "c" * 1637 + "\r\n" + "x,y,z\r\n" * 10,
    ]
    assert texts[-1][(1 << 16) - 1] == "\r"
    for text in texts:
        assert _sniff(text) == sniff_delimiter(text)


# -- columns typed by Arrow read as the value parsers read them ------------------------------


def _both(
    text: str, monkeypatch: pytest.MonkeyPatch, notation: str | None = None
) -> tuple[Tidy, Tidy]:
    """The csv read on Arrow (which must take it) and the exact way; equal in every part."""
    data = text.encode()
    dataset = Dataset(id="d", name="D", source="t.csv", date_column="Date", notation=notation)
    monkeypatch.setenv(FAST_READ_ENV, "1")
    assert fast_tidy(data, "t.csv", dataset) is not None
    fast = read_dataset(data, "t.csv", dataset)
    monkeypatch.setenv(FAST_READ_ENV, "0")
    exact = read_dataset(data, "t.csv", dataset)
    pd.testing.assert_frame_equal(fast.frame, exact.frame, check_exact=True)
    assert fast.report == exact.report
    assert list(fast.report.columns) == list(exact.report.columns)
    assert fast.layout == exact.layout and fast.row_numbers == exact.row_numbers
    pd.testing.assert_frame_equal(
        typed_table(fast.frame, "Date"), typed_table(exact.frame, "Date"), check_exact=True
    )
    return fast, exact


def _table(columns: dict[str, list[str]], delim: str = ",") -> str:
    n = len(next(iter(columns.values())))
    rows = [delim.join(columns)]
    rows += [delim.join(values[i] for values in columns.values()) for i in range(n)]
    return "\n".join(rows) + "\n"


def _typed(values: list[str], name: str = "x", notation: str | None = None) -> object:
    column = pa.array([v or None for v in values], pa.string())
    return _typed_text(column, name, notation)  # type: ignore[arg-type]


def test_plain_numbers_and_iso_dates_are_typed_by_arrow() -> None:
    whole = _typed(["12", "-3", "", "0", "-0"])
    assert whole is not None
    numbers, report = whole  # type: ignore[misc]
    # 12, -3, blank, 0, -0 → 12.0, -3.0, NaN, 0.0, 0.0 (no -0.0); 4 read, 1 blank,
    # no votes on the notation → Dutch, the default.
    values = numbers.to_numpy(zero_copy_only=False)
    assert values[0] == 12.0 and values[1] == -3.0 and np.isnan(values[2])
    assert values[4] == 0.0 and not np.signbit(values[4])
    assert (report.parsed, report.blank, report.failed, report.notation) == (4, 1, 0, "nl")
    # 12.5 votes English, 1.234 votes nothing: English, so 1.234 is one point two three four.
    done = _typed(["12.5", "1.234"])
    assert done is not None and done[1].notation == "en"  # type: ignore[index]
    assert done[0].to_pylist() == [12.5, 1.234]  # type: ignore[index]
    # Dutch decimals: 12,5 → 12.5; -0,25 → -0.25.
    done = _typed(["12,5", "-0,25"])
    assert done is not None and done[0].to_pylist() == [12.5, -0.25]  # type: ignore[index]
    days = _typed(["2026-03-31", "", "2024-02-29"])
    assert days is not None and days[1].kind == "date" and days[1].dayfirst  # type: ignore[index]
    assert (days[1].parsed, days[1].blank) == (2, 1)  # type: ignore[index]


@pytest.mark.parametrize(
    ("values", "name", "notation"),
    [
        (["1.234", "5.678"], "x", None),  # no vote: Dutch, so 1234 and 5678: the parsers read
        (["12.5"], "x", "nl"),  # a point in a column the dataset says is Dutch
        (["12,5"], "x", "en"),
        (["12.5", "1,5"], "x", None),  # both separators
        (["007", "12"], "x", None),  # a code with a leading zero
        (["2024", "2025"], "Jaar", None),  # a name that says date: years are dates there
        (["+5", "6"], "x", None),
        (["1e5"], "x", None),
        (["2023-02-30"], "x", None),  # no such day
        (["1600-01-01"], "x", None),  # before the dates Koers can hold
        (["2026-03-31 10:00"], "x", None),
        (["", ""], "x", None),
        (["1" * 101], "x", None),
    ],
)
def test_other_columns_are_left_to_the_value_parsers(
    values: list[str], name: str, notation: str | None
) -> None:
    assert _typed(values, name, notation) is None


CASES = {
    "orders": {
        "Date": ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"],
        "Region": ["Noord", "Zuid", "Oost", "West"],
        "Units": ["12", "-3", "", "-0"],
        "Revenue": ["12.5", "1.234", "0.1", "99999999999999.99"],
        "Code": ["007", "012", "100", "200"],
    },
    "dutch": {
        "Date": ["2025-01-31", "", "2025-03-31", "2025-04-30"],
        "Region": ["Noord", "Zuid", "Oost", "West"],
        "Omzet": ["12,5", "-0,25", "1,234", "3"],
        "Aantal": ["1.234", "5.678", "1.000", "2"],
        "Jaar": ["2024", "2025", "2024", "2025"],
    },
    "not quite": {
        "Date": ["2025-01-31", "2025-02-30", "2025-03-31", "1600-01-01"],
        "Region": ["Noord", "Zuid", "Oost", "West"],
        "Revenue": ["12.5", "n/a", "3", "4"],
        "Plus": ["+5", "6", "7", "8"],
        "Exp": ["1e5", "2", "3", "4"],
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("notation", [None, "nl", "en"])
def test_csv_reads_as_the_exact_path_reads_it(
    case: str, notation: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    delim = ";" if case == "dutch" else ","
    _both(_table(CASES[case], delim), monkeypatch, notation)


def test_typed_numbers_are_the_numbers_in_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = _both(_table(CASES["orders"]), monkeypatch)
    frame = fast.frame
    # Units: 12, -3, blank, -0 → 12.0, -3.0, NaN, 0.0.
    assert frame["Units"].tolist()[:2] == [12.0, -3.0] and frame["Units"].isna().tolist()[2]
    # Revenue: 12.5 votes English, so 1.234 is 1.234 (not 1234).
    assert frame["Revenue"].tolist() == [12.5, 1.234, 0.1, 99999999999999.99]
    assert fast.report.columns["Revenue"].notation == "en"
    # Code keeps its leading zeros: text.
    assert frame["Code"].tolist() == ["007", "012", "100", "200"]
    assert str(frame["Date"].dtype) == "datetime64[ns]"


def test_dutch_csv_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = _both(_table(CASES["dutch"], ";"), monkeypatch)
    frame = fast.frame
    # Omzet: 12,5 → 12.5; -0,25 → -0.25; 1,234 → 1.234 (Dutch decimals); 3 → 3.0.
    assert frame["Omzet"].tolist() == [12.5, -0.25, 1.234, 3.0]
    # Aantal: no value votes, so Dutch, the default: 1.234 is 1234, 1.000 is 1000.
    assert frame["Aantal"].tolist() == [1234.0, 5678.0, 1000.0, 2.0]
    # Jaar holds years: dates (1 January).
    assert frame["Jaar"].tolist()[0] == pd.Timestamp(2024, 1, 1)


def test_a_day_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = _both(_table(CASES["not quite"]), monkeypatch)
    # 2025-02-30 (row 3) and 1600-01-01 (row 5) are no dates Koers can hold: named.
    report = fast.report.columns["Date"]
    assert report.failed_rows == (3, 5) and report.parsed == 2


@pytest.mark.parametrize("data", [b"", b" ", b"\n\r\n\t \x0b\x0c"])
def test_only_whitespace_is_an_empty_file(data: bytes) -> None:
    from kpilogic.sources.ingest import detect_format

    with pytest.raises(KoersError) as caught:
        detect_format(data, "t.csv")
    assert caught.value.key == "error.read.empty"


def test_text_after_whitespace_is_a_csv() -> None:
    from kpilogic.sources.ingest import detect_format

    assert detect_format(b"\n  a,b\n1,2\n", "t.csv") == "csv"
