"""Check-ins: the review log of a KPI — per period, what was seen, what was done, by whom.

A check-in closes the measure → analyse → adjust loop: for a KPI and a period it records a
note, the action taken or planned, who did it and when the KPI is looked at again. Check-ins
are what a user defines, so they are pydantic models validated at the edge; ``workspace.store``
keeps them with the workspace.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The same period labels as the rest of Koers: 2026, FY2026/27, 2026-Q1, 2026-03, 2026-W09.
PERIOD_PATTERN = r"^(FY)?\d{4}(/\d{2})?(-(Q[1-4]|\d{2}|W\d{2}))?$"


def _now() -> datetime:
    return datetime.now(UTC)


class CheckIn(BaseModel):
    """One review of a KPI for one period.

    ``created_at`` is kept in UTC; a naive datetime is taken as local time and converted.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    kpi_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    period: Annotated[str, Field(pattern=PERIOD_PATTERN, description="e.g. '2026-03'.")]
    note: Annotated[str, Field(max_length=2000, description="What the numbers show.")] = ""
    action: Annotated[str, Field(max_length=2000, description="What was done or is planned.")] = ""
    who: Annotated[str, Field(max_length=200)] = ""
    next_review: date | None = None
    created_at: datetime = Field(default_factory=_now)

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)
