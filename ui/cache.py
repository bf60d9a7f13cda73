"""Streamlit caches over the workspace service: tables, evaluations and report files.

The work itself is ``kpilogic.workspace.service``; this module only keeps its results between
reruns and sessions (tables by content hash in a byte-bounded server-wide cache, whole
evaluations by scorecard and data, per-KPI results in a shared memo).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from kpilogic.engine.evaluate import Evaluation
from kpilogic.engine.quality import recall
from kpilogic.errors import KoersError
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Dataset, Scorecard
from kpilogic.sources.ingest import (
    SheetInfo,
    list_sheets,
    sheet_info,
)
from kpilogic.sources.layout import Tidy
from kpilogic.sources.memory import ByteLRU, cache_budget
from kpilogic.sources.parsing import ColumnKind
from kpilogic.workspace import service
from kpilogic.workspace.service import SourceFile
from ui.keys import AS_OF, EVAL_MEMO
from ui.session import files, scorecard
from ui.text import lang, tr


@st.cache_data(show_spinner=False, max_entries=32)
def cached_sheets(sha: str, name: str, _data: bytes) -> list[str]:
    """Sheets of a file, cached by content hash."""
    return list_sheets(_data, name)


@st.cache_data(show_spinner=False, max_entries=32)
def cached_sheet_info(sha: str, name: str, _data: bytes) -> list[SheetInfo]:
    """Sheets of a file with their visibility (hidden sheets are marked on the Data page)."""
    return sheet_info(_data, name)


# Tables are kept in one server-wide cache bounded by bytes (``KOERS_CACHE_MB``, default
# 1,024 MB; kpilogic.sources.memory.ByteLRU), handed out as is (read-only by convention; pandas'
# copy-on-write keeps a page's derived frames from touching them). st.cache_data would pickle
# each table and unpickle a fresh copy on every call; st.cache_resource counts entries, not
# bytes (six 50 MB files took 4 GB).
@st.cache_resource(show_spinner=False)
def table_cache() -> ByteLRU[tuple[Any, ...], Any]:
    """The server's tables, read and typed, least recently used first out."""
    return ByteLRU(cache_budget())


def dataset_tidy(ds: Dataset, f: SourceFile) -> Tidy:
    """``ds`` read from the uploaded file ``f``, with what was decided on the way (cached by
    content hash, sheet and the user's layout corrections).

    Raises:
        KoersError: when the file or its layout cannot be read.
    """
    return service.read_tidy(ds, f, table_cache())


def _dataset_of(name: str, sheet: str | None) -> Dataset | None:
    card = scorecard()
    if card is None:
        return None
    return next((d for d in card.datasets if d.source == name and d.sheet == sheet), None)


def cached_table(sha: str, name: str, sheet: str | None, _data: bytes) -> pd.DataFrame:
    """One sheet as a clean table (title rows, totals, blank rows and columns, periods as
    columns handled), with the layout corrections of the dataset that reads it."""
    ds = _dataset_of(name, sheet) or Dataset(
        id="new", name="new", source=name, sheet=sheet, date_column="-"
    )
    return service.read_tidy(ds, SourceFile(name, _data, sha), table_cache()).frame


def dataset_kinds(ds: Dataset, f: SourceFile, raw: pd.DataFrame) -> dict[str, ColumnKind]:
    """Detected kinds, with the user's corrections and the date column applied."""
    return service.column_kinds(ds, f, raw, table_cache())


def typed_table(
    ds: Dataset, f: SourceFile, raw: pd.DataFrame, kinds: dict[str, ColumnKind]
) -> pd.DataFrame:
    """The table with its columns converted to their kinds (cached)."""
    return service.typed_table(ds, f, raw, kinds, table_cache())


def load(card: Scorecard) -> service.Loaded:
    """Every dataset of ``card`` read from the uploaded files (``service.load``)."""
    return service.load(card, files(), table_cache())


def load_tidies(card: Scorecard) -> tuple[dict[str, Tidy], dict[str, KoersError]]:
    """Every dataset of ``card`` read through the layout step; problems per dataset id."""
    loaded = load(card)
    return dict(loaded.tidies), dict(loaded.problems)


