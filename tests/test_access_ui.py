"""Team mode in the app (AppTest): who sees what on the Start page, sharing, trash, audit log,
read-only editing pages for viewers, "no access" for another's ``?ws=``, the sign-in gate.

Each test has its own real SQLite file (``KOERS_DB``); people are set up through the real
store (``Store.for_user``) and the app is run as one of them (``AppTest.user``), with an
``[auth]`` section in its secrets (team mode).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpilogic.i18n import t
from kpilogic.scorecard.model import Scorecard
from kpilogic.workspace.access import LOCAL_USER, AuditEntry
from kpilogic.workspace.audit import describe
from kpilogic.workspace.store import Store
from tests.conftest import ROOT
from ui.access import literal_md

pytestmark = pytest.mark.usefixtures("clear_streamlit_caches")

ANNA, BRAM, CHRIS = "anna@example.com", "bram@example.com", "chris@example.com"
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "a-test-secret-of-enough-length",
        "client_id": "koers",
        "client_secret": "koers-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    path = tmp_path / "koers.sqlite3"
    monkeypatch.setenv("KOERS_DB", str(path))
    return Store(path)


def _card(name: str) -> Scorecard:
    return Scorecard(name=name)


def _app(user: str | None, lang: str = "en", ws: str | None = None) -> AppTest:
    """The app as ``user`` (None: nobody signed in; LOCAL_USER: local mode, no [auth])."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user != LOCAL_USER:
        at.secrets = AUTH
        at.user = {"is_logged_in": True, "email": user} if user else {"is_logged_in": False}
    at.session_state["koers_lang"] = lang
    if ws is not None:
        at.query_params["ws"] = ws
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "error", "info", "warning", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def _shared_card(db: Store) -> str:
    """Anna's scorecard, shared with Bram as viewer; Chris has his own."""
    anna = db.for_user(ANNA)
    ws = anna.create_workspace("Omzet 2026", _card("Omzet 2026"), "nl")
    anna.share(ws.id, BRAM, "viewer")
    db.for_user(CHRIS).create_workspace("Chris' card", _card("Chris' card"))
    return ws.id


# -- the sign-in gate ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_nobody_signed_in_sees_only_the_sign_in_screen(db: Store, lang: str) -> None:
    ws = _shared_card(db)
    at = _app(None, lang, ws=ws)
    assert not at.exception
    assert [x.value for x in at.title] == [t("signin.title", lang)]
    assert at.button(key="signin_login").label == t("signin.button", lang)
    text = _texts(at)
    assert "Omzet 2026" not in text  # nothing of any workspace
    assert t("start.workspaces", lang) not in [s.value for s in at.subheader]
    assert "koers_scorecard" not in at.session_state  # the session was not even bootstrapped


def test_sign_in_screen_switches_language(db: Store) -> None:
    at = _app(None, "en")
    at.segmented_control(key="signin_lang").set_value("nl").run()
    assert not at.exception
    assert [x.value for x in at.title] == [t("signin.title", "nl")]
    assert at.button(key="signin_login").label == t("signin.button", "nl")


def test_local_mode_needs_no_sign_in_and_shows_no_sharing(db: Store) -> None:
    db.create_workspace("Mine", _card("Mine"))  # the local user's, as before team mode
    at = _app(LOCAL_USER)
    assert not at.exception
    assert at.title[0].value == t("start.title", "en")
    assert "signout" not in _keys(at)
    assert "Mine" in _texts(at)
    assert not [e for e in at.expander if e.label == t("access_ui.share.title", "en")]


# -- who sees what -----------------------------------------------------------------------------


def test_signed_in_user_sees_only_their_workspaces_with_their_role(db: Store) -> None:
    ws = _shared_card(db)
    at = _app(BRAM, "nl")
    assert not at.exception
    text = _texts(at)
    assert "Omzet 2026" in text
    assert "Chris' card" not in text
    assert t("access_ui.your_role", "nl", role="lezer") in text
    assert t("signin.as", "nl", email=f"` {BRAM} `") in text  # a code span: never a link
    keys = _keys(at)
    assert f"ws_open_{ws}" in keys
    # A viewer sees no duplicate and no delete.
    assert f"ws_dup_{ws}" not in keys
    assert f"ws_delete_{ws}" not in keys


def test_viewer_of_open_workspace_has_no_sharing_form_and_no_audit_log(db: Store) -> None:
    ws = _shared_card(db)
    at = _app(BRAM, ws=ws)
    assert not at.exception
    assert at.session_state["koers_workspace"] == ws
    labels = [e.label for e in at.expander]
    assert t("access_ui.share.title", "en") in labels
    assert t("access_ui.audit.title", "en", name="Omzet 2026") not in labels
    assert not [w for w in at.text_input if w.key == "share_email"]
    text = _texts(at)
    assert t("access_ui.share.owner_only", "en") in text
    assert f"` {ANNA} `" in text  # the members are listed, as literal text


