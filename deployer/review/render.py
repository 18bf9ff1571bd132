"""A ReviewReport as markdown (a pull-request comment), JSON (for bots) or plain text (for terminals).

Owns presentation only: every fact comes from the report value; nothing here reads git or content.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict

from deployer.review.report import (
    DetectionChange,
    EnvironmentImpact,
    FixtureOutcome,
    PayloadDiff,
    ReviewReport,
)
from deployer.sync.plan import FieldChange

MARKER = "<!-- sumo-content-review -->"  # lets a CI job find and update its previous comment
WIDTH = 100
TEXT_LINES = 6
MARKDOWN_LIMIT = 60_000  # GitHub rejects comments over 65,536 characters
DETECTIONS = "content/detections/"
VERBS = {"fail": "fails", "error": "errors"}  # a fixture status, as "`name::fixture` fails in prod"
SYMBOLS = {"added": "+", "modified": "~", "renamed": "~", "deprecated": "~", "invalid": "!", "removed": "-"}


def value_text(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"


def field_lines(change: FieldChange) -> list[str]:
    """`path: old -> new`; a multi-line text (a rendered query) becomes its changed lines, `- old` / `+ new`."""
    old, new = change.old, change.new
    if not (isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new)):
        return [f"{change.path}: {value_text(old)} -> {value_text(new)}"]
    edits = [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    shown = [f"  {line[0]} {value_text(line[1:])}" for line in edits[:TEXT_LINES]]
    more = [f"  … {len(edits) - TEXT_LINES} more changed line(s)"] if len(edits) > TEXT_LINES else []
    return [f"{change.path}: text changed", *shown, *more]


def verdict_line(report: ReviewReport) -> str:
    return "ready" if report.ready else "blocked: " + "; ".join(report.blockers)


def _head(report: ReviewReport) -> str:
    return report.head_ref + (f" ({report.head_commit[:12]})" if report.head_commit else "")


def fixtures_summary(outcomes: tuple[FixtureOutcome, ...]) -> str:
    """`3/3 pass` when every environment passes, else each failing environment's count: `2/3 pass in prod`."""
    if not outcomes:
        return "-"
    by_environment: dict[str, list[FixtureOutcome]] = {}
    for f in outcomes:
        by_environment.setdefault(f.environment, []).append(f)
    failing = [f"{sum(1 for f in runs if f.ok)}/{len(runs)} pass in {name}"
               for name, runs in by_environment.items() if not all(f.ok for f in runs)]
    total = len({f.fixture for f in outcomes})
    return "; ".join(failing) or f"{total}/{total} pass"


def failing_text(outcome: FixtureOutcome) -> str:
    """`fails in prod`: the status and the environment it happened in."""
    return f"{VERBS.get(outcome.status, outcome.status)} in {outcome.environment}"


def impact_summary(impact: EnvironmentImpact) -> str:
    if impact.action == "update":
        return f"update ({sum(len(p.fields) or 1 for p in impact.payloads)} field(s))"
    if impact.action == "retire":
        return f"retire ({impact.on_removed} on --prune)"
    return impact.action


def payload_lines(payload: PayloadDiff) -> list[str]:
    if payload.action != "update":
        return [f"{payload.kind}: {payload.action}"]
    return [f"{payload.kind} {line}" if index == 0 else line
            for change in payload.fields for index, line in enumerate(field_lines(change))]


def _metadata(change: DetectionChange) -> str:
    return "; ".join(f"{m.path} {value_text(m.old)} -> {value_text(m.new)}" for m in change.metadata)


def _where(change: DetectionChange) -> str:
    return f"{change.old_path} -> {change.path}" if change.old_path else change.path


# -- markdown -------------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text.replace('`', chr(39))}`"


def _md_fixtures(report: ReviewReport) -> list[str]:
    failing = report.failing_fixtures
    if not failing:
        return []
    out = ["", "#### Failing fixtures", ""]
    for f in failing:
        since = " (passed at base)" if f.regression else " (new fixture)" if f.base_status is None else ""
        out.append(f"- ❌ {_code(f'{f.detection_name}::{f.fixture}')} {failing_text(f)}{since}")
        out += [f"  - {_cell(line)}" for line in f.failures]
    return out


def _md_diagnostics(report: ReviewReport) -> list[str]:
    if not report.diagnostics:
        return []
    out = ["", f"#### Validation ({len(report.errors)} error(s), "
               f"{len(report.diagnostics) - len(report.errors)} warning(s) in changed content)", ""]
    for d in report.diagnostics:
        icon = "❌" if d.is_error else "⚠️"
        out.append(f"- {icon} {_code(d.location())} {d.severity.value}[{d.code}] {_cell(d.message)}")
        if d.hint:
            out.append(f"  - hint: {_cell(d.hint)}")
    return out


def _md_detection(report: ReviewReport, change: DetectionChange) -> list[str]:
    body = [f"- {m.path}: {_code(value_text(m.old))} → {_code(value_text(m.new))}" for m in change.metadata]
    if change.sections:
        body.append("- sections changed: " + ", ".join(change.sections))
    body += [f"- note: {_cell(note)}" for note in change.notes]
    for text in change.text_diffs:
        body += ["", f"`{text.field}`", "", "```diff", *text.lines, "```"]
    for impact in report.impacts_of(change.id):
        selected = "selected" if impact.selected_head else "not selected"
        body += ["", f"**{impact.environment}** ({selected}): {impact_summary(impact)}"]
        if impact.error:
            body.append(f"- ❌ cannot render: {_cell(impact.error)}")
        body += [f"  - {_code(line.strip())}" if line.startswith("  ") else f"- {_cell(line)}"
                 for p in impact.payloads for line in payload_lines(p)]
    if not body:
        return []
    summary = f"{SYMBOLS[change.kind]} {_cell(change.name)}: {change.kind} ({_cell(_where(change))})"
    return ["", f"<details><summary>{summary}</summary>", "", *body, "", "</details>"]


