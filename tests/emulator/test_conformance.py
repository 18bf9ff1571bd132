"""Every emulator answer the OpenAPI specs describe validates against the spec's response schema."""

from __future__ import annotations

import pytest

from deployer.emulator import openapi
from tests.api import cases

# CSE rule variants in GetRulesResponse_data_objects_inner (the normalised spec's oneOf), by ruleType.
RULE_VARIANTS = {"threshold": "_1", "templated match": "_2", "chain": "_3", "aggregation": "_4",
                 "first seen": "_5", "outlier": "_6"}


@pytest.fixture
def exercised(sumo, client, payloads):
    for rule_type in ("match", "threshold", "chain", "aggregation", "first-seen", "outlier"):
        cases.rule_lifecycle(client, payloads, "c", rule_type)
        client.cse_rules.create(rule_type, payloads["rules"][rule_type])
    client.cse_rules.list(expand_tuning=True)
    cases.content_lifecycle(client, payloads, "c")
    cases.monitor_lifecycle(client, payloads, "c")
    client.monitors.create(payloads["monitor"])
    client.monitors.root()
    client.tuning.create({"name": "t", "description": "", "expression": "true", "enabled": True,
                          "exclude": False, "isGlobal": True, "ruleIds": []})
    client.tuning.list()
    return sumo.journal


def test_every_response_matches_the_spec(exercised):
    checked = set()
    for exchange in exercised:
        if not exchange.operation or exchange.status is None or exchange.status >= 300:
            continue
        schema = openapi.operation(exchange.family, exchange.operation)["responses"].get(str(exchange.status))
        if schema is None:
            continue
        problems = openapi.problems(exchange.family, schema, exchange.body)
        assert problems == [], (exchange.operation, problems[:3])
        checked.add(exchange.operation)
    assert len(checked) >= 25


def test_rules_match_their_own_type_variant(exercised):
    rules = [e.body["data"] for e in exercised if e.operation == "GET /rules/{id}" and e.status == 200]
    assert {r["ruleType"] for r in rules} == set(RULE_VARIANTS)
    for rule in rules:
        variant = "GetRulesResponse_data_objects_inner_oneOf" + RULE_VARIANTS[rule["ruleType"]]
        assert openapi.problems("cse", variant, rule) == []
