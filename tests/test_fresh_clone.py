"""A clone of the repository with nothing beside it passes its own tests, and every command
in the README runs as written there.

The clone is made from the committed HEAD (in CI: the submission) into an empty folder, so a
file that only this checkout has (or a file outside the repository) makes these tests fail.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Commands the README shows that this test does not run, and why.
NOT_RUN = {
    "./dev.sh app": "starts a server (the end-to-end tests start the app themselves)",
    "./dev.sh test": "is this test suite itself",
    "./dev.sh bench": "takes 5 to 15 minutes (run by hand); `./dev.sh bench --help` stands in",
    # "Running for a team": they need a PostgreSQL server of the reader's own (the store
    # tests run migrate, backup and restore against one they start: test_store_migrate.py).
    "createuser": "creates a PostgreSQL user on the reader's database server",
    "export": "sets KOERS_DB to the reader's PostgreSQL server",
    "uv run --frozen --no-dev streamlit": "starts an app server (as ./dev.sh app)",
    "./dev.sh koers store migrate": "needs the reader's PostgreSQL server",
    "./dev.sh koers backup koers-copy.sqlite3": "needs the reader's PostgreSQL server",
    "pg_dump": "needs the reader's PostgreSQL server",
    "pg_restore": "needs the reader's PostgreSQL server",
}


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("fresh") / "koers"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(where)], check=True)
    assert sorted(p.name for p in where.parent.iterdir()) == ["koers"]  # nothing beside it
    # mypy's cache of this checkout (`./dev.sh test` has just run mypy here): the README's
    # `./dev.sh lint` then takes seconds instead of a minute. mypy checks each cached file
    # against the clone's own by hash, so the answer is the one a cold run gives.
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", where / ".mypy_cache")
    return where


def _env(clone: Path) -> dict[str, str]:
    """The environment of a new user's shell: uv where dev.sh finds it, no project state."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "KOERS_"))}
    env["KOERS_HOME"] = str(clone.parent / "home")
    uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p]
    env["PATH"] = os.pathsep.join([str(Path(uv).parent), *path])
    return env


def test_nothing_refers_to_files_outside_the_repository(clone: Path) -> None:
    outside = re.compile(r"\.\./" + 'shared|parent / "' + 'shared"')
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.split()
    hits = [
        name
        for name in tracked
        if name.endswith((".py", ".sh", ".toml", ".md", ".cfg", ".ini", ".json", ".yaml"))
        and outside.search((clone / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert hits == []


def _pytest(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**_env(clone), "CI": "true", "PYTHONPATH": str(clone)}  # CI: a missing file fails
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_whole_suite_collects_in_the_clone(clone: Path) -> None:
    result = _pytest(clone, "--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\d{3,} tests collected", result.stdout)


def test_the_corpus_tests_pass_in_the_clone(clone: Path) -> None:
    result = _pytest(
        clone,
        "-q",
        "tests/test_superstore.py",
        "tests/test_layout.py::test_every_corpus_file_tidies_or_raises_our_error",
        "tests/test_ingest.py",
        "-k",
        "superstore or corpus or four_formats or 1904 or unreadable_data_file",
        "tests/test_cli.py::test_unreadable_data_file",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary)
    assert "skipped" not in summary and "failed" not in summary


def readme_commands(readme: str) -> list[str]:
    """The shell commands in the README's ``sh`` blocks, continuation lines joined and
    trailing comments dropped."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(shlex.join(words))
    return commands


def test_readme_commands_are_found() -> None:
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "./dev.sh app" in commands
    assert "./dev.sh test" in commands
    assert any(c.startswith("./dev.sh koers evaluate") for c in commands)


def _not_run(command: str) -> bool:
    return any(command == skip or command.startswith(skip + " ") for skip in NOT_RUN)


def test_every_readme_command_runs_as_written(clone: Path) -> None:
    commands = readme_commands((clone / "README.md").read_text(encoding="utf-8"))
    env = _env(clone)
    ran = []
    for command in commands:
        if _not_run(command):
            continue
        result = subprocess.run(
            command, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1200
        )
        assert result.returncode == 0, (
            f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
        ran.append(command)
    assert len(ran) >= 6, ran
    bench = subprocess.run(
        ["./dev.sh", "bench", "--help"], cwd=clone, env=env, capture_output=True, text=True
    )
    assert bench.returncode == 0 and "--quick" in bench.stdout, bench.stderr
    # What the commands promise is there afterwards.
    assert (clone / "report.xlsx").stat().st_size > 10_000
    assert (clone / "rapport.csv").read_text(encoding="utf-8-sig").count("\n") > 10
    # `koers sample` wrote exactly what is committed (the sample is reproducible).
    status = subprocess.run(
        ["git", "status", "--porcelain", "sample_data"], cwd=clone, capture_output=True, text=True
    )
    assert status.stdout == ""
