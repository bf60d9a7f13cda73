"""Altair charts of evaluated KPIs: DataFrame in, ``alt.Chart`` out.

The charts are pure functions of the evaluation so they can be tested through ``to_dict()``
and reused by the app and the reports. Status colours, icons and words come from
``scorecard.status``; numbers in tooltips are formatted in the user's locale, and the axes use
a Vega-Lite locale (``1.234,5`` in Dutch).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import altair as alt
import pandas as pd

from kpilogic.engine.evaluate import tolerance_amount
from kpilogic.i18n import (
    babel_locale,
    currency_affixes,
    date_format,
    day_names,
    decimal_symbol,
    format_period,
    format_value,
    group_symbol,
    month_names,
    quarter_name,
    short_months,
    t,
)
from kpilogic.scorecard.explain import compact_value, status_badge
from kpilogic.scorecard.model import KPI
from kpilogic.scorecard.status import STATUSES, STYLES

# The language of d3's built-in time locale (en-US): its month and day names.
_D3_TIME_LANGUAGE = "en"


def vega_locale(lang: str, currency: str = "€") -> dict[str, Any]:
    """A Vega-Lite locale from ``lang``'s CLDR data: numbers, currency and, for a language
    other than English, day and month names and the date notation."""
    prefix, suffix = currency_affixes(lang, currency)
    out: dict[str, Any] = {
        "number": {
            "decimal": decimal_symbol(lang),
            "thousands": group_symbol(lang),
            "grouping": [3],
            "currency": [prefix, suffix],
        }
    }
    if babel_locale(lang).language == _D3_TIME_LANGUAGE:
        return out  # the charts' names of days and months are those already
    out["time"] = {
        # Only dates, day and month names show on our axes; the date-and-time and time
        # notations are d3's own, which Vega wants present.
        "dateTime": "%a %e %B %Y %X",
        "date": date_format(lang, "d3"),
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": list(day_names(lang)),
        "shortDays": list(day_names(lang, "abbreviated")),
        "months": list(month_names(lang)),
        "shortMonths": list(short_months(lang)),
    }
    return out


def _shown_statuses(texts: pd.Series, lang: str) -> list[str]:
    """The status words on a chart, in the house order (on track first)."""
    present = set(texts)
    return [w for w in (status_badge(s, lang) for s in STATUSES) if w in present]


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
    if cadence == "year":
        return alt.Axis(format="%Y", tickCount={"interval": "year", "step": step}, grid=False)
    interval, months = _TICK_INTERVAL.get(cadence, ("month", 1))
    tick_count = {"interval": interval, "step": months * step}
    if cadence == "quarter":
        return alt.Axis(tickCount=tick_count, labelExpr=_quarter_expr(lang), labelOverlap=False)
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
    out["period_text"] = [format_period(str(p), lang) for p in out["period"]]
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
        alt.Tooltip("period_text:N", title=t("chart.period", lang)),
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
            # Only the statuses on the chart: seven words in a narrow column got cut off.
            legend=alt.Legend(orient="bottom", values=_shown_statuses(data["status_text"], lang)),
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
            "period_text": [format_period(str(p), lang) for p in d["period"]],
            "status_text": d["status"].map(lambda s: status_badge(s, lang)).to_numpy(),
            "icon": d["status"].map(lambda s: STYLES[s].icon).to_numpy(),
        }
    )
    order = list(dict.fromkeys(data["kpi"]))
    # Periods as people write them ("dec 2025", "K4 2025"), in time order.
    periods_in_order = list(
        dict.fromkeys(data.sort_values("period_start", kind="stable")["period_text"])
    )
    x = alt.X("period_text:O", title=t("chart.period", lang), sort=periods_in_order)
    y = alt.Y("kpi:N", title=None, sort=order)
    tooltip = [
        alt.Tooltip("kpi:N", title="KPI"),
        alt.Tooltip("period_text:N", title=t("chart.period", lang)),
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
                # The statuses on the map only, in rows of four: one long row was cut off.
                legend=alt.Legend(
                    orient="bottom", columns=4, values=_shown_statuses(data["status_text"], lang)
                ),
            ),
            tooltip=tooltip,
        )
    )
    text = alt.Chart(data).mark_text(fontSize=11).encode(x=x, y=y, text="icon:N")
    layered = alt.LayerChart(layer=[rect, text])
    # 28 px per row. Neither a step height (Vega then drops Streamlit's default "fit" with the
    # warning 'Dropping "fit-y" because spec has discrete height') nor a fixed height under
    # "fit" (the axis labels and legend were taken from it and the rows collapsed): a fixed
    # height of the rows alone, with only the width fitted to the page ("fit-x").
    return layered.properties(
        height=28 * len(order), autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


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


# -- this year against last year, segment trends, goal progress ------------------------------
# Every chart below can be read without hovering: lines carry their name (a year, a segment)
# at their end, with the last value, and the labels are moved apart so none covers another.

_THIS_YEAR_COLOR = "#0b5394"
_LAST_YEAR_COLOR = "#9e9e9e"
_SEGMENT_COLORS = ["#0b5394", "#e69138", "#38761d", "#cc0000", "#674ea7", "#45818e"]
# More segments than this are drawn as small multiples: seven lines on one chart tangle.
MAX_SEGMENT_LINES = 6
# Label spacing as a share of the value axis' span: a chart ~260 px high keeps ~18 px.
_LABEL_GAP = 0.07


def _value(rows: pd.DataFrame) -> pd.Series:
    """What a period's status was judged on: the projection of a partial period, else the
    actual."""
    projected = pd.to_numeric(rows["projected"], errors="coerce")
    actual = pd.to_numeric(rows["actual"], errors="coerce")
    return projected.where(projected.notna(), actual).astype(float)


def _value_axis(unit: str, fmt: str, **kw: Any) -> alt.Axis:
    """A value axis in ``fmt``; percentages carry their sign ("38,0%"), so the axis of a
    margin is not read as an amount."""
    if unit == "percent":
        return alt.Axis(format=fmt, labelExpr="datum.label + '%'", **kw)
    return alt.Axis(format=fmt, **kw)


def dodge_labels(values: list[float], gap: float) -> list[float]:
    """Label heights near ``values`` with at least ``gap`` between any two: from the lowest
    up, a label closer than ``gap`` to the one below it moves up. Order is kept."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = list(values)
    for before, i in pairwise(order):
        out[i] = max(values[i], out[before] + gap)
    return out


