"""Target kinds: one class per kind, each owning its behaviour.

A KPI's target says what the KPI should reach per period. Each kind is a pydantic model
(a subclass of ``Target``) with a ``kind`` literal, and knows, for its KPI:

- ``resolve``: the target of one period (and segment) while the data is evaluated;
- ``ahead``: the target of a period the data has not reached (goal progress, forecast);
- ``describe``: the target in words (en/nl), as the report and the KPI page show it;
- its validation (``_complete``): the fields the kind needs, with the same messages as before;
- ``form``: what the KPI form asks for this kind (its fields and the message when missing).

The schema holds them as a discriminated union on ``kind`` (``AnyTarget``); a target without
``kind`` is a ``constant`` one, as it always was. Every kind keeps the same JSON fields (a
table the kind does not read is kept and reported as unused), so scorecard files read and
write back unchanged.

``Target(...)`` still builds a target: it returns an instance of the kind's class.

Adding a kind: subclass ``Target`` with ``kind: Literal["new"] = "new"``, implement
``resolve`` (and ``ahead``, ``_describe_kind``, ``_complete``, ``form``) and call
``register_kind``; the evaluation, report, progress and forecast ask the class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, cast

from pydantic import ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from kpilogic.scorecard.schema_types import Aggregation, SchemaModel, ShortText, TargetNumber

if TYPE_CHECKING:
    from kpilogic.scorecard.model import KPI
    from kpilogic.scorecard.periods import Period

TargetKind = Literal["constant", "per_period", "column", "growth", "annual"]

# The actual of a period (None: no rows), as the caller knows it.
ActualOf = Callable[["Period"], float | None]


@dataclass(frozen=True)
class FormField:
    """A field the KPI form asks for a target kind: the draft key it fills, the message key
    of its label, and how it is entered (``number``, ``percent``, ``column``,
    ``aggregation``, ``period_table``, ``year_table`` or ``phasing``)."""

    key: str
    label: str
    widget: str
    attr: str  # the target's field it fills (``phasing`` fills ``profile``)


@dataclass(frozen=True)
class TargetForm:
    """What the KPI form needs for a kind: the message keys of its label and help text, its
    fields, and the message shown when the draft lacks what the kind needs (None: nothing
    is required)."""

    label: str
    help: str
    fields: tuple[FormField, ...]
    need: str | None


def target_labels(period: Period) -> tuple[str, ...]:
    """The keys a per-period or annual target may use for ``period``: its label, and for a
    fiscal year (or its quarters) also the calendar year it starts in (``2017`` and
    ``2017-Q1`` for ``FY2017/18`` and ``FY2017/18-Q1``)."""
    label = period.label
    if period.fiscal_start == 1 or period.cadence not in ("quarter", "year"):
        return (label,)
    year = str(period.fiscal_year().start.year)
    return (label, year + label[label.index("/") + 3 :])


def lookup(table: Mapping[str, float], period: Period) -> float | None:
    """The value ``table`` gives ``period`` (by any of its ``target_labels``), or None."""
    for label in target_labels(period):
        if label in table:
            return table[label]
    return None


def _require_kind(schema: dict[str, Any], cls: type) -> None:
    # In the JSON Schema a target without 'kind' is a constant one only: every other kind
    # requires it, so exactly one member of the union matches a target.
    # The fields the kind needs are required too.
    fields = getattr(cls, "model_fields", {})
    if "kind" in fields and fields["kind"].default != "constant":
        needs = getattr(cls, "needs", ())
        schema["required"] = [*schema.get("required", []), "kind", *needs]


class Target(SchemaModel):
    """Where a KPI's target per period comes from (the base of every kind).

    - ``constant``: ``value`` every period (for a range KPI: ``low`` and ``high``);
    - ``per_period``: ``per_period`` maps period labels ('2026-03') to values;
    - ``column``: a column of the data, aggregated per period with ``column_aggregation``;
    - ``growth``: ``growth_pct`` on the actual of the same period a year earlier;
    - ``annual``: ``annual`` maps years ('2026') to a yearly total, phased over the periods
      evenly or by a 12-month ``profile`` of weights.
    ``segments`` optionally gives a constant target per segment value.
    """

    kind: TargetKind = "constant"
    value: TargetNumber | None = None
    low: TargetNumber | None = None
    high: TargetNumber | None = None
    per_period: dict[str, TargetNumber] = Field(
        default_factory=dict,
        description=(
            "Target per period label: 2026-03, 2026-Q1, 2026-W09 or 2026 (FY2026/27 and "
            "FY2026/27-Q1 with a fiscal year; the calendar year the fiscal year starts in, "
            "2026 or 2026-Q1, is accepted too). A label that names no period of the KPI's "
            "cadence is an error."
        ),
    )
    column: ShortText | None = None
    column_aggregation: Aggregation = "sum"
    growth_pct: TargetNumber | None = None
    annual: dict[str, TargetNumber] = Field(
        default_factory=dict,
        description=(
            "Yearly total per year: 2026, or with a fiscal year FY2026/27 — or 2026, the "
            "calendar year the fiscal year starts in (2026 means FY2026/27)."
        ),
    )
    profile: list[TargetNumber] | None = None
    segments: dict[str, TargetNumber] = Field(
        default_factory=dict,
        description=(
            "A constant target per segment value. Without a 'value' of its own, the total's "
            "target is their sum — for sums and counts only, and only when every segment in "
            "the data has one; otherwise the total has no target and its reason says why."
        ),
    )

    model_config = ConfigDict(json_schema_extra=_require_kind)

    # The fields the kind needs (required in the JSON Schema; ``_complete`` checks them).
    needs: ClassVar[tuple[str, ...]] = ()
    # The period tables (``per_period``, ``annual``) this kind reads; any other is unused.
    tables: ClassVar[tuple[str, ...]] = ()
    form: ClassVar[TargetForm] = TargetForm("", "", (), None)
    # Whether the target is read from the data (a template fills it in from its columns).
    from_data: ClassVar[bool] = False

    def __new__(cls, *args: Any, **data: Any) -> Any:
        # ``Target(kind=...)`` builds the kind's class, so old call sites keep working.
        if cls is Target:
            kind_class = TARGET_KINDS.get(data.get("kind", "constant"))
            if kind_class is not None:
                return kind_class(*args, **data)
        return super().__new__(cls)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        # ``Target.model_validate({...})`` builds the kind's class too.
        if cls is Target and isinstance(obj, dict):
            kind_class = TARGET_KINDS.get(obj.get("kind", "constant"))
            if kind_class is not None:
                return cast(Self, kind_class.model_validate(obj, *args, **kwargs))
        return super().model_validate(obj, *args, **kwargs)

    @field_validator("per_period", "annual")
    @classmethod
    def _labels(cls, value: dict[str, float]) -> dict[str, float]:
        pattern = re.compile(r"^(FY)?\d{4}(/\d{2})?(-(Q[1-4]|\d{2}|W\d{2}))?$")
        bad = [label for label in value if not pattern.match(label)]
        if bad:
            raise ValueError(
                f"period labels must look like 2026, 2026-Q1, 2026-03 or 2026-W09; got {bad[:3]}"
            )
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return None
        if len(value) != 12 or any(w < 0 for w in value) or sum(value) <= 0:
            raise ValueError("a phasing profile has 12 non-negative monthly weights, not all 0")
        return value

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        self._complete()
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self

    # -- behaviour each kind gives ----------------------------------------------------------

    def _complete(self) -> None:
        """Raise ValueError when the kind's own fields are missing."""

    def kpi_problem(self, kpi: KPI) -> str | None:
        """What is wrong with this target on ``kpi`` (None: nothing)."""
        return None

    def data_column(self) -> str | None:
        """The data column the target reads (aggregated per period), or None."""
        return None

    def static_value(self, kpi: KPI, period: Period, segment: str) -> float | None:
        """The target of ``period`` when it does not depend on the data, else None."""
        return None

    def resolve(
        self,
        kpi: KPI,
        period: Period,
        segment: str,
        actual_of: ActualOf,
        column_targets: Mapping[tuple[int, str], float],
    ) -> float | None:
        """The target of ``period`` for ``segment`` ('' = the total) while evaluating:
        ``actual_of`` gives the series' actual of a period, ``column_targets`` the
        aggregated target column per (period key, segment)."""
        return self.static_value(kpi, period, segment)

    def ahead(
        self, kpi: KPI, period: Period, actual_of: ActualOf, latest: float | None
    ) -> float | None:
        """The total's target of a period the data may not have reached (progress to a
        deadline, the forecast): ``latest`` is the last target the data gave, if any."""
        return self.static_value(kpi, period, "")

    def sums_segments(self, kpi: KPI) -> bool:
        """Whether the total's target is the sum of the segments' targets."""
        return False

    def describe(self, kpi: KPI, lang: str, currency: str = "€") -> str:
        """The target in words, e.g. '€ 1.500 per period' or '+10% on the same period …'."""
        from kpilogic.i18n import t

        if kpi.direction == "range" and self.low is not None and self.high is not None:
            val = _valuer(kpi, lang, currency)
            text = t("report.target.range", lang, low=val(self.low), high=val(self.high))
        else:
            text = self._describe_kind(kpi, lang, currency)
        if self.segments:
            listing = _lister(kpi, lang, currency)
            segments = t("report.target.segments", lang, values=listing(self.segments))
            text = f"{text}; {segments}" if text else segments
        return text

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        return ""

    def summary(self, kpi: KPI, lang: str, currency: str) -> tuple[str, dict[str, Any]]:
        """The KPI list's one-line summary: a message key and its params."""
        return f"kpis.summary.{self.kind}", {}

    @classmethod
    def suggest(cls, typical: float | None, column: str | None) -> Target | None:
        """A target to start from, given a template's typical number and the column of its
        target role (None: the user sets the target)."""
        return None

    # -- the KPI form ------------------------------------------------------------------------

    def form_values(self) -> dict[str, Any]:
        """The values the form shows for this target, by form field key."""
        return {fld.key: getattr(self, fld.attr) for fld in self.form.fields}

    @classmethod
    def form_missing(cls, values: Mapping[str, Any]) -> bool:
        """Whether the form ``values`` lack what the kind needs (its first field)."""
        if cls.form.need is None or not cls.form.fields:
            return False
        value = values.get(cls.form.fields[0].key)
        return value is None or value in ("", {})

    @classmethod
    def from_form(
        cls, values: Mapping[str, Any], segments: Mapping[str, float]
    ) -> dict[str, Any] | None:
        """The target the form ``values`` describe, as a dict to validate (None: no target)."""
        kind = cls.model_fields["kind"].default
        fields = {fld.attr: values.get(fld.key) for fld in cls.form.fields}
        return {"kind": kind, **fields, "segments": dict(segments)}


