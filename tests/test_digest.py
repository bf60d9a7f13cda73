"""Issue 18: the e-mail digest — built from the evaluation, sent through a real SMTP server
(aiosmtpd on 127.0.0.1, started here) by the real ``koers digest`` command, or written as
``.eml`` files."""

from __future__ import annotations

import email
import email.policy
import io
import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from openpyxl import Workbook

from kpilogic.present.digest import build_digest, due_values, to_message
from kpilogic.scorecard.model import KPI, Dataset, Goal, Measure, Scorecard, Target
from kpilogic.workspace.mail import MailError, smtp_server
from kpilogic.workspace.service import evaluate_files
from tests.cli_run import koers as _run_koers

FILE = "omzet.xlsx"
# Revenue per month, one row each: January–May 2026; June not delivered yet.
MONTHS = {1: 100.0, 2: 120.0, 3: 80.0, 4: 90.0, 5: 70.0}


def _workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Datum", "Omzet"])
    for month, value in MONTHS.items():
        ws.append([datetime(2026, month, 15), value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _card(owner: str = "Jan de Wit", action: str = "Belronde langs vaste klanten") -> Scorecard:
    return Scorecard(
        name="Winkel Oost",
        datasets=[Dataset(id="d", name="Omzet", source=FILE, sheet="Sheet", date_column="Datum")],
        goals=[Goal(id="g", title="Omzet op peil", deadline=date(2026, 12, 31))],
        kpis=[
            KPI(
                id="omzet",
                goal_id="g",
                name="Omzet",
                dataset_id="d",
                measure=Measure(aggregation="sum", column="Omzet"),
                unit="currency",
                target=Target(value=100),
                owner=owner,
                action=action,
            )
        ],
    )


def _evaluation(card: Scorecard, as_of: date) -> Any:
    return evaluate_files(card, {FILE: _workbook()}, as_of)


def test_a_value_is_due_after_its_period_and_late_two_weeks_later() -> None:
    card = _card()
    # 10 July: June (ended 30 June) has no value: due, 10 days after — not yet late.
    (due,) = due_values(_evaluation(card, date(2026, 7, 10)), date(2026, 7, 10))
    assert (due.period, due.late) == ("2026-06", False)
    # 20 July: 20 days after June ended: late.
    (due,) = due_values(_evaluation(card, date(2026, 7, 20)), date(2026, 7, 20))
    assert (due.period, due.late) == ("2026-06", True)
    # 10 June: the latest completed month is May, which has its value: nothing due.
    assert due_values(_evaluation(card, date(2026, 6, 10)), date(2026, 6, 10)) == []


def test_the_digest_says_what_needs_attention_with_owner_and_action_in_both_languages() -> None:
    card = _card()
    ev = _evaluation(card, date(2026, 7, 10))
    nl = build_digest(ev, "nl", date(2026, 7, 10), with_pdf=False)
    en = build_digest(ev, "en", date(2026, 7, 10), with_pdf=False)
    # May: € 70 against € 100 (30% short): off track, with its owner and agreed action.
    assert (
        "Omzet (Uit koers, mei 2026): € 70,00 tegenover € 100,00. Eigenaar: Jan de Wit." in nl.text
    )
    assert "Afgesproken actie: Belronde langs vaste klanten" in nl.text
    assert "Omzet (Off track, May 2026): €70.00 vs €100.00. Owner: Jan de Wit." in en.text
    # The forecast at the deadline, by hand: the linear trend of Jan–May (100, 120, 80, 90,
    # 70: mean 92, slope −9 a month) for Aug–Dec gives 47 + 38 + 29 + 20 + 11 = 145; June and
    # July passed without data (left out, and said so); 460 so far + 145 = 605 against
    # 12 × 100 = 1,200.
    assert "forecast €605.00 against €1,200 at 2026-12-31 (−50%; linear trend)" in en.text
    assert "2 months without data left out: Jun 2026, Jul 2026" in en.text
    assert "de waarde over jun 2026 moet nog worden aangeleverd (Jan de Wit)" in nl.text
    assert "the value for Jun 2026 is due (Jan de Wit)" in en.text
    assert nl.subject == "Koers · Winkel Oost: 0 van 1 doel op koers (10-07-2026)"
    assert en.subject == "Koers · Winkel Oost: 0 of 1 goal on course (2026-07-10)"


def test_an_owners_reminder_comes_first_and_user_text_is_escaped_in_html() -> None:
    card = _card(owner="<b>Jan</b> & Co", action='<script>alert("x")</script>')
    ev = _evaluation(card, date(2026, 7, 20))
    digest = build_digest(ev, "en", date(2026, 7, 20), owner="<b>jan</b>  & co", with_pdf=False)
    first = digest.sections[0]
    assert first.heading == "Expected from you, <b>jan</b>  & co"
    assert first.lines == ("Omzet: the value for Jun 2026 is late (<b>Jan</b> & Co).",)
    assert "<script>" not in digest.html and "<b>Jan" not in digest.html
    assert "&lt;script&gt;" in digest.html and "&lt;b&gt;Jan&lt;/b&gt; &amp; Co" in digest.html


def test_the_mail_server_address_is_checked_before_anything_is_sent() -> None:
    with pytest.raises(MailError) as no_server:
        smtp_server(env={})
    assert "KOERS_SMTP_URL" in no_server.value.message("en")
    with pytest.raises(MailError) as bad:
        smtp_server("http://mail.example.com", env={})
    assert "smtp://host:587" in bad.value.message("nl")
    server = smtp_server(
        "smtp://mail.example.com", env={"KOERS_SMTP_USER": "u", "KOERS_SMTP_PASSWORD": "p"}
    )
    assert (server.host, server.port, server.tls, server.user) == (
        "mail.example.com",
        587,
        "starttls",
        "u",
    )
    assert smtp_server("smtps://mail.example.com", env={}).port == 465


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    handler = _Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _koers(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return _run_koers(*args, env={**os.environ, **(env or {})})


def test_koers_digest_sends_a_dutch_digest_with_the_pdf_through_smtp(
    inbox: tuple[_Inbox, int], tmp_path: Path
) -> None:
    handler, port = inbox
    (tmp_path / FILE).write_bytes(_workbook())
    (tmp_path / "card.json").write_text(_card().to_json())
    done = _koers(
        *("digest", str(tmp_path / FILE), "--scorecard", str(tmp_path / "card.json")),
        *("--as-of", "2026-07-10", "--lang", "nl", "--to", "eigenaar@winkel.nl"),
        env={"KOERS_SMTP_URL": f"smtp://127.0.0.1:{port}"},
    )
    assert done.returncode == 0, done.stderr
    assert "verstuurd naar 1 adres" in done.stdout
    ((recipients, message),) = handler.messages
    assert recipients == ["eigenaar@winkel.nl"]
    assert message["Subject"] == "Koers · Winkel Oost: 0 van 1 doel op koers (10-07-2026)"
    assert message["Content-Language"] == "nl"
    text = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text is not None and html_part is not None
    assert "€ 70,00 tegenover € 100,00" in text.get_content()  # May: 70 against 100
    assert "€ 70,00 tegenover € 100,00" in html_part.get_content()
    (pdf,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    data = pdf.get_content()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    (tmp_path / "digest.pdf").write_bytes(data)
    info = subprocess.run(["pdfinfo", str(tmp_path / "digest.pdf")], capture_output=True, text=True)
    assert info.returncode == 0 and "Pages:           1" in info.stdout, info.stdout


def test_koers_digest_writes_eml_files_and_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / FILE).write_bytes(_workbook())
    (tmp_path / "card.json").write_text(_card().to_json())
    base = ("digest", str(tmp_path / FILE), "--scorecard", str(tmp_path / "card.json"))
    done = _koers(*base, "--as-of", "2026-07-10", "--out-dir", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    (eml,) = (tmp_path / "out").glob("*.eml")
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Koers · Winkel Oost: 0 of 1 goal on course (2026-07-10)"
    # Nowhere to send it: a clear line, exit 2, no traceback.
    nowhere = _koers(*base, "--lang", "nl")
    assert nowhere.returncode == 2 and "--out-dir" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr
    # --to without a server: says which setting is missing.
    no_server = _koers(*base, "--to", "a@b.nl", env={"KOERS_SMTP_URL": ""})
    assert no_server.returncode == 1 and "KOERS_SMTP_URL" in no_server.stderr
    assert "Traceback" not in no_server.stderr
    bad = _koers(*base, "--to", "not-an-address")
    assert bad.returncode == 2 and "not-an-address is not an e-mail address" in bad.stderr


def test_to_message_has_text_html_and_pdf_parts() -> None:
    ev = _evaluation(_card(), date(2026, 7, 10))
    message = to_message(build_digest(ev, "en", date(2026, 7, 10)), "k@x.nl", ["a@b.nl"])
    kinds = [part.get_content_type() for part in message.walk()]
    assert kinds[0] == "multipart/mixed"
    assert {"text/plain", "text/html", "application/pdf"} <= set(kinds)


# -- the scheduler over a saved workspace (a real SQLite store) -------------------------------


def _workspace(home: Path) -> str:
    from kpilogic.workspace.store import Store

    db = Store(home / "koers.sqlite3")
    ws = db.create_workspace("Winkel Oost", _card(), "nl")
    db.save_file(ws.id, FILE, _workbook())
    plan = {
        "recipients": [
            {"email": "jan@winkel.nl", "lang": "nl", "owner": "Jan de Wit"},
            {"email": "board@winkel.nl", "lang": "en"},
        ],
        "every": "month",
        "day": 1,
    }
    db.update_settings(ws.id, {"digest": plan})
    return ws.id


def test_the_scheduler_sends_each_periods_digest_once_in_each_recipients_language(
    inbox: tuple[_Inbox, int], tmp_path: Path
) -> None:
    from kpilogic.workspace.store import Store

    handler, port = inbox
    ws = _workspace(tmp_path)
    env = {
        "KOERS_HOME": str(tmp_path),
        "KOERS_DB": "",
        "KOERS_SMTP_URL": f"smtp://127.0.0.1:{port}",
    }
    early = _koers("scheduler", "--today", "2026-06-30", env=env)  # June's digest was 1 June
    assert early.returncode == 0, early.stderr
    first = _koers("scheduler", "--today", "2026-07-20", env=env)
    assert first.returncode == 0, first.stderr
    again = _koers("scheduler", "--today", "2026-07-21", env=env)  # run twice: sent once
    assert again.returncode == 0 and "no digest is due" in again.stdout
    # The June run sent June's digest; the July run July's: two recipients each.
    assert len(handler.messages) == 4
    july = handler.messages[2:]
    by_address = {rcpt[0]: message for rcpt, message in july}
    jan, board = by_address["jan@winkel.nl"], by_address["board@winkel.nl"]
    assert jan["Subject"] == "Koers · Winkel Oost: 0 van 1 doel op koers (20-07-2026)"
    assert board["Subject"] == "Koers · Winkel Oost: 0 of 1 goal on course (2026-07-20)"
    jan_text = jan.get_body(("plain",))
    assert jan_text is not None
    body = jan_text.get_content()
    # Jan's reminder first: June ended 30 June, 20 days before: late.
    assert body.index("Verwacht van jou, Jan de Wit") < body.index("Doelen: op koers")
    assert "Omzet: de waarde over jun 2026 is te laat (Jan de Wit)." in body
    sent = Store(tmp_path / "koers.sqlite3").get_settings(ws)["digest_sent"]
    assert {k: sorted(v) for k, v in sent.items()} == {
        "2026-06": ["board@winkel.nl", "jan@winkel.nl"],
        "2026-07": ["board@winkel.nl", "jan@winkel.nl"],
    }


def test_a_failed_delivery_is_not_marked_sent(tmp_path: Path) -> None:
    from kpilogic.workspace.store import Store

    ws = _workspace(tmp_path)
    port = _free_port()  # nothing listens there
    env = {
        "KOERS_HOME": str(tmp_path),
        "KOERS_DB": "",
        "KOERS_SMTP_URL": f"smtp://127.0.0.1:{port}",
    }
    failed = _koers("scheduler", "--today", "2026-07-01", env=env)
    assert failed.returncode == 1 and "could not be sent" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert "digest_sent" not in Store(tmp_path / "koers.sqlite3").get_settings(ws)


def test_koers_digest_of_a_saved_workspace_writes_one_eml_per_recipient(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    env = {"KOERS_HOME": str(tmp_path), "KOERS_DB": ""}
    out = tmp_path / "out"
    done = _koers(
        "digest", "--workspace", ws, "--as-of", "2026-07-10", "--out-dir", str(out), env=env
    )
    assert done.returncode == 0, done.stderr
    subjects = sorted(
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"]
        for p in out.glob("*.eml")
    )
    assert subjects == [
        "Koers · Winkel Oost: 0 of 1 goal on course (2026-07-10)",
        "Koers · Winkel Oost: 0 van 1 doel op koers (10-07-2026)",
    ]


def test_every_missing_period_since_the_last_value_is_listed_late_or_due() -> None:
    ev = _evaluation(_card(), date(2026, 8, 5))
    # Data through May. June ended 30 June (36 days before 5 August): late; July ended
    # 31 July (5 days): due.
    found = [(d.period, d.late) for d in due_values(ev, date(2026, 8, 5))]
    assert found == [("2026-06", True), ("2026-07", False)]
    text = build_digest(ev, "en", date(2026, 8, 5), with_pdf=False).text
    assert "Omzet: the value for Jun 2026 is late (Jan de Wit)." in text
    assert "Omzet: the value for Jul 2026 is due (Jan de Wit)." in text


def test_a_name_with_a_line_break_still_makes_a_one_line_subject() -> None:
    card = _card().model_copy(update={"name": "Winkel\nOost"})
    digest = build_digest(_evaluation(card, date(2026, 7, 10)), "en", date(2026, 7, 10))
    message = to_message(digest, "k@x.nl", ["a@b.nl"])
    assert message["Subject"] == "Koers · Winkel Oost: 0 of 1 goal on course (2026-07-10)"


class _Refusing(_Inbox):
    """Accepts every address but one."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == "gone@winkel.nl":
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_is_retried_alone_and_a_preview_records_nothing(tmp_path: Path) -> None:
    from kpilogic.workspace.store import Store

    handler = _Refusing()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        ws = _workspace(tmp_path)
        db = Store(tmp_path / "koers.sqlite3")
        plan = db.get_settings(ws)["digest"]
        plan["recipients"].append({"email": "gone@winkel.nl", "lang": "en"})
        db.update_settings(ws, {"digest": plan})
        env = {
            "KOERS_HOME": str(tmp_path),
            "KOERS_DB": "",
            "KOERS_SMTP_URL": f"smtp://127.0.0.1:{port}",
        }
        # A preview first: .eml files for the three, nothing recorded as sent.
        preview = _koers(
            "scheduler", "--today", "2026-07-01", "--out-dir", str(tmp_path / "p"), env=env
        )
        assert preview.returncode == 0, preview.stderr
        assert len(list((tmp_path / "p").glob("*.eml"))) == 3
        assert "digest_sent" not in db.get_settings(ws)
        first = _koers("scheduler", "--today", "2026-07-01", env=env)
        assert first.returncode == 1 and "gone@winkel.nl" in first.stderr
        assert "Traceback" not in first.stderr
        again = _koers("scheduler", "--today", "2026-07-02", env=env)
        assert again.returncode == 1
    finally:
        controller.stop()
    # Two delivered on the first run; the second run tried only the refused address.
    assert sorted(r[0] for r, _ in handler.messages) == ["board@winkel.nl", "jan@winkel.nl"]
    assert sorted(db.get_settings(ws)["digest_sent"]["2026-07"]) == [
        "board@winkel.nl",
        "jan@winkel.nl",
    ]


def test_editing_the_plan_keeps_what_was_sent(tmp_path: Path) -> None:
    from kpilogic.workspace.scheduler import SENT_SETTING
    from kpilogic.workspace.store import Store

    ws = _workspace(tmp_path)
    db = Store(tmp_path / "koers.sqlite3")
    db.update_settings(ws, {SENT_SETTING: {"2026-07": ["jan@winkel.nl"]}})
    # What the Download page writes: the plan only.
    plan = db.get_settings(ws)["digest"]
    db.update_settings(ws, {"digest": {**plan, "day": 3}})
    db.update_settings(ws, {"lang": "en", "as_of": None})  # what a language switch writes
    settings = db.get_settings(ws)
    assert settings[SENT_SETTING] == {"2026-07": ["jan@winkel.nl"]}
    assert settings["digest"]["day"] == 3


def test_a_digest_on_the_first_days_of_a_month_speaks_of_the_month_that_ended() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Datum", "Omzet"])
    for month, value in MONTHS.items():
        ws.append([datetime(2026, month, 15), value])
    ws.append([datetime(2026, 6, 1), 5.0])  # June has begun: 1 of its 30 days
    buf = io.BytesIO()
    wb.save(buf)
    ev = evaluate_files(_card(), {FILE: buf.getvalue()}, date(2026, 6, 1))
    text = build_digest(ev, "en", date(2026, 6, 1), with_pdf=False).text
    # June is too early to judge; the attention list speaks of May: 70 against 100.
    assert "Omzet (Off track, May 2026): €70.00 vs €100.00." in text


def test_a_kpi_owners_digest_links_to_the_page_where_they_enter_their_values(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path)
    env = {"KOERS_HOME": str(tmp_path), "KOERS_DB": "", "KOERS_APP_URL": "https://koers.nl/"}
    out = tmp_path / "out"
    done = _koers(
        "digest", "--workspace", ws, "--as-of", "2026-07-10", "--out-dir", str(out), env=env
    )
    assert done.returncode == 0, done.stderr
    bodies = {}
    for path in out.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        bodies[message["To"]] = message.get_body(preferencelist=("plain",)).get_content()
    link = f"https://koers.nl/mine?ws={ws}"
    # Jan owns the revenue, whose June value is due: his digest says where to enter it.
    assert f"Vul ze in op één scherm: {link}" in bodies["jan@winkel.nl"]
    # The board owns no KPI: no link.
    assert "/mine?ws=" not in bodies["board@winkel.nl"]


def test_a_scorecard_without_deadlines_gets_no_zero_of_zero_subject() -> None:
    card = _card()
    card.goals[0] = card.goals[0].model_copy(update={"deadline": None})
    ev = _evaluation(card, date(2026, 7, 10))
    digest = build_digest(ev, "nl", date(2026, 7, 10), with_pdf=False)
    assert digest.subject == "Koers · Winkel Oost: zo staan we ervoor (10-07-2026)"
