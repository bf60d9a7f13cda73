"""ui.text.plain_md / tr / safe_message: user text is escaped once, the app's text not."""

from __future__ import annotations

import pytest

from kpilogic.errors import ReadError
from kpilogic.sources.notes import Note
from ui.text import Md, plain_md, safe_message, tr, tr_plain

J = "\u2060"  # the word joiner that keeps bare addresses from becoming links


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("Omzet (netto) 1.234,56 - 5%", "Omzet (netto) 1.234,56 - 5%"),  # nothing active
        ("orders_2026_q1.xlsx", "orders_2026_q1.xlsx"),  # underscores inside a word
        ("_klein_", "\\_klein\\_"),  # underscores that would make italics
        ("![x](a.png)", "!\\[x\\](a.png)"),  # an image
        ("[log in](javascript:x)", "\\[log in\\](javascript\\:x)"),  # a link
        ("<img src=x>", "\\<img src=x\\>"),  # HTML
        ("http://e.vil", f"http\\:{J}//e.vil"),  # a bare address
        ("www.e.vil", f"www{J}\\.e.vil"),
        ("me@e.vil", f"me{J}\\@e.vil"),  # an e-mail address
        ("**b** `c` ~s~ $x$", "\\*\\*b\\*\\* \\`c\\` \\~s\\~ \\$x\\$"),
        (":red[r] :skull:", "\\:red\\[r\\] \\:skull\\:"),  # Streamlit's colour and emoji codes
        ("a\n\n# kop\r\n> quote", "a \\# kop \\> quote"),  # no line of its own
        ("C:\\pad", "C\\:\\\\pad"),  # a backslash stays a backslash
    ],
)
def test_plain_md_escapes_what_markdown_would_act_on(typed: str, escaped: str) -> None:
    assert plain_md(typed) == escaped
    assert isinstance(plain_md(typed), Md)
    assert plain_md(plain_md(typed)) == escaped  # escaped once, never twice


def test_tr_escapes_text_parameters_but_not_app_markdown() -> None:
    name = "[x](http://e.vil)"
    shown = tr("start.ws_opened", name=name)
    assert plain_md(name) in shown and name not in shown
    assert isinstance(shown, Md)
    # a message passed on as a parameter is not escaped again
    outer = tr("app.current_scorecard", name=shown)
    assert plain_md(name) in outer and "\\\\" not in outer
    # plain text for selectbox options and stored names: as typed
    assert name in tr_plain("start.ws_copy_name", name=name)


def test_safe_message_escapes_error_and_note_parameters() -> None:
    err = ReadError("error.read.empty", name="![p](http://e.vil/p.png).csv")
    text = safe_message(err)
    assert "!\\[p\\]" in text and "![p]" not in text
    assert err.params["name"] == "![p](http://e.vil/p.png).csv"  # the error itself unchanged
    note = Note(
        "layout.unpivot_chosen", {"count": 3, "first": "<b>j</b>", "last": "m", "ids": ["*a*"]}
    )
    text = safe_message(note)
    assert "\\<b\\>j\\</b\\>" in text and "\\*a\\*" in text


def test_safe_message_of_a_scorecard_formula_error_names_the_kpi_escaped() -> None:
    import json

    from kpilogic.scorecard.model import Scorecard, ScorecardFormulaError
    from tests.conftest import SAMPLE_DIR

    raw = json.loads((SAMPLE_DIR / "koers_sample_scorecard.json").read_text(encoding="utf-8"))
    kpi = next(k for k in raw["kpis"] if k["measure"].get("formula"))
    kpi["name"] = "[x](http://e.vil) **K**"
    kpi["measure"]["formula"] = "sum(Revenue"
    with pytest.raises(ScorecardFormulaError) as caught:
        Scorecard.from_dict(raw)
    text = safe_message(caught.value)
    assert plain_md("[x](http://e.vil) **K**") in text and "sum(Revenue" in text
    assert caught.value.params["kpi"] == "[x](http://e.vil) **K**"  # the error unchanged
