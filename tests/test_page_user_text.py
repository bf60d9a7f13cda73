"""User text is text: Markdown and HTML typed into any field reach every page as the
characters typed, never as a link, an image, HTML or formatting; ``?ws=`` is never echoed;
a page that fails shows a translated message, never a traceback."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.store import Store
from tests.conftest import ROOT
from ui.text import plain_md

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

MARK = "ZQX"
# Every way Markdown in Streamlit could turn text into something else: an image that loads
# from an address, links (also a fake "log in again"), raw HTML, bold, Streamlit's colour
# and emoji codes, a bare web address, an e-mail address, maths and a heading.
PAYLOAD = (
    f"{MARK} ![pic](http://127.0.0.1:9/p.png) [Session expired - log in again]"
    "(http://evil.example/login) <img src=x onerror=alert(1)> **bold** :red[red] :skull: "
    "www.evil.example me@evil.example $x^2$ # head"
)
FILE_NAME = f"{MARK} [log in](javascript:alert(1)) ![p](x.png) <b>b</b>.csv"
WS_ATTACK = "[Session expired — log in again](http://attacker.example/login)"

# Active Markdown that the escaped text must not contain: an unescaped "[" or "<", a
# colon, "@" or "$" without its backslash, "**" emphasis, or a "www." that is not "www\.".
_ACTIVE = re.compile(
    r"(?<!\\)\[|(?<!\\)<[A-Za-z/!]|(?<!\\):(?:red|skull|//)|(?<!\\)@evil|(?<!\\)\$x"
    r"|(?<!\\)\*\*bold|www\.evil|\n#"
)


def _values(at: AppTest) -> list[str]:
    """The text of every element that Streamlit renders as Markdown."""
    out: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "toast"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("title", "header", "subheader"):
        out += [str(e.value) for e in at.get(kind)]
    for kind in ("expander", "status"):
        out += [str(getattr(e, "label", "")) for e in at.get(kind)]
    for kind in ("metric",):
        out += [str(e.label) for e in at.get(kind)]
    for kind in ("button", "checkbox", "toggle"):
        out += [str(e.label) for e in at.get(kind)]
    return out


def _assert_text_only(values: list[str], where: str) -> None:
    for value in values:
        if MARK not in value:
            continue
        found = _ACTIVE.search(value)
        assert found is None, f"{where}: active Markdown {found.group(0)!r} in {value!r}"


def _workspace(home: Path) -> tuple[Store, str]:
    csv = (
        "Date;Revenue;"
        + PAYLOAD
        + "\n"
        + "\n".join(f"{d}-01-2026;{100 * d};x" for d in range(10, 29))
        + "\n"
    ).encode()
    goal = Goal(id="g", title=PAYLOAD, owner=PAYLOAD, why=PAYLOAD, deadline=date(2026, 12, 31))
    ds = Dataset(id="d", name=PAYLOAD, source=FILE_NAME, date_column="Date")
    kpi = KPI(
        id="k",
        goal_id="g",
        name=PAYLOAD,
        why=PAYLOAD,
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Revenue"),
        target=Target(kind="constant", value=5_000),
        owner=PAYLOAD,
        action=PAYLOAD,
        segment_column=PAYLOAD,
    )
    card = Scorecard(name=PAYLOAD, datasets=[ds], goals=[goal], kpis=[kpi])
    db = Store(home / "koers.sqlite3")
    ws = db.create_workspace(PAYLOAD, card, "en")
    db.save_file(ws.id, FILE_NAME, csv)
    note = CheckIn(kpi_id="k", period="2026-01", note=PAYLOAD, action=PAYLOAD, who=PAYLOAD)
    db.add_checkin(ws.id, note)
    return db, ws.id


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOERS_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_markdown_in_every_user_field_is_shown_as_text(home: Path, lang: str) -> None:
    _, ws_id = _workspace(home)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = lang
    at.query_params["ws"] = ws_id
    at.run()
    assert at.session_state["koers_workspace"] == ws_id
    seen: dict[str, list[str]] = {}
    for page in ("start", "data", "goals", "kpis", "dashboard", "review", "download"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        values = _values(at)
        _assert_text_only(values, page)
        seen[page] = values
    everything = "\n".join(v for values in seen.values() for v in values)
    escaped = plain_md(PAYLOAD)
    # The typed text is there, as text: workspace and KPI names, goal, owner, action, note…
    assert everything.count(escaped) >= 8, everything[:2000]
    assert plain_md(FILE_NAME) in "\n".join(seen["data"]) + "\n".join(seen["start"])
    # on the pages that show them
    assert escaped in "\n".join(seen["goals"])  # goal title
    assert escaped in "\n".join(seen["kpis"])  # KPI name
    assert escaped in "\n".join(seen["review"])  # check-in note, action, who


def test_a_crafted_ws_address_is_not_echoed(home: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["ws"] = WS_ATTACK
    at.run()
    assert not at.exception
    values = _values(at)
    assert not any("Session expired —" in v or "attacker" in v for v in values), values
    # it says, in plain words, what it says of any workspace one may not open ("no access"
    # and "does not exist" read the same)
    assert any("does not exist or you have no access to it" in v for v in values), values
    assert at.session_state["koers_workspace"] is None


def test_a_failing_page_shows_a_message_not_a_traceback(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_RAISE_PAGE_ERRORS", "0")  # as in production
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.button(key="start_sample").click().run()
    # Damaged session state makes the dashboard fail inside the page code.
    at.session_state["koers_as_of"] = "not a date"
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception  # Streamlit's own traceback box is not shown
    values = _values(at)
    failed = [v for v in values if "Er ging iets mis" in v]
    assert len(failed) == 1, values
    reference = re.search(r"\b[0-9a-f]{8}\b", failed[0])
    assert reference is not None, failed[0]
    for value in values:
        assert "Traceback" not in value and "AttributeError" not in value
        assert str(ROOT) not in value and ".py" not in value


def test_the_boundary_passes_streamlit_control_flow_and_shows_user_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOERS_RAISE_PAGE_ERRORS", "0")

    def script() -> None:
        import streamlit as st

        from kpilogic.errors import ReadError
        from ui.widgets import error_boundary

        with error_boundary():
            st.write("before")
            if st.session_state.get("mode") == "user":
                raise ReadError("error.read.empty", name="[x](http://e.vil)")
            if st.session_state.get("mode") == "stop":
                st.stop()
            raise RuntimeError("/srv/secret/path.py exploded")

    at: Any = AppTest.from_function(script)
    at.run()
    assert not at.exception
    assert "/srv/secret" not in " ".join(e.value for e in at.error)
    assert "went wrong" in at.error[0].value
    at.session_state["mode"] = "user"
    at.run()
    assert not at.exception
    # the user's error, its text escaped (and a word joiner inside "://")
    assert "\\[x\\](http\\:\u2060//e.vil)" in at.error[0].value
    at.session_state["mode"] = "stop"
    at.run()
    assert not at.exception and not at.error  # st.stop is not an error
    # In the test suite a failing page fails its test: the boundary re-raises.
    monkeypatch.setenv("KOERS_RAISE_PAGE_ERRORS", "1")
    at.session_state["mode"] = "crash"
    at.run()
    assert at.exception and "went wrong" in at.error[0].value


def test_streamlit_shows_no_error_details_to_users() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    # "none": no exception type, message or traceback in the browser ("false" would now
    # mean "stacktrace")
    assert config["client"]["showErrorDetails"] == "none"
