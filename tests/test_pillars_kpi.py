"""The three-pillar health check of KPIs and goals: each rule passing and failing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.engine.pillars import (
    GOAL_CRITERIA,
    MIN_PERIODS,
    MIN_RELIABILITY,
    PILLARS,
    Check,
    PillarReport,
    goal_health,
    goal_hints,
    kpi_health,
    periods_with_data,
    scorecard_health,
)
from kpilogic.engine.quality import assess_scorecard
from kpilogic.i18n import catalogue
from kpilogic.sample import sample_frames, sample_scorecard
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance

TODAY = date(2026, 6, 15)
GOAL = Goal(
    id="g",
    title="Grow online revenue by 15% in 2026",
    why="Web carries growth",
    owner="Sanne",
    deadline=date(2026, 12, 31),
)
GOOD = KPI(
    id="k",
    goal_id="g",
    name="Web revenue",
    why="The goal itself, month by month.",
    dataset_id="d",
    measure=Measure(aggregation="sum", column="Revenue"),
    target=Target(kind="constant", value=1000),
    owner="Sanne",
    action="Newsletter campaign",
)
SCORECARD = Scorecard(
    name="S",
    datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
    goals=[GOAL],
    kpis=[GOOD],
)


def _checkin(days_ago: int, kpi_id: str = "k", **kw) -> CheckIn:
    noon = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)
    return CheckIn(
        kpi_id=kpi_id, period="2026-05", created_at=noon - timedelta(days=days_ago), **kw
    )


def _health(kpi: KPI = GOOD, scorecard: Scorecard = SCORECARD, **kw) -> PillarReport:
    kw.setdefault("today", TODAY)
    return kpi_health(kpi, scorecard, **kw)


def _one(report: PillarReport, rule: str) -> Check:
    (check,) = [c for c in report.checks if c.rule == rule]
    return check


def _kpi(**update) -> KPI:
    return GOOD.model_copy(update=update)


# -- the whole report ------------------------------------------------------------------------
def test_a_good_kpi_passes_every_check() -> None:
    report = _health(reliability=90, periods_with_data=12, checkins=[_checkin(3)])
    assert report.pillars == PILLARS
    assert report.failed == ()
    assert report.scores == {"relevance": 100, "reliability": 100, "action": 100}
    assert report.overall == 100
    rules = [c.rule for c in report.checks]
    assert rules == [
        "goal",
        "why",
        "quality",
        "history",
        "owner",
        "target",
        "tolerance",
        "action",
        "cadence",
        "checkins",
    ]
    assert all(c.suggestion == "" and c.advice("nl") == "" for c in report.checks)


def test_scores_per_pillar_and_overall() -> None:
    kpi = _kpi(why="", owner="", action="")
    report = _health(kpi, reliability=40, periods_with_data=12)
    # relevance 1 of 2; reliability 1 of 2; action 3 of 6 (owner, action… fail)
    assert report.scores == {"relevance": 50, "reliability": 50, "action": 67}
    assert report.overall == round((50 + 50 + 67) / 3)
    assert [c.rule for c in report.failed] == ["why", "quality", "owner", "action"]
    data = report.as_dict()
    assert data["overall"] == report.overall and len(data["checks"]) == len(report.checks)


def test_reliability_is_not_judged_without_numbers() -> None:
    report = _health()
    assert report.of("reliability") == ()
    assert report.score("reliability") is None
    assert report.overall == 100  # the pillars that were checked


# -- relevance -------------------------------------------------------------------------------
def test_relevance_linked_to_an_existing_goal() -> None:
    assert _one(_health(), "goal").passed
    orphan = _one(_health(_kpi(goal_id="gone")), "goal")
    assert not orphan.passed
    assert orphan.suggestion == "pillars.kpi.goal.fix"
    assert "'gone'" in orphan.advice("en")


def test_relevance_a_stated_reason() -> None:
    assert _one(_health(), "why").passed
    check = _one(_health(_kpi(why="   ")), "why")
    assert not check.passed and check.suggestion == "pillars.kpi.why.fix"


# -- reliability -----------------------------------------------------------------------------
def test_reliability_data_quality_score() -> None:
    assert _one(_health(reliability=MIN_RELIABILITY), "quality").passed
    check = _one(_health(reliability=MIN_RELIABILITY - 1), "quality")
    assert not check.passed and check.suggestion == "pillars.kpi.quality.fix"
    assert "69" in check.advice("nl") and "70" in check.advice("en")
    assert check.pillar == "reliability"


@pytest.mark.parametrize(
    ("periods", "cadence", "suggestion", "text"),
    [
        (
            2,
            "month",
            "pillars.kpi.history.few.month",
            "Only 2 months of data — trends are unreliable",
        ),
        (1, "month", "pillars.kpi.history.one.month", "Only 1 month of data"),
        (3, "quarter", "pillars.kpi.history.few.quarter", "Only 3 quarters of data"),
        (5, "week", "pillars.kpi.history.few.week", "Only 5 weeks of data"),
        (4, "year", "pillars.kpi.history.few.year", "Only 4 years of data"),
        (0, "month", "pillars.kpi.history.none", "No data for this KPI yet"),
    ],
)
def test_reliability_enough_history_fails(periods, cadence, suggestion, text) -> None:
    check = _one(_health(_kpi(cadence=cadence), periods_with_data=periods), "history")
    assert not check.passed
    assert check.suggestion == suggestion
    assert check.advice("en").startswith(text)


def test_reliability_enough_history_passes_from_six_periods() -> None:
    assert MIN_PERIODS == 6
    assert _one(_health(periods_with_data=6), "history").passed
    assert "Pas 2 maanden aan gegevens" in _one(_health(periods_with_data=2), "history").advice(
        "nl"
    )


# -- action orientation ----------------------------------------------------------------------
def test_action_an_owner() -> None:
    assert _one(_health(), "owner").passed
    check = _one(_health(_kpi(owner="")), "owner")
    assert not check.passed and check.advice("en").startswith("Add an owner")


def test_action_a_target() -> None:
    assert _one(_health(), "target").passed
    check = _one(_health(_kpi(target=None)), "target")
    assert not check.passed and check.suggestion == "pillars.kpi.target.fix"


def test_action_a_tolerance_that_triggers_action() -> None:
    assert _one(_health(), "tolerance").passed  # the default 10%
    zero = _one(_health(_kpi(tolerance=Tolerance(value=0))), "tolerance")
    assert not zero.passed and zero.suggestion == "pillars.kpi.tolerance.zero"
    wide = _one(_health(_kpi(tolerance=Tolerance(value=60))), "tolerance")
    assert not wide.passed and wide.suggestion == "pillars.kpi.tolerance.wide"
    assert "60%" in wide.advice("nl")
    # An absolute tolerance is in the KPI's own unit: 60 euros is no band of 60%.
    assert _one(_health(_kpi(tolerance=Tolerance(kind="absolute", value=60))), "tolerance").passed


def test_action_an_agreed_action() -> None:
    assert _one(_health(), "action").passed
    check = _one(_health(_kpi(action="")), "action")
    assert not check.passed and check.suggestion == "pillars.kpi.action.fix"


def test_action_a_cadence_that_leaves_time_to_adjust() -> None:
    # A goal due this year: monthly and quarterly reviews leave time to adjust, yearly not.
    assert _one(_health(), "cadence").passed
    assert _one(_health(_kpi(cadence="quarter")), "cadence").passed
    check = _one(_health(_kpi(cadence="year")), "cadence")
    assert not check.passed and check.suggestion == "pillars.kpi.cadence.rare"
    assert check.params["reviews"] == 1 and check.params["suggested"] == "quarter"
    assert "2026-12-31" in check.advice("en")
    # A goal three years out gets three yearly reviews.
    far = SCORECARD.model_copy(
        update={"goals": [GOAL.model_copy(update={"deadline": date(2029, 6, 30)})]}
    )
    assert _one(_health(_kpi(cadence="year"), far), "cadence").passed


def test_cadence_is_not_judged_without_a_deadline_ahead() -> None:
    no_deadline = SCORECARD.model_copy(
        update={"goals": [GOAL.model_copy(update={"deadline": None})]}
    )
    assert _one(_health(_kpi(cadence="year"), no_deadline), "cadence").passed
    # The deadline passed: the goal hints say so; the cadence is not the problem.
    assert _one(_health(_kpi(cadence="year"), today=date(2027, 2, 1)), "cadence").passed
    # Weeks before the deadline a monthly review is still fine: no call for weekly ones.
    assert _one(_health(_kpi(cadence="month"), today=date(2026, 12, 1)), "cadence").passed


def test_action_check_ins_kept_up() -> None:
    # No check-ins and on course: nothing to keep up yet.
    assert _one(_health(status="on_track"), "checkins").passed
    # Off track and nobody looked.
    none = _one(_health(status="off_track"), "checkins")
    assert not none.passed and none.suggestion == "pillars.kpi.checkins.none"
    # Off track, but checked in last week.
    assert _one(_health(status="off_track", checkins=[_checkin(7)]), "checkins").passed
    # A monthly KPI's last check-in 46 days ago is fine, 47 days is stale (1.5 × 30.4).
    assert _one(_health(checkins=[_checkin(46)]), "checkins").passed
    stale = _one(_health(checkins=[_checkin(47), _checkin(90)]), "checkins")
    assert not stale.passed and stale.suggestion == "pillars.kpi.checkins.stale"
    assert stale.params["days"] == 47 and stale.params["count"] == 2
    assert "47 dagen geleden" in stale.advice("nl")
    # A weekly KPI's check-in of 12 days ago is stale.
    weekly = _one(_health(_kpi(cadence="week"), checkins=[_checkin(12)]), "checkins")
    assert not weekly.passed


def test_check_ins_of_other_kpis_do_not_count() -> None:
    check = _one(_health(status="off_track", checkins=[_checkin(1, kpi_id="other")]), "checkins")
    assert not check.passed and check.suggestion == "pillars.kpi.checkins.none"


def test_check_ins_a_planned_review_that_passed() -> None:
    overdue = _one(_health(checkins=[_checkin(10, next_review=date(2026, 6, 10))]), "checkins")
    assert not overdue.passed and overdue.suggestion == "pillars.kpi.checkins.overdue"
    assert "2026-06-10" in overdue.advice("en")
    planned = _one(_health(checkins=[_checkin(10, next_review=date(2026, 6, 20))]), "checkins")
    assert planned.passed


# -- texts -----------------------------------------------------------------------------------
def _every_check() -> list[Check]:
    cases = [
        _health(reliability=10, periods_with_data=p, status="off_track", kpi=_kpi(cadence=c))
        for p in (0, 1, 3, 9)
        for c in ("week", "month", "quarter", "year")
    ]
    cases += [
        _health(_kpi(goal_id="x", why="", owner="", action="", target=None)),
        _health(_kpi(tolerance=Tolerance(value=0))),
        _health(_kpi(tolerance=Tolerance(value=75))),
        _health(checkins=[_checkin(100)]),
        _health(checkins=[_checkin(1, next_review=date(2026, 6, 1))]),
    ]
    goal_cases = [
        goal_health(GOAL, SCORECARD, TODAY),
        goal_health(Goal(id="g", title="Grow"), SCORECARD.model_copy(update={"kpis": []}), TODAY),
        goal_health(GOAL, SCORECARD, date(2027, 3, 1)),
    ]
    return [c for r in [*cases, *goal_cases] for c in r.checks]


def test_every_label_and_suggestion_is_in_both_languages_without_placeholders_left() -> None:
    messages = catalogue()
    seen = set()
    for check in _every_check():
        for key in (check.key, check.suggestion):
            if key:
                assert key in messages, key
                seen.add(key)
        for lang in ("nl", "en"):
            for text in (check.label(lang), check.advice(lang)):
                assert not re.search(r"\{\w*[:}]", text), text
    # Every message of the file is used by some check, or names a pillar.
    own = {k for k in messages if k.startswith(("pillars.kpi.", "pillars.goal.check."))}
    assert own - seen <= {f"pillars.kpi.pillar.{p}" for p in PILLARS}


def test_pillar_names_are_translated() -> None:
    messages = catalogue()
    for pillar in PILLARS:
        assert f"pillars.kpi.pillar.{pillar}" in messages
    for criterion in GOAL_CRITERIA:
        assert f"pillars.goal.criterion.{criterion}" in messages
    # Plain words, a question a shop owner can answer (issue 15: no "Actiegerichtheid").
    assert messages["pillars.kpi.pillar.action"]["nl"].endswith("als hij uit koers raakt?")


# -- the scorecard, from an evaluation -------------------------------------------------------
def test_scorecard_health_on_the_sample() -> None:
    scorecard = sample_scorecard()
    frames = sample_frames()
    data = {d.id: frames[d.sheet or ""] for d in scorecard.datasets}
    as_of = date(2026, 11, 20)
    evaluation = evaluate_scorecard(scorecard, data, as_of=as_of)
    quality = assess_scorecard(scorecard, data, as_of=as_of)
    reports = scorecard_health(scorecard, evaluation, reliability=quality.scores, today=as_of)
    assert set(reports) == {k.id for k in scorecard.kpis}
    for kpi in scorecard.kpis:
        report = reports[kpi.id]
        assert periods_with_data(evaluation, kpi.id) >= MIN_PERIODS
        assert _one(report, "history").passed and _one(report, "quality").passed
        # The sample's KPIs are well defined: what can fail is only the review loop.
        assert {c.rule for c in report.failed} <= {"checkins"}, (kpi.id, report.failed)
        status = evaluation.latest(kpi.id, as_of)["status"]
        assert _one(report, "checkins").passed == (status != "off_track")
    assert any(not _one(r, "checkins").passed for r in reports.values())
    # Without an evaluation, reliability is not judged.
    bare = scorecard_health(scorecard, today=as_of)
    assert all(r.score("reliability") is None for r in bare.values())


# -- goals -----------------------------------------------------------------------------------
def _goal_rules(goal: Goal, scorecard: Scorecard = SCORECARD, today: date = TODAY) -> set[str]:
    return {c.rule for c in goal_health(goal, scorecard, today).failed}


def test_a_good_goal_passes_every_criterion() -> None:
    report = goal_health(GOAL, SCORECARD, TODAY)
    assert report.pillars == GOAL_CRITERIA
    assert report.failed == () and report.overall == 100
    assert [c.pillar for c in report.checks] == [
        "specific",
        "specific",
        "specific",
        "measurable",
        "measurable",
        "time_bound",
    ]
    assert _one(report, "kpi").params["kpis"] == 1


@pytest.mark.parametrize(
    ("update", "rule", "suggestion"),
    [
        ({"title": "Grow 15%"}, "title", "pillars.goal.specific"),
        ({"why": ""}, "why", "pillars.goal.why"),
        ({"owner": ""}, "owner", "pillars.goal.owner"),
        ({"title": "Grow online revenue a lot"}, "number", "pillars.goal.number"),
        ({"deadline": None}, "deadline", "pillars.goal.deadline"),
    ],
)
def test_each_goal_rule_fails_alone(update, rule, suggestion) -> None:
    report = goal_health(GOAL.model_copy(update=update), SCORECARD, TODAY)
    assert [c.rule for c in report.failed] == [rule]
    assert report.failed[0].suggestion == suggestion


def test_goal_measurable_needs_a_kpi() -> None:
    empty = SCORECARD.model_copy(update={"kpis": []})
    report = goal_health(GOAL, empty, TODAY)
    assert [c.suggestion for c in report.failed] == ["pillars.goal.measurable"]
    assert report.scores == {"specific": 100, "measurable": 50, "time_bound": 100}


def test_goal_deadline_passed() -> None:
    report = goal_health(GOAL, SCORECARD, date(2027, 1, 2))
    (check,) = report.failed
    assert check.suggestion == "pillars.goal.deadline_past"
    # The date in the user's notation (issue 15), the machine params keep ISO.
    assert "De deadline 31-12-2026 is verstreken" in check.advice("nl")
    assert "2026-12-31" in check.advice("en")
    assert check.params["deadline"] == "2026-12-31"
    # Without today, a past deadline cannot be seen.
    assert goal_health(GOAL, SCORECARD).failed == ()


def test_goal_checklist_agrees_with_the_goal_hints() -> None:
    goal = Goal(id="g", title="Grow")
    empty = SCORECARD.model_copy(update={"kpis": []})
    hints = {h.key for h in goal_hints(goal, empty, TODAY)}
    assert {c.suggestion for c in goal_health(goal, empty, TODAY).failed} == hints
