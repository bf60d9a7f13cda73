"""``koers evaluate`` on messy and bad files, run as a subprocess: the same numbers as a clean
file, or one translated line and a non-zero exit — never a traceback, never a crash."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from tests.cli_run import koers as _run_koers
from tests.conftest import CORPUS, ROOT
from tests.messy import EXPECTED, clean_twin_workbook, messy_dutch_workbook

CALAMINE = CORPUS / "calamine"
# A bit-flipped copy of OOM_alloc2.xls found by fuzzing: calamine asks for 116 GB while
# opening it and Rust aborts the process (SIGABRT), which no ``except`` can catch.
FLIPS = (
    (13898, 0o200),
    (29343, 0o341),
    (52185, 0o243),
    (60135, 0o152),
    (94064, 0o367),
    (107060, 0o101),
    (112050, 0o257),
    (188085, 0o227),
)


def koers(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return _run_koers(*args, env={**os.environ, **(env or {})})


def _card(source: str, sheet: str | None, date_column: str, column: str) -> Scorecard:
    return Scorecard(
        name="Omzet",
        datasets=[
            Dataset(id="omzet", name="Omzet", source=source, sheet=sheet, date_column=date_column)
        ],
        goals=[Goal(id="grow", title="Grow")],
        kpis=[
            KPI(
                id="revenue",
                goal_id="grow",
                name="Revenue",
                dataset_id="omzet",
                measure=Measure(aggregation="sum", column=column),
                target=Target(value=5000),
            )
        ],
    )


def _evaluate(tmp_path: Path, name: str, data: bytes, card: Scorecard, **kw: str):
    data_path = tmp_path / name
    data_path.write_bytes(data)
    card_path = tmp_path / f"{name}.json"
    card_path.write_text(card.to_json())
    out = tmp_path / f"{name}.csv"
    args = ["evaluate", str(data_path), "--scorecard", str(card_path), "--out", str(out)]
    args += ["--as-of", "2026-06-30", *[x for k, v in kw.items() for x in (f"--{k}", v)]]
    return koers(*args), out


def test_messy_workbook_gives_the_numbers_of_its_clean_twin(tmp_path: Path) -> None:
    results = {}
    for name, data, date_column, column in (
        ("omzet.xlsx", messy_dutch_workbook(), "Date", "Value"),
        ("schoon.xlsx", clean_twin_workbook(), "Datum", "Omzet"),
    ):
        done, out = _evaluate(tmp_path, name, data, _card(name, "Omzet", date_column, column))
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        results[name] = [(r["period"], round(float(r["actual"]), 2)) for r in rows]
        assert all(r["reliability"] for r in rows)
    expected = [
        (f"2026-0{m + 1}", round(sum(v[m] for v in EXPECTED.values()), 2)) for m in range(6)
    ]
    assert results["omzet.xlsx"] == results["schoon.xlsx"] == expected


def _refused(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, done.stderr


@pytest.mark.skipif(not CALAMINE.is_dir(), reason="corpus not available")
@pytest.mark.parametrize(
    ("name", "en", "nl"),
    [
        ("pass_protected.xlsx", "password", "wachtwoord"),
        ("too_small.xls", "not a spreadsheet", "geen spreadsheet"),
        ("issue_594_dos.ods", "too large", "te groot"),
        ("OOM_alloc3.xls", "could not be read", "niet"),
    ],
)
def test_corpus_refusals_from_the_command_line(tmp_path: Path, name: str, en: str, nl: str) -> None:
    data = (CALAMINE / name).read_bytes()
    card = _card(name, None, "Date", "Value")
    done, _ = _evaluate(tmp_path, name, data, card)
    _refused(done, name, en)
    done, _ = _evaluate(tmp_path, name, data, card, lang="nl")
    _refused(done, name)
    assert nl in done.stderr.lower()


def test_zip_bomb_is_refused_end_to_end(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (120 << 20))  # 120 MB of nothing
    assert len(buf.getvalue()) < 1 << 20
    done, _ = _evaluate(tmp_path, "bom.xlsx", buf.getvalue(), _card("bom.xlsx", None, "D", "V"))
    _refused(done, "bom.xlsx", "too large")


def test_upload_limit_applies_to_the_command_line(tmp_path: Path) -> None:
    card = _card("omzet.xlsx", "Omzet", "Date", "Value")
    done, _ = _evaluate(
        tmp_path, "omzet.xlsx", messy_dutch_workbook(), card, **{}
    )  # the default limit (50 MB) lets it through
    assert done.returncode == 0, done.stderr
    data_path = tmp_path / "omzet.xlsx"
    card_path = tmp_path / "omzet.xlsx.json"
    args = ["evaluate", str(data_path), "--scorecard", str(card_path), "--out", "x.csv"]
    limited = koers(*args, env={"KOERS_MAX_UPLOAD_MB": "0.001"})
    _refused(limited, "omzet.xlsx", "up to 0.001 MB")


@pytest.mark.skipif(not (CALAMINE / "OOM_alloc2.xls").is_file(), reason="corpus not available")
def test_a_damaged_xls_that_would_abort_the_process_is_refused(tmp_path: Path) -> None:
    data = bytearray((CALAMINE / "OOM_alloc2.xls").read_bytes())
    for offset, value in FLIPS:
        data[offset] = value
    done, _ = _evaluate(tmp_path, "fuzz.xls", bytes(data), _card("fuzz.xls", None, "D", "V"))
    _refused(done, "fuzz.xls", "damaged")
    # In the same process the app survives it too: the child took the blow.
    code = (
        "import sys\nfrom kpilogic.sources.ingest import list_sheets\n"
        "from kpilogic.errors import ReadError\n"
        "try:\n    list_sheets(open(sys.argv[1], 'rb').read(), 'fuzz.xls')\n"
        "except ReadError as e:\n    print(e.key)\n"
    )
    survived = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "fuzz.xls")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert survived.returncode == 0, survived.stderr[-500:]
    assert survived.stdout.strip() == "error.read.damaged"
    assert json.loads(json.dumps(survived.stdout.strip()))  # one line, no traceback