def _gap(values: pd.Series, from_zero: bool) -> float:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty:
        return 1.0
    low, high = float(numbers.min()), float(numbers.max())
    if from_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    return (span if span > 0 else max(abs(high), 1.0)) * _LABEL_GAP


def _slot(start: pd.Timestamp, cadence: str) -> int:
    """The period's place within its year: month 1–12, quarter 1–4, ISO week 1–53."""
    if cadence == "quarter":
        return int(start.quarter)
    if cadence == "week":
        return int(start.isocalendar().week)
    return int(start.month)


def _quarter_expr(lang: str) -> str:
    """A Vega expression writing a quarter's start as "K1 2026" / "Q1 2026" (CLDR's names)."""
    names = [quarter_name(q, lang) for q in (1, 2, 3, 4)]
    if all(name == names[0][:-1] + str(q) for q, name in enumerate(names, start=1)):
        prefix = names[0][:-1].replace("'", "\\'")  # "K1" … "K4": one prefix and the number
        return f"'{prefix}' + quarter(datum.value) + ' ' + year(datum.value)"
    quoted = ", ".join("'" + name.replace("'", "\\'") + "'" for name in names)
    return f"[{quoted}][quarter(datum.value) - 1] + ' ' + year(datum.value)"


def _slot_label(slot: int, cadence: str, lang: str) -> str:
    if cadence == "quarter":
        return quarter_name(slot, lang)
    if cadence == "week":
        return t("period.week_slot", lang, week=slot)
    return format_period(f"2000-{slot:02d}", lang).split(" ")[0]


