"""An account's seeded history: call ``i`` of ``count`` is computed from (seed, i) alone.

Nothing is stored, so a million calls cost no memory. Calls are spread evenly over
``span`` seconds and have all ended by ``end`` (the sandbox's start), each with a small
jitter that keeps creation and start times increasing with the index: a time filter becomes
a binary search.

What differs between vendors (whose numbers, how failures end, what extra facts a record
carries) comes from the ``HistoryStyle`` the account's side gives: the generator itself names
no vendor.

Parent/child legs: call ``i`` may be a leg dialed or transferred from call ``i - lag``,
where ``lag`` covers 40 s so the parent is answered when the leg starts; the parent's end is
pushed past the leg's. Both are decided from the two calls' own hashes.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from math import floor as _floor
from typing import Protocol

from telephony.sandbox._calls import (
    ANSWERED,
    BUSY,
    CANCELED,
    CLIENT,
    DIAL,
    FAILED,
    INBOUND,
    NO_ANSWER,
    OUTBOUND,
    REJECTED,
    CallRecord,
)
from telephony.sandbox._mix import MASK, mix64

__all__ = ["History", "HistoryStyle"]

_AREAS = (
    201, 212, 213, 267, 305, 312, 347, 404, 415, 469, 503, 512, 617, 646, 702,
    713, 720, 786, 804, 818, 858, 901, 916, 919, 929, 954, 971, 972, 980, 984,
)  # fmt: skip
_CLIENTS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
_CALLER_NAMES = ("", "", "Unknown", "WIRELESS CALLER", "SMITH JOHN", "ACME CORP")

_OUTCOMES = tuple(
    ANSWERED if r < 64
    else BUSY if r < 72
    else NO_ANSWER if r < 84
    else REJECTED if r < 88
    else FAILED if r < 94
    else CANCELED
    for r in range(100)
)  # fmt: skip
_CUSTOMERS = 3000  # distinct customer numbers per account
_CHILD_BELOW = 12  # kind roll < 12: a dial/transfer leg candidate
_INBOUND_BELOW = 52  # < 52: inbound
_CLIENT_BELOW = 55  # < 55: client-to-client where the style has clients (else outbound)


class HistoryStyle(Protocol):
    """What a vendor's seeded history looks like; its side gives one to ``History``."""

    name: str
    """Salts the hashes, so each account has its own history."""
    numbers_slot: int
    """Which block of area codes the account's own numbers come from."""
    inbound_starts_on_arrival: bool
    """An inbound call starts when it arrives (else after a short setup, like outbound)."""
    client_calls: bool
    """Registered clients call each other (Client-To-Client) on this vendor."""

    def customer_text(self, number: str, n: int) -> str:
        """How customer ``n``'s number ``number`` (E.164) shows in this vendor's records."""
        ...

    def sip_callee(self, g: int) -> str | None:
        """A SIP URI an outbound call goes to instead of a number, or None."""
        ...

    def failure_answered(self, g: int) -> bool:
        """Whether a failed call with detail hash ``g`` was answered before it failed."""
        ...

    def cause(self, direction: str, outcome: str, g: int) -> str:
        """The vendor's cause (or leaked status) for an ended call, "" if none."""
        ...

    def add_facts(self, record: CallRecord, history: History, h: int, g: int) -> None:
        """Fill the vendor-only facts of ``record`` (errors, prices, caller names...)."""
        ...


