"""Benchmark: parsing the 2,000-query corpus versus loading same-size YAML documents (C loader).

Owns the figures for issue 3 item 7; it does not assert targets (the lead records them in docs).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from deployer.sumoql import parse

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "sumo-queries.dev.jsonl"


def _yaml_document(query: str) -> str:
    """A detection-shaped YAML file carrying the query, so both sides read the same bytes."""
    return yaml.safe_dump({"id": "x", "name": "n", "search": {"query": query}}, sort_keys=False)


def _best_of_alternating(runs: int, *works) -> list[float]:
    """Best time of each work over `runs` rounds, alternating, so a busy machine skews all alike."""
    best = [float("inf")] * len(works)
    for _ in range(runs):
        for index, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def main() -> dict:
    queries = [json.loads(line)["query"] for line in CORPUS.read_text().splitlines() if line.strip()]
    documents = [_yaml_document(query) for query in queries]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def parse_all() -> None:
        for query in queries:
            try:
                parse(query)
            except ValueError:
                pass

    def load_all() -> None:
        for document in documents:
            yaml.load(document, Loader=loader)

    parse_seconds, yaml_seconds = _best_of_alternating(3, parse_all, load_all)
    result = {
        "queries": len(queries),
        "parse_queries_per_s": round(len(queries) / parse_seconds),
        "yaml_docs_per_s": round(len(documents) / yaml_seconds),
        "parse_over_yaml_time_ratio": round(parse_seconds / yaml_seconds, 2),
        "yaml_loader": loader.__name__,
    }
    for key, value in result.items():
        print(f"{key}: {value}")
    return result


if __name__ == "__main__":
    main()
