"""The tracker folds events into each call's state: a repeat is processed once, a late live
event never reopens an ended call, facts fill in whatever the order, and Restcomm's silent
``completed`` is settled from the call record when a client is given."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest

import telephony
from telephony import CallStatus
from telephony.webhooks import CallTracker
from tests.webhooks import examples as ex
from tests.webhooks.test_restcomm_callbacks import LEG, progress


def bandwidth(body: dict[str, Any]) -> telephony.CallEvent:
    return telephony.parse_callback(
        "bandwidth", method="POST", url="https://h/", headers={}, body=json.dumps(body).encode()
    )


def restcomm(form: str) -> telephony.CallEvent:
    return telephony.parse_callback(
        "restcomm", method="POST", url="https://h/", headers={}, body=form.encode()
    )


CALL = "c-7a4e20b1-93d5c8f2-1e6b-4f70-b3a9-8d2c5e1f0a47"
ANSWER = ex.ANSWER
HANGUP = dict(ex.DISCONNECT_HANGUP, callId=CALL, direction="outbound")


@pytest.mark.parametrize("order", list(itertools.permutations([0, 1, 2])))
def test_any_order_ends_in_the_same_state(order: tuple[int, ...]) -> None:
    events = [bandwidth(ANSWER), bandwidth(dict(ex.REDIRECT)), bandwidth(HANGUP)]
    tracker = CallTracker()
    for index in order:
        tracker.feed(events[index])
    state = tracker.get(CALL)
    assert state is not None
    assert (state.status, state.is_terminal, state.settled) == (CallStatus.COMPLETED, True, True)
    assert state.answered_at is not None
    assert state.answered_by == "human"  # from the answer event, even when it came last
    assert state.disconnect_cause == "hangup"
    assert state.events == 3


def test_a_repeat_is_processed_once() -> None:
    tracker = CallTracker()
    first = tracker.feed(bandwidth(ANSWER))
    assert first is not None
    assert tracker.feed(bandwidth(ANSWER)) is None
    assert tracker.get(CALL) == first


def test_live_events_only_move_forward() -> None:
    tracker = CallTracker()
    tracker.feed(restcomm(progress("answered")))
    state = tracker.feed(restcomm(progress("ringing")))
    assert state is not None
    assert state.status is CallStatus.IN_PROGRESS


def test_transfer_complete_does_not_end_the_a_leg() -> None:
    tracker = CallTracker()
    state = tracker.feed(bandwidth(ex.TRANSFER_COMPLETE))
    assert state is not None
    assert (state.status, state.is_terminal) == (None, False)


class Records:
    """A client stand-in for settling: get_call answers the record it holds."""

    def __init__(self, status: CallStatus, *, fail: bool = False) -> None:
        self.status, self.fail, self.reads = status, fail, 0

    def get_call(self, call_id: str, /) -> telephony.Call:
        self.reads += 1
        if self.fail:
            raise telephony.TransportError("down")
        return telephony.Call(provider="restcomm", id=call_id, status=self.status)


def test_a_silent_completed_is_settled_from_the_record() -> None:
    records = Records(CallStatus.BUSY)
    tracker = CallTracker(client=records)
    tracker.feed(restcomm(progress("ringing")))
    state = tracker.feed(restcomm(progress("completed", CallDuration="0")))
    assert state is not None
    assert (state.status, state.is_terminal, state.settled) == (CallStatus.BUSY, True, True)
    assert records.reads == 1
    assert tracker.unsettled() == []


def test_without_a_client_it_stays_unsettled_until_settled_later() -> None:
    tracker = CallTracker()
    tracker.feed(restcomm(progress("completed")))
    assert [s.call_id for s in tracker.unsettled()] == [LEG]
    assert tracker.settle(LEG) is not None
    assert tracker.get(LEG).status is None  # type: ignore[union-attr]


def test_a_failed_read_leaves_it_unsettled_and_a_later_settle_finishes() -> None:
    records = Records(CallStatus.CANCELED, fail=True)
    tracker = CallTracker(client=records)
    state = tracker.feed(restcomm(progress("completed", CallDuration="12")))
    assert state is not None
    assert not state.settled
    records.fail = False
    settled = tracker.settle(LEG, provider="restcomm")
    assert settled is not None
    assert settled.status is CallStatus.CANCELED


def test_a_record_still_live_does_not_settle() -> None:
    tracker = CallTracker(client=Records(CallStatus.IN_PROGRESS))
    state = tracker.feed(restcomm(progress("completed")))
    assert state is not None
    assert not state.settled


def test_a_late_answer_fills_in_the_answer_time_of_an_ended_call() -> None:
    tracker = CallTracker()
    tracker.feed(restcomm(progress("completed")))
    state = tracker.feed(restcomm(progress("answered")))
    assert state is not None
    assert state.is_terminal
    assert state.answered_at == datetime(2025, 3, 4, 15, 10, 42, tzinfo=UTC)


def test_forget_drops_a_call() -> None:
    tracker = CallTracker()
    tracker.feed(bandwidth(ANSWER))
    tracker.forget(CALL)
    assert (tracker.get(CALL), len(tracker)) == (None, 0)
    assert tracker.feed(bandwidth(ANSWER)) is not None  # no longer a repeat
