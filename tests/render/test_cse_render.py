"""render_cse_rule: tags, windows, scores, overrides and markers for the repository's CSE detections."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from deployer.content.loader import load_content, load_environment
from deployer.render import RenderError, marked_id, marker_tag, render_cse_rule
from deployer.render.cse import score_mapping, window_fields

ROOT = Path(__file__).resolve().parents[2]
SEED_ID = "19c1d4a5-1c89-4138-9533-1c42e2babcf3"


@pytest.fixture(scope="module")
def detections():
    return {d.id: d for d in load_content([], ROOT).detections}


def test_seed_renders_a_templated_rule_with_mitre_and_marker_tags(detections):
    rule = render_cse_rule(detections[SEED_ID])
    fields = rule.body["fields"]
    assert rule.path == "/sec/v1/rules/templated" and list(fields) == sorted(fields)
    assert fields["tags"] == ["_mitreAttackTactic:TA0011", "_mitreAttackTechnique:T1090",
                              "_mitreAttackTechnique:T1090.001", marker_tag(SEED_ID), "sumo-content:version=1"]
    assert marked_id(fields["tags"]) == SEED_ID
    assert fields["scoreMapping"] == {"default": 7, "field": "", "mapping": [], "type": "constant"}
    assert fields["suppressionWindowSize"] == 1_800_000 and fields["isPrototype"] is False
    assert fields["category"] == "Command and Control"


def test_environment_overrides_apply(detections):
    assert render_cse_rule(detections[SEED_ID], load_environment("dev", ROOT)).body["fields"]["isPrototype"] is True
    environment = load_environment("dev", ROOT)
    data = dict(environment.data, overrides={SEED_ID: {"severity": "critical", "enabled": False}})
    fields = render_cse_rule(detections[SEED_ID], replace(environment, data=data)).body["fields"]
    assert fields["scoreMapping"]["default"] == 9 and fields["enabled"] is False


def test_threshold_override_and_custom_window(detections):
    spraying = next(d for d in detections.values() if d.cse and d.cse["type"] == "threshold")
    environment = load_environment("dev", ROOT)
    data = dict(environment.data, overrides={spraying.id: {"threshold": 12, "window": "45m"}})
    fields = render_cse_rule(spraying, replace(environment, data=data)).body["fields"]
    assert fields["limit"] == 12 and fields["windowSize"] == "CUSTOM" and fields["windowSizeMilliseconds"] == "2700000"
    assert fields["countDistinct"] is True and fields["countField"] == "user_username" and fields["version"] == 1


def test_every_type_renders_to_its_endpoint(detections):
    endpoints = {render_cse_rule(d).endpoint_type for d in detections.values() if d.cse}
    assert endpoints == {"templated", "threshold", "chain", "aggregation", "first-seen", "outlier"}


def test_windows_scores_and_errors():
    assert window_fields("1h") == {"windowSize": "T60M"} and window_fields("5d") == {"windowSize": "T05D"}
    with pytest.raises(RenderError):
        window_fields("30s")
    assert score_mapping({"field": "sev", "default": 3, "mapping": [{"from": "high", "to": 8}]}) == {
        "default": 3, "field": "sev", "mapping": [{"from": "high", "fromEnd": "", "to": 8, "type": "eq"}],
        "type": "fieldValueMapping"}


def test_a_detection_without_cse_is_an_error(detections):
    search_only = next(d for d in detections.values() if not d.cse)
    with pytest.raises(RenderError, match="no `cse` block"):
        render_cse_rule(search_only)