def year_over_year_frame(
    rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€", year: int | None = None
) -> pd.DataFrame:
    """One KPI's values of ``year`` and the year before, by place in the year.

    ``rows`` are the KPI's total rows of ``Evaluation.detail``; ``year`` defaults to the year
    of the latest period with a value. Columns: ``year`` (text, "2025"), ``slot`` (month,
    quarter or week number), ``slot_label`` ("mrt" / "Mar", "K1", "week 9"), ``period``,
    ``value`` (the projection in a partial period), ``value_text``, ``partial``, ``label``
    (the year and value at the line's end, else empty) and ``label_y`` (its height, moved
    clear of the other line's label). Empty for yearly KPIs or without values.
    """
    columns = ["year", "slot", "slot_label", "period", "value", "value_text", "partial"]
    empty = pd.DataFrame(columns=[*columns, "label", "label_y"])
    if kpi.cadence == "year" or rows.empty:
        return empty
    starts = pd.to_datetime(rows["period_start"])
    data = pd.DataFrame(
        {
            "year_n": starts.dt.year.to_numpy(),
            "slot": [_slot(s, kpi.cadence) for s in starts],
            "period": rows["period"].astype(str).to_numpy(),
            "value": _value(rows).to_numpy(),
            "partial": rows["partial"].astype(bool).to_numpy(),
        }
    ).dropna(subset=["value"])
    if data.empty:
        return empty
    this_year = int(data["year_n"].max()) if year is None else year
    data = data[data["year_n"].isin([this_year, this_year - 1])].copy()
    if data.empty:
        return empty
    data["year"] = data["year_n"].astype(str)
    data["slot_label"] = [_slot_label(s, kpi.cadence, lang) for s in data["slot"]]
    data["value_text"] = [format_value(v, kpi.unit, lang, currency) for v in data["value"]]
    data = data.sort_values(["year_n", "slot"]).reset_index(drop=True)
    ends = data.groupby("year_n")["slot"].idxmax()
    data["label"] = ""
    for idx in ends:
        last = compact_value(float(data.loc[idx, "value"]), kpi.unit, lang, currency)
        data.loc[idx, "label"] = f"{data.loc[idx, 'year']}: {last}"
    data["label_y"] = float("nan")
    gap = _gap(data["value"], kpi.unit in ("currency", "count"))
    end_rows = list(ends)
    heights = dodge_labels([float(data.loc[i, "value"]) for i in end_rows], gap)
    for i, h in zip(end_rows, heights, strict=True):
        data.loc[i, "label_y"] = h
    return data.loc[:, [*columns, "label", "label_y"]]


def year_over_year_chart(
    rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€", year: int | None = None
) -> alt.LayerChart | None:
    """This year against last year: two lines over the same months (quarters, weeks), each
    named at its end ("2025: € 98.000"), no legend. None when there is nothing to draw."""
    data = year_over_year_frame(rows, kpi, lang, currency, year)
    if data.empty:
        return None
    years = sorted(set(data["year"]))
    if kpi.cadence == "month":
        domain = [_slot_label(m, "month", lang) for m in range(1, 13)]
    elif kpi.cadence == "quarter":
        domain = [_slot_label(q, "quarter", lang) for q in range(1, 5)]
    else:
        slots = sorted(set(data["slot"]))
        domain = [_slot_label(s, kpi.cadence, lang) for s in range(min(slots), max(slots) + 1)]
    x = alt.X(
        "slot_label:O",
        title=None,
        scale=alt.Scale(domain=domain),
        axis=alt.Axis(labelAngle=0, labelOverlap=True),
    )
    colors = alt.Scale(domain=years, range=[_LAST_YEAR_COLOR, _THIS_YEAR_COLOR][-len(years) :])
    fmt = _axis_format(kpi.unit, data["value"])
    y = alt.Y(
        "value:Q",
        title=t("chart.value", lang),
        axis=_value_axis(kpi.unit, fmt),
        scale=alt.Scale(zero=kpi.unit in ("currency", "count")),
    )
    color = alt.Color("year:N", scale=colors, legend=None)
    tooltip = [
        alt.Tooltip("period:N", title=t("chart.period", lang)),
        alt.Tooltip("value_text:N", title=t("chart.value", lang)),
    ]
    base = alt.Chart()
    lines = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=color, detail="year:N")
    points = base.mark_point(filled=True, size=50).encode(
        x=x, y="value:Q", color=color, tooltip=tooltip
    )
    labels = (
        base.transform_filter("datum.label != ''")
        .mark_text(align="left", dx=8, fontSize=12, fontWeight="bold")
        .encode(x=x, y="label_y:Q", text="label:N", color=color)
    )
    chart: alt.LayerChart = (
        alt.layer(lines, points, labels, data=data)
        .properties(title=t("pdash.chart.yoy", lang, name=kpi.name), height=260)
        .configure(locale=vega_locale(lang, currency))
    )
    return chart


