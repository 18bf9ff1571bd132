"""`sumo-content review --base REF`: the pull-request report, offline (git + content, no tenant).

Owns the options, error presentation and exit codes; the report itself is deployer.review.
"""

from __future__ import annotations

import click

from deployer.cli.output import format_option, print_json
from deployer.content.loader import find_root
from deployer.review import (
    GitError,
    UnknownEnvironment,
    UnknownRef,
    build_review,
    to_json,
    to_markdown,
    to_text,
)


@click.command("review")
@click.option("--base", "base_ref", required=True, metavar="REF", help="The git ref to compare with (e.g. origin/main).")
@click.option("--head", "head_ref", metavar="REF", help="Compare this ref instead of the working tree.")
@click.option("--env", "env_names", multiple=True, metavar="ENV",
              help="Environment to render payload diffs for (repeatable; default: every environments/*.yaml).")
@format_option("text", "markdown", "json")
def review_command(base_ref: str, head_ref: str | None, env_names: tuple[str, ...], fmt: str) -> None:
    """Report what a change does: detections changed, validation, fixtures, rendered payload diffs per environment.

    Exit 0 when ready, 1 when blocked (validation errors, failing fixtures, payloads that cannot render)
    or git fails, 2 on usage errors (unknown ref or environment).
    """
    try:
        report = build_review(find_root(), base_ref, head_ref, env_names)
    except UnknownRef as exc:
        option = "'--base'" if exc.ref == base_ref else "'--head'"
        raise click.BadParameter(f"{exc}; {exc.hint}", param_hint=option) from None
    except UnknownEnvironment as exc:
        raise click.BadParameter(f"{exc}; {exc.hint}", param_hint="'--env'") from None
    except GitError as exc:
        raise click.ClickException(f"{exc}\n  hint: {exc.hint}") from None
    if fmt == "json":
        print_json(to_json(report))
    else:
        click.echo(to_markdown(report) if fmt == "markdown" else to_text(report), nl=fmt == "text")
    raise SystemExit(0 if report.ready else 1)


def register(cli: click.Group) -> None:
    cli.add_command(review_command)
