"""Charts are pure functions: assert on their data and their Vega-Lite spec (to_dict)."""

from __future__ import annotations

import pandas as pd
import pytest

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.present.charts import (
    actual_vs_target_chart,
    dodge_labels,
    fit_to_column,
    progress_chart,
    progress_frame,
    segment_bars,
    segment_trend_frame,
    segment_trends_chart,
    status_heatmap,
    time_axis,
    trend_frame,
    vega_locale,
    year_over_year_chart,
    year_over_year_frame,
)
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance
from kpilogic.scorecard.status import STYLES


def _card(kpi: KPI) -> Scorecard:
    return Scorecard(
        name="C",
        datasets=[Dataset(id="d", name="D", source="d.csv", date_column="Date")],
        goals=[Goal(id="g", title="G")],
        kpis=[kpi],
    )


DATA = pd.DataFrame(
    {
        "Date": pd.to_datetime(["2026-01-10", "2026-02-10", "2026-03-10", "2026-03-31"]),
        "Revenue": [100.0, 80.0, 50.0, 50.0],
        "Channel": ["Web", "Web", "Shop", "Web"],
    }
)


def _kpi(**kw) -> KPI:
    base = {
        "id": "k",
        "goal_id": "g",
        "name": "Revenue",
        "dataset_id": "d",
        "unit": "currency",
        "measure": Measure(aggregation="sum", column="Revenue"),
        "target": Target(value=100),
    }
    return KPI.model_validate({**base, **kw})


def test_trend_frame_band_for_higher_is_better() -> None:
    kpi = _kpi(tolerance=Tolerance(value=10))
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    frame = trend_frame(ev.kpi_rows("k"), kpi, "nl")
    assert list(frame["period"]) == ["2026-01", "2026-02", "2026-03"]
    assert list(frame["band_low"]) == pytest.approx([90.0, 90.0, 90.0])  # 100 − 10%
    assert list(frame["band_high"]) == pytest.approx([100.0, 100.0, 100.0])
    assert list(frame["status"]) == ["on_track", "off_track", "on_track"]
    assert frame["value_text"].iloc[1] == "€ 80,00"


def test_band_for_lower_and_range() -> None:
    lower = _kpi(direction="lower")
    frame = trend_frame(evaluate_scorecard(_card(lower), {"d": DATA}).kpi_rows("k"), lower, "en")
    assert frame["band_low"].iloc[0] == pytest.approx(100.0)
    assert frame["band_high"].iloc[0] == pytest.approx(110.0)
    rng = _kpi(direction="range", target=Target(low=80, high=120))
    frame = trend_frame(evaluate_scorecard(_card(rng), {"d": DATA}).kpi_rows("k"), rng, "en")
    assert frame["band_low"].iloc[0] == pytest.approx(72.0)  # 80 − 8
    assert frame["band_high"].iloc[0] == pytest.approx(132.0)  # 120 + 12


def test_actual_vs_target_spec() -> None:
    kpi = _kpi()
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    spec = actual_vs_target_chart(ev.kpi_rows("k"), kpi, "nl").to_dict()
    assert spec["title"] == "Revenue"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line", "line", "point"]
    color = spec["layer"][3]["encoding"]["color"]
    assert color["scale"]["range"][0] == STYLES["on_track"].color
    assert color["scale"]["domain"][0] == "✅ Op koers"
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Waarde"


def test_heatmap_and_segments() -> None:
    kpi = _kpi(segment_column="Channel", target=Target(value=100, segments={"Web": 60}))
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    spec = status_heatmap(ev.detail, "en").to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [v["period"] for v in values] == ["2026-01", "2026-02", "2026-03"]
    assert values[1]["status_text"] == "⛔ Off track"
    march = ev.detail[(ev.detail["segment"] != "") & (ev.detail["period"] == "2026-03")]
    bars = segment_bars(march, kpi, "en").to_dict()
    data = next(iter(bars["datasets"].values()))
    by_segment = {d["segment"]: d for d in data}
    assert by_segment["Web"]["value"] == pytest.approx(50.0)
    assert by_segment["Web"]["status_text"] == "⛔ Off track"  # 50 < 60 − 6
    assert by_segment["Shop"]["status_text"] == "➖ No target"


def test_locales() -> None:
    assert vega_locale("nl")["time"]["shortMonths"][2] == "mrt"
    assert vega_locale("en")["number"]["thousands"] == ","


