"""Fixtures for sync tests: a small content set, its environment, and a live emulator + client pair.

Everything talks HTTP to an emulator on 127.0.0.1; pacing and backoff are tuned for speed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.api import SumoClient
from deployer.content.loader import load_content, load_environment
from deployer.emulator import Emulator
from deployer.sync import desired_state, plan_changes, read_state, select_detections

DATA = Path(__file__).parent / "data"
FAST = {"rate_per_second": 1000, "burst": 50, "max_in_flight": 10, "backoff_initial": 0.005, "backoff_max": 0.02,
        "job_poll_interval": 0.01, "timeout": (2, 5)}


def start_emulator(**kw) -> Emulator:
    return Emulator("sync-id", "sync-key", rate_limit=kw.pop("rate_limit", 5000), max_concurrent=20,
                    job_latency=0.005, user_email="tests@example.com", **kw).start()


def client_for(emulator: Emulator, **kw) -> SumoClient:
    return SumoClient(emulator.url, "sync-id", "sync-key", **(FAST | kw))


@pytest.fixture(scope="session")
def environment():
    return load_environment(str(DATA / "environments" / "emu.yaml"), DATA)


@pytest.fixture(scope="session")
def detections():
    result = load_content([], DATA)
    assert not result.errors
    return result.detections


@pytest.fixture(scope="session")
def desired(detections, environment):
    return desired_state(select_detections(detections, environment), environment)


@pytest.fixture
def emulator():
    emulator = start_emulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def client(emulator):
    with client_for(emulator) as client:
        yield client


@pytest.fixture
def plan_for(environment):
    def plan(client, desired, **kw):
        return plan_changes(desired, read_state(client, environment.folder, environment.monitor_folder, backoff=0.01),
                            environment=environment.name, on_removed=kw.pop("on_removed", environment.on_removed),
                            **kw)
    return plan
