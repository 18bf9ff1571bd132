"""Evaluator: operators, functions, casts and CSE null semantics over normalized records."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deployer.cseql import compile_expression, evaluate, matches, parse, render_template

DATA = Path(__file__).parent / "data"
CASES = yaml.safe_load((DATA / "evaluate_cases.yaml").read_text())["cases"]
NULL_CASES = yaml.safe_load((DATA / "null_cases.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["expr"][:60] for c in CASES])
def test_expression_value(case):
    assert evaluate(parse(case["expr"]), case["record"]) == case["value"]


@pytest.mark.parametrize("case", NULL_CASES, ids=[c["expr"] for c in NULL_CASES])
def test_null_semantics(case):
    assert evaluate(parse(case["expr"]), {"y": 1}) == case["value"]


def test_matches_is_truthiness_and_compiled_form_agrees():
    expr = parse("lower(baseImage) LIKE '%\\netsh.exe' AND commandLine RLIKE 'portproxy'")
    record = {"baseImage": "C:\\Windows\\System32\\NETSH.EXE", "commandLine": "netsh portproxy add"}
    assert matches(expr, record) is True
    assert compile_expression(expr)(record) is True
    assert matches(expr, {"baseImage": "C:\\x.exe"}) is False
    assert matches(parse("fields['flag']"), {"fields": {"flag": "TRUE"}}) is True
    assert matches(parse("dstPort"), {"dstPort": 1}) is False


def test_invalid_regex_and_unknown_function_are_false_not_exceptions():
    assert matches(parse("x RLIKE '('"), {"x": "("}) is False
    assert evaluate(parse("noSuchFunction(x)"), {"x": 1}) is None
    assert matches(parse("x RLIKE y"), {"x": "abc", "y": "b+"}) is True
    assert matches(parse("x RLIKE y"), {"x": "abc", "y": "("}) is False


THREAT = (
    "hasThreatMatch([srcDevice_ip, dstDevice_ip], confidence > 74 AND (type='ipv4-addr' OR type='ipv6-addr'))"
)


def _indicator(**overrides):
    return {"indicator": "203.0.113.9", "type": "ipv4-addr", "confidence": 80, **overrides}


def test_has_threat_match_reads_matching_indicators():
    expr = parse(THREAT)
    hit = {"dstDevice_ip": "203.0.113.9", "_matchingIndicators": {"dstDevice_ip": [_indicator()]}}
    assert matches(expr, hit)
    low = {
        "dstDevice_ip": "203.0.113.9",
        "_matchingIndicators": {"dstDevice_ip": [_indicator(confidence=10)]},
    }
    assert not matches(expr, low)
    assert not matches(expr, {"dstDevice_ip": "203.0.113.9"})
    absent_field = {"_matchingIndicators": {"dstDevice_ip": [_indicator()]}}
    assert not matches(expr, absent_field)


def test_has_threat_match_indicator_states():
    expired = _indicator(validUntil="2020-01-01T00:00:00Z")
    record = {
        "srcDevice_ip": "203.0.113.9",
        "timestamp": 1_700_000_000_000,
        "_matchingIndicators": {"srcDevice_ip": [expired]},
    }
    assert not matches(parse("hasThreatMatch([srcDevice_ip])"), record)
    assert matches(parse("hasThreatMatch([srcDevice_ip], expired_indicators)"), record)
    assert matches(parse("hasThreatMatch([srcDevice_ip], confidence > 1, all_indicators)"), record)
    keyed = {"fields": {"h": "x"}, "_matchingIndicators": {"fields['h']": [_indicator()]}}
    assert matches(parse('hasThreatMatch([fields["h"]])'), keyed)


def test_render_template_fills_fields():
    record = {
        "user_username": "alice",
        "fields": {"requestParameters.userName": "bob", "x": 1},
        "dstPort": 445,
    }
    text = "{{user_username}} created {{fields['requestParameters.userName']}} on {{dstPort}} {{fields.x}} {{missing}}."
    assert render_template(text, record) == "alice created bob on 445 1 ."
    assert render_template("{{lower(x)}} and {{ broken", record) == "{{lower(x)}} and {{ broken"
