from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import telephony
from telephony import CallStatus, Direction
from telephony.report import COLUMNS, export_record, write_csv, write_jsonl
from tests.report.calls import T0, call, minute, seconds

EXPECTED_COLUMNS = (
    "provider", "id", "account_id", "parent_id", "direction", "status", "vendor_status",
    "disconnect_cause", "from", "to", "created_at", "started_at", "answered_at", "ended_at",
    "updated_at", "duration", "price", "currency", "answered_by",
)  # fmt: skip


def full_call() -> telephony.Call:
    plus_two = timezone(timedelta(hours=2))
    return call(
        "c-1",
        CallStatus.COMPLETED,
        provider="restcomm",
        direction=Direction.OUTBOUND_DIAL,
        vendor_status="completed",
        account_id="AC1",
        parent_id="c-0",
        from_="+15550001111",
        to="client:alice",
        disconnect_cause="hangup",
        created_at=T0,
        # 14:00:05.25 at +02:00 is 12:00:05.25 UTC
        started_at=datetime(2024, 5, 1, 14, 0, 5, 250000, tzinfo=plus_two),
        answered_at=minute(1),
        ended_at=minute(2.5),
        updated_at=minute(3),
        duration=seconds(90),
        price=Decimal("-0.0075"),
        currency="USD",
        answered_by="human",
        raw={"Sid": "c-1", "secret-ish": "not exported"},
    )


def sparse_call() -> telephony.Call:
    return call("c-2", CallStatus.UNKNOWN, vendor_status="teleported", duration=seconds(1.5))


def test_columns_are_the_documented_stable_set() -> None:
    assert COLUMNS == EXPECTED_COLUMNS
    assert tuple(export_record(full_call())) == EXPECTED_COLUMNS


def test_record_values() -> None:
    record = export_record(full_call())
    assert record == {
        "provider": "restcomm",
        "id": "c-1",
        "account_id": "AC1",
        "parent_id": "c-0",
        "direction": "outbound-dial",
        "status": "completed",
        "vendor_status": "completed",
        "disconnect_cause": "hangup",
        "from": "+15550001111",
        "to": "client:alice",
        "created_at": "2024-05-01T12:00:00Z",
        "started_at": "2024-05-01T12:00:05.250000Z",
        "answered_at": "2024-05-01T12:01:00Z",
        "ended_at": "2024-05-01T12:02:30Z",
        "updated_at": "2024-05-01T12:03:00Z",
        "duration": 90,
        "price": "-0.0075",
        "currency": "USD",
        "answered_by": "human",
    }
    sparse = export_record(sparse_call())
    assert sparse["status"] == "unknown"
    assert sparse["vendor_status"] == "teleported"
    assert sparse["duration"] == 1.5
    assert sparse["created_at"] is None
    assert sparse["price"] is None


def test_write_csv() -> None:
    out = io.StringIO(newline="")
    assert write_csv([full_call(), sparse_call()], out) == 2
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0] == ",".join(EXPECTED_COLUMNS)
    assert lines[1] == (
        "restcomm,c-1,AC1,c-0,outbound-dial,completed,completed,hangup,+15550001111,"
        "client:alice,2024-05-01T12:00:00Z,2024-05-01T12:00:05.250000Z,2024-05-01T12:01:00Z,"
        "2024-05-01T12:02:30Z,2024-05-01T12:03:00Z,90,-0.0075,USD,human"
    )
    assert lines[2] == "bandwidth,c-2,,,outbound-api,unknown,teleported" + "," * 8 + ",1.5,,,"
    assert "not exported" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[1]["duration"] == "1.5"
    assert rows[0]["price"] == "-0.0075"


def test_write_csv_quotes_awkward_values() -> None:
    awkward = call("a,b", CallStatus.BUSY, from_='say "hi"\nthere')
    out = io.StringIO(newline="")
    write_csv([awkward], out, header=False)
    (row,) = list(csv.reader(io.StringIO(out.getvalue())))
    assert row[1] == "a,b"
    assert row[8] == 'say "hi"\nthere'


def test_write_csv_empty_and_without_header() -> None:
    out = io.StringIO(newline="")
    assert write_csv([], out) == 0
    assert out.getvalue() == ",".join(EXPECTED_COLUMNS) + "\r\n"
    out = io.StringIO(newline="")
    assert write_csv([], out, header=False) == 0
    assert out.getvalue() == ""


def test_write_jsonl() -> None:
    out = io.StringIO()
    assert write_jsonl([full_call(), sparse_call()], out) == 2
    lines = out.getvalue().split("\n")
    assert lines[-1] == ""  # every line ends with a newline
    first, second = (json.loads(line) for line in lines[:-1])
    assert first == export_record(full_call())
    assert list(second) == list(EXPECTED_COLUMNS)
    assert second["answered_at"] is None
    assert second["duration"] == 1.5
    assert write_jsonl([], io.StringIO()) == 0


def test_exports_stream_row_by_row() -> None:
    for write in (write_csv, write_jsonl):
        out = io.StringIO()
        seen: list[int] = []

        def stream(out: io.StringIO = out, seen: list[int] = seen) -> Iterator[telephony.Call]:
            for n in range(3):
                # Every call handed on before this one is already written out.
                seen.append(out.getvalue().count("\n"))
                yield call(str(n), CallStatus.BUSY)

        assert write(stream(), out) == 3
        header = 1 if write is write_csv else 0
        assert seen == [header, header + 1, header + 2]


def test_iso_utc_is_the_export_time_format() -> None:
    assert telephony.report.iso_utc(None) is None
    plus_one = timezone(timedelta(hours=1))
    assert telephony.report.iso_utc(datetime(2024, 1, 1, 0, 30, tzinfo=plus_one)) == (
        "2023-12-31T23:30:00Z"
    )
