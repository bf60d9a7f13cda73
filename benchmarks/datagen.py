"""Order-line data sets of any size, as xlsx and csv, generated once and cached on disk.

A row is one line of an order: Date (three years, daily), Order ID (text, shared by the
lines of one order), Customer ID (a whole number), Channel, Region, Category, Revenue,
Cost and Quantity. Everything is drawn from ``numpy.random.default_rng(seed)``, so a size
and a seed always give the same rows; the files live in ``benchmarks/data/`` (git-ignored)
under names that carry both.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

DATA_DIR = Path(__file__).resolve().parent / "data"
SHEET = "Orders"
FIRST_DAY = "2023-01-01"
LAST_DAY = "2025-12-31"  # 36 whole months
CHANNELS = ("Web", "Shop", "Marketplace")
CHANNEL_SHARE = (0.45, 0.40, 0.15)
REGIONS = ("North", "East", "South", "West", "Randstad")
CATEGORIES = ("Bikes", "E-bikes", "Parts", "Accessories", "Service", "Clothing")
COLUMNS = (
    "Date",
    "Order ID",
    "Customer ID",
    "Channel",
    "Region",
    "Category",
    "Revenue",
    "Cost",
    "Quantity",
)
# Bump when the generator changes, so cached files of the old shape are not reused.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class DataFiles:
    """The cached files of one data set."""

    rows: int
    seed: int
    xlsx: Path
    csv: Path


def order_lines(rows: int, seed: int) -> pd.DataFrame:
    """``rows`` order lines, sorted by date: realistic shapes, vectorised generation."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    # Orders: ~2.5 lines each; more orders later (growth) and in spring/summer.
    lines_per_order = 1 + rng.poisson(1.5, size=rows)
    ends = np.cumsum(lines_per_order)
    n_orders = int(np.searchsorted(ends, rows) + 1)
    lines_per_order = lines_per_order[:n_orders]
    lines_per_order[-1] -= int(ends[n_orders - 1] - rows)
    t = np.arange(len(days)) / len(days)
    weight = (1 + 0.3 * t) * (
        1 + 0.25 * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 80) / 365)
    )
    order_day = np.sort(rng.choice(len(days), size=n_orders, p=weight / weight.sum()))
    customers = max(rows // 8, 10)
    order_customer = (
        rng.zipf(1.3, size=n_orders) + rng.integers(0, customers, n_orders)
    ) % customers
    order_channel = rng.choice(len(CHANNELS), size=n_orders, p=CHANNEL_SHARE)
    order_region = rng.integers(0, len(REGIONS), size=n_orders)
    order_of_line = np.repeat(np.arange(n_orders), lines_per_order)

    revenue = np.round(rng.lognormal(4.2, 1.0, size=rows), 2)
    cost = np.round(revenue * rng.uniform(0.5, 0.8, size=rows), 2)
    return pd.DataFrame(
        {
            "Date": days[order_day[order_of_line]],
            "Order ID": pd.Series(
                [f"SO-{i:07d}" for i in (order_of_line + 1).tolist()], dtype=object
            ),
            "Customer ID": (order_customer[order_of_line] + 10001).astype("int64"),
            "Channel": np.asarray(CHANNELS, dtype=object)[order_channel[order_of_line]],
            "Region": np.asarray(REGIONS, dtype=object)[order_region[order_of_line]],
            "Category": np.asarray(CATEGORIES, dtype=object)[
                rng.integers(0, len(CATEGORIES), size=rows)
            ],
            "Revenue": revenue,
            "Cost": cost,
            "Quantity": (1 + rng.poisson(1.0, size=rows)).astype("int64"),
        }
    )


def write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """One sheet, header row then the rows; openpyxl's write-only mode streams the cells."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append(list(df.columns))
    columns = [
        df["Date"].dt.date.tolist() if name == "Date" else df[name].tolist() for name in df.columns
    ]
    for row in zip(*columns, strict=True):
        ws.append(row)
    wb.save(path)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Comma-separated, English decimals, ISO dates: what most exports write."""
    df.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def ensure(rows: int, seed: int, log: Callable[[str], None] = print) -> DataFiles:
    """The data set of ``rows`` rows and ``seed``, generated now unless it is cached."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"orders_{rows}_seed{seed}_v{GENERATOR_VERSION}"
    files = DataFiles(rows, seed, DATA_DIR / f"{stem}.xlsx", DATA_DIR / f"{stem}.csv")
    if files.xlsx.exists() and files.csv.exists():
        return files
    started = time.perf_counter()
    df = order_lines(rows, seed)
    if not files.csv.exists():
        _atomic(files.csv, lambda p: write_csv(df, p))
    if not files.xlsx.exists():
        _atomic(files.xlsx, lambda p: write_xlsx(df, p))
    elapsed = time.perf_counter() - started
    log(f"  generated {rows:,} rows in {elapsed:.0f} s → {files.xlsx.name}")
    return files
