"""One column-type system (issue 16): parsing decides every column's kind, once.

Reading a file (``pipeline.read_dataset``) types its columns with ``parsing.infer_kinds``
and reads them with the column parsers; the Data page's kind column and the user's kind
corrections (``parsing.profile_columns`` / ``apply_kinds``, ``pipeline.with_kind_failures``)
go through the same functions, so a column typed on upload and one typed by hand are read
and reported alike. These tests pin that: one list of date-name hints, the same kind and
the same parse report on both paths, in the app's calls and in the command line's.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from pathlib import Path

import pandas as pd

from kpilogic.scorecard.model import Dataset, Scorecard
from kpilogic.sources import parsing
from kpilogic.sources.ingest import read_grid
from kpilogic.sources.layout import apply_layout, guess_layout
from kpilogic.sources.parsing import (
    DATE_NAME_HINTS,
    ColumnParse,
    ParseFailure,
    apply_kinds,
    guess_date_column,
    infer_kinds,
    parse_table,
    profile_columns,
    type_table,
)
from kpilogic.sources.pipeline import read_sheet, typed_table, with_kind_failures
from kpilogic.workspace.service import SourceFile, load

ROOT = Path(__file__).resolve().parents[1]


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# -- one list of date-name hints ---------------------------------------------------------------


def _hint_lists(path: Path) -> list[int]:
    """Line numbers of tuple/list/set literals in ``path`` that hold "date", "datum" and
    another date-name hint: a copy of the list, whatever it is called (a list of period
    grains such as day, week, month has no "datum")."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[int] = []
    hints = set(DATE_NAME_HINTS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            if {"date", "datum"} <= words and len(words & hints) >= 3:
                found.append(node.lineno)
    return found


def test_the_date_name_hints_exist_once() -> None:
    copies = {
        str(path.relative_to(ROOT)): lines
        for folder in ("kpilogic", "ui", "pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (lines := _hint_lists(path))
    }
    assert list(copies) == ["kpilogic/sources/parsing.py"]
    assert len(copies["kpilogic/sources/parsing.py"]) == 1
    # The Dutch and English words of the periods Koers knows are all in it.
    for word in ("datum", "date", "maand", "month", "week", "kwartaal", "quarter", "jaar"):
        assert word in DATE_NAME_HINTS


def test_typing_and_choosing_the_date_column_use_the_same_hints() -> None:
    # "Kwartaal" was missing from the date column chooser's own (shorter) list: a column
    # called so lost to an unnamed date column on its left. Now the one list decides both.
    serials = [45000.0, 45092.0, 45184.0]  # Excel serials: 15-03-2023, 15-06-2023, 15-09-2023
    raw = pd.DataFrame({"Kwartaal": serials, "Bedrag": serials})
    assert infer_kinds(raw) == {"Kwartaal": "date", "Bedrag": "number"}
    both = pd.DataFrame(
        {
            "Aangemaakt": pd.date_range("2026-01-01", periods=3),
            "Kwartaal": pd.date_range("2026-01-01", periods=3, freq="QS"),
        }
    )
    # Both are dates and equally complete; the name decides before the position.
    assert guess_date_column(both) == "Kwartaal"


# -- the same kind and the same report on upload and by correction ----------------------------


MESSY = _csv(
    "Datum;Regio;Bedrag;Aantal;Postcode",
    "05-01-2026;Noord;€ 1.234,56;3;01234",
    "12-01-2026;Zuid;12,5;n.v.t.;1000",
    "19-01-2026;Noord;#DEEL/0!;5;2000",
    "26-01-2026;Oost;-3;7;3000",
    "02-02-2026;Zuid;(40);;4000",
    "09-02-2026;Noord;7;2;5000",
)


def _raw_frame(data: bytes, name: str) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """The table as the layout step cuts it out, before any column is typed."""
    grid = read_grid(data, name)
    guess = guess_layout(grid)
    return apply_layout(grid, guess), guess.row_numbers


def test_a_corrected_column_is_read_and_reported_as_on_upload() -> None:
    frame, rows = _raw_frame(MESSY, "messy.csv")
    upload = parse_table(frame, rows=rows)  # kinds inferred, as on upload
    assert infer_kinds(frame) == {"Datum": "date", "Bedrag": "number", "Aantal": "number"}
    # The user sets every column to the kind Koers found: the same values, the same report.
    corrected = type_table(
        frame, {"Datum": "date", "Bedrag": "number", "Aantal": "number"}, rows=rows
    )
    for column in ("Datum", "Bedrag", "Aantal"):
        pd.testing.assert_series_equal(corrected.frame[column], upload.frame[column])
        assert corrected.report.get(column) == upload.report.get(column)
    bedrag = upload.report.get("Bedrag")
    assert bedrag is not None
    # Rows 2..7: 1234.56, 12.5, an Excel error (row 4), -3, -40, 7: five read, one error.
    assert (bedrag.parsed, bedrag.failed, bedrag.errors, bedrag.error_rows) == (5, 0, 1, (4,))
    aantal = upload.report.get("Aantal")
    assert aantal is not None
    # 3, n.v.t. (row 3), 5, 7, blank (row 6), 2: four read, one named, one blank.
    assert (aantal.parsed, aantal.failed, aantal.blank) == (4, 1, 1)
    assert aantal.examples == (ParseFailure(3, "n.v.t."),)
    # The Postcode column keeps its leading zero: text on both paths.
    assert profile_columns(upload.frame)["Postcode"] == "text"


BELOW = _csv(
    "Datum;Regio;Bedrag",
    "05-01-2026;Noord;€ 1.234,56",
    "12-01-2026;Zuid;n.v.t.",
    "19-01-2026;Noord;12,5",
    "26-01-2026;Oost;#DEEL/0!",
    "02-02-2026;Zuid;",
    "09-02-2026;Noord;zie bijlage",
    "16-02-2026;Oost;-3",
)


def _card(source: str) -> Scorecard:
    return Scorecard(
        name="kinds",
        datasets=[Dataset(id="d", name="D", source=source, date_column="Datum")],
    )


def test_a_text_column_set_to_number_names_every_value_left_out() -> None:
    # Of the five filled cells that are no Excel error, three read as numbers (60% < 80%):
    # Koers leaves the column as text and the user sets it to number.
    tidy = read_sheet(BELOW, "below.csv")
    assert profile_columns(tidy.frame)["Bedrag"] == "text"
    assert tidy.report.get("Bedrag") is None
    kinds = {**profile_columns(tidy.frame), "Bedrag": "number"}

    # The Data page types with apply_kinds, reports with with_kind_failures.
    app_frame = apply_kinds(tidy.frame, kinds)
    app = with_kind_failures(tidy, app_frame)
    # The workspace service (app and command line) with the same correction on the dataset.
    card = _card("below.csv")
    ds = card.datasets[0].model_copy(update={"column_kinds": {"Bedrag": "number"}})
    card = card.model_copy(update={"datasets": [ds]})
    cli = load(card, {"below.csv": SourceFile("below.csv", BELOW)}, strict=True)
    pd.testing.assert_frame_equal(cli.frames["d"], app_frame)
    assert cli.tidies["d"].report == app.report

    values = app_frame["Bedrag"].tolist()
    # Rows 2..8: € 1.234,56 → 1234.56; n.v.t. → empty; 12,5 → 12.5; #DEEL/0! → empty;
    # blank; zie bijlage → empty; -3 → -3.0.
    assert values[0] == 1234.56 and values[2] == 12.5 and values[6] == -3.0
    assert all(math.isnan(values[i]) for i in (1, 3, 4, 5))
    assert app.report.get("Bedrag") == ColumnParse(
        "Bedrag",
        "number",
        parsed=3,
        failed=2,
        blank=1,
        errors=1,
        examples=(ParseFailure(3, "n.v.t."), ParseFailure(7, "zie bijlage")),
        error_rows=(5,),
        notation="nl",
        failed_rows=(3, 7),
    )


TWINS = _csv(
    "Datum;Regio;Jaar;Aantal",
    "05-01-2026;Noord;2022;2022",
    "12-01-2026;Zuid;2023;2023",
    "19-01-2026;Noord;2024;2024",
    "26-01-2026;Oost;2025;2025",
    "02-02-2026;Zuid;#N/B;#N/B",
    "09-02-2026;Noord;;",
)


def test_a_number_column_set_to_date_reads_as_a_date_column_does() -> None:
    # Two columns with the same cells: "Jaar" says by its name that it holds years and is
    # read as dates on upload; "Aantal" is read as numbers, and the user sets it to date.
    tidy = read_sheet(TWINS, "twins.csv")
    assert profile_columns(tidy.frame) == {
        "Datum": "date",
        "Regio": "category",
        "Jaar": "date",
        "Aantal": "number",
    }
    typed = typed_table(tidy.frame, "Datum", {"Aantal": "date"})
    # Whole numbers from 1900 to 2100 in a date column are years (not Excel day serials,
    # which would make 2022 the 14th of July 1905).
    years = [pd.Timestamp(f"{y}-01-01") for y in (2022, 2023, 2024, 2025)]
    assert typed["Aantal"].tolist()[:4] == years
    pd.testing.assert_series_equal(typed["Aantal"], typed["Jaar"], check_names=False)
    report = with_kind_failures(tidy, typed).report
    jaar, aantal = report.get("Jaar"), report.get("Aantal")
    assert jaar is not None and aantal is not None
    # The same report: four read, the Excel error of row 6 named, row 7 blank.
    assert (jaar.kind, jaar.parsed, jaar.errors, jaar.error_rows, jaar.blank) == (
        "date",
        4,
        1,
        (6,),
        1,
    )
    assert dataclasses.replace(aantal, column="Jaar") == jaar


def test_a_column_set_to_another_kind_keeps_what_upload_left_out() -> None:
    # "n.v.t." (row 3) could not be read as a number on upload; set to date afterwards the
    # cell is empty, and it is still named.
    tidy = read_sheet(MESSY, "messy.csv")
    typed = typed_table(tidy.frame, "Datum", {"Aantal": "date"})
    aantal = with_kind_failures(tidy, typed).report.get("Aantal")
    assert aantal is not None and aantal.kind == "date"
    assert ParseFailure(3, "n.v.t.") in aantal.examples
    assert 3 in aantal.failed_rows
    # Six cells: 3, 5, 7, 2 read (as Excel day serials), n.v.t. named, one blank.
    assert (aantal.parsed, aantal.failed, aantal.blank) == (4, 1, 1)


def test_profile_keeps_what_reading_decided() -> None:
    # "2.050" in a Dutch column is the number 2050; after reading, its name ("Weekomzet",
    # with "week" in it) does not make it a column of years.
    tidy = read_sheet(_csv("Datum;Weekomzet", "05-01-2026;2.050", "12-01-2026;2.100"), "w.csv")
    assert tidy.frame["Weekomzet"].tolist() == [2050.0, 2100.0]
    assert profile_columns(tidy.frame) == {"Datum": "date", "Weekomzet": "number"}
    assert parsing.profile_column(tidy.frame["Weekomzet"]) == "number"


def test_a_number_past_2262_set_to_date_is_named_not_a_crash() -> None:
    # As an Excel day serial 150981,588 is a day in 2313, past the last day Koers can hold
    # (11-04-2262). The old conversion raised OutOfBoundsTimedelta: a traceback on the Data
    # page when a user set such a column to date. Now the cell is left out and named.
    data = _csv("Datum;Regio;Waarde", "05-01-2026;Noord;45000", "12-01-2026;Zuid;150981,588")
    tidy = read_sheet(data, "groot.csv")
    typed = typed_table(tidy.frame, "Datum", {"Waarde": "date"})
    assert typed["Waarde"].iloc[0] == pd.Timestamp("2023-03-15")  # serial 45000
    assert pd.isna(typed["Waarde"].iloc[1])
    waarde = with_kind_failures(tidy, typed).report.get("Waarde")
    assert waarde is not None and waarde.kind == "date"
    # Row 2 read, row 3 named with the value as read.
    assert (waarde.parsed, waarde.failed, waarde.failed_rows) == (1, 1, (3,))
    assert waarde.examples == (ParseFailure(3, "150981.588"),)


# -- profiling and typing (moved from test_ingest) ------------------------------------------


def profile_frame() -> pd.DataFrame:
    n = 12
    return pd.DataFrame(
        {
            "Order Date": pd.date_range("2026-01-01", periods=n, freq="D"),
            "Ship Date": pd.date_range("2026-01-03", periods=n, freq="D"),
            "Sales": [float(i) * 1.5 for i in range(n)],
            "Region": ["North", "South", "East"] * 4,
            "Comment": [f"Customer {i} asked about delivery" for i in range(n)],
            "Datum (tekst)": [f"{d:02d}-03-2026" for d in range(1, n + 1)],
            "Bedrag (tekst)": [f"{i}.000,50" for i in range(1, n + 1)],
        }
    )


def test_profile_columns() -> None:
    kinds = profile_columns(profile_frame())
    assert kinds == {
        "Order Date": "date",
        "Ship Date": "date",
        "Sales": "number",
        "Region": "category",
        "Comment": "text",
        "Datum (tekst)": "date",
        "Bedrag (tekst)": "number",
    }


def test_guess_date_column() -> None:
    df = profile_frame()
    assert guess_date_column(df) == "Order Date"
    assert guess_date_column(df, {"Ship Date": "date"}) == "Ship Date"
    assert guess_date_column(df[["Sales", "Region"]]) is None
    # A name that says "date" wins over an earlier date column without such a name.
    other = pd.DataFrame(
        {
            "Created": pd.date_range("2026-01-01", periods=3),
            "Datum": pd.date_range("2026-02-01", periods=3),
        }
    )
    assert guess_date_column(other) == "Datum"


def test_apply_kinds() -> None:
    df = pd.DataFrame(
        {
            "Datum": ["31-01-2026", "2026-02-28", "not a date"],
            "Bedrag": ["1.234,56", "7", "n/a"],
            "Serial": [45000.0, 45001.0, math.nan],
            "Region": ["N", None, "S"],
            "Code": [1.0, 2.5, math.nan],
        }
    )
    out = apply_kinds(
        df,
        {
            "Datum": "date",
            "Bedrag": "number",
            "Serial": "date",
            "Region": "category",
            "Code": "text",
        },
    )
    assert str(out["Datum"].dtype) == "datetime64[ns]"
    assert out["Datum"].iloc[0] == pd.Timestamp("2026-01-31")
    assert out["Datum"].iloc[1] == pd.Timestamp("2026-02-28")
    assert pd.isna(out["Datum"].iloc[2])
    assert out["Bedrag"].dtype == "float64"
    assert out["Bedrag"].iloc[0] == 1234.56 and out["Bedrag"].iloc[1] == 7.0
    assert math.isnan(out["Bedrag"].iloc[2])
    assert out["Serial"].iloc[0] == pd.Timestamp("2023-03-15")
    assert pd.isna(out["Serial"].iloc[2])
    assert pd.api.types.is_string_dtype(out["Region"].dtype)
    assert list(out["Code"].iloc[:2]) == ["1", "2.5"]
    assert df["Bedrag"].iloc[0] == "1.234,56"  # the input is not changed


def test_read_then_profile_then_apply_round_trip() -> None:
    text = b"Datum;Regio;Omzet\n01-01-2026;Noord;10,5\n02-01-2026;Zuid;20\n03-01-2026;Noord;1\n"
    df = read_sheet(text, "r.csv").frame
    kinds = profile_columns(df)
    assert kinds == {"Datum": "date", "Regio": "category", "Omzet": "number"}
    typed = apply_kinds(df, kinds)
    assert typed["Omzet"].sum() == 31.5
    assert guess_date_column(typed, kinds) == "Datum"
