"""The file → dataset step with the user's layout corrections, and the shaky-data warning."""

from __future__ import annotations

import pytest

from kpilogic.engine.quality import Finding, KpiQuality, shaky_warning
from kpilogic.errors import LayoutError
from kpilogic.scorecard.model import Dataset, Unpivot
from kpilogic.sources.pipeline import read_dataset
from tests.messy import EXPECTED, messy_dutch_workbook

MONTHS = ["jan 2026", "feb 2026", "mrt 2026", "apr 2026", "mei 2026", "jun 2026"]


def _ds(**kw: object) -> Dataset:
    return Dataset.model_validate(
        {"id": "o", "name": "O", "source": "o.xlsx", "sheet": "Omzet", "date_column": "Date", **kw}
    )


def test_default_reading_unpivots_and_keeps_the_decisions() -> None:
    result = read_dataset(messy_dutch_workbook(), "o.xlsx", _ds())
    assert list(result.frame.columns) == ["Regio", "Kanaal", "Date", "Value"]
    assert result.frame["Value"].sum() == pytest.approx(sum(map(sum, EXPECTED.values())))
    assert result.decisions[0].message("en").startswith("Column names found on row 4")
    assert result.row_numbers[:2] == (5, 5)  # both values of the first row come from row 5


def test_user_choices_are_honoured() -> None:
    data = messy_dutch_workbook()
    kept = read_dataset(data, "o.xlsx", _ds(unpivot=Unpivot()))
    assert "jan 2026" in kept.frame.columns and "Date" not in kept.frame.columns
    two = read_dataset(
        data, "o.xlsx", _ds(unpivot=Unpivot(id_columns=["Regio"], period_columns=MONTHS[:2]))
    )
    assert list(two.frame.columns) == ["Regio", "Date", "Value"] and len(two.frame) == 8
    assert two.decisions[-1].key == "layout.unpivot_chosen"
    totals = read_dataset(data, "o.xlsx", _ds(keep_totals=True))
    assert len(totals.frame) == 24 + 6
    english = read_dataset(data, "o.xlsx", _ds(notation="en"))
    assert english.report.failed > 0  # "€ 1.234,56" is no number in English notation
    with pytest.raises(LayoutError):
        read_dataset(data, "o.xlsx", _ds(header_row=99))


def test_shaky_warning_names_the_top_reasons() -> None:
    findings = (
        Finding("quality.unreadable", {"column": "Omzet", "count": 12, "examples": ["x (7)"]}, 25),
        Finding("quality.gaps", {"count": 1, "periods": ["2026-03"]}, 5),
        Finding("quality.duplicates", {"count": 2, "rows": [4, 9]}, 15),
    )
    q = KpiQuality("k", 55, findings)
    text = shaky_warning(q, "en")
    assert text is not None
    assert text.startswith("Shaky data (score 55): 12 values in 'Omzet' could not be read")
    assert text.index("exact copies") < text.index("without any data")
    assert shaky_warning(q, "nl").startswith("Wankele gegevens (score 55)")
    assert shaky_warning(KpiQuality("k", 70, ()), "en") is None
    assert shaky_warning(None, "en") is None


def test_unmapped_columns_after_a_file_is_replaced() -> None:
    from kpilogic.scorecard.model import KPI, Dataset, Filter, Goal, Measure, Scorecard, Target
    from kpilogic.sources.pipeline import columns_used, unmapped_columns

    ds = Dataset(id="d", name="Orders", source="o.xlsx", date_column="Date")
    margin = KPI(
        id="margin",
        goal_id="g",
        name="Margin",
        dataset_id="d",
        measure=Measure(formula="(sum(Revenue) - sum([Cost price])) / sum(Revenue) * 100"),
        filters=[Filter(column="Channel", op="eq", value="Web")],
        segment_column="Region",
    )
    plan = KPI(
        id="plan",
        goal_id="g",
        name="Revenue",
        dataset_id="d",
        measure=Measure(aggregation="sum", column="Revenue"),
        target=Target(kind="column", column="Plan"),
    )
    card = Scorecard(name="S", datasets=[ds], goals=[Goal(id="g", title="G")], kpis=[margin, plan])
    assert columns_used(margin) == {"Revenue", "Cost price", "Channel", "Region"}
    # Next month's file renamed "Cost price" to "Cost" and dropped the Plan column.
    new_columns = ["Date", "Revenue", "Cost", "Channel", "Region"]
    assert unmapped_columns(card, "d", new_columns) == {
        "margin": ["Cost price"],
        "plan": ["Plan"],
    }
    assert unmapped_columns(
        card, "d", ["Datum", "Revenue", "Cost price", "Channel", "Region", "Plan"]
    ) == {"": ["Date"]}
