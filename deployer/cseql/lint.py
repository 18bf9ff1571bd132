"""Linter for Cloud SIEM expressions, templates, entity selectors and MITRE tags -> Diagnostics.

Owns the checks and their stable codes (docs/cseql-lint.md); it never raises for user input and
does not evaluate records.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator

from deployer.diagnostics import Diagnostic, Severity, Span
from deployer.javaregex import RegexError, compile_java

from . import ast, schema
from .errors import ExpressionSyntaxError
from .functions import FUNCTIONS, THREAT_INDICATOR_ATTRIBUTES, THREAT_INDICATOR_STATES, lookup
from .parser import parse
from .printer import ends_with_odd_backslashes
from .templates import template_tokens

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Kinds of hasThreatMatch indicator attributes (everything else is a string).
INDICATOR_KINDS = {"confidence": "number"}
# Element/value kind of containers, by schema type.
CONTAINER_KINDS = {
    "map[string]string": "string",
    "map[string]boolean": "boolean",
    "map[string]array[string]": "array",
    "array[string]": "string",
}
KIND_OF_NODE = {
    ast.String: "string",
    ast.Number: "number",
    ast.Boolean: "boolean",
    ast.Null: "null",
    ast.ListExpr: "array",
    ast.Neg: "number",
    ast.Binary: "number",
    ast.Not: "boolean",
    ast.And: "boolean",
    ast.Or: "boolean",
    **{predicate: "boolean" for predicate in ast.PREDICATES},
}
FOLDING_FUNCTIONS = {
    "lower": str.islower,
    "tolowercase": str.islower,
    "upper": str.isupper,
    "touppercase": str.isupper,
}
# Regex text that is not a literal letter: escapes, inline-flag groups, \p{..} classes.
_REGEX_NON_LITERAL = re.compile(
    r"\[(?:\\.|[^\]\\])*\]|\\[pP]\{\w+\}|\\.|\(\?[a-zA-Z-]*[:)]|\(\?<?[=!]|\(\?<\w+>|\{\d*,?\d*\}"
)
_LIKE_AMBIGUOUS = re.compile(r"\\[%_\\]")
_PLAIN_AMBIGUOUS = re.compile(r"\\\\|\\[ntr]")
_GLOB_LOOKS_LIKE_REGEX = re.compile(r"^/.*/$|\.\*|\\|[\^$|()\[\]+?]")

MITRE_TAGS: dict[str, re.Pattern] = {
    "_mitreAttackTactic": re.compile(r"TA\d{4}"),
    "_mitreAttackTechnique": re.compile(r"T\d{4}(\.\d{3})?"),
    "_mitreAtlasTactic": re.compile(r"AML\.TA\d{4}"),
    "_mitreAtlasTechnique": re.compile(r"AML\.T\d{4}(\.\d{3})?"),
}


def _unparen(node: ast.Expr) -> ast.Expr:
    while isinstance(node, ast.Paren):
        node = node.expr
    return node


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f"did you mean {close[0]!r}?" if close else None


class Linter:
    def __init__(self, fields: set[str] | None) -> None:
        self.fields = set(schema.FIELDS) if fields is None else set(fields)
        self.found: list[Diagnostic] = []
        self.checks: dict[type, list[Callable[[ast.Expr], None]]] = {
            ast.String: [self.check_trailing_backslash],
            ast.Field: [self.check_field],
            ast.Member: [self.check_access],
            ast.Index: [self.check_access],
            ast.Call: [self.check_call],
            ast.Or: [self.check_mixed_and_or],
            ast.Compare: [
                self.check_types,
                self.check_null_compare,
                self.check_case_folding,
                self.check_backslashes,
            ],
            ast.InList: [self.check_types, self.check_case_folding, self.check_backslashes],
            ast.Between: [self.check_types],
            ast.Like: [self.check_like, self.check_case_folding],
            ast.RLike: [self.check_regex, self.check_case_folding],
            ast.Matches: [self.check_regex, self.check_case_folding],
        }
        self.in_threat_filter = False

    def report(
        self, code: str, severity: Severity, message: str, span: Span, hint: str | None = None
    ) -> None:
        self.found.append(Diagnostic(code, message, severity, span, hint))

    # Walk ---------------------------------------------------------------------------------------

    def visit(self, node: ast.Expr) -> None:
        for check in self.checks.get(type(node), ()):
            check(node)
        if isinstance(node, ast.Call) and node.name.lower() == "hasthreatmatch":
            self.visit_threat_match(node)
            return
        for child in node.children():
            self.visit(child)

    def visit_threat_match(self, node: ast.Call) -> None:
        """hasThreatMatch([fields], filter over indicator attributes, indicator state)."""
        fields, *rest = node.args or (None,)
        if fields is not None:
            self.visit(fields)
        if rest and isinstance(rest[-1], ast.Field) and rest[-1].name in THREAT_INDICATOR_STATES:
            rest = rest[:-1]
        outer, self.in_threat_filter = self.in_threat_filter, True
        for arg in rest:
            self.visit(arg)
        self.in_threat_filter = outer

    # Types ----------------------------------------------------------------------------------------

    def schema_type(self, node: ast.Expr) -> str | None:
        node = _unparen(node)
        if isinstance(node, ast.Field) and not self.in_threat_filter:
            return schema.field_type(node.name)
        if isinstance(node, ast.Member | ast.Index):
            base = self.schema_type(node.base)
            element = CONTAINER_KINDS.get(base or "")
            return {"string": "string", "boolean": "boolean", "array": "array[string]"}.get(element or "")
        return None

    def kind(self, node: ast.Expr) -> str | None:
        node = _unparen(node)
        if isinstance(node, ast.Field) and self.in_threat_filter:
            return INDICATOR_KINDS.get(node.name, "string")
        if isinstance(node, ast.Call):
            spec = lookup(node.name)
            return spec.returns if spec and spec.returns != "any" else None
        if isinstance(node, ast.Field | ast.Member | ast.Index):
            return schema.kind_of(self.schema_type(node))
        return KIND_OF_NODE.get(type(node))

    def mismatch(self, left: ast.Expr, right: ast.Expr, span: Span, what: str) -> None:
        kinds = {self.kind(left), self.kind(right)}
        if (
            None in kinds
            or "null" in kinds
            or len(kinds) == 1
            or not kinds <= {"string", "number", "boolean"}
        ):
            return
        self.report(
            "CSE201",
            WARNING,
            f"{what} compares a {self.kind(left)} with a {self.kind(right)}",
            span,
            "the value is cast implicitly and the test is false when the cast fails; "
            "use a literal of the field's type or an explicit cast (int(), toString())",
        )

    # Checks ----------------------------------------------------------------------------------------

    def check_field(self, node: ast.Field) -> None:
        if self.in_threat_filter:
            if node.name not in THREAT_INDICATOR_ATTRIBUTES:
                self.report(
                    "CSE241",
                    WARNING,
                    f"{node.name!r} is not a threat indicator attribute",
                    node.span,
                    "hasThreatMatch filters use: " + ", ".join(sorted(THREAT_INDICATOR_ATTRIBUTES)),
                )
            return
        if node.name not in self.fields:
            self.report(
                "CSE130",
                ERROR,
                f"unknown field {node.name!r}",
                node.span,
                _suggest(node.name, self.fields)
                or "use a normalized field, or fields['name'] for a raw vendor field",
            )
        elif node.name in schema.DEPRECATED:
            self.report("CSE203", WARNING, f"field {node.name!r} is deprecated", node.span)

    def check_access(self, node: ast.Member | ast.Index) -> None:
        if self.in_threat_filter:
            return
        base_type = self.schema_type(node.base)
        if schema.kind_of(base_type) in ("string", "number", "boolean"):
            self.report(
                "CSE204",
                WARNING,
                f"{base_type} value has no members or elements",
                node.span,
                "only map, array and struct fields take [key] or .name",
            )

    def check_call(self, node: ast.Call) -> None:
        spec = lookup(node.name)
        if spec is None:
            known = sorted({f.name for f in FUNCTIONS.values()})
            self.report(
                "CSE110", ERROR, f"unknown function {node.name!r}", node.span, _suggest(node.name, known)
            )
            return
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            expected = (
                str(spec.min_args)
                if spec.min_args == spec.max_args
                else f"{spec.min_args} or more"
                if spec.max_args is None
                else f"{spec.min_args} to {spec.max_args}"
            )
            self.report(
                "CSE111", ERROR, f"{node.name}() takes {expected} argument(s), got {count}", node.span
            )
            return
        for arg, expected in zip(node.args, spec.args, strict=False):
            actual = self.kind(arg)
            if expected != "any" and actual not in (None, "null", expected):
                self.report(
                    "CSE202",
                    WARNING,
                    f"{node.name}() expects a {expected} here, got a {actual}",
                    arg.span,
                    "cast it first (toString(), int()) or pass another field",
                )

    def check_mixed_and_or(self, node: ast.Or) -> None:
        if any(isinstance(operand, ast.And) for operand in node.operands):
            self.report(
                "CSE250",
                WARNING,
                "AND and OR mixed without parentheses; AND binds tighter",
                node.span,
                "add parentheses to make the intended grouping explicit",
            )

    def check_types(self, node: ast.Compare | ast.InList | ast.Between) -> None:
        if isinstance(node, ast.Compare):
            self.mismatch(node.left, node.right, node.span, f"'{node.op}'")
        elif isinstance(node, ast.InList):
            for item in node.items:
                self.mismatch(node.operand, item, item.span, "IN")
        else:
            for bound in (node.low, node.high):
                self.mismatch(node.operand, bound, bound.span, "BETWEEN")

    def check_null_compare(self, node: ast.Compare) -> None:
        if isinstance(_unparen(node.left), ast.Null) or isinstance(_unparen(node.right), ast.Null):
            self.report(
                "CSE230",
                WARNING,
                f"'{node.op}' with NULL is always false",
                node.span,
                "use IS NULL / IS NOT NULL",
            )

    def check_case_folding(self, node: ast.Expr) -> None:
        """lower(x) compared with a literal holding upper-case letters never matches (and upper() vice versa)."""
        call, literals = _folded_operand(node)
        folded = FOLDING_FUNCTIONS.get(call.name.lower()) if isinstance(call, ast.Call) else None
        if folded is None:
            return
        regex = isinstance(node, ast.RLike | ast.Matches)
        for literal in map(_unparen, literals):
            text = literal.source if isinstance(literal, ast.Regex) else getattr(literal, "value", None)
            if not isinstance(text, str) or (regex and "(?i" in text):
                continue
            if isinstance(node, ast.RLike) or isinstance(literal, ast.Regex):
                text = _REGEX_NON_LITERAL.sub("", text)
            if any(c.isalpha() and not folded(c) for c in text):
                self.report(
                    "CSE213",
                    WARNING,
                    f"{call.name}() result compared with {_literal(literal)}, which has "
                    f"{'upper' if folded is str.islower else 'lower'}-case letters: it can never match",
                    literal.span,
                    "write the literal in the same case",
                )

    def check_like(self, node: ast.Like) -> None:
        pattern = _unparen(node.pattern)
        if not isinstance(pattern, ast.String):
            return
        text = pattern.value
        if node.escape is None and _LIKE_AMBIGUOUS.search(text):
            self.report(
                "CSE210",
                WARNING,
                f"backslash before % _ or \\ in LIKE pattern {_literal(pattern)} is ambiguous",
                pattern.span,
                "this project reads it as a literal backslash (Windows paths); Sumo documents it as an "
                "escape. Use ESCAPE '!' or RLIKE to say which you mean",
            )
        if "%" not in text and "_" not in text:
            self.report(
                "CSE211",
                INFO,
                f"LIKE pattern {_literal(pattern)} has no wildcard: it is an equality test",
                pattern.span,
                "use = (or add % for a substring match)",
            )
        if ("*" in text and "%" not in text) or ".*" in text or "|" in text:
            self.report(
                "CSE212",
                WARNING,
                f"LIKE pattern {_literal(pattern)} uses * . or | , which LIKE treats literally",
                pattern.span,
                "LIKE wildcards are % (any run) and _ (one character); use RLIKE or MATCHES /re/ for a regex",
            )

    def check_regex(self, node: ast.RLike | ast.Matches) -> None:
        pattern = _unparen(node.pattern)
        if isinstance(node, ast.Matches) and isinstance(pattern, ast.String):
            if _GLOB_LOOKS_LIKE_REGEX.search(pattern.value):
                self.report(
                    "CSE214",
                    WARNING,
                    f"MATCHES {_literal(pattern)} is a wildcard pattern (only * is special), not a regex",
                    pattern.span,
                    "write MATCHES /regex/ without quotes for a regular expression",
                )
            return
        source = pattern.source if isinstance(pattern, ast.Regex) else getattr(pattern, "value", None)
        if not isinstance(source, str) or not isinstance(pattern, ast.Regex | ast.String):
            return
        try:
            compile_java(source)
        except RegexError as error:
            self.report("CSE120", ERROR, f"invalid regular expression: {error}", pattern.span)

    def check_trailing_backslash(self, node: ast.String) -> None:
        if ends_with_odd_backslashes(node.value):
            self.report(
                "CSE221",
                WARNING,
                f"string {_literal(node)} ends with a backslash before its closing quote",
                node.span,
                "read as a literal backslash that ends the string; write \\\\ or drop it to be unambiguous",
            )

    def check_backslashes(self, node: ast.Compare | ast.InList) -> None:
        values = node.items if isinstance(node, ast.InList) else (node.left, node.right)
        for value in map(_unparen, values):
            if isinstance(value, ast.String) and _PLAIN_AMBIGUOUS.search(value.value):
                self.report(
                    "CSE220",
                    WARNING,
                    f"string {_literal(value)} contains \\\\, \\n, \\t or \\r, which are compared verbatim",
                    value.span,
                    "string literals keep backslashes as written: '\\\\' is two backslashes, '\\n' is not a newline",
                )


def _folded_operand(node: ast.Expr) -> tuple[ast.Expr | None, list[ast.Expr]]:
    """The side that may be lower()/upper() and the literal side(s) it is tested against."""
    if isinstance(node, ast.Compare):
        if node.op not in ("=", "!="):
            return None, []
        left, right = _unparen(node.left), _unparen(node.right)
        return (left, [right]) if isinstance(left, ast.Call) else (right, [left])
    if isinstance(node, ast.InList):
        return _unparen(node.operand), list(node.items)
    return _unparen(node.operand), [node.pattern]


def _literal(node: ast.Expr) -> str:
    text = node.value if isinstance(node, ast.String) else getattr(node, "source", "")
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"/{text}/" if isinstance(node, ast.Regex) else repr(text)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.span.offset if d.span else -1, d.code))


def lint(text_or_expr: str | ast.Expr, *, fields: set[str] | None = None) -> list[Diagnostic]:
    """Diagnostics for one expression; a syntax error is a single diagnostic, never an exception.

    `fields`: the known field names (default: the normalized schema). `fields['x']` / `fields.x` pass.
    """
    if isinstance(text_or_expr, str):
        try:
            expr = parse(text_or_expr)
        except ExpressionSyntaxError as error:
            return [error.diagnostic]
    else:
        expr = text_or_expr
    linter = Linter(fields)
    linter.visit(expr)
    return _sorted(linter.found)


def lint_template(text: str, *, fields: set[str] | None = None) -> list[Diagnostic]:
    """Diagnostics for a name / summary / description template: malformed tokens, unknown fields."""
    known = set(schema.FIELDS) if fields is None else set(fields)
    found: list[Diagnostic] = []
    tokens = template_tokens(text)
    for token in tokens:
        if token.error is not None:
            found.append(
                Diagnostic(token.error.code, token.error.message, ERROR, token.span, token.error.hint)
            )
            continue
        root = ast.reference_root(token.expr)
        if isinstance(root, ast.Field) and root.name not in known:
            found.append(
                Diagnostic(
                    "CSE130",
                    f"template names unknown field {root.name!r}",
                    ERROR,
                    token.span,
                    _suggest(root.name, known)
                    or "use a normalized field, or {{fields['name']}} for a raw field",
                )
            )
    unclosed = text.count("{{") - len(tokens)
    if unclosed > 0:
        found.append(
            Diagnostic(
                "CSE132",
                "'{{' without a matching '}}'; the text is shown verbatim",
                WARNING,
                Span(1, 1, 0, len(text)),
                "close the token with }}",
            )
        )
    return _sorted(found)


def lint_entity_selector(
    entity_type: str, expression: str, *, fields: set[str] | None = None
) -> list[Diagnostic]:
    """Diagnostics for one entity selector: the expression must be a field of that entity type.

    Built-in types (schema.ENTITY_TYPES) need a normalized field carrying that type (CSE140);
    custom entity types accept any known field or fields['x'] (schema.is_entity_field).
    """
    found = lint(expression, fields=fields)
    if any(d.is_error for d in found):
        return found
    expr = _unparen(parse(expression))
    root = ast.reference_root(expr)
    if not isinstance(root, ast.Field):
        return found + [
            Diagnostic(
                "CSE142",
                "entity selector is not a field reference",
                WARNING,
                expr.span,
                "name the record field that holds the entity, e.g. srcDevice_ip",
            )
        ]
    if isinstance(expr, ast.Field) and not schema.is_custom_entity_type(entity_type):
        if not schema.is_entity_field(expr.name, entity_type):
            carried = schema.entity_type_of(expr.name)
            found.append(
                Diagnostic(
                    "CSE140",
                    f"{expr.name!r} is not a {entity_type} entity field"
                    + (f" (it carries {carried})" if carried else ""),
                    ERROR,
                    expr.span,
                    "fields of this type: "
                    + ", ".join(sorted(n for n, t in schema.ENTITY_FIELDS.items() if t == entity_type)[:8]),
                )
            )
    return found


def lint_tags(tags: Iterable[str]) -> list[Diagnostic]:
    """CSE150 for `_mitre*` tags that are not well formed (`_mitreAttackTechnique:T1059.001`)."""
    return list(_tag_diagnostics(tags))


def _tag_diagnostics(tags: Iterable[str]) -> Iterator[Diagnostic]:
    for position, tag in enumerate(tags):
        key, _, value = tag.partition(":")
        if not key.startswith("_mitre"):
            continue
        pattern = MITRE_TAGS.get(key)
        if pattern is None or not pattern.fullmatch(value):
            yield Diagnostic(
                "CSE150",
                f"tag {position + 1} {tag!r} is not a well-formed MITRE tag",
                ERROR,
                None,
                "write " + " / ".join(f"{k}:{p.pattern}" for k, p in MITRE_TAGS.items()),
            )
