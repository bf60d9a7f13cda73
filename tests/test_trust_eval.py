"""Issue 12, evaluation semantics: numbers you can trust on real exports.

Each messy case as a small generated workbook (or table), with the expected numbers
worked out by hand in the comments: a missing formula input, a quiet last day, one day of
a month, a distinct count in half a month, fiscal-year target keys, targets that are not
finite numbers; and their messages in both languages.
"""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook

from kpilogic.cli import main
from kpilogic.engine.evaluate import complete_through, evaluate_scorecard, unmatched_targets
from kpilogic.errors import ScorecardError
from kpilogic.scorecard.explain import explain_reason, left_out_note, status_badge, status_label
from kpilogic.scorecard.model import Scorecard
from kpilogic.scorecard.status import STATUSES, STYLES, worst
from kpilogic.workspace.service import evaluate_files


def _card(
    measure: dict[str, Any],
    target: dict[str, Any] | None = None,
    *,
    fs: int = 1,
    cadence: str = "month",
    unit: str = "number",
    dataset: dict[str, Any] | None = None,
    kpis: list[dict[str, Any]] | None = None,
) -> Scorecard:
    kpi = {
        "id": "k",
        "goal_id": "g",
        "name": "KPI",
        "dataset_id": "d",
        "measure": measure,
        "unit": unit,
        "target": target,
        "cadence": cadence,
    }
    return Scorecard.model_validate(
        {
            "name": "Issue 12",
            "fiscal_year_start_month": fs,
            "datasets": [
                {
                    "id": "d",
                    "name": "Verkoop",
                    "source": "verkoop.xlsx",
                    "sheet": "Verkoop",
                    "date_column": "Datum",
                    **(dataset or {}),
                }
            ],
            "goals": [{"id": "g", "title": "Marge"}],
            "kpis": kpis or [kpi],
        }
    )


