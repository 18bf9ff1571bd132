"""Which detections an environment receives: its `select` criteria, deprecation and its overrides' ids.

Owns the selection rules (status, tags, ids, path globs, exclude_ids); rendering applies the overrides,
and plan.py decides what happens to objects of detections that are no longer selected.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from deployer.content.model import Detection, Environment


@dataclass(frozen=True, slots=True)
class Selection:
    """`deploy`: what the environment should hold; `retired`: selected but deprecated (pruned, never pushed)."""

    deploy: tuple[Detection, ...]
    retired: tuple[Detection, ...]
    unknown_override_ids: tuple[str, ...]


def is_selected(detection: Detection, select: dict) -> bool:
    """True when every criterion given in `select` holds (tags: any one of them; paths: any glob)."""
    if "status" in select and detection.status not in select["status"]:
        return False
    if "tags" in select and not set(select["tags"]) & set(detection.tags):
        return False
    if "ids" in select and detection.id not in select["ids"]:
        return False
    if "paths" in select and not any(fnmatch.fnmatchcase(detection.path, glob) for glob in select["paths"]):
        return False
    return detection.id not in select.get("exclude_ids", ())


def select_detections(detections: list[Detection], environment: Environment) -> Selection:
    """Split `detections` into what `environment` deploys and what it retires; flag overrides for unknown ids."""
    chosen = sorted((d for d in detections if is_selected(d, environment.select)), key=lambda d: d.id)
    known = {d.id for d in detections}
    return Selection(
        deploy=tuple(d for d in chosen if d.status != "deprecated"),
        retired=tuple(d for d in chosen if d.status == "deprecated"),
        unknown_override_ids=tuple(sorted(set(environment.overrides) - known)),
    )
