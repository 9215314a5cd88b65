"""Calls as Arrow tables and Parquet files with real types, for pandas, polars, DuckDB, Spark.

Times are ``timestamp[us, tz=UTC]``, ``duration`` is ``duration[us]``, ``price`` is
``decimal128(38, 12)`` (exact; a price with more than 12 decimal places is refused, never
rounded), status and direction are their ``CallStatus`` / ``Direction`` values. Parquet
datasets are partitioned Hive-style by ``provider`` and ``day`` (the UTC date of
``created_at``), the layout every engine reads and prunes by. Everything streams in record
batches: memory is bounded by ``batch_size``, not by the number of calls.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from telephony._errors import ValidationError
from telephony._models import Call, CallStatus, Direction

__all__ = [
    "PARTITIONING",
    "SCHEMA",
    "calls_from_table",
    "read_parquet",
    "record_batches",
    "to_table",
    "write_parquet",
]

_TIME = pa.timestamp("us", tz="UTC")
_PRICE = pa.decimal128(38, 12)
_QUANTUM = Decimal(1).scaleb(-12)
_TEXT_FIELDS = ("account_id", "parent_id", "vendor_status", "disconnect_cause")
SCHEMA = pa.schema(
    [
        pa.field("provider", pa.string(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("account_id", pa.string()),
        pa.field("parent_id", pa.string()),
        pa.field("direction", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("vendor_status", pa.string()),
        pa.field("disconnect_cause", pa.string()),
        pa.field("from", pa.string()),
        pa.field("to", pa.string()),
        pa.field("created_at", _TIME),
        pa.field("started_at", _TIME),
        pa.field("answered_at", _TIME),
        pa.field("ended_at", _TIME),
        pa.field("updated_at", _TIME),
        pa.field("duration", pa.duration("us")),
        pa.field("price", _PRICE),
        pa.field("currency", pa.string()),
        pa.field("answered_by", pa.string()),
        pa.field("raw", pa.string()),  # the vendor record as JSON text (null unless asked for)
        pa.field("day", pa.date32()),  # UTC date of created_at: a partition key
    ]
)
PARTITIONING = ds.partitioning(
    pa.schema([("provider", pa.string()), ("day", pa.date32())]), flavor="hive"
)
_DEFAULT_BATCH = 10_000


def _price(call: Call) -> Decimal | None:
    price = call.price
    if price is None:
        return None
    try:
        exact = price.quantize(_QUANTUM)
    except InvalidOperation:
        exact = None
    if exact is None or exact != price:
        raise ValidationError(
            f"call {call.id!r}: price {price} does not fit decimal(38, 12) exactly", field="price"
        )
    return exact


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:  # naive is UTC, as everywhere in this library
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _batch(calls: list[Call], raw: bool) -> pa.RecordBatch:
    created = [_utc(call.created_at) for call in calls]
    columns: dict[str, list[Any]] = {
        "provider": [call.provider for call in calls],
        "id": [call.id for call in calls],
        **{name: [getattr(call, name) for call in calls] for name in _TEXT_FIELDS},
        "direction": [call.direction.value for call in calls],
        "status": [call.status.value for call in calls],
        "from": [call.from_ for call in calls],
        "to": [call.to for call in calls],
        "created_at": created,
        "started_at": [_utc(call.started_at) for call in calls],
        "answered_at": [_utc(call.answered_at) for call in calls],
        "ended_at": [_utc(call.ended_at) for call in calls],
        "updated_at": [_utc(call.updated_at) for call in calls],
        "duration": [call.duration for call in calls],
        "price": [_price(call) for call in calls],
        "currency": [call.currency for call in calls],
        "answered_by": [call.answered_by for call in calls],
        "raw": [
            json.dumps(dict(call.raw), separators=(",", ":"), default=str) if raw else None
            for call in calls
        ],
        "day": [None if moment is None else moment.date() for moment in created],
    }
    # Ordered as SCHEMA declares, so the batch matches it exactly.
    return pa.record_batch([columns[field.name] for field in SCHEMA], schema=SCHEMA)


def record_batches(
    calls: Iterable[Call], *, batch_size: int = _DEFAULT_BATCH, raw: bool = False
) -> Iterator[pa.RecordBatch]:
    """``calls`` as Arrow record batches of ``SCHEMA``, ``batch_size`` calls at a time.
    ``raw=True`` keeps each vendor record as JSON text in the ``raw`` column."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValidationError("must be a whole number of 1 or more", field="batch_size")
    stream = iter(calls)
    while chunk := list(islice(stream, batch_size)):
        yield _batch(chunk, raw)


def to_table(calls: Iterable[Call], *, raw: bool = False) -> pa.Table:
    """All of ``calls`` as one Arrow table (``table.to_pandas()``, ``polars.from_arrow(table)``,
    ``duckdb.sql("SELECT ... FROM table")``)."""
    return pa.Table.from_batches(list(record_batches(calls, raw=raw)), schema=SCHEMA)


def write_parquet(
    calls: Iterable[Call],
    root: str | os.PathLike[str],
    *,
    raw: bool = False,
    batch_size: int = _DEFAULT_BATCH,
    basename: str | None = None,
    replace: bool = False,
) -> int:
    """Write ``calls`` under ``root`` as Parquet, one folder per provider and day
    (``root/provider=bandwidth/day=2024-05-01/part-....parquet``); returns how many calls.

    Files are added beside what ``root`` already holds; a file of the same name is replaced
    (``basename``, default a fresh unique name, makes a rewrite of the same part idempotent).
    ``replace=True`` first empties every provider/day folder it writes to (a full rewrite).
    """
    count = 0

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal count
        for batch in record_batches(calls, batch_size=batch_size, raw=raw):
            count += batch.num_rows
            yield batch

    name = basename or f"part-{uuid.uuid4().hex}"
    ds.write_dataset(
        counted(),
        os.fspath(root),
        schema=SCHEMA,
        format="parquet",
        partitioning=PARTITIONING,
        basename_template=f"{name}-{{i}}.parquet",
        existing_data_behavior="delete_matching" if replace else "overwrite_or_ignore",
        max_rows_per_group=max(batch_size, 1024),
    )
    return count


def read_parquet(root: str | os.PathLike[str]) -> ds.Dataset:
    """The dataset ``write_parquet`` wrote (partition columns typed): ``.to_table()``,
    ``.to_batches()``, or filter by provider/day without reading other folders."""
    return ds.dataset(os.fspath(root), format="parquet", partitioning=PARTITIONING, schema=SCHEMA)


def calls_from_table(table: pa.Table | ds.Dataset) -> Iterator[Call]:
    """The ``Call``s of a table or dataset of ``SCHEMA``, batch by batch."""
    batches = table.to_batches()
    for batch in batches:
        rows = batch.to_pylist()
        for row in rows:
            raw = row.get("raw")
            yield Call(
                provider=row["provider"],
                id=row["id"],
                status=CallStatus(row["status"]),
                direction=Direction(row["direction"]),
                from_=row["from"],
                to=row["to"],
                created_at=row["created_at"],
                started_at=row["started_at"],
                answered_at=row["answered_at"],
                ended_at=row["ended_at"],
                updated_at=row["updated_at"],
                duration=row["duration"],
                price=row["price"],
                currency=row["currency"],
                answered_by=row["answered_by"],
                raw=json.loads(raw) if raw else {},
                **{name: row[name] for name in _TEXT_FIELDS},
            )
