"""The measurements, each run in a child process of its own so its memory is its own.

A case has a ``setup`` (not timed: read the file bytes, load the data, open the app), an
``op`` that is timed ``repeats`` times, and an ``after`` that checks the result and adds
facts to the record (sizes, cell counts, equality with the baseline). ``run_child`` does
the timing and the memory bookkeeping:

- ``rss_imports``: resident memory once the libraries are imported (before any data);
- ``peak_setup``: the high-water mark reached during setup (e.g. the app's cold run);
- ``peak_op``: the high-water mark during the timed repeats only (reset after setup via
  ``/proc/self/clear_refs``), falling back to ``ru_maxrss`` where that is unavailable.

With ``profile`` set, the op runs once more under cProfile (or, for the app, whose script
runs in a thread of its own, under a small stack sampler) and the hot spots are recorded.
"""

from __future__ import annotations

import contextlib
import cProfile
import ctypes
import dataclasses
import gc
import io
import os
import pstats
import resource
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PREFIXES = ("kpilogic/", "pages/", "app.py", "benchmarks/")
DATA_SHEET = "Orders"
REPORT_ROWS = 100_000  # the evaluation the report is written from (its size barely matters)


# -- memory ----------------------------------------------------------------------------------


def _status_kb(field_name: str) -> int | None:
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float:
    """Resident memory now, in MB."""
    kb = _status_kb("VmRSS")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def peak_mb() -> float:
    """The resident high-water mark (since start or the last ``reset_peak``), in MB."""
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def reset_peak() -> bool:
    """Start a new high-water mark (Linux ≥ 4.0); False where that is not possible."""
    try:
        with Path("/proc/self/clear_refs").open("w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def release_memory() -> None:
    """Collect garbage and hand freed heap back to the system, so setup leftovers don't count."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def frame_bytes(df: Any) -> int:
    """A DataFrame's in-memory size, strings included."""
    return int(df.memory_usage(deep=True).sum())


# -- cases -----------------------------------------------------------------------------------


@dataclass
class Case:
    """What one child process measures (see the module docstring)."""

    setup: Callable[[], Any]
    op: Callable[[Any], Any]
    after: Callable[[Any, Any], dict[str, Any]] = lambda ctx, result: {}
    threaded: bool = False  # the op's work runs in another thread (AppTest)


@dataclass
class Spec:
    """The child's orders: which case, on which data file, how often."""

    case: str
    rows: int
    xlsx: str
    csv: str
    repeats: int
    profile: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def koers_load(data: bytes, name: str) -> Any:
    """What the app does with an uploaded file: ``pipeline.read_dataset`` (raw cells, layout,
    value parsing) and ``typed_table`` (profiled column kinds applied)."""
    from kpilogic.scorecard.model import Dataset
    from kpilogic.sources.pipeline import read_dataset, typed_table

    sheet = DATA_SHEET if name.endswith(".xlsx") else None
    dataset = Dataset(id="orders", name="Orders", source=name, sheet=sheet, date_column="Date")
    return typed_table(read_dataset(data, name, dataset).frame, "Date")


def _koers_typed(path: str) -> Any:
    return koers_load(_read(path), Path(path).name)


# load ----------------------------------------------------------------------------------------


def _load_koers(spec: Spec, path: str) -> Case:
    import kpilogic.sources.pipeline  # noqa: F401  (imported before the memory baseline is taken)

    name = Path(path).name

    def after(data: bytes, df: Any) -> dict[str, Any]:
        return {
            "shape": list(df.shape),
            "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
            "df_bytes": frame_bytes(df),
            "file_bytes": len(data),
        }

    def setup() -> bytes:
        # The exact path (grid of Python objects, layout rules on every cell) for comparison;
        # the upload limit (50 MB, a product rule) is lifted so the 1M-row csv is read too.
        if spec.extra.get("exact"):
            os.environ["KOERS_FAST_READ"] = "0"
        os.environ.setdefault("KOERS_MAX_UPLOAD_MB", "200")
        return _read(path)

    return Case(
        setup=setup,
        op=lambda data: koers_load(data, name),
        after=after,
    )


def _load_fastexcel(spec: Spec) -> Case:
    import fastexcel
    import pandas as pd  # noqa: F401

    return Case(
        setup=lambda: spec.xlsx,
        op=lambda path: fastexcel.read_excel(path).load_sheet(0).to_pandas(),
        after=lambda _, df: {"shape": list(df.shape), "df_bytes": frame_bytes(df)},
    )


def _load_arrow_csv(spec: Spec) -> Case:
    import pandas as pd  # noqa: F401
    import pyarrow.csv as pcsv

    return Case(
        setup=lambda: spec.csv,
        op=lambda path: pcsv.read_csv(path).to_pandas(),
        after=lambda _, df: {"shape": list(df.shape), "df_bytes": frame_bytes(df)},
    )


def wide_csv() -> bytes:
    """16,384 columns × 10 rows of small numbers under a header (issue 19), about 560 KB."""
    header = ",".join(f"c{i}" for i in range(16_384))
    body = "\n".join(",".join(str((i * j) % 97) for j in range(16_384)) for i in range(10))
    return f"{header}\n{body}\n".encode()


def _load_wide_csv(spec: Spec) -> Case:
    import kpilogic.sources.pipeline  # noqa: F401

    def op(data: bytes) -> Any:
        from kpilogic.errors import KoersError

        try:
            return koers_load(data, "wide.csv")
        except KoersError as exc:
            return exc

    def after(data: bytes, result: Any) -> dict[str, Any]:
        refused = not hasattr(result, "shape")
        return {
            "file_bytes": len(data),
            "outcome": f"refused: {result.key}" if refused else f"read: {list(result.shape)}",
        }

    return Case(setup=wide_csv, op=op, after=after)


def _exact(spec: Spec) -> Spec:
    return dataclasses.replace(spec, extra={**spec.extra, "exact": True})


def _load_calamine(spec: Spec) -> Case:
    import pandas as pd
    import python_calamine

    def op(path: str) -> Any:
        rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
        return pd.DataFrame(rows[1:], columns=rows[0])

    return Case(
        setup=lambda: spec.xlsx,
        op=op,
        after=lambda _, df: {"shape": list(df.shape), "df_bytes": frame_bytes(df)},
    )


def _load_openpyxl(spec: Spec) -> Case:
    import pandas as pd

    return Case(
        setup=lambda: spec.xlsx,
        op=lambda path: pd.read_excel(path, engine="openpyxl"),
        after=lambda _, df: {"shape": list(df.shape), "df_bytes": frame_bytes(df)},
    )


def _load_pandas_csv(spec: Spec) -> Case:
    import pandas as pd

    return Case(
        setup=lambda: spec.csv,
        op=lambda path: pd.read_csv(path, parse_dates=["Date"]),
        after=lambda _, df: {"shape": list(df.shape), "df_bytes": frame_bytes(df)},
    )


# evaluate ------------------------------------------------------------------------------------


def _evaluate_koers(spec: Spec) -> Case:
    import kpilogic.sources.pipeline  # noqa: F401  (imported before the memory baseline is taken)
    from benchmarks import workload
    from kpilogic.engine.evaluate import evaluate_scorecard

    card = workload.scorecard(Path(spec.xlsx).name, DATA_SHEET)

    def after(df: Any, ev: Any) -> dict[str, Any]:
        return {
            "df_bytes": frame_bytes(df),
            "detail_rows": len(ev.detail),
            "kpis": len(card.kpis),
            "errors": {k: str(v) for k, v in ev.errors.items()},
            "forecasts": len(ev.forecasts),
        }

    return Case(
        setup=lambda: _koers_typed(spec.xlsx),
        op=lambda df: evaluate_scorecard(card, {workload.DATASET: df}),
        after=after,
    )


def _evaluate_pandas(spec: Spec, shared: bool) -> Case:
    import kpilogic.sources.pipeline  # noqa: F401
    from benchmarks import workload
    from kpilogic.engine.evaluate import evaluate_scorecard

    card = workload.scorecard(Path(spec.xlsx).name, DATA_SHEET)

    def after(df: Any, actuals: Any) -> dict[str, Any]:
        # The baseline must compute the same numbers: compare every actual with Koers'.
        koers = workload.koers_actuals(evaluate_scorecard(card, {workload.DATASET: df}).detail)
        same, problems = workload.compare(koers, actuals)
        return {
            "df_bytes": frame_bytes(df),
            "actuals": len(actuals),
            "koers_actuals": len(koers),
            "equal": same,
            "mismatches": problems,
        }

    return Case(
        setup=lambda: _koers_typed(spec.xlsx),
        op=lambda df: workload.pandas_actuals(df, shared=shared),
        after=after,
    )


# report --------------------------------------------------------------------------------------


def _report_setup(spec: Spec) -> Any:
    from benchmarks import workload
    from kpilogic.engine.evaluate import evaluate_scorecard

    card = workload.scorecard(Path(spec.xlsx).name, DATA_SHEET)
    return evaluate_scorecard(card, {workload.DATASET: _koers_typed(spec.xlsx)})


def _cell_count(data: bytes) -> dict[str, int]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: sum(1 for c in ws._cells.values() if c.value is not None) for ws in wb}


