"""The work the KPIs of one evaluation share (issue 19, the evaluate budget) gives exactly
what each KPI computed on its own gives.

``measures.Reuse`` keeps each filter's rows, a column read as numbers, text or segment
labels, and the rows of a choice of filters grouped by period with their aggregations;
``quality`` keeps the rows each filter leaves and their outliers and gaps, finds duplicate
rows by hashing their number and date cells first, and takes numpy's median. Each is
compared here with the plain computation on random tables: text with spaces and empty
cells, numbers missing, formulas that leave rows out, segments, several filters.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.engine.measures import (
    Reuse,
    apply_filters,
    incomplete_rows_per_period,
    measure_per_period,
)
from kpilogic.engine.quality import assess_kpi, duplicate_rows, robust_z
from kpilogic.scorecard.model import KPI, Dataset, Filter, Goal, Measure, Scorecard, Target
from kpilogic.scorecard.periods import period_keys

MARGIN = "(sum(Revenue) - sum(Cost)) / sum(Revenue) * 100"
WEB = Filter(column="Channel", op="eq", value="Web")


def _table(seed: int, n: int = 600, text: str = "str") -> pd.DataFrame:
    """Order lines over three years with the mess a real table has."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 3 * 365, n)
    dates = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"))
    dates[rng.random(n) < 0.03] = pd.NaT
    revenue = np.round(rng.lognormal(4, 1, n), 2)
    revenue[rng.random(n) < 0.02] *= 100  # a few outliers
    revenue[rng.random(n) < 0.1] = np.nan
    cost = np.round(revenue * rng.uniform(0.3, 0.9, n), 2)
    cost[rng.random(n) < 0.1] = np.nan  # rows a margin formula leaves out
    quantity = rng.integers(1, 9, n).astype("float64")
    quantity[rng.random(n) < 0.05] = np.nan
    customer = rng.integers(1, n // 4, n).astype("float64")
    customer[rng.random(n) < 0.05] = np.nan

    def pick(options: list[Any]) -> pd.Series:
        values = [options[i] for i in rng.integers(0, len(options), n)]
        return pd.Series(values, dtype=text)

    return pd.DataFrame(
        {
            "Date": dates,
            "Order ID": pick([f"SO-{i}" for i in range(n // 3)] + [None]),
            "Customer ID": customer,
            "Channel": pick(["Web", " Web ", "Shop", "Marketplace", "", None]),
            "Region": pick(["North", "South ", "East", None, " "]),
            "Category": pick(["Bikes", "Parts", "Accessories", None]),
            "Code": pick(["12", "100", "7", "35", None]),
            "Revenue": revenue,
            "Cost": cost,
            "Quantity": quantity,
        }
    )


def _m(text: str) -> Measure:
    if ":" in text:
        aggregation, column = text.split(":", 1)
        return Measure(aggregation=aggregation, column=column or None)
    return Measure(formula=text)


# (measure, filters, segment column): many share a filter, a column or a segment.
CASES: list[tuple[str, list[Filter], str | None]] = [
    ("sum:Revenue", [], None),
    ("sum:Revenue", [], "Region"),
    ("sum:Revenue", [WEB], "Region"),
    ("mean:Revenue", [WEB], None),
    ("median:Revenue", [Filter(column="Category", op="in", value=["Parts", "Accessories"])], None),
    ("min:Cost", [], "Category"),
    ("max:Revenue", [Filter(column="Channel", op="ne", value="Web")], None),
    ("last:Revenue", [WEB], None),
    ("count:", [], None),
    ("count:", [Filter(column="Revenue", op="ge", value=50)], "Region"),
    ("count:Cost", [], None),
    ("count_distinct:Order ID", [], None),
    ("count_distinct:Order ID", [WEB], "Region"),
    ("count_distinct:Customer ID", [], None),
    (MARGIN, [], None),
    (MARGIN, [WEB], "Region"),
    (MARGIN, [WEB, Filter(column="Region", op="eq", value="South")], None),
    ("sum(Revenue) / count_distinct([Order ID])", [], None),
    ("sum(Quantity) / count_distinct([Order ID])", [WEB], None),
    ("sum:Quantity", [Filter(column="Code", op="gt", value="20")], None),
    ("sum:Revenue", [Filter(column="Category", op="not_in", value=["Bikes"])], "Category"),
]


@pytest.mark.parametrize(("seed", "text"), [(1, "str"), (2, "str"), (3, object), (4, "str")])
def test_shared_measures_equal_each_measure_on_its_own(seed: int, text: str) -> None:
    df = _table(seed, text=text)
    reuse = Reuse()
    for cadence in ("month", "quarter"):
        keys = period_keys(df["Date"], cadence)  # type: ignore[arg-type]
        for measure, filters, segment in CASES:
            kw: dict[str, Any] = {
                "date_column": "Date",
                "cadence": cadence,
                "filters": filters,
                "segment_column": segment,
            }
            alone = measure_per_period(df, _m(measure), **kw)
            shared = measure_per_period(df, _m(measure), keys=keys, reuse=reuse, **kw)
            pd.testing.assert_frame_equal(alone, shared, check_exact=True)
            left_alone = incomplete_rows_per_period(df, _m(measure), **kw)
            left_shared = incomplete_rows_per_period(df, _m(measure), keys=keys, reuse=reuse, **kw)
            pd.testing.assert_frame_equal(left_alone, left_shared, check_exact=True)


def _by_hand(
    df: pd.DataFrame, aggregation: str, column: str, filters: list[Filter], segment: str | None
) -> pd.Series:
    """One aggregation per month (and segment) the way an analyst writes it: filter, then
    group on the month and the segment's label (spaces around it left out)."""
    kept = apply_filters(df, filters)
    keys: list[pd.Series] = []
    if segment is not None:
        labels = kept[segment].astype("string").str.strip()
        kept = kept[labels.notna() & (labels != "")]
        keys.append(labels[kept.index].rename("segment"))
    kept = kept[kept["Date"].notna()]
    month = (kept["Date"].dt.year * 12 + kept["Date"].dt.month - 1).rename("key")
    keys = [month, *(k[kept.index] for k in keys)]
    grouped = kept[column].groupby(keys, sort=True)
    if aggregation == "count_distinct":
        return grouped.nunique().astype("float64")
    if aggregation == "sum":
        return grouped.sum(min_count=1)
    return grouped.agg(aggregation).astype("float64")


@pytest.mark.parametrize("seed", [5, 6])
def test_shared_measures_equal_a_plain_pandas_groupby(seed: int) -> None:
    df = _table(seed)
    reuse = Reuse()
    keys = period_keys(df["Date"], "month")
    plain: list[tuple[str, str, list[Filter], str | None]] = [
        ("sum", "Revenue", [], None),
        ("sum", "Revenue", [], "Region"),
        ("sum", "Revenue", [WEB], "Category"),
        ("mean", "Revenue", [WEB], None),
        ("median", "Revenue", [WEB], "Region"),
        ("max", "Cost", [Filter(column="Revenue", op="ge", value=50)], None),
        ("count_distinct", "Order ID", [], None),
        ("count_distinct", "Order ID", [WEB], "Region"),
    ]
    for aggregation, column, filters, segment in plain:
        measure = Measure(aggregation=aggregation, column=column)  # type: ignore[arg-type]
        kw: dict[str, Any] = {
            "date_column": "Date",
            "cadence": "month",
            "filters": filters,
            "segment_column": segment,
        }
        out = measure_per_period(df, measure, keys=keys, reuse=reuse, **kw)
        expected = _by_hand(df, aggregation, column, filters, segment)
        by = ["key", *(["segment"] if segment else [])]
        got = out.set_index(by)["value"]
        # Same groups in the same order (periods, then segments sorted), same values.
        assert [tuple(map(str, np.atleast_1d(i))) for i in got.index] == [
            tuple(map(str, np.atleast_1d(i))) for i in expected.index
        ]
        assert np.array_equal(got.to_numpy(), expected.to_numpy(), equal_nan=True)


def test_complete_rows_of_a_formula_are_not_shared_with_a_plain_sum() -> None:
    # One month, four rows: Revenue 100, 200, 300, — and Cost 50, —, 100, 10.
    df = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"]),
            "Revenue": [100.0, 200.0, 300.0, np.nan],
            "Cost": [50.0, np.nan, 100.0, 10.0],
        }
    )
    reuse = Reuse()
    keys = period_keys(df["Date"], "month")
    kw: dict[str, Any] = {"date_column": "Date", "cadence": "month", "keys": keys, "reuse": reuse}
    margin = measure_per_period(df, Measure(formula=MARGIN), **kw)
    revenue = measure_per_period(df, Measure(aggregation="sum", column="Revenue"), **kw)
    left_out = incomplete_rows_per_period(df, Measure(formula=MARGIN), **kw)
    # The margin reads rows 1 and 3 only: (100 + 300 − (50 + 100)) / (100 + 300) × 100 = 62.5.
    assert margin["value"].tolist() == [62.5] and margin["rows"].tolist() == [2]
    # The plain sum reads every Revenue: 100 + 200 + 300 = 600 over 4 rows.
    assert revenue["value"].tolist() == [600.0] and revenue["rows"].tolist() == [4]
    # Rows 2 (no Cost) and 4 (no Revenue) are named as left out.
    assert left_out["rows"].tolist() == [2]
    assert left_out["missing"].tolist() == ["Revenue, Cost"]


def _scorecard(kpis: list[KPI]) -> Scorecard:
    return Scorecard(
        name="Shared",
        datasets=[Dataset(id="d", name="Orders", source="o.csv", date_column="Date")],
        goals=[Goal(id="g", title="Grow", deadline=date(2026, 12, 31))],
        kpis=kpis,
    )


def _kpis() -> list[KPI]:
    out = []
    for i, (measure, filters, segment) in enumerate(CASES):
        out.append(
            KPI(
                id=f"k{i}",
                goal_id="g",
                name=f"KPI {i}",
                dataset_id="d",
                measure=_m(measure),
                filters=filters,
                segment_column=segment,
                target=Target(value=100.0),
                cadence="quarter" if i % 4 == 0 else "month",
            )
        )
    return out


@pytest.mark.filterwarnings("ignore:Parsing dates:UserWarning")  # day-first text, as before
@pytest.mark.parametrize(
    ("seed", "as_of", "text_dates"),
    [(7, None, False), (8, date(2025, 8, 15), False), (9, None, True)],
)
def test_a_scorecard_evaluates_each_kpi_as_it_would_alone(
    seed: int, as_of: date | None, text_dates: bool
) -> None:
    df = _table(seed, n=500)
    if text_dates:
        df["Date"] = df["Date"].dt.strftime("%d-%m-%Y").astype("str")
    kpis = _kpis()
    together = evaluate_scorecard(_scorecard(kpis), {"d": df}, as_of)
    assert together.quality is not None
    assert not together.errors
    named = 0
    for kpi in kpis:
        alone = evaluate_scorecard(_scorecard([kpi]), {"d": df}, as_of)
        assert alone.quality is not None
        pd.testing.assert_frame_equal(
            together.kpi_rows(kpi.id).reset_index(drop=True),
            alone.detail[alone.detail["segment"] == ""].reset_index(drop=True),
            check_exact=True,
        )
        both = together.detail[together.detail["kpi_id"] == kpi.id].reset_index(drop=True)
        pd.testing.assert_frame_equal(both, alone.detail, check_exact=True)
        assert together.quality.kpis[kpi.id] == alone.quality.kpis[kpi.id]
        assert together.forecasts.get(kpi.id) == alone.forecasts.get(kpi.id)
        named += int(both["incomplete_rows"].sum())
    # The margin formulas left rows out, and each is named (in its rows and its quality).
    assert named > 0
    margin = together.quality.kpis["k14"]
    assert "quality.left_out" in [f.key for f in margin.findings]


@pytest.mark.parametrize("seed", [10, 11])
def test_quality_checks_with_shared_rows_equal_each_check_alone(seed: int) -> None:
    df = _table(seed, n=800)
    kpis = _kpis()
    reuse = Reuse()
    for cadence in ("month", "quarter"):
        keys = period_keys(df["Date"], cadence)  # type: ignore[arg-type]
        for each in kpis:
            kpi = each.model_copy(update={"cadence": cadence})
            alone = assess_kpi(kpi, df, "Date", as_of=date(2026, 6, 1))
            shared = assess_kpi(kpi, df, "Date", as_of=date(2026, 6, 1), keys=keys, reuse=reuse)
            assert asdict(alone) == asdict(shared)


def _old_robust_z(values: pd.Series) -> pd.Series:
    """The robust z as pandas worked it out before (median and MAD of pandas Series)."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    present = numbers.dropna()
    median = float(present.median())
    deviation = (present - median).abs()
    mad = float(deviation.median())
    scale = mad / 0.6745 if mad > 0 else float(deviation.mean()) * 1.2533
    return (numbers - median) / scale


@pytest.mark.parametrize("n", [5, 6, 101, 2000])
def test_robust_z_on_numpy_equals_the_pandas_medians(n: int) -> None:
    rng = np.random.default_rng(n)
    for trial in range(10):
        values = rng.lognormal(3, 2, n)
        values[rng.random(n) < 0.1] = np.nan
        if trial % 3 == 0:
            values = np.round(values)  # ties, and a MAD that can be 0
        series = pd.Series(values)
        expected = _old_robust_z(series).to_numpy()
        assert np.array_equal(robust_z(series).to_numpy(), expected, equal_nan=True)


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_duplicate_rows_equal_pandas_duplicated(seed: int) -> None:
    rng = np.random.default_rng(seed)
    df = _table(seed, n=300)
    # Copies of earlier rows, some with one text cell changed (equal numbers and dates:
    # they hash alike, but are no repeat), and -0.0 beside 0.0, NaN beside NaN.
    copies = df.sample(60, random_state=seed, replace=True).reset_index(drop=True)
    changed = copies.copy()
    changed.loc[::2, "Channel"] = "Elsewhere"
    zeros = df.iloc[:4].copy()
    zeros["Revenue"] = [0.0, -0.0, 0.0, np.nan]
    zeros["Cost"] = [np.nan, np.nan, np.nan, np.nan]
    table = pd.concat([df, copies, changed, zeros, zeros], ignore_index=True)
    table = table.sample(frac=1, random_state=seed).reset_index(drop=True)
    rows = list(rng.permutation(len(table)) + 2)
    expected_positions = np.flatnonzero(table.duplicated(keep="first").to_numpy())
    assert len(expected_positions) >= 60  # the copies at least
    assert duplicate_rows(table, rows) == tuple(rows[p] for p in expected_positions)


def test_dates_a_day_apart_are_no_repeat() -> None:
    day = date(2026, 1, 1)
    df = pd.DataFrame(
        {
            "Date": pd.to_datetime([day, day + timedelta(days=1), day]),
            "Channel": pd.Series(["Web", "Web", "Web"], dtype="str"),
            "Revenue": [1.0, 1.0, 1.0],
        }
    )
    # Row 4 (the third) repeats row 2 in every column; row 3 has another date.
    assert duplicate_rows(df) == (4,)
