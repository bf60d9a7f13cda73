"""Altair charts of evaluated KPIs: DataFrame in, ``alt.Chart`` out.

The charts are pure functions of the evaluation so they can be tested through ``to_dict()``
and reused by the app and the reports. Status colours, icons and words come from
``kpilogic.status``; numbers in tooltips are formatted in the user's locale, and the axes use
a Vega-Lite locale (``1.234,5`` in Dutch).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from kpilogic.evaluate import tolerance_amount
from kpilogic.explain import status_badge
from kpilogic.i18n import format_value, normalise_lang, t
from kpilogic.model import KPI
from kpilogic.status import STATUSES, STYLES

_NL_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
_NL_SHORT = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def vega_locale(lang: str, currency: str = "€") -> dict[str, Any]:
    """A Vega-Lite locale: Dutch or English numbers, currency and month names."""
    if normalise_lang(lang) == "nl":
        return {
            "number": {
                "decimal": ",",
                "thousands": ".",
                "grouping": [3],
                "currency": [f"{currency} ", ""],
            },
            "time": {
                "dateTime": "%a %e %B %Y %X",
                "date": "%d-%m-%Y",
                "time": "%H:%M:%S",
                "periods": ["AM", "PM"],
                "days": [
                    "zondag",
                    "maandag",
                    "dinsdag",
                    "woensdag",
                    "donderdag",
                    "vrijdag",
                    "zaterdag",
                ],
                "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
                "months": _NL_MONTHS,
                "shortMonths": _NL_SHORT,
            },
        }
    return {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": [currency, ""]},
    }


def status_scale(lang: str) -> alt.Scale:
    """Colour scale over the status words of ``lang``, in the house colours."""
    return alt.Scale(
        domain=[status_badge(s, lang) for s in STATUSES],
        range=[STYLES[s].color for s in STATUSES],
    )


def _axis_format(unit: str, values: pd.Series | None = None) -> str:
    """The axis' d3 number format: whole amounts for money and counts; plain numbers as
    they are, except that large ones are written out (d3's ``~g`` gives 4e+6 from a
    million on)."""
    fixed = {"currency": "$,.0f", "percent": ",.1f", "count": ",.0f"}.get(unit)
    if fixed is not None:
        return fixed
    if values is not None:
        numbers = pd.to_numeric(values, errors="coerce").abs()
        if bool((numbers >= 1e5).any()):
            return ",.0f"
    return ",~g"


# At most this many labels on a time axis: more overlap, and Vega then drops some of them.
_MAX_TICKS = 12
_TICK_INTERVAL = {"week": ("week", 1), "month": ("month", 1), "quarter": ("month", 3)}


def time_axis(starts: pd.Series, cadence: str, lang: str) -> alt.Axis:
    """A time axis with one label per period (or per few periods), never two labels for one
    period: with few months Vega would otherwise tick every week and write "jan 2024" four
    times. Quarters read "K1 2026" / "Q1 2026", weeks their Monday, years the year."""
    count = max(1, int(pd.Series(starts).nunique()))
    step = -(-count // _MAX_TICKS)  # ceil: periods per label
    nl = normalise_lang(lang) == "nl"
    if cadence == "year":
        return alt.Axis(format="%Y", tickCount={"interval": "year", "step": step}, grid=False)
    interval, months = _TICK_INTERVAL.get(cadence, ("month", 1))
    tick_count = {"interval": interval, "step": months * step}
    if cadence == "quarter":
        prefix = "K" if nl else "Q"
        return alt.Axis(
            tickCount=tick_count,
            labelExpr=f"'{prefix}' + quarter(datum.value) + ' ' + year(datum.value)",
            labelOverlap=False,
        )
    fmt = "%e %b" if cadence == "week" else "%b %Y"
    # Many labels stand at an angle so that none is dropped (the PDF lost "mrt" that way).
    angle = 0 if -(-count // step) <= 6 else -45
    return alt.Axis(format=fmt, tickCount=tick_count, labelOverlap=False, labelAngle=angle)


def trend_frame(rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€") -> pd.DataFrame:
    """The data of the actual-vs-target chart: one row per period with value, target and band.

    ``value`` is what the status was judged on (the projection in a partial period);
    ``band_low``/``band_high`` mark where the status is at risk rather than off track.
    """
    out = pd.DataFrame(
        {
            "period": rows["period"].to_numpy(),
            "period_start": pd.to_datetime(rows["period_start"]).to_numpy(),
            "actual": rows["actual"].to_numpy(dtype=float),
            "projected": rows["projected"].to_numpy(dtype=float),
            "target": rows["target"].to_numpy(dtype=float),
            "status": rows["status"].to_numpy(),
            "partial": rows["partial"].to_numpy(dtype=bool),
        }
    )
    out["value"] = out["projected"].where(out["projected"].notna(), out["actual"])
    if kpi.direction == "range" and kpi.target is not None:
        low, high = kpi.target.low, kpi.target.high
        assert low is not None and high is not None
        out["band_low"] = low - tolerance_amount(kpi.tolerance, low)
        out["band_high"] = high + tolerance_amount(kpi.tolerance, high)
    else:
        tol = out["target"].map(
            lambda v: tolerance_amount(kpi.tolerance, v) if pd.notna(v) else float("nan")
        )
        if kpi.direction == "higher":
            out["band_low"], out["band_high"] = out["target"] - tol, out["target"]
        else:
            out["band_low"], out["band_high"] = out["target"], out["target"] + tol
    out["status_text"] = out["status"].map(lambda s: status_badge(s, lang))
    out["value_text"] = out["value"].map(lambda v: format_value(v, kpi.unit, lang, currency))
    out["actual_text"] = out["actual"].map(lambda v: format_value(v, kpi.unit, lang, currency))
    out["target_text"] = out["target"].map(lambda v: format_value(v, kpi.unit, lang, currency))
    return out


def actual_vs_target_chart(
    rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€"
) -> alt.LayerChart:
    """Actual (or projection) against target over time, with the tolerance band and points
    coloured by status. ``rows`` are one KPI's rows of ``Evaluation.detail`` (one segment)."""
    data = trend_frame(rows, kpi, lang, currency)
    axis = time_axis(data["period_start"], kpi.cadence, lang)
    x = alt.X("period_start:T", title=t("chart.period", lang), axis=axis)
    y_title = t("chart.value", lang)
    fmt = _axis_format(kpi.unit, pd.concat([data["value"], data["target"]]))
    base = alt.Chart()  # the data sits once on the layer, not on every mark (hashing cost)
    band = base.mark_area(opacity=0.18, color=STYLES["at_risk"].color).encode(
        x=x,
        y=alt.Y(
            "band_low:Q",
            title=y_title,
            axis=alt.Axis(format=fmt),
            # Scores and rates read best around their values; amounts and counts from zero.
            scale=alt.Scale(zero=kpi.unit in ("currency", "count")),
        ),
        y2="band_high:Q",
    )
    target = base.mark_line(strokeDash=[6, 4], color="#444444").encode(x=x, y="target:Q")
    if kpi.direction == "range":
        target = base.mark_rule(strokeDash=[6, 4], color="#444444").encode(y="band_low:Q")
    line = base.mark_line(color="#0b5394").encode(x=x, y=alt.Y("value:Q", title=y_title))
    tooltip = [
        alt.Tooltip("period:N", title=t("chart.period", lang)),
        alt.Tooltip("value_text:N", title=t("chart.value", lang)),
        alt.Tooltip("target_text:N", title=t("chart.target", lang)),
        alt.Tooltip("status_text:N", title=t("chart.status", lang)),
    ]
    points = base.mark_point(filled=True, size=90).encode(
        x=x,
        y="value:Q",
        color=alt.Color(
            "status_text:N",
            scale=status_scale(lang),
            title=t("chart.status", lang),
            legend=alt.Legend(orient="bottom"),
        ),
        shape=alt.Shape("partial:N", title=t("chart.partial", lang), legend=None),
        tooltip=tooltip,
    )
    chart: alt.LayerChart = (
        alt.layer(band, target, line, points, data=data)
        .properties(title=kpi.name, height=260)
        .configure(locale=vega_locale(lang, currency))
    )
    return chart


