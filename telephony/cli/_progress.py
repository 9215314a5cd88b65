"""A progress line on stderr while calls stream by: how many were read and kept, and how fast.

A listing refined on the client (``Page.scanned``) reads many more calls than it keeps: the
line says both, so a long filtered scan that keeps nothing yet still shows it is moving."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

__all__ = ["LONG_LISTING", "Progress", "fit_line", "is_terminal", "progress_for"]

# Seconds after which a listing counts as long: by default (no --progress / --no-progress) the
# progress line appears only then, on a terminal or not, so quick commands stay quiet but a
# long client-side filtered scan never leaves a blank screen.
LONG_LISTING = {True: 2.0, False: 10.0}  # live (terminal), logged (file or pipe)

T = TypeVar("T")


def is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):  # a closed or detached stream
        return False


def progress_for(stream: TextIO, *, label: str, chosen: bool | None) -> Progress:
    """The progress of a listing: ``--progress`` / ``--no-progress`` as ``chosen``; by default
    on, terminal or not, once the listing runs long (``LONG_LISTING``), then every 10 s in a
    file or pipe."""
    live = is_terminal(stream)
    if chosen is not None:
        return Progress(stream, label=label, enabled=chosen, live=live)
    return Progress(
        stream, label=label, enabled=True, live=live, after=LONG_LISTING[live],
        log_interval=LONG_LISTING[False],
    )  # fmt: skip


def fit_line(line: str) -> str:
    """A live line cut to the terminal's width: a wrapped line cannot be redrawn in place."""
    width = shutil.get_terminal_size().columns - 1
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"


class Progress:
    """Counts items and shows ``label: 12,345 calls, 3,210/s`` (and, while a request waits
    to be retried, ``..., waiting 3.0 s to retry (429 Too Many Requests)``). Once ``scan``
    reports records read, ``label: scanned 40,000, kept 12, 3,210/s`` (the rate of reading).

    On a terminal (``live``) one line is redrawn in place at most every ``interval`` seconds and
    cleared at the end; elsewhere (``--progress`` into a file) a line is written every
    ``log_interval`` seconds. Disabled, it only counts. With ``after`` it stays silent for that
    many seconds (the closing line too, if nothing was shown by then).
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
        after: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.enabled = enabled
        self.live = live
        self.count = 0
        self.scanned: int | None = None  # records read, when the listing says (Page.scanned)
        self._clock = clock
        self._interval = interval if live else log_interval
        self._started = clock()
        self._after = after
        self._next = self._started + max(self._interval, after)
        self._shown = False  # a live line is on screen
        self._spoke = after <= 0  # anything was written (else the closing line is not either)

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

    def scan(self, records: int) -> None:
        """Count ``records`` read (kept or not): a page that kept none still moves the line."""
        self.scanned = (self.scanned or 0) + records
        if self.enabled and self._clock() >= self._next:
            self._show()

    def _figures(self) -> str:
        if self.scanned is None:
            return f"{self.count:,} calls"
        return f"scanned {self.scanned:,}, kept {self.count:,}"

    def _rate(self, elapsed: float) -> float:
        return (self.count if self.scanned is None else self.scanned) / elapsed

    def _line(self) -> str:
        elapsed = max(self._clock() - self._started, 1e-9)
        return f"{self.label}: {self._figures()}, {self._rate(elapsed):,.0f}/s"

    def _show(self) -> None:
        self._spoke = True
        if self.live:
            self.stream.write("\r" + fit_line(self._line()) + "\x1b[K")
            self._shown = True
        else:
            self.stream.write(self._line() + "\n")
        self.stream.flush()
        self._next = self._clock() + self._interval

    def retrying(self, *, reason: str, wait: float) -> None:
        """Say on the progress line that a request is waiting to be sent again, and why."""
        if not self.enabled or self._clock() - self._started + wait < self._after:
            return
        self._spoke = True
        note = f"{self._line()}, waiting {wait:.1f} s to retry ({reason})"
        if self.live:
            self.stream.write("\r" + fit_line(note) + "\x1b[K")
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
        if not self.enabled or not self._spoke:
            return
        self.clear()
        elapsed = self._clock() - self._started
        rate = self._rate(elapsed) if elapsed > 0 else 0.0
        self.stream.write(f"{self.label}: {self._figures()} in {elapsed:.1f} s ({rate:,.0f}/s)\n")
        self.stream.flush()
