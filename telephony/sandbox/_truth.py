"""What really happened to each call the sandbox holds, whatever its vendor's record shows.

A vendor's record is evidence that an adapter reads; the sandbox keeps the timeline itself,
so tests can check a report built from listings against the facts: was the call answered,
how long did it talk, is it over. Restcomm, for one, writes a ``Duration`` on calls nobody
answered (their ring time): the truth says they were not answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telephony.sandbox._calls import CallRecord
from telephony.sandbox._ledger import Ledger

__all__ = ["CallTruth", "truth_of"]


@dataclass(frozen=True)
class CallTruth:
    """One call as it happened, at the sandbox's ``now``."""

    id: str
    created: datetime
    ended: bool
    """The call is over (it is an attempt, in report terms)."""
    answered: bool
    """The far end answered (at or before now)."""
    talk: timedelta | None
    """Answer to end, for an answered call that is over; None otherwise."""


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def truth_of(
    ledger: Ledger, now: float, *, held: Callable[[CallRecord, float], bool] | None = None
) -> list[CallTruth]:
    """Every call of ``ledger`` (seeded and created) that the vendor still ``held`` (all,
    if not given), in creation order."""
    found = []
    with ledger.lock:
        size = ledger.size()
        records = [ledger.record(position) for position in range(size)]
    for record in records:
        if held is not None and not held(record, now):
            continue
        answer = record.answer
        answered = answer is not None and answer <= now
        ended = now >= record.end
        talk = None
        if answered and ended and answer is not None:
            talk = timedelta(milliseconds=round((record.end - answer) * 1000))
        found.append(
            CallTruth(
                id=record.id,
                created=_moment(record.created),
                ended=ended,
                answered=answered,
                talk=talk,
            )
        )
    return found
