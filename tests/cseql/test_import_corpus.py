"""Conformance: Sumo's built-in Cloud SIEM rules import into the content format and render back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.content.model import Detection
from deployer.content.schema import validator
from deployer.content.yamlpos import Document
from deployer.cseql import parse
from deployer.cseql.importer import import_rule, rule_type
from deployer.render.cse import render_cse_rule
from deployer.render.markers import is_marker

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus" / "cse-rules.dev.json"
WINDOWS = {
    "T05M": 300_000,
    "T10M": 600_000,
    "T30M": 1_800_000,
    "T60M": 3_600_000,
    "T12H": 43_200_000,
    "T24H": 86_400_000,
    "T05D": 432_000_000,
}
HUMAN = {"m": 60_000, "h": 3_600_000, "d": 86_400_000}


def _rules() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip("../shared corpus not available")
    return list(json.loads(CORPUS.read_text()).values())


def as_detection(imported: dict, rule_id: str = "00000000-0000-4000-8000-000000000000") -> Detection:
    data = {"id": rule_id, "version": 1, "status": "production", "confidence": "medium", **imported}
    return Detection(
        path="<import>",
        id=rule_id,
        name=data["name"],
        version=1,
        status="production",
        severity=data["severity"],
        confidence="medium",
        data=data,
        tests=(),
        document=Document(data=data, path="<import>", lines=[]),
    )


def _window_ms(rule: dict) -> int | None:
    window = rule.get("window") or rule.get("windowSize")
    if window is None:
        return None
    if window in WINDOWS:
        return WINDOWS[window]
    if window == "CUSTOM":
        return int(rule.get("window_size") or rule["windowSizeMilliseconds"])
    return int(window[:-1]) * HUMAN[window[-1]]


def _parents(tags) -> set[str]:
    out = set()
    for tag in tags:
        if is_marker(tag):
            continue
        out.add(tag)
        if tag.startswith("_mitreAttackTechnique:"):
            out.add(tag.split(".")[0])
    return out


def _score(value) -> tuple:
    if isinstance(value, int):
        return ("constant", value, "", ())
    kind = value["type"]
    if kind == "constant":
        return ("constant", value.get("default") or 0, "", ())
    pairs = tuple((str(m["from"]), m["to"]) for m in value.get("mapping") or [])
    return (kind, value.get("default") or 0, value.get("field") or "", pairs)


def semantic_original(rule: dict) -> dict:
    """What a catalog rule means, in comparable form."""
    kind = rule_type(rule)
    name = rule["name"]
    out = {
        "name": name,
        "enabled": rule["enabled_by_default"],
        "prototype": rule["is_prototype"],
        "category": rule["category"],
        "tags": _parents(rule["tags"]),
        "entities": [(s["entity_type"], s["expression"]) for s in rule.get("entity_selectors") or []],
        "summary": rule.get("summary_expression") or "",
        "score": _score(rule.get("score_mapping") or rule.get("score") or 0),
        "description": rule.get("description_expression") or rule.get("description") or name,
        "window": _window_ms(rule) if kind in ("threshold", "chain", "aggregation", "outlier") else None,
        "group_by": list(rule.get("group_by_fields") or []) if kind != "match" else None,
    }
    if kind not in ("threshold", "chain"):
        out["name_expression"] = rule.get("name_expression") or name
    if kind == "chain":
        out["stages"] = [(s["expression"], s["limit"]) for s in rule["expressions_and_limits"]]
        out["ordered"] = rule["ordered"]
    else:
        out["expression"] = (
            rule.get("expression") or rule.get("match_expression") or rule.get("filter_expression")
        )
    if kind == "threshold":
        out["limit"] = rule["limit"]
        out["distinct"] = rule["count_field"] if rule.get("count_distinct") else None
    if kind == "first-seen":
        out["values"] = rule.get("value_fields") or rule.get("value_expression")
        out["baseline"] = (
            rule["baseline_type"],
            int(rule["baseline_window_size"]),
            int(rule["retention_window_size"]),
        )
    if kind == "outlier":
        out["outlier"] = (
            [(a["function"], a["arguments"]) for a in rule["aggregation_functions"]],
            int(rule["baseline_window_size"]),
            int(rule["retention_window_size"]),
            rule["deviation_threshold"],
            rule["floor_value"],
        )
    return out


def semantic_payload(kind: str, fields: dict) -> dict:
    """What a rendered payload means, in the same form."""
    out = {
        "name": fields["name"],
        "enabled": fields["enabled"],
        "prototype": fields["isPrototype"],
        "category": fields["category"],
        "tags": _parents(fields["tags"]),
        "entities": [(s["entityType"], s["expression"]) for s in fields["entitySelectors"]],
        "summary": fields.get("summaryExpression", ""),
        "score": _score(fields.get("scoreMapping", fields.get("score"))),
        "description": fields.get("descriptionExpression", fields.get("description")),
        "window": _window_ms(fields),
        "group_by": fields.get("groupByFields"),
    }
    if kind not in ("threshold", "chain"):
        out["name_expression"] = fields["nameExpression"]
    if kind == "chain":
        out["stages"] = [(s["expression"], s["limit"]) for s in fields["expressionsAndLimits"]]
        out["ordered"] = fields["ordered"]
    else:
        out["expression"] = (
            fields.get("expression") or fields.get("matchExpression") or fields.get("filterExpression")
        )
    if kind == "threshold":
        out["limit"] = fields["limit"]
        out["distinct"] = fields["countField"] if fields["countDistinct"] else None
    if kind == "first-seen":
        out["values"] = fields.get("valueFields") or fields.get("valueExpression")
        out["baseline"] = (
            fields["baselineType"],
            int(fields["baselineWindowSize"]),
            int(fields["retentionWindowSize"]),
        )
    if kind == "outlier":
        out["outlier"] = (
            [(a["function"], a["arguments"]) for a in fields["aggregationFunctions"]],
            int(fields["baselineWindowSize"]),
            int(fields["retentionWindowSize"]),
            fields["deviationThreshold"],
            fields["floorValue"],
        )
    return out


def round_trip(rule: dict) -> tuple[dict, dict, dict]:
    imported = import_rule(rule)
    fields = render_cse_rule(as_detection(imported)).body["fields"]
    return imported, semantic_original(rule), semantic_payload(rule_type(rule), fields)


def test_every_corpus_rule_round_trips():
    rules = _rules()
    differing = []
    for rule in rules:
        _, original, rendered = round_trip(rule)
        if original != rendered:
            diff = {k: (original[k], rendered.get(k)) for k in original if original[k] != rendered.get(k)}
            differing.append((rule["id_compiled"], diff))
    rate = 1 - len(differing) / len(rules)
    print(
        f"\nCSE corpus round-trip semantic equality: {len(rules) - len(differing)}/{len(rules)} = {rate:.1%}"
    )
    assert not differing, differing[:3]


def test_every_imported_block_validates_against_the_content_schema():
    check = validator("cse.schema.json")
    problems = {}
    for rule in _rules():
        errors = list(check.iter_errors(import_rule(rule)["cse"]))
        if errors:
            problems[rule["id_compiled"]] = errors[0].message
    assert not problems, list(problems.items())[:3]


def test_every_imported_expression_parses():
    for rule in _rules():
        cse = import_rule(rule)["cse"]
        texts = [s["expression"] for s in cse.get("expressions", [])] + [cse.get("expression")]
        texts += [cse.get("trigger"), cse.get("value_expression")]
        for text in filter(None, texts):
            parse(text)


def test_api_shaped_rules_import_too():
    api_rule = {
        "id": "THRESHOLD-U00005",
        "ruleType": "threshold",
        "name": "Many failures",
        "enabled": True,
        "isPrototype": False,
        "description": "d",
        "expression": "success = false",
        "countDistinct": True,
        "countField": "srcDevice_ip",
        "groupByFields": ["user_username"],
        "limit": 10,
        "score": 4,
        "windowSize": 1_800_000,
        "windowSizeName": "T30M",
        "suppressionWindowSize": 3_600_000,
        "entitySelectors": [{"entityType": "_username", "expression": "user_username"}],
        "tags": ["_mitreAttackTactic:TA0006", "team:soc"],
        "tuningExpressionIds": ["te-1"],
    }
    cse = import_rule(api_rule)["cse"]
    assert (
        cse["window"] == "30m"
        and cse["count_distinct"] == "srcDevice_ip"
        and cse["suppression_window"] == "1h"
    )
    assert cse["tags"] == ["team:soc"] and cse["tuning_expressions"] == ["te-1"]
    assert cse["entity_selectors"] == [{"entity_type": "_username", "expression": "user_username"}]
