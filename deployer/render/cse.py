"""Cloud SIEM rule payloads: a detection's `cse` block + environment -> the exact API request body.

Owns field names, window enums, score mapping, MITRE and ownership tags; pure functions, no HTTP
(deployer.api sends it) and no evaluation (deployer.cseql.rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deployer.content.model import Detection, Environment
from deployer.content.parameters import substitute
from deployer.cseql.rules import (
    CUSTOM_WINDOW_MS,
    MAX_SUPPRESSION_MS,
    default_score,
    detection_defaults,
    duration_ms,
)

from .markers import marker_tag, version_tag

ENDPOINT_TYPES = {
    "match": "templated",
    "threshold": "threshold",
    "chain": "chain",
    "aggregation": "aggregation",
    "first-seen": "first-seen",
    "outlier": "outlier",
}
WINDOW_ENUMS = {300_000: "T05M", 600_000: "T10M", 1_800_000: "T30M", 3_600_000: "T60M",
                43_200_000: "T12H", 86_400_000: "T24H", 432_000_000: "T05D"}
BASELINE_TYPES = {"per-entity": "PER_ENTITY", "global": "GLOBAL"}


class RenderError(ValueError):
    """The detection cannot become a valid payload (a window the API cannot express, ...)."""


@dataclass(frozen=True, slots=True)
class RenderedRule:
    """`POST /sec/v1/rules/<endpoint_type>` with `body` = {"fields": {...}} (keys sorted)."""

    endpoint_type: str
    body: dict

    @property
    def path(self) -> str:
        return f"/sec/v1/rules/{self.endpoint_type}"


def mitre_tags(mitre: dict) -> list[str]:
    """`_mitreAttackTactic:TA0011`, `_mitreAttackTechnique:T1090`, `...:T1090.001` (a sub-technique brings its parent)."""
    tags = [f"_mitreAttackTactic:{t['id']}" for t in mitre.get("tactics", [])]
    for technique in mitre.get("techniques", []):
        parent = technique["id"].split(".")[0]
        tags += [f"_mitreAttackTechnique:{parent}", f"_mitreAttackTechnique:{technique['id']}"]
    return list(dict.fromkeys(tags))


def window_fields(window: str) -> dict:
    """`30m` -> {"windowSize": "T30M"}; other windows -> CUSTOM with windowSizeMilliseconds (1m..5d)."""
    ms = duration_ms(window)
    if ms in WINDOW_ENUMS:
        return {"windowSize": WINDOW_ENUMS[ms]}
    low, high = CUSTOM_WINDOW_MS
    if not low <= ms <= high:
        raise RenderError(f"window {window!r} is outside what Cloud SIEM accepts (1m to 5d)")
    return {"windowSize": "CUSTOM", "windowSizeMilliseconds": str(ms)}


def score_mapping(score: int | dict) -> dict:
    """The API's scoreMapping for a constant, field-value or mapped score."""
    if isinstance(score, int):
        return {"default": score, "field": "", "mapping": [], "type": "constant"}
    mapping = [{"from": str(entry["from"]).lower() if isinstance(entry["from"], bool) else str(entry["from"]),
                "fromEnd": "", "to": entry["to"], "type": "eq"} for entry in score.get("mapping", [])]
    kind = "fieldValueMapping" if mapping else "fieldValue"
    return {"default": score.get("default", 0), "field": score["field"], "mapping": mapping, "type": kind}


def _with_overrides(detection: Detection, environment: Environment | None) -> dict:
    """The `cse` block with content defaults and the environment's per-detection overrides applied."""
    defaults = detection_defaults(detection)
    cse = {**defaults, **detection.cse}
    if environment is None:
        return cse
    override = environment.overrides.get(detection.id, {})
    if "severity" in override and "score" not in detection.cse:
        cse["score"] = default_score(override["severity"], detection.confidence)
    if "score" in override:
        cse["score"] = override["score"]
    if "enabled" in override:
        cse["enabled"] = override["enabled"]
    if "prototype" in override:
        cse["prototype"] = override["prototype"]
    if "window" in override and "window" in cse:
        cse["window"] = override["window"]
    if "threshold" in override:
        key = {"threshold": "limit", "outlier": "deviation_threshold"}.get(cse["type"])
        if key is None:
            raise RenderError(f"override `threshold` has no meaning for a {cse['type']} rule; remove it from "
                              f"{environment.path}")
        cse[key] = override["threshold"]
    variables = environment.variables_for(detection)
    if variables:
        cse = _substitute(cse, variables)
    return cse


def _substitute(cse: dict, variables: dict[str, object]) -> dict:
    """Declared parameters written {{name}} in expressions (not in signal templates) take the environment's value."""
    out = dict(cse)
    for key in ("expression", "trigger", "value_expression"):
        if key in out:
            out[key] = substitute(out[key], variables)
    if "expressions" in out:
        out["expressions"] = [{**stage, "expression": substitute(stage["expression"], variables)}
                              for stage in out["expressions"]]
    return out


