"""The `sumo-content` click group; each command lives in its own module and is registered here."""

from __future__ import annotations

import click

from deployer import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sumo-content")
def cli() -> None:
    """Detection content-as-code for Sumo Logic and Cloud SIEM."""


def _register() -> None:
    # One import per command module; each module exposes `register(cli)`.
    from deployer.cli import emulator, pull, render, review, sigma, sync, test, validate

    for module in (validate, test, render, sync, pull, review, sigma, emulator):
        module.register(cli)


_register()


def main() -> None:
    cli(prog_name="sumo-content")
