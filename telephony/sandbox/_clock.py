"""The sandbox's own time: it starts at a given instant and runs ``speed`` times faster than
the wall clock; ``advance`` jumps it forward (tests, scripted scenarios)."""

from __future__ import annotations

import threading
import time

__all__ = ["SandboxClock"]


class SandboxClock:
    def __init__(self, *, start: float, speed: float) -> None:
        if not speed > 0:
            raise ValueError("speed must be a positive number")
        self.start = start
        self.speed = speed
        self._origin = time.monotonic()
        self._skipped = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Sandbox time, in seconds since the Unix epoch (UTC)."""
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.start + elapsed + self._skipped

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._skipped += seconds

    def real_seconds(self, sandbox_seconds: float) -> float:
        """How long ``sandbox_seconds`` of sandbox time take on the wall clock."""
        return sandbox_seconds / self.speed
