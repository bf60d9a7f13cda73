"""KPIs: per goal, the measurable values that tell whether it is reached, with a live preview.

The KPI being written lives in the app-owned draft ``koers_kpi_draft`` (plain values, no
widget state), so it survives switching page or language; the widgets only mirror it.
Saving builds a ``KPI``, puts it into a new, re-validated ``Scorecard`` and empties the draft.
The preview evaluates the draft alone with ``evaluate_kpi``, exactly as the dashboard will.
"""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from kpilogic.engine.evaluate import evaluate_kpi, unmatched_targets
from kpilogic.engine.pillars import kpi_health
from kpilogic.engine.templates import (
    ACCEPTS,
    CATEGORIES,
    COUNT_CHOICES,
    TEMPLATES,
    KpiTemplate,
    aggregation_check,
    count_choice,
    counting_roles,
    instantiate,
    name_suggests,
    roles,
    suggest_columns,
    suggested_target,
    template,
)
from kpilogic.errors import FormulaError, KoersError
from kpilogic.i18n import format_date, format_number, format_period, format_value, t
from kpilogic.present.charts import actual_vs_target_chart, fit_to_column
from kpilogic.scorecard.explain import explain_reason, status_badge
from kpilogic.scorecard.formula import formula_columns, formula_is_additive, parse_formula
from kpilogic.scorecard.model import (
    AGGREGATIONS,
    CADENCES,
    DIRECTIONS,
    KPI,
    UNITS,
    Dataset,
    Scorecard,
    describe_validation_error,
)
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.targets import TARGET_KINDS, ConstantTarget, FormField, Target
from kpilogic.sources.filter_values import MAX_CHOICES, FilterChoices, filter_choices
from ui.cache import cached_table, dataset_kinds, load_data
from ui.health import show_checklist
from ui.keys import AS_OF
from ui.routing import PAGES, route_guard
from ui.session import (
    files,
    kinds_override,
    require_role,
    scorecard,
    set_scorecard,
    unique_id,
    workspace_checkins,
)
from ui.text import Md, lang, plain_md, safe_message, set_notice, show_error, tr
from ui.widgets import bound, notice, require_data, require_scorecard

route_guard()
require_role("editor")  # a viewer is told to ask the owner for edit rights
DRAFT = "koers_kpi_draft"  # the KPI being written: plain values (see _empty_draft)
GOAL = "koers_kpi_goal"  # the goal whose KPIs are shown
CONFIRM = "koers_kpi_confirm_delete"  # id of the KPI awaiting "yes, delete"
FORM_LANG = "koers_kpi_form_lang"  # the language the form's widgets were last drawn in
RESET = "koers_kpi_reset"  # set when the form's widgets must be redrawn from the draft
KEEP_WIDGETS = ("kpi_goal", "kpi_edit_", "kpi_delete_")  # widget keys not part of the form
TPL = "koers_kpi_tpl"  # the template picker's choices: category, template, dataset, columns
ALL = "all"  # the "all categories" choice of the template picker

MAX_FILTERS = 5
MAX_SEGMENTS = 50  # rows of the per-segment target table
PREVIEW_PERIODS = 6
CHART_PERIODS = 12
MODES = ("aggregation", "formula")
FILTER_OPS = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le")
OPERATORS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}  # as the operators are shown
NONE = ""  # the "no column" choice (rows to count, no split): None would read as "nothing chosen"
# Widget keys of target form fields whose key is not ``kpi_`` + the field's draft key.
WIDGET_KEYS = {"growth_pct": "kpi_growth", "target_column_aggregation": "kpi_target_column_agg"}
NUMERIC_AGGREGATIONS = frozenset({"sum", "mean", "median", "min", "max", "last"})


# -- the draft -------------------------------------------------------------------------------


def _empty_draft(dataset_id: str) -> dict[str, Any]:
    return {
        "name": "",
        "why": "",
        "dataset_id": dataset_id,
        "mode": "aggregation",
        "aggregation": "sum",
        "column": NONE,
        "formula": "",
        "fb_op": "+",
        "fb_agg": "sum",
        "fb_column": NONE,
        "fb_number": 100.0,
        "filters": [],
        "unit": "number",
        "direction": "higher",
        "target_kind": "constant",
        "target_value": None,
        "target_low": None,
        "target_high": None,
        "target_column": None,
        "target_column_aggregation": "sum",
        "growth_pct": 10.0,
        "phasing": "even",
        "pp_start": None,
        "pp_count": 12,
        "tables": {},  # data_editor tables: name -> {rows, base, ver, sig}
        "tol_kind": "percent",
        "tol_value": 10.0,
        "cadence": "month",
        "owner": "",
        "action": "",
        "segment_column": NONE,
    }


def _text(value: object) -> str:
    """A filter value as typed: 2026.0 reads as '2026'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _draft_of(kpi: KPI) -> dict[str, Any]:
    """The draft that edits ``kpi``."""
    d = _empty_draft(kpi.dataset_id)
    d.update(
        id=kpi.id,
        name=kpi.name,
        why=kpi.why,
        unit=kpi.unit,
        direction=kpi.direction,
        cadence=kpi.cadence,
        owner=kpi.owner,
        action=kpi.action,
        segment_column=kpi.segment_column or NONE,
        tol_kind=kpi.tolerance.kind,
        tol_value=kpi.tolerance.value,
    )
    m = kpi.measure
    if m.formula:
        d.update(mode="formula", formula=m.formula)
    else:
        d.update(mode="aggregation", aggregation=m.aggregation, column=m.column or NONE)
    d["filters"] = [
        {
            "column": f.column,
            "for": f.column,
            "op": f.op,
            "value": "" if isinstance(f.value, list) else _text(f.value),
            "values": [_text(v) for v in f.value] if isinstance(f.value, list) else [],
        }
        for f in kpi.filters
    ]
    tgt = kpi.target
    if tgt is None:
        return d
    d.update(target_low=tgt.low, target_high=tgt.high)
    if kpi.direction == "range":
        return d
    if tgt.segments:
        rows = [{"segment": k, "target": v} for k, v in tgt.segments.items()]
        # No signature yet: the first drawing adds the segments the data has without a target.
        d["tables"]["segments"] = {"rows": rows, "base": rows, "ver": 0, "sig": None}
    d["target_kind"] = tgt.kind
    values = tgt.form_values()
    for fld in tgt.form.fields:  # the kind says which fields its form has
        _draft_field(d, fld, values[fld.key], kpi.cadence)
    return d


def _draft_field(d: dict[str, Any], fld: FormField, value: Any, cadence: str) -> None:
    """Put a target's form field into the draft, as its widget keeps it."""
    if fld.widget == "period_table":
        rows = [{"period": k, "target": v} for k, v in sorted(value.items())]
        d["tables"][fld.key] = {"rows": rows, "base": rows, "ver": 0, "sig": cadence}
        d["pp_start"], d["pp_count"] = rows[0]["period"], len(rows)
    elif fld.widget == "year_table":
        rows = [{"year": k, "target": v} for k, v in sorted(value.items())]
        d["tables"][fld.key] = {"rows": rows, "base": rows, "ver": 0, "sig": "annual"}
    elif fld.widget == "phasing":
        if value:
            d["phasing"] = "profile"
            weights = [{"month": i + 1, "weight": w} for i, w in enumerate(value)]
            d["tables"]["profile"] = {"rows": weights, "base": weights, "ver": 0, "sig": "fixed"}
    else:
        d[fld.key] = value


