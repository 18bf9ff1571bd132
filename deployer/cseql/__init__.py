"""Cloud SIEM expression language: parse, print, lint and evaluate rule expressions and templates.

Public surface below; the rule-type level (threshold, chain, windows, signals) is deployer.cseql.rules,
linting a whole `cse` block is rule_lint.py, importing API rules is importer.py.
"""

from __future__ import annotations

from . import ast, schema
from .ast import Expr
from .errors import ExpressionSyntaxError
from .evaluate import compile_expression, evaluate, is_true, matches
from .lint import lint, lint_entity_selector, lint_tags, lint_template
from .parser import parse
from .printer import format_expression
from .templates import render_template, template_fields

__all__ = [
    "Expr",
    "ExpressionSyntaxError",
    "ast",
    "compile_expression",
    "evaluate",
    "format_expression",
    "is_true",
    "lint",
    "lint_entity_selector",
    "lint_tags",
    "lint_template",
    "matches",
    "parse",
    "render_template",
    "schema",
    "template_fields",
]
