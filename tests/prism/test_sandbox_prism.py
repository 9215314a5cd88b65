"""The sandbox's Bandwidth side, validated by ``prism proxy --errors`` against Bandwidth's spec.

Every request the Bandwidth adapter sends to the sandbox goes through Prism's proxy (the
transport's ``route=``), which checks the request and the sandbox's answer: status, headers,
body schema. Any exchange with a violation fails. Sandbox time is nearly frozen
(``speed=0.001``) and moved with ``advance`` so the calls' states are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

import telephony
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from telephony.sandbox import TEST_NUMBERS, Sandbox
from tests.prism.harness import (
    AsyncRecordingTransport,
    Exchange,
    ProxyFactory,
    RecordingTransport,
    assert_no_violations,
)

SEEDED = 60
PAGE_SIZE = 25
STAYS_UP = "+15550100007"
UNKNOWN_CALL = "c-00000000-00000000-0000-0000-0000-000000000000"
BXML = '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>'
Route = tuple[str, str]


def new_call(to: str) -> telephony.NewCall:
    return telephony.NewCall(
        to=to,
        from_="+19195554321",
        answer_url="https://app.example/answer",
        fallback_url="https://app.example/fallback",
        status_callback_url="https://app.example/disconnect",
        ring_timeout=30,
        options=BandwidthOptions(
            priority=2,
            tag="prism",
            display_name="Prism",
            callback_timeout=10,
            machine_detection=MachineDetection(mode="async", callback_url="https://app.example/m"),
            username="hook-user",
            password="hook-secret",
        ),
    )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed_calls=SEEDED, speed=0.001, seed=5) as sb:
        yield sb


@pytest.fixture(scope="module")
def route(sandbox: Sandbox, prism_proxy: ProxyFactory) -> Route:
    """``(sandbox Bandwidth base URL, proxy URL)`` for the recording transports."""
    base_url = sandbox.settings("bandwidth")["base_url"]
    return base_url, prism_proxy(base_url).url


def connect(sandbox: Sandbox, transport: RecordingTransport, **kwargs: Any) -> telephony.Client:
    settings: dict[str, Any] = {**sandbox.settings("bandwidth", **kwargs), "max_retries": 0}
    return telephony.connect("bandwidth", transport=transport, **settings)


def connect_async(sandbox: Sandbox, transport: AsyncRecordingTransport) -> telephony.AsyncClient:
    settings: dict[str, Any] = {**sandbox.settings("bandwidth"), "max_retries": 0}
    return telephony.connect_async("bandwidth", transport=transport, **settings)


def proxied(exchanges: list[Exchange], route: Route) -> list[Exchange]:
    """The exchanges that went through Prism (all of them must)."""
    through = [e for e in exchanges if str(e.request.url).startswith(route[1] + "/")]
    assert through, "nothing went through the Prism proxy"
    return through


def test_listing_every_page(sandbox: Sandbox, route: Route) -> None:
    transport = RecordingTransport(route=route)
    with connect(sandbox, transport) as client:
        calls = list(client.list_calls(page_size=PAGE_SIZE))
    assert len(calls) >= SEEDED
    assert len(transport.exchanges) == -(-len(calls) // PAGE_SIZE)  # one request per page
    assert len(transport.exchanges) >= 3
    assert proxied(transport.exchanges, route) == transport.exchanges
    assert_no_violations(transport.exchanges)
    assert len({call.id for call in calls}) == len(calls)
    assert all(call.status is not telephony.CallStatus.UNKNOWN for call in calls)
    assert all(call.direction is not telephony.Direction.UNKNOWN for call in calls)


def test_filtered_page(sandbox: Sandbox, route: Route) -> None:
    transport = RecordingTransport(route=route)
    with connect(sandbox, transport) as client:
        first = next(c for c in client.list_calls(page_size=PAGE_SIZE) if c.started_at)
        assert first.started_at is not None
        page = client.get_page(
            page_size=5,
            to=first.to,
            from_=first.from_,
            started_after=first.started_at - timedelta(seconds=1),
            started_before=first.started_at + timedelta(seconds=1),
        )
        busy = client.get_page(page_size=5, status=telephony.CallStatus.BUSY)
    assert first.id in {call.id for call in page.items}
    assert all(call.status is telephony.CallStatus.BUSY for call in busy.items)
    assert dict(transport.exchanges[-1].request.url.params)["disconnectCause"] == "busy"
    assert_no_violations(proxied(transport.exchanges, route))
    assert_no_violations(transport.exchanges)


def test_call_lifecycle(sandbox: Sandbox, route: Route) -> None:
    transport = RecordingTransport(route=route)
    with connect(sandbox, transport) as client:
        created = client.create_call(new_call(STAYS_UP))
        assert created.status is telephony.CallStatus.QUEUED
        assert client.get_call(created.id).status is telephony.CallStatus.QUEUED
        with pytest.raises(telephony.ConflictError):
            client.redirect(created.id, "https://app.example/redirect")  # not answered yet
        sandbox.advance(10)  # queue 2 s, rings 5 s, answers
        assert client.get_call(created.id).status is telephony.CallStatus.IN_PROGRESS
        client.redirect(created.id, "https://app.example/redirect", method="GET")
        client.replace_bxml(created.id, BXML)
        client.hangup(created.id)
        ended = client.get_call(created.id)
        assert ended.status is telephony.CallStatus.COMPLETED
        assert ended.disconnect_cause == "hangup"
        with pytest.raises(telephony.ConflictError):
            client.hangup(created.id)
        with pytest.raises(telephony.ConflictError):
            client.replace_bxml(created.id, BXML)
        with pytest.raises(telephony.NotFoundError):
            client.get_call(UNKNOWN_CALL)
    assert len(proxied(transport.exchanges, route)) == len(transport.exchanges) == 11
    assert_no_violations(transport.exchanges)


def test_every_outcome_conforms(sandbox: Sandbox, route: Route) -> None:
    transport = RecordingTransport(route=route)
    with connect(sandbox, transport) as client:
        ids = [client.create_call(new_call(number)).id for number in TEST_NUMBERS]
        sandbox.advance(45)  # every number but the hour-long one has ended by now
        ended = {call.to: call for call in map(client.get_call, ids)}
    assert ended["+15550100001"].status is telephony.CallStatus.COMPLETED
    assert ended["+15550100002"].status is telephony.CallStatus.BUSY
    assert ended["+15550100003"].status is telephony.CallStatus.NO_ANSWER
    assert ended["+15550100004"].status is telephony.CallStatus.REJECTED
    assert ended["+15550100005"].status is telephony.CallStatus.FAILED
    assert ended["+15550100006"].status is telephony.CallStatus.CANCELED
    assert ended[STAYS_UP].status is telephony.CallStatus.IN_PROGRESS
    assert_no_violations(proxied(transport.exchanges, route))
    assert_no_violations(transport.exchanges)


def test_oauth2_calls_conform(sandbox: Sandbox, route: Route) -> None:
    # The token request is not a Calls operation: it goes straight to the sandbox.
    transport = RecordingTransport(route=route)
    with connect(sandbox, transport, oauth=True) as client:
        page = client.get_page(page_size=3)
    assert len(page.items) == 3
    assert [e.request.method for e in transport.exchanges] == ["POST", "GET"]
    assert len(proxied(transport.exchanges, route)) == 1
    assert transport.exchanges[1].request.headers["Authorization"].startswith("Bearer ")
    assert_no_violations(transport.exchanges)


@pytest.mark.anyio
async def test_async_lifecycle_and_listing(sandbox: Sandbox, route: Route) -> None:
    transport = AsyncRecordingTransport(route=route)
    async with connect_async(sandbox, transport) as client:
        calls = [call async for call in client.list_calls(page_size=PAGE_SIZE)]
        created = await client.create_call(new_call(STAYS_UP))
        sandbox.advance(10)
        assert (await client.get_call(created.id)).status is telephony.CallStatus.IN_PROGRESS
        await client.redirect(created.id, "https://app.example/redirect")
        await client.replace_bxml(created.id, BXML)
        await client.hangup(created.id)
        assert (await client.get_call(created.id)).status is telephony.CallStatus.COMPLETED
    assert len(calls) >= SEEDED
    assert len(proxied(transport.exchanges, route)) == len(transport.exchanges)
    assert_no_violations(transport.exchanges)
