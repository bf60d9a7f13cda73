"""The dataset a KPI reads, as the form needs it: its table and the kind of each column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from kpilogic.errors import KoersError
from kpilogic.scorecard.model import Dataset
from ui.cache import cached_table, dataset_kinds
from ui.kpi_form.draft import NONE
from ui.session import files

NUMERIC_AGGREGATIONS = frozenset({"sum", "mean", "median", "min", "max", "last"})


def column_kinds(ds: Dataset) -> dict[str, str]:
    """The kind of each column of ``ds`` (date / number / category / text), as on the Data page."""
    f = files().get(ds.source)
    if f is None:
        return {}
    try:
        raw = cached_table(f.sha, f.name, ds.sheet, f.data)
        return dict(dataset_kinds(ds, f, raw))
    except KoersError:
        return {}


@dataclass(frozen=True)
class Source:
    """The chosen dataset, its table, its columns and which of them hold numbers or
    categories."""

    dataset: Dataset
    df: pd.DataFrame
    columns: list[str]
    numbers: list[str]
    categories: list[str]

    @classmethod
    def of(cls, ds: Dataset, df: pd.DataFrame) -> Source:
        kinds = column_kinds(ds)
        columns = [str(c) for c in df.columns]
        return cls(
            dataset=ds,
            df=df,
            columns=columns,
            numbers=[c for c in columns if kinds.get(c) == "number"],
            categories=[c for c in columns if kinds.get(c) == "category"],
        )

    def data_end(self) -> date:
        """The last date in the dataset (today when it has none)."""
        column = self.dataset.date_column
        if column in self.df.columns:
            last = pd.to_datetime(self.df[column], errors="coerce").max()
            if pd.notna(last):
                return last.date()
        return date.today()

    def column_options(self, aggregation: str) -> list[str]:
        """Columns that fit an aggregation: numbers for sums and averages, any for counts."""
        if aggregation == "count":
            return [NONE, *self.columns]
        if aggregation in NUMERIC_AGGREGATIONS:
            return self.numbers or self.columns
        return self.columns
