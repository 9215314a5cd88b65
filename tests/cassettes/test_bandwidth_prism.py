"""Bandwidth cassettes recorded against Prism serving Bandwidth's own Calls spec
(tests/prism/bandwidth-calls.yml): every operation, sync and async, and every documented
error status of each, forced with ``Prefer: code=N``.

Prism answers from the spec's examples, so the replayed results are the examples, read the
way the adapter reads them (see tests/prism/README.md). Prism reports any spec violation of
a request in the ``sl-violations`` answer header; it is recorded, and checked on replay too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import telephony
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from tests.prism.harness import AsyncRecordingTransport, RecordingTransport, assert_no_violations

CALL_ID = "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"  # the spec's example id
BXML = '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>'
NEW_CALL = telephony.NewCall(
    to="+19195551234",
    from_="+19195554321",
    answer_url="https://app.example/answer",
    fallback_url="https://app.example/fallback",
    status_callback_url="https://app.example/disconnect",
    ring_timeout=30,
    options=BandwidthOptions(
        tag="cassette",
        priority=2,
        machine_detection=MachineDetection(mode="async", callback_url="https://app.example/amd"),
        username="hook-user",
        password="hook-password-in-body",  # Bandwidth sends it to the answer URL: scrubbed
    ),
)
FILTERS: dict[str, Any] = {
    "to": "+19195551234",
    "started_after": datetime(2022, 6, 16, tzinfo=UTC),
    "started_before": datetime(2022, 6, 17, tzinfo=UTC),
}

pytestmark = pytest.mark.recorded_against("prism")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_example_state(call: telephony.Call) -> None:
    # The spec's callState example: answered, then disconnected with the placeholder
    # cause "string" (undocumented: COMPLETED because it was answered).
    assert call.id == CALL_ID
    assert call.status is telephony.CallStatus.COMPLETED
    assert call.disconnect_cause == "string"
    assert call.direction is telephony.Direction.INBOUND
    assert (call.to, call.from_) == ("+19195551234", "+19195554321")
    assert call.answered_at == _utc("2022-06-16T13:15:18.126Z")
    assert call.duration == timedelta(milliseconds=188)


def check_created(call: telephony.Call, *, recording: bool) -> None:
    assert call.id == CALL_ID
    assert call.status is telephony.CallStatus.QUEUED
    assert call.direction is telephony.Direction.OUTBOUND_API
    assert call.created_at == _utc("2022-06-16T13:15:07.160Z")
    assert call.raw["password"] == "*****"  # Bandwidth masks it in the answer
    if not recording:
        assert call.account_id == "ACCOUNT_ID"  # stored scrubbed


@pytest.mark.telephony_cassette("bandwidth/prism_operations.yaml")
def test_every_operation(
    telephony_client: Callable[..., telephony.Client], recording: bool
) -> None:
    transport = RecordingTransport()
    client = telephony_client("bandwidth", transport=transport)

    check_created(client.create_call(NEW_CALL), recording=recording)
    check_example_state(client.get_call(CALL_ID))
    listed = list(client.list_calls(page_size=2))
    assert len(listed) == 1
    check_example_state(listed[0])
    page = client.get_page(page_size=100, **FILTERS)
    assert page.next_cursor is None
    assert [call.id for call in page.items] == [CALL_ID]
    assert client.hangup(CALL_ID) is None
    assert client.redirect(CALL_ID, "https://app.example/next", method="GET") is None
    assert client.replace_bxml(CALL_ID, BXML) is None

    assert len(transport.exchanges) == 7
    assert_no_violations(transport.exchanges)


@pytest.mark.anyio
@pytest.mark.telephony_cassette("bandwidth/prism_operations_async.yaml")
async def test_every_operation_async(
    telephony_async_client: Callable[..., telephony.AsyncClient], recording: bool
) -> None:
    transport = AsyncRecordingTransport()
    async with telephony_async_client("bandwidth", transport=transport) as client:
        check_created(await client.create_call(NEW_CALL), recording=recording)
        check_example_state(await client.get_call(CALL_ID))
        listed = [call async for call in client.list_calls(page_size=2)]
        assert [call.id for call in listed] == [CALL_ID]
        assert await client.hangup(CALL_ID) is None
        assert await client.redirect(CALL_ID, "https://app.example/next") is None
        assert await client.replace_bxml(CALL_ID, BXML) is None
    assert len(transport.exchanges) == 6
    assert_no_violations(transport.exchanges)


ERROR_CLASSES: dict[int, type[telephony.ProviderError]] = {
    400: telephony.InvalidRequestError,
    401: telephony.AuthenticationError,
    403: telephony.PermissionDeniedError,
    404: telephony.NotFoundError,
    405: telephony.InvalidRequestError,
    409: telephony.ConflictError,
    415: telephony.InvalidRequestError,
    429: telephony.RateLimitedError,
    500: telephony.ProviderServerError,
}
READ_ERRORS = (400, 401, 403, 404, 405, 415, 429, 500)
UPDATE_ERRORS = (*READ_ERRORS, 409)
OPERATIONS: list[tuple[str, Callable[[telephony.Client], Any], tuple[int, ...]]] = [
    ("create_call", lambda c: c.create_call(NEW_CALL), READ_ERRORS),
    ("get_call", lambda c: c.get_call(CALL_ID), READ_ERRORS),
    ("list_calls", lambda c: list(c.list_calls(page_size=2)), READ_ERRORS),
    ("hangup", lambda c: c.hangup(CALL_ID), UPDATE_ERRORS),
    ("redirect", lambda c: c.redirect(CALL_ID, "https://app.example/next"), UPDATE_ERRORS),
    ("replace_bxml", lambda c: c.replace_bxml(CALL_ID, BXML), UPDATE_ERRORS),
]


@pytest.mark.telephony_cassette("bandwidth/prism_errors.yaml")
def test_every_error_path(telephony_client: Callable[..., telephony.Client]) -> None:
    transport = RecordingTransport()
    client = telephony_client("bandwidth", transport=transport)
    seen: list[tuple[str, int]] = []
    for name, run, statuses in OPERATIONS:
        for status in statuses:
            transport.prefer = f"code={status}"
            with pytest.raises(ERROR_CLASSES[status]) as caught:
                run(client)
            error = caught.value
            assert type(error) is ERROR_CLASSES[status], (name, status)
            assert (error.provider, error.status_code) == ("bandwidth", status)
            # The spec's voiceApiError example, as the neutral error carries it.
            assert error.code == "validation"
            assert error.message == "Invalid answerUrl: only http and https are allowed."
            assert json.loads(error.body or "")["type"] == "validation"
            if isinstance(error, telephony.RateLimitedError):
                assert error.retry_after is None  # Prism's Retry-After is "string"
            seen.append((name, status))
    assert len(seen) == 6 * 8 + 3
    assert [e.response.status_code for e in transport.exchanges] == [s for _, s in seen]
    assert_no_violations(transport.exchanges)
