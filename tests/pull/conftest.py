"""A tenant for pull tests: the emulator over a real socket, seeded through the API client with unmanaged
rules of every type, scheduled searches and monitors (tests/pull/data/seed.json) and one managed detection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.api import SumoClient
from deployer.content.loader import load_content, load_environment
from deployer.emulator import Emulator
from deployer.sync import apply_plan, desired_state, plan_changes, read_state, select_detections

DATA = Path(__file__).parent / "data"
FAST = {"rate_per_second": 1000, "burst": 50, "max_in_flight": 10, "backoff_initial": 0.005, "backoff_max": 0.02,
        "job_poll_interval": 0.01, "timeout": (2, 5)}
BUILT_IN = "Built-in: suspicious DNS"


@pytest.fixture(scope="session")
def environment():
    return load_environment(str(DATA / "environments" / "emu.yaml"), DATA)


@pytest.fixture(scope="module")
def emulator(environment):
    with Emulator("pull-id", "pull-key", rate_limit=5000, max_concurrent=20, job_latency=0.005,
                  user_email="pull@example.com") as emulator:
        with SumoClient(emulator.url, "pull-id", "pull-key", **FAST) as client:
            _seed(client, emulator, environment)
        yield emulator


@pytest.fixture
def client(emulator):
    with SumoClient(emulator.url, "pull-id", "pull-key", **FAST) as client:
        yield client


def _seed(client: SumoClient, emulator: Emulator, environment) -> None:
    seed = json.loads((DATA / "seed.json").read_text())
    for rule_type, rules in seed["rules"].items():
        for rule in rules:
            client.cse_rules.create(rule_type, rule)
    built_in = client.cse_rules.create("match", {**seed["rules"]["match"][0], "name": BUILT_IN})
    emulator.state.rules[built_in["id"]]["ruleSource"] = "sumo"  # the API cannot create one
    folder = client.content.create_folder("Detections", client.content.personal_folder()["id"])["id"]
    for search in seed["searches"]:
        client.content.import_item(folder, search)
    monitors = client.monitors.create({"type": "MonitorsLibraryFolder", "name": "Detections", "description": ""},
                                      client.monitors.root()["id"])["id"]
    for monitor in seed["monitors"]:
        client.monitors.create(monitor, monitors)
    client.monitors.create({**seed["monitors"][1], "name": "Elsewhere"}, client.monitors.root()["id"])
    managed = desired_state(select_detections(load_content([], DATA).detections, environment), environment)
    plan = plan_changes(managed, read_state(client, environment.folder, environment.monitor_folder),
                        environment=environment.name)
    assert apply_plan(client, plan).ok


@pytest.fixture
def repo(tmp_path):
    """An empty repository root (content/detections exists, holds nothing)."""
    (tmp_path / "content" / "detections").mkdir(parents=True)
    return tmp_path
