"""Charts are pure functions: assert on their data and their Vega-Lite spec (to_dict)."""

from __future__ import annotations

import pandas as pd
import pytest

from kpilogic.charts import (
    actual_vs_target_chart,
    segment_bars,
    status_heatmap,
    time_axis,
    trend_frame,
    vega_locale,
)
from kpilogic.evaluate import evaluate_scorecard
from kpilogic.model import KPI, Dataset, Goal, Measure, Scorecard, Target, Tolerance
from kpilogic.status import STYLES


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
