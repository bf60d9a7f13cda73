"""Messy workbooks of issue 12 ("numbers you can trust on real exports"), made with openpyxl.

Each builder makes one case small enough to sum by hand; the tests write the arithmetic out.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import Workbook

SALES_ROWS = 1254
SALES_HALF = 627  # the blank row sits after this many data rows
SALES_HEADER = ["Datum", "Klant", "Product", "Regio", "Aantal", "Omzet"]
FIRST_DAY = date(2025, 1, 1)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sales_row(i: int) -> list[object]:
    """Data row ``i`` (0-based) of the sales export: four rows a day from 1 January 2025;
    Aantal cycles 1, 2, 3, 4 and Omzet is 12.50 per piece."""
    quantity = 1 + i % 4
    return [
        FIRST_DAY + timedelta(days=i // 4),
        f"Klant {i % 7}",
        f"Product {'ABC'[i % 3]}",
        ("Noord", "Zuid")[i % 2],
        quantity,
        12.5 * quantity,
    ]


def blank_row_sales_export() -> bytes:
    """A Dutch sales export: two title rows, the header on row 3, 1,254 data rows with one
    empty row after the first 627 (spreadsheet row 631)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Verkopen"
    ws.append(["Verkoopoverzicht 2025"])
    ws.append(["Export uit het kassasysteem, bedragen in euro"])
    ws.append(SALES_HEADER)
    for i in range(SALES_ROWS):
        if i == SALES_HALF:
            ws.append([])
        ws.append(sales_row(i))
    return _save(wb)


def clean_sales_twin() -> bytes:
    """The same 1,254 rows as one clean table: header on row 1, no title, no blank row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Verkopen"
    ws.append(SALES_HEADER)
    for i in range(SALES_ROWS):
        ws.append(sales_row(i))
    return _save(wb)


def blank_column_export() -> bytes:
    """Ten sales rows under a title, with an empty spacer column C between Klant and Product."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Verkopen"
    ws.append(["Verkopen januari"])
    ws.append(["Datum", "Klant", None, "Product", "Aantal", "Omzet"])
    for i in range(10):
        ws.append(
            [date(2025, 1, 1 + i), f"Klant {i}", None, f"Product {i % 2}", i + 1, 10.0 * (i + 1)]
        )
    return _save(wb)


WIDE_METRICS = {
    "Omzet": (1000.0, 1100.0, 1200.0),
    "Kosten": (600.0, 650.0, 700.0),
    "Orders": (40.0, 44.0, 48.0),
}


def wide_metrics_sheet() -> bytes:
    """Months as columns, one row per metric, the header cell above the metric names blank."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Maand"
    ws.append([None, "jan 2026", "feb 2026", "mrt 2026"])
    for name, values in WIDE_METRICS.items():
        ws.append([name, *values])
    return _save(wb)


def mixed_notations_sheet() -> bytes:
    """A column of plain numbers with numbers typed as text in both notations, and one word.

    Spreadsheet rows: header 1, then rows 2–10.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Omzet"
    ws.append(["Datum", "Omzet"])
    cells: list[object] = [10.0, 20.5, "€ 40", "1.234,5", 7.0, "2,5", "0.75", "onbekend", 3.0]
    for i, cell in enumerate(cells):
        ws.append([date(2025, 1, 1 + i), cell])
    return _save(wb)


def pre_1900_sheet() -> bytes:
    """Real dates, dates before 1900 as Excel keeps them (text), and one before 1677.

    Spreadsheet rows: header 1; real dates on 2–4; '15-03-1890' on 5, '1899-12-31' on 6,
    '01-01-1650' on 7.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Historie"
    ws.append(["Datum", "Bedrag"])
    for day in (1, 2, 3):
        ws.append([date(1900, 3, day), 1.0])
    ws.append(["15-03-1890", 2.0])
    ws.append(["1899-12-31", 3.0])
    ws.append(["01-01-1650", 4.0])
    return _save(wb)


def header_below_a_report_line() -> bytes:
    """A first line that looks like column names ("Rapport", "Q1"), the real ones on row 2."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Blad1"
    ws.append(["Rapport", "Q1"])
    ws.append(["Datum", "Omzet"])
    for month, amount in ((1, 100.0), (2, 250.0), (3, 400.0)):
        ws.append([date(2025, month, 15), amount])
    return _save(wb)
