"""Offline evaluator: compiles a parsed query once into stage functions and runs events through them.

Owns the semantics of scope, operators and expressions for fixtures (see docs/evaluator-semantics.md,
"Log search (sumoql)"); it does not parse text, substitute parameters or judge expectations.
"""

from __future__ import annotations

import csv
import json
import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from deployer.javaregex import RegexError, compile_java
from deployer.sumoql import ast as a
from deployer.sumoql.errors import CannotEvaluateOffline
from deployer.sumoql.functions import FUNCTIONS, to_number, to_text, truthy
from deployer.sumoql.prefilter import compile_prefilter, query_requirement
from deployer.sumoql.printer import scope as scope_text
from deployer.sumoql.printer import stage as stage_text

Row = dict[str, object]
Value = Callable[[Row], object]
_MISSING = object()
_NODROP_MATCHED = "\x00nodrop"  # a nodrop parse matched earlier in the chain (see nodrop rule)


@dataclass(frozen=True, slots=True)
class StageStep:
    index: int
    text: str
    kept: bool
    reason: str | None = None
    added: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventTrace:
    event_index: int
    steps: list[StageStep]
    survived: bool


@dataclass(frozen=True, slots=True)
class EvalResult:
    rows: list[dict]
    traces: list[EventTrace] = field(default_factory=list)


def get(row: Row, name: str) -> object:
    """A field value; names are matched exactly first, then case-insensitively (metadata spelling)."""
    value = row.get(name, _MISSING)
    if value is not _MISSING:
        return value
    lowered = name.lower()
    for key, value in row.items():
        if key.lower() == lowered:
            return value
    return None


# --- expressions ---------------------------------------------------------------------------------

def _glob(pattern: str, flags: int = 0) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile(body, flags | re.S)


