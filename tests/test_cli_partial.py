"""``koers evaluate`` fails loudly on an incomplete result: a skipped KPI or no rows at all is
exit 1 with a message naming what is missing, unless ``--allow-partial`` accepts it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from tests.test_cli import koers

DATA = "Date,Revenue\r\n2026-01-05,88000.01\r\n2026-01-20,182.01\r\n2026-02-03,50\r\n"


def _card(kpis: list[KPI]) -> Scorecard:
    return Scorecard(
        name="Partial",
        datasets=[Dataset(id="d", name="Sales", source="sales.csv", date_column="Date")],
        goals=[Goal(id="g", title="Grow")],
        kpis=kpis,
    )


def _kpi(kpi_id: str, column: str) -> KPI:
    return KPI(
        id=kpi_id,
        goal_id="g",
        name=kpi_id.title(),
        dataset_id="d",
        unit="currency",
        measure=Measure(aggregation="sum", column=column),
        target=Target(value=1000),
    )


def _run(tmp_path: Path, card: Scorecard, *extra: str, lang: str | None = None):
    (tmp_path / "sales.csv").write_text(DATA, encoding="utf-8")
    (tmp_path / "card.json").write_text(card.to_json(), encoding="utf-8")
    out = tmp_path / "out.csv"
    done = koers(
        "evaluate",
        str(tmp_path / "sales.csv"),
        "--scorecard",
        str(tmp_path / "card.json"),
        "--out",
        str(out),
        *(["--lang", lang] if lang else []),  # --lang also names the csv's columns in it
        *extra,
    )
    assert "Traceback" not in done.stderr
    return done, out


def test_a_skipped_kpi_is_exit_1_naming_it_and_writes_no_report(tmp_path: Path) -> None:
    card = _card([_kpi("revenue", "Revenue"), _kpi("costs", "Kosten")])
    done, out = _run(tmp_path, card)
    assert done.returncode == 1, done.stderr
    assert "KPI 'costs' skipped" in done.stderr
    assert "Kosten" in done.stderr  # the missing column is named
    assert "1 KPI skipped (costs)" in done.stderr
    assert "--allow-partial" in done.stderr
    assert not out.exists()
    nl, _ = _run(tmp_path, card, lang="nl")
    assert nl.returncode == 1
    assert "KPI 'costs' overgeslagen" in nl.stderr
    assert "1 KPI overgeslagen (costs)" in nl.stderr


def test_allow_partial_writes_the_rest_with_exit_0_and_still_warns(tmp_path: Path) -> None:
    card = _card([_kpi("revenue", "Revenue"), _kpi("costs", "Kosten")])
    done, out = _run(tmp_path, card, "--allow-partial")
    assert done.returncode == 0, done.stderr
    assert "KPI 'costs' skipped" in done.stderr
    assert "Written anyway because of --allow-partial" in done.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    # Only revenue, January and February 2026.
    assert [(r["kpi_id"], r["period"]) for r in rows] == [
        ("revenue", "2026-01"),
        ("revenue", "2026-02"),
    ]
    # 88000.01 + 182.01 = 88182.02 (a float sum gives 88182.01999999999): the machine csv
    # keeps 10 significant digits, so no float noise.
    assert rows[0]["actual"] == "88182.02"


def test_a_complete_run_is_exit_0(tmp_path: Path) -> None:
    done, out = _run(tmp_path, _card([_kpi("revenue", "Revenue")]))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert out.exists()


def test_an_empty_result_is_exit_1_unless_allowed(tmp_path: Path) -> None:
    card = _card([])  # a scorecard without KPIs evaluates to no rows at all
    done, out = _run(tmp_path, card)
    assert done.returncode == 1
    assert "the evaluation has no rows" in done.stderr
    assert not out.exists()
    allowed, out = _run(tmp_path, card, "--allow-partial")
    assert allowed.returncode == 0, allowed.stderr
    assert "the evaluation has no rows" in allowed.stderr
    assert out.exists()
