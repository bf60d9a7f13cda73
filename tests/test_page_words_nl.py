"""AppTest: every page in Dutch, with the sample open, shows no English word of the UI's own
vocabulary and no ISO date or period in running text (issue 15).

The walk collects every string of every element Streamlit sends for a page (titles, markdown,
captions, labels, help texts, options, metrics, expanders, static tables), the way a user sees
them, then strips the names that come from the user's data (the sample workbook's sheet and
column names are English on purpose: they are the shop's own files). What is left must be
Dutch: no word from ``ENGLISH`` (each one checked to be in the English side of the message
catalogue, so the list is the UI's vocabulary, not a guess) and no ``2026-11``/``2026-11-30``/
``2026-Q4``/``2026-W47``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from kpilogic.i18n import catalogue
from kpilogic.scorecard.model import Scorecard
from tests.conftest import ROOT, SAMPLE_DIR

PAGES = ["start", "data", "goals", "kpis", "dashboard", "review", "download"]

# Distinctive English words of the UI (all in the English side of the catalogue, asserted
# below). Left out on purpose, because Dutch uses the same word: KPI, dashboard, status, trend,
# score, check-in, deadline, filter, formule/formula's stem, week, data(set), marketing,
# upload/download (Dutch "uploaden"/"downloaden": "Upload je eigen bestand" is Dutch), "per",
# "in", "is", "of" (Dutch "of" = "or"), "over", "had".
ENGLISH = (
    "the", "and", "your", "you", "with", "which", "what", "when", "this", "from", "not",
    "target", "targets", "period", "periods", "owner", "on track", "off track", "at risk",
    "no data", "Choose", "date", "number", "category", "text", "Value", "values", "Revenue",
    "goal", "goals", "health", "pillar", "review", "due", "Save", "Delete", "Edit",
    "Cancel", "reliability", "tolerance", "projected", "previous", "month",
    "monthly", "quarter", "quarterly", "weekly", "yearly", "rows", "column", "columns", "file",
    "files", "sheet", "average", "sum", "count", "share", "Amount", "Next", "Back", "Measurable",
    "Specific", "Time-bound", "percentage points", "Sample", "settings",
)  # fmt: skip

# Parts of an element that are not text shown to people, or not ours to word:
# widget kinds and tags, icons, number/date formats and bounds, page links' script names,
# accepted file types (".xlsx"), and a date widget's value (the protocol carries ISO dates;
# the widget shows them as DD-MM-YYYY, see ``format=`` in the pages). The language switch
# names "English" in English on purpose: that is how an English reader finds it.
SKIP_FIELDS = {
    "type", "tag", "icon", "content_icon", "format", "min", "max", "page",
    "page_script_hash", "id", "form_id", "key", "spec", "data", "css", "src", "url",
    "theme", "element_hash", "styler", "width_config", "height_config", "arrow_data",
    "query", "args",
}  # fmt: skip
SKIP_PARTS = {("DateInput", "value"), ("DateInput", "default"), ("ButtonGroup", "content")}

KIND_COLUMN = "Soort"  # the Data page's table of column types (data.col.kind)

ISO = re.compile(r"(?<![\d-])\d{4}-(?:\d{2}-\d{2}|\d{2}|Q[1-4]|W\d{2})(?![\d-])")


def _strings(msg: Message) -> Iterator[tuple[str, str]]:
    for field, value in msg.ListFields():
        if field.name in SKIP_FIELDS:
            continue
        values = value if isinstance(value, list | tuple) or _repeated(value) else [value]
        for v in values:
            if isinstance(v, Message):
                yield from _strings(v)
            elif isinstance(v, str):
                yield field.name, v


def _repeated(value: object) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str | bytes | Message)


def _texts(node: object) -> Iterator[tuple[str, str]]:
    """(element kind, text) of every string in the element tree under ``node``."""
    kind = type(node).__name__
    if kind == "Table":  # a static table: its header and cells are shown as they are
        frame: pd.DataFrame = node.value  # type: ignore[attr-defined]
        for col in frame.columns:
            yield "Table.header", str(col)
        for cell in frame.astype(str).to_numpy().ravel():
            yield "Table.cell", cell
    elif kind == "Dataframe":  # a data grid shows the user's data; its headers are ours
        frame = node.value  # type: ignore[attr-defined]
        for col in frame.columns:
            yield "Dataframe.header", str(col)
        if KIND_COLUMN in frame.columns:  # the column types on the Data page are ours too
            for cell in frame[KIND_COLUMN].astype(str):
                yield "Dataframe.kind", cell
    else:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            for name, text in _strings(proto):
                if (kind, name) not in SKIP_PARTS:
                    yield kind, text
    children = getattr(node, "children", None)
    if children:
        for child in children.values() if isinstance(children, dict) else children:
            yield from _texts(child)


def _user_names() -> list[str]:
    """Sheet and column names of the sample workbook, longest first (so "Ad spend budget"
    goes before "Ad spend"): they are the shop's data, shown as the file has them."""
    book = openpyxl.load_workbook(SAMPLE_DIR / "koers_sample.xlsx", read_only=True)
    names = set(book.sheetnames)
    for sheet in book.worksheets:
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        names |= {str(h) for h in header if h is not None}
    # The sample's formulas, as its author wrote them: the formula language has English
    # function names (sum, count_distinct) in both languages.
    card = Scorecard.model_validate_json(
        (SAMPLE_DIR / "koers_sample_scorecard_nl.json").read_text(encoding="utf-8")
    )
    names |= {k.measure.formula for k in card.kpis if k.measure.formula}
    return sorted(names, key=len, reverse=True)


