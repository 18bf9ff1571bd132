"""What a detection change does in one environment, offline: base and head rendered, diffed field by field.

Owns selection-aware impact (create / update / unchanged / retire) from deployer.render payloads; it
never reads a tenant (that is `sumo-content plan`).
"""

from __future__ import annotations

from deployer.content.model import Detection, Environment
from deployer.render import RenderError, render_payloads
from deployer.review.report import EnvironmentImpact, PayloadDiff
from deployer.sync.plan import diff
from deployer.sync.select import is_selected

PAYLOAD_KINDS = ("cse_rule", "scheduled_search", "monitor")


def payloads(detection: Detection, environment: Environment) -> dict[str, dict]:
    """Payload kind -> request body, as `sumo-content render` shows them; RenderError when one cannot render."""
    return {payload.kind: payload.body for payload in render_payloads(detection, environment)}


def _selected(detection: Detection | None, environment: Environment | None) -> bool:
    return detection is not None and environment is not None and is_selected(detection, environment.select)


def _deployed(detection: Detection | None, environment: Environment | None) -> bool:
    return _selected(detection, environment) and detection.status != "deprecated"


def payload_diffs(old: dict[str, dict], new: dict[str, dict]) -> tuple[PayloadDiff, ...]:
    found = []
    for kind in PAYLOAD_KINDS:
        if kind in old and kind in new:
            fields = tuple(diff(old[kind], new[kind]))
            if fields:
                found.append(PayloadDiff(kind, "update", fields))
        elif kind in new:
            found.append(PayloadDiff(kind, "create"))
        elif kind in old:
            found.append(PayloadDiff(kind, "delete"))
    return tuple(found)


def environment_impact(name: str, base: Detection | None, head: Detection | None, base_env: Environment | None,
                       head_env: Environment) -> EnvironmentImpact | None:
    """The impact in environment `name`; None when the detection is deployed there neither before nor after.

    `base_env` is the environment file as it was at base (None when it did not exist).
    """
    was, now = _deployed(base, base_env), _deployed(head, head_env)
    if not (was or now):
        return None
    detection = head or base
    common = {"environment": name, "detection_id": detection.id, "detection_name": detection.name,
              "selected_base": _selected(base, base_env),
              "selected_head": _selected(head, head_env), "on_removed": head_env.on_removed}
    try:
        new = payloads(head, head_env) if now else {}
    except RenderError as exc:
        return EnvironmentImpact(action="error", error=str(exc), **common)
    try:
        old = payloads(base, base_env) if was else {}
    except RenderError:
        old = {}  # base could not render either: everything at head reads as created
    changes = payload_diffs(old, new)
    action = "create" if not was else "retire" if not now else "update" if changes else "unchanged"
    return EnvironmentImpact(action=action, payloads=changes, **common)
