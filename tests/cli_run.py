"""The ``koers`` command line run inside the test process: ``kpilogic.cli.main(argv)`` with
its own working folder, environment, stdout and stderr, returned as the
``subprocess.CompletedProcess`` a subprocess would give.

Starting a Python process costs about two seconds here (pandas alone is one), and the
suite runs the command line some hundred times, so the tests call ``main`` directly. What a
subprocess would add is tested apart: the entry point itself (``test_cli.py`` runs
``python -m kpilogic.cli`` once; ``test_fresh_clone.py`` runs every README command through
``./dev.sh koers`` in a clone), and a crash no ``except`` can catch (the guarded child of
``sources/guard.py`` is a real process either way).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from kpilogic.cli import main
from tests.conftest import ROOT


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None, cwd: Path) -> Iterator[None]:
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def koers(
    *args: str, cwd: Path = ROOT, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``koers ARGS`` as ``subprocess.run([python, -m, kpilogic.cli, *args], cwd=cwd,
    env=env, capture_output=True, text=True)`` would run it: ``env`` replaces the whole
    environment (None: this process's own). An exception ``main`` lets through fails the
    test with its traceback, where the process would have printed it and exited 1."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None
    with (
        _environment(env, cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, a bad argument
            code = exc.code
    if isinstance(code, str):  # SystemExit("message"): printed, exit 1
        err.write(code + "\n")
        code = 1
    return subprocess.CompletedProcess(
        [sys.executable, "-m", "kpilogic.cli", *args],
        int(code or 0),
        out.getvalue(),
        err.getvalue(),
    )
