"""Client-side pacing: a token bucket (requests/s with a burst) and a cap on requests in flight.

Owns when a request may start, shared by every thread using one SumoClient; it does not send
requests, retry them or look at responses (client.py, retry.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TokenBucket:
    """`rate` tokens per second, at most `capacity` stored; starts full. Thread-safe."""

    def __init__(self, rate: float, capacity: float, *, clock=time.monotonic):
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be > 0 and capacity >= 1")
        self.rate, self.capacity = rate, float(capacity)
        self._clock = clock
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_acquire(self) -> bool:
        with self._lock:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False

    def acquire(self) -> float:
        """Block until a token is available; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                delay = (1 - self._tokens) / self.rate
            time.sleep(delay)
            waited += delay


class Pacer:
    """Token bucket plus concurrency cap: `with pacer.slot(): send()`."""

    def __init__(self, rate_per_second: float = 4.0, burst: float = 1.0, max_in_flight: int = 10):
        self.bucket = TokenBucket(rate_per_second, burst)
        self.max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            self.bucket.acquire()
            yield
