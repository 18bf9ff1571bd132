"""Checks the schema cannot express: across files (duplicate ids and names) and inside a detection
(fixture policy, fixture targets). Query and expression linting is delegated to sumoql / cseql.
"""

from __future__ import annotations

from collections import defaultdict

from deployer.content.model import ContentConfig, Detection
from deployer.diagnostics import Diagnostic


def check_unique(detections: list[Detection]) -> list[Diagnostic]:
    """Duplicate `id` or `name` across files: every occurrence after the first is an error."""
    problems = []
    for key, code in (("id", "CNT301"), ("name", "CNT302")):
        seen: dict[str, list[Detection]] = defaultdict(list)
        for detection in detections:
            seen[getattr(detection, key)].append(detection)
        for value, owners in seen.items():
            first = owners[0]
            for other in owners[1:]:
                span = other.document.span_of((key,))
                problems.append(Diagnostic(
                    code, f"duplicate {key} {value!r}: also used by {first.path}:{first.document.span_of((key,)).line}",
                    span=span, path=other.path,
                    hint="every detection needs its own id (python -c 'import uuid; print(uuid.uuid4())')"
                    if key == "id" else "detection names must be unique; rename one of them"))
    return problems


def check_fixtures(detection: Detection, config: ContentConfig) -> list[Diagnostic]:
    """Fixture policy: enough positive and negative fixtures, targets that exist, unique names."""
    problems = []
    doc = detection.document
    positives = sum(1 for f in detection.tests if f.expects_match)
    negatives = len(detection.tests) - positives
    for count, needed, kind, value in ((positives, config.min_positive_tests, "positive", "true"),
                                       (negatives, config.min_negative_tests, "negative", "false")):
        if count < needed:
            problems.append(Diagnostic(
                "CNT401", f"detection needs at least {needed} {kind} fixture(s), has {count}",
                span=doc.span_of(("tests",), key=True), path=detection.path,
                hint=f"add a fixture with `expect: {{match: {value}}}` (policy: min_tests in content/config.yaml)"))
    names: dict[str, int] = {}
    for fixture in detection.tests:
        if fixture.name in names:
            problems.append(Diagnostic("CNT402", f"duplicate fixture name `{fixture.name}`",
                                       span=doc.span_of(("tests", fixture.index, "name")), path=detection.path,
                                       hint="fixture names select tests with -k; make them unique"))
        names[fixture.name] = fixture.index
        block = "search" if fixture.target == "search" else "cse"
        if block not in detection.data:
            problems.append(Diagnostic("CNT403", f"fixture `{fixture.name}` targets `{block}` but the detection has no `{block}` block",
                                       span=doc.span_of(("tests", fixture.index, "target")), path=detection.path,
                                       hint=f"set `target:` to {'cse' if block == 'search' else 'search'} or add the `{block}` block"))
        if "count" in fixture.expect and fixture.expect["count"] > 0 and not fixture.expects_match:
            problems.append(Diagnostic("CNT404", f"fixture `{fixture.name}` expects no match but a count of {fixture.expect['count']}",
                                       span=doc.span_of(("tests", fixture.index, "expect", "count")), path=detection.path,
                                       hint="use `match: true` with a count, or drop `count`"))
    return problems