def _valuer(kpi: KPI, lang: str, currency: str) -> Callable[[float], str]:
    from kpilogic.scorecard.explain import compact_value

    def val(v: float) -> str:
        return compact_value(v, kpi.unit, lang, currency)

    return val


def _lister(kpi: KPI, lang: str, currency: str) -> Callable[[Mapping[str, float]], str]:
    from kpilogic.i18n import format_period

    val = _valuer(kpi, lang, currency)

    def listing(values: Mapping[str, float], limit: int = 6) -> str:
        items = [f"{format_period(k, lang)}: {val(v)}" for k, v in values.items()]
        more = len(items) - limit
        return "; ".join(items[:limit]) + (f"; … (+{more})" if more > 0 else "")

    return listing


class ConstantTarget(Target):
    """The same ``value`` every period (a range KPI: ``low`` and ``high``); with ``segments``
    and no ``value``, the total's target is the segments' sum (additive measures only)."""

    kind: Literal["constant"] = "constant"
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.constant",
        "kpis.target_help.constant",
        (FormField("target_value", "kpis.field.target_value", "number", "value"),),
        None,
    )

    def _complete(self) -> None:
        has_bounds = self.low is not None and self.high is not None
        if self.value is None and not has_bounds and not self.segments:
            raise ValueError("a constant target needs a value (or low and high)")

    def kpi_problem(self, kpi: KPI) -> str | None:
        if kpi.direction == "range" and (self.low is None or self.high is None):
            return "a range KPI needs a target with low and high"
        return None

    @classmethod
    def suggest(cls, typical: float | None, column: str | None) -> Target | None:
        return None if typical is None else cls(value=typical)

    def sums_segments(self, kpi: KPI) -> bool:
        return self.value is None and bool(self.segments) and kpi.direction != "range"

    def static_value(self, kpi: KPI, period: Period, segment: str) -> float | None:
        if segment:
            return self.segments.get(segment)
        if self.value is None and self.segments and kpi.direction != "range":
            return sum(self.segments.values()) if kpi.measure.additive else None
        return self.value

    @classmethod
    def from_form(
        cls, values: Mapping[str, Any], segments: Mapping[str, float]
    ) -> dict[str, Any] | None:
        if values.get("target_value") is None and not segments:
            return None
        return super().from_form(values, segments)

    def summary(self, kpi: KPI, lang: str, currency: str) -> tuple[str, dict[str, Any]]:
        from kpilogic.i18n import format_value, t

        value = format_value(self.value, kpi.unit, lang, currency)
        return "kpis.summary.constant", {"value": value, "per": t(f"kpis.per.{kpi.cadence}", lang)}

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        from kpilogic.i18n import t

        if not self.value:
            return ""
        return t("report.target.constant", lang, value=_valuer(kpi, lang, currency)(self.value))