def to_markdown(report: ReviewReport) -> str:
    icon = "✅" if report.ready else "❌"
    out = [MARKER, f"### {icon} sumo-content review: {verdict_line(report)}", "",
           f"Base {_code(report.base_ref)} ({report.base_commit[:12]}) → {_head(report)}; "
           f"{len(report.detections)} detection(s) changed in {len(report.files)} file(s)"
           + (f"; fixtures run in each environment that selects the detection "
              f"({', '.join(_code(name) for name in report.fixture_environments)})."
              if report.fixture_environments else ".")]
    others = [f"{f.path} ({f.status})" for f in report.files if not f.path.startswith(DETECTIONS)]
    if others:
        out += ["", "Other files changed: " + ", ".join(_code(name) for name in others)]
    if report.detections:
        envs = list(report.environments)
        out += ["", "| | Detection | Change | Metadata | Fixtures | " + " | ".join(envs) + " |",
                "|---" * (5 + len(envs)) + "|"]
        for change in report.detections:
            impacts = {i.environment: impact_summary(i) for i in report.impacts_of(change.id)}
            cells = [SYMBOLS[change.kind], change.name, change.kind, _metadata(change),
                     fixtures_summary(report.fixtures_of(change.id)), *(impacts.get(e, "-") for e in envs)]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    coverage = report.coverage
    if coverage.gained or coverage.lost:
        out += ["", "ATT&CK coverage: " + "; ".join(
            part for part in (("gained " + ", ".join(coverage.gained)) if coverage.gained else "",
                              ("lost " + ", ".join(coverage.lost)) if coverage.lost else "") if part)]
    out += _md_diagnostics(report)
    out += _md_fixtures(report)
    other = [i for i in report.impacts if i.detection_id not in {c.id for c in report.detections}]
    if other:
        out += ["", "#### Unchanged detections whose payloads change (an environment file changed)", ""]
        out += [f"- {i.environment}: {_cell(i.detection_name)} ({_code(i.detection_id)}): {impact_summary(i)}"
                for i in other]
    details = [line for change in report.detections for line in _md_detection(report, change)]
    if details:
        details = ["", "#### Changes in detail", *details]
        if sum(len(line) + 1 for line in out + details) > MARKDOWN_LIMIT:
            details = ["", f"Details omitted: they exceed a PR comment's size; run `sumo-content review --base "
                           f"{report.base_ref}` (text) or `--format json` to see them."]
    return "\n".join(out + details) + "\n"


# -- text -----------------------------------------------------------------------------------------------

def _text_fixtures(outcomes: tuple[FixtureOutcome, ...]) -> list[str]:
    """One line per fixture for the environments it passes in, one per environment it does not pass in."""
    out = []
    for name in dict.fromkeys(f.fixture for f in outcomes):
        runs = [f for f in outcomes if f.fixture == name]
        passed = [f.environment for f in runs if f.ok]
        if passed:
            out.append(f"    fixture {name}: pass in {', '.join(passed)}")
        for f in runs:
            if not f.ok:
                out.append(f"    fixture {name}: {failing_text(f)}" + (" (passed at base)" if f.regression else ""))
                out += [f"      {line}" for line in f.failures]
    return out


def to_text(report: ReviewReport) -> str:
    out = [f"review {report.base_ref} ({report.base_commit[:12]}) -> {_head(report)}: "
           f"{len(report.detections)} detection(s) changed in {len(report.files)} file(s)"]
    for change in report.detections:
        out.append(f"{SYMBOLS[change.kind]} {change.name} [{change.kind}] {_where(change)}")
        out += [f"    {m.path}: {value_text(m.old)} -> {value_text(m.new)}" for m in change.metadata]
        out += [f"    note: {note}" for note in change.notes]
        for text in change.text_diffs:
            out += [f"    {line}" for line in text.lines]
        out += _text_fixtures(report.fixtures_of(change.id))
        for impact in report.impacts_of(change.id):
            out.append(f"    {impact.environment}: {impact_summary(impact)}"
                       + ("" if impact.selected_head else " (not selected)"))
            if impact.error:
                out.append(f"      cannot render: {impact.error}")
            out += [f"      {line}" for p in impact.payloads for line in payload_lines(p)]
    other = [i for i in report.impacts if i.detection_id not in {c.id for c in report.detections}]
    out += [f"  {i.environment}: {i.detection_name} {impact_summary(i)} (environment file changed)" for i in other]
    if report.coverage.gained or report.coverage.lost:
        out.append(f"ATT&CK coverage: gained {', '.join(report.coverage.gained) or '-'}; "
                   f"lost {', '.join(report.coverage.lost) or '-'}")
    out += [d.format() for d in report.diagnostics]
    out.append(f"verdict: {verdict_line(report)}")
    return "\n".join(out)


# -- json -----------------------------------------------------------------------------------------------

def to_json(report: ReviewReport) -> dict:
    return {
        "verdict": "ready" if report.ready else "blocked",
        "blockers": list(report.blockers),
        "base": {"ref": report.base_ref, "commit": report.base_commit},
        "head": {"ref": report.head_ref, "commit": report.head_commit},
        "environments": list(report.environments),
        "fixture_environments": list(report.fixture_environments),
        "files": [asdict(f) for f in report.files],
        "detections": [asdict(c) for c in report.detections],
        "diagnostics": [d.to_json() for d in report.diagnostics],
        "fixtures": [{**asdict(f), "regression": f.regression} for f in report.fixtures],
        "environment_impacts": [asdict(i) for i in report.impacts],
        "coverage": asdict(report.coverage),
    }
