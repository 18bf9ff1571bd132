"""`validate`: content loading + cross-file checks + query and expression linting, as one report.

Composes the content, sumoql and cseql stages; owns no checks of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deployer import sumoql
from deployer.content.checks import check_fixtures, check_unique
from deployer.content.loader import LoadResult, load_content
from deployer.content.model import Detection
from deployer.cseql.rule_lint import lint_rule
from deployer.diagnostics import Diagnostic


@dataclass
class ValidationReport:
    """Everything `validate` found, plus what it looked at."""

    content: LoadResult
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def invalid_paths(self) -> set[str]:
        return {d.path for d in self.errors if d.path}

    def valid_detections(self) -> list[Detection]:
        bad = self.invalid_paths()
        return [d for d in self.content.detections if d.path not in bad]

    def source_line(self, diagnostic: Diagnostic) -> str | None:
        doc = self.content.sources.get(diagnostic.path or "")
        return doc.source_line(diagnostic.span.line) if doc is not None and diagnostic.span else None


def lint_detection(detection: Detection) -> list[Diagnostic]:
    """Query / expression diagnostics for one detection, located in its content file."""
    found = []
    if detection.search is not None:
        key = ("search", "query")
        for diagnostic in sumoql.lint(detection.search["query"], parameters=set(detection.parameters)):
            span = detection.document.text_span(key, diagnostic.span) if diagnostic.span else detection.document.span_of(key)
            found.append(diagnostic.at(detection.path, span))
    if detection.cse is not None:
        found += lint_rule(detection)
    return found


def validate_content(paths: list[str | Path] | None = None, root: Path | None = None) -> ValidationReport:
    content = load_content(paths, root)
    report = ValidationReport(content=content, diagnostics=list(content.diagnostics))
    report.diagnostics += check_unique(content.detections)
    for detection in content.detections:
        report.diagnostics += check_fixtures(detection, content.config)
        report.diagnostics += lint_detection(detection)
    report.diagnostics.sort(key=lambda d: (d.path or "", d.span.line if d.span else 0, d.span.column if d.span else 0))
    return report
