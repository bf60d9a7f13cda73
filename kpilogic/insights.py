"""Insights in plain words: the few most notable things in an evaluated scorecard.

(Work in progress: the contract types first; the rules follow.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kpilogic.evaluate import Evaluation
from kpilogic.model import Scorecard

InsightKind = Literal[
    "mover_previous",
    "mover_last_year",
    "record_high",
    "record_low",
    "streak",
    "trend_break",
    "segment_driver",
    "stale_data",
]


@dataclass(frozen=True)
class Insight:
    """One notable thing about one KPI in one period; ``insight_text`` says it in words."""

    kind: InsightKind
    kpi_id: str
    period: str  # the period label it is about ("2025-12")
    score: float  # how unusual; lists are sorted by score, highest first
    key: str  # locale key of the sentence
    params: Mapping[str, Any] = field(default_factory=dict)  # raw numbers and labels


def insights(evaluation: Evaluation, period: str | None = None, limit: int = 5) -> list[Insight]:
    """The ``limit`` most notable insights, highest score first."""
    return []


def insight_text(insight: Insight, scorecard: Scorecard, lang: str) -> str:
    """One plain sentence for ``insight`` in ``lang``, numbers in the reader's notation."""
    return insight.key
