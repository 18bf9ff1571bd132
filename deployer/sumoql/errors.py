"""Errors the sumoql package raises for user input: syntax errors and offline-evaluation limits.

Owns the exception types and their Diagnostic form; it does not decide when to raise them.
"""

from __future__ import annotations

from deployer.diagnostics import Diagnostic, Severity, Span


class QuerySyntaxError(ValueError):
    """A query that is not valid Sumo log-search syntax, located in the query text."""

    def __init__(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        super().__init__(f"line {span.line}, col {span.column}: {message}" + (f" ({hint})" if hint else ""))
        self.code = code
        self.message = message
        self.span = span
        self.hint = hint

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, self.message, Severity.ERROR, self.span, self.hint)


class CannotEvaluateOffline(Exception):
    """An operator whose result needs the tenant (threat intel, geo data, saved views, ...)."""

    def __init__(self, operator: str) -> None:
        super().__init__(f"cannot evaluate offline: {operator}")
        self.operator = operator
