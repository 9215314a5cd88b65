"""When to send a request again, and how long to wait first (sans-IO: no sleeping here)."""

from __future__ import annotations

import enum
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

import attrs
import httpx

__all__ = [
    "Retry",
    "RetryBudget",
    "RetryMode",
    "RetryPolicy",
    "parse_retry_after",
    "with_retry_mode",
]

_EXTENSION = "telephony.retry"

# Failures that prove the request never left this machine: safe to resend anything.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RetryMode(enum.Enum):
    """How safe a request is to send twice."""

    IDEMPOTENT = "idempotent"  # reads: 429, 5xx and any transport failure
    UPDATE = "update"  # changes to a call: 429, and failures before the request was sent
    CREATE = "create"  # placing a call: only failures before the request was sent


def with_retry_mode(request: httpx.Request, mode: RetryMode) -> httpx.Request:
    request.extensions[_EXTENSION] = mode
    return request


def retry_mode(request: httpx.Request) -> RetryMode:
    mode = request.extensions.get(_EXTENSION)
    if isinstance(mode, RetryMode):
        return mode
    return RetryMode.IDEMPOTENT if request.method in ("GET", "HEAD") else RetryMode.CREATE


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    Junk (Prism sends the literal ``string``) gives None rather than an error.
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# The two small records below are a NamedTuple and a plain class, not attrs classes: every
# `import telephony` builds them, and an attrs class costs ~0.5 ms to build.


class Retry(NamedTuple):
    """One decision to send again: after ``wait`` seconds, because of ``reason``."""

    wait: float
    reason: str


class RetryBudget:
    """The seconds one operation (a call, a page, a whole listing) may still spend waiting to
    retry; None is no limit. Mutable: each wait is taken from it."""

    __slots__ = ("left",)

    def __init__(self, left: float | None) -> None:
        self.left = left

    def __repr__(self) -> str:
        return f"RetryBudget(left={self.left!r})"

    def allows(self, wait: float) -> bool:
        return self.left is None or wait <= self.left

    def spend(self, wait: float) -> None:
        if self.left is not None:
            self.left = max(0.0, self.left - wait)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """``max_retries`` extra attempts; jittered exponential backoff from ``backoff`` seconds,
    at most ``max_backoff``; a ``Retry-After`` longer than ``max_retry_after`` is not waited
    for (the RateLimitedError reaches the caller, who can schedule the work later).
    ``max_retry_wait`` bounds the seconds one operation spends waiting in all (None: no
    bound): once a wait would pass it, the last error is raised instead."""

    max_retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    max_retry_wait: float | None = None

    def budget(self) -> RetryBudget:
        return RetryBudget(self.max_retry_wait)

    def _backoff(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * 2.0 ** min(attempt, 64))
        return base * random.uniform(0.5, 1.0)

    def after_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int
    ) -> float | None:
        """Seconds to wait before resending, or None to hand the response on."""
        retry = self.retry_response(request, response, attempt)
        return None if retry is None else retry.wait

    def after_error(
        self, request: httpx.Request, error: httpx.TransportError, attempt: int
    ) -> float | None:
        retry = self.retry_error(request, error, attempt)
        return None if retry is None else retry.wait

    def retry_response(
        self, request: httpx.Request, response: httpx.Response, attempt: int
    ) -> Retry | None:
        """Whether (and when) to send ``request`` again after ``response``."""
        if attempt >= self.max_retries:
            return None
        mode = retry_mode(request)
        status = response.status_code
        reason = f"{status} {response.reason_phrase}".strip()
        if status == 429 and mode is not RetryMode.CREATE:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if wait is None:
                return Retry(wait=self._backoff(attempt), reason=reason)
            if wait > self.max_retry_after:
                return None
            return Retry(wait=wait, reason=f"{reason}, Retry-After {wait:g} s")
        if status >= 500 and mode is RetryMode.IDEMPOTENT:
            return Retry(wait=self._backoff(attempt), reason=reason)
        return None

    def retry_error(
        self, request: httpx.Request, error: httpx.TransportError, attempt: int
    ) -> Retry | None:
        """Whether (and when) to send ``request`` again after a transport failure."""
        if attempt >= self.max_retries:
            return None
        if retry_mode(request) is RetryMode.IDEMPOTENT or isinstance(error, _UNSENT):
            return Retry(wait=self._backoff(attempt), reason=type(error).__name__)
        return None
