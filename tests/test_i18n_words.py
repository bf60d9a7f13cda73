"""People's words for machine facts: plural forms and period labels, in both languages."""

from __future__ import annotations

import pytest

from kpilogic import i18n
from kpilogic.i18n import format_period


@pytest.mark.parametrize(
    ("label", "nl", "en"),
    [
        ("2025-12", "dec 2025", "Dec 2025"),
        ("2026-03", "mrt 2026", "Mar 2026"),
        ("2026-05", "mei 2026", "May 2026"),
        ("2025-Q4", "K4 2025", "Q4 2025"),
        ("2026-W09", "week 9 2026", "week 9 2026"),
        ("2026-W52", "week 52 2026", "week 52 2026"),
        ("2026", "2026", "2026"),
        ("FY2026/27", "boekjaar 2026/27", "FY2026/27"),
        ("FY2026/27-Q1", "K1 boekjaar 2026/27", "Q1 FY2026/27"),
        ("FY2026/27-03", "mrt boekjaar 2026/27", "Mar FY2026/27"),
    ],
)
def test_period_labels_as_people_write_them(label: str, nl: str, en: str) -> None:
    assert format_period(label, "nl") == nl
    assert format_period(label, "en") == en


@pytest.mark.parametrize("label", ["", "total", "2026-13", "26-03", "2026-Q5"])
def test_other_labels_are_left_as_they_are(label: str) -> None:
    assert format_period(label, "nl") == label


def test_plural_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {
        "x.count": {
            "en": "{goals} {goals|goal|goals}, {kpis} {kpis|KPI|KPIs}",
            "nl": "{goals} {goals|doel|doelen}, {kpis} {kpis|KPI|KPI's}",
        }
    }
    monkeypatch.setattr(i18n, "catalogue", lambda: fake)
    assert i18n.t("x.count", "nl", goals=1, kpis=1) == "1 doel, 1 KPI"
    assert i18n.t("x.count", "nl", goals=2, kpis=0) == "2 doelen, 0 KPI's"
    assert i18n.t("x.count", "en", goals=1, kpis=3) == "1 goal, 3 KPIs"
    assert i18n.t("x.count", "en", goals=1.0, kpis="many") == "1.0 goal, many KPIs"
    # Formatted numbers: "1.000" is a thousand in Dutch, "1" is one.
    assert i18n.t("x.count", "nl", goals="1.000", kpis="1") == "1.000 doelen, 1 KPI"
