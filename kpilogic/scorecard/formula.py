"""The formula language of a measure: a small whitelist parser, never ``eval``.

A formula combines aggregations of columns with numbers and ``+ - * /``, such as
``sum(Profit) / sum(Sales) * 100``. Anything else is a ``FormulaError`` that says what is wrong
and where. The parser is part of the scorecard (a KPI's formula is validated when the scorecard
is read); ``engine.measures`` evaluates the parsed expression over a table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from kpilogic.errors import FormulaError
from kpilogic.scorecard.schema_types import AGGREGATIONS, Aggregation

Operator = Literal["+", "-", "*", "/"]

# Aliases users type out of habit (Excel's AVERAGE, Tableau's COUNTD).
_ALIASES: dict[str, Aggregation] = {
    "avg": "mean",
    "average": "mean",
    "distinct": "count_distinct",
    "countd": "count_distinct",
}
_FUNCTIONS: dict[str, Aggregation] = {a: a for a in AGGREGATIONS} | _ALIASES
_MAX_DEPTH = 50  # nested parentheses / unary signs
_MAX_NODES = 200  # numbers, calls and operators: keeps every tree walk far from the stack limit
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Typographic signs pasted from Word or a PDF mean the same as their ASCII forms.
_SIGNS = {"+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}


# -- the parsed formula --------------------------------------------------------------------
@dataclass(frozen=True)
class Number:
    """A constant, e.g. the ``100`` of ``... * 100``."""

    value: float


@dataclass(frozen=True)
class Call:
    """An aggregation over a column; ``column`` is None only for ``count()`` (rows)."""

    func: Aggregation
    column: str | None
    position: int = field(default=0, compare=False)  # 1-based, for error messages


@dataclass(frozen=True)
class Negate:
    """Unary minus."""

    operand: Expr


@dataclass(frozen=True)
class BinaryOp:
    """``left op right`` with one of ``+ - * /``."""

    op: Operator
    left: Expr
    right: Expr


Expr = Number | Call | Negate | BinaryOp


class _Parser:
    """Recursive descent over the characters of a formula (no separate token pass, because a
    bare column name may hold spaces and runs up to its closing parenthesis)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        self.nodes = 0

    # -- helpers -------------------------------------------------------------------------
    def fail(
        self, key: str, detail: str, position: int | None = None, **params: Any
    ) -> FormulaError:
        where = (self.pos if position is None else position) + 1
        return FormulaError(
            f"error.formula.{key}",
            formula=self.text,
            detail=f"{detail} (position {where})",
            position=where,
            **params,
        )

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def count_node(self) -> None:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise self.fail("too_complex", "the formula is too long or too deeply nested")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail("too_complex", "the formula is too long or too deeply nested")

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> Expr:
        if not self.text.strip():
            raise self.fail("empty", "the formula is empty", 0)
        expr = self.expression()
        if self.peek():
            if self.text[self.pos] == ")":
                raise self.fail("unopened", "')' without a matching '('")
            rest = self.text[self.pos :].strip()
            raise self.fail("trailing", f"unexpected {rest!r}", text=rest[:30])
        if not formula_calls(expr):
            raise self.fail("no_aggregation", "the formula uses no aggregation", 0)
        return expr

    def expression(self) -> Expr:
        left = self.term()
        while (op := _SIGNS.get(self.peek())) in ("+", "-"):
            self.pos += 1
            self.count_node()
            left = BinaryOp("+" if op == "+" else "-", left, self.term())
        return left

    def term(self) -> Expr:
        left = self.unary()
        while (op := _SIGNS.get(self.peek())) in ("*", "/"):
            self.pos += 1
            self.count_node()
            left = BinaryOp("*" if op == "*" else "/", left, self.unary())
        return left

    def unary(self) -> Expr:
        sign = _SIGNS.get(self.peek())
        if sign in ("+", "-"):
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if sign == "+":
                return operand
            self.count_node()
            return Negate(operand)
        return self.primary()

    def primary(self) -> Expr:
        char = self.peek()
        start = self.pos
        if not char:
            raise self.fail("unexpected_end", "the formula stops where a value is expected")
        if char == "(":
            self.pos += 1
            self.enter()
            inner = self.expression()
            self.depth -= 1
            if self.peek() != ")":
                if not self.peek():
                    raise self.fail("unclosed", "'(' is never closed", start)
                raise self.fail("unexpected", f"unexpected {self.peek()!r}", char=self.peek())
            self.pos += 1
            return inner
        if m := _NUMBER.match(self.text, self.pos):
            self.pos = m.end()
            self.count_node()
            return Number(float(m.group()))
        if char.isalpha() or char == "_":
            return self.call()
        if char == ")":
            raise self.fail("unexpected", "')' where a value is expected", char=char)
        raise self.fail("unexpected", f"unexpected {char!r}", char=char)

    def call(self) -> Call:
        start = self.pos
        end = start
        while end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
            end += 1
        name = self.text[start:end]
        self.pos = end
        if self.peek() != "(":
            raise self.fail("bare_name", f"{name!r} is not followed by '('", start, name=name)
        func = _FUNCTIONS.get(name.lower())
        if func is None:
            known = ", ".join(AGGREGATIONS)
            raise self.fail(
                "unknown_function", f"unknown function {name!r}", start, name=name, known=known
            )
        self.pos += 1  # the '('
        self.count_node()
        column = self.argument(start)
        if column is None and func != "count":
            raise self.fail("missing_column", f"{name}() needs a column", start, name=name)
        return Call(func, column, start + 1)

    def argument(self, call_start: int) -> str | None:
        """The column between the call's parentheses, consuming the closing ``)``."""
        char = self.peek()
        open_at = self.pos
        if char in ("[", '"', "'"):
            closer = "]" if char == "[" else char
            close_at = self.text.find(closer, self.pos + 1)
            if close_at < 0:
                kind = "unclosed_bracket" if char == "[" else "unclosed_quote"
                raise self.fail(kind, f"{char} is never closed", open_at, char=char)
            column = self.text[open_at + 1 : close_at].strip()
            self.pos = close_at + 1
            if self.peek() != ")":
                if not self.peek():
                    raise self.fail("unclosed", "'(' is never closed", call_start)
                raise self.fail("unexpected", f"unexpected {self.peek()!r}", char=self.peek())
            self.pos += 1
            return column or None
        # A bare name runs to the matching ')', so "Revenue (EUR)" works unquoted.
        depth = 0
        for i in range(self.pos, len(self.text)):
            if self.text[i] == "(":
                depth += 1
            elif self.text[i] == ")":
                if depth == 0:
                    column = self.text[self.pos : i].strip()
                    self.pos = i + 1
                    if column == "*":  # count(*) as in SQL
                        return None
                    return column or None
                depth -= 1
        raise self.fail("unclosed", "'(' is never closed", call_start)