def _workbook(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Verkoop"
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _total(evaluation: Any, kpi_id: str = "k") -> pd.DataFrame:
    return evaluation.kpi_rows(kpi_id).set_index("period")


# -- 2. a missing value inside a formula -------------------------------------------------------

MARGIN = "(sum(Omzet) - sum(Kosten)) / sum(Omzet) * 100"
MARGIN_ROWS = [
    [datetime(2026, 3, 2), 1000, 660],
    [datetime(2026, 3, 10), 1200, 800],
    [datetime(2026, 3, 20), 400, "#N/A"],  # Excel's "not available": no Kosten on this row
    [datetime(2026, 3, 31), 800, 517],
]


def test_a_missing_formula_input_leaves_its_row_out_of_every_aggregation() -> None:
    files = {"verkoop.xlsx": _workbook(["Datum", "Omzet", "Kosten"], MARGIN_ROWS)}
    card = _card({"formula": MARGIN}, {"low": 30, "high": 45}, unit="percent")
    card = card.model_copy(
        update={"kpis": [card.kpis[0].model_copy(update={"direction": "range"})]}
    )
    evaluation = evaluate_files(card, files)
    march = _total(evaluation).loc["2026-03"]
    # Complete rows only: Omzet 1000 + 1200 + 800 = 3000, Kosten 660 + 800 + 517 = 1977;
    # (3000 − 1977) / 3000 × 100 = 1023 / 30 = 34.1 %. Counting the #N/A row's Omzet (and
    # its Kosten as nothing) would give (3400 − 1977) / 3400 = 41.9 %.
    assert march["actual"] == pytest.approx(34.1)
    assert march["rows"] == 3
    assert march["incomplete_rows"] == 1
    assert march["incomplete_columns"] == "Kosten"
    row = evaluation.kpi_rows("k").iloc[-1].to_dict()  # the detail row, as pages get it
    assert left_out_note(row, "en") == ("1 row in Mar 2026 has no Kosten; left out of this figure.")
    assert left_out_note(row, "nl") == (
        "1 rij in mrt 2026 heeft geen Kosten; buiten dit cijfer gelaten."
    )
    # The reliability score says so too: 5 + ceil(100 × 1 / 4) = 30, capped at 20.
    assert evaluation.quality is not None
    quality = evaluation.quality.kpis["k"]
    finding = next(f for f in quality.findings if f.key == "quality.left_out")
    assert finding.penalty == 20
    assert finding.params["count"] == 1 and finding.params["periods"] == "2026-03"
    assert quality.score == 100 - sum(f.penalty for f in quality.findings)
    assert int(march["reliability"]) == quality.score
    assert "left out of the figure because Kosten was empty" in finding.message("en")
    assert "buiten het cijfer gelaten omdat Kosten daar leeg was" in finding.message("nl")


def test_one_column_aggregations_keep_ignoring_empty_cells() -> None:
    files = {"verkoop.xlsx": _workbook(["Datum", "Omzet", "Kosten"], MARGIN_ROWS)}
    card = _card({"aggregation": "sum", "column": "Kosten"})
    march = _total(evaluate_files(card, files)).loc["2026-03"]
    # 660 + 800 + 517 = 1977; the #N/A cell is skipped, no row is reported left out
    assert march["actual"] == pytest.approx(1977.0)
    assert march["incomplete_rows"] == 0
    assert left_out_note(march.to_dict(), "en") is None


def test_the_command_line_names_the_rows_a_formula_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "verkoop.xlsx").write_bytes(_workbook(["Datum", "Omzet", "Kosten"], MARGIN_ROWS))
    card = _card({"formula": MARGIN}, {"value": 35}, unit="percent")
    (tmp_path / "card.json").write_text(card.to_json(), encoding="utf-8")
    out = tmp_path / "out.json"
    argv = ["evaluate", str(tmp_path / "verkoop.xlsx"), "--scorecard", str(tmp_path / "card.json")]
    assert main([*argv, "--out", str(out), "--lang", "nl"]) == 0
    err = capsys.readouterr().err
    assert "KPI 'k': 1 rij in 2026-03 heeft geen Kosten; buiten het cijfer gelaten." in err
    record = json.loads(out.read_text(encoding="utf-8"))["summary"][0]
    assert record["actual"] == pytest.approx(34.1)  # as above
    assert record["status"] == "at_risk"  # 34.1 < 35, within 10% (3.5) of it


# -- 5. completeness of periods ----------------------------------------------------------------

# Revenue per day in December 2017; the shop was closed on Sunday the 31st.
DECEMBER = [[datetime(2017, 12, d), 100] for d in (1, 10, 20, 30)]


def test_a_quiet_last_day_does_not_make_december_partial_with_as_of(tmp_path: Path) -> None:
    files = {"verkoop.xlsx": _workbook(["Datum", "Omzet"], DECEMBER)}
    card = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 400})
    rows = _total(evaluate_files(card, files, date(2018, 1, 31)))
    december = rows.loc["2017-12"]
    # as-of 31 January: December is over, so complete; 4 × 100 = 400 meets 400
    assert not bool(december["partial"])
    assert math.isnan(december["projected"])
    assert december["status"] == "on_track"
    assert december["pct_of_target"] == pytest.approx(100.0)
    assert rows.loc["2018-01", "status"] == "no_data"  # nothing in January yet
    # Far past the data (a year later): December is still complete, not projected.
    later = _total(evaluate_files(card, files, date(2018, 12, 31))).loc["2017-12"]
    assert not bool(later["partial"]) and later["status"] == "on_track"


