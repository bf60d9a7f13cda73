"""The three pillars of a good KPI — relevance, reliability, action orientation — as checks.

Each check returns hints: message keys with parameters that tell the user what to improve
("add an owner"). This module starts with the goal hints of the goal wizard (specific,
measurable, time-bound); the full KPI health check builds on the same ``Hint``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kpilogic.model import Goal, Scorecard

MIN_SPECIFIC_WORDS = 4


@dataclass(frozen=True)
class Hint:
    """One suggestion: the catalogue key and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def goal_hints(
    goal: Goal, scorecard: Scorecard | None = None, today: date | None = None
) -> list[Hint]:
    """Suggestions that make a goal specific, measurable and time-bound."""
    hints: list[Hint] = []
    words = re.findall(r"\w+", goal.title)
    if len(words) < MIN_SPECIFIC_WORDS:
        hints.append(Hint("pillars.goal.specific"))
    if not re.search(r"\d", goal.title):
        hints.append(Hint("pillars.goal.number"))
    if goal.deadline is None:
        hints.append(Hint("pillars.goal.deadline"))
    elif today is not None and goal.deadline < today:
        hints.append(Hint("pillars.goal.deadline_past", {"deadline": goal.deadline.isoformat()}))
    if not goal.why:
        hints.append(Hint("pillars.goal.why"))
    if not goal.owner:
        hints.append(Hint("pillars.goal.owner"))
    if scorecard is not None and not scorecard.kpis_of(goal.id):
        hints.append(Hint("pillars.goal.measurable"))
    return hints
