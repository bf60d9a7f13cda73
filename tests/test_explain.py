"""Plain words for statuses: the examples of the wizard issue, in both languages."""

from __future__ import annotations

from kpilogic.engine.evaluate import judge
from kpilogic.scorecard.explain import explain_reason, status_badge, status_label
from kpilogic.scorecard.model import Tolerance


def test_the_issue_example_in_dutch_and_english() -> None:
    reason = judge(92_300.0, "higher", Tolerance(), target=100_000.0).reason.as_dict()
    assert explain_reason(reason, "currency", "nl") == (
        "€ 92.300 ligt 7,7% onder de doelwaarde van € 100.000; tolerantie 10%."
    )
    assert explain_reason(reason, "currency", "en") == (
        "€92,300 is 7.7% below the target of €100,000; tolerance 10%."
    )


def test_lower_and_range_and_projection() -> None:
    lower = judge(3.5, "lower", Tolerance(kind="absolute", value=0.5), target=2.0).reason
    assert explain_reason(lower.as_dict(), "days", "en") == (
        "3.5 days is 75.0% above the target of 2.0 days, more than the tolerance of 0.5 days."
    )
    rng = judge(140.0, "range", Tolerance(), low=150.0, high=250.0).reason.as_dict()
    assert explain_reason(rng, "currency", "nl") == (
        "€ 140,00 ligt € 10,00 onder de bandbreedte € 150,00 – € 250,00; tolerantie 10%."
    )
    projected = {**rng, "projected": True}
    assert explain_reason(projected, "currency", "en").startswith("Projected to the end")


def test_badges_never_colour_alone() -> None:
    assert status_badge("at_risk", "en") == "⚠️ At risk"
    assert status_badge("off_track", "nl") == "⛔ Uit koers"
    assert status_label("on_track", "nl") == "Op koers"
