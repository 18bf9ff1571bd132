"""Canonical text for a parsed query: one stage per line, normalised keywords and spacing.

Owns AST -> text (stage text in --explain traces and lint hints); it does not preserve comments or layout.
`parse(format_query(q)) == q` holds for every query the parser accepts (spans aside).
"""

from __future__ import annotations

import re

from deployer.sumoql import ast as a
from deployer.sumoql.parser import AGGREGATES, GENERIC_OPERATORS, STAGE_PARSERS
from deployer.sumoql.tokens import IDENT_PATTERN

_PLAIN_NAME = re.compile(r"(?!\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z]{0,2}$)" + IDENT_PATTERN)
_PARAM = re.compile(r"\{\{[^{}\n]*\}\}")
_SCOPE_WORD = re.compile(r'[^\s()"|=!\[]+')
_RESERVED = frozenset({"and", "or", "not", "in", "matches", "contains", "as", "by", "true", "false", "asc",
                       "desc", "group", "from", "on", "nodrop", "multi", "extract", "field", "buckets"})
_STAGE_WORDS = frozenset(STAGE_PARSERS) | AGGREGATES | GENERIC_OPERATORS

# Binding strength; a child printed below its context's minimum gets parentheses.
_PRECEDENCE = {"ternary": 1, "or": 2, "and": 3, "not": 4, "compare": 5, "+": 6, "-": 6, "*": 7, "/": 7, "%": 7,
               "neg": 8, "atom": 9}


def name(text: str) -> str:
    if text == "*" or _PARAM.fullmatch(text):
        return text
    if _PLAIN_NAME.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return '%"' + text.replace('"', '\\"') + '"'


def names(items) -> str:
    return ", ".join(name(item.name if isinstance(item, a.Field) else item) for item in items)


def _precedence(node: a.Node) -> int:
    if isinstance(node, a.Ternary):
        return _PRECEDENCE["ternary"]
    if isinstance(node, a.Logical):
        return _PRECEDENCE[node.op]
    if isinstance(node, a.Unary):
        return _PRECEDENCE["not" if node.op == "not" else "neg"]
    if isinstance(node, a.In):
        return _PRECEDENCE["compare"]
    if isinstance(node, a.Binary):
        return _PRECEDENCE.get(node.op, _PRECEDENCE["compare"])
    if isinstance(node, a.Number) and node.text.startswith("-"):
        return _PRECEDENCE["neg"]
    return _PRECEDENCE["atom"]


def expr(node: a.Node, minimum: int = 1) -> str:
    text = _EXPR[type(node)](node)
    return f"({text})" if _precedence(node) < minimum else text


def _binary(node: a.Binary) -> str:
    level = _PRECEDENCE.get(node.op)
    if level is None:  # comparisons and predicates do not chain
        return f"{expr(node.left, 6)} {node.op} {expr(node.right, 6)}"
    return f"{expr(node.left, level)} {node.op} {expr(node.right, level + 1)}"


def _logical(node: a.Logical) -> str:
    level = _PRECEDENCE[node.op] + 1  # same-op children keep their parentheses
    return f" {node.op} ".join(expr(operand, level) for operand in node.operands)


def _unary(node: a.Unary) -> str:
    if node.op == "not":
        return "!" + expr(node.operand, _PRECEDENCE["atom"])
    return "-" + expr(node.operand, _PRECEDENCE["neg"])


def _in(node: a.In) -> str:
    keyword = "not in" if node.negated else "in"
    return f"{expr(node.operand, 6)} {keyword} ({', '.join(expr(item) for item in node.items)})"


def _subquery(node: a.Subquery) -> str:
    options = (" " + " ".join(node.options)) if node.options else ""
    return f"[subquery{options}: {format_query(node.query)}]"


_EXPR = {
    a.String: lambda n: f'"{n.raw}"',
    a.Number: lambda n: n.text,
    a.Bool: lambda n: "true" if n.value else "false",
    a.Regex: lambda n: f"/{n.raw}/",
    a.Field: lambda n: '%"' + n.name + '"' if _PARAM.fullmatch(n.name) else name(n.name),
    a.Param: lambda n: "{{" + n.name + "}}",
    a.Unary: _unary,
    a.Binary: _binary,
    a.Logical: _logical,
    a.In: _in,
    a.Call: lambda n: f"{n.name}({', '.join(expr(arg) for arg in n.args)})",
    a.Ternary: lambda n: f"{expr(n.condition, 2)} ? {expr(n.then)} : {expr(n.otherwise)}",
    a.Subquery: _subquery,
}


# --- scope ---------------------------------------------------------------------------------------

def _scope_name(text: str) -> str:
    if _SCOPE_WORD.fullmatch(text) and text.lower() not in ("and", "or", "not"):
        return text
    return '%"' + text.replace('"', '\\"') + '"'


def _keyword(node: a.Keyword) -> str:
    return f'"{node.text}"' if node.quoted else node.text


def scope(node: a.Node, nested: bool = False) -> str:
    if isinstance(node, a.Keyword):
        return _keyword(node)
    if isinstance(node, a.FieldMatch):
        return f"{_scope_name(node.field)}{node.op}{_keyword(node.value)}"
    if isinstance(node, a.ScopeNot):
        return "NOT " + scope(node.operand, True)
    if isinstance(node, a.Subquery):
        return _subquery(node)
    text = f" {node.op.upper()} ".join(scope(operand, True) for operand in node.operands)
    return f"({text})" if nested else text