def segment_trend_frame(
    rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€", periods: int = 24
) -> pd.DataFrame:
    """Each segment's value per period, its last ``periods`` periods.

    ``rows`` are the KPI's segment rows of ``Evaluation.detail`` (the total, segment ``""``,
    is left out here). Columns: ``segment``, ``period``, ``period_text`` ("dec 2025"),
    ``period_start``, ``value``, ``value_text``, ``label`` (the segment's name and last value
    at its line's end, else empty) and ``label_y`` (that label's height, moved clear of the
    others).
    """
    columns = ["segment", "period", "period_text", "period_start", "value", "value_text"]
    rows = rows[rows["segment"] != ""]
    if rows.empty:
        return pd.DataFrame(columns=[*columns, "label", "label_y"])
    keep = sorted(set(pd.to_datetime(rows["period_start"])))[-periods:]
    rows = rows[pd.to_datetime(rows["period_start"]).isin(keep)]
    data = pd.DataFrame(
        {
            "segment": rows["segment"].astype(str).to_numpy(),
            "period": rows["period"].astype(str).to_numpy(),
            "period_start": pd.to_datetime(rows["period_start"]).to_numpy(),
            "value": _value(rows).to_numpy(),
        }
    ).dropna(subset=["value"])
    data["period_text"] = [format_period(p, lang) for p in data["period"]]
    data["value_text"] = [format_value(v, kpi.unit, lang, currency) for v in data["value"]]
    data = data.sort_values(["segment", "period_start"]).reset_index(drop=True)
    data["label"] = ""
    data["label_y"] = float("nan")
    if data.empty:
        return data.loc[:, [*columns, "label", "label_y"]]
    ends = list(data.groupby("segment")["period_start"].idxmax())
    for i in ends:
        last = compact_value(float(data.loc[i, "value"]), kpi.unit, lang, currency)
        data.loc[i, "label"] = f"{data.loc[i, 'segment']}: {last}"
    gap = _gap(data["value"], kpi.unit in ("currency", "count"))
    heights = dodge_labels([float(data.loc[i, "value"]) for i in ends], gap)
    for i, h in zip(ends, heights, strict=True):
        data.loc[i, "label_y"] = h
    return data.loc[:, [*columns, "label", "label_y"]]


def segment_trends_chart(
    rows: pd.DataFrame, kpi: KPI, lang: str, currency: str = "€", periods: int = 24
) -> alt.LayerChart | alt.FacetChart | None:
    """Monthly (weekly, …) trends per segment: one line per segment, named at its end with its
    last value; more than ``MAX_SEGMENT_LINES`` segments become small multiples, one panel
    per segment titled with its name. None without segment values."""
    data = segment_trend_frame(rows, kpi, lang, currency, periods)
    if data.empty:
        return None
    segments = list(dict.fromkeys(data["segment"]))
    axis = time_axis(data["period_start"], kpi.cadence, lang)
    fmt = _axis_format(kpi.unit, data["value"])
    y = alt.Y(
        "value:Q",
        title=t("chart.value", lang),
        axis=_value_axis(kpi.unit, fmt),
        scale=alt.Scale(zero=kpi.unit in ("currency", "count")),
    )
    tooltip = [
        alt.Tooltip("segment:N", title=t("chart.segment", lang)),
        alt.Tooltip("period_text:N", title=t("chart.period", lang)),
        alt.Tooltip("value_text:N", title=t("chart.value", lang)),
    ]
    locale = vega_locale(lang, currency)
    if len(segments) > MAX_SEGMENT_LINES:
        x = alt.X("period_start:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=-45))
        base = alt.Chart()
        line = base.mark_line(color=_THIS_YEAR_COLOR).encode(x=x, y=y, tooltip=tooltip)
        last = (
            base.transform_filter("datum.label != ''")
            .mark_text(align="right", baseline="bottom", dy=-4, fontSize=11)
            .encode(x=x, y="value:Q", text="value_text:N")
        )
        facet: alt.FacetChart = (
            alt.layer(line, last, data=data)
            .properties(width=220, height=120)
            .facet(
                facet=alt.Facet("segment:N", title=None, sort=segments),
                columns=3,
            )
            .properties(title=t("pdash.chart.segments", lang, name=kpi.name))
            .configure(locale=locale)
        )
        return facet
    x = alt.X("period_start:T", title=t("chart.period", lang), axis=axis)
    color = alt.Color(
        "segment:N",
        scale=alt.Scale(domain=segments, range=_SEGMENT_COLORS[: len(segments)]),
        legend=None,
    )
    base = alt.Chart()
    lines = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=color)
    points = base.mark_point(filled=True, size=40).encode(
        x=x, y="value:Q", color=color, tooltip=tooltip
    )
    labels = (
        base.transform_filter("datum.label != ''")
        .mark_text(align="left", dx=8, fontSize=12, fontWeight="bold")
        .encode(x=x, y="label_y:Q", text="label:N", color=color)
    )
    chart: alt.LayerChart = (
        alt.layer(lines, points, labels, data=data)
        .properties(title=t("pdash.chart.segments", lang, name=kpi.name), height=280)
        .configure(locale=locale)
    )
    return chart


