"""Issue 18: on the Data page a user makes a table kept in Koers (AppTest, real SQLite store);
its values are typed in the table (checked in tests/test_manual.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.workspace.store import Store, default_db_path
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


def test_a_table_is_made_with_its_columns_and_kept_in_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_HOME", str(tmp_path))
    monkeypatch.delenv("KOERS_DB", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    submit = "FormSubmitter:manual_new-Tabel maken"
    # Without value columns: said, nothing made.
    at.text_input(key="manual_name").input("Enquête")
    at.button(key=submit).click().run()
    assert any("minstens één kolom met waarden" in e.value for e in at.error)
    at.text_input(key="manual_values").input("NPS, Reacties")
    at.text_input(key="manual_segment").input("Winkel")
    at.button(key=submit).click().run()
    assert not at.exception
    card = at.session_state["koers_scorecard"]
    (ds,) = card.datasets
    assert (ds.name, ds.source, ds.date_column) == ("Enquête", "enqu_te.csv", "Periode")
    assert ds.manual is not None
    assert (ds.manual.value_columns, ds.manual.segment_column) == (["NPS", "Reacties"], "Winkel")
    ws = at.session_state["koers_workspace"]
    db = Store(default_db_path())
    assert db.load_file(ws, "enqu_te.csv") == b"Periode,Winkel,NPS,Reacties\n"
    assert db.load_scorecard(ws).datasets[0].manual == ds.manual
    assert any("De tabel Enquête is gemaakt" in s.value for s in at.success)

    # Not used by a KPI: the table can be removed, its rows with it.
    at.button(key=f"manual_remove_{ds.id}").click().run()
    assert not at.exception
    assert db.load_scorecard(ws).datasets == []
    assert [f.name for f in db.list_files(ws)] == []
    assert any(
        "De tabel Enquête en de waarden ervan zijn verwijderd" in s.value for s in at.success
    )
