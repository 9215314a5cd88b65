"""Every Restcomm operation through Client and AsyncClient against the in-memory server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import telephony
from telephony import CallStatus, Direction, NewCall
from telephony._retry import RetryMode, retry_mode
from telephony.adapters.restcomm import (
    RestcommAdapter,
    RestcommCallUpdate,
    RestcommOptions,
    modify_call,
    modify_call_async,
)
from tests.restcomm.fake_server import (
    ACCOUNT,
    CALLS_PATH,
    TOKEN,
    FakeRestcomm,
    fixture,
    record,
    sid,
    text,
)
from tests.support import Both

NEW = NewCall(to="+15559876543", from_="+15551230000", answer_url="https://app.example/rcml")


def form_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode(), keep_blank_values=True))


def test_connect_builds_a_restcomm_client(api: Both) -> None:
    client = api.client
    assert client.provider == "restcomm"
    assert isinstance(client.adapter, RestcommAdapter)
    assert client.capabilities.replace_bxml is False
    assert client.capabilities.server_side_status_filter is False
    assert client.capabilities.max_page_size == 1000
    assert TOKEN not in repr(client)
    assert ACCOUNT in repr(client)


def test_create_call_posts_the_form_and_returns_the_queued_call(
    api: Both, server: FakeRestcomm
) -> None:
    call = api.create_call(
        NewCall(
            to="sip:bob@sip.example.com",
            from_="+15551230000",
            answer_url="https://app.example/rcml",
            answer_method="GET",
            fallback_url="https://app.example/fallback",
            fallback_method="POST",
            status_callback_url="https://app.example/status",
            status_callback_method="POST",
            ring_timeout=45.5,
            options=RestcommOptions(
                username="sipuser",
                password="sip-s3cret",
                status_callback_events=["initiated", "answered", "completed", "answered"],
            ),
        )
    )
    sent = server.requests[-1]
    assert (sent.method, sent.url.path) == ("POST", CALLS_PATH)
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Accept"] == "application/xml"
    assert form_of(sent) == {
        "From": "+15551230000",
        "To": "sip:bob@sip.example.com",
        "Url": "https://app.example/rcml",
        "Method": "GET",
        "FallbackUrl": "https://app.example/fallback",
        "FallbackMethod": "POST",
        "StatusCallback": "https://app.example/status",
        "StatusCallbackMethod": "POST",
        "StatusCallbackEvent": "initiated,answered,completed",
        "Timeout": "46",  # whole seconds, never shorter than asked
        "Username": "sipuser",
        "Password": "sip-s3cret",
    }
    assert retry_mode(sent) is RetryMode.CREATE
    assert call.id == f"ID1f2d67b716b34162954fbfc7d7d50b89-CA{901:032x}"
    assert (call.status, call.direction) == (CallStatus.QUEUED, Direction.OUTBOUND_API)
    # The server stores the SIP user part; Call.to keeps what the vendor wrote.
    assert call.to == "bob"
    assert call.duration is None
    assert call.answered_at is None
    assert call.started_at is not None  # StartTime is set at creation
    assert len(server.requests) == 1


def test_create_minimal_form_sends_only_what_was_given(api: Both, server: FakeRestcomm) -> None:
    api.create_call(NEW)
    assert form_of(server.requests[-1]) == {
        "From": "+15551230000",
        "To": "+15559876543",
        "Url": "https://app.example/rcml",
    }


def test_create_reads_a_call_under_an_odd_root(make_api: Callable[..., Both]) -> None:
    api = make_api(
        lambda request: httpx.Response(200, content=fixture("call_created_odd_root.xml"))
    )
    call = api.create_call(NEW)
    assert call.status is CallStatus.QUEUED
    assert call.created_at == datetime(2018, 7, 2, 14, 1, 2, tzinfo=UTC)


def test_create_is_never_resent_after_a_server_error(
    make_api: Callable[..., Both], server: FakeRestcomm
) -> None:
    server.fail_next.append(text(500, "java.lang.NullPointerException"))
    api = make_api(server, max_retries=3)
    with pytest.raises(telephony.ProviderServerError):
        api.create_call(NEW)
    assert len(server.requests) == 1


@pytest.mark.parametrize("number", [3, 900])
def test_get_call_both_sid_shapes(api: Both, server: FakeRestcomm, number: int) -> None:
    shaped = sid(number) if number < 900 else f"ID1f2d67b716b34162954fbfc7d7d50b89-CA{number:032x}"
    server.records.append(record(number, Sid=shaped))
    call = api.get_call(shaped)
    assert server.requests[-1].url.path == f"{CALLS_PATH}/{shaped}"
    assert server.requests[-1].method == "GET"
    assert call.id == shaped
    assert call.status is CallStatus.COMPLETED


def test_get_call_is_retried_after_a_server_error(
    make_api: Callable[..., Both], server: FakeRestcomm
) -> None:
    server.fail_next.append(text(503))
    api = make_api(server, max_retries=1)
    assert api.get_call(sid(1)).id == sid(1)
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("status", "after"),
    [
        ("queued", CallStatus.CANCELED),
        ("QUEUED", CallStatus.CANCELED),
        ("ringing", CallStatus.CANCELED),
        ("wait-for-answer", CallStatus.CANCELED),
        ("in-progress", CallStatus.COMPLETED),
        ("IN_PROGRESS", CallStatus.COMPLETED),
    ],
)
def test_hangup_sends_completed_whatever_the_state(
    api: Both, server: FakeRestcomm, status: str, after: CallStatus
) -> None:
    server.records.append(record(50, Status=status, EndTime=None, Duration=None))
    assert api.hangup(sid(50)) is None
    # One change, no read first: a read-then-cancel races the answer.
    (post,) = server.requests
    assert (post.method, post.url.path) == ("POST", f"{CALLS_PATH}/{sid(50)}")
    assert form_of(post) == {"Status": "completed"}
    assert retry_mode(post) is RetryMode.UPDATE
    assert api.get_call(sid(50)).status is after


def test_hangup_ends_a_call_answered_after_the_caller_last_looked(
    api: Both, server: FakeRestcomm
) -> None:
    # The caller saw it ringing; it was answered since. Status=canceled would do nothing now.
    server.records.append(record(52, Status="RINGING", EndTime=None, Duration=None))
    assert api.get_call(sid(52)).status is CallStatus.RINGING
    server.find(sid(52)).update(Status="IN_PROGRESS")  # type: ignore[union-attr]
    api.hangup(sid(52))
    call = api.get_call(sid(52))
    assert call.status is CallStatus.COMPLETED
    assert call.duration is not None


def test_hangup_hands_out_nothing_from_the_pre_change_answer(
    api: Both, server: FakeRestcomm
) -> None:
    server.records.append(record(51, Status="in-progress", EndTime=None))
    assert api.hangup(sid(51)) is None
    # The modify answer said in-progress (the state before); the call is now completed.
    assert api.get_call(sid(51)).status is CallStatus.COMPLETED


def test_hangup_of_an_ended_call_is_a_conflict(api: Both) -> None:
    with pytest.raises(telephony.ConflictError) as info:
        api.hangup(sid(1))
    assert info.value.status_code == 410
    assert info.value.message == "Call is already completed."


def test_hangup_of_an_unknown_call_is_not_found(api: Both, server: FakeRestcomm) -> None:
    with pytest.raises(telephony.NotFoundError):
        api.hangup(sid(404))
    assert len(server.requests) == 1  # nothing is posted for a call that is not there


def test_redirect_posts_url_and_method(api: Both, server: FakeRestcomm) -> None:
    server.records.append(record(52, Status="in-progress", EndTime=None))
    assert api.redirect(sid(52), "https://app.example/next", method="GET") is None
    sent = server.requests[-1]
    assert (sent.method, sent.url.path) == ("POST", f"{CALLS_PATH}/{sid(52)}")
    assert form_of(sent) == {"Url": "https://app.example/next", "Method": "GET"}
    assert retry_mode(sent) is RetryMode.UPDATE
    assert len(server.requests) == 1


def test_modify_of_an_unknown_call_406_is_not_found(api: Both) -> None:
    with pytest.raises(telephony.NotFoundError) as info:
        api.redirect(sid(999), "https://app.example/next")
    assert info.value.status_code == 406
    assert info.value.message == "no call with this SID"


def test_modify_is_not_resent_after_a_server_error_but_is_after_429(
    make_api: Callable[..., Both], server: FakeRestcomm
) -> None:
    server.records.append(record(53, Status="in-progress", EndTime=None))
    api = make_api(server, max_retries=2)
    server.fail_next.append(text(500, "boom"))
    with pytest.raises(telephony.ProviderServerError):
        api.redirect(sid(53), "https://app.example/next")
    assert len(server.requests) == 1
    server.fail_next.append(httpx.Response(429, headers={"Retry-After": "0"}))
    api.redirect(sid(53), "https://app.example/next")
    assert len(server.requests) == 3


def _modify(api: Both, call_id: str, update: RestcommCallUpdate) -> Any:
    if api.mode == "sync":
        return modify_call(api.client, call_id=call_id, update=update)
    return api._run(modify_call_async(api.client, call_id=call_id, update=update))


def test_vendor_only_modify_reaches_mute_and_move_connected_call_leg(
    api: Both, server: FakeRestcomm
) -> None:
    server.records.append(record(54, Status="in-progress", EndTime=None))
    update = RestcommCallUpdate(
        url="https://app.example/moved",
        method="POST",
        status_callback_url="https://app.example/status",
        mute=True,
        move_connected_call_leg=True,
    )
    assert _modify(api, sid(54), update) is None
    sent = server.requests[-1]
    assert form_of(sent) == {
        "Url": "https://app.example/moved",
        "Method": "POST",
        "StatusCallback": "https://app.example/status",
        "MoveConnectedCallLeg": "true",
        "Mute": "true",
    }
    assert retry_mode(sent) is RetryMode.UPDATE
    assert _modify(api, sid(54), RestcommCallUpdate(mute=False)) is None
    assert form_of(server.requests[-1]) == {"Mute": "false"}


def test_vendor_only_modify_refuses_another_providers_client(mode: str) -> None:
    settings = {"account_id": "9900000", "username": "u", "password": "p"}
    other = Both(mode, "bandwidth", lambda request: httpx.Response(500), **settings)
    try:
        with pytest.raises(telephony.ValidationError) as info:
            _modify(other, sid(1), RestcommCallUpdate(mute=True))
        assert info.value.field == "client"
    finally:
        other.close()


def test_replace_bxml_is_unsupported(api: Both, server: FakeRestcomm) -> None:
    with pytest.raises(telephony.UnsupportedOperationError):
        api.replace_bxml(sid(1), "<Bxml/>")
    assert server.requests == []


def test_basic_auth_with_account_sid_and_token(api: Both, server: FakeRestcomm) -> None:
    api.get_call(sid(1))
    auth = server.requests[-1].headers["Authorization"]
    assert auth.startswith("Basic ")


def test_bad_credentials_401_empty_body(make_api: Callable[..., Both]) -> None:
    api = make_api(FakeRestcomm(), auth_token="wrong-token")
    with pytest.raises(telephony.AuthenticationError) as info:
        api.get_call(sid(1))
    err = info.value
    assert (err.status_code, err.body) == (401, "")
    assert "auth_token" in err.message
    assert "wrong-token" not in str(err)
