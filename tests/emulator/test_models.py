"""Business rules of the emulated tenant, without a socket."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from deployer.emulator import FaultSpec, FaultSpecError, SumoState
from deployer.emulator.models import ApiError, rule_matches

RULES = json.loads((Path(__file__).parents[1] / "api" / "data" / "rules.json").read_text())


def test_rule_ids_count_per_type():
    state = SumoState()
    ids = [state.create_rule("threshold", RULES["threshold"])["id"] for _ in range(2)]
    ids.append(state.create_rule("templated", RULES["match"])["id"])
    assert ids == ["THRESHOLD-U00001", "THRESHOLD-U00002", "MATCH-U00001"]


def test_update_keeps_identity_and_checks_type():
    state = SumoState()
    rule = state.create_rule("threshold", RULES["threshold"])
    updated = state.update_rule("threshold", rule["id"], dict(RULES["threshold"], windowSize="T05D"))
    assert (updated["created"], updated["windowSize"]) == (rule["created"], 432_000_000)
    with pytest.raises(ApiError, match="not chain"):
        state.update_rule("chain", rule["id"], RULES["chain"])


@pytest.mark.parametrize(("q", "expected"), [
    ('ruleSource:"user"', True), ("enabled:false", False), ('name:contains("LOGINS")', True),
    ("score:>2", True), ("score:4..10", False), ('tag:"none"', False), ('ruleType:in("threshold","chain")', True),
])
def test_q_subset(q, expected):
    rule = SumoState().create_rule("threshold", RULES["threshold"])
    assert rule_matches(rule, q) is expected


def test_q_rejects_unknown_fields():
    with pytest.raises(ApiError, match="unknown q field"):
        rule_matches({}, 'colour:"red"')


def test_jobs_report_in_progress_before_success():
    state = SumoState(job_latency=0.0)
    job = state.start_job("export", state.personal_id)
    assert state.job_status("export", state.personal_id, job)["status"] == "InProgress"
    assert state.job_status("export", state.personal_id, job)["status"] == "Success"
    assert state.export_result(state.personal_id, job)["type"] == "FolderSyncDefinition"


def test_import_waits_for_latency_and_clashes_without_overwrite():
    state = SumoState(job_latency=0.05)
    definition = {"type": "FolderSyncDefinition", "name": "A", "description": "", "children": []}
    for _ in range(2):
        job = state.start_job("import", state.personal_id, {"definition": definition, "overwrite": False})
        state.job_status("import", state.personal_id, job)
        assert state.job_status("import", state.personal_id, job)["status"] == "InProgress"
        time.sleep(0.06)
        status = state.job_status("import", state.personal_id, job)
    assert status["status"] == "Failed" and status["error"]["code"] == "content:duplicate_content"


def test_monitor_versions_and_state_round_trip():
    state = SumoState()
    folder = state.create_monitor(state.monitors_root_id, {"type": "MonitorsLibraryFolder", "name": "F"})
    with pytest.raises(ApiError) as info:
        state.update_monitor(folder["id"], {"type": "MonitorsLibraryFolderUpdate", "name": "F", "version": 7})
    assert info.value.status == 409
    copy = SumoState()
    copy.load_dict(json.loads(json.dumps(state.to_dict())))
    assert copy.monitor_view(folder["id"])["name"] == "F"


def test_fault_spec_parsing():
    spec = FaultSpec.parse("rate=0.2,kinds=500|502|503|429|drop|commit-then-fail,paths=/api/sec/*,seed=7")
    assert spec.kinds[-1] == "commit-then-fail" and spec.seed == 7
    assert spec.applies_to("GET", "/api/sec/v1/rules") and not spec.applies_to("GET", "/api/v1/monitors/root")
    for bad in ("rate=2", "kinds=boom", "colour=red", "rate"):
        with pytest.raises(FaultSpecError):
            FaultSpec.parse(bad)
