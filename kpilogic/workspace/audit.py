"""The audit log in words: one line per change (``AuditEntry``) in the user's language.

The store keeps each change as an action name and its details (``workspace.store``); this turns
them into a sentence for the Start page's audit log. An action this version does not know (a
newer Koers wrote it) is shown by its name with its details, never left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kpilogic.i18n import format_number, format_period, t
from kpilogic.workspace.access import AuditEntry

# Actions and the detail fields their sentence uses (missing ones become "–").
_ACTIONS: dict[str, tuple[str, ...]] = {
    "workspace.create": ("name",),
    "workspace.rename": ("old", "new"),
    "workspace.duplicate": ("name",),
    "workspace.delete": (),
    "workspace.restore": (),
    "member.share": ("email", "role"),
    "member.unshare": ("email",),
    "scorecard.save": ("version",),
    "scorecard.restore": ("version", "source"),
    "settings.save": ("keys",),
    "file.save": ("name",),
    "file.delete": ("name",),
    "manual.entry": ("dataset", "column", "period", "segment", "before", "after"),
    "checkin.add": ("kpi", "period"),
    "checkin.delete": ("kpi",),
}


def role_label(role: str, lang: str) -> str:
    """A role's name in ``lang`` (an unknown role: as it is)."""
    key = f"access_ui.role.{role}"
    text = t(key, lang)
    return role if text == key else text


def _setting(name: str, lang: str) -> str:
    """A workspace setting's name in ``lang`` (an unknown one: as it is)."""
    key = f"access_ui.setting.{name}"
    text = t(key, lang)
    return name if text == key else text


def _same(text: str) -> str:
    return text


def describe(entry: AuditEntry, lang: str, quote: Callable[[str], str] = _same) -> str:
    """What ``entry`` changed, as one sentence in ``lang``.

    ``quote`` is applied to every value taken from the entry (names, addresses, notes), e.g.
    to show them as literal text inside Markdown; by default the sentence is plain text.
    """
    if entry.action == "manual.entry":
        return _manual_entry(entry, lang, quote)
    fields = _ACTIONS.get(entry.action)
    if fields is None:
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        return t("access_ui.audit.unknown", lang, action=quote(entry.action), detail=quote(detail))
    params: dict[str, str] = {}
    for name in fields:
        value = entry.detail.get(name)
        if value is None:
            params[name] = "–"
        elif name == "role":
            params[name] = role_label(str(value), lang)
        elif name == "keys" and isinstance(value, list):
            params[name] = ", ".join(_setting(str(v), lang) for v in value) or "–"
        elif isinstance(value, list):
            params[name] = quote(", ".join(str(v) for v in value)) if value else "–"
        else:
            params[name] = quote(str(value))
    return t(f"access_ui.audit.{entry.action}", lang, **params)


def _manual_entry(entry: AuditEntry, lang: str, quote: Callable[[str], str]) -> str:
    """ "Ingevoerd in Enquête: NPS mei 2026 (Noord): – → 44,5"."""

    def number(value: Any) -> str:
        if value is None:
            return "–"
        figure = float(value)
        decimals = 0 if figure.is_integer() else len(repr(figure).split(".")[1])
        return format_number(figure, lang, decimals=min(decimals, 6))

    segment = str(entry.detail.get("segment") or "")
    where = format_period(str(entry.detail.get("period", "")), lang)
    return t(
        "access_ui.audit.manual.entry",
        lang,
        dataset=quote(str(entry.detail.get("dataset", "–"))),
        column=quote(str(entry.detail.get("column", "–"))),
        period=where + (f" ({quote(segment)})" if segment else ""),
        before=number(entry.detail.get("before")),
        after=number(entry.detail.get("after")),
    )
