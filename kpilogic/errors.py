"""Errors a user can cause.

Every error that reaches a user is a ``KoersError`` carrying a message *key* and its
parameters. The text is looked up in the message catalogue (``kpilogic.i18n``) at the edge
(a Streamlit page or the command line), so the same error reads well in Dutch and English.
"""

from __future__ import annotations

from typing import Any


class KoersError(Exception):
    """Base of all errors a user can cause; ``key`` names the catalogue message."""

    key: str = "error.generic"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or type(self).key
        self.params: dict[str, Any] = params
        super().__init__(self.english())

    def english(self) -> str:
        """The English message, for logs and the command line's default language."""
        from kpilogic.i18n import t

        return t(self.key, "en", **self.params)

    def message(self, lang: str) -> str:
        """The message in ``lang`` ("nl" or "en")."""
        from kpilogic.i18n import t

        return t(self.key, lang, **self.params)


class ReadError(KoersError):
    """A data file that cannot be read."""

    key = "error.read.unreadable"


class ScorecardError(KoersError):
    """A scorecard file that is not valid."""

    key = "error.scorecard.invalid"


class FormulaError(KoersError):
    """A measure formula that cannot be parsed or refers to something unknown."""

    key = "error.formula.syntax"


class DataError(KoersError):
    """Data that does not fit the scorecard (a missing column, a date column without dates)."""

    key = "error.data.column_missing"


class ParseError(KoersError):
    """A value (a number or a date written as text) that cannot be read."""

    key = "error.parse.number"


class LayoutError(KoersError):
    """A sheet layout that cannot be turned into a table as asked (a wrong range, say)."""

    key = "error.layout.no_table"


class StoreError(KoersError):
    """The workspace database cannot do what was asked (damaged, busy, full, missing item)."""

    key = "error.store.unavailable"


class EntryError(StoreError):
    """A value typed into a table kept in Koers that cannot be kept as asked; its period is
    said as people write it ("mei 2026", not "2026-05")."""

    def message(self, lang: str) -> str:
        from kpilogic.i18n import people_params, t

        return t(self.key, lang, **people_params(self.params, lang))
