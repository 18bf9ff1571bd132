"""Errors the sumoql package raises for user input: syntax errors and offline-evaluation limits.

Owns the exception types and their Diagnostic form; it does not decide when to raise them.
"""

from __future__ import annotations

from deployer.diagnostics import SourceSyntaxError


class QuerySyntaxError(SourceSyntaxError):
    """A query that is not valid Sumo log-search syntax, located in the query text."""


class CannotEvaluateOffline(Exception):
    """An operator whose result needs the tenant (threat intel, geo data, saved views, ...)."""

    def __init__(self, operator: str) -> None:
        super().__init__(f"cannot evaluate offline: {operator}")
        self.operator = operator
