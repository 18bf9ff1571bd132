"""The Diagnostic type every stage reports with: code, severity, span, message, hint.

Owns the value and its text/JSON rendering; it does not decide what is wrong (the stages do).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Span:
    """A position in a source text: 1-based line and column, 0-based offset, and a length."""

    line: int
    column: int
    offset: int = 0
    length: int = 0

    def shifted(self, line_delta: int, column_delta: int = 0) -> Span:
        """This span moved into an enclosing file (a query embedded in a YAML block)."""
        column = self.column + column_delta
        return Span(self.line + line_delta, column, self.offset, self.length)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `code` is stable (e.g. CNT101, SQL101, CSE201); `path` names the file."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    span: Span | None = None
    hint: str | None = None
    path: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def at(self, path: str | None = None, span: Span | None = None) -> Diagnostic:
        """A copy located in `path` at `span` (either may be omitted)."""
        return replace(self, path=path if path is not None else self.path, span=span or self.span)

    def location(self) -> str:
        parts = [self.path or "<input>"]
        if self.span is not None:
            parts += [str(self.span.line), str(self.span.column)]
        return ":".join(parts)

    def format(self, source_line: str | None = None) -> str:
        """Plain text: `file:line:col: error[CODE] message`, the source line with a caret, the hint."""
        text = f"{self.location()}: {self.severity.value}[{self.code}] {self.message}"
        if source_line is not None and self.span is not None:
            caret = " " * (self.span.column - 1) + "^" * max(1, min(self.span.length, len(source_line)))
            text += f"\n    {source_line.rstrip()}\n    {caret}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_json(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


class SourceSyntaxError(ValueError):
    """Text in one of the query languages that does not parse: a stable code, where, and what to do.

    Each language raises its own subclass (sumoql.QuerySyntaxError, cseql.ExpressionSyntaxError).
    """

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
