"""The private Streamlit switch ``ui.routing.route_guard`` relies on is still there.

``route_guard`` turns off Streamlit's old pages-directory mode for a page started without the
router (a deep link on a fresh server). If Streamlit renames the attribute, stops reading it, or
stops deriving it from the ``pages/`` folder, these tests fail with what to look at — instead
of deep links silently showing a page without its sidebar and workspace.
"""

from __future__ import annotations

import ast
import inspect

import streamlit
from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner

from tests.conftest import ROOT

WHAT = (
    "Streamlit {version} changed its pages-directory switch "
    "(PagesManager.uses_pages_directory), which ui/routing.py route_guard sets; "
    "check how this version runs a deep link on a fresh server before upgrading"
)


def test_the_switch_is_a_class_attribute_of_the_pages_manager() -> None:
    assert "uses_pages_directory" in vars(pages_manager.PagesManager), WHAT.format(
        version=streamlit.__version__
    )


def test_streamlit_still_derives_it_from_the_pages_folder_and_reads_it_per_run() -> None:
    made = inspect.getsource(pages_manager.PagesManager.__init__)
    assert "uses_pages_directory" in made and '"pages"' in made, WHAT.format(
        version=streamlit.__version__
    )
    runner = inspect.getsource(script_runner)
    assert "PagesManager.uses_pages_directory" in runner, WHAT.format(version=streamlit.__version__)


def test_every_page_calls_the_route_guard_first() -> None:
    from ui.routing import PAGES

    for page in PAGES.values():
        tree = ast.parse((ROOT / page).read_text(encoding="utf-8"))
        code = [
            node
            for node in tree.body
            if not isinstance(node, ast.Import | ast.ImportFrom)
            and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        ]
        # The first statement after the docstring and the imports is the guard.
        assert code and ast.unparse(code[0]) == "route_guard()", page
