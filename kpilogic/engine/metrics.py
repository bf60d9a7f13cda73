"""Several metrics in one value column: what an unpivoted wide sheet holds.

A months-as-columns sheet with a row per metric (Omzet, Kosten, Orders) becomes, once
unpivoted (``layout.unpivot``), one ``Value`` column holding euros and order counts side by
side, told apart by the metric column (``Metric``/``Maatstaf``, see
``layout.metric_column_of``). Adding up that value column without choosing one metric mixes
quantities, so a KPI on it must filter to exactly one metric. ``dataset_metrics`` lists the
metric names of a dataset (for templates and the KPI page to map their roles onto);
``metric_problem`` says whether a KPI breaks the rule; ``metric_errors`` finds every such
KPI of a scorecard and ``with_metric_errors`` takes them out of an evaluation as KPIs that
could not be evaluated, with the reason (``pipeline.evaluate_files`` and the app alike, so
one KPI that mixes metrics never hides the others); ``check_metrics`` refuses outright.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from kpilogic.engine.evaluate import Evaluation
from kpilogic.errors import DataError, KoersError
from kpilogic.scorecard.formula import formula_columns
from kpilogic.scorecard.model import KPI, Dataset, Scorecard
from kpilogic.sources.layout import Tidy, long_names

MAX_NAMED = 12  # metric names listed in a message


@dataclass(frozen=True)
class Metrics:
    """The metric column of a dataset, its value column and the metric names in it."""

    column: str
    value_column: str
    names: tuple[str, ...]


def metric_names(frame: pd.DataFrame, column: str) -> tuple[str, ...]:
    """The distinct metric names in ``column`` of ``frame``, in order of first appearance."""
    if column not in frame.columns:
        return ()
    values = frame[column].dropna().astype(str).str.strip()
    return tuple(str(v) for v in values[values != ""].unique())


def dataset_metrics(dataset: Dataset, tidy: Tidy) -> Metrics | None:
    """The metrics of ``dataset`` as read (``tidy``): None unless it was unpivoted from a
    wide sheet whose rows hold two or more different metrics."""
    wide = tidy.wide
    if wide is None or wide.metric_column is None:
        return None
    names = metric_names(tidy.frame, wide.metric_column)
    if len(names) < 2:
        return None
    value = long_names(dataset.column_language).value
    if value not in tidy.frame.columns:
        return None
    return Metrics(wide.metric_column, value, names)


def _uses(kpi: KPI, column: str) -> bool:
    if kpi.measure.formula:
        try:
            return column in formula_columns(kpi.measure.formula)
        except KoersError:  # a formula that does not parse is reported on the KPI page
            return False
    return kpi.measure.column == column


def _one_metric(kpi: KPI, metrics: Metrics) -> bool:
    for f in kpi.filters:
        if f.column != metrics.column:
            continue
        if f.op == "eq":
            return True
        if f.op == "in" and isinstance(f.value, list) and len(f.value) == 1:
            return True
    return False


def metric_problem(kpi: KPI, metrics: Metrics | None) -> DataError | None:
    """The error to show when ``kpi`` adds up the value column of several metrics without
    a filter to one of them (``error.kpi.one_metric``), else None."""
    if metrics is None or not _uses(kpi, metrics.value_column) or _one_metric(kpi, metrics):
        return None
    shown = list(metrics.names[:MAX_NAMED])
    more = len(metrics.names) - len(shown)
    return DataError(
        "error.kpi.one_metric",
        kpi=kpi.name,
        value=metrics.value_column,
        column=metrics.column,
        names=", ".join(f"'{n}'" for n in shown) + (f" (+{more})" if more else ""),
        example=shown[0],
    )


def metric_errors(scorecard: Scorecard, tidies: Mapping[str, Tidy]) -> dict[str, DataError]:
    """Every KPI of ``scorecard`` that sums several metrics (``metric_problem``), by id."""
    found: dict[str, Metrics | None] = {}
    for dataset in scorecard.datasets:
        tidy = tidies.get(dataset.id)
        found[dataset.id] = None if tidy is None else dataset_metrics(dataset, tidy)
    out: dict[str, DataError] = {}
    for kpi in scorecard.kpis:
        problem = metric_problem(kpi, found.get(kpi.dataset_id))
        if problem is not None:
            out[kpi.id] = problem
    return out


def with_metric_errors(evaluation: Evaluation, tidies: Mapping[str, Tidy]) -> Evaluation:
    """``evaluation`` with each KPI that sums several metrics moved to its ``errors`` (its
    rows and forecast taken out): it is shown as a KPI that could not be evaluated, with the
    reason, never as a sum of euros and order counts."""
    problems = metric_errors(evaluation.scorecard, tidies)
    if not problems:
        return evaluation
    detail = evaluation.detail
    if "kpi_id" in detail.columns:
        detail = detail[~detail["kpi_id"].isin(list(problems))].reset_index(drop=True)
    forecasts = {k: v for k, v in evaluation.forecasts.items() if k not in problems}
    return dataclasses.replace(
        evaluation,
        detail=detail,
        forecasts=forecasts,
        errors={**evaluation.errors, **problems},
    )


def check_metrics(scorecard: Scorecard, tidies: Mapping[str, Tidy]) -> None:
    """Refuse a scorecard with a KPI that sums several metrics (see ``metric_problem``).

    Raises:
        DataError: ``error.kpi.one_metric`` for the first such KPI.
    """
    for problem in metric_errors(scorecard, tidies).values():
        raise problem


__all__ = [
    "Metrics",
    "check_metrics",
    "dataset_metrics",
    "metric_errors",
    "metric_names",
    "metric_problem",
    "with_metric_errors",
]
