"""Issue 18, owner entry: the values due from a KPI owner as fields (``workspace.entry``), and
the store letting a contributor change only their own KPIs' values — on SQLite and
PostgreSQL (``store_location``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kpilogic.errors import EntryError, StoreError
from kpilogic.present.digest import due_values
from kpilogic.scorecard.checkins import CheckIn
from kpilogic.scorecard.explain import left_out_note
from kpilogic.scorecard.model import (
    KPI,
    Dataset,
    Filter,
    Goal,
    ManualTable,
    Measure,
    Scorecard,
    Target,
)
from kpilogic.workspace import entry
from kpilogic.workspace.access import AccessDenied
from kpilogic.workspace.audit import describe
from kpilogic.workspace.manual import stored_table
from kpilogic.workspace.service import SourceFile, evaluate, load
from kpilogic.workspace.store import Store

OLGA = "olga@example.com"  # owns the workspace
BRAM = "bram@example.com"  # owns the NPS of the north and the complaints
CHRIS = "chris@example.com"  # owns the NPS of the south
TODAY = date(2026, 6, 15)

SURVEY = Dataset(
    id="survey",
    name="Enquête",
    source="enquete.csv",
    date_column="Periode",
    manual=ManualTable(value_columns=["NPS", "Klachten"], segment_column="Regio"),
)
SALES = Dataset(id="sales", name="Verkoop", source="sales.csv", date_column="Datum")
# April is in for both regions; May is missing (as of 15 June the latest completed month).
SURVEY_CSV = b"Periode,Regio,NPS,Klachten\n2026-04-01,Noord,38,5\n2026-04-01,Zuid,41,3\n"
SALES_CSV = b"Datum,Omzet\n2026-04-10,1000\n"


def _kpi(kpi_id: str, owner: str, measure: Measure, **more: object) -> KPI:
    return KPI.model_validate(
        {
            "id": kpi_id,
            "goal_id": "g",
            "name": kpi_id.replace("_", " ").title(),
            "dataset_id": "survey",
            "measure": measure,
            "owner": owner,
            "target": Target(value=40),
            **more,
        }
    )


def _card() -> Scorecard:
    return Scorecard(
        name="Klanten",
        datasets=[SURVEY, SALES],
        goals=[Goal(id="g", title="Tevreden klanten")],
        kpis=[
            _kpi(
                "nps_noord",
                " Bram@Example.com ",  # as people type it
                Measure(aggregation="mean", column="NPS"),
                filters=[Filter(column="Regio", value="Noord")],
            ),
            _kpi("klachten", BRAM, Measure(aggregation="sum", column="Klachten")),
            _kpi(
                "nps_zuid",
                CHRIS,
                Measure(aggregation="mean", column="NPS"),
                filters=[Filter(column="Regio", value="Zuid")],
            ),
            _kpi("omzet", BRAM, Measure(aggregation="sum", column="Omzet"), dataset_id="sales"),
        ],
    )


def _evaluation(card: Scorecard, survey: bytes = SURVEY_CSV):  # type: ignore[no-untyped-def]
    sources = {
        "enquete.csv": SourceFile("enquete.csv", survey),
        "sales.csv": SourceFile("sales.csv", SALES_CSV),
    }
    return evaluate(card, load(card, sources, strict=True), TODAY)


def test_the_values_due_from_an_owner_are_fields_per_column_segment_and_period() -> None:
    card = _card()
    work = entry.owner_work(_evaluation(card), BRAM, TODAY, {"enquete.csv": SURVEY_CSV})
    assert [k.id for k in work.kpis] == ["nps_noord", "klachten", "omzet"]
    # May 2026 is due for each of Bram's KPIs (April is in). The NPS of the north covers the
    # north only (its filter); the complaints cover both regions of the table. May ended on
    # 31 May, 15 days before 15 June: more than two weeks, so late.
    assert [(f.column, f.segment, f.period, f.late) for f in work.fields] == [
        ("NPS", "Noord", "2026-05", True),
        ("Klachten", "Noord", "2026-05", True),
        ("Klachten", "Zuid", "2026-05", True),
    ]
    assert [[k.id for k in f.kpis] for f in work.fields] == [
        ["nps_noord"],
        ["klachten"],
        ["klachten"],
    ]
    # Revenue comes from an uploaded file: it cannot be typed, it is said apart.
    assert [(d.kpi.id, d.period) for d in work.from_files] == [("omzet", "2026-05")]
    assert entry.field_label(work.fields[1], "nl") == "Klachten · Noord · mei 2026"
    # Chris sees only the south's NPS; someone who owns nothing gets nothing.
    chris = entry.owner_work(_evaluation(card), CHRIS, TODAY, {"enquete.csv": SURVEY_CSV})
    assert [(f.column, f.segment) for f in chris.fields] == [("NPS", "Zuid")]
    assert entry.owner_work(_evaluation(card), OLGA, TODAY, {}).fields == ()


def test_typed_values_are_read_in_the_owners_notation_and_written_into_the_table() -> None:
    card = _card()
    work = entry.owner_work(_evaluation(card), BRAM, TODAY, {"enquete.csv": SURVEY_CSV})
    texts = {f.key: text for f, text in zip(work.fields, ["44,5", "", "1.200"], strict=True)}
    values, problems = entry.read_entries(work.fields, texts, "nl")
    assert problems == []
    # "44,5" is 44.5 and "1.200" is 1200 in Dutch notation; the empty field changes nothing.
    assert values == {
        "survey": {("2026-05", "Noord", "NPS"): 44.5, ("2026-05", "Zuid", "Klachten"): 1200.0}
    }
    written = entry.enter_values(SURVEY_CSV, SURVEY, values["survey"])
    assert written.decode() == (
        "Periode,Regio,NPS,Klachten\n"
        "2026-04-01,Noord,38.0,5.0\n"
        "2026-04-01,Zuid,41.0,3.0\n"
        "2026-05-01,Noord,44.5,\n"
        "2026-05-01,Zuid,,1200.0\n"
    )
    # Evaluated again: the north's NPS for May is 44.5 (above 40) and nothing of it is due.
    ev = _evaluation(card, written)
    rows = ev.summary().set_index(["kpi_id", "period"])
    assert rows.loc[("nps_noord", "2026-05"), "actual"] == 44.5
    # The total of complaints (1200, the south alone) is not taken as complete: the north's
    # row of May has no complaints, which is said beside the figure and in the quality
    # report, and the north's May complaints are still asked for, and nothing else.
    d = ev.detail
    may = d[(d["kpi_id"] == "klachten") & (d["period"] == "2026-05") & (d["segment"] == "")]
    may = may.iloc[0]
    assert may["actual"] == 1200.0 and may["incomplete_rows"] == 1
    assert left_out_note(may, "nl") == (
        "1 rij in mei 2026 heeft geen Klachten; buiten dit cijfer gelaten."
    )
    said = [f.key for f in ev.quality.kpis["klachten"].findings]
    assert "quality.left_out" in said
    # The digest's reminder agrees: May's complaints are still due from Bram.
    assert [(d.kpi.id, d.period) for d in due_values(ev, TODAY) if d.kpi.owner == BRAM] == [
        ("klachten", "2026-05"),
        ("omzet", "2026-05"),
    ]
    after = entry.owner_work(ev, BRAM, TODAY, {"enquete.csv": written})
    assert [(f.column, f.segment, f.period) for f in after.fields] == [
        ("Klachten", "Noord", "2026-05")
    ]
    # A word is no number: said with the field's name, in the owner's language.
    _, problems = entry.read_entries(work.fields, {work.fields[0].key: "veel"}, "nl")
    assert problems == ["NPS · Noord · mei 2026: ‘veel’ is geen getal: schrijf het als 1234,5."]
    _, problems = entry.read_entries(work.fields, {work.fields[0].key: "lots"}, "en")
    assert problems == ["NPS · Noord · May 2026: “lots” is no number: write it like 1234.5."]


class _Clock:
    def __call__(self) -> datetime:
        return datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(store_location: Path | str) -> tuple[Store, str]:
    store = Store(store_location, clock=_Clock())
    olga = store.for_user(OLGA)
    ws = olga.create_workspace("Klanten", _card(), "nl").id
    olga.save_file(ws, "enquete.csv", SURVEY_CSV)
    olga.save_file(ws, "sales.csv", SALES_CSV)
    return store, ws


def test_kpi_owners_named_by_address_become_contributors(team: tuple[Store, str]) -> None:
    store, ws = team
    assert store.for_user(BRAM).role(ws) == "contributor"
    assert store.for_user(CHRIS).role(ws) == "contributor"
    # A viewer named as a KPI's owner is raised to contributor; an editor stays an editor.
    olga = store.for_user(OLGA)
    olga.share(ws, "vera@example.com", "viewer")
    olga.share(ws, "eddy@example.com", "editor")
    card = _card()
    card.kpis[3] = card.kpis[3].model_copy(update={"owner": "vera@example.com"})
    card.kpis[2] = card.kpis[2].model_copy(update={"owner": "eddy@example.com"})
    olga.save_scorecard(ws, card, based_on=1)
    assert store.for_user("vera@example.com").role(ws) == "contributor"
    assert store.for_user("eddy@example.com").role(ws) == "editor"


def _table(store: Store, ws: str) -> list[list[object]]:
    kept = stored_table(store.for_user(OLGA).load_file(ws, "enquete.csv"), SURVEY)
    return kept.astype(object).where(kept.notna(), None).values.tolist()


def test_a_contributor_enters_only_their_own_kpis_values(team: tuple[Store, str]) -> None:
    store, ws = team
    bram, chris = store.for_user(BRAM), store.for_user(CHRIS)
    # Bram: his NPS of the north and both regions' complaints for May.
    _, changed = bram.enter_values(
        ws,
        "enquete.csv",
        {
            ("2026-05", "Noord", "NPS"): 44,
            ("2026-05", "Noord", "Klachten"): 2,
            ("2026-05", " Zuid ", "Klachten"): 4,
        },
    )
    assert changed == 3
    # Chris enters his south NPS afterwards: merged into the rows as they are now, so Bram's
    # values stay (two owners at once never undo each other).
    chris.enter_values(ws, "enquete.csv", {("2026-05", "Zuid", "NPS"): 47})
    may = date(2026, 5, 1)
    assert _table(store, ws)[2:] == [[may, "Noord", 44.0, 2.0], [may, "Zuid", 47.0, 4.0]]
    said = sorted(
        (e.user, describe(e, "nl"))
        for e in store.for_user(OLGA).audit_log(ws)
        if e.action == "manual.entry"
    )
    assert said == [
        (BRAM, "Ingevoerd in Enquête: Klachten mei 2026 (Noord): – → 2"),
        (BRAM, "Ingevoerd in Enquête: Klachten mei 2026 (Zuid): – → 4"),
        (BRAM, "Ingevoerd in Enquête: NPS mei 2026 (Noord): – → 44"),
        (CHRIS, "Ingevoerd in Enquête: NPS mei 2026 (Zuid): – → 47"),
    ]
    before = _table(store, ws)
    refusals = [
        ({("2026-05", "Zuid", "NPS"): 0.0}, "error.store.entry_not_yours"),  # Chris' NPS
        ({("2026-04", "Zuid", "NPS"): None}, "error.store.entry_not_yours"),  # clearing it
        ({("2026-07", "Noord", "NPS"): 50.0}, "error.store.entry_future"),  # July, on 15 June
    ]
    for values, key in refusals:
        with pytest.raises(EntryError) as refused:
            bram.enter_values(ws, "enquete.csv", values)
        assert refused.value.key == key
    assert _table(store, ws) == before  # nothing written
    assert refused.value.message("nl") == (
        "jul 2026 is nog niet begonnen; vul NPS in zodra hij begonnen is (of sta plannen toe "
        "voor Enquête). Er is niets bewaard."
    )
    # Not a table kept in Koers, a column it does not have, a number that is no number, a
    # period of another cadence: refused with a message, nothing written.
    for name, values in [
        ("sales.csv", {("2026-05", "", "Omzet"): 5.0}),
        ("enquete.csv", {("2026-05", "Noord", "Geheim"): 1.0}),
        ("enquete.csv", {("2026-05", "Noord", "NPS"): float("inf")}),
        ("enquete.csv", {("2026-Q2", "Noord", "NPS"): 1.0}),
    ]:
        with pytest.raises((AccessDenied, StoreError)):
            bram.enter_values(ws, name, values)
    assert _table(store, ws) == before
    # Files are an editor's: a contributor cannot save one, not even the table's own.
    with pytest.raises(AccessDenied):
        bram.save_file(ws, "enquete.csv", SURVEY_CSV)
    with pytest.raises(AccessDenied):
        bram.delete_file(ws, "enquete.csv")
    # A viewer enters nothing; a check-in only on his own KPIs.
    store.for_user(OLGA).share(ws, "vera@example.com", "viewer")
    with pytest.raises(AccessDenied):
        store.for_user("vera@example.com").enter_values(
            ws, "enquete.csv", {("2026-05", "Noord", "NPS"): 1.0}
        )
    bram.add_checkin(ws, CheckIn(kpi_id="klachten", period="2026-05", note="Drukke maand"))
    with pytest.raises(AccessDenied):
        bram.add_checkin(ws, CheckIn(kpi_id="nps_zuid", period="2026-05", note="?"))


@pytest.mark.parametrize(
    "segment_filter",
    [
        Filter(column="Regio", op="ne", value="Zuid"),
        Filter(column="Regio", op="not_in", value=["Zuid"]),
        Filter(column="Regio", op="in", value=["Noord", "Zuid"]),  # with the eq below
    ],
)
def test_every_kind_of_segment_filter_limits_what_an_owner_enters(
    team: tuple[Store, str], segment_filter: Filter
) -> None:
    store, ws = team
    card = _card()
    filters = [segment_filter]
    if segment_filter.op == "in":
        filters.append(Filter(column="Regio", value="Noord"))  # both hold: the north only
    card.kpis[0] = card.kpis[0].model_copy(update={"filters": filters})
    store.for_user(OLGA).save_scorecard(ws, card, based_on=1)
    # Bram's NPS covers the north only: he is asked for the north, and Chris' south is not his.
    work = entry.owner_work(_evaluation(card), BRAM, TODAY, {"enquete.csv": SURVEY_CSV})
    assert [(f.column, f.segment) for f in work.fields if f.column == "NPS"] == [("NPS", "Noord")]
    bram = store.for_user(BRAM)
    with pytest.raises(EntryError):
        bram.enter_values(ws, "enquete.csv", {("2026-04", "Zuid", "NPS"): 0.0})
    bram.enter_values(ws, "enquete.csv", {("2026-05", "Noord", "NPS"): 45.0})


def test_a_quarterly_kpi_on_a_monthly_table_asks_for_each_month() -> None:
    card = _card()
    card.kpis[1] = card.kpis[1].model_copy(update={"cadence": "quarter"})
    # On 15 July the second quarter is complete; April is in, May and June are not.
    work = entry.owner_work(_evaluation(card), BRAM, date(2026, 7, 15), {"enquete.csv": SURVEY_CSV})
    assert [(f.column, f.segment, f.period) for f in work.fields if f.column == "Klachten"] == [
        ("Klachten", "Noord", "2026-05"),
        ("Klachten", "Zuid", "2026-05"),
        ("Klachten", "Noord", "2026-06"),
        ("Klachten", "Zuid", "2026-06"),
    ]


def test_a_new_empty_table_asks_for_the_last_completed_period() -> None:
    card = _card()
    header_only = b"Periode,Regio,NPS,Klachten\n"
    ev = _evaluation(card, header_only)
    assert "klachten" in ev.errors  # nothing to evaluate yet
    work = entry.owner_work(ev, BRAM, TODAY, {"enquete.csv": header_only})
    # No segments known yet: the north's NPS (its filter names it) and the complaints.
    assert [(f.column, f.segment, f.period) for f in work.fields] == [
        ("NPS", "Noord", "2026-05"),
        ("Klachten", "", "2026-05"),
    ]
    assert [d.kpi.id for d in work.from_files] == ["omzet"]
    # The digest asks for them too.
    assert {d.kpi.id for d in due_values(ev, TODAY)} >= {"nps_noord", "klachten"}


def test_a_segment_written_differently_cannot_reach_another_owners_figure(
    team: tuple[Store, str],
) -> None:
    store, ws = team
    # Branches numbered 1 and 2: Bram owns the NPS of every branch but 2, Chris that of 2.
    numbered = b"Periode,Regio,NPS,Klachten\n2026-05-01,1,40,\n2026-05-01,2,50,\n"
    store.for_user(OLGA).save_file(ws, "enquete.csv", numbered)
    card = _card()
    card.kpis[0] = card.kpis[0].model_copy(
        update={"filters": [Filter(column="Regio", op="ne", value=2)]}
    )
    card.kpis[2] = card.kpis[2].model_copy(update={"filters": [Filter(column="Regio", value=2)]})
    store.for_user(OLGA).save_scorecard(ws, card, based_on=1)
    bram = store.for_user(BRAM)
    with pytest.raises(EntryError):
        bram.enter_values(ws, "enquete.csv", {("2026-05", "2", "NPS"): 0.0})
    # "2.0", "2e0", "+2" read as branch 2 when the table is evaluated: a row under that
    # name would halve Chris' figure (the mean of 50 and 0), so it is refused too.
    for alias in ("2.0", "2e0", "+2", " 2 "):
        with pytest.raises(EntryError):
            bram.enter_values(ws, "enquete.csv", {("2026-05", alias, "NPS"): 0.0})
    bram.enter_values(ws, "enquete.csv", {("2026-05", "3", "NPS"): 30.0})  # a branch of his
    sources = {
        "enquete.csv": SourceFile("enquete.csv", bram.load_file(ws, "enquete.csv")),
        "sales.csv": SourceFile("sales.csv", SALES_CSV),
    }
    ev = evaluate(card, load(card, sources, strict=True), TODAY)
    d = ev.detail
    south = d[(d["kpi_id"] == "nps_zuid") & (d["period"] == "2026-05") & (d["segment"] == "")]
    assert south["actual"].tolist() == [50.0]


def test_a_cell_changed_meanwhile_is_refused_not_overwritten(team: tuple[Store, str]) -> None:
    store, ws = team
    olga, bram = store.for_user(OLGA), store.for_user(BRAM)
    # Olga's Data page showed May's north NPS empty; Bram enters 44 before she saves 38.
    bram.enter_values(ws, "enquete.csv", {("2026-05", "Noord", "NPS"): 44.0}, {})
    key = ("2026-05", "Noord", "NPS")
    with pytest.raises(StoreError) as changed:
        olga.enter_values(ws, "enquete.csv", {key: 38.0}, {key: None})
    assert changed.value.key == "error.store.entry_changed"
    assert changed.value.message("nl").startswith(
        "Iemand anders heeft NPS van mei 2026 (Noord) in Enquête gewijzigd"
    )
    assert _table(store, ws)[2] == [date(2026, 5, 1), "Noord", 44.0, None]
    # Seen as 44, it may be changed.
    olga.enter_values(ws, "enquete.csv", {key: 38.0}, {key: 44.0})
    assert _table(store, ws)[2] == [date(2026, 5, 1), "Noord", 38.0, None]


def test_what_cannot_be_kept_is_refused_with_a_message(team: tuple[Store, str]) -> None:
    store, ws = team
    olga = store.for_user(OLGA)
    for values in [
        {("2026-05", "Noord", "NPS"): "5"},  # text, not a number
        {("0001-01", "Noord", "NPS"): 5.0},  # no period Koers keeps
        {("2026-05", "Noord", "NPS"): True},
    ]:
        with pytest.raises(StoreError) as bad:
            olga.enter_values(ws, "enquete.csv", values)  # type: ignore[arg-type]
        assert bad.value.key == "error.store.entry_invalid"
    # More rows than a kept table holds (5,000): refused, nothing written.
    many = {("2026-05", f"R{n}", "NPS"): 1.0 for n in range(4999)}  # + the 2 kept rows
    with pytest.raises(StoreError) as full:
        olga.enter_values(ws, "enquete.csv", many)
    assert full.value.key == "error.store.entry_too_many"
    assert len(_table(store, ws)) == 2


def test_an_owner_whose_filter_names_no_segment_yet_is_told_so() -> None:
    card = _card()
    card.kpis[0] = card.kpis[0].model_copy(
        update={"filters": [Filter(column="Regio", value="West")]}
    )
    work = entry.owner_work(_evaluation(card), BRAM, TODAY, {"enquete.csv": SURVEY_CSV})
    # "eq West" names its segment: asked for West. "ne Noord, ne Zuid" covers none the
    # table has: said apart, not dropped.
    assert ("NPS", "West") in [(f.column, f.segment) for f in work.fields]
    card.kpis[0] = card.kpis[0].model_copy(
        update={
            "filters": [
                Filter(column="Regio", op="ne", value="Noord"),
                Filter(column="Regio", op="ne", value="Zuid"),
            ]
        }
    )
    work = entry.owner_work(_evaluation(card), BRAM, TODAY, {"enquete.csv": SURVEY_CSV})
    assert [k.id for k in work.no_segment] == ["nps_noord"]
    assert "NPS" not in [f.column for f in work.fields]


def test_a_weekly_kpi_on_a_monthly_table_waits_for_the_month_to_end() -> None:
    card = _card()
    card.kpis[1] = card.kpis[1].model_copy(update={"cadence": "week"})
    # On Monday 15 June the last completed week (8–14 June) lies in June, which has not
    # ended: nothing of June is asked for yet; May is.
    work = entry.owner_work(_evaluation(card), BRAM, TODAY, {"enquete.csv": SURVEY_CSV})
    periods = {f.period for f in work.fields if f.column == "Klachten"}
    assert periods == {"2026-05"}


def test_a_value_two_owners_kpis_read_may_be_entered_by_either(team: tuple[Store, str]) -> None:
    store, ws = team
    card = _card()
    # Chris owns the south's complaints too; Bram's complaints cover every region.
    card.kpis.append(
        _kpi(
            "klachten_zuid",
            CHRIS,
            Measure(aggregation="sum", column="Klachten"),
            filters=[Filter(column="Regio", value="Zuid")],
        )
    )
    store.for_user(OLGA).save_scorecard(ws, card, based_on=1)
    cell = ("2026-05", "Zuid", "Klachten")
    store.for_user(BRAM).enter_values(ws, "enquete.csv", {cell: 4.0}, {cell: None})
    store.for_user(CHRIS).enter_values(ws, "enquete.csv", {cell: 5.0}, {cell: 4.0})
    assert _table(store, ws)[2] == [date(2026, 5, 1), "Zuid", None, 5.0]


def test_a_region_without_a_row_in_a_period_is_named_beside_the_figure() -> None:
    # May: only the south has a row; the north had complaints in April.
    data = SURVEY_CSV + b"2026-05-01,Zuid,40,4\n"
    ev = _evaluation(_card(), data)
    d = ev.detail
    may = d[(d["kpi_id"] == "klachten") & (d["period"] == "2026-05") & (d["segment"] == "")]
    may = may.iloc[0]
    assert may["actual"] == 4.0  # the south alone
    assert left_out_note(may, "nl") == (
        "1 rij in mei 2026 heeft geen Klachten (Noord); buiten dit cijfer gelaten."
    )
    # The south's own NPS is complete: nothing named there.
    south = d[(d["kpi_id"] == "nps_zuid") & (d["period"] == "2026-05") & (d["segment"] == "")]
    assert int(south.iloc[0]["incomplete_rows"]) == 0


def test_an_owner_address_is_kept_in_one_spelling() -> None:
    assert _card().kpis[0].owner == "bram@example.com"  # typed as " Bram@Example.com "
    named = _kpi("x", "  Jan de Wit ", Measure(aggregation="sum", column="NPS"))
    assert named.owner == "Jan de Wit"  # a name keeps its capitals
