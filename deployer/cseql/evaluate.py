"""Evaluator: an expression compiled to a Python closure over a normalized record (a flat dict).

Owns CSE value semantics (null is false in every comparison, implicit casts, pattern matching);
it does not know rule types, windows or grouping (the rule-type evaluator does).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from deployer.javaregex import RegexError, compile_java

from . import ast
from .functions import THREAT_INDICATOR_STATES, call, lookup, to_number, to_text
from .patterns import compile_glob, compile_like
from .printer import format_expression

Record = dict[str, Any]
Compiled = Callable[[Record], Any]

INDICATORS_FIELD = "_matchingIndicators"
"""Record field hasThreatMatch reads: {field reference as printed: [indicator, ...]} (evaluator-semantics.md)."""

ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def is_true(value: Any) -> bool:
    """Truth of a result: True, or the string 'true' (any case). Null and everything else are false."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def coerce(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Bring two non-null values to one type (Spark implicit casts); None when they cannot be compared."""
    if left is None or right is None:
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        pair = (_to_bool(left), _to_bool(right))
        return None if None in pair else pair
    left_number, right_number = isinstance(left, int | float), isinstance(right, int | float)
    if left_number or right_number:
        pair = (to_number(left), to_number(right))
        return None if None in pair else pair
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return (left, right) if type(left) is type(right) else None


def compare(op: str, left: Any, right: Any) -> bool:
    """`left op right`; false whenever either side is null or the two cannot be compared."""
    pair = coerce(left, right)
    if pair is None:
        return False
    try:
        return ORDER[op](*pair)
    except TypeError:
        return False


def equals(left: Any, right: Any) -> bool:
    return compare("=", left, right)


