"""The one exception the expression language raises for user input: ExpressionSyntaxError.

Owns the error value and its Diagnostic form; it does not decide what is wrong (tokens/parser do).
"""

from __future__ import annotations

from deployer.diagnostics import SourceSyntaxError


class ExpressionSyntaxError(SourceSyntaxError):
    """A Cloud SIEM expression that does not parse: a stable code, where, and what to do."""
