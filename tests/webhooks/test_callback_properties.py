"""Whatever arrives at a callback URL, ``parse_callback`` answers a ``CallEvent`` or raises
``InvalidCallbackError``, nothing else; and a well-formed event survives any extra field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import telephony
from tests.webhooks import examples as ex

PROVIDERS = pytest.mark.parametrize("provider", ["bandwidth", "restcomm"])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "eventType",
        "callId",
        "parentCallId",
        "accountId",
        "direction",
        "cause",
        "eventTime",
        "answerTime",
        "endTime",
        "machineDetectionResult",
        "CallSid",
        "CallStatus",
        "AccountSid",
        "Timestamp",
        "Direction",
        "ParentCallSid",
        "CallbackSource",
        "SequenceNumber",
    ]
) | st.text(max_size=12)
BODIES = st.one_of(
    st.binary(max_size=300),
    st.dictionaries(KEYS, JSON, max_size=8).map(lambda d: json.dumps(d).encode()),
    st.lists(st.tuples(KEYS, st.text(max_size=30) | st.none()), max_size=8).map(
        lambda pairs: "&".join(k if v is None else f"{k}={v}" for k, v in pairs).encode()
    ),
)
HEADERS = st.dictionaries(
    st.sampled_from(["Content-Type", "Authorization", "X-Other", "authorization"]),
    st.text(max_size=40),
    max_size=3,
)
URLS = st.builds(
    lambda path, query: f"https://app.example/{path}?{query}",
    st.text(max_size=20),
    st.text(max_size=60),
)


def read(provider: str, method: str, url: str, headers: Any, body: bytes, **auth: str) -> None:
    try:
        event = telephony.parse_callback(
            provider, method=method, url=url, headers=headers, body=body, **auth
        )
    except telephony.InvalidCallbackError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert refused.provider == provider
        return
    assert isinstance(event, telephony.CallEvent)
    assert event.call_id
    assert event.event
    assert event.status is None or isinstance(event.status, telephony.CallStatus)
    for moment in (event.occurred_at, event.answered_at, event.ended_at):
        assert moment is None or moment.utcoffset() is not None


@PROVIDERS
@given(method=st.sampled_from(["POST", "GET", "PUT"]), url=URLS, headers=HEADERS, body=BODIES)
def test_any_request_is_an_event_or_an_invalid_callback(
    provider: str, method: str, url: str, headers: dict[str, str], body: bytes
) -> None:
    read(provider, method, url, headers, body)


@PROVIDERS
@given(url=URLS, headers=HEADERS, body=BODIES)
def test_with_checks_any_request_is_still_an_event_or_an_invalid_callback(
    provider: str, url: str, headers: dict[str, str], body: bytes
) -> None:
    auth = (
        {"username": "u", "password": "p"}
        if provider == "bandwidth"
        else {"path_secret": "s", "account_sid": "AC1"}
    )
    read(provider, "POST", url, headers, body, **auth)


# What the Bandwidth parser reads: an "unknown" field must not be one of these (a busy event has
# no answerTime, so {"answerTime": []} is a bad documented field, refused as it should be).
_BANDWIDTH_READS = {
    "accountId",
    "answerTime",
    "callId",
    "cause",
    "direction",
    "endTime",
    "eventTime",
    "eventType",
    "machineDetectionResult",
    "parentCallId",
}


@given(
    extra=st.dictionaries(
        st.text(max_size=12).filter(lambda key: key not in _BANDWIDTH_READS), JSON, max_size=6
    )
)
def test_a_documented_bandwidth_event_survives_any_unknown_field(extra: dict[str, Any]) -> None:
    body = {**extra, **ex.DISCONNECT_BUSY}
    event = telephony.parse_callback(
        "bandwidth", method="POST", url="https://h/", headers={}, body=json.dumps(body).encode()
    )
    assert event.status is telephony.CallStatus.BUSY


@given(
    extra=st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,12}", fullmatch=True).filter(
                lambda k: k not in ex.RC_BUSY
            ),
            st.text(max_size=20) | st.none(),
        ),
        max_size=6,
        unique_by=lambda kv: kv[0],
    )
)
def test_a_documented_restcomm_event_survives_any_unknown_field(
    extra: list[tuple[str, str | None]],
) -> None:
    from urllib.parse import quote_plus

    tail = "".join(f"&{k}" if v is None else f"&{k}={quote_plus(v)}" for k, v in extra)
    event = telephony.parse_callback(
        "restcomm", method="POST", url="https://h/", headers={}, body=(ex.RC_BUSY + tail).encode()
    )
    assert (event.status, event.is_terminal) == (None, True)
