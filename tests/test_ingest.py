"""Tests of sources.ingest: reading xlsx/xls/xlsb/ods/csv bytes (kinds: test_column_kinds.py).

Files are read the way the app and the command line read them (``pipeline.read_sheet``:
raw cells, the layout step, the value parsers), then typed (``pipeline.typed_table``).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from kpilogic.errors import ReadError
from kpilogic.i18n import t
from kpilogic.sources.ingest import SPREADSHEET_SUFFIXES, list_sheets
from kpilogic.sources.parsing import profile_columns
from kpilogic.sources.pipeline import read_sheet, typed_table
from tests.conftest import CORPUS

CALAMINE = CORPUS / "calamine"


# The corpus is part of the repository (tests/corpus): a missing file fails.
def needs_corpus(test):  # type: ignore[no-untyped-def]
    return test


def xlsx_bytes(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    """An .xlsx made with openpyxl: sheet name → rows (None is an empty cell)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_table(data: bytes, name: str, sheet: str | None = None) -> pd.DataFrame:
    """One sheet read and typed as the app does it."""
    return typed_table(read_sheet(data, name, sheet).frame)


def read_workbook(data: bytes, name: str) -> dict[str, pd.DataFrame]:
    """Every sheet that holds data, by name, in the order of ``list_sheets``."""
    out: dict[str, pd.DataFrame] = {}
    for sheet in list_sheets(data, name):
        try:
            df = read_table(data, name, sheet)
        except ReadError as exc:
            if exc.key in ("error.read.sheet_empty", "error.read.empty"):
                continue
            raise
        if len(df):
            out[sheet] = df
    if not out:
        raise ReadError("error.read.empty", name=name)
    return out


def read_error(data: bytes, name: str, sheet: str | None = None) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_table(data, name, sheet)
    return info.value


# -- xlsx made here -------------------------------------------------------------------------


def test_xlsx_types_and_values() -> None:
    data = xlsx_bytes(
        {
            "Sales": [
                ["Date", "Region", "Revenue", "Orders"],
                [datetime(2026, 1, 31), "North", 1234.5, 3],
                [datetime(2026, 2, 28), "South", 99, 1],
            ]
        }
    )
    df = read_table(data, "sales.xlsx")
    assert list(df.columns) == ["Date", "Region", "Revenue", "Orders"]
    assert str(df["Date"].dtype) == "datetime64[ns]"
    assert list(df["Date"]) == [pd.Timestamp("2026-01-31"), pd.Timestamp("2026-02-28")]
    assert df["Revenue"].dtype == "float64"
    assert list(df["Revenue"]) == [1234.5, 99.0]
    assert list(df["Orders"]) == [3.0, 1.0]
    assert pd.api.types.is_string_dtype(df["Region"].dtype)
    assert list(df["Region"]) == ["North", "South"]


def test_header_rules_and_blank_rows_and_columns() -> None:
    data = xlsx_bytes(
        {
            "Data": [
                [None, None, None, None, None],
                ["  Sales ", None, "Sales", None, "Note"],
                [10, "a", 1, None, None],
                [None, None, None, None, None],
                [20, "b", 2, None, "x"],
            ]
        }
    )
    df = read_table(data, "h.xlsx")
    # Leading blank row skipped, column D (no header, no data) dropped, blank row dropped.
    assert list(df.columns) == ["Sales", "Column 2", "Sales (2)", "Note"]
    assert len(df) == 2
    assert list(df["Sales"]) == [10.0, 20.0]
    assert list(df["Column 2"]) == ["a", "b"]
    assert list(df["Sales (2)"]) == [1.0, 2.0]
    assert df["Note"].isna().tolist() == [True, False]


def test_mixed_column_is_kept_as_text() -> None:
    data = xlsx_bytes({"S": [["Code", "N"], [12, 1], ["A7", 2], [date(2026, 3, 1), 3]]})
    df = read_table(data, "m.xlsx")
    assert list(df["Code"]) == ["12", "A7", "2026-03-01"]


def test_sheets_visible_first_and_selection() -> None:
    data = xlsx_bytes(
        {
            "Notes": [["x"], [1]],
            "Orders": [["Region", "Sales"], ["North", 5]],
            "Plan": [["Month", "Target"], ["2026-01", 7]],
        },
        hidden=("Notes",),
    )
    assert list_sheets(data, "book.xlsx") == ["Orders", "Plan", "Notes"]
    assert list(read_table(data, "book.xlsx").columns) == ["Region", "Sales"]
    assert list(read_table(data, "book.xlsx", "Plan")["Target"]) == [7.0]
    assert list(read_table(data, "book.xlsx", " plan ").columns) == ["Month", "Target"]
    assert list(read_workbook(data, "book.xlsx")) == ["Orders", "Plan", "Notes"]