def _compare(op: str, left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    ln, rn = to_number(left), to_number(right)
    numeric = ln is not None and rn is not None and (
        not isinstance(left, str) or not isinstance(right, str) or op not in ("=", "!="))
    if numeric:
        left, right = ln, rn
    else:
        left, right = to_text(left), to_text(right)
    return _COMPARISONS[op](left, right)


_COMPARISONS = {"=": lambda x, y: x == y, "!=": lambda x, y: x != y, "<": lambda x, y: x < y,
                ">": lambda x, y: x > y, "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y}


def _arithmetic(op: str, left: object, right: object) -> object:
    ln, rn = to_number(left), to_number(right)
    if ln is None or rn is None:
        return None
    try:
        result = _ARITHMETIC[op](ln, rn)
    except ZeroDivisionError:
        return None
    return int(result) if isinstance(result, float) and result.is_integer() and op != "/" else result


_ARITHMETIC = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
               "/": lambda x, y: x / y, "%": lambda x, y: math.fmod(x, y)}


def _matcher(pattern: a.Expr) -> Callable[[Row, str], bool]:
    if isinstance(pattern, a.String):
        glob = _glob(pattern.value)
        return lambda row, text: glob.fullmatch(text) is not None
    value = compile_expr(pattern)
    return lambda row, text: (p := to_text(value(row))) is not None and _glob(p).fullmatch(text) is not None


def _compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return compile_java(pattern)
    except RegexError as error:
        raise CannotEvaluateOffline(f"regex /{pattern}/ ({error})") from None


def _binary(node: a.Binary) -> Value:
    left = compile_expr(node.left)
    if node.op == "matches" and isinstance(node.right, a.Regex):
        search = _compile_regex(node.right.pattern).search
        return lambda row: (t := to_text(left(row))) is not None and search(t) is not None
    if node.op == "matches":
        match = _matcher(node.right)
        return lambda row: (t := to_text(left(row))) is not None and match(row, t)
    right = compile_expr(node.right)
    op = node.op
    if op == "contains":
        return lambda row: FUNCTIONS["contains"](left(row), right(row))
    if op in _COMPARISONS:
        return lambda row: _compare(op, left(row), right(row))
    return lambda row: _arithmetic(op, left(row), right(row))


def _logical(node: a.Logical) -> Value:
    operands = [compile_expr(o) for o in node.operands]
    wanted = node.op == "or"  # the operand value that decides the result

    def combine(row: Row) -> bool:
        for operand in operands:
            if truthy(operand(row)) is wanted:
                return wanted
        return not wanted
    return combine


def _unary(node: a.Unary) -> Value:
    operand = compile_expr(node.operand)
    if node.op == "not":
        return lambda row: not truthy(operand(row))
    return lambda row: None if (n := to_number(operand(row))) is None else -n


def _in(node: a.In) -> Value:
    operand = compile_expr(node.operand)
    items = [compile_expr(i) for i in node.items]
    negated = node.negated

    def check(row: Row) -> bool:
        value = to_text(operand(row))
        if value is None:
            return False
        return (value in {to_text(i(row)) for i in items}) != negated
    return check


def _call(node: a.Call) -> Value:
    name = node.name.lower()
    if name == "if":
        if len(node.args) != 3:
            raise CannotEvaluateOffline("if() with other than 3 arguments")
        cond, then, other = (compile_expr(arg) for arg in node.args)
        return lambda row: then(row) if truthy(cond(row)) else other(row)
    function = FUNCTIONS.get(name)
    if function is None:
        raise CannotEvaluateOffline(f"{node.name}()")
    args = [compile_expr(arg) if not isinstance(arg, a.Regex) else _constant(_compile_regex(arg.pattern))
            for arg in node.args]
    if len(args) == 1:
        (only,) = args
        return lambda row: function(only(row))
    if len(args) == 2:
        first, second = args
        return lambda row: function(first(row), second(row))
    return lambda row: function(*[arg(row) for arg in args])


def _constant(value: object) -> Value:
    return lambda row: value


def _ternary(node: a.Ternary) -> Value:
    cond, then, other = compile_expr(node.condition), compile_expr(node.then), compile_expr(node.otherwise)
    return lambda row: then(row) if truthy(cond(row)) else other(row)


def _field(node: a.Field) -> Value:
    name = node.name

    def value(row: Row) -> object:
        found = row.get(name, _MISSING)  # the exact name first, as get() does, without the call
        return get(row, name) if found is _MISSING else found
    return value


def _param_error(node: a.Param):
    raise CannotEvaluateOffline(f"unsubstituted parameter {{{{{node.name}}}}}")


def _unsupported(node: a.Node) -> Value:
    raise CannotEvaluateOffline(type(node).__name__.lower())


_COMPILERS: dict[type, Callable[[a.Node], Value]] = {
    a.String: lambda n: _constant(n.value),
    a.Number: lambda n: _constant(n.value),
    a.Bool: lambda n: _constant(n.value),
    a.Regex: lambda n: _constant(n.pattern),
    a.Field: _field,
    a.Param: _param_error,
    a.Binary: _binary,
    a.Logical: _logical,
    a.Unary: _unary,
    a.In: _in,
    a.Call: _call,
    a.Ternary: _ternary,
    a.Subquery: _unsupported,
}


def compile_expr(node: a.Expr) -> Value:
    return _COMPILERS[type(node)](node)


# --- scope ---------------------------------------------------------------------------------------

_TERM_EDGE = "[A-Za-z0-9]"


def _keyword(node: a.Keyword) -> Callable[[Row], bool]:
    if node.quoted:
        words = [".*" if w == "*" else _glob(w).pattern for w in node.text.replace('\\"', '"').split()]
        regex = re.compile(r"\s+".join(words), re.I | re.S)
    else:
        body = "".join(r"\S*" if c == "*" else r"\S" if c == "?" else re.escape(c) for c in node.text)
        regex = re.compile(f"(?<!{_TERM_EDGE}){body}(?!{_TERM_EDGE})", re.I)
    return lambda row: regex.search(to_text(get(row, "_raw")) or "") is not None


def _field_match(node: a.FieldMatch) -> Callable[[Row], bool]:
    regex = _glob(node.value.text, re.I)
    name, negate = node.field, node.op == "!="
    return lambda row: ((v := to_text(get(row, name))) is not None and regex.fullmatch(v) is not None) != negate


def compile_scope(node: a.Node) -> Callable[[Row], bool]:
    if isinstance(node, a.Keyword):
        return _keyword(node)
    if isinstance(node, a.FieldMatch):
        return _field_match(node)
    if isinstance(node, a.ScopeNot):
        inner = compile_scope(node.operand)
        return lambda row: not inner(row)
    if isinstance(node, a.ScopeBool):
        parts = [compile_scope(o) for o in node.operands]
        combine = all if node.op == "and" else any
        return lambda row: combine(p(row) for p in parts)
    raise CannotEvaluateOffline("subquery")


# --- stages --------------------------------------------------------------------------------------

class RowStage:
    """A stage applied to each row independently. `keep` updates one row in place and says whether it
    survives; `apply` returns the output rows (empty = dropped) and leaves its input unchanged.
    Stages that can turn one row into several (`single` false) override `apply` instead."""

    text: str
    index: int  # 0 is the scope, N the N-th pipe
    single = True

    def keep(self, row: Row) -> bool:
        raise NotImplementedError

    def apply(self, row: Row) -> list[Row]:
        copy = dict(row)
        return [copy] if self.keep(copy) else []

    def why(self, row: Row) -> str | None:
        return None


class TableStage:
    """A stage over all rows at once (sort, limit, aggregations)."""

    text: str
    index: int

    def apply_all(self, rows: list[Row]) -> list[Row]:
        raise NotImplementedError


def _fields_in(node: a.Node) -> list[str]:
    return list(dict.fromkeys(n.name for n in a.walk(node) if isinstance(n, a.Field)))


class ScopeStage(RowStage):
    def __init__(self, scope: a.Node) -> None:
        self.text = scope_text(scope)
        self.test = compile_scope(scope)

    def keep(self, row):
        return self.test(row)

    def why(self, row):
        return "the event does not match the search scope"


class WhereStage(RowStage):
    def __init__(self, node: a.Where) -> None:
        self.test = compile_expr(node.condition)
        self.names = _fields_in(node.condition)

    def keep(self, row):
        return truthy(self.test(row))

    def why(self, row):
        values = ", ".join(f"{n} = {_show(get(row, n))}" for n in self.names)
        return values or "the condition is false"


def _show(value: object) -> str:
    return "null" if value is None else repr(value) if isinstance(value, str) else to_text(value)


class AssignStage(RowStage):
    def __init__(self, node: a.Assign) -> None:
        self.value = compile_expr(node.expr)
        self.target = node.target

    def keep(self, row):
        value = self.value(row)
        if self.target is not None:
            row[self.target] = value
        return True


class ParseStage(RowStage):
    """Shared drop/nodrop handling for parse anchor, parse regex, json, keyvalue, csv/split."""

    nodrop = False
    field_name = "_raw"
    names: tuple[str, ...] = ()

    def extract(self, text: str) -> dict[str, object] | None:
        raise NotImplementedError

    def keep(self, row):
        text = to_text(get(row, self.field_name))
        found = self.extract(text) if text is not None else None
        if found is not None:
            row.update(found)
            if self.nodrop:
                row[_NODROP_MATCHED] = True
            return True
        return self.unmatched(row)

    def unmatched(self, row: Row) -> bool:
        if self.nodrop:
            row.update({name: get(row, name) for name in self.names})
            return True
        return bool(row.get(_NODROP_MATCHED))

    def why(self, row):
        if get(row, self.field_name) is None:
            return f"field {self.field_name} is null"
        return f"{self.what} did not match field {self.field_name}"

    what = "pattern"


def _anchor_regex(pattern: str) -> re.Pattern[str]:
    text = pattern.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r").replace('\\"', '"')
    pieces = text.split("*")
    body = [re.escape(pieces[0])]
    for index, piece in enumerate(pieces[1:], start=1):
        last = index == len(pieces) - 1
        body.append("(.*)" if last and not piece else "(.*?)")
        body.append(re.escape(piece))
    prefix = "^" if not pieces[0] else ""
    return re.compile(prefix + "".join(body), re.I | re.S)


class AnchorStage(ParseStage):
    what = "parse pattern"

    def __init__(self, node: a.ParseAnchor) -> None:
        self.pairs = [(_anchor_regex(p.pattern.raw), p.names) for p in node.patterns]
        self.names = tuple(n for p in node.patterns for n in p.names)
        self.nodrop, self.field_name = node.nodrop, node.field or "_raw"

    def extract(self, text):
        values: dict[str, object] = {}
        for regex, names in self.pairs:
            match = regex.search(text)
            if match is None:
                return None
            values.update(zip(names, (g.strip() if g else g for g in match.groups()), strict=False))
        return values


class RegexStage(ParseStage):
    what = "regex"

    def __init__(self, node: a.ParseRegex) -> None:
        self.regex = _compile_regex(node.pattern.value)
        self.names = tuple(self.regex.groupindex)
        self.nodrop, self.single, self.field_name = node.nodrop, not node.multi, node.field or "_raw"

    def extract(self, text):
        match = self.regex.search(text)
        return match.groupdict() if match else None

    def apply(self, row):
        if self.single:
            return super().apply(row)
        text = to_text(get(row, self.field_name))
        found = [m.groupdict() for m in self.regex.finditer(text)] if text is not None else []
        if found:
            marked = {_NODROP_MATCHED: True} if self.nodrop else {}
            return [{**row, **values, **marked} for values in found]
        copy = dict(row)
        return [copy] if self.unmatched(copy) else []


_JSON_SEGMENT = re.compile(r"\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[(\d+|\*)\]|\.?([^.\[\]]+)")


def _json_path(path: str) -> list[str | int]:
    path = path.removeprefix("$")
    segments: list[str | int] = []
    for quoted, dquoted, index, key in _JSON_SEGMENT.findall(path):
        if index:
            segments.append("*" if index == "*" else int(index))
        else:
            segments.append(quoted or dquoted or key)
    return segments


def _json_get(value: object, segments: list[str | int]) -> object:
    for position, segment in enumerate(segments):
        if segment == "*":
            if not isinstance(value, list):
                return _MISSING
            items = [_json_get(item, segments[position + 1:]) for item in value]
            return [item for item in items if item is not _MISSING]
        if isinstance(segment, int):
            if not isinstance(value, list) or segment >= len(value):
                return _MISSING
            value = value[segment]
        elif isinstance(value, dict) and segment in value:
            value = value[segment]
        else:
            return _MISSING
    return value


class JsonStage(ParseStage):
    what = "json"

    def __init__(self, node: a.Json) -> None:
        self.paths = [_json_path(p.value) for p in node.paths]
        self.names = node.names
        self.nodrop, self.auto, self.field_name = node.nodrop, node.auto, node.field or "_raw"

    def extract(self, text):
        try:
            document = json.loads(text[text.index("{"):] if "{" in text and not text.lstrip().startswith("[")
                                  else text)
        except ValueError:
            return None
        if self.auto:
            flat = {k.replace(" ", "_"): to_text(v) for k, v in document.items()} if isinstance(document, dict) else {}
            return flat if not self.paths else flat | (self._paths(document) or {})
        return self._paths(document)

    def _paths(self, document):
        values = {}
        for name, path in zip(self.names, self.paths, strict=False):
            value = _json_get(document, path)
            if value is _MISSING:
                return None
            values[name] = to_text(value)
        return values


class KeyValueStage(ParseStage):
    what = "keyvalue"
    _PAIR = r'({key})\s*(?:=|:|->)\s*(?:"((?:\\.|[^"\\])*)"|([^\s,;"]*))'

    def __init__(self, node: a.KeyValue) -> None:
        if node.regex is not None:
            raise CannotEvaluateOffline("keyvalue regex")
        self.keys = [k.value for k in node.keys]
        self.names = node.names
        key = "|".join(re.escape(k) for k in self.keys) if self.keys and not node.auto else r"[A-Za-z_][\w.\-]*"
        self.regex = re.compile(self._PAIR.format(key=key))
        self.nodrop, self.field_name = node.nodrop, node.field or "_raw"

    def extract(self, text):
        pairs = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in self.regex.finditer(text)}
        if not self.keys:
            return {a.key_field(k): v for k, v in pairs.items()} or None
        return {name: pairs[key] for key, name in zip(self.keys, self.names, strict=False) if key in pairs} or None


