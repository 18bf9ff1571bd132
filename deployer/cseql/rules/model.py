"""Values of the rule-type level: Signal, RuleResult, durations, record time, default scores, window limits.

Owns the shapes the evaluator returns, the content defaults both it and the renderer apply, and the API's
window limits (rule lint and the renderer both check them); it does not evaluate rules (evaluate.py) or
build API payloads (deployer.render.cse).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}

SEVERITY_SCORE = {"informational": 1, "low": 3, "medium": 5, "high": 7, "critical": 9}
"""Base Cloud SIEM score (0..10) per detection severity; see docs/content-format.md."""

CONFIDENCE_ADJUSTMENT = {"low": -1, "medium": 0, "high": 1}
"""Added to the base score, then clamped to 1..10."""

CUSTOM_WINDOW_MS = (60_000, 432_000_000)
"""The windows (ms, inclusive) Cloud SIEM accepts: 1m to 5d."""

MAX_SUPPRESSION_MS = 604_800_000
"""The longest suppression window Cloud SIEM accepts: 7d."""


def duration_ms(text: str) -> int:
    """`30m` -> 1800000. Raises ValueError for anything but <digits><s|m|h|d|w>."""
    found = _DURATION.match(str(text).strip())
    if not found:
        raise ValueError(f"not a duration: {text!r} (write e.g. 30m, 24h, 7d)")
    return int(found.group(1)) * _UNIT_MS[found.group(2)]


def human_duration(ms: int) -> str:
    """1800000 -> `30m`: the largest unit that divides `ms` exactly (weeks are written as days)."""
    for unit in ("d", "h", "m", "s"):
        if ms and ms % _UNIT_MS[unit] == 0:
            return f"{ms // _UNIT_MS[unit]}{unit}"
    return f"{ms // 1000}s"


def default_score(severity: str, confidence: str) -> int:
    """The score a detection gets when its `cse` block names none."""
    base = SEVERITY_SCORE[severity] + CONFIDENCE_ADJUSTMENT.get(confidence, 0)
    return max(1, min(10, base))


def detection_defaults(detection: Any) -> dict:
    """Rule defaults taken from a Detection (or its data dict): name, description, score, category."""
    data = detection if isinstance(detection, Mapping) else detection.data
    tactics = data.get("mitre", {}).get("tactics", [])
    return {
        "name_expression": data.get("name", ""),
        "description_expression": data.get("description", ""),
        "score": default_score(data.get("severity", "medium"), data.get("confidence", "medium")),
        "category": tactics[0]["name"] if tactics else "Unknown/Other",
    }


def record_time(record: Mapping) -> int:
    """A record's `timestamp` in epoch ms (int, numeric string or ISO 8601); 0 when absent or unreadable."""
    value = record.get("timestamp")
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


@dataclass(frozen=True, slots=True)
class Signal:
    """One signal a rule fires: texts with templates filled, score, entities, and the records behind it."""

    name: str
    summary: str
    description: str
    score: int
    entities: tuple[Mapping[str, Any], ...] = ()
    records: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    group: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain data for fixture `expect.signal` subset matching (entities as {entity_type, value})."""
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "score": self.score,
            "entities": [dict(e) for e in self.entities],
            "records": list(self.records),
            "tags": list(self.tags),
            "group": dict(self.group),
            "values": dict(self.values),
        }


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What a rule produced over a set of records, and (with explain) why, line by line."""

    rule_type: str
    signals: tuple[Signal, ...]
    trace: tuple[str, ...] = ()

    @property
    def fired(self) -> bool:
        return bool(self.signals)
