"""The plan: desired vs deployed, one Change per object with a field-level diff; a value, saved as JSON.

Owns `plan_changes(desired, deployed)` (pure) and the plan file format; reading the tenant is state.py
and executing a plan is apply.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from deployer.sync.desired import DesiredObject, DesiredState
from deployer.sync.normalize import normalize
from deployer.sync.state import DeployedObject, DeployedState

PLAN_FORMAT = 1
CHANGE_ACTIONS = ("create", "update", "drifted", "replace", "delete", "disable")
ACTIONS = (*CHANGE_ACTIONS, "conflict", "orphaned", "unchanged")
MISSING = "(absent)"


@dataclass(frozen=True, slots=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Change:
    """One object: what happens to it and why. `body` is the payload apply sends (None for delete).

    `replace` (a CSE rule whose type changed): create `body` as a `rule_type` rule, then delete `remote_id`.
    """

    action: str
    kind: str
    name: str
    detection_id: str | None = None
    remote_id: str | None = None
    rule_type: str | None = None
    body: dict | None = None
    version: int | None = None
    diffs: tuple[FieldChange, ...] = ()
    reason: str = ""

    @property
    def is_change(self) -> bool:
        return self.action in CHANGE_ACTIONS

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.detection_id or self.remote_id}"


@dataclass(frozen=True, slots=True)
class Plan:
    environment: str
    fingerprint: str
    folder: str
    monitor_folder: str
    changes: tuple[Change, ...]
    prune: bool = False
    errors: tuple[str, ...] = field(default=())

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.is_change)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def to_json(self) -> dict:
        return {"format": PLAN_FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        if data.get("format") != PLAN_FORMAT:
            raise ValueError(f"unsupported plan format {data.get('format')!r} (expected {PLAN_FORMAT})")
        changes = tuple(Change(**{**c, "diffs": tuple(FieldChange(**d) for d in c["diffs"])}) for c in data["changes"])
        return cls(data["environment"], data["fingerprint"], data["folder"], data["monitor_folder"], changes,
                   data.get("prune", False), tuple(data.get("errors", ())))


def diff(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Leaf-level differences between two normalized values, as dotted paths (list items by index)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new)):
            where = f"{path}.{key}" if path else key
            out += diff(old.get(key, MISSING), new.get(key, MISSING), where)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and old != new:
        return [d for i, (a, b) in enumerate(zip(old, new, strict=True)) for d in diff(a, b, f"{path}[{i}]")]
    return [] if old == new else [FieldChange(path, old, new)]


def _retyped(want: DesiredObject, have: DeployedObject) -> bool:
    """A CSE rule whose type differs: the API has no update across types (each type has its own endpoint)."""
    return want.kind == "cse_rule" and have.rule_type != want.rule_type


def _compare(want: DesiredObject, have: DeployedObject) -> Change:
    changes = tuple(diff(have.body, normalize(want.kind, want.body, want.rule_type)))
    common = {"kind": want.kind, "name": want.name, "detection_id": want.detection_id, "remote_id": have.remote_id,
              "rule_type": want.rule_type, "version": have.version}
    if _retyped(want, have):
        return Change("replace", body=want.body, diffs=changes,
                      reason=f"rule type changes {have.rule_type} -> {want.rule_type}, which Cloud SIEM cannot "
                             "update in place: the new rule is created first, then the old one deleted", **common)
    if not changes:
        return Change("unchanged", **common)
    if have.edited:
        return Change("drifted", body=want.body, diffs=changes, reason="changed in the tenant since the last apply",
                      **common)
    return Change("update", body=want.body, diffs=changes, reason="changed in the repository", **common)


def _retire(have: DeployedObject, reason: str, prune: bool, on_removed: str) -> Change:
    common = {"kind": have.kind, "name": have.name, "detection_id": have.detection_id, "remote_id": have.remote_id,
              "rule_type": have.rule_type, "version": have.version}
    if not prune:
        return Change("orphaned", reason=f"{reason}; run with --prune to {on_removed} it", **common)
    if on_removed == "delete":
        return Change("delete", reason=reason, **common)
    if not have.enabled:
        return Change("unchanged", reason=f"{reason}; already disabled", **common)
    return Change("disable", body=have.body, reason=reason, **common)


def plan_changes(desired: DesiredState, deployed: DeployedState, *, environment: str, prune: bool = False,
                 on_removed: str = "delete", adopt: frozenset[str] = frozenset()) -> Plan:
    """Compare; managed objects are matched by marker, unmanaged same-name objects are conflicts unless adopted."""
    managed: dict[tuple[str, str], list[DeployedObject]] = defaultdict(list)
    unmanaged: dict[tuple[str, str], DeployedObject] = {}
    for have in deployed.objects:
        if have.managed:
            managed[(have.kind, have.detection_id)].append(have)
        elif have.kind == "cse_rule" or have.location == (
                deployed.monitor_folder if have.kind == "monitor" else deployed.folder):
            unmanaged.setdefault((have.kind, have.name), have)
    changes: list[Change] = []
    for want in desired.objects:
        # after an interrupted replace both rules carry the marker: keep the one of the desired type
        found = sorted(managed.pop(want.key, []), key=lambda have: have.rule_type != want.rule_type)
        if found:
            changes.append(_compare(want, found[0]))
            changes += [Change("delete", have.kind, have.name, have.detection_id, have.remote_id, have.rule_type,
                               reason="duplicate of " + found[0].remote_id) for have in found[1:]]
            continue
        clash = unmanaged.get((want.kind, want.name))
        if clash is None:
            changes.append(Change("create", want.kind, want.name, want.detection_id, rule_type=want.rule_type,
                                  body=want.body, reason="new"))
        elif want.detection_id in adopt and _retyped(want, clash):
            changes.append(Change("conflict", want.kind, want.name, want.detection_id, clash.remote_id,
                                  reason=f"cannot adopt: the unmanaged rule is a {clash.rule_type} rule and the "
                                         f"detection a {want.rule_type} rule; set cse.type: {clash.rule_type} to "
                                         "adopt it, or rename one of them"))
        elif want.detection_id in adopt:
            adopted = _compare(want, clash)
            changes.append(Change("update", want.kind, want.name, want.detection_id, clash.remote_id, want.rule_type,
                                  want.body, clash.version, adopted.diffs, "adopted with --adopt"))
        else:
            changes.append(Change("conflict", want.kind, want.name, want.detection_id, clash.remote_id,
                                  reason="an unmanaged object has this name; rename one, or take it over with "
                                         f"--adopt {want.detection_id}"))
    for (_kind, detection_id), found in managed.items():
        reason = "deprecated" if detection_id in desired.retired_ids else "no longer in the repository or selection"
        changes += [_retire(have, reason, prune, on_removed) for have in found]
    changes.sort(key=lambda c: (ACTIONS.index(c.action), c.kind, c.name, c.remote_id or ""))
    return Plan(environment, deployed.fingerprint, deployed.folder, deployed.monitor_folder, tuple(changes), prune,
                desired.errors)
