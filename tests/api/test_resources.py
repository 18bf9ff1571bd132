"""The client against the emulator over real HTTP, for every resource family."""

from __future__ import annotations

import pytest

from deployer.api import ValidationFailed
from tests.api import cases

RULE_TYPES = ["match", "threshold", "chain", "aggregation", "first-seen", "outlier"]
PREFIXES = {"match": "MATCH", "threshold": "THRESHOLD", "chain": "CHAIN", "aggregation": "AGGREGATION",
            "first-seen": "FIRST", "outlier": "OUTLIER"}


@pytest.mark.parametrize("rule_type", RULE_TYPES)
def test_rule_lifecycle(client, payloads, rule_type):
    fetched = cases.rule_lifecycle(client, payloads, "t", rule_type)
    assert fetched["id"] == f"{PREFIXES[rule_type]}-U00001"
    assert fetched["ruleSource"] == "user"


def test_window_sizes_read_back_as_milliseconds(client, payloads):
    chain = client.cse_rules.create("chain", payloads["rules"]["chain"])
    assert (chain["windowSize"], chain["windowSizeName"]) == (120000, "CUSTOM")
    assert [e["index"] for e in chain["expressionsAndLimits"]] == [0, 1]
    threshold = client.cse_rules.create("threshold", payloads["rules"]["threshold"])
    assert (threshold["windowSize"], threshold["windowSizeName"]) == (1_800_000, "T30M")


def test_rule_listing_pages_and_filters(client, payloads):
    cases.rule_listing(client, payloads, "t")
    for n in range(3):
        client.cse_rules.create("match", dict(payloads["rules"]["match"], name=f"m{n}"))
    assert len(client.cse_rules.list(page_size=2)) == 3
    assert client.stats.responses_by_status[200] >= 5
    assert [r["name"] for r in client.cse_rules.list('ruleType:in("templated match") name:"m1"')] == ["m1"]
    assert client.cse_rules.list("enabled:false") == []


def test_invalid_rule_is_rejected_naming_the_field(client, payloads):
    bad = dict(payloads["rules"]["threshold"], windowSize="T99M")
    with pytest.raises(ValidationFailed) as info:
        client.cse_rules.create("threshold", bad)
    assert info.value.status == 400
    assert info.value.field_errors[0].field == "fields.windowSize"
    with pytest.raises(ValidationFailed, match="score"):
        client.cse_rules.create("threshold", dict(payloads["rules"]["threshold"], score=42))
    with pytest.raises(ValidationFailed, match="unknown field"):
        client.cse_rules.create("match", dict(payloads["rules"]["match"], severity=3))
    with pytest.raises(ValidationFailed, match="exactly one"):
        outlier = payloads["rules"]["outlier"]
        client.cse_rules.create("outlier", dict(outlier, aggregationFunctions=outlier["aggregationFunctions"] * 2))


def test_tuning_expressions_and_match_lists(client, payloads):
    rule = client.cse_rules.create("match", payloads["rules"]["match"])
    tuning = client.tuning.create({"name": "skip scanners", "description": "", "expression": "srcDevice_ip = \"10.0.0.9\"",
                                   "enabled": True, "exclude": True, "isGlobal": False, "ruleIds": [rule["id"]]})
    assert client.tuning.get(tuning["id"])["name"] == "skip scanners"
    assert [t["id"] for t in client.tuning.list()] == [tuning["id"]]
    client.tuning.update(tuning["id"], {"name": "skip scanners 2", "description": "", "expression": "true",
                                        "enabled": False, "exclude": True, "isGlobal": True, "ruleIds": []})
    assert client.tuning.get(tuning["id"])["enabled"] is False
    client.tuning.delete(tuning["id"])
    lst = client.match_lists.create({"name": "proxies", "description": "known proxies", "targetColumn": "DstIp",
                                     "defaultTtl": 0, "active": True})
    client.match_lists.add_items(lst["id"], [{"value": "10.0.0.1", "active": True, "description": "squid"}])
    assert [m["name"] for m in client.match_lists.list()] == ["proxies"]
    client.match_lists.delete(lst["id"])


def test_content_lifecycle(client, payloads):
    cases.content_lifecycle(client, payloads, "t")


def test_content_jobs_go_through_in_progress(sumo, client, payloads):
    personal = client.content.personal_folder()
    client.content.import_item(personal["id"], payloads["saved_search"])
    statuses = [e.body["status"] for e in sumo.journal if e.operation and e.operation.endswith("/status")]
    assert statuses[0] == "InProgress" and statuses[-1] == "Success"


def test_content_folder_round_trip(client, payloads):
    personal = client.content.personal_folder()
    tree = {"type": "FolderSyncDefinition", "name": "Detections", "description": "d",
            "children": [payloads["saved_search"]]}
    folder_id = client.content.import_item(personal["id"], tree)
    exported = client.content.export_item(folder_id)
    search = exported["children"][0]
    assert "to" not in search["searchSchedule"]["parseableTimeRange"]  # nulls are not stored
    search["searchSchedule"]["parseableTimeRange"]["to"] = None
    assert exported == tree
    assert client.content.path_of(folder_id).endswith("/Detections")


def test_monitor_lifecycle(client, payloads):
    cases.monitor_lifecycle(client, payloads, "t")


def test_monitor_create_defaults_to_root(client, payloads):
    monitor = client.monitors.create(payloads["monitor"])
    assert monitor["parentId"] == client.monitors.root()["id"]
    assert client.monitors.get_by_path(f"/Monitor/{payloads['monitor']['name']}")["id"] == monitor["id"]
    assert [h["path"] for h in client.monitors.search("type:monitor")] == [f"/Monitor/{monitor['name']}"]
