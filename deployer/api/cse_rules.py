"""Cloud SIEM rules (`sec/v1/rules`): list with paging and `q`, get, create/update per type,
override, enable, delete. Payloads are the API's own `fields` dicts; no rendering happens here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from deployer.api.paging import iter_objects

if TYPE_CHECKING:
    from deployer.api.client import SumoClient

# Our rule type name -> the path segment Sumo uses for create/update.
RULE_PATHS = {"match": "templated", "threshold": "threshold", "chain": "chain",
              "aggregation": "aggregation", "first-seen": "first-seen", "outlier": "outlier"}


def _segment(rule_type: str) -> str:
    try:
        return RULE_PATHS[rule_type]
    except KeyError:
        raise ValueError(f"unknown rule type {rule_type!r}; expected one of {', '.join(RULE_PATHS)}") from None


class CseRules:
    """Rules come back as Sumo's rule dicts (`id`, `ruleType`, `ruleSource`, `windowSize` in ms...)."""

    def __init__(self, client: SumoClient):
        self._client = client

    def iter(self, q: str | None = None, *, page_size: int = 100, expand_tuning: bool = False) -> Iterator[dict]:
        """Every rule matching `q` (e.g. `ruleSource:"user"`), page by page until `hasNextPage` is false."""
        params = {}
        if q:
            params["q"] = q
        if expand_tuning:
            params["expand"] = "tuningExpressions"
        return iter_objects(self._client, "sec/v1/rules", params, page_size=page_size)

    def list(self, q: str | None = None, *, page_size: int = 100, expand_tuning: bool = False) -> list[dict]:
        return list(self.iter(q, page_size=page_size, expand_tuning=expand_tuning))

    def get(self, rule_id: str, *, expand_tuning: bool = False) -> dict:
        params = {"expand": "tuningExpressions"} if expand_tuning else {}
        return self._client.get(f"sec/v1/rules/{rule_id}", params)["data"]

    def create(self, rule_type: str, fields: dict) -> dict:
        """POST, never blindly retried: an unclear outcome raises AmbiguousWriteError."""
        return self._client.request("POST", f"sec/v1/rules/{_segment(rule_type)}", json={"fields": fields})["data"]

    def update(self, rule_type: str, rule_id: str, fields: dict) -> dict:
        """Full update of a user rule (`ruleSource: "user"`)."""
        return self._client.put(f"sec/v1/rules/{_segment(rule_type)}/{rule_id}", {"fields": fields})["data"]

    def override(self, rule_type: str, rule_id: str, fields: dict) -> dict:
        """Override the tunable subset of a built-in rule."""
        return self._client.put(f"sec/v1/rules/{_segment(rule_type)}/{rule_id}/override", {"fields": fields})["data"]

    def set_enabled(self, rule_id: str, enabled: bool) -> None:
        self._client.put(f"sec/v1/rules/{rule_id}/enabled", {"enabled": enabled})

    def delete(self, rule_id: str) -> None:
        self._client.delete(f"sec/v1/rules/{rule_id}")
