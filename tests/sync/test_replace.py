"""A detection whose `cse.type` changes: plan shows `replace`, apply creates the new rule before deleting the old."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deployer.content.loader import load_content
from deployer.sync import apply_plan, desired_state, drift_report, read_state, select_detections
from deployer.sync.normalize import owner_of, rule_type_of

from .conftest import DATA

THRESHOLD = "0a6c7e10-2222-4a1a-9a1a-000000000002"
AS_MATCH = {"type": "match", "expression": 'normalizedAction = "logon" and success = false',
            "entity_selectors": [{"entity_type": "_username", "expression": "user_username"}], "score": 4}


@pytest.fixture(scope="module")
def retyped(environment):
    """The sync test content with the threshold rule rewritten as a match rule."""
    detections = [replace(d, data={**d.data, "cse": AS_MATCH}) if d.id == THRESHOLD else d
                  for d in load_content([], DATA).detections]
    return desired_state(select_detections(detections, environment), environment)


def owned(client, detection_id):
    return [r for r in client.cse_rules.list() if owner_of("cse_rule", r)[0] == detection_id]


def test_type_change_is_a_replace_created_before_the_old_is_deleted(emulator, client, desired, retyped, plan_for,
                                                                    environment):
    assert apply_plan(client, plan_for(client, desired)).ok
    [old] = owned(client, THRESHOLD)
    plan = plan_for(client, retyped)
    [change] = plan.pending
    assert (change.action, change.detection_id, change.remote_id, change.rule_type) == (
        "replace", THRESHOLD, old["id"], "match")
    assert "threshold -> match" in change.reason and "cannot update in place" in change.reason
    deployed = read_state(client, environment.folder, environment.monitor_folder)
    assert [i.category for i in drift_report(plan, deployed).items] == ["pending"]

    start = len(emulator.journal)
    report = apply_plan(client, plan, backoff=0.01)
    assert report.ok, report.failures
    writes = [(x.method, x.path) for x in emulator.journal[start:] if x.method in ("POST", "DELETE")]
    assert writes == [("POST", "/api/sec/v1/rules/templated"), ("DELETE", f"/api/sec/v1/rules/{old['id']}")]
    [new] = owned(client, THRESHOLD)
    assert rule_type_of(new) == "match" and report.results[0].remote_id == new["id"]
    assert not plan_for(client, retyped).pending


def test_ambiguous_create_during_replace_is_reread_never_duplicated(emulator, client, desired, retyped, plan_for):
    apply_plan(client, plan_for(client, desired))
    emulator.faults = "rate=1,kinds=commit-then-fail,methods=POST,paths=/api/sec/*,limit=1"
    report = apply_plan(client, plan_for(client, retyped), backoff=0.01)
    emulator.faults = None
    assert report.ok and report.results[0].attempts > 1, report.results
    assert [rule_type_of(r) for r in owned(client, THRESHOLD)] == ["match"]
    assert not plan_for(client, retyped).pending


def test_interrupted_replace_keeps_the_new_rule_and_deletes_the_old(emulator, client, desired, retyped, plan_for):
    apply_plan(client, plan_for(client, desired))
    [old] = owned(client, THRESHOLD)
    emulator.faults = "rate=1,kinds=500,methods=DELETE"
    failed = apply_plan(client, plan_for(client, retyped), attempts=2, backoff=0.01)
    emulator.faults = None
    assert not failed.ok
    assert sorted(rule_type_of(r) for r in owned(client, THRESHOLD)) == ["match", "threshold"]
    plan = plan_for(client, retyped)
    assert [(c.action, c.remote_id) for c in plan.pending] == [("delete", old["id"])]
    assert apply_plan(client, plan).ok
    assert [rule_type_of(r) for r in owned(client, THRESHOLD)] == ["match"]
    assert not plan_for(client, retyped).pending
