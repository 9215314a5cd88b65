"""Bandwidth states, causes and directions to neutral values, exactly as DESIGN.md pins them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from telephony import CallStatus, Direction
from telephony.adapters.bandwidth._normalize import call_from_state
from tests.bandwidth.fake_server import record


@pytest.mark.parametrize(
    ("state", "cause", "answered", "expected"),
    [
        ("queued", None, False, CallStatus.QUEUED),
        ("initiated", None, False, CallStatus.RINGING),
        ("answered", None, True, CallStatus.IN_PROGRESS),
        ("disconnected", "hangup", True, CallStatus.COMPLETED),
        ("disconnected", "hangup", False, CallStatus.CANCELED),
        ("disconnected", "busy", False, CallStatus.BUSY),
        ("disconnected", "timeout", False, CallStatus.NO_ANSWER),
        ("disconnected", "cancel", False, CallStatus.CANCELED),
        ("disconnected", "rejected", False, CallStatus.REJECTED),
        ("disconnected", "callback-error", True, CallStatus.FAILED),
        ("disconnected", "invalid-bxml", True, CallStatus.FAILED),
        ("disconnected", "application-error", True, CallStatus.FAILED),
        ("disconnected", "account-limit", False, CallStatus.FAILED),
        ("disconnected", "node-capacity-exceeded", False, CallStatus.FAILED),
        ("disconnected", "error", False, CallStatus.FAILED),
        ("disconnected", "unknown", False, CallStatus.FAILED),
        # undocumented causes: the call ended; answered or not decides
        ("disconnected", "string", True, CallStatus.COMPLETED),
        ("disconnected", "carrier-gone-fishing", False, CallStatus.FAILED),
        ("disconnected", None, False, CallStatus.FAILED),
        # undocumented states never raise
        ("transferring", None, True, CallStatus.UNKNOWN),
        (None, None, False, CallStatus.UNKNOWN),
    ],
)
def test_status(state: str | None, cause: str | None, answered: bool, expected: CallStatus) -> None:
    raw = record(1, state=state, disconnectCause=cause)
    if not answered:
        raw["answerTime"] = None
    call = call_from_state(raw)
    assert call.status is expected
    assert call.vendor_status == state
    assert call.disconnect_cause == cause


@pytest.mark.parametrize(
    ("direction", "parent", "expected"),
    [
        ("inbound", None, Direction.INBOUND),
        ("outbound", None, Direction.OUTBOUND_API),
        ("outbound", "c-parent", Direction.OUTBOUND_DIAL),
        ("sideways", None, Direction.UNKNOWN),
        (None, None, Direction.UNKNOWN),
    ],
)
def test_direction(direction: str | None, parent: str | None, expected: Direction) -> None:
    call = call_from_state(record(1, direction=direction, parentCallId=parent))
    assert call.direction is expected
    assert call.raw["direction"] == direction


def test_times_are_utc_and_duration_is_talk_time() -> None:
    call = call_from_state(
        record(
            1,
            enqueuedTime="2022-06-16T15:15:07.160+02:00",
            startTime="2022-06-16T13:15:08Z",
            answerTime="2022-06-16T13:15:18.126Z",
            endTime="2022-06-16T13:16:18.626Z",
        )
    )
    assert call.created_at == datetime(2022, 6, 16, 13, 15, 7, 160000, tzinfo=UTC)
    assert call.created_at.utcoffset() == timedelta(0)
    assert call.started_at == datetime(2022, 6, 16, 13, 15, 8, tzinfo=UTC)
    assert call.duration == timedelta(seconds=60, microseconds=500000)


def test_created_at_falls_back_to_start_time_and_unanswered_has_no_duration() -> None:
    call = call_from_state(record(1, enqueuedTime=None, answerTime=None, disconnectCause="busy"))
    assert call.created_at == call.started_at
    assert call.duration is None
    assert call.answered_at is None


def test_raw_is_read_only() -> None:
    call = call_from_state(record(1))
    assert call.raw["callId"] == "c-0001"
    with pytest.raises(TypeError):
        call.raw["callId"] = "x"  # type: ignore[index]