def _form_values(draft: dict[str, Any], kind: type[Target]) -> dict[str, Any]:
    """The draft's values of the fields the target ``kind`` asks for."""
    out: dict[str, Any] = {}
    for fld in kind.form.fields:
        if fld.widget == "period_table":
            out[fld.key] = _filled(_rows(draft, fld.key), "period")
        elif fld.widget == "year_table":
            out[fld.key] = _filled(_rows(draft, fld.key), "year")
        elif fld.widget == "phasing":
            profile = None
            if draft.get("phasing") == "profile" and draft["cadence"] != "week":
                weights = _rows(draft, "profile")
                profile = [
                    0.0 if w.get("weight") is None or pd.isna(w["weight"]) else float(w["weight"])
                    for w in weights
                ]
            out[fld.key] = profile
        else:
            out[fld.key] = draft.get(fld.key)
    return out


def _clear_widgets() -> None:
    """Forget the form's widget state, so the widgets show the (new) draft."""
    for key in list(st.session_state.keys()):
        if str(key).startswith("kpi_") and not str(key).startswith(KEEP_WIDGETS):
            del st.session_state[key]


def _new_draft() -> None:
    card = scorecard()
    first = card.datasets[0].id if card is not None and card.datasets else ""
    st.session_state[DRAFT] = _empty_draft(first)
    _clear_widgets()


def _start_edit(kpi: KPI) -> None:
    st.session_state[DRAFT] = _draft_of(kpi)
    st.session_state.pop(CONFIRM, None)
    _clear_widgets()


def _ask_delete(kpi_id: str) -> None:
    st.session_state[CONFIRM] = kpi_id


def _cancel_delete() -> None:
    st.session_state.pop(CONFIRM, None)


def _delete(kpi_id: str) -> None:
    card = scorecard()
    st.session_state.pop(CONFIRM, None)
    if card is None:
        return
    gone = [k for k in card.kpis if k.id == kpi_id]
    card = card.model_copy(update={"kpis": [k for k in card.kpis if k.id != kpi_id]})
    set_scorecard(Scorecard.model_validate(card.model_dump()))
    if gone:
        set_notice(tr("kpis.deleted", name=gone[0].name))
    if st.session_state.get(DRAFT, {}).get("id") == kpi_id:
        _new_draft()


# -- reading the data ------------------------------------------------------------------------


def _kinds(ds: Dataset) -> dict[str, str]:
    """The kind of each column of ``ds`` (date / number / category / text), as on the Data page."""
    f = files().get(ds.source)
    if f is None:
        return {}
    try:
        raw = cached_table(f.sha, f.name, ds.sheet, f.data)
        return dict(dataset_kinds(ds, f, raw))
    except KoersError:
        return {}


def _data_end(df: pd.DataFrame, ds: Dataset) -> date:
    """The last date in the dataset (today when it has none)."""
    if ds.date_column in df.columns:
        last = pd.to_datetime(df[ds.date_column], errors="coerce").max()
        if pd.notna(last):
            return last.date()
    return date.today()


def _column_options(aggregation: str, columns: list[str], numbers: list[str]) -> list[str]:
    """Columns that fit an aggregation: numbers for sums and averages, any for counts."""
    if aggregation == "count":
        return [NONE, *columns]
    if aggregation in NUMERIC_AGGREGATIONS:
        return numbers or columns
    return columns


def _labels(prefix: str, **params: Any) -> Callable[[Any], str]:
    """A ``format_func`` showing option ``x`` as the message ``{prefix}.x``.

    The language is fixed when the widget is drawn: Streamlit (and AppTest) may call a
    ``format_func`` after the run, when the session's language is out of reach.
    """
    language = lang()
    return lambda option: t(f"{prefix}.{option}", language, **params)


def _column_labels(none_key: str = "kpis.rows") -> Callable[[Any], str]:
    """A ``format_func`` for column choices, where ``NONE`` means ``none_key`` (e.g. 'rows')."""
    none_label = tr(none_key)
    return lambda column: none_label if column == NONE else str(column)


# -- building the KPI ------------------------------------------------------------------------


def _check_formula(formula: str, columns: list[str], dataset: str) -> str | None:
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


def _rows(draft: dict[str, Any], table: str) -> list[dict[str, Any]]:
    tab = draft.get("tables", {}).get(table)
    return list(tab["rows"]) if tab else []


def _filled(rows: list[dict[str, Any]], label: str) -> dict[str, float]:
    return {
        str(r[label]): float(r["target"])
        for r in rows
        if r.get(label) and r.get("target") is not None and not pd.isna(r["target"])
    }


def _problems(draft: dict[str, Any], columns: list[str], dataset: str) -> list[str]:
    """What the draft still lacks before it is a KPI (the name aside), in the user's language."""
    out: list[str] = []
    if draft["mode"] == "formula":
        problem = _check_formula(str(draft.get("formula") or ""), columns, dataset)
        if problem:
            out.append(problem)
    elif not draft.get("column") and draft.get("aggregation") != "count":
        out.append(tr("kpis.need.column"))
    if draft["direction"] == "range":
        low, high = draft.get("target_low"), draft.get("target_high")
        if low is None or high is None:
            out.append(tr("kpis.need.range"))
        elif low > high:
            out.append(tr("kpis.need.range_order"))
    else:
        kind = TARGET_KINDS.get(draft["target_kind"], ConstantTarget)
        if kind.form.need is not None and kind.form_missing(_form_values(draft, kind)):
            out.append(tr(kind.form.need))
    if draft.get("tol_value") is None:
        out.append(tr("kpis.need.tolerance"))
    return out


def _target(draft: dict[str, Any]) -> dict[str, Any] | None:
    if draft["direction"] == "range":
        return {"kind": "constant", "low": draft["target_low"], "high": draft["target_high"]}
    kind = TARGET_KINDS.get(draft["target_kind"], ConstantTarget)
    segments = _filled(_rows(draft, "segments"), "segment") if draft.get("segment_column") else {}
    return kind.from_form(_form_values(draft, kind), segments)


