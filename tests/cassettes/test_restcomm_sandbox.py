"""Restcomm cassettes recorded against the sandbox: every operation (sync and async),
multi-page listings through the server's paging defects, and the error paths (406, 410,
401; a malformed SID is refused before sending).

The sandbox listened on ``http://127.0.0.1:<random port>/restcomm``; the cassettes store it
as ``https://restcomm.example/restcomm`` (the ``restcomm`` replay base URL), and the Account
SID as ``ACCOUNT_SID``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

import telephony
from telephony import CallStatus, Direction
from telephony.adapters.restcomm import RestcommOptions

pytestmark = pytest.mark.recorded_against("sandbox", seed_calls=12)

SEED_CALLS = 12
ANSWERS_AND_STAYS = "+15550100007"  # sandbox test numbers (telephony.sandbox.TEST_NUMBERS)
RINGS_UNTIL_TIMEOUT = "+15550100003"
UNKNOWN_SID = "CA" + "0" * 32


class Exchanges(httpx.HTTPTransport):
    """Keeps each request URL, answer status and body (recorded or replayed alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.seen.append((str(request.url), response.status_code, response.content))
        return response


def new_call(to: str, **options: object) -> telephony.NewCall:
    return telephony.NewCall(
        to=to,
        from_="+15557654321",
        answer_url="https://app.example/rcml",
        status_callback_url="https://app.example/status",
        options=RestcommOptions(**options) if options else None,  # type: ignore[arg-type]
    )


def wait_for(
    client: telephony.Client, call_id: str, wanted: set[CallStatus], pause: Callable[[], None]
) -> telephony.Call:
    for _ in range(200):
        call = client.get_call(call_id)
        if call.status in wanted:
            return call
        pause()
    raise AssertionError(f"call never reached {wanted}")


@pytest.mark.telephony_cassette("restcomm/sandbox_operations.yaml")
def test_every_operation(
    telephony_client: Callable[..., telephony.Client], pause: Callable[[], None], recording: bool
) -> None:
    client = telephony_client("restcomm")

    created = client.create_call(
        new_call(ANSWERS_AND_STAYS, username="sip-user", password="sip-password-in-form")
    )
    assert created.provider == "restcomm"
    assert created.status is CallStatus.QUEUED
    assert created.direction is Direction.OUTBOUND_API
    assert created.created_at is not None
    if not recording:
        assert created.account_id == "ACCOUNT_SID"
    answered = wait_for(client, created.id, {CallStatus.IN_PROGRESS}, pause)
    assert answered.vendor_status.lower().replace("_", "-") == "in-progress"
    assert client.redirect(created.id, "https://app.example/next", method="GET") is None
    assert client.get_call(created.id).status is CallStatus.IN_PROGRESS
    assert client.hangup(created.id) is None
    ended = client.get_call(created.id)
    assert ended.status is CallStatus.COMPLETED
    assert ended.duration is not None

    ringing = client.create_call(new_call(RINGS_UNTIL_TIMEOUT))
    wait_for(client, ringing.id, {CallStatus.RINGING}, pause)
    client.hangup(ringing.id)  # not answered yet: a cancel
    assert client.get_call(ringing.id).status is CallStatus.CANCELED

    page = client.get_page(page_size=3)
    assert len(page.items) == 3
    assert page.next_cursor is not None
    with pytest.raises(telephony.UnsupportedOperationError):
        client.replace_bxml(created.id, "<Bxml></Bxml>")


@pytest.mark.telephony_cassette("restcomm/sandbox_listing.yaml")
def test_multi_page_listing_through_paging_defects(
    telephony_client: Callable[..., telephony.Client],
) -> None:
    transport = Exchanges()
    client = telephony_client("restcomm", transport=transport)

    # 12 calls, 5 a page: the server says numpages="2" (floor(12/5)) although a third page
    # holds 2 calls, and writes the page count into "total". The client counts pages itself.
    calls = list(client.list_calls(page_size=5))
    assert len(calls) == SEED_CALLS
    assert [re.search(r"[?&]Page=(\d+)", url)[1] for url, _, _ in transport.seen] == [  # type: ignore[index]
        "0",
        "1",
        "2",
    ]
    first_body = transport.seen[0][2].decode()
    assert 'numpages="2"' in first_body
    assert 'total="2"' in first_body  # the page count, not the 12 records
    assert 'previouspageuri="null"' in first_body  # missing links are the text "null"
    assert len({call.id for call in calls}) == SEED_CALLS
    created = [call.created_at for call in calls]
    assert created == sorted(created)
    assert all(call.status.is_terminal for call in calls)

    # 12 calls, 4 a page: three full pages, and the server's last page link points at a
    # fourth, empty one. The client asks for it (a full page may not be the last) and stops.
    before = len(transport.seen)
    assert [call.id for call in client.list_calls(page_size=4)] == [call.id for call in calls]
    fetched = transport.seen[before:]
    assert len(fetched) == 4
    assert 'lastpageuri="/2012-04-24/Accounts/' in fetched[0][2].decode()
    assert "Page=3&amp;PageSize=4" in fetched[0][2].decode()
    last_status, last_body = fetched[-1][1], fetched[-1][2].decode()
    assert last_status == 200
    assert "<Call>" not in last_body

    # A stored cursor resumes on the next page, with the page size it was made with.
    first = client.get_page(page_size=5)
    assert first.next_cursor is not None
    second = client.get_page(cursor=first.next_cursor)
    assert [call.id for call in second.items] == [call.id for call in calls[5:10]]

    # Filters refined on the client mean the same as on any provider.
    completed = list(client.list_calls(status=CallStatus.COMPLETED, page_size=50))
    assert completed
    assert all(call.status is CallStatus.COMPLETED for call in completed)
    assert [c.id for c in completed] == [c.id for c in calls if c.status is CallStatus.COMPLETED]


@pytest.mark.telephony_cassette("restcomm/sandbox_errors.yaml")
def test_error_paths(telephony_client: Callable[..., telephony.Client]) -> None:
    client = telephony_client("restcomm")

    with pytest.raises(telephony.NotFoundError) as not_found:  # 406 on an unknown call
        client.redirect(UNKNOWN_SID, "https://app.example/next")
    assert not_found.value.status_code == 406

    ended = next(iter(client.list_calls(status=CallStatus.COMPLETED, page_size=5)))
    with pytest.raises(telephony.ConflictError) as over:  # 410: already completed
        client.redirect(ended.id, "https://app.example/next")
    assert over.value.status_code == 410
    assert over.value.message == "Call is already completed."

    # A malformed SID never leaves: the server would answer 500 (and that would be retried).
    with pytest.raises(telephony.ValidationError) as malformed:
        client.get_call("CAnotasid")
    assert malformed.value.field == "call_id"

    intruder = telephony_client("restcomm", auth_token="a-wrong-auth-token")
    with pytest.raises(telephony.AuthenticationError) as refused:  # 401
        intruder.get_call(ended.id)
    assert refused.value.status_code == 401
    assert "a-wrong-auth-token" not in str(refused.value)


@pytest.mark.anyio
@pytest.mark.telephony_cassette("restcomm/sandbox_async.yaml")
async def test_operations_async(
    telephony_async_client: Callable[..., telephony.AsyncClient],
) -> None:
    async with telephony_async_client("restcomm") as client:
        calls = [call async for call in client.list_calls(page_size=5)]
        assert len(calls) == SEED_CALLS
        one = await client.get_call(calls[0].id)
        assert one.id == calls[0].id
        assert one.created_at == calls[0].created_at
        created = await client.create_call(new_call(RINGS_UNTIL_TIMEOUT))
        assert created.status is CallStatus.QUEUED
        await client.hangup(created.id)
        assert (await client.get_call(created.id)).status is CallStatus.CANCELED
        with pytest.raises(telephony.NotFoundError):
            await client.hangup(UNKNOWN_SID)
