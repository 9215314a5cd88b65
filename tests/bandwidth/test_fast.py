"""The typed page decode and the general path give identical calls, and the typed decode
steps aside (None) for every page it does not take exactly as the general path would."""

from __future__ import annotations

import json
import pickle
from datetime import UTC
from typing import Any

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from telephony import Call
from telephony.adapters.bandwidth._fast import calls_from_page
from telephony.adapters.bandwidth._normalize import call_from_state


@st.composite
def _stamps(draw: st.DrawFn) -> str:
    """RFC 3339 and its near misses: separators, fractions of any length, any zone."""
    year = draw(st.sampled_from(["0001", "2024", "9999"]))
    day = draw(st.sampled_from(["01-01", "03-01", "12-31", "02-30"]))
    clock = draw(st.sampled_from(["00:00:00", "10:00:00", "23:59:59", "24:00:00", "10:00"]))
    fraction = draw(st.sampled_from(["", "."]) | st.from_regex(r"\.[0-9]{1,12}", fullmatch=True))
    zone = draw(
        st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+02:00", "-01:00", "+0200", "+14:00"])
    )
    separator = draw(st.sampled_from(["T", "t", " "]))
    return f"{year}-{day}{separator}{clock}{fraction}{zone}"


_TIMES = _stamps() | st.sampled_from(
    [
        "2024-03-01T10:00:00.123Z",
        "2024-03-01T10:00:00Z",
        "2024-03-01T10:00:00.1234567Z",
        "2024-03-01t10:00:00z",
        "2024-03-01T12:00:00+02:00",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2024-03-01T10:00:00",
        "2024-03-01",
        "yesterday",
        "",
    ]
)
_TEXT = st.none() | st.text(max_size=8) | st.sampled_from(["outbound", "inbound", "answered"])
_ODD = st.integers() | st.floats(allow_nan=False) | st.booleans() | st.lists(st.none(), max_size=1)
_FIELDS = {
    "callId": st.sampled_from(["c-1", "c-2", ""]) | _ODD,
    "accountId": _TEXT | _ODD,
    "parentCallId": _TEXT,
    "state": st.sampled_from(["queued", "initiated", "answered", "disconnected", "new"]) | _TEXT,
    "disconnectCause": st.sampled_from(["hangup", "busy", "timeout", "error", "odd"]) | _TEXT,
    "from": _TEXT,
    "to": _TEXT | _ODD,
    "direction": _TEXT,
    "answerTime": st.none() | _TIMES,
    "endTime": st.none() | _TIMES,
    "startTime": st.none() | _TIMES | _ODD,
    "enqueuedTime": st.none() | _TIMES,
    "lastUpdate": st.none() | _TIMES,
    "applicationId": _TEXT,
}
_RECORD = st.fixed_dictionaries({}, optional=_FIELDS)


def _general(records: list[Any]) -> list[Call] | None:
    try:
        return [call_from_state(record) for record in records]
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None


def _same(one: Call, other: Call) -> None:
    assert one == other
    assert repr(one) == repr(other)
    for field in attrs.fields(Call):
        mine, theirs = getattr(one, field.name), getattr(other, field.name)
        if field.name == "raw":
            assert dict(mine) == dict(theirs)
        else:
            assert (mine, type(mine)) == (theirs, type(theirs))
            assert getattr(mine, "tzinfo", None) is getattr(theirs, "tzinfo", None)


@settings(max_examples=300, deadline=None)
@given(st.lists(_RECORD, max_size=5))
def test_typed_and_general_paths_agree(records: list[dict[str, Any]]) -> None:
    body = json.dumps(records).encode()
    fast = calls_from_page(body)
    general = _general(json.loads(body))
    if fast is None:
        return  # the adapter reads this page the general way
    assert general is not None, "the typed decode took a page the general path refuses"
    assert len(fast) == len(general)
    for one, other in zip(fast, general, strict=True):
        _same(one, other)


@settings(max_examples=500, deadline=None)
@given(_stamps())
@example("0001-01-01T00:00:00.0000005")  # naive and 27 characters: found by hypothesis
@example("2024-03-01t10:00:00.12345650z")
def test_every_stamp_the_typed_decode_takes_is_the_same_instant(stamp: str) -> None:
    body = json.dumps([{"callId": "c-1", "startTime": stamp}]).encode()
    fast = calls_from_page(body)
    general = _general(json.loads(body))
    if fast is None:
        return  # msgspec refused it: the general path reads (or refuses) it
    assert general is not None, f"{stamp!r}: the typed decode took what parse_iso refuses"
    assert fast[0].started_at == general[0].started_at
    assert fast[0].started_at is not None
    assert fast[0].started_at.tzinfo is UTC


def test_stamps_past_the_microsecond_round_half_up_on_both_paths() -> None:
    for stamp, microsecond in [
        ("2024-03-01T10:00:00.1234565Z", 123457),
        ("2024-03-01T10:00:00.1234564999z", 123456),
        ("2024-03-01T10:00:00.9999995+02:00", 0),
        ("0001-01-01T00:00:00.0000005", 1),
        ("20240301T100000.1234567", 123457),
    ]:
        record = {"callId": "c-1", "startTime": stamp}
        general = call_from_state(record)
        fast = calls_from_page(json.dumps([record]).encode())
        if stamp[4] == "-":  # msgspec reads RFC 3339 only, not the compact form
            assert fast is not None
            assert fast[0].started_at == general.started_at
        assert general.started_at is not None
        assert general.started_at.microsecond == microsecond


def test_plain_pages_take_the_typed_decode() -> None:
    record = {
        "callId": "c-1",
        "accountId": "9900000",
        "state": "disconnected",
        "disconnectCause": "hangup",
        "from": "+15550001111",
        "to": "+15550002222",
        "direction": "outbound",
        "enqueuedTime": "2024-03-01T10:00:00.000Z",
        "startTime": "2024-03-01T10:00:00.100Z",
        "answerTime": "2024-03-01T10:00:05.000Z",
        "endTime": "2024-03-01T10:01:05.000Z",
        "lastUpdate": "2024-03-01T10:01:05.200Z",
        "applicationId": "app",
    }
    fast = calls_from_page(json.dumps([record, {"callId": "c-2"}]).encode())
    assert fast is not None
    for one, other in zip(fast, _general([record, {"callId": "c-2"}]) or [], strict=True):
        _same(one, other)
    call = fast[0]
    assert call.raw["applicationId"] == "app"  # raw: the whole record, decoded on demand
    assert attrs.evolve(call, to="+1") != call
    assert pickle.loads(pickle.dumps(call)) == call
    assert dict(pickle.loads(pickle.dumps(call)).raw) == record


def test_pages_the_typed_decode_leaves_alone() -> None:
    for body in (b"{}", b"[1]", b'[{"callId": null}]', b"[{}]", b"[NaN]", b"not json"):
        assert calls_from_page(body) is None
