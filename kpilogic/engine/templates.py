"""The KPI library for small organisations: common KPIs as templates with named roles.

A template is a KPI without data: a formula *pattern* such as
``(sum({revenue}) - sum({cost})) / sum({revenue}) * 100`` whose ``{roles}`` stand for columns
the user still has to choose, plus the unit, direction, cadence, tolerance and kind of target
that usually fit. Picking a template asks only for the columns that fill its roles
(``roles``), guessed from the column names in Dutch and English (``suggest_columns``);
``instantiate`` then writes an ordinary ``model.KPI``. Names, descriptions and role labels
live in the message catalogue (``locales/templates.json``), never in this module.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd
from pydantic import ValidationError

from kpilogic.engine.measures import aggregate_per_period
from kpilogic.errors import KoersError, ScorecardError
from kpilogic.i18n import t
from kpilogic.scorecard.formula import Call, formula_columns, parse_formula
from kpilogic.scorecard.model import (
    KPI,
    Cadence,
    Direction,
    Measure,
    Perspective,
    Target,
    TargetKind,
    Tolerance,
    ToleranceKind,
    Unit,
    describe_validation_error,
)
from kpilogic.scorecard.periods import Period, period_keys
from kpilogic.scorecard.targets import TARGET_KINDS

TemplateCategory = Literal["marketing", "sales", "finance", "customer", "operations", "people"]
CATEGORIES: tuple[TemplateCategory, ...] = (
    "marketing",
    "sales",
    "finance",
    "customer",
    "operations",
    "people",
)
# Where a template's KPI usually sits on a balanced scorecard (a default for a new goal).
PERSPECTIVE_OF: Mapping[TemplateCategory, Perspective] = {
    "marketing": "customer",
    "sales": "financial",
    "finance": "financial",
    "customer": "customer",
    "operations": "process",
    "people": "people",
}

RoleKind = Literal["number", "category", "date", "any"]
# The column kinds (``parsing.profile_columns``) each role kind accepts. Ids are often
# profiled as text (many distinct values) or even as numbers, so "any" takes all of them.
ACCEPTS: Mapping[RoleKind, frozenset[str]] = {
    "number": frozenset({"number"}),
    "category": frozenset({"category", "text"}),
    "date": frozenset({"date"}),
    "any": frozenset({"number", "category", "text", "date"}),
}


class TemplateError(KoersError):
    """A template that cannot be used as asked (unknown id, a role without a column)."""

    key = "error.template.role_missing"


@dataclass(frozen=True)
class Role:
    """A column a template needs: its ``name`` in the pattern and the kind of column it takes.

    ``synonyms`` are lower-case column names (nl and en) that usually hold it, best first.
    """

    name: str
    kind: RoleKind
    synonyms: tuple[str, ...] = ()

    @property
    def label_key(self) -> str:
        """Catalogue key of the role's label, e.g. ``templates.role.revenue``."""
        return f"templates.role.{self.name}"

    def label(self, lang: str = "en") -> str:
        """The role's label in ``lang``."""
        return t(self.label_key, lang)


def _role(name: str, kind: RoleKind, *synonyms: str) -> Role:
    return Role(name, kind, synonyms)


