"""The fast record writers of the listings write exactly what the plain ones do, for any
record, including the odd text a created call can carry: Bandwidth's ``call_json`` against
``json.dumps`` of ``call_state``, Restcomm's ``call_xml`` against a one-helper-per-element
writer (the sandbox's before it was made cheaper), and the cached time formats against
``datetime``."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephony.sandbox import Sandbox
from telephony.sandbox._bandwidth import BandwidthApi
from telephony.sandbox._bandwidth_wire import BandwidthWriter, iso
from telephony.sandbox._calls import CLIENT, DIAL, INBOUND, OUTBOUND, CallRecord
from telephony.sandbox._restcomm import RestcommApi
from telephony.sandbox._restcomm_wire import (
    _DIRECTION,
    API_VERSION,
    RATES,
    RestcommWriter,
    wire_status,
    wire_times,
)
from tests.sandbox.helpers import FROZEN, START

T0 = START.timestamp() - 86400.0


@pytest.fixture(scope="module")
def idle() -> Sandbox:
    """A sandbox that is never started: its APIs are called directly."""
    return Sandbox(seed_calls=400, seed=17, start=START, speed=FROZEN)


def _apis(sandbox: Sandbox) -> tuple[BandwidthApi, RestcommApi]:
    bandwidth = sandbox.sides["bandwidth"].api  # type: ignore[attr-defined]
    restcomm = sandbox.sides["restcomm"].api  # type: ignore[attr-defined]
    assert isinstance(bandwidth, BandwidthApi)
    assert isinstance(restcomm, RestcommApi)
    return bandwidth, restcomm


# -- the plain writers -------------------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _element(indent: str, name: str, value: str) -> str:
    if not value:
        return f"{indent}<{name}/>\n"
    return f"{indent}<{name}>{_escape(value)}</{name}>\n"


def plain_call_xml(api: RestcommWriter, record: CallRecord, now: float, indent: str) -> str:
    phase = record.phase(now)
    ended = phase == "ended"
    uri = f"/{API_VERSION}/Accounts/{api.account_sid}/Calls/{record.id}"
    start_time, end_time, seconds = wire_times(record, now)
    if ended:
        price = record.price
        if price is None:
            units = math.ceil(record.talk_seconds() / 60) * RATES[record.direction]
            price = f"{units // 10000}.{units % 10000:04d}" if units else "0.00"
    else:
        price = "0.00"
    rang = ended or phase == "talking"
    i = indent + "  "
    e = _element
    updated = record.end if ended and not record.updated else record.last_change(now)
    return "".join(
        [
            f"{indent}<Call>\n{i}<Sid>{record.id}</Sid>\n",
            e(i, "InstanceId", record.instance) if record.instance else "",
            f"{i}<DateCreated>{api.rfc2822(record.created)}</DateCreated>\n",
            f"{i}<DateUpdated>{api.rfc2822(updated)}</DateUpdated>\n",
            e(i, "ParentCallSid", record.parent_id or ""),
            f"{i}<AccountSid>{api.account_sid}</AccountSid>\n",
            e(i, "To", record.to),
            e(i, "From", record.from_),
            e(i, "PhoneNumberSid", record.number_sid),
            f"{i}<Status>{wire_status(record, phase)}</Status>\n",
            f"{i}<StartTime>{api.iso(start_time)}</StartTime>\n",
            e(i, "EndTime", "" if end_time is None else api.iso(end_time)),
            e(i, "Duration", "" if seconds is None else str(seconds)),
            f"{i}<Price>{price}</Price>\n{i}<PriceUnit>USD</PriceUnit>\n",
            f"{i}<Direction>{_DIRECTION[record.direction]}</Direction>\n",
            e(i, "AnsweredBy", record.answered_by if rang else ""),
            f"{i}<ApiVersion>{API_VERSION}</ApiVersion>\n{i}<ForwardedFrom/>\n",
            e(i, "CallerName", record.caller_name),
            f"{i}<Uri>{uri}</Uri>\n{i}<SubresourceUris>\n",
            f"{i}  <Notifications>{uri}/Notifications</Notifications>\n",
            f"{i}  <Recordings>{uri}/Recordings</Recordings>\n{i}</SubresourceUris>\n",
            e(i, "Ring_duration", str(record.ring_seconds()) if rang else ""),
            f"{indent}</Call>\n",
        ]
    )


def plain_call_json(api: BandwidthWriter, record: CallRecord, now: float) -> str:
    return json.dumps(api.call_state(record, now), separators=(",", ":"))


# -- records -----------------------------------------------------------------------------------

_millis = st.integers(min_value=0, max_value=4000_000).map(lambda ms: ms / 1000)
_text = st.text(max_size=12)


@st.composite
def records(draw: st.DrawFn) -> tuple[CallRecord, float]:
    created = T0 + draw(_millis)
    start = draw(st.none() | _millis.map(lambda d: created + d))
    answer = None if start is None else draw(st.none() | _millis.map(lambda d: start + d))
    end = max(created, start or created, answer or created) + draw(_millis)
    record = CallRecord(
        seq=draw(st.integers(0, 10**6)),
        id=draw(st.sampled_from(["c-1f-2e", "CA" + "0" * 32, "ID" + "a" * 32 + "-CA" + "b" * 32])),
        direction=draw(st.sampled_from([INBOUND, OUTBOUND, DIAL, CLIENT])),
        from_=draw(_text),
        to=draw(_text),
        created=created,
        start=start,
        answer=answer,
        end=end,
        outcome=draw(st.sampled_from(["answered", "busy", "no-answer", "failed", "canceled"])),
        cause=draw(st.sampled_from(["hangup", "busy", "", "not-found", "error"]) | _text),
        parent_id=draw(st.none() | _text),
        error=draw(st.none() | st.tuples(_text, _text)),
        answered_by=draw(st.sampled_from(["", "human", "machine_start"]) | _text),
        caller_name=draw(st.sampled_from(["", "SMITH JOHN"]) | _text),
        number_sid=draw(st.sampled_from(["", "PN" + "1" * 32]) | _text),
        price=draw(st.none() | st.sampled_from(["0.00", "0.0130"]) | _text),
        instance=draw(st.sampled_from(["", "ID" + "c" * 32]) | _text),
    )
    record.updated = draw(st.lists(_millis.map(lambda d: created + d), max_size=3))
    extra = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "applicationId": st.sampled_from(["other-app"]) | _text,
                "stirShaken": st.none()
                | st.fixed_dictionaries({"verstat": _text, "attestationIndicator": _text})
                | st.dictionaries(
                    _text | st.integers(), st.none() | _text | st.integers() | st.lists(_text)
                ),
            },
        )
    )
    record.extra.update(extra)
    now = draw(
        st.sampled_from([created - 1, created, end, end + 1]) | _millis.map(lambda d: T0 + d)
    )
    return record, now


@settings(max_examples=250, deadline=None)
@given(case=records())
def test_bandwidth_call_json_is_json_dumps_of_call_state(
    idle: Sandbox, case: tuple[CallRecord, float]
) -> None:
    record, now = case
    bandwidth = _apis(idle)[0].writer
    assert bandwidth.call_json(record, now) == plain_call_json(bandwidth, record, now)


@settings(max_examples=250, deadline=None)
@given(case=records(), indent=st.sampled_from(["", "  ", "    "]))
def test_restcomm_call_xml_is_the_plain_writing(
    idle: Sandbox, case: tuple[CallRecord, float], indent: str
) -> None:
    record, now = case
    restcomm = _apis(idle)[1].writer
    assert restcomm.call_xml(record, now, indent) == plain_call_xml(restcomm, record, now, indent)


def test_seeded_records_are_written_as_plainly(idle: Sandbox) -> None:
    bandwidth, restcomm = _apis(idle)
    for api in (bandwidth, restcomm):
        history = api.ledger.history
        assert history is not None
        for position in range(history.count):
            record = history.record(position)
            for now in (record.created, record.end - 0.001, START.timestamp()):
                if api is bandwidth:
                    fast_json = bandwidth.writer.call_json(record, now)
                    assert fast_json == plain_call_json(bandwidth.writer, record, now)
                else:
                    fast = restcomm.writer.call_xml(record, now, "    ")
                    assert fast == plain_call_xml(restcomm.writer, record, now, "    ")


@given(millis=st.integers(min_value=-(10**12), max_value=4 * 10**12))
def test_time_formats_match_datetime(idle: Sandbox, millis: int) -> None:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    expected = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"
    assert iso(millis / 1000) == expected
    restcomm = _apis(idle)[1].writer
    assert restcomm.iso(millis / 1000) == expected
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[moment.weekday()]
    month = moment.strftime("%b")
    assert restcomm.rfc2822(millis / 1000) == (
        f"{day}, {moment.day} {month} {moment.year} {moment:%H:%M:%S} +0000"
    )
