"""Goal progress (issue 14): cumulative figures, the target and the forecast at the deadline,
the status judged on that forecast — every expected number worked out by hand here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.engine.progress import (
    PROGRESS_STATUSES,
    GoalProgress,
    KpiProgress,
    format_amount,
    format_signed_pct,
    goal_progress,
    progress_text,
)
from kpilogic.errors import ScorecardError
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.sources.pipeline import read_sheet, typed_table
from tests.conftest import require_superstore

# -- helpers -------------------------------------------------------------------------------


def _monthly(values: dict[str, float], column: str = "Revenue") -> pd.DataFrame:
    """One row on the 1st of each month 'YYYY-MM' → value."""
    return pd.DataFrame(
        {"Date": pd.to_datetime([f"{m}-01" for m in values]), column: list(values.values())}
    )


def _card(*kpis: KPI, deadline: date, start: date | None = None) -> Scorecard:
    return Scorecard(
        name="Test",
        datasets=[Dataset(id="sales", name="Sales", source="sales.csv", date_column="Date")],
        goals=[Goal(id="g1", title="Grow", deadline=deadline, start=start)],
        kpis=list(kpis),
    )


def _kpi(**kw: object) -> KPI:
    base: dict[str, object] = {
        "id": "rev",
        "goal_id": "g1",
        "name": "Revenue",
        "dataset_id": "sales",
        "measure": Measure(aggregation="sum", column="Revenue"),
        "unit": "currency",
        "target": Target(value=150),
    }
    base.update(kw)
    return KPI.model_validate(base)


def _progress(
    card: Scorecard, data: pd.DataFrame, as_of: date | None
) -> tuple[GoalProgress, Scorecard]:
    ev = evaluate_scorecard(card, {"sales": data}, as_of)
    assert not ev.errors, ev.errors
    (goal,) = goal_progress(ev, as_of)
    return goal, card


# Jan–Jun 2025 rising by 10 a month; no history before 2025.
RISING = {f"2025-{m:02d}": 100.0 + 10 * (m - 1) for m in range(1, 7)}


# -- Superstore ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    path = require_superstore()
    return typed_table(read_sheet(path.read_bytes(), path.name, "Orders").frame)


def _superstore_card(target: Target) -> Scorecard:
    return Scorecard(
        name="Superstore",
        datasets=[
            Dataset(
                id="orders",
                name="Orders",
                source="Sample - Superstore.xls",
                sheet="Orders",
                date_column="Order Date",
            )
        ],
        goals=[Goal(id="sales2017", title="Sales 2017", deadline=date(2017, 12, 31))],
        kpis=[
            KPI(
                id="sales",
                goal_id="sales2017",
                name="Sales",
                dataset_id="orders",
                measure=Measure(aggregation="sum", column="Sales"),
                unit="currency",
                target=target,
            )
        ],
    )


def _superstore_progress(orders: pd.DataFrame, target: Target) -> KpiProgress:
    card = _superstore_card(target)
    ev = evaluate_scorecard(card, {"orders": orders}, date(2017, 9, 30))
    assert not ev.errors
    (goal,) = goal_progress(ev)
    assert goal.span_start == date(2017, 1, 1)
    (kpi,) = goal.kpis
    assert goal.status == kpi.status
    return kpi


def _by_hand(orders: pd.DataFrame) -> dict[str, float]:
    """Independent figures: plain pandas on the raw rows."""
    day = orders["Order Date"]
    sales = orders["Sales"]

    def total(year: int, months: range) -> float:
        return float(sales[(day.dt.year == year) & day.dt.month.isin(months)].sum())

    jan_sep_2017 = total(2017, range(1, 10))
    jan_sep_2016 = total(2016, range(1, 10))
    oct_dec_2016 = total(2016, range(10, 13))
    # The seasonal forecast: 2017 Jan–Sep actual + 2016's Oct–Dec × (2017 Jan–Sep / 2016 Jan–Sep)
    forecast = jan_sep_2017 + oct_dec_2016 * (jan_sep_2017 / jan_sep_2016)
    return {"ytd": jan_sep_2017, "forecast": forecast}


def test_superstore_sales_2017_easy_target_on_course(orders: pd.DataFrame) -> None:
    hand = _by_hand(orders)
    # 2017 Sales Jan–Sep, as Tableau's sample sums them: between 2016's whole year (609,206)
    # and 2017's whole year (733,215).
    assert 400_000 < hand["ytd"] < 733_215
    kpi = _superstore_progress(orders, Target(value=40_000))
    assert kpi.additive
    assert kpi.cumulative_actual == pytest.approx(hand["ytd"])
    assert kpi.cumulative_target == pytest.approx(9 * 40_000)  # Jan–Sep, 40,000 a month
    assert kpi.target_at_deadline == pytest.approx(12 * 40_000)  # 480,000 for the year
    assert kpi.forecast_method == "seasonal"
    assert kpi.forecast_at_deadline == pytest.approx(hand["forecast"])
    assert kpi.forecast_pct_of_target == pytest.approx(hand["forecast"] / 480_000 * 100)
    assert kpi.status == "on_course"
    assert kpi.left_out == ()
    months = kpi.months.set_index("period")
    assert list(months.index) == [f"2017-{m:02d}" for m in range(1, 13)]
    assert months.loc["2017-09", "cumulative_actual"] == pytest.approx(hand["ytd"])
    assert months.loc["2017-12", "cumulative_forecast"] == pytest.approx(hand["forecast"])
    assert pd.isna(months.loc["2017-10", "actual"])


def test_superstore_sales_2017_impossible_target_off_course(orders: pd.DataFrame) -> None:
    hand = _by_hand(orders)
    # 1.5 M for the year, phased evenly: 125,000 a month; the target to date is 9 of them.
    kpi = _superstore_progress(orders, Target(kind="annual", annual={"2017": 1_500_000}))
    assert kpi.target_at_deadline == pytest.approx(1_500_000)
    assert kpi.cumulative_target == pytest.approx(9 * 125_000)
    assert kpi.forecast_at_deadline == pytest.approx(hand["forecast"])
    assert kpi.status == "off_course"  # far below 1.5 M − 10%
    card = _superstore_card(Target(kind="annual", annual={"2017": 1_500_000}))
    text = progress_text(kpi, card, "en")
    assert text.startswith("Off course: forecast €")
    assert "against €1.5 M at 2017-12-31" in text
    assert "last year's pattern" in text
    nl = progress_text(kpi, card, "nl")
    assert nl.startswith("Uit koers: verwachting € ")
    assert "tegen € 1,5 mln op 31-12-2017" in nl


# -- the methods ---------------------------------------------------------------------------


def test_linear_method_without_a_year_of_history() -> None:
    goal, _ = _progress(
        _card(_kpi(), deadline=date(2025, 12, 31)), _monthly(RISING), date(2025, 6, 30)
    )
    (kpi,) = goal.kpis
    assert kpi.forecast_method == "linear"
    # Jan–Jun: 100+110+120+130+140+150 = 750; the line rises 10 a month, so Jul–Dec are
    # 160, 170, 180, 190, 200, 210 = 1,110; forecast 750 + 1,110 = 1,860.
    assert kpi.cumulative_actual == pytest.approx(750)
    assert kpi.cumulative_target == pytest.approx(900)  # 6 × 150
    assert kpi.target_at_deadline == pytest.approx(1800)  # 12 × 150
    assert kpi.forecast_at_deadline == pytest.approx(1860)
    assert kpi.forecast_pct_of_target == pytest.approx(1860 / 1800 * 100)
    assert kpi.status == "on_course"
    assert kpi.months.set_index("period").loc["2025-07", "forecast"] == pytest.approx(160)


@pytest.mark.parametrize(
    ("monthly_target", "status", "words"),
    [
        # 12 × 160 = 1,920; 1,860 ≥ 1,920 − 192: at risk, (1,920 − 1,860) / 1,920 = 3.1% short
        (160, "at_risk", "At risk: forecast 3% short, €1,860 against €1,920"),
        # 12 × 200 = 2,400; 1,860 < 2,400 − 240: off course, (1,860 − 2,400) / 2,400 = −22.5%
        (200, "off_course", "Off course: forecast €1,860 against €2,400 at 2025-12-31 (−23%"),
    ],
)
def test_status_on_the_forecast(monthly_target: float, status: str, words: str) -> None:
    card = _card(_kpi(target=Target(value=monthly_target)), deadline=date(2025, 12, 31))
    goal, _ = _progress(card, _monthly(RISING), date(2025, 6, 30))
    assert goal.status == status
    assert progress_text(goal, card, "en").startswith(words)


def test_lower_is_better() -> None:
    costs = _monthly({f"2025-{m:02d}": 90.0 for m in range(1, 7)})
    # A flat line: 90 a month, forecast 12 × 90 = 1,080.
    cases = [
        (100, "on_course"),  # 1,080 ≤ 1,200
        (85, "at_risk"),  # 12 × 85 = 1,020; 1,080 ≤ 1,020 + 102
        (80, "off_course"),  # 12 × 80 = 960; 1,080 > 960 + 96
    ]
    for monthly_target, status in cases:
        card = _card(
            _kpi(direction="lower", target=Target(value=monthly_target)),
            deadline=date(2025, 12, 31),
        )
        goal, _ = _progress(card, costs, date(2025, 6, 30))
        assert goal.kpis[0].forecast_at_deadline == pytest.approx(1080)
        assert goal.status == status, monthly_target
    card = _card(_kpi(direction="lower", target=Target(value=85)), deadline=date(2025, 12, 31))
    goal, _ = _progress(card, costs, date(2025, 6, 30))
    # (1,080 − 1,020) / 1,020 = 5.9% over the target
    assert progress_text(goal, card, "en").startswith(
        "At risk: forecast 6% over the target, €1,080 against at most €1,020"
    )
    assert progress_text(goal, card, "nl").startswith(
        "Risico: verwachting 6% boven het doel, € 1.080 tegen hooguit € 1.020"
    )


def test_rate_kpi_latest_average_and_trend() -> None:
    margins = _monthly({f"2025-{m:02d}": 19.0 + m for m in range(1, 7)}, column="Margin")
    kpi = _kpi(
        id="margin",
        name="Margin",
        measure=Measure(aggregation="mean", column="Margin"),
        unit="percent",
        target=Target(value=30),
    )
    card = _card(kpi, deadline=date(2025, 12, 31))
    goal, _ = _progress(card, margins, date(2025, 6, 30))
    (p,) = goal.kpis
    assert not p.additive
    assert p.latest == pytest.approx(25)  # June
    assert p.average == pytest.approx(22.5)  # (20 + 21 + 22 + 23 + 24 + 25) / 6
    assert p.cumulative_actual is None and p.cumulative_target is None
    # +1 point a month: June 25 → December 31, against December's target 30
    assert p.forecast_method == "linear"
    assert p.forecast_at_deadline == pytest.approx(31)
    assert p.target_at_deadline == pytest.approx(30)
    assert p.status == "on_course"
    text = progress_text(p, card, "nl")
    assert text.startswith("Op koers: verwachting 31,0% tegen 30,0% op 31-12-2025 (+3%")
    assert "Laatste waarde 25,0%, gemiddeld 22,5% sinds 01-01-2025." in text
    # A target of 35: 31 < 35 − 3.5 → off course
    card = _card(kpi.model_copy(update={"target": Target(value=35)}), deadline=date(2025, 12, 31))
    goal, _ = _progress(card, margins, date(2025, 6, 30))
    assert goal.status == "off_course"


def test_passed_deadline_reached_or_missed() -> None:
    year = _monthly({f"2024-{m:02d}": 100.0 for m in range(1, 13)})
    # 12 × 100 = 1,200 in 2024.
    card = _card(_kpi(target=Target(value=95)), deadline=date(2024, 12, 31))
    goal, _ = _progress(card, year, date(2024, 12, 31))
    assert goal.status == "reached"  # 1,200 ≥ 12 × 95 = 1,140
    assert goal.kpis[0].forecast_at_deadline == pytest.approx(1200)
    # (1,200 − 1,140) / 1,140 = +5.3%
    assert progress_text(goal, card, "en") == (
        "Reached: €1,200 against €1,140 at 2024-12-31 (+5%)."
    )
    card = _card(_kpi(target=Target(value=110)), deadline=date(2024, 12, 31))
    goal, _ = _progress(card, year, date(2024, 12, 31))
    # 12 × 110 = 1,320; within the 10% tolerance, but a passed deadline is reached or not:
    # (1,200 − 1,320) / 1,320 = −9.1%
    assert goal.status == "missed"
    assert progress_text(goal, card, "nl") == (
        "Niet gehaald: € 1.200 tegen € 1.320 op 31-12-2024 (−9%)."
    )


def test_left_out_periods_are_named() -> None:
    data = _monthly({k: v for k, v in RISING.items() if k != "2025-03"})
    # Targets for Jan–Oct only: Nov and Dec have none.
    per_period = {f"2025-{m:02d}": 150.0 for m in range(1, 11)}
    card = _card(
        _kpi(target=Target(kind="per_period", per_period=per_period)), deadline=date(2025, 12, 31)
    )
    goal, _ = _progress(card, data, date(2025, 6, 30))
    (p,) = goal.kpis
    assert p.no_data_periods == ("2025-03",)
    assert p.no_target_periods == ("2025-11", "2025-12")
    assert p.left_out == ("2025-03", "2025-11", "2025-12")
    assert p.target_at_deadline == pytest.approx(1500)  # 10 × 150: the two months without
    # The months without a target are left out of the forecast too (like with like): the
    # line through Jan, Feb, Apr, May, Jun (100, 110, 130, 140, 150) rises 10 a month, so
    # Jul–Oct are 160 + 170 + 180 + 190 = 700; actual 100 + 110 + 130 + 140 + 150 = 630.
    assert p.cumulative_actual == pytest.approx(630)
    assert p.forecast_at_deadline == pytest.approx(1330)
    text = progress_text(p, card, "en")
    assert "1 month without data left out: Mar 2025." in text
    assert "2 months without a target left out: Nov 2025, Dec 2025." in text
    nl = progress_text(p, card, "nl")
    assert "1 maand zonder data weggelaten: mrt 2025." in nl
    assert "2 maanden zonder doel weggelaten: nov 2025, dec 2025." in nl


def test_partial_last_period_is_projected_and_said() -> None:
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2025-04-10", "2025-05-10", "2025-06-01", "2025-06-15"]),
            "Revenue": [100.0, 100.0, 40.0, 10.0],
        }
    )
    card = _card(_kpi(target=Target(value=100)), deadline=date(2025, 6, 30), start=date(2025, 4, 1))
    goal, _ = _progress(card, data, date(2025, 6, 15))
    (p,) = goal.kpis
    # June: 50 in 15 of 30 days, projected to 100; April and May 100 each.
    assert p.span_start == date(2025, 4, 1)
    assert p.cumulative_actual == pytest.approx(250)
    assert p.cumulative_target == pytest.approx(250)  # 100 + 100 + 100 × 15/30
    assert p.forecast_at_deadline == pytest.approx(300)  # 100 + 100 + 100 projected
    assert p.target_at_deadline == pytest.approx(300)
    assert p.status == "on_course"
    assert "Jun 2025 counted as projected from 15 of its 30 days." in progress_text(p, card, "en")


# -- the shop owner's goal (issue 14) --------------------------------------------------------

# 2024: eleven months of 101,500 and December 101,906.36 = 1,218,406.36;
# 2025: eleven months of 93,850 and December 93,831 = 1,126,181.
SHOP_2024 = {f"2024-{m:02d}": 101_500.0 for m in range(1, 12)} | {"2024-12": 101_906.36}
SHOP_2025 = {f"2025-{m:02d}": 93_850.0 for m in range(1, 12)} | {"2025-12": 93_831.0}


def _shop_card() -> Scorecard:
    # "Omzet 2025 10% hoger dan 2024": each month's target is the same month of 2024 + 10%,
    # 1.1 × 1,218,406.36 = 1,340,247.00 for the year.
    return _card(
        _kpi(name="Omzet", target=Target(kind="growth", growth_pct=10)),
        deadline=date(2025, 12, 31),
    )


def test_shop_owner_goal_missed() -> None:
    card = _shop_card()
    goal, _ = _progress(card, _monthly(SHOP_2024 | SHOP_2025), date(2025, 12, 31))
    (p,) = goal.kpis
    assert p.cumulative_actual == pytest.approx(1_126_181)
    assert p.target_at_deadline == pytest.approx(1_340_246.996)
    assert goal.status == "missed"
    # (1,126,181 − 1,340,247) / 1,340,247 = −15.97%
    assert progress_text(goal, card, "en") == (
        "Missed: €1.13 M against €1.34 M at 2025-12-31 (−16%)."
    )
    assert progress_text(goal, card, "nl") == (
        "Niet gehaald: € 1,13 mln tegen € 1,34 mln op 31-12-2025 (−16%)."
    )


def test_shop_owner_goal_off_course_in_november() -> None:
    card = _shop_card()
    goal, _ = _progress(card, _monthly(SHOP_2024 | SHOP_2025), date(2025, 11, 30))
    (p,) = goal.kpis
    # Run-rate: 2025 Jan–Nov / 2024 Jan–Nov = 1,032,350 / 1,116,500;
    # December forecast = 101,906.36 × that; December's target (no row yet) = 1.1 × 101,906.36.
    rate = 1_032_350 / 1_116_500
    assert p.forecast_method == "seasonal"
    assert p.run_rate == pytest.approx(rate)
    assert p.forecast_at_deadline == pytest.approx(1_032_350 + 101_906.36 * rate)
    assert p.target_at_deadline == pytest.approx(1.1 * 1_218_406.36)
    assert p.cumulative_target == pytest.approx(1.1 * 1_116_500)
    assert goal.status == "off_course"  # about −16%, far beyond the 10% tolerance


# -- goals ---------------------------------------------------------------------------------


def test_goal_is_worst_of_its_kpis_and_names_it() -> None:
    good = _kpi(id="rev", name="Revenue", target=Target(value=100))
    bad = _kpi(id="orders", name="Orders", unit="count", target=Target(value=500))
    card = _card(good, bad, deadline=date(2025, 12, 31))
    goal, _ = _progress(card, _monthly(RISING), date(2025, 6, 30))
    assert [k.status for k in goal.kpis] == ["on_course", "off_course"]
    assert goal.status == "off_course"
    text = progress_text(goal, card, "en")
    assert text.startswith("Orders: Off course: forecast 1,860 against 6,000")
    assert text.endswith("(1 of 2 KPIs on course.)")


def test_goal_without_deadline_or_kpis() -> None:
    card = Scorecard(
        name="T",
        datasets=[Dataset(id="sales", name="Sales", source="s.csv", date_column="Date")],
        goals=[
            Goal(id="g1", title="Someday"),
            Goal(id="g2", title="Empty", deadline=date(2025, 12, 31)),
        ],
    )
    ev = evaluate_scorecard(card, {"sales": _monthly(RISING)})
    first, second = goal_progress(ev)
    assert (first.status, first.kpis) == ("no_target", ())
    assert progress_text(first, card, "en").startswith("No deadline")
    assert (second.status, second.kpis) == ("no_data", ())
    assert progress_text(second, card, "nl") == "Nog geen KPI's meten dit doel."


def test_no_data_in_the_span() -> None:
    card = _card(_kpi(), deadline=date(2026, 12, 31))
    goal, _ = _progress(card, _monthly(RISING), date(2025, 12, 31))
    assert goal.status == "no_data"
    assert progress_text(goal, card, "en") == "No data since 2026-01-01 yet."


def test_format_amount() -> None:
    assert format_amount(1_340_247, "currency", "en") == "€1.34 M"
    assert format_amount(1_200_000, "currency", "nl") == "€ 1,2 mln"
    assert format_amount(2_000_000, "count", "en") == "2 M"
    assert format_amount(12_345.6, "currency", "nl") == "€ 12.346"
    assert format_amount(12.5, "percent", "nl") == "12,5%"
    assert format_signed_pct(-15.97, "nl") == "−16%"
    assert format_signed_pct(0.46, "en") == "+0.5%"
    assert format_signed_pct(0.0, "en") == "0%"


# -- Goal.start in the scorecard -------------------------------------------------------------


def test_goal_start_round_trips_and_is_validated(tmp_path: Path) -> None:
    card = _card(_kpi(), deadline=date(2025, 12, 31), start=date(2025, 4, 1))
    again = Scorecard.from_json(card.to_json())
    assert again.goals[0].start == date(2025, 4, 1)
    assert json.loads(card.to_json())["goals"][0]["start"] == "2025-04-01"
    # Unset, it is not written: files read as before.
    unset = _card(_kpi(), deadline=date(2025, 12, 31))
    assert "start" not in json.loads(unset.to_json())["goals"][0]
    raw = json.loads(card.to_json())
    raw["goals"][0]["start"] = "2026-01-01"
    with pytest.raises(ScorecardError, match="start"):
        Scorecard.from_dict(raw)
    assert "start" in Scorecard.model_json_schema()["$defs"]["Goal"]["properties"]


# -- the reports -----------------------------------------------------------------------------


def _shop_evaluation() -> tuple[Scorecard, Any]:
    card = _shop_card()
    return card, evaluate_scorecard(card, {"sales": _monthly(SHOP_2024 | SHOP_2025)}, NOVEMBER)


NOVEMBER = date(2025, 11, 30)


def test_excel_goals_sheet_shows_progress_and_forecast() -> None:
    import io

    import openpyxl

    from kpilogic.present.report import report_xlsx

    _, ev = _shop_evaluation()
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx(ev, "nl")))
    ws = wb["Doelen"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    title = next(i for i, r in enumerate(rows) if r[0] == "Voortgang naar de deadline")
    header = rows[title + 2]
    assert header[:2] == ["Doel", "KPI"]
    assert "Verwachting op deadline" in header
    goal_row, kpi_row = rows[title + 3], rows[title + 4]
    kpi = dict(zip(header, kpi_row, strict=False))
    assert kpi["KPI"] == "Omzet"
    assert kpi["Realisatie tot nu toe"] == pytest.approx(1_032_350)  # Jan–Nov 2025
    assert kpi["Doel op deadline"] == pytest.approx(1.1 * 1_218_406.36)
    rate = 1_032_350 / 1_116_500
    assert kpi["Verwachting op deadline"] == pytest.approx(1_032_350 + 101_906.36 * rate)
    assert kpi["Methode verwachting"] == "Seizoen (vorig jaar × tempo dit jaar)"
    assert kpi["Status"] == "Uit koers"
    assert str(kpi["Waarom"]).startswith("Uit koers: verwachting € 1,13 mln tegen € 1,34 mln")
    assert goal_row[0] == "Grow" and goal_row[1] in ("", None)
    assert "Uit koers" in goal_row


def test_pdf_shows_goal_progress(tmp_path: Path) -> None:
    from kpilogic.present.report_pdf import report_pdf
    from tests.test_report_pdf import _text

    _, ev = _shop_evaluation()
    text = _text(report_pdf(ev, "en"), tmp_path)
    assert "Goals: on course for the deadline?" in text
    # forecast 1,126,575.6 against 1,340,247: −15.9%
    assert "Off course: forecast €1.13 M against €1.34 M at 2025-12-31 (−16%" in text
    nl = _text(report_pdf(ev, "nl"), tmp_path)
    assert "Doelen: op koers voor de deadline?" in nl
    assert "Uit koers: verwachting € 1,13 mln tegen € 1,34 mln" in nl


@pytest.mark.parametrize("cadence", ["week", "month", "quarter", "year"])
@pytest.mark.parametrize("fiscal_start", [1, 4])
def test_every_cadence_and_fiscal_year_gives_a_verdict_and_words(
    cadence: str, fiscal_start: int
) -> None:
    """Daily data over 2024 and most of 2025: every cadence gets a span, a forecast method and
    a sentence in both languages, for an evaluation date before, inside and after the span."""
    days = pd.date_range("2024-01-01", "2025-08-15", freq="D")
    data = pd.DataFrame({"Date": days, "Revenue": 10.0, "Margin": 30.0})
    revenue = _kpi(cadence=cadence, target=Target(kind="annual", annual={"2025": 3650}))
    margin = _kpi(
        id="margin",
        name="Margin",
        cadence=cadence,
        measure=Measure(aggregation="mean", column="Margin"),
        unit="percent",
        direction="range",
        target=Target(low=25, high=35),
    )
    card = _card(revenue, margin, deadline=date(2025, 12, 31)).model_copy(
        update={"fiscal_year_start_month": fiscal_start}
    )
    for as_of in (date(2023, 6, 1), date(2025, 8, 15), date(2026, 2, 1)):
        ev = evaluate_scorecard(card, {"sales": data}, as_of)
        (goal,) = goal_progress(ev, as_of)
        for p in goal.kpis:
            assert p.status in PROGRESS_STATUSES
            assert list(p.months.columns)[:3] == ["period", "period_start", "actual"]
            for lang in ("en", "nl"):
                assert progress_text(p, card, lang).strip()
        if as_of.year == 2023:
            assert goal.status == "no_data"
    # 10 a day at a yearly target of 3,650 = 10 a day: on course through the year (fiscal
    # years shift the span, the rate stays the same).
    ev = evaluate_scorecard(card, {"sales": data}, date(2025, 8, 15))
    (goal,) = goal_progress(ev)
    revenue_progress = goal.kpis[0]
    if cadence == "year":  # the deadline's own period is running: its projection is all
        assert revenue_progress.forecast_method == "none"
        assert revenue_progress.partial_projected
    else:
        assert revenue_progress.forecast_method in ("seasonal", "linear")
    assert revenue_progress.forecast_pct_of_target == pytest.approx(100, abs=3)


def test_a_running_period_too_early_to_project_is_named() -> None:
    data = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2025-04-10", "2025-05-10", "2025-06-01", "2025-06-03"]),
            "Revenue": [100.0, 100.0, 100.0, 5.0],
        }
    )
    card = _card(_kpi(target=Target(value=100)), deadline=date(2025, 6, 30), start=date(2025, 4, 1))
    goal, _ = _progress(card, data, date(2025, 6, 3))
    (p,) = goal.kpis
    # June: 3 of 30 days is under a quarter of the month, too early to project; April and
    # May are two points, too few for a line (3 needed) and there is no last year: no
    # forecast, judged on the pace: 305 against 100 + 100 + 100 × 3/30 = 210 so far, +45%.
    assert not p.partial_projected
    assert p.forecast_method == "none" and p.forecast_at_deadline is None
    assert p.cumulative_actual == pytest.approx(305)
    assert p.cumulative_target == pytest.approx(210)
    assert p.status == "on_course"
    text = progress_text(p, card, "en")
    assert text.startswith("On course so far: €305.00 against €210.00 to date (+45%)")
    assert "Jun 2025 is still running (3 of its 30 days): not projected." in text
