"""AppTest: the KPI step says how a range's tolerance is measured (from the crossed bound)."""

from __future__ import annotations

import pytest

from tests.test_page_kpis import _app

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")


@pytest.mark.parametrize(
    ("lang", "fragment"),
    [
        ("en", "counted outward from the bound that was crossed"),
        ("nl", "telt de tolerantie vanaf de grens die is overschreden"),
    ],
)
def test_the_range_tolerance_rule_is_shown(lang: str, fragment: str) -> None:
    at = _app()
    at.session_state["koers_lang"] = lang
    at.run()
    assert not any(fragment in c.value for c in at.caption)  # not for higher is better
    at.radio(key="kpi_direction").set_value("range").run()
    assert not at.exception, at.exception
    assert any(fragment in c.value for c in at.caption)
    at.radio(key="kpi_tol_kind").set_value("absolute").run()
    assert not any(fragment in c.value for c in at.caption)  # an absolute amount: no bound
