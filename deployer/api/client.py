"""`SumoClient`: one pooled, paced, retrying, authenticated HTTP session to one Sumo deployment.

Owns transport (session, auth, timeouts, pacing, retries, error mapping, request counting); the
resource families (cse_rules, tuning, match_lists, content, monitors) own paths and payloads.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from deployer import __version__
from deployer.api.content import Content
from deployer.api.cse_rules import CseRules
from deployer.api.deployments import DEPLOYMENTS, normalise_endpoint
from deployer.api.errors import (
    AmbiguousWriteError,
    ApiConnectionError,
    MissingCredentials,
    NotFound,
    ServerError,
    error_from_response,
)
from deployer.api.match_lists import MatchLists
from deployer.api.monitors import Monitors
from deployer.api.pacing import Pacer
from deployer.api.retry import RetrySettings, retrying
from deployer.api.tuning import TuningExpressions

__all__ = ["DEPLOYMENTS", "ClientStats", "SumoClient"]
log = logging.getLogger("deployer.api")


@dataclass
class ClientStats:
    """Counts of HTTP attempts (`requests`, including retries) and answers by status (0 = none)."""

    requests: int = 0
    responses_by_status: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, status: int) -> None:
        with self._lock:
            self.requests += 1
            self.responses_by_status[status] += 1


class SumoClient:
    def __init__(self, endpoint: str, access_id: str, access_key: str, *, rate_per_second: float = 4.0,
                 burst: float = 1.0, max_in_flight: int = 10, timeout: tuple[float, float] = (5, 30),
                 retry_attempts: int = 6, retry_max_time: float = 120.0, backoff_initial: float = 0.5,
                 backoff_max: float = 30.0, job_poll_interval: float = 1.0, job_timeout: float = 600.0):
        self.endpoint = normalise_endpoint(endpoint)
        self.timeout = timeout
        self.pacer = Pacer(rate_per_second, burst, max_in_flight)
        self.retry = RetrySettings(retry_attempts, retry_max_time, backoff_initial, backoff_max)
        self.job_poll_interval, self.job_timeout = job_poll_interval, job_timeout
        self.stats = ClientStats()
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=max_in_flight)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.auth = (access_id, access_key)
        self._session.headers.update({"User-Agent": f"sumo-content/{__version__}",
                                      "Accept": "application/json"})
        self.cse_rules = CseRules(self)
        self.tuning = TuningExpressions(self)
        self.match_lists = MatchLists(self)
        self.content = Content(self)
        self.monitors = Monitors(self)

    def __repr__(self) -> str:
        return f"SumoClient(endpoint={self.endpoint!r})"

    @classmethod
    def for_deployment(cls, deployment: str | None, endpoint: str | None, access_id_env: str,
                       access_key_env: str, **pacing) -> SumoClient:
        """Endpoint from `endpoint` or the deployment table; credentials only from os.environ."""
        if endpoint is None:
            if deployment is None:
                raise ValueError("an environment needs either a deployment or an endpoint")
            if deployment.lower() not in DEPLOYMENTS:
                raise ValueError(f"unknown deployment {deployment!r}; expected one of {', '.join(DEPLOYMENTS)}")
            endpoint = DEPLOYMENTS[deployment.lower()]
        values = []
        for name in (access_id_env, access_key_env):
            value = os.environ.get(name, "")
            if not value:
                raise MissingCredentials(f"environment variable {name} is not set; export it with the Sumo "
                                         "access id/key before running this command")
            values.append(value)
        return cls(endpoint, values[0], values[1], **pacing)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SumoClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
                idempotent: bool | None = None) -> Any:
        """Send METHOD endpoint+path; return parsed JSON (None for an empty body) or raise SumoApiError.

        `idempotent` defaults to `method != "POST"`. A non-idempotent call is retried only on 429;
        a timeout, dropped connection or 5xx raises AmbiguousWriteError. A retried DELETE that ends
        in 404 counts as done (an earlier attempt deleted it).
        """
        idempotent = method != "POST" if idempotent is None else idempotent
        url = self.endpoint + path.lstrip("/")
        attempt = 0
        for try_ in retrying(self.retry, idempotent=idempotent):
            with try_:
                attempt += 1
                try:
                    return self._send_once(method, url, params, json, idempotent=idempotent)
                except NotFound:
                    if method == "DELETE" and attempt > 1:
                        return None
                    raise
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def _send_once(self, method: str, url: str, params, body, *, idempotent: bool) -> Any:
        with self.pacer.slot():
            try:
                response = self._session.request(method, url, params=params, json=body, timeout=self.timeout,
                                                 allow_redirects=False)
            except requests.RequestException as exc:
                self.stats.record(0)
                kind = type(exc).__name__
                message = f"{method} {url}: no answer ({kind})"
                log.debug(message)
                if not idempotent and not isinstance(exc, requests.ConnectTimeout):
                    raise AmbiguousWriteError(message + "; the write may have been applied", method=method,
                                              url=url) from None
                raise ApiConnectionError(message, method=method, url=url) from None
        self.stats.record(response.status_code)
        log.debug("%s %s -> %s", method, url, response.status_code)
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = response.text
        if response.status_code < 300:
            return parsed
        error = error_from_response(response.status_code, parsed, response.headers, method, url)
        if not idempotent and isinstance(error, ServerError):
            raise AmbiguousWriteError(str(error) + "; the write may have been applied", status=error.status,
                                      body=parsed, method=method, url=url)
        raise error

    def get(self, path: str, params: dict | None = None) -> Any:
        return self.request("GET", path, params=params)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, json=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


