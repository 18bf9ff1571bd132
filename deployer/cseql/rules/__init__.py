"""Cloud SIEM rule types offline: evaluate a `cse` block over normalized records into signals.

Owns rule-level semantics (windows, groups, baselines, signals, defaults); expressions themselves are
deployer.cseql's, and API payloads are deployer.render's.
"""

from .evaluate import aggregate, evaluate_rule
from .model import (
    CONFIDENCE_ADJUSTMENT,
    CUSTOM_WINDOW_MS,
    MAX_SUPPRESSION_MS,
    SEVERITY_SCORE,
    RuleResult,
    Signal,
    default_score,
    detection_defaults,
    duration_ms,
    human_duration,
    record_time,
)

__all__ = [
    "CONFIDENCE_ADJUSTMENT",
    "CUSTOM_WINDOW_MS",
    "MAX_SUPPRESSION_MS",
    "SEVERITY_SCORE",
    "RuleResult",
    "Signal",
    "aggregate",
    "default_score",
    "detection_defaults",
    "duration_ms",
    "evaluate_rule",
    "human_duration",
    "record_time",
]