def progress_frame(
    actual: float | None,
    forecast: float | None,
    target: float | None,
    target_to_date: float | None,
    unit: str,
    lang: str,
    currency: str = "€",
) -> pd.DataFrame:
    """The parts of a goal's progress bar, one row each: what is done so far, the forecast at
    the deadline, the target at the deadline and the target to date (rows without a number
    are left out). Columns: ``part`` (its words), ``kind``, ``value``, ``text``."""
    parts = [
        ("actual", actual, "pdash.bar.actual"),
        ("forecast", forecast, "pdash.bar.forecast"),
        ("target", target, "pdash.bar.target"),
        ("target_to_date", target_to_date, "pdash.bar.target_to_date"),
    ]
    out = [
        {
            "kind": kind,
            "part": t(key, lang),
            "value": float(value),
            "text": t(key, lang) + ": " + compact_value(value, unit, lang, currency),
        }
        for kind, value, key in parts
        if value is not None and pd.notna(value)
    ]
    return pd.DataFrame(out, columns=["kind", "part", "value", "text"])


def progress_chart(
    actual: float | None,
    forecast: float | None,
    target: float | None,
    target_to_date: float | None,
    unit: str,
    lang: str,
    currency: str = "€",
) -> alt.LayerChart | None:
    """A goal's progress bar (a bullet chart): the forecast at the deadline as a light bar,
    what is done so far as a dark bar over it, the target at the deadline as a black tick and
    the target to date as a grey one; each named with its number. None without a target."""
    data = progress_frame(actual, forecast, target, target_to_date, unit, lang, currency)
    if target is None or data.empty:
        return None
    fmt = _axis_format(unit, data["value"])
    top = float(data["value"].max()) * 1.02
    x_scale = alt.Scale(domain=[min(0.0, float(data["value"].min())), top], nice=False)
    x = alt.X("value:Q", title=None, scale=x_scale, axis=_value_axis(unit, fmt, tickCount=5))
    base = alt.Chart()
    bars = base.transform_filter(alt.FieldOneOfPredicate("kind", ["forecast", "actual"]))
    forecast_bar = (
        bars.transform_filter("datum.kind == 'forecast'")
        .mark_bar(color="#cfe2f3", height=26)
        .encode(x=x)
    )
    actual_bar = (
        bars.transform_filter("datum.kind == 'actual'")
        .mark_bar(color=_THIS_YEAR_COLOR, height=14)
        .encode(x=x)
    )
    ticks = (
        base.transform_filter(alt.FieldOneOfPredicate("kind", ["target", "target_to_date"]))
        .mark_tick(thickness=3, size=34)
        .encode(
            x=x,
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["target", "target_to_date"], range=["#222222", "#999999"]),
                legend=None,
            ),
        )
    )
    # The target's number stands above its tick; the others are written beside the chart.
    label = (
        base.transform_filter("datum.kind == 'target'")
        .mark_text(align="center", baseline="bottom", dy=-18, fontSize=12, fontWeight="bold")
        .encode(x=x, text="text:N")
    )
    chart: alt.LayerChart = (
        alt.layer(forecast_bar, actual_bar, ticks, label, data=data)
        # No y channel makes the height "discrete" to Vega: fit the width alone (see the
        # heat map).
        .properties(height=70, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
        .configure(locale=vega_locale(lang, currency))
        .configure_view(stroke=None)
    )
    return chart


def fit_to_column(chart: alt.LayerChart) -> alt.LayerChart:
    """An actual-vs-target chart for a narrow place (the KPI page's preview, half a page
    wide): the status legend wraps in two columns, and only the width is fitted to the
    column. With Streamlit's default "fit" the legend's rows were taken from the chart's
    height and the plot shrank to a flat line without a y-scale (issue 15)."""
    fitted: alt.LayerChart = chart.configure_legend(columns=2).properties(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )
    return fitted