@pytest.mark.parametrize("page", ["goals", "kpis", "data"])
def test_viewer_gets_read_only_message_on_editing_pages(db: Store, page: str) -> None:
    ws = _shared_card(db)
    at = _app(BRAM, ws=ws)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert [i.value for i in at.info] == [t("access.read_only", "en")]
    assert not at.text_input  # no goal wizard, no KPI form, no dataset fields


def test_editor_can_use_the_goals_page(db: Store) -> None:
    ws = _shared_card(db)
    db.for_user(ANNA).share(ws, BRAM, "editor")
    at = _app(BRAM, ws=ws)
    at.switch_page("pages/goals.py").run()
    assert not at.exception
    assert t("access.read_only", "en") not in [i.value for i in at.info]
    assert [w for w in at.text_input if w.key == "goal_title"]


@pytest.mark.parametrize("wanted", ["other", "missing"])
def test_another_users_or_a_missing_workspace_in_the_address_says_no_access(
    db: Store, wanted: str
) -> None:
    anna_ws = _shared_card(db)
    ws = anna_ws if wanted == "other" else "no-such-workspace-<img src=x>"
    at = _app(CHRIS, ws=ws)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors == [t("error.access.denied", "en")]  # the same for both
    assert at.session_state["koers_workspace"] is None
    assert "ws" not in at.query_params
    text = _texts(at)
    assert ws not in text  # the address's value is never shown
    assert "Omzet 2026" not in text


# -- sharing, trash, audit log (owner) ---------------------------------------------------------


def test_owner_shares_changes_role_and_removes(db: Store) -> None:
    ws = _shared_card(db)
    at = _app(ANNA, ws=ws)
    assert not at.exception
    at.text_input(key="share_email").input("  Chris@Example.com ")
    at.selectbox(key="share_role").select("editor")
    at.button(key="share_add").click().run()
    assert not at.exception
    # Checked in the store itself: Chris is an editor now (address lower-cased and trimmed).
    members = {m.email: m.role for m in db.for_user(ANNA).members(ws)}
    assert members == {ANNA: "owner", BRAM: "viewer", CHRIS: "editor"}
    assert at.success[0].value == t(
        "access_ui.share.added", "en", email=f"` {CHRIS} `", role="editor"
    )

    # Bram from viewer to contributor.
    key = next(
        s.key
        for s in at.selectbox
        if s.key and s.key.startswith("member_role_") and s.value == "viewer"
    )
    at.selectbox(key=key).select("contributor").run()
    at.button(key=key.replace("member_role_", "member_change_")).click().run()
    assert not at.exception
    assert {m.email: m.role for m in db.for_user(ANNA).members(ws)}[BRAM] == "contributor"

    # Remove Chris again.
    chris_key = next(
        b.key
        for b in at.button
        if b.key
        and b.key.startswith("member_remove_")
        and b.key.replace("member_remove_", "member_role_")
        in {s.key for s in at.selectbox if s.value == "editor"}
    )
    at.button(key=chris_key).click().run()
    assert not at.exception
    assert CHRIS not in {m.email for m in db.for_user(ANNA).members(ws)}


def test_sharing_with_a_bad_address_says_what_to_do(db: Store) -> None:
    ws = _shared_card(db)
    at = _app(ANNA, "nl", ws=ws)
    at.text_input(key="share_email").input("not an address")
    at.button(key="share_add").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        t("error.access.email_invalid", "nl", email="not an address")
    ]
    assert {m.email for m in db.for_user(ANNA).members(ws)} == {ANNA, BRAM}


def test_owner_deletes_to_trash_and_restores(db: Store) -> None:
    ws = _shared_card(db)
    at = _app(ANNA, ws=ws)
    at.button(key=f"ws_delete_{ws}").click().run()
    at.button(key=f"ws_delete_yes_{ws}").click().run()
    assert not at.exception
    assert [w.id for w in db.for_user(ANNA).list_trash()] == [ws]
    assert ws not in [w.id for w in db.for_user(BRAM).list_workspaces()]  # gone for Bram too
    assert at.session_state["koers_workspace"] is None
    assert t("access_ui.trash.title", "en", count=1) in [e.label for e in at.expander]

    at.button(key=f"trash_restore_{ws}").click().run()
    assert not at.exception
    assert db.for_user(ANNA).list_trash() == []
    assert [w.id for w in db.for_user(BRAM).list_workspaces()] == [ws]