def test_without_as_of_the_data_end_decides_and_complete_through_overrides_it(
    tmp_path: Path,
) -> None:
    files = {"verkoop.xlsx": _workbook(["Datum", "Omzet"], DECEMBER)}
    card = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 400})
    december = _total(evaluate_files(card, files)).loc["2017-12"]
    # data ends on the 30th: 30 of 31 days, projected 400 / (30 / 31) = 413.33
    assert bool(december["partial"])
    assert december["projected"] == pytest.approx(400 * 31 / 30)
    # "The data is complete through 31-12-2017": December is complete
    card_31 = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"value": 400},
        dataset={"complete_through": "2017-12-31"},
    )
    complete = _total(evaluate_files(card_31, files)).loc["2017-12"]
    assert not bool(complete["partial"]) and math.isnan(complete["projected"])
    # the same through the command line's --complete-through
    (tmp_path / "verkoop.xlsx").write_bytes(files["verkoop.xlsx"])
    (tmp_path / "card.json").write_text(card.to_json(), encoding="utf-8")
    out = tmp_path / "out.json"
    argv = ["evaluate", str(tmp_path / "verkoop.xlsx"), "--scorecard", str(tmp_path / "card.json")]
    assert main([*argv, "--out", str(out), "--complete-through", "2017-12-31"]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))["summary"][-1]
    assert record["period"] == "2017-12" and record["partial"] is False
    assert record["projected"] is None


def test_complete_through_rule() -> None:
    # the user's date wins, but never past as-of; else as-of; else the data end
    assert complete_through(date(2017, 12, 31), None, date(2017, 12, 30)) == date(2017, 12, 31)
    assert complete_through(date(2017, 12, 31), date(2017, 12, 15), None) == date(2017, 12, 15)
    assert complete_through(None, date(2018, 1, 31), date(2017, 12, 30)) == date(2018, 1, 31)
    assert complete_through(None, None, date(2017, 12, 30)) == date(2017, 12, 30)


def _daily(days: list[date], values: list[float], ids: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"Datum": pd.to_datetime(days), "Omzet": values})
    if ids is not None:
        frame["Order"] = ids
    return frame


def test_one_day_of_a_month_is_too_early_to_judge() -> None:
    data = _daily([date(2026, 2, 10), date(2026, 3, 1)], [1000.0, 40.0])
    card = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 1000})
    rows = _total(evaluate_scorecard(card, {"d": data}))
    march = rows.loc["2026-03"]
    # 1 of 31 days = 3.2% < 25%: too early; the actual (40) is shown, not ×31 projected
    assert march["status"] == "too_early"
    assert bool(march["partial"])
    assert march["actual"] == pytest.approx(40.0)
    assert math.isnan(march["projected"])
    assert math.isnan(march["pct_of_target"]) and math.isnan(march["gap"])
    assert math.isnan(march["change_prev_pct"])
    assert march["covered_days"] == 1
    # year to date: 1000 + 40; target 1000 + 1000 × 1/31 for the day covered
    assert march["ytd_actual"] == pytest.approx(1040.0)
    assert march["ytd_target"] == pytest.approx(1000 + 1000 / 31)
    reason = march["reason"]
    assert explain_reason(reason, "currency", "en") == (
        "€40.00 so far: the data covers 1 of the period's 31 days, too few to judge "
        "(at least 25% is needed)."
    )
    assert explain_reason(reason, "currency", "nl") == (
        "€ 40,00 tot nu toe: de gegevens beslaan 1 van de 31 dagen van de periode, te "
        "weinig om te beoordelen (minstens 25% is nodig)."
    )


@pytest.mark.parametrize(
    ("last_day", "status", "projected"),
    [
        (date(2026, 2, 6), "too_early", None),  # 6 of 28 days = 21.4%
        (date(2026, 2, 7), "off_track", 70 / (7 / 28)),  # 7 of 28 = 25%: 280 < 1000 − 100
        (date(2026, 2, 14), "off_track", 70 / (14 / 28)),  # 140
    ],
)
def test_the_projection_needs_a_quarter_of_the_period(
    last_day: date, status: str, projected: float | None
) -> None:
    data = _daily([date(2026, 1, 20), date(2026, 2, 1), last_day], [1000.0, 30.0, 40.0])
    card = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 1000})
    feb = _total(evaluate_scorecard(card, {"d": data})).loc["2026-02"]
    assert feb["status"] == status
    if projected is None:
        assert math.isnan(feb["projected"])
    else:
        assert feb["projected"] == pytest.approx(projected)


