"""Issue 19: the fast path (``sources.fastread``) gives the very ``Tidy`` the exact path gives.

Every case is read twice through ``pipeline.read_dataset``: with the fast path on and with
``KOERS_FAST_READ=0`` (the grid of Python objects and the layout rules on every cell). Frame,
parse report, layout, wide-table guess and row numbers must be equal. Plain tables must really
take the fast path (else the comparison would be of the exact path with itself); messy ones
may take it only where the result is the same, and the ones it must decline are named.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Dataset
from kpilogic.sources.fastread import FAST_READ_ENV, fast_tidy
from kpilogic.sources.layout import Tidy
from kpilogic.sources.pipeline import read_dataset, typed_table

CORPUS = Path(__file__).parent / "corpus"


def _book(rows: list[list[Any]], at: tuple[int, int] = (1, 1), sheet: str = "Data") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(at[0] + i, at[1] + j, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _orders(n: int) -> list[list[Any]]:
    regions = ["North", "South", "East", "West"]
    rows: list[list[Any]] = [["Date", "Region", "Order", "Revenue", "Units"]]
    for i in range(n):
        rows.append(
            [
                datetime(2024, 1, 1) + timedelta(days=i % 400),
                regions[i % 4],
                f"SO-{i:05d}",
                round(10 + (i * 7.31) % 90, 2),
                float(1 + i % 5),
            ]
        )
    return rows


def _csv(rows: list[list[Any]], delim: str = ",") -> bytes:
    def cell(v: Any) -> str:
        if isinstance(v, datetime):
            return v.date().isoformat()
        return "" if v is None else str(v)

    return "\n".join(delim.join(cell(v) for v in row) for row in rows).encode() + b"\n"


def _read(
    data: bytes, name: str, sheet: str | None, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> Tidy | KoersError:
    monkeypatch.setenv(FAST_READ_ENV, "1" if fast else "0")
    dataset = Dataset(id="d", name="D", source=name, sheet=sheet, date_column="Date")
    try:
        return read_dataset(data, name, dataset)
    except KoersError as exc:
        return exc


def _taken(data: bytes, name: str, sheet: str | None) -> bool:
    dataset = Dataset(id="d", name="D", source=name, sheet=sheet, date_column="Date")
    try:
        return fast_tidy(data, name, dataset) is not None
    except KoersError:
        return False


def _assert_same(
    data: bytes, name: str, sheet: str | None, monkeypatch: pytest.MonkeyPatch
) -> bool:
    """Both paths agree; returns whether the fast path was taken."""
    monkeypatch.setenv(FAST_READ_ENV, "1")
    taken = _taken(data, name, sheet)
    fast = _read(data, name, sheet, monkeypatch, True)
    exact = _read(data, name, sheet, monkeypatch, False)
    if isinstance(exact, KoersError):
        assert isinstance(fast, KoersError) and fast.key == exact.key and not taken
        return taken
    assert isinstance(fast, Tidy)
    pd.testing.assert_frame_equal(fast.frame, exact.frame)
    assert fast.report == exact.report
    assert fast.layout == exact.layout
    assert fast.wide == exact.wide
    assert fast.row_numbers == exact.row_numbers
    pd.testing.assert_frame_equal(typed_table(fast.frame, "Date"), typed_table(exact.frame, "Date"))
    return taken


def test_plain_workbook_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3,000 rows (more than fastexcel's 1,000-row type sample and the 200-row head).
    data = _book(_orders(3000))
    assert _assert_same(data, "orders.xlsx", "Data", monkeypatch)
    monkeypatch.setenv(FAST_READ_ENV, "1")
    done = read_dataset(
        data,
        "orders.xlsx",
        Dataset(id="d", name="D", source="orders.xlsx", sheet="Data", date_column="Date"),
    )
    # 3,000 data rows below the header in row 1: rows 2..3001.
    assert len(done.frame) == 3000 and done.row_numbers[0] == 2 and done.row_numbers[-1] == 3001
    assert str(done.frame["Revenue"].dtype) == "float64"
    assert str(done.frame["Date"].dtype) == "datetime64[ns]"


def test_plain_csv_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _assert_same(_csv(_orders(3000)), "orders.csv", None, monkeypatch)


def test_table_not_at_a1_keeps_its_row_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Column names in C4: the first data row is spreadsheet row 5.
    data = _book(_orders(50), at=(4, 3))
    assert _assert_same(data, "orders.xlsx", "Data", monkeypatch)


def test_blank_cells_and_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _orders(300)
    rows[5][3] = None  # a missing revenue
    rows[6][1] = "  South  "  # spaces around text
    rows[7][4] = None
    assert _assert_same(_book(rows), "orders.xlsx", "Data", monkeypatch)
    assert _assert_same(_csv(rows), "orders.csv", None, monkeypatch)


def test_dutch_text_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[list[Any]] = [["Datum", "Regio", "Omzet"]]
    rows += [[f"{1 + i % 28:02d}-01-2025", "Noord", f"{i},{i % 100:02d}"] for i in range(200)]
    data = _csv(rows, ";")
    assert _assert_same(data, "omzet.csv", None, monkeypatch)
    assert _assert_same(_book(rows), "omzet.xlsx", "Data", monkeypatch)


def test_stray_number_in_a_date_column_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # fastexcel reads a number among dates as a date; the exact path must agree (or the
    # fast path decline).
    rows = _orders(100)
    rows[10][0] = 45300.0
    rows[20][0] = 7.0
    _assert_same(_book(rows), "orders.xlsx", "Data", monkeypatch)


MESSY: dict[str, list[list[Any]]] = {
    "title rows": [["Sales 2025", None, None], [None, None, None], *_orders(40)],
    "totals row": [*_orders(40), ["Total", None, None, 999.0, 99.0]],
    "unlabelled totals": [*_orders(40), [None, None, None, 999.0, 99.0]],
    "blank row": [*_orders(20), [None] * 5, *_orders(20)[1:]],
    "label row": [*_orders(20), ["Region North", None, None, None, None], *_orders(20)[1:]],
    "two tables": [*_orders(20), [None] * 5, ["Month", "Target"], ["jan", 5.0], ["feb", 6.0]],
    "repeated header": [*_orders(20), [None] * 5, *_orders(20)],
    "duplicate names": [
        ["Date", "Revenue", "Revenue"],
        [datetime(2025, 1, 1), 1.0, 2.0],
        [datetime(2025, 1, 2), 3.0, 4.0],
    ],
    "blank name": [
        ["Date", None, "Revenue"],
        [datetime(2025, 1, 1), "x", 2.0],
        [datetime(2025, 1, 2), "y", 4.0],
    ],
    "wide periods": [
        ["Region", "jan 2025", "feb 2025", "mrt 2025"],
        ["North", 1.0, 2.0, 3.0],
        ["South", 4.0, 5.0, 6.0],
    ],
    "year names": [["Region", 2024, 2025], ["North", 1.0, 2.0], ["South", 3.0, 4.0]],
    "mixed column": [
        ["Date", "Region", "Revenue"],
        [datetime(2025, 1, 1), "N", 1.0],
        [datetime(2025, 1, 2), "S", "n/a"],
    ],
    "text number among numbers": [*_orders(30), [datetime(2025, 1, 1), "N", "x", "2.5", 1.0]],
    "n/a among numbers": [*_orders(30), [datetime(2025, 1, 1), "N", "x", "n/a", 1.0]],
    "nan text among numbers": [*_orders(30), [datetime(2025, 1, 1), "N", "x", "nan", 1.0]],
    "true among numbers": [*_orders(30), [datetime(2025, 1, 1), "N", "x", True, 1.0]],
    "date among numbers": [
        *_orders(30),
        [datetime(2025, 1, 1), "N", "x", datetime(2025, 1, 1), 1.0],
    ],
    "blank text cell": [*_orders(30), [datetime(2025, 1, 1), "   ", "x", 1.0, 1.0]],
    "summer word": [
        ["Date", "Season", "Revenue"],
        [datetime(2025, 7, 1), "Summer", 1.0],
        [datetime(2025, 7, 2), "Winter", 2.0],
    ],
}
DECLINED = {
    "text number among numbers",
    "n/a among numbers",
    "nan text among numbers",
    "true among numbers",
    "date among numbers",
    "blank text cell",
    "title rows",
    "totals row",
    "unlabelled totals",
    "blank row",
    "label row",
    "two tables",
    "repeated header",
    "duplicate names",
    "blank name",
    "wide periods",
    "year names",
    "mixed column",
    "summer word",
}


@pytest.mark.parametrize("case", sorted(MESSY))
def test_messy_sheets_read_as_before(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _assert_same(_book(MESSY[case]), "messy.xlsx", "Data", monkeypatch)
    assert taken == (case not in DECLINED)
    _assert_same(_csv(MESSY[case]), "messy.csv", None, monkeypatch)


def test_merged_cells_decline(monkeypatch: pytest.MonkeyPatch) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_book(_orders(30))))
    ws = wb.active
    assert ws is not None
    ws.merge_cells("B3:B4")
    out = io.BytesIO()
    wb.save(out)
    assert not _assert_same(out.getvalue(), "orders.xlsx", "Data", monkeypatch)


def test_guard_off_takes_the_exact_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOERS_READ_GUARD", "0")
    data = _book(_orders(20)) + b""  # new bytes: not remembered by the guard
    data = _book(_orders(21))
    assert not _taken(data, "orders.xlsx", "Data")


def _corpus_books() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in {".xlsx", ".xlsm"})


@pytest.mark.parametrize("path", _corpus_books(), ids=lambda p: p.name)
def test_corpus_reads_as_before(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    data = path.read_bytes()
    try:
        sheets = list(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:
        sheets = []
    for sheet in [None, *sheets[:3]]:
        _assert_same(data, path.name, sheet, monkeypatch)


def test_text_cell_count_is_exact_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    import kpilogic.sources.fastread as fastread

    # 40 cells, every third one text (t="s"), one formula string, one inline string: 14 + 1 + 1
    # text cells, however the XML is cut into chunks of 1 to 13 bytes.
    cells = [
        f'<c r="A{i}" t="s"><v>{i}</v></c>' if i % 3 == 0 else f'<c r="A{i}"><v>{i}</v></c>'
        for i in range(40)
    ]
    cells += ['<c r="B1" t="str"><v>x</v></c>', '<c r="B2" t="inlineStr"><is><t>y</t></is></c>']
    xml = ("<sheetData>" + "".join(cells) + "</sheetData>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    for size in range(1, 14):
        monkeypatch.setattr(fastread, "_CHUNK", size)
        with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
            counts = fastread._count_in_stream(archive, "xl/worksheets/sheet1.xml")
        assert counts[b't="s"'] == 14, size
        assert counts[b't="str"'] == 1 and counts[b't="inlineStr"'] == 1, size
        assert counts[b't="e"'] == 0, size
