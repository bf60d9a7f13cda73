"""AppTest: the dashboard's first screen says per goal whether it is on course (progress bar,
year-to-date numbers, the sentence), lists what stands out with a button to its KPI, and shows
per KPI this year against last year, the segments' trends and the values per period × KPI —
in English and in Dutch."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from kpilogic.i18n import format_value, t
from kpilogic.sample import sample_scorecard
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.service import SourceFile
from tests.conftest import ROOT, SAMPLE_DIR

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def _dashboard(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = lang
    at.run()
    at.button(key="start_sample").click().run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    return at


def _charts(at: AppTest) -> list[dict]:
    """Each chart's Vega-Lite spec, with its data (sent apart, as Arrow) under ``values``."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        frames = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
        spec["values"] = frames[0].to_dict("records") if frames else []
        out.append(spec)
    return out


def _titled(at: AppTest, title: str) -> dict:
    found = [c for c in _charts(at) if c.get("title") == title]
    assert len(found) == 1, [c.get("title") for c in _charts(at)]
    return found[0]


def _values(spec: dict) -> list[dict]:
    return spec["values"]


def _web_revenue_2026() -> float:
    """Web shop revenue from 1 January 2026 to the data's end (20 November), straight from
    the workbook with openpyxl, not through Koers."""
    wb = openpyxl.load_workbook(SAMPLE_DIR / "koers_sample.xlsx", read_only=True)
    rows = wb["Orders"].iter_rows(values_only=True)
    header = next(rows)
    i_date, i_rev, i_ch = header.index("Date"), header.index("Revenue"), header.index("Channel")
    return sum(r[i_rev] for r in rows if r[i_date] >= datetime(2026, 1, 1) and r[i_ch] == "Web")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_goal_progress_and_insights_come_first(lang: str) -> None:
    at = _dashboard(lang)
    card = sample_scorecard(lang)
    assert at.header[0].value == t("pdash.progress.title", lang)
    # The first goal, with its deciding KPI's progress bar and year-to-date number.
    assert card.goals[0].title.replace(":", "\\:") in at.subheader[0].value
    so_far = next(m for m in at.metric if m.label.startswith(t("pdash.bar.actual", lang)))
    expected = format_value(_web_revenue_2026(), "currency", lang, decimals=0)
    assert so_far.value == expected
    bars = [
        c
        for c in _charts(at)
        if [layer["mark"]["type"] for layer in c.get("layer", [])] == ["bar", "bar", "tick", "text"]
    ]
    assert len(bars) == len([g for g in card.goals if g.deadline])  # one per goal
    # The goal's sentence (bold) names its forecast and the deadline in the reader's notation.
    deadline = "31-12-2026" if lang == "nl" else "2026-12-31"
    sentences = [m.value for m in at.markdown if m.value.startswith("**") and deadline in m.value]
    assert sentences, [m.value for m in at.markdown][:10]
    # What stands out: three to five sentences, each with a button to its KPI.
    insights = [m.value for m in at.markdown if m.value.startswith("💡")]
    assert 3 <= len(insights) <= 5
    assert [b for b in at.button if b.key and b.key.startswith("dash_insight_")]


def test_an_insights_button_shows_its_kpi() -> None:
    at = _dashboard("en")
    card = sample_scorecard("en")
    assert at.selectbox(key="dash_kpi").value == card.kpis[0].id
    buttons = [b for b in at.button if b.key and b.key.startswith("dash_insight_")]
    # Find an insight about another KPI than the one shown, and follow it.
    names = {k.id: k.name for k in card.kpis}
    for button in buttons:
        button.click().run()
        chosen = at.selectbox(key="dash_kpi").value
        assert chosen in names
        if chosen != card.kpis[0].id:
            break
    else:
        pytest.fail("every insight was about the first KPI")
    _titled(at, t("pdash.chart.yoy", "en", name=names[chosen]))


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_year_over_year_segment_trends_and_the_table(lang: str) -> None:
    at = _dashboard(lang)
    card = sample_scorecard(lang)
    web = card.kpis[0]
    yoy = _values(_titled(at, t("pdash.chart.yoy", lang, name=web.name)))
    assert {v["year"] for v in yoy} == {"2025", "2026"}
    ends = sorted(v["label"] for v in yoy if v["label"])
    assert [e.split(":")[0] for e in ends] == ["2025", "2026"]
    # The segments' trends of gross margin: one labelled line per channel.
    margin = next(k for k in card.kpis if k.segment_column)
    at.selectbox(key="dash_kpi").select(margin.id).run()
    assert not at.exception
    trends = _values(_titled(at, t("pdash.chart.segments", lang, name=margin.name)))
    labelled = sorted(v["label"].split(":")[0] for v in trends if v["label"])
    assert labelled == ["Shop", "Web"]
    # Values per period × KPI: periods in words, KPIs as columns, downloads in the language.
    table = next(d.value for d in at.dataframe if web.name in d.value.columns)
    first = "jan 2024" if lang == "nl" else "Jan 2024"
    assert table[t("chart.period", lang)].iloc[0] == first
    assert web.name in table.columns
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("pdash.table.csv", lang) in labels
    assert t("pdash.table.xlsx", lang) in labels


