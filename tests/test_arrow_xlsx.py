"""Issue 19, xlsx on Arrow: a column fastexcel typed as numbers or dates gets the report the
value parsers give it without being read again, and a number column whose name says date
(years, Excel serials) is still left to them."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from kpilogic.scorecard.model import Dataset
from kpilogic.sources.fastread import FAST_READ_ENV, fast_tidy
from kpilogic.sources.pipeline import read_dataset, typed_table
from tests.test_fastread import _book


def _rows() -> list[list[object]]:
    rows: list[list[object]] = [["Date", "Region", "Revenue", "Year", "Units"]]
    for i in range(60):
        rows.append(
            [
                datetime(2025, 1, 1 + i % 28),
                ["Noord", "Zuid"][i % 2],
                None if i % 7 == 3 else 10.5 + i,
                2024.0 + i % 2,
                float(i % 5),
            ]
        )
    return rows


@pytest.mark.parametrize("notation", [None, "en", "nl"])
def test_typed_columns_report_as_the_value_parsers_do(
    notation: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _book(_rows())
    dataset = Dataset(
        id="d", name="D", source="t.xlsx", sheet="Data", date_column="Date", notation=notation
    )
    monkeypatch.setenv(FAST_READ_ENV, "1")
    assert fast_tidy(data, "t.xlsx", dataset) is not None
    fast = read_dataset(data, "t.xlsx", dataset)
    monkeypatch.setenv(FAST_READ_ENV, "0")
    exact = read_dataset(data, "t.xlsx", dataset)
    pd.testing.assert_frame_equal(fast.frame, exact.frame, check_exact=True)
    assert fast.report == exact.report
    assert list(fast.report.columns) == list(exact.report.columns)
    pd.testing.assert_frame_equal(
        typed_table(fast.frame, "Date"), typed_table(exact.frame, "Date"), check_exact=True
    )
    revenue = fast.report.columns["Revenue"]
    # 60 rows, every 7th from the 4th (i = 3, 10, …, 59) blank: 9 blank, 51 read.
    assert (revenue.parsed, revenue.blank, revenue.failed) == (51, 9, 0)
    assert revenue.notation == (notation or "nl")
    # Year holds whole numbers 2024/2025 under a name that says date: years, so dates.
    assert fast.report.columns["Year"].kind == "date"
    assert fast.frame["Year"].iloc[0] == pd.Timestamp(2024, 1, 1)
    assert fast.report.columns["Date"].dayfirst is True


def test_a_probed_workbook_is_remembered_without_a_new_child(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from kpilogic.sources.guard import probe_workbook, remembered_probe, sheet_facts

    # Rows unlike any other test's, so the content hash is new to this process.
    data = _book([["Date", "Note"], [datetime(2025, 3, 1), "remembered-probe-test"]])
    assert remembered_probe(data) is None  # not probed yet
    path = Path(str(tmp_path)) / "b.xlsx"
    path.write_bytes(data)
    shapes = probe_workbook(path, data, "b.xlsx", "xlsx")
    assert shapes == {"Data": (2, 2)}  # header and one row, two columns
    assert remembered_probe(data) == (shapes, sheet_facts(data))
    monkeypatch.setenv("KOERS_READ_GUARD", "0")
    assert remembered_probe(data) is None  # guard off: probe_workbook decides
