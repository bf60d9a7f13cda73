"""Form section 3, the target: unit, cadence, direction, the target (low and high for a
range; otherwise a target kind and the fields that kind's ``Target.form`` asks for) and the
tolerance.

Each kind declares its fields (``FormField``: a draft key, a label and a widget type); this
module draws them through ``FIELD_WIDGETS``, one function per widget type. A new kind whose
fields use these widget types needs no change here; a new widget type is one function,
added with ``register_field_widget``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from kpilogic.i18n import t
from kpilogic.scorecard.model import AGGREGATIONS, CADENCES, DIRECTIONS, UNITS
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.targets import TARGET_KINDS, FormField, Target
from ui.kpi_form.draft import KpiDraft, editor_table
from ui.kpi_form.source import Source
from ui.kpi_form.state import current_draft
from ui.kpi_form.widgets import bind, draft_table, labels, select
from ui.text import lang, tr

# Widget keys of target form fields whose key is not ``kpi_`` + the field's draft key.
WIDGET_KEYS = {"growth_pct": "kpi_growth", "target_column_aggregation": "kpi_target_column_agg"}


@dataclass(frozen=True)
class TargetContext:
    """What a target field's widget needs: the draft, the chosen kind, the dataset, the
    words for "per period", the fiscal year's first month and the period the data ends in."""

    draft: KpiDraft
    kind: type[Target]
    source: Source
    per: str
    fiscal_start: int
    current: Period

    @property
    def cadence(self) -> str:
        return self.draft.cadence


def widget_key(fld: FormField) -> str:
    """The widget key of a target form field."""
    return WIDGET_KEYS.get(fld.key, f"kpi_{fld.key}")


def period_rows(first: Period, count: int, old: dict[str, Any]) -> list[dict[str, Any]]:
    """``count`` periods from ``first``, each with the target already typed for it (if any)."""
    return [
        {"period": p.label, "target": old.get(p.label)}
        for p in (first.shift(i) for i in range(count))
    ]


def remake_periods(first_label: str, fs: int) -> None:
    """Button callback: a new per-period table, keeping the targets already typed."""
    d = current_draft()
    if d is None:
        return
    tab = d.tables.get("per_period")
    old = {r["period"]: r["target"] for r in (tab["rows"] if tab else [])}
    start = str(st.session_state.get("kpi_pp_start") or first_label)
    count = int(st.session_state.get("kpi_pp_count") or 12)
    rows = period_rows(Period.parse(start, fs), count, old)
    ver = tab["ver"] + 1 if tab else 0
    d.tables["per_period"] = editor_table(rows, d.cadence, ver)


# -- one function per widget type ------------------------------------------------------------


def _number(ctx: TargetContext, fld: FormField, **kw: Any) -> None:
    label = tr(fld.label, per=ctx.per)
    bind(st.number_input, label, ctx.draft, fld.key, widget_key(fld), value=None, step=1.0, **kw)
    if ctx.draft.get(fld.key) is None and ctx.kind.form.need is None:
        st.caption(tr("kpis.no_target_hint"))


def _percent(ctx: TargetContext, fld: FormField) -> None:
    _number(ctx, fld, format="%.1f")


def _column(ctx: TargetContext, fld: FormField) -> None:
    options = ctx.source.numbers or ctx.source.columns
    select(st.selectbox, tr(fld.label), ctx.draft, fld.key, widget_key(fld), options)


def _aggregation(ctx: TargetContext, fld: FormField) -> None:
    select(
        st.selectbox,
        tr(fld.label),
        ctx.draft,
        fld.key,
        widget_key(fld),
        list(AGGREGATIONS),
        format_func=labels("measures.agg"),
    )


def _period_table(ctx: TargetContext, fld: FormField) -> None:
    current = ctx.current
    options = [current.shift(k).label for k in range(-24, 13)]
    p1, p2, p3 = st.columns([2, 2, 2], vertical_alignment="bottom")
    with p1:
        select(
            st.selectbox,
            tr("kpis.field.pp_start"),
            ctx.draft,
            "pp_start",
            "kpi_pp_start",
            options,
            fallback=current.label,
        )
    with p2:
        bind(
            st.number_input,
            tr("kpis.field.pp_count"),
            ctx.draft,
            "pp_count",
            "kpi_pp_count",
            min_value=1,
            max_value=60,
            step=1,
        )
    p3.button(
        tr("kpis.field.pp_make"),
        key="kpi_pp_make",
        on_click=remake_periods,
        args=(current.label, ctx.fiscal_start),
        width="stretch",
    )
    draft_table(
        ctx.draft,
        fld.key,
        lambda: period_rows(current, 12, {}),
        ctx.cadence,
        {
            "period": st.column_config.TextColumn(tr("kpis.table.period")),
            "target": st.column_config.NumberColumn(tr(fld.label, per=ctx.per), format="%.2f"),
        },
    )


def _year_table(ctx: TargetContext, fld: FormField) -> None:
    year = ctx.current.fiscal_year()
    draft_table(
        ctx.draft,
        fld.key,
        lambda: [{"year": year.shift(k).label, "target": None} for k in (-1, 0, 1)],
        "annual",
        {
            "year": st.column_config.TextColumn(tr("kpis.table.year")),
            "target": st.column_config.NumberColumn(tr(fld.label), format="%.2f"),
        },
    )