def _filters(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The complete filter rows (incomplete ones are left out); lists for in / not in."""
    out = []
    for flt in draft.get("filters", []):
        text = str(flt.get("value") or "").strip()
        picked = [str(v) for v in flt.get("values") or []]
        if not flt.get("column") or not (text or picked):
            continue
        value: Any = text
        if flt["op"] in ("in", "not_in"):
            value = picked or [v.strip() for v in text.split(",") if v.strip()]
        elif not text:
            continue
        out.append({"column": flt["column"], "op": flt["op"], "value": value})
    return out


def _build_kpi(draft: dict[str, Any], goal_id: str, kpi_id: str, name: str) -> KPI:
    """The draft as a KPI. Raises: ValidationError when the model refuses it."""
    if draft["mode"] == "formula":
        measure: dict[str, Any] = {"formula": str(draft["formula"]).strip()}
    else:
        measure = {"aggregation": draft["aggregation"], "column": draft.get("column") or None}
    return KPI.model_validate(
        {
            "id": kpi_id,
            "goal_id": goal_id,
            "name": name,
            "why": draft.get("why") or "",
            "dataset_id": draft["dataset_id"],
            "measure": measure,
            "filters": _filters(draft),
            "unit": draft["unit"],
            "direction": draft["direction"],
            "target": _target(draft),
            "tolerance": {"kind": draft["tol_kind"], "value": draft["tol_value"]},
            "cadence": draft["cadence"],
            "owner": draft.get("owner") or "",
            "action": draft.get("action") or "",
            "segment_column": draft.get("segment_column") or None,
        }
    )


def _tolerance_label(kind: str, unit: str, currency: str) -> str:
    if unit == "percent":
        return tr("words.kpis.tolerance." + ("relative" if kind == "percent" else "points"))
    if kind == "percent":
        return tr("kpis.field.tol_pct")
    return tr("kpis.field.tol_abs", unit=tr(f"kpis.unit.{unit}", currency=currency))


# -- words for a saved KPI -------------------------------------------------------------------


def _measure_text(kpi: KPI) -> str:
    m = kpi.measure
    if m.formula:
        text = tr("kpis.summary.formula", formula=m.formula)
    elif m.column is None:
        text = tr("kpis.rows")
    else:
        text = tr("kpis.summary.agg", agg=tr(f"measures.agg.{m.aggregation}"), column=m.column)
    if kpi.filters:
        op_words = _labels("kpis.filter.op")
        described = [
            f"{f.column} {op_words(f.op)} "
            + (
                ", ".join(_text(v) for v in f.value)
                if isinstance(f.value, list)
                else _text(f.value)
            )
            for f in kpi.filters
        ]
        joined = Md(tr("kpis.summary.and").join(plain_md(d) for d in described))
        text += " " + tr("kpis.summary.filters", filters=joined)
    return text


def _target_text(kpi: KPI, currency: str) -> str:
    tgt, L = kpi.target, lang()

    def fmt(value: float | None) -> str:
        return format_value(value, kpi.unit, L, currency)

    if tgt is None:
        return tr("kpis.summary.no_target")
    if kpi.direction == "range":
        return tr("kpis.summary.range", low=fmt(tgt.low), high=fmt(tgt.high))
    key, params = tgt.summary(kpi, L, currency)
    return tr(key, **params)


def _summary(kpi: KPI, currency: str) -> str:
    return " · ".join(
        [
            _measure_text(kpi),
            _target_text(kpi, currency),
            tr(f"kpis.direction.{kpi.direction}"),
            tr("kpis.summary.owner", owner=kpi.owner or "–"),
            tr(f"cadence.{kpi.cadence}"),
        ]
    )


# -- the preview -----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_preview(
    kpi_json: str,
    context: str,
    data_key: str,
    as_of: date | None,
    _card: Scorecard,
    _kpi: KPI,
    _df: pd.DataFrame,
) -> pd.DataFrame:
    return evaluate_kpi(_card, _kpi, _df, as_of)


def _show_preview(card: Scorecard, kpi: KPI, df: pd.DataFrame) -> pd.DataFrame | None:
    """Show the draft's recent periods and chart; the total's periods (None when none)."""
    L, cur = lang(), card.currency
    ds = card.dataset(kpi.dataset_id)
    f = files().get(ds.source)
    data_key = repr((f.sha if f else "", ds.sheet, sorted(kinds_override(ds.id).items())))
    context = repr((ds.model_dump_json(), card.fiscal_year_start_month, kpi.goal_id))
    try:
        rows = _cached_preview(
            kpi.model_dump_json(),
            context,
            data_key,
            st.session_state.get(AS_OF),
            card,
            kpi,
            df,
        )
    except KoersError as exc:
        st.warning(safe_message(exc), icon="⚠️")
        return None
    total = rows[rows["segment"] == ""]
    if total.empty:
        st.info(tr("kpis.preview.no_periods"), icon="📭")
        return total

    def fmt(value: Any) -> str:
        # Cells come back as numpy numbers or None/NaN; the formatter wants a float.
        return format_value(None if pd.isna(value) else float(value), kpi.unit, L, cur)

    def actual_text(row: pd.Series) -> str:
        text = fmt(row["actual"])
        if bool(row["partial"]) and pd.notna(row["projected"]):
            text += " → " + fmt(row["projected"])
        return text

    def target_text(row: pd.Series) -> str:
        if kpi.direction == "range" and pd.notna(row["target_low"]):
            return f"{fmt(row['target_low'])} – {fmt(row['target_high'])}"
        return fmt(row["target"])

    recent = total.tail(PREVIEW_PERIODS)
    table = pd.DataFrame(
        {
            tr("kpis.preview.period"): [format_period(p, L) for p in recent["period"]],
            tr("kpis.preview.actual"): [actual_text(r) for _, r in recent.iterrows()],
            tr("kpis.preview.target"): [target_text(r) for _, r in recent.iterrows()],
            tr("kpis.preview.status"): [status_badge(s, L) for s in recent["status"]],
        }
    )
    # A static table: it wraps long status words where a data grid would cut them off.
    st.table(table, hide_index=True, border="horizontal")
    _show_aggregation_check(card, kpi, df, recent)
    last = recent.iloc[-1]
    st.caption(
        tr("kpis.preview.latest", period=format_period(last["period"], L))
        + " "
        + explain_reason(last["reason"], kpi.unit, L, cur)
    )
    if bool((recent["partial"].astype(bool) & recent["projected"].notna()).any()):
        st.caption(tr("kpis.preview.partial"))
    chart = actual_vs_target_chart(total.tail(CHART_PERIODS), kpi, L, cur)
    # The preview is half a page wide: let the status legend wrap instead of being cut off.
    st.altair_chart(fit_to_column(chart), width="stretch")
    if kpi.segment_column:
        segments = rows.loc[rows["segment"] != "", "segment"].nunique()
        st.caption(tr("kpis.preview.segments", column=kpi.segment_column, n=segments))
    return total


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_check(
    kpi_json: str,
    context: str,
    data_key: str,
    as_of: date | None,
    _card: Scorecard,
    _kpi: KPI,
    _df: pd.DataFrame,
) -> pd.DataFrame:
    ds = _card.dataset(_kpi.dataset_id)
    return aggregation_check(
        _df,
        _kpi,
        date_column=ds.date_column,
        fiscal_start=_card.fiscal_year_start_month,
        dataset=ds.name,
        as_of=as_of,
    )


def _show_aggregation_check(
    card: Scorecard, kpi: KPI, df: pd.DataFrame, recent: pd.DataFrame
) -> None:
    """The value next to the plain sum and count of its column, per recent period: a
    count where a sum was meant (26 'orders' instead of 838) shows at a glance."""
    L, cur = lang(), card.currency
    ds = card.dataset(kpi.dataset_id)
    f = files().get(ds.source)
    data_key = repr((f.sha if f else "", ds.sheet, sorted(kinds_override(ds.id).items())))
    context = repr((ds.model_dump_json(), card.fiscal_year_start_month))
    try:
        check = _cached_check(
            kpi.model_dump_json(), context, data_key, st.session_state.get(AS_OF), card, kpi, df
        )
    except KoersError:
        return  # the preview above already says what is wrong
    check = check[check["period"].isin(set(recent["period"]))]
    if check.empty:
        return
    actual = dict(zip(recent["period"], recent["actual"], strict=True))

    def num(value: Any) -> str:
        if pd.isna(value):
            return "–"
        return format_number(float(value), L, 0 if float(value).is_integer() else 2)

    table = pd.DataFrame(
        {
            tr("kpis.preview.period"): [format_period(p, L) for p in check["period"]],
            tr("trust.check.column"): [plain_md(str(c)) for c in check["column"]],
            tr("trust.check.value"): [
                format_value(None if pd.isna(actual.get(p)) else float(actual[p]), kpi.unit, L, cur)
                for p in check["period"]
            ],
            tr("trust.check.sum"): [num(v) for v in check["sum"]],
            tr("trust.check.count"): [num(v) for v in check["count"]],
            tr("trust.check.distinct"): [num(v) for v in check["distinct"]],
        }
    )
    st.markdown("**" + tr("trust.check.title") + "**")
    st.table(table, hide_index=True, border="horizontal")
    st.caption(tr("trust.check.help"))
    m = kpi.measure
    if m.formula or not m.column or m.column not in df.columns:
        return
    # Only where a mistake is likely: distinct small numbers that repeat are rarely meant,
    # and a sum is questioned only when the name says "identifier" too (whole-euro revenue
    # per day is also large and all different).
    guess = count_choice(m.column, df[m.column])
    if m.aggregation == "count_distinct" and guess.choice == "sum":
        st.warning(tr("trust.check.looks_like_sum", column=plain_md(m.column)), icon="🔢")
    elif m.aggregation == "sum" and (
        guess.reason == "text" or (guess.reason == "values_id" and name_suggests(m.column) == "id")
    ):
        st.warning(tr("trust.check.looks_like_ids", column=plain_md(m.column)), icon="🔢")


def _show_draft_health(card: Scorecard, kpi: KPI, rows: pd.DataFrame | None) -> None:
    """The three-pillar checklist of the draft, fed from the preview's periods."""
    periods: int | None = None
    status = None
    if rows is not None:
        periods = int((rows["rows"] > 0).sum())
        if not rows.empty:
            status = rows.iloc[-1]["status"]
    report = kpi_health(
        kpi,
        card,
        periods_with_data=periods,
        checkins=[kept.checkin for kept in workspace_checkins()] if kpi.id != "draft" else (),
        status=status,
        today=date.today(),
    )
    st.divider()
    st.markdown("##### " + tr("tpl.health.title"))
    st.caption(tr("tpl.health.intro"))
    show_checklist(report)


# ============================================================================================
notice()
card = require_scorecard()
require_data(card)
L = lang()
cur = card.currency

st.title(tr("kpis.title"))
st.caption(tr("kpis.intro"))
with st.expander(tr("kpis.pillars.title")):
    st.markdown(tr("kpis.pillars.text"))

if not card.goals:
    st.info(tr("app.need_goals"), icon="🎯")
    st.page_link(PAGES["goals"], label=tr("nav.goals"), icon="🎯")
    st.stop()

data, data_problems = load_data(card)
for problem in data_problems.values():
    show_error(problem)
usable = [ds for ds in card.datasets if ds.id in data]
if not usable:
    st.info(tr("app.need_data"), icon="📄")
    st.page_link(PAGES["data"], label=tr("nav.data"), icon="📄")
    st.stop()

# Before any widget is drawn: forget the form's widget state when asked to (after saving) or
# after a language switch (a choice widget remembers its option by its label, so the browser
# would send a label of the old language, which Streamlit resets to the default).
if st.session_state.pop(RESET, False) or st.session_state.get(FORM_LANG) != L:
    _clear_widgets()
    st.session_state[FORM_LANG] = L

# -- the goal and its KPIs -------------------------------------------------------------------
goal_ids = [g.id for g in card.goals]
if st.session_state.get(GOAL) not in goal_ids:
    st.session_state[GOAL] = goal_ids[0]
if st.session_state.get("kpi_goal") not in goal_ids:
    st.session_state.pop("kpi_goal", None)
goal_id: str = bound(
    st.selectbox,
    tr("kpis.goal"),
    {"goal": st.session_state[GOAL]},
    "goal",
    "kpi_goal",
    options=goal_ids,
    format_func=lambda g: card.goal(g).title,
    help=tr("kpis.goal_help"),
)
st.session_state[GOAL] = goal_id
goal = card.goal(goal_id)
if goal.why:
    st.caption(tr("kpis.goal_why", why=goal.why))

kpis = card.kpis_of(goal_id)
st.subheader(tr("kpis.list"))
if not kpis:
    st.caption(tr("kpis.none"))
unmatched = unmatched_targets(card)  # target keys that name no period: never silent
for kpi in kpis:
    with st.container(border=True):
        cols = st.columns([10, 1, 1], vertical_alignment="center")
        cols[0].markdown(f"**{plain_md(kpi.name)}**")
        cols[0].caption(_summary(kpi, cur))
        for problem in (u for u in unmatched if u.kpi_id == kpi.id):
            cols[0].warning(plain_md(problem.message(L)), icon="⚠️")
        cols[1].button(
            "✏️", key=f"kpi_edit_{kpi.id}", help=tr("kpis.edit"), on_click=_start_edit, args=(kpi,)
        )
        cols[2].button(
            "🗑️",
            key=f"kpi_delete_{kpi.id}",
            help=tr("kpis.delete"),
            on_click=_ask_delete,
            args=(kpi.id,),
        )
        if st.session_state.get(CONFIRM) == kpi.id:
            st.warning(tr("kpis.confirm_delete", name=kpi.name), icon="🗑️")
            answer = st.container(horizontal=True)
            answer.button(
                tr("kpis.delete_yes"),
                key=f"kpi_delete_yes_{kpi.id}",
                type="primary",
                on_click=_delete,
                args=(kpi.id,),
            )
            answer.button(
                tr("kpis.delete_no"), key=f"kpi_delete_no_{kpi.id}", on_click=_cancel_delete
            )

# -- the form --------------------------------------------------------------------------------
draft: dict[str, Any] = st.session_state.setdefault(DRAFT, _empty_draft(usable[0].id))
editing = bool(draft.get("id")) and any(k.id == draft.get("id") for k in card.kpis)
if draft.get("id") and not editing:  # the KPI was deleted meanwhile: keep the text, as new
    draft.pop("id")


def _select(widget: Any, label: str, name: str, key: str, options: list[Any], **kw: Any) -> Any:
    """A choice bound to ``draft[name]``; a value no longer among ``options`` falls back."""
    if draft.get(name) not in options:
        draft[name] = kw.pop("fallback", options[0])
    kw.pop("fallback", None)
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    return bound(widget, label, draft, name, key, options=options, **kw)


def _table(
    name: str, make_rows: Callable[[], list[dict[str, Any]]], sig: str, config: dict[str, Any]
) -> list[dict[str, Any]]:
    """An ``st.data_editor`` whose rows live in the draft.

    The editor shows ``base`` plus the user's edits; the edited rows are copied into the
    draft every run. When Streamlit has forgotten the editor (another page was shown), the
    edited rows become the new base. A new ``sig`` (e.g. another cadence) renews the rows.
    """
    tables: dict[str, Any] = draft.setdefault("tables", {})
    tab = tables.get(name)
    if tab is None or tab.get("sig") != sig:
        rows = make_rows()
        ver = tab["ver"] + 1 if tab else 0
        tab = tables[name] = {"rows": rows, "base": rows, "ver": ver, "sig": sig}
    key = f"kpi_table_{name}_{tab['ver']}"
    if key not in st.session_state:
        tab["base"] = tab["rows"]
    columns = list(config)
    frame = pd.DataFrame(tab["base"], columns=columns)
    frame[columns[-1]] = pd.to_numeric(frame[columns[-1]], errors="coerce").astype("float64")
    edited = st.data_editor(
        frame,
        key=key,
        placeholder="–",
        hide_index=True,
        num_rows="fixed",
        column_config=config,
        disabled=columns[:-1],
        width="stretch",
    )
    tab["rows"] = [
        {c: (None if pd.isna(v) else v) for c, v in rec.items()}
        for rec in edited.astype(object).to_dict("records")
    ]
    return tab["rows"]


def _period_rows(first: Period, count: int, old: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"period": p.label, "target": old.get(p.label)}
        for p in (first.shift(i) for i in range(count))
    ]


