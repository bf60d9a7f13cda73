"""Digests of saved workspaces: one on demand (``koers digest --workspace``) and the due ones
(``koers scheduler``, for cron or a systemd timer).

Each workspace's plan (``schedule.DigestPlan``) is in its settings under ``"digest"``. A run
evaluates every workspace whose digest is due, builds one message per recipient in their
language (a KPI owner's reminder first when the recipient is one), delivers them, and only
then records the period as sent — a failed delivery is tried again on the next run, a
successful one never twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any, Protocol

from kpilogic.engine.evaluate import Evaluation
from kpilogic.present.digest import build_digest, to_message
from kpilogic.workspace import service
from kpilogic.workspace.schedule import DigestPlan, Recipient, due_period, mark_sent

DIGEST_SETTING = "digest"
Deliver = Callable[[Sequence[tuple[str, EmailMessage]]], None]


class DigestStore(service.WorkspaceReader, Protocol):
    """What the scheduler needs of a repository: reading workspaces and keeping the plan."""

    def list_workspaces(self) -> Sequence[Any]: ...
    def update_settings(self, workspace_id: str, changes: dict[str, Any]) -> dict[str, Any]: ...


def plan_of(settings: dict[str, Any] | Any) -> DigestPlan:
    """The workspace's digest plan (an empty plan when none is set)."""
    raw = settings.get(DIGEST_SETTING) if isinstance(settings, dict) else None
    return DigestPlan.model_validate(raw or {})


def workspace_evaluation(
    repo: service.WorkspaceReader, workspace_id: str, as_of: date
) -> Evaluation:
    """The saved workspace evaluated as of ``as_of`` over its own files."""
    opened = service.open_workspace(repo, workspace_id)
    loaded = service.load(opened.scorecard, opened.sources)
    return service.evaluate(opened.scorecard, loaded, as_of)


def messages_for(
    evaluation: Evaluation,
    recipients: Sequence[Recipient],
    sender: str,
    as_of: date,
) -> list[tuple[str, EmailMessage]]:
    """One message per recipient: (a file stem for ``.eml``, the message)."""
    out = []
    for n, recipient in enumerate(recipients, start=1):
        digest = build_digest(evaluation, recipient.lang, as_of, owner=recipient.owner)
        stem = f"{digest.pdf_name.removesuffix('.pdf')}_{n}_{recipient.lang}"
        out.append((stem, to_message(digest, sender, [recipient.email])))
    return out


@dataclass(frozen=True)
class Sent:
    """What a scheduler run delivered for one workspace."""

    workspace_id: str
    period: str
    messages: int


def run_due(store: DigestStore, today: date, sender: str, deliver: Deliver) -> list[Sent]:
    """Deliver every digest due ``today``; each period's digest once (see module doc)."""
    done: list[Sent] = []
    for workspace in store.list_workspaces():
        settings = store.get_settings(workspace.id)
        plan = plan_of(settings)
        period = due_period(plan, today)
        if period is None:
            continue
        evaluation = workspace_evaluation(store, workspace.id, today)
        messages = messages_for(evaluation, plan.recipients, sender, today)
        deliver(messages)
        sent = mark_sent(plan, period, today)
        store.update_settings(workspace.id, {DIGEST_SETTING: sent.model_dump(mode="json")})
        done.append(Sent(workspace.id, period, len(messages)))
    return done