def _common(detection: Detection, cse: dict) -> dict:
    fields: dict[str, Any] = {
        "name": detection.name,
        "enabled": cse.get("enabled", True),
        "isPrototype": cse.get("prototype", False),
        "category": cse["category"],
        "entitySelectors": [{"entityType": s["entity_type"], "expression": s["expression"]}
                            for s in cse.get("entity_selectors", [])],
        "tags": list(dict.fromkeys([*mitre_tags(detection.mitre), *cse.get("tags", []),
                                    marker_tag(detection.id), version_tag(detection.version)])),
    }
    if cse.get("summary_expression"):
        fields["summaryExpression"] = cse["summary_expression"]
    if cse.get("tuning_expressions"):
        fields["tuningExpressionIds"] = list(cse["tuning_expressions"])
    if cse.get("suppression_window"):
        ms = duration_ms(cse["suppression_window"])
        if ms > MAX_SUPPRESSION_MS:
            raise RenderError(f"suppression_window {cse['suppression_window']!r} exceeds the API's 7d maximum")
        fields["suppressionWindowSize"] = ms
    return fields


def _constant_score(cse: dict) -> int:
    if not isinstance(cse["score"], int):
        raise RenderError(f"a {cse['type']} rule takes a constant score (0..10), not a field mapping")
    return cse["score"]


def _match(cse: dict) -> dict:
    return {"expression": cse["expression"], "nameExpression": cse["name_expression"],
            "descriptionExpression": cse["description_expression"], "scoreMapping": score_mapping(cse["score"]),
            "stream": "record"}


def _threshold(cse: dict) -> dict:
    distinct = cse.get("count_distinct")
    fields = {"expression": cse["expression"], "description": cse["description_expression"],
              "countDistinct": distinct is not None, "groupByFields": list(cse.get("group_by", [])),
              "limit": cse["limit"], "score": _constant_score(cse), "stream": "record", "version": 1,
              **window_fields(cse["window"])}
    if distinct is not None:
        fields["countField"] = distinct
    return fields


def _chain(cse: dict) -> dict:
    return {"description": cse["description_expression"],
            "expressionsAndLimits": [{"expression": s["expression"], "limit": s.get("limit", 1)}
                                     for s in cse["expressions"]],
            "groupByFields": list(cse.get("group_by", [])), "ordered": cse.get("ordered", False),
            "score": _constant_score(cse), "stream": "record", **window_fields(cse["window"])}


def _aggregation(cse: dict) -> dict:
    return {"matchExpression": cse["expression"],
            "aggregationFunctions": [{"name": a["name"], "function": a["function"],
                                      "arguments": list(a.get("arguments", []))} for a in cse["aggregations"]],
            "triggerExpression": cse["trigger"], "groupByAsset": cse.get("group_by_entity", False),
            "groupByFields": list(cse.get("group_by", [])), "nameExpression": cse["name_expression"],
            "descriptionExpression": cse["description_expression"], "scoreMapping": score_mapping(cse["score"]),
            "stream": "record", **window_fields(cse["window"])}


def _first_seen(cse: dict) -> dict:
    fields = {"filterExpression": cse["expression"], "groupByFields": list(cse.get("group_by", [])),
              "baselineType": BASELINE_TYPES[cse.get("baseline_type", "per-entity" if cse.get("group_by") else "global")],
              "baselineWindowSize": str(duration_ms(cse["baseline_window"])),
              "retentionWindowSize": str(duration_ms(cse["retention_window"])),
              "score": _constant_score(cse), "version": 1, "nameExpression": cse["name_expression"],
              "descriptionExpression": cse["description_expression"]}
    if "value_expression" in cse:
        fields["valueExpression"] = cse["value_expression"]
    else:
        fields["valueFields"] = list(cse["value_fields"])
    return fields


def _outlier(cse: dict) -> dict:
    aggregation = cse["aggregation"]
    return {"matchExpression": cse["expression"],
            "aggregationFunctions": [{"name": "current", "function": aggregation["function"],
                                      "arguments": list(aggregation.get("arguments", ["true"]))}],
            "groupByFields": list(cse.get("group_by", [])), **window_fields(cse["window"]),
            "baselineWindowSize": str(duration_ms(cse["baseline_window"])),
            "retentionWindowSize": str(duration_ms(cse["retention_window"])),
            "deviationThreshold": cse["deviation_threshold"], "floorValue": cse["floor"],
            "score": _constant_score(cse), "nameExpression": cse["name_expression"],
            "descriptionExpression": cse["description_expression"]}


_TYPE_FIELDS = {"match": _match, "threshold": _threshold, "chain": _chain, "aggregation": _aggregation,
                "first-seen": _first_seen, "outlier": _outlier}


def render_cse_rule(detection: Detection, environment: Environment | None = None) -> RenderedRule:
    """The create body for the detection's Cloud SIEM rule in `environment` (keys sorted for diffing).

    Raises RenderError when the detection has no `cse` block or it cannot be expressed in the API.
    """
    if not detection.cse:
        raise RenderError(f"detection {detection.id} ({detection.name}) has no `cse` block")
    cse = _with_overrides(detection, environment)
    fields = {**_common(detection, cse), **_TYPE_FIELDS[cse["type"]](cse)}
    return RenderedRule(ENDPOINT_TYPES[cse["type"]], {"fields": dict(sorted(fields.items()))})
