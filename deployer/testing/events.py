"""Fixture events as the evaluators want them: log events with `_raw` and metadata, or CSE records.

Owns the defaults a fixture may leave out (message time, metadata) and `{{param}}` in metadata
values; it does not evaluate anything.
"""

from __future__ import annotations

import json

from deployer.content.parameters import substitute

# Fixture times default to a fixed instant so results never depend on when the tests run.
BASE_TIME_MS = 1_764_860_400_000  # 2025-12-04T15:00:00Z
METADATA_DEFAULTS = {"_sourceCategory": "", "_sourceHost": "", "_sourceName": "", "_collector": "", "_source": ""}


def sample_values(parameters: dict[str, object]) -> dict[str, str]:
    """A concrete value each parameter's pattern matches: `*windows*` -> `windows`, `dev/win/*` -> `dev/win/`."""
    return {name: str(value).replace("*", "") for name, value in parameters.items()}


def log_events(raw_events, parameters: dict[str, object] | None = None) -> list[dict]:
    """Search-fixture events: a string is a raw line; an object carries `_raw` and metadata.

    An object without `_raw` is a JSON log: its non-metadata keys become the `_raw` JSON text.
    A metadata value may name a parameter (`_sourceCategory: "{{win_source}}"`): the event then comes
    from that source in every environment, as a concrete value of the environment's pattern.
    """
    samples = sample_values(parameters or {})
    events = []
    for index, item in enumerate(raw_events):
        if isinstance(item, str):
            event = {"_raw": item}
        else:
            event = dict(item)
            if "_raw" not in event:
                body = {k: v for k, v in item.items() if not k.startswith("_")}
                event = {k: v for k, v in item.items() if k.startswith("_")}
                event["_raw"] = json.dumps(body, separators=(",", ":"))
        for key, value in event.items():
            if key != "_raw" and isinstance(value, str) and "{{" in value:
                event[key] = substitute(value, samples)
        for key, value in METADATA_DEFAULTS.items():
            event.setdefault(key, value)
        event.setdefault("_messageTime", BASE_TIME_MS + index * 1000)
        event.setdefault("_receiptTime", event["_messageTime"])
        events.append(event)
    return events
