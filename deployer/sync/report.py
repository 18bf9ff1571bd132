"""Renderers for plans, apply results and drift reports: rich text, markdown (PR comments) and JSON.

Owns presentation only; every function takes a value from plan.py, apply.py or drift.py and returns
text or a JSON-ready dict (or prints to a rich Console it is given).
"""

from __future__ import annotations

import json
from dataclasses import asdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from deployer.sync.apply import ApplyReport, ObjectResult
from deployer.sync.drift import DriftReport
from deployer.sync.plan import ACTIONS, FieldChange, Plan

STYLES = {"create": "green", "update": "yellow", "drifted": "magenta", "replace": "bold yellow", "delete": "red",
          "disable": "red", "conflict": "bold red", "orphaned": "cyan", "unchanged": "dim"}
SYMBOLS = {"create": "+", "update": "~", "drifted": "!", "replace": "-/+", "delete": "-", "disable": "-",
           "conflict": "x", "orphaned": "?", "unchanged": "="}
WIDTH = 60


def _value(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= WIDTH else text[:WIDTH - 3] + "..."


def diff_line(d: FieldChange) -> str:
    return f"{d.path}: {_value(d.old)} -> {_value(d.new)}"


def plan_summary(plan: Plan) -> str:
    counts = [f"{plan.count(a)} {a}" for a in ACTIONS if plan.count(a)]
    if not plan.pending:
        return f"{plan.environment}: nothing to do ({', '.join(counts) or 'no objects'})"
    return f"{plan.environment}: {len(plan.pending)} change(s): {', '.join(counts)}"


def print_plan(plan: Plan, out: Console, *, verbose: bool = False) -> None:
    """A table of every object that needs attention (all objects with `verbose`), then field diffs."""
    shown = [c for c in plan.changes if verbose or c.action != "unchanged"]
    if shown and not out.is_terminal:
        for c in shown:
            out.print(escape(f"{SYMBOLS[c.action]} {c.action:9} {c.kind:16} {c.name} [{c.detection_id or c.remote_id}] "
                             f"{c.reason}"))
    elif shown:
        table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        for column in ("", "action", "kind", "name", "detection", "why"):
            table.add_column(column)
        for c in shown:
            style = STYLES[c.action]
            table.add_row(f"[{style}]{SYMBOLS[c.action]}[/{style}]", f"[{style}]{c.action}[/{style}]", c.kind,
                          escape(c.name), c.detection_id or c.remote_id or "", escape(c.reason))
        out.print(table)
        for c in shown:
            if c.diffs and c.action != "create":
                out.print(f"\n[bold]{SYMBOLS[c.action]} {c.kind} {escape(c.name)}[/bold] ({c.remote_id})")
                for d in c.diffs:
                    out.print("    " + escape(diff_line(d)))
        out.print()
    for error in plan.errors:
        out.print(f"[red]error:[/red] {escape(error)}")
    out.print(f"[bold]{escape(plan_summary(plan))}[/bold]")


def plan_markdown(plan: Plan) -> str:
    lines = [f"### sumo-content plan: `{plan.environment}`", "", plan_summary(plan), ""]
    shown = [c for c in plan.changes if c.action != "unchanged"]
    if shown:
        lines += ["| | action | kind | name | detection | why |", "|---|---|---|---|---|---|"]
        lines += [f"| {SYMBOLS[c.action]} | **{c.action}** | {c.kind} | {c.name} | `{c.detection_id or c.remote_id}` "
                  f"| {c.reason} |" for c in shown]
        for c in shown:
            if c.diffs and c.action != "create":
                lines += ["", f"<details><summary>{c.action}: {c.kind} {c.name}</summary>", "", "```diff"]
                for d in c.diffs:
                    lines += [f"- {d.path}: {_value(d.old)}", f"+ {d.path}: {_value(d.new)}"]
                lines += ["```", "</details>"]
    lines += ["", *(f"> error: {e}" for e in plan.errors)] if plan.errors else []
    return "\n".join(lines) + "\n"


def plan_json(plan: Plan) -> dict:
    return {**plan.to_json(), "summary": {a: plan.count(a) for a in ACTIONS}, "changes_pending": len(plan.pending)}


def result_line(result: ObjectResult) -> str:
    c = result.change
    state = "ok" if result.ok else "FAILED"
    retried = f" after {result.attempts} attempts" if result.attempts > 1 else ""
    detail = "" if result.ok else f": {result.message}"
    return f"{state:6} {c.action:8} {c.kind:16} {c.name} ({result.remote_id or '-'}){retried}{detail}"


def apply_summary(report: ApplyReport) -> str:
    done = len(report.results) - len(report.failures)
    return (f"applied {done}/{len(report.results)} change(s) in {report.seconds:.1f}s with {report.requests} "
            f"API request(s); {len(report.failures)} failed")


def apply_json(report: ApplyReport) -> dict:
    return {"ok": report.ok, "requests": report.requests, "seconds": round(report.seconds, 3),
            "responses_by_status": {str(k): v for k, v in sorted(report.statuses.items())},
            "results": [{"ok": r.ok, "action": r.change.action, "kind": r.change.kind, "name": r.change.name,
                         "detection_id": r.change.detection_id, "remote_id": r.remote_id, "attempts": r.attempts,
                         "message": r.message} for r in report.results]}


def print_drift(report: DriftReport, out: Console) -> None:
    if not report.drifted:
        out.print(f"[green]{report.environment}: no drift[/green] ({report.in_sync} object(s) in sync)")
        return
    for item in report.items:
        out.print(f"[bold]{item.category:9}[/bold] {item.kind:16} {escape(item.name)} "
                  f"({item.remote_id or item.detection_id}) [dim]{escape(item.detail)}[/dim]")
        for d in item.diffs:
            out.print("    " + escape(diff_line(d)))
    out.print(f"[bold]{report.environment}: drift in {len(report.items)} object(s)[/bold], {report.in_sync} in sync")


def drift_markdown(report: DriftReport) -> str:
    lines = [f"### sumo-content drift: `{report.environment}`", ""]
    if not report.drifted:
        return "\n".join(lines + [f"No drift; {report.in_sync} object(s) in sync."]) + "\n"
    lines += ["| category | kind | name | id | detail |", "|---|---|---|---|---|"]
    for item in report.items:
        changes = "<br>".join(f"`{diff_line(d)}`" for d in item.diffs)
        lines.append(f"| **{item.category}** | {item.kind} | {item.name} | `{item.remote_id or item.detection_id}` "
                     f"| {item.detail}{'<br>' + changes if changes else ''} |")
    return "\n".join(lines) + "\n"


def drift_json(report: DriftReport) -> dict:
    return {"environment": report.environment, "drift": report.drifted, "in_sync": report.in_sync,
            "items": [asdict(item) for item in report.items]}
