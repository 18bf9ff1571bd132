"""Errors of the Sigma import stage: a malformed rule, or a construct the converter does not support.

Owns the message shape (rule path, construct, hint); the CLI turns them into click errors.
"""

from __future__ import annotations


class SigmaError(Exception):
    """The rule cannot be read as Sigma (bad YAML, missing key, unknown selection)."""

    def __init__(self, message: str, path: str = "<rule>", hint: str = ""):
        super().__init__(message)
        self.message = message
        self.path = path
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class SigmaUnsupported(SigmaError):
    """Valid Sigma that this converter cannot express as a Cloud SIEM match rule; `construct` names it."""

    def __init__(self, construct: str, path: str = "<rule>", hint: str = ""):
        super().__init__(f"unsupported Sigma construct: {construct}", path, hint)
        self.construct = construct