class SplitStage(ParseStage):
    what = "split"

    def __init__(self, node: a.Split) -> None:
        options = {k: v[1:-1] for k, v in node.options}
        self.dialect = {"delimiter": options.get("delim", ","), "quotechar": options.get("quote", '"'),
                        "escapechar": options.get("escape", "\\")}
        self.items, position = [], 0
        for item in node.extractions:
            position = item.index if item.index is not None else position + 1
            if item.name != "_":
                self.items.append((position, item.name))
        self.names = tuple(name for _, name in self.items)
        self.field_name = node.field

    def extract(self, text):
        columns = next(csv.reader([text], **self.dialect), [])
        return {name: columns[i - 1] if i <= len(columns) else None for i, name in self.items}


class FieldsStage(RowStage):
    def __init__(self, node: a.Fields) -> None:
        self.names = [f.name for f in node.names]
        self.lowered = {n.lower() for n in self.names}
        self.remove = node.mode == "-"

    def keep(self, row):
        lowered = self.lowered
        if self.remove:
            kept = {k: v for k, v in row.items() if k.lower() not in lowered}
        else:
            kept = {n: get(row, n) for n in self.names}
            kept.update({k: v for k, v in row.items() if k.startswith(("_", "\x00")) and k.lower() not in lowered})
        row.clear()
        row.update(kept)
        return True


