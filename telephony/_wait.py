"""Knowing when a call ends without webhooks: the polling schedule ``wait_for_call`` follows,
written once for the sync and async clients (they only read the call and sleep).

Reads back off (each wait 1.5 times the last, up to ``max_interval``) and never sleep past
the deadline. A call not found yet is waited for: a near-real-time API (Bandwidth's) answers
404 for a call created moments ago. Once the call has been seen, a 404 is final (the vendor
forgot it) and is raised.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TypeAlias

from telephony._checks import check_call_id, check_number
from telephony._errors import NotFoundError, ValidationError, WaitTimeoutError
from telephony._models import Call, CallStatus

__all__ = ["Until", "Waiter"]

Until: TypeAlias = "Callable[[Call], bool] | CallStatus | Iterable[CallStatus] | None"
_GROWTH = 1.5


def _condition(until: object) -> Callable[[Call], bool]:
    if until is None:
        return lambda call: call.status.is_terminal
    if isinstance(until, CallStatus):
        return lambda call: call.status is until
    if callable(until):
        return until
    if isinstance(until, Iterable) and not isinstance(until, str | bytes):
        wanted = frozenset(until)
        if wanted and all(isinstance(status, CallStatus) for status in wanted):
            return lambda call: call.status in wanted
    raise ValidationError(
        "must be a CallStatus, several, or a function of the Call (None: until it ends)",
        field="until",
    )


class Waiter:
    """One ``wait_for_call``: feed it each read (a ``Call`` or the ``NotFoundError``) and the
    clock; it answers the call to return, or the seconds to sleep before the next read."""

    def __init__(
        self,
        call_id: str,
        *,
        timeout: float,
        until: object,
        interval: float,
        max_interval: float,
        now: float,
    ) -> None:
        check_call_id(call_id)
        check_number(timeout, "timeout", low=0, high=1e7, low_open=True, optional=False)
        check_number(interval, "interval", low=0, high=3600, low_open=True, optional=False)
        check_number(max_interval, "max_interval", low=0, high=3600, low_open=True, optional=False)
        self.call_id = call_id
        self.accept = _condition(until)
        self.deadline = now + float(timeout)
        self.wait = float(interval)
        self.max_wait = max(float(max_interval), self.wait)
        self.last: Call | None = None

    def step(self, read: Call | NotFoundError, now: float) -> Call | float:
        if isinstance(read, NotFoundError):
            if self.last is not None:
                raise read  # seen before, gone now: the vendor forgot it
        else:
            self.last = read
            if self.accept(read):
                return read
        left = self.deadline - now
        if left <= 0:
            seen = "never found" if self.last is None else f"still {self.last.status.value}"
            raise WaitTimeoutError(f"call {self.call_id}: {seen} after the timeout", call=self.last)
        wait = min(self.wait, left)
        self.wait = min(self.wait * _GROWTH, self.max_wait)
        return wait if math.isfinite(wait) else self.max_wait