def formula_calls(expr: Expr) -> list[Call]:
    """Every aggregation in ``expr``, left to right."""
    if isinstance(expr, Call):
        return [expr]
    if isinstance(expr, Negate):
        return formula_calls(expr.operand)
    if isinstance(expr, BinaryOp):
        return formula_calls(expr.left) + formula_calls(expr.right)
    return []


def parse_formula(text: str) -> Expr:
    """Parse a measure formula such as ``sum(Profit) / sum(Sales) * 100``.

    Grammar: numbers, ``+ - * /`` with the usual precedence, unary minus, parentheses and
    aggregation calls ``agg(Column)``; the column is bare (``count_distinct(Order ID)``),
    bracketed (``[Order ID]``) or quoted (``"Order ID"``). ``count()`` counts rows.
    Aggregation names are case-insensitive; ``avg`` means mean, ``countd`` and ``distinct``
    mean count_distinct.

    Raises:
        FormulaError: with a key ``error.formula.*`` naming the problem and its position.
    """
    return _Parser(text).parse()


def formula_columns(text: str) -> set[str]:
    """The columns a formula reads. Raises: FormulaError if it cannot be parsed."""
    return {c.column for c in formula_calls(parse_formula(text)) if c.column is not None}


def _constant(expr: Expr) -> float | None:
    """The value of ``expr`` if it holds no aggregation, else None."""
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Negate):
        inner = _constant(expr.operand)
        return None if inner is None else -inner
    if isinstance(expr, BinaryOp):
        left, right = _constant(expr.left), _constant(expr.right)
        if left is None or right is None:
            return None
        if expr.op == "/":
            return math.nan if right == 0 else left / right
        return {"+": left + right, "-": left - right, "*": left * right}[expr.op]
    return None


def _linear(expr: Expr) -> bool:
    """Whether ``expr`` is a constant-weighted sum of ``sum`` and ``count`` terms."""
    if isinstance(expr, Call):
        return expr.func in ("sum", "count")
    if isinstance(expr, Negate):
        return _linear(expr.operand)
    if isinstance(expr, BinaryOp):
        if expr.op in ("+", "-"):
            return _linear(expr.left) and _linear(expr.right)
        if expr.op == "*":
            if _constant(expr.left) is not None:
                return _linear(expr.right)
            return _constant(expr.right) is not None and _linear(expr.left)
        divisor = _constant(expr.right)
        return divisor is not None and divisor != 0 and _linear(expr.left)
    return False  # a lone constant does not add up: (a + 5) + (b + 5) != (a + b) + 5


def formula_is_additive(text: str) -> bool:
    """Whether the formula's values add up over periods (monthly values sum to the quarter).

    True for sums and differences of ``sum(...)`` and ``count(...)`` terms, each optionally
    multiplied or divided by constants (``sum(A) - 2 * sum(B)``); False for ratios, means,
    distinct counts, constant offsets, and for a formula that cannot be parsed.
    """
    try:
        return _linear(parse_formula(text))
    except FormulaError:
        return False


# -- filters -------------------------------------------------------------------------------