class LookupStage(RowStage):
    def __init__(self, node: a.Lookup, tables: dict[str, list[dict]]) -> None:
        table = _table(node.table, tables)
        self.on = node.on
        self.outputs = [(o.name, o.alias or o.name) for o in node.outputs]
        self.entries: dict[tuple, dict] = {}
        for entry in table:
            key = tuple((to_text(get(entry, right)) or "").lower() for _, right in self.on)
            self.entries.setdefault(key, entry)

    def keep(self, row):
        key = tuple((to_text(get(row, left)) or "").lower() for left, _ in self.on)
        entry = self.entries.get(key)
        if self.outputs == [("*", "*")]:
            row.update(entry or {})
        else:
            row.update({alias: None if entry is None else get(entry, name) for name, alias in self.outputs})
        return True


def _table(location: str, tables: dict[str, list[dict]]) -> list[dict]:
    bare = re.sub(r'^[a-z]+://', "", location).strip('"')
    for key in (location, bare):
        if key in tables:
            return tables[key]
    raise CannotEvaluateOffline(f"lookup {location} (no table provided)")


class TimesliceStage(RowStage):
    def __init__(self, node: a.Timeslice) -> None:
        if node.buckets or not isinstance(node.size, a.Number):
            raise CannotEvaluateOffline("timeslice N buckets")
        self.size = int(node.size.value)
        self.name = node.alias or "_timeslice"

    def keep(self, row):
        time_ms = to_number(get(row, "_messagetime"))
        start = None if time_ms is None else int(time_ms) // self.size * self.size
        row[self.name] = start
        if start is not None:
            row["__timeslice_end"] = start + self.size
        return True