def test_owner_sees_the_audit_log_in_words(db: Store) -> None:
    ws = _shared_card(db)
    at = _app(ANNA, "nl", ws=ws)
    assert not at.exception
    assert t("access_ui.audit.title", "nl", name="Omzet 2026") in [e.label for e in at.expander]
    frame = at.table[0].value
    assert list(frame.columns) == ["Wanneer", "Wie", "Wat"]
    # Newest first: the share, then the creation, both by Anna; user text as code spans.
    assert list(frame["Wat"]) == [
        "Gedeeld met ` bram@example.com ` als lezer",
        "Scorecard ` Omzet 2026 ` gemaakt",
    ]
    assert set(frame["Wie"]) == {f"` {ANNA} `"}


# -- the audit log's sentences ---------------------------------------------------------------


def _entry(action: str, **detail: object) -> AuditEntry:
    return AuditEntry(datetime(2026, 3, 31, 9, 30, tzinfo=UTC), ANNA, action, dict(detail))


def test_describe_every_known_action_in_both_languages() -> None:
    assert describe(_entry("member.share", email=BRAM, role="editor"), "nl") == (
        "Gedeeld met bram@example.com als bewerker"
    )
    assert describe(_entry("scorecard.restore", version=7, source=3), "en") == (
        "Restored version 3 (now version 7)"
    )
    assert describe(_entry("settings.save", keys=["lang", "as_of", "new"]), "nl") == (
        "Instellingen gewijzigd: taal, peildatum, new"
    )
    assert describe(_entry("workspace.rename", old="A"), "en") == "Renamed A to –"
    for action in (
        "workspace.create",
        "workspace.delete",
        "workspace.restore",
        "file.save",
        "file.delete",
        "checkin.add",
        "checkin.delete",
        "member.unshare",
        "scorecard.save",
        "workspace.duplicate",
    ):
        for lang in ("en", "nl"):
            text = describe(_entry(action), lang)
            assert not text.startswith("access_ui."), (action, lang)  # a sentence, not a key


def test_describe_keeps_an_unknown_action_with_its_details() -> None:
    text = describe(_entry("workspace.archive", reason="{x}"), "en")
    assert text == 'workspace.archive: {"reason": "{x}"}'


def test_literal_md_shows_any_text_as_a_code_span() -> None:
    assert literal_md("a@b.nl") == "` a@b.nl `"
    # A backtick run inside gets a longer fence; line breaks become spaces.
    assert literal_md("x``y\n[z](http://e)") == "``` x``y [z](http://e) ```"


@pytest.mark.parametrize("page", ["dashboard", "review", "download"])
def test_viewer_reads_dashboard_review_and_download_without_errors(db: Store, page: str) -> None:
    from kpilogic.sample import SAMPLE_SCORECARD, SAMPLE_WORKBOOK
    from tests.conftest import SAMPLE_DIR

    card = Scorecard.from_json((SAMPLE_DIR / SAMPLE_SCORECARD).read_text(encoding="utf-8"))
    anna = db.for_user(ANNA)
    ws = anna.create_workspace(card.name, card, "en").id
    anna.save_file(ws, SAMPLE_WORKBOOK, (SAMPLE_DIR / SAMPLE_WORKBOOK).read_bytes())
    anna.share(ws, BRAM, "viewer")
    at = _app(BRAM, "nl", ws=ws)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert t("access.read_only", "nl") not in [i.value for i in at.info]  # reading is allowed
    if page == "review":  # a viewer reads the check-ins but gets no form to add one
        assert not [b for b in at.button if (b.key or "").startswith("review_save_")]
        assert t("access.read_only", "nl") in [c.value for c in at.caption]
    # Nothing was written on the viewer's behalf (no settings, no saves): only Anna's steps.
    assert {e.user for e in anna.audit_log(ws)} == {ANNA}


def test_a_contributor_sees_only_their_own_page(db: Store) -> None:
    from kpilogic.sample import SAMPLE_SCORECARD, SAMPLE_WORKBOOK
    from tests.conftest import SAMPLE_DIR

    card = Scorecard.from_json((SAMPLE_DIR / SAMPLE_SCORECARD).read_text(encoding="utf-8"))
    anna = db.for_user(ANNA)
    ws = anna.create_workspace(card.name, card, "en").id
    anna.save_file(ws, SAMPLE_WORKBOOK, (SAMPLE_DIR / SAMPLE_WORKBOOK).read_bytes())
    anna.share(ws, BRAM, "contributor")
    at = _app(BRAM, ws=ws)
    assert not at.exception
    # One page only, "My KPIs": the other pages are not registered for a contributor.
    assert at.title[0].value == t("mine.title", "en")
    with pytest.raises(ValueError):
        at.switch_page("pages/review.py")
    # The sample's KPIs are owned by names, not Bram's address: nothing for him to enter.
    assert t("mine.none_owned", "en", email=f"` {BRAM} `") in _texts(at)


