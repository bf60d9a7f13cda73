"""Issue 15 wording in the core: percentage points, dates and periods in the user's
notation inside messages, column types in words, plurals with agreeing verbs, a measure
shown as the user wrote it, and plain words for the pillars."""

from __future__ import annotations

from datetime import date

from kpilogic.i18n import column_kind, format_points, people_params, t
from kpilogic.present.report import describe_measure, describe_tolerance
from kpilogic.scorecard.explain import change_words, explain_reason
from kpilogic.scorecard.model import KPI, Measure, Target, Tolerance


def test_percentage_points_in_both_languages() -> None:
    assert format_points(0.1, "nl") == "0,1 procentpunt"
    assert format_points(1, "nl") == "1,0 procentpunt"
    assert format_points(2.5, "nl") == "2,5 procentpunten"
    assert format_points(0.1, "en") == "0.1 percentage points"
    assert format_points(1, "en", 0) == "1 percentage point"
    assert format_points(-0.4, "nl") == "-0,4 procentpunt"
    assert format_points(None, "nl") == "–"


def _margin_kpi(tolerance: Tolerance) -> KPI:
    return KPI(
        id="margin",
        name="Leadconversie",
        goal_id="g",
        dataset_id="d",
        measure=Measure(aggregation="mean", column="Conversie"),
        unit="percent",
        target=Target(kind="constant", value=2.9),
        tolerance=tolerance,
    )


def test_a_percentage_kpi_below_target_is_worded_in_points() -> None:
    # 2.5% against a target of 2.9% with a margin of 0.2 points: the gap is
    # 2.9 - 2.5 = 0.4 points (not 0.4 / 2.9 = 13.8% "below"), beyond the 0.2 points.
    reason = {
        "code": "higher.below_beyond_tolerance",
        "value": 2.5,
        "target": 2.9,
        "tolerance": 0.2,
        "tolerance_pct": None,
        "gap": 2.5 - 2.9,
        "gap_pct": (2.5 - 2.9) / 2.9 * 100,
    }
    nl = explain_reason(reason, "percent", "nl")
    assert nl == (
        "2,5% ligt 0,4 procentpunt onder de doelwaarde van 2,9%, "
        "meer dan de tolerantie van 0,2 procentpunt."
    )
    en = explain_reason(reason, "percent", "en")
    assert "is 0.4 percentage points below the target of 2.9%" in en
    # The same numbers on a currency KPI keep the relative gap: 0.4 / 2.9 = 13.8%.
    assert "13,8% onder" in explain_reason(reason, "currency", "nl")


def test_a_relative_tolerance_on_a_percentage_kpi_says_of_the_target() -> None:
    # 10% of the target of 30%: 3 points; the words say "of the target" so it is not
    # mistaken for 10 points.
    reason = {
        "code": "higher.below_within_tolerance",
        "value": 29.9,
        "target": 30.0,
        "tolerance": 3.0,
        "tolerance_pct": 10.0,
        "gap": 29.9 - 30.0,
        "gap_pct": -0.1 / 30 * 100,
    }
    assert explain_reason(reason, "percent", "nl") == (
        "29,9% ligt 0,1 procentpunt onder de doelwaarde van 30,0%; "
        "tolerantie 10% van de doelwaarde."
    )


def test_tolerance_of_a_percentage_kpi_in_the_report() -> None:
    absolute = _margin_kpi(Tolerance(kind="absolute", value=0.5))
    assert describe_tolerance(absolute, "nl") == "0,5 procentpunt"
    assert describe_tolerance(absolute, "en") == "0.5 percentage points"
    relative = _margin_kpi(Tolerance(kind="percent", value=10))
    assert describe_tolerance(relative, "nl") == "10% van de doelwaarde"


def test_change_against_the_previous_period() -> None:
    # 2.5% → 2.8%: +0.3 points; € 100 → € 119.30: +19.3%, said to be relative.
    assert change_words(2.8, 2.5, "percent", "nl") == "+0,3 procentpunt t.o.v. vorige periode"
    assert change_words(2.8, 2.5, "percent", "en") == "+0.3 percentage points vs previous period"
    assert change_words(119.3, 100.0, "currency", "nl") == (
        "+19,3% t.o.v. vorige periode (relatief)"
    )
    assert change_words(90.0, 100.0, "count", "en") == "-10.0% vs previous period (relative)"
    assert change_words(5.0, 0.0, "count", "en") is None  # no relative change from zero
    assert change_words(None, 1.0, "percent", "nl") is None


