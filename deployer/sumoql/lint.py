"""Lint rules for Sumo log-search queries: each rule is a small function yielding Diagnostics.

Owns the rule catalogue (codes SQL1xx, documented in docs/sumoql-lint.md) and field-flow checks;
it does not parse (parser.py) and never raises for user input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from deployer import javaregex as rx
from deployer.diagnostics import Diagnostic, Severity, Span
from deployer.sumoql import ast as a
from deployer.sumoql.parser import parse_collecting
from deployer.sumoql.printer import stage as stage_text
from deployer.sumoql.tokens import Tokenizer

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

METADATA = frozenset(name.lower() for name in (
    "_raw", "_collector", "_source", "_sourceCategory", "_sourceHost", "_sourceName", "_messageCount",
    "_messageTime", "_receiptTime", "_size", "_format", "_view", "_index", "_messageId", "_collectorId",
    "_sourceId", "_blockId", "_dataTier",
))
AGGREGATE_OUTPUT = {
    "count": "_count", "count_distinct": "_count_distinct", "count_frequent": "_approxcount", "sum": "_sum",
    "avg": "_avg", "min": "_min", "max": "_max", "stddev": "_stddev", "median": "_median", "first": "_first",
    "last": "_last", "values": "_values", "most_recent": "_most_recent", "least_recent": "_least_recent",
}
NEEDS_AS = frozenset({"concat", "format", "replace", "substring", "trim"})
_REGEX_META = re.compile(r"[\\()|\[\]^$+{}]")
_PARAM = re.compile(r"\{\{\s*([^{}\n]*?)\s*\}\}")
_PY_NAMED = re.compile(r"\(\?P<(\w*)>")


def lint(query_or_text: a.Query | str, *, parameters: set[str] | None = None) -> list[Diagnostic]:
    """All findings for one query, sorted by position. Never raises for user input."""
    text = query_or_text if isinstance(query_or_text, str) else None
    if text is None:
        query, errors = query_or_text, []
    else:
        query, errors = parse_collecting(text)
    found = [error.diagnostic for error in errors]
    if query is not None:
        for rule in RULES:
            found.extend(rule(query))
    if parameters is not None and text is not None:
        found.extend(_undeclared_parameters(text, parameters))
    unique = {(d.code, d.span, d.message): d for d in found}
    return sorted(unique.values(), key=lambda d: (d.span.offset if d.span else -1, d.code))


def _inside(span: Span | None, raw: str, index: int, length: int = 1) -> Span | None:
    """The span of `raw[index:]` for a literal whose opening quote is at `span`."""
    if span is None:
        return None
    before = raw[:index]
    newlines = before.count("\n")
    column = span.column + 1 + index if not newlines else index - before.rfind("\n")
    return Span(span.line + newlines, column, span.offset + 1 + index, length)


def _stages(query: a.Query) -> Iterator[a.Node]:
    """Stages of the query and of every subquery inside it."""
    for node in a.walk(query):
        if isinstance(node, a.Query):
            yield from node.stages


# --- regex rules ---------------------------------------------------------------------------------

def _regex_literals(query: a.Query) -> Iterator[tuple[a.String | a.Regex, bool]]:
    """Every regex in the query, with whether it is a `parse regex` (needs named groups)."""
    for stage in _stages(query):
        if isinstance(stage, a.ParseRegex):
            yield stage.pattern, True
        elif isinstance(stage, a.KeyValue) and stage.regex is not None:
            yield stage.regex, False
    for node in a.walk(query):
        if isinstance(node, a.Regex):
            yield node, False


class _LocatedRegex:
    """A regex literal's pattern as the engine gets it, with spans back in the query text."""

    def __init__(self, literal: a.String | a.Regex) -> None:
        self.literal = literal
        # a /.../ literal reaches the engine with \/ unescaped; a string's raw text reaches it as written
        self.pattern = literal.pattern if isinstance(literal, a.Regex) else literal.raw
        self.translation = rx.translate(self.pattern)

    def span(self, start: int, end: int | None = None) -> Span | None:
        """The query-text span of `pattern[start:end]` (one character without `end`)."""
        literal = self.literal
        to_raw = literal.raw_index if isinstance(literal, a.Regex) else int
        first = to_raw(start)
        return _inside(literal.span, literal.raw, first, 1 if end is None else to_raw(end) - first)


