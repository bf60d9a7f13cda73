"""The evaluation workload: a 25-KPI scorecard over the order lines, and its baseline.

``scorecard()`` is what a user of Koers would build for the generated data: sums, ratios,
distinct counts, row filters and segments, all monthly. ``pandas_actuals()`` is the
hand-written pandas a data analyst would write to get the same monthly actuals: a month
key computed once, then one ``groupby().agg()`` per distinct row filter. Both give a frame
of (kpi_id, segment, period, actual), so ``compare()`` can check they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from kpilogic.scorecard.model import KPI, Dataset, Filter, Goal, Measure, Scorecard, Target

DATASET = "orders"
WEB = [Filter(column="Channel", op="eq", value="Web")]
SHOP = [Filter(column="Channel", op="eq", value="Shop")]
MARKETPLACE = [Filter(column="Channel", op="eq", value="Marketplace")]
BIKES = [Filter(column="Category", op="eq", value="Bikes")]
SMALL_PARTS = [Filter(column="Category", op="in", value=["Parts", "Accessories"])]
BIG_LINES = [Filter(column="Revenue", op="ge", value=500)]
WEB_NORTH = [*WEB, Filter(column="Region", op="eq", value="North")]
MARGIN = "(sum(Revenue) - sum(Cost)) / sum(Revenue) * 100"

# id, goal, measure (aggregation + column, or a formula), filters, segment, target, direction
_KPIS: tuple[tuple[str, str, str, list[Filter], str | None, dict[str, Any], str], ...] = (
    ("revenue", "grow", "sum:Revenue", [], None, {"kind": "growth", "growth_pct": 10}, "higher"),
    ("cost", "margin", "sum:Cost", [], None, {"value": 400_000}, "lower"),
    ("gross_margin_pct", "margin", MARGIN, [], None, {"value": 35}, "higher"),
    ("gross_profit", "margin", "sum(Revenue) - sum(Cost)", [], None, {"value": 1e5}, "higher"),
    ("orders", "grow", "count_distinct:Order ID", [], None, {"value": 3000}, "higher"),
    ("customers", "customers", "count_distinct:Customer ID", [], None, {"value": 900}, "higher"),
    ("order_lines", "grow", "count:", [], None, {"value": 7000}, "higher"),
    ("units", "grow", "sum:Quantity", [], None, {"kind": "growth", "growth_pct": 5}, "higher"),
    (
        "avg_order_value",
        "customers",
        "sum(Revenue) / count_distinct([Order ID])",
        [],
        None,
        {"value": 280},
        "higher",
    ),
    ("avg_line_value", "customers", "mean:Revenue", [], None, {"value": 110}, "higher"),
    ("web_revenue", "online", "sum:Revenue", WEB, "Region", {"value": 3e5}, "higher"),
    ("web_orders", "online", "count_distinct:Order ID", WEB, None, {"value": 1400}, "higher"),
    ("web_margin_pct", "online", MARGIN, WEB, None, {"value": 35}, "higher"),
    ("shop_revenue", "grow", "sum:Revenue", SHOP, "Region", {"value": 2.5e5}, "higher"),
    ("marketplace_revenue", "online", "sum:Revenue", MARKETPLACE, None, {"value": 9e4}, "higher"),
    ("revenue_by_region", "grow", "sum:Revenue", [], "Region", {"annual_total": 8e6}, "higher"),
    ("margin_by_region", "margin", MARGIN, [], "Region", {"value": 35}, "higher"),
    ("bikes_revenue", "grow", "sum:Revenue", BIKES, None, {"value": 1e5}, "higher"),
    ("small_parts_units", "grow", "sum:Quantity", SMALL_PARTS, None, {"value": 5000}, "higher"),
    ("big_lines", "grow", "count:", BIG_LINES, None, {"value": 150}, "higher"),
    (
        "revenue_per_customer",
        "customers",
        "sum(Revenue) / count_distinct([Customer ID])",
        [],
        None,
        {"value": 700},
        "higher",
    ),
    (
        "units_per_order",
        "customers",
        "sum(Quantity) / count_distinct([Order ID])",
        [],
        None,
        {"value": 5},
        "higher",
    ),
    ("median_line_value", "customers", "median:Revenue", [], None, {"value": 65}, "higher"),
    ("max_line_value", "customers", "max:Revenue", [], None, {"value": 5000}, "lower"),
    ("web_north_revenue", "online", "sum:Revenue", WEB_NORTH, "Category", {"value": 6e4}, "higher"),
)


def _measure(text: str) -> Measure:
    if ":" in text:
        aggregation, column = text.split(":", 1)
        return Measure(aggregation=aggregation, column=column or None)
    return Measure(formula=text)


def _target(spec: dict[str, Any]) -> Target:
    if "annual_total" in spec:
        total = spec["annual_total"]
        return Target(kind="annual", annual={"2023": total, "2024": total, "2025": total * 1.1})
    return Target(**spec)


def scorecard(source: str, sheet: str | None) -> Scorecard:
    """25 monthly KPIs over the order lines in ``source`` (``sheet`` None for a csv)."""
    goals = [
        Goal(id="grow", title="Grow revenue 10% a year", deadline=date(2025, 12, 31)),
        Goal(id="margin", title="Keep gross margin above 35%", deadline=date(2025, 12, 31)),
        Goal(id="online", title="Grow the online channels", perspective="customer"),
        Goal(id="customers", title="Bigger baskets, loyal customers", perspective="customer"),
    ]
    kpis = [
        KPI(
            id=kpi_id,
            goal_id=goal,
            name=kpi_id.replace("_", " ").capitalize(),
            dataset_id=DATASET,
            measure=_measure(measure),
            filters=filters,
            segment_column=segment,
            target=_target(target),
            direction=direction,
            unit="percent" if kpi_id.endswith("_pct") else "number",
            cadence="month",
            owner="Benchmark",
        )
        for kpi_id, goal, measure, filters, segment, target, direction in _KPIS
    ]
    dataset = Dataset(id=DATASET, name="Orders", source=source, sheet=sheet, date_column="Date")
    return Scorecard(name="Benchmark 25 KPIs", datasets=[dataset], goals=goals, kpis=kpis)


# -- the hand-written baseline ---------------------------------------------------------------

_Agg = dict[str, tuple[str, str]]
_AGGS: _Agg = {
    "revenue": ("Revenue", "sum"),
    "cost": ("Cost", "sum"),
    "units": ("Quantity", "sum"),
    "lines": ("Revenue", "size"),
    "orders": ("Order ID", "nunique"),
    "customers": ("Customer ID", "nunique"),
    "mean_revenue": ("Revenue", "mean"),
    "median_revenue": ("Revenue", "median"),
    "max_revenue": ("Revenue", "max"),
}


def _margin(a: pd.DataFrame) -> pd.Series:
    return (a["revenue"] - a["cost"]) / a["revenue"] * 100


# KPI id -> (row filter name, aggregations needed, value from the aggregated frame, segment)
_BASELINE: dict[str, tuple[str, tuple[str, ...], Callable[[pd.DataFrame], pd.Series], str | None]]
_BASELINE = {
    "revenue": ("all", ("revenue",), lambda a: a["revenue"], None),
    "cost": ("all", ("cost",), lambda a: a["cost"], None),
    "gross_margin_pct": ("all", ("revenue", "cost"), _margin, None),
    "gross_profit": ("all", ("revenue", "cost"), lambda a: a["revenue"] - a["cost"], None),
    "orders": ("all", ("orders",), lambda a: a["orders"], None),
    "customers": ("all", ("customers",), lambda a: a["customers"], None),
    "order_lines": ("all", ("lines",), lambda a: a["lines"], None),
    "units": ("all", ("units",), lambda a: a["units"], None),
    "avg_order_value": ("all", ("revenue", "orders"), lambda a: a["revenue"] / a["orders"], None),
    "avg_line_value": ("all", ("mean_revenue",), lambda a: a["mean_revenue"], None),
    "web_revenue": ("web", ("revenue",), lambda a: a["revenue"], "Region"),
    "web_orders": ("web", ("orders",), lambda a: a["orders"], None),
    "web_margin_pct": ("web", ("revenue", "cost"), _margin, None),
    "shop_revenue": ("shop", ("revenue",), lambda a: a["revenue"], "Region"),
    "marketplace_revenue": ("marketplace", ("revenue",), lambda a: a["revenue"], None),
    "revenue_by_region": ("all", ("revenue",), lambda a: a["revenue"], "Region"),
    "margin_by_region": ("all", ("revenue", "cost"), _margin, "Region"),
    "bikes_revenue": ("bikes", ("revenue",), lambda a: a["revenue"], None),
    "small_parts_units": ("small_parts", ("units",), lambda a: a["units"], None),
    "big_lines": ("big_lines", ("lines",), lambda a: a["lines"], None),
    "revenue_per_customer": (
        "all",
        ("revenue", "customers"),
        lambda a: a["revenue"] / a["customers"],
        None,
    ),
    "units_per_order": ("all", ("units", "orders"), lambda a: a["units"] / a["orders"], None),
    "median_line_value": ("all", ("median_revenue",), lambda a: a["median_revenue"], None),
    "max_line_value": ("all", ("max_revenue",), lambda a: a["max_revenue"], None),
    "web_north_revenue": ("web_north", ("revenue",), lambda a: a["revenue"], "Category"),
}


def _row_filters(df: pd.DataFrame) -> dict[str, np.ndarray | None]:
    channel = df["Channel"]
    return {
        "all": None,
        "web": (channel == "Web").to_numpy(),
        "shop": (channel == "Shop").to_numpy(),
        "marketplace": (channel == "Marketplace").to_numpy(),
        "bikes": (df["Category"] == "Bikes").to_numpy(),
        "small_parts": df["Category"].isin(["Parts", "Accessories"]).to_numpy(),
        "big_lines": (df["Revenue"] >= 500).to_numpy(),
        "web_north": ((channel == "Web") & (df["Region"] == "North")).to_numpy(),
    }


def pandas_actuals(df: pd.DataFrame, shared: bool = False) -> pd.DataFrame:
    """Monthly actuals of the 25 KPIs (and their segments) with plain pandas groupbys.

    By default each KPI is one filter and one ``groupby().agg()`` (plus one by segment), as
    Koers evaluates them; ``shared`` groups once per distinct filter and derives every KPI
    from that (the fastest hand-written form).
    """
    month = df["Date"].dt.to_period("M")
    masks = _row_filters(df)
    needs: dict[tuple[str, str | None], set[str]] = {}
    for flt, aggs, _, segment in _BASELINE.values():
        needs.setdefault((flt, None), set()).update(aggs)
        if segment is not None:
            needs.setdefault((flt, segment), set()).update(aggs)

    def grouped(flt: str, segment: str | None, aggs: set[str] | tuple[str, ...]) -> pd.DataFrame:
        mask = masks[flt]
        rows = df if mask is None else df[mask]
        keys = [month if mask is None else month[mask]]
        if segment is not None:
            keys.append(rows[segment])
        spec = {name: _AGGS[name] for name in sorted(aggs)}
        return rows.groupby(keys, observed=True).agg(**spec)

    shared_frames = {key: grouped(*key, aggs) for key, aggs in needs.items()} if shared else {}
    parts = []
    for kpi_id, (flt, aggs, value, segment) in _BASELINE.items():
        for seg in (None, segment) if segment else (None,):
            frame = shared_frames[(flt, seg)] if shared else grouped(flt, seg, aggs)
            values = value(frame).rename("actual").reset_index()
            values.columns = ["period", "segment", "actual"] if seg else ["period", "actual"]
            if seg is None:
                values["segment"] = ""
            values["kpi_id"] = kpi_id
            parts.append(values)
    out = pd.concat(parts, ignore_index=True)
    out["period"] = out["period"].astype(str)
    out["segment"] = out["segment"].astype(str)
    return out[["kpi_id", "segment", "period", "actual"]]


def koers_actuals(detail: pd.DataFrame) -> pd.DataFrame:
    """The same frame from Koers' evaluation detail (periods with rows only)."""
    rows = detail[detail["rows"] > 0]
    out = rows[["kpi_id", "segment", "period", "actual"]].copy()
    out["segment"] = out["segment"].astype(str)
    out["period"] = out["period"].astype(str)
    return out.reset_index(drop=True)


def compare(koers: pd.DataFrame, baseline: pd.DataFrame) -> tuple[int, list[str]]:
    """How many actuals agree, and a description of up to five that do not."""
    key = ["kpi_id", "segment", "period"]
    both = koers.merge(baseline, on=key, how="outer", suffixes=("_koers", "_pandas"))
    a = both["actual_koers"].to_numpy(dtype=float)
    b = both["actual_pandas"].to_numpy(dtype=float)
    same = np.isclose(a, b, rtol=1e-9, atol=1e-9) | (np.isnan(a) & np.isnan(b))
    problems = [
        f"{r.kpi_id}/{r.segment or 'total'}/{r.period}: koers={r.actual_koers} "
        f"pandas={r.actual_pandas}"
        for r in both[~same].head(5).itertuples()
    ]
    return int(same.sum()), problems
