"""One command for Koers' performance budgets: ``python -m benchmarks.run [--quick]``.

It makes (once, cached in ``benchmarks/data/``) order-line data sets of 10k, 100k and 1M
rows as xlsx and csv, then measures load, evaluate, report and a dashboard rerun, each
against a baseline run in the same command, each in a child process of its own (so peak
memory belongs to one measurement), and writes ``benchmarks/RESULTS.md``: the machine,
the date, a table per measurement with times, ratios, the budget and PASS/FAIL, scaling
per row, peak memory and the profile of each Koers step. A measurement that fails is
recorded as such; the run goes on.

``--quick`` is the smoke test: 10k and 100k rows, fewer repeats, written to
``benchmarks/data/RESULTS-quick.md`` unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import datagen
from benchmarks.cases import ROOT, Spec, child_main

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
QUICK_RESULTS = datagen.DATA_DIR / "RESULTS-quick.md"
FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
SEED = 20260
APP_ROWS = 100_000
PROFILE_ROWS = 100_000
NOTES_START = "<!-- notes:start -->"
NOTES_END = "<!-- notes:end -->"

# Budgets of issue 7.
LOAD_VS_CALAMINE = 1.3  # Koers ingest ≤ 1.3 × bare calamine
LOAD_VS_OPENPYXL = 4.0  # … and ≥ 4 × faster than pandas.read_excel(engine="openpyxl")
EVALUATE_VS_GROUPBY = 1.5  # evaluate ≤ 1.5 × hand-written groupby (issue 19; was 2 in issue 7)
# Budgets of issue 19.
LOAD_VS_FASTEXCEL = 1.3  # Koers ingest ≤ 1.3 × fastexcel's bare read (at 100k and 1M rows)
CSV_VS_ARROW = 3.0  # Koers ingest of the csv ≤ 3 × pyarrow.csv.read_csv + to_pandas
LOAD_MEMORY_AT_1M = 3.0  # peak added memory of load ≤ 3 × the typed table at 1M rows
WIDE_CSV_SECONDS = 2.0  # a 16,384-column csv read or refused in under 2 s
LINEAR_SLACK = 1.25  # time per row at the largest size ≤ 1.25 × that at the size before
REPORT_SECONDS = 2.0
APP_RERUN_SECONDS = 0.3
MEMORY_VS_DATA = 4.0
PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "python-calamine",
    "fastexcel",
    "openpyxl",
    "streamlit",
    "altair",
    "pydantic",
)


# -- machine ---------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        text = Path("/proc/meminfo").read_text(encoding="ascii")
    except OSError:
        return None
    found = re.search(r"^MemTotal:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) / 1024 / 1024 if found else None


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    changed = [
        line[3:]
        for line in _git("status", "--porcelain").splitlines()
        if line[3:].startswith(("kpilogic/", "pages/", "app.py"))
    ]
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gb": _ram_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "changed": changed,
        "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


# -- running the children --------------------------------------------------------------------


class Runner:
    """Runs one case per child process and keeps every record (errors included)."""

    def __init__(self, files: dict[int, datagen.DataFiles], log: Callable[[str], None]) -> None:
        self.files = files
        self.log = log
        self.records: list[dict[str, Any]] = []
        self.skip: set[str] = set()

    def run(
        self,
        case: str,
        rows: int,
        repeats: int,
        *,
        profile: bool = False,
        timeout: float = 1800,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        files = self.files[rows]
        spec = Spec(
            case=case,
            rows=rows,
            xlsx=str(files.xlsx),
            csv=str(files.csv),
            repeats=repeats,
            profile=profile,
            extra=extra or {},
        )
        if case in self.skip:
            skipped = {"case": case, "rows": rows, "profiled": profile, "skipped": "--skip"}
            self.records.append(skipped)
            return skipped
        label = f"{case} {rows:,} rows" + (" (profile)" if profile else f" ×{repeats}")
        self.log(f"  {label} …")
        started = time.perf_counter()
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        with tempfile.TemporaryDirectory(prefix="koers-bench-") as tmp:
            out = Path(tmp) / "record.json"
            command = [sys.executable, "-m", "benchmarks.run", "--child", json.dumps(asdict(spec))]
            command += ["--child-out", str(out)]
            try:
                done = subprocess.run(
                    command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
                )
                if out.exists():
                    record: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
                else:
                    tail = (done.stderr or done.stdout)[-2000:]
                    record = {"error": f"child exited with {done.returncode}", "traceback": tail}
            except subprocess.TimeoutExpired:
                record = {"error": f"timed out after {timeout:.0f} s"}
        record.update(case=case, rows=rows, profiled=profile, wall_s=time.perf_counter() - started)
        record["load_avg_before"] = load_before
        self.records.append(record)
        if "error" in record:
            self.log(f"    FAILED: {record['error']}")
        elif record.get("median_s") is not None:
            self.log(f"    median {record['median_s']:.3f} s (wall {record['wall_s']:.0f} s)")
        else:
            self.log(f"    done (wall {record['wall_s']:.0f} s)")
        return record

    def find(self, case: str, rows: int, profiled: bool = False) -> dict[str, Any] | None:
        for record in self.records:
            if record["case"] == case and record["rows"] == rows and record["profiled"] == profiled:
                return record
        return None


def measure(runner: Runner, sizes: Iterable[int], quick: bool, groups: set[str]) -> None:
    """The plan: every measurement with its repeats, baselines next to their Koers step."""
    sizes = list(sizes)

    def repeats(rows: int) -> int:
        if quick:
            return 3
        return 5 if rows <= 100_000 else 3

    if "load" in groups:
        runner.log("load")
        for rows in sizes:
            runner.run("load_koers", rows, repeats(rows))
            runner.run("load_calamine", rows, repeats(rows))
            if rows <= 100_000:
                runner.run("load_openpyxl", rows, 3)
            else:
                # One run only at 1M: it takes minutes. Skipped if 100k says it would take > 10 min.
                small = runner.find("load_openpyxl", 100_000)
                guess = 10 * small["median_s"] if small and small.get("median_s") else None
                if guess is None or guess <= 600:
                    runner.run("load_openpyxl", rows, 1, timeout=1800)
                else:
                    runner.records.append(
                        {
                            "case": "load_openpyxl",
                            "rows": rows,
                            "profiled": False,
                            "skipped": f"not run: about {guess:.0f} s expected from 100k",
                        }
                    )
            runner.run("load_fastexcel", rows, repeats(rows))
            runner.run("load_koers_exact", rows, 3 if rows <= 100_000 else 1)
            runner.run("load_koers_csv", rows, repeats(rows))
            runner.run("load_pandas_csv", rows, repeats(rows))
            runner.run("load_arrow_csv", rows, repeats(rows))
        runner.run("load_wide_csv", sizes[0], 3)
    if "evaluate" in groups:
        runner.log("evaluate")
        for rows in sizes:
            runner.run("evaluate_koers", rows, repeats(rows))
            runner.run("evaluate_pandas", rows, repeats(rows))
            runner.run("evaluate_pandas_shared", rows, repeats(rows))
    if "report" in groups:
        runner.log("report")
        rows = 100_000 if 100_000 in runner.files else sizes[0]
        runner.run("report_koers", rows, 3 if quick else 5)
        runner.run("report_openpyxl", rows, 3 if quick else 5)
    if "app" in groups:
        runner.log("app")
        app_sizes = [APP_ROWS] if quick or APP_ROWS not in sizes else [APP_ROWS, max(sizes)]
        runner.run("app_trivial", APP_ROWS if APP_ROWS in runner.files else sizes[0], 5)
        for rows in dict.fromkeys(r for r in app_sizes if r in runner.files):
            runner.run("app_koers", rows, 5, timeout=2400)
    if "profile" in groups:
        runner.log("profile")
        rows = PROFILE_ROWS if PROFILE_ROWS in runner.files else sizes[-1]
        for case in ("load_koers", "load_koers_csv", "evaluate_koers", "report_koers", "app_koers"):
            if case.split("_")[0] in groups:
                runner.run(case, rows, 0, profile=True, timeout=2400)


# -- the results file ------------------------------------------------------------------------


def _s(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MB"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**PASS**" if ok else "**FAIL**")


def _median(record: dict[str, Any] | None) -> float | None:
    if not record or "error" in record or record.get("skipped"):
        return None
    value = record.get("median_s")
    return float(value) if value is not None else None


def _cell(record: dict[str, Any] | None) -> str:
    """A time with its number of runs, or why there is none."""
    if record is None:
        return "not run"
    if record.get("skipped"):
        return str(record["skipped"])
    if "error" in record:
        return f"error: {str(record['error'])[:80]}"
    n = len(record.get("times", []))
    times = record.get("times") or []
    spread = f", {_s(min(times))}–{_s(max(times))}" if len(times) > 1 else ""
    cpu = record.get("cpu_median_s")
    cpu_text = f"; CPU {_s(cpu)}" if cpu is not None else ""
    return f"{_s(record['median_s'])} (n={n}{spread}{cpu_text})"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


class Budgets:
    """The PASS/FAIL lines for the summary, collected while the tables are written."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, bool | None, str]] = []

    def add(self, name: str, measured: str, ok: bool | None, detail: str = "") -> None:
        self.lines.append((name, measured, ok, detail))