def rule_regexes(query: a.Query) -> Iterator[Diagnostic]:
    for literal, is_parse in _regex_literals(query):
        regex = _LocatedRegex(literal)
        found = list(regex.translation.groups)
        python_named = [g for g in found if g.kind == "python-named"]
        for group in python_named:
            yield Diagnostic(
                "SQL110", f"named group '(?P<{group.name}>' uses Python syntax, which Sumo rejects",
                ERROR, regex.span(group.start, group.start + 5 + len(group.name or "")),
                f"write the group as (?<{group.name}>...)")
        if is_parse:
            yield from _parse_regex_groups(regex, found, python_named)
        yield from _compile(regex, {group.start for group in python_named})


def _parse_regex_groups(regex: _LocatedRegex, found: list[rx.Group], python_named) -> Iterator[Diagnostic]:
    if not any(g.kind == "named" for g in found) and not python_named:
        yield Diagnostic("SQL115", "parse regex needs at least one named group (?<name>...)", ERROR,
                         regex.literal.span, "name what you extract, e.g. \"user=(?<user>\\S+)\"")
    for group in found:
        if group.kind == "capturing":
            yield Diagnostic("SQL111", "unnamed capturing group in parse regex; Sumo documents only named groups",
                             WARNING, regex.span(group.start),
                             "make it non-capturing with (?:...) or name it (?<name>...)")
        elif group.kind in ("named", "python-named") and group.inside_named:
            yield Diagnostic("SQL112", f"named group '{group.name}' is nested inside '{group.inside_named}';"
                             " Sumo does not support nested named groups", ERROR, regex.span(group.start),
                             "extract the inner value in a second parse regex")


def _compile(regex: _LocatedRegex, reported: set[int]) -> Iterator[Diagnostic]:
    """SQL114/SQL113 for the pattern; errors at `reported` (the (?P< groups, SQL110) are not repeated."""
    translation = regex.translation
    for index, construct in translation.problems:
        yield Diagnostic("SQL114", f"regex uses {construct}, which the offline checker cannot verify", INFO,
                         regex.span(index), "the query may still be valid in Sumo")
    if translation.problems:
        return
    hint = "check brackets, groups and escapes in the pattern"
    errors = [(index, message) for index, message in translation.errors if index not in reported]
    for index, message in errors:
        yield Diagnostic("SQL113", f"invalid regular expression: {message}", ERROR, regex.span(index), hint)
    if errors:
        return
    try:
        translation.compile()
    except rx.RegexError as error:
        span = regex.literal.span if error.index is None else regex.span(error.index)
        yield Diagnostic("SQL113", f"invalid regular expression: {error.message}", ERROR, span, hint)


def rule_python_named_in_invalid(query: a.Query) -> Iterator[Diagnostic]:
    """`(?P<name>` inside stages that did not parse (often because of an unescaped quote)."""
    for stage in _stages(query):
        if isinstance(stage, a.Invalid) and stage.span is not None:
            for match in _PY_NAMED.finditer(stage.text):
                yield Diagnostic("SQL110", f"named group '(?P<{match.group(1)}>' uses Python syntax, which Sumo"
                                 " rejects", ERROR, _inside(stage.span, " " + stage.text, match.start(),
                                                            len(match.group())),
                                 f"write the group as (?<{match.group(1)}>...)")


# --- expression rules ----------------------------------------------------------------------------

def rule_quoted_regex(query: a.Query) -> Iterator[Diagnostic]:
    for node in a.walk(query):
        if isinstance(node, a.Binary) and node.op == "matches" and isinstance(node.right, a.String):
            raw = node.right.raw
            if len(raw) >= 2 and raw.startswith("/") and raw.endswith("/"):
                regex_like = bool(_REGEX_META.search(raw))
                yield Diagnostic(
                    "SQL120", f"matches \"{raw[:40]}\" is a wildcard match of the literal text, not a regex",
                    ERROR if regex_like else WARNING, node.right.span,
                    f"for a regular expression drop the quotes: matches {raw}")


