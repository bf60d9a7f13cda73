"""Tests of kpilogic.sources.layout (and ingest.read_grid): one small messy workbook per case."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kpilogic.errors import KoersError, LayoutError
from kpilogic.i18n import catalogue
from kpilogic.sources.ingest import (
    SPREADSHEET_SUFFIXES,
    list_sheets,
    read_grid,
    sheet_info,
)
from kpilogic.sources.layout import (
    Decision,
    apply_layout,
    column_letter,
    detect_wide,
    guess_layout,
    table_shape,
    tidy,
    unpivot,
)
from kpilogic.sources.parsing import parse_table
from kpilogic.sources.pipeline import read_sheet, typed_table
from tests.messy import EXPECTED, MONTH_STARTS, clean_twin_workbook, messy_dutch_workbook


def book(
    build: Callable[[Worksheet], None], hidden: dict[str, list[list[object]]] | None = None
) -> bytes:
    """An .xlsx whose first sheet ("Data") is filled by ``build``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    build(ws)
    for title, rows in (hidden or {}).items():
        extra = wb.create_sheet(title)
        for row in rows:
            extra.append(row)
        extra.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rows_of(rows: list[list[object]]) -> Callable[[Worksheet], None]:
    def build(ws: Worksheet) -> None:
        for row in rows:
            ws.append(row)

    return build


def keys(decisions: tuple[Decision, ...]) -> dict[str, dict[str, object]]:
    return {d.key: dict(d.params) for d in decisions}


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_read_grid_keeps_positions_and_attrs() -> None:
    data = book(rows_of([[None], [None, None, "x"], [None, 1.5, datetime(2026, 1, 2)]]))
    grid = read_grid(data, "g.xlsx")
    assert grid.dtypes.tolist() == [object, object]
    assert list(grid.index) == [1, 2] and list(grid.columns) == [1, 2]
    assert grid.at[1, 2] == "x" and grid.at[1, 1] is None and grid.at[2, 1] == 1.5
    assert grid.attrs["merged"] == () and grid.attrs["date_system"] == 1900
    assert grid.attrs["sheet"] == "Data"


def test_title_rows_skipped() -> None:
    data = book(
        rows_of(
            [
                ["Verkoop per maand"],
                ["Bijgewerkt op 3 april"],
                ["Maand", "Omzet", "Orders"],
                [datetime(2026, 1, 1), 1200.5, 10],
                [datetime(2026, 2, 1), 1300.0, 12],
            ]
        )
    )
    grid = read_grid(data, "t.xlsx")
    guess = guess_layout(grid)
    assert guess.header_row == 2 and guess.title_rows == (0, 1)
    assert guess.decisions[0] == Decision("layout.header_found", {"row": 3, "skipped": 2})
    assert guess.decisions[0].message("nl") == (
        "Kolomnamen gevonden op rij 3; 2 titelrijen erboven overgeslagen."
    )
    assert guess.decisions[0].message("en").startswith("Column names found on row 3")
    df = apply_layout(grid, guess)
    assert list(df.columns) == ["Maand", "Omzet", "Orders"]
    assert list(df["Maand"]) == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]
    assert list(df["Omzet"]) == [1200.5, 1300.0]
    assert guess.row_numbers == (4, 5)
    assert guess.titles == ("Verkoop per maand", "Bijgewerkt op 3 april")


