"""The client's exception hierarchy: one class per kind of Sumo answer, all carrying Sumo's body.

Owns mapping (status, body) to an exception and reading the three Sumo error body shapes;
it does not decide what is retried (retry.py) and never holds credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from deployer.api.deployments import DEPLOYMENTS


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str | None
    code: str
    message: str


class SumoApiError(Exception):
    """Base class: `status` (HTTP status or None), `body` (Sumo's parsed error body), `method`, `url`."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None,
                 method: str | None = None, url: str | None = None):
        super().__init__(message)
        self.message, self.status, self.body, self.method, self.url = message, status, body, method, url

    @property
    def errors(self) -> list[FieldError]:
        """Every error entry in the body, whatever its shape (gateway, management API, CSE)."""
        return _error_entries(self.body)

    @property
    def code(self) -> str | None:
        errors = self.errors
        return errors[0].code if errors else None


class AuthenticationError(SumoApiError):
    """401: the access id/key pair was not accepted."""


class PermissionDenied(SumoApiError):
    """403: the key's user lacks the capability."""


class NotFound(SumoApiError):
    """404."""


class Conflict(SumoApiError):
    """409: e.g. a stale monitor `version` or a duplicate name."""


class ValidationFailed(SumoApiError):
    """400/422: the payload was rejected; `field_errors` has Sumo's per-field messages."""

    @property
    def field_errors(self) -> list[FieldError]:
        return self.errors


class RateLimited(SumoApiError):
    """429 `rate.limit.exceeded`; `retry_after` is the server's hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(SumoApiError):
    """5xx."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class WrongDeployment(SumoApiError):
    """301 `moved`: the key belongs to another deployment (`deployment`, `location`)."""

    def __init__(self, message: str, *, location: str | None = None, deployment: str | None = None, **kw):
        super().__init__(message, **kw)
        self.location, self.deployment = location, deployment


class ApiConnectionError(SumoApiError):
    """No HTTP answer: connection refused/reset, DNS failure or timeout."""


class AmbiguousWriteError(SumoApiError):
    """A non-idempotent write (POST create) got no definite answer (timeout, dropped connection,
    5xx): it may or may not have been applied. Re-read (e.g. by name or marker) before retrying."""


class JobFailed(SumoApiError):
    """An async Content API job ended `Failed`; `body` is the job status with its `error`."""


class JobTimeout(SumoApiError):
    """An async job was still `InProgress` when the client's job timeout ran out."""


class MissingCredentials(SumoApiError):
    """A credential environment variable is unset or empty (the message names the variable)."""


_BY_STATUS = {400: ValidationFailed, 401: AuthenticationError, 403: PermissionDenied, 404: NotFound,
              405: NotFound, 409: Conflict, 415: ValidationFailed, 422: ValidationFailed}


def _error_entries(body: Any) -> list[FieldError]:
    body = body if isinstance(body, dict) else {}
    entries = body.get("errors")
    if isinstance(entries, list):
        return [FieldError(e.get("field") or (e.get("meta") or {}).get("field"), e.get("code", ""),
                           e.get("message", "")) for e in entries if isinstance(e, dict)]
    if "code" in body:
        return [FieldError(None, body["code"], body.get("message", ""))]
    return []


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def deployment_for_location(location: str | None) -> str | None:
    host = urlsplit(location or "").hostname
    return next((code for code, url in DEPLOYMENTS.items() if urlsplit(url).hostname == host), None)


def error_from_response(status: int, body: Any, headers, method: str, url: str) -> SumoApiError:
    detail = "; ".join(f"{e.field + ': ' if e.field and e.field not in e.message else ''}{e.message}"
                       for e in _error_entries(body)) or (str(body)[:300] if body else "no body")
    message = f"{method} {url} -> HTTP {status}: {detail}"
    common = {"status": status, "body": body, "method": method, "url": url}
    if status in (301, 302, 307, 308):
        location = headers.get("Location")
        deployment = deployment_for_location(location)
        where = f"deployment {deployment!r}" if deployment else f"{location!r}"
        return WrongDeployment(f"{message}. This access key belongs to {where}; set that deployment in the "
                               "environment file.", location=location, deployment=deployment, **common)
    if status == 429:
        return RateLimited(message, retry_after=parse_retry_after(headers.get("Retry-After")), **common)
    if status >= 500:
        return ServerError(message, retry_after=parse_retry_after(headers.get("Retry-After")), **common)
    return _BY_STATUS.get(status, SumoApiError)(message, **common)
