"""Every Bandwidth operation through ``telephony.connect("bandwidth", base_url=<Prism>)``,
against Prism's mock of Bandwidth's own Calls spec, for ``Client`` and ``AsyncClient``.

Prism validates each request (required fields, enums, ranges, formats, content type, auth)
and reports what breaks the spec in the ``sl-violations`` header: every exchange here must
have none. ``Prefer: code=N`` makes Prism answer a declared error, which must map to the
neutral error carrying the ``voiceApiError`` fields.

Prism answers from the spec's examples, with placeholders where the spec has none; what the
adapter makes of them (asserted below):
- ``disconnectCause: "string"`` on an answered, disconnected call is a cause nobody
  documented: status COMPLETED (it was answered), ``disconnect_cause == "string"``.
- ``Location: string`` on create: unused, the call comes from the JSON body.
- ``Retry-After: string`` on 429: ``retry_after`` is None and retries back off instead.
- No ``Link`` header ever: every listing is a single page.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import httpx
import pytest

import telephony
from telephony.adapters.bandwidth import BandwidthOptions, MachineDetection
from tests.prism.harness import (
    AsyncRecordingTransport,
    Exchange,
    PrismServer,
    RecordingTransport,
    assert_no_violations,
    violations,
)

ACCOUNT_ID = "9900000"
APPLICATION_ID = "04e88489-df02-4e34-a0ee-27a91849555f"
SETTINGS: dict[str, Any] = {
    "account_id": ACCOUNT_ID,
    "username": "prism-user",
    "password": "prism-secret",
    "application_id": APPLICATION_ID,
}
CALL_ID = "c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"  # the spec's example id
CALLS_PATH = f"/accounts/{ACCOUNT_ID}/calls"
CALL_PATH = f"{CALLS_PATH}/{CALL_ID}"
BXML = '<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Hi</SpeakSentence></Bxml>'

NEW_CALL = telephony.NewCall(
    to="+19195551234",
    from_="+19195554321",
    answer_url="https://app.example/answer",
    answer_method="POST",
    fallback_url="https://app.example/fallback",
    fallback_method="GET",
    status_callback_url="https://app.example/disconnect",
    status_callback_method="POST",
    ring_timeout=30.5,
    options=BandwidthOptions(
        priority=1,
        tag="prism",
        display_name="Prism Test",
        privacy=False,
        uui="aGVsbG8gd29ybGQ;encoding=base64",
        callback_timeout=10,
        machine_detection=MachineDetection(
            mode="async",
            detection_timeout=15,
            callback_url="https://app.example/amd",
            callback_method="POST",
        ),
        username="hook-user",
        password="hook-secret",
    ),
)
# What the adapter must send for NEW_CALL (so Prism validated each of these fields).
CREATE_FIELDS = {
    "to",
    "from",
    "applicationId",
    "answerUrl",
    "answerMethod",
    "answerFallbackUrl",
    "answerFallbackMethod",
    "disconnectUrl",
    "disconnectMethod",
    "callTimeout",
    "callbackTimeout",
    "machineDetection",
    "priority",
    "tag",
    "displayName",
    "privacy",
    "uui",
    "username",
    "password",
}
UPDATE_ERRORS = frozenset({400, 401, 403, 404, 405, 409, 415, 429, 500})
OTHER_ERRORS = UPDATE_ERRORS - {409}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- what each answer must read as ---------------------------------------------------------------


def check_created(call: Any) -> None:
    # createCallResponseExample, read as a queued outbound call.
    assert isinstance(call, telephony.Call)
    assert call.provider == "bandwidth"
    assert call.id == CALL_ID
    assert call.status is telephony.CallStatus.QUEUED
    assert call.direction is telephony.Direction.OUTBOUND_API
    assert call.account_id == ACCOUNT_ID
    assert (call.to, call.from_) == ("+19195551234", "+19195554312")
    assert call.created_at == _utc("2022-06-16T13:15:07.160Z")
    assert call.raw["password"] == "*****"


def check_state(call: Any) -> None:
    # The callState the spec's examples make: answered, disconnected with cause "string".
    assert isinstance(call, telephony.Call)
    assert call.id == CALL_ID
    assert call.vendor_status == "disconnected"
    assert call.disconnect_cause == "string"
    assert call.status is telephony.CallStatus.COMPLETED  # undocumented cause, answered
    assert call.direction is telephony.Direction.INBOUND  # inbound even with a parent call
    assert call.parent_id == "c-25ac29a2-1331029c-2cb0-4a07-b215-b22865662d85"
    assert (call.to, call.from_) == ("+19195551234", "+19195554321")
    assert call.created_at == _utc("2022-06-16T13:15:07.160Z")
    assert call.started_at == _utc("2022-06-16T13:15:07.160Z")
    assert call.answered_at == _utc("2022-06-16T13:15:18.126Z")
    assert call.ended_at == _utc("2022-06-16T13:15:18.314Z")
    assert call.updated_at == _utc("2022-06-16T13:15:18.314Z")
    assert call.duration == timedelta(milliseconds=188)
    assert call.raw["stirShaken"]["verstat"] == "TN-Validation-Passed"


def check_one_state(calls: Any) -> None:
    assert isinstance(calls, list)
    assert len(calls) == 1
    check_state(calls[0])


def check_page(page: Any) -> None:
    assert isinstance(page, telephony.Page)
    assert page.next_cursor is None  # Prism never sends a Link header
    check_one_state(list(page.items))


def check_nothing(calls: Any) -> None:
    # status=BUSY is sent as disconnectCause=busy, and refined on the client: Prism's record
    # (cause "string", answered: COMPLETED) is not busy.
    assert calls == []


def check_none(result: Any) -> None:
    assert result is None


# -- the operations ------------------------------------------------------------------------------

AFTER = datetime(2022, 6, 16, tzinfo=UTC)
BEFORE = datetime(2022, 6, 17, 12, 30, tzinfo=UTC)
PAGE_FILTERS: dict[str, Any] = {
    "page_size": 500,
    "to": "+19195551234",
    "from_": "+19195554321",
    "started_after": AFTER,
    "started_before": BEFORE,
}


async def _alist(client: telephony.AsyncClient, **kwargs: Any) -> list[telephony.Call]:
    return [call async for call in client.list_calls(**kwargs)]


@attrs.frozen
class Operation:
    name: str
    run: Callable[[telephony.Client], Any]
    run_async: Callable[[telephony.AsyncClient], Awaitable[Any]]
    check: Callable[[Any], None]
    method: str
    path: str
    query: dict[str, str] = attrs.field(factory=dict)
    errors: frozenset[int] = OTHER_ERRORS


OPERATIONS = [
    Operation(
        "create_call",
        lambda c: c.create_call(NEW_CALL),
        lambda c: c.create_call(NEW_CALL),
        check_created,
        "POST",
        CALLS_PATH,
    ),
    Operation(
        "get_call",
        lambda c: c.get_call(CALL_ID),
        lambda c: c.get_call(CALL_ID),
        check_state,
        "GET",
        CALL_PATH,
    ),
    Operation(
        "list_calls",
        lambda c: list(c.list_calls(page_size=2)),
        lambda c: _alist(c, page_size=2),
        check_one_state,
        "GET",
        CALLS_PATH,
        {"pageSize": "2"},
    ),
    Operation(
        "list_calls_busy",
        lambda c: list(c.list_calls(status=telephony.CallStatus.BUSY)),
        lambda c: _alist(c, status=telephony.CallStatus.BUSY),
        check_nothing,
        "GET",
        CALLS_PATH,
        {"disconnectCause": "busy"},
    ),
    Operation(
        "get_page",
        lambda c: c.get_page(**PAGE_FILTERS),
        lambda c: c.get_page(**PAGE_FILTERS),
        check_page,
        "GET",
        CALLS_PATH,
        {
            "pageSize": "500",
            "to": "+19195551234",
            "from": "+19195554321",
            "minStartTime": "2022-06-16T00:00:00.000Z",
            "maxStartTime": "2022-06-17T12:30:00.000Z",
        },
    ),
    Operation(
        "hangup",
        lambda c: c.hangup(CALL_ID),
        lambda c: c.hangup(CALL_ID),
        check_none,
        "POST",
        CALL_PATH,
        errors=UPDATE_ERRORS,
    ),
    Operation(
        "redirect",
        lambda c: c.redirect(CALL_ID, "https://app.example/redirect", method="GET"),
        lambda c: c.redirect(CALL_ID, "https://app.example/redirect", method="GET"),
        check_none,
        "POST",
        CALL_PATH,
        errors=UPDATE_ERRORS,
    ),
    Operation(
        "replace_bxml",
        lambda c: c.replace_bxml(CALL_ID, BXML),
        lambda c: c.replace_bxml(CALL_ID, BXML),
        check_none,
        "PUT",
        f"{CALL_PATH}/bxml",
        errors=UPDATE_ERRORS,
    ),
]
BY_NAME = {operation.name: operation for operation in OPERATIONS}


def connect(prism: PrismServer, transport: RecordingTransport, **kwargs: Any) -> telephony.Client:
    kwargs.setdefault("max_retries", 0)
    return telephony.connect(
        "bandwidth", base_url=prism.url, transport=transport, **SETTINGS, **kwargs
    )


def connect_async(
    prism: PrismServer, transport: AsyncRecordingTransport, **kwargs: Any
) -> telephony.AsyncClient:
    kwargs.setdefault("max_retries", 0)
    return telephony.connect_async(
        "bandwidth", base_url=prism.url, transport=transport, **SETTINGS, **kwargs
    )


def check_sent(operation: Operation, exchanges: list[Exchange]) -> None:
    assert [(e.request.method, e.request.url.path) for e in exchanges] == [
        (operation.method, operation.path)
    ]
    params = dict(exchanges[0].request.url.params)
    assert params == {**params, **operation.query}
    if operation.name == "create_call":
        body = json.loads(exchanges[0].request.content)
        assert set(body) == CREATE_FIELDS
    assert_no_violations(exchanges)


# -- every operation, zero violations ------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
def test_operation_sync(prism_mock: PrismServer, operation: Operation) -> None:
    transport = RecordingTransport()
    with connect(prism_mock, transport) as client:
        result = operation.run(client)
    check_sent(operation, transport.exchanges)
    operation.check(result)


@pytest.mark.anyio
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
async def test_operation_async(prism_mock: PrismServer, operation: Operation) -> None:
    transport = AsyncRecordingTransport()
    async with connect_async(prism_mock, transport) as client:
        result = await operation.run_async(client)
    check_sent(operation, transport.exchanges)
    operation.check(result)


# -- the spec's error answers, forced with Prefer: code=N ----------------------------------------

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
ERROR_CASES = [
    pytest.param(operation, status, id=f"{operation.name}-{status}")
    for operation in OPERATIONS
    if operation.name != "list_calls_busy"
    for status in sorted(operation.errors)
]


def check_error(error: telephony.ProviderError, status: int) -> None:
    # The spec's example voiceApiError: {"type": "validation", "description": "Invalid ..."}
    assert type(error) is ERROR_CLASSES[status]
    assert error.provider == "bandwidth"
    assert error.status_code == status
    assert error.code == "validation"
    assert error.message == "Invalid answerUrl: only http and https are allowed."
    assert error.request_id is None
    assert json.loads(error.body) == {
        "type": "validation",
        "description": "Invalid answerUrl: only http and https are allowed.",
    }
    assert "prism-secret" not in str(error)
    if isinstance(error, telephony.RateLimitedError):
        assert error.retry_after is None  # Prism's Retry-After is the placeholder "string"


@pytest.mark.parametrize(("operation", "status"), ERROR_CASES)
def test_forced_error_sync(prism_mock: PrismServer, operation: Operation, status: int) -> None:
    transport = RecordingTransport(prefer=f"code={status}")
    with connect(prism_mock, transport) as client, pytest.raises(ERROR_CLASSES[status]) as caught:
        operation.run(client)
    check_error(caught.value, status)
    assert [e.response.status_code for e in transport.exchanges] == [status]
    assert_no_violations(transport.exchanges)


@pytest.mark.anyio
@pytest.mark.parametrize(("operation", "status"), ERROR_CASES)
async def test_forced_error_async(
    prism_mock: PrismServer, operation: Operation, status: int
) -> None:
    transport = AsyncRecordingTransport(prefer=f"code={status}")
    async with connect_async(prism_mock, transport) as client:
        with pytest.raises(ERROR_CLASSES[status]) as caught:
            await operation.run_async(client)
    check_error(caught.value, status)
    assert [e.response.status_code for e in transport.exchanges] == [status]
    assert_no_violations(transport.exchanges)


# -- retries on the forced errors (one retry allowed, no wait) -----------------------------------

RETRY_CASES = [
    # reads retry on 429 (Retry-After "string" is junk: plain backoff) and on 5xx
    ("get_call", 429, 2),
    ("get_call", 500, 2),
    ("list_calls", 429, 2),
    ("get_page", 500, 2),
    # updates retry on 429 only
    ("hangup", 429, 2),
    ("hangup", 500, 1),
    ("redirect", 429, 2),
    ("replace_bxml", 429, 2),
    ("replace_bxml", 500, 1),
    # placing a call is never sent twice once it may have reached the vendor
    ("create_call", 429, 1),
    ("create_call", 500, 1),
]


@pytest.mark.parametrize(("name", "status", "sends"), RETRY_CASES)
def test_retries_sync(prism_mock: PrismServer, name: str, status: int, sends: int) -> None:
    transport = RecordingTransport(prefer=f"code={status}")
    with (
        connect(prism_mock, transport, max_retries=1, backoff=0.0) as client,
        pytest.raises(ERROR_CLASSES[status]),
    ):
        BY_NAME[name].run(client)
    assert [e.response.status_code for e in transport.exchanges] == [status] * sends
    assert_no_violations(transport.exchanges)


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "status", "sends"), RETRY_CASES)
async def test_retries_async(prism_mock: PrismServer, name: str, status: int, sends: int) -> None:
    transport = AsyncRecordingTransport(prefer=f"code={status}")
    async with connect_async(prism_mock, transport, max_retries=1, backoff=0.0) as client:
        with pytest.raises(ERROR_CLASSES[status]):
            await BY_NAME[name].run_async(client)
    assert [e.response.status_code for e in transport.exchanges] == [status] * sends
    assert_no_violations(transport.exchanges)


# -- the check itself can fail -------------------------------------------------------------------

BAD_REQUESTS = [
    pytest.param(
        "POST",
        CALLS_PATH,
        {"json": {"to": "+19195551234", "from": "+19195554321"}},
        400,
        "answerUrl",
        id="create-missing-required-fields",
    ),
    pytest.param(
        "POST",
        CALL_PATH,
        {"json": {"state": "hungup"}},
        400,
        "state",
        id="update-state-not-in-enum",
    ),
    pytest.param(
        "PUT",
        f"{CALL_PATH}/bxml",
        {"content": BXML, "headers": {"Content-Type": "text/plain"}},
        415,
        "application/xml",
        id="bxml-wrong-content-type",
    ),
    pytest.param(
        "GET",
        CALLS_PATH,
        {"params": {"pageSize": "0"}},
        400,
        "pagesize",
        id="list-page-size-below-minimum",
    ),
]


@pytest.mark.parametrize(("method", "path", "send", "status", "mentions"), BAD_REQUESTS)
def test_violation_check_fails_on_a_bad_request(
    prism_mock: PrismServer,
    method: str,
    path: str,
    send: dict[str, Any],
    status: int,
    mentions: str,
) -> None:
    transport = RecordingTransport()
    with httpx.Client(
        base_url=prism_mock.url, transport=transport, auth=("prism-user", "prism-secret")
    ) as http:
        response = http.request(method, path, **send)
    assert response.status_code == status
    assert violations(response), "Prism reported nothing about a request that breaks the spec"
    with pytest.raises(AssertionError, match=mentions):
        assert_no_violations(transport.exchanges)


def test_violation_check_fails_without_credentials(prism_mock: PrismServer) -> None:
    transport = RecordingTransport()
    with httpx.Client(base_url=prism_mock.url, transport=transport) as http:
        response = http.get(CALL_PATH)
    assert response.status_code == 401
    with pytest.raises(AssertionError, match="security"):
        assert_no_violations(transport.exchanges)