class SortStage(TableStage):
    def __init__(self, node: a.Sort) -> None:
        self.keys = [(compile_expr(k.expr), k.direction != "asc") for k in node.keys]

    def apply_all(self, rows):
        for value, descending in reversed(self.keys):
            rows = sorted(rows, key=lambda r, v=value: _sort_key(v(r)), reverse=descending)
        return rows


def _sort_key(value: object) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value, "")
    return (0 if value is None else 2, 0, to_text(value) or "")


class LimitStage(TableStage):
    def __init__(self, node: a.Limit) -> None:
        self.count = int(node.count.value) if isinstance(node.count, a.Number) else _param_error(node.count)

    def apply_all(self, rows):
        return rows[:self.count]


class DedupStage(TableStage):
    def __init__(self, node: a.Dedup) -> None:
        self.keys = [f.name for f in node.by] or ["_raw"]
        self.count, self.consecutive = node.count or 1, node.consecutive

    def apply_all(self, rows):
        seen: dict[tuple, int] = {}
        kept, previous = [], None
        for row in rows:
            key = tuple(to_text(get(row, k)) for k in self.keys)
            if self.consecutive and key != previous:
                seen.pop(previous, None)
            previous = key
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= self.count:
                kept.append(row)
        return kept


def _group(rows: list[Row], keys: list[str]) -> dict[tuple, list[Row]]:
    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(get(row, k) for k in keys), []).append(row)
    return groups


def _numbers(rows: list[Row], name: str) -> list[float]:
    return [n for n in (to_number(get(r, name)) for r in rows) if n is not None]


def _by_time(rows: list[Row], name: str, newest: bool) -> object:
    timed = [(to_number(get(r, "_messagetime")) or 0, get(r, name)) for r in rows if get(r, name) is not None]
    return (max if newest else min)(timed, key=lambda t: t[0])[1] if timed else None


def _percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, math.ceil(percent / 100 * len(ordered)) - 1)
    return ordered[rank]


_AGGREGATES: dict[str, Callable[[list[Row], list], object]] = {
    "count": lambda rows, args: len(rows) if not args else sum(get(r, args[0]) is not None for r in rows),
    "count_distinct": lambda rows, args: len({to_text(get(r, args[0])) for r in rows if get(r, args[0]) is not None}),
    "sum": lambda rows, args: sum(_numbers(rows, args[0])),
    "avg": lambda rows, args: statistics.fmean(v) if (v := _numbers(rows, args[0])) else None,
    "min": lambda rows, args: min(v) if (v := _numbers(rows, args[0])) else None,
    "max": lambda rows, args: max(v) if (v := _numbers(rows, args[0])) else None,
    "stddev": lambda rows, args: statistics.stdev(v) if len(v := _numbers(rows, args[0])) > 1 else 0.0,
    "median": lambda rows, args: statistics.median(v) if (v := _numbers(rows, args[0])) else None,
    "first": lambda rows, args: next((get(r, args[0]) for r in rows if get(r, args[0]) is not None), None),
    "last": lambda rows, args: next((get(r, args[0]) for r in reversed(rows) if get(r, args[0]) is not None), None),
    "values": lambda rows, args: ",".join(sorted({to_text(get(r, args[0])) for r in rows
                                                  if get(r, args[0]) is not None})),
    "most_recent": lambda rows, args: _by_time(rows, args[0], True),
    "least_recent": lambda rows, args: _by_time(rows, args[0], False),
}


