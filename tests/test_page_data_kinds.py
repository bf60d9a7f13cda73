"""AppTest of the Data page: a column the user sets to number names what it left out.

The page types a corrected column with the parsers reading uses (``parsing.apply_kinds``)
and lists every value that did not convert with its spreadsheet row, in both languages.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.scorecard.model import Scorecard
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

# Of the five filled cells of Bedrag that are no Excel error, three read as numbers (60%):
# Koers leaves the column as text, the user sets it to number.
BELOW = (
    "Datum;Regio;Bedrag\r\n"
    "05-01-2026;Noord;€ 1.234,56\r\n"
    "12-01-2026;Zuid;n.v.t.\r\n"
    "19-01-2026;Noord;12,5\r\n"
    "26-01-2026;Oost;#DEEL/0!\r\n"
    "02-02-2026;Zuid;\r\n"
    "09-02-2026;Noord;zie bijlage\r\n"
    "16-02-2026;Oost;-3\r\n"
).encode()


def _unreadable(at: AppTest) -> pd.DataFrame:
    frames = [f.value for f in at.dataframe]
    found = [f for f in frames if "Bedrag" in f.iloc[:, 0].astype(str).tolist() and f.shape[1] == 3]
    assert len(found) == 1, [list(f.columns) for f in frames]
    return found[0]


@pytest.mark.parametrize(
    ("lang", "header"), [("en", ["Column", "Not readable"]), ("nl", ["Kolom", "Niet leesbaar"])]
)
def test_a_column_set_to_number_lists_its_unreadable_rows(lang: str, header: list[str]) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value(("below.csv", BELOW, "text/csv")).run()
    assert not at.exception
    card: Scorecard = at.session_state["koers_scorecard"]
    (ds,) = card.datasets
    # The correction as the Data page keeps it: on the scorecard's dataset.
    corrected = ds.model_copy(update={"column_kinds": {"Bedrag": "number"}})
    at.session_state["koers_scorecard"] = card.model_copy(update={"datasets": [corrected]})
    at.run()
    assert not at.exception
    table = _unreadable(at)
    assert list(table.columns)[:2] == header
    row = table[table.iloc[:, 0] == "Bedrag"].iloc[0]
    # n.v.t. (row 3) and "zie bijlage" (row 7); the Excel error of row 5 is counted apart.
    assert int(row.iloc[1]) == 2
    assert row.iloc[2] == "3, 7"


@pytest.mark.parametrize(
    ("lang", "shown"), [("nl", ["1234,56", "12,50"]), ("en", ["1234.56", "12.50"])]
)
def test_the_preview_writes_numbers_as_the_reader_does(lang: str, shown: list[str]) -> None:
    # Dutch amounts in the file: € 1.234,56 and 12,5 are 1234.56 and 12.5; the preview writes
    # them with the two decimals 1234.56 needs, in the page's notation, no thousands separator.
    data = "Datum;Bedrag\r\n05-01-2026;€ 1.234,56\r\n12-01-2026;12,5\r\n".encode()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["koers_lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload").set_value(("bedrag.csv", data, "text/csv")).run()
    assert not at.exception
    previews = [f.value for f in at.dataframe if list(f.value.columns) == ["Datum", "Bedrag"]]
    assert len(previews) == 1
    assert previews[0]["Bedrag"].tolist() == shown
