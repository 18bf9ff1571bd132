"""`Emulator`: the local Sumo API as a threaded HTTP server on loopback, in-process or from the CLI.

Owns the server's lifecycle, configuration (credentials, rate limit, faults), the request journal
and JSON state persistence; request handling is responses.py, tenant behaviour models.py.
"""

from __future__ import annotations

import json
import os
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from deployer.emulator.faults import FaultInjector, FaultSpec
from deployer.emulator.models import SumoState
from deployer.emulator.responses import ErrorIds, Exchange, RateLimiter, SumoRequestHandler, SumoResponses


class Emulator:
    """`with Emulator(rate_limit=50) as sumo: SumoClient(sumo.url, sumo.access_id, sumo.access_key)`.

    `url` is the API endpoint (`http://127.0.0.1:<port>/api/`); `state` the live models.SumoState;
    `journal` every answered request (models an access log, for tests and benchmarks); `user_email` is the
    emulated user, whose personal folder is `/Library/Users/<user_email>`.
    """

    def __init__(self, access_id: str = "emulator-id", access_key: str = "emulator-key", *,
                 host: str = "127.0.0.1", port: int = 0, rate_limit: float = 4.0, max_concurrent: int = 10,
                 faults: FaultSpec | str | None = None, state_file: str | os.PathLike | None = None,
                 job_latency: float = 0.05, user_email: str = "emulator@example.com", log_requests: bool = False):
        self.access_id, self.access_key = access_id, access_key
        self.host, self.port = host, port
        self.rate_limiter = RateLimiter(rate_limit, max_concurrent)
        self.faults = faults
        self.state = SumoState(user_email=user_email, job_latency=job_latency)
        self.state_file = Path(state_file) if state_file else None
        if self.state_file and self.state_file.exists():
            self.state.load_dict(json.loads(self.state_file.read_text()))
        self.responses = SumoResponses(self.state)
        self.error_ids = ErrorIds()
        self.log_requests = log_requests
        self.journal: list[Exchange] = []
        self._journal_lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Emulator(url={self.url if self._httpd else None!r})"

    @property
    def faults(self) -> FaultSpec | None:
        return self.fault_injector.spec if self.fault_injector else None

    @faults.setter
    def faults(self, spec: FaultSpec | str | None) -> None:
        if isinstance(spec, str):
            spec = FaultSpec.parse(spec)
        self.fault_injector = FaultInjector(spec) if spec else None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the emulator is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/"

    def record(self, exchange: Exchange) -> None:
        with self._journal_lock:
            self.journal.append(exchange)

    def save_state(self) -> None:
        if not self.state_file:
            return
        with self._save_lock:
            data = json.dumps(self.state.to_dict(), indent=1, sort_keys=True)
            tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
            tmp.write_text(data)
            tmp.replace(self.state_file)

    def bind(self) -> Emulator:
        httpd = ThreadingHTTPServer((self.host, self.port), SumoRequestHandler)
        httpd.daemon_threads = True
        httpd.emulator = self  # type: ignore[attr-defined]
        self._httpd = httpd
        return self

    def start(self) -> Emulator:
        """Bind and serve on a background thread."""
        self.bind()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sumo-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread (the CLI); call `bind()` first."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._httpd is None:
            return
        if self._thread:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()
        self.save_state()
        self._httpd, self._thread = None, None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
