"""The AST of Cloud SIEM expressions: one frozen dataclass per construct, each with a `span`.

Owns the node shapes; equality ignores spans and spelling (quote style, `<>` vs `!=`, `&&` vs AND).
It does not parse, print or evaluate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from deployer.diagnostics import Span

NO_SPAN = Span(1, 1, 0, 0)


@dataclass(frozen=True, slots=True)
class Expr:
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)

    def children(self) -> Iterator[Expr]:
        """Direct sub-expressions, in source order."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Expr):
                yield value
            elif isinstance(value, tuple):
                yield from (item for item in value if isinstance(item, Expr))

    def walk(self) -> Iterator[Expr]:
        """This node and every descendant, depth first, without recursion."""
        stack: list[Expr] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(node.children())))


# Literals -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class String(Expr):
    """A quoted literal. `value` keeps backslashes verbatim; only `\\'` / `\\"` were unescaped."""

    value: str
    quote: str = field(default="'", compare=False)


@dataclass(frozen=True, slots=True)
class Number(Expr):
    value: int | float
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Boolean(Expr):
    value: bool


@dataclass(frozen=True, slots=True)
class Null(Expr):
    pass


@dataclass(frozen=True, slots=True)
class Regex(Expr):
    """The `/.../` after MATCHES; `source` is the text between the slashes, backslashes verbatim."""

    source: str


@dataclass(frozen=True, slots=True)
class ListExpr(Expr):
    """`[a, b]`: the field list that opens hasThreatMatch."""

    items: tuple[Expr, ...]


# References -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field(Expr):
    """A bare name: a normalized field (`commandLine`) or, inside hasThreatMatch, an indicator attribute."""

    name: str


@dataclass(frozen=True, slots=True)
class Member(Expr):
    """`base.name`: `fields.yaraStatus`, struct sub-fields."""

    base: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    """`base[key]`: `fields['EventData.TargetImage']`, `fieldTags["user_username"]`, `arr[0]`."""

    base: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]


# Operators ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paren(Expr):
    """Parentheses as written; kept so the printer reproduces grouping and the linter sees it."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class Not(Expr):
    """Prefix `NOT` / `!`: boolean negation, so `!(null)` is true."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """Arithmetic: op is one of + - * /."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    """op is one of = != < <= > >= (`==` is read as `=`, `<>` as `!=`)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class InList(Expr):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Between(Expr):
    operand: Expr
    low: Expr
    high: Expr
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Like(Expr):
    operand: Expr
    pattern: Expr
    negated: bool = False
    escape: str | None = None


@dataclass(frozen=True, slots=True)
class RLike(Expr):
    operand: Expr
    pattern: Expr
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Matches(Expr):
    """`x MATCHES /re/` (pattern is a Regex) or `x MATCHES "wild*card"` (pattern is a String)."""

    operand: Expr
    pattern: Regex | String
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsNull(Expr):
    operand: Expr
    negated: bool = False


PREDICATES = (Compare, InList, Between, Like, RLike, Matches, IsNull)


def reference_root(node: Expr) -> Expr:
    """Where a chain of `.name` / `[key]` accesses starts: `fields` for `fields['x'].y`."""
    while isinstance(node, Member | Index):
        node = node.base
    return node
