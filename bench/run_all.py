"""`make bench`: run every benchmark in bench/ and print their figures (ratios against in-run baselines).

Each benchmark module exposes `main() -> dict`; the figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(names: list[str]) -> dict:
    results = {}
    for path in sorted(HERE.glob("*.py")):
        if path.name == Path(__file__).name or (names and path.stem not in names):
            continue
        print(f"== {path.stem}", flush=True)
        started = time.perf_counter()
        saved, sys.argv = sys.argv, [str(path)]  # each benchmark parses its own (default) arguments
        try:
            results[path.stem] = load(path).main()
        finally:
            sys.argv = saved
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return results


if __name__ == "__main__":
    figures = run(sys.argv[1:])
    print(json.dumps(figures, indent=2, default=str))
