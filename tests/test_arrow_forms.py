"""Issue 19, csv in one Arrow pass: the byte-level shortcuts of ``sources.fastread`` give
what the slower checks they replace give, on random input.

- ``_typed_text`` decides plain numbers and ISO dates on the cells' bytes (numpy) instead
  of a regular expression per cell: compared with the patterns themselves, applied by
  Python's ``re`` a cell at a time, and with ``float`` / ``date.fromisoformat``;
- the split keeps cells untrimmed where no cell can need trimming (``_edges_plain``):
  whenever it says so, ``str.strip`` and Arrow's trim change nothing;
- the split refuses the files the old unsafe-character pattern refused (a lone carriage
  return searched in the file, the other characters in the columns it split), but for
  blank lines, which the fast path refuses on their own;
- the totals-word search on a column's bytes (``_may_hold_total``) never misses a cell the
  regular expression finds;
- the bytes handed to Arrow (``_utf8``) are those of ``ingest.decode``'s text;
- and random csv files read the fast way equal the exact way (the value parsers).
"""

from __future__ import annotations

import math
import random
import re
from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac
import pytest

from kpilogic.scorecard.model import Dataset
from kpilogic.sources import fastread, parsing
from kpilogic.sources.fastread import (
    _COMMA,
    _EITHER_POINT,
    _ISO_DATE,
    _POINT,
    _TOTAL_WORDS,
    _WHOLE,
    FAST_READ_ENV,
    _edges_plain,
    _may_hold_total,
    _sniff_start,
    _typed_text,
    _utf8,
    fast_tidy,
)
from kpilogic.sources.ingest import _arrow_unsafe, decode, sniff_delimiter
from kpilogic.sources.parsing import MAX_TEXT, is_date_name
from kpilogic.sources.pipeline import read_dataset, typed_table

# -- the oracle: the patterns a cell at a time ------------------------------------------------


def _spec(values: list[str | None], name: str, notation: str | None) -> object:
    """What ``_typed_text`` must give, from its docstring's rules and the module's
    patterns applied by Python's ``re`` (not RE2, not numpy): None, or ("date", days) or
    ("number", notation, numbers)."""
    present = [v for v in values if v is not None]
    if not present or max(len(v.encode()) for v in present) > MAX_TEXT:
        return None
    if all(re.fullmatch(_ISO_DATE, v) for v in present):
        days: list[date | None] = []
        for v in values:
            if v is None:
                days.append(None)
                continue
            try:
                day = date.fromisoformat(v)
            except ValueError:
                return None  # no such day
            if not date(1677, 9, 23) <= day <= date(2262, 4, 10):
                return None
            days.append(day)
        return ("date", days)
    if is_date_name(name):
        return None
    if all(re.fullmatch(_WHOLE, v) for v in present):
        separator = ""
    elif all(re.fullmatch(_POINT, v) for v in present):
        separator = "."
    elif all(re.fullmatch(_COMMA, v) for v in present):
        separator = ","
    else:
        return None
    used = notation
    if used is None:
        dotted = [v for v in present if "." in v]
        used = "en" if any(not re.fullmatch(_EITHER_POINT, v) for v in dotted) else "nl"
    if (separator == "." and used != "en") or (separator == "," and used != "nl"):
        return None
    numbers = [None if v is None else float(v.replace(",", ".")) + 0.0 for v in values]
    return ("number", used, numbers)


def _got(values: list[str | None], name: str, notation: str | None) -> object:
    done = _typed_text(pa.array(values, pa.string()), name, notation)  # type: ignore[arg-type]
    if done is None:
        return None
    array, report = done
    assert report.failed == 0 and report.parsed == sum(v is not None for v in values)
    assert report.blank == sum(v is None for v in values)
    if report.kind == "date":
        assert array.type == pa.timestamp("ns") and report.dayfirst
        return ("date", [None if d is None else d.date() for d in array.to_pylist()])
    assert array.type == pa.float64()
    return ("number", report.notation, array.to_pylist())


