"""Pacing benchmark: 400 requests through SumoClient at an emulator limited to R requests/s.

Reports achieved requests/s as a ratio of R (target >= 0.9) and the 429s seen (target 0).
Run: .venv/bin/python bench/api_pacing.py [--rate R] [--requests N] [--threads T]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

from deployer.api import SumoClient
from deployer.emulator import Emulator


def run(rate: float = 20.0, requests: int = 400, threads: int = 8) -> dict:
    with Emulator(rate_limit=rate) as sumo:
        with SumoClient(sumo.url, sumo.access_id, sumo.access_key, rate_per_second=rate) as client:
            start = time.monotonic()
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda _: client.monitors.root(), range(requests)))
            elapsed = time.monotonic() - start
    achieved = requests / elapsed
    return {"rate_limit": rate, "requests": requests, "threads": threads, "seconds": round(elapsed, 2),
            "achieved_per_second": round(achieved, 2), "ratio": round(achieved / rate, 3),
            "responses_429": client.stats.responses_by_status[429], "http_requests": client.stats.requests}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="emulator and client rate R (requests/s)")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    result = run(args.rate, args.requests, args.threads)
    print(f"api_pacing: {result['requests']} requests at R={result['rate_limit']:g}/s with {result['threads']} threads: "
          f"{result['achieved_per_second']:.2f}/s in {result['seconds']}s, ratio {result['ratio']:.3f} "
          f"(target >= 0.9), 429s seen {result['responses_429']} (target 0)")
    return result


if __name__ == "__main__":
    main()