def test_merged_header_cells_band_row() -> None:
    def build(ws: Worksheet) -> None:
        ws["A1"] = "Regio"
        ws.merge_cells("A1:A2")
        ws["B1"] = "2025"
        ws.merge_cells("B1:D1")
        ws["E1"] = "2026"
        ws.merge_cells("E1:G1")
        for col, month in enumerate(["jan", "feb", "mrt"] * 2, start=2):
            ws.cell(row=2, column=col, value=month)
        ws.append(["Noord", 1, 2, 3, 4, 5, 6])
        ws.append(["Zuid", 10, 20, 30, 40, 50, 60])

    grid = read_grid(book(build), "m.xlsx")
    assert (0, 1, 0, 3) in grid.attrs["merged"]
    guess = guess_layout(grid)
    assert guess.header_row == 1 and guess.band_row == 0
    assert guess.names == (
        "Regio",
        "2025 jan",
        "2025 feb",
        "2025 mrt",
        "2026 jan",
        "2026 feb",
        "2026 mrt",
    )
    assert keys(guess.decisions)["layout.merged_header_filled"] == {"count": 1}
    assert keys(guess.decisions)["layout.band_row"] == {"row": 1}
    wide = detect_wide(apply_layout(grid, guess), guess.titles)
    assert wide is not None and wide.cadence == "month" and not wide.needs_year
    long = unpivot(apply_layout(grid, guess), wide.id_columns, wide.period_columns)
    noord = long[long["Regio"] == "Noord"]
    assert list(noord["Date"].dt.strftime("%Y-%m")) == [
        "2025-01",
        "2025-02",
        "2025-03",
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert list(noord["Value"]) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_merged_cells_filled_in_data_and_header() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["Regio", "Winkel", "Omzet", None])
        ws.merge_cells("C1:D1")  # one header over two columns
        ws.append(["Noord", "Groningen", 10, 1])
        ws.append([None, "Assen", 20, 2])
        ws.merge_cells("A2:A3")  # Regio merged down
        ws.append(["Zuid", "Breda", 30, 3])

    grid = read_grid(book(build), "m.xlsx")
    guess = guess_layout(grid)
    df = apply_layout(grid, guess)
    assert list(df.columns) == ["Regio", "Winkel", "Omzet", "Omzet (2)"]
    assert list(df["Regio"]) == ["Noord", "Noord", "Zuid"]
    assert keys(guess.decisions)["layout.merged_header_filled"] == {"count": 1}


def test_blank_header_cells_filled_without_merge_information() -> None:
    text = "Regio;2025;;2026;\n;jan;feb;jan;feb\nNoord;1;2;3;4\nZuid;5;6;7;8\n"
    grid = read_grid(text.encode(), "wide.csv")
    assert grid.attrs["merged"] is None and grid.attrs["delimiter"] == ";"
    guess = guess_layout(grid)
    assert guess.header_row == 1 and guess.band_row == 0
    assert guess.names == ("Regio", "2025 jan", "2025 feb", "2026 jan", "2026 feb")


def test_blank_rows_and_columns_dropped() -> None:
    data = book(
        rows_of(
            [
                ["Datum", None, "Omzet", None, "Kosten"],
                [datetime(2026, 1, 5), None, 100, None, 40],
                [None] * 5,
                [None] * 5,
                [datetime(2026, 1, 12), None, 200, None, 50],
            ]
        )
    )
    grid = read_grid(data, "b.xlsx")
    guess = guess_layout(grid)
    assert guess.columns == (0, 2, 4) and guess.blank_columns == (1, 3)
    assert guess.blank_rows == (2, 3)
    decisions = keys(guess.decisions)
    assert decisions["layout.blank_rows_dropped"] == {"count": 2, "rows": [3, 4]}
    assert decisions["layout.blank_columns_dropped"] == {"count": 2, "columns": ["B", "D"]}
    df = apply_layout(grid, guess)
    assert list(df.columns) == ["Datum", "Omzet", "Kosten"]
    assert list(df["Omzet"]) == [100.0, 200.0] and guess.row_numbers == (2, 5)


def test_totals_rows_excluded_by_label_and_by_sum() -> None:
    data = book(
        rows_of(
            [
                ["Regio", "Omzet", "Orders"],
                ["Noord", 100, 1],
                ["Noord", 200, 2],
                ["Subtotaal Noord", 300, 3],
                ["Zuid", 50, 5],
                ["Zuid", 25, 5],
                [None, 75, 10],  # an unlabelled subtotal: the sum of the rows above it
                ["Eindtotaal", 375, 13],
                ["Grand total", 375, 13],
            ]
        )
    )
    grid = read_grid(data, "tot.xlsx")
    guess = guess_layout(grid)
    assert guess.total_rows == (3, 6, 7, 8)
    assert keys(guess.decisions)["layout.totals_excluded"] == {"count": 4, "rows": [4, 7, 8, 9]}
    df = apply_layout(grid, guess)
    assert list(df["Omzet"]) == [100.0, 200.0, 50.0, 25.0]
    kept = guess_layout(grid, keep_totals=True)
    assert len(apply_layout(grid, kept)) == 8
    assert "layout.totals_kept" in keys(kept.decisions)