ROLES: Mapping[str, Role] = {
    r.name: r
    for r in (
        _role(
            "revenue",
            "number",
            "revenue",
            "omzet",
            "net sales",
            "netto omzet",
            "sales",
            "turnover",
            "opbrengst",
            "verkoopbedrag",
            "amount",
            "bedrag",
        ),
        _role(
            "cost",
            "number",
            "cost",
            "kosten",
            "cost of sales",
            "cogs",
            "kostprijs",
            "inkoopwaarde",
            "inkoopprijs",
            "inkoop",
            "purchase cost",
        ),
        _role(
            "orders",
            "any",
            "order id",
            "ordernummer",
            "order nr",
            "order number",
            "bestelnummer",
            "order",
            "orders",
            "bestelling",
            "bestellingen",
            "invoice",
            "factuurnummer",
            "transaction id",
        ),
        _role(
            "customers",
            "any",
            "customer id",
            "klantnummer",
            "klant id",
            "customer",
            "klant",
            "client",
            "relatie",
            "debiteurnummer",
        ),
        _role(
            "new_customers",
            "any",
            "new customer id",
            "new customer",
            "nieuwe klant",
            "new customers",
            "nieuwe klanten",
        ),
        _role(
            "visits",
            "number",
            "visits",
            "bezoekers",
            "visitors",
            "bezoeken",
            "sessions",
            "sessies",
            "traffic",
            "verkeer",
        ),
        _role(
            "leads",
            "number",
            "leads",
            "aanvragen",
            "offerteaanvragen",
            "inquiries",
            "prospects",
            "lead",
        ),
        _role(
            "spend",
            "number",
            "ad spend",
            "advertentiekosten",
            "marketing spend",
            "marketingkosten",
            "advertising spend",
            "advertising cost",
            "ad cost",
            "spend",
            "uitgaven",
        ),
        _role(
            "budget",
            "number",
            "budget",
            "begroting",
            "begroot",
            "budgeted",
            "plan",
        ),
        _role(
            "subscribers",
            "number",
            "subscribers",
            "abonnees",
            "newsletter subscribers",
            "nieuwsbriefabonnees",
            "followers",
            "volgers",
            "members",
            "leden",
        ),
        _role(
            "won",
            "number",
            "won",
            "gewonnen",
            "closed won",
            "deal won",
            "signed",
            "getekend",
            "akkoord",
        ),
        _role("discount", "number", "discount", "korting", "kortingen", "rebate"),
        _role(
            "expenses",
            "number",
            "expenses",
            "uitgaven",
            "operating costs",
            "bedrijfskosten",
            "opex",
            "costs",
            "kosten",
        ),
        _role(
            "balance",
            "number",
            "cash",
            "balance",
            "saldo",
            "bank balance",
            "banksaldo",
            "cash position",
            "liquide middelen",
            "kassaldo",
        ),
        _role(
            "receivables",
            "number",
            "receivables",
            "debiteuren",
            "accounts receivable",
            "openstaande facturen",
            "openstaand",
            "outstanding",
            "debtors",
        ),
        _role(
            "overdue",
            "number",
            "overdue",
            "vervallen",
            "achterstallig",
            "past due",
            "overdue amount",
            "vervallen facturen",
        ),
        _role(
            "headcount",
            "number",
            "headcount",
            "fte",
            "employees",
            "medewerkers",
            "aantal medewerkers",
            "personeelsbestand",
            "bezetting",
        ),
        _role("promoter", "number", "promoter", "promotor", "promoters", "promotors"),
        _role("detractor", "number", "detractor", "criticaster", "detractors", "criticasters"),
        _role(
            "satisfaction",
            "number",
            "satisfaction",
            "tevredenheid",
            "klanttevredenheid",
            "csat",
            "rating",
            "beoordeling",
            "cijfer",
            "score",
        ),
        _role(
            "lost_customers",
            "number",
            "lost customers",
            "verloren klanten",
            "churned",
            "opzeggingen",
            "cancellations",
            "opgezegd",
            "churn",
            "lost",
        ),
        _role(
            "customer_count",
            "number",
            "customers",
            "klanten",
            "active customers",
            "actieve klanten",
            "aantal klanten",
            "klantenbestand",
            "customer base",
        ),
        _role(
            "complaints",
            "any",
            "complaint id",
            "klachtnummer",
            "complaint",
            "klacht",
            "complaints",
            "klachten",
            "ticket",
            "melding",
        ),
        _role(
            "response_hours",
            "number",
            "response time",
            "reactietijd",
            "response hours",
            "first response",
            "antwoordtijd",
            "hours to respond",
        ),
        _role("on_time", "number", "on time", "op tijd", "tijdig", "on-time", "otd", "punctual"),
        _role(
            "delivery_days",
            "number",
            "delivery days",
            "levertijd",
            "delivery time",
            "leverdagen",
            "lead time",
            "doorlooptijd",
        ),
        _role(
            "returned",
            "number",
            "returned",
            "retour",
            "returns",
            "retouren",
            "geretourneerd",
            "teruggestuurd",
        ),
        _role(
            "sold",
            "number",
            "sold",
            "verkocht",
            "units sold",
            "aantal verkocht",
            "quantity",
            "aantal",
            "units",
            "stuks",
            "qty",
        ),
        _role(
            "stock_value",
            "number",
            "stock value",
            "voorraadwaarde",
            "inventory value",
            "inventory",
            "voorraad",
            "stock",
        ),
        _role(
            "used_hours",
            "number",
            "billable hours",
            "declarabele uren",
            "used hours",
            "productive hours",
            "productieve uren",
            "hours worked",
            "gewerkte uren",
            "bezette uren",
        ),
        _role(
            "available_hours",
            "number",
            "available hours",
            "beschikbare uren",
            "capacity hours",
            "capacity",
            "capaciteit",
        ),
        _role(
            "defects",
            "number",
            "defects",
            "fouten",
            "errors",
            "defecten",
            "afkeur",
            "rejects",
            "rework",
        ),
        _role(
            "produced",
            "number",
            "produced",
            "geproduceerd",
            "units produced",
            "output",
            "productie",
            "processed",
            "verwerkt",
        ),
        _role(
            "sick_hours",
            "number",
            "sick hours",
            "verzuimuren",
            "ziekte uren",
            "ziekteuren",
            "absence hours",
            "sick leave",
            "verzuim",
            "ziekteverzuim",
        ),
        _role(
            "contract_hours",
            "number",
            "contract hours",
            "contracturen",
            "scheduled hours",
            "roosteruren",
            "planned hours",
            "geplande uren",
        ),
        _role(
            "leavers",
            "number",
            "leavers",
            "uitstroom",
            "uit dienst",
            "vertrokken",
            "exits",
            "departures",
        ),
        _role(
            "employee_score",
            "number",
            "employee satisfaction",
            "medewerkerstevredenheid",
            "enps",
            "engagement",
            "betrokkenheid",
            "tevredenheid",
            "score",
        ),
        _role(
            "training_hours",
            "number",
            "training hours",
            "opleidingsuren",
            "trainingsuren",
            "learning hours",
            "training",
            "opleiding",
        ),
        _role(
            "employees",
            "any",
            "employee id",
            "personeelsnummer",
            "employee",
            "medewerker",
            "werknemer",
            "name",
            "naam",
        ),
    )
}

