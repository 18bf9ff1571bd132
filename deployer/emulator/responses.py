"""The emulator's HTTP layer: auth, rate limit, faults, routing, OpenAPI validation, response shapes.

Owns turning an HTTP request into a call on models.SumoState and the answer into Sumo's body shapes
(CSE envelope, management-API ErrorResponse, gateway errors); business rules stay in models.py.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from deployer.api.pacing import TokenBucket
from deployer.emulator import openapi
from deployer.emulator.models import ApiError, SumoState
from deployer.emulator.urls import Route, resolve

if TYPE_CHECKING:
    from deployer.emulator.server import Emulator

GATEWAY_MESSAGES = {
    401: ("unauthorized", "Credential could not be verified."),
    404: ("notfound", "Resource not found."),
    405: ("method.unsupported", "Unsupported method for URL."),
    415: ("contenttype.invalid", "Invalid content type."),
    500: ("internal.error", "Internal server error."),
    502: ("bad.gateway", "Bad gateway."),
    503: ("service.unavailable", "Service is currently unavailable."),
    504: ("gateway.timeout", "Gateway timeout."),
}


class ErrorIds:
    """Sumo-style error ids (`ABCDE-FGHIJ-KLMNO`), deterministic per emulator."""

    ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    def __init__(self) -> None:
        self._n = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._n += 1
            n = self._n * 2654435761
        chars = [self.ALPHABET[(n >> (5 * i)) % 36] for i in range(15)]
        return "-".join("".join(chars[i:i + 5]) for i in (0, 5, 10))


class RateLimiter:
    """Per access key: `rate` requests/s (one second of burst) and `max_concurrent` in flight."""

    def __init__(self, rate: float, max_concurrent: int):
        self.rate, self.max_concurrent = rate, max_concurrent
        self._buckets: dict[str, TokenBucket] = {}
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, key: str) -> bool:
        with self._lock:
            if key not in self._buckets:
                self._buckets[key] = TokenBucket(self.rate, max(1.0, self.rate))
            bucket = self._buckets[key]
            if self._in_flight.get(key, 0) >= self.max_concurrent or not bucket.try_acquire():
                return False
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
            return True

    def leave(self, key: str) -> None:
        with self._lock:
            self._in_flight[key] -= 1


@dataclass(frozen=True, slots=True)
class Exchange:
    """One answered request, kept in Emulator.journal: status None means the connection was dropped."""

    method: str
    path: str
    family: str | None
    operation: str | None
    status: int | None
    body: Any


@dataclass
class Request:
    params: dict
    query: dict[str, str]
    body: Any


def _int(query: dict, name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        raise ApiError(400, "bad_request", f"{name} must be an integer", field=name) from None


def _required(query: dict, name: str) -> str:
    if name not in query:
        raise ApiError(400, "bad_request", f"query parameter {name} is required", field=name)
    return query[name]


def _drop_nulls(value):
    # Sumo's own examples send `null` for optional members (e.g. `"to": null`); treat as absent.
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


class SumoResponses:
    """One method per route handler name in urls.py: (Request) -> (status, JSON body or None)."""

    def __init__(self, state: SumoState):
        self.state = state

    @staticmethod
    def _cse(data) -> dict:
        return {"data": data, "errors": []}

    # CSE rules
    def list_rules(self, req: Request):
        expand = req.query.get("expand") == "tuningExpressions"
        data = self.state.list_rules(req.query.get("q", ""), _int(req.query, "offset", 0),
                                     _int(req.query, "limit", 50), expand_tuning=expand)
        return 200, self._cse(data)

    def get_rule(self, req: Request):
        expand = req.query.get("expand") == "tuningExpressions"
        return 200, self._cse(self.state.get_rule(req.params["id"], expand_tuning=expand))

    def create_rule(self, req: Request):
        return 200, self._cse(self.state.public_rule(self.state.create_rule(req.params["kind"], req.body["fields"])))

    def update_rule(self, req: Request):
        rule = self.state.update_rule(req.params["kind"], req.params["id"], req.body["fields"])
        return 200, self._cse(self.state.public_rule(rule))

    def set_rule_enabled(self, req: Request):
        self.state.set_rule_enabled(req.params["id"], req.body["enabled"])
        return 200, self._cse({"ok": True})

    def delete_rule(self, req: Request):
        self.state.delete_rule(req.params["id"])
        return 200, self._cse({"ok": True})

    # tuning expressions / match lists
    def _crud(family: str):  # noqa: N805 - builds handler methods at class creation
        def list_items(self, req: Request):
            return 200, self._cse(self.state.crud_list(family, _int(req.query, "offset", 0),
                                                       _int(req.query, "limit", 50)))

        def create(self, req: Request):
            return 200, self._cse(self.state.crud_create(family, req.body["fields"]))

        def get(self, req: Request):
            return 200, self._cse(self.state.crud_get(family, req.params["id"]))

        def update(self, req: Request):
            return 200, self._cse(self.state.crud_update(family, req.params["id"], req.body["fields"]))

        def delete(self, req: Request):
            self.state.crud_delete(family, req.params["id"])
            return 200, self._cse({"ok": True})

        return list_items, create, get, update, delete

    list_tuning, create_tuning, get_tuning, update_tuning, delete_tuning = _crud("tuning")
    list_match_lists, create_match_list, get_match_list, update_match_list, delete_match_list = _crud("match-lists")
    del _crud

    def add_match_list_items(self, req: Request):
        self.state.add_match_list_items(req.params["id"], req.body["items"])
        return 200, self._cse({"ok": True})

    # Library content
    def personal_folder(self, req: Request):
        return 200, self.state.personal_folder()

    def get_folder(self, req: Request):
        return 200, self.state.get_folder(req.params["id"])

    def create_folder(self, req: Request):
        body = req.body
        return 200, self.state.create_folder(body["name"], body["parentId"], body.get("description", ""))

    def update_folder(self, req: Request):
        return 200, self.state.update_folder(req.params["id"], req.body["name"], req.body.get("description"))

    def content_by_path(self, req: Request):
        return 200, self.state.content_by_path(_required(req.query, "path"))

    def content_path(self, req: Request):
        return 200, {"path": self.state.content_path(req.params["id"])}

    def start_import(self, req: Request):
        overwrite = req.query.get("overwrite", "false").lower()
        if overwrite not in ("true", "false"):
            raise ApiError(400, "bad_request", "overwrite must be true or false", field="overwrite")
        job = self.state.start_job("import", req.params["id"],
                                   {"definition": _drop_nulls(req.body), "overwrite": overwrite == "true"})
        return 200, {"id": job}

    def import_status(self, req: Request):
        return 200, self._job(self.state.job_status("import", req.params["id"], req.params["job"]))

    def start_export(self, req: Request):
        return 200, {"id": self.state.start_job("export", req.params["id"])}

    def export_status(self, req: Request):
        return 200, self._job(self.state.job_status("export", req.params["id"], req.params["job"]))

    def export_result(self, req: Request):
        return 200, self.state.export_result(req.params["id"], req.params["job"])

    def start_delete(self, req: Request):
        return 200, {"id": self.state.start_job("delete", req.params["id"])}

    def delete_status(self, req: Request):
        return 200, self._job(self.state.job_status("delete", req.params["id"], req.params["job"]))

    @staticmethod
    def _job(status: dict) -> dict:
        return {k: v for k, v in status.items() if v is not None}

    # Monitors
    def monitors_root(self, req: Request):
        return 200, self.state.monitor_view(self.state.monitors_root_id)

    def create_monitor(self, req: Request):
        return 200, self.state.create_monitor(_required(req.query, "parentId"), req.body)

    def get_monitor(self, req: Request):
        return 200, self.state.monitor_view(req.params["id"])

    def update_monitor(self, req: Request):
        return 200, self.state.update_monitor(req.params["id"], req.body)

    def delete_monitor(self, req: Request):
        self.state.delete_monitor(req.params["id"])
        return 204, None

    def search_monitors(self, req: Request):
        query = _required(req.query, "query")
        limit = _int(req.query, "limit", 1000)
        if not 1 <= limit <= 5000:
            raise ApiError(400, "bad_request", "limit must be 1..5000", field="limit")
        return 200, self.state.search_monitors(query, _int(req.query, "offset", 0), limit)

    def monitor_by_path(self, req: Request):
        return 200, self.state.monitor_by_path(_required(req.query, "path"))


class SumoRequestHandler(BaseHTTPRequestHandler):
    """One instance per request; `server.emulator` is the owning Emulator."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1  # one write per response; handle_one_request flushes
    server_version = "sumo-emulator"
    sys_version = ""

    @property
    def emulator(self) -> Emulator:
        return self.server.emulator  # type: ignore[attr-defined]

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format, *args):  # noqa: A002 - signature from BaseHTTPRequestHandler
        if self.emulator.log_requests:
            super().log_message(format, *args)

    # -- plumbing --------------------------------------------------------------------------
    def _gateway_error(self, status: int, code: str | None = None, message: str | None = None,
                       headers: dict | None = None) -> None:
        default_code, default_message = GATEWAY_MESSAGES.get(status, ("error", "Error."))
        body = {"status": status, "id": self.emulator.error_ids.next(),
                "code": code or default_code, "message": message or default_message}
        self._send(status, body, headers)

    def _api_error(self, family: str, exc: ApiError) -> None:
        entry = {"code": exc.code, "message": exc.message}
        if family == "cse":
            body = {"data": None, "errors": [{**entry, **({"field": exc.field} if exc.field else {})}]}
        else:
            body = {"id": self.emulator.error_ids.next(),
                    "errors": [{**entry, **({"meta": {"field": exc.field}} if exc.field else {})}]}
        self._send(exc.status, body)

    def _send(self, status: int, body, headers: dict | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        self._status = status
        self._body = body

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._status = None

    def _authenticated_key(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            access_id, _, access_key = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        emulator = self.emulator
        # bytes: compare_digest raises TypeError on non-ASCII str
        if (hmac.compare_digest(access_id.encode(), emulator.access_id.encode())
                and hmac.compare_digest(access_key.encode(), emulator.access_key.encode())):
            return access_id
        return None

    def _handle(self) -> None:
        self._status, self._body, self._route = None, None, None
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._serve(split.path, query, raw)
        route = self._route
        self.emulator.record(Exchange(self.command, split.path, route.family if route else None,
                                      route.operation if route else None, self._status, self._body))

    def _serve(self, path: str, query: dict, raw: bytes) -> None:
        emulator = self.emulator
        key = self._authenticated_key()
        if key is None:
            return self._gateway_error(401)
        if not emulator.rate_limiter.enter(key):
            rl = emulator.rate_limiter
            message = (f"The API request rate is higher than {rl.rate:g} request per second or inflight "
                       f"API requests are higher than {rl.max_concurrent}")
            return self._gateway_error(429, "rate.limit.exceeded", message)
        try:
            self._dispatch(path, query, raw)
        finally:
            emulator.rate_limiter.leave(key)

    def _dispatch(self, path: str, query: dict, raw: bytes) -> None:
        emulator = self.emulator
        route, params, path_known = resolve(self.command, path)
        if route is None:
            return self._gateway_error(405 if path_known else 404)
        self._route = route
        injector = emulator.fault_injector
        fault = injector.decide(self.command, path) if injector else None
        if fault and fault not in ("latency", "commit-then-fail"):
            return self._inject(fault, injector.spec)
        if fault == "latency":
            time.sleep(injector.spec.latency)
        try:
            body = self._parse_body(route, raw)
            status, answer = getattr(emulator.responses, route.handler)(Request(params, query, body))
        except ApiError as exc:
            return self._api_error(route.family, exc)
        if self.command != "GET":
            emulator.save_state()
        if fault == "commit-then-fail":
            self._drop()
        else:
            self._send(status, answer)

    def _inject(self, fault: str, spec) -> None:
        extra = {"Retry-After": f"{spec.retry_after:g}"} if spec.retry_after is not None else {}
        if fault == "drop":
            self._drop()
        elif fault == "429":
            self._gateway_error(429, "rate.limit.exceeded", "The API request rate is too high.", extra)
        elif fault == "moved":
            self._gateway_error(301, "moved",
                                "The requested resource SHOULD be accessed through returned URI in Location Header.",
                                {"Location": "https://api.eu.sumologic.com" + self.path})
        else:
            self._gateway_error(int(fault), headers=extra if fault == "503" else None)

    def _parse_body(self, route: Route, raw: bytes):
        if self.command not in ("POST", "PUT"):
            return None
        content_type = self.headers.get("Content-Type", "")
        if raw and not content_type.startswith("application/json"):
            raise ApiError(415, "contenttype.invalid", "Invalid content type: send application/json.")
        try:
            body = json.loads(raw) if raw else None
        except ValueError as exc:
            raise ApiError(400, "bad_request", f"request body is not valid JSON: {exc}") from None
        schema = openapi.operation(route.family, route.operation)["request"] if route.operation else None
        if schema is None and route.handler in ("create_rule", "update_rule"):
            # no outlier schema in the spec: check the envelope here, fields in models.check_rule_fields
            if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
                raise ApiError(400, "validation_failed", "fields: is required", field="fields")
            return body
        if schema is None:
            return body
        if body is None:
            raise ApiError(400, "validation_failed", "request body is required", field="(body)")
        found = openapi.problems(route.family, schema, _drop_nulls(body))
        if found:
            raise ApiError(400, "validation_failed", "; ".join(f"{p.field}: {p.message}" for p in found[:10]),
                           field=found[0].field)
        return body
