"""A progress line on stderr while calls stream by: how many, and how fast."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

__all__ = ["Progress", "is_terminal"]

T = TypeVar("T")


def is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):  # a closed or detached stream
        return False


class Progress:
    """Counts items and shows ``label: 12,345 calls, 3,210/s`` (and, while a request waits
    to be retried, ``..., waiting 3.0 s to retry (429 Too Many Requests)``).

    On a terminal (``live``) one line is redrawn in place at most every ``interval`` seconds and
    cleared at the end; elsewhere (``--progress`` into a file) a line is written every
    ``log_interval`` seconds. Disabled, it only counts.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        label: str,
        enabled: bool,
        live: bool,
        interval: float = 0.1,
        log_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.enabled = enabled
        self.live = live
        self.count = 0
        self._clock = clock
        self._interval = interval if live else log_interval
        self._started = clock()
        self._next = self._started + self._interval
        self._shown = False  # a live line is on screen

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, counting each."""
        if not self.enabled:
            for item in items:
                self.count += 1
                yield item
            return
        clock = self._clock
        for item in items:
            self.count += 1
            if clock() >= self._next:
                self._show()
            yield item

    def _line(self) -> str:
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.count / elapsed
        return f"{self.label}: {self.count:,} calls, {rate:,.0f}/s"

    def _show(self) -> None:
        if self.live:
            self.stream.write("\r" + self._line() + "\x1b[K")
            self._shown = True
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()
        self._next = self._clock() + self._interval

    def retrying(self, *, reason: str, wait: float) -> None:
        """Say on the progress line that a request is waiting to be sent again, and why."""
        if not self.enabled:
            return
        note = f"{self._line()}, waiting {wait:.1f} s to retry ({reason})"
        if self.live:
            self.stream.write("\r" + note + "\x1b[K")
            self._shown = True
        else:
            self.stream.write(note + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Take the live line off the screen (before other output is written there)."""
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def finish(self) -> None:
        """Clear the live line and say how many items went by in how long."""
        if not self.enabled:
            return
        self.clear()
        elapsed = self._clock() - self._started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        self.stream.write(
            f"{self.label}: {self.count:,} calls in {elapsed:.1f} s ({rate:,.0f}/s)\n"
        )
        self.stream.flush()