def _remake_periods(first_label: str, fs: int) -> None:
    """Button callback: a new per-period table, keeping the targets already typed."""
    d = st.session_state[DRAFT]
    tab = d["tables"].get("per_period")
    old = {r["period"]: r["target"] for r in (tab["rows"] if tab else [])}
    start = str(st.session_state.get("kpi_pp_start") or first_label)
    count = int(st.session_state.get("kpi_pp_count") or 12)
    rows = _period_rows(Period.parse(start, fs), count, old)
    ver = tab["ver"] + 1 if tab else 0
    d["tables"]["per_period"] = {"rows": rows, "base": rows, "ver": ver, "sig": d["cadence"]}


def _insert_term(number: bool) -> None:
    """Button callback: append ``op term`` to the formula (the formula widget is not drawn yet)."""
    ss = st.session_state
    d = ss[DRAFT]
    current = str(ss.get("kpi_formula", d.get("formula", "")) or "").strip()
    if number:
        value = ss.get("kpi_fb_number")
        if value is None:
            return
        term = _text(float(value))
    else:
        agg = ss.get("kpi_fb_agg", "sum")
        column = ss.get("kpi_fb_column")
        if not column:
            term = f"{agg}()"
        elif "]" in str(column):
            term = f'{agg}("{column}")'
        else:
            term = f"{agg}([{column}])"
    op = ss.get("kpi_fb_op", "+")
    text = f"{current} {op} {term}" if current else term
    d["formula"] = text
    ss["kpi_formula"] = text