def rule_aggregate_arguments(query: a.Query) -> Iterator[Diagnostic]:
    for stage in _stages(query):
        if isinstance(stage, a.Aggregate):
            for call in stage.calls:
                first = call.args[:1]
                if first and not isinstance(first[0], (a.Field, a.Param)):
                    yield Diagnostic("SQL130", f"{call.name}() takes a field, not an expression", ERROR,
                                     call.span, "compute the value in an earlier pipe: "
                                     f"'| <expression> as v | {call.name}(v)'")


def rule_function_needs_as(query: a.Query) -> Iterator[Diagnostic]:
    for stage in _stages(query):
        if isinstance(stage, a.Assign) and stage.alias is None and isinstance(stage.expr, a.Call):
            if stage.expr.name.lower() in NEEDS_AS:
                yield Diagnostic("SQL131", f"{stage.expr.name}() needs 'as <field>' to keep its result", ERROR,
                                 stage.span, f"write '| {stage_text(stage)} as <field>'")


def rule_duplicate_fields(query: a.Query) -> Iterator[Diagnostic]:
    for stage in _stages(query):
        if isinstance(stage, a.Fields):
            seen: set[str] = set()
            for ref in stage.names:
                if ref.name.lower() in seen:
                    yield Diagnostic("SQL132", f"field '{ref.name}' is listed twice; Sumo fails the query",
                                     ERROR, ref.span, "list each field once")
                seen.add(ref.name.lower())


def rule_anchor_counts(query: a.Query) -> Iterator[Diagnostic]:
    for stage in _stages(query):
        if isinstance(stage, a.ParseAnchor):
            for pair in stage.patterns:
                raw = pair.pattern.raw
                if "**" in raw:
                    yield Diagnostic("SQL133", "'**' in a parse pattern is invalid", ERROR,
                                     _inside(pair.pattern.span, raw, raw.index("**"), 2),
                                     "put anchor text between the wildcards")
                elif raw.count("*") != len(pair.names):
                    yield Diagnostic("SQL133", f"the pattern has {raw.count('*')} '*' but {len(pair.names)} "
                                     "field names", ERROR, pair.span, "give one name per '*'")


# --- field flow ----------------------------------------------------------------------------------

class _Flow:
    """Which fields exist before each stage; `known` is None once an operator may define anything."""

    def __init__(self, scope: a.Node | None) -> None:
        self.known: set[str] | None = set(METADATA)
        self.dropped: set[str] = set()
        self.aggregated = False
        for node in a.walk(scope) if scope is not None else ():
            if isinstance(node, a.FieldMatch):
                self.known.add(node.field.lower())

    def define(self, *names: str) -> None:
        if self.known is not None:
            self.known.update(n.lower() for n in names)

    def keep_only(self, names: set[str], *, aggregation: bool) -> None:
        if self.known is not None:
            self.dropped |= self.known - names
        self.aggregated = self.aggregated or aggregation
        self.known = names if aggregation else names | METADATA

    def forget(self) -> None:
        if not self.aggregated:
            self.known = None


def _uses(stage: a.Node) -> Iterator[a.Field]:
    source = getattr(stage, "field", None)
    if isinstance(source, str):
        yield a.Field(source, stage.span)
    skip_names: set[int] = set()
    if isinstance(stage, a.Aggregate):
        yield from (ref for ref in stage.by)
    elif isinstance(stage, (a.Fields, a.Dedup)):
        yield from (stage.names if isinstance(stage, a.Fields) else stage.by)
        return
    for node in a.walk(stage):
        if isinstance(node, a.Subquery):
            skip_names.update(id(inner) for inner in a.walk(node.query))
        if isinstance(node, a.Field) and id(node) not in skip_names and node.name != "*":
            yield node


