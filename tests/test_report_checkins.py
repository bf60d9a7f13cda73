"""Check-ins in the downloads: the workbook's Check-ins sheet and the check-ins csv.

Uses the hand-checked evaluation of ``test_report_xlsx``: Revenue is on track in January
2026 and off track in February; Complaints is at risk in February.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl

from kpilogic.present.report import CHECKIN_COLUMNS, checkins_csv, report_xlsx
from kpilogic.scorecard.checkins import CheckIn
from tests.test_report_xlsx import CREATED, evaluation

INJECTION = '=HYPERLINK("http://x","y")'

CHECKINS = [
    CheckIn(
        kpi_id="complaints",
        period="2026-02",
        note="Two complaints about late bikes",
        action="+ phone both customers",
        who="Bo",
        created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    ),
    CheckIn(
        kpi_id="rev",
        period="2026-01",
        note="Good start",
        who="Ann",
        created_at=datetime(2026, 2, 2, 9, tzinfo=UTC),
    ),
    CheckIn(
        kpi_id="gone",  # a KPI since removed from the scorecard
        period="2026-01",
        note="old",
        created_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
    ),
    CheckIn(
        kpi_id="rev",
        period="2026-02",
        note=INJECTION,
        action="Newsletter to lapsed customers",
        who="@Ann",
        next_review=date(2026, 3, 15),
        created_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
    ),
]


def _sheet(lang: str = "en", checkins=CHECKINS):
    data = report_xlsx(evaluation(), lang, created=CREATED, checkins=checkins)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return wb["Check-ins"]


def test_the_sheet_lists_checkins_per_kpi_newest_first() -> None:
    ws = _sheet()
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=8)]
    assert [r[1:3] for r in rows] == [
        ["Revenue", "Feb 2026"],  # scorecard order, newest first within a KPI
        ["Revenue", "Jan 2026"],
        ["Complaints", "Feb 2026"],
        ["gone", "Jan 2026"],  # unknown KPIs last, by their id
    ]
    first = rows[0]
    assert first[0] == datetime(2026, 3, 1)  # the date it was made
    assert first[3] == "⛔ Off track"  # Revenue in February, as worked out by hand
    assert first[4] == INJECTION
    assert first[5] == "Newsletter to lapsed customers"
    assert first[6] == "@Ann"
    assert first[7] == datetime(2026, 3, 15)
    assert rows[1][3] == "✅ On track"
    assert rows[2][3] == "⚠️ At risk"
    assert rows[3][3] == "❔ No data"
    assert rows[1][7] is None  # no next review planned


def test_checkin_text_is_never_a_formula() -> None:
    ws = _sheet()
    for cell in (ws["E2"], ws["G2"], ws["F4"]):
        assert cell.data_type == "s", cell.coordinate
    assert ws["F4"].value == "+ phone both customers"


def test_the_sheet_in_dutch_with_dutch_dates() -> None:
    ws = _sheet("nl")
    assert [c.value for c in ws[1]][-1] == "Volgende bespreking"
    assert ws["D2"].value == "⛔ Uit koers"
    assert ws["A2"].number_format == "dd-mm-yyyy"
    assert ws.auto_filter.ref == "A1:H5"
    assert ws.conditional_formatting  # status colours, as on the other sheets


def test_without_checkins_the_sheet_says_so() -> None:
    ws = _sheet(checkins=())
    assert "No check-ins" in ws["A3"].value
    assert ws["A2"].value is None


def _csv(lang: str) -> list[list[str]]:
    text = checkins_csv(evaluation(), CHECKINS, lang).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if lang == "nl" else ","))


def test_checkins_csv() -> None:
    rows = _csv("en")
    assert rows[0] == list(CHECKIN_COLUMNS)
    assert len(rows) == 5
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first == {
        "kpi_id": "rev",
        "kpi": "Revenue",
        "period": "2026-02",
        "status": "off_track",
        "note": "'" + INJECTION,  # escaped: a spreadsheet shows it as text
        "action": "Newsletter to lapsed customers",
        "who": "'@Ann",
        "next_review": "2026-03-15",
        "created_at": "2026-03-01T10:00:00+00:00",
    }
    complaints = dict(zip(rows[0], rows[3], strict=True))
    assert complaints["action"] == "'+ phone both customers"
    assert complaints["next_review"] == ""


def test_checkins_csv_in_dutch_uses_semicolons() -> None:
    rows = _csv("nl")
    assert rows[0] == list(CHECKIN_COLUMNS)
    assert rows[1][1] == "Revenue"


def test_checkins_csv_without_checkins_has_the_header() -> None:
    text = checkins_csv(evaluation(), [], "en").decode("utf-8-sig")
    assert text.strip() == ",".join(CHECKIN_COLUMNS)
