"""The three pillars of a good KPI — relevance, reliability, action orientation — as checks.

``goal_hints`` gives the goal wizard its hints (specific, measurable, time-bound): message
keys with parameters that tell the user what to improve. ``kpi_health`` checks a KPI against
the three pillars and ``goal_health`` a goal against the three criteria; both return a
``PillarReport``: a checklist of ``Check``s, each passed or not with the catalogue key of a
concrete suggestion ("add an owner", "only 2 months of data — trends are unreliable"), and a
score per pillar and overall. The checks only read definitions and the numbers they are
given (a reliability score, periods with data, check-ins), so they run while a KPI is still
being defined as well as on the dashboard.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from kpilogic.engine.quality import CADENCE_DAYS
from kpilogic.i18n import people_params, t
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Cadence, Goal, Scorecard
from kpilogic.scorecard.status import Status

if TYPE_CHECKING:
    from kpilogic.engine.evaluate import Evaluation

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


# -- the KPI health check ---------------------------------------------------------------------
Pillar = Literal["relevance", "reliability", "action"]
PILLARS: tuple[Pillar, ...] = ("relevance", "reliability", "action")
GoalCriterion = Literal["specific", "measurable", "time_bound"]
GOAL_CRITERIA: tuple[GoalCriterion, ...] = ("specific", "measurable", "time_bound")

MIN_RELIABILITY = 70  # the data-quality score (``kpilogic.engine.quality``) a KPI should reach
MIN_PERIODS = 6  # periods with data before a trend means anything
CHECKIN_SLACK = 1.5  # a check-in older than 1.5 review periods is overdue
MAX_TOLERANCE_PCT = 50.0  # a wider band hardly ever turns a KPI off track
MIN_REVIEWS = 2  # reviews before the deadline: fewer leaves no time to adjust
REVIEW_HORIZON_DAYS = 366  # reviews are counted over at least a year (leap day included)
# Shortest first: when a KPI is reviewed too rarely, a shorter cadence is the remedy.
_CADENCE_ORDER: tuple[Cadence, ...] = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class Check:
    """One rule of the health check and its outcome.

    ``key`` is the catalogue key of the rule's checklist label (``pillars.kpi.owner``);
    ``suggestion`` the key of what to do about it, "" when the check passed. ``params`` fill
    in both texts (the score, the number of periods, the date of the last check-in…).
    """

    pillar: Pillar | GoalCriterion  # a pillar for a KPI, a criterion for a goal
    key: str
    passed: bool
    params: Mapping[str, Any] = field(default_factory=dict)
    suggestion: str = ""

    @property
    def rule(self) -> str:
        """The rule's short name, e.g. ``owner``."""
        return self.key.rsplit(".", 1)[-1]

    def label(self, lang: str = "en") -> str:
        """The checklist line in ``lang``."""
        return t(self.key, lang, **people_params(self.params, lang))

    def advice(self, lang: str = "en") -> str:
        """What to do, in ``lang``; "" when the check passed."""
        return (
            t(self.suggestion, lang, **people_params(self.params, lang)) if self.suggestion else ""
        )


@dataclass(frozen=True)
class PillarReport:
    """The checklist of one KPI (or goal), grouped by pillar, with scores from 0 to 100.

    A pillar's score is the share of its checks that passed; ``overall`` is the mean of the
    pillar scores, so each pillar weighs the same however many checks it has. A pillar
    without checks (reliability when neither a score nor the history is known) has no
    score and is left out of ``overall``.
    """

    subject: str  # the KPI's or goal's id
    pillars: tuple[Pillar, ...] | tuple[GoalCriterion, ...]
    checks: tuple[Check, ...]

    def of(self, pillar: str) -> tuple[Check, ...]:
        """The checks of one pillar, in checklist order."""
        return tuple(c for c in self.checks if c.pillar == pillar)

    def score(self, pillar: str) -> int | None:
        """The share of ``pillar``'s checks that passed (0–100); None without checks."""
        checks = self.of(pillar)
        if not checks:
            return None
        return round(100 * sum(c.passed for c in checks) / len(checks))

    @property
    def scores(self) -> dict[str, int | None]:
        """Score by pillar, in pillar order."""
        return {p: self.score(p) for p in self.pillars}

    @property
    def overall(self) -> int | None:
        """The mean of the pillar scores (0–100); None when no pillar was checked."""
        known = [s for s in self.scores.values() if s is not None]
        return round(sum(known) / len(known)) if known else None

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that did not pass: the to-do list."""
        return tuple(c for c in self.checks if not c.passed)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON and the downloads."""
        return {
            "subject": self.subject,
            "overall": self.overall,
            "scores": self.scores,
            "checks": [
                {
                    "pillar": c.pillar,
                    "key": c.key,
                    "passed": c.passed,
                    "suggestion": c.suggestion,
                    "params": dict(c.params),
                }
                for c in self.checks
            ],
        }


