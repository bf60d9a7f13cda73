"""Insights in plain words (engine.insights): each rule on a small constructed dataset where
it must fire and one where it must not, with the numbers worked out by hand; the ranking and
its determinism; the sentences in both languages."""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from datetime import date

import pandas as pd
import pytest

from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.engine.insights import Insight, insight_text, insights
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target


def _month(start: str, i: int) -> tuple[int, int]:
    year, month = (int(x) for x in start.split("-"))
    index = year * 12 + month - 1 + i
    return index // 12, index % 12 + 1


def _month_end(start: str, n: int) -> date:
    """The last day of the n-th month (0-based) from ``start``."""
    year, month = _month(start, n)
    return date(year, month, calendar.monthrange(year, month)[1])


def _frame(
    columns: dict[str, Sequence[float]],
    start: str = "2025-01",
    segments: dict[str, dict[str, Sequence[float]]] | None = None,
) -> pd.DataFrame:
    """One row per month (on the 15th) per column set; ``segments`` gives per segment
    (Region) the values of each column instead, one row per month per segment."""
    rows: list[dict[str, object]] = []
    if segments is None:
        n = len(next(iter(columns.values())))
        for i in range(n):
            y, m = _month(start, i)
            rows.append({"Date": pd.Timestamp(y, m, 15), **{c: v[i] for c, v in columns.items()}})
    else:
        for region, cols in segments.items():
            n = len(next(iter(cols.values())))
            for i in range(n):
                y, m = _month(start, i)
                row = {"Date": pd.Timestamp(y, m, 15), "Region": region}
                rows.append({**row, **{c: v[i] for c, v in cols.items()}})
    return pd.DataFrame(rows)


def _kpi(kpi_id: str = "rev", column: str = "Revenue", **kw: object) -> KPI:
    base: dict[str, object] = {
        "id": kpi_id,
        "goal_id": "g",
        "name": kw.pop("name", column),
        "dataset_id": "d",
        "measure": Measure(aggregation="sum", column=column),
        "unit": "currency",
    }
    base.update(kw)
    return KPI.model_validate(base)


def _evaluate(data: pd.DataFrame, *kpis: KPI, as_of: date | None = None) -> Evaluation:
    card = Scorecard(
        name="Shop",
        datasets=[Dataset(id="d", name="Sales", source="s.csv", date_column="Date")],
        goals=[Goal(id="g", title="Grow")],
        kpis=list(kpis),
    )
    if as_of is None:
        last = pd.Timestamp(data["Date"].max())
        as_of = date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    ev = evaluate_scorecard(card, {"d": data}, as_of)
    assert not ev.errors, ev.errors
    return ev


def _series(values: Sequence[float], start: str = "2025-01", **kw: object) -> Evaluation:
    return _evaluate(_frame({"Revenue": values}, start), _kpi(**kw))


def _kinds(found: list[Insight]) -> list[str]:
    return [i.kind for i in found]


# -- movers ---------------------------------------------------------------------------------


def test_mover_against_the_previous_month() -> None:
    ev = _series([100, 102, 98, 101, 130])
    found = insights(ev)
    assert _kinds(found) == ["mover_previous"]
    mover = found[0]
    # May: (130 − 101) / 101 = 28.713% against April.
    assert mover.params["change"] == pytest.approx(28.7129, abs=1e-4)
    assert mover.period == "2025-05"
    # Earlier changes: +2%, (98 − 102)/102 = −3.9216%, (101 − 98)/98 = +3.0612%;
    # mean 0.3799, sd √((1.6201² + 4.3015² + 2.6813²) / 2) = 3.7628;
    # z = (28.7129 − 0.3799) / 3.7628 = 7.530.
    assert mover.score == pytest.approx(7.530, abs=1e-3)
    assert insight_text(mover, ev.scorecard, "en") == (
        "Revenue rose 28.7% in May 2025 against Apr 2025: €130.00 against €101.00."
    )
    assert insight_text(mover, ev.scorecard, "nl") == (
        "Revenue steeg in mei 2025 met 28,7% ten opzichte van apr 2025: € 130,00 tegen € 101,00."
    )


