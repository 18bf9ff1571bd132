"""Drift: what the tenant holds that the repository does not say, read off a plan and the deployed state.

Owns the drift categories (changed in tenant, missing, pending repo change, orphaned, unmanaged);
it computes nothing new, it classifies what plan_changes and read_state found.
"""

from __future__ import annotations

from dataclasses import dataclass

from deployer.sync.plan import FieldChange, Plan
from deployer.sync.state import DeployedState

CATEGORIES = {"drifted": "changed", "create": "missing", "update": "pending", "replace": "pending",
              "orphaned": "orphaned", "conflict": "unmanaged", "delete": "orphaned", "disable": "orphaned"}


@dataclass(frozen=True, slots=True)
class DriftItem:
    category: str
    kind: str
    name: str
    detection_id: str | None
    remote_id: str | None
    detail: str
    diffs: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class DriftReport:
    environment: str
    items: tuple[DriftItem, ...]
    in_sync: int

    @property
    def drifted(self) -> bool:
        return bool(self.items)

    def count(self, category: str) -> int:
        return sum(1 for i in self.items if i.category == category)


def drift_report(plan: Plan, deployed: DeployedState) -> DriftReport:
    """Every managed object that differs, every desired object missing, every unmanaged one in our folders."""
    items = [DriftItem(CATEGORIES[c.action], c.kind, c.name, c.detection_id, c.remote_id, c.reason, c.diffs)
             for c in plan.changes if c.action in CATEGORIES]
    conflicting = {c.remote_id for c in plan.changes if c.action == "conflict"}
    for have in deployed.objects:
        folder = deployed.monitor_folder if have.kind == "monitor" else deployed.folder
        if not have.managed and have.kind != "cse_rule" and have.location == folder and have.remote_id not in conflicting:
            items.append(DriftItem("unmanaged", have.kind, have.name, None, have.remote_id,
                                   f"in the managed folder {folder} without a sumo-content marker"))
    order = ("changed", "missing", "pending", "orphaned", "unmanaged")
    items.sort(key=lambda i: (order.index(i.category), i.kind, i.name))
    return DriftReport(plan.environment, tuple(items), plan.count("unchanged"))