def _same(a: object, b: object) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "number":
        if a[1] != b[1] or len(a[2]) != len(b[2]):
            return False
        for x, y in zip(a[2], b[2], strict=True):
            if x is None or y is None:
                if x is not y:
                    return False
            elif x != y or math.copysign(1, x) != math.copysign(1, y):
                return False  # -0.0 is not 0.0 here
        return True
    return a == b


_NOISE = [*"0123456789-.,/+e E\u00a0a#", "٣", "é", "\t"]


def _number(rng: random.Random, separator: str) -> str:
    whole = rng.choice(["0", "7", "12", "305", "1234", "-0", "-5", "-007", "00", "05"])
    if separator and rng.random() < 0.7:
        return whole + separator + rng.choice(["0", "5", "25", "234", "500", "1"])
    return whole


def _date(rng: random.Random) -> str:
    year = rng.choice([1600, 1677, 1900, 2000, 2023, 2024, 2262, 2300, 9999])
    month = rng.choice([1, 2, 9, 12, 13, 0])
    day = rng.choice([1, 10, 22, 23, 28, 29, 30, 31, 0])
    return f"{year:04d}-{month:02d}-{day:02d}"


def _mutate(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    choice = rng.random()
    if choice < 0.4:
        return text[:at] + rng.choice(_NOISE) + text[at:]
    if choice < 0.7 and text:
        at = min(at, len(text) - 1)
        return text[:at] + rng.choice(_NOISE) + text[at + 1 :]
    return text[:at] + text[at + 1 :]


def _column(rng: random.Random) -> list[str | None]:
    style = rng.choice(["", ".", ",", "date", "date", "mixed"])
    cells: list[str | None] = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.15:
            cells.append(None)
        elif style == "date":
            cells.append(
                _date(rng)
                if rng.random() < 0.6
                else f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            )
        elif style == "mixed":
            cells.append(_number(rng, rng.choice(["", ".", ","])))
        else:
            cells.append(_number(rng, style))
    for i, cell in enumerate(cells):
        if cell is not None and rng.random() < 0.12:
            cells[i] = _mutate(rng, cell)
    return cells


def test_typed_text_gives_what_the_patterns_give_on_random_columns() -> None:
    rng = random.Random(1919)
    taken = {"number": 0, "date": 0, "none": 0}
    for _ in range(8_000):
        values = _column(rng)
        name = rng.choice(["x", "x", "x", "Datum"])
        notation = rng.choice([None, None, "nl", "en"])
        want = _spec(values, name, notation)
        got = _got(values, name, notation)
        assert _same(got, want), (values, name, notation, got, want)
        taken["none" if want is None else str(want[0])] += 1  # type: ignore[index]
    # Every answer occurs often (else the comparison would prove little).
    assert min(taken.values()) > 300, taken


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # The forms a plain float parser takes but the patterns do not: no typed column.
        (["1.", "2"], None),
        ([".5"], None),
        (["-.5"], None),
        (["1.2.3"], None),
        (["1..2"], None),
        (["5-"], None),
        (["-"], None),
        (["--5"], None),
        (["0012"], None),
        (["00.5"], None),
        (["1/2"], None),
        (["inf"], None),
        (["+5"], None),
        (["1e5"], None),
        (["2024-01-1 "], None),
        (["2024/01/01"], None),
        # What they take: -007 is minus seven (a code never starts with a sign), 0.5 a
        # number, -0 is 0.0 and -0.5 stays negative.
        (["-007", "0.5", "-0", "-0.5"], ("number", "en", [-7.0, 0.5, 0.0, -0.5])),
        (["2262-04-10", "1677-09-23"], ("date", [date(2262, 4, 10), date(1677, 9, 23)])),
        (["2262-04-11"], None),  # Arrow holds it, Koers' window ends a day earlier
    ],
)
def test_typed_text_edge_cases(values: list[str | None], expected: object) -> None:
    assert _same(_got(values, "x", None), expected)
    assert _same(_spec(values, "x", None), expected)


