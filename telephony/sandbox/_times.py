"""Fast time formatting for listings: the text up to the minute is cached, since the calls
of one page are close together in time, and so is the rest (seconds and milliseconds, at
most 60,000 of them), since every listed call writes three to five times."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["MinuteFormat", "millis", "to_millis"]


class MinuteFormat:
    """``format(moment)`` = ``head(minute start) + tail(second, millisecond)``."""

    def __init__(
        self,
        head: Callable[[time.struct_time], str],
        tail: Callable[[int, int], str],
        *,
        offset_seconds: int = 0,
    ) -> None:
        self._head = head
        self._tail = tail
        self._offset_millis = offset_seconds * 1000
        self._cache: dict[int, str] = {}
        self._tails: list[str | None] = [None] * 60000  # by millisecond of the minute

    def __call__(self, moment: float) -> str:
        # round: times are whole milliseconds, stored as floats that may be an ulp off.
        minute, within = divmod(round(moment * 1000) + self._offset_millis, 60000)
        head = self._cache.get(minute)
        if head is None:
            if len(self._cache) > 16384:  # 11 days of minutes: a 1M-call week fits
                self._cache.clear()
            head = self._head(time.gmtime(minute * 60))
            self._cache[minute] = head
        tail = self._tails[within]
        if tail is None:
            tail = self._tails[within] = self._tail(*divmod(within, 1000))
        return head + tail


def to_millis(moment: float) -> int:
    """Whole milliseconds: every time the sandbox keeps or compares is one."""
    return round(moment * 1000)


def millis(moment: float) -> float:
    """``moment`` cut to whole milliseconds, as the vendors keep times."""
    return math.floor(moment * 1000) / 1000
