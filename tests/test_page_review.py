"""AppTest of the Review page: add a check-in through the widgets, see it in the list, on the
dashboard and in the store, keep a half-written one across language and page switches, see
the due list shrink, and delete a check-in only after confirming."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.engine.review import latest_completed_period
from kpilogic.workspace.store import Store, default_db_location
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches", "app_store_backend")

KPI = "revenue"  # "Revenue (all channels)" in the sample: monthly, owner Joost Bakker
KPI_NAME = "Revenue (all channels)"
KPI_NAME_NL = "Omzet (alle kanalen)"  # the Dutch sample's name of the same KPI
NOTE = "Footfall down because of the roadworks"
ACTION = "Flyers in the new housing area"


def _app(lang: str = "en", sample: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = lang
    at.run()
    if sample:
        at.button(key="start_sample").click().run()
    return at


def _review(at: AppTest) -> AppTest:
    at.switch_page("pages/review.py").run()
    assert not at.exception, at.exception
    return at


def _tables(at: AppTest) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe]


def _open_items(at: AppTest) -> list[tuple[str, str]]:
    """(KPI, period) of every row in the off-course and due tables."""
    out = []
    for table in _tables(at):
        kpi_col, period_col = table.columns[0], table.columns[1]
        out.extend(zip(table[kpi_col], table[period_col], strict=True))
    return out


def _due_period() -> str:
    return latest_completed_period("month", date.today()).label


# Month words as the pages show a period (issue 15), written out here, not taken from the app.
_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
}


def _shown(label: str, lang: str = "en") -> str:
    """``2026-10`` as the page shows it: "Oct 2026" / "okt 2026"."""
    year, month = label.split("-")
    return f"{_MONTHS[lang][int(month) - 1]} {year}"


def _stored(at: AppTest) -> list:
    ws = at.session_state["koers_workspace"]
    if ws is None:  # the sample, not yet saved: nothing stored
        return []
    return Store(default_db_location()).list_checkins(ws)


def test_without_a_workspace_the_page_explains_and_links_to_start() -> None:
    at = _review(_app("nl", sample=False))
    assert at.title[0].value == "Bespreken"
    assert "startpagina" in at.info[0].value
    assert not at.button  # no form without a workspace to keep check-ins in


def test_lists_what_is_due_with_owner_and_agreed_action() -> None:
    at = _review(_app("en"))
    assert at.title[0].value == "Review"
    assert (KPI_NAME, _shown(_due_period())) in _open_items(at)
    off, due = _tables(at)
    assert list(off.columns) == ["KPI", "Period", "Status", "Owner", "Agreed action"]
    assert list(due.columns) == ["KPI", "Period", "Status", "Why", "Owner"]
    row = due[due["KPI"] == KPI_NAME].iloc[0]
    assert row["Owner"] == "Joost Bakker (owner)"
    assert row["Why"].startswith("Period ended: due since")
    # The sample's ad spend is off track in October (the Marketing sheet's last month):
    # 3,884.56 against a budget of 3,600, lower is better, more than 5% (3,780) above it.
    assert "Ad spend" in off["KPI"].tolist()
    # Satisfaction, a mean over 20 of November's 30 days, is in progress: not off course.
    assert "Customer satisfaction (1–5)" not in off["KPI"].tolist()
    assert off["Agreed action"].str.len().min() > 0


def test_add_a_checkin_through_the_widgets() -> None:
    at = _review(_app("en"))
    assert at.session_state["koers_workspace"] is None  # the sample: shown, not yet saved
    before = _open_items(at)
    period = _due_period()
    next_review = date.today() + timedelta(days=40)

    # Write half of it, then switch language and page: nothing is lost.
    at.selectbox(key=f"review_period_{KPI}").select(period).run()
    at.text_area(key=f"review_note_{KPI}").input(NOTE).run()
    at.date_input(key=f"review_next_review_{KPI}").set_value(next_review).run()
    at.button_group(key="lang_widget").set_value("nl").run()
    assert at.title[0].value == "Bespreken"
    assert at.text_area(key=f"review_note_{KPI}").value == NOTE
    at.switch_page("pages/dashboard.py").run()
    _review(at)
    assert at.text_area(key=f"review_note_{KPI}").value == NOTE
    assert at.selectbox(key=f"review_period_{KPI}").value == period
    assert at.date_input(key=f"review_next_review_{KPI}").value == next_review
    assert at.text_input(key=f"review_who_{KPI}").value == "Joost Bakker (owner)"  # the owner
    at.text_area(key=f"review_action_{KPI}").input(ACTION).run()
    at.text_input(key=f"review_who_{KPI}").input("Joost").run()
    at.button(key=f"review_save_{KPI}").click().run()
    assert not at.exception, at.exception
    # The language switch showed the Dutch sample; the check-in made it the user's.
    assert any(f"{KPI_NAME_NL}, {_shown(period, 'nl')}" in s.value for s in at.success)
    ws = at.session_state["koers_workspace"]
    assert ws is not None

    # In the store, exactly as entered.
    stored = _stored(at)
    assert len(stored) == 1
    checkin = stored[0].checkin
    assert (checkin.kpi_id, checkin.period, checkin.note, checkin.action, checkin.who) == (
        KPI,
        period,
        NOTE,
        ACTION,
        "Joost",
    )
    assert checkin.next_review == next_review
    assert Store(default_db_location()).list_checkins(ws, KPI)[0].id == stored[0].id

    # In the list of earlier check-ins; the form is empty again; the due list shrank.
    assert any(NOTE in m.value for m in at.markdown)
    assert at.text_area(key=f"review_note_{KPI}").value == ""
    after = _open_items(at)
    assert (KPI_NAME, _shown(period)) in before
    assert (KPI_NAME_NL, _shown(period, "nl")) not in after
    assert len(after) == len(before) - 1

    # On the dashboard beside the KPI, in both languages, and after a page switch.
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    assert any(NOTE in c.value and "Joost" in c.value for c in at.caption)
    assert any("Laatste check-in" in c.value for c in at.caption)
    at.button_group(key="lang_widget").set_value("en").run()
    assert any(f"Latest check-in · {_shown(period)}" in c.value for c in at.caption)
    _review(at)
    assert any(NOTE in m.value for m in at.markdown)
    assert (KPI_NAME, _shown(period)) not in _open_items(at)


def test_saving_needs_a_note_or_an_action() -> None:
    at = _review(_app("en"))
    at.button(key=f"review_save_{KPI}").click().run()
    assert not at.exception
    assert "Write a note or an action first." in [e.value for e in at.error]
    assert _stored(at) == []


def test_delete_a_checkin_after_confirming() -> None:
    at = _review(_app("en"))
    before = _open_items(at)
    at.selectbox(key=f"review_period_{KPI}").select(_due_period()).run()
    at.text_area(key=f"review_note_{KPI}").input(NOTE).run()
    at.button(key=f"review_save_{KPI}").click().run()
    (kept,) = _stored(at)
    assert len(_open_items(at)) == len(before) - 1

    # "No" keeps it.
    at.button(key=f"review_delete_{kept.id}").click().run()
    assert any(_shown(_due_period()) in w.value for w in at.warning)
    at.button(key=f"review_delete_no_{kept.id}").click().run()
    assert len(_stored(at)) == 1
    assert not any("cannot be undone" in w.value for w in at.warning)

    # "Yes" deletes it, and the review is due again.
    at.button(key=f"review_delete_{kept.id}").click().run()
    at.button(key=f"review_delete_yes_{kept.id}").click().run()
    assert not at.exception
    assert _stored(at) == []
    assert "Check-in deleted." in [s.value for s in at.success]
    assert not any(NOTE in m.value for m in at.markdown)
    assert sorted(_open_items(at)) == sorted(before)


def test_the_download_page_offers_the_checkins_csv() -> None:
    at = _app("en")
    at.switch_page("pages/download.py").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Check-ins (CSV)" in labels
