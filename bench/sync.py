"""Sync engine efficiency against the emulator: requests for a no-op plan over 1,000 managed CSE rules
(vs a GET-per-rule refresh, the Terraform provider's way) and apply throughput at a scaled-up rate limit.

`main()` returns the figures; docs/benchmarks.md records them.
"""

from __future__ import annotations

import time
from dataclasses import replace

from deployer.api import SumoClient
from deployer.content.loader import find_root, load_content, load_environment
from deployer.emulator import Emulator
from deployer.sync import apply_plan, desired_state, plan_changes, read_state
from deployer.sync.select import Selection

RULES = 1000
RATE = 200.0  # the emulator's per-key limit for the benchmark: Sumo's 4/s scaled by 50


def clones(count: int):
    """`count` copies of the repository's first CSE detection (its rule only), each with its own id and name."""
    root = find_root()
    template = next(d for d in load_content([], root).detections if d.cse)
    for n in range(count):
        ident = f"00000000-0000-4000-8000-{n:012d}"
        data = {k: v for k, v in template.data.items() if k != "search"}
        yield replace(template, id=ident, name=f"Bench rule {n:04d}", data=data | {"id": ident,
                                                                               "name": f"Bench rule {n:04d}"})


def main() -> dict:
    root = find_root()
    environment = load_environment("local", root)
    desired = desired_state(Selection(tuple(clones(RULES)), (), ()), environment)
    with Emulator("bench-id", "bench-key", rate_limit=RATE, max_concurrent=10, job_latency=0.01,
                  user_email=environment.folder.split("/")[3]) as emulator:
        with SumoClient(emulator.url, "bench-id", "bench-key", rate_per_second=RATE, burst=10, max_in_flight=10,
                        job_poll_interval=0.05) as client:
            plan = plan_changes(desired, read_state(client, environment.folder, environment.monitor_folder),
                                environment="bench")
            report = apply_plan(client, plan)
            creates = sum(1 for r in report.results if r.ok)
            before = client.stats.requests
            noop = plan_changes(desired, read_state(client, environment.folder, environment.monitor_folder),
                                environment="bench")
            noop_requests = client.stats.requests - before
            before, started = client.stats.requests, time.monotonic()
            for rule in client.cse_rules.iter('ruleSource:"user"'):
                client.cse_rules.get(rule["id"])
            refresh_requests = client.stats.requests - before
            refresh_seconds = time.monotonic() - started
    achieved = report.requests / report.seconds
    return {
        "managed_rules": RULES,
        "apply_creates_ok": creates,
        "apply_failures": len(report.failures),
        "apply_requests": report.requests,
        "apply_seconds": round(report.seconds, 2),
        "apply_rate_per_second": round(achieved, 1),
        "rate_limit": RATE,
        "apply_rate_vs_limit": round(achieved / RATE, 3),
        "apply_429_responses_absorbed": report.statuses.get(429, 0),
        "apply_429_surfaced": sum(1 for r in report.failures if "RateLimited" in r.message),
        "noop_plan_pending": len(noop.pending),
        "noop_plan_requests": noop_requests,
        "get_per_rule_refresh_requests": refresh_requests,
        "get_per_rule_refresh_seconds": round(refresh_seconds, 1),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
