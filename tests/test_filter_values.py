"""kpilogic.sources.filter_values: a column's distinct values as filter texts, for the pick list."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from kpilogic.engine.measures import apply_filters
from kpilogic.scorecard.model import Filter
from kpilogic.sources.filter_values import filter_choices


def test_text_values_are_sorted_stripped_and_counted() -> None:
    col = pd.Series(["Web", " Shop", "web", None, "Shop ", "Amsterdam, Centrum", ""], name="Kanaal")
    got = filter_choices(col)
    # 'Shop' twice (spaces dropped), 'Web' and 'web' apart (the filter compares exactly),
    # the empty cell and the blank text are no value; sorted without regard to case.
    assert got.kind == "text"
    assert got.values == ("Amsterdam, Centrum", "Shop", "Web", "web")
    assert got.counts == (1, 2, 1, 1)
    assert got.distinct == 4 and not got.too_many
    assert got.count("Shop") == 2 and got.count("Rotterdam") is None


def test_numbers_in_numeric_order_as_written() -> None:
    col = pd.Series([2026.0, 100.0, 12.5, 2026.0, float("nan"), 9.0], name="Jaar")
    got = filter_choices(col)
    # 9 < 12.5 < 100 < 2026 (text order would put '100' before '12.5' before '9')
    assert got.kind == "number"
    assert got.values == ("9", "12.5", "100", "2026")
    assert got.counts == (1, 1, 1, 2)


def test_dates_as_days_when_no_time_of_day() -> None:
    col = pd.Series(pd.to_datetime(["2026-03-31", "2026-01-05", "2026-03-31", None]), name="Datum")
    got = filter_choices(col)
    assert got.kind == "date"
    assert got.values == ("2026-01-05", "2026-03-31")
    assert got.counts == (1, 2)
    with_time = filter_choices(pd.Series(pd.to_datetime(["2026-01-05 14:30"]), name="Tijd"))
    assert with_time.values == ("2026-01-05 14:30:00",)


def test_too_many_values_are_not_listed() -> None:
    col = pd.Series([f"klant {i}" for i in range(501)], name="Klant")
    got = filter_choices(col)
    assert got.too_many and got.values == () and got.distinct == 501
    assert not filter_choices(col.head(500)).too_many  # 500 is still a list


@pytest.mark.parametrize(
    "column",
    ["Kanaal", "Jaar", "Datum", "Actief"],
)
def test_each_picked_value_keeps_exactly_its_rows(column: str) -> None:
    df = pd.DataFrame(
        {
            "Kanaal": ["Web", " Shop", "Web", "Shop ", None, "web"],
            "Jaar": [2025.0, 2026.0, 2026.0, 12.5, 2026.0, float("nan")],
            "Datum": pd.to_datetime(
                ["2026-01-05", "2026-01-05", "2026-02-01", None, "2026-02-01", "2026-03-31"]
            ),
            "Actief": [True, False, True, True, False, True],
        }
    )
    got = filter_choices(df[column])
    assert got.values
    for value, count in zip(got.values, got.counts, strict=True):
        kept = apply_filters(df, [Filter(column=column, op="eq", value=value)])
        assert len(kept) == count, (column, value)
    # Together the values cover every row that has one.
    kept = apply_filters(df, [Filter(column=column, op="in", value=list(got.values))])
    assert len(kept) == df[column].notna().sum()


def test_datetimes_with_a_time_zone() -> None:
    col = pd.Series(pd.to_datetime([datetime(2026, 3, 1)]).tz_localize("Europe/Amsterdam"))
    assert filter_choices(col.rename("Datum")).values == ("2026-03-01",)