def test_a_distinct_count_in_half_a_month_is_in_progress() -> None:
    days = [date(2026, 2, 20), date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 15)]
    data = _daily(days, [500.0, 100.0, 200.0, 300.0], ["A1", "B1", "B1", "C1"])
    orders = {
        "id": "orders",
        "goal_id": "g",
        "name": "Orders",
        "dataset_id": "d",
        "measure": {"aggregation": "count_distinct", "column": "Order"},
        "target": {"value": 5},
    }
    revenue = {
        "id": "revenue",
        "goal_id": "g",
        "name": "Omzet",
        "dataset_id": "d",
        "measure": {"aggregation": "sum", "column": "Omzet"},
        "target": {"value": 1000},
    }
    card = _card({}, kpis=[orders, revenue])
    evaluation = evaluate_scorecard(card, {"d": data})
    march = _total(evaluation, "orders").loc["2026-03"]
    # 15 of 31 days; distinct orders B1, C1 = 2: shown, not judged against the month's 5
    assert march["status"] == "in_progress"
    assert march["actual"] == pytest.approx(2.0)
    assert math.isnan(march["projected"]) and math.isnan(march["pct_of_target"])
    assert march["target"] == pytest.approx(5.0)
    # revenue for the same half month is judged on its projection: 600 / (15 / 31) = 1240
    rev = _total(evaluation, "revenue").loc["2026-03"]
    assert rev["projected"] == pytest.approx(1240.0)
    assert rev["status"] == "on_track"
    assert explain_reason(march["reason"], "count", "en").startswith("2 so far (15 of 31 days)")
    assert explain_reason(march["reason"], "count", "nl").startswith(
        "2 tot nu toe (15 van 31 dagen)"
    )
    # A goal with one KPI in progress and one on track is "in progress", its health 50%.
    goal = evaluation.goal_statuses()[0]
    assert goal.status == "in_progress" and goal.health == pytest.approx(0.5)


# -- statuses ----------------------------------------------------------------------------------


def test_new_statuses_are_defined_once_with_label_icon_and_colour() -> None:
    assert "too_early" in STATUSES and "in_progress" in STATUSES
    assert status_label("too_early", "en") == "Too early to judge"
    assert status_label("too_early", "nl") == "Te vroeg om te beoordelen"
    assert status_label("in_progress", "en") == "In progress"
    assert status_label("in_progress", "nl") == "Loopt nog"
    assert status_badge("in_progress", "nl") == "🔄 Loopt nog"
    colours = [STYLES[s].color for s in STATUSES]
    assert len(set(colours)) == len(colours)  # every status its own colour
    # roll-up order: off › at risk › no data › no target › too early › in progress › on track
    order = ["off_track", "at_risk", "no_data", "no_target", "too_early", "in_progress"]
    for worse, better in zip(order, [*order[1:], "on_track"], strict=True):
        assert worst([better, worse]) == worse  # type: ignore[list-item]


# -- 7. targets that match nothing, targets that are not numbers -------------------------------


def test_a_fiscal_year_accepts_the_calendar_year_it_starts_in() -> None:
    # Fiscal year from April: "2017" means FY2017/18 (April 2017 – March 2018).
    card = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"kind": "annual", "annual": {"2017": 1200}},
        fs=4,
    )
    assert unmatched_targets(card) == []
    data = _daily([date(2017, 4, 10), date(2017, 5, 31)], [90.0, 120.0])
    rows = _total(evaluate_scorecard(card, {"d": data}))
    # 1200 phased evenly: 100 a month
    assert rows.loc["2017-04", "target"] == pytest.approx(100.0)
    assert rows.loc["2017-04", "status"] == "at_risk"  # 90 ≥ 100 − 10
    assert rows.loc["2017-05", "target"] == pytest.approx(100.0)
    quarterly = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"kind": "per_period", "per_period": {"2017-Q1": 300, "FY2017/18-Q2": 400}},
        fs=4,
        cadence="quarter",
    )
    assert unmatched_targets(quarterly) == []
    q = _total(evaluate_scorecard(quarterly, {"d": data}))
    assert q.loc["FY2017/18-Q1", "target"] == pytest.approx(300.0)  # via "2017-Q1"


