"""What the draft still lacks before it is a KPI, in the user's language."""

from __future__ import annotations

import difflib

from kpilogic.errors import FormulaError
from kpilogic.scorecard.formula import formula_columns, parse_formula
from ui.kpi_form.draft import KpiDraft
from ui.text import safe_message, tr


def check_formula(formula: str, columns: list[str], dataset: str) -> str | None:
    """What is wrong with ``formula``, in the user's language; None when it is fine."""
    if not formula.strip():
        return tr("kpis.need.formula")
    try:
        parse_formula(formula)
        used = formula_columns(formula)
    except FormulaError as exc:
        return safe_message(exc)
    missing = sorted(used - set(columns))
    if missing:
        similar = difflib.get_close_matches(missing[0], columns, n=3, cutoff=0.4)
        return tr(
            "kpis.formula.unknown_columns",
            columns=", ".join(missing),
            dataset=dataset,
            similar=", ".join(similar) or "–",
        )
    return None


def problems(draft: KpiDraft, columns: list[str], dataset: str) -> list[str]:
    """What the draft still lacks before it is a KPI (the name aside), in the user's language."""
    out: list[str] = []
    if draft.mode == "formula":
        problem = check_formula(str(draft.formula or ""), columns, dataset)
        if problem:
            out.append(problem)
    elif not draft.column and draft.aggregation != "count":
        out.append(tr("kpis.need.column"))
    if draft.direction == "range":
        low, high = draft.target_low, draft.target_high
        if low is None or high is None:
            out.append(tr("kpis.need.range"))
        elif low > high:
            out.append(tr("kpis.need.range_order"))
    else:
        kind = draft.target_kind_class()
        if kind.form.need is not None and kind.form_missing(draft.form_values(kind)):
            out.append(tr(kind.form.need))
    if draft.tol_value is None:
        out.append(tr("kpis.need.tolerance"))
    return out