def test_no_mover_for_an_ordinary_change() -> None:
    # May: (104 − 101) / 101 = +2.97%: below the 5% that counts as material.
    assert insights(_series([100, 102, 98, 101, 104])) == []


def test_a_percentage_kpi_moves_in_percentage_points() -> None:
    ev = _series([40, 41, 39, 40, 46], unit="percent", name="Margin")
    found = insights(ev)
    assert _kinds(found) == ["mover_previous"]
    # 46 − 40 = 6 points (not (46 − 40) / 40 = 15%); earlier changes +1, −2, +1: mean 0,
    # sd √((1 + 4 + 1) / 2) = √3, z = 6 / √3 = 3.464.
    assert found[0].params["change"] == pytest.approx(6.0)
    assert found[0].score == pytest.approx(6 / math.sqrt(3))
    assert insight_text(found[0], ev.scorecard, "en") == (
        "Margin rose 6.0 percentage points in May 2025 against Apr 2025: 46.0% against 40.0%."
    )
    assert "6,0 procentpunt" in insight_text(found[0], ev.scorecard, "nl")


# Jan 2025 then Feb–Dec 2025 around 130, then Jan 2026.
_YEAR = [128, 131, 129, 130, 127, 132, 130, 129, 131, 128, 130]


def test_mover_against_the_same_month_last_year() -> None:
    ev = _series([100, *_YEAR, 125])
    found = insights(ev)
    # Jan 2026 against Jan 2025: (125 − 100) / 100 = +25%; no earlier year-on-year change,
    # so the score is 25 / 10 = 2.5. Against Dec 2025: (125 − 130)/130 = −3.8%, not material;
    # 125 is inside the previous twelve's range 100..132: no break, no record.
    assert _kinds(found) == ["mover_last_year"]
    assert found[0].params["change"] == pytest.approx(25.0)
    assert found[0].score == pytest.approx(2.5)
    assert insight_text(found[0], ev.scorecard, "en") == (
        "Revenue was 25.0% higher in Jan 2026 than a year earlier (Jan 2025): "
        "€125.00 against €100.00."
    )


def test_no_year_mover_when_last_year_was_alike() -> None:
    # (125 − 120) / 120 = 4.2%: not material.
    assert insights(_series([120, *_YEAR, 125])) == []


# -- records and breaks -----------------------------------------------------------------------


def test_record_high() -> None:
    ev = _series([100, 120, 95, 118, 97, 119, 121])
    found = insights(ev)
    # 121 beats the old high 120 (Feb) over 6 earlier months; July's change (121 − 119)/119
    # = 1.7% is no mover. History mean 108.17, sd √(718.83 / 5) = 11.990;
    # score 2.5 + (121 − 120) / 11.990 = 2.5834.
    assert _kinds(found) == ["record_high"]
    record = found[0]
    assert record.params["record"] == 120
    assert record.params["record_period"] == "2025-02"
    assert record.score == pytest.approx(2.5 + 1 / 11.990, abs=1e-4)
    assert insight_text(record, ev.scorecard, "en") == (
        "Revenue reached its highest value in 7 months in Jul 2025: €121.00 "
        "(the previous high was €120.00 in Feb 2025)."
    )


def test_record_low() -> None:
    ev = _series([100, 80, 105, 82, 103, 81, 79])
    found = insights(ev)
    # 79 < the old low 80 (Feb); (79 − 81)/81 = −2.5% is no mover.
    assert _kinds(found) == ["record_low"]
    assert found[0].params["record"] == 80
    assert "zakte in jul 2025 naar de laagste waarde in 7 maanden: € 79,00" in insight_text(
        found[0], ev.scorecard, "nl"
    )


def test_no_record_with_too_little_history() -> None:
    # Only 5 earlier months (6 are needed): 121 above them all is not yet a record.
    assert insights(_series([120, 95, 118, 97, 119, 121])) == []


# 2024-01 an old high of 200, then twelve months alternating 100 / 110.
_BREAK = [200, *[100, 110] * 6]