def _report_koers(spec: Spec) -> Case:
    import kpilogic.sources.pipeline  # noqa: F401
    from kpilogic.present.report import report_xlsx

    def after(ev: Any, data: bytes) -> dict[str, Any]:
        cells = _cell_count(data)
        periods = ev.detail.loc[ev.detail["segment"] == "", "period"].nunique()
        return {
            "kpis": len(ev.scorecard.kpis),
            "periods": int(periods),
            "detail_rows": len(ev.detail),
            "cells": sum(cells.values()),
            "cells_per_sheet": cells,
            "report_bytes": len(data),
        }

    return Case(setup=lambda: _report_setup(spec), op=lambda ev: report_xlsx(ev, "en"), after=after)


def _report_openpyxl(spec: Spec) -> Case:
    from openpyxl import Workbook

    from kpilogic.present.report import report_xlsx

    width = 20

    def setup() -> int:
        return sum(_cell_count(report_xlsx(_report_setup(spec), "en")).values())

    def op(cells: int) -> bytes:
        # The same number of cells, half numbers and half short text, nothing else.
        wb = Workbook()
        ws = wb.active
        for i in range(cells):
            row, col = divmod(i, width)
            ws.cell(row=row + 1, column=col + 1, value=i * 1.5 if col % 2 else f"text {i}")
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    return Case(setup=setup, op=op, after=lambda cells, data: {"cells": cells})


