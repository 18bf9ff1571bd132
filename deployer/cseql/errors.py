"""The one exception the expression language raises for user input: ExpressionSyntaxError.

Owns the error value and its Diagnostic form; it does not decide what is wrong (tokens/parser do).
"""

from __future__ import annotations

from deployer.diagnostics import Diagnostic, Severity, Span


class ExpressionSyntaxError(ValueError):
    """A Cloud SIEM expression that does not parse: a stable code, where, and what to do."""

    def __init__(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        super().__init__(f"{span.line}:{span.column}: {message}")
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