class AggregateStage(TableStage):
    def __init__(self, node: a.Aggregate) -> None:
        self.by = [f.name for f in node.by]
        self.calls = []
        for call in node.calls:
            args = [arg.name if isinstance(arg, a.Field) else to_number(getattr(arg, "value", None))
                    for arg in call.args]
            if call.name == "count_frequent":
                self.by, self.calls = [arg for arg in args], [("_approxcount", _AGGREGATES["count"], [])]
                continue
            if call.name == "pct":
                for percent in args[1:] or [50]:
                    name = call.alias or f"_{args[0]}_pct_{to_text(percent)}"
                    self.calls.append((name, lambda rows, a_, p=percent: _percentile(_numbers(rows, a_[0]), p),
                                       args[:1]))
                continue
            if call.name not in _AGGREGATES:
                raise CannotEvaluateOffline(call.name)
            name = call.alias or ("_count" if call.name == "count" else f"_{call.name}")
            self.calls.append((name, _AGGREGATES[call.name], args))

    def apply_all(self, rows):
        out = []
        for key, members in _group(rows, self.by).items():
            result = dict(zip(self.by, key, strict=True))
            for name, function, args in self.calls:
                result[name] = function(members, args)
            out.append(result)
        return out


class TopStage(TableStage):
    def __init__(self, node: a.Top) -> None:
        self.count = int(node.count.value) if isinstance(node.count, a.Number) else _param_error(node.count)
        self.fields = [f.name for f in node.fields]

    def apply_all(self, rows):
        if rows and get(rows[0], "_count") is not None:  # already counted: rank the rows
            ranked = sorted(rows, key=lambda r: to_number(get(r, "_count")) or 0, reverse=True)
            return ranked[:self.count]
        groups = _group(rows, self.fields)
        counted = [{**dict(zip(self.fields, key, strict=True)), "_count": len(members)}
                   for key, members in groups.items()]
        return sorted(counted, key=lambda r: r["_count"], reverse=True)[:self.count]


class _Arguments:
    """Reads the argument tokens of an operator the parser keeps generically (`a.Operator`)."""

    def __init__(self, node: a.Operator) -> None:
        self.node, self.tokens, self.position = node, node.args, 0

    def peek(self) -> str:
        return self.tokens[self.position].lower() if self.position < len(self.tokens) else ""

    def take(self, *expected: str) -> str:
        token = self.peek()
        if not token or (expected and token not in expected):
            self.unsupported()
        self.position += 1
        return self.tokens[self.position - 1]

    def unsupported(self):
        raise CannotEvaluateOffline(f"{self.node.name} {' '.join(self.node.args)}")

    def accept(self, word: str) -> bool:
        if self.peek() == word:
            self.position += 1
            return True
        return False

    def names(self) -> list[str]:
        names = [self.take()]
        while self.accept(","):
            names.append(self.take())
        return names

    def constant(self) -> object:
        token = self.take()
        if token.startswith('"'):
            return a.String(token[1:-1]).value
        if token.startswith("{{"):
            raise CannotEvaluateOffline(f"unsubstituted parameter {token}")
        if not token[:1].isdigit():
            self.unsupported()
        return a.number_value(token)

    def done(self) -> None:
        if self.peek():
            self.unsupported()


class WithTimeStage(RowStage):
    """`withtime f` adds `f_withtime`; most_recent / least_recent read the row's `_messageTime` with it."""

    def __init__(self, node: a.Operator, previous: list[a.Node]) -> None:
        arguments = _Arguments(node)
        self.source = arguments.take()
        arguments.done()
        self.target = f"{self.source}_withtime"

    def keep(self, row):
        row[self.target] = get(row, self.source)
        return True


class RunningSumStage(TableStage):
    """`total f [as x] [by g, ...]` (`_total`: the group's sum on every row) and `accum` (`_accum`: the
    running sum in the current row order). Values that are not numbers add nothing."""

    def __init__(self, node: a.Operator, previous: list[a.Node]) -> None:
        arguments = _Arguments(node)
        self.running = node.name == "accum"
        self.source = arguments.take()
        self.target = arguments.take() if arguments.accept("as") else f"_{node.name}"
        self.by = arguments.names() if arguments.accept("by") else []
        arguments.done()

    def apply_all(self, rows):
        for members in _group(rows, self.by).values():
            total = 0
            for row in members:
                total += to_number(get(row, self.source)) or 0
                if self.running:
                    row[self.target] = total
            if not self.running:
                for row in members:
                    row[self.target] = total
        return rows


