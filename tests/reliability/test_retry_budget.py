"""Retries a caller can bound: ``max_retry_wait`` caps the seconds one operation (a whole
listing included) spends waiting, so a listing under a 429 storm ends in bounded time; every
retry is logged at INFO with its reason and wait."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx
import pytest

import telephony
import telephony._client as client_module
from tests.bandwidth.fake_server import SETTINGS, FakeBandwidth, error, record
from tests.support import Both


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's sleeps, recorded instead of slept (no test waits on the wall clock)."""
    slept: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(client_module.time, "sleep", slept.append)
    monkeypatch.setattr(anyio, "sleep", fake_async_sleep)
    return slept


class Storm:
    """Every request is refused with 429 (Retry-After 2) once before it is answered: a
    listing of many pages needs a retry per page, for ever if nothing bounds it."""

    def __init__(self) -> None:
        self.server = FakeBandwidth([record(i) for i in range(40)])
        self.refused: set[str] = set()
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        key = str(request.url)
        if key not in self.refused:
            self.refused.add(key)
            return error(429, "rate-limit", "slow down", **{"Retry-After": "2"})
        return self.server(request)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_listing_in_a_429_storm_ends_within_the_budget(mode: str, waits: list[float]) -> None:
    storm = Storm()
    api = Both(mode, "bandwidth", storm, max_retries=5, max_retry_wait=7.0, **SETTINGS)
    try:
        with pytest.raises(telephony.RateLimitedError):
            api.list_calls(page_size=2)
    finally:
        api.close()
    assert waits == [2.0, 2.0, 2.0]  # a fourth wait would pass 7 s: the 429 is raised instead
    assert storm.requests == 7  # 3 pages refused once then answered; the 4th refusal ends it


def test_without_a_budget_the_same_storm_is_waited_out(mode: str, waits: list[float]) -> None:
    storm = Storm()
    api = Both(mode, "bandwidth", storm, max_retries=5, **SETTINGS)
    try:
        assert len(api.list_calls(page_size=2)) == 40
    finally:
        api.close()
    assert len(waits) == 20  # one wait per page: the last page has no next link


def test_the_budget_is_per_operation(mode: str, waits: list[float]) -> None:
    storm = Storm()
    api = Both(mode, "bandwidth", storm, max_retries=5, max_retry_wait=3.0, **SETTINGS)
    try:
        for n in range(3):  # each get_call may wait 3 s, whatever the ones before spent
            assert api.get_call(f"c-{n:04d}").id == f"c-{n:04d}"
    finally:
        api.close()
    assert waits == [2.0, 2.0, 2.0]


def test_each_retry_is_logged_with_its_reason_and_wait(
    mode: str, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeBandwidth()
    server.fail_next += [error(429, **{"Retry-After": "3"}), error(503), httpx.ReadTimeout("slow")]
    api = Both(mode, "bandwidth", server, max_retries=3, **SETTINGS)
    try:
        with caplog.at_level(logging.INFO, logger="telephony"):
            api.get_call("c-0001")
    finally:
        api.close()
    retries = [r for r in caplog.records if r.name == "telephony.retry"]
    assert [r.levelno for r in retries] == [logging.INFO] * 3
    messages = [r.getMessage() for r in retries]
    assert "after 429 Too Many Requests, Retry-After 3 s (retry 1 of 3)" in messages[0]
    assert (
        "retrying GET https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-0001 in 3.00 s"
        in messages[0]
    )
    assert "after 503 Service Unavailable (retry 2 of 3)" in messages[1]
    assert "after ReadTimeout (retry 3 of 3)" in messages[2]
    notice: Any = retries[0].telephony_retry  # type: ignore[attr-defined]
    assert (notice.reason, notice.wait, notice.retry) == (
        "429 Too Many Requests, Retry-After 3 s",
        3.0,
        1,
    )


def test_a_refused_retry_is_logged(
    mode: str, waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeBandwidth()
    server.fail_next += [error(429, **{"Retry-After": "30"})]
    api = Both(mode, "bandwidth", server, max_retries=3, max_retry_wait=10, **SETTINGS)
    try:
        with (
            caplog.at_level(logging.INFO, logger="telephony"),
            pytest.raises(telephony.RateLimitedError) as info,
        ):
            api.get_call("c-0001")
    finally:
        api.close()
    assert info.value.retry_after == 30
    assert waits == []
    assert "would pass max_retry_wait" in caplog.text


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "10", True])
def test_max_retry_wait_is_checked(value: Any) -> None:
    with pytest.raises(telephony.ValidationError) as info:
        telephony.connect("bandwidth", max_retry_wait=value, **SETTINGS)
    assert info.value.field == "max_retry_wait"
