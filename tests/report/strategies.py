"""Hypothesis strategies for calls: every status, direction and the optional fields the
figures read (answer and end times, durations, prices in several currencies, causes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

import telephony
from telephony import CallStatus, Direction

_START = datetime(2024, 1, 1, tzinfo=UTC)


@st.composite
def calls(draw: st.DrawFn) -> telephony.Call:
    created = _START + timedelta(seconds=draw(st.integers(0, 40 * 86400)))
    answered = draw(st.none() | st.just(created + timedelta(seconds=3)))
    talk = draw(st.none() | st.integers(0, 3600).map(lambda n: timedelta(seconds=n)))
    price = draw(st.none() | st.decimals(-10, 10, places=4))
    return telephony.Call(
        provider=draw(st.sampled_from(["bandwidth", "restcomm"])),
        id=draw(st.uuids()).hex,
        status=draw(st.sampled_from(list(CallStatus))),
        direction=draw(st.sampled_from(list(Direction))),
        account_id=draw(st.sampled_from([None, "acc-1", "acc-2"])),
        from_=draw(st.sampled_from(["+15550000001", "+15550000002"])),
        to=draw(st.none() | st.just("+15550100001")),
        disconnect_cause=draw(st.sampled_from([None, "hangup", "busy", "timeout", "odd cause"])),
        created_at=created,
        answered_at=answered,
        ended_at=None if answered is None else answered + timedelta(seconds=30),
        duration=talk if answered is not None else None,
        price=price,
        currency=None if price is None else draw(st.sampled_from([None, "USD", "EUR"])),
        raw={"n": draw(st.integers(0, 9)), "nested": {"list": [1, "two", None]}},
    )


call_lists = st.lists(calls(), max_size=40)