def test_trend_break_above_the_last_twelve() -> None:
    ev = _series([*_BREAK, 115], start="2024-01")
    found = insights(ev)
    # Feb 2025 = 115: above the previous twelve's range 100..110 but below the old high of
    # 200 (no record). Against Jan 2025: (115 − 110)/110 = 4.5%, not material; against Feb
    # 2024: +15% with one earlier year change → score 1.5 < 2. Score 2 + 5 / 10 = 2.5.
    assert _kinds(found) == ["trend_break"]
    brk = found[0]
    assert (brk.params["low"], brk.params["high"], brk.params["window"]) == (100, 110, 12)
    assert brk.score == pytest.approx(2.5)
    assert insight_text(brk, ev.scorecard, "en") == (
        "Revenue broke out of the range of the previous 12 months in Feb 2025: €115.00, "
        "above the highest value of €110.00."
    )


def test_no_trend_break_inside_the_range() -> None:
    assert insights(_series([*_BREAK, 108], start="2024-01")) == []


# -- streaks --------------------------------------------------------------------------------


def test_streak_of_missed_targets_in_both_languages() -> None:
    ev = _series([120, 90, 85, 95, 92], target=Target(value=100))
    found = insights(ev)
    # Target 100, tolerance 10%: 120 on track, 90 at risk (≥ 90), 85 off track, 95 and 92
    # at risk: four months in a row missed, since February. Score 4/3 + 1 = 2.333.
    assert _kinds(found) == ["streak"]
    streak = found[0]
    assert streak.params["count"] == 4
    assert streak.score == pytest.approx(4 / 3 + 1)
    assert insight_text(streak, ev.scorecard, "en") == (
        "Revenue has missed its target 4 months in a row (since Feb 2025); "
        "May 2025: €92.00 against a target of €100.00."
    )
    assert insight_text(streak, ev.scorecard, "nl") == (
        "Revenue haalt al 4 maanden op rij het doel niet (sinds feb 2025); "
        "mei 2025: € 92,00 tegen een doel van € 100,00."
    )


def test_no_streak_when_the_run_is_broken() -> None:
    # April (101) is on track: May (92) is a streak of one.
    assert insights(_series([120, 90, 85, 101, 92], target=Target(value=100))) == []


def test_streak_on_track_in_both_languages() -> None:
    ev = _series([101, 102, 103], target=Target(value=100))
    found = insights(ev)
    # Three months at or above 100: an on-track streak, score 3 / 6 = 0.5.
    assert _kinds(found) == ["streak"]
    assert found[0].score == pytest.approx(0.5)
    assert insight_text(found[0], ev.scorecard, "en").startswith(
        "Revenue has been on target 3 months in a row (since Jan 2025)"
    )
    assert insight_text(found[0], ev.scorecard, "nl").startswith(
        "Revenue ligt al 3 maanden op rij op koers (sinds jan 2025)"
    )


# -- the segment that drives a change ---------------------------------------------------------


def _regions(regions: dict[str, Sequence[float]]) -> Evaluation:
    data = _frame({}, segments={r: {"Revenue": v} for r, v in regions.items()})
    return _evaluate(data, _kpi(segment_column="Region"))


def test_segment_driver_in_both_languages() -> None:
    ev = _regions({"Amersfoort": [500, 380], "Utrecht": [500, 470]})
    found = insights(ev)
    # Total 1000 → 850 (−15%: material; as a mover 15/10 = 1.5 < 2, no mover).
    # Amersfoort −120, Utrecht −30: Amersfoort's share of the −150 is 80%.
    # Score 2 × 0.8 + min(15 / 20, 1) = 2.35.
    assert _kinds(found) == ["segment_driver"]
    driver = found[0]
    assert driver.params["segment"] == "Amersfoort"
    assert driver.params["share"] == pytest.approx(80.0)
    assert driver.score == pytest.approx(2.35)
    assert insight_text(driver, ev.scorecard, "en") == (
        "Amersfoort accounts for 80% of the drop in Revenue in Feb 2025: "
        "€120.00 of the €150.00 lost against Jan 2025."
    )
    assert insight_text(driver, ev.scorecard, "nl") == (
        "Amersfoort is goed voor 80% van de daling van Revenue in feb 2025: "
        "€ 120,00 van de € 150,00 minder dan in jan 2025."
    )


