"""Digests of saved workspaces: one on demand (``koers digest --workspace``) and the due ones
(``koers scheduler``, for cron or a systemd timer).

Each workspace's plan (``schedule.DigestPlan``) is in its settings under ``"digest"``. A run
evaluates every workspace whose digest is due, builds one message per recipient in their
language (a KPI owner's reminder first when the recipient is one) and delivers them one by
one, recording each address reached (``"digest_sent"``) right after its delivery: a refused
address is tried again on the next run, a reached one never twice. A workspace that fails
(its data cannot be read, the server refuses) is reported and the run goes on with the next.
Writing ``.eml`` files (a preview) records nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import quote

from pydantic import ValidationError

from kpilogic.engine.evaluate import Evaluation
from kpilogic.errors import KoersError
from kpilogic.present.digest import build_digest, to_message
from kpilogic.workspace import service
from kpilogic.workspace.schedule import (
    DigestPlan,
    Recipient,
    Sent,
    due_period,
    mark_sent,
    waiting,
)

DIGEST_SETTING = "digest"
SENT_SETTING = "digest_sent"
Deliver = Callable[[Sequence[tuple[str, EmailMessage]]], None]


class DigestStore(service.WorkspaceReader, Protocol):
    """What the scheduler needs of a repository: reading workspaces and keeping the plan."""

    def list_workspaces(self) -> Sequence[Any]: ...
    def update_settings(self, workspace_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...


def plan_of(settings: dict[str, Any] | Any) -> DigestPlan:
    """The workspace's digest plan (an empty plan when none is set).

    Raises:
        KoersError: ``error.digest.bad_plan`` when the kept plan is not a valid plan.
    """
    raw = settings.get(DIGEST_SETTING) if isinstance(settings, dict) else None
    try:
        return DigestPlan.model_validate(raw or {})
    except ValidationError as exc:
        raise KoersError("error.digest.bad_plan", detail=str(exc).splitlines()[0]) from exc


def sent_of(settings: dict[str, Any] | Any) -> Sent:
    """Which addresses each period's digest reached (empty when unreadable)."""
    raw = settings.get(SENT_SETTING) if isinstance(settings, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {str(k): [str(a) for a in v] for k, v in raw.items() if isinstance(v, list)}


def workspace_evaluation(
    repo: service.WorkspaceReader, workspace_id: str, as_of: date
) -> Evaluation:
    """The saved workspace evaluated as of ``as_of`` over its own files."""
    opened = service.open_workspace(repo, workspace_id)
    loaded = service.load(opened.scorecard, opened.sources)
    return service.evaluate(opened.scorecard, loaded, as_of)


def entry_url(workspace_id: str | None) -> str | None:
    """The address of the workspace's "Mijn KPI's" page, from ``KOERS_APP_URL`` (the address
    people open Koers at, e.g. ``https://koers.example.com``); None when it is not set."""
    base = os.environ.get("KOERS_APP_URL", "").strip().rstrip("/")
    if not base or workspace_id is None:
        return None
    return f"{base}/mine?ws={quote(workspace_id)}"


def messages_for(
    evaluation: Evaluation,
    recipients: Sequence[Recipient],
    sender: str,
    as_of: date,
    workspace_id: str | None = None,
) -> list[tuple[str, EmailMessage]]:
    """One message per recipient: (a file stem for ``.eml``, the message). A KPI owner's
    message says where to enter their values when the app's address is known
    (``entry_url``)."""
    out = []
    url = entry_url(workspace_id)
    for n, recipient in enumerate(recipients, start=1):
        digest = build_digest(
            evaluation, recipient.lang, as_of, owner=recipient.owner, entry_url=url
        )
        stem = f"{digest.pdf_name.removesuffix('.pdf')}_{n}_{recipient.lang}"
        out.append((stem, to_message(digest, sender, [recipient.email])))
    return out


@dataclass(frozen=True)
class Outcome:
    """What a scheduler run did for one workspace: the period, the addresses reached and
    the problems (an address refused, or the workspace could not be evaluated)."""

    workspace_id: str
    period: str
    reached: tuple[str, ...] = ()
    problems: tuple[KoersError, ...] = ()


def run_due(
    store: DigestStore, today: date, sender: str, deliver: Deliver, *, record: bool = True
) -> list[Outcome]:
    """Deliver every digest due ``today``, each recipient once per period (see module doc);
    ``record=False`` (``.eml`` files) records nothing."""
    done: list[Outcome] = []
    for workspace in store.list_workspaces():
        try:
            settings = store.get_settings(workspace.id)
            plan, sent = plan_of(settings), sent_of(settings)
            period = due_period(plan, today, sent)
            if period is None:
                continue
            evaluation = workspace_evaluation(store, workspace.id, today)
        except KoersError as exc:
            done.append(Outcome(workspace.id, "", problems=(exc,)))
            continue
        recipients = waiting(plan, period, sent)
        reached: list[str] = []
        problems: list[KoersError] = []
        messages = messages_for(evaluation, recipients, sender, today, workspace.id)
        for recipient, message in zip(recipients, messages, strict=True):
            try:
                deliver([message])
            except KoersError as exc:
                problems.append(exc)
                continue
            reached.append(recipient.email)
            if record:
                sent = mark_sent(sent, period, recipient.email)
                store.update_settings(workspace.id, {SENT_SETTING: sent})
        done.append(Outcome(workspace.id, period, tuple(reached), tuple(problems)))
    return done
