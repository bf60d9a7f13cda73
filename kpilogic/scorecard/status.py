"""The seven statuses of a KPI in a period, and how each looks — defined once.

The dashboard, the charts and the reports all take a status's label key, colour and icon
from here, so "at risk" looks the same everywhere. Colour is never the only signal: every
status also has an icon and a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal[
    "on_track", "at_risk", "off_track", "no_data", "no_target", "too_early", "in_progress"
]

STATUSES: tuple[Status, ...] = (
    "on_track",
    "at_risk",
    "off_track",
    "no_data",
    "no_target",
    "too_early",
    "in_progress",
)


@dataclass(frozen=True)
class StatusStyle:
    """How a status is shown: catalogue key of its label, colour (hex) and icon."""

    label_key: str
    color: str
    icon: str
    severity: int  # higher is worse; a goal takes the worst status of its KPIs


STYLES: dict[Status, StatusStyle] = {
    # Colours from the Okabe-Ito palette: distinguishable with colour-blindness.
    # A goal's roll-up order (worst first): off track › at risk › no data › no target ›
    # too early › in progress › on track. The two "not judged yet" statuses of a partial
    # period rank just above on track: nothing is wrong yet, but it is not proven either.
    "on_track": StatusStyle("status.on_track", "#009E73", "✅", 0),
    "in_progress": StatusStyle("status.in_progress", "#56B4E9", "🔄", 1),
    "too_early": StatusStyle("status.too_early", "#CC79A7", "⏳", 2),
    "no_target": StatusStyle("status.no_target", "#999999", "➖", 3),
    "no_data": StatusStyle("status.no_data", "#BBBBBB", "❔", 4),
    "at_risk": StatusStyle("status.at_risk", "#E69F00", "⚠️", 5),
    "off_track": StatusStyle("status.off_track", "#D55E00", "⛔", 6),
}


def worst(statuses: list[Status]) -> Status:
    """The most severe status of ``statuses`` (``no_data`` for an empty list)."""
    if not statuses:
        return "no_data"
    return max(statuses, key=lambda s: STYLES[s].severity)
