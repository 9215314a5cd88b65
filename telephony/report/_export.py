"""Normalized calls out to CSV and JSON lines, with one documented, stable column set."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, Protocol

from telephony._models import Call
from telephony._records import COLUMNS, export_record, iso_utc, seconds

__all__ = ["COLUMNS", "export_record", "iso_utc", "seconds", "write_csv", "write_jsonl"]


class TextSink(Protocol):
    def write(self, text: str, /) -> Any: ...


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
