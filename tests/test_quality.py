"""Tests of kpilogic.engine.quality: each scoring rule passes once and fails once."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from kpilogic.engine.quality import (
    Finding,
    add_reliability,
    assess_dataset,
    assess_kpi,
    assess_scorecard,
    completeness,
    duplicate_rows,
    is_stale,
    missing_periods,
    outliers,
    reliability_band,
    reliability_column,
    robust_z,
)
from kpilogic.scorecard.model import KPI, Dataset, Filter, Goal, Measure, Scorecard
from kpilogic.sources.ingest import read_grid
from kpilogic.sources.layout import tidy
from kpilogic.sources.parsing import parse_table
from tests.messy import messy_dutch_workbook

AS_OF = date(2026, 4, 10)


def kpi(**changes: object) -> KPI:
    fields: dict[str, object] = {
        "id": "omzet",
        "goal_id": "groei",
        "name": "Omzet",
        "dataset_id": "verkoop",
        "measure": Measure(aggregation="sum", column="Omzet"),
        "cadence": "month",
    }
    fields.update(changes)
    return KPI.model_validate(fields)


def monthly(
    values: list[float | None] | None = None, months: list[str] | None = None
) -> pd.DataFrame:
    """One row per month, January to March 2026 unless told otherwise."""
    months = months or ["2026-01-15", "2026-02-15", "2026-03-15"]
    values = values or [100.0, 110.0, 120.0][: len(months)]
    return pd.DataFrame(
        {
            "Datum": pd.to_datetime(months),
            "Regio": ["Noord"] * len(months),
            "Omzet": pd.Series(values, dtype="float64"),
        }
    )


def keys(findings: tuple[Finding, ...]) -> dict[str, Finding]:
    return {f.key: f for f in findings}


def test_clean_data_scores_100() -> None:
    result = assess_kpi(kpi(), monthly(), "Datum", as_of=AS_OF)
    assert result.score == 100 and result.findings == () and result.band == "good"
    assert result.first == date(2026, 1, 15) and result.latest == date(2026, 3, 15)


# -- completeness ----------------------------------------------------------------------------


def test_completeness_rule() -> None:
    assert completeness(monthly()) == {"Datum": 1.0, "Regio": 1.0, "Omzet": 1.0}
    df = monthly(
        [100.0, None, 120.0, None], ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    )
    assert completeness(df, ["Omzet"]) == {"Omzet": 0.5}
    result = assess_kpi(kpi(), df, "Datum", as_of=date(2026, 2, 1))
    finding = keys(result.findings)["quality.completeness"]
    assert finding.params == {"column": "Omzet", "share": 0.5, "missing": 2}
    assert finding.penalty == 25 and result.score == 75
    assert "50,0%" in finding.message("nl") and "50.0%" in finding.message("en")


def test_completeness_counts_only_the_kpis_columns() -> None:
    df = monthly()
    df["Notitie"] = [None, None, None]
    assert assess_kpi(kpi(), df, "Datum", as_of=AS_OF).score == 100


# -- unreadable values and Excel errors ------------------------------------------------------


def test_unreadable_values_rule() -> None:
    raw = pd.DataFrame(
        {
            "Datum": ["05-01-2026", "12-01-2026", "19-01-2026", "26-01-2026"],
            "Omzet": ["€ 1.234,56", "n.v.t.", "€ 12,-", "€ 10,00"],
        },
        dtype=object,
    )
    table = parse_table(raw, {"Datum": "date", "Omzet": "number"}, first_row=5)
    result = assess_kpi(kpi(), table.frame, "Datum", as_of=date(2026, 2, 1), report=table.report)
    finding = keys(result.findings)["quality.unreadable"]
    assert finding.params == {"column": "Omzet", "count": 1, "examples": ["n.v.t. (6)"]}
    assert finding.penalty == 30  # 5 + ceil(100 × 1/4)
    assert "quality.completeness" not in keys(result.findings)  # not counted twice
    clean = parse_table(raw.assign(Omzet=["1", "2", "3", "4"]))
    assert (
        assess_kpi(kpi(), clean.frame, "Datum", as_of=date(2026, 2, 1), report=clean.report).score
        == 100
    )


def test_excel_errors_rule() -> None:
    raw = pd.DataFrame(
        {
            "Datum": ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-01-27"],
            "Omzet": [1.0, "#DIV/0!", 3.0, 4.0, 5.0],
        },
        dtype=object,
    )
    table = parse_table(raw)
    result = assess_kpi(kpi(), table.frame, "Datum", as_of=date(2026, 2, 1), report=table.report)
    finding = keys(result.findings)["quality.excel_errors"]
    assert finding.params == {"column": "Omzet", "count": 1}
    assert finding.penalty == 20  # 5 + ceil(100 × 1/5) = 25, capped at 20
    assert result.score == 80
    fixed = parse_table(raw.assign(Omzet=[1.0, 2.0, 3.0, 4.0, 5.0]))
    assert (
        assess_kpi(kpi(), fixed.frame, "Datum", as_of=date(2026, 2, 1), report=fixed.report).score
        == 100
    )


# -- duplicates ------------------------------------------------------------------------------


def test_duplicates_rule() -> None:
    assert duplicate_rows(monthly()) == ()
    df = pd.concat([monthly(), monthly().iloc[[1]]], ignore_index=True)
    assert duplicate_rows(df) == (5,)
    assert duplicate_rows(df, rows=[10, 11, 12, 13]) == (13,)
    result = assess_kpi(kpi(), df, "Datum", as_of=AS_OF)
    finding = keys(result.findings)["quality.duplicates"]
    assert finding.params == {"count": 1, "rows": [5]} and finding.penalty == 15  # capped
    assert assess_dataset(df).duplicate_rows == (5,)


# -- outliers --------------------------------------------------------------------------------


def test_robust_z_and_outliers() -> None:
    values = pd.Series([10.0, 11.0, 9.0, 10.0, 12.0, 10.0, 500.0], name="Omzet")
    z = robust_z(values)
    assert z.iloc[-1] > 3.5 and abs(z.iloc[0]) < 3.5
    found = outliers(values)
    assert [(o.row, o.value) for o in found] == [(8, 500.0)]
    assert outliers(pd.Series([10.0, 11.0, 9.0, 10.0, 12.0, 10.0, 13.0])) == []
    assert outliers(pd.Series([1.0, 1000.0])) == []  # too few to judge
    # A MAD of 0 falls back on the mean absolute deviation.
    assert len(outliers(pd.Series([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 50.0]))) == 1
    assert outliers(pd.Series([5.0] * 8)) == []


def test_outliers_rule_on_the_measure_column() -> None:
    days = [f"2026-01-{d:02d}" for d in range(1, 11)]
    values = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 97.0, 103.0, 100.0, 10_000.0]
    result = assess_kpi(kpi(), monthly(values, days), "Datum", as_of=date(2026, 2, 1))
    finding = keys(result.findings)["quality.outliers"]
    assert finding.penalty == 2 and finding.params["count"] == 1
    assert result.outliers[0].row == 11 and result.score == 98
    calm = [*values[:-1], 104.0]
    assert assess_kpi(kpi(), monthly(calm, days), "Datum", as_of=date(2026, 2, 1)).score == 100


# -- gaps ------------------------------------------------------------------------------------


def test_gaps_rule() -> None:
    assert missing_periods(monthly()["Datum"], "month") == []
    df = monthly(months=["2026-01-15", "2026-04-15", "2026-05-02"])
    gaps = missing_periods(df["Datum"], "month")
    assert [p.label for p in gaps] == ["2026-02", "2026-03"]
    result = assess_kpi(kpi(), df, "Datum", as_of=date(2026, 5, 20))
    finding = keys(result.findings)["quality.gaps"]
    assert finding.params == {"count": 2, "periods": ["2026-02", "2026-03"]}
    assert finding.penalty == 10 and result.missing_periods == ("2026-02", "2026-03")


def test_gaps_follow_the_kpis_filters() -> None:
    df = pd.DataFrame(
        {
            "Datum": pd.to_datetime(["2026-01-05", "2026-02-05", "2026-03-05"]),
            "Kanaal": ["Web", "Winkel", "Web"],
            "Omzet": [1.0, 2.0, 3.0],
        }
    )
    web = kpi(filters=[Filter(column="Kanaal", op="eq", value="Web")])
    assert assess_kpi(web, df, "Datum", as_of=AS_OF).missing_periods == ("2026-02",)
    assert assess_kpi(kpi(), df, "Datum", as_of=AS_OF).missing_periods == ()


# -- freshness -------------------------------------------------------------------------------


def test_freshness_rule() -> None:
    assert not is_stale(date(2026, 3, 15), "month", date(2026, 4, 20))
    assert not is_stale(date(2026, 3, 1), "month", date(2026, 5, 15))  # March ended 45 days ago
    assert is_stale(date(2026, 2, 15), "month", date(2026, 4, 20))
    assert not is_stale(date(2026, 3, 30), "week", date(2026, 4, 15))
    assert is_stale(date(2026, 3, 30), "week", date(2026, 4, 20))
    assert not is_stale(date(2025, 12, 1), "quarter", date(2026, 3, 1))
    assert is_stale(date(2025, 6, 1), "year", date(2027, 7, 2))
    fresh = assess_kpi(kpi(), monthly(), "Datum", as_of=date(2026, 4, 20))
    assert not fresh.stale and fresh.score == 100
    stale = assess_kpi(kpi(), monthly(), "Datum", as_of=date(2026, 6, 1))
    finding = keys(stale.findings)["quality.stale"]
    assert stale.stale and finding.penalty == 20 and stale.score == 80
    assert finding.params["period"] == "2026-03"
    assert "15-03-2026" in finding.message("nl") and "2026-03-15" in finding.message("en")


def test_future_rows_do_not_make_data_fresh() -> None:
    df = monthly(months=["2026-01-15", "2026-02-15", "2026-12-01"])
    result = assess_kpi(kpi(), df, "Datum", as_of=date(2026, 5, 1))
    assert result.latest == date(2026, 2, 15) and result.stale


# -- no data and missing columns -------------------------------------------------------------


def test_no_data_and_missing_columns() -> None:
    empty = monthly().assign(Datum=pd.NaT)
    result = assess_kpi(kpi(), empty, "Datum", as_of=AS_OF)
    assert result.score == 0 and "quality.no_data" in keys(result.findings)
    missing = assess_kpi(
        kpi(measure=Measure(formula="sum(Winst) / sum(Omzet)")), monthly(), "Datum"
    )
    assert missing.score == 50
    assert keys(missing.findings)["quality.column_missing"].params == {"columns": ["Winst"]}


def test_scores_never_go_below_zero() -> None:
    df = monthly(
        [None, None, None, 1.0, 1.0],
        ["2026-01-01", "2026-01-01", "2026-01-01", "2026-06-01", "2026-06-01"],
    )
    df["Regio"] = "Noord"
    result = assess_kpi(kpi(), df, "Datum", as_of=date(2027, 1, 1))
    assert 0 <= result.score < 50 and result.band == "poor"


def test_bands() -> None:
    assert [reliability_band(s) for s in (100, 80, 79, 50, 49, 0)] == [
        "good",
        "good",
        "shaky",
        "shaky",
        "poor",
        "poor",
    ]


# -- scorecards and the reliability column ---------------------------------------------------


def scorecard() -> Scorecard:
    return Scorecard(
        name="Koers",
        datasets=[
            Dataset(id="verkoop", name="Verkoop", source="omzet.xlsx", date_column="Date"),
            Dataset(id="leeg", name="Leeg", source="leeg.xlsx", date_column="Datum"),
        ],
        goals=[Goal(id="groei", title="Groei")],
        kpis=[
            kpi(),
            kpi(
                id="web",
                measure=Measure(aggregation="sum", column="Value"),
                filters=[Filter(column="Kanaal", op="eq", value="Web")],
            ),
            kpi(id="weg", dataset_id="leeg"),
        ],
    )


def test_assess_scorecard_on_the_messy_workbook() -> None:
    result = tidy(read_grid(messy_dutch_workbook(), "omzet.xlsx"))
    report = assess_scorecard(
        scorecard(),
        {"verkoop": result.frame},
        as_of=date(2026, 7, 10),
        reports={"verkoop": result.report},
        rows={"verkoop": result.row_numbers},
    )
    assert report.scores == {"omzet": 50, "web": 100, "weg": 0}
    assert keys(report.kpis["omzet"].findings)["quality.column_missing"].params == {
        "columns": ["Omzet"]
    }
    assert report.datasets["verkoop"].rows == 24
    assert report.datasets["verkoop"].columns["Value"].completeness == 1.0


def test_reliability_column() -> None:
    summary = pd.DataFrame({"kpi_id": ["omzet", "web", "onbekend"], "actual": [1.0, 2.0, 3.0]})
    column = reliability_column(summary, {"omzet": 72, "web": 100})
    assert str(column.dtype) == "Int64" and column.name == "reliability"
    assert column.tolist() == [72, 100, pd.NA]
    out = add_reliability(summary, {"omzet": 72})
    assert list(out.columns) == ["kpi_id", "actual", "reliability"]
    assert "reliability" not in summary.columns


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_finding_has_a_message(lang: str) -> None:
    df = pd.concat([monthly([1.0, None, 3.0]), monthly([1.0, None, 3.0]).iloc[[0]]])
    result = assess_kpi(kpi(), df, "Datum", as_of=date(2026, 9, 1))
    assert result.findings
    for finding in result.findings:
        text = finding.message(lang)
        assert text != finding.key and "{" not in text