# app -----------------------------------------------------------------------------------------


def _app_env() -> None:
    # The app must not touch anybody's workspace database.
    home = tempfile.mkdtemp(prefix="koers-bench-home-")
    os.environ["KOERS_HOME"] = home
    os.environ.pop("KOERS_DB", None)
    os.environ.pop("KOERS_SAMPLE", None)


def _app_koers(spec: Spec) -> Case:
    import hashlib

    _app_env()
    from streamlit.testing.v1 import AppTest

    from benchmarks import workload
    from kpilogic.workspace.service import SourceFile

    name = Path(spec.xlsx).name
    timeout = float(spec.extra.get("timeout", 900))

    def setup() -> dict[str, Any]:
        data = _read(spec.xlsx)
        card = workload.scorecard(name, DATA_SHEET)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.session_state["koers_lang"] = "en"
        at.session_state["koers_scorecard"] = card
        at.session_state["koers_files"] = {
            name: SourceFile(name, data, hashlib.sha256(data).hexdigest())
        }
        at.run()
        started = time.perf_counter()
        at.switch_page("pages/dashboard.py").run()
        cold = time.perf_counter() - started
        del data
        return {"at": at, "cold": cold}

    def after(ctx: dict[str, Any], _: Any) -> dict[str, Any]:
        at = ctx["at"]
        return {
            "cold_s": ctx["cold"],
            "title": at.title[0].value if at.title else None,
            "exceptions": [str(e.value)[:300] for e in at.exception],
            "errors": [str(e.value)[:300] for e in at.error],
            "elements": {
                "metric": len(at.metric),
                "dataframe": len(at.dataframe),
                "expander": len(at.expander),
                "charts": len(at.get("arrow_vega_lite_chart")) or len(at.get("vega_lite_chart")),
            },
        }

    return Case(setup=setup, op=lambda ctx: ctx["at"].run(), after=after, threaded=True)