class PerPeriodTarget(Target):
    """A value per period label (``per_period``); a period without one has no target."""

    kind: Literal["per_period"] = "per_period"
    needs: ClassVar[tuple[str, ...]] = ("per_period",)
    tables: ClassVar[tuple[str, ...]] = ("per_period",)
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.per_period",
        "kpis.target_help.per_period",
        (FormField("per_period", "kpis.table.target", "period_table", "per_period"),),
        "kpis.need.per_period",
    )

    def _complete(self) -> None:
        if not self.per_period:
            raise ValueError("a 'per_period' target needs 'per_period'")

    def static_value(self, kpi: KPI, period: Period, segment: str) -> float | None:
        if segment:
            return self.segments.get(segment)
        return lookup(self.per_period, period)

    def summary(self, kpi: KPI, lang: str, currency: str) -> tuple[str, dict[str, Any]]:
        return "kpis.summary.per_period", {"n": len(self.per_period)}

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        from kpilogic.i18n import t

        listing = _lister(kpi, lang, currency)
        return t("report.target.per_period", lang, values=listing(self.per_period))


class AnnualTarget(Target):
    """A yearly total per (fiscal) year, phased over the periods evenly or by ``profile``."""

    kind: Literal["annual"] = "annual"
    needs: ClassVar[tuple[str, ...]] = ("annual",)
    tables: ClassVar[tuple[str, ...]] = ("annual",)
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.annual",
        "kpis.target_help.annual",
        (
            FormField("annual", "kpis.table.annual", "year_table", "annual"),
            FormField("phasing", "kpis.field.phasing", "phasing", "profile"),
        ),
        "kpis.need.annual",
    )

    def _complete(self) -> None:
        if not self.annual:
            raise ValueError("a 'annual' target needs 'annual'")

    def static_value(self, kpi: KPI, period: Period, segment: str) -> float | None:
        if segment:
            return self.segments.get(segment)
        total = lookup(self.annual, period.fiscal_year())
        if total is None:
            return None
        if period.cadence == "year":
            return total
        if period.cadence == "week":
            # Weeks straddle months; phase them by their days in the (fiscal/ISO) year.
            weeks = period.periods_in_year()
            return total * period.days / sum(w.days for w in weeks)
        weights = self.profile or [1.0] * 12
        return total * sum(weights[m] for m in period.months()) / sum(weights)

    def summary(self, kpi: KPI, lang: str, currency: str) -> tuple[str, dict[str, Any]]:
        from kpilogic.i18n import format_value

        years = ", ".join(
            f"{y}: {format_value(v, kpi.unit, lang, currency)}"
            for y, v in sorted(self.annual.items())
        )
        return "kpis.summary.annual", {"years": years}

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        from kpilogic.i18n import t

        key = "report.target.annual_profile" if self.profile else "report.target.annual_even"
        return t(key, lang, values=_lister(kpi, lang, currency)(self.annual))


