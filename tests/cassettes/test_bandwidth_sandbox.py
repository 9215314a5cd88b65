"""Bandwidth cassettes recorded against the sandbox: multi-page listings (Link header
paging, a stored cursor resumed), hang-up and cancel, redirect and BXML replacement, and the
OAuth2 token exchange.

The sandbox listened on ``http://127.0.0.1:<random port>/bandwidth/api/v2``; the cassettes
store it as ``https://voice.bandwidth.com/api/v2`` so replays match the client's default
base URL. Its seeded history is fixed by seed and start (conftest.py), so the counts below
are what any re-recording gives.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

import telephony
from telephony import CallStatus, Direction

SEED_CALLS = 20
LISTED = 20  # what the sandbox's seeded Bandwidth history holds for seed 5 at that start
ANSWERS_AND_STAYS = "+15550100007"  # sandbox test numbers (telephony.sandbox.TEST_NUMBERS)
RINGS_UNTIL_TIMEOUT = "+15550100003"


def new_call(to: str) -> telephony.NewCall:
    return telephony.NewCall(to=to, from_="+15557654321", answer_url="https://app.example/answer")


class Exchanges(httpx.HTTPTransport):
    """Keeps each request URL and answer status (recorded or replayed alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((str(request.url), response.status_code))
        return response


def wait_for(
    client: telephony.Client, call_id: str, wanted: set[CallStatus], pause: Callable[[], None]
) -> telephony.Call:
    for _ in range(200):
        call = client.get_call(call_id)
        if call.status in wanted:
            return call
        pause()
    raise AssertionError(f"call never reached {wanted}")


@pytest.mark.recorded_against("sandbox", seed_calls=SEED_CALLS)
@pytest.mark.telephony_cassette("bandwidth/sandbox_listing.yaml")
def test_multi_page_listing(telephony_client: Callable[..., telephony.Client]) -> None:
    transport = Exchanges()
    client = telephony_client("bandwidth", transport=transport)

    calls = list(client.list_calls(page_size=5))
    assert len(calls) == LISTED
    assert len(transport.seen) == 4  # 5 + 5 + 5 + 5, following Link rel="next"
    assert all("pageToken=" in url for url, _ in transport.seen[1:])
    assert len({call.id for call in calls}) == LISTED
    created = [call.created_at for call in calls]
    assert created == sorted(created)  # oldest first
    assert all(call.provider == "bandwidth" for call in calls)
    assert all(call.status.is_terminal for call in calls)
    assert {call.direction for call in calls} <= {
        Direction.INBOUND,
        Direction.OUTBOUND_API,
        Direction.OUTBOUND_DIAL,
    }
    answered = [call for call in calls if call.answered_at is not None]
    assert answered
    assert all(call.duration is not None for call in answered)

    # A stored cursor resumes where the first page ended.
    first = client.get_page(page_size=5)
    assert [call.id for call in first.items] == [call.id for call in calls[:5]]
    assert first.next_cursor is not None
    second = client.get_page(cursor=first.next_cursor)
    assert [call.id for call in second.items] == [call.id for call in calls[5:10]]

    # limit stops fetching: two pages for seven calls.
    before = len(transport.seen)
    assert [call.id for call in client.list_calls(page_size=5, limit=7)] == [
        call.id for call in calls[:7]
    ]
    assert len(transport.seen) - before == 2


@pytest.mark.recorded_against("sandbox", seed_calls=0)
@pytest.mark.telephony_cassette("bandwidth/sandbox_hangup.yaml")
def test_hangup_and_cancel(
    telephony_client: Callable[..., telephony.Client], pause: Callable[[], None]
) -> None:
    client = telephony_client("bandwidth")

    created = client.create_call(new_call(ANSWERS_AND_STAYS))
    assert created.status is CallStatus.QUEUED
    assert created.direction is Direction.OUTBOUND_API
    answered = wait_for(client, created.id, {CallStatus.IN_PROGRESS}, pause)
    assert answered.answered_at is not None
    assert client.hangup(created.id) is None
    ended = client.get_call(created.id)
    assert ended.status is CallStatus.COMPLETED
    assert ended.disconnect_cause == "hangup"
    assert ended.duration is not None
    with pytest.raises(telephony.ConflictError) as caught:
        client.hangup(created.id)
    assert caught.value.status_code == 409

    ringing = client.create_call(new_call(RINGS_UNTIL_TIMEOUT))
    wait_for(client, ringing.id, {CallStatus.RINGING}, pause)
    client.hangup(ringing.id)
    canceled = client.get_call(ringing.id)
    assert canceled.status is CallStatus.CANCELED
    assert canceled.answered_at is None
    assert canceled.duration is None


@pytest.mark.recorded_against("sandbox", seed_calls=0)
@pytest.mark.telephony_cassette("bandwidth/sandbox_redirect.yaml")
def test_redirect_and_replace_bxml(
    telephony_client: Callable[..., telephony.Client], pause: Callable[[], None]
) -> None:
    client = telephony_client("bandwidth")

    call = client.create_call(new_call(ANSWERS_AND_STAYS))
    wait_for(client, call.id, {CallStatus.IN_PROGRESS}, pause)
    assert client.redirect(call.id, "https://app.example/next", method="GET") is None
    assert client.get_call(call.id).status is CallStatus.IN_PROGRESS
    bxml = '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>'
    assert client.replace_bxml(call.id, bxml) is None
    client.hangup(call.id)
    with pytest.raises(telephony.ConflictError):
        client.redirect(call.id, "https://app.example/late")
    with pytest.raises(telephony.NotFoundError) as caught:
        client.get_call("c-00000000-00000000-0000-0000-0000-000000000000")
    assert caught.value.status_code == 404


@pytest.mark.recorded_against("sandbox", seed_calls=SEED_CALLS, oauth=True)
@pytest.mark.telephony_cassette("bandwidth/sandbox_oauth2.yaml")
def test_oauth2_token_then_listing(telephony_client: Callable[..., telephony.Client]) -> None:
    transport = Exchanges()
    client = telephony_client("bandwidth", oauth2=True, transport=transport)
    page = client.get_page(page_size=3)
    assert len(page.items) == 3
    again = client.get_page(page_size=3)  # the token is reused: no second token request
    assert [call.id for call in again.items] == [call.id for call in page.items]
    urls = [url for url, _ in transport.seen]
    assert urls[0].endswith("/api/v1/oauth2/token")
    assert sum(url.endswith("/oauth2/token") for url in urls) == 1
