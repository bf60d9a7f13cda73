"""Glue of the one-way flow for callers that start from files: bytes → datasets → evaluation.

The command line and the app both use ``load_datasets`` so a scorecard's datasets are read
and typed the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import PurePath

import pandas as pd

from kpilogic.errors import DataError
from kpilogic.evaluate import Evaluation, evaluate_scorecard
from kpilogic.ingest import apply_kinds, profile_columns, read_table
from kpilogic.model import Dataset, Scorecard


def typed_table(df: pd.DataFrame, date_column: str | None = None) -> pd.DataFrame:
    """``df`` with its columns converted to their profiled kinds; ``date_column`` as dates."""
    kinds = dict(profile_columns(df))
    if date_column is not None and date_column in kinds:
        kinds[date_column] = "date"
    return apply_kinds(df, kinds)


def match_file(dataset: Dataset, names: list[str]) -> str | None:
    """The uploaded file name that holds ``dataset``: same file name, else the only file."""
    wanted = PurePath(dataset.source).name.lower()
    for name in names:
        if PurePath(name).name.lower() == wanted:
            return name
    return names[0] if len(names) == 1 else None


def load_datasets(scorecard: Scorecard, files: Mapping[str, bytes]) -> dict[str, pd.DataFrame]:
    """Read every dataset of ``scorecard`` from ``files`` (file name → bytes), typed.

    Raises:
        DataError: when no file matches a dataset or its date column is missing.
        ReadError: when a file cannot be read.
    """
    names = list(files)
    out: dict[str, pd.DataFrame] = {}
    for dataset in scorecard.datasets:
        name = match_file(dataset, names)
        if name is None:
            raise DataError("error.data.file_missing", dataset=dataset.name, source=dataset.source)
        df = read_table(files[name], name, dataset.sheet)
        if dataset.date_column not in df.columns:
            raise DataError(
                "error.data.column_missing", column=dataset.date_column, dataset=dataset.name
            )
        out[dataset.id] = typed_table(df, dataset.date_column)
    return out


def evaluate_files(
    scorecard: Scorecard, files: Mapping[str, bytes], as_of: date | None = None
) -> Evaluation:
    """Read the files and evaluate the scorecard over them (see ``load_datasets``)."""
    return evaluate_scorecard(scorecard, load_datasets(scorecard, files), as_of)
