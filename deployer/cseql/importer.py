"""Importing Cloud SIEM rules (API objects or catalog exports) as detection skeletons with a `cse` block.

Owns the reverse field mapping (API / catalog -> content) and the tactic names; it does not write files
or render payloads (deployer.render.cse is the forward direction).
"""

from __future__ import annotations

import re
from typing import Any

from .rules import human_duration

TACTIC_NAMES = {
    "TA0001": "Initial Access",
    "TA0002": "Execution",
    "TA0003": "Persistence",
    "TA0004": "Privilege Escalation",
    "TA0005": "Defense Evasion",
    "TA0006": "Credential Access",
    "TA0007": "Discovery",
    "TA0008": "Lateral Movement",
    "TA0009": "Collection",
    "TA0010": "Exfiltration",
    "TA0011": "Command and Control",
    "TA0040": "Impact",
    "TA0042": "Resource Development",
    "TA0043": "Reconnaissance",
}
RULE_TYPES = {
    "templated_match": "match",
    "templated match": "match",
    "match": "match",
    "threshold": "threshold",
    "chain": "chain",
    "aggregation": "aggregation",
    "first_seen": "first-seen",
    "first seen": "first-seen",
    "first-seen": "first-seen",
    "outlier": "outlier",
}
ID_PREFIXES = {
    "MATCH": "match",
    "LEGACY": "match",
    "THRESHOLD": "threshold",
    "CHAIN": "chain",
    "AGGREGATION": "aggregation",
    "FIRST": "first-seen",
    "OUTLIER": "outlier",
}
WINDOW_NAMES = {
    "T05M": "5m",
    "T10M": "10m",
    "T30M": "30m",
    "T60M": "1h",
    "T12H": "12h",
    "T24H": "24h",
    "T05D": "5d",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_TAG = re.compile(r"^_mitreAttack(Tactic|Technique):(\S+)$")


def _snake(data: Any) -> Any:
    if isinstance(data, dict):
        return {_CAMEL.sub(r"_\1", k).lower(): _snake(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_snake(v) for v in data]
    return data


def rule_type(rule: dict) -> str:
    """The content `type` of an API or catalog rule object."""
    rule = _snake(rule)
    kind = rule.get("pattern_type") or rule.get("rule_type")
    if kind:
        return RULE_TYPES[str(kind).lower()]
    return ID_PREFIXES[str(rule.get("id_compiled") or rule["id"]).split("-")[0]]


def _window(rule: dict) -> str:
    name = rule.get("window_size_name") or rule.get("window")
    ms = rule.get("window_size")
    if isinstance(name, str) and name in WINDOW_NAMES:
        return WINDOW_NAMES[name]
    if isinstance(name, str) and name != "CUSTOM":
        return name
    return human_duration(int(ms))


def _score(rule: dict) -> int | dict:
    mapping = rule.get("score_mapping")
    if not mapping:
        return int(rule.get("score") or 0)
    if mapping["type"] == "constant":
        return int(mapping.get("default") or 0)
    score: dict = {"field": mapping["field"], "default": int(mapping.get("default") or 0)}
    if mapping["type"] == "fieldValueMapping":
        score["mapping"] = [
            {"from": entry["from"], "to": entry["to"]} for entry in mapping.get("mapping", [])
        ]
    return score


def _mitre(tags: list[str]) -> tuple[dict, list[str]]:
    tactics, techniques, other = [], [], []
    for tag in tags:
        found = _TAG.match(tag)
        if found is None:
            other.append(tag)
        elif found.group(1) == "Tactic":
            tactics.append({"id": found.group(2), "name": TACTIC_NAMES.get(found.group(2), found.group(2))})
        else:
            techniques.append({"id": found.group(2), "name": found.group(2)})
    return {"tactics": tactics, "techniques": techniques}, other


def import_rule(rule: dict) -> dict:
    """A detection skeleton (name, description, severity, enabled state, mitre, cse) from an API or catalog rule.

    Signal name and description are kept only where they differ from the rule name and description
    (the content format's defaults); `assetField` (legacy) and read-only fields are dropped.
    """
    rule = _snake(rule)
    kind = rule_type(rule)
    name = rule["name"]
    description = (
        rule.get("description_expression") or rule.get("description") or rule.get("rule_description") or name
    )
    mitre, tags = _mitre(rule.get("tags") or [])
    cse: dict[str, Any] = {"type": kind}
    expression = rule.get("expression") or rule.get("match_expression") or rule.get("filter_expression")
    if kind == "chain":
        cse["expressions"] = [
            {"expression": s["expression"], "limit": s.get("limit", 1)}
            for s in rule["expressions_and_limits"]
        ]
        cse["ordered"] = bool(rule.get("ordered", False))
    else:
        cse["expression"] = expression
    if rule.get("entity_selectors"):
        cse["entity_selectors"] = [
            {"entity_type": s["entity_type"], "expression": s["expression"]} for s in rule["entity_selectors"]
        ]
    if rule.get("name_expression") and rule["name_expression"] != name and kind not in ("threshold", "chain"):
        cse["name_expression"] = rule["name_expression"]
    if rule.get("summary_expression"):
        cse["summary_expression"] = rule["summary_expression"]
    cse["score"] = _score(rule)
    cse["prototype"] = bool(rule.get("is_prototype", False))
    cse["enabled"] = bool(rule.get("enabled", rule.get("enabled_by_default", True)))
    if rule.get("category"):
        cse["category"] = rule["category"]
    if tags:
        cse["tags"] = tags
    if rule.get("tuning_expression_ids"):
        cse["tuning_expressions"] = list(rule["tuning_expression_ids"])
    if rule.get("suppression_window_size"):
        cse["suppression_window"] = human_duration(int(rule["suppression_window_size"]))
    if kind in ("threshold", "chain", "aggregation", "outlier"):
        cse["window"] = _window(rule)
    if kind in ("threshold", "chain", "aggregation", "first-seen", "outlier"):
        cse["group_by"] = list(rule.get("group_by_fields") or [])
    if kind == "threshold":
        cse["limit"] = int(rule["limit"])
        if rule.get("count_distinct"):
            cse["count_distinct"] = rule["count_field"]
    elif kind == "aggregation":
        cse["aggregations"] = [
            {"name": a["name"], "function": a["function"], "arguments": list(a.get("arguments", []))}
            for a in rule["aggregation_functions"]
        ]
        cse["trigger"] = rule["trigger_expression"]
        cse["group_by_entity"] = bool(rule.get("group_by_asset", False))
    elif kind == "first-seen":
        if rule.get("value_fields"):
            cse["value_fields"] = list(rule["value_fields"])
        else:
            cse["value_expression"] = rule["value_expression"]
        cse["baseline_type"] = str(rule.get("baseline_type") or "PER_ENTITY").lower().replace("_", "-")
    if kind in ("first-seen", "outlier"):
        cse["baseline_window"] = human_duration(int(rule["baseline_window_size"]))
        cse["retention_window"] = human_duration(int(rule["retention_window_size"]))
    if kind == "outlier":
        function = rule["aggregation_functions"][0]
        cse["aggregation"] = {
            "function": function["function"],
            "arguments": list(function.get("arguments", [])),
        }
        cse["deviation_threshold"] = int(rule["deviation_threshold"])
        cse["floor"] = int(rule["floor_value"])
    return {
        "name": name,
        "description": description,
        "severity": _severity(cse["score"]),
        "mitre": mitre,
        "cse": cse,
    }


def _severity(score: int | dict) -> str:
    value = score if isinstance(score, int) else score.get("default", 0)
    return next(
        s
        for limit, s in ((9, "critical"), (7, "high"), (4, "medium"), (2, "low"), (0, "informational"))
        if value >= limit
    )