def test_target_keys_that_match_no_period_are_named_with_what_would_match() -> None:
    card = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"kind": "per_period", "per_period": {"2026-03": 10, "2026-Q1": 30, "2026-13": 5}},
    )
    found = {u.key: u for u in unmatched_targets(card)}
    assert set(found) == {"2026-Q1", "2026-13"}
    # a quarter on a monthly KPI: its months would match
    assert found["2026-Q1"].expected == ("2026-01", "2026-02", "2026-03")
    assert found["2026-13"].expected == ("2026-03",)  # no such month: the shape to use
    assert found["2026-Q1"].message("en") == (
        "KPI 'KPI': the per_period target '2026-Q1' matches no period and is never used; "
        "use a label such as 2026-01, 2026-02, 2026-03."
    )
    assert found["2026-Q1"].message("nl") == (
        "KPI 'KPI': de doelwaarde '2026-Q1' (per_period) past bij geen enkele periode en "
        "wordt nooit gebruikt; gebruik een label zoals 2026-01, 2026-02, 2026-03."
    )
    # A fiscal label where the year is a calendar year: "FY2016/17" names 2016.
    calendar = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"kind": "annual", "annual": {"FY2016/17": 1200}},
    )
    (problem,) = unmatched_targets(calendar)
    assert problem.field == "annual" and problem.expected == ("2016",)


def test_the_command_line_refuses_unmatched_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"kind": "annual", "annual": {"FY2016/17": 1200}},
    )
    (tmp_path / "verkoop.xlsx").write_bytes(_workbook(["Datum", "Omzet"], DECEMBER))
    (tmp_path / "card.json").write_text(card.to_json(), encoding="utf-8")
    out = tmp_path / "out.csv"
    argv = ["evaluate", str(tmp_path / "verkoop.xlsx"), "--scorecard", str(tmp_path / "card.json")]
    assert main([*argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the annual target 'FY2016/17' matches no period" in err
    assert "use a label such as 2016" in err
    assert "1 target key matches no period" in err
    assert not out.exists()  # nothing written
    assert main([*argv, "--out", str(out), "--lang", "nl"]) == 1
    assert "past bij geen enkele periode" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ('{"value": NaN}', "finite number"),
        ('{"value": Infinity}', "finite number"),
        ('{"value": true}', "not true or false"),
        ('{"kind": "per_period", "per_period": {"2026-03": NaN}}', "finite number"),
        ('{"kind": "annual", "annual": {"2026": -Infinity}}', "finite number"),
        ('{"kind": "growth", "growth_pct": NaN}', "finite number"),
        ('{"low": NaN, "high": 5}', "finite number"),
    ],
)
def test_targets_must_be_finite_numbers(target: str, says: str) -> None:
    text = (
        '{"name": "x", "datasets": [{"id": "d", "name": "D", "source": "d.csv",'
        ' "date_column": "Datum"}], "goals": [{"id": "g", "title": "G"}],'
        ' "kpis": [{"id": "k", "goal_id": "g", "name": "K", "dataset_id": "d",'
        ' "measure": {"aggregation": "sum", "column": "Omzet"}, "target": ' + target + "}]}"
    )
    with pytest.raises(ScorecardError) as info:
        Scorecard.from_json(text)
    assert says in info.value.message("en")
    assert "target" in info.value.message("nl")  # the field is named in Dutch text too


def test_complete_through_is_optional_and_old_files_read_as_before() -> None:
    card = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 1})
    assert "complete_through" not in card.to_json()  # not written while unset
    dated = _card(
        {"aggregation": "sum", "column": "Omzet"},
        {"value": 1},
        dataset={"complete_through": "2017-12-31"},
    )
    again = Scorecard.from_json(dated.to_json())
    assert again.datasets[0].complete_through == date(2017, 12, 31)
    schema = json.dumps(Scorecard.model_json_schema())
    assert "complete through this date" in schema
    assert "the calendar year the fiscal year starts in" in schema