def status_heatmap(detail: pd.DataFrame, lang: str, periods: int = 12) -> alt.LayerChart:
    """Status per KPI (rows) × period (columns) for the last ``periods`` periods of each KPI.

    ``detail`` is ``Evaluation.detail``; only totals (segment ``""``) are shown. Give KPIs of
    one cadence at a time: weeks and months on one axis do not read well.
    """
    d = detail[detail["segment"] == ""]
    d = d.groupby("kpi_id", sort=False, group_keys=False).tail(periods)
    data = pd.DataFrame(
        {
            "kpi": d["kpi"].to_numpy(),
            "period": d["period"].to_numpy(),
            "period_start": pd.to_datetime(d["period_start"]).to_numpy(),
            "status_text": d["status"].map(lambda s: status_badge(s, lang)).to_numpy(),
            "icon": d["status"].map(lambda s: STYLES[s].icon).to_numpy(),
        }
    )
    order = list(dict.fromkeys(data["kpi"]))
    x = alt.X("period:O", title=t("chart.period", lang), sort=alt.SortField("period_start"))
    y = alt.Y("kpi:N", title=None, sort=order)
    tooltip = [
        alt.Tooltip("kpi:N", title="KPI"),
        alt.Tooltip("period:N", title=t("chart.period", lang)),
        alt.Tooltip("status_text:N", title=t("chart.status", lang)),
    ]
    rect = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status_text:N",
                scale=status_scale(lang),
                title=t("chart.status", lang),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    text = alt.Chart(data).mark_text(fontSize=11).encode(x=x, y=y, text="icon:N")
    layered = alt.LayerChart(layer=[rect, text])
    # A step per row: in Streamlit (width="stretch") a fixed height collapses the rows.
    return layered.properties(height=alt.Step(28))