def _check(
    pillar: Pillar,
    rule: str,
    passed: bool,
    params: Mapping[str, Any] | None = None,
    fix: str = "fix",
) -> Check:
    key = f"pillars.kpi.{rule}"
    return Check(pillar, key, passed, dict(params or {}), "" if passed else f"{key}.{fix}")


def _history(kpi: KPI, periods: int) -> Check:
    params = {"periods": periods, "minimum": MIN_PERIODS, "cadence": kpi.cadence}
    if periods >= MIN_PERIODS:
        return _check("reliability", "history", True, params)
    # The message names the span in the KPI's own periods: "only 2 months of data".
    variant = "none" if periods == 0 else f"{'one' if periods == 1 else 'few'}.{kpi.cadence}"
    return _check("reliability", "history", False, params, variant)


def _tolerance(kpi: KPI) -> Check:
    tol = kpi.tolerance
    params: dict[str, Any] = {"tolerance": tol.value, "kind": tol.kind}
    if tol.value == 0:
        return _check("action", "tolerance", False, params, "zero")
    if tol.kind == "percent" and tol.value > MAX_TOLERANCE_PCT:
        params["maximum"] = MAX_TOLERANCE_PCT
        return _check("action", "tolerance", False, params, "wide")
    return _check("action", "tolerance", True, params)


def _reviews(cadence: Cadence, today: date, deadline: date) -> int:
    """Reviews at ``cadence`` before ``deadline``, counted over at least a year: close to a
    deadline every rhythm runs out of reviews, and that is no reason to review weekly."""
    horizon = max((deadline - today).days, REVIEW_HORIZON_DAYS)
    return math.floor(horizon / CADENCE_DAYS[cadence])


def _cadence(kpi: KPI, scorecard: Scorecard, today: date) -> Check:
    params: dict[str, Any] = {"cadence": kpi.cadence}
    goal = next((g for g in scorecard.goals if g.id == kpi.goal_id), None)
    if goal is None or goal.deadline is None or goal.deadline < today:
        return _check("action", "cadence", True, params)
    reviews = _reviews(kpi.cadence, today, goal.deadline)
    params |= {"reviews": reviews, "deadline": goal.deadline.isoformat()}
    if reviews >= MIN_REVIEWS:
        return _check("action", "cadence", True, params)
    # The longest rhythm that does give enough reviews (weekly always does).
    shorter = _CADENCE_ORDER[: _CADENCE_ORDER.index(kpi.cadence)]
    params["suggested"] = next(
        c for c in reversed(shorter) if _reviews(c, today, goal.deadline) >= MIN_REVIEWS
    )
    return _check("action", "cadence", False, params, "rare")


def _checkins(kpi: KPI, checkins: Sequence[CheckIn], status: Status | None, today: date) -> Check:
    mine = [c for c in checkins if c.kpi_id == kpi.id]
    if not mine:
        # Nothing to keep up yet, unless the KPI is off course and nobody has looked.
        return _check("action", "checkins", status != "off_track", {"count": 0}, "none")
    latest = max(mine, key=lambda c: c.created_at)
    last = latest.created_at.date()
    age = (today - last).days
    limit = math.ceil(CHECKIN_SLACK * CADENCE_DAYS[kpi.cadence])
    params: dict[str, Any] = {
        "count": len(mine),
        "last": last.isoformat(),
        "days": age,
        "limit": limit,
    }
    if age > limit:
        return _check("action", "checkins", False, params, "stale")
    if latest.next_review is not None and latest.next_review < today:
        params["next_review"] = latest.next_review.isoformat()
        return _check("action", "checkins", False, params, "overdue")
    return _check("action", "checkins", True, params)


