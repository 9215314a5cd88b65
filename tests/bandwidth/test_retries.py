"""Reads retry on 429/5xx/transport errors; updates only on 429 and unsent failures;
creation only when the request provably never left."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

import telephony
import telephony._client as client_module
from tests.bandwidth.fake_server import FakeBandwidth, error

NEW = telephony.NewCall(to="+15551230000", from_="+15551230001", answer_url="https://a.example/x")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(client_module.time, "sleep", slept.append)
    monkeypatch.setattr(anyio, "sleep", fake_async_sleep)
    return slept


def failing(*answers: httpx.Response | Exception) -> Callable[[FakeBandwidth], None]:
    return lambda server: server.fail_next.extend(answers)


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("refused")


def test_get_retries_429_honouring_retry_after(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    server.fail_next += [error(429, **{"Retry-After": "3"}), error(503)]
    call = make_api(server, max_retries=2, backoff=0.5).get_call("c-0001")
    assert call.id == "c-0001"
    assert len(server.requests) == 3
    assert waits[0] == 3.0
    assert 0.5 <= waits[1] <= 1.0  # second attempt: 0.5 * 2, jittered down to half


def test_get_retries_connection_and_read_failures(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    server.fail_next += [connect_error(), httpx.ReadTimeout("slow")]
    assert make_api(server, max_retries=2, backoff=0.01).get_call("c-0001").id == "c-0001"
    assert len(waits) == 2


def test_retries_give_up_after_max(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    server.fail_next += [error(500)] * 5
    with pytest.raises(telephony.ProviderServerError):
        make_api(server, max_retries=2).get_call("c-0001")
    assert len(server.requests) == 3


def test_max_retries_zero_disables(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    server.fail_next += [error(429, **{"Retry-After": "1"})]
    with pytest.raises(telephony.RateLimitedError):
        make_api(server, max_retries=0).get_call("c-0001")
    assert waits == []


def test_retry_after_longer_than_the_cap_is_not_waited_for(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    server.fail_next += [error(429, **{"Retry-After": "3600"})]
    with pytest.raises(telephony.RateLimitedError) as info:
        make_api(server).get_call("c-0001")
    assert info.value.retry_after == 3600
    assert waits == []


def test_create_is_never_resent_once_it_may_have_arrived(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    for failure, kind in [
        (error(500), telephony.ProviderServerError),
        (error(429, **{"Retry-After": "1"}), telephony.RateLimitedError),
        (httpx.ReadTimeout("no answer"), telephony.TransportError),
        (httpx.RemoteProtocolError("dropped"), telephony.TransportError),
    ]:
        server.requests.clear()
        server.fail_next.append(failure)
        with pytest.raises(kind):
            make_api(server, max_retries=3).create_call(NEW)
        assert len(server.requests) == 1, failure
    assert waits == []


def test_create_is_resent_when_the_connection_never_opened(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    server.fail_next.append(connect_error())
    assert make_api(server, max_retries=1).create_call(NEW).id == "c-new"
    assert len(server.requests) == 2


def test_updates_retry_on_429_and_unsent_failures_only(
    make_api: Any, server: FakeBandwidth, waits: list[float]
) -> None:
    from tests.bandwidth.fake_server import record

    server.records.append(record(50, state="answered", endTime=None, disconnectCause=None))
    api = make_api(server, max_retries=3)
    server.fail_next += [error(429, **{"Retry-After": "0"}), connect_error()]
    api.hangup("c-0050")
    assert len(server.requests) == 3
    server.requests.clear()
    server.fail_next += [error(500)]
    with pytest.raises(telephony.ProviderServerError):
        api.redirect("c-0050", "https://a.example/next")
    assert len(server.requests) == 1
    server.requests.clear()
    server.fail_next += [httpx.ReadTimeout("maybe applied")]
    with pytest.raises(telephony.TransportError):
        api.replace_bxml("c-0050", "<Bxml/>")
    assert len(server.requests) == 1
