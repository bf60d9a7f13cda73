"""The app-owned session-state keys and paths every part of the UI agrees on.

Pages keep what the user entered in app-owned ``st.session_state`` keys (prefixed ``koers_``),
never only in widget keys, so nothing is lost when the user switches page or language.
"""

from __future__ import annotations

import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


log = logging.getLogger("koers")


RAISE_PAGE_ERRORS_ENV = "KOERS_RAISE_PAGE_ERRORS"


SAMPLE_DIR = ROOT / "sample_data"


LANG = "koers_lang"


SCORECARD = "koers_scorecard"


FILES = "koers_files"


AS_OF = "koers_as_of"


NOTICE = "koers_notice"


EVAL_MEMO = "koers_eval_memo"  # (key, evaluation, problems) of the last run


SAMPLE = "koers_sample"  # language of the sample while it is open and not yet the user's


SAMPLE_OFFERED = "koers_sample_offered"  # KOERS_SAMPLE=1: the sample was offered once


# -- the workspace store -------------------------------------------------------------------
WORKSPACE = "koers_workspace"  # id of the open workspace (None before anything is saved)


SAVED_SETTINGS = "koers_saved_settings"


VERSION = "koers_version"  # the scorecard version the session loaded or last saved


ROLE = "koers_role"  # the user's role in the open workspace


CONFLICT = "koers_conflict"  # True after a save was refused: someone else saved first


RUN_MARKER = "koers_run_marker"
