"""Normalized calls out to CSV and JSON lines, with one documented, stable column set."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from telephony._models import Call

__all__ = ["COLUMNS", "export_record", "write_csv", "write_jsonl"]

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


class TextSink(Protocol):
    def write(self, text: str, /) -> Any: ...


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
    """One call as a dict keyed by ``COLUMNS``, with JSON values: text or None, times ISO 8601
    UTC, ``duration`` in seconds (number), ``price`` as decimal text (exact, never a float)."""
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


def write_csv(calls: Iterable[Call], file: TextSink, *, header: bool = True) -> int:
    """Write ``calls`` as CSV rows with the ``COLUMNS`` header (``header=False`` to append to an
    earlier export). Empty cells are None. Open ``file`` with ``newline=""``. Streams: one row
    in memory at a time. Returns the number of calls written (the header not counted)."""
    writer = csv.writer(file)
    if header:
        writer.writerow(COLUMNS)
    count = 0
    for call in calls:
        writer.writerow(["" if value is None else value for value in export_record(call).values()])
        count += 1
    return count


def write_jsonl(calls: Iterable[Call], file: TextSink) -> int:
    """Write ``calls`` as JSON lines, one object per call keyed by ``COLUMNS`` (None as null).
    Streams: one line in memory at a time. Returns the number of calls written."""
    encode = json.JSONEncoder(separators=(",", ":")).encode
    count = 0
    for call in calls:
        file.write(encode(export_record(call)) + "\n")
        count += 1
    return count