def _app_trivial(spec: Spec) -> Case:
    _app_env()
    from streamlit.testing.v1 import AppTest

    def setup() -> Any:
        script = Path(tempfile.mkdtemp(prefix="koers-bench-")) / "trivial.py"
        script.write_text('import streamlit as st\n\nst.title("Hello")\n', encoding="utf-8")
        at = AppTest.from_file(str(script), default_timeout=60)
        at.run()
        return at

    return Case(
        setup=setup,
        op=lambda at: at.run(),
        after=lambda at, _: {"title": at.title[0].value if at.title else None},
        threaded=True,
    )


CASES: dict[str, Callable[[Spec], Case]] = {
    "load_koers": lambda s: _load_koers(s, s.xlsx),
    "load_calamine": _load_calamine,
    "load_openpyxl": _load_openpyxl,
    "load_koers_csv": lambda s: _load_koers(s, s.csv),
    "load_pandas_csv": _load_pandas_csv,
    "load_fastexcel": _load_fastexcel,
    "load_arrow_csv": _load_arrow_csv,
    "load_koers_exact": lambda s: _load_koers(_exact(s), s.xlsx),
    "load_wide_csv": _load_wide_csv,
    "evaluate_koers": _evaluate_koers,
    "evaluate_pandas": lambda s: _evaluate_pandas(s, shared=False),
    "evaluate_pandas_shared": lambda s: _evaluate_pandas(s, shared=True),
    "report_koers": _report_koers,
    "report_openpyxl": _report_openpyxl,
    "app_koers": _app_koers,
    "app_trivial": _app_trivial,
}


# -- profiling -------------------------------------------------------------------------------


def _where(filename: str, line: int, func: str) -> str:
    path = filename.replace("\\", "/")
    root = str(ROOT).replace("\\", "/") + "/"
    if path.startswith(root) and "/.venv/" not in path:
        path = path[len(root) :]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif path.startswith("~") or path.startswith("<"):
        return func
    else:
        path = Path(path).name
    return f"{path}:{line} {func}"


def _is_project(where: str) -> bool:
    return where.startswith(PROJECT_PREFIXES)


def _cprofile(op: Callable[[], Any], top: int) -> dict[str, Any]:
    prof = cProfile.Profile()
    started = time.perf_counter()
    prof.enable()
    try:
        op()
    finally:
        prof.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(prof)
    rows = []
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {"where": _where(filename, line, func), "calls": ncalls, "own": tottime, "cum": cumtime}
        )
    own = sorted(rows, key=lambda r: r["own"], reverse=True)[:top]
    project = sorted(
        (r for r in rows if _is_project(r["where"])), key=lambda r: r["cum"], reverse=True
    )[:top]
    return {"tool": "cProfile", "total_s": total, "own": own, "project_cum": project}