# Words that mark a column as a plan rather than an actual: such a column is never guessed
# for any role but the budget itself ("Revenue target" is not the revenue).
_PLAN_WORDS = frozenset(
    {"target", "targets", "doel", "doelstelling", "budget", "begroting", "norm", "plan"}
)


@dataclass(frozen=True)
class KpiTemplate:
    """A common KPI, ready to be filled with columns.

    ``pattern`` is a measure formula with ``{role}`` placeholders. ``target_kind`` is the kind
    of target that usually fits; ``target_role`` names the role holding the target column
    (for ``column`` targets); ``typical_target`` is a common value to start from (for a
    ``growth`` target: the growth in percent) and ``typical_range`` the usual band of a
    ``range`` KPI. Texts: ``name``, ``what`` (what it measures) and ``why`` (why it matters).
    """

    id: str
    category: TemplateCategory
    pattern: str
    unit: Unit
    direction: Direction
    cadence: Cadence
    tolerance_kind: ToleranceKind = "percent"
    tolerance_value: float = 10.0
    target_kind: TargetKind = "constant"
    target_role: str | None = None
    typical_target: float | None = None
    typical_range: tuple[float, float] | None = None

    @property
    def name_key(self) -> str:
        """Catalogue key of the template's name."""
        return f"templates.{self.id}.name"

    @property
    def what_key(self) -> str:
        """Catalogue key of what the KPI measures."""
        return f"templates.{self.id}.what"

    @property
    def why_key(self) -> str:
        """Catalogue key of why the KPI matters."""
        return f"templates.{self.id}.why"

    def name(self, lang: str = "en") -> str:
        """The template's name in ``lang``."""
        return t(self.name_key, lang)

    def what(self, lang: str = "en") -> str:
        """What the KPI measures, in ``lang``."""
        return t(self.what_key, lang)

    def why(self, lang: str = "en") -> str:
        """Why the KPI matters, in ``lang``."""
        return t(self.why_key, lang)

    @property
    def tolerance(self) -> Tolerance:
        """The typical tolerance as a model value."""
        return Tolerance(kind=self.tolerance_kind, value=self.tolerance_value)

    @property
    def perspective(self) -> Perspective:
        """The scorecard perspective a goal for this KPI usually has."""
        return PERSPECTIVE_OF[self.category]


def _tpl(
    id: str,
    category: TemplateCategory,
    pattern: str,
    unit: Unit,
    direction: Direction,
    cadence: Cadence = "month",
    tolerance: tuple[ToleranceKind, float] = ("percent", 10.0),
    target: TargetKind = "constant",
    target_role: str | None = None,
    typical_target: float | None = None,
    typical_range: tuple[float, float] | None = None,
) -> KpiTemplate:
    return KpiTemplate(
        id=id,
        category=category,
        pattern=pattern,
        unit=unit,
        direction=direction,
        cadence=cadence,
        tolerance_kind=tolerance[0],
        tolerance_value=tolerance[1],
        target_kind=target,
        target_role=target_role,
        typical_target=typical_target,
        typical_range=typical_range,
    )