def _over(value: float, limit: float, higher_is_better: bool = False) -> str:
    if higher_is_better:
        return "" if value >= limit else f"{(1 - value / limit) * 100:.0f}% short"
    return "" if value <= limit else f"{(value / limit - 1) * 100:.0f}% over"


def _load_section(runner: Runner, sizes: list[int], budgets: Budgets) -> list[str]:
    out = [
        "## Load: reading an xlsx into a typed DataFrame",
        "",
        "Koers: what the app does with an upload, `pipeline.read_dataset` (raw cells, layout "
        "step, value parsing) then `pipeline.typed_table` (`benchmarks.cases.koers_load`) "
        "(read, profile, apply kinds). Bare calamine: "
        "`CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()` → "
        "`pd.DataFrame(rows[1:], columns=rows[0])`. openpyxl: "
        '`pd.read_excel(p, engine="openpyxl")`. Median of n runs (min–max).',
        "",
        "| rows | Koers ingest | bare calamine | pandas + openpyxl | Koers ÷ calamine "
        f"(≤ {LOAD_VS_CALAMINE}×) | openpyxl ÷ Koers (≥ {LOAD_VS_OPENPYXL:.0f}×) |",
        "|---:|---|---|---|---|---|",
    ]
    for rows in sizes:
        koers = runner.find("load_koers", rows)
        cal = runner.find("load_calamine", rows)
        opx = runner.find("load_openpyxl", rows)
        vs_cal = _ratio(_median(koers), _median(cal))
        vs_opx = _ratio(_median(opx), _median(koers))
        ok_cal = None if vs_cal is None else vs_cal <= LOAD_VS_CALAMINE
        ok_opx = None if vs_opx is None else vs_opx >= LOAD_VS_OPENPYXL
        out.append(
            f"| {rows:,} | {_cell(koers)} | {_cell(cal)} | {_cell(opx)} | "
            f"{_x(vs_cal)} {_verdict(ok_cal)} | {_x(vs_opx)} {_verdict(ok_opx)} |"
        )
        if vs_cal is not None:
            budgets.add(
                f"load {rows:,}: ingest ≤ {LOAD_VS_CALAMINE}× bare calamine",
                _x(vs_cal),
                ok_cal,
                _over(vs_cal, LOAD_VS_CALAMINE),
            )
        if vs_opx is not None:
            budgets.add(
                f"load {rows:,}: ≥ {LOAD_VS_OPENPYXL:.0f}× faster than openpyxl",
                _x(vs_opx),
                ok_opx,
                _over(vs_opx, LOAD_VS_OPENPYXL, higher_is_better=True),
            )
    out += [
        "",
        "### Load on Arrow columns (issue 19)",
        "",
        "Koers as above. fastexcel: `fastexcel.read_excel(p).load_sheet(0).to_pandas()` "
        "(calamine underneath, Arrow columns out). Exact path: the same `koers_load` with "
        "`KOERS_FAST_READ=0` (the grid of Python objects and the layout rules on every cell, "
        "as before issue 19). *First read* is the first of the runs: it includes the guarded "
        "child that opens every new workbook first (`sources.guard`); later runs of the same "
        "bytes find it remembered.",
        "",
        "| rows | Koers ingest | first read | fastexcel bare | exact path | "
        f"Koers ÷ fastexcel (≤ {LOAD_VS_FASTEXCEL}×) | exact ÷ Koers |",
        "|---:|---|---|---|---|---|---|",
    ]
    for rows in sizes:
        koers = runner.find("load_koers", rows)
        fx = runner.find("load_fastexcel", rows)
        exact = runner.find("load_koers_exact", rows)
        vs_fx = _ratio(_median(koers), _median(fx))
        ok_fx = None if vs_fx is None else vs_fx <= LOAD_VS_FASTEXCEL
        first = koers["times"][0] if koers and koers.get("times") else None
        out.append(
            f"| {rows:,} | {_cell(koers)} | {_s(first)} | {_cell(fx)} | {_cell(exact)} | "
            f"{_x(vs_fx)} {_verdict(ok_fx)} | {_x(_ratio(_median(exact), _median(koers)))} |"
        )
        if vs_fx is not None and rows >= 100_000:
            budgets.add(
                f"load {rows:,}: ingest ≤ {LOAD_VS_FASTEXCEL}× fastexcel bare read",
                _x(vs_fx),
                ok_fx,
                _over(vs_fx, LOAD_VS_FASTEXCEL),
            )
    for rows in sizes:
        koers = runner.find("load_koers", rows)
        if koers and koers.get("dtypes"):
            kinds = ", ".join(f"{c}: {t}" for c, t in koers["dtypes"].items())
            out += ["", f"Koers' typed columns ({rows:,} rows): {kinds}."]
            break
    out += [
        "",
        "### Load from csv",
        "",
        "Koers: the same `koers_load` on the csv bytes (the 50 MB upload limit lifted for the "
        '1M-row csv of 60 MB). Baselines: `pd.read_csv(p, parse_dates=["Date"])` and '
        f"`pyarrow.csv.read_csv(p).to_pandas()` (budget ≤ {CSV_VS_ARROW:.0f}×).",
        "",
        "| rows | Koers ingest (csv) | pandas.read_csv | pyarrow csv | Koers ÷ pandas "
        f"| Koers ÷ pyarrow (≤ {CSV_VS_ARROW:.0f}×) |",
        "|---:|---|---|---|---|---|",
    ]
    for rows in sizes:
        koers = runner.find("load_koers_csv", rows)
        base = runner.find("load_pandas_csv", rows)
        arrow = runner.find("load_arrow_csv", rows)
        vs_arrow = _ratio(_median(koers), _median(arrow))
        ok = None if vs_arrow is None else vs_arrow <= CSV_VS_ARROW
        out.append(
            f"| {rows:,} | {_cell(koers)} | {_cell(base)} | {_cell(arrow)} | "
            f"{_x(_ratio(_median(koers), _median(base)))} | {_x(vs_arrow)} {_verdict(ok)} |"
        )
        if vs_arrow is not None:
            budgets.add(
                f"load csv {rows:,}: ≤ {CSV_VS_ARROW:.0f}× pyarrow read_csv + to_pandas",
                _x(vs_arrow),
                ok,
                _over(vs_arrow, CSV_VS_ARROW),
            )
    wide = runner.find("load_wide_csv", sizes[0]) if sizes else None
    if wide is not None:
        median = _median(wide)
        ok = None if median is None else median < WIDE_CSV_SECONDS
        out += [
            "",
            "### A wide csv: 16,384 columns × 10 rows",
            "",
            f"`koers_load` of {wide.get('file_bytes', 0):,} bytes: {_cell(wide)}, "
            f"{wide.get('outcome', wide.get('error', '?'))}. Budget: read or refused in under "
            f"{WIDE_CSV_SECONDS:.0f} s: {_verdict(ok)}.",
        ]
        if median is not None:
            budgets.add(
                f"wide csv 16,384 × 10: read or refused < {WIDE_CSV_SECONDS:.0f} s",
                _s(median),
                ok,
                _over(median, WIDE_CSV_SECONDS),
            )
    return out


