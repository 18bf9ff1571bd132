"""Every payload one detection becomes in one environment: its CSE rule, scheduled search and monitor.

Owns which payloads a detection has and in what order; each body is cse.py's or search.py's, and what a
caller does with them (show, diff, plan) is that caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from deployer.content.model import Detection, Environment

from .cse import render_cse_rule
from .search import render_monitor, render_scheduled_search


@dataclass(frozen=True, slots=True)
class Payload:
    """One request: `body` as the API takes it (CSE: {"fields": {...}}), `path` where it is POSTed.

    `endpoint_type` is the CSE rule's API type (`templated`, `threshold`, ...); None for the other kinds.
    """

    kind: Literal["cse_rule", "scheduled_search", "monitor"]
    body: dict
    path: str
    endpoint_type: str | None = None


def render_payloads(detection: Detection, environment: Environment) -> tuple[Payload, ...]:
    """The detection's payloads in `environment`, CSE rule first; RenderError when one cannot render."""
    found = []
    if detection.cse:
        rule = render_cse_rule(detection, environment)
        found.append(Payload("cse_rule", rule.body, rule.path, rule.endpoint_type))
    if detection.search:
        found.append(Payload("scheduled_search", render_scheduled_search(detection, environment),
                             f"/v2/content/folders/<id of {environment.folder}>/import"))
        monitor = render_monitor(detection, environment)
        if monitor is not None:
            found.append(Payload("monitor", monitor, f"/v1/monitors?parentId=<id of {environment.monitor_folder}>"))
    return tuple(found)
