"""The scorecard schema: what a user defines, saves, shares and opens again next month.

A ``Scorecard`` holds datasets (which file and sheet, which date column), goals (what the
organisation wants to achieve) and KPIs (how each goal is measured, against which target,
owned by whom). These are pydantic v2 models: they validate at the edge, round-trip through
JSON and carry a ``schema_version`` so older files can be migrated. Values *computed* from a
scorecard live elsewhere (``kpilogic.engine.evaluate``) as frozen dataclasses and DataFrames.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from kpilogic.errors import FormulaError, KoersError, ScorecardError
from kpilogic.scorecard.formula import formula_is_additive, parse_formula
from kpilogic.scorecard.schema_types import AGGREGATIONS as AGGREGATIONS  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.schema_types import Aggregation as Aggregation  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.schema_types import Cadence as Cadence  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.schema_types import ColumnKind
from kpilogic.scorecard.schema_types import SchemaModel as _Model
from kpilogic.scorecard.schema_types import ShortText as ShortText  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.schema_types import TargetNumber as TargetNumber  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.targets import AnyTarget as AnyTarget  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.targets import Target as Target  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.targets import TargetKind as TargetKind  # noqa: PLC0414 (re-export)
from kpilogic.scorecard.targets import on_kinds_changed

SCHEMA_VERSION = 1

Direction = Literal["higher", "lower", "range"]
Perspective = Literal["financial", "customer", "process", "people", "other"]
Unit = Literal["currency", "percent", "count", "number", "days"]
FilterOp = Literal["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le"]
ToleranceKind = Literal["percent", "absolute"]

CADENCES: tuple[Cadence, ...] = ("week", "month", "quarter", "year")
DIRECTIONS: tuple[Direction, ...] = ("higher", "lower", "range")
PERSPECTIVES: tuple[Perspective, ...] = ("financial", "customer", "process", "people", "other")
UNITS: tuple[Unit, ...] = ("currency", "percent", "count", "number", "days")

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
LongText = Annotated[str, Field(max_length=2000)]
Scalar = str | float | int | bool


Notation = Literal["nl", "en"]


class Unpivot(_Model):
    """How a wide table (periods as columns) becomes rows: the user's choice.

    ``period_columns`` become a ``Date`` and a ``Value`` per cell (``Datum`` and ``Waarde``
    when the dataset's ``column_language`` is ``nl``); ``id_columns`` are kept on every row
    (one without a header that names what each row measures becomes ``Metric``/``Maatstaf``);
    ``year`` completes period names without one (Jan, Feb…). No period columns means: keep
    the table as it is (do not unpivot).
    """

    id_columns: list[ShortText] = Field(default_factory=list, max_length=50)
    period_columns: list[ShortText] = Field(default_factory=list, max_length=400)
    year: int | None = Field(default=None, ge=1900, le=2100)


class ManualTable(_Model):
    """A dataset kept in Koers itself: typed in a table, one value per period (and segment)
    of ``cadence``; kept as the workspace's CSV file named by the dataset's ``source``."""

    value_columns: list[ShortText] = Field(min_length=1, max_length=10)
    segment_column: ShortText | None = None
    cadence: Cadence = "month"
    allow_future: bool = Field(
        default=False, description="Accept values for periods that have not begun (plans)."
    )


class Dataset(_Model):
    """A table of rows: one sheet of an uploaded file (or a csv), with its date column.

    The layout fields remember the user's corrections of how the sheet is read
    (``kpilogic.sources.layout``); left at their defaults, Koers decides (and says what it did).
    """

    id: Id
    name: ShortText
    source: ShortText = Field(description="File name the data comes from, e.g. 'sales.xlsx'.")
    sheet: ShortText | None = Field(default=None, description="Sheet name; None for csv.")
    date_column: ShortText = Field(min_length=1, description="Column holding each row's date.")
    header_row: int | None = Field(
        default=None, ge=1, description="Spreadsheet row (1-based) of the column names."
    )
    table: int | None = Field(
        default=None, ge=0, description="Which table of the sheet (0 = the first found)."
    )
    notation: Notation | None = Field(
        default=None, description="Number notation of text numbers: nl (1.234,56) or en."
    )
    unpivot: Unpivot | None = Field(
        default=None, description="Periods as columns turned into rows, as the user chose."
    )
    keep_totals: bool = Field(default=False, description="Keep totals rows in the data.")
    combine_tables: bool = Field(
        default=False,
        description="Read the chosen table and the tables below it in the same columns as one.",
    )
    column_language: Literal["en", "nl"] | None = Field(
        default=None,
        description=(
            "Language of the columns Koers makes when periods-as-columns become rows: "
            "Date, Value, Metric (en, the default) or Datum, Waarde, Maatstaf (nl)."
        ),
    )
    complete_through: date | None = Field(
        default=None,
        description=(
            "The data is complete through this date (YYYY-MM-DD): a period ending on or "
            "before it is complete even when its last days have no rows. Default: the "
            "evaluation date (--as-of), else the last date in the data."
        ),
    )

    manual: ManualTable | None = Field(
        default=None, description="Set when the rows are typed in Koers instead of uploaded."
    )
    column_kinds: dict[Annotated[str, Field(max_length=1000)], ColumnKind] = Field(
        default_factory=dict,
        max_length=2000,
        description=(
            "Column types the user corrected (column → date, number, category or text); "
            "the other columns keep the type Koers detects."
        ),
    )

    @model_serializer(mode="wrap")
    def _omit_layout_defaults(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Layout fields left to Koers are not written, so a scorecard without corrections
        # reads exactly as before (also in versions of Koers that do not know them).
        data = handler(self)
        if isinstance(data, dict):
            for name, default in _LAYOUT_DEFAULTS.items():
                if name in data and data[name] == default:
                    del data[name]
        return data


_LAYOUT_DEFAULTS: dict[str, Any] = {
    "header_row": None,
    "table": None,
    "notation": None,
    "unpivot": None,
    "keep_totals": False,
    "combine_tables": False,
    "column_language": None,
    "complete_through": None,
    "column_kinds": {},
    "manual": None,
}


class Goal(_Model):
    """What the organisation wants to achieve, e.g. 'Grow online revenue 15% in 2026'."""

    id: Id
    title: ShortText = Field(min_length=1)
    why: LongText = ""
    owner: ShortText = ""
    deadline: date | None = None
    perspective: Perspective = "financial"
    start: date | None = Field(
        default=None,
        description=(
            "The goal's start: progress is counted from here to the deadline. Default: "
            "1 January of the deadline's year, or the start of the fiscal year it falls in."
        ),
    )

    @model_validator(mode="after")
    def _start_before_deadline(self) -> Self:
        if self.start is not None and self.deadline is not None and self.start >= self.deadline:
            raise ValueError(
                f"the goal's start ({self.start}) must lie before its deadline ({self.deadline})"
            )
        return self

    @model_serializer(mode="wrap")
    def _omit_unset_start(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A goal without its own start is written as before (older Koers reads it unchanged).
        data = handler(self)
        if isinstance(data, dict) and data.get("start", 0) is None:
            del data["start"]
        return data


class Filter(_Model):
    """Keep only rows where ``column`` ``op`` ``value`` (e.g. Channel eq 'Web')."""

    column: ShortText = Field(min_length=1)
    op: FilterOp = "eq"
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _value_fits_op(self) -> Self:
        is_list = isinstance(self.value, list)
        if self.op in ("in", "not_in") and not is_list:
            raise ValueError(f"operator '{self.op}' needs a list of values")
        if self.op not in ("in", "not_in") and is_list:
            raise ValueError(f"operator '{self.op}' needs a single value, not a list")
        return self


class Measure(_Model):
    """How a KPI's value is computed from the rows of one period.

    Either an ``aggregation`` over a ``column`` (``count`` may omit the column: it counts
    rows), or a ``formula`` over aggregations such as ``sum(Profit) / sum(Sales) * 100``.
    """

    aggregation: Aggregation | None = None
    column: ShortText | None = None
    formula: Annotated[str, Field(max_length=500)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if self.formula:
            if self.aggregation or self.column:
                raise ValueError("give either a formula or an aggregation with a column, not both")
            return self
        if self.aggregation is None:
            raise ValueError("give an aggregation (such as sum) or a formula")
        if self.column is None and self.aggregation != "count":
            raise ValueError(f"aggregation '{self.aggregation}' needs a column")
        return self

    @property
    def additive(self) -> bool:
        """Whether the measure adds up over time (sum or count), so a partial period can be
        projected. Formulas are additive when they are sums/differences of sums and counts
        scaled by constants (``scorecard.formula.formula_is_additive``)."""
        if self.formula:
            return formula_is_additive(self.formula)
        return self.aggregation in ("sum", "count")

    def as_formula(self) -> str:
        """The measure as a formula string, e.g. ``sum([Order ID])``."""
        if self.formula:
            return self.formula
        if self.column is None:
            return "count()"
        return f"{self.aggregation}([{self.column}])"


class Tolerance(_Model):
    """How far from target still counts as 'at risk' rather than 'off track'.

    ``percent``: ``value`` percent of the target (10 means 10%); for a range KPI, percent of
    the bound the value crossed (low when below the range, high when above it), measured
    outward from that bound. ``absolute``: an amount in the KPI's unit, for every direction.
    """

    kind: ToleranceKind = "percent"
    value: float = Field(
        default=10.0,
        ge=0,
        description=(
            "How far a value may miss and still be 'at risk' rather than 'off track'. "
            "percent: a share of |target|; for a range KPI a share of |the crossed bound| "
            "(at risk within value% of low below low, within value% of high above high). "
            "absolute: an amount in the KPI's unit."
        ),
    )


_OWNER_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class KPI(_Model):
    """A measurable value that tells whether a goal is being reached."""

    id: Id
    goal_id: Id
    name: ShortText = Field(min_length=1)
    why: LongText = ""
    dataset_id: Id
    measure: Measure
    filters: list[Filter] = Field(default_factory=list, max_length=20)
    unit: Unit = "number"
    direction: Direction = "higher"
    target: AnyTarget | None = None
    tolerance: Tolerance = Field(default_factory=Tolerance)
    cadence: Cadence = "month"
    owner: ShortText = Field(
        default="",
        description=(
            "Who answers for the KPI: a name, or an e-mail address (kept trimmed and in lower "
            "case), which makes that person a contributor who enters the KPI's values."
        ),
    )
    action: LongText = Field(default="", description="What is done when the KPI is off course.")
    segment_column: ShortText | None = None

    @field_validator("owner")
    @classmethod
    def _owner_address_once(cls, value: str) -> str:
        # One person, one spelling: " Bram@Example.com " is bram@example.com everywhere.
        text = value.strip()
        return text.lower() if _OWNER_EMAIL.fullmatch(text) else value

    @model_validator(mode="after")
    def _range_has_bounds(self) -> Self:
        if self.direction == "range" and self.target is not None:
            problem = self.target.kpi_problem(self)
            if problem is not None:
                raise ValueError(problem)
        return self


class BrokenFormula(ValueError):
    """A KPI whose formula the parser cannot read (raised while validating a scorecard)."""

    def __init__(self, kpi: KPI, error: KoersError) -> None:
        self.kpi, self.error = kpi, error
        super().__init__(
            f"KPI '{kpi.name}' ({kpi.id}): the formula {kpi.measure.formula!r} cannot be read: "
            + error.english()
        )


class ScorecardFormulaError(ScorecardError):
    """An imported scorecard with a formula that cannot be read; names the KPI, and says
    what is wrong with the formula in the reader's language."""

    key = "error.scorecard.formula"

    def __init__(self, broken: BrokenFormula) -> None:
        self.cause = broken.error
        formula = broken.kpi.measure.formula or ""
        super().__init__(self.key, kpi=broken.kpi.name, kpi_id=broken.kpi.id, formula=formula)

    def english(self) -> str:
        return self.message("en")

    def message(self, lang: str) -> str:
        from kpilogic.i18n import t

        return t(self.key, lang, **self.params, problem=self.cause.message(lang))


class Scorecard(_Model):
    """A set of goals and the KPIs that measure them, over one or more datasets."""

    schema_version: int = SCHEMA_VERSION
    name: ShortText = Field(min_length=1)
    description: LongText = ""
    currency: ShortText = "€"
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    datasets: list[Dataset] = Field(default_factory=list, max_length=50)
    goals: list[Goal] = Field(default_factory=list, max_length=100)
    kpis: list[KPI] = Field(default_factory=list, max_length=500)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION or value < 1:
            raise ValueError(
                f"schema version {value} is not supported (this Koers reads 1 to {SCHEMA_VERSION})"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> Self:
        for kind, items in (("dataset", self.datasets), ("goal", self.goals), ("kpi", self.kpis)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"{kind} id '{item.id}' is used twice")
                seen.add(item.id)
        goal_ids = {g.id for g in self.goals}
        dataset_ids = {d.id for d in self.datasets}
        for kpi in self.kpis:
            if kpi.goal_id not in goal_ids:
                raise ValueError(f"KPI '{kpi.id}' refers to goal '{kpi.goal_id}', which is missing")
            if kpi.dataset_id not in dataset_ids:
                raise ValueError(
                    f"KPI '{kpi.id}' refers to dataset '{kpi.dataset_id}', which is missing"
                )
        return self

    @model_validator(mode="after")
    def _formulas_parse(self) -> Self:
        # Every formula is read by the whitelist parser now, not when a page first evaluates
        # it: a scorecard file with a broken formula is refused at the door, naming the KPI.
        for kpi in self.kpis:
            if not kpi.measure.formula:
                continue
            try:
                parse_formula(kpi.measure.formula)
            except FormulaError as exc:
                raise BrokenFormula(kpi, exc) from exc
        return self

    # -- lookups ---------------------------------------------------------------------------
    def goal(self, goal_id: str) -> Goal:
        """The goal with ``goal_id``. Raises: KeyError if there is none."""
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)

    def dataset(self, dataset_id: str) -> Dataset:
        """The dataset with ``dataset_id``. Raises: KeyError if there is none."""
        for d in self.datasets:
            if d.id == dataset_id:
                return d
        raise KeyError(dataset_id)

    def kpis_of(self, goal_id: str) -> list[KPI]:
        """The KPIs that measure ``goal_id``, in scorecard order."""
        return [k for k in self.kpis if k.goal_id == goal_id]

    # -- files -----------------------------------------------------------------------------
    def to_json(self) -> str:
        """The scorecard as indented JSON (what users download and upload again)."""
        return self.model_dump_json(indent=2, exclude_defaults=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Scorecard:
        """Parse and validate a scorecard file.

        Raises:
            ScorecardError: naming the field and the problem, for invalid JSON or content.
        """
        try:
            raw: Any = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScorecardError("error.scorecard.not_json", detail=str(exc)) from exc
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: Any) -> Scorecard:
        """Validate a decoded scorecard.

        Raises:
            ScorecardError: see ``from_json``; ``ScorecardFormulaError`` (key
                ``error.scorecard.formula``) when a KPI's formula cannot be read.
        """
        if not isinstance(raw, dict):
            raise ScorecardError("error.scorecard.not_object")
        raw = migrate(raw)
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                broken = (err.get("ctx") or {}).get("error")
                if isinstance(broken, BrokenFormula):
                    raise ScorecardFormulaError(broken) from exc
            raise ScorecardError(
                "error.scorecard.invalid", detail=describe_validation_error(exc)
            ) from exc


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring a decoded scorecard of an older ``schema_version`` up to the current one.

    Version 1 is the first; later versions add their steps here, oldest first.
    """
    return raw


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """Readable text for pydantic errors: ``kpis → 0 → direction: Input should be …``."""
    parts = []
    for err in exc.errors()[:limit]:
        loc = " → ".join(str(p) for p in err["loc"]) or "(top level)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"(+{more} more)")
    return "; ".join(parts)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scorecard file."""
    return Scorecard.model_json_schema()


def is_additive(measure: Measure) -> bool:
    """Whether a measure adds up over time (sum or count), so a partial period can be projected.

    Formulas are additive when they are sums/differences of sums and counts scaled by
    constants; ``kpilogic.engine.measures`` decides that from the parsed formula.
    """
    return measure.additive


def _rebuild_target_field(union: Any) -> None:
    # A target kind was (un)registered: the KPI's target field gets the new union, then the
    # models that hold it are rebuilt (pydantic keeps a complete model's fields, so the
    # annotation is replaced in place).
    KPI.__pydantic_fields__["target"].annotation = union | None
    KPI.model_rebuild(force=True)
    Scorecard.model_rebuild(force=True)


on_kinds_changed(_rebuild_target_field)