def _evaluate_section(runner: Runner, sizes: list[int], budgets: Budgets) -> list[str]:
    out = [
        "## Evaluate: 25 KPIs, monthly, three years",
        "",
        "Koers: `evaluate.evaluate_scorecard` (actuals, targets, status, trend, YTD, forecasts) "
        "of the scorecard in `benchmarks/workload.py`: sums, formulas such as "
        "`(sum(Revenue) - sum(Cost)) / sum(Revenue) * 100`, distinct counts of Order ID and "
        "Customer ID, mean/median/max, row filters (Channel eq Web, Category in […], "
        "Revenue ge 500, two filters at once), five KPIs segmented by Region or Category. "
        "Baselines: hand-written pandas that computes the same monthly actuals, on the same "
        "typed DataFrame — *per KPI* (one filter + one `groupby().agg()` per KPI and per "
        "segmentation, as Koers works) and *shared* (one `groupby().agg()` per distinct filter, "
        "every KPI derived from it: the fastest hand-written form). Every actual of both "
        "baselines is checked against Koers' (relative tolerance 1e-9).",
        "",
        "| rows | Koers | groupby per KPI | shared groupbys | Koers ÷ per KPI "
        f"(≤ {EVALUATE_VS_GROUPBY:g}×) | Koers ÷ shared | actuals equal |",
        "|---:|---|---|---|---|---|---|",
    ]
    for rows in sizes:
        koers = runner.find("evaluate_koers", rows)
        per_kpi = runner.find("evaluate_pandas", rows)
        shared = runner.find("evaluate_pandas_shared", rows)
        ratio = _ratio(_median(koers), _median(per_kpi))
        ok = None if ratio is None else ratio <= EVALUATE_VS_GROUPBY
        checks = []
        for rec in (per_kpi, shared):
            if rec and "equal" in rec:
                mism = rec.get("mismatches") or []
                total = max(rec.get("actuals", 0), rec.get("koers_actuals", 0))
                checks.append(f"{rec['equal']}/{total}" + (f" ({'; '.join(mism)})" if mism else ""))
        out.append(
            f"| {rows:,} | {_cell(koers)} | {_cell(per_kpi)} | {_cell(shared)} | "
            f"{_x(ratio)} {_verdict(ok)} | {_x(_ratio(_median(koers), _median(shared)))} | "
            f"{' · '.join(checks) or '—'} |"
        )
        if ratio is not None:
            budgets.add(
                f"evaluate {rows:,}: ≤ {EVALUATE_VS_GROUPBY:g}× groupby per KPI",
                _x(ratio),
                ok,
                _over(ratio, EVALUATE_VS_GROUPBY),
            )
        if koers and koers.get("errors"):
            out.append(f"|  | KPI errors: {koers['errors']} | | | | | |")
    return out


