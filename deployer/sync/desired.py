"""The desired state of one environment: every payload its selected detections render to, stamped.

Owns turning a Selection into DesiredObjects (kind, detection id, name, payload, rev); rendering itself
is deployer.render, and comparing with the tenant is plan.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from deployer.content.model import Environment
from deployer.render import RenderError, render_payloads
from deployer.sync.normalize import RULE_TYPES, digest, normalize, stamp
from deployer.sync.select import Selection


@dataclass(frozen=True, slots=True)
class DesiredObject:
    """One object the environment should hold; `body` is the stamped API payload (CSE: the `fields`)."""

    kind: str
    detection_id: str
    name: str
    body: dict
    rev: str
    rule_type: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.detection_id


@dataclass(frozen=True, slots=True)
class DesiredState:
    objects: tuple[DesiredObject, ...]
    retired_ids: frozenset[str]
    errors: tuple[str, ...]


def _desired(kind: str, detection_id: str, body: dict, rule_type: str | None = None) -> DesiredObject:
    rev = digest(normalize(kind, body, rule_type))
    return DesiredObject(kind, detection_id, body["name"], stamp(kind, body, detection_id, rev), rev, rule_type)


def desired_state(selection: Selection, environment: Environment) -> DesiredState:
    """Render every selected detection for `environment`; a detection that cannot render becomes an error."""
    objects, errors = [], []
    for detection in selection.deploy:
        try:
            for payload in render_payloads(detection, environment):
                if payload.kind == "cse_rule":
                    objects.append(_desired(payload.kind, detection.id, payload.body["fields"],
                                            RULE_TYPES[payload.endpoint_type]))
                else:
                    objects.append(_desired(payload.kind, detection.id, payload.body))
        except RenderError as exc:
            errors.append(f"{detection.path}: {exc}")
    return DesiredState(tuple(objects), frozenset(d.id for d in selection.retired), tuple(errors))