@pytest.mark.parametrize(
    ("scale", "expected"),
    [(1.0, ",~g"), (100_000.0, ",.0f")],  # 100k and up: written out, never 4e+6
)
def test_plain_numbers_keep_a_readable_axis(scale: float, expected: str) -> None:
    kpi = _kpi(unit="number", target=Target(value=100 * scale))
    data = DATA.assign(Revenue=DATA["Revenue"] * scale)
    spec = actual_vs_target_chart(
        evaluate_scorecard(_card(kpi), {"d": data}).kpi_rows("k"), kpi, "en"
    ).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == expected


def _starts(n: int, freq: str = "MS") -> pd.Series:
    return pd.Series(pd.date_range("2024-01-01", periods=n, freq=freq))


@pytest.mark.parametrize(
    ("months", "step", "angle"), [(3, 1, 0), (6, 1, 0), (12, 1, -45), (36, 3, -45)]
)
def test_a_time_axis_labels_each_month_once(months: int, step: int, angle: int) -> None:
    axis = time_axis(_starts(months), "month", "nl").to_dict()
    # One tick per `step` months: never ticks between two months, which Vega would label
    # with the same month again ("jan 2024" four times on a chart of three months).
    assert axis["tickCount"] == {"interval": "month", "step": step}
    assert months / step <= 12
    assert axis["format"] == "%b %Y"
    assert axis["labelOverlap"] is False  # no label dropped (the PDF lost "mrt")
    assert axis["labelAngle"] == angle


def test_quarters_weeks_and_years_on_a_time_axis() -> None:
    quarters = time_axis(_starts(6, "QS"), "quarter", "nl").to_dict()
    assert quarters["tickCount"] == {"interval": "month", "step": 3}
    assert quarters["labelExpr"].startswith("'K' + quarter(")
    assert time_axis(_starts(6, "QS"), "quarter", "en").to_dict()["labelExpr"].startswith("'Q'")
    weeks = time_axis(_starts(30, "W-MON"), "week", "en").to_dict()
    assert weeks["tickCount"] == {"interval": "week", "step": 3}
    years = time_axis(_starts(3, "YS"), "year", "en").to_dict()
    assert years["format"] == "%Y"


# -- this year against last year, segment trends, goal progress (issue 14/15) ----------------

# 2025: one row mid-month, revenue 10 × the month (10 … 120); 2026: 100, 110, 120 in January
# to March, and a last row on 31 March so that March is complete (not projected).
TWO_YEARS = pd.DataFrame(
    {
        "Date": pd.to_datetime(
            [f"2025-{m:02d}-15" for m in range(1, 13)]
            + ["2026-01-15", "2026-02-15", "2026-03-15", "2026-03-31"]
        ),
        "Revenue": [10.0 * m for m in range(1, 13)] + [100.0, 110.0, 120.0, 0.0],
        "Channel": ["Web"] * 16,
    }
)


def _layers(spec: dict) -> list[dict]:
    return spec["layer"]


def test_year_over_year_lines_share_the_months() -> None:
    kpi = _kpi()
    rows = evaluate_scorecard(_card(kpi), {"d": TWO_YEARS}).kpi_rows("k")
    frame = year_over_year_frame(rows, kpi, "nl")
    this, last = frame[frame["year"] == "2026"], frame[frame["year"] == "2025"]
    assert list(this["slot_label"]) == ["jan", "feb", "mrt"]
    assert list(this["value"]) == pytest.approx([100.0, 110.0, 120.0])
    assert list(last["value"]) == pytest.approx([10.0 * m for m in range(1, 13)])
    # March 2026 lines up with March 2025 (30), not with the 15th month of a time axis.
    march = frame[frame["slot_label"] == "mrt"].set_index("year")["value"]
    assert march.to_dict() == pytest.approx({"2026": 120.0, "2025": 30.0})
    # One label per line, at its end: the year and its last value.
    labels = frame[frame["label"] != ""].set_index("year")
    assert labels.loc["2026", "label"] == "2026: € 120,00"
    assert labels.loc["2025", "label"] == "2025: € 120,00"
    # Both end at 120; the labels stand apart by the gap: 7% of the axis' 0–120 = 8.4.
    heights = sorted(labels["label_y"])
    assert heights == pytest.approx([120.0, 128.4])

    spec = year_over_year_chart(rows, kpi, "nl").to_dict()
    xs = [layer["encoding"]["x"] for layer in _layers(spec)]
    months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    for x in xs:  # every layer on one x: the twelve months of a year, in order
        assert x["field"] == "slot_label"
        assert x["scale"]["domain"] == months
    color = _layers(spec)[0]["encoding"]["color"]
    assert color["legend"] is None  # the lines are named at their ends instead
    assert color["scale"]["domain"] == ["2025", "2026"]
    assert _layers(spec)[2]["mark"]["type"] == "text"
    assert _layers(spec)[0]["encoding"]["y"]["axis"]["format"] == "$,.0f"
    assert spec["title"] == "Revenue: dit jaar tegen vorig jaar"


