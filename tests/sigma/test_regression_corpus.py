"""Conformance on 40 SigmaHQ rules with regression events (../shared/corpus/sigma-regression.dev.jsonl).

Each rule is converted, written, validated (zero errors) and its fixtures run with `sumo-content test`
semantics (deployer.testing.run_fixtures). Skipped when ../shared is absent; never copied here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.sigma import SigmaError, convert, dump_detection
from deployer.testing import Status, run_fixtures
from deployer.validation import validate_content

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus" / "sigma-regression.dev.jsonl"

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared corpus not present")

MIN_CONVERTED = 0.90
MIN_NEGATIVE = 0.90


def _entries() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _check(entry: dict, out: Path) -> tuple[bool, bool | None, bool | None, str]:
    """(converted, positive fixture passes, negative fixture passes, failure reason)."""
    try:
        conversion = convert(entry["rule_yaml"], path=entry["rule_path"], event=entry["event"])
    except SigmaError as exc:
        return False, None, None, str(exc)
    path = out / f"{conversion.detection['id']}.yaml"
    path.write_text(dump_detection(conversion.detection, schema_ref="detection.schema.json", origin=entry["rule_path"]),
                    encoding="utf-8")
    report = validate_content([path], REPO)
    errors = [d for d in report.errors if d.code != "CNT401"]  # a missing negative is counted below
    if errors:
        return True, None, None, "; ".join(f"{d.code} {d.message}" for d in errors)
    results = run_fixtures(report.content.detections, root=REPO).results
    positive = next((r.status is Status.PASS for r in results if r.fixture == "sigma-regression-event"), None)
    negative = next((r.status is Status.PASS for r in results if r.fixture != "sigma-regression-event"), None)
    failures = [f"{r.fixture}: {'; '.join(r.failures)}" for r in results if r.status is not Status.PASS]
    if negative is None:
        failures.append("no negative fixture could be derived")
    return True, positive, negative, "; ".join(failures)


def test_sigma_regression_corpus(tmp_path: Path) -> None:
    entries = _entries()
    outcomes = {e["rule_path"]: _check(e, tmp_path) for e in entries}
    converted = [p for p, o in outcomes.items() if o[0]]
    positives = [p for p in converted if outcomes[p][1]]
    negatives = [p for p in converted if outcomes[p][2]]
    total = len(entries)
    print(f"\nsigma corpus: {len(converted)}/{total} converted, {len(positives)}/{len(converted)} positives match, "
          f"{len(negatives)}/{len(converted)} negatives do not match")
    for path, (_, _, _, reason) in outcomes.items():
        if reason:
            print(f"  {path}: {reason}")
    assert len(converted) >= MIN_CONVERTED * total
    assert positives == converted, [f"{p}: {outcomes[p][3]}" for p in converted if p not in positives]
    assert len(negatives) >= MIN_NEGATIVE * len(converted)