def _scaling_section(runner: Runner, sizes: list[int], budgets: Budgets) -> list[str]:
    steps = [
        ("load_koers", "load xlsx: Koers"),
        ("load_calamine", "load xlsx: bare calamine"),
        ("load_openpyxl", "load xlsx: openpyxl"),
        ("load_koers_csv", "load csv: Koers"),
        ("load_pandas_csv", "load csv: pandas"),
        ("evaluate_koers", "evaluate: Koers"),
        ("evaluate_pandas", "evaluate: groupby per KPI"),
        ("evaluate_pandas_shared", "evaluate: shared groupbys"),
    ]
    head = " | ".join(f"{rows:,}" for rows in sizes)
    out = [
        "## Scaling: time per row (µs)",
        "",
        "Linear means the time per row stays flat as rows grow; fixed costs make small sets "
        f"dearer per row. Budget: evaluating at the largest size costs ≤ {LINEAR_SLACK}× per "
        "row what it costs at the size before.",
        "",
        f"| step | {head} | last ÷ previous (per row) |",
        "|---|" + "---:|" * len(sizes) + "---:|",
    ]
    for case, label in steps:
        per_row = []
        for rows in sizes:
            median = _median(runner.find(case, rows))
            per_row.append(None if median is None else median / rows * 1e6)
        cells = " | ".join("—" if v is None else f"{v:.2f}" for v in per_row)
        growth = _ratio(per_row[-1], per_row[-2]) if len(per_row) >= 2 else None
        out.append(f"| {label} | {cells} | {_x(growth)} |")
        if case == "evaluate_koers" and growth is not None:
            budgets.add(
                f"evaluate linear in rows ({sizes[-2]:,} → {sizes[-1]:,}, per row)",
                _x(growth),
                growth <= LINEAR_SLACK,
                _over(growth, LINEAR_SLACK),
            )
    return out