def _clear_formula() -> None:
    st.session_state[DRAFT]["formula"] = ""
    st.session_state["kpi_formula"] = ""


def _add_filter(column: str) -> None:
    filters = st.session_state[DRAFT].setdefault("filters", [])
    if len(filters) < MAX_FILTERS:
        filters.append({"column": column, "for": column, "op": "eq", "value": "", "values": []})


def _remove_filter(index: int) -> None:
    filters = st.session_state[DRAFT].setdefault("filters", [])
    if 0 <= index < len(filters):
        filters.pop(index)
    # Rows move up: forget the row widgets so they show the draft again.
    for key in list(st.session_state.keys()):
        if str(key).startswith("kpi_filter_"):
            del st.session_state[key]


FILTER_CHOICES = "koers_kpi_filter_choices"  # per column: (the table, its distinct values)


def _filter_choices(df: pd.DataFrame, column: str) -> FilterChoices:
    """The column's distinct values, computed once per table (the tables are cached)."""
    memo: dict[str, tuple[Any, FilterChoices]] = st.session_state.setdefault(FILTER_CHOICES, {})
    hit = memo.get(column)
    if hit is not None and hit[0]() is df:
        return hit[1]
    choices = filter_choices(df[column])
    memo[column] = (weakref.ref(df), choices)
    return choices


def _shown_value(value: str, kind: str, lang_: str) -> str:
    """A filter value in the user's notation: 1.234,5 and 31-03-2026 in Dutch."""
    try:
        if kind == "number":
            decimals = len(value.partition(".")[2]) if "e" not in value else 6
            return format_number(float(value), lang_, min(decimals, 6))
        if kind == "date":
            moment = datetime.fromisoformat(value)
            day = format_date(moment.date(), lang_)
            return day if len(value) == 10 else f"{day} {moment:%H:%M}"
    except ValueError:
        pass
    return value


def _value_label(choices: FilterChoices, lang_: str) -> Callable[[Any], str]:
    """The option text of a filter value: the value and its number of rows; a value the
    column does not hold (kept from before) says so. Bound now: AppTest formats later."""

    def label(value: Any) -> str:
        shown = _shown_value(str(value), choices.kind, lang_)
        count = choices.count(str(value))
        if count is None:
            return t("flows.filter.not_in_data", lang_, value=shown)
        return t("flows.filter.option", lang_, value=shown, count=format_number(count, lang_))

    return label


def _filter_value(flt: dict[str, Any], i: int, df: pd.DataFrame, visibility: Any) -> None:
    """The value of filter row ``i``: picked from the column's distinct values (one, or
    several for "is one of"), typed only when the column has too many to list."""
    column = str(flt["column"])
    keys = (
        f"kpi_filter_pick_{i}",
        f"kpi_filter_multi_{i}",
        f"kpi_filter_val_{i}",
        f"kpi_filter_day_{i}",
    )
    if flt.get("for") != column:  # another column: the value picked before does not apply
        if flt.get("for") is not None:
            flt["value"], flt["values"] = "", []
            for key in keys:
                st.session_state.pop(key, None)
        flt["for"] = column
    choices = _filter_choices(df, column)
    lang_ = lang()
    label = tr("kpis.filter.value")
    many = flt.get("op") in ("in", "not_in")
    typed = str(flt.get("value") or "").strip()
    picked = [str(v) for v in flt.get("values") or []]
    if choices.too_many and choices.kind == "date" and not many:
        # Many days: a calendar, so "01-03-2026" can never be read as 3 January.
        try:
            day: date | None = date.fromisoformat(typed[:10]) if typed else None
        except ValueError:
            day = None
        chosen_day = st.date_input(
            label,
            value=day,
            format="DD-MM-YYYY" if lang_ == "nl" else "YYYY-MM-DD",
            key=f"kpi_filter_day_{i}",
            label_visibility=visibility,
        )
        flt["value"] = chosen_day.isoformat() if isinstance(chosen_day, date) else ""
        flt["values"] = []
        return
    if choices.too_many:
        if many and picked and not typed:
            flt["value"] = ", ".join(picked)
        flt["values"] = []
        bound(
            st.text_input,
            label,
            flt,
            "value",
            keys[2],
            placeholder=tr("flows.filter.type_many" if many else "flows.filter.type_one"),
            label_visibility=visibility,
        )
        st.caption(
            tr(
                "flows.filter.too_many",
                count=format_number(choices.distinct, lang_),
                limit=format_number(MAX_CHOICES, lang_),
            )
        )
        return
    options = list(choices.values)
    fmt = _value_label(choices, lang_)
    help_text = tr("flows.filter.pick_help")
    if many:
        chosen = picked or [v.strip() for v in typed.split(",") if v.strip()]
        extra = [v for v in chosen if v not in options]  # kept and named, never dropped
        flt["values"] = chosen
        key = keys[1]
        if key in st.session_state and any(v not in options + extra for v in st.session_state[key]):
            del st.session_state[key]
        bound(
            st.multiselect,
            label,
            flt,
            "values",
            key,
            options=options + extra,
            format_func=fmt,
            placeholder=tr("flows.filter.pick_many"),
            help=help_text,
            label_visibility=visibility,
        )
        flt["value"] = ""
        return
    current = typed or (picked[0] if picked else "")
    extra = [current] if current and current not in options else []
    key = keys[0]
    if key in st.session_state and st.session_state[key] not in [*options, *extra, None]:
        del st.session_state[key]
    if key not in st.session_state:
        st.session_state[key] = current or None
    value = st.selectbox(
        label,
        options + extra,
        index=None,
        key=key,
        format_func=fmt,
        placeholder=tr("flows.filter.pick_one"),
        help=help_text,
        label_visibility=visibility,
    )
    flt["value"] = "" if value is None else str(value)
    flt["values"] = []


def _choice(
    widget: Any,
    label: str,
    state: dict[str, Any],
    name: str,
    key: str,
    options: list[Any],
    **kw: Any,
) -> Any:
    """A choice bound to ``state[name]``; a value no longer among ``options`` falls back."""
    if state.get(name) not in options:
        state[name] = options[0]
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    return bound(widget, label, state, name, key, options=options, **kw)


def _template_facts(tpl: KpiTemplate) -> str:
    tol = tpl.tolerance
    digits = 0 if float(tol.value).is_integer() else 1
    if tol.kind == "percent":
        tolerance = f"{format_number(tol.value, L, digits)}%"
    elif tpl.unit == "percent":
        tolerance = tr("tpl.tolerance.points", value=format_number(tol.value, L, digits))
    else:
        value = format_value(tol.value, tpl.unit, L, cur)
        tolerance = tr("tpl.tolerance.absolute", value=value)
    return tr(
        "tpl.facts",
        unit=tr(f"kpis.unit.{tpl.unit}", currency=cur),
        direction=tr(f"kpis.direction.{tpl.direction}"),
        cadence=tr(f"cadence.{tpl.cadence}"),
        tolerance=tolerance,
    )


def _use_template(
    tpl: KpiTemplate,
    goal_id: str,
    dataset_id: str,
    picked: dict[str, Any],
    counting: dict[str, Any] | None = None,
) -> None:
    """Fill the draft from ``tpl`` and its chosen columns; the user reviews it and saves."""
    columns = {role: (column or None) for role, column in picked.items()}
    chosen_counting: dict[str, Any] = {}
    for role_name, entry in (counting or {}).items():
        if not columns.get(role_name) or entry.get("column") != columns[role_name]:
            continue
        if entry.get("choice") is None:
            st.error(tr("trust.count.choose", column=plain_md(str(columns[role_name]))), icon="⚠️")
            return
        chosen_counting[role_name] = entry["choice"]
    try:
        kpi = instantiate(
            tpl,
            kpi_id="draft",
            goal_id=goal_id,
            dataset_id=dataset_id,
            columns=columns,
            lang=L,
            target=suggested_target(tpl, columns),
            owner=str(draft.get("owner") or ""),
            action=str(draft.get("action") or ""),
            counting=chosen_counting,
        )
    except KoersError as exc:
        st.error(safe_message(exc), icon="⚠️")
        return
    new = _draft_of(kpi)
    new.pop("id", None)
    st.session_state[DRAFT] = new
    st.session_state[RESET] = True
    set_notice(tr("tpl.used", name=kpi.name))
    st.rerun()