def test_sheet_missing() -> None:
    data = xlsx_bytes({"Orders": [["a"], [1]], "Plan": [["b"], [2]]})
    err = read_error(data, "book.xlsx", "Budget")
    assert err.key == "error.read.sheet_missing"
    assert err.params == {"name": "book.xlsx", "sheet": "Budget", "sheets": "Orders, Plan"}
    assert "Orders, Plan" in err.message("nl")


def test_empty_sheet_and_empty_workbook() -> None:
    data = xlsx_bytes({"Empty": [], "Data": [["a"], [1]]})
    assert read_error(data, "e.xlsx", "Empty").key == "error.read.sheet_empty"
    assert list(read_table(data, "e.xlsx").columns) == ["a"]  # first sheet with data
    assert list(read_workbook(data, "e.xlsx")) == ["Data"]
    # A header without rows is a table of no rows (the app says "0 rows read"), not an error.
    header_only = read_table(xlsx_bytes({"S": [["only a header"]]}), "n.xlsx")
    assert list(header_only.columns) == ["only a header"] and len(header_only) == 0


def test_content_decides_format_not_suffix() -> None:
    data = xlsx_bytes({"S": [["a", "b"], [1, 2]]})
    df = read_table(data, "export.xls")  # really an xlsx
    assert list(df["b"]) == [2.0]


# -- csv ------------------------------------------------------------------------------------


def test_csv_semicolon_decimal_comma_cp1252() -> None:
    text = "Datum;Omschrijving;Bedrag;Aantal\r\n31-01-2026;Café Zoë;1.234,56;3\r\n"
    text += "28-02-2026;Kosten €;-12,5;4\r\n"
    df = read_table(text.encode("cp1252"), "bank.csv")
    assert list(df.columns) == ["Datum", "Omschrijving", "Bedrag", "Aantal"]
    assert list(df["Datum"]) == [pd.Timestamp("2026-01-31"), pd.Timestamp("2026-02-28")]
    assert str(df["Datum"].dtype) == "datetime64[ns]"
    assert list(df["Omschrijving"]) == ["Café Zoë", "Kosten €"]
    assert list(df["Bedrag"]) == [1234.56, -12.5]
    assert list(df["Aantal"]) == [3.0, 4.0]


def test_csv_semicolon_dotted_thousands() -> None:
    df = read_table(b"Maand;Omzet\n2026-01-01;1.500\n2026-02-01;12.250\n", "o.csv")
    assert list(df["Omzet"]) == [1500.0, 12250.0]


def test_csv_utf8_bom_comma() -> None:
    data = '\ufeffDate,Region,Sales\n2026-01-01,North,100.5\n2026-01-02,Zuid-Oost,"1,200.25"\n'
    df = read_table(data.encode("utf-8"), "s.csv")
    assert list(df.columns) == ["Date", "Region", "Sales"]
    assert list(df["Sales"]) == [100.5, 1200.25]
    assert list(df["Region"]) == ["North", "Zuid-Oost"]
    assert list(df["Date"]) == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-02")]


def test_csv_tab_and_pipe() -> None:
    df = read_table(b"Week\tVisitors\tNote\n2026-01-05\t10\tok\n2026-01-12\t12\t\n", "v.tsv")
    assert list(df.columns) == ["Week", "Visitors", "Note"]
    assert list(df["Visitors"]) == [10.0, 12.0]
    assert df["Note"].iloc[0] == "ok" and pd.isna(df["Note"].iloc[1])
    df = read_table(b"a|b\n1|x\n2|y\n", "p.txt")
    assert list(df["a"]) == [1.0, 2.0]


def test_csv_leading_zero_codes_stay_text() -> None:
    df = read_table(b"Postcode,Amount\n01234,5\n99999,6\n", "z.csv")
    assert list(df["Postcode"]) == ["01234", "99999"]
    assert profile_columns(df)["Postcode"] != "number"


def test_csv_utf16_from_excel_unicode_text() -> None:
    data = "Regio\tOmzet\nNoord\t5\n".encode("utf-16")
    assert list(read_table(data, "u.txt")["Omzet"]) == [5.0]


def test_csv_list_sheets_is_stem() -> None:
    data = b"a,b\n1,2\n"
    assert list_sheets(data, "monthly sales.csv") == ["monthly sales"]
    assert list(read_workbook(data, "monthly sales.csv")) == ["monthly sales"]


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"", "empty.csv", "error.read.empty"),
        (b"  \r\n\r\n", "blank.csv", "error.read.empty"),
        (b"\x00\x01\x02\xff\xfe\x89PNG garbage" * 20, "x.xlsx", "error.read.not_spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "error.read.not_spreadsheet"),
        (b"PK\x03\x04garbage-not-a-zip" * 10, "broken.xlsx", "error.read.unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", "error.read.unreadable"),
        (b"just one line of prose", "letter.xls", "error.read.not_spreadsheet"),
        (b"a,b\n1,2\n", "data.pdf", "error.read.unsupported_suffix"),
        (b"a,b\n1,2\n", "noext", "error.read.unsupported_suffix"),
    ],
)
def test_unreadable_input_raises_read_error(data: bytes, name: str, key: str) -> None:
    err = read_error(data, name)
    assert err.key == key
    assert err.params["name"] == name
    for lang in ("en", "nl"):
        assert not t(err.key, lang, **err.params).startswith("error.")