def segment_bars(rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€") -> alt.LayerChart:
    """One bar per segment for one period, coloured by status. ``rows``: the segment rows."""
    value = rows["projected"].where(rows["projected"].notna(), rows["actual"])
    data = pd.DataFrame(
        {
            "segment": rows["segment"].to_numpy(),
            "value": value.to_numpy(dtype=float),
            "target": rows["target"].to_numpy(dtype=float),
            "status_text": rows["status"].map(lambda s: status_badge(s, lang)).to_numpy(),
            "value_text": value.map(lambda v: format_value(v, kpi.unit, lang, currency)).to_numpy(),
        }
    )
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y("segment:N", title=t("chart.segment", lang), sort="-x"),
            x=alt.X(
                "value:Q",
                title=t("chart.value", lang),
                axis=alt.Axis(format=_axis_format(kpi.unit, value)),
            ),
            color=alt.Color(
                "status_text:N",
                scale=status_scale(lang),
                title=t("chart.status", lang),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("segment:N", title=t("chart.segment", lang)),
                alt.Tooltip("value_text:N", title=t("chart.value", lang)),
                alt.Tooltip("status_text:N", title=t("chart.status", lang)),
            ],
        )
    )
    ticks = (
        alt.Chart()
        .mark_tick(color="#222222", thickness=2, size=24)
        .encode(y=alt.Y("segment:N", sort="-x"), x="target:Q")
    )
    chart: alt.LayerChart = (
        alt.layer(bars, ticks, data=data)
        .properties(height=max(100, 40 * len(data)))
        .configure(locale=vega_locale(lang, currency))
    )
    return chart
