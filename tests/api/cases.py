"""Client scenarios shared by tests/api (against the emulator) and tests/live (against a tenant).

Each case takes a SumoClient, the payload fixtures and a unique name prefix, and cleans up after
itself; assertions here hold on real Sumo too (emulator-only details live in test_resources.py).
"""

from __future__ import annotations

import copy

import pytest

from deployer.api import Conflict, JobFailed, NotFound, SumoClient


def rule_lifecycle(client: SumoClient, payloads: dict, prefix: str, rule_type: str) -> dict:
    fields = dict(copy.deepcopy(payloads["rules"][rule_type]), name=f"{prefix} {rule_type}")
    created = client.cse_rules.create(rule_type, fields)
    try:
        assert created["name"] == fields["name"] and created["ruleSource"] == "user"
        fetched = client.cse_rules.get(created["id"])
        assert fetched["id"] == created["id"]
        if "windowSize" in fields:
            assert isinstance(fetched["windowSize"], int) and fetched["windowSizeName"] == fields["windowSize"]
        fields["name"] += " v2"
        updated = client.cse_rules.update(rule_type, created["id"], fields)
        assert updated["name"] == fields["name"]
        client.cse_rules.set_enabled(created["id"], False)
        assert client.cse_rules.get(created["id"])["enabled"] is False
        return fetched
    finally:
        client.cse_rules.delete(created["id"])
        with pytest.raises(NotFound):
            client.cse_rules.get(created["id"])


def rule_listing(client: SumoClient, payloads: dict, prefix: str) -> None:
    ids = []
    try:
        for n in range(5):
            fields = dict(copy.deepcopy(payloads["rules"]["threshold"]), name=f"{prefix} list {n}")
            ids.append(client.cse_rules.create("threshold", fields)["id"])
        found = client.cse_rules.list(f'ruleSource:"user" name:contains("{prefix} list")', page_size=2)
        assert sorted(r["id"] for r in found) == sorted(ids)
    finally:
        for rule_id in ids:
            client.cse_rules.delete(rule_id)


def content_lifecycle(client: SumoClient, payloads: dict, prefix: str) -> None:
    personal = client.content.personal_folder()
    folder = client.content.create_folder(f"{prefix} folder", personal["id"], "test folder")
    try:
        base = client.content.path_of(personal["id"])
        assert client.content.get_by_path(f"{base}/{prefix} folder")["id"] == folder["id"]
        definition = payloads["saved_search"]
        item_id = client.content.import_item(folder["id"], definition)
        assert client.content.export_item(item_id)["search"]["queryText"] == definition["search"]["queryText"]
        with pytest.raises(JobFailed):
            client.content.import_item(folder["id"], definition)  # name clash without overwrite
        changed = dict(definition, description="changed")
        new_id = client.content.import_item(folder["id"], changed, overwrite=True)
        assert client.content.export_item(new_id)["description"] == "changed"
        children = client.content.get_folder(folder["id"])["children"]
        assert [c["name"] for c in children] == [definition["name"]]
        client.content.delete_item(new_id)
        assert client.content.get_folder(folder["id"])["children"] == []
    finally:
        client.content.delete_item(folder["id"])


def monitor_lifecycle(client: SumoClient, payloads: dict, prefix: str) -> None:
    root = client.monitors.root()
    folder = client.monitors.create({"type": "MonitorsLibraryFolder", "name": f"{prefix} monitors",
                                     "description": ""}, root["id"])
    try:
        definition = dict(payloads["monitor"], name=f"{prefix} burst")
        monitor = client.monitors.create(definition, folder["id"])
        assert client.monitors.get(monitor["id"])["name"] == definition["name"]
        updated = client.monitors.update(monitor["id"], dict(definition, description="v2"), monitor["version"])
        assert updated["version"] == monitor["version"] + 1 and updated["description"] == "v2"
        with pytest.raises(Conflict):
            client.monitors.update(monitor["id"], definition, monitor["version"])  # stale version
        hits = client.monitors.search(f"{prefix} burst")
        assert [h["item"]["id"] for h in hits] == [monitor["id"]]
        client.monitors.delete(monitor["id"])
        with pytest.raises(NotFound):
            client.monitors.get(monitor["id"])
    finally:
        client.monitors.delete(folder["id"])
