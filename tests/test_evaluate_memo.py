"""evaluate_scorecard with a memo: the same result as without, and after one KPI changes
only that KPI is evaluated again (the others' results are the very objects kept before)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kpilogic.engine.evaluate import evaluate_scorecard
from kpilogic.sample import (
    SAMPLE_WORKBOOK,
    build_workbook,
    sample_frames,
    sample_scorecard,
    workbook_bytes,
)
from kpilogic.scorecard.model import Target
from kpilogic.workspace.service import Loaded, SourceFile, load

_LOADED: list[tuple[Any, Loaded]] = []


def _sample() -> tuple[Any, Loaded]:
    if not _LOADED:
        card = sample_scorecard()
        data = workbook_bytes(build_workbook(sample_frames()))
        _LOADED.append(
            (card, load(card, {SAMPLE_WORKBOOK: SourceFile(SAMPLE_WORKBOOK, data)}, strict=True))
        )
    return _LOADED[0]


def test_a_memo_gives_the_same_evaluation() -> None:
    card, loaded = _sample()
    keys = {ds.id: "v1" for ds in card.datasets}
    plain = evaluate_scorecard(card, loaded.frames, reports=loaded.reports, rows=loaded.rows)
    memo: dict[str, Any] = {}
    first = evaluate_scorecard(
        card, loaded.frames, reports=loaded.reports, rows=loaded.rows, memo=memo, data_keys=keys
    )
    again = evaluate_scorecard(
        card, loaded.frames, reports=loaded.reports, rows=loaded.rows, memo=memo, data_keys=keys
    )
    pd.testing.assert_frame_equal(plain.detail, first.detail)
    pd.testing.assert_frame_equal(plain.detail, again.detail)
    assert plain.quality is not None and again.quality is not None
    assert plain.quality.scores == again.quality.scores
    assert set(plain.quality.datasets) == set(again.quality.datasets)
    # One result and one quality check per KPI, one check per dataset.
    assert len(memo) == 2 * len(card.kpis) + len(card.datasets)


def test_changing_one_kpi_evaluates_only_that_kpi() -> None:
    card, loaded = _sample()
    keys = {ds.id: "v1" for ds in card.datasets}
    memo: dict[str, Any] = {}
    done: list[tuple[int, int]] = []
    evaluate_scorecard(card, loaded.frames, memo=memo, data_keys=keys)
    before = dict(memo)

    changed = card.kpis[0]
    new_target = Target(kind="constant", value=123456.0)
    card2 = card.model_copy(
        update={"kpis": [changed.model_copy(update={"target": new_target}), *card.kpis[1:]]}
    )
    ev = evaluate_scorecard(
        card2,
        loaded.frames,
        memo=memo,
        data_keys=keys,
        progress=lambda n, total: done.append((n, total)),
    )
    added = [k for k in memo if k not in before]
    # The changed KPI got a new result and a new quality check; nothing else was redone.
    assert len(added) == 2
    for key, value in before.items():
        assert memo[key] is value
    rows = ev.kpi_rows(changed.id)
    assert (rows["target"].dropna() == 123456.0).all() and not rows.empty
    assert done == [(n, len(card.kpis)) for n in range(1, len(card.kpis) + 1)]


def test_new_data_evaluates_the_kpis_of_that_dataset_again() -> None:
    card, loaded = _sample()
    memo: dict[str, Any] = {}
    keys = {ds.id: "v1" for ds in card.datasets}
    evaluate_scorecard(card, loaded.frames, memo=memo, data_keys=keys)
    before = set(memo)
    changed = card.datasets[0].id
    evaluate_scorecard(card, loaded.frames, memo=memo, data_keys={**keys, changed: "v2"})
    on_changed = [k for k in card.kpis if k.dataset_id == changed]
    assert 0 < len(on_changed) < len(card.kpis)
    # Its KPIs' results and quality checks and its dataset check were made again.
    assert len(set(memo) - before) == 2 * len(on_changed) + 1