def test_segment_driver_with_a_segment_moving_the_other_way() -> None:
    ev = _regions({"Amersfoort": [500, 350], "Utrecht": [500, 550]})
    found = insights(ev)
    # Total 1000 → 900 (−10%). Amersfoort −150 is the whole of the fall (100% of the
    # segments that fell); Utrecht +50 offsets part of it: the total fell 100.
    assert _kinds(found) == ["segment_driver"]
    assert found[0].params["share"] == pytest.approx(100.0)
    assert found[0].params["offset"] == pytest.approx(50.0)
    text = insight_text(found[0], ev.scorecard, "en")
    assert text.endswith(
        "Other segments moved the other way by €50.00, so the total changed by €100.00."
    )
    assert "dus het totaal veranderde met € 100,00" in insight_text(found[0], ev.scorecard, "nl")


def test_segment_driver_against_the_same_month_last_year() -> None:
    # Jan 2025 500 + 500; Feb–Nov 2025 400 + 400; Dec 2025 and Jan 2026 380 + 470.
    ev = _regions(
        {
            "Amersfoort": [500, *[400] * 10, 380, 380],
            "Utrecht": [500, *[400] * 10, 470, 470],
        }
    )
    found = insights(ev)
    # Jan 2026 against Dec 2025: no change. Against Jan 2025: 1000 → 850 (−15%; as a mover
    # 1.5 < 2); Amersfoort −120 of −150 = 80%. 850 lies inside 800..1000: no record, no break.
    assert _kinds(found) == ["segment_driver"]
    assert found[0].params["before_period"] == "2025-01"
    assert insight_text(found[0], ev.scorecard, "en") == (
        "Amersfoort accounts for 80% of the drop in Revenue in Jan 2026: "
        "€120.00 of the €150.00 lost against Jan 2025."
    )


def test_no_segment_driver_for_a_small_change_or_an_even_spread() -> None:
    # Total 1000 → 985: −1.5%, not material.
    assert insights(_regions({"Amersfoort": [500, 490], "Utrecht": [500, 495]})) == []
    # Total 1500 → 1380 (−8%), each region −40: the largest share is 33% < 50%.
    even = {"A": [500, 460], "B": [500, 460], "C": [500, 460]}
    assert insights(_regions(even)) == []


# -- data not up to date ---------------------------------------------------------------------


def test_stale_data() -> None:
    data = _frame({"Revenue": [100, 101, 102]})
    ev = _evaluate(data, _kpi(), as_of=date(2025, 6, 15))
    found = insights(ev)
    # On 15 June the last whole month is May; the data ends in March: April and May are
    # missing (2 periods). Score 1 + 2/3.
    assert _kinds(found) == ["stale_data"]
    assert found[0].params["count"] == 2
    assert found[0].score == pytest.approx(1 + 2 / 3)
    assert insight_text(found[0], ev.scorecard, "en") == (
        "The data for Revenue ends on 2025-03-31 (Mar 2025): 2 months are missing up to 2025-06-15."
    )
    assert insight_text(found[0], ev.scorecard, "nl") == (
        "De gegevens van Revenue lopen tot 31-03-2025 (mrt 2025): er ontbreken 2 maanden "
        "tot 15-06-2025."
    )


def test_not_stale_when_the_last_month_is_in() -> None:
    # On 10 April the last whole month is March, and March is in.
    data = _frame({"Revenue": [100, 101, 102]})
    assert insights(_evaluate(data, _kpi(), as_of=date(2025, 4, 10))) == []


# -- partial periods ---------------------------------------------------------------------------


def test_a_partial_period_is_compared_on_its_projection_and_says_so() -> None:
    data = _frame({"Revenue": [100, 102, 98, 101, 80]})
    ev = _evaluate(data, _kpi(), as_of=date(2025, 5, 15))
    found = insights(ev)
    # May: 80 in 15 of 31 days → projected 80 × 31 / 15 = 165.33; against April's 101:
    # +63.7%: a mover, on the projection.
    assert _kinds(found) == ["mover_previous"]
    assert found[0].params["value"] == pytest.approx(80 * 31 / 15)
    assert found[0].params["change"] == pytest.approx((80 * 31 / 15 - 101) / 101 * 100)
    assert "projected to the whole period" in insight_text(found[0], ev.scorecard, "en")
    assert "geprojecteerd" in insight_text(found[0], ev.scorecard, "nl")


