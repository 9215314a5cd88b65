"""Parquet and Arrow with real types: a round trip keeps every call and every type."""

from __future__ import annotations

import io
from datetime import UTC, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")  # the arrow extra; the test extra installs it

import telephony  # noqa: E402
from telephony.arrow import (  # noqa: E402
    SCHEMA,
    calls_from_table,
    read_parquet,
    to_table,
    write_parquet,
)
from telephony.cli import main  # noqa: E402
from telephony.report import call_day  # noqa: E402
from telephony.sandbox import Sandbox  # noqa: E402
from telephony.store import CallStore, sync  # noqa: E402
from tests.store.conftest import clients, sandbox_env, vendor_calls  # noqa: E402


def test_a_parquet_dataset_round_trips_with_real_types(sandbox: Sandbox, tmp_path: Path) -> None:
    calls = list(vendor_calls(sandbox).values())
    assert write_parquet(calls, tmp_path / "calls", raw=True, batch_size=100) == len(calls)
    dataset = read_parquet(tmp_path / "calls")
    table = dataset.to_table()
    assert table.num_rows == len(calls)
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("duration").type == pa.duration("us")
    assert table.schema.field("price").type == pa.decimal128(38, 12)
    assert table.schema.field("day").type == pa.date32()
    back = {(call.provider, call.id): call for call in calls_from_table(dataset)}
    assert len(back) == len(calls)
    for call in calls:
        again = back[(call.provider, call.id)]
        assert again == call
        assert dict(again.raw) == dict(call.raw)
    priced = next(call for call in back.values() if call.price is not None)
    assert isinstance(priced.price, Decimal)
    timed = next(call for call in back.values() if call.duration is not None)
    assert isinstance(timed.duration, timedelta)
    assert timed.created_at is not None
    assert timed.created_at.tzinfo is not None
    assert timed.created_at.utcoffset() == timedelta(0)
    # Hive partitions, one folder per provider and UTC day of creation.
    folders = {path.parent.relative_to(tmp_path / "calls").as_posix()
               for path in (tmp_path / "calls").rglob("*.parquet")}  # fmt: skip
    assert folders == {f"provider={c.provider}/day={call_day(c)}" for c in calls}
    one_day = dataset.to_table(filter=(pa.compute.field("provider") == "restcomm"))
    assert set(one_day.column("provider").to_pylist()) == {"restcomm"}


def test_an_arrow_table_has_the_schema_and_refuses_rounding() -> None:
    call = telephony.Call(
        provider="p",
        id="1",
        status=telephony.CallStatus.COMPLETED,
        created_at=telephony.Call.from_dict(
            {"provider": "p", "id": "x", "status": "busy", "created_at": "2024-05-01T23:59:59Z"}
        ).created_at,
        price=Decimal("-0.0130"),
        currency="USD",
        duration=timedelta(seconds=61, microseconds=7),
    )
    table = to_table([call])
    assert table.schema == SCHEMA
    row = table.to_pylist()[0]
    assert row["price"] == Decimal("-0.0130")
    assert row["day"].isoformat() == "2024-05-01"
    assert row["created_at"].tzinfo is not None
    assert row["created_at"].astimezone(UTC).hour == 23
    too_fine = telephony.Call(provider="p", id="2", status=telephony.CallStatus.BUSY,
                              price=Decimal("0.0000000000001"))  # fmt: skip
    with pytest.raises(telephony.ValidationError) as caught:
        to_table([too_fine])
    assert caught.value.field == "price"


def test_cli_list_and_sync_write_parquet(
    sandbox: Sandbox, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.setattr("sys.stderr", io.StringIO())
    listed = tmp_path / "listed"
    argv = ["calls", "list", "-p", "bandwidth", "--format", "parquet", "--output", str(listed)]
    assert main([*argv, "--page-size", "50"]) == 0
    expected = {c.id: c for c in vendor_calls(sandbox).values() if c.provider == "bandwidth"}
    got = {call.id: call for call in calls_from_table(read_parquet(listed))}
    assert got == expected

    exported = tmp_path / "exported"
    sync(store_path, clients(sandbox))
    code = main(["sync", "--store", str(store_path), "-p", "bandwidth,restcomm",
                 "--parquet", str(exported)])  # fmt: skip
    assert code == 0
    with CallStore(store_path) as store:
        stored = {(call.provider, call.id): call for call in store.calls()}
    back = {(c.provider, c.id): c for c in calls_from_table(read_parquet(exported))}
    assert back == stored
    assert main(["sync", "--store", str(store_path), "-p", "bandwidth,restcomm",
                 "--parquet", str(exported)]) == 0  # fmt: skip
    assert read_parquet(exported).count_rows() == len(stored)  # rewritten, not doubled


def test_a_parquet_export_resumed_after_errors_holds_every_call_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.cli.test_resume import MAX_RUNS, _configure, _run, _sandbox

    with _sandbox() as clean:
        expected = {c.id: c for c in vendor_calls(clean).values() if c.provider == "restcomm"}
    folder = tmp_path / "calls"
    argv = ["calls", "list", "-p", "restcomm", "--format", "parquet", "--page-size", "20",
            "--output", str(folder), "--max-retries", "0"]  # fmt: skip
    stops = 0
    with _sandbox(telephony.sandbox.Faults(server_error=0.25, rate_limit=0.0)) as faulty:
        _configure(monkeypatch, faulty, "restcomm")
        for _ in range(MAX_RUNS):
            code, _, err = _run(monkeypatch, argv)
            if code == 0:
                break
            stops += 1
            hint = err.strip().splitlines()[0]
            if "--resume" in hint:
                argv = [*hint.split("telephony ", 1)[1].split(), "--max-retries", "0"]
        else:
            pytest.fail("the export never finished")
    assert stops > 0
    rows = read_parquet(folder).to_table()
    assert rows.num_rows == len(expected)  # no page twice
    assert {call.id: call for call in calls_from_table(rows)} == expected
