"""`sumo-content render`: choosing a detection and printing its payloads."""

import json
import subprocess
import sys

from tests.conftest import REPO

SEED_ID = "19c1d4a5-1c89-4138-9533-1c42e2babcf3"


def run_cli(*args: str):
    return subprocess.run([sys.executable, "-m", "deployer", *args], cwd=REPO, capture_output=True, text=True)


def test_render_by_id_prefix_prints_every_payload_kind():
    result = run_cli("render", SEED_ID[:8], "--env", "prod", "--format", "json")
    assert result.returncode == 0, result.stderr
    payloads = json.loads(result.stdout)
    assert set(payloads) == {"cse_rule", "scheduled_search"}
    query = payloads["scheduled_search"]["body"]["search"]["queryText"]
    assert "_sourceCategory=prod/windows/security" in query and "{{win_source}}" not in query


def test_render_by_path_and_by_name_prefix_agree():
    by_path = run_cli("render", "content/detections/command-and-control/t1090-001-internal-proxy.yaml", "--env", "dev")
    by_name = run_cli("render", "internal proxy - windows", "--env", "dev")
    assert by_path.returncode == 0 and by_path.stdout == by_name.stdout


def test_ambiguous_name_lists_the_candidates():
    result = run_cli("render", "Internal", "--env", "dev")
    assert result.returncode == 1
    assert "2 detections match 'Internal'" in result.stderr and "19c1d4a5 Internal Proxy" in result.stderr
    assert "Traceback" not in result.stderr
