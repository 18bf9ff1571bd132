"""The sync engine end to end against the emulator: plan, apply, drift, conflicts, adopt, prune, recovery."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from deployer.sync import DesiredState, Plan, StalePlanError, apply_plan, drift_report, read_state
from deployer.sync.normalize import owner_of

MATCH = "0a6c7e10-1111-4a1a-9a1a-000000000001"
THRESHOLD = "0a6c7e10-2222-4a1a-9a1a-000000000002"
SEARCH = "0a6c7e10-3333-4a1a-9a1a-000000000003"


def actions(plan) -> dict:
    return {(c.kind, c.detection_id): c.action for c in plan.changes}


def deployed_rule(client, detection_id):
    return next(r for r in client.cse_rules.list() if owner_of("cse_rule", r)[0] == detection_id)


def test_apply_creates_everything_then_nothing_to_do(client, desired, plan_for):
    plan = plan_for(client, desired)
    assert sorted(actions(plan).values()) == ["create"] * 4
    report = apply_plan(client, plan, backoff=0.01)
    assert report.ok, report.failures
    again = plan_for(client, desired)
    assert not again.pending and again.count("unchanged") == 4


def test_tenant_edit_is_drifted_and_apply_repairs_it(client, desired, plan_for, environment):
    apply_plan(client, plan_for(client, desired))
    rule = deployed_rule(client, THRESHOLD)
    fields = {k: rule[k] for k in ("name", "description", "expression", "groupByFields", "score", "stream",
                                   "tags", "entitySelectors", "countDistinct", "version")} | {"limit": 10, "windowSize": "T60M"}
    client.cse_rules.update("threshold", rule["id"], fields)
    plan = plan_for(client, desired)
    change = next(c for c in plan.changes if c.detection_id == THRESHOLD)
    assert change.action == "drifted"
    assert {(d.path, d.old, d.new) for d in change.diffs} >= {("limit", 10, 3), ("windowSize", "T60M", "T30M")}
    deployed = read_state(client, environment.folder, environment.monitor_folder)
    assert [i.category for i in drift_report(plan, deployed).items] == ["changed"]
    assert apply_plan(client, plan).ok
    assert not plan_for(client, desired).pending


def test_repository_change_is_an_update_not_drift(client, desired, plan_for, environment):
    apply_plan(client, plan_for(client, desired))
    env = replace(environment, data={**environment.data, "overrides": {SEARCH: {"threshold": 4}}})
    from deployer.sync import desired_state, select_detections

    changed = desired_state(select_detections(_detections(desired, env), env), env)
    plan = plan_for(client, changed)
    assert actions(plan)[("scheduled_search", SEARCH)] == "update"
    assert actions(plan)[("monitor", SEARCH)] == "update"
    assert apply_plan(client, plan).ok
    assert not plan_for(client, changed).pending


def _detections(desired, env):
    from deployer.content.loader import load_content

    from .conftest import DATA
    return load_content([], DATA).detections


def test_unmanaged_same_name_is_a_conflict_until_adopted(client, desired, plan_for):
    name = next(o.name for o in desired.objects if o.detection_id == MATCH)
    mine = client.cse_rules.create("match", {"name": name, "enabled": True, "expression": "true",
                                             "nameExpression": "x", "descriptionExpression": "y",
                                             "scoreMapping": {"type": "constant", "default": 1}, "stream": "record"})
    plan = plan_for(client, desired)
    conflict = next(c for c in plan.changes if c.detection_id == MATCH)
    assert conflict.action == "conflict" and conflict.remote_id == mine["id"] and not conflict.is_change
    apply_plan(client, plan)
    assert client.cse_rules.get(mine["id"])["expression"] == "true"  # never touched
    adopted = plan_for(client, desired, adopt=frozenset({MATCH}))
    change = next(c for c in adopted.changes if c.detection_id == MATCH)
    assert (change.action, change.remote_id) == ("update", mine["id"])
    assert apply_plan(client, adopted).ok
    assert owner_of("cse_rule", client.cse_rules.get(mine["id"]))[0] == MATCH
    assert not plan_for(client, desired).pending


@pytest.mark.parametrize("on_removed", ["delete", "disable"])
def test_prune_touches_only_managed_objects(client, desired, plan_for, on_removed):
    apply_plan(client, plan_for(client, desired))
    other = client.cse_rules.create("match", {"name": "Someone else's rule", "enabled": True, "expression": "true",
                                              "nameExpression": "x", "descriptionExpression": "y",
                                              "scoreMapping": {"type": "constant", "default": 1}, "stream": "record"})
    fewer = DesiredState(tuple(o for o in desired.objects if o.detection_id != MATCH), frozenset({MATCH}), ())
    kept = plan_for(client, fewer, on_removed=on_removed)
    assert actions(kept)[("cse_rule", MATCH)] == "orphaned" and not kept.pending
    pruned = plan_for(client, fewer, prune=True, on_removed=on_removed)
    assert [(c.action, c.detection_id) for c in pruned.pending] == [(on_removed, MATCH)]
    assert apply_plan(client, pruned).ok
    rules = {r["name"]: r for r in client.cse_rules.list()}
    assert rules["Someone else's rule"] == client.cse_rules.get(other["id"])
    if on_removed == "delete":
        assert all(owner_of("cse_rule", r)[0] != MATCH for r in rules.values())
    else:
        assert deployed_rule(client, MATCH)["enabled"] is False
    assert not plan_for(client, fewer, prune=True, on_removed=on_removed).pending


def test_ambiguous_create_is_reread_by_marker_never_duplicated(emulator, client, desired, plan_for):
    emulator.faults = "rate=1,kinds=commit-then-fail,methods=POST,limit=3"
    report = apply_plan(client, plan_for(client, desired), backoff=0.01)
    assert report.ok, report.failures
    assert any(r.attempts > 1 for r in report.results)
    emulator.faults = None
    owners = [owner_of("cse_rule", r)[0] for r in client.cse_rules.list()]
    assert sorted(owners) == sorted({MATCH, THRESHOLD})
    assert not plan_for(client, desired).pending


def test_saved_plan_is_refused_when_the_tenant_changed(client, desired, plan_for):
    plan = Plan.from_json(json.loads(json.dumps(plan_for(client, desired).to_json())))
    assert plan == plan_for(client, desired)
    client.cse_rules.create("match", {"name": "Appeared meanwhile", "enabled": True, "expression": "true",
                                      "nameExpression": "x", "descriptionExpression": "y",
                                      "scoreMapping": {"type": "constant", "default": 1}, "stream": "record"})
    with pytest.raises(StalePlanError):
        apply_plan(client, plan, check_fingerprint=True)


def test_one_failure_does_not_stop_the_others(client, desired, plan_for):
    broken = tuple(replace(o, body={**o.body, "limit": -5, "score": 99}) if o.detection_id == THRESHOLD else o
                   for o in desired.objects)
    report = apply_plan(client, plan_for(client, replace(desired, objects=broken)), backoff=0.01)
    assert [r.change.detection_id for r in report.failures] == [THRESHOLD]
    assert len([r for r in report.results if r.ok]) == 3
