"""House rules that keep the architecture honest."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

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


# -- the import graph (issue 16) -------------------------------------------------------------

# The core's stages, lowest first: a module may import its own stage and the ones before it,
# never a later one. Top-level modules: errors and i18n are the base; cli and sample sit on top.
STAGES = ["base", "scorecard", "sources", "engine", "present", "workspace", "top"]
TOP_LEVEL = {"errors": "base", "i18n": "base", "cli": "top", "sample": "top", "__init__": "top"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return "top"
    return parts[1] if parts[1] in STAGES else TOP_LEVEL.get(parts[1], "top")


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks (imports for annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import in ``path`` — at the top or inside a function —
    except those only for type checking."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found: list[tuple[str, list[str], int]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [alias.name for alias in node.names]
            submodules = [f"{node.module}.{n}" for n in names]
            found.append((node.module, names, node.lineno))
            found += [(m, [], node.lineno) for m in submodules if _is_module(m)]
    return found


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _core_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "kpilogic").rglob("*.py")):
        name = _module_name(path)
        graph[name] = {
            m
            for m, _, _ in _imports(path)
            if m.startswith("kpilogic") and _is_module(m) and m != name
        }
    return graph


def test_the_core_has_no_import_circles() -> None:
    graph = _core_graph()
    # Packages import nothing of their own modules (their __init__ is a docstring), except
    # kpilogic/__init__.py, the public API; an edge into a package is an edge into its __init__.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import circle: " + " → ".join(circle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert len(graph) > 40  # the walk saw the whole core


def test_each_stage_imports_only_earlier_stages() -> None:
    wrong = []
    for module, imported in _core_graph().items():
        if module == "kpilogic":
            continue
        for other in imported:
            if other != "kpilogic" and STAGES.index(_stage(other)) > STAGES.index(_stage(module)):
                wrong.append(f"{module} ({_stage(module)}) imports {other} ({_stage(other)})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_module_imports_another_modules_private_names() -> None:
    wrong = []
    for path in [
        *(ROOT / "kpilogic").rglob("*.py"),
        *ROOT.glob("ui/**/*.py"),
        *ROOT.glob("pages/*.py"),
    ]:
        for module, names, line in _imports(path):
            if module.startswith(("kpilogic", "ui", "pages")):
                wrong += [
                    f"{path.relative_to(ROOT)}:{line} {module}.{n}"
                    for n in names
                    if n.startswith("_")
                ]
    assert not wrong, "\n".join(wrong)


def test_the_core_imports_no_user_interface() -> None:
    for path in (ROOT / "kpilogic").rglob("*.py"):
        for module, _, line in _imports(path):
            top = module.split(".")[0]
            assert top not in {"streamlit", "ui", "pages"}, f"{path.relative_to(ROOT)}:{line}"


def test_each_core_module_imports_alone() -> None:
    # In one fresh interpreter: before each module, every kpilogic module loaded so far is
    # forgotten, so each is imported as if it were the first (third-party packages stay).
    modules = sorted(_core_graph())
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'kpilogic']:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules\n"
        f"print(len({modules!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(len(modules))


def test_pages_holds_only_the_pages_the_router_lists() -> None:
    from ui.routing import PAGES

    listed = {ROOT / page for page in PAGES.values()}
    assert set(ROOT.glob("pages/*.py")) == listed
    assert not (ROOT / "pages" / "__init__.py").exists()
    # Nothing imports a page: pages are run by the router, never used as modules.
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()  # every Python file of the project, without walking .venv
    for path in [ROOT / name for name in tracked]:
        for module, _, line in _imports(path):
            assert not module.startswith("pages"), (
                f"{path.relative_to(ROOT)}:{line} imports {module}"
            )
