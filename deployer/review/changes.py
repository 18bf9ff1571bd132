"""Which detections a change touches: base and head content matched by id, with metadata and query diffs.

Owns the comparison (pure: loaded content and git's file list in, DetectionChange values out); running
git is git.py, and what a change does in each tenant is payloads.py.
"""

from __future__ import annotations

import difflib
import posixpath

from deployer.content.model import Detection
from deployer.review.report import KINDS, CoverageDelta, DetectionChange, FileChange, TextDiff
from deployer.sync.plan import MISSING, FieldChange

METADATA = ("name", "status", "severity", "confidence", "version")
LOGIC = ("search", "cse", "parameters", "lookups")


def _mitre_ids(detection: Detection, kind: str) -> list[str]:
    return sorted(entry["id"] for entry in detection.mitre.get(kind, []))


def metadata_changes(base: Detection, head: Detection) -> tuple[FieldChange, ...]:
    """Identity and triage fields a reviewer must see: name, status, severity, confidence, version, ATT&CK, tags."""
    pairs = [(key, getattr(base, key), getattr(head, key)) for key in METADATA]
    pairs += [(f"mitre.{kind}", _mitre_ids(base, kind), _mitre_ids(head, kind)) for kind in ("tactics", "techniques")]
    pairs.append(("tags", sorted(base.tags), sorted(head.tags)))
    return tuple(FieldChange(path, old, new) for path, old, new in pairs if old != new)


def _expressions(value: object, path: str, named: bool, out: dict[str, str]) -> None:
    if isinstance(value, str) and named:
        out[path] = value
    elif isinstance(value, dict):
        for key, item in value.items():
            _expressions(item, f"{path}.{key}", "expression" in key, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _expressions(item, f"{path}[{index}]", named, out)


def query_texts(detection: Detection) -> dict[str, str]:
    """`search.query` and every Cloud SIEM expression (`cse.expression`, `cse.entity_selectors[0].expression`, ...)."""
    texts: dict[str, str] = {}
    if detection.search is not None:
        texts["search.query"] = detection.search["query"]
    if detection.cse is not None:
        _expressions(detection.cse, "cse", False, texts)
    return texts


def text_diffs(base: Detection, head: Detection) -> tuple[TextDiff, ...]:
    """A unified diff per query / expression whose text changed."""
    old, new = query_texts(base), query_texts(head)
    diffs = []
    for field in sorted(set(old) | set(new)):
        before, after = old.get(field, ""), new.get(field, "")
        if before != after:
            lines = difflib.unified_diff(before.splitlines(), after.splitlines(), f"a/{base.path} ({field})",
                                         f"b/{head.path} ({field})", lineterm="")
            diffs.append(TextDiff(field, tuple(lines)))
    return tuple(diffs)


def support_files(detection: Detection) -> set[str]:
    """Fixture event files and lookup tables the detection reads, relative to the content root."""
    folder = posixpath.dirname(detection.path)
    names = [test[key] for test in detection.data["tests"] for key in ("events_file", "baseline_file") if key in test]
    names += detection.lookups.values()
    return {posixpath.normpath(posixpath.join(folder, name)) for name in names}


def _modified(base: Detection, head: Detection, touched: set[str]) -> DetectionChange | None:
    files = sorted(support_files(head) & touched)
    sections = sorted(k for k in set(base.data) | set(head.data) if base.data.get(k, MISSING) != head.data.get(k, MISSING))
    if base.tests != head.tests and "tests" not in sections:
        sections.append("tests")
    if not (sections or files or base.path != head.path):
        return None
    notes = [f"changed file: {name}" for name in files]
    if set(sections) & set(LOGIC) and base.version == head.version:
        notes.append("query or rule logic changed but `version` was not bumped")
    if head.status == "deprecated" and base.status != "deprecated":
        kind = "deprecated"
    else:
        kind = "renamed" if base.path != head.path else "modified"
    return DetectionChange(kind, head.id, head.name, head.path, base.path if base.path != head.path else None,
                           metadata_changes(base, head), tuple(sections), text_diffs(base, head), tuple(notes))


def _gone(base: Detection, files: dict[str, FileChange], head_paths: set[str]) -> DetectionChange:
    change = files.get(base.path)
    if change is None or change.status == "D":
        return DetectionChange("removed", base.id, base.name, base.path)
    if change.path in head_paths:
        return DetectionChange("removed", base.id, base.name, base.path,
                               notes=(f"its id changed: {change.path} now holds another detection",))
    return DetectionChange("invalid", base.id, base.name, change.path,
                           change.old_path, notes=("the file no longer loads; see validation",))


def detection_changes(base: list[Detection], head: list[Detection], files: tuple[FileChange, ...]
                      ) -> tuple[DetectionChange, ...]:
    """Every detection that differs between base and head, matched by `id` (a moved file is a rename)."""
    old = {d.id: d for d in base}
    new = {d.id: d for d in head}
    touched = {f.path for f in files} | {f.old_path for f in files if f.old_path}
    by_base_path = {f.old_path or f.path: f for f in files}
    head_paths = {d.path for d in head}
    found = []
    for detection_id in sorted(set(old) | set(new)):
        before, after = old.get(detection_id), new.get(detection_id)
        if before is None:
            found.append(DetectionChange("added", after.id, after.name, after.path))
        elif after is None:
            found.append(_gone(before, by_base_path, head_paths))
        else:
            change = _modified(before, after, touched)
            if change is not None:
                found.append(change)
    return tuple(sorted(found, key=lambda c: (KINDS.index(c.kind), c.name.lower())))


def _covered(detections: list[Detection]) -> set[str]:
    return {t["id"] for d in detections if d.status != "deprecated" for t in d.mitre.get("techniques", [])}


def coverage_delta(base: list[Detection], head: list[Detection]) -> CoverageDelta:
    before, after = _covered(base), _covered(head)
    return CoverageDelta(tuple(sorted(after - before)), tuple(sorted(before - after)))
