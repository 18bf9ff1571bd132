"""Ownership markers: the tags that say a rule in a tenant was rendered from a repository detection.

Owns the exact tag format the sync engine relies on; it does not decide what to create or delete.
"""

from __future__ import annotations

from collections.abc import Iterable

ID_PREFIX = "sumo-content:id="
VERSION_PREFIX = "sumo-content:version="


def marker_tag(detection_id: str) -> str:
    """`sumo-content:id=<detection uuid>`: present on every rule this tool creates."""
    return f"{ID_PREFIX}{detection_id}"


def version_tag(version: int) -> str:
    """`sumo-content:version=<n>`: the detection version the rule was rendered from."""
    return f"{VERSION_PREFIX}{version}"


def marked_id(tags: Iterable[str]) -> str | None:
    """The detection id a deployed rule's tags claim, or None for a rule this tool does not own."""
    return next((tag[len(ID_PREFIX):] for tag in tags if tag.startswith(ID_PREFIX)), None)


def is_marker(tag: str) -> bool:
    return tag.startswith((ID_PREFIX, VERSION_PREFIX))
