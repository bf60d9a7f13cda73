"""AppTest: a target kind added with ``register_kind`` appears in the KPI form with the
fields its class declares, saves, and comes back when the KPI is edited — with no change
to the form's code (ui/kpi_form/target.py draws fields by widget type)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import KPI, Scorecard
from kpilogic.scorecard.periods import Period
from kpilogic.scorecard.targets import (
    ActualOf,
    FormField,
    Target,
    TargetForm,
    register_kind,
    unregister_kind,
)
from kpilogic.workspace.service import SourceFile
from tests.conftest import ROOT
from tests.test_page_kpis import FILE, _card, _workbook

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


class StepUpTarget(Target):
    """Test-only kind: the previous period's actual plus ``step``."""

    kind: Literal["step_up"] = "step_up"  # type: ignore[assignment]
    step: float | None = None
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.growth",
        "kpis.target_help.growth",
        (FormField("step", "kpis.field.growth", "number", "step"),),
        None,
    )

    def resolve(
        self,
        kpi: KPI,
        period: Period,
        segment: str,
        actual_of: ActualOf,
        column_targets: Mapping[tuple[int, str], float],
    ) -> float | None:
        before = actual_of(period.shift(-1))
        return None if before is None or self.step is None else before + self.step


@pytest.fixture
def step_up() -> Iterator[None]:
    register_kind(StepUpTarget)
    try:
        yield
    finally:
        unregister_kind("step_up")


def test_a_registered_kind_is_entered_saved_and_edited(step_up: None) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    data = _workbook()
    at.session_state["koers_lang"] = "en"
    at.session_state["koers_files"] = {FILE: SourceFile(FILE, data, f"sha-{len(data)}")}
    at.session_state["koers_scorecard"] = _card()
    at.run()
    at.switch_page("pages/kpis.py").run()
    at.text_input(key="kpi_name").input("Revenue").run()
    at.selectbox(key="kpi_column").select("Revenue").run()
    # the five built-in kinds and the new one
    assert len(at.selectbox(key="kpi_target_kind").options) == 6
    at.selectbox(key="kpi_target_kind").select("step_up").run()
    assert at.selectbox(key="kpi_target_kind").value == "step_up"
    # the kind's one field, drawn as a number under the key kpi_<field key>
    at.number_input(key="kpi_step").set_value(25.0).run()
    assert not at.exception, at.exception
    at.button(key="kpi_save").click().run()
    assert not at.exception, at.exception
    card = at.session_state["koers_scorecard"]
    assert isinstance(card, Scorecard)
    (kpi,) = card.kpis
    assert isinstance(kpi.target, StepUpTarget)
    assert kpi.target.step == 25.0
    # editing shows the kind and its value again
    at.button(key=f"kpi_edit_{kpi.id}").click().run()
    assert at.selectbox(key="kpi_target_kind").value == "step_up"
    assert at.number_input(key="kpi_step").value == 25.0
