"""Issue 19: CSV cells split by pyarrow's CSV reader are exactly the cells the csv module gives.

Each case is read twice: by ``ingest._text_grid`` (Arrow where it can) and by the reference
path it replaces (``text_rows`` then ``grid_frame``); the grids must be equal cell for cell,
with blanks as None and as kept. For the clean cases the Arrow split must really have been
taken (``arrow_cells`` answers), so the comparison is never between the old path and itself.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

from kpilogic.errors import ReadError
from kpilogic.sources.ingest import (
    arrow_cells,
    decode,
    grid_frame,
    read_grid,
    sniff_delimiter,
    text_grid,
    text_rows,
)

# Cases the Arrow split reads (no quotes, every line as wide as the first).
ARROW_CASES: dict[str, bytes] = {
    "clean": b"Date,Region,Revenue\n2025-01-31,North,10.5\n2025-02-28,South,7\n",
    "dutch": b"Datum;Regio;Omzet\n31-01-2025;Noord;1.234,56\n28-02-2025;Zuid;-7,5\n",
    "tabs": b"a\tb\tc\n1\t2\t3\n",
    "crlf": b"a,b\r\n1,2\r\n3,4\r\n",
    "no final newline": b"a,b\n1,2\n3,4",
    "blank cells and spaces": b"a,b,c\n  x , ,\n,,  \n 1 ,2, 3\n",
    "trailing delimiter": b"a,b,\n1,2,\n3,4,\n",
    "unicode spaces": "a,b\n\u00a0x\u2003,\u3000\n\u2028y,z\u202f\n".encode(),
    "bom": b"\xef\xbb\xbfa;b\n1;2\n",
    "cp1252": "Naam;Bedrag\nCaf\u00e9;\u20ac 5\n".encode("cp1252"),
    "utf16": "a\tb\n1\t2\n".encode("utf-16"),
    "title rows above": b"Sales report,,\n,,\nDate,Region,Revenue\n2025-01-31,North,1\n",
    "pipe": b"a|b\n1|2\n",
}
# Cases left to the csv module (quotes, ragged or blank lines, one column, a lone CR).
CSV_MODULE_CASES: dict[str, bytes] = {
    "quoted": b'a,b\n"1,5",x\n"say ""hi""",y\n',
    "ragged": b"a,b,c\n1,2\n3,4,5,6\n",
    "blank line": b"a,b\n1,2\n\n3,4\n",
    "two trailing newlines": b"a,b\n1,2\n\n",
    "one column": b"a\n1\n\n2\n",
    "lone carriage return": b"a,b\r1,2\n",
    "file separator": b"a,b\n\x1cx,2\n",
}


def _reference(data: bytes, name: str, blanks: bool) -> pd.DataFrame:
    rows, _ = text_rows(data, name)
    return grid_frame(rows, blanks=blanks)


@pytest.mark.parametrize("case", sorted(ARROW_CASES))
@pytest.mark.parametrize("blanks", [True, False])
def test_arrow_split_equals_csv_module(case: str, blanks: bool) -> None:
    data = ARROW_CASES[case]
    text = decode(data)
    delim = sniff_delimiter(text)
    assert delim is not None
    assert arrow_cells(text, delim) is not None, "the Arrow split must be taken here"
    grid, found = text_grid(data, "f.csv", blanks)
    assert found == delim
    pd.testing.assert_frame_equal(grid, _reference(data, "f.csv", blanks))


@pytest.mark.parametrize("case", sorted(CSV_MODULE_CASES))
@pytest.mark.parametrize("blanks", [True, False])
def test_files_the_arrow_split_declines_read_as_before(case: str, blanks: bool) -> None:
    data = CSV_MODULE_CASES[case]
    text = decode(data)
    delim = sniff_delimiter(text) or ","
    assert arrow_cells(text, delim) is None
    try:
        expected = _reference(data, "f.csv", blanks)
    except ReadError as exc:  # the lone CR: the csv module refuses it, so must we
        with pytest.raises(ReadError) as got:
            text_grid(data, "f.csv", blanks)
        assert got.value.key == exc.key
        return
    grid, _ = text_grid(data, "f.csv", blanks)
    pd.testing.assert_frame_equal(grid, expected)


def test_blank_cells_are_none_or_empty_text() -> None:
    # " , ," under a, b, c: three blank cells after stripping.
    grid, _ = text_grid(b"a,b,c\nx, ,\n", "f.csv", True)
    assert grid.iloc[1].tolist() == ["x", None, None]
    grid, _ = text_grid(b"a,b,c\nx, ,\n", "f.csv", False)
    assert grid.iloc[1].tolist() == ["x", "", ""]


def test_only_blank_cells_is_empty_file() -> None:
    with pytest.raises(ReadError) as got:
        read_grid(b"a,b\n".replace(b"a", b" ").replace(b"b", b" ") + b" , \n", "f.csv")
    assert got.value.key == "error.read.empty"


def test_shape_limit_holds_on_the_arrow_split(monkeypatch: pytest.MonkeyPatch) -> None:
    # 6 lines (header + 5) over a limit of 5 rows: refused with the shape message.
    monkeypatch.setenv("KOERS_MAX_ROWS", "5")
    data = b"a,b\n" + b"1,2\n" * 5
    with pytest.raises(ReadError) as got:
        read_grid(data, "f.csv")
    assert got.value.key == "error.read.too_many_rows_csv"
    assert got.value.params["count"] == "6"


def test_wide_csv_is_refused_quickly() -> None:
    # 16,384 columns × 10 rows (issue 19's wide CSV): over the 1,000-column limit, refused on
    # its first lines; the budget is 2 s (a generous wall-clock bound on a shared machine).
    header = ",".join(f"c{i}" for i in range(16_384))
    body = "\n".join(",".join(str((i * j) % 97) for j in range(16_384)) for i in range(10))
    data = f"{header}\n{body}\n".encode()
    started = time.perf_counter()
    with pytest.raises(ReadError) as got:
        read_grid(data, "wide.csv")
    assert time.perf_counter() - started < 2.0
    assert got.value.key == "error.read.too_many_columns_csv"
