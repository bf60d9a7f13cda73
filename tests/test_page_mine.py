"""Issue 18, "Mijn KPI's" in the app (AppTest, team mode, a real SQLite store): a KPI owner
who is a contributor sees only their page, types the values due from them in their own
notation, checks in on their KPI, and the workspace owner's dashboard shows both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.i18n import t
from kpilogic.workspace.manual import stored_table
from kpilogic.workspace.store import Store
from tests.conftest import ROOT
from tests.test_access_ui import AUTH
from tests.test_entry import BRAM, CHRIS, OLGA, SALES_CSV, SURVEY, SURVEY_CSV, _card

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, str]:
    path = tmp_path / "koers.sqlite3"
    monkeypatch.setenv("KOERS_DB", str(path))
    store = Store(path)
    olga = store.for_user(OLGA)
    ws = olga.create_workspace("Klanten", _card(), "nl").id
    olga.save_file(ws, "enquete.csv", SURVEY_CSV)
    olga.save_file(ws, "sales.csv", SALES_CSV)
    olga.update_settings(ws, {"as_of": date(2026, 6, 15).isoformat()})
    return store, ws


def _app(user: str, lang: str = "nl", ws: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = AUTH
    at.user = {"is_logged_in": True, "email": user}
    at.session_state["koers_lang"] = lang
    if ws is not None:
        at.query_params["ws"] = ws
    return at.run()


def _fields(at: AppTest) -> list[str]:
    return [w.label for w in at.text_input if (w.key or "").startswith("mine_value_")]


def test_a_contributor_enters_the_values_due_and_checks_in(
    workspace: tuple[Store, str],
) -> None:
    store, ws = workspace
    # Bram signs in without a workspace in the address: his only workspace opens, on his page.
    at = _app(BRAM)
    assert not at.exception, at.exception
    assert at.title[0].value == "Mijn KPI's"
    for page in ("start", "data", "kpis", "dashboard"):
        with pytest.raises(ValueError):
            at.switch_page(f"pages/{page}.py")
    # One field per value due (as of 15 June, May is missing): his NPS of the north, and the
    # complaints of both regions; the revenue comes from an upload and is said apart.
    assert _fields(at) == [
        "NPS · Noord · mei 2026",
        "Klachten · Noord · mei 2026",
        "Klachten · Zuid · mei 2026",
    ]
    infos = [i.value for i in at.info]
    assert any("Omzet" in i and "sales.csv" in i for i in infos), infos
    # A word where a number belongs: said per field, nothing kept.
    fields = [w for w in at.text_input if (w.key or "").startswith("mine_value_")]
    fields[0].input("veel")
    _submit(at)
    at = at.run()
    errors = [e.value.replace("\\", "") for e in at.error]  # Markdown escapes
    assert errors == ["NPS · Noord · mei 2026: ‘veel’ is geen getal: schrijf het als 1234,5."], (
        errors
    )
    assert stored_table(store.for_user(OLGA).load_file(ws, "enquete.csv"), SURVEY).shape[0] == 2
    # Dutch notation: 44,5 and 1.200 (twelve hundred).
    fields = [w for w in at.text_input if (w.key or "").startswith("mine_value_")]
    fields[0].input("44,5")
    fields[2].input("1.200")
    _submit(at)
    at = at.run()
    assert not at.exception
    assert t("mine.saved", "nl", count=2) in [s.value for s in at.success]
    kept = stored_table(store.for_user(OLGA).load_file(ws, "enquete.csv"), SURVEY)
    may = kept[kept["Periode"] == date(2026, 5, 1)].set_index("Regio")
    assert may.loc["Noord", "NPS"] == 44.5 and may.loc["Zuid", "Klachten"] == 1200.0
    # Only the north's complaints are still due.
    assert _fields(at) == ["Klachten · Noord · mei 2026"]
    entries = [e for e in store.for_user(OLGA).audit_log(ws) if e.action == "manual.entry"]
    assert {e.user for e in entries} == {BRAM} and len(entries) == 2

    # A check-in on his complaints KPI.
    at.text_area(key="review_note_klachten").input("Drukke maand door de actie")
    at.button(key="review_save_klachten").click()
    at = at.run()
    assert not at.exception
    kept_checkins = store.for_user(OLGA).list_checkins(ws, "klachten")
    assert [c.checkin.note for c in kept_checkins] == ["Drukke maand door de actie"]
    assert kept_checkins[0].checkin.who == BRAM  # the owner, filled in for him
    # Chris' KPI gets no check-in form on Bram's page.
    assert not [b for b in at.button if b.key == "review_save_nps_zuid"]

    # Olga, the workspace owner, sees both on her dashboard.
    olga = _app(OLGA, ws=ws)
    assert not olga.exception
    olga.switch_page("pages/dashboard.py").run()
    assert not olga.exception
    shown = "\n".join(str(m.value) for m in [*olga.markdown, *olga.caption])
    assert "Drukke maand door de actie" in shown
    assert "44,5" in shown  # the north's NPS for May, in Dutch notation


def _submit(at: AppTest) -> None:
    (button,) = [b for b in at.button if b.label == t("mine.save", "nl")]
    button.click()


def test_an_owner_who_edits_gets_the_page_beside_the_others(
    workspace: tuple[Store, str],
) -> None:
    store, ws = workspace
    store.for_user(OLGA).share(ws, CHRIS, "editor")
    at = _app(CHRIS, lang="en", ws=ws)
    assert not at.exception
    at.switch_page("pages/mine.py").run()
    assert not at.exception
    assert at.title[0].value == "My KPIs"
    assert _fields(at) == ["NPS · Zuid · May 2026"]
    at.switch_page("pages/dashboard.py").run()  # an editor keeps every page
    assert not at.exception


def test_a_conflict_on_one_table_keeps_what_was_saved_and_stays_in_its_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpilogic.scorecard.model import Dataset, ManualTable, Scorecard

    path = tmp_path / "koers.sqlite3"
    monkeypatch.setenv("KOERS_DB", str(path))
    olga = Store(path).for_user(OLGA)
    # Two tables kept in Koers: the survey (NPS, complaints) and the sales (revenue).
    sales = Dataset(
        id="sales",
        name="Verkoop",
        source="sales.csv",
        date_column="Datum",
        manual=ManualTable(value_columns=["Omzet"]),
    )
    card = _card().model_copy(update={"datasets": [SURVEY, sales]})
    ws = olga.create_workspace("Klanten", Scorecard.model_validate(card.model_dump()), "nl").id
    olga.save_file(ws, "enquete.csv", SURVEY_CSV)
    olga.save_file(ws, "sales.csv", b"Datum,Omzet\n2026-04-01,1000\n")
    olga.update_settings(ws, {"as_of": date(2026, 6, 15).isoformat()})
    other = olga.create_workspace("Ander", Scorecard.model_validate(_card().model_dump()), "nl").id
    olga.share(other, BRAM, "contributor")
    at = _app(BRAM, ws=ws)
    assert not at.exception, at.exception
    assert "Omzet · mei 2026" in _fields(at)
    # Olga enters May's revenue while Bram's page is open; Bram types all three and saves.
    olga.enter_values(ws, "sales.csv", {("2026-05", "", "Omzet"): 777})
    typed = {"NPS · Noord · mei 2026": "44,5", "Omzet · mei 2026": "500"}
    for field in at.text_input:
        if field.label in typed:
            field.input(typed[field.label])
    _submit(at)
    at.run()
    assert not at.exception, at.exception
    # The survey's value is kept and said; the sales' is refused, naming the table.
    assert any("1 waarde bewaard" in s.value for s in at.success), [s.value for s in at.success]
    warning = [w.value for w in at.warning if "Iemand anders" in w.value]
    assert len(warning) == 1 and "je waarden voor Verkoop zijn niet bewaard" in warning[0]
    survey = stored_table(olga.load_file(ws, "enquete.csv"), SURVEY)
    may = survey[
        (survey["Regio"] == "Noord") & survey["Periode"].astype(str).str.startswith("2026-05")
    ]
    assert may["NPS"].tolist() == [44.5]
    assert b"777" in olga.load_file(ws, "sales.csv") and b"500" not in olga.load_file(
        ws, "sales.csv"
    )
    assert "Omzet · mei 2026" not in _fields(at)
    # In his other workspace the refusal of this one is not shown.
    at.selectbox(key="mine_workspace").set_value(other).run()
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "Iemand anders" in w.value]