class Compiler:
    def __init__(self) -> None:
        self.handlers: dict[type, Callable[[Any], Compiled]] = {
            ast.String: lambda n: _constant(n.value),
            ast.Number: lambda n: _constant(n.value),
            ast.Boolean: lambda n: _constant(n.value),
            ast.Null: lambda n: _constant(None),
            ast.Regex: lambda n: _constant(n.source),
            ast.ListExpr: self.list_expr,
            ast.Field: lambda n: lambda record, name=n.name: record.get(name),
            ast.Member: self.member,
            ast.Index: self.index,
            ast.Call: self.call,
            ast.Paren: lambda n: self.compile(n.expr),
            ast.Not: self.not_,
            ast.Neg: self.neg,
            ast.And: self.and_,
            ast.Or: self.or_,
            ast.Binary: self.binary,
            ast.Compare: self.compare,
            ast.InList: self.in_list,
            ast.Between: self.between,
            ast.Like: self.like,
            ast.RLike: self.rlike,
            ast.Matches: self.matches,
            ast.IsNull: self.is_null,
        }
        self.special_forms: dict[str, Callable[[ast.Call], Compiled]] = {
            "hasthreatmatch": self.has_threat_match
        }

    def compile(self, node: ast.Expr) -> Compiled:
        return self.handlers[type(node)](node)

    def list_expr(self, node: ast.ListExpr) -> Compiled:
        items = [self.compile(i) for i in node.items]
        return lambda record: [item(record) for item in items]

    def member(self, node: ast.Member) -> Compiled:
        base, name = self.compile(node.base), node.name
        # A fixture may also spell a struct sub-field flat: {"bro_smb_command.status": ...}.
        flat = f"{node.base.name}.{name}" if isinstance(node.base, ast.Field) else None

        def get(record: Record) -> Any:
            value = base(record)
            if isinstance(value, dict):
                return value.get(name)
            return record.get(flat) if flat and value is None else None

        return get

    def index(self, node: ast.Index) -> Compiled:
        base, key = self.compile(node.base), self.compile(node.key)

        def get(record: Record) -> Any:
            value, k = base(record), key(record)
            if isinstance(value, dict):
                return value.get(to_text(k))
            if isinstance(value, list):
                position = to_number(k)
                if isinstance(position, int) and -len(value) <= position < len(value):
                    return value[position]
            return None

        return get

    def call(self, node: ast.Call) -> Compiled:
        special = self.special_forms.get(node.name.lower())
        if special is not None:
            return special(node)
        spec = lookup(node.name)
        if spec is None:
            return _constant(None)  # lint reports CSE110; an unknown function is null at run time
        args = [self.compile(a) for a in node.args]
        return lambda record: call(spec, [a(record) for a in args])

    def not_(self, node: ast.Not) -> Compiled:
        operand = self.compile(node.operand)
        return lambda record: not is_true(operand(record))

    def neg(self, node: ast.Neg) -> Compiled:
        operand = self.compile(node.operand)

        def negate(record: Record) -> Any:
            number = to_number(operand(record))
            return None if number is None else -number

        return negate

    def and_(self, node: ast.And) -> Compiled:
        operands = [self.compile(o) for o in node.operands]
        return lambda record: all(is_true(o(record)) for o in operands)

    def or_(self, node: ast.Or) -> Compiled:
        operands = [self.compile(o) for o in node.operands]
        return lambda record: any(is_true(o(record)) for o in operands)

    def binary(self, node: ast.Binary) -> Compiled:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op

        def arithmetic(record: Record) -> Any:
            a, b = to_number(left(record)), to_number(right(record))
            if a is None or b is None:
                return None
            if op == "/":
                return a / b if b else None
            return {"+": operator.add, "-": operator.sub, "*": operator.mul}[op](a, b)

        return arithmetic

    def compare(self, node: ast.Compare) -> Compiled:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        return lambda record: compare(op, left(record), right(record))

    def in_list(self, node: ast.InList) -> Compiled:
        operand, items, negated = (
            self.compile(node.operand),
            [self.compile(i) for i in node.items],
            node.negated,
        )

        def test(record: Record) -> bool:
            value = operand(record)
            if value is None:
                return False
            return any(equals(value, item(record)) for item in items) != negated

        return test

    def between(self, node: ast.Between) -> Compiled:
        operand, low, high = self.compile(node.operand), self.compile(node.low), self.compile(node.high)

        def test(record: Record) -> bool:
            value, lo, hi = operand(record), low(record), high(record)
            if value is None or lo is None or hi is None:
                return False
            if coerce(value, lo) is None or coerce(value, hi) is None:
                return False
            return (compare(">=", value, lo) and compare("<=", value, hi)) != node.negated

        return test

    def _pattern_test(self, node: ast.Expr, pattern_node: ast.Expr, build: Callable[[str], Any]) -> Compiled:
        """A null-false pattern predicate; a constant pattern is compiled once."""
        operand, negated = self.compile(node.operand), node.negated
        while isinstance(pattern_node, ast.Paren):
            pattern_node = pattern_node.expr
        if isinstance(pattern_node, ast.String | ast.Regex):
            try:
                fixed = build(
                    pattern_node.value if isinstance(pattern_node, ast.String) else pattern_node.source
                )
            except RegexError:
                fixed = None
            pattern = _constant(fixed)
        else:
            dynamic = self.compile(pattern_node)

            def pattern(record: Record) -> Any:
                text = to_text(dynamic(record))
                try:
                    return None if text is None else build(text)
                except RegexError:
                    return None

        def test(record: Record) -> bool:
            text, test_pattern = to_text(operand(record)), pattern(record)
            if text is None or test_pattern is None:
                return False
            return (test_pattern(text) is not None) != negated

        return test

    def like(self, node: ast.Like) -> Compiled:
        return self._pattern_test(node, node.pattern, lambda p: compile_like(p, node.escape).fullmatch)

    def rlike(self, node: ast.RLike) -> Compiled:
        return self._pattern_test(node, node.pattern, lambda p: compile_java(p).search)

    def matches(self, node: ast.Matches) -> Compiled:
        if isinstance(node.pattern, ast.Regex):
            return self._pattern_test(node, node.pattern, lambda p: compile_java(p).search)
        return self._pattern_test(node, node.pattern, lambda p: compile_glob(p).fullmatch)

    def is_null(self, node: ast.IsNull) -> Compiled:
        operand, negated = self.compile(node.operand), node.negated
        return lambda record: (operand(record) is None) != negated

    def has_threat_match(self, node: ast.Call) -> Compiled:
        """hasThreatMatch([f1, f2], filter, state): indicators come from record[INDICATORS_FIELD]."""
        args = list(node.args)
        first = args.pop(0) if args else None
        fields = first.items if isinstance(first, ast.ListExpr) else (first,) if first else ()
        state = "active_indicators"
        if args and isinstance(args[-1], ast.Field) and args[-1].name in THREAT_INDICATOR_STATES:
            state = args.pop().name
        condition = self.compile(args[0]) if args else _constant(True)
        references = [(_reference_keys(f), self.compile(f)) for f in fields]

        def test(record: Record) -> bool:
            store = record.get(INDICATORS_FIELD)
            if not isinstance(store, dict):
                return False
            now = to_number(record.get("timestamp"))
            for keys, value in references:
                if value(record) is None:
                    continue
                found = next((store[k] for k in keys if k in store), ())
                for indicator in found or ():
                    if (
                        isinstance(indicator, dict)
                        and _in_state(indicator, state, now)
                        and is_true(condition(indicator))
                    ):
                        return True
            return False

        return test


def _reference_keys(node: ast.Expr) -> tuple[str, ...]:
    """Spellings of a field reference that may key record[INDICATORS_FIELD]."""
    if isinstance(node, ast.Index) and isinstance(node.key, ast.String) and isinstance(node.base, ast.Field):
        base, key = node.base.name, node.key.value
        return (f"{base}['{key}']", f'{base}["{key}"]', f"{base}.{key}")
    return (format_expression(node),)


def _constant(value: Any) -> Compiled:
    return lambda record: value


def _epoch_ms(value: Any) -> float | None:
    number = to_number(value)
    if number is not None or not isinstance(value, str):
        return number
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None


def _in_state(indicator: dict, state: str, now: float | None) -> bool:
    if state == "all_indicators" or now is None:
        return True
    until = _epoch_ms(indicator.get("validUntil"))
    active = until is None or until >= now
    return active if state == "active_indicators" else not active


_COMPILER = Compiler()


@lru_cache(maxsize=2048)
def compile_expression(expr: ast.Expr) -> Compiled:
    """Compile once, call per record: `compile_expression(expr)(record)` == `evaluate(expr, record)`."""
    return _COMPILER.compile(expr)


def evaluate(expr: ast.Expr, record: Record) -> Any:
    """The value of `expr` on a normalized record; never raises for data (bad values become null)."""
    return compile_expression(expr)(record)


def matches(expr: ast.Expr, record: Record) -> bool:
    """Whether the record satisfies the expression (its value is true)."""
    return is_true(evaluate(expr, record))
