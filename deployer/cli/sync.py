"""`sumo-content plan | apply | drift --env ENV`: the sync engine's commands.

Owns argument parsing, the validate/test gate before apply, the tenant connection's error handling
(`tenant`, shared with `pull`) and the output format; the work is deployer.sync, the printing sync.report.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from deployer.api import MissingCredentials, SumoApiError, SumoClient
from deployer.cli.output import console, environment_or_fail, print_json, write_file
from deployer.content.loader import find_root
from deployer.content.model import Environment
from deployer.sync import report
from deployer.sync.apply import StalePlanError, apply_plan
from deployer.sync.connect import connect
from deployer.sync.desired import DesiredState, desired_state
from deployer.sync.drift import drift_report
from deployer.sync.plan import Plan, plan_changes
from deployer.sync.select import Selection, select_detections
from deployer.sync.state import DeployedState, read_state
from deployer.validation import validate_content


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path
    environment: Environment
    selection: Selection
    desired: DesiredState


def _workspace(env_name: str) -> Workspace:
    """Environment + content that validates, or a ClickException saying what is wrong and where."""
    root = find_root()
    environment = environment_or_fail(env_name, root)
    validation = validate_content([], root)
    if not validation.ok:
        where = ", ".join(sorted(validation.invalid_paths()))
        raise click.ClickException(f"{len(validation.errors)} validation error(s) in {where}; run "
                                   "`sumo-content validate` and fix them first (a detection that does not load "
                                   "would look removed from the repository)")
    selection = select_detections(validation.valid_detections(), environment)
    for unknown in selection.unknown_override_ids:
        click.echo(f"warning: {environment.path}: override for unknown detection id {unknown}", err=True)
    desired = desired_state(selection, environment)
    if desired.errors:
        raise click.ClickException("cannot render: " + "; ".join(desired.errors))
    return Workspace(root, environment, selection, desired)


@contextmanager
def tenant(environment: Environment, root: Path) -> Iterator[SumoClient]:
    """A client for `environment` (its notes to stderr); credential and API failures end as a ClickException."""
    notes: list[str] = []
    try:
        with connect(environment, root, notes) as client:
            for note in notes:
                click.echo(f"note: {note}", err=True)
            yield client
    except MissingCredentials as exc:
        raise click.ClickException(f"{exc} (environment {environment.name}, {environment.path})") from None
    except SumoApiError as exc:
        raise click.ClickException(f"the Sumo API call failed: {exc}. Check the endpoint/deployment and "
                                   f"credentials in {environment.path}, then retry.") from None


def _plan(ws: Workspace, client: SumoClient, prune: bool, adopt: tuple[str, ...]) -> tuple[Plan, DeployedState]:
    deployed = read_state(client, ws.environment.folder, ws.environment.monitor_folder)
    plan = plan_changes(ws.desired, deployed, environment=ws.environment.name, prune=prune,
                        on_removed=ws.environment.on_removed, adopt=frozenset(adopt))
    return plan, deployed


def _common(command):
    command = click.option("--adopt", multiple=True, metavar="ID",
                           help="Take over the unmanaged object named like detection ID (repeatable).")(command)
    command = click.option("--prune", is_flag=True,
                           help="Delete (or disable, per the environment's on_removed) managed objects of "
                                "deprecated or removed detections.")(command)
    return click.option("--env", "env_name", required=True, help="Environment name (environments/<ENV>.yaml).")(command)


@click.command("plan")
@_common
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text", show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan as JSON.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when nothing to do, 2 when there are changes.")
@click.option("-v", "--verbose", is_flag=True, help="Also list unchanged objects.")
def plan_command(env_name, prune, adopt, fmt, out_file, detailed_exitcode, verbose) -> None:
    """Compare the repository with the tenant: create / update / drifted / delete / conflict per object."""
    ws = _workspace(env_name)
    with tenant(ws.environment, ws.root) as client:
        plan, deployed = _plan(ws, client, prune, adopt)
    if out_file:
        write_file(out_file, json.dumps(plan.to_json(), indent=1, sort_keys=True))
    if fmt == "json":
        print_json(report.plan_json(plan) | {"requests": deployed.requests})
    elif fmt == "markdown":
        click.echo(report.plan_markdown(plan), nl=False)
    else:
        report.print_plan(plan, console(), verbose=verbose)
        click.echo(f"read the tenant with {deployed.requests} API request(s)"
                   + (f"; plan saved to {out_file}" if out_file else ""))
    if detailed_exitcode and plan.pending:
        raise SystemExit(2)


def _gate(ws: Workspace, skip_tests: bool) -> None:
    if skip_tests:
        click.secho(f"WARNING: --skip-tests: deploying {len(ws.selection.deploy)} detection(s) to "
                    f"{ws.environment.name} WITHOUT running their fixtures", fg="red", bold=True, err=True)
        return
    from deployer.testing import run_fixtures

    tests = run_fixtures(list(ws.selection.deploy), ws.environment, root=ws.root)
    if not tests.ok:
        failed = sorted({r.test_id for r in tests.results if r.status.name != "PASS"})
        raise click.ClickException(f"{len(failed)} fixture(s) fail, nothing was applied: {', '.join(failed[:10])}. "
                                   "Run `sumo-content test --explain` to see why.")
    click.echo(f"tests: {len(tests.results)} fixture(s) pass for {len(ws.selection.deploy)} detection(s)")


def _load_plan(path: Path, env_name: str) -> Plan:
    try:
        plan = Plan.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"{path}: not a readable sumo-content plan ({exc}); create one with "
                                   f"`sumo-content plan --env {env_name} --out {path}`") from None
    if plan.environment != env_name:
        raise click.ClickException(f"{path} was planned for environment {plan.environment!r}, not {env_name!r}")
    return plan


@click.command("apply")
@_common
@click.argument("plan_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-tests", is_flag=True, help="Do not run fixtures first (loudly reported).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def apply_command(env_name, prune, adopt, plan_file, skip_tests, fmt) -> None:
    """Apply PLAN_FILE (refused if the tenant changed since) or a fresh plan; exit 1 if any object failed."""
    ws = _workspace(env_name)
    saved = _load_plan(plan_file, env_name) if plan_file else None
    _gate(ws, skip_tests)
    with tenant(ws.environment, ws.root) as client:
        plan = saved or _plan(ws, client, prune, adopt)[0]
        if fmt == "text":
            click.echo(report.plan_summary(plan))
        if not plan.pending:
            if fmt == "json":
                print_json({"ok": True, "results": [], "requests": 0})
            return
        try:
            result = _run_apply(client, plan, check=saved is not None, show=fmt == "text")
        except StalePlanError as exc:
            raise click.ClickException(f"{exc}; run `sumo-content plan --env {env_name} --out {plan_file}` "
                                       "again and review it") from None
    if fmt == "json":
        print_json(report.apply_json(result))
    else:
        for failure in result.failures:
            click.echo("  " + report.result_line(failure), err=True)
        click.echo(report.apply_summary(result))
    if not result.ok:
        raise SystemExit(1)


def _run_apply(client: SumoClient, plan: Plan, *, check: bool, show: bool):
    if show and sys.stdout.isatty():
        with Progress(TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console()) as progress:
            task = progress.add_task("apply", total=len(plan.pending))
            return apply_plan(client, plan, check_fingerprint=check, on_result=lambda r: progress.advance(task))
    return apply_plan(client, plan, check_fingerprint=check,
                      on_result=(lambda r: click.echo(report.result_line(r))) if show else None)


@click.command("drift")
@click.option("--env", "env_name", required=True, help="Environment name (environments/<ENV>.yaml).")
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text", show_default=True)
def drift_command(env_name, fmt) -> None:
    """Deployed vs repository: changed in the tenant, missing, pending, orphaned, unmanaged. Exit 2 on drift."""
    ws = _workspace(env_name)
    with tenant(ws.environment, ws.root) as client:
        plan, deployed = _plan(ws, client, False, ())
    drift = drift_report(plan, deployed)
    if fmt == "json":
        print_json(report.drift_json(drift))
    elif fmt == "markdown":
        click.echo(report.drift_markdown(drift), nl=False)
    else:
        report.print_drift(drift, console())
    if drift.drifted:
        raise SystemExit(2)


def register(cli: click.Group) -> None:
    for command in (plan_command, apply_command, drift_command):
        cli.add_command(command)
