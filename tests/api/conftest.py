"""Fixtures: an in-process emulator on 127.0.0.1 and a fast client (high rate, short backoffs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.emulator import Emulator
from tests.api.support import fast_client

DATA = Path(__file__).parent / "data"


@pytest.fixture
def sumo():
    with Emulator(rate_limit=1000, max_concurrent=50, job_latency=0.01) as emulator:
        yield emulator


@pytest.fixture
def client(sumo):
    with fast_client(sumo) as c:
        yield c


@pytest.fixture(scope="session")
def payloads() -> dict:
    return {name: json.loads((DATA / f"{name}.json").read_text()) for name in ("rules", "monitor", "saved_search")}
