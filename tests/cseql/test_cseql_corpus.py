"""Conformance on Sumo's built-in Cloud SIEM rules (../shared/corpus/cse-rules.dev.json).

Every expression, value field, entity selector and template parses, round-trips through the printer,
and lints with zero error-severity diagnostics. Skipped when ../shared is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.cseql import format_expression, lint, lint_entity_selector, lint_tags, lint_template, parse

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus" / "cse-rules.dev.json"

EXPRESSION_KEYS = (
    "expression",
    "filter_expression",
    "match_expression",
    "value_expression",
    "trigger_expression",
)
TEMPLATE_KEYS = ("name_expression", "summary_expression", "description_expression", "nameExpression")

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared corpus not present")


def _rules() -> dict[str, dict]:
    return json.loads(CORPUS.read_text(encoding="utf-8")) if CORPUS.exists() else {}


def _expressions(rule: dict) -> list[tuple[str, str]]:
    found = [(key, rule[key]) for key in EXPRESSION_KEYS if rule.get(key)]
    found += [("expressions_and_limits", e["expression"]) for e in rule.get("expressions_and_limits") or []]
    found += [("value_fields", v) for v in rule.get("value_fields") or []]
    found += [("group_by_fields", v) for v in rule.get("group_by_fields") or []]
    found += [
        (f"aggregation:{a['name']}", arg)
        for a in rule.get("aggregation_functions") or []
        for arg in a["arguments"]
    ]
    return found


RULES = _rules()


def test_corpus_has_the_expected_rules():
    assert len(RULES) == 200
    assert sum(len(_expressions(r)) for r in RULES.values()) > 200


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_expressions_parse_round_trip_and_lint_clean(rule_id):
    rule = RULES[rule_id]
    for key, text in _expressions(rule):
        expr = parse(text)
        assert parse(format_expression(expr)) == expr, key
        errors = [d.format() for d in lint(expr) if d.is_error]
        assert errors == [], (key, errors)
    for key in TEMPLATE_KEYS:
        if rule.get(key):
            assert [d.format() for d in lint_template(rule[key]) if d.is_error] == [], key
    for selector in rule.get("entity_selectors") or []:
        found = lint_entity_selector(selector["entity_type"], selector["expression"])
        assert [d.format() for d in found if d.is_error] == [], selector
    assert lint_tags(rule.get("tags") or []) == []