TEMPLATES: tuple[KpiTemplate, ...] = (
    # -- marketing ---------------------------------------------------------------------------
    _tpl("website_visits", "marketing", "sum({visits})", "count", "higher"),
    _tpl("leads", "marketing", "sum({leads})", "count", "higher"),
    _tpl("lead_conversion", "marketing", "sum({leads}) / sum({visits}) * 100", "percent", "higher"),
    _tpl(
        "conversion_rate",
        "marketing",
        "count_distinct({orders}) / sum({visits}) * 100",
        "percent",
        "higher",
    ),
    _tpl("cost_per_lead", "marketing", "sum({spend}) / sum({leads})", "currency", "lower"),
    _tpl(
        "ad_spend_vs_budget",
        "marketing",
        "sum({spend})",
        "currency",
        "lower",
        tolerance=("percent", 5.0),
        target="column",
        target_role="budget",
    ),
    _tpl(
        "customer_acquisition_cost",
        "marketing",
        "sum({spend}) / count_distinct({new_customers})",
        "currency",
        "lower",
        cadence="quarter",
    ),
    _tpl("return_on_ad_spend", "marketing", "sum({revenue}) / sum({spend})", "number", "higher"),
    _tpl(
        "newsletter_subscribers",
        "marketing",
        "last({subscribers})",
        "count",
        "higher",
        tolerance=("percent", 5.0),
    ),
    # -- sales -------------------------------------------------------------------------------
    _tpl("revenue", "sales", "sum({revenue})", "currency", "higher", target="annual"),
    _tpl(
        "revenue_growth",
        "sales",
        "sum({revenue})",
        "currency",
        "higher",
        target="growth",
        typical_target=10.0,
    ),
    _tpl("order_count", "sales", "count_distinct({orders})", "count", "higher"),
    _tpl(
        "average_order_value",
        "sales",
        "sum({revenue}) / count_distinct({orders})",
        "currency",
        "higher",
    ),
    _tpl("active_customers", "sales", "count_distinct({customers})", "count", "higher"),
    _tpl(
        "repeat_purchase_rate",
        "sales",
        "(count_distinct({orders}) - count_distinct({customers})) / count_distinct({orders}) * 100",
        "percent",
        "higher",
        cadence="quarter",
    ),
    _tpl("win_rate", "sales", "sum({won}) / count() * 100", "percent", "higher"),
    _tpl(
        "discount_rate",
        "sales",
        "sum({discount}) / sum({revenue}) * 100",
        "percent",
        "lower",
        tolerance=("absolute", 1.0),
    ),
    # -- finance -----------------------------------------------------------------------------
    _tpl(
        "gross_margin_pct",
        "finance",
        "(sum({revenue}) - sum({cost})) / sum({revenue}) * 100",
        "percent",
        "higher",
        tolerance=("absolute", 2.0),
    ),
    _tpl("gross_profit", "finance", "sum({revenue}) - sum({cost})", "currency", "higher"),
    _tpl(
        "expenses_vs_budget",
        "finance",
        "sum({expenses})",
        "currency",
        "lower",
        tolerance=("percent", 5.0),
        target="column",
        target_role="budget",
    ),
    _tpl("cash_position", "finance", "last({balance})", "currency", "higher"),
    _tpl(
        "days_sales_outstanding",
        "finance",
        "last({receivables}) / sum({revenue}) * 30",
        "days",
        "lower",
    ),
    _tpl(
        "overdue_receivables",
        "finance",
        "last({overdue}) / last({receivables}) * 100",
        "percent",
        "lower",
        tolerance=("absolute", 5.0),
    ),
    _tpl(
        "revenue_per_employee",
        "finance",
        "sum({revenue}) / mean({headcount})",
        "currency",
        "higher",
        cadence="quarter",
    ),
    # -- customer ----------------------------------------------------------------------------
    _tpl(
        "nps",
        "customer",
        "(sum({promoter}) - sum({detractor})) / count() * 100",
        "number",
        "higher",
        tolerance=("absolute", 5.0),
        typical_target=30.0,
    ),
    _tpl(
        "customer_satisfaction",
        "customer",
        "mean({satisfaction})",
        "number",
        "higher",
        tolerance=("percent", 5.0),
    ),
    _tpl(
        "churn_rate",
        "customer",
        "sum({lost_customers}) / mean({customer_count}) * 100",
        "percent",
        "lower",
        tolerance=("absolute", 1.0),
    ),
    _tpl("complaints", "customer", "count({complaints})", "count", "lower"),
    _tpl("response_time", "customer", "mean({response_hours})", "number", "lower", cadence="week"),
    # -- operations --------------------------------------------------------------------------
    _tpl(
        "on_time_delivery",
        "operations",
        "sum({on_time}) / count() * 100",
        "percent",
        "higher",
        tolerance=("absolute", 2.0),
        typical_target=95.0,
    ),
    _tpl("average_delivery_days", "operations", "mean({delivery_days})", "days", "lower"),
    _tpl(
        "return_rate",
        "operations",
        "sum({returned}) / sum({sold}) * 100",
        "percent",
        "lower",
        tolerance=("absolute", 1.0),
    ),
    _tpl(
        "inventory_turnover",
        "operations",
        "sum({cost}) / mean({stock_value})",
        "number",
        "higher",
        cadence="quarter",
    ),
    _tpl(
        "capacity_utilisation",
        "operations",
        "sum({used_hours}) / sum({available_hours}) * 100",
        "percent",
        "range",
        tolerance=("absolute", 5.0),
        typical_range=(75.0, 90.0),
    ),
    _tpl(
        "error_rate",
        "operations",
        "sum({defects}) / sum({produced}) * 100",
        "percent",
        "lower",
        tolerance=("absolute", 0.5),
    ),
    # -- people ------------------------------------------------------------------------------
    _tpl(
        "absenteeism",
        "people",
        "sum({sick_hours}) / sum({contract_hours}) * 100",
        "percent",
        "lower",
        tolerance=("absolute", 1.0),
        typical_target=4.0,
    ),
    _tpl(
        "staff_turnover",
        "people",
        "sum({leavers}) / mean({headcount}) * 100",
        "percent",
        "lower",
        cadence="quarter",
        tolerance=("absolute", 2.0),
    ),
    _tpl(
        "employee_satisfaction",
        "people",
        "mean({employee_score})",
        "number",
        "higher",
        cadence="quarter",
        tolerance=("percent", 5.0),
    ),
    _tpl(
        "training_hours",
        "people",
        "sum({training_hours}) / count_distinct({employees})",
        "number",
        "higher",
        cadence="quarter",
    ),
)