def test_dates_and_periods_in_message_params() -> None:
    params = {"deadline": "2025-12-31", "period": "2025-12", "name": "2025-12-31"}
    nl = people_params(params, "nl")
    assert nl == {"deadline": "31-12-2025", "period": "dec 2025", "name": "2025-12-31"}
    assert people_params({"last": date(2026, 3, 1)}, "nl") == {"last": "01-03-2026"}
    assert people_params({"period": "2025-Q4"}, "nl") == {"period": "K4 2025"}
    assert params["deadline"] == "2025-12-31"  # the machine params are not changed


def test_column_types_in_words() -> None:
    assert [column_kind(k, "nl") for k in ("date", "number", "category", "text")] == [
        "datum",
        "getal",
        "categorie",
        "tekst",
    ]
    assert column_kind("date", "en") == "date"
    assert column_kind("unknown", "nl") == "unknown"


def test_plurals_with_agreeing_verbs() -> None:
    one = t("eval.left_out", "nl", count=1, period="mrt 2026", columns="Kosten")
    two = t("eval.left_out", "nl", count=2, period="mrt 2026", columns="Kosten")
    assert one.startswith("1 rij in mrt 2026 heeft geen Kosten")
    assert two.startswith("2 rijen in mrt 2026 hebben geen Kosten")
    assert t("quality.duplicates", "en", count=1, rows="8").startswith(
        "1 row is an exact copy of an earlier row: row 8."
    )


def test_a_measure_as_the_user_wrote_it() -> None:
    kpi = _margin_kpi(Tolerance(kind="percent", value=10))
    assert describe_measure(kpi, "nl") == "Gemiddelde van Conversie"
    assert describe_measure(kpi, "en") == "Average of Conversie"
    formula = kpi.model_copy(update={"measure": Measure(formula="sum(Winst) / sum(Omzet) * 100")})
    assert describe_measure(formula, "nl") == "sum(Winst) / sum(Omzet) * 100"


def test_pillars_and_health_in_plain_words() -> None:
    assert t("tpl.health.title", "nl") == "Is deze KPI bruikbaar?"
    assert t("dash.health", "nl") == "Aandeel op koers"
    for pillar in ("relevance", "reliability", "action"):
        # each question explained in one line, as a question
        assert t(f"pillars.kpi.pillar.{pillar}", "nl").endswith("?")


def test_outlier_examples_in_the_readers_number_notation() -> None:
    from kpilogic.engine.quality import Finding

    finding = Finding(
        "quality.outliers",
        {"count": 2, "examples": [("Revenue", 600.07, 50), ("Revenue", 1234.5, 104)]},
    )
    assert finding.message("nl").startswith(
        "2 waarden wijken sterk af van de rest: Revenue 600,07 (50), Revenue 1.234,50 (104)"
    )
    assert "Revenue 600.07 (50), Revenue 1,234.50 (104)" in finding.message("en")


def test_counts_of_one_take_the_singular() -> None:
    # Each of these could say "1 perioden" / "1 KPIs" / "1 check-ins" before.
    assert t("kpis.summary.per_period", "nl", n=1) == "doelwaarde per periode (1 periode)"
    assert t("kpis.summary.per_period", "en", n=12) == "target per period (12 periods)"
    assert t("report.goal_health", "en", on_track=0, total=1) == "0 of 1 KPI on track"
    assert t("review.download.help", "nl", count=1).startswith("1 check-in:")
    assert t("pillars.kpi.history.few.month", "en", periods=1, minimum=6).startswith(
        "Only 1 month of data"
    )
    assert t("reason.target_from_segments", "nl", n=1).endswith("van 1 segment.")


def test_a_list_of_periods_in_a_message_reads_as_words() -> None:
    from kpilogic.i18n import people_params

    assert people_params({"periods": "2024-06, 2024-07"}, "nl") == {"periods": "jun 2024, jul 2024"}
    assert people_params({"periods": "2025-Q4"}, "en") == {"periods": "Q4 2025"}
    # Anything that is not a list of period labels stays as it is.
    assert people_params({"periods": "2024-06, later"}, "nl") == {"periods": "2024-06, later"}
