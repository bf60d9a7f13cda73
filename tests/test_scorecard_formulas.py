"""An imported scorecard is validated fully: every formula is parsed before it is accepted."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from kpilogic.errors import ScorecardError
from kpilogic.scorecard.model import Scorecard, ScorecardFormulaError
from kpilogic.workspace.store import Store, default_db_path
from tests.conftest import ROOT, SAMPLE_DIR


def _sample() -> dict[str, Any]:
    text = (SAMPLE_DIR / "koers_sample_scorecard.json").read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text)
    return raw


def _broken(formula: str) -> tuple[dict[str, Any], str]:
    raw = copy.deepcopy(_sample())
    kpi = next(k for k in raw["kpis"] if k["measure"].get("formula"))
    kpi["measure"]["formula"] = formula
    return raw, kpi["name"]


def test_the_sample_scorecard_with_its_formulas_is_valid() -> None:
    card = Scorecard.from_dict(_sample())
    assert sum(1 for k in card.kpis if k.measure.formula) >= 1


@pytest.mark.parametrize(
    "formula",
    [
        "sum(Profit) / (sum(Sales)",  # unclosed parenthesis
        "__import__('os').system('id')",  # not an aggregation
        "sum(Profit) +",  # ends too early
        "sum(Profit) ** 2",  # no such operator
        "1 +" * 300 + "1",  # far too long a chain (node limit)
    ],
)
def test_a_broken_formula_is_refused_naming_the_kpi(formula: str) -> None:
    raw, name = _broken(formula[:500])
    with pytest.raises(ScorecardError) as caught:
        Scorecard.from_json(json.dumps(raw))
    err = caught.value
    assert isinstance(err, ScorecardFormulaError)
    assert err.key == "error.scorecard.formula"
    for lang, word in (("en", "formula"), ("nl", "formule")):
        text = err.message(lang)
        assert f"'{name}'" in text and word in text
        assert "Traceback" not in text and "/" + "work" not in text


def test_building_a_card_in_code_with_a_broken_formula_is_a_validation_error() -> None:
    raw, _ = _broken("sum(Sales")
    with pytest.raises(ValidationError) as caught:
        Scorecard.model_validate(raw)
    assert "Sales" in str(caught.value)


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_the_start_page_refuses_the_import_and_stores_nothing() -> None:
    raw, name = _broken("sum(Revenue) / (count()")
    raw["name"] = "Imported with a broken formula"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["koers_lang"] = "nl"
    at.run()
    data = json.dumps(raw).encode()
    at.file_uploader(key="scorecard_upload").set_value(("kapot.json", data, "application/json"))
    at.run()
    at.button(key="scorecard_import").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(f"'{name}'" in e and "formule" in e for e in errors), errors
    assert at.session_state["koers_scorecard"] is None
    db = Store(default_db_path())
    assert all(w.name != raw["name"] for w in db.list_workspaces())