# -- trimming ------------------------------------------------------------------------------

_SPACEY = ["a", "b", "1", " ", "\t", "\u00a0", "\u2003", "é", "\x0b", "\x0c", "\u3000", "x y"]


def test_plain_edges_need_no_trimming() -> None:
    rng = random.Random(7)
    plain = 0
    for _ in range(4_000):
        cells = [
            "".join(rng.choice(_SPACEY) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 5))
        ]
        array = pa.array(cells, pa.string())
        for texts in (array, array.slice(1)):  # an offset into Arrow's buffers too
            if _edges_plain(texts):
                plain += 1
                strings = texts.to_pylist()
                assert all(s.strip() == s for s in strings), strings
                assert pac.utf8_trim_whitespace(texts).to_pylist() == strings
    assert 1_000 < plain < 7_000


# -- the unsafe characters, the bytes, the totals words ----------------------------------------


def test_the_split_refuses_what_the_unsafe_pattern_finds() -> None:
    # Rectangular files (every line two cells) whose cells hold the characters on which
    # Arrow's split and the csv module's could differ: the split (a lone \r searched in
    # the file, the rest in the columns it split) refuses exactly the files the old
    # pattern refused, but for blank lines, which _plain_facts refuses after it.
    rng = random.Random(19)
    alphabet = ['"', "\x00", "\x1c", "\x1f", "\x1b", "\r", "a", "a", "1", " ", "é", "\t"]
    refused = 0
    for _ in range(3_000):
        rows = [
            [
                "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
                if rng.random() < 0.3
                else "x"
                for _ in range(2)
            ]
            for _ in range(rng.randint(1, 4))
        ]
        text = rng.choice(["\n", "\r\n"]).join(",".join(r) for r in [["h", "i"], *rows]) + "\n"
        blank_line = "\n\n" in text or "\n\r\n" in text
        if blank_line:
            continue
        unsafe = _arrow_unsafe(text)
        refused += unsafe
        split = fastread._arrow_split(text.encode(), ",")
        if unsafe:
            assert split is None, repr(text)
        elif "\r" not in text.replace("\r\n", ""):
            assert split is not None and all(len(c) == len(rows) + 1 for c in split), repr(text)
    assert 300 < refused < 2_700


def test_a_totals_word_is_never_missed() -> None:
    rng = random.Random(20)
    parts = ["to", "t", "so", "m", "su", "S", "T", "O", "M", "U", "x", "ſ", "é", "-", "1"]
    found = 0
    for _ in range(5_000):
        cells = [
            "".join(rng.choice(parts) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(1, 4))
        ]
        texts = pa.array(cells, pa.string())
        if any(re.search(r"tot|som|sum", c, re.IGNORECASE) for c in cells) or bool(
            pac.any(pac.match_substring_regex(texts, _TOTAL_WORDS)).as_py()
        ):
            found += 1
            assert _may_hold_total(texts), cells
    assert 500 < found < 4_500


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n1,2\n",
        "a;b\ncaf\u00e9;2\n".encode(),
        "a;b\ncaf\u00e9;2\n".encode("cp1252"),
        "a;b\ncaf\u00e9;2\n".encode("utf-8-sig"),
        "a;b\ncaf\u00e9;2\n".encode("utf-16"),
        b"a,b\n\x81\x8d,2\n",  # no UTF-8, no cp1252 either: latin-1
    ],
)
def test_arrow_gets_the_bytes_of_the_decoded_text(data: bytes) -> None:
    raw, text = _utf8(data)
    assert raw == decode(data).encode("utf-8")
    assert text is None or text == decode(data)
    assert text is not None or data.isascii()