def test_an_unprojected_partial_period_is_skipped() -> None:
    data = _frame({"Revenue": [100, 102, 98, 101, 300]})
    mean = _kpi(measure=Measure(aggregation="mean", column="Revenue"))
    ev = _evaluate(data, mean, as_of=date(2025, 5, 15))
    # A mean does not add up over time: May is in progress and not projected, so its 300
    # (+197% against April) is no mover; April (101 against 98: +3.1%) says nothing either.
    assert ev.kpi_rows("rev").iloc[-1]["status"] == "in_progress"
    assert insights(ev) == []


# -- ranking ---------------------------------------------------------------------------------


def _several() -> Evaluation:
    data = _frame(
        {
            "Record": [100, 120, 95, 118, 97, 119, 121],
            "Streak": [120, 130, 120, 90, 85, 95, 92],
            "Quiet": [100, 101, 100, 101, 100, 101, 100],
            "Twin": [120, 130, 120, 90, 85, 95, 92],
        }
    )
    return _evaluate(
        data,
        _kpi("quiet", "Quiet"),
        _kpi("streak", "Streak", target=Target(value=100)),
        _kpi("record", "Record"),
        _kpi("twin", "Twin", target=Target(value=100)),
    )


def test_ranking_by_score_then_scorecard_order() -> None:
    found = insights(_several())
    # record: 2.5 + 1/11.990 = 2.583; streak and twin: 4 in a row missed → 2.333 each,
    # the tie broken by the scorecard's order (streak before twin); quiet says nothing.
    assert [(i.kpi_id, i.kind) for i in found] == [
        ("record", "record_high"),
        ("streak", "streak"),
        ("twin", "streak"),
    ]
    assert [i.score for i in found] == sorted((i.score for i in found), reverse=True)
    assert [i.kpi_id for i in insights(_several(), limit=2)] == ["record", "streak"]


def test_same_input_same_order() -> None:
    first = insights(_several(), limit=10)
    again = insights(_several(), limit=10)
    assert first == again


def test_a_chosen_period() -> None:
    ev = _series([100, 102, 98, 101, 130, 131])
    # June (131 vs 130: +0.8%) says nothing; May, chosen, is the +28.7% mover.
    assert insights(ev) == []
    found = insights(ev, period="2025-05")
    assert _kinds(found) == ["mover_previous"]
    assert found[0].period == "2025-05"


def test_a_quarterly_kpi_in_a_chosen_month() -> None:
    # Quarters 2025: Q1 100+100+100 = 300, Q2 300, Q3 300, Q4 100+100+190 = 390.
    data = _frame({"Revenue": [100] * 9 + [100, 100, 190]})
    ev = _evaluate(data, _kpi(cadence="quarter"), as_of=date(2025, 12, 31))
    # In "2025-12" the quarterly KPI is looked at in Q4: (390 − 300) / 300 = +30%; only two
    # earlier changes (0 and 0; 3 are needed for a z-score) → score 30 / 10 = 3.0.
    found = insights(ev, period="2025-12")
    assert [(i.kind, i.period) for i in found] == [("mover_previous", "2025-Q4")]
    assert found[0].score == pytest.approx(3.0)
    assert "in K4 2025 met 30,0% ten opzichte van K3 2025" in insight_text(
        found[0], ev.scorecard, "nl"
    )


def test_kpi_names_are_kept_as_written() -> None:
    # The sentence carries the name as the user wrote it; pages escape it (plain_md) and the
    # PDF escapes it for its markup.
    ev = _series([100, 102, 98, 101, 130], name="=Omzet <b>*web*</b>")
    text = insight_text(insights(ev)[0], ev.scorecard, "en")
    assert text.startswith("=Omzet <b>*web*</b> rose 28.7%")