def load_data(card: Scorecard) -> tuple[dict[str, pd.DataFrame], dict[str, KoersError]]:
    """Every dataset of ``card`` as a typed table; problems per dataset id."""
    loaded = load(card)
    return dict(loaded.frames), dict(loaded.problems)


_KEPT_KPI_RESULTS = 2_000  # per-KPI results kept for all sessions (most recently used)


class SharedMemo(MutableMapping[Any, Any]):
    """A memo for the whole server, used from every session's thread: each operation holds
    a lock; the least recently stored entries go when it grows past ``limit``. Its keys
    must say everything a value depends on (``evaluate_scorecard``'s memo keys do)."""

    def __init__(self, limit: int) -> None:
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.limit = limit

    def __getitem__(self, key: Any) -> Any:
        with self._lock:
            return self._items[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            del self._items[key]

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def pop(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return self._items.pop(key, default)


@st.cache_resource(show_spinner=False)
def kpi_memo() -> SharedMemo:
    """The server's per-KPI results: ``evaluate_scorecard``'s memo for every session."""
    return SharedMemo(_KEPT_KPI_RESULTS)


_KEPT_EVALUATIONS = 16


@st.cache_resource(show_spinner=False)
def _evaluations() -> SharedMemo:
    """Whole evaluations shared by every session (a reload reuses them)."""
    return SharedMemo(_KEPT_EVALUATIONS)


def _dataset_keys(card: Scorecard) -> dict[str, str]:
    """Per dataset, what its rows depend on (``service.dataset_key``)."""
    stored = files()
    return {
        ds.id: service.dataset_key(ds, stored[ds.source])
        for ds in card.datasets
        if ds.source in stored
    }


def _data_key(card: Scorecard) -> str:
    return repr(sorted(_dataset_keys(card).items()))


def evaluation(card: Scorecard) -> tuple[Evaluation, dict[str, KoersError]]:
    """The scorecard evaluated over the uploaded data, with each KPI's reliability.

    Nothing is recomputed on a rerun that changed nothing; after a change to one KPI only
    that KPI is evaluated again (``evaluate_scorecard``'s memo, ``kpi_memo``, shared by the
    sessions); a progress bar shows while KPIs are evaluated.
    """
    as_of = st.session_state.get(AS_OF)
    data_keys = _dataset_keys(card)
    memo_key = (card.to_json(), repr(sorted(data_keys.items())), as_of, date.today())
    # A rerun that changed nothing takes the session's own result.
    memo = st.session_state.get(EVAL_MEMO)
    if memo is not None and memo[0] == memo_key:
        return memo[1], memo[2]
    loaded = load(card)
    problems = dict(loaded.problems)
    ev = recall(_evaluations(), repr(memo_key))
    if ev is None:
        bar = st.empty()

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=tr("dash.evaluating_progress", done=done, total=total))

        ev = service.evaluate(card, loaded, as_of, memo=kpi_memo(), progress=progress)
        bar.empty()
        _evaluations()[repr(memo_key)] = ev
    st.session_state[EVAL_MEMO] = (memo_key, ev, problems)
    return ev, problems


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_report(
    kind: str, lang: str, key: str, _ev: Evaluation, _checkins: tuple[CheckIn, ...] = ()
) -> bytes:
    return service.report_bytes(kind, _ev, lang, _checkins)


def report_file(
    kind: str, card: Scorecard, ev: Evaluation, checkins: Sequence[CheckIn] = ()
) -> bytes:
    """The formatted report (``xlsx`` or ``pdf``) of ``ev``, made once per scorecard, data
    and check-ins (the xlsx has a Check-ins sheet)."""
    key = f"{card.to_json()}|{_data_key(card)}|{st.session_state.get(AS_OF)}"
    if kind == "xlsx":  # the health check also depends on today (check-ins age)
        key += "|" + _checkins_key(checkins) + f"|{date.today().isoformat()}"
    return _cached_report(kind, lang(), key, ev, tuple(checkins))


def _checkins_key(checkins: Sequence[CheckIn]) -> str:
    text = json.dumps([c.model_dump(mode="json") for c in checkins], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
