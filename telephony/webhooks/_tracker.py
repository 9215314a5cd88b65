"""Folding callback events into each call's latest state.

Vendors send each event as its own request: they can arrive twice (Restcomm has sent
``completed`` twice) and out of order (Bandwidth documents no order). So the tracker is
idempotent (a repeated event changes nothing and is reported as a repeat) and monotonic (a
call only moves forward: queued, ringing, in progress, then over; a late non-terminal event
never reopens an ended call, though the facts it carries, such as an answer time, are kept).

An event can end a call without saying how (Restcomm's progress ``completed``): the state is
then terminal with ``status`` None until settled from the call record, which the tracker reads
through a client when it was given one (at once, or later with ``settle``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

import attrs

from telephony._callbacks import CallEvent
from telephony._errors import TelephonyError
from telephony._models import Call, CallStatus, Direction

__all__ = ["CallReader", "CallState", "CallTracker"]

# How far along a live call is; anything terminal is past all of them.
_RANK = {CallStatus.QUEUED: 0, CallStatus.RINGING: 1, CallStatus.IN_PROGRESS: 2}


class CallReader(Protocol):
    """What settling needs: a client's ``get_call`` (``telephony.Client`` is one)."""

    def get_call(self, call_id: str, /) -> Call: ...


@attrs.frozen(kw_only=True)
class CallState:
    """A call as its events have told it so far.

    ``status`` is None when no event proved one (only terminal events whose outcome is
    unknown, or events that carry no status); ``settled`` is False while the call is over
    but its outcome unknown. ``events`` counts the distinct events folded in.
    """

    provider: str
    call_id: str
    status: CallStatus | None = None
    is_terminal: bool = False
    parent_id: str | None = None
    account_id: str | None = None
    direction: Direction = Direction.UNKNOWN
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    answered_by: str | None = None
    disconnect_cause: str | None = None
    last_event: str | None = None
    events: int = 0

    @property
    def settled(self) -> bool:
        return not self.is_terminal or self.status is not None


def _event_key(event: CallEvent) -> str:
    # The parameters as received identify a delivery: a repeat carries the same ones.
    return json.dumps(dict(event.raw), sort_keys=True, default=str)


def _fold(state: CallState, event: CallEvent) -> CallState:
    # Facts only ever fill in: whatever the order, the first value seen stays.
    known = attrs.evolve(
        state,
        parent_id=state.parent_id or event.parent_id,
        account_id=state.account_id or event.account_id,
        direction=event.direction if state.direction is Direction.UNKNOWN else state.direction,
        answered_at=state.answered_at or event.answered_at,
        answered_by=state.answered_by or event.answered_by,
        events=state.events + 1,
    )
    if state.is_terminal:
        if not event.is_terminal:
            return known  # a late live event never reopens an ended call
        ended = state.ended_at or event.ended_at
        if state.status is None and event.status is not None:
            # An event that tells the outcome after one that did not.
            return attrs.evolve(
                known, status=event.status, ended_at=ended, disconnect_cause=event.disconnect_cause
            )
        return attrs.evolve(known, ended_at=ended)
    if event.is_terminal:
        return attrs.evolve(
            known,
            status=event.status,
            is_terminal=True,
            ended_at=event.ended_at,
            disconnect_cause=event.disconnect_cause,
            last_event=event.event,
        )
    if event.status is None:
        return known
    if state.status is None or _RANK.get(event.status, -1) >= _RANK.get(state.status, -1):
        return attrs.evolve(known, status=event.status, last_event=event.event)
    return known  # an older live event arriving late


class CallTracker:
    """Each call's latest state from its callback events.

    ``feed(event)`` folds one event in and returns the call's new state, or None when the
    event was a repeat. With ``client=`` (anything with ``get_call``, e.g. a
    ``telephony.Client``), a call that ends without its outcome is settled by reading its
    record; a read that fails leaves it unsettled for a later ``settle``. Safe to feed from
    several threads (a threaded WSGI server).
    """

    def __init__(self, *, client: CallReader | None = None) -> None:
        self._client = client
        self._states: dict[tuple[str, str], CallState] = {}
        self._seen: dict[tuple[str, str], set[str]] = {}
        self._lock = threading.Lock()

    def feed(self, event: CallEvent) -> CallState | None:
        key = (event.provider, event.call_id)
        with self._lock:
            seen = self._seen.setdefault(key, set())
            fingerprint = _event_key(event)
            if fingerprint in seen:
                return None
            seen.add(fingerprint)
            state = self._states.get(key) or CallState(
                provider=event.provider, call_id=event.call_id
            )
            state = self._states[key] = _fold(state, event)
        if not state.settled and self._client is not None:
            state = self.settle(event.call_id, provider=event.provider) or state
        return state

    def settle(self, call_id: str, *, provider: str | None = None) -> CallState | None:
        """Read the call's record (through the tracker's client) to learn what its events did
        not say: the outcome of a call that ended silently, or that a call ended at all (a
        Restcomm leg that rings out sends no ``completed``). The state afterwards, unchanged
        when the record does not show the call over, or cannot be read. Do not call it for
        every live call at once: a near-real-time API (Bandwidth's) can lag the events."""
        state = self.get(call_id, provider=provider)
        if state is None or (state.is_terminal and state.settled) or self._client is None:
            return state
        try:
            call = self._client.get_call(call_id)
        except TelephonyError:
            return state
        if not call.status.is_terminal:
            return state  # the record lags the event: try again later
        with self._lock:
            key = (state.provider, state.call_id)
            current = self._states[key]
            if current.is_terminal and current.settled:
                return current
            settled = attrs.evolve(
                current,
                status=call.status,
                is_terminal=True,
                answered_at=current.answered_at or call.answered_at,
                ended_at=current.ended_at or call.ended_at,
                disconnect_cause=current.disconnect_cause or call.disconnect_cause,
            )
            self._states[key] = settled
            return settled

    def get(self, call_id: str, *, provider: str | None = None) -> CallState | None:
        with self._lock:
            if provider is not None:
                return self._states.get((provider, call_id))
            for (_, known), state in self._states.items():
                if known == call_id:
                    return state
        return None

    def unsettled(self) -> list[CallState]:
        """Calls known to be over whose outcome is not known yet."""
        with self._lock:
            return [state for state in self._states.values() if not state.settled]

    def forget(self, call_id: str, *, provider: str | None = None) -> None:
        """Drop a call (and the record of its events) once it no longer matters."""
        with self._lock:
            for key in [k for k in self._states if k[1] == call_id and provider in (None, k[0])]:
                self._states.pop(key, None)
                self._seen.pop(key, None)

    def __iter__(self) -> Iterator[CallState]:
        with self._lock:
            return iter(list(self._states.values()))

    def __len__(self) -> int:
        return len(self._states)
