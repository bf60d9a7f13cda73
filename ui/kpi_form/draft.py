"""The KPI being written: a typed draft, made from a KPI and turned back into one; and the
template picker's choices.

The draft holds plain values only (no widget state), so it survives a page or language
switch in the app-owned session state; the widgets mirror it. It knows nothing of Streamlit:
``KpiDraft.of(kpi)`` and ``draft.to_kpi(...)`` are tested on their own.

A target kind's form fields (``Target.form``) fill the draft fields of the same name; a kind
registered later whose fields have other names keeps their values in ``extra``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pandas as pd

from kpilogic.engine.templates import TEMPLATES, CountChoice
from kpilogic.scorecard.model import KPI
from kpilogic.scorecard.targets import TARGET_KINDS, ConstantTarget, FormField, Target

NONE = ""  # the "no column" choice (rows to count, no split): None would read as "nothing chosen"
MAX_FILTERS = 5
ALL = "all"  # the "all categories" choice of the template picker


class EditorTable(TypedDict):
    """The rows of an ``st.data_editor`` the draft keeps: ``rows`` as last edited, ``base``
    as the editor was drawn from, ``ver`` (a new one redraws the editor) and ``sig`` (what
    the rows were made for, e.g. the cadence; another one renews them)."""

    rows: list[dict[str, Any]]
    base: list[dict[str, Any]]
    ver: int
    sig: str | None


def editor_table(rows: list[dict[str, Any]], sig: str | None, ver: int = 0) -> EditorTable:
    """A fresh editor table showing ``rows``."""
    return {"rows": rows, "base": rows, "ver": ver, "sig": sig}


def text_of(value: object) -> str:
    """A filter value as typed: 2026.0 reads as '2026'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class FilterDraft:
    """One filter row of the form: ``value`` as typed, ``values`` as picked (is one of / is
    not one of); ``for_column`` is the column the value was chosen for (another column
    empties it)."""

    column: str
    op: str = "eq"
    value: str = ""
    values: list[str] = field(default_factory=list)
    for_column: str | None = None

    def complete(self) -> dict[str, Any] | None:
        """The filter as the model takes it; None while the row is incomplete."""
        text = str(self.value or "").strip()
        picked = [str(v) for v in self.values or []]
        if not self.column or not (text or picked):
            return None
        value: Any = text
        if self.op in ("in", "not_in"):
            value = picked or [v.strip() for v in text.split(",") if v.strip()]
        elif not text:
            return None
        return {"column": self.column, "op": self.op, "value": value}


