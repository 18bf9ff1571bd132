"""`sumo-content test [PATHS] [-k NAME] [--env ENV] [--explain]`: run fixtures offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from deployer.cli.output import console, format_option, print_json, render_diagnostic, write_file
from deployer.content.loader import ContentError, find_root, load_environment
from deployer.testing import run_fixtures
from deployer.testing.report import text_lines, to_json, to_junit
from deployer.validation import validate_content


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-k", "keyword", metavar="NAME", help="Only fixtures whose 'detection::fixture' name contains NAME.")
@click.option("--env", "env_name", default="local", show_default=True, help="Environment whose variables fill {{parameters}}.")
@click.option("--explain", is_flag=True, help="For failing fixtures, show each event's path through the pipeline.")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the report (json/junit) to this file.")
@format_option("text", "json", "junit")
def test_command(paths, keyword, env_name, explain, output, fmt) -> None:
    """Run every fixture of the selected detections with the offline evaluators.

    Exit 0 when all pass, 1 on any failure or error (including content that does not validate).
    """
    root = find_root()
    try:
        environment = load_environment(env_name, root)
    except ContentError as exc:
        out = console()
        for diagnostic in exc.diagnostics:
            render_diagnostic(diagnostic, None, out)
        raise SystemExit(1) from None
    validation = validate_content(list(paths), root)
    if validation.errors and fmt == "text":
        out = console()
        for diagnostic in validation.errors:
            render_diagnostic(diagnostic, validation.source_line(diagnostic), out)
        out.print(f"[red]{len(validation.invalid_paths())} file(s) do not validate; their fixtures were not run[/red]")
    report = run_fixtures(validation.valid_detections(), environment, keyword=keyword, explain=explain, root=root)
    failed = not report.ok or bool(validation.errors)
    if output is not None:
        write_file(output, to_junit(report) if fmt == "junit" else _json_text(report))
    if fmt == "json":
        data = to_json(report)
        data["ok"] = not failed
        data["invalid_files"] = sorted(validation.invalid_paths())
        print_json(data)
    elif fmt == "junit":
        click.echo(to_junit(report))
    else:
        out = console()
        for style, text in text_lines(report):
            out.print(text, style=style or None, markup=False)
        if keyword and not report.results:
            out.print(f"no fixture matches -k {keyword!r}", markup=False)
    raise SystemExit(1 if failed or (keyword and not report.results) else 0)


def _json_text(report) -> str:
    return json.dumps(to_json(report), indent=2, default=str)


def register(cli: click.Group) -> None:
    cli.add_command(test_command)