# Messages that quote the machine form on purpose, removed before the check: the download
# page says the csv's period column keeps the sortable form 2026-03 (that is what the file has).
ON_PURPOSE = ("download.csv_language_note",)


def _without_user_names(text: str, names: list[str]) -> str:
    for key in ON_PURPOSE:
        text = text.replace(catalogue()[key]["nl"].replace("`", ""), " ")
        text = text.replace(catalogue()[key]["nl"], " ")
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text)
    return text


@pytest.fixture(scope="module")
def dutch_pages(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, list[tuple[str, str]]]]:
    # Its own database: the check-in below makes the sample a saved workspace.
    old_db = os.environ.get("KOERS_DB")
    os.environ["KOERS_DB"] = str(tmp_path_factory.mktemp("words_nl") / "koers.sqlite3")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.button(key="start_sample").click().run()
    seen: dict[str, list[tuple[str, str]]] = {}
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        seen[page] = list(_texts(at._tree))
    # A check-in: its history line on the Review page and its caption on the dashboard
    # name the period and the dates too.
    at.switch_page("pages/review.py").run()
    at.text_area(key="review_note_satisfaction").input("Klachten over wachttijd").run()
    at.button(key="review_save_satisfaction").click().run()
    assert not at.exception, at.exception
    seen["review+checkin"] = list(_texts(at._tree))
    at.switch_page("pages/dashboard.py").run()
    seen["dashboard+checkin"] = list(_texts(at._tree))
    yield seen
    st.cache_data.clear()
    st.cache_resource.clear()
    if old_db is None:
        os.environ.pop("KOERS_DB", None)
    else:
        os.environ["KOERS_DB"] = old_db


def test_the_vocabulary_is_the_uis_own() -> None:
    english = " ".join(texts["en"] for texts in catalogue().values()).lower()
    missing = [w for w in ENGLISH if not re.search(rf"\b{re.escape(w.lower())}\b", english)]
    assert not missing, f"not in the English messages: {missing}"


def test_the_walk_sees_each_page(dutch_pages: dict[str, list[tuple[str, str]]]) -> None:
    # A walk that collected nothing would pass the tests below for nothing.
    titles = {page: [t for k, t in texts if k == "Title"] for page, texts in dutch_pages.items()}
    assert titles["data"] == ["Gegevens"] and titles["download"] == ["Downloaden"]
    assert titles["review"] == ["Bespreken"]
    # The check-in is on the Review page (the note is what was typed).
    assert any("Klachten over wachttijd" in text for _, text in dutch_pages["review+checkin"])
    # The column types are words of the user's language: "datum", never "date".
    kinds = {text for kind, text in dutch_pages["data"] if kind == "Dataframe.kind"}
    assert {"datum", "getal"} <= kinds <= {"datum", "getal", "categorie", "tekst"}
    assert all(len(texts) > 10 for texts in dutch_pages.values())


def _hits(texts: list[tuple[str, str]], pattern: re.Pattern[str]) -> list[str]:
    names = _user_names()
    out = []
    for kind, text in texts:
        clean = _without_user_names(text, names)
        for match in pattern.finditer(clean):
            out.append(f"{kind}: {match.group(0)!r} in {text[:140]!r}")
    return out


ENGLISH_WORD = re.compile(
    r"(?<![\w'-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w'-])", re.IGNORECASE
)

DUTCH_PAGES = [*PAGES, "review+checkin", "dashboard+checkin"]


@pytest.mark.parametrize("page", DUTCH_PAGES)
def test_no_english_word_in_dutch(page: str, dutch_pages: dict[str, list[tuple[str, str]]]):
    hits = _hits(dutch_pages[page], ENGLISH_WORD)
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("page", DUTCH_PAGES)
def test_no_iso_date_or_period_in_dutch(page: str, dutch_pages: dict[str, list[tuple[str, str]]]):
    hits = _hits(dutch_pages[page], ISO)
    assert not hits, "\n".join(hits)


def test_the_checks_catch_what_they_look_for() -> None:
    # The patterns themselves, on text made for it: an English word and an ISO month or day
    # are found; Dutch words that contain English ones ("datum", "periode") are not.
    assert ENGLISH_WORD.search("Omzet per period")
    assert ENGLISH_WORD.search("Kies een target")
    assert not ENGLISH_WORD.search("Omzet per periode, de datum en de doelwaarde")
    assert ISO.search("Webshopomzet · 2026-11") and ISO.search("deadline 2025-12-31")
    assert ISO.search("K4: 2026-Q4") and ISO.search("2026-W09")
    assert not ISO.search("dec 2025 · 31-12-2025 · 1.234,56")


@pytest.mark.usefixtures("clear_streamlit_caches")
def test_the_tolerance_of_a_percentage_kpi_is_in_points() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["koers_lang"] = "nl"
    at.run()
    at.button(key="start_sample").click().run()
    at.switch_page("pages/kpis.py").run()
    # An amount KPI: a percentage of the target, or an amount in its unit.
    at.selectbox(key="kpi_unit").select("currency").run()
    assert at.radio(key="kpi_tol_kind").options == ["Percentage van de doelwaarde", "Vast bedrag"]
    # A percentage KPI: no "Vast bedrag" and no "Tolerantie in Percentage (%)".
    at.selectbox(key="kpi_unit").select("percent").run()
    assert not at.exception, at.exception
    tol_kind = at.radio(key="kpi_tol_kind")
    assert tol_kind.options == ["Percentage van de doelwaarde", "Procentpunten"]
    assert at.number_input(key="kpi_tol_value").label == "Marge in % van de doelwaarde"
    tol_kind.set_value("absolute").run()
    assert at.number_input(key="kpi_tol_value").label == "Marge in procentpunten"