def test_a_goal_without_deadline_is_named_and_one_with_a_deadline_shows_its_progress() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Date", "Revenue"])
    for day, revenue in ((5, 300.0), (20, 400.0), (10, 170.0), (31, 200.0)):
        ws.append([datetime(2026, 1, day), revenue])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()

    def kpi(kpi_id: str, goal_id: str) -> KPI:
        return KPI(
            id=kpi_id,
            goal_id=goal_id,
            name=f"Revenue {goal_id}",
            dataset_id="s",
            unit="currency",
            measure=Measure(aggregation="sum", column="Revenue"),
            target=Target(value=1000),
        )

    card = Scorecard(
        name="Shop",
        datasets=[
            Dataset(id="s", name="Sales", source="shop.xlsx", sheet="Sales", date_column="Date")
        ],
        goals=[
            Goal(id="year", title="A good year", deadline=date(2026, 12, 31)),
            Goal(id="open", title="Some day"),
        ],
        kpis=[kpi("r1", "year"), kpi("r2", "open")],
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = "nl"
    at.session_state["koers_files"] = {"shop.xlsx": SourceFile("shop.xlsx", data, "sha-shop")}
    at.session_state["koers_scorecard"] = card
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    # January: 300 + 400 + 170 + 200 = 1,070 so far against a target to date of 1,000.
    so_far = next(m for m in at.metric if m.label.startswith("Tot nu toe"))
    assert so_far.value == "€ 1.070"
    assert so_far.delta == "7% t.o.v. het doel tot nu toe"  # 1070 / 1000 − 1 = 7%
    captions = [c.value for c in at.caption]
    assert any("Doel tot nu toe: € 1.000" in c for c in captions), captions
    # The goal without a deadline has no progress, and the page says why.
    assert any(c.startswith("Geen voortgang voor Some day") for c in captions), captions
    assert not any(s.value.endswith("Some day") for s in at.subheader[:2])


def _two_shops_workbook() -> bytes:
    """Monthly revenue per shop: 2024 both shops 50,000 a month; 2025 Amersfoort 40,000 a
    month (30,000 in March), Utrecht 54,000 a month."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Omzet"
    ws.append(["Datum", "Winkel", "Omzet"])
    for month in range(1, 13):
        ws.append([datetime(2024, month, 1), "Amersfoort", 50_000.0])
        ws.append([datetime(2024, month, 1), "Utrecht", 50_000.0])
    for month in range(1, 13):
        ws.append([datetime(2025, month, 1), "Amersfoort", 30_000.0 if month == 3 else 40_000.0])
        ws.append([datetime(2025, month, 1), "Utrecht", 54_000.0])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_shop_owners_first_screen_says_the_goal_is_missed_by_how_much_and_why(
    lang: str,
) -> None:
    card = Scorecard(
        name="De winkel",
        datasets=[
            Dataset(id="s", name="Omzet", source="omzet.xlsx", sheet="Omzet", date_column="Datum")
        ],
        goals=[Goal(id="g", title="Omzet 2025 10% hoger dan 2024", deadline=date(2025, 12, 31))],
        kpis=[
            KPI(
                id="rev",
                goal_id="g",
                name="Omzet",
                dataset_id="s",
                unit="currency",
                measure=Measure(aggregation="sum", column="Omzet"),
                target=Target(kind="growth", growth_pct=10),
                segment_column="Winkel",
            )
        ],
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = lang
    data = _two_shops_workbook()
    at.session_state["koers_files"] = {"omzet.xlsx": SourceFile("omzet.xlsx", data, "sha-2shops")}
    at.session_state["koers_scorecard"] = card
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    # Markdown escapes the colons ("Waarom\\:"): compare the text a reader sees.
    texts = [m.value.replace("\\", "") for m in at.markdown]
    # 2025: 12 × 94,000 − 10,000 (March) = 1,118,000 against 1.1 × 1,200,000 = 1,320,000:
    # (1,118,000 − 1,320,000) / 1,320,000 = −15.3%.
    # Each shop's own target is 1.1 × 600,000 = 660,000: Amersfoort 11 × 40,000 + 30,000 =
    # 470,000 is 190,000 behind, Utrecht 12 × 54,000 = 648,000 is 12,000 behind: Amersfoort's
    # share 190 / 202 = 94%. March is furthest behind (110,000 − 84,000 = 26,000), then the
    # first of the months 16,000 behind, January.
    if lang == "nl":
        said = "Niet gehaald: € 1,12 mln tegen € 1,32 mln op 31-12-2025 (−15%)."
        why = (
            "Waarom: Amersfoort is goed voor 94% van de achterstand op het doel "
            "(€ 190.000 achter). Het verst achter op het doel: mrt 2025 (€ 26.000 achter), "
            "jan 2025 (€ 16.000 achter)."
        )
    else:
        said = "Missed: €1.12 M against €1.32 M at"
        why = (
            "Why: Amersfoort accounts for 94% of the shortfall against target "
            "(€190,000 behind). Furthest behind target: Mar 2025 (€26,000 behind), "
            "Jan 2025 (€16,000 behind)."
        )
    # The goal's sentence is the dashboard's first text, the reason right below it.
    first = next(i for i, text in enumerate(texts) if said in text)
    assert first == 0, texts[:3]
    if lang == "nl":
        # What stands out: every 2025 month is below its target (94,000 or 84,000 against
        # 110,000), twelve in a row; amounts in whole euros like the goal's sentence.
        streak = "Omzet haalt al 12 maanden op rij het doel niet (sinds jan 2025)"
        assert any(
            streak in text and "€ 94.000 tegen een doel van € 110.000" in text for text in texts
        ), texts
    assert texts[first + 1] == why, texts[first : first + 2]
