"""Koers' evaluation against the reference evaluator (``tests/reference.py``).

Hypothesis makes small datasets (dates, whole-number values, some cells empty) and one-KPI
scorecards (every cadence, fiscal years, each target kind, tolerance in % and absolute,
higher / lower / range, an ``--as-of`` and a "complete through" date or not) and compares
every field of the evaluated summary with the reference, which follows the README alone.
Whole numbers keep sums exact, so a disagreement is a difference in the rules, not in the
last bit of a float. ``reliability`` is the data-quality score, not an evaluation rule, and
is left out of the comparison.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kpilogic.scorecard.model import Dataset, Scorecard
from tests import reference

COMPARED = (
    "period",
    "period_start",
    "period_end",
    "actual",
    "target",
    "pct_of_target",
    "gap",
    "status",
    "partial",
    "projected",
    "change_prev_pct",
    "change_yoy_pct",
    "ytd_actual",
    "ytd_target",
)

FIRST_DAY = date(2016, 11, 1)
SPAN = 520  # days: enough for a year-ago period and a fiscal year or two

AGGREGATED = [
    ("sum", "A"),
    ("count", None),
    ("count", "A"),
    ("mean", "A"),
    ("median", "A"),
    ("max", "A"),
    ("count_distinct", "C"),
]

_HAS_COMPLETE_THROUGH = "complete_through" in Dataset.model_fields


@st.composite
def datasets(draw: st.DrawFn, min_rows: int = 1) -> list[dict[str, Any]]:
    n = draw(st.integers(min_rows, 25))
    # Dates cluster (a few distinct days) so periods hold several rows, and sometimes sit
    # on the first of a month (a table of months).
    days = draw(st.lists(st.integers(0, SPAN), min_size=1, max_size=8, unique=True))
    rows = []
    for _ in range(n):
        offset = draw(st.sampled_from(days))
        if draw(st.booleans()) and draw(st.booleans()):
            day = FIRST_DAY + timedelta(days=offset)
            day = day.replace(day=1)
        else:
            day = FIRST_DAY + timedelta(days=offset)
        value = st.one_of(st.none(), st.integers(-20, 200))
        rows.append(
            {
                "date": day,
                "A": draw(value),
                "B": draw(value),
                "C": draw(st.one_of(st.none(), st.sampled_from(["x", "y", "z", "w"]))),
            }
        )
    return rows


def _labels(rows: list[dict[str, Any]], cadence: str, fs: int) -> list[str]:
    return sorted({reference.period_of(r["date"], cadence, fs).label for r in rows})


@st.composite
def scorecards(draw: st.DrawFn, rows: list[dict[str, Any]]) -> tuple[Scorecard, date | None]:
    fs = draw(st.sampled_from([1, 1, 4]))
    cadence = draw(st.sampled_from(["week", "month", "month", "quarter", "year"]))
    if draw(st.booleans()):
        func, column = draw(st.sampled_from(AGGREGATED))
        measure: dict[str, Any] = {"aggregation": func}
        if column is not None:
            measure["column"] = column
    else:
        measure = {"formula": draw(st.sampled_from(sorted(reference.FORMULAS)))}
    direction = draw(st.sampled_from(["higher", "higher", "lower", "range"]))
    if draw(st.booleans()):
        tolerance = {"kind": "percent", "value": draw(st.integers(0, 30))}
    else:
        tolerance = {"kind": "absolute", "value": draw(st.integers(0, 40))}
    number = st.integers(-10, 400).map(float)
    if direction == "range":
        low = draw(st.integers(-10, 200))
        target: dict[str, Any] = {"low": low, "high": low + draw(st.integers(0, 150))}
    else:
        kinds = ["constant", "per_period", "growth"]
        if cadence != "week":
            kinds.append("annual")
        kind = draw(st.sampled_from(kinds))
        if kind == "constant":
            target = {"value": draw(number)}
        elif kind == "per_period":
            labels = _labels(rows, cadence, fs)
            chosen = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=4, unique=True))
            target = {"kind": "per_period", "per_period": {lb: draw(number) for lb in chosen}}
        elif kind == "growth":
            target = {"kind": "growth", "growth_pct": draw(st.integers(-30, 50))}
        else:
            years = _labels(rows, "year", fs)
            if fs != 1 and draw(st.booleans()):
                # The calendar year the fiscal year starts in (README): FY2017/18 as 2017.
                years = [lb[2:6] for lb in years]
            target = {"kind": "annual", "annual": {y: draw(number) * 12 for y in years}}
            if draw(st.booleans()):
                target["profile"] = draw(st.lists(st.integers(1, 5), min_size=12, max_size=12))
    dataset: dict[str, Any] = {"id": "d", "name": "Data", "source": "data.xlsx"}
    dataset["date_column"] = "Date"
    last = max(r["date"] for r in rows)
    if _HAS_COMPLETE_THROUGH and draw(st.booleans()):
        dataset["complete_through"] = last + timedelta(days=draw(st.integers(-10, 40)))
    card = Scorecard.model_validate(
        {
            "name": "Reference",
            "fiscal_year_start_month": fs,
            "datasets": [dataset],
            "goals": [{"id": "g", "title": "Goal"}],
            "kpis": [
                {
                    "id": "k",
                    "goal_id": "g",
                    "name": "KPI",
                    "dataset_id": "d",
                    "measure": measure,
                    "direction": direction,
                    "tolerance": tolerance,
                    "target": target,
                    "cadence": cadence,
                }
            ],
        }
    )
    as_of = None
    if draw(st.booleans()):
        as_of = last + timedelta(days=draw(st.integers(-60, 400)))
    return card, as_of


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": pd.to_datetime([r["date"] for r in rows]),
            "A": pd.array([r["A"] for r in rows], dtype="Float64").astype("float64"),
            "B": pd.array([r["B"] for r in rows], dtype="Float64").astype("float64"),
            "C": pd.Series([r["C"] for r in rows], dtype="object"),
        }
    )


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _compare(got: list[dict[str, Any]], expected: list[dict[str, Any]], where: str) -> None:
    got_periods = [g["period"] for g in got]
    want_periods = [e["period"] for e in expected]
    assert got_periods == want_periods, f"{where}: periods {got_periods} != {want_periods}"
    for g, e in zip(got, expected, strict=True):
        for column in COMPARED:
            assert reference.is_close(_plain(g[column]), e[column]), (
                f"{where}: {e['period']} {column}: koers {g[column]!r} != reference "
                f"{e[column]!r}\nkoers: {g}\nreference: {e}"
            )


@st.composite
def cases(draw: st.DrawFn, min_rows: int = 1) -> tuple[list[dict[str, Any]], Scorecard, Any]:
    rows = draw(datasets(min_rows))
    card, as_of = draw(scorecards(rows))
    return rows, card, as_of


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_evaluation_equals_the_reference(case: tuple[list[dict[str, Any]], Scorecard, Any]) -> None:
    from kpilogic.engine.evaluate import evaluate_scorecard

    rows, card, as_of = case
    evaluation = evaluate_scorecard(card, {"d": _frame(rows)}, as_of)
    assert not evaluation.errors, evaluation.errors
    summary = evaluation.summary()
    got = summary[summary["segment"] == ""].to_dict("records")
    expected = reference.evaluate(card, card.kpis[0], rows, as_of)
    _compare(got, expected, "evaluate_scorecard")


def _workbook(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    ws.append(["Date", "A", "B", "C"])
    for r in rows:
        ws.append([r["date"], r["A"], r["B"], r["C"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _readable(rows: list[dict[str, Any]]) -> bool:
    # Every column has a value somewhere and a text column is text: then the file reads
    # back as the same table (a column with no value at all is not a column to ingest).
    return all(any(r[c] is not None for r in rows) for c in ("A", "B", "C"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(min_rows=3))
def test_koers_evaluate_writes_what_the_reference_computes(
    case: tuple[list[dict[str, Any]], Scorecard, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same comparison through the command line: xlsx in, ``koers evaluate`` JSON out."""
    from kpilogic.cli import main

    rows, card, as_of = case
    if not _readable(rows):
        return
    folder: Path = tmp_path_factory.mktemp("ref")
    (folder / "data.xlsx").write_bytes(_workbook(rows))
    # A "complete through" date goes in as the command line's option, not in the file.
    through = getattr(card.datasets[0], "complete_through", None)
    written = card
    if through is not None:
        dataset = card.datasets[0].model_copy(update={"complete_through": None})
        written = card.model_copy(update={"datasets": [dataset]})
    (folder / "card.json").write_text(written.to_json(), encoding="utf-8")
    out = folder / "out.json"
    argv = ["evaluate", str(folder / "data.xlsx"), "--scorecard", str(folder / "card.json")]
    argv += ["--out", str(out)]
    if as_of is not None:
        argv += ["--as-of", as_of.isoformat()]
    if through is not None:
        argv += ["--complete-through", through.isoformat()]
    assert main(argv) == 0
    records = json.loads(out.read_text(encoding="utf-8"))["summary"]
    got = []
    for record in records:
        if record["segment"] != "":
            continue
        row = dict(record)
        for column in ("period_start", "period_end"):
            row[column] = date.fromisoformat(str(row[column])[:10])
        got.append(row)
    expected = reference.evaluate(card, card.kpis[0], rows, as_of)
    _compare(got, expected, "koers evaluate")