def test_rows_that_only_look_like_totals_stay() -> None:
    data = book(
        rows_of(
            [
                ["Product", "Omzet"],
                ["Totaalpakket", 10],
                ["Somer kit", 20],
                ["Basis", 30],
                ["Extra", 60],  # equals the sum above, but it has a label: a real row
            ]
        )
    )
    grid = read_grid(data, "p.xlsx")
    guess = guess_layout(grid)
    assert guess.total_rows == ()
    assert list(apply_layout(grid, guess)["Omzet"]) == [10.0, 20.0, 30.0, 60.0]


def test_two_tables_side_by_side_biggest_chosen() -> None:
    def build(ws: Worksheet) -> None:
        ws.append(["Maand", "Omzet", None, "Regio", "Manager"])
        for month in range(1, 7):
            ws.append([datetime(2026, month, 1), month * 100, None, None, None])
        ws["D2"], ws["E2"] = "Noord", "Anouk"
        ws["D3"], ws["E3"] = "Zuid", "Bram"

    grid = read_grid(book(build), "two.xlsx")
    guess = guess_layout(grid)
    assert [t.a1 for t in guess.tables] == ["A1:B7", "D1:E3"]
    assert guess.table == 0 and guess.names == ("Maand", "Omzet")
    assert keys(guess.decisions)["layout.tables_found"] == {
        "count": 2,
        "chosen": "A1:B7",
        "others": ["D1:E3"],
    }
    other = guess_layout(grid, table=1)
    df = apply_layout(grid, other)
    assert list(df.columns) == ["Regio", "Manager"]
    assert list(df["Manager"]) == ["Anouk", "Bram"]
    with pytest.raises(LayoutError) as info:
        guess_layout(grid, table=5)
    assert info.value.key == "error.layout.table"


def test_two_tables_stacked() -> None:
    data = book(
        rows_of(
            [
                ["Omzet per maand"],
                ["Maand", "Omzet"],
                ["2026-01", 100],
                ["2026-02", 110],
                [None],
                [None],
                ["Doelen"],
                ["Jaar", "Doel", "Eigenaar"],
                [2026, 1500, "Anouk"],
                [2027, 1600, "Bram"],
                [2028, 1700, "Bram"],
            ]
        )
    )
    grid = read_grid(data, "stack.xlsx")
    guess = guess_layout(grid)
    assert [t.a1 for t in guess.tables] == ["A2:B4", "A8:C11"]
    assert guess.table == 1 and guess.title_rows == (6,)
    first = guess_layout(grid, table=0)
    assert first.title_rows == (0,) and first.data_rows == (2, 3)
    table = parse_table(apply_layout(grid, first), rows=first.row_numbers)
    assert list(table.frame["Maand"]) == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]


def test_repeated_header_rows_skipped() -> None:
    data = book(
        rows_of(
            [
                ["Datum", "Omzet"],
                [datetime(2026, 1, 1), 1],
                [None, None],
                ["Datum", "Omzet"],
                [datetime(2026, 2, 1), 2],
            ]
        )
    )
    grid = read_grid(data, "rep.xlsx")
    guess = guess_layout(grid)
    assert len(guess.tables) == 1 and guess.repeated_header_rows == (3,)
    assert list(apply_layout(grid, guess)["Omzet"]) == [1.0, 2.0]


def test_header_row_override() -> None:
    data = book(rows_of([["Rapport", "Q1"], ["Naam", "Waarde"], ["a", 1], ["b", 2]]))
    grid = read_grid(data, "h.xlsx")
    assert guess_layout(grid).header_row == 0
    guess = guess_layout(grid, header_row=1)
    assert guess.header_row == 1 and guess.names == ("Naam", "Waarde")
    with pytest.raises(LayoutError):
        guess_layout(grid, header_row=40)


def test_hidden_sheet_listed_and_readable() -> None:
    data = book(rows_of([["Regio"], ["Noord"]]), hidden={"Geheim": [["Doel", "Waarde"], ["x", 1]]})
    infos = sheet_info(data, "h.xlsx")
    assert [(s.name, s.visible) for s in infos] == [("Data", True), ("Geheim", False)]
    assert list_sheets(data, "h.xlsx") == ["Data", "Geheim"]
    grid = read_grid(data, "h.xlsx", "Geheim")
    assert grid.attrs["sheet"] == "Geheim" and grid.at[1, 1] == 1.0


