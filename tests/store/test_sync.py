"""sync: incremental, calls that end later get their final state, providers run side by
side, a failing provider does not stop the others; the store streams what it holds."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import telephony
from telephony.cli import main
from telephony.sandbox import Sandbox
from telephony.store import CallStore, SyncProgress, account_of, sync
from tests.store.conftest import clients, place_long_calls, sandbox_env, vendor_calls


def test_calls_that_end_after_a_sync_get_their_final_state_on_the_next(
    sandbox: Sandbox, store_path: Path
) -> None:
    early = place_long_calls(sandbox, 2)
    sandbox.advance(600)  # later calls push the next listing's window past the early ones
    late = place_long_calls(sandbox, 1)
    sandbox.advance(30)  # all answered, none over
    first = sync(store_path, clients(sandbox), overlap=timedelta(0))
    assert not first.failed
    with CallStore(store_path) as store:
        for call in (*early, *late):
            stored = store.get(call.provider, call.id)
            assert stored is not None
            assert stored.status is telephony.CallStatus.IN_PROGRESS

    sandbox.advance(2 * 3600)
    second = sync(store_path, clients(sandbox), overlap=timedelta(0))
    assert not second.failed
    assert sum(source.refreshed for source in second.sources) >= len(early)
    assert second.new == 0
    assert second.updated == len(early) + len(late)
    fresh = vendor_calls(sandbox)
    with CallStore(store_path) as store:
        for call in (*early, *late):
            stored = store.get(call.provider, call.id)
            assert stored == fresh[(call.provider, call.id)]
            assert stored is not None
            assert stored.status is telephony.CallStatus.COMPLETED
        (open_calls,) = store.connection.execute(
            "SELECT count(*) FROM calls WHERE terminal = 0"
        ).fetchone()
    assert open_calls == 0


def test_a_second_sync_reads_only_the_recent_window(sandbox: Sandbox, store_path: Path) -> None:
    events: list[SyncProgress] = []
    first = sync(store_path, clients(sandbox), page_size=50, progress=events.append)
    assert first.new == 2 * 240
    assert {event.provider for event in events} == {"bandwidth", "restcomm"}
    assert events[-1].phase == "done"
    place_long_calls(sandbox, 1)
    sandbox.advance(10)  # started: a listing by start time shows no call still queued
    second = sync(store_path, clients(sandbox), page_size=50)
    assert second.new == 2
    assert all(source.calls < 240 for source in second.sources)  # not the whole history again
    with CallStore(store_path) as store:
        assert store.count() == 2 * 240 + 2
        assert store.count(provider="restcomm") == 241
        for source in second.sources:
            assert store.state(source.provider, source.account).listings == 2


def test_the_store_streams_calls_in_creation_order_within_bounds(
    sandbox: Sandbox, store_path: Path
) -> None:
    sync(store_path, clients(sandbox))
    expected = vendor_calls(sandbox)
    with CallStore(store_path) as store:
        every = list(store.calls())
        assert len(every) == len(expected)
        times = [call.created_at for call in every]
        assert times == sorted(times)  # type: ignore[type-var]
        middle = every[len(every) // 2].created_at
        assert middle is not None
        since = list(store.calls(since=middle))
        until = list(store.calls(provider="bandwidth", until=middle))
        assert all(call.created_at >= middle for call in since)  # type: ignore[operator]
        assert all(call.provider == "bandwidth" for call in until)
        assert len(since) + store.count(until=middle - timedelta(microseconds=1)) == len(every)
        lean = next(store.calls(raw=False))
        assert dict(lean.raw) == {}
        assert dict(every[0].raw) == dict(expected[(every[0].provider, every[0].id)].raw)
        with pytest.raises(telephony.ValidationError) as caught:
            list(store.calls(since=datetime(2024, 1, 1)))  # naive
        assert caught.value.field == "since"
    with pytest.raises(telephony.ValidationError):
        CallStore(":memory:")


def test_a_page_and_its_cursor_commit_together(store_path: Path) -> None:
    call = telephony.Call(provider="p", id="1", status=telephony.CallStatus.BUSY)
    with CallStore(store_path) as store:
        state = store.state("p", "a")
        bad = telephony.store.SyncState(cursor="next", listings="not a number")  # type: ignore[arg-type]
        store.connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON sync_state "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
        with pytest.raises(telephony.StoreError, match="refused") as failed:
            store.save_page("p", "a", [call], state=bad)
        assert failed.value.path == str(store_path)
        assert isinstance(failed.value.__cause__, sqlite3.IntegrityError)
        assert store.count() == 0  # the calls went back with the cursor
        assert store.state("p", "a") == state
        with pytest.raises(telephony.ValidationError) as caught:
            store.save_page("q", "a", [call], state=state)  # a "p" call under "q"
        assert caught.value.field == "calls"


def test_one_failing_provider_does_not_stop_the_others(sandbox: Sandbox, store_path: Path) -> None:
    working, _ = clients(sandbox)
    broken = telephony.connect(
        "restcomm",
        base_url="http://127.0.0.1:9/restcomm",  # discard port: nothing listens
        account_sid="AC" + "0" * 32,
        auth_token="token",
        max_retries=0,
    )
    events: list[SyncProgress] = []
    summary = sync(store_path, [working, broken], progress=events.append)
    assert [source.provider for source in summary.failed] == ["restcomm"]
    last = {event.provider: event.phase for event in events}
    assert last == {"bandwidth": "done", "restcomm": "failed"}  # never "done" for a failure
    assert isinstance(summary.failed[0].error, telephony.TransportError)
    assert summary.new == 240
    assert account_of(working) == sandbox.settings("bandwidth")["account_id"]


def test_cli_sync_prints_progress_and_a_summary(
    sandbox: Sandbox, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(key, value)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    argv = ["sync", "--store", str(store_path), "-p", "bandwidth", "-p", "restcomm"]
    assert main([*argv, "--page-size", "100"]) == 0
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("total: 480 new, 0 updated in ")
    assert max(len(line) for line in lines) <= 80, lines  # reads in an 80-column terminal
    assert any(line.startswith("bandwidth ") and "240 new" in line for line in lines)
    assert "sync restcomm" in err.getvalue()
    secret = sandbox.settings("restcomm")["auth_token"]
    assert secret not in out.getvalue() + err.getvalue()
    with CallStore(store_path) as store:
        assert store.count() == 480
    monkeypatch.setenv("RESTCOMM_BASE_URL", "http://127.0.0.1:9/restcomm")
    assert main([*argv, "--max-retries", "0"]) == 8  # unreachable, after the others synced
    assert "restcomm" in err.getvalue().splitlines()[-1]


def test_sync_refuses_bad_arguments(store_path: Path) -> None:
    with pytest.raises(telephony.ValidationError) as caught:
        sync(store_path, [object()])  # type: ignore[list-item]
    assert caught.value.field == "sources"
    with pytest.raises(telephony.ValidationError) as caught:
        sync(store_path, [], overlap=-1)  # type: ignore[arg-type]
    assert caught.value.field == "overlap"
    assert sync(store_path, []).sources == ()
    assert datetime.now(UTC)  # the store file exists even with nothing to sync
    assert store_path.exists()


def test_a_file_that_is_no_store_is_a_store_error(tmp_path: Path) -> None:
    """Only telephony's errors leave the public API: SQLite's become StoreError."""
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"these are not the calls you are looking for\n" * 100)
    with pytest.raises(telephony.StoreError) as caught:
        CallStore(junk)
    assert caught.value.path == str(junk)
    assert "not a database" in caught.value.reason
    with pytest.raises(telephony.StoreError):
        CallStore(tmp_path)  # a folder


def test_a_store_locked_past_its_timeout_is_a_store_error(store_path: Path) -> None:
    call = telephony.Call(provider="p", id="1", status=telephony.CallStatus.BUSY)
    store = CallStore(store_path, timeout=0.05)
    other = sqlite3.connect(store_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with pytest.raises(telephony.StoreError, match="locked"):
            store.save_calls("p", "a", [call])
        assert store.count() == 0  # reading still works beside the writer (WAL)
        with pytest.raises(telephony.StoreError, match="locked"):
            CallStore(store_path, timeout=0.05)  # opening writes the schema: locked too
    finally:
        other.execute("ROLLBACK")
        other.close()
        store.close()
