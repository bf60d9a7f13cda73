"""A messy Dutch workbook and its clean twin: the same revenue figures, laid out twice.

The messy one is what a Dutch finance assistant sends: a merged title over the table, a
source line, a blank spacer column, months as columns ("jan 2026" …), amounts typed as
text in Dutch notation ("€ 1.234,56", "1.234,-", "(120,00)", "-" for zero) mixed with real
numbers, a blank row inside the data, a Totaal column, a Totaal row and a hidden helper
sheet. The clean twin holds the same figures as one long table (Datum, Regio, Kanaal,
Omzet) with real dates and numbers. ``EXPECTED`` lists the figures by hand.
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook

MONTHS = ("jan 2026", "feb 2026", "mrt 2026", "apr 2026", "mei 2026", "jun 2026")

# (Regio, Kanaal) → the six monthly amounts, as written in the messy sheet.
MESSY_CELLS: dict[tuple[str, str], tuple[object, ...]] = {
    ("Noord", "Web"): ("€ 1.234,56", "€ 2.345,67", 1500.25, "€ 1.100,-", "1.987,65", "€ 2.010,00"),
    ("Noord", "Winkel"): ("€ 850,00", "(120,00)", "€ 910,10", 930.4, "€ 1.005,55", "-"),
    ("Zuid", "Web"): (2200.0, "€ 2.150,75", "€ 2.300,-", "€ 2.412,34", "2.499,99", "€ 2.600,01"),
    ("Zuid", "Winkel"): ("€ 640,40", "€ 655,00", "670,5", "€ 702,25", 715.0, "€ 730,80"),
}

# The same figures as numbers, written out by hand.
EXPECTED: dict[tuple[str, str], tuple[float, ...]] = {
    ("Noord", "Web"): (1234.56, 2345.67, 1500.25, 1100.0, 1987.65, 2010.0),
    ("Noord", "Winkel"): (850.0, -120.0, 910.1, 930.4, 1005.55, 0.0),
    ("Zuid", "Web"): (2200.0, 2150.75, 2300.0, 2412.34, 2499.99, 2600.01),
    ("Zuid", "Winkel"): (640.4, 655.0, 670.5, 702.25, 715.0, 730.8),
}

MONTH_STARTS = tuple(datetime(2026, m, 1) for m in range(1, 7))


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _nl(amount: float) -> str:
    whole, _, cents = f"{abs(amount):,.2f}".partition(".")
    return ("-" if amount < 0 else "") + "€ " + whole.replace(",", ".") + "," + cents


def messy_dutch_workbook() -> bytes:
    """The messy Dutch .xlsx (sheet "Omzet"; a hidden sheet "Hulpblad")."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Omzet"
    ws["A1"] = "Omzetoverzicht per regio en kanaal 2026"
    ws.merge_cells("A1:J1")
    ws["A2"] = "Bron: boekhouding, bedragen in euro's incl. btw"
    # Row 3 blank; the header on row 4, a blank spacer column C.
    header = ["Regio", "Kanaal", None, *MONTHS, "Totaal"]
    for col, name in enumerate(header, start=1):
        ws.cell(row=4, column=col, value=name)
    row = 5
    for index, ((region, channel), cells) in enumerate(MESSY_CELLS.items()):
        if index == 2:
            row += 1  # a blank row between the regions
        ws.cell(row=row, column=1, value=region)
        ws.cell(row=row, column=2, value=channel)
        for offset, cell in enumerate(cells):
            ws.cell(row=row, column=4 + offset, value=cell)
        ws.cell(row=row, column=10, value=_nl(sum(EXPECTED[(region, channel)])))
        row += 1
    ws.cell(row=row, column=1, value="Totaal")
    for offset in range(6):
        total = sum(values[offset] for values in EXPECTED.values())
        ws.cell(row=row, column=4 + offset, value=_nl(total))
    ws.cell(row=row + 2, column=1, value="Cijfers over juni zijn voorlopig.")
    helper = wb.create_sheet("Hulpblad")
    helper.append(["Regio", "Manager"])
    helper.append(["Noord", "Anouk"])
    helper.sheet_state = "hidden"
    return _save(wb)


def clean_twin_workbook() -> bytes:
    """The clean twin .xlsx: one long table on sheet "Omzet" with real dates and numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Omzet"
    ws.append(["Datum", "Regio", "Kanaal", "Omzet"])
    for (region, channel), values in EXPECTED.items():
        for start, value in zip(MONTH_STARTS, values, strict=True):
            ws.append([start, region, channel, value])
    return _save(wb)