def _template_picker(goal_id: str) -> None:
    """Start from a template: asks only for the columns that fill its roles."""
    pick: dict[str, Any] = st.session_state.setdefault(
        TPL, {"category": ALL, "template": TEMPLATES[0].id, "columns": {}, "sig": None}
    )
    with st.expander(tr("tpl.picker.title"), icon="🧩", expanded=not draft.get("name")):
        st.caption(tr("tpl.picker.intro"))
        c1, c2 = st.columns([1, 2])
        with c1:
            category = _choice(
                st.selectbox,
                tr("tpl.category"),
                pick,
                "category",
                "kpi_tpl_category",
                [ALL, *CATEGORIES],
                format_func={
                    c: tr("tpl.category.all") if c == ALL else tr(f"templates.category.{c}")
                    for c in (ALL, *CATEGORIES)
                }.__getitem__,
            )
        shown = [tp for tp in TEMPLATES if category in (ALL, tp.category)]
        names = {
            tp.id: tr(
                "tpl.template_option",
                category=tr(f"templates.category.{tp.category}"),
                name=tp.name(L),
            )
            if category == ALL
            else tp.name(L)
            for tp in shown
        }
        with c2:
            tpl_id = _choice(
                st.selectbox,
                tr("tpl.template"),
                pick,
                "template",
                "kpi_tpl_template",
                [tp.id for tp in shown],
                format_func=names.__getitem__,
            )
        tpl = template(tpl_id)
        st.markdown(tr("tpl.what", what=tpl.what(L)) + "  \n" + tr("tpl.why", why=tpl.why(L)))
        st.caption(_template_facts(tpl))
        dataset_id = _choice(
            st.selectbox,
            tr("tpl.dataset"),
            pick,
            "dataset_id",
            "kpi_tpl_dataset",
            [ds.id for ds in usable],
            format_func=lambda d: card.dataset(d).name,
        )
        ds = card.dataset(dataset_id)
        kinds = _kinds(ds)
        columns = [str(c) for c in data[dataset_id].columns if str(c) != ds.date_column]
        column_kinds = {c: kinds.get(c, "text") for c in columns}
        signature = f"{tpl.id}|{dataset_id}"
        if pick.get("sig") != signature:  # another template or dataset: guess its columns
            guessed = suggest_columns(tpl, column_kinds)
            pick["columns"] = {role: column or NONE for role, column in guessed.items()}
            pick["sig"] = signature
            pick["counting"] = {}
            for key in [
                k
                for k in st.session_state
                if str(k).startswith(("kpi_tpl_role_", "kpi_tpl_count_"))
            ]:
                del st.session_state[key]
        st.markdown("**" + tr("tpl.columns") + "**")
        st.caption(tr("tpl.columns_help"))
        needed = roles(tpl)
        role_cols = st.columns(min(len(needed), 3) or 1)
        for i, role in enumerate(needed):
            fits = [c for c in columns if column_kinds[c] in ACCEPTS[role.kind]]
            with role_cols[i % len(role_cols)]:
                chosen = _choice(
                    st.selectbox,
                    role.label(L),
                    pick["columns"],
                    role.name,
                    f"kpi_tpl_role_{role.name}",
                    [NONE, *(fits or columns)],
                    format_func=_column_labels("tpl.no_column"),
                )
                if not chosen:
                    st.caption(tr("tpl.no_guess", role=role.label(L)))
        counting: dict[str, Any] = pick.setdefault("counting", {})
        for role_name in counting_roles(tpl):
            column = pick["columns"].get(role_name)
            if column and column in data[dataset_id].columns:
                _count_question(counting, role_name, column, data[dataset_id][column])
        if st.button(tr("tpl.use"), key="kpi_tpl_use", icon="🧩"):
            _use_template(tpl, goal_id, dataset_id, pick["columns"], counting)


def _count_question(
    counting: dict[str, Any], role_name: str, column: str, values: pd.Series
) -> None:
    """Does ``column`` hold a number per row (add up) or one item per row (count)? Koers
    guesses from the values and the name (``count_choice``) and says why; when it cannot
    tell, the radio starts empty and the template is not used until the user chooses."""
    guess = count_choice(column, values)
    key = f"kpi_tpl_count_{role_name}"
    entry = counting.get(role_name)
    if not entry or entry.get("column") != column:  # a new column: a new guess
        entry = counting[role_name] = {"column": column, "choice": guess.choice}
        st.session_state.pop(key, None)
    options = list(COUNT_CHOICES)
    kw: dict[str, Any] = {}
    if key not in st.session_state:
        kw["index"] = None if entry["choice"] is None else options.index(entry["choice"])
    language = L
    choice = st.radio(
        tr("trust.count.question", column=plain_md(column)),
        options,
        key=key,
        format_func=lambda c: t(f"trust.count.option.{c}", language),
        captions=[tr(f"trust.count.option_help.{c}", column=plain_md(column)) for c in options],
        **kw,
    )
    entry["choice"] = choice
    st.caption(
        ("❓ " if guess.choice is None else "💡 ")
        + tr(f"trust.count.why.{guess.reason}", column=plain_md(column))
    )


if editing:
    st.subheader(tr("kpis.edit_title", name=draft.get("name") or "–"))
else:
    st.subheader(tr("kpis.new_title", goal=goal.title))
    _template_picker(goal_id)
form_col, preview_col = st.columns([1, 1], gap="large")

