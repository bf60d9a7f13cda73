"""The sample: deterministic, equal to the committed files, realistic, and a complete scorecard."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from kpilogic.sample import (
    REVENUE_PLAN,
    SAMPLE_SCORECARD,
    SAMPLE_SCORECARD_NL,
    SAMPLE_WORKBOOK,
    SHEETS,
    build_workbook,
    sample_frames,
    sample_scorecard,
    workbook_bytes,
    write_sample,
)
from kpilogic.scorecard.model import KPI, Scorecard
from tests.conftest import SAMPLE_DIR

REGENERATE = "run `.venv/bin/python sample_data/make_sample.py` and commit the result"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return sample_frames()


@pytest.fixture(scope="module")
def card() -> Scorecard:
    return sample_scorecard()


@pytest.fixture(scope="module")
def small(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The first rows of every sheet: enough to check how the workbook is written."""
    return {name: frame.head(30) for name, frame in frames.items()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("sample")
    write_sample(directory)
    return directory


def _sheet_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def _columns(kpi: KPI) -> set[str]:
    """Every data column a KPI reads (measure, filters, segment, target column)."""
    measure = kpi.measure
    cols: set[str] = set()
    if measure.formula:
        for arg in re.findall(r"[A-Za-z_]+\(([^()]*)\)", measure.formula):
            name = arg.strip().removeprefix("[").removesuffix("]").strip()
            if name:
                cols.add(name)
    elif measure.column:
        cols.add(measure.column)
    cols |= {f.column for f in kpi.filters}
    if kpi.segment_column:
        cols.add(kpi.segment_column)
    if kpi.target is not None and kpi.target.column:
        cols.add(kpi.target.column)
    return cols


# -- determinism and the committed files ---------------------------------------------------


def test_frames_are_deterministic(frames: dict[str, pd.DataFrame]) -> None:
    again = sample_frames()
    assert list(again) == list(SHEETS)
    for name in SHEETS:
        pd.testing.assert_frame_equal(frames[name], again[name])


def test_another_seed_gives_other_data(frames: dict[str, pd.DataFrame]) -> None:
    other = sample_frames(seed=7)
    assert not other["Orders"]["Revenue"].equals(frames["Orders"]["Revenue"])


def test_workbook_bytes_are_reproducible(small: dict[str, pd.DataFrame]) -> None:
    first = workbook_bytes(build_workbook(small))
    assert workbook_bytes(build_workbook(small)) == first


def test_write_sample_writes_the_workbook_and_both_scorecards(fresh: Path) -> None:
    expected = [SAMPLE_WORKBOOK, SAMPLE_SCORECARD, SAMPLE_SCORECARD_NL]
    assert sorted(p.name for p in fresh.iterdir()) == sorted(expected)
    assert Scorecard.from_json((fresh / SAMPLE_SCORECARD).read_text(encoding="utf-8"))
    assert Scorecard.from_json((fresh / SAMPLE_SCORECARD_NL).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [SAMPLE_SCORECARD, SAMPLE_SCORECARD_NL])
def test_committed_scorecard_is_what_the_code_makes(fresh: Path, name: str) -> None:
    committed = (SAMPLE_DIR / name).read_text(encoding="utf-8")
    assert committed == (fresh / name).read_text(encoding="utf-8"), REGENERATE


def test_the_dutch_sample_has_every_text_in_dutch_and_the_same_mapping() -> None:
    en, nl = sample_scorecard("en"), sample_scorecard("nl")
    # Texts that read the same in both languages: a name and a loanword.
    same = {"Marketing", "Eva Jansen (marketing)"}
    pairs = [(en.description, nl.description)]
    pairs += [(a.name, b.name) for a, b in zip(en.datasets, nl.datasets, strict=True)]
    for a, b in zip(en.goals, nl.goals, strict=True):
        pairs += [(a.title, b.title), (a.why, b.why), (a.owner, b.owner)]
    for a, b in zip(en.kpis, nl.kpis, strict=True):
        pairs += [(a.name, b.name), (a.why, b.why), (a.owner, b.owner), (a.action, b.action)]
    untranslated = [a for a, b in pairs if a == b and a not in same]
    assert untranslated == []
    assert len(pairs) == 1 + 4 + 5 * 3 + 13 * 4
    # Everything that maps the data is identical: ids, sheets, columns, measures, targets.
    strip = {"description": True, "datasets": {"__all__": {"name"}}}
    strip |= {"goals": {"__all__": {"title", "why", "owner"}}}
    strip |= {"kpis": {"__all__": {"name", "why", "owner", "action"}}}
    assert en.model_dump(exclude=strip) == nl.model_dump(exclude=strip)


def test_committed_workbook_is_what_the_code_makes(frames: dict[str, pd.DataFrame]) -> None:
    committed = _sheet_values(SAMPLE_DIR / SAMPLE_WORKBOOK)
    assert list(committed) == list(SHEETS), REGENERATE
    for name, frame in frames.items():
        rows = committed[name]
        assert rows[0] == tuple(frame.columns), f"{name}: {REGENERATE}"
        assert len(rows) - 1 == len(frame), f"{name}: {REGENERATE}"
        expected = [
            tuple(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row)
            for row in frame.itertuples(index=False)
        ]
        assert rows[1:] == expected, f"{name}: {REGENERATE}"


def test_committed_workbook_is_small() -> None:
    assert (SAMPLE_DIR / SAMPLE_WORKBOOK).stat().st_size < 3 * 1024 * 1024


# -- the workbook ----------------------------------------------------------------------------


def test_workbook_is_formatted_like_a_real_export(small: dict[str, pd.DataFrame]) -> None:
    wb = load_workbook(io.BytesIO(workbook_bytes(build_workbook(small))))
    assert wb.sheetnames == list(SHEETS)
    assert wb.properties.created == wb.properties.modified == datetime(2026, 11, 21, 8, 0)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(cell.font.bold for cell in ws[1]), ws.title
        assert all(ws.column_dimensions[c].width >= 8 for c in "AB"), ws.title
    orders = wb["Orders"]
    assert [c.value for c in orders[1]] == [
        "Date", "Order ID", "Customer ID", "Channel", "Region", "Category", "Revenue", "Cost",
    ]  # fmt: skip
    date_cell, revenue_cell = orders["A2"], orders["G2"]
    assert isinstance(date_cell.value, datetime) and date_cell.is_date
    assert date_cell.number_format == "yyyy-mm-dd"
    assert isinstance(revenue_cell.value, float)
    assert revenue_cell.number_format == "#,##0.00"
    assert isinstance(wb["Marketing"]["B2"].value, int)


# -- the data --------------------------------------------------------------------------------


def test_columns_of_each_sheet(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames["Marketing"].columns) == [
        "Month", "Visits", "Leads", "Ad spend", "Ad spend budget", "Newsletter subscribers",
    ]  # fmt: skip
    assert list(frames["Survey"].columns) == [
        "Date", "Channel", "NPS", "Satisfaction", "Promoter", "Detractor",
    ]  # fmt: skip
    assert list(frames["Deliveries"].columns) == ["Date", "Order ID", "Delivery days", "On time"]
    assert list(frames["Targets"].columns) == ["Month", "Revenue target"]


def test_data_span_2024_to_the_partial_november_2026(frames: dict[str, pd.DataFrame]) -> None:
    first, last = pd.Timestamp("2024-01-01"), pd.Timestamp("2026-11-20")
    dates = frames["Orders"]["Date"]
    assert dates.min() == first
    assert dates.max() == last
    assert dates.is_monotonic_increasing
    for name in ("Survey", "Deliveries"):
        d = frames[name]["Date"]
        assert d.min() >= first and d.max() <= last, name
        assert d.max() >= pd.Timestamp("2026-11-16"), name
    months = frames["Marketing"]["Month"]
    assert (months.dt.day == 1).all()
    assert list(months) == list(pd.date_range("2024-01-01", "2026-10-01", freq="MS"))


def test_orders_look_like_a_bike_shop(frames: dict[str, pd.DataFrame]) -> None:
    orders = frames["Orders"]
    assert 15_000 <= len(orders) <= 25_000
    assert (orders["Revenue"] > 0).all()
    assert (orders["Cost"] > 0).all()
    assert ((orders["Revenue"] * 100).round(6) % 1 == 0).all()  # whole cents
    assert orders["Order ID"].str.fullmatch(r"K-20(24|25|26)-\d{6}").all()
    assert set(orders["Channel"]) == {"Web", "Shop"}
    assert orders["Region"].nunique() == 5
    assert set(orders["Category"]) == {"Bikes", "E-bikes", "Parts", "Accessories", "Service"}
    lines = orders.groupby("Order ID").size()
    assert lines.between(1, 3).all() and (lines > 1).any()
    # Each order has one date, channel and customer.
    per_order = orders.groupby("Order ID")[["Date", "Channel", "Customer ID"]].nunique()
    assert (per_order == 1).all().all()
    # Some customers come back.
    orders_per_customer = orders.groupby("Customer ID")["Order ID"].nunique()
    assert 0.1 < (orders_per_customer > 1).mean() < 0.5
    margin = 1 - orders["Cost"].sum() / orders["Revenue"].sum()
    assert 0.3 < margin < 0.5


def test_orders_have_growth_and_seasons(frames: dict[str, pd.DataFrame]) -> None:
    orders = frames["Orders"]
    year = orders["Date"].dt.year
    by_year = orders[year < 2026].groupby([year, "Channel"])["Revenue"].sum().unstack()
    web_growth = by_year.loc[2025, "Web"] / by_year.loc[2024, "Web"] - 1
    shop_growth = by_year.loc[2025, "Shop"] / by_year.loc[2024, "Shop"] - 1
    assert 0.1 < web_growth < 0.35
    assert abs(shop_growth) < 0.1
    month = orders["Date"].dt.month
    bikes = orders[orders["Category"].isin(["Bikes", "E-bikes"])].groupby(month)["Revenue"].sum()
    assert bikes[5] > 2 * bikes[1]
    # December is for presents: accessories take their largest share of the month.
    gifts = orders[orders["Category"] == "Accessories"].groupby(month)["Revenue"].sum()
    share = gifts / orders.groupby(month)["Revenue"].sum()
    assert share.idxmax() == 12
    assert gifts[12] > gifts[11]
    shop_sundays = orders[(orders["Channel"] == "Shop") & (orders["Date"].dt.day_of_week == 6)]
    assert shop_sundays.empty


def test_marketing_visits_follow_web_orders(frames: dict[str, pd.DataFrame]) -> None:
    orders, marketing = frames["Orders"], frames["Marketing"]
    web = orders[orders["Channel"] == "Web"].drop_duplicates("Order ID")
    web_orders = web.groupby(web["Date"].dt.to_period("M").dt.to_timestamp()).size()
    visits = marketing.set_index("Month")["Visits"]
    assert visits.corr(web_orders.reindex(visits.index)) > 0.8
    assert (marketing["Leads"] < marketing["Visits"]).all()
    assert marketing["Newsletter subscribers"].is_monotonic_increasing


def test_survey_flags_follow_the_nps_answer(frames: dict[str, pd.DataFrame]) -> None:
    survey = frames["Survey"]
    assert survey["NPS"].between(0, 10).all()
    assert survey["Satisfaction"].between(1, 5).all()
    assert (survey["Promoter"] == (survey["NPS"] >= 9).astype(int)).all()
    assert (survey["Detractor"] == (survey["NPS"] <= 6).astype(int)).all()
    # Satisfaction slips in the second half of 2026.
    dates = survey["Date"]
    before = survey.loc[dates.dt.year == 2025, "Satisfaction"].mean()
    lately = survey.loc[dates >= pd.Timestamp("2026-07-01"), "Satisfaction"].mean()
    assert lately < before - 0.05


def test_deliveries_are_web_orders(frames: dict[str, pd.DataFrame]) -> None:
    orders, deliveries = frames["Orders"], frames["Deliveries"]
    web_ids = set(orders.loc[orders["Channel"] == "Web", "Order ID"])
    assert set(deliveries["Order ID"]) <= web_ids
    assert deliveries["Order ID"].is_unique
    assert deliveries["Delivery days"].min() >= 1
    assert set(deliveries["On time"]) == {0, 1}


def test_targets_sheet_is_the_revenue_plan(
    frames: dict[str, pd.DataFrame], card: Scorecard
) -> None:
    targets = frames["Targets"]
    labels = targets["Month"].dt.strftime("%Y-%m")
    assert dict(zip(labels, targets["Revenue target"], strict=True)) == REVENUE_PLAN
    revenue = next(k for k in card.kpis if k.id == "revenue")
    assert revenue.target is not None
    assert revenue.target.per_period.items() <= REVENUE_PLAN.items()


# -- the scorecard ---------------------------------------------------------------------------


def test_scorecard_validates_and_round_trips(card: Scorecard) -> None:
    assert card.name == "De Ketting 2026"
    assert card.currency == "€"
    assert Scorecard.from_json(card.to_json()) == card


def test_goals_are_complete(card: Scorecard) -> None:
    assert len(card.goals) >= 3
    for goal in card.goals:
        assert goal.why and goal.owner and goal.deadline == date(2026, 12, 31), goal.id
        assert card.kpis_of(goal.id), f"goal {goal.id} has no KPI"
    assert {"financial", "customer", "process"} <= {g.perspective for g in card.goals}


def test_kpis_cover_every_kind(card: Scorecard) -> None:
    kpis = card.kpis
    assert len(kpis) >= 8
    for kpi in kpis:
        assert kpi.owner and kpi.why and kpi.action and kpi.target is not None, kpi.id
    assert {"higher", "lower", "range"} <= {k.direction for k in kpis}
    kinds = {k.target.kind for k in kpis if k.target is not None}
    assert {"constant", "per_period", "growth", "annual", "column"} <= kinds
    assert {"week", "month", "quarter"} <= {k.cadence for k in kpis}
    assert any(k.segment_column for k in kpis)
    assert any(k.measure.formula for k in kpis) and any(not k.measure.formula for k in kpis)
    annual = next(k.target for k in kpis if k.target is not None and k.target.kind == "annual")
    assert annual.profile is not None and "2026" in annual.annual
    assert {"currency", "percent"} <= {k.unit for k in kpis}


def test_every_kpi_reads_columns_that_exist(
    card: Scorecard, frames: dict[str, pd.DataFrame]
) -> None:
    for dataset in card.datasets:
        assert dataset.source == SAMPLE_WORKBOOK
        assert dataset.sheet in frames
        assert dataset.date_column in frames[dataset.sheet].columns
    for kpi in card.kpis:
        sheet = card.dataset(kpi.dataset_id).sheet
        assert sheet is not None
        missing = _columns(kpi) - set(frames[sheet].columns)
        assert not missing, f"KPI {kpi.id}: no column {sorted(missing)} in sheet {sheet}"


def test_filters_and_segments_match_values_in_the_data(
    card: Scorecard, frames: dict[str, pd.DataFrame]
) -> None:
    for kpi in card.kpis:
        sheet = frames[card.dataset(kpi.dataset_id).sheet or ""]
        for flt in kpi.filters:
            assert flt.value in set(sheet[flt.column]), kpi.id
        if kpi.segment_column and kpi.target is not None:
            assert set(kpi.target.segments) <= set(sheet[kpi.segment_column]), kpi.id


def test_the_sample_shows_every_status_as_of_its_last_day() -> None:
    """Through the whole pipeline: the latest periods are a mix of on track, at risk, off track."""
    from kpilogic.workspace.service import evaluate_files

    card = Scorecard.from_json((SAMPLE_DIR / SAMPLE_SCORECARD).read_text(encoding="utf-8"))
    files = {SAMPLE_WORKBOOK: (SAMPLE_DIR / SAMPLE_WORKBOOK).read_bytes()}
    evaluation = evaluate_files(card, files, as_of=date(2026, 11, 20))
    assert not evaluation.errors
    statuses = {}
    for kpi in card.kpis:
        row = evaluation.latest(kpi.id)
        assert row is not None, kpi.id
        statuses[kpi.id] = row["status"]
    assert {"on_track", "at_risk", "off_track"} <= set(statuses.values()), statuses