_BY_ID: Mapping[str, KpiTemplate] = {tpl.id: tpl for tpl in TEMPLATES}


def template(template_id: str) -> KpiTemplate:
    """The template with ``template_id``.

    Raises:
        TemplateError: ``error.template.unknown`` when there is none.
    """
    found = _BY_ID.get(template_id)
    if found is None:
        raise TemplateError("error.template.unknown", template=template_id)
    return found


def templates_in(category: TemplateCategory) -> list[KpiTemplate]:
    """The templates of one category, in library order."""
    return [tpl for tpl in TEMPLATES if tpl.category == category]


def pattern_roles(pattern: str) -> list[str]:
    """The role names in a formula pattern, in order of first appearance."""
    names: list[str] = []
    for _, name, _, _ in string.Formatter().parse(pattern):
        if name and name not in names:
            names.append(name)
    return names


def roles(tpl: KpiTemplate | str) -> list[Role]:
    """The columns a template asks for: the roles of its pattern, then its target role."""
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    names = pattern_roles(tpl.pattern)
    if tpl.target_role and tpl.target_role not in names:
        names.append(tpl.target_role)
    return [ROLES[name] for name in names]


def column_ref(column: str) -> str:
    """``column`` written so the formula parser reads it whole: ``[Order ID]``.

    A name holding ``]`` is quoted instead.

    Raises:
        TemplateError: ``error.template.column_name`` for a name no quoting can hold.
    """
    if "]" not in column:
        return f"[{column}]"
    for quote in ('"', "'"):
        if quote not in column:
            return f"{quote}{column}{quote}"
    raise TemplateError("error.template.column_name", column=column)


