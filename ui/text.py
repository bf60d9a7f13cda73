"""The user's language and every text the UI shows: translation, Markdown escaping, messages.

User text (names, owners, notes, file and column names) is escaped before it reaches
Markdown (``tr`` escapes its parameters; ``plain_md``); errors are shown translated.
"""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType
from typing import Any

import streamlit as st

from kpilogic.errors import KoersError
from kpilogic.i18n import people_params, t
from ui.keys import LANG, NOTICE


def browser_locale() -> str | None:
    try:
        return st.context.locale
    except Exception:  # no browser behind AppTest
        return None


def lang() -> str:
    """The user's language: "nl" or "en"."""
    return str(st.session_state.get(LANG, "en"))


def tr(key: str, **params: Any) -> Md:
    """Translate ``key`` into the user's language, for Markdown (every message is Markdown to
    Streamlit: text, captions, alerts, toasts, labels, expanders).

    Every text parameter is escaped (``plain_md``): a name, file or column cannot turn into a
    link, an image or a heading. A parameter that is the app's own Markdown (already escaped
    where it holds user text) is passed as ``Md(...)``; ``tr_plain`` is for plain-text places
    (the options of a selectbox or multiselect, table cells, chart titles).
    """
    # ISO dates and period labels in the parameters read as people write them (people_params).
    shown = people_params(params, lang())
    return Md(t(key, lang(), **{name: _md_param(value) for name, value in shown.items()}))


def tr_plain(key: str, **params: Any) -> str:
    """Translate ``key`` with its parameters as they are, for places that show plain text
    (selectbox and multiselect options, table cells, chart titles): never for Markdown."""
    return t(key, lang(), **params)


def show_error(exc: KoersError) -> None:
    """A user-caused error, in the user's language (never a traceback)."""
    st.error(safe_message(exc), icon="⚠️")


class Md(str):
    """Text that is already Markdown made by the app (user text in it escaped): ``tr`` and
    ``plain_md`` pass it through unchanged."""

    __slots__ = ()


# What can make text active in Streamlit's Markdown: links and images ([ ]), autolinks and
# HTML (< >), bare URLs and e-mail addresses (: @ and "www."), Streamlit's :colour[...] and
# :emoji: / :material/...: codes (:), maths ($), code (`), emphasis and strike-through
# (* ~, and _ where it can open or close emphasis), headings (#), escapes themselves (\\).
# Line breaks become spaces, so no text can start a heading, list or quote of its own.
_MARKDOWN_SPECIALS = re.compile(
    r"([\\`*\[\]<>:~$@#|])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|(?i:\b(www)\.)"
)


_LINE_BREAKS = re.compile(r"[\r\n\v\f\u0085\u2028\u2029]+")


# Streamlit's Markdown (remark-gfm) links bare web and e-mail addresses after escapes are
# resolved, so a backslash cannot stop it: an invisible word joiner inside "://", "www." and
# before "@" does, and the text still reads (and is copied) as typed.
_JOINER = "\u2060"


def _escape(match: re.Match[str]) -> str:
    if match.group(2):  # www.
        return match.group(2) + _JOINER + "\\."
    char = match.group(0)
    if char == ":" and match.string.startswith("//", match.end()):
        return "\\:" + _JOINER
    if char == "@":
        return _JOINER + "\\@"
    return "\\" + char


def plain_md(text: str) -> Md:
    """User text made safe to show inside Markdown: shown as the characters typed, never as
    a link, image, heading, emphasis, maths or HTML. Already-safe ``Md`` is kept as it is."""
    if isinstance(text, Md):
        return text
    return Md(_MARKDOWN_SPECIALS.sub(_escape, _LINE_BREAKS.sub(" ", str(text))))


def _md_param(value: Any) -> Any:
    if isinstance(value, str):
        return plain_md(value)
    return value


def plain_lines(text: str) -> Md:
    """Plain text of several lines (joined by Markdown line breaks, ``"  \\n"``) for Markdown:
    each line escaped, the breaks kept."""
    return Md("  \n".join(plain_md(line) for line in text.split("  \n")))


def safe_message(item: Any) -> str:
    """The message of a ``KoersError`` or a note (layout decision, quality finding) in the
    user's language, for Markdown: its text parameters (file, sheet and column names, values
    from the file) escaped like ``tr``'s."""
    lang_ = lang()
    if isinstance(item, KoersError):
        clone = _escaped_error(item)
        cause = getattr(item, "cause", None)
        if isinstance(cause, KoersError):
            clone.cause = _escaped_error(cause)  # type: ignore[attr-defined]
        return clone.message(lang_)
    params = getattr(item, "params", None)
    if dataclasses.is_dataclass(item) and isinstance(params, dict | MappingProxyType):
        escaped = {k: _md_param_deep(v) for k, v in params.items()}
        replaced: Any = dataclasses.replace(item, params=escaped)  # type: ignore[type-var]
        return str(replaced.message(lang_))
    return plain_md(str(item.message(lang_)))


def _escaped_error(exc: KoersError) -> KoersError:
    # A shallow copy without calling __init__ (subclasses take other arguments).
    clone = type(exc).__new__(type(exc), *exc.args)
    clone.__dict__.update(exc.__dict__)
    clone.params = {k: _md_param_deep(v) for k, v in exc.params.items()}
    return clone


def _md_param_deep(value: Any) -> Any:
    if isinstance(value, str):
        return plain_md(value)
    if isinstance(value, list | tuple):
        return type(value)(_md_param_deep(v) for v in value)
    return value


def set_notice(message: str) -> None:
    """Leave a message for the next run."""
    st.session_state[NOTICE] = message
