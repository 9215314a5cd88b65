"""``-v``: the library's log lines on stderr (secrets blanked), and retries on the progress line.

``-v`` shows the ``telephony`` logger at INFO (each retry, with its reason and wait); ``-vv``
adds DEBUG (every request) and httpx's and httpcore's own loggers. Everything goes through the
command's ``Redactor``; levels and handlers are put back when the command ends (``main`` may
run many times in one process, e.g. in tests).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TextIO

from telephony._client import RetryNotice
from telephony.cli._progress import Progress, is_terminal

__all__ = ["logging_to", "retry_notices", "showing_retries"]

_LIBRARY = "telephony"
_RETRY = "telephony.retry"
_HTTP = ("httpx", "httpcore")


class _StderrHandler(logging.Handler):
    def __init__(self, stream: TextIO, redact: Callable[[str], str]) -> None:
        super().__init__(logging.DEBUG)
        self._stream = stream
        self._redact = redact
        self._clear = "\r\x1b[K" if is_terminal(stream) else ""  # a live progress line

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self._redact(f"{record.name}: {record.getMessage()}")
            self._stream.write(f"{self._clear}{text}\n")
            self._stream.flush()
        except Exception:  # a log line must never break the command
            self.handleError(record)


@contextlib.contextmanager
def _level(logger: logging.Logger, level: int) -> Iterator[None]:
    old = logger.level
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(old)


@contextlib.contextmanager
def logging_to(stream: TextIO, redact: Callable[[str], str], verbosity: int) -> Iterator[None]:
    """While the command runs: log lines on ``stream`` for ``-v`` (1) or ``-vv`` (2+)."""
    if verbosity <= 0:
        yield
        return
    handler = _StderrHandler(stream, redact)
    names = (_LIBRARY, *_HTTP) if verbosity >= 2 else (_LIBRARY,)
    level = logging.DEBUG if verbosity >= 2 else logging.INFO
    with contextlib.ExitStack() as stack:
        for name in names:
            logger = logging.getLogger(name)
            stack.enter_context(_level(logger, level))
            logger.addHandler(handler)
            stack.callback(logger.removeHandler, handler)
        yield


class _RetryNotices(logging.Handler):
    def __init__(self, callback: Callable[[RetryNotice], None]) -> None:
        super().__init__(logging.INFO)
        self._callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        notice = getattr(record, "telephony_retry", None)
        if isinstance(notice, RetryNotice):
            self._callback(notice)


@contextlib.contextmanager
def retry_notices(callback: Callable[[RetryNotice], None]) -> Iterator[None]:
    """While the block runs, ``callback`` gets each retry's notice (the client logs one on
    the ``telephony.retry`` logger before it waits), from whichever thread retried."""
    logger = logging.getLogger(_RETRY)
    handler = _RetryNotices(callback)
    with _level(logger, logging.INFO):
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)


@contextlib.contextmanager
def showing_retries(progress: Progress) -> Iterator[None]:
    """While a listing runs: its retries (waits, reasons) on the progress line."""
    if not progress.enabled:
        yield
        return
    with retry_notices(lambda notice: progress.retrying(reason=notice.reason, wait=notice.wait)):
        yield
