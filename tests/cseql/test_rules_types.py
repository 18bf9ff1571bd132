"""Rule-type semantics: match, threshold, chain, aggregation, first-seen and outlier, with their traces."""

from __future__ import annotations

import pytest

from deployer.cseql.rules import default_score, duration_ms, evaluate_rule, human_duration, record_time

DETECTION = {"name": "Rule", "description": "About {{user_username}}", "severity": "high", "confidence": "low",
             "mitre": {"tactics": [{"id": "TA0006", "name": "Credential Access"}]}}
USER = [{"entity_type": "_username", "expression": "user_username"}]


def rec(minute: int, **fields) -> dict:
    return {"timestamp": minute * 60_000, **fields}


def test_match_fills_templates_and_defaults_from_the_detection():
    cse = {"type": "match", "expression": "action = 'x'", "entity_selectors": USER,
           "name_expression": "Saw {{action}} by {{user_username}}"}
    result = evaluate_rule(cse, [rec(0, action="x", user_username="al"), rec(1, action="y")], detection=DETECTION)
    [signal] = result.signals
    assert signal.to_dict() | {} == {
        "name": "Saw x by al", "summary": "", "description": "About {{user_username}}".replace("{{user_username}}", "al"),
        "score": default_score("high", "low"), "entities": [{"entity_type": "_username", "value": "al"}],
        "records": [0], "tags": [], "group": {}, "values": {}}


def test_match_without_an_entity_value_makes_no_signal_and_says_why():
    cse = {"type": "match", "expression": "action = 'x'", "entity_selectors": USER, "score": 3}
    result = evaluate_rule(cse, [rec(0, action="x")], explain=True)
    assert not result.signals and any("no entity selector" in line for line in result.trace)


def test_null_comparisons_are_false():
    cse = {"type": "match", "expression": "dstPort != 22", "score": 1}
    assert not evaluate_rule(cse, [{"other": 1}]).signals


@pytest.mark.parametrize("mapping, expected", [
    ({"field": "level", "default": 2, "mapping": [{"from": "bad", "to": 9}]}, 9),
    ({"field": "level", "default": 2, "mapping": [{"from": "worse", "to": 9}]}, 2),
    ({"field": "num", "default": 2}, 6),
])
def test_score_mapping(mapping, expected):
    cse = {"type": "match", "expression": "true", "score": mapping}
    assert evaluate_rule(cse, [{"level": "BAD", "num": "6"}]).signals[0].score == expected


def test_threshold_counts_distinct_per_group_within_the_window():
    cse = {"type": "threshold", "expression": "true", "limit": 3, "window": "10m", "count_distinct": "user_username",
           "group_by": ["srcDevice_ip"], "entity_selectors": USER, "score": 4}
    records = [rec(0, srcDevice_ip="a", user_username="u1"), rec(1, srcDevice_ip="a", user_username="u1"),
               rec(2, srcDevice_ip="a", user_username="u2"), rec(3, srcDevice_ip="b", user_username="u9"),
               rec(4, srcDevice_ip="a", user_username="u3"), rec(30, srcDevice_ip="b", user_username="u8")]
    result = evaluate_rule(cse, records, explain=True)
    [signal] = result.signals
    assert signal.records == (0, 1, 2, 4) and signal.group == {"srcDevice_ip": "a"} and signal.values == {"count": 3}
    assert any("limit 3" in line and "not reached" in line for line in result.trace)


def test_threshold_window_honours_iso_timestamps():
    cse = {"type": "threshold", "expression": "true", "limit": 2, "window": "5m", "score": 1}
    spread = [{"timestamp": "2026-01-01T00:00:00Z"}, {"timestamp": "2026-01-01T00:06:00Z"}]
    close = [{"timestamp": "2026-01-01T00:00:00Z"}, {"timestamp": "2026-01-01T00:04:59Z"}]
    assert not evaluate_rule(cse, spread).signals and len(evaluate_rule(cse, close).signals) == 1


def test_threshold_fires_again_after_a_window_completes():
    cse = {"type": "threshold", "expression": "true", "limit": 2, "window": "5m", "score": 1}
    assert len(evaluate_rule(cse, [rec(m) for m in (0, 1, 2, 3)]).signals) == 2


CHAIN = {"type": "chain", "window": "10m", "score": 5, "group_by": ["host"],
         "expressions": [{"expression": "step = 1", "limit": 2}, {"expression": "step = 2"}]}