class History:
    LAG_SECONDS = 40.0

    def __init__(
        self,
        *,
        style: HistoryStyle,
        count: int,
        seed: int,
        end: float,
        span: float,
        id_of: Callable[[int], str],
        ring_timeout: float,
    ) -> None:
        if count < 0:
            raise ValueError("seed_calls must be zero or more")
        self.style = style
        self.count = count
        self.span = span
        self.step = span / count if count else span
        self.key = mix64((seed & MASK) ^ zlib.crc32(style.name.encode()) << 32)
        # Sparse history (calls a minute or more apart): a leg follows its parent directly
        # and starts just after the parent's answer. Dense history: the leg keeps its own slot,
        # ``lag`` slots (about 40 s) after its parent, so the parent is surely answered.
        self.sparse = self.step >= 60.0
        self.lag = 1 if self.sparse else 1 + math.ceil(self.LAG_SECONDS / self.step)
        # The longest a seeded call can last from creation to end (a parent held for its leg).
        self.max_duration = 2000.0 if self.sparse else (self.lag + 2) * self.step + 2000.0
        # Every seeded call has ended by ``end``: the history is all in the past.
        self.t0 = end - self.max_duration - span
        self.id_of = id_of
        self.ring_timeout = ring_timeout
        slot = style.numbers_slot
        self.numbers = tuple(f"+1{_AREAS[slot * 7 + k]}555{2000 + k:04d}" for k in range(12))
        self._customers = tuple(
            style.customer_text(f"+1{_AREAS[n % 30]}555{(n // 30) % 10000:04d}", n)
            for n in range(_CUSTOMERS)
        )

    # -- hashes and base facts (no parent/child logic) ---------------------------------------
    # h = hash(i, 0) decides timing, kind and outcome; g = hash(i, 1) numbers and details.

    def _h(self, i: int, k: int = 0) -> int:
        return mix64(self.key ^ ((i << 3) | k))

    def _created(self, i: int, h: int) -> float:
        if self.sparse and (h >> 16) % 100 < _CHILD_BELOW and i >= 1:
            hp = mix64(self.key ^ ((i - 1) << 3))
            if self._parent_kind(hp):
                # Dialed 2-19 s after the parent (answered after its ring) was answered.
                gp = mix64(self.key ^ (((i - 1) << 3) | 1))
                answered = self._start(i - 1, hp) + 2 + (gp & 0xFF) % 22
                return answered + 2 + (h >> 48) % 18
        return _floor((self.t0 + (i + (h & 0xFFFF) * (0.5 / 65536.0)) * self.step) * 1000) / 1000

    def _start(self, i: int, h: int, created: float | None = None) -> float:
        if created is None:
            created = self._created(i, h)
        inbound = _CHILD_BELOW <= (h >> 16) % 100 < _INBOUND_BELOW
        if inbound and self.style.inbound_starts_on_arrival:
            return created
        delay = min(0.45 * self.step, 0.05 + ((h >> 40) & 0xFF) * (0.6 / 255.0))
        return _floor((created + delay) * 1000) / 1000

    def created(self, i: int) -> float:
        return self._created(i, self._h(i))

    def start_of(self, i: int) -> float:
        return self._start(i, self._h(i))

    def _first(self, key: Callable[[int], float], moment: float, *, inclusive: bool) -> int:
        # Compared in whole milliseconds, so a bound read from a listing matches exactly.
        bound = round(moment * 1000)
        lo, hi = 0, self.count
        while lo < hi:
            mid = (lo + hi) // 2
            value = round(key(mid) * 1000)
            if value < bound or (not inclusive and value == bound):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def first_start_at_or_after(self, moment: float) -> int:
        """The smallest index whose start is at or after ``moment`` (``count`` if none)."""
        return self._first(self.start_of, moment, inclusive=True)

    def first_start_after(self, moment: float) -> int:
        return self._first(self.start_of, moment, inclusive=False)

    def first_created_at_or_after(self, moment: float) -> int:
        return self._first(self.created, moment, inclusive=True)

    def first_created_after(self, moment: float) -> int:
        return self._first(self.created, moment, inclusive=False)

    @staticmethod
    def _parent_kind(h: int) -> bool:
        """Whether a call with hash ``h`` can have a leg: answered, inbound or outbound."""
        kind = (h >> 16) % 100
        return (h >> 24) % 100 < 64 and (
            _CHILD_BELOW <= kind < _INBOUND_BELOW or kind >= _CLIENT_BELOW
        )

    def _timeline(self, i: int, h: int, g: int) -> tuple[float, float, float | None, float, str]:
        """(created, start, answer, end, outcome) from the call's own hash."""
        created = self._created(i, h)
        start = self._start(i, h, created)
        outcome = _OUTCOMES[(h >> 24) % 100]
        ring = 2 + (g & 0xFF) % 22
        answer: float | None = None
        if outcome == ANSWERED:
            answer = start + ring
            talk = 4 + int(((g >> 8) & 0xFFF) ** 2 * (1200 / 4095**2))
            end = answer + talk
        elif outcome == BUSY:
            end = start + 1 + ring % 5
        elif outcome == NO_ANSWER:
            end = start + self.ring_timeout
        elif outcome == REJECTED:
            end = start + 2 + ring % 8
        elif outcome == CANCELED:
            end = start + ring + 3
        elif self.style.failure_answered(g):
            answer = start + ring
            end = answer + 1 + (g >> 8) % 5
        else:
            end = start + 1 + (g >> 8) % 3
        return created, start, answer, end, outcome

    # -- the record ----------------------------------------------------------------------------

    def _parties(self, kind: int, g: int) -> tuple[str, str, str]:
        """(direction, from, to) of a call that is not a leg."""
        customer = self._customers[(g >> 32) % _CUSTOMERS]
        ours = self.numbers[(g >> 44) % len(self.numbers)]
        if kind < _INBOUND_BELOW:
            return INBOUND, customer, ours
        if kind < _CLIENT_BELOW and self.style.client_calls:
            a = (g >> 48) % len(_CLIENTS)
            b = (a + 1 + (g >> 52) % (len(_CLIENTS) - 1)) % len(_CLIENTS)
            return CLIENT, _CLIENTS[a], _CLIENTS[b]
        sip = self.style.sip_callee(g)
        if sip is not None:
            return OUTBOUND, ours, sip
        return OUTBOUND, ours, customer

    def _who(self, i: int, h: int, g: int) -> tuple[str, str, str, int]:
        """(direction, from, to, parent index or -1) of call ``i``."""
        kind = (h >> 16) % 100
        if kind >= _CHILD_BELOW:
            direction, from_, to = self._parties(kind, g)
            return direction, from_, to, -1
        p = i - self.lag
        key = self.key
        hp = mix64(key ^ (p << 3)) if p >= 0 else 0
        if p < 0 or not self._parent_kind(hp):
            # A leg candidate without a parent to hang on is a plain outbound call.
            direction, from_, to = self._parties(99, g)
            return direction, from_, to, -1
        parent_direction, parent_from, parent_to = self._parties(
            (hp >> 16) % 100, mix64(key ^ ((p << 3) | 1))
        )
        from_ = parent_to if parent_direction == INBOUND else parent_from
        return DIAL, from_, self._customers[(g >> 32) % _CUSTOMERS], p

    def brief(self, i: int) -> tuple[str, str, str, str, str]:
        """(direction, from, to, outcome, cause) of call ``i``, a few times cheaper than
        ``record``: what listing filters look at first."""
        key = self.key
        h = mix64(key ^ (i << 3))
        g = mix64(key ^ ((i << 3) | 1))
        direction, from_, to, _ = self._who(i, h, g)
        outcome = _OUTCOMES[(h >> 24) % 100]
        return direction, from_, to, outcome, self.style.cause(direction, outcome, g)

    def record(self, i: int) -> CallRecord:
        key = self.key
        h = mix64(key ^ (i << 3))
        g = mix64(key ^ ((i << 3) | 1))
        created, start, answer, end, outcome = self._timeline(i, h, g)
        direction, from_, to, parent = self._who(i, h, g)
        if parent < 0:
            j = i + self.lag
            if j < self.count and self._parent_kind(h):
                hj = mix64(key ^ (j << 3))
                if (hj >> 16) % 100 < _CHILD_BELOW:
                    child_end = self._timeline(j, hj, mix64(key ^ ((j << 3) | 1)))[3]
                    held = child_end + 1 + (g >> 60)
                    if held > end and answer is not None:
                        # Talk times stay whole seconds, as every vendor can write them.
                        end = answer + math.ceil(held - answer)
        record = CallRecord(
            seq=i,
            id=self.id_of(i),
            direction=direction,
            from_=from_,
            to=to,
            created=created,
            start=start,
            answer=answer,
            end=end,
            outcome=outcome,
            cause=self.style.cause(direction, outcome, g),
            parent_id=self.id_of(parent) if parent >= 0 else None,
            ring_timeout=self.ring_timeout,
        )
        self.style.add_facts(record, self, h, g)
        return record