# --- stages --------------------------------------------------------------------------------------

def _options(field: str | None, *flags: tuple[str, bool]) -> list[str]:
    parts = [f"field={name(field)}"] if field else []
    return parts + [word for word, on in flags if on]


def _assign(node: a.Assign) -> str:
    text = expr(node.expr)
    first = re.match(r"[A-Za-z_]+", text)
    if first and first.group().lower() in _STAGE_WORDS and isinstance(node.expr, (a.Field, a.Binary, a.Ternary,
                                                                                   a.Logical, a.In)):
        text = f"({text})"
    return f"{text} as {name(node.alias)}" if node.alias else text


def _parse_anchor(node: a.ParseAnchor) -> str:
    pairs = ", ".join(f'"{p.pattern.raw}" as {names(p.names)}' for p in node.patterns)
    parts = ["parse", *_options(node.field), pairs]
    return " ".join(parts + (["nodrop"] if node.nodrop else []))


def _parse_regex(node: a.ParseRegex) -> str:
    parts = ["parse regex", *_options(node.field), f'"{node.pattern.raw}"']
    return " ".join(parts + _options(None, ("multi", node.multi), ("nodrop", node.nodrop)))


def _json(node: a.Json) -> str:
    parts = ["json", *(["auto"] if node.auto else []), *_options(node.field), *node.flags]
    if node.maxdepth is not None:
        parts.append(f"maxdepth {node.maxdepth}")
    if node.paths:
        parts.append(", ".join(f'"{path.raw}"' for path in node.paths))
    if node.aliases:
        parts.append("as " + names(node.aliases))
    return " ".join(parts + (["nodrop"] if node.nodrop else []))


def _keyvalue(node: a.KeyValue) -> str:
    parts = ["keyvalue", *node.flags, *(["auto"] if node.auto else []), *_options(node.field)]
    if node.regex is not None:
        parts.append(f'regex "{node.regex.raw}"')
    if node.delim is not None:
        parts.append(f'delim "{node.delim.raw}"')
    if node.keys:
        parts.append(", ".join(f'"{key.raw}"' for key in node.keys))
    if node.aliases:
        parts.append("as " + names(node.aliases))
    return " ".join(parts + (["nodrop"] if node.nodrop else []))


def _split(node: a.Split) -> str:
    options = [f"{key}={value}" for key, value in node.options]
    items = [f"{item.index} as {name(item.name)}" if item.index is not None else name(item.name)
             for item in node.extractions]
    return " ".join([node.kind, name(node.field), *options, "extract", ", ".join(items)])


def _sort_keys(keys: tuple[a.SortKey, ...]) -> str:
    return ", ".join(expr(key.expr, 6) + (f" {key.direction}" if key.direction else "") for key in keys)


def _top(node: a.Top) -> str:
    text = f"top {expr(node.count)} {names(node.fields)}"
    return text + (f" by {_sort_keys(node.by)}" if node.by else "")


def _dedup(node: a.Dedup) -> str:
    parts = ["dedup", *(["consecutive"] if node.consecutive else [])]
    if node.count is not None:
        parts.append(str(node.count))
    if node.by:
        parts.append("by " + names(node.by))
    return " ".join(parts)


def _lookup(node: a.Lookup) -> str:
    outputs = ", ".join(name(o.name) + (f" as {name(o.alias)}" if o.alias else "") for o in node.outputs)
    on = ", ".join(f"{name(left)}={name(right)}" for left, right in node.on)
    return f"lookup {outputs} from {node.table} on {on}"


def _timeslice(node: a.Timeslice) -> str:
    text = f"timeslice {expr(node.size)}" + (" buckets" if node.buckets else "")
    return text + (f" as {name(node.alias)}" if node.alias else "")


def _agg_call(call: a.AggCall) -> str:
    if call.parens:
        text = f"{call.name}({', '.join(expr(arg) for arg in call.args)})"
    else:
        text = call.name + (" " + ", ".join(expr(arg) for arg in call.args) if call.args else "")
    return text + (f" as {name(call.alias)}" if call.alias else "")


def _aggregate(node: a.Aggregate) -> str:
    text = ", ".join(_agg_call(call) for call in node.calls)
    return text + (f" by {names(node.by)}" if node.by else "")


_STAGE = {
    a.Where: lambda n: "where " + expr(n.condition),
    a.Assign: _assign,
    a.ParseAnchor: _parse_anchor,
    a.ParseRegex: _parse_regex,
    a.Json: _json,
    a.KeyValue: _keyvalue,
    a.Split: _split,
    a.Fields: lambda n: "fields " + (f"{n.mode} " if n.mode else "") + names(n.names),
    a.Sort: lambda n: "sort by " + _sort_keys(n.keys) if n.keys else "sort",
    a.Limit: lambda n: "limit " + expr(n.count),
    a.Top: _top,
    a.Dedup: _dedup,
    a.Lookup: _lookup,
    a.Timeslice: _timeslice,
    a.Aggregate: _aggregate,
    a.Operator: lambda n: " ".join([n.name, *n.args]),
    a.Invalid: lambda n: n.text,
}


def stage(node: a.Node) -> str:
    """One stage's canonical text, without the pipe (e.g. `where suspicion_score > 0`)."""
    return _STAGE[type(node)](node)


def format_query(query: a.Query) -> str:
    lines = [scope(query.scope)] if query.scope is not None else []
    lines += ["| " + stage(node) for node in query.stages]
    return "\n".join(lines)
