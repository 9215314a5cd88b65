"""A typed decode of Bandwidth list pages straight from the answer's bytes (msgspec).

``json.loads`` builds a dict per record and ``call_from_state`` then looks up every field of
it: two passes over Python objects for the fields a ``Call`` needs. msgspec splits the page
into each record's own bytes and decodes those bytes into only the fields ``Call`` needs, in
C, with its type checks. ``raw`` is then a read-only mapping decoded from the record's own bytes
on first access (a copy of them: it does not keep the page alive).

Anything the fast decode does not take exactly as ``call_from_state`` would (a page that is
not an array of objects, a field of another type, a time msgspec does not read as RFC 3339, or
an empty ``callId``) makes ``calls_from_page`` return None, and the caller reads the page the
general way; both ways give equal ``Call``s (tests/bandwidth/test_fast.py checks it
property-based). Times are parsed by msgspec in C; ``parse_iso`` reads every stamp msgspec
accepts to the same instant (lower-case ``z``, digits past the microsecond rounded half up),
and stamps with an offset or none are brought to UTC here as ``parse_iso`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from telephony.adapters.bandwidth._normalize import PROVIDER, direction_of, status_of
from telephony.toolkit import Call

__all__ = ["RawRecord", "calls_from_page"]


class _State(
    msgspec.Struct,
    rename={
        "call_id": "callId",
        "account_id": "accountId",
        "parent_id": "parentCallId",
        "cause": "disconnectCause",
        "from_": "from",
        "answer": "answerTime",
        "end": "endTime",
        "start": "startTime",
        "enqueued": "enqueuedTime",
        "updated": "lastUpdate",
    },
):
    call_id: str
    account_id: str | None = None
    parent_id: str | None = None
    state: str | None = None
    cause: str | None = None
    from_: str | None = None
    to: str | None = None
    direction: str | None = None
    answer: datetime | None = None
    end: datetime | None = None
    start: datetime | None = None
    enqueued: datetime | None = None
    updated: datetime | None = None


class RawRecord(Mapping[str, Any]):
    """One record as received, read-only, decoded from its own bytes when first read."""

    __slots__ = ("_data", "_source")

    def __init__(self, source: bytes) -> None:
        self._source = source
        self._data: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        data = self._data
        if data is None:
            data = self._data = json.loads(self._source)
        return data

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())

    def __reduce__(self) -> tuple[Any, ...]:
        return (RawRecord, (self._source,))


_records = msgspec.json.Decoder(list[msgspec.Raw])
_states = msgspec.json.Decoder(list[_State])
_new = object.__new__
_UNREADABLE = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


def _utc(moment: datetime) -> datetime:
    """A stamp with an offset (or none: taken as UTC) as ``parse_iso`` gives it."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def calls_from_page(content: bytes) -> list[Call] | None:
    """The page's calls, or None when the general path must read it."""
    try:
        # Two C passes over the page: the typed fields, and each record's own bytes for raw.
        states = _states.decode(content)
        pieces = _records.decode(content)
    except _UNREADABLE:
        return None
    calls: list[Call] = []
    append = calls.append
    utc = UTC
    try:
        for piece, state in zip(pieces, states, strict=True):
            call_id = state.call_id
            if not call_id:
                return None
            # msgspec gives the UTC singleton for "Z" and "+00:00": anything else is rare.
            answered = state.answer
            if answered is not None and answered.tzinfo is not utc:
                answered = _utc(answered)
            ended = state.end
            if ended is not None and ended.tzinfo is not utc:
                ended = _utc(ended)
            started = state.start
            if started is not None and started.tzinfo is not utc:
                started = _utc(started)
            enqueued = state.enqueued
            if enqueued is not None and enqueued.tzinfo is not utc:
                enqueued = _utc(enqueued)
            updated = state.updated
            if updated is not None and updated.tzinfo is not utc:
                updated = _utc(updated)
            parent = state.parent_id
            vendor_status = state.state
            cause = state.cause
            call = _new(Call)
            call.__dict__.update(
                provider=PROVIDER,
                id=call_id,
                status=status_of(vendor_status, cause, answered is not None),
                vendor_status=vendor_status,
                direction=direction_of(state.direction, parent),
                account_id=state.account_id,
                parent_id=parent,
                from_=state.from_,
                to=state.to,
                disconnect_cause=cause,
                created_at=enqueued or started,
                started_at=started,
                answered_at=answered,
                ended_at=ended,
                updated_at=updated,
                duration=ended - answered if answered is not None and ended is not None else None,
                price=None,
                currency=None,
                answered_by=None,
                raw=RawRecord(bytes(piece)),  # a copy: the page is not kept
            )
            append(call)
    except (*_UNREADABLE, ArithmeticError, LookupError, TypeError, ValueError):
        return None  # an out-of-range time, say: the general path names the fault
    return calls