def test_excel_error_cells_kept_as_their_value() -> None:
    data = book(rows_of([["Maand", "Marge"], ["2026-01", 0.2], ["2026-02", "#DIV/0!"]]))
    grid = read_grid(data, "err.xlsx")
    assert grid.at[2, 1] == "#DIV/0!"
    result = tidy(grid)
    assert result.report.get("Marge").errors == 1  # type: ignore[union-attr]
    assert result.report.get("Marge").error_rows == (3,)  # type: ignore[union-attr]


def test_months_as_columns_dutch_without_year_from_title() -> None:
    data = book(
        rows_of(
            [
                ["Omzet 2026"],
                [],
                ["Product", "jan", "feb", "mrt", "Totaal"],
                ["Fietsen", "1.000,50", "2.000", "#N/A", "3.000,50"],
                ["Helmen", 10, 20, 30, 60],
            ]
        )
    )
    grid = read_grid(data, "nl.xlsx")
    result = tidy(grid)
    assert result.wide is not None
    assert result.wide.period_columns == ("jan", "feb", "mrt")
    assert result.wide.ignored_columns == ("Totaal",) and result.wide.year == 2026
    assert "layout.year_from_title" in keys(result.decisions)
    frame = result.frame
    assert list(frame.columns) == ["Product", "Date", "Value"]
    assert list(frame["Date"].dt.strftime("%Y-%m-%d")) == [
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
    ]
    assert list(frame["Value"].fillna(-1)) == [1000.5, 2000.0, -1, 10.0, 20.0, 30.0]
    assert result.report.get("Value").errors == 1  # type: ignore[union-attr]
    assert result.report.get("Value").error_rows == (4,)  # type: ignore[union-attr]
    assert result.row_numbers == (4, 4, 4, 5, 5, 5)


def test_months_as_columns_english_with_year_given() -> None:
    df = pd.DataFrame({"Channel": ["Web"], "Jan": ["1,200.50"], "Feb": [None], "Mar": ["$300"]})
    wide = detect_wide(df)
    assert wide is not None and wide.needs_year and wide.year is None
    assert "layout.year_needed" in keys(wide.decisions)
    with pytest.raises(LayoutError) as info:
        unpivot(df, wide.id_columns, wide.period_columns)
    assert info.value.key == "error.layout.year_needed"
    long = unpivot(df, wide.id_columns, wide.period_columns, year=2026)
    assert list(long["Date"]) == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-01")]
    parsed = parse_table(long, {"Value": "number"}).frame
    assert list(parsed["Value"]) == [1200.5, 300.0]


def test_months_wrapping_into_the_next_year() -> None:
    df = pd.DataFrame({"KPI": ["x"], "jul": [1], "aug": [2], "dec": [3], "jan": [4], "jun": [5]})
    wide = detect_wide(df)
    assert wide is not None
    long = unpivot(df, wide.id_columns, wide.period_columns, year=2025)
    assert list(long["Date"].dt.strftime("%Y-%m")) == [
        "2025-07",
        "2025-08",
        "2025-12",
        "2026-01",
        "2026-06",
    ]


@pytest.mark.parametrize(
    ("headers", "cadence", "starts"),
    [
        (["2026-01", "2026-02"], "month", ["2026-01-01", "2026-02-01"]),
        (["jan 2026", "februari 2026"], "month", ["2026-01-01", "2026-02-01"]),
        (["March 2026", "April 2026"], "month", ["2026-03-01", "2026-04-01"]),
        (["2026-Q1", "Q2 2026"], "quarter", ["2026-01-01", "2026-04-01"]),
        (["2024", "2025"], "year", ["2024-01-01", "2025-01-01"]),
        (["week 9 2026", "2026-W10"], "week", ["2026-02-23", "2026-03-02"]),
        (["2026-01-01", "2026-02-01"], "month", ["2026-01-01", "2026-02-01"]),
    ],
)
def test_period_headers(headers: list[str], cadence: str, starts: list[str]) -> None:
    df = pd.DataFrame({"Naam": ["a"], headers[0]: [1.0], headers[1]: [2.0]})
    wide = detect_wide(df)
    assert wide is not None and wide.cadence == cadence and wide.id_columns == ("Naam",)
    long = unpivot(df, wide.id_columns, wide.period_columns)
    assert list(long["Date"].dt.strftime("%Y-%m-%d")) == starts


