"""The retry policy (tenacity): what is retried, how long to wait, when to give up.

Owns RetrySettings and `retrying(settings, idempotent)`; it does not send requests or pace them.
GET/PUT/DELETE retry on 429, 502/503/504 and connection errors; a non-idempotent POST retries
only on 429 (Sumo rejected it before doing anything) and the client turns other failures into
AmbiguousWriteError.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_random_exponential

from deployer.api.errors import ApiConnectionError, RateLimited, ServerError

RETRYABLE_STATUS = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetrySettings:
    attempts: int = 6
    max_time: float = 120.0  # seconds, across all attempts of one call
    backoff_initial: float = 0.5
    backoff_max: float = 30.0


def _retryable(idempotent: bool):
    def check(exc: BaseException) -> bool:
        if isinstance(exc, RateLimited):
            return True
        if not idempotent:
            return False
        return isinstance(exc, ApiConnectionError) or (isinstance(exc, ServerError) and exc.status in RETRYABLE_STATUS)

    return check


def _wait(settings: RetrySettings):
    backoff = wait_random_exponential(multiplier=settings.backoff_initial, max=settings.backoff_max)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "retry_after", None)
        if hint is not None:
            return min(hint, settings.max_time)
        return backoff(state)

    return wait


def retrying(settings: RetrySettings, *, idempotent: bool) -> Retrying:
    return Retrying(
        retry=retry_if_exception(_retryable(idempotent)),
        wait=_wait(settings),
        stop=stop_after_attempt(settings.attempts) | stop_after_delay(settings.max_time),
        reraise=True,
    )
