"""The workspace service: open a workspace → read its sources with the user's corrections →
evaluate → render. The app, the command line and (later) the scheduler all go through here.

Everything a number depends on is on the scorecard or in the files: the layout corrections and
the column-type corrections are fields of each ``Dataset``, so a downloaded scorecard plus its
files gives the same evaluation in ``koers evaluate`` as in the app.

The service keeps no state. What it may reuse is passed in: a ``Cache`` for tables (the app's
server-wide, byte-bounded cache; ``NO_CACHE`` for the command line) and a memo for per-KPI
results. Every cache key is made of content (a file's hash, the corrections, the scorecard), so
two app servers sharing one store never show each other's stale results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

import pandas as pd

from kpilogic.engine.evaluate import Evaluation, evaluate_scorecard
from kpilogic.engine.metrics import with_metric_errors
from kpilogic.errors import DataError, KoersError
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.model import Dataset, Scorecard
from kpilogic.sources.layout import Tidy
from kpilogic.sources.parsing import ColumnKind, ParseReport, apply_kinds, profile_columns
from kpilogic.sources.pipeline import match_file, read_dataset, with_kind_failures
from kpilogic.workspace.manual import reading_kinds
from kpilogic.workspace.store import StoredFile

T = TypeVar("T")


# -- sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """An uploaded data file: its name, bytes and content hash (the cache key)."""

    name: str
    data: bytes = field(repr=False)
    sha: str = ""

    def __post_init__(self) -> None:
        if not self.sha:
            object.__setattr__(self, "sha", hashlib.sha256(self.data).hexdigest())


class Cache(Protocol):
    """Where read tables are kept between calls (``memory.ByteLRU`` fits)."""

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any: ...


class _NoCache:
    """Keeps nothing: every table is read again (the command line reads each file once)."""

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any:
        return make()


NO_CACHE: Cache = _NoCache()

# Fields of a dataset that change how its file is read into rows.
_LAYOUT_FIELDS = {
    "header_row",
    "table",
    "notation",
    "unpivot",
    "keep_totals",
    "combine_tables",
    "column_language",
}


def layout_key(ds: Dataset | None) -> str:
    """The layout corrections of ``ds`` as text: part of every cache key of its table."""
    if ds is None:
        return ""
    return json.dumps(ds.model_dump(mode="json", include=_LAYOUT_FIELDS), sort_keys=True)


def dataset_key(ds: Dataset, source: SourceFile) -> str:
    """Everything a dataset's rows depend on: the file's content, the column-type corrections
    and the layout corrections (``evaluate_scorecard``'s ``data_keys``)."""
    return repr((source.sha, sorted(ds.column_kinds.items()), layout_key(ds)))


def read_tidy(ds: Dataset, source: SourceFile, cache: Cache = NO_CACHE) -> Tidy:
    """``ds`` read from ``source`` through the layout step, with what was decided on the way.

    Raises:
        KoersError: when the file or its layout cannot be read.
    """
    key = ("tidy", source.sha, source.name, ds.sheet, layout_key(ds))
    tidy: Tidy = cache.get_or_make(key, lambda: read_dataset(source.data, source.name, ds))
    return tidy


def column_kinds(
    ds: Dataset, source: SourceFile, raw: pd.DataFrame, cache: Cache = NO_CACHE
) -> dict[str, ColumnKind]:
    """Each column's kind: detected, then the user's corrections (``ds.column_kinds``), the
    date column as dates, a kept table's segment column as names."""
    key = ("profile", source.sha, source.name, f"{ds.sheet}|{layout_key(ds)}")
    detected: dict[str, ColumnKind] = cache.get_or_make(key, lambda: dict(profile_columns(raw)))
    return reading_kinds(ds, detected)


def typed_table(
    ds: Dataset,
    source: SourceFile,
    raw: pd.DataFrame,
    kinds: Mapping[str, ColumnKind],
    cache: Cache = NO_CACHE,
) -> pd.DataFrame:
    """``raw`` with its columns converted to ``kinds``."""
    key = ("typed", source.sha, source.name, ds.sheet, layout_key(ds) + repr(sorted(kinds.items())))
    typed: pd.DataFrame = cache.get_or_make(
        key, lambda: apply_kinds(raw, dict(kinds), notation=ds.notation)
    )
    return typed


@dataclass(frozen=True)
class Loaded:
    """Every dataset of a scorecard, read: what reading found (``tidies``: decisions, parse
    report, spreadsheet row of each row), the typed tables, the problems per dataset id and
    the datasets without a file."""

    tidies: Mapping[str, Tidy]
    frames: Mapping[str, pd.DataFrame]
    problems: Mapping[str, KoersError] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    data_keys: Mapping[str, str] = field(default_factory=dict)

    @property
    def reports(self) -> dict[str, ParseReport]:
        """The parse report of each dataset."""
        return {k: v.report for k, v in self.tidies.items()}

    @property
    def rows(self) -> dict[str, tuple[int, ...]]:
        """The spreadsheet row number of each row of each dataset."""
        return {k: v.row_numbers for k, v in self.tidies.items()}


def source_of(
    ds: Dataset, sources: Mapping[str, SourceFile], *, lenient: bool = False
) -> SourceFile | None:
    """The file that holds ``ds``: the one named as its source. ``lenient`` (the command line,
    where files are given as paths): the same name in any case or folder, else the only file."""
    if not lenient:
        return sources.get(ds.source)
    name = match_file(ds, list(sources))
    return None if name is None else sources[name]


def load(
    card: Scorecard,
    sources: Mapping[str, SourceFile],
    cache: Cache = NO_CACHE,
    *,
    strict: bool = False,
) -> Loaded:
    """Read every dataset of ``card`` from ``sources`` (file name → file), typed.

    The app reads what it can (``strict=False``): a dataset without a file is in ``missing``,
    one that cannot be read in ``problems``. The command line (``strict=True``) matches files
    leniently (``source_of``) and stops at the first dataset it cannot read.

    Raises:
        DataError: ``strict``: no file for a dataset, or its date column is missing.
        ReadError, LayoutError: ``strict``: a file or its layout cannot be read.
    """
    tidies: dict[str, Tidy] = {}
    frames: dict[str, pd.DataFrame] = {}
    problems: dict[str, KoersError] = {}
    missing: list[str] = []
    keys: dict[str, str] = {}
    for ds in card.datasets:
        source = source_of(ds, sources, lenient=strict)
        if source is None:
            if strict:
                raise DataError("error.data.file_missing", dataset=ds.name, source=ds.source)
            missing.append(ds.id)
            continue
        keys[ds.id] = dataset_key(ds, source)
        try:
            tidy = read_tidy(ds, source, cache)
        except KoersError as exc:
            if strict:
                raise
            problems[ds.id] = exc
            continue
        if strict and ds.date_column not in tidy.frame.columns:
            raise DataError("error.data.column_missing", column=ds.date_column, dataset=ds.name)
        kinds = column_kinds(ds, source, tidy.frame, cache)
        frames[ds.id] = typed_table(ds, source, tidy.frame, kinds, cache)
        # A cell a kind set by hand could not convert is named in the report, with its row.
        tidies[ds.id] = with_kind_failures(tidy, frames[ds.id], ds.notation)
    return Loaded(tidies, frames, problems, tuple(missing), keys)


# -- evaluate --------------------------------------------------------------------------------


def evaluate(
    card: Scorecard,
    loaded: Loaded,
    as_of: date | None = None,
    *,
    memo: MutableMapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """``card`` evaluated over what ``load`` read, with each KPI's reliability. A KPI that
    adds up the value column of an unpivoted sheet holding several metrics is in ``errors``
    (``error.kpi.one_metric``), not in the results."""
    evaluation = evaluate_scorecard(
        card,
        dict(loaded.frames),
        as_of,
        reports=loaded.reports,
        rows=loaded.rows,
        memo=memo,
        data_keys=dict(loaded.data_keys) if memo is not None else None,
        progress=progress,
    )
    return with_metric_errors(evaluation, loaded.tidies)


def evaluate_files(
    card: Scorecard, files: Mapping[str, bytes], as_of: date | None = None
) -> Evaluation:
    """Read the files (name → bytes) as the command line does and evaluate ``card``.

    Raises:
        DataError, ReadError, LayoutError: see ``load`` (``strict``).
    """
    sources = {name: SourceFile(name, data) for name, data in files.items()}
    return evaluate(card, load(card, sources, strict=True), as_of)


# -- render ----------------------------------------------------------------------------------


def report_bytes(
    kind: str, evaluation: Evaluation, lang: str, checkins: tuple[CheckIn, ...] = ()
) -> bytes:
    """The formatted report: ``xlsx`` (with a health check and the check-ins) or ``pdf``."""
    from kpilogic.engine.pillars import scorecard_health
    from kpilogic.present.report import report_xlsx
    from kpilogic.present.report_pdf import report_pdf

    if kind != "xlsx":
        return report_pdf(evaluation, lang)
    quality = evaluation.quality
    scores = quality.scores if quality is not None else None
    health = scorecard_health(
        evaluation.scorecard, evaluation, reliability=scores, checkins=checkins
    )
    return report_xlsx(evaluation, lang, checkins=checkins, health=health)


# -- open ------------------------------------------------------------------------------------


class WorkspaceReader(Protocol):
    """What opening a workspace needs of a repository (the SQLite or PostgreSQL store)."""

    def load_latest(self, workspace_id: str) -> tuple[Scorecard, int]: ...
    def role(self, workspace_id: str) -> str: ...
    def list_files(self, workspace_id: str) -> list[StoredFile]: ...
    def load_file(self, workspace_id: str, name: str) -> bytes: ...
    def get_settings(self, workspace_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class OpenWorkspace:
    """A saved workspace as the app and the scheduler see it."""

    id: str
    scorecard: Scorecard
    version: int
    role: str
    sources: Mapping[str, SourceFile]
    settings: Mapping[str, Any]


def with_column_kinds(
    card: Scorecard, kinds_by_dataset: Mapping[str, Mapping[str, Any]]
) -> Scorecard:
    """``card`` with the column-type corrections of some datasets replaced, validated like a
    scorecard file (so a card that could not be read back is never made).

    Raises:
        ScorecardError: a column name or kind the schema does not accept.
    """
    raw = card.model_dump(mode="json")
    for ds in raw["datasets"]:
        if ds["id"] in kinds_by_dataset:
            ds["column_kinds"] = dict(kinds_by_dataset[ds["id"]])
    return Scorecard.from_dict(raw)


def legacy_kinds(settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Column-type corrections that older versions kept in the workspace's settings
    (``{"kinds": {dataset id: {column: kind}}}``)."""
    legacy = settings.get("kinds") or {}
    if not isinstance(legacy, Mapping):
        return {}
    return {str(k): dict(v) for k, v in legacy.items() if isinstance(v, Mapping) and v}


def with_legacy_kinds(card: Scorecard, settings: Mapping[str, Any]) -> Scorecard:
    """The legacy corrections (``legacy_kinds``) moved onto the datasets that have none of
    their own; the card unchanged when they cannot be (then they stay in the settings)."""
    moved = {
        ds.id: legacy[ds.id]
        for ds in card.datasets
        if not ds.column_kinds and ds.id in (legacy := legacy_kinds(settings))
    }
    if not moved:
        return card
    try:
        return with_column_kinds(card, moved)
    except KoersError:
        return card


def legacy_kinds_moved(card: Scorecard, settings: Mapping[str, Any]) -> bool:
    """Whether the settings may forget their legacy corrections: every dataset they name
    carries corrections of its own now (moved, or set since) or is gone."""
    by_id = {ds.id: ds for ds in card.datasets}
    return all(by_id[ds_id].column_kinds for ds_id in legacy_kinds(settings) if ds_id in by_id)


def open_workspace(repo: WorkspaceReader, workspace_id: str) -> OpenWorkspace:
    """The workspace's latest scorecard (with its corrections), files, settings and the
    caller's role.

    Raises:
        AccessDenied, StoreError: as the repository does.
    """
    card, version = repo.load_latest(workspace_id)
    role = repo.role(workspace_id)
    sources = {
        f.name: SourceFile(f.name, repo.load_file(workspace_id, f.name), f.sha256)
        for f in repo.list_files(workspace_id)
    }
    settings = repo.get_settings(workspace_id)
    return OpenWorkspace(
        workspace_id, with_legacy_kinds(card, settings), version, role, sources, settings
    )
