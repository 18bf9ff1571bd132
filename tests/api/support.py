"""Helpers for tests/api: a client tuned for fast tests against an in-process emulator."""

from __future__ import annotations

from deployer.api import SumoClient
from deployer.emulator import Emulator


def fast_client(sumo: Emulator, **overrides) -> SumoClient:
    settings = dict(rate_per_second=1000.0, burst=50, max_in_flight=20, timeout=(2, 5), backoff_initial=0.01,
                    backoff_max=0.05, retry_max_time=10.0, job_poll_interval=0.01, job_timeout=5.0)
    return SumoClient(sumo.url, sumo.access_id, sumo.access_key, **(settings | overrides))
