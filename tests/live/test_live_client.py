"""The tests/api client scenarios against a real Sumo tenant.

Runs only when SUMO_ACCESS_ID, SUMO_ACCESS_KEY and SUMO_DEPLOYMENT are set (skipped otherwise).
Everything it creates is named `sumo-content-live-<random>` and deleted before the test ends.
"""

from __future__ import annotations

import os
import uuid

import pytest

from deployer.api import SumoClient
from tests.api import cases

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not all(os.environ.get(v) for v in ("SUMO_ACCESS_ID", "SUMO_ACCESS_KEY", "SUMO_DEPLOYMENT")),
                       reason="set SUMO_ACCESS_ID, SUMO_ACCESS_KEY and SUMO_DEPLOYMENT to run against a tenant"),
]


@pytest.fixture(scope="module")
def client():
    with SumoClient.for_deployment(os.environ.get("SUMO_DEPLOYMENT"), None, "SUMO_ACCESS_ID", "SUMO_ACCESS_KEY",
                                   job_poll_interval=1.0) as c:
        yield c


@pytest.fixture
def prefix() -> str:
    return f"sumo-content-live-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("rule_type", ["match", "threshold", "chain", "aggregation", "first-seen", "outlier"])
def test_rule_lifecycle(client, payloads, prefix, rule_type):
    cases.rule_lifecycle(client, payloads, prefix, rule_type)


def test_rule_listing(client, payloads, prefix):
    cases.rule_listing(client, payloads, prefix)


def test_content_lifecycle(client, payloads, prefix):
    cases.content_lifecycle(client, payloads, prefix)


def test_monitor_lifecycle(client, payloads, prefix):
    cases.monitor_lifecycle(client, payloads, prefix)
