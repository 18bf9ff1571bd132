"""Checking a fixture's `expect` block against what an evaluator produced.

Owns the meaning of `match`, `count`, `rows` and `signal`; it does not run queries or rules.
"""

from __future__ import annotations


def value_matches(expected: object, actual: object) -> bool:
    """Fixture values are written in YAML; compare numbers numerically and everything else as text."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(value_matches(v, actual.get(k)) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, (list, tuple)) and all(any(value_matches(e, a) for a in actual) for e in expected)
    if expected is None:
        return actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return str(expected).lower() == str(actual).lower()
    if isinstance(expected, (int, float)):
        try:
            return float(actual) == float(expected)
        except (TypeError, ValueError):
            return False
    return actual is not None and str(actual) == str(expected)


def row_carries(row: dict, expected: dict) -> bool:
    """Subset match: every expected field is in the row with an equal value."""
    return all(key in row and value_matches(value, row[key]) for key, value in expected.items())


def check_rows(expect: dict, rows: list[dict]) -> list[str]:
    """Failure messages (empty when the expectation holds) for search results."""
    failures = []
    matched = bool(rows)
    if matched != bool(expect["match"]):
        failures.append(f"expected {'a match' if expect['match'] else 'no match'}, got {len(rows)} row(s)")
    if "count" in expect and len(rows) != expect["count"]:
        failures.append(f"expected {expect['count']} row(s), got {len(rows)}")
    for expected in expect.get("rows", []):
        if not any(row_carries(row, expected) for row in rows):
            failures.append(f"no result row carries {_short(expected)}")
    return failures


def check_signals(expect: dict, signals: list[dict]) -> list[str]:
    """Failure messages for a Cloud SIEM rule's signals (`signal` is a subset match on the first one)."""
    failures = []
    if bool(signals) != bool(expect["match"]):
        failures.append(f"expected {'a signal' if expect['match'] else 'no signal'}, got {len(signals)}")
    if "count" in expect and len(signals) != expect["count"]:
        failures.append(f"expected {expect['count']} signal(s), got {len(signals)}")
    expected_signal = expect.get("signal")
    if expected_signal and signals and not row_carries(signals[0], expected_signal):
        diffs = [f"{k}: expected {v!r}, got {signals[0].get(k)!r}" for k, v in expected_signal.items()
                 if not value_matches(v, signals[0].get(k))]
        failures.append("signal differs: " + "; ".join(diffs))
    for expected in expect.get("rows", []):
        if not any(row_carries(signal, expected) for signal in signals):
            failures.append(f"no signal carries {_short(expected)}")
    return failures


def _short(value: object, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