def test_a_period_too_early_to_judge_is_no_point_of_the_forecast() -> None:
    days = [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 1)]
    data = _daily(days, [100.0, 200.0, 300.0, 5.0])
    raw = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 500}).model_dump()
    raw["goals"][0]["deadline"] = date(2026, 6, 30)
    card = Scorecard.model_validate(raw)
    evaluation = evaluate_scorecard(card, {"d": data})
    assert _total(evaluation).loc["2026-04", "status"] == "too_early"  # 1 of 30 days
    forecast = evaluation.forecasts["k"]
    # the trend over January–March only: 100, 200, 300 → +100 a month → June 600
    assert forecast.points == 3
    assert forecast.period == "2026-06"
    assert forecast.value == pytest.approx(600.0)
    assert forecast.reaches is True  # 600 ≥ 500


def test_a_period_with_only_left_out_rows_is_listed_and_named() -> None:
    # February has Omzet but no Kosten on its only row; March is complete.
    data = pd.DataFrame(
        {
            "Datum": pd.to_datetime(["2026-02-10", "2026-03-05", "2026-03-31"]),
            "Omzet": [500.0, 1000.0, 1000.0],
            "Kosten": [None, 700.0, 600.0],
        }
    )
    card = _card({"formula": MARGIN}, {"value": 30})
    evaluation = evaluate_scorecard(card, {"d": data})
    rows = _total(evaluation)
    assert list(rows.index) == ["2026-02", "2026-03"]  # February is not dropped silently
    assert rows.loc["2026-02", "status"] == "no_data"  # no complete row to measure
    assert rows.loc["2026-02", "incomplete_rows"] == 1
    # March: (2000 − 1300) / 2000 × 100 = 35
    assert rows.loc["2026-03", "actual"] == pytest.approx(35.0)
    assert evaluation.quality is not None
    finding = next(f for f in evaluation.quality.kpis["k"].findings if f.key == "quality.left_out")
    # 1 of 3 rows: 5 + ceil(100 / 3) = 39, capped at 20
    assert finding.params["periods"] == "2026-02" and finding.penalty == 20


def test_target_tables_the_kpi_never_reads_are_named() -> None:
    # A range KPI is judged on low and high: its per-period table is never read.
    ranged = _card(
        {"aggregation": "mean", "column": "Omzet"},
        {"low": 1, "high": 5, "per_period": {"2026-03": 3}},
    )
    ranged = ranged.model_copy(
        update={"kpis": [ranged.kpis[0].model_copy(update={"direction": "range"})]}
    )
    (problem,) = unmatched_targets(ranged)
    assert (problem.field, problem.key, problem.unused_by) == ("per_period", "2026-03", "range")
    assert "a range KPI is judged on its low and high bounds" in problem.message("en")
    assert "bandbreedte" in problem.message("nl")
    # A constant target ignores an annual table written beside it.
    mixed = _card({"aggregation": "sum", "column": "Omzet"}, {"value": 5, "annual": {"2026": 60}})
    (problem,) = unmatched_targets(mixed)
    assert problem.unused_by == "constant"
    assert problem.message("en") == (
        "KPI 'KPI': the annual target '2026' is never used: the KPI's target is of the kind "
        "'constant'."
    )


def test_columns_filled_on_different_rows_are_not_pairs() -> None:
    # Order lines with the day's visits on the first line only: Visits is on 1 of the 3 rows
    # that have an order or visits (less than half), so the columns are not filled
    # together and each is aggregated over its own cells: 2 orders / 100 visits × 100 = 2.
    data = pd.DataFrame(
        {
            "Datum": pd.to_datetime(["2026-01-05", "2026-01-05", "2026-01-31"]),
            "Order": ["A", "A", "B"],
            "Visits": [100.0, None, None],
        }
    )
    card = _card({"formula": "count_distinct(Order) / sum(Visits) * 100"}, {"value": 2})
    january = _total(evaluate_scorecard(card, {"d": data})).loc["2026-01"]
    assert january["actual"] == pytest.approx(2.0)
    assert january["incomplete_rows"] == 0
