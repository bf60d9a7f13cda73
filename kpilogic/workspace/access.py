"""Who may do what with a workspace: users, roles and the errors of access control.

A user is identified by their e-mail address, lower-cased (``normalise_email``). In local
mode (no ``[auth]`` section in ``.streamlit/secrets.toml``) there is one user,
``LOCAL_USER``, who may do everything with every workspace.

Roles per workspace are ordered: ``viewer`` (sees, downloads) < ``contributor`` (enters
values and check-ins for their own KPIs) < ``editor`` (changes goals, KPIs and data) <
``owner`` (shares, deletes, restores, sees the audit log). The store checks the role on
every call (``kpilogic.workspace.store.UserStore``); the pages only hide what cannot be done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from kpilogic.errors import KoersError

Role = Literal["viewer", "contributor", "editor", "owner"]
ROLES: tuple[Role, ...] = ("viewer", "contributor", "editor", "owner")
LOCAL_USER = "local"

_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}
# Deliberately loose: one '@', something on both sides, a dot in the domain, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EMAIL_MAX = 254


class AccessDenied(KoersError):
    """The user may not do this with the workspace; the same message whether the workspace
    does not exist or the user has no access to it (so ids cannot be probed)."""

    key = "error.access.denied"


class ConflictError(KoersError):
    """A save based on a version of the scorecard that is no longer the latest."""

    key = "error.store.conflict"


def role_at_least(role: str | None, needed: str) -> bool:
    """True if ``role`` is ``needed`` or a higher role (None, or an unknown role: False)."""
    if role is None or role not in _RANK:
        return False
    return _RANK[role] >= _RANK[needed]


def is_role(value: str) -> bool:
    """True if ``value`` is one of ``ROLES``."""
    return value in _RANK


def as_role(value: str) -> Role:
    """``value`` as a ``Role``.

    Raises:
        KoersError: ``error.access.role_invalid`` for anything else.
    """
    if value not in _RANK:
        raise KoersError("error.access.role_invalid", role=value, roles=", ".join(ROLES))
    return cast(Role, value)


def normalise_email(email: str) -> str:
    """The address trimmed and lower-cased; ``LOCAL_USER`` stays as it is.

    Raises:
        KoersError: ``error.access.email_invalid`` if it does not look like an address.
    """
    text = email.strip().lower()
    if text == LOCAL_USER:
        return text
    if len(text) > EMAIL_MAX or not _EMAIL.fullmatch(text):
        raise KoersError("error.access.email_invalid", email=email.strip()[:EMAIL_MAX])
    return text


def looks_like_email(text: str) -> bool:
    """True if ``text`` (a KPI's owner, say) is an e-mail address."""
    text = text.strip().lower()
    return len(text) <= EMAIL_MAX and _EMAIL.fullmatch(text) is not None


@dataclass(frozen=True)
class Member:
    """Someone with a role in a workspace."""

    email: str
    role: Role


@dataclass(frozen=True)
class AuditEntry:
    """One change to a workspace: when, by whom, what (``action``) and its ``detail``."""

    at: datetime
    user: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
