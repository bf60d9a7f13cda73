"""Issue 12, the reading part: no row, value or date left out unnamed on real exports.

One generated workbook per messy case (``tests/trust_books.py``), with the expected values
worked out by hand below.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from kpilogic.engine.metrics import dataset_metrics, metric_problem
from kpilogic.engine.quality import assess_dataset
from kpilogic.errors import DataError
from kpilogic.i18n import t
from kpilogic.scorecard.model import KPI, Dataset, Filter, Goal, Measure, Scorecard, Target
from kpilogic.sources.ingest import read_grid
from kpilogic.sources.layout import guess_layout, tidy
from kpilogic.sources.notes import row_ranges
from kpilogic.sources.pipeline import read_dataset
from kpilogic.workspace.service import evaluate_files
from tests.cli_run import koers as _run_koers
from tests.conftest import ROOT
from tests.trust_books import (
    SALES_HALF,
    SALES_HEADER,
    SALES_ROWS,
    blank_column_export,
    blank_row_sales_export,
    header_below_a_report_line,
    mixed_notations_sheet,
    pre_1900_sheet,
    wide_metrics_sheet,
)

# Aantal cycles 1, 2, 3, 4 over the 1,254 rows: 1,254 = 4 × 313 + 2, so 313 full cycles of
# 1 + 2 + 3 + 4 = 10 and a last part 1 + 2: 3,130 + 3 = 3,133 pieces; Omzet is 12.50 a piece:
# 12.5 × 3,133 = 39,162.50.
SALES_PIECES = 3133
SALES_REVENUE = 39162.5


def _grid(data: bytes, name: str = "x.xlsx") -> pd.DataFrame:
    return read_grid(data, name, None, blanks_as_none=False)


def _ds(**update: object) -> Dataset:
    base = {"id": "d", "name": "d", "source": "x.xlsx", "date_column": "Datum"}
    return Dataset.model_validate({**base, **update})


def _card(ds: Dataset, kpi: KPI) -> Scorecard:
    goal = Goal(id="g", title="Groei", deadline=date(2026, 12, 31))
    return Scorecard(name="t", datasets=[ds], goals=[goal], kpis=[kpi])


# -- 1. a blank row or column inside a table --------------------------------------------------


def test_a_blank_row_halfway_does_not_split_the_sales_export() -> None:
    grid = _grid(blank_row_sales_export())
    guess = guess_layout(grid)
    # One table, the real header on spreadsheet row 3 (0-based 2), the two titles above.
    assert len(guess.tables) == 1
    assert guess.header_row == 2 and guess.names == tuple(SALES_HEADER)
    assert guess.title_rows == (0, 1)
    assert len(guess.data_rows) == SALES_ROWS
    # Rows with data: 1,254 + 1 header + 2 titles = 1,257 filled rows; without the header
    # and titles 1,254: every one read.
    assert (len(guess.data_rows), guess.rows_with_data) == (1254, 1254)
    # The blank row: header row 3 + 627 data rows = row 630, so the blank is row 631.
    assert guess.blank_rows == (3 + SALES_HALF,)
    assert guess.left_out() == [("title", (1, 2)), ("blank", (631,))]
    frame = tidy(grid, guess).frame
    assert frame["Aantal"].sum() == SALES_PIECES
    assert frame["Omzet"].sum() == pytest.approx(SALES_REVENUE, abs=1e-9)
    # First data row (row 4): 1 January, Klant 0; the first row after the blank (row 632) is
    # data row 627: day 627 // 4 = 156 after 1 January = 6 June 2025, Klant 627 % 7 = 4.
    assert frame["Datum"].iloc[0] == pd.Timestamp("2025-01-01")
    assert frame["Klant"].iloc[SALES_HALF] == "Klant 4"
    assert frame["Datum"].iloc[SALES_HALF] == pd.Timestamp("2025-06-06")
    assert guess.row_numbers[SALES_HALF] == 632


def test_the_header_row_the_user_sets_reads_the_whole_table() -> None:
    grid = _grid(blank_row_sales_export())
    # Header on row 3 (1-based) as the user typed it: still all 1,254 rows.
    guess = guess_layout(grid, header_row=2)
    assert guess.names == tuple(SALES_HEADER) and len(guess.data_rows) == SALES_ROWS


def test_combine_reads_stacked_tables_as_one() -> None:
    grid = _grid(header_below_a_report_line())
    # Auto: the report line is taken for the header; combining keeps every row anyway.
    combined = guess_layout(grid, combine=True)
    assert len(combined.data_rows) == 4  # "Datum/Omzet" + 3 months, under "Rapport/Q1"


def test_a_blank_spacer_column_does_not_split_the_table() -> None:
    grid = _grid(blank_column_export())
    guess = guess_layout(grid)
    assert len(guess.tables) == 1
    assert guess.names == ("Datum", "Klant", "Product", "Aantal", "Omzet")
    assert guess.blank_columns == (2,)
    frame = tidy(grid, guess).frame
    # Omzet 10 × (1 + 2 + … + 10) = 10 × 55 = 550; Aantal 55.
    assert frame["Omzet"].sum() == 550.0 and frame["Aantal"].sum() == 55.0
    assert list(frame["Product"][:2]) == ["Product 0", "Product 1"]


def test_rows_outside_the_table_are_named_with_their_reason() -> None:
    grid = _grid(header_below_a_report_line())
    guess = guess_layout(grid, header_row=1)
    # The report line (row 1) is now a title row above the real header (row 2).
    assert guess.names == ("Datum", "Omzet") and guess.left_out() == [("title", (1,))]
    frame = tidy(grid, guess).frame
    quality = assess_dataset(frame, report=None, left_out=guess.left_out())
    (finding,) = [f for f in quality.findings if f.key.startswith("quality.left_out")]
    assert finding.message("en") == (
        "1 row not read as data (title rows above the column names): row 1."
    )
    assert finding.message("nl") == (
        "1 rij niet als gegevens gelezen (titelrijen boven de kolomnamen): rij 1."
    )


def test_row_ranges_name_every_row() -> None:
    assert row_ranges([7, 1, 2, 3, 9, 10]) == "1\u20133, 7, 9\u201310"
    assert row_ranges([]) == ""


# -- the CLI honours the dataset's header_row -------------------------------------------------


def _koers(*args: str) -> subprocess.CompletedProcess[str]:
    return _run_koers(*args)


def test_cli_honours_header_row_in_the_scorecard(tmp_path: Path) -> None:
    book = tmp_path / "rapport.xlsx"
    book.write_bytes(header_below_a_report_line())
    kpi = KPI(
        id="omzet",
        goal_id="g",
        name="Omzet",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Omzet"),
        target=Target(value=200),
    )
    card = _card(_ds(source="rapport.xlsx", header_row=2), kpi)
    path = tmp_path / "card.json"
    path.write_text(card.model_dump_json(), encoding="utf-8")
    assert json.loads(path.read_text())["datasets"][0]["header_row"] == 2
    out = tmp_path / "out.json"
    done = _koers("evaluate", str(book), "--scorecard", str(path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    # Jan 100, Feb 250, Mar 400, each from its own row under the header on row 2.
    for amount in ("100", "250", "400"):
        assert amount in text
    # Without header_row the report line is the header and there is no Datum column.
    plain = _card(_ds(source="rapport.xlsx"), kpi)
    path.write_text(plain.model_dump_json(), encoding="utf-8")
    refused = _koers("evaluate", str(book), "--scorecard", str(path), "--out", str(out))
    assert refused.returncode == 1 and "Datum" in refused.stderr


def test_pipeline_header_row_gives_the_monthly_values() -> None:
    kpi = KPI(
        id="omzet",
        goal_id="g",
        name="Omzet",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Omzet"),
        target=Target(value=200),
    )
    card = _card(_ds(source="rapport.xlsx", header_row=2), kpi)
    ev = evaluate_files(card, {"rapport.xlsx": header_below_a_report_line()}, date(2025, 3, 31))
    assert ev.kpi_rows("omzet")["actual"].tolist() == [100.0, 250.0, 400.0]


# -- 4. a wide sheet with several metrics -----------------------------------------------------


def test_unpivoted_metrics_get_their_own_column_in_the_users_language() -> None:
    data = wide_metrics_sheet()
    english = read_dataset(data, "x.xlsx", _ds(date_column="Date"))
    assert list(english.frame.columns) == ["Metric", "Date", "Value"]
    dutch = read_dataset(data, "x.xlsx", _ds(column_language="nl"))
    assert list(dutch.frame.columns) == ["Maatstaf", "Datum", "Waarde"]
    # 3 metrics × 3 months = 9 rows; Omzet in March is 1,200.
    assert len(dutch.frame) == 9
    march = dutch.frame[
        (dutch.frame["Maatstaf"] == "Omzet") & (dutch.frame["Datum"] == pd.Timestamp("2026-03-01"))
    ]
    assert march["Waarde"].tolist() == [1200.0]
    metrics = dataset_metrics(_ds(column_language="nl"), dutch)
    assert metrics is not None
    assert metrics.column == "Maatstaf" and metrics.value_column == "Waarde"
    assert metrics.names == ("Omzet", "Kosten", "Orders")


def _value_kpi(*filters: Filter) -> KPI:
    return KPI(
        id="omzet",
        goal_id="g",
        name="Omzet",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Waarde"),
        filters=list(filters),
        target=Target(value=1000),
    )


def test_a_kpi_on_the_value_column_must_choose_one_metric() -> None:
    ds = _ds(column_language="nl")
    files = {"x.xlsx": wide_metrics_sheet()}
    other = _value_kpi(Filter(column="Maatstaf", value="Kosten")).model_copy(
        update={"id": "kosten", "name": "Kosten"}
    )
    card = _card(ds, _value_kpi()).model_copy(update={"kpis": [_value_kpi(), other]})
    ev = evaluate_files(card, files, date(2026, 3, 31))
    # The unfiltered KPI is refused with the reason; the filtered one is evaluated.
    error = ev.errors["omzet"]
    assert isinstance(error, DataError) and error.key == "error.kpi.one_metric"
    assert "'Omzet', 'Kosten', 'Orders'" in error.message("en")
    assert "Voeg een filter 'Maatstaf'" in error.message("nl")
    assert ev.kpi_rows("omzet").empty
    # Kosten: 600, 650, 700 (not 600 + 1,000 + 40 = 1,640 in January).
    assert ev.kpi_rows("kosten")["actual"].tolist() == [600.0, 650.0, 700.0]
    # Filtered to Omzet: 1,000, 1,100, 1,200.
    card = _card(ds, _value_kpi(Filter(column="Maatstaf", value="Omzet")))
    ev = evaluate_files(card, files, date(2026, 3, 31))
    assert not ev.errors
    assert ev.kpi_rows("omzet")["actual"].tolist() == [1000.0, 1100.0, 1200.0]


def test_metric_problem_is_none_for_an_ordinary_wide_sheet() -> None:
    # The messy Dutch workbook's rows are regions and channels: summing them is meant.
    from tests.messy import messy_dutch_workbook

    tidy_ = read_dataset(messy_dutch_workbook(), "x.xlsx", _ds(date_column="Date"))
    assert tidy_.wide is not None and tidy_.wide.metric_column is None
    assert dataset_metrics(_ds(date_column="Date"), tidy_) is None
    kpi = _value_kpi().model_copy(update={"measure": Measure(aggregation="sum", column="Value")})
    assert metric_problem(kpi, None) is None


def test_the_cli_refuses_a_kpi_that_mixes_metrics(tmp_path: Path) -> None:
    book = tmp_path / "x.xlsx"
    book.write_bytes(wide_metrics_sheet())
    path = tmp_path / "card.json"
    path.write_text(_card(_ds(column_language="nl"), _value_kpi()).model_dump_json())
    out = tmp_path / "o.json"
    done = _koers("evaluate", str(book), "--scorecard", str(path), "--out", str(out))
    assert "holds different metrics" in done.stderr and "Traceback" not in done.stderr
    # A refused KPI is a skipped KPI: exit 1 and no report, unless a partial one is accepted.
    assert done.returncode == 1 and not out.exists()
    done = _koers(
        "evaluate", str(book), "--scorecard", str(path), "--out", str(out), "--allow-partial"
    )
    assert done.returncode == 0, done.stderr
    # No sum of euros and order counts is written for the refused KPI.
    assert "1640" not in out.read_text(encoding="utf-8")  # 1,000 + 600 + 40 in January


# -- 8. mixed notations and dates before 1900 -------------------------------------------------


def test_mixed_notations_in_one_column_are_all_read() -> None:
    result = read_dataset(mixed_notations_sheet(), "x.xlsx", _ds())
    report = result.report.get("Omzet")
    assert report is not None
    # Read: 10 + 20.5 + 40 ("€ 40") + 1,234.5 ("1.234,5") + 7 + 2.5 ("2,5") + 0.75 ("0.75")
    # + 3 = 1,318.25; "onbekend" on spreadsheet row 9 is no number.
    assert result.frame["Omzet"].sum() == pytest.approx(1318.25, abs=1e-9)
    assert (report.parsed, report.failed, report.failed_rows) == (8, 1, (9,))
    # Two Dutch texts ("1.234,5", "2,5") against one English ("0.75"): Dutch wins and
    # "0.75" is the one value read in the other notation.
    assert report.notation == "nl" and report.other_notation == 1
    quality = assess_dataset(result.frame, report=result.report, rows=result.row_numbers)
    messages = [f.message("en") for f in quality.findings]
    assert "'Omzet': the 1 value that could not be read is on row 9." in messages
    assert any("other number notation" in m for m in messages)


def test_a_chosen_notation_is_kept_to_the_letter() -> None:
    result = read_dataset(mixed_notations_sheet(), "x.xlsx", _ds(notation="nl"))
    report = result.report.get("Omzet")
    assert report is not None
    # "0.75" (row 8) is no Dutch number; "onbekend" (row 9) none at all.
    assert report.failed_rows == (8, 9) and report.other_notation == 0


def test_dates_before_1900_are_read_and_older_ones_named() -> None:
    result = read_dataset(pre_1900_sheet(), "h.xlsx", _ds(source="h.xlsx"))
    frame = result.frame
    assert list(frame["Datum"][3:5]) == [pd.Timestamp("1890-03-15"), pd.Timestamp("1899-12-31")]
    report = result.report.get("Datum")
    assert report is not None
    # 3 real dates + 2 before 1900 read; 1650 is before the earliest date Koers can hold.
    assert (report.parsed, report.failed_rows) == (5, (7,))
    assert pd.isna(frame["Datum"].iloc[5])


def test_a_date_column_with_many_unreadable_dates_names_each_one() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Datum", "Bedrag"])
    ws.append([datetime(2025, 1, 1), 1.0])
    ws.append([datetime(2025, 1, 2), 2.0])
    ws.append(["01-01-1650", 3.0])
    ws.append(["gisteren", 4.0])
    import io

    buf = io.BytesIO()
    wb.save(buf)
    # Two of four cells are dates: too few for the column to be taken for dates on its own,
    # but it is the dataset's date column, so the other two are named (rows 4 and 5).
    result = read_dataset(buf.getvalue(), "x.xlsx", _ds())
    report = result.report.get("Datum")
    assert report is not None and report.failed_rows == (4, 5)


def test_every_new_message_exists_in_both_languages() -> None:
    keys = json.loads((ROOT / "kpilogic" / "locales" / "trust_ingest.json").read_text("utf-8"))
    for key in keys:
        assert t(key, "en") != key and t(key, "nl") != key


def test_the_evaluations_quality_report_names_the_rows_left_out() -> None:
    kpi = KPI(
        id="omzet",
        goal_id="g",
        name="Omzet",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Omzet"),
        target=Target(value=5000),
    )
    card = _card(_ds(), kpi)
    ev = evaluate_files(card, {"x.xlsx": blank_row_sales_export()}, date(2025, 11, 30))
    assert ev.quality is not None
    found = {f.key: f.message("en") for f in ev.quality.datasets["d"].findings}
    # Titles on rows 1–2 and the blank row 631 (see the test above), each with its reason.
    assert found["quality.left_out.title"] == (
        "2 rows not read as data (title rows above the column names): rows 1\u20132."
    )
    assert found["quality.left_out.blank"] == "1 row not read as data (empty): row 631."
    # Every row read: the monthly sums add up to the hand total 39,162.50.
    assert round(float(ev.kpi_rows("omzet")["actual"].sum()), 2) == SALES_REVENUE


def test_two_tables_of_one_kind_side_by_side_stay_two() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Maand", "Omzet", None, "Maand", "Omzet"])
    for month in range(1, 4):
        ws.append([datetime(2025, month, 1), 100.0 * month, None, datetime(2026, month, 1), 1.0])
    import io

    buf = io.BytesIO()
    wb.save(buf)
    guess = guess_layout(_grid(buf.getvalue()))
    # Same rows, but the same column names: a 2025 table and a 2026 table, not one table.
    assert [t.a1 for t in guess.tables] == ["A1:B4", "D1:E4"]


def test_a_column_set_to_number_by_hand_names_every_cell_it_could_not_convert() -> None:
    import io

    from openpyxl import Workbook

    from kpilogic.workspace.service import SourceFile, load

    wb = Workbook()
    ws = wb.active
    ws.append(["Datum", "Bedrag"])
    for day, cell in enumerate([10.0, "n.v.t.", "onbekend", 5.0], start=1):
        ws.append([datetime(2025, 1, day), cell])
    buf = io.BytesIO()
    wb.save(buf)
    kpi = KPI(
        id="b",
        goal_id="g",
        name="Bedrag",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Bedrag"),
        target=Target(value=1),
    )
    # Half the cells are words: reading leaves the column as text; the user says "number"
    # (a correction kept on the dataset, so the command line reads it the same way).
    card = _card(_ds().model_copy(update={"column_kinds": {"Bedrag": "number"}}), kpi)
    loaded = load(card, {"x.xlsx": SourceFile("x.xlsx", buf.getvalue())}, strict=True)
    assert loaded.frames["d"]["Bedrag"].sum() == 15.0  # 10 + 5
    report = loaded.tidies["d"].report.get("Bedrag")
    assert report is not None
    # "n.v.t." on row 3 and "onbekend" on row 4: named, not counted as empty cells.
    assert (report.parsed, report.failed, report.failed_rows) == (2, 2, (3, 4))
    assert [e.value for e in report.examples] == ["n.v.t.", "onbekend"]


def test_a_table_below_with_years_for_column_names_is_still_a_new_table() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Regio", "Omzet", "Kosten"])
    ws.append(["Noord", 100.0, 60.0])
    ws.append(["Zuid", 200.0, 90.0])
    ws.append([])
    ws.append(["Regio", 2024, 2025])  # years as column names: numbers, but a header
    ws.append(["Noord", 1000.0, 1100.0])
    ws.append(["Zuid", 1500.0, 1600.0])
    import io

    buf = io.BytesIO()
    wb.save(buf)
    guess = guess_layout(_grid(buf.getvalue()))
    assert [t.a1 for t in guess.tables] == ["A1:C3", "A5:C7"]


def test_combine_tables_on_the_dataset_is_honoured_by_the_pipeline() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Datum", "Omzet"])
    ws.append([datetime(2025, 1, 1), 10.0])
    ws.append([datetime(2025, 1, 2), 20.0])
    ws.append([])
    ws.append(["Dag", "Bedrag"])  # row 5: another header, so another table
    ws.append([datetime(2025, 2, 1), 30.0])
    ws.append([datetime(2025, 2, 2), 40.0])
    import io

    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    apart = read_dataset(data, "x.xlsx", _ds())
    assert len(apart.layout.tables) == 2 and apart.frame["Omzet"].sum() == 30.0  # 10 + 20
    # The rows of the other table are named, not silently dropped: rows 5–7.
    assert ("outside", (5, 6, 7)) in apart.layout.left_out()
    together = read_dataset(data, "x.xlsx", _ds(combine_tables=True))
    # 10 + 20 + 30 + 40 = 100; the second header row (row 5) is read as a row and its
    # "Dag" and "Bedrag" are named as unreadable on row 5, not skipped without a word.
    assert together.frame["Omzet"].sum() == 100.0
    omzet, datum = together.report.get("Omzet"), together.report.get("Datum")
    assert omzet is not None and datum is not None
    assert omzet.failed_rows == (5,) and datum.failed_rows == (5,)


def test_an_amount_column_with_one_word_stays_numbers_not_dates() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Datum", "Omzet"])
    for day, cell in enumerate([10.0, 20.0, "n.v.t.", 30.0, 40.0], start=1):
        ws.append([datetime(2025, 1, day), cell])
    import io

    buf = io.BytesIO()
    wb.save(buf)
    result = read_dataset(buf.getvalue(), "x.xlsx", _ds())
    # Four numbers and a word: amounts (10 + 20 + 30 + 40 = 100), not Excel day numbers
    # (which would make them dates in January 1900); "n.v.t." named on row 4.
    assert result.frame["Omzet"].sum() == 100.0
    report = result.report.get("Omzet")
    assert report is not None and report.kind == "number" and report.failed_rows == (4,)
