"""Reports from the store: equal to summarize over the stored calls, for any period the store
holds, including calls the vendors have forgotten."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

import telephony
from telephony.cli import main
from telephony.report import call_day, summarize
from telephony.sandbox import Sandbox
from telephony.store import CallStore, sync
from tests.store.conftest import clients, place_long_calls, sandbox_env, vendor_calls

GROUPINGS = [
    (),
    ("provider",),
    ("provider", "day"),
    ("status", "direction", "disconnect_cause", "currency"),
    ("account_id", "from_", "to", "vendor_status", "answered_by", "parent_id"),
    ("provider", call_day),  # a function: the streaming path
    ("created_at",),  # a time: the streaming path
]


@pytest.mark.parametrize("group_by", GROUPINGS, ids=str)
def test_a_store_report_equals_summarize_over_the_stored_calls(
    sandbox: Sandbox, store_path: Path, group_by: tuple[str, ...]
) -> None:
    sync(store_path, clients(sandbox))
    with CallStore(store_path) as store:
        every = list(store.calls())
        middle = every[len(every) // 3].created_at
        late = every[2 * len(every) // 3].created_at
        assert middle is not None
        assert late is not None
        for bounds in ({}, {"since": middle}, {"since": middle, "until": late},
                       {"provider": "restcomm", "until": late}):  # fmt: skip
            expected = summarize(store.calls(**bounds), group_by=group_by)  # type: ignore[arg-type]
            got = store.summarize(group_by=group_by, **bounds)  # type: ignore[arg-type]
            assert got == expected
            assert got.to_dict() == expected.to_dict()
        assert store.summarize(group_by=group_by).overall.attempts > 0


def test_a_month_report_covers_calls_the_vendor_has_forgotten(
    sandbox: Sandbox, store_path: Path
) -> None:
    # Week one: the seeded history (six days) is synced while the vendors still hold it.
    sync(store_path, clients(sandbox))
    week_one = vendor_calls(sandbox)
    sandbox.advance(8 * 86400)  # Bandwidth forgets calls 7 days after they end
    place_long_calls(sandbox, 2)
    sandbox.advance(2 * 3600)
    second = sync(store_path, clients(sandbox))
    assert not second.failed
    now = vendor_calls(sandbox)
    forgotten = [key for key in week_one if key not in now]
    assert forgotten
    assert all(provider == "bandwidth" for provider, _ in forgotten)
    bandwidth = telephony.connect("bandwidth", **sandbox.settings("bandwidth"))
    with bandwidth, pytest.raises(telephony.NotFoundError):
        bandwidth.get_call(forgotten[0][1])

    group_by = ("provider", "day")
    start = min(call.created_at for call in week_one.values())  # type: ignore[type-var]
    with CallStore(store_path) as store:
        month = store.summarize(since=start, until=sandbox.now(), group_by=group_by)
    everything = {**week_one, **now}
    assert month == summarize(everything.values(), group_by=group_by)
    assert month.overall.calls == len(everything)
    live = summarize(now.values(), group_by=group_by)
    assert live.overall.calls < month.overall.calls  # what a report from the vendors sees


def test_cli_report_from_the_store(
    sandbox: Sandbox, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(store_path, clients(sandbox))
    for key in sandbox_env(sandbox):
        if key.startswith(("BANDWIDTH_", "RESTCOMM_")):
            monkeypatch.delenv(key, raising=False)  # the store needs no provider settings
    monkeypatch.delenv("TELEPHONY_PROVIDER", raising=False)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with CallStore(store_path) as store:
        every = list(store.calls())
        since = every[10].created_at
        assert since is not None
        until = since + timedelta(days=2)
        expected = summarize(
            store.calls(provider="restcomm", since=since, until=until),
            group_by=("provider", "day", "direction"),
        )
    code = main([
        "report", "--store", str(store_path), "-p", "restcomm",
        "--since", since.isoformat(), "--until", until.isoformat(),
        "--group-by", "provider,day", "--group-by", "direction", "--format", "json",
    ])  # fmt: skip
    assert code == 0
    assert json.loads(out.getvalue()) == expected.to_dict()
    assert expected.overall.calls > 0
