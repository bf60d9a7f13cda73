"""Issue 19, csv in one Arrow pass: a text column's distinct values are counted once.

The fast read's totals check, the kind test (``parsing._mostly_no_value``) and the
category test (``parsing._is_category_arrow``) each counted the distinct texts of the same
column; ``parsing.text_counts`` remembers the counts for the Arrow column pandas holds,
while it lives. These tests pin down that the counts are the column's, that they are
shared, and that they go with their column.
"""

from __future__ import annotations

import gc
import random

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac
import pytest

from kpilogic.scorecard.model import Dataset
from kpilogic.sources import parsing
from kpilogic.sources.fastread import FAST_READ_ENV
from kpilogic.sources.ingest import STR
from kpilogic.sources.pipeline import read_dataset, typed_table


def test_counts_are_the_columns_and_remembered_while_it_lives() -> None:
    arrow = pa.chunked_array([["Noord", None, "Zuid"], ["Noord", "West", None]])
    found = parsing.text_counts(arrow)
    # Noord twice, Zuid once, West once; the two nulls are not counted.
    values, times = found.field("values").to_pylist(), found.field("counts").to_pylist()
    counted = dict(zip(values, times, strict=True))
    assert counted == {"Noord": 2, "Zuid": 1, "West": 1}
    assert parsing.text_counts(arrow) is found  # remembered
    key = id(arrow)
    assert key in parsing._COUNTS_SEEN
    del arrow
    gc.collect()
    assert key not in parsing._COUNTS_SEEN  # gone with its column


def test_a_csv_counts_each_text_column_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    rows = 3_000  # above parsing._PREFIX_ABOVE: long columns
    lines = ["Date,Region,Channel,Order,Revenue"]
    for i in range(rows):
        region = rng.choice(["Noord", "Zuid", "Oost", "West"])
        channel = rng.choice(["Web", "Winkel"])
        lines.append(f"2025-01-{1 + i % 28:02d},{region},{channel},SO-{i:06d},{i % 97}.5")
    data = ("\n".join(lines) + "\n").encode()
    counted: list[int] = []
    value_counts = pac.value_counts

    def counting(values: object, *args: object, **kwargs: object) -> object:
        counted.append(len(values))  # type: ignore[arg-type]
        return value_counts(values, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pac, "value_counts", counting)
    monkeypatch.setenv(FAST_READ_ENV, "1")
    dataset = Dataset(id="d", name="D", source="t.csv", date_column="Date")
    done = read_dataset(data, "t.csv", dataset)
    typed = typed_table(done.frame, "Date")
    # Region and Channel (a handful of texts each) are counted once each, for the totals
    # check, their kind and the category test together; Order (3,000 distinct texts) is
    # judged on its first cells and its bytes, never counted.
    assert counted == [rows, rows]
    assert str(typed["Region"].dtype) == str(pd.Series(["a"], dtype=STR).dtype)
    assert typed["Revenue"].iloc[:3].tolist() == [0.5, 1.5, 2.5]  # 0.5, 1.5, 2.5 by i % 97


def test_many_texts_is_more_than_fifty_among_the_first_thousand() -> None:
    # 51 distinct texts in the first 1,000 cells: many; 50: not (the rest is not looked at).
    many = pa.array([f"x{i % 51}" for i in range(1_000)] + ["y"] * 5_000)
    few = pa.array([f"x{i % 50}" for i in range(1_000)] + [f"z{i}" for i in range(5_000)])
    assert parsing.many_texts(many)
    assert not parsing.many_texts(few)
