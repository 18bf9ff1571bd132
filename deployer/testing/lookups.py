"""Lookup tables shipped beside a detection (CSV, JSON or JSONL), loaded for the offline evaluator.

Owns reading the files; the evaluator owns what `lookup` does with the rows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from deployer.content.model import Detection


class LookupError_(Exception):
    """A declared lookup table cannot be read."""


def load_lookups(detection: Detection, root: Path) -> dict[str, list[dict]]:
    """Lookup path as written in the query -> rows of the table file declared for it."""
    folder = (root / detection.path).parent
    tables = {}
    for name, file in detection.lookups.items():
        path = folder / file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LookupError_(f"lookup table {file} for {name!r}: {exc.strerror}") from None
        try:
            if path.suffix == ".csv":
                tables[name] = [dict(row) for row in csv.DictReader(text.splitlines())]
            elif path.suffix == ".jsonl":
                tables[name] = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                tables[name] = list(json.loads(text))
        except (json.JSONDecodeError, csv.Error, TypeError) as exc:
            raise LookupError_(f"lookup table {file} for {name!r} is not valid: {exc}") from None
    return tables
