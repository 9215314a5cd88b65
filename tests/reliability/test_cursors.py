"""A cursor comes back from storage, maybe edited or corrupted: every field of it is checked.

Anything that is not a cursor this library made is a ValidationError on ``cursor`` (a link to
another origin an UnsafeRedirectError), before any request; a cursor that is accepted sends its
one request under the configured root, never elsewhere.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import telephony
from telephony._cursor import encode_cursor
from tests.reliability.strategies import MOMENTS, NUMBERS, TEXT, json_wild, urls, wild
from tests.reliability.test_inputs import CALLS_PATH, Recorder, attempt, client, fake

BANDWIDTH_LIST = f"https://voice.bandwidth.com{CALLS_PATH['bandwidth']}"
ISO = st.one_of(
    MOMENTS.map(lambda moment: moment.isoformat()),
    st.sampled_from(["2026-03-02T12:00:00Z", "2026-03-02T12:00:00", "9999-12-31T23:59:59+14:00"]),
)
IDS = st.one_of(st.lists(TEXT, max_size=3), json_wild())
FILTERS = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "to": st.one_of(TEXT, json_wild()),
            "status": st.one_of(
                st.lists(st.sampled_from(["completed", "busy", "nope"])), json_wild()
            ),
            "started_after": st.one_of(ISO, json_wild()),
            "started_before": st.one_of(ISO, json_wild()),
            "elsewhere": json_wild(),
        },
    ),
    json_wild(),
)
BANDWIDTH_STATE = st.fixed_dictionaries(
    {},
    optional={
        "url": st.one_of(
            st.just(BANDWIDTH_LIST + "?pageToken=abc"),
            st.just("https://voice.bandwidth.com/api/v2/../../admin"),
            st.just("https://voice.bandwidth.com/other"),
            st.just("https://u:p@voice.bandwidth.com/api/v2/accounts/9900000/calls"),
            urls(),
            json_wild(),
        ),
        "n": st.one_of(st.integers(0, 20_000), NUMBERS, json_wild()),
        "after": st.one_of(ISO, json_wild()),
        "after_ids": IDS,
        "newest": st.one_of(ISO, json_wild()),
        "newest_ids": IDS,
        "f": FILTERS,
    },
)
RESTCOMM_STATE = st.fixed_dictionaries(
    {},
    optional={
        "page": st.one_of(st.integers(-2, 10**10), NUMBERS, json_wild()),
        "size": st.one_of(st.integers(-2, 2000), NUMBERS, json_wild()),
        "f": FILTERS,
    },
)


def check_page(provider: str, cursor: Any, recorder: Recorder) -> None:
    with client(provider, recorder) as api:
        page, error = attempt(lambda: api.get_page(cursor))
    if isinstance(error, telephony.ValidationError | telephony.UnsafeRedirectError):
        assert getattr(error, "field", "cursor") in ("cursor", "page_size"), error
        assert recorder.sent == []
        return
    # A ProviderError: the fake did not know the page; the request is what is checked.
    assert error is None or isinstance(error, telephony.ProviderError)
    assert page is None or isinstance(page, telephony.Page)
    (request,) = recorder.sent
    url = request.url
    assert url.host in ("voice.bandwidth.com", "rc.example")
    assert url.path == CALLS_PATH[provider]
    assert not url.userinfo
    assert not url.fragment


@given(
    cursor=st.one_of(
        wild().filter(lambda v: v is not None),
        st.text(alphabet="ABCDEFabcdef0123456789-_=", max_size=60),
    )
)
def test_anything_but_a_cursor_is_refused(cursor: Any) -> None:
    for provider in ("bandwidth", "restcomm"):
        recorder = fake(provider)
        with client(provider, recorder) as api, pytest.raises(telephony.ValidationError) as info:
            api.get_page(cursor)
        assert info.value.field == "cursor"
        assert recorder.sent == []


@given(state=BANDWIDTH_STATE)
def test_every_bandwidth_cursor_field_is_checked(state: dict[str, Any]) -> None:
    check_page("bandwidth", encode_cursor("bandwidth", state), fake("bandwidth"))


@given(state=RESTCOMM_STATE)
def test_every_restcomm_cursor_field_is_checked(state: dict[str, Any]) -> None:
    check_page("restcomm", encode_cursor("restcomm", state), fake("restcomm"))


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        raw_cursor('{"v":1,"p":"bandwidth","url":"' + BANDWIDTH_LIST + '","n":Infinity}'),
        raw_cursor('{"v":1,"p":"bandwidth","url":"' + BANDWIDTH_LIST + '","n":1e999}'),
        raw_cursor("[" * 100_000),
        raw_cursor('{"v":1,"p":"bandwidth","url":"http://[::1"}'),
        encode_cursor("bandwidth", {"url": BANDWIDTH_LIST, "after": "2026-03-02T12:00:00"}),
        encode_cursor("bandwidth", {"url": BANDWIDTH_LIST, "after_ids": "c-1"}),
        encode_cursor("bandwidth", {"url": BANDWIDTH_LIST, "n": "12"}),
        encode_cursor("bandwidth", {"url": BANDWIDTH_LIST, "f": []}),
        encode_cursor("bandwidth", {"url": "https://voice.bandwidth.com/api/v2/../x/calls"}),
        encode_cursor("restcomm", {"page": 10**12, "size": 50}),
        encode_cursor("restcomm", {"page": 2, "size": 50.0}),
        "é" * 10,
    ],
)
def test_cursor_refusals(cursor: str) -> None:
    provider = (
        json.loads(base64.urlsafe_b64decode(cursor + "===")).get("p", "bandwidth")
        if cursor.isascii() and cursor.startswith("eyJ")
        else "bandwidth"
    )
    recorder = fake(provider)
    with client(provider, recorder) as api, pytest.raises(telephony.ValidationError) as info:
        api.get_page(cursor)
    assert info.value.field == "cursor"
    assert recorder.sent == []


def test_a_cursor_made_by_a_listing_still_works() -> None:
    for provider in ("bandwidth", "restcomm"):
        with client(provider, fake(provider)) as api:
            page = api.get_page(page_size=2)
            assert page.next_cursor is not None
            assert api.get_page(page.next_cursor).items


def test_a_cursor_is_not_sent_to_another_path_under_the_origin() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=[]))
    state = {"url": "https://voice.bandwidth.com/admin/users"}
    with client("bandwidth", recorder) as api, pytest.raises(telephony.ValidationError):
        api.get_page(encode_cursor("bandwidth", state))
    assert recorder.sent == []


@pytest.mark.parametrize("page_size", ["5", 0, -1, 2.5, True, float("nan")])
@pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])
def test_a_page_size_beside_a_cursor_is_checked(provider: str, page_size: Any) -> None:
    with client(provider, fake(provider)) as api:
        cursor = api.get_page(page_size=2).next_cursor
        with pytest.raises(telephony.ValidationError) as info:
            api.get_page(cursor, page_size=page_size)
    assert info.value.field == "page_size"
