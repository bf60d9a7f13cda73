"""Issue 18: a dataset kept in Koers itself — typed values checked (Dutch notation, one value
per period, no period that has not begun), kept as a CSV the command line reads, each value
in the audit log (a real SQLite store)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpilogic.scorecard.model import KPI, Dataset, Goal, ManualTable, Measure, Scorecard, Target
from kpilogic.workspace.audit import describe
from kpilogic.workspace.manual import (
    audit_details,
    changes,
    edited_table,
    editing_table,
    stored_table,
    table_csv,
)
from kpilogic.workspace.service import SourceFile, evaluate, load
from kpilogic.workspace.store import Store
from tests.conftest import ROOT

TODAY = date(2026, 6, 15)


def _ds(**spec: object) -> Dataset:
    manual = ManualTable.model_validate({"value_columns": ["NPS"], **spec})
    return Dataset(id="nps", name="Enquête", source="nps.csv", date_column="Periode", manual=manual)


def _typed(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Periode", "NPS"])


def test_dutch_entries_are_read_as_people_write_them() -> None:
    table, problems = edited_table(
        _typed(("mei 2026", "42,5"), ("2026-04", "1.234,5"), ("", "")), _ds(), "nl", TODAY
    )
    assert problems == []
    # Sorted by period; "1.234,5" is 1234.5 in Dutch notation; the empty row is left out.
    assert table["Periode"].tolist() == [date(2026, 4, 1), date(2026, 5, 1)]
    assert table["NPS"].tolist() == [1234.5, 42.5]
    assert table_csv(table, _ds()).decode() == "Periode,NPS\n2026-04-01,1234.5\n2026-05-01,42.5\n"
    # Back in the editor: the user's own notation and period words.
    shown = editing_table(table_csv(table, _ds()), _ds(), "nl")
    assert shown.values.tolist() == [["apr 2026", "1234,5"], ["mei 2026", "42,5"]]


def test_a_second_value_for_a_period_a_future_period_and_words_are_refused() -> None:
    typed = _typed(
        ("juni 2026", "40"),
        ("2026-06", "41"),  # the same month again
        ("juli 2026", "45"),  # has not begun on 15 June
        ("maart", "30"),  # no year: no period
        ("apr 2026", "veel"),
    )
    _, problems = edited_table(typed, _ds(), "nl", TODAY)
    assert problems == [
        "Rij 2: jun 2026 staat al in rij 1: één waarde per periode; pas die rij aan of maak "
        "deze leeg.",
        "Rij 3: jul 2026 is nog niet begonnen; vul hem in zodra hij begonnen is (of sta "
        "plannen toe voor deze tabel).",
        "Rij 4: ‘maart’ is geen periode: schrijf 2026-05, mei 2026 of 31-05-2026.",
        "Rij 5: ‘veel’ bij NPS is geen getal: schrijf het als 1234,5.",
    ]
    # A table that allows plans takes July.
    table, problems = edited_table(_typed(("juli 2026", "45")), _ds(allow_future=True), "nl", TODAY)
    assert problems == [] and table["NPS"].tolist() == [45.0]
    # English: the same rules in English words and notation.
    _, problems = edited_table(
        _typed(("June 2026", "1,234.5"), ("2026-06", "1")), _ds(), "en", TODAY
    )
    assert problems == [
        "Row 2: Jun 2026 is already in row 1: one value per period; change that row or "
        "empty this one."
    ]


def _card() -> Scorecard:
    return Scorecard(
        name="Klanten",
        datasets=[_ds()],
        goals=[Goal(id="g", title="Tevreden klanten")],
        kpis=[
            KPI(
                id="nps",
                goal_id="g",
                name="NPS",
                dataset_id="nps",
                measure=Measure(aggregation="mean", column="NPS"),
                target=Target(value=40),
            )
        ],
    )


def test_a_kpi_on_a_kept_table_is_evaluated_in_the_app_path_and_the_command_line(
    tmp_path: Path,
) -> None:
    table, _ = edited_table(_typed(("apr 2026", "38"), ("mei 2026", "44,5")), _ds(), "nl", TODAY)
    csv = table_csv(table, _ds())
    card = _card()
    ev = evaluate(card, load(card, {"nps.csv": SourceFile("nps.csv", csv)}, strict=True), TODAY)
    rows = ev.summary().set_index("period")
    # April 38 (below 40), May 44.5 (above).
    assert rows.loc["2026-04", "actual"] == 38.0 and rows.loc["2026-05", "actual"] == 44.5
    (tmp_path / "nps.csv").write_bytes(csv)
    (tmp_path / "card.json").write_text(card.to_json())
    out = tmp_path / "out.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "kpilogic.cli", "evaluate", str(tmp_path / "nps.csv")),
            *("--scorecard", str(tmp_path / "card.json"), "--out", str(out)),
            *("--as-of", "2026-06-15"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    cli = {r["period"]: r["actual"] for r in json.loads(out.read_text())["summary"]}
    assert cli["2026-04"] == 38.0 and cli["2026-05"] == 44.5


def test_every_value_typed_is_in_the_audit_log(tmp_path: Path) -> None:
    db = Store(tmp_path / "koers.sqlite3")
    ws = db.create_workspace("Klanten", _card(), "nl").id
    first, _ = edited_table(_typed(("apr 2026", "38")), _ds(), "nl", TODAY)
    db.save_file(
        ws,
        "nps.csv",
        table_csv(first, _ds()),
        entries=audit_details(changes(stored_table(None, _ds()), first, _ds())),
    )
    second, _ = edited_table(_typed(("apr 2026", "39"), ("mei 2026", "44")), _ds(), "nl", TODAY)
    found = changes(first, second, _ds())
    assert [(c.period, c.before, c.after) for c in found] == [
        ("2026-04", 38.0, 39.0),
        ("2026-05", None, 44.0),
    ]
    db.save_file(ws, "nps.csv", table_csv(second, _ds()), entries=audit_details(found, "Enquête"))
    entries = [e for e in db.audit_log(ws) if e.action == "manual.entry"]
    assert len(entries) == 3 and {e.user for e in entries} == {"local"}
    said = sorted(describe(e, "nl") for e in entries)
    assert said == [
        "Ingevoerd in Enquête: NPS apr 2026: 38 → 39",
        "Ingevoerd in Enquête: NPS mei 2026: – → 44",
        "Ingevoerd in nps.csv: NPS apr 2026: – → 38",  # saved without the table's name
    ]


@pytest.mark.parametrize("field", ["value_columns"])
def test_a_table_needs_a_value_column(field: str) -> None:
    with pytest.raises(ValueError):
        ManualTable.model_validate({field: []})
