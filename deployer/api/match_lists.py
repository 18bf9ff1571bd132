"""Cloud SIEM match lists (`sec/v1/match-lists`): list, get, create, update, delete, add items.
Enough for content that references lists by name; item listing/expiry management is not covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deployer.api.paging import iter_objects

if TYPE_CHECKING:
    from deployer.api.client import SumoClient

PATH = "sec/v1/match-lists"


class MatchLists:
    def __init__(self, client: SumoClient):
        self._client = client

    def list(self, *, page_size: int = 100) -> list[dict]:
        return list(iter_objects(self._client, PATH, page_size=page_size))

    def get(self, list_id: str) -> dict:
        return self._client.get(f"{PATH}/{list_id}")["data"]

    def create(self, fields: dict) -> dict:
        return self._client.request("POST", PATH, json={"fields": fields})["data"]

    def update(self, list_id: str, fields: dict) -> dict:
        return self._client.put(f"{PATH}/{list_id}", {"fields": fields})["data"]

    def delete(self, list_id: str) -> None:
        self._client.delete(f"{PATH}/{list_id}")

    def add_items(self, list_id: str, items: list[dict], *, batch: int = 1000) -> None:
        """Items `{value, active, description, expiration?}`, sent in batches (POST, not retried)."""
        for start in range(0, len(items), batch):
            self._client.request("POST", f"{PATH}/{list_id}/items", json={"items": items[start:start + batch]})
