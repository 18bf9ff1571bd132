"""`sumo-content validate [PATHS]`: schema, cross-file checks and query/expression lint."""

from __future__ import annotations

import click

from deployer.cli.output import console, format_option, print_json, render_diagnostic
from deployer.content.loader import find_root
from deployer.validation import validate_content


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@format_option("text", "json")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(paths: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check detections: schema, ids, fixtures, and lint every query and expression.

    PATHS are detection files or folders (default: content/detections). Exit 0 when clean, 1 when not.
    """
    report = validate_content(list(paths), find_root())
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if fmt == "json":
        print_json({
            "ok": not failed,
            "files": report.content.files,
            "detections": len(report.content.detections),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "diagnostics": [d.to_json() for d in report.diagnostics],
        })
    else:
        out = console()
        for diagnostic in report.diagnostics:
            render_diagnostic(diagnostic, report.source_line(diagnostic), out)
        status = "[red]FAILED[/red]" if failed else "[green]OK[/green]"
        out.print(f"{status}: {report.content.files} file(s), {len(report.content.detections)} detection(s), "
                  f"{sum(len(d.tests) for d in report.content.detections)} fixture(s); "
                  f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    raise SystemExit(1 if failed else 0)


def register(cli: click.Group) -> None:
    cli.add_command(validate_command)