def _report_section(runner: Runner, budgets: Budgets) -> list[str]:
    koers = next(
        (r for r in runner.records if r["case"] == "report_koers" and not r["profiled"]), None
    )
    base = next(
        (r for r in runner.records if r["case"] == "report_openpyxl" and not r["profiled"]), None
    )
    out = [
        "## Report: the formatted xlsx",
        "",
        "Koers: `report.report_xlsx(evaluation, 'en')` (summary, detail table, a native chart per "
        "KPI, goals, check-ins, data quality, definitions). Baseline: a plain openpyxl workbook "
        "with the same number of non-empty cells (numbers and short text, no styles), saved.",
        "",
        "| KPIs × periods | detail rows | cells | report_xlsx | plain openpyxl, same cells | "
        f"ratio | budget < {REPORT_SECONDS:.0f} s |",
        "|---|---:|---:|---|---|---|---|",
    ]
    median = _median(koers)
    ok = None if median is None else median < REPORT_SECONDS
    if koers is None:
        out.append("| not run | | | | | | |")
        return out
    shape = f"{koers.get('kpis', '?')} × {koers.get('periods', '?')}"
    out.append(
        f"| {shape} | {koers.get('detail_rows', '—')} | {koers.get('cells', '—')} | {_cell(koers)} "
        f"| {_cell(base)} | {_x(_ratio(median, _median(base)))} | {_verdict(ok)} |"
    )
    if median is not None:
        budgets.add(
            f"report {shape}: < {REPORT_SECONDS:.0f} s",
            _s(median),
            ok,
            _over(median, REPORT_SECONDS),
        )
    if koers.get("cells_per_sheet"):
        per_sheet = ", ".join(f"{k}: {v}" for k, v in koers["cells_per_sheet"].items())
        out += ["", f"Cells per sheet: {per_sheet}."]
    return out