def test_sniffing_ascii_bytes_gives_the_delimiter_of_the_text() -> None:
    texts = [
        "a;b;c\r\n" + "1;2;3\r\n" * 60 + "x,y\n" * 20_000,
        "a,b\n1,2\n",
        "a;b\n" * 49 + "a,b,c,d\n" * 30_000,
        "x" * 70_000 + "\n" + "a,b\n" * 10,
        "a\tb\n" + "1\t2\n" * 300_000,
    ]
    for text in texts:
        assert _sniff_start(text.encode("ascii"), None) == sniff_delimiter(text)


# -- whole files: the fast way against the exact way ----------------------------------------


def _both(text: str, monkeypatch: pytest.MonkeyPatch, notation: str | None) -> bool:
    data = text.encode()
    dataset = Dataset(id="d", name="D", source="t.csv", date_column="Date", notation=notation)
    monkeypatch.setenv(FAST_READ_ENV, "1")
    taken = fast_tidy(data, "t.csv", dataset) is not None
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
    return taken


def test_random_csv_files_read_as_the_exact_path_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(2026)
    taken = 0
    for _ in range(40):
        rows = rng.randint(3, 30)
        delim = rng.choice([",", ";"])
        columns: dict[str, list[str]] = {
            "Date": [
                f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(rows)
            ],
            "Region": [
                rng.choice(["Noord", "Zuid", " Oost", "West ", "Total"]) for _ in range(rows)
            ],
        }
        for k in range(rng.randint(1, 3)):
            style = rng.choice(["", ".", ","])
            cells = [_number(rng, style) for _ in range(rows)]
            for i in range(rows):
                if rng.random() < 0.05:
                    cells[i] = ""
                elif rng.random() < 0.05:
                    cells[i] = _mutate(rng, cells[i]).replace(delim, "").replace("\t", "")
                elif rng.random() < 0.05:
                    cells[i] = f" {cells[i]}"
            columns[f"Value {k}"] = cells
        if rng.random() < 0.3:
            columns["Region"] = [r.strip().replace("Total", "Zuid") for r in columns["Region"]]
        if rng.random() < 0.2:
            columns["Date"][rng.randrange(rows)] = rng.choice(["2025-02-30", "", "2025-1-05"])
        newline = rng.choice(["\n", "\r\n"])
        lines = [delim.join(columns)]
        lines += [delim.join(values[i] for values in columns.values()) for i in range(rows)]
        text = newline.join(lines) + newline
        taken += _both(text, monkeypatch, rng.choice([None, "nl", "en"]))
    assert taken >= 10  # the fast path was really compared with the exact one


def test_the_date_bounds_are_days() -> None:
    # The window is compared on timestamps now: its first and last day are in it.
    window = (datetime(1677, 9, 23), datetime(2262, 4, 10))
    assert window == (fastread._FIRST_DAY, fastread._LAST_DAY)


# -- a text column's certain cells in one pass (parsing._certain_cells) ----------------------


def _certain_by_formula(texts: pa.Array) -> int:
    """``_certain_cells``'s definition, every kernel on its own (the general route)."""
    filled = pac.not_equal(pac.utf8_trim(texts, parsing._SPACE_CHARS + "\r\n"), "")
    no_digit = pac.invert(pac.match_substring_regex(texts, parsing._DIGIT_DASH_HASH))
    odd = pac.and_(
        pac.and_(pac.string_is_ascii(texts), pac.invert(pac.match_substring(texts, "#"))),
        pac.match_substring_regex(pac.ascii_lower(texts), parsing._odd_word_pattern()),
    )
    return int(pac.sum(pac.and_(filled, pac.or_(no_digit, odd))).as_py() or 0)