def suggested_target(tpl: KpiTemplate, columns: Mapping[str, str | None]) -> Target | None:
    """A target to start from, when the template can tell one without the user's numbers.

    A ``column`` target reads the column of the target role; a ``growth`` target and a
    ``range`` with a ``typical_range`` use the template's typical values, and so does a
    ``constant`` with a ``typical_target``. Otherwise None (the user sets the number).
    """
    kind = TARGET_KINDS[tpl.target_kind]
    if tpl.direction == "range" and tpl.typical_range is not None:
        # A range KPI is judged on low and high, whatever its kind (range templates are
        # constant ones).
        low, high = tpl.typical_range
        return Target(kind="constant", low=low, high=high)
    column = columns.get(tpl.target_role) if tpl.target_role else None
    return kind.suggest(tpl.typical_target, column)


def instantiate(
    tpl: KpiTemplate | str,
    *,
    kpi_id: str,
    goal_id: str,
    dataset_id: str,
    columns: Mapping[str, str | None],
    name: str | None = None,
    lang: str = "en",
    target: Target | None = None,
    owner: str = "",
    action: str = "",
    why: str | None = None,
    cadence: Cadence | None = None,
    counting: Mapping[str, CountChoice] | None = None,
) -> KPI:
    """A KPI from ``tpl`` with its roles filled by ``columns`` (role → column name).

    ``counting`` says, for a role the template counts (``counting_roles``), whether its
    column is to be counted as the template does (``count``, the default) or added up
    (``sum``: each row holds a number of them, e.g. orders per day; see ``count_choice``).

    The name defaults to the template's name in ``lang`` and ``why`` to why it matters.
    Without a ``target``, a template whose target is a column of the data (``ad spend vs
    budget``) reads it from its target role; every other KPI starts without a target (see
    ``suggested_target`` for a value to offer). Tolerance, unit, direction and cadence are
    the template's typical ones (``cadence`` overrides).

    Raises:
        TemplateError: ``error.template.role_missing`` when a role has no column (the first
            such role is named, in ``lang``), ``error.template.unknown`` for an unknown id,
            ``error.template.column_name`` for a column name that cannot be written.
        FormulaError: when the filled-in formula cannot be parsed.
        ScorecardError: when the KPI is invalid (an id with spaces, say).
    """
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    chosen: dict[str, str] = {}
    for role in roles(tpl):
        column = (columns.get(role.name) or "").strip()
        if not column:
            raise TemplateError(
                "error.template.role_missing",
                role=role.label(lang),
                template=tpl.name(lang),
                role_id=role.name,
            )
        chosen[role.name] = column

    pattern = with_counting(tpl.pattern, counting or {})
    formula = pattern.format_map({role: column_ref(column) for role, column in chosen.items()})
    expr = parse_formula(formula)
    used = {chosen[role] for role in pattern_roles(tpl.pattern)}
    if formula_columns(formula) != used:  # pragma: no cover - a quoting bug, not user input
        raise TemplateError("error.template.column_name", column=", ".join(sorted(used)))
    # A single aggregation is stored as one, so the KPI step can show it as "sum of Revenue".
    measure = (
        Measure(aggregation=expr.func, column=expr.column)
        if isinstance(expr, Call)
        else Measure(formula=formula)
    )
    if target is None and TARGET_KINDS[tpl.target_kind].from_data:
        # A target the data gives (a column) is filled in from the chosen columns.
        target = suggested_target(tpl, chosen)
    try:
        return KPI(
            id=kpi_id,
            goal_id=goal_id,
            name=name if name else tpl.name(lang),
            why=tpl.why(lang) if why is None else why,
            dataset_id=dataset_id,
            measure=measure,
            unit=tpl.unit,
            direction=tpl.direction,
            target=target,
            tolerance=tpl.tolerance,
            cadence=cadence or tpl.cadence,
            owner=owner,
            action=action,
        )
    except ValidationError as exc:
        raise ScorecardError(
            "error.scorecard.invalid", detail=describe_validation_error(exc)
        ) from exc


# -- guessing columns ------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.findall(r"[0-9a-zà-ÿ]+", text.lower())


def _match_score(role: Role, column: str) -> int:
    """How well ``column``'s name fits ``role`` (0: not at all). Earlier synonyms win ties."""
    words = _words(column)
    if not words:
        return 0
    compact = "".join(words)
    best = 0
    for rank, synonym in enumerate(role.synonyms):
        syn_words = _words(synonym)
        syn_compact = "".join(syn_words)
        bonus = len(role.synonyms) - rank
        if words == syn_words or compact == syn_compact:
            score = 300 + bonus
        elif any(
            words[i : i + len(syn_words)] == syn_words
            for i in range(len(words) - len(syn_words) + 1)
        ):
            score = 200 + bonus
        elif len(syn_compact) >= 4 and syn_compact in compact:
            score = 100 + bonus  # Dutch compounds: "verzuimuren", "omzetexbtw"
        else:
            continue
        best = max(best, score)
    if role.name != "budget" and _PLAN_WORDS & set(words):
        return 0
    return best