def _defines(stage: a.Node, flow: _Flow) -> None:
    kind = type(stage)
    if kind is a.ParseAnchor:
        flow.define(*(n for p in stage.patterns for n in p.names))
    elif kind is a.ParseRegex:
        flow.define(*(g.name for g in rx.groups(stage.pattern.raw) if g.name))
    elif kind is a.Json:
        if stage.auto:
            flow.forget()
        flow.define(*stage.names)
    elif kind is a.KeyValue:
        if stage.auto or not stage.keys:
            flow.forget()
        flow.define(*stage.names)
    elif kind is a.Split:
        flow.define(*(e.name for e in stage.extractions))
    elif kind is a.Assign:
        flow.define(stage.target or "")
    elif kind is a.Lookup:
        if any(o.name == "*" for o in stage.outputs):
            flow.forget()
        flow.define(*(o.alias or o.name for o in stage.outputs))
    elif kind is a.Timeslice:
        flow.define(stage.alias or "_timeslice", "__timeslice_end")
    elif kind is a.Aggregate:
        outputs = {(c.alias or _aggregate_output(c)).lower() for c in stage.calls}
        flow.keep_only(outputs | {f.name.lower() for f in stage.by}, aggregation=True)
    elif kind is a.Top:
        keys = {k.expr.name.lower() for k in stage.by if isinstance(k.expr, a.Field)}
        flow.keep_only({f.name.lower() for f in stage.fields} | keys | {"_count"}, aggregation=True)
    elif kind is a.Fields and stage.mode != "-":
        flow.keep_only({f.name.lower() for f in stage.names}, aggregation=False)
    elif kind is a.Fields and flow.known is not None:
        removed = {f.name.lower() for f in stage.names}
        flow.known -= removed
        flow.dropped |= removed
    elif kind in (a.Operator, a.Invalid):
        flow.known = None


def _aggregate_output(call: a.AggCall) -> str:
    if call.name == "pct" and len(call.args) >= 2 and isinstance(call.args[0], a.Field):
        percent = call.args[1].text if isinstance(call.args[1], a.Number) else "x"
        return f"_{call.args[0].name}_pct_{percent}"
    return AGGREGATE_OUTPUT.get(call.name, "_" + call.name)


def rule_field_flow(query: a.Query) -> Iterator[Diagnostic]:
    flow = _Flow(query.scope)
    for stage in query.stages:
        if flow.known is not None:
            yield from _check_uses(stage, flow)
        _defines(stage, flow)


def _check_uses(stage: a.Node, flow: _Flow) -> Iterator[Diagnostic]:
    for ref in _uses(stage):
        name = ref.name.lower()
        if name in flow.known or "{{" in name:
            continue
        if flow.aggregated or name in flow.dropped:
            after = "an aggregation" if flow.aggregated else "'fields'"
            yield Diagnostic("SQL141", f"field '{ref.name}' no longer exists after {after}", ERROR, ref.span,
                             "keep it (in 'by ...' or the fields list) or use it in an earlier pipe")
        else:
            yield Diagnostic("SQL140", f"field '{ref.name}' is used before any operator defines it", WARNING,
                             ref.span, "parse or assign it in an earlier pipe, or quote the value if you "
                             "meant a string: \"...\"")


def _undeclared_parameters(text: str, declared: set[str]) -> Iterator[Diagnostic]:
    locate = Tokenizer(text)
    for match in _PARAM.finditer(text):
        if match.group(1) not in declared:
            yield Diagnostic("SQL150", f"parameter '{{{{{match.group(1)}}}}}' is not declared", ERROR,
                             locate.span(match.start(), match.end()),
                             "declare it in the detection's parameters, or fix its spelling"
                             + (f" (declared: {', '.join(sorted(declared))})" if declared else ""))


RULES: tuple[Callable[[a.Query], Iterator[Diagnostic]], ...] = (
    rule_regexes, rule_python_named_in_invalid, rule_quoted_regex, rule_aggregate_arguments,
    rule_function_needs_as, rule_duplicate_fields, rule_anchor_counts, rule_field_flow,
)