def _app_section(runner: Runner, budgets: Budgets) -> list[str]:
    trivial = next((r for r in runner.records if r["case"] == "app_trivial"), None)
    out = [
        "## App: a dashboard rerun with the data loaded and evaluated",
        "",
        "`streamlit.testing.v1.AppTest` on `app.py`: the 25-KPI scorecard and the workbook are "
        "put in session state (`koers_scorecard`, `koers_files`), the page is switched to "
        "`pages/dashboard.py` and run once (cold: reads, types and evaluates through the "
        "app's caches), then rerun with nothing changed; the median of the reruns counts. "
        "Baseline: an AppTest rerun of a script that only renders a title, in its own process.",
        "",
        "| rows | cold dashboard run | rerun (median) | trivial script rerun | "
        f"rerun ÷ trivial | budget < {APP_RERUN_SECONDS} s |",
        "|---:|---|---|---|---|---|",
    ]
    for record in runner.records:
        if record["case"] != "app_koers" or record["profiled"]:
            continue
        rows = record["rows"]
        median = _median(record)
        ok = None if median is None else median < APP_RERUN_SECONDS
        budget_cell = _verdict(ok) if rows == APP_ROWS else f"({_verdict(ok)}: budget is at 100k)"
        out.append(
            f"| {rows:,} | {_s(record.get('cold_s'))} | {_cell(record)} | {_cell(trivial)} | "
            f"{_x(_ratio(median, _median(trivial)))} | {budget_cell} |"
        )
        problems = (record.get("exceptions") or []) + (record.get("errors") or [])
        if problems:
            out.append(f"|  | the page showed: {'; '.join(problems)[:300]} | | | | |")
        if median is not None and rows == APP_ROWS:
            budgets.add(
                f"app {rows:,}: dashboard rerun < {APP_RERUN_SECONDS} s",
                _s(median),
                ok,
                _over(median, APP_RERUN_SECONDS),
            )
        if record.get("elements"):
            shown = ", ".join(f"{k}: {v}" for k, v in record["elements"].items())
            out += ["", f"The dashboard at {rows:,} rows rendered {shown}."]
    return out


