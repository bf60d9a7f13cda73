"""Issue 16: one workspace service under the app and the command line.

A workspace whose datasets carry the user's corrections (a header row chosen by hand, a text
column typed as numbers) gives the same evaluation in the app (AppTest over a real SQLite
store) as ``koers evaluate`` on the downloaded scorecard and its file (a real subprocess).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.service import SourceFile, evaluate, load, with_legacy_kinds
from kpilogic.workspace.store import Store, default_db_path
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

FILE = "kassa.xlsx"


def _workbook() -> bytes:
    """A shop export: a title and a note above the header, amounts typed by hand, half of
    them words ("n.v.t.", "onbekend"), so Koers reads the Bedrag column as text."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Kassa-export Winkel Utrecht"])
    ws.append(["Aangemaakt door het kassasysteem"])
    ws.append(["Datum", "Winkel", "Bedrag"])
    rows = [
        (datetime(2025, 1, 6), "Utrecht", 100.0),
        (datetime(2025, 1, 20), "Utrecht", "n.v.t."),
        (datetime(2025, 1, 27), "Utrecht", "onbekend"),
        (datetime(2025, 2, 3), "Utrecht", 40.0),
        (datetime(2025, 2, 17), "Utrecht", "n.v.t."),
        (datetime(2025, 2, 24), "Utrecht", 60.0),
        (datetime(2025, 3, 3), "Utrecht", "geen"),
        (datetime(2025, 3, 31), "Utrecht", 30.0),
    ]
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _card(**corrections: object) -> Scorecard:
    ds = Dataset(id="kassa", name="Kassa", source=FILE, sheet="Sheet", date_column="Datum")
    return Scorecard(
        name="Winkel",
        datasets=[ds.model_copy(update=corrections)],
        goals=[Goal(id="g", title="Omzet")],
        kpis=[
            KPI(
                id="omzet",
                goal_id="g",
                name="Omzet",
                dataset_id="kassa",
                measure=Measure(aggregation="sum", column="Bedrag"),
                unit="currency",
                target=Target(value=90),
            )
        ],
    )


CORRECTED = {"header_row": 3, "column_kinds": {"Bedrag": "number"}}


def _values(summary: list[dict[str, object]]) -> dict[str, object]:
    return {str(row["period"]): row["actual"] for row in summary}


def test_corrections_on_the_dataset_decide_the_numbers() -> None:
    sources = {FILE: SourceFile(FILE, _workbook())}
    card = _card(**CORRECTED)
    loaded = load(card, sources, strict=True)
    corrected = evaluate(card, loaded)
    rows = corrected.summary().to_dict("records")
    # By hand: January 100 (the two words left out), February 40 + 60, March 30.
    assert _values(rows) == {"2025-01": 100.0, "2025-02": 100.0, "2025-03": 30.0}
    # The words are named in the parse report, not silently dropped.
    report = loaded.reports["kassa"].get("Bedrag")
    assert report is not None and report.failed == 4


def test_the_app_and_the_command_line_give_the_same_evaluation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_HOME", str(tmp_path / "home"))
    data = _workbook()
    card = _card(**CORRECTED)
    db = Store(default_db_path())
    ws = db.create_workspace("Winkel", card, "nl")
    db.save_file(ws.id, FILE, data)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["ws"] = ws.id
    at.session_state["koers_lang"] = "en"
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    _, app_ev, problems = at.session_state["koers_eval_memo"]
    assert problems == {}

    # The scorecard as the Download page offers it, and the file as uploaded.
    (tmp_path / FILE).write_bytes(data)
    (tmp_path / "scorecard.json").write_text(db.load_scorecard(ws.id).to_json())
    out = tmp_path / "out.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "kpilogic.cli", "evaluate", str(tmp_path / FILE)),
            *("--scorecard", str(tmp_path / "scorecard.json"), "--out", str(out)),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    cli_rows = json.loads(out.read_text())
    cli_rows = cli_rows["summary"]
    app_rows = app_ev.summary().to_dict("records")
    assert (
        _values(cli_rows)
        == _values(app_rows)
        == {
            "2025-01": 100.0,
            "2025-02": 100.0,
            "2025-03": 30.0,
        }
    )
    assert [r["status"] for r in cli_rows] == [r["status"] for r in app_rows]


def test_column_types_from_an_older_koers_move_onto_the_scorecard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before issue 16 the column-type corrections were kept in the workspace's settings.
    monkeypatch.setenv("KOERS_HOME", str(tmp_path / "home"))
    db = Store(default_db_path())
    ws = db.create_workspace("Winkel", _card(header_row=3), "en")
    db.save_file(ws.id, FILE, _workbook())
    db.save_settings(ws.id, {"lang": "en", "kinds": {"kassa": {"Bedrag": "number"}}})

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["ws"] = ws.id
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    saved = db.load_scorecard(ws.id)
    assert saved.datasets[0].column_kinds == {"Bedrag": "number"}
    assert not db.get_settings(ws.id).get("kinds")
    _, app_ev, _ = at.session_state["koers_eval_memo"]
    assert _values(app_ev.summary().to_dict("records"))["2025-02"] == 100.0  # 40 + 60


def test_legacy_kinds_never_override_the_scorecards_own() -> None:
    card = _card(column_kinds={"Bedrag": "text"})
    moved = with_legacy_kinds(card, {"kinds": {"kassa": {"Bedrag": "number"}}})
    assert moved.datasets[0].column_kinds == {"Bedrag": "text"}
    bare = _card()
    moved = with_legacy_kinds(bare, {"kinds": {"kassa": {"Bedrag": "number"}}})
    assert moved.datasets[0].column_kinds == {"Bedrag": "number"}
    assert with_legacy_kinds(bare, {}) is bare


def test_a_scorecard_without_corrections_is_written_as_before() -> None:
    text = _card().to_json()
    assert "column_kinds" not in text
    assert '"column_kinds"' in _card(column_kinds={"Bedrag": "number"}).to_json()


def test_a_long_column_name_can_be_corrected_and_read_back() -> None:
    from kpilogic.errors import ScorecardError
    from kpilogic.workspace.service import legacy_kinds_moved, with_column_kinds

    card = _card()
    long_name = ("Hoe waarschijnlijk is het dat je ons aanbeveelt? " * 6).strip()  # 299 chars
    corrected = with_column_kinds(card, {"kassa": {long_name: "number"}})
    assert Scorecard.from_json(corrected.to_json()).datasets[0].column_kinds == {
        long_name: "number"
    }
    with pytest.raises(ScorecardError):
        with_column_kinds(card, {"kassa": {"x" * 1001: "number"}})
    # A legacy correction the schema refuses stays in the settings (not lost), the card as is.
    settings = {"kinds": {"kassa": {"x" * 1001: "number"}}}
    assert with_legacy_kinds(card, settings) is card
    assert not legacy_kinds_moved(card, settings)
