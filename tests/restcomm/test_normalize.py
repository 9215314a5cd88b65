"""Restcomm Call elements to neutral Calls: statuses, directions, dates, numbers, SIDs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from telephony import CallStatus, Direction
from telephony.adapters.restcomm._normalize import call_from_record, direction_of, status_of
from telephony.adapters.restcomm._wire import (
    CallRecord,
    CreateCallForm,
    ModifyCallForm,
    make_converter,
)
from telephony.adapters.restcomm._xml import find_elements, parse_xml
from tests.restcomm.fake_server import FIXTURES, fixture


def only_call(name: str) -> dict[str, Any]:
    records = find_elements(parse_xml(fixture(name)), "Call")
    assert records is not None
    assert len(records) == 1
    record: dict[str, Any] = records[0]
    return record


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("queued", CallStatus.QUEUED),
        ("QUEUED", CallStatus.QUEUED),
        ("ringing", CallStatus.RINGING),
        ("wait-for-answer", CallStatus.RINGING),
        ("WAIT_FOR_ANSWER", CallStatus.RINGING),
        ("in-progress", CallStatus.IN_PROGRESS),
        ("IN_PROGRESS", CallStatus.IN_PROGRESS),
        ("In-Progress", CallStatus.IN_PROGRESS),
        ("completed", CallStatus.COMPLETED),
        ("COMPLETED", CallStatus.COMPLETED),
        ("busy", CallStatus.BUSY),
        ("BUSY", CallStatus.BUSY),
        ("no-answer", CallStatus.NO_ANSWER),
        ("NO_ANSWER", CallStatus.NO_ANSWER),
        ("canceled", CallStatus.CANCELED),
        ("CANCELED", CallStatus.CANCELED),
        ("failed", CallStatus.FAILED),
        ("FAILED", CallStatus.FAILED),
        ("not-found", CallStatus.FAILED),
        ("NOT_FOUND", CallStatus.FAILED),
        (" completed ", CallStatus.COMPLETED),
        ("parked", CallStatus.UNKNOWN),
        ("cancelled", CallStatus.UNKNOWN),
        ("", CallStatus.UNKNOWN),
        (None, CallStatus.UNKNOWN),
    ],
)
def test_status_table(raw: str | None, expected: CallStatus) -> None:
    assert status_of(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("inbound", Direction.INBOUND),
        ("outbound-api", Direction.OUTBOUND_API),
        ("OUTBOUND_API", Direction.OUTBOUND_API),
        ("outbound-dial", Direction.OUTBOUND_DIAL),
        ("Client-To-Client", Direction.INBOUND),
        ("client-to-client", Direction.INBOUND),
        ("sideways", Direction.UNKNOWN),
        (None, Direction.UNKNOWN),
    ],
)
def test_direction_table(raw: str | None, expected: Direction) -> None:
    assert direction_of(raw) is expected


def test_current_server_call_new_sid_rfc2822_dates_with_offset() -> None:
    call = call_from_record(only_call("call_current_server.xml"))
    assert call.provider == "restcomm"
    assert call.id == "ID8deb35fc5121429fa96635aebe3976d2-CA6d61e3877f3c47828a26efc498a9e8f9"
    assert call.account_id == "ACae6e420f425248d6a26948c17a9e2acf"
    assert (call.status, call.vendor_status) == (CallStatus.COMPLETED, "completed")
    assert call.direction is Direction.OUTBOUND_API
    assert (call.from_, call.to, call.parent_id) == ("+15551230000", "+15559876543", None)
    # "Thu, 28 Jun 2018 16:56:33 +0300" is 13:56:33 UTC
    assert call.created_at == datetime(2018, 6, 28, 13, 56, 33, tzinfo=UTC)
    assert call.updated_at == datetime(2018, 6, 28, 13, 57, 5, tzinfo=UTC)
    assert call.started_at == datetime(2018, 6, 28, 13, 56, 34, tzinfo=UTC)
    assert call.ended_at == datetime(2018, 6, 28, 13, 57, 5, tzinfo=UTC)
    assert call.duration == timedelta(seconds=27)
    # The server moves StartTime to the answer: that is the answer time.
    assert call.answered_at == call.started_at
    assert (call.price, call.currency) == (Decimal("0.0135"), "USD")
    assert call.answered_by == "human"
    assert call.disconnect_cause is None
    for moment in (call.created_at, call.updated_at, call.started_at, call.ended_at):
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)


def test_unpadded_day_no_answer_dial_leg_and_empty_elements() -> None:
    call = call_from_record(only_call("call_unpadded_day.xml"))
    assert call.created_at == datetime(2013, 7, 5, 22, 15, 53, tzinfo=UTC)
    assert (call.status, call.vendor_status) == (CallStatus.NO_ANSWER, "NO_ANSWER")
    assert call.direction is Direction.OUTBOUND_DIAL
    assert call.parent_id == "CA4049cf008d6b4277b92ab863fd4ec7c8"
    assert call.to == "client:alice"
    # Duration 0 on a call that never connected is not talk time.
    assert call.duration is None
    assert call.answered_at is None
    assert call.price is None
    assert call.currency is None
    assert call.answered_by is None
    assert call.raw["Ring_duration"] == "25"


def test_old_server_iso_dates_client_to_client() -> None:
    call = call_from_record(only_call("call_old_server_iso.xml"))
    assert call.created_at == datetime(2013, 10, 18, 10, 49, 45, 942000, tzinfo=UTC)
    assert call.started_at == datetime(2013, 10, 18, 10, 49, 45, 994000, tzinfo=UTC)
    assert call.direction is Direction.INBOUND
    assert call.raw["Direction"] == "Client-To-Client"
    # Completed within the second: answered (StartTime is the answer), zero talk time.
    assert call.status is CallStatus.COMPLETED
    assert call.duration == timedelta(0)
    assert call.answered_at == call.started_at
    assert (call.price, call.currency) == (Decimal("0.00"), None)


def test_create_answer_queued_has_no_times_or_talk() -> None:
    call = call_from_record(only_call("call_created_odd_root.xml"))
    assert call.id.startswith("ID")
    assert "-CA" in call.id
    assert (call.status, call.vendor_status) == (CallStatus.QUEUED, "QUEUED")
    assert call.created_at == datetime(2018, 7, 2, 14, 1, 2, tzinfo=UTC)  # -0500
    assert call.started_at is None
    assert call.ended_at is None
    assert call.duration is None
    assert call.answered_at is None
    assert call.to == "sip:bob@sip.example.com"


def test_unknown_status_is_no_evidence_of_an_answer() -> None:
    record = {**only_call("call_current_server.xml"), "Status": "archived"}
    call = call_from_record(record)
    assert (call.status, call.vendor_status) == (CallStatus.UNKNOWN, "archived")
    assert call.duration is None
    assert call.answered_at is None


def test_raw_is_the_record_read_only() -> None:
    record = only_call("call_current_server.xml")
    call = call_from_record(record)
    assert call.raw["SubresourceUris"]["Recordings"].endswith("/Recordings")
    with pytest.raises(TypeError):
        call.raw["Status"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Duration", "six"),
        ("Duration", "6.5"),
        ("Price", "free"),
        ("DateCreated", "yesterday"),
        ("StartTime", "2018-13-45T99:00:00Z"),
        ("Status", {"nested": "element"}),
        ("Sid", None),
    ],
)
def test_unreadable_values_raise_for_the_adapter_to_wrap(field: str, value: Any) -> None:
    record = {**only_call("call_current_server.xml"), field: value}
    with pytest.raises((TypeError, ValueError)):
        call_from_record(record)


def _all_call_elements() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(FIXTURES.glob("*.xml")):
        if path.name.startswith(("body_", "error_")):
            continue
        for record in find_elements(parse_xml(path.read_bytes()), "Call") or []:
            found.append((path.name, record))
    return found


@pytest.mark.parametrize(("name", "record"), _all_call_elements())
def test_fixtures_fit_the_wire_model_and_agree_with_the_hot_path(
    name: str, record: dict[str, Any]
) -> None:
    strict = make_converter(forbid_extra_keys=True)
    wire = strict.structure(record, CallRecord)  # an unknown element would raise here
    call = call_from_record(record)
    assert (call.id, call.account_id, call.parent_id) == (
        wire.sid,
        wire.account_sid,
        wire.parent_call_sid,
    )
    assert (call.to, call.from_, call.vendor_status) == (wire.to, wire.from_, wire.status)
    assert (call.created_at, call.updated_at) == (wire.date_created, wire.date_updated)
    assert (call.started_at, call.ended_at) == (wire.start_time, wire.end_time)
    assert (call.price, call.currency) == (wire.price, wire.price_unit)
    if call.duration is not None:
        assert call.duration == timedelta(seconds=wire.duration or 0)


def test_converter_names_fields_as_restcomm_does() -> None:
    converter = make_converter()
    form = CreateCallForm(
        from_="+15551230000",
        to="client:alice",
        url="https://app.example/rcml",
        status_callback_event="initiated,completed",
        timeout=30,
    )
    assert converter.unstructure(form) == {
        "From": "+15551230000",
        "To": "client:alice",
        "Url": "https://app.example/rcml",
        "StatusCallbackEvent": "initiated,completed",
        "Timeout": "30",
    }
    assert converter.unstructure(ModifyCallForm(mute=False, move_connected_call_leg=True)) == {
        "MoveConnectedCallLeg": "true",
        "Mute": "false",
    }
    wire = converter.structure({"Sid": "CA1", "Ring_duration": "7", "Duration": "3"}, CallRecord)
    assert (wire.ring_duration, wire.duration) == (7, 3)