class FillMissingStage(TableStage):
    """`fillmissing`: adds a row for each missing combination of the generated key values (timeslice
    buckets between the first and last present, listed values, or all present values) with the other
    group keys as they occur; aggregate fields get 0 / 0.0 / false / null by their column type."""

    def __init__(self, node: a.Operator, previous: list[a.Node]) -> None:
        aggregate = next((n for n in reversed(previous) if isinstance(n, a.Aggregate)), None)
        if aggregate is None:
            raise CannotEvaluateOffline("fillmissing without an aggregation before it")
        self.keys = [f.name for f in aggregate.by]
        self.generators: list[tuple[str, Callable[[list[Row]], list[object]]]] = []
        self.constants: dict[str, object] = {}
        arguments = _Arguments(node)
        while arguments.peek():
            if arguments.accept("timeslice"):
                size = self._bucket_size(arguments, previous)
                name = arguments.take() if arguments.accept("in") else "_timeslice"
                self.generators.append((name, lambda rows, n=name, s=size: _buckets(rows, n, s)))
            elif arguments.accept("values"):
                listed = None if arguments.accept("all") else self._listed(arguments)
                arguments.take("in")
                name = arguments.take()
                self.generators.append((name, lambda rows, n=name, v=listed: v if v is not None else
                                        list(dict.fromkeys(get(r, n) for r in rows if get(r, n) is not None))))
            elif arguments.accept("with"):
                value = arguments.constant()
                arguments.take("for")
                self.constants[arguments.take()] = value
            elif not arguments.accept(","):
                arguments.unsupported()  # e.g. takeLast, which the reference does not define
        if not self.generators:
            raise CannotEvaluateOffline(f"fillmissing {' '.join(node.args)}")

    @staticmethod
    def _bucket_size(arguments: _Arguments, previous: list[a.Node]) -> int:
        if arguments.accept("("):
            size = arguments.constant()
            arguments.take(")")
            return int(size)
        timeslice = next((n for n in reversed(previous) if isinstance(n, a.Timeslice)), None)
        if timeslice is None or timeslice.buckets or not isinstance(timeslice.size, a.Number):
            raise CannotEvaluateOffline("fillmissing timeslice without a timeslice size")
        return int(timeslice.size.value)

    @staticmethod
    def _listed(arguments: _Arguments) -> list[object]:
        arguments.take("(")
        values = [arguments.constant()]
        while arguments.accept(","):
            values.append(arguments.constant())
        arguments.take(")")
        return values

    def apply_all(self, rows):
        generated = [name for name, _ in self.generators]
        others = [k for k in self.keys if k not in generated]
        combinations = [()]
        for _, values in self.generators:
            combinations = [(*c, v) for c in combinations for v in values(rows)]
        contexts = list(dict.fromkeys(tuple(get(r, k) for k in others) for r in rows)) or [()]
        seen = {(tuple(get(r, k) for k in generated), tuple(get(r, k) for k in others)) for r in rows}
        filled = [n for n in (rows[0] if rows else {}) if n not in generated and n not in others
                  and not n.startswith("\x00")]
        fills = {name: _fill_value(rows, name) for name in filled} | self.constants
        added = [{**dict(zip(generated, combination, strict=True)), **dict(zip(others, context, strict=True)),
                  **fills}
                 for context in contexts for combination in combinations if (combination, context) not in seen]
        return rows + added


def _buckets(rows: list[Row], name: str, size: int) -> list[int]:
    starts = [int(n) for n in (to_number(get(r, name)) for r in rows) if n is not None]
    return list(range(min(starts), max(starts) + 1, size)) if starts else []


def _fill_value(rows: list[Row], name: str) -> object:
    """The reference's fill defaults by column type: int 0, double 0.0, boolean false, string null."""
    kinds = {type(get(r, name)) for r in rows} - {type(None)}
    if kinds == {bool}:
        return False
    if kinds and kinds <= {int, float}:
        return 0.0 if float in kinds else 0
    return None


_OPERATORS: dict[str, Callable[[a.Operator, list[a.Node]], RowStage | TableStage]] = {
    "withtime": WithTimeStage, "total": RunningSumStage, "accum": RunningSumStage,
    "fillmissing": FillMissingStage,
}

_STAGES: dict[type, Callable[..., RowStage | TableStage]] = {
    a.Where: WhereStage, a.Assign: AssignStage, a.ParseAnchor: AnchorStage, a.ParseRegex: RegexStage,
    a.Json: JsonStage, a.KeyValue: KeyValueStage, a.Split: SplitStage, a.Fields: FieldsStage,
    a.Timeslice: TimesliceStage, a.Sort: SortStage, a.Limit: LimitStage, a.Dedup: DedupStage,
    a.Aggregate: AggregateStage, a.Top: TopStage,
}


# --- pipeline ------------------------------------------------------------------------------------

