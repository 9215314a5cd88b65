"""Helpers for the answer tests: streamed bodies, every public operation on either client,
and what a ``Call`` must look like whatever the server said."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

import telephony
from telephony.adapters.restcomm import RestcommCallUpdate, modify_call, modify_call_async
from tests.bandwidth.fake_server import SETTINGS as BANDWIDTH
from tests.restcomm.fake_server import SETTINGS as RESTCOMM

SETTINGS = {"bandwidth": BANDWIDTH, "restcomm": RESTCOMM}
OAUTH = {"client_id": "cid", "client_secret": "csecret-42", "username": None, "password": None}
TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token"


class Streamed(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives in chunks (as from a socket), for either client; ``sent`` counts
    the bytes the reader pulled."""

    def __init__(self, chunks: Callable[[], Iterable[bytes]]) -> None:
        self._chunks = chunks
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks():
            self.sent += len(chunk)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            self.sent += len(chunk)
            yield chunk


def streamed(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    """An answer whose body is a stream (as from a real server), not pre-read by httpx."""
    chunk = 16384
    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    return httpx.Response(status, headers=headers or {}, stream=Streamed(lambda: parts))


def new_call(provider: str) -> telephony.NewCall:
    return telephony.NewCall(
        to="+15551234567", from_="+15557654321", answer_url="https://app.example/answer"
    )


# One entry per public operation: (name, how to call it on a client given its provider).
OPERATIONS: dict[str, Callable[[Any, str], Any]] = {
    "create_call": lambda c, p: c.create_call(new_call(p)),
    "get_call": lambda c, p: c.get_call("CA0123456789abcdef0123456789abcdef"),
    "hangup": lambda c, p: c.hangup("CA0123456789abcdef0123456789abcdef"),
    "redirect": lambda c, p: c.redirect(
        "CA0123456789abcdef0123456789abcdef", "https://app.example/next"
    ),
    "replace_bxml": lambda c, p: c.replace_bxml(
        "CA0123456789abcdef0123456789abcdef", "<Bxml><Hangup/></Bxml>"
    ),
    "get_page": lambda c, p: c.get_page(page_size=3),
    "list_calls": lambda c, p: c.list_calls(page_size=3, limit=7),
}
CALL_SID = "CA0123456789abcdef0123456789abcdef"


def _modify(client: Any, provider: str) -> Any:
    """Restcomm's vendor-only operation (a no-op question elsewhere: not run there)."""
    modify = modify_call if isinstance(client, telephony.Client) else modify_call_async
    return modify(client, call_id=CALL_SID, update=RestcommCallUpdate(mute=True))


RESTCOMM_OPERATIONS = {**OPERATIONS, "modify_call": _modify}


def run(
    mode: str,
    provider: str,
    operation: str,
    handler: Callable[[httpx.Request], httpx.Response],
    **settings: Any,
) -> Any:
    """``operation`` through the public client (sync or async): its result, or the exception
    it raised (returned, not raised, so the caller can judge it)."""
    kwargs = {**SETTINGS[provider], "max_retries": 1, "backoff": 0.0, **settings}
    call = RESTCOMM_OPERATIONS[operation]
    try:
        if mode == "sync":
            with telephony.connect(
                provider, transport=httpx.MockTransport(handler), **kwargs
            ) as client:
                result = call(client, provider)
                return list(result) if operation == "list_calls" else result

        async def go() -> Any:
            async with telephony.connect_async(
                provider, transport=httpx.MockTransport(handler), **kwargs
            ) as client:
                result = call(client, provider)
                if operation == "list_calls":
                    return [item async for item in result]
                return await result

        return asyncio.run(go())
    except Exception as exc:
        return exc


def _text(value: object) -> bool:
    return value is None or type(value) is str


def check_call(call: object) -> None:
    """What every Call must be: typed fields only, whatever the server sent."""
    assert isinstance(call, telephony.Call), call
    assert type(call.id) is str
    assert call.id
    assert isinstance(call.status, telephony.CallStatus)
    assert isinstance(call.direction, telephony.Direction)
    for name in (
        "vendor_status",
        "account_id",
        "parent_id",
        "from_",
        "to",
        "disconnect_cause",
        "currency",
        "answered_by",
    ):
        assert _text(getattr(call, name)), (name, getattr(call, name))
    for name in ("created_at", "started_at", "answered_at", "ended_at", "updated_at"):
        moment = getattr(call, name)
        assert moment is None or (type(moment) is datetime and moment.tzinfo is UTC), name
    assert call.duration is None or type(call.duration) is timedelta
    if call.price is not None:
        assert type(call.price) is Decimal
        assert call.price.is_finite()
        assert math.isfinite(float(call.price))
    repr(call)


def check_outcome(operation: str, outcome: object) -> None:
    """The containment rule: a typed result, or a TelephonyError; nothing else."""
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, telephony.TelephonyError), repr(outcome)
        str(outcome)  # the message itself must be readable
        return
    if operation in ("create_call", "get_call"):
        check_call(outcome)
    elif operation in ("hangup", "redirect", "replace_bxml", "modify_call"):
        assert outcome is None
    elif operation == "get_page":
        assert isinstance(outcome, telephony.Page)
        assert outcome.next_cursor is None or type(outcome.next_cursor) is str
        for call in outcome.items:
            check_call(call)
    else:
        assert isinstance(outcome, list)
        for call in outcome:
            check_call(call)
