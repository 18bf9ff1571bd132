"""Seeded, reproducible fault injection for the emulator, parsed from a one-line SPEC.

Owns the SPEC syntax and the decision "which fault, if any, for the n-th request to METHOD PATH";
it does not act on the decision (responses.py sleeps, drops, answers 5xx/429 or commits then drops).

SPEC: comma-separated key=value pairs, e.g.
    rate=0.2,kinds=500|502|503|429|drop|commit-then-fail,paths=/api/sec/*,seed=7
keys: rate (0..1, probability per matching request), kinds (`|`-separated, chosen uniformly:
500 502 503 504 429 drop commit-then-fail latency moved), paths (`|`-separated fnmatch globs on the
URL path, default *), methods (`|`-separated, default all), seed (int, default 0), burst (429s in a
row once a 429 fires for a METHOD PATH, default 1), retry-after (seconds sent with injected 429/503,
default none), latency (seconds added by the `latency` kind, default 0.2), limit (max faults, default
unlimited). The decision for the n-th request to a given METHOD PATH depends only on (seed, METHOD,
PATH, n), so a run is reproducible even when requests to different paths interleave across threads.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass, field

KINDS = ("500", "502", "503", "504", "429", "drop", "commit-then-fail", "latency", "moved")


class FaultSpecError(ValueError):
    pass


def _alternatives(raw: str) -> tuple[str, ...]:
    return tuple(raw.split("|"))


# SPEC key (its FaultSpec field, with `_` for `-`) -> parser of the raw value; ValueError means a bad value.
_PARSERS = {"rate": float, "kinds": _alternatives, "paths": _alternatives,
            "methods": lambda raw: _alternatives(raw.upper()), "seed": int, "burst": int, "retry-after": float,
            "latency": float, "limit": int}


@dataclass(frozen=True, slots=True)
class FaultSpec:
    rate: float = 0.0
    kinds: tuple[str, ...] = ("500",)
    paths: tuple[str, ...] = ("*",)
    methods: tuple[str, ...] = ()
    seed: int = 0
    burst: int = 1
    retry_after: float | None = None
    latency: float = 0.2
    limit: int | None = None

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        values: dict = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = part.partition("=")
            if not sep:
                raise FaultSpecError(f"fault spec item {part!r} is not key=value")
            key = key.strip()
            if key not in _PARSERS:
                raise FaultSpecError(f"unknown fault spec key {key!r}")
            try:
                values[key.replace("-", "_")] = _PARSERS[key](raw)
            except ValueError:
                raise FaultSpecError(f"bad value in fault spec item {part!r}") from None
        spec = cls(**values)
        unknown = [k for k in spec.kinds if k not in KINDS]
        if unknown:
            raise FaultSpecError(f"unknown fault kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
        if not 0.0 <= spec.rate <= 1.0:
            raise FaultSpecError("rate must be between 0 and 1")
        return spec

    def applies_to(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and any(fnmatch.fnmatchcase(path, p) for p in self.paths)


@dataclass
class FaultInjector:
    """Turns a FaultSpec into decisions; thread-safe; `injected` lists (method, path, kind) in order."""

    spec: FaultSpec
    _seen: dict = field(default_factory=dict)
    _burst_left: dict = field(default_factory=dict)
    injected: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self, method: str, path: str) -> str | None:
        spec = self.spec
        if not spec.rate or not spec.applies_to(method, path):
            return None
        with self._lock:
            key = (method, path)
            n = self._seen.get(key, 0)
            self._seen[key] = n + 1
            if spec.limit is not None and len(self.injected) >= spec.limit:
                return None
            if self._burst_left.get(key, 0) > 0:
                self._burst_left[key] -= 1
                kind = "429"
            else:
                rng = random.Random(f"{spec.seed}:{method}:{path}:{n}")
                if rng.random() >= spec.rate:
                    return None
                kind = rng.choice(spec.kinds)
                if kind == "429":
                    self._burst_left[key] = spec.burst - 1
            self.injected.append((method, path, kind))
            return kind
