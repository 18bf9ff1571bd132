"""Offset/limit paging over the Cloud SIEM API's `{"data": {"objects", "hasNextPage", "total"}}` lists.

Owns the paging loop every CSE listing shares; resources own their paths and filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deployer.api.client import SumoClient


def iter_objects(client: SumoClient, path: str, params: dict | None = None, *, page_size: int = 100) -> Iterator[dict]:
    """Every object of a paged CSE listing, one GET per page, until `hasNextPage` is false."""
    offset = 0
    while True:
        data = client.get(path, {**(params or {}), "offset": offset, "limit": page_size})["data"]
        yield from data["objects"]
        offset += len(data["objects"])
        more = data.get("hasNextPage", offset < data.get("total", 0))
        if not more or not data["objects"]:
            return