def _sampled(op: Callable[[], Any], top: int, interval: float = 0.001) -> dict[str, Any]:
    """A stack sampler over every thread but this one: for work done in other threads."""
    me = threading.get_ident()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    samples = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal samples
        sampler = threading.get_ident()
        while not stop.is_set():
            for ident, frame in sys._current_frames().items():
                if ident in (me, sampler):
                    continue
                seen: set[str] = set()
                leaf = True
                f: Any = frame
                while f is not None:
                    code = f.f_code
                    where = _where(code.co_filename, code.co_firstlineno, code.co_name)
                    if leaf:
                        own[where] += 1
                        leaf = False
                    if where not in seen:
                        inclusive[where] += 1
                        seen.add(where)
                    f = f.f_back
                if "threading.py" not in " ".join(seen) or len(seen) > 4:
                    samples += 1
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        op()
    finally:
        stop.set()
        thread.join()
    total = time.perf_counter() - started
    # Idle threads (waiting on a lock) dominate the leaf counts; keep the working frames.
    idle = ("threading.py", "queue.py", "selectors.py", "socket.py")
    own_rows = [
        {"where": w, "share": n / max(samples, 1)}
        for w, n in own.most_common()
        if not w.startswith(idle) and "wait" not in w
    ][:top]
    project = [
        {"where": w, "share": n / max(samples, 1)}
        for w, n in inclusive.most_common()
        if _is_project(w)
    ][:top]
    # Library calls that take a large share (the outer frames of every sample left out).
    libraries = [
        {"where": w, "share": n / max(samples, 1)}
        for w, n in inclusive.most_common()
        if not _is_project(w)
        and n < 0.9 * samples
        and not w.startswith(idle)
        and not w.startswith("streamlit/runtime/scriptrunner")
    ][:top]
    return {
        "tool": "stack sampler",
        "total_s": total,
        "samples": samples,
        "own": own_rows,
        "project_cum": project,
        "library_cum": libraries,
    }


# -- the child's main ------------------------------------------------------------------------


def run_child(spec: Spec) -> dict[str, Any]:
    """Set up, time ``spec.repeats`` runs, read the memory marks, check, maybe profile."""
    record: dict[str, Any] = {"case": spec.case, "rows": spec.rows, "repeats": spec.repeats}
    make = CASES[spec.case]
    case = make(spec)  # imports happen here
    gc.collect()
    record["rss_imports_mb"] = rss_mb()
    started = time.perf_counter()
    ctx = case.setup()
    record["setup_s"] = time.perf_counter() - started
    record["peak_setup_mb"] = peak_mb()
    release_memory()
    record["rss_setup_mb"] = rss_mb()
    record["peak_reset"] = reset_peak()
    times: list[float] = []
    cpu: list[float] = []
    result: Any = None
    for _ in range(spec.repeats):
        result = None
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = case.op(ctx)
        times.append(time.perf_counter() - started)
        # CPU time of the whole process (the AppTest script thread included): far less
        # sensitive than wall time to other work on a shared machine.
        cpu.append(time.process_time() - cpu_started)
    record["peak_op_mb"] = peak_mb()
    record["times"] = times
    record["median_s"] = statistics.median(times) if times else None
    record["cpu_times"] = cpu
    record["cpu_median_s"] = statistics.median(cpu) if cpu else None
    if times:
        record.update(case.after(ctx, result))
    if spec.profile:
        result = None
        gc.collect()
        run_once = lambda: case.op(ctx)  # noqa: E731
        record["profile"] = _sampled(run_once, 25) if case.threaded else _cprofile(run_once, 25)
    return record


def child_main(spec: Spec, out: Path) -> int:
    """Run one case and write its record as JSON to ``out`` (also when it fails)."""
    import json

    try:
        record = run_child(spec)
    except BaseException as exc:
        record = {
            "case": spec.case,
            "rows": spec.rows,
            "error": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc()[-4000:],
        }
    out.write_text(json.dumps(record, default=str), encoding="utf-8")
    return 0 if "error" not in record else 1
