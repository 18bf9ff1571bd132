"""Rule tuning expressions (`sec/v1/rule-tuning-expressions`): list, get, create, update, delete.
Each is a dict `{id, name, description, expression, enabled, exclude, isGlobal, ruleIds, ...}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deployer.api.paging import iter_objects

if TYPE_CHECKING:
    from deployer.api.client import SumoClient

PATH = "sec/v1/rule-tuning-expressions"


class TuningExpressions:
    def __init__(self, client: SumoClient):
        self._client = client

    def list(self, *, page_size: int = 100) -> list[dict]:
        return list(iter_objects(self._client, PATH, page_size=page_size))

    def get(self, expression_id: str) -> dict:
        return self._client.get(f"{PATH}/{expression_id}")["data"]

    def create(self, fields: dict) -> dict:
        return self._client.request("POST", PATH, json={"fields": fields})["data"]

    def update(self, expression_id: str, fields: dict) -> dict:
        return self._client.put(f"{PATH}/{expression_id}", {"fields": fields})["data"]

    def delete(self, expression_id: str) -> None:
        self._client.delete(f"{PATH}/{expression_id}")