def test_certain_cells_in_one_pass_count_what_the_formula_counts() -> None:
    rng = random.Random(31)
    tokens = [
        *("SO", "so", "-", "12", "2026", "mrt", "Maart", "q", "K", "week", "Web", "e", "E"),
        *(" ", "\t", "\n", "\r", ".", ",", "/", "Noord", "x", "EUR", "t", "jaar"),
    ]
    rare = ["#", "é", "\u00a0", "–", "١"]
    ascii_columns = no_space = 0
    for _ in range(600):
        pool = tokens + (rare if rng.random() < 0.3 else [])
        cells = [
            "".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))
            for _ in range(rng.randint(1, 30))
        ]
        start = rng.randint(0, len(cells) - 1)
        for kind in (pa.string(), pa.large_string()):
            texts = pa.array(cells, kind)
            for part in (texts, texts.slice(start)):  # an offset into Arrow's buffers too
                cells_here = part.to_pylist()
                ascii_columns += all(c.isascii() and "#" not in c for c in cells_here)
                no_space += all(
                    c.isascii() and not any(ch in c for ch in "# \t\r\n") for c in cells_here
                )
                assert parsing._certain_cells(part) == _certain_by_formula(part), part
    assert 600 < ascii_columns < 2_200  # both routes taken
    assert no_space > 50  # and the one-pass route without a space to trim


def test_blank_cells_are_null_and_edges_trimmed_in_the_split() -> None:
    # Row by row: "1" and ""; "" and " 2"; "3" and "\t"; "x y " and "4". Column a has one
    # empty cell (null), column b one padded number (trimmed) and one tab (blank: null).
    data = b"a,b\n1,\n, 2\n3,\t\nx y ,4\n"
    read = fastread._csv_columns(data, "t.csv")
    assert read is not None
    assert read.names == ["a", "b"]
    assert read.columns[0].to_pylist() == ["1", None, "3", "x y"]
    assert read.columns[1].to_pylist() == [None, "2", None, "4"]
    # The head holds them as the exact path's grid does: blank as "".
    assert [c.to_pylist() for c in read.raw] == [["1", "", "3", "x y"], ["", "2", "", "4"]]
    # A file without any space or empty cell keeps Arrow's columns as they were read.
    plain = fastread._csv_columns(b"a,b\n1,2\n3,4\n", "t.csv")
    assert plain is not None and plain.columns[1].null_count == 0
    assert fastread._has_empty(pa.array(["1", ""])) and not fastread._has_empty(pa.array(["1"]))


def test_parse_table_output_edited_leaves_its_input_as_it_was() -> None:
    # parse_table copies the frame shallowly now (pandas copies a column on write).
    frame = pd.DataFrame({"a": ["1", "2,5"], "b": [1.0, 2.0], "c": ["x", "y"]})
    out = parsing.parse_table(frame, {"a": "number"}, notation="nl").frame
    out.loc[0, "b"] = 99.0
    out.loc[1, "c"] = "z"
    assert out["a"].tolist() == [1.0, 2.5]  # 2,5 in Dutch is two and a half
    assert frame["a"].tolist() == ["1", "2,5"]
    assert frame["b"].tolist() == [1.0, 2.0] and frame["c"].tolist() == ["x", "y"]


def test_the_head_lines_are_the_first_lines_of_the_first_mebibyte() -> None:
    # Long and short files, a \r\n cut at the 64 KiB boundary, long lines.
    texts = [
        "a;b;c\r\n" + "1;2;3\r\n" * 60 + "x,y\n" * 20_000,
        "a,b\n1,2\n",
        ("a\t" + "b" * 1300 + "\r\n") * 49 + "a\t" + "c" * 1637 + "\r\n" + "x,y,z\r\n" * 10,
        "x" * 70_000 + "\n" + "a,b\n" * 10,
        ("q" * 1309 + "\r\n") * 60,
    ]
    for text in texts:
        expected = text[: 1 << 20].splitlines()[:50]
        assert fastread._head_lines(b"", text) == expected
        if text.isascii():
            assert fastread._head_lines(text.encode(), None) == expected
