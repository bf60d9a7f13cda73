"""Small schema building blocks shared by ``model`` and ``targets``.

They live here (and not in ``model``) so that ``targets`` can define the target kinds
without importing ``model``, which itself holds a KPI's target: no import circle.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Aggregation = Literal["sum", "mean", "median", "min", "max", "count", "count_distinct", "last"]
AGGREGATIONS: tuple[Aggregation, ...] = (
    "sum",
    "mean",
    "median",
    "min",
    "max",
    "count",
    "count_distinct",
    "last",
)
Cadence = Literal["week", "month", "quarter", "year"]
# What a column of a table holds (``sources.ingest`` detects it; a dataset may correct it).
ColumnKind = Literal["date", "number", "category", "text"]
ShortText = Annotated[str, Field(max_length=200)]


def _not_a_bool(value: Any) -> Any:
    # JSON's true/false would otherwise read as 1.0/0.0: a target is a number, never a flag.
    if isinstance(value, bool):
        raise ValueError("a target must be a number, not true or false")
    return value


# A target number: finite (NaN and infinity are refused), never a boolean.
TargetNumber = Annotated[float, BeforeValidator(_not_a_bool), Field(allow_inf_nan=False)]


class SchemaModel(BaseModel):
    """The base of every scorecard model: unknown fields refused, assignments validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True)
