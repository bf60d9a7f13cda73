"""kpilogic.sources.guard: no file can take the process down; sheets over the limits are refused."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from kpilogic.errors import ReadError
from kpilogic.i18n import t
from kpilogic.sources import guard
from kpilogic.sources.ingest import list_sheets, read_grid
from kpilogic.sources.pipeline import read_sheet
from tests.conftest import ROOT
from tests.hostile import minimal_xlsx, sparse_xlsx, wide_csv


@pytest.fixture(autouse=True)
def _private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files go to this test's own folder (other processes share /tmp), and no
    file is remembered as safe from an earlier test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    guard._KNOWN.clear()
    return folder


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_sparse_xlsx_does_not_kill_a_running_python(tmp_path: Path) -> None:
    # In a separate interpreter, so that a regression aborts that one and not pytest.
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(sparse_xlsx())
    temp = tmp_path / "child-tmp"
    temp.mkdir()
    code = (
        "import sys\nfrom kpilogic.sources.ingest import list_sheets\n"
        "from kpilogic.errors import ReadError\n"
        "try:\n    list_sheets(open(sys.argv[1], 'rb').read(), 'sparse.xlsx')\n"
        "except ReadError as e:\n    print(e.key)\n    print(e.message('nl'))\n"
        "print('alive')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        env={**__import__("os").environ, "TMPDIR": str(temp)},
    )
    assert done.returncode == 0, done.stderr[-800:]
    key, message, alive = done.stdout.strip().splitlines()
    assert key == "error.read.range_too_large"
    assert "sparse.xlsx" in message and "XFD1048576" in message
    assert alive == "alive"
    assert "Traceback" not in done.stderr
    assert _leftovers(temp) == []  # the koers-* folder is gone


def test_the_sparse_xlsx_is_refused_in_process_too(_private_tmp: Path) -> None:
    data = sparse_xlsx()
    assert len(data) < 2_000  # a tiny file: size limits alone cannot catch it
    for read in (list_sheets, read_sheet, read_grid):
        with pytest.raises(ReadError) as caught:
            read(data, "sparse.xlsx")
        assert caught.value.key == "error.read.range_too_large"
    assert _leftovers(_private_tmp) == []


def test_a_csv_with_16384_columns_is_refused_on_its_first_lines(_private_tmp: Path) -> None:
    data = wide_csv()
    for read in (read_sheet, read_grid):
        with pytest.raises(ReadError) as caught:
            read(data, "breed.csv")
        err = caught.value
        assert err.key == "error.read.too_many_columns_csv"
        # 16,384 columns (c0 … c16383), limit 1,000; grouped with a no-break space
        assert err.params["count"] == "16\u00a0384"
        assert err.params["limit"] == "1\u00a0000"
        assert "breed.csv" in err.message("nl") and "kolommen" in err.message("nl")
        assert "columns" in err.message("en")


def test_a_csv_that_grows_wide_below_its_first_lines_is_refused() -> None:
    # 60 narrow lines (past the 50 looked at first), then one line of 1,001 fields
    narrow = "\n".join(f"{i},{i * 2}" for i in range(60))
    data = ("a,b\n" + narrow + "\n" + ",".join(["1"] * 1_001) + "\n").encode()
    with pytest.raises(ReadError) as caught:
        read_sheet(data, "groei.csv")
    assert caught.value.key == "error.read.too_many_columns_csv"
    assert caught.value.params["count"] == "1\u00a0001"


def test_csv_rows_and_cells_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("x,y,z\n" + "\n".join(f"{i},{i},{i}" for i in range(10)) + "\n").encode()
    assert read_sheet(data, "ok.csv").frame.shape == (10, 3)
    monkeypatch.setenv("KOERS_MAX_ROWS", "10")  # header + 10 rows = 11 lines > 10
    with pytest.raises(ReadError) as caught:
        read_sheet(data, "rows.csv")
    assert caught.value.key == "error.read.too_many_rows_csv"
    assert caught.value.params["count"] == "11"
    monkeypatch.setenv("KOERS_MAX_ROWS", "100")
    monkeypatch.setenv("KOERS_MAX_CELLS", "32")  # 11 lines × 3 columns = 33 cells > 32
    with pytest.raises(ReadError) as caught:
        read_sheet(data, "cells.csv")
    assert caught.value.key == "error.read.too_many_cells_csv"
    assert caught.value.params["count"] == "33"
    monkeypatch.setenv("KOERS_MAX_CELLS", "33")  # exactly at the limit is fine
    assert read_sheet(data, "cells.csv").frame.shape == (10, 3)


def test_a_wide_sheet_is_refused_by_name_and_the_other_sheets_still_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _book(
        {
            "Wide": [["a", "b", "c", "d"], [1, 2, 3, 4]],
            "Narrow": [["Date", "Value"], ["2026-01-31", 5]],
        }
    )
    monkeypatch.setenv("KOERS_MAX_COLUMNS", "3")
    assert list_sheets(data, "mix.xlsx") == ["Wide", "Narrow"]
    with pytest.raises(ReadError) as caught:
        read_sheet(data, "mix.xlsx", "Wide")
    err = caught.value
    assert err.key == "error.read.too_many_columns"
    assert (err.params["sheet"], err.params["count"], err.params["limit"]) == ("Wide", "4", "3")
    assert "'Wide'" in err.message("en") and "mix.xlsx" in err.message("en")
    assert list(read_sheet(data, "mix.xlsx", "Narrow").frame.columns) == ["Date", "Value"]
    # Without a sheet named, the first is refused by name: Koers does not read another
    # sheet in its place without saying so.
    with pytest.raises(ReadError) as caught:
        read_sheet(data, "mix.xlsx")
    assert caught.value.key == "error.read.too_many_columns"
    assert caught.value.params["sheet"] == "Wide"
    with pytest.raises(ReadError):
        read_grid(data, "mix.xlsx", "Wide")


def test_the_child_reports_every_sheets_used_range(_private_tmp: Path) -> None:
    data = _book({"One": [["a", "b", "c"], [1, 2, 3]], "Two": [["x"], [1], [2], [3], [4]]})
    path = _private_tmp / "book.xlsx"
    path.write_bytes(data)
    # One: 2 rows × 3 columns; Two: 5 rows × 1 column
    assert guard.probe_workbook(path, data, "book.xlsx", "xlsx") == {"One": (2, 3), "Two": (5, 1)}
    sparse = _private_tmp / "sparse.xlsx"
    sparse.write_bytes(sparse_xlsx())
    with pytest.raises(ReadError) as caught:
        guard.probe_workbook(sparse, sparse.read_bytes(), "sparse.xlsx", "xlsx")
    assert caught.value.key == "error.read.range_too_large"


def test_a_child_that_runs_too_long_is_killed_and_nothing_is_left(
    _private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "READ_SECONDS", 0.001)
    data = minimal_xlsx({"A1": 1, "B2": 2})
    with pytest.raises(ReadError) as caught:
        list_sheets(data, "slow.xlsx")
    assert caught.value.key == "error.read.too_large"
    assert _leftovers(_private_tmp) == []


def test_a_moderately_sparse_sheet_within_memory_is_refused_by_the_cell_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A1 and Z2000: the used range is 2,000 rows × 26 columns = 52,000 cells
    data = minimal_xlsx({"A1": 1, "Z2000": 2})
    monkeypatch.setenv("KOERS_MAX_CELLS", "51999")
    with pytest.raises(ReadError) as caught:
        read_grid(data, "sparse_small.xlsx")
    err = caught.value
    assert err.key == "error.read.too_many_cells"
    assert (err.params["rows"], err.params["columns"]) == ("2\u00a0000", "26")
    assert err.params["count"] == "52\u00a0000"
    monkeypatch.setenv("KOERS_MAX_CELLS", "52000")
    assert read_grid(data, "sparse_small.xlsx").shape == (2000, 26)


def test_limits_come_from_the_environment_with_safe_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for env in ("KOERS_MAX_ROWS", "KOERS_MAX_COLUMNS", "KOERS_MAX_CELLS"):
        monkeypatch.delenv(env, raising=False)
    assert guard.limits() == guard.Limits(rows=2_000_000, columns=1_000, cells=15_000_000)
    monkeypatch.setenv("KOERS_MAX_COLUMNS", "abc")
    monkeypatch.setenv("KOERS_MAX_ROWS", "-5")
    monkeypatch.setenv("KOERS_MAX_CELLS", "1_000")
    assert guard.limits() == guard.Limits(rows=2_000_000, columns=1_000, cells=1_000)


def test_every_limit_message_exists_in_both_languages() -> None:
    for key in (
        "error.read.range_too_large",
        "error.read.too_many_columns",
        "error.read.too_many_rows",
        "error.read.too_many_cells",
        "error.read.too_many_columns_csv",
        "error.read.too_many_rows_csv",
        "error.read.too_many_cells_csv",
    ):
        params = {"name": "f.xlsx", "sheet": "S", "count": "9", "limit": "1"}
        params |= {"rows": "3", "columns": "3"}
        en, nl = t(key, "en", **params), t(key, "nl", **params)
        assert en != key and nl != key and en != nl
        assert "{" not in en + nl  # every placeholder filled


def test_stale_temp_folders_of_a_killed_read_are_swept(tmp_path: Path) -> None:
    def folder(name: str, files: list[str], age: float) -> Path:
        path = tmp_path / name
        path.mkdir()
        for file in files:
            (path / file).write_bytes(b"x")
        for item in [*path.iterdir(), path]:
            os.utime(item, (time.time() - age, time.time() - age))
        return path

    day = 24 * 3600
    old = folder("koers-old1", ["book.xlsx"], 2 * day)  # left by a killed read
    fresh = folder("koers-new1", ["book.xlsx"], 60)  # a read going on now
    other = folder("koers-bench-x", ["trivial.py"], 2 * day)  # not ours to remove
    two = folder("koers-two", ["book.xls", "notes.txt"], 2 * day)
    unrelated = folder("other-old", ["book.xlsx"], 2 * day)
    assert guard.sweep_stale_temp(tmp_path) == [old]
    assert not old.exists()
    assert fresh.exists() and other.exists() and two.exists() and unrelated.exists()


def test_the_command_line_refuses_the_sparse_xlsx_and_the_wide_csv(tmp_path: Path) -> None:
    from tests.test_cli_bad_files import _card, _evaluate, _refused

    done, out = _evaluate(
        tmp_path, "verre.xlsx", sparse_xlsx(), _card("verre.xlsx", "Data", "D", "V")
    )
    _refused(done, "verre.xlsx", "XFD1048576")
    assert not out.exists()
    done, out = _evaluate(tmp_path, "breed.csv", wide_csv(), _card("breed.csv", None, "c0", "c1"))
    _refused(done, "breed.csv", "16\u00a0384 columns", "1\u00a0000")
    assert not out.exists()
