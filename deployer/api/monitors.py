"""Monitors library (v1): root folder, create, get, update with `version`, delete, search, path.
Bodies are Sumo's `MonitorsLibraryMonitor`/`...Folder` dicts; responses add id, version, metadata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deployer.api.client import SumoClient


class Monitors:
    def __init__(self, client: SumoClient):
        self._client = client

    def root(self) -> dict:
        """The root folder, with `children`."""
        return self._client.get("v1/monitors/root")

    def create(self, definition: dict, parent_id: str | None = None) -> dict:
        """Create under `parent_id` (default: root). POST, not blindly retried."""
        parent_id = parent_id or self.root()["id"]
        return self._client.request("POST", "v1/monitors", json=definition, params={"parentId": parent_id})

    def get(self, monitor_id: str) -> dict:
        return self._client.get(f"v1/monitors/{monitor_id}")

    def update(self, monitor_id: str, definition: dict, version: int) -> dict:
        """Replace; `version` must equal the current one (Conflict otherwise). `type` becomes the
        matching `...Update` type when given as the create type."""
        body = dict(definition, version=version)
        if body.get("type") in ("MonitorsLibraryMonitor", "MonitorsLibraryFolder"):
            body["type"] += "Update"
        return self._client.put(f"v1/monitors/{monitor_id}", body)

    def delete(self, monitor_id: str) -> None:
        self._client.delete(f"v1/monitors/{monitor_id}")

    def search(self, query: str, *, limit: int = 1000, offset: int = 0) -> list[dict]:
        """`[{item, path}]` for free text plus filters like `type:monitor`, `createdBy:<id>`."""
        return self._client.get("v1/monitors/search", {"query": query, "limit": limit, "offset": offset})

    def get_by_path(self, path: str) -> dict:
        return self._client.get("v1/monitors/path", {"path": path})
