"""One call's life as the sandbox sees it, independent of any vendor's wire format.

A call is a timeline: created, ringing from ``start``, answered at ``answer`` (or never),
ended at ``end`` with an ``outcome``. Its state at any instant is read off the timeline, so
calls move on by themselves without a background thread. Hang-up, cancel and redirect edit
the timeline of a live call.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "ANSWERED",
    "BUSY",
    "CANCELED",
    "CLIENT",
    "DIAL",
    "ENDED",
    "FAILED",
    "INBOUND",
    "NO_ANSWER",
    "OUTBOUND",
    "QUEUED",
    "REJECTED",
    "RINGING",
    "TALKING",
    "TEST_NUMBERS",
    "CallRecord",
    "plan_for",
]

# Outcomes (how a call ended).
ANSWERED = "answered"  # talked, then hung up normally
BUSY = "busy"
NO_ANSWER = "no-answer"
REJECTED = "rejected"
FAILED = "failed"
CANCELED = "canceled"

# Phases (where a call is at an instant).
QUEUED = "queued"
RINGING = "ringing"
TALKING = "talking"
ENDED = "ended"

# Directions, vendor-neutral: inbound, outbound (placed through the API), dial (a leg
# dialed or transferred from another call, with a parent), client (Restcomm client-to-client).
INBOUND = "inbound"
OUTBOUND = "outbound"
DIAL = "dial"
CLIENT = "client"

TEST_NUMBERS: dict[str, str] = {
    "+15550100001": "answered, talks 30 s, then hangs up (completed)",
    "+15550100002": "busy",
    "+15550100003": "rings until the ring timeout (no-answer)",
    "+15550100004": "rejects the call (rejected; busy where the vendor has no rejected)",
    "+15550100005": "fails (failed, with an error cause where the vendor gives one)",
    "+15550100006": "rings 10 s, then the caller gives up (canceled)",
    "+15550100007": "answered and stays up for an hour unless hung up",
}

QUEUE_SECONDS = 2.0  # a created call waits this long in the queue before it rings
_DIGITS = re.compile(r"\D")


class CallRecord:
    """A call's timeline plus the facts both vendors show. Seeded calls are made on demand
    and dropped after use; calls created through the API are kept and edited."""

    __slots__ = (
        "answer",
        "answered_by",
        "caller_name",
        "cause",
        "created",
        "direction",
        "end",
        "error",
        "extra",
        "from_",
        "id",
        "instance",
        "number_sid",
        "outcome",
        "parent_id",
        "price",
        "ring_timeout",
        "seq",
        "start",
        "to",
        "updated",
    )

    def __init__(
        self,
        *,
        seq: int,
        id: str,
        direction: str,
        from_: str,
        to: str,
        created: float,
        start: float | None,
        answer: float | None,
        end: float,
        outcome: str,
        cause: str,
        parent_id: str | None = None,
        error: tuple[str, str] | None = None,
        answered_by: str = "",
        caller_name: str = "",
        number_sid: str = "",
        price: str | None = None,
        instance: str = "",
        ring_timeout: float = 30.0,
    ) -> None:
        self.seq = seq
        self.id = id
        self.direction = direction
        self.from_ = from_
        self.to = to
        self.created = created
        self.start = start
        self.answer = answer
        self.end = end
        self.outcome = outcome
        self.cause = cause  # Bandwidth's disconnectCause once ended
        self.parent_id = parent_id
        self.error = error  # (errorMessage, errorId) for calls that ended in an error
        self.answered_by = answered_by
        self.caller_name = caller_name
        self.number_sid = number_sid
        self.price = price  # Restcomm's Price once ended; None means compute from talk time
        self.instance = instance
        self.ring_timeout = ring_timeout
        self.updated: list[float] = []  # redirects and BXML replacements
        self.extra: dict[str, object] = {}  # what the create request asked for

    def phase(self, now: float) -> str:
        if now >= self.end:
            return ENDED
        if self.start is None or now < self.start:
            return QUEUED
        if self.answer is not None and now >= self.answer:
            return TALKING
        return RINGING

    def talk_seconds(self) -> int:
        """Whole seconds from answer to end (0 if never answered)."""
        if self.answer is None:
            return 0
        return max(0, math.floor(self.end - self.answer))

    def ring_seconds(self) -> int:
        if self.start is None:
            return 0
        until = self.answer if self.answer is not None else self.end
        return max(0, round(until - self.start))

    def last_change(self, now: float) -> float:
        """The latest moment, up to ``now``, at which something happened to the call."""
        moments = [self.created]
        for moment in (self.start, self.answer, self.end):
            if moment is not None and moment <= now:
                moments.append(moment)
        moments.extend(moment for moment in self.updated if moment <= now)
        return max(moments)


def plan_for(
    to: str, *, created: float, ring_timeout: float
) -> tuple[float | None, float | None, float, str]:
    """(start, answer, end, outcome) for a call placed now to ``to``, from the test numbers.

    Any destination that is not a test number answers and talks 30 s, like ``...0001``.
    """
    digits = _DIGITS.sub("", to)
    case = digits[-10:] if len(digits) >= 10 and digits[-10:-1] == "555010000" else ""
    start = created + QUEUE_SECONDS
    if case.endswith("2"):
        return start, None, start + 3.0, BUSY
    if case.endswith("3"):
        return start, None, start + ring_timeout, NO_ANSWER
    if case.endswith("4"):
        return start, None, start + 4.0, REJECTED
    if case.endswith("5"):
        return start, None, start + 1.0, FAILED
    if case.endswith("6"):
        return start, None, start + min(10.0, ring_timeout), CANCELED
    answer = start + 5.0
    if answer - start > ring_timeout:
        return start, None, start + ring_timeout, NO_ANSWER
    talk = 3600.0 if case.endswith("7") else 30.0
    return start, answer, answer + talk, ANSWERED
