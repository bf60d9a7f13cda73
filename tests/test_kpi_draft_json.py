"""The KPI draft as JSON (``KpiDraft.to_json`` / ``from_json``): every field comes back
exactly, for a draft with every field set and for a draft of every sample KPI; what is not a
draft is refused with a ValueError. And where it is kept: ``Store.save_draft`` /
``load_draft`` on both backends, per user, editors only, bounded, not in the audit log."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from kpilogic.errors import StoreError
from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.access import AccessDenied
from kpilogic.workspace.store import MAX_DRAFT_BYTES, Store, draft_setting
from tests.conftest import SAMPLE_DIR
from ui.kpi_form.draft import DRAFT_FORMAT, FilterDraft, KpiDraft, editor_table


def _every_field_set() -> KpiDraft:
    """A draft in which every field differs from the default of an empty draft."""
    return KpiDraft(
        dataset_id="orders",
        id="web_margin",
        name="Webmarge €",
        why="Marge zegt of groei loont",
        mode="formula",
        aggregation="mean",
        column="Revenue",
        formula="sum([Profit]) / sum([Revenue]) * 100",
        fb_op="/",
        fb_agg="max",
        fb_column="Profit",
        fb_number=2.5,
        filters=[
            FilterDraft("Channel", "eq", "Web", [], "Channel"),
            FilterDraft("Region", "in", "", ["Noord", "Zuid"], "Region"),
            FilterDraft("Year", "ge", "2026", [], None),
        ],
        unit="percent",
        direction="lower",
        target_kind="per_period",
        target_value=35.0,
        target_low=2.0,
        target_high=5.0,
        target_column="Plan",
        target_column_aggregation="last",
        growth_pct=-7.5,
        phasing="profile",
        pp_start="2026-01",
        pp_count=3,
        tables={
            "per_period": {
                "rows": [
                    {"period": "2026-01", "target": 100.0},
                    {"period": "2026-02", "target": None},
                    {"period": "2026-03", "target": 120.5},
                ],
                "base": [{"period": "2026-01", "target": 90.0}],
                "ver": 2,
                "sig": "month",
            },
            "profile": editor_table([{"month": 1, "weight": 3}], "fixed"),
            "segments": editor_table([{"segment": "Noord", "target": 8.0}], None),
        },
        tol_kind="absolute",
        tol_value=3.0,
        cadence="quarter",
        owner="Anna de Vries",
        action="Bel de tien grootste klanten",
        segment_column="Region",
        extra={"step": 4.0, "steps": [1, 2], "label": "x", "nested": {"on": True}},
    )


def test_every_field_of_the_draft_is_set_in_the_round_trip_case() -> None:
    # So the round trip below checks every field: none is left at its default.
    full, empty = _every_field_set(), KpiDraft(dataset_id="other")
    same = [
        f.name
        for f in dataclasses.fields(KpiDraft)
        if getattr(full, f.name) == getattr(empty, f.name)
    ]
    assert same == []


def test_a_draft_with_every_field_set_round_trips_exactly() -> None:
    draft = _every_field_set()
    again = KpiDraft.from_json(draft.to_json())
    assert again == draft
    for f in dataclasses.fields(KpiDraft):  # field by field, with the types kept
        assert getattr(again, f.name) == getattr(draft, f.name), f.name
    assert type(again.filters[0]) is FilterDraft
    assert type(again.tables["profile"]["rows"][0]["weight"]) is int  # 3 stays 3, not 3.0
    assert again.extra["nested"] == {"on": True}
    assert again.to_json() == draft.to_json()  # and the text is stable


def _sample_kpis() -> list[Any]:
    kpis = []
    for name in ("koers_sample_scorecard.json", "koers_sample_scorecard_nl.json"):
        card = Scorecard.from_json((SAMPLE_DIR / name).read_text(encoding="utf-8"))
        kpis += [pytest.param(k, id=f"{name[-7:-5]}-{k.id}") for k in card.kpis]
    return kpis


@pytest.mark.parametrize("kpi", _sample_kpis())
def test_a_draft_of_every_sample_kpi_round_trips(kpi: Any) -> None:
    draft = KpiDraft.of(kpi)
    again = KpiDraft.from_json(draft.to_json())
    assert again == draft
    # and it is still the same KPI
    assert again.to_kpi(kpi.goal_id, kpi.id) == kpi


def test_an_emptied_table_cell_is_kept_as_empty() -> None:
    # pandas gives NaN for an emptied cell; the form reads NaN and None alike (no target),
    # and JSON has no NaN: it is kept as null.
    draft = KpiDraft(dataset_id="orders", target_kind="per_period")
    draft.tables["per_period"] = editor_table(
        [{"period": "2026-01", "target": float("nan")}], "month"
    )
    again = KpiDraft.from_json(draft.to_json())
    assert again.tables["per_period"]["rows"] == [{"period": "2026-01", "target": None}]
    assert again.form_values(again.target_kind_class()) == draft.form_values(
        draft.target_kind_class()
    )


def test_a_value_no_json_holds_is_refused() -> None:
    draft = KpiDraft(dataset_id="orders", extra={"when": object()})
    with pytest.raises(TypeError):
        draft.to_json()


def test_a_draft_from_an_older_koers_gets_the_defaults_of_fields_it_lacks() -> None:
    text = json.dumps({"format": DRAFT_FORMAT, "dataset_id": "orders", "name": "Omzet", "later": 1})
    assert KpiDraft.from_json(text) == KpiDraft(dataset_id="orders", name="Omzet")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"dataset_id": "orders"}),  # no format
        json.dumps({"format": 99, "dataset_id": "orders"}),
        json.dumps({"format": DRAFT_FORMAT}),  # no dataset
        json.dumps({"format": DRAFT_FORMAT, "dataset_id": "orders", "name": 5}),
        json.dumps({"format": DRAFT_FORMAT, "dataset_id": "orders", "target_value": "5"}),
        json.dumps({"format": DRAFT_FORMAT, "dataset_id": "orders", "pp_count": 1.5}),
        json.dumps({"format": DRAFT_FORMAT, "dataset_id": "orders", "filters": [{"op": "eq"}]}),
        json.dumps({"format": DRAFT_FORMAT, "dataset_id": "orders", "tables": {"x": {"rows": 1}}}),
    ],
)
def test_what_is_not_a_draft_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        KpiDraft.from_json(text)


# -- kept in the store -----------------------------------------------------------------------
EDITOR, VIEWER = "eddy@example.com", "vera@example.com"


def _workspace(store: Store) -> str:
    ws = store.create_workspace("Shop", Scorecard(name="Shop"))
    store.share(ws.id, EDITOR, "editor")
    store.share(ws.id, VIEWER, "viewer")
    return ws.id


def _audit_rows(store: Store, ws: str) -> int:
    return len(store.audit_log(ws))


def test_a_draft_is_kept_per_user_and_forgotten(store_location: Any) -> None:
    store = Store(store_location)
    ws = _workspace(store)
    store.update_settings(ws, {"lang": "nl"})
    audited = _audit_rows(store, ws)
    mine = {"draft": json.loads(_every_field_set().to_json()), "goal": "grow"}
    store.save_draft(ws, "kpi", mine)
    eddy = store.for_user(EDITOR)
    assert eddy.load_draft(ws, "kpi") is None  # each person keeps their own
    eddy.save_draft(ws, "kpi", {"draft": {"name": "Eddy's"}})
    assert store.load_draft(ws, "kpi") == mine
    assert eddy.load_draft(ws, "kpi") == {"draft": {"name": "Eddy's"}}
    # the other settings stay; the draft is under the user's own key, which only that user
    # reads in the settings
    settings = store.get_settings(ws)
    assert settings["lang"] == "nl"
    assert draft_setting("kpi", EDITOR) not in settings
    assert eddy.get_settings(ws)[draft_setting("kpi", EDITOR)] == {"draft": {"name": "Eddy's"}}
    # a draft is no change of the workspace: the audit log has no line for it
    assert _audit_rows(store, ws) == audited
    store.save_draft(ws, "kpi", None)
    assert store.load_draft(ws, "kpi") is None
    assert eddy.load_draft(ws, "kpi") == {"draft": {"name": "Eddy's"}}
    store.save_draft(ws, "kpi", None)  # forgetting twice is no error
    assert draft_setting("kpi", "local") not in store.get_settings(ws)
    # a restart: a new Store on the same file or database reads the same
    assert Store(store_location).for_user(EDITOR).load_draft(ws, "kpi") == {
        "draft": {"name": "Eddy's"}
    }


def test_a_viewer_keeps_no_draft(tmp_path: Any) -> None:
    store = Store(tmp_path / "koers.sqlite3")
    ws = _workspace(store)
    with pytest.raises(AccessDenied):
        store.for_user(VIEWER).save_draft(ws, "kpi", {"draft": {}})
    assert store.for_user(VIEWER).load_draft(ws, "kpi") is None


def test_a_draft_over_the_limit_is_refused_with_a_message(tmp_path: Any) -> None:
    store = Store(tmp_path / "koers.sqlite3")
    ws = _workspace(store)
    store.save_draft(ws, "kpi", {"draft": {"name": "small"}})
    # {"x": "aaa…"} is 9 characters around the text ('{"x": "' is 7, '"}' is 2):
    # 200 000 - 9 a's is exactly the limit
    at_limit = {"x": "a" * (MAX_DRAFT_BYTES - 9)}
    assert len(json.dumps(at_limit)) == MAX_DRAFT_BYTES
    store.save_draft(ws, "kpi", at_limit)
    assert store.load_draft(ws, "kpi") == at_limit
    over = {"x": "a" * (MAX_DRAFT_BYTES - 8)}  # 200 001 bytes: 201 KB rounded up
    with pytest.raises(StoreError) as exc:
        store.save_draft(ws, "kpi", over)
    assert exc.value.key == "error.store.draft_too_large"
    assert "(201 KB; at most 200 KB)" in exc.value.message("en")
    assert "(201 KB; hoogstens 200 KB)" in exc.value.message("nl")
    assert store.load_draft(ws, "kpi") == at_limit  # the refused one changed nothing
    # "é" is two bytes in UTF-8: the limit is on bytes, not characters
    with pytest.raises(StoreError):
        store.save_draft(ws, "kpi", {"x": "é" * (MAX_DRAFT_BYTES // 2)})


def test_a_copy_of_the_workspace_has_the_settings_but_not_the_drafts(tmp_path: Any) -> None:
    store = Store(tmp_path / "koers.sqlite3")
    ws = _workspace(store)
    store.update_settings(ws, {"lang": "nl", "as_of": "2026-03-31"})
    store.save_draft(ws, "kpi", {"draft": {"name": "mine"}})
    store.for_user(EDITOR).save_draft(ws, "kpi", {"draft": {"name": "Eddy's"}})
    copy = store.duplicate_workspace(ws, "Shop (copy)")
    assert store.get_settings(copy.id) == {"lang": "nl", "as_of": "2026-03-31"}
    assert store.load_draft(copy.id, "kpi") is None
    assert store.load_draft(ws, "kpi") == {"draft": {"name": "mine"}}  # the original keeps it


def test_drafts_are_neither_read_nor_written_through_the_settings(store_location: Any) -> None:
    store = Store(store_location)
    ws = _workspace(store)
    eddy, viewer = store.for_user(EDITOR), store.for_user(VIEWER)
    eddy.save_draft(ws, "kpi", {"draft": {"name": "Eddy's"}})
    store.update_settings(ws, {"lang": "nl"})
    # Another person sees the settings without Eddy's draft.
    assert viewer.get_settings(ws) == {"lang": "nl"}
    assert store.get_settings(ws) == {"lang": "nl"}
    # Settings written by another editor neither change nor drop it: not by a key of its
    # name, not by replacing every setting.
    store.update_settings(ws, {draft_setting("kpi", EDITOR): {"draft": {"name": "forged"}}})
    store.save_settings(ws, {"lang": "en"})
    assert eddy.load_draft(ws, "kpi") == {"draft": {"name": "Eddy's"}}
    assert store.get_settings(ws) == {"lang": "en"}
