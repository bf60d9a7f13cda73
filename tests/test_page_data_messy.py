"""AppTest of the Data page with real-world files: a messy Dutch workbook and bad uploads."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Goal, Measure, Scorecard, Target
from kpilogic.workspace.service import evaluate_files
from tests.conftest import ROOT, data_uploader
from tests.messy import EXPECTED, clean_twin_workbook, messy_dutch_workbook

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Monthly revenue over all regions and channels, summed by hand from EXPECTED.
MONTHLY = [round(sum(v[m] for v in EXPECTED.values()), 2) for m in range(6)]


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/data.py").run()
    return at


def _upload(at: AppTest, name: str, data: bytes) -> Scorecard:
    at.file_uploader(key="upload").set_value((name, data, XLSX)).run()
    assert not at.exception
    card = at.session_state["koers_scorecard"]
    assert isinstance(card, Scorecard)
    return card


def _with_revenue_kpi(card: Scorecard, column: str) -> Scorecard:
    (ds,) = card.datasets
    goal = Goal(id="grow", title="Grow revenue", deadline=date(2026, 12, 31))
    kpi = KPI(
        id="revenue",
        goal_id="grow",
        name="Revenue",
        dataset_id=ds.id,
        measure=Measure(aggregation="sum", column=column),
        unit="currency",
        target=Target(value=5000),
    )
    return card.model_copy(update={"goals": [goal], "kpis": [kpi]})


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_messy_workbook_shows_the_decisions_in_both_languages() -> None:
    at = _app()
    card = _upload(at, "omzet.xlsx", messy_dutch_workbook())
    (ds,) = card.datasets
    assert (ds.sheet, ds.date_column) == ("Omzet", "Date")
    text = _texts(at)
    assert "Column names found on row 4; 2 title rows above them skipped." in text
    assert "1 totals row left out so nothing is counted twice: row 10." in text
    assert "1 empty column left out: C" in text
    assert "The periods run across as 6 columns (jan 2026 to jun 2026)" in text
    assert "24 rows, 4 columns" in text
    # The hidden helper sheet is offered, and marked as hidden.
    sheets = at.multiselect(key="data_sheets_omzet.xlsx")
    assert "Hulpblad" in sheets.options or "Hulpblad (hidden sheet)" in sheets.options
    # The guided unpivot offers Regio and Kanaal as the columns that say what a row is.
    assert at.multiselect(key="data_unpivot_ids_omzet").value == ["Regio", "Kanaal"]
    at.session_state["koers_lang"] = "nl"
    at.run()
    text = _texts(at)
    assert "Kolomnamen gevonden op rij 4; 2 titelrijen erboven overgeslagen." in text
    assert "1 totaalrij weggelaten zodat niets dubbel telt: rij 10." in text


def test_messy_workbook_gives_the_same_kpi_values_as_its_clean_twin() -> None:
    values = {}
    for name, data, column in (
        ("omzet.xlsx", messy_dutch_workbook(), "Value"),
        ("omzet_schoon.xlsx", clean_twin_workbook(), "Omzet"),
    ):
        at = _app()
        card = _with_revenue_kpi(_upload(at, name, data), column)
        at.session_state["koers_scorecard"] = card
        at.switch_page("pages/dashboard.py").run()
        assert not at.exception
        shown = [(m.label, m.value) for m in at.metric if m.label.startswith("Revenue")]
        # The same numbers through the pipeline, with the dataset as the Data page saved it.
        files = {name: data}
        ev = evaluate_files(card, files, date(2026, 6, 30))
        actual = ev.kpi_rows("revenue")["actual"].round(2).tolist()
        values[name] = (shown, actual)
    assert values["omzet.xlsx"] == values["omzet_schoon.xlsx"]
    assert values["omzet.xlsx"][1] == MONTHLY
    assert values["omzet.xlsx"][0]  # the dashboard showed the KPI


def test_correcting_the_header_row_and_notation_is_remembered() -> None:
    at = _app()
    _upload(at, "omzet.xlsx", messy_dutch_workbook())
    at.selectbox(key="data_notation_omzet").select("en").run()
    (ds,) = at.session_state["koers_scorecard"].datasets
    assert ds.notation == "en"
    # "€ 1.234,56" read in English notation is no number: the quality report says so.
    assert "could not be read" in _texts(at)
    at.selectbox(key="data_notation_omzet").select("auto").run()
    (ds,) = at.session_state["koers_scorecard"].datasets
    assert ds.notation is None


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("leeg.xlsx", b"   ", "holds no data"),
        ("foto.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "not a spreadsheet"),
        ("kapot.xlsx", b"PK\x03\x04garbage-not-a-zip" * 10, "could not be read"),
    ],
)
def test_a_bad_upload_shows_the_message_and_keeps_goals_and_kpis(
    name: str, data: bytes, fragment: str
) -> None:
    at = _app()
    card = _with_revenue_kpi(_upload(at, "omzet.xlsx", messy_dutch_workbook()), "Value")
    at.session_state["koers_scorecard"] = card
    at.run()
    data_uploader(at).set_value((name, data, XLSX)).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert name in errors and fragment in errors.lower()
    after = at.session_state["koers_scorecard"]
    assert [g.id for g in after.goals] == ["grow"]
    assert [k.id for k in after.kpis] == ["revenue"]
    assert [d.source for d in after.datasets] == ["omzet.xlsx"]
    assert name not in at.session_state["koers_files"]


def test_an_upload_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOERS_MAX_UPLOAD_MB", "0.001")  # about 1 KB
    at = _app()
    at.file_uploader(key="upload").set_value(("groot.xlsx", messy_dutch_workbook(), XLSX)).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "groot.xlsx" in errors and "up to 0.001 MB" in errors
    assert not at.session_state["koers_files"]