def _phasing(ctx: TargetContext, fld: FormField) -> None:
    if ctx.cadence == "week":
        st.caption(tr("kpis.phasing.weeks"))
        return
    chosen = select(
        st.radio,
        tr(fld.label),
        ctx.draft,
        "phasing",
        "kpi_phasing",
        ["even", "profile"],
        format_func=labels("kpis.phasing"),
        horizontal=True,
    )
    if chosen != "profile":
        return
    st.caption(tr("kpis.phasing.profile_help"))
    fs = ctx.fiscal_start
    draft_table(
        ctx.draft,
        "profile",
        lambda: [{"month": (fs - 1 + i) % 12 + 1, "weight": 1.0} for i in range(12)],
        "fixed",
        {
            "month": st.column_config.NumberColumn(tr("kpis.table.month"), format="%d"),
            "weight": st.column_config.NumberColumn(
                tr("kpis.table.weight"), min_value=0.0, format="%.2f"
            ),
        },
    )


FieldWidget = Callable[[TargetContext, FormField], None]

# widget type (``FormField.widget``) -> the function that draws it
FIELD_WIDGETS: dict[str, FieldWidget] = {
    "number": _number,
    "percent": _percent,
    "column": _column,
    "aggregation": _aggregation,
    "period_table": _period_table,
    "year_table": _year_table,
    "phasing": _phasing,
}


def register_field_widget(widget: str, draw: FieldWidget) -> None:
    """Add (or replace) the function that draws form fields of type ``widget``."""
    FIELD_WIDGETS[widget] = draw


def kind_fields(ctx: TargetContext) -> None:
    """The fields the chosen kind's form asks for; small choices share a row."""
    fields = ctx.kind.form.fields
    if len(fields) > 1 and all(f.widget in ("column", "aggregation") for f in fields):
        for place, fld in zip(st.columns(len(fields)), fields, strict=True):
            with place:
                FIELD_WIDGETS[fld.widget](ctx, fld)
    else:
        for fld in fields:
            FIELD_WIDGETS[fld.widget](ctx, fld)


# -- the section -----------------------------------------------------------------------------


def tolerance_label(kind: str, unit: str, currency: str) -> str:
    """The tolerance field's label: a percentage, points of a percentage, or an amount."""
    if unit == "percent":
        return tr("words.kpis.tolerance." + ("relative" if kind == "percent" else "points"))
    if kind == "percent":
        return tr("kpis.field.tol_pct")
    return tr("kpis.field.tol_abs", unit=tr(f"kpis.unit.{unit}", currency=currency))


def target_section(draft: KpiDraft, source: Source, currency: str, fiscal_start: int) -> None:
    """Unit, cadence, direction, the target and the tolerance."""
    with st.container(border=True):
        st.markdown("##### " + tr("kpis.section.target"))
        u1, u2 = st.columns(2)
        with u1:
            select(
                st.selectbox,
                tr("kpis.field.unit"),
                draft,
                "unit",
                "kpi_unit",
                list(UNITS),
                format_func=labels("kpis.unit", currency=currency),
            )
        with u2:
            cadence = select(
                st.selectbox,
                tr("kpis.field.cadence"),
                draft,
                "cadence",
                "kpi_cadence",
                list(CADENCES),
                format_func=labels("cadence"),
                fallback="month",
                help=tr("kpis.help.cadence"),
            )
        direction = select(
            st.radio,
            tr("kpis.field.direction"),
            draft,
            "direction",
            "kpi_direction",
            list(DIRECTIONS),
            format_func=labels("kpis.direction"),
            captions=[tr(f"kpis.direction_hint.{d}") for d in DIRECTIONS],
            horizontal=True,
        )
        per = tr(f"kpis.per.{cadence}")
        if direction == "range":
            _range(draft, per)
        else:
            language = lang()
            kind = select(
                st.selectbox,
                tr("kpis.field.target_kind"),
                draft,
                "target_kind",
                "kpi_target_kind",
                list(TARGET_KINDS),
                format_func=lambda k: t(TARGET_KINDS[k].form.label, language),
            )
            target_kind = TARGET_KINDS[kind]
            st.caption(tr(target_kind.form.help))
            current = Period.containing(source.data_end(), cadence, fiscal_start)
            kind_fields(TargetContext(draft, target_kind, source, per, fiscal_start, current))
        _tolerance(draft, currency)


def _range(draft: KpiDraft, per: str) -> None:
    r1, r2 = st.columns(2)
    with r1:
        bind(
            st.number_input,
            tr("kpis.field.low", per=per),
            draft,
            "target_low",
            "kpi_target_low",
            value=None,
            step=1.0,
        )
    with r2:
        bind(
            st.number_input,
            tr("kpis.field.high", per=per),
            draft,
            "target_high",
            "kpi_target_high",
            value=None,
            step=1.0,
        )
    st.caption(tr("kpis.target_help.range"))


def _tolerance(draft: KpiDraft, currency: str) -> None:
    tk1, tk2 = st.columns(2)
    with tk1:
        tol_kind = select(
            st.radio,
            tr("kpis.field.tol_kind"),
            draft,
            "tol_kind",
            "kpi_tol_kind",
            ["percent", "absolute"],
            # On a percentage KPI a fixed margin is in percentage points, not an "amount".
            format_func=labels(
                "words.kpis.tolerance_kind" if draft.unit == "percent" else "kpis.tol_kind"
            ),
            horizontal=True,
        )
    with tk2:
        bind(
            st.number_input,
            tolerance_label(tol_kind, draft.unit, currency),
            draft,
            "tol_value",
            "kpi_tol_value",
            value=None,
            min_value=0.0,
            step=1.0,
        )
    st.caption(tr("kpis.help.tolerance"))
    if draft.direction == "range" and tol_kind == "percent":
        st.caption(tr("trust.tolerance.range"))