class ColumnTarget(Target):
    """A column of the data, aggregated per period (and segment) like the measure."""

    kind: Literal["column"] = "column"
    needs: ClassVar[tuple[str, ...]] = ("column",)
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.column",
        "kpis.target_help.column",
        (
            FormField("target_column", "kpis.field.target_column", "column", "column"),
            FormField(
                "target_column_aggregation",
                "kpis.field.target_column_agg",
                "aggregation",
                "column_aggregation",
            ),
        ),
        "kpis.need.target_column",
    )

    def _complete(self) -> None:
        if not self.column:
            raise ValueError("a 'column' target needs 'column'")

    from_data: ClassVar[bool] = True

    @classmethod
    def suggest(cls, typical: float | None, column: str | None) -> Target | None:
        return cls(column=column) if column else None

    def data_column(self) -> str | None:
        return self.column or None

    def resolve(
        self,
        kpi: KPI,
        period: Period,
        segment: str,
        actual_of: ActualOf,
        column_targets: Mapping[tuple[int, str], float],
    ) -> float | None:
        return column_targets.get((period.key, segment))

    def ahead(
        self, kpi: KPI, period: Period, actual_of: ActualOf, latest: float | None
    ) -> float | None:
        # A target column is unknown ahead of the data: the latest one, if the caller keeps it.
        return latest

    def summary(self, kpi: KPI, lang: str, currency: str) -> tuple[str, dict[str, Any]]:
        return "kpis.summary.column", {"column": self.column}

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        from kpilogic.i18n import t

        return t(
            "report.target.column", lang, column=self.column, aggregation=self.column_aggregation
        )


