"""The column-wise cell classes (kpilogic.sources.cells) agree with the per-cell rules of the layout
step, and the layout rules give the same answers on a large sheet as the structure it was
built with (title, merged header, blank rows, label rows, totals every block, a grand total
without a label)."""

from __future__ import annotations

import io
import math
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kpilogic.scorecard.model import Dataset
from kpilogic.sources.cells import (
    BLANK,
    DATE,
    K_NONE,
    K_NUMBER,
    K_STR,
    NUMBER,
    OTHER,
    TEXT,
    blank_mask,
    classify,
)
from kpilogic.sources.ingest import read_grid
from kpilogic.sources.layout import apply_layout, blank, guess_layout, is_num, is_text
from kpilogic.sources.pipeline import read_dataset


def reference(value: object) -> int:
    """The class of one cell by the per-cell rules ``layout`` had before (and still has)."""
    if blank(value):
        return BLANK
    if is_num(value):
        return NUMBER
    if is_text(value):
        return TEXT
    if isinstance(value, date | datetime):
        return DATE
    return OTHER


TEXTS = [
    "",
    " ",
    "\t",
    "\x1c",
    "\u00a0",
    "\u3000 ",
    "Omzet",
    "SO-0000123",
    "12",
    "-3.5",
    "12,5",
    "1.234,56",
    "1,234.56",
    "€ 1.234,56",
    "$1,234.56",
    "EUR 12",
    "12%",
    "(1.234)",
    "1.234,-",
    "1.234-",
    "-",
    "–",
    "€ -",
    "1e5",
    "#DIV/0!",
    " #n/b ",
    "#nope",
    "0012",
    "12 345",
    "1 2 3",
    "e",
    "€",
    "total",
    "Totaal Noord",
    "12\n",
    "٣",
    "1" * 101,  # longer than any number (parsing.MAX_TEXT): text
    "-" + "1" * 100,
]
CELLS = st.one_of(
    st.none(),
    st.sampled_from(TEXTS),
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 12, 31)),
    st.just(time(9, 30)),
    st.just(timedelta(days=1)),
    st.just(np.int64(7)),
    st.just(np.float64("nan")),
)


@given(st.lists(CELLS, max_size=60))
@settings(max_examples=300, deadline=None)
def test_classes_match_the_per_cell_rules(values: list[object]) -> None:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    found = classify(column)
    assert found.classes.tolist() == [reference(v) for v in values]
    assert blank_mask(column).tolist() == [blank(v) for v in values]
    # Type codes: what layout._typed needs to know.
    for value, kind in zip(values, found.kinds.tolist(), strict=True):
        if value is None:
            assert kind == K_NONE
        elif isinstance(value, str):
            assert kind == K_STR
        elif isinstance(value, int | float) and not isinstance(value, bool):
            assert kind == K_NUMBER
    # The Arrow copy of the text cells is the text cells, in order.
    texts = [v for v in values if type(v) is str]
    if texts:
        assert found.texts is not None
        assert found.texts.to_pylist() == texts
        assert [values[i] for i in found.text_rows.tolist()] == texts


def test_every_listed_text_is_classed_as_the_rules_say() -> None:
    column = np.array(TEXTS, dtype=object)
    assert classify(column).classes.tolist() == [reference(v) for v in TEXTS]


# -- a large messy sheet ---------------------------------------------------------------------

BLOCKS = 60  # each block: 80 order lines of one region, a subtotal row and a blank row
LINES = 80
REGIONS = ["Noord", "Oost", "Zuid", "West"]


def messy_rows() -> tuple[list[list[object]], dict[str, object]]:
    """Rows of a sheet with a known structure, and what is known about it (1-based rows)."""
    rows: list[list[object]] = [
        ["Verkoop per regio 2025", None, None, None],
        [None, None, None, None],
        ["Datum", "Regio", "Omzet", "Aantal"],
    ]
    data_rows: list[int] = []
    totals: list[int] = []
    blanks: list[int] = []
    labels: list[int] = []
    revenue = 0.0
    count = 0
    grand = 0.0
    for block in range(BLOCKS):
        region = REGIONS[block % 4]
        rows.append([f"Regio {region}", None, None, None])  # a label row
        labels.append(len(rows))
        sub = 0.0
        for line in range(LINES):
            day = date(2025, 1, 1) + timedelta(days=(block * LINES + line) % 365)
            amount = round(10 + (block * 7 + line * 13) % 97 + 0.25, 2)
            rows.append([day, region, amount, 1 + line % 3])
            data_rows.append(len(rows))
            sub += amount
            revenue += amount
            count += 1
        rows.append([f"Subtotaal {region}", None, round(sub, 2), None])
        totals.append(len(rows))
        grand += round(sub, 2)
        rows.append([None, None, None, None])
        blanks.append(len(rows))
    rows.pop()  # no blank row after the last block
    blanks.pop()
    rows.append([None, None, round(revenue, 2), None])  # a grand total without a label
    totals.append(len(rows))
    return rows, {
        "data_rows": data_rows,
        "totals": totals,
        "blanks": blanks,
        "labels": labels,
        "revenue": revenue,
        "count": count,
    }