with form_col:
    # 1. what and why -----------------------------------------------------------------------
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.what"))
        bound(
            st.text_input,
            tr("kpis.field.name"),
            draft,
            "name",
            "kpi_name",
            placeholder=tr("kpis.field.name_placeholder"),
            max_chars=200,
        )
        bound(
            st.text_area,
            tr("kpis.field.why"),
            draft,
            "why",
            "kpi_why",
            placeholder=tr("kpis.field.why_placeholder"),
            max_chars=2000,
            height=80,
        )
        st.caption("🎯 " + tr("kpis.pillar.relevance"))

    # 2. data and measure -------------------------------------------------------------------
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.measure"))
        dataset_id: str = _select(
            st.selectbox,
            tr("kpis.field.dataset"),
            "dataset_id",
            "kpi_dataset",
            [ds.id for ds in usable],
            format_func=lambda d: card.dataset(d).name,
        )
        ds = card.dataset(dataset_id)
        df = data[dataset_id]
        kinds = _kinds(ds)
        columns = [str(c) for c in df.columns]
        numbers = [c for c in columns if kinds.get(c) == "number"]
        categories = [c for c in columns if kinds.get(c) == "category"]
        mode = _select(
            st.radio,
            tr("kpis.field.mode"),
            "mode",
            "kpi_mode",
            list(MODES),
            format_func=_labels("kpis.mode"),
            horizontal=True,
        )
        if mode == "aggregation":
            c1, c2 = st.columns(2)
            with c1:
                aggregation = _select(
                    st.selectbox,
                    tr("kpis.field.aggregation"),
                    "aggregation",
                    "kpi_agg",
                    list(AGGREGATIONS),
                    format_func=_labels("measures.agg"),
                )
            with c2:
                _select(
                    st.selectbox,
                    tr("kpis.field.column"),
                    "column",
                    "kpi_column",
                    _column_options(aggregation, columns, numbers),
                    format_func=_column_labels(),
                )
            st.caption(tr(f"kpis.agg_help.{aggregation}"))
        else:
            st.caption(tr("kpis.formula.builder_help"))
            op_words = _labels("kpis.fb.op")
            op_help = ", ".join(f"{SYMBOLS[o]} {op_words(w)}" for o, w in OPERATORS.items())
            # The form is half the page (about 440 px at 1400 px): at most three widgets a
            # row, so labels ("Bewerking") and buttons ("Getal invoegen") stay whole.
            b1, b2 = st.columns([1, 2], vertical_alignment="bottom")
            b3, b4 = st.columns([3, 2], vertical_alignment="bottom")
            with b1:
                _select(
                    st.selectbox,
                    tr("kpis.fb.op"),
                    "fb_op",
                    "kpi_fb_op",
                    list(OPERATORS),
                    format_func=SYMBOLS.__getitem__,
                    help=op_help,
                )
            with b2:
                fb_agg = _select(
                    st.selectbox,
                    tr("kpis.fb.agg"),
                    "fb_agg",
                    "kpi_fb_agg",
                    list(AGGREGATIONS),
                    format_func=_labels("measures.agg"),
                )
            with b3:
                _select(
                    st.selectbox,
                    tr("kpis.fb.column"),
                    "fb_column",
                    "kpi_fb_column",
                    _column_options(fb_agg, columns, numbers),
                    format_func=_column_labels(),
                )
            b4.button(
                tr("kpis.fb.insert"),
                key="kpi_fb_insert",
                on_click=_insert_term,
                args=(False,),
                width="stretch",
            )
            n1, n2, n3 = st.columns([3, 3, 2], vertical_alignment="bottom")
            with n1:
                bound(
                    st.number_input,
                    tr("kpis.fb.number"),
                    draft,
                    "fb_number",
                    "kpi_fb_number",
                    value=None,
                    step=1.0,
                )
            n2.button(
                tr("kpis.fb.insert_number"),
                key="kpi_fb_insert_number",
                on_click=_insert_term,
                args=(True,),
                width="stretch",
            )
            n3.button(
                tr("kpis.fb.clear"), key="kpi_fb_clear", on_click=_clear_formula, width="stretch"
            )
            formula = bound(
                st.text_input,
                tr("kpis.field.formula"),
                draft,
                "formula",
                "kpi_formula",
                placeholder="sum([Profit]) / sum([Revenue]) * 100",
                help=tr("kpis.formula.help"),
                max_chars=500,
            )
            if str(formula or "").strip():
                problem = _check_formula(str(formula), columns, ds.name)
                if problem:
                    st.error(problem, icon="⚠️")
                else:
                    additive = formula_is_additive(str(formula))
                    st.caption(
                        "✅ "
                        + tr(
                            "kpis.formula.ok",
                            columns=", ".join(sorted(formula_columns(str(formula)))) or "–",
                        )
                        + " "
                        + tr("kpis.formula.additive" if additive else "kpis.formula.not_additive")
                    )

        # filters
        st.markdown("**" + tr("kpis.filters") + "**")
        st.caption(tr("kpis.filters_help"))
        filters: list[dict[str, Any]] = draft.setdefault("filters", [])
        for i, flt in enumerate(filters):
            # Two rows per filter (column and condition; value and remove), in a box of its
            # own: one row of four was too narrow for the value's list.
            box = st.container(border=True)
            f1, f2 = box.columns([3, 2], vertical_alignment="bottom")
            f3, f4 = box.columns([6, 1], vertical_alignment="bottom")
            visibility = "visible"
            with f1:
                if flt.get("column") not in columns:
                    flt["column"] = columns[0]
                    st.session_state.pop(f"kpi_filter_col_{i}", None)
                fcol = bound(
                    st.selectbox,
                    tr("kpis.filter.column"),
                    flt,
                    "column",
                    f"kpi_filter_col_{i}",
                    options=columns,
                    label_visibility=visibility,
                )
            with f2:
                bound(
                    st.selectbox,
                    tr("kpis.filter.op"),
                    flt,
                    "op",
                    f"kpi_filter_op_{i}",
                    options=list(FILTER_OPS),
                    format_func=_labels("kpis.filter.op"),
                    label_visibility=visibility,
                )
            with f3:
                _filter_value(flt, i, df, visibility)
            f4.button(
                "✕",
                key=f"kpi_filter_del_{i}",
                help=tr("kpis.filter.remove"),
                on_click=_remove_filter,
                args=(i,),
                width="stretch",
            )
        st.button(
            tr("kpis.filter.add"),
            key="kpi_filter_add",
            on_click=_add_filter,
            args=(categories[0] if categories else columns[0],),
            disabled=len(filters) >= MAX_FILTERS,
            icon="➕",
        )
        st.caption("🔎 " + tr("kpis.pillar.reliability"))

    # 3. target -----------------------------------------------------------------------------
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.target"))
        u1, u2 = st.columns(2)
        with u1:
            unit = _select(
                st.selectbox,
                tr("kpis.field.unit"),
                "unit",
                "kpi_unit",
                list(UNITS),
                format_func=_labels("kpis.unit", currency=cur),
            )
        with u2:
            cadence = _select(
                st.selectbox,
                tr("kpis.field.cadence"),
                "cadence",
                "kpi_cadence",
                list(CADENCES),
                format_func=_labels("cadence"),
                fallback="month",
                help=tr("kpis.help.cadence"),
            )
        direction = _select(
            st.radio,
            tr("kpis.field.direction"),
            "direction",
            "kpi_direction",
            list(DIRECTIONS),
            format_func=_labels("kpis.direction"),
            captions=[tr(f"kpis.direction_hint.{d}") for d in DIRECTIONS],
            horizontal=True,
        )
        per = tr(f"kpis.per.{cadence}")
        fs = card.fiscal_year_start_month
        data_end = _data_end(df, ds)
        current = Period.containing(data_end, cadence, fs)
        if direction == "range":
            r1, r2 = st.columns(2)
            with r1:
                bound(
                    st.number_input,
                    tr("kpis.field.low", per=per),
                    draft,
                    "target_low",
                    "kpi_target_low",
                    value=None,
                    step=1.0,
                )
            with r2:
                bound(
                    st.number_input,
                    tr("kpis.field.high", per=per),
                    draft,
                    "target_high",
                    "kpi_target_high",
                    value=None,
                    step=1.0,
                )
            st.caption(tr("kpis.target_help.range"))
        else:
            language = lang()
            kind = _select(
                st.selectbox,
                tr("kpis.field.target_kind"),
                "target_kind",
                "kpi_target_kind",
                list(TARGET_KINDS),
                format_func=lambda k: t(TARGET_KINDS[k].form.label, language),
            )
            target_kind = TARGET_KINDS[kind]
            st.caption(tr(target_kind.form.help))

            def number(fld: FormField, **kw: Any) -> None:
                key = WIDGET_KEYS.get(fld.key, f"kpi_{fld.key}")
                label = tr(fld.label, per=per)
                bound(st.number_input, label, draft, fld.key, key, value=None, step=1.0, **kw)
                if draft.get(fld.key) is None and target_kind.form.need is None:
                    st.caption(tr("kpis.no_target_hint"))

            def column(fld: FormField) -> None:
                key = WIDGET_KEYS.get(fld.key, f"kpi_{fld.key}")
                _select(st.selectbox, tr(fld.label), fld.key, key, numbers or columns)

            def aggregation(fld: FormField) -> None:
                key = WIDGET_KEYS.get(fld.key, f"kpi_{fld.key}")
                _select(
                    st.selectbox,
                    tr(fld.label),
                    fld.key,
                    key,
                    list(AGGREGATIONS),
                    format_func=_labels("measures.agg"),
                )

            def period_table(fld: FormField) -> None:
                options = [current.shift(k).label for k in range(-24, 13)]
                p1, p2, p3 = st.columns([2, 2, 2], vertical_alignment="bottom")
                with p1:
                    _select(
                        st.selectbox,
                        tr("kpis.field.pp_start"),
                        "pp_start",
                        "kpi_pp_start",
                        options,
                        fallback=current.label,
                    )
                with p2:
                    bound(
                        st.number_input,
                        tr("kpis.field.pp_count"),
                        draft,
                        "pp_count",
                        "kpi_pp_count",
                        min_value=1,
                        max_value=60,
                        step=1,
                    )
                p3.button(
                    tr("kpis.field.pp_make"),
                    key="kpi_pp_make",
                    on_click=_remake_periods,
                    args=(current.label, fs),
                    width="stretch",
                )
                _table(
                    fld.key,
                    lambda: _period_rows(current, 12, {}),
                    cadence,
                    {
                        "period": st.column_config.TextColumn(tr("kpis.table.period")),
                        "target": st.column_config.NumberColumn(
                            tr(fld.label, per=per), format="%.2f"
                        ),
                    },
                )

            def year_table(fld: FormField) -> None:
                year = current.fiscal_year()
                _table(
                    fld.key,
                    lambda: [{"year": year.shift(k).label, "target": None} for k in (-1, 0, 1)],
                    "annual",
                    {
                        "year": st.column_config.TextColumn(tr("kpis.table.year")),
                        "target": st.column_config.NumberColumn(tr(fld.label), format="%.2f"),
                    },
                )

            def phasing(fld: FormField) -> None:
                if cadence == "week":
                    st.caption(tr("kpis.phasing.weeks"))
                    return
                chosen = _select(
                    st.radio,
                    tr(fld.label),
                    "phasing",
                    "kpi_phasing",
                    ["even", "profile"],
                    format_func=_labels("kpis.phasing"),
                    horizontal=True,
                )
                if chosen == "profile":
                    st.caption(tr("kpis.phasing.profile_help"))
                    _table(
                        "profile",
                        lambda: [
                            {"month": (fs - 1 + i) % 12 + 1, "weight": 1.0} for i in range(12)
                        ],
                        "fixed",
                        {
                            "month": st.column_config.NumberColumn(
                                tr("kpis.table.month"), format="%d"
                            ),
                            "weight": st.column_config.NumberColumn(
                                tr("kpis.table.weight"), min_value=0.0, format="%.2f"
                            ),
                        },
                    )

            widgets: dict[str, Callable[[FormField], None]] = {
                "number": number,
                "percent": lambda fld: number(fld, format="%.1f"),
                "column": column,
                "aggregation": aggregation,
                "period_table": period_table,
                "year_table": year_table,
                "phasing": phasing,
            }
            # The kind says which fields its form has; small choices share a row.
            fields = target_kind.form.fields
            if len(fields) > 1 and all(f.widget in ("column", "aggregation") for f in fields):
                for place, fld in zip(st.columns(len(fields)), fields, strict=True):
                    with place:
                        widgets[fld.widget](fld)
            else:
                for fld in fields:
                    widgets[fld.widget](fld)
        tk1, tk2 = st.columns(2)
        with tk1:
            tol_kind = _select(
                st.radio,
                tr("kpis.field.tol_kind"),
                "tol_kind",
                "kpi_tol_kind",
                ["percent", "absolute"],
                # On a percentage KPI a fixed margin is in percentage points, not an "amount".
                format_func=_labels(
                    "words.kpis.tolerance_kind" if unit == "percent" else "kpis.tol_kind"
                ),
                horizontal=True,
            )
        with tk2:
            bound(
                st.number_input,
                _tolerance_label(tol_kind, unit, cur),
                draft,
                "tol_value",
                "kpi_tol_value",
                value=None,
                min_value=0.0,
                step=1.0,
            )
        st.caption(tr("kpis.help.tolerance"))
        if direction == "range" and tol_kind == "percent":
            st.caption(tr("trust.tolerance.range"))

    # 4. follow-up --------------------------------------------------------------------------
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.action"))
        o1, o2 = st.columns(2)
        with o1:
            bound(
                st.text_input,
                tr("kpis.field.owner"),
                draft,
                "owner",
                "kpi_owner",
                placeholder=tr("kpis.field.owner_placeholder"),
                max_chars=200,
            )
        with o2:
            segment_column = _select(
                st.selectbox,
                tr("kpis.field.segment"),
                "segment_column",
                "kpi_segment",
                [NONE, *categories],
                format_func=_column_labels("kpis.no_segment"),
                help=tr("kpis.help.segment"),
            )
        if segment_column and direction != "range":
            st.caption(tr("kpis.segments_help", column=segment_column))
            old_targets = {r["segment"]: r["target"] for r in _rows(draft, "segments")}
            values = df[segment_column].dropna().astype(str).str.strip()
            names = sorted(set(values[values != ""]))[:MAX_SEGMENTS]
            names += [n for n in old_targets if n not in names]
            _table(
                "segments",
                lambda: [{"segment": n, "target": old_targets.get(n)} for n in names],
                segment_column,
                {
                    "segment": st.column_config.TextColumn(segment_column),
                    "target": st.column_config.NumberColumn(
                        tr("kpis.table.target", per=per), format="%.2f"
                    ),
                },
            )
        bound(
            st.text_area,
            tr("kpis.field.action"),
            draft,
            "action",
            "kpi_action",
            placeholder=tr("kpis.field.action_placeholder"),
            max_chars=2000,
            height=80,
        )
        st.caption("🛠️ " + tr("kpis.pillar.action"))

    # save ----------------------------------------------------------------------------------
    buttons = st.container(horizontal=True)
    if buttons.button(tr("kpis.save"), key="kpi_save", type="primary"):
        name = str(draft.get("name") or "").strip()
        missing = [] if name else [tr("kpis.need.name")]
        missing += _problems(draft, columns, ds.name)
        if missing:
            st.error(tr("kpis.not_saved") + "\n\n" + "\n".join(f"- {m}" for m in missing), icon="⚠️")
        else:
            taken = {k.id for k in card.kpis}
            kpi_id = draft["id"] if editing else unique_id(name, taken)
            try:
                new_kpi = _build_kpi(draft, goal_id, kpi_id, name)
                kpis_now = [new_kpi if k.id == kpi_id else k for k in card.kpis]
                if not editing:
                    kpis_now.append(new_kpi)
                updated = card.model_copy(update={"kpis": kpis_now})
                updated = Scorecard.model_validate(updated.model_dump())
            except ValidationError as exc:
                st.error(tr("kpis.invalid", detail=describe_validation_error(exc)), icon="⚠️")
            else:
                set_scorecard(updated)
                set_notice(tr("kpis.saved", name=name))
                st.session_state[DRAFT] = _empty_draft(usable[0].id)
                st.session_state[RESET] = True
                st.rerun()
    if editing or draft.get("name"):
        buttons.button(
            tr("kpis.cancel") if editing else tr("kpis.clear"),
            key="kpi_cancel",
            on_click=_new_draft,
        )

# -- the live preview ------------------------------------------------------------------------
with preview_col, st.container(border=True):
    st.markdown("##### " + tr("kpis.preview.title"))
    st.caption(tr("kpis.preview.intro"))
    preview_problems = _problems(draft, columns, ds.name)
    if preview_problems:
        st.info(
            tr("kpis.preview.incomplete") + "\n\n" + "\n".join(f"- {p}" for p in preview_problems),
            icon="✏️",
        )
    else:
        try:
            draft_kpi = _build_kpi(
                draft,
                goal_id,
                draft.get("id") or "draft",
                str(draft.get("name") or "").strip() or tr("kpis.preview.unnamed"),
            )
        except ValidationError as exc:
            st.warning(tr("kpis.invalid", detail=describe_validation_error(exc)), icon="⚠️")
        else:
            preview_rows = _show_preview(card, draft_kpi, df)
            _show_draft_health(card, draft_kpi, preview_rows)

if card.kpis:
    st.page_link(PAGES["dashboard"], label=tr("kpis.to_dashboard"), icon="📊")