def _memory_section(runner: Runner, budgets: Budgets) -> list[str]:
    out = [
        "## Memory: peak resident memory per measurement",
        "",
        "Each measurement runs in a child process of its own. *After imports* is its resident "
        "memory with the libraries loaded and no data; *peak* is the high-water mark while the "
        "measured step ran (reset after setup through `/proc/self/clear_refs`; for the app the "
        "cold run counts too). *Added* = peak − after imports: what the data and the work "
        "cost, file bytes included. *After setup* is resident memory once the input was "
        "ready (file bytes read; for evaluate and report the data loaded; for the app after "
        "the cold run). The loaded data is Koers' typed DataFrame of that size "
        "(`df.memory_usage(deep=True).sum()`). Budget: added ≤ "
        f"{MEMORY_VS_DATA:.0f}× the loaded data (Koers steps only; baselines for comparison).",
        "",
        "| measurement | rows | loaded data | after imports | after setup | peak | added "
        "| added ÷ data | budget |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    data_size: dict[int, float] = {}
    for record in runner.records:
        if record["case"] == "load_koers" and record.get("df_bytes"):
            data_size[record["rows"]] = record["df_bytes"] / 1024 / 1024
    budgeted = {"load_koers", "load_koers_csv", "evaluate_koers", "app_koers"}
    for record in runner.records:
        if record["profiled"] or "error" in record or record.get("skipped"):
            continue
        if "peak_op_mb" not in record:
            continue
        rows, case = record["rows"], record["case"]
        imports = record["rss_imports_mb"]
        peak = record["peak_op_mb"]
        if case.startswith("app") or not record.get("peak_reset"):
            peak = max(peak, record.get("peak_setup_mb", 0))
        added = peak - imports
        data = data_size.get(rows)
        if case.startswith("report") or case == "app_trivial":
            data = None
        ratio = _ratio(added, data)
        ok = None
        if case in budgeted and ratio is not None:
            ok = ratio <= MEMORY_VS_DATA
            if case != "app_koers" or rows == APP_ROWS:
                budgets.add(
                    f"memory {case} {rows:,}: ≤ {MEMORY_VS_DATA:.0f}× data",
                    _x(ratio),
                    ok,
                    _over(ratio, MEMORY_VS_DATA),
                )
        if case == "load_koers" and ratio is not None and rows >= 1_000_000:
            budgets.add(
                f"memory load {rows:,}: ≤ {LOAD_MEMORY_AT_1M:.0f}× the typed table",
                _x(ratio),
                ratio <= LOAD_MEMORY_AT_1M,
                _over(ratio, LOAD_MEMORY_AT_1M),
            )
        out.append(
            f"| {case} | {rows:,} | {_mb(data)} | {_mb(imports)} "
            f"| {_mb(record.get('rss_setup_mb'))} | {_mb(peak)} | {_mb(added)} | "
            f"{_x(ratio)} | {_verdict(ok)} |"
        )
    return out


def _profile_section(runner: Runner) -> list[str]:
    out = [
        "## Profiles of the Koers steps",
        "",
        "One extra run of each Koers step under cProfile (the app: a 1 ms stack sampler, as "
        "AppTest runs the page in a thread of its own), in a separate child process so the "
        "timings above carry no profiler overhead. *Own* is time spent in the function itself; "
        "*cumulative* includes what it calls. Profilers slow Python-heavy code down, so the "
        "shares matter more than the seconds.",
    ]
    for record in runner.records:
        if not record["profiled"]:
            continue
        title = f"### {record['case']}, {record['rows']:,} rows"
        if "error" in record:
            out += ["", title, "", f"Profile failed: {record['error']}"]
            continue
        prof = record.get("profile") or {}
        out += ["", title, "", f"{prof.get('tool')}: {_s(prof.get('total_s'))} in all."]
        sampled = prof.get("tool") == "stack sampler"
        if sampled:
            out += ["", "| own samples | function |", "|---:|---|"]
            out += [f"| {r['share'] * 100:.1f}% | `{r['where']}` |" for r in prof["own"][:15]]
            out += ["", "| cumulative samples | Koers function |", "|---:|---|"]
            out += [
                f"| {r['share'] * 100:.1f}% | `{r['where']}` |" for r in prof["project_cum"][:15]
            ]
            out += ["", "| cumulative samples | library function |", "|---:|---|"]
            out += [
                f"| {r['share'] * 100:.1f}% | `{r['where']}` |"
                for r in prof.get("library_cum", [])[:15]
            ]
        else:
            out += ["", "| own | calls | function |", "|---:|---:|---|"]
            out += [
                f"| {_s(r['own'])} | {r['calls']:,} | `{r['where']}` |" for r in prof["own"][:15]
            ]
            out += ["", "| cumulative | calls | Koers function |", "|---:|---:|---|"]
            out += [
                f"| {_s(r['cum'])} | {r['calls']:,} | `{r['where']}` |"
                for r in prof["project_cum"][:15]
            ]
    return out


def _errors_section(runner: Runner) -> list[str]:
    failed = [r for r in runner.records if "error" in r]
    if not failed:
        return []
    out = ["## Measurements that failed", ""]
    for record in failed:
        out += [f"- `{record['case']}` at {record['rows']:,} rows: {record['error']}"]
        if record.get("traceback"):
            out += ["", "  ```", *("  " + line for line in record["traceback"].splitlines()[-12:])]
            out += ["  ```"]
    return out


def _kept_notes(path: Path) -> list[str]:
    """The hand-written analysis between the notes markers of the previous file, kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if NOTES_START in text and NOTES_END in text:
        inner = text.split(NOTES_START, 1)[1].split(NOTES_END, 1)[0].strip("\n")
        return [NOTES_START, inner, NOTES_END]
    return [
        NOTES_START,
        "_No analysis written yet. Text between these markers survives the next run; say "
        "there which commit it was written for._",
        NOTES_END,
    ]


def write_results(
    path: Path,
    runner: Runner,
    sizes: list[int],
    info: dict[str, Any],
    quick: bool,
    started: datetime,
    wall: float,
) -> None:
    """RESULTS.md: machine, budgets, one table per measurement, memory, scaling, profiles."""
    budgets = Budgets()
    body: list[str] = []
    for section in (
        _load_section(runner, sizes, budgets),
        _evaluate_section(runner, sizes, budgets),
        _scaling_section(runner, sizes, budgets) if len(sizes) > 1 else [],
        _report_section(runner, budgets),
        _app_section(runner, budgets),
        _memory_section(runner, budgets),
        _profile_section(runner),
        _errors_section(runner),
    ):
        if section:
            body += ["", *section]
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    ram = f"{info['ram_gb']:.1f} GB" if info["ram_gb"] else "unknown"
    load = ", ".join(f"{v:.2f}" for v in info["load_avg"]) if info["load_avg"] else "unknown"
    seen = [r["load_avg_before"] for r in runner.records if r.get("load_avg_before") is not None]
    if seen:
        load += f"; 1-min load average before each measurement {min(seen):.1f}–{max(seen):.1f}"
    changed = (
        f" plus uncommitted changes in {', '.join(info['changed'])}" if info["changed"] else ""
    )
    failed = [line for line in budgets.lines if line[2] is False]
    head = [
        "# Koers benchmark results",
        "",
        f"Written by `uv run python -m benchmarks.run{' --quick' if quick else ''}` "
        f"on {started:%Y-%m-%d %H:%M} UTC in {wall / 60:.0f} min. Data: generated order lines "
        f"(seed {SEED}), {', '.join(f'{s:,}' for s in sizes)} rows, 9 columns, "
        "2023-01-01 to 2025-12-31. Times are medians of repeated runs in the same command; "
        "every budget is a ratio to a baseline measured alongside, except the report and "
        "rerun times, which are absolute. Budgets are judged on wall-clock medians; each cell "
        "also gives the median CPU time of the process, which other work on a shared machine "
        "disturbs far less.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable); "
        f"RAM {ram}; load average at start {load} (a shared machine: expect noise)",
        f"- {info['os']}; Python {info['python']}",
        f"- {packages}",
        f"- Koers at commit {info['commit'] or 'unknown'}{changed}",
        "",
        "## Budgets",
        "",
        f"{len(budgets.lines) - len(failed)} of {len(budgets.lines)} met."
        + (
            " Not met: " + "; ".join(f"{n} ({m}, {d})" for n, m, _, d in failed) + "."
            if failed
            else ""
        ),
        "",
        "| budget | measured | verdict | by how much |",
        "|---|---|---|---|",
        *(f"| {n} | {m} | {_verdict(ok)} | {d or '—'} |" for n, m, ok, d in budgets.lines),
        "",
        "## Analysis (written by hand; kept across runs)",
        "",
        *_kept_notes(path),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*head, *body]).rstrip() + "\n", encoding="utf-8")


# -- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Generate the data sets, run every measurement, write the results file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10k and 100k rows only")
    parser.add_argument("--sizes", help="comma-separated row counts, e.g. 10000,100000")
    parser.add_argument(
        "--only",
        default="load,evaluate,report,app,profile",
        help="measurement groups to run (default: all)",
    )
    parser.add_argument("--out", type=Path, help="results file (default: benchmarks/RESULTS.md)")
    parser.add_argument(
        "--skip", default="", help="comma-separated cases not to run, e.g. load_openpyxl"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return child_main(Spec(**json.loads(args.child)), args.child_out)

    def log(line: str) -> None:
        print(line, flush=True)

    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else list(QUICK_SIZES if args.quick else FULL_SIZES)
    )
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    info = machine()
    log(f"Koers benchmarks: {', '.join(f'{s:,}' for s in sizes)} rows → {out}")
    log("data")
    wanted = set(sizes) | ({APP_ROWS, PROFILE_ROWS} & set(FULL_SIZES) if not args.sizes else set())
    files = {rows: datagen.ensure(rows, SEED, log) for rows in sorted(wanted)}
    runner = Runner(files, log)
    runner.skip = {c.strip() for c in args.skip.split(",") if c.strip()}
    try:
        measure(runner, sizes, args.quick, groups)
    except KeyboardInterrupt:
        log("interrupted: writing what was measured so far")
    raw = datagen.DATA_DIR / f"records-{started:%Y%m%dT%H%M%S}.json"
    raw.write_text(json.dumps({"machine": info, "records": runner.records}, default=str), "utf-8")
    write_results(out, runner, sizes, info, args.quick, started, time.perf_counter() - clock)
    failed = [r for r in runner.records if "error" in r]
    log(f"wrote {out} ({len(failed)} measurement(s) failed; raw records in {raw.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
