"""Issue 19: the shortcut that finds a text column holds no numbers and no dates without
reading its values (``parsing._mostly_no_value``) never disagrees with reading them.

A cell it counts as certainly no value must fail every reader (number in either notation,
with the other notation allowed too; date day first and month first; Excel serial), and
``infer_kinds`` must give the same kinds with the shortcut as without it.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from kpilogic.errors import ParseError
from kpilogic.sources import parsing
from kpilogic.sources.parsing import (
    _TEXT,
    _mostly_no_value,
    infer_kinds,
    parse_date_column,
    parse_number,
    parse_period_label,
)

# Tokens that make up numbers, dates and periods, and ones that make up codes and names.
TOKENS = [
    *("0", "1", "7", "12", "2026", "45300", "05", "١٢", "1.234", "1,5", "12.5", "1e5", "E3"),
    *("-", "–", "—", "−", "(", ")", "%", "€", "$", " ", ".", ",", "/", ":", "'", "+", "#"),
    *("eur", "EUR", "usd", "chf", "gbp", "mrt", "maart", "March", "jan", "mei", "okt", "dec"),
    *("week", "wk", "W", "q", "Q", "k", "kw", "K", "kwartaal", "quarter", "fy", "FY"),
    *("jaar ", "year ", "t", "T", "so", "SO", "x", "Noord", "Zuid", "Web", "Shop", "n/a"),
    *("#N/A", "#DIV/0!", "#N/B", "\u00a0", "\t", "café", "\u212a", "Wee"),
]


def _no_value(text: str) -> bool:
    """Whether every reader fails on ``text``."""
    for notation in ("nl", "en"):
        try:
            parse_number(text, notation)  # type: ignore[arg-type]
            return False
        except ParseError:
            pass
    for dayfirst in (True, False):
        if parse_period_label(text, None, dayfirst) is not None:
            return False
    column = pd.Series([text], dtype=_TEXT)
    parsed, _ = parse_date_column(column)
    return bool(parsed.isna().all()) and not parsing.is_excel_error(text)


def _random_texts(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def test_a_cell_counted_as_no_value_reads_as_none() -> None:
    rng = random.Random(20261130)
    texts = _random_texts(rng, 6_000)
    # A one-cell column is "mostly no value" exactly when its cell is counted as one.
    counted = [t for t in texts if _mostly_no_value(pd.Series([t], dtype=_TEXT), 0.8)]
    assert len(counted) > 1_500  # the shortcut does take many (codes, names, words)
    wrong = [t for t in counted if not _no_value(t)]
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    ["SO-0001", "Noord", "x1", "EUR x", "n/a", "ab 12", "Region 5", "so 2026"],
)
def test_codes_and_words_are_no_value(text: str) -> None:
    assert _mostly_no_value(pd.Series([text], dtype=_TEXT), 0.8)
    assert _no_value(text)


def test_text_with_an_error_sign_is_left_to_the_readers() -> None:
    # A cell with a # may be an Excel error, which the readers leave out of the share: the
    # shortcut does not count it, whatever else it holds.
    assert not _mostly_no_value(pd.Series(["#N/A-so"], dtype=_TEXT), 0.8)


@pytest.mark.parametrize(
    "text",
    [
        "mrt 2026", "2026-Q1", "Q1 2026", "week 9 2026", "fy2026", "EUR 1.234,56", "1e5",
        "-", "€ -", "(12)", "12%", "31-03-2026", "2026-03-31t10:00", "jaar 2026",
        "١٢", "#DIV/0!", "\u212aw 9 2026", "kwartaal 1 2026",
    ],
)  # fmt: skip
def test_values_are_never_taken_for_no_value(text: str) -> None:
    # Every one of these is a number, a date, an Excel error, or holds a character the
    # shortcut does not judge (non-ASCII with a digit): not counted.
    assert not _mostly_no_value(pd.Series([text], dtype=_TEXT), 0.8)


def test_infer_kinds_is_the_same_without_the_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    frames = []
    for i in range(300):
        # Columns of mixed cells: some mostly numbers or dates, some mostly text, with
        # blanks and errors, around the 80% threshold.
        share = rng.random()
        n = rng.randint(1, 40)
        values = rng.choice(
            [
                ["12", "1.234,5", "-", "€ 5", "12.5"],
                ["mrt 2026", "2026-03-31", "Q1 2026", "12-03-2026"],
            ]
        )
        cells: list[object] = []
        for _ in range(n):
            roll = rng.random()
            if roll < 0.1:
                cells.append(np.nan)
            elif roll < 0.15:
                cells.append(rng.choice(["#N/A", "  ", "#DIV/0!"]))
            elif roll < share:
                cells.append(rng.choice(values))
            else:
                cells.append(_random_texts(rng, 1)[0])
        frames.append(pd.DataFrame({f"c{i}": pd.Series(cells, dtype=_TEXT)}))
    frame = pd.concat(frames, axis=1)
    # The shortcut decides a good part of the columns, so the comparison tests it.
    assert sum(_mostly_no_value(frame[c], 0.8) for c in frame.columns) > 50
    with_shortcut = infer_kinds(frame)
    monkeypatch.setattr(parsing, "_mostly_no_value", lambda values, threshold: False)
    without = infer_kinds(frame)
    assert with_shortcut == without
    # Both kinds and no kind occur, so the comparison means something.
    assert {"number", "date"} <= set(without.values()) and len(without) < frame.shape[1]


def test_the_shortcut_leaves_a_column_at_the_threshold_to_the_readers() -> None:
    # 8 of 10 cells are numbers: a number column (80% read). 2 of 10 certain text is not
    # more than the 25% the shortcut needs, so it must not decide.
    column = pd.Series(["1", "2", "3", "4", "5", "6", "7", "8", "Noord", "Zuid"], dtype=_TEXT)
    assert not _mostly_no_value(column, 0.8)
    assert infer_kinds(column.to_frame("n")) == {"n": "number"}
    # 3 of 10: over 25%, so no kind, as the readers find (7 of 10 = 70% < 80%).
    column = pd.Series(["1", "2", "3", "4", "5", "6", "7", "x", "Noord", "Zuid"], dtype=_TEXT)
    assert _mostly_no_value(column, 0.8)
    assert infer_kinds(column.to_frame("n")) == {}


def _category_as_before(values: pd.Series) -> bool:
    # parsing._is_category before issue 19, in pandas (on Arrow strings, as the app has them).
    present = values.dropna().astype(_TEXT).str.strip()
    present = present[present != ""]
    if present.empty:
        return False
    distinct, n = present.nunique(), len(present)
    repeats = distinct < n if n < 10 else distinct <= 0.5 * n
    return bool(distinct <= 50 and repeats and present.str.len().mean() <= 60)


def test_category_on_arrow_is_the_category_in_pandas() -> None:
    rng = random.Random(11)
    words = ["Noord", " Noord", "Noord ", "Zuid", "  ", "", "Oost\u00a0", "x" * 61, "y" * 59]
    answers = []
    for _ in range(400):
        pool = rng.sample(words, rng.randint(1, len(words)))
        pool += [f"code {i}" for i in range(rng.choice([0, 3, 60]))]
        cells = [
            rng.choice(pool) if rng.random() > 0.1 else None for _ in range(rng.randint(0, 80))
        ]
        column = pd.Series(cells, dtype=_TEXT)
        expected = _category_as_before(column)
        assert parsing._is_category(column) == expected, cells
        answers.append(expected)
    assert 50 < sum(answers) < 350  # both answers occur often


def test_a_text_columns_kind_is_read_once_per_arrow_array(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    read = parsing._read_text_kind

    def counted(values: pd.Series, *args: object) -> object:
        calls.append(str(values.name))
        return read(values, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "_read_text_kind", counted)
    # 12 of 15 cells are numbers: 80%, a number column.
    frame = pd.DataFrame({"n": pd.Series(["1", "2", "3", "4", "x"] * 3, dtype=_TEXT)})
    assert infer_kinds(frame) == {"n": "number"}
    assert infer_kinds(frame.copy()) == infer_kinds(frame[["n"]])
    assert calls == ["n"]  # the same Arrow array: read once
    # Another column (new values, new array: 5 of 15 numbers) is read for itself.
    frame["n"] = pd.Series(["x", "y", "1"] * 5, dtype=_TEXT)
    assert infer_kinds(frame) == {}
    assert calls == ["n", "n"]


def test_many_distinct_texts_early_are_no_category() -> None:
    # 51 distinct codes among the first 1,000 cells, then one repeated region: no category
    # (51 > 50 distinct), as pandas counts it over all 3,000 cells.
    cells = [f"SO-{i % 51}" for i in range(1_000)] + ["Noord"] * 2_000
    column = pd.Series(cells, dtype=_TEXT)
    assert not _category_as_before(column) and not parsing._is_category(column)
    # 50 distinct among the first 1,000 and nothing new after: a category for both.
    cells = [f"R{i % 50}" for i in range(1_000)] + ["R1"] * 2_000
    column = pd.Series(cells, dtype=_TEXT)
    assert _category_as_before(column) and parsing._is_category(column)


def test_the_first_cells_settle_a_long_column_as_all_cells_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Long columns (past the 2,000 cells where the first 30% are looked at first) of codes,
    # words, numbers, dates, blanks and errors in varying shares and orders: the answer is
    # the one the whole column gives.
    rng = random.Random(23)
    pools = {
        "code": [f"SO-{i:05d}" for i in range(500)],
        "word": ["Noord", "Zuid", "Web"],
        "value": ["12", "1.234,5", "mrt 2026", "2026-03-31", "-"],
        "other": ["  ", "#N/A", "ab 12"],
    }
    columns = []
    for _ in range(60):
        weights = [4 * rng.random(), rng.random(), 6 * rng.random(), rng.random()]
        size = rng.randint(2_001, 4_000)
        kinds = rng.choices(list(pools), weights=weights, k=size)
        if rng.random() < 0.5:
            kinds.sort()  # runs of one kind: the first cells are not like the rest
        columns.append(pd.Series([rng.choice(pools[k]) for k in kinds], dtype=_TEXT))
    settled: list[bool] = []
    counted_cells = parsing._certain_cells

    def certain_cells(texts: object) -> int:
        found = counted_cells(texts)
        settled.append(found > 0.25 * len(texts) / parsing._PREFIX_SHARE)  # ≈ the bound
        return found

    monkeypatch.setattr(parsing, "_certain_cells", certain_cells)
    with_prefix = [_mostly_no_value(c, 0.8) for c in columns]
    assert 5 < sum(settled) < len(settled)  # the first cells settle some columns, not all
    monkeypatch.setattr(parsing, "_certain_cells", counted_cells)
    monkeypatch.setattr(parsing, "_PREFIX_ABOVE", 10**9)
    assert [_mostly_no_value(c, 0.8) for c in columns] == with_prefix
    assert 0 < sum(with_prefix) < len(with_prefix)  # both answers occur
    # And the prefix does settle a column of order numbers on its own.
    monkeypatch.setattr(parsing, "_PREFIX_ABOVE", 2_000)
    codes = pd.Series([f"SO-{i:07d}" for i in range(5_000)], dtype=_TEXT)
    calls: list[int] = []
    counted = parsing._certain_cells
    monkeypatch.setattr(
        parsing, "_certain_cells", lambda texts: calls.append(len(texts)) or counted(texts)
    )
    assert _mostly_no_value(codes, 0.8)
    assert calls == [1_500]  # 30% of 5,000 cells, and no count of the whole column
