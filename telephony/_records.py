"""A call as a plain record and back: the one mapping JSON lines exports, ``Call.to_dict`` /
``Call.from_dict`` and the store share, so a file written by one reads back in the others.

Values are JSON: text or None, times ISO 8601 UTC, ``duration`` in seconds, ``price`` as
decimal text (exact, never a float).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from telephony._errors import ValidationError

if TYPE_CHECKING:
    from telephony._models import Call

__all__ = ["COLUMNS", "call_from_record", "export_record", "iso_utc", "parse_time", "seconds"]

# The export columns, in order. Stable: columns are only ever added at the end.
COLUMNS: tuple[str, ...] = (
    "provider",
    "id",
    "account_id",
    "parent_id",
    "direction",
    "status",
    "vendor_status",
    "disconnect_cause",
    "from",
    "to",
    "created_at",
    "started_at",
    "answered_at",
    "ended_at",
    "updated_at",
    "duration",
    "price",
    "currency",
    "answered_by",
)
_TIMES = ("created_at", "started_at", "answered_at", "ended_at", "updated_at")
_TEXTS = (
    "account_id",
    "parent_id",
    "vendor_status",
    "disconnect_cause",
    "to",
    "currency",
    "answered_by",
)


def iso_utc(moment: datetime | None) -> str | None:
    """``2024-05-01T12:00:00Z`` (``.ffffff`` before the Z when there are microseconds)."""
    if moment is None:
        return None
    if moment.tzinfo is not None and moment.utcoffset():
        moment = moment.astimezone(UTC)
    # A naive time is taken as UTC, as everywhere in this library.
    return moment.replace(tzinfo=None).isoformat() + "Z"


def seconds(span: timedelta | None) -> int | float | None:
    """A duration in seconds: an int when whole, else a float (microsecond precision)."""
    if span is None:
        return None
    whole, micro = divmod(span // timedelta(microseconds=1), 1_000_000)
    return whole if not micro else span.total_seconds()


def export_record(call: Call) -> dict[str, Any]:
    """One call as a dict keyed by ``COLUMNS``, with JSON values."""
    price: Decimal | None = call.price
    return {
        "provider": call.provider,
        "id": call.id,
        "account_id": call.account_id,
        "parent_id": call.parent_id,
        "direction": str(call.direction),
        "status": str(call.status),
        "vendor_status": call.vendor_status,
        "disconnect_cause": call.disconnect_cause,
        "from": call.from_,
        "to": call.to,
        "created_at": iso_utc(call.created_at),
        "started_at": iso_utc(call.started_at),
        "answered_at": iso_utc(call.answered_at),
        "ended_at": iso_utc(call.ended_at),
        "updated_at": iso_utc(call.updated_at),
        "duration": seconds(call.duration),
        "price": None if price is None else str(price),
        "currency": call.currency,
        "answered_by": call.answered_by,
    }


def parse_time(value: object, field: str) -> datetime | None:
    """An ISO 8601 time with an offset (``Z`` included) as an aware UTC datetime."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("must be ISO 8601 text", field=field)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"is not an ISO 8601 time: {value[:64]!r}", field=field) from None
    if moment.utcoffset() is None:
        raise ValidationError("must carry a time zone (e.g. Z)", field=field)
    return moment.astimezone(UTC)


def _text(record: Mapping[str, Any], key: str, field: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(f"must be text, got {type(value).__name__}", field=field)


def _duration(value: object) -> timedelta | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError("must be a number of seconds", field="duration")
    try:
        return timedelta(seconds=value)
    except (OverflowError, ValueError):
        raise ValidationError("is out of range", field="duration") from None


def _price(value: object) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("must be decimal text (exact, never a float)", field="price")
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"is not a decimal: {value[:64]!r}", field="price") from None
    if not price.is_finite():
        raise ValidationError("must be finite", field="price")
    return price


def call_from_record(record: Mapping[str, Any]) -> Call:
    """The ``Call`` a record of ``export_record`` (or ``Call.to_dict``) describes. Keys it does
    not know are ignored (columns added by a later version); ``raw`` is optional."""
    from telephony._models import Call, CallStatus, Direction

    if not isinstance(record, Mapping):
        raise ValidationError("a call record must be a mapping", field="record")
    provider = _text(record, "provider", "provider")
    call_id = _text(record, "id", "id")
    if not provider or not call_id:
        raise ValidationError("is required", field="provider" if not provider else "id")
    status_text = record.get("status")
    if not isinstance(status_text, str) or status_text not in CallStatus._value2member_map_:
        raise ValidationError(f"is not a CallStatus value: {status_text!r}", field="status")
    direction_text = record.get("direction", "unknown")
    if not isinstance(direction_text, str) or direction_text not in Direction._value2member_map_:
        raise ValidationError(f"is not a Direction value: {direction_text!r}", field="direction")
    raw = record.get("raw")
    if raw is not None and not isinstance(raw, Mapping):
        raise ValidationError("must be a mapping", field="raw")
    fields: dict[str, Any] = {key: _text(record, key, key) for key in _TEXTS}
    fields.update((key, parse_time(record.get(key), key)) for key in _TIMES)
    return Call(
        provider=provider,
        id=call_id,
        status=CallStatus(status_text),
        direction=Direction(direction_text),
        from_=_text(record, "from", "from_"),
        duration=_duration(record.get("duration")),
        price=_price(record.get("price")),
        raw={} if raw is None else raw,
        **fields,
    )
