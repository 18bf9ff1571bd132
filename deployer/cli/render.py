"""`sumo-content render ID --env ENV`: print the API payload(s) one detection becomes in one environment."""

from __future__ import annotations

import click

from deployer.cli.output import format_option, print_json
from deployer.content.loader import ContentError, find_root, load_content, load_environment
from deployer.render import RenderError, render_cse_rule, render_monitor, render_scheduled_search


def _payloads(detection, environment) -> dict:
    """{"cse_rule": {...}}; other payload kinds (scheduled_search, monitor) add their own keys."""
    payloads: dict = {}
    if detection.cse:
        rule = render_cse_rule(detection, environment)
        payloads["cse_rule"] = {"method": "POST", "path": rule.path, "body": rule.body}
    if detection.search:
        payloads["scheduled_search"] = {"method": "POST", "body": render_scheduled_search(detection, environment),
                                        "path": f"/v2/content/folders/<id of {environment.folder}>/import"}
        monitor = render_monitor(detection, environment)
        if monitor is not None:
            payloads["monitor"] = {"method": "POST", "body": monitor,
                                   "path": f"/v1/monitors?parentId=<id of {environment.monitor_folder}>"}
    return payloads


@click.command("render")
@click.argument("detection_id")
@click.option("--env", "env_name", required=True, help="Environment name (environments/<name>.yaml) or path.")
@format_option("json", "text")
def render_command(detection_id: str, env_name: str, fmt: str) -> None:
    """Print the payload(s) detection DETECTION_ID (its id, or a unique name prefix) becomes in --env."""
    root = find_root()
    try:
        environment = load_environment(env_name, root)
    except ContentError as exc:
        raise click.ClickException("; ".join(d.format() for d in exc.diagnostics)) from None
    content = load_content([], root)
    matches = [d for d in content.detections if d.id == detection_id] or [
        d for d in content.detections if d.name.lower().startswith(detection_id.lower())]
    if len(matches) != 1:
        problem = "no detection" if not matches else f"{len(matches)} detections"
        raise click.ClickException(f"{problem} match {detection_id!r}; pass a detection id "
                                   "(`sumo-content validate --format json` lists them) or a unique name prefix")
    try:
        payloads = _payloads(matches[0], environment)
    except RenderError as exc:
        raise click.ClickException(f"{matches[0].path}: {exc}") from None
    if not payloads:
        raise click.ClickException(f"{matches[0].path}: the detection renders to no payload in this command yet")
    if fmt == "json":
        print_json(payloads)
    else:
        for kind, payload in payloads.items():
            click.echo(f"# {kind}: {payload['method']} {payload['path']}")
            print_json(payload["body"])


def register(cli: click.Group) -> None:
    cli.add_command(render_command)