def suggest_columns(
    tpl: KpiTemplate | str, column_kinds: Mapping[str, str]
) -> dict[str, str | None]:
    """A guess of the column for each role of ``tpl``, by name (nl and en) and kind.

    ``column_kinds`` maps column names to their kind as ``parsing.profile_columns`` gives it
    (date / number / category / text). Each column fills at most one role; a role without a
    plausible column gets None. The best-scoring pairs are taken first.
    """
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    wanted = roles(tpl)
    candidates: list[tuple[int, int, int, str]] = []
    for r_index, role in enumerate(wanted):
        for c_index, (column, kind) in enumerate(column_kinds.items()):
            if kind not in ACCEPTS[role.kind]:
                continue
            score = _match_score(role, column)
            if score > 0:
                candidates.append((-score, r_index, c_index, column))
    out: dict[str, str | None] = {role.name: None for role in wanted}
    taken: set[str] = set()
    for _, r_index, _, column in sorted(candidates):
        name = wanted[r_index].name
        if out[name] is None and column not in taken:
            out[name] = column
            taken.add(column)
    return out


# -- counting: a number per row, or one item per row? ----------------------------------------
CountChoice = Literal["sum", "count"]
COUNT_CHOICES: tuple[CountChoice, ...] = ("sum", "count")
# A whole number at or above this is "large": order and invoice numbers, not counts per day.
LARGE_NUMBER = 1000
# Share of distinct values from which a column is "nearly all different", as identifiers are.
UNIQUE_SHARE = 0.9
_COUNTED = re.compile(r"\b(count_distinct|count)\(\{(\w+)\}\)")
_ID_WORDS = frozenset(
    {"id", "nr", "no", "nummer", "number", "code", "key", "ref", "reference", "referentie"}
)
_COUNT_WORDS = frozenset({"aantal", "count", "totaal", "total", "qty", "hoeveelheid"})


@dataclass(frozen=True)
class CountGuess:
    """How a column for a counted role looks: ``choice`` (None: cannot tell, ask the user)
    and ``reason``, the catalogue key ``trust.count.why.<reason>`` that says why."""

    choice: CountChoice | None
    reason: str


def counting_roles(tpl: KpiTemplate | str) -> list[str]:
    """The roles ``tpl`` counts (``count_distinct({orders})``, ``count({complaints})``):
    their column may hold one item per row (count them) or a number per row (add up)."""
    tpl = template(tpl) if isinstance(tpl, str) else tpl
    names: list[str] = []
    for _, role in _COUNTED.findall(tpl.pattern):
        if role not in names:
            names.append(role)
    return names


def with_counting(pattern: str, counting: Mapping[str, CountChoice]) -> str:
    """``pattern`` with each role chosen as ``sum`` added up instead of counted."""

    def replace(match: re.Match[str]) -> str:
        role = match.group(2)
        return f"sum({{{role}}})" if counting.get(role) == "sum" else match.group(0)

    return _COUNTED.sub(replace, pattern)


def name_suggests(column: str) -> Literal["id", "count"] | None:
    """What a column's name suggests: an identifier ('Order ID', 'Ordernummer'), a count
    ('Orders', 'Number of orders', 'Aantal bestellingen'), or nothing ('Order')."""
    words = _words(column)
    if not words:
        return None
    if _COUNT_WORDS & set(words) or "number of" in " ".join(words) or column.strip()[:1] == "#":
        return "count"
    if _ID_WORDS & set(words) or any(w.endswith(("nummer", "nr")) for w in words):
        return "id"
    last = words[-1]
    if len(last) > 3 and (last.endswith("en") or (last.endswith("s") and not last.endswith("ss"))):
        return "count"  # a plural: orders, bestellingen, klanten, complaints
    return None


