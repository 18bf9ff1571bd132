"""Conformance: every Cloud SIEM payload the renderer produces validates against Sumo's CSE OpenAPI spec.

The spec's `fields` objects allow unknown keys; we close them (additionalProperties: false) so a
misspelt field fails. Known omissions of the 2023 spec (sumo-api.md §2.2, §6): `suppressionWindowSize`
is added to every rule type, and `POST /rules/outlier` (absent) is checked against a schema built from
the outlier override body plus the create fields Terraform sends, with integer floor/deviation.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from deployer.content.loader import load_content, load_environment
from deployer.cseql.importer import import_rule
from deployer.render.cse import render_cse_rule

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SPEC = SHARED / "data" / "openapi" / "sumologic-cse-api.yaml"
CORPUS = SHARED / "corpus" / "cse-rules.dev.json"
CREATE = {"templated": "CreateTemplatedMatchRuleRequestBody_fields", "threshold": "CreateThresholdRuleRequestBody_fields",
          "chain": "CreateChainRuleRequestBody_fields", "aggregation": "CreateAggregationRuleRequestBody_fields",
          "first-seen": "CreateFirstSeenRuleRequestBody_fields"}
SUPPRESSION = {"type": "integer", "minimum": 0, "maximum": 604_800_000}


@cache
def _components() -> dict:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is absent")
    return yaml.load(SPEC.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["components"]


def _fields_schema(endpoint: str) -> dict:
    schemas = _components()["schemas"]
    if endpoint == "outlier":
        base = copy.deepcopy(schemas["OverrideOutlierRuleRequestBody_fields"])
        threshold_fields = schemas["CreateAggregationRuleRequestBody_fields"]["properties"]
        base["properties"].update({k: threshold_fields[k] for k in (
            "enabled", "category", "assetField", "matchExpression", "aggregationFunctions")})
        base["properties"].update({"floorValue": {"type": "integer"}, "deviationThreshold": {"type": "integer"}})
        base["required"] = ["aggregationFunctions", "baselineWindowSize", "deviationThreshold", "descriptionExpression",
                            "enabled", "floorValue", "matchExpression", "name", "nameExpression",
                            "retentionWindowSize", "score", "windowSize"]
    else:
        base = copy.deepcopy(schemas[CREATE[endpoint]])
    base["properties"]["suppressionWindowSize"] = SUPPRESSION
    base["additionalProperties"] = False
    return base


def openapi_errors(endpoint: str, body: dict) -> list[str]:
    schema = {"components": _components(), "type": "object", "required": ["fields"], "additionalProperties": False,
              "properties": {"fields": _fields_schema(endpoint)}}
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(schema).iter_errors(body)]


def test_every_repository_detection_renders_a_valid_payload_in_every_environment():
    content = load_content([], ROOT)
    rendered = 0
    for name in ("dev", "local", "prod"):
        environment = load_environment(name, ROOT)
        for detection in content.detections:
            if detection.cse:
                rule = render_cse_rule(detection, environment)
                assert openapi_errors(rule.endpoint_type, rule.body) == [], (detection.path, name)
                rendered += 1
    assert rendered >= 3 * 6


def test_corpus_payloads_validate():
    if not CORPUS.exists():
        pytest.skip("../shared corpus not available")
    from tests.cseql.test_import_corpus import as_detection

    rules = list(json.loads(CORPUS.read_text()).values())
    failing = {}
    for rule in rules:
        payload = render_cse_rule(as_detection(import_rule(rule)))
        errors = openapi_errors(payload.endpoint_type, payload.body)
        if errors:
            failing[rule["id_compiled"]] = errors
    print(f"\nCSE OpenAPI validation: {len(rules) - len(failing)}/{len(rules)} corpus payloads pass")
    assert not failing, list(failing.items())[:3]


def test_a_misspelt_field_fails_validation():
    assert openapi_errors("templated", {"fields": {"nmae": "x"}})