def test_signed_in_address_is_matched_in_lower_case(db: Store) -> None:
    _shared_card(db)
    at = _app("Bram@EXAMPLE.com")
    assert not at.exception
    assert "Omzet 2026" in _texts(at)
    assert t("signin.as", "en", email=f"` {BRAM} `") in _texts(at)


def test_signed_in_without_an_email_address_is_told_what_to_do(db: Store) -> None:
    _shared_card(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = AUTH
    at.user = {"is_logged_in": True, "sub": "12345"}  # a provider that gave no e-mail
    at.session_state["koers_lang"] = "nl"
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [t("signin.no_email", "nl")]
    assert at.button(key="signin_logout").label == t("signin.sign_out", "nl")
    assert "Omzet 2026" not in _texts(at)


def test_an_unverified_address_gets_no_access(db: Store) -> None:
    _shared_card(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = AUTH
    # Someone who made an account with Bram's address but never verified it.
    at.user = {"is_logged_in": True, "email": BRAM, "email_verified": False}
    at.run()
    assert not at.exception
    assert [w.value for w in at.warning] == [t("signin.unverified", "en")]
    assert "Omzet 2026" not in _texts(at)
    assert "koers_scorecard" not in at.session_state


@pytest.mark.parametrize(
    ("role", "duplicate", "delete"),
    [
        ("viewer", False, False),
        # a contributor sees only "My KPIs" (test_a_contributor_sees_only_their_own_page)
        ("editor", True, False),
        ("owner", True, True),
    ],
)
def test_start_page_buttons_follow_the_role(
    db: Store, role: str, duplicate: bool, delete: bool
) -> None:
    ws = _shared_card(db)
    db.for_user(ANNA).share(ws, BRAM, role)
    at = _app(BRAM)
    assert not at.exception
    keys = _keys(at)
    assert f"ws_open_{ws}" in keys
    assert (f"ws_dup_{ws}" in keys) is duplicate
    assert (f"ws_delete_{ws}" in keys) is delete


def test_an_owner_who_steps_down_loses_the_owner_controls_at_once(db: Store) -> None:
    ws = _shared_card(db)
    db.for_user(ANNA).share(ws, BRAM, "owner")  # another owner remains
    at = _app(ANNA, ws=ws)
    me = next(
        s.key
        for s in at.selectbox
        if (s.key or "").startswith("member_role_")
        and s.value == "owner"
        and s.key.endswith(_key_of(ANNA))
    )
    at.selectbox(key=me).select("viewer").run()
    at.button(key=me.replace("member_role_", "member_change_")).click().run()
    assert not at.exception
    assert db.for_user(BRAM).members(ws)[0].email == BRAM  # the owner now: Bram alone
    assert {m.email: m.role for m in db.for_user(BRAM).members(ws)}[ANNA] == "viewer"
    assert at.session_state["koers_role"] == "viewer"
    assert not [w for w in at.text_input if w.key == "share_email"]  # no sharing form now
    assert f"ws_delete_{ws}" not in _keys(at)


def _key_of(email: str) -> str:
    import hashlib

    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:12]


def test_uploads_per_user_are_limited_and_counted_before_reading(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_UPLOADS_PER_10MIN", "2")
    ws = _shared_card(db)
    db.for_user(ANNA).share(ws, BRAM, "editor")
    at = _app(BRAM, ws=ws)
    at.switch_page("pages/data.py").run()
    # Two files that cannot be read (they count: the work of reading them was done) ...
    for n in (1, 2):
        at.file_uploader(key="upload").set_value((f"bad{n}.csv", b"", "text/csv")).run()
        assert not at.exception
    # ... then a good one is refused by the limit, with a message; nothing is stored.
    good = b"Date,Revenue\n2026-01-05,100\n2026-01-06,200\n"
    at.file_uploader(key="upload").set_value(("good.csv", good, "text/csv")).run()
    assert not at.exception
    texts = _texts(at)
    assert "2 files" in texts or "2 bestanden" in texts, texts
    assert [f.name for f in db.list_files(ws)] == []
    # Local mode has no such limit.
    for _ in range(5):
        db.for_user(LOCAL_USER).claim_upload()
