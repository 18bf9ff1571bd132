"""The emulator's routing table: METHOD + path regex -> handler name, API family, OpenAPI operation.

Owns which paths exist (so unknown paths answer 404 and known paths with another method 405);
it does not implement any behaviour (responses.py) or hold state (models.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deployer.emulator.models import RULE_KINDS

RULE_KIND = f"(?P<kind>{'|'.join(RULE_KINDS)})"
ID = r"(?P<id>[^/]+)"
JOB = r"(?P<job>[^/]+)"


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: str
    family: str  # "cse" (sec/v1 envelope) or "sumo" (v1/v2 management API)
    operation: str | None  # "METHOD /path" in the family's OpenAPI spec, None if the spec lacks it


def _route(method: str, path: str, handler: str, operation: str | None = None) -> Route:
    family = "cse" if path.startswith("/api/sec/") else "sumo"
    return Route(method, re.compile(f"^{path}$"), handler, family, operation)


def _rule_write_routes(method: str, handler: str, path_suffix: str = "", op_suffix: str = "") -> tuple[Route, ...]:
    """One route per rule kind, so each carries its own OpenAPI operation (`kind` stays a path param)."""
    return tuple(
        _route(method, f"/api/sec/v1/rules/(?P<kind>{kind}){path_suffix}", handler,
               # the CSE spec documents only the outlier override path
               None if kind == "outlier" else f"{method} /rules/{kind}{op_suffix}")
        for kind in RULE_KINDS)


ROUTES: tuple[Route, ...] = (
    _route("GET", "/api/sec/v1/rules", "list_rules", "GET /rules"),
    *_rule_write_routes("POST", "create_rule"),
    *_rule_write_routes("PUT", "update_rule", f"/{ID}", "/{id}"),
    _route("GET", f"/api/sec/v1/rules/{RULE_KIND}/{ID}", "get_rule"),
    _route("PUT", f"/api/sec/v1/rules/{ID}/enabled", "set_rule_enabled", "PUT /rules/{id}/enabled"),
    _route("GET", f"/api/sec/v1/rules/{ID}", "get_rule", "GET /rules/{id}"),
    _route("DELETE", f"/api/sec/v1/rules/{ID}", "delete_rule", "DELETE /rules/{id}"),
    _route("GET", "/api/sec/v1/rule-tuning-expressions", "list_tuning", "GET /rule-tuning-expressions"),
    _route("POST", "/api/sec/v1/rule-tuning-expressions", "create_tuning", "POST /rule-tuning-expressions"),
    _route("GET", f"/api/sec/v1/rule-tuning-expressions/{ID}", "get_tuning", "GET /rule-tuning-expressions/{id}"),
    _route("PUT", f"/api/sec/v1/rule-tuning-expressions/{ID}", "update_tuning", "PUT /rule-tuning-expressions/{id}"),
    _route("DELETE", f"/api/sec/v1/rule-tuning-expressions/{ID}", "delete_tuning",
           "DELETE /rule-tuning-expressions/{id}"),
    _route("GET", "/api/sec/v1/match-lists", "list_match_lists", "GET /match-lists"),
    _route("POST", "/api/sec/v1/match-lists", "create_match_list", "POST /match-lists"),
    _route("POST", f"/api/sec/v1/match-lists/{ID}/items", "add_match_list_items", "POST /match-lists/{id}/items"),
    _route("GET", f"/api/sec/v1/match-lists/{ID}", "get_match_list", "GET /match-lists/{id}"),
    _route("PUT", f"/api/sec/v1/match-lists/{ID}", "update_match_list", "PUT /match-lists/{id}"),
    _route("DELETE", f"/api/sec/v1/match-lists/{ID}", "delete_match_list", "DELETE /match-lists/{id}"),
    _route("GET", "/api/v2/content/folders/personal", "personal_folder", "GET /v2/content/folders/personal"),
    _route("POST", "/api/v2/content/folders", "create_folder", "POST /v2/content/folders"),
    _route("POST", f"/api/v2/content/folders/{ID}/import", "start_import", "POST /v2/content/folders/{folderId}/import"),
    _route("GET", f"/api/v2/content/folders/{ID}/import/{JOB}/status", "import_status",
           "GET /v2/content/folders/{folderId}/import/{jobId}/status"),
    _route("GET", f"/api/v2/content/folders/{ID}", "get_folder", "GET /v2/content/folders/{id}"),
    _route("PUT", f"/api/v2/content/folders/{ID}", "update_folder", "PUT /v2/content/folders/{id}"),
    _route("GET", "/api/v2/content/path", "content_by_path", "GET /v2/content/path"),
    _route("GET", f"/api/v2/content/{ID}/path", "content_path", "GET /v2/content/{contentId}/path"),
    _route("POST", f"/api/v2/content/{ID}/export", "start_export", "POST /v2/content/{id}/export"),
    _route("GET", f"/api/v2/content/{ID}/export/{JOB}/status", "export_status",
           "GET /v2/content/{contentId}/export/{jobId}/status"),
    _route("GET", f"/api/v2/content/{ID}/export/{JOB}/result", "export_result",
           "GET /v2/content/{contentId}/export/{jobId}/result"),
    _route("DELETE", f"/api/v2/content/{ID}/delete", "start_delete", "DELETE /v2/content/{id}/delete"),
    _route("GET", f"/api/v2/content/{ID}/delete/{JOB}/status", "delete_status",
           "GET /v2/content/{id}/delete/{jobId}/status"),
    _route("GET", "/api/v1/monitors/root", "monitors_root", "GET /v1/monitors/root"),
    _route("GET", "/api/v1/monitors/search", "search_monitors", "GET /v1/monitors/search"),
    _route("GET", "/api/v1/monitors/path", "monitor_by_path", "GET /v1/monitors/path"),
    _route("POST", "/api/v1/monitors", "create_monitor", "POST /v1/monitors"),
    _route("GET", f"/api/v1/monitors/{ID}", "get_monitor", "GET /v1/monitors/{id}"),
    _route("PUT", f"/api/v1/monitors/{ID}", "update_monitor", "PUT /v1/monitors/{id}"),
    _route("DELETE", f"/api/v1/monitors/{ID}", "delete_monitor", "DELETE /v1/monitors/{id}"),
)


def resolve(method: str, path: str) -> tuple[Route | None, dict, bool]:
    """(route, path params, path_known). path_known without a route means 405."""
    path_known = False
    for route in ROUTES:
        match = route.pattern.match(path)
        if match:
            path_known = True
            if route.method == method:
                return route, match.groupdict(), True
    return None, {}, path_known
