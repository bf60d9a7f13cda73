"""House rules that keep the architecture honest."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_kpilogic_does_not_import_streamlit() -> None:
    code = "import kpilogic, kpilogic.engine.evaluate, kpilogic.present.charts, sys; "
    code += "import kpilogic.present.report; "
    code += "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_eval_or_exec_anywhere() -> None:
    pattern = re.compile(r"(^|[^.\w])(eval|exec)\(")
    for path in [
        *ROOT.glob("kpilogic/**/*.py"),
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("ui/*.py"),
        ROOT / "app.py",
    ]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not pattern.search(line.split("#")[0]), f"{path.name}:{number}: {line}"


def test_no_user_text_rendered_as_html() -> None:
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]:
        assert "unsafe_allow_html=True" not in path.read_text(encoding="utf-8"), path.name
