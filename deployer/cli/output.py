"""Shared output helpers for commands: format choice, JSON printing, diagnostic rendering, clean errors.

Owns how results and user mistakes (an unwritable path, an unusable --env) reach the terminal or a pipe;
commands build data, this prints it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from deployer.content.loader import ContentError, load_environment
from deployer.content.model import Environment
from deployer.diagnostics import Diagnostic

FORMATS = ("text", "json")


def format_option(*choices: str):
    return click.option("--format", "fmt", type=click.Choice(choices or FORMATS), default="text", show_default=True,
                        help="Output format.")


def console() -> Console:
    """A rich console when stdout is a terminal; plain, uncoloured text otherwise."""
    interactive = sys.stdout.isatty()
    return Console(highlight=False, no_color=not interactive, force_terminal=interactive, soft_wrap=True)


def print_json(data) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def render_diagnostic(diagnostic: Diagnostic, source_line: str | None, out: Console) -> None:
    colour = {"error": "red", "warning": "yellow"}.get(diagnostic.severity.value, "cyan")
    head = f"[bold]{diagnostic.location()}[/bold]: [{colour}]{diagnostic.severity.value}[{diagnostic.code}][/{colour}]"
    out.print(head + " " + escape(diagnostic.message))
    if source_line is not None and diagnostic.span is not None:
        width = max(1, min(diagnostic.span.length or 1, max(1, len(source_line) - diagnostic.span.column + 1)))
        out.print("    " + escape(source_line.rstrip()))
        out.print("    " + " " * (diagnostic.span.column - 1) + f"[{colour}]" + "^" * width + f"[/{colour}]")
    if diagnostic.hint:
        out.print("    [dim]hint:[/dim] " + escape(diagnostic.hint))


def environment_or_fail(env_name: str, root: Path) -> Environment:
    """The --env environment; a ClickException carrying every located problem (and its hint) when unusable."""
    try:
        return load_environment(env_name, root)
    except ContentError as exc:
        raise click.ClickException("; ".join(d.format() for d in exc.diagnostics)) from None


def write_file(path: Path, text: str) -> None:
    """Write a report or plan the user asked for; a path that cannot be written is a clean error."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}; check that its folder exists") from None
