"""Benchmark: parsing queries versus loading YAML with the C loader, two ways: the 2,000-query corpus
against same-size YAML documents, and each shipped detection's query against its own content file.

Owns the figures for issue 3 item 7; it does not assert targets (the lead records them in docs).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from deployer.sumoql import parse

REPO = Path(__file__).resolve().parents[1]
ROUNDS = 50  # repetitions per timing of one detection
CORPUS = REPO.parent / "shared" / "corpus" / "sumo-queries.dev.jsonl"


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
    result.update(_per_detection(loader))
    for key, value in result.items():
        print(f"{key}: {value}")
    return result


def _per_detection(loader) -> dict:
    """The issue's target as worded: parsing a detection's query against loading its YAML file."""
    ratios = {}
    for path in sorted((REPO / "content" / "detections").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        search = yaml.load(text, Loader=loader).get("search")
        if not search:
            continue
        parse_seconds, load_seconds = _best_of_alternating(
            5, lambda q=search["query"]: [parse(q) for _ in range(ROUNDS)],
            lambda t=text: [yaml.load(t, Loader=loader) for _ in range(ROUNDS)])
        ratios[path.stem] = round(parse_seconds / load_seconds, 2)
    ordered = sorted(ratios.values())
    return {"detections": len(ratios), "detection_parse_over_file_load_median": ordered[len(ordered) // 2],
            "detection_parse_over_file_load_max": ordered[-1], "detection_ratios": ratios}


if __name__ == "__main__":
    main()
