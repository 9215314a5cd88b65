"""One group's call figures: ``Summary`` (ASR, NER, ACD, talk time, counts and cost), counted one
call at a time and merged across sets.

Kept apart from the groupings (``_grouping``) and from ``Report`` (``_report``), which holds one
``Summary`` per group: this is the arithmetic the reports, tables, charts and series all share.
Definitions and their sources are in this package's README.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs

from telephony._errors import ValidationError
from telephony._models import Call, CallStatus, Direction

__all__ = ["Summary", "currency_label"]

_TERMINAL = frozenset(status for status in CallStatus if status.is_terminal)
_IN_PROGRESS = frozenset({CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS})
# Attempts that were not answered but that the network delivered to the far end (E.425).
_EFFECTIVE_UNANSWERED = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.REJECTED})
_ZERO_TIME = timedelta(0)
_ZERO_COST = Decimal(0)


def _talk_time(call: Call) -> timedelta | None:
    """Talk time of an answered call: ``duration``, else answer to end; None if unknown."""
    if call.duration is not None:
        return call.duration
    if call.answered_at is not None and call.ended_at is not None:
        span = call.ended_at - call.answered_at
        return span if span >= _ZERO_TIME else None
    return None


@attrs.define(slots=True, eq=True)
class Summary:
    """Figures over a set of calls, built one call at a time.

    ``add(call)`` counts one more call; ``merge(other)`` gives the summary of both sets (so
    summaries made in parallel, or per provider, can be combined). Memory is bounded by the
    number of distinct statuses, directions, causes and currencies, never by the number of calls.
    Derived figures (``attempts``, ``asr``, ``ner``, ``acd``...) are properties, always current.
    """

    by_status: Counter[CallStatus] = attrs.field(factory=Counter)
    """Calls per status, every call counted (in progress and unknown included)."""
    by_direction: Counter[Direction] = attrs.field(factory=Counter)
    """Calls per direction, every call counted."""
    by_cause: Counter[str] = attrs.field(factory=Counter)
    """Calls per ``disconnect_cause``; calls without a cause are not counted here."""
    cost: dict[str | None, Decimal] = attrs.field(factory=dict)
    """``price`` summed per currency, as the vendor reports it (sign included). Prices without a
    currency are summed under the key None; calls without a price add nothing."""
    answered: int = 0
    """Attempts that were answered: an answer time, or COMPLETED (a vendor without answer
    times)."""
    effective: int = 0
    """Attempts that were answered, busy, not answered or rejected: the NER numerator."""
    talk_time: timedelta = _ZERO_TIME
    """Talk time summed over answered attempts whose talk time is known."""
    timed: int = 0
    """Answered attempts whose talk time is known: the ACD denominator."""

    # -- counting ---------------------------------------------------------------------------

    def add(self, call: Call) -> None:
        """Count one call."""
        status = call.status
        self.by_status[status] += 1
        self.by_direction[call.direction] += 1
        cause = call.disconnect_cause
        if cause is not None:
            self.by_cause[cause] += 1
        price = call.price
        if price is not None:
            if not isinstance(price, Decimal):
                raise ValidationError(
                    f"call {call.id!r} has a {type(price).__name__} price; expected Decimal",
                    field="price",
                )
            currency = call.currency
            self.cost[currency] = self.cost.get(currency, _ZERO_COST) + price
        if status not in _TERMINAL:
            return
        if call.answered_at is not None or status == CallStatus.COMPLETED:
            self.answered += 1
            self.effective += 1
            talk_time = _talk_time(call)
            if talk_time is not None:
                self.talk_time += talk_time
                self.timed += 1
        elif status in _EFFECTIVE_UNANSWERED:
            self.effective += 1

    def update(self, calls: Iterable[Call]) -> None:
        """Count every call of ``calls``, consuming it lazily."""
        add = self.add
        for call in calls:
            add(call)

    def merge(self, other: Summary) -> Summary:
        """A new summary of the calls of both ``self`` and ``other``."""
        cost = dict(self.cost)
        for currency, amount in other.cost.items():
            cost[currency] = cost.get(currency, _ZERO_COST) + amount
        return Summary(
            by_status=self.by_status + other.by_status,
            by_direction=self.by_direction + other.by_direction,
            by_cause=self.by_cause + other.by_cause,
            cost=cost,
            answered=self.answered + other.answered,
            effective=self.effective + other.effective,
            talk_time=self.talk_time + other.talk_time,
            timed=self.timed + other.timed,
        )

    # -- derived figures --------------------------------------------------------------------

    @property
    def calls(self) -> int:
        """Every call counted: attempts + in_progress + unknown."""
        return sum(self.by_status.values())

    @property
    def attempts(self) -> int:
        """Calls in a terminal status (completed, busy, no-answer, rejected, canceled, failed)."""
        return sum(count for status, count in self.by_status.items() if status in _TERMINAL)

    @property
    def in_progress(self) -> int:
        """Calls queued, ringing or in progress: not attempts (yet)."""
        return sum(count for status, count in self.by_status.items() if status in _IN_PROGRESS)

    @property
    def unknown(self) -> int:
        """Calls whose status is UNKNOWN: not attempts."""
        return self.by_status[CallStatus.UNKNOWN]

    @property
    def asr(self) -> float | None:
        """Answer-seizure ratio (ITU-T E.411): answered / attempts; None without attempts."""
        attempts = self.attempts
        return self.answered / attempts if attempts else None

    @property
    def ner(self) -> float | None:
        """Network effectiveness ratio (ITU-T E.425): (answered + busy + no-answer + rejected)
        / attempts; None without attempts."""
        attempts = self.attempts
        return self.effective / attempts if attempts else None

    @property
    def acd(self) -> timedelta | None:
        """Average call duration: mean talk time of answered attempts whose talk time is known;
        None if there are none."""
        return self.talk_time / self.timed if self.timed else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: ratios as floats, times in seconds, amounts as decimal strings."""
        return {
            "calls": self.calls,
            "attempts": self.attempts,
            "answered": self.answered,
            "effective": self.effective,
            "asr": self.asr,
            "ner": self.ner,
            "acd_seconds": None if self.acd is None else self.acd.total_seconds(),
            "talk_time_seconds": self.talk_time.total_seconds(),
            "timed": self.timed,
            "in_progress": self.in_progress,
            "unknown": self.unknown,
            "by_status": {str(key): n for key, n in sorted(self.by_status.items())},
            "by_direction": {str(key): n for key, n in sorted(self.by_direction.items())},
            "by_cause": dict(sorted(self.by_cause.items())),
            "cost": {
                currency_label(currency): str(amount)
                for currency, amount in sorted(self.cost.items(), key=_none_last)
            },
        }


def currency_label(currency: str | None) -> str:
    """How a cost key is written out: the currency, or "unknown" for prices without one (ISO
    4217 codes are three capital letters, so it cannot clash)."""
    return "unknown" if currency is None else currency


def _none_last(item: tuple[Any, Any]) -> tuple[bool, str]:
    return (item[0] is None, str(item[0]))
