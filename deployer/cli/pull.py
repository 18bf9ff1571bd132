"""`sumo-content pull --env ENV`: tenant content -> detection files (onboarding), one line per detection.

Owns the command's options and output; reading, converting and writing are deployer.sync.pull.
"""

from __future__ import annotations

from pathlib import Path

import click

from deployer.cli.output import environment_or_fail, format_option, print_json
from deployer.cli.sync import tenant
from deployer.content.loader import find_root
from deployer.sync.pull import PullError, PullReport, pull

LABELS = {"written": "wrote", "would-write": "would write", "exists": "refused", "in-repository": "skipped",
          "unsupported": "cannot pull", "skipped": "skipped"}


def _print(report: PullReport) -> None:
    for item in report.items:
        what = item.path or f"{item.name!r}"
        click.echo(f"{LABELS[item.status]:12} {what}  [{', '.join(item.sources)}]"
                   + (f": {item.message}" if item.message else ""))
        if item.status in ("written", "would-write"):
            for todo in item.todo:
                click.echo(f"    todo: {todo}")
            for difference in item.differences:
                click.echo(f"    first apply would change {difference}")
    done = report.count("would-write" if report.dry_run else "written")
    verb = "would write" if report.dry_run else "wrote"
    click.echo(f"{report.environment}: {verb} {done} detection file(s) under {report.out_dir} with {report.requests} "
               f"API request(s); {report.count('in-repository') + report.count('skipped')} skipped, "
               f"{report.count('exists')} refused, {report.count('unsupported')} cannot be pulled"
               + ("" if report.scope == "all" else "; built-in CSE rules were not read (--all reads them)"))
    if done:
        click.echo("Pulled files are not deployable yet: do each file's todo, then move it under content/detections/ "
                   "(docs/pull.md).")


@click.command("pull")
@click.option("--env", "env_name", required=True, help="Environment name (environments/<ENV>.yaml).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the detection files  [default: content/pulled]")
@click.option("--all", "include_builtin", is_flag=True, help="Also pull built-in (Sumo-provided) CSE rules.")
@click.option("--managed-only", is_flag=True, help="Only objects carrying a sumo-content marker (recover a repository).")
@click.option("--id", "ids", multiple=True, metavar="ID",
              help="Only this object: a CSE rule, content or monitor id, or a managed detection id (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--dry-run", is_flag=True, help="Read and convert, write nothing.")
@format_option("text", "json")
def pull_command(env_name, out_dir, include_builtin, managed_only, ids, force, dry_run, fmt) -> None:
    """Write the tenant's detections (CSE rules, scheduled searches, monitors) as content files.

    Exit 0 when every object was written or skipped, 1 when a file was refused or an object cannot be pulled.
    """
    if include_builtin and managed_only:
        raise click.UsageError("--all and --managed-only exclude each other")
    root = find_root()
    environment = environment_or_fail(env_name, root)
    try:
        with tenant(environment, root) as client:
            report = pull(client, environment, root, out_dir=out_dir, ids=tuple(ids), force=force, dry_run=dry_run,
                          scope="all" if include_builtin else "managed" if managed_only else "user")
    except PullError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        print_json(report.to_json())
    else:
        _print(report)
    if not report.ok:
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(pull_command)
