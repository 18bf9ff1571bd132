"""The review report as a value: changed files and detections, validation, fixtures, per-environment payload diffs.

Owns the shapes and the verdict (ready / blocked); building it is build.py, printing it is render.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from deployer.diagnostics import Diagnostic
from deployer.sync.plan import FieldChange

KINDS = ("added", "modified", "renamed", "deprecated", "invalid", "removed")


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file git reports: status A / M / D / R (then `old_path` is where it was), path relative to the content root."""

    status: str
    path: str
    old_path: str | None = None


@dataclass(frozen=True, slots=True)
class TextDiff:
    """A unified diff of one query or expression (`field` e.g. `search.query`, `cse.expression`)."""

    field: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DetectionChange:
    """One detection, matched by id across base and head.

    kind: added | modified | renamed (file moved, maybe also edited) | deprecated (status became
    deprecated) | invalid (its file changed and no longer loads) | removed.
    """

    kind: str
    id: str
    name: str
    path: str
    old_path: str | None = None
    metadata: tuple[FieldChange, ...] = ()
    sections: tuple[str, ...] = ()
    text_diffs: tuple[TextDiff, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FixtureOutcome:
    """A fixture of a changed detection at head in one environment, and its status at base (same environment)
    when it existed there."""

    detection_id: str
    detection_name: str
    fixture: str
    status: str
    failures: tuple[str, ...] = ()
    base_status: str | None = None
    environment: str = "local"

    @property
    def ok(self) -> bool:
        return self.status == "pass"

    @property
    def regression(self) -> bool:
        return self.base_status == "pass" and not self.ok


@dataclass(frozen=True, slots=True)
class PayloadDiff:
    """One API object (cse_rule, scheduled_search, monitor): created, deleted or updated field by field."""

    kind: str
    action: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class EnvironmentImpact:
    """What a detection change does in one environment, offline: rendered base vs head payloads.

    action: create (newly selected) | update | unchanged | retire (no longer deployed: pruned by
    `plan --prune`, `on_removed` says how) | error (head does not render).
    """

    environment: str
    detection_id: str
    detection_name: str
    action: str
    selected_base: bool
    selected_head: bool
    payloads: tuple[PayloadDiff, ...] = ()
    on_removed: str = "delete"
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageDelta:
    """ATT&CK technique ids covered by deployable (not deprecated) detections: gained and lost."""

    gained: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewReport:
    base_ref: str
    base_commit: str
    head_ref: str
    head_commit: str | None
    environments: tuple[str, ...]
    files: tuple[FileChange, ...]
    detections: tuple[DetectionChange, ...]
    diagnostics: tuple[Diagnostic, ...]
    fixtures: tuple[FixtureOutcome, ...]
    impacts: tuple[EnvironmentImpact, ...]
    coverage: CoverageDelta
    fixture_environments: tuple[str, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def failing_fixtures(self) -> tuple[FixtureOutcome, ...]:
        return tuple(f for f in self.fixtures if not f.ok)

    @property
    def render_errors(self) -> tuple[EnvironmentImpact, ...]:
        return tuple(i for i in self.impacts if i.error)

    @property
    def blockers(self) -> tuple[str, ...]:
        """Why the change cannot merge as is; empty when it is ready."""
        found = []
        if self.errors:
            found.append(f"{len(self.errors)} validation error(s)")
        if self.failing_fixtures:
            # a fixture counts once however many environments it fails in; the listing names them
            failing = {(f.detection_id, f.fixture) for f in self.failing_fixtures}
            regressions = len({(f.detection_id, f.fixture) for f in self.failing_fixtures if f.regression})
            found.append(f"{len(failing)} failing fixture(s)"
                         + (f", {regressions} passed at base" if regressions else ""))
        if self.render_errors:
            found.append(f"{len(self.render_errors)} payload(s) that cannot render")
        return tuple(found)

    @property
    def ready(self) -> bool:
        return not self.blockers

    def impacts_of(self, detection_id: str) -> tuple[EnvironmentImpact, ...]:
        return tuple(i for i in self.impacts if i.detection_id == detection_id)

    def fixtures_of(self, detection_id: str) -> tuple[FixtureOutcome, ...]:
        return tuple(f for f in self.fixtures if f.detection_id == detection_id)
