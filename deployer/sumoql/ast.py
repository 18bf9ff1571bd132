"""The Sumo log-search AST: one frozen dataclass per node, each with a source `span`.

Owns the shape of a parsed query and what a node implies by itself (number values, the fields a stage
writes); it does not parse, print, lint or evaluate (see the sibling modules).
Spans never take part in equality, so two queries are equal when they say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deployer.diagnostics import Span

_SPAN = field(default=None, compare=False, repr=False)
_ESCAPED_SLASH = re.compile(r"\\/")


class Node:
    __slots__ = ()


# --- expressions -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class String(Node):
    """A double-quoted literal; `raw` is the text between the quotes as written."""

    raw: str
    span: Span | None = _SPAN

    @property
    def value(self) -> str:
        return self.raw.replace('\\"', '"')


@dataclass(frozen=True, slots=True)
class Number(Node):
    """A number as written (`5`, `1.5e3`, `10k`, `5m`); `value` applies size/time suffixes."""

    text: str
    span: Span | None = _SPAN

    @property
    def value(self) -> float | int:
        return number_value(self.text)


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Regex(Node):
    """A `/.../` literal; `pattern` is the text between the slashes with `\\/` unescaped."""

    raw: str
    span: Span | None = _SPAN

    @property
    def pattern(self) -> str:
        return self.raw.replace("\\/", "/")

    def raw_index(self, index: int) -> int:
        """Where `pattern[index]` is in `raw`: every `\\/` before it is one character longer there."""
        shift = 0
        for match in _ESCAPED_SLASH.finditer(self.raw):
            if match.start() - shift >= index:
                break
            shift += 1
        return index + shift


@dataclass(frozen=True, slots=True)
class Field(Node):
    """A field reference; `*` stands for all fields (`count(*)`, `as *`)."""

    name: str
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Param(Node):
    """A dashboard/template parameter `{{name}}`, substituted by the caller before evaluation."""

    name: str
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-" or "not"
    operand: Expr
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """`op` is canonical: = != < > <= >= + - * / % matches contains."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """`and` / `or` over two or more operands (`&&`, `||` are the same)."""

    op: str
    operands: tuple[Expr, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class In(Node):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    args: tuple[Expr, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Ternary(Node):
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Subquery(Node):
    """`[subquery <options>: <query>]`; options are kept as written (e.g. `from=(-2d)`)."""

    options: tuple[str, ...]
    query: Query
    span: Span | None = _SPAN


Expr = String | Number | Bool | Regex | Field | Param | Unary | Binary | Logical | In | Call | Ternary | Subquery


# --- scope (keyword expression) ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Keyword(Node):
    """A scope term: a bare word (may hold `*`/`?` wildcards) or a quoted phrase."""

    text: str
    quoted: bool
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class FieldMatch(Node):
    """`field=value` / `field!=value` in the scope (metadata or indexed fields)."""

    field: str
    op: str
    value: Keyword
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class ScopeNot(Node):
    operand: ScopeExpr
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class ScopeBool(Node):
    op: str  # "and" / "or"
    operands: tuple[ScopeExpr, ...]
    span: Span | None = _SPAN


ScopeExpr = Keyword | FieldMatch | ScopeNot | ScopeBool | Subquery


# --- stages (one per pipe) ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Where(Node):
    condition: Expr
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Assign(Node):
    """`<expr> as <alias>`, or a bare function pipe (`| num(x)`) when alias is None."""

    expr: Expr
    alias: str | None
    span: Span | None = _SPAN

    @property
    def target(self) -> str | None:
        """The field written: the alias, else a bare function's first field argument (converted in place)."""
        if self.alias is not None:
            return self.alias
        expr = self.expr
        if isinstance(expr, Call) and expr.args and isinstance(expr.args[0], Field):
            return expr.args[0].name
        return None


