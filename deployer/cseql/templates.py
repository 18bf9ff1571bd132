"""Signal name / summary / description templates: `{{field}}`, `{{fields['x']}}`, `{{fields.x}}` tokens.

Owns finding, parsing and filling the tokens; it does not check field names (lint.py does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from deployer.diagnostics import Span

from . import ast
from .errors import ExpressionSyntaxError
from .evaluate import evaluate
from .functions import to_text
from .parser import parse
from .printer import format_expression
from .tokens import Tokenizer

_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class TemplateToken:
    """One `{{...}}`: its inner text, where it is in the template, and the parsed reference (or the error)."""

    text: str
    span: Span
    expr: ast.Expr | None
    error: ExpressionSyntaxError | None


def _is_reference(expr: ast.Expr) -> bool:
    return isinstance(ast.reference_root(expr), ast.Field)


def template_tokens(text: str) -> list[TemplateToken]:
    tokens = []
    positions = Tokenizer(text)
    for match in _TOKEN.finditer(text):
        span = positions.span(match.start(), match.end())
        try:
            expr = parse(match.group(1))
        except ExpressionSyntaxError as error:
            tokens.append(TemplateToken(match.group(1), span, None, error))
            continue
        if not _is_reference(expr):
            error = ExpressionSyntaxError(
                "CSE131",
                f"template token {{{{{match.group(1).strip()}}}}} is not a field reference",
                span,
                "templates take a field name, fields['x'] or fields.x; no functions or operators",
            )
            tokens.append(TemplateToken(match.group(1), span, None, error))
            continue
        tokens.append(TemplateToken(match.group(1), span, expr, None))
    return tokens


def template_fields(text: str) -> list[str]:
    """The field references a template uses, printed canonically (`user_username`, `fields['x']`)."""
    return [format_expression(t.expr) for t in template_tokens(text) if t.expr is not None]


def render_template(text: str, record: dict[str, Any]) -> str:
    """Fill every `{{reference}}` from the record; a null value renders as the empty string.

    A token that is not a field reference is left as written.
    """

    def fill(match: re.Match) -> str:
        try:
            expr = parse(match.group(1))
        except ExpressionSyntaxError:
            return match.group()
        if not _is_reference(expr):
            return match.group()
        return to_text(evaluate(expr, record)) or ""

    return _TOKEN.sub(fill, text)