def kpi_health(
    kpi: KPI,
    scorecard: Scorecard,
    *,
    reliability: int | None = None,
    periods_with_data: int | None = None,
    checkins: Sequence[CheckIn] = (),
    status: Status | None = None,
    today: date | None = None,
) -> PillarReport:
    """The three-pillar checklist of ``kpi``: relevance, reliability, action orientation.

    - relevance: linked to a goal of ``scorecard``; a reason (``why``) stated;
    - reliability: the data-quality score (``kpilogic.engine.quality``) is at least
      ``MIN_RELIABILITY`` (checked when ``reliability`` is given); at least ``MIN_PERIODS``
      periods with data, else trends are unreliable (checked when ``periods_with_data`` is
      given);
    - action orientation: an owner; a target; a tolerance that is not 0 (every miss would be
      off track) nor above ``MAX_TOLERANCE_PCT`` % (nothing ever would); an agreed action;
      a cadence that gives at least ``MIN_REVIEWS`` reviews before the goal's deadline
      (counted over at least a year: a yearly review of a goal due within two years
      leaves no time to adjust); check-ins kept up — the latest of ``checkins`` (for this
      KPI) at most ``CHECKIN_SLACK`` review periods old and its next review not passed,
      and at least one check-in when ``status`` (the latest period's) is off track.

    ``today`` defaults to the current date.
    """
    today = date.today() if today is None else today
    goal_ids = {g.id for g in scorecard.goals}
    checks = [
        _check("relevance", "goal", kpi.goal_id in goal_ids, {"goal_id": kpi.goal_id}),
        _check("relevance", "why", bool(kpi.why.strip())),
    ]
    if reliability is not None:
        checks.append(
            _check(
                "reliability",
                "quality",
                reliability >= MIN_RELIABILITY,
                {"score": reliability, "minimum": MIN_RELIABILITY},
            )
        )
    if periods_with_data is not None:
        checks.append(_history(kpi, periods_with_data))
    checks += [
        _check("action", "owner", bool(kpi.owner.strip()), {"owner": kpi.owner}),
        _check("action", "target", kpi.target is not None),
        _tolerance(kpi),
        _check("action", "action", bool(kpi.action.strip())),
        _cadence(kpi, scorecard, today),
        _checkins(kpi, checkins, status, today),
    ]
    return PillarReport(kpi.id, PILLARS, tuple(checks))


def periods_with_data(evaluation: Evaluation, kpi_id: str) -> int:
    """How many of the KPI's periods (total, not per segment) have rows."""
    rows = evaluation.kpi_rows(kpi_id)
    return int((rows["rows"] > 0).sum())


def scorecard_health(
    scorecard: Scorecard,
    evaluation: Evaluation | None = None,
    *,
    reliability: Mapping[str, int] | None = None,
    checkins: Sequence[CheckIn] = (),
    today: date | None = None,
) -> dict[str, PillarReport]:
    """``kpi_health`` of every KPI, fed from an evaluation and quality scores when given.

    From ``evaluation`` come the periods with data and the latest status (up to ``today``);
    a KPI the evaluation could not compute gets neither. ``reliability`` maps KPI ids to
    ``kpilogic.engine.quality`` scores (``QualityReport.scores``).
    """
    scores = reliability or {}
    out: dict[str, PillarReport] = {}
    for kpi in scorecard.kpis:
        periods: int | None = None
        status: Status | None = None
        if evaluation is not None and kpi.id not in evaluation.errors:
            periods = periods_with_data(evaluation, kpi.id)
            latest = evaluation.latest(kpi.id, up_to=today)
            status = None if latest is None else latest["status"]
        out[kpi.id] = kpi_health(
            kpi,
            scorecard,
            reliability=scores.get(kpi.id),
            periods_with_data=periods,
            checkins=checkins,
            status=status,
            today=today,
        )
    return out


# -- the goal health check -------------------------------------------------------------------
# Each goal hint (``goal_hints``) belongs to one rule of one criterion; the rule passes when
# its hints are absent. One source of truth: the goal wizard's hints and the checklist agree.
_GOAL_RULES: tuple[tuple[GoalCriterion, str, tuple[str, ...]], ...] = (
    ("specific", "title", ("pillars.goal.specific",)),
    ("specific", "why", ("pillars.goal.why",)),
    ("specific", "owner", ("pillars.goal.owner",)),
    ("measurable", "number", ("pillars.goal.number",)),
    ("measurable", "kpi", ("pillars.goal.measurable",)),
    ("time_bound", "deadline", ("pillars.goal.deadline", "pillars.goal.deadline_past")),
)


def goal_health(goal: Goal, scorecard: Scorecard, today: date | None = None) -> PillarReport:
    """The checklist of ``goal``: specific (a specific title, a reason, an owner), measurable
    (a number in the title, at least one KPI) and time-bound (a deadline, not yet passed
    on ``today`` when given). Suggestions are the goal hints' keys (``pillars.goal.*``).
    """
    hints = {h.key: h for h in goal_hints(goal, scorecard, today)}
    checks = []
    for criterion, rule, keys in _GOAL_RULES:
        hit = next((hints[k] for k in keys if k in hints), None)
        params: dict[str, Any] = {}
        if rule == "kpi":
            params["kpis"] = len(scorecard.kpis_of(goal.id))
        if hit is not None:
            params |= hit.params
        checks.append(
            Check(
                criterion,
                f"pillars.goal.check.{rule}",
                hit is None,
                params,
                "" if hit is None else hit.key,
            )
        )
    return PillarReport(goal.id, GOAL_CRITERIA, tuple(checks))
