"""Retries and pacing under injected faults: request counts, ambiguity, and no escaping 429s."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from deployer.api import AmbiguousWriteError, ApiConnectionError, RateLimited, ServerError
from deployer.api.pacing import TokenBucket
from deployer.emulator import Emulator
from tests.api.support import fast_client


def test_get_retries_transient_5xx_then_succeeds(sumo, client):
    sumo.faults = "rate=1,kinds=503,limit=2"
    assert client.monitors.root()["name"] == "Root"
    assert client.stats.requests == 3 and client.stats.responses_by_status[503] == 2


def test_get_gives_up_after_bounded_attempts(sumo):
    sumo.faults = "rate=1,kinds=502"
    with fast_client(sumo, retry_attempts=3) as client, pytest.raises(ServerError):
        client.monitors.root()
    assert client.stats.requests == 3


def test_500_is_not_retried(sumo, client):
    sumo.faults = "rate=1,kinds=500,limit=1"
    with pytest.raises(ServerError):
        client.monitors.root()
    assert client.stats.requests == 1


def test_dropped_connection_on_get_is_retried(sumo, client):
    sumo.faults = "rate=1,kinds=drop,limit=1"
    assert client.cse_rules.list() == []
    assert client.stats.requests == 2


def test_create_is_not_retried_and_reports_ambiguity(sumo, client, payloads):
    sumo.faults = "rate=1,kinds=500|503|drop,methods=POST,limit=1"
    with pytest.raises(AmbiguousWriteError):
        client.cse_rules.create("match", payloads["rules"]["match"])
    assert client.stats.requests == 1 and sumo.state.rules == {}


def test_commit_then_fail_applies_the_write_and_raises_ambiguous(sumo, client, payloads):
    sumo.faults = "rate=1,kinds=commit-then-fail,methods=POST,limit=1"
    with pytest.raises(AmbiguousWriteError):
        client.cse_rules.create("match", payloads["rules"]["match"])
    # the sync engine re-reads by name/marker to resolve the ambiguity
    assert [r["name"] for r in client.cse_rules.list()] == [payloads["rules"]["match"]["name"]]


def test_commit_then_fail_delete_is_resolved_by_retry(sumo, client, payloads):
    rule = client.cse_rules.create("match", payloads["rules"]["match"])
    sumo.faults = "rate=1,kinds=commit-then-fail,methods=DELETE,limit=1"
    client.cse_rules.delete(rule["id"])  # retried, 404 on the retry means done
    assert sumo.state.rules == {}


def test_429_honours_retry_after_and_retries_posts(sumo, client, payloads):
    sumo.faults = "rate=1,kinds=429,burst=2,retry-after=0.2,limit=2"
    start = time.monotonic()
    client.cse_rules.create("match", payloads["rules"]["match"])
    assert time.monotonic() - start >= 0.35
    assert client.stats.responses_by_status[429] == 2 and client.stats.requests == 3


def test_429s_escape_only_after_the_attempt_budget(sumo):
    sumo.faults = "rate=1,kinds=429"
    with fast_client(sumo, retry_attempts=2) as client, pytest.raises(RateLimited):
        client.monitors.root()


def test_connection_refused_is_a_connection_error():
    with Emulator() as sumo:
        client = fast_client(sumo, retry_attempts=2)
    with client, pytest.raises(ApiConnectionError):
        client.monitors.root()
    assert client.stats.requests == 2 and client.stats.responses_by_status[0] == 2


def test_faults_are_reproducible_from_the_seed(payloads):
    def run():
        with Emulator(rate_limit=1000, faults="rate=0.3,kinds=500|503|drop,seed=11") as sumo:
            with fast_client(sumo) as client:
                for _ in range(30):
                    try:
                        client.cse_rules.list()
                    except (ServerError, ApiConnectionError):
                        pass
            return list(sumo.fault_injector.injected)

    first = run()
    assert first and first == run()


def test_client_pacing_keeps_the_emulator_from_answering_429():
    with Emulator(rate_limit=20, max_concurrent=4) as sumo:
        with fast_client(sumo, rate_per_second=20, burst=1, max_in_flight=4) as client:
            start = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: client.monitors.root(), range(40)))
            elapsed = time.monotonic() - start
    assert client.stats.responses_by_status[429] == 0 and client.stats.requests == 40
    assert elapsed >= 39 / 20 * 0.95


def test_without_client_pacing_the_emulator_limits_and_retries_recover():
    with Emulator(rate_limit=20) as sumo, fast_client(sumo, backoff_initial=0.05, backoff_max=0.2) as client:
        for _ in range(40):
            client.monitors.root()
    assert client.stats.responses_by_status[429] > 0
    assert client.stats.responses_by_status[200] == 40


def test_concurrency_cap_bounds_requests_in_flight():
    peak, current, lock = 0, 0, threading.Lock()
    with Emulator(rate_limit=1000, faults="rate=1,kinds=latency,latency=0.05") as sumo:
        with fast_client(sumo, max_in_flight=3) as client:
            original = client._session.request

            def counting(*args, **kw):
                nonlocal peak, current
                with lock:
                    current += 1
                    peak = max(peak, current)
                try:
                    return original(*args, **kw)
                finally:
                    with lock:
                        current -= 1

            client._session.request = counting
            with ThreadPoolExecutor(10) as pool:
                list(pool.map(lambda _: client.monitors.root(), range(20)))
    assert peak == 3


def test_token_bucket_paces_to_its_rate():
    bucket = TokenBucket(50, 1)
    start = time.monotonic()
    for _ in range(26):
        bucket.acquire()
    assert 0.45 <= time.monotonic() - start < 1.0