def test_not_wide() -> None:
    assert detect_wide(pd.DataFrame({"Datum": [1], "Omzet": [2], "jan": [3]})) is None


def test_unpivot_refuses_clashing_and_missing_columns() -> None:
    df = pd.DataFrame({"Value": ["a"], "jan 2026": [1], "feb 2026": [2]})
    with pytest.raises(LayoutError) as info:
        unpivot(df, ["Value"], ["jan 2026", "feb 2026"])
    assert info.value.key == "error.layout.column_clash"
    with pytest.raises(LayoutError) as info:
        unpivot(df, [], ["jan 2026", "nope"])
    assert info.value.key == "error.layout.column_missing"
    df = pd.DataFrame({"Naam": ["a"], "jan 2026": [1], "Omzet": [2]})
    with pytest.raises(LayoutError) as info:
        unpivot(df, ["Naam"], ["jan 2026", "Omzet"])
    assert info.value.key == "error.layout.not_a_period"


def test_table_shape() -> None:
    monthly = pd.DataFrame(
        {
            "Maand": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"] * 2),
            "Regio": ["Noord"] * 3 + ["Zuid"] * 3,
            "Omzet": [1, 2, 3, 4, 5, 6],
        }
    )
    assert table_shape(monthly, "Maand") == "per_period"
    month_ends = pd.DataFrame({"D": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"])})
    assert table_shape(month_ends, "D") == "per_period"
    weekly = pd.DataFrame({"D": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-23"])})
    assert table_shape(weekly, "D") == "per_period"
    orders = pd.DataFrame(
        {"D": pd.to_datetime(["2026-01-03", "2026-01-03", "2026-01-17", "2026-02-05"])}
    )
    assert table_shape(orders, "D") == "transactions"
    assert table_shape(pd.DataFrame({"D": pd.to_datetime(["2026-01-01"])}), "D") == "transactions"
    with pytest.raises(LayoutError):
        table_shape(orders, "Nope")


def test_pre_aggregated_monthly_workbook() -> None:
    data = book(
        rows_of(
            [
                ["Maandoverzicht klanttevredenheid"],
                ["Maand", "NPS", "Respondenten"],
                ["jan 2026", "42", "120"],
                ["feb 2026", "38,5", "98"],
                ["mrt 2026", "45", "131"],
            ]
        )
    )
    result = tidy(read_grid(data, "nps.xlsx"))
    assert result.wide is None
    frame = result.frame
    assert list(frame["Maand"]) == [pd.Timestamp(f"2026-0{m}-01") for m in (1, 2, 3)]
    assert list(frame["NPS"]) == [42.0, 38.5, 45.0]
    assert table_shape(frame, "Maand") == "per_period"


def test_csv_grid_cp1252_semicolon_with_title() -> None:
    text = "Overzicht café-omzet\n\nDatum;Omzet\n05-01-2026;€ 1.234,56\n12-01-2026;€ 99,-\n"
    result = tidy(read_grid(text.encode("cp1252"), "cafe.csv"))
    assert result.layout.header_row == 2
    assert result.layout.titles == ("Overzicht café-omzet",)
    assert list(result.frame["Omzet"]) == [1234.56, 99.0]
    assert list(result.frame["Datum"]) == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")]


def test_empty_grid_and_bad_guess() -> None:
    with pytest.raises(LayoutError):
        guess_layout(pd.DataFrame([[None, None]], dtype=object))
    grid = read_grid(book(rows_of([["a", "b"], [1, 2]])), "x.xlsx")
    guess = guess_layout(grid)
    with pytest.raises(LayoutError) as info:
        apply_layout(grid.iloc[:1], guess)
    assert info.value.key == "error.layout.range_outside"


def test_every_layout_message_exists_in_both_languages() -> None:
    messages = catalogue()
    for key in messages:
        if key.startswith(("layout.", "quality.", "error.layout.", "error.parse.")):
            assert messages[key]["nl"] != messages[key]["en"], key


# -- the messy Dutch workbook and its clean twin ---------------------------------------------


def test_messy_workbook_decisions() -> None:
    grid = read_grid(messy_dutch_workbook(), "omzet.xlsx")
    guess = guess_layout(grid)
    decisions = keys(guess.decisions)
    assert decisions["layout.header_found"] == {"row": 4, "skipped": 2}
    assert decisions["layout.blank_columns_dropped"] == {"count": 1, "columns": ["C"]}
    assert decisions["layout.blank_rows_dropped"] == {"count": 1, "rows": [7]}
    assert decisions["layout.totals_excluded"] == {"count": 1, "rows": [10]}
    assert decisions["layout.label_rows_skipped"] == {"count": 1, "rows": [12]}
    assert [s.visible for s in sheet_info(messy_dutch_workbook(), "omzet.xlsx")] == [True, False]


def test_messy_and_clean_twin_give_identical_numbers() -> None:
    messy = tidy(read_grid(messy_dutch_workbook(), "omzet.xlsx"))
    clean = tidy(read_grid(clean_twin_workbook(), "omzet-schoon.xlsx"))
    assert messy.report.failed == 0 and messy.report.errors == 0
    assert messy.wide is not None and messy.wide.ignored_columns == ("Totaal",)
    left = messy.frame.rename(columns={"Date": "Datum", "Value": "Omzet"})
    left = left[["Datum", "Regio", "Kanaal", "Omzet"]]
    right = clean.frame[["Datum", "Regio", "Kanaal", "Omzet"]]
    order = ["Regio", "Kanaal", "Datum"]
    left = left.sort_values(order).reset_index(drop=True)
    right = right.sort_values(order).reset_index(drop=True)
    assert list(left["Datum"]) == list(right["Datum"])
    assert list(left["Regio"].astype(str)) == list(right["Regio"].astype(str))
    assert list(left["Omzet"].round(2)) == list(right["Omzet"].round(2))
    expected = [v for (_, _), values in sorted(EXPECTED.items()) for v in values]
    assert list(left["Omzet"].round(2)) == expected
    assert sorted(set(left["Datum"])) == [pd.Timestamp(d) for d in MONTH_STARTS]


def test_clean_twin_reads_the_same_through_read_sheet() -> None:
    df = read_sheet(clean_twin_workbook(), "omzet.xlsx").frame
    assert list(df.columns) == ["Datum", "Regio", "Kanaal", "Omzet"]
    assert df["Omzet"].sum() == pytest.approx(sum(sum(v) for v in EXPECTED.values()))


# -- CSV: every delimiter in every encoding ---------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_delimiters_and_encodings(delimiter: str, encoding: str) -> None:
    quote = '"' if delimiter == "," else ""
    amount, small = f"{quote}1.234,50{quote}", f"{quote}99,95{quote}"
    lines = [
        f"Datum{delimiter}Regio{delimiter}Omzet",
        f"05-01-2026{delimiter}Café Noord{delimiter}{amount}",
        f"12-01-2026{delimiter}Zuid{delimiter}{small}",
    ]
    data = "\r\n".join(lines).encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    grid = read_grid(data, "verkoop.csv")
    assert grid.attrs["delimiter"] == delimiter and grid.at[0, 0] == "Datum"
    result = tidy(grid)
    assert list(result.frame.columns) == ["Datum", "Regio", "Omzet"]
    assert list(result.frame["Regio"]) == ["Café Noord", "Zuid"]
    assert list(result.frame["Omzet"]) == [1234.5, 99.95]
    assert list(result.frame["Datum"]) == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")]
    table = typed_table(read_sheet(data, "verkoop.csv").frame)
    assert list(table["Regio"]) == ["Café Noord", "Zuid"]


# -- the real-world corpus -------------------------------------------------------------------


def test_every_corpus_file_tidies_or_raises_our_error() -> None:
    tidied = 0
    from tests.conftest import CORPUS

    for path in sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in SPREADSHEET_SUFFIXES):
        try:
            sheets = sheet_info(path.read_bytes(), path.name)
            for sheet in sheets[:3]:
                try:
                    grid = read_grid(path.read_bytes(), path.name, sheet.name)
                    tidy(grid)
                    tidied += 1
                except KoersError as exc:
                    assert exc.message("nl") != exc.key, (path.name, exc.key)
        except KoersError as exc:
            assert exc.message("nl") != exc.key, (path.name, exc.key)
    assert tidied > 50


def test_single_column_sheet() -> None:
    grid = read_grid(book(rows_of([["Omzet"], [1], [2]])), "one.xlsx")
    guess = guess_layout(grid)
    assert guess.names == ("Omzet",) and guess.data_rows == (1, 2)
    assert list(apply_layout(grid, guess)["Omzet"]) == [1.0, 2.0]
