"""`sumo-content render ID --env ENV`: print the API payload(s) one detection becomes in one environment."""

from __future__ import annotations

import click

from deployer.cli.output import environment_or_fail, format_option, print_json
from deployer.content.loader import find_root, load_content
from deployer.render import Payload, RenderError, render_payloads


def _request(payload: Payload) -> dict:
    # Key order is the JSON output's: a CSE rule has always printed its path before its body.
    if payload.kind == "cse_rule":
        return {"method": "POST", "path": payload.path, "body": payload.body}
    return {"method": "POST", "body": payload.body, "path": payload.path}


def _payloads(detection, environment) -> dict:
    """{"cse_rule": {...}}; other payload kinds (scheduled_search, monitor) add their own keys."""
    return {payload.kind: _request(payload) for payload in render_payloads(detection, environment)}


def find_detections(detections, wanted: str) -> list:
    """Detections named by `wanted`: an exact id, an id prefix, a file path, else a name prefix."""
    for rule in (lambda d: d.id == wanted, lambda d: d.path == wanted,
                 lambda d: len(wanted) >= 4 and d.id.startswith(wanted.lower()),
                 lambda d: d.name.lower().startswith(wanted.lower())):
        found = [d for d in detections if rule(d)]
        if found:
            return found
    return []


@click.command("render")
@click.argument("detection_id")
@click.option("--env", "env_name", required=True, help="Environment name (environments/<name>.yaml) or path.")
@format_option("json", "text")
def render_command(detection_id: str, env_name: str, fmt: str) -> None:
    """Print the payload(s) DETECTION_ID becomes in --env (an id, id prefix, file path or unique name prefix)."""
    root = find_root()
    environment = environment_or_fail(env_name, root)
    content = load_content([], root)
    matches = find_detections(content.detections, detection_id)
    if len(matches) != 1:
        listed = "; ".join(f"{d.id[:8]} {d.name}" for d in (matches or content.detections)[:12])
        problem = "no detection matches" if not matches else f"{len(matches)} detections match"
        raise click.ClickException(f"{problem} {detection_id!r}: pass an id (or its first 8 characters), a unique "
                                   f"name prefix or a file path. {'Candidates' if matches else 'Known'}: {listed}")
    try:
        payloads = _payloads(matches[0], environment)
    except RenderError as exc:
        raise click.ClickException(f"{matches[0].path}: {exc}") from None
    if fmt == "json":
        print_json(payloads)
    else:
        for kind, payload in payloads.items():
            click.echo(f"# {kind}: {payload['method']} {payload['path']}")
            print_json(payload["body"])


def register(cli: click.Group) -> None:
    cli.add_command(render_command)