def test_a_zip_that_is_no_spreadsheet() -> None:
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert read_error(buf.getvalue(), "report.xlsx").key == "error.read.not_spreadsheet"


def test_zip_bomb_is_refused_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from kpilogic.sources import ingest

    monkeypatch.setattr(ingest, "_MAX_UNPACKED", 1 << 20)  # 1 MiB instead of 1 GiB, to be quick
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (2 << 20))
    assert len(buf.getvalue()) < 20_000
    assert read_error(buf.getvalue(), "bomb.xlsx").key == "error.read.too_large"


def test_encrypted_ooxml_key() -> None:
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64
    assert read_error(fake, "secret.xlsx").key == "error.read.encrypted"


def test_suffixes() -> None:
    assert SPREADSHEET_SUFFIXES == (
        ".xlsx",
        ".xlsm",
        ".xls",
        ".xlsb",
        ".ods",
        ".csv",
        ".txt",
        ".tsv",
    )


# -- the calamine corpus --------------------------------------------------------------------

# Files that cannot be read at all, and why (checked by hand):
REFUSED = {
    # OLE2 container whose sector chain points past the end of the file (truncated/corrupt).
    "OOM_alloc3.xls": "error.read.unreadable",
    # Zip member larger than its declared size: a malformed package.
    "issue252.xlsx": "error.read.unreadable",
    # .xls with a FILEPASS record: encrypted with a password.
    "issue_385.xls": "error.read.encrypted",
    # .ods asking for 999,999,999 × 999,999,999 repeated cells (a denial-of-service file).
    "issue_594_dos.ods": "error.read.too_large",
    # Password-protected: ODS with encryption data in its manifest; OOXML as OLE2
    # EncryptedPackage.
    "pass_protected.ods": "error.read.encrypted",
    "pass_protected.xlsb": "error.read.encrypted",
    "pass_protected.xlsx": "error.read.encrypted",
    # 68 bytes of text ("Attachment … not found!") saved as .xls: not a spreadsheet format.
    "too_small.xls": "error.read.not_spreadsheet",
}


def corpus_files() -> list[Path]:
    return sorted(
        p for p in CALAMINE.iterdir() if p.suffix.lower() in SPREADSHEET_SUFFIXES and p.is_file()
    )


@needs_corpus
def test_every_corpus_file_reads_or_raises_read_error() -> None:
    refused: dict[str, str] = {}
    empty: list[str] = []
    read = 0
    for path in corpus_files():
        data = path.read_bytes()
        try:
            book = read_workbook(data, path.name)
        except ReadError as exc:
            if exc.key == "error.read.empty":
                empty.append(path.name)  # read fine, but no sheet has rows below a header
            else:
                refused[path.name] = exc.key
            continue
        assert book and all(isinstance(df, pd.DataFrame) and len(df) for df in book.values())
        read += 1
    assert refused == REFUSED
    assert len(refused) == 8
    assert read + len(empty) + len(refused) == len(corpus_files())
    assert read > 80


@needs_corpus
def test_corpus_refusals_have_messages_in_both_languages() -> None:
    for name, key in REFUSED.items():
        err = read_error((CALAMINE / name).read_bytes(), name)
        assert err.key == key
        for lang in ("en", "nl"):
            text = err.message(lang)
            assert name in text and not text.startswith("error.")


@needs_corpus
@pytest.mark.parametrize("suffix", [".ods", ".xls", ".xlsb", ".xlsx"])
def test_same_workbook_in_four_formats(suffix: str) -> None:
    name = f"any_sheets{suffix}"
    data = (CALAMINE / name).read_bytes()
    sheets = list_sheets(data, name)
    assert sheets[0] == "Visible"
    assert sheets[-2:] == ["Hidden", "VeryHidden"]  # hidden sheets listed last
    read = read_sheet(data, name)
    df = typed_table(read.frame)
    assert list(df.columns) == ["1", "2"]
    assert list(df["1"]) == [3.0, 5.0]
    assert list(df["2"]) == [4.0, 6.0]
    # The sentence below the table ("This workbook contains 4 sheets…", row 5) is a label
    # row, not data: left out and named.
    assert read.report.left_out == (("label", (5,)),)
    assert read.row_numbers == (2, 3)


@needs_corpus
@pytest.mark.parametrize("name", ["date.xlsx", "date_1904.xlsx", "date.xls", "date_1904.xls"])
def test_1904_dates_match_1900_dates(name: str) -> None:
    df = read_table((CALAMINE / name).read_bytes(), name)
    # No header row in these files: the first row (a date and 15) becomes the header.
    assert list(df.columns) == ["2021-01-01", "15"]
    assert df["2021-01-01"].iloc[0] == "2021-01-02"
    assert list(df["15"]) == [16.0, 17.0]