def messy_book() -> tuple[bytes, dict[str, object]]:
    rows, known = messy_rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "Verkoop"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), known


def test_a_large_messy_sheet_is_read_as_built() -> None:
    data, known = messy_book()
    grid = read_grid(data, "verkoop.xlsx")
    guess = guess_layout(grid)
    assert guess.header_row + 1 == 3
    assert list(guess.names) == ["Datum", "Regio", "Omzet", "Aantal"]
    assert [r + 1 for r in guess.data_rows] == known["data_rows"]
    assert [r + 1 for r in guess.total_rows] == known["totals"]
    assert [r + 1 for r in guess.blank_rows] == known["blanks"]
    assert [r + 1 for r in guess.label_rows] == known["labels"]
    frame = apply_layout(grid, guess)
    assert len(frame) == known["count"] == BLOCKS * LINES
    assert str(frame["Datum"].dtype) == "datetime64[ns]"
    assert str(frame["Omzet"].dtype) == "float64"
    assert math.isclose(float(frame["Omzet"].sum()), float(known["revenue"]), rel_tol=1e-12)
    assert frame["Regio"].tolist()[:LINES] == ["Noord"] * LINES


def test_the_pipeline_reads_the_large_messy_sheet_like_its_clean_rows() -> None:
    data, known = messy_book()
    dataset = Dataset(id="v", name="Verkoop", source="verkoop.xlsx", date_column="Datum")
    tidy = read_dataset(data, "verkoop.xlsx", dataset)
    assert list(tidy.row_numbers) == known["data_rows"]
    totals = tidy.frame.groupby("Regio")["Omzet"].sum()
    # Each region's revenue worked out from the rows as they were written.
    rows, _ = messy_rows()
    expected: dict[str, float] = {}
    for number in known["data_rows"]:  # type: ignore[attr-defined]
        _, region, amount, _ = rows[number - 1]
        expected[region] = expected.get(region, 0.0) + amount
    for region, amount in expected.items():
        assert math.isclose(float(totals[region]), amount, rel_tol=1e-12)


def test_blank_cells_are_found_in_raw_and_normalised_grids_alike() -> None:
    data, _ = messy_book()
    raw = read_grid(data, "verkoop.xlsx", blanks_as_none=False)
    tidy = read_grid(data, "verkoop.xlsx")
    assert raw.shape == tidy.shape
    assert guess_layout(raw).data_rows == guess_layout(tidy).data_rows
    assert tidy.isna().to_numpy().sum() >= raw.isna().to_numpy().sum()
    frame = pd.DataFrame({"a": [" ", "", None, "x"]}, dtype=object)
    assert blank_mask(frame["a"].to_numpy()).tolist() == [True, True, True, False]


# -- cases a review found (old per-cell code vs the column-wise one) --------------------------


def _grid(rows: list[list[object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, dtype=object)


def test_an_unlabelled_total_under_a_huge_amount_is_still_found() -> None:
    # Sums taken as differences of running totals lost 0.1 + 0.2 next to 2e20.
    grid = _grid(
        [["name", "v"], ["a", 1e20], ["Totaal", 1e20], ["b", 0.1], ["c", 0.2], [None, 0.3]]
    )
    guess = guess_layout(grid)
    assert guess.total_rows == (2, 5)
    assert guess.data_rows == (1, 3, 4)


def test_numpy_cells_keep_their_values_and_types() -> None:
    grid = _grid([["name", "v"], [np.str_("a"), np.float32(1.5)], ["b", np.float32(2.0)]])
    frame = apply_layout(grid, guess_layout(grid))
    assert frame["name"].tolist() == ["a", "b"]
    assert frame["v"].dtype == object  # float32 cells are kept as they are, as before


def test_a_date_column_with_nat_stays_as_read() -> None:
    grid = _grid([["when", "v"], [datetime(2020, 1, 1), 1.0], [pd.NaT, 2.0]])
    frame = apply_layout(grid, guess_layout(grid))
    assert frame["when"].dtype == object