class Pipeline:
    """A compiled query. `run` streams events through row stages, then table stages over the rest.

    Without `explain`, events the literal prefilter rejects are skipped, and each run of consecutive
    one-row stages is applied to a row in place, stopping at the first stage that drops it.
    """

    def __init__(self, query: a.Query, stages: list[RowStage | TableStage],
                 prefilter: Callable[[dict], bool] | None = None) -> None:
        self.query = query
        self.stages = stages
        self.prefilter = prefilter
        self._plan: list[RowStage | TableStage | list[RowStage]] = []
        for stage in stages:
            if isinstance(stage, RowStage) and stage.single:
                if not self._plan or not isinstance(self._plan[-1], list):
                    self._plan.append([])
                self._plan[-1].append(stage)
            else:
                self._plan.append(stage)

    def run(self, events: list[dict], *, explain: bool = False) -> EvalResult:
        prefilter = None if explain else self.prefilter
        rows: list[tuple[int, Row]] = [(i, dict(e)) for i, e in enumerate(events) if prefilter is None or prefilter(e)]
        steps: list[list[StageStep]] = [[] for _ in events]
        aggregated = False
        for step in self._plan:
            trace = explain and not aggregated
            if isinstance(step, TableStage):
                rows = self._table(step, rows, steps, trace)
                aggregated = aggregated or isinstance(step, (AggregateStage, TopStage))
            elif isinstance(step, RowStage):
                rows = self._rows(step, rows, steps, trace)
            elif trace:
                for stage in step:
                    rows = self._rows(stage, rows, steps, trace)
            else:
                rows = self._in_place(step, rows)
        output = [{k: v for k, v in row.items() if not k.startswith("\x00")} for _, row in rows]
        traces = []
        if explain:
            survivors = {i for i, _ in rows}
            traces = [EventTrace(i, s, (i in survivors) if not aggregated else all(x.kept for x in s))
                      for i, s in enumerate(steps)]
        return EvalResult(output, traces)

    @staticmethod
    def _in_place(stages: list[RowStage], rows: list[tuple[int, Row]]) -> list[tuple[int, Row]]:
        keeps = [stage.keep for stage in stages]
        out = []
        for item in rows:
            row = item[1]
            for keep in keeps:
                if not keep(row):
                    break
            else:
                out.append(item)
        return out

    @staticmethod
    def _rows(stage, rows, steps, explain):
        out = []
        if not explain:
            for origin, row in rows:
                out.extend((origin, produced) for produced in stage.apply(row))
            return out
        for origin, row in rows:
            produced = stage.apply(row)
            out.extend((origin, p) for p in produced)
            added = {k: v for k, v in (produced[0] if produced else {}).items()
                     if not k.startswith("\x00") and (k not in row or row[k] != v)}
            steps[origin].append(StageStep(stage.index, stage.text, bool(produced),
                                           None if produced else stage.why(row), added))
        return out

    @staticmethod
    def _table(stage, rows, steps, explain):
        origin_of = {id(row): origin for origin, row in rows}
        result = stage.apply_all([row for _, row in rows])
        if isinstance(stage, (AggregateStage, TopStage)):
            if explain:
                for origin in sorted({o for o, _ in rows}):
                    steps[origin].append(StageStep(stage.index, stage.text, True, None,
                                                   {"aggregated into rows": len(result)}))
            return [(-1, row) for row in result]
        kept = [(origin_of.get(id(row), -1), row) for row in result]
        if explain:
            survivors = {o for o, _ in kept}
            for origin in sorted({o for o, _ in rows}):
                reason = None if origin in survivors else f"removed by {stage.text.split()[0]}"
                steps[origin].append(StageStep(stage.index, stage.text, origin in survivors, reason, {}))
        return kept


def compile_query(query: a.Query, *, lookups: dict[str, list[dict]] | None = None) -> Pipeline:
    """Compile once; raises CannotEvaluateOffline for operators that need the tenant."""
    stages: list[RowStage | TableStage] = []
    if query.scope is not None:
        stages.append(ScopeStage(query.scope))
        stages[0].index = 0
    for number, node in enumerate(query.stages, start=1):
        if isinstance(node, a.Lookup):
            stage = LookupStage(node, lookups or {})
        elif isinstance(node, a.Operator) and node.name in _OPERATORS:
            stage = _OPERATORS[node.name](node, list(query.stages[:number - 1]))
        elif type(node) in _STAGES:
            stage = _STAGES[type(node)](node)
        else:
            raise CannotEvaluateOffline(node.name if isinstance(node, a.Operator) else type(node).__name__.lower())
        stage.text, stage.index = stage_text(node), number
        stages.append(stage)
    return Pipeline(query, stages, compile_prefilter(query_requirement(query), _text_of))


def _text_of(row: Row, name: str) -> str | None:
    return to_text(get(row, name))
