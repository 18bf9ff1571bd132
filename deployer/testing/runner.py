"""The fixture runner: every fixture of every selected detection through the offline evaluators.

Owns selection (-k), parameter substitution per environment, outcome per fixture and the
--explain narrative; the evaluators (sumoql, cseql) own the semantics.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from deployer import cseql, sumoql
from deployer.content.model import Detection, Environment, Fixture
from deployer.content.parameters import substitute
from deployer.cseql.rules import evaluate_rule
from deployer.testing.events import log_events
from deployer.testing.expectations import check_rows, check_signals
from deployer.testing.lookups import LookupError_, load_lookups

VALUE_WIDTH = 70


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class FixtureResult:
    detection_id: str
    detection_name: str
    path: str
    fixture: str
    target: str
    status: Status
    failures: tuple[str, ...] = ()
    rows: tuple[dict, ...] = ()
    explanation: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def test_id(self) -> str:
        return f"{self.detection_name}::{self.fixture}"


@dataclass
class TestReport:
    results: list[FixtureResult] = field(default_factory=list)
    environment: str = "local"

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def ok(self) -> bool:
        return all(r.status is Status.PASS for r in self.results)


def selected(detection: Detection, fixture: Fixture, keyword: str | None) -> bool:
    if not keyword:
        return True
    haystack = f"{detection.name}::{fixture.name} {detection.path} {detection.id}".lower()
    return keyword.lower() in haystack


def run_fixtures(detections: list[Detection], environment: Environment | None = None, *,
                 keyword: str | None = None, explain: bool = False, root: Path | None = None) -> TestReport:
    """Run the selected fixtures; never raises for a problem in content (it becomes an `error` result)."""
    report = TestReport(environment=environment.name if environment else "defaults")
    root = root or Path.cwd()
    for detection in detections:
        fixtures = [f for f in detection.tests if selected(detection, f, keyword)]
        if not fixtures:
            continue
        search = _SearchFixtures(detection, environment, root) if any(f.target == "search" for f in fixtures) else None
        for fixture in fixtures:
            started = time.perf_counter()
            if fixture.target == "search":
                result = search.run(fixture, explain)
            else:
                result = _run_cse(detection, fixture, explain)
            report.results.append(replace(result, seconds=time.perf_counter() - started))
    return report


def _result(detection: Detection, fixture: Fixture, status: Status, **kwargs) -> FixtureResult:
    return FixtureResult(detection.id, detection.name, detection.path, fixture.name, fixture.target, status, **kwargs)


class _SearchFixtures:
    """Compiles a detection's query once (with this environment's parameters) and runs its fixtures."""

    def __init__(self, detection: Detection, environment: Environment | None, root: Path):
        self.detection = detection
        self.error: str | None = None
        self.pipeline = None
        self.values = environment.variables_for(detection) if environment else detection.parameters
        text = substitute(detection.search["query"], self.values)
        try:
            lookups = load_lookups(detection, root)
            self.pipeline = sumoql.compile_query(sumoql.parse(text), lookups=lookups)
        except sumoql.QuerySyntaxError as exc:
            self.error = f"query does not parse: line {exc.line}, col {exc.column}: {exc.message} (run `sumo-content validate`)"
        except sumoql.CannotEvaluateOffline as exc:
            self.error = str(exc)
        except LookupError_ as exc:
            self.error = str(exc)

    def run(self, fixture: Fixture, explain: bool) -> FixtureResult:
        if self.error:
            return _result(self.detection, fixture, Status.ERROR, failures=(self.error,))
        events = log_events(fixture.events, self.values)
        try:
            outcome = self.pipeline.run(events, explain=explain)
        except sumoql.CannotEvaluateOffline as exc:
            return _result(self.detection, fixture, Status.ERROR, failures=(str(exc),))
        failures = check_rows(fixture.expect, outcome.rows)
        if not failures:
            return _result(self.detection, fixture, Status.PASS, rows=tuple(outcome.rows))
        story = tuple(explain_search(outcome.traces, events, fixture.expects_match)) if explain else ()
        return _result(self.detection, fixture, Status.FAIL, failures=tuple(failures), rows=tuple(outcome.rows),
                       explanation=story)


def _run_cse(detection: Detection, fixture: Fixture, explain: bool) -> FixtureResult:
    try:
        outcome = evaluate_rule(detection.cse, list(fixture.events), baseline=list(fixture.baseline), explain=explain,
                                detection=detection)
    except cseql.ExpressionSyntaxError as exc:
        return _result(detection, fixture, Status.ERROR,
                       failures=(f"expression does not parse: {exc.message} (run `sumo-content validate`)",))
    signals = [signal.to_dict() for signal in outcome.signals]
    failures = check_signals(fixture.expect, signals)
    if not failures:
        return _result(detection, fixture, Status.PASS, rows=tuple(signals))
    return _result(detection, fixture, Status.FAIL, failures=tuple(failures), rows=tuple(signals),
                   explanation=tuple(outcome.trace) if explain else ())


def _clip(value: object, width: int = VALUE_WIDTH) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def explain_search(traces, events: list[dict], expected_match: bool) -> list[str]:
    """Each event's path through the pipeline: fields each stage added, and the stage that dropped it.

    The first event to stop at a stage is shown in full; later events stopping there get one line.
    """
    lines = []
    shown_stops: set[int] = set()
    for trace in traces:
        event = events[trace.event_index]
        source = event.get("_sourceCategory") or "no _sourceCategory"
        head = f"event {trace.event_index + 1} ({source})"
        drop = next((step for step in trace.steps if not step.kept), None)
        stop = drop.index if drop is not None else -1
        if stop in shown_stops:
            where = f"stage {drop.index} '{_clip(drop.text, 60)}'" if drop is not None else "the output"
            reason = f" — {drop.reason}" if drop is not None and drop.reason else ""
            lines.append(f"{head}: {'dropped at ' if drop is not None else 'reached '}{where}{reason}")
            continue
        shown_stops.add(stop)
        lines.append(f"{head}: " + ("reached the output" if trace.survived else "dropped"))
        for step in trace.steps:
            stage = f"stage {step.index} '{_clip(step.text, 60)}'"
            if not step.kept:
                lines.append(f"  {stage}: DROPPED" + (f" — {step.reason}" if step.reason else ""))
                break
            if step.added:
                added = ", ".join(f"{k} = {_clip(v, 40)}" for k, v in step.added.items())
                lines.append(f"  {stage}: + {added}")
        if trace.survived and not expected_match:
            lines.append("  every stage kept this event; the fields above are why it matched")
    return lines
