"""Building a ReviewReport: export the base commit, then compose validation, fixtures and rendering over both sides.

Owns the orchestration and its temporary folder; each step's logic lives in its own stage (git.py,
changes.py, payloads.py, deployer.validation, deployer.testing). It never contacts a tenant.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from deployer.content.loader import ContentError, environment_names, load_environment
from deployer.content.model import Detection, Environment
from deployer.diagnostics import Diagnostic
from deployer.review.changes import coverage_delta, detection_changes
from deployer.review.git import changed_files, export_content, repository, resolve
from deployer.review.payloads import environment_impact
from deployer.review.report import (
    DetectionChange,
    EnvironmentImpact,
    FileChange,
    FixtureOutcome,
    ReviewReport,
)
from deployer.sync.select import is_selected
from deployer.testing import run_fixtures
from deployer.validation import ValidationReport, validate_content

FIXTURE_ENVIRONMENT = "local"  # `sumo-content test`'s default: for a detection no reviewed environment selects


class UnknownEnvironment(Exception):
    """An --env name with no environments/<name>.yaml at head (a usage error)."""

    def __init__(self, name: str, known: list[str]):
        super().__init__(f"unknown environment {name!r}")
        self.hint = "known environments: " + (", ".join(known) or "none") + " (environments/<name>.yaml)"


def _environment(name: str, root: Path) -> Environment | None:
    """The environment at `root`, None when it does not exist there or does not load."""
    try:
        return load_environment(name, root)
    except ContentError:
        return None


def scoped_diagnostics(head: ValidationReport, base: ValidationReport, files: tuple[FileChange, ...]
                       ) -> list[Diagnostic]:
    """Head diagnostics in changed files, plus any elsewhere that base did not have (cross-file ones, e.g. a
    duplicate id introduced by a new file); problems that predate the change in untouched files are left out."""
    changed = {f.path for f in files}
    known = {(d.code, d.path, d.message) for d in base.diagnostics}
    return [d for d in head.diagnostics if d.path in changed or (d.code, d.path, d.message) not in known]


def fixture_environments(detection: Detection, head_envs: dict[str, Environment]) -> list[str]:
    """The reviewed environments that select `detection` (as the per-environment impact does), else the fallback."""
    return [name for name, env in head_envs.items() if is_selected(detection, env.select)] or [FIXTURE_ENVIRONMENT]


def fixture_outcomes(changes: tuple[DetectionChange, ...], head: ValidationReport, base: ValidationReport,
                     head_root: Path, base_root: Path, head_envs: dict[str, Environment]
                     ) -> tuple[tuple[FixtureOutcome, ...], tuple[str, ...]]:
    """Fixtures of changed detections that validate at head, once per environment that selects them, each with
    its status at base in the same environment (as the file was at base; head's when it is new)."""
    ids = {c.id for c in changes if c.kind not in ("removed", "invalid")}
    targets = [d for d in head.valid_detections() if d.id in ids]
    wanted = {d.id: fixture_environments(d, head_envs) for d in targets}
    old = {d.id: d for d in base.content.detections if d.id in ids}
    found: list[FixtureOutcome] = []
    ran: list[str] = []
    for name in dict.fromkeys([*head_envs, FIXTURE_ENVIRONMENT]):
        detections = [d for d in targets if name in wanted[d.id]]
        if not detections:
            continue
        head_env = head_envs.get(name) or _environment(name, head_root)
        now = run_fixtures(detections, head_env, root=head_root)
        before = run_fixtures([old[d.id] for d in detections if d.id in old],
                              _environment(name, base_root) or head_env, root=base_root)
        was = {(r.detection_id, r.fixture): r.status.value for r in before.results}
        found += [FixtureOutcome(r.detection_id, r.detection_name, r.fixture, r.status.value, r.failures,
                                 was.get((r.detection_id, r.fixture)), now.environment) for r in now.results]
        ran.append(now.environment)
    order = {d.id: index for index, d in enumerate(targets)}
    return tuple(sorted(found, key=lambda f: order[f.detection_id])), tuple(dict.fromkeys(ran))


def impacts(changes: tuple[DetectionChange, ...], base: list[Detection], head: list[Detection],
            names: list[str], base_root: Path, head_envs: dict[str, Environment],
            files: tuple[FileChange, ...]) -> tuple[EnvironmentImpact, ...]:
    """Per environment: every changed detection, or every detection when the environment file itself changed."""
    old = {d.id: d for d in base}
    new = {d.id: d for d in head}
    changed_ids = [c.id for c in changes if c.kind != "invalid"]
    touched = {f.path for f in files} | {f.old_path for f in files if f.old_path}
    found = []
    for name in names:
        env = head_envs[name]
        env_changed = env.path in touched
        ids = sorted(set(old) | set(new)) if env_changed else changed_ids
        base_env = _environment(name, base_root)
        for detection_id in ids:
            impact = environment_impact(name, old.get(detection_id), new.get(detection_id), base_env, env)
            if impact is not None and (impact.action != "unchanged" or detection_id in changed_ids):
                found.append(impact)
    return tuple(found)


def build_review(root: Path, base_ref: str, head_ref: str | None = None, env_names: tuple[str, ...] = ()
                 ) -> ReviewReport:
    """The report for the content at `root` (working tree, or `head_ref`) against `base_ref`.

    Raises GitError / UnknownRef (git.py) and UnknownEnvironment for the caller to present.
    """
    top, prefix = repository(root)
    base_commit = resolve(base_ref, top)
    head_commit = resolve(head_ref, top) if head_ref else None
    files = changed_files(base_commit, head_commit, root)
    with tempfile.TemporaryDirectory(prefix="sumo-content-review-") as tmp:
        base_root = export_content(base_commit, top, prefix, Path(tmp).resolve() / "base")
        head_root = export_content(head_commit, top, prefix, Path(tmp).resolve() / "head") if head_commit else root
        known = environment_names(head_root)
        unknown = [name for name in env_names if name not in known]
        if unknown:
            raise UnknownEnvironment(unknown[0], known)
        names = list(dict.fromkeys(env_names)) or known
        head_envs: dict[str, Environment] = {}
        env_problems: list[Diagnostic] = []
        for name in names:
            try:
                head_envs[name] = load_environment(name, head_root)
            except ContentError as exc:
                env_problems += exc.diagnostics
        head = validate_content(None, head_root)
        base = validate_content(None, base_root)
        changes = detection_changes(base.content.detections, head.content.detections, files)
        fixtures, fixture_envs = fixture_outcomes(changes, head, base, head_root, base_root, head_envs)
        return ReviewReport(
            base_ref=base_ref, base_commit=base_commit, head_ref=head_ref or "working tree", head_commit=head_commit,
            environments=tuple(head_envs), files=files, detections=changes,
            diagnostics=tuple(env_problems + scoped_diagnostics(head, base, files)),
            fixtures=fixtures,
            impacts=impacts(changes, base.content.detections, head.content.detections, list(head_envs), base_root,
                            head_envs, files),
            coverage=coverage_delta(base.content.detections, head.content.detections),
            fixture_environments=fixture_envs,
        )