def count_choice(column: str, values: pd.Series) -> CountGuess:
    """Whether a column for a counted role holds a number of items per row (``sum``) or one
    item per row, named by an identifier (``count``) — from its values and its name.

    - text (order numbers such as 'ORD-1001', customer names): ``count``;
    - yes/no values: ``sum`` (the yes's);
    - whole numbers ≥ 0 that are small (median below ``LARGE_NUMBER``) and repeat (fewer than
      ``UNIQUE_SHARE`` of them different), such as orders per day: ``sum``;
    - whole numbers that are large and nearly all different, such as order numbers: ``count``;
    - otherwise the name decides ('Orders', 'Aantal' → ``sum``; 'Order ID', 'Ordernummer' →
      ``count``); when values and name disagree, or neither tells, ``None``: ask the user.
    """
    present = values.dropna()
    if present.empty:
        return CountGuess(None, "empty")
    name = name_suggests(column)
    if pd.api.types.is_bool_dtype(present):
        return CountGuess("sum", "flag")  # yes/no per row: counting would count the no's too
    if not pd.api.types.is_numeric_dtype(present):
        return CountGuess("count", "text")
    numbers = present.astype("float64")
    if not bool(((numbers == numbers.round()) & (numbers >= 0)).all()):
        return CountGuess(None, "not_whole")
    unique = numbers.nunique() / len(numbers)
    large = float(numbers.median()) >= LARGE_NUMBER
    content: Literal["id", "count"] | None = None
    if large and unique >= UNIQUE_SHARE:
        content = "id"
    elif not large and unique < UNIQUE_SHARE:
        content = "count"
    if content is not None and name in (None, content):
        return CountGuess("count" if content == "id" else "sum", f"values_{content}")
    if content is None and name is not None:
        return CountGuess("count" if name == "id" else "sum", f"name_{name}")
    return CountGuess(None, "unclear")


def aggregation_check(
    df: pd.DataFrame,
    kpi: KPI,
    *,
    date_column: str,
    fiscal_start: int = 1,
    dataset: str = "",
    as_of: date | None = None,
    max_columns: int = 3,
) -> pd.DataFrame:
    """The plain sum, the count of values and the number of different values of each column
    ``kpi`` measures, per period (after its filters): shown beside the KPI's value, they make
    a wrong aggregation visible (26 'orders' a month counted where 838 were added up).

    Columns: ``period``, ``column``, ``sum`` (None for a column that is not numeric),
    ``count``, ``distinct``; one row per period with data and column, in period order.
    ``as_of`` leaves out later rows, as the evaluation does.

    Raises:
        DataError: when a column or the date column is missing (as the evaluation does).
    """
    columns = (
        sorted(formula_columns(kpi.measure.formula))
        if kpi.measure.formula
        else [kpi.measure.column]
        if kpi.measure.column
        else []
    )
    common: dict[str, Any] = {
        "date_column": date_column,
        "cadence": kpi.cadence,
        "fiscal_start": fiscal_start,
        "filters": kpi.filters,
        "dataset": dataset,
    }
    if date_column in df.columns:
        # Dates and period keys once for the three aggregations of every column.
        dates = pd.to_datetime(df[date_column], errors="coerce")
        if dates.dt.tz is not None:
            dates = dates.dt.tz_localize(None)  # as the evaluation does
        if as_of is not None:
            keep = (dates < pd.Timestamp(as_of) + pd.Timedelta(days=1)).fillna(False)
            df, dates = df[keep], dates[keep]
        df = df.assign(**{date_column: dates})
        common["keys"] = period_keys(dates, kpi.cadence, fiscal_start)
    parts = []
    for column in columns[:max_columns]:
        numeric = column in df.columns and pd.api.types.is_numeric_dtype(df[column])
        by_agg = {
            agg: aggregate_per_period(df, agg, column, **common).set_index("key")["value"]
            for agg in (
                ("sum", "count", "count_distinct") if numeric else ("count", "count_distinct")
            )
        }
        frame = pd.DataFrame(by_agg).reindex(columns=["sum", "count", "count_distinct"])
        frame = frame[frame["count"].fillna(0) > 0].sort_index()
        parts.append(
            pd.DataFrame(
                {
                    "key": frame.index.astype("int64"),
                    "period": [
                        Period(kpi.cadence, int(k), fiscal_start).label for k in frame.index
                    ],
                    "column": column,
                    "sum": frame["sum"].to_numpy(dtype="float64"),
                    "count": frame["count"].to_numpy(dtype="float64"),
                    "distinct": frame["count_distinct"].to_numpy(dtype="float64"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["key", "period", "column", "sum", "count", "distinct"])
    return pd.concat(parts, ignore_index=True)