def test_year_over_year_in_english_and_for_quarters() -> None:
    kpi = _kpi(cadence="quarter", target=Target(value=300))
    rows = evaluate_scorecard(_card(kpi), {"d": TWO_YEARS}).kpi_rows("k")
    frame = year_over_year_frame(rows, kpi, "en")
    # 2025 Q1 = 10 + 20 + 30 = 60; Q4 = 100 + 110 + 120 = 330; 2026 Q1 = 100 + 110 + 120 = 330.
    by = frame.set_index(["year", "slot_label"])["value"]
    assert by[("2025", "Q1")] == pytest.approx(60.0)
    assert by[("2025", "Q4")] == pytest.approx(330.0)
    assert by[("2026", "Q1")] == pytest.approx(330.0)
    spec = year_over_year_chart(rows, kpi, "en").to_dict()
    assert _layers(spec)[0]["encoding"]["x"]["scale"]["domain"] == ["Q1", "Q2", "Q3", "Q4"]
    yearly = _kpi(cadence="year")
    yearly_rows = evaluate_scorecard(_card(yearly), {"d": TWO_YEARS}).kpi_rows("k")
    assert year_over_year_chart(yearly_rows, yearly, "en") is None


def test_labels_are_moved_apart_but_keep_their_order() -> None:
    # 10 and 10.5 are closer than the gap of 2: the higher one moves up to 12.
    assert dodge_labels([10.0, 30.0, 10.5], 2.0) == pytest.approx([10.0, 30.0, 12.0])
    # Three at one height stack up by the gap.
    assert dodge_labels([5.0, 5.0, 5.0], 1.0) == pytest.approx([5.0, 6.0, 7.0])


def test_segment_trends_name_each_line_at_its_end() -> None:
    kpi = _kpi(segment_column="Channel")
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    frame = segment_trend_frame(ev.detail, kpi, "en")
    web = frame[frame["segment"] == "Web"]
    # Web: 100 in January, 80 in February, 50 in March (the row of 31 March).
    assert list(web["value"]) == pytest.approx([100.0, 80.0, 50.0])
    assert list(web["period_text"]) == ["Jan 2026", "Feb 2026", "Mar 2026"]
    labels = frame[frame["label"] != ""].set_index("segment")
    assert labels.loc["Web", "label"] == "Web: €50.00"
    assert labels.loc["Shop", "label"] == "Shop: €50.00"
    # Both end at 50: the labels stand 7% of the 0–100 axis (7) apart, not on each other.
    assert sorted(labels["label_y"]) == pytest.approx([50.0, 57.0])
    spec = segment_trends_chart(ev.detail, kpi, "en").to_dict()
    marks = [layer["mark"]["type"] for layer in _layers(spec)]
    assert marks == ["line", "point", "text"]
    assert _layers(spec)[0]["encoding"]["color"]["legend"] is None
    assert _layers(spec)[0]["encoding"]["x"]["axis"]["format"] == "%b %Y"


def test_many_segments_become_small_multiples() -> None:
    kpi = _kpi(segment_column="Channel")
    segments = [f"Shop {i}" for i in range(1, 9)]  # eight: more than six lines
    rows = pd.DataFrame(
        {
            "segment": [s for s in segments for _ in range(2)],
            "period": ["2026-01", "2026-02"] * 8,
            "period_start": pd.to_datetime(["2026-01-01", "2026-02-01"] * 8),
            "actual": [float(i) for i in range(16)],
            "projected": [float("nan")] * 16,
        }
    )
    spec = segment_trends_chart(rows, kpi, "nl").to_dict()
    assert spec["columns"] == 3
    assert spec["facet"]["field"] == "segment"
    assert spec["facet"]["sort"] == segments
    # Each panel is titled with its segment; its last value is written at the line's end.
    inner = spec["spec"]["layer"]
    assert [layer["mark"]["type"] for layer in inner] == ["line", "text"]
    assert inner[1]["encoding"]["text"]["field"] == "value_text"


