"""Plain words for evaluated numbers: a status's label and the reason it was given.

``explain_reason`` turns the machine-readable ``Reason`` of a status into a sentence in the
user's language, with the KPI's unit, e.g. "€ 92.300 is 7,7% below the target of
€ 100.000; tolerance 10%". Pages and reports use these functions; nothing else words a status.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from kpilogic.i18n import format_number, format_period, format_points, format_value, t, with_percent
from kpilogic.scorecard.status import STYLES, Status, StatusStyle

_STYLE_BY_NAME: dict[str, StatusStyle] = {str(k): v for k, v in STYLES.items()}


def status_label(status: Status | str, lang: str) -> str:
    """The status as a word: 'On track' / 'Op koers'."""
    style = _STYLE_BY_NAME.get(str(status))
    return t(style.label_key, lang) if style else str(status)


def status_badge(status: Status | str, lang: str) -> str:
    """Icon and word, so colour is never the only signal: '⚠️ At risk'."""
    style = _STYLE_BY_NAME.get(str(status))
    return f"{style.icon} {status_label(status, lang)}" if style else str(status)


def left_out_note(row: Mapping[str, Any], lang: str) -> str | None:
    """ "1 row(s) in 2026-03 have no Kosten; left out of this figure." for an evaluated row
    whose formula left rows out; None when it left none out."""
    count = int(row.get("incomplete_rows") or 0)
    if count <= 0:
        return None
    return t(
        "eval.left_out",
        lang,
        count=count,
        period=format_period(str(row.get("period", "")), lang),
        columns=row.get("incomplete_columns", ""),
    )


def compact_value(value: float | None, unit: str, lang: str, currency_symbol: str = "€") -> str:
    """A value for running text: whole euros from € 1.000 up, cents below."""
    decimals = 0 if unit == "currency" and value is not None and abs(value) >= 1000 else None
    return format_value(value, unit, lang, currency_symbol, decimals)


def explain_reason(
    reason: Mapping[str, Any] | None,
    unit: str,
    lang: str,
    currency_symbol: str = "€",
) -> str:
    """The reason of a status (``Reason.as_dict()``) in plain words."""
    if not reason:
        return ""
    code = str(reason.get("code", ""))

    def money(key: str) -> str:
        value = reason.get(key)
        return compact_value(value, unit, lang, currency_symbol) if value is not None else "–"

    tol_pct = reason.get("tolerance_pct")
    tolerance = (
        with_percent(format_number(tol_pct, lang, 0 if float(tol_pct).is_integer() else 1), lang)
        if tol_pct is not None
        else money("tolerance")
    )
    gap_pct = reason.get("gap_pct")
    points = unit == "percent"  # a difference between two percentages is in points
    params = {
        "value": money("value"),
        "target": money("target"),
        "low": money("low"),
        "high": money("high"),
        "bound": money("bound"),
        "tolerance": tolerance,
        "gap_pct": with_percent(format_number(abs(gap_pct), lang, 1), lang)
        if gap_pct is not None
        else "–",
        "gap": compact_value(abs(reason.get("gap") or 0.0), unit, lang, currency_symbol),
        "distance": compact_value(abs(reason.get("distance") or 0.0), unit, lang, currency_symbol),
    }
    if points:
        # "2,5% ligt 0,4 procentpunt onder de doelwaarde van 2,9%", not "13,2% onder": the
        # relative gap of two percentages reads as a difference of percentages.
        if reason.get("gap") is not None:
            params["gap_pct"] = format_points(abs(float(reason["gap"])), lang)
        params["distance"] = format_points(abs(reason.get("distance") or 0.0), lang)
        if tol_pct is not None:
            params["tolerance"] = t("words.tolerance.of_target", lang, value=tolerance)
        elif reason.get("tolerance") is not None:
            params["tolerance"] = format_points(float(reason["tolerance"]), lang)
    params |= {
        # A partial period not judged yet (too early, in progress): how much it covers.
        "days": reason.get("days", "–"),
        "period_days": reason.get("period_days", "–"),
        "min_share": with_percent(format_number(reason.get("min_share_pct") or 25, lang, 0), lang),
    }
    text = t(f"reason.{code}", lang, **params)
    if reason.get("projected"):
        text = t("reason.projected_prefix", lang) + text
    if reason.get("target_from_segments"):  # a total's target summed from its segments'
        text += " " + t("reason.target_from_segments", lang, n=reason["target_from_segments"])
    return text


def change_words(value: float | None, previous: float | None, unit: str, lang: str) -> str | None:
    """The change against the previous period in words, for the metric's delta: a percentage
    KPI in percentage points ("+0,3 procentpunt t.o.v. vorige periode": 2,5% → 2,8%), any
    other KPI as a relative change ("+19,3% t.o.v. vorige periode (relatief)"). None when
    either value is missing, or the relative change is undefined (previous 0)."""
    if value is None or previous is None or math.isnan(value) or math.isnan(previous):
        return None
    if unit == "percent":
        diff = value - previous
        sign = "+" if diff > 0 else ""
        return t("words.change.points", lang, points=sign + format_points(diff, lang))
    if previous == 0:
        return None
    pct = (value - previous) / abs(previous) * 100
    sign = "+" if pct > 0 else ""
    return t("words.change.relative", lang, pct=sign + format_number(pct, lang, 1))
