"""Restcomm ``<Call>`` records (as xmltodict gives them) to neutral ``Call`` objects: the
listing hot path, one plain function per record and no intermediate object.

Choices, where Restcomm does not say directly:

- ``status``: the raw value lower-cased with ``_`` read as ``-`` (real servers mix ``BUSY``,
  ``IN_PROGRESS``, ``NO_ANSWER`` with ``completed``); ``wait-for-answer`` is RINGING and
  ``not-found`` FAILED; anything else is UNKNOWN with the raw value in ``vendor_status``.
- ``direction``: the same folding; ``Client-To-Client`` (one registered client calling another)
  is INBOUND.
- ``created_at`` is ``DateCreated``, ``updated_at`` ``DateUpdated``, ``started_at``
  ``StartTime``, ``ended_at`` ``EndTime``; both date formats (RFC 2822 and ISO 8601, any offset)
  become UTC.
- Answered means the status says the call connected: IN_PROGRESS or COMPLETED. The server sets
  ``StartTime`` when it creates a leg and moves it to the answer time when the far end answers,
  and writes ``Duration`` = end - start when the leg completes. So for a connected call
  ``answered_at`` is ``StartTime`` and ``duration`` is ``Duration`` (talk time; ``EndTime -
  StartTime`` if only that is there); for canceled, busy, no-answer and failed calls both are
  None whatever ``Duration`` says (it is ring time there, or missing).
- A ``completed`` record with neither ``EndTime`` nor ``Duration`` is what a server restart
  leaves of a call that was still queued, ringing or talking (Restcomm issues #2162, #2423):
  the record cannot say whether it was answered, so its status is UNKNOWN (``vendor_status``
  keeps ``completed``) and it counts in no ASR, as answered or as unanswered.
- ``direction``: ``outbound-api`` with a ``ParentCallSid`` is a ``<Dial>`` leg, OUTBOUND_DIAL
  (the server writes ``outbound-api`` on every leg it places).
- ``price`` is ``Price`` as a Decimal with ``PriceUnit`` as ``currency``; no ``disconnect_cause``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from telephony.toolkit import Call, CallStatus, Direction, parse_datetime

__all__ = ["PROVIDER", "call_from_record", "direction_of", "status_of"]

PROVIDER = "restcomm"

_STATUS = {
    "queued": CallStatus.QUEUED,
    "ringing": CallStatus.RINGING,
    "wait-for-answer": CallStatus.RINGING,
    "in-progress": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "canceled": CallStatus.CANCELED,
    "failed": CallStatus.FAILED,
    "not-found": CallStatus.FAILED,
}
_DIRECTION = {
    "inbound": Direction.INBOUND,
    "outbound-api": Direction.OUTBOUND_API,
    "outbound-dial": Direction.OUTBOUND_DIAL,
    "client-to-client": Direction.INBOUND,
}


# Statuses that say the far end answered: only these have an answer time and a talk time.
_CONNECTED = frozenset({CallStatus.IN_PROGRESS, CallStatus.COMPLETED})


def _fold(value: str) -> str:
    return value.strip().lower().replace("_", "-")


# The exact raw spellings seen on the wire resolve with one lookup; others are folded first.
_STATUS_RAW = {raw: status for key, status in _STATUS.items() for raw in (key, key.upper())}
_STATUS_RAW |= {key.upper().replace("-", "_"): status for key, status in _STATUS.items()}
_DIRECTION_RAW = {"Client-To-Client": Direction.INBOUND, **_DIRECTION}


def status_of(raw: str | None) -> CallStatus:
    if raw is None:
        return CallStatus.UNKNOWN
    status = _STATUS_RAW.get(raw)
    if status is None:
        status = _STATUS.get(_fold(raw), CallStatus.UNKNOWN)
    return status


def direction_of(raw: str | None) -> Direction:
    if raw is None:
        return Direction.UNKNOWN
    direction = _DIRECTION_RAW.get(raw)
    if direction is None:
        direction = _DIRECTION.get(_fold(raw), Direction.UNKNOWN)
    return direction


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"expected text, got {type(value).__name__}")


def _moment(value: Any) -> datetime | None:
    if value is None or value == "null":
        return None
    return parse_datetime(_text(value))


def _seconds(value: Any) -> int | None:
    if value is None or value == "null":
        return None
    return int(_text(value))  # type: ignore[arg-type]


def _price(value: Any) -> Decimal | None:
    if value is None or value == "null":
        return None
    try:
        price = Decimal(_text(value))  # type: ignore[arg-type]
    except InvalidOperation:
        raise ValueError(f"Price is not a decimal: {value!r}") from None
    # NaN, Infinity or 1E+999999 would break any sum a report makes of them.
    if not price.is_finite() or not -_PRICE_DIGITS <= price.adjusted() <= _PRICE_DIGITS:
        raise ValueError(f"Price is not an amount: {value!r}")
    return price


_PRICE_DIGITS = 30


def call_from_record(record: Mapping[str, Any]) -> Call:
    """One ``<Call>`` element (a dict from xmltodict) as a ``Call``. Raises KeyError,
    TypeError or ValueError on a record that is not one; callers turn those into
    MalformedResponseError."""
    get = record.get
    sid = record["Sid"]
    if not isinstance(sid, str) or not sid:
        raise ValueError("Sid is empty")
    raw_status = _text(get("Status"))
    status = status_of(raw_status)
    started = _moment(get("StartTime"))
    ended = _moment(get("EndTime"))
    seconds = _seconds(get("Duration"))
    duration = answered = None
    if status in _CONNECTED:
        if status is CallStatus.COMPLETED and seconds is None and ended is None:
            status = CallStatus.UNKNOWN  # rewritten at a server restart: outcome unknown
        else:
            answered = started  # the server moves StartTime to the answer
            if status is CallStatus.COMPLETED:
                if seconds is not None:
                    duration = timedelta(seconds=seconds)
                elif ended is not None and started is not None and ended >= started:
                    duration = ended - started
    parent_id = _text(get("ParentCallSid"))
    direction = direction_of(_text(get("Direction")))
    if direction is Direction.OUTBOUND_API and parent_id:
        direction = Direction.OUTBOUND_DIAL  # a <Dial> leg: the server writes outbound-api
    price = _price(get("Price"))
    return Call(
        provider=PROVIDER,
        id=sid,
        status=status,
        vendor_status=raw_status,
        direction=direction,
        account_id=_text(get("AccountSid")),
        parent_id=parent_id,
        from_=_text(get("From")),
        to=_text(get("To")),
        created_at=_moment(get("DateCreated")),
        started_at=started,
        answered_at=answered,
        ended_at=ended,
        updated_at=_moment(get("DateUpdated")),
        duration=duration,
        price=price,
        currency=_text(get("PriceUnit")),
        answered_by=_text(get("AnsweredBy")),
        raw=record,
    )
