"""`sumo-content emulator serve`: run the local Sumo API emulator in the foreground.

Owns the command's options and its ready line; the emulator itself is deployer.emulator.
"""

from __future__ import annotations

import click

from deployer.emulator import Emulator, FaultSpec, FaultSpecError


@click.group("emulator")
def emulator_group() -> None:
    """The local Sumo Logic API emulator."""


@emulator_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port; 0 picks a free one.")
@click.option("--state", "state_file", type=click.Path(dir_okay=False), help="JSON file to load and persist state.")
@click.option("--access-id", default="emulator-id", show_default=True, help="Access id the emulator accepts.")
@click.option("--access-key", default="emulator-key", show_default=True, help="Access key the emulator accepts.")
@click.option("--user-email", default="emulator@example.com", show_default=True,
              help="The emulated user; their personal folder is /Library/Users/<user-email>.")
@click.option("--faults", "faults", metavar="SPEC", help="Fault injection, e.g. 'rate=0.2,kinds=500|429,seed=7'.")
@click.option("--rate-limit", default=4.0, show_default=True, type=float, help="Requests/s per access key.")
@click.option("--max-concurrent", default=10, show_default=True, type=int, help="In-flight requests per key.")
@click.option("--quiet", is_flag=True, help="Do not log each request.")
def serve(host, port, state_file, access_id, access_key, user_email, faults, rate_limit, max_concurrent, quiet) -> None:
    """Serve the Sumo API (CSE rules, Library content, Monitors) until interrupted."""
    try:
        spec = FaultSpec.parse(faults) if faults else None
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    emulator = Emulator(access_id, access_key, host=host, port=port, rate_limit=rate_limit,
                        max_concurrent=max_concurrent, faults=spec, state_file=state_file, user_email=user_email,
                        log_requests=not quiet)
    try:
        emulator.bind()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"Sumo API emulator listening on {emulator.url}")
    click.echo(f"ready: curl -u <access-id>:<access-key> {emulator.url}sec/v1/rules  (Ctrl-C to stop)")
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        click.echo("emulator stopped" + (f"; state saved to {state_file}" if state_file else ""))


def register(cli: click.Group) -> None:
    cli.add_command(emulator_group)
