"""How a call is laid out in the store's SQLite table, and read back.

Times are whole microseconds since the Unix epoch (UTC): exact, compact, and ordered by SQL as
numbers, so period bounds and day buckets are index ranges and integer division. ``price`` is
decimal text (exact; sums are made in Python, never by SQL's floating point); ``raw`` is JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from telephony._models import Call, CallStatus, Direction

__all__ = ["COLUMNS", "SCHEMA", "call_from_row", "row_of", "to_micros"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
SCHEMA_VERSION = 1

# The columns of a stored call, in row order; (provider, account, id) is the key.
COLUMNS: tuple[str, ...] = (
    "provider",
    "account",
    "id",
    "status",
    "terminal",
    "vendor_status",
    "direction",
    "account_id",
    "parent_id",
    "from_",
    "to_",
    "disconnect_cause",
    "created_us",
    "started_us",
    "answered_us",
    "ended_us",
    "updated_us",
    "duration_us",
    "price",
    "currency",
    "answered_by",
    "raw",
)
# Everything a call's record says (the key and the bookkeeping excluded): what "changed" means.
DATA_COLUMNS = COLUMNS[3:]

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS calls (
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    terminal INTEGER NOT NULL,
    vendor_status TEXT,
    direction TEXT NOT NULL,
    account_id TEXT,
    parent_id TEXT,
    from_ TEXT,
    to_ TEXT,
    disconnect_cause TEXT,
    created_us INTEGER,
    started_us INTEGER,
    answered_us INTEGER,
    ended_us INTEGER,
    updated_us INTEGER,
    duration_us INTEGER,
    price TEXT,
    currency TEXT,
    answered_by TEXT,
    raw TEXT NOT NULL,
    synced_us INTEGER NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0
);
-- The key. A rowid table, not WITHOUT ROWID: rows carry the vendor record (about 1 KB),
-- which SQLite stores far better outside the key's B-tree.
CREATE UNIQUE INDEX IF NOT EXISTS calls_key ON calls (provider, account, id);
-- Covers what reports read, in creation order: a report over a period scans this index (a
-- tenth of the table's size: no vendor records) instead of the table.
CREATE INDEX IF NOT EXISTS calls_for_reports ON calls (
    created_us, provider, account_id, status, terminal, direction, disconnect_cause, currency,
    answered_us, ended_us, duration_us, price
);
CREATE INDEX IF NOT EXISTS calls_open ON calls (provider, account, terminal, gone);
CREATE TABLE IF NOT EXISTS sync_state (
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    cursor TEXT,
    listing_max_us INTEGER,
    watermark_us INTEGER,
    listings INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (provider, account)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
"""


def to_micros(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # taken as UTC, as everywhere in this library
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // _MICRO


def _time(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + timedelta(microseconds=micros)


def _raw_json(call: Call) -> str:
    return json.dumps(dict(call.raw), separators=(",", ":"), default=str)


def row_of(call: Call, account: str) -> tuple[Any, ...]:
    """The table row of ``call`` (``COLUMNS`` order)."""
    duration = call.duration
    price = call.price
    return (
        call.provider,
        account,
        call.id,
        call.status.value,
        int(call.status.is_terminal),
        call.vendor_status,
        call.direction.value,
        call.account_id,
        call.parent_id,
        call.from_,
        call.to,
        call.disconnect_cause,
        to_micros(call.created_at),
        to_micros(call.started_at),
        to_micros(call.answered_at),
        to_micros(call.ended_at),
        to_micros(call.updated_at),
        None if duration is None else duration // _MICRO,
        None if price is None else str(price),
        call.currency,
        call.answered_by,
        _raw_json(call),
    )


def call_from_row(row: Sequence[Any], *, raw: bool = True) -> Call:
    """The ``Call`` of a row (``COLUMNS`` order); ``raw=False`` skips decoding ``raw``."""
    duration = row[17]
    price = row[18]
    return Call(
        provider=row[0],
        id=row[2],
        status=CallStatus(row[3]),
        vendor_status=row[5],
        direction=Direction(row[6]),
        account_id=row[7],
        parent_id=row[8],
        from_=row[9],
        to=row[10],
        disconnect_cause=row[11],
        created_at=_time(row[12]),
        started_at=_time(row[13]),
        answered_at=_time(row[14]),
        ended_at=_time(row[15]),
        updated_at=_time(row[16]),
        duration=None if duration is None else timedelta(microseconds=duration),
        price=None if price is None else Decimal(price),
        currency=row[19],
        answered_by=row[20],
        raw=json.loads(row[21]) if raw else {},
    )