def test_chain_ordered_needs_each_limit_in_order():
    ordered = {**CHAIN, "ordered": True}
    good = [rec(0, step=1, host="h"), rec(1, step=1, host="h"), rec(2, step=2, host="h")]
    early = [rec(0, step=1, host="h"), rec(1, step=2, host="h"), rec(2, step=1, host="h")]
    assert evaluate_rule(ordered, good).signals[0].records == (0, 1, 2)
    result = evaluate_rule(ordered, early, explain=True)
    assert not result.signals and any("stage 2: 0/1" in line for line in result.trace)
    assert evaluate_rule(CHAIN, early).signals  # unordered: any order within the window


def test_chain_respects_window_and_groups():
    far = [rec(0, step=1, host="h"), rec(1, step=1, host="h"), rec(20, step=2, host="h")]
    split = [rec(0, step=1, host="h"), rec(1, step=1, host="h"), rec(2, step=2, host="other")]
    assert not evaluate_rule(CHAIN, far).signals and not evaluate_rule(CHAIN, split).signals


def test_aggregation_functions_and_trigger():
    cse = {"type": "aggregation", "expression": "true", "window": "1h", "group_by": ["host"], "score": 2,
           "aggregations": [{"name": "n", "function": "count"}, {"name": "total", "function": "sum", "arguments": ["bytes"]},
                            {"name": "kinds", "function": "count_distinct", "arguments": ["kind"]},
                            {"name": "top", "function": "max", "arguments": ["bytes"]}],
           "trigger": "total > 100 AND kinds >= 2", "name_expression": "{{host}}: {{total}}"}
    records = [rec(0, host="h", bytes=60, kind="a"), rec(5, host="h", bytes="50", kind="b"), rec(6, host="g", bytes=500, kind="a")]
    [signal] = evaluate_rule(cse, records).signals
    assert signal.values == {"n": 2, "total": 110, "kinds": 2, "top": 60} and signal.name == "h: 110"


def test_first_seen_against_baseline_per_entity_and_global():
    cse = {"type": "first-seen", "expression": "true", "value_fields": ["country"], "group_by": ["user"],
           "baseline_window": "30d", "retention_window": "90d", "score": 3}
    baseline = [{"user": "al", "country": "FR"}, {"user": "bo", "country": "US"}]
    records = [{"user": "al", "country": "FR"}, {"user": "al", "country": "US"}, {"user": "al", "country": "US"}]
    [signal] = evaluate_rule(cse, records, baseline=baseline).signals
    assert signal.records == (1,) and signal.values == {"value": ("US",)}
    assert not evaluate_rule({**cse, "baseline_type": "global"}, records, baseline=baseline).signals


def test_first_seen_forgets_baseline_older_than_retention():
    cse = {"type": "first-seen", "expression": "true", "value_expression": "country", "baseline_type": "global",
           "baseline_window": "1d", "retention_window": "7d", "score": 3}
    old = [{"country": "FR", "timestamp": 1_000}]  # records without a timestamp are never forgotten
    now = [{"country": "FR", "timestamp": duration_ms("30d")}]
    assert evaluate_rule(cse, now, baseline=old).signals


def test_outlier_mean_stddev_threshold_and_floor():
    cse = {"type": "outlier", "expression": "true", "aggregation": {"function": "count"}, "window": "1h",
           "baseline_window": "7d", "retention_window": "30d", "deviation_threshold": 2, "floor": 5, "score": 3,
           "group_by": ["user"]}
    hour = 3_600_000
    baseline = [{"user": "u", "timestamp": h * hour} for h in (0, 1, 1, 2, 3, 3)]  # 1,2,1,2 per hour
    spike = [{"user": "u", "timestamp": 10 * hour + i} for i in range(6)]
    small = [{"user": "u", "timestamp": 10 * hour + i} for i in range(4)]
    result = evaluate_rule(cse, spike, baseline=baseline, explain=True)
    assert result.signals and result.signals[0].values["mean"] == 1.5
    assert not evaluate_rule({**cse, "floor": 10}, spike, baseline=baseline).signals
    assert not evaluate_rule(cse, small[:2], baseline=baseline).signals
    assert not evaluate_rule(cse, spike, baseline=[]).signals


def test_suppression_window_drops_repeats_on_the_same_entity():
    cse = {"type": "match", "expression": "true", "entity_selectors": USER, "suppression_window": "30m", "score": 1}
    records = [rec(0, user_username="a"), rec(10, user_username="a"), rec(11, user_username="b"), rec(45, user_username="a")]
    assert [s.records for s in evaluate_rule(cse, records).signals] == [(0,), (2,), (3,)]


def test_durations_and_record_time():
    assert duration_ms("30m") == 1_800_000 and human_duration(2_592_000_000) == "30d" and human_duration(90_000) == "90s"
    assert record_time({"timestamp": "2026-01-01T00:00:00Z"}) == 1_767_225_600_000
    assert record_time({"timestamp": "1000"}) == 1000 and record_time({}) == 0
    with pytest.raises(ValueError):
        duration_ms("soon")