@dataclass
class KpiDraft:
    """Every field the KPI form edits. ``id`` is set while an existing KPI is edited."""

    dataset_id: str
    id: str | None = None
    # what and why
    name: str = ""
    why: str = ""
    # data and measure
    mode: str = "aggregation"  # or "formula"
    aggregation: str = "sum"
    column: str = NONE
    formula: str = ""
    fb_op: str = "+"  # the formula builder's operator, aggregation, column and number
    fb_agg: str = "sum"
    fb_column: str = NONE
    fb_number: float | None = 100.0
    filters: list[FilterDraft] = field(default_factory=list)
    # target
    unit: str = "number"
    direction: str = "higher"
    target_kind: str = "constant"
    target_value: float | None = None
    target_low: float | None = None
    target_high: float | None = None
    target_column: str | None = None
    target_column_aggregation: str = "sum"
    growth_pct: float | None = 10.0
    phasing: str = "even"  # or "profile" (the "profile" table)
    pp_start: str | None = None  # first period and number of periods of the per-period table
    pp_count: int = 12
    tables: dict[str, EditorTable] = field(default_factory=dict)
    tol_kind: str = "percent"
    tol_value: float | None = 10.0
    cadence: str = "month"
    # follow-up
    owner: str = ""
    action: str = ""
    segment_column: str = NONE
    # form fields of target kinds registered later, by field key
    extra: dict[str, Any] = field(default_factory=dict)

    # -- field access by name (widgets bind to a field name; tests read it as a mapping) ----

    def get(self, name: str, default: Any = None) -> Any:
        if name in _FIELDS and name != "extra":
            return getattr(self, name)
        return self.extra.get(name, default)

    def set(self, name: str, value: Any) -> None:
        if name in _FIELDS and name != "extra":
            setattr(self, name, value)
        else:
            self.extra[name] = value

    def __getitem__(self, name: str) -> Any:
        if name in _FIELDS or name in self.extra:
            return self.get(name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return name in _FIELDS or name in self.extra

    # -- as JSON (kept in the store, so a reload or a restart brings it back) --------------------

    def to_json(self) -> str:
        """The draft as JSON text: every field, ``extra`` and the editor tables included;
        ``from_json`` makes the same draft of it. A NaN (an emptied table cell) becomes null,
        as the form reads it anyway.

        Raises: TypeError when a value (in ``extra`` or a table) is not a JSON type.
        """
        data = {"format": DRAFT_FORMAT, **dataclasses.asdict(self)}
        return json.dumps(_plain(data), ensure_ascii=False, sort_keys=True, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> KpiDraft:
        """The draft ``to_json`` wrote. Fields it lacks get their defaults; unknown ones
        (from a newer Koers) are left out.

        Raises: ValueError when the text is not such a draft (not JSON, a field of the wrong
        type, another format).
        """
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != DRAFT_FORMAT:
            raise ValueError("not a KPI draft of this format")
        values: dict[str, Any] = {}
        for fld in dataclasses.fields(cls):
            if fld.name in data:
                values[fld.name] = _READERS[str(fld.type)](fld.name, data[fld.name])
        if "dataset_id" not in values:
            raise ValueError("a KPI draft without dataset_id")
        return cls(**values)

    # -- from a KPI ---------------------------------------------------------------------------

    @classmethod
    def of(cls, kpi: KPI) -> KpiDraft:
        """The draft that edits ``kpi``."""
        d = cls(
            dataset_id=kpi.dataset_id,
            id=kpi.id,
            name=kpi.name,
            why=kpi.why,
            unit=kpi.unit,
            direction=kpi.direction,
            cadence=kpi.cadence,
            owner=kpi.owner,
            action=kpi.action,
            segment_column=kpi.segment_column or NONE,
            tol_kind=kpi.tolerance.kind,
            tol_value=kpi.tolerance.value,
        )
        m = kpi.measure
        if m.formula:
            d.mode, d.formula = "formula", m.formula
        else:
            d.aggregation, d.column = m.aggregation or "sum", m.column or NONE
        d.filters = [
            FilterDraft(
                column=f.column,
                op=f.op,
                value="" if isinstance(f.value, list) else text_of(f.value),
                values=[text_of(v) for v in f.value] if isinstance(f.value, list) else [],
                for_column=f.column,
            )
            for f in kpi.filters
        ]
        tgt = kpi.target
        if tgt is None:
            return d
        d.target_low, d.target_high = tgt.low, tgt.high
        if kpi.direction == "range":
            return d
        if tgt.segments:
            rows = [{"segment": k, "target": v} for k, v in tgt.segments.items()]
            # No signature yet: the first drawing adds the segments the data has without one.
            d.tables["segments"] = editor_table(rows, None)
        d.target_kind = tgt.kind
        values = tgt.form_values()
        for fld in tgt.form.fields:  # the kind says which fields its form has
            d.put_form_field(fld, values[fld.key])
        return d

    def put_form_field(self, fld: FormField, value: Any) -> None:
        """Put a target's form field into the draft, as its widget keeps it."""
        if fld.widget == "period_table":
            rows = [{"period": k, "target": v} for k, v in sorted(value.items())]
            self.tables[fld.key] = editor_table(rows, self.cadence)
            self.pp_start, self.pp_count = rows[0]["period"], len(rows)
        elif fld.widget == "year_table":
            rows = [{"year": k, "target": v} for k, v in sorted(value.items())]
            self.tables[fld.key] = editor_table(rows, "annual")
        elif fld.widget == "phasing":
            if value:
                self.phasing = "profile"
                weights = [{"month": i + 1, "weight": w} for i, w in enumerate(value)]
                self.tables["profile"] = editor_table(weights, "fixed")
        else:
            self.set(fld.key, value)

    # -- back to a KPI --------------------------------------------------------------------------

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The rows of the editor table ``table`` (none when it was never drawn)."""
        tab = self.tables.get(table)
        return list(tab["rows"]) if tab else []

    def form_values(self, kind: type[Target]) -> dict[str, Any]:
        """The draft's values of the fields the target ``kind`` asks for."""
        out: dict[str, Any] = {}
        for fld in kind.form.fields:
            if fld.widget == "period_table":
                out[fld.key] = filled(self.rows(fld.key), "period")
            elif fld.widget == "year_table":
                out[fld.key] = filled(self.rows(fld.key), "year")
            elif fld.widget == "phasing":
                profile = None
                if self.phasing == "profile" and self.cadence != "week":
                    profile = [
                        0.0
                        if w.get("weight") is None or pd.isna(w["weight"])
                        else float(w["weight"])
                        for w in self.rows("profile")
                    ]
                out[fld.key] = profile
            else:
                out[fld.key] = self.get(fld.key)
        return out

    def target_kind_class(self) -> type[Target]:
        """The class of the chosen target kind (constant when the kind is unknown)."""
        return TARGET_KINDS.get(self.target_kind, ConstantTarget)

    def target(self) -> dict[str, Any] | None:
        """The target the draft describes, as a dict to validate (None: no target)."""
        if self.direction == "range":
            return {"kind": "constant", "low": self.target_low, "high": self.target_high}
        kind = self.target_kind_class()
        segments = filled(self.rows("segments"), "segment") if self.segment_column else {}
        return kind.from_form(self.form_values(kind), segments)

    def complete_filters(self) -> list[dict[str, Any]]:
        """The complete filter rows (incomplete ones are left out); lists for in / not in."""
        return [f for f in (flt.complete() for flt in self.filters) if f is not None]

    def to_kpi(self, goal_id: str, kpi_id: str, name: str | None = None) -> KPI:
        """The draft as a KPI of ``goal_id`` (``name`` overrides the draft's).

        Raises: pydantic.ValidationError when the model refuses it.
        """
        if self.mode == "formula":
            measure: dict[str, Any] = {"formula": str(self.formula).strip()}
        else:
            measure = {"aggregation": self.aggregation, "column": self.column or None}
        return KPI.model_validate(
            {
                "id": kpi_id,
                "goal_id": goal_id,
                "name": self.name.strip() if name is None else name,
                "why": self.why or "",
                "dataset_id": self.dataset_id,
                "measure": measure,
                "filters": self.complete_filters(),
                "unit": self.unit,
                "direction": self.direction,
                "target": self.target(),
                "tolerance": {"kind": self.tol_kind, "value": self.tol_value},
                "cadence": self.cadence,
                "owner": self.owner or "",
                "action": self.action or "",
                "segment_column": self.segment_column or None,
            }
        )


_FIELDS = frozenset(f.name for f in dataclasses.fields(KpiDraft))
DRAFT_FORMAT = 1  # the version of the JSON ``KpiDraft.to_json`` writes


def _plain(value: Any) -> Any:
    """``value`` with JSON types only: tuples as lists, numpy scalars as Python numbers,
    NaN as None. Raises TypeError for anything else (or a mapping key that is no text)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a draft's mapping keys must be text")
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    item = getattr(value, "item", None)  # a numpy scalar from an editor table
    if callable(item) and getattr(value, "shape", None) == ():
        return _plain(item())
    raise TypeError(f"a draft cannot keep a {type(value).__name__}")


def _wrong(name: str, value: Any) -> ValueError:
    return ValueError(f"the draft's {name} cannot be {type(value).__name__}")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _wrong(name, value)
    return value


def _text_or_none(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value)


def _number_or_none(name: str, value: Any) -> float | None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise _wrong(name, value)


def _whole(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _wrong(name, value)


def _mapping(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong(name, value)
    return value


def _rows(name: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise _wrong(name, value)
    return value


def _filters(name: str, value: Any) -> list[FilterDraft]:
    out: list[FilterDraft] = []
    for row in _rows(name, value):
        values = row.get("values", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _wrong(f"{name}.values", values)
        out.append(
            FilterDraft(
                column=_text(f"{name}.column", row.get("column")),
                op=_text(f"{name}.op", row.get("op", "eq")),
                value=_text(f"{name}.value", row.get("value", "")),
                values=list(values),
                for_column=_text_or_none(f"{name}.for_column", row.get("for_column")),
            )
        )
    return out


def _tables(name: str, value: Any) -> dict[str, EditorTable]:
    out: dict[str, EditorTable] = {}
    for key, item in _mapping(name, value).items():
        tab = _mapping(f"{name}.{key}", item)
        out[key] = {
            "rows": _rows(f"{name}.{key}.rows", tab.get("rows")),
            "base": _rows(f"{name}.{key}.base", tab.get("base")),
            "ver": _whole(f"{name}.{key}.ver", tab.get("ver")),
            "sig": _text_or_none(f"{name}.{key}.sig", tab.get("sig")),
        }
    return out


# How ``KpiDraft.from_json`` reads a field, by its annotation (a field whose annotation is
# not here fails at import: a new field needs its reader).
_READERS: dict[str, Any] = {
    "str": _text,
    "str | None": _text_or_none,
    "float | None": _number_or_none,
    "int": _whole,
    "list[FilterDraft]": _filters,
    "dict[str, EditorTable]": _tables,
    "dict[str, Any]": _mapping,
}
if unread := [f.name for f in dataclasses.fields(KpiDraft) if str(f.type) not in _READERS]:
    raise RuntimeError(f"KpiDraft.from_json cannot read {unread}")


def filled(rows: list[dict[str, Any]], label: str) -> dict[str, float]:
    """The rows of an editor table that have both a ``label`` and a target, as a mapping."""
    return {
        str(r[label]): float(r["target"])
        for r in rows
        if r.get(label) and r.get("target") is not None and not pd.isna(r["target"])
    }


# -- the template picker ---------------------------------------------------------------------


@dataclass
class CountAnswer:
    """Whether the values of ``column`` are added up or counted (None: not chosen yet)."""

    column: str
    choice: CountChoice | None


@dataclass
class TemplatePick:
    """The template picker's choices: a category, a template, a dataset, the column of each
    of the template's roles (``NONE``: none) and the counting answers; ``sig`` is the
    template and dataset the columns were guessed for."""

    category: str = ALL
    template: str = TEMPLATES[0].id
    dataset_id: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    sig: str | None = None
    counting: dict[str, CountAnswer] = field(default_factory=dict)
