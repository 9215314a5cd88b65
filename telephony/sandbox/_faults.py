"""Optional fault injection: a share of answers replaced by rate limits, server errors, slow
answers or dropped connections, decided by (seed, request number) so a run replays."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from telephony.sandbox._mix import mix64, unit

__all__ = ["DROP", "RATE_LIMIT", "SERVER_ERROR", "SLOW", "FaultPlan", "Faults"]

DROP = "drop"
RATE_LIMIT = "rate_limit"
SERVER_ERROR = "server_error"
SLOW = "slow"


@dataclass(frozen=True, kw_only=True)
class Faults:
    """Shares (0..1) of API requests that fail, and how.

    ``rate_limit``: 429 with ``Retry-After: retry_after``; ``server_error``: 500 (Restcomm
    also 503); ``slow``: answered after ``slow_seconds`` (wall clock); ``drop``: connection
    closed without an answer. A failed request is not carried out (a create creates nothing).
    ``get_lag``: sandbox seconds during which a new Bandwidth call answers 404 to a get, as
    Bandwidth's near-realtime call state does. The OAuth2 token endpoint never fails.
    """

    rate_limit: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    drop: float = 0.0
    retry_after: int = 1
    slow_seconds: float = 0.5
    get_lag: float = 0.0

    def __post_init__(self) -> None:
        shares = (self.rate_limit, self.server_error, self.slow, self.drop)
        if any(not 0.0 <= share <= 1.0 for share in shares) or sum(shares) > 1.0:
            raise ValueError("fault shares must be between 0 and 1 and add up to at most 1")
        if self.retry_after < 0 or self.slow_seconds < 0 or self.get_lag < 0:
            raise ValueError("retry_after, slow_seconds and get_lag must not be negative")


class FaultPlan:
    def __init__(self, faults: Faults, *, seed: int) -> None:
        self.faults = faults
        self._key = mix64(seed ^ 0xFA017)
        self._count = 0
        self._lock = threading.Lock()

    def next(self) -> tuple[str | None, int]:
        """The fault for the next request (or None), and a hash to vary its shape."""
        with self._lock:
            self._count += 1
            roll = mix64(self._key ^ self._count)
        share = unit(roll)
        faults = self.faults
        for kind, limit in (
            (DROP, faults.drop),
            (RATE_LIMIT, faults.rate_limit),
            (SERVER_ERROR, faults.server_error),
            (SLOW, faults.slow),
        ):
            if share < limit:
                return kind, roll
            share -= limit
        return None, roll
