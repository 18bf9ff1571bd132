"""The sync engine: desired (rendered) vs deployed (read) state, plan as a value, apply, drift, prune.

Public surface below; it receives a SumoClient and never builds one (connect.py does, for the CLI).
"""

from deployer.sync.apply import ApplyReport, ObjectResult, StalePlanError, apply_plan
from deployer.sync.desired import DesiredObject, DesiredState, desired_state
from deployer.sync.drift import DriftReport, drift_report
from deployer.sync.plan import Change, FieldChange, Plan, plan_changes
from deployer.sync.select import Selection, select_detections
from deployer.sync.state import DeployedObject, DeployedState, read_state

__all__ = ["ApplyReport", "Change", "DeployedObject", "DeployedState", "DesiredObject", "DesiredState",
           "DriftReport", "FieldChange", "ObjectResult", "Plan", "Selection", "StalePlanError", "apply_plan",
           "desired_state", "drift_report", "plan_changes", "read_state", "select_detections"]