class GrowthTarget(Target):
    """``growth_pct`` percent on the actual of the same period a year earlier."""

    kind: Literal["growth"] = "growth"
    needs: ClassVar[tuple[str, ...]] = ("growth_pct",)
    form: ClassVar[TargetForm] = TargetForm(
        "kpis.target_kind.growth",
        "kpis.target_help.growth",
        (FormField("growth_pct", "kpis.field.growth", "percent", "growth_pct"),),
        "kpis.need.growth",
    )

    def _complete(self) -> None:
        if self.growth_pct is None:
            raise ValueError("a 'growth' target needs 'growth_pct'")

    @classmethod
    def suggest(cls, typical: float | None, column: str | None) -> Target | None:
        return None if typical is None else cls(growth_pct=typical)

    def _grown(self, period: Period, actual_of: ActualOf) -> float | None:
        base = actual_of(period.same_period_last_year())
        if base is None or self.growth_pct is None:
            return None
        return base * (1 + self.growth_pct / 100)

    def resolve(
        self,
        kpi: KPI,
        period: Period,
        segment: str,
        actual_of: ActualOf,
        column_targets: Mapping[tuple[int, str], float],
    ) -> float | None:
        return self._grown(period, actual_of)

    def ahead(
        self, kpi: KPI, period: Period, actual_of: ActualOf, latest: float | None
    ) -> float | None:
        return self._grown(period, actual_of)

    def summary(self, kpi: KPI, lang: str, currency: str) -> tuple[str, dict[str, Any]]:
        from kpilogic.i18n import format_number

        return "kpis.summary.growth", {"pct": format_number(self.growth_pct, lang, 1)}

    def _describe_kind(self, kpi: KPI, lang: str, currency: str) -> str:
        from kpilogic.i18n import format_number, t

        growth = self.growth_pct or 0.0
        decimals = 0 if float(growth).is_integer() else 1
        sign = "+" if growth >= 0 else ""
        return t(
            "report.target.growth", lang, growth=f"{sign}{format_number(growth, lang, decimals)}%"
        )


# kind -> class; ``register_kind`` adds one.
TARGET_KINDS: dict[str, type[Target]] = {
    cls.model_fields["kind"].default: cls
    for cls in (ConstantTarget, PerPeriodTarget, ColumnTarget, GrowthTarget, AnnualTarget)
}


def _kind_of(value: Any) -> str | None:
    # A target written without 'kind' is a constant one, as it has always been.
    if isinstance(value, dict):
        kind = value.get("kind", "constant")
        return kind if isinstance(kind, str) else None
    kind = getattr(value, "kind", None)
    return kind if isinstance(kind, str) else None


def _union() -> Any:
    members = tuple(Annotated[cls, Tag(kind)] for kind, cls in TARGET_KINDS.items())
    expected = ", ".join(f"'{k}'" for k in TARGET_KINDS)
    return Annotated[
        members[0] if len(members) == 1 else __import__("typing").Union[members],
        Discriminator(
            _kind_of,
            custom_error_type="target_kind",
            custom_error_message=f"'kind' should be one of {expected}",
        ),
    ]


# The schema's target: a discriminated union of the kinds, on ``kind`` (``model.KPI.target``;
# ``register_kind`` rebuilds it there).
if TYPE_CHECKING:
    AnyTarget = Target
else:
    AnyTarget = _union()


# What rebuilds the models that hold a target when the kinds change: ``model`` registers its
# own on import (so this module never imports ``model``: no circle).
_ON_KINDS_CHANGED: list[Callable[[Any], None]] = []


def on_kinds_changed(rebuild: Callable[[Any], None]) -> None:
    """Call ``rebuild(union)`` with the new target union whenever a kind is (un)registered."""
    _ON_KINDS_CHANGED.append(rebuild)


def register_kind(cls: type[Target]) -> None:
    """Add (or replace) a target kind, and rebuild the models that hold a target."""
    TARGET_KINDS[cls.model_fields["kind"].default] = cls
    _rebuild()


def unregister_kind(kind: str) -> None:
    """Remove a kind added by ``register_kind`` (tests clean up with it)."""
    TARGET_KINDS.pop(kind, None)
    _rebuild()


def _rebuild() -> None:
    union = _union()
    for rebuild in _ON_KINDS_CHANGED:
        rebuild(union)
