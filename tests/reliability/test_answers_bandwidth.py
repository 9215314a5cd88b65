"""Containment, Bandwidth: whatever the server answers to any operation (OAuth2 token fetch
included), only a TelephonyError or a well-typed result comes out of the public clients."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.bandwidth.fake_server import record
from tests.reliability.answer_strategies import (
    HUGE_NUMBERS,
    ISO_DATES,
    LINK_VALUES,
    RETRIES,
    STYLES,
    WRONG,
    answers,
    mutate,
    nested,
)
from tests.reliability.answers import OAUTH, OPERATIONS, TOKEN_URL, check_outcome, run

# Most pages link on (so listings go on), some with links that are not.
LINKS = st.one_of(
    st.just(b'</api/v2/accounts/9900000/calls?pageToken=more>; rel="next"'), LINK_VALUES
)

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)

# A rare shape (an extreme date in a 200 answer) needs a few hundred examples to turn up:
# at least 300 in CI, the profile's count when it asks for more (soak: 10,000).
MORE = settings(max_examples=max(300, settings.default.max_examples))


@st.composite
def call_states(draw: st.DrawFn, style: str) -> Any:
    return mutate(record(draw(st.integers(0, 9999))), draw, ISO_DATES, style)


@st.composite
def created(draw: st.DrawFn, style: str) -> Any:
    answer = {
        "applicationId": "04e88489-df02-4e34-a0ee-27a91849555f",
        "accountId": "9900000",
        "callId": "c-2bd0b1b2-7aa1b43c-66df-4a61-a8c1-c6f3d2e1aa01",
        "to": "+15551234567",
        "from": "+15557654321",
        "callUrl": "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-1",
        "answerUrl": "https://app.example/answer",
        "enqueuedTime": "2022-06-16T13:00:07.160Z",
        "callTimeout": 30,
        "priority": 5,
    }
    return mutate(answer, draw, ISO_DATES, style)


@st.composite
def json_bodies(draw: st.DrawFn, shape: st.SearchStrategy[Any]) -> bytes:
    """Mostly ``shape`` (what the operation expects, some fields odd), else anything."""
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return draw(st.binary(max_size=64))
    if kind == 1:
        return nested(draw(st.integers(900, 5000)), draw(st.sampled_from(["[", '{"a":'])), "")
    if kind == 2:
        return nested(draw(st.integers(1, 3000)), "[", "]")
    if kind == 3:
        return json.dumps(draw(JSON_VALUES)).encode()
    if kind == 4:
        return draw(HUGE_NUMBERS).encode()
    encoded = json.dumps(draw(shape)).encode("utf-8", "surrogatepass")
    if kind == 5:  # cut short
        return encoded[: draw(st.integers(0, len(encoded)))]
    if kind == 6:  # invalid unicode
        spot = draw(st.integers(0, len(encoded)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"]))
        return encoded[:spot] + bad + encoded[spot:]
    return encoded


def _shape(request: httpx.Request, style: str) -> st.SearchStrategy[Any]:
    if request.url.path.endswith("/calls"):
        if request.method == "POST":
            return created(style)
        return st.lists(call_states(style), max_size=4)
    return call_states(style)


@st.composite
def token_answers(draw: st.DrawFn) -> httpx.Response:
    if draw(st.integers(0, 3)) == 0:
        return draw(answers(json_bodies(st.just({"access_token": "t"}))))
    body = {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600}
    body = mutate(body, draw, st.just("x"))
    if draw(st.booleans()):
        body["expires_in"] = draw(st.one_of(HUGE_NUMBERS, WRONG, st.floats()))
    if draw(st.booleans()):
        body["access_token"] = draw(
            st.one_of(WRONG, st.sampled_from(["tok\r\nX-Evil: 1", "tök", "a" * 70000]))
        )
    status = draw(st.sampled_from([200, 200, 200, 400, 401, 500, 201]))
    return httpx.Response(status, content=json.dumps(body).encode("utf-8", "surrogatepass"))


def _server(data: st.DataObject, style: str = "mixed") -> Any:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        assert len(requests) <= 40, "a bounded operation kept asking"
        if str(request.url) == TOKEN_URL:
            return data.draw(token_answers())
        return data.draw(answers(json_bodies(_shape(request, style)), LINKS))

    return handler


@pytest.mark.parametrize("style", STYLES)
@MORE
@given(
    data=st.data(),
    operation=st.sampled_from(sorted(OPERATIONS)),
    mode=st.sampled_from(["sync", "async"]),
)
def test_any_answer_to_any_operation_is_contained(
    style: str, data: st.DataObject, operation: str, mode: str
) -> None:
    outcome = run(mode, "bandwidth", operation, _server(data, style), **data.draw(RETRIES))
    event(f"{operation}: {type(outcome).__name__}")
    check_outcome(operation, outcome)


@MORE
@given(
    data=st.data(),
    operation=st.sampled_from(sorted(OPERATIONS)),
    mode=st.sampled_from(["sync", "async"]),
)
def test_any_token_answer_is_contained(data: st.DataObject, operation: str, mode: str) -> None:
    outcome = run(mode, "bandwidth", operation, _server(data), **data.draw(RETRIES), **OAUTH)
    event(f"{operation}: {type(outcome).__name__}")
    check_outcome(operation, outcome)


@MORE
@given(
    state=st.text(max_size=12),
    cause=st.one_of(st.none(), st.text(max_size=12)),
    direction=st.one_of(st.none(), st.text(max_size=12)),
)
def test_undocumented_values_never_raise(
    state: str, cause: str | None, direction: str | None
) -> None:
    body = record(1, state=state, disconnectCause=cause, direction=direction)
    call = run(
        "sync", "bandwidth", "get_call", lambda _: httpx.Response(200, json=body), max_retries=0
    )
    check_outcome("get_call", call)
    assert call.vendor_status == state
    assert call.disconnect_cause == cause