@dataclass(frozen=True, slots=True)
class AnchorPattern(Node):
    """One `"<start>*<stop>" as a, b` pair: each `*` captures into the next name."""

    pattern: String
    names: tuple[str, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class ParseAnchor(Node):
    """`parse [field=f] "a*b" as x[, "c*d" as y ...] [nodrop]`."""

    patterns: tuple[AnchorPattern, ...]
    field: str | None
    nodrop: bool
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class ParseRegex(Node):
    """`parse regex` and its synonym `extract`."""

    pattern: String
    field: str | None
    multi: bool
    nodrop: bool
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Json(Node):
    """`json [auto] [field=f] "path", ... [as a, ...] [nodrop]`; flags: keys, refonly, extractarrays."""

    paths: tuple[String, ...]
    aliases: tuple[str, ...]
    field: str | None
    nodrop: bool
    auto: bool
    flags: tuple[str, ...] = ()
    maxdepth: int | None = None
    span: Span | None = _SPAN

    @property
    def names(self) -> tuple[str, ...]:
        """The fields the listed paths are extracted into: the aliases, else each path exactly as written
        (`"a.b"` -> `a.b`, `"$['a b']"` -> `$['a b']`; see docs/evaluator-semantics.md)."""
        return self.aliases or tuple(path.value for path in self.paths)


@dataclass(frozen=True, slots=True)
class KeyValue(Node):
    """`keyvalue`/`kv`: explicit keys, `regex "..."`, `auto`, `infer`, `delim`."""

    keys: tuple[String, ...]
    aliases: tuple[str, ...]
    field: str | None
    nodrop: bool
    auto: bool
    regex: String | None = None
    delim: String | None = None
    flags: tuple[str, ...] = ()
    span: Span | None = _SPAN

    @property
    def names(self) -> tuple[str, ...]:
        """The fields the listed keys are extracted into: the aliases, else each key as a field name."""
        return self.aliases or tuple(key_field(key.value) for key in self.keys)


@dataclass(frozen=True, slots=True)
class Extraction(Node):
    """One `csv`/`split` output: `N as name`, or positional (`index` None; `_` skips)."""

    index: int | None
    name: str
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Split(Node):
    """`csv` and `split`; options are single characters (`delim=':'`, `escape='\\'`, `quote='"'`)."""

    kind: str
    field: str
    options: tuple[tuple[str, str], ...]
    extractions: tuple[Extraction, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Fields(Node):
    mode: str  # "" keep, "+" keep, "-" remove
    names: tuple[Field, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class SortKey(Node):
    expr: Expr
    direction: str | None  # "asc", "desc" or None (Sumo's default: descending)
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Sort(Node):
    keys: tuple[SortKey, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Limit(Node):
    count: Number | Param
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Top(Node):
    count: Number | Param
    fields: tuple[Field, ...]
    by: tuple[SortKey, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Dedup(Node):
    consecutive: bool
    count: int | None
    by: tuple[Field, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class LookupOutput(Node):
    name: str
    alias: str | None
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Lookup(Node):
    """`lookup a [as x], b from <table> on evt=tbl, ...`; `table` is the location as written."""

    outputs: tuple[LookupOutput, ...]
    table: str
    on: tuple[tuple[str, str], ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Timeslice(Node):
    size: Number | Param
    buckets: bool
    alias: str | None
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class AggCall(Node):
    name: str
    args: tuple[Expr, ...]
    alias: str | None
    parens: bool = True
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Aggregate(Node):
    """One aggregation pipe: `count, sum(x) as s by h, u` (also `count_frequent a, b`)."""

    calls: tuple[AggCall, ...]
    by: tuple[Field, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Operator(Node):
    """An operator Sumo documents that this parser keeps generically: name plus argument tokens."""

    name: str
    args: tuple[str, ...]
    span: Span | None = _SPAN


@dataclass(frozen=True, slots=True)
class Invalid(Node):
    """A stage that did not parse (only in error-collecting parses used by the linter)."""

    text: str
    span: Span | None = _SPAN


Stage = (Where | Assign | ParseAnchor | ParseRegex | Json | KeyValue | Split | Fields | Sort | Limit | Top
         | Dedup | Lookup | Timeslice | Aggregate | Operator | Invalid)


@dataclass(frozen=True, slots=True)
class Query(Node):
    scope: ScopeExpr | None
    stages: tuple[Stage, ...]
    span: Span | None = _SPAN


# --- helpers -----------------------------------------------------------------------------------

_SUFFIXES: dict[str, float] = {
    "K": 1e3, "k": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12, "P": 1e15,
    "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4, "Pi": 1024**5,
    "ns": 1e-6, "us": 1e-3, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    "w": 604_800_000,
}
_NUMBER = re.compile(r"([\d.]+(?:[eE][+-]?\d+)?)([A-Za-z]*)")


def number_value(text: str) -> float | int:
    """`10` -> 10, `1.5s` -> 1500 (time in ms), `2Ki` -> 2048."""
    digits, suffix = _NUMBER.fullmatch(text).groups()
    value = float(digits) * _SUFFIXES.get(suffix, 1)
    return int(value) if value.is_integer() and "." not in digits and "e" not in digits.lower() else value


def key_field(key: str) -> str:
    """The field a keyvalue key is extracted into when it has no alias (`user-name` -> `user_name`)."""
    return re.sub(r"\W", "_", key)


def children(node: Node) -> list[Node]:
    """Direct child nodes, in source order (for generic walks)."""
    out: list[Node] = []
    for name in node.__dataclass_fields__:
        if name == "span":
            continue
        value = getattr(node, name)
        if isinstance(value, Node):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(item for item in value if isinstance(item, Node))
    return out


def walk(node: Node):
    """Every node under `node` (inclusive), depth-first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