def test_progress_bar_parts_and_numbers() -> None:
    frame = progress_frame(800_000.0, 1_200_000.0, 1_340_000.0, 900_000.0, "currency", "nl")
    assert list(frame["kind"]) == ["actual", "forecast", "target", "target_to_date"]
    assert list(frame["text"]) == [
        "Tot nu toe: € 800.000",
        "Verwachting: € 1.200.000",
        "Doel: € 1.340.000",
        "Doel tot nu toe: € 900.000",
    ]
    spec = progress_chart(
        800_000.0, 1_200_000.0, 1_340_000.0, 900_000.0, "currency", "en"
    ).to_dict()
    # The axis runs from 0 to just past the largest part (1,340,000 × 1.02 = 1,366,800).
    x = _layers(spec)[0]["encoding"]["x"]
    assert x["scale"]["domain"] == pytest.approx([0.0, 1_366_800.0])
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["bar", "bar", "tick", "text"]
    assert spec["autosize"]["type"] == "fit-x"
    # A rate without target to date: three parts; no target at all: no bar.
    assert len(progress_frame(42.0, 44.0, 38.0, None, "percent", "en")) == 3
    assert progress_chart(1.0, 2.0, None, None, "number", "en") is None


def test_heatmap_reads_periods_as_people_write_them_and_keeps_its_rows() -> None:
    kpi = _kpi()
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    spec = status_heatmap(ev.detail, "nl").to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["field"] == "period_text"
    assert x["sort"] == ["jan 2026", "feb 2026", "mrt 2026"]
    # 28 px for the one KPI's row, and only the width fitted: Streamlit's "fit" made Vega
    # drop "fit-y" with a warning on a step height, and squeezed a fixed height's rows.
    assert spec["height"] == 28
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    # The legend names the statuses on the map only, in the house order.
    legend = spec["layer"][0]["encoding"]["color"]["legend"]
    assert legend["values"] == ["✅ Op koers", "⛔ Uit koers"]


def test_the_preview_keeps_its_y_scale_in_a_narrow_column() -> None:
    kpi = _kpi()
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    spec = fit_to_column(actual_vs_target_chart(ev.kpi_rows("k"), kpi, "nl")).to_dict()
    # Only the width fits the column; the height stays the plot's own 260 px (with "fit" the
    # legend's rows were taken from it and the plot shrank to a line without a y-scale).
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["height"] == 260
    assert spec["config"]["legend"]["columns"] == 2
    assert spec["layer"][0]["encoding"]["y"]["axis"]["format"] == "$,.0f"
    # The legend lists the statuses on the chart only: January and March on track, February
    # off track (80 < 100 − 10%).
    legend = spec["layer"][3]["encoding"]["color"]["legend"]
    assert legend["values"] == ["✅ Op koers", "⛔ Uit koers"]


def test_percentages_carry_their_sign_on_the_axis() -> None:
    kpi = _kpi(unit="percent", segment_column="Channel")
    ev = evaluate_scorecard(_card(kpi), {"d": DATA})
    spec = segment_trends_chart(ev.detail, kpi, "nl").to_dict()
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert axis["format"] == ",.1f"
    assert axis["labelExpr"] == "datum.label + '%'"
    bar = progress_chart(2.5, 2.2, 2.9, None, "percent", "nl").to_dict()
    assert bar["layer"][0]["encoding"]["x"]["axis"]["labelExpr"] == "datum.label + '%'"
    money = progress_chart(2.5, 2.2, 2.9, None, "currency", "nl").to_dict()
    assert "labelExpr" not in money["layer"][0]["encoding"]["x"]["axis"]


def test_end_labels_round_large_amounts_to_whole_euros() -> None:
    kpi = _kpi()
    data = TWO_YEARS.assign(Revenue=TWO_YEARS["Revenue"] * 1000 + 0.4)
    rows = evaluate_scorecard(_card(kpi), {"d": data}).kpi_rows("k")
    labels = year_over_year_frame(rows, kpi, "nl").query("label != ''")["label"]
    # December 2025: 120 × 1000 + 0.4; March 2026: 120 × 1000 + 0.4 + 0.4 (two rows).
    assert sorted(labels) == ["2025: € 120.000", "2026: € 120.001"]
