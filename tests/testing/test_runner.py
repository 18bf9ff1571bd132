"""The fixture runner and `sumo-content test`, end to end over the shipped content and broken copies."""

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from deployer.content.loader import load_content, load_environment
from deployer.testing import Status, run_fixtures
from deployer.testing.expectations import check_rows, row_carries, value_matches
from deployer.validation import validate_content
from tests.conftest import DATA, REPO

SEED = "content/detections/command-and-control/t1090-001-internal-proxy.yaml"


def run_cli(*args: str, cwd: Path = REPO):
    return subprocess.run([sys.executable, "-m", "deployer", *args], cwd=cwd, capture_output=True, text=True)


def test_every_shipped_fixture_passes():
    content = load_content(None, REPO)
    report = run_fixtures(content.detections, load_environment("local", REPO), root=REPO)
    failing = [(r.test_id, r.failures) for r in report.results if r.status is not Status.PASS]
    assert failing == []
    assert {r.target for r in report.results} == {"search", "cse"}


@pytest.fixture
def broken_seed(tmp_path: Path) -> Path:
    """A copy of the repository's seed detection whose final filter was raised by one."""
    target = tmp_path / "content" / "detections" / "c2"
    target.mkdir(parents=True)
    shutil.copy(REPO / SEED, target)
    shutil.copytree(REPO / SEED.removesuffix(".yaml"), target / "t1090-001-internal-proxy")
    shutil.copytree(REPO / "environments", tmp_path / "environments")
    path = target / "t1090-001-internal-proxy.yaml"
    path.write_text(path.read_text().replace("| where suspicion_score > 0", "| where suspicion_score > 1"))
    return tmp_path


def test_explain_points_at_the_stage_that_drops_the_event(broken_seed):
    result = run_cli("test", "-k", "::chisel", "--explain", cwd=broken_seed)
    assert result.returncode == 1
    assert "FAIL  Internal Proxy - Windows Process Creation::chisel-reverse-socks  [search]" in result.stdout
    assert "stage 16 'where suspicion_score > 1': DROPPED — suspicion_score = 1" in result.stdout
    assert "+ process_name = chisel.exe" in result.stdout
    assert "event 2 (sysmon): dropped at stage 16" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_and_junit_reports(broken_seed, tmp_path):
    as_json = run_cli("test", "--format", "json", cwd=broken_seed)
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and data["ok"] is False
    assert data["summary"]["fail"] == 3 and data["summary"]["pass"] > 0
    junit_file = tmp_path / "report.xml"
    as_junit = run_cli("test", "--format", "junit", "--output", str(junit_file), cwd=broken_seed)
    suite = ET.fromstring(junit_file.read_text())
    assert as_junit.returncode == 1
    assert suite.get("failures") == "3"
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    # netsh scores 2 (portproxy add + a port-forward command line), so it still passes
    assert failed == ["ssh-local-forward", "chisel-reverse-socks", "netcat-relay"]


def test_keyword_that_selects_nothing_fails():
    result = run_cli("test", "-k", "no-such-fixture")
    assert result.returncode == 1 and "no fixture matches" in result.stdout


def test_unknown_environment_is_a_clear_error():
    result = run_cli("test", "--env", "nowhere")
    assert result.returncode == 1 and "unknown environment `nowhere`" in result.stdout
    assert "Traceback" not in result.stderr


def test_seed_query_as_published_is_rejected_with_eval_at_its_line():
    report = validate_content([DATA / "content" / "lint" / "seed-original-query.yaml"], REPO)
    evals = [d for d in report.errors if d.code == "SQL101"]
    # the query text starts on file line 18, so query line 8, col 3 (the first eval) is file line 25, col 7
    assert (evals[0].span.line, evals[0].span.column) == (25, 7)
    assert "unknown operator 'eval'" in evals[0].message
    assert {"SQL110", "SQL120"} <= {d.code for d in report.errors}


def test_rows_are_subset_matches_and_numbers_compare_numerically():
    assert row_carries({"failures": 12, "host": "DC01", "x": 1}, {"failures": "12", "host": "DC01"})
    assert not row_carries({"host": "DC01"}, {"host": "dc01"})
    assert value_matches(1, "1.0") and not value_matches(1, None)
    assert check_rows({"match": True, "count": 2}, [{"a": 1}]) == ["expected 2 row(s), got 1"]
    assert check_rows({"match": False}, []) == []


def test_the_minimal_valid_detection_passes_its_own_fixtures():
    result = run_cli("test", "tests/data/content/valid")
    assert result.returncode == 0, result.stdout
    assert "2 passed, 0 failed" in result.stdout


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_fixtures_pass_with_every_shipped_environment(env):
    # regression: fixture events carried one tenant's source categories, so `test --env prod` (and the
    # apply gate for prod) failed although the detection was right
    result = run_cli("test", "--env", env)
    assert result.returncode == 0, result.stdout
    assert f"(environment: {env})" in result.stdout


def test_metadata_parameters_become_a_concrete_value_of_the_pattern():
    from deployer.testing.events import log_events

    events = log_events([{"_raw": "x", "_sourceCategory": "{{win_source}}/json", "_sourceHost": "{{other}}"}],
                        {"win_source": "dev/windows/*"})
    assert events[0]["_sourceCategory"] == "dev/windows//json"
    assert events[0]["_sourceHost"] == "{{other}}"
    assert log_events(["{{win_source}} in a raw line stays as written"], {"win_source": "w"})[0]["_raw"].startswith("{{")
