"""Bandwidth ``callState`` records to neutral ``Call`` objects (the listing hot path)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telephony.toolkit import Call, CallStatus, Direction, parse_iso

__all__ = ["PROVIDER", "call_from_state", "direction_of", "status_of"]

PROVIDER = "bandwidth"

_LIVE = {
    "queued": CallStatus.QUEUED,
    "initiated": CallStatus.RINGING,
    "answered": CallStatus.IN_PROGRESS,
}
_BY_CAUSE = {
    "busy": CallStatus.BUSY,
    "timeout": CallStatus.NO_ANSWER,
    "cancel": CallStatus.CANCELED,
    "rejected": CallStatus.REJECTED,
    "callback-error": CallStatus.FAILED,
    "invalid-bxml": CallStatus.FAILED,
    "application-error": CallStatus.FAILED,
    "account-limit": CallStatus.FAILED,
    "node-capacity-exceeded": CallStatus.FAILED,
    "error": CallStatus.FAILED,
    "unknown": CallStatus.FAILED,
}
# Which disconnectCause the server can filter on for a neutral status (when only one fits).
CAUSE_FOR_STATUS = {
    CallStatus.BUSY: "busy",
    CallStatus.NO_ANSWER: "timeout",
    CallStatus.REJECTED: "rejected",
}


def status_of(state: str | None, cause: str | None, answered: bool) -> CallStatus:
    live = _LIVE.get(state)  # type: ignore[arg-type]
    if live is not None:
        return live
    if state != "disconnected":
        return CallStatus.UNKNOWN  # a state added after this was written
    if cause == "hangup":
        return CallStatus.COMPLETED if answered else CallStatus.CANCELED
    status = _BY_CAUSE.get(cause)  # type: ignore[arg-type]
    if status is not None:
        return status
    # An undocumented cause: the call did end; whether it was answered says how.
    return CallStatus.COMPLETED if answered else CallStatus.FAILED


def direction_of(direction: str | None, parent_id: str | None) -> Direction:
    if direction == "outbound":
        return Direction.OUTBOUND_DIAL if parent_id else Direction.OUTBOUND_API
    if direction == "inbound":
        return Direction.INBOUND
    return Direction.UNKNOWN


def call_from_state(record: Mapping[str, Any]) -> Call:
    """One ``callState`` JSON object as a ``Call``. Raises KeyError/ValueError/TypeError on a
    record that is not one; callers turn those into MalformedResponseError."""
    get = record.get
    # Absent times are common (queued, unanswered): skip the parser call for them.
    answered = _iso(value) if (value := get("answerTime")) else None
    ended = _iso(value) if (value := get("endTime")) else None
    started = _iso(value) if (value := get("startTime")) else None
    enqueued = _iso(value) if (value := get("enqueuedTime")) else None
    updated = _iso(value) if (value := get("lastUpdate")) else None
    parent = get("parentCallId")
    state = get("state")
    cause = get("disconnectCause")
    call_id = record["callId"]
    if type(call_id) is not str or not call_id:
        raise TypeError(f"callId is not an id: {call_id!r}")
    account, from_, to, direction = get("accountId"), get("from"), get("to"), get("direction")
    # Text or null, nothing else reaches a Call (one set, cheaper than seven checks).
    if (
        not {
            type(parent),
            type(state),
            type(cause),
            type(account),
            type(from_),
            type(to),
            type(direction),
        }
        <= _TEXT
    ):
        raise TypeError("a text field holds something else than text or null")
    return Call(
        provider=PROVIDER,
        id=call_id,
        status=status_of(state, cause, answered is not None),
        vendor_status=state,
        direction=direction_of(direction, parent),
        account_id=account,
        parent_id=parent,
        from_=from_,
        to=to,
        disconnect_cause=cause,
        created_at=enqueued or started,
        started_at=started,
        answered_at=answered,
        ended_at=ended,
        updated_at=updated,
        duration=ended - answered if answered is not None and ended is not None else None,
        raw=record,
    )


_iso = parse_iso
_TEXT = frozenset({str, type(None)})
